/* fuzz-path.c: how a user's path becomes a clean sandbox path
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The string part of path resolution (home, "~", relative paths, "." and ".."), before anything
 * touches the filesystem: whatever the input, the result is absolute and canonical, so the checks
 * that follow it only ever see clean paths. The file is included to reach its static function;
 * when resolution moves, point this harness at the new normalisation step.
 */
#include "cc-engine-sandbox.c"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *path = NULL;
  const char *user = size > 0 && data[0] & 1 ? "root" : "user";

  if (size > 0)
    {
      data++;
      size--;
    }
  path = g_strndup ((const char *) data, size);
  {
    g_autofree char *clean = to_absolute (user, path);

    g_assert_nonnull (clean);
    g_assert_true (g_path_is_absolute (clean));
    /* g_canonicalize_filename() keeps a leading "//" (POSIX leaves its meaning open), so
     * "//tmp" is not "/tmp": the view checks that follow refuse it as outside. Nowhere else. */
    g_assert_null (strstr (clean + 1, "//"));
    g_assert_null (strstr (clean, "/./"));
    g_assert_null (strstr (clean, "/../"));
    g_assert_false (g_str_has_suffix (clean, "/..") || g_str_has_suffix (clean, "/."));
    g_assert_true (g_str_equal (clean, "/") || g_str_equal (clean, "//") || !g_str_has_suffix (clean, "/"));
  }
  return 0;
}
