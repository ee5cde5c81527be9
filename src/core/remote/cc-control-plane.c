/* cc-control-plane.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-control-plane.h"
#include "cc-http-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

struct _CcControlPlane
{
  GObject       parent_instance;
  CcConnection *connection;
  char         *workspace;
};

G_DEFINE_FINAL_TYPE (CcControlPlane, cc_control_plane, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */
/* CcSandboxInfo                                                                               */

G_DEFINE_BOXED_TYPE (CcSandboxInfo, cc_sandbox_info, cc_sandbox_info_ref, cc_sandbox_info_unref)

static CcSandboxInfo *
cc_sandbox_info_new (void)
{
  CcSandboxInfo *info = g_new0 (CcSandboxInfo, 1);

  g_atomic_ref_count_init (&info->ref_count);
  info->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return info;
}

CcSandboxInfo *
cc_sandbox_info_ref (CcSandboxInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

void
cc_sandbox_info_unref (CcSandboxInfo *info)
{
  if (info == NULL || !g_atomic_ref_count_dec (&info->ref_count))
    return;
  g_free (info->sandbox_id);
  g_free (info->template_id);
  g_free (info->alias);
  g_free (info->client_id);
  g_free (info->envd_version);
  g_free (info->envd_access_token);
  g_free (info->domain);
  g_free (info->traffic_access_token);
  g_hash_table_unref (info->metadata);
  g_free (info);
}

static char *
dup_nonempty (JsonObject *object,
              const char *member)
{
  const char *value = cc_protojson_get_string (object, member);

  return (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
}

static int
get_int (JsonObject *object,
         const char *member)
{
  return (int) cc_protojson_get_int64 (object, member, 0);
}

static gint64
get_time (JsonObject *object,
          const char *member)
{
  gint64 usec = 0;

  cc_protojson_parse_timestamp (cc_protojson_get_string (object, member), &usec);
  return usec;
}

/* A created, fetched or listed sandbox is described with the same field names. */
static CcSandboxInfo *
sandbox_info_from_json (JsonObject *object,
                        GError    **error)
{
  CcSandboxInfo *info;
  const char *state;

  if (cc_protojson_get_string (object, "sandboxID") == NULL ||
      *cc_protojson_get_string (object, "sandboxID") == '\0')
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                   _("The server sent an answer Code Canvas cannot understand (a sandbox without "
                     "an id). Check that the server address points at an E2B-compatible "
                     "service."));
      return NULL;
    }

  info = cc_sandbox_info_new ();
  info->sandbox_id = dup_nonempty (object, "sandboxID");
  info->template_id = dup_nonempty (object, "templateID");
  info->alias = dup_nonempty (object, "alias");
  info->client_id = dup_nonempty (object, "clientID");
  info->envd_version = dup_nonempty (object, "envdVersion");
  info->envd_access_token = dup_nonempty (object, "envdAccessToken");
  info->domain = dup_nonempty (object, "domain");
  info->traffic_access_token = dup_nonempty (object, "trafficAccessToken");
  state = cc_protojson_get_string (object, "state");
  if (g_strcmp0 (state, "running") == 0)
    info->state = CC_SANDBOX_STATE_RUNNING;
  else if (g_strcmp0 (state, "paused") == 0)
    info->state = CC_SANDBOX_STATE_PAUSED;
  info->started_at = get_time (object, "startedAt");
  info->end_at = get_time (object, "endAt");
  info->cpu_count = get_int (object, "cpuCount");
  info->memory_mb = get_int (object, "memoryMB");
  info->disk_size_mb = get_int (object, "diskSizeMB");
  cc_protojson_copy_string_map (object, "metadata", info->metadata);
  return info;
}

/* ------------------------------------------------------------------------------------------ */

static void
cc_control_plane_finalize (GObject *object)
{
  CcControlPlane *self = CC_CONTROL_PLANE (object);

  g_clear_object (&self->connection);
  g_free (self->workspace);
  G_OBJECT_CLASS (cc_control_plane_parent_class)->finalize (object);
}

static void
cc_control_plane_class_init (CcControlPlaneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_control_plane_finalize;
}

static void
cc_control_plane_init (CcControlPlane *self)
{
}

