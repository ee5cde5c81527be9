/* test-store.c: the SQLite store on real database files: projects, records, history
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cc-test-util.h"
#include "store-test-util.h"

/* Opening --------------------------------------------------------------------------------- */

static void
test_open_new (StoreFixture  *f,
               gconstpointer  data)
{
  g_autofree char *mode = NULL;
  g_autoptr(GFile) default_file = cc_store_dup_default_file ();
  g_autofree char *default_path = g_file_get_path (default_file);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "code-canvas",
                                                "code-canvas.db", NULL);

  g_assert_cmpstr (default_path, ==, expected);

  /* The folder did not exist: the store made it, and the database is at the current schema. */
  g_assert_true (g_file_test (f->path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_equal (cc_store_get_file (f->store), f->file));
  g_assert_cmpint (raw_query_int (f->path, "PRAGMA user_version"), ==, CC_STORE_SCHEMA_VERSION);
  mode = raw_query_text (f->path, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");

  g_assert_cmpuint (cc_store_get_cache_ttl (f->store), ==, 3600);
  g_assert_cmpuint (cc_store_get_record_retention (f->store), ==, 7 * 24 * 3600);
  g_assert_cmpuint (cc_store_get_max_output (f->store), ==, 4 * 1024 * 1024);
  g_assert_cmpint (cc_store_get_now (f->store), ==, f->now);

  /* Reopening an up-to-date database changes nothing. */
  fixture_close (f);
  fixture_open (f);
  g_assert_cmpint (raw_query_int (f->path, "PRAGMA user_version"), ==, CC_STORE_SCHEMA_VERSION);
}

/* Projects -------------------------------------------------------------------------------- */

static void
test_project_create_get (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_project_new ("My app");
  g_autoptr(CcProject) created = NULL;
  g_autoptr(CcProject) fetched = NULL;
  g_autoptr(GError) error = NULL;

  cc_project_set_connection_kind (project, CC_CONNECTION_CUSTOM);
  cc_project_set_api_url (project, "https://api.example.test");
  cc_project_set_sandbox_url (project, "https://sandbox.example.test");
  cc_project_set_template (project, "vite");
  cc_project_set_port (project, 5173);
  cc_project_set_local_folder (project, "/home/user/app");
  cc_project_set_setup_command (project, "npm install");
  cc_project_set_start_command (project, "npm run dev");

  created = create_project_full (f, project);
  g_assert_cmpuint (strlen (cc_project_get_id (created)), ==, 36);
  g_assert_cmpint (cc_project_get_created_at (created), ==, f->now);
  g_assert_cmpint (cc_project_get_updated_at (created), ==, f->now);
  g_assert_cmpint (cc_project_get_last_execution_at (created), ==, 0);
  /* The caller's object was copied, not changed. */
  g_assert_cmpstr (cc_project_get_id (project), ==, "");

  /* Survives closing the database. */
  fixture_close (f);
  fixture_open (f);

  fetched = get_project (f, cc_project_get_id (created), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_project_get_id (fetched), ==, cc_project_get_id (created));
  g_assert_cmpstr (cc_project_get_name (fetched), ==, "My app");
  g_assert_cmpint (cc_project_get_connection_kind (fetched), ==, CC_CONNECTION_CUSTOM);
  g_assert_cmpstr (cc_project_get_api_url (fetched), ==, "https://api.example.test");
  g_assert_cmpstr (cc_project_get_sandbox_url (fetched), ==, "https://sandbox.example.test");
  g_assert_cmpstr (cc_project_get_template (fetched), ==, "vite");
  g_assert_cmpuint (cc_project_get_port (fetched), ==, 5173);
  g_assert_cmpstr (cc_project_get_sandbox_id (fetched), ==, "");
  g_assert_cmpstr (cc_project_get_local_folder (fetched), ==, "/home/user/app");
  g_assert_cmpstr (cc_project_get_setup_command (fetched), ==, "npm install");
  g_assert_cmpstr (cc_project_get_start_command (fetched), ==, "npm run dev");
  g_assert_cmpint (cc_project_get_created_at (fetched), ==, f->now);
}

static void
test_project_missing (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) values = cc_project_new ("x");

  project = get_project (f, "no-such-project", &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_assert_null (project);
  g_assert_nonnull (strstr (error->message, "no-such-project"));
  g_clear_error (&error);

  project = update_project (f, "no-such-project", CC_PROJECT_FIELD_NAME, values, &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_assert_null (project);
  g_clear_error (&error);

  g_assert_false (delete_project (f, "no-such-project", &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
}

static void
test_project_list (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GListModel) empty = list_projects (f);
  g_autoptr(GListModel) list = NULL;
  const char *names[] = { "beta", "Alpha", "gamma" };

  g_assert_cmpuint (g_list_model_get_n_items (empty), ==, 0);
  g_assert_true (g_list_model_get_item_type (empty) == CC_TYPE_PROJECT);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(CcProject) p = create_project (f, names[i]);
    }

  list = list_projects (f);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CcProject) p = g_list_model_get_item (list, i);
      const char *expected[] = { "Alpha", "beta", "gamma" };

      g_assert_cmpstr (cc_project_get_name (p), ==, expected[i]);
    }
}

