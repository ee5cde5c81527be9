/* cc-store-operations.c: operation records and the history
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-store-private.h"

const char _cc_store_operation_columns[] =
  "id, project_id, type, status, input, stdout, stderr, stdout_truncated, stderr_truncated,"
  " error, exit_code, duration_ms, cached, created_at, updated_at, expires_at";

CcOperation *
_cc_store_operation_from_row (sqlite3_stmt *stmt)
{
  CcOperationType type = CC_OPERATION_TYPE_COMMAND;
  CcOperationStatus status = CC_OPERATION_STATUS_ERROR;
  CcOperation *op;

  /* A name this version does not know (written by a newer one) reads as a command/error,
   * rather than hiding the record. */
  cc_operation_type_from_string (_cc_store_column_text (stmt, 2), &type);
  cc_operation_status_from_string (_cc_store_column_text (stmt, 3), &status);

  op = cc_operation_new (_cc_store_column_text (stmt, 1), type, _cc_store_column_text (stmt, 4));
  cc_operation_set_id (op, _cc_store_column_text (stmt, 0));
  cc_operation_set_status (op, status);
  cc_operation_set_stdout (op, _cc_store_column_text (stmt, 5));
  cc_operation_set_stderr (op, _cc_store_column_text (stmt, 6));
  cc_operation_set_stdout_truncated (op, sqlite3_column_int (stmt, 7) != 0);
  cc_operation_set_stderr_truncated (op, sqlite3_column_int (stmt, 8) != 0);
  cc_operation_set_error (op, _cc_store_column_text (stmt, 9));
  cc_operation_set_exit_code (op, (int) CLAMP (sqlite3_column_int64 (stmt, 10), -1, G_MAXINT));
  cc_operation_set_duration_ms (op, MAX (sqlite3_column_int64 (stmt, 11), 0));
  /* "cached" is 0, 1 (cached, from before its time was kept) or the cached run's time. */
  cc_operation_set_cached (op, sqlite3_column_int64 (stmt, 12) != 0);
  cc_operation_set_cached_at (op, sqlite3_column_int64 (stmt, 12) > 1 ? sqlite3_column_int64 (stmt, 12) : 0);
  cc_operation_set_created_at (op, MAX (sqlite3_column_int64 (stmt, 13), 0));
  cc_operation_set_updated_at (op, MAX (sqlite3_column_int64 (stmt, 14), 0));
  cc_operation_set_expires_at (op, MAX (sqlite3_column_int64 (stmt, 15), 0));

  return op;
}

/* What a worker needs: a private copy of the record, and the time of the call. */
typedef struct
{
  CcOperation *op;          /* private copy, written by the worker */
  CcOperation *caller_op;   /* the caller's object, only touched on the caller's thread */
  char        *id;
  gint64       now;
  gint64       retention;
  gsize        max_output;
} OperationData;

static void
operation_data_free (gpointer data)
{
  OperationData *od = data;

  g_clear_object (&od->op);
  g_clear_object (&od->caller_op);
  g_free (od->id);
  g_free (od);
}

static OperationData *
operation_data_new (CcStore *self)
{
  OperationData *od = g_new0 (OperationData, 1);

  od->now = cc_store_get_now (self);
  od->retention = (gint64) self->record_retention * G_USEC_PER_SEC;
  od->max_output = self->max_output;
  return od;
}

/* Begin ----------------------------------------------------------------------------------- */

static gboolean
begin_worker (CcStore   *self,
              gpointer   task_data,
              gpointer  *result,
              GError   **error)
{
  OperationData *od = task_data;
  CcOperation *op = od->op;
  const char *what = _("Could not record the operation");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *owner = _cc_store_owner_for_self ();

  stmt = _cc_store_prepare (self,
                            "INSERT INTO operations (id, project_id, type, status, input,"
                            " created_at, updated_at, expires_at, owner)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cc_operation_get_id (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cc_operation_get_project_id (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cc_operation_type_to_string (cc_operation_get_operation_type (op)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cc_operation_status_to_string (CC_OPERATION_STATUS_PENDING),
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, cc_operation_get_input (op), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, cc_operation_get_created_at (op));
  sqlite3_bind_int64 (stmt, 7, cc_operation_get_expires_at (op));
  sqlite3_bind_text (stmt, 8, owner, -1, SQLITE_STATIC);

  if (!_cc_store_step_done_for_project (self, stmt, cc_operation_get_project_id (op), what, error))
    return FALSE;

  _cc_store_emit_later (self, _CC_STORE_SIGNAL_OPERATION_CHANGED, cc_operation_copy (op));
  *result = g_object_ref (op);
  return TRUE;
}

