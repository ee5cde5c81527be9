/* cc-client-sandbox.c: the client's sandbox sessions and the sandbox part of its API
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CcSandboxSession does the work; this file makes one per project, answers its questions from
 * the client (project, connection), restores a re-created sandbox through install, passes its
 * signals on as the client's, and records the lifecycle operations the user asks for.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-install-private.h"
#include "cc-client-private.h"
#include "cc-client-sandbox-private.h"
#include "cc-records-private.h"
#include "cc-workspace-mirror.h"
#include "cc-workspace-private.h"

/* ---- the workspace mirror ---------------------------------------------------------------- */

static void
conflict_recorded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autofree char *copy = user_data;
  g_autoptr(CcOperation) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  record = _cc_record_begin_finish (CC_CLIENT (source), result, &error);
  if (record == NULL)
    {
      g_debug ("Could not record a sync conflict: %s", error->message);
      return;
    }
  text = g_strdup_printf (_("conflict: the sandbox's version is kept as “%s”\n"), copy);
  cc_operation_set_stdout (record, text);
  _cc_record_complete (CC_CLIENT (source), record, NULL, 0);
}

/* Every conflict, found by a sync asked for or by the live pull, is in History. */
static void
on_mirror_conflict (CcWorkspaceMirror *mirror,
                    const char        *copy,
                    CcClient          *self)
{
  const char *project_id = g_object_get_data (G_OBJECT (mirror), "project-id");

  _cc_record_begin_async (self, project_id, CC_OPERATION_TYPE_SANDBOX, "sync",
                          conflict_recorded_cb, g_strdup (copy));
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SYNC_CONFLICT], 0, project_id, copy);
}

static void
on_mirror_state_changed (CcWorkspaceMirror *mirror,
                         CcClient          *self)
{
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SYNC_STATE_CHANGED], 0,
                 g_object_get_data (G_OBJECT (mirror), "project-id"));
}

/* The project's mirror, or NULL when the local engine mounts its workspace (nothing travels)
 * or the folder cannot be made. (transfer full) */
static CcWorkspaceMirror *
dup_mirror (CcClient  *self,
            CcProject *project)
{
  const char *id = cc_project_get_id (project);
  g_autofree char *mounted = _cc_workspace_dup_mount_path (self->store, project);
  g_autofree char *workspace = NULL;
  g_autofree char *state_dir = NULL;
  CcWorkspaceMirror *mirror;

  if (mounted != NULL)
    return NULL;
  workspace = _cc_workspace_prepare (self->store, project);
  if (workspace == NULL)
    return NULL;
  mirror = g_hash_table_lookup (self->mirrors, id);
  if (mirror != NULL && g_strcmp0 (cc_workspace_mirror_get_workspace (mirror), workspace) == 0)
    return g_object_ref (mirror);
  state_dir = _cc_workspace_dup_state_dir (self->store, project);
  mirror = cc_workspace_mirror_new (workspace, state_dir);
  g_object_set_data_full (G_OBJECT (mirror), "project-id", g_strdup (id), g_free);
  g_signal_connect_object (mirror, "conflict", G_CALLBACK (on_mirror_conflict), self, 0);
  g_signal_connect_object (mirror, "state-changed", G_CALLBACK (on_mirror_state_changed), self, 0);
  g_hash_table_replace (self->mirrors, g_strdup (id), g_object_ref (mirror));
  return mirror;
}

/* ---- the session's host ------------------------------------------------------------------ */

static void
host_get_project_async (gpointer             host,
                        const char          *project_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  _cc_client_get_project_async (host, project_id, cancellable, callback, user_data);
}

static CcProject *
host_get_project_finish (gpointer       host,
                         GAsyncResult  *result,
                         GError       **error)
{
  return _cc_client_get_project_finish (host, result, error);
}

static void
host_get_connection_async (gpointer             host,
                           CcProject           *project,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  _cc_client_get_connection_async (host, project, cancellable, callback, user_data);
}

