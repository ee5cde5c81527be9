/* test-protocol-wire.c: what we put on the wire, compared with what the official SDK sent
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recorded-fixture server on 127.0.0.1 answers with the exact responses captured from the
 * official E2B SDK session (reference capture log) and records every request, so each test
 * checks our method, path, query, headers and body against the SDK's for the same call — and
 * that we understand the SDK-era answers.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "cc-connect-codec.h"
#include "cc-connection.h"
#include "cc-envd.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"
#include "cc-test-util.h"

#define SANDBOX_ID "i0probe0sandbox0id01"
#define TOKEN      "envd-access-token-123"
#define API_KEY    "e2b_probe_key_0123456789"

static const char created_json[] =
  "{\"sandboxID\":\"i0probe0sandbox0id01\",\"templateID\":\"base\",\"clientID\":\"6532622b\","
  "\"envdVersion\":\"0.6.13\",\"envdAccessToken\":\"envd-access-token-123\",\"domain\":null,"
  "\"trafficAccessToken\":null}";

typedef struct
{
  char       *method;
  char       *path;
  char       *query;
  SoupMessageHeaders *headers;
  GBytes     *body;
} Recorded;

typedef struct
{
  SoupServer     *server;
  char           *url;
  GPtrArray      *requests;     /* Recorded */
  CcConnection   *connection;
  CcControlPlane *api;
  CcEnvd         *envd;
} Fixture;

static void
recorded_free (Recorded *r)
{
  g_free (r->method);
  g_free (r->path);
  g_free (r->query);
  soup_message_headers_unref (r->headers);
  g_bytes_unref (r->body);
  g_free (r);
}

static GBytes *
stream_body (const char * const *messages,
             const char         *end)
{
  GByteArray *out = g_byte_array_new ();

  for (guint i = 0; messages[i] != NULL; i++)
    cc_connect_envelope_append (out, 0, messages[i], strlen (messages[i]));
  if (end != NULL)
    cc_connect_envelope_append (out, CC_CONNECT_FLAG_END_STREAM, end, strlen (end));
  return g_byte_array_free_to_bytes (out);
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *type,
       GBytes            *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (body, &len);

      soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, data, len);
    }
}

static void
reply_text (SoupServerMessage *msg,
            guint              status,
            const char        *text)
{
  g_autoptr(GBytes) body = g_bytes_new_static (text, strlen (text));

  reply (msg, status, "application/json", body);
}

