/* test-client-cache.c: a cached result is never served once the files changed; input arrives in
 * order; commands run with a terminal's environment
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-connection.h"
#include "cc-control-plane.h"
#include "cc-envd.h"
#include "cc-remote-process.h"
#include "test-client-util.h"

static char *
stdout_text (CcExecution *execution)
{
  g_autoptr(GBytes) out = cc_execution_dup_stdout (execution);

  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

/* ls, touch, ls: the second ls must see the new file, not the first one's answer. */
static void
test_cache_ls_touch_ls (ClientFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "stale", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(CcExecution) mkdir = NULL;
  g_autoptr(CcExecution) ls1 = NULL;
  g_autoptr(CcExecution) ls2 = NULL;
  g_autoptr(CcExecution) touch = NULL;
  g_autoptr(CcExecution) ls3 = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) newest = NULL;

  mkdir = cc_test_run (f, id, "mkdir -p d && touch d/old", CC_EXECUTE_FLAGS_NONE);
  ls1 = cc_test_run (f, id, "ls d", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (ls1));
  cc_test_flush (f);

  /* Nothing changed in between: the cache answers, and says how old its answer is. */
  ls2 = cc_test_run (f, id, "ls d", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_true (cc_execution_get_cached (ls2));
  g_assert_cmpint (cc_execution_get_cached_at (ls2), >, 0);
  g_assert_cmpint (cc_execution_get_cached_at (ls2), <=, g_get_real_time ());
  cc_test_flush (f);
  history = cc_test_history (f, id, 1);
  newest = g_list_model_get_item (history, 0);
  g_assert_true (cc_operation_get_cached (newest));
  g_assert_cmpint (cc_operation_get_cached_at (newest), ==, cc_execution_get_cached_at (ls2));

  touch = cc_test_run (f, id, "touch d/new", CC_EXECUTE_FLAGS_NONE);
  ls3 = cc_test_run (f, id, "ls d", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (ls3));
  text = stdout_text (ls3);
  g_assert_cmpstr (text, ==, "new\nold\n");
  cc_test_flush (f);
}

/* A file written through the client makes earlier answers stale. */
static void
test_cache_write_invalidates (ClientFixture *f,
                              gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "write", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(CcExecution) cat1 = NULL;
  g_autoptr(CcExecution) cat2 = NULL;
  g_autoptr(CcExecution) cat3 = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) one = NULL;
  g_autoptr(GBytes) two = NULL;

  one = g_bytes_new_static ("one", 3);
  cc_client_write_file_async (f->client, id, "note.txt", one, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cat1 = cc_test_run (f, id, "cat note.txt", CC_EXECUTE_FLAGS_USE_CACHE);
  cc_test_flush (f);
  cat2 = cc_test_run (f, id, "cat note.txt", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_true (cc_execution_get_cached (cat2));
  cc_test_flush (f);

  two = g_bytes_new_static ("two", 3);
  cc_client_write_file_async (f->client, id, "note.txt", two, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);

  cat3 = cc_test_run (f, id, "cat note.txt", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (cat3));
  text = stdout_text (cat3);
  g_assert_cmpstr (text, ==, "two");
  cc_test_flush (f);
}

static void
on_file_changed (CcClient          *client,
                 const char        *project_id,
                 const char        *path,
                 GFileMonitorEvent  event,
                 gpointer           user_data)
{
  guint *n_seen = user_data;

  if (g_str_has_suffix (path, "w/from-elsewhere"))
    (*n_seen)++;
}

/* A process the client did not start (here: one started on the sandbox daemon directly) writes
 * a file; the directory watch reports it, and that is enough to stop serving the old answer. */
static void
test_cache_watch_event_invalidates (ClientFixture *f,
                                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "watched", NULL);
  const char *id = cc_project_get_id (project);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CcExecution) mkdir = NULL;
  g_autoptr(CcExecution) ls1 = NULL;
  g_autoptr(CcExecution) ls2 = NULL;
  g_autoptr(CcExecution) ls3 = NULL;
  g_autoptr(CcProject) current = NULL;
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcProcessSpec) spec = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  int exit_code = -1;
  guint n_seen = 0;

  mkdir = cc_test_run (f, id, "mkdir -p w", CC_EXECUTE_FLAGS_NONE);
  g_signal_connect (f->client, "file-changed", G_CALLBACK (on_file_changed), &n_seen);
  cc_client_watch_dir (f->client, id, "w", TRUE, cancellable);

  ls1 = cc_test_run (f, id, "ls w", CC_EXECUTE_FLAGS_USE_CACHE);
  cc_test_flush (f);
  ls2 = cc_test_run (f, id, "ls w", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_true (cc_execution_get_cached (ls2));

  current = cc_test_get_project (f, id);
  connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                        cc_test_engine_get_api_key (f->engine));
  api = cc_control_plane_new (connection);
  cc_control_plane_get_async (api, cc_project_get_sandbox_id (current), NULL, cc_test_store_result_cb, &result);
  info = cc_control_plane_get_finish (api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  envd = cc_envd_new_for_sandbox (connection, info);
  /* The watch is set up asynchronously: the writer retries until the watch has seen a write,
   * within a bounded number of rounds. */
  spec = cc_process_spec_new_command ("for i in $(seq 1 600); do echo x >> w/from-elsewhere;"
                                      " sleep 0.1; done");
  spec->stdin_open = FALSE;
  cc_envd_start_process_async (envd, spec, NULL, cc_test_store_result_cb, &result);
  process = cc_envd_start_process_finish (envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  CC_TEST_WAIT_FOR (n_seen > 0, "the watch to report the foreign write");
  cc_remote_process_kill_async (process, NULL, cc_test_store_result_cb, &result);
  (void) cc_remote_process_kill_finish (process, cc_test_wait_result (&result), NULL);
  g_clear_object (&result);
  cc_remote_process_wait_async (process, NULL, cc_test_store_result_cb, &result);
  (void) cc_remote_process_wait_finish (process, cc_test_wait_result (&result), &exit_code, NULL);
  cc_test_flush (f);

  ls3 = cc_test_run (f, id, "ls w", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_false (cc_execution_get_cached (ls3));
  text = stdout_text (ls3);
  g_assert_cmpstr (text, ==, "from-elsewhere\n");

  g_cancellable_cancel (cancellable);
  g_signal_handlers_disconnect_by_data (f->client, &n_seen);
  cc_test_flush (f);
}

static void
input_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cc_execution_send_stdin_finish (CC_EXECUTION (source), result, &error));
  g_assert_no_error (error);
  (*n_done)++;
}

