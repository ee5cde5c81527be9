/* test-keyring.c: API keys in a real gnome-keyring, and nowhere else
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under tests/run-headless.sh, which starts a private D-Bus session with an unlocked
 * gnome-keyring, so the real Secret Service is used and nothing touches the user's keyring.
 */
#include "config.h"

#include <string.h>

#include "cc-keyring.h"
#include "cc-store.h"
#include "cc-test-util.h"

/* Every log line of the process is checked against the keys the tests made. */
static GMutex     secrets_lock;
static GPtrArray *secrets;
static guint      leaks;

static GLogWriterOutput
checking_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  g_mutex_lock (&secrets_lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *text = NULL;

      if (fields[i].length < 0)
        text = g_strdup (fields[i].value);
      else
        text = g_strndup (fields[i].value, fields[i].length);
      for (guint j = 0; secrets != NULL && j < secrets->len; j++)
        if (strstr (text, g_ptr_array_index (secrets, j)) != NULL)
          leaks++;
    }
  g_mutex_unlock (&secrets_lock);

  /* Debug output is only for the check above; the rest goes where it always goes. */
  if (log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
make_secret (void)
{
  g_autoptr(GString) key = g_string_new ("e2b_");

  /* Random, so that finding it anywhere can only mean it was written there. */
  for (guint i = 0; i < 40; i++)
    g_string_append_c (key, "0123456789abcdef"[g_random_int_range (0, 16)]);

  g_mutex_lock (&secrets_lock);
  g_ptr_array_add (secrets, g_strdup (key->str));
  g_mutex_unlock (&secrets_lock);
  return g_string_free (g_steal_pointer (&key), FALSE);
}

static char *
make_connection (void)
{
  /* Unique per run, so that a left-over item of an earlier run cannot answer. */
  return g_strdup_printf ("https://api.test-%08x.example/", g_random_int ());
}

static gboolean
have_session_bus (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("No D-Bus session: run the suite with tests/run-headless.sh");
      return FALSE;
    }
  return TRUE;
}

