/* cc-sandbox-session.c: the sandbox one project uses right now
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sandbox is created with auto-pause on timeout, so an idle project loses nothing; later uses
 * connect to it by id, which resumes it. Only a sandbox that is gone anyway is replaced.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-sandbox-error.h"
#include "cc-sandbox-session.h"
#include "cc-workspace-private.h"

/* Extend when less than this fraction of the timeout is left. */
#define KEEP_ALIVE_THRESHOLD 2

struct _CcSandboxSession
{
  GObject                     parent_instance;

  char                       *project_id;
  CcStore                    *store;
  const CcSandboxSessionHost *host_funcs;
  GObject                    *host;          /* borrowed: it owns the session */

  CcSandboxStatus             status;
  gint64                      end_time;      /* unix µs */
  CcSandboxInfo              *info;
  CcEnvd                     *envd;
  CcControlPlane               *api;
  GPtrArray                  *waiters;       /* GTask: ensure calls waiting for one in flight */
  gboolean                    ensuring;
  gboolean                    extending;
  CcExecution                *dev_server;
  guint                       dev_server_port;
  guint                       n_active;      /* commands running in it now */

  guint                       timeout;       /* seconds */
  gboolean                    keep_alive;
};

G_DEFINE_FINAL_TYPE (CcSandboxSession, cc_sandbox_session, G_TYPE_OBJECT)

enum { SIGNAL_STATUS_CHANGED, SIGNAL_RECREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

static gboolean
error_is_gone (const GError *error)
{
  return g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE);
}

static void
cc_sandbox_session_finalize (GObject *object)
{
  CcSandboxSession *self = CC_SANDBOX_SESSION (object);

  g_assert (self->waiters->len == 0);
  /* A dev server outlives the client that started it (dropping the output stream does not stop
   * a remote process): the CLI's "dev" prints the URL and exits, the server keeps serving. */
  g_clear_object (&self->dev_server);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->info, cc_sandbox_info_unref);
  g_clear_object (&self->envd);
  g_clear_object (&self->api);
  g_clear_object (&self->store);
  g_free (self->project_id);
  G_OBJECT_CLASS (cc_sandbox_session_parent_class)->finalize (object);
}

static void
cc_sandbox_session_class_init (CcSandboxSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_sandbox_session_finalize;

  /* The status or the end time changed. */
  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* A new sandbox (this id) replaced a lost one, and has the project's files again. */
  signals[SIGNAL_RECREATED] =
    g_signal_new ("recreated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cc_sandbox_session_init (CcSandboxSession *self)
{
  self->waiters = g_ptr_array_new ();
  self->keep_alive = TRUE;
}

CcSandboxSession *
cc_sandbox_session_new (const char                 *project_id,
                        CcStore                    *store,
                        const CcSandboxSessionHost *host_funcs,
                        GObject                    *host)
{
  CcSandboxSession *self;

  g_return_val_if_fail (project_id != NULL, NULL);
  g_return_val_if_fail (CC_IS_STORE (store), NULL);
  g_return_val_if_fail (host_funcs != NULL, NULL);
  g_return_val_if_fail (G_IS_OBJECT (host), NULL);

  self = g_object_new (CC_TYPE_SANDBOX_SESSION, NULL);
  self->project_id = g_strdup (project_id);
  self->store = g_object_ref (store);
  self->host_funcs = host_funcs;
  self->host = host;
  return self;
}

const char *
cc_sandbox_session_get_project_id (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), NULL);
  return self->project_id;
}

CcSandboxStatus
cc_sandbox_session_get_status (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), CC_SANDBOX_STATUS_NONE);
  return self->status;
}

gint64
cc_sandbox_session_get_end_time (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), 0);
  return self->end_time;
}

CcSandboxInfo *
cc_sandbox_session_get_info (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), NULL);
  return self->info;
}

CcEnvd *
cc_sandbox_session_get_envd (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), NULL);
  return self->envd;
}

