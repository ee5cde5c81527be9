/* cc-http.c: requests, error mapping and retries for the protocol client
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place decides what an HTTP failure means to a person and whether trying again is safe:
 * a request that may already have had an effect (Process/Start once sent, uploads, input) is
 * never sent twice; reads and idempotent lifecycle calls are retried on 429/502/503/504 and
 * dropped connections with exponential backoff and jitter, honouring Retry-After for 429.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-connect-codec.h"
#include "cc-http-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

#define ERROR_BODY_LIMIT   (64 * 1024)
#define DETAIL_LIMIT       300
#define MAX_RETRY_AFTER_S  60
#define STREAM_READ_SIZE   (64 * 1024)

struct _CcHttpRequest
{
  char          *method;
  char          *url;
  GString       *query;
  GPtrArray     *headers;         /* name, value, name, value… */
  char          *content_type;
  GBytes        *body;
  GInputStream  *body_stream;
  goffset        body_length;
  CcHttpSurface  surface;
  CcHttpRetry    retry;
  gboolean       read_body;
  char          *sandbox_id;
  GPtrArray     *secrets;
  GArray        *accepted;
  CcHttpProgressFunc progress;
  gpointer       progress_data;
  char          *label;
};

struct _CcHttpExchange
{
  gatomicrefcount  ref_count;
  CcConnection    *connection;
  CcHttpSurface    surface;
  char            *sandbox_id;
  SoupMessage     *msg;
  GInputStream    *stream;
  GBytes          *body;
  GCancellable    *cancellable;          /* ours: cancelled by the caller's, the timer, abort */
  GCancellable    *caller_cancellable;
  gulong           caller_handler;
  GSource         *timeout_source;
  gboolean         timed_out;
  gboolean         aborted;
  gboolean         paused;
  GTask           *paused_stream;        /* the stream reader waiting for a resume */
  goffset          body_sent;
  goffset          body_total;
  CcHttpProgressFunc progress;
  gpointer         progress_data;
};

/* ------------------------------------------------------------------------------------------ */
/* Requests                                                                                    */

CcHttpRequest *
_cc_http_request_new (const char    *method,
                      const char    *base_url,
                      const char    *path,
                      CcHttpSurface  surface)
{
  CcHttpRequest *request = g_new0 (CcHttpRequest, 1);

  request->method = g_strdup (method);
  request->url = g_strconcat (base_url, path, NULL);
  request->query = g_string_new (NULL);
  request->headers = g_ptr_array_new_with_free_func (g_free);
  request->secrets = g_ptr_array_new_with_free_func (g_free);
  request->accepted = g_array_new (FALSE, FALSE, sizeof (guint));
  request->surface = surface;
  request->retry = CC_HTTP_RETRY_NEVER;
  request->body_length = -1;
  return request;
}

void
_cc_http_request_free (CcHttpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->url);
  g_string_free (request->query, TRUE);
  g_ptr_array_unref (request->headers);
  g_free (request->content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_object (&request->body_stream);
  g_free (request->sandbox_id);
  g_ptr_array_unref (request->secrets);
  g_array_unref (request->accepted);
  g_free (request->label);
  g_free (request);
}

void
_cc_http_request_add_query (CcHttpRequest *request,
                            const char    *name,
                            const char    *value)
{
  g_autofree char *escaped_name = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (request->query, request->query->len == 0 ? '?' : '&');
  g_string_append_printf (request->query, "%s=%s", escaped_name, escaped_value);
}

void
_cc_http_request_add_header (CcHttpRequest *request,
                             const char    *name,
                             const char    *value)
{
  g_ptr_array_add (request->headers, g_strdup (name));
  g_ptr_array_add (request->headers, g_strdup (value));
}

