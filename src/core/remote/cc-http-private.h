/* cc-http-private.h: what the protocol client's files share (requests, errors, retries)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every request of the protocol client goes through _cc_http_request_async() (cc-http.c): it
 * builds the SoupMessage with the connection's headers, bounds it with the request timeout, maps
 * every failure (GIO, TLS, DNS, HTTP status, JSON error bodies) to a CC_SANDBOX_ERROR with a
 * message a person can act on (cc-http-errors.c), and retries what is safe to retry with
 * exponential backoff and jitter. Server streams are read with cc-connect-stream-private.h.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cc-connection.h"

G_BEGIN_DECLS

/* How a request may be re-sent after a failure. */
typedef enum
{
  CC_HTTP_RETRY_NEVER,        /* may have had an effect: never re-sent */
  CC_HTTP_RETRY_RATE_LIMIT,   /* only after 429 (the server refused it without acting) */
  CC_HTTP_RETRY_SAFE,         /* 429/502/503/504, refused and reset connections */
} CcHttpRetry;

/* Which error body shape and status meaning applies (see cc-http-errors.c). */
typedef enum
{
  CC_HTTP_SURFACE_API,        /* control plane: {"code": <int>, "message"} */
  CC_HTTP_SURFACE_RPC,        /* envd unary Connect: {"code": "<string>", "message"} */
  CC_HTTP_SURFACE_STREAM,     /* envd server stream: non-200 → error from the status alone */
  CC_HTTP_SURFACE_FILES,      /* envd plain HTTP (/files, /health): {"code": <int>, "message"} */
} CcHttpSurface;

typedef struct _CcHttpRequest CcHttpRequest;

CcHttpRequest *_cc_http_request_new           (const char     *method,
                                               const char     *base_url,
                                               const char     *path,
                                               CcHttpSurface   surface);
void           _cc_http_request_free          (CcHttpRequest  *request);
/* Query parameter, encoded here (appended in call order). */
void           _cc_http_request_add_query     (CcHttpRequest  *request,
                                               const char     *name,
                                               const char     *value);
void           _cc_http_request_add_header    (CcHttpRequest  *request,
                                               const char     *name,
                                               const char     *value);
void           _cc_http_request_set_body      (CcHttpRequest  *request,
                                               const char     *content_type,
                                               GBytes         *body);
/* A JSON body built from @node (content-type application/json). */
void           _cc_http_request_set_json      (CcHttpRequest  *request,
                                               JsonNode       *node);
/* A streamed body (@length -1 = chunked). Such a request is never retried. */
void           _cc_http_request_set_body_stream (CcHttpRequest *request,
                                               const char     *content_type,
                                               GInputStream   *stream,
                                               goffset         length);
void           _cc_http_request_set_retry     (CcHttpRequest  *request,
                                               CcHttpRetry     retry);
/* Read the whole response body before completing (unary calls). */
void           _cc_http_request_set_read_body (CcHttpRequest  *request,
                                               gboolean        read_body);
/* The sandbox the request is about (for messages: "sandbox … no longer exists"). */
void           _cc_http_request_set_sandbox_id (CcHttpRequest *request,
                                               const char     *sandbox_id);
/* Secrets that must never appear in an error message (scrubbed from server texts). */
void           _cc_http_request_add_secret    (CcHttpRequest  *request,
                                               const char     *secret);
/* Statuses that are not errors for this call (e.g. 409 for pause); 2xx always are not. */
void           _cc_http_request_accept_status (CcHttpRequest  *request,
                                               guint           status);
/* Upload progress (body bytes written). */
typedef void (*CcHttpProgressFunc) (goffset  done,
                                    goffset  total,
                                    gpointer user_data);

void           _cc_http_request_set_progress  (CcHttpRequest  *request,
                                               CcHttpProgressFunc progress,
                                               gpointer        progress_data);
/* Human label of the operation, prefixed to errors ("Could not create a sandbox"). */
void           _cc_http_request_set_label     (CcHttpRequest  *request,
                                               const char     *label);

/* The outcome of a request: the message (status, headers), and either the unread body stream
 * (streams, downloads) or the whole body (when read_body was set). */
typedef struct _CcHttpExchange CcHttpExchange;

CcHttpExchange *_cc_http_exchange_ref          (CcHttpExchange *exchange);
void            _cc_http_exchange_unref        (CcHttpExchange *exchange);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcHttpExchange, _cc_http_exchange_unref)
SoupMessage    *_cc_http_exchange_get_message  (CcHttpExchange *exchange);
guint           _cc_http_exchange_get_status   (CcHttpExchange *exchange);
GInputStream   *_cc_http_exchange_get_stream   (CcHttpExchange *exchange);
GBytes         *_cc_http_exchange_get_body     (CcHttpExchange *exchange);
/* Cancelled by the caller's cancellable, the timeout, or _cc_http_exchange_abort(). */
GCancellable   *_cc_http_exchange_get_cancellable (CcHttpExchange *exchange);
/* The handshake is over: the request timeout no longer applies (streams). */
void            _cc_http_exchange_disarm_timeout (CcHttpExchange *exchange);
void            _cc_http_exchange_abort        (CcHttpExchange *exchange);
/* The caller's cancellable stops applying (a started process outlives its start call). */
void            _cc_http_exchange_detach_cancellable (CcHttpExchange *exchange);
/* FALSE with G_IO_ERROR_PARTIAL_INPUT when the answer announced a longer body than the
 * @received bytes read to its end. libsoup takes the end of the connection for the end of the
 * body when the server said Connection: close, even before Content-Length bytes came; a cut
 * body must not pass. */
gboolean        _cc_http_exchange_check_body_length (CcHttpExchange  *exchange,
                                                     goffset          received,
                                                     GError         **error);
/* TRUE when the content type's media type is @media_type (parameters ignored). */
gboolean        _cc_http_exchange_has_content_type (CcHttpExchange *exchange,
                                                    const char     *media_type);
/* The body as a JSON object; a wrong content type or bad JSON is CC_SANDBOX_ERROR_PROTOCOL. */
JsonObject     *_cc_http_exchange_parse_object (CcHttpExchange *exchange,
                                                GError        **error);
/* The body as a JSON array (control-plane lists, /files answers). */
JsonArray      *_cc_http_exchange_parse_array  (CcHttpExchange *exchange,
                                                GError        **error);
/* Turns a read error on the exchange's stream into our domain (timeout, reset, truncation). */
void            _cc_http_exchange_map_error    (CcHttpExchange *exchange,
                                                GError        **error);

/* Sends @request (taking ownership) through @connection. Completes when the response head
 * (and, with read_body, the body) arrived with an accepted status; else with a mapped error
 * after the allowed retries. */
void            _cc_http_request_async         (CcConnection        *connection,
                                                CcHttpRequest       *request,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcHttpExchange *_cc_http_request_finish        (GAsyncResult        *result,
                                                GError             **error);

/* Error mapping (cc-http-errors.c), also used by the stream readers. */
void            _cc_http_set_connect_error     (GError            **error,
                                                const char         *code,
                                                const char         *message,
                                                const char         *sandbox_id);
void            _cc_http_map_transport_error   (CcConnection       *connection,
                                                GError            **error);

/* Internal of the connection used by requests. */
const char     *_cc_connection_get_api_key     (CcConnection        *connection);

G_END_DECLS
