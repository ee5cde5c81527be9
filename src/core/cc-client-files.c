/* cc-client-files.c: the sandbox's files — write, read, list, make dir, move, remove, watch,
 * download and upload
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each call is one recorded operation: record (pending) → ensure the sandbox → one daemon call →
 * record success/error. A call that finds the sandbox gone runs once more on a re-created one
 * (file calls are idempotent; a write writes the same bytes again).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-client-cache-private.h"
#include "cc-client-private.h"
#include "cc-client-sandbox-private.h"
#include "cc-records-private.h"

typedef struct
{
  CcOperationType  type;
  char            *project_id;
  CcProject       *project;           /* once loaded */
  char            *path;
  char            *path2;
  guint            depth;
  GBytes          *content;
  GFile           *local;
  GPtrArray       *uploads;           /* CcUploadFile */
  GOutputStream   *output;
  CcUploadProgressFunc progress;
  gpointer         progress_data;
  CcOperation     *record;
  gint64           started;
  gboolean         retried;
  CcEnvd          *envd;              /* the daemon client of the last attempt */
  GError          *pending_error;
} FileOp;

static void
file_op_free (FileOp *op)
{
  g_free (op->project_id);
  g_clear_object (&op->project);
  g_free (op->path);
  g_free (op->path2);
  g_clear_pointer (&op->content, g_bytes_unref);
  g_clear_object (&op->local);
  g_clear_pointer (&op->uploads, g_ptr_array_unref);
  g_clear_object (&op->output);
  g_clear_object (&op->record);
  g_clear_object (&op->envd);
  g_clear_error (&op->pending_error);
  g_free (op);
}

static void file_op_run (GTask *task);

static void
file_op_return (GTask        *task,
                const GError *error,
                gpointer      result,
                GDestroyNotify result_free,
                const char   *summary)
{
  CcClient *self = g_task_get_source_object (task);
  FileOp *op = g_task_get_task_data (task);

  if (op->record != NULL)
    {
      if (summary != NULL)
        cc_operation_set_stdout (op->record, summary);
      _cc_record_complete (self, op->record, error, op->started);
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      if (result_free != NULL && result != NULL)
        result_free (result);
    }
  else if (result_free != NULL)
    g_task_return_pointer (task, result, result_free);
  else
    g_task_return_boolean (task, TRUE);
}

/* TRUE when the op is being retried on a re-created sandbox. */
static void
file_op_moved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = g_steal_pointer (&op->pending_error);

  if (_cc_client_check_engine_moved_finish (CC_CLIENT (source), result))
    file_op_run (task);
  else
    file_op_return (task, error, NULL, NULL, NULL);
}

/* TRUE when the op is being retried: on a re-created sandbox, or on a restarted engine. */
static gboolean
file_op_retry_if_gone (GTask        *task,
                       const GError *error)
{
  CcClient *self = g_task_get_source_object (task);
  FileOp *op = g_task_get_task_data (task);

  if (_cc_client_retry_on_new_sandbox (self, op->project_id, error, g_task_get_cancellable (task),
                                       &op->retried))
    {
      file_op_run (task);
      return TRUE;
    }
  if (op->retried || g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;
  if ((g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK) ||
       g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE)) && op->envd != NULL)
    {
      op->retried = TRUE;
      op->pending_error = g_error_copy (error);
      _cc_client_check_engine_moved_async (self, op->project_id, op->envd, file_op_moved_cb,
                                           g_object_ref (task));
      return TRUE;
    }
  return FALSE;
}

static const char *
event_path_join (const char *dir,
                 const char *name,
                 char      **out)
{
  if (dir == NULL || *dir == '\0' || g_str_equal (dir, "."))
    *out = g_strdup (name);
  else
    *out = g_build_filename (dir, name, NULL);
  return *out;
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  GFileInfo *ia = *(GFileInfo * const *) a;
  GFileInfo *ib = *(GFileInfo * const *) b;
  gboolean da = g_file_info_get_file_type (ia) == G_FILE_TYPE_DIRECTORY;
  gboolean db = g_file_info_get_file_type (ib) == G_FILE_TYPE_DIRECTORY;

  if (da != db)
    return da ? -1 : 1;
  return g_utf8_collate (g_file_info_get_name (ia), g_file_info_get_name (ib));
}

