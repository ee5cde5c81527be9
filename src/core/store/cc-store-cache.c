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

static CacheData *
cache_data_new (CcStore *self)
{
  CacheData *cd = g_new0 (CacheData, 1);

  cd->now = cc_store_get_now (self);
  cd->ttl = (gint64) self->cache_ttl * G_USEC_PER_SEC;
  cd->max_output = self->max_output;
  return cd;
}

/* Lookup ---------------------------------------------------------------------------------- */

static gboolean
lookup_worker (CcStore   *self,
               gpointer   task_data,
               gpointer  *result,
               GError   **error)
{
  CacheData *cd = task_data;
  const char *what = _("Could not read the command cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* The entry, in the columns of an operation record (_cc_store_operation_columns), so that it
   * reads like one: a successful cached command, made and updated when it was cached. */
  stmt = _cc_store_prepare (self,
                            "SELECT operation_id, project_id, ?5, ?6, command, stdout, stderr,"
                            " stdout_truncated, stderr_truncated, NULL, exit_code, duration_ms,"
                            " MAX (cached_at, 1), cached_at, cached_at, cached_at + ?7 FROM cache"
                            " WHERE project_id = ?1 AND command = ?2 AND connection_key = ?3"
                            " AND cached_at > ?4",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cd->project_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cd->command, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cd->connection_key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, cd->now - cd->ttl);
  sqlite3_bind_text (stmt, 5, cc_operation_type_to_string (CC_OPERATION_TYPE_COMMAND), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, cc_operation_status_to_string (CC_OPERATION_STATUS_SUCCESS), -1,
                     SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, cd->ttl);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *result = _cc_store_operation_from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  return TRUE;
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
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail (command != NULL);

  cd = cache_data_new (self);
  cd->project_id = g_strdup (project_id);
  cd->command = g_strdup (command);
  cd->connection_key = g_strdup (connection_key ? connection_key : "");
  _cc_store_call (self, cc_store_cache_lookup_async, cd, cache_data_free,
                  _CC_STORE_RESULT_OBJECT, lookup_worker, cancellable, callback, user_data);
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

static gboolean
put_worker (CcStore   *self,
            gpointer   task_data,
            gpointer  *result,
            GError   **error)
{
  CacheData *cd = task_data;
  CcOperation *op = cd->op;
  const char *what = _("Could not save the command result in the cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;

  _cc_store_cap_outputs (op, cd->max_output);   /* op is our own copy */

  stmt = _cc_store_prepare (self,
                            "INSERT OR REPLACE INTO cache (project_id, command, connection_key,"
                            " operation_id, stdout, stderr, stdout_truncated, stderr_truncated,"
                            " exit_code, duration_ms, cached_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cc_operation_get_project_id (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cc_operation_get_input (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cd->connection_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cc_operation_get_id (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, cc_operation_get_stdout (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, cc_operation_get_stderr (op), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, cc_operation_get_stdout_truncated (op));
  sqlite3_bind_int (stmt, 8, cc_operation_get_stderr_truncated (op));
  sqlite3_bind_int (stmt, 9, cc_operation_get_exit_code (op));
  sqlite3_bind_int64 (stmt, 10, cc_operation_get_duration_ms (op));
  sqlite3_bind_int64 (stmt, 11, cd->now);

  return _cc_store_step_done_for_project (self, stmt, cc_operation_get_project_id (op), what,
                                          error);
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
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (CC_IS_OPERATION (operation));

  cd = cache_data_new (self);
  cd->connection_key = g_strdup (connection_key ? connection_key : "");
  cd->op = cc_operation_copy (operation);
  _cc_store_call (self, cc_store_cache_put_async, cd, cache_data_free,
                  _CC_STORE_RESULT_BOOLEAN, put_worker, cancellable, callback, user_data);
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

static gboolean
clear_worker (CcStore   *self,
              gpointer   task_data,
              gpointer  *result,
              GError   **error)
{
  CacheData *cd = task_data;
  const char *what = _("Could not clear the command cache");
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _cc_store_prepare (self,
                            cd->command != NULL
                              ? "DELETE FROM cache WHERE project_id = ?1 AND command = ?2"
                              : "DELETE FROM cache WHERE project_id = ?1",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cd->project_id, -1, SQLITE_STATIC);
  if (cd->command != NULL)
    sqlite3_bind_text (stmt, 2, cd->command, -1, SQLITE_STATIC);
  if (!_cc_store_step_done (self, stmt, what, error))
    return FALSE;
  cd->n_removed = sqlite3_changes (self->db);
  return TRUE;
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
  CacheData *cd;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);

  cd = cache_data_new (self);
  cd->project_id = g_strdup (project_id);
  cd->command = g_strdup (command);
  _cc_store_call (self, cc_store_cache_clear_async, cd, cache_data_free,
                  _CC_STORE_RESULT_BOOLEAN, clear_worker, cancellable, callback, user_data);
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
