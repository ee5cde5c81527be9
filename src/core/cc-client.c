/* cc-client.c: the product's contract — the object, background writes, projects
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-private.h"
#include "cc-workspace-mirror.h"
#include "cc-workspace-private.h"
#include "cc-sandbox-session.h"

G_DEFINE_FINAL_TYPE (CcClient, cc_client, G_TYPE_OBJECT)

G_DEFINE_FLAGS_TYPE (CcExecuteFlags, cc_execute_flags,
                     G_DEFINE_ENUM_VALUE (CC_EXECUTE_FLAGS_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (CC_EXECUTE_FLAGS_USE_CACHE, "use-cache"),
                     G_DEFINE_ENUM_VALUE (CC_EXECUTE_FLAGS_STDIN, "stdin"),
                     G_DEFINE_ENUM_VALUE (CC_EXECUTE_FLAGS_NO_DEADLINE, "no-deadline"),
                     G_DEFINE_ENUM_VALUE (CC_EXECUTE_FLAGS_STDIN_WHEN_RUN, "stdin-when-run"))

G_DEFINE_ENUM_TYPE (CcSandboxStatus, cc_sandbox_status,
                    G_DEFINE_ENUM_VALUE (CC_SANDBOX_STATUS_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (CC_SANDBOX_STATUS_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (CC_SANDBOX_STATUS_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (CC_SANDBOX_STATUS_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (CC_SANDBOX_STATUS_EXPIRED, "expired"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_CACHE_TTL,
  PROP_RECORD_RETENTION,
  PROP_SANDBOX_TIMEOUT,
  PROP_COMMAND_TIMEOUT,
  PROP_KEEP_ALIVE,
  PROP_REQUEST_TIMEOUT,
  PROP_DEV_SERVER_WAIT,
  PROP_LIVE_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
guint _cc_client_signals[CLIENT_N_SIGNALS];

static void
cc_client_dispose (GObject *object)
{
  CcClient *self = CC_CLIENT (object);

  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  if (self->sessions != NULL)
    g_hash_table_remove_all (self->sessions);
  if (self->mirrors != NULL)
    {
      GHashTableIter iter;
      gpointer mirror;

      /* A sync in flight keeps its mirror a little longer; its watch ends now. */
      g_hash_table_iter_init (&iter, self->mirrors);
      while (g_hash_table_iter_next (&iter, NULL, &mirror))
        cc_workspace_mirror_stop_watch (mirror);
      g_hash_table_remove_all (self->mirrors);
    }
  G_OBJECT_CLASS (cc_client_parent_class)->dispose (object);
}

static void
cc_client_finalize (GObject *object)
{
  CcClient *self = CC_CLIENT (object);

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->recreate_notes, g_hash_table_unref);
  g_clear_pointer (&self->mirrors, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->load_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->flush_waiters, g_ptr_array_unref);
  g_clear_object (&self->locator);
  g_clear_object (&self->projects);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cc_client_parent_class)->finalize (object);
}

static gboolean
keep_alive_tick (gpointer user_data)
{
  CcClient *self = user_data;
  GHashTableIter iter;
  gpointer session;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &session))
    cc_sandbox_session_keep_alive (session);
  return G_SOURCE_CONTINUE;
}

/* A long command or a dev server uses its sandbox without any new call: look at such
 * sandboxes four times per timeout (at most every 30 s) so they never time out under it. */
static void
rearm_keep_alive (CcClient *self)
{
  guint interval = CLAMP (self->sandbox_timeout / 4, 1, 30);

  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  self->keep_alive_id = g_timeout_add_seconds (interval, keep_alive_tick, self);
}

/* The sessions read the settings they use from the client when made; later changes reach the
 * existing ones here. */
static void
update_sessions (CcClient *self)
{
  GHashTableIter iter;
  gpointer session;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &session))
    {
      cc_sandbox_session_set_timeout (session, self->sandbox_timeout);
      cc_sandbox_session_set_keep_alive (session, self->keep_alive);
    }
}

