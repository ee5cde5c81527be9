/* test-client-faults.c: the contract API when things go wrong, big output, and the key
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Faults come from the fault-injecting proxy in front of the real engine; the project talks to
 * it as a custom E2B-compatible endpoint whose key (the engine's) is in the real keyring.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-client.h"
#include "cc-fault-proxy.h"
#include "cc-sandbox-error.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"
#include "test-client-util.h"

typedef struct
{
  ClientFixture  base;
  CcFaultProxy  *proxy;
  CcProject     *project;
} FaultFixture;

static void
fault_setup (FaultFixture  *f,
             gconstpointer  data)
{
  cc_test_client_setup (&f->base, data);
  /* Each fault hits the request the test makes, not one of the mirror's live syncs. */
  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  f->proxy = cc_fault_proxy_new (cc_test_engine_get_url (f->base.engine));
  f->project = cc_test_create_proxied_project (&f->base, f->proxy, "faulty");
}

static void
fault_teardown (FaultFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_fault_proxy_clear_rules (f->proxy);
  cc_client_clear_api_key_async (f->base.client, CC_CONNECTION_CUSTOM, cc_fault_proxy_get_url (f->proxy),
                                 NULL, cc_test_store_result_cb, &result);
  cc_client_clear_api_key_finish (f->base.client, cc_test_wait_result (&result), NULL);
  g_clear_object (&f->project);
  cc_test_client_teardown (&f->base, data);
  cc_fault_proxy_free (f->proxy);
}

static const char *
pid_of (FaultFixture *f)
{
  return cc_project_get_id (f->project);
}

/* Runs @command; returns the error (or NULL) after checking the record matches. */
static GError *
run_expecting (FaultFixture *f,
               const char   *command)
{
  g_autoptr(CcExecution) execution = cc_client_execute (f->base.client, pid_of (f), command,
                                                        CC_EXECUTE_FLAGS_NONE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  GError *error = NULL;

  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error);
  cc_test_flush (&f->base);
  history = cc_test_history (&f->base, pid_of (f), 1);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpstr (cc_operation_get_input (record), ==, command);
  if (error != NULL)
    {
      g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
      g_assert_cmpstr (cc_operation_get_error (record), ==, error->message);
    }
  else
    g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_SUCCESS);
  return error;
}

/* Nothing else was lost: the project is still there, and a normal command works afterwards. */
static void
assert_recovers (FaultFixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  guint before;

  cc_fault_proxy_clear_rules (f->proxy);
  g_assert_nonnull (cc_client_find_project (f->base.client, pid_of (f)));
  history = cc_test_history (&f->base, pid_of (f), 0);
  before = g_list_model_get_n_items (history);
  g_clear_object (&history);
  error = run_expecting (f, "echo fine");
  g_assert_no_error (error);
  history = cc_test_history (&f->base, pid_of (f), 0);
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, before + 1);
}

/* Makes sandbox creation answer @status (@count times, 0 = always) and runs
 * @command; returns the error the run ended with (NULL on success). */
static GError *
run_with_create_status (FaultFixture *f,
                        guint         count,
                        guint         status,
                        const char   *message,
                        const char   *command)
{
  g_autofree char *body = g_strdup_printf ("{\"code\":%u,\"message\":\"%s\"}", status, message);

  cc_fault_proxy_add_status (f->proxy, "POST", "/v2/sandboxes", count, status, 0, body);
  return run_expecting (f, command);
}

static void
test_unauthorized (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = run_with_create_status (f, 1, 401, "Invalid API key", "echo a");

  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_UNAUTHORIZED);
  assert_recovers (f);
}

static void
test_forbidden (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = run_with_create_status (f, 1, 403, "Forbidden", "echo b");

  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FORBIDDEN);
  assert_recovers (f);
}

static void
test_rate_limited (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = run_with_create_status (f, 0, 429, "Rate limit exceeded", "echo c");

  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_RATE_LIMITED);
  /* Create is safe to retry: tried more than once, at most 1 + 3 times. */
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/v2/sandboxes"), >, 1);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/v2/sandboxes"), <=, 4);
  assert_recovers (f);
}

static void
test_rate_limited_then_ok (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = run_with_create_status (f, 1, 429, "Rate limit exceeded", "echo d");

  g_assert_no_error (error);
}

