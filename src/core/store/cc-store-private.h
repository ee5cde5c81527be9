/* cc-store-private.h: what the cc-store-*.c files share, and hooks for the tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "cc-store.h"

G_BEGIN_DECLS

/* The schema version this code writes; see cc-store-schema.c for the history. */
#define CC_STORE_SCHEMA_VERSION        4
#define CC_STORE_DEFAULT_BUSY_TIMEOUT  5000     /* ms another connection may hold a write lock */
#define CC_STORE_PURGE_INTERVAL        (10 * 60) /* seconds between purges of expired rows */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

enum {
  _CC_STORE_SIGNAL_PROJECT_ADDED,
  _CC_STORE_SIGNAL_PROJECT_UPDATED,
  _CC_STORE_SIGNAL_PROJECT_REMOVED,
  _CC_STORE_SIGNAL_OPERATION_CHANGED,
  _CC_STORE_N_SIGNALS
};

struct _CcStore
{
  GObject       parent_instance;

  GFile        *file;
  char         *path;            /* for messages; set before the store is shared */
  GMainContext *context;         /* where the periodic purge runs */
  guint         purge_source_id;
  guint         purge_interval_ms;

  /* Only touched on the caller's thread: workers get what they need in their task data. */
  CcClockFunc   clock_func;
  gpointer      clock_data;
  guint         cache_ttl;
  guint         record_retention;
  gsize         max_output;

  /* One connection; a worker holds the mutex for as long as it uses it. */
  GMutex        mutex;
  sqlite3      *db;

  /* The store's own queue of work, run by one thread at a time in the order of the calls. */
  GThreadPool  *pool;
};

/* Runs @func for @task on the store's queue (see cc-store.c). */
void          _cc_store_run                  (CcStore         *self,
                                              GTask           *task,
                                              GTaskThreadFunc  func);

/* How a call made with _cc_store_call() completes its task. */
typedef enum
{
  _CC_STORE_RESULT_BOOLEAN,     /* g_task_propagate_boolean() */
  _CC_STORE_RESULT_OBJECT,      /* g_task_propagate_pointer(): a new GObject, or NULL for none */
} CcStoreResultKind;

/* A call's work on the connection, run with the mutex held. Returns FALSE with @error set on
 * failure; a call whose kind is _CC_STORE_RESULT_OBJECT puts its result in *@result. */
typedef gboolean (*CcStoreLockedFunc) (CcStore   *self,
                                       gpointer   task_data,
                                       gpointer  *result,
                                       GError   **error);

/* Makes the GTask of a call (owning @task_data) and queues @func for it on the store's queue,
 * so that the workers share one way of running: @func is skipped when the task was cancelled,
 * runs with the mutex held, has a transaction it left open rolled back, and its outcome
 * completes the task as @kind says. */
void          _cc_store_call                 (CcStore             *self,
                                              gpointer             source_tag,
                                              gpointer             task_data,
                                              GDestroyNotify       task_data_free,
                                              CcStoreResultKind    kind,
                                              CcStoreLockedFunc    func,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

/* Makes an object of a row (see _cc_store_list_rows()). */
typedef gpointer (*CcStoreRowFunc) (sqlite3_stmt *stmt);

/* Locking and errors (workers only) */
sqlite3      *_cc_store_lock                 (CcStore       *self);
void          _cc_store_unlock               (CcStore       *self);
void          _cc_store_set_error            (CcStore       *self,
                                              int            rc,
                                              const char    *what,
                                              GError       **error);
sqlite3_stmt *_cc_store_prepare              (CcStore       *self,
                                              const char    *sql,
                                              const char    *what,
                                              GError       **error);
gboolean      _cc_store_exec                 (CcStore       *self,
                                              const char    *sql,
                                              const char    *what,
                                              GError       **error);
gboolean      _cc_store_begin                (CcStore       *self,
                                              const char    *what,
                                              GError       **error);
gboolean      _cc_store_commit               (CcStore       *self,
                                              const char    *what,
                                              GError       **error);
void          _cc_store_rollback             (CcStore       *self);
sqlite3_stmt *_cc_store_query_row            (CcStore       *self,
                                              const char    *sql,
                                              const char    *what,
                                              GError       **error);
gboolean      _cc_store_step_done            (CcStore       *self,
                                              sqlite3_stmt  *stmt,
                                              const char    *what,
                                              GError       **error);
gboolean      _cc_store_step_done_for_project (CcStore      *self,
                                              sqlite3_stmt *stmt,
                                              const char   *project_id,
                                              const char   *what,
                                              GError      **error);
GListStore   *_cc_store_list_rows            (CcStore         *self,
                                              sqlite3_stmt    *stmt,
                                              GType            item_type,
                                              CcStoreRowFunc   from_row,
                                              const char      *what,
                                              GError         **error);
void          _cc_store_set_project_not_found (const char   *what,
                                              const char    *project_id,
                                              GError       **error);
const char   *_cc_store_column_text          (sqlite3_stmt  *stmt,
                                              int            column);

/* Emits @signal with @object (taken) on the store's context; callable from workers. */
void          _cc_store_emit_later           (CcStore       *self,
                                              guint          signal,
                                              gpointer       object);

/* Schema (cc-store-schema.c): bring the open database to CC_STORE_SCHEMA_VERSION. */
gboolean      _cc_store_migrate              (CcStore       *self,
                                              GError       **error);

/* Purge (cc-store-purge.c): the work itself, and the timer that repeats it. */
/* Owners (cc-store-owners.c): who records a pending operation, and the start-up sweep. */
char         *_cc_store_owner_for_self       (void);
gboolean      _cc_store_owner_is_running     (const char    *owner);
gboolean      _cc_store_sweep_interrupted_locked (CcStore   *self,
                                              gint64         now,
                                              GError       **error);
gboolean      _cc_store_purge_locked         (CcStore       *self,
                                              gint64         now,
                                              guint          cache_ttl,
                                              GError       **error);
void          _cc_store_schedule_purge       (CcStore       *self);
void          _cc_store_unschedule_purge     (CcStore       *self);

/* Rows to objects */
CcProject    *_cc_store_project_from_row     (sqlite3_stmt  *stmt);
CcOperation  *_cc_store_operation_from_row   (sqlite3_stmt  *stmt);
extern const char _cc_store_project_columns[];
extern const char _cc_store_operation_columns[];

/* Cuts @op's stdout and stderr to @max_bytes each the way CcOutputCapture keeps them, and
 * flags the ones that were cut. */
void          _cc_store_cap_outputs          (CcOperation   *op,
                                              gsize          max_bytes);

/* Tests: purge more often than every CC_STORE_PURGE_INTERVAL. */
void          _cc_store_set_purge_interval   (CcStore       *self,
                                              guint          interval_ms);

/* Tests: open with a short busy timeout, so a locked database fails fast. */
void          _cc_store_open_full_async      (GFile               *file,
                                              guint                busy_timeout_ms,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

G_END_DECLS
