/* test-cli.c: code-canvas-cli end to end — the real binary, a private engine, the real keyring
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cc-keyring.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

typedef struct
{
  CcTestEngine *engine;
  char        **env;
  char         *tmpdir;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  /* @data: the engine's extra environment, or NULL. */
  f->engine = data != NULL ? cc_test_engine_new_with_env (data) : cc_test_engine_new ();
  f->env = cc_test_engine_dup_environ (f->engine);
  f->tmpdir = cc_test_make_tmpdir ("cc-cli");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cc_test_engine_free (f->engine);
  g_strfreev (f->env);
  cc_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
}

/* Runs code-canvas-cli with @args (NULL-terminated), feeding @input to its stdin. */
static void
run_cli (Fixture    *f,
         const char *input,
         Run        *run,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("CODE_CANVAS_CLI");
  const char *arg;
  va_list ap;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, run);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  run->status = cc_test_run_command ((const char * const *) argv->pdata, (const char * const *) f->env, input,
                                     &run->out, &run->err);
  if (run->status != 0)
    g_test_message ("cli exit %d; stderr: %s", run->status, run->err);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}


static void
create_project (Fixture    *f,
                const char *name,
                const char *template_id)
{
  g_auto(Run) run = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", cc_test_free_port ());

  run_cli (f, NULL, &run, "project", "create", name, "--template", template_id, "--port", port, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, name));
}

static void
test_help (Fixture *f, gconstpointer data)
{
  g_auto(Run) help = { 0 };
  g_auto(Run) exec_help = { 0 };
  g_auto(Run) unknown = { 0 };
  g_auto(Run) missing = { 0 };

  run_cli (f, NULL, &help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "Usage: code-canvas-cli"));
  g_assert_nonnull (strstr (help.out, "exec"));
  g_assert_nonnull (strstr (help.out, "dev"));

  run_cli (f, NULL, &exec_help, "exec", "--help", NULL);
  g_assert_cmpint (exec_help.status, ==, 0);
  g_assert_nonnull (strstr (exec_help.out, "--no-cache"));

  run_cli (f, NULL, &unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  g_assert_nonnull (strstr (unknown.err, "--help"));

  /* An unknown project says what to do. */
  run_cli (f, NULL, &missing, "exec", "nope", "--", "true", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "project list"));
}

static void
test_project (Fixture *f, gconstpointer data)
{
  g_auto(Run) list = { 0 };
  g_auto(Run) info = { 0 };
  g_auto(Run) update = { 0 };
  g_auto(Run) info2 = { 0 };
  g_auto(Run) del = { 0 };
  g_auto(Run) list2 = { 0 };
  g_auto(Run) table = { 0 };
  g_autoptr(JsonNode) projects = NULL;
  g_autoptr(JsonNode) project = NULL;
  g_autoptr(JsonNode) project2 = NULL;
  JsonObject *object;

  create_project (f, "alpha", "node");

  run_cli (f, NULL, &list, "--json", "project", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  projects = parse_json (list.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (projects)), ==, 1);
  object = json_array_get_object_element (json_node_get_array (projects), 0);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "alpha");

  run_cli (f, NULL, &table, "project", "list", NULL);
  g_assert_nonnull (strstr (table.out, "NAME"));
  g_assert_nonnull (strstr (table.out, "alpha"));

  run_cli (f, NULL, &info, "project", "info", "alpha", "--json", NULL);
  g_assert_cmpint (info.status, ==, 0);
  project = parse_json (info.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (project), "template"), ==, "node");

  run_cli (f, NULL, &update, "project", "update", "alpha", "--port", "4000", NULL);
  g_assert_cmpint (update.status, ==, 0);
  run_cli (f, NULL, &info2, "--json", "project", "info", "alpha", NULL);
  project2 = parse_json (info2.out);
  object = json_node_get_object (project2);
  g_assert_cmpint (json_object_get_int_member (object, "port"), ==, 4000);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "alpha");
  g_assert_cmpstr (json_object_get_string_member (object, "start_command"), ==, "PORT=$PORT node server.js");

  run_cli (f, NULL, &del, "project", "delete", "alpha", NULL);
  g_assert_cmpint (del.status, ==, 0);
  run_cli (f, NULL, &list2, "--json", "project", "list", NULL);
  g_assert_nonnull (strstr (list2.out, "[]") ? list2.out : strstr (list2.out, "[ ]"));
}