/**
 * cc_store_begin_operation_async:
 * @self: a #CcStore
 * @project_id: the project it belongs to
 * @type: what kind of operation
 * @input: (nullable): the command, path or description; never a key or a secret
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Records that an operation started: a PENDING record with a new id, expiring after the
 * record retention. Fails with %CC_STORE_ERROR_NOT_FOUND when the project does not exist.
 */
void
cc_store_begin_operation_async (CcStore             *self,
                                const char          *project_id,
                                CcOperationType      type,
                                const char          *input,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *id = NULL;
  OperationData *od;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (project_id != NULL);
  g_return_if_fail ((guint) type <= CC_OPERATION_TYPE_LAST);

  od = operation_data_new (self);
  id = g_uuid_string_random ();
  od->op = cc_operation_new (project_id, type, input);
  cc_operation_set_id (od->op, id);
  cc_operation_set_created_at (od->op, od->now);
  cc_operation_set_updated_at (od->op, od->now);
  cc_operation_set_expires_at (od->op, od->now + od->retention);
  _cc_store_call (self, cc_store_begin_operation_async, od, operation_data_free,
                  _CC_STORE_RESULT_OBJECT, begin_worker, cancellable, callback, user_data);
}

/**
 * cc_store_begin_operation_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the stored PENDING record, or %NULL. Set its outcome and give it
 *   to cc_store_finish_operation_async().
 */
