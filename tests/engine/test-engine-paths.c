/* test-engine-paths.c: how sandbox paths map to host paths, and which are refused
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-engine-path.h"
#include "cc-engine-sandbox-private.h"
#include "cc-test-util.h"

typedef struct
{
  char *base;
  CcEngineSandbox *sandbox;
  const char *home;
  const char *tmp;
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->base = cc_test_make_tmpdir ("cc-test-paths");
  f->sandbox = cc_engine_sandbox_new (f->base, "base");
  g_assert_true (cc_engine_sandbox_create_dirs (f->sandbox, &error));
  f->home = cc_engine_sandbox_get_home_dir (f->sandbox);
  f->tmp = cc_engine_sandbox_get_tmp_dir (f->sandbox);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->sandbox);
  cc_test_rm_rf (f->base);
  g_free (f->base);
}

static void
assert_maps (Fixture    *f,
             const char *user,
             const char *path,
             const char *host_rest,
             const char *host_root,
             const char *sandbox_expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sandbox_path = NULL;
  g_autofree char *host = cc_engine_sandbox_resolve_path (f->sandbox, user, path, &sandbox_path, &error);
  g_autofree char *expected = g_strconcat (host_root, host_rest, NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (host, ==, expected);
  g_assert_cmpstr (sandbox_path, ==, sandbox_expected);
}

static void
assert_refused (Fixture    *f,
                const char *user,
                const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = cc_engine_sandbox_resolve_path (f->sandbox, user, path, NULL, &error);

  g_assert_null (host);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static void
test_lexical (Fixture       *f,
              gconstpointer  data)
{
  assert_maps (f, "user", NULL, "", f->home, "/home/user");
  assert_maps (f, "user", "", "", f->home, "/home/user");
  assert_maps (f, "user", "~", "", f->home, "/home/user");
  assert_maps (f, "user", "~/a/b.txt", "/a/b.txt", f->home, "/home/user/a/b.txt");
  assert_maps (f, "user", "a//./b/../c", "/a/c", f->home, "/home/user/a/c");
  assert_maps (f, "user", "/home/user/x", "/x", f->home, "/home/user/x");
  assert_maps (f, "user", "/tmp/t", "/t", f->tmp, "/tmp/t");
  assert_maps (f, "root", "~/r", "/r", f->home, "/root/r");
  assert_maps (f, "root", "r", "/r", f->home, "/root/r");
  assert_maps (f, "root", "/root", "", f->home, "/root");

  assert_refused (f, "user", "..");
  assert_refused (f, "user", "../other");
  assert_refused (f, "user", "/home/user/../../etc/passwd");
  assert_refused (f, "user", "/etc/passwd");
  assert_refused (f, "user", "/");
  assert_refused (f, "user", "/home");
  assert_refused (f, "user", "/home/username");
  assert_refused (f, "user", "/root/x");      /* root's view only */
  assert_refused (f, "user", "/tmpfoo");
  assert_refused (f, "mallory", "x");
}