/**
 * cc_control_plane_new:
 * @connection: where the control plane is
 *
 * Returns: (transfer full): a control-plane client.
 */
CcControlPlane *
cc_control_plane_new (CcConnection *connection)
{
  CcControlPlane *self;

  g_return_val_if_fail (CC_IS_CONNECTION (connection), NULL);

  self = g_object_new (CC_TYPE_CONTROL_PLANE, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

/**
 * cc_control_plane_get_connection:
 *
 * Returns: (transfer none): the connection
 */
CcConnection *
cc_control_plane_get_connection (CcControlPlane *self)
{
  g_return_val_if_fail (CC_IS_CONTROL_PLANE (self), NULL);
  return self->connection;
}

typedef enum
{
  RESULT_VOID,
  RESULT_INFO,
  RESULT_LIST,
  RESULT_METRICS,
} ResultKind;

static CcHttpRequest *
api_request (CcControlPlane *self,
             const char     *method,
             const char     *path,
             const char     *sandbox_id,
             CcHttpRetry     retry,
             const char     *label)
{
  CcHttpRequest *request;
  const char *key = _cc_connection_get_api_key (self->connection);

  request = _cc_http_request_new (method, cc_connection_get_api_url (self->connection), path,
                                  CC_HTTP_SURFACE_API);
  if (key != NULL)
    _cc_http_request_add_header (request, "X-API-KEY", key);
  _cc_http_request_set_retry (request, retry);
  _cc_http_request_set_read_body (request, TRUE);
  _cc_http_request_set_sandbox_id (request, sandbox_id);
  _cc_http_request_set_label (request, label);
  return request;
}

static char *
sandbox_path (const char *format,
              const char *sandbox_id)
{
  g_autofree char *escaped = g_uri_escape_string (sandbox_id, NULL, FALSE);

  return g_strdup_printf (format, escaped);
}

static void
api_request_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ResultKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(CcHttpExchange) exchange = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  switch (kind)
    {
    case RESULT_VOID:
      g_task_return_boolean (task, TRUE);
      break;

    case RESULT_INFO:
      {
        g_autoptr(JsonObject) object = _cc_http_exchange_parse_object (exchange, &error);
        CcSandboxInfo *info;

        if (object == NULL || (info = sandbox_info_from_json (object, &error)) == NULL)
          {
            g_task_return_error (task, error);
            return;
          }
        /* connect: 201 means the sandbox was paused and has been resumed (200: it was running). */
        info->resumed = _cc_http_exchange_get_status (exchange) == 201;
        g_task_return_pointer (task, info, (GDestroyNotify) cc_sandbox_info_unref);
      }
      break;

    case RESULT_LIST:
      {
        g_autoptr(JsonArray) array = _cc_http_exchange_parse_array (exchange, &error);
        g_autoptr(GPtrArray) infos = NULL;
        const char *next;

        if (array == NULL)
          {
            g_task_return_error (task, error);
            return;
          }
        infos = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_sandbox_info_unref);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *node = json_array_get_element (array, i);
            CcSandboxInfo *info;

            if (!JSON_NODE_HOLDS_OBJECT (node) ||
                (info = sandbox_info_from_json (json_node_get_object (node), &error)) == NULL)
              {
                if (error == NULL)
                  g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                               _("The server sent an answer Code Canvas cannot understand (a "
                                 "list row that is not an object)."));
                g_task_return_error (task, error);
                return;
              }
            g_ptr_array_add (infos, info);
          }
        next = soup_message_headers_get_one (
          soup_message_get_response_headers (_cc_http_exchange_get_message (exchange)),
          "X-Next-Token");
        g_object_set_data_full (G_OBJECT (task), "next-token",
                                (next != NULL && *next != '\0') ? g_strdup (next) : NULL,
                                g_free);
        g_task_return_pointer (task, g_steal_pointer (&infos), (GDestroyNotify) g_ptr_array_unref);
      }
      break;

    case RESULT_METRICS:
      {
        g_autoptr(JsonArray) array = _cc_http_exchange_parse_array (exchange, &error);
        g_autoptr(GPtrArray) metrics = NULL;

        if (array == NULL)
          {
            g_task_return_error (task, error);
            return;
          }
        metrics = g_ptr_array_new_with_free_func (g_free);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *node = json_array_get_element (array, i);
            JsonObject *object;
            CcSandboxMetric *metric;
            JsonNode *pct;

            if (!JSON_NODE_HOLDS_OBJECT (node))
              continue;
            object = json_node_get_object (node);
            metric = g_new0 (CcSandboxMetric, 1);
            metric->timestamp = cc_protojson_get_int64 (object, "timestampUnix", 0);
            if (metric->timestamp == 0)
              metric->timestamp = get_time (object, "timestamp") / G_USEC_PER_SEC;
            metric->cpu_count = get_int (object, "cpuCount");
            pct = json_object_get_member (object, "cpuUsedPct");
            if (pct != NULL && JSON_NODE_HOLDS_VALUE (pct))
              metric->cpu_used_pct = json_node_get_double (pct);
            metric->mem_used = cc_protojson_get_int64 (object, "memUsed", 0);
            metric->mem_total = cc_protojson_get_int64 (object, "memTotal", 0);
            metric->mem_cache = cc_protojson_get_int64 (object, "memCache", 0);
            metric->disk_used = cc_protojson_get_int64 (object, "diskUsed", 0);
            metric->disk_total = cc_protojson_get_int64 (object, "diskTotal", 0);
            g_ptr_array_add (metrics, metric);
          }
        g_task_return_pointer (task, g_steal_pointer (&metrics),
                               (GDestroyNotify) g_ptr_array_unref);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
