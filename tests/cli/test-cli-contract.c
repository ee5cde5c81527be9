/* test-cli-contract.c: code-canvas-cli refuses what it cannot do and says what it did
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real binary against a private engine, the real keyring and the real SQLite file: wrong
 * values get a clear message and exit 2, names stay unique, exec runs what was typed, errors
 * point at what to do, a re-created sandbox is announced, and the app's settings hold.
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-connection.h"
#include "cc-control-plane.h"
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
  f->engine = cc_test_engine_new ();
  f->env = cc_test_engine_dup_environ (f->engine);
  f->tmpdir = cc_test_make_tmpdir ("cc-cli-contract");
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

static void
run_cli_env (char       **env,
             const char  *input,
             Run         *run,
             va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("CODE_CANVAS_CLI");
  const char *arg;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  run->status = cc_test_run_command ((const char * const *) argv->pdata, (const char * const *) env, input,
                                     &run->out, &run->err);
  g_test_message ("cli exit %d; stdout: %s; stderr: %s", run->status, run->out, run->err);
}

/* Runs code-canvas-cli with the fixture's environment and @args (NULL-terminated). */
static void
run_cli (Fixture    *f,
         const char *input,
         Run        *run,
         ...)
{
  va_list ap;

  va_start (ap, run);
  run_cli_env (f->env, input, run, ap);
  va_end (ap);
}

static void
run_cli_in (char       **env,
            const char  *input,
            Run         *run,
            ...)
{
  va_list ap;

  va_start (ap, run);
  run_cli_env (env, input, run, ap);
  va_end (ap);
}

static JsonObject *
parse_object (const char *text,
              JsonNode  **keep)
{
  g_autoptr(GError) error = NULL;

  *keep = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*keep);
  return json_node_get_object (*keep);
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
}

static char *
project_field (Fixture    *f,
               const char *name,
               const char *field)
{
  g_auto(Run) info = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  run_cli (f, NULL, &info, "--json", "project", "info", name, NULL);
  g_assert_cmpint (info.status, ==, 0);
  object = parse_object (info.out, &node);
  if (JSON_NODE_HOLDS_VALUE (json_object_get_member (object, field)) &&
      json_node_get_value_type (json_object_get_member (object, field)) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (object, field));
  return g_strdup (json_object_get_string_member (object, field));
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* ---- key set with nothing to store -------------------------------------------------------- */

static void
test_key_empty (Fixture *f, gconstpointer data)
{
  g_auto(Run) empty = { 0 };
  g_auto(Run) blank = { 0 };

  /* The custom endpoint keeps the suite's shared E2B key item out of it. */
  run_cli (f, "", &empty, "key", "set", "--endpoint", "http://127.0.0.1:9/cli-empty-key", NULL);
  g_assert_cmpint (empty.status, ==, 2);
  g_assert_nonnull (strstr (empty.err, "No key was given"));
  g_assert_null (strstr (empty.err, "CRITICAL"));

  run_cli (f, "  \n\t\n", &blank, "key", "set", "--endpoint", "http://127.0.0.1:9/cli-empty-key", NULL);
  g_assert_cmpint (blank.status, ==, 2);
  g_assert_nonnull (strstr (blank.err, "No key was given"));
}

/* ---- project update: every field validated --------------------------------------------- */

static void
expect_refused (Fixture    *f,
                const char *option,
                const char *value,
                const char *words)
{
  g_auto(Run) run = { 0 };

  run_cli (f, NULL, &run, "project", "update", "val", option, value, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, words));
  g_assert_null (strstr (run.err, "CRITICAL"));
  g_assert_null (strstr (run.out, "Updated project"));
}

static void
test_project_update_validation (Fixture *f, gconstpointer data)
{
  g_autofree char *port_before = NULL;
  g_autofree char *port_after = NULL;
  g_autofree char *name_after = NULL;
  g_auto(Run) good = { 0 };

  create_project (f, "val", "blank");
  port_before = project_field (f, "val", "port");

  expect_refused (f, "--port", "99999", "65535");
  expect_refused (f, "--port", "0", "65535");
  expect_refused (f, "--port", "-5", "65535");
  expect_refused (f, "--name", "   ", "needs a name");
  expect_refused (f, "--name", "two\nlines", "control characters");
  expect_refused (f, "--sandbox-url", "not a url!", "domain");
  expect_refused (f, "--setup-command", "   ", "setup command is blank");
  expect_refused (f, "--start-command", " \t ", "start command is blank");

  port_after = project_field (f, "val", "port");
  g_assert_cmpstr (port_after, ==, port_before);
  name_after = project_field (f, "val", "name");
  g_assert_cmpstr (name_after, ==, "val");

  run_cli (f, NULL, &good, "project", "update", "val", "--port", "8123", "--sandbox-url", "sandbox.example.com", NULL);
  g_assert_cmpint (good.status, ==, 0);
  g_clear_pointer (&port_after, g_free);
  port_after = project_field (f, "val", "port");
  g_assert_cmpstr (port_after, ==, "8123");
}

