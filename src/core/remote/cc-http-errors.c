/* cc-http-errors.c: what a failed request means to a person, per surface
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The control plane and the sandbox daemon answer failures differently: the control plane and
 * the daemon's plain HTTP routes send {"code": <int>, "message"}, unary Connect calls send
 * {"code": "<string>", "message"}, and a server stream that fails before it starts has only its
 * status. Each becomes a CC_SANDBOX_ERROR with a message that says what to do next; secrets and
 * line breaks never reach it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-http-exchange-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

#define DETAIL_LIMIT 300

void
_cc_http_set_protocol_error (GError    **error,
                             const char *detail)
{
  g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
               _("The server sent an answer Code Canvas cannot understand (%s). Check that the "
                 "server address points at an E2B-compatible service."),
               detail);
}

/* Replaces *error by one of ours, keeping the original text as detail. */
static void
replace_error (GError    **error,
               int         code,
               const char *human)
{
  g_autoptr(GError) old = *error;

  *error = g_error_new (CC_SANDBOX_ERROR, code, "%s (%s)", human, old->message);
}

/* The connection was refused, closed or cut: worth another try for a request safe to repeat. */
gboolean
_cc_http_error_is_dropped_connection (const GError *error)
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
           g_strcmp0 (code, "out_of_range") == 0)
    {
      cc_code = CC_SANDBOX_ERROR_INVALID_ARGUMENT;
      human = _("The sandbox refused the request. Check the path, command or working "
                "directory.");
    }
  else if (g_strcmp0 (code, "failed_precondition") == 0)
    {
      /* Not the request's values but the state of things: a process without input, a link
       * loop, an engine that refuses commands. The reason that follows says which. */
      cc_code = CC_SANDBOX_ERROR_INVALID_ARGUMENT;
      human = _("The sandbox cannot do this as things are now; the reason follows.");
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
      human = _("The sandbox refused this path: it is outside the sandbox, or the sandbox’s "
                "user may not use it. Give a path inside the sandbox, or run as another user.");
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

void
_cc_http_set_status_error (GError       **error,
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

  /* A unary Connect error names its code as a string; only a code Connect defines counts. */
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
      else if (cc_connection_get_kind (connection) == CC_CONNECTION_CUSTOM)
        human = _("The service refused the API key stored for its endpoint. Store the right key "
                  "for this endpoint (in Preferences, or with the CLI’s “key set --endpoint”).");
      else
        human = _("The API key was rejected. Check your E2B API key in Preferences.");
      break;

    case 403:
      code = CC_SANDBOX_ERROR_FORBIDDEN;
      /* From the sandbox itself the key played no part: the path was refused. */
      if (envd)
        human = _("The sandbox refused this path: it is outside the sandbox, or the sandbox’s "
                  "user may not use it. Give a path inside the sandbox (its home is the "
                  "default).");
      else
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