static void
keyring_store (const char *connection,
               const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_keyring_store_async (connection, key, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_keyring_store_finish (cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static char *
keyring_lookup (const char  *connection,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_keyring_lookup_async (connection, NULL, cc_test_store_result_cb, &result);
  return cc_keyring_lookup_finish (cc_test_wait_result (&result), error);
}

static void
keyring_clear (const char *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_keyring_clear_async (connection, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_keyring_clear_finish (cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_store_lookup_clear (void)
{
  g_autofree char *connection = make_connection ();
  g_autofree char *other = make_connection ();
  g_autofree char *first = make_secret ();
  g_autofree char *second = make_secret ();
  g_autoptr(GError) error = NULL;
  char *found;

  if (!have_session_bus ())
    return;

  keyring_store (connection, first);
  found = keyring_lookup (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, first);
  cc_keyring_key_free (found);

  /* One secret per connection: storing again replaces it, and others are not affected. */
  keyring_store (other, second);
  keyring_store (connection, second);
  found = keyring_lookup (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, second);
  cc_keyring_key_free (found);

  keyring_clear (connection);
  found = keyring_lookup (connection, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  found = keyring_lookup (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, second);
  cc_keyring_key_free (found);

  /* Clearing what is not there is fine. */
  keyring_clear (connection);
  keyring_clear (other);
  found = keyring_lookup (other, &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_lookup_missing (void)
{
  g_autofree char *connection = make_connection ();
  g_autoptr(GError) error = NULL;
  char *found;

  if (!have_session_bus ())
    return;

  found = keyring_lookup (connection, &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static void
test_invalid (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *found;

  cc_keyring_store_async (CC_KEYRING_CONNECTION_E2B, "", NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_keyring_store_finish (cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_KEYRING_ERROR, CC_KEYRING_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_object (&result);

  found = keyring_lookup ("", &error);
  g_assert_error (error, CC_KEYRING_ERROR, CC_KEYRING_ERROR_INVALID);
  g_assert_null (found);
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *found;

  if (!have_session_bus ())
    return;

  /* Cancellation is reported as such, never as a keyring problem. */
  g_cancellable_cancel (cancellable);
  cc_keyring_lookup_async (CC_KEYRING_CONNECTION_E2B, cancellable, cc_test_store_result_cb,
                           &result);
  found = cc_keyring_lookup_finish (cc_test_wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (found);
}

static void
test_unavailable (void)
{
  g_autoptr(GError) error = NULL;
  char *found;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* A session whose bus is not there, as on a machine without a running keyring. Nothing has
   * connected to D-Bus in this fresh process yet, so the address is read now. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/code-canvas-test-bus", TRUE);

  found = keyring_lookup (CC_KEYRING_CONNECTION_E2B, &error);
  g_assert_null (found);
  g_assert_error (error, CC_KEYRING_ERROR, CC_KEYRING_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "keyring"));
  g_test_message ("%s", error->message);
}

/* With a real key in the keyring and in the client's hands, a session's worth of store
 * activity writes nothing that contains it. */

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gsize needle_len = strlen (needle);

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  g_test_message ("scanned %s: %zu bytes", path, len);
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (contents + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_files_clean (const char *path,
                    const char *key)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_assert_false (file_contains (file, key));
    }
}

static void
test_key_not_in_database (void)
{
  g_autofree char *tmpdir = cc_test_make_tmpdir ("cc-keyring-db");
  g_autofree char *path = g_build_filename (tmpdir, "code-canvas.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *connection = make_connection ();
  g_autofree char *secret = make_secret ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcStore) store = NULL;
  g_autoptr(CcProject) values = cc_project_new ("E2B project");
  g_autoptr(CcProject) project = NULL;
  char *key;

  if (!have_session_bus ())
    return;

  keyring_store (connection, secret);
  key = keyring_lookup (connection, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, secret);

  cc_store_open_async (file, NULL, cc_test_store_result_cb, &result);
  store = cc_store_open_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_project_set_connection_kind (values, CC_CONNECTION_CUSTOM);
  cc_project_set_api_url (values, connection);
  cc_store_create_project_async (store, values, NULL, cc_test_store_result_cb, &result);
  project = cc_store_create_project_finish (store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A session's worth of records, cache entries and updates, with the key in memory. */
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *command = g_strdup_printf ("curl -s https://example.test/%u", i);
      g_autoptr(CcOperation) op = NULL;

      cc_store_begin_operation_async (store, cc_project_get_id (project),
                                      CC_OPERATION_TYPE_COMMAND, command, NULL,
                                      cc_test_store_result_cb, &result);
      op = cc_store_begin_operation_finish (store, cc_test_wait_result (&result), &error);
      g_assert_no_error (error);
      g_clear_object (&result);

      cc_operation_set_status (op, i % 3 ? CC_OPERATION_STATUS_SUCCESS : CC_OPERATION_STATUS_ERROR);
      cc_operation_set_stdout (op, "{\"status\":\"ok\"}\n");
      cc_operation_set_error (op, i % 3 ? "" : "E2B rejected the API key. Update it.");
      cc_operation_set_exit_code (op, 0);
      cc_store_finish_operation_async (store, op, NULL, cc_test_store_result_cb, &result);
      g_assert_true (cc_store_finish_operation_finish (store, cc_test_wait_result (&result),
                                                       &error));
      g_assert_no_error (error);
      g_clear_object (&result);

      cc_store_cache_put_async (store, connection, op, NULL, cc_test_store_result_cb, &result);
      g_assert_true (cc_store_cache_put_finish (store, cc_test_wait_result (&result), &error));
      g_assert_no_error (error);
      g_clear_object (&result);
    }

  cc_project_set_sandbox_id (values, "sbx-1234");
  cc_store_update_project_async (store, cc_project_get_id (project), CC_PROJECT_FIELD_SANDBOX_ID,
                                 values, NULL, cc_test_store_result_cb, &result);
  g_clear_object (&project);
  project = cc_store_update_project_finish (store, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* While it is open (the -wal holds the latest pages)… */
  assert_files_clean (path, key);

  /* …and once it is closed and checkpointed. */
  cc_store_close_async (store, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_store_close_finish (store, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  assert_files_clean (path, key);
  /* The scan does find what was written: the endpoint URL, stored as the project's API URL. */
  g_assert_true (file_contains (path, connection));

  /* No log line carried it either. */
  g_assert_cmpuint (leaks, ==, 0);

  cc_keyring_key_free (key);
  keyring_clear (connection);
  cc_test_rm_rf (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Let every debug message be produced, so that the writer sees it. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  secrets = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (checking_writer, NULL, NULL);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/keyring/store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/core/keyring/lookup-missing", test_lookup_missing);
  g_test_add_func ("/core/keyring/invalid", test_invalid);
  g_test_add_func ("/core/keyring/cancelled", test_cancelled);
  g_test_add_func ("/core/keyring/unavailable", test_unavailable);
  g_test_add_func ("/core/keyring/key-not-in-database", test_key_not_in_database);

  ret = g_test_run ();
  g_assert_cmpuint (leaks, ==, 0);
  g_ptr_array_unref (secrets);
  return ret;
}
