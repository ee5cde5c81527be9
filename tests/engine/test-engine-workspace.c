/* test-engine-workspace.c: a project's folder mounted as a sandbox's home
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The workspace is the person's folder: what a command or an upload writes is there at once,
 * what the person writes there is what the next command sees, and killing the sandbox leaves it
 * alone. Folders that must never be mounted are refused.
 */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-protojson.h"
#include "engine-core-client.h"
#include "cc-test-util.h"

static CcTestEngine *engine;
static SoupSession *session;

/* A fresh workspace. A root engine mounts only folders of a regular user (it runs the sandbox
 * as their owner), so under root the folder is given to nobody. */
static char *
make_workspace (void)
{
  char *dir = cc_test_make_tmpdir ("ws");

  if (geteuid () == 0)
    g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
  return dir;
}

static char *
create_body (const char *workspace)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "templateID");
  json_builder_add_string_value (builder, "base");
  json_builder_set_member_name (builder, "codeCanvasWorkspace");
  json_builder_add_string_value (builder, workspace);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_mounted (void)
{
  g_autofree char *ws = make_workspace ();
  g_autofree char *body = create_body (ws);
  g_autofree char *pre = g_build_filename (ws, "pre.txt", NULL);
  g_autofree char *made = g_build_filename (ws, "made.txt", NULL);
  g_autofree char *uploaded = g_build_filename (ws, "sub", "up.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(EcReply) reply = NULL;
  g_autoptr(EcReply) listing = NULL;
  g_autoptr(EcReply) killed = NULL;
  g_autofree char *url = NULL;
  g_autofree char *tmp_parent = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *kill_path = NULL;
  g_autoptr(GFile) tmp_file = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  gboolean changed = FALSE;
  struct stat ws_st, st;

  g_assert_true (g_file_set_contents (pre, "from the person\n", -1, NULL));
  sandbox = ec_sandbox_new (engine, session, body);

  /* The person's file is what the command reads; what the command writes is on disk at once. */
  run = ec_run (sandbox, "cat /home/user/pre.txt && echo made > /home/user/made.txt", NULL);
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  g_assert_cmpstr (run->stdout_text->str, ==, "from the person\n");
  g_assert_true (g_file_get_contents (made, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "made\n");
  g_assert_cmpint (stat (ws, &ws_st), ==, 0);
  g_assert_cmpint (stat (made, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, ws_st.st_uid);

  /* Uploads and listings work on the mounted home. */
  url = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/sub/up.txt", NULL);
  {
    const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };

    reply = ec_request (session, "POST", url, "application/octet-stream", "uploaded", 8, headers);
  }
  g_assert_cmpuint (reply->status, ==, 200);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (uploaded, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "uploaded");
  listing = ec_unary (sandbox, "/filesystem.Filesystem/ListDir", "{\"path\":\"/home/user\"}", "user");
  g_assert_cmpuint (listing->status, ==, 200);

  /* Killing the sandbox removes its /tmp and never the workspace. */
  tmp_dir = g_build_filename (cc_test_engine_get_data_dir (engine), "tmp", sandbox->id, NULL);
  g_assert_true (g_file_test (tmp_dir, G_FILE_TEST_IS_DIR));
  tmp_parent = g_path_get_dirname (tmp_dir);
  tmp_file = g_file_new_for_path (tmp_parent);
  monitor = g_file_monitor_directory (tmp_file, G_FILE_MONITOR_NONE, NULL, NULL);
  g_assert_nonnull (monitor);
  g_signal_connect (monitor, "changed", G_CALLBACK (monitor_changed_cb), &changed);
  kill_path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  killed = ec_api (engine, session, "DELETE", kill_path, NULL);
  g_assert_cmpuint (killed->status, ==, 204);
  CC_TEST_WAIT_FOR (!g_file_test (tmp_dir, G_FILE_TEST_EXISTS) || (changed && (changed = FALSE)),
                    "the sandbox's files to go");
  CC_TEST_WAIT_FOR (!g_file_test (tmp_dir, G_FILE_TEST_EXISTS), "the sandbox's /tmp to go");
  g_assert_true (g_file_test (pre, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (uploaded, G_FILE_TEST_IS_REGULAR));

  /* A new sandbox on the same folder sees everything, with nothing copied. */
  {
    g_autoptr(EcSandbox) again = ec_sandbox_new (engine, session, body);
    g_autoptr(EcRun) second = ec_run (again, "cat made.txt sub/up.txt", NULL);

    g_assert_cmpstr (second->stdout_text->str, ==, "made\nuploaded");
  }
  cc_test_rm_rf (ws);
}

/* The engine survives a workspace that disappears: commands fail with a message, nothing else. */
static void
test_gone (void)
{
  g_autofree char *ws = make_workspace ();
  g_autofree char *body = create_body (ws);
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, body);
  g_autofree char *start = ec_start_body ("true", FALSE, NULL);
  g_autoptr(EcStream) stream = NULL;
  g_autoptr(EcReply) status = NULL;

  cc_test_rm_rf (ws);
  stream = ec_stream_open (sandbox, "/process.Process/Start", start, NULL, NULL);
  {
    g_autoptr(EcRun) run = ec_stream_collect_after_start (stream);

    /* Either way, no process ran and an error came back. */
    g_assert_true (run->eos_error != NULL || ec_stream_get_status (stream) != 200);
  }
  status = ec_api (engine, session, "GET", "/sandboxes", NULL);
  g_assert_cmpuint (status->status, ==, 200);
}

static void
assert_refused (const char *path)
{
  g_autofree char *body = create_body (path);
  g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/sandboxes", body);

  g_test_message ("%s: %u %.*s", path, reply->status,
                  (int) g_bytes_get_size (reply->body), (const char *) g_bytes_get_data (reply->body, NULL));
  g_assert_cmpuint (reply->status, ==, 400);
}

static void
test_refused (void)
{
  g_autofree char *ws = make_workspace ();
  g_autofree char *link = g_strconcat (ws, "-link", NULL);
  g_autofree char *inner = g_build_filename (ws, "inner", NULL);
  g_autofree char *through_link = g_build_filename (link, "inner", NULL);
  g_autofree char *data_parent = g_path_get_dirname (cc_test_engine_get_data_dir (engine));
  g_autofree char *in_data = g_build_filename (cc_test_engine_get_data_dir (engine), "state", NULL);
  g_autofree char *dotdot = g_build_filename (ws, "..", NULL);
  g_autofree char *missing = g_build_filename (ws, "missing", NULL);
  g_autofree char *file = g_build_filename (ws, "file", NULL);

  g_assert_cmpint (g_mkdir (inner, 0755), ==, 0);
  g_assert_cmpint (symlink (ws, link), ==, 0);
  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  assert_refused (link);
  assert_refused (through_link);
  assert_refused ("/");
  assert_refused (cc_test_engine_get_data_dir (engine));
  assert_refused (data_parent);
  assert_refused (in_data);
  assert_refused (cc_test_engine_get_runtime_dir (engine));
  assert_refused (cc_test_engine_get_home_dir (engine));
  assert_refused ("relative/path");
  assert_refused (dotdot);
  assert_refused (missing);
  assert_refused (file);
  g_unlink (link);
  cc_test_rm_rf (ws);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/workspace/mounted", test_mounted);
  g_test_add_func ("/engine/workspace/gone", test_gone);
  g_test_add_func ("/engine/workspace/refused", test_refused);
  return ec_test_run (&engine, &session, 0);
}
