/* cc-client.h: the product's contract — what the app and the CLI call
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CcClient sits on the store (projects, records, cache), the keyring and the protocol client.
 * For every project operation it finds the project, ensures its sandbox (connect by id, create
 * on first use with auto-pause, re-create and re-upload when it is gone), records the operation
 * (pending → success | error, with input, bounded output, duration and exit code), and maps
 * every failure to a GError (CC_SANDBOX_ERROR or CC_STORE_ERROR) whose message says what to do.
 *
 * Every call is asynchronous (GTask + GCancellable), results arrive on the caller's main
 * context, and nothing blocks it. Projects are addressed by id; cc_client_find_project()
 * also accepts a name (the CLI's "by name or id").
 */
#pragma once

#include <gio/gio.h>

#include "cc-execution.h"
#include "cc-operation.h"
#include "cc-project.h"
#include "cc-store.h"
#include "cc-template.h"

G_BEGIN_DECLS

#define CC_TYPE_CLIENT (cc_client_get_type ())

G_DECLARE_FINAL_TYPE (CcClient, cc_client, CC, CLIENT, GObject)

/**
 * CcExecuteFlags:
 * @CC_EXECUTE_FLAGS_NONE: run in the sandbox, never from the cache
 * @CC_EXECUTE_FLAGS_USE_CACHE: answer from the command cache when a fresh successful result
 *   exists, and cache a successful (exit 0) result
 * @CC_EXECUTE_FLAGS_STDIN: keep the process's stdin open for cc_execution_send_stdin_async()
 *   (implies no cache lookup: the result depends on the input)
 * @CC_EXECUTE_FLAGS_NO_DEADLINE: run without the command deadline (see "command-timeout")
 * @CC_EXECUTE_FLAGS_STDIN_WHEN_RUN: with @CC_EXECUTE_FLAGS_USE_CACHE, look in the cache first;
 *   when the command does run, keep its stdin open as @CC_EXECUTE_FLAGS_STDIN does. A run that
 *   was given input, or had its input closed, is not cached: its result may depend on it.
 */
typedef enum
{
  CC_EXECUTE_FLAGS_NONE        = 0,
  CC_EXECUTE_FLAGS_USE_CACHE   = 1 << 0,
  CC_EXECUTE_FLAGS_STDIN       = 1 << 1,
  CC_EXECUTE_FLAGS_NO_DEADLINE = 1 << 2,
  CC_EXECUTE_FLAGS_STDIN_WHEN_RUN = 1 << 3,
} CcExecuteFlags;

#define CC_EXECUTE_FLAGS_DEFAULT CC_EXECUTE_FLAGS_USE_CACHE

/**
 * CcSandboxStatus:
 *
 * A project's sandbox as the app shows it (the control plane's own #CcSandboxState has only
 * running/paused).
 *
 * @CC_SANDBOX_STATUS_NONE: the project has no sandbox yet (one is created on first use)
 * @CC_SANDBOX_STATUS_STARTING: being created, connected or resumed
 * @CC_SANDBOX_STATUS_RUNNING: running until cc_client_get_sandbox_end_time()
 * @CC_SANDBOX_STATUS_PAUSED: paused; its files are kept and the next use resumes it
 * @CC_SANDBOX_STATUS_EXPIRED: gone (killed or timed out); the next use creates a new one
 */
typedef enum
{
  CC_SANDBOX_STATUS_NONE,
  CC_SANDBOX_STATUS_STARTING,
  CC_SANDBOX_STATUS_RUNNING,
  CC_SANDBOX_STATUS_PAUSED,
  CC_SANDBOX_STATUS_EXPIRED,
} CcSandboxStatus;

/**
 * CcSyncState:
 *
 * How a project's workspace stands with a sandbox that does not mount it (see
 * cc_client_sync_project_async()).
 *
 * @CC_SYNC_STATE_NONE: nothing to sync: the sandbox mounts the workspace, or none was synced yet
 * @CC_SYNC_STATE_SYNCED: the last sync completed
 * @CC_SYNC_STATE_SYNCING: a sync runs
 * @CC_SYNC_STATE_CONFLICT: the last sync kept both versions of a file (see its summary)
 * @CC_SYNC_STATE_OFFLINE: the last sync failed; the next one picks up where it stopped
 */