void
_cc_http_request_set_body (CcHttpRequest *request,
                           const char    *content_type,
                           GBytes        *body)
{
  g_free (request->content_type);
  request->content_type = g_strdup (content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  request->body = g_bytes_ref (body);
}

void
_cc_http_request_set_json (CcHttpRequest *request,
                           JsonNode      *node)
{
  gsize length = 0;
  char *text = cc_protojson_to_string (node, &length);
  g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

  _cc_http_request_set_body (request, "application/json", bytes);
}

void
_cc_http_request_set_body_stream (CcHttpRequest *request,
                                  const char    *content_type,
                                  GInputStream  *stream,
                                  goffset        length)
{
  g_free (request->content_type);
  request->content_type = g_strdup (content_type);
  g_set_object (&request->body_stream, stream);
  request->body_length = length;
  request->retry = CC_HTTP_RETRY_NEVER;
}

void
_cc_http_request_set_retry (CcHttpRequest *request,
                            CcHttpRetry    retry)
{
  /* A streamed body cannot be replayed. */
  request->retry = request->body_stream != NULL ? CC_HTTP_RETRY_NEVER : retry;
}

void
_cc_http_request_set_read_body (CcHttpRequest *request,
                                gboolean       read_body)
{
  request->read_body = read_body;
}

void
_cc_http_request_set_sandbox_id (CcHttpRequest *request,
                                 const char    *sandbox_id)
{
  g_free (request->sandbox_id);
  request->sandbox_id = g_strdup (sandbox_id);
}

void
_cc_http_request_add_secret (CcHttpRequest *request,
                             const char    *secret)
{
  if (secret != NULL && *secret != '\0')
    g_ptr_array_add (request->secrets, g_strdup (secret));
}

void
_cc_http_request_accept_status (CcHttpRequest *request,
                                guint          status)
{
  g_array_append_val (request->accepted, status);
}

void
_cc_http_request_set_progress (CcHttpRequest      *request,
                               CcHttpProgressFunc  progress,
                               gpointer            progress_data)
{
  request->progress = progress;
  request->progress_data = progress_data;
}

void
_cc_http_request_set_label (CcHttpRequest *request,
                            const char    *label)
{
  g_free (request->label);
  request->label = g_strdup (label);
}

/* ------------------------------------------------------------------------------------------ */
/* Exchanges                                                                                   */

static void
exchange_clear_timeout (CcHttpExchange *exchange)
{
  if (exchange->timeout_source != NULL)
    {
      g_source_destroy (exchange->timeout_source);
      g_clear_pointer (&exchange->timeout_source, g_source_unref);
    }
}

CcHttpExchange *
_cc_http_exchange_ref (CcHttpExchange *exchange)
{
  g_atomic_ref_count_inc (&exchange->ref_count);
  return exchange;
}

void
_cc_http_exchange_unref (CcHttpExchange *exchange)
{
  if (exchange == NULL || !g_atomic_ref_count_dec (&exchange->ref_count))
    return;

  exchange_clear_timeout (exchange);
  if (exchange->caller_handler != 0)
    g_cancellable_disconnect (exchange->caller_cancellable, exchange->caller_handler);
  g_clear_object (&exchange->caller_cancellable);
  if (exchange->msg != NULL)
    g_signal_handlers_disconnect_by_data (exchange->msg, exchange);
  g_clear_object (&exchange->stream);
  g_clear_object (&exchange->msg);
  g_clear_pointer (&exchange->body, g_bytes_unref);
  g_clear_object (&exchange->cancellable);
  g_clear_object (&exchange->connection);
  g_free (exchange->sandbox_id);
  g_free (exchange);
}

SoupMessage *
_cc_http_exchange_get_message (CcHttpExchange *exchange)
{
  return exchange->msg;
}

guint
_cc_http_exchange_get_status (CcHttpExchange *exchange)
{
  return soup_message_get_status (exchange->msg);
}

GInputStream *
_cc_http_exchange_get_stream (CcHttpExchange *exchange)
{
  return exchange->stream;
}

GBytes *
_cc_http_exchange_get_body (CcHttpExchange *exchange)
{
  return exchange->body;
}

GCancellable *
_cc_http_exchange_get_cancellable (CcHttpExchange *exchange)
{
  return exchange->cancellable;
}

void
_cc_http_exchange_disarm_timeout (CcHttpExchange *exchange)
{
  exchange_clear_timeout (exchange);
}

void
_cc_http_exchange_abort (CcHttpExchange *exchange)
{
  exchange->aborted = TRUE;
  exchange_clear_timeout (exchange);
  g_cancellable_cancel (exchange->cancellable);
}

gboolean
_cc_http_exchange_has_content_type (CcHttpExchange *exchange,
                                    const char     *media_type)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (exchange->msg),
                                                NULL);
  return type != NULL && g_ascii_strcasecmp (type, media_type) == 0;
}

static void
set_protocol_error (GError    **error,
                    const char *detail)
{
  g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
               _("The server sent an answer Code Canvas cannot understand (%s). Check that the "
                 "server address points at an E2B-compatible service."),
               detail);
}