static CcConnection *
host_get_connection_finish (gpointer       host,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _cc_client_get_connection_finish (host, result, error);
}

static void
host_project_changed (gpointer   host,
                      CcProject *project)
{
  _cc_client_project_changed (host, project);
}

typedef struct
{
  CcEnvd      *envd;
  CcProject   *project;
  GPtrArray   *files;       /* to install from, or NULL when the install step need not run */
  gboolean     upload;      /* FALSE: the files are the mounted workspace's names only */
  char        *note;        /* what happened, in the person's words */
  CcOperation *record;
  gint64       started;
} Restore;

static void
restore_free (Restore *restore)
{
  g_clear_object (&restore->envd);
  g_clear_object (&restore->project);
  g_clear_pointer (&restore->files, g_ptr_array_unref);
  g_free (restore->note);
  g_clear_object (&restore->record);
  g_free (restore);
}

/* Takes @error. */
static void
restore_done (GTask  *task,
              GError *error)
{
  CcClient *self = g_task_get_source_object (task);
  Restore *restore = g_task_get_task_data (task);

  if (restore->record != NULL)
    _cc_record_complete (self, restore->record, error, restore->started);
  g_hash_table_replace (self->recreate_notes, g_strdup (cc_project_get_id (restore->project)),
                        g_strdup (restore->note));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
restore_install_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  int exit_code = 0;

  if (!_cc_client_install_finish (CC_CLIENT (source), result, &exit_code, &error))
    {
      /* The new sandbox stays the project's; only its files could not come back. */
      g_prefix_error (&error, _("A new sandbox replaced the lost one, but its files could not "
                                "be restored: "));
      restore_done (task, error);
      return;
    }
  if (exit_code != 0)
    g_warning ("The setup of a re-created sandbox exited with status %d", exit_code);
  restore_done (task, NULL);
}

static void
restore_record_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  Restore *restore = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* History is told; a record that cannot be stored must not keep the sandbox from working. */
  restore->record = _cc_record_begin_finish (self, result, &error);
  if (restore->record == NULL)
    g_debug ("Could not record a re-created sandbox: %s", error->message);
  if (restore->files == NULL)
    {
      restore_done (g_steal_pointer (&task), NULL);
      return;
    }
  _cc_client_install_async (self, restore->envd, restore->project, restore->files,
                            restore->upload, NULL, NULL, NULL, NULL, restore_install_cb,
                            g_steal_pointer (&task));
}

static void
restore_begin_record (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  Restore *restore = g_task_get_task_data (task);

  restore->started = g_get_monotonic_time ();
  _cc_record_begin_async (self, cc_project_get_id (restore->project), CC_OPERATION_TYPE_SANDBOX,
                          restore->note, restore_record_cb, task);
}

static void
restore_files_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Restore *restore = g_task_get_task_data (task);
  const char *command;
  GError *error = NULL;

  restore->files = cc_file_snapshot_dup_project_files_finish (CC_FILE_SNAPSHOT (source), result,
                                                              &error);
  if (restore->files == NULL)
    {
      g_prefix_error (&error, _("A new sandbox replaced the lost one, but the project's files "
                                "could not be read: "));
      restore_done (g_steal_pointer (&task), error);
      return;
    }
  restore->upload = TRUE;
  command = _cc_client_setup_command_for (restore->project, restore->files);
  if (command != NULL && *command != '\0')
    restore->note = g_strdup_printf (_("The sandbox had ended; a new one was set up with the "
                                       "files from the workspace, uploaded again; “%s” ran again"),
                                     command);
  else
    restore->note = g_strdup (_("The sandbox had ended; a new one was set up with the files "
                                "from the workspace, uploaded again"));
  restore_begin_record (g_steal_pointer (&task));
}

