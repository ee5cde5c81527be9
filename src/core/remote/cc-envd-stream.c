/* cc-envd-stream.c: the daemon's server streams (Process/Start, Process/Connect, WatchDir)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-connect-stream-private.h"
#include "cc-envd-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

/* A server stream's request body is exactly one Connect envelope holding the JSON request. */
static void
set_envelope_body (CcHttpRequest *request,
                   JsonBuilder   *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  text = cc_protojson_to_string (root, &length);
  body = cc_connect_envelope_new (0, text, length);
  _cc_http_request_set_body (request, "application/connect+json", body);
}

typedef struct
{
  gboolean is_pty;
} StartData;

static void
stream_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StartData *data = g_task_get_task_data (task);
  g_autoptr(CcHttpExchange) exchange = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  process = _cc_remote_process_new (g_task_get_source_object (task), data->is_pty);
  _cc_remote_process_run (process, exchange, task);
}

/**
 * cc_envd_start_process_async:
 * @spec: what to run
 *
 * Starts a process (Process/Start) with the body the SDK sends for the same request.
 */
void
cc_envd_start_process_async (CcEnvd              *self,
                             const CcProcessSpec *spec,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  CcHttpRequest *request;
  StartData *data;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (spec != NULL && spec->cmd != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_string_value (builder, spec->cmd);
  if (spec->args != NULL && spec->args[0] != NULL)
    {
      json_builder_set_member_name (builder, "args");
      json_builder_begin_array (builder);
      for (guint i = 0; spec->args[i] != NULL; i++)
        json_builder_add_string_value (builder, spec->args[i]);
      json_builder_end_array (builder);
    }
  if (spec->envs != NULL && g_hash_table_size (spec->envs) > 0)
    cc_protojson_add_string_map (builder, "envs", spec->envs);
  if (spec->cwd != NULL)
    {
      json_builder_set_member_name (builder, "cwd");
      json_builder_add_string_value (builder, spec->cwd);
    }
  json_builder_end_object (builder);
  if (spec->pty)
    {
      json_builder_set_member_name (builder, "pty");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "cols");
      json_builder_add_int_value (builder, spec->cols);
      json_builder_set_member_name (builder, "rows");
      json_builder_add_int_value (builder, spec->rows);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  if (spec->tag != NULL)
    {
      json_builder_set_member_name (builder, "tag");
      json_builder_add_string_value (builder, spec->tag);
    }
  /* The SDK sends "stdin" for commands (false unless asked) and leaves it out for PTYs. */
  if (!spec->pty)
    {
      json_builder_set_member_name (builder, "stdin");
      json_builder_add_boolean_value (builder, spec->stdin_open);
    }
  json_builder_end_object (builder);

  request = _cc_envd_request (self, "POST", "/process.Process/Start", CC_HTTP_SURFACE_STREAM,
                              spec->timeout_ms, spec->user);
  set_envelope_body (request, builder);
  /* Once sent, a command may be running: only a 429 (refused before starting) is retried. */
  _cc_http_request_set_retry (request, CC_HTTP_RETRY_RATE_LIMIT);
  _cc_http_request_set_label (request, _("Could not start the command"));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_envd_start_process_async);
  data = g_new0 (StartData, 1);
  data->is_pty = spec->pty;
  g_task_set_task_data (task, data, g_free);
  /* @cancellable does not abort the request: once sent, the process may be running, and only
   * the start event tells its pid. A start cancelled meanwhile kills the process when that
   * event arrives (see the remote process), then fails as cancelled; the request's own
   * timeout bounds the wait. */
  _cc_http_request_async (cc_envd_get_connection (self), request, NULL, stream_opened_cb, task);
}

/**
 * cc_envd_start_process_finish:
 *
 * Returns: (transfer full): the running process
 */
CcRemoteProcess *
cc_envd_start_process_finish (CcEnvd        *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_envd_connect_process_async (CcEnvd              *self,
                               guint                pid,
                               guint                timeout_ms,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  CcHttpRequest *request;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, pid);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  request = _cc_envd_request (self, "POST", "/process.Process/Connect", CC_HTTP_SURFACE_STREAM,
                              timeout_ms, NULL);
  set_envelope_body (request, builder);
  /* Attaching twice starts nothing. */
  _cc_http_request_set_retry (request, CC_HTTP_RETRY_SAFE);
  _cc_http_request_set_label (request, _("Could not reattach to the command"));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_envd_connect_process_async);
  /* Whether it runs on a PTY is not in the answer; input goes to stdin unless the caller
   * knows better and uses cc_envd_send_input_async(). */
  g_task_set_task_data (task, g_new0 (StartData, 1), g_free);
  _cc_http_request_async (cc_envd_get_connection (self), request, cancellable, stream_opened_cb,
                          task);
}

