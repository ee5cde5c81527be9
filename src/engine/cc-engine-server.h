/* cc-engine-server.h: the engine's own parts (server, control plane, processes)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-isolation.h"
#include "cc-engine-private.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-spare.h"

G_BEGIN_DECLS

#define CC_ENGINE_DEFAULT_TIMEOUT_S 300
#define CC_ENGINE_MAX_TIMEOUT_S     86400
#define CC_ENGINE_MAX_SANDBOXES     1000
/* Request bodies other than /files uploads. */
#define CC_ENGINE_MAX_BODY          (16 * 1024 * 1024)
/* A connection must send a complete request head within this (CODE_CANVAS_ENGINE_HEADER_TIMEOUT_MS
 * overrides it; 0 turns it off). */
#define CC_ENGINE_HEADER_TIMEOUT_MS (30 * 1000)
/* Pending connections per listener; the kernel caps it at net.core.somaxconn. */
#define CC_ENGINE_LISTEN_BACKLOG    4096
/* Start: what one command may bring (execve refuses much more than this in any case). */
#define CC_ENGINE_MAX_ENVS          10000
#define CC_ENGINE_MAX_COMMAND_BYTES (1024 * 1024)
/* A sandbox's metadata or envVars in all (names and values): kept in its state file, sent in
 * every listing, and the variables copied into every command. */
#define CC_ENGINE_MAX_MAP_BYTES     (1024 * 1024)

/* Control plane (cc-engine-control.c). */
void     _cc_engine_control_handle        (CcEngine          *engine,
                                           SoupServerMessage *msg,
                                           const char        *path,
                                           GHashTable        *query);
/* A paused sandbox created with autoResume wakes up when traffic reaches it. */
void     _cc_engine_control_auto_resume   (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
/* The request body as a JSON object ({} when empty) with only @allowed members; answers 400 and
 * returns NULL otherwise. */
JsonObject *_cc_engine_control_parse_body (SoupServerMessage  *msg,
                                           const char * const *allowed);
/* An optional integer member; FALSE (after answering 400) when present but not an integer in
 * [min, max]. */
gboolean _cc_engine_control_get_int_member (SoupServerMessage *msg,
                                            JsonObject        *object,
                                            const char        *member,
                                            gint64             min,
                                            gint64             max,
                                            gint64            *value);
/* Puts a sandbox made by create or fork into service: counted, logged, timed and saved. */
void     _cc_engine_control_start         (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox,
                                           gint64             timeout_s);
/* The create answer for @sandbox. */
JsonNode *_cc_engine_control_sandbox_json (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
/* Starts the expiry timers of sandboxes loaded from disk. */
void     _cc_engine_control_arm_all       (CcEngine          *engine);

/* Listens on @family's loopback, @port (0: any free one) for @server, with a backlog that fits
 * bursts, and counts the port among the engine's own. Returns the port, 0 on error. */
guint    _cc_engine_listen                (CcEngine          *engine,
                                           SoupServer        *server,
                                           GSocketFamily      family,
                                           guint              port,
                                           GError           **error);
void     _cc_engine_forget_port           (CcEngine          *engine,
                                           guint              port);
gboolean _cc_engine_is_own_port           (CcEngine          *engine,
                                           guint              port);
/* Closes connections of @server that send no complete request head in time. */
void     _cc_engine_guard_server          (CcEngine          *engine,
                                           SoupServer        *server);
/* The engine's name in the Via header of requests its preview proxy sends. */
const char *_cc_engine_get_hop_token      (CcEngine          *engine);
/* TRUE (after answering 502) when @msg carries our Via entry: it went out through the preview
 * proxy and came back in, which would repeat without end. */
gboolean _cc_engine_refuse_loop           (CcEngine          *engine,
                                           SoupServerMessage *msg);

/* "<port>-<id>.<rest>" → port and id; FALSE for any other Host. */
gboolean _cc_engine_parse_sandbox_host    (const char        *host,
                                           guint             *port,
                                           char             **sandbox_id);

GHashTable *_cc_engine_get_sandboxes      (CcEngine          *engine);
/* The sandbox kept ready for the next create (cc-engine-spare.h), or NULL. */
CcEngineSpare *_cc_engine_get_spare       (CcEngine          *engine);
/* Adds @sandbox to the table (takes a reference). */
void     _cc_engine_add_sandbox           (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
void     _cc_engine_remove_sandbox        (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
gboolean _cc_engine_is_isolated           (CcEngine          *engine);
CcEngineIsolation _cc_engine_get_isolation_mode (CcEngine    *engine);
/* Without isolation: the system-call filter each command loads itself (NULL without one), and
 * FALSE with @error when commands are refused (a root engine, see cc_engine_start ()). */
GBytes  *_cc_engine_get_filter            (CcEngine          *engine);
gboolean _cc_engine_check_unisolated      (CcEngine          *engine,
                                           GError           **error);
const char *_cc_engine_get_runtime_dir    (CcEngine          *engine);
/* Handles @msg again from the start, as when it came in; @engine is the CcEngine. For a request
 * that waited (paused) for something, such as a sandbox launcher to be ready. */
void     _cc_engine_handle_again          (SoupServerMessage *msg,
                                           gpointer           engine);

/* Process service (cc-engine-process.c). */
void     _cc_engine_process_handle        (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox,
                                           SoupServerMessage *msg,
                                           const char        *method,
                                           const char        *user);
/* Kills every process of the sandbox (pause, kill, expiry, shutdown). */
void     _cc_engine_process_kill_all      (CcEngineSandbox   *sandbox);
/* Stops (@freeze) or continues every process of the sandbox: pause and resume keep them. */
void     _cc_engine_process_freeze_all    (CcEngineSandbox   *sandbox,
                                           gboolean           freeze);
/* Kills and forgets them at once, without waiting for their ends (engine shutdown). */
void     _cc_engine_process_forget_all    (CcEngineSandbox   *sandbox);

G_END_DECLS
