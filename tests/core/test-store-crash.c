/* test-store-crash.c: acknowledged records survive a SIGKILL of the writer
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sqlite3.h>

#include "cc-store.h"
#include "cc-test-util.h"

typedef struct
{
  GPtrArray        *acked;      /* ids the child printed */
  GDataInputStream *lines;
  GSubprocess      *child;
  guint             kill_after;
  gboolean          killed;
  gboolean          eof;
} Round;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Round *round = user_data;
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &error);
  g_assert_no_error (error);
  if (line == NULL)
    {
      round->eof = TRUE;
      return;
    }

  g_assert_cmpuint (strlen (line), ==, 36);
  g_ptr_array_add (round->acked, line);

  /* Mid-stream: the child is between (or inside) transactions all the time. */
  if (!round->killed && round->acked->len >= round->kill_after)
    {
      g_subprocess_force_exit (round->child);
      round->killed = TRUE;
    }

  /* Lines already written before the kill are acknowledged too: read to the end. */
  g_data_input_stream_read_line_async (round->lines, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       round);
}

static gint64
raw_count (const char *path,
           const char *sql,
           const char *id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (id != NULL)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
raw_integrity_check (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO operations_fts (operations_fts)"
                                     " VALUES ('integrity-check')", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  return value;
}

static void
test_sigkill_mid_stream (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-store-crash");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  g_autofree char *child_path = g_test_build_filename (G_TEST_BUILT, "core", "store-crash-child",
                                                       NULL);
  g_autoptr(GPtrArray) all_acked = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* Three writers in a row on the same file, each killed: recovery after one crash is what
   * the next one starts from. */
  for (guint r = 0; r < 3; r++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GDataInputStream) lines = NULL;
      g_autoptr(GAsyncResult) waited = NULL;
      g_autofree char *check = NULL;
      Round round = { 0 };

      child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, child_path, path, NULL);
      g_assert_no_error (error);

      round.acked = g_ptr_array_new_with_free_func (g_free);
      round.child = child;
      round.kill_after = g_test_rand_int_range (40, 160);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      round.lines = lines;
      g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, read_line_cb, &round);

      CC_TEST_WAIT_FOR (round.eof, "the child's output to end");

      g_subprocess_wait_async (child, NULL, cc_test_store_result_cb, &waited);
      g_assert_true (g_subprocess_wait_finish (child, cc_test_wait_result (&waited), &error));
      g_assert_no_error (error);
      g_assert_true (round.killed);
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
      g_assert_cmpuint (round.acked->len, >=, round.kill_after);
      g_test_message ("round %u: %u records acknowledged before the kill landed", r,
                      round.acked->len);

      /* The file is sound after the crash, before anyone recovers it through the store… */
      check = raw_integrity_check (path);
      g_assert_cmpstr (check, ==, "ok");

      for (guint i = 0; i < round.acked->len; i++)
        g_ptr_array_add (all_acked, g_strdup (g_ptr_array_index (round.acked, i)));
      g_ptr_array_unref (round.acked);
    }

  /* …and every acknowledged record is there, finished, through the store itself. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(CcStore) store = NULL;

    cc_store_open_async (file, NULL, cc_test_store_result_cb, &result);
    store = cc_store_open_finish (cc_test_wait_result (&result), &error);
    g_assert_no_error (error);

    for (guint i = 0; i < all_acked->len; i++)
      {
        g_autoptr(GAsyncResult) got = NULL;
        g_autoptr(CcOperation) op = NULL;
        const char *id = g_ptr_array_index (all_acked, i);

        cc_store_get_operation_async (store, id, NULL, cc_test_store_result_cb, &got);
        op = cc_store_get_operation_finish (store, cc_test_wait_result (&got), &error);
        g_assert_no_error (error);
        g_assert_cmpstr (cc_operation_get_id (op), ==, id);
        g_assert_cmpint (cc_operation_get_status (op), ==, CC_OPERATION_STATUS_SUCCESS);
        g_assert_true (g_str_has_prefix (cc_operation_get_stdout (op), "output of record "));
      }

    g_clear_object (&result);
    cc_store_close_async (store, NULL, cc_test_store_result_cb, &result);
    g_assert_true (cc_store_close_finish (store, cc_test_wait_result (&result), &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (raw_count (path, "SELECT count(*) FROM projects", NULL), ==, 3);
  g_assert_cmpint (raw_count (path, "SELECT count(*) FROM operations WHERE status = 'success'",
                              NULL), >=, all_acked->len);

  cc_test_rm_rf (tmpdir);
}

/* A recorder killed mid-operation leaves its record pending; the next store to open finds
 * the recorder gone and marks the record interrupted. */
static void
test_sigkill_pending_record (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-store-pending");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  g_autofree char *child_path = g_test_build_filename (G_TEST_BUILT, "core", "store-crash-child",
                                                       NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcStore) store = NULL;
  g_autoptr(CcOperation) op = NULL;
  g_autofree char *id = NULL;
  gsize length;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, child_path, path,
                            "--pending", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb,
                                       &result);
  id = g_data_input_stream_read_line_finish (lines, cc_test_wait_result (&result), &length,
                                             &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_clear_object (&result);

  /* While the recorder runs, its record is its own: a store opened meanwhile keeps it. */
  cc_store_open_async (file, NULL, cc_test_store_result_cb, &result);
  store = cc_store_open_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_store_get_operation_async (store, id, NULL, cc_test_store_result_cb, &result);
  op = cc_store_get_operation_finish (store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_operation_get_status (op), ==, CC_OPERATION_STATUS_PENDING);
  g_clear_object (&result);
  g_clear_object (&op);
  g_clear_object (&store);

  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait_async (child, NULL, cc_test_store_result_cb, &result);
  g_assert_true (g_subprocess_wait_finish (child, cc_test_wait_result (&result), &error));
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_clear_object (&result);

  cc_store_open_async (file, NULL, cc_test_store_result_cb, &result);
  store = cc_store_open_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_store_get_operation_async (store, id, NULL, cc_test_store_result_cb, &result);
  op = cc_store_get_operation_finish (store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_operation_get_status (op), ==, CC_OPERATION_STATUS_ERROR);
  g_assert_cmpstr (cc_operation_get_error (op), ==,
                   "interrupted: the program recording it stopped");
  g_clear_object (&store);
  cc_test_rm_rf (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/store-crash/sigkill-mid-stream", test_sigkill_mid_stream);
  g_test_add_func ("/core/store-crash/sigkill-pending-record", test_sigkill_pending_record);

  return g_test_run ();
}
