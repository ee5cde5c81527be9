/* cc-client-setup.c: setting a project up (upload + install)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file goes in ONE multipart request (byte progress from the request body), then the
 * install step runs without deadline (npm install can take minutes) with its output streamed
 * to the caller. The files are also kept locally so a re-created sandbox gets them back.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-private.h"

const char *
_cc_client_setup_command_for (CcProject *project,
                              GPtrArray *files)
{
  const char *command = cc_template_guess_setup_command (files);
  const CcTemplate *template;

  if (command != NULL)
    return command;
  if (_cc_nonempty (cc_project_get_setup_command (project)) != NULL && *_cc_nonempty (cc_project_get_setup_command (project)))
    return _cc_nonempty (cc_project_get_setup_command (project));
  template = cc_template_lookup (_cc_nonempty (cc_project_get_template (project)));
  return template ? cc_template_get_setup_command (template) : NULL;
}

/* ---- install: upload + setup command in one sandbox -------------------------------------- */

typedef struct
{
  CcEnvd              *envd;
  GPtrArray           *files;
  char                *command;
  CcSetupProgressFunc  progress;
  gpointer             progress_data;
  CcOutputCapture     *output;          /* borrowed, nullable */
  CcRemoteProcess     *process;
  gulong               stdout_id;
  gulong               stderr_id;
  gulong               cancel_id;
} Install;

static void
install_free (Install *install)
{
  if (install->process != NULL)
    {
      g_clear_signal_handler (&install->stdout_id, install->process);
      g_clear_signal_handler (&install->stderr_id, install->process);
    }
  g_clear_object (&install->process);
  g_clear_object (&install->envd);
  g_clear_pointer (&install->files, g_ptr_array_unref);
  g_free (install->command);
  g_free (install);
}

static void
install_output_cb (CcRemoteProcess *process,
                   GBytes          *chunk,
                   Install         *install)
{
  if (install->output != NULL)
    cc_output_capture_append_bytes (install->output, chunk);
  if (install->progress != NULL)
    install->progress (CC_SETUP_PHASE_INSTALL, 0, 0, chunk, install->progress_data);
}

static void
install_wait_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Install *install = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  int exit_code = -1;

  g_cancellable_disconnect (cancellable, install->cancel_id);
  install->cancel_id = 0;
  /* An install killed by cancelling may still exit cleanly: report the cancellation. */
  if (!cc_remote_process_wait_finish (CC_REMOTE_PROCESS (source), result, &exit_code, &error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, exit_code);
}

static void
install_cancelled_cb (GCancellable    *cancellable,
                      CcRemoteProcess *process)
{
  cc_remote_process_kill_async (process, NULL, NULL, NULL);
}

static void
install_started_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Install *install = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  install->process = cc_envd_start_process_finish (CC_ENVD (source), result, &error);
  if (install->process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  install->stdout_id = g_signal_connect (install->process, "stdout", G_CALLBACK (install_output_cb), install);
  install->stderr_id = g_signal_connect (install->process, "stderr", G_CALLBACK (install_output_cb), install);
  if (cancellable != NULL)
    install->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (install_cancelled_cb),
                                                g_object_ref (install->process), g_object_unref);
  cc_remote_process_wait_async (install->process, NULL, install_wait_cb, g_steal_pointer (&task));
}

static void
install_run_command (GTask *task)
{
  Install *install = g_task_get_task_data (task);
  g_autoptr(CcProcessSpec) spec = NULL;

  if (install->command == NULL || *install->command == '\0')
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  if (install->progress != NULL)
    {
      g_autofree char *line = g_strdup_printf ("$ %s\n", install->command);
      g_autoptr(GBytes) bytes = g_bytes_new (line, strlen (line));

      install->progress (CC_SETUP_PHASE_INSTALL, 0, 0, bytes, install->progress_data);
    }
  spec = cc_process_spec_new_command (install->command);
  spec->timeout_ms = 0;     /* installs take as long as they take */
  cc_envd_start_process_async (install->envd, spec, g_task_get_cancellable (task),
                               install_started_cb, task);
}

