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

static ProjectData *
project_data_new (CcStore *self)
{
  ProjectData *pd = g_new0 (ProjectData, 1);

  pd->now = cc_store_get_now (self);
  return pd;
}

/* Binds each field of @p to the parameter numbered as its column in _cc_store_project_columns
 * (?1 for the id to ?14 for last-execution-at). */
static void
bind_project (sqlite3_stmt *stmt,
              CcProject    *p)
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
    _cc_store_set_project_not_found (what, project_id, error);
  else
    _cc_store_set_error (self, rc, what, error);
  return NULL;
}

/* Projects are addressed by name (the CLI, the sidebar), so two may not share one. Fails with
 * %CC_STORE_ERROR_NAME_TAKEN naming the other project; called inside the write transaction so
 * that two programs cannot both take the name. */
static gboolean
check_name_free_locked (CcStore     *self,
                        const char  *name,
                        const char  *own_id,
                        const char  *what,
                        GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = _cc_store_prepare (self, "SELECT id FROM projects WHERE name = ?1 AND id != ?2 LIMIT 1",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, own_id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc == SQLITE_ROW)
    g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NAME_TAKEN,
                 _("Another project (%s) is already named “%s”. Choose another name."),
                 (const char *) sqlite3_column_text (stmt, 0), name);
  else
    _cc_store_set_error (self, rc, what, error);
  return FALSE;
}

/* Create ---------------------------------------------------------------------------------- */

static gboolean
create_worker (CcStore   *self,
               gpointer   task_data,
               gpointer  *result,
               GError   **error)
{
  ProjectData *pd = task_data;
  CcProject *p = pd->project;
  const char *what = _("Could not save the new project");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  sql = g_strdup_printf ("INSERT INTO projects (%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                         " ?10, ?11, ?12, ?13, ?14)", _cc_store_project_columns);
  stmt = _cc_store_prepare (self, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  bind_project (stmt, p);

  if (!_cc_store_begin (self, what, error) ||
      !check_name_free_locked (self, cc_project_get_name (p), cc_project_get_id (p), what, error))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_FAILED,
                   _("%s: a project with the id “%s” already exists."),
                   what, cc_project_get_id (p));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  if (!_cc_store_commit (self, what, error))
    return FALSE;

  _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_ADDED, cc_project_copy (p));
  *result = g_object_ref (p);
  return TRUE;
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
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (CC_IS_PROJECT (project));

  pd = project_data_new (self);
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

  _cc_store_call (self, cc_store_create_project_async, pd, project_data_free,
                  _CC_STORE_RESULT_OBJECT, create_worker, cancellable, callback, user_data);
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