static void
test_project_partial_update (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(CcProject) base = cc_project_new ("Before");
  g_autoptr(CcProject) created = NULL;
  g_autoptr(CcProject) values = cc_project_new ("After");
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(CcProject) again = NULL;
  g_autoptr(CcProject) fetched = NULL;
  g_autoptr(GError) error = NULL;
  gint64 created_at;

  cc_project_set_port (base, 3000);
  cc_project_set_sandbox_id (base, "sbx-1");
  cc_project_set_start_command (base, "node server.js");
  created = create_project_full (f, base);
  created_at = cc_project_get_created_at (created);

  /* values has a port, sandbox id and start command too, but only name and port are given. */
  cc_project_set_port (values, 8080);
  cc_project_set_sandbox_id (values, "sbx-ignored");
  cc_project_set_start_command (values, "ignored");
  f->now += 5 * G_USEC_PER_SEC;
  updated = update_project (f, cc_project_get_id (created),
                            CC_PROJECT_FIELD_NAME | CC_PROJECT_FIELD_PORT, values, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_project_get_name (updated), ==, "After");
  g_assert_cmpuint (cc_project_get_port (updated), ==, 8080);
  g_assert_cmpstr (cc_project_get_sandbox_id (updated), ==, "sbx-1");
  g_assert_cmpstr (cc_project_get_start_command (updated), ==, "node server.js");
  g_assert_cmpint (cc_project_get_created_at (updated), ==, created_at);
  g_assert_cmpint (cc_project_get_updated_at (updated), ==, f->now);

  /* updated_at moves even when the clock stands still, and with no field given. */
  again = update_project (f, cc_project_get_id (created), CC_PROJECT_FIELD_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_project_get_updated_at (again), >, cc_project_get_updated_at (updated));
  g_assert_cmpstr (cc_project_get_name (again), ==, "After");

  /* The other fields, one at a time. */
  cc_project_set_sandbox_id (values, "sbx-2");
  cc_project_set_connection_kind (values, CC_CONNECTION_E2B);
  cc_project_set_template (values, "python");
  cc_project_set_local_folder (values, "/srv/app");
  cc_project_set_setup_command (values, "pip install -r requirements.txt");
  cc_project_set_last_execution_at (values, 42);
  g_clear_object (&again);
  again = update_project (f, cc_project_get_id (created),
                          CC_PROJECT_FIELD_SANDBOX_ID | CC_PROJECT_FIELD_CONNECTION |
                          CC_PROJECT_FIELD_TEMPLATE | CC_PROJECT_FIELD_LOCAL_FOLDER |
                          CC_PROJECT_FIELD_SETUP_COMMAND | CC_PROJECT_FIELD_LAST_EXECUTION,
                          values, &error);
  g_assert_no_error (error);

  fetched = get_project (f, cc_project_get_id (created), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_project_get_sandbox_id (fetched), ==, "sbx-2");
  g_assert_cmpint (cc_project_get_connection_kind (fetched), ==, CC_CONNECTION_E2B);
  g_assert_cmpstr (cc_project_get_template (fetched), ==, "python");
  g_assert_cmpstr (cc_project_get_local_folder (fetched), ==, "/srv/app");
  g_assert_cmpstr (cc_project_get_setup_command (fetched), ==, "pip install -r requirements.txt");
  g_assert_cmpint (cc_project_get_last_execution_at (fetched), ==, 42);
  g_assert_cmpstr (cc_project_get_start_command (fetched), ==, "node server.js");
  g_assert_cmpuint (cc_project_get_port (fetched), ==, 8080);
  g_assert_cmpstr (cc_project_get_name (fetched), ==, "After");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_project_object (void)
{
  g_autoptr(CcProject) project = cc_project_new ("One");
  g_autoptr(CcProject) copy = NULL;
  guint notified = 0;
  CcConnectionKind kind;

  g_signal_connect (project, "notify", G_CALLBACK (count_notify), &notified);
  cc_project_set_name (project, "One");
  cc_project_set_port (project, 0);
  cc_project_set_connection_kind (project, CC_CONNECTION_LOCAL);
  cc_project_set_created_at (project, 0);
  g_assert_cmpuint (notified, ==, 0);
  cc_project_set_name (project, "Two");
  cc_project_set_port (project, 80);
  cc_project_set_connection_kind (project, CC_CONNECTION_E2B);
  cc_project_set_updated_at (project, 7);
  cc_project_set_sandbox_id (project, NULL);
  g_assert_cmpuint (notified, ==, 4);
  g_assert_cmpstr (cc_project_get_sandbox_id (project), ==, "");

  copy = cc_project_copy (project);
  g_assert_cmpstr (cc_project_get_name (copy), ==, "Two");
  g_assert_cmpuint (cc_project_get_port (copy), ==, 80);
  g_assert_cmpint (cc_project_get_connection_kind (copy), ==, CC_CONNECTION_E2B);
  g_assert_cmpint (cc_project_get_updated_at (copy), ==, 7);

  g_assert_cmpstr (cc_connection_kind_to_string (CC_CONNECTION_CUSTOM), ==, "custom");
  g_assert_true (cc_connection_kind_from_string ("e2b", &kind));
  g_assert_cmpint (kind, ==, CC_CONNECTION_E2B);
  g_assert_false (cc_connection_kind_from_string ("mars", &kind));
  g_assert_true (G_TYPE_IS_FLAGS (CC_TYPE_PROJECT_FIELD));
  g_assert_true (G_TYPE_IS_ENUM (CC_TYPE_CONNECTION_KIND));

  g_assert_finalize_object (g_steal_pointer (&copy));
  g_assert_finalize_object (g_steal_pointer (&project));
}

static void
test_project_delete (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) doomed = create_project (f, "doomed");
  g_autoptr(CcProject) kept = create_project (f, "kept");
  g_autoptr(CcOperation) cached = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(CcProject) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *op1 = NULL;
  g_autofree char *op2 = NULL;
  CcHistoryQuery query = { 0 };

  op1 = record (f, cc_project_get_id (doomed), CC_OPERATION_TYPE_COMMAND, "make doomedword",
                CC_OPERATION_STATUS_SUCCESS, "built doomedword");
  op2 = record (f, cc_project_get_id (kept), CC_OPERATION_TYPE_COMMAND, "make",
                CC_OPERATION_STATUS_SUCCESS, "built");
  {
    g_autoptr(CcOperation) op = get_operation (f, op1, &error);

    g_assert_no_error (error);
    cache_put (f, NULL, op);
  }

  g_assert_true (delete_project (f, cc_project_get_id (doomed), &error));
  g_assert_no_error (error);

  gone = get_project (f, cc_project_get_id (doomed), &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = history (f, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpstr (history_input (list, 0), ==, "make");
  g_clear_object (&list);

  /* Nothing of it is left: not its records, not their search index, not its cache. */
  query.search = "doomedword";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  cached = cache_lookup (f, cc_project_get_id (doomed), "make doomedword", NULL);
  g_assert_null (cached);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM operations"), ==, 1);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM cache"), ==, 0);
  raw_exec (f->path, "INSERT INTO operations_fts (operations_fts) VALUES ('integrity-check')");

  g_assert_false (delete_project (f, cc_project_get_id (doomed), &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
}

/* Operation records ----------------------------------------------------------------------- */

static void
test_operation_lifecycle (StoreFixture  *f,
                          gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcProject) after = NULL;
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(CcOperation) pending = NULL;
  g_autoptr(CcOperation) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 begun_at = f->now;

  op = begin_op (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "echo hi");
  g_assert_cmpuint (strlen (cc_operation_get_id (op)), ==, 36);
  g_assert_cmpint (cc_operation_get_status (op), ==, CC_OPERATION_STATUS_PENDING);
  g_assert_cmpstr (cc_operation_get_project_id (op), ==, cc_project_get_id (project));
  g_assert_cmpint (cc_operation_get_operation_type (op), ==, CC_OPERATION_TYPE_COMMAND);
  g_assert_cmpint (cc_operation_get_created_at (op), ==, begun_at);
  g_assert_cmpint (cc_operation_get_expires_at (op), ==, begun_at + 7 * DAY_USEC);
  g_assert_cmpint (cc_operation_get_exit_code (op), ==, -1);

  pending = get_operation (f, cc_operation_get_id (op), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_operation_get_status (pending), ==, CC_OPERATION_STATUS_PENDING);
  g_assert_cmpstr (cc_operation_get_input (pending), ==, "echo hi");

  f->now += 2 * G_USEC_PER_SEC;
  cc_operation_set_stderr (op, "warn\n");
  cc_operation_set_duration_ms (op, 2000);
  finish_op (f, op, CC_OPERATION_STATUS_SUCCESS, "hi\n", 0);
  g_assert_cmpint (cc_operation_get_updated_at (op), ==, f->now);

  done = get_operation (f, cc_operation_get_id (op), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_operation_get_status (done), ==, CC_OPERATION_STATUS_SUCCESS);
  g_assert_cmpstr (cc_operation_get_stdout (done), ==, "hi\n");
  g_assert_cmpstr (cc_operation_get_stderr (done), ==, "warn\n");
  g_assert_cmpint (cc_operation_get_exit_code (done), ==, 0);
  g_assert_cmpint (cc_operation_get_duration_ms (done), ==, 12);
  g_assert_false (cc_operation_get_cached (done));
  g_assert_false (cc_operation_get_stdout_truncated (done));
  g_assert_cmpint (cc_operation_get_created_at (done), ==, begun_at);
  g_assert_cmpint (cc_operation_get_updated_at (done), ==, f->now);

  /* A finished command moves the project's last execution; updated_at is about metadata. */
  after = get_project (f, cc_project_get_id (project), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_project_get_last_execution_at (after), ==, f->now);
  g_assert_cmpint (cc_project_get_updated_at (after), ==, cc_project_get_updated_at (project));
}

static void
test_operation_error_record (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcProject) after = NULL;
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(CcOperation) stored = NULL;
  g_autoptr(CcOperation) orphan = NULL;
  g_autoptr(GError) error = NULL;

  op = begin_op (f, cc_project_get_id (project), CC_OPERATION_TYPE_FILE_WRITE, "src/main.c");
  cc_operation_set_status (op, CC_OPERATION_STATUS_ERROR);
  cc_operation_set_error (op, "The sandbox is gone");
  g_assert_true (finish_op_full (f, op, &error));
  g_assert_no_error (error);

  stored = get_operation (f, cc_operation_get_id (op), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_operation_get_status (stored), ==, CC_OPERATION_STATUS_ERROR);
  g_assert_cmpint (cc_operation_get_operation_type (stored), ==, CC_OPERATION_TYPE_FILE_WRITE);
  g_assert_cmpstr (cc_operation_get_error (stored), ==, "The sandbox is gone");

  /* A file write is not an execution. */
  after = get_project (f, cc_project_get_id (project), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cc_project_get_last_execution_at (after), ==, 0);

  /* Records belong to projects that exist. */
  orphan = begin_op_full (f, "no-such-project", CC_OPERATION_TYPE_COMMAND, "ls", &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_assert_null (orphan);
  g_clear_error (&error);

  g_clear_object (&stored);
  stored = get_operation (f, "no-such-record", &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
}

static void
test_operation_expiry (StoreFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcOperation) gone = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcOperation) late = NULL;
  g_autofree char *old_id = NULL;
  g_autofree char *new_id = NULL;
  const char *pid = cc_project_get_id (project);

  old_id = record (f, pid, CC_OPERATION_TYPE_COMMAND, "old", CC_OPERATION_STATUS_SUCCESS, "");
  late = begin_op (f, pid, CC_OPERATION_TYPE_COMMAND, "still running");
  f->now += 6 * DAY_USEC;
  new_id = record (f, pid, CC_OPERATION_TYPE_COMMAND, "new", CC_OPERATION_STATUS_SUCCESS, "");

  list = history (f, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  g_clear_object (&list);

  /* Seven days after the first: expired, hidden at once, although nothing was purged yet. */
  f->now += 1 * DAY_USEC;
  list = history (f, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpstr (history_input (list, 0), ==, "new");
  gone = get_operation (f, old_id, &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM operations"), ==, 3);

  /* An expired record cannot be finished either. */
  cc_operation_set_status (late, CC_OPERATION_STATUS_SUCCESS);
  g_assert_false (finish_op_full (f, late, &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  purge (f);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM operations"), ==, 1);
  raw_exec (f->path, "INSERT INTO operations_fts (operations_fts) VALUES ('integrity-check')");

  /* The retention is configurable. */
  cc_store_set_record_retention (f->store, 60);
  g_assert_cmpuint (cc_store_get_record_retention (f->store), ==, 60);
  {
    g_autoptr(CcOperation) op = begin_op (f, pid, CC_OPERATION_TYPE_SETUP, "short");

    g_assert_cmpint (cc_operation_get_expires_at (op), ==, f->now + 60 * G_USEC_PER_SEC);
  }
}

static void
test_operation_purge_at_open (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autofree char *id = NULL;

  /* Records made 8 days ago (by the injected clock) are past their 7 days now. */
  f->now = g_get_real_time () - 8 * DAY_USEC;
  g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "ancient",
                  CC_OPERATION_STATUS_SUCCESS, ""));
  f->now = g_get_real_time () - HOUR_USEC;
  id = record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "recent",
               CC_OPERATION_STATUS_SUCCESS, "");
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM operations"), ==, 2);

  fixture_close (f);
  fixture_open (f);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM operations"), ==, 1);
  g_assert_cmpint (raw_query_int (f->path,
                                  "SELECT count(*) FROM operations WHERE input = 'recent'"), ==, 1);
}

static void
test_operation_periodic_purge (StoreFixture  *f,
                               gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");

  g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "old",
                  CC_OPERATION_STATUS_SUCCESS, ""));
  f->now += 8 * DAY_USEC;

  /* Nobody asks: the store's own timer deletes the expired record. */
  _cc_store_set_purge_interval (f->store, 10);
  CC_TEST_WAIT_FOR (raw_query_int (f->path, "SELECT count(*) FROM operations") == 0,
                    "the purge timer");
}