static JsonNode *
exchange_parse_json (CcHttpExchange *exchange,
                     GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize length = 0;

  if (!_cc_http_exchange_has_content_type (exchange, "application/json"))
    {
      const char *type = soup_message_headers_get_content_type (
        soup_message_get_response_headers (exchange->msg), NULL);
      g_autofree char *detail = g_strdup_printf ("unexpected content type “%s”",
                                                 type ? type : "none");
      set_protocol_error (error, detail);
      return NULL;
    }
  data = exchange->body ? g_bytes_get_data (exchange->body, &length) : NULL;
  if (!json_parser_load_from_data (parser, data ? data : "", length, &local_error))
    {
      g_autofree char *detail = g_strdup_printf ("malformed JSON: %s", local_error->message);
      set_protocol_error (error, detail);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      set_protocol_error (error, "empty JSON body");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

JsonObject *
_cc_http_exchange_parse_object (CcHttpExchange *exchange,
                                GError        **error)
{
  g_autoptr(JsonNode) root = exchange_parse_json (exchange, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      set_protocol_error (error, "expected a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonArray *
_cc_http_exchange_parse_array (CcHttpExchange *exchange,
                               GError        **error)
{
  g_autoptr(JsonNode) root = exchange_parse_json (exchange, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      set_protocol_error (error, "expected a JSON array");
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

/* ------------------------------------------------------------------------------------------ */
/* Error mapping                                                                               */

/* Replaces *error by one of ours, keeping the original text as detail. */
static void
replace_error (GError    **error,
               int         code,
               const char *human)
{
  g_autoptr(GError) old = *error;

  *error = g_error_new (CC_SANDBOX_ERROR, code, "%s (%s)", human, old->message);
}

static gboolean
error_is_dropped_connection (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
}

/**
 * _cc_http_map_transport_error:
 *
 * Turns a GIO / TLS / DNS / libsoup error into a CC_SANDBOX_ERROR. Cancellation and errors
 * already in our domain pass through unchanged.
 */
void
_cc_http_map_transport_error (CcConnection *connection,
                              GError      **error)
{
  GError *e;
  gboolean local;

  if (error == NULL || *error == NULL)
    return;
  e = *error;
  if (e->domain == CC_SANDBOX_ERROR || g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  local = connection != NULL && cc_connection_get_kind (connection) == CC_CONNECTION_LOCAL;

  if (e->domain == G_RESOLVER_ERROR ||
      g_error_matches (e, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    replace_error (error, CC_SANDBOX_ERROR_DNS,
                   _("The server’s host name could not be resolved. Check your network "
                     "connection and the server address."));
  else if (e->domain == G_TLS_ERROR)
    replace_error (error, CC_SANDBOX_ERROR_TLS,
                   _("A secure connection to the server could not be established (certificate "
                     "or TLS handshake failed). Check the server address and the system clock."));
  else if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    replace_error (error, CC_SANDBOX_ERROR_TIMEOUT,
                   _("The server took too long to answer. Check your network connection and "
                     "try again."));
  else if (e->domain == SOUP_SESSION_ERROR)
    replace_error (error, CC_SANDBOX_ERROR_PROTOCOL,
                   _("The server sent an answer Code Canvas cannot understand. Check that the "
                     "server address points at an E2B-compatible service."));
  else if (local && (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
                     g_error_matches (e, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
                     g_error_matches (e, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)))
    replace_error (error, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE,
                   _("The local engine is not running or does not answer. Restart Code Canvas "
                     "to start it again."));
  else
    replace_error (error, CC_SANDBOX_ERROR_NETWORK,
                   _("The connection to the server failed or was lost. Check your network "
                     "connection and try again."));
}

static const char *
sandbox_gone_text (void)
{
  return _("The sandbox no longer exists or is not running (it timed out, was paused or was "
           "killed). Connect to it again or start a new one.");
}

/**
 * _cc_http_set_connect_error:
 * @code: a Connect error code string ("not_found", …)
 * @message: (nullable): the peer's message, kept as detail
 *
 * Sets the error a Connect code means to us (unary error bodies and end-of-stream errors).
 */
void
_cc_http_set_connect_error (GError    **error,
                            const char *code,
                            const char *message,
                            const char *sandbox_id)
{
  int cc_code;
  const char *human;

  if (g_strcmp0 (code, "deadline_exceeded") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_DEADLINE;
      human = _("The command ran past its time limit and was stopped. Run it again with a "
                "longer time limit or none.");
    }
  else if (g_strcmp0 (code, "not_found") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_NOT_FOUND;
      human = _("The file, directory or process does not exist in the sandbox. Check the path "
                "or refresh the view.");
    }
  else if (g_strcmp0 (code, "already_exists") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_ALREADY_EXISTS;
      human = _("It already exists in the sandbox. Choose another name.");
    }
  else if (g_strcmp0 (code, "invalid_argument") == 0 ||
           g_strcmp0 (code, "failed_precondition") == 0 ||
           g_strcmp0 (code, "out_of_range") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_INVALID_ARGUMENT;
      human = _("The sandbox refused the request. Check the path, command or working "
                "directory.");
    }
  else if (g_strcmp0 (code, "unauthenticated") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_UNAUTHORIZED;
      human = _("The sandbox refused its access token or user. Reconnect to the sandbox and "
                "try again.");
    }
  else if (g_strcmp0 (code, "permission_denied") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_FORBIDDEN;
      human = _("Permission denied in the sandbox. Check the file’s owner or run as another "
                "user.");
    }
  else if (g_strcmp0 (code, "resource_exhausted") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_RATE_LIMITED;
      human = _("The sandbox is out of resources or receiving too many requests. Wait a moment "
                "and try again.");
    }
  else if (g_strcmp0 (code, "unavailable") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_SANDBOX_GONE;
      human = sandbox_gone_text ();
    }
  else if (g_strcmp0 (code, "canceled") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_TIMEOUT;
      human = _("The sandbox cancelled the request before it finished. Try again.");
    }
  else if (g_strcmp0 (code, "unimplemented") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_FAILED;
      human = _("The sandbox does not support this operation. Update the sandbox template or "
                "the server.");
    }
  else if (g_strcmp0 (code, "aborted") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_FAILED;
      human = _("The sandbox aborted the operation because of a conflict. Try again.");
    }
  else
    {
      cc_code = CC_SANDBOX_ERROR_SERVER;
      human = _("The sandbox failed to handle the request. Try again; if it keeps failing, "
                "restart the sandbox.");
    }

  if (message != NULL && *message != '\0')
    g_set_error (error, CC_SANDBOX_ERROR, cc_code, "%s (%s: %s)", human,
                 code ? code : "unknown", message);
  else
    g_set_error (error, CC_SANDBOX_ERROR, cc_code, "%s (%s)", human, code ? code : "unknown");
}

static char *
scrub (const char    *text,
       CcHttpRequest *request,
       CcConnection  *connection)
{
  g_autoptr(GString) out = NULL;
  const char *key = _cc_connection_get_api_key (connection);

  if (text == NULL)
    return NULL;
  out = g_string_new (text);
  if (out->len > DETAIL_LIMIT)
    {
      g_string_truncate (out, DETAIL_LIMIT);
      g_string_append (out, "…");
    }
  if (key != NULL && *key != '\0')
    g_string_replace (out, key, "***", 0);
  for (guint i = 0; i < request->secrets->len; i++)
    g_string_replace (out, g_ptr_array_index (request->secrets, i), "***", 0);
  /* Server texts go into a single-line message. */
  g_strdelimit (out->str, "\r\n", ' ');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
set_status_error (GError       **error,
                  CcConnection  *connection,
                  CcHttpRequest *request,
                  SoupMessage   *msg,
                  GBytes        *body)
{
  guint status = soup_message_get_status (msg);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  gboolean is_json = type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
  gboolean envd = request->surface != CC_HTTP_SURFACE_API;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *raw = NULL;
  const char *server_message = NULL;
  const char *connect_code = NULL;
  const char *human;
  int code;

  if (body != NULL && request->surface != CC_HTTP_SURFACE_STREAM)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (body, &len);

      parser = json_parser_new_immutable ();
      if (len > 0 && json_parser_load_from_data (parser, data, len, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *object = json_node_get_object (json_parser_get_root (parser));
          JsonNode *code_node = json_object_get_member (object, "code");

          server_message = cc_protojson_get_string (object, "message");
          if (code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node))
            {
              if (json_node_get_value_type (code_node) == G_TYPE_STRING)
                connect_code = json_node_get_string (code_node);
            }
        }
      else if (len > 0 && g_utf8_validate (data, MIN (len, DETAIL_LIMIT), NULL) && !is_json)
        {
          raw = g_strndup (data, MIN (len, DETAIL_LIMIT));
          server_message = raw;
        }
    }

  /* Unary Connect errors name their code (protocol §4.1); only a valid string code counts. */
  if (request->surface == CC_HTTP_SURFACE_RPC && is_json && connect_code != NULL &&
      cc_connect_code_is_valid (connect_code))
    {
      g_autofree char *scrubbed = scrub (server_message, request, connection);

      _cc_http_set_connect_error (error, connect_code, scrubbed, request->sandbox_id);
      goto prefix;
    }

  switch (status)
    {
    case 400:
      code = CC_SANDBOX_ERROR_INVALID_ARGUMENT;
      human = _("The server refused the request as invalid. Check the values you entered.");
      break;

    case 401:
      code = CC_SANDBOX_ERROR_UNAUTHORIZED;
      if (envd)
        human = _("The sandbox refused its access token. Reconnect to the sandbox and try "
                  "again.");
      else if (cc_connection_get_kind (connection) == CC_CONNECTION_LOCAL)
        human = _("The local engine refused Code Canvas’s key. Restart Code Canvas so that it "
                  "reads the engine’s current key.");
      else
        human = _("The API key was rejected. Check your E2B API key in Preferences.");
      break;

    case 403:
      code = CC_SANDBOX_ERROR_FORBIDDEN;
      human = _("Access was denied. Check that your API key is allowed to use this sandbox or "
                "template.");
      break;

    case 404:
      if (request->surface == CC_HTTP_SURFACE_FILES)
        {
          code = CC_SANDBOX_ERROR_NOT_FOUND;
          human = _("The file or directory does not exist in the sandbox. Check the path.");
        }
      else if (envd || request->sandbox_id != NULL)
        {
          code = CC_SANDBOX_ERROR_SANDBOX_GONE;
          human = sandbox_gone_text ();
        }
      else
        {
          code = CC_SANDBOX_ERROR_NOT_FOUND;
          human = _("The server does not know what was asked for. Check the template name and "
                    "the server address.");
        }
      break;

    case 409:
      code = CC_SANDBOX_ERROR_ALREADY_EXISTS;
      human = _("The request conflicts with the current state. Refresh and try again.");
      break;

    case 429:
      code = CC_SANDBOX_ERROR_RATE_LIMITED;
      human = _("Too many requests, even after waiting and retrying. Wait a minute and try "
                "again.");
      break;

    case 502:
      if (envd)
        {
          code = CC_SANDBOX_ERROR_SANDBOX_GONE;
          human = sandbox_gone_text ();
        }
      else
        {
          code = CC_SANDBOX_ERROR_SERVER;
          human = _("The server’s gateway failed. Try again in a moment.");
        }
      break;

    case 503:
      code = CC_SANDBOX_ERROR_SERVICE_BUSY;
      human = _("The service is busy. Try again in a moment.");
      break;

    case 504:
      code = CC_SANDBOX_ERROR_TIMEOUT;
      human = _("The server timed out while handling the request. Try again.");
      break;

    case 507:
      code = CC_SANDBOX_ERROR_DISK_FULL;
      human = _("The sandbox is out of disk space. Delete files in the sandbox and try again.");
      break;

    default:
      if (status >= 500)
        {
          code = CC_SANDBOX_ERROR_SERVER;
          human = _("The server failed to handle the request. Try again later.");
        }
      else
        {
          code = CC_SANDBOX_ERROR_FAILED;
          human = _("The server refused the request.");
        }
      break;
    }

  detail = scrub (server_message, request, connection);
  if (detail != NULL && *detail != '\0')
    g_set_error (error, CC_SANDBOX_ERROR, code, "%s (HTTP %u: %s)", human, status, detail);
  else
    g_set_error (error, CC_SANDBOX_ERROR, code, "%s (HTTP %u)", human, status);

prefix:
  if (request->label != NULL)
    g_prefix_error (error, "%s: ", request->label);
}

/* ------------------------------------------------------------------------------------------ */
/* Sending, with timeout and retries                                                           */

typedef struct
{
  CcConnection   *connection;
  CcHttpRequest  *request;
  CcHttpExchange *exchange;        /* the current attempt */
  guint           attempt;
  GByteArray     *error_body;
  GOutputStream  *body_out;
  GSource        *wait_source;
  GSource        *wait_cancel_source;
} RequestState;

static void
request_state_free (RequestState *state)
{
  if (state->wait_source != NULL)
    {
      g_source_destroy (state->wait_source);
      g_source_unref (state->wait_source);
    }
  if (state->wait_cancel_source != NULL)
    {
      g_source_destroy (state->wait_cancel_source);
      g_source_unref (state->wait_cancel_source);
    }
  g_clear_pointer (&state->exchange, _cc_http_exchange_unref);
  g_clear_pointer (&state->request, _cc_http_request_free);
  g_clear_pointer (&state->error_body, g_byte_array_unref);
  g_clear_object (&state->body_out);
  g_clear_object (&state->connection);
  g_free (state);
}

static void start_attempt (GTask *task);

static gboolean
exchange_timeout_cb (gpointer user_data)
{
  CcHttpExchange *exchange = user_data;

  exchange->timed_out = TRUE;
  g_clear_pointer (&exchange->timeout_source, g_source_unref);
  g_cancellable_cancel (exchange->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  CcHttpExchange *exchange = user_data;

  /* Runs in the thread that cancelled; GCancellable is thread-safe. */
  g_cancellable_cancel (exchange->cancellable);
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  CcHttpExchange *exchange = user_data;

  exchange->body_sent += chunk_size;
  if (exchange->progress != NULL)
    exchange->progress (exchange->body_sent, exchange->body_total, exchange->progress_data);
}

void
_cc_http_exchange_map_error (CcHttpExchange *exchange,
                             GError        **error)
{
  if (error == NULL || *error == NULL)
    return;

  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && exchange->timed_out)
    {
      g_clear_error (error);
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_TIMEOUT,
                   _("The server did not answer in time. Check your network connection and try "
                     "again."));
      return;
    }
  /* Once the response has started, a body cut short is a protocol fault, not a lost request. */
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    {
      replace_error (error, CC_SANDBOX_ERROR_PROTOCOL,
                     _("The server’s answer was cut short. Try again."));
      return;
    }
  _cc_http_map_transport_error (exchange->connection, error);
}

static CcHttpExchange *
exchange_new (CcConnection  *connection,
              CcHttpRequest *request,
              GCancellable  *caller_cancellable,
              GError       **error)
{
  CcHttpExchange *exchange;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessageHeaders *headers;
  guint timeout;

  url = g_strconcat (request->url, request->query->str, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                   _("The server address “%s” is not a valid URL. Fix it in Preferences."),
                   request->url);
      return NULL;
    }

  exchange = g_new0 (CcHttpExchange, 1);
  g_atomic_ref_count_init (&exchange->ref_count);
  exchange->connection = g_object_ref (connection);
  exchange->surface = request->surface;
  exchange->sandbox_id = g_strdup (request->sandbox_id);
  exchange->cancellable = g_cancellable_new ();
  exchange->msg = soup_message_new_from_uri (request->method, uri);
  exchange->progress = request->progress;
  exchange->progress_data = request->progress_data;

  headers = soup_message_get_request_headers (exchange->msg);
  for (guint i = 0; i + 1 < request->headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (request->headers, i),
                                  g_ptr_array_index (request->headers, i + 1));

  if (request->body_stream != NULL)
    {
      soup_message_set_request_body (exchange->msg, request->content_type, request->body_stream,
                                     request->body_length);
      exchange->body_total = request->body_length;
    }
  else if (request->body != NULL)
    {
      soup_message_set_request_body_from_bytes (exchange->msg, request->content_type,
                                                request->body);
      exchange->body_total = g_bytes_get_size (request->body);
    }
  if (request->progress != NULL)
    g_signal_connect (exchange->msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb),
                      exchange);

  /* Only what may safely be re-sent is marked idempotent: libsoup then re-sends it by itself
   * when a kept-alive connection turns out to be closed. */
  if (request->retry == CC_HTTP_RETRY_SAFE)
    soup_message_add_flags (exchange->msg, SOUP_MESSAGE_IDEMPOTENT);

  if (caller_cancellable != NULL)
    {
      exchange->caller_cancellable = g_object_ref (caller_cancellable);
      exchange->caller_handler = g_cancellable_connect (caller_cancellable,
                                                        G_CALLBACK (caller_cancelled_cb),
                                                        exchange, NULL);
    }

  timeout = cc_connection_get_request_timeout (connection);
  if (timeout > 0)
    {
      exchange->timeout_source = g_timeout_source_new (timeout);
      g_source_set_callback (exchange->timeout_source, exchange_timeout_cb, exchange, NULL);
      g_source_attach (exchange->timeout_source, g_main_context_get_thread_default ());
    }
  return exchange;
}

static gboolean
status_accepted (CcHttpRequest *request,
                 guint          status)
{
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;
  for (guint i = 0; i < request->accepted->len; i++)
    if (g_array_index (request->accepted, guint, i) == status)
      return TRUE;
  return FALSE;
}

static guint
backoff_delay (CcConnection *connection,
               guint         attempt)
{
  guint base = cc_connection_get_retry_base_delay (connection);
  guint64 delay = (guint64) base << MIN (attempt, 10);

  /* Full jitter between half and the whole delay spreads clients that failed together. */
  return (guint) (delay / 2 + g_random_int_range (0, (gint32) MAX (1, delay / 2 + 1)));
}

static gboolean
retry_wait_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  RequestState *state = g_task_get_task_data (task);

  g_clear_pointer (&state->wait_source, g_source_unref);
  if (state->wait_cancel_source != NULL)
    {
      g_source_destroy (state->wait_cancel_source);
      g_clear_pointer (&state->wait_cancel_source, g_source_unref);
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  start_attempt (task);   /* the reference travels on with the new attempt */
  return G_SOURCE_REMOVE;
}

static gboolean
retry_wait_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  GTask *task = user_data;
  RequestState *state = g_task_get_task_data (task);

  g_clear_pointer (&state->wait_cancel_source, g_source_unref);
  if (state->wait_source != NULL)
    {
      g_source_destroy (state->wait_source);
      g_clear_pointer (&state->wait_source, g_source_unref);
    }
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Takes over @error: either schedules another attempt or fails the task with it. */
static void
fail_or_retry (GTask   *task,
               GError  *error,
               gboolean retryable,
               guint    delay_ms)
{
  RequestState *state = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!retryable || state->attempt >= cc_connection_get_max_retries (state->connection) ||
      g_cancellable_is_cancelled (cancellable))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          state->request->label == NULL || error->domain != CC_SANDBOX_ERROR ||
          g_str_has_prefix (error->message, state->request->label))
        g_task_return_error (task, error);
      else
        {
          g_prefix_error (&error, "%s: ", state->request->label);
          g_task_return_error (task, error);
        }
      g_object_unref (task);
      return;
    }

  g_debug ("Retrying %s %s in %u ms (attempt %u): %s", state->request->method,
           state->request->url, delay_ms, state->attempt + 1, error->message);
  g_error_free (error);
  state->attempt++;
  g_clear_pointer (&state->exchange, _cc_http_exchange_unref);

  state->wait_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (state->wait_source, retry_wait_done_cb, task, NULL);
  g_source_attach (state->wait_source, g_main_context_get_thread_default ());
  if (cancellable != NULL)
    {
      state->wait_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (state->wait_cancel_source, G_SOURCE_FUNC (retry_wait_cancelled_cb),
                             task, NULL);
      g_source_attach (state->wait_cancel_source, g_main_context_get_thread_default ());
    }
  /* The task reference travels with whichever source fires first. */
}

static void
complete (GTask *task)
{
  RequestState *state = g_task_get_task_data (task);

  if (state->request->read_body)
    _cc_http_exchange_disarm_timeout (state->exchange);
  g_task_return_pointer (task, _cc_http_exchange_ref (state->exchange),
                         (GDestroyNotify) _cc_http_exchange_unref);
  g_object_unref (task);
}

static void
body_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  RequestState *state = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      gboolean retryable = state->request->retry == CC_HTTP_RETRY_SAFE &&
                           error_is_dropped_connection (error);

      g_clear_object (&state->body_out);
      _cc_http_exchange_map_error (state->exchange, &error);
      fail_or_retry (task, error, retryable, backoff_delay (state->connection, state->attempt));
      return;
    }
  state->exchange->body =
    g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (state->body_out));
  g_clear_object (&state->body_out);
  g_clear_object (&state->exchange->stream);
  complete (task);
}

static void
error_body_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  RequestState *state = g_task_get_task_data (task);
  SoupMessage *msg = state->exchange->msg;
  guint status = soup_message_get_status (msg);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  gsize read = 0;
  gboolean retryable = FALSE;
  guint delay = backoff_delay (state->connection, state->attempt);

  if (g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &read, NULL))
    g_byte_array_set_size (state->error_body, read);
  else
    g_byte_array_set_size (state->error_body, 0);
  body = g_bytes_new (state->error_body->data, state->error_body->len);
  g_input_stream_close_async (G_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  set_status_error (&error, state->connection, state->request, msg, body);

  if (status == 429 && state->request->retry != CC_HTTP_RETRY_NEVER)
    {
      const char *retry_after;
      guint64 seconds;

      retryable = TRUE;
      retry_after = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                  "Retry-After");
      /* Only whole seconds count, as for the SDK; an HTTP date falls back to backoff. */
      if (retry_after != NULL &&
          g_ascii_string_to_unsigned (retry_after, 10, 0, G_MAXUINT32,
                                      &seconds, NULL))
        delay = (guint) MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
    }
  else if ((status == 502 || status == 503 || status == 504) &&
           state->request->retry == CC_HTTP_RETRY_SAFE)
    retryable = TRUE;

  fail_or_retry (task, error, retryable, delay);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  RequestState *state = g_task_get_task_data (task);
  CcHttpExchange *exchange = state->exchange;
  g_autoptr(GInputStream) stream = NULL;
  GError *error = NULL;
  guint status;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      gboolean retryable = state->request->retry == CC_HTTP_RETRY_SAFE &&
                           !exchange->timed_out && error_is_dropped_connection (error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && exchange->timed_out)
        _cc_http_exchange_map_error (exchange, &error);
      else
        _cc_http_map_transport_error (state->connection, &error);
      fail_or_retry (task, error, retryable, backoff_delay (state->connection, state->attempt));
      return;
    }

  status = soup_message_get_status (exchange->msg);
  if (!status_accepted (state->request, status))
    {
      g_clear_pointer (&state->error_body, g_byte_array_unref);
      state->error_body = g_byte_array_sized_new (ERROR_BODY_LIMIT);
      g_byte_array_set_size (state->error_body, ERROR_BODY_LIMIT);
      g_input_stream_read_all_async (stream, state->error_body->data, ERROR_BODY_LIMIT,
                                     G_PRIORITY_DEFAULT, exchange->cancellable,
                                     error_body_read_cb, task);
      exchange->stream = g_steal_pointer (&stream);
      return;
    }

  exchange->stream = g_steal_pointer (&stream);
  if (state->request->read_body)
    {
      state->body_out = g_memory_output_stream_new_resizable ();
      g_output_stream_splice_async (state->body_out, exchange->stream,
                                    G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                    G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                    G_PRIORITY_DEFAULT, exchange->cancellable,
                                    body_read_cb, task);
      return;
    }
  complete (task);
}

