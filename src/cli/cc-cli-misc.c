/* cc-cli-misc.c: code-canvas-cli history, cache, key, engine, sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>

#include "cc-cli-private.h"

/* ---- history ----------------------------------------------------------------------------- */

static char *
one_line (const char *text,
          gsize       width)
{
  g_autofree char *copy = g_strdup (text ? text : "");
  glong len;

  g_strdelimit (copy, "\n\r\t", ' ');
  len = g_utf8_strlen (copy, -1);
  if ((gsize) len <= width)
    return g_steal_pointer (&copy);
  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (copy, width - 1) - copy), copy);
}

static void
history_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GListModel) records = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  records = cc_client_history_finish (CC_CLIENT (source), result, &error);
  if (records == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  n = g_list_model_get_n_items (records);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CcOperation) op = g_list_model_get_item (records, i);
          json_array_add_element (array, cc_cli_operation_to_json (op));
        }
      json_node_take_array (root, array);
      cc_cli_print_json (root);
    }
  else if (n == 0)
    g_print ("%s\n", _("Nothing in the history yet."));
  else
    {
      g_print ("%-19s %-7s %-11s %5s %9s %-6s %s\n", _("TIME"), _("STATUS"), _("TYPE"), _("EXIT"),
               _("DURATION"), _("CACHED"), _("INPUT"));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CcOperation) op = g_list_model_get_item (records, i);
          g_autofree char *time = cc_cli_format_time (cc_operation_get_created_at (op));
          g_autofree char *input = one_line (cc_operation_get_input (op), 60);
          g_autofree char *exit_code = NULL;
          g_autofree char *duration = g_strdup_printf ("%" G_GINT64_FORMAT "ms", cc_operation_get_duration_ms (op));
          CcOperationType type = cc_operation_get_operation_type (op);

          exit_code = (type == CC_OPERATION_TYPE_COMMAND || type == CC_OPERATION_TYPE_SETUP) &&
                      cc_operation_get_status (op) == CC_OPERATION_STATUS_SUCCESS
                      ? g_strdup_printf ("%d", cc_operation_get_exit_code (op)) : g_strdup ("-");
          g_print ("%-19s %-7s %-11s %5s %9s %-6s %s\n", time,
                   cc_operation_status_to_string (cc_operation_get_status (op)),
                   cc_operation_type_to_string (type), exit_code, duration,
                   cc_operation_get_cached (op) ? _("yes") : "", input);
          if (cc_operation_get_status (op) == CC_OPERATION_STATUS_ERROR && cc_operation_get_error (op))
            {
              g_autofree char *message = one_line (cc_operation_get_error (op), 100);
              g_print ("%19s %s\n", "", message);
            }
        }
    }
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_history (CcCli *cli)
{
  int limit = 0;
  int offset = 0;
  g_autofree char *type = NULL;
  g_autofree char *status = NULL;
  g_autofree char *search = NULL;
  GOptionEntry entries[] = {
    { "limit", 'n', 0, G_OPTION_ARG_INT, &limit, N_("at most N records (default 50)"), N_("N") },
    { "offset", 0, 0, G_OPTION_ARG_INT, &offset, N_("skip the N newest"), N_("N") },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type, N_("command, file_write, file_read, setup, dev_server, …"), N_("TYPE") },
    { "status", 's', 0, G_OPTION_ARG_STRING, &status, N_("pending, success or error"), N_("STATUS") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("only records whose input or output has these words"), N_("TEXT") },
    { NULL }
  };
  CcHistoryQuery query = { 0 };
  CcOperationType type_value;
  CcOperationStatus status_value;
  CcProject *project = NULL;

  if (!cc_cli_parse_options (cli, _("history [PROJECT]"),
                             _("Show operation records newest first (kept 7 days), of one project or all."),
                             entries))
    return;
  if (cli->n_args > 1)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli history [PROJECT] [--limit N]"));
      return;
    }
  if (cli->n_args == 1 && (project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  if (limit < 0 || offset < 0)
    {
      cc_cli_usage_error (cli, _("--limit and --offset take positive numbers."));
      return;
    }
  if (type != NULL)
    {
      if (!cc_operation_type_from_string (type, &type_value))
        {
          cc_cli_usage_error (cli, _("Unknown record type “%s”."), type);
          return;
        }
      query.type_mask = CC_HISTORY_MASK (type_value);
    }
  if (status != NULL)
    {
      if (!cc_operation_status_from_string (status, &status_value))
        {
          cc_cli_usage_error (cli, _("Unknown status “%s”: use pending, success or error."), status);
          return;
        }
      query.status_mask = CC_HISTORY_MASK (status_value);
    }
  query.project_id = project ? cc_project_get_id (project) : NULL;
  query.limit = limit;
  query.offset = offset;
  query.search = search;
  cc_client_history_async (cli->client, &query, cli->cancellable, history_cb, cli);
}

/* ---- cache ------------------------------------------------------------------------------- */

static void
cache_cleared_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_clear_cache_finish (CC_CLIENT (source), result, &error))
    {
      cc_cli_fail (cli, error);
      return;
    }
  g_print ("%s\n", _("Cleared the cached results."));
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_cache (CcCli *cli)
{
  CcProject *project;
  g_autoptr(GString) command = NULL;
  char **after = NULL;
  int n_after = 0;

  /* The command after "--" is taken as it is (it may look like options). */
  for (int i = 0; i < cli->n_args; i++)
    if (g_str_equal (cli->args[i], "--"))
      {
        after = cli->args + i + 1;
        n_after = cli->n_args - i - 1;
        cli->args[i] = NULL;
        cli->n_args = i;
        break;
      }
  if (!cc_cli_parse_options (cli, _("cache clear PROJECT [-- COMMAND…]"),
                             _("Forget the cached result of one command, or of every command of the project."),
                             NULL))
    return;
  if (cli->n_args < 2 || !g_str_equal (cli->args[0], "clear"))
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli cache clear PROJECT [-- COMMAND]"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[1])) == NULL)
    return;
  if (after == NULL && cli->n_args > 2)
    {
      after = cli->args + 2;
      n_after = cli->n_args - 2;
    }
  /* Joined as "exec" joins them, so the same words name the same cache entry. */
  for (int i = 0; i < n_after; i++)
    {
      if (command == NULL)
        command = g_string_new (NULL);
      else
        g_string_append_c (command, ' ');
      g_string_append (command, after[i]);
    }
  cc_client_clear_cache_async (cli->client, cc_project_get_id (project), command ? command->str : NULL,
                               cli->cancellable, cache_cleared_cb, cli);
}

