/* cc-envd.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Request bodies carry only fields the daemon knows (real envd rejects unknown ones), in the
 * SDK's order, with the SDK's defaults.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-envd-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

#define KEEPALIVE_INTERVAL "50"
#define TRANSFER_CHUNK     (64 * 1024)

struct _CcEnvd
{
  GObject       parent_instance;

  CcConnection *connection;
  char         *sandbox_id;
  char         *access_token;   /* secret */
  char         *base_url;
  char         *user;
  gboolean      legacy_user;    /* envd < 0.4.0 needs the user named on every call */
};

G_DEFINE_FINAL_TYPE (CcEnvd, cc_envd, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */
/* Plain structs                                                                               */

CcProcessSpec *
cc_process_spec_new_command (const char *command)
{
  CcProcessSpec *spec = g_new0 (CcProcessSpec, 1);
  const char *args[] = { "-l", "-c", command, NULL };

  g_return_val_if_fail (command != NULL, NULL);

  /* commands.run always goes through a login shell, the command as one argument. */
  spec->cmd = g_strdup ("/bin/bash");
  spec->args = g_strdupv ((char **) args);
  spec->timeout_ms = CC_ENVD_DEFAULT_COMMAND_TIMEOUT;
  return spec;
}

CcProcessSpec *
cc_process_spec_new_pty (guint cols,
                         guint rows)
{
  CcProcessSpec *spec = g_new0 (CcProcessSpec, 1);
  const char *args[] = { "-i", "-l", NULL };

  spec->cmd = g_strdup ("/bin/bash");
  spec->args = g_strdupv ((char **) args);
  spec->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (spec->envs, g_strdup ("TERM"), g_strdup ("xterm-256color"));
  g_hash_table_insert (spec->envs, g_strdup ("LANG"), g_strdup ("C.UTF-8"));
  g_hash_table_insert (spec->envs, g_strdup ("LC_ALL"), g_strdup ("C.UTF-8"));
  spec->pty = TRUE;
  spec->cols = cols;
  spec->rows = rows;
  spec->timeout_ms = CC_ENVD_DEFAULT_COMMAND_TIMEOUT;
  return spec;
}

static GHashTable *
copy_string_table (GHashTable *table)
{
  GHashTable *copy;
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    return NULL;
  copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

CcProcessSpec *
cc_process_spec_copy (const CcProcessSpec *spec)
{
  CcProcessSpec *copy = g_new0 (CcProcessSpec, 1);

  *copy = *spec;
  copy->cmd = g_strdup (spec->cmd);
  copy->args = g_strdupv (spec->args);
  copy->envs = copy_string_table (spec->envs);
  copy->cwd = g_strdup (spec->cwd);
  copy->tag = g_strdup (spec->tag);
  copy->user = g_strdup (spec->user);
  return copy;
}

void
cc_process_spec_free (CcProcessSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->cmd);
  g_strfreev (spec->args);
  g_clear_pointer (&spec->envs, g_hash_table_unref);
  g_free (spec->cwd);
  g_free (spec->tag);
  g_free (spec->user);
  g_free (spec);
}

void
cc_process_info_free (CcProcessInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->tag);
  g_free (info->cmd);
  g_strfreev (info->args);
  g_clear_pointer (&info->envs, g_hash_table_unref);
  g_free (info->cwd);
  g_free (info);
}

CcEntryInfo *
cc_entry_info_copy (const CcEntryInfo *info)
{
  CcEntryInfo *copy = g_new0 (CcEntryInfo, 1);

  *copy = *info;
  copy->name = g_strdup (info->name);
  copy->path = g_strdup (info->path);
  copy->permissions = g_strdup (info->permissions);
  copy->owner = g_strdup (info->owner);
  copy->group = g_strdup (info->group);
  copy->symlink_target = g_strdup (info->symlink_target);
  copy->metadata = copy_string_table (info->metadata);
  return copy;
}

void
cc_entry_info_free (CcEntryInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->path);
  g_free (info->permissions);
  g_free (info->owner);
  g_free (info->group);
  g_free (info->symlink_target);
  g_clear_pointer (&info->metadata, g_hash_table_unref);
  g_free (info);
}

