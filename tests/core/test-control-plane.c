/* test-control-plane.c: the control-plane client against the real engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-connection.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

typedef struct
{
  CcTestEngine   *engine;
  CcConnection   *connection;
  CcControlPlane *api;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->engine = cc_test_engine_new ();
  f->connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                           cc_test_engine_get_api_key (f->engine));
  f->api = cc_control_plane_new (f->connection);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->api);
  g_assert_finalize_object (f->connection);
  cc_test_engine_free (f->engine);
}

static CcSandboxInfo *
create_sandbox (CcControlPlane     *api,
                GHashTable         *metadata,
                CcSandboxOnTimeout  on_timeout)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcSandboxInfo *info;

  cc_control_plane_create_async (api, NULL, 120, metadata, NULL, on_timeout, NULL,
                                 cc_test_store_result_cb, &result);
  info = cc_control_plane_create_finish (api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static CcSandboxInfo *
get_sandbox (CcControlPlane  *api,
             const char      *id,
             GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_control_plane_get_async (api, id, NULL, cc_test_store_result_cb, &result);
  return cc_control_plane_get_finish (api, cc_test_wait_result (&result), error);
}

static gboolean
kill_sandbox (CcControlPlane  *api,
              const char      *id,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_control_plane_kill_async (api, id, NULL, cc_test_store_result_cb, &result);
  return cc_control_plane_kill_finish (api, cc_test_wait_result (&result), error);
}

static void
test_create_get_kill (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcSandboxInfo) detail = NULL;
  g_autoptr(CcSandboxInfo) gone = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (metadata, "purpose", "probe");
  info = create_sandbox (f->api, metadata, CC_SANDBOX_ON_TIMEOUT_DEFAULT);
  g_assert_nonnull (info->sandbox_id);
  g_assert_nonnull (info->envd_access_token);
  g_assert_nonnull (info->envd_version);

  detail = get_sandbox (f->api, info->sandbox_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (detail->sandbox_id, ==, info->sandbox_id);
  g_assert_cmpint (detail->state, ==, CC_SANDBOX_STATE_RUNNING);
  g_assert_cmpstr (g_hash_table_lookup (detail->metadata, "purpose"), ==, "probe");
  g_assert_cmpint (detail->end_at, >, detail->started_at);

  g_assert_true (kill_sandbox (f->api, info->sandbox_id, &error));
  g_assert_no_error (error);

  gone = get_sandbox (f->api, info->sandbox_id, &error);
  g_assert_null (gone);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
  g_clear_error (&error);

  g_assert_false (kill_sandbox (f->api, info->sandbox_id, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
}

static GPtrArray *
list_page (CcControlPlane            *api,
           const CcSandboxListQuery  *query,
           char                     **next_token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *page;

  cc_control_plane_list_async (api, query, NULL, cc_test_store_result_cb, &result);
  page = cc_control_plane_list_finish (api, cc_test_wait_result (&result), next_token, &error);
  g_assert_no_error (error);
  return page;
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GHashTable) meta_a = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) meta_b = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CcSandboxInfo) a = NULL;
  g_autoptr(CcSandboxInfo) b = NULL;
  g_autoptr(GPtrArray) filtered = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  CcSandboxListQuery query = { 0 };

  g_hash_table_insert (meta_a, "project", "alpha & co");
  g_hash_table_insert (meta_b, "project", "beta");
  a = create_sandbox (f->api, meta_a, CC_SANDBOX_ON_TIMEOUT_DEFAULT);
  b = create_sandbox (f->api, meta_b, CC_SANDBOX_ON_TIMEOUT_DEFAULT);

  query.metadata = meta_a;
  query.running = TRUE;
  filtered = list_page (f->api, &query, NULL);
  g_assert_cmpuint (filtered->len, ==, 1);
  g_assert_cmpstr (((CcSandboxInfo *) filtered->pdata[0])->sandbox_id, ==, a->sandbox_id);

  /* Paging with X-Next-Token: one per page, two pages, then the end. */
  memset (&query, 0, sizeof query);
  query.limit = 1;
  first = list_page (f->api, &query, &token);
  g_assert_cmpuint (first->len, ==, 1);
  g_assert_nonnull (token);
  query.next_token = token;
  second = list_page (f->api, &query, &token2);
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpstr (((CcSandboxInfo *) first->pdata[0])->sandbox_id, !=,
                   ((CcSandboxInfo *) second->pdata[0])->sandbox_id);
}

