/* test-client-contract.c: the contract's promises on cancellation and exit status, against a
 * private engine and a real store
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-client.h"
#include "cc-connection.h"
#include "cc-control-plane.h"
#include "cc-envd.h"
#include "cc-fault-proxy.h"
#include "cc-sandbox-error.h"
#include "cc-template.h"
#include "test-client-util.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

/* A daemon client of @project's sandbox, reached directly, not through the client under test. */
static CcEnvd *
direct_envd (ClientFixture *f,
             CcProject     *project)
{
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (cc_project_get_sandbox_id (project));
  connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                        cc_test_engine_get_api_key (f->engine));
  api = cc_control_plane_new (connection);
  cc_control_plane_get_async (api, cc_project_get_sandbox_id (project), NULL,
                              cc_test_store_result_cb, &result);
  info = cc_control_plane_get_finish (api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return cc_envd_new_for_sandbox (connection, info);
}

/* Whether a process whose command line holds @needle is in the sandbox's process list. */
static gboolean
process_listed (CcEnvd     *envd,
                const char *needle)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) processes = NULL;

  cc_envd_list_processes_async (envd, NULL, cc_test_store_result_cb, &result);
  processes = cc_envd_list_processes_finish (envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < processes->len; i++)
    {
      CcProcessInfo *info = g_ptr_array_index (processes, i);
      g_autofree char *args = info->args ? g_strjoinv (" ", info->args) : g_strdup ("");

      if (strstr (args, needle) != NULL || g_strcmp0 (info->cmd, needle) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wake_cb (gpointer user_data)
{
  /* Only wakes the loop: the proxy counts on its own threads. */
  return G_SOURCE_CONTINUE;
}

/* Ctrl+C while the start request is out, before the start event: the process it started is
 * killed when its pid arrives, before the execution reports "cancelled". The fault proxy only
 * passes requests through; it tells when the start request has left the client. */
static void
test_cancel_before_start (ClientFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CcFaultProxy) proxy = cc_fault_proxy_new (cc_test_engine_get_url (f->engine));
  const char *url = cc_fault_proxy_get_url (proxy);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) current = NULL;
  g_autoptr(CcExecution) warm = NULL;
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcTestDeadline) deadline = NULL;
  gboolean listed = TRUE;
  guint wake;

  cc_client_store_api_key_async (f->client, CC_CONNECTION_CUSTOM, url,
                                 cc_test_engine_get_api_key (f->engine), NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_store_api_key_finish (f->client, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  cc_client_create_project_async (f->client, "early-cancel", CC_CONNECTION_CUSTOM, url, NULL,
                                  NULL, 0, NULL, cc_test_store_result_cb, &result);
  project = cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  changes = cc_project_copy (project);
  cc_project_set_sandbox_url (changes, url);
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_CONNECTION, NULL, cc_test_store_result_cb,
                                       &result);
  g_clear_object (&project);
  project = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A running sandbox first, so only the start request is left to go out. */
  warm = cc_test_run (f, cc_project_get_id (project), "true", CC_EXECUTE_FLAGS_NONE);
  current = cc_test_get_project (f, cc_project_get_id (project));
  envd = direct_envd (f, current);

  cc_fault_proxy_reset_counts (proxy);
  execution = cc_client_execute (f->client, cc_project_get_id (project), "sleep 3017",
                                 CC_EXECUTE_FLAGS_NONE);
  wake = g_timeout_add (1, wake_cb, NULL);
  CC_TEST_WAIT_FOR (cc_fault_proxy_count (proxy, "POST", "/process.Process/Start") > 0 ||
                    cc_execution_get_state (execution) != CC_EXECUTION_STATE_PENDING,
                    "the start request to leave");
  g_source_remove (wake);
  if (cc_execution_get_state (execution) != CC_EXECUTION_STATE_PENDING)
    g_test_incomplete ("the start event came before the cancel; nothing early to test");
  cc_execution_cancel (execution);
  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  /* The kill went out before "cancelled": the process leaves the list once it is reaped. */
  deadline = cc_test_deadline_new (cc_test_scaled_seconds (10));
  for (guint i = 0; i < 500 && listed && !cc_test_deadline_passed (deadline); i++)
    listed = process_listed (envd, "sleep 3017");
  g_assert_false (listed);
  cc_test_flush (f);

  cc_client_clear_api_key_async (f->client, CC_CONNECTION_CUSTOM, url, NULL,
                                 cc_test_store_result_cb, &result);
  cc_client_clear_api_key_finish (f->client, cc_test_wait_result (&result), NULL);
}