CcUploadFile *
cc_upload_file_new_bytes (const char *path,
                          GBytes     *bytes)
{
  CcUploadFile *file = g_new0 (CcUploadFile, 1);

  g_return_val_if_fail (path != NULL && bytes != NULL, NULL);

  file->path = g_strdup (path);
  file->bytes = g_bytes_ref (bytes);
  file->size = g_bytes_get_size (bytes);
  return file;
}

CcUploadFile *
cc_upload_file_new_stream (const char   *path,
                           GInputStream *stream,
                           goffset       size)
{
  CcUploadFile *file = g_new0 (CcUploadFile, 1);

  g_return_val_if_fail (path != NULL && G_IS_INPUT_STREAM (stream), NULL);

  file->path = g_strdup (path);
  file->stream = g_object_ref (stream);
  file->size = size;
  return file;
}

void
cc_upload_file_free (CcUploadFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_clear_pointer (&file->bytes, g_bytes_unref);
  g_clear_object (&file->stream);
  g_free (file);
}

static CcFileType
file_type_from_string (const char *type)
{
  if (type == NULL)
    return CC_FILE_TYPE_UNKNOWN;
  if (g_str_equal (type, "FILE_TYPE_FILE") || g_str_equal (type, "file"))
    return CC_FILE_TYPE_FILE;
  if (g_str_equal (type, "FILE_TYPE_DIRECTORY") || g_str_equal (type, "dir"))
    return CC_FILE_TYPE_DIRECTORY;
  if (g_str_equal (type, "FILE_TYPE_SYMLINK") || g_str_equal (type, "symlink"))
    return CC_FILE_TYPE_SYMLINK;
  return CC_FILE_TYPE_UNKNOWN;
}

static CcFileType
file_type_from_json (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "type");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return CC_FILE_TYPE_UNKNOWN;
  /* Enum names, or their numbers (protojson accepts both). */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return file_type_from_string (json_node_get_string (node));
  switch (json_node_get_int (node))
    {
    case 1: return CC_FILE_TYPE_FILE;
    case 2: return CC_FILE_TYPE_DIRECTORY;
    case 3: return CC_FILE_TYPE_SYMLINK;
    default: return CC_FILE_TYPE_UNKNOWN;
    }
}

CcEntryInfo *
_cc_entry_info_new_from_json (JsonObject *object)
{
  CcEntryInfo *info = g_new0 (CcEntryInfo, 1);

  info->name = g_strdup (cc_protojson_get_string (object, "name"));
  info->type = file_type_from_json (object);
  info->path = g_strdup (cc_protojson_get_string (object, "path"));
  info->size = cc_protojson_get_int64 (object, "size", 0);
  info->mode = (guint) cc_protojson_get_int64 (object, "mode", 0);
  info->permissions = g_strdup (cc_protojson_get_string (object, "permissions"));
  info->owner = g_strdup (cc_protojson_get_string (object, "owner"));
  info->group = g_strdup (cc_protojson_get_string (object, "group"));
  cc_protojson_parse_timestamp (cc_protojson_get_string (object, "modifiedTime"),
                                &info->modified_time);
  info->symlink_target = g_strdup (cc_protojson_get_string (object, "symlinkTarget"));
  info->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  cc_protojson_copy_string_map (object, "metadata", info->metadata);
  return info;
}

typedef gpointer (*ParseObjectFunc) (JsonObject *object);

/* Each object of @array (nullable) through @parse; other elements are skipped. */
static GPtrArray *
parse_objects (JsonArray       *array,
               ParseObjectFunc  parse,
               GDestroyNotify   free_func)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (free_func);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_ptr_array_add (items, parse (json_node_get_object (element)));
    }
  return items;
}