/* The answers of the capture log, by request. */
static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  Recorded *r = g_new0 (Recorded, 1);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) flat = soup_message_body_flatten (request_body);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *in = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  gsize body_len = 0;
  const char *body_raw = g_bytes_get_data (flat, &body_len);
  /* Stream requests start with a binary envelope header: look past it. */
  g_autofree char *body_text = g_strndup (body_len > 5 && body_raw[0] == 0 ? body_raw + 5 : body_raw,
                                          body_len > 5 && body_raw[0] == 0 ? body_len - 5 : body_len);

  r->method = g_strdup (method);
  r->path = g_strdup (path);
  r->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  r->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, in);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (r->headers, name, value);
  r->body = g_bytes_ref (flat);
  g_ptr_array_add (f->requests, r);

  if (g_str_equal (path, "/v2/sandboxes") && g_str_equal (method, "POST"))
    {
      if (g_strcmp0 (soup_message_headers_get_one (in, "X-API-KEY"), API_KEY) != 0)
        reply_text (msg, 401, "{\"code\":401,\"message\":\"Invalid API key\"}");
      else
        reply_text (msg, 201, created_json);
    }
  else if (g_str_equal (path, "/v2/sandboxes"))
    reply_text (msg, 200,
                "[{\"sandboxID\":\"i0probe0sandbox0id01\",\"templateID\":\"base\",\"alias\":\"base\","
                "\"clientID\":\"6532622b\",\"startedAt\":\"2026-01-01T00:00:00.000Z\","
                "\"endAt\":\"2026-01-01T00:00:00.000Z\",\"cpuCount\":2,\"memoryMB\":512,"
                "\"diskSizeMB\":1024,\"envdVersion\":\"0.6.13\",\"metadata\":{\"k\":\"v\"},"
                "\"state\":\"running\"}]");
  else if (g_str_equal (path, "/sandboxes/missing"))
    reply_text (msg, 404, "{\"code\":404,\"message\":\"sandbox \\\"missing\\\" doesn't exist or "
                          "you don't have access to it\"}");
  else if (g_str_equal (path, "/sandboxes/broken"))
    reply_text (msg, 500, "{\"code\":500,\"message\":\"boom\"}");
  else if (g_str_equal (path, "/sandboxes/" SANDBOX_ID "/metrics"))
    reply_text (msg, 200, "[{\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"timestampUnix\":"
                          "1767225600,\"cpuCount\":2,\"cpuUsedPct\":1.5,\"memUsed\":1000,"
                          "\"memTotal\":2000,\"memCache\":10,\"diskUsed\":5,\"diskTotal\":50}]");
  else if (g_str_equal (path, "/sandboxes/" SANDBOX_ID) && g_str_equal (method, "GET"))
    reply_text (msg, 200,
                "{\"sandboxID\":\"i0probe0sandbox0id01\",\"templateID\":\"base\",\"alias\":"
                "\"base\",\"clientID\":\"6532622b\",\"startedAt\":\"2026-01-01T00:00:00.000Z\","
                "\"endAt\":\"2026-01-01T00:00:00.000Z\",\"cpuCount\":2,\"memoryMB\":512,"
                "\"diskSizeMB\":1024,\"envdVersion\":\"0.6.13\",\"envdAccessToken\":"
                "\"envd-access-token-123\",\"domain\":null,\"metadata\":{\"k\":\"v\"},"
                "\"state\":\"running\"}");
  else if (g_str_has_prefix (path, "/sandboxes/") || g_str_has_suffix (path, "/connect"))
    {
      if (g_str_has_suffix (path, "/connect"))
        reply_text (msg, 200, created_json);
      else
        soup_server_message_set_status (msg, 204, NULL);
    }
  else if (g_str_equal (path, "/process.Process/Start"))
    {
      const char *stream_ok[] = {
        "{\"event\":{\"start\":{\"pid\":100}}}", "{\"event\":{\"keepalive\":{}}}",
        "{\"event\":{\"data\":{\"stdout\":\"aGkK\"}}}",
        "{\"event\":{\"end\":{\"exitCode\":0,\"exited\":true,\"status\":\"exit status 0\"}}}",
        NULL,
      };
      const char *stream_exit3[] = {
        "{\"event\":{\"start\":{\"pid\":101}}}", "{\"event\":{\"data\":{\"stderr\":\"b29wcwo=\"}}}",
        "{\"event\":{\"end\":{\"exitCode\":3,\"exited\":true,\"status\":\"exit status 3\","
        "\"error\":\"exit status 3\"}}}",
        NULL,
      };
      const char *stream_deadline[] = { "{\"event\":{\"start\":{\"pid\":102}}}", NULL };
      g_autoptr(GBytes) body = NULL;

      if (strstr (body_text, "exit 3") != NULL)
        body = stream_body (stream_exit3, "{}");
      else if (strstr (body_text, "stream-error") != NULL)
        body = stream_body (stream_deadline, "{\"error\":{\"code\":\"deadline_exceeded\","
                                             "\"message\":\"context deadline exceeded\"}}");
      else
        body = stream_body (stream_ok, "{}");
      reply (msg, 200, "application/connect+json", body);
    }
  else if (g_str_equal (path, "/process.Process/Connect"))
    {
      const char *stream[] = {
        "{\"event\":{\"start\":{\"pid\":103}}}",
        "{\"event\":{\"data\":{\"stdout\":\"bGF0ZXIgb3V0cHV0Cg==\"}}}",
        "{\"event\":{\"end\":{\"exited\":true,\"status\":\"exit status 0\"}}}",
        NULL,
      };
      g_autoptr(GBytes) body = stream_body (stream, "{}");

      reply (msg, 200, "application/connect+json", body);
    }
  else if (g_str_equal (path, "/filesystem.Filesystem/WatchDir"))
    {
      const char *stream[] = {
        "{\"start\":{}}", "{\"keepalive\":{}}",
        "{\"filesystem\":{\"name\":\"new.txt\",\"type\":\"EVENT_TYPE_CREATE\"}}",
        "{\"filesystem\":{\"name\":\"new.txt\",\"type\":\"EVENT_TYPE_WRITE\"}}",
        NULL,
      };
      g_autoptr(GBytes) body = stream_body (stream, "{}");

      reply (msg, 200, "application/connect+json", body);
    }
  else if (g_str_equal (path, "/process.Process/List"))
    reply_text (msg, 200, "{\"processes\":[{\"config\":{\"cmd\":\"/bin/bash\",\"args\":[\"-l\","
                          "\"-c\",\"sleep 1000\"],\"envs\":{\"A\":\"b\"},\"cwd\":\"/home/user\"},"
                          "\"pid\":103}]}");
  else if (g_str_equal (path, "/process.Process/SendSignal") && strstr (body_text, "999"))
    reply_text (msg, 404, "{\"code\":\"not_found\",\"message\":\"process with pid 999 not found\"}");
  else if (g_str_equal (path, "/process.Process/SendInput") && strstr (body_text, "998"))
    reply_text (msg, 400, "{\"code\":\"failed_precondition\",\"message\":\"process 998 has no stdin\"}");
  else if (g_str_has_prefix (path, "/process.Process/"))
    reply_text (msg, 200, "{}");
  else if (g_str_equal (path, "/filesystem.Filesystem/ListDir"))
    reply_text (msg, 200,
                "{\"entries\":[{\"name\":\"a.txt\",\"type\":\"FILE_TYPE_FILE\",\"path\":"
                "\"/home/user/a.txt\",\"size\":\"5\",\"mode\":420,\"permissions\":\"-rw-r--r--\","
                "\"owner\":\"user\",\"group\":\"user\",\"modifiedTime\":\"2026-01-01T00:00:00Z\"},"
                "{\"name\":\"sub\",\"type\":\"FILE_TYPE_DIRECTORY\",\"path\":\"/home/user/sub\","
                "\"size\":\"4096\",\"mode\":493,\"permissions\":\"drwxr-xr-x\",\"owner\":\"user\","
                "\"group\":\"user\",\"modifiedTime\":\"2026-01-01T00:00:00Z\"}]}");
  else if (g_str_equal (path, "/filesystem.Filesystem/Stat"))
    reply_text (msg, 404, "{\"code\":\"not_found\",\"message\":\"file not found: lstat "
                          "/home/user/missing: no such file or directory\"}");
  else if (g_str_equal (path, "/filesystem.Filesystem/MakeDir"))
    reply_text (msg, 409, "{\"code\":\"already_exists\",\"message\":\"directory already exists: "
                          "/home/user/exists\"}");
  else if (g_str_equal (path, "/filesystem.Filesystem/Move"))
    reply_text (msg, 200, "{\"entry\":{\"name\":\"z.txt\",\"type\":\"FILE_TYPE_FILE\",\"path\":"
                          "\"/home/user/z.txt\",\"size\":\"5\",\"mode\":420,\"permissions\":"
                          "\"-rw-r--r--\",\"owner\":\"user\",\"group\":\"user\",\"modifiedTime\":"
                          "\"2026-01-01T00:00:00Z\"}}");
  else if (g_str_equal (path, "/filesystem.Filesystem/Remove"))
    reply_text (msg, 200, "{}");
  else if (g_str_equal (path, "/files") && g_str_equal (method, "GET"))
    {
      const char *p = query ? g_hash_table_lookup (query, "path") : NULL;

      if (g_strcmp0 (p, "/home/user/a.txt") == 0)
        {
          g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);

          reply (msg, 200, "application/octet-stream", body);
        }
      else
        reply_text (msg, 404, "{\"code\":404,\"message\":\"path '/home/user/missing.txt' does "
                              "not exist\"}");
    }
  else if (g_str_equal (path, "/files") && query != NULL && g_hash_table_contains (query, "path"))
    reply_text (msg, 200, "[{\"name\":\"a.txt\",\"type\":\"file\",\"path\":\"/home/user/a.txt\"}]");
  else if (g_str_equal (path, "/files"))
    reply_text (msg, 200, "[{\"name\":\"b.txt\",\"type\":\"file\",\"path\":\"/home/user/b.txt\"},"
                          "{\"name\":\"c.txt\",\"type\":\"file\",\"path\":\"rel/c.txt\"}]");
  else if (g_str_equal (path, "/health"))
    soup_server_message_set_status (msg, 204, NULL);
  else
    reply_text (msg, 404, "{\"code\":404,\"message\":\"not in the capture\"}");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  f->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) recorded_free);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handler, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  /* As the SDK was configured in the capture: one URL for the API and every sandbox. */
  f->connection = cc_connection_new_custom (f->url, f->url, NULL);
  cc_connection_set_api_key (f->connection, API_KEY);
  cc_connection_set_retry_base_delay (f->connection, 10);
  f->api = cc_control_plane_new (f->connection);
  f->envd = cc_envd_new (f->connection, SANDBOX_ID, TOKEN, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->envd);
  g_clear_object (&f->api);
  g_clear_object (&f->connection);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->requests);
  g_free (f->url);
}

