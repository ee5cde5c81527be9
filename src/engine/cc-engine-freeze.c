/* cc-engine-freeze.c: stopping a sandbox's processes while it is paused, and continuing them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On E2B a paused sandbox keeps its memory and processes: a dev server or a REPL is there again
 * after a resume. Here the processes are stopped with SIGSTOP and continued with SIGCONT. The
 * cgroup freezer would hide the stop from the processes, but it needs a delegated cgroup, which
 * an engine started from a terminal or a container does not have. Parents are stopped before
 * their children (so no parent sees a child stop and reacts), children are continued before
 * their parents (so a shell that waits for stops sees its job running again, not stopped), and
 * the tree is scanned again until a round finds nothing new, since a process may fork while the
 * others are being stopped. Processes cannot outlive the engine: after an engine restart a paused
 * sandbox resumes with its files only.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cc-engine-freeze.h"

/* Rounds of "scan, stop what is new" before giving up on a process that keeps forking. */
#define MAX_ROUNDS 20
/* SIGSTOP takes effect when the process next runs: a pause waits this long at most for every
 * process to show it, so that "paused" is true when it is answered. */
#define SETTLE_LIMIT_MS 500

/* pid → parent pid, for every process now. */
static GHashTable *
read_parents (void)
{
  GHashTable *parents = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *after_comm;
      int pid = atoi (name), ppid;

      if (pid <= 0)
        continue;
      path = g_strdup_printf ("/proc/%d/stat", pid);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …": comm may hold anything, so read after its last ')'. */
      after_comm = strrchr (stat, ')');
      if (after_comm == NULL || sscanf (after_comm + 1, " %*c %d", &ppid) != 1)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (ppid));
    }
  return parents;
}

/* The processes of the trees, parents before children. */
static GArray *
collect (GArray  *below,
         GArray  *leaders)
{
  g_autoptr(GHashTable) parents = read_parents ();
  g_autoptr(GHashTable) children = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                          (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  GArray *order = g_array_new (FALSE, FALSE, sizeof (int));
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, parents);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *list = g_hash_table_lookup (children, value);
      int pid = GPOINTER_TO_INT (key);

      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (int));
          g_hash_table_insert (children, value, list);
        }
      g_array_append_val (list, pid);
    }

  for (guint i = 0; below != NULL && i < below->len; i++)
    {
      GArray *list = g_hash_table_lookup (children, GINT_TO_POINTER (g_array_index (below, int, i)));

      for (guint j = 0; list != NULL && j < list->len; j++)
        if (g_hash_table_add (seen, GINT_TO_POINTER (g_array_index (list, int, j))))
          g_array_append_val (order, g_array_index (list, int, j));
    }
  for (guint i = 0; leaders != NULL && i < leaders->len; i++)
    {
      int pid = g_array_index (leaders, int, i);

      if (g_hash_table_contains (parents, GINT_TO_POINTER (pid)) &&
          g_hash_table_add (seen, GINT_TO_POINTER (pid)))
        g_array_append_val (order, pid);
    }
  /* Breadth first: every process comes after its parent. */
  for (guint i = 0; i < order->len; i++)
    {
      GArray *list = g_hash_table_lookup (children, GINT_TO_POINTER (g_array_index (order, int, i)));

      for (guint j = 0; list != NULL && j < list->len; j++)
        if (g_hash_table_add (seen, GINT_TO_POINTER (g_array_index (list, int, j))))
          g_array_append_val (order, g_array_index (list, int, j));
    }
  return order;
}

/* Whether @pid has taken its stop (or is gone): its state in /proc is T, t or Z. */
static gboolean
has_stopped (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  after_comm = strrchr (stat, ')');
  return after_comm == NULL || after_comm[1] != ' ' ||
         after_comm[2] == 'T' || after_comm[2] == 't' || after_comm[2] == 'Z' || after_comm[2] == 'X';
}

static void
settle (GHashTable *stopped)
{
  gint64 until = g_get_monotonic_time () + SETTLE_LIMIT_MS * 1000;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, stopped);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    while (!has_stopped (GPOINTER_TO_INT (key)) && g_get_monotonic_time () < until)
      g_usleep (1000);
}

void
cc_engine_freeze_trees (GArray   *below,
                        GArray   *leaders,
                        gboolean  freeze)
{
  g_autoptr(GHashTable) stopped = NULL;

  if (!freeze)
    {
      g_autoptr(GArray) order = collect (below, leaders);

      for (guint i = order->len; i > 0; i--)
        kill (g_array_index (order, int, i - 1), SIGCONT);
      return;
    }

  stopped = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint round = 0; round < MAX_ROUNDS; round++)
    {
      g_autoptr(GArray) order = collect (below, leaders);
      gboolean any_new = FALSE;

      for (guint i = 0; i < order->len; i++)
        {
          int pid = g_array_index (order, int, i);

          if (g_hash_table_add (stopped, GINT_TO_POINTER (pid)))
            {
              kill (pid, SIGSTOP);
              any_new = TRUE;
            }
        }
      if (!any_new)
        {
          settle (stopped);
          return;
        }
    }
  g_warning ("A sandbox's processes kept forking while they were being stopped");
}