api_send (CcControlPlane      *self,
          CcHttpRequest       *request,
          ResultKind           kind,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  _cc_http_request_async (self->connection, request, cancellable, api_request_cb, task);
}

static void
set_json_body (CcHttpRequest *request,
               JsonBuilder   *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  _cc_http_request_set_json (request, root);
}

/* POSTs to @path_format (filled with the sandbox id) a body holding one integer, @member,
 * or an empty object when @value is negative: the shape of the control plane's small actions
 * on a sandbox. */
static void
post_sandbox_action (CcControlPlane      *self,
                     const char          *sandbox_id,
                     const char          *path_format,
                     const char          *member,
                     gint64               value,
                     const char          *label,
                     ResultKind           kind,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *path = sandbox_path (path_format, sandbox_id);
  CcHttpRequest *request;

  json_builder_begin_object (builder);
  if (value >= 0)
    {
      json_builder_set_member_name (builder, member);
      json_builder_add_int_value (builder, value);
    }
  json_builder_end_object (builder);

  request = api_request (self, "POST", path, sandbox_id, CC_HTTP_RETRY_SAFE, label);
  set_json_body (request, builder);
  api_send (self, request, kind, source_tag, cancellable, callback, user_data);
}

/**
 * cc_control_plane_create_async:
 * @template_id: (nullable): the template, %NULL for "base"
 * @timeout_sec: the sandbox's lifetime in seconds, 0 for the server's default
 * @metadata: (nullable): string → string
 * @env_vars: (nullable): string → string, applied to every process of the sandbox
 * @on_timeout: what happens when the timeout elapses
 *
 * Creates a sandbox (POST /v2/sandboxes) with a body of only the fields the SDK sends.
 */
void
cc_control_plane_set_workspace (CcControlPlane *self,
                                const char     *path)
{
  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_free (self->workspace);
  self->workspace = g_strdup (path);
}

