/* cc-store-projects.c: project metadata (kept forever)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-store-private.h"

const char _cc_store_project_columns[] =
  "id, name, connection_kind, api_url, sandbox_url, template, port, sandbox_id, local_folder,"
  " setup_command, start_command, created_at, updated_at, last_execution_at";

CcProject *
_cc_store_project_from_row (sqlite3_stmt *stmt)
{
  CcProject *project = cc_project_new (NULL);
  CcConnectionKind kind = CC_CONNECTION_LOCAL;

  cc_project_set_id (project, _cc_store_column_text (stmt, 0));
  cc_project_set_name (project, _cc_store_column_text (stmt, 1));
  if (!cc_connection_kind_from_string (_cc_store_column_text (stmt, 2), &kind))
    kind = CC_CONNECTION_LOCAL;
  cc_project_set_connection_kind (project, kind);
  cc_project_set_api_url (project, _cc_store_column_text (stmt, 3));
  cc_project_set_sandbox_url (project, _cc_store_column_text (stmt, 4));
  cc_project_set_template (project, _cc_store_column_text (stmt, 5));
  cc_project_set_port (project, CLAMP (sqlite3_column_int64 (stmt, 6), 0, 65535));
  cc_project_set_sandbox_id (project, _cc_store_column_text (stmt, 7));
  cc_project_set_local_folder (project, _cc_store_column_text (stmt, 8));
  cc_project_set_setup_command (project, _cc_store_column_text (stmt, 9));
  cc_project_set_start_command (project, _cc_store_column_text (stmt, 10));
  cc_project_set_created_at (project, MAX (sqlite3_column_int64 (stmt, 11), 0));
  cc_project_set_updated_at (project, MAX (sqlite3_column_int64 (stmt, 12), 0));
  cc_project_set_last_execution_at (project, MAX (sqlite3_column_int64 (stmt, 13), 0));

  return project;
}

/* A project is a value object read on the caller's thread: workers only see a private copy. */
typedef struct
{
  CcProject      *project;
  char           *project_id;
  CcProjectField  fields;
  gint64          now;
} ProjectData;

static void
project_data_free (gpointer data)
{
  ProjectData *pd = data;

  g_clear_object (&pd->project);
  g_free (pd->project_id);
  g_free (pd);
}

static GTask *
project_task_new (CcStore             *self,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  ProjectData        **out)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ProjectData *pd = g_new0 (ProjectData, 1);

  pd->now = cc_store_get_now (self);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, pd, project_data_free);
  *out = pd;
  return task;
}

