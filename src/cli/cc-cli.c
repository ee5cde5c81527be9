/* cc-cli.c: code-canvas-cli — the run, the dispatch and the shared output helpers
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "cc-cli-private.h"
#include "cc-keyring.h"
#include "cc-sandbox-error.h"

typedef struct
{
  const char       *name;
  CcCliCommandFunc  func;
  const char       *summary;
} CommandEntry;

static const CommandEntry commands[] = {
  { "project", cc_cli_cmd_project, N_("Create, list, show, change or delete projects") },
  { "exec",    cc_cli_cmd_exec,    N_("Run a command in a project's sandbox") },
  { "write",   cc_cli_cmd_write,   N_("Write a file in the sandbox (from a local file or stdin)") },
  { "read",    cc_cli_cmd_read,    N_("Print a file of the sandbox") },
  { "ls",      cc_cli_cmd_ls,      N_("List a directory of the sandbox") },
  { "setup",   cc_cli_cmd_setup,   N_("Upload a local folder (or the template) and install") },
  { "dev",     cc_cli_cmd_dev,     N_("Start the dev server and print its preview URL") },
  { "history", cc_cli_cmd_history, N_("Show what ran, newest first") },
  { "cache",   cc_cli_cmd_cache,   N_("Clear cached command results") },
  { "sandbox", cc_cli_cmd_sandbox, N_("Show, extend, pause, resume or kill a project's sandbox") },
  { "sync",    cc_cli_cmd_sync,    N_("Sync a project's workspace folder with its sandbox now") },
  { "key",     cc_cli_cmd_key,     N_("Store or remove the E2B API key in the keyring") },
  { "engine",  cc_cli_cmd_engine,  N_("Local engine status, or the SDK environment for it") },
  { "config",  cc_cli_cmd_config,  N_("Show or change the settings shared with the app") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s", _("Usage: code-canvas-cli [--json] COMMAND [OPTIONS] [ARGS]\n"
                        "\n"
                        "Work in Code Canvas projects from the terminal: the same projects, sandboxes,\n"
                        "history and cache as the Code Canvas app. Projects are named by name or id.\n"
                        "\n"
                        "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "%s", _("\n"
                        "Examples:\n"
                        "  code-canvas-cli project create web --template node\n"
                        "  code-canvas-cli setup web\n"
                        "  code-canvas-cli exec web -- node --version\n"
                        "  code-canvas-cli dev web\n"
                        "  code-canvas-cli history web --limit 10\n"
                        "\n"
                        "Global options:\n"
                        "  --json     machine-readable output for commands that print data\n"
                        "  --cache-ttl=SECONDS\n"
                        "             serve cached results this young, for this run only\n"
                        "             (the shared setting: \"config get cache-ttl\"; 0: no cache)\n"
                        "  --history-days=DAYS\n"
                        "             keep new records this many days, for this run only\n"
                        "  --help     this text; \"COMMAND --help\" explains one command\n"
                        "  --version  the version\n"
                        "\n"
                        "Exit status: the remote command's for \"exec\"; 0 on success, 1 on failure,\n"
                        "2 on wrong usage otherwise.\n"));
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CcCli *cli = user_data;

  cc_client_flush_finish (CC_CLIENT (source), result, NULL);
  g_main_loop_quit (cli->loop);
}

void
cc_cli_quit (CcCli *cli,
             int    status)
{
  if (cli->quitting)
    {
      /* A second Ctrl+C while records are written: leave now. */
      g_main_loop_quit (cli->loop);
      return;
    }
  cli->quitting = TRUE;
  cli->exit_status = status;
  /* Records and cache entries are written in the background: let them land first. */
  if (cli->client != NULL)
    cc_client_flush_async (cli->client, NULL, flushed_cb, cli);
  else
    g_main_loop_quit (cli->loop);
}