static Recorded *
last_request (Fixture *f)
{
  g_assert_cmpuint (f->requests->len, >, 0);
  return g_ptr_array_index (f->requests, f->requests->len - 1);
}

static const char *
header (Recorded   *r,
        const char *name)
{
  return soup_message_headers_get_one (r->headers, name);
}

static void
assert_body (Recorded   *r,
             const char *expected)
{
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);

  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
assert_envelope_body (Recorded   *r,
                      const char *json)
{
  g_autoptr(GBytes) expected = cc_connect_envelope_new (0, json, strlen (json));

  g_assert_true (g_bytes_equal (r->body, expected));
}

/* The control plane's headers: the key, and a JSON content type only with a body. */
static void
assert_api_headers (Recorded *r,
                    gboolean  has_body)
{
  g_assert_cmpstr (header (r, "X-API-KEY"), ==, API_KEY);
  g_assert_cmpstr (header (r, "User-Agent"), ==, "code-canvas/" PACKAGE_VERSION);
  g_assert_cmpstr (header (r, "Content-Type"), ==, has_body ? "application/json" : NULL);
  g_assert_null (header (r, "X-Access-Token"));
  g_assert_null (header (r, "Connect-Protocol-Version"));
}

/* The daemon's headers: the access token and sandbox routing always; Connect ones per call. */
static void
assert_envd_headers (Recorded   *r,
                     gboolean    rpc,
                     gboolean    stream,
                     const char *timeout)
{
  g_assert_cmpstr (header (r, "X-Access-Token"), ==, TOKEN);
  g_assert_cmpstr (header (r, "E2b-Sandbox-Id"), ==, SANDBOX_ID);
  g_assert_cmpstr (header (r, "E2b-Sandbox-Port"), ==, "49983");
  g_assert_cmpstr (header (r, "User-Agent"), ==, "code-canvas/" PACKAGE_VERSION);
  g_assert_cmpstr (header (r, "Connect-Protocol-Version"), ==, rpc ? "1" : NULL);
  g_assert_cmpstr (header (r, "Keepalive-Ping-Interval"), ==, stream ? "50" : NULL);
  g_assert_cmpstr (header (r, "Connect-Timeout-Ms"), ==, timeout);
  g_assert_null (header (r, "X-API-KEY"));
  if (rpc)
    g_assert_cmpstr (header (r, "Content-Type"), ==,
                     stream ? "application/connect+json" : "application/json");
}

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) envs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcSandboxInfo) detail = NULL;
  g_autoptr(CcSandboxInfo) connected = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) metrics = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  CcSandboxListQuery query = { 0 };
  CcSandboxMetric *metric;
  Recorded *r;

  /* Sandbox.create({metadata, envs, timeoutMs: 120000}) */
  g_hash_table_insert (metadata, "purpose", "probe");
  g_hash_table_insert (envs, "FOO", "bar");
  cc_control_plane_create_async (f->api, NULL, 120, metadata, envs, CC_SANDBOX_ON_TIMEOUT_DEFAULT,
                                 NULL, cc_test_store_result_cb, &result);
  info = cc_control_plane_create_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/v2/sandboxes");
  assert_api_headers (r, TRUE);
  assert_body (r, "{\"templateID\":\"base\",\"metadata\":{\"purpose\":\"probe\"},"
                  "\"envVars\":{\"FOO\":\"bar\"},\"timeout\":120}");
  g_assert_cmpstr (info->sandbox_id, ==, SANDBOX_ID);
  g_assert_cmpstr (info->envd_access_token, ==, TOKEN);
  g_assert_cmpstr (info->envd_version, ==, "0.6.13");
  g_assert_null (info->domain);

  /* getInfo */
  cc_control_plane_get_async (f->api, SANDBOX_ID, NULL, cc_test_store_result_cb, &result);
  detail = cc_control_plane_get_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->method, ==, "GET");
  g_assert_cmpstr (r->path, ==, "/sandboxes/" SANDBOX_ID);
  assert_api_headers (r, FALSE);
  g_assert_cmpint (detail->state, ==, CC_SANDBOX_STATE_RUNNING);
  g_assert_cmpint (detail->memory_mb, ==, 512);
  g_assert_cmpstr (g_hash_table_lookup (detail->metadata, "k"), ==, "v");
  g_assert_cmpint (detail->started_at, ==, G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC);

  /* Sandbox.list({query: {metadata: {purpose: 'probe'}, state: ['running']}, limit: 10}) */
  query.metadata = metadata;
  query.running = TRUE;
  query.limit = 10;
  cc_control_plane_list_async (f->api, &query, NULL, cc_test_store_result_cb, &result);
  page = cc_control_plane_list_finish (f->api, cc_test_wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/v2/sandboxes");
  g_assert_cmpstr (r->query, ==, "metadata=purpose%3Dprobe&state=running&limit=10");
  g_assert_cmpuint (page->len, ==, 1);

  /* setTimeout(90_000) */
  cc_control_plane_set_timeout_async (f->api, SANDBOX_ID, 90, NULL, cc_test_store_result_cb,
                                      &result);
  g_assert_true (cc_control_plane_set_timeout_finish (f->api, cc_test_wait_result (&result),
                                                      &error));
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/sandboxes/" SANDBOX_ID "/timeout");
  assert_api_headers (r, TRUE);
  assert_body (r, "{\"timeout\":90}");

  /* Sandbox.connect(id, {timeoutMs: 60_000}) */
  cc_control_plane_connect_async (f->api, SANDBOX_ID, 60, NULL, cc_test_store_result_cb, &result);
  connected = cc_control_plane_connect_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/v2/sandboxes/" SANDBOX_ID "/connect");
  assert_body (r, "{\"timeout\":60}");
  g_assert_false (connected->resumed);

  /* pause() */
  cc_control_plane_pause_async (f->api, SANDBOX_ID, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_pause_finish (f->api, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/sandboxes/" SANDBOX_ID "/pause");
  assert_body (r, "{}");

  /* getMetrics() */
  cc_control_plane_get_metrics_async (f->api, SANDBOX_ID, 0, 0, NULL, cc_test_store_result_cb,
                                      &result);
  metrics = cc_control_plane_get_metrics_finish (f->api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_null (r->query);
  metric = g_ptr_array_index (metrics, 0);
  g_assert_cmpint (metric->timestamp, ==, 1767225600);
  g_assert_cmpfloat (metric->cpu_used_pct, ==, 1.5);
  g_assert_cmpint (metric->disk_total, ==, 50);

  /* kill() */
  cc_control_plane_kill_async (f->api, SANDBOX_ID, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_kill_finish (f->api, cc_test_wait_result (&result), &error));
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->method, ==, "DELETE");
  assert_api_headers (r, FALSE);
}

static void
test_lifecycle_errors (Fixture       *f,
                       gconstpointer  data)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;

  cc_control_plane_get_async (f->api, "missing", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_get_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_control_plane_kill_async (f->api, "missing", NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_control_plane_kill_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_control_plane_get_async (f->api, "broken", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_get_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "boom"));
  g_clear_error (&error);
  g_clear_object (&result);

  cc_connection_set_api_key (f->connection, "e2b_bad");
  cc_control_plane_create_async (f->api, NULL, 0, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT, NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_create_finish (f->api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_UNAUTHORIZED);
  assert_body (last_request (f), "{\"templateID\":\"base\"}");
  g_clear_object (&result);
}

static CcRemoteProcess *
start (Fixture       *f,
       CcProcessSpec *spec)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcRemoteProcess *process;

  cc_envd_start_process_async (f->envd, spec, NULL, cc_test_store_result_cb, &result);
  process = cc_envd_start_process_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return process;
}

static gboolean
wait_process (CcRemoteProcess *process,
              int             *code,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_remote_process_wait_async (process, NULL, cc_test_store_result_cb, &result);
  return cc_remote_process_wait_finish (process, cc_test_wait_result (&result), code, error);
}

static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CcProcessSpec) plain = cc_process_spec_new_command ("echo hi");
  g_autoptr(CcProcessSpec) opts = cc_process_spec_new_command ("echo hi");
  g_autoptr(CcProcessSpec) untimed = cc_process_spec_new_command ("echo hi");
  g_autoptr(CcProcessSpec) exit3 = cc_process_spec_new_command ("exit 3");
  g_autoptr(CcProcessSpec) deadline = cc_process_spec_new_command ("stream-error");
  g_autoptr(CcProcessSpec) pty = cc_process_spec_new_pty (80, 24);
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Recorded *r;
  int code = -5;

  /* commands.run('echo hi'): 79 bytes, exactly as the SDK. */
  process = start (f, plain);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/process.Process/Start");
  assert_envd_headers (r, TRUE, TRUE, "60000");
  g_assert_null (header (r, "Authorization"));
  assert_envelope_body (r, "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-l\",\"-c\","
                           "\"echo hi\"]},\"stdin\":false}");
  g_assert_cmpuint (g_bytes_get_size (r->body), ==, 79);
  g_signal_connect (process, "stdout", G_CALLBACK (cc_test_append_chunk_cb), out);
  g_assert_true (wait_process (process, &code, &error));
  g_assert_cmpint (code, ==, 0);
  g_clear_object (&process);

  /* run(cmd, {cwd: '/tmp', envs: {A: 'b'}, user: 'root', timeoutMs: 5000}) */
  opts->cwd = g_strdup ("/tmp");
  opts->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (opts->envs, g_strdup ("A"), g_strdup ("b"));
  opts->user = g_strdup ("root");
  opts->timeout_ms = 5000;
  process = start (f, opts);
  r = last_request (f);
  assert_envd_headers (r, TRUE, TRUE, "5000");
  g_assert_cmpstr (header (r, "Authorization"), ==, "Basic cm9vdDo=");
  assert_envelope_body (r, "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-l\",\"-c\","
                           "\"echo hi\"],\"envs\":{\"A\":\"b\"},\"cwd\":\"/tmp\"},"
                           "\"stdin\":false}");
  g_assert_true (wait_process (process, NULL, &error));
  g_clear_object (&process);

  /* timeoutMs: 0 → no Connect-Timeout-Ms at all */
  untimed->timeout_ms = 0;
  process = start (f, untimed);
  assert_envd_headers (last_request (f), TRUE, TRUE, NULL);
  g_assert_true (wait_process (process, NULL, &error));
  g_clear_object (&process);

  process = start (f, exit3);
  g_signal_connect (process, "stderr", G_CALLBACK (cc_test_append_chunk_cb), err);
  g_assert_true (wait_process (process, &code, &error));
  g_assert_cmpint (code, ==, 3);
  g_assert_cmpstr (err->str, ==, "oops\n");
  g_assert_cmpstr (cc_remote_process_get_end_error (process), ==, "exit status 3");
  g_clear_object (&process);

  process = start (f, deadline);
  g_assert_false (wait_process (process, NULL, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DEADLINE);
  g_clear_error (&error);
  g_clear_object (&process);

  /* pty.create({cols: 80, rows: 24}): no "stdin" member */
  process = start (f, pty);
  r = last_request (f);
  assert_envd_headers (r, TRUE, TRUE, "60000");
  {
    g_autoptr(GBytes) payload = g_bytes_new_from_bytes (r->body, 5, g_bytes_get_size (r->body) - 5);
    g_autoptr(JsonNode) a = json_from_string (g_bytes_get_data (payload, NULL), NULL);
    g_autoptr(JsonNode) b = json_from_string (
      "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-i\",\"-l\"],\"envs\":{\"TERM\":"
      "\"xterm-256color\",\"LANG\":\"C.UTF-8\",\"LC_ALL\":\"C.UTF-8\"}},\"pty\":{\"size\":"
      "{\"cols\":80,\"rows\":24}}}", NULL);

    g_assert_true (json_node_equal (a, b));
  }
  g_assert_true (wait_process (process, NULL, &error));

  g_assert_cmpstr (out->str, ==, "hi\n");
}

static void
run_unary (Fixture    *f,
           void      (*call) (Fixture *, GAsyncReadyCallback, gpointer),
           gboolean  (*finish) (CcEnvd *, GAsyncResult *, GError **))
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  call (f, cc_test_store_result_cb, &result);
  g_assert_true (finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
call_send_input (Fixture *f, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("input-data\n", 11);

  cc_envd_send_input_async (f->envd, 103, bytes, FALSE, NULL, cb, data);
}

static void
call_pty_input (Fixture *f, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("ls\n", 3);

  cc_envd_send_input_async (f->envd, 104, bytes, TRUE, NULL, cb, data);
}

static void
call_close_stdin (Fixture *f, GAsyncReadyCallback cb, gpointer data)
{
  cc_envd_close_stdin_async (f->envd, 103, NULL, cb, data);
}

static void
call_kill (Fixture *f, GAsyncReadyCallback cb, gpointer data)
{
  cc_envd_send_signal_async (f->envd, 103, CC_SIGNAL_SIGKILL, NULL, cb, data);
}

static void
call_resize (Fixture *f, GAsyncReadyCallback cb, gpointer data)
{
  cc_envd_resize_pty_async (f->envd, 104, 100, 30, NULL, cb, data);
}

static void
test_process_unary (Fixture       *f,
                    gconstpointer  data)
{
  static const struct {
    void      (*call) (Fixture *, GAsyncReadyCallback, gpointer);
    gboolean  (*finish) (CcEnvd *, GAsyncResult *, GError **);
    const char *path;
    const char *body;
  } calls[] = {
    { call_send_input, cc_envd_send_input_finish, "/process.Process/SendInput",
      "{\"process\":{\"pid\":103},\"input\":{\"stdin\":\"aW5wdXQtZGF0YQo=\"}}" },
    { call_pty_input, cc_envd_send_input_finish, "/process.Process/SendInput",
      "{\"process\":{\"pid\":104},\"input\":{\"pty\":\"bHMK\"}}" },
    { call_close_stdin, cc_envd_close_stdin_finish, "/process.Process/CloseStdin",
      "{\"process\":{\"pid\":103}}" },
    { call_kill, cc_envd_send_signal_finish, "/process.Process/SendSignal",
      "{\"process\":{\"pid\":103},\"signal\":\"SIGNAL_SIGKILL\"}" },
    { call_resize, cc_envd_resize_pty_finish, "/process.Process/Update",
      "{\"process\":{\"pid\":104},\"pty\":{\"size\":{\"cols\":100,\"rows\":30}}}" },
  };
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcProcessInfo *info;

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      Recorded *r;

      run_unary (f, calls[i].call, calls[i].finish);
      r = last_request (f);
      g_assert_cmpstr (r->path, ==, calls[i].path);
      assert_envd_headers (r, TRUE, FALSE, NULL);
      assert_body (r, calls[i].body);
    }

  cc_envd_list_processes_async (f->envd, NULL, cc_test_store_result_cb, &result);
  processes = cc_envd_list_processes_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  assert_body (last_request (f), "{}");
  info = g_ptr_array_index (processes, 0);
  g_assert_cmpuint (info->pid, ==, 103);
  g_assert_cmpstr (info->args[2], ==, "sleep 1000");
  g_assert_cmpstr (g_hash_table_lookup (info->envs, "A"), ==, "b");
  g_assert_cmpstr (info->cwd, ==, "/home/user");
  g_clear_object (&result);

  /* kill(999): not_found */
  cc_envd_send_signal_async (f->envd, 999, CC_SIGNAL_SIGKILL, NULL, cc_test_store_result_cb,
                             &result);
  g_assert_false (cc_envd_send_signal_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Input to a process that takes none: failed_precondition, worded as the state of things
   * (not as a wrong path or command), with the server's reason. */
  {
    g_autoptr(GBytes) input = g_bytes_new_static ("x", 1);

    cc_envd_send_input_async (f->envd, 998, input, FALSE, NULL, cc_test_store_result_cb, &result);
    g_assert_false (cc_envd_send_input_finish (f->envd, cc_test_wait_result (&result), &error));
    g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "as things are now"));
    g_assert_nonnull (strstr (error->message, "process 998 has no stdin"));
  }
}

