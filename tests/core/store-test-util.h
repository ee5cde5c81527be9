/* store-test-util.h: a store on a temporary file, and synchronous wrappers for its tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "cc-store.h"
#include "cc-store-private.h"

G_BEGIN_DECLS

#define HOUR_USEC ((gint64) 3600 * G_USEC_PER_SEC)
#define DAY_USEC  (24 * HOUR_USEC)

typedef struct
{
  char    *tmpdir;
  char    *path;
  GFile   *file;
  CcStore *store;
  gint64   now;       /* the injected clock */
} StoreFixture;

/* A case run on a fresh store: store_setup() before it, store_teardown() after. */
typedef void (*StoreTestFunc) (StoreFixture  *f,
                               gconstpointer  data);

void         add_store_test       (const char    *path,
                                   StoreTestFunc  func);

CcStore      *open_store          (GFile   *file,
                                   guint    busy_timeout_ms,
                                   GError **error);
void         fixture_open         (StoreFixture *f);
void         fixture_close        (StoreFixture *f);
void         store_setup          (StoreFixture  *f,
                                   gconstpointer  data);
void         store_teardown       (StoreFixture  *f,
                                   gconstpointer  data);
CcProject    *create_project_full (StoreFixture *f,
                                   CcProject    *project);
CcProject    *create_project      (StoreFixture *f,
                                   const char   *name);
CcProject    *get_project         (StoreFixture  *f,
                                   const char    *id,
                                   GError       **error);
CcProject    *update_project      (StoreFixture    *f,
                                   const char      *id,
                                   CcProjectField   fields,
                                   CcProject       *values,
                                   GError         **error);
gboolean     delete_project       (StoreFixture  *f,
                                   const char    *id,
                                   GError       **error);
GListModel   *list_projects       (StoreFixture *f);
CcOperation  *begin_op_full       (StoreFixture     *f,
                                   const char       *project_id,
                                   CcOperationType   type,
                                   const char       *input,
                                   GError          **error);
CcOperation  *begin_op            (StoreFixture    *f,
                                   const char      *project_id,
                                   CcOperationType  type,
                                   const char      *input);
gboolean     finish_op_full       (StoreFixture  *f,
                                   CcOperation   *op,
                                   GError       **error);
void         finish_op            (StoreFixture      *f,
                                   CcOperation       *op,
                                   CcOperationStatus  status,
                                   const char        *out,
                                   int                exit_code);
char         *record              (StoreFixture      *f,
                                   const char        *project_id,
                                   CcOperationType    type,
                                   const char        *input,
                                   CcOperationStatus  status,
                                   const char        *out);
GListModel   *history_full        (StoreFixture          *f,
                                   const CcHistoryQuery  *query,
                                   GError               **error);
GListModel   *history             (StoreFixture         *f,
                                   const CcHistoryQuery *query);
const char   *history_input       (GListModel *list,
                                   guint       position);
CcOperation  *get_operation       (StoreFixture  *f,
                                   const char    *id,
                                   GError       **error);
CcOperation  *cache_lookup        (StoreFixture *f,
                                   const char   *project_id,
                                   const char   *command,
                                   const char   *connection_key);
void         cache_put            (StoreFixture *f,
                                   const char   *connection_key,
                                   CcOperation  *op);
guint        cache_clear          (StoreFixture *f,
                                   const char   *project_id,
                                   const char   *command);
void         purge                (StoreFixture *f);
gint64       raw_query_int        (const char *path,
                                   const char *sql);
char         *raw_query_text      (const char *path,
                                   const char *sql);
void         raw_exec             (const char *path,
                                   const char *sql);
GBytes       *read_file_bytes     (const char *path);

G_END_DECLS
