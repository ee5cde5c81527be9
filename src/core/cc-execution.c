/* cc-execution.c: one command of a project, running or finished
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The object only holds state and emits signals; the client (cc-client-exec.c) drives it
 * through the private setters in cc-client-private.h. Output is kept in two bounded
 * CcOutputCapture buffers, so a command that prints gigabytes costs a few MiB here.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-execution-private.h"
#include "cc-sandbox-error.h"

struct _CcExecution
{
  GObject           parent_instance;

  char             *id;
  char             *project_id;
  char             *command;
  CcExecutionState  state;
  guint             pid;
  int               exit_code;
  gint64            duration_ms;
  gboolean          cached;
  gint64            cached_at;
  gboolean          pty;
  GError           *error;

  CcOutputCapture  *out;
  CcOutputCapture  *err;

  GCancellable     *cancellable;      /* cancelled by cc_execution_cancel() */
  gboolean          stop_asked;       /* cc_execution_cancel() was called */
  CcRemoteProcess  *process;
  gulong            stdout_id;
  gulong            stderr_id;
  gulong            pty_id;

  GPtrArray        *waiters;          /* GTask */

  /* Input goes out one request at a time, in order: every SendInput is its own HTTP request,
   * and two in flight can overtake each other. What is typed meanwhile waits here and leaves
   * as one request. Each element is a GTask; its data is the GBytes to send, or NULL for
   * closing stdin (which must come after the input before it). */
  GQueue            input_queue;
  GPtrArray        *input_in_flight;  /* GTask, the calls the request in flight answers */
  gboolean          input_sent;       /* any byte, or the end of input, reached the process */
};

G_DEFINE_FINAL_TYPE (CcExecution, cc_execution, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CcExecutionState, cc_execution_state,
                    G_DEFINE_ENUM_VALUE (CC_EXECUTION_STATE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (CC_EXECUTION_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (CC_EXECUTION_STATE_FINISHED, "finished"),
                    G_DEFINE_ENUM_VALUE (CC_EXECUTION_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (CC_EXECUTION_STATE_CANCELLED, "cancelled"))

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT_ID,
  PROP_COMMAND,
  PROP_STATE,
  PROP_PID,
  PROP_EXIT_CODE,
  PROP_DURATION_MS,
  PROP_CACHED,
  PROP_PTY,
  N_PROPS
};

enum {
  SIGNAL_STARTED,
  SIGNAL_STDOUT,
  SIGNAL_STDERR,
  SIGNAL_FINISHED,
  SIGNAL_REATTACHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
cc_execution_disconnect_process (CcExecution *self)
{
  if (self->process == NULL)
    return;
  g_clear_signal_handler (&self->stdout_id, self->process);
  g_clear_signal_handler (&self->stderr_id, self->process);
  g_clear_signal_handler (&self->pty_id, self->process);
  g_clear_object (&self->process);
}

static void
cc_execution_dispose (GObject *object)
{
  CcExecution *self = CC_EXECUTION (object);

  cc_execution_disconnect_process (self);
  G_OBJECT_CLASS (cc_execution_parent_class)->dispose (object);
}

static void
cc_execution_finalize (GObject *object)
{
  CcExecution *self = CC_EXECUTION (object);

  g_assert (self->waiters == NULL || self->waiters->len == 0);
  g_assert (g_queue_is_empty (&self->input_queue));
  g_clear_pointer (&self->input_in_flight, g_ptr_array_unref);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->out, cc_output_capture_free);
  g_clear_pointer (&self->err, cc_output_capture_free);
  g_clear_error (&self->error);
  g_free (self->id);
  g_free (self->project_id);
  g_free (self->command);
  G_OBJECT_CLASS (cc_execution_parent_class)->finalize (object);
}

static void
cc_execution_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CcExecution *self = CC_EXECUTION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PROJECT_ID:
      g_value_set_string (value, self->project_id);
      break;
    case PROP_COMMAND:
      g_value_set_string (value, self->command);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PID:
      g_value_set_uint (value, self->pid);
      break;
    case PROP_EXIT_CODE:
      g_value_set_int (value, self->exit_code);
      break;
    case PROP_DURATION_MS:
      g_value_set_int64 (value, self->duration_ms);
      break;
    case PROP_PTY:
      g_value_set_boolean (value, self->pty);
      break;
    case PROP_CACHED:
      g_value_set_boolean (value, self->cached);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_execution_class_init (CcExecutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cc_execution_dispose;
  object_class->finalize = cc_execution_finalize;
  object_class->get_property = cc_execution_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROJECT_ID] =
    g_param_spec_string ("project-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMMAND] =
    g_param_spec_string ("command", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, CC_TYPE_EXECUTION_STATE, CC_EXECUTION_STATE_PENDING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PID] =
    g_param_spec_uint ("pid", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXIT_CODE] =
    g_param_spec_int ("exit-code", NULL, NULL, G_MININT, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION_MS] =
    g_param_spec_int64 ("duration-ms", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHED] =
    g_param_spec_boolean ("cached", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PTY] =
    g_param_spec_boolean ("pty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_STDOUT] =
    g_signal_new ("stdout", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_STDERR] =
    g_signal_new ("stderr", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_REATTACHED] =
    g_signal_new ("reattached", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
cc_execution_init (CcExecution *self)
{
  self->exit_code = -1;
  self->cancellable = g_cancellable_new ();
  self->waiters = g_ptr_array_new ();
  g_queue_init (&self->input_queue);
}

/* ---- public getters ---------------------------------------------------------------------- */

const char *
cc_execution_get_id (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return self->id;
}

const char *
cc_execution_get_project_id (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return self->project_id;
}

const char *
cc_execution_get_command (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return self->command;
}

CcExecutionState
cc_execution_get_state (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), CC_EXECUTION_STATE_FAILED);
  return self->state;
}

gboolean
cc_execution_is_done (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), TRUE);
  return self->state >= CC_EXECUTION_STATE_FINISHED;
}

guint
cc_execution_get_pid (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), 0);
  return self->pid;
}

