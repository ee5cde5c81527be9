/* test-client.c: the contract API end to end, against a private engine and a real store
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-client.h"
#include "cc-file-snapshot.h"
#include "cc-sandbox-error.h"
#include "test-client-util.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

/* ---- projects ---------------------------------------------------------------------------- */

static void
test_project_crud (ClientFixture *f,
                   gconstpointer  data)
{
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) info = NULL;
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *projects = cc_client_get_projects (f->client);

  project = cc_test_create_project (f, "crud", CC_TEMPLATE_NODE);
  g_assert_cmpstr (cc_project_get_template (project), ==, "node");
  g_assert_cmpuint (cc_project_get_port (project), ==, 3000);
  g_assert_cmpstr (cc_project_get_start_command (project), ==, "PORT=$PORT node server.js");
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 1);
  g_assert_true (cc_client_find_project (f->client, "crud") != NULL);
  g_assert_true (cc_client_find_project (f->client, cc_project_get_id (project)) != NULL);

  cc_client_get_project_info_async (f->client, cc_project_get_id (project), NULL, cc_test_store_result_cb, &result);
  info = cc_client_get_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_project_get_name (info), ==, "crud");
  g_clear_object (&result);

  /* Partial update: only the name changes, the port stays although the copy says otherwise. */
  changes = cc_project_copy (info);
  cc_project_set_name (changes, "renamed");
  cc_project_set_port (changes, 9999);
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_NAME, NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_project_get_name (updated), ==, "renamed");
  g_assert_cmpuint (cc_project_get_port (updated), ==, 3000);
  g_assert_cmpint (cc_project_get_updated_at (updated), >=, cc_project_get_updated_at (info));
  g_assert_true (cc_client_find_project (f->client, "renamed") != NULL);
  g_assert_null (cc_client_find_project (f->client, "crud"));
  g_clear_object (&result);

  /* A bad port is refused before the store. */
  cc_project_set_port (changes, 0);
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_PORT, NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_client_delete_project_async (f->client, cc_project_get_id (project), NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_delete_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 0);
  g_clear_object (&result);

  cc_client_get_project_info_async (f->client, cc_project_get_id (project), NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_client_get_project_info_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
}

static void
test_project_bad_template (ClientFixture *f,
                           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_create_project_async (f->client, "x", CC_CONNECTION_LOCAL, NULL, "cobol", NULL, 0, NULL,
                                  cc_test_store_result_cb, &result);
  g_assert_null (cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_list_model_get_n_items (cc_client_get_projects (f->client)), ==, 0);
}

/* ---- execute ----------------------------------------------------------------------------- */

typedef struct
{
  GString *out;
  GString *err;
  guint    chunks;
  gboolean finished;
  guint    started_pid;
} Seen;

static void
seen_stdout (CcExecution *execution, GBytes *chunk, Seen *seen)
{
  g_assert_false (seen->finished);
  g_string_append_len (seen->out, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  seen->chunks++;
}

static void
seen_stderr (CcExecution *execution, GBytes *chunk, Seen *seen)
{
  g_string_append_len (seen->err, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
}

static void
seen_finished (CcExecution *execution, Seen *seen)
{
  seen->finished = TRUE;
}

static void
seen_started (CcExecution *execution, guint pid, Seen *seen)
{
  seen->started_pid = pid;
}

static void
test_execute_basic (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "exec", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  g_autoptr(GBytes) out = NULL;
  Seen seen = { g_string_new (NULL), g_string_new (NULL), 0, FALSE, 0 };

  execution = cc_client_execute (f->client, cc_project_get_id (project),
                                 "echo out; echo err >&2; exit 3", CC_EXECUTE_FLAGS_DEFAULT);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_PENDING);
  g_signal_connect (execution, "stdout", G_CALLBACK (seen_stdout), &seen);
  g_signal_connect (execution, "stderr", G_CALLBACK (seen_stderr), &seen);
  g_signal_connect (execution, "finished", G_CALLBACK (seen_finished), &seen);
  g_signal_connect (execution, "started", G_CALLBACK (seen_started), &seen);
  cc_test_wait_execution (execution);

  g_assert_true (seen.finished);
  g_assert_cmpuint (seen.started_pid, >, 0);
  g_assert_cmpstr (seen.out->str, ==, "out\n");
  g_assert_cmpstr (seen.err->str, ==, "err\n");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 3);
  g_assert_false (cc_execution_get_cached (execution));
  g_assert_nonnull (cc_execution_get_id (execution));
  out = cc_execution_dup_stdout (execution);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "out\n", 4);

  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 0);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpstr (cc_operation_get_id (record), ==, cc_execution_get_id (execution));
  /* A non-zero exit is a failed operation, with the exit code kept. */
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
  g_assert_nonnull (strstr (cc_operation_get_error (record), "3"));
  g_assert_cmpint (cc_operation_get_exit_code (record), ==, 3);
  g_assert_cmpstr (cc_operation_get_stdout (record), ==, "out\n");
  g_assert_cmpstr (cc_operation_get_stderr (record), ==, "err\n");
  g_assert_cmpstr (cc_operation_get_input (record), ==, "echo out; echo err >&2; exit 3");

  g_string_free (seen.out, TRUE);
  g_string_free (seen.err, TRUE);
}