GPtrArray *
_cc_entry_infos_new_from_json (JsonArray *array)
{
  return parse_objects (array, (ParseObjectFunc) _cc_entry_info_new_from_json,
                        (GDestroyNotify) cc_entry_info_free);
}

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A ProcessInfo message of Process/List. */
static CcProcessInfo *
process_info_new_from_json (JsonObject *object)
{
  JsonObject *config = cc_protojson_get_object (object, "config");
  CcProcessInfo *info = g_new0 (CcProcessInfo, 1);
  JsonArray *args;

  info->pid = (guint) cc_protojson_get_int64 (object, "pid", 0);
  info->tag = g_strdup (cc_protojson_get_string (object, "tag"));
  info->cmd = g_strdup (cc_protojson_get_string (config, "cmd"));
  info->cwd = g_strdup (cc_protojson_get_string (config, "cwd"));
  info->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  args = config != NULL ? get_array (config, "args") : NULL;
  if (args != NULL)
    {
      GStrvBuilder *builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (args); i++)
        {
          JsonNode *arg = json_array_get_element (args, i);

          if (JSON_NODE_HOLDS_VALUE (arg) && json_node_get_value_type (arg) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (arg));
        }
      info->args = g_strv_builder_end (builder);
      g_strv_builder_unref (builder);
    }
  cc_protojson_copy_string_map (config, "envs", info->envs);
  return info;
}

/* ------------------------------------------------------------------------------------------ */

static void
cc_envd_finalize (GObject *object)
{
  CcEnvd *self = CC_ENVD (object);

  g_clear_object (&self->connection);
  g_free (self->sandbox_id);
  if (self->access_token != NULL)
    explicit_bzero (self->access_token, strlen (self->access_token));
  g_free (self->access_token);
  g_free (self->base_url);
  g_free (self->user);
  G_OBJECT_CLASS (cc_envd_parent_class)->finalize (object);
}

static void
cc_envd_class_init (CcEnvdClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_envd_finalize;
}

static void
cc_envd_init (CcEnvd *self)
{
}

/**
 * cc_envd_new:
 * @connection: where the sandbox runs
 * @sandbox_id: the sandbox
 * @access_token: (nullable): its envd access token
 * @sandbox_domain: (nullable): its domain from the control plane
 *
 * Returns: (transfer full): a client of the sandbox's daemon
 */
CcEnvd *
cc_envd_new (CcConnection *connection,
             const char   *sandbox_id,
             const char   *access_token,
             const char   *sandbox_domain)
{
  CcEnvd *self;

  g_return_val_if_fail (CC_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (sandbox_id != NULL, NULL);

  self = g_object_new (CC_TYPE_ENVD, NULL);
  self->connection = g_object_ref (connection);
  self->sandbox_id = g_strdup (sandbox_id);
  self->access_token = (access_token && *access_token) ? g_strdup (access_token) : NULL;
  self->base_url = cc_connection_dup_envd_url (connection, sandbox_id, sandbox_domain);
  return self;
}

/**
 * cc_envd_new_for_sandbox:
 *
 * Returns: (transfer full): a client of @info's daemon
 */
CcEnvd *
cc_envd_new_for_sandbox (CcConnection  *connection,
                         CcSandboxInfo *info)
{
  CcEnvd *self;
  guint64 major = 0, minor = 0;
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (info != NULL, NULL);

  self = cc_envd_new (connection, info->sandbox_id, info->envd_access_token, info->domain);
  /* Before envd 0.4.0 the daemon had no default user: the SDK always sent "user". */
  if (info->envd_version != NULL)
    {
      parts = g_strsplit (info->envd_version, ".", 3);
      if (parts[0] != NULL && parts[1] != NULL &&
          g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT, &major, NULL) &&
          g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT, &minor, NULL))
        self->legacy_user = major == 0 && minor < 4;
    }
  return self;
}

/**
 * cc_envd_get_connection:
 *
 * Returns: (transfer none): the connection
 */
CcConnection *
cc_envd_get_connection (CcEnvd *self)
{
  g_return_val_if_fail (CC_IS_ENVD (self), NULL);
  return self->connection;
}

const char *
cc_envd_get_sandbox_id (CcEnvd *self)
{
  g_return_val_if_fail (CC_IS_ENVD (self), NULL);
  return self->sandbox_id;
}

const char *
cc_envd_get_base_url (CcEnvd *self)
{
  g_return_val_if_fail (CC_IS_ENVD (self), NULL);
  return self->base_url;
}

