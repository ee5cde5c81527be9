/* cc-client-devserver.c: start the project's dev server and hand out its preview URL
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The start command runs in the background without deadline (a recorded "dev_server"
 * execution). Readiness is checked where the user will look: the preview URL itself is polled
 * over HTTP until something other than the proxy's "port is not open" answer comes back. On
 * E2B that URL is https://<port>-<id>.<domain>; on the local engine it is a loopback listener
 * the engine opens on request (POST /engine/previews), because Debian's resolver does not map
 * <port>-<id>.localhost to loopback. When the server never answers, the sandbox is asked why:
 * the process exited (its last lines), or /proc/net/tcp shows the port bound to loopback only.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cc-client-exec-private.h"
#include "cc-client-private.h"
#include "cc-client-sandbox-private.h"
#include "cc-protojson.h"
#include "cc-tls-hint.h"

#define DEV_SERVER_POLL_MS    250
#define DEV_SERVER_TAIL_LINES 12

typedef struct
{
  char         *project_id;
  CcProject    *project;
  guint         port;
  char         *command;
  CcExecution  *server;
  CcEnvd       *envd;
  CcConnection *connection;
  char         *url;
  gint64        deadline;
  guint         poll_id;
  gulong        finished_id;
  gboolean      polling;
  gboolean      done;
  gboolean      server_exited;
  gboolean      port_held;     /* something listened on the port before ours started */
  GAsyncReadyCallback preview_done;  /* what reads the engine's answer to POST /engine/previews */
  char         *held_by;       /* the sandbox holding the port of a shared network */
} DevStart;

static void
dev_start_free (DevStart *start)
{
  g_clear_handle_id (&start->poll_id, g_source_remove);
  if (start->server != NULL)
    g_clear_signal_handler (&start->finished_id, start->server);
  g_free (start->project_id);
  g_clear_object (&start->project);
  g_free (start->command);
  g_clear_object (&start->server);
  g_clear_object (&start->envd);
  g_clear_object (&start->connection);
  g_free (start->url);
  g_free (start->held_by);
  g_free (start);
}

/* The last @n lines of the server's output, for an error message. */
static char *
tail_lines (CcExecution *execution,
            guint        n)
{
  g_autoptr(GBytes) out = cc_execution_dup_stdout (execution);
  g_autoptr(GBytes) err = cc_execution_dup_stderr (execution);
  g_autoptr(GString) all = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint len, first;
  g_autoptr(GString) tail = g_string_new (NULL);

  g_string_append_len (all, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  if (all->len > 0 && all->str[all->len - 1] != '\n')
    g_string_append_c (all, '\n');
  g_string_append_len (all, g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  lines = g_strsplit (g_strchomp (all->str), "\n", -1);
  len = g_strv_length (lines);
  first = len > n ? len - n : 0;
  for (guint i = first; i < len; i++)
    {
      g_string_append (tail, "  ");
      g_string_append (tail, lines[i]);
      g_string_append_c (tail, '\n');
    }
  return g_string_free (g_steal_pointer (&tail), FALSE);
}

static void
dev_fail (GTask  *task,
          GError *error)
{
  g_autoptr(GTask) hold = g_object_ref (task);   /* the poll source may hold the last ref */
  DevStart *start = g_task_get_task_data (task);

  g_clear_handle_id (&start->poll_id, g_source_remove);
  if (start->done)
    {
      g_error_free (error);
      return;
    }
  start->done = TRUE;
  g_task_return_error (task, error);
}

/* ---- diagnosis --------------------------------------------------------------------------- */

/* What /proc/net/tcp{,6} says about @port: listening on any address, only loopback, or not. */
static void
scan_listeners (const char *text,
                guint       port,
                gboolean   *any,
                gboolean   *loopback,
                GString    *others)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) parts = g_ptr_array_new ();
      const char *local, *colon;
      guint64 lport;

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (parts, fields[j]);
      /* sl local_address rem_address st … ; st 0A = LISTEN */
      if (parts->len < 4 || g_strcmp0 (g_ptr_array_index (parts, 3), "0A") != 0)
        continue;
      local = g_ptr_array_index (parts, 1);
      colon = strrchr (local, ':');
      if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 16, 0, 65535, &lport, NULL))
        continue;
      if (lport == port)
        {
          gsize addr_len = colon - local;

          if ((addr_len == 8 && g_str_has_prefix (local, "0100007F")) ||
              (addr_len == 32 && g_str_has_prefix (local, "0000000000000000FFFF00000100007F")) ||
              (addr_len == 32 && g_str_has_prefix (local, "00000000000000000000000001000000")))
            *loopback = TRUE;
          else
            *any = TRUE;
        }
      else if (lport != CC_CONNECTION_ENVD_PORT && others->len < 120)
        {
          g_autofree char *p = g_strdup_printf ("%" G_GUINT64_FORMAT, lport);

          if (strstr (others->str, p) == NULL)
            g_string_append_printf (others, "%s%s", others->len ? ", " : "", p);
        }
    }
}

