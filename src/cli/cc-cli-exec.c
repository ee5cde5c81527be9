/* cc-cli-exec.c: code-canvas-cli exec, write, read, ls, setup, dev
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>

#include "cc-cli-private.h"

/* ---- exec -------------------------------------------------------------------------------- */

typedef struct
{
  CcCli        *cli;
  CcExecution  *execution;
  gulong        cancel_id;
  GInputStream *input;      /* local stdin, forwarded with --stdin */
} ExecState;

static void
exec_state_free (gpointer data)
{
  ExecState *state = data;

  g_clear_object (&state->input);
  if (state->cancel_id != 0)
    g_cancellable_disconnect (state->cli->cancellable, state->cancel_id);
  g_clear_object (&state->execution);
  g_free (state);
}

static void
on_stdout (CcExecution *execution,
           GBytes      *chunk,
           ExecState   *state)
{
  if (!state->cli->json)
    cc_cli_write_all (STDOUT_FILENO, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
}

static void
on_stderr (CcExecution *execution,
           GBytes      *chunk,
           ExecState   *state)
{
  if (!state->cli->json)
    cc_cli_write_all (STDERR_FILENO, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
}

/* --stdin: local stdin goes to the remote command chunk by chunk, in order; EOF closes it. */
static void forward_next (ExecState *state);

static void
stdin_closed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cc_execution_close_stdin_finish (CC_EXECUTION (source), result, &error))
    g_debug ("Closing the command's stdin failed: %s", error->message);
}

static void
stdin_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ExecState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_execution_send_stdin_finish (CC_EXECUTION (source), result, &error))
    {
      /* The command ended or does not read: the rest of the input has nowhere to go. */
      g_debug ("Sending stdin failed: %s", error->message);
      return;
    }
  forward_next (state);
}

static void
stdin_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ExecState *state = user_data;
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (cc_execution_is_done (state->execution))
    return;
  if (chunk == NULL || g_bytes_get_size (chunk) == 0)
    {
      cc_execution_close_stdin_async (state->execution, NULL, stdin_closed_cb, NULL);
      return;
    }
  cc_execution_send_stdin_async (state->execution, chunk, NULL, stdin_sent_cb, state);
}

static void
forward_next (ExecState *state)
{
  g_input_stream_read_bytes_async (state->input, 64 * 1024, G_PRIORITY_DEFAULT, state->cli->cancellable,
                                   stdin_read_cb, state);
}

static void
exec_started_cb (CcExecution *execution,
                 guint        pid,
                 ExecState   *state)
{
  if (state->input != NULL)
    forward_next (state);
}

static void
exec_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ExecState *state = user_data;
  CcCli *cli = state->cli;
  CcExecution *execution = CC_EXECUTION (source);
  g_autoptr(GError) error = NULL;
  int exit_code;

  if (!cc_execution_wait_finish (execution, result, &error))
    {
      cc_cli_fail (cli, error);
      return;
    }
  exit_code = cc_execution_get_exit_code (execution);
  /* A cached answer says so, and how old it is, where it does not mix with the output. */
  if (!cli->json && cc_execution_get_cached (execution))
    {
      g_autofree char *age = cc_operation_format_age (cc_execution_get_cached_at (execution),
                                                      g_get_real_time ());

      g_printerr (_("(cached, %s)\n"), age);
    }
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GBytes) out = cc_execution_dup_stdout (execution);
      g_autoptr(GBytes) err = cc_execution_dup_stderr (execution);
      g_autofree char *out_text = g_utf8_make_valid (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      g_autofree char *err_text = g_utf8_make_valid (g_bytes_get_data (err, NULL), g_bytes_get_size (err));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, cc_execution_get_id (execution));
      json_builder_set_member_name (builder, "stdout");
      json_builder_add_string_value (builder, out_text);
      json_builder_set_member_name (builder, "stderr");
      json_builder_add_string_value (builder, err_text);
      json_builder_set_member_name (builder, "exit_code");
      json_builder_add_int_value (builder, exit_code);
      json_builder_set_member_name (builder, "duration_ms");
      json_builder_add_int_value (builder, cc_execution_get_duration_ms (execution));
      json_builder_set_member_name (builder, "cached");
      json_builder_add_boolean_value (builder, cc_execution_get_cached (execution));
      json_builder_set_member_name (builder, "truncated");
      json_builder_add_boolean_value (builder, cc_execution_get_truncated (execution));
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cc_cli_print_json (root);
    }
  /* A signal death is -1 remotely; shells report 128+9 for SIGKILL. */
  cc_cli_quit (cli, exit_code < 0 ? 137 : exit_code & 0xff);
}