static gint64
fake_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
test_execute_cache (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "cache", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(CcExecution) first = NULL;
  g_autoptr(CcExecution) second = NULL;
  g_autoptr(CcExecution) uncached = NULL;
  g_autoptr(CcExecution) failing = NULL;
  g_autoptr(CcExecution) failing2 = NULL;
  g_autoptr(CcExecution) expired = NULL;
  g_autoptr(CcExecution) cleared = NULL;
  g_autoptr(GBytes) out1 = NULL;
  g_autoptr(GBytes) out2 = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) newest = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  cc_store_set_clock (cc_client_get_store (f->client), fake_clock, &now);

  first = cc_test_run (f, id, "date +%s%N", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (first));
  cc_test_flush (f);
  second = cc_test_run (f, id, "date +%s%N", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_true (cc_execution_get_cached (second));
  g_assert_cmpint (cc_execution_get_pid (second), ==, 0);
  out1 = cc_execution_dup_stdout (first);
  out2 = cc_execution_dup_stdout (second);
  g_assert_true (g_bytes_equal (out1, out2));
  g_assert_cmpint (cc_execution_get_exit_code (second), ==, 0);

  /* The hit is recorded too, with the cached flag. */
  cc_test_flush (f);
  history = cc_test_history (f, id, 1);
  newest = g_list_model_get_item (history, 0);
  g_assert_true (cc_operation_get_cached (newest));
  g_assert_cmpstr (cc_operation_get_id (newest), ==, cc_execution_get_id (second));

  /* Without the flag the sandbox runs it. */
  uncached = cc_test_run (f, id, "date +%s%N", CC_EXECUTE_FLAGS_NONE);
  g_assert_false (cc_execution_get_cached (uncached));

  /* Failures are never cached. */
  failing = cc_test_run (f, id, "echo nope; exit 1", CC_EXECUTE_FLAGS_USE_CACHE);
  cc_test_flush (f);
  failing2 = cc_test_run (f, id, "echo nope; exit 1", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (failing2));
  g_assert_cmpint (cc_execution_get_exit_code (failing2), ==, 1);

  /* Past the TTL the entry is not served. */
  now += (gint64) (CC_STORE_DEFAULT_CACHE_TTL + 60) * G_USEC_PER_SEC;
  expired = cc_test_run (f, id, "date +%s%N", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (expired));
  cc_test_flush (f);

  /* Clearing the command's cache makes the next run real again. */
  cc_client_clear_cache_async (f->client, id, "date +%s%N", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_clear_cache_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  cleared = cc_test_run (f, id, "date +%s%N", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (cleared));
  cc_test_flush (f);
  cc_store_set_clock (cc_client_get_store (f->client), NULL, NULL);
}

static void
test_history_order_limit (ClientFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "hist", NULL);
  g_autoptr(GListModel) history = NULL;
  g_autoptr(GListModel) all = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *command = g_strdup_printf ("echo %u", i);
      g_autoptr(CcExecution) execution = cc_test_run (f, cc_project_get_id (project), command,
                                                      CC_EXECUTE_FLAGS_NONE);
    }
  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 3);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (history, i);
      g_autofree char *expected = g_strdup_printf ("echo %u", 4 - i);

      g_assert_cmpstr (cc_operation_get_input (op), ==, expected);
    }
  all = cc_test_history (f, cc_project_get_id (project), 0);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 5);
}

/* Checks that no process of the project's sandbox matches @pattern (pgrep -f). */
static void
assert_process_gone (ClientFixture *f,
                     const char    *project_id,
                     const char    *pattern)
{
  g_autofree char *command = g_strdup_printf ("pgrep -f '%s' || echo gone", pattern);
  g_autoptr(CcExecution) check = cc_test_run (f, project_id, command, CC_EXECUTE_FLAGS_NONE);
  g_autoptr(GBytes) out = cc_execution_dup_stdout (check);

  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "gone\n", 5);
}

