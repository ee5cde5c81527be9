/* cc-engine-preview.c: the preview proxy (<port>-<id>.<domain> → that port of the sandbox)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each isolated sandbox has a network namespace of its own, so its port N is on its own loopback:
 * the sandbox's launcher connects to it from inside and hands the socket over (the proxy never
 * reaches a port on the host's loopback, nor another sandbox's). Unisolated, port N is the host's
 * 127.0.0.1:N. Once the target accepts a connection, the client's connection is taken over from libsoup, the request is
 * written to the target once more (Host rewritten, hop-by-hop headers dropped, "Connection:
 * close" unless it is an upgrade) and the two sockets are spliced both ways. So a response of any
 * size streams through without being held, and WebSocket upgrades (live reload of dev servers)
 * work with no extra code: the 101 and the frames are just bytes on the spliced sockets. A
 * request with a body is taken over as soon as its headers are in (the server's early handler),
 * so its body too flows from socket to socket, never through memory. When
 * the port is not open the answer is E2B's proxy error: 502 with
 * {"sandboxId","message","port","code"}.
 *
 * Inside the Flatpak (flatpak-spawn), sandboxes with internet access share the app's network:
 * one port can be held by one sandbox only. The launcher then connects only to a server of its
 * own sandbox; when another sandbox holds the port, the 502 says so and adds "heldBy": that
 * sandbox's id (as does the answer to POST /engine/previews), so the client can name the
 * project. Sandboxes without internet access have a loopback of their own (--no-network).
 *
 * Preview listeners (a fallback for clients that do not resolve *.localhost)
 * --------------------------------------------------------------------------
 * "<port>-<id>.localhost:<engine port>" reaches the engine only if the client maps every
 * *.localhost name to loopback. GLib's resolver does (checked on Debian 12: GResolver answers ::1
 * and 127.0.0.1), so libsoup and WebKitGTK load such URLs, and so does curl (browsers have the
 * same rule built in); glibc's getaddrinfo with Debian's "hosts: files dns" does not (getent,
 * Python, Node's default lookup). For those, and for anyone who wants a plain URL, the engine offers one loopback port
 * per previewed sandbox port, on the control plane:
 *
 *   POST /engine/previews            X-API-KEY: <engine key>
 *   {"sandboxID":"<id>","port":3000}
 *   → 201 {"sandboxID":"<id>","port":3000,"url":"http://127.0.0.1:<listen port>/"}
 *     (200 with the same URL when that preview exists already; "heldBy": "<other id>" added
 *     when another sandbox holds the port of a shared network, see below)
 *   → 400 {"code":400,"message":…} bad body / port; 404 unknown sandbox
 *
 * Everything sent to that URL is proxied exactly like a <port>-<id> Host (same 502 answers,
 * same WebSocket support); the listener binds 127.0.0.1 only and lives as long as the engine.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cc-engine-launcher.h"
#include "cc-engine-private.h"
#include "cc-engine-server.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

#define PREVIEWS_KEY "cc-engine-previews"

typedef struct
{
  CcEngine          *engine;
  SoupServerMessage *msg;
  char              *sandbox_id;
  guint              port;
  gulong             finished_id;
  gboolean           finished;
  gboolean           streaming;   /* taken over before its body: see _cc_engine_preview_handle_early() */
} Pending;

static void
pending_free (Pending *self)
{
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
  g_clear_object (&self->engine);
  g_free (self->sandbox_id);
  g_free (self);
}

static void
pending_finished_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  Pending *self = user_data;

  self->finished = TRUE;
}

static void
reply_proxy_error_held (SoupServerMessage *msg,
                        const char        *sandbox_id,
                        guint              port,
                        const char        *message,
                        const char        *held_by)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxId");
  json_builder_add_string_value (builder, sandbox_id ? sandbox_id : "");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  if (port > 0)
    {
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
    }
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, SOUP_STATUS_BAD_GATEWAY);
  if (held_by != NULL)
    {
      json_builder_set_member_name (builder, "heldBy");
      json_builder_add_string_value (builder, held_by);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_BAD_GATEWAY, node);
}

static void
reply_proxy_error (SoupServerMessage *msg,
                   const char        *sandbox_id,
                   guint              port,
                   const char        *message)
{
  reply_proxy_error_held (msg, sandbox_id, port, message, NULL);
}

/* The other running sandbox whose processes listen on @port, when sandboxes share a network
 * (flatpak-spawn with internet access); NULL otherwise. */
