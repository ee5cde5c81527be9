/* store-crash-child.c: writes operation records until it is killed (for test-store-crash)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: store-crash-child DATABASE
 * Prints the id of every record whose final state the store acknowledged, one per line, and
 * flushes after each, so that the parent knows exactly what must survive a SIGKILL.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cc-store.h"

typedef struct
{
  GMainLoop *loop;
  CcStore   *store;
  char      *project_id;
  guint      n;
  gboolean   pending;   /* begin one record, say its id, and wait to be killed */
} Child;

static void write_next (Child *child);

static void
die (const char   *what,
     const GError *error)
{
  g_printerr ("store-crash-child: %s: %s\n", what, error->message);
  exit (2);
}

static void
finished_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CcOperation) op = user_data;
  g_autoptr(GError) error = NULL;
  Child *child = g_object_get_data (G_OBJECT (op), "child");

  if (!cc_store_finish_operation_finish (CC_STORE (object), result, &error))
    die ("finish", error);

  /* Acknowledged: committed by the store. */
  printf ("%s\n", cc_operation_get_id (op));
  fflush (stdout);
  write_next (child);
}

static void
begun_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  CcOperation *op;

  op = cc_store_begin_operation_finish (CC_STORE (object), result, &error);
  if (op == NULL)
    die ("begin", error);
  if (child->pending)
    {
      /* Stored as pending: killed now, it is a recorder gone mid-operation. */
      printf ("%s\n", cc_operation_get_id (op));
      fflush (stdout);
      g_object_unref (op);
      return;
    }

  out = g_strdup_printf ("output of record %u\n", child->n);
  cc_operation_set_status (op, CC_OPERATION_STATUS_SUCCESS);
  cc_operation_set_stdout (op, out);
  cc_operation_set_exit_code (op, 0);
  cc_operation_set_duration_ms (op, child->n);
  g_object_set_data (G_OBJECT (op), "child", child);
  cc_store_finish_operation_async (child->store, op, NULL, finished_cb, op);
}

static void
write_next (Child *child)
{
  g_autofree char *input = g_strdup_printf ("echo %u", ++child->n);

  cc_store_begin_operation_async (child->store, child->project_id, CC_OPERATION_TYPE_COMMAND,
                                  input, NULL, begun_cb, child);
}

static void
project_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;

  project = cc_store_create_project_finish (CC_STORE (object), result, &error);
  if (project == NULL)
    die ("create project", error);
  child->project_id = g_strdup (cc_project_get_id (project));
  write_next (child);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Child *child = user_data;
  g_autoptr(GError) error = NULL;
  /* Each round adds a project to the same file, and names are unique. */
  g_autofree char *name = g_strdup_printf ("crash test %d", (int) getpid ());
  g_autoptr(CcProject) project = cc_project_new (name);

  child->store = cc_store_open_finish (result, &error);
  if (child->store == NULL)
    die ("open", error);
  cc_store_create_project_async (child->store, project, NULL, project_cb, child);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) file = NULL;
  Child child = { 0 };

  if (argc == 3 && g_str_equal (argv[2], "--pending"))
    child.pending = TRUE;
  else if (argc != 2)
    {
      g_printerr ("Usage: store-crash-child DATABASE [--pending]\n");
      return 2;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  child.loop = g_main_loop_new (NULL, FALSE);
  cc_store_open_async (file, NULL, opened_cb, &child);
  g_main_loop_run (child.loop);   /* until SIGKILL */

  return 0;
}
