/* cc-workspace-mirror.h: a workspace folder kept in step with a sandbox that does not mount it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by cc-client-sandbox.c for every project whose sandbox is not the local engine's mounted
 * workspace (E2B, custom endpoints, and the local engine when it cannot mount the folder).
 *
 * One sync compares three states of every file: the workspace's, the sandbox home's, and the
 * manifest of the last sync (path, size, time, SHA-256), kept in @state_dir beside the store,
 * never in the person's folder. Only what changed on one side travels to the other; what
 * changed on both sides is a conflict, and nothing is lost: the workspace's version stays in
 * place on both sides and the sandbox's is kept beside it as "name (sandbox copy).ext".
 */
#pragma once

#include <gio/gio.h>

#include "cc-client.h"
#include "cc-envd.h"

G_BEGIN_DECLS

#define CC_TYPE_WORKSPACE_MIRROR (cc_workspace_mirror_get_type ())

G_DECLARE_FINAL_TYPE (CcWorkspaceMirror, cc_workspace_mirror, CC, WORKSPACE_MIRROR, GObject)

/* @workspace: the project's folder; @state_dir: private, on this machine (made when missing). */
CcWorkspaceMirror *cc_workspace_mirror_new          (const char          *workspace,
                                                     const char          *state_dir);
const char        *cc_workspace_mirror_get_workspace (CcWorkspaceMirror  *self);
CcSyncState        cc_workspace_mirror_get_state    (CcWorkspaceMirror   *self);
/* What the running sync moved of what it has to (by bytes), 0 to 1; -1 when no sync runs or it
 * moves nothing. "state-changed" tells about changes of it too. */
double             cc_workspace_mirror_get_progress (CcWorkspaceMirror   *self);

/* A full two-way sync with the sandbox behind @envd. Syncs of one mirror run one after the
 * other. Emits "conflict" (path, copy) for every file both sides changed. */
void               cc_workspace_mirror_sync_async   (CcWorkspaceMirror   *self,
                                                     CcEnvd              *envd,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
CcSyncSummary     *cc_workspace_mirror_sync_finish  (CcWorkspaceMirror   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* The live pull while @envd's sandbox is connected; stopped by stop_watch or the sandbox's end. */
void               cc_workspace_mirror_watch        (CcWorkspaceMirror   *self,
                                                     CcEnvd              *envd);
void               cc_workspace_mirror_stop_watch   (CcWorkspaceMirror   *self);

/* One full sync shortly before @end_time (unix µs), when @envd's sandbox ends; replaced by
 * the next call, cancelled by @envd NULL. */
void               cc_workspace_mirror_sync_before  (CcWorkspaceMirror   *self,
                                                     CcEnvd              *envd,
                                                     gint64               end_time);

/* Whether @relative (a path inside the workspace, "/"-separated) is never synced: a default
 * dependency or cache folder, or a match of the workspace's .codecanvasignore. */
gboolean           _cc_workspace_mirror_is_excluded (CcWorkspaceMirror   *self,
                                                     const char          *relative,
                                                     gboolean             is_dir);

G_END_DECLS