/* A command killed by a signal ends as a shell reports it: 128 + N, "killed by SIGKILL". */
static void
test_killed_by_signal (ClientFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "signalled", NULL);
  g_autoptr(CcExecution) killed = NULL;
  g_autoptr(CcExecution) terminated = NULL;
  g_autoptr(CcExecution) plain = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) killed_record = NULL;
  g_autoptr(CcOperation) terminated_record = NULL;
  g_autoptr(CcOperation) plain_record = NULL;

  killed = cc_test_run (f, cc_project_get_id (project), "kill -KILL $$", CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (killed), ==, 137);
  terminated = cc_test_run (f, cc_project_get_id (project), "kill -TERM $$", CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (terminated), ==, 143);
  /* An ordinary exit with the same number was not killed by anything. */
  plain = cc_test_run (f, cc_project_get_id (project), "exit 137", CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (plain), ==, 137);

  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 0);
  plain_record = g_list_model_get_item (history, 0);
  terminated_record = g_list_model_get_item (history, 1);
  killed_record = g_list_model_get_item (history, 2);
  g_assert_cmpstr (cc_operation_get_input (killed_record), ==, "kill -KILL $$");
  g_assert_cmpint (cc_operation_get_status (killed_record), ==, CC_OPERATION_STATUS_ERROR);
  g_assert_cmpint (cc_operation_get_exit_code (killed_record), ==, 137);
  g_assert_nonnull (strstr (cc_operation_get_error (killed_record), "killed by SIGKILL"));
  g_assert_cmpint (cc_operation_get_exit_code (terminated_record), ==, 143);
  g_assert_nonnull (strstr (cc_operation_get_error (terminated_record), "killed by SIGTERM"));
  g_assert_cmpint (cc_operation_get_exit_code (plain_record), ==, 137);
  g_assert_nonnull (strstr (cc_operation_get_error (plain_record), "exited with status 137"));
}

/* The newest dev_server record of @project, once it is no longer pending (bounded wait). */
static CcOperation *
wait_dev_server_record (ClientFixture *f,
                        CcProject     *project)
{
  g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (30));

  for (guint attempt = 0; attempt < 1000; attempt++)
    {
      g_autoptr(GListModel) history = NULL;

      cc_test_flush (f);
      history = cc_test_history (f, cc_project_get_id (project), 0);
      for (guint i = 0; i < g_list_model_get_n_items (history); i++)
        {
          g_autoptr(CcOperation) op = g_list_model_get_item (history, i);

          if (cc_operation_get_operation_type (op) != CC_OPERATION_TYPE_DEV_SERVER)
            continue;
          if (cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
            return g_steal_pointer (&op);
          break;
        }
      if (cc_test_deadline_passed (deadline))
        break;
      g_main_context_iteration (NULL, TRUE);
    }
  g_error ("The dev server's record stayed pending");
  return NULL;
}

static void
set_start_command (ClientFixture *f,
                   CcProject     *project,
                   const char    *command)
{
  g_autoptr(CcProject) changes = cc_project_copy (project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_project_set_start_command (changes, command);
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_START_COMMAND, NULL,
                                       cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
}

/* A server that exits at once fails the start with its status and its real last lines. */
static void
test_dev_server_exits_at_once (ClientFixture *f,
                               gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, "at-once", CC_TEMPLATE_NODE,
                                                                 cc_test_free_port ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  set_start_command (f, project, "node -e \"console.error('boom at once'); process.exit(1)\"");
  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL,
                                    cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_null (url);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROCESS_EXITED);
  g_assert_nonnull (strstr (error->message, "status 1"));
  g_assert_nonnull (strstr (error->message, "boom at once"));
  cc_test_flush (f);
  {
    g_autoptr(CcOperation) record = wait_dev_server_record (f, project);

    g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
    g_assert_cmpint (cc_operation_get_exit_code (record), ==, 1);
  }
}

