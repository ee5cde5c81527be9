/* cc-remote-process.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object reads the Process/Start or Process/Connect stream for as long as it lasts and keeps
 * itself alive meanwhile, so output is never lost because a caller dropped its reference early.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <string.h>

#include "cc-connect-stream-private.h"
#include "cc-envd-private.h"
#include "cc-protojson.h"
#include "cc-remote-process.h"
#include "cc-sandbox-error.h"

struct _CcRemoteProcess
{
  GObject          parent_instance;

  CcEnvd          *envd;
  CcHttpExchange  *exchange;
  GTask           *start_task;      /* until the start event */
  GList           *waiters;         /* GTask */
  GError          *stream_error;

  guint            pid;
  int              exit_code;
  int              signal_number;   /* what killed it, or 0 */
  char            *status;
  char            *end_error;
  guint            is_pty : 1;
  guint            started : 1;
  guint            has_exited : 1;
  guint            exited : 1;
  guint            streaming : 1;
};

G_DEFINE_FINAL_TYPE (CcRemoteProcess, cc_remote_process, G_TYPE_OBJECT)

enum {
  SIGNAL_STDOUT,
  SIGNAL_STDERR,
  SIGNAL_PTY,
  SIGNAL_EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cc_remote_process_dispose (GObject *object)
{
  CcRemoteProcess *self = CC_REMOTE_PROCESS (object);

  g_clear_pointer (&self->exchange, _cc_http_exchange_unref);
  G_OBJECT_CLASS (cc_remote_process_parent_class)->dispose (object);
}

static void
cc_remote_process_finalize (GObject *object)
{
  CcRemoteProcess *self = CC_REMOTE_PROCESS (object);

  g_assert (self->waiters == NULL);
  g_clear_object (&self->envd);
  g_clear_error (&self->stream_error);
  g_free (self->status);
  g_free (self->end_error);
  G_OBJECT_CLASS (cc_remote_process_parent_class)->finalize (object);
}

static void
cc_remote_process_class_init (CcRemoteProcessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cc_remote_process_dispose;
  object_class->finalize = cc_remote_process_finalize;

  /**
   * CcRemoteProcess::stdout:
   * @bytes: one chunk, as it arrived
   */
  signals[SIGNAL_STDOUT] = g_signal_new ("stdout", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_STDERR] = g_signal_new ("stderr", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_PTY] = g_signal_new ("pty", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /**
   * CcRemoteProcess::exited:
   *
   * The end event arrived; the exit getters are set.
   */
  signals[SIGNAL_EXITED] = g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cc_remote_process_init (CcRemoteProcess *self)
{
}

CcRemoteProcess *
_cc_remote_process_new (CcEnvd   *envd,
                        gboolean  is_pty)
{
  CcRemoteProcess *self = g_object_new (CC_TYPE_REMOTE_PROCESS, NULL);

  self->envd = g_object_ref (envd);
  self->is_pty = !!is_pty;
  return self;
}

static void
set_protocol_error (GError    **error,
                    const char *detail)
{
  g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
               _("The sandbox sent process output Code Canvas cannot understand (%s). Check that "
                 "the server is E2B-compatible."),
               detail);
}

static gboolean
emit_data (CcRemoteProcess *self,
           JsonObject      *data,
           const char      *member,
           guint            signal_id,
           GError         **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (!json_object_has_member (data, member))
    return FALSE;
  bytes = cc_protojson_get_bytes (data, member);
  if (bytes == NULL)
    {
      set_protocol_error (error, "output that is not base64");
      return TRUE;
    }
  if (g_bytes_get_size (bytes) > 0)
    g_signal_emit (self, signals[signal_id], 0, bytes);
  return TRUE;
}

static gboolean
resume_idle_cb (gpointer user_data)
{
  CcRemoteProcess *self = user_data;

  if (self->exchange != NULL)
    _cc_http_exchange_resume (self->exchange);
  return G_SOURCE_REMOVE;
}

static void
start_completed_cb (GTask           *task,
                    GParamSpec      *pspec,
                    CcRemoteProcess *self)
{
  /* One more turn of the loop: callers that store the result and connect their handlers
   * right after _finish() get the first chunks too. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, resume_idle_cb, g_object_ref (self), g_object_unref);
}

/* Signal names and the daemon's wording for them (Go's os.ProcessState, "signal: killed"). */
static const struct
{
  int         number;
  const char *name;
  const char *text;
} signal_names[] = {
  { SIGHUP, "SIGHUP", "hangup" },
  { SIGINT, "SIGINT", "interrupt" },
  { SIGQUIT, "SIGQUIT", "quit" },
  { SIGILL, "SIGILL", "illegal instruction" },
  { SIGTRAP, "SIGTRAP", "trace/breakpoint trap" },
  { SIGABRT, "SIGABRT", "aborted" },
  { SIGBUS, "SIGBUS", "bus error" },
  { SIGFPE, "SIGFPE", "floating point exception" },
  { SIGKILL, "SIGKILL", "killed" },
  { SIGUSR1, "SIGUSR1", "user defined signal 1" },
  { SIGSEGV, "SIGSEGV", "segmentation fault" },
  { SIGUSR2, "SIGUSR2", "user defined signal 2" },
  { SIGPIPE, "SIGPIPE", "broken pipe" },
  { SIGALRM, "SIGALRM", "alarm clock" },
  { SIGTERM, "SIGTERM", "terminated" },
  { SIGXCPU, "SIGXCPU", "CPU time limit exceeded" },
  { SIGXFSZ, "SIGXFSZ", "file size limit exceeded" },
};

/* The signal an end status such as "signal: killed" or "signal 33" names, or 0. */
static int
signal_from_status (const char *status)
{
  const char *rest;
  guint64 number;

  if (status == NULL || !g_str_has_prefix (status, "signal"))
    return 0;
  rest = status + strlen ("signal");
  if (*rest == ':')
    {
      rest++;
      while (*rest == ' ')
        rest++;
      for (guint i = 0; i < G_N_ELEMENTS (signal_names); i++)
        if (g_ascii_strcasecmp (rest, signal_names[i].text) == 0)
          return signal_names[i].number;
    }
  while (*rest == ' ')
    rest++;
  if (g_ascii_string_to_unsigned (rest, 10, 1, 127, &number, NULL))
    return (int) number;
  return 0;
}

/**
 * cc_signal_get_name:
 *
 * Returns: "SIGKILL" for 9, "signal 33" for a number without a name (a new string)
 */
char *
cc_signal_get_name (int signal_number)
{
  for (guint i = 0; i < G_N_ELEMENTS (signal_names); i++)
    if (signal_names[i].number == signal_number)
      return g_strdup (signal_names[i].name);
  return g_strdup_printf ("signal %d", signal_number);
}

typedef struct
{
  CcRemoteProcess *self;
  GTask           *task;
} CancelledStart;

static void
cancelled_start_killed_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  CancelledStart *start = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_envd_send_signal_finish (CC_ENVD (source), result, &error))
    g_debug ("Killing process %u of a cancelled start failed: %s", start->self->pid,
             error->message);
  /* Its end is of no interest to anyone now. */
  cc_remote_process_disconnect (start->self);
  g_task_return_new_error (start->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The command was cancelled."));
  g_object_unref (start->task);
  g_object_unref (start->self);
  g_free (start);
}

static gboolean
message_cb (JsonObject *message,
            gpointer    user_data,
            GError    **error)
{
  CcRemoteProcess *self = user_data;
  JsonObject *event = cc_protojson_get_object (message, "event");
  JsonObject *part;

  if (event == NULL)
    {
      set_protocol_error (error, "a message without an event");
      return FALSE;
    }

  if (!self->started)
    {
      if ((part = cc_protojson_get_object (event, "start")) == NULL)
        {
          set_protocol_error (error, "the first event is not the start event");
          return FALSE;
        }
      self->started = TRUE;
      self->pid = (guint) cc_protojson_get_int64 (part, "pid", 0);
      /* The handshake is done: from now on only the server's deadline bounds the stream, and
       * the start call's cancellable no longer applies. */
      _cc_http_exchange_disarm_timeout (self->exchange);
      _cc_http_exchange_detach_cancellable (self->exchange);
      if (self->start_task != NULL &&
          g_cancellable_is_cancelled (g_task_get_cancellable (self->start_task)))
        {
          /* The start was cancelled while the request was on its way: the process runs
           * anyway, and only now is its pid known. Kill it before saying "cancelled", so a
           * caller that exits right after leaves nothing running. */
          CancelledStart *start = g_new0 (CancelledStart, 1);

          start->self = g_object_ref (self);
          start->task = g_steal_pointer (&self->start_task);
          cc_envd_send_signal_async (self->envd, self->pid, CC_SIGNAL_SIGKILL, NULL,
                                     cancelled_start_killed_cb, start);
          return TRUE;
        }
      if (self->start_task != NULL)
        {
          GTask *task = g_steal_pointer (&self->start_task);

          /* Output that came with the start event waits until the caller has the process
           * and could connect to its signals ("completed" is notified after the callback). */
          _cc_http_exchange_pause (self->exchange);
          g_signal_connect_object (task, "notify::completed", G_CALLBACK (start_completed_cb),
                                   self, 0);
          g_task_return_pointer (task, g_object_ref (self), g_object_unref);
          g_object_unref (task);
        }
      return TRUE;
    }

  if ((part = cc_protojson_get_object (event, "data")) != NULL)
    {
      GError *local_error = NULL;

      if (!emit_data (self, part, "stdout", SIGNAL_STDOUT, &local_error) &&
          !emit_data (self, part, "stderr", SIGNAL_STDERR, &local_error))
        emit_data (self, part, "pty", SIGNAL_PTY, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
    }
  else if ((part = cc_protojson_get_object (event, "end")) != NULL)
    {
      self->has_exited = TRUE;
      self->exit_code = (int) cc_protojson_get_int64 (part, "exitCode", 0);
      self->exited = cc_protojson_get_bool (part, "exited", FALSE);
      g_free (self->status);
      self->status = g_strdup (cc_protojson_get_string (part, "status"));
      g_free (self->end_error);
      self->end_error = g_strdup (cc_protojson_get_string (part, "error"));
      /* Killed by a signal, the daemon says -1; report it as a shell does, 128 + N. */
      self->signal_number = self->exited ? 0 : signal_from_status (self->status);
      if (self->signal_number > 0)
        self->exit_code = 128 + self->signal_number;
      g_signal_emit (self, signals[SIGNAL_EXITED], 0);
    }
  /* keepalive and anything newer: nothing to do. */
  return TRUE;
}

static void
complete_waiter (CcRemoteProcess *self,
                 GTask           *task)
{
  if (self->stream_error != NULL)
    g_task_return_error (task, g_error_copy (self->stream_error));
  else
    g_task_return_int (task, self->exit_code);
}

static void
stream_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CcRemoteProcess *self = user_data;   /* the stream's own reference */
  GError *error = NULL;
  GList *waiters;

  if (_cc_connect_stream_read_finish (result, &error) && !self->has_exited)
    g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                 _("The process’s output stream ended without its exit status. Check the "
                   "command’s result in the sandbox."));

  self->streaming = FALSE;
  self->stream_error = error;

  if (self->start_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->start_task);

      g_task_return_error (task, g_error_copy (error ? error : self->stream_error));
      g_object_unref (task);
    }

