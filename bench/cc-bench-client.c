/* cc-bench-client.c: the workloads that go through the product API (CcClient)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the app and the CLI call: every execute is recorded in the SQLite store, and the cache
 * is looked up first when asked. Kept apart from cc-bench.c, which speaks the protocol layer
 * (CcControlPlane, CcEnvd) at the same level as the SDK.
 */
#include "config.h"

#include <string.h>

#include "cc-bench.h"
#include "cc-client.h"
#include "cc-store.h"

static CcClient *
open_client (void)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  CcClient *client;

  cc_client_new_default_async (NULL, cc_bench_store_result_cb, &res);
  client = cc_client_new_default_finish (cc_bench_wait_for (&res), &error);
  if (client == NULL)
    cc_bench_die ("opening the client failed", error);
  return client;
}

static char *
ensure_project (CcClient   *client,
                const char *name)
{
  g_autoptr(GAsyncResult) loaded = NULL;
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;
  CcProject *found;

  cc_client_load_projects_async (client, NULL, cc_bench_store_result_cb, &loaded);
  if (!cc_client_load_projects_finish (client, cc_bench_wait_for (&loaded), &error))
    cc_bench_die ("loading projects failed", error);
  found = cc_client_find_project (client, name);
  if (found != NULL)
    return g_strdup (cc_project_get_id (found));
  cc_client_create_project_async (client, name, CC_CONNECTION_LOCAL, NULL, NULL, NULL, 0,
                                  NULL, cc_bench_store_result_cb, &created);
  project = cc_client_create_project_finish (client, cc_bench_wait_for (&created), &error);
  if (project == NULL)
    cc_bench_die ("creating the project failed", error);
  return g_strdup (cc_project_get_id (project));
}

static CcExecution *
execute (CcClient       *client,
         const char     *project_id,
         const char     *command,
         CcExecuteFlags  flags)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  CcExecution *execution;

  cc_client_execute_async (client, project_id, command, flags, NULL, cc_bench_store_result_cb, &res);
  execution = cc_client_execute_finish (client, cc_bench_wait_for (&res), &error);
  if (execution == NULL)
    cc_bench_die ("execute failed", error);
  if (cc_execution_get_exit_code (execution) != 0)
    cc_bench_die ("the command exited with an error", NULL);
  return execution;
}

void
cc_bench_exec (BenchResult *b,
               guint        n)
{
  g_autoptr(CcClient) client = open_client ();
  g_autofree char *project_id = ensure_project (client, "bench-exec");
  g_autoptr(CcExecution) warm = execute (client, project_id, "true", CC_EXECUTE_FLAGS_NONE);
  gint64 t0 = g_get_monotonic_time ();

  /* The warm-up above created (or reconnected) the project's sandbox: not part of the timing. */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *command = g_strdup_printf ("echo %u", i);
      gint64 t = g_get_monotonic_time ();
      g_autoptr(CcExecution) execution = execute (client, project_id, command, CC_EXECUTE_FLAGS_NONE);
      double ms = cc_bench_ms_since (t);

      g_array_append_val (b->samples, ms);
    }
  b->ms = cc_bench_ms_since (t0);
}

static void
add_history (CcStore    *store,
             const char *project_id,
             guint       n)
{
  /* Real records through the store's own API, one after the other (setup, not timed). */
  guint begun = 0;

  while (begun < n)
    {
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GAsyncResult) fin = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CcOperation) op = NULL;
      g_autofree char *input = g_strdup_printf ("echo history %u", begun++);

      cc_store_begin_operation_async (store, project_id, CC_OPERATION_TYPE_COMMAND, input, NULL,
                                      cc_bench_store_result_cb, &res);
      op = cc_store_begin_operation_finish (store, cc_bench_wait_for (&res), &error);
      if (op == NULL)
        cc_bench_die ("recording history failed", error);
      cc_operation_set_status (op, CC_OPERATION_STATUS_SUCCESS);
      cc_operation_set_stdout (op, input + 5);
      cc_store_finish_operation_async (store, op, NULL, cc_bench_store_result_cb, &fin);
      if (!cc_store_finish_operation_finish (store, cc_bench_wait_for (&fin), &error))
        cc_bench_die ("recording history failed", error);
    }
}

void
cc_bench_cache_hit (BenchResult *b,
                    guint        n)
{
  g_autofree char *name = g_strdup_printf ("bench-history-%u", n);
  g_autoptr(CcClient) client = open_client ();
  g_autofree char *project_id = ensure_project (client, name);
  g_autofree char *marker = g_build_filename (g_get_user_data_dir (), "code-canvas", name, NULL);
  g_autoptr(CcExecution) first = NULL;
  g_autoptr(CcExecution) hit = NULL;
  gint64 t0;

  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      add_history (cc_client_get_store (client), project_id, n);
      g_file_set_contents (marker, "", 0, NULL);
    }
  /* Fills the cache when it is empty or expired (a real run), then the timed hit. */
  first = execute (client, project_id, "echo cached", CC_EXECUTE_FLAGS_USE_CACHE);
  t0 = g_get_monotonic_time ();
  hit = execute (client, project_id, "echo cached", CC_EXECUTE_FLAGS_USE_CACHE);
  b->ms = cc_bench_ms_since (t0);
  if (!cc_execution_get_cached (hit))
    cc_bench_die ("the second execute was not served from the cache", NULL);
}