typedef enum
{
  CC_SYNC_STATE_NONE,
  CC_SYNC_STATE_SYNCED,
  CC_SYNC_STATE_SYNCING,
  CC_SYNC_STATE_CONFLICT,
  CC_SYNC_STATE_OFFLINE,
} CcSyncState;

/**
 * CcSyncSummary:
 * @pulled: files brought from the sandbox into the workspace
 * @pushed: files uploaded to the sandbox
 * @removed: files removed on one side because the other side removed them
 * @skipped: entries left alone: symlinks, names that are not UTF-8, special files
 * @conflicts: (array zero-terminated=1): for every conflict, the workspace-relative name of the
 *   copy kept beside the file ("src/a (sandbox copy).js")
 * @mounted: TRUE when the sandbox mounts the workspace, so nothing needed to travel
 *
 * What one sync did. Free with cc_sync_summary_free().
 */
typedef struct
{
  guint     pulled;
  guint     pushed;
  guint     removed;
  guint     skipped;
  GStrv     conflicts;
  gboolean  mounted;
} CcSyncSummary;

void             cc_sync_summary_free            (CcSyncSummary *summary);
/* One line for the person: "3 files from the sandbox, 1 to it, 1 conflict". */
char            *cc_sync_summary_to_string       (const CcSyncSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcSyncSummary, cc_sync_summary_free)

/**
 * CcSetupPhase:
 * @CC_SETUP_PHASE_SANDBOX: the sandbox is being prepared
 * @CC_SETUP_PHASE_UPLOAD: files are being sent (done/total in bytes)
 * @CC_SETUP_PHASE_INSTALL: the install step runs (@output carries its output as it arrives)
 */
typedef enum
{
  CC_SETUP_PHASE_SANDBOX,
  CC_SETUP_PHASE_UPLOAD,
  CC_SETUP_PHASE_INSTALL,
} CcSetupPhase;

/* @output is NULL except for install output chunks (stdout and stderr mixed, as they come). */
typedef void (*CcSetupProgressFunc) (CcSetupPhase  phase,
                                     guint64       done,
                                     guint64       total,
                                     GBytes       *output,
                                     gpointer      user_data);

/* Bytes sent so far of all files of one upload. */
typedef void (*CcUploadProgressFunc) (guint64  sent,
                                      guint64  total,
                                      gpointer user_data);

GType          cc_execute_flags_get_type             (void) G_GNUC_CONST;
GType          cc_sandbox_status_get_type             (void) G_GNUC_CONST;
#define CC_TYPE_EXECUTE_FLAGS (cc_execute_flags_get_type ())
#define CC_TYPE_SANDBOX_STATUS (cc_sandbox_status_get_type ())

/**
 * cc_client_new:
 * @store: an open store
 *
 * Properties (read/write):
 *   "cache-ttl"         guint   seconds a cached command result is served (default 3600)
 *   "record-retention"  guint   seconds operation records are kept (default 7 days)
 *   "sandbox-timeout"   guint   seconds a new or extended sandbox lives (default 300)
 *   "command-timeout"   guint   deadline of execute() in seconds, 0 = none (default 0: commands
 *                               run until they end or are cancelled)
 *   "keep-alive"        gboolean extend the timeout of sandboxes in use (default TRUE)
 *   "dev-server-wait"   guint   seconds start_dev_server waits for the port (default 60)
 *   "request-timeout"   guint   ms a single request (not a command's output stream) may take
 *                               (default 60000; applies to connections made afterwards)
 *   "live-sync"         gboolean a sandbox that does not mount the workspace and the folder send
 *                               their changes to each other as they happen (default TRUE; else
 *                               only on cc_client_sync_project_async(), a pause or a kill)
 *
 * Signals:
 *   "sandbox-state-changed" (const char *project_id)        state or end time changed
 *   "sandbox-recreated"     (const char *project_id, const char *new_sandbox_id)
 *                           the project's sandbox was gone: a new one was created, the
 *                           project's files uploaded again and its setup re-run
 *   "file-changed"          (const char *project_id, const char *path, GFileMonitorEvent event)
 *                           from cc_client_watch_dir()
 *   "sync-state-changed"    (const char *project_id)        see cc_client_get_sync_state()
 *                           and cc_client_get_sync_progress()
 *   "sync-conflict"         (const char *project_id, const char *copy)
 *                           both sides changed a file: the workspace's version stayed in place,
 *                           the sandbox's is kept as @copy (workspace-relative); also in History
 */