static void
start_attempt (GTask *task)
{
  RequestState *state = g_task_get_task_data (task);
  GError *error = NULL;

  state->exchange = exchange_new (state->connection, state->request,
                                  g_task_get_cancellable (task), &error);
  if (state->exchange == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  soup_session_send_async (cc_connection_get_session (state->connection), state->exchange->msg,
                           G_PRIORITY_DEFAULT, state->exchange->cancellable, send_cb, task);
}

void
_cc_http_request_async (CcConnection        *connection,
                        CcHttpRequest       *request,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  RequestState *state;

  task = g_task_new (connection, cancellable, callback, user_data);
  g_task_set_source_tag (task, _cc_http_request_async);
  state = g_new0 (RequestState, 1);
  state->connection = g_object_ref (connection);
  state->request = request;
  g_task_set_task_data (task, state, (GDestroyNotify) request_state_free);

  if (request->surface == CC_HTTP_SURFACE_API && !cc_connection_has_api_key (connection))
    {
      GError *error = NULL;

      if (cc_connection_get_kind (connection) == CC_CONNECTION_LOCAL)
        g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE,
                     _("The local engine’s key is unknown. Restart Code Canvas so that it finds "
                       "the running engine."));
      else
        g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NO_API_KEY,
                     _("No API key is set for this connection. Add your E2B API key in "
                       "Preferences."));
      fail_or_retry (task, error, FALSE, 0);
      return;
    }

  start_attempt (task);
}