/* ---- key --------------------------------------------------------------------------------- */

typedef struct
{
  CcCli            *cli;
  char             *endpoint;
  CcConnectionKind  kind;
  struct termios    saved;
  gboolean          echo_off;
  GOutputStream    *memory;
} KeyState;

static void
key_state_free (gpointer data)
{
  KeyState *state = data;

  if (state->echo_off)
    tcsetattr (STDIN_FILENO, TCSANOW, &state->saved);
  g_free (state->endpoint);
  g_clear_object (&state->memory);
  g_free (state);
}

static void
key_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KeyState *state = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, cc_client_store_api_key_async))
    ok = cc_client_store_api_key_finish (CC_CLIENT (source), result, &error);
  else
    ok = cc_client_clear_api_key_finish (CC_CLIENT (source), result, &error);
  if (!ok)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  g_print ("%s\n", g_async_result_is_tagged (result, cc_client_store_api_key_async)
                   ? _("The key is stored in the keyring.") : _("The key was removed from the keyring."));
  cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
}

static void
key_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  KeyState *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *key = NULL;
  gconstpointer data;
  gsize size;

  if (state->echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &state->saved);
      state->echo_off = FALSE;
      g_printerr ("\n");
    }
  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (source));
  data = g_bytes_get_data (bytes, &size);
  key = g_strndup (data, size);
  g_strstrip (key);
  cc_client_store_api_key_async (state->cli->client, state->kind, state->endpoint, key,
                                 state->cli->cancellable, key_done_cb, state);
  /* The key's bytes are not kept around longer than needed. */
  memset (key, 0, strlen (key));
}

