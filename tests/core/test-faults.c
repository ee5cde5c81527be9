/* test-faults.c: every failure of the protocol client, driven by the fault proxy in front of the
 * real engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-connection.h"
#include "cc-envd.h"
#include "cc-fault-proxy.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

typedef struct
{
  CcTestEngine   *engine;
  CcFaultProxy   *proxy;
  CcConnection   *connection;     /* through the proxy */
  CcControlPlane *api;
  CcSandboxInfo  *info;
  CcEnvd         *envd;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->engine = cc_test_engine_new ();
  f->proxy = cc_fault_proxy_new (cc_test_engine_get_url (f->engine));
  f->connection = cc_connection_new_local (cc_fault_proxy_get_url (f->proxy),
                                           cc_test_engine_get_api_key (f->engine));
  /* Fast backoff, short timeouts: the test waits on events, never on wall-clock sleeps. */
  cc_connection_set_retry_base_delay (f->connection, 10);
  cc_connection_set_request_timeout (f->connection, 5000);
  f->api = cc_control_plane_new (f->connection);
  cc_control_plane_create_async (f->api, NULL, 300, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT, NULL,
                                 cc_test_store_result_cb, &result);
  f->info = cc_control_plane_create_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  f->envd = cc_envd_new_for_sandbox (f->connection, f->info);
  cc_fault_proxy_reset_counts (f->proxy);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->envd);
  g_clear_pointer (&f->info, cc_sandbox_info_unref);
  g_clear_object (&f->api);
  g_clear_object (&f->connection);
  cc_fault_proxy_free (f->proxy);
  cc_test_engine_free (f->engine);
}

static CcSandboxInfo *
get_info (Fixture  *f,
          GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_control_plane_get_async (f->api, f->info->sandbox_id, NULL, cc_test_store_result_cb, &result);
  return cc_control_plane_get_finish (f->api, cc_test_wait_result (&result), error);
}

static void
assert_get_fails (Fixture    *f,
                  int         code,
                  guint       expected_requests)
{
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = get_info (f, &error);
  g_assert_null (info);
  g_assert_error (error, CC_SANDBOX_ERROR, code);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/"), ==,
                    expected_requests);
  /* Never the key, and always something to do. */
  g_assert_null (strstr (error->message, cc_test_engine_get_api_key (f->engine)));
}

static void
test_status_codes (Fixture       *f,
                   gconstpointer  data)
{
  static const struct {
    guint status;
    int   code;
  } cases[] = {
    { 401, CC_SANDBOX_ERROR_UNAUTHORIZED },
    { 403, CC_SANDBOX_ERROR_FORBIDDEN },
    { 404, CC_SANDBOX_ERROR_SANDBOX_GONE },
    { 500, CC_SANDBOX_ERROR_SERVER },
    { 507, CC_SANDBOX_ERROR_DISK_FULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      cc_fault_proxy_reset_counts (f->proxy);
      cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, cases[i].status, 0, NULL);
      /* Not retried: exactly one request. */
      assert_get_fails (f, cases[i].code, 1);
    }
}

static void
test_key_never_in_messages (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *body = g_strdup_printf ("{\"code\":401,\"message\":\"Invalid API key %s\"}",
                                           cc_test_engine_get_api_key (f->engine));

  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, 401, 0, body);
  assert_get_fails (f, CC_SANDBOX_ERROR_UNAUTHORIZED, 1);
}

static void
test_rate_limit_then_success (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, 429, 1,
                             "{\"code\":429,\"message\":\"slow down\"}");
  info = get_info (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->sandbox_id, ==, f->info->sandbox_id);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/"), ==, 2);
}

static void
test_rate_limit_exhausted (Fixture       *f,
                           gconstpointer  data)
{
  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 0, 429, 0, NULL);
  /* The first attempt and three retries. */
  assert_get_fails (f, CC_SANDBOX_ERROR_RATE_LIMITED, 4);
}