static void
test_operation_purge_frees_space (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GString) big = g_string_new (NULL);
  GStatBuf before;
  GStatBuf after;

  while (big->len < 1024 * 1024)
    g_string_append_printf (big, "line %u of a long log\n", (guint) big->len);
  for (guint i = 0; i < 4; i++)
    g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "build",
                    CC_OPERATION_STATUS_SUCCESS, big->str));
  fixture_close (f);
  g_assert_cmpint (g_stat (f->path, &before), ==, 0);
  g_assert_cmpint (before.st_size, >, 4 * 1024 * 1024);

  fixture_open (f);
  f->now += 8 * DAY_USEC;
  purge (f);
  fixture_close (f);
  g_assert_cmpint (g_stat (f->path, &after), ==, 0);
  g_test_message ("database file: %" G_GINT64_FORMAT " bytes before the purge, %"
                  G_GINT64_FORMAT " after", (gint64) before.st_size, (gint64) after.st_size);
  g_assert_cmpint (after.st_size, <, 512 * 1024);
}

static void
test_operation_output_capped (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(CcOperation) stored = NULL;
  g_autoptr(GString) big = g_string_new ("HEAD-START\n");
  g_autoptr(GError) error = NULL;
  const char *text;

  cc_store_set_max_output (f->store, 64 * 1024);
  g_assert_cmpuint (cc_store_get_max_output (f->store), ==, 64 * 1024);
  while (big->len < 1024 * 1024)
    g_string_append (big, "middle line of a long build log\n");
  g_string_append (big, "TAIL-END\n");

  op = begin_op (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "make");
  cc_operation_set_stderr (op, "short\n");
  finish_op (f, op, CC_OPERATION_STATUS_SUCCESS, big->str, 0);
  /* The caller's object now holds what was stored. */
  g_assert_true (cc_operation_get_stdout_truncated (op));
  g_assert_false (cc_operation_get_stderr_truncated (op));

  stored = get_operation (f, cc_operation_get_id (op), &error);
  g_assert_no_error (error);
  text = cc_operation_get_stdout (stored);
  g_assert_true (cc_operation_get_stdout_truncated (stored));
  g_assert_false (cc_operation_get_stderr_truncated (stored));
  g_assert_cmpstr (cc_operation_get_stderr (stored), ==, "short\n");
  g_assert_true (g_str_has_prefix (text, "HEAD-START\n"));
  g_assert_true (g_str_has_suffix (text, "TAIL-END\n"));
  g_assert_nonnull (strstr (text, "of output left out"));
  g_assert_cmpuint (strlen (text), <, 64 * 1024 + 256);
}