static void
cc_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CcClient *self = CC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_CACHE_TTL:
      g_value_set_uint (value, cc_store_get_cache_ttl (self->store));
      break;
    case PROP_RECORD_RETENTION:
      g_value_set_uint (value, cc_store_get_record_retention (self->store));
      break;
    case PROP_SANDBOX_TIMEOUT:
      g_value_set_uint (value, self->sandbox_timeout);
      break;
    case PROP_COMMAND_TIMEOUT:
      g_value_set_uint (value, self->command_timeout);
      break;
    case PROP_KEEP_ALIVE:
      g_value_set_boolean (value, self->keep_alive);
      break;
    case PROP_REQUEST_TIMEOUT:
      g_value_set_uint (value, self->request_timeout);
      break;
    case PROP_DEV_SERVER_WAIT:
      g_value_set_uint (value, self->dev_server_wait);
      break;
    case PROP_LIVE_SYNC:
      g_value_set_boolean (value, self->live_sync);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CcClient *self = CC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_CACHE_TTL:
      cc_store_set_cache_ttl (self->store, g_value_get_uint (value));
      break;
    case PROP_RECORD_RETENTION:
      cc_store_set_record_retention (self->store, g_value_get_uint (value));
      break;
    case PROP_SANDBOX_TIMEOUT:
      self->sandbox_timeout = MAX (g_value_get_uint (value), 10);
      if (self->keep_alive_id != 0)
        rearm_keep_alive (self);
      update_sessions (self);
      break;
    case PROP_COMMAND_TIMEOUT:
      self->command_timeout = g_value_get_uint (value);
      break;
    case PROP_KEEP_ALIVE:
      self->keep_alive = g_value_get_boolean (value);
      update_sessions (self);
      break;
    case PROP_LIVE_SYNC:
      self->live_sync = g_value_get_boolean (value);
      if (!self->live_sync)
        {
          GHashTableIter iter;
          gpointer mirror;

          g_hash_table_iter_init (&iter, self->mirrors);
          while (g_hash_table_iter_next (&iter, NULL, &mirror))
            cc_workspace_mirror_stop_watch (mirror);
        }
      break;
    case PROP_REQUEST_TIMEOUT:
      self->request_timeout = g_value_get_uint (value);
      /* Connections are made with it; drop the cached ones so the next call uses it. */
      g_hash_table_remove_all (self->connections);
      break;
    case PROP_DEV_SERVER_WAIT:
      self->dev_server_wait = MAX (g_value_get_uint (value), 1);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_client_class_init (CcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cc_client_dispose;
  object_class->finalize = cc_client_finalize;
  object_class->get_property = cc_client_get_property;
  object_class->set_property = cc_client_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CC_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHE_TTL] =
    g_param_spec_uint ("cache-ttl", NULL, NULL, 0, G_MAXUINT, CC_STORE_DEFAULT_CACHE_TTL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORD_RETENTION] =
    g_param_spec_uint ("record-retention", NULL, NULL, 0, G_MAXUINT, CC_STORE_DEFAULT_RECORD_RETENTION,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SANDBOX_TIMEOUT] =
    g_param_spec_uint ("sandbox-timeout", NULL, NULL, 10, 86400, 300,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMAND_TIMEOUT] =
    g_param_spec_uint ("command-timeout", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEP_ALIVE] =
    g_param_spec_boolean ("keep-alive", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  /* Whether a sandbox that does not mount the workspace sends its changes back as they happen
   * (else only on a sync, a pause or a kill). */
  properties[PROP_LIVE_SYNC] =
    g_param_spec_boolean ("live-sync", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_REQUEST_TIMEOUT] =
    g_param_spec_uint ("request-timeout", NULL, NULL, 0, G_MAXUINT, 60000,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEV_SERVER_WAIT] =
    g_param_spec_uint ("dev-server-wait", NULL, NULL, 1, 3600, 60,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  _cc_client_signals[CLIENT_SIGNAL_SANDBOX_STATE_CHANGED] =
    g_signal_new ("sandbox-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  _cc_client_signals[CLIENT_SIGNAL_SANDBOX_RECREATED] =
    g_signal_new ("sandbox-recreated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  _cc_client_signals[CLIENT_SIGNAL_FILE_CHANGED] =
    g_signal_new ("file-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING,
                  G_TYPE_FILE_MONITOR_EVENT);
  /* A project's history gained a record or one ended: views of it follow as it happens. */
  _cc_client_signals[CLIENT_SIGNAL_HISTORY_CHANGED] =
    g_signal_new ("history-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A project's workspace sync began or ended (see cc_client_get_sync_state()). */
  _cc_client_signals[CLIENT_SIGNAL_SYNC_STATE_CHANGED] =
    g_signal_new ("sync-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Both sides changed a file: (project id, the sandbox's copy kept beside it). */
  _cc_client_signals[CLIENT_SIGNAL_SYNC_CONFLICT] =
    g_signal_new ("sync-conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
cc_client_init (CcClient *self)
{
  self->projects = g_list_store_new (CC_TYPE_PROJECT);
  self->load_waiters = g_ptr_array_new ();
  self->flush_waiters = g_ptr_array_new ();
  self->locator = cc_engine_locator_new ();
  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->recreate_notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->mirrors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->sandbox_timeout = 300;
  self->keep_alive = TRUE;
  self->engine_autostart = TRUE;
  rearm_keep_alive (self);
}

CcClient *
cc_client_new (CcStore *store)
{
  g_return_val_if_fail (CC_IS_STORE (store), NULL);
  return g_object_new (CC_TYPE_CLIENT, "store", store, NULL);
}

CcStore *
cc_client_get_store (CcClient *self)
{
  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);
  return self->store;
}

static void
default_store_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcStore) store = NULL;
  GError *error = NULL;

  store = cc_store_open_finish (result, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cc_client_new (store), g_object_unref);
}

void
cc_client_new_default_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GFile) file = cc_store_dup_default_file ();

  g_task_set_source_tag (task, cc_client_new_default_async);
  cc_store_open_async (file, cancellable, default_store_cb, g_steal_pointer (&task));
}

CcClient *
cc_client_new_default_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- background writes ------------------------------------------------------------------- */

/* Completes every queued task. The list is swapped first: a waiter's callback may queue again. */
static void
complete_waiters (GPtrArray    **waiters,
                  const GError  *error)
{
  g_autoptr(GPtrArray) done = g_steal_pointer (waiters);

  *waiters = g_ptr_array_new ();
  for (guint i = 0; i < done->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (done, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

void
_cc_client_hold (CcClient *self)
{
  g_object_ref (self);
  self->n_pending++;
}

void
_cc_client_release (CcClient *self)
{
  g_assert (self->n_pending > 0);
  if (--self->n_pending == 0)
    complete_waiters (&self->flush_waiters, NULL);
  g_object_unref (self);
}

void
cc_client_flush_async (CcClient            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_flush_async);
  if (self->n_pending == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->flush_waiters, g_steal_pointer (&task));
}

gboolean
cc_client_flush_finish (CcClient      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- projects ---------------------------------------------------------------------------- */

static void
list_projects_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CcClient) self = user_data;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GError) error = NULL;

  self->projects_loading = FALSE;
  model = cc_store_list_projects_finish (CC_STORE (source), result, &error);
  if (model != NULL)
    {
      guint n = g_list_model_get_n_items (model);
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, g_list_model_get_item (model, i));
      g_list_store_splice (self->projects, 0, g_list_model_get_n_items (G_LIST_MODEL (self->projects)),
                           items->pdata, items->len);
      self->projects_loaded = TRUE;
    }
  complete_waiters (&self->load_waiters, error);
}

void
cc_client_load_projects_async (CcClient            *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_load_projects_async);
  g_ptr_array_add (self->load_waiters, g_steal_pointer (&task));
  if (!self->projects_loading)
    {
      self->projects_loading = TRUE;
      cc_store_list_projects_async (self->store, NULL, list_projects_cb, g_object_ref (self));
    }
}

