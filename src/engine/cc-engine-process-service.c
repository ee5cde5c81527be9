/* cc-engine-process-service.c: the process.Process Connect service (start, connect, list, input,
 * signals, resize)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-engine-freeze.h"
#include "cc-engine-launcher.h"
#include "cc-engine-path.h"
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

/* ProcessSelector: {"pid":N} or {"tag":"…"} */
static CcEngineProcess *
find_process (CcEngineSandbox  *sandbox,
              JsonObject       *request,
              GError          **error)
{
  static const char * const allowed[] = { "pid", "tag", NULL };
  JsonObject *selector = NULL;
  GHashTable *processes = cc_engine_sandbox_get_processes (sandbox);
  const char *tag;
  gint64 pid;

  if (!_cc_engine_request_get_object (request, "process", &selector, error))
    return NULL;
  if (selector == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "\"process\" (a pid or tag selector) is required");
      return NULL;
    }
  if (!_cc_engine_request_check_fields (selector, allowed, error))
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
          return value;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "process with tag %s not found", tag);
      return NULL;
    }
  if (pid <= 0 || pid > G_MAXUINT32)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "\"process\" needs a pid or a tag");
      return NULL;
    }
  {
    CcEngineProcess *process = g_hash_table_lookup (processes, GUINT_TO_POINTER ((guint) pid));

    if (process == NULL)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "process with pid %" G_GINT64_FORMAT " not found", pid);
    return process;
  }
}

/* Start ------------------------------------------------------------------------------------ */

static gboolean
string_array (JsonObject *object,
              const char *member,
              JsonArray **out,
              GError    **error)
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
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "\"%s\" must be an array of strings", member);
  return FALSE;
}

/* A command's size is bounded before any work on it, so a huge request is refused at once with
 * a clear error instead of holding the main loop (or failing later in execve). */
