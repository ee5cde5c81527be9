/* cc-store.h: the per-user SQLite database (projects, operation records, command cache)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call is asynchronous: SQLite runs on a worker thread holding the store's one connection,
 * and results come back on the main context that was the thread-default one when the call was
 * made. Times are unix microseconds (0 = never).
 */
#pragma once

#include <gio/gio.h>

#include "cc-operation.h"
#include "cc-output-capture.h"
#include "cc-project.h"

G_BEGIN_DECLS

/**
 * CcStoreError:
 * @CC_STORE_ERROR_FAILED: anything not listed below (the message has SQLite's detail)
 * @CC_STORE_ERROR_NOT_FOUND: the project, record or cache entry does not exist
 * @CC_STORE_ERROR_CORRUPT: the file is damaged or is not a Code Canvas database
 * @CC_STORE_ERROR_LOCKED: another program holds the database locked
 * @CC_STORE_ERROR_READ_ONLY: the file, its folder or the disk cannot be written
 * @CC_STORE_ERROR_NEWER_SCHEMA: the database was written by a newer Code Canvas
 * @CC_STORE_ERROR_DISK_FULL: no space left on the disk
 * @CC_STORE_ERROR_NAME_TAKEN: another project already has that name (projects are addressed
 *   by name, so names are unique)
 *
 * Errors of the store. Messages say what happened and what to do. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED. The store never deletes or rewrites a database it cannot read.
 */
typedef enum
{
  CC_STORE_ERROR_FAILED,
  CC_STORE_ERROR_NOT_FOUND,
  CC_STORE_ERROR_CORRUPT,
  CC_STORE_ERROR_LOCKED,
  CC_STORE_ERROR_READ_ONLY,
  CC_STORE_ERROR_NEWER_SCHEMA,
  CC_STORE_ERROR_DISK_FULL,
  CC_STORE_ERROR_NAME_TAKEN,
} CcStoreError;

#define CC_STORE_ERROR (cc_store_error_quark ())
GQuark       cc_store_error_quark                (void);

#define CC_STORE_DEFAULT_CACHE_TTL          (60 * 60)              /* seconds: 1 hour */
#define CC_STORE_DEFAULT_RECORD_RETENTION   (7 * 24 * 60 * 60)     /* seconds: 7 days */
#define CC_STORE_DEFAULT_HISTORY_LIMIT      50

/**
 * CcClockFunc:
 * @user_data: the data given to cc_store_set_clock()
 *
 * Returns: the current time in unix microseconds. Called on the thread that calls the store's
 *   functions (the main thread), never on a worker.
 */
typedef gint64 (*CcClockFunc) (gpointer user_data);

/* Bit for a CcOperationType or CcOperationStatus in CcHistoryQuery's masks. */
#define CC_HISTORY_MASK(value) (1u << (value))

/**
 * CcHistoryQuery:
 * @project_id: only this project's records, or %NULL for every project
 * @type_mask: OR of CC_HISTORY_MASK(#CcOperationType), 0 for any type
 * @status_mask: OR of CC_HISTORY_MASK(#CcOperationStatus), 0 for any status
 * @search: words that must all occur (as word prefixes, any case) in the input, stdout, stderr
 *   or error; of an output longer than 64 KiB, its first and last 32 KiB are searched. A search
 *   of punctuation only ("&&") looks for that text in the input. %NULL or "" for no text filter
 * @limit: at most this many records; 0 means %CC_STORE_DEFAULT_HISTORY_LIMIT
 * @offset: skip this many records first (simple paging)
 * @before_id: only records older than this record (cursor paging: pass the id of the last
 *   record of the previous page); %NULL for none
 * @output_preview: 0 to get each record's whole stored stdout and stderr; otherwise at most
 *   this many characters of the start of each (flagged truncated when cut), for lists that
 *   show many records and fetch one record's output with cc_store_get_operation_async()
 *
 * What cc_store_list_history_async() returns. Zero-initialise it (`CcHistoryQuery q = { 0 };`)
 * and set what you need; the store copies it, so it may live on the stack.
 */
typedef struct
{
  const char *project_id;
  guint       type_mask;
  guint       status_mask;
  const char *search;
  guint       limit;
  guint       offset;
  const char *before_id;
  guint       output_preview;
} CcHistoryQuery;

#define CC_TYPE_STORE (cc_store_get_type ())
G_DECLARE_FINAL_TYPE (CcStore, cc_store, CC, STORE, GObject)

/* Opening */
GFile       *cc_store_dup_default_file           (void);
void         cc_store_open_async                 (GFile                *file,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcStore     *cc_store_open_finish                (GAsyncResult         *result,
                                                  GError              **error);
GFile       *cc_store_get_file                   (CcStore              *self);
void         cc_store_close_async                (CcStore              *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_close_finish               (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Settings (take effect at once, also for entries already stored) */
void         cc_store_set_clock                  (CcStore              *self,
                                                  CcClockFunc           func,
                                                  gpointer              user_data);
gint64       cc_store_get_now                    (CcStore              *self);
void         cc_store_set_cache_ttl              (CcStore              *self,
                                                  guint                 seconds);
guint        cc_store_get_cache_ttl              (CcStore              *self);
void         cc_store_set_record_retention       (CcStore              *self,
                                                  guint                 seconds);
guint        cc_store_get_record_retention       (CcStore              *self);
void         cc_store_set_max_output             (CcStore              *self,
                                                  gsize                 bytes_per_stream);
gsize        cc_store_get_max_output             (CcStore              *self);

/* Projects (kept forever) */
void         cc_store_create_project_async       (CcStore              *self,
                                                  CcProject            *project,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcProject   *cc_store_create_project_finish      (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_get_project_async          (CcStore              *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcProject   *cc_store_get_project_finish         (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_list_projects_async        (CcStore              *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GListModel  *cc_store_list_projects_finish       (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_update_project_async       (CcStore              *self,
                                                  const char           *project_id,
                                                  CcProjectField        fields,
                                                  CcProject            *values,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcProject   *cc_store_update_project_finish      (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_delete_project_async       (CcStore              *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_delete_project_finish      (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Operation records (kept for the record retention, 7 days by default) */
void         cc_store_begin_operation_async      (CcStore              *self,
                                                  const char           *project_id,
                                                  CcOperationType       type,
                                                  const char           *input,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcOperation *cc_store_begin_operation_finish     (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_finish_operation_async     (CcStore              *self,
                                                  CcOperation          *operation,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_finish_operation_finish    (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_get_operation_async        (CcStore              *self,
                                                  const char           *operation_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcOperation *cc_store_get_operation_finish       (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_list_history_async         (CcStore              *self,
                                                  const CcHistoryQuery *query,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GListModel  *cc_store_list_history_finish        (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Command cache (cache TTL, 1 hour by default) */
void         cc_store_cache_lookup_async         (CcStore              *self,
                                                  const char           *project_id,
                                                  const char           *command,
                                                  const char           *connection_key,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcOperation *cc_store_cache_lookup_finish        (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_cache_put_async            (CcStore              *self,
                                                  const char           *connection_key,
                                                  CcOperation          *operation,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_cache_put_finish           (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void         cc_store_cache_clear_async          (CcStore              *self,
                                                  const char           *project_id,
                                                  const char           *command,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_cache_clear_finish         (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  guint                *n_removed,
                                                  GError              **error);

/* Expired records and cache entries; the store also does this at open and periodically. */
void         cc_store_purge_expired_async        (CcStore              *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     cc_store_purge_expired_finish       (CcStore              *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