gboolean
cc_client_load_projects_finish (CcClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
load_in_background_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cc_client_load_projects_finish (CC_CLIENT (source), result, &error))
    g_warning ("Could not load the projects: %s", error->message);
}

GListModel *
cc_client_get_projects (CcClient *self)
{
  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);

  if (!self->projects_loaded && !self->projects_loading)
    cc_client_load_projects_async (self, NULL, load_in_background_cb, NULL);
  return G_LIST_MODEL (self->projects);
}

static gboolean
find_project_position (CcClient   *self,
                       const char *project_id,
                       guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->projects));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (G_LIST_MODEL (self->projects), i);

      if (g_strcmp0 (cc_project_get_id (project), project_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

CcProject *
cc_client_find_project (CcClient   *self,
                        const char *id_or_name)
{
  GListModel *model;
  guint n;
  guint position;
  CcProject *by_name = NULL;
  guint n_by_name = 0;

  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);

  if (id_or_name == NULL)
    return NULL;
  model = G_LIST_MODEL (self->projects);
  if (find_project_position (self, id_or_name, &position))
    {
      g_autoptr(CcProject) project = g_list_model_get_item (model, position);
      return project;     /* the list store keeps its reference */
    }
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_project_get_name (project), id_or_name) == 0)
        {
          by_name = project;
          n_by_name++;
        }
    }
  /* A name two projects share addresses neither: the caller must use the id. */
  return n_by_name == 1 ? by_name : NULL;
}