CcOperation *
cc_store_begin_operation_finish (CcStore       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Finish ---------------------------------------------------------------------------------- */

static gboolean
finish_worker (CcStore   *self,
               gpointer   task_data,
               gpointer  *result,
               GError   **error)
{
  OperationData *od = task_data;
  CcOperation *op = od->op;
  const char *what = _("Could not save the result of the operation");
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* Whatever the caller captured, the store keeps no more than its cap. */
  _cc_store_cap_outputs (op, od->max_output);

  if (!_cc_store_begin (self, what, error))
    return FALSE;

  stmt = _cc_store_prepare (self,
                            "UPDATE operations SET status = ?2, stdout = ?3, stderr = ?4,"
                            " stdout_truncated = ?5, stderr_truncated = ?6, error = ?7,"
                            " exit_code = ?8, duration_ms = ?9, cached = ?10,"
                            " updated_at = MAX (?11, created_at)"
                            " WHERE id = ?1 AND expires_at > ?11",
                            what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cc_operation_get_id (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cc_operation_status_to_string (cc_operation_get_status (op)), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, cc_operation_get_stdout (op), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cc_operation_get_stderr (op), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, cc_operation_get_stdout_truncated (op));
  sqlite3_bind_int (stmt, 6, cc_operation_get_stderr_truncated (op));
  sqlite3_bind_text (stmt, 7, cc_operation_get_error (op), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 8, cc_operation_get_exit_code (op));
  sqlite3_bind_int64 (stmt, 9, cc_operation_get_duration_ms (op));
  sqlite3_bind_int64 (stmt, 10, !cc_operation_get_cached (op) ? 0
                                : MAX (cc_operation_get_cached_at (op), 1));
  sqlite3_bind_int64 (stmt, 11, od->now);

  if (!_cc_store_step_done (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                   _("%s: the record no longer exists (it expired, or its project was "
                     "deleted)."),
                   what);
      return FALSE;
    }

  /* A finished command is the project's latest execution. */
  if (cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_COMMAND &&
      cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
    {
      g_autoptr(sqlite3_stmt) project = NULL;

      project = _cc_store_prepare (self,
                                   "UPDATE projects SET last_execution_at ="
                                   " MAX (last_execution_at, ?2) WHERE id = ?1",
                                   what, error);
      if (project == NULL)
        return FALSE;
      sqlite3_bind_text (project, 1, cc_operation_get_project_id (op), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (project, 2, od->now);
      if (!_cc_store_step_done (self, project, what, error))
        return FALSE;
    }

  if (!_cc_store_commit (self, what, error))
    return FALSE;

  cc_operation_set_updated_at (op, MAX (od->now, cc_operation_get_created_at (op)));
  _cc_store_emit_later (self, _CC_STORE_SIGNAL_OPERATION_CHANGED, cc_operation_copy (op));
  return TRUE;
}

/**
 * cc_store_finish_operation_async:
 * @self: a #CcStore
 * @operation: a record from cc_store_begin_operation_finish(), with its status, stdout, stderr,
 *   truncation flags, error, exit code, duration and cached flag set by the caller
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Saves the outcome of an operation. Outputs longer than the store's max output are cut to
 * their head and tail and flagged truncated. A finished command also moves its project's
 * last-execution-at. On success, cc_store_finish_operation_finish() updates @operation to what
 * was stored (its updated-at, and its outputs if they were cut).
 *
 * Fails with %CC_STORE_ERROR_NOT_FOUND when the record is gone (expired or deleted).
 */
void
cc_store_finish_operation_async (CcStore             *self,
                                 CcOperation         *operation,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  OperationData *od;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (CC_IS_OPERATION (operation));

  od = operation_data_new (self);
  od->op = cc_operation_copy (operation);
  od->caller_op = g_object_ref (operation);
  _cc_store_call (self, cc_store_finish_operation_async, od, operation_data_free,
                  _CC_STORE_RESULT_BOOLEAN, finish_worker, cancellable, callback, user_data);
}

/**
 * cc_store_finish_operation_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * On success, also updates the operation given to cc_store_finish_operation_async() to what
 * was stored: its updated-at, and its outputs and truncation flags if they were cut.
 *
 * Returns: %TRUE when the outcome was saved
 */
gboolean
cc_store_finish_operation_finish (CcStore       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  OperationData *od;

  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  od = g_task_get_task_data (G_TASK (result));
  cc_operation_set_stdout (od->caller_op, cc_operation_get_stdout (od->op));
  cc_operation_set_stderr (od->caller_op, cc_operation_get_stderr (od->op));
  cc_operation_set_stdout_truncated (od->caller_op, cc_operation_get_stdout_truncated (od->op));
  cc_operation_set_stderr_truncated (od->caller_op, cc_operation_get_stderr_truncated (od->op));
  cc_operation_set_updated_at (od->caller_op, cc_operation_get_updated_at (od->op));
  return TRUE;
}

/* Get ------------------------------------------------------------------------------------- */

static gboolean
get_worker (CcStore   *self,
            gpointer   task_data,
            gpointer  *result,
            GError   **error)
{
  OperationData *od = task_data;
  const char *what = _("Could not read the record");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  int rc;

  sql = g_strdup_printf ("SELECT %s FROM operations WHERE id = ?1 AND expires_at > ?2",
                         _cc_store_operation_columns);
  stmt = _cc_store_prepare (self, sql, what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, od->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, od->now);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *result = _cc_store_operation_from_row (stmt);
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                 _("%s: there is no record with the id “%s”; records are kept for a "
                   "limited time."),
                 what, od->id);
  else
    _cc_store_set_error (self, rc, what, error);
  return FALSE;
}

/**
 * cc_store_get_operation_async:
 * @self: a #CcStore
 * @operation_id: the record's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads one record. Fails with %CC_STORE_ERROR_NOT_FOUND when it does not exist or expired.
 */
void
cc_store_get_operation_async (CcStore             *self,
                              const char          *operation_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  OperationData *od;

  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (operation_id != NULL);

  od = operation_data_new (self);
  od->id = g_strdup (operation_id);
  _cc_store_call (self, cc_store_get_operation_async, od, operation_data_free,
                  _CC_STORE_RESULT_OBJECT, get_worker, cancellable, callback, user_data);
}

/**
 * cc_store_get_operation_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new #CcOperation, or %NULL
 */
CcOperation *
cc_store_get_operation_finish (CcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* History --------------------------------------------------------------------------------- */

typedef struct
{
  char   *project_id;
  guint   type_mask;
  guint   status_mask;
  char   *match;        /* FTS5 query built from the search words, or NULL */
  char   *like;         /* LIKE pattern for a search with no words (only punctuation) */
  guint   limit;
  guint   offset;
  char   *before_id;
  guint   output_preview;
  gint64  now;
} HistoryData;

static void
history_data_free (gpointer data)
{
  HistoryData *hd = data;

  g_free (hd->project_id);
  g_free (hd->match);
  g_free (hd->like);
  g_free (hd->before_id);
  g_free (hd);
}

/* Each word becomes a quoted prefix query ("npm"*), so no user text is FTS5 syntax and words
 * match as word prefixes, all of them required. Words without letters or digits would match
 * nothing the tokenizer keeps, so they are left out. */
static char *
build_match (const char *search)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) match = NULL;

  if (search == NULL)
    return NULL;

  words = g_strsplit_set (search, " \t\r\n", -1);
  match = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gboolean has_alnum = FALSE;

      for (const char *p = words[i]; *p; p = g_utf8_next_char (p))
        has_alnum |= g_unichar_isalnum (g_utf8_get_char (p));
      if (!has_alnum)
        continue;

      if (match->len > 0)
        g_string_append_c (match, ' ');
      g_string_append_c (match, '"');
      for (const char *p = words[i]; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (match, '"');
          g_string_append_c (match, *p);
        }
      g_string_append (match, "\"*");
    }

  if (match->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&match), FALSE);
}