/* ---- duplicate names ------------------------------------------------------------------- */

static void
test_duplicate_names (Fixture *f, gconstpointer data)
{
  g_autofree char *first_id = NULL;
  g_auto(Run) again = { 0 };
  g_auto(Run) padded = { 0 };
  g_auto(Run) rename = { 0 };
  g_auto(Run) same = { 0 };
  g_auto(Run) list = { 0 };
  g_autoptr(JsonNode) node = NULL;

  create_project (f, "dup", "blank");
  first_id = project_field (f, "dup", "id");

  run_cli (f, NULL, &again, "project", "create", "dup", NULL);
  g_assert_cmpint (again.status, !=, 0);
  g_assert_nonnull (strstr (again.err, first_id));
  g_assert_nonnull (strstr (again.err, "already named"));

  /* " dup " is the same name to a reader. */
  run_cli (f, NULL, &padded, "project", "create", " dup ", NULL);
  g_assert_cmpint (padded.status, !=, 0);
  g_assert_nonnull (strstr (padded.err, first_id));

  create_project (f, "other", "blank");
  run_cli (f, NULL, &rename, "project", "update", "other", "--name", "dup", NULL);
  g_assert_cmpint (rename.status, !=, 0);
  g_assert_nonnull (strstr (rename.err, first_id));

  /* Keeping one's own name is no clash. */
  run_cli (f, NULL, &same, "project", "update", "dup", "--name", "dup", "--port", "8124", NULL);
  g_assert_cmpint (same.status, ==, 0);

  run_cli (f, NULL, &list, "--json", "project", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  node = json_from_string (list.out, NULL);
  g_assert_nonnull (node);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 2);
}

/* ---- sandbox extend -------------------------------------------------------------------- */

static void
test_sandbox_extend (Fixture *f, gconstpointer data)
{
  g_auto(Run) warm = { 0 };
  g_auto(Run) zero = { 0 };
  g_auto(Run) negative = { 0 };
  g_auto(Run) extend = { 0 };
  g_auto(Run) pause = { 0 };
  g_auto(Run) paused = { 0 };
  g_auto(Run) status = { 0 };

  create_project (f, "ext", "blank");
  run_cli (f, NULL, &warm, "exec", "ext", "--", "true", NULL);
  g_assert_cmpint (warm.status, ==, 0);

  run_cli (f, NULL, &zero, "sandbox", "extend", "ext", "-s", "0", NULL);
  g_assert_cmpint (zero.status, ==, 2);
  g_assert_nonnull (strstr (zero.err, "--seconds"));
  run_cli (f, NULL, &negative, "sandbox", "extend", "ext", "-s", "-5", NULL);
  g_assert_cmpint (negative.status, ==, 2);
  g_assert_nonnull (strstr (negative.err, "--seconds"));

  run_cli (f, NULL, &extend, "sandbox", "extend", "ext", "-s", "900", NULL);
  g_assert_cmpint (extend.status, ==, 0);
  g_assert_nonnull (strstr (extend.out, "runs until"));

  run_cli (f, NULL, &pause, "sandbox", "pause", "ext", NULL);
  g_assert_cmpint (pause.status, ==, 0);
  run_cli (f, NULL, &paused, "sandbox", "extend", "ext", NULL);
  g_assert_cmpint (paused.status, ==, 1);
  g_assert_nonnull (strstr (paused.err, "paused"));
  g_assert_nonnull (strstr (paused.err, "sandbox resume ext"));
  /* And it stayed paused: nothing was done behind the refusal. */
  run_cli (f, NULL, &status, "sandbox", "status", "ext", NULL);
  g_assert_cmpint (status.status, ==, 0);
  g_assert_nonnull (strstr (status.out, "paused"));
}