static void
test_sandbox_gone_502 (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) first = cc_test_run (&f->base, pid_of (f), "echo kept > kept.txt", CC_EXECUTE_FLAGS_NONE);
  g_autoptr(CcExecution) second = NULL;
  g_autoptr(GBytes) out = NULL;

  /* The sandbox host says the sandbox is gone: the command had not started, so it runs on a
   * new sandbox with the project's files. */
  cc_fault_proxy_add_status (f->proxy, "POST", "/process.Process/Start", 1, 502, 0,
                             "{\"sandboxId\":\"x\",\"message\":\"The sandbox was not found\",\"code\":502}");
  cc_fault_proxy_add_status (f->proxy, "POST", "/v2/sandboxes/", 1, 404, 0,
                             "{\"code\":404,\"message\":\"Sandbox not found\"}");
  second = cc_test_run (&f->base, pid_of (f), "echo again", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (second);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "again\n", 6);
  cc_test_flush (&f->base);
}

static void
test_disk_full (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GBytes) content = g_bytes_new_static ("x", 1);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  g_autoptr(CcExecution) warm = cc_test_run (&f->base, pid_of (f), "true", CC_EXECUTE_FLAGS_NONE);

  cc_fault_proxy_add_status (f->proxy, "POST", "/files$", 1, 507, 0,
                             "{\"code\":507,\"message\":\"not enough disk space\"}");
  cc_client_write_file_async (f->base.client, pid_of (f), "big.bin", content, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_client_write_file_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DISK_FULL);
  cc_test_flush (&f->base);
  history = cc_test_history (&f->base, pid_of (f), 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpint (cc_operation_get_operation_type (record), ==, CC_OPERATION_TYPE_FILE_WRITE);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
  assert_recovers (f);
}

static void
test_reset_read_retried (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GBytes) content = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_write_file_async (f->base.client, pid_of (f), "r.txt", content, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_clear_object (&result);

  /* A read is safe to retry: one reset is absorbed. */
  cc_fault_proxy_add_reset (f->proxy, "GET", "/files", 1);
  cc_client_read_file_async (f->base.client, pid_of (f), "r.txt", NULL, cc_test_store_result_cb, &result);
  back = cc_client_read_file_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, content));
  g_clear_object (&result);

  /* Resets every time: a network error, recorded. */
  cc_fault_proxy_add_reset (f->proxy, "GET", "/files", 0);
  cc_client_read_file_async (f->base.client, pid_of (f), "r.txt", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_client_read_file_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK);
  assert_recovers (f);
}

static void
assert_list_dir_protocol_error (FaultFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) entries = NULL;

  cc_client_list_dir_async (f->base.client, pid_of (f), "", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_client_list_dir_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_null (entries);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
}

static void
test_protocol_malformed (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcExecution) warm = cc_test_run (&f->base, pid_of (f), "true", CC_EXECUTE_FLAGS_NONE);

  cc_fault_proxy_add_malformed_json (f->proxy, "POST", "/filesystem.Filesystem/ListDir", 0);
  assert_list_dir_protocol_error (f);
  cc_fault_proxy_clear_rules (f->proxy);

  cc_fault_proxy_add_wrong_content_type (f->proxy, "POST", "/filesystem.Filesystem/ListDir", 0);
  assert_list_dir_protocol_error (f);
  assert_recovers (f);
}

static void
test_server_error (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = run_with_create_status (f, 1, 500, "boom", "echo e");

  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SERVER);
  assert_recovers (f);
}

static void
test_engine_unreachable (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcProject) local = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) execution = NULL;
  g_autofree char *empty = cc_test_make_tmpdir ("cc-no-engine");

  cc_client_set_engine_runtime_dir (f->base.client, empty);
  cc_client_create_project_async (f->base.client, "local", CC_CONNECTION_LOCAL, NULL, NULL, NULL, 0,
                                  NULL, cc_test_store_result_cb, &result);
  local = cc_client_create_project_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  execution = cc_client_execute (f->base.client, cc_project_get_id (local), "echo x", CC_EXECUTE_FLAGS_NONE);
  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FAILED);
  {
    g_autofree char *runtime = g_path_get_dirname (cc_test_engine_get_json_path (f->base.engine));
    cc_client_set_engine_runtime_dir (f->base.client, runtime);
  }
  cc_test_rm_rf (empty);
  assert_recovers (f);
}

static void
test_no_api_key (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcProject) cloud = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) execution = NULL;

  cc_client_clear_api_key_async (f->base.client, CC_CONNECTION_E2B, NULL, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_clear_api_key_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  cc_client_create_project_async (f->base.client, "cloud", CC_CONNECTION_E2B, NULL, NULL, NULL, 0,
                                  NULL, cc_test_store_result_cb, &result);
  cloud = cc_client_create_project_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Fails before any network access: nothing leaves this machine. */
  execution = cc_client_execute (f->base.client, cc_project_get_id (cloud), "echo x", CC_EXECUTE_FLAGS_NONE);
  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NO_API_KEY);
  g_assert_nonnull (strstr (error->message, "Preferences"));
  assert_recovers (f);
}

