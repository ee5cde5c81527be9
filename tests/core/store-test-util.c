/* store-test-util.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each wrapper makes the async call and spins the main context until it answers.
 */
#include "config.h"

#include "cc-test-util.h"
#include "store-test-util.h"

static gint64
fixture_clock (gpointer user_data)
{
  StoreFixture *f = user_data;

  return f->now;
}

/* Synchronous wrappers: spin the main loop until the async call answers. */

CcStore *
open_store (GFile   *file,
            guint    busy_timeout_ms,
            GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  _cc_store_open_full_async (file, busy_timeout_ms, NULL, cc_test_store_result_cb, &result);
  return cc_store_open_finish (cc_test_wait_result (&result), error);
}

void
fixture_open (StoreFixture *f)
{
  g_autoptr(GError) error = NULL;

  f->store = open_store (f->file, 200, &error);
  g_assert_no_error (error);
  g_assert_true (CC_IS_STORE (f->store));
  cc_store_set_clock (f->store, fixture_clock, f);
}

static void
finalized_cb (gpointer  data,
              GObject  *where_the_object_was)
{
  g_atomic_int_set ((int *) data, TRUE);
}

/* Drops the last reference and waits until the store is gone. A GTask worker thread lets go
 * of its task (and so of the store) just after the task's callback was scheduled, so the
 * store may outlive our reference by a few instructions of another thread. */
