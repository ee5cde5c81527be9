/* cc-client-setup.c: setting a project up (upload + install), recorded
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

#include "cc-client-install-private.h"
#include "cc-client-private.h"
#include "cc-client-sandbox-private.h"
#include "cc-records-private.h"
#include "cc-workspace-private.h"

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
  gboolean             upload;          /* FALSE: the files are the mounted workspace's names */
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
  if (setup->upload)
    _cc_client_save_snapshot (self, setup->project, setup->files);
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
  _cc_client_install_async (self, envd, setup->project, setup->files, setup->upload,
                            setup->progress,
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
  input = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file, %llu bytes; install: %s",
                                        "%u files, %llu bytes; install: %s", setup->files->len),
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

  setup->files = cc_file_snapshot_dup_project_files_finish (CC_FILE_SNAPSHOT (source), result, &error);
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
      g_autofree char *mounted = _cc_workspace_dup_mount_path (self->store, setup->project);
      g_autoptr(CcFileSnapshot) snapshot = NULL;

      /* A mounted workspace with files is the sandbox's home already: only the install runs. */
      if (mounted != NULL && (setup->files = _cc_workspace_dup_top_names (mounted)) != NULL)
        {
          setup->upload = FALSE;
          setup_begin (task);
          return;
        }
      snapshot = _cc_client_dup_snapshot (self, setup->project);

      cc_file_snapshot_dup_project_files_async (snapshot, setup->project,
                                                g_task_get_cancellable (task), setup_files_cb, task);
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
  setup->upload = TRUE;
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
