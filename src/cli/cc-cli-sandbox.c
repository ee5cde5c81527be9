/* cc-cli-sandbox.c: code-canvas-cli sandbox (status and lifecycle)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"

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
  char  *project_name;
  guint  seconds;
} SandboxState;

static void
sandbox_state_free (gpointer data)
{
  SandboxState *state = data;

  g_free (state->project_id);
  g_free (state->project_name);
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
    {
      ok = cc_client_extend_sandbox_finish (client, result, &error);
      if (ok && !state->cli->json)
        {
          gint64 end = cc_client_get_sandbox_end_time (client, state->project_id);
          g_autofree char *when = cc_cli_format_time (end);

          if (end > 0)
            g_print (_("The sandbox now runs until %s.\n"), when);
        }
    }
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

/* Extending a paused sandbox would change nothing (a paused sandbox has no timer), and a
 * missing one cannot be extended: look first, and say so. */
static void
extend_status_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SandboxState *state = user_data;
  CcClient *client = CC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  CcSandboxStatus status;

  status = cc_client_refresh_sandbox_finish (client, result, &error);
  if (error != NULL)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  switch (status)
    {
    case CC_SANDBOX_STATUS_PAUSED:
      g_printerr (_("code-canvas-cli: The sandbox is paused, so it was not extended. Resume it first: "
                    "code-canvas-cli sandbox resume %s\n"), state->project_name);
      cc_cli_quit (state->cli, CC_CLI_EXIT_FAILED);
      return;
    case CC_SANDBOX_STATUS_NONE:
    case CC_SANDBOX_STATUS_EXPIRED:
      g_printerr (_("code-canvas-cli: The project has no running sandbox to extend. The next command "
                    "creates one.\n"));
      cc_cli_quit (state->cli, CC_CLI_EXIT_FAILED);
      return;
    case CC_SANDBOX_STATUS_STARTING:
    case CC_SANDBOX_STATUS_RUNNING:
    default:
      break;
    }
  cc_client_extend_sandbox_async (client, state->project_id, state->seconds, state->cli->cancellable,
                                  sandbox_done_cb, state);
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
  /* Zero or less is no extension at all; a day is the longest sandbox life we offer. */
  if (g_str_equal (verb, "extend") && (seconds < 1 || seconds > 86400))
    {
      cc_cli_usage_error (cli, _("--seconds must be from 1 to 86400 (a day), not %d."), seconds);
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[1])) == NULL)
    return;
  state = g_new0 (SandboxState, 1);
  state->cli = cli;
  state->project_id = g_strdup (cc_project_get_id (project));
  state->project_name = g_strdup (cc_project_get_name (project));
  state->seconds = (guint) seconds;
  cli->data = state;
  cli->data_free = sandbox_state_free;
  if (g_str_equal (verb, "status"))
    cc_client_refresh_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "extend"))
    cc_client_refresh_sandbox_async (cli->client, state->project_id, cli->cancellable, extend_status_cb,
                                     state);
  else if (g_str_equal (verb, "pause"))
    cc_client_pause_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "resume"))
    cc_client_resume_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else if (g_str_equal (verb, "kill"))
    cc_client_kill_sandbox_async (cli->client, state->project_id, cli->cancellable, sandbox_done_cb, state);
  else
    cc_cli_usage_error (cli, _("Unknown sandbox command “%s”: use status, extend, pause, resume or kill."), verb);
}
