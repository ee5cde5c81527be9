/* cc-client-exec.c: execute (with cache), reattach, shell, history, cache
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Data flow of one command: cache hit? answer from SQLite → else record a pending operation →
 * ensure the sandbox → Process/Start → chunks go to the CcExecution as they arrive → end event
 * → record success/error with bounded output, exit code and duration → cache on success.
 * A start that fails because the sandbox is gone is tried once more on a re-created sandbox
 * (the command never ran); a command that started is never run twice.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-cache-private.h"
#include "cc-client-exec-private.h"
#include "cc-client-private.h"
#include "cc-client-sandbox-private.h"
#include "cc-execution-private.h"
#include "cc-records-private.h"
#include "cc-tls-hint.h"

#define MAX_REATTACH 3

/* ---- execute ----------------------------------------------------------------------------- */

typedef struct
{
  CcClient        *client;
  CcExecution     *execution;
  char            *project_id;
  char            *command;
  CcExecuteFlags   flags;
  CcOperationType  type;
  CcProject       *project;
  char            *connection_key;
  CcOperation     *record;
  CcEnvd          *envd;
  gint64           started;
  guint            n_reattach;
  gboolean         retried_gone;
  guint            reattach_pid;     /* cc_client_reattach() */
  gboolean         counted;          /* held in its session (keeps the sandbox alive) */
  gboolean         retried_moved;
  GError          *pending_error;
  char            *reattach_record;
  gboolean         running;          /* counted as running for the cache (cc-client-cache.c) */
  guint64          generation;       /* the project's change count once it started */
} ExecRun;

/* The run's process is over (or never started): for the cache, that is a change. */
static void
exec_run_end (ExecRun *run)
{
  if (!run->running)
    return;
  run->running = FALSE;
  _cc_client_cache_run_ended (run->client, run->project_id);
}

static void
exec_run_start (ExecRun *run)
{
  g_assert (!run->running);
  _cc_client_cache_run_started (run->client, run->project_id);
  run->running = TRUE;
  run->generation = _cc_client_cache_generation (run->client, run->project_id);
}

static void
exec_run_free (ExecRun *run)
{
  exec_run_end (run);
  if (run->counted)
    {
      CcSandboxSession *session = _cc_client_lookup_session (run->client, run->project_id);

      if (session != NULL)
        cc_sandbox_session_release (session);
    }
  g_clear_object (&run->client);
  g_clear_object (&run->execution);
  g_free (run->project_id);
  g_free (run->command);
  g_clear_object (&run->project);
  g_free (run->connection_key);
  g_clear_object (&run->record);
  g_clear_object (&run->envd);
  g_free (run->reattach_record);
  g_clear_error (&run->pending_error);
  g_free (run);
}

static gint64
run_elapsed_ms (ExecRun *run)
{
  return run->started ? (g_get_monotonic_time () - run->started) / 1000 : 0;
}

/* The record keeps what the user saw, marked where the capture cut it short. */
static void
run_record_output (ExecRun *run)
{
  CcOutputCapture *out = _cc_execution_get_capture (run->execution, FALSE);
  CcOutputCapture *err = _cc_execution_get_capture (run->execution, TRUE);
  g_autofree char *out_text = cc_output_capture_dup_text (out);
  g_autofree char *err_text = cc_output_capture_dup_text (err);

  cc_operation_set_stdout (run->record, out_text);
  cc_operation_set_stderr (run->record, err_text);
  cc_operation_set_stdout_truncated (run->record, cc_output_capture_get_truncated (out));
  cc_operation_set_stderr_truncated (run->record, cc_output_capture_get_truncated (err));
}

/* @error may be NULL when the run was cancelled: any failure of a cancelled run is reported as
 * the cancellation. */
static void
run_fail (ExecRun      *run,
          const GError *error)
{
  g_autoptr(GError) cancelled = NULL;

  /* One wording for every stop, so that the history can tell a stop from a failure. */
  if (_cc_execution_stop_asked (run->execution))
    {
      cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The command was cancelled."));
      error = cancelled;
    }
  if (run->record != NULL)
    {
      run_record_output (run);
      _cc_record_complete (run->client, run->record, error, run->started);
    }
  _cc_execution_fail (run->execution, error, run_elapsed_ms (run));
  exec_run_free (run);
}

