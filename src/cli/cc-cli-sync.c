/* cc-cli-sync.c: code-canvas-cli sync (a project's workspace and its sandbox, in step)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "cc-cli-private.h"

typedef struct
{
  char     *project_id;
  int       last_percent;
  gboolean  shown;          /* a progress line is on the terminal */
} SyncCommand;

static void
sync_command_free (gpointer data)
{
  SyncCommand *command = data;

  g_free (command->project_id);
  g_free (command);
}

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
  SyncCommand *command = cli->data;
  const char *project_id = command->project_id;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncState state;

  summary = cc_client_sync_project_finish (client, result, &error);
  g_signal_handlers_disconnect_by_data (client, cli);
  if (command->shown)
    g_printerr ("\n");
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

/* On a terminal, how far the sync is, on one line of stderr. */
static void
on_sync_state_changed (CcClient   *client,
                       const char *project_id,
                       CcCli      *cli)
{
  SyncCommand *command = cli->data;
  double progress = cc_client_get_sync_progress (client, project_id);
  int percent = (int) (progress * 100);
  g_autofree char *line = NULL;

  if (g_strcmp0 (project_id, command->project_id) != 0 || progress < 0 ||
      percent == command->last_percent)
    return;
  command->last_percent = percent;
  command->shown = TRUE;
  /* Translators: a sync's progress on a terminal, as in "Syncing 45 %" */
  line = g_strdup_printf (_("Syncing %d %%"), percent);
  g_printerr ("\r%s", line);
}

void
cc_cli_cmd_sync (CcCli *cli)
{
  CcProject *project;
  SyncCommand *command;

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
  command = g_new0 (SyncCommand, 1);
  command->project_id = g_strdup (cc_project_get_id (project));
  command->last_percent = -1;
  cli->data = command;
  cli->data_free = sync_command_free;
  if (isatty (STDERR_FILENO))
    g_signal_connect (cli->client, "sync-state-changed", G_CALLBACK (on_sync_state_changed), cli);
  cc_client_sync_project_async (cli->client, command->project_id, cli->cancellable, sync_done_cb,
                                cli);
}
