/* test-engine-launcher.c: the per-sandbox process launcher of the engine, over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under bubblewrap, a sandbox's commands are forked by one long-lived launcher inside the
 * sandbox's namespaces. These cases check what that must not change (isolation, one PID
 * namespace per sandbox, concurrency, signals) and that the engine recovers when the launcher
 * dies.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cc-connect-codec.h"
#include "cc-protojson.h"
#include "engine-core-client.h"
#include "cc-test-util.h"

static CcTestEngine *engine;
static SoupSession *session;

static gboolean
isolated (void)
{
  if (g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap"))
    return TRUE;
  g_test_skip ("bubblewrap does not work on this machine");
  return FALSE;
}

static EcSandbox *
new_sandbox (void)
{
  return ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
}

/* Prints "found" per process whose whole command line is @name (arguments run together: /proc's
 * cmdline separates them with NUL bytes, which tr drops), so the searching shell never matches. */
#define FIND(name) "for p in /proc/[0-9]*; do [ \"$(tr -d '\\0' < $p/cmdline 2>/dev/null)\" = " name " ] " \
                   "&& echo found; done; true"

/* Same, waiting (bounded) until there is one: a started command may not have exec'd yet. */
#define FIND_WAIT(name) "for i in $(seq 200); do r=$(" FIND (name) "); [ -n \"$r\" ] && break; sleep 0.05; done; " \
                        "[ -n \"$r\" ] && echo \"$r\"; true"

/* Commands of one sandbox share its PID namespace; another sandbox's are not in it. */
static void
test_shared_pid_namespace (void)
{
  g_autoptr(EcSandbox) a = NULL;
  g_autoptr(EcSandbox) b = NULL;
  g_autofree char *body = NULL;
  g_autoptr(EcStream) sleeper = NULL;

  if (!isolated ())
    return;
  a = new_sandbox ();
  b = new_sandbox ();
  body = ec_start_body ("exec sleep 4242", FALSE, NULL);
  sleeper = ec_stream_open (a, "/process.Process/Start", body, NULL, NULL);
  ec_stream_read_start (sleeper);

  {
    g_autoptr(EcRun) same = ec_run (a, FIND_WAIT ("sleep4242"), NULL);
    g_autoptr(EcRun) other = ec_run (b, FIND ("sleep4242"), NULL);

    g_assert_cmpstr (same->stdout_text->str, ==, "found\n");
    g_assert_cmpstr (other->stdout_text->str, ==, "");
    /* And still not the host's processes. */
    {
      g_autoptr(EcRun) ps = ec_run (a, "ls /proc | grep -c '^[0-9]'", NULL);

      g_assert_cmpint (atoi (ps->stdout_text->str), <, 10);
    }
  }
  {
    g_autoptr(EcRun) run = NULL;
    g_autofree char *selector = NULL;

    /* The start event's pid is one the engine can signal: the whole process group. */
    g_autoptr(EcReply) list = ec_unary (a, "/process.Process/List", "{}", NULL);
    JsonArray *processes = json_object_get_array_member (json_node_get_object (list->json), "processes");
    guint pid = 0;

    for (guint i = 0; i < json_array_get_length (processes); i++)
      {
        JsonObject *info = json_array_get_object_element (processes, i);
        JsonObject *config = json_object_get_object_member (info, "config");
        JsonArray *args = json_object_get_array_member (config, "args");

        if (g_str_equal (json_array_get_string_element (args, 2), "exec sleep 4242"))
          pid = (guint) json_object_get_int_member (info, "pid");
      }
    g_assert_cmpuint (pid, >, 0);
    selector = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid);
    {
      g_autoptr(EcReply) sent = ec_unary (a, "/process.Process/SendSignal", selector, NULL);

      g_assert_cmpuint (sent->status, ==, 200);
    }
    run = ec_stream_collect_after_start (sleeper);
    g_assert_cmpstr (ec_run_end_status (run), ==, "signal: killed");
  }
}