static void
test_exec (Fixture *f, gconstpointer data)
{
  g_auto(Run) plain = { 0 };
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) history = { 0 };
  g_auto(Run) history_json = { 0 };
  g_autoptr(JsonNode) h1 = NULL;
  g_auto(Run) forced = { 0 };
  g_auto(Run) cleared = { 0 };
  g_auto(Run) after = { 0 };
  g_auto(Run) piped = { 0 };
  g_autoptr(JsonNode) n1 = NULL;
  g_autoptr(JsonNode) n2 = NULL;
  g_autoptr(JsonNode) n3 = NULL;
  g_autoptr(JsonNode) n4 = NULL;

  create_project (f, "runner", "blank");

  run_cli (f, NULL, &plain, "exec", "runner", "--", "echo out; echo err >&2; exit 3", NULL);
  g_assert_cmpint (plain.status, ==, 3);
  g_assert_cmpstr (plain.out, ==, "out\n");
  g_assert_nonnull (strstr (plain.err, "err\n"));

  run_cli (f, NULL, &first, "--json", "exec", "runner", "--", "date", "+%s%N", NULL);
  g_assert_cmpint (first.status, ==, 0);
  n1 = parse_json (first.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (n1), "cached"));

  run_cli (f, NULL, &second, "--json", "exec", "runner", "--", "date", "+%s%N", NULL);
  n2 = parse_json (second.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (n2), "cached"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (n1), "stdout"), ==,
                   json_object_get_string_member (json_node_get_object (n2), "stdout"));
  /* Plain output says on stderr that the answer is a cached one, and its age. */
  run_cli (f, NULL, &again, "exec", "runner", "--", "date", "+%s%N", NULL);
  g_assert_cmpstr (again.out, ==, json_object_get_string_member (json_node_get_object (n1), "stdout"));
  g_assert_nonnull (strstr (again.err, "(cached, just now)\n"));
  /* History says so too: the cached answer and its age. */
  run_cli (f, NULL, &history, "history", "runner", "--limit", "1", NULL);
  g_assert_cmpint (history.status, ==, 0);
  g_assert_nonnull (strstr (history.out, "just now"));
  g_assert_nonnull (strstr (history.out, "date +%s%N"));
  run_cli (f, NULL, &history_json, "--json", "history", "runner", "--limit", "1", NULL);
  h1 = parse_json (history_json.out);
  {
    JsonObject *record = json_array_get_object_element (json_node_get_array (h1), 0);

    g_assert_true (json_object_get_boolean_member (record, "cached"));
    g_assert_nonnull (json_object_get_string_member (record, "cached_at"));
  }

  run_cli (f, NULL, &forced, "--json", "exec", "--no-cache", "runner", "--", "date", "+%s%N", NULL);
  n3 = parse_json (forced.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (n3), "cached"));

  run_cli (f, NULL, &cleared, "cache", "clear", "runner", "--", "date", "+%s%N", NULL);
  g_assert_cmpint (cleared.status, ==, 0);
  run_cli (f, NULL, &after, "--json", "exec", "runner", "--", "date", "+%s%N", NULL);
  n4 = parse_json (after.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (n4), "cached"));

  /* --stdin feeds the local standard input to the remote command. */
  run_cli (f, "one\ntwo\n", &piped, "exec", "--stdin", "runner", "--", "wc -l", NULL);
  g_assert_cmpint (piped.status, ==, 0);
  g_assert_cmpstr (g_strstrip (piped.out), ==, "2");
}