static const char *
find_holder (CcEngine   *engine,
             const char *sandbox_id,
             guint       port)
{
  GHashTableIter iter;
  gpointer value;

  if (_cc_engine_get_isolation_mode (engine) != CC_ENGINE_ISOLATION_FLATPAK_SPAWN)
    return NULL;
  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CcEngineSandbox *other = value;

      if (!g_str_equal (cc_engine_sandbox_get_id (other), sandbox_id) &&
          cc_engine_sandbox_get_state (other) == CC_ENGINE_SANDBOX_RUNNING &&
          cc_engine_launcher_holds_port (other, port))
        return cc_engine_sandbox_get_id (other);
    }
  return NULL;
}

/* The sandbox id of a <port>-<id>.<domain> Host, for answers about a sandbox we do not know. */
static char *
sandbox_id_from_host (SoupServerMessage *msg)
{
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Host");
  const char *dash, *dot;

  if (host == NULL || (dash = strchr (host, '-')) == NULL)
    return g_strdup ("");
  dot = strchr (dash + 1, '.');
  return dot ? g_strndup (dash + 1, dot - dash - 1) : g_strdup (dash + 1);
}

static gboolean
is_hop_by_hop (const char *name,
               const char *connection,
               gboolean    streaming)
{
  /* With the engine's API key, which a client may send to a preview host by mistake: the
   * sandbox's server would then hold every sandbox. */
  static const char * const hop[] = {
    "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
    "TE", "Trailer", "Upgrade", "Host", "X-API-Key",
  };
  /* The body's framing: rewritten when the body was read here (and libsoup already answered an
   * Expect), passed on when the body still comes from the client's socket. */
  static const char * const framing[] = { "Transfer-Encoding", "Content-Length", "Expect" };

  for (guint i = 0; i < G_N_ELEMENTS (hop); i++)
    if (g_ascii_strcasecmp (name, hop[i]) == 0)
      return TRUE;
  for (guint i = 0; !streaming && i < G_N_ELEMENTS (framing); i++)
    if (g_ascii_strcasecmp (name, framing[i]) == 0)
      return TRUE;
  /* Headers the client named in Connection belong to this hop only, too. */
  return connection != NULL && soup_header_contains (connection, name);
}

/* The request as the target will see it: the same method, target and end-to-end headers. */
static GBytes *
build_request_head (CcEngine          *engine,
                    SoupServerMessage *msg,
                    guint              port,
                    gsize              body_length,
                    gboolean           streaming)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *connection = soup_message_headers_get_list (headers, "Connection");
  const char *upgrade = soup_message_headers_get_one (headers, "Upgrade");
  const char *host = soup_message_headers_get_one (headers, "Host");
  GUri *uri = soup_server_message_get_uri (msg);
  GString *head = g_string_sized_new (1024);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  GSocketAddress *remote;

  g_string_append_printf (head, "%s %s%s%s HTTP/1.1\r\n",
                          soup_server_message_get_method (msg),
                          *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
                          g_uri_get_query (uri) ? "?" : "",
                          g_uri_get_query (uri) ? g_uri_get_query (uri) : "");
  /* Dev servers guard against DNS rebinding by accepting only localhost Hosts (Vite does). */
  g_string_append_printf (head, "Host: localhost:%u\r\n", port);

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (!is_hop_by_hop (name, connection, streaming))
      g_string_append_printf (head, "%s: %s\r\n", name, value);

  if (host != NULL)
    g_string_append_printf (head, "X-Forwarded-Host: %s\r\n", host);
  g_string_append (head, "X-Forwarded-Proto: http\r\n");
  /* Should the target pass the request back to us (a forwarder to the engine's port), the
   * engine sees its own entry and refuses it, instead of proxying it again without end. */
  g_string_append_printf (head, "Via: 1.1 %s\r\n", _cc_engine_get_hop_token (engine));
  remote = soup_server_message_get_remote_address (msg);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *ip = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      g_string_append_printf (head, "X-Forwarded-For: %s\r\n", ip);
    }

  if (upgrade != NULL && connection != NULL && soup_header_contains (connection, "Upgrade"))
    g_string_append_printf (head, "Connection: Upgrade\r\nUpgrade: %s\r\n", upgrade);
  else
    g_string_append (head, "Connection: close\r\n");
  if (!streaming &&
      (body_length > 0 || soup_message_headers_get_one (headers, "Content-Length") != NULL ||
       soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED))
    g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_length);
  g_string_append (head, "\r\n");

  return g_string_free_to_bytes (head);
}

typedef struct
{
  GIOStream   *client;
  GIOStream   *target;
  GBytes      *head;
  GBytes      *body;
} Tunnel;