static void
test_tls_failure (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcProject) changes = cc_project_copy (f->project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) run_error = NULL;
  g_autofree char *https = g_strdup_printf ("https://127.0.0.1:%s",
                                            strrchr (cc_fault_proxy_get_url (f->proxy), ':') + 1);

  /* The proxy speaks plain HTTP: a TLS handshake with it fails. */
  cc_client_store_api_key_async (f->base.client, CC_CONNECTION_CUSTOM, https,
                                 cc_test_engine_get_api_key (f->base.engine), NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_store_api_key_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  cc_project_set_api_url (changes, https);
  cc_project_set_sandbox_url (changes, https);
  cc_client_update_project_info_async (f->base.client, pid_of (f), changes, CC_PROJECT_FIELD_CONNECTION,
                                       NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  run_error = run_expecting (f, "echo tls");
  g_assert_nonnull (run_error);
  g_test_message ("TLS failure: %s (%d)", run_error->message, run_error->code);
  g_assert_true (run_error->domain == CC_SANDBOX_ERROR);
  g_assert_true (run_error->code == CC_SANDBOX_ERROR_TLS || run_error->code == CC_SANDBOX_ERROR_NETWORK);
  cc_client_clear_api_key_async (f->base.client, CC_CONNECTION_CUSTOM, https, NULL,
                                 cc_test_store_result_cb, &result);
  cc_client_clear_api_key_finish (f->base.client, cc_test_wait_result (&result), NULL);
}

static void
count_bytes (CcExecution *execution,
             GBytes      *chunk,
             guint64     *total)
{
  *total += g_bytes_get_size (chunk);
}

static void
test_big_output_bounded (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcProject) project = cc_test_create_project (&f->base, "big", NULL);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  gsize hwm_before, hwm_after;
  guint64 total = 0;

  /* Warm up (sandbox, connections), so the measurement sees only the stream. */
  g_clear_object (&execution);
  execution = cc_test_run (&f->base, cc_project_get_id (project), "true", CC_EXECUTE_FLAGS_NONE);
  g_clear_object (&execution);
  hwm_before = cc_test_proc_status_kib (0, "VmHWM");

  execution = cc_client_execute (f->base.client, cc_project_get_id (project),
                                 "head -c 67108864 /dev/zero | tr '\\0' 'x'; echo; echo tail-marker",
                                 CC_EXECUTE_FLAGS_NONE);
  /* Count what arrives without keeping it, as a terminal view would. */
  g_signal_connect (execution, "stdout", G_CALLBACK (count_bytes), &total);
  cc_test_wait_execution (execution);
  g_assert_cmpuint (total, ==, 67108864 + 1 + strlen ("tail-marker\n"));
  hwm_after = cc_test_proc_status_kib (0, "VmHWM");
  g_test_message ("VmHWM %zu KiB → %zu KiB", hwm_before, hwm_after);
#if defined(__SANITIZE_ADDRESS__)
  /* ASan keeps freed memory in quarantine: the peak says nothing about our bound there. */
  (void) hwm_after;
#else
  g_assert_cmpuint (hwm_after - hwm_before, <, 48 * 1024);
#endif
  g_assert_true (cc_execution_get_truncated (execution));

  cc_test_flush (&f->base);
  history = cc_test_history (&f->base, cc_project_get_id (project), 1);
  record = g_list_model_get_item (history, 0);
  g_assert_true (cc_operation_get_stdout_truncated (record));
  g_assert_true (g_str_has_suffix (cc_operation_get_stdout (record), "tail-marker\n"));
}

static void
test_setup_one_request (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) warm = cc_test_run (&f->base, pid_of (f), "true", CC_EXECUTE_FLAGS_NONE);
  g_autoptr(CcExecution) count = NULL;
  g_autoptr(GBytes) out = NULL;

  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *path = g_strdup_printf ("pkg/m%u/f%u.js", i % 9, i);
      char *text = g_strdup_printf ("module.exports = %u;\n", i);

      g_ptr_array_add (files, cc_project_file_new_take (path, text, strlen (text)));
    }
  cc_fault_proxy_reset_counts (f->proxy);
  cc_client_setup_project_async (f->base.client, pid_of (f), files, NULL, NULL, NULL, NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_setup_project_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  /* Every file in one multipart request. */
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/files$"), ==, 1);
  count = cc_test_run (&f->base, pid_of (f), "find pkg -type f | wc -l", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (count);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "250\n", 4);
  cc_test_flush (&f->base);
  {
    g_autoptr(GListModel) history = cc_test_history (&f->base, pid_of (f), 10);
    gboolean seen = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (history); i++)
      {
        g_autoptr(CcOperation) op = g_list_model_get_item (history, i);

        if (cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_SETUP)
          {
            g_assert_true (g_str_has_prefix (cc_operation_get_input (op), "250 files, "));
            seen = TRUE;
          }
      }
    g_assert_true (seen);
  }
}

