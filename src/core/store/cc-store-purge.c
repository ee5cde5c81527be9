/* cc-store-purge.c: deleting expired records and cache entries, at open and on a timer
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expired rows are hidden by every query anyway; the purge only gives their space back. It
 * runs on the store's queue like any call, from a timer that holds the store weakly.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-store-private.h"

void
_cc_store_set_purge_interval (CcStore *self,
                              guint    interval_ms)
{
  g_return_if_fail (CC_IS_STORE (self));
  g_return_if_fail (interval_ms > 0);

  self->purge_interval_ms = interval_ms;
  if (self->purge_source_id != 0)
    {
      _cc_store_unschedule_purge (self);
      _cc_store_schedule_purge (self);
    }
}

gboolean
_cc_store_purge_locked (CcStore  *self,
                        gint64    now,
                        guint     cache_ttl,
                        GError  **error)
{
  const char *what = _("Could not delete expired history");
  g_autoptr(sqlite3_stmt) ops = NULL;
  g_autoptr(sqlite3_stmt) cache = NULL;

  if (!_cc_store_begin (self, what, error))
    return FALSE;

  ops = _cc_store_prepare (self, "DELETE FROM operations WHERE expires_at <= ?1", what, error);
  if (ops == NULL)
    goto fail;
  sqlite3_bind_int64 (ops, 1, now);
  if (!_cc_store_step_done (self, ops, what, error))
    goto fail;

  /* Deleting leaves tombstones in the full-text index; merge some of its segments each time,
   * a bounded amount of work, so that it shrinks again without a pause. */
  if (sqlite3_changes (self->db) > 0 &&
      !_cc_store_exec (self, "INSERT INTO operations_fts (operations_fts, rank)"
                             " VALUES ('merge', 500)", what, error))
    goto fail;

  cache = _cc_store_prepare (self, "DELETE FROM cache WHERE cached_at <= ?1", what, error);
  if (cache == NULL)
    goto fail;
  sqlite3_bind_int64 (cache, 1, now - (gint64) cache_ttl * G_USEC_PER_SEC);
  if (!_cc_store_step_done (self, cache, what, error))
    goto fail;

  if (!_cc_store_commit (self, what, error))
    return FALSE;

  /* Give the pages of deleted output back to the file system (databases created since schema
   * 2 use incremental auto-vacuum; for others this does nothing). */
  return _cc_store_exec (self, "PRAGMA incremental_vacuum", what, error);

fail:
  _cc_store_rollback (self);
  return FALSE;
}

typedef struct
{
  gint64 now;
  guint  cache_ttl;
} PurgeData;

static gboolean
purge_worker (CcStore   *self,
              gpointer   task_data,
              gpointer  *result,
              GError   **error)
{
  PurgeData *pd = task_data;

  return _cc_store_purge_locked (self, pd->now, pd->cache_ttl, error);
}

/**
 * cc_store_purge_expired_async:
 * @self: a #CcStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes operation records past their expiry and cache entries older than the cache TTL.
 * The store does this at open and every few minutes by itself; expired rows are never
 * returned in between.
 */
void
cc_store_purge_expired_async (CcStore             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PurgeData *pd;

  g_return_if_fail (CC_IS_STORE (self));

  pd = g_new0 (PurgeData, 1);
  pd->now = cc_store_get_now (self);
  pd->cache_ttl = self->cache_ttl;
  _cc_store_call (self, cc_store_purge_expired_async, pd, g_free,
                  _CC_STORE_RESULT_BOOLEAN, purge_worker, cancellable, callback, user_data);
}

/**
 * cc_store_purge_expired_finish:
 * @self: a #CcStore
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the expired rows were deleted
 */
gboolean
cc_store_purge_expired_finish (CcStore       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CC_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
periodic_purge_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nobody to tell: the rows stay hidden anyway, and the next round tries again. */
  if (!cc_store_purge_expired_finish (CC_STORE (object), result, &error))
    g_debug ("Periodic purge failed: %s", error->message);
}

static gboolean
purge_timeout_cb (gpointer user_data)
{
  g_autoptr(CcStore) self = g_weak_ref_get (user_data);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  cc_store_purge_expired_async (self, NULL, periodic_purge_cb, NULL);
  return G_SOURCE_CONTINUE;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Starts the periodic purge on the store's context, every purge_interval_ms. */
void
_cc_store_schedule_purge (CcStore *self)
{
  g_autoptr(GSource) source = NULL;
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  /* A weak reference: the timer must not keep the store alive, and the last reference may
   * be dropped on a worker thread (by a finishing GTask) while the timer fires here. Dispose
   * destroys the source as well. */
  if (self->purge_interval_ms % 1000 == 0)
    source = g_timeout_source_new_seconds (self->purge_interval_ms / 1000);
  else
    source = g_timeout_source_new (self->purge_interval_ms);
  g_weak_ref_init (weak, self);
  g_source_set_callback (source, purge_timeout_cb, weak, weak_ref_free);
  g_source_set_name (source, "[cc-store] purge");
  self->purge_source_id = g_source_attach (source, self->context);
}

void
_cc_store_unschedule_purge (CcStore *self)
{
  GSource *source;

  if (self->purge_source_id == 0)
    return;
  source = g_main_context_find_source_by_id (self->context, self->purge_source_id);
  if (source != NULL)
    g_source_destroy (source);
  self->purge_source_id = 0;
}
