/* cc-client-sandbox.c: a project's sandbox — reuse, connect, create, re-create, keep alive
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project keeps one sandbox id in the store. The first use creates the sandbox with
 * auto-pause on timeout (so an idle project loses nothing), later uses connect to it by id
 * (which also resumes a paused one), and a sandbox that is gone anyway (killed, expired on a
 * service without auto-pause, engine data wiped) is replaced: a new one is created, the
 * project's files are uploaded again from the local snapshot and its setup re-run, and
 * "sandbox-recreated" tells the caller.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-private.h"

/* Extend when less than this fraction of the timeout is left. */
#define KEEP_ALIVE_THRESHOLD 2

void
_cc_sandbox_slot_free (CcSandboxSlot *slot)
{
  if (slot == NULL)
    return;
  g_assert (slot->waiters == NULL || slot->waiters->len == 0);
  /* A dev server outlives the client that started it (as on E2B, dropping the stream does not
   * stop the process): the CLI's "dev" prints the URL and exits, the server keeps serving. */
  g_clear_object (&slot->dev_server);
  g_clear_pointer (&slot->waiters, g_ptr_array_unref);
  g_clear_pointer (&slot->info, cc_sandbox_info_unref);
  g_clear_object (&slot->envd);
  g_clear_object (&slot->api);
  g_free (slot->project_id);
  g_free (slot);
}

CcSandboxSlot *
_cc_client_get_slot (CcClient   *self,
                     const char *project_id)
{
  CcSandboxSlot *slot = g_hash_table_lookup (self->slots, project_id);

  if (slot == NULL)
    {
      slot = g_new0 (CcSandboxSlot, 1);
      slot->project_id = g_strdup (project_id);
      slot->waiters = g_ptr_array_new ();
      g_hash_table_insert (self->slots, slot->project_id, slot);
    }
  return slot;
}

void
_cc_client_slot_set_status (CcClient        *self,
                            CcSandboxSlot   *slot,
                            CcSandboxStatus  status,
                            gint64           end_time)
{
  if (slot->status == status && slot->end_time == end_time)
    return;
  slot->status = status;
  slot->end_time = end_time;
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SANDBOX_STATE_CHANGED], 0, slot->project_id);
}

void
_cc_client_slot_stop_dev_server (CcSandboxSlot *slot)
{
  if (slot->dev_server != NULL)
    cc_execution_cancel (slot->dev_server);
  g_clear_object (&slot->dev_server);
}

void
_cc_client_slot_forget (CcClient      *self,
                        CcSandboxSlot *slot)
{
  g_clear_object (&slot->envd);
  g_clear_pointer (&slot->info, cc_sandbox_info_unref);
  _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_EXPIRED, 0);
}

void
_cc_client_slot_reset (CcClient      *self,
                       CcSandboxSlot *slot)
{
  g_clear_object (&slot->envd);
  g_clear_object (&slot->api);
  g_clear_pointer (&slot->info, cc_sandbox_info_unref);
  _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_NONE, 0);
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
      CcSandboxSlot *slot = g_hash_table_lookup (self->slots, project_id);

      if (slot != NULL && slot->envd == envd)
        _cc_client_slot_reset (self, slot);
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
  _cc_client_slot_forget (self, _cc_client_get_slot (self, project_id));
  return TRUE;
}

CcSandboxStatus
cc_client_get_sandbox_status (CcClient   *self,
                              const char *project_id)
{
  CcSandboxSlot *slot;

  g_return_val_if_fail (CC_IS_CLIENT (self), CC_SANDBOX_STATUS_NONE);

  slot = g_hash_table_lookup (self->slots, project_id);
  if (slot == NULL)
    {
      CcProject *project = cc_client_find_project (self, project_id);

      /* Not used in this session yet: it has a sandbox somewhere, probably paused. */
      if (project != NULL && _cc_nonempty (cc_project_get_sandbox_id (project)) != NULL)
        return CC_SANDBOX_STATUS_PAUSED;
      return CC_SANDBOX_STATUS_NONE;
    }
  return slot->status;
}

gint64
cc_client_get_sandbox_end_time (CcClient   *self,
                                const char *project_id)
{
  CcSandboxSlot *slot;

  g_return_val_if_fail (CC_IS_CLIENT (self), 0);

  slot = g_hash_table_lookup (self->slots, project_id);
  return slot && slot->status == CC_SANDBOX_STATUS_RUNNING ? slot->end_time : 0;
}