static GFileInfo *
entry_to_file_info (const CcEntryInfo *entry)
{
  GFileInfo *info = g_file_info_new ();
  GFileType type;

  switch (entry->type)
    {
    case CC_FILE_TYPE_DIRECTORY:
      type = G_FILE_TYPE_DIRECTORY;
      break;
    case CC_FILE_TYPE_FILE:
      type = G_FILE_TYPE_REGULAR;
      break;
    case CC_FILE_TYPE_SYMLINK:
      type = G_FILE_TYPE_SYMBOLIC_LINK;
      break;
    case CC_FILE_TYPE_UNKNOWN:
    default:
      type = G_FILE_TYPE_UNKNOWN;
      break;
    }
  g_file_info_set_name (info, entry->name ? entry->name : "");
  g_file_info_set_display_name (info, entry->name ? entry->name : "");
  g_file_info_set_file_type (info, type);
  g_file_info_set_size (info, entry->size);
  g_file_info_set_is_symlink (info, entry->symlink_target != NULL);
  if (entry->symlink_target != NULL)
    g_file_info_set_symlink_target (info, entry->symlink_target);
  if (entry->modified_time > 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (entry->modified_time / G_USEC_PER_SEC);

      if (time != NULL)
        g_file_info_set_modification_date_time (info, time);
    }
  g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE, entry->mode);
  if (entry->owner != NULL)
    g_file_info_set_attribute_string (info, G_FILE_ATTRIBUTE_OWNER_USER, entry->owner);
  if (entry->group != NULL)
    g_file_info_set_attribute_string (info, G_FILE_ATTRIBUTE_OWNER_GROUP, entry->group);
  if (entry->path != NULL)
    g_file_info_set_attribute_string (info, "cc::path", entry->path);
  return info;
}

/* Directories first, then by name: what a file tree shows. */
static GListModel *
entries_to_model (GPtrArray *entries)
{
  GListStore *store = g_list_store_new (G_TYPE_FILE_INFO);
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (infos, entry_to_file_info (g_ptr_array_index (entries, i)));
  g_ptr_array_sort (infos, compare_infos);
  g_list_store_splice (store, 0, 0, infos->pdata, infos->len);
  return G_LIST_MODEL (store);
}

/* ---- one daemon call per op -------------------------------------------------------------- */