/* Many commands at once, each with its own output and exit code. */
static void
test_concurrent (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  EcStream *streams[24];

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autofree char *cmd = g_strdup_printf ("echo out-%u; echo err-%u >&2; exit %u", i, i, i % 5);
      g_autofree char *body = ec_start_body (cmd, FALSE, NULL);

      streams[i] = ec_stream_open (sandbox, "/process.Process/Start", body, i % 2 ? "root" : NULL, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autoptr(EcRun) run = ec_stream_collect (streams[i]);
      g_autofree char *out = g_strdup_printf ("out-%u\n", i);
      g_autofree char *err = g_strdup_printf ("err-%u\n", i);
      g_autofree char *status = g_strdup_printf ("exit status %u", i % 5);

      g_assert_cmpstr (run->stdout_text->str, ==, out);
      g_assert_cmpstr (run->stderr_text->str, ==, err);
      g_assert_cmpstr (ec_run_end_status (run), ==, status);
      ec_stream_free (streams[i]);
    }
}

/* A launcher that dies takes its running commands with it (reported killed); the next command
 * gets a new launcher. */
static void
test_launcher_death (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  const char *kill_launcher =
    "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q -- '--sandbox-launcher' "
    "&& kill -9 ${p#/proc/}; done; sleep 30; echo survived";

  if (!isolated ())
    return;
  sandbox = new_sandbox ();
  {
    g_autoptr(EcRun) first = ec_run (sandbox, "echo before", NULL);

    g_assert_cmpstr (first->stdout_text->str, ==, "before\n");
  }
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(EcRun) killer = ec_run (sandbox, kill_launcher, NULL);
      g_autoptr(EcRun) after = NULL;
      g_autoptr(EcRun) root = NULL;

      g_assert_null (strstr (killer->stdout_text->str, "survived"));
      g_assert_cmpstr (ec_run_end_status (killer), ==, "signal: killed");
      after = ec_run (sandbox, "echo after; echo $HOME; id -u", NULL);
      g_assert_cmpstr (after->stdout_text->str, ==, "after\n/home/user\n1000\n");
      root = ec_run (sandbox, "id -u", "root");
      g_assert_cmpstr (root->stdout_text->str, ==, "0\n");
    }
}

static EcRun *
run_cmd (EcSandbox  *sandbox,
         const char *process_json)
{
  g_autofree char *body = g_strdup_printf ("{\"process\":%s,\"stdin\":false}", process_json);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);

  return ec_stream_collect (stream);
}

/* Programs are found with the command's own PATH; a script without #! runs under /bin/sh; a
 * missing program ends with 127 and says so on stderr. */
static void
exec_search (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autoptr(EcRun) setup = ec_run (sandbox, "mkdir -p ~/bin && printf 'echo script \"$1\"\\n' > ~/bin/hello "
                                            "&& chmod +x ~/bin/hello", NULL);
  g_autoptr(EcRun) plain = run_cmd (sandbox, "{\"cmd\":\"echo\",\"args\":[\"plain\"]}");
  g_autoptr(EcRun) by_path = NULL;
  g_autoptr(EcRun) absolute = NULL;
  g_autoptr(EcRun) missing = run_cmd (sandbox, "{\"cmd\":\"no-such-program-here\"}");
  g_autofree char *home = g_strdup (json_object_get_string_member (setup->end, "status"));
  g_autofree char *bin = NULL;

  g_assert_cmpstr (home, ==, "exit status 0");
  g_assert_cmpstr (plain->stdout_text->str, ==, "plain\n");
  {
    g_autoptr(EcRun) where = ec_run (sandbox, "echo -n ~/bin", NULL);

    bin = g_strdup (where->stdout_text->str);
  }
  {
    g_autofree char *json = g_strdup_printf ("{\"cmd\":\"hello\",\"args\":[\"a b\"],"
                                             "\"envs\":{\"PATH\":\"/nowhere::%s:/usr/bin\"}}", bin);
    g_autofree char *json_abs = g_strdup_printf ("{\"cmd\":\"%s/hello\",\"args\":[\"x\"]}", bin);

    by_path = run_cmd (sandbox, json);
    absolute = run_cmd (sandbox, json_abs);
  }
  g_assert_cmpstr (by_path->stdout_text->str, ==, "script a b\n");
  g_assert_cmpstr (absolute->stdout_text->str, ==, "script x\n");
  g_assert_cmpstr (ec_run_end_status (missing), ==, "exit status 127");
  g_assert_nonnull (strstr (missing->stderr_text->str, "no-such-program-here"));
}

static void
test_exec_search (void)
{
  /* Unisolated, a missing program is refused at start instead (GLib's spawn). */
  if (isolated ())
    exec_search ();
}