static void
test_execute_cancel (ClientFixture *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "cancel", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;

  execution = cc_client_execute (f->client, cc_project_get_id (project), "sleep 4242", CC_EXECUTE_FLAGS_NONE);
  CC_TEST_WAIT_FOR (cc_execution_get_state (execution) != CC_EXECUTION_STATE_PENDING, "the command to start");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_RUNNING);

  /* Cancelling a wait stops only the wait. */
  {
    g_autoptr(GCancellable) wait_cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) wait_result = NULL;
    g_autoptr(GError) wait_error = NULL;

    cc_execution_wait_async (execution, wait_cancellable, cc_test_store_result_cb, &wait_result);
    g_cancellable_cancel (wait_cancellable);
    g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&wait_result), &wait_error));
    g_assert_error (wait_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_RUNNING);
  }
  cc_execution_cancel (execution);
  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_CANCELLED);

  /* The remote process is gone, not just our stream. */
  assert_process_gone (f, cc_project_get_id (project), "sleep [4]242");

  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 0);
  record = g_list_model_get_item (history, 1);
  g_assert_cmpstr (cc_operation_get_input (record), ==, "sleep 4242");
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
  g_assert_nonnull (cc_operation_get_error (record));
}

static void
test_execute_reattach (ClientFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "reattach", NULL);
  g_autoptr(CcExecution) first = NULL;
  g_autoptr(CcExecution) again = NULL;
  Seen seen = { g_string_new (NULL), g_string_new (NULL), 0, FALSE, 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  first = cc_client_execute (f->client, cc_project_get_id (project),
                             "for i in $(seq 1 15); do echo tick; sleep 0.1; done; echo done",
                             CC_EXECUTE_FLAGS_NONE);
  CC_TEST_WAIT_FOR (cc_execution_get_state (first) != CC_EXECUTION_STATE_PENDING, "the command to start");
  g_assert_cmpuint (cc_execution_get_pid (first), >, 0);

  again = cc_client_reattach (f->client, cc_project_get_id (project), cc_execution_get_pid (first),
                              cc_execution_get_id (first));
  g_signal_connect (again, "stdout", G_CALLBACK (seen_stdout), &seen);
  cc_execution_wait_async (again, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_execution_wait_finish (again, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cc_execution_get_exit_code (again), ==, 0);
  g_assert_true (g_str_has_suffix (seen.out->str, "done\n"));
  g_assert_cmpuint (cc_execution_get_pid (again), ==, cc_execution_get_pid (first));
  cc_test_wait_execution (first);
  cc_test_flush (f);
  g_string_free (seen.out, TRUE);
  g_string_free (seen.err, TRUE);
}

/* ---- files ------------------------------------------------------------------------------- */

static void
test_files_roundtrip (ClientFixture *f,
                      gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "files", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  guint8 bytes[512];
  gboolean found = FALSE;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i * 7);
  content = g_bytes_new (bytes, sizeof bytes);
  cc_client_write_file_async (f->client, id, "dir/bin.dat", content, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_read_file_async (f->client, id, "dir/bin.dat", NULL, cc_test_store_result_cb, &result);
  back = cc_client_read_file_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (content, back));
  g_clear_object (&result);

  cc_client_make_dir_async (f->client, id, "made/deep", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_make_dir_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_client_make_dir_async (f->client, id, "made/deep", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_make_dir_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_move_async (f->client, id, "dir/bin.dat", "made/moved.dat", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_move_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_list_dir_async (f->client, id, "made", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_client_list_dir_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (g_list_model_get_n_items (entries), ==, 2);
  {
    g_autoptr(GFileInfo) first = g_list_model_get_item (entries, 0);
    g_autoptr(GFileInfo) second = g_list_model_get_item (entries, 1);

    /* Directories first. */
    g_assert_cmpstr (g_file_info_get_name (first), ==, "deep");
    g_assert_cmpint (g_file_info_get_file_type (first), ==, G_FILE_TYPE_DIRECTORY);
    g_assert_cmpstr (g_file_info_get_name (second), ==, "moved.dat");
    g_assert_cmpint (g_file_info_get_size (second), ==, sizeof bytes);
    g_assert_true (g_str_has_suffix (g_file_info_get_attribute_string (second, "cc::path"), "/made/moved.dat"));
    found = TRUE;
  }
  g_assert_true (found);

  cc_client_remove_async (f->client, id, "made", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_remove_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A missing file is NOT_FOUND, and its record says error. */
  cc_client_read_file_async (f->client, id, "made/moved.dat", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_client_read_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  cc_test_flush (f);
  history = cc_test_history (f, id, 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpint (cc_operation_get_operation_type (record), ==, CC_OPERATION_TYPE_FILE_READ);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
}

/* ---- setup, dev server ------------------------------------------------------------------- */

static void
setup_progress (CcSetupPhase phase, guint64 done, guint64 total, GBytes *output, gpointer user_data)
{
  guint64 *max_done = user_data;

  if (phase == CC_SETUP_PHASE_UPLOAD)
    {
      g_assert_cmpuint (done, <=, total);
      *max_done = MAX (*max_done, done);
    }
}

static void
test_setup_many_files (ClientFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "many", NULL);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autoptr(CcExecution) count = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 max_done = 0;
  guint64 total = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("src/part%03u/file%u.txt", i % 17, i);
      char *text = g_strdup_printf ("file %u\n", i);

      total += strlen (text);
      g_ptr_array_add (files, cc_project_file_new_take (path, text, strlen (text)));
    }
  g_ptr_array_add (files, cc_project_file_new_take ("requirements.txt", g_strdup (""), 0));
  /* No pip here: the install step of this project is a custom command. */
  g_ptr_array_remove_index (files, files->len - 1);

  cc_client_setup_project_async (f->client, cc_project_get_id (project), files, setup_progress, &max_done,
                                 NULL, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_setup_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (max_done, >, total);   /* multipart framing included */

  count = cc_test_run (f, cc_project_get_id (project), "find src -type f | wc -l", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (count);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "300\n", 4);
  cc_test_flush (f);
}

static void
cancel_on_install (CcSetupPhase phase, guint64 done, guint64 total, GBytes *output, gpointer user_data)
{
  /* The install step has started: its first line is the command. */
  if (phase == CC_SETUP_PHASE_INSTALL)
    g_cancellable_cancel (user_data);
}

static void
test_setup_cancel (ClientFixture *f,
                   gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "slow", NULL);
  g_autoptr(CcProject) changes = cc_project_copy (project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;

  cc_project_set_setup_command (changes, "sleep 4343");
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_SETUP_COMMAND, NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  g_ptr_array_add (files, cc_project_file_new_take ("a.txt", g_strdup ("a"), 1));
  cc_client_setup_project_async (f->client, cc_project_get_id (project), files, cancel_on_install,
                                 cancellable, NULL, cancellable, cc_test_store_result_cb, &result);
  g_assert_false (cc_client_setup_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The install process was killed, and the record says the setup did not finish. */
  assert_process_gone (f, cc_project_get_id (project), "sleep [4]343");
  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 2);
  record = g_list_model_get_item (history, 1);
  g_assert_cmpint (cc_operation_get_operation_type (record), ==, CC_OPERATION_TYPE_SETUP);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
}

/* Sets the project up, starts its dev server, fetches the preview page over
 * real HTTP and checks it contains @expected, then stops the server. */
static void
check_dev_server_serves (ClientFixture *f,
                         const char    *name,
                         const char    *template_id,
                         const char    *expected)
{
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, name, template_id, cc_test_free_port ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *page = NULL;
  guint status = 0;

  cc_client_setup_project_async (f->client, cc_project_get_id (project), NULL, NULL, NULL, NULL, NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_setup_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL, cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  g_assert_nonnull (cc_client_get_dev_server (f->client, cc_project_get_id (project)));
  g_clear_object (&result);

  body = cc_test_http_get (url, &status);
  g_assert_cmpuint (status, ==, 200);
  page = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_assert_nonnull (strstr (page, expected));

  cc_client_stop_dev_server_async (f->client, cc_project_get_id (project), NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_stop_dev_server_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_null (cc_client_get_dev_server (f->client, cc_project_get_id (project)));
  cc_test_flush (f);
}

static void
test_dev_server_node (ClientFixture *f,
                      gconstpointer  data)
{
  check_dev_server_serves (f, "web", CC_TEMPLATE_NODE, "Hello from Code Canvas");
}

static void
test_dev_server_python (ClientFixture *f,
                        gconstpointer  data)
{
  check_dev_server_serves (f, "py", CC_TEMPLATE_PYTHON, "Served by python3 -m http.server");
}

static void
test_dev_server_exits (ClientFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, "broken", CC_TEMPLATE_PYTHON, cc_test_free_port ());
  g_autoptr(CcProject) changes = cc_project_copy (project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  cc_project_set_start_command (changes, "echo 'cannot start: boom' >&2; exit 4");
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_START_COMMAND, NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL, cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_null (url);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROCESS_EXITED);
  g_assert_nonnull (strstr (error->message, "boom"));
  g_assert_nonnull (strstr (error->message, "4"));
  cc_test_flush (f);
}

static void
test_dev_server_port_not_open (ClientFixture *f,
                               gconstpointer  data)
{
  guint port = cc_test_free_port ();
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, "silent", CC_TEMPLATE_PYTHON, port);
  g_autoptr(CcProject) changes = cc_project_copy (project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  /* A server that never listens. */
  cc_project_set_start_command (changes, "echo warming up; sleep 600");
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_START_COMMAND, NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  g_object_set (f->client, "dev-server-wait", 2, NULL);
  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL, cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_null (url);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PORT_NOT_OPEN);
  g_assert_nonnull (strstr (error->message, port_text));
  g_assert_nonnull (strstr (error->message, "warming up"));
  g_clear_object (&result);

  cc_client_stop_dev_server_async (f->client, cc_project_get_id (project), NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_stop_dev_server_finish (f->client, cc_test_wait_result (&result), NULL));
  cc_test_flush (f);
}

/* ---- sandbox lifecycle ------------------------------------------------------------------- */

static void
on_recreated (CcClient *client, const char *project_id, const char *sandbox_id, char **out)
{
  g_free (*out);
  *out = g_strdup (sandbox_id);
}

static void
test_sandbox_recreated (ClientFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "phoenix", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(GBytes) content = g_bytes_new_static ("kept\n", 5);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) after = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(CcProject) info = NULL;
  g_autofree char *recreated = NULL;
  g_autofree char *old_sandbox = NULL;

  g_signal_connect (f->client, "sandbox-recreated", G_CALLBACK (on_recreated), &recreated);
  cc_client_write_file_async (f->client, id, "notes/keep.txt", content, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_RUNNING);
  g_assert_null (recreated);

  info = cc_test_get_project (f, id);
  old_sandbox = g_strdup (cc_project_get_sandbox_id (info));
  g_clear_object (&info);

  /* Killed behind the client's back (as by expiry on a service without auto-pause). */
  cc_test_kill_sandbox_directly (f, old_sandbox);

  after = cc_test_run (f, id, "cat notes/keep.txt", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (after);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "kept\n", 5);
  g_assert_nonnull (recreated);
  info = cc_test_get_project (f, id);
  g_assert_cmpstr (cc_project_get_sandbox_id (info), ==, recreated);
  g_assert_cmpstr (recreated, !=, old_sandbox);
  g_signal_handlers_disconnect_by_data (f->client, &recreated);
  cc_test_flush (f);
}

static void
test_sandbox_lifecycle (ClientFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "life", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(CcExecution) one = NULL;
  g_autoptr(CcExecution) two = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end;

  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_NONE);
  one = cc_test_run (f, id, "echo one > one.txt", CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_RUNNING);
  end = cc_client_get_sandbox_end_time (f->client, id);
  g_assert_cmpint (end, >, g_get_real_time ());

  cc_client_extend_sandbox_async (f->client, id, 1200, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_extend_sandbox_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cc_client_get_sandbox_end_time (f->client, id), >, end);
  g_clear_object (&result);

  cc_client_pause_sandbox_async (f->client, id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_pause_sandbox_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_PAUSED);
  g_clear_object (&result);

  /* The next use resumes it, files intact. */
  two = cc_test_run (f, id, "cat one.txt", CC_EXECUTE_FLAGS_NONE);
  {
    g_autoptr(GBytes) out = cc_execution_dup_stdout (two);
    g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "one\n", 4);
  }
  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_RUNNING);

  cc_client_kill_sandbox_async (f->client, id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_kill_sandbox_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cc_client_get_sandbox_status (f->client, id), ==, CC_SANDBOX_STATUS_EXPIRED);
  cc_test_flush (f);
}

static void
test_keep_alive (ClientFixture *f,
                 gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "alive", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GBytes) out = NULL;

  /* The sandbox would time out (and pause, stopping the command) after 10 s; the command needs
   * 13 s. The client extends the sandbox while the command runs. */
  g_object_set (f->client, "sandbox-timeout", 10, NULL);
  execution = cc_test_run (f, cc_project_get_id (project), "sleep 13; echo alive", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (execution);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "alive\n", 6);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  g_assert_cmpint (cc_client_get_sandbox_end_time (f->client, cc_project_get_id (project)), >,
                   g_get_real_time ());
  cc_test_flush (f);
}

static void
test_engine_restart (ClientFixture *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "restart", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(CcExecution) before = NULL;
  g_autoptr(CcExecution) after = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("still here\n", 11);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  before = cc_test_run (f, id, "echo before > mark.txt", CC_EXECUTE_FLAGS_NONE);
  cc_client_write_file_async (f->client, id, "w.txt", content, NULL, cc_test_store_result_cb, &result);
  cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* The engine restarts on another port with another key; sandboxes survive it. */
  cc_test_engine_restart (f->engine);

  after = cc_test_run (f, id, "cat mark.txt", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (after);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "before\n", 7);

  cc_test_engine_restart (f->engine);
  cc_client_read_file_async (f->client, id, "w.txt", NULL, cc_test_store_result_cb, &result);
  back = cc_client_read_file_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
  cc_test_flush (f);
}

/* ---- engine ------------------------------------------------------------------------------ */

static void
test_engine_status (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineStatus) status = NULL;
  g_autofree char *env = NULL;

  cc_client_get_engine_status_async (f->client, FALSE, NULL, cc_test_store_result_cb, &result);
  status = cc_client_get_engine_status_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (status->running);
  g_assert_cmpstr (status->url, ==, cc_test_engine_get_url (f->engine));
  g_assert_cmpint (status->isolated, ==, g_strcmp0 (cc_test_engine_get_isolation (f->engine), "none") != 0);
  g_clear_object (&result);

  cc_client_get_engine_env_async (f->client, NULL, cc_test_store_result_cb, &result);
  env = cc_client_get_engine_env_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (env, cc_test_engine_get_url (f->engine)));
}

