/* cc-engine-private.h: what the parts of the engine share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server (cc-engine.c) authenticates and routes each request, then hands the daemon's
 * filesystem, /files and preview traffic to the handlers declared at the bottom. Handlers read
 * requests and answer with the helpers of cc-engine-rpc.h so that every error has the
 * protocol's shape.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cc-engine.h"
#include "cc-engine-rpc.h"
#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* The envd version we announce: we implement everything up to it (octet-stream uploads, metadata
 * headers, watch includeEntry); the SDK enables features by comparing against it. */
#define CC_ENGINE_ENVD_VERSION "0.6.13"
#define CC_ENGINE_ENVD_PORT    49983


/* A server-streaming Connect response (application/connect+json, chunked). The stream writes
 * envelopes as they come, sends {"event":{"keepalive":{}}}-style keepalives produced by
 * @keepalive_payload every Keepalive-Ping-Interval seconds of silence, notices when the client
 * goes away (the "closed" callback), and never holds more than a bounded backlog: when the
 * client reads slowly, cc_engine_stream_is_congested() tells the producer to pause. */
typedef struct _CcEngineStream CcEngineStream;

typedef void (*CcEngineStreamClosedFunc) (CcEngineStream *stream,
                                          gpointer        user_data);

CcEngineStream *_cc_engine_stream_new             (SoupServerMessage        *msg,
                                                   const char               *keepalive_payload,
                                                   CcEngineStreamClosedFunc  closed,
                                                   gpointer                  user_data);
void            _cc_engine_stream_send_json       (CcEngineStream           *stream,
                                                   JsonNode                 *message);
/* End-of-stream: {} when @code is NULL, else {"error":{"code":…,"message":…}}; frees nothing. */
void            _cc_engine_stream_finish          (CcEngineStream           *stream,
                                                   const char               *code,
                                                   const char               *message);
/* A last message, then a clean end-of-stream, in one chunk. */
void            _cc_engine_stream_finish_with     (CcEngineStream           *stream,
                                                   const char               *payload,
                                                   gsize                     length);
/* Ends the stream by cutting its connection, without an end envelope (the sandbox is gone). */
void            _cc_engine_stream_abort           (CcEngineStream           *stream);
gboolean        _cc_engine_stream_is_congested    (CcEngineStream           *stream);
gboolean        _cc_engine_stream_is_closed       (CcEngineStream           *stream);
CcEngineStream *_cc_engine_stream_ref             (CcEngineStream           *stream);
void            _cc_engine_stream_unref           (CcEngineStream           *stream);

/* Handlers for the daemon API. @user is the Linux user the request selected ("user" or "root").
 * Filesystem: @method is the part after "/filesystem.Filesystem/". */
void     _cc_engine_filesystem_handle    (CcEngine          *engine,
                                          CcEngineSandbox   *sandbox,
                                          SoupServerMessage *msg,
                                          const char        *method,
                                          const char        *user);
/* GET and POST /files, with @authorized TRUE when X-Access-Token matched; otherwise the
 * handler checks the signature parameters itself (signature, signature_expiration). */
void     _cc_engine_files_handle         (CcEngine          *engine,
                                          CcEngineSandbox   *sandbox,
                                          SoupServerMessage *msg,
                                          GHashTable        *query,
                                          gboolean           authorized);
/* A request whose Host is <port>-<id>.<domain>: proxied to that port of the sandbox. */
void     _cc_engine_preview_handle       (CcEngine          *engine,
                                          CcEngineSandbox   *sandbox,
                                          guint              port,
                                          SoupServerMessage *msg);

/* The same for a request with a body, called as soon as its headers are in (an early handler):
 * proxies it from there so that its body streams through; does nothing for a request without a
 * body. The engine-stream addition. */
void     _cc_engine_preview_handle_early (CcEngine          *engine,
                                          CcEngineSandbox   *sandbox,
                                          guint              port,
                                          SoupServerMessage *msg);

/* Control plane POST /engine/previews {"sandboxID":…,"port":N} (X-API-KEY checked by the router):
 * opens or reuses a loopback listener proxying to that sandbox port, answers {"url":…}. For
 * clients whose resolver does not map <port>-<id>.localhost to 127.0.0.1 (see
 * cc-engine-preview.c). */
void     _cc_engine_preview_create       (CcEngine          *engine,
                                          SoupServerMessage *msg);

/* Additions by the server (engine-core). */

/* Called when a congested stream has drained its backlog, so a paused producer can go on. */
typedef void (*CcEngineStreamDrainedFunc) (CcEngineStream *stream,
                                           gpointer        user_data);
void     _cc_engine_stream_set_drained_func (CcEngineStream          *stream,
                                             CcEngineStreamDrainedFunc drained,
                                             gpointer                 user_data);
/* Replaces the closed callback given to _cc_engine_stream_new(). */
void     _cc_engine_stream_set_closed_func  (CcEngineStream          *stream,
                                             CcEngineStreamClosedFunc closed,
                                             gpointer                 user_data);
/* Detaches the closed callback (the producer is going away before the stream). */
void     _cc_engine_stream_clear_callbacks  (CcEngineStream          *stream);
/* Ends the stream after @deadline_ms with deadline_exceeded unless finished before
 * (Connect-Timeout-Ms); 0 = no deadline. The closed callback then runs. */
void     _cc_engine_stream_set_deadline     (CcEngineStream          *stream,
                                             guint64                  deadline_ms);
gboolean _cc_engine_stream_is_finished      (CcEngineStream          *stream);
/* Sends one message whose JSON text is already built (the hot path of process output). */
void     _cc_engine_stream_send_payload     (CcEngineStream          *stream,
                                             const char              *json,
                                             gsize                    length);
/* Sends a complete envelope (flags 0) built by the caller; the bytes may be shared by streams. */
void     _cc_engine_stream_send_envelope    (CcEngineStream          *stream,
                                             GBytes                  *envelope);
/* Connect-Timeout-Ms of the request in ms, 0 when absent or invalid. */
guint64  _cc_engine_request_timeout_ms      (SoupServerMessage       *msg);

G_END_DECLS
