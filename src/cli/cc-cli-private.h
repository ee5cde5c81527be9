/* cc-cli-private.h: what the parts of code-canvas-cli share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One run of the CLI is one CcCli: it opens the store and the client off the main loop, runs one
 * subcommand as a chain of async calls, and quits its GMainLoop with an exit status. Nothing
 * blocks the loop (network and SQLite are the core's async calls).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cc-client.h"

G_BEGIN_DECLS

/* Exit statuses of the CLI itself (a command's own status is passed through by "exec"). */
#define CC_CLI_EXIT_OK      0
#define CC_CLI_EXIT_FAILED  1
#define CC_CLI_EXIT_USAGE   2

typedef struct _CcCli CcCli;
typedef void (*CcCliCommandFunc) (CcCli *cli);

struct _CcCli
{
  GMainLoop    *loop;
  CcClient     *client;
  GCancellable *cancellable;
  int           exit_status;
  gboolean      json;
  gboolean      quitting;
  /* Global flags that override a shared setting for this run. */
  gboolean      has_cache_ttl_override;
  guint         cache_ttl_override;
  gboolean      has_history_days_override;
  guint         history_days_override;
  char        **args;      /* the subcommand's arguments (after its name), NULL-terminated */
  int           n_args;
  CcProject    *project;   /* the project the subcommand works on, once named (for hints) */
  gpointer      data;      /* the running subcommand's state */
  GDestroyNotify data_free;
};

int          cc_cli_run                (int            argc,
                                        char         **argv);

/* Ending the run. */
void         cc_cli_quit               (CcCli         *cli,
                                        int            status);
/* Prints "code-canvas-cli: <message>" (and a hint for some codes) and quits with 1. */
void         cc_cli_fail               (CcCli         *cli,
                                        const GError  *error);
void         cc_cli_usage_error        (CcCli         *cli,
                                        const char    *format,
                                        ...) G_GNUC_PRINTF (2, 3);

/* Parses the subcommand's options; on --help prints @usage and quits. FALSE: already quit. */
gboolean     cc_cli_parse_options      (CcCli         *cli,
                                        const char    *usage,
                                        const char    *summary,
                                        GOptionEntry  *entries);

/* A project by name or id (projects are loaded before any subcommand runs); NULL: already
 * failed with a message. */
CcProject   *cc_cli_find_project       (CcCli         *cli,
                                        const char    *id_or_name);

/* The command "exec" runs for the words after "--": one word is a shell command line as it
 * is; several are each quoted for the shell, so they run exactly as typed. */
char        *cc_cli_join_command       (char         **words,
                                        int            n_words);

/* Settings shared with the app (cc-cli-config.c). NULL when the schema is not installed. */
GSettings   *cc_cli_settings_new       (void);
gboolean     cc_cli_check_setting      (const char    *name,
                                        const char    *flag,
                                        const char    *text,
                                        guint         *out,
                                        char         **message);
void         cc_cli_apply_settings     (CcCli         *cli);

/* Output */
void         cc_cli_print_json         (JsonNode      *node);
JsonNode    *cc_cli_project_to_json    (CcProject     *project);
JsonNode    *cc_cli_operation_to_json  (CcOperation   *operation);
char        *cc_cli_format_time        (gint64         unix_usec);
void         cc_cli_write_all          (int            fd,
                                        const void    *data,
                                        gsize          length);

/* Subcommands */
void         cc_cli_cmd_project        (CcCli         *cli);
void         cc_cli_cmd_exec           (CcCli         *cli);
void         cc_cli_cmd_write          (CcCli         *cli);
void         cc_cli_cmd_read           (CcCli         *cli);
void         cc_cli_cmd_ls             (CcCli         *cli);
void         cc_cli_cmd_setup          (CcCli         *cli);
void         cc_cli_cmd_dev            (CcCli         *cli);
void         cc_cli_cmd_history        (CcCli         *cli);
void         cc_cli_cmd_cache          (CcCli         *cli);
void         cc_cli_cmd_key            (CcCli         *cli);
void         cc_cli_cmd_engine         (CcCli         *cli);
void         cc_cli_cmd_sandbox        (CcCli         *cli);
void         cc_cli_cmd_config         (CcCli         *cli);
void         cc_cli_cmd_sync           (CcCli         *cli);

G_END_DECLS