static void
run_fail_cancelled_if_needed (ExecRun *run,
                              gboolean *failed)
{
  *failed = _cc_execution_stop_asked (run->execution);
  if (*failed)
    run_fail (run, NULL);
}

static void
cache_put_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CcClient *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_store_cache_put_finish (CC_STORE (source), result, &error))
    g_warning ("Could not cache a command result: %s", error->message);
  _cc_client_release (self);
}

static void
last_execution_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CcClient *self = user_data;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;

  project = cc_store_update_project_finish (CC_STORE (source), result, &error);
  if (project == NULL)
    g_debug ("Could not store the last execution time: %s", error->message);
  else
    _cc_client_project_changed (self, project);
  _cc_client_release (self);
}

static void
run_succeed (ExecRun *run,
             int      exit_code)
{
  CcOutputCapture *out = _cc_execution_get_capture (run->execution, FALSE);
  CcOutputCapture *err = _cc_execution_get_capture (run->execution, TRUE);
  g_autoptr(CcProject) changes = NULL;
  gint64 duration = run_elapsed_ms (run);
  /* A result is only worth keeping when nothing else changed the files while it ran, and when
   * it did not read input. It counts from after the run's own end, which is a change too. */
  gboolean unchanged = run->running &&
                       _cc_client_cache_generation (run->client, run->project_id) == run->generation &&
                       !_cc_execution_get_input_sent (run->execution);

  exec_run_end (run);

  if (run->record != NULL)
    {
      run_record_output (run);
      cc_operation_set_exit_code (run->record, exit_code);
      cc_operation_set_duration_ms (run->record, duration);
      if (exit_code == 0)
        _cc_record_complete (run->client, run->record, NULL, 0);
      else
        {
          /* The command ran, but for whoever reads the history it failed: E2B reports it the
           * same way (an end event with an error, CommandExitError in the SDK). */
          CcRemoteProcess *process = _cc_execution_get_process (run->execution);
          g_autoptr(GError) exit_error =
            _cc_record_exit_error (exit_code, process ? cc_remote_process_get_signal (process) : 0);

          _cc_tls_hint_add_to_error (&exit_error, run->execution);

          _cc_record_complete (run->client, run->record, exit_error, 0);
        }

      /* Only whole, successful results are worth serving again. */
      if (exit_code == 0 && unchanged && (run->flags & CC_EXECUTE_FLAGS_USE_CACHE) &&
          !(run->flags & CC_EXECUTE_FLAGS_STDIN) && run->type == CC_OPERATION_TYPE_COMMAND &&
          !cc_output_capture_get_truncated (out) && !cc_output_capture_get_truncated (err))
        {
          _cc_client_hold (run->client);
          cc_store_cache_put_async (run->client->store, run->connection_key, run->record, NULL,
                                    cache_put_cb, run->client);
        }
    }

  if (run->project != NULL)
    {
      _cc_client_hold (run->client);
      changes = cc_project_copy (run->project);
      cc_project_set_last_execution_at (changes, cc_store_get_now (run->client->store));
      cc_store_update_project_async (run->client->store, run->project_id,
                                     CC_PROJECT_FIELD_LAST_EXECUTION, changes, NULL,
                                     last_execution_cb, run->client);
    }

  _cc_execution_finish (run->execution, exit_code, duration, FALSE);
  exec_run_free (run);
}

static void run_wait (ExecRun *run);