static void
test_files (Fixture *f, gconstpointer data)
{
  g_auto(Run) write = { 0 };
  g_auto(Run) read = { 0 };
  g_auto(Run) ls = { 0 };
  g_auto(Run) lsjson = { 0 };
  g_auto(Run) missing = { 0 };
  g_autoptr(JsonNode) entries = NULL;
  JsonArray *array;
  gboolean found = FALSE;

  create_project (f, "files", "blank");
  run_cli (f, "line one\nline two\n", &write, "write", "files", "docs/note.txt", NULL);
  g_assert_cmpint (write.status, ==, 0);
  run_cli (f, NULL, &read, "read", "files", "docs/note.txt", NULL);
  g_assert_cmpint (read.status, ==, 0);
  g_assert_cmpstr (read.out, ==, "line one\nline two\n");

  run_cli (f, NULL, &ls, "ls", "files", "docs", NULL);
  g_assert_nonnull (strstr (ls.out, "note.txt"));
  run_cli (f, NULL, &lsjson, "ls", "--json", "files", NULL);
  entries = parse_json (lsjson.out);
  array = json_node_get_array (entries);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i), "name"), "docs") == 0)
      {
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, i), "type"), ==, "dir");
        found = TRUE;
      }
  g_assert_true (found);

  run_cli (f, NULL, &missing, "read", "files", "nothing.txt", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "code-canvas-cli:"));
}

static void
test_setup_dev (Fixture *f, gconstpointer data)
{
  g_auto(Run) setup = { 0 };
  g_auto(Run) dev = { 0 };
  g_auto(Run) exec = { 0 };
  g_auto(Run) dev2 = { 0 };
  g_autofree char *dir = g_build_filename (f->tmpdir, "site", NULL);
  g_autofree char *server = g_build_filename (dir, "server.js", NULL);
  g_autofree char *git = g_build_filename (dir, ".git", NULL);
  g_autofree char *git_file = g_build_filename (git, "HEAD", NULL);
  g_autofree char *url = NULL;
  g_autoptr(GBytes) body = NULL;
  guint status = 0;

  g_assert_cmpint (g_mkdir_with_parents (git, 0700), ==, 0);
  g_assert_true (g_file_set_contents (server,
    "require('http').createServer((q, r) => { r.end('served from a folder'); })"
    ".listen(Number(process.env.PORT), '0.0.0.0');\n", -1, NULL));
  g_assert_true (g_file_set_contents (git_file, "ref: refs/heads/main\n", -1, NULL));

  create_project (f, "site", "node");
  run_cli (f, NULL, &setup, "setup", "site", dir, NULL);
  g_assert_cmpint (setup.status, ==, 0);
  g_assert_nonnull (strstr (setup.err, "set up"));

  run_cli (f, NULL, &exec, "exec", "site", "--", "ls -A", NULL);
  g_assert_nonnull (strstr (exec.out, "server.js"));
  g_assert_null (strstr (exec.out, ".git"));

  run_cli (f, NULL, &dev, "dev", "site", NULL);
  g_assert_cmpint (dev.status, ==, 0);
  url = g_strstrip (g_strdup (dev.out));
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  /* The server keeps running after the CLI exits. */
  body = cc_test_http_get (url, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "served from a folder", 20);

  /* Asking again finds the running server (the second copy cannot bind the port). */
  run_cli (f, NULL, &dev2, "dev", "site", NULL);
  g_assert_cmpint (dev2.status, ==, 0);
  g_assert_cmpstr (g_strstrip (dev2.out), ==, url);
}

static void
test_folder_project (Fixture *f, gconstpointer data)
{
  g_auto(Run) create = { 0 };
  g_auto(Run) setup = { 0 };
  g_auto(Run) exec = { 0 };
  g_autofree char *dir = g_build_filename (f->tmpdir, "app", NULL);
  g_autofree char *sub = g_build_filename (dir, "lib", NULL);
  g_autofree char *modules = g_build_filename (dir, "node_modules", "left-pad", NULL);
  g_autofree char *file = g_build_filename (sub, "util.py", NULL);
  g_autofree char *skipped = g_build_filename (modules, "index.js", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (modules, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "print('util')\n", -1, NULL));
  g_assert_true (g_file_set_contents (skipped, "module.exports = 1;\n", -1, NULL));

  run_cli (f, NULL, &create, "project", "create", "fromdir", "--folder", dir, NULL);
  g_assert_cmpint (create.status, ==, 0);
  /* Without DIR, setup uploads the project's own folder (node_modules left out). */
  run_cli (f, NULL, &setup, "setup", "fromdir", NULL);
  g_assert_cmpint (setup.status, ==, 0);
  run_cli (f, NULL, &exec, "exec", "fromdir", "--", "python3 lib/util.py; ls -A", NULL);
  g_assert_cmpint (exec.status, ==, 0);
  g_assert_true (g_str_has_prefix (exec.out, "util\n"));
  g_assert_null (strstr (exec.out, "node_modules"));
}