  waiters = g_steal_pointer (&self->waiters);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      complete_waiter (self, l->data);
      g_object_unref (l->data);
    }
  g_list_free (waiters);

  g_clear_pointer (&self->exchange, _cc_http_exchange_unref);
  g_object_unref (self);
}

void
_cc_remote_process_run (CcRemoteProcess *self,
                        CcHttpExchange  *exchange,
                        GTask           *start_task)
{
  self->exchange = _cc_http_exchange_ref (exchange);
  self->start_task = g_object_ref (start_task);
  self->streaming = TRUE;
  _cc_connect_stream_read_async (exchange, cc_envd_get_sandbox_id (self->envd), message_cb, self,
                                 stream_done_cb, g_object_ref (self));
}

guint
cc_remote_process_get_pid (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), 0);
  return self->pid;
}

/**
 * cc_remote_process_get_envd:
 *
 * Returns: (transfer none): the daemon client
 */
CcEnvd *
cc_remote_process_get_envd (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), NULL);
  return self->envd;
}

gboolean
cc_remote_process_get_is_pty (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), FALSE);
  return self->is_pty;
}

gboolean
cc_remote_process_get_has_exited (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), FALSE);
  return self->has_exited;
}

int
cc_remote_process_get_exit_code (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), -1);
  return self->exit_code;
}

