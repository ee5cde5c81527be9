/* cc-cli-sync.c: code-canvas-cli sync (a project's workspace and its sandbox, in step)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"

static const char *
state_name (CcSyncState state)
{
  switch (state)
    {
    case CC_SYNC_STATE_SYNCED:
      return _("synced");
    case CC_SYNC_STATE_SYNCING:
      return _("syncing");
    case CC_SYNC_STATE_CONFLICT:
      return _("conflict");
    case CC_SYNC_STATE_OFFLINE:
      return _("paused (offline)");
    case CC_SYNC_STATE_NONE:
    default:
      return _("mounted");
    }
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CcCli *cli = user_data;
  CcClient *client = CC_CLIENT (source);
  const char *project_id = cli->data;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncState state;

  summary = cc_client_sync_project_finish (client, result, &error);
  if (summary == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  state = summary->mounted ? CC_SYNC_STATE_NONE : cc_client_get_sync_state (client, project_id);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, summary->mounted ? "mounted"
                                     : state == CC_SYNC_STATE_CONFLICT ? "conflict" : "synced");
      json_builder_set_member_name (builder, "pulled");
      json_builder_add_int_value (builder, summary->pulled);
      json_builder_set_member_name (builder, "pushed");
      json_builder_add_int_value (builder, summary->pushed);
      json_builder_set_member_name (builder, "removed");
      json_builder_add_int_value (builder, summary->removed);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_int_value (builder, summary->skipped);
      json_builder_set_member_name (builder, "conflicts");
      json_builder_begin_array (builder);
      for (guint i = 0; summary->conflicts != NULL && summary->conflicts[i] != NULL; i++)
        json_builder_add_string_value (builder, summary->conflicts[i]);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cc_cli_print_json (root);
    }
  else
    {
      g_autofree char *line = cc_sync_summary_to_string (summary);

      g_print (_("Sync state: %s (%s).\n"), state_name (state), line);
      for (guint i = 0; summary->conflicts != NULL && summary->conflicts[i] != NULL; i++)
        g_print (_("Both sides changed a file: the workspace's version stays in place, the "
                   "sandbox's is kept as “%s”.\n"), summary->conflicts[i]);
    }
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_sync (CcCli *cli)
{
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("sync PROJECT"),
                             _("Bring a project's workspace folder and its sandbox in step now, "
                               "and show\nthe sync state. Files changed on both sides are kept "
                               "twice."), NULL))
    return;
  if (cli->n_args != 1)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli sync PROJECT"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  cli->data = g_strdup (cc_project_get_id (project));
  cli->data_free = g_free;
  cc_client_sync_project_async (cli->client, cli->data, cli->cancellable, sync_done_cb, cli);
}
