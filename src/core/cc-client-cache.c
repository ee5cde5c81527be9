/* cc-client-cache.c: when a cached result may still be served
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A cached result is only true while the sandbox's files are as they were when it was
 * recorded. The client cannot see every change, so it forgets a project's cached results
 * whenever one may have happened:
 *
 *  - a command, shell, setup or dev server starts, and again when it ends (it may have written
 *    anything meanwhile);
 *  - a file is written, uploaded, moved, removed or a folder made, and the sandbox is created,
 *    re-created, paused or otherwise changed (its files may have been restored);
 *  - a directory watch (the Files pane's change feed) reports any event.
 *
 * Forgetting deletes the rows in the store, so every client sharing the database (the app and
 * the command line) sees it. Within a client, a generation counter per project also keeps a
 * command from caching a result when something changed while it ran, and no result is served
 * while a process this client started is still running in the project.
 */
#include "config.h"

#include "cc-client-cache-private.h"
#include "cc-client-private.h"

typedef struct
{
  guint64 generation;
  guint   n_running;
} Freshness;

static GHashTable *
freshness_table (CcClient *self)
{
  GHashTable *table = g_object_get_data (G_OBJECT (self), "cc-cache-freshness");

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_object_set_data_full (G_OBJECT (self), "cc-cache-freshness", table,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

static Freshness *
freshness_get (CcClient   *self,
               const char *project_id)
{
  GHashTable *table = freshness_table (self);
  Freshness *fresh = g_hash_table_lookup (table, project_id);

  if (fresh == NULL)
    {
      fresh = g_new0 (Freshness, 1);
      g_hash_table_insert (table, g_strdup (project_id), fresh);
    }
  return fresh;
}

static void
forget_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CcClient *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_store_cache_clear_finish (CC_STORE (source), result, NULL, &error))
    g_warning ("Could not forget the cached results of a changed sandbox: %s", error->message);
  _cc_client_release (self);
}

void
_cc_client_cache_files_changed (CcClient   *self,
                                const char *project_id)
{
  if (project_id == NULL || *project_id == '\0')
    return;
  freshness_get (self, project_id)->generation++;
  /* The store runs its jobs in order, so a lookup asked for after this sees the rows gone. */
  _cc_client_hold (self);
  cc_store_cache_clear_async (self->store, project_id, NULL, NULL, forget_cb, self);
}

guint64
_cc_client_cache_generation (CcClient   *self,
                             const char *project_id)
{
  return freshness_get (self, project_id)->generation;
}

void
_cc_client_cache_run_started (CcClient   *self,
                              const char *project_id)
{
  _cc_client_cache_files_changed (self, project_id);
  freshness_get (self, project_id)->n_running++;
}

void
_cc_client_cache_run_ended (CcClient   *self,
                            const char *project_id)
{
  Freshness *fresh = freshness_get (self, project_id);

  g_return_if_fail (fresh->n_running > 0);
  fresh->n_running--;
  _cc_client_cache_files_changed (self, project_id);
}

gboolean
_cc_client_cache_may_serve (CcClient   *self,
                            const char *project_id)
{
  return freshness_get (self, project_id)->n_running == 0;
}

gboolean
_cc_client_cache_type_changes_files (CcOperationType type)
{
  switch (type)
    {
    case CC_OPERATION_TYPE_FILE_READ:
    case CC_OPERATION_TYPE_FILE_LIST:
      return FALSE;
    case CC_OPERATION_TYPE_COMMAND:
    case CC_OPERATION_TYPE_FILE_WRITE:
    case CC_OPERATION_TYPE_SETUP:
    case CC_OPERATION_TYPE_DEV_SERVER:
    case CC_OPERATION_TYPE_FILE_MOVE:
    case CC_OPERATION_TYPE_FILE_REMOVE:
    case CC_OPERATION_TYPE_MAKE_DIR:
    case CC_OPERATION_TYPE_SANDBOX:
    default:
      return TRUE;
    }
}
