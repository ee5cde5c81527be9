/* test-store-errors.c: migrations, and databases the store must refuse without harm
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cc-test-util.h"
#include "store-test-util.h"

/* Migration ------------------------------------------------------------------------------- */

static void
test_migrate_v1 (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-store-v1");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "data", "store-v1.sql", NULL);
  g_autofree char *sql = NULL;
  g_autofree char *now_text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = NULL;
  StoreFixture f = { 0 };
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;

  g_file_get_contents (fixture, &sql, NULL, &error);
  g_assert_no_error (error);
  now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now_s);
  parts = g_strsplit (sql, "@NOW@", -1);
  g_free (sql);
  sql = g_strjoinv (now_text, parts);
  raw_exec (path, sql);
  g_assert_cmpint (raw_query_int (path, "PRAGMA user_version"), ==, 1);

  f.tmpdir = g_steal_pointer (&tmpdir);
  f.path = g_steal_pointer (&path);
  f.file = g_file_new_for_path (f.path);
  f.now = g_get_real_time ();
  fixture_open (&f);

  g_assert_cmpint (raw_query_int (f.path, "PRAGMA user_version"), ==, CC_STORE_SCHEMA_VERSION);
  raw_exec (f.path, "INSERT INTO operations_fts (operations_fts) VALUES ('integrity-check')");
  {
    g_autofree char *check = raw_query_text (f.path, "PRAGMA integrity_check");

    g_assert_cmpstr (check, ==, "ok");
  }

  /* Projects: every field carried over, times now in microseconds. */
  {
    g_autoptr(CcProject) node = get_project (&f, "p-node", &error);
    g_autoptr(CcProject) empty = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (cc_project_get_name (node), ==, "Node demo");
    g_assert_cmpuint (cc_project_get_port (node), ==, 3000);
    g_assert_cmpstr (cc_project_get_sandbox_id (node), ==, "sbx-abc123");
    g_assert_cmpint (cc_project_get_connection_kind (node), ==, CC_CONNECTION_LOCAL);
    g_assert_cmpstr (cc_project_get_template (node), ==, "blank");
    g_assert_cmpint (cc_project_get_created_at (node), ==, (now_s - 86400) * G_USEC_PER_SEC);
    g_assert_cmpint (cc_project_get_updated_at (node), ==, (now_s - 3600) * G_USEC_PER_SEC);
    g_assert_cmpint (cc_project_get_last_execution_at (node), ==,
                     (now_s - 600) * G_USEC_PER_SEC);

    empty = get_project (&f, "p-empty", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cc_project_get_port (empty), ==, 0);
    g_assert_cmpstr (cc_project_get_sandbox_id (empty), ==, "");
    g_assert_cmpint (cc_project_get_last_execution_at (empty), ==, 0);
  }

  /* Records: JSON output split into columns, plain text kept, the expired one purged. */
  {
    g_autoptr(GListModel) list = history (&f, NULL);
    g_autoptr(CcOperation) op3 = NULL;
    g_autoptr(CcOperation) op2 = NULL;
    g_autoptr(CcOperation) op1 = NULL;
    CcHistoryQuery query = { 0 };
    g_autoptr(GListModel) found = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
    op3 = g_list_model_get_item (list, 0);
    op2 = g_list_model_get_item (list, 1);
    op1 = g_list_model_get_item (list, 2);
    g_assert_cmpstr (cc_operation_get_id (op3), ==, "op-3");
    g_assert_cmpint (cc_operation_get_operation_type (op3), ==, CC_OPERATION_TYPE_FILE_WRITE);
    g_assert_cmpstr (cc_operation_get_stdout (op3), ==, "plain text, not JSON");
    g_assert_cmpstr (cc_operation_get_id (op2), ==, "op-2");
    g_assert_cmpint (cc_operation_get_status (op2), ==, CC_OPERATION_STATUS_ERROR);
    g_assert_cmpstr (cc_operation_get_stderr (op2), ==, "1 failing\n");
    g_assert_cmpstr (cc_operation_get_error (op2), ==, "Command exited with 1");
    g_assert_cmpint (cc_operation_get_exit_code (op2), ==, 1);
    g_assert_cmpint (cc_operation_get_duration_ms (op2), ==, 830);
    g_assert_cmpstr (cc_operation_get_stdout (op1), ==, "added 12 packages\n");
    g_assert_cmpint (cc_operation_get_exit_code (op1), ==, 0);
    g_assert_cmpint (cc_operation_get_created_at (op1), ==, (now_s - 900) * G_USEC_PER_SEC);
    g_assert_cmpint (cc_operation_get_expires_at (op1), ==, (now_s + 600000) * G_USEC_PER_SEC);
    g_assert_cmpint (raw_query_int (f.path, "SELECT count(*) FROM operations WHERE id = 'op-old'"),
                     ==, 0);

    /* Migrated records are searchable. */
    query.search = "failing";
    found = history (&f, &query);
    g_assert_cmpuint (g_list_model_get_n_items (found), ==, 1);
  }

  /* The cache entry is served until its hour is up. */
  {
    g_autoptr(CcOperation) hit = cache_lookup (&f, "p-node", "npm install", NULL);

    g_assert_nonnull (hit);
    g_assert_cmpstr (cc_operation_get_stdout (hit), ==, "added 12 packages\n");
    g_assert_cmpint (cc_operation_get_duration_ms (hit), ==, 4200);
  }

  /* And the migrated database works like a new one. */
  {
    g_autoptr(CcOperation) op = begin_op (&f, "p-node", CC_OPERATION_TYPE_COMMAND, "node -v");

    finish_op (&f, op, CC_OPERATION_STATUS_SUCCESS, "v18\n", 0);
  }

  store_teardown (&f, NULL);
}