static void
test_connect_stream (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Recorded *r;
  int code = -5;

  cc_envd_connect_process_async (f->envd, 103, 60000, NULL, cc_test_store_result_cb, &result);
  process = cc_envd_connect_process_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/process.Process/Connect");
  assert_envd_headers (r, TRUE, TRUE, "60000");
  assert_envelope_body (r, "{\"process\":{\"pid\":103}}");
  g_signal_connect (process, "stdout", G_CALLBACK (cc_test_append_chunk_cb), out);
  /* exitCode omitted in the end event means 0. */
  g_assert_true (wait_process (process, &code, &error));
  g_assert_cmpint (code, ==, 0);
  g_assert_cmpstr (out->str, ==, "later output\n");
}

static void
count_events (CcFsEventType      type,
              const char        *name,
              const CcEntryInfo *entry,
              gpointer           user_data)
{
  GString *log = user_data;

  g_string_append_printf (log, "%d:%s;", type, name ? name : "");
}

static void
test_filesystem (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(CcEntryInfo) moved = NULL;
  g_autoptr(GString) events = g_string_new (NULL);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  CcEntryInfo *entry;
  Recorded *r;

  cc_envd_list_dir_async (f->envd, "/home/user", 1, NULL, cc_test_store_result_cb, &result);
  entries = cc_envd_list_dir_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  assert_envd_headers (r, TRUE, FALSE, NULL);
  assert_body (r, "{\"path\":\"/home/user\",\"depth\":1}");
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (entry->name, ==, "a.txt");
  g_assert_cmpint (entry->type, ==, CC_FILE_TYPE_FILE);
  g_assert_cmpint (entry->size, ==, 5);
  g_assert_cmpuint (entry->mode, ==, 0644);
  g_assert_cmpint (((CcEntryInfo *) g_ptr_array_index (entries, 1))->type, ==,
                   CC_FILE_TYPE_DIRECTORY);

  cc_envd_stat_async (f->envd, "/home/user/missing", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  assert_body (last_request (f), "{\"path\":\"/home/user/missing\"}");
  g_clear_error (&error);
  g_clear_object (&result);

  cc_envd_make_dir_async (f->envd, "/home/user/exists", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_make_dir_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_envd_move_async (f->envd, "/home/user/a.txt", "/home/user/z.txt", NULL,
                      cc_test_store_result_cb, &result);
  moved = cc_envd_move_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  assert_body (last_request (f), "{\"source\":\"/home/user/a.txt\",\"destination\":"
                                 "\"/home/user/z.txt\"}");
  g_assert_cmpstr (moved->name, ==, "z.txt");
  g_clear_object (&result);

  cc_envd_remove_async (f->envd, "/home/user/z.txt", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_envd_remove_finish (f->envd, cc_test_wait_result (&result), &error));
  assert_body (last_request (f), "{\"path\":\"/home/user/z.txt\"}");
  g_clear_object (&result);

  cc_envd_watch_dir_async (f->envd, "/home/user", TRUE, FALSE, 60000, count_events, events, NULL,
                           NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_envd_watch_dir_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  r = last_request (f);
  assert_envd_headers (r, TRUE, TRUE, "60000");
  assert_envelope_body (r, "{\"path\":\"/home/user\",\"recursive\":true}");
  g_assert_cmpstr (events->str, ==, "0:;1:new.txt;2:new.txt;");
  g_clear_object (&result);

  cc_envd_health_async (f->envd, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_envd_health_finish (f->envd, cc_test_wait_result (&result), &error));
  r = last_request (f);
  g_assert_cmpstr (r->path, ==, "/health");
  assert_envd_headers (r, FALSE, FALSE, NULL);
  g_clear_object (&result);
}

static void
test_files (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) bee = g_bytes_new_static ("bee", 3);
  g_autoptr(GBytes) binary = g_bytes_new_static ("\0\1\2\377", 4);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(SoupMultipart) multipart = NULL;
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  Recorded *r;

  /* files.write([{path: '/home/user/b.txt', data: 'bee'}, {path: 'rel/c.txt', data: …}]) */
  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/b.txt", bee));
  g_ptr_array_add (files, cc_upload_file_new_bytes ("rel/c.txt", binary));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/files");
  g_assert_null (r->query);
  assert_envd_headers (r, FALSE, FALSE, NULL);
  multipart = soup_multipart_new_from_message (r->headers, r->body);
  g_assert_nonnull (multipart);
  g_assert_cmpint (soup_multipart_get_length (multipart), ==, 2);
  for (int i = 0; i < 2; i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part_body;
      g_autofree char *disposition = NULL;
      const char *raw;

      soup_multipart_get_part (multipart, i, &part_headers, &part_body);
      raw = soup_message_headers_get_one (part_headers, "Content-Disposition");
      disposition = g_strdup_printf ("form-data; name=\"file\"; filename=\"%s\"",
                                     i == 0 ? "/home/user/b.txt" : "rel/c.txt");
      g_assert_cmpstr (raw, ==, disposition);
      g_assert_cmpstr (soup_message_headers_get_content_type (part_headers, NULL), ==,
                       "application/octet-stream");
      g_assert_true (g_bytes_equal (part_body, i == 0 ? bee : binary));
    }
  g_assert_cmpuint (written->len, ==, 2);
  g_assert_cmpstr (((CcEntryInfo *) g_ptr_array_index (written, 1))->path, ==, "rel/c.txt");

  /* files.read('/home/user/a.txt') */
  cc_envd_read_file_async (f->envd, "/home/user/a.txt", NULL, cc_test_store_result_cb, &result);
  hello = cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  r = last_request (f);
  g_assert_cmpstr (r->method, ==, "GET");
  g_assert_cmpstr (r->query, ==, "path=%2Fhome%2Fuser%2Fa.txt");
  assert_envd_headers (r, FALSE, FALSE, NULL);
  g_assert_cmpmem (g_bytes_get_data (hello, NULL), g_bytes_get_size (hello), "hello", 5);

  /* With a user: ?username= on /files, never Basic auth there. */
  cc_envd_set_user (f->envd, "root");
  cc_envd_read_file_async (f->envd, "/home/user/missing.txt", NULL, cc_test_store_result_cb,
                           &result);
  g_assert_null (cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  r = last_request (f);
  g_assert_cmpstr (r->query, ==, "path=%2Fhome%2Fuser%2Fmissing.txt&username=root");
  g_assert_null (header (r, "Authorization"));
  g_clear_object (&result);
}

/* Writes @bytes to @path alone and returns the request that went out. */
static Recorded *
write_one (Fixture    *f,
           const char *path,
           GBytes     *bytes)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (files, cc_upload_file_new_bytes (path, bytes));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 1);
  return last_request (f);
}

/* The one part of @r's multipart body: its Content-Disposition, and its body is @bytes. */
static char *
single_part_disposition (Recorded *r,
                         GBytes   *bytes)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new_from_message (r->headers, r->body);
  SoupMessageHeaders *part_headers;
  GBytes *part_body;

  g_assert_nonnull (multipart);
  g_assert_cmpint (soup_multipart_get_length (multipart), ==, 1);
  soup_multipart_get_part (multipart, 0, &part_headers, &part_body);
  g_assert_cmpstr (soup_message_headers_get_content_type (part_headers, NULL), ==,
                   "application/octet-stream");
  g_assert_true (g_bytes_equal (part_body, bytes));
  return g_strdup (soup_message_headers_get_one (part_headers, "Content-Disposition"));
}