void
cc_cli_cmd_key (CcCli *cli)
{
  g_autofree char *endpoint = NULL;
  GOptionEntry entries[] = {
    { "endpoint", 'e', 0, G_OPTION_ARG_STRING, &endpoint, N_("the API URL of a custom service (default: E2B cloud)"), N_("URL") },
    { NULL }
  };
  KeyState *state;

  if (!cc_cli_parse_options (cli, _("key set|clear"),
                             _("Store the E2B API key in the keyring (read from standard input, or asked for\n"
                               "without echo on a terminal; never from the command line), or remove it."),
                             entries))
    return;
  if (cli->n_args != 1 || (!g_str_equal (cli->args[0], "set") && !g_str_equal (cli->args[0], "clear")))
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli key set|clear [--endpoint URL]. The key itself is "
                                 "read from standard input."));
      return;
    }
  state = g_new0 (KeyState, 1);
  state->cli = cli;
  state->endpoint = g_strdup (endpoint);
  state->kind = endpoint ? CC_CONNECTION_CUSTOM : CC_CONNECTION_E2B;
  cli->data = state;
  cli->data_free = key_state_free;

  if (g_str_equal (cli->args[0], "clear"))
    {
      cc_client_clear_api_key_async (cli->client, state->kind, state->endpoint, cli->cancellable,
                                     key_done_cb, state);
      return;
    }

  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &state->saved) == 0)
    {
      struct termios quiet = state->saved;

      /* Canonical mode stays on, so the read ends at Enter; only the echo goes. */
      quiet.c_lflag &= ~(ECHO);
      g_printerr ("%s", _("API key (not shown): "));
      if (tcsetattr (STDIN_FILENO, TCSANOW, &quiet) == 0)
        state->echo_off = TRUE;
      /* One line from the terminal: a GDataInputStream would do, but the splice below needs EOF,
       * so read the line here through a tiny async read. */
    }
  {
    g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);

    state->memory = g_memory_output_stream_new_resizable ();
    if (state->echo_off)
      {
        /* On a terminal, read up to the end of the line. */
        g_autoptr(GDataInputStream) data = g_data_input_stream_new (input);
        g_autoptr(GError) error = NULL;
        g_autofree char *line = NULL;

        /* The prompt waits for the user; nothing else runs in the CLI meanwhile. */
        line = g_data_input_stream_read_line (data, NULL, NULL, &error);
        tcsetattr (STDIN_FILENO, TCSANOW, &state->saved);
        state->echo_off = FALSE;
        g_printerr ("\n");
        if (line == NULL)
          {
            cc_cli_usage_error (cli, _("No key was entered."));
            return;
          }
        g_strstrip (line);
        cc_client_store_api_key_async (cli->client, state->kind, state->endpoint, line,
                                       cli->cancellable, key_done_cb, state);
        memset (line, 0, strlen (line));
        return;
      }
    g_output_stream_splice_async (state->memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                  G_PRIORITY_DEFAULT, cli->cancellable, key_read_cb, state);
  }
}

/* ---- engine ------------------------------------------------------------------------------ */

static void
engine_status_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(CcEngineStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  status = cc_client_get_engine_status_finish (CC_CLIENT (source), result, &error);
  if (status == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "running");
      json_builder_add_boolean_value (builder, status->running);
      json_builder_set_member_name (builder, "isolated");
      json_builder_add_boolean_value (builder, status->isolated);
      json_builder_set_member_name (builder, "url");
      status->url ? json_builder_add_string_value (builder, status->url) : json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "version");
      status->version ? json_builder_add_string_value (builder, status->version) : json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "detail");
      status->detail ? json_builder_add_string_value (builder, status->detail) : json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cc_cli_print_json (root);
    }
  else if (!status->running)
    g_print (_("The local engine is not running. %s\n"), status->detail ? status->detail : "");
  else
    {
      g_print (_("The local engine runs at %s (version %s).\n"), status->url,
               status->version ? status->version : "?");
      if (status->isolated)
        g_print (_("Sandboxes are isolated (%s).\n"), status->isolation ? status->isolation : _("yes"));
      else
        g_print (_("Sandboxes are NOT isolated: %s\n"), status->detail ? status->detail : "");
    }
  cc_cli_quit (cli, status->running ? CC_CLI_EXIT_OK : CC_CLI_EXIT_FAILED);
}