void
cc_sandbox_session_set_timeout (CcSandboxSession *self,
                                guint             seconds)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));
  self->timeout = seconds;
}

void
cc_sandbox_session_set_keep_alive (CcSandboxSession *self,
                                   gboolean          keep_alive)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));
  self->keep_alive = !!keep_alive;
}

static void
set_status (CcSandboxSession *self,
            CcSandboxStatus   status,
            gint64            end_time)
{
  if (self->status == status && self->end_time == end_time)
    return;
  self->status = status;
  self->end_time = end_time;
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
}

void
cc_sandbox_session_forget (CcSandboxSession *self)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  g_clear_object (&self->envd);
  g_clear_pointer (&self->info, cc_sandbox_info_unref);
  set_status (self, CC_SANDBOX_STATUS_EXPIRED, 0);
}

void
cc_sandbox_session_reset (CcSandboxSession *self,
                          CcEnvd           *envd)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  if (envd != NULL && envd != self->envd)
    return;
  g_clear_object (&self->envd);
  g_clear_object (&self->api);
  g_clear_pointer (&self->info, cc_sandbox_info_unref);
  set_status (self, CC_SANDBOX_STATUS_NONE, 0);
}

void
cc_sandbox_session_hold (CcSandboxSession *self)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));
  self->n_active++;
}

void
cc_sandbox_session_release (CcSandboxSession *self)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));
  if (self->n_active > 0)
    self->n_active--;
}

/* ---- dev server -------------------------------------------------------------------------- */

CcExecution *
cc_sandbox_session_get_dev_server (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), NULL);
  return self->dev_server;
}

guint
cc_sandbox_session_get_dev_server_port (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), 0);
  return self->dev_server_port;
}

void
cc_sandbox_session_stop_dev_server (CcSandboxSession *self)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  if (self->dev_server != NULL)
    cc_execution_cancel (self->dev_server);
  g_clear_object (&self->dev_server);
}

void
cc_sandbox_session_set_dev_server (CcSandboxSession *self,
                                   CcExecution      *server,
                                   guint             port)
{
  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  cc_sandbox_session_stop_dev_server (self);
  g_set_object (&self->dev_server, server);
  self->dev_server_port = port;
}

CcExecution *
cc_sandbox_session_steal_dev_server (CcSandboxSession *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_SESSION (self), NULL);
  return g_steal_pointer (&self->dev_server);
}

/* ---- ensure ------------------------------------------------------------------------------ */

typedef struct
{
  GObject       *host;           /* the host must outlive work in flight */
  CcProject     *project;
  CcControlPlane  *api;
  CcSandboxInfo *info;
  char          *old_sandbox_id;
} EnsureState;

static void
ensure_state_free (EnsureState *state)
{
  g_clear_object (&state->host);
  g_clear_object (&state->project);
  g_clear_object (&state->api);
  g_clear_pointer (&state->info, cc_sandbox_info_unref);
  g_free (state->old_sandbox_id);
  g_free (state);
}

/* Completes every waiting ensure. The list is swapped first: a waiter's callback may ensure
 * again. */
static void
ensure_complete (CcSandboxSession *self,
                 const GError     *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new ();
  self->ensuring = FALSE;
  if (error != NULL && self->status == CC_SANDBOX_STATUS_STARTING)
    set_status (self, error_is_gone (error) ? CC_SANDBOX_STATUS_EXPIRED : CC_SANDBOX_STATUS_NONE, 0);
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_object_ref (self->envd), g_object_unref);
    }
}

static gint64
end_time_for (CcSandboxSession *self,
              CcSandboxInfo    *info)
{
  if (info != NULL && info->end_at > 0)
    return info->end_at;
  return g_get_real_time () + (gint64) self->timeout * G_USEC_PER_SEC;
}