int
cc_execution_get_exit_code (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), -1);
  return self->exit_code;
}

gint64
cc_execution_get_duration_ms (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), 0);
  return self->duration_ms;
}

gboolean
cc_execution_get_cached (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), FALSE);
  return self->cached;
}

gint64
cc_execution_get_cached_at (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), 0);
  return self->cached_at;
}

gboolean
cc_execution_get_truncated (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), FALSE);
  return (self->out && cc_output_capture_get_truncated (self->out)) ||
         (self->err && cc_output_capture_get_truncated (self->err));
}

gboolean
cc_execution_get_pty (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), FALSE);
  return self->pty;
}

const GError *
cc_execution_get_error (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return self->error;
}

static GBytes *
capture_to_bytes (CcOutputCapture *capture)
{
  char *text;

  if (capture == NULL)
    return g_bytes_new (NULL, 0);
  text = cc_output_capture_dup_text (capture);
  return g_bytes_new_take (text, text ? strlen (text) : 0);
}

GBytes *
cc_execution_dup_stdout (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return capture_to_bytes (self->out);
}

GBytes *
cc_execution_dup_stderr (CcExecution *self)
{
  g_return_val_if_fail (CC_IS_EXECUTION (self), NULL);
  return capture_to_bytes (self->err);
}

/* ---- waiting ----------------------------------------------------------------------------- */