/* History --------------------------------------------------------------------------------- */

static void
test_history_order_and_limit (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GListModel) all = NULL;
  CcHistoryQuery query = { 0 };

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *input = g_strdup_printf ("cmd %02u", i);
      g_autoptr(CcOperation) op = begin_op (f, cc_project_get_id (project),
                                            CC_OPERATION_TYPE_COMMAND, input);

      /* Every second record shares its timestamp with the previous one. */
      if (i % 2 == 1)
        f->now += G_USEC_PER_SEC;
    }

  list = history (f, NULL);
  g_assert_true (g_list_model_get_item_type (list) == CC_TYPE_OPERATION);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, CC_STORE_DEFAULT_HISTORY_LIMIT);
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *expected = g_strdup_printf ("cmd %02u", 59 - i);

      g_assert_cmpstr (history_input (list, i), ==, expected);
    }

  query.limit = 1000;
  all = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 60);
  g_assert_cmpstr (history_input (all, 59), ==, "cmd 00");
}

static void
test_history_paging (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GListModel) page = NULL;
  g_autoptr(GError) error = NULL;
  CcHistoryQuery query = { 0 };
  g_autofree char *cursor = NULL;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *input = g_strdup_printf ("cmd %02u", i);

      g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, input,
                      CC_OPERATION_STATUS_SUCCESS, ""));
    }

  /* Offset paging. */
  query.limit = 10;
  query.offset = 20;
  page = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 5);
  g_assert_cmpstr (history_input (page, 0), ==, "cmd 04");
  g_assert_cmpstr (history_input (page, 4), ==, "cmd 00");
  g_clear_object (&page);

  /* Cursor paging: every record exactly once, in order, even when a new one arrives between
   * pages (offsets would shift; the cursor does not). */
  query.offset = 0;
  for (guint round = 0; round < 10; round++)
    {
      guint n;

      query.before_id = cursor;
      page = history (f, &query);
      n = g_list_model_get_n_items (page);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (seen, g_strdup (history_input (page, i)));
      if (n == 0)
        break;
      {
        g_autoptr(CcOperation) last = g_list_model_get_item (page, n - 1);

        g_free (cursor);
        cursor = g_strdup (cc_operation_get_id (last));
      }
      g_clear_object (&page);
      if (round == 0)
        g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "newer",
                        CC_OPERATION_STATUS_SUCCESS, ""));
    }
  g_clear_object (&page);
  g_assert_cmpuint (seen->len, ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *expected = g_strdup_printf ("cmd %02u", 24 - i);

      g_assert_cmpstr (g_ptr_array_index (seen, i), ==, expected);
    }

  query.before_id = "no-such-record";
  page = history_full (f, &query, &error);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
  g_assert_null (page);
}