void
_cc_client_project_changed (CcClient  *self,
                            CcProject *project)
{
  guint position;

  if (find_project_position (self, cc_project_get_id (project), &position))
    g_list_store_splice (self->projects, position, 1, (gpointer *) &project, 1);
}

static void
get_project_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CcProject *project = cc_store_get_project_finish (CC_STORE (source), result, &error);

  if (project == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, project, g_object_unref);
}

void
_cc_client_get_project_async (CcClient            *self,
                              const char          *project_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  guint position;

  g_task_set_source_tag (task, _cc_client_get_project_async);
  if (project_id == NULL || *project_id == '\0')
    {
      g_task_return_new_error (task, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                               _("No project was given. Pick a project first."));
      return;
    }
  if (find_project_position (self, project_id, &position))
    {
      g_task_return_pointer (task, g_list_model_get_item (G_LIST_MODEL (self->projects), position),
                             g_object_unref);
      return;
    }
  cc_store_get_project_async (self->store, project_id, cancellable, get_project_cb,
                              g_steal_pointer (&task));
}

CcProject *
_cc_client_get_project_finish (CcClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- validation of project fields -------------------------------------------------------- */

#define PROJECT_NAME_MAX_CHARS 200

static gboolean
is_web_url (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 ||
          g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0);
}

/* A bare domain, such as a custom service gives for its sandboxes: letters, digits, dots and
 * dashes, optionally a port. */
static gboolean
is_domain (const char *text)
{
  if (*text == '\0' || *text == '.' || *text == '-')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != ':')
      return FALSE;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static gboolean
check_command (const char  *command,
               const char  *message,
               GError     **error)
{
  if (command == NULL || *command == '\0')
    return TRUE;   /* unset: the template's, or none */
  if (!g_utf8_validate (command, -1, NULL) || is_blank (command))
    {
      g_set_error_literal (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT, message);
      return FALSE;
    }
  return TRUE;
}

/*
 * validate_project:
 * @project: the values
 * @fields: which of them to check (with %CC_PROJECT_FIELD_PORT, 0 is refused: it is "unset")
 *
 * Checks the values a person gives a project, so that the app and the CLI refuse the same
 * ones with the same words (%CC_SANDBOX_ERROR_INVALID_ARGUMENT). A taken name is the store's
 * to refuse, inside its write.
 */