static void
source_destroy_and_unref (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
complete_waiter (GTask       *task,
                 CcExecution *self)
{
  if (self->state == CC_EXECUTION_STATE_FINISHED)
    g_task_return_boolean (task, TRUE);
  else if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The command was cancelled."));
}

/* A waiter stops waiting when its cancellable fires, without touching the command. */
static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask *task = user_data;
  CcExecution *self = g_task_get_source_object (task);

  if (g_ptr_array_remove (self->waiters, task))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The wait was cancelled."));
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

void
cc_execution_wait_async (CcExecution         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_EXECUTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_execution_wait_async);
  if (cc_execution_is_done (self))
    {
      complete_waiter (task, self);
      return;
    }
  if (cancellable != NULL)
    {
      GSource *source = g_cancellable_source_new (cancellable);

      /* The source lives as long as the task (destroyed with it). */
      g_source_set_callback (source, G_SOURCE_FUNC (waiter_cancelled_cb), task, NULL);
      g_source_attach (source, g_task_get_context (task));
      g_task_set_task_data (task, source, (GDestroyNotify) source_destroy_and_unref);
    }
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
}

gboolean
cc_execution_wait_finish (CcExecution   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- control ----------------------------------------------------------------------------- */

static void
kill_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CcExecution) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The process may have ended on its own meanwhile: nothing to report. */
  if (!cc_remote_process_kill_finish (CC_REMOTE_PROCESS (source), result, &error))
    g_debug ("Killing a cancelled command failed: %s", error->message);
  /* Only now does the wait end: a stopped dev server no longer holds its port when its stop
   * completes, and an app that quits right after has sent the kill. */
  g_cancellable_cancel (self->cancellable);
}

void
cc_execution_cancel (CcExecution *self)
{
  g_return_if_fail (CC_IS_EXECUTION (self));

  if (cc_execution_is_done (self) || self->stop_asked)
    return;
  self->stop_asked = TRUE;
  if (self->process != NULL)
    cc_remote_process_kill_async (self->process, NULL, kill_done_cb, g_object_ref (self));
  else
    g_cancellable_cancel (self->cancellable);
}

gboolean
_cc_execution_stop_asked (CcExecution *self)
{
  return self->stop_asked || g_cancellable_is_cancelled (self->cancellable);
}

/* Completes a resize, which only answers whether it worked. */
static void
process_call_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (cc_remote_process_resize_finish (CC_REMOTE_PROCESS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The task of a call to the running process, or NULL when the command is not running (the
 * error is then already given to @callback). */
static GTask *
running_task_new (CcExecution         *self,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->process == NULL || cc_execution_is_done (self))
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("The command is not running, so it cannot take input."));
      return NULL;
    }
  return g_steal_pointer (&task);
}

static void input_pump (CcExecution *self);

static void
input_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcExecution) self = user_data;
  g_autoptr(GPtrArray) answered = g_steal_pointer (&self->input_in_flight);
  g_autoptr(GError) error = NULL;
  GTask *first = g_ptr_array_index (answered, 0);
  gboolean ok;

  if (g_task_get_source_tag (first) == cc_execution_close_stdin_async)
    ok = cc_remote_process_close_stdin_finish (CC_REMOTE_PROCESS (source), result, &error);
  else
    ok = cc_remote_process_send_input_finish (CC_REMOTE_PROCESS (source), result, &error);

  /* The end of input is input too: a command that reads to the end gave a result for it. */
  if (ok)
    self->input_sent = TRUE;
  for (guint i = 0; i < answered->len; i++)
    {
      GTask *task = g_ptr_array_index (answered, i);

      if (ok)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_error_copy (error));
    }
  input_pump (self);
}

