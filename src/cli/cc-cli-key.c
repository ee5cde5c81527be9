/* cc-cli-key.c: code-canvas-cli key (store, clear or check an API key)
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
  /* Empty input gives no data at all, not an empty string. */
  key = data != NULL ? g_strndup (data, size) : g_strdup ("");
  g_strstrip (key);
  if (*key == '\0')
    {
      cc_cli_usage_error (state->cli, _("No key was given: standard input was empty. Pipe the key in, "
                                        "for example: code-canvas-cli key set < key.txt"));
      return;
    }
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
        if (*line == '\0')
          {
            cc_cli_usage_error (cli, _("No key was entered."));
            return;
          }
        cc_client_store_api_key_async (cli->client, state->kind, state->endpoint, line,
                                       cli->cancellable, key_done_cb, state);
        memset (line, 0, strlen (line));
        return;
      }
    g_output_stream_splice_async (state->memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                  G_PRIORITY_DEFAULT, cli->cancellable, key_read_cb, state);
  }
}
