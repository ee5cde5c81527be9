/* cc-sandbox-session.h: the sandbox one project uses right now
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A project keeps one sandbox id in the store. The session ensures that sandbox runs: it reuses
 * a running one, connects to it by id (which also resumes a paused one), creates one the first
 * time, and replaces one that is gone (killed, expired, engine data wiped). It extends the
 * sandbox while commands run, and pauses, kills, extends and refreshes it on request.
 *
 * What the session needs from its owner comes through CcSandboxSessionHost: the project, its
 * connection, and putting the project's files and setup back into a replacement sandbox. The
 * session knows nothing of records, setup or the client.
 */
#pragma once

#include <gio/gio.h>

#include "cc-client.h"
#include "cc-connection.h"
#include "cc-envd.h"
#include "cc-control-plane.h"

G_BEGIN_DECLS

#define CC_TYPE_SANDBOX_SESSION (cc_sandbox_session_get_type ())

G_DECLARE_FINAL_TYPE (CcSandboxSession, cc_sandbox_session, CC, SANDBOX_SESSION, GObject)

/**
 * CcSandboxSessionHost:
 * @get_project_async: the project (fresh from the store when it is not loaded)
 * @get_connection_async: the connection @project uses (may start the local engine)
 * @project_changed: the session stored a new sandbox id in @project
 * @restore_async: a new sandbox replaced a lost one: upload the project's files and re-run its
 *   setup in @envd. The session completes its waiters only after this finished.
 *
 * The functions the owner of a session provides; they get the owner as @host.
 */
typedef struct
{
  void           (*get_project_async)     (gpointer             host,
                                           const char          *project_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  CcProject     *(*get_project_finish)    (gpointer             host,
                                           GAsyncResult        *result,
                                           GError             **error);
  void           (*get_connection_async)  (gpointer             host,
                                           CcProject           *project,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  CcConnection  *(*get_connection_finish) (gpointer             host,
                                           GAsyncResult        *result,
                                           GError             **error);
  void           (*project_changed)       (gpointer             host,
                                           CcProject           *project);
  void           (*restore_async)         (gpointer             host,
                                           CcEnvd              *envd,
                                           CcProject           *project,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
  gboolean       (*restore_finish)        (gpointer             host,
                                           GAsyncResult        *result,
                                           GError             **error);
} CcSandboxSessionHost;

/* @store is where the sandbox id is kept; @host is the owner (borrowed; work in flight holds a
 * reference). */
CcSandboxSession *cc_sandbox_session_new           (const char                 *project_id,
                                                    CcStore                    *store,
                                                    const CcSandboxSessionHost *host_funcs,
                                                    GObject                    *host);

const char       *cc_sandbox_session_get_project_id (CcSandboxSession          *self);
/* Signal "status-changed" tells about changes of both. */
CcSandboxStatus   cc_sandbox_session_get_status     (CcSandboxSession          *self);
/* Unix µs; 0 when unknown. */
gint64            cc_sandbox_session_get_end_time   (CcSandboxSession          *self);
/* (nullable) (transfer none): the sandbox's info while connected. */
CcSandboxInfo    *cc_sandbox_session_get_info       (CcSandboxSession          *self);
/* (nullable) (transfer none): the daemon client while connected. */
CcEnvd           *cc_sandbox_session_get_envd       (CcSandboxSession          *self);

/* The timeout a new or extended sandbox gets, in seconds; and whether busy sandboxes are
 * extended before they time out. */
void              cc_sandbox_session_set_timeout    (CcSandboxSession          *self,
                                                     guint                      seconds);
void              cc_sandbox_session_set_keep_alive (CcSandboxSession          *self,
                                                     gboolean                   keep_alive);

/* Ensures the sandbox runs: reuses, connects (resumes), creates or re-creates it. Concurrent
 * calls share one attempt. A re-created sandbox is restored through the host and "recreated"
 * is emitted. _finish returns the daemon client. (transfer full) */
void              cc_sandbox_session_ensure_async   (CcSandboxSession          *self,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
CcEnvd           *cc_sandbox_session_ensure_finish  (CcSandboxSession          *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* The sandbox answered "gone": the next ensure creates a new one (status EXPIRED). */
void              cc_sandbox_session_forget         (CcSandboxSession          *self);
/* The engine @envd talks to is no longer there (it restarted on another port): when @envd is
 * the session's (or NULL), drop it so the next ensure finds the engine again (status NONE). */
void              cc_sandbox_session_reset          (CcSandboxSession          *self,
                                                     CcEnvd                    *envd);

/* Commands running in the sandbox: while there are any, keep-alive extends it. */
void              cc_sandbox_session_hold           (CcSandboxSession          *self);
void              cc_sandbox_session_release        (CcSandboxSession          *self);
/* Called periodically: extends a busy sandbox when less than half its timeout is left. */
void              cc_sandbox_session_keep_alive     (CcSandboxSession          *self);

/* The dev server runs in the sandbox; pausing or killing the sandbox stops it. */
CcExecution      *cc_sandbox_session_get_dev_server      (CcSandboxSession     *self);
guint             cc_sandbox_session_get_dev_server_port (CcSandboxSession     *self);
/* Replaces (after cancelling) the current dev server; @server NULL only drops it. */
void              cc_sandbox_session_set_dev_server      (CcSandboxSession     *self,
                                                          CcExecution          *server,
                                                          guint                 port);
/* Cancels and drops the dev server. */
void              cc_sandbox_session_stop_dev_server     (CcSandboxSession     *self);
/* Drops the dev server without cancelling it; (transfer full) (nullable). */
CcExecution      *cc_sandbox_session_steal_dev_server    (CcSandboxSession     *self);

/* Lifecycle, straight against the control plane (no records: the caller keeps those).
 * Refresh returns the status through _finish_status; a project without a sandbox refreshes
 * and kills to NONE without error. */
typedef enum
{
  CC_SANDBOX_SESSION_REFRESH,
  CC_SANDBOX_SESSION_EXTEND,
  CC_SANDBOX_SESSION_PAUSE,
  CC_SANDBOX_SESSION_KILL,
} CcSandboxSessionOp;

void              cc_sandbox_session_lifecycle_async  (CcSandboxSession        *self,
                                                       CcSandboxSessionOp       op,
                                                       guint                    seconds,
                                                       GCancellable            *cancellable,
                                                       GAsyncReadyCallback      callback,
                                                       gpointer                 user_data);
gboolean          cc_sandbox_session_lifecycle_finish (CcSandboxSession        *self,
                                                       GAsyncResult            *result,
                                                       GError                 **error);

G_END_DECLS