static void
restore_synced_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Restore *restore = g_task_get_task_data (task);
  CcWorkspaceMirror *mirror = CC_WORKSPACE_MIRROR (source);
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *done = NULL;
  const char *own = cc_project_get_setup_command (restore->project);
  const char *command;
  GError *error = NULL;

  summary = cc_workspace_mirror_sync_finish (mirror, result, &error);
  if (summary == NULL)
    {
      g_prefix_error (&error, _("A new sandbox replaced the lost one, but the workspace could "
                                "not be synced to it: "));
      restore_done (g_steal_pointer (&task), error);
      return;
    }
  done = cc_sync_summary_to_string (summary);
  names = own != NULL && *own != '\0' ? NULL
          : _cc_workspace_dup_top_names (cc_workspace_mirror_get_workspace (mirror));
  if (names == NULL)
    names = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  command = _cc_client_setup_command_for (restore->project, names);
  /* The dependency folders never travel: the install step makes them again. */
  if (command != NULL && *command != '\0')
    {
      restore->files = g_steal_pointer (&names);
      restore->upload = FALSE;
      restore->note = g_strdup_printf (_("The sandbox had ended; a new one was set up and "
                                         "synced from the workspace (%s); “%s” ran again"),
                                       done, command);
    }
  else
    restore->note = g_strdup_printf (_("The sandbox had ended; a new one was set up and "
                                       "synced from the workspace (%s)"), done);
  restore_begin_record (g_steal_pointer (&task));
}

/* A re-created sandbox on the local engine mounts the workspace again: nothing is copied, and
 * the install step runs only when a dependency folder it makes is missing. Elsewhere it gets
 * the workspace's files (or the template's) uploaded and its setup. */
static void
host_restore_async (gpointer             host,
                    CcEnvd              *envd,
                    CcProject           *project,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  CcClient *self = host;
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autofree char *mounted = _cc_workspace_dup_mount_path (self->store, project);
  g_autoptr(CcFileSnapshot) snapshot = NULL;
  g_autoptr(CcWorkspaceMirror) mirror = NULL;
  Restore *restore = g_new0 (Restore, 1);

  restore->envd = g_object_ref (envd);
  restore->project = g_object_ref (project);
  g_task_set_source_tag (task, host_restore_async);
  g_task_set_task_data (task, restore, (GDestroyNotify) restore_free);
  if (mounted != NULL)
    {
      const char *own = cc_project_get_setup_command (project);
      /* The project's own install command wins; without one the folder's names guess it. */
      g_autoptr(GPtrArray) names = own != NULL && *own != '\0' ? NULL
                                   : _cc_workspace_dup_top_names (mounted);
      const char *command;

      if (names == NULL)
        names = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
      command = _cc_client_setup_command_for (project, names);
      if (command != NULL && *command != '\0' && _cc_workspace_needs_install (mounted))
        {
          restore->files = g_ptr_array_ref (names);
          restore->note = g_strdup_printf (_("The sandbox had ended; a new one was set up from "
                                             "the workspace; “%s” ran again"), command);
        }
      else
        restore->note = g_strdup (_("The sandbox had ended; a new one was set up from the "
                                    "workspace"));
      restore_begin_record (g_steal_pointer (&task));
      return;
    }
  mirror = dup_mirror (self, project);
  if (mirror != NULL)
    {
      const char *workspace = cc_workspace_mirror_get_workspace (mirror);
      g_autoptr(GPtrArray) names = _cc_workspace_dup_top_names (workspace);

      /* A workspace with files is the truth: only what the new sandbox lacks goes up. An empty
       * one still gets the template's files below. */
      if (names != NULL)
        {
          cc_workspace_mirror_sync_async (mirror, envd, NULL, restore_synced_cb,
                                          g_steal_pointer (&task));
          return;
        }
    }
  snapshot = _cc_client_dup_snapshot (self, project);
  cc_file_snapshot_dup_project_files_async (snapshot, project, NULL, restore_files_cb,
                                            g_steal_pointer (&task));
}