/* Host processes whose command line, arguments run together, is @name; with @stopped, only
 * those stopped (state T). */
static guint
count_host_processes_in (const char *name,
                         gboolean    stopped)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autofree char *stat_path = NULL;
      g_autofree char *stat = NULL;
      g_autoptr(GString) joined = g_string_new (NULL);
      const char *after_comm;
      gsize length;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      path = g_build_filename ("/proc", entry, "cmdline", NULL);
      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (gsize i = 0; i < length; i++)
        if (contents[i] != '\0')
          g_string_append_c (joined, contents[i]);
      if (!g_str_equal (joined->str, name))
        continue;
      if (stopped)
        {
          stat_path = g_build_filename ("/proc", entry, "stat", NULL);
          if (!g_file_get_contents (stat_path, &stat, NULL, NULL) ||
              (after_comm = strrchr (stat, ')')) == NULL || after_comm[1] != ' ' || after_comm[2] != 'T')
            continue;
        }
      count++;
    }
  return count;
}

static guint
count_host_processes (const char *name)
{
  return count_host_processes_in (name, FALSE);
}

/* The parent pid in /proc/PID/stat (after the command name, which may hold anything); -1 when
 * the process is gone. */
static int
parent_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_comm = strrchr (stat, ')')) == NULL)
    return -1;
  /* ") S PPID …" */
  return after_comm[1] == ' ' && after_comm[2] != '\0' ? atoi (after_comm + 4) : -1;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* The pids of the launchers @test_engine started: bubblewrap is the engine's child and runs the
 * launcher as its own child. Other test programs' engines may run beside this one. */
static GHashTable *
engine_launchers (CcTestEngine *test_engine)
{
  GPid engine_pid = cc_test_engine_get_pid (test_engine);
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  GHashTable *pids = g_hash_table_new (NULL, NULL);
  const char *entry;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *cmdline_path = NULL;
      g_autofree char *cmdline = NULL;
      gsize length;
      int parent;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      cmdline_path = g_build_filename ("/proc", entry, "cmdline", NULL);
      /* "/proc/self/fd/4\0--sandbox-launcher\0FD\0" */
      if (!g_file_get_contents (cmdline_path, &cmdline, &length, NULL) ||
          length <= sizeof "/proc/self/fd/4" || !g_str_equal (cmdline, "/proc/self/fd/4") ||
          !g_str_equal (cmdline + sizeof "/proc/self/fd/4", "--sandbox-launcher"))
        continue;
      parent = parent_of (atoi (entry));
      if (parent > 0 && parent_of (parent) == engine_pid)
        g_hash_table_add (pids, GINT_TO_POINTER (atoi (entry)));
    }
  return pids;
}

static guint
count_launchers (CcTestEngine *test_engine)
{
  g_autoptr(GHashTable) pids = engine_launchers (test_engine);

  return g_hash_table_size (pids);
}

/* Whether @pids holds every pid of @launchers but one, and one pid more. */
static gboolean
one_replaced (GHashTable *pids,
              GHashTable *launchers)
{
  GHashTableIter iter;
  gpointer pid;
  guint kept = 0;

  g_hash_table_iter_init (&iter, launchers);
  while (g_hash_table_iter_next (&iter, &pid, NULL))
    kept += g_hash_table_contains (pids, pid);
  return g_hash_table_size (pids) == g_hash_table_size (launchers) && kept + 1 == g_hash_table_size (pids);
}

/* A sandbox is made ahead of each create, its launcher, namespaces and network included: a
 * fresh engine has one before any create, a create takes it (its first command runs in it), the
 * next one is made, and killing the sandbox ends the launcher that was there before its create. */