static void
test_symlinks (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->home, "dir", NULL);
  g_autofree char *out_dir = g_build_filename (f->home, "out", NULL);
  g_autofree char *out_file = g_build_filename (f->home, "out-file", NULL);
  g_autofree char *in_abs = g_build_filename (f->home, "in-abs", NULL);
  g_autofree char *in_rel = g_build_filename (f->home, "in-rel", NULL);
  g_autofree char *dangling = g_build_filename (f->home, "dangling", NULL);
  g_autofree char *to_tmp = g_build_filename (f->home, "to-tmp", NULL);
  g_autofree char *loop = g_build_filename (f->home, "loop", NULL);
  g_autofree char *host_link = g_build_filename (f->home, "host-link", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink ("/etc", out_dir), ==, 0);
  g_assert_cmpint (symlink ("../../../../../../../../etc/passwd", out_file), ==, 0);
  g_assert_cmpint (symlink ("/home/user/dir", in_abs), ==, 0);
  g_assert_cmpint (symlink ("dir", in_rel), ==, 0);
  g_assert_cmpint (symlink ("dir/missing", dangling), ==, 0);
  g_assert_cmpint (symlink ("/tmp", to_tmp), ==, 0);
  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  /* An unisolated process writes host paths into its links. */
  g_assert_cmpint (symlink (dir, host_link), ==, 0);

  /* Through a link out: refused, in the middle or at the end. */
  assert_refused (f, "user", "out/passwd");
  assert_refused (f, "user", "out");
  assert_refused (f, "user", "out-file");
  assert_refused (f, "user", "loop");
  assert_refused (f, "user", "loop/x");

  /* Links inside the view resolve through; the last component stays the link itself. */
  assert_maps (f, "user", "in-abs/f.txt", "/dir/f.txt", f->home, "/home/user/in-abs/f.txt");
  assert_maps (f, "user", "in-rel/f.txt", "/dir/f.txt", f->home, "/home/user/in-rel/f.txt");
  assert_maps (f, "user", "in-rel", "/in-rel", f->home, "/home/user/in-rel");
  assert_maps (f, "user", "dangling", "/dangling", f->home, "/home/user/dangling");
  assert_maps (f, "user", "to-tmp/x", "/x", f->tmp, "/home/user/to-tmp/x");
  assert_maps (f, "user", "host-link/y", "/dir/y", f->home, "/home/user/host-link/y");
}

static void
test_inverse (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *in_home = g_build_filename (f->home, "a", "b", NULL);
  g_autofree char *in_tmp = g_build_filename (f->tmp, "t", NULL);
  g_autofree char *p1 = cc_engine_sandbox_to_sandbox_path (f->sandbox, "user", in_home);
  g_autofree char *p2 = cc_engine_sandbox_to_sandbox_path (f->sandbox, "root", in_home);
  g_autofree char *p3 = cc_engine_sandbox_to_sandbox_path (f->sandbox, "user", in_tmp);
  g_autofree char *p4 = cc_engine_sandbox_to_sandbox_path (f->sandbox, "user", "/etc/passwd");

  g_assert_cmpstr (p1, ==, "/home/user/a/b");
  g_assert_cmpstr (p2, ==, "/root/a/b");
  g_assert_cmpstr (p3, ==, "/tmp/t");
  g_assert_null (p4);
}

/* Removal goes through descriptors at any depth, deeper than the descriptors it holds at once,
 * and unlinks a symlink without following it: what it points at outside stays. */
static void
test_remove_deep (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *tree = g_build_filename (f->home, "deep", NULL);
  g_autofree char *outside = g_build_filename (f->base, "outside", NULL);
  g_autofree char *kept = g_build_filename (outside, "kept", NULL);
  g_autoptr(GError) error = NULL;
  int fd;

  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  g_file_set_contents (kept, "x", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (tree, 0755), ==, 0);
  fd = open (tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  /* 1,000 levels: deeper than a path may be written, so made one descriptor at a time. */
  for (guint i = 0; i < 1000; i++)
    {
      int next;

      g_assert_cmpint (mkdirat (fd, "d", 0755), ==, 0);
      if (i % 100 == 0)
        g_assert_cmpint (symlinkat (outside, fd, "link"), ==, 0);
      next = openat (fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      g_assert_cmpint (next, >=, 0);
      close (fd);
      fd = next;
    }
  close (fd);

  fd = open (f->home, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (cc_engine_path_remove_at (fd, "deep"), ==, 0);
  close (fd);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/engine/paths/lexical", Fixture, NULL, setup, test_lexical, teardown);
  g_test_add ("/engine/paths/symlinks", Fixture, NULL, setup, test_symlinks, teardown);
  g_test_add ("/engine/paths/inverse", Fixture, NULL, setup, test_inverse, teardown);
  g_test_add ("/engine/paths/remove-deep", Fixture, NULL, setup, test_remove_deep, teardown);
  return g_test_run ();
}