/* The full-text index keeps words only; a search made of punctuation ("&&", "|") looks for
 * that text in the commands instead. */
static char *
build_like (const char *search)
{
  g_autofree char *stripped = NULL;
  GString *like;

  if (search == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (search));
  if (stripped[0] == '\0')
    return NULL;

  like = g_string_new ("%");

  for (const char *p = stripped; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (like, '\\');
      g_string_append_c (like, *p);
    }
  g_string_append_c (like, '%');
  return g_string_free (like, FALSE);
}

static void
append_mask (GString     *sql,
             const char  *column,
             guint        mask,
             guint        last,
             const char *(*to_string) (int))
{
  gboolean first = TRUE;

  if (mask == 0)
    return;

  g_string_append_printf (sql, " AND %s IN (", column);
  for (guint i = 0; i <= last; i++)
    {
      if (!(mask & (1u << i)))
        continue;
      /* The names are our own constants, never user text. */
      g_string_append_printf (sql, "%s'%s'", first ? "" : ", ", to_string ((int) i));
      first = FALSE;
    }
  if (first)
    g_string_append (sql, "NULL");
  g_string_append_c (sql, ')');
}

static const char *
type_name (int value)
{
  return cc_operation_type_to_string ((CcOperationType) value);
}

static const char *
status_name (int value)
{
  return cc_operation_status_to_string ((CcOperationStatus) value);
}