/* ---- exec quoting ---------------------------------------------------------------------- */

static void
test_exec_quoting (Fixture *f, gconstpointer data)
{
  g_auto(Run) words = { 0 };
  g_auto(Run) line = { 0 };
  g_auto(Run) check = { 0 };
  g_auto(Run) recorded = { 0 };
  g_autoptr(JsonNode) node = NULL;

  create_project (f, "q", "blank");
  /* Several words: run exactly as typed; "d;e" is an argument, not two commands. */
  run_cli (f, NULL, &words, "exec", "q", "--", "printf", "%s\\n", "a", "b c", "d;e", "$HOME", NULL);
  g_assert_cmpint (words.status, ==, 0);
  g_assert_cmpstr (words.out, ==, "a\nb c\nd;e\n$HOME\n");
  /* Recorded as a shell would need it typed; plain words stay plain. */
  run_cli (f, NULL, &recorded, "--json", "history", "q", "--limit", "1", NULL);
  g_assert_cmpint (recorded.status, ==, 0);
  node = json_from_string (recorded.out, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (node), 0),
                                                  "input"), ==, "printf '%s\\n' a 'b c' 'd;e' '$HOME'");

  /* One word: a shell command line. */
  run_cli (f, NULL, &line, "exec", "q", "--", "echo one; echo two | tr a-z A-Z", NULL);
  g_assert_cmpint (line.status, ==, 0);
  g_assert_cmpstr (line.out, ==, "one\nTWO\n");

  run_cli (f, NULL, &check, "exec", "q", "--help", NULL);
  g_assert_nonnull (strstr (check.out, "One word after"));
}

/* ---- engine status with no engine ------------------------------------------------------ */

static void
test_engine_down (Fixture *f, gconstpointer data)
{
  g_autofree char *runtime = g_build_filename (f->tmpdir, "run", NULL);
  g_auto(GStrv) env = g_strdupv (f->env);
  g_auto(Run) status = { 0 };

  /* No engine.json where the CLI looks: the engine is not running, as far as it can tell. */
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime, TRUE);
  run_cli_in (env, NULL, &status, "engine", "status", NULL);
  g_assert_cmpint (status.status, ==, 1);
  g_assert_cmpuint (count (status.out, "not running"), ==, 1);
  g_assert_cmpuint (count (status.out, "\n"), ==, 1);
}

/* ---- error hints: 401 on a custom endpoint, 403 for a path outside --------------------- */

static void
test_error_hints (Fixture *f, gconstpointer data)
{
  const char *url = cc_test_engine_get_url (f->engine);
  g_auto(Run) outside = { 0 };
  g_auto(Run) key = { 0 };
  g_auto(Run) custom = { 0 };
  g_auto(Run) refused = { 0 };
  g_auto(Run) clear = { 0 };

  create_project (f, "hints", "blank");
  run_cli (f, NULL, &outside, "read", "hints", "/etc/passwd", NULL);
  g_assert_cmpint (outside.status, ==, 1);
  g_assert_nonnull (strstr (outside.err, "outside the sandbox"));
  g_assert_null (strstr (outside.err, "API key"));

  /* The engine itself, reached as a custom endpoint with a key it does not know. The key item
   * is named by this engine's own URL, which no other test uses. */
  run_cli (f, "e2b_wrong_key_for_this_engine", &key, "key", "set", "--endpoint", url, NULL);
  g_assert_cmpint (key.status, ==, 0);
  run_cli (f, NULL, &custom, "project", "create", "elsewhere", "--connection", "custom", "--api-url", url, NULL);
  g_assert_cmpint (custom.status, ==, 0);
  run_cli (f, NULL, &refused, "exec", "elsewhere", "--", "true", NULL);
  g_assert_cmpint (refused.status, ==, 1);
  g_assert_nonnull (strstr (refused.err, "key set --endpoint"));
  g_assert_nonnull (strstr (refused.err, url));
  run_cli (f, NULL, &clear, "key", "clear", "--endpoint", url, NULL);
  g_assert_cmpint (clear.status, ==, 0);
}

/* ---- a re-created sandbox is announced ------------------------------------------------- */