CcHttpExchange *
_cc_http_request_finish (GAsyncResult *result,
                         GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Connect server streams                                                                      */

/* We ask for a keepalive every 50 s; a stream silent for three intervals is a dead
 * connection (no FIN, no RST), not a quiet process. */
#define STREAM_SILENCE_LIMIT_S 150

typedef struct
{
  CcHttpExchange       *exchange;
  char                 *sandbox_id;
  CcConnectMessageFunc  func;
  gpointer              func_data;
  CcConnectDecoder     *decoder;
  GSource              *watchdog;
  gboolean              silent;
} StreamState;

static void
stream_clear_watchdog (StreamState *state)
{
  if (state->watchdog != NULL)
    {
      g_source_destroy (state->watchdog);
      g_clear_pointer (&state->watchdog, g_source_unref);
    }
}

static gboolean
stream_watchdog_cb (gpointer user_data)
{
  StreamState *state = user_data;

  state->silent = TRUE;
  g_clear_pointer (&state->watchdog, g_source_unref);
  g_cancellable_cancel (_cc_http_exchange_get_cancellable (state->exchange));
  return G_SOURCE_REMOVE;
}

static void
stream_arm_watchdog (StreamState *state)
{
  stream_clear_watchdog (state);
  state->watchdog = g_timeout_source_new_seconds (STREAM_SILENCE_LIMIT_S);
  g_source_set_callback (state->watchdog, stream_watchdog_cb, state, NULL);
  g_source_attach (state->watchdog, g_main_context_get_thread_default ());
}

static void
stream_skipped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_input_stream_skip_finish (G_INPUT_STREAM (source), result, NULL);
  g_input_stream_close_async (G_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (source);
}

static void
stream_state_free (StreamState *state)
{
  stream_clear_watchdog (state);
  g_clear_pointer (&state->exchange, _cc_http_exchange_unref);
  g_clear_pointer (&state->decoder, cc_connect_decoder_free);
  g_free (state->sandbox_id);
  g_free (state);
}

static void stream_read_more (GTask *task);

typedef enum
{
  DRAIN_MORE,      /* read more bytes */
  DRAIN_DONE,      /* the task has completed */
  DRAIN_PAUSED,    /* a consumer asked to wait; resumed by _cc_http_exchange_resume() */
} DrainResult;

static void
stream_fail (GTask  *task,
             GError *error)
{
  StreamState *state = g_task_get_task_data (task);

  /* Stop the transfer: nothing after an error is delivered. */
  stream_clear_watchdog (state);
  _cc_http_exchange_abort (state->exchange);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static DrainResult
stream_drain (GTask *task)
{
  StreamState *state = g_task_get_task_data (task);

  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(JsonObject) object = NULL;
      GError *error = NULL;
      guint8 flags = 0;
      const char *data;
      gsize length;

      /* Aborted (disconnect, cancel) while messages were still buffered: deliver no more. */
      if (g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The output stream was closed."));
          _cc_http_exchange_map_error (state->exchange, &error);
          stream_clear_watchdog (state);
          g_task_return_error (task, error);
          g_object_unref (task);
          return DRAIN_DONE;
        }

      if (!cc_connect_decoder_next (state->decoder, &flags, &payload, &error))
        {
          if (error != NULL)
            {
              stream_fail (task, error);
              return DRAIN_DONE;
            }
          return DRAIN_MORE;
        }

      if (flags & CC_CONNECT_FLAG_COMPRESSED)
        {
          set_protocol_error (&error, "compressed stream message that was never negotiated");
          stream_fail (task, error);
          return DRAIN_DONE;
        }

      data = g_bytes_get_data (payload, &length);
      object = cc_protojson_parse_object (data, length, &error);
      if (object == NULL)
        {
          g_autofree char *detail = g_strdup_printf ("bad stream message: %s", error->message);

          g_clear_error (&error);
          set_protocol_error (&error, detail);
          stream_fail (task, error);
          return DRAIN_DONE;
        }

      if (flags & CC_CONNECT_FLAG_END_STREAM)
        {
          JsonObject *end_error = cc_protojson_get_object (object, "error");

          if (end_error != NULL)
            {
              const char *code = cc_protojson_get_string (end_error, "code");

              _cc_http_set_connect_error (&error, code ? code : "unknown",
                                          cc_protojson_get_string (end_error, "message"),
                                          state->sandbox_id);
              stream_fail (task, error);
              return DRAIN_DONE;
            }
          /* The stream is complete. Reading the framing that follows (the last chunk) lets
           * libsoup put the connection back in the pool instead of closing it. */
          _cc_http_exchange_disarm_timeout (state->exchange);
          stream_clear_watchdog (state);
          g_input_stream_skip_async (_cc_http_exchange_get_stream (state->exchange), 65536,
                                     G_PRIORITY_DEFAULT, NULL, stream_skipped_cb,
                                     g_object_ref (_cc_http_exchange_get_stream (state->exchange)));
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return DRAIN_DONE;
        }

      if (!state->func (object, state->func_data, &error))
        {
          stream_fail (task, error);
          return DRAIN_DONE;
        }
      if (state->exchange->paused &&
          !g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          state->exchange->paused_stream = task;
          return DRAIN_PAUSED;
        }
      if (g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The output stream was closed."));
          _cc_http_exchange_map_error (state->exchange, &error);
          g_task_return_error (task, error);
          g_object_unref (task);
          return DRAIN_DONE;
        }
    }
}

static void
stream_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  StreamState *state = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      stream_clear_watchdog (state);
      if (state->silent && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK,
                       _("The sandbox stopped sending anything, not even keepalives, for %d "
                         "seconds: the connection is lost. Check your network connection and "
                         "reattach."),
                       STREAM_SILENCE_LIMIT_S);
        }
      else
        _cc_http_exchange_map_error (state->exchange, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      stream_clear_watchdog (state);
      if (cc_connect_decoder_get_pending (state->decoder) > 0)
        set_protocol_error (&error, "the stream ended inside a message");
      else
        set_protocol_error (&error, "the stream ended without its end-of-stream message");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  cc_connect_decoder_push (state->decoder, g_bytes_get_data (chunk, NULL),
                           g_bytes_get_size (chunk));
  if (stream_drain (task) == DRAIN_MORE)
    stream_read_more (task);
}