static void
diagnose_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(CcExecution) probe = NULL;
  g_autoptr(GString) others = g_string_new (NULL);
  g_autofree char *tail = tail_lines (start->server, DEV_SERVER_TAIL_LINES);
  gboolean any = FALSE, loopback = FALSE;
  g_autoptr(GError) error = NULL;

  probe = cc_client_execute_finish (CC_CLIENT (source), result, &error);
  if (probe != NULL)
    {
      g_autoptr(GBytes) out = cc_execution_dup_stdout (probe);
      g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

      scan_listeners (text, start->port, &any, &loopback, others);
    }
  if (loopback && !any)
    dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PORT_NOT_OPEN,
                                 _("The dev server listens on port %u only on localhost, so the "
                                   "preview cannot reach it. Make it listen on 0.0.0.0 (for "
                                   "example --host 0.0.0.0). Its last output:\n%s"),
                                 start->port, tail));
  else
    dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PORT_NOT_OPEN,
                                 _("Nothing answered on port %u within %d seconds. %s%s%sCheck the "
                                   "start command and the port in the project settings. Its last "
                                   "output:\n%s"),
                                 start->port, CC_CLIENT (g_task_get_source_object (task))->dev_server_wait,
                                 others->len ? _("Ports open in the sandbox: ") : "",
                                 others->str, others->len ? ". " : "", tail));
}

static void
diagnose (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);

  cc_client_execute_async (self, start->project_id, "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null",
                           CC_EXECUTE_FLAGS_NONE, NULL, diagnose_done_cb, g_object_ref (task));
}

/* Node says EADDRINUSE, Python "Address already in use", Vite "Port 5173 is already in use". */
static gboolean
output_says_port_in_use (CcExecution *server)
{
  g_autofree char *tail = tail_lines (server, DEV_SERVER_TAIL_LINES * 4);
  g_autofree char *lower = g_ascii_strdown (tail, -1);

  return strstr (lower, "in use") != NULL || strstr (lower, "eaddrinuse") != NULL;
}

/* ---- polling the preview URL ------------------------------------------------------------- */

static gboolean poll_cb (gpointer user_data);
static GError *server_exit_error (DevStart *start);

static void
schedule_poll (GTask *task)
{
  DevStart *start = g_task_get_task_data (task);

  start->poll_id = g_timeout_add_full (G_PRIORITY_DEFAULT, DEV_SERVER_POLL_MS, poll_cb,
                                       g_object_ref (task), g_object_unref);
}

static void
poll_answered_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DevStart *start = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  start->polling = FALSE;
  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (start->done)
    return;
  status = body != NULL ? soup_message_get_status (msg) : 0;
  /* 502 is the proxy's "port is not open"; anything else is a server answering — ours only
   * while our process runs: once it exited, whatever answers on the port is another program. */
  if (body != NULL && status != 0 && status != SOUP_STATUS_BAD_GATEWAY && !start->server_exited &&
      !start->port_held)
    {
      g_clear_handle_id (&start->poll_id, g_source_remove);
      start->done = TRUE;
      g_task_return_pointer (task, g_strdup (start->url), g_free);
      return;
    }
  if (start->server_exited)
    {
      dev_fail (task, server_exit_error (start));
      return;
    }
  if (g_get_monotonic_time () > start->deadline)
    {
      g_clear_handle_id (&start->poll_id, g_source_remove);
      diagnose (task);
      return;
    }
  schedule_poll (task);
}