static gboolean
get_worker (CcStore   *self,
            gpointer   task_data,
            gpointer  *result,
            GError   **error)
{
  ProjectData *pd = task_data;

  *result = select_project_locked (self, pd->project_id, _("Could not read the project"), error);
  return *result != NULL;
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
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  pd = project_data_new (self);
  pd->project_id = g_strdup (project_id);
  _cc_store_call (self, cc_store_get_project_async, pd, project_data_free,
                  _CC_STORE_RESULT_OBJECT, get_worker, cancellable, callback, user_data);
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

static gboolean
list_worker (CcStore   *self,
             gpointer   task_data,
             gpointer  *result,
             GError   **error)
{
  const char *what = _("Could not read the list of projects");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("SELECT %s FROM projects ORDER BY name COLLATE NOCASE, created_at, id",
                         _cc_store_project_columns);
  stmt = _cc_store_prepare (self, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  *result = _cc_store_list_rows (self, stmt, CC_TYPE_PROJECT,
                                 (CcStoreRowFunc) _cc_store_project_from_row, what, error);
  return *result != NULL;
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
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));

  pd = project_data_new (self);
  _cc_store_call (self, cc_store_list_projects_async, pd, project_data_free,
                  _CC_STORE_RESULT_OBJECT, list_worker, cancellable, callback, user_data);
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

static gboolean
update_worker (CcStore   *self,
               gpointer   task_data,
               gpointer  *result,
               GError   **error)
{
  static const struct
  {
    CcProjectField  field;
    const char     *assignments;
  } update_columns[] = {
    { CC_PROJECT_FIELD_NAME, ", name = ?2" },
    { CC_PROJECT_FIELD_CONNECTION, ", connection_kind = ?3, api_url = ?4, sandbox_url = ?5" },
    { CC_PROJECT_FIELD_TEMPLATE, ", template = ?6" },
    { CC_PROJECT_FIELD_PORT, ", port = ?7" },
    { CC_PROJECT_FIELD_SANDBOX_ID, ", sandbox_id = ?8" },
    { CC_PROJECT_FIELD_LOCAL_FOLDER, ", local_folder = ?9" },
    { CC_PROJECT_FIELD_SETUP_COMMAND, ", setup_command = ?10" },
    { CC_PROJECT_FIELD_START_COMMAND, ", start_command = ?11" },
    { CC_PROJECT_FIELD_LAST_EXECUTION, ", last_execution_at = ?14" },
  };
  ProjectData *pd = task_data;
  const char *what = _("Could not save the project");
  g_autoptr(GString) sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CcProject) stored = NULL;

  /* Each column takes the parameter of its number in the INSERT, so that bind_project() binds
   * the new values; those of the fields not changed are bound but not used. */
  sql = g_string_new ("UPDATE projects SET updated_at = MAX (?15, updated_at + 1)");
  for (guint i = 0; i < G_N_ELEMENTS (update_columns); i++)
    if (pd->fields & update_columns[i].field)
      g_string_append (sql, update_columns[i].assignments);
  g_string_append (sql, " WHERE id = ?16");

  if (!_cc_store_begin (self, what, error))
    return FALSE;
  if ((pd->fields & CC_PROJECT_FIELD_NAME) &&
      !check_name_free_locked (self, cc_project_get_name (pd->project), pd->project_id, what, error))
    return FALSE;
  stmt = _cc_store_prepare (self, sql->str, what, error);
  if (stmt == NULL)
    return FALSE;
  bind_project (stmt, pd->project);
  sqlite3_bind_int64 (stmt, 15, pd->now);
  sqlite3_bind_text (stmt, 16, pd->project_id, -1, SQLITE_STATIC);

  if (!_cc_store_step_done (self, stmt, what, error))
    return FALSE;

  /* select_project_locked() reports a missing project as NOT_FOUND. */
  stored = select_project_locked (self, pd->project_id, what, error);
  if (stored == NULL || !_cc_store_commit (self, what, error))
    return FALSE;

  _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_UPDATED, cc_project_copy (stored));
  *result = g_steal_pointer (&stored);
  return TRUE;
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
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (values == NULL || CC_IS_PROJECT (values));
  g_return_if_fail (values != NULL || fields == CC_PROJECT_FIELD_NONE);

  pd = project_data_new (self);
  pd->project_id = g_strdup (project_id);
  pd->fields = fields & CC_PROJECT_FIELD_ALL;
  pd->project = values ? cc_project_copy (values) : cc_project_new (NULL);
  _cc_store_call (self, cc_store_update_project_async, pd, project_data_free,
                  _CC_STORE_RESULT_OBJECT, update_worker, cancellable, callback, user_data);
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

static gboolean
delete_worker (CcStore   *self,
               gpointer   task_data,
               gpointer  *result,
               GError   **error)
{
  static const char * const statements[] = {
    "DELETE FROM cache WHERE project_id = ?1",
    "DELETE FROM operations WHERE project_id = ?1",
    "DELETE FROM projects WHERE id = ?1",
  };
  ProjectData *pd = task_data;
  const char *what = _("Could not delete the project");

  if (!_cc_store_begin (self, what, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = _cc_store_prepare (self, statements[i], what, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, pd->project_id, -1, SQLITE_STATIC);
      if (!_cc_store_step_done (self, stmt, what, error))
        return FALSE;
    }

  if (sqlite3_changes (self->db) == 0)
    {
      _cc_store_set_project_not_found (what, pd->project_id, error);
      return FALSE;
    }
  if (!_cc_store_commit (self, what, error))
    return FALSE;

  _cc_store_emit_later (self, _CC_STORE_SIGNAL_PROJECT_REMOVED, g_strdup (pd->project_id));
  return TRUE;
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
  ProjectData *pd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  pd = project_data_new (self);
  pd->project_id = g_strdup (project_id);
  _cc_store_call (self, cc_store_delete_project_async, pd, project_data_free,
                  _CC_STORE_RESULT_BOOLEAN, delete_worker, cancellable, callback, user_data);
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