/* ---- snapshot of the project's files ----------------------------------------------------- */

GFile *
_cc_client_dup_snapshot_dir (CcClient   *self,
                             const char *project_id)
{
  g_autoptr(GFile) parent = g_file_get_parent (cc_store_get_file (self->store));
  g_autofree char *relative = g_build_filename ("projects", project_id, "files", NULL);

  return g_file_resolve_relative_path (parent, relative);
}

/* The part of a sandbox path under the home, or NULL for paths elsewhere or escaping. */
static char *
snapshot_relative_path (const char *path)
{
  g_autofree char *clean = NULL;

  if (g_str_has_prefix (path, "/home/user/"))
    path += strlen ("/home/user/");
  else if (g_str_has_prefix (path, "~/"))
    path += 2;
  else if (path[0] == '/')
    return NULL;
  clean = g_canonicalize_filename (path, "/");
  if (!g_str_has_prefix (clean, "/") || g_str_equal (clean, "/"))
    return NULL;
  return g_strdup (clean + 1);
}

typedef struct
{
  GFile     *dir;
  GPtrArray *files;
  gboolean   replace;
} SnapshotJob;

static void
snapshot_job_free (SnapshotJob *job)
{
  g_clear_object (&job->dir);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_free (job);
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

static void
snapshot_saved_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  _cc_client_release (CC_CLIENT (source));
}

static void
remove_snapshot_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  g_autoptr(GFile) project_dir = g_file_get_parent (task_data);

  remove_tree (project_dir);
  g_task_return_boolean (task, TRUE);
}

void
_cc_client_remove_snapshot (CcClient   *self,
                            const char *project_id)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, snapshot_saved_cb, NULL);

  _cc_client_hold (self);
  g_task_set_source_tag (task, _cc_client_remove_snapshot);
  g_task_set_task_data (task, _cc_client_dup_snapshot_dir (self, project_id), g_object_unref);
  g_task_run_in_thread (task, remove_snapshot_thread);
}

static void
snapshot_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  SnapshotJob *job = task_data;

  if (job->replace)
    remove_tree (job->dir);
  for (guint i = 0; i < job->files->len; i++)
    {
      CcProjectFile *file = g_ptr_array_index (job->files, i);
      g_autofree char *relative = snapshot_relative_path (file->path);
      g_autoptr(GFile) target = NULL;
      g_autoptr(GFile) parent = NULL;
      g_autoptr(GError) error = NULL;
      gsize size = 0;
      const void *data;

      if (relative == NULL)
        continue;
      target = g_file_resolve_relative_path (job->dir, relative);
      parent = g_file_get_parent (target);
      g_file_make_directory_with_parents (parent, NULL, NULL);
      data = g_bytes_get_data (file->content, &size);
      if (!g_file_replace_contents (target, data ? data : "", size, NULL, FALSE,
                                    G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
        g_warning ("Could not keep a local copy of “%s”: %s", relative, error->message);
    }
  g_task_return_boolean (task, TRUE);
}

void
_cc_client_save_snapshot (CcClient   *self,
                          const char *project_id,
                          GPtrArray  *files,
                          gboolean    replace)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, snapshot_saved_cb, NULL);
  SnapshotJob *job = g_new0 (SnapshotJob, 1);

  job->dir = _cc_client_dup_snapshot_dir (self, project_id);
  job->files = g_ptr_array_ref (files);
  job->replace = replace;
  _cc_client_hold (self);
  g_task_set_source_tag (task, _cc_client_save_snapshot);
  g_task_set_task_data (task, job, (GDestroyNotify) snapshot_job_free);
  g_task_run_in_thread (task, snapshot_thread);
}

typedef struct
{
  GFile *snapshot;
  char  *folder;
  char  *template_id;
  guint  port;
} FilesJob;

static void
files_job_free (FilesJob *job)
{
  g_clear_object (&job->snapshot);
  g_free (job->folder);
  g_free (job->template_id);
  g_free (job);
}

