/* cc-http.c: requests, their sending and their retries for the protocol client
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place decides whether trying again is safe: a request that may already have had an
 * effect (Process/Start once sent, uploads, input) is never retried; reads and idempotent
 * lifecycle calls are retried on 429/502/503/504 and dropped connections with exponential
 * backoff and jitter, honouring Retry-After for 429. Requests reuse kept-alive connections, and
 * one that fails on such a connection before any answer (the server had closed it) is sent
 * once more at once on a new connection, whatever it is, as browsers do. What a failure means
 * to a person is cc-http-errors.c's business; Connect server streams are read by
 * cc-connect-stream.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-http-exchange-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

#define ERROR_BODY_LIMIT   (64 * 1024)
#define MAX_RETRY_AFTER_S  60

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
  /* An invalid address is reported when the request is sent, where errors are delivered. */
  request->uri = g_uri_parse (request->url, SOUP_HTTP_URI_FLAGS, NULL);
  request->query = g_string_new (NULL);
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
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
  g_clear_pointer (&request->uri, g_uri_unref);
  g_string_free (request->query, TRUE);
  soup_message_headers_unref (request->headers);
  g_free (request->content_type);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_object (&request->body_stream);
  g_free (request->sandbox_id);
  g_ptr_array_unref (request->secrets);
  g_array_unref (request->accepted);
  g_free (request->label);
  g_free (request);
}

/* Names and values are percent-encoded as the SDK's fetch client does (a space is "%20", not
 * the "+" of form encoding), so the query bytes match the SDK's. */
void
_cc_http_request_add_query (CcHttpRequest *request,
                            const char    *name,
                            const char    *value)
{
  g_autofree char *escaped_name = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

  if (request->query->len > 0)
    g_string_append_c (request->query, '&');
  g_string_append_printf (request->query, "%s=%s", escaped_name, escaped_value);
}

/* A header set twice keeps its last value. */
void
_cc_http_request_add_header (CcHttpRequest *request,
                             const char    *name,
                             const char    *value)
{
  soup_message_headers_replace (request->headers, name, value);
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
_cc_http_exchange_check_body_length (CcHttpExchange  *exchange,
                                     goffset          received,
                                     GError         **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (exchange->msg);
  guint status = soup_message_get_status (exchange->msg);

  /* These announce a length without a body. A length is of the encoded body, and what was
   * read has been decoded. */
  if (soup_message_get_method (exchange->msg) != SOUP_METHOD_HEAD &&
      status != SOUP_STATUS_NO_CONTENT && status != SOUP_STATUS_NOT_MODIFIED &&
      soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_one (headers, "Content-Encoding") == NULL &&
      received < soup_message_headers_get_content_length (headers))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                           "the body ended before its Content-Length");
      return FALSE;
    }
  return TRUE;
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
      _cc_http_set_protocol_error (error, detail);
      return NULL;
    }
  data = exchange->body ? g_bytes_get_data (exchange->body, &length) : NULL;
  if (!json_parser_load_from_data (parser, data ? data : "", length, &local_error))
    {
      g_autofree char *detail = g_strdup_printf ("malformed JSON: %s", local_error->message);
      _cc_http_set_protocol_error (error, detail);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      _cc_http_set_protocol_error (error, "empty JSON body");
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
      _cc_http_set_protocol_error (error, "expected a JSON object");
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
      _cc_http_set_protocol_error (error, "expected a JSON array");
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
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
/* Sending, with timeout and retries                                                           */

typedef struct
{
  CcConnection   *connection;
  CcHttpRequest  *request;
  CcHttpExchange *exchange;        /* the current attempt */
  guint           attempt;
  gboolean        resent;          /* sent again after a kept-alive connection was closed */
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

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_replace (user_data, name, value);
}

static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  CcHttpExchange *exchange = user_data;

  if (event == G_SOCKET_CLIENT_RESOLVING || event == G_SOCKET_CLIENT_CONNECTING)
    exchange->connected = TRUE;
}

static CcHttpExchange *
exchange_new (CcConnection  *connection,
              CcHttpRequest *request,
              gboolean       new_connection,
              GCancellable  *caller_cancellable,
              GError       **error)
{
  CcHttpExchange *exchange;
  g_autoptr(GUri) uri = NULL;
  guint timeout;

  if (request->uri == NULL)
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                   _("The server address “%s” is not a valid URL. Fix it in Preferences."),
                   request->url);
      return NULL;
    }
  if (request->query->len > 0)
    uri = g_uri_build (g_uri_get_flags (request->uri), g_uri_get_scheme (request->uri),
                       g_uri_get_userinfo (request->uri), g_uri_get_host (request->uri),
                       g_uri_get_port (request->uri), g_uri_get_path (request->uri),
                       request->query->str, g_uri_get_fragment (request->uri));
  else
    uri = g_uri_ref (request->uri);

  exchange = g_new0 (CcHttpExchange, 1);
  g_atomic_ref_count_init (&exchange->ref_count);
  exchange->connection = g_object_ref (connection);
  exchange->surface = request->surface;
  exchange->sandbox_id = g_strdup (request->sandbox_id);
  exchange->cancellable = g_cancellable_new ();
  exchange->msg = soup_message_new_from_uri (request->method, uri);
  exchange->progress = request->progress;
  exchange->progress_data = request->progress_data;

  soup_message_headers_foreach (request->headers, copy_header,
                                soup_message_get_request_headers (exchange->msg));

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

  /* A request whose body is in memory may go on a kept-alive connection, as the SDK's do:
   * without the flag libsoup opens a new connection for each POST, and a command then costs a
   * connect and a name lookup. (The flag does not make libsoup re-send anything; send_cb does,
   * once, when a kept-alive connection turns out to be closed.) A streamed body cannot be sent
   * again, so it always gets a connection of its own. */
  if (new_connection || request->body_stream != NULL)
    soup_message_add_flags (exchange->msg, SOUP_MESSAGE_NEW_CONNECTION);
  else
    soup_message_add_flags (exchange->msg, SOUP_MESSAGE_IDEMPOTENT);
  g_signal_connect (exchange->msg, "network-event", G_CALLBACK (network_event_cb), exchange);

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
  gssize received;

  received = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error);
  if (received < 0 || !_cc_http_exchange_check_body_length (state->exchange, received, &error))
    {
      gboolean retryable = state->request->retry == CC_HTTP_RETRY_SAFE &&
                           _cc_http_error_is_dropped_connection (error);

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

  _cc_http_set_status_error (&error, state->connection, state->request, msg, body);

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
  g_signal_handlers_disconnect_by_func (exchange->msg, network_event_cb, exchange);
  /* A server may close a kept-alive connection just as a request goes out on it. Nothing of the
   * request was read then, and no answer came: it is sent once more at once, on a connection
   * of its own, as browsers do. Whatever fails after that is for the retry policy below. */
  if (stream == NULL && !exchange->connected && !exchange->timed_out && !state->resent &&
      _cc_http_error_is_dropped_connection (error) &&
      !g_cancellable_is_cancelled (exchange->cancellable))
    {
      g_debug ("Sending %s %s again on a new connection: %s", state->request->method,
               state->request->url, error->message);
      g_error_free (error);
      state->resent = TRUE;
      g_clear_pointer (&state->exchange, _cc_http_exchange_unref);
      start_attempt (task);
      return;
    }
  if (stream == NULL)
    {
      gboolean retryable = state->request->retry == CC_HTTP_RETRY_SAFE &&
                           !exchange->timed_out && _cc_http_error_is_dropped_connection (error);

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

  state->exchange = exchange_new (state->connection, state->request, state->resent,
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

