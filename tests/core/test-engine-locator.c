/* test-engine-locator.c: finding, starting and sharing the local engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "cc-engine-locator.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"
#include "cc-test-util.h"

typedef struct
{
  char  *tmpdir;
  char  *runtime_dir;
  GPid   engines[4];
  guint  n_engines;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *data_home = NULL;
  g_autofree char *home = NULL;

  f->tmpdir = cc_test_make_tmpdir ("cc-locator");
  f->runtime_dir = g_build_filename (f->tmpdir, "run", "code-canvas", NULL);
  data_home = g_build_filename (f->tmpdir, "data", NULL);
  home = g_build_filename (f->tmpdir, "home", NULL);
  g_mkdir_with_parents (home, 0700);
  /* Engines started by the locator inherit these: they must not touch the real profile. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("HOME", home, TRUE);
}

static void
stop_engine (GPid pid)
{
  if (pid <= 0 || kill (pid, SIGTERM) != 0)
    return;
  /* Our child: GLib reaps it when it exits, which wakes the loop. */
  CC_TEST_WAIT_FOR (kill (pid, 0) != 0, "the child to exit");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->n_engines; i++)
    stop_engine (f->engines[i]);
  cc_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->runtime_dir);
}

static CcEngineLocator *
new_locator (Fixture *f)
{
  CcEngineLocator *locator = cc_engine_locator_new ();

  cc_engine_locator_set_runtime_dir (locator, f->runtime_dir);
  return locator;
}

static CcEngineInfo *
locate (CcEngineLocator *locator,
        GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_engine_locator_locate_async (locator, NULL, cc_test_store_result_cb, &result);
  return cc_engine_locator_locate_finish (locator, cc_test_wait_result (&result), error);
}

static void
assert_engine_answers (const CcEngineInfo *info)
{
  g_autoptr(CcConnection) connection = cc_engine_info_create_connection (info);
  g_autoptr(CcControlPlane) api = cc_control_plane_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cc_connection_get_kind (connection), ==, CC_CONNECTION_LOCAL);
  cc_control_plane_list_async (api, NULL, NULL, cc_test_store_result_cb, &result);
  page = cc_control_plane_list_finish (api, cc_test_wait_result (&result), NULL, &error);
  g_assert_no_error (error);
}

static void
test_start_then_reuse (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CcEngineLocator) first = new_locator (f);
  g_autoptr(CcEngineLocator) second = new_locator (f);
  g_autoptr(CcEngineInfo) started = NULL;
  g_autoptr(CcEngineInfo) reused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  started = locate (first, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = started->pid;
  g_assert_true (started->started);
  g_assert_true (g_str_has_prefix (started->url, "http://127.0.0.1:"));
  g_assert_nonnull (started->api_key);
  g_assert_nonnull (started->isolation);
  json = cc_engine_locator_dup_runtime_file (first);
  g_assert_true (g_file_test (json, G_FILE_TEST_EXISTS));
  assert_engine_answers (started);

  reused = locate (second, &error);
  g_assert_no_error (error);
  g_assert_false (reused->started);
  g_assert_cmpint (reused->pid, ==, started->pid);
  g_assert_cmpstr (reused->url, ==, started->url);
}

static void
test_concurrent_start (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CcEngineLocator) a = new_locator (f);
  g_autoptr(CcEngineLocator) b = new_locator (f);
  g_autoptr(GAsyncResult) result_a = NULL;
  g_autoptr(GAsyncResult) result_b = NULL;
  g_autoptr(CcEngineInfo) info_a = NULL;
  g_autoptr(CcEngineInfo) info_b = NULL;
  g_autoptr(GError) error = NULL;

  /* Both find nothing and both start an engine; the engines' lock lets only one live. */
  cc_engine_locator_locate_async (a, NULL, cc_test_store_result_cb, &result_a);
  cc_engine_locator_locate_async (b, NULL, cc_test_store_result_cb, &result_b);
  info_a = cc_engine_locator_locate_finish (a, cc_test_wait_result (&result_a), &error);
  g_assert_no_error (error);
  info_b = cc_engine_locator_locate_finish (b, cc_test_wait_result (&result_b), &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = info_a->pid;

  g_assert_cmpint (info_a->pid, ==, info_b->pid);
  g_assert_cmpstr (info_a->url, ==, info_b->url);
  g_assert_cmpint (info_a->started + info_b->started, ==, 1);
  assert_engine_answers (info_b);
}

static void
test_stale_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = cc_engine_locator_dup_runtime_file (locator);

  /* A crashed engine left its file: a pid that cannot exist and a dead port. */
  g_mkdir_with_parents (f->runtime_dir, 0700);
  g_file_set_contents (json, "{\"url\":\"http://127.0.0.1:9\",\"pid\":2147483000,"
                             "\"api_key\":\"old\"}", -1, &error);
  g_assert_no_error (error);

  info = locate (locator, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = info->pid;
  g_assert_true (info->started);
  g_assert_cmpstr (info->url, !=, "http://127.0.0.1:9");
  assert_engine_answers (info);
}

/* engine.json as another PID namespace (another Flatpak instance) sees it: the number may be
 * anything here, so the locator must neither trust nor distrust it. */
static void
rewrite_pid (const char *json,
             gint64      pid)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  json_parser_load_from_file (parser, json, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_set_int_member (object, "pid", pid);
  text = json_to_string (json_parser_get_root (parser), FALSE);
  g_file_set_contents (json, text, -1, &error);
  g_assert_no_error (error);
}

