/* cc-client-connections.c: the client's connections, API keys and the local engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One CcConnection per connection key, made on first use: the local engine is found (and
 * started) through the locator, cloud and custom endpoints take their key from the keyring.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cc-client-private.h"
#include "cc-protojson.h"

/* ---- connections and keys ---------------------------------------------------------------- */

const char *
_cc_client_keyring_name (CcConnectionKind  kind,
                         const char       *endpoint)
{
  if (kind == CC_CONNECTION_CUSTOM && endpoint != NULL && *endpoint != '\0')
    return endpoint;
  return CC_KEYRING_CONNECTION_E2B;
}

static char *
connection_key_for (CcConnectionKind  kind,
                    const char       *api_url)
{
  switch (kind)
    {
    case CC_CONNECTION_E2B:
      return g_strdup ("e2b");
    case CC_CONNECTION_CUSTOM:
      return g_strdup_printf ("custom:%s", api_url);
    case CC_CONNECTION_LOCAL:
    default:
      return g_strdup ("local");
    }
}

char *
_cc_client_connection_key (CcProject *project)
{
  return connection_key_for (cc_project_get_connection_kind (project),
                             _cc_nonempty (cc_project_get_api_url (project)));
}

/* One connection per engine, borrowed from the cache. It is keyed by URL: a restarted engine
 * has a new URL and key. Status checks share it, so it carries the request timeout too. */
static CcConnection *
engine_connection (CcClient           *self,
                   const CcEngineInfo *info)
{
  CcConnection *connection = g_hash_table_lookup (self->connections, info->url);

  if (connection == NULL)
    {
      connection = cc_engine_info_create_connection (info);
      cc_connection_set_request_timeout (connection, self->request_timeout);
      g_hash_table_insert (self->connections, g_strdup (info->url), connection);
    }
  return connection;
}

static void
locate_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  g_autoptr(CcEngineInfo) info = NULL;
  GError *error = NULL;

  info = cc_engine_locator_locate_finish (CC_ENGINE_LOCATOR (source), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (engine_connection (self, info)), g_object_unref);
}

static void
keyring_lookup_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  CcProject *project = g_task_get_task_data (task);
  CcConnectionKind kind = cc_project_get_connection_kind (project);
  g_autofree char *cache_key = _cc_client_connection_key (project);
  g_autoptr(CcConnection) connection = NULL;
  GError *error = NULL;
  char *key;

  key = cc_keyring_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (key == NULL && kind == CC_CONNECTION_E2B)
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NO_API_KEY,
                               _("There is no E2B API key. Add your E2B API key in Preferences "
                                 "(or with “code-canvas-cli key set”)."));
      return;
    }

  if (kind == CC_CONNECTION_E2B)
    connection = cc_connection_new_e2b (NULL);
  else
    {
      const char *sandbox_url = _cc_nonempty (cc_project_get_sandbox_url (project));
      const char *url = NULL;
      const char *domain = NULL;

      /* The second custom field is either a full URL or just a domain. */
      if (sandbox_url != NULL && strstr (sandbox_url, "://") != NULL)
        url = sandbox_url;
      else
        domain = sandbox_url;
      connection = cc_connection_new_custom (_cc_nonempty (cc_project_get_api_url (project)), url, domain);
    }
  cc_connection_set_api_key (connection, key);
  cc_connection_set_request_timeout (connection, self->request_timeout);
  cc_keyring_key_free (key);
  g_hash_table_replace (self->connections, g_strdup (cache_key), g_object_ref (connection));
  g_task_return_pointer (task, g_steal_pointer (&connection), g_object_unref);
}

void
_cc_client_get_connection_async (CcClient            *self,
                                 CcProject           *project,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *key = _cc_client_connection_key (project);
  CcConnection *cached;

  g_task_set_source_tag (task, _cc_client_get_connection_async);
  g_task_set_task_data (task, g_object_ref (project), g_object_unref);

  if (cc_project_get_connection_kind (project) == CC_CONNECTION_LOCAL)
    {
      cc_engine_locator_locate_async (self->locator, cancellable, locate_cb, g_steal_pointer (&task));
      return;
    }
  cached = g_hash_table_lookup (self->connections, key);
  if (cached != NULL)
    {
      g_task_return_pointer (task, g_object_ref (cached), g_object_unref);
      return;
    }
  cc_keyring_lookup_async (_cc_client_keyring_name (cc_project_get_connection_kind (project),
                                                    _cc_nonempty (cc_project_get_api_url (project))),
                           cancellable, keyring_lookup_cb, g_steal_pointer (&task));
}

