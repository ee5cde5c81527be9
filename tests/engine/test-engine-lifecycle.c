/* test-engine-lifecycle.c: sandbox timeouts, auto-pause and engine restarts
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cc-protojson.h"
#include "engine-core-client.h"
#include "cc-test-util.h"

static SoupSession *session;

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin_for_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Waits (bounded) until GET /sandboxes/<id> answers @status, and for 200 with @state. */
static void
wait_for_state (CcTestEngine *engine,
                const char   *id,
                guint         status,
                const char   *state)
{
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", id);
  gint64 limit = g_get_monotonic_time () + cc_test_scaled_seconds (30) * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(EcReply) info = ec_api (engine, session, "GET", path, NULL);
      gboolean done = info->status == status &&
                      (state == NULL || g_strcmp0 (json_object_get_string_member (json_node_get_object (info->json), "state"), state) == 0);

      if (done)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      /* Poll the API at a modest rate; what is awaited is the engine's own timer. */
      spin_for_ms (50);
    }
}

static void
test_expiry_kills (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(JsonObject) created = ec_create_sandbox (engine, session, "{\"timeout\":1}");
  const char *id = json_object_get_string_member (created, "sandboxID");

  wait_for_state (engine, id, 404, NULL);
}

static void
test_expiry_auto_pause (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"timeout\":2,\"autoPause\":true}");
  g_autoptr(EcRun) write = ec_run (sandbox, "echo survived > ~/note.txt", NULL);
  g_autofree char *connect = g_strdup_printf ("/v2/sandboxes/%s/connect", sandbox->id);
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autoptr(EcReply) info = NULL;

  g_assert_cmpstr (write->stdout_text->str, ==, "");
  info = ec_api (engine, session, "GET", path, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (info->json), "lifecycle"), "onTimeout"), ==, "pause");

  wait_for_state (engine, sandbox->id, 200, "paused");
  {
    g_autoptr(EcReply) resumed = ec_api (engine, session, "POST", connect, "{\"timeout\":60}");
    g_autoptr(EcRun) read = NULL;

    g_assert_cmpuint (resumed->status, ==, 201);
    read = ec_run (sandbox, "cat ~/note.txt", NULL);
    g_assert_cmpstr (read->stdout_text->str, ==, "survived\n");
  }
}

static void
test_auto_resume (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"autoResume\":{\"enabled\":true}}");
  g_autofree char *pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  g_autoptr(EcReply) paused = ec_api (engine, session, "POST", pause, "{}");
  g_autoptr(EcRun) run = NULL;

  g_assert_cmpuint (paused->status, ==, 204);
  wait_for_state (engine, sandbox->id, 200, "paused");
  /* Traffic to the daemon wakes it up. */
  run = ec_run (sandbox, "echo awake", NULL);
  g_assert_cmpstr (run->stdout_text->str, ==, "awake\n");
  wait_for_state (engine, sandbox->id, 200, "running");
}

static void
test_restart (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session,
    "{\"timeout\":600,\"metadata\":{\"project\":\"p1\"},\"envVars\":{\"KEEP\":\"me\"}}");
  g_autoptr(EcSandbox) paused = ec_sandbox_new (engine, session, NULL);
  g_autoptr(EcRun) write = ec_run (sandbox, "echo persisted > ~/file.txt; mkdir -p ~/dir; echo x > /tmp/t.txt", NULL);
  g_autofree char *pause = g_strdup_printf ("/sandboxes/%s/pause", paused->id);
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autofree char *paused_path = g_strdup_printf ("/sandboxes/%s", paused->id);
  g_autoptr(EcReply) p = ec_api (engine, session, "POST", pause, "{}");
  g_autofree char *old_url = g_strdup (cc_test_engine_get_url (engine));

  g_assert_cmpuint (p->status, ==, 204);
  cc_test_engine_stop (engine);
  g_assert_false (g_file_test (cc_test_engine_get_json_path (engine), G_FILE_TEST_EXISTS));
  cc_test_engine_restart (engine);

  {
    g_autoptr(EcReply) info = ec_api (engine, session, "GET", path, NULL);
    g_autoptr(EcReply) info2 = ec_api (engine, session, "GET", paused_path, NULL);
    g_autoptr(EcRun) read = ec_run (sandbox, "cat ~/file.txt /tmp/t.txt; echo $KEEP", NULL);
    JsonObject *d;

    g_assert_cmpuint (info->status, ==, 200);
    d = json_node_get_object (info->json);
    g_assert_cmpstr (json_object_get_string_member (d, "state"), ==, "running");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (d, "metadata"), "project"), ==, "p1");
    /* The access token survives too: old clients keep working. */
    g_assert_cmpstr (json_object_get_string_member (d, "envdAccessToken"), ==, sandbox->token);
    g_assert_cmpstr (read->stdout_text->str, ==, "persisted\nx\nme\n");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info2->json), "state"), ==, "paused");
  }
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* The sandbox made ahead of the next create (bubblewrap only): a create takes it with its own
 * settings and a lifetime counted from the create; its folders go when the engine stops; and
 * empty folders of sandboxes the engine does not know (left by one that did not stop) go at its
 * start, while one holding anything stays. */