static gboolean
check_command_size (const char  *cmd,
                    JsonArray   *args,
                    JsonObject  *envs,
                    GError     **error)
{
  guint n_envs = envs ? json_object_get_size (envs) : 0;
  gsize total = strlen (cmd);
  g_autoptr(GList) names = NULL;

  if (n_envs > CC_ENGINE_MAX_ENVS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "too many environment variables: %u (at most %u)", n_envs, CC_ENGINE_MAX_ENVS);
      return FALSE;
    }
  for (guint i = 0; args != NULL && i < json_array_get_length (args); i++)
    total += strlen (json_array_get_string_element (args, i)) + 1;
  if (envs != NULL)
    names = json_object_get_members (envs);
  for (GList *l = names; l != NULL && total <= CC_ENGINE_MAX_COMMAND_BYTES; l = l->next)
    {
      const char *value = cc_protojson_get_string (envs, l->data);

      total += strlen (l->data) + (value ? strlen (value) : 0) + 2;
    }
  if (total > CC_ENGINE_MAX_COMMAND_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the command, its arguments and environment exceed %u bytes",
                   CC_ENGINE_MAX_COMMAND_BYTES);
      return FALSE;
    }
  return TRUE;
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
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = _cc_engine_parse_stream_request (msg, &error);
  g_autoptr(CcEngineProcess) process = NULL;
  g_autofree char *host_cwd = NULL;
  g_autofree char *cwd_clean = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  JsonObject *config = NULL, *pty = NULL, *size = NULL, *envs = NULL;
  JsonArray *args = NULL;
  const char *cmd, *cwd, *tag;
  CcEngineIsolation isolation = _cc_engine_get_isolation_mode (engine);
  gboolean want_stdin;
  gint64 cols = 0, rows = 0;
  CcEngineStream *stream;
  int cwd_fd = -1;

  if (request == NULL ||
      !_cc_engine_request_check_fields (request, allowed, &error) ||
      !_cc_engine_request_get_object (request, "process", &config, &error) ||
      !_cc_engine_request_get_object (request, "pty", &pty, &error) ||
      !_cc_engine_request_check_fields (config, process_allowed, &error) ||
      !_cc_engine_request_check_fields (pty, pty_allowed, &error))
    goto invalid;
  if (config == NULL || (cmd = cc_protojson_get_string (config, "cmd")) == NULL || *cmd == '\0')
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "\"process.cmd\" is required");
      goto invalid;
    }
  if (!string_array (config, "args", &args, &error) ||
      !_cc_engine_request_get_object (config, "envs", &envs, &error) ||
      !check_command_size (cmd, args, envs, &error))
    goto invalid;
  if (pty != NULL)
    {
      if (!_cc_engine_request_get_object (pty, "size", &size, &error) ||
          !_cc_engine_request_check_fields (size, size_allowed, &error))
        goto invalid;
      cols = get_uint (size, "cols", 10000, 80);
      rows = get_uint (size, "rows", 10000, 24);
      if (cols <= 0 || cols > 10000 || rows <= 0 || rows > 10000)
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "the terminal size is out of range");
          goto invalid;
        }
    }
  want_stdin = cc_protojson_get_bool (request, "stdin", TRUE);
  tag = cc_protojson_get_string (request, "tag");

  cwd = cc_protojson_get_string (config, "cwd");
  host_cwd = cc_engine_sandbox_resolve_path (sandbox, user, cwd, &cwd_clean, &error);
  /* Opened from the sandbox's own directory, never by the host path: a directory swapped for a
   * link to the host would otherwise tell whether a host directory exists. */
  if (host_cwd != NULL && (cwd_fd = cc_engine_path_open_errno (sandbox, host_cwd, O_PATH | O_DIRECTORY)) >= 0)
    close (cwd_fd);
  if (host_cwd == NULL || cwd_fd < 0)
    {
      g_clear_error (&error);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "cwd '%s' does not exist", cwd ? cwd : "");
      goto invalid;
    }

  /* Under flatpak-spawn the sandbox sees its directories at their own paths, as the engine
   * does; under bubblewrap at /home/user and /tmp. */
  envp = cc_engine_spawn_build_envp (isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP, sandbox, user, envs);
  argv = cc_engine_spawn_build_argv (cmd, args);
  if (isolation != CC_ENGINE_ISOLATION_NONE)
    {
      /* Isolated commands are only ever started by the sandbox's hardened launcher. */
      CcEngineLauncher *launcher;

      launcher = cc_engine_launcher_get_ready (sandbox, user, _cc_engine_get_runtime_dir (engine),
                                               isolation, msg, _cc_engine_handle_again,
                                               g_object_ref (engine), g_object_unref, &error);
      if (launcher == NULL && error == NULL)
        return;  /* handled again once the launcher is ready */
      if (launcher != NULL)
        process = cc_engine_process_spawn_launched (sandbox, launcher, config, tag, argv, envp,
                                                    isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP ? cwd_clean : host_cwd,
                                                    want_stdin, (guint) cols, (guint) rows, &error);
    }
  else if (!_cc_engine_check_unisolated (engine, &error))
    {
      _cc_engine_reply_stream_error (msg, "failed_precondition", error->message);
      return;
    }
  else
    process = cc_engine_process_spawn (sandbox, config, tag, argv, envp, host_cwd, TRUE, want_stdin,
                                       (guint) cols, (guint) rows, _cc_engine_get_filter (engine),
                                       &error);
  if (process == NULL)
    {
      g_prefix_error (&error, "failed to start the process: ");
      goto invalid;
    }

  stream = _cc_engine_stream_new (msg, KEEPALIVE_PAYLOAD, NULL, NULL);
  cc_engine_process_attach (process, stream, _cc_engine_request_timeout_ms (msg), TRUE);
  _cc_engine_stream_unref (stream);
  return;

invalid:
  /* Whatever went wrong before the process started, the client sent something it cannot run. */
  _cc_engine_reply_stream_error (msg, "invalid_argument", error->message);
}

