/* cc-store.c: opening the database, errors, settings; the purge is in cc-store-purge.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store owns one SQLite connection. Every call is a GTask whose work runs on the store's own
 * queue: a thread pool of at most one thread, so calls run one after the other in the order they
 * were made (a finish never overtakes its begin), never block the main loop, and never tie up
 * more than one of the process's threads however many calls are waiting. The worker also holds
 * the store's mutex while it uses the connection.
 * Everything a worker needs from the caller's side (the time, the TTLs, copies of strings) is
 * taken when the call is made, so the clock and the settings are only touched on that thread.
 *
 * The database runs in WAL mode with synchronous=NORMAL: a committed transaction survives a crash
 * of the process (SIGKILL included); only a power cut may lose the last moments.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cc-store-private.h"

/**
 * CcStore:
 *
 * The per-user database of Code Canvas: projects (kept forever), operation records (kept for
 * the record retention, 7 days by default) and the command cache (1 hour by default).
 * Expired records and cache entries are never returned, and are deleted at open and every
 * few minutes after.
 *
 * Open it with cc_store_open_async() on cc_store_dup_default_file() (or a file of your own),
 * keep the one #CcStore for the life of the process, and drop it to close the database.
 */

G_DEFINE_FINAL_TYPE (CcStore, cc_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (cc-store-error-quark, cc_store_error)

enum {
  PROP_0,
  PROP_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static guint signals[_CC_STORE_N_SIGNALS];

/* The queue ------------------------------------------------------------------------------- */

typedef struct
{
  GTask             *task;
  GTaskThreadFunc    func;          /* either this, */
  CcStoreLockedFunc  locked_func;   /* or this with the kind of its result */
  CcStoreResultKind  kind;
} Job;

static void
run_locked (Job *job)
{
  CcStore *self = g_task_get_source_object (job->task);
  gpointer result = NULL;
  GError *error = NULL;
  gboolean ok;

  if (g_task_return_error_if_cancelled (job->task))
    return;

  _cc_store_lock (self);
  ok = job->locked_func (self, g_task_get_task_data (job->task), &result, &error);
  /* A call that failed half-way through a transaction leaves nothing of it behind. */
  _cc_store_rollback (self);
  _cc_store_unlock (self);

  if (!ok)
    g_task_return_error (job->task, error);
  else if (job->kind == _CC_STORE_RESULT_OBJECT)
    g_task_return_pointer (job->task, result, g_object_unref);
  else
    g_task_return_boolean (job->task, TRUE);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;

  if (job->locked_func != NULL)
    run_locked (job);
  else
    job->func (job->task, g_task_get_source_object (job->task),
               g_task_get_task_data (job->task), g_task_get_cancellable (job->task));

  /* This may drop the last reference to the store, finalizing it on this thread; nothing of
   * the store may be touched after it. */
  g_object_unref (job->task);
  g_free (job);
}

void
_cc_store_run (CcStore         *self,
               GTask           *task,
               GTaskThreadFunc  func)
{
  Job *job = g_new0 (Job, 1);

  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (self->pool, job, NULL);
}

void
_cc_store_call (CcStore             *self,
                gpointer             source_tag,
                gpointer             task_data,
                GDestroyNotify       task_data_free,
                CcStoreResultKind    kind,
                CcStoreLockedFunc    func,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, source_tag);
  g_task_set_task_data (job->task, task_data, task_data_free);
  job->locked_func = func;
  job->kind = kind;
  g_thread_pool_push (self->pool, job, NULL);
}

/* Errors ---------------------------------------------------------------------------------- */

void
_cc_store_set_error (CcStore     *self,
                     int          rc,
                     const char  *what,
                     GError     **error)
{
  const char *path = self->path ? self->path : "";
  int sys_errno = self->db ? sqlite3_system_errno (self->db) : 0;

  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_LOCKED,
                   _("%s: the database “%s” is locked by another program. Close other copies "
                     "of Code Canvas and programs using that file, then try again."),
                   what, path);
      return;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_CORRUPT,
                   _("%s: the database “%s” is damaged or is not a Code Canvas database. It "
                     "was left untouched; move it aside or restore a backup, and Code Canvas "
                     "will start a new one."),
                   what, path);
      return;

    case SQLITE_FULL:
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_DISK_FULL,
                   _("%s: the disk that holds “%s” is full. Free some space and try again."),
                   what, path);
      return;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_READ_ONLY,
                   _("%s: the database “%s” cannot be written. Check that the file and its "
                     "folder are writable and that the disk is not mounted read-only."),
                   what, path);
      return;

    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      /* EFBIG: the file hit the size limit the system allows us, which to a person is the
       * same problem as a full disk. */
      if (sys_errno == ENOSPC || sys_errno == EDQUOT || sys_errno == EFBIG)
        {
          _cc_store_set_error (self, SQLITE_FULL, what, error);
          return;
        }
      if (sys_errno == EROFS || sys_errno == EACCES || sys_errno == EPERM)
        {
          _cc_store_set_error (self, SQLITE_READONLY, what, error);
          return;
        }
      G_GNUC_FALLTHROUGH;

    default:
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_FAILED,
                   _("%s: the database “%s” reported an error (%s). Try again; if it keeps "
                     "happening, check the disk."),
                   what, path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return;
    }
}