/* Another program holds the port; ours dies with "address in use". Whatever answers on the
 * port is not ours: no URL. */
static void
test_dev_server_port_taken (ClientFixture *f,
                            gconstpointer  data)
{
  guint port = cc_test_free_port ();
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, "taken", CC_TEMPLATE_PYTHON,
                                                                 port);
  g_autofree char *holder_command = g_strdup_printf ("python3 -m http.server %u --bind 0.0.0.0",
                                                     port);
  g_autofree char *server_command = g_strdup_printf ("python3 -m http.server %u", port);
  g_autofree char *probe = NULL;
  g_autoptr(CcExecution) holder = NULL;
  g_autoptr(CcExecution) listening = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  holder = cc_client_execute (f->client, cc_project_get_id (project), holder_command,
                              CC_EXECUTE_FLAGS_NO_DEADLINE);
  /* The sandbox waits (bounded) until the holder listens. */
  probe = g_strdup_printf ("for i in $(seq 200); do (echo > /dev/tcp/127.0.0.1/%u) 2>/dev/null "
                           "&& exit 0; sleep 0.05; done; exit 1", port);
  listening = cc_test_run (f, cc_project_get_id (project), probe, CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (listening), ==, 0);

  /* Another command than the holder's: not our server from an earlier run. */
  set_start_command (f, project, server_command);
  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL,
                                    cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_null (url);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROCESS_EXITED);
  g_assert_nonnull (strstr (error->message, "in use"));

  g_clear_object (&result);
  cc_execution_cancel (holder);
  cc_execution_wait_async (holder, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (holder, cc_test_wait_result (&result), NULL));
  cc_test_flush (f);
}

static CcProject *
start_python_server (ClientFixture *f,
                     const char    *name)
{
  g_autoptr(CcProject) project = cc_test_create_project_on_port (f, name, CC_TEMPLATE_PYTHON,
                                                                 cc_test_free_port ());
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL,
                                    cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return cc_test_get_project (f, cc_project_get_id (project));
}

/* Stopped, the dev server's record completes. */
static void
test_dev_server_record_stopped (ClientFixture *f,
                                gconstpointer  data)
{
  g_autoptr(CcProject) project = start_python_server (f, "record-stop");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcOperation) record = NULL;

  cc_client_stop_dev_server_async (f->client, cc_project_get_id (project), NULL,
                                   cc_test_store_result_cb, &result);
  g_assert_true (cc_client_stop_dev_server_finish (f->client, cc_test_wait_result (&result), NULL));
  record = wait_dev_server_record (f, project);
  g_assert_cmpint (cc_operation_get_duration_ms (record), >, 0);
}

/* Its sandbox ended, the dev server's record completes. */
static void
test_dev_server_record_sandbox_killed (ClientFixture *f,
                                       gconstpointer  data)
{
  g_autoptr(CcProject) project = start_python_server (f, "record-sandbox");
  g_autoptr(CcOperation) record = NULL;

  cc_test_kill_sandbox_directly (f, cc_project_get_sandbox_id (project));
  record = wait_dev_server_record (f, project);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
}

/* Daemon paths: through the API URL they would end here. */
static const char * const daemon_paths[] = {
  "/process.Process/", "/filesystem.Filesystem/", "/files", "/health", "/envs", "/init",
};

/* A custom endpoint configured with its API URL only, as a self-hosted E2B is: each sandbox's
 * daemon is reached at 49983-<id>.<domain> for the `domain` of the create answer, as the SDK
 * does, not through the API URL. The API URL is a proxy in front of the engine that refuses
 * daemon paths and counts requests; the engine's domain "localhost:<port>" resolves to loopback
 * and routes by Host. The project's own port (a free one) keeps its preview apart. */