/* Snapshot first (what the sandbox last had), else the folder, else the template. */
static void
project_files_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  FilesJob *job = task_data;
  const CcTemplate *template;
  GError *error = NULL;
  GPtrArray *files = NULL;

  if (g_file_query_exists (job->snapshot, cancellable))
    files = cc_template_read_folder (job->snapshot, cancellable, &error);
  else if (job->folder != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (job->folder);

      files = cc_template_read_folder (folder, cancellable, &error);
    }
  else if ((template = cc_template_lookup (job->template_id)) != NULL)
    files = cc_template_dup_files (template, job->port);
  else
    files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);

  if (files == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

void
_cc_client_dup_project_files_async (CcClient            *self,
                                    CcProject           *project,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  FilesJob *job = g_new0 (FilesJob, 1);

  job->snapshot = _cc_client_dup_snapshot_dir (self, cc_project_get_id (project));
  job->folder = g_strdup (_cc_nonempty (cc_project_get_local_folder (project)));
  job->template_id = g_strdup (_cc_nonempty (cc_project_get_template (project)));
  job->port = cc_project_get_port (project);
  g_task_set_source_tag (task, _cc_client_dup_project_files_async);
  g_task_set_task_data (task, job, (GDestroyNotify) files_job_free);
  g_task_run_in_thread (task, project_files_thread);
}

GPtrArray *
_cc_client_dup_project_files_finish (CcClient      *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- ensure ------------------------------------------------------------------------------ */

typedef struct
{
  char           *project_id;
  CcProject      *project;
  CcControlPlane *api;
  CcSandboxInfo  *info;
  char           *old_sandbox_id;
} EnsureState;

static void
ensure_state_free (EnsureState *state)
{
  g_free (state->project_id);
  g_clear_object (&state->project);
  g_clear_object (&state->api);
  g_clear_pointer (&state->info, cc_sandbox_info_unref);
  g_free (state->old_sandbox_id);
  g_free (state);
}

static void
ensure_complete (CcClient     *self,
                 const char   *project_id,
                 const GError *error)
{
  CcSandboxSlot *slot = _cc_client_get_slot (self, project_id);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&slot->waiters);

  slot->waiters = g_ptr_array_new ();
  slot->ensuring = FALSE;
  if (error != NULL && slot->status == CC_SANDBOX_STATUS_STARTING)
    _cc_client_slot_set_status (self, slot,
                                _cc_client_error_is_gone (error) ? CC_SANDBOX_STATUS_EXPIRED
                                                                 : CC_SANDBOX_STATUS_NONE, 0);
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_object_ref (slot->envd), g_object_unref);
    }
}

static gint64
end_time_for (CcClient      *self,
              CcSandboxInfo *info)
{
  if (info != NULL && info->end_at > 0)
    return info->end_at;
  return g_get_real_time () + (gint64) self->sandbox_timeout * G_USEC_PER_SEC;
}

static void
ensure_ready (CcClient    *self,
              EnsureState *state)
{
  CcSandboxSlot *slot = _cc_client_get_slot (self, state->project_id);

  g_clear_object (&slot->envd);
  g_clear_object (&slot->api);
  g_clear_pointer (&slot->info, cc_sandbox_info_unref);
  slot->info = cc_sandbox_info_ref (state->info);
  slot->api = g_object_ref (state->api);
  slot->envd = cc_envd_new_for_sandbox (cc_control_plane_get_connection (state->api), state->info);
  _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_RUNNING, end_time_for (self, state->info));
  ensure_complete (self, state->project_id, NULL);
}

static void
recreate_install_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int exit_code = 0;

  if (!_cc_client_install_finish (self, result, &exit_code, &error))
    {
      /* The new sandbox stays the project's; only its files could not come back. */
      g_prefix_error (&error, _("A new sandbox replaced the lost one, but its files could not "
                                "be restored: "));
      ensure_complete (self, state->project_id, error);
      return;
    }
  if (exit_code != 0)
    g_warning ("The setup of a re-created sandbox exited with status %d", exit_code);
  ensure_ready (self, state);
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_SANDBOX_RECREATED], 0,
                 state->project_id, state->info->sandbox_id);
}

static void
recreate_files_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;

  files = _cc_client_dup_project_files_finish (self, result, &error);
  if (files == NULL)
    {
      g_prefix_error (&error, _("A new sandbox replaced the lost one, but the project's files "
                                "could not be read: "));
      ensure_complete (self, state->project_id, error);
      return;
    }
  envd = cc_envd_new_for_sandbox (cc_control_plane_get_connection (state->api), state->info);
  _cc_client_install_async (self, envd, state->project, files, NULL, NULL, NULL,
                            NULL, recreate_install_cb, g_steal_pointer (&task));
}