static void
exec_cancelled_cb (GCancellable *cancellable,
                   CcExecution  *execution)
{
  cc_execution_cancel (execution);
}

void
cc_cli_cmd_exec (CcCli *cli)
{
  gboolean no_cache = FALSE;
  gboolean with_stdin = FALSE;
  GOptionEntry entries[] = {
    { "no-cache", 0, 0, G_OPTION_ARG_NONE, &no_cache, N_("run it even when a cached result exists, and do not cache it"), NULL },
    { "stdin", 'i', 0, G_OPTION_ARG_NONE, &with_stdin, N_("pass standard input to the command (never cached)"), NULL },
    { NULL }
  };
  g_autofree char *command = NULL;
  ExecState *state;
  CcProject *project;
  int dashes = -1;
  char **after = NULL;
  int n_after = 0;

  for (int i = 0; i < cli->n_args; i++)
    if (g_str_equal (cli->args[i], "--"))
      {
        dashes = i;
        break;
      }
  if (dashes >= 0)
    {
      after = cli->args + dashes + 1;
      n_after = cli->n_args - dashes - 1;
      cli->args[dashes] = NULL;
      cli->n_args = dashes;
    }
  if (!cc_cli_parse_options (cli, _("exec [--no-cache] PROJECT -- COMMAND…"),
                             _("Run COMMAND in the project's sandbox (as bash -l -c) with live output.\n"
                               "One word after “--” is a shell command line: exec web -- 'ls | wc -l'.\n"
                               "Several words are run exactly as given, each quoted for the shell:\n"
                               "exec web -- printf '%s\\n' a 'b c' runs printf with those three arguments.\n"
                               "A successful result is cached (an hour by default: config get cache-ttl);\n"
                               "a second identical run answers from the cache unless --no-cache is given.\n"
                               "The exit status is the command's."),
                             entries))
    return;
  /* Without "--", everything after the project is the command. */
  if (dashes < 0 && cli->n_args > 1)
    {
      after = cli->args + 1;
      n_after = cli->n_args - 1;
      cli->n_args = 1;
    }
  if (n_after == 0)
    {
      cc_cli_usage_error (cli, _("Give a command: code-canvas-cli exec PROJECT -- COMMAND"));
      return;
    }
  if (cli->n_args != 1)
    {
      cc_cli_usage_error (cli, _("Name one project before “--”: code-canvas-cli exec PROJECT -- COMMAND"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  command = cc_cli_join_command (after, n_after);

  state = g_new0 (ExecState, 1);
  state->cli = cli;
  state->execution = cc_client_execute (cli->client, cc_project_get_id (project), command,
                                        (no_cache ? CC_EXECUTE_FLAGS_NONE : CC_EXECUTE_FLAGS_USE_CACHE) |
                                        (with_stdin ? CC_EXECUTE_FLAGS_STDIN : 0));
  cli->data = state;
  cli->data_free = exec_state_free;
  g_signal_connect (state->execution, "stdout", G_CALLBACK (on_stdout), state);
  g_signal_connect (state->execution, "stderr", G_CALLBACK (on_stderr), state);
  if (with_stdin)
    {
      state->input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_signal_connect (state->execution, "started", G_CALLBACK (exec_started_cb), state);
    }
  state->cancel_id = g_cancellable_connect (cli->cancellable, G_CALLBACK (exec_cancelled_cb),
                                            state->execution, NULL);
  cc_execution_wait_async (state->execution, NULL, exec_done_cb, state);
}

/* ---- write ------------------------------------------------------------------------------- */

typedef struct
{
  CcCli *cli;
  char  *project_id;
  char  *path;
} WriteState;

static void
write_state_free (gpointer data)
{
  WriteState *state = data;

  g_free (state->project_id);
  g_free (state->path);
  g_free (state);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_write_file_finish (CC_CLIENT (source), result, &error))
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
}

static void
content_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WriteState *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (G_IS_FILE (source))
    {
      if (!g_file_load_contents_finish (G_FILE (source), result, &data, &length, NULL, &error))
        {
          cc_cli_fail (state->cli, error);
          return;
        }
      content = g_bytes_new_take (g_steal_pointer (&data), length);
    }
  else
    {
      if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
        {
          cc_cli_fail (state->cli, error);
          return;
        }
      content = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (source));
    }
  cc_client_write_file_async (state->cli->client, state->project_id, state->path, content,
                              state->cli->cancellable, written_cb, state);
}

