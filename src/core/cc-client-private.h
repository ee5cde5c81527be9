/* cc-client-private.h: what the parts of the client share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client is split by concern: cc-client.c (object, projects, connections), cc-client-sandbox.c
 * (ensure/re-create/keep-alive and lifecycle), cc-client-exec.c (execute, cache, records),
 * cc-client-files.c, cc-client-setup.c (setup and dev server).
 */
#pragma once

#include "cc-connection.h"
#include "cc-engine-locator.h"
#include "cc-envd.h"
#include "cc-control-plane.h"

#include "cc-client.h"
#include "cc-keyring.h"
#include "cc-output-capture.h"
#include "cc-sandbox-error.h"

G_BEGIN_DECLS

/* The store gives "" for unset text fields; the client treats those as absent. */
static inline const char *
_cc_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* ---- CcExecution, driven by the client --------------------------------------------------- */

CcExecution     *_cc_execution_new              (const char       *project_id,
                                                 const char       *command,
                                                 gsize             max_output);
GCancellable    *_cc_execution_get_cancellable  (CcExecution      *self);
CcRemoteProcess *_cc_execution_get_process      (CcExecution      *self);
CcOutputCapture *_cc_execution_get_capture      (CcExecution      *self,
                                                 gboolean          is_stderr);
void             _cc_execution_set_id           (CcExecution      *self,
                                                 const char       *id);
void             _cc_execution_set_project_id   (CcExecution      *self,
                                                 const char       *project_id);
void             _cc_execution_feed             (CcExecution      *self,
                                                 gboolean          is_stderr,
                                                 GBytes           *chunk);
void             _cc_execution_set_process      (CcExecution      *self,
                                                 CcRemoteProcess  *process,
                                                 gboolean          reattached);
void             _cc_execution_finish           (CcExecution      *self,
                                                 int               exit_code,
                                                 gint64            duration_ms,
                                                 gboolean          cached);
void             _cc_execution_fail             (CcExecution      *self,
                                                 const GError     *error,
                                                 gint64            duration_ms);

/* ---- the client's state ------------------------------------------------------------------ */

/* Per project: the sandbox it uses right now. */
typedef struct
{
  char            *project_id;
  CcSandboxStatus  status;
  gint64           end_time;         /* unix µs */
  CcSandboxInfo   *info;
  CcEnvd          *envd;
  CcControlPlane  *api;
  GPtrArray       *waiters;          /* GTask: ensure calls waiting for one in flight */
  gboolean         ensuring;
  gboolean         extending;
  CcExecution     *dev_server;
  guint            dev_server_port;
  guint            n_active;         /* commands running in it now */
} CcSandboxSlot;

struct _CcClient
{
  GObject          parent_instance;

  CcStore         *store;
  GListStore      *projects;
  gboolean         projects_loaded;
  gboolean         projects_loading;
  GPtrArray       *load_waiters;     /* GTask */

  CcEngineLocator *locator;
  GHashTable      *connections;      /* connection key → CcConnection */
  GHashTable      *slots;            /* project id → CcSandboxSlot */

  guint            n_pending;        /* background writes in flight (records, cache, snapshot) */
  GPtrArray       *flush_waiters;    /* GTask */

  guint            keep_alive_id;    /* periodic check while commands run */

  guint            sandbox_timeout;
  guint            command_timeout;
  guint            request_timeout;
  guint            dev_server_wait;
  gboolean         keep_alive;
  gboolean         engine_autostart;
};

enum {
  CLIENT_SIGNAL_SANDBOX_STATE_CHANGED,
  CLIENT_SIGNAL_SANDBOX_RECREATED,
  CLIENT_SIGNAL_FILE_CHANGED,
  CLIENT_N_SIGNALS
};

extern guint _cc_client_signals[CLIENT_N_SIGNALS];