static void
handle_connect (CcEngine          *engine,
                CcEngineSandbox   *sandbox,
                SoupServerMessage *msg)
{
  static const char * const allowed[] = { "process", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = _cc_engine_parse_stream_request (msg, &error);
  CcEngineProcess *process = NULL;
  CcEngineStream *stream;

  if (request == NULL ||
      !_cc_engine_request_check_fields (request, allowed, &error) ||
      (process = find_process (sandbox, request, &error)) == NULL)
    {
      _cc_engine_reply_stream_error (msg, _cc_engine_connect_code_for_error (error), error->message);
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
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!_cc_engine_request_check_fields (request, allowed, &error))
    {
      _cc_engine_reply_connect_error (msg, "invalid_argument", error->message);
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

      if (!_cc_engine_request_check_fields (request, allowed, &error) ||
          !_cc_engine_request_get_object (request, "input", &input, &error) ||
          !_cc_engine_request_check_fields (input, input_allowed, &error))
        goto failed;
      if (input == NULL || (json_object_has_member (input, "stdin") == json_object_has_member (input, "pty")))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "\"input\" needs exactly one of stdin or pty");
          goto failed;
        }
      pty = json_object_has_member (input, "pty");
      data = cc_protojson_get_bytes (input, pty ? "pty" : "stdin");
      if (data == NULL)
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "the input is not valid base64");
          goto failed;
        }
      if ((process = find_process (sandbox, request, &error)) == NULL)
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

      if (!_cc_engine_request_check_fields (request, allowed, &error))
        goto failed;
      if ((process = find_process (sandbox, request, &error)) == NULL)
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

      if (!_cc_engine_request_check_fields (request, allowed, &error))
        goto failed;
      if ((process = find_process (sandbox, request, &error)) == NULL)
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

      if (!_cc_engine_request_check_fields (request, allowed, &error) ||
          !_cc_engine_request_get_object (request, "pty", &pty, &error))
        goto failed;
      if ((process = find_process (sandbox, request, &error)) == NULL)
        goto failed;
      if (pty != NULL && _cc_engine_request_get_object (pty, "size", &size, &error) && size != NULL)
        {
          gint64 cols = get_uint (size, "cols", 10000, 0);
          gint64 rows = get_uint (size, "rows", 10000, 0);

          if (cols <= 0 || cols > 10000 || rows <= 0 || rows > 10000)
            {
              g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   "the terminal size is out of range");
              goto failed;
            }
          if (!cc_engine_process_resize (process, (guint) cols, (guint) rows, &error))
            {
              reply_process_error (msg, error);
              return;
            }
        }
      else if (error != NULL)
        goto failed;
      reply_empty (msg);
    }
  else if (g_str_equal (method, "StreamInput"))
    _cc_engine_reply_connect_error (msg, "unimplemented", "StreamInput is not supported; use SendInput");
  else
    _cc_engine_reply_connect_error (msg, "unimplemented", "unknown method");
  return;

failed:
  /* A malformed request is invalid_argument; a process that is not there, not_found. */
  _cc_engine_reply_connect_error (msg, _cc_engine_connect_code_for_error (error), error->message);
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
    {
      cc_engine_process_abandon (value);
      cc_engine_process_kill_group (value);
    }
  /* Takes the launchers' PID namespaces down, with whatever left its process group. */
  cc_engine_launcher_stop_all (sandbox);
}

void
_cc_engine_process_freeze_all (CcEngineSandbox *sandbox,
                               gboolean         freeze)
{
  g_autoptr(GArray) below = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr(GArray) leaders = g_array_new (FALSE, FALSE, sizeof (int));
  GHashTableIter iter;
  gpointer value;

  /* Under flatpak-spawn the launcher stops and continues everything of its sandbox itself. */
  if (cc_engine_launcher_signal_hidden (sandbox, freeze ? SIGSTOP : SIGCONT))
    return;
  cc_engine_launcher_collect_pids (sandbox, below);
  /* Commands started by a launcher are below it. Their own pids are not used then: the launcher
   * reaps them, so a pid still in the table may already name another process of the machine.
   * Only commands the engine started itself (no isolation) are its children, never reused
   * before their entry goes. */
  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_processes (sandbox));
  while (below->len == 0 && g_hash_table_iter_next (&iter, NULL, &value))
    {
      int pid = (int) cc_engine_process_get_host_pid (value);

      if (pid > 0)
        g_array_append_val (leaders, pid);
    }
  cc_engine_freeze_trees (below, leaders, freeze);
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
  cc_engine_sandbox_forget_ended (sandbox);
  for (guint i = 0; i < all->len; i++)
    {
      cc_engine_process_dispose_now (all->pdata[i]);
      g_object_unref (all->pdata[i]);
    }
  cc_engine_launcher_stop_all (sandbox);
}
