/* cc-client-private.h: the client's own state, for the files that implement its API
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cc-client.c (the object, background writes, projects) and cc-client-connections.c
 * (connections, keys, the local engine) implement this header. The other parts build on it
 * and on each other only downwards, each with its own -private.h:
 *
 *   this header  <-  cc-records.c, cc-client-install.c
 *                <-  cc-client-sandbox.c (one CcSandboxSession per project)
 *                <-  cc-client-exec.c, cc-client-files.c, cc-client-setup.c
 *                <-  cc-client-devserver.c (runs the server through exec)
 *
 * CcSandboxSession and CcFileSnapshot know nothing of the client.
 */
#pragma once

#include "cc-connection.h"
#include "cc-engine-locator.h"
#include "cc-envd.h"
#include "cc-file-snapshot.h"
#include "cc-control-plane.h"

#include "cc-client.h"
#include "cc-keyring.h"
#include "cc-sandbox-error.h"

G_BEGIN_DECLS

/* The store gives "" for unset text fields; the client treats those as absent. */
static inline const char *
_cc_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* ---- the client's state ------------------------------------------------------------------ */

struct _CcClient
{
  GObject          parent_instance;

  CcStore         *store;
  GListStore      *projects;
  gboolean         projects_loaded;
  gboolean         projects_loading;
  GPtrArray       *load_waiters;     /* GTask */

  CcEngineLocator *locator;
  GHashTable      *connections;      /* connection key → CcConnection */
  GHashTable      *sessions;         /* project id → CcSandboxSession */
  GHashTable      *recreate_notes;   /* project id → what the last re-create did */
  GHashTable      *mirrors;          /* project id → CcWorkspaceMirror (not mounted only) */

  guint            n_pending;        /* background writes in flight (records, cache, snapshot) */
  GPtrArray       *flush_waiters;    /* GTask */

  guint            keep_alive_id;    /* periodic check while commands run */

  guint            sandbox_timeout;
  guint            command_timeout;
  guint            request_timeout;
  guint            dev_server_wait;
  gboolean         keep_alive;
  gboolean         live_sync;        /* mirrored sandboxes watched while connected */
  gboolean         engine_autostart;
};

enum {
  CLIENT_SIGNAL_SANDBOX_STATE_CHANGED,
  CLIENT_SIGNAL_SANDBOX_RECREATED,
  CLIENT_SIGNAL_FILE_CHANGED,
  CLIENT_SIGNAL_HISTORY_CHANGED,
  CLIENT_SIGNAL_SYNC_STATE_CHANGED,
  CLIENT_SIGNAL_SYNC_CONFLICT,
  CLIENT_N_SIGNALS
};

extern guint _cc_client_signals[CLIENT_N_SIGNALS];

/* Project lookups that fall back to the store. */
void           _cc_client_get_project_async      (CcClient             *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcProject     *_cc_client_get_project_finish     (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Replace the model's copy of a project (after a store update). */
void           _cc_client_project_changed        (CcClient             *self,
                                                  CcProject            *project);

/* "local", "e2b" or "custom:<api url>": the cache's connection key and the keyring's name. */
char          *_cc_client_connection_key         (CcProject            *project);
const char    *_cc_client_keyring_name           (CcConnectionKind      kind,
                                                  const char           *endpoint);

/* The connection of a project (finds/starts the engine, reads the key from the keyring). */
void           _cc_client_get_connection_async   (CcClient             *self,
                                                  CcProject            *project,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcConnection  *_cc_client_get_connection_finish  (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Background writes the caller does not wait for, but cc_client_flush_async() does. */
void           _cc_client_hold                   (CcClient             *self);
void           _cc_client_release                (CcClient             *self);

/* The project's files in its workspace folder (made when missing). (transfer full) */
CcFileSnapshot *_cc_client_dup_snapshot          (CcClient             *self,
                                                  CcProject            *project);
/* Writes @files into the workspace, as a background write (errors are logged, not fatal);
 * nothing to do when the local engine mounts the workspace, where they already are. */
void           _cc_client_save_snapshot          (CcClient             *self,
                                                  CcProject            *project,
                                                  GPtrArray            *files);

G_END_DECLS