static void
store_sandbox_id_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_store_update_project_finish (CC_STORE (source), result, &error);
  if (project == NULL)
    {
      /* Without the id stored, the next session would orphan this sandbox: kill it again. */
      cc_control_plane_kill_async (state->api, state->info->sandbox_id, NULL, NULL, NULL);
      ensure_complete (self, state->project_id, error);
      return;
    }
  _cc_client_project_changed (self, project);
  g_set_object (&state->project, project);

  if (state->old_sandbox_id != NULL)
    {
      _cc_client_dup_project_files_async (self, state->project, NULL, recreate_files_cb,
                                          g_steal_pointer (&task));
      return;
    }
  ensure_ready (self, state);
}

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(GError) error = NULL;

  state->info = cc_control_plane_create_finish (CC_CONTROL_PLANE (source), result, &error);
  if (state->info == NULL)
    {
      ensure_complete (self, state->project_id, error);
      return;
    }
  changes = cc_project_copy (state->project);
  cc_project_set_sandbox_id (changes, state->info->sandbox_id);
  cc_store_update_project_async (self->store, state->project_id, CC_PROJECT_FIELD_SANDBOX_ID,
                                 changes, NULL, store_sandbox_id_cb, g_steal_pointer (&task));
}

static void
ensure_create (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (metadata, (char *) "code-canvas-project", state->project_id);
  cc_control_plane_create_async (state->api, NULL, self->sandbox_timeout, metadata, NULL,
                                 CC_SANDBOX_ON_TIMEOUT_PAUSE, NULL, create_cb, g_object_ref (task));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  state->info = cc_control_plane_connect_finish (CC_CONTROL_PLANE (source), result, &error);
  if (state->info != NULL)
    {
      ensure_ready (self, state);
      return;
    }
  if (_cc_client_error_is_gone (error) ||
      g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND))
    {
      state->old_sandbox_id = g_strdup (_cc_nonempty (cc_project_get_sandbox_id (state->project)));
      ensure_create (task);
      return;
    }
  ensure_complete (self, state->project_id, error);
}

static void
ensure_connection_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = _cc_client_get_connection_finish (self, result, &error);
  if (connection == NULL)
    {
      ensure_complete (self, state->project_id, error);
      return;
    }
  state->api = cc_control_plane_new (connection);
  if (_cc_nonempty (cc_project_get_sandbox_id (state->project)) != NULL)
    cc_control_plane_connect_async (state->api, _cc_nonempty (cc_project_get_sandbox_id (state->project)),
                                    self->sandbox_timeout, NULL, connect_cb, g_steal_pointer (&task));
  else
    ensure_create (task);
}

static void
ensure_project_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  state->project = _cc_client_get_project_finish (self, result, &error);
  if (state->project == NULL)
    {
      ensure_complete (self, state->project_id, error);
      return;
    }
  _cc_client_get_connection_async (self, state->project, NULL, ensure_connection_cb,
                                   g_steal_pointer (&task));
}

static void
keep_alive_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcClient) self = user_data;
  const char *project_id = g_object_get_data (G_OBJECT (source), "cc-keep-alive-project");
  g_autoptr(GError) error = NULL;
  CcSandboxSlot *slot;

  slot = project_id ? g_hash_table_lookup (self->slots, project_id) : NULL;
  if (slot == NULL)
    return;
  slot->extending = FALSE;
  if (!cc_control_plane_set_timeout_finish (CC_CONTROL_PLANE (source), result, &error))
    {
      g_debug ("Keep-alive of a sandbox failed: %s", error->message);
      if (_cc_client_error_is_gone (error))
        _cc_client_slot_forget (self, slot);
      return;
    }
  _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_RUNNING,
                              MAX (slot->end_time, g_get_real_time () +
                                   (gint64) self->sandbox_timeout * G_USEC_PER_SEC));
}

static void
maybe_keep_alive (CcClient      *self,
                  CcSandboxSlot *slot)
{
  gint64 now = g_get_real_time ();
  gint64 timeout = (gint64) self->sandbox_timeout * G_USEC_PER_SEC;

  if (!self->keep_alive || slot->extending || slot->api == NULL || slot->info == NULL)
    return;
  /* Only ever lengthen: a sandbox the user extended further keeps its end. */
  if (slot->end_time - now > timeout / KEEP_ALIVE_THRESHOLD)
    return;
  slot->extending = TRUE;
  g_object_set_data_full (G_OBJECT (slot->api), "cc-keep-alive-project",
                          g_strdup (slot->project_id), g_free);
  cc_control_plane_set_timeout_async (slot->api, slot->info->sandbox_id, self->sandbox_timeout,
                                      NULL, keep_alive_cb, g_object_ref (self));
}