/**
 * cc_envd_connect_process_finish:
 *
 * Returns: (transfer full): the process, streaming from now on
 */
CcRemoteProcess *
cc_envd_connect_process_finish (CcEnvd        *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* WatchDir                                                                                    */

typedef struct
{
  CcFsEventFunc   func;
  gpointer        func_data;
  GDestroyNotify  func_data_destroy;
  CcHttpExchange *exchange;
  gboolean        started;
} WatchData;

static void
watch_data_free (WatchData *data)
{
  if (data->func_data_destroy != NULL)
    data->func_data_destroy (data->func_data);
  g_clear_pointer (&data->exchange, _cc_http_exchange_unref);
  g_free (data);
}

static CcFsEventType
event_type_from_json (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "type");
  gint64 value = 0;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          static const char * const names[] = {
            "EVENT_TYPE_UNSPECIFIED", "EVENT_TYPE_CREATE", "EVENT_TYPE_WRITE",
            "EVENT_TYPE_REMOVE", "EVENT_TYPE_RENAME", "EVENT_TYPE_CHMOD",
          };

          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            if (g_str_equal (json_node_get_string (node), names[i]))
              value = i;
        }
      else
        value = json_node_get_int (node);
    }
  return (value >= 1 && value <= 5) ? (CcFsEventType) value : CC_FS_EVENT_STARTED;
}

static gboolean
watch_message_cb (JsonObject *message,
                  gpointer    user_data,
                  GError    **error)
{
  WatchData *data = user_data;
  JsonObject *event;

  if (cc_protojson_get_object (message, "start") != NULL)
    {
      if (!data->started)
        {
          data->started = TRUE;
          _cc_http_exchange_disarm_timeout (data->exchange);
          data->func (CC_FS_EVENT_STARTED, NULL, NULL, data->func_data);
        }
      return TRUE;
    }
  if ((event = cc_protojson_get_object (message, "filesystem")) != NULL)
    {
      CcFsEventType type = event_type_from_json (event);
      JsonObject *entry_json = cc_protojson_get_object (event, "entry");
      g_autoptr(CcEntryInfo) entry = NULL;

      /* Unknown event kinds are skipped, as the SDK does. */
      if (type == CC_FS_EVENT_STARTED)
        return TRUE;
      if (entry_json != NULL)
        entry = _cc_entry_info_new_from_json (entry_json);
      data->func (type, cc_protojson_get_string (event, "name"), entry, data->func_data);
    }
  return TRUE;
}

static void
watch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!_cc_connect_stream_read_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
watch_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  WatchData *data = g_task_get_task_data (task);
  CcHttpExchange *exchange;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->exchange = exchange;
  _cc_connect_stream_read_async (exchange, cc_envd_get_sandbox_id (g_task_get_source_object (task)),
                                 watch_message_cb, data, watch_done_cb, task);
}

void
cc_envd_watch_dir_async (CcEnvd              *self,
                         const char          *path,
                         gboolean             recursive,
                         gboolean             include_entry,
                         guint                timeout_ms,
                         CcFsEventFunc        func,
                         gpointer             func_data,
                         GDestroyNotify       func_data_destroy,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  CcHttpRequest *request;
  WatchData *data;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL && func != NULL);

  /* Booleans only when true, as the SDK sends them. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  if (recursive)
    {
      json_builder_set_member_name (builder, "recursive");
      json_builder_add_boolean_value (builder, TRUE);
    }
  if (include_entry)
    {
      json_builder_set_member_name (builder, "includeEntry");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);

  request = _cc_envd_request (self, "POST", "/filesystem.Filesystem/WatchDir",
                              CC_HTTP_SURFACE_STREAM, timeout_ms, cc_envd_get_user (self));
  set_envelope_body (request, builder);
  _cc_http_request_set_retry (request, CC_HTTP_RETRY_SAFE);
  _cc_http_request_set_label (request, _("Could not watch the folder for changes"));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_envd_watch_dir_async);
  data = g_new0 (WatchData, 1);
  data->func = func;
  data->func_data = func_data;
  data->func_data_destroy = func_data_destroy;
  g_task_set_task_data (task, data, (GDestroyNotify) watch_data_free);
  _cc_http_request_async (cc_envd_get_connection (self), request, cancellable, watch_opened_cb,
                          task);
}

gboolean
cc_envd_watch_dir_finish (CcEnvd        *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