void
cc_envd_set_user (CcEnvd     *self,
                  const char *user)
{
  g_return_if_fail (CC_IS_ENVD (self));
  g_free (self->user);
  self->user = (user && *user) ? g_strdup (user) : NULL;
}

const char *
cc_envd_get_user (CcEnvd *self)
{
  g_return_val_if_fail (CC_IS_ENVD (self), NULL);
  if (self->user == NULL && self->legacy_user)
    return "user";
  return self->user;
}

CcHttpRequest *
_cc_envd_request (CcEnvd        *self,
                  const char    *method,
                  const char    *path,
                  CcHttpSurface  surface,
                  guint          timeout_ms,
                  const char    *user)
{
  CcHttpRequest *request = _cc_http_request_new (method, self->base_url, path, surface);

  if (user == NULL && self->legacy_user)
    user = "user";
  if (self->access_token != NULL)
    {
      _cc_http_request_add_header (request, "X-Access-Token", self->access_token);
      _cc_http_request_add_secret (request, self->access_token);
    }
  _cc_http_request_add_header (request, "E2b-Sandbox-Id", self->sandbox_id);
  _cc_http_request_add_header (request, "E2b-Sandbox-Port", G_STRINGIFY (CC_CONNECTION_ENVD_PORT));
  if (surface == CC_HTTP_SURFACE_RPC || surface == CC_HTTP_SURFACE_STREAM)
    _cc_http_request_add_header (request, "Connect-Protocol-Version", "1");
  if (surface == CC_HTTP_SURFACE_STREAM)
    {
      /* No header means no deadline: the stream may stay open as long as the process runs. */
      if (timeout_ms > 0)
        {
          char value[16];

          g_snprintf (value, sizeof value, "%u", timeout_ms);
          _cc_http_request_add_header (request, "Connect-Timeout-Ms", value);
        }
      _cc_http_request_add_header (request, "Keepalive-Ping-Interval", KEEPALIVE_INTERVAL);
    }
  if (user != NULL && surface != CC_HTTP_SURFACE_FILES)
    {
      g_autofree char *pair = g_strconcat (user, ":", NULL);
      g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      _cc_http_request_add_header (request, "Authorization", value);
    }
  _cc_http_request_set_sandbox_id (request, self->sandbox_id);
  return request;
}

/* ------------------------------------------------------------------------------------------ */
/* Unary RPC                                                                                   */

typedef enum
{
  UNARY_VOID,
  UNARY_ENTRY,          /* {"entry": EntryInfo} */
  UNARY_ENTRIES,        /* {"entries": [EntryInfo]} */
  UNARY_PROCESSES,      /* {"processes": [ProcessInfo]} */
} UnaryKind;

static void
unary_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UnaryKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(CcHttpExchange) exchange = NULL;
  g_autoptr(JsonObject) object = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL || (object = _cc_http_exchange_parse_object (exchange, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  switch (kind)
    {
    case UNARY_VOID:
      g_task_return_boolean (task, TRUE);
      break;

    case UNARY_ENTRY:
      {
        JsonObject *entry = cc_protojson_get_object (object, "entry");

        if (entry == NULL)
          {
            g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                         _("The sandbox sent an answer Code Canvas cannot understand (no entry). "
                           "Check that the server is E2B-compatible."));
            g_task_return_error (task, error);
            return;
          }
        g_task_return_pointer (task, _cc_entry_info_new_from_json (entry),
                               (GDestroyNotify) cc_entry_info_free);
      }
      break;

    case UNARY_ENTRIES:
      g_task_return_pointer (task, _cc_entry_infos_new_from_json (get_array (object, "entries")),
                             (GDestroyNotify) g_ptr_array_unref);
      break;

    case UNARY_PROCESSES:
      g_task_return_pointer (task,
                             parse_objects (get_array (object, "processes"),
                                            (ParseObjectFunc) process_info_new_from_json,
                                            (GDestroyNotify) cc_process_info_free),
                             (GDestroyNotify) g_ptr_array_unref);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
unary_call (CcEnvd              *self,
            const char          *path,
            JsonBuilder         *builder,
            const char          *user,
            CcHttpRetry          retry,
            const char          *label,
            UnaryKind            kind,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CcHttpRequest *request;
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);

  request = _cc_envd_request (self, "POST", path, CC_HTTP_SURFACE_RPC, 0, user);
  _cc_http_request_set_json (request, root);
  _cc_http_request_set_retry (request, retry);
  _cc_http_request_set_read_body (request, TRUE);
  _cc_http_request_set_label (request, label);
  _cc_http_request_async (self->connection, request, cancellable, unary_cb, task);
}

/* The body of a Process call, left open for more members: the process named by its pid. */
static JsonBuilder *
process_body (guint pid)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "process");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, pid);
  json_builder_end_object (builder);
  return builder;
}