/* Errors ---------------------------------------------------------------------------------- */

static void
assert_open_fails (const char *path,
                   int         code,
                   const char *fragment)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(CcStore) store = NULL;

  store = open_store (file, 100, &error);
  g_assert_error (error, CC_STORE_ERROR, code);
  g_assert_null (store);
  /* It names the file, or the folder that could not be made. */
  if (strstr (error->message, path) == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_nonnull (strstr (error->message, dir));
    }
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
  g_test_message ("%s", error->message);
}

static void
test_error_corrupt (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-store-corrupt");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  g_autoptr(GByteArray) garbage = g_byte_array_new ();
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 16384; i++)
    {
      guint8 byte = g_random_int_range (0, 256);

      g_byte_array_append (garbage, &byte, 1);
    }
  g_file_set_contents (path, (const char *) garbage->data, garbage->len, &error);
  g_assert_no_error (error);
  before = read_file_bytes (path);

  assert_open_fails (path, CC_STORE_ERROR_CORRUPT, "move it aside");
  /* Twice: the first attempt changed nothing that would make the second one differ. */
  assert_open_fails (path, CC_STORE_ERROR_CORRUPT, NULL);

  /* Never overwritten or deleted. */
  after = read_file_bytes (path);
  g_assert_true (g_bytes_equal (before, after));

  cc_test_rm_rf (tmpdir);
}

static void
test_error_corrupt_pages (StoreFixture  *f,
                          gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int fd;

  /* Enough records to span many pages, then checkpointed into the main file. */
  while (out->len < 2000)
    g_string_append (out, "output text ");
  for (guint i = 0; i < 200; i++)
    g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "cmd",
                    CC_OPERATION_STATUS_SUCCESS, out->str));
  fixture_close (f);

  /* Smash pages in the middle of the file, leaving the header intact. */
  fd = g_open (f->path, O_RDWR, 0);
  g_assert_cmpint (fd, >=, 0);
  for (off_t page = 2; page < 60; page++)
    {
      char junk[4096];

      memset (junk, 0xa5, sizeof junk);
      g_assert_cmpint (pwrite (fd, junk, sizeof junk, page * 4096), ==, sizeof junk);
    }
  close (fd);

  /* Whether opening or reading notices it first, the answer is CORRUPT, never a crash. */
  f->store = open_store (f->file, 100, &error);
  if (f->store != NULL)
    {
      CcHistoryQuery query = { 0 };

      query.limit = 1000;
      query.search = "output";
      list = history_full (f, &query, &error);
      g_assert_null (list);
    }
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
}

static void
test_error_foreign_database (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-store-foreign");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);

  raw_exec (path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
                  "INSERT INTO photos (name) VALUES ('beach.jpg');");

  assert_open_fails (path, CC_STORE_ERROR_CORRUPT, NULL);
  g_assert_cmpint (raw_query_int (path, "SELECT count(*) FROM photos"), ==, 1);
  g_assert_cmpint (raw_query_int (path, "SELECT count(*) FROM sqlite_master"), ==, 1);

  cc_test_rm_rf (tmpdir);
}