static void
reattach_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = cc_envd_connect_process_finish (CC_ENVD (source), result, &error);
  if (process == NULL)
    {
      run_fail (run, error);
      return;
    }
  _cc_execution_set_process (run->execution, process, run->reattach_pid == 0);
  run_wait (run);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(GError) error = NULL;
  int exit_code = -1;
  gboolean failed;

  if (cc_remote_process_wait_finish (CC_REMOTE_PROCESS (source), result, &exit_code, &error))
    {
      run_fail_cancelled_if_needed (run, &failed);
      if (!failed)
        run_succeed (run, exit_code);
      return;
    }

  /* The stream broke but the process may still run: follow it again by pid. */
  if ((g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK) ||
       g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL) ||
       g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_TIMEOUT)) &&
      !_cc_execution_stop_asked (run->execution) &&
      run->n_reattach < MAX_REATTACH)
    {
      run->n_reattach++;
      g_debug ("Output stream of pid %u broke (%s); reattaching",
               cc_remote_process_get_pid (CC_REMOTE_PROCESS (source)), error->message);
      cc_envd_connect_process_async (run->envd, cc_remote_process_get_pid (CC_REMOTE_PROCESS (source)),
                                     0, NULL, reattach_cb, run);
      return;
    }
  run_fail (run, error);
}

static void
run_wait (ExecRun *run)
{
  cc_remote_process_wait_async (_cc_execution_get_process (run->execution), NULL, wait_cb, run);
}

static void run_ensure (ExecRun *run);

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(GError) error = g_steal_pointer (&run->pending_error);

  if (_cc_client_check_engine_moved_finish (run->client, result))
    run_ensure (run);
  else
    run_fail (run, error);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = cc_envd_start_process_finish (CC_ENVD (source), result, &error);
  if (process == NULL)
    {
      /* The command never started: on a lost sandbox, try once on a new one. */
      if (_cc_client_retry_on_new_sandbox (run->client, run->project_id, error,
                                           _cc_execution_get_cancellable (run->execution),
                                           &run->retried_gone))
        {
          run_ensure (run);
          return;
        }
      /* A restarted local engine listens elsewhere: the request could not have reached it. */
      if ((g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK) ||
           g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE)) &&
          !run->retried_moved &&
          !_cc_execution_stop_asked (run->execution))
        {
          run->retried_moved = TRUE;
          run->pending_error = g_steal_pointer (&error);
          _cc_client_check_engine_moved_async (run->client, run->project_id, run->envd, moved_cb, run);
          return;
        }
      run_fail (run, error);
      return;
    }
  _cc_execution_set_process (run->execution, process, FALSE);
  run_wait (run);
}

static void
ensure_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProcessSpec) spec = NULL;
  gboolean failed;

  g_clear_object (&run->envd);
  run->envd = _cc_client_ensure_sandbox_finish (run->client, result, &error);
  if (run->envd == NULL)
    {
      run_fail (run, error);
      return;
    }
  run_fail_cancelled_if_needed (run, &failed);
  if (failed)
    return;
  if (!run->counted)
    {
      run->counted = TRUE;
      cc_sandbox_session_hold (_cc_client_get_session (run->client, run->project_id));
    }

  if (run->reattach_pid != 0)
    {
      cc_envd_connect_process_async (run->envd, run->reattach_pid, 0, NULL, reattach_cb, run);
      return;
    }

  spec = cc_process_spec_new_command (run->command);
  /* Its output is shown in a terminal, so it runs as in one. */
  if (spec->envs == NULL)
    spec->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (spec->envs, g_strdup ("TERM"), g_strdup ("xterm-256color"));
  g_hash_table_replace (spec->envs, g_strdup ("COLORTERM"), g_strdup ("truecolor"));
  spec->stdin_open = (run->flags & (CC_EXECUTE_FLAGS_STDIN | CC_EXECUTE_FLAGS_STDIN_WHEN_RUN)) != 0;
  if ((run->flags & CC_EXECUTE_FLAGS_NO_DEADLINE) || run->client->command_timeout == 0)
    spec->timeout_ms = 0;
  else
    spec->timeout_ms = run->client->command_timeout * 1000;
  run->started = g_get_monotonic_time ();
  cc_envd_start_process_async (run->envd, spec, _cc_execution_get_cancellable (run->execution),
                               start_cb, run);
}

static void
run_ensure (ExecRun *run)
{
  _cc_client_ensure_sandbox_async (run->client, run->project_id,
                                   _cc_execution_get_cancellable (run->execution), ensure_cb, run);
}