void
cc_cli_cmd_write (CcCli *cli)
{
  WriteState *state;
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("write PROJECT PATH [LOCAL-FILE]"),
                             _("Write a file in the sandbox (PATH relative to its home). The content is\n"
                               "LOCAL-FILE, or standard input when it is not given."), NULL))
    return;
  if (cli->n_args < 2 || cli->n_args > 3)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli write PROJECT PATH [LOCAL-FILE]"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  state = g_new0 (WriteState, 1);
  state->cli = cli;
  state->project_id = g_strdup (cc_project_get_id (project));
  state->path = g_strdup (cli->args[1]);
  cli->data = state;
  cli->data_free = write_state_free;
  if (cli->n_args == 3 && !g_str_equal (cli->args[2], "-"))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (cli->args[2]);

      g_file_load_contents_async (file, cli->cancellable, content_read_cb, state);
    }
  else
    {
      g_autoptr(GInputStream) input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

      g_output_stream_splice_async (memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                    G_PRIORITY_DEFAULT, cli->cancellable, content_read_cb, state);
    }
}

/* ---- read -------------------------------------------------------------------------------- */

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = cc_client_read_file_finish (CC_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  cc_cli_write_all (STDOUT_FILENO, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

static void
downloaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_download_finish (CC_CLIENT (source), result, &error))
    {
      cc_cli_fail (cli, error);
      return;
    }
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_read (CcCli *cli)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("save to this local file instead of printing"), N_("FILE") },
    { NULL }
  };
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("read PROJECT PATH"),
                             _("Print a file of the sandbox to standard output (bytes as they are)."), entries))
    return;
  if (cli->n_args != 2)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli read PROJECT PATH"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  if (output != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (output);

      cc_client_download_async (cli->client, cc_project_get_id (project), cli->args[1], file,
                                cli->cancellable, downloaded_cb, cli);
      return;
    }
  cc_client_read_file_async (cli->client, cc_project_get_id (project), cli->args[1], cli->cancellable,
                             read_cb, cli);
}

/* ---- ls ---------------------------------------------------------------------------------- */

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CcCli *cli = user_data;
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  entries = cc_client_list_dir_finish (CC_CLIENT (source), result, &error);
  if (entries == NULL)
    {
      cc_cli_fail (cli, error);
      return;
    }
  n = g_list_model_get_n_items (entries);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(GFileInfo) info = g_list_model_get_item (entries, i);
          g_autoptr(GDateTime) mtime = g_file_info_get_modification_date_time (info);
          JsonObject *object = json_object_new ();
          GFileType type = g_file_info_get_file_type (info);

          json_object_set_string_member (object, "name", g_file_info_get_name (info));
          json_object_set_string_member (object, "path", g_file_info_get_attribute_string (info, "cc::path"));
          json_object_set_string_member (object, "type", type == G_FILE_TYPE_DIRECTORY ? "dir"
                                                         : type == G_FILE_TYPE_SYMBOLIC_LINK ? "symlink"
                                                         : "file");
          json_object_set_int_member (object, "size", g_file_info_get_size (info));
          json_object_set_int_member (object, "mode",
                                      g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE));
          if (mtime != NULL)
            {
              g_autofree char *text = g_date_time_format_iso8601 (mtime);
              json_object_set_string_member (object, "modified", text);
            }
          json_array_add_object_element (array, object);
        }
      json_node_take_array (root, array);
      cc_cli_print_json (root);
    }
  else
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(GFileInfo) info = g_list_model_get_item (entries, i);
        gboolean dir = g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
        g_autofree char *size = g_format_size (g_file_info_get_size (info));

        g_print ("%10s  %s%s\n", dir ? "-" : size, g_file_info_get_name (info), dir ? "/" : "");
      }
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}