void
cc_control_plane_create_async (CcControlPlane      *self,
                               const char          *template_id,
                               guint                timeout_sec,
                               GHashTable          *metadata,
                               GHashTable          *env_vars,
                               CcSandboxOnTimeout   on_timeout,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  CcHttpRequest *request;

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "templateID");
  json_builder_add_string_value (builder, template_id ? template_id : "base");
  /* An empty map is left out of the body. */
  if (metadata != NULL && g_hash_table_size (metadata) > 0)
    cc_protojson_add_string_map (builder, "metadata", metadata);
  if (env_vars != NULL && g_hash_table_size (env_vars) > 0)
    cc_protojson_add_string_map (builder, "envVars", env_vars);
  if (timeout_sec > 0)
    {
      json_builder_set_member_name (builder, "timeout");
      json_builder_add_int_value (builder, timeout_sec);
    }
  if (on_timeout != CC_SANDBOX_ON_TIMEOUT_DEFAULT)
    {
      json_builder_set_member_name (builder, "autoPause");
      json_builder_add_boolean_value (builder, on_timeout == CC_SANDBOX_ON_TIMEOUT_PAUSE);
    }
  if (self->workspace != NULL)
    {
      json_builder_set_member_name (builder, "codeCanvasWorkspace");
      json_builder_add_string_value (builder, self->workspace);
    }
  json_builder_end_object (builder);

  request = api_request (self, "POST", "/v2/sandboxes", NULL, CC_HTTP_RETRY_SAFE,
                         _("Could not create a sandbox"));
  set_json_body (request, builder);
  api_send (self, request, RESULT_INFO, cc_control_plane_create_async, cancellable, callback,
            user_data);
}

/**
 * cc_control_plane_create_finish:
 *
 * Returns: (transfer full): the new sandbox, with its envd access token
 */
CcSandboxInfo *
cc_control_plane_create_finish (CcControlPlane  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_control_plane_get_async (CcControlPlane      *self,
                            const char          *sandbox_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  path = sandbox_path ("/sandboxes/%s", sandbox_id);
  api_send (self, api_request (self, "GET", path, sandbox_id, CC_HTTP_RETRY_SAFE,
                               _("Could not get the sandbox’s state")),
            RESULT_INFO, cc_control_plane_get_async, cancellable, callback, user_data);
}

/**
 * cc_control_plane_get_finish:
 *
 * Returns: (transfer full): the sandbox's details
 */
CcSandboxInfo *
cc_control_plane_get_finish (CcControlPlane  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The SDK's metadata filter: the pairs form-encoded (k=v joined with '&'), then that whole string
 * sent as the value of one "metadata" parameter. Pairs go in key order so that equal filters
 * give equal requests. */
static char *
encode_metadata_filter (GHashTable *metadata)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GList) keys = g_hash_table_get_keys (metadata);

  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) pair = g_hash_table_new (g_str_hash, g_str_equal);
      g_autofree char *encoded = NULL;

      g_hash_table_insert (pair, l->data, g_hash_table_lookup (metadata, l->data));
      encoded = soup_form_encode_hash (pair);
      if (out->len > 0)
        g_string_append_c (out, '&');
      g_string_append (out, encoded);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * cc_control_plane_list_async:
 * @query: (nullable): filters and paging
 */
void
cc_control_plane_list_async (CcControlPlane           *self,
                             const CcSandboxListQuery *query,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  CcHttpRequest *request;

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));

  request = api_request (self, "GET", "/v2/sandboxes", NULL, CC_HTTP_RETRY_SAFE,
                         _("Could not list sandboxes"));
  if (query != NULL)
    {
      if (query->metadata != NULL && g_hash_table_size (query->metadata) > 0)
        {
          g_autofree char *filter = encode_metadata_filter (query->metadata);

          _cc_http_request_add_query (request, "metadata", filter);
        }
      if (query->running || query->paused)
        _cc_http_request_add_query (request, "state",
                                    query->running && query->paused ? "running,paused"
                                    : query->running ? "running" : "paused");
      if (query->limit > 0)
        {
          char limit[16];

          g_snprintf (limit, sizeof limit, "%u", query->limit);
          _cc_http_request_add_query (request, "limit", limit);
        }
      if (query->next_token != NULL)
        _cc_http_request_add_query (request, "nextToken", query->next_token);
    }
  api_send (self, request, RESULT_LIST, cc_control_plane_list_async, cancellable, callback,
            user_data);
}

/**
 * cc_control_plane_list_finish:
 * @next_token: (out) (optional) (transfer full): the next page's token, %NULL on the last page
 *
 * Returns: (transfer container) (element-type CcSandboxInfo): one page of sandboxes
 */
GPtrArray *
cc_control_plane_list_finish (CcControlPlane  *self,
                              GAsyncResult    *result,
                              char           **next_token,
                              GError         **error)
{
  GPtrArray *infos;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  infos = g_task_propagate_pointer (G_TASK (result), error);
  if (next_token != NULL)
    *next_token = infos ? g_strdup (g_object_get_data (G_OBJECT (result), "next-token")) : NULL;
  return infos;
}

