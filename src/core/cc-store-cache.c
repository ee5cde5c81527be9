/* cc-store-cache.c: the command cache
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An entry is keyed by project + command + connection (the same command on another connection
 * is another result). Its age is checked against the TTL on every lookup, so an expired entry
 * is never served, whether or not the purge has deleted it yet, and a changed TTL applies to
 * entries already stored.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-store-private.h"

typedef struct
{
  char        *project_id;
  char        *command;
  char        *connection_key;
  CcOperation *op;
  gint64       now;
  gint64       ttl;
  gsize        max_output;
  guint        n_removed;
} CacheData;

static void
cache_data_free (gpointer data)
{
  CacheData *cd = data;

  g_free (cd->project_id);
  g_free (cd->command);
  g_free (cd->connection_key);
  g_clear_object (&cd->op);
  g_free (cd);
}

static GTask *
cache_task_new (CcStore             *self,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data,
                CacheData          **out)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CacheData *cd = g_new0 (CacheData, 1);

  cd->now = cc_store_get_now (self);
  cd->ttl = (gint64) self->cache_ttl * G_USEC_PER_SEC;
  cd->max_output = self->max_output;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, cd, cache_data_free);
  *out = cd;
  return task;
}

/* Lookup ---------------------------------------------------------------------------------- */

static void
lookup_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CcStore *self = source_object;
  CacheData *cd = task_data;
  const char *what = _("Could not read the command cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  CcOperation *op = NULL;
  GError *error = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  stmt = _cc_store_prepare (self,
                            "SELECT operation_id, stdout, stderr, stdout_truncated,"
                            " stderr_truncated, exit_code, duration_ms, cached_at FROM cache"
                            " WHERE project_id = ?1 AND command = ?2 AND connection_key = ?3"
                            " AND cached_at > ?4",
                            what, &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, cd->project_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, cd->command, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, cd->connection_key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, cd->now - cd->ttl);

      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          gint64 cached_at = sqlite3_column_int64 (stmt, 7);

          op = cc_operation_new (cd->project_id, CC_OPERATION_TYPE_COMMAND, cd->command);
          cc_operation_set_id (op, _cc_store_column_text (stmt, 0));
          cc_operation_set_status (op, CC_OPERATION_STATUS_SUCCESS);
          cc_operation_set_stdout (op, _cc_store_column_text (stmt, 1));
          cc_operation_set_stderr (op, _cc_store_column_text (stmt, 2));
          cc_operation_set_stdout_truncated (op, sqlite3_column_int (stmt, 3) != 0);
          cc_operation_set_stderr_truncated (op, sqlite3_column_int (stmt, 4) != 0);
          cc_operation_set_exit_code (op, (int) CLAMP (sqlite3_column_int64 (stmt, 5), -1,
                                                       G_MAXINT));
          cc_operation_set_duration_ms (op, MAX (sqlite3_column_int64 (stmt, 6), 0));
          cc_operation_set_cached (op, TRUE);
          cc_operation_set_created_at (op, MAX (cached_at, 0));
          cc_operation_set_updated_at (op, MAX (cached_at, 0));
          cc_operation_set_expires_at (op, MAX (cached_at + cd->ttl, 0));
        }
      else if (rc != SQLITE_DONE)
        _cc_store_set_error (self, rc, what, &error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, op, g_object_unref);
}

/**
 * cc_store_cache_lookup_async:
 * @self: a #CcStore
 * @project_id: the project
 * @command: the command, exactly as it would run
 * @connection_key: (nullable): what identifies the connection it runs on (for example the
 *   connection kind and endpoint), "" or %NULL when it does not matter
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Looks up a cached result younger than the cache TTL.
 */
void
cc_store_cache_lookup_async (CcStore             *self,
                             const char          *project_id,
                             const char          *command,
                             const char          *connection_key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (command != NULL);

  task = cache_task_new (self, cc_store_cache_lookup_async, cancellable, callback, user_data,
                         &cd);
  cd->project_id = g_strdup (project_id);
  cd->command = g_strdup (command);
  cd->connection_key = g_strdup (connection_key ? connection_key : "");
  _cc_store_run (self, task, lookup_worker);
}

/**
 * cc_store_cache_lookup_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the cached result as a #CcOperation (status SUCCESS,
 *   #CcOperation:cached set, id of the record it came from, created-at when it was cached,
 *   expires-at when the entry expires), or %NULL without an error on a miss
 */