static gboolean
validate_project (CcProject       *project,
                  CcProjectField   fields,
                  GError         **error)
{
  if (fields & CC_PROJECT_FIELD_NAME)
    {
      const char *name = cc_project_get_name (project);

      if (name == NULL || is_blank (name))
        {
          g_set_error_literal (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("A project needs a name. Give it one and try again."));
          return FALSE;
        }
      if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > PROJECT_NAME_MAX_CHARS)
        {
          g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                       _("A project name is text of at most %d characters."), PROJECT_NAME_MAX_CHARS);
          return FALSE;
        }
      for (const char *p = name; *p != '\0'; p++)
        if (g_ascii_iscntrl (*p))
          {
            g_set_error_literal (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                 _("A project name cannot contain line breaks, tabs or other "
                                   "control characters."));
            return FALSE;
          }
    }
  if ((fields & CC_PROJECT_FIELD_PORT) &&
      (cc_project_get_port (project) == 0 || cc_project_get_port (project) > 65535))
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                   _("The port must be a number from 1 to 65535, not %u."), cc_project_get_port (project));
      return FALSE;
    }
  if ((fields & CC_PROJECT_FIELD_TEMPLATE) && cc_project_get_template (project) != NULL &&
      *cc_project_get_template (project) != '\0' &&
      cc_template_lookup (cc_project_get_template (project)) == NULL)
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                   _("There is no template named “%s”. Choose blank, node, vite or python."),
                   cc_project_get_template (project));
      return FALSE;
    }
  if (fields & CC_PROJECT_FIELD_CONNECTION)
    {
      const char *api_url = cc_project_get_api_url (project);
      const char *sandbox_url = cc_project_get_sandbox_url (project);

      if (cc_project_get_connection_kind (project) == CC_CONNECTION_CUSTOM &&
          (api_url == NULL || !is_web_url (api_url)))
        {
          g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an http or https URL. A custom connection needs the API URL "
                         "of an E2B-compatible service, such as https://api.example.com."),
                       api_url ? api_url : "");
          return FALSE;
        }
      if (sandbox_url != NULL && *sandbox_url != '\0' && !is_web_url (sandbox_url) &&
          !is_domain (sandbox_url))
        {
          g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                       _("“%s” is neither an http or https URL nor a domain. Give the sandbox URL "
                         "(https://sandbox.example.com) or domain (example.com) of the service, or "
                         "nothing."), sandbox_url);
          return FALSE;
        }
    }
  if ((fields & CC_PROJECT_FIELD_SETUP_COMMAND) &&
      !check_command (cc_project_get_setup_command (project),
                     _("The setup command is blank or not text. Give a command, or an empty one "
                       "to unset it."), error))
    return FALSE;
  if ((fields & CC_PROJECT_FIELD_START_COMMAND) &&
      !check_command (cc_project_get_start_command (project),
                     _("The start command is blank or not text. Give a command, or an empty one "
                       "to unset it."), error))
    return FALSE;
  return TRUE;
}

/* Completes both project writes; the model shows a new project first, a changed one in place. */
static void
project_saved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  gboolean created = g_task_get_source_tag (task) == cc_client_create_project_async;
  GError *error = NULL;
  CcProject *project;

  if (created)
    project = cc_store_create_project_finish (CC_STORE (source), result, &error);
  else
    project = cc_store_update_project_finish (CC_STORE (source), result, &error);
  if (project == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!created)
    _cc_client_project_changed (self, project);
  else if (!find_project_position (self, cc_project_get_id (project), &(guint) { 0 }))
    g_list_store_insert (self->projects, 0, project);
  g_task_return_pointer (task, project, g_object_unref);
}