static void
test_request_timeout (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_object_set (f->base.client, "request-timeout", 500, NULL);
  cc_fault_proxy_add_stall (f->proxy, "POST", "/v2/sandboxes", 0);
  error = run_expecting (f, "echo slow");
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_TIMEOUT);
  g_object_set (f->base.client, "request-timeout", 60000, NULL);
  assert_recovers (f);
}

static void
test_truncated_stream_reattaches (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcExecution) warm = cc_test_run (&f->base, pid_of (f), "true", CC_EXECUTE_FLAGS_NONE);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GBytes) out = NULL;
  gboolean reattached = FALSE;

  /* The output stream breaks right after the start event; the command keeps running and the
   * client follows it again by pid (Process/Connect). */
  cc_fault_proxy_add_truncate (f->proxy, "POST", "/process.Process/Start", 1, 40);
  execution = cc_client_execute (f->base.client, pid_of (f), "sleep 1; echo finished > done.txt",
                                 CC_EXECUTE_FLAGS_NONE);
  g_signal_connect_swapped (execution, "reattached", G_CALLBACK (g_nullify_pointer), &reattached);
  /* g_nullify_pointer sets it to NULL (FALSE) — so start from TRUE and look for the change. */
  reattached = TRUE;
  cc_test_wait_execution (execution);
  g_assert_false (reattached);
  out = cc_execution_dup_stdout (execution);
  g_test_message ("after reattach: exit %d, %zu bytes, pid %u", cc_execution_get_exit_code (execution),
                  g_bytes_get_size (out), cc_execution_get_pid (execution));
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_clear_object (&warm);
  g_clear_pointer (&out, g_bytes_unref);
  /* It ran to its end once (output made while detached is not replayed, as on E2B). */
  warm = cc_test_run (&f->base, pid_of (f), "cat done.txt", CC_EXECUTE_FLAGS_NONE);
  out = cc_execution_dup_stdout (warm);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "finished\n", 9);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Connect"), >=, 1);
  cc_test_flush (&f->base);
}

static void
test_cache_hit_offline (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcExecution) first = cc_test_run (&f->base, pid_of (f), "echo cached-once", CC_EXECUTE_FLAGS_USE_CACHE);
  g_autoptr(CcExecution) second = NULL;

  cc_test_flush (&f->base);
  /* A hit answers from the store alone: with every request failing, it still works. */
  cc_fault_proxy_reset_counts (f->proxy);
  cc_fault_proxy_add_reset (f->proxy, NULL, NULL, 0);
  second = cc_test_run (&f->base, pid_of (f), "echo cached-once", CC_EXECUTE_FLAGS_USE_CACHE);
  g_assert_true (cc_execution_get_cached (second));
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, NULL, NULL), ==, 0);
  assert_recovers (f);
}