static void
install_progress_cb (goffset  done,
                     goffset  total,
                     gpointer user_data)
{
  Install *install = user_data;

  if (install->progress != NULL)
    install->progress (CC_SETUP_PHASE_UPLOAD, done, total < 0 ? 0 : total, NULL, install->progress_data);
}

static void
install_uploaded_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;

  entries = cc_envd_upload_files_finish (CC_ENVD (source), result, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  install_run_command (task);
}

void
_cc_client_install_async (CcClient            *self,
                          CcEnvd              *envd,
                          CcProject           *project,
                          GPtrArray           *files,
                          CcSetupProgressFunc  progress,
                          gpointer             progress_data,
                          CcOutputCapture     *output,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Install *install = g_new0 (Install, 1);
  g_autoptr(GPtrArray) uploads = NULL;

  install->envd = g_object_ref (envd);
  install->files = g_ptr_array_ref (files);
  install->command = g_strdup (_cc_client_setup_command_for (project, files));
  install->progress = progress;
  install->progress_data = progress_data;
  install->output = output;
  g_task_set_source_tag (task, _cc_client_install_async);
  g_task_set_task_data (task, install, (GDestroyNotify) install_free);

  if (files->len == 0)
    {
      install_run_command (task);
      return;
    }
  uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  for (guint i = 0; i < files->len; i++)
    {
      CcProjectFile *file = g_ptr_array_index (files, i);

      g_ptr_array_add (uploads, cc_upload_file_new_bytes (file->path, file->content));
    }
  cc_envd_upload_files_async (envd, uploads, install_progress_cb, install, NULL, cancellable,
                              install_uploaded_cb, task);
}

gboolean
_cc_client_install_finish (CcClient      *self,
                           GAsyncResult  *result,
                           int           *exit_code,
                           GError       **error)
{
  GError *local_error = NULL;
  gssize value = g_task_propagate_int (G_TASK (result), &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (exit_code != NULL)
    *exit_code = (int) value;
  return TRUE;
}

/* ---- setup_project ----------------------------------------------------------------------- */

typedef struct
{
  char                *project_id;
  CcProject           *project;
  GPtrArray           *files;
  CcSetupProgressFunc  progress;
  gpointer             progress_data;
  GDestroyNotify       progress_destroy;
  CcOperation         *record;
  CcOutputCapture     *output;
  gint64               started;
  gboolean             retried;
} Setup;

static void
setup_free (Setup *setup)
{
  if (setup->progress_destroy != NULL)
    setup->progress_destroy (setup->progress_data);
  g_free (setup->project_id);
  g_clear_object (&setup->project);
  g_clear_pointer (&setup->files, g_ptr_array_unref);
  g_clear_object (&setup->record);
  g_clear_pointer (&setup->output, cc_output_capture_free);
  g_free (setup);
}

static void
setup_return (GTask        *task,
              const GError *error,
              int           exit_code)
{
  CcClient *self = g_task_get_source_object (task);
  Setup *setup = g_task_get_task_data (task);

  if (setup->record != NULL)
    {
      g_autofree char *text = cc_output_capture_dup_text (setup->output);

      cc_operation_set_stdout (setup->record, text);
      cc_operation_set_stdout_truncated (setup->record, cc_output_capture_get_truncated (setup->output));
      cc_operation_set_exit_code (setup->record, exit_code);
      _cc_record_complete (self, setup->record, error, setup->started);
    }
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void setup_run (GTask *task);

static void
setup_installed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  Setup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int exit_code = -1;

  if (!_cc_client_install_finish (self, result, &exit_code, &error))
    {
      if (_cc_client_retry_on_new_sandbox (self, setup->project_id, error,
                                           g_task_get_cancellable (task), &setup->retried))
        {
          setup_run (g_steal_pointer (&task));
          return;
        }
      setup_return (task, error, -1);
      return;
    }
  /* The files are in the sandbox: keep the same set locally for a re-created one. */
  _cc_client_save_snapshot (self, setup->project_id, setup->files, TRUE);
  if (exit_code != 0)
    {
      error = g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_FAILED,
                           _("The install step “%s” failed with exit status %d. Its output is in "
                             "the history; fix the project and run the setup again."),
                           _cc_client_setup_command_for (setup->project, setup->files), exit_code);
      setup_return (task, error, exit_code);
      return;
    }
  setup_return (task, NULL, 0);
}

