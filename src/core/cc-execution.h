/* cc-execution.h: one command of a project, running or finished
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A CcExecution is what cc_client_execute() hands back at once, before the command has even
 * started, so that a caller can connect to its output signals in time: a terminal view feeds
 * the "stdout"/"stderr" bytes to VTE, the CLI writes them to its own stdout/stderr. When the
 * command ends, the result (exit code, duration, cached flag, bounded captured output) stays
 * readable on the object. All signals are emitted on the main context of the thread that called
 * cc_client_execute().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CC_TYPE_EXECUTION (cc_execution_get_type ())

G_DECLARE_FINAL_TYPE (CcExecution, cc_execution, CC, EXECUTION, GObject)

/**
 * CcExecutionState:
 * @CC_EXECUTION_STATE_PENDING: the cache is being looked up or the sandbox prepared
 * @CC_EXECUTION_STATE_RUNNING: the remote process started; its pid is known
 * @CC_EXECUTION_STATE_FINISHED: the command ended (any exit code) or came from the cache
 * @CC_EXECUTION_STATE_FAILED: the command could not be run or followed to its end; see
 *   cc_execution_get_error()
 * @CC_EXECUTION_STATE_CANCELLED: cancelled by the caller; the remote process was killed
 *
 * The states only move forward; "finished" is emitted once, on entering any of the last three.
 */
typedef enum
{
  CC_EXECUTION_STATE_PENDING,
  CC_EXECUTION_STATE_RUNNING,
  CC_EXECUTION_STATE_FINISHED,
  CC_EXECUTION_STATE_FAILED,
  CC_EXECUTION_STATE_CANCELLED,
} CcExecutionState;

GType             cc_execution_state_get_type     (void) G_GNUC_CONST;
#define CC_TYPE_EXECUTION_STATE (cc_execution_state_get_type ())

/* Identity: the operation record id (the history row), the project and the command line. */
const char       *cc_execution_get_id             (CcExecution          *self);
const char       *cc_execution_get_project_id     (CcExecution          *self);
const char       *cc_execution_get_command        (CcExecution          *self);

CcExecutionState  cc_execution_get_state          (CcExecution          *self);
gboolean          cc_execution_is_done            (CcExecution          *self);
/* The remote pid once running (0 before, and for cached results). */
guint             cc_execution_get_pid            (CcExecution          *self);
/* The remote exit code (-1 when killed by a signal or not finished). */
int               cc_execution_get_exit_code      (CcExecution          *self);
/* Wall time from start to end in milliseconds (the original run's for cached results). */
gint64            cc_execution_get_duration_ms    (CcExecution          *self);
/* TRUE when the result was served from the command cache without touching the sandbox. */
gboolean          cc_execution_get_cached         (CcExecution          *self);
/* For a cached result: when the run it repeats was recorded (unix µs, the store's clock); 0
 * otherwise. Show it as the result's age. */
gint64            cc_execution_get_cached_at      (CcExecution          *self);
/* TRUE when the captured output lost its middle part (head and tail are kept). */
gboolean          cc_execution_get_truncated      (CcExecution          *self);
/* TRUE for an interactive shell: it runs in a terminal (PTY), its output (terminal bytes, with
 * escape sequences) arrives as "stdout", its input goes through cc_execution_send_stdin_async(),
 * and it takes window sizes with cc_execution_resize_async(). */
gboolean          cc_execution_get_pty            (CcExecution          *self);
/* Set in the FAILED and CANCELLED states. */
const GError     *cc_execution_get_error          (CcExecution          *self);

/* The captured output so far (bounded: head + tail; see cc-output-capture.h). Live output is
 * delivered by the "stdout" and "stderr" signals, not by polling these. */
GBytes           *cc_execution_dup_stdout         (CcExecution          *self);
GBytes           *cc_execution_dup_stderr         (CcExecution          *self);

/**
 * cc_execution_wait_async:
 *
 * Completes when the execution is done (at once if it already is). _finish() returns %TRUE
 * when the command ran to its end, whatever its exit code; %FALSE with the execution's error
 * otherwise (cancellation as %G_IO_ERROR_CANCELLED). Cancelling @cancellable only stops the
 * wait, not the command: use cc_execution_cancel() for that.
 */
void              cc_execution_wait_async         (CcExecution          *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          cc_execution_wait_finish        (CcExecution          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Stops the command: kills the remote process (SIGKILL) and ends in CANCELLED. No-op when done. */
void              cc_execution_cancel             (CcExecution          *self);

/* Needs CC_EXECUTE_FLAGS_STDIN at execute time. */
void              cc_execution_send_stdin_async   (CcExecution          *self,
                                                   GBytes               *data,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          cc_execution_send_stdin_finish  (CcExecution          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void              cc_execution_close_stdin_async  (CcExecution          *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          cc_execution_close_stdin_finish (CcExecution          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
/* The terminal size of a PTY execution, in character cells. */
void              cc_execution_resize_async       (CcExecution          *self,
                                                   guint                 columns,
                                                   guint                 rows,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          cc_execution_resize_finish      (CcExecution          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/*
 * Signals:
 *   "started"  (CcExecution *self, guint pid)        the remote process started
 *   "stdout"   (CcExecution *self, GBytes *chunk)    output as it arrives (also replayed once for
 *   "stderr"   (CcExecution *self, GBytes *chunk)    a cached result, before "finished")
 *   "finished" (CcExecution *self)                   entered FINISHED, FAILED or CANCELLED
 *   "reattached" (CcExecution *self)                 the output stream dropped and was resumed
 *                                                    through Process/Connect (output produced
 *                                                    meanwhile is lost, as on E2B)
 * Properties (read-only, notify on change): "id", "project-id", "command", "state", "pid",
 * "exit-code", "duration-ms", "cached", "pty".
 */

G_END_DECLS