static void
test_setup_disk_full (FaultFixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  g_autoptr(CcExecution) warm = cc_test_run (&f->base, pid_of (f), "true", CC_EXECUTE_FLAGS_NONE);

  g_ptr_array_add (files, cc_project_file_new_take ("big.dat", g_strdup ("data"), 4));
  cc_fault_proxy_add_status (f->proxy, "POST", "/files$", 1, 507, 0,
                             "{\"code\":507,\"message\":\"not enough disk space\"}");
  cc_client_setup_project_async (f->base.client, pid_of (f), files, NULL, NULL, NULL, NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_false (cc_client_setup_project_finish (f->base.client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DISK_FULL);
  cc_test_flush (&f->base);
  history = cc_test_history (&f->base, pid_of (f), 1);
  record = g_list_model_get_item (history, 0);
  g_assert_cmpint (cc_operation_get_operation_type (record), ==, CC_OPERATION_TYPE_SETUP);
  g_assert_cmpint (cc_operation_get_status (record), ==, CC_OPERATION_STATUS_ERROR);
  /* One file, in the singular (History shows this text). */
  g_assert_cmpstr (cc_operation_get_input (record), ==, "1 file, 4 bytes; install: none");
  assert_recovers (f);
}

static void
test_dev_server_unauthorized (FaultFixture *f, gconstpointer data)
{
  g_autoptr(CcProject) changes = cc_project_copy (f->project);
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  cc_project_set_start_command (changes, "sleep 100");
  cc_client_update_project_info_async (f->base.client, pid_of (f), changes, CC_PROJECT_FIELD_START_COMMAND,
                                       NULL, cc_test_store_result_cb, &result);
  updated = cc_client_update_project_info_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_fault_proxy_add_status (f->proxy, "POST", "/process.Process/Start", 1, 401, 0,
                             "{\"code\":401,\"message\":\"unauthorized access\"}");
  cc_client_start_dev_server_async (f->base.client, pid_of (f), 0, NULL, cc_test_store_result_cb, &result);
  url = cc_client_start_dev_server_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_null (url);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_UNAUTHORIZED);
  assert_recovers (f);
}

static void
test_concurrent_first_use (FaultFixture *f, gconstpointer data)
{
  CcExecution *executions[6];

  /* Six commands at once on a project without a sandbox: one sandbox is created for all. */
  cc_fault_proxy_reset_counts (f->proxy);
  for (guint i = 0; i < G_N_ELEMENTS (executions); i++)
    {
      g_autofree char *command = g_strdup_printf ("echo %u", i);

      executions[i] = cc_client_execute (f->base.client, pid_of (f), command, CC_EXECUTE_FLAGS_NONE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (executions); i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u\n", i);
      g_autoptr(GBytes) out = NULL;

      cc_test_wait_execution (executions[i]);
      out = cc_execution_dup_stdout (executions[i]);
      g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), expected, strlen (expected));
      g_object_unref (executions[i]);
    }
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/v2/sandboxes"), ==, 1);
  cc_test_flush (&f->base);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return FALSE;
  return memmem (data, length, needle, strlen (needle)) != NULL;
}

static void
test_key_never_stored_or_logged (FaultFixture *f, gconstpointer data)
{
  const char *key = cc_test_engine_get_api_key (f->base.engine);
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (f->base.tmpdir, "code-canvas.db", NULL);
  g_autofree char *wal = g_build_filename (f->base.tmpdir, "code-canvas.db-wal", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* Use the key for real (through the proxy), including a failure that is logged. */
  execution = cc_test_run (&f->base, pid_of (f), "echo with-key; env", CC_EXECUTE_FLAGS_USE_CACHE);
  {
    g_autoptr(GBytes) out = cc_execution_dup_stdout (execution);
    g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

    /* Not in the sandbox's environment either. */
    g_assert_null (strstr (text, key));
  }
  cc_fault_proxy_add_status (f->proxy, "POST", "/process.Process/Start", 1, 401, 0,
                             "{\"code\":401,\"message\":\"unauthorized\"}");
  error = run_expecting (f, "echo denied");
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, key));
  cc_test_flush (&f->base);

  g_assert_false (file_contains (db, key));
  g_assert_false (file_contains (wal, key));
  dir = g_dir_open (f->base.tmpdir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->base.tmpdir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_assert_false (file_contains (path, key));
    }
  g_assert_null (strstr (cc_test_client_get_log (), key));
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);
  /* Debug messages too (of this process only): the key must not be in any of them. */
  g_log_set_debug_enabled (TRUE);

#define ADD(path, func) \
  g_test_add ("/core/client-faults/" path, FaultFixture, NULL, fault_setup, func, fault_teardown)

  ADD ("unauthorized", test_unauthorized);
  ADD ("forbidden", test_forbidden);
  ADD ("rate-limited", test_rate_limited);
  ADD ("rate-limited-then-ok", test_rate_limited_then_ok);
  ADD ("server-error", test_server_error);
  ADD ("sandbox-gone-502", test_sandbox_gone_502);
  ADD ("disk-full", test_disk_full);
  ADD ("reset-read-retried", test_reset_read_retried);
  ADD ("protocol-malformed", test_protocol_malformed);
  ADD ("engine-unreachable", test_engine_unreachable);
  ADD ("no-api-key", test_no_api_key);
  ADD ("tls", test_tls_failure);
  ADD ("big-output-bounded", test_big_output_bounded);
  ADD ("setup-one-request", test_setup_one_request);
  ADD ("cache-hit-offline", test_cache_hit_offline);
  ADD ("concurrent-first-use", test_concurrent_first_use);
  ADD ("setup-disk-full", test_setup_disk_full);
  ADD ("dev-server-unauthorized", test_dev_server_unauthorized);
  ADD ("request-timeout", test_request_timeout);
  ADD ("truncated-stream-reattaches", test_truncated_stream_reattaches);
  ADD ("key-never-stored-or-logged", test_key_never_stored_or_logged);

  return g_test_run ();
}