static void
test_history (Fixture *f, gconstpointer data)
{
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) c = { 0 };
  g_auto(Run) history = { 0 };
  g_auto(Run) table = { 0 };
  g_autoptr(JsonNode) records = NULL;
  JsonArray *array;

  create_project (f, "hist", "blank");
  run_cli (f, NULL, &a, "exec", "hist", "--", "echo", "first", NULL);
  run_cli (f, NULL, &b, "exec", "hist", "--", "echo", "second", NULL);
  run_cli (f, NULL, &c, "exec", "hist", "--", "echo", "third", NULL);

  run_cli (f, NULL, &history, "--json", "history", "hist", "--limit", "2", NULL);
  g_assert_cmpint (history.status, ==, 0);
  records = parse_json (history.out);
  array = json_node_get_array (records);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "input"), ==, "echo third");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "input"), ==, "echo second");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "stdout"), ==, "third\n");

  run_cli (f, NULL, &table, "history", "hist", NULL);
  g_assert_nonnull (strstr (table.out, "STATUS"));
  g_assert_nonnull (strstr (table.out, "echo first"));
}

/* The suite's keyring is shared by the test programs that run at the same time, and the app's
 * Preferences case stores and clears the E2B key. So this case stores the key of a custom
 * endpoint (a loopback URL nothing listens on), an item no other test touches. */
#define KEY_TEST_ENDPOINT "http://127.0.0.1:9/cli-key-test"

static void
test_key (Fixture *f, gconstpointer data)
{
  const char *key = "e2b_cli_test_key_4f0c2a";
  g_auto(Run) set = { 0 };
  g_auto(Run) clear = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *stored;

  run_cli (f, key, &set, "key", "set", "--endpoint", KEY_TEST_ENDPOINT, NULL);
  g_assert_cmpint (set.status, ==, 0);
  g_assert_null (strstr (set.out, key));
  g_assert_null (strstr (set.err, key));
  cc_keyring_lookup_async (KEY_TEST_ENDPOINT, NULL, cc_test_store_result_cb, &result);
  stored = cc_keyring_lookup_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, key);
  cc_keyring_key_free (stored);
  g_clear_object (&result);

  run_cli (f, NULL, &clear, "key", "clear", "--endpoint", KEY_TEST_ENDPOINT, NULL);
  g_assert_cmpint (clear.status, ==, 0);
  cc_keyring_lookup_async (KEY_TEST_ENDPOINT, NULL, cc_test_store_result_cb, &result);
  stored = cc_keyring_lookup_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_null (stored);
}

/* A Secret Service that takes every request and never answers: the fault a locked keyring
 * with an unanswerable prompt, or a stuck daemon, looks like from the client. Method calls
 * are dropped before GDBus sees them, so no reply ever goes out. */
static GDBusMessage *
drop_method_calls (GDBusConnection *connection,
                   GDBusMessage    *message,
                   gboolean         incoming,
                   gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL;
    }
  return message;
}