static void
test_history_filters (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(CcProject) a = create_project (f, "a");
  g_autoptr(CcProject) b = create_project (f, "b");
  g_autoptr(GListModel) list = NULL;
  CcHistoryQuery query = { 0 };
  const char *ida = cc_project_get_id (a);
  const char *idb = cc_project_get_id (b);

  g_free (record (f, ida, CC_OPERATION_TYPE_COMMAND, "a-ok", CC_OPERATION_STATUS_SUCCESS, ""));
  g_free (record (f, ida, CC_OPERATION_TYPE_COMMAND, "a-fail", CC_OPERATION_STATUS_ERROR, ""));
  g_free (record (f, ida, CC_OPERATION_TYPE_FILE_WRITE, "a-write", CC_OPERATION_STATUS_SUCCESS,
                  ""));
  g_free (record (f, idb, CC_OPERATION_TYPE_COMMAND, "b-ok", CC_OPERATION_STATUS_SUCCESS, ""));
  {
    g_autoptr(CcOperation) pending = begin_op (f, idb, CC_OPERATION_TYPE_SETUP, "b-setup");
  }

  query.project_id = ida;
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  g_assert_cmpstr (history_input (list, 0), ==, "a-write");
  g_clear_object (&list);

  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_COMMAND);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_clear_object (&list);

  query.status_mask = CC_HISTORY_MASK (CC_OPERATION_STATUS_ERROR);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpstr (history_input (list, 0), ==, "a-fail");
  g_clear_object (&list);

  /* Across projects, two statuses. */
  query.project_id = NULL;
  query.type_mask = 0;
  query.status_mask = CC_HISTORY_MASK (CC_OPERATION_STATUS_PENDING) |
                      CC_HISTORY_MASK (CC_OPERATION_STATUS_ERROR);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpstr (history_input (list, 0), ==, "b-setup");
  g_assert_cmpstr (history_input (list, 1), ==, "a-fail");
  g_clear_object (&list);

  query.status_mask = 0;
  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_SETUP) |
                    CC_HISTORY_MASK (CC_OPERATION_TYPE_FILE_WRITE);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_clear_object (&list);

  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_DEV_SERVER);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
}