static gboolean
poll_cb (gpointer user_data)
{
  GTask *task = user_data;
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;

  start->poll_id = 0;
  if (start->done || start->polling)
    return G_SOURCE_REMOVE;
  msg = soup_message_new (SOUP_METHOD_GET, start->url);
  if (msg == NULL)
    {
      dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                                   _("The preview address “%s” is not a valid URL."), start->url));
      return G_SOURCE_REMOVE;
    }
  start->polling = TRUE;
  soup_session_send_and_read_async (cc_connection_get_session (start->connection), msg,
                                    G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    poll_answered_cb, g_object_ref (task));
  return G_SOURCE_REMOVE;
}

/* Why the server is not there, once it has ended. */
static GError *server_exit_error_plain (DevStart *start);

/* A dev server that cannot download (Vite's dependency step) fails the same way behind a TLS
 * proxy: say how to trust its CA. */
static GError *
server_exit_error (DevStart *start)
{
  GError *error = server_exit_error_plain (start);

  _cc_tls_hint_add_to_error (&error, start->server);
  return error;
}

static GError *
server_exit_error_plain (DevStart *start)
{
  const GError *error = cc_execution_get_error (start->server);
  g_autofree char *tail = tail_lines (start->server, DEV_SERVER_TAIL_LINES);

  if (error != NULL && _cc_client_error_is_gone (error))
    return g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_SANDBOX_GONE,
                        _("The sandbox stopped while the dev server was starting (it may have "
                          "expired). Start the dev server again."));
  if (error != NULL)
    return g_error_copy (error);
  if (output_says_port_in_use (start->server))
    return g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROCESS_EXITED,
                        _("The dev server (“%s”) exited with status %d: another program in the "
                          "sandbox already uses port %u. Stop that program or choose another "
                          "port. Its last output:\n%s"),
                        start->command, cc_execution_get_exit_code (start->server), start->port,
                        tail);
  return g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROCESS_EXITED,
                      _("The dev server (“%s”) exited with status %d before it answered on port "
                        "%u. Its last output:\n%s"),
                      start->command, cc_execution_get_exit_code (start->server), start->port, tail);
}

static void
server_finished_cb (CcExecution *server,
                    GTask       *task)
{
  DevStart *start = g_task_get_task_data (task);

  if (start->done)
    return;
  g_clear_signal_handler (&start->finished_id, server);
  /* Our server is gone: fail at once, with its status and last lines. Never a URL now, even if
   * something answers on the port (another program's server, which made ours exit with
   * "address in use"). */
  start->server_exited = TRUE;
  dev_fail (task, server_exit_error (start));
}

static void
start_polling (GTask *task)
{
  DevStart *start = g_task_get_task_data (task);

  start->deadline = g_get_monotonic_time () +
    (gint64) CC_CLIENT (g_task_get_source_object (task))->dev_server_wait * G_USEC_PER_SEC;
  /* No reference for the handler: freeing the task data disconnects it. */
  if (cc_execution_is_done (start->server))
    start->server_exited = TRUE;
  else
    start->finished_id = g_signal_connect (start->server, "finished", G_CALLBACK (server_finished_cb), task);
  poll_cb (task);
  g_object_unref (task);
}

static void
preview_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DevStart *start = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;
  GError *error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      dev_fail (task, error);
      return;
    }
  if (SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    object = cc_protojson_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (object == NULL || cc_protojson_get_string (object, "url") == NULL)
    {
      dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                                   _("The local engine did not give a preview address (HTTP %u). "
                                     "Restart the engine and try again."),
                                   soup_message_get_status (msg)));
      return;
    }
  start->url = g_strdup (cc_protojson_get_string (object, "url"));
  start_polling (g_steal_pointer (&task));
}