static void
close_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cc_execution_close_stdin_finish (CC_EXECUTION (source), result, &error));
  g_assert_no_error (error);
  (*n_done)++;
}

/* 500 keystrokes sent as fast as they come, each its own call, then the end of input: the
 * process reads them all, in order. */
static void
test_stdin_order (ClientFixture *f,
                  gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "order", NULL);
  g_autoptr(CcExecution) cat = NULL;
  g_autoptr(GString) typed = g_string_new (NULL);
  g_autofree char *text = NULL;
  guint n_done = 0;

  for (guint i = 0; i < 500; i++)
    g_string_append_c (typed, "abcdefghijklmnopqrstuvwxyz0123456789 ;-"[(i * 7) % 39]);

  cat = cc_client_execute (f->client, cc_project_get_id (project), "cat", CC_EXECUTE_FLAGS_STDIN);
  CC_TEST_WAIT_FOR (cc_execution_get_state (cat) != CC_EXECUTION_STATE_PENDING, "cat to start");
  g_assert_cmpint (cc_execution_get_state (cat), ==, CC_EXECUTION_STATE_RUNNING);
  for (guint i = 0; i < typed->len; i++)
    {
      g_autoptr(GBytes) key = g_bytes_new (typed->str + i, 1);

      cc_execution_send_stdin_async (cat, key, NULL, input_sent_cb, &n_done);
    }
  cc_execution_close_stdin_async (cat, NULL, close_sent_cb, &n_done);
  cc_test_wait_execution (cat);
  CC_TEST_WAIT_FOR (n_done == typed->len + 1, "every input call to complete");

  g_assert_cmpint (cc_execution_get_exit_code (cat), ==, 0);
  text = stdout_text (cat);
  g_assert_cmpstr (text, ==, typed->str);
  cc_test_flush (f);
}

/* Commands run as in a terminal: the Terminal tab shows their colours. */
static void
test_terminal_environment (ClientFixture *f,
                           gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "env", NULL);
  g_autoptr(CcExecution) env = NULL;
  g_autofree char *text = NULL;

  env = cc_test_run (f, cc_project_get_id (project), "echo \"$TERM $COLORTERM\"", CC_EXECUTE_FLAGS_NONE);
  text = stdout_text (env);
  g_assert_cmpstr (text, ==, "xterm-256color truecolor\n");
  cc_test_flush (f);
}

/* Input offered only when the command runs: a cached answer is still served, the run keeps
 * its stdin open, and a run that was given input or the end of its input is not cached. */
static void
test_stdin_when_run (ClientFixture *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "stdin-when-run", NULL);
  const char *id = cc_project_get_id (project);
  const CcExecuteFlags flags = CC_EXECUTE_FLAGS_USE_CACHE | CC_EXECUTE_FLAGS_STDIN_WHEN_RUN;
  g_autoptr(CcExecution) echo1 = NULL;
  g_autoptr(CcExecution) echo2 = NULL;
  guint n_done = 0;

  echo1 = cc_test_run (f, id, "echo no-input", flags);
  g_assert_false (cc_execution_get_cached (echo1));
  cc_test_flush (f);
  echo2 = cc_test_run (f, id, "echo no-input", flags);
  g_assert_true (cc_execution_get_cached (echo2));

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(CcExecution) cat = cc_client_execute (f->client, id, "cat", flags);
      g_autofree char *text = NULL;

      CC_TEST_WAIT_FOR (cc_execution_get_state (cat) != CC_EXECUTION_STATE_PENDING, "cat to start");
      /* Never served from the cache: every round before gave it input or closed it. */
      g_assert_cmpint (cc_execution_get_state (cat), ==, CC_EXECUTION_STATE_RUNNING);
      if (round == 0)
        {
          g_autoptr(GBytes) line = g_bytes_new_static ("typed\n", 6);

          cc_execution_send_stdin_async (cat, line, NULL, input_sent_cb, &n_done);
        }
      cc_execution_close_stdin_async (cat, NULL, close_sent_cb, &n_done);
      cc_test_wait_execution (cat);
      g_assert_false (cc_execution_get_cached (cat));
      text = stdout_text (cat);
      g_assert_cmpstr (text, ==, round == 0 ? "typed\n" : "");
      cc_test_flush (f);
    }
  CC_TEST_WAIT_FOR (n_done == 4, "every input call to complete");
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/core/client-cache/" path, ClientFixture, NULL, cc_test_client_setup, func, cc_test_client_teardown)

  ADD ("ls-touch-ls", test_cache_ls_touch_ls);
  ADD ("write-invalidates", test_cache_write_invalidates);
  ADD ("watch-event-invalidates", test_cache_watch_event_invalidates);
  ADD ("stdin-order", test_stdin_order);
  ADD ("terminal-environment", test_terminal_environment);
  ADD ("stdin-when-run", test_stdin_when_run);

  return g_test_run ();
}