static void
ensure_ready (CcSandboxSession *self,
              EnsureState      *state)
{
  g_clear_object (&self->envd);
  g_clear_object (&self->api);
  g_clear_pointer (&self->info, cc_sandbox_info_unref);
  self->info = cc_sandbox_info_ref (state->info);
  self->api = g_object_ref (state->api);
  self->envd = cc_envd_new_for_sandbox (cc_control_plane_get_connection (state->api), state->info);
  set_status (self, CC_SANDBOX_STATUS_RUNNING, end_time_for (self, state->info));
  ensure_complete (self, NULL);
}

static void
restore_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!self->host_funcs->restore_finish (self->host, result, &error))
    {
      ensure_complete (self, error);
      return;
    }
  ensure_ready (self, state);
  g_signal_emit (self, signals[SIGNAL_RECREATED], 0, state->info->sandbox_id);
}

static void
store_sandbox_id_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_store_update_project_finish (CC_STORE (source), result, &error);
  if (project == NULL)
    {
      /* Without the id stored, the next run would orphan this sandbox: kill it again. */
      cc_control_plane_kill_async (state->api, state->info->sandbox_id, NULL, NULL, NULL);
      ensure_complete (self, error);
      return;
    }
  self->host_funcs->project_changed (self->host, project);
  g_set_object (&state->project, project);

  if (state->old_sandbox_id != NULL)
    {
      g_autoptr(CcEnvd) envd = NULL;

      envd = cc_envd_new_for_sandbox (cc_control_plane_get_connection (state->api), state->info);
      self->host_funcs->restore_async (self->host, envd, state->project, restore_cb,
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
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(GError) error = NULL;

  state->info = cc_control_plane_create_finish (CC_CONTROL_PLANE (source), result, &error);
  if (state->info == NULL)
    {
      ensure_complete (self, error);
      return;
    }
  changes = cc_project_copy (state->project);
  cc_project_set_sandbox_id (changes, state->info->sandbox_id);
  cc_store_update_project_async (self->store, self->project_id, CC_PROJECT_FIELD_SANDBOX_ID,
                                 changes, NULL, store_sandbox_id_cb, g_steal_pointer (&task));
}

static void
ensure_create (GTask *task)
{
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);

  g_autofree char *workspace = _cc_workspace_dup_mount_path (self->store, state->project);

  g_hash_table_insert (metadata, (char *) "code-canvas-project", self->project_id);
  /* On the local engine the workspace is the sandbox's home: nothing to copy, ever. */
  cc_control_plane_set_workspace (state->api, workspace);
  cc_control_plane_create_async (state->api, NULL, self->timeout, metadata, NULL,
                                 CC_SANDBOX_ON_TIMEOUT_PAUSE, NULL, create_cb, g_object_ref (task));
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  state->info = cc_control_plane_connect_finish (CC_CONTROL_PLANE (source), result, &error);
  if (state->info != NULL)
    {
      ensure_ready (self, state);
      return;
    }
  if (error_is_gone (error) ||
      g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND))
    {
      state->old_sandbox_id = g_strdup (nonempty (cc_project_get_sandbox_id (state->project)));
      ensure_create (task);
      return;
    }
  ensure_complete (self, error);
}

static void
ensure_connection_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char *sandbox_id;

  connection = self->host_funcs->get_connection_finish (self->host, result, &error);
  if (connection == NULL)
    {
      ensure_complete (self, error);
      return;
    }
  state->api = cc_control_plane_new (connection);
  sandbox_id = nonempty (cc_project_get_sandbox_id (state->project));
  if (sandbox_id != NULL)
    cc_control_plane_connect_async (state->api, sandbox_id, self->timeout, NULL, connect_cb,
                                    g_steal_pointer (&task));
  else
    ensure_create (task);
}

static void
ensure_project_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  EnsureState *state = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  state->project = self->host_funcs->get_project_finish (self->host, result, &error);
  if (state->project == NULL)
    {
      ensure_complete (self, error);
      return;
    }
  self->host_funcs->get_connection_async (self->host, state->project, NULL, ensure_connection_cb,
                                          g_steal_pointer (&task));
}

