/* main.c: code-canvas-engine, the local E2B-compatible sandbox server
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "cc-engine.h"
#include "cc-engine-netns.h"
#include "cc-engine-resolve.h"
#include "cc-protojson.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* The idle exit: a periodic check, so that nothing else in the engine needs to know about it.
 * The engine counts as idle from the later of the last request and the last check that found
 * it busy (a running sandbox); the check interval bounds how late the exit comes. */
typedef struct
{
  CcEngine  *engine;
  GMainLoop *loop;
  gint64     timeout_us;
  gint64     busy_seen;
  guint      source_id;
} IdleWatch;

static gboolean
idle_check_cb (gpointer user_data)
{
  IdleWatch *watch = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 last = 0;

  if (cc_engine_is_busy (watch->engine, &last))
    watch->busy_seen = now;
  else if (now - MAX (last, watch->busy_seen) >= watch->timeout_us)
    {
      g_message ("No sandbox runs and no client asked for %" G_GINT64_FORMAT " s: exiting",
                 watch->timeout_us / G_USEC_PER_SEC);
      g_main_loop_quit (watch->loop);
      watch->source_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static char *
runtime_dir (void)
{
  return g_build_filename (g_get_user_runtime_dir (), "code-canvas", NULL);
}

/* Single-quoted for sh, so eval "$(… --print-env)" cannot be subverted by the values. */
static char *
shell_quote (const char *value)
{
  return g_shell_quote (value ? value : "");
}

static int
print_env (void)
{
  g_autofree char *dir = runtime_dir ();
  g_autofree char *path = g_build_filename (dir, "engine.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *url, *key;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, NULL) ||
      (info = cc_protojson_parse_object (contents, length, &error)) == NULL ||
      (url = cc_protojson_get_string (info, "url")) == NULL ||
      (key = cc_protojson_get_string (info, "api_key")) == NULL)
    {
      g_printerr (_("No code-canvas-engine is running for this user (%s is missing or unreadable).\n"
                    "Start one with “code-canvas-engine &” and try again.\n"), path);
      return 1;
    }
  {
    g_autofree char *q_url = shell_quote (url);
    g_autofree char *q_key = shell_quote (key);

    g_print ("export E2B_API_URL=%s\n", q_url);
    g_print ("export E2B_SANDBOX_URL=%s\n", q_url);
    g_print ("export E2B_API_KEY=%s\n", q_key);
    /* A shell comment, so eval ignores it: people read it, scripts need not. */
    if (cc_engine_localhost_subdomains_resolve ())
      g_print ("# getHost(port) names (*.localhost) resolve on this machine.\n");
    else
      {
        /* One line whatever a translation holds, so that it stays a comment. */
        g_autofree char *hint = g_strdup (_("getHost(port) names (*.localhost) do not resolve on this "
                                            "machine: enable nss-myhostname or systemd-resolved (see "
                                            "the README)."));

        g_print ("# %s\n", g_strdelimit (hint, "\r\n", ' '));
      }
  }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *run_dir = NULL;
  gboolean opt_print_env = FALSE;
  gboolean opt_version = FALSE;
  int opt_port = 0;
  int opt_idle_timeout = 0;
  IdleWatch idle_watch = { 0 };
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port,
      N_("Listen on 127.0.0.1:PORT (default: a free port)"), N_("PORT") },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &opt_idle_timeout,
      N_("Exit after SECONDS with no running sandbox and no client request (default: never; "
         "Code Canvas starts the engine with 600)"), N_("SECONDS") },
    { "print-env", 0, 0, G_OPTION_ARG_NONE, &opt_print_env,
      N_("Print shell lines that point the E2B SDKs at the running engine, for eval \"$(code-canvas-engine --print-env)\""), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* Not an option for people: a short-lived child loading a sandbox's network rules
   * (cc-engine-netns.c). */
  if (argc == 2 && g_str_equal (argv[1], "--load-network-rules"))
    return cc_engine_netns_load_rules_main ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  g_set_prgname ("code-canvas-engine");

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("A local, E2B-compatible sandbox server on 127.0.0.1.\n\n"
      "Sandboxes live under $XDG_DATA_HOME/code-canvas/engine; the running engine's URL and API key\n"
      "are written to $XDG_RUNTIME_DIR/code-canvas/engine.json (readable by you only)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("code-canvas-engine: %s\n%s\n", error->message,
                  _("Run “code-canvas-engine --help” to see the options."));
      return 2;
    }
  if (opt_version)
    {
      g_print ("code-canvas-engine %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (opt_print_env)
    return print_env ();
  if (opt_idle_timeout < 0)
    {
      g_printerr (_("code-canvas-engine: the idle timeout must be 0 (never) or more seconds\n"));
      return 2;
    }
  if (opt_port < 0 || opt_port > 65535)
    {
      g_printerr (_("code-canvas-engine: the port must be between 1 and 65535\n"));
      return 2;
    }

  {
    /* Every client connection, process pipe and pty is a descriptor: allow as many as we may. */
    struct rlimit limit;

    if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
      {
        limit.rlim_cur = limit.rlim_max;
        setrlimit (RLIMIT_NOFILE, &limit);
      }
  }

  data_dir = g_build_filename (g_get_user_data_dir (), "code-canvas", "engine", NULL);
  run_dir = runtime_dir ();
  engine = cc_engine_new (data_dir, run_dir);
  if (!cc_engine_start (engine, (guint) opt_port, &error))
    {
      g_printerr ("code-canvas-engine: %s\n", error->message);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) ? 3 : 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGHUP, quit_cb, loop);
  if (opt_idle_timeout > 0)
    {
      idle_watch.engine = engine;
      idle_watch.loop = loop;
      idle_watch.timeout_us = (gint64) opt_idle_timeout * G_USEC_PER_SEC;
      idle_watch.busy_seen = g_get_monotonic_time ();
      /* A quarter of the timeout (at least 250 ms, at most 30 s): the exit is at most that late. */
      idle_watch.source_id = g_timeout_add ((guint) CLAMP ((gint64) opt_idle_timeout * 250, 250, 30000),
                                            idle_check_cb, &idle_watch);
    }
  g_main_loop_run (loop);

  g_clear_handle_id (&idle_watch.source_id, g_source_remove);
  g_message ("Shutting down");
  cc_engine_stop (engine);
  return 0;
}