static char *
hint_for (CcCli        *cli,
          const GError *error)
{
  if (error->domain == CC_SANDBOX_ERROR)
    switch ((CcSandboxError) error->code)
      {
      case CC_SANDBOX_ERROR_NO_API_KEY:
      case CC_SANDBOX_ERROR_UNAUTHORIZED:
        /* A custom endpoint's key is stored under its API URL: the hint must name it. */
        if (cli->project != NULL &&
            cc_project_get_connection_kind (cli->project) == CC_CONNECTION_CUSTOM &&
            cc_project_get_api_url (cli->project) != NULL)
          {
            g_autofree char *quoted = g_shell_quote (cc_project_get_api_url (cli->project));

            return g_strdup_printf (_("Store a key with: code-canvas-cli key set --endpoint %s"), quoted);
          }
        return g_strdup (_("Store a key with: code-canvas-cli key set"));
      case CC_SANDBOX_ERROR_ENGINE_UNREACHABLE:
        return g_strdup (_("Check the engine with: code-canvas-cli engine status"));
      case CC_SANDBOX_ERROR_FAILED:
      case CC_SANDBOX_ERROR_FORBIDDEN:
      case CC_SANDBOX_ERROR_RATE_LIMITED:
      case CC_SANDBOX_ERROR_SANDBOX_GONE:
      case CC_SANDBOX_ERROR_NOT_FOUND:
      case CC_SANDBOX_ERROR_ALREADY_EXISTS:
      case CC_SANDBOX_ERROR_INVALID_ARGUMENT:
      case CC_SANDBOX_ERROR_NETWORK:
      case CC_SANDBOX_ERROR_DNS:
      case CC_SANDBOX_ERROR_TLS:
      case CC_SANDBOX_ERROR_TIMEOUT:
      case CC_SANDBOX_ERROR_DEADLINE:
      case CC_SANDBOX_ERROR_PROTOCOL:
      case CC_SANDBOX_ERROR_DISK_FULL:
      case CC_SANDBOX_ERROR_SERVICE_BUSY:
      case CC_SANDBOX_ERROR_SERVER:
      case CC_SANDBOX_ERROR_PORT_NOT_OPEN:
      case CC_SANDBOX_ERROR_PROCESS_EXITED:
      default:
        return NULL;
      }
  return NULL;
}

void
cc_cli_fail (CcCli        *cli,
             const GError *error)
{
  g_autofree char *hint = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("%s\n", _("code-canvas-cli: interrupted"));
      cc_cli_quit (cli, 130);
      return;
    }
  g_printerr ("code-canvas-cli: %s\n", error->message);
  hint = hint_for (cli, error);
  if (hint != NULL)
    g_printerr ("%s\n", hint);
  cc_cli_quit (cli, CC_CLI_EXIT_FAILED);
}

void
cc_cli_usage_error (CcCli      *cli,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("code-canvas-cli: %s\n", message);
  cc_cli_quit (cli, CC_CLI_EXIT_USAGE);
}

gboolean
cc_cli_parse_options (CcCli        *cli,
                      const char   *usage,
                      const char   *summary,
                      GOptionEntry *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);
  g_autoptr(GError) error = NULL;
  g_autofree char **argv = NULL;
  int argc;

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* GOption wants a program name first and edits the vector in place. */
  argc = cli->n_args + 1;
  argv = g_new0 (char *, argc + 1);
  argv[0] = (char *) "code-canvas-cli";
  for (int i = 0; i < cli->n_args; i++)
    argv[i + 1] = cli->args[i];
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      cc_cli_usage_error (cli, _("%s (see --help)"), error->message);
      return FALSE;
    }
  for (int i = 0; i < argc - 1; i++)
    cli->args[i] = argv[i + 1];
  cli->args[argc - 1] = NULL;
  cli->n_args = argc - 1;
  return TRUE;
}

