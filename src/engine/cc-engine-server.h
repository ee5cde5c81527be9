/* cc-engine-server.h: the engine's own parts (server, control plane, processes)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-private.h"
#include "cc-engine-sandbox-private.h"

G_BEGIN_DECLS

#define CC_ENGINE_DEFAULT_TIMEOUT_S 300
#define CC_ENGINE_MAX_TIMEOUT_S     86400
#define CC_ENGINE_MAX_SANDBOXES     1000
/* Request bodies other than /files uploads. */
#define CC_ENGINE_MAX_BODY          (16 * 1024 * 1024)

/* Control plane (cc-engine-control.c). */
void     _cc_engine_control_handle        (CcEngine          *engine,
                                           SoupServerMessage *msg,
                                           const char        *path,
                                           GHashTable        *query);
/* A paused sandbox created with autoResume wakes up when traffic reaches it. */
void     _cc_engine_control_auto_resume   (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
/* Starts the expiry timers of sandboxes loaded from disk. */
void     _cc_engine_control_arm_all       (CcEngine          *engine);

GHashTable *_cc_engine_get_sandboxes      (CcEngine          *engine);
/* Adds @sandbox to the table (takes a reference). */
void     _cc_engine_add_sandbox           (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
void     _cc_engine_remove_sandbox        (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox);
gboolean _cc_engine_is_isolated           (CcEngine          *engine);
const char *_cc_engine_get_runtime_dir    (CcEngine          *engine);

/* Process service (cc-engine-process.c). */
void     _cc_engine_process_handle        (CcEngine          *engine,
                                           CcEngineSandbox   *sandbox,
                                           SoupServerMessage *msg,
                                           const char        *method,
                                           const char        *user);
/* Kills every process of the sandbox (pause, kill, expiry, shutdown). */
void     _cc_engine_process_kill_all      (CcEngineSandbox   *sandbox);
/* Kills and forgets them at once, without waiting for their ends (engine shutdown). */
void     _cc_engine_process_forget_all    (CcEngineSandbox   *sandbox);

G_END_DECLS