gboolean
_cc_client_keep_alive_tick (gpointer user_data)
{
  CcClient *self = user_data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CcSandboxSlot *slot = value;
      gboolean busy = slot->n_active > 0 ||
                      (slot->dev_server != NULL && !cc_execution_is_done (slot->dev_server));

      if (busy && slot->status == CC_SANDBOX_STATUS_RUNNING && slot->envd != NULL)
        maybe_keep_alive (self, slot);
    }
  return G_SOURCE_CONTINUE;
}

void
_cc_client_ensure_sandbox_async (CcClient            *self,
                                 const char          *project_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) work = NULL;
  CcSandboxSlot *slot = _cc_client_get_slot (self, project_id);
  EnsureState *state;

  g_task_set_source_tag (task, _cc_client_ensure_sandbox_async);

  if (slot->envd != NULL && slot->status == CC_SANDBOX_STATUS_RUNNING &&
      (slot->end_time == 0 || slot->end_time > g_get_real_time () + 2 * G_USEC_PER_SEC))
    {
      maybe_keep_alive (self, slot);
      g_task_return_pointer (task, g_object_ref (slot->envd), g_object_unref);
      return;
    }

  g_ptr_array_add (slot->waiters, g_steal_pointer (&task));
  if (slot->ensuring)
    return;
  slot->ensuring = TRUE;
  _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_STARTING, 0);

  /* The shared work is not tied to any one caller's cancellable. */
  state = g_new0 (EnsureState, 1);
  state->project_id = g_strdup (project_id);
  work = g_task_new (self, NULL, NULL, NULL);
  g_task_set_task_data (work, state, (GDestroyNotify) ensure_state_free);
  _cc_client_get_project_async (self, project_id, NULL, ensure_project_cb, g_steal_pointer (&work));
}

CcEnvd *
_cc_client_ensure_sandbox_finish (CcClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- lifecycle operations ---------------------------------------------------------------- */

typedef enum
{
  LIFECYCLE_REFRESH,
  LIFECYCLE_EXTEND,
  LIFECYCLE_PAUSE,
  LIFECYCLE_KILL,
} LifecycleOp;

typedef struct
{
  LifecycleOp     op;
  char           *project_id;
  char           *sandbox_id;
  guint           seconds;
  CcControlPlane *api;
  CcOperation    *record;
  gint64          started;
} LifecycleState;

static void
lifecycle_state_free (LifecycleState *state)
{
  g_free (state->project_id);
  g_free (state->sandbox_id);
  g_clear_object (&state->api);
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
  else if (state->op == LIFECYCLE_REFRESH)
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
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  CcSandboxSlot *slot = _cc_client_get_slot (self, state->project_id);
  CcControlPlane *api = CC_CONTROL_PLANE (source);
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (state->op)
    {
    case LIFECYCLE_REFRESH:
      info = cc_control_plane_get_finish (api, result, &error);
      if (info != NULL)
        {
          ok = TRUE;
          if (info->state == CC_SANDBOX_STATE_PAUSED)
            {
              g_clear_object (&slot->envd);
              _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_PAUSED, 0);
            }
          else
            _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_RUNNING, info->end_at);
        }
      break;

    case LIFECYCLE_EXTEND:
      ok = cc_control_plane_set_timeout_finish (api, result, &error);
      if (ok)
        _cc_client_slot_set_status (self, slot, slot->status,
                                    g_get_real_time () + (gint64) state->seconds * G_USEC_PER_SEC);
      break;

    case LIFECYCLE_PAUSE:
      ok = cc_control_plane_pause_finish (api, result, &error);
      if (ok)
        {
          g_clear_object (&slot->envd);
          _cc_client_slot_stop_dev_server (slot);
          _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_PAUSED, 0);
        }
      break;

    case LIFECYCLE_KILL:
      ok = cc_control_plane_kill_finish (api, result, &error);
      if (!ok && _cc_client_error_is_gone (error))
        {
          ok = TRUE;
          g_clear_error (&error);
        }
      if (ok)
        {
          _cc_client_slot_stop_dev_server (slot);
          _cc_client_slot_forget (self, slot);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok && _cc_client_error_is_gone (error))
    _cc_client_slot_forget (self, slot);
  lifecycle_return (task, ok ? NULL : error);
}

