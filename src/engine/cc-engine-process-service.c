/* cc-engine-process-service.c: the process.Process Connect service (protocol §5)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-engine-process.h"
#include "cc-engine-server.h"
#include "cc-engine-spawn.h"
#include "cc-protojson.h"

#define KEEPALIVE_PAYLOAD "{\"event\":{\"keepalive\":{}}}"

/* Request parsing -------------------------------------------------------------------------- */

/* An unsigned member (number or numeric string) within [0, @max], else -1. Unlike a plain cast
 * this never meets an out-of-range double (1e99 from a hostile client). */
static gint64
get_uint (JsonObject *object,
          const char *member,
          gint64      max,
          gint64      default_value)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return default_value;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      return (d >= 0 && d <= (double) max && d == (double) (gint64) d) ? (gint64) d : -1;
    }
  if (JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_STRING))
    {
      gint64 v = cc_protojson_get_int64 (object, member, -1);

      return v >= 0 && v <= max ? v : -1;
    }
  return -1;
}

/* The single message of a server-streaming request; answers the error itself. */
static JsonObject *
parse_stream_request (SoupServerMessage *msg)
{
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (CC_CONNECT_DEFAULT_MAX_MESSAGE);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  guint8 flags = 0;
  gsize length;
  const char *data;

  if (!_cc_engine_content_type_is (msg, "application/connect+json"))
    {
      _cc_engine_reply_stream_error (msg, "invalid_argument",
                                     "streaming calls need Content-Type application/connect+json");
      return NULL;
    }
  body = _cc_engine_request_body (msg);
  cc_connect_decoder_push (decoder, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!cc_connect_decoder_next (decoder, &flags, &payload, &error))
    {
      _cc_engine_reply_stream_error (msg, "invalid_argument",
                                     error ? error->message : "the request envelope is truncated");
      return NULL;
    }
  if (flags != 0 || cc_connect_decoder_get_pending (decoder) > 0)
    {
      _cc_engine_reply_stream_error (msg, "invalid_argument",
                                     flags & CC_CONNECT_FLAG_COMPRESSED ? "compressed messages are not supported"
                                                                       : "expected exactly one request message");
      return NULL;
    }
  data = g_bytes_get_data (payload, &length);
  object = cc_protojson_parse_object (data, length, &error);
  if (object == NULL)
    {
      g_autofree char *message = g_strdup_printf ("invalid request: %s", error->message);

      _cc_engine_reply_stream_error (msg, "invalid_argument", message);
    }
  return object;
}

static gboolean
check_fields (JsonObject         *object,
              const char * const *allowed,
              char              **message)
{
  g_autofree char *unknown = NULL;

  if (object == NULL || _cc_engine_check_fields (object, allowed, &unknown))
    return TRUE;
  *message = g_strdup_printf ("unknown field \"%s\"", unknown);
  return FALSE;
}

/* A member that must be an object when present. */
static gboolean
get_object (JsonObject  *object,
            const char  *member,
            JsonObject **out,
            char       **message)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      *message = g_strdup_printf ("\"%s\" must be an object", member);
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}

/* ProcessSelector: {"pid":N} or {"tag":"…"} */
static CcEngineProcess *
find_process (CcEngineSandbox *sandbox,
              JsonObject      *request,
              char           **code,
              char           **message)
{
  static const char * const allowed[] = { "pid", "tag", NULL };
  JsonObject *selector = NULL;
  GHashTable *processes = cc_engine_sandbox_get_processes (sandbox);
  const char *tag;
  gint64 pid;

  *code = g_strdup ("invalid_argument");
  if (!get_object (request, "process", &selector, message))
    return NULL;
  if (selector == NULL)
    {
      *message = g_strdup ("\"process\" (a pid or tag selector) is required");
      return NULL;
    }
  if (!check_fields (selector, allowed, message))
    return NULL;

  tag = cc_protojson_get_string (selector, "tag");
  pid = get_uint (selector, "pid", G_MAXUINT32, 0);
  if (tag != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, processes);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (g_strcmp0 (cc_engine_process_get_tag (value), tag) == 0)
          {
            g_clear_pointer (code, g_free);
            return value;
          }
      g_free (*code);
      *code = g_strdup ("not_found");
      *message = g_strdup_printf ("process with tag %s not found", tag);
      return NULL;
    }
  if (pid <= 0 || pid > G_MAXUINT32)
    {
      *message = g_strdup ("\"process\" needs a pid or a tag");
      return NULL;
    }
  {
    CcEngineProcess *process = g_hash_table_lookup (processes, GUINT_TO_POINTER ((guint) pid));

    if (process == NULL)
      {
        g_free (*code);
        *code = g_strdup ("not_found");
        *message = g_strdup_printf ("process with pid %" G_GINT64_FORMAT " not found", pid);
        return NULL;
      }
    g_clear_pointer (code, g_free);
    return process;
  }
}

