/* cc-cli-project.c: code-canvas-cli project create|list|info|update|delete
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"
#include "cc-sandbox-error.h"

/* The store gives "" for unset text. */
static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

static void
print_project (CcCli     *cli,
               CcProject *project)
{
  g_autofree char *created = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *last = NULL;

  if (cli->json)
    {
      g_autoptr(JsonNode) node = cc_cli_project_to_json (project);
      cc_cli_print_json (node);
      return;
    }
  created = cc_cli_format_time (cc_project_get_created_at (project));
  updated = cc_cli_format_time (cc_project_get_updated_at (project));
  last = cc_cli_format_time (cc_project_get_last_execution_at (project));
  g_print ("%-16s %s\n", _("Name:"), cc_project_get_name (project));
  g_print ("%-16s %s\n", _("Id:"), cc_project_get_id (project));
  g_print ("%-16s %s\n", _("Connection:"),
           cc_connection_kind_to_string (cc_project_get_connection_kind (project)));
  if (or_dash (cc_project_get_api_url (project)))
    g_print ("%-16s %s\n", _("API URL:"), cc_project_get_api_url (project));
  if (or_dash (cc_project_get_sandbox_url (project)))
    g_print ("%-16s %s\n", _("Sandbox URL:"), cc_project_get_sandbox_url (project));
  g_print ("%-16s %s\n", _("Template:"), or_dash (cc_project_get_template (project)) ? cc_project_get_template (project) : "-");
  if (or_dash (cc_project_get_local_folder (project)))
    g_print ("%-16s %s\n", _("Folder:"), cc_project_get_local_folder (project));
  {
    g_autofree char *workspace = cc_client_dup_workspace_path (cli->client, project);

    g_print ("%-16s %s\n", _("Workspace:"), workspace);
  }
  g_print ("%-16s %u\n", _("Port:"), cc_project_get_port (project));
  g_print ("%-16s %s\n", _("Setup command:"),
           or_dash (cc_project_get_setup_command (project)) ? cc_project_get_setup_command (project) : "-");
  g_print ("%-16s %s\n", _("Start command:"),
           or_dash (cc_project_get_start_command (project)) ? cc_project_get_start_command (project) : "-");
  g_print ("%-16s %s\n", _("Sandbox:"),
           or_dash (cc_project_get_sandbox_id (project)) ? cc_project_get_sandbox_id (project) : _("none yet"));
  g_print ("%-16s %s\n", _("Created:"), created);
  g_print ("%-16s %s\n", _("Updated:"), updated);
  g_print ("%-16s %s\n", _("Last command:"), last);
}

/* A value the core refused is wrong usage (exit 2); anything else is a failure. */
static void
fail_project_write (CcCli        *cli,
                    const GError *error)
{
  if (g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT))
    cc_cli_usage_error (cli, "%s", error->message);
  else
    cc_cli_fail (cli, error);
}

/* ---- create ------------------------------------------------------------------------------ */

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_client_create_project_finish (CC_CLIENT (source), result, &error);
  if (project == NULL)
    {
      fail_project_write (cli, error);
      return;
    }
  if (cli->json)
    print_project (cli, project);
  else
    g_print (_("Created project “%s” (%s). Next: code-canvas-cli setup %s\n"),
             cc_project_get_name (project), cc_project_get_id (project), cc_project_get_name (project));
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