static void
test_gateway_errors_retried (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, 502, 0, NULL);
  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, 503, 0, NULL);
  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 1, 504, 0, NULL);
  info = get_info (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/"), ==, 4);

  cc_fault_proxy_add_status (f->proxy, "POST", "/filesystem.Filesystem/ListDir", 1, 503, 0,
                             NULL);
  cc_envd_list_dir_async (f->envd, "/home/user", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_envd_list_dir_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/filesystem.Filesystem/ListDir"),
                    ==, 2);
}

static void
test_gateway_errors_exhausted (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 0, 503, 0, NULL);
  assert_get_fails (f, CC_SANDBOX_ERROR_SERVICE_BUSY, 4);

  /* 502 from the sandbox host means the sandbox is gone. */
  cc_fault_proxy_add_status (f->proxy, "POST", "/filesystem.Filesystem/Stat", 0, 502, 0,
                             "{\"sandboxId\":\"x\",\"message\":\"The sandbox was not found\","
                             "\"code\":502}");
  cc_envd_stat_async (f->envd, "/home/user", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
}

static CcRemoteProcess *
start_command (Fixture     *f,
               const char  *command,
               GError     **error)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command (command);
  g_autoptr(GAsyncResult) result = NULL;

  cc_envd_start_process_async (f->envd, spec, NULL, cc_test_store_result_cb, &result);
  return cc_envd_start_process_finish (f->envd, cc_test_wait_result (&result), error);
}

static void
test_start_never_retried (Fixture       *f,
                          gconstpointer  data)
{
  static const struct {
    guint status;
    int   code;
  } cases[] = {
    { 502, CC_SANDBOX_ERROR_SANDBOX_GONE },
    { 503, CC_SANDBOX_ERROR_SERVICE_BUSY },
    { 504, CC_SANDBOX_ERROR_TIMEOUT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CcRemoteProcess) process = NULL;
      g_autoptr(GError) error = NULL;

      cc_fault_proxy_reset_counts (f->proxy);
      cc_fault_proxy_add_status (f->proxy, "POST", "/process.Process/Start", 1, cases[i].status,
                                 0, NULL);
      process = start_command (f, "echo once", &error);
      g_assert_null (process);
      g_assert_error (error, CC_SANDBOX_ERROR, cases[i].code);
      g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Start"), ==,
                        1);
    }
}

