/* cc-client-install.c: putting a project's files and setup into one sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file goes in ONE multipart request (byte progress from the request body), then the
 * install step runs without deadline (npm install can take minutes) with its output streamed
 * to the caller. Setup uses it, and so does re-creating a lost sandbox; neither records here.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-install-private.h"
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
  /* Without a terminal npm says nothing until it is done, and keeps its scripts' output to
   * itself: ask it to print each fetch, and the scripts' lines, as they happen. */
  if (spec->envs == NULL)
    spec->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (spec->envs, g_strdup ("npm_config_loglevel"), g_strdup ("http"));
  g_hash_table_replace (spec->envs, g_strdup ("npm_config_foreground_scripts"), g_strdup ("true"));
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
                          gboolean             upload,
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

  if (files->len == 0 || !upload)
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