static gboolean
host_restore_finish (gpointer       host,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const CcSandboxSessionHost session_host = {
  host_get_project_async,
  host_get_project_finish,
  host_get_connection_async,
  host_get_connection_finish,
  host_project_changed,
  host_restore_async,
  host_restore_finish,
};

static void
on_session_status_changed (CcSandboxSession *session,
                           CcClient         *self)
{
  const char *project_id = cc_sandbox_session_get_project_id (session);
  CcEnvd *envd = cc_sandbox_session_get_envd (session);

  /* What a mirrored sandbox made comes back in full before its end, live sync or not. */
  if (cc_sandbox_session_get_status (session) == CC_SANDBOX_STATUS_RUNNING && envd != NULL)
    {
      CcProject *project = cc_client_find_project (self, project_id);
      g_autoptr(CcWorkspaceMirror) mirror = project ? dup_mirror (self, project) : NULL;

      if (mirror != NULL)
        cc_workspace_mirror_sync_before (mirror, envd, cc_sandbox_session_get_end_time (session));
    }
  else
    {
      CcWorkspaceMirror *mirror = g_hash_table_lookup (self->mirrors, project_id);

      if (mirror != NULL)
        cc_workspace_mirror_sync_before (mirror, NULL, 0);
    }
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SANDBOX_STATE_CHANGED], 0, project_id);
}

static void
on_session_recreated (CcSandboxSession *session,
                      const char       *sandbox_id,
                      CcClient         *self)
{
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SANDBOX_RECREATED], 0,
                 cc_sandbox_session_get_project_id (session), sandbox_id);
}

CcSandboxSession *
_cc_client_lookup_session (CcClient   *self,
                           const char *project_id)
{
  return g_hash_table_lookup (self->sessions, project_id);
}

CcSandboxSession *
_cc_client_get_session (CcClient   *self,
                        const char *project_id)
{
  CcSandboxSession *session = g_hash_table_lookup (self->sessions, project_id);

  if (session == NULL)
    {
      session = cc_sandbox_session_new (project_id, self->store, &session_host, G_OBJECT (self));
      cc_sandbox_session_set_timeout (session, self->sandbox_timeout);
      cc_sandbox_session_set_keep_alive (session, self->keep_alive);
      /* Work in flight may keep a session a little longer than the client. */
      g_signal_connect_object (session, "status-changed", G_CALLBACK (on_session_status_changed),
                               self, 0);
      g_signal_connect_object (session, "recreated", G_CALLBACK (on_session_recreated), self, 0);
      g_hash_table_insert (self->sessions, g_strdup (project_id), session);
    }
  return session;
}

/* ---- ensure ------------------------------------------------------------------------------ */

static void
session_ensured_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CcEnvd *envd;

  envd = cc_sandbox_session_ensure_finish (CC_SANDBOX_SESSION (source), result, &error);
  if (envd == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A sandbox that does not mount the workspace sends what it changes back as it happens. */
  {
    CcClient *self = g_task_get_source_object (task);
    CcProject *project = cc_client_find_project (self, g_task_get_task_data (task));
    g_autoptr(CcWorkspaceMirror) mirror = project && self->live_sync ? dup_mirror (self, project)
                                                                      : NULL;

    if (mirror != NULL)
      cc_workspace_mirror_watch (mirror, envd);
  }
  g_task_return_pointer (task, envd, g_object_unref);
}

void
_cc_client_ensure_sandbox_async (CcClient            *self,
                                 const char          *project_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _cc_client_ensure_sandbox_async);
  g_task_set_task_data (task, g_strdup (project_id), g_free);
  cc_sandbox_session_ensure_async (_cc_client_get_session (self, project_id), cancellable,
                                   session_ensured_cb, g_steal_pointer (&task));
}

CcEnvd *
_cc_client_ensure_sandbox_finish (CcClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
moved_locate_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  CcEnvd *envd = g_task_get_task_data (task);
  g_autoptr(CcEngineInfo) info = NULL;
  const char *project_id = g_object_get_data (G_OBJECT (task), "project-id");
  gboolean moved;

  info = cc_engine_locator_locate_finish (CC_ENGINE_LOCATOR (source), result, NULL);
  moved = info != NULL &&
          g_strcmp0 (info->url, cc_connection_get_api_url (cc_envd_get_connection (envd))) != 0;
  if (moved)
    {
      CcSandboxSession *session = _cc_client_lookup_session (self, project_id);

      if (session != NULL)
        cc_sandbox_session_reset (session, envd);
      g_debug ("The local engine moved to %s; reconnecting", info->url);
    }
  g_task_return_boolean (task, moved);
}