static char *
run_to_end (Fixture    *f,
            const char *command)
{
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  int code = -1;

  process = start_command (f, command, &error);
  g_assert_no_error (error);
  g_signal_connect (process, "stdout", G_CALLBACK (cc_test_append_chunk_cb), out);
  cc_remote_process_wait_async (process, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_remote_process_wait_finish (process, cc_test_wait_result (&result), &code,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A kept-alive connection that the server closes just as the next command goes out on it: the
 * command was never read, so it is sent again on a new connection, and it runs once. */
static void
test_kept_alive_closed (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  CcEntryInfo *entry;

  cc_fault_proxy_reset_counts (f->proxy);
  /* A unary call has its whole answer read when it returns, so its connection is idle. */
  cc_fault_proxy_add_close_kept_alive (f->proxy, "POST", "/filesystem.Filesystem/Stat", 1);
  cc_envd_stat_async (f->envd, "/home/user", NULL, cc_test_store_result_cb, &result);
  entry = cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_pointer (&entry, cc_entry_info_free);

  out = run_to_end (f, "echo once >> /tmp/runs; cat /tmp/runs");
  g_assert_cmpstr (out, ==, "once\n");
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Start"), ==, 1);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;

  /* A safe read survives a reset connection. */
  cc_fault_proxy_add_reset (f->proxy, "GET", "/sandboxes/", 1);
  info = get_info (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/"), ==, 2);

  /* A command is never sent twice. */
  cc_fault_proxy_add_reset (f->proxy, "POST", "/process.Process/Start", 1);
  process = start_command (f, "echo once", &error);
  g_assert_null (process);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Start"), ==, 1);
  g_clear_error (&error);

  cc_fault_proxy_add_reset (f->proxy, "GET", "/sandboxes/", 0);
  cc_fault_proxy_reset_counts (f->proxy);
  assert_get_fails (f, CC_SANDBOX_ERROR_NETWORK, 4);
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;

  cc_connection_set_request_timeout (f->connection, 300);
  cc_fault_proxy_add_stall (f->proxy, "GET", "/sandboxes/", 1);
  assert_get_fails (f, CC_SANDBOX_ERROR_TIMEOUT, 1);

  /* A stream's handshake is bounded too. */
  cc_fault_proxy_add_stall (f->proxy, "POST", "/process.Process/Start", 1);
  process = start_command (f, "echo stalled", &error);
  g_assert_null (process);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_TIMEOUT);
}

static void
test_truncated_stream (Fixture       *f,
                       gconstpointer  data)
{
  /* Cut inside the output envelope (after the start event), inside the start envelope's
   * header, and before anything (a clean end with no end-of-stream). */
  const gsize cuts[] = { 60, 3, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(CcRemoteProcess) process = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      cc_fault_proxy_add_truncate (f->proxy, "POST", "/process.Process/Start", 1, cuts[i]);
      process = start_command (f, "echo hello; echo world", &error);
      if (cuts[i] < 10)
        {
          /* The handshake itself is cut. */
          g_assert_null (process);
          g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
          continue;
        }
      g_assert_no_error (error);
      cc_remote_process_wait_async (process, NULL, cc_test_store_result_cb, &result);
      g_assert_false (cc_remote_process_wait_finish (process, cc_test_wait_result (&result), NULL,
                                                     &error));
      g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
    }
}

/* A server that announced a body's length and died part way through it, on a connection it
 * said it would close: libsoup takes the end of the connection for the end of the body, and
 * the download must not pass for a whole file. */
static void
test_cut_download (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *raw = g_malloc (256 * 1024);

  /* Not text: the engine sends text gzipped, without a length. Random bytes alone are now and
   * then taken for a text type by their content, so they start as a PNG image does. */
  for (guint i = 0; i < 256 * 1024; i++)
    raw[i] = (guint8) g_random_int ();
  memcpy (raw, "\x89PNG\r\n\x1a\n", 8);
  content = g_bytes_new (raw, 256 * 1024);
  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/cut.bin", content));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_fault_proxy_add_cut_body (f->proxy, "GET", "/files$", 1, 100 * 1024);
  cc_envd_download_async (f->envd, "/home/user/cut.bin", sink, NULL, NULL, NULL, NULL,
                          cc_test_store_result_cb, &result);
  g_assert_cmpint (cc_envd_download_finish (f->envd, cc_test_wait_result (&result), &error), <, 0);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Read into memory, a cut answer is read again, whole. */
  cc_fault_proxy_reset_counts (f->proxy);
  cc_fault_proxy_add_cut_body (f->proxy, "GET", "/files$", 1, 100 * 1024);
  cc_envd_read_file_async (f->envd, "/home/user/cut.bin", NULL, cc_test_store_result_cb, &result);
  read = cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, content));
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/files$"), ==, 2);
}

static void
test_malformed_json (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_malformed_json (f->proxy, "GET", "/sandboxes/", 1);
  assert_get_fails (f, CC_SANDBOX_ERROR_PROTOCOL, 1);

  cc_fault_proxy_add_malformed_json (f->proxy, "POST", "/filesystem.Filesystem/ListDir", 1);
  cc_envd_list_dir_async (f->envd, "/home/user", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_envd_list_dir_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_null (entries);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
}

static void
test_wrong_content_type (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_wrong_content_type (f->proxy, "POST", "/filesystem.Filesystem/ListDir", 1);
  cc_envd_list_dir_async (f->envd, "/home/user", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_envd_list_dir_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_null (entries);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
  g_clear_error (&error);

  cc_fault_proxy_add_wrong_content_type (f->proxy, "POST", "/process.Process/Start", 1);
  process = start_command (f, "echo hi", &error);
  g_assert_null (process);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
}

static void
test_disk_full_upload (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("data", 4);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/big.bin", bytes));
  cc_fault_proxy_add_status (f->proxy, "POST", "/files", 1, 507, 0,
                             "{\"code\":507,\"message\":\"not enough disk space\"}");
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  g_assert_null (cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DISK_FULL);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/files"), ==, 1);
}

static void
test_upload_is_one_request (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *path = g_strdup_printf ("/home/user/batch/f%02u.txt", i);
      g_autoptr(GBytes) bytes = g_bytes_new (path, strlen (path));

      g_ptr_array_add (files, cc_upload_file_new_bytes (path, bytes));
    }
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 25);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/files"), ==, 1);
}

static void
test_sandbox_killed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;

  /* The real engine's answer for a sandbox that is gone (no injected fault). */
  cc_control_plane_kill_async (f->api, f->info->sandbox_id, NULL, cc_test_store_result_cb,
                               &result);
  g_assert_true (cc_control_plane_kill_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);

  process = start_command (f, "echo hi", &error);
  g_assert_null (process);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Start"), ==, 1);
}