static void
lifecycle_connection_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  connection = _cc_client_get_connection_finish (self, result, &error);
  if (connection == NULL)
    {
      lifecycle_return (task, error);
      return;
    }
  state->api = cc_control_plane_new (connection);
  switch (state->op)
    {
    case LIFECYCLE_REFRESH:
      cc_control_plane_get_async (state->api, state->sandbox_id, cancellable, lifecycle_done_cb,
                                  g_steal_pointer (&task));
      break;
    case LIFECYCLE_EXTEND:
      cc_control_plane_set_timeout_async (state->api, state->sandbox_id, state->seconds, cancellable,
                                          lifecycle_done_cb, g_steal_pointer (&task));
      break;
    case LIFECYCLE_PAUSE:
      cc_control_plane_pause_async (state->api, state->sandbox_id, cancellable, lifecycle_done_cb,
                                    g_steal_pointer (&task));
      break;
    case LIFECYCLE_KILL:
      cc_control_plane_kill_async (state->api, state->sandbox_id, cancellable, lifecycle_done_cb,
                                   g_steal_pointer (&task));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
lifecycle_project_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;
  CcSandboxSlot *slot;

  project = _cc_client_get_project_finish (self, result, &error);
  if (project == NULL)
    {
      lifecycle_return (task, error);
      return;
    }
  slot = _cc_client_get_slot (self, state->project_id);
  if (_cc_nonempty (cc_project_get_sandbox_id (project)) == NULL)
    {
      if (state->op == LIFECYCLE_KILL || state->op == LIFECYCLE_REFRESH)
        {
          _cc_client_slot_set_status (self, slot, CC_SANDBOX_STATUS_NONE, 0);
          lifecycle_return (task, NULL);
          return;
        }
      error = g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE,
                           _("The project has no sandbox yet. Run a command to create one."));
      lifecycle_return (task, error);
      return;
    }
  state->sandbox_id = g_strdup (_cc_nonempty (cc_project_get_sandbox_id (project)));
  if (state->op == LIFECYCLE_EXTEND && slot->end_time > 0 &&
      slot->end_time >= g_get_real_time () + (gint64) state->seconds * G_USEC_PER_SEC)
    {
      /* Never shorten the sandbox's life. */
      lifecycle_return (task, NULL);
      return;
    }
  _cc_client_get_connection_async (self, project, g_task_get_cancellable (task),
                                   lifecycle_connection_cb, g_object_ref (task));
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

  state->record = _cc_record_begin_finish (self, result, &error);
  if (state->record == NULL)
    {
      lifecycle_return (task, error);
      return;
    }
  _cc_client_get_project_async (self, state->project_id, g_task_get_cancellable (task),
                                lifecycle_project_cb, g_object_ref (task));
}

static void
lifecycle_start (CcClient            *self,
                 LifecycleOp          op,
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

  if (op == LIFECYCLE_REFRESH)
    {
      _cc_client_get_project_async (self, project_id, cancellable, lifecycle_project_cb,
                                    g_steal_pointer (&task));
      return;
    }
  input = op == LIFECYCLE_EXTEND ? g_strdup_printf ("%s %u", names[op], seconds) : g_strdup (names[op]);
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
  lifecycle_start (self, LIFECYCLE_REFRESH, project_id, 0, cc_client_refresh_sandbox_async,
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
  lifecycle_start (self, LIFECYCLE_EXTEND, project_id, MAX (seconds, 1),
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
  lifecycle_start (self, LIFECYCLE_PAUSE, project_id, 0, cc_client_pause_sandbox_async,
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
  lifecycle_start (self, LIFECYCLE_KILL, project_id, 0, cc_client_kill_sandbox_async,
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

static void
resume_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcEnvd) envd = NULL;
  GError *error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cc_client_resume_sandbox_async (CcClient            *self,
                                const char          *project_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_resume_sandbox_async);
  _cc_client_ensure_sandbox_async (self, project_id, cancellable, resume_cb, g_steal_pointer (&task));
}

gboolean
cc_client_resume_sandbox_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