/* Start ------------------------------------------------------------------------------------ */

static gboolean
string_array (JsonObject *object,
              const char *member,
              JsonArray **out,
              char      **message)
{
  JsonNode *node = json_object_get_member (object, member);
  JsonArray *array;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto invalid;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto invalid;
    }
  *out = array;
  return TRUE;

invalid:
  *message = g_strdup_printf ("\"%s\" must be an array of strings", member);
  return FALSE;
}

/* CODE_CANVAS_ENGINE_NO_LAUNCHER=1 starts every command under its own bubblewrap, as before
 * the launcher existed (for comparison and as an escape hatch). */
static gboolean
launcher_enabled (void)
{
  return g_getenv ("CODE_CANVAS_ENGINE_NO_LAUNCHER") == NULL;
}

static void
handle_start (CcEngine          *engine,
              CcEngineSandbox   *sandbox,
              SoupServerMessage *msg,
              const char        *user)
{
  static const char * const allowed[] = { "process", "pty", "tag", "stdin", NULL };
  static const char * const process_allowed[] = { "cmd", "args", "envs", "cwd", NULL };
  static const char * const pty_allowed[] = { "size", NULL };
  static const char * const size_allowed[] = { "cols", "rows", NULL };
  g_autoptr(JsonObject) request = parse_stream_request (msg);
  g_autoptr(CcEngineProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *host_cwd = NULL;
  g_autofree char *cwd_clean = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  JsonObject *config = NULL, *pty = NULL, *size = NULL, *envs = NULL;
  JsonArray *args = NULL;
  const char *cmd, *cwd, *tag;
  gboolean isolated = _cc_engine_is_isolated (engine);
  gboolean want_stdin;
  gint64 cols = 0, rows = 0;
  CcEngineStream *stream;
  struct stat st;

  if (request == NULL)
    return;
  if (!check_fields (request, allowed, &message) ||
      !get_object (request, "process", &config, &message) ||
      !get_object (request, "pty", &pty, &message) ||
      !check_fields (config, process_allowed, &message) ||
      !check_fields (pty, pty_allowed, &message))
    goto invalid;
  if (config == NULL || (cmd = cc_protojson_get_string (config, "cmd")) == NULL || *cmd == '\0')
    {
      message = g_strdup ("\"process.cmd\" is required");
      goto invalid;
    }
  if (!string_array (config, "args", &args, &message) ||
      !get_object (config, "envs", &envs, &message))
    goto invalid;
  if (pty != NULL)
    {
      if (!get_object (pty, "size", &size, &message) || !check_fields (size, size_allowed, &message))
        goto invalid;
      cols = get_uint (size, "cols", 10000, 80);
      rows = get_uint (size, "rows", 10000, 24);
      if (cols <= 0 || cols > 10000 || rows <= 0 || rows > 10000)
        {
          message = g_strdup ("the terminal size is out of range");
          goto invalid;
        }
    }
  want_stdin = cc_protojson_get_bool (request, "stdin", TRUE);
  tag = cc_protojson_get_string (request, "tag");

  cwd = cc_protojson_get_string (config, "cwd");
  host_cwd = cc_engine_sandbox_resolve_path (sandbox, user, cwd, &cwd_clean, &error);
  if (host_cwd == NULL || stat (host_cwd, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      message = g_strdup_printf ("cwd '%s' does not exist", cwd ? cwd : "");
      goto invalid;
    }

  envp = cc_engine_spawn_build_envp (isolated, sandbox, user, envs);
  if (isolated && launcher_enabled ())
    {
      g_autoptr(GError) launch_error = NULL;
      CcEngineLauncher *launcher = cc_engine_launcher_get (sandbox, user, _cc_engine_get_runtime_dir (engine),
                                                           &launch_error);

      /* A fresh bubblewrap per command stays the fallback when the launcher cannot help. */
      if (launcher != NULL)
        {
          argv = cc_engine_spawn_build_argv (FALSE, NULL, sandbox, user, NULL, NULL, cmd, args);
          process = cc_engine_process_spawn_launched (sandbox, launcher, config, tag, argv, envp, cwd_clean,
                                                      want_stdin, (guint) cols, (guint) rows, &launch_error);
          g_clear_pointer (&argv, g_strfreev);
        }
      if (process == NULL)
        g_debug ("Starting the process through the sandbox launcher failed: %s", launch_error->message);
    }
  if (process == NULL)
    {
      argv = cc_engine_spawn_build_argv (isolated, _cc_engine_get_runtime_dir (engine), sandbox, user,
                                         cwd_clean, host_cwd, cmd, args);
      process = cc_engine_process_spawn (sandbox, config, tag, argv, envp, host_cwd, !isolated, want_stdin,
                                         (guint) cols, (guint) rows, &error);
    }
  if (process == NULL)
    {
      message = g_strdup_printf ("failed to start the process: %s", error->message);
      goto invalid;
    }

  stream = _cc_engine_stream_new (msg, KEEPALIVE_PAYLOAD, NULL, NULL);
  cc_engine_process_attach (process, stream, _cc_engine_request_timeout_ms (msg), TRUE);
  _cc_engine_stream_unref (stream);
  return;

invalid:
  _cc_engine_reply_stream_error (msg, "invalid_argument", message);
}

static void
handle_connect (CcEngine          *engine,
                CcEngineSandbox   *sandbox,
                SoupServerMessage *msg)
{
  static const char * const allowed[] = { "process", NULL };
  g_autoptr(JsonObject) request = parse_stream_request (msg);
  g_autofree char *message = NULL;
  g_autofree char *code = NULL;
  CcEngineProcess *process;
  CcEngineStream *stream;

  if (request == NULL)
    return;
  if (!check_fields (request, allowed, &message))
    {
      _cc_engine_reply_stream_error (msg, "invalid_argument", message);
      return;
    }
  process = find_process (sandbox, request, &code, &message);
  if (process == NULL)
    {
      _cc_engine_reply_stream_error (msg, code, message);
      return;
    }
  stream = _cc_engine_stream_new (msg, KEEPALIVE_PAYLOAD, NULL, NULL);
  cc_engine_process_attach (process, stream, _cc_engine_request_timeout_ms (msg), FALSE);
  _cc_engine_stream_unref (stream);
}

/* Unary ------------------------------------------------------------------------------------ */

static void
reply_empty (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static void
reply_process_error (SoupServerMessage *msg,
                     const GError      *error)
{
  const char *code = error->code == G_IO_ERROR_NOT_FOUND ? "not_found"
                   : error->code == G_IO_ERROR_FAILED_HANDLED ? "failed_precondition"
                   : _cc_engine_connect_code_for_error (error);

  _cc_engine_reply_connect_error (msg, code, error->message);
}

static void
handle_list (CcEngineSandbox   *sandbox,
             SoupServerMessage *msg,
             JsonObject        *request)
{
  static const char * const allowed[] = { NULL };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *message = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!check_fields (request, allowed, &message))
    {
      _cc_engine_reply_connect_error (msg, "invalid_argument", message);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "processes");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_processes (sandbox));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!cc_engine_process_has_exited (value))
      cc_engine_process_add_info (value, builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static int
parse_signal (JsonObject *request)
{
  JsonNode *node = json_object_get_member (request, "signal");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *name = json_node_get_string (node);

      if (g_str_equal (name, "SIGNAL_SIGKILL"))
        return SIGKILL;
      if (g_str_equal (name, "SIGNAL_SIGTERM"))
        return SIGTERM;
      return 0;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      if (value == SIGKILL || value == SIGTERM)
        return (int) value;
    }
  return 0;
}

static void
handle_unary (CcEngineSandbox   *sandbox,
              SoupServerMessage *msg,
              const char        *method)
{
  g_autoptr(JsonObject) request = _cc_engine_parse_unary_request (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *code = NULL;
  CcEngineProcess *process;

  if (request == NULL)
    return;
  if (g_str_equal (method, "List"))
    {
      handle_list (sandbox, msg, request);
      return;
    }

  if (g_str_equal (method, "SendInput"))
    {
      static const char * const allowed[] = { "process", "input", NULL };
      static const char * const input_allowed[] = { "stdin", "pty", NULL };
      JsonObject *input = NULL;
      g_autoptr(GBytes) data = NULL;
      gboolean pty;

      if (!check_fields (request, allowed, &message) || !get_object (request, "input", &input, &message) ||
          !check_fields (input, input_allowed, &message))
        goto invalid;
      if (input == NULL || (json_object_has_member (input, "stdin") == json_object_has_member (input, "pty")))
        {
          message = g_strdup ("\"input\" needs exactly one of stdin or pty");
          goto invalid;
        }
      pty = json_object_has_member (input, "pty");
      data = cc_protojson_get_bytes (input, pty ? "pty" : "stdin");
      if (data == NULL)
        {
          message = g_strdup ("the input is not valid base64");
          goto invalid;
        }
      if ((process = find_process (sandbox, request, &code, &message)) == NULL)
        goto failed;
      if (!cc_engine_process_write_input (process, data, pty, &error))
        {
          reply_process_error (msg, error);
          return;
        }
      reply_empty (msg);
    }
  else if (g_str_equal (method, "CloseStdin"))
    {
      static const char * const allowed[] = { "process", NULL };

      if (!check_fields (request, allowed, &message))
        goto invalid;
      if ((process = find_process (sandbox, request, &code, &message)) == NULL)
        goto failed;
      if (!cc_engine_process_close_stdin (process, &error))
        {
          reply_process_error (msg, error);
          return;
        }
      reply_empty (msg);
    }
  else if (g_str_equal (method, "SendSignal"))
    {
      static const char * const allowed[] = { "process", "signal", NULL };
      int signum;

      if (!check_fields (request, allowed, &message))
        goto invalid;
      if ((process = find_process (sandbox, request, &code, &message)) == NULL)
        goto failed;
      signum = parse_signal (request);
      if (signum == 0)
        {
          _cc_engine_reply_connect_error (msg, "unimplemented", "only SIGNAL_SIGKILL and SIGNAL_SIGTERM are supported");
          return;
        }
      if (cc_engine_process_has_exited (process))
        {
          _cc_engine_reply_connect_error (msg, "not_found", "the process has already ended");
          return;
        }
      cc_engine_process_signal (process, signum);
      reply_empty (msg);
    }
  else if (g_str_equal (method, "Update"))
    {
      static const char * const allowed[] = { "process", "pty", NULL };
      JsonObject *pty = NULL, *size = NULL;

      if (!check_fields (request, allowed, &message) || !get_object (request, "pty", &pty, &message))
        goto invalid;
      if ((process = find_process (sandbox, request, &code, &message)) == NULL)
        goto failed;
      if (pty != NULL && get_object (pty, "size", &size, &message) && size != NULL)
        {
          gint64 cols = get_uint (size, "cols", 10000, 0);
          gint64 rows = get_uint (size, "rows", 10000, 0);

          if (cols <= 0 || cols > 10000 || rows <= 0 || rows > 10000)
            {
              message = g_strdup ("the terminal size is out of range");
              goto invalid;
            }
          if (!cc_engine_process_resize (process, (guint) cols, (guint) rows, &error))
            {
              reply_process_error (msg, error);
              return;
            }
        }
      else if (message != NULL)
        goto invalid;
      reply_empty (msg);
    }
  else if (g_str_equal (method, "StreamInput"))
    _cc_engine_reply_connect_error (msg, "unimplemented", "StreamInput is not supported; use SendInput");
  else
    _cc_engine_reply_connect_error (msg, "unimplemented", "unknown method");
  return;

invalid:
  _cc_engine_reply_connect_error (msg, "invalid_argument", message);
  return;

failed:
  _cc_engine_reply_connect_error (msg, code, message);
}

void
_cc_engine_process_handle (CcEngine          *engine,
                           CcEngineSandbox   *sandbox,
                           SoupServerMessage *msg,
                           const char        *method,
                           const char        *user)
{
  if (g_str_equal (method, "Start"))
    handle_start (engine, sandbox, msg, user);
  else if (g_str_equal (method, "Connect"))
    handle_connect (engine, sandbox, msg);
  else
    handle_unary (sandbox, msg, method);
}

void
_cc_engine_process_kill_all (CcEngineSandbox *sandbox)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_processes (sandbox));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    cc_engine_process_kill_group (value);
  /* Takes the launchers' PID namespaces down, with whatever left its process group. */
  cc_engine_launcher_stop_all (sandbox);
}

void
_cc_engine_process_forget_all (CcEngineSandbox *sandbox)
{
  GHashTable *processes = cc_engine_sandbox_get_processes (sandbox);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, processes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, g_object_ref (value));
  g_hash_table_remove_all (processes);
  for (guint i = 0; i < all->len; i++)
    {
      cc_engine_process_dispose_now (all->pdata[i]);
      g_object_unref (all->pdata[i]);
    }
  cc_engine_launcher_stop_all (sandbox);
}
