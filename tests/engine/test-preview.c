/* test-preview.c: the preview proxy (<port>-<id>.<domain> Hosts and preview listeners)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The "dev server" is a libsoup server in this process on 127.0.0.1. The engine runs unisolated
 * here, so its sandboxes share this machine's network and that server is exactly what a server
 * started in a sandbox looks like to it. The isolated path (a private network per sandbox, the
 * launcher connecting inside) is tested in test-netns.c.
 */
#include "config.h"

#include <string.h>

#include "cc-protojson.h"
#include "engine-fs-fixture.h"
#include "cc-test-util.h"

#define BIG_SIZE (4 * 1024 * 1024)

typedef struct
{
  FsFixture   fs;
  SoupServer *dev;
  guint       dev_port;
  char       *host;       /* <dev_port>-<id>.localhost:<engine port> */
} PreviewFixture;

static void
dev_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/big"))
    {
      char *body = g_malloc (BIG_SIZE);

      for (gsize i = 0; i < BIG_SIZE; i++)
        body[i] = 'a' + (i * 7 + i / 1000) % 26;
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE, body, BIG_SIZE);
      return;
    }

  {
    SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
    g_autofree char *text = g_strdup_printf ("method=%s\npath=%s\nquery=%s\nhost=%s\nforwarded-host=%s\n"
                                             "custom=%s\nconnection=%s\napi-key=%s\nbody=%.*s\n",
                                             soup_server_message_get_method (msg), path,
                                             g_uri_get_query (soup_server_message_get_uri (msg)),
                                             soup_message_headers_get_one (request, "Host"),
                                             soup_message_headers_get_one (request, "X-Forwarded-Host"),
                                             soup_message_headers_get_one (request, "X-Custom"),
                                             soup_message_headers_get_one (request, "Connection"),
                                             soup_message_headers_get_one (request, "X-API-Key"),
                                             (int) request_body->length, request_body->data);

    soup_message_headers_replace (response, "X-Dev-Server", "yes");
    soup_server_message_set_status (msg, g_str_equal (path, "/created") ? 201 : 200, NULL);
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
  }
}

static void
ws_message_cb (SoupWebsocketConnection *connection,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  g_autofree char *echo = g_strdup_printf ("echo:%.*s", (int) g_bytes_get_size (message),
                                           (const char *) g_bytes_get_data (message, NULL));

  soup_websocket_connection_send_text (connection, echo);
}

static void
ws_handler (SoupServer              *server,
            SoupServerMessage       *msg,
            const char              *path,
            SoupWebsocketConnection *connection,
            gpointer                 user_data)
{
  GPtrArray *connections = user_data;

  g_ptr_array_add (connections, g_object_ref (connection));
  g_signal_connect (connection, "message", G_CALLBACK (ws_message_cb), NULL);
}

static void
preview_setup (PreviewFixture *f,
               gconstpointer   data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;
  GPtrArray *connections = g_ptr_array_new_with_free_func (g_object_unref);

  fs_fixture_setup (&f->fs, data);
  f->dev = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->dev, NULL, dev_handler, NULL, NULL);
  soup_server_add_websocket_handler (f->dev, "/ws", NULL, NULL, ws_handler, connections,
                                     (GDestroyNotify) g_ptr_array_unref);
  soup_server_listen (f->dev, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->dev);
  f->dev_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  f->host = g_strdup_printf ("%u-%s.localhost:%u", f->dev_port, f->fs.sandbox_id,
                             cc_test_engine_get_port (f->fs.engine));
}

static void
preview_teardown (PreviewFixture *f,
                  gconstpointer   data)
{
  soup_server_disconnect (f->dev);
  g_clear_object (&f->dev);
  g_clear_pointer (&f->host, g_free);
  fs_fixture_teardown (&f->fs, data);
}