/* Project lookups that fall back to the store. */
void           _cc_client_get_project_async      (CcClient             *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcProject     *_cc_client_get_project_finish     (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Replace the model's copy of a project (after a store update). */
void           _cc_client_project_changed        (CcClient             *self,
                                                  CcProject            *project);

/* "local", "e2b" or "custom:<api url>": the cache's connection key and the keyring's name. */
char          *_cc_client_connection_key         (CcProject            *project);
const char    *_cc_client_keyring_name           (CcConnectionKind      kind,
                                                  const char           *endpoint);

/* The connection of a project (finds/starts the engine, reads the key from the keyring). */
void           _cc_client_get_connection_async   (CcClient             *self,
                                                  CcProject            *project,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcConnection  *_cc_client_get_connection_finish  (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

CcSandboxSlot *_cc_client_get_slot               (CcClient             *self,
                                                  const char           *project_id);
void           _cc_client_slot_set_status        (CcClient             *self,
                                                  CcSandboxSlot        *slot,
                                                  CcSandboxStatus       status,
                                                  gint64                end_time);
/* The sandbox no longer exists (it answered "gone"): the next ensure creates a new one. */
void           _cc_client_slot_forget            (CcClient             *self,
                                                  CcSandboxSlot        *slot);
/* Cancels and drops the slot's dev server (pause, kill, or a new server replacing it). */
void           _cc_client_slot_stop_dev_server   (CcSandboxSlot        *slot);

/* Ensures the project's sandbox runs: reuses, connects (resumes), or creates it; a re-created
 * sandbox gets the project's files and setup back and "sandbox-recreated" is emitted.
 * _finish returns the daemon client (transfer full). */
void           _cc_client_ensure_sandbox_async   (CcClient             *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcEnvd        *_cc_client_ensure_sandbox_finish  (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The client for @slot's sandbox talks to an engine that is no longer there (it restarted on
 * another port): forget it, so the next ensure finds the engine again and reconnects. */
void           _cc_client_slot_reset             (CcClient             *self,
                                                  CcSandboxSlot        *slot);
/* For a local project whose request failed with a network error: completes with TRUE when the
 * engine now runs at another URL than @envd used (so the request never reached it), after
 * resetting the slot; FALSE otherwise. */
void           _cc_client_check_engine_moved_async  (CcClient          *self,
                                                     const char        *project_id,
                                                     CcEnvd            *envd,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
gboolean       _cc_client_check_engine_moved_finish (CcClient          *self,
                                                     GAsyncResult      *result);

/* TRUE for errors that mean the sandbox itself is gone (retry once after re-creating it). */
gboolean       _cc_client_error_is_gone          (const GError         *error);
/* The one retry every recorded operation gets: TRUE when @error says the sandbox is gone, the
 * operation is not cancelled and has not retried yet (*@retried); the slot is then forgotten so
 * the caller's next ensure runs it on a re-created sandbox. */
gboolean       _cc_client_retry_on_new_sandbox   (CcClient             *self,
                                                  const char           *project_id,
                                                  const GError         *error,
                                                  GCancellable         *cancellable,
                                                  gboolean             *retried);

/* The local copy of a project's files (for re-creating a lost sandbox). */
GFile         *_cc_client_dup_snapshot_dir       (CcClient             *self,
                                                  const char           *project_id);
/* Writes @files into the snapshot (in a thread; errors are logged, not fatal). */
void           _cc_client_save_snapshot          (CcClient             *self,
                                                  const char           *project_id,
                                                  GPtrArray            *files,
                                                  gboolean              replace);
/* Removes the project's local directory (snapshot and all), in a thread. */
void           _cc_client_remove_snapshot        (CcClient             *self,
                                                  const char           *project_id);
/* The files a project is set up from when none are given: snapshot, else folder, else template.
 * (element-type CcProjectFile) */
void           _cc_client_dup_project_files_async  (CcClient           *self,
                                                    CcProject          *project,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
GPtrArray     *_cc_client_dup_project_files_finish (CcClient           *self,
                                                    GAsyncResult       *result,
                                                    GError            **error);
/* The setup command for @project given @files. */
const char    *_cc_client_setup_command_for      (CcProject            *project,
                                                  GPtrArray            *files);
/* Uploads @files and runs the install step in @envd (no record; used by setup and re-create). */
void           _cc_client_install_async          (CcClient             *self,
                                                  CcEnvd               *envd,
                                                  CcProject            *project,
                                                  GPtrArray            *files,
                                                  CcSetupProgressFunc   progress,
                                                  gpointer              progress_data,
                                                  CcOutputCapture      *output,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       _cc_client_install_finish         (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  int                  *exit_code,
                                                  GError              **error);

/* Records: begin (pending) and finish (success/error). A failing store never hides the
 * operation's own result: store errors are logged. */
typedef struct _CcRecord CcRecord;
void           _cc_record_begin_async            (CcClient             *self,
                                                  const char           *project_id,
                                                  CcOperationType       type,
                                                  const char           *input,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcOperation   *_cc_record_begin_finish           (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Marks @operation done: success when @error is NULL; stores it in the background. */
void           _cc_record_complete               (CcClient             *self,
                                                  CcOperation          *operation,
                                                  const GError         *error,
                                                  gint64                started_us);

/* Execute with a record type (command or dev_server). */
CcExecution   *_cc_client_execute_full           (CcClient             *self,
                                                  const char           *project_id,
                                                  const char           *command,
                                                  CcExecuteFlags        flags,
                                                  CcOperationType       type);

/* Background writes the caller does not wait for, but cc_client_flush_async() does. */
void           _cc_client_hold                   (CcClient             *self);
void           _cc_client_release                (CcClient             *self);

/* Keep-alive: extends the sandboxes that have running commands or a dev server. */
gboolean       _cc_client_keep_alive_tick        (gpointer              user_data);

void           _cc_sandbox_slot_free             (CcSandboxSlot        *slot);

G_END_DECLS