static void
preview_locate_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(CcEngineInfo) info = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;
  gsize length;
  GError *error = NULL;

  info = cc_engine_locator_locate_finish (CC_ENGINE_LOCATOR (source), result, &error);
  if (info == NULL)
    {
      dev_fail (task, error);
      return;
    }
  url = g_strdup_printf ("%s/engine/previews", info->url);
  msg = soup_message_new (SOUP_METHOD_POST, url);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxID");
  json_builder_add_string_value (builder, cc_envd_get_sandbox_id (start->envd));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, start->port);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = cc_protojson_to_string (root, &length);
  body = g_bytes_new_take (text, length);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-KEY", info->api_key);
  soup_session_send_and_read_async (cc_connection_get_session (start->connection), msg,
                                    G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    start->preview_done, g_object_ref (task));
}

/* Asks the local engine for the preview of start->port (its URL, and who holds the port);
 * @done gets the answer. Takes @task. */
static void
ask_engine_preview (GTask               *task,
                    GAsyncReadyCallback  done)
{
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);

  start->preview_done = done;
  cc_engine_locator_locate_async (self->locator, g_task_get_cancellable (task),
                                  preview_locate_cb, task);
}

/* The server runs; find out where its preview is, then poll it. */
static void
server_ensure_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  DevStart *start = g_task_get_task_data (task);
  g_autofree char *host = NULL;
  GError *error = NULL;

  g_clear_object (&start->envd);
  g_clear_object (&start->connection);
  start->envd = _cc_client_ensure_sandbox_finish (self, result, &error);
  if (start->envd == NULL)
    {
      dev_fail (task, error);
      return;
    }
  start->connection = g_object_ref (cc_envd_get_connection (start->envd));
  if (cc_connection_get_kind (start->connection) == CC_CONNECTION_LOCAL)
    {
      ask_engine_preview (g_steal_pointer (&task), preview_created_cb);
      return;
    }
  {
    CcSandboxInfo *info = cc_sandbox_session_get_info (_cc_client_get_session (self, start->project_id));

    host = cc_connection_dup_sandbox_host (start->connection, cc_envd_get_sandbox_id (start->envd),
                                           info ? info->domain : NULL, start->port);
  }
  if (host == NULL)
    {
      dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FAILED,
                                   _("This connection has no sandbox domain, so there is no preview "
                                     "address. Set the sandbox domain of the custom endpoint.")));
      return;
    }
  start->url = g_strdup_printf ("%s://%s/", cc_connection_get_sandbox_scheme (start->connection),
                                host);
  start_polling (g_steal_pointer (&task));
}

static void
server_started_cb (CcExecution *server,
                   guint        pid,
                   GTask       *task)
{
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);

  g_signal_handlers_disconnect_by_data (server, task);
  start->finished_id = 0;
  _cc_client_ensure_sandbox_async (self, start->project_id, g_task_get_cancellable (task),
                                   server_ensure_cb, g_object_ref (task));
  g_object_unref (task);
}

static void
server_start_failed_cb (CcExecution *server,
                        GTask       *task)
{
  DevStart *start = g_task_get_task_data (task);

  g_signal_handlers_disconnect_by_data (server, task);
  start->finished_id = 0;
  server_finished_cb (server, task);
  g_object_unref (task);
}

/* Follows start->server until it started (then the preview) or finished; takes @task. */
static void
watch_server (GTask *task)
{
  DevStart *start = g_task_get_task_data (task);

  /* The two handlers share one reference; whichever fires first drops it and both handlers. */
  g_signal_connect (start->server, "started", G_CALLBACK (server_started_cb), task);
  start->finished_id = g_signal_connect (start->server, "finished",
                                         G_CALLBACK (server_start_failed_cb), task);
}

static void
start_new_server (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);

  start->server = _cc_client_execute_full (self, start->project_id, start->command,
                                           CC_EXECUTE_FLAGS_NO_DEADLINE, CC_OPERATION_TYPE_DEV_SERVER);
  cc_sandbox_session_set_dev_server (_cc_client_get_session (self, start->project_id),
                                     start->server, start->port);
  watch_server (task);
}

