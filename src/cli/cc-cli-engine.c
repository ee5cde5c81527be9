/* cc-cli-engine.c: code-canvas-cli engine (status and SDK environment)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"

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
      json_builder_set_member_name (builder, "missing");
      json_builder_begin_array (builder);
      for (guint i = 0; status->missing != NULL && status->missing[i] != NULL; i++)
        json_builder_add_string_value (builder, status->missing[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cc_cli_print_json (root);
    }
  else if (!status->running && status->detail != NULL && *status->detail != '\0')
    /* The detail is a whole sentence of its own (it already says the engine is not running). */
    g_print ("%s\n", status->detail);
  else if (!status->running)
    g_print ("%s\n", _("The local engine is not running."));
  else
    {
      g_print (_("The local engine runs at %s (version %s).\n"), status->url,
               status->version ? status->version : "?");
      if (status->isolated)
        {
          g_print (_("Sandboxes are isolated (%s).\n"), status->isolation ? status->isolation : _("yes"));
          if (status->detail != NULL)
            g_print ("%s\n", status->detail);
        }
      else
        g_print (_("Sandboxes are NOT isolated: %s\n"), status->detail ? status->detail : "");
      for (guint i = 0; status->missing != NULL && status->missing[i] != NULL; i++)
        g_print (_("Missing: %s\n"), status->missing[i]);
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