void
cc_client_create_project_async (CcClient            *self,
                                const char          *name,
                                CcConnectionKind     kind,
                                const char          *endpoint,
                                const char          *template_id,
                                GFile               *folder,
                                guint                port,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CcProject) project = NULL;
  const CcTemplate *template = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_create_project_async);

  if (name == NULL || is_blank (name))
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("A project needs a name. Give it one and try again."));
      return;
    }
  if (port > 65535)
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("The port must be a number from 1 to 65535, not %u."), port);
      return;
    }
  if (template_id != NULL && *template_id != '\0')
    {
      template = cc_template_lookup (template_id);
      if (template == NULL)
        {
          g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                   _("There is no template named “%s”. Choose blank, node, vite "
                                     "or python."), template_id);
          return;
        }
    }
  if (kind == CC_CONNECTION_CUSTOM && (endpoint == NULL || *endpoint == '\0'))
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("A custom connection needs the API URL of an E2B-compatible "
                                 "service. Enter it and try again."));
      return;
    }

  {
    /* " web" and "web" would look the same in every list. */
    g_autofree char *stripped = g_strstrip (g_strdup (name));

    project = cc_project_new (stripped);
  }
  cc_project_set_connection_kind (project, kind);
  if (kind == CC_CONNECTION_CUSTOM)
    cc_project_set_api_url (project, endpoint);
  if (folder != NULL)
    {
      g_autofree char *path = g_file_get_path (folder);

      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                   _("“%s” is not a folder on this computer. Choose an existing "
                                     "folder."), path ? path : g_file_peek_path (folder));
          return;
        }
      cc_project_set_local_folder (project, path);
    }
  if (template == NULL && folder == NULL)
    template = cc_template_lookup (CC_TEMPLATE_BLANK);
  if (template != NULL)
    {
      cc_project_set_template (project, cc_template_get_id (template));
      cc_project_set_setup_command (project, cc_template_get_setup_command (template));
      cc_project_set_start_command (project, cc_template_get_start_command (template));
    }
  cc_project_set_port (project, port ? port : (template ? cc_template_get_port (template) : 3000));
  {
    GError *error = NULL;

    if (!validate_project (project, CC_PROJECT_FIELD_NAME | CC_PROJECT_FIELD_CONNECTION,
                                      &error))
      {
        g_task_return_error (task, error);
        return;
      }
  }

  cc_store_create_project_async (self->store, project, cancellable, project_saved_cb,
                                 g_steal_pointer (&task));
}

CcProject *
cc_client_create_project_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_client_get_project_info_async (CcClient            *self,
                                  const char          *project_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_get_project_info_async);
  cc_store_get_project_async (self->store, project_id, cancellable, get_project_cb,
                              g_steal_pointer (&task));
}

CcProject *
cc_client_get_project_info_finish (CcClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_client_update_project_info_async (CcClient            *self,
                                     const char          *project_id,
                                     CcProject           *changes,
                                     CcProjectField       fields,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CcProject) values = NULL;
  GError *error = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (CC_IS_PROJECT (changes));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_update_project_info_async);
  values = cc_project_copy (changes);
  if ((fields & CC_PROJECT_FIELD_NAME) && cc_project_get_name (values) != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (cc_project_get_name (values)));

      cc_project_set_name (values, stripped);
    }
  if (!validate_project (values, fields, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cc_store_update_project_async (self->store, project_id, fields, values, cancellable,
                                 project_saved_cb, g_steal_pointer (&task));
}

CcProject *
cc_client_update_project_info_finish (CcClient      *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cc_client_dup_workspace_path (CcClient  *self,
                              CcProject *project)
{
  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (CC_IS_PROJECT (project), NULL);
  return _cc_workspace_dup_path (self->store, project);
}

char *
cc_client_dup_recreate_note (CcClient   *self,
                             const char *project_id)
{
  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);
  return g_strdup (g_hash_table_lookup (self->recreate_notes, project_id));
}

/* ---- local file snapshots ---------------------------------------------------------------- */

CcFileSnapshot *
_cc_client_dup_snapshot (CcClient  *self,
                         CcProject *project)
{
  g_autofree char *path = _cc_workspace_prepare (self->store, project);
  g_autoptr(GFile) directory = NULL;

  /* Only when the folder cannot be made: then reading finds nothing and writing logs why. */
  if (path == NULL)
    path = _cc_workspace_dup_path (self->store, project);
  directory = g_file_new_for_path (path);
  return cc_file_snapshot_new (directory);
}

static void
snapshot_written_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  _cc_client_release (user_data);
}

void
_cc_client_save_snapshot (CcClient  *self,
                          CcProject *project,
                          GPtrArray *files)
{
  g_autofree char *mounted = _cc_workspace_dup_mount_path (self->store, project);
  g_autoptr(CcFileSnapshot) snapshot = NULL;

  /* The engine wrote them into the mounted workspace already. */
  if (mounted != NULL)
    return;
  snapshot = _cc_client_dup_snapshot (self, project);
  _cc_client_hold (self);
  cc_file_snapshot_save_async (snapshot, files, snapshot_written_cb, self);
}