static void
kill_on_engine (Fixture    *f,
                const char *sandbox_id)
{
  g_autoptr(CcConnection) connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                                                cc_test_engine_get_api_key (f->engine));
  g_autoptr(CcControlPlane) api = cc_control_plane_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_control_plane_kill_async (api, sandbox_id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_kill_finish (api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

static void
test_recreate_line (Fixture *f, gconstpointer data)
{
  g_auto(Run) setup = { 0 };
  g_auto(Run) warm = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) third = { 0 };
  g_autofree char *sandbox_id = NULL;

  create_project (f, "re", "blank");
  run_cli (f, NULL, &setup, "project", "update", "re", "--setup-command", "echo setup-ran > setup.txt", NULL);
  g_assert_cmpint (setup.status, ==, 0);
  run_cli (f, NULL, &warm, "exec", "re", "--no-cache", "--", "echo first", NULL);
  g_assert_cmpint (warm.status, ==, 0);
  g_assert_null (strstr (warm.err, "had ended"));
  sandbox_id = project_field (f, "re", "sandbox_id");
  g_assert_nonnull (sandbox_id);

  kill_on_engine (f, sandbox_id);
  run_cli (f, NULL, &again, "exec", "re", "--no-cache", "--", "cat setup.txt", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, "setup-ran\n");
  g_assert_cmpuint (count (again.err, "had ended"), ==, 1);
  /* A root engine does not mount a root-owned workspace: the files go up again, and the setup
   * re-runs. Otherwise the workspace is mounted and holds setup.txt already. */
  if (geteuid () == 0)
    {
      g_assert_nonnull (strstr (again.err, "echo setup-ran > setup.txt"));
      g_assert_nonnull (strstr (again.err, "uploaded again"));
    }
  else
    g_assert_nonnull (strstr (again.err, "set up from the workspace"));

  /* The new sandbox lives: no line the next time. */
  run_cli (f, NULL, &third, "exec", "re", "--no-cache", "--", "true", NULL);
  g_assert_cmpint (third.status, ==, 0);
  g_assert_null (strstr (third.err, "had ended"));
}

/* ---- the workspace folder ------------------------------------------------------------- */

static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* A project made from a folder runs its commands in that folder, live: what they write is there
 * at once, an edit made there is what the next command sees, a killed sandbox takes nothing
 * with it, and the re-create says what it did (the install step again only when its folder is
 * gone). */
static void
test_workspace_folder (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->tmpdir, "live", NULL);
  g_autofree char *node_modules = g_build_filename (dir, "node_modules", NULL);
  g_autofree char *port = g_strdup_printf ("%u", cc_test_free_port ());
  g_autofree char *sandbox_id = NULL;
  g_autofree char *text = NULL;
  g_auto(Run) create = { 0 };
  g_auto(Run) update = { 0 };
  g_auto(Run) first = { 0 };
  g_auto(Run) written = { 0 };
  g_auto(Run) info = { 0 };
  g_auto(Run) deps = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) reinstall = { 0 };
  g_auto(Run) history = { 0 };

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  /* An engine running as root mounts only a regular user's folder, and runs the sandbox as them. */
  if (geteuid () == 0)
    g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  write_text (dir, "hello.txt", "hello\n");
  write_text (dir, "package.json", "{}\n");

  run_cli (f, NULL, &create, "project", "create", "live", "--folder", dir, "--port", port, NULL);
  g_assert_cmpint (create.status, ==, 0);
  run_cli (f, NULL, &update, "project", "update", "live", "--setup-command",
           "mkdir -p node_modules && echo installed >> install.log", NULL);
  g_assert_cmpint (update.status, ==, 0);

  run_cli (f, NULL, &first, "exec", "live", "--no-cache", "--", "cat hello.txt && echo made > made.txt", NULL);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpstr (first.out, ==, "hello\n");
  text = read_text (dir, "made.txt");
  g_assert_cmpstr (text, ==, "made\n");
  g_clear_pointer (&text, g_free);

  /* An editor's save (the client's write) lands in the folder too. */
  run_cli (f, "noted\n", &written, "write", "live", "notes.txt", NULL);
  g_assert_cmpint (written.status, ==, 0);
  text = read_text (dir, "notes.txt");
  g_assert_cmpstr (text, ==, "noted\n");
  g_clear_pointer (&text, g_free);

  run_cli (f, NULL, &info, "project", "info", "live", NULL);
  g_assert_cmpint (info.status, ==, 0);
  g_assert_nonnull (strstr (info.out, "Workspace:"));
  g_assert_nonnull (strstr (info.out, dir));

  run_cli (f, NULL, &deps, "exec", "live", "--no-cache", "--", "mkdir -p node_modules", NULL);
  g_assert_cmpint (deps.status, ==, 0);
  sandbox_id = project_field (f, "live", "sandbox_id");
  kill_on_engine (f, sandbox_id);
  g_clear_pointer (&sandbox_id, g_free);
  g_assert_true (g_file_test (node_modules, G_FILE_TEST_IS_DIR));

  /* The person edits the folder while no sandbox runs. */
  write_text (dir, "edited.txt", "edited\n");
  run_cli (f, NULL, &again, "exec", "live", "--no-cache", "--", "cat made.txt notes.txt edited.txt", NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, "made\nnoted\nedited\n");
  g_assert_cmpuint (count (again.err, "had ended"), ==, 1);
  g_assert_nonnull (strstr (again.err, "set up from the workspace"));
  g_assert_null (strstr (again.err, "ran again"));
  g_assert_null (read_text (dir, "install.log"));

  /* Without its dependency folder, the install step runs again, and says so. */
  cc_test_rm_rf (node_modules);
  sandbox_id = project_field (f, "live", "sandbox_id");
  kill_on_engine (f, sandbox_id);
  run_cli (f, NULL, &reinstall, "exec", "live", "--no-cache", "--", "cat install.log", NULL);
  g_assert_cmpint (reinstall.status, ==, 0);
  g_assert_cmpstr (reinstall.out, ==, "installed\n");
  g_assert_nonnull (strstr (reinstall.err, "set up from the workspace"));
  g_assert_nonnull (strstr (reinstall.err, "mkdir -p node_modules && echo installed >> install.log"));
  g_assert_nonnull (strstr (reinstall.err, "ran again"));

  run_cli (f, NULL, &history, "history", "live", NULL);
  g_assert_cmpint (history.status, ==, 0);
  g_assert_cmpuint (count (history.out, "The sandbox had ended; a new one was set up"), ==, 2);

  /* Everything is still the person's. */
  text = read_text (dir, "hello.txt");
  g_assert_cmpstr (text, ==, "hello\n");
}