static void
test_history_search (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GListModel) list = NULL;
  CcHistoryQuery query = { 0 };
  const char *pid = cc_project_get_id (project);

  g_free (record (f, pid, CC_OPERATION_TYPE_COMMAND, "npm install", CC_OPERATION_STATUS_SUCCESS,
                  "added 12 packages in 3s"));
  g_free (record (f, pid, CC_OPERATION_TYPE_COMMAND, "npm test", CC_OPERATION_STATUS_ERROR,
                  "Tests: 1 failed, 4 passed"));
  g_free (record (f, pid, CC_OPERATION_TYPE_COMMAND, "ls -la", CC_OPERATION_STATUS_SUCCESS,
                  "package.json\nnode_modules\n"));
  {
    g_autoptr(CcOperation) op = begin_op (f, pid, CC_OPERATION_TYPE_COMMAND, "cargo build");
    g_autoptr(GError) error = NULL;

    cc_operation_set_status (op, CC_OPERATION_STATUS_ERROR);
    cc_operation_set_stderr (op, "error[E0308]: mismatched types");
    cc_operation_set_error (op, "Command exited with status 101");
    g_assert_true (finish_op_full (f, op, &error));
    g_assert_no_error (error);
  }

  /* In the command. */
  query.search = "npm";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_clear_object (&list);

  /* In the output, as a word prefix, any case. */
  query.search = "PACKAGE";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  g_assert_cmpstr (history_input (list, 0), ==, "ls -la");
  g_assert_cmpstr (history_input (list, 1), ==, "npm install");
  g_clear_object (&list);

  /* Every word must match. */
  query.search = "npm failed";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpstr (history_input (list, 0), ==, "npm test");
  g_clear_object (&list);

  /* stderr and the error message are searched too; FTS syntax is just text. */
  query.search = "mismatched";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  query.search = "status 101";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  query.search = "\"npm OR ) NEAR(*";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_clear_object (&list);

  /* Punctuation alone is looked for in the commands. */
  query.search = " -la ";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  query.search = " - ";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_assert_cmpstr (history_input (list, 0), ==, "ls -la");
  g_clear_object (&list);
  query.search = "%";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  g_clear_object (&list);
  query.search = "  ";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 4);
  g_clear_object (&list);

  /* Combined with a filter. */
  query.search = "npm";
  query.status_mask = CC_HISTORY_MASK (CC_OPERATION_STATUS_SUCCESS);
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);

  query.search = "nothing-like-this";
  query.status_mask = 0;
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
}