static void
project_create (CcCli *cli)
{
  g_autofree char *template_id = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *connection = NULL;
  g_autofree char *api_url = NULL;
  int port = 0;
  GOptionEntry entries[] = {
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_id, N_("blank, node, vite or python (default: blank)"), N_("TEMPLATE") },
    { "folder", 'f', 0, G_OPTION_ARG_FILENAME, &folder, N_("use a local folder as the project's workspace, live (not a copy)"), N_("DIR") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("the dev server port (default: the template's)"), N_("PORT") },
    { "connection", 'c', 0, G_OPTION_ARG_STRING, &connection, N_("local (default), e2b or custom"), N_("KIND") },
    { "api-url", 0, 0, G_OPTION_ARG_STRING, &api_url, N_("API URL of a custom E2B-compatible service"), N_("URL") },
    { NULL }
  };
  CcConnectionKind kind = CC_CONNECTION_LOCAL;
  g_autoptr(GFile) folder_file = NULL;

  if (!cc_cli_parse_options (cli, _("project create NAME"),
                             _("Create a project. It runs on the local engine unless told otherwise;\n"
                               "set it up afterwards with “code-canvas-cli setup NAME”."), entries))
    return;
  if (cli->n_args != 1)
    {
      cc_cli_usage_error (cli, _("Give the new project's name: code-canvas-cli project create NAME"));
      return;
    }
  if (connection != NULL && !cc_connection_kind_from_string (connection, &kind))
    {
      cc_cli_usage_error (cli, _("Unknown connection “%s”: use local, e2b or custom."), connection);
      return;
    }
  if (port < 0 || port > 65535)
    {
      cc_cli_usage_error (cli, _("The port must be a number from 1 to 65535, not %d."), port);
      return;
    }
  if (folder != NULL)
    folder_file = g_file_new_for_commandline_arg (folder);
  cc_client_create_project_async (cli->client, cli->args[0], kind, api_url, template_id, folder_file,
                                  (guint) port, cli->cancellable, created_cb, cli);
}

/* ---- list -------------------------------------------------------------------------------- */

static void
project_list (CcCli *cli)
{
  GListModel *projects;
  guint n;

  if (!cc_cli_parse_options (cli, _("project list"), _("List every project, newest first."), NULL))
    return;
  projects = cc_client_get_projects (cli->client);
  n = g_list_model_get_n_items (projects);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CcProject) project = g_list_model_get_item (projects, i);
          json_array_add_element (array, cc_cli_project_to_json (project));
        }
      json_node_take_array (root, array);
      cc_cli_print_json (root);
    }
  else if (n == 0)
    g_print ("%s\n", _("No projects yet. Create one with: code-canvas-cli project create NAME --template node"));
  else
    {
      g_print ("%-20s %-36s %-8s %-8s %-6s %s\n", _("NAME"), _("ID"), _("WHERE"), _("TEMPLATE"),
               _("PORT"), _("LAST COMMAND"));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CcProject) project = g_list_model_get_item (projects, i);
          g_autofree char *last = cc_cli_format_time (cc_project_get_last_execution_at (project));

          g_print ("%-20s %-36s %-8s %-8s %-6u %s\n", cc_project_get_name (project),
                   cc_project_get_id (project),
                   cc_connection_kind_to_string (cc_project_get_connection_kind (project)),
                   or_dash (cc_project_get_template (project)) ? cc_project_get_template (project) : "-",
                   cc_project_get_port (project), last);
        }
    }
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

/* ---- info -------------------------------------------------------------------------------- */

static void
info_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_client_get_project_info_finish (CC_CLIENT (source), result, &error);
  if (project == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  print_project (cli, project);
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

static void
project_info (CcCli *cli)
{
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("project info PROJECT"), _("Show a project's metadata."), NULL))
    return;
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  cc_client_get_project_info_async (cli->client, cc_project_get_id (project), cli->cancellable,
                                    info_cb, cli);
}

/* ---- update ------------------------------------------------------------------------------ */

static void
updated_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_client_update_project_info_finish (CC_CLIENT (source), result, &error);
  if (project == NULL)
    {
      fail_project_write (cli, error);
      return;
    }
  if (cli->json)
    print_project (cli, project);
  else
    g_print (_("Updated project “%s”.\n"), cc_project_get_name (project));
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

