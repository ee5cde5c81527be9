/* cc-engine-worker.h: filesystem work and large parses off the main thread, answered on it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Removing a node_modules tree, writing a 64 MiB upload or parsing a 16 MiB request takes long
 * enough to stall every other client if done on the main loop. The request is paused, the work
 * runs in GIO's thread pool and the request goes on on the main context.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Runs in a worker thread: returns the answer's JSON body, or NULL with @error set. */
typedef JsonNode *(*CcEngineFsWorkFunc)  (gpointer            data,
                                          GCancellable       *cancellable,
                                          GError            **error);
/* Runs on the main context with the outcome; answers @msg (which is unpaused afterwards). */
typedef void      (*CcEngineFsReplyFunc) (SoupServerMessage  *msg,
                                          JsonNode           *result,
                                          const GError       *error);

/* The same, for a reply that needs the request's own data (@data, freed after it). */
typedef void      (*CcEngineFsReplyDataFunc) (SoupServerMessage *msg,
                                              JsonNode          *result,
                                              const GError      *error,
                                              gpointer           data);

void _cc_engine_worker_run_full (SoupServerMessage       *msg,
                                 CcEngineFsWorkFunc       work,
                                 CcEngineFsReplyDataFunc  reply,
                                 gpointer                 data,
                                 GDestroyNotify           data_free);

void _cc_engine_worker_run (SoupServerMessage   *msg,
                            CcEngineFsWorkFunc   work,
                            CcEngineFsReplyFunc  reply,
                            gpointer             data,
                            GDestroyNotify       data_free);

/* Bodies up to this size are parsed where they are read: a few milliseconds at most. */
#define CC_ENGINE_PARSE_INLINE_BYTES (64 * 1024)

/* Handles @msg (again). */
typedef void      (*CcEngineRequestFunc) (SoupServerMessage *msg,
                                          gpointer           data);

/* A JSON request body (or a streaming call's one envelope) over CC_ENGINE_PARSE_INLINE_BYTES is
 * parsed in a worker thread, not on the main loop: pauses @msg, parses it there, then calls
 * @again with @msg on the main context, where _cc_engine_worker_parse_body() hands out the
 * result. Returns FALSE (and does nothing more) for any other request. @data is freed with
 * @data_free in either case, once it is no longer needed. */
gboolean    _cc_engine_worker_defer_parse (SoupServerMessage   *msg,
                                           CcEngineRequestFunc  again,
                                           gpointer             data,
                                           GDestroyNotify       data_free);

/* The JSON object in @data (@length bytes of @msg's body): what the worker parsed, when it did,
 * else parsed here, within the request bounds. (transfer full) */
JsonObject *_cc_engine_worker_parse_body  (SoupServerMessage   *msg,
                                           const char          *data,
                                           gsize                length,
                                           GError             **error);

G_END_DECLS