int
cc_remote_process_get_signal (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), 0);
  return self->signal_number;
}

gboolean
cc_remote_process_get_exited (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), FALSE);
  return self->exited;
}

const char *
cc_remote_process_get_status (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), NULL);
  return self->status;
}

const char *
cc_remote_process_get_end_error (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), NULL);
  return self->end_error;
}

gboolean
cc_remote_process_get_is_streaming (CcRemoteProcess *self)
{
  g_return_val_if_fail (CC_IS_REMOTE_PROCESS (self), FALSE);
  return self->streaming;
}

static void
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  CcRemoteProcess *self = g_task_get_source_object (task);
  GList *link = g_list_find (self->waiters, task);

  /* Only this wait ends; the stream goes on. */
  if (link == NULL)
    return;
  self->waiters = g_list_delete_link (self->waiters, link);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
}

/**
 * cc_remote_process_wait_async:
 *
 * Waits for the end of the output stream (see the header for what the result means).
 */
void
cc_remote_process_wait_async (CcRemoteProcess     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_remote_process_wait_async);
  if (!self->streaming)
    {
      complete_waiter (self, task);
      g_object_unref (task);
      return;
    }
  self->waiters = g_list_append (self->waiters, task);
  if (cancellable != NULL)
    {
      /* Called at once when already cancelled; GCancellable keeps the handler until the
       * cancellable dies, so hold the task alive only through the waiters list. */
      g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (wait_cancelled_cb), task, 0);
      if (g_cancellable_is_cancelled (cancellable))
        wait_cancelled_cb (cancellable, task);
    }
}