void
_cc_client_check_engine_moved_async (CcClient            *self,
                                     const char          *project_id,
                                     CcEnvd              *envd,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, _cc_client_check_engine_moved_async);
  g_task_set_task_data (task, g_object_ref (envd), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "project-id", g_strdup (project_id), g_free);
  if (envd == NULL ||
      cc_connection_get_kind (cc_envd_get_connection (envd)) != CC_CONNECTION_LOCAL)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  cc_engine_locator_locate_async (self->locator, NULL, moved_locate_cb, g_steal_pointer (&task));
}

gboolean
_cc_client_check_engine_moved_finish (CcClient     *self,
                                      GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

gboolean
_cc_client_error_is_gone (const GError *error)
{
  return g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
}

gboolean
_cc_client_retry_on_new_sandbox (CcClient     *self,
                                 const char   *project_id,
                                 const GError *error,
                                 GCancellable *cancellable,
                                 gboolean     *retried)
{
  if (*retried || !_cc_client_error_is_gone (error) || g_cancellable_is_cancelled (cancellable))
    return FALSE;
  *retried = TRUE;
  cc_sandbox_session_forget (_cc_client_get_session (self, project_id));
  return TRUE;
}

/* ---- status ------------------------------------------------------------------------------ */

CcSandboxStatus
cc_client_get_sandbox_status (CcClient   *self,
                              const char *project_id)
{
  CcSandboxSession *session;

  g_return_val_if_fail (CC_IS_CLIENT (self), CC_SANDBOX_STATUS_NONE);

  session = _cc_client_lookup_session (self, project_id);
  if (session == NULL)
    {
      CcProject *project = cc_client_find_project (self, project_id);

      /* Not used in this run yet: it has a sandbox somewhere, probably paused. */
      if (project != NULL && _cc_nonempty (cc_project_get_sandbox_id (project)) != NULL)
        return CC_SANDBOX_STATUS_PAUSED;
      return CC_SANDBOX_STATUS_NONE;
    }
  return cc_sandbox_session_get_status (session);
}

gint64
cc_client_get_sandbox_end_time (CcClient   *self,
                                const char *project_id)
{
  CcSandboxSession *session;

  g_return_val_if_fail (CC_IS_CLIENT (self), 0);

  session = _cc_client_lookup_session (self, project_id);
  if (session == NULL || cc_sandbox_session_get_status (session) != CC_SANDBOX_STATUS_RUNNING)
    return 0;
  return cc_sandbox_session_get_end_time (session);
}

/* ---- lifecycle operations (recorded, except refresh) ------------------------------------- */

typedef struct
{
  CcSandboxSessionOp  op;
  char               *project_id;
  CcOperation        *record;
  gint64              started;
  guint               seconds;
} LifecycleState;

static void
lifecycle_state_free (LifecycleState *state)
{
  g_free (state->project_id);
  g_clear_object (&state->record);
  g_free (state);
}

static void
lifecycle_return (GTask        *task,
                  const GError *error)
{
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);

  if (state->record != NULL)
    _cc_record_complete (self, state->record, error, state->started);
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (state->op == CC_SANDBOX_SESSION_REFRESH)
    g_task_return_int (task, cc_client_get_sandbox_status (self, state->project_id));
  else
    g_task_return_boolean (task, TRUE);
}

static void
lifecycle_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  cc_sandbox_session_lifecycle_finish (CC_SANDBOX_SESSION (source), result, &error);
  lifecycle_return (task, error);
}

static void
lifecycle_run (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);

  cc_sandbox_session_lifecycle_async (_cc_client_get_session (self, state->project_id),
                                      state->op, state->seconds, g_task_get_cancellable (task),
                                      lifecycle_done_cb, g_object_ref (task));
}