CcProject *
cc_cli_find_project (CcCli      *cli,
                     const char *id_or_name)
{
  CcProject *project;
  GListModel *projects;
  guint n, same_name = 0;

  if (id_or_name == NULL)
    {
      cc_cli_usage_error (cli, _("Name a project (see “code-canvas-cli project list”)."));
      return NULL;
    }
  project = cc_client_find_project (cli->client, id_or_name);
  if (project != NULL)
    {
      g_set_object (&cli->project, project);
      return project;
    }

  projects = cc_client_get_projects (cli->client);
  n = g_list_model_get_n_items (projects);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CcProject) item = g_list_model_get_item (projects, i);

      if (g_strcmp0 (cc_project_get_name (item), id_or_name) == 0)
        same_name++;
    }
  if (same_name > 1)
    g_printerr (_("code-canvas-cli: %u projects are named “%s”. Use the id instead "
                  "(see “code-canvas-cli project list”).\n"), same_name, id_or_name);
  else
    g_printerr (_("code-canvas-cli: There is no project named “%s”. See “code-canvas-cli project "
                  "list”, or create it with “code-canvas-cli project create %s”.\n"),
                id_or_name, id_or_name);
  cc_cli_quit (cli, CC_CLI_EXIT_FAILED);
  return NULL;
}

/* Whether the shell reads @word as itself: then it is left as it is, so that records and cache
 * entries of plain commands read "echo hi", not "'echo' 'hi'". */
static gboolean
is_shell_plain (const char *word)
{
  if (*word == '\0')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_-+./:,@%=", *p) == NULL)
      return FALSE;
  return TRUE;
}

char *
cc_cli_join_command (char **words,
                     int    n_words)
{
  GString *command = g_string_new (NULL);

  /* One word is a shell command line ("ls | wc -l"). Several words are the argument vector the
   * user's shell already split: quote each, so the remote shell gets exactly those arguments
   * ("d;e" stays one argument and runs nothing). */
  if (n_words == 1)
    g_string_append (command, words[0]);
  else
    for (int i = 0; i < n_words; i++)
      {
        g_autofree char *quoted = is_shell_plain (words[i]) ? g_strdup (words[i])
                                                            : g_shell_quote (words[i]);

        if (i > 0)
          g_string_append_c (command, ' ');
        g_string_append (command, quoted);
      }
  return g_string_free (command, FALSE);
}

/* ---- output ------------------------------------------------------------------------------ */

void
cc_cli_write_all (int         fd,
                  const void *data,
                  gsize       length)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = write (fd, p, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return;   /* a closed pipe (| head): nothing more to say */
        }
      p += n;
      length -= n;
    }
}

void
cc_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
cc_cli_format_time (gint64 unix_usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_usec <= 0)
    return g_strdup ("-");
  utc = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup ("-");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       unix_usec)
{
  g_autoptr(GDateTime) utc = NULL;

  json_builder_set_member_name (builder, name);
  if (unix_usec <= 0 || (utc = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC)) == NULL)
    json_builder_add_null_value (builder);
  else
    {
      g_autofree char *text = g_date_time_format_iso8601 (utc);
      json_builder_add_string_value (builder, text);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

JsonNode *
cc_cli_project_to_json (CcProject *project)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", cc_project_get_id (project));
  add_string (builder, "name", cc_project_get_name (project));
  add_string (builder, "connection", cc_connection_kind_to_string (cc_project_get_connection_kind (project)));
  add_string (builder, "api_url", cc_project_get_api_url (project));
  add_string (builder, "sandbox_url", cc_project_get_sandbox_url (project));
  add_string (builder, "template", cc_project_get_template (project));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, cc_project_get_port (project));
  add_string (builder, "sandbox_id", cc_project_get_sandbox_id (project));
  add_string (builder, "local_folder", cc_project_get_local_folder (project));
  add_string (builder, "setup_command", cc_project_get_setup_command (project));
  add_string (builder, "start_command", cc_project_get_start_command (project));
  add_time (builder, "created_at", cc_project_get_created_at (project));
  add_time (builder, "updated_at", cc_project_get_updated_at (project));
  add_time (builder, "last_execution_at", cc_project_get_last_execution_at (project));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