static gboolean
finish_boolean (CcEnvd        *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
finish_pointer (CcEnvd        *self,
                GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_envd_list_processes_async (CcEnvd              *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (CC_IS_ENVD (self));

  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  unary_call (self, "/process.Process/List", builder, NULL, CC_HTTP_RETRY_SAFE,
              _("Could not list the sandbox’s processes"), UNARY_PROCESSES,
              cc_envd_list_processes_async, cancellable, callback, user_data);
}

/**
 * cc_envd_list_processes_finish:
 *
 * Returns: (transfer container) (element-type CcProcessInfo): the running processes
 */
GPtrArray *
cc_envd_list_processes_finish (CcEnvd        *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_pointer (self, result, error);
}

void
cc_envd_send_input_async (CcEnvd              *self,
                          guint                pid,
                          GBytes              *data,
                          gboolean             pty,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  gsize length = 0;
  const void *bytes;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (data != NULL);

  bytes = g_bytes_get_data (data, &length);
  builder = process_body (pid);
  json_builder_set_member_name (builder, "input");
  json_builder_begin_object (builder);
  cc_protojson_add_bytes (builder, pty ? "pty" : "stdin", bytes, length);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  /* Input must not arrive twice: only a 429 (refused unread) is retried. */
  unary_call (self, "/process.Process/SendInput", builder, NULL, CC_HTTP_RETRY_RATE_LIMIT,
              _("Could not send input to the process"), UNARY_VOID, cc_envd_send_input_async,
              cancellable, callback, user_data);
}

gboolean
cc_envd_send_input_finish (CcEnvd        *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return finish_boolean (self, result, error);
}

void
cc_envd_close_stdin_async (CcEnvd              *self,
                           guint                pid,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_if_fail (CC_IS_ENVD (self));

  builder = process_body (pid);
  json_builder_end_object (builder);
  unary_call (self, "/process.Process/CloseStdin", builder, NULL, CC_HTTP_RETRY_RATE_LIMIT,
              _("Could not close the process’s input"), UNARY_VOID, cc_envd_close_stdin_async,
              cancellable, callback, user_data);
}

gboolean
cc_envd_close_stdin_finish (CcEnvd        *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_boolean (self, result, error);
}

void
cc_envd_send_signal_async (CcEnvd              *self,
                           guint                pid,
                           CcSignal             signal_number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_if_fail (CC_IS_ENVD (self));

  builder = process_body (pid);
  json_builder_set_member_name (builder, "signal");
  json_builder_add_string_value (builder, signal_number == CC_SIGNAL_SIGTERM ? "SIGNAL_SIGTERM"
                                                                             : "SIGNAL_SIGKILL");
  json_builder_end_object (builder);
  /* Signalling twice does no harm: kill is a safe operation. */
  unary_call (self, "/process.Process/SendSignal", builder, NULL, CC_HTTP_RETRY_SAFE,
              _("Could not stop the process"), UNARY_VOID, cc_envd_send_signal_async,
              cancellable, callback, user_data);
}

gboolean
cc_envd_send_signal_finish (CcEnvd        *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_boolean (self, result, error);
}

void
cc_envd_resize_pty_async (CcEnvd              *self,
                          guint                pid,
                          guint                cols,
                          guint                rows,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_if_fail (CC_IS_ENVD (self));

  builder = process_body (pid);
  json_builder_set_member_name (builder, "pty");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "size");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cols");
  json_builder_add_int_value (builder, cols);
  json_builder_set_member_name (builder, "rows");
  json_builder_add_int_value (builder, rows);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  unary_call (self, "/process.Process/Update", builder, NULL, CC_HTTP_RETRY_SAFE,
              _("Could not resize the terminal"), UNARY_VOID, cc_envd_resize_pty_async,
              cancellable, callback, user_data);
}

gboolean
cc_envd_resize_pty_finish (CcEnvd        *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return finish_boolean (self, result, error);
}

static JsonBuilder *
path_body (const char *path)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  return builder;
}