static void
test_made_ahead (void)
{
  g_autoptr(CcTestEngine) own = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autofree char *kill = NULL;
  guint ticker;

  if (!isolated ())
    return;
  own = cc_test_engine_new ();
  /* Nothing reports a process's start to this program: a ticker wakes the loop to look again. */
  ticker = g_timeout_add (20, tick_cb, NULL);
  CC_TEST_WAIT_FOR (count_launchers (own) == 1, "the launcher made ahead of any create");
  before = engine_launchers (own);
  sandbox = ec_sandbox_new (own, session, "{\"templateID\":\"base\",\"envVars\":{\"GIVEN\":\"at create\"}}");
  run = ec_run (sandbox, "echo \"$GIVEN\"", NULL);
  g_assert_cmpstr (run->stdout_text->str, ==, "at create\n");
  CC_TEST_WAIT_FOR (count_launchers (own) == 2, "the next one");
  after = engine_launchers (own);
  {
    GHashTableIter iter;
    gpointer pid;

    g_hash_table_iter_init (&iter, before);
    while (g_hash_table_iter_next (&iter, &pid, NULL))
      g_assert_true (g_hash_table_contains (after, pid));
  }
  kill = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  {
    g_autoptr(EcReply) killed = ec_api (own, session, "DELETE", kill, NULL);

    g_assert_cmpuint (killed->status, ==, 204);
  }
  CC_TEST_WAIT_FOR (count_launchers (own) == 1, "the killed sandbox's launcher to end");
  {
    g_autoptr(GHashTable) left = engine_launchers (own);

    /* What is left is the new one: the killed sandbox had the one made before its create. */
    g_assert_true (one_replaced (left, before));
  }
  g_source_remove (ticker);
}

/* Processes holding a descriptor of a file under @dir. */
static guint
count_holders (const char *dir)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *fd_dir = NULL;
      g_autoptr(GDir) fds = NULL;
      const char *fd;
      gboolean holds = FALSE;

      if (!g_ascii_isdigit (entry[0]))
        continue;
      fd_dir = g_build_filename ("/proc", entry, "fd", NULL);
      fds = g_dir_open (fd_dir, 0, NULL);
      while (fds != NULL && !holds && (fd = g_dir_read_name (fds)) != NULL)
        {
          g_autofree char *link = g_build_filename (fd_dir, fd, NULL);
          g_autofree char *target = g_file_read_link (link, NULL);

          holds = target != NULL && g_str_has_prefix (target, dir);
        }
      count += holds;
    }
  return count;
}

/* Sandboxes killed while their launcher starts, and the spare an engine that stops was still
 * making, leave nothing behind: no process of theirs holds the engine's files afterwards. */
static void
test_killed_while_starting (void)
{
  g_autoptr(CcTestEngine) own = NULL;
  g_autofree char *runtime_dir = NULL;
  guint ticker;

  if (!isolated ())
    return;
  own = cc_test_engine_new ();
  runtime_dir = g_strdup (cc_test_engine_get_runtime_dir (own));
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(EcSandbox) sandbox = ec_sandbox_new (own, session, "{\"templateID\":\"base\"}");
      g_autofree char *path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
      g_autoptr(EcReply) killed = ec_api (own, session, "DELETE", path, NULL);

      g_assert_cmpuint (killed->status, ==, 204);
    }
  cc_test_engine_stop (own);
  ticker = g_timeout_add (20, tick_cb, NULL);
  CC_TEST_WAIT_FOR (count_holders (runtime_dir) == 0, "the killed sandboxes' processes to end");
  g_source_remove (ticker);
}

/* Commands sent as both users the moment the sandbox exists: the second user's launcher waits
 * for the first one's network and joins it, so both see one network namespace. */
static void
test_users_join_while_starting (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *body = ec_start_body ("readlink /proc/self/ns/net", FALSE, NULL);
  EcStream *as_root, *as_user;
  g_autoptr(EcRun) root = NULL;
  g_autoptr(EcRun) user = NULL;

  if (!isolated ())
    return;
  sandbox = new_sandbox ();
  as_root = ec_stream_open (sandbox, "/process.Process/Start", body, "root", NULL);
  as_user = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  root = ec_stream_collect (as_root);
  user = ec_stream_collect (as_user);
  ec_stream_free (as_root);
  ec_stream_free (as_user);
  g_assert_cmpstr (ec_run_end_status (root), ==, "exit status 0");
  g_assert_true (g_str_has_prefix (root->stdout_text->str, "net:["));
  g_assert_cmpstr (root->stdout_text->str, ==, user->stdout_text->str);
}

/* Pausing stops what a command left running in the background (in a session of its own, too),
 * resuming continues it, and killing the sandbox ends it, launcher included. */