static void
keep_alive_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcSandboxSession) self = user_data;
  g_autoptr(GError) error = NULL;

  self->extending = FALSE;
  if (!cc_control_plane_set_timeout_finish (CC_CONTROL_PLANE (source), result, &error))
    {
      g_debug ("Keep-alive of a sandbox failed: %s", error->message);
      if (error_is_gone (error))
        cc_sandbox_session_forget (self);
      return;
    }
  set_status (self, CC_SANDBOX_STATUS_RUNNING,
              MAX (self->end_time, g_get_real_time () + (gint64) self->timeout * G_USEC_PER_SEC));
}

static void
maybe_keep_alive (CcSandboxSession *self)
{
  gint64 now = g_get_real_time ();
  gint64 timeout = (gint64) self->timeout * G_USEC_PER_SEC;

  if (!self->keep_alive || self->extending || self->api == NULL || self->info == NULL)
    return;
  /* Only ever lengthen: a sandbox the user extended further keeps its end. */
  if (self->end_time - now > timeout / KEEP_ALIVE_THRESHOLD)
    return;
  self->extending = TRUE;
  cc_control_plane_set_timeout_async (self->api, self->info->sandbox_id, self->timeout, NULL,
                                      keep_alive_cb, g_object_ref (self));
}

void
cc_sandbox_session_keep_alive (CcSandboxSession *self)
{
  gboolean busy;

  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  busy = self->n_active > 0 ||
         (self->dev_server != NULL && !cc_execution_is_done (self->dev_server));
  if (busy && self->status == CC_SANDBOX_STATUS_RUNNING && self->envd != NULL)
    maybe_keep_alive (self);
}

void
cc_sandbox_session_ensure_async (CcSandboxSession    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) work = NULL;
  EnsureState *state;

  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_sandbox_session_ensure_async);

  if (self->envd != NULL && self->status == CC_SANDBOX_STATUS_RUNNING &&
      (self->end_time == 0 || self->end_time > g_get_real_time () + 2 * G_USEC_PER_SEC))
    {
      maybe_keep_alive (self);
      g_task_return_pointer (task, g_object_ref (self->envd), g_object_unref);
      return;
    }

  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  if (self->ensuring)
    return;
  self->ensuring = TRUE;
  set_status (self, CC_SANDBOX_STATUS_STARTING, 0);

  /* The shared work is not tied to any one caller's cancellable. */
  work = g_task_new (self, NULL, NULL, NULL);
  state = g_new0 (EnsureState, 1);
  state->host = g_object_ref (self->host);
  g_task_set_task_data (work, state, (GDestroyNotify) ensure_state_free);
  self->host_funcs->get_project_async (self->host, self->project_id, NULL, ensure_project_cb,
                                       g_steal_pointer (&work));
}

