/* mirror-sync-child.c: one workspace sync in a program of its own, for test-client-mirror
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: mirror-sync-child DATABASE ENGINE_RUNTIME_DIR PROJECT_ID
 * Opens the store, syncs the project's workspace with its sandbox and exits 0 when done. The
 * test SIGKILLs it in the middle (a request held by the fault proxy) and then checks that the
 * next sync, in the test itself, completes with nothing lost.
 */
#include "config.h"

#include "cc-client.h"

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(CcStore) store = NULL;
  g_autoptr(CcClient) client = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) synced = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 4)
    {
      g_printerr ("Usage: %s DATABASE ENGINE_RUNTIME_DIR PROJECT_ID\n", argv[0]);
      return 2;
    }
  file = g_file_new_for_path (argv[1]);
  cc_store_open_async (file, NULL, store_result_cb, &opened);
  store = cc_store_open_finish (wait_for (&opened), &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  client = cc_client_new (store);
  cc_client_set_engine_runtime_dir (client, argv[2]);
  cc_client_set_engine_autostart (client, FALSE);
  g_object_set (client, "live-sync", FALSE, NULL);
  cc_client_load_projects_async (client, NULL, store_result_cb, &loaded);
  if (!cc_client_load_projects_finish (client, wait_for (&loaded), &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  cc_client_sync_project_async (client, argv[3], NULL, store_result_cb, &synced);
  summary = cc_client_sync_project_finish (client, wait_for (&synced), &error);
  if (summary == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
