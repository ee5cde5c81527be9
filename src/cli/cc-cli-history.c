/* cc-cli-history.c: code-canvas-cli history and cache
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"

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
      gint64 now = g_get_real_time ();

      g_print ("%-19s %-7s %-11s %5s %9s %-12s %s\n", _("TIME"), _("STATUS"), _("TYPE"), _("EXIT"),
               _("DURATION"), _("CACHED"), _("INPUT"));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CcOperation) op = g_list_model_get_item (records, i);
          g_autofree char *time = cc_cli_format_time (cc_operation_get_created_at (op));
          g_autofree char *input = one_line (cc_operation_get_input (op), 60);
          g_autofree char *exit_code = NULL;
          g_autofree char *duration = g_strdup_printf ("%" G_GINT64_FORMAT "ms", cc_operation_get_duration_ms (op));
          /* A cached answer says how old the result it gave was. */
          g_autofree char *cached = cc_operation_get_cached (op)
                                    ? cc_operation_format_age (cc_operation_get_cached_at (op), now)
                                    : g_strdup ("");
          CcOperationType type = cc_operation_get_operation_type (op);

          exit_code = (type == CC_OPERATION_TYPE_COMMAND || type == CC_OPERATION_TYPE_SETUP) &&
                      cc_operation_get_status (op) == CC_OPERATION_STATUS_SUCCESS
                      ? g_strdup_printf ("%d", cc_operation_get_exit_code (op)) : g_strdup ("-");
          g_print ("%-19s %-7s %-11s %5s %9s %-12s %s\n", time,
                   cc_operation_status_to_string (cc_operation_get_status (op)),
                   cc_operation_type_to_string (type), exit_code, duration, cached, input);
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
  g_autofree char *command = NULL;
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
  if (n_after > 0)
    command = cc_cli_join_command (after, n_after);
  cc_client_clear_cache_async (cli->client, cc_project_get_id (project), command,
                               cli->cancellable, cache_cleared_cb, cli);
}