static void
test_key_no_answer (Fixture *f, gconstpointer data)
{
  const char *daemon_argv[] = { "dbus-daemon", "--session", "--nofork", "--nopidfile",
                                "--print-address=1", NULL };
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(Run) set = { 0 };
  guint32 owned;

  /* A bus of its own, so the suite's real keyring is not disturbed. */
  daemon = g_subprocess_newv (daemon_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  address = g_data_input_stream_read_line_finish_utf8 (lines, cc_test_wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_clear_object (&result);

  g_dbus_connection_new_for_address (address,
                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                     NULL, NULL, cc_test_store_result_cb, &result);
  connection = g_dbus_connection_new_for_address_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_dbus_connection_add_filter (connection, drop_method_calls, NULL, NULL);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "RequestName",
                          g_variant_new ("(su)", "org.freedesktop.secrets", 0x4),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          cc_test_store_result_cb, &result);
  reply = g_dbus_connection_call_finish (connection, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &owned);
  g_assert_cmpuint (owned, ==, 1);   /* DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER */

  /* The CLI must give up on its own, with words a person can act on. */
  env = g_strdupv (f->env);
  env = g_environ_setenv (env, "DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  env = g_environ_setenv (env, "CODE_CANVAS_KEYRING_TIMEOUT", "2", TRUE);
  g_ptr_array_add (argv, (char *) g_getenv ("CODE_CANVAS_CLI"));
  g_ptr_array_add (argv, (char *) "key");
  g_ptr_array_add (argv, (char *) "set");
  g_ptr_array_add (argv, NULL);
  set.status = cc_test_run_command ((const char * const *) argv->pdata, (const char * const *) env,
                                    "e2b_never_stored_0123", &set.out, &set.err);
  g_test_message ("key set: exit %d; stderr: %s", set.status, set.err);
  g_assert_cmpint (set.status, !=, 0);
  g_assert_nonnull (strstr (set.err, "The keyring did not answer. Is it locked, or is no Secret Service running?"));
  g_assert_null (strstr (set.err, "e2b_never_stored_0123"));

  g_dbus_connection_close_sync (connection, NULL, NULL);
  g_subprocess_force_exit (daemon);
  g_clear_object (&result);
  g_subprocess_wait_async (daemon, NULL, cc_test_store_result_cb, &result);
  g_subprocess_wait_finish (daemon, cc_test_wait_result (&result), NULL);
}

static void
test_engine (Fixture *f, gconstpointer data)
{
  g_auto(Run) status = { 0 };
  g_auto(Run) env = { 0 };
  g_autoptr(JsonNode) node = NULL;

  run_cli (f, NULL, &status, "--json", "engine", "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  node = parse_json (status.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "running"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "url"), ==,
                   cc_test_engine_get_url (f->engine));

  run_cli (f, NULL, &env, "engine", "env", NULL);
  g_assert_cmpint (env.status, ==, 0);
  g_assert_nonnull (strstr (env.out, "E2B_API_URL="));
  g_assert_nonnull (strstr (env.out, cc_test_engine_get_url (f->engine)));
}

/* An engine that lacks a part of its isolation says which in `engine status`. */
static void
test_engine_missing (Fixture *f, gconstpointer data)
{
  g_auto(Run) status = { 0 };

  run_cli (f, NULL, &status, "engine", "status", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "Missing: "));
  g_assert_nonnull (strstr (status.out, "CODE_CANVAS_ENGINE_NO_BWRAP"));
}

static void
test_sandbox (Fixture *f, gconstpointer data)
{
  g_auto(Run) warm = { 0 };
  g_auto(Run) status = { 0 };
  g_auto(Run) kill = { 0 };
  g_auto(Run) again = { 0 };

  create_project (f, "box", "blank");
  run_cli (f, NULL, &warm, "exec", "box", "--", "echo keep > keep.txt", NULL);
  g_assert_cmpint (warm.status, ==, 0);
  run_cli (f, NULL, &status, "sandbox", "status", "box", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "running"));
  run_cli (f, NULL, &kill, "sandbox", "kill", "box", NULL);
  g_assert_cmpint (kill.status, ==, 0);
  /* A new sandbox, and the command still runs in it. */
  run_cli (f, NULL, &again, "exec", "box", "--", "echo alive", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, "alive\n");
}

/* After "sync", what a command wrote is in the workspace folder "project info" names, whether
 * the engine mounts it (a regular user) or the folder is mirrored (an engine running as root
 * does not mount root's folders). */