CcConnection *
_cc_client_get_connection_finish (CcClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
forget_connections (CcClient         *self,
                    CcConnectionKind  kind,
                    const char       *endpoint)
{
  /* The local kind has no key of its own: _cc_client_keyring_name () gives it E2B's entry. */
  g_autofree char *cache_key =
    connection_key_for (kind == CC_CONNECTION_CUSTOM ? kind : CC_CONNECTION_E2B, endpoint);

  /* Live connections hold the old key in memory: drop them so the next call reads it again. */
  g_hash_table_remove (self->connections, cache_key);
}

/* Completes both key writes: storing and clearing a key answer the same way. */
static void
key_changed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (task) == cc_client_store_api_key_async)
    ok = cc_keyring_store_finish (result, &error);
  else
    ok = cc_keyring_clear_finish (result, &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cc_client_store_api_key_async (CcClient            *self,
                               CcConnectionKind     kind,
                               const char          *endpoint,
                               const char          *key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_store_api_key_async);
  if (kind == CC_CONNECTION_LOCAL)
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("The local engine needs no API key."));
      return;
    }
  if (key == NULL || key[strspn (key, " \t\r\n")] == '\0')
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("The API key is empty. Paste the key from your E2B dashboard."));
      return;
    }
  forget_connections (self, kind, endpoint);
  cc_keyring_store_async (_cc_client_keyring_name (kind, endpoint), key, cancellable,
                          key_changed_cb, g_steal_pointer (&task));
}

gboolean
cc_client_store_api_key_finish (CcClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_clear_api_key_async (CcClient            *self,
                               CcConnectionKind     kind,
                               const char          *endpoint,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_clear_api_key_async);
  forget_connections (self, kind, endpoint);
  cc_keyring_clear_async (_cc_client_keyring_name (kind, endpoint), cancellable, key_changed_cb,
                          g_steal_pointer (&task));
}

gboolean
cc_client_clear_api_key_finish (CcClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
has_key_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key = cc_keyring_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, key != NULL);
  cc_keyring_key_free (key);
}

void
cc_client_has_api_key_async (CcClient            *self,
                             CcConnectionKind     kind,
                             const char          *endpoint,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_has_api_key_async);
  cc_keyring_lookup_async (_cc_client_keyring_name (kind, endpoint), cancellable, has_key_cb,
                           g_steal_pointer (&task));
}

gboolean
cc_client_has_api_key_finish (CcClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the local engine -------------------------------------------------------------------- */

/* The details of the facts that are not "ok" in a status answer, or NULL; not @said, the reason
 * for no isolation already given (a missing launcher is both). */
static GStrv
missing_facts (JsonObject *object,
               const char *said)
{
  JsonNode *node = json_object_get_member (object, "facts");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) missing = NULL;
  JsonArray *facts;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  facts = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (facts); i++)
    {
      JsonNode *element = json_array_get_element (facts, i);
      const char *detail;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      detail = cc_protojson_get_string (json_node_get_object (element), "detail");
      if (!cc_protojson_get_bool (json_node_get_object (element), "ok", TRUE) && detail != NULL &&
          g_strcmp0 (detail, said) != 0)
        g_strv_builder_add (builder, detail);
    }
  missing = g_strv_builder_end (builder);
  return missing[0] != NULL ? g_steal_pointer (&missing) : NULL;
}

void
cc_engine_status_free (CcEngineStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->isolation);
  g_free (status->url);
  g_free (status->version);
  g_free (status->detail);
  g_strfreev (status->missing);
  g_free (status);
}

