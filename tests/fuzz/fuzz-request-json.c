/* fuzz-request-json.c: a request body as the engine reads it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The nesting and width pre-scans, the parser and the field checks the handlers apply. Any text must give
 * an object or a protocol error, never a crash: the pre-scan keeps the parser's recursion bounded.
 */
#include "config.h"

#include "cc-protojson.h"
#include "cc-sandbox-error.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static const char * const allowed[] = { "process", "pty", "tag", "stdin", "path", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *unknown = NULL;
  g_autoptr(GHashTable) envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GBytes) bytes = NULL;
  gboolean shallow = cc_protojson_check_depth ((const char *) data, size, CC_PROTOJSON_MAX_DEPTH);
  gboolean narrow = cc_protojson_check_width ((const char *) data, size,
                                              CC_PROTOJSON_MAX_REQUEST_VALUES);
  gint64 unix_usec;

  object = cc_protojson_parse_request ((const char *) data, size, &error);
  if (object == NULL)
    {
      g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
      return 0;
    }
  /* A text the scans refuse never reaches the parser. */
  g_assert_true (shallow);
  g_assert_true (narrow);
  if (!cc_protojson_check_fields (object, allowed, &unknown))
    g_assert_nonnull (unknown);
  cc_protojson_copy_string_map (cc_protojson_get_object (object, "process"), "envs", envs);
  cc_protojson_get_int64 (object, "pid", 0);
  cc_protojson_get_bool (object, "stdin", TRUE);
  bytes = cc_protojson_get_bytes (object, "data");
  if (cc_protojson_get_string (object, "path") != NULL)
    cc_protojson_parse_timestamp (cc_protojson_get_string (object, "path"), &unix_usec);
  return 0;
}