static void
test_custom_sandbox_domain (ClientFixture *f,
                            gconstpointer  data)
{
  g_autoptr(CcFaultProxy) proxy = cc_fault_proxy_new (cc_test_engine_get_url (f->engine));
  const char *url = cc_fault_proxy_get_url (proxy);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) current = NULL;
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("by domain\n", 10);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) read_back = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *preview = NULL;
  g_autofree char *expected_preview = NULL;
  g_autofree char *text = NULL;
  guint port = cc_test_free_port ();

  for (guint i = 0; i < G_N_ELEMENTS (daemon_paths); i++)
    cc_fault_proxy_add_status (proxy, NULL, daemon_paths[i], 0, 500, 0,
                               "{\"code\":500,\"message\":\"daemon request sent to the API URL\"}");

  cc_client_store_api_key_async (f->client, CC_CONNECTION_CUSTOM, url,
                                 cc_test_engine_get_api_key (f->engine), NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_store_api_key_finish (f->client, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  cc_client_create_project_async (f->client, "self-hosted", CC_CONNECTION_CUSTOM, url,
                                  CC_TEMPLATE_PYTHON, NULL, port, NULL, cc_test_store_result_cb,
                                  &result);
  project = cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (cc_project_get_sandbox_url (project) == NULL ||
                 *cc_project_get_sandbox_url (project) == '\0');

  execution = cc_test_run (f, cc_project_get_id (project), "echo via-domain",
                           CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  out = cc_execution_dup_stdout (execution);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_cmpstr (text, ==, "via-domain\n");

  cc_client_write_file_async (f->client, cc_project_get_id (project), "domain.txt", content, NULL,
                              cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_client_read_file_async (f->client, cc_project_get_id (project), "domain.txt", NULL,
                             cc_test_store_result_cb, &result);
  read_back = cc_client_read_file_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_bytes_equal (read_back, content));

  /* The preview is at the sandbox's host too, over http like the development API URL. */
  current = cc_test_get_project (f, cc_project_get_id (project));
  cc_client_start_dev_server_async (f->client, cc_project_get_id (project), 0, NULL,
                                    cc_test_store_result_cb, &result);
  preview = cc_client_start_dev_server_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  expected_preview = g_strdup_printf ("http://%u-%s.%s/", port, cc_project_get_sandbox_id (current),
                                      cc_test_engine_get_domain (f->engine));
  g_assert_cmpstr (preview, ==, expected_preview);
  cc_client_stop_dev_server_async (f->client, cc_project_get_id (project), NULL,
                                   cc_test_store_result_cb, &result);
  g_assert_true (cc_client_stop_dev_server_finish (f->client, cc_test_wait_result (&result), NULL));
  g_clear_object (&result);

  /* The control plane went through the API URL; no daemon request did. */
  g_assert_cmpuint (cc_fault_proxy_count (proxy, "POST", "/v2/sandboxes"), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (daemon_paths); i++)
    g_assert_cmpuint (cc_fault_proxy_count (proxy, NULL, daemon_paths[i]), ==, 0);

  cc_client_clear_api_key_async (f->client, CC_CONNECTION_CUSTOM, url, NULL,
                                 cc_test_store_result_cb, &result);
  cc_client_clear_api_key_finish (f->client, cc_test_wait_result (&result), NULL);
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/core/client-contract/" path, ClientFixture, NULL, cc_test_client_setup, func, \
              cc_test_client_teardown)

  ADD ("execute/cancel-before-start", test_cancel_before_start);
  ADD ("execute/killed-by-signal", test_killed_by_signal);
  ADD ("dev-server/exits-at-once", test_dev_server_exits_at_once);
  ADD ("dev-server/port-taken", test_dev_server_port_taken);
  ADD ("dev-server/record-stopped", test_dev_server_record_stopped);
  ADD ("dev-server/record-sandbox-killed", test_dev_server_record_sandbox_killed);
  ADD ("connection/custom-sandbox-domain", test_custom_sandbox_domain);
#undef ADD
  return g_test_run ();
}