static void
held_projects_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(GListModel) projects = cc_store_list_projects_finish (CC_STORE (source), result, NULL);
  const char *name = NULL;

  for (guint i = 0; projects != NULL && i < g_list_model_get_n_items (projects) && name == NULL; i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (projects, i);

      if (g_strcmp0 (cc_project_get_sandbox_id (project), start->held_by) == 0)
        name = cc_project_get_name (project);
    }
  if (name != NULL)
    dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ALREADY_EXISTS,
                                 _("Port %u is in use by the dev server of project “%s”. Here "
                                   "sandboxes with internet access share one network, so two "
                                   "projects cannot use the same port at the same time. Stop "
                                   "that project's dev server, or choose another port in this "
                                   "project's settings."), start->port, name));
  else
    dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ALREADY_EXISTS,
                                 _("Port %u is in use by another sandbox (%s) of the local engine. "
                                   "Here sandboxes with internet access share one network. Stop "
                                   "its dev server, or choose another port in this project's "
                                   "settings."), start->port, start->held_by));
}

/* The engine's answer about the port: another sandbox's (a shared network, inside the
 * Flatpak), or nobody's we know. */
static void
held_preview_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr(JsonObject) object = NULL;
  const char *held_by = NULL;
  GCancellable *cancellable;

  if (body != NULL)
    object = cc_protojson_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (object != NULL)
    held_by = cc_protojson_get_string (object, "heldBy");
  if (held_by == NULL || *held_by == '\0')
    {
      start_new_server (g_steal_pointer (&task));
      return;
    }
  start->held_by = g_strdup (held_by);
  cancellable = g_task_get_cancellable (task);
  cc_store_list_projects_async (self->store, cancellable, held_projects_cb, g_steal_pointer (&task));
}

static void
held_listed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GError) error = NULL;
  guint pid = 0;

  processes = cc_envd_list_processes_finish (CC_ENVD (source), result, &error);
  for (guint i = 0; processes != NULL && i < processes->len && pid == 0; i++)
    {
      CcProcessInfo *info = g_ptr_array_index (processes, i);

      /* Commands run as "<shell> -l -c <command>": the same start command is our server. */
      if (info->args != NULL && g_strv_length (info->args) >= 1 &&
          g_str_equal (info->args[g_strv_length (info->args) - 1], start->command))
        pid = info->pid;
    }
  if (pid == 0 && cc_connection_get_kind (cc_envd_get_connection (CC_ENVD (source))) == CC_CONNECTION_LOCAL)
    {
      /* Not ours. Another project's, when sandboxes share a network: the engine knows. */
      g_clear_object (&start->envd);
      g_clear_object (&start->connection);
      start->envd = g_object_ref (CC_ENVD (source));
      start->connection = g_object_ref (cc_envd_get_connection (start->envd));
      ask_engine_preview (g_steal_pointer (&task), held_preview_cb);
      return;
    }
  if (pid == 0)
    {
      start_new_server (g_steal_pointer (&task));
      return;
    }
  /* Ours: follow it again; whatever answers on the port is that process. */
  start->port_held = FALSE;
  start->server = cc_client_reattach (self, start->project_id, pid, NULL);
  cc_sandbox_session_set_dev_server (_cc_client_get_session (self, start->project_id),
                                     start->server, start->port);
  watch_server (g_steal_pointer (&task));
}

static void
held_ensure_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcEnvd) envd = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      dev_fail (task, error);
      return;
    }
  cc_envd_list_processes_async (envd, cancellable, held_listed_cb, g_steal_pointer (&task));
}