cc_cli_operation_to_json (CcOperation *operation)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "id", cc_operation_get_id (operation));
  add_string (builder, "project_id", cc_operation_get_project_id (operation));
  add_string (builder, "type", cc_operation_type_to_string (cc_operation_get_operation_type (operation)));
  add_string (builder, "status", cc_operation_status_to_string (cc_operation_get_status (operation)));
  add_string (builder, "input", cc_operation_get_input (operation));
  add_string (builder, "stdout", cc_operation_get_stdout (operation));
  add_string (builder, "stderr", cc_operation_get_stderr (operation));
  json_builder_set_member_name (builder, "stdout_truncated");
  json_builder_add_boolean_value (builder, cc_operation_get_stdout_truncated (operation));
  json_builder_set_member_name (builder, "stderr_truncated");
  json_builder_add_boolean_value (builder, cc_operation_get_stderr_truncated (operation));
  add_string (builder, "error", cc_operation_get_error (operation));
  json_builder_set_member_name (builder, "exit_code");
  json_builder_add_int_value (builder, cc_operation_get_exit_code (operation));
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, cc_operation_get_duration_ms (operation));
  json_builder_set_member_name (builder, "cached");
  json_builder_add_boolean_value (builder, cc_operation_get_cached (operation));
  /* When the result a cached answer gave was recorded (null for a fresh one). */
  add_time (builder, "cached_at", cc_operation_get_cached (operation) ? cc_operation_get_cached_at (operation) : 0);
  add_time (builder, "created_at", cc_operation_get_created_at (operation));
  add_time (builder, "updated_at", cc_operation_get_updated_at (operation));
  add_time (builder, "expires_at", cc_operation_get_expires_at (operation));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct
{
  CcCli                *cli;
  const CommandEntry   *command;
} Start;

static void
projects_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Start *start = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_load_projects_finish (CC_CLIENT (source), result, &error))
    cc_cli_fail (start->cli, error);
  else
    start->command->func (start->cli);
  g_free (start);
}

/* The core replaced a sandbox that had ended (timed out, killed) while doing what was asked:
 * say once what that took, in the core's words (also in History). */
static void
on_sandbox_recreated (CcClient   *client,
                      const char *project_id,
                      const char *sandbox_id,
                      CcCli      *cli)
{
  g_autofree char *note = NULL;

  if (cli->project == NULL || g_strcmp0 (cc_project_get_id (cli->project), project_id) != 0)
    return;
  note = cc_client_dup_recreate_note (client, project_id);
  if (note != NULL)
    g_printerr (_("code-canvas-cli: %s (new sandbox %s).\n"), note, sandbox_id);
  else
    g_printerr (_("code-canvas-cli: The sandbox had ended; a new one (%s) was set up.\n"),
                sandbox_id);
}

static void
client_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Start *start = user_data;
  g_autoptr(GError) error = NULL;

  start->cli->client = cc_client_new_default_finish (result, &error);
  if (start->cli->client == NULL)
    {
      cc_cli_fail (start->cli, error);
      g_free (start);
      return;
    }
  cc_cli_apply_settings (start->cli);
  g_signal_connect (start->cli->client, "sandbox-recreated", G_CALLBACK (on_sandbox_recreated),
                    start->cli);
  cc_client_load_projects_async (start->cli->client, start->cli->cancellable, projects_loaded_cb, start);
}