void
cc_control_plane_kill_async (CcControlPlane      *self,
                             const char          *sandbox_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  path = sandbox_path ("/sandboxes/%s", sandbox_id);
  api_send (self, api_request (self, "DELETE", path, sandbox_id, CC_HTTP_RETRY_SAFE,
                               _("Could not stop the sandbox")),
            RESULT_VOID, cc_control_plane_kill_async, cancellable, callback, user_data);
}

gboolean
cc_control_plane_kill_finish (CcControlPlane  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_control_plane_set_timeout_async (CcControlPlane      *self,
                                    const char          *sandbox_id,
                                    guint                timeout_sec,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  post_sandbox_action (self, sandbox_id, "/sandboxes/%s/timeout", "timeout", timeout_sec,
                       _("Could not change the sandbox’s timeout"), RESULT_VOID,
                       cc_control_plane_set_timeout_async, cancellable, callback, user_data);
}

gboolean
cc_control_plane_set_timeout_finish (CcControlPlane  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_control_plane_refresh_async (CcControlPlane      *self,
                                const char          *sandbox_id,
                                guint                duration_sec,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  post_sandbox_action (self, sandbox_id, "/sandboxes/%s/refreshes", "duration",
                       duration_sec > 0 ? (gint64) duration_sec : -1,
                       _("Could not keep the sandbox alive"), RESULT_VOID,
                       cc_control_plane_refresh_async, cancellable, callback, user_data);
}

gboolean
cc_control_plane_refresh_finish (CcControlPlane  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_control_plane_pause_async (CcControlPlane      *self,
                              const char          *sandbox_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  g_autofree char *path = NULL;
  CcHttpRequest *request;

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  path = sandbox_path ("/sandboxes/%s/pause", sandbox_id);
  /* Pausing twice is harmless (409 "already paused"), so it may be retried too. */
  request = api_request (self, "POST", path, sandbox_id, CC_HTTP_RETRY_SAFE,
                         _("Could not pause the sandbox"));
  _cc_http_request_set_body (request, "application/json", body);
  _cc_http_request_accept_status (request, 409);
  api_send (self, request, RESULT_VOID, cc_control_plane_pause_async, cancellable, callback,
            user_data);
}

gboolean
cc_control_plane_pause_finish (CcControlPlane  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_control_plane_connect_async (CcControlPlane      *self,
                                const char          *sandbox_id,
                                guint                timeout_sec,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  post_sandbox_action (self, sandbox_id, "/v2/sandboxes/%s/connect", "timeout",
                       timeout_sec > 0 ? (gint64) timeout_sec : -1,
                       _("Could not connect to the sandbox"), RESULT_INFO,
                       cc_control_plane_connect_async, cancellable, callback, user_data);
}

/**
 * cc_control_plane_connect_finish:
 *
 * Returns: (transfer full): the running sandbox, with its envd access token
 */
CcSandboxInfo *
cc_control_plane_connect_finish (CcControlPlane  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_control_plane_get_metrics_async (CcControlPlane      *self,
                                    const char          *sandbox_id,
                                    gint64               start,
                                    gint64               end,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;
  CcHttpRequest *request;
  char buf[32];

  g_return_if_fail (CC_IS_CONTROL_PLANE (self));
  g_return_if_fail (sandbox_id != NULL);

  path = sandbox_path ("/sandboxes/%s/metrics", sandbox_id);
  request = api_request (self, "GET", path, sandbox_id, CC_HTTP_RETRY_SAFE,
                         _("Could not get the sandbox’s metrics"));
  if (start > 0)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, start);
      _cc_http_request_add_query (request, "start", buf);
    }
  if (end > 0)
    {
      g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, end);
      _cc_http_request_add_query (request, "end", buf);
    }
  api_send (self, request, RESULT_METRICS, cc_control_plane_get_metrics_async, cancellable,
            callback, user_data);
}

/**
 * cc_control_plane_get_metrics_finish:
 *
 * Returns: (transfer container) (element-type CcSandboxMetric): the samples
 */
GPtrArray *
cc_control_plane_get_metrics_finish (CcControlPlane  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