/* files.write('/home/user/a.txt', 'hello'): one multipart part named "file" whose filename is
 * the path, and the path in ?path= as well; with a user, &username= after it. */
static void
test_files_single (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) meta = g_bytes_new_static ("meta", 4);
  g_autofree char *disposition = NULL;
  g_autofree char *odd_disposition = NULL;
  g_autofree char *user_disposition = NULL;
  Recorded *r;

  r = write_one (f, "/home/user/a.txt", hello);
  g_assert_cmpstr (r->method, ==, "POST");
  g_assert_cmpstr (r->path, ==, "/files");
  g_assert_cmpstr (r->query, ==, "path=%2Fhome%2Fuser%2Fa.txt");
  assert_envd_headers (r, FALSE, FALSE, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==,
                   "multipart/form-data");
  disposition = single_part_disposition (r, hello);
  g_assert_cmpstr (disposition, ==, "form-data; name=\"file\"; filename=\"/home/user/a.txt\"");

  /* A quote and a line break: the query carries them exactly, the filename as the SDK's form
   * encoder quotes them. */
  r = write_one (f, "/home/user/say \"hi\"\nthere", hello);
  g_assert_cmpstr (r->query, ==, "path=%2Fhome%2Fuser%2Fsay%20%22hi%22%0Athere");
  odd_disposition = single_part_disposition (r, hello);
  g_assert_cmpstr (odd_disposition, ==,
                   "form-data; name=\"file\"; filename=\"/home/user/say %22hi%22%0Athere\"");

  cc_envd_set_user (f->envd, "root");
  r = write_one (f, "/home/user/e.txt", meta);
  g_assert_cmpstr (r->query, ==, "path=%2Fhome%2Fuser%2Fe.txt&username=root");
  user_disposition = single_part_disposition (r, meta);
  g_assert_cmpstr (user_disposition, ==,
                   "form-data; name=\"file\"; filename=\"/home/user/e.txt\"");
}