/* Sends what waits: all the input queued before the next close as one request, or the close. */
static void
input_pump (CcExecution *self)
{
  GTask *head;

  if (self->input_in_flight != NULL || g_queue_is_empty (&self->input_queue))
    return;

  self->input_in_flight = g_ptr_array_new_with_free_func (g_object_unref);
  head = g_queue_peek_head (&self->input_queue);
  if (self->process == NULL || cc_execution_is_done (self))
    {
      /* The process went away with input still queued: every caller hears it. */
      g_autoptr(GPtrArray) answered = g_steal_pointer (&self->input_in_flight);

      while ((head = g_queue_pop_head (&self->input_queue)) != NULL)
        {
          g_task_return_new_error (head, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                   _("The command ended before it read this input."));
          g_object_unref (head);
        }
      return;
    }

  if (g_task_get_source_tag (head) == cc_execution_close_stdin_async)
    {
      g_ptr_array_add (self->input_in_flight, g_queue_pop_head (&self->input_queue));
      cc_remote_process_close_stdin_async (self->process, self->cancellable, input_done_cb,
                                           g_object_ref (self));
    }
  else
    {
      g_autoptr(GByteArray) joined = g_byte_array_new ();
      g_autoptr(GBytes) data = NULL;

      while ((head = g_queue_peek_head (&self->input_queue)) != NULL &&
             g_task_get_source_tag (head) == cc_execution_send_stdin_async)
        {
          GBytes *chunk = g_task_get_task_data (head);
          gsize size;
          gconstpointer bytes = g_bytes_get_data (chunk, &size);

          g_byte_array_append (joined, bytes, size);
          g_ptr_array_add (self->input_in_flight, g_queue_pop_head (&self->input_queue));
        }
      data = g_byte_array_free_to_bytes (g_steal_pointer (&joined));
      cc_remote_process_send_input_async (self->process, data, self->cancellable, input_done_cb,
                                          g_object_ref (self));
    }
}

static void
input_enqueue (CcExecution *self,
               GTask       *task)
{
  g_queue_push_tail (&self->input_queue, task);
  input_pump (self);
}

/**
 * cc_execution_send_stdin_async:
 *
 * Input reaches the process in the order of the calls, and in full: calls made while an
 * earlier one is still on its way are joined and sent after it.
 */
void
cc_execution_send_stdin_async (CcExecution         *self,
                               GBytes              *data,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_EXECUTION (self));
  g_return_if_fail (data != NULL);

  task = running_task_new (self, cc_execution_send_stdin_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  /* A call whose own cancellable fires still has its bytes sent: dropping them from the middle
   * of the stream would scramble it. Only the answer is then "cancelled". */
  g_task_set_task_data (task, g_bytes_ref (data), (GDestroyNotify) g_bytes_unref);
  input_enqueue (self, g_steal_pointer (&task));
}