static void
test_cancel_during_retry_wait (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A long Retry-After: cancelling must not wait for it. */
  cc_fault_proxy_add_status (f->proxy, "GET", "/sandboxes/", 0, 429, 60, NULL);
  cc_control_plane_get_async (f->api, f->info->sandbox_id, cancellable, cc_test_store_result_cb,
                              &result);
  CC_TEST_WAIT_FOR (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/") > 0, "the first GET");
  /* Let the 429 answer arrive and the retry wait begin. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_cancellable_cancel (cancellable);
  g_assert_null (cc_control_plane_get_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nothing was re-sent after the cancellation. */
  g_assert_cmpuint (cc_fault_proxy_count (f->proxy, "GET", "/sandboxes/"), ==, 1);
}

static void
test_cancel_stalled_start (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("echo never");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_fault_proxy_add_stall (f->proxy, "POST", "/process.Process/Start", 1);
  cc_envd_start_process_async (f->envd, spec, cancellable, cc_test_store_result_cb, &result);
  CC_TEST_WAIT_FOR (cc_fault_proxy_count (f->proxy, "POST", "/process.Process/Start") > 0,
                    "the Start request");
  g_cancellable_cancel (cancellable);
  g_assert_null (cc_envd_start_process_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/faults/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("status-codes", test_status_codes);
  ADD ("key-never-in-messages", test_key_never_in_messages);
  ADD ("429-then-success", test_rate_limit_then_success);
  ADD ("429-exhausted", test_rate_limit_exhausted);
  ADD ("gateway-retried", test_gateway_errors_retried);
  ADD ("gateway-exhausted", test_gateway_errors_exhausted);
  ADD ("start-never-retried", test_start_never_retried);
  ADD ("kept-alive-closed", test_kept_alive_closed);
  ADD ("reset", test_reset);
  ADD ("stall", test_stall);
  ADD ("truncated-stream", test_truncated_stream);
  ADD ("cut-download", test_cut_download);
  ADD ("malformed-json", test_malformed_json);
  ADD ("wrong-content-type", test_wrong_content_type);
  ADD ("disk-full", test_disk_full_upload);
  ADD ("upload-is-one-request", test_upload_is_one_request);
  ADD ("sandbox-killed", test_sandbox_killed);
  ADD ("cancel-during-retry-wait", test_cancel_during_retry_wait);
  ADD ("cancel-stalled-start", test_cancel_stalled_start);
#undef ADD
  return g_test_run ();
}