static void
begin_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->record = _cc_record_begin_finish (run->client, result, &error);
  if (run->record == NULL)
    {
      run_fail (run, error);
      return;
    }
  _cc_execution_set_id (run->execution, cc_operation_get_id (run->record));
  run_ensure (run);
}

static void
run_begin_record (ExecRun *run)
{
  exec_run_start (run);
  _cc_record_begin_async (run->client, run->project_id, run->type, run->command, begin_cb, run);
}

static void
cached_record_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ExecRun *run = user_data;
  CcOperation *cached = g_object_get_data (G_OBJECT (run->execution), "cc-cached-op");
  g_autoptr(GError) error = NULL;
  const char *text;

  run->record = _cc_record_begin_finish (run->client, result, &error);
  if (run->record == NULL)
    {
      run_fail (run, error);
      return;
    }
  _cc_execution_set_id (run->execution, cc_operation_get_id (run->record));

  /* The hit is recorded too, so the history shows what the user saw. */
  cc_operation_set_stdout (run->record, cc_operation_get_stdout (cached));
  cc_operation_set_stderr (run->record, cc_operation_get_stderr (cached));
  cc_operation_set_exit_code (run->record, cc_operation_get_exit_code (cached));
  cc_operation_set_duration_ms (run->record, cc_operation_get_duration_ms (cached));
  cc_operation_set_cached (run->record, TRUE);
  cc_operation_set_cached_at (run->record, cc_operation_get_cached_at (cached));
  _cc_record_complete (run->client, run->record, NULL, 0);

  if ((text = cc_operation_get_stdout (cached)) != NULL && *text)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
      _cc_execution_feed (run->execution, FALSE, bytes);
    }
  if ((text = cc_operation_get_stderr (cached)) != NULL && *text)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
      _cc_execution_feed (run->execution, TRUE, bytes);
    }
  _cc_execution_set_cached_at (run->execution, cc_operation_get_cached_at (cached));
  _cc_execution_finish (run->execution, cc_operation_get_exit_code (cached),
                        cc_operation_get_duration_ms (cached), TRUE);
  g_object_set_data (G_OBJECT (run->execution), "cc-cached-op", NULL);
  exec_run_free (run);
}

static void
cache_lookup_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(CcOperation) cached = NULL;
  g_autoptr(GError) error = NULL;

  cached = cc_store_cache_lookup_finish (CC_STORE (source), result, &error);
  if (cached == NULL)
    {
      if (error != NULL && !g_error_matches (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND))
        g_warning ("The command cache could not be read: %s", error->message);
      run_begin_record (run);
      return;
    }
  g_object_set_data_full (G_OBJECT (run->execution), "cc-cached-op", g_steal_pointer (&cached),
                          g_object_unref);
  _cc_record_begin_async (run->client, run->project_id, run->type, run->command, cached_record_cb, run);
}

static void
project_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ExecRun *run = user_data;
  g_autoptr(GError) error = NULL;
  GError *early = g_object_get_data (G_OBJECT (run->execution), "cc-early-error");

  run->project = _cc_client_get_project_finish (run->client, result, &error);
  if (run->project == NULL)
    {
      run_fail (run, error);
      return;
    }
  if (early != NULL)
    {
      g_autoptr(GError) copy = g_error_copy (early);

      run_fail (run, copy);
      return;
    }
  /* Use the id: the caller may have given a name. */
  g_free (run->project_id);
  run->project_id = g_strdup (cc_project_get_id (run->project));
  _cc_execution_set_project_id (run->execution, run->project_id);
  run->connection_key = _cc_client_connection_key (run->project);

  if (run->reattach_pid != 0)
    {
      if (run->reattach_record != NULL)
        {
          run->record = cc_operation_new (run->project_id, run->type, run->command);
          cc_operation_set_id (run->record, run->reattach_record);
          _cc_execution_set_id (run->execution, run->reattach_record);
        }
      run->started = g_get_monotonic_time ();
      exec_run_start (run);
      run_ensure (run);
      return;
    }

  /* While a process of ours runs in the project, the files may change at any moment. */
  if ((run->flags & CC_EXECUTE_FLAGS_USE_CACHE) && !(run->flags & CC_EXECUTE_FLAGS_STDIN) &&
      run->type == CC_OPERATION_TYPE_COMMAND && _cc_client_cache_may_serve (run->client, run->project_id))
    {
      cc_store_cache_lookup_async (run->client->store, run->project_id, run->command,
                                   run->connection_key, NULL, cache_lookup_cb, run);
      return;
    }
  run_begin_record (run);
}