static gboolean
on_interrupt (gpointer user_data)
{
  CcCli *cli = user_data;

  /* The subcommand sees the cancellation (exec kills its remote command) and ends. A second
   * Ctrl+C leaves at once. */
  if (g_cancellable_is_cancelled (cli->cancellable))
    {
      cli->quitting = TRUE;
      cli->exit_status = 130;
      g_main_loop_quit (cli->loop);
    }
  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

int
cc_cli_run (int    argc,
            char **argv)
{
  CcCli cli = { 0 };
  const CommandEntry *command = NULL;
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  gboolean after_dashes = FALSE;
  Start *start;
  guint sigint_id, sigterm_id;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options may come anywhere before "--". */
  for (int i = 1; i < argc; i++)
    {
      if (!after_dashes && g_str_equal (argv[i], "--"))
        after_dashes = TRUE;
      if (!after_dashes && g_str_equal (argv[i], "--json"))
        {
          cli.json = TRUE;
          continue;
        }
      if (!after_dashes && command == NULL &&
          (g_str_has_prefix (argv[i], "--cache-ttl") || g_str_has_prefix (argv[i], "--history-days")))
        {
          gboolean ttl = g_str_has_prefix (argv[i], "--cache-ttl");
          const char *flag = ttl ? "--cache-ttl" : "--history-days";
          const char *rest_of_flag = argv[i] + strlen (flag);
          const char *value = NULL;
          g_autofree char *message = NULL;
          guint number;

          if (*rest_of_flag == '=')
            value = rest_of_flag + 1;
          else if (*rest_of_flag == '\0' && i + 1 < argc)
            value = argv[++i];
          if (*rest_of_flag != '=' && *rest_of_flag != '\0')
            {
              g_printerr (_("code-canvas-cli: unknown option “%s”. See “code-canvas-cli --help”.\n"), argv[i]);
              return CC_CLI_EXIT_USAGE;
            }
          if (value == NULL)
            {
              g_printerr (_("code-canvas-cli: %s needs a value. See “code-canvas-cli --help”.\n"), flag);
              return CC_CLI_EXIT_USAGE;
            }
          if (!cc_cli_check_setting (ttl ? "cache-ttl" : "history-retention-days", flag, value,
                                     &number, &message))
            {
              g_printerr ("code-canvas-cli: %s\n", message);
              return CC_CLI_EXIT_USAGE;
            }
          if (ttl)
            {
              cli.has_cache_ttl_override = TRUE;
              cli.cache_ttl_override = number;
            }
          else
            {
              cli.has_history_days_override = TRUE;
              cli.history_days_override = number;
            }
          continue;
        }
      if (!after_dashes && command == NULL && (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h")))
        {
          print_usage (stdout);
          return CC_CLI_EXIT_OK;
        }
      if (!after_dashes && command == NULL && g_str_equal (argv[i], "--version"))
        {
          g_print ("code-canvas-cli %s\n", PACKAGE_VERSION);
          return CC_CLI_EXIT_OK;
        }
      if (command == NULL && !after_dashes)
        {
          for (guint j = 0; j < G_N_ELEMENTS (commands); j++)
            if (g_str_equal (commands[j].name, argv[i]))
              command = &commands[j];
          if (command == NULL)
            {
              if (argv[i][0] == '-')
                g_printerr (_("code-canvas-cli: unknown option “%s”. See “code-canvas-cli --help”.\n"), argv[i]);
              else
                g_printerr (_("code-canvas-cli: unknown command “%s”. See “code-canvas-cli --help”.\n"), argv[i]);
              return CC_CLI_EXIT_USAGE;
            }
          continue;
        }
      g_ptr_array_add (rest, argv[i]);
    }
  if (command == NULL)
    {
      print_usage (stderr);
      return CC_CLI_EXIT_USAGE;
    }
  g_ptr_array_add (rest, NULL);

  cli.args = (char **) rest->pdata;
  cli.n_args = rest->len - 1;
  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  cli.exit_status = CC_CLI_EXIT_OK;

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &cli);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, &cli);

  start = g_new0 (Start, 1);
  start->cli = &cli;
  start->command = command;
  cc_client_new_default_async (cli.cancellable, client_ready_cb, start);
  g_main_loop_run (cli.loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (cli.data_free != NULL && cli.data != NULL)
    cli.data_free (cli.data);
  /* Let finished background writes (records, cache) reach the store before leaving. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&cli.project);
  g_clear_object (&cli.client);
  g_clear_object (&cli.cancellable);
  g_main_loop_unref (cli.loop);
  return cli.exit_status;
}