static void
tunnel_free (Tunnel *self)
{
  g_clear_object (&self->client);
  g_clear_object (&self->target);
  g_clear_pointer (&self->head, g_bytes_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self);
}

static void
splice_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Tunnel *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_io_stream_splice_finish (result, &error))
    g_debug ("Preview connection ended: %s", error->message);
  tunnel_free (self);
}

static void
start_splice (Tunnel *self)
{
  /* Either side closing ends the exchange: the target closes after its response (we asked it
   * to), a WebSocket ends when either end goes away. */
  g_io_stream_splice_async (self->client, self->target,
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, splice_done_cb, self);
}

static void
wrote_body_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Tunnel *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_debug ("Preview request body not delivered: %s", error->message);
      g_io_stream_close (self->client, NULL, NULL);
      g_io_stream_close (self->target, NULL, NULL);
      tunnel_free (self);
      return;
    }
  start_splice (self);
}

static void
wrote_head_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Tunnel *self = user_data;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  const void *data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_debug ("Preview request not delivered: %s", error->message);
      g_io_stream_close (self->client, NULL, NULL);
      g_io_stream_close (self->target, NULL, NULL);
      tunnel_free (self);
      return;
    }
  data = self->body ? g_bytes_get_data (self->body, &length) : NULL;
  if (length == 0)
    {
      start_splice (self);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->target), data, length,
                                   G_PRIORITY_DEFAULT, NULL, wrote_body_cb, self);
}

/* The target is connected (or @connection is NULL and @error says why not): take over. */
static void
proxy_connected (Pending           *pending,
                 GSocketConnection *connection,
                 const GError      *error)
{
  Tunnel *self;
  gsize length;
  const void *head;

  if (pending->finished)
    {
      g_clear_object (&connection);
      pending_free (pending);
      return;
    }
  if (connection == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    {
      const char *holder = find_holder (pending->engine, pending->sandbox_id, pending->port);
      g_autofree char *message =
        holder != NULL
          ? g_strdup_printf ("Port %u is held by sandbox %s: sandboxes with internet access share "
                             "one network here, so only one of them can use a port", pending->port, holder)
          : g_strdup_printf ("Port %u is held by a program outside this sandbox", pending->port);

      reply_proxy_error_held (pending->msg, pending->sandbox_id, pending->port, message, holder);
      soup_server_message_unpause (pending->msg);
      pending_free (pending);
      return;
    }
  if (connection == NULL)
    {
      g_debug ("Preview of port %u: %s", pending->port, error->message);
      reply_proxy_error (pending->msg, pending->sandbox_id, pending->port,
                         "The sandbox is running but port is not open");
      soup_server_message_unpause (pending->msg);
      pending_free (pending);
      return;
    }

  self = g_new0 (Tunnel, 1);
  self->target = G_IO_STREAM (connection);
  if (pending->streaming)
    self->head = build_request_head (pending->engine, pending->msg, pending->port, 0, TRUE);
  else
    {
      self->body = _cc_engine_request_body (pending->msg);
      self->head = build_request_head (pending->engine, pending->msg, pending->port,
                                       g_bytes_get_size (self->body), FALSE);
    }
  g_clear_signal_handler (&pending->finished_id, pending->msg);
  self->client = soup_server_message_steal_connection (pending->msg);
  pending_free (pending);
  if (self->client == NULL)
    {
      tunnel_free (self);
      return;
    }

  head = g_bytes_get_data (self->head, &length);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->target), head, length,
                                   G_PRIORITY_DEFAULT, NULL, wrote_head_cb, self);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  proxy_connected (user_data, connection, error);
}

/* Inside a sandbox's network namespace ------------------------------------------------------ */

/* A socket the launcher made inside may still be connecting (a busy listener's full backlog):
 * its end is waited for here, bounded like a host connection. */
typedef struct
{
  Pending *pending;
  GSocket *socket;
  GSource *ready;
  guint    timeout_id;
} Inside;

static void
inside_done (Inside       *inside,
             const GError *error)
{
  GSocketConnection *connection = NULL;

  if (error == NULL)
    connection = g_socket_connection_factory_create_connection (inside->socket);
  proxy_connected (inside->pending, connection, error);
  g_source_destroy (inside->ready);
  g_source_unref (inside->ready);
  g_object_unref (inside->socket);
  g_free (inside);
}

static gboolean
inside_ready_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Inside *inside = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&inside->timeout_id, g_source_remove);
  g_socket_check_connect_result (socket, &error);
  inside_done (inside, error);
  return G_SOURCE_REMOVE;
}