static void
test_execute_deadline (ClientFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "deadline", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;

  g_object_set (f->client, "command-timeout", 1, NULL);
  execution = cc_client_execute (f->client, cc_project_get_id (project), "sleep 30", CC_EXECUTE_FLAGS_NONE);
  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DEADLINE);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FAILED);
  g_object_set (f->client, "command-timeout", 0, NULL);
  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
}

static void
test_execute_stdin (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "stdin", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("hello stdin\n", 12);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  execution = cc_client_execute (f->client, cc_project_get_id (project), "cat", CC_EXECUTE_FLAGS_STDIN);
  CC_TEST_WAIT_FOR (cc_execution_get_state (execution) != CC_EXECUTION_STATE_PENDING, "the command to start");
  cc_execution_send_stdin_async (execution, input, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_execution_send_stdin_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_execution_close_stdin_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_execution_close_stdin_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  cc_test_wait_execution (execution);
  out = cc_execution_dup_stdout (execution);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "hello stdin\n", 12);
  g_assert_false (cc_execution_get_cached (execution));
  cc_test_flush (f);
}

static void
test_shell (ClientFixture *f,
            gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "shell", NULL);
  g_autoptr(CcExecution) shell = NULL;
  g_autoptr(GBytes) input = g_bytes_new_static ("echo TERM=$TERM; exit 7\n", 24);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  cc_client_open_shell_async (f->client, cc_project_get_id (project), 100, 30, NULL, cc_test_store_result_cb, &result);
  shell = cc_client_open_shell_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (cc_execution_get_pty (shell));
  g_assert_cmpint (cc_execution_get_state (shell), ==, CC_EXECUTION_STATE_RUNNING);
  g_signal_connect (shell, "stdout", G_CALLBACK (cc_test_append_chunk_cb), text);
  g_clear_object (&result);

  cc_execution_resize_async (shell, 120, 40, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_execution_resize_finish (shell, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_execution_send_stdin_async (shell, input, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_execution_send_stdin_finish (shell, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  cc_test_wait_execution (shell);
  g_assert_cmpint (cc_execution_get_state (shell), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_cmpint (cc_execution_get_exit_code (shell), ==, 7);
  g_assert_nonnull (strstr (text->str, "TERM=xterm-256color"));
}

typedef struct
{
  char *path;
  GFileMonitorEvent event;
} WatchSeen;

static void
on_file_changed (CcClient *client, const char *project_id, const char *path, GFileMonitorEvent event,
                 WatchSeen *seen)
{
  if (seen->path == NULL && g_str_has_suffix (path, "watched.txt"))
    {
      seen->path = g_strdup (path);
      seen->event = event;
    }
}

static void
test_watch_dir (ClientFixture *f,
                gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "watch", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CcExecution) first = NULL;
  g_autoptr(CcExecution) touch = NULL;
  WatchSeen seen = { NULL, 0 };

  first = cc_test_run (f, cc_project_get_id (project), "mkdir -p w", CC_EXECUTE_FLAGS_NONE);
  g_signal_connect (f->client, "file-changed", G_CALLBACK (on_file_changed), &seen);
  cc_client_watch_dir (f->client, cc_project_get_id (project), "w", TRUE, cancellable);
  /* Writing again until the watch (set up asynchronously) reports it. */
  while (seen.path == NULL)
    {
      g_clear_object (&touch);
      touch = cc_test_run (f, cc_project_get_id (project), "echo x >> w/watched.txt", CC_EXECUTE_FLAGS_NONE);
    }
  g_assert_true (seen.event == G_FILE_MONITOR_EVENT_CREATED || seen.event == G_FILE_MONITOR_EVENT_CHANGED);
  g_cancellable_cancel (cancellable);
  g_signal_handlers_disconnect_by_data (f->client, &seen);
  g_free (seen.path);
  cc_test_flush (f);
}

static void
test_upload_download (ClientFixture *f,
                      gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "transfer", NULL);
  g_autofree char *local = g_build_filename (f->tmpdir, "local.bin", NULL);
  g_autofree char *back = g_build_filename (f->tmpdir, "back.bin", NULL);
  g_autoptr(GFile) local_file = g_file_new_for_path (local);
  g_autoptr(GFile) back_file = g_file_new_for_path (back);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_in = g_malloc (300000);
  g_autofree char *data_out = NULL;
  gsize length = 0;
  GFile *files[1];

  for (gsize i = 0; i < 300000; i++)
    data_in[i] = (char) (i % 251);
  g_assert_true (g_file_set_contents (local, data_in, 300000, NULL));
  files[0] = local_file;
  cc_client_upload_async (f->client, cc_project_get_id (project), files, 1, "up", NULL, NULL, NULL,
                          cc_test_store_result_cb, &result);
  g_assert_true (cc_client_upload_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_download_async (f->client, cc_project_get_id (project), "up/local.bin", back_file, NULL,
                            cc_test_store_result_cb, &result);
  g_assert_true (cc_client_download_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (back, &data_out, &length, NULL));
  g_assert_cmpmem (data_in, 300000, data_out, length);
  cc_test_flush (f);
}

static void
test_templates (void)
{
  guint n = 0;
  const CcTemplate * const *all = cc_template_get_all (&n);
  const CcTemplate *node = cc_template_lookup ("node");
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) guess = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autofree char *expanded = NULL;
  g_autofree char *dir = cc_test_make_tmpdir ("cc-template");
  g_autofree char *git = g_build_filename (dir, ".git", NULL);
  g_autofree char *src = g_build_filename (dir, "src", NULL);
  g_autofree char *big = g_build_filename (dir, "big.bin", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *junk = NULL;
  const CcProjectFile *server = NULL;

  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpstr (cc_template_get_id (all[0]), ==, "blank");
  g_assert_null (all[n]);
  g_assert_nonnull (node);
  g_assert_null (cc_template_lookup ("cobol"));
  g_assert_cmpstr (cc_template_get_start_command (cc_template_lookup ("python")), ==,
                   "python3 -m http.server $PORT --bind 0.0.0.0");
  g_assert_cmpstr (cc_template_get_setup_command (cc_template_lookup ("vite")), ==, "npm install");

  files = cc_template_dup_files (node, 4567);
  for (guint i = 0; i < files->len; i++)
    if (g_str_equal (((CcProjectFile *) g_ptr_array_index (files, i))->path, "server.js"))
      server = g_ptr_array_index (files, i);
  g_assert_nonnull (server);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (server->content, NULL), g_bytes_get_size (server->content), "4567"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (server->content, NULL), g_bytes_get_size (server->content), "'0.0.0.0'"));

  expanded = cc_template_expand_command ("npx vite --port $PORT", 5174);
  g_assert_cmpstr (expanded, ==, "npx vite --port 5174");

  g_assert_null (cc_template_guess_setup_command (guess));
  g_ptr_array_add (guess, cc_project_file_new_take ("requirements.txt", g_strdup (""), 0));
  g_assert_cmpstr (cc_template_guess_setup_command (guess), ==, "pip install -r requirements.txt");
  g_ptr_array_add (guess, cc_project_file_new_take ("./package.json", g_strdup ("{}"), 2));
  g_assert_cmpstr (cc_template_guess_setup_command (guess), ==, "npm install");

  /* A folder: .git is left out, nested files keep their relative paths. */
  g_assert_cmpint (g_mkdir_with_parents (git, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (src, 0700), ==, 0);
  {
    g_autofree char *a = g_build_filename (src, "a.c", NULL);
    g_autofree char *head = g_build_filename (git, "HEAD", NULL);

    g_assert_true (g_file_set_contents (a, "int a;\n", -1, NULL));
    g_assert_true (g_file_set_contents (head, "ref\n", -1, NULL));
  }
  read = cc_template_read_folder (folder, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, 1);
  g_assert_cmpstr (((CcProjectFile *) g_ptr_array_index (read, 0))->path, ==, "src/a.c");
  g_clear_pointer (&read, g_ptr_array_unref);

  /* Over the per-file limit: refused with a message that names it. */
  junk = g_malloc0 (CC_FOLDER_MAX_FILE_SIZE + 1);
  g_assert_true (g_file_set_contents (big, junk, CC_FOLDER_MAX_FILE_SIZE + 1, NULL));
  read = cc_template_read_folder (folder, NULL, &error);
  g_assert_null (read);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "big.bin"));
  cc_test_rm_rf (dir);
}