/**
 * _cc_http_exchange_pause:
 *
 * Called from a stream's message function: stop delivering messages after this one until
 * _cc_http_exchange_resume(). Used so that output arriving with the start event is not
 * emitted before the caller has the process object in hand.
 */
void
_cc_http_exchange_pause (CcHttpExchange *exchange)
{
  exchange->paused = TRUE;
}

void
_cc_http_exchange_resume (CcHttpExchange *exchange)
{
  GTask *task;

  exchange->paused = FALSE;
  task = g_steal_pointer (&exchange->paused_stream);
  if (task != NULL && stream_drain (task) == DRAIN_MORE)
    stream_read_more (task);
}

static void
stream_read_more (GTask *task)
{
  StreamState *state = g_task_get_task_data (task);

  stream_arm_watchdog (state);
  g_input_stream_read_bytes_async (_cc_http_exchange_get_stream (state->exchange),
                                   STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   _cc_http_exchange_get_cancellable (state->exchange),
                                   stream_read_cb, task);
}

void
_cc_connect_stream_read_async (CcHttpExchange      *exchange,
                               const char          *sandbox_id,
                               CcConnectMessageFunc func,
                               gpointer             func_data,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  StreamState *state;

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, _cc_connect_stream_read_async);
  state = g_new0 (StreamState, 1);
  state->exchange = _cc_http_exchange_ref (exchange);
  state->sandbox_id = g_strdup (sandbox_id);
  state->func = func;
  state->func_data = func_data;
  state->decoder = cc_connect_decoder_new (0);
  g_task_set_task_data (task, state, (GDestroyNotify) stream_state_free);

  if (!_cc_http_exchange_has_content_type (exchange, "application/connect+json"))
    {
      GError *error = NULL;
      const char *type = soup_message_headers_get_content_type (
        soup_message_get_response_headers (exchange->msg), NULL);
      g_autofree char *detail = g_strdup_printf ("unexpected content type “%s” for a stream",
                                                 type ? type : "none");

      set_protocol_error (&error, detail);
      stream_fail (task, error);
      return;
    }
  stream_read_more (task);
}