static void
upload_progress_cb (goffset  done,
                    goffset  total,
                    gpointer user_data)
{
  FileOp *op = user_data;

  if (op->progress != NULL)
    op->progress (done, total < 0 ? 0 : total, op->progress_data);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  entries = cc_envd_upload_files_finish (CC_ENVD (source), result, &error);
  if (entries == NULL)
    {
      if (!file_op_retry_if_gone (task, error))
        file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  if (op->type == CC_OPERATION_TYPE_FILE_WRITE && op->content != NULL)
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);

      /* The workspace keeps the file, so a re-created sandbox gets it too (within the limits
       * a project folder has); a mounted workspace has it already. */
      if (g_bytes_get_size (op->content) <= CC_FOLDER_MAX_FILE_SIZE && op->project != NULL)
        {
          g_ptr_array_add (files, cc_project_file_new (op->path, op->content));
          _cc_client_save_snapshot (self, op->project, files);
        }
      summary = g_strdup_printf (_("%zu bytes written"), g_bytes_get_size (op->content));
    }
  else
    summary = g_strdup_printf (_("%u files uploaded"), entries->len);
  file_op_return (task, NULL, NULL, NULL, summary);
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  GBytes *bytes;

  bytes = cc_envd_read_file_finish (CC_ENVD (source), result, &error);
  if (bytes == NULL)
    {
      if (!file_op_retry_if_gone (task, error))
        file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  summary = g_strdup_printf (_("%zu bytes read"), g_bytes_get_size (bytes));
  file_op_return (task, NULL, bytes, (GDestroyNotify) g_bytes_unref, summary);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  entries = cc_envd_list_dir_finish (CC_ENVD (source), result, &error);
  if (entries == NULL)
    {
      if (!file_op_retry_if_gone (task, error))
        file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  summary = g_strdup_printf (_("%u entries"), entries->len);
  file_op_return (task, NULL, entries_to_model (entries), g_object_unref, summary);
}

static void
entry_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(CcEntryInfo) entry = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  switch (op->type)
    {
    case CC_OPERATION_TYPE_MAKE_DIR:
      entry = cc_envd_make_dir_finish (CC_ENVD (source), result, &error);
      ok = entry != NULL || g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ALREADY_EXISTS);
      if (ok)
        g_clear_error (&error);
      break;
    case CC_OPERATION_TYPE_FILE_MOVE:
      entry = cc_envd_move_finish (CC_ENVD (source), result, &error);
      ok = entry != NULL;
      break;
    case CC_OPERATION_TYPE_FILE_REMOVE:
      ok = cc_envd_remove_finish (CC_ENVD (source), result, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    {
      if (!file_op_retry_if_gone (task, error))
        file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  file_op_return (task, NULL, NULL, NULL, NULL);
}

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  gssize n;

  n = cc_envd_download_finish (CC_ENVD (source), result, &error);
  if (n < 0)
    {
      /* Leave no half-written file behind. */
      g_output_stream_close (op->output, NULL, NULL);
      g_file_delete_async (op->local, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      if (!file_op_retry_if_gone (task, error))
        file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  /* Closing a local file stream is quick and makes the file complete before we answer. */
  if (!g_output_stream_close (op->output, NULL, &error))
    {
      file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zd byte downloaded",
                                          "%zd bytes downloaded", n), n);
  file_op_return (task, NULL, NULL, NULL, summary);
}

static void
download_opened_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileOp *op = g_task_get_task_data (task);
  CcEnvd *envd = g_object_get_data (G_OBJECT (task), "cc-envd");
  g_autoptr(GError) error = NULL;
  GFileOutputStream *stream;

  stream = g_file_replace_finish (G_FILE (source), result, &error);
  if (stream == NULL)
    {
      file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  g_clear_object (&op->output);
  op->output = G_OUTPUT_STREAM (stream);
  cc_envd_download_async (envd, op->path, op->output, NULL, NULL, NULL,
                          g_task_get_cancellable (task), download_done_cb, g_object_ref (task));
}

static void
file_op_ensure_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FileOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  g_set_object (&op->envd, envd);

  switch (op->type)
    {
    case CC_OPERATION_TYPE_FILE_WRITE:
      if (op->uploads != NULL)
        cc_envd_upload_files_async (envd, op->uploads, op->progress ? upload_progress_cb : NULL,
                                    op, NULL, cancellable, write_done_cb, g_steal_pointer (&task));
      else
        {
          g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);

          g_ptr_array_add (uploads, cc_upload_file_new_bytes (op->path, op->content));
          cc_envd_upload_files_async (envd, uploads, NULL, NULL, NULL, cancellable, write_done_cb,
                                      g_steal_pointer (&task));
        }
      break;
    case CC_OPERATION_TYPE_FILE_READ:
      if (op->local != NULL)
        {
          g_object_set_data_full (G_OBJECT (task), "cc-envd", g_object_ref (envd), g_object_unref);
          g_file_replace_async (op->local, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                G_PRIORITY_DEFAULT, cancellable, download_opened_cb,
                                g_steal_pointer (&task));
        }
      else
        cc_envd_read_file_async (envd, op->path, cancellable, read_done_cb, g_steal_pointer (&task));
      break;
    case CC_OPERATION_TYPE_FILE_LIST:
      cc_envd_list_dir_async (envd, op->path, MAX (op->depth, 1), cancellable, list_done_cb,
                              g_steal_pointer (&task));
      break;
    case CC_OPERATION_TYPE_MAKE_DIR:
      cc_envd_make_dir_async (envd, op->path, cancellable, entry_done_cb, g_steal_pointer (&task));
      break;
    case CC_OPERATION_TYPE_FILE_MOVE:
      cc_envd_move_async (envd, op->path, op->path2, cancellable, entry_done_cb, g_steal_pointer (&task));
      break;
    case CC_OPERATION_TYPE_FILE_REMOVE:
      cc_envd_remove_async (envd, op->path, cancellable, entry_done_cb, g_steal_pointer (&task));
      break;
    case CC_OPERATION_TYPE_COMMAND:
    case CC_OPERATION_TYPE_SETUP:
    case CC_OPERATION_TYPE_DEV_SERVER:
    case CC_OPERATION_TYPE_SANDBOX:
    default:
      g_assert_not_reached ();
    }
}