static void
lifecycle_synced_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = cc_workspace_mirror_sync_finish (CC_WORKSPACE_MIRROR (source), result, &error);
  /* A sandbox already gone has nothing left to bring back. */
  if (summary == NULL && !_cc_client_error_is_gone (error))
    {
      g_autoptr(GError) stopped = NULL;

      stopped = g_error_new (error->domain, error->code,
                             _("The sandbox was left running: its files could not all be brought "
                               "back into the workspace first (%s). Try again once that is "
                               "fixed."), error->message);
      lifecycle_return (task, stopped);
      return;
    }
  lifecycle_run (task);
}

static void
lifecycle_ensured_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcWorkspaceMirror *mirror = g_object_get_data (G_OBJECT (task), "mirror");
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      lifecycle_run (task);
      return;
    }
  cc_workspace_mirror_sync_async (mirror, envd, g_task_get_cancellable (task),
                                  lifecycle_synced_cb, g_object_ref (task));
}

static void
lifecycle_record_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  CcProject *project;

  state->record = _cc_record_begin_finish (self, result, &error);
  if (state->record == NULL)
    {
      lifecycle_return (task, error);
      return;
    }
  /* Before a pause or a kill the person asks for, whatever the sandbox made comes back. */
  project = cc_client_find_project (self, state->project_id);
  if ((state->op == CC_SANDBOX_SESSION_PAUSE || state->op == CC_SANDBOX_SESSION_KILL) &&
      project != NULL &&
      cc_client_get_sandbox_status (self, state->project_id) == CC_SANDBOX_STATUS_RUNNING)
    {
      CcWorkspaceMirror *mirror = dup_mirror (self, project);

      if (mirror != NULL)
        {
          g_object_set_data_full (G_OBJECT (task), "mirror", mirror, g_object_unref);
          _cc_client_ensure_sandbox_async (self, state->project_id, g_task_get_cancellable (task),
                                           lifecycle_ensured_cb, g_object_ref (task));
          return;
        }
    }
  lifecycle_run (task);
}

static void
lifecycle_start (CcClient            *self,
                 CcSandboxSessionOp   op,
                 const char          *project_id,
                 guint                seconds,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  LifecycleState *state = g_new0 (LifecycleState, 1);
  static const char * const names[] = { "refresh", "timeout", "pause", "kill" };
  g_autofree char *input = NULL;

  state->op = op;
  state->project_id = g_strdup (project_id);
  state->seconds = seconds;
  state->started = g_get_monotonic_time ();
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, state, (GDestroyNotify) lifecycle_state_free);

  if (op == CC_SANDBOX_SESSION_REFRESH)
    {
      lifecycle_run (task);
      return;
    }
  input = op == CC_SANDBOX_SESSION_EXTEND ? g_strdup_printf ("%s %u", names[op], seconds)
                                          : g_strdup (names[op]);
  _cc_record_begin_async (self, project_id, CC_OPERATION_TYPE_SANDBOX, input, lifecycle_record_cb,
                          g_steal_pointer (&task));
}

void
cc_client_refresh_sandbox_async (CcClient            *self,
                                 const char          *project_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  lifecycle_start (self, CC_SANDBOX_SESSION_REFRESH, project_id, 0, cc_client_refresh_sandbox_async,
                   cancellable, callback, user_data);
}

CcSandboxStatus
cc_client_refresh_sandbox_finish (CcClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  GError *local_error = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, self), CC_SANDBOX_STATUS_NONE);
  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return CC_SANDBOX_STATUS_NONE;
    }
  return (CcSandboxStatus) value;
}

void
cc_client_extend_sandbox_async (CcClient            *self,
                                const char          *project_id,
                                guint                seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  /* Zero is no extension: refused, rather than quietly made a second that ends the sandbox. */
  if (seconds == 0)
    {
      g_task_report_new_error (self, callback, user_data, cc_client_extend_sandbox_async,
                               CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("A sandbox is extended by at least one second. Give a longer time."));
      return;
    }
  lifecycle_start (self, CC_SANDBOX_SESSION_EXTEND, project_id, seconds,
                   cc_client_extend_sandbox_async, cancellable, callback, user_data);
}