gboolean
cc_execution_send_stdin_finish (CcExecution   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_execution_close_stdin_async (CcExecution         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_EXECUTION (self));

  task = running_task_new (self, cc_execution_close_stdin_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  input_enqueue (self, g_steal_pointer (&task));
}

gboolean
cc_execution_close_stdin_finish (CcExecution   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_cc_execution_get_input_sent (CcExecution *self)
{
  return self->input_sent || self->input_in_flight != NULL || !g_queue_is_empty (&self->input_queue);
}

void
cc_execution_resize_async (CcExecution         *self,
                           guint                columns,
                           guint                rows,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_EXECUTION (self));

  task = running_task_new (self, cc_execution_resize_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  cc_remote_process_resize_async (self->process, columns, rows, cancellable, process_call_done_cb,
                                  g_steal_pointer (&task));
}

gboolean
cc_execution_resize_finish (CcExecution   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- private: driven by the client ------------------------------------------------------- */

CcExecution *
_cc_execution_new (const char *project_id,
                   const char *command,
                   gsize       max_output)
{
  CcExecution *self = g_object_new (CC_TYPE_EXECUTION, NULL);

  self->project_id = g_strdup (project_id);
  self->command = g_strdup (command);
  self->out = cc_output_capture_new (max_output);
  self->err = cc_output_capture_new (max_output);
  return self;
}

GCancellable *
_cc_execution_get_cancellable (CcExecution *self)
{
  return self->cancellable;
}

CcRemoteProcess *
_cc_execution_get_process (CcExecution *self)
{
  return self->process;
}

CcOutputCapture *
_cc_execution_get_capture (CcExecution *self,
                           gboolean     is_stderr)
{
  return is_stderr ? self->err : self->out;
}

/* Notify only on change: the app binds to these. */
static void
set_string (CcExecution  *self,
            char        **field,
            const char   *value,
            guint         prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

void
_cc_execution_set_project_id (CcExecution *self,
                              const char  *project_id)
{
  set_string (self, &self->project_id, project_id, PROP_PROJECT_ID);
}

void
_cc_execution_set_id (CcExecution *self,
                      const char  *id)
{
  set_string (self, &self->id, id, PROP_ID);
}

void
_cc_execution_feed (CcExecution *self,
                    gboolean     is_stderr,
                    GBytes      *chunk)
{
  if (g_bytes_get_size (chunk) == 0)
    return;
  cc_output_capture_append_bytes (is_stderr ? self->err : self->out, chunk);
  g_signal_emit (self, signals[is_stderr ? SIGNAL_STDERR : SIGNAL_STDOUT], 0, chunk);
}

static void
on_process_stdout (CcRemoteProcess *process,
                   GBytes          *chunk,
                   CcExecution     *self)
{
  _cc_execution_feed (self, FALSE, chunk);
}

static void
on_process_stderr (CcRemoteProcess *process,
                   GBytes          *chunk,
                   CcExecution     *self)
{
  _cc_execution_feed (self, TRUE, chunk);
}

void
_cc_execution_set_process (CcExecution     *self,
                           CcRemoteProcess *process,
                           gboolean         reattached)
{
  guint pid = cc_remote_process_get_pid (process);

  cc_execution_disconnect_process (self);
  self->process = g_object_ref (process);
  self->stdout_id = g_signal_connect (process, "stdout", G_CALLBACK (on_process_stdout), self);
  self->stderr_id = g_signal_connect (process, "stderr", G_CALLBACK (on_process_stderr), self);
  /* A PTY's output is the terminal's: it goes where stdout goes. */
  self->pty_id = g_signal_connect (process, "pty", G_CALLBACK (on_process_stdout), self);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->pid != pid)
    {
      self->pid = pid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
    }
  if (self->pty != cc_remote_process_get_is_pty (process))
    {
      self->pty = cc_remote_process_get_is_pty (process);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PTY]);
    }
  if (self->state != CC_EXECUTION_STATE_RUNNING)
    {
      self->state = CC_EXECUTION_STATE_RUNNING;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  /* If the command was cancelled while it was starting, the kill could not be sent then. */
  if (self->stop_asked)
    cc_remote_process_kill_async (process, NULL, kill_done_cb, g_object_ref (self));

  if (reattached)
    g_signal_emit (self, signals[SIGNAL_REATTACHED], 0);
  else
    g_signal_emit (self, signals[SIGNAL_STARTED], 0, pid);
}

static void
cc_execution_complete (CcExecution      *self,
                       CcExecutionState  state)
{
  g_autoptr(GPtrArray) waiters = NULL;

  g_object_ref (self);
  cc_execution_disconnect_process (self);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);

  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr(GTask) task = g_ptr_array_index (waiters, i);

      complete_waiter (task, self);
    }
  g_object_unref (self);
}

void
_cc_execution_set_cached_at (CcExecution *self,
                             gint64       cached_at)
{
  self->cached_at = cached_at;
}

void
_cc_execution_finish (CcExecution *self,
                      int          exit_code,
                      gint64       duration_ms,
                      gboolean     cached)
{
  if (cc_execution_is_done (self))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->exit_code = exit_code;
  self->duration_ms = duration_ms;
  self->cached = cached;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_CODE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_MS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CACHED]);
  g_object_thaw_notify (G_OBJECT (self));
  cc_execution_complete (self, CC_EXECUTION_STATE_FINISHED);
}

void
_cc_execution_fail (CcExecution  *self,
                    const GError *error,
                    gint64        duration_ms)
{
  CcExecutionState state;

  if (cc_execution_is_done (self))
    return;

  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  self->duration_ms = duration_ms;
  state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
    ? CC_EXECUTION_STATE_CANCELLED : CC_EXECUTION_STATE_FAILED;
  cc_execution_complete (self, state);
}