static ExecRun *
exec_run_new (CcClient        *self,
              const char      *project_id,
              const char      *command,
              CcExecuteFlags   flags,
              CcOperationType  type)
{
  ExecRun *run = g_new0 (ExecRun, 1);

  run->client = g_object_ref (self);
  run->project_id = g_strdup (project_id);
  run->command = g_strdup (command);
  run->flags = flags;
  run->type = type;
  run->execution = _cc_execution_new (project_id, command, cc_store_get_max_output (self->store));
  return run;
}

CcExecution *
_cc_client_execute_full (CcClient        *self,
                         const char      *project_id,
                         const char      *command,
                         CcExecuteFlags   flags,
                         CcOperationType  type)
{
  ExecRun *run = exec_run_new (self, project_id, command, flags, type);
  CcExecution *execution = g_object_ref (run->execution);

  if (command == NULL || *command == '\0')
    {
      g_autoptr(GError) error = g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                                             _("The command is empty. Type a command to run."));
      /* Deliver later, like every other result, so callers can connect first. */
      g_object_set_data_full (G_OBJECT (execution), "cc-early-error", g_steal_pointer (&error),
                              (GDestroyNotify) g_error_free);
    }
  _cc_client_get_project_async (self, project_id, NULL, project_cb, run);
  return execution;
}

CcExecution *
cc_client_execute (CcClient       *self,
                   const char     *project_id,
                   const char     *command,
                   CcExecuteFlags  flags)
{
  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  return _cc_client_execute_full (self, project_id, command ? command : "", flags,
                                  CC_OPERATION_TYPE_COMMAND);
}

static void
execute_wait_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cc_execution_wait_finish (CC_EXECUTION (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (source), g_object_unref);
}

static void
execute_cancelled_cb (GCancellable *cancellable,
                      CcExecution  *execution)
{
  cc_execution_cancel (execution);
}

void
cc_client_execute_async (CcClient            *self,
                         const char          *project_id,
                         const char          *command,
                         CcExecuteFlags       flags,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CcExecution) execution = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_execute_async);
  execution = cc_client_execute (self, project_id, command, flags);
  if (cancellable != NULL)
    g_cancellable_connect (cancellable, G_CALLBACK (execute_cancelled_cb),
                           g_object_ref (execution), g_object_unref);
  cc_execution_wait_async (execution, NULL, execute_wait_cb, g_steal_pointer (&task));
}

CcExecution *
cc_client_execute_finish (CcClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CcExecution *
cc_client_reattach (CcClient   *self,
                    const char *project_id,
                    guint       pid,
                    const char *record_id)
{
  ExecRun *run;
  CcExecution *execution;
  g_autofree char *label = NULL;

  g_return_val_if_fail (CC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (pid != 0, NULL);

  label = g_strdup_printf ("pid %u", pid);
  run = exec_run_new (self, project_id, label, CC_EXECUTE_FLAGS_NONE, CC_OPERATION_TYPE_COMMAND);
  run->reattach_pid = pid;
  run->reattach_record = g_strdup (record_id);
  execution = g_object_ref (run->execution);
  _cc_client_get_project_async (self, project_id, NULL, project_cb, run);
  return execution;
}

/* ---- interactive shell ------------------------------------------------------------------- */

/* A shell's output goes to a terminal, not to the history: keep only a little of it. */
#define SHELL_MAX_OUTPUT (64 * 1024)

typedef struct
{
  char  *project_id;
  guint  cols;
  guint  rows;
} ShellStart;

static void
shell_start_free (ShellStart *start)
{
  g_free (start->project_id);
  g_free (start);
}

typedef struct
{
  CcClient    *client;
  CcExecution *execution;
  gint64       started;        /* monotonic µs */
} ShellRun;

static void
shell_ended_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ShellRun *run = user_data;
  gint64 duration_ms = (g_get_monotonic_time () - run->started) / 1000;
  g_autoptr(GError) error = NULL;
  int exit_code = -1;

  if (!cc_remote_process_wait_finish (CC_REMOTE_PROCESS (source), result, &exit_code, &error))
    _cc_execution_fail (run->execution, error, duration_ms);
  else if (_cc_execution_stop_asked (run->execution))
    {
      g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         _("The command was cancelled."));

      _cc_execution_fail (run->execution, cancelled, duration_ms);
    }
  else
    _cc_execution_finish (run->execution, exit_code, duration_ms, FALSE);
  _cc_client_cache_run_ended (run->client, cc_execution_get_project_id (run->execution));
  g_object_unref (run->execution);
  g_object_unref (run->client);
  g_free (run);
}