static void
setup_ensure_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  Setup *setup = g_task_get_task_data (task);
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;

  envd = _cc_client_ensure_sandbox_finish (self, result, &error);
  if (envd == NULL)
    {
      setup_return (task, error, -1);
      return;
    }
  _cc_client_install_async (self, envd, setup->project, setup->files, setup->progress,
                            setup->progress_data, setup->output, g_task_get_cancellable (task),
                            setup_installed_cb, g_object_ref (task));
}

static void
setup_run (GTask *task)
{
  Setup *setup = g_task_get_task_data (task);

  if (setup->progress != NULL)
    setup->progress (CC_SETUP_PHASE_SANDBOX, 0, 0, NULL, setup->progress_data);
  _cc_client_ensure_sandbox_async (g_task_get_source_object (task), setup->project_id,
                                   g_task_get_cancellable (task), setup_ensure_cb, task);
}

static void
setup_record_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Setup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  setup->record = _cc_record_begin_finish (CC_CLIENT (source), result, &error);
  if (setup->record == NULL)
    {
      setup_return (task, error, -1);
      return;
    }
  setup->started = g_get_monotonic_time ();
  setup_run (g_steal_pointer (&task));
}

static void
setup_begin (GTask *task)
{
  CcClient *self = g_task_get_source_object (task);
  Setup *setup = g_task_get_task_data (task);
  const char *command = _cc_client_setup_command_for (setup->project, setup->files);
  g_autofree char *input = NULL;
  guint64 total = 0;

  for (guint i = 0; i < setup->files->len; i++)
    total += g_bytes_get_size (((CcProjectFile *) g_ptr_array_index (setup->files, i))->content);
  input = g_strdup_printf (_("%u files, %llu bytes; install: %s"),
                           setup->files->len, (unsigned long long) total,
                           command ? command : _("none"));
  _cc_record_begin_async (self, setup->project_id, CC_OPERATION_TYPE_SETUP, input, setup_record_cb, task);
}

static void
setup_files_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Setup *setup = g_task_get_task_data (task);
  GError *error = NULL;

  setup->files = _cc_client_dup_project_files_finish (CC_CLIENT (source), result, &error);
  if (setup->files == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  setup_begin (task);
}

static void
setup_project_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  CcClient *self = CC_CLIENT (source);
  Setup *setup = g_task_get_task_data (task);
  GError *error = NULL;

  setup->project = _cc_client_get_project_finish (self, result, &error);
  if (setup->project == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_free (setup->project_id);
  setup->project_id = g_strdup (cc_project_get_id (setup->project));
  if (setup->files == NULL)
    {
      _cc_client_dup_project_files_async (self, setup->project, g_task_get_cancellable (task),
                                          setup_files_cb, task);
      return;
    }
  setup_begin (task);
}

void
cc_client_setup_project_async (CcClient            *self,
                               const char          *project_id,
                               GPtrArray           *files,
                               CcSetupProgressFunc  progress,
                               gpointer             progress_data,
                               GDestroyNotify       progress_destroy,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  Setup *setup;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (project_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_client_setup_project_async);
  setup = g_new0 (Setup, 1);
  setup->project_id = g_strdup (project_id);
  setup->files = files ? g_ptr_array_ref (files) : NULL;
  setup->progress = progress;
  setup->progress_data = progress_data;
  setup->progress_destroy = progress_destroy;
  setup->output = cc_output_capture_new (cc_store_get_max_output (self->store));
  g_task_set_task_data (task, setup, (GDestroyNotify) setup_free);
  _cc_client_get_project_async (self, project_id, cancellable, setup_project_cb, task);
}

gboolean
cc_client_setup_project_finish (CcClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
