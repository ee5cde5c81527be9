/* cc-engine-worker.h: filesystem work off the main thread, answered on it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Removing a node_modules tree or writing a 64 MiB upload takes long enough to stall every other
 * client if done on the main loop. The request is paused, the work runs in GIO's thread pool
 * and the answer is written back on the main context.
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

G_END_DECLS