static void
port_checked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  DevStart *start = g_task_get_task_data (task);
  g_autoptr(CcExecution) probe = NULL;
  g_autoptr(GString) others = g_string_new (NULL);
  gboolean any = FALSE, loopback = FALSE;
  GError *error = NULL;

  probe = cc_client_execute_finish (self, result, &error);
  if (probe == NULL)
    {
      dev_fail (task, error);
      return;
    }
  {
    g_autoptr(GBytes) out = cc_execution_dup_stdout (probe);
    g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

    scan_listeners (text, start->port, &any, &loopback, others);
  }
  start->port_held = any || loopback;
  if (start->port_held)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      /* Maybe our own server, started by an earlier run of the program: look for it. */
      _cc_client_ensure_sandbox_async (self, start->project_id, cancellable, held_ensure_cb,
                                       g_steal_pointer (&task));
      return;
    }
  start_new_server (g_steal_pointer (&task));
}

static void
dev_project_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  DevStart *start = g_task_get_task_data (task);
  const CcTemplate *template;
  const char *command;
  CcSandboxSession *session;
  CcExecution *running;
  GError *error = NULL;

  start->project = _cc_client_get_project_finish (self, result, &error);
  if (start->project == NULL)
    {
      dev_fail (task, error);
      return;
    }
  g_free (start->project_id);
  start->project_id = g_strdup (cc_project_get_id (start->project));
  if (start->port == 0)
    start->port = cc_project_get_port (start->project);
  command = _cc_nonempty (cc_project_get_start_command (start->project));
  if ((command == NULL || *command == '\0') &&
      (template = cc_template_lookup (_cc_nonempty (cc_project_get_template (start->project)))) != NULL)
    command = cc_template_get_start_command (template);
  if (command == NULL || *command == '\0')
    {
      dev_fail (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                   _("The project has no start command. Set one in the project "
                                     "settings (for example “npm run dev”) and try again.")));
      return;
    }
  start->command = cc_template_expand_command (command, start->port);

  session = _cc_client_get_session (self, start->project_id);
  running = cc_sandbox_session_get_dev_server (session);
  if (running != NULL && !cc_execution_is_done (running) &&
      cc_sandbox_session_get_dev_server_port (session) == start->port)
    {
      /* Already running: only find its URL again. */
      start->server = g_object_ref (running);
      if (cc_execution_get_state (start->server) == CC_EXECUTION_STATE_RUNNING)
        {
          _cc_client_ensure_sandbox_async (self, start->project_id, g_task_get_cancellable (task),
                                           server_ensure_cb, g_object_ref (task));
          return;
        }
    }
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      cc_sandbox_session_stop_dev_server (session);
      /* Who listens on the port before ours starts: an answer from such a program must never
       * be taken for our server's. */
      cc_client_execute_async (self, start->project_id,
                               "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null",
                               CC_EXECUTE_FLAGS_NONE, cancellable, port_checked_cb,
                               g_steal_pointer (&task));
      return;
    }
  watch_server (g_steal_pointer (&task));
}

void
cc_client_start_dev_server_async (CcClient            *self,
                                  const char          *project_id,
                                  guint                port,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DevStart *start;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_start_dev_server_async);
  start = g_new0 (DevStart, 1);
  start->project_id = g_strdup (project_id);
  start->port = port;
  g_task_set_task_data (task, start, (GDestroyNotify) dev_start_free);
  _cc_client_get_project_async (self, project_id, cancellable, dev_project_cb, g_steal_pointer (&task));
}

char *
cc_client_start_dev_server_finish (CcClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CcExecution *
cc_client_get_dev_server (CcClient   *self,
                          const char *project_id)
{
  CcSandboxSession *session;

  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);

  session = _cc_client_lookup_session (self, project_id);
  return session ? cc_sandbox_session_get_dev_server (session) : NULL;
}

static void
stop_wait_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* The server ends cancelled: that is the success of a stop. */
  g_task_return_boolean (task, TRUE);
}

void
cc_client_stop_dev_server_async (CcClient            *self,
                                 const char          *project_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CcExecution) server = NULL;
  CcSandboxSession *session;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_stop_dev_server_async);
  session = _cc_client_lookup_session (self, project_id);
  server = session ? cc_sandbox_session_steal_dev_server (session) : NULL;
  if (server == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  cc_execution_cancel (server);
  cc_execution_wait_async (server, cancellable, stop_wait_cb, g_steal_pointer (&task));
}

gboolean
cc_client_stop_dev_server_finish (CcClient      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