static void
health_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcEngineStatus *status = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body != NULL && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)) &&
      g_bytes_get_size (body) > 0)
    {
      g_autoptr(JsonObject) object = cc_protojson_parse_object (g_bytes_get_data (body, NULL),
                                                                g_bytes_get_size (body), NULL);

      if (object != NULL)
        {
          const char *isolation = cc_protojson_get_string (object, "isolation");
          const char *reason = cc_protojson_get_string (object, "isolationReason");
          const char *version = cc_protojson_get_string (object, "version");

          if (reason == NULL)
            reason = cc_protojson_get_string (object, "isolation_reason");
          status->isolated = isolation != NULL ? g_strcmp0 (isolation, "none") != 0
                                               : cc_protojson_get_bool (object, "isolated", FALSE);
          if (isolation != NULL && status->isolation == NULL)
            status->isolation = g_strdup (isolation);
          if (version != NULL && status->version == NULL)
            status->version = g_strdup (version);
          if (!status->isolated && reason != NULL)
            status->detail = g_strdup (reason);
          /* What the isolation keeps apart, and what it does not, in words. */
          else if (g_strcmp0 (isolation, "flatpak-spawn") == 0)
            status->detail = g_strdup (_("Each sandbox runs in a Flatpak sandbox of its own: it "
                                         "sees only its own files and processes, not yours, the "
                                         "app's data or other sandboxes. Not kept apart: "
                                         "sandboxes with internet access share the app's network, "
                                         "so they reach each other's servers and cannot use the "
                                         "same port at the same time."));
          else if (g_strcmp0 (isolation, "bubblewrap") == 0)
            status->detail = g_strdup (_("Each sandbox runs in a container of its own: a "
                                         "read-only system, its own files, processes and network; "
                                         "your files and other sandboxes are out of its reach."));
          status->missing = missing_facts (object, status->isolated ? NULL : status->detail);
        }
    }
  if (!status->isolated && status->detail == NULL)
    status->detail = g_strdup (_("Sandboxes on this computer run without bubblewrap isolation."));
  g_task_return_pointer (task, status, (GDestroyNotify) cc_engine_status_free);
}

static void
status_locate_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  CcEngineStatus *status;
  CcClient *self = g_task_get_source_object (task);

  info = cc_engine_locator_locate_finish (CC_ENGINE_LOCATOR (source), result, &error);
  status = g_new0 (CcEngineStatus, 1);
  if (info == NULL)
    {
      status->running = FALSE;
      status->detail = g_strdup (error->message);
      g_task_return_pointer (task, status, (GDestroyNotify) cc_engine_status_free);
      return;
    }
  status->running = TRUE;
  status->url = g_strdup (info->url);
  status->version = g_strdup (info->version);
  g_task_set_task_data (task, status, NULL);

  url = g_strdup_printf ("%s/engine/status", info->url);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-KEY", info->api_key);
  soup_session_send_and_read_async (cc_connection_get_session (engine_connection (self, info)), msg,
                                    G_PRIORITY_DEFAULT, g_task_get_cancellable (task), health_cb,
                                    g_object_ref (task));
}

void
cc_client_get_engine_status_async (CcClient            *self,
                                   gboolean             start,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_get_engine_status_async);
  cc_engine_locator_set_autostart (self->locator, start && self->engine_autostart);
  cc_engine_locator_locate_async (self->locator, cancellable, status_locate_cb,
                                  g_steal_pointer (&task));
  cc_engine_locator_set_autostart (self->locator, self->engine_autostart);
}

CcEngineStatus *
cc_client_get_engine_status_finish (CcClient      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_client_set_engine_runtime_dir (CcClient   *self,
                                  const char *runtime_dir)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  cc_engine_locator_set_runtime_dir (self->locator, runtime_dir);
}

void
cc_client_set_engine_autostart (CcClient *self,
                                gboolean  autostart)
{
  g_return_if_fail (CC_IS_CLIENT (self));
  self->engine_autostart = autostart;
  cc_engine_locator_set_autostart (self->locator, autostart);
}

static void
env_locate_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcEngineInfo) info = NULL;
  GError *error = NULL;

  info = cc_engine_locator_locate_finish (CC_ENGINE_LOCATOR (source), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Printed for the user's own shell on request (like the engine's --print-env). */
  g_task_return_pointer (task,
                         g_strdup_printf ("E2B_API_URL=%s\nE2B_SANDBOX_URL=%s\nE2B_API_KEY=%s\n",
                                          info->url, info->url, info->api_key),
                         g_free);
}

void
cc_client_get_engine_env_async (CcClient            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_get_engine_env_async);
  cc_engine_locator_locate_async (self->locator, cancellable, env_locate_cb, g_steal_pointer (&task));
}

char *
cc_client_get_engine_env_finish (CcClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