CcClient      *cc_client_new                         (CcStore              *store);
CcStore       *cc_client_get_store                   (CcClient             *self);

/* The default store ($XDG_DATA_HOME/code-canvas/code-canvas.db), opened off the main thread. */
void           cc_client_new_default_async           (GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcClient      *cc_client_new_default_finish          (GAsyncResult         *result,
                                                      GError              **error);

/* Completes when every background write this client started (records, cache entries, the
 * local file snapshot) has reached the disk. A program that exits right after an operation
 * (the CLI) calls this first. */
void           cc_client_flush_async                 (CcClient             *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_flush_finish                (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Projects --------------------------------------------------------------------------- */

/**
 * cc_client_get_projects:
 *
 * A live #GListModel of #CcProject (newest first), kept up to date by create, update and delete
 * through this client. It fills itself from the store on first use; call
 * cc_client_load_projects_async() to know when that is done (the CLI does).
 *
 * Returns: (transfer none): the model
 */
GListModel    *cc_client_get_projects                (CcClient             *self);
void           cc_client_load_projects_async         (CcClient             *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_load_projects_finish        (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* (transfer none) (nullable): a loaded project by id, or else by exact name. */
CcProject     *cc_client_find_project                (CcClient             *self,
                                                      const char           *id_or_name);

/**
 * cc_client_create_project_async:
 * @name: display name (need not be unique, but the CLI can only address unique names)
 * @kind: where its sandboxes run
 * @endpoint: (nullable): API URL for %CC_CONNECTION_CUSTOM (the sandbox domain or URL can be
 *   set with update_project_info), ignored otherwise
 * @template_id: (nullable): a built-in template id (CC_TEMPLATE_*), NULL for blank
 * @folder: (nullable): a local folder the project is made from instead of a template
 * @port: the dev server port, 0 for the template's (3000 when it has none)
 *
 * Stores the project; it does not touch any sandbox. Call cc_client_setup_project_async()
 * with %NULL files to upload the template's or folder's files and install.
 */
void           cc_client_create_project_async        (CcClient             *self,
                                                      const char           *name,
                                                      CcConnectionKind      kind,
                                                      const char           *endpoint,
                                                      const char           *template_id,
                                                      GFile                *folder,
                                                      guint                 port,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* (transfer full) */
CcProject     *cc_client_create_project_finish       (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Fresh from the store. (transfer full) */
void           cc_client_get_project_info_async      (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcProject     *cc_client_get_project_info_finish     (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/**
 * cc_client_update_project_info_async:
 * @changes: a #CcProject carrying the new values
 * @fields: which of them to apply (#CcProjectField bits); others keep their stored value
 *
 * Partial update; `updated_at` moves. The project in the live model is updated in place.
 * Returns (finish) the stored project, transfer full.
 */
void           cc_client_update_project_info_async   (CcClient             *self,
                                                      const char           *project_id,
                                                      CcProject            *changes,
                                                      CcProjectField        fields,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcProject     *cc_client_update_project_info_finish  (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Kills the project's sandbox (best effort: an unreachable sandbox does not stop the delete),
 * then removes the project, its cache entries and its default workspace folder (a folder the
 * project was created from is never removed). */
void           cc_client_delete_project_async        (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* The same; with @keep_workspace the workspace folder stays too. */
void           cc_client_delete_project_full_async   (CcClient             *self,
                                                      const char           *project_id,
                                                      gboolean              keep_workspace,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_delete_project_finish       (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Commands --------------------------------------------------------------------------- */

/**
 * cc_client_execute:
 * @project_id: the project
 * @command: a shell command line, run as `/bin/bash -l -c COMMAND` in the sandbox home
 * @flags: %CC_EXECUTE_FLAGS_DEFAULT uses the cache
 *
 * Starts running @command and returns at once. Connect to the execution's "stdout", "stderr"
 * and "finished" signals (they are emitted from the next main loop iteration on, never from
 * inside this call), then wait with cc_execution_wait_async().
 *
 * Returns: (transfer full): the execution
 */
CcExecution   *cc_client_execute                     (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *command,
                                                      CcExecuteFlags        flags);

/* Convenience: execute and wait; the execution's result when it ran to its end (any exit
 * code), else the error. (transfer full) */
void           cc_client_execute_async               (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *command,
                                                      CcExecuteFlags        flags,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcExecution   *cc_client_execute_finish              (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/**
 * cc_client_reattach:
 * @pid: the remote pid of a command still running in the project's sandbox
 * @record_id: (nullable): the operation record that command belongs to, completed when it
 *   ends; NULL records nothing
 *
 * Follows a running command again after the client lost its stream (Process/Connect). Output
 * produced while nobody was attached is not replayed.
 *
 * Returns: (transfer full): an execution in the RUNNING state once connected
 */
CcExecution   *cc_client_reattach                    (CcClient             *self,
                                                      const char           *project_id,
                                                      guint                 pid,
                                                      const char           *record_id);

/**
 * cc_client_open_shell_async:
 *
 * An interactive login shell (`/bin/bash -i -l`, TERM=xterm-256color) on a PTY of @cols ×
 * @rows, without deadline, for a terminal tab. The execution has #CcExecution:pty set: its
 * "stdout" carries the terminal's output, cc_execution_send_stdin_async() types into it,
 * cc_execution_resize_async() resizes it, cc_execution_cancel() closes it. It is not recorded
 * in the history.
 */
void           cc_client_open_shell_async            (CcClient             *self,
                                                      const char           *project_id,
                                                      guint                 cols,
                                                      guint                 rows,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* (transfer full) */
CcExecution   *cc_client_open_shell_finish           (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Files (paths relative to the sandbox home, or absolute inside the sandbox) --------- */

void           cc_client_write_file_async            (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      GBytes               *content,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_write_file_finish           (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Binary-safe. (transfer full) */
void           cc_client_read_file_async             (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GBytes        *cc_client_read_file_finish            (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/**
 * cc_client_list_dir_async:
 * @depth: 1 for the directory's own entries
 *
 * _finish returns a #GListModel of #GFileInfo (transfer full), sorted directories first then by
 * name, with "standard::name", "standard::display-name", "standard::type", "standard::size",
 * "standard::is-symlink", "standard::symlink-target", "time::modified", "unix::mode",
 * "owner::user", "owner::group" and "cc::path" (the absolute sandbox path, a string).
 */
void           cc_client_list_dir_async              (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      guint                 depth,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GListModel    *cc_client_list_dir_finish             (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Creates parents; an existing directory is not an error. */
void           cc_client_make_dir_async              (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_make_dir_finish             (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

void           cc_client_move_async                  (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *source,
                                                      const char           *destination,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_move_finish                 (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Recursive; a missing path is not an error. */
void           cc_client_remove_async                (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_remove_finish               (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Watches @path until @cancellable is cancelled; events arrive as "file-changed" signals. */
void           cc_client_watch_dir                   (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      gboolean              recursive,
                                                      GCancellable         *cancellable);

/* Sandbox file → local file (streamed, never held whole in memory). */
void           cc_client_download_async              (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *path,
                                                      GFile                *destination,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_download_finish             (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Local files → @directory in the sandbox, in one multipart request, with byte progress. */
void           cc_client_upload_async                (CcClient             *self,
                                                      const char           *project_id,
                                                      GFile               **files,
                                                      guint                 n_files,
                                                      const char           *directory,
                                                      CcUploadProgressFunc  progress,
                                                      gpointer              progress_data,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_upload_finish               (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Setup and dev server --------------------------------------------------------------- */

/**
 * cc_client_setup_project_async:
 * @files: (nullable) (element-type CcProjectFile): what to upload; %NULL for the project's own
 *   (its template's files, or its local folder read again)
 * @progress: (nullable): called on the main context during the upload and the install
 *
 * Uploads every file in one multipart request, then runs the install step (package.json →
 * `npm install`, requirements.txt → `pip install -r requirements.txt`, else the project's setup
 * command) without deadline. The files are also kept in a local snapshot so that a re-created
 * sandbox gets them back. Recorded as one "setup" operation. Cancellable at any point.
 */
void           cc_client_setup_project_async         (CcClient             *self,
                                                      const char           *project_id,
                                                      GPtrArray            *files,
                                                      CcSetupProgressFunc   progress,
                                                      gpointer              progress_data,
                                                      GDestroyNotify        progress_destroy,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_setup_project_finish        (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/**
 * cc_client_start_dev_server_async:
 * @port: 0 for the project's port
 *
 * Runs the project's start command in the background without deadline and waits (at most
 * "dev-server-wait", 60 s) until the port answers. _finish returns the preview URL (transfer full). When the port
 * never opens, the error is %CC_SANDBOX_ERROR_PROCESS_EXITED (with the server's last output
 * lines) or %CC_SANDBOX_ERROR_PORT_NOT_OPEN (listening elsewhere, only on localhost, or not at
 * all), or %CC_SANDBOX_ERROR_SANDBOX_GONE. An already running server of the project is reused.
 */
void           cc_client_start_dev_server_async      (CcClient             *self,
                                                      const char           *project_id,
                                                      guint                 port,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
char          *cc_client_start_dev_server_finish     (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
/* (transfer none) (nullable): the running dev server (its output, for a log view). */
CcExecution   *cc_client_get_dev_server              (CcClient             *self,
                                                      const char           *project_id);
void           cc_client_stop_dev_server_async       (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_stop_dev_server_finish      (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- History and cache ------------------------------------------------------------------ */

/**
 * cc_client_history_async:
 * @query: filters, limit (0 = 50) and paging, see #CcHistoryQuery in cc-store.h
 *
 * _finish: (transfer full) a #GListModel of #CcOperation, newest first.
 */
void           cc_client_history_async               (CcClient               *self,
                                                      const CcHistoryQuery   *query,
                                                      GCancellable           *cancellable,
                                                      GAsyncReadyCallback     callback,
                                                      gpointer                user_data);
GListModel    *cc_client_history_finish              (CcClient               *self,
                                                      GAsyncResult           *result,
                                                      GError                **error);

/* @command NULL clears the whole project's cache. */
void           cc_client_clear_cache_async           (CcClient             *self,
                                                      const char           *project_id,
                                                      const char           *command,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_clear_cache_finish          (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Sandbox lifecycle ------------------------------------------------------------------ */

/* What the client last knew; "sandbox-state-changed" tells when it changes. */
CcSandboxStatus cc_client_get_sandbox_status          (CcClient             *self,
                                                      const char           *project_id);
/* Unix time (µs) the running sandbox expires at, 0 when unknown or not running. */
gint64         cc_client_get_sandbox_end_time        (CcClient             *self,
                                                      const char           *project_id);

/* Asks the sandbox's service and updates the state. */
void           cc_client_refresh_sandbox_async       (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcSandboxStatus cc_client_refresh_sandbox_finish     (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Sets the remaining lifetime to @seconds from now (never shortens what the keep-alive set). */
void           cc_client_extend_sandbox_async        (CcClient             *self,
                                                      const char           *project_id,
                                                      guint                 seconds,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_extend_sandbox_finish       (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void           cc_client_pause_sandbox_async         (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_pause_sandbox_finish        (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
/* Resumes a paused sandbox, or creates (and sets up again) a gone one. */
void           cc_client_resume_sandbox_async        (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_resume_sandbox_finish       (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
/* Kills the sandbox; the project stays and gets a new sandbox on next use. */
void           cc_client_kill_sandbox_async          (CcClient             *self,
                                                      const char           *project_id,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_kill_sandbox_finish         (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* ---- Connections, keys and the local engine --------------------------------------------- */

/**
 * CcEngineStatus:
 * @running: the engine answered
 * @isolated: its sandboxes run isolated from this computer
 * @isolation: how: the engine's own word for it, e.g. "bubblewrap" (nullable)
 * @url: its base URL (nullable)
 * @version: its version (nullable)
 * @detail: sentences for people: what the isolation keeps apart and what it does not, or why
 *   there is none (nullable)
 * @missing: what does not work, one sentence per part the engine names in its facts
 *   (e.g. no internet access without pasta); NULL when nothing is missing
 */
typedef struct
{
  gboolean  running;
  gboolean  isolated;
  char     *isolation;
  char     *url;
  char     *version;
  char     *detail;
  GStrv     missing;
} CcEngineStatus;

void           cc_engine_status_free                 (CcEngineStatus       *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineStatus, cc_engine_status_free)

/* Finds (and with @start, starts) the local engine and asks its health. (transfer full) */
void           cc_client_get_engine_status_async     (CcClient             *self,
                                                      gboolean              start,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
CcEngineStatus *cc_client_get_engine_status_finish   (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Where the local engine's runtime file is looked for (default $XDG_RUNTIME_DIR/code-canvas),
 * and whether a missing engine is started. Tests point this at a private engine. */
void           cc_client_set_engine_runtime_dir      (CcClient             *self,
                                                      const char           *runtime_dir);
void           cc_client_set_engine_autostart        (CcClient             *self,
                                                      gboolean              autostart);

/* The shell lines (E2B_API_URL=…, E2B_SANDBOX_URL=…, E2B_API_KEY=…) that point the official SDKs
 * at the local engine, starting it if needed. (transfer full) */
void           cc_client_get_engine_env_async        (CcClient             *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
char          *cc_client_get_engine_env_finish       (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/**
 * cc_client_store_api_key_async:
 * @kind: %CC_CONNECTION_E2B or %CC_CONNECTION_CUSTOM
 * @endpoint: (nullable): the API URL for custom endpoints; NULL means E2B cloud
 * @key: the key; it goes to the keyring only, and into memory of live connections
 */
void           cc_client_store_api_key_async         (CcClient             *self,
                                                      CcConnectionKind      kind,
                                                      const char           *endpoint,
                                                      const char           *key,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_store_api_key_finish        (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void           cc_client_clear_api_key_async         (CcClient             *self,
                                                      CcConnectionKind      kind,
                                                      const char           *endpoint,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_clear_api_key_finish        (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
/* Whether the keyring holds a key (the key itself never leaves the core). */
void           cc_client_has_api_key_async           (CcClient             *self,
                                                      CcConnectionKind      kind,
                                                      const char           *endpoint,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean       cc_client_has_api_key_finish          (CcClient             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* The project's workspace folder on this machine, where its files live whatever happens to its
 * sandboxes: the folder it was created from, used live, else a folder of its own beside the
 * client's database. On the local engine it is the sandbox's /home/user. */
char            *cc_client_dup_workspace_path       (CcClient            *self,
                                                     CcProject           *project);

/* A full two-way sync of the project's workspace with its sandbox (created or resumed when
 * needed), recorded in History. Where the local engine mounts the workspace there is nothing
 * to do and the summary says @mounted. A failed sync loses nothing; the next one completes it. */
void             cc_client_sync_project_async       (CcClient            *self,
                                                     const char          *project_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
CcSyncSummary   *cc_client_sync_project_finish      (CcClient            *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
CcSyncState      cc_client_get_sync_state           (CcClient            *self,
                                                     const char          *project_id);
/* While the state is SYNCING: the share of the sync's bytes moved so far, 0 to 1 (each change
 * of a thousandth is a "sync-state-changed"); -1 otherwise. */
double           cc_client_get_sync_progress        (CcClient            *self,
                                                     const char          *project_id);

/* What the last re-create of the project's sandbox did, in words for the person ("The sandbox
 * had ended; a new one was set up from the workspace; “npm install” ran again"), or NULL. Set
 * before "sandbox-recreated" is emitted; the same words are recorded in History. */
char            *cc_client_dup_recreate_note        (CcClient            *self,
                                                     const char          *project_id);

G_END_DECLS
