/* cc-engine-sandbox-private.h: what the server and the control plane know about a sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cc-engine-log.h"
#include "cc-engine-network-rules.h"
#include "cc-engine-sandbox.h"
#include "cc-engine-workspace.h"

G_BEGIN_DECLS

#define CC_ENGINE_SANDBOX_ID_LENGTH 20

/* A new sandbox with a fresh id and access token, its dirs under @data_dir (not yet created). */
CcEngineSandbox *cc_engine_sandbox_new            (const char       *data_dir,
                                                   const char       *template_id);
/* Rebuilds a sandbox from its saved state; NULL with @error when the file is not usable. */
CcEngineSandbox *cc_engine_sandbox_new_from_state (const char       *data_dir,
                                                   JsonObject       *state,
                                                   GError          **error);
JsonNode        *cc_engine_sandbox_to_state       (CcEngineSandbox  *self);
/* For a sandbox made ahead of a create (cc-engine-spare.h) with its own folders and the
 * default network: takes @request's template, metadata, environment and pause settings (all
 * else a create sets must be as it has them), and starts its lifetime now. */
void             cc_engine_sandbox_adopt          (CcEngineSandbox  *self,
                                                   CcEngineSandbox  *request);
/* Creates the home and /tmp directories. */
gboolean         cc_engine_sandbox_create_dirs    (CcEngineSandbox  *self,
                                                   GError          **error);

/* Makes @path (checked, see cc_engine_workspace_check()) the sandbox's home; its files are
 * then never made nor removed by the engine. */
gboolean         cc_engine_sandbox_set_workspace  (CcEngineSandbox  *self,
                                                   const char       *path,
                                                   const char * const *protected_dirs,
                                                   GError          **error);
/* The mounted workspace and what it was when checked, or NULL. */
const char      *cc_engine_sandbox_get_workspace  (CcEngineSandbox  *self,
                                                   const CcEngineWorkspaceId **id);

gboolean         cc_engine_sandbox_is_valid_id    (const char       *sandbox_id);

const char      *cc_engine_sandbox_get_template_id (CcEngineSandbox *self);
void             cc_engine_sandbox_set_state      (CcEngineSandbox  *self,
                                                   CcEngineSandboxState state);
const char      *cc_engine_sandbox_state_to_string (CcEngineSandboxState state);
/* name → value, owned by the sandbox. */
GHashTable      *cc_engine_sandbox_get_metadata   (CcEngineSandbox  *self);
gint64           cc_engine_sandbox_get_started_at (CcEngineSandbox  *self);
void             cc_engine_sandbox_set_started_at (CcEngineSandbox  *self,
                                                   gint64            unix_usec);
gint64           cc_engine_sandbox_get_end_at     (CcEngineSandbox  *self);
void             cc_engine_sandbox_set_end_at     (CcEngineSandbox  *self,
                                                   gint64            unix_usec);
gboolean         cc_engine_sandbox_get_auto_pause (CcEngineSandbox  *self);
void             cc_engine_sandbox_set_auto_pause (CcEngineSandbox  *self,
                                                   gboolean          auto_pause);
gboolean         cc_engine_sandbox_get_auto_resume (CcEngineSandbox *self);
void             cc_engine_sandbox_set_auto_resume (CcEngineSandbox *self,
                                                   gboolean          auto_resume);
gboolean         cc_engine_sandbox_get_internet   (CcEngineSandbox  *self);
void             cc_engine_sandbox_set_internet   (CcEngineSandbox  *self,
                                                   gboolean          allow);
/* Whether the sandbox's processes may make user namespaces of their own (the filter refuses
 * them otherwise): CC_ENGINE_SANDBOX_NESTED_FIELD at create. */
#define CC_ENGINE_SANDBOX_NESTED_FIELD "codeCanvasNestedUserNamespaces"
gboolean         cc_engine_sandbox_get_nested_userns (CcEngineSandbox *self);
void             cc_engine_sandbox_set_nested_userns (CcEngineSandbox *self,
                                                      gboolean         allow);
/* The per-address outbound rules (host names resolved), or NULL when all outbound traffic is
 * allowed; kept in the saved state, loaded whenever the sandbox's network is made. */
CcEngineNetworkRules *cc_engine_sandbox_get_network_rules (CcEngineSandbox      *self);
void                  cc_engine_sandbox_set_network_rules (CcEngineSandbox      *self,
                                                           CcEngineNetworkRules *rules);

/* Lifecycle and process events, kept in memory only (a restarted engine starts a new log). */
#define CC_ENGINE_SANDBOX_LOG_CAPACITY 1000
CcEngineLog     *cc_engine_sandbox_get_log        (CcEngineSandbox  *self);
/* Its measured metrics history (cc-engine-metrics.h), in memory only. */
typedef struct _CcEngineMetrics CcEngineMetrics;
CcEngineMetrics *cc_engine_sandbox_get_metrics    (CcEngineSandbox  *self);
/* The sandbox's processes, pid → CcEngineProcess (owned). */
GHashTable      *cc_engine_sandbox_get_processes  (CcEngineSandbox  *self);
/* How long an ended process can still be connected to (its start and end events). */
#define CC_ENGINE_SANDBOX_KEEP_ENDED_S 60
/* Keeps @process, ended, in the table for that long; then it goes, unless @pid was reused. */
void             cc_engine_sandbox_keep_ended     (CcEngineSandbox  *self,
                                                   GPid              pid,
                                                   gpointer          process);
/* Lets go of every ended process it keeps (the table itself is left as it is). */
void             cc_engine_sandbox_forget_ended   (CcEngineSandbox  *self);

/* The expiry timer: @func runs once at end_at (re-armed by every call). */
void             cc_engine_sandbox_arm_timer      (CcEngineSandbox  *self,
                                                   GSourceFunc       func,
                                                   gpointer          user_data);
void             cc_engine_sandbox_disarm_timer   (CcEngineSandbox  *self);
gboolean         cc_engine_sandbox_has_timer      (CcEngineSandbox  *self);

/* Saves the state file asynchronously; overlapping saves are coalesced in order. */
void             cc_engine_sandbox_save           (CcEngineSandbox  *self);
/* Saves it now (engine shutdown). */
void             cc_engine_sandbox_save_sync      (CcEngineSandbox  *self);
/* Forgets the state file and removes the directories (in a worker thread). */
void             cc_engine_sandbox_destroy_files  (CcEngineSandbox  *self);

G_END_DECLS