/* ---- one source of settings ------------------------------------------------------------ */

/* Makes every cached result of the store @seconds older, as the passing of time would. */
static void
age_cache (Fixture *f,
           guint    seconds)
{
  g_autofree char *db = g_build_filename (g_environ_getenv (f->env, "XDG_DATA_HOME"), "code-canvas",
                                          "code-canvas.db", NULL);
  g_autofree char *sql = g_strdup_printf ("UPDATE cache SET cached_at = cached_at - %u", seconds * 1000000);
  sqlite3 *handle = NULL;

  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  sqlite3_busy_timeout (handle, 10000);
  g_assert_cmpint (sqlite3_exec (handle, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (handle), >, 0);
  sqlite3_close (handle);
}

static gboolean
exec_cached (char      **env,
             const char *flag)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (flag != NULL)
    run_cli_in (env, NULL, &run, flag, "--json", "exec", "ttl", "--", "echo ttl", NULL);
  else
    run_cli_in (env, NULL, &run, "--json", "exec", "ttl", "--", "echo ttl", NULL);
  g_assert_cmpint (run.status, ==, 0);
  object = parse_object (run.out, &node);
  g_assert_cmpstr (json_object_get_string_member (object, "stdout"), ==, "ttl\n");
  return json_object_get_boolean_member (object, "cached");
}