void
cc_cli_cmd_ls (CcCli *cli)
{
  int depth = 1;
  GOptionEntry entries[] = {
    { "depth", 'd', 0, G_OPTION_ARG_INT, &depth, N_("how many levels to list (default 1)"), N_("N") },
    { NULL }
  };
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("ls PROJECT [PATH]"),
                             _("List a directory of the sandbox (default: its home)."), entries))
    return;
  if (cli->n_args < 1 || cli->n_args > 2)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli ls PROJECT [PATH]"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  cc_client_list_dir_async (cli->client, cc_project_get_id (project), cli->n_args == 2 ? cli->args[1] : "",
                            MAX (depth, 1), cli->cancellable, listed_cb, cli);
}

/* ---- setup ------------------------------------------------------------------------------- */

typedef struct
{
  CcCli     *cli;
  char      *project_id;
  gint       last_percent;
  gboolean   tty;
} SetupState;

static void
setup_state_free (gpointer data)
{
  SetupState *state = data;

  g_free (state->project_id);
  g_free (state);
}

static void
setup_progress (CcSetupPhase  phase,
                guint64       done,
                guint64       total,
                GBytes       *output,
                gpointer      user_data)
{
  SetupState *state = user_data;

  switch (phase)
    {
    case CC_SETUP_PHASE_SANDBOX:
      g_printerr ("%s\n", _("Preparing the sandbox…"));
      break;
    case CC_SETUP_PHASE_UPLOAD:
      if (total > 0)
        {
          int percent = (int) (done * 100 / total);

          if (percent != state->last_percent && (state->tty || percent == 100))
            {
              g_autofree char *d = g_format_size (done);
              g_autofree char *t = g_format_size (total);

              g_printerr (state->tty ? "\r%s %s / %s (%d%%)" : "%s %s / %s (%d%%)\n",
                          _("Uploading"), d, t, percent);
              if (state->tty && percent == 100)
                g_printerr ("\n");
              state->last_percent = percent;
            }
        }
      break;
    case CC_SETUP_PHASE_INSTALL:
      if (output != NULL)
        cc_cli_write_all (STDOUT_FILENO, g_bytes_get_data (output, NULL), g_bytes_get_size (output));
      break;
    default:
      break;
    }
}

static void
setup_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  SetupState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_setup_project_finish (CC_CLIENT (source), result, &error))
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  g_printerr ("%s\n", _("The project is set up."));
  cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
}

static void
folder_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SetupState *state = user_data;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;

  files = cc_template_read_folder_finish (result, &error);
  if (files == NULL)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  g_printerr (ngettext ("Read %u file.\n", "Read %u files.\n", files->len), files->len);
  cc_client_setup_project_async (state->cli->client, state->project_id, files, setup_progress, state,
                                 NULL, state->cli->cancellable, setup_done_cb, state);
}

void
cc_cli_cmd_setup (CcCli *cli)
{
  SetupState *state;
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("setup PROJECT [DIR]"),
                             _("Upload DIR (without .git, node_modules and the like) into the project's\n"
                               "sandbox in one request and run its install step (npm install for a\n"
                               "package.json, pip install -r for a requirements.txt, else the project's\n"
                               "setup command). Without DIR, the project's own files (template or folder)."),
                             NULL))
    return;
  if (cli->n_args < 1 || cli->n_args > 2)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli setup PROJECT [DIR]"));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  state = g_new0 (SetupState, 1);
  state->cli = cli;
  state->project_id = g_strdup (cc_project_get_id (project));
  state->last_percent = -1;
  state->tty = isatty (STDERR_FILENO);
  cli->data = state;
  cli->data_free = setup_state_free;
  if (cli->n_args == 2)
    {
      g_autoptr(GFile) folder = g_file_new_for_commandline_arg (cli->args[1]);

      cc_template_read_folder_async (folder, cli->cancellable, folder_read_cb, state);
      return;
    }
  cc_client_setup_project_async (cli->client, state->project_id, NULL, setup_progress, state, NULL,
                                 cli->cancellable, setup_done_cb, state);
}