static void
test_timeout_pause_connect (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcSandboxInfo) before = NULL;
  g_autoptr(CcSandboxInfo) after = NULL;
  g_autoptr(CcSandboxInfo) paused = NULL;
  g_autoptr(CcSandboxInfo) connected = NULL;
  g_autoptr(CcSandboxInfo) again = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  info = create_sandbox (f->api, NULL, CC_SANDBOX_ON_TIMEOUT_PAUSE);
  before = get_sandbox (f->api, info->sandbox_id, &error);
  g_assert_no_error (error);

  cc_control_plane_set_timeout_async (f->api, info->sandbox_id, 3000, NULL,
                                      cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_set_timeout_finish (f->api, cc_test_wait_result (&result),
                                                      &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  after = get_sandbox (f->api, info->sandbox_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->end_at, >, before->end_at);

  cc_control_plane_refresh_async (f->api, info->sandbox_id, 60, NULL, cc_test_store_result_cb,
                                  &result);
  g_assert_true (cc_control_plane_refresh_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_control_plane_get_metrics_async (f->api, info->sandbox_id, 0, 0, NULL,
                                      cc_test_store_result_cb, &result);
  metrics = cc_control_plane_get_metrics_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (metrics);
  g_clear_object (&result);

  cc_control_plane_pause_async (f->api, info->sandbox_id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_pause_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  paused = get_sandbox (f->api, info->sandbox_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (paused->state, ==, CC_SANDBOX_STATE_PAUSED);

  /* Already paused (409) is not an error. */
  cc_control_plane_pause_async (f->api, info->sandbox_id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_pause_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_control_plane_connect_async (f->api, info->sandbox_id, 60, NULL, cc_test_store_result_cb,
                                  &result);
  connected = cc_control_plane_connect_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (connected->resumed);
  g_assert_nonnull (connected->envd_access_token);
  g_clear_object (&result);

  cc_control_plane_connect_async (f->api, info->sandbox_id, 0, NULL, cc_test_store_result_cb,
                                  &result);
  again = cc_control_plane_connect_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_false (again->resumed);
  g_clear_object (&result);

  cc_control_plane_connect_async (f->api, "doesnotexist0000000", 0, NULL,
                                  cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_connect_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
  g_clear_object (&result);
}

static void
test_bad_key (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  connection = cc_connection_new_custom (cc_test_engine_get_url (f->engine), NULL, NULL);
  cc_connection_set_api_key (connection, "e2b_bad_key_that_is_secret");
  api = cc_control_plane_new (connection);
  cc_control_plane_create_async (api, NULL, 0, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT, NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_create_finish (api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_UNAUTHORIZED);
  g_assert_null (strstr (error->message, "e2b_bad_key_that_is_secret"));
  g_assert_nonnull (strstr (error->message, "Preferences"));
}

static void
test_no_key (void)
{
  g_autoptr(CcConnection) connection = cc_connection_new_custom ("http://127.0.0.1:9", NULL,
                                                                 NULL);
  g_autoptr(CcControlPlane) api = cc_control_plane_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_control_plane_list_async (api, NULL, NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_list_finish (api, cc_test_wait_result (&result), NULL, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NO_API_KEY);
  g_assert_nonnull (strstr (error->message, "Add your E2B API key in Preferences"));
}

static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  /* Bind a port, then free it: nothing listens there afterwards. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

static void
test_engine_unreachable (void)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  g_autoptr(CcConnection) local = cc_connection_new_local (url, "k");
  g_autoptr(CcConnection) custom = cc_connection_new_custom (url, NULL, NULL);
  g_autoptr(CcControlPlane) local_api = cc_control_plane_new (local);
  g_autoptr(CcControlPlane) custom_api = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_connection_set_retry_base_delay (local, 10);
  cc_control_plane_get_async (local_api, "abc", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_get_finish (local_api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_connection_set_api_key (custom, "k");
  cc_connection_set_retry_base_delay (custom, 10);
  custom_api = cc_control_plane_new (custom);
  cc_control_plane_get_async (custom_api, "abc", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_get_finish (custom_api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK);
}

static void
test_envd_url (void)
{
  g_autoptr(CcConnection) e2b = cc_connection_new_e2b (NULL);
  g_autoptr(CcConnection) local = cc_connection_new_local ("http://127.0.0.1:4000/", "k");
  g_autoptr(CcConnection) custom = cc_connection_new_custom ("https://api.example.org", NULL,
                                                             "example.org");
  g_autoptr(CcConnection) override = cc_connection_new_custom ("https://api.example.org",
                                                               "https://sbx.example.org", NULL);
  g_autofree char *a = cc_connection_dup_envd_url (e2b, "abc", NULL);
  g_autofree char *b = cc_connection_dup_envd_url (e2b, "abc", "e2b.dev");
  g_autofree char *c = cc_connection_dup_envd_url (e2b, "abc", "my.domain");
  g_autofree char *d = cc_connection_dup_envd_url (local, "abc", "localhost:4000");
  g_autofree char *e = cc_connection_dup_envd_url (custom, "abc", NULL);
  g_autofree char *f = cc_connection_dup_envd_url (override, "abc", "x.org");
  g_autofree char *host = cc_connection_dup_sandbox_host (e2b, "abc", NULL, 3000);
  /* A custom endpoint configured with its API URL only: the sandbox's own domain picks the
   * daemon's host; http for a plain-http (development) API, the API URL without a domain. */
  g_autoptr(CcConnection) bare = cc_connection_new_custom ("https://api.example.org/", NULL, "");
  g_autoptr(CcConnection) dev = cc_connection_new_custom ("http://127.0.0.1:4000", "", NULL);
  g_autofree char *g = cc_connection_dup_envd_url (bare, "abc", "sbx.example.org");
  g_autofree char *h = cc_connection_dup_envd_url (bare, "abc", NULL);
  g_autofree char *i = cc_connection_dup_envd_url (dev, "abc", "localhost:4000");
  g_autofree char *j = cc_connection_dup_envd_url (dev, "abc", "");
  g_autofree char *k = cc_connection_dup_envd_url (dev, "abc", "e2b.app");
  g_autofree char *dev_host = cc_connection_dup_sandbox_host (dev, "abc", "localhost:4000", 3000);

  g_assert_cmpstr (cc_connection_get_api_url (e2b), ==, "https://api.e2b.app");
  g_assert_cmpstr (a, ==, "https://sandbox.e2b.app");
  g_assert_cmpstr (b, ==, "https://sandbox.e2b.dev");
  g_assert_cmpstr (c, ==, "https://49983-abc.my.domain");
  g_assert_cmpstr (d, ==, "http://127.0.0.1:4000");
  g_assert_cmpstr (e, ==, "https://49983-abc.example.org");
  g_assert_cmpstr (f, ==, "https://sbx.example.org");
  g_assert_cmpstr (host, ==, "3000-abc.e2b.app");
  g_assert_null (cc_connection_get_sandbox_url (bare));
  g_assert_cmpstr (g, ==, "https://49983-abc.sbx.example.org");
  g_assert_cmpstr (h, ==, "https://api.example.org");
  g_assert_cmpstr (i, ==, "http://49983-abc.localhost:4000");
  g_assert_cmpstr (j, ==, "http://127.0.0.1:4000");
  g_assert_cmpstr (k, ==, "https://sandbox.e2b.app");
  g_assert_cmpstr (dev_host, ==, "3000-abc.localhost:4000");
  g_assert_cmpstr (cc_connection_get_sandbox_scheme (dev), ==, "http");
  g_assert_cmpstr (cc_connection_get_sandbox_scheme (bare), ==, "https");
  g_assert_cmpstr (cc_connection_get_sandbox_scheme (e2b), ==, "https");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/control-plane/envd-url", test_envd_url);
  g_test_add_func ("/core/control-plane/no-key", test_no_key);
  g_test_add_func ("/core/control-plane/engine-unreachable", test_engine_unreachable);
  g_test_add ("/core/control-plane/create-get-kill", Fixture, NULL, fixture_setup,
              test_create_get_kill, fixture_teardown);
  g_test_add ("/core/control-plane/list", Fixture, NULL, fixture_setup, test_list,
              fixture_teardown);
  g_test_add ("/core/control-plane/timeout-pause-connect", Fixture, NULL, fixture_setup,
              test_timeout_pause_connect, fixture_teardown);
  g_test_add ("/core/control-plane/bad-key", Fixture, NULL, fixture_setup, test_bad_key,
              fixture_teardown);
  return g_test_run ();
}
