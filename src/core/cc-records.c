/* cc-records.c: the history rows of the client's operations
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-cache-private.h"
#include "cc-client-private.h"
#include "cc-records-private.h"
#include "cc-remote-process.h"
#include "cc-sandbox-error.h"

static void
record_begin_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CcOperation *operation = cc_store_begin_operation_finish (CC_STORE (source), result, &error);

  if (operation == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_signal_emit (g_task_get_source_object (task), _cc_client_signals[CLIENT_SIGNAL_HISTORY_CHANGED], 0,
                 cc_operation_get_project_id (operation));
  g_task_return_pointer (task, operation, g_object_unref);
}

void
_cc_record_begin_async (CcClient            *self,
                        const char          *project_id,
                        CcOperationType      type,
                        const char          *input,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, _cc_record_begin_async);
  /* Commands say so themselves (a cache hit is recorded too, and changes nothing). */
  if (type != CC_OPERATION_TYPE_COMMAND && _cc_client_cache_type_changes_files (type))
    _cc_client_cache_files_changed (self, project_id);
  cc_store_begin_operation_async (self->store, project_id, type, input, NULL, record_begin_cb,
                                  g_steal_pointer (&task));
}

CcOperation *
_cc_record_begin_finish (CcClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
record_finished_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CcOperation) operation = user_data;
  CcClient *self = g_object_get_data (G_OBJECT (operation), "cc-client");
  g_autoptr(GError) error = NULL;

  /* The operation's own result was already delivered; a store failure here loses only the
   * record's final state (it stays pending), which the history shows. A record that is gone
   * went with its project, deleted while the operation ran: nothing is lost then. */
  if (!cc_store_finish_operation_finish (CC_STORE (source), result, &error) &&
      !g_error_matches (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND))
    g_warning ("Could not record the end of an operation: %s", error->message);
  else
    g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_HISTORY_CHANGED], 0,
                   cc_operation_get_project_id (operation));
  _cc_client_release (self);
}

void
_cc_record_complete (CcClient     *self,
                     CcOperation  *operation,
                     const GError *error,
                     gint64        started_us)
{
  if (operation == NULL)
    return;
  if (started_us > 0)
    cc_operation_set_duration_ms (operation, (g_get_monotonic_time () - started_us) / 1000);
  if (error != NULL)
    {
      cc_operation_set_status (operation, CC_OPERATION_STATUS_ERROR);
      cc_operation_set_error (operation, error->message);
    }
  else
    cc_operation_set_status (operation, CC_OPERATION_STATUS_SUCCESS);
  if (cc_operation_get_operation_type (operation) != CC_OPERATION_TYPE_COMMAND &&
      _cc_client_cache_type_changes_files (cc_operation_get_operation_type (operation)))
    _cc_client_cache_files_changed (self, cc_operation_get_project_id (operation));
  _cc_client_hold (self);
  /* The client is held until the write ends, so the operation may point at it meanwhile. */
  g_object_set_data (G_OBJECT (operation), "cc-client", self);
  cc_store_finish_operation_async (self->store, operation, NULL, record_finished_cb, g_object_ref (operation));
}

GError *
_cc_record_exit_error (int exit_code,
                       int signal_number)
{
  g_autofree char *name = NULL;

  if (signal_number <= 0)
    return g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FAILED,
                        _("The command exited with status %d."), exit_code);
  name = cc_signal_get_name (signal_number);
  /* TRANSLATORS: %s is a signal name such as SIGKILL; %d is 128 plus its number, as a shell
   * reports it. */
  return g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FAILED,
                      _("The command was killed by %s (exit status %d)."), name, exit_code);
}