gboolean
cc_client_extend_sandbox_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_pause_sandbox_async (CcClient            *self,
                               const char          *project_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  lifecycle_start (self, CC_SANDBOX_SESSION_PAUSE, project_id, 0, cc_client_pause_sandbox_async,
                   cancellable, callback, user_data);
}

gboolean
cc_client_pause_sandbox_finish (CcClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_kill_sandbox_async (CcClient            *self,
                              const char          *project_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  lifecycle_start (self, CC_SANDBOX_SESSION_KILL, project_id, 0, cc_client_kill_sandbox_async,
                   cancellable, callback, user_data);
}

gboolean
cc_client_kill_sandbox_finish (CcClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Resume is recorded like the other lifecycle operations: it starts (or reconnects) a sandbox. */
typedef struct
{
  char        *project_id;
  CcOperation *record;
  gint64       started;
} ResumeState;

static void
resume_state_free (ResumeState *state)
{
  g_free (state->project_id);
  g_clear_object (&state->record);
  g_free (state);
}

static void
resume_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ResumeState *state = g_task_get_task_data (task);
  g_autoptr(CcEnvd) envd = NULL;
  GError *error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (state->record != NULL)
    _cc_record_complete (CC_CLIENT (source), state->record, error, state->started);
  if (envd == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
resume_record_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  CcClient *self = CC_CLIENT (source);
  ResumeState *state = g_task_get_task_data (task);
  GError *error = NULL;

  state->record = _cc_record_begin_finish (self, result, &error);
  if (state->record == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _cc_client_ensure_sandbox_async (self, state->project_id, g_task_get_cancellable (task), resume_cb, task);
}

void
cc_client_resume_sandbox_async (CcClient            *self,
                                const char          *project_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  ResumeState *state;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_resume_sandbox_async);
  state = g_new0 (ResumeState, 1);
  state->project_id = g_strdup (project_id);
  state->started = g_get_monotonic_time ();
  g_task_set_task_data (task, state, (GDestroyNotify) resume_state_free);
  _cc_record_begin_async (self, project_id, CC_OPERATION_TYPE_SANDBOX, "resume", resume_record_cb, task);
}

gboolean
cc_client_resume_sandbox_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- workspace sync (recorded) ----------------------------------------------------------- */

typedef struct
{
  char              *project_id;
  CcWorkspaceMirror *mirror;
  CcOperation       *record;
  gint64             started;
  gboolean           retried;
} SyncState;

static void
sync_state_free (SyncState *state)
{
  g_free (state->project_id);
  g_clear_object (&state->mirror);
  g_clear_object (&state->record);
  g_free (state);
}

/* Takes @summary or @error. */
static void
sync_return (GTask         *task,
             CcSyncSummary *summary,
             GError        *error)
{
  CcClient *self = g_task_get_source_object (task);
  SyncState *state = g_task_get_task_data (task);

  if (state->record != NULL)
    {
      if (summary != NULL)
        {
          g_autoptr(GString) text = g_string_new (NULL);
          g_autofree char *line = cc_sync_summary_to_string (summary);

          /* Each conflict has a record of its own (on_mirror_conflict). */
          g_string_append_printf (text, "%s\n", line);
          cc_operation_set_stdout (state->record, text->str);
        }
      _cc_record_complete (self, state->record, error, state->started);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) cc_sync_summary_free);
}

static void sync_ensure (GTask *task);

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  SyncState *state = g_task_get_task_data (task);
  CcSyncSummary *summary;
  GError *error = NULL;

  summary = cc_workspace_mirror_sync_finish (CC_WORKSPACE_MIRROR (source), result, &error);
  if (summary == NULL &&
      _cc_client_retry_on_new_sandbox (self, state->project_id, error,
                                       g_task_get_cancellable (task), &state->retried))
    {
      /* Deleted behind our back: a new sandbox gets the workspace, and nothing is lost. */
      g_clear_error (&error);
      sync_ensure (g_steal_pointer (&task));
      return;
    }
  sync_return (task, summary, error);
}