static const CcProjectFile *
find_file (GPtrArray  *files,
           const char *path)
{
  for (guint i = 0; i < files->len; i++)
    {
      const CcProjectFile *file = g_ptr_array_index (files, i);

      if (g_str_equal (file->path, path))
        return file;
    }
  return NULL;
}

/* The snapshot mirrors the sandbox home: what it saved comes back as the project's files, paths
 * outside the home are not kept, and removing it removes that directory only. */
static void
test_file_snapshot (void)
{
  g_autofree char *tmp = cc_test_make_tmpdir ("cc-snapshot-XXXXXX");
  g_autofree char *path = g_build_filename (tmp, "projects", "p1", "files", NULL);
  g_autofree char *project_dir = g_build_filename (tmp, "projects", "p1", NULL);
  g_autoptr(GFile) directory = g_file_new_for_path (path);
  g_autoptr(CcFileSnapshot) snapshot = cc_file_snapshot_new (directory);
  g_autoptr(CcProject) project = cc_project_new ("snap");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const CcProjectFile *file;

  g_assert_true (cc_file_snapshot_get_directory (snapshot) == directory);
  g_ptr_array_add (files, cc_project_file_new_take ("/home/user/a.txt", g_strdup ("A"), 1));
  g_ptr_array_add (files, cc_project_file_new_take ("src/b.txt", g_strdup ("BB"), 2));
  g_ptr_array_add (files, cc_project_file_new_take ("/etc/elsewhere", g_strdup ("x"), 1));
  cc_file_snapshot_save_async (snapshot, files, cc_test_store_result_cb, &result);
  g_assert_true (cc_file_snapshot_save_finish (snapshot, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_file_snapshot_dup_project_files_async (snapshot, project, NULL, cc_test_store_result_cb, &result);
  back = cc_file_snapshot_dup_project_files_finish (snapshot, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (back->len, ==, 2);
  file = find_file (back, "a.txt");
  g_assert_nonnull (file);
  g_assert_cmpmem (g_bytes_get_data (file->content, NULL), g_bytes_get_size (file->content), "A", 1);
  file = find_file (back, "src/b.txt");
  g_assert_nonnull (file);
  g_assert_cmpmem (g_bytes_get_data (file->content, NULL), g_bytes_get_size (file->content), "BB", 2);

  cc_file_snapshot_remove_async (snapshot, cc_test_store_result_cb, &result);
  g_assert_true (cc_file_snapshot_remove_finish (snapshot, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (project_dir, G_FILE_TEST_IS_DIR));
  cc_test_rm_rf (tmp);
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/core/client/" path, ClientFixture, NULL, cc_test_client_setup, func, cc_test_client_teardown)

  g_test_add_func ("/core/client/templates", test_templates);
  g_test_add_func ("/core/client/file-snapshot", test_file_snapshot);
  ADD ("project/crud", test_project_crud);
  ADD ("project/bad-template", test_project_bad_template);
  ADD ("execute/basic", test_execute_basic);
  ADD ("execute/cache", test_execute_cache);
  ADD ("execute/cancel", test_execute_cancel);
  ADD ("execute/reattach", test_execute_reattach);
  ADD ("history/order-limit", test_history_order_limit);
  ADD ("files/roundtrip", test_files_roundtrip);
  ADD ("setup/many-files", test_setup_many_files);
  ADD ("setup/cancel", test_setup_cancel);
  ADD ("dev-server/node", test_dev_server_node);
  ADD ("dev-server/python", test_dev_server_python);
  ADD ("dev-server/exits", test_dev_server_exits);
  ADD ("dev-server/port-not-open", test_dev_server_port_not_open);
  ADD ("sandbox/recreated", test_sandbox_recreated);
  ADD ("sandbox/lifecycle", test_sandbox_lifecycle);
  ADD ("sandbox/keep-alive", test_keep_alive);
  ADD ("engine/status", test_engine_status);
  ADD ("engine/restart", test_engine_restart);
  ADD ("execute/deadline", test_execute_deadline);
  ADD ("execute/stdin", test_execute_stdin);
  ADD ("shell/pty", test_shell);
  ADD ("files/watch", test_watch_dir);
  ADD ("files/upload-download", test_upload_download);

  return g_test_run ();
}