/* A Filesystem call whose request is only the path, made as the daemon client's user. */
static void
path_call (CcEnvd              *self,
           const char          *rpc,
           const char          *path,
           CcHttpRetry          retry,
           const char          *label,
           UnaryKind            kind,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = path_body (path);

  json_builder_end_object (builder);
  unary_call (self, rpc, builder, cc_envd_get_user (self), retry, label, kind, source_tag,
              cancellable, callback, user_data);
}

void
cc_envd_stat_async (CcEnvd              *self,
                    const char          *path,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL);

  path_call (self, "/filesystem.Filesystem/Stat", path, CC_HTTP_RETRY_SAFE,
             _("Could not read the file’s details"), UNARY_ENTRY, cc_envd_stat_async,
             cancellable, callback, user_data);
}

/**
 * cc_envd_stat_finish:
 *
 * Returns: (transfer full): the entry
 */
CcEntryInfo *
cc_envd_stat_finish (CcEnvd        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return finish_pointer (self, result, error);
}

void
cc_envd_list_dir_async (CcEnvd              *self,
                        const char          *path,
                        guint                depth,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL);

  builder = path_body (path);
  /* The SDK always sends the depth, at least 1. */
  json_builder_set_member_name (builder, "depth");
  json_builder_add_int_value (builder, MAX (depth, 1));
  json_builder_end_object (builder);
  unary_call (self, "/filesystem.Filesystem/ListDir", builder, cc_envd_get_user (self),
              CC_HTTP_RETRY_SAFE,
              _("Could not list the folder"), UNARY_ENTRIES, cc_envd_list_dir_async,
              cancellable, callback, user_data);
}

/**
 * cc_envd_list_dir_finish:
 *
 * Returns: (transfer container) (element-type CcEntryInfo): the entries
 */
GPtrArray *
cc_envd_list_dir_finish (CcEnvd        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return finish_pointer (self, result, error);
}

void
cc_envd_make_dir_async (CcEnvd              *self,
                        const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL);

  /* A second attempt after a lost answer would report "already exists": only 429 retries. */
  path_call (self, "/filesystem.Filesystem/MakeDir", path, CC_HTTP_RETRY_RATE_LIMIT,
             _("Could not create the folder"), UNARY_ENTRY, cc_envd_make_dir_async,
             cancellable, callback, user_data);
}

/**
 * cc_envd_make_dir_finish:
 *
 * Returns: (transfer full): the new directory's entry
 */
CcEntryInfo *
cc_envd_make_dir_finish (CcEnvd        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return finish_pointer (self, result, error);
}

void
cc_envd_move_async (CcEnvd              *self,
                    const char          *source,
                    const char          *destination,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (source != NULL && destination != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_set_member_name (builder, "destination");
  json_builder_add_string_value (builder, destination);
  json_builder_end_object (builder);
  unary_call (self, "/filesystem.Filesystem/Move", builder, cc_envd_get_user (self),
              CC_HTTP_RETRY_RATE_LIMIT, _("Could not move or rename the file"), UNARY_ENTRY,
              cc_envd_move_async, cancellable, callback, user_data);
}

/**
 * cc_envd_move_finish:
 *
 * Returns: (transfer full): the destination's entry
 */
CcEntryInfo *
cc_envd_move_finish (CcEnvd        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return finish_pointer (self, result, error);
}

void
cc_envd_remove_async (CcEnvd              *self,
                      const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL);

  path_call (self, "/filesystem.Filesystem/Remove", path, CC_HTTP_RETRY_SAFE,
             _("Could not delete the file"), UNARY_VOID, cc_envd_remove_async, cancellable,
             callback, user_data);
}

gboolean
cc_envd_remove_finish (CcEnvd        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return finish_boolean (self, result, error);
}