static void
project_update (CcCli *cli)
{
  g_autofree char *name = NULL;
  g_autofree char *setup = NULL;
  g_autofree char *start = NULL;
  g_autofree char *sandbox_url = NULL;
  int port = G_MININT;   /* not given */
  GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("a new name"), N_("NAME") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("the dev server port"), N_("PORT") },
    { "setup-command", 0, 0, G_OPTION_ARG_STRING, &setup, N_("the install command"), N_("COMMAND") },
    { "start-command", 0, 0, G_OPTION_ARG_STRING, &start, N_("the dev server command ($PORT is the port)"), N_("COMMAND") },
    { "sandbox-url", 0, 0, G_OPTION_ARG_STRING, &sandbox_url, N_("sandbox URL or domain of a custom service"), N_("URL") },
    { NULL }
  };
  g_autoptr(CcProject) changes = NULL;
  CcProjectField fields = CC_PROJECT_FIELD_NONE;
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("project update PROJECT"),
                             _("Change some of a project's metadata; what is not given stays."), entries))
    return;
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  changes = cc_project_copy (project);
  if (name != NULL)
    {
      cc_project_set_name (changes, name);
      fields |= CC_PROJECT_FIELD_NAME;
    }
  if (port != G_MININT)
    {
      /* The core refuses it too, but a negative number has no guint to carry it there. */
      if (port < 1 || port > 65535)
        {
          cc_cli_usage_error (cli, _("The port must be a number from 1 to 65535, not %d."), port);
          return;
        }
      cc_project_set_port (changes, (guint) port);
      fields |= CC_PROJECT_FIELD_PORT;
    }
  if (setup != NULL)
    {
      cc_project_set_setup_command (changes, *setup ? setup : NULL);
      fields |= CC_PROJECT_FIELD_SETUP_COMMAND;
    }
  if (start != NULL)
    {
      cc_project_set_start_command (changes, *start ? start : NULL);
      fields |= CC_PROJECT_FIELD_START_COMMAND;
    }
  if (sandbox_url != NULL)
    {
      cc_project_set_sandbox_url (changes, sandbox_url);
      fields |= CC_PROJECT_FIELD_CONNECTION;
    }
  if (fields == CC_PROJECT_FIELD_NONE)
    {
      cc_cli_usage_error (cli, _("Nothing to change: give --name, --port, --setup-command, "
                                 "--start-command or --sandbox-url."));
      return;
    }
  cc_client_update_project_info_async (cli->client, cc_project_get_id (project), changes, fields,
                                       cli->cancellable, updated_cb, cli);
}

/* ---- delete ------------------------------------------------------------------------------ */

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_delete_project_finish (CC_CLIENT (source), result, &error))
    {
      cc_cli_fail (cli, error);
      return;
    }
  g_print ("%s\n", _("Deleted the project and its sandbox."));
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

static void
project_delete (CcCli *cli)
{
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("project delete PROJECT"),
                             _("Delete a project and kill its sandbox. Its history stays until it expires."),
                             NULL))
    return;
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  cc_client_delete_project_async (cli->client, cc_project_get_id (project), cli->cancellable,
                                  deleted_cb, cli);
}

void
cc_cli_cmd_project (CcCli *cli)
{
  const char *verb = cli->n_args > 0 ? cli->args[0] : NULL;

  if (verb == NULL || g_str_equal (verb, "--help") || g_str_equal (verb, "-h"))
    {
      g_print ("%s", _("Usage: code-canvas-cli project create|list|info|update|delete …\n"
                       "\n"
                       "  project create NAME [--template T] [--folder DIR] [--port N]\n"
                       "                      [--connection local|e2b|custom] [--api-url URL]\n"
                       "  project list\n"
                       "  project info PROJECT\n"
                       "  project update PROJECT [--name N] [--port N] [--setup-command C]\n"
                       "                         [--start-command C] [--sandbox-url URL]\n"
                       "  project delete PROJECT\n"
                       "\n"
                       "PROJECT is a project's name or id. “--json” prints JSON.\n"));
      cc_cli_quit (cli, verb == NULL ? CC_CLI_EXIT_USAGE : CC_CLI_EXIT_OK);
      return;
    }
  cli->args++;
  cli->n_args--;
  if (g_str_equal (verb, "create"))
    project_create (cli);
  else if (g_str_equal (verb, "list") || g_str_equal (verb, "ls"))
    project_list (cli);
  else if (g_str_equal (verb, "info") || g_str_equal (verb, "show"))
    project_info (cli);
  else if (g_str_equal (verb, "update"))
    project_update (cli);
  else if (g_str_equal (verb, "delete") || g_str_equal (verb, "rm"))
    project_delete (cli);
  else
    cc_cli_usage_error (cli, _("Unknown project command “%s”: use create, list, info, update or delete."), verb);
}