static void
file_op_run (GTask *task)
{
  FileOp *op = g_task_get_task_data (task);

  _cc_client_ensure_sandbox_async (g_task_get_source_object (task), op->project_id,
                                   g_task_get_cancellable (task), file_op_ensure_cb,
                                   g_object_ref (task));
}

static void
file_op_record_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->record = _cc_record_begin_finish (self, result, &error);
  if (op->record == NULL)
    {
      file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  op->started = g_get_monotonic_time ();
  file_op_run (task);
}

static void
file_op_project_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = CC_CLIENT (source);
  FileOp *op = g_task_get_task_data (task);
  g_autoptr(CcProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;

  project = _cc_client_get_project_finish (self, result, &error);
  if (project == NULL)
    {
      file_op_return (task, error, NULL, NULL, NULL);
      return;
    }
  g_free (op->project_id);
  op->project_id = g_strdup (cc_project_get_id (project));
  g_set_object (&op->project, project);
  input = op->path2 ? g_strdup_printf ("%s → %s", op->path, op->path2) : g_strdup (op->path);
  _cc_record_begin_async (self, op->project_id, op->type, input, file_op_record_cb,
                          g_steal_pointer (&task));
}

static GTask *
file_op_new (CcClient            *self,
             CcOperationType      type,
             const char          *project_id,
             const char          *path,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  FileOp *op = g_new0 (FileOp, 1);

  op->type = type;
  op->project_id = g_strdup (project_id);
  op->path = g_strdup (path ? path : "");
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) file_op_free);
  return task;
}

/* Takes over @task. Only a listing or an upload may name no path (the sandbox's home); a move
 * needs both ends. */
static void
file_op_start (CcClient *self,
               GTask    *task,
               gboolean  needs_path)
{
  FileOp *op = g_task_get_task_data (task);

  if (needs_path && (*op->path == '\0' || (op->type == CC_OPERATION_TYPE_FILE_MOVE &&
                                           (op->path2 == NULL || *op->path2 == '\0'))))
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("No path was given. Name a file in the sandbox."));
      g_object_unref (task);
      return;
    }
  _cc_client_get_project_async (self, op->project_id, g_task_get_cancellable (task),
                                file_op_project_cb, task);
}

void
cc_client_write_file_async (CcClient            *self,
                            const char          *project_id,
                            const char          *path,
                            GBytes              *content,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (content != NULL);

  task = file_op_new (self, CC_OPERATION_TYPE_FILE_WRITE, project_id, path,
                      cc_client_write_file_async, cancellable, callback, user_data);
  ((FileOp *) g_task_get_task_data (task))->content = g_bytes_ref (content);
  file_op_start (self, task, TRUE);
}

gboolean
cc_client_write_file_finish (CcClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_read_file_async (CcClient            *self,
                           const char          *project_id,
                           const char          *path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));

  file_op_start (self,
                 file_op_new (self, CC_OPERATION_TYPE_FILE_READ, project_id, path,
                              cc_client_read_file_async, cancellable, callback, user_data),
                 TRUE);
}

GBytes *
cc_client_read_file_finish (CcClient      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_client_list_dir_async (CcClient            *self,
                          const char          *project_id,
                          const char          *path,
                          guint                depth,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = file_op_new (self, CC_OPERATION_TYPE_FILE_LIST, project_id, path ? path : "",
                      cc_client_list_dir_async, cancellable, callback, user_data);
  ((FileOp *) g_task_get_task_data (task))->depth = depth;
  file_op_start (self, task, FALSE);
}

GListModel *
cc_client_list_dir_finish (CcClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_client_make_dir_async (CcClient            *self,
                          const char          *project_id,
                          const char          *path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));

  file_op_start (self,
                 file_op_new (self, CC_OPERATION_TYPE_MAKE_DIR, project_id, path,
                              cc_client_make_dir_async, cancellable, callback, user_data),
                 TRUE);
}