static void
test_history_search_long_output (StoreFixture  *f,
                                 gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GString) log = g_string_new ("startmarker\n");
  g_autoptr(GListModel) list = NULL;
  CcHistoryQuery query = { 0 };

  while (log->len < 512 * 1024)
    g_string_append (log, "compiling module\n");
  g_string_append (log, "middlemarker\n");
  while (log->len < 1024 * 1024)
    g_string_append (log, "linking object\n");
  g_string_append (log, "error: undefined reference to endmarker\n");
  g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "make",
                  CC_OPERATION_STATUS_ERROR, log->str));

  /* The start and the end of a long output are indexed (that is where commands and errors
   * are); the middle of a megabyte of output is not. */
  query.search = "startmarker";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  query.search = "endmarker";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  g_clear_object (&list);
  query.search = "middlemarker";
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
}

static void
test_history_output_preview (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(CcOperation) shown = NULL;
  g_autoptr(CcOperation) small = NULL;
  g_autoptr(CcOperation) full = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big_id = NULL;
  CcHistoryQuery query = { 0 };

  while (big->len < 100000)
    g_string_append (big, "éa");   /* multi-byte characters: cut by characters, not bytes */
  big_id = record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "big",
                   CC_OPERATION_STATUS_SUCCESS, big->str);
  g_free (record (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "small",
                  CC_OPERATION_STATUS_SUCCESS, "tiny"));

  query.output_preview = 100;
  list = history (f, &query);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  small = g_list_model_get_item (list, 0);
  shown = g_list_model_get_item (list, 1);
  g_assert_cmpstr (cc_operation_get_stdout (small), ==, "tiny");
  g_assert_false (cc_operation_get_stdout_truncated (small));
  g_assert_cmpuint (g_utf8_strlen (cc_operation_get_stdout (shown), -1), ==, 100);
  g_assert_true (g_utf8_validate (cc_operation_get_stdout (shown), -1, NULL));
  g_assert_true (cc_operation_get_stdout_truncated (shown));
  g_assert_cmpstr (cc_operation_get_input (shown), ==, "big");

  /* The whole output is one call away. */
  full = get_operation (f, big_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cc_operation_get_stdout (full), ==, big->str);
  g_assert_false (cc_operation_get_stdout_truncated (full));
}

static void
on_project_added (CcStore   *store,
                  CcProject *project,
                  GPtrArray *events)
{
  g_ptr_array_add (events, g_strdup_printf ("added %s", cc_project_get_name (project)));
}

static void
on_project_updated (CcStore   *store,
                    CcProject *project,
                    GPtrArray *events)
{
  g_ptr_array_add (events, g_strdup_printf ("updated %s", cc_project_get_name (project)));
}

static void
on_project_removed (CcStore    *store,
                    const char *project_id,
                    GPtrArray  *events)
{
  g_ptr_array_add (events, g_strdup_printf ("removed %zu", strlen (project_id)));
}

static void
on_operation_changed (CcStore     *store,
                      CcOperation *op,
                      GPtrArray   *events)
{
  g_ptr_array_add (events, g_strdup_printf ("operation %s %s", cc_operation_get_input (op),
                                            cc_operation_status_to_string (
                                              cc_operation_get_status (op))));
}