static CcProject *
select_project_locked (CcStore     *self,
                       const char  *project_id,
                       const char  *what,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT %s FROM projects WHERE id = ?1", _cc_store_project_columns);
  stmt = _cc_store_prepare (self, sql, what, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return _cc_store_project_from_row (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                 _("%s: there is no project with the id “%s”. It may have been deleted."),
                 what, project_id);
  else
    _cc_store_set_error (self, rc, what, error);
  return NULL;
}

/* Create ---------------------------------------------------------------------------------- */

static void
create_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CcStore *self = source_object;
  ProjectData *pd = task_data;
  CcProject *p = pd->project;
  const char *what = _("Could not save the new project");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  GError *error = NULL;
  CcProject *result = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  sql = g_strdup_printf ("INSERT INTO projects (%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                         " ?10, ?11, ?12, ?13, ?14)", _cc_store_project_columns);
  stmt = _cc_store_prepare (self, sql, what, &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, cc_project_get_id (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, cc_project_get_name (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, cc_connection_kind_to_string (cc_project_get_connection_kind (p)),
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, cc_project_get_api_url (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, cc_project_get_sandbox_url (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, cc_project_get_template (p), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 7, cc_project_get_port (p));
      sqlite3_bind_text (stmt, 8, cc_project_get_sandbox_id (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 9, cc_project_get_local_folder (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 10, cc_project_get_setup_command (p), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 11, cc_project_get_start_command (p), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 12, cc_project_get_created_at (p));
      sqlite3_bind_int64 (stmt, 13, cc_project_get_updated_at (p));
      sqlite3_bind_int64 (stmt, 14, cc_project_get_last_execution_at (p));

      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        {
          result = g_object_ref (p);
          _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_ADDED, cc_project_copy (p));
        }
      else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (&error, CC_STORE_ERROR, CC_STORE_ERROR_FAILED,
                     _("%s: a project with the id “%s” already exists."),
                     what, cc_project_get_id (p));
      else
        _cc_store_set_error (self, rc, what, &error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (result != NULL)
    g_task_return_pointer (task, result, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * cc_store_create_project_async:
 * @self: a #CcStore
 * @project: the new project; it is copied, so it may change after this call
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores a new project. When @project has no id, a new one is made; created-at and updated-at
 * are set to now when they are 0.
 */
void
cc_store_create_project_async (CcStore             *self,
                               CcProject           *project,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (CC_IS_PROJECT (project));

  task = project_task_new (self, cc_store_create_project_async, cancellable, callback,
                           user_data, &pd);
  pd->project = cc_project_copy (project);
  if (cc_project_get_id (pd->project)[0] == '\0')
    {
      g_autofree char *id = g_uuid_string_random ();

      cc_project_set_id (pd->project, id);
    }
  if (cc_project_get_created_at (pd->project) == 0)
    cc_project_set_created_at (pd->project, pd->now);
  if (cc_project_get_updated_at (pd->project) == 0)
    cc_project_set_updated_at (pd->project, cc_project_get_created_at (pd->project));

  _cc_store_run (self, task, create_worker);
}

/**
 * cc_store_create_project_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the project as stored (with its id and times), or %NULL
 */
CcProject *
cc_store_create_project_finish (CcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Get ------------------------------------------------------------------------------------- */

static void
get_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  CcStore *self = source_object;
  ProjectData *pd = task_data;
  GError *error = NULL;
  CcProject *project;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  project = select_project_locked (self, pd->project_id, _("Could not read the project"), &error);
  _cc_store_unlock (self);

  if (project != NULL)
    g_task_return_pointer (task, project, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * cc_store_get_project_async:
 * @self: a #CcStore
 * @project_id: the project's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads one project. Fails with %CC_STORE_ERROR_NOT_FOUND when there is none with that id.
 */
void
cc_store_get_project_async (CcStore             *self,
                            const char          *project_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  task = project_task_new (self, cc_store_get_project_async, cancellable, callback, user_data,
                           &pd);
  pd->project_id = g_strdup (project_id);
  _cc_store_run (self, task, get_worker);
}

/**
 * cc_store_get_project_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new #CcProject, or %NULL
 */
CcProject *
cc_store_get_project_finish (CcStore       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* List ------------------------------------------------------------------------------------ */

static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CcStore *self = source_object;
  const char *what = _("Could not read the list of projects");
  g_autoptr(GListStore) list = g_list_store_new (CC_TYPE_PROJECT);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  GError *error = NULL;
  int rc = SQLITE_DONE;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  sql = g_strdup_printf ("SELECT %s FROM projects ORDER BY name COLLATE NOCASE, created_at, id",
                         _cc_store_project_columns);
  stmt = _cc_store_prepare (self, sql, what, &error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autoptr(CcProject) project = _cc_store_project_from_row (stmt);

          g_list_store_append (list, project);
        }
      if (rc != SQLITE_DONE)
        _cc_store_set_error (self, rc, what, &error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&list), g_object_unref);
}

/**
 * cc_store_list_projects_async:
 * @self: a #CcStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads every project, ordered by name (ignoring case), then by creation.
 */
void
cc_store_list_projects_async (CcStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));

  task = project_task_new (self, cc_store_list_projects_async, cancellable, callback, user_data,
                           &pd);
  _cc_store_run (self, task, list_worker);
}

/**
 * cc_store_list_projects_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a #GListModel (a #GListStore) of #CcProject, or %NULL
 */
GListModel *
cc_store_list_projects_finish (CcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Update ---------------------------------------------------------------------------------- */

static void
update_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CcStore *self = source_object;
  ProjectData *pd = task_data;
  CcProject *v = pd->project;
  const char *what = _("Could not save the project");
  g_autoptr(GString) sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  CcProject *result = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Fixed parameter numbers per field, so the binding below need not track the order. */
  sql = g_string_new ("UPDATE projects SET updated_at = MAX (?1, updated_at + 1)");
  if (pd->fields & CC_PROJECT_FIELD_NAME)
    g_string_append (sql, ", name = ?3");
  if (pd->fields & CC_PROJECT_FIELD_CONNECTION)
    g_string_append (sql, ", connection_kind = ?4, api_url = ?5, sandbox_url = ?6");
  if (pd->fields & CC_PROJECT_FIELD_TEMPLATE)
    g_string_append (sql, ", template = ?7");
  if (pd->fields & CC_PROJECT_FIELD_PORT)
    g_string_append (sql, ", port = ?8");
  if (pd->fields & CC_PROJECT_FIELD_SANDBOX_ID)
    g_string_append (sql, ", sandbox_id = ?9");
  if (pd->fields & CC_PROJECT_FIELD_LOCAL_FOLDER)
    g_string_append (sql, ", local_folder = ?10");
  if (pd->fields & CC_PROJECT_FIELD_SETUP_COMMAND)
    g_string_append (sql, ", setup_command = ?11");
  if (pd->fields & CC_PROJECT_FIELD_START_COMMAND)
    g_string_append (sql, ", start_command = ?12");
  if (pd->fields & CC_PROJECT_FIELD_LAST_EXECUTION)
    g_string_append (sql, ", last_execution_at = ?13");
  g_string_append (sql, " WHERE id = ?2");

  _cc_store_lock (self);
  if (!_cc_store_begin (self, what, &error))
    goto out;

  stmt = _cc_store_prepare (self, sql->str, what, &error);
  if (stmt == NULL)
    goto out;

  sqlite3_bind_int64 (stmt, 1, pd->now);
  sqlite3_bind_text (stmt, 2, pd->project_id, -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_NAME)
    sqlite3_bind_text (stmt, 3, cc_project_get_name (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_CONNECTION)
    {
      sqlite3_bind_text (stmt, 4,
                         cc_connection_kind_to_string (cc_project_get_connection_kind (v)),
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, cc_project_get_api_url (v), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, cc_project_get_sandbox_url (v), -1, SQLITE_STATIC);
    }
  if (pd->fields & CC_PROJECT_FIELD_TEMPLATE)
    sqlite3_bind_text (stmt, 7, cc_project_get_template (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_PORT)
    sqlite3_bind_int64 (stmt, 8, cc_project_get_port (v));
  if (pd->fields & CC_PROJECT_FIELD_SANDBOX_ID)
    sqlite3_bind_text (stmt, 9, cc_project_get_sandbox_id (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_LOCAL_FOLDER)
    sqlite3_bind_text (stmt, 10, cc_project_get_local_folder (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_SETUP_COMMAND)
    sqlite3_bind_text (stmt, 11, cc_project_get_setup_command (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_START_COMMAND)
    sqlite3_bind_text (stmt, 12, cc_project_get_start_command (v), -1, SQLITE_STATIC);
  if (pd->fields & CC_PROJECT_FIELD_LAST_EXECUTION)
    sqlite3_bind_int64 (stmt, 13, cc_project_get_last_execution_at (v));

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, &error);
      goto out;
    }

  /* select_project_locked() reports a missing project as NOT_FOUND. */
  result = select_project_locked (self, pd->project_id, what, &error);
  if (result == NULL)
    goto out;

  if (!_cc_store_commit (self, what, &error))
    g_clear_object (&result);
  else
    _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_UPDATED, cc_project_copy (result));

out:
  _cc_store_rollback (self);
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (result != NULL)
    g_task_return_pointer (task, result, g_object_unref);
  else
    g_task_return_error (task, error);
}

/**
 * cc_store_update_project_async:
 * @self: a #CcStore
 * @project_id: the project to change
 * @fields: which fields to take from @values; the others keep their stored value
 * @values: a project holding the new values (its id is ignored); copied at once
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Changes some fields of a stored project; updated-at moves forward (even when the clock did
 * not). Fails with %CC_STORE_ERROR_NOT_FOUND when there is no such project.
 */
void
cc_store_update_project_async (CcStore             *self,
                               const char          *project_id,
                               CcProjectField       fields,
                               CcProject           *values,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (values == NULL || CC_IS_PROJECT (values));
  g_return_if_fail (values != NULL || fields == CC_PROJECT_FIELD_NONE);

  task = project_task_new (self, cc_store_update_project_async, cancellable, callback,
                           user_data, &pd);
  pd->project_id = g_strdup (project_id);
  pd->fields = fields & CC_PROJECT_FIELD_ALL;
  pd->project = values ? cc_project_copy (values) : cc_project_new (NULL);
  _cc_store_run (self, task, update_worker);
}

/**
 * cc_store_update_project_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the project as stored after the update, or %NULL
 */
CcProject *
cc_store_update_project_finish (CcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete ---------------------------------------------------------------------------------- */

static void
delete_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  static const char * const statements[] = {
    "DELETE FROM cache WHERE project_id = ?1",
    "DELETE FROM operations WHERE project_id = ?1",
    "DELETE FROM projects WHERE id = ?1",
  };
  CcStore *self = source_object;
  ProjectData *pd = task_data;
  const char *what = _("Could not delete the project");
  GError *error = NULL;
  gboolean ok = FALSE;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  if (!_cc_store_begin (self, what, &error))
    goto out;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = _cc_store_prepare (self, statements[i], what, &error);
      int rc;

      if (stmt == NULL)
        goto out;
      sqlite3_bind_text (stmt, 1, pd->project_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          _cc_store_set_error (self, rc, what, &error);
          goto out;
        }
    }

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (&error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                   _("%s: there is no project with the id “%s”. It may have been deleted."),
                   what, pd->project_id);
      goto out;
    }

  ok = _cc_store_commit (self, what, &error);
  if (ok)
    _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_REMOVED, g_strdup (pd->project_id));

out:
  _cc_store_rollback (self);
  _cc_store_unlock (self);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * cc_store_delete_project_async:
 * @self: a #CcStore
 * @project_id: the project to delete
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes a project with its operation records and cached results, in one transaction.
 * Fails with %CC_STORE_ERROR_NOT_FOUND when there is no such project.
 */
void
cc_store_delete_project_async (CcStore             *self,
                               const char          *project_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  task = project_task_new (self, cc_store_delete_project_async, cancellable, callback,
                           user_data, &pd);
  pd->project_id = g_strdup (project_id);
  _cc_store_run (self, task, delete_worker);
}

/**
 * cc_store_delete_project_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the project and everything of it was deleted
 */
gboolean
cc_store_delete_project_finish (CcStore       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
