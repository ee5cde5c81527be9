/* cc-test-engine.c: a private code-canvas-engine for one test
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include <json-glib/json-glib.h>

#include "cc-test-engine.h"
#include "cc-test-util.h"

/* Only to avoid hanging forever when the engine never comes up. */
#define START_LIMIT_S 60

struct _CcTestEngine
{
  char *base;
  char *home;
  char *data_home;
  char *runtime_dir;
  char *data_dir;
  char *json_path;
  GStrv extra_env;

  GSubprocess *process;
  gboolean exited;
  GPid pid;
  guint port;
  char *url;
  char *domain;
  char *api_key;
  char *isolation;
};

static void
clear_info (CcTestEngine *self)
{
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->api_key, g_free);
  g_clear_pointer (&self->isolation, g_free);
  self->port = 0;
}

/* TRUE once engine.json exists and was written by our child. */
static gboolean
read_info (CcTestEngine *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;

  if (!g_file_test (self->json_path, G_FILE_TEST_EXISTS) ||
      !json_parser_load_from_file (parser, self->json_path, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  object = json_node_get_object (root);
  if (json_object_get_int_member_with_default (object, "pid", 0) != self->pid)
    return FALSE;

  clear_info (self);
  self->url = g_strdup (json_object_get_string_member_with_default (object, "url", ""));
  self->domain = g_strdup (json_object_get_string_member_with_default (object, "domain", ""));
  self->api_key = g_strdup (json_object_get_string_member_with_default (object, "api_key", ""));
  self->isolation = g_strdup (json_object_get_string_member_with_default (object, "isolation", "none"));
  self->port = (guint) json_object_get_int_member_with_default (object, "port", 0);
  return self->port != 0;
}

static void
child_setup (gpointer user_data)
{
  /* The engine must not outlive a crashed test. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CcTestEngine *self = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  if (self->process == G_SUBPROCESS (source))
    self->exited = TRUE;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  gboolean *changed = user_data;

  *changed = TRUE;
}

static gboolean
limit_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
launch (CcTestEngine *self)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autofree char *run_dir = g_build_filename (self->runtime_dir, "code-canvas", NULL);
  const char *binary = g_getenv ("CODE_CANVAS_ENGINE");
  gboolean changed = FALSE, expired = FALSE;
  guint limit_id;

  g_assert_nonnull (binary);
  g_assert_cmpint (g_mkdir_with_parents (run_dir, 0700), ==, 0);

  /* Watch before starting, so the file's creation cannot be missed. */
  dir = g_file_new_for_path (run_dir);
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (monitor, "changed", G_CALLBACK (monitor_changed_cb), &changed);

  g_subprocess_launcher_setenv (launcher, "HOME", self->home, TRUE);
  /* A critical in the engine is a bug that would otherwise only be printed: it aborts the
   * engine, which the test then notices. */
  {
    const char *debug = g_getenv ("G_DEBUG");
    g_autofree char *fatal = debug != NULL && *debug != '\0' ? g_strconcat (debug, ",fatal-criticals", NULL)
                                                             : g_strdup ("fatal-criticals");

    g_subprocess_launcher_setenv (launcher, "G_DEBUG", fatal, TRUE);
  }
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", self->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", self->runtime_dir, TRUE);
  for (guint i = 0; self->extra_env && self->extra_env[i]; i++)
    {
      g_auto(GStrv) kv = g_strsplit (self->extra_env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, kv[0], kv[1] ? kv[1] : "", TRUE);
    }
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  self->process = g_subprocess_launcher_spawn (launcher, &error, binary, NULL);
  g_assert_no_error (error);
  self->exited = FALSE;
  self->pid = atoi (g_subprocess_get_identifier (self->process));
  g_subprocess_wait_async (self->process, NULL, wait_done_cb, self);

  limit_id = g_timeout_add_seconds (cc_test_scaled_seconds (START_LIMIT_S), limit_cb, &expired);
  while (!read_info (self))
    {
      if (self->exited)
        g_error ("code-canvas-engine exited before it answered (see its messages above)");
      if (expired)
        g_error ("code-canvas-engine did not write %s in time", self->json_path);
      changed = FALSE;
      while (!changed && !self->exited && !expired)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (limit_id);
  g_signal_handlers_disconnect_by_func (monitor, monitor_changed_cb, &changed);
}

CcTestEngine *
cc_test_engine_new_with_env (const char * const *extra_env)
{
  CcTestEngine *self = g_new0 (CcTestEngine, 1);

  self->base = cc_test_make_tmpdir ("cc-test-engine");
  self->home = g_build_filename (self->base, "home", NULL);
  self->data_home = g_build_filename (self->base, "data", NULL);
  self->runtime_dir = g_build_filename (self->base, "run", NULL);
  self->data_dir = g_build_filename (self->data_home, "code-canvas", "engine", NULL);
  self->json_path = g_build_filename (self->runtime_dir, "code-canvas", "engine.json", NULL);
  self->extra_env = g_strdupv ((char **) extra_env);
  g_assert_cmpint (g_mkdir_with_parents (self->home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (self->data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (self->runtime_dir, 0700), ==, 0);

  launch (self);
  return self;
}

CcTestEngine *
cc_test_engine_new (void)
{
  return cc_test_engine_new_with_env (NULL);
}

gboolean
cc_test_engine_is_running (CcTestEngine *self)
{
  return self->process != NULL && !self->exited;
}

/* SIGTERM, as a person's session ends it, and a clean exit: under the sanitizers a leak or an
 * error report makes the exit status non-zero, and this is where a test notices it. */
static void
terminate (CcTestEngine *self)
{
  if (self->process == NULL || self->exited)
    return;
  g_subprocess_send_signal (self->process, SIGTERM);
  CC_TEST_WAIT_FOR (self->exited, "the engine to exit");
  if (g_subprocess_get_if_signaled (self->process))
    g_error ("code-canvas-engine died of signal %d after SIGTERM (see its messages above)",
             g_subprocess_get_term_sig (self->process));
  if (g_subprocess_get_exit_status (self->process) != 0)
    g_error ("code-canvas-engine exited with status %d after SIGTERM (see its messages above)",
             g_subprocess_get_exit_status (self->process));
}

void
cc_test_engine_stop (CcTestEngine *self)
{
  if (self->process == NULL)
    return;
  terminate (self);
  g_clear_object (&self->process);
  clear_info (self);
}

void
cc_test_engine_restart (CcTestEngine *self)
{
  cc_test_engine_stop (self);
  launch (self);
}

void
cc_test_engine_free (CcTestEngine *self)
{
  if (self == NULL)
    return;
  terminate (self);
  g_clear_object (&self->process);
  clear_info (self);
  cc_test_rm_rf (self->base);
  g_free (self->base);
  g_free (self->home);
  g_free (self->data_home);
  g_free (self->runtime_dir);
  g_free (self->data_dir);
  g_free (self->json_path);
  g_strfreev (self->extra_env);
  g_free (self);
}

const char *
cc_test_engine_get_url (CcTestEngine *self)
{
  return self->url;
}

guint
cc_test_engine_get_port (CcTestEngine *self)
{
  return self->port;
}

const char *
cc_test_engine_get_domain (CcTestEngine *self)
{
  return self->domain;
}

const char *
cc_test_engine_get_api_key (CcTestEngine *self)
{
  return self->api_key;
}

const char *
cc_test_engine_get_isolation (CcTestEngine *self)
{
  return self->isolation;
}

GPid
cc_test_engine_get_pid (CcTestEngine *self)
{
  return self->pid;
}

const char *
cc_test_engine_get_home_dir (CcTestEngine *self)
{
  return self->home;
}

const char *
cc_test_engine_get_data_home (CcTestEngine *self)
{
  return self->data_home;
}

const char *
cc_test_engine_get_runtime_dir (CcTestEngine *self)
{
  return self->runtime_dir;
}

const char *
cc_test_engine_get_data_dir (CcTestEngine *self)
{
  return self->data_dir;
}

const char *
cc_test_engine_get_json_path (CcTestEngine *self)
{
  return self->json_path;
}

GStrv
cc_test_engine_dup_environ (CcTestEngine *self)
{
  GStrv env = g_get_environ ();

  env = g_environ_setenv (env, "HOME", self->home, TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", self->data_home, TRUE);
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", self->runtime_dir, TRUE);
  return env;
}