CcEnvd *
cc_sandbox_session_ensure_finish (CcSandboxSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- lifecycle --------------------------------------------------------------------------- */

typedef struct
{
  CcSandboxSessionOp  op;
  GObject            *host;       /* the host must outlive work in flight */
  char               *sandbox_id;
  guint               seconds;
  CcControlPlane       *api;
} LifecycleState;

static void
lifecycle_state_free (LifecycleState *state)
{
  g_free (state->sandbox_id);
  g_clear_object (&state->host);
  g_clear_object (&state->api);
  g_free (state);
}

static void
lifecycle_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  CcControlPlane *api = CC_CONTROL_PLANE (source);
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (state->op)
    {
    case CC_SANDBOX_SESSION_REFRESH:
      info = cc_control_plane_get_finish (api, result, &error);
      if (info != NULL)
        {
          ok = TRUE;
          if (info->state == CC_SANDBOX_STATE_PAUSED)
            {
              g_clear_object (&self->envd);
              set_status (self, CC_SANDBOX_STATUS_PAUSED, 0);
            }
          else
            set_status (self, CC_SANDBOX_STATUS_RUNNING, info->end_at);
        }
      break;

    case CC_SANDBOX_SESSION_EXTEND:
      ok = cc_control_plane_set_timeout_finish (api, result, &error);
      if (ok)
        set_status (self, self->status,
                    g_get_real_time () + (gint64) state->seconds * G_USEC_PER_SEC);
      break;

    case CC_SANDBOX_SESSION_PAUSE:
      ok = cc_control_plane_pause_finish (api, result, &error);
      if (ok)
        {
          g_clear_object (&self->envd);
          cc_sandbox_session_stop_dev_server (self);
          set_status (self, CC_SANDBOX_STATUS_PAUSED, 0);
        }
      break;

    case CC_SANDBOX_SESSION_KILL:
      ok = cc_control_plane_kill_finish (api, result, &error);
      if (!ok && error_is_gone (error))
        {
          ok = TRUE;
          g_clear_error (&error);
        }
      if (ok)
        {
          cc_sandbox_session_stop_dev_server (self);
          cc_sandbox_session_forget (self);
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (!ok && error_is_gone (error))
    cc_sandbox_session_forget (self);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
lifecycle_connection_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcSandboxSession *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  g_autoptr(CcConnection) connection = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  connection = self->host_funcs->get_connection_finish (self->host, result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  state->api = cc_control_plane_new (connection);
  switch (state->op)
    {
    case CC_SANDBOX_SESSION_REFRESH:
      cc_control_plane_get_async (state->api, state->sandbox_id, cancellable, lifecycle_done_cb,
                                  g_steal_pointer (&task));
      break;
    case CC_SANDBOX_SESSION_EXTEND:
      cc_control_plane_set_timeout_async (state->api, state->sandbox_id, state->seconds, cancellable,
                                          lifecycle_done_cb, g_steal_pointer (&task));
      break;
    case CC_SANDBOX_SESSION_PAUSE:
      cc_control_plane_pause_async (state->api, state->sandbox_id, cancellable, lifecycle_done_cb,
                                    g_steal_pointer (&task));
      break;
    case CC_SANDBOX_SESSION_KILL:
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
  CcSandboxSession *self = g_task_get_source_object (task);
  LifecycleState *state = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  GError *error = NULL;

  project = self->host_funcs->get_project_finish (self->host, result, &error);
  if (project == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (nonempty (cc_project_get_sandbox_id (project)) == NULL)
    {
      if (state->op == CC_SANDBOX_SESSION_KILL || state->op == CC_SANDBOX_SESSION_REFRESH)
        {
          set_status (self, CC_SANDBOX_STATUS_NONE, 0);
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE,
                               _("The project has no sandbox yet. Run a command to create one."));
      return;
    }
  state->sandbox_id = g_strdup (nonempty (cc_project_get_sandbox_id (project)));
  if (state->op == CC_SANDBOX_SESSION_EXTEND && self->end_time > 0 &&
      self->end_time >= g_get_real_time () + (gint64) state->seconds * G_USEC_PER_SEC)
    {
      /* Never shorten the sandbox's life. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->host_funcs->get_connection_async (self->host, project, g_task_get_cancellable (task),
                                          lifecycle_connection_cb, g_object_ref (task));
}

void
cc_sandbox_session_lifecycle_async (CcSandboxSession    *self,
                                    CcSandboxSessionOp   op,
                                    guint                seconds,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LifecycleState *state;

  g_return_if_fail (CC_IS_SANDBOX_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  state = g_new0 (LifecycleState, 1);
  state->op = op;
  state->host = g_object_ref (self->host);
  state->seconds = seconds;
  g_task_set_source_tag (task, cc_sandbox_session_lifecycle_async);
  g_task_set_task_data (task, state, (GDestroyNotify) lifecycle_state_free);
  self->host_funcs->get_project_async (self->host, self->project_id, cancellable,
                                       lifecycle_project_cb, g_steal_pointer (&task));
}

gboolean
cc_sandbox_session_lifecycle_finish (CcSandboxSession  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