static void
test_made_ahead (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcReply) info = NULL;
  g_autofree char *homes = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", NULL);
  g_autofree char *tmps = g_build_filename (cc_test_engine_get_data_dir (engine), "tmp", NULL);
  g_autofree char *path = NULL;
  g_autofree char *left_home = g_build_filename (homes, "left0empty0home00000", NULL);
  g_autofree char *left_tmp = g_build_filename (tmps, "left0empty0home00000", NULL);
  g_autofree char *kept = g_build_filename (homes, "left0with0a0file0000", NULL);
  g_autofree char *kept_file = g_build_filename (kept, "notes.txt", NULL);
  g_autoptr(GDateTime) started = NULL;
  gint64 before_create;
  guint ticker;

  if (!g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap"))
    {
      g_test_skip ("bubblewrap does not work on this machine: nothing is made ahead");
      return;
    }
  ticker = g_timeout_add (20, tick_cb, NULL);
  CC_TEST_WAIT_FOR (g_file_test (homes, G_FILE_TEST_IS_DIR) && cc_test_count_entries (homes) == 1,
                    "the folder of the sandbox made ahead");
  /* Its lifetime is the create's, not the engine's: a second apart, whole seconds tell. */
  spin_for_ms (1100);
  before_create = g_get_real_time () / G_USEC_PER_SEC;
  sandbox = ec_sandbox_new (engine, session, "{\"metadata\":{\"project\":\"p2\"}}");
  path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  info = ec_api (engine, session, "GET", path, NULL);
  g_assert_cmpuint (info->status, ==, 200);
  started = g_date_time_new_from_iso8601 (json_object_get_string_member (json_node_get_object (info->json), "startedAt"), NULL);
  g_assert_nonnull (started);
  g_assert_cmpint (g_date_time_to_unix (started), >=, before_create);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (info->json), "metadata"), "project"), ==, "p2");
  CC_TEST_WAIT_FOR (cc_test_count_entries (homes) == 2, "the next sandbox's folder");
  g_source_remove (ticker);

  cc_test_engine_stop (engine);
  g_assert_cmpuint (cc_test_count_entries (homes), ==, 1);
  g_assert_cmpuint (cc_test_count_entries (tmps), ==, 1);
  g_assert_cmpint (g_mkdir (left_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (left_tmp, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (kept, 0700), ==, 0);
  g_assert_true (g_file_set_contents (kept_file, "mine", -1, NULL));
  cc_test_engine_restart (engine);
  g_assert_false (g_file_test (left_home, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (left_tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_EXISTS));
  {
    g_autoptr(EcRun) run = ec_run (sandbox, "echo still here", NULL);

    g_assert_cmpstr (run->stdout_text->str, ==, "still here\n");
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  session = ec_session_new (0);

  g_test_add_func ("/engine/lifecycle/expiry-kills", test_expiry_kills);
  g_test_add_func ("/engine/lifecycle/expiry-auto-pause", test_expiry_auto_pause);
  g_test_add_func ("/engine/lifecycle/auto-resume", test_auto_resume);
  g_test_add_func ("/engine/lifecycle/restart", test_restart);
  g_test_add_func ("/engine/lifecycle/made-ahead", test_made_ahead);
  ret = g_test_run ();

  g_object_unref (session);
  return ret;
}