gboolean
_cc_connect_stream_read_finish (GAsyncResult *result,
                                GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_cc_http_exchange_detach_cancellable (CcHttpExchange *exchange)
{
  if (exchange->caller_handler != 0)
    g_cancellable_disconnect (exchange->caller_cancellable, exchange->caller_handler);
  exchange->caller_handler = 0;
  g_clear_object (&exchange->caller_cancellable);
}

/* ------------------------------------------------------------------------------------------ */
/* A concatenation of input streams: lets a multipart body of many files be streamed part by
 * part instead of being assembled in one buffer. */

#define CC_TYPE_CONCAT_STREAM (cc_concat_stream_get_type ())
G_DECLARE_FINAL_TYPE (CcConcatStream, cc_concat_stream, CC, CONCAT_STREAM, GInputStream)

struct _CcConcatStream
{
  GInputStream  parent_instance;
  GPtrArray    *streams;
  guint         index;
};

G_DEFINE_FINAL_TYPE (CcConcatStream, cc_concat_stream, G_TYPE_INPUT_STREAM)

static gssize
cc_concat_stream_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  CcConcatStream *self = CC_CONCAT_STREAM (stream);

  while (self->index < self->streams->len)
    {
      gssize n = g_input_stream_read (g_ptr_array_index (self->streams, self->index), buffer,
                                      count, cancellable, error);

      if (n != 0)
        return n;
      self->index++;
    }
  return 0;
}