static void
test_pause_stops_background (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *pause = NULL;
  g_autofree char *resume = NULL;
  g_autofree char *kill = NULL;

  if (!isolated ())
    return;
  sandbox = new_sandbox ();
  pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  resume = g_strdup_printf ("/sandboxes/%s/resume", sandbox->id);
  kill = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  {
    g_autoptr(EcRun) bg = ec_run (sandbox, "setsid sleep 4343 >/dev/null 2>&1 < /dev/null & echo started", NULL);
    g_autoptr(EcRun) seen = ec_run (sandbox, FIND_WAIT ("sleep4343"), NULL);

    g_assert_cmpstr (bg->stdout_text->str, ==, "started\n");
    g_assert_cmpstr (seen->stdout_text->str, ==, "found\n");
    g_assert_cmpuint (count_host_processes ("sleep4343"), ==, 1);
  }
  {
    g_autoptr(EcReply) paused = ec_api (engine, session, "POST", pause, "{}");

    g_assert_cmpuint (paused->status, ==, 204);
    /* Stopped by the time the pause is answered. */
    g_assert_cmpuint (count_host_processes_in ("sleep4343", TRUE), ==, 1);
  }
  {
    g_autoptr(EcReply) resumed = ec_api (engine, session, "POST", resume, "{}");
    g_autoptr(EcRun) seen = ec_run (sandbox, FIND ("sleep4343"), NULL);

    g_assert_cmpuint (resumed->status, ==, 201);
    g_assert_cmpstr (seen->stdout_text->str, ==, "found\n");
    g_assert_cmpuint (count_host_processes_in ("sleep4343", TRUE), ==, 0);
  }
  {
    g_autoptr(EcReply) killed = ec_api (engine, session, "DELETE", kill, NULL);
    gint64 limit = g_get_monotonic_time () + cc_test_scaled_seconds (30) * G_USEC_PER_SEC;  /* only against hangs */
    guint tick = g_timeout_add (20, tick_cb, NULL);

    g_assert_cmpuint (killed->status, ==, 204);
    /* The PID namespace goes away asynchronously; seen from the host it empties. */
    while (count_host_processes ("sleep4343") > 0 && g_get_monotonic_time () < limit)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    g_assert_cmpuint (count_host_processes ("sleep4343"), ==, 0);
  }
}

/* An engine started from a script with `&` ignores SIGINT and SIGQUIT, and a disposition
 * ignored is kept through exec: its commands must still get the default ones (Ctrl+C in a
 * terminal stops them), and not the SIGPIPE the launcher itself ignores. */
static void
test_signals_default (void)
{
  g_autoptr(CcTestEngine) own = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcStream) stream = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autofree char *body = ec_start_body ("grep SigIgn /proc/self/status", FALSE, NULL);
  void (*old_int) (int) = signal (SIGINT, SIG_IGN);
  void (*old_quit) (int) = signal (SIGQUIT, SIG_IGN);
  const guint64 defaults = (1 << (SIGINT - 1)) | (1 << (SIGQUIT - 1)) | (1 << (SIGPIPE - 1));
  const char *mask;
  guint64 ignored;

  own = cc_test_engine_new ();
  signal (SIGINT, old_int);
  signal (SIGQUIT, old_quit);
  if (!g_str_equal (cc_test_engine_get_isolation (own), "bubblewrap"))
    {
      g_test_skip ("bubblewrap does not work on this machine");
      return;
    }
  sandbox = ec_sandbox_new (own, session, "{\"templateID\":\"base\"}");
  stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  run = ec_stream_collect (stream);
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  mask = strchr (run->stdout_text->str, ':');
  g_assert_nonnull (mask);
  ignored = g_ascii_strtoull (mask + 1, NULL, 16);
  g_test_message ("SigIgn of a command: %s", run->stdout_text->str);
  g_assert_cmphex (ignored & defaults, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/launcher/shared-pid-namespace", test_shared_pid_namespace);
  g_test_add_func ("/engine/launcher/concurrent", test_concurrent);
  g_test_add_func ("/engine/launcher/exec-search", test_exec_search);
  g_test_add_func ("/engine/launcher/launcher-death", test_launcher_death);
  g_test_add_func ("/engine/launcher/pause-stops-background", test_pause_stops_background);
  g_test_add_func ("/engine/launcher/made-ahead", test_made_ahead);
  g_test_add_func ("/engine/launcher/killed-while-starting", test_killed_while_starting);
  g_test_add_func ("/engine/launcher/users-join-while-starting", test_users_join_while_starting);
  g_test_add_func ("/engine/launcher/signals-default", test_signals_default);

  return ec_test_run (&engine, &session, 60);
}