gboolean
cc_client_make_dir_finish (CcClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_move_async (CcClient            *self,
                      const char          *project_id,
                      const char          *source,
                      const char          *destination,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = file_op_new (self, CC_OPERATION_TYPE_FILE_MOVE, project_id, source,
                      cc_client_move_async, cancellable, callback, user_data);
  ((FileOp *) g_task_get_task_data (task))->path2 = g_strdup (destination);
  file_op_start (self, task, TRUE);
}

gboolean
cc_client_move_finish (CcClient      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_remove_async (CcClient            *self,
                        const char          *project_id,
                        const char          *path,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (CC_IS_CLIENT (self));

  file_op_start (self,
                 file_op_new (self, CC_OPERATION_TYPE_FILE_REMOVE, project_id, path,
                              cc_client_remove_async, cancellable, callback, user_data),
                 TRUE);
}

gboolean
cc_client_remove_finish (CcClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_client_download_async (CcClient            *self,
                          const char          *project_id,
                          const char          *path,
                          GFile               *destination,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (G_IS_FILE (destination));

  task = file_op_new (self, CC_OPERATION_TYPE_FILE_READ, project_id, path,
                      cc_client_download_async, cancellable, callback, user_data);
  ((FileOp *) g_task_get_task_data (task))->local = g_object_ref (destination);
  file_op_start (self, task, TRUE);
}

gboolean
cc_client_download_finish (CcClient      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Upload: open the local files in a thread (their sizes too), then one multipart request. */

typedef struct
{
  GPtrArray *files;      /* GFile */
  char      *directory;
} UploadOpen;

static void
upload_open_free (UploadOpen *job)
{
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_free (job->directory);
  g_free (job);
}

static void
upload_open_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  UploadOpen *job = task_data;
  g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);

  for (guint i = 0; i < job->files->len; i++)
    {
      GFile *file = g_ptr_array_index (job->files, i);
      g_autoptr(GFileInfo) info = NULL;
      g_autoptr(GFileInputStream) stream = NULL;
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *path = NULL;
      GError *error = NULL;

      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                                cancellable, &error);
      if (info != NULL)
        stream = g_file_read (file, cancellable, &error);
      if (stream == NULL)
        {
          g_prefix_error (&error, _("Could not open “%s” for upload: "), name);
          g_task_return_error (task, error);
          return;
        }
      if (job->directory != NULL && *job->directory != '\0')
        path = g_build_filename (job->directory, name, NULL);
      else
        path = g_strdup (name);
      g_ptr_array_add (uploads, cc_upload_file_new_stream (path, G_INPUT_STREAM (stream),
                                                           g_file_info_get_size (info)));
    }
  g_task_return_pointer (task, g_steal_pointer (&uploads), (GDestroyNotify) g_ptr_array_unref);
}

#define UPLOAD_NAMES_RECORDED 10

static void
upload_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CcClient *self = g_task_get_source_object (task);
  FileOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  op->uploads = g_task_propagate_pointer (G_TASK (result), &error);
  if (op->uploads == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* History names what was written, not only where: the files' own paths (the first few). */
  if (op->uploads->len > 0)
    {
      GString *input = g_string_new (NULL);

      for (guint i = 0; i < op->uploads->len && i < UPLOAD_NAMES_RECORDED; i++)
        {
          const CcUploadFile *upload = g_ptr_array_index (op->uploads, i);

          g_string_append_printf (input, "%s%s", i > 0 ? ", " : "", upload->path);
        }
      if (op->uploads->len > UPLOAD_NAMES_RECORDED)
        g_string_append (input, ", …");
      g_free (op->path);
      op->path = g_string_free (input, FALSE);
    }
  file_op_start (self, g_steal_pointer (&task), FALSE);
}

void
cc_client_upload_async (CcClient             *self,
                        const char           *project_id,
                        GFile               **files,
                        guint                 n_files,
                        const char           *directory,
                        CcUploadProgressFunc  progress,
                        gpointer              progress_data,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  GTask *task;
  g_autoptr(GTask) open = NULL;
  UploadOpen *job;
  FileOp *op;

  g_return_if_fail (CC_IS_CLIENT (self));
  g_return_if_fail (files != NULL || n_files == 0);

  task = file_op_new (self, CC_OPERATION_TYPE_FILE_WRITE, project_id, directory ? directory : "",
                      cc_client_upload_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->progress = progress;
  op->progress_data = progress_data;
  if (n_files == 0)
    {
      g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT,
                               _("No files were chosen for upload."));
      g_object_unref (task);
      return;
    }
  job = g_new0 (UploadOpen, 1);
  job->files = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n_files; i++)
    g_ptr_array_add (job->files, g_object_ref (files[i]));
  job->directory = g_strdup (directory);
  open = g_task_new (self, cancellable, upload_opened_cb, task);
  g_task_set_task_data (open, job, (GDestroyNotify) upload_open_free);
  g_task_run_in_thread (open, upload_open_thread);
}