static void
test_settings (Fixture *f, gconstpointer data)
{
  g_autofree char *config = g_build_filename (f->tmpdir, "config", NULL);
  g_autofree char *no_data = g_build_filename (f->tmpdir, "no-data", NULL);
  g_auto(GStrv) env = g_strdupv (f->env);
  g_auto(GStrv) bare = NULL;
  g_auto(Run) set = { 0 };
  g_auto(Run) get = { 0 };
  g_auto(Run) all = { 0 };
  g_auto(Run) bad_value = { 0 };
  g_auto(Run) bad_key = { 0 };
  g_auto(Run) bad_flag = { 0 };
  g_auto(Run) days = { 0 };
  g_auto(Run) history = { 0 };
  g_auto(Run) plain = { 0 };
  g_autoptr(JsonNode) node = NULL;
  JsonObject *record;
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) expires = NULL;

  g_assert_nonnull (g_getenv ("GSETTINGS_SCHEMA_DIR"));
  /* Settings that outlive one process, as the desktop's do: a key file of this test's own. */
  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);

  run_cli_in (env, NULL, &set, "config", "set", "cache-ttl", "3", NULL);
  g_assert_cmpint (set.status, ==, 0);
  run_cli_in (env, NULL, &get, "config", "get", "cache-ttl", NULL);
  g_assert_cmpint (get.status, ==, 0);
  g_assert_cmpstr (get.out, ==, "3\n");
  run_cli_in (env, NULL, &all, "config", "get", NULL);
  g_assert_cmpint (all.status, ==, 0);
  g_assert_nonnull (strstr (all.out, "cache-ttl 3\n"));
  g_assert_nonnull (strstr (all.out, "history-retention-days 7\n"));

  run_cli_in (env, NULL, &bad_value, "config", "set", "cache-ttl", "-1", NULL);
  g_assert_cmpint (bad_value.status, ==, 2);
  g_assert_nonnull (strstr (bad_value.err, "604800"));
  run_cli_in (env, NULL, &bad_key, "config", "set", "cache-tll", "3", NULL);
  g_assert_cmpint (bad_key.status, ==, 2);
  g_assert_nonnull (strstr (bad_key.err, "cache-ttl"));
  run_cli_in (env, NULL, &bad_flag, "--cache-ttl=soon", "project", "list", NULL);
  g_assert_cmpint (bad_flag.status, ==, 2);

  /* A hit is served within the lifetime and not after it; a flag overrides it for one run. */
  create_project (f, "ttl", "blank");
  g_assert_false (exec_cached (env, NULL));
  g_assert_true (exec_cached (env, "--cache-ttl=3600"));
  age_cache (f, 10);
  g_assert_false (exec_cached (env, NULL));
  age_cache (f, 10);
  g_assert_true (exec_cached (env, "--cache-ttl=3600"));

  /* History retention: the records written follow the setting. */
  run_cli_in (env, NULL, &days, "config", "set", "history-retention-days", "2", NULL);
  g_assert_cmpint (days.status, ==, 0);
  run_cli_in (env, NULL, &plain, "exec", "ttl", "--no-cache", "--", "true", NULL);
  g_assert_cmpint (plain.status, ==, 0);
  run_cli_in (env, NULL, &history, "--json", "history", "ttl", "--limit", "1", NULL);
  g_assert_cmpint (history.status, ==, 0);
  node = json_from_string (history.out, NULL);
  g_assert_nonnull (node);
  record = json_array_get_object_element (json_node_get_array (node), 0);
  created = g_date_time_new_from_iso8601 (json_object_get_string_member (record, "created_at"), NULL);
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (record, "expires_at"), NULL);
  g_assert_nonnull (created);
  g_assert_nonnull (expires);
  g_assert_cmpint (g_date_time_difference (expires, created) / G_TIME_SPAN_SECOND, >=, 2 * 86400 - 5);
  g_assert_cmpint (g_date_time_difference (expires, created) / G_TIME_SPAN_SECOND, <=, 2 * 86400 + 5);

  /* Without the schema anywhere, commands run on the defaults and say nothing about it. */
  bare = g_strdupv (f->env);
  bare = g_environ_unsetenv (bare, "GSETTINGS_SCHEMA_DIR");
  bare = g_environ_setenv (bare, "XDG_DATA_DIRS", no_data, TRUE);
  {
    g_auto(Run) list = { 0 };
    g_auto(Run) config_get = { 0 };

    run_cli_in (bare, NULL, &list, "project", "list", NULL);
    g_assert_cmpint (list.status, ==, 0);
    g_assert_cmpstr (list.err, ==, "");
    run_cli_in (bare, NULL, &config_get, "config", "get", NULL);
    g_assert_cmpint (config_get.status, ==, 1);
    g_assert_nonnull (strstr (config_get.err, "not installed"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/cli-contract/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("key-empty", test_key_empty);
  ADD ("project-update-validation", test_project_update_validation);
  ADD ("duplicate-names", test_duplicate_names);
  ADD ("sandbox-extend", test_sandbox_extend);
  ADD ("exec-quoting", test_exec_quoting);
  ADD ("engine-down", test_engine_down);
  ADD ("error-hints", test_error_hints);
  ADD ("recreate-line", test_recreate_line);
  ADD ("workspace-folder", test_workspace_folder);
  ADD ("settings", test_settings);

  return g_test_run ();
}