static SoupMessage *
preview_message (PreviewFixture *f,
                 const char     *method,
                 const char     *base_url,
                 const char     *path,
                 const char     *host)
{
  g_autofree char *uri = g_strconcat (base_url, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (host != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Host", host);
  return msg;
}

static char *
body_text (GBytes *bytes)
{
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_http (PreviewFixture *f,
           gconstpointer   data)
{
  g_autoptr(SoupMessage) msg = preview_message (f, "GET", f->fs.url, "/page?x=1&y=%20z", f->host);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_host = g_strdup_printf ("host=localhost:%u\n", f->dev_port);
  g_autofree char *expected_forwarded = g_strdup_printf ("forwarded-host=%s\n", f->host);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Custom", "kept");
  /* The engine's key, sent by mistake, would give the sandbox's code every sandbox. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-Key",
                                cc_test_engine_get_api_key (f->fs.engine));
  body = fs_send (&f->fs, msg);
  text = body_text (body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (strstr (text, "api-key=(null)\n"));
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "X-Dev-Server"),
                   ==, "yes");
  g_assert_nonnull (strstr (text, "method=GET\npath=/page\nquery=x=1&y=%20z\n"));
  /* The dev server sees a localhost Host (dev servers refuse others), the original forwarded. */
  g_assert_nonnull (strstr (text, expected_host));
  g_assert_nonnull (strstr (text, expected_forwarded));
  g_assert_nonnull (strstr (text, "custom=kept\n"));
}

static void
test_http_post_and_status (PreviewFixture *f,
                           gconstpointer   data)
{
  g_autoptr(SoupMessage) msg = preview_message (f, "POST", f->fs.url, "/created", f->host);
  g_autoptr(GBytes) request = g_bytes_new_static ("payload=1", 9);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", request);
  body = fs_send (&f->fs, msg);
  text = body_text (body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  g_assert_nonnull (strstr (text, "method=POST\n"));
  g_assert_nonnull (strstr (text, "body=payload=1\n"));
}

static void
test_http_large (PreviewFixture *f,
                 gconstpointer   data)
{
  g_autoptr(SoupMessage) msg = preview_message (f, "GET", f->fs.url, "/big", f->host);
  g_autoptr(GBytes) body = fs_send (&f->fs, msg);
  const char *bytes = g_bytes_get_data (body, NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), ==, BIG_SIZE);
  for (gsize i = 0; i < BIG_SIZE; i += 4099)
    g_assert_cmpint (bytes[i], ==, 'a' + (i * 7 + i / 1000) % 26);
}

static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  /* A port the kernel just handed out and nobody listens on. */
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_port_not_open (PreviewFixture *f,
                    gconstpointer   data)
{
  guint port = closed_port ();
  g_autofree char *host = g_strdup_printf ("%u-%s.localhost", port, f->fs.sandbox_id);
  g_autoptr(SoupMessage) msg = preview_message (f, "GET", f->fs.url, "/", host);
  g_autoptr(GBytes) body = fs_send (&f->fs, msg);
  g_autoptr(JsonObject) object = cc_protojson_parse_object (g_bytes_get_data (body, NULL),
                                                            g_bytes_get_size (body), NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 502);
  g_assert_nonnull (object);
  g_assert_cmpstr (cc_protojson_get_string (object, "sandboxId"), ==, f->fs.sandbox_id);
  g_assert_cmpstr (cc_protojson_get_string (object, "message"), ==,
                   "The sandbox is running but port is not open");
  g_assert_cmpint (cc_protojson_get_int64 (object, "port", 0), ==, port);
  g_assert_cmpint (cc_protojson_get_int64 (object, "code", 0), ==, 502);
}

static void
test_unknown_sandbox (PreviewFixture *f,
                      gconstpointer   data)
{
  g_autoptr(SoupMessage) msg = preview_message (f, "GET", f->fs.url, "/",
                                                "3000-aaaaaaaaaaaaaaaaaaaa.localhost");
  g_autoptr(GBytes) body = fs_send (&f->fs, msg);
  g_autoptr(JsonObject) object = cc_protojson_parse_object (g_bytes_get_data (body, NULL),
                                                            g_bytes_get_size (body), NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 502);
  g_assert_cmpstr (cc_protojson_get_string (object, "message"), ==, "The sandbox was not found");
}

typedef struct
{
  SoupWebsocketConnection *connection;
  GError                  *error;
  char                    *received;
  gboolean                 connected;
} WsClient;

static void
ws_client_message_cb (SoupWebsocketConnection *connection,
                      gint                     type,
                      GBytes                  *message,
                      gpointer                 user_data)
{
  WsClient *client = user_data;

  g_free (client->received);
  client->received = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
}

static void
ws_connected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WsClient *client = user_data;

  client->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                              &client->error);
  if (client->connection != NULL)
    g_signal_connect (client->connection, "message", G_CALLBACK (ws_client_message_cb), client);
  client->connected = TRUE;
}

static void
websocket_round_trip (PreviewFixture *f,
                      const char     *base_url,
                      const char     *host)
{
  g_autofree char *ws_url = g_strconcat ("ws", base_url + strlen ("http"), "/ws", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", ws_url);
  WsClient client = { 0 };

  if (host != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Host", host);
  soup_session_websocket_connect_async (f->fs.session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        ws_connected_cb, &client);
  fs_wait_flag (&client.connected);
  g_assert_no_error (client.error);

  /* Both directions, several times: the tunnel carries frames, not one request. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("ping %u", i);
      g_autofree char *expected = g_strdup_printf ("echo:ping %u", i);

      g_clear_pointer (&client.received, g_free);
      soup_websocket_connection_send_text (client.connection, text);
      CC_TEST_WAIT_FOR (client.received != NULL, "the echoed message");
      g_assert_cmpstr (client.received, ==, expected);
    }

  soup_websocket_connection_close (client.connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  CC_TEST_WAIT_FOR (soup_websocket_connection_get_state (client.connection) == SOUP_WEBSOCKET_STATE_CLOSED,
                    "the WebSocket to close");
  g_clear_object (&client.connection);
  g_free (client.received);
}

static void
test_websocket (PreviewFixture *f,
                gconstpointer   data)
{
  websocket_round_trip (f, f->fs.url, f->host);
}

static char *
create_preview (PreviewFixture *f,
                guint           port,
                guint          *status)
{
  g_autofree char *uri = g_strconcat (f->fs.url, "/engine/previews", NULL);
  g_autofree char *request = g_strdup_printf ("{\"sandboxID\":\"%s\",\"port\":%u}", f->fs.sandbox_id, port);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) body = g_bytes_new (request, strlen (request));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-KEY",
                                cc_test_engine_get_api_key (f->fs.engine));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = fs_send (&f->fs, msg);
  *status = soup_message_get_status (msg);
  object = cc_protojson_parse_object (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL);
  g_assert_nonnull (object);
  return g_strdup (cc_protojson_get_string (object, "url"));
}

static void
test_preview_listener (PreviewFixture *f,
                       gconstpointer   data)
{
  guint status = 0;
  g_autofree char *url = create_preview (f, f->dev_port, &status);
  g_autofree char *again = NULL;
  g_autofree char *base = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (status, ==, 201);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  again = create_preview (f, f->dev_port, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (again, ==, url);

  /* A plain URL a browser opens: no special Host needed. */
  base = g_strndup (url, strlen (url) - 1);
  msg = preview_message (f, "GET", base, "/hello", NULL);
  body = fs_send (&f->fs, msg);
  text = body_text (body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (strstr (text, "path=/hello\n"));
  websocket_round_trip (f, base, NULL);

  /* Without the API key the control plane refuses. */
  {
    g_autofree char *uri = g_strconcat (f->fs.url, "/engine/previews", NULL);
    g_autoptr(SoupMessage) anonymous = soup_message_new ("POST", uri);
    g_autoptr(GBytes) answer = fs_send (&f->fs, anonymous);

    g_assert_cmpuint (soup_message_get_status (anonymous), ==, 401);
  }
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Reads what @socket (non-blocking) has into @answer; TRUE at its end. */
static gboolean
read_to_end (GSocket *socket,
             GString *answer)
{
  char buffer[4096];
  gssize n;

  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (answer, buffer, n);
  return n == 0;
}

/* Through a preview listener a body goes straight to the dev server: one that pauses for longer
 * than the engine's header timeout (300 ms here, several spans) arrives whole, since the dev
 * server, not the engine, decides how long it waits. */
static void
test_listener_slow_body (PreviewFixture *f,
                         gconstpointer   data)
{
  const char *head = "POST /slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n"
                     "Connection: close\r\n\r\n01234";
  guint status = 0;
  g_autofree char *url = create_preview (f, f->dev_port, &status);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean paused = FALSE;
  GSocket *socket;
  guint ticker;

  g_assert_cmpuint (status, ==, 201);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) g_uri_get_port (uri), NULL,
                                                &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_assert_cmpint (g_socket_send (socket, head, strlen (head), NULL, &error), ==, (gssize) strlen (head));
  g_assert_no_error (error);
  g_timeout_add (1500, flag_cb, &paused);
  CC_TEST_WAIT_FOR (paused, "the pause in the body");
  g_assert_cmpint (g_socket_send (socket, "56789", 5, NULL, &error), ==, 5);
  g_assert_no_error (error);
  /* The dev server answers in this process's main loop; a ticker looks at the socket. */
  g_socket_set_blocking (socket, FALSE);
  ticker = g_timeout_add (20, tick_cb, NULL);
  CC_TEST_WAIT_FOR (read_to_end (socket, answer), "the dev server's answer");
  g_source_remove (ticker);
  g_assert_nonnull (strstr (answer->str, "body=0123456789\n"));
}

static const char * const unisolated[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };
static const char * const short_timeout[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1",
                                              "CODE_CANVAS_ENGINE_HEADER_TIMEOUT_MS=300", NULL };

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/engine/preview/" path, PreviewFixture, unisolated, preview_setup, func, preview_teardown)
  ADD ("http", test_http);
  ADD ("http-post-status", test_http_post_and_status);
  ADD ("http-large", test_http_large);
  ADD ("port-not-open", test_port_not_open);
  ADD ("unknown-sandbox", test_unknown_sandbox);
  ADD ("websocket", test_websocket);
  ADD ("listener", test_preview_listener);
  g_test_add ("/engine/preview/listener-slow-body", PreviewFixture, short_timeout, preview_setup,
              test_listener_slow_body, preview_teardown);
#undef ADD

  return g_test_run ();
}