static void
engine_env_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autofree char *env = NULL;
  g_autoptr(GError) error = NULL;

  env = cc_client_get_engine_env_finish (CC_CLIENT (source), result, &error);
  if (env == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  g_print ("%s", env);
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_engine (CcCli *cli)
{
  gboolean start = FALSE;
  GOptionEntry entries[] = {
    { "start", 0, 0, G_OPTION_ARG_NONE, &start, N_("start the engine when it is not running"), NULL },
    { NULL }
  };

  if (!cc_cli_parse_options (cli, _("engine status|env"),
                             _("“status”: whether the local engine runs and isolates its sandboxes.\n"
                               "“env”: the E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY lines that point\n"
                               "the official E2B SDKs at it (eval \"$(code-canvas-cli engine env)\")."),
                             entries))
    return;
  if (cli->n_args == 1 && g_str_equal (cli->args[0], "status"))
    cc_client_get_engine_status_async (cli->client, start, cli->cancellable, engine_status_cb, cli);
  else if (cli->n_args == 1 && g_str_equal (cli->args[0], "env"))
    cc_client_get_engine_env_async (cli->client, cli->cancellable, engine_env_cb, cli);
  else
    cc_cli_usage_error (cli, _("Usage: code-canvas-cli engine status|env"));
}

/* ---- sandbox ----------------------------------------------------------------------------- */

static const char *
status_name (CcSandboxStatus status)
{
  switch (status)
    {
    case CC_SANDBOX_STATUS_STARTING:
      return _("starting");
    case CC_SANDBOX_STATUS_RUNNING:
      return _("running");
    case CC_SANDBOX_STATUS_PAUSED:
      return _("paused");
    case CC_SANDBOX_STATUS_EXPIRED:
      return _("gone");
    case CC_SANDBOX_STATUS_NONE:
    default:
      return _("none");
    }
}

typedef struct
{
  CcCli *cli;
  char  *project_id;
} SandboxState;

static void
sandbox_state_free (gpointer data)
{
  SandboxState *state = data;

  g_free (state->project_id);
  g_free (state);
}

static void
sandbox_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SandboxState *state = user_data;
  CcClient *client = CC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_async_result_is_tagged (result, cc_client_refresh_sandbox_async))
    {
      CcSandboxStatus status = cc_client_refresh_sandbox_finish (client, result, &error);
      gint64 end = cc_client_get_sandbox_end_time (client, state->project_id);

      ok = error == NULL;
      if (ok && state->cli->json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, status_name (status));
          json_builder_set_member_name (builder, "end_time");
          if (end > 0)
            json_builder_add_int_value (builder, end / G_USEC_PER_SEC);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
          root = json_builder_get_root (builder);
          cc_cli_print_json (root);
        }
      else if (ok)
        {
          g_autofree char *when = cc_cli_format_time (end);

          if (end > 0)
            g_print (_("The sandbox is %s until %s.\n"), status_name (status), when);
          else
            g_print (_("The sandbox is %s.\n"), status_name (status));
        }
    }
  else if (g_async_result_is_tagged (result, cc_client_extend_sandbox_async))
    ok = cc_client_extend_sandbox_finish (client, result, &error);
  else if (g_async_result_is_tagged (result, cc_client_pause_sandbox_async))
    ok = cc_client_pause_sandbox_finish (client, result, &error);
  else if (g_async_result_is_tagged (result, cc_client_resume_sandbox_async))
    ok = cc_client_resume_sandbox_finish (client, result, &error);
  else
    ok = cc_client_kill_sandbox_finish (client, result, &error);
  if (!ok)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_sandbox (CcCli *cli)
{
  int seconds = 300;
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, N_("for extend: how long from now (default 300)"), N_("N") },
    { NULL }
  };
  SandboxState *state;
  CcProject *project;
  const char *verb;

  if (!cc_cli_parse_options (cli, _("sandbox status|extend|pause|resume|kill PROJECT"),
                             _("Look after a project's sandbox. A killed sandbox is replaced on next use,\n"
                               "with the project's files uploaded again."), entries))
    return;
  if (cli->n_args != 2)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli sandbox status|extend|pause|resume|kill PROJECT"));
      return;
    }
  verb = cli->args[0];
  if ((project = cc_cli_find_project (cli, cli->args[1])) == NULL)
    return;
  state = g_new0 (SandboxState, 1);
  state->cli = cli;
  state->project_id = g_strdup (cc_project_get_id (project));
  cli->data = state;
  cli->data_free = sandbox_state_free;
  if (g_str_equal (verb, "status"))
    cc_client_refresh_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "extend"))
    cc_client_extend_sandbox_async (cli->client, state->project_id, MAX (seconds, 1), cli->cancellable,
                                    sandbox_done_cb, state);
  else if (g_str_equal (verb, "pause"))
    cc_client_pause_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "resume"))
    cc_client_resume_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "kill"))
    cc_client_kill_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else
    cc_cli_usage_error (cli, _("Unknown sandbox command “%s”: use status, extend, pause, resume or kill."), verb);
}