gboolean
cc_client_upload_finish (CcClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- watch ------------------------------------------------------------------------------- */

typedef struct
{
  GWeakRef  client;
  char     *project_id;
  char     *path;
} WatchData;

static void
watch_data_free (gpointer data)
{
  WatchData *watch = data;

  g_weak_ref_clear (&watch->client);
  g_free (watch->project_id);
  g_free (watch->path);
  g_free (watch);
}

static void
watch_event_cb (CcFsEventType      type,
                const char        *name,
                const CcEntryInfo *entry,
                gpointer           user_data)
{
  WatchData *watch = user_data;
  g_autoptr(CcClient) self = g_weak_ref_get (&watch->client);
  g_autofree char *path = NULL;
  GFileMonitorEvent event;

  if (self == NULL || type == CC_FS_EVENT_STARTED || name == NULL)
    return;
  switch (type)
    {
    case CC_FS_EVENT_CREATE:
      event = G_FILE_MONITOR_EVENT_CREATED;
      break;
    case CC_FS_EVENT_WRITE:
      event = G_FILE_MONITOR_EVENT_CHANGED;
      break;
    case CC_FS_EVENT_REMOVE:
      event = G_FILE_MONITOR_EVENT_DELETED;
      break;
    case CC_FS_EVENT_RENAME:
      event = G_FILE_MONITOR_EVENT_RENAMED;
      break;
    case CC_FS_EVENT_CHMOD:
      event = G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED;
      break;
    case CC_FS_EVENT_STARTED:
    default:
      return;
    }
  event_path_join (watch->path, name, &path);
  _cc_client_cache_files_changed (self, watch->project_id);
  g_signal_emit (self, _cc_client_signals[CLIENT_SIGNAL_FILE_CHANGED], 0, watch->project_id, path, event);
}

static void
watch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!cc_envd_watch_dir_finish (CC_ENVD (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("A directory watch ended: %s", error->message);
}

static void
watch_ensure_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WatchData *watch = g_task_get_task_data (task);
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;
  WatchData *copy;

  envd = _cc_client_ensure_sandbox_finish (CC_CLIENT (source), result, &error);
  if (envd == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot watch %s: %s", watch->path, error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }
  copy = g_new0 (WatchData, 1);
  g_weak_ref_init (&copy->client, source);
  copy->project_id = g_strdup (watch->project_id);
  copy->path = g_strdup (watch->path);
  cc_envd_watch_dir_async (envd, watch->path, g_object_get_data (G_OBJECT (task), "recursive") != NULL,
                           FALSE, 0, watch_event_cb, copy, watch_data_free,
                           g_task_get_cancellable (task), watch_done_cb, NULL);
  g_task_return_boolean (task, TRUE);
}

void
cc_client_watch_dir (CcClient     *self,
                     const char   *project_id,
                     const char   *path,
                     gboolean      recursive,
                     GCancellable *cancellable)
{
  g_autoptr(GTask) task = NULL;
  WatchData *watch;

  g_return_if_fail (CC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, NULL, NULL);
  g_task_set_source_tag (task, cc_client_watch_dir);
  watch = g_new0 (WatchData, 1);
  g_weak_ref_init (&watch->client, self);
  watch->project_id = g_strdup (project_id);
  watch->path = g_strdup (path ? path : "");
  g_task_set_task_data (task, watch, watch_data_free);
  if (recursive)
    g_object_set_data (G_OBJECT (task), "recursive", GINT_TO_POINTER (1));
  _cc_client_ensure_sandbox_async (self, project_id, cancellable, watch_ensure_cb,
                                   g_steal_pointer (&task));
}
