/* cc-bench-mirror.c: the workspace mirror's workloads (issue: nothing lost, "Speed")
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a project on E2B or a custom endpoint costs with its workspace mirrored: a re-create
 * restored from the workspace, a file written in the sandbox coming back, and an idle sync.
 * The workspace and the mirror's state are made in a temporary folder before the clock starts.
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-bench.h"
#include "cc-workspace-mirror.h"

typedef struct
{
  char              *top;
  char              *workspace;
  CcWorkspaceMirror *mirror;
} Mirror;

/* @n files of @size bytes laid out as workload (c) uploads them: many/d<i % 10>/f<i>.txt. */
static void
mirror_open (Mirror *m,
             guint   n,
             gsize   size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *data = g_malloc (size);

  m->top = g_dir_make_tmp ("cc-bench-mirror.XXXXXX", &error);
  if (m->top == NULL)
    cc_bench_die ("making the workspace failed", error);
  m->workspace = g_build_filename (m->top, "workspace", NULL);
  state = g_build_filename (m->top, "state", NULL);
  memset (data, 'x', size);
  if (size > 0)
    data[size - 1] = '\n';
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/many/d%u", m->workspace, i % 10);
      g_autofree char *path = g_strdup_printf ("%s/f%u.txt", dir, i);

      if (g_mkdir_with_parents (dir, 0755) != 0 ||
          !g_file_set_contents (path, data, size, &error))
        cc_bench_die ("writing the workspace failed", error);
    }
  g_mkdir_with_parents (m->workspace, 0755);
  m->mirror = cc_workspace_mirror_new (m->workspace, state);
}

static void
mirror_close (Mirror *m)
{
  g_autofree char *quoted = g_shell_quote (m->top);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_clear_object (&m->mirror);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (m->workspace);
  g_free (m->top);
}

static CcSyncSummary *
mirror_sync (Mirror *m,
             CcEnvd *envd)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncSummary *summary;

  cc_workspace_mirror_sync_async (m->mirror, envd, NULL, cc_bench_store_result_cb, &res);
  summary = cc_workspace_mirror_sync_finish (m->mirror, cc_bench_wait_for (&res), &error);
  if (summary == NULL)
    cc_bench_die ("the sync failed", error);
  return summary;
}

/* A new sandbox (as after a re-create) filled from a workspace of @n files: the clock covers
 * the create and the whole sync, to be read against workload (c), the same files in one
 * batched upload. */
void
cc_bench_mirror_restore (BenchResult     *b,
                         CcControlPlane  *api,
                         CcConnection    *connection,
                         guint            n,
                         gsize            size)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcSandboxInfo) sandbox = NULL;
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  Mirror m = { 0 };
  gint64 t0;

  mirror_open (&m, n, size);
  t0 = g_get_monotonic_time ();
  cc_control_plane_create_async (api, NULL, 0, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT, NULL,
                                 cc_bench_store_result_cb, &res);
  sandbox = cc_control_plane_create_finish (api, cc_bench_wait_for (&res), &error);
  if (sandbox == NULL)
    cc_bench_die ("creating the sandbox failed", error);
  envd = cc_envd_new_for_sandbox (connection, sandbox);
  summary = mirror_sync (&m, envd);
  b->ms = cc_bench_ms_since (t0);
  if (summary->pushed != n)
    cc_bench_die ("the restore sent a different number of files", NULL);
  b->bytes = (gint64) n * size;
  g_clear_object (&res);
  cc_control_plane_kill_async (api, sandbox->sandbox_id, NULL, cc_bench_store_result_cb, &res);
  cc_control_plane_kill_finish (api, cc_bench_wait_for (&res), NULL);
  mirror_close (&m);
}

/* @n files written in the sandbox, one after the other, each timed from the start of the
 * command that writes it to the moment it is in the workspace (the live pull: WatchDir). */
void
cc_bench_mirror_live (BenchResult     *b,
                      CcEnvd          *envd,
                      guint            n,
                      CcBenchRunFunc   run,
                      gpointer         bench)
{
  g_autoptr(CcSyncSummary) first = NULL;
  Mirror m = { 0 };
  gint64 t0;

  mirror_open (&m, 0, 0);
  first = mirror_sync (&m, envd);
  cc_workspace_mirror_watch (m.mirror, envd);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *command = g_strdup_printf ("echo %u > live-%u.txt", i, i);
      g_autofree char *path = g_strdup_printf ("%s/live-%u.txt", m.workspace, i);
      gint64 t = g_get_monotonic_time ();
      double ms;

      if (run (bench, command) != 0)
        cc_bench_die ("the writing command failed", NULL);
      /* Each main-loop event is looked at once; the bound only ends a broken run. */
      while (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          if (cc_bench_ms_since (t) > 30000)
            cc_bench_die ("a file written in the sandbox did not come back within 30 s", NULL);
          g_main_context_iteration (NULL, TRUE);
        }
      ms = cc_bench_ms_since (t);
      g_array_append_val (b->samples, ms);
    }
  b->ms = cc_bench_ms_since (t0);
  cc_workspace_mirror_stop_watch (m.mirror);
  mirror_close (&m);
}

static gint64
cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* The engine's CPU time so far (µs), when bench.py names it; -1 otherwise. */
static gint64
engine_cpu_us (void)
{
  const char *pid = g_getenv ("CC_BENCH_ENGINE_PID");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;

  if (pid == NULL)
    return -1;
  path = g_strdup_printf ("/proc/%s/stat", pid);
  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return -1;
  /* After "pid (comm)": state is field 3; utime and stime are 14 and 15. */
  fields = g_strsplit (end + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

static gboolean
idle_over_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A mirrored workspace of @n files, synced and watched both ways, left alone for @seconds:
 * the CPU this program and the engine use meanwhile (nothing should poll). */
void
cc_bench_mirror_idle (BenchResult *b,
                      CcEnvd      *envd,
                      guint        n,
                      guint        seconds)
{
  g_autoptr(CcSyncSummary) first = NULL;
  gboolean over = FALSE;
  Mirror m = { 0 };
  gint64 t0, cpu0, engine0;

  mirror_open (&m, n, 4096);
  first = mirror_sync (&m, envd);
  cc_workspace_mirror_watch (m.mirror, envd);
  /* The watch's first sync (STARTED) is part of setting up, not of idling. */
  g_timeout_add (500, idle_over_cb, &over);
  while (!over)
    g_main_context_iteration (NULL, TRUE);

  over = FALSE;
  t0 = g_get_monotonic_time ();
  cpu0 = cpu_us ();
  engine0 = engine_cpu_us ();
  g_timeout_add_seconds (seconds, idle_over_cb, &over);
  while (!over)
    g_main_context_iteration (NULL, TRUE);
  b->cpu_ms = (cpu_us () - cpu0) / 1000.0;
  b->engine_cpu_ms = engine0 >= 0 ? (engine_cpu_us () - engine0) / 1000.0 : -1;
  b->ms = cc_bench_ms_since (t0);
  cc_workspace_mirror_stop_watch (m.mirror);
  mirror_close (&m);
}