void
fixture_close (StoreFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int finalized = FALSE;

  /* Closed (and checkpointed) now, so the file can be looked at right after. */
  cc_store_close_async (f->store, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_store_close_finish (f->store, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_object_weak_ref (G_OBJECT (f->store), finalized_cb, &finalized);
  g_clear_object (&f->store);
  while (!g_atomic_int_get (&finalized))
    {
      g_main_context_iteration (NULL, FALSE);
      g_thread_yield ();
    }
}

void
store_setup (StoreFixture  *f,
             gconstpointer  data)
{
  f->tmpdir = cc_test_make_tmpdir ("cc-store");
  f->path = g_build_filename (f->tmpdir, "data", "code-canvas.db", NULL);
  f->file = g_file_new_for_path (f->path);
  /* A fixed, recent time: records made "now" expire in a week, so reopening with the real
   * clock does not purge them. */
  f->now = g_get_real_time () - HOUR_USEC;
  fixture_open (f);
}

void
store_teardown (StoreFixture  *f,
                gconstpointer  data)
{
  if (f->store != NULL)
    fixture_close (f);
  g_clear_object (&f->file);
  cc_test_rm_rf (f->tmpdir);
  g_free (f->path);
  g_free (f->tmpdir);
}

/* Registers @func as the case "/core/store/@path". */
void
add_store_test (const char    *path,
                StoreTestFunc  func)
{
  g_autofree char *test_path = g_strconcat ("/core/store/", path, NULL);

  g_test_add (test_path, StoreFixture, NULL, store_setup, func, store_teardown);
}

CcProject *
create_project_full (StoreFixture *f,
                     CcProject    *project)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcProject *created;

  cc_store_create_project_async (f->store, project, NULL, cc_test_store_result_cb, &result);
  created = cc_store_create_project_finish (f->store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (CC_IS_PROJECT (created));
  return created;
}

CcProject *
create_project (StoreFixture *f,
                const char   *name)
{
  g_autoptr(CcProject) project = cc_project_new (name);

  return create_project_full (f, project);
}

CcProject *
get_project (StoreFixture  *f,
             const char    *id,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_get_project_async (f->store, id, NULL, cc_test_store_result_cb, &result);
  return cc_store_get_project_finish (f->store, cc_test_wait_result (&result), error);
}

CcProject *
update_project (StoreFixture    *f,
                const char      *id,
                CcProjectField   fields,
                CcProject       *values,
                GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_update_project_async (f->store, id, fields, values, NULL, cc_test_store_result_cb,
                                 &result);
  return cc_store_update_project_finish (f->store, cc_test_wait_result (&result), error);
}

gboolean
delete_project (StoreFixture  *f,
                const char    *id,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_delete_project_async (f->store, id, NULL, cc_test_store_result_cb, &result);
  return cc_store_delete_project_finish (f->store, cc_test_wait_result (&result), error);
}

GListModel *
list_projects (StoreFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *list;

  cc_store_list_projects_async (f->store, NULL, cc_test_store_result_cb, &result);
  list = cc_store_list_projects_finish (f->store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return list;
}

CcOperation *
begin_op_full (StoreFixture     *f,
               const char       *project_id,
               CcOperationType   type,
               const char       *input,
               GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_begin_operation_async (f->store, project_id, type, input, NULL,
                                  cc_test_store_result_cb, &result);
  return cc_store_begin_operation_finish (f->store, cc_test_wait_result (&result), error);
}

CcOperation *
begin_op (StoreFixture    *f,
          const char      *project_id,
          CcOperationType  type,
          const char      *input)
{
  g_autoptr(GError) error = NULL;
  CcOperation *op = begin_op_full (f, project_id, type, input, &error);

  g_assert_no_error (error);
  g_assert_true (CC_IS_OPERATION (op));
  return op;
}

gboolean
finish_op_full (StoreFixture  *f,
                CcOperation   *op,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_finish_operation_async (f->store, op, NULL, cc_test_store_result_cb, &result);
  return cc_store_finish_operation_finish (f->store, cc_test_wait_result (&result), error);
}

void
finish_op (StoreFixture      *f,
           CcOperation       *op,
           CcOperationStatus  status,
           const char        *out,
           int                exit_code)
{
  g_autoptr(GError) error = NULL;

  cc_operation_set_status (op, status);
  cc_operation_set_stdout (op, out);
  cc_operation_set_exit_code (op, exit_code);
  cc_operation_set_duration_ms (op, 12);
  g_assert_true (finish_op_full (f, op, &error));
  g_assert_no_error (error);
}

/* A finished command record, one microsecond after the previous one. */
char *
record (StoreFixture      *f,
        const char        *project_id,
        CcOperationType    type,
        const char        *input,
        CcOperationStatus  status,
        const char        *out)
{
  g_autoptr(CcOperation) op = begin_op (f, project_id, type, input);

  finish_op (f, op, status, out, status == CC_OPERATION_STATUS_SUCCESS ? 0 : 1);
  f->now += 1;
  return g_strdup (cc_operation_get_id (op));
}

GListModel *
history_full (StoreFixture          *f,
              const CcHistoryQuery  *query,
              GError               **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_list_history_async (f->store, query, NULL, cc_test_store_result_cb, &result);
  return cc_store_list_history_finish (f->store, cc_test_wait_result (&result), error);
}

GListModel *
history (StoreFixture         *f,
         const CcHistoryQuery *query)
{
  g_autoptr(GError) error = NULL;
  GListModel *list = history_full (f, query, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_LIST_MODEL (list));
  return list;
}

const char *
history_input (GListModel *list,
               guint       position)
{
  g_autoptr(CcOperation) op = g_list_model_get_item (list, position);

  /* The list keeps its own reference, so the string outlives this one. */
  return cc_operation_get_input (op);
}

CcOperation *
get_operation (StoreFixture  *f,
               const char    *id,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_store_get_operation_async (f->store, id, NULL, cc_test_store_result_cb, &result);
  return cc_store_get_operation_finish (f->store, cc_test_wait_result (&result), error);
}

CcOperation *
cache_lookup (StoreFixture *f,
              const char   *project_id,
              const char   *command,
              const char   *connection_key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcOperation *op;

  cc_store_cache_lookup_async (f->store, project_id, command, connection_key, NULL,
                               cc_test_store_result_cb, &result);
  op = cc_store_cache_lookup_finish (f->store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return op;
}

void
cache_put (StoreFixture *f,
           const char   *connection_key,
           CcOperation  *op)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_store_cache_put_async (f->store, connection_key, op, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_store_cache_put_finish (f->store, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

guint
cache_clear (StoreFixture *f,
             const char   *project_id,
             const char   *command)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;

  cc_store_cache_clear_async (f->store, project_id, command, NULL, cc_test_store_result_cb,
                              &result);
  g_assert_true (cc_store_cache_clear_finish (f->store, cc_test_wait_result (&result), &n,
                                              &error));
  g_assert_no_error (error);
  return n;
}

void
purge (StoreFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_store_purge_expired_async (f->store, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_store_purge_expired_finish (f->store, cc_test_wait_result (&result),
                                                &error));
  g_assert_no_error (error);
}

/* A second, raw connection to the same file, to look at what the store wrote. */
gint64
raw_query_int (const char *path,
               const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

char *
raw_query_text (const char *path,
                const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                    NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s", message);
  sqlite3_close (db);
}

GBytes *
read_file_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}