static gboolean
inside_timeout_cb (gpointer user_data)
{
  Inside *inside = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                 "connecting inside the sandbox timed out");

  inside->timeout_id = 0;
  inside_done (inside, error);
  return G_SOURCE_REMOVE;
}

/* The sandbox has a network of its own: its launcher connects to the port inside it. */
static void
connect_inside (CcEngine        *engine,
                CcEngineSandbox *sandbox,
                Pending         *pending)
{
  g_autoptr(GError) error = NULL;
  CcEngineLauncher *launcher;
  Inside *inside;
  GSocket *socket = NULL;
  CcEngineIsolation isolation = _cc_engine_get_isolation_mode (engine);
  int fd = -1;

  launcher = cc_engine_launcher_get (sandbox, "user", _cc_engine_get_runtime_dir (engine), isolation,
                                     &error);
  /* Every process of the sandbox is started by its launcher: while that one is still starting,
   * nothing can listen inside. */
  if (launcher != NULL && !cc_engine_launcher_is_ready (launcher))
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                 "the sandbox is still starting; nothing listens on port %u yet", pending->port);
  /* A shared network's port N may be another sandbox's server, or the engine itself. */
  else if (launcher != NULL)
    fd = cc_engine_launcher_connect (launcher, pending->port,
                                     isolation == CC_ENGINE_ISOLATION_FLATPAK_SPAWN &&
                                     cc_engine_sandbox_get_internet (sandbox),
                                     &error);
  if (fd >= 0 && (socket = g_socket_new_from_fd (fd, &error)) == NULL)
    close (fd);
  if (socket == NULL)
    {
      proxy_connected (pending, NULL, error);
      return;
    }
  inside = g_new0 (Inside, 1);
  inside->pending = pending;
  inside->socket = socket;
  inside->ready = g_socket_create_source (socket, G_IO_OUT | G_IO_ERR | G_IO_HUP, NULL);
  g_source_set_callback (inside->ready, (GSourceFunc) G_CALLBACK (inside_ready_cb), inside, NULL);
  g_source_attach (inside->ready, g_main_context_get_thread_default ());
  inside->timeout_id = g_timeout_add_seconds (30, inside_timeout_cb, inside);
}

static void
preview_start (CcEngine          *engine,
               CcEngineSandbox   *sandbox,
               guint              port,
               SoupServerMessage *msg,
               gboolean           streaming)
{
  g_autoptr(GSocketClient) client = NULL;
  Pending *pending;

  if (sandbox == NULL || cc_engine_sandbox_get_state (sandbox) != CC_ENGINE_SANDBOX_RUNNING)
    {
      g_autofree char *id = sandbox ? g_strdup (cc_engine_sandbox_get_id (sandbox))
                                    : sandbox_id_from_host (msg);

      reply_proxy_error (msg, id, 0, "The sandbox was not found");
      return;
    }
  if (port == 0 || port > 65535)
    {
      reply_proxy_error (msg, cc_engine_sandbox_get_id (sandbox), port,
                         "The sandbox is running but port is not open");
      return;
    }
  /* Unisolated, the sandbox's port N is this machine's port N: the engine's own ports would send
   * the proxy into itself. (A route back through anything else is caught by the Via entry.) */
  if (!_cc_engine_is_isolated (engine) && _cc_engine_is_own_port (engine, port))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      reply_proxy_error (msg, cc_engine_sandbox_get_id (sandbox), port,
                         "This port is the engine's own; the preview proxy does not route back into it");
      return;
    }
  if (_cc_engine_refuse_loop (engine, msg))
    return;

  pending = g_new0 (Pending, 1);
  pending->engine = g_object_ref (engine);
  pending->msg = g_object_ref (msg);
  pending->sandbox_id = g_strdup (cc_engine_sandbox_get_id (sandbox));
  pending->port = port;
  pending->streaming = streaming;
  pending->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (pending_finished_cb), pending);

  soup_server_message_pause (msg);
  if (_cc_engine_is_isolated (engine))
    {
      connect_inside (engine, sandbox, pending);
      return;
    }
  /* Unisolated, a sandbox's processes share this machine's network. */
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 30);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", port, NULL, connected_cb, pending);
}

void
_cc_engine_preview_handle (CcEngine          *engine,
                           CcEngineSandbox   *sandbox,
                           guint              port,
                           SoupServerMessage *msg)
{
  preview_start (engine, sandbox, port, msg, FALSE);
}