static void
set_closed_error (const char  *what,
                  GError     **error)
{
  g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_FAILED,
               _("%s: the database was closed."), what);
}

sqlite3 *
_cc_store_lock (CcStore *self)
{
  g_mutex_lock (&self->mutex);
  return self->db;
}

void
_cc_store_unlock (CcStore *self)
{
  g_mutex_unlock (&self->mutex);
}

sqlite3_stmt *
_cc_store_prepare (CcStore     *self,
                   const char  *sql,
                   const char  *what,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (self->db == NULL)
    {
      set_closed_error (what, error);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _cc_store_set_error (self, rc, what, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
_cc_store_exec (CcStore     *self,
                const char  *sql,
                const char  *what,
                GError     **error)
{
  int rc;

  if (self->db == NULL)
    {
      set_closed_error (what, error);
      return FALSE;
    }

  rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cc_store_begin (CcStore     *self,
                 const char  *what,
                 GError     **error)
{
  /* IMMEDIATE takes the write lock now, so a busy database fails here and not half-way. */
  return _cc_store_exec (self, "BEGIN IMMEDIATE", what, error);
}

gboolean
_cc_store_commit (CcStore     *self,
                  const char  *what,
                  GError     **error)
{
  if (!_cc_store_exec (self, "COMMIT", what, error))
    {
      _cc_store_rollback (self);
      return FALSE;
    }
  return TRUE;
}

void
_cc_store_rollback (CcStore *self)
{
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* For statements that answer one row: the statement on that row, or NULL. */
sqlite3_stmt *
_cc_store_query_row (CcStore     *self,
                     const char  *sql,
                     const char  *what,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = _cc_store_prepare (self, sql, what, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cc_store_set_error (self, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&stmt);
}

/* For statements that return no rows. */
gboolean
_cc_store_step_done (CcStore       *self,
                     sqlite3_stmt  *stmt,
                     const char    *what,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* For statements that add a row referring to a project: a missing project is NOT_FOUND. */
gboolean
_cc_store_step_done_for_project (CcStore       *self,
                                 sqlite3_stmt  *stmt,
                                 const char    *project_id,
                                 const char    *what,
                                 GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    {
      _cc_store_set_project_not_found (what, project_id, error);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  return TRUE;
}

/* For statements that answer rows: each made into an object of @item_type by @from_row, in a
 * new list. */
GListStore *
_cc_store_list_rows (CcStore         *self,
                     sqlite3_stmt    *stmt,
                     GType            item_type,
                     CcStoreRowFunc   from_row,
                     const char      *what,
                     GError         **error)
{
  g_autoptr(GListStore) list = g_list_store_new (item_type);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GObject) item = from_row (stmt);

      g_list_store_append (list, item);
    }
  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

void
_cc_store_set_project_not_found (const char  *what,
                                 const char  *project_id,
                                 GError     **error)
{
  g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND,
               _("%s: there is no project with the id “%s”. It may have been deleted."),
               what, project_id);
}

const char *
_cc_store_column_text (sqlite3_stmt *stmt,
                       int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text ? text : "";
}

/* Text capped to @max_bytes; sets *truncated when it was. */
static char *
cap_text (const char *text,
          gsize       max_bytes,
          gboolean   *truncated)
{
  g_autoptr(CcOutputCapture) capture = NULL;
  gsize len;

  if (text == NULL)
    text = "";
  len = strlen (text);
  if (max_bytes == 0 || len <= max_bytes)
    return g_strdup (text);

  capture = cc_output_capture_new (max_bytes);
  cc_output_capture_append (capture, text, len);
  *truncated = TRUE;
  return cc_output_capture_dup_text (capture);
}

void
_cc_store_cap_outputs (CcOperation *op,
                       gsize        max_bytes)
{
  gboolean out_truncated = cc_operation_get_stdout_truncated (op);
  gboolean err_truncated = cc_operation_get_stderr_truncated (op);
  g_autofree char *out_text = cap_text (cc_operation_get_stdout (op), max_bytes, &out_truncated);
  g_autofree char *err_text = cap_text (cc_operation_get_stderr (op), max_bytes, &err_truncated);

  cc_operation_set_stdout (op, out_text);
  cc_operation_set_stderr (op, err_text);
  cc_operation_set_stdout_truncated (op, out_truncated);
  cc_operation_set_stderr_truncated (op, err_truncated);
}

/* Signals --------------------------------------------------------------------------------- */

typedef struct
{
  CcStore  *store;
  guint     signal;
  gpointer  object;   /* a GObject, or for project-removed a string */
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->store);
  if (e->signal == _CC_STORE_SIGNAL_PROJECT_REMOVED)
    g_free (e->object);
  else
    g_clear_object (&e->object);
  g_free (e);
}

static gboolean
emission_cb (gpointer data)
{
  Emission *e = data;

  g_signal_emit (e->store, signals[e->signal], 0, e->object);
  return G_SOURCE_REMOVE;
}

void
_cc_store_emit_later (CcStore  *self,
                      guint     signal,
                      gpointer  object)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Emission *e = g_new0 (Emission, 1);

  /* Attached before the worker returns, at the priority of GTask's completion, so the signal
   * is emitted on the store's context just before the caller's callback runs. */
  e->store = g_object_ref (self);
  e->signal = signal;
  e->object = object;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emission_cb, e, emission_free);
  g_source_set_name (source, "[cc-store] emit");
  g_source_attach (source, self->context);
}

/* GObject --------------------------------------------------------------------------------- */

static void
cc_store_dispose (GObject *object)
{
  CcStore *self = (CcStore *)object;

  _cc_store_unschedule_purge (self);

  G_OBJECT_CLASS (cc_store_parent_class)->dispose (object);
}

static void
cc_store_finalize (GObject *object)
{
  CcStore *self = (CcStore *)object;

  /* No job can be queued or running: each one holds a reference through its task. Do not
   * wait for the pool: this may run on its thread, after the last job let go of the store. */
  g_thread_pool_free (self->pool, FALSE, FALSE);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_mutex_clear (&self->mutex);
  g_clear_object (&self->file);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cc_store_parent_class)->finalize (object);
}

static void
cc_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  CcStore *self = CC_STORE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  CcStore *self = CC_STORE (object);

  switch (prop_id)
    {
    case PROP_FILE:
      self->file = g_value_dup_object (value);
      self->path = self->file ? g_file_get_path (self->file) : NULL;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_store_class_init (CcStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cc_store_dispose;
  object_class->finalize = cc_store_finalize;
  object_class->get_property = cc_store_get_property;
  object_class->set_property = cc_store_set_property;

  /**
   * CcStore:file:
   *
   * The database file.
   */
  properties[PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CcStore::project-added:
   * @self: the store
   * @project: (transfer none): the project as stored
   *
   * A project was created (by this store object). Emitted on the main context the store was
   * opened on, before the callback of the call that made the change.
   */
  signals[_CC_STORE_SIGNAL_PROJECT_ADDED] =
    g_signal_new ("project-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, CC_TYPE_PROJECT);

  /**
   * CcStore::project-updated:
   * @self: the store
   * @project: (transfer none): the project as stored after the update
   *
   * A project's metadata was updated with cc_store_update_project_async(). (A finished
   * command moving last-execution-at does not emit it.)
   */
  signals[_CC_STORE_SIGNAL_PROJECT_UPDATED] =
    g_signal_new ("project-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, CC_TYPE_PROJECT);

  /**
   * CcStore::project-removed:
   * @self: the store
   * @project_id: the id of the deleted project
   *
   * A project was deleted, with its records and cache.
   */
  signals[_CC_STORE_SIGNAL_PROJECT_REMOVED] =
    g_signal_new ("project-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * CcStore::operation-changed:
   * @self: the store
   * @operation: (transfer none): the record as stored
   *
   * A record was begun (PENDING) or finished. History views can add or refresh a row without
   * listing again.
   */
  signals[_CC_STORE_SIGNAL_OPERATION_CHANGED] =
    g_signal_new ("operation-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, CC_TYPE_OPERATION);
}

static void
cc_store_init (CcStore *self)
{
  g_mutex_init (&self->mutex);
  /* Shared (not exclusive) threads, at most one of them for this store at a time. */
  self->pool = g_thread_pool_new (run_job, self, 1, FALSE, NULL);
  self->cache_ttl = CC_STORE_DEFAULT_CACHE_TTL;
  self->record_retention = CC_STORE_DEFAULT_RECORD_RETENTION;
  self->max_output = CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES;
  self->context = g_main_context_ref_thread_default ();
  self->purge_interval_ms = CC_STORE_PURGE_INTERVAL * 1000;
}

/* Opening --------------------------------------------------------------------------------- */

/**
 * cc_store_dup_default_file:
 *
 * The database of the current user, `$XDG_DATA_HOME/code-canvas/code-canvas.db`. Its folder is
 * created by cc_store_open_async() when missing.
 *
 * Returns: (transfer full): the file
 */
GFile *
cc_store_dup_default_file (void)
{
  return g_file_new_build_filename (g_get_user_data_dir (), "code-canvas", "code-canvas.db",
                                    NULL);
}

typedef struct
{
  CcStore *store;
  guint    busy_timeout_ms;
  gint64   now;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *od = data;

  g_clear_object (&od->store);
  g_free (od);
}

static gboolean
open_locked (CcStore  *self,
             OpenData *od,
             GError  **error)
{
  const char *what = _("Could not open the Code Canvas database");
  g_autofree char *dir = g_path_get_dirname (self->path);
  gboolean existed;
  int rc;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CC_STORE_ERROR,
                   (saved_errno == EROFS || saved_errno == EACCES || saved_errno == EPERM)
                     ? CC_STORE_ERROR_READ_ONLY
                     : (saved_errno == ENOSPC ? CC_STORE_ERROR_DISK_FULL : CC_STORE_ERROR_FAILED),
                   _("%s: the folder “%s” could not be created (%s). Check that its parent "
                     "folder is writable."),
                   what, dir, g_strerror (saved_errno));
      return FALSE;
    }

  existed = g_file_test (self->path, G_FILE_TEST_EXISTS);

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      if (self->db != NULL && access (dir, W_OK) != 0)
        rc = SQLITE_READONLY;
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, od->busy_timeout_ms);

  /* SQLite falls back to read-only when it cannot open the file for writing. A store that
   * cannot record anything is of no use, and failing now is clearer than failing later. */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      _cc_store_set_error (self, SQLITE_READONLY, what, error);
      return FALSE;
    }

  if (!_cc_store_exec (self, "PRAGMA foreign_keys = ON", what, error))
    return FALSE;

  /* Schema checks and migrations come before WAL, so a database from a newer version or of
   * another program is refused before anything in it is changed. */
  if (!_cc_store_migrate (self, error))
    return FALSE;

  {
    g_autoptr(sqlite3_stmt) stmt = NULL;
    const char *mode;

    stmt = _cc_store_query_row (self, "PRAGMA journal_mode = WAL", what, error);
    if (stmt == NULL)
      return FALSE;
    mode = _cc_store_column_text (stmt, 0);
    if (g_ascii_strcasecmp (mode, "wal") != 0)
      {
        /* WAL needs a writable folder for its -wal and -shm files. */
        _cc_store_set_error (self, SQLITE_READONLY, what, error);
        return FALSE;
      }
  }

  /* The -wal of a store that keeps megabytes of output would otherwise stay as large as its
   * largest transaction ever was. */
  if (!_cc_store_exec (self, "PRAGMA synchronous = NORMAL", what, error) ||
      !_cc_store_exec (self, "PRAGMA journal_size_limit = 16777216", what, error))
    return FALSE;

  if (!_cc_store_purge_locked (self, od->now, self->cache_ttl, error) ||
      !_cc_store_sweep_interrupted_locked (self, od->now, error))
    return FALSE;

  g_debug ("Opened %s database %s (schema %d)", existed ? "existing" : "new", self->path,
           CC_STORE_SCHEMA_VERSION);
  return TRUE;
}

static void
open_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *od = task_data;
  CcStore *self = od->store;
  GError *error = NULL;
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return;

  _cc_store_lock (self);
  ok = open_locked (self, od, &error);
  if (!ok && self->db != NULL)
    {
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  _cc_store_unlock (self);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

void
_cc_store_open_full_async (GFile               *file,
                           guint                busy_timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *od;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  od = g_new0 (OpenData, 1);
  od->store = g_object_new (CC_TYPE_STORE, "file", file, NULL);
  od->busy_timeout_ms = busy_timeout_ms;
  od->now = g_get_real_time ();

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_store_open_async);
  g_task_set_task_data (task, od, open_data_free);

  if (od->store->path == NULL)
    {
      g_task_return_new_error (task, CC_STORE_ERROR, CC_STORE_ERROR_FAILED,
                               _("Could not open the Code Canvas database: it must be a local "
                                 "file."));
      return;
    }

  _cc_store_run (od->store, task, open_worker);
}

/**
 * cc_store_open_async:
 * @file: the database file (cc_store_dup_default_file() for the user's)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the database is open or failed to open
 * @user_data: data for @callback
 *
 * Opens the database, creating it (and its folder) when missing, bringing an older schema
 * up to date, and purging expired rows. Fails with %CC_STORE_ERROR_CORRUPT,
 * %CC_STORE_ERROR_LOCKED, %CC_STORE_ERROR_READ_ONLY or %CC_STORE_ERROR_NEWER_SCHEMA rather than
 * touching a database it cannot use safely.
 *
 * The main context that is the thread-default one now is where the periodic purge runs.
 */
void
cc_store_open_async (GFile               *file,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  _cc_store_open_full_async (file, CC_STORE_DEFAULT_BUSY_TIMEOUT, cancellable, callback,
                             user_data);
}

/**
 * cc_store_open_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the open store, or %NULL with @error set
 */
CcStore *
cc_store_open_finish (GAsyncResult  *result,
                      GError       **error)
{
  CcStore *self;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cc_store_open_async, NULL);

  self = g_task_propagate_pointer (G_TASK (result), error);
  if (self != NULL && self->purge_source_id == 0)
    _cc_store_schedule_purge (self);
  return self;
}

/**
 * cc_store_get_file:
 * @self: a #CcStore
 *
 * Returns: (transfer none): the database file
 */
GFile *
cc_store_get_file (CcStore *self)
{
  g_return_val_if_fail (CC_IS_STORE (self), NULL);
  return self->file;
}

/* Settings -------------------------------------------------------------------------------- */

/**
 * cc_store_set_clock:
 * @self: a #CcStore
 * @func: (nullable): the clock, or %NULL for the real time
 * @user_data: data for @func
 *
 * Replaces the store's clock, so that tests can move time without sleeping. The store reads
 * the clock when a call is made, on the caller's thread.
 */
void
cc_store_set_clock (CcStore     *self,
                    CcClockFunc  func,
                    gpointer     user_data)
{
  g_return_if_fail (CC_IS_STORE (self));

  self->clock_func = func;
  self->clock_data = func ? user_data : NULL;
}

/**
 * cc_store_get_now:
 * @self: a #CcStore
 *
 * Returns: the store's idea of now, in unix microseconds
 */
gint64
cc_store_get_now (CcStore *self)
{
  g_return_val_if_fail (CC_IS_STORE (self), 0);

  if (self->clock_func != NULL)
    return self->clock_func (self->clock_data);
  return g_get_real_time ();
}

/**
 * cc_store_set_cache_ttl:
 * @self: a #CcStore
 * @seconds: how long a cached command result is served; 0 turns the cache off
 *
 * Applies to entries already cached too: the age of an entry is checked on every lookup.
 */
void
cc_store_set_cache_ttl (CcStore *self,
                        guint    seconds)
{
  g_return_if_fail (CC_IS_STORE (self));
  self->cache_ttl = seconds;
}

guint
cc_store_get_cache_ttl (CcStore *self)
{
  g_return_val_if_fail (CC_IS_STORE (self), 0);
  return self->cache_ttl;
}

/**
 * cc_store_set_record_retention:
 * @self: a #CcStore
 * @seconds: how long operation records are kept, from their creation (at least 1)
 *
 * Applies to records begun from now on; each record keeps the expiry it was given.
 */
void
cc_store_set_record_retention (CcStore *self,
                               guint    seconds)
{
  g_return_if_fail (CC_IS_STORE (self));
  self->record_retention = MAX (seconds, 1);
}

guint
cc_store_get_record_retention (CcStore *self)
{
  g_return_val_if_fail (CC_IS_STORE (self), 0);
  return self->record_retention;
}

/**
 * cc_store_set_max_output:
 * @self: a #CcStore
 * @bytes_per_stream: how much of each of stdout and stderr a record or cache entry keeps
 *   (0 for %CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES)
 *
 * Longer text keeps its head and tail, with a marker between them, and is flagged truncated.
 */
void
cc_store_set_max_output (CcStore *self,
                         gsize    bytes_per_stream)
{
  g_return_if_fail (CC_IS_STORE (self));
  self->max_output = bytes_per_stream ? bytes_per_stream : CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES;
}

gsize
cc_store_get_max_output (CcStore *self)
{
  g_return_val_if_fail (CC_IS_STORE (self), 0);
  return self->max_output;
}

/* Closing --------------------------------------------------------------------------------- */

static void
close_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CcStore *self = source_object;

  _cc_store_lock (self);
  if (self->db != NULL)
    {
      /* Workers finalize their statements before they unlock, so sqlite3_close() closes the
       * file now, checkpointing the -wal into it. Should one be left, _v2 closes the file
       * when it is finalized. */
      if (sqlite3_close (self->db) != SQLITE_OK)
        sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  _cc_store_unlock (self);

  g_task_return_boolean (task, TRUE);
}

/**
 * cc_store_close_async:
 * @self: a #CcStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the database is closed
 * @user_data: data for @callback
 *
 * Closes the database now, after the calls already made have run, so that the file is
 * complete on disk when @callback runs (for example before the application exits). Later
 * calls fail. Dropping the last reference closes it too, but at a moment that is not known.
 */
void
cc_store_close_async (CcStore             *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_STORE (self));

  _cc_store_unschedule_purge (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_store_close_async);
  _cc_store_run (self, task, close_worker);
}

/**
 * cc_store_close_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE once the database is closed
 */
gboolean
cc_store_close_finish (CcStore       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