typedef struct
{
  void  *buffer;
  gsize  count;
} ConcatRead;

static void concat_read_next (GTask *task);

static void
concat_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  CcConcatStream *self = g_task_get_source_object (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (n > 0)
    {
      g_task_return_int (task, n);
      g_object_unref (task);
      return;
    }
  self->index++;
  concat_read_next (task);
}

static void
concat_read_next (GTask *task)
{
  CcConcatStream *self = g_task_get_source_object (task);
  ConcatRead *read = g_task_get_task_data (task);

  if (self->index >= self->streams->len)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  g_input_stream_read_async (g_ptr_array_index (self->streams, self->index), read->buffer,
                             read->count, g_task_get_priority (task),
                             g_task_get_cancellable (task), concat_read_cb, task);
}

static void
cc_concat_stream_read_async (GInputStream        *stream,
                             void                *buffer,
                             gsize                count,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  ConcatRead *read = g_new0 (ConcatRead, 1);

  read->buffer = buffer;
  read->count = count;
  g_task_set_task_data (task, read, g_free);
  g_task_set_priority (task, io_priority);
  concat_read_next (task);
}

static gssize
cc_concat_stream_read_finish (GInputStream  *stream,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
cc_concat_stream_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  CcConcatStream *self = CC_CONCAT_STREAM (stream);

  for (guint i = 0; i < self->streams->len; i++)
    g_input_stream_close (g_ptr_array_index (self->streams, i), NULL, NULL);
  return TRUE;
}

static void
cc_concat_stream_finalize (GObject *object)
{
  CcConcatStream *self = CC_CONCAT_STREAM (object);

  g_ptr_array_unref (self->streams);
  G_OBJECT_CLASS (cc_concat_stream_parent_class)->finalize (object);
}

static void
cc_concat_stream_class_init (CcConcatStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cc_concat_stream_finalize;
  stream_class->read_fn = cc_concat_stream_read;
  stream_class->read_async = cc_concat_stream_read_async;
  stream_class->read_finish = cc_concat_stream_read_finish;
  stream_class->close_fn = cc_concat_stream_close;
}

static void
cc_concat_stream_init (CcConcatStream *self)
{
}

GInputStream *
_cc_http_concat_stream_new (GPtrArray *streams)
{
  CcConcatStream *self = g_object_new (CC_TYPE_CONCAT_STREAM, NULL);

  self->streams = g_ptr_array_ref (streams);
  return G_INPUT_STREAM (self);
}