/* The workspace folder "project info" names. */
static char *
workspace_of (Fixture    *f,
              const char *name)
{
  g_auto(Run) info = { 0 };
  const char *line;

  run_cli (f, NULL, &info, "project", "info", name, NULL);
  g_assert_cmpint (info.status, ==, 0);
  line = strstr (info.out, "Workspace:");
  g_assert_nonnull (line);
  line += strlen ("Workspace:");
  while (*line == ' ')
    line++;
  return g_strndup (line, strcspn (line, "\n"));
}

/* On a terminal, a sync that moves a file says how far it is (stderr, one line). */
static void
test_sync_tty (Fixture *f, gconstpointer data)
{
  g_auto(Run) exec = { 0 };
  g_auto(Run) sync = { 0 };
  g_autofree char *workspace = NULL;
  g_autofree char *big = NULL;
  g_autofree char *data_text = g_strnfill (4 * 1024 * 1024, 'b');
  g_autofree char *quoted = g_shell_quote (g_getenv ("CODE_CANVAS_CLI"));
  g_autofree char *command = g_strdup_printf ("%s sync tty", quoted);
  const char *argv[] = { "script", "-qec", command, "/dev/null", NULL };

  create_project (f, "tty", "blank");
  run_cli (f, NULL, &exec, "exec", "tty", "--", "true", NULL);
  g_assert_cmpint (exec.status, ==, 0);
  workspace = workspace_of (f, "tty");
  big = g_build_filename (workspace, "big.txt", NULL);
  g_assert_true (g_file_set_contents (big, data_text, -1, NULL));

  sync.status = cc_test_run_command (argv, (const char * const *) f->env, NULL, &sync.out, &sync.err);
  g_assert_cmpint (sync.status, ==, 0);
  if (strstr (sync.out, "Sync state: mounted") != NULL)
    {
      g_test_skip ("the engine mounts the workspace here: nothing travels");
      return;
    }
  g_assert_nonnull (strstr (sync.out, "\rSyncing 100 %\r\n"));
  g_assert_nonnull (strstr (sync.out, "Sync state: synced"));
}

static void
test_sync (Fixture *f, gconstpointer data)
{
  g_auto(Run) exec = { 0 };
  g_auto(Run) sync = { 0 };
  g_auto(Run) json = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *made = NULL;
  g_autofree char *text = NULL;
  const char *state;

  create_project (f, "mirror", "blank");
  run_cli (f, NULL, &exec, "exec", "mirror", "--", "echo synced > made.txt", NULL);
  g_assert_cmpint (exec.status, ==, 0);
  run_cli (f, NULL, &sync, "sync", "mirror", NULL);
  g_assert_cmpint (sync.status, ==, 0);
  g_assert_true (g_str_has_prefix (sync.out, "Sync state: "));
  run_cli (f, NULL, &json, "--json", "sync", "mirror", NULL);
  g_assert_cmpint (json.status, ==, 0);
  node = parse_json (json.out);
  state = json_object_get_string_member (json_node_get_object (node), "state");
  g_assert_true (g_strcmp0 (state, "mounted") == 0 || g_strcmp0 (state, "synced") == 0);

  workspace = workspace_of (f, "mirror");
  made = g_build_filename (workspace, "made.txt", NULL);
  g_assert_true (g_file_get_contents (made, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "synced\n");
}

int
main (int   argc,
      char *argv[])
{
  static const char * const unisolated[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/cli/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("help", test_help);
  ADD ("project", test_project);
  ADD ("exec", test_exec);
  ADD ("files", test_files);
  ADD ("setup-dev", test_setup_dev);
  ADD ("folder-project", test_folder_project);
  ADD ("history", test_history);
  ADD ("key", test_key);
  ADD ("key-no-answer", test_key_no_answer);
  ADD ("engine", test_engine);
  g_test_add ("/cli/engine-missing", Fixture, unisolated, fixture_setup, test_engine_missing,
              fixture_teardown);
  ADD ("sandbox", test_sandbox);
  ADD ("sync", test_sync);
  ADD ("sync-tty", test_sync_tty);

  return g_test_run ();
}
