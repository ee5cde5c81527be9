/* cc-remote-process.h: a process running in a sandbox, as seen through its output stream
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made by cc_envd_start_process_async() (as soon as the start event arrives) or
 * cc_envd_connect_process_async() (reattach by pid). Output is emitted chunk by chunk as it
 * arrives through the "stdout", "stderr" and "pty" signals (a GBytes per chunk, never the whole
 * stream). Output that arrives together with the start event is held back until the main loop
 * has turned once after the start call completed, so handlers connected in the callback or
 * right after the _finish() call see every chunk. The stream ends with "exited" — or with an
 * error, reported by
 * cc_remote_process_wait_finish(). Disconnecting only aborts the stream; the process keeps
 * running in the sandbox until cc_remote_process_kill_async().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CcEnvd CcEnvd;

/**
 * CcSignal:
 *
 * The signals the daemon accepts (SIGTERM and SIGKILL).
 */
typedef enum
{
  CC_SIGNAL_SIGKILL = 9,
  CC_SIGNAL_SIGTERM = 15,
} CcSignal;

#define CC_TYPE_REMOTE_PROCESS (cc_remote_process_get_type ())
G_DECLARE_FINAL_TYPE (CcRemoteProcess, cc_remote_process, CC, REMOTE_PROCESS, GObject)

guint         cc_remote_process_get_pid          (CcRemoteProcess     *self);
/* The daemon client it talks through (borrowed). */
CcEnvd       *cc_remote_process_get_envd         (CcRemoteProcess     *self);
gboolean      cc_remote_process_get_is_pty       (CcRemoteProcess     *self);

/* TRUE once the end event arrived; then the getters below describe it. */
gboolean      cc_remote_process_get_has_exited   (CcRemoteProcess     *self);
/* Exit code; 128 + N when killed by signal N, as a shell reports it (-1 when the daemon named
 * no signal it knows). */
int           cc_remote_process_get_exit_code    (CcRemoteProcess     *self);
/* The signal that killed the process, or 0. */
int           cc_remote_process_get_signal       (CcRemoteProcess     *self);
char         *cc_signal_get_name                 (int                  signal_number);
/* TRUE when the process exited by itself (FALSE: killed by a signal). */
gboolean      cc_remote_process_get_exited       (CcRemoteProcess     *self);
/* "exit status 3", "signal: killed"… or NULL. */
const char   *cc_remote_process_get_status       (CcRemoteProcess     *self);
/* The end event's error text ("exit status 3") or NULL on success. */
const char   *cc_remote_process_get_end_error    (CcRemoteProcess     *self);
/* TRUE until the stream ended (end-of-stream, error, or disconnect). */
gboolean      cc_remote_process_get_is_streaming (CcRemoteProcess     *self);

/* Completes when the stream ends. TRUE when the end event arrived (@exit_code set, whatever
 * its value); FALSE with an error otherwise: CC_SANDBOX_ERROR_DEADLINE (the command ran past its
 * deadline and was stopped), _PROTOCOL (stream ended without an end, truncated envelope),
 * _NETWORK, _SANDBOX_GONE…, or G_IO_ERROR_CANCELLED after cc_remote_process_disconnect().
 * @cancellable only stops this wait, not the stream. */
void          cc_remote_process_wait_async       (CcRemoteProcess     *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_wait_finish      (CcRemoteProcess     *self,
                                                  GAsyncResult        *result,
                                                  int                 *exit_code,
                                                  GError             **error);

/* Abort the output stream only (the process keeps running; reattach with
 * cc_envd_connect_process_async()). Pending waits fail with G_IO_ERROR_CANCELLED. */
void          cc_remote_process_disconnect       (CcRemoteProcess     *self);

/* Stdin (or the PTY's input for a PTY process). Never retried. */
void          cc_remote_process_send_input_async (CcRemoteProcess     *self,
                                                  GBytes              *data,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_send_input_finish (CcRemoteProcess    *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void          cc_remote_process_close_stdin_async (CcRemoteProcess    *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_close_stdin_finish (CcRemoteProcess   *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* SIGKILL (what the SDK's kill() sends). */
void          cc_remote_process_kill_async       (CcRemoteProcess     *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_kill_finish      (CcRemoteProcess     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
void          cc_remote_process_signal_async     (CcRemoteProcess     *self,
                                                  CcSignal             signal_number,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_signal_finish    (CcRemoteProcess     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* PTY resize (Process/Update). */
void          cc_remote_process_resize_async     (CcRemoteProcess     *self,
                                                  guint                cols,
                                                  guint                rows,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cc_remote_process_resize_finish    (CcRemoteProcess     *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

G_END_DECLS