/**
 * cc_remote_process_wait_finish:
 * @exit_code: (out) (optional): the exit code
 *
 * Returns: %TRUE when the process's end event arrived
 */
gboolean
cc_remote_process_wait_finish (CcRemoteProcess  *self,
                               GAsyncResult     *result,
                               int              *exit_code,
                               GError          **error)
{
  GError *local_error = NULL;
  gssize code;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  code = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (exit_code != NULL)
    *exit_code = (int) code;
  return TRUE;
}

void
cc_remote_process_disconnect (CcRemoteProcess *self)
{
  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  if (self->exchange != NULL)
    _cc_http_exchange_abort (self->exchange);
}

static void
bool_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok;

  /* All the envd unary calls used here finish the same way. */
  ok = g_task_propagate_boolean (G_TASK (result), &error);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static GTask *
new_task (CcRemoteProcess     *self,
          gpointer             tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  return task;
}

void
cc_remote_process_send_input_async (CcRemoteProcess     *self,
                                    GBytes              *data,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  cc_envd_send_input_async (self->envd, self->pid, data, self->is_pty, cancellable, bool_cb,
                            new_task (self, cc_remote_process_send_input_async, cancellable,
                                      callback, user_data));
}

gboolean
cc_remote_process_send_input_finish (CcRemoteProcess  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_remote_process_close_stdin_async (CcRemoteProcess     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  cc_envd_close_stdin_async (self->envd, self->pid, cancellable, bool_cb,
                             new_task (self, cc_remote_process_close_stdin_async, cancellable,
                                       callback, user_data));
}

gboolean
cc_remote_process_close_stdin_finish (CcRemoteProcess  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_remote_process_kill_async (CcRemoteProcess     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  cc_remote_process_signal_async (self, CC_SIGNAL_SIGKILL, cancellable, callback, user_data);
}

gboolean
cc_remote_process_kill_finish (CcRemoteProcess  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  return cc_remote_process_signal_finish (self, result, error);
}

void
cc_remote_process_signal_async (CcRemoteProcess     *self,
                                CcSignal             signal_number,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  cc_envd_send_signal_async (self->envd, self->pid, signal_number, cancellable, bool_cb,
                             new_task (self, cc_remote_process_signal_async, cancellable,
                                       callback, user_data));
}

gboolean
cc_remote_process_signal_finish (CcRemoteProcess  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_remote_process_resize_async (CcRemoteProcess     *self,
                                guint                cols,
                                guint                rows,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CC_IS_REMOTE_PROCESS (self));

  cc_envd_resize_pty_async (self->envd, self->pid, cols, rows, cancellable, bool_cb,
                            new_task (self, cc_remote_process_resize_async, cancellable,
                                      callback, user_data));
}

gboolean
cc_remote_process_resize_finish (CcRemoteProcess  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