static void
test_error_newer_schema (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "keep me");

  fixture_close (f);
  raw_exec (f->path, "PRAGMA user_version = 99");

  assert_open_fails (f->path, CC_STORE_ERROR_NEWER_SCHEMA, "newer version");

  /* Nothing was touched. */
  g_assert_cmpint (raw_query_int (f->path, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM projects"), ==, 1);
}

static void
test_error_locked (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcStore) second = NULL;
  sqlite3 *other = NULL;

  /* Another connection (as another program would) takes the write lock and keeps it. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &other, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN EXCLUSIVE; INSERT INTO projects (id, created_at,"
                                        " updated_at) VALUES ('other', 1, 1)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  /* Writes through the open store fail after its busy timeout… */
  op = begin_op_full (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "ls", &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_LOCKED);
  g_assert_null (op);
  g_assert_nonnull (strstr (error->message, "another program"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* …and so does opening it a second time. */
  second = open_store (f->file, 100, &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_LOCKED);
  g_assert_null (second);
  g_clear_error (&error);

  /* Once the other program lets go, everything works, and nothing was lost. */
  g_assert_cmpint (sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  op = begin_op (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "ls");
  g_assert_nonnull (op);
}

/* As root, permissions do not stop writes: become an ordinary user (nobody) for good. glibc
 * applies the change to every thread, so the store's worker threads are ordinary too. */
static void
drop_root (void)
{
  if (geteuid () != 0)
    return;
  g_assert_cmpint (setresgid (65534, 65534, 65534), ==, 0);
  g_assert_cmpint (setresuid (65534, 65534, 65534), ==, 0);
  g_assert_cmpint (geteuid (), ==, 65534);
}

static void
test_error_read_only (void)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  StoreFixture f = { 0 };

  if (!g_test_subprocess ())
    {
      /* In a child: it gives up privileges for good. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  drop_root ();
  tmpdir = cc_test_make_tmpdir ("cc-store-ro");
  dir = g_build_filename (tmpdir, "data", NULL);
  path = g_build_filename (dir, "code-canvas.db", NULL);

  /* A real database with a project, closed cleanly (no -wal or -shm left). */
  f.path = g_strdup (path);
  f.file = g_file_new_for_path (path);
  f.now = g_get_real_time ();
  fixture_open (&f);
  {
    g_autoptr(CcProject) p = create_project (&f, "read me");
  }
  fixture_close (&f);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  before = read_file_bytes (path);

  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
  g_assert_cmpint (access (path, W_OK), !=, 0);

  assert_open_fails (path, CC_STORE_ERROR_READ_ONLY, "writable");

  after = read_file_bytes (path);
  g_assert_true (g_bytes_equal (before, after));

  /* A folder that cannot be created. */
  {
    g_autofree char *nested = g_build_filename (dir, "sub", "code-canvas.db", NULL);

    assert_open_fails (nested, CC_STORE_ERROR_READ_ONLY, NULL);
  }

  g_chmod (dir, 0755);
  g_chmod (path, 0644);
  g_clear_object (&f.file);
  g_free (f.path);
  cc_test_rm_rf (tmpdir);
}

static void
test_error_disk_full (void)
{
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  StoreFixture f = { 0 };

  if (!g_test_subprocess ())
    {
      /* In a child, which gets its own mount namespace. */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* A real full disk: a 1 MiB tmpfs, mounted where only this process sees it. This runs
   * before the first GTask, so the store's worker threads are born in the new namespace. */
  if (unshare (CLONE_NEWNS) != 0)
    {
      g_test_skip ("A private mount namespace needs root (CAP_SYS_ADMIN)");
      return;
    }
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  tmpdir = cc_test_make_tmpdir ("cc-store-full");
  g_assert_cmpint (mount ("tmpfs", tmpdir, "tmpfs", 0, "size=1m"), ==, 0);

  f.path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  f.file = g_file_new_for_path (f.path);
  f.now = g_get_real_time ();
  fixture_open (&f);
  project = create_project (&f, "p");

  /* 2 MiB of output (under the 4 MiB cap) cannot fit. */
  while (big->len < 2 * 1024 * 1024)
    g_string_append (big, "a line of output that fills the disk\n");
  op = begin_op (&f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "yes");
  cc_operation_set_stdout (op, big->str);
  cc_operation_set_status (op, CC_OPERATION_STATUS_SUCCESS);
  g_assert_false (finish_op_full (&f, op, &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "Free some space"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Space again: the store goes on, and nothing written before was lost. */
  g_assert_cmpint (mount (NULL, tmpdir, NULL, MS_REMOUNT, "size=16m"), ==, 0);
  {
    g_autoptr(CcProject) again = get_project (&f, cc_project_get_id (project), &error);
    g_autoptr(CcOperation) stored = NULL;
    g_autofree char *check = NULL;

    g_assert_no_error (error);
    g_assert_cmpstr (cc_project_get_name (again), ==, "p");
    g_assert_true (finish_op_full (&f, op, &error));
    g_assert_no_error (error);
    stored = get_operation (&f, cc_operation_get_id (op), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cc_operation_get_stdout (stored), ==, big->str);
    fixture_close (&f);
    check = raw_query_text (f.path, "PRAGMA integrity_check");
    g_assert_cmpstr (check, ==, "ok");
  }

  g_clear_object (&f.file);
  g_free (f.path);
  umount2 (tmpdir, MNT_DETACH);
  g_rmdir (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/store/migrate/v1", test_migrate_v1);
  g_test_add_func ("/core/store/error/corrupt", test_error_corrupt);
  add_store_test ("error/corrupt-pages", test_error_corrupt_pages);
  g_test_add_func ("/core/store/error/foreign-database", test_error_foreign_database);
  add_store_test ("error/newer-schema", test_error_newer_schema);
  add_store_test ("error/locked", test_error_locked);
  g_test_add_func ("/core/store/error/read-only", test_error_read_only);
  g_test_add_func ("/core/store/error/disk-full", test_error_disk_full);

  return g_test_run ();
}