/* A request with a body is taken over as soon as its headers are in: the body then goes from the
 * client's socket to the target's through the splice, never through memory. Without a body
 * there is nothing to gain, and the request takes the ordinary path. */
void
_cc_engine_preview_handle_early (CcEngine          *engine,
                                 CcEngineSandbox   *sandbox,
                                 guint              port,
                                 SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CHUNKED &&
      soup_message_headers_get_content_length (headers) <= 0)
    return;
  /* Whatever happens next (even an error answer), the body is not kept. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  if (sandbox == NULL || cc_engine_sandbox_get_state (sandbox) != CC_ENGINE_SANDBOX_RUNNING)
    return;  /* answered by _cc_engine_preview_handle() once the body is drained */
  preview_start (engine, sandbox, port, msg, TRUE);
}

/* Preview listeners ------------------------------------------------------------------------ */

typedef struct
{
  CcEngine   *engine;       /* borrowed: listeners are owned by the engine */
  char       *sandbox_id;
  guint       port;
  SoupServer *server;
  guint       listen_port;
  char       *url;
} Listener;

static void
listener_free (gpointer data)
{
  Listener *self = data;

  if (self->listen_port != 0)
    _cc_engine_forget_port (self->engine, self->listen_port);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  g_free (self->sandbox_id);
  g_free (self->url);
  g_free (self);
}

static void
listener_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Listener *self = user_data;

  _cc_engine_preview_handle (self->engine, cc_engine_lookup_sandbox (self->engine, self->sandbox_id),
                             self->port, msg);
}

static void
listener_early_handler (SoupServer        *server,
                        SoupServerMessage *msg,
                        const char        *path,
                        GHashTable        *query,
                        gpointer           user_data)
{
  Listener *self = user_data;

  _cc_engine_preview_handle_early (self->engine,
                                   cc_engine_lookup_sandbox (self->engine, self->sandbox_id),
                                   self->port, msg);
}

void
_cc_engine_preview_create (CcEngine          *engine,
                           SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = _cc_engine_request_body (msg);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *key = NULL;
  GHashTable *listeners;
  Listener *listener;
  const char *sandbox_id;
  gint64 port;
  gsize length;
  const char *data;
  gboolean created = FALSE;

  data = g_bytes_get_data (bytes, &length);
  request = _cc_engine_worker_parse_body (msg, data, length, &error);
  if (request == NULL)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  sandbox_id = cc_protojson_get_string (request, "sandboxID");
  port = cc_protojson_get_int64 (request, "port", 0);
  if (sandbox_id == NULL || port <= 0 || port > 65535)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "send {\"sandboxID\":…,\"port\":N} with a port from 1 to 65535");
      return;
    }
  if (cc_engine_lookup_sandbox (engine, sandbox_id) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("sandbox \"%s\" not found", sandbox_id);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }

  listeners = g_object_get_data (G_OBJECT (engine), PREVIEWS_KEY);
  if (listeners == NULL)
    {
      listeners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, listener_free);
      g_object_set_data_full (G_OBJECT (engine), PREVIEWS_KEY, listeners,
                              (GDestroyNotify) g_hash_table_unref);
    }

  key = g_strdup_printf ("%s:%u", sandbox_id, (guint) port);
  listener = g_hash_table_lookup (listeners, key);
  if (listener == NULL)
    {

      listener = g_new0 (Listener, 1);
      listener->engine = engine;
      listener->sandbox_id = g_strdup (sandbox_id);
      listener->port = port;
      listener->server = soup_server_new ("server-header", "code-canvas-engine ", NULL);
      soup_server_add_handler (listener->server, NULL, listener_handler, listener, NULL);
      soup_server_add_early_handler (listener->server, NULL, listener_early_handler, listener, NULL);
      _cc_engine_guard_server (engine, listener->server);
      listener->listen_port = _cc_engine_listen (engine, listener->server, G_SOCKET_FAMILY_IPV4, 0, &error);
      if (listener->listen_port == 0)
        {
          listener_free (listener);
          _cc_engine_reply_api_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
          return;
        }
      listener->url = g_strdup_printf ("http://127.0.0.1:%u/", listener->listen_port);
      g_hash_table_insert (listeners, g_steal_pointer (&key), listener);
      created = TRUE;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxID");
  json_builder_add_string_value (builder, listener->sandbox_id);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, listener->port);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, listener->url);
  {
    const char *holder = find_holder (engine, sandbox_id, (guint) port);

    if (holder != NULL)
      {
        json_builder_set_member_name (builder, "heldBy");
        json_builder_add_string_value (builder, holder);
      }
  }
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, answer);
}