static void
test_signals (StoreFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) values = cc_project_new ("renamed");
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = {
    "added first", "updated renamed", "operation ls pending", "operation ls success",
    "removed 36",
  };

  g_signal_connect (f->store, "project-added", G_CALLBACK (on_project_added), events);
  g_signal_connect (f->store, "project-updated", G_CALLBACK (on_project_updated), events);
  g_signal_connect (f->store, "project-removed", G_CALLBACK (on_project_removed), events);
  g_signal_connect (f->store, "operation-changed", G_CALLBACK (on_operation_changed), events);

  /* Each signal has been emitted by the time the call's callback runs. */
  project = create_project (f, "first");
  g_assert_cmpuint (events->len, ==, 1);
  updated = update_project (f, cc_project_get_id (project), CC_PROJECT_FIELD_NAME, values, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  op = begin_op (f, cc_project_get_id (project), CC_OPERATION_TYPE_COMMAND, "ls");
  g_assert_cmpuint (events->len, ==, 3);
  finish_op (f, op, CC_OPERATION_STATUS_SUCCESS, "x", 0);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_true (delete_project (f, cc_project_get_id (project), &error));
  g_assert_no_error (error);

  /* Failed calls emit nothing. */
  g_assert_false (delete_project (f, cc_project_get_id (project), &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);

  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (events, i), ==, expected[i]);
}

/* Cancellation ---------------------------------------------------------------------------- */

static void
order_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GPtrArray *order = user_data;
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));

  if (tag == cc_store_create_project_async)
    {
      g_autoptr(CcProject) p = cc_store_create_project_finish (CC_STORE (object), result, &error);

      g_ptr_array_add (order, g_strdup ("create"));
    }
  else if (tag == cc_store_begin_operation_async)
    {
      g_autoptr(CcOperation) op = cc_store_begin_operation_finish (CC_STORE (object), result,
                                                                   &error);

      g_ptr_array_add (order, g_strdup_printf ("begin %s", cc_operation_get_input (op)));
    }
  else if (tag == cc_store_update_project_async)
    {
      g_autoptr(CcProject) p = cc_store_update_project_finish (CC_STORE (object), result, &error);

      g_ptr_array_add (order, g_strdup_printf ("update %s", cc_project_get_name (p)));
    }
  else
    g_assert_not_reached ();
  g_assert_no_error (error);
}

static void
test_calls_run_in_order (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CcProject) project = cc_project_new ("first");
  g_autoptr(CcProject) values = cc_project_new (NULL);
  g_autoptr(GListModel) list = NULL;

  /* Each call depends on the one before it, and none waits for it: they must run in the
   * order they were made. */
  cc_project_set_id (project, "fixed-id");
  cc_store_create_project_async (f->store, project, NULL, order_cb, order);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *input = g_strdup_printf ("%02u", i);
      g_autofree char *name = g_strdup_printf ("name %02u", i);

      cc_store_begin_operation_async (f->store, "fixed-id", CC_OPERATION_TYPE_COMMAND, input,
                                      NULL, order_cb, order);
      cc_project_set_name (values, name);
      cc_store_update_project_async (f->store, "fixed-id", CC_PROJECT_FIELD_NAME, values, NULL,
                                     order_cb, order);
    }

  CC_TEST_WAIT_FOR (order->len >= 41, "all 41 calls to finish");

  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "create");
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *begin = g_strdup_printf ("begin %02u", i);
      g_autofree char *update = g_strdup_printf ("update name %02u", i);

      g_assert_cmpstr (g_ptr_array_index (order, 1 + 2 * i), ==, begin);
      g_assert_cmpstr (g_ptr_array_index (order, 2 + 2 * i), ==, update);
    }

  list = history (f, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 20);
}

static void
test_cancelled (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = NULL;

  g_cancellable_cancel (cancellable);
  cc_store_list_projects_async (f->store, cancellable, cc_test_store_result_cb, &result);
  list = cc_store_list_projects_finish (f->store, cc_test_wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (list);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_store_test ("open/new", test_open_new);
  add_store_test ("project/create-get", test_project_create_get);
  add_store_test ("project/missing", test_project_missing);
  add_store_test ("project/list", test_project_list);
  add_store_test ("project/partial-update", test_project_partial_update);
  g_test_add_func ("/core/store/project/object", test_project_object);
  add_store_test ("project/delete", test_project_delete);
  add_store_test ("operation/lifecycle", test_operation_lifecycle);
  add_store_test ("operation/error-record", test_operation_error_record);
  add_store_test ("operation/expiry", test_operation_expiry);
  add_store_test ("operation/purge-at-open", test_operation_purge_at_open);
  add_store_test ("operation/output-capped", test_operation_output_capped);
  add_store_test ("operation/periodic-purge", test_operation_periodic_purge);
  add_store_test ("operation/purge-frees-space", test_operation_purge_frees_space);
  add_store_test ("history/order-and-limit", test_history_order_and_limit);
  add_store_test ("history/paging", test_history_paging);
  add_store_test ("history/filters", test_history_filters);
  add_store_test ("history/search", test_history_search);
  add_store_test ("history/search-long-output", test_history_search_long_output);
  add_store_test ("history/output-preview", test_history_output_preview);
  add_store_test ("signals", test_signals);
  add_store_test ("cancelled", test_cancelled);
  add_store_test ("calls-run-in-order", test_calls_run_in_order);

  return g_test_run ();
}