/* ---- dev --------------------------------------------------------------------------------- */

typedef struct
{
  CcCli *cli;
  char  *project_id;
  gboolean follow;
} DevState;

static void
dev_state_free (gpointer data)
{
  DevState *state = data;

  g_free (state->project_id);
  g_free (state);
}

static void
dev_log_cb (CcExecution *execution,
            GBytes      *chunk,
            gpointer     user_data)
{
  cc_cli_write_all (STDERR_FILENO, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
}

static void
dev_ended_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  DevState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_execution_wait_finish (CC_EXECUTION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
          return;
        }
      cc_cli_fail (state->cli, error);
      return;
    }
  g_printerr (_("The dev server exited with status %d.\n"), cc_execution_get_exit_code (CC_EXECUTION (source)));
  cc_cli_quit (state->cli, CC_CLI_EXIT_FAILED);
}

static void
dev_stop_cancelled_cb (GCancellable *cancellable,
                       CcExecution  *server)
{
  cc_execution_cancel (server);
}

static void
dev_started_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  DevState *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  CcExecution *server;

  url = cc_client_start_dev_server_finish (CC_CLIENT (source), result, &error);
  if (url == NULL)
    {
      cc_cli_fail (state->cli, error);
      return;
    }
  if (state->cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      cc_cli_print_json (root);
    }
  else
    g_print ("%s\n", url);

  server = cc_client_get_dev_server (state->cli->client, state->project_id);
  if (!state->follow || server == NULL)
    {
      cc_cli_quit (state->cli, CC_CLI_EXIT_OK);
      return;
    }
  g_printerr ("%s\n", _("Following the server's output; Ctrl+C stops it."));
  g_signal_connect (server, "stdout", G_CALLBACK (dev_log_cb), NULL);
  g_signal_connect (server, "stderr", G_CALLBACK (dev_log_cb), NULL);
  g_cancellable_connect (state->cli->cancellable, G_CALLBACK (dev_stop_cancelled_cb),
                         g_object_ref (server), g_object_unref);
  cc_execution_wait_async (server, NULL, dev_ended_cb, state);
}

void
cc_cli_cmd_dev (CcCli *cli)
{
  int port = 0;
  gboolean follow = FALSE;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("the port (default: the project's)"), N_("PORT") },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("stay and show the server's output until Ctrl+C, which stops it"), NULL },
    { NULL }
  };
  DevState *state;
  CcProject *project;

  if (!cc_cli_parse_options (cli, _("dev [--port N] [--follow] PROJECT"),
                             _("Start the project's dev server in its sandbox, wait until its port answers\n"
                               "and print the preview URL. The server keeps running after the CLI exits."),
                             entries))
    return;
  if (cli->n_args != 1)
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli dev [--port N] PROJECT"));
      return;
    }
  if (port < 0 || port > 65535)
    {
      cc_cli_usage_error (cli, _("The port must be a number from 1 to 65535."));
      return;
    }
  if ((project = cc_cli_find_project (cli, cli->args[0])) == NULL)
    return;
  state = g_new0 (DevState, 1);
  state->cli = cli;
  state->project_id = g_strdup (cc_project_get_id (project));
  state->follow = follow;
  cli->data = state;
  cli->data_free = dev_state_free;
  if (!cli->json)
    g_printerr ("%s\n", _("Starting the dev server…"));
  cc_client_start_dev_server_async (cli->client, state->project_id, (guint) port, cli->cancellable,
                                    dev_started_cb, state);
}