static gboolean
history_worker (CcStore   *self,
                gpointer   task_data,
                gpointer  *result,
                GError   **error)
{
  HistoryData *hd = task_data;
  const char *what = _("Could not read the history");
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (hd->output_preview == 0)
    g_string_append_printf (sql, "SELECT %s FROM operations WHERE expires_at > ?1",
                            _cc_store_operation_columns);
  else
    /* The same columns, with the outputs cut in SQLite, so that a page of records with
     * megabytes of output each never reaches our memory whole. */
    g_string_append (sql, "SELECT id, project_id, type, status, input,"
                          " substr (stdout, 1, ?7), substr (stderr, 1, ?7),"
                          " stdout_truncated OR length (stdout) > ?7,"
                          " stderr_truncated OR length (stderr) > ?7,"
                          " error, exit_code, duration_ms, cached, created_at, updated_at,"
                          " expires_at FROM operations WHERE expires_at > ?1");
  if (hd->project_id != NULL)
    g_string_append (sql, " AND project_id = ?2");
  append_mask (sql, "type", hd->type_mask, CC_OPERATION_TYPE_LAST, type_name);
  append_mask (sql, "status", hd->status_mask, CC_OPERATION_STATUS_ERROR, status_name);
  if (hd->match != NULL)
    g_string_append (sql, " AND seq IN (SELECT rowid FROM operations_fts"
                          " WHERE operations_fts MATCH ?3)");
  if (hd->like != NULL)
    g_string_append (sql, " AND input LIKE ?8 ESCAPE '\\'");
  if (hd->before_id != NULL)
    g_string_append (sql, " AND (created_at, seq) <"
                          " (SELECT created_at, seq FROM operations WHERE id = ?4)");
  g_string_append (sql, " ORDER BY created_at DESC, seq DESC LIMIT ?5 OFFSET ?6");

  if (hd->before_id != NULL)
    {
      g_autoptr(sqlite3_stmt) check = NULL;

      check = _cc_store_prepare (self, "SELECT 1 FROM operations WHERE id = ?1", what, error);
      if (check == NULL)
        return FALSE;
      sqlite3_bind_text (check, 1, hd->before_id, -1, SQLITE_STATIC);
      rc = sqlite3_step (check);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
                       _("%s: the record “%s” to page from no longer exists. Reload the "
                         "history."),
                       what, hd->before_id);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        {
          _cc_store_set_error (self, rc, what, error);
          return FALSE;
        }
    }

  stmt = _cc_store_prepare (self, sql->str, what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, hd->now);
  if (hd->project_id != NULL)
    sqlite3_bind_text (stmt, 2, hd->project_id, -1, SQLITE_STATIC);
  if (hd->match != NULL)
    sqlite3_bind_text (stmt, 3, hd->match, -1, SQLITE_STATIC);
  if (hd->before_id != NULL)
    sqlite3_bind_text (stmt, 4, hd->before_id, -1, SQLITE_STATIC);
  if (hd->like != NULL)
    sqlite3_bind_text (stmt, 8, hd->like, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, hd->limit);
  sqlite3_bind_int64 (stmt, 6, hd->offset);
  if (hd->output_preview > 0)
    sqlite3_bind_int64 (stmt, 7, hd->output_preview);

  *result = _cc_store_list_rows (self, stmt, CC_TYPE_OPERATION,
                                 (CcStoreRowFunc) _cc_store_operation_from_row, what, error);
  return *result != NULL;
}

/**
 * cc_store_list_history_async:
 * @self: a #CcStore
 * @query: (nullable): what to list; %NULL for the latest
 *   %CC_STORE_DEFAULT_HISTORY_LIMIT records of every project
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Lists operation records, newest first (records made in the same microsecond in the order
 * they were made, last first). Expired records are never listed. See #CcHistoryQuery for
 * filters, text search and paging; a @before_id that no longer exists fails with
 * %CC_STORE_ERROR_NOT_FOUND.
 */
void
cc_store_list_history_async (CcStore              *self,
                             const CcHistoryQuery *query,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  static const CcHistoryQuery default_query = { 0 };
  HistoryData *hd;

  g_return_if_fail (CC_IS_STORE (self));

  if (query == NULL)
    query = &default_query;

  hd = g_new0 (HistoryData, 1);
  hd->project_id = g_strdup (query->project_id);
  hd->type_mask = query->type_mask;
  hd->status_mask = query->status_mask;
  hd->match = build_match (query->search);
  if (hd->match == NULL)
    hd->like = build_like (query->search);
  hd->limit = query->limit ? query->limit : CC_STORE_DEFAULT_HISTORY_LIMIT;
  hd->offset = query->offset;
  hd->before_id = g_strdup (query->before_id);
  hd->output_preview = query->output_preview;
  hd->now = cc_store_get_now (self);

  _cc_store_call (self, cc_store_list_history_async, hd, history_data_free,
                  _CC_STORE_RESULT_OBJECT, history_worker, cancellable, callback, user_data);
}

/**
 * cc_store_list_history_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a #GListModel (a #GListStore) of #CcOperation, newest first, or
 *   %NULL
 */
GListModel *
cc_store_list_history_finish (CcStore       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