static void
sync_ensured_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(CcEnvd) envd = NULL;
  GError *error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      sync_return (task, NULL, error);
      return;
    }
  cc_workspace_mirror_sync_async (state->mirror, envd, g_task_get_cancellable (task),
                                  sync_done_cb, g_object_ref (task));
}

static void
sync_ensure (GTask *task)
{
  SyncState *state = g_task_get_task_data (task);

  _cc_client_ensure_sandbox_async (g_task_get_source_object (task), state->project_id,
                                   g_task_get_cancellable (task), sync_ensured_cb, task);
}

static void
sync_record_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  SyncState *state = g_task_get_task_data (task);
  GError *error = NULL;

  state->record = _cc_record_begin_finish (CC_CLIENT (source), result, &error);
  if (state->record == NULL)
    {
      sync_return (task, NULL, error);
      g_object_unref (task);
      return;
    }
  state->started = g_get_monotonic_time ();
  sync_ensure (task);
}

static void
sync_project_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  CcClient *self = CC_CLIENT (source);
  SyncState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  g_autofree char *mounted = NULL;
  GError *error = NULL;

  project = _cc_client_get_project_finish (self, result, &error);
  if (project == NULL)
    {
      sync_return (task, NULL, error);
      g_object_unref (task);
      return;
    }
  g_free (state->project_id);
  state->project_id = g_strdup (cc_project_get_id (project));
  mounted = _cc_workspace_dup_mount_path (self->store, project);
  if (mounted != NULL)
    {
      CcSyncSummary *summary = g_new0 (CcSyncSummary, 1);

      summary->mounted = TRUE;
      summary->conflicts = g_new0 (char *, 1);
      sync_return (task, summary, NULL);
      g_object_unref (task);
      return;
    }
  state->mirror = dup_mirror (self, project);
  if (state->mirror == NULL)
    {
      g_autofree char *path = _cc_workspace_dup_path (self->store, project);

      sync_return (task, NULL, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FAILED,
                                            _("The workspace folder %s could not be made. Check "
                                              "that its parent folder is writable."), path));
      g_object_unref (task);
      return;
    }
  _cc_record_begin_async (self, state->project_id, CC_OPERATION_TYPE_SANDBOX, "sync",
                          sync_record_cb, task);
}

/**
 * cc_client_sync_project_async:
 * @self: a #CcClient
 * @project_id: the project's id or name
 *
 * Brings the project's workspace and its sandbox in step: see #CcSyncSummary.
 */
void
cc_client_sync_project_async (CcClient            *self,
                              const char          *project_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  SyncState *state;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_sync_project_async);
  state = g_new0 (SyncState, 1);
  state->project_id = g_strdup (project_id);
  g_task_set_task_data (task, state, (GDestroyNotify) sync_state_free);
  _cc_client_get_project_async (self, project_id, cancellable, sync_project_cb, task);
}

CcSyncSummary *
cc_client_sync_project_finish (CcClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CcSyncState
cc_client_get_sync_state (CcClient   *self,
                          const char *project_id)
{
  CcWorkspaceMirror *mirror;

  g_return_val_if_fail (CC_IS_CLIENT (self), CC_SYNC_STATE_NONE);

  mirror = g_hash_table_lookup (self->mirrors, project_id);
  return mirror != NULL ? cc_workspace_mirror_get_state (mirror) : CC_SYNC_STATE_NONE;
}

double
cc_client_get_sync_progress (CcClient   *self,
                             const char *project_id)
{
  CcWorkspaceMirror *mirror;

  g_return_val_if_fail (CC_IS_CLIENT (self), -1);

  mirror = g_hash_table_lookup (self->mirrors, project_id);
  return mirror != NULL ? cc_workspace_mirror_get_progress (mirror) : -1;
}