CcOperation *
cc_store_cache_lookup_finish (CcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Put ------------------------------------------------------------------------------------- */

static void
put_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  CcStore *self = source_object;
  CacheData *cd = task_data;
  CcOperation *op = cd->op;
  const char *what = _("Could not save the command result in the cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;
  gboolean out_truncated = cc_operation_get_stdout_truncated (op);
  gboolean err_truncated = cc_operation_get_stderr_truncated (op);
  GError *error = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  out_text = _cc_store_cap_text (cc_operation_get_stdout (op), cd->max_output, &out_truncated);
  err_text = _cc_store_cap_text (cc_operation_get_stderr (op), cd->max_output, &err_truncated);

  _cc_store_lock (self);
  stmt = _cc_store_prepare (self,
                            "INSERT OR REPLACE INTO cache (project_id, command, connection_key,"
                            " operation_id, stdout, stderr, stdout_truncated, stderr_truncated,"
                            " exit_code, duration_ms, cached_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            what, &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, cc_operation_get_project_id (op), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, cc_operation_get_input (op), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, cd->connection_key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, cc_operation_get_id (op), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, out_text, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, err_text, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 7, out_truncated);
      sqlite3_bind_int (stmt, 8, err_truncated);
      sqlite3_bind_int (stmt, 9, cc_operation_get_exit_code (op));
      sqlite3_bind_int64 (stmt, 10, cc_operation_get_duration_ms (op));
      sqlite3_bind_int64 (stmt, 11, cd->now);

      rc = sqlite3_step (stmt);
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (&error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                     _("%s: there is no project with the id “%s”. It may have been deleted."),
                     what, cc_operation_get_project_id (op));
      else if (rc != SQLITE_DONE)
        _cc_store_set_error (self, rc, what, &error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cc_store_cache_put_async:
 * @self: a #CcStore
 * @connection_key: (nullable): as for cc_store_cache_lookup_async()
 * @operation: a finished command: its project-id, input (the command), id, stdout, stderr,
 *   exit code and duration are cached; copied at once
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Caches a command's result, replacing an older one for the same key. Which results are
 * worth caching (only successful ones) is the caller's decision.
 */
void
cc_store_cache_put_async (CcStore             *self,
                          const char          *connection_key,
                          CcOperation         *operation,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (CC_IS_OPERATION (operation));

  task = cache_task_new (self, cc_store_cache_put_async, cancellable, callback, user_data, &cd);
  cd->connection_key = g_strdup (connection_key ? connection_key : "");
  cd->op = cc_operation_copy (operation);
  _cc_store_run (self, task, put_worker);
}

/**
 * cc_store_cache_put_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the result was cached
 */
gboolean
cc_store_cache_put_finish (CcStore       *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Clear ----------------------------------------------------------------------------------- */

static void
clear_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CcStore *self = source_object;
  CacheData *cd = task_data;
  const char *what = _("Could not clear the command cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  stmt = _cc_store_prepare (self,
                            cd->command != NULL
                              ? "DELETE FROM cache WHERE project_id = ?1 AND command = ?2"
                              : "DELETE FROM cache WHERE project_id = ?1",
                            what, &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, cd->project_id, -1, SQLITE_STATIC);
      if (cd->command != NULL)
        sqlite3_bind_text (stmt, 2, cd->command, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        cd->n_removed = sqlite3_changes (self->db);
      else
        _cc_store_set_error (self, rc, what, &error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _cc_store_unlock (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cc_store_cache_clear_async:
 * @self: a #CcStore
 * @project_id: the project
 * @command: (nullable): the command whose result to forget (on every connection), or %NULL
 *   for every cached result of the project
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Forgets cached results. Clearing what is not cached is not an error.
 */
void
cc_store_cache_clear_async (CcStore             *self,
                            const char          *project_id,
                            const char          *command,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  task = cache_task_new (self, cc_store_cache_clear_async, cancellable, callback, user_data,
                         &cd);
  cd->project_id = g_strdup (project_id);
  cd->command = g_strdup (command);
  _cc_store_run (self, task, clear_worker);
}

/**
 * cc_store_cache_clear_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @n_removed: (out) (optional): how many entries were removed
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 */
gboolean
cc_store_cache_clear_finish (CcStore       *self,
                             GAsyncResult  *result,
                             guint         *n_removed,
                             GError       **error)
{
  CacheData *cd;

  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  cd = g_task_get_task_data (G_TASK (result));
  if (n_removed != NULL)
    *n_removed = cd->n_removed;
  return TRUE;
}