/* Delete: kill the sandbox (best effort), delete the row, clear the cache and the snapshot. */

static void
cache_cleared_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cc_store_cache_clear_finish (CC_STORE (source), result, NULL, &error))
    g_debug ("Could not clear the cache of a deleted project: %s", error->message);
  _cc_client_release (user_data);
}

static void
workspace_removed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  _cc_client_release (user_data);
}

static void
delete_store_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  const char *project_id = g_task_get_task_data (task);
  CcProject *project;
  GError *error = NULL;
  guint position;

  if (!cc_store_delete_project_finish (CC_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (find_project_position (self, project_id, &position))
    g_list_store_remove (self->projects, position);
  g_hash_table_remove (self->sessions, project_id);
  _cc_client_hold (self);
  cc_store_cache_clear_async (self->store, project_id, NULL, NULL, cache_cleared_cb, self);
  project = g_object_get_data (G_OBJECT (task), "project");
  if (project != NULL && g_object_get_data (G_OBJECT (task), "keep-workspace") == NULL)
    {
      _cc_client_hold (self);
      _cc_workspace_remove_async (self->store, project, workspace_removed_cb, self);
    }
  g_task_return_boolean (task, TRUE);
}

/* Takes over @task: every path of a delete ends in removing the row. */
static void
delete_row (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);

  cc_store_delete_project_async (self->store, g_task_get_task_data (task), NULL, delete_store_cb,
                                 task);
}

static void
delete_kill_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cc_control_plane_kill_finish (CC_CONTROL_PLANE (source), result, &error) &&
      !g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE))
    g_debug ("Could not kill the sandbox of a deleted project: %s", error->message);
  delete_row (user_data);
}

static void
delete_connection_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  const char *sandbox_id = g_object_get_data (G_OBJECT (task), "sandbox-id");
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(GError) error = NULL;

  connection = _cc_client_get_connection_finish (self, result, &error);
  if (connection == NULL)
    {
      /* No engine or no key: the sandbox cannot be reached, which must not keep the project. */
      g_debug ("Deleting a project without killing its sandbox: %s", error->message);
      delete_row (g_steal_pointer (&task));
      return;
    }
  api = cc_control_plane_new (connection);
  cc_control_plane_kill_async (api, sandbox_id, NULL, delete_kill_cb, g_steal_pointer (&task));
}

static void
delete_get_project_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  g_autoptr(CcProject) project = NULL;
  CcSandboxSession *session;
  GError *error = NULL;

  project = _cc_client_get_project_finish (self, result, &error);
  if (project == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "project", g_object_ref (project), g_object_unref);
  session = g_hash_table_lookup (self->sessions, cc_project_get_id (project));
  if (session != NULL && cc_sandbox_session_get_dev_server (session) != NULL)
    cc_execution_cancel (cc_sandbox_session_get_dev_server (session));
  if (_cc_nonempty (cc_project_get_sandbox_id (project)) == NULL)
    {
      delete_row (g_steal_pointer (&task));
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "sandbox-id",
                          g_strdup (_cc_nonempty (cc_project_get_sandbox_id (project))), g_free);
  _cc_client_get_connection_async (self, project, NULL, delete_connection_cb,
                                   g_steal_pointer (&task));
}

void
cc_client_delete_project_async (CcClient            *self,
                                const char          *project_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  cc_client_delete_project_full_async (self, project_id, FALSE, cancellable, callback, user_data);
}

void
cc_client_delete_project_full_async (CcClient            *self,
                                     const char          *project_id,
                                     gboolean             keep_workspace,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  /* One tag for both, so one finish serves them. */
  g_task_set_source_tag (task, cc_client_delete_project_async);
  g_task_set_task_data (task, g_strdup (project_id), g_free);
  if (keep_workspace)
    g_object_set_data (G_OBJECT (task), "keep-workspace", GINT_TO_POINTER (TRUE));
  _cc_client_get_project_async (self, project_id, cancellable, delete_get_project_cb,
                                g_steal_pointer (&task));
}

gboolean
cc_client_delete_project_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