/* A plain-HTTP peer answering a TLS client: its first bytes are not a TLS record. */
static gboolean
plain_incoming_cb (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           user_data)
{
  static const char answer[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), answer,
                             strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_tls_failure (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketService) plain = g_socket_service_new ();
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *https = NULL;
  guint16 port;

  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_socket_listener_add_address (G_SOCKET_LISTENER (plain), address, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
    g_assert_no_error (error);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  g_signal_connect (plain, "incoming", G_CALLBACK (plain_incoming_cb), NULL);
  g_socket_service_start (plain);

  https = g_strdup_printf ("https://127.0.0.1:%u", port);
  connection = cc_connection_new_custom (https, NULL, NULL);
  cc_connection_set_api_key (connection, API_KEY);
  api = cc_control_plane_new (connection);
  cc_control_plane_get_async (api, SANDBOX_ID, NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_control_plane_get_finish (api, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_TLS);
  g_assert_null (strstr (error->message, API_KEY));
  g_socket_service_stop (plain);
  g_socket_listener_close (G_SOCKET_LISTENER (plain));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/protocol-wire/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("lifecycle", test_lifecycle);
  ADD ("lifecycle-errors", test_lifecycle_errors);
  ADD ("commands", test_commands);
  ADD ("process-unary", test_process_unary);
  ADD ("connect-stream", test_connect_stream);
  ADD ("filesystem", test_filesystem);
  ADD ("files", test_files);
  ADD ("files-single", test_files_single);
  ADD ("tls-failure", test_tls_failure);
#undef ADD
  return g_test_run ();
}