static void
test_stale_file_live_pid (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = cc_engine_locator_dup_runtime_file (locator);
  g_autofree char *text = NULL;
  guint port = cc_test_free_port ();

  /* The engine is gone but its pid now belongs to a live, unrelated process (ours). */
  g_mkdir_with_parents (f->runtime_dir, 0700);
  text = g_strdup_printf ("{\"url\":\"http://127.0.0.1:%u\",\"pid\":%d,\"api_key\":\"old\"}",
                          port, (int) getpid ());
  g_file_set_contents (json, text, -1, &error);
  g_assert_no_error (error);

  cc_engine_locator_set_autostart (locator, FALSE);
  info = locate (locator, &error);
  g_assert_null (info);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE);
  g_clear_error (&error);

  /* And a new engine may start in its place. */
  cc_engine_locator_set_autostart (locator, TRUE);
  info = locate (locator, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = info->pid;
  g_assert_true (info->started);
  g_assert_cmpint (info->pid, !=, getpid ());
  assert_engine_answers (info);
}

static void
test_found_by_ping (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CcEngineLocator) first = new_locator (f);
  g_autoptr(CcEngineLocator) second = new_locator (f);
  g_autoptr(CcEngineInfo) started = NULL;
  g_autoptr(CcEngineInfo) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = cc_engine_locator_dup_runtime_file (first);

  started = locate (first, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = started->pid;

  /* Seen from another PID namespace the engine's pid names no process at all. */
  rewrite_pid (json, 2147483000);
  cc_engine_locator_set_autostart (second, FALSE);
  found = locate (second, &error);
  g_assert_no_error (error);
  g_assert_false (found->started);
  g_assert_cmpstr (found->url, ==, started->url);
  g_assert_cmpstr (found->api_key, ==, started->api_key);
}

/* Spins the loop until @pid exits or @seconds (scaled) pass; TRUE when it exited. */
static gboolean
wait_exit (GPid  pid,
           guint seconds)
{
  g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (seconds);

  while (kill (pid, 0) == 0 && !cc_test_deadline_passed (deadline))
    g_main_context_iteration (NULL, TRUE);
  return kill (pid, 0) != 0;
}

static void
test_idle_exit (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = cc_engine_locator_dup_runtime_file (locator);
  guint timeout = cc_test_scaled_seconds (1);
  gint64 until;
  guint requests = 0;

  cc_engine_locator_set_idle_timeout (locator, timeout);
  info = locate (locator, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = info->pid;
  g_assert_true (info->started);

  /* A client that keeps asking keeps it alive well past the timeout. */
  until = g_get_monotonic_time () + 3 * (gint64) timeout * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until && requests++ < 1000000)
    assert_engine_answers (info);
  g_assert_cmpint (kill (info->pid, 0), ==, 0);

  /* Then with no sandbox running and nobody asking, it goes, and takes engine.json along. */
  g_assert_true (wait_exit (info->pid, CC_TEST_WAIT_LIMIT_S));
  g_assert_false (g_file_test (json, G_FILE_TEST_EXISTS));
}

static void
test_idle_sandbox_keeps (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  g_autoptr(CcSandboxInfo) sandbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint timeout = cc_test_scaled_seconds (1);

  cc_engine_locator_set_idle_timeout (locator, timeout);
  info = locate (locator, &error);
  g_assert_no_error (error);
  f->engines[f->n_engines++] = info->pid;

  connection = cc_engine_info_create_connection (info);
  api = cc_control_plane_new (connection);
  cc_control_plane_create_async (api, NULL, 0, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_KILL, NULL,
                                 cc_test_store_result_cb, &result);
  sandbox = cc_control_plane_create_finish (api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A running sandbox is use too, with no request at all: three timeouts pass (both scaled). */
  g_assert_false (wait_exit (info->pid, 3));

  cc_control_plane_kill_async (api, sandbox->sandbox_id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_kill_finish (api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (wait_exit (info->pid, CC_TEST_WAIT_LIMIT_S));
}

static void
test_no_autostart (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  cc_engine_locator_set_autostart (locator, FALSE);
  info = locate (locator, &error);
  g_assert_null (info);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE);
}

static void
test_engine_fails (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  cc_engine_locator_set_engine_path (locator, "/bin/false");
  info = locate (locator, &error);
  g_assert_null (info);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "engine.log"));
}

static void
test_cancel_while_starting (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CcEngineLocator) locator = new_locator (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hung = g_build_filename (f->tmpdir, "hung-engine", NULL);

  /* An engine that never announces itself (it exits on its own a little later). */
  g_file_set_contents (hung, "#!/bin/sh\nexec sleep 5\n", -1, &error);
  g_assert_no_error (error);
  g_chmod (hung, 0755);
  cc_engine_locator_set_engine_path (locator, hung);

  cc_engine_locator_locate_async (locator, cancellable, cc_test_store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  info = cc_engine_locator_locate_finish (locator, cc_test_wait_result (&result), &error);
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/engine-locator/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("start-then-reuse", test_start_then_reuse);
  ADD ("concurrent-start", test_concurrent_start);
  ADD ("stale-file", test_stale_file);
  ADD ("stale-file-live-pid", test_stale_file_live_pid);
  ADD ("found-by-ping", test_found_by_ping);
  ADD ("idle-exit", test_idle_exit);
  ADD ("idle-sandbox-keeps", test_idle_sandbox_keeps);
  ADD ("no-autostart", test_no_autostart);
  ADD ("engine-fails", test_engine_fails);
  ADD ("cancel-while-starting", test_cancel_while_starting);
#undef ADD
  return g_test_run ();
}