static void
shell_started_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ShellStart *start = g_task_get_task_data (task);
  CcClient *self = g_task_get_source_object (task);
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(CcExecution) execution = NULL;
  ShellRun *run;
  GError *error = NULL;

  process = cc_envd_start_process_finish (CC_ENVD (source), result, &error);
  if (process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  execution = _cc_execution_new (start->project_id, "/bin/bash -i -l",
                                 MIN (SHELL_MAX_OUTPUT, cc_store_get_max_output (self->store)));
  _cc_execution_set_process (execution, process, FALSE);
  run = g_new0 (ShellRun, 1);
  run->client = g_object_ref (self);
  run->execution = g_object_ref (execution);
  /* Whatever is typed into it may change the files. */
  _cc_client_cache_run_started (self, start->project_id);
  run->started = g_get_monotonic_time ();
  cc_remote_process_wait_async (process, NULL, shell_ended_cb, run);
  g_task_return_pointer (task, g_steal_pointer (&execution), g_object_unref);
}

static void
shell_ensure_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ShellStart *start = g_task_get_task_data (task);
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(CcProcessSpec) spec = NULL;
  GError *error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  spec = cc_process_spec_new_pty (start->cols, start->rows);
  if (spec->envs == NULL)
    spec->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (spec->envs, g_strdup ("TERM"), g_strdup ("xterm-256color"));
  /* A shell lives as long as its tab, not 60 s. */
  spec->timeout_ms = 0;
  cc_envd_start_process_async (envd, spec, g_task_get_cancellable (task), shell_started_cb,
                               g_object_ref (task));
}

void
cc_client_open_shell_async (CcClient            *self,
                            const char          *project_id,
                            guint                cols,
                            guint                rows,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ShellStart *start;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_open_shell_async);
  start = g_new0 (ShellStart, 1);
  start->project_id = g_strdup (project_id);
  start->cols = cols ? cols : 80;
  start->rows = rows ? rows : 24;
  g_task_set_task_data (task, start, (GDestroyNotify) shell_start_free);
  _cc_client_ensure_sandbox_async (self, project_id, cancellable, shell_ensure_cb,
                                   g_steal_pointer (&task));
}

CcExecution *
cc_client_open_shell_finish (CcClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- history and cache ------------------------------------------------------------------- */

static void
history_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GListModel *model = cc_store_list_history_finish (CC_STORE (source), result, &error);

  if (model == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, model, g_object_unref);
}

void
cc_client_history_async (CcClient             *self,
                         const CcHistoryQuery *query,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  CcHistoryQuery empty = { 0 };

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_history_async);
  cc_store_list_history_async (self->store, query ? query : &empty, cancellable, history_cb,
                               g_steal_pointer (&task));
}

GListModel *
cc_client_history_finish (CcClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_cache_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!cc_store_cache_clear_finish (CC_STORE (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cc_client_clear_cache_async (CcClient            *self,
                             const char          *project_id,
                             const char          *command,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_clear_cache_async);
  cc_store_cache_clear_async (self->store, project_id, command, cancellable, clear_cache_cb,
                              g_steal_pointer (&task));
}

gboolean
cc_client_clear_cache_finish (CcClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
