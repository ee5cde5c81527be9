/* cc-file-snapshot.c: the local copy of a project's files
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-file-snapshot.h"
#include "cc-template.h"
#include "cc-workspace-private.h"

struct _CcFileSnapshot
{
  GObject  parent_instance;

  GFile   *directory;
};

G_DEFINE_FINAL_TYPE (CcFileSnapshot, cc_file_snapshot, G_TYPE_OBJECT)

static void
cc_file_snapshot_finalize (GObject *object)
{
  CcFileSnapshot *self = CC_FILE_SNAPSHOT (object);

  g_clear_object (&self->directory);
  G_OBJECT_CLASS (cc_file_snapshot_parent_class)->finalize (object);
}

static void
cc_file_snapshot_class_init (CcFileSnapshotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_file_snapshot_finalize;
}

static void
cc_file_snapshot_init (CcFileSnapshot *self)
{
}

CcFileSnapshot *
cc_file_snapshot_new (GFile *directory)
{
  CcFileSnapshot *self;

  g_return_val_if_fail (G_IS_FILE (directory), NULL);

  self = g_object_new (CC_TYPE_FILE_SNAPSHOT, NULL);
  self->directory = g_object_ref (directory);
  return self;
}

GFile *
cc_file_snapshot_get_directory (CcFileSnapshot *self)
{
  g_return_val_if_fail (CC_IS_FILE_SNAPSHOT (self), NULL);
  return self->directory;
}

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* The part of a sandbox path under the home, or NULL for paths elsewhere or escaping. */
static char *
snapshot_relative_path (const char *path)
{
  g_autofree char *clean = NULL;

  if (g_str_has_prefix (path, "/home/user/"))
    path += strlen ("/home/user/");
  else if (g_str_has_prefix (path, "~/"))
    path += 2;
  else if (path[0] == '/')
    return NULL;
  clean = g_canonicalize_filename (path, "/");
  if (!g_str_has_prefix (clean, "/") || g_str_equal (clean, "/"))
    return NULL;
  return g_strdup (clean + 1);
}

typedef struct
{
  GFile     *dir;
  GPtrArray *files;
} SnapshotJob;

static void
snapshot_job_free (SnapshotJob *job)
{
  g_clear_object (&job->dir);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_free (job);
}

static void
remove_snapshot_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  _cc_workspace_remove_tree (task_data);
  g_task_return_boolean (task, TRUE);
}

void
cc_file_snapshot_remove_async (CcFileSnapshot      *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CC_IS_FILE_SNAPSHOT (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, cc_file_snapshot_remove_async);
  g_task_set_task_data (task, g_object_ref (self->directory), g_object_unref);
  g_task_run_in_thread (task, remove_snapshot_thread);
}

gboolean
cc_file_snapshot_remove_finish (CcFileSnapshot  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
snapshot_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  SnapshotJob *job = task_data;

  /* The directory is the project's workspace, the person's files: nothing is ever emptied. */
  for (guint i = 0; i < job->files->len; i++)
    {
      CcProjectFile *file = g_ptr_array_index (job->files, i);
      g_autofree char *relative = snapshot_relative_path (file->path);
      g_autoptr(GFile) target = NULL;
      g_autoptr(GFile) parent = NULL;
      g_autoptr(GError) error = NULL;
      gsize size = 0;
      const void *data;

      if (relative == NULL)
        continue;
      target = g_file_resolve_relative_path (job->dir, relative);
      parent = g_file_get_parent (target);
      g_file_make_directory_with_parents (parent, NULL, NULL);
      data = g_bytes_get_data (file->content, &size);
      /* A file already as it should be keeps its time and inode: editors and watchers of the
       * workspace see no change that is none. */
      {
        g_autofree char *old = NULL;
        gsize old_size = 0;

        if (g_file_load_contents (target, NULL, &old, &old_size, NULL, NULL) && old_size == size &&
            (size == 0 || memcmp (old, data, size) == 0))
          continue;
      }
      if (!g_file_replace_contents (target, data ? data : "", size, NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, NULL, &error))
        g_warning ("Could not keep a local copy of “%s”: %s", relative, error->message);
    }
  g_task_return_boolean (task, TRUE);
}

void
cc_file_snapshot_save_async (CcFileSnapshot      *self,
                             GPtrArray           *files,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SnapshotJob *job;

  g_return_if_fail (CC_IS_FILE_SNAPSHOT (self));
  g_return_if_fail (files != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  job = g_new0 (SnapshotJob, 1);
  job->dir = g_object_ref (self->directory);
  job->files = g_ptr_array_ref (files);
  g_task_set_source_tag (task, cc_file_snapshot_save_async);
  g_task_set_task_data (task, job, (GDestroyNotify) snapshot_job_free);
  g_task_run_in_thread (task, snapshot_thread);
}

gboolean
cc_file_snapshot_save_finish (CcFileSnapshot  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  GFile *snapshot;
  char  *folder;
  GFile *folder_file;
  char  *template_id;
  guint  port;
} FilesJob;

static void
files_job_free (FilesJob *job)
{
  g_clear_object (&job->snapshot);
  g_free (job->folder);
  g_clear_object (&job->folder_file);
  g_free (job->template_id);
  g_free (job);
}

static gboolean
has_children (GFile        *dir,
              GCancellable *cancellable)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info = NULL;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable, NULL);
  return children != NULL && g_file_enumerator_iterate (children, &info, NULL, cancellable, NULL) &&
         info != NULL;
}

/* The workspace when it has files (what the sandbox last had), else the folder, else the
 * template. */
static void
project_files_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  FilesJob *job = task_data;
  const CcTemplate *template;
  GError *error = NULL;
  GPtrArray *files = NULL;

  if (has_children (job->snapshot, cancellable))
    files = cc_template_read_folder (job->snapshot, cancellable, &error);
  else if (job->folder != NULL && !g_file_equal (job->snapshot, job->folder_file))
    files = cc_template_read_folder (job->folder_file, cancellable, &error);
  else if ((template = cc_template_lookup (job->template_id)) != NULL)
    files = cc_template_dup_files (template, job->port);
  else
    files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);

  if (files == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

void
cc_file_snapshot_dup_project_files_async (CcFileSnapshot      *self,
                                          CcProject           *project,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FilesJob *job;

  g_return_if_fail (CC_IS_FILE_SNAPSHOT (self));
  g_return_if_fail (CC_IS_PROJECT (project));

  task = g_task_new (self, cancellable, callback, user_data);
  job = g_new0 (FilesJob, 1);
  job->snapshot = g_object_ref (self->directory);
  job->folder = g_strdup (nonempty (cc_project_get_local_folder (project)));
  if (job->folder != NULL)
    job->folder_file = g_file_new_for_path (job->folder);
  job->template_id = g_strdup (nonempty (cc_project_get_template (project)));
  job->port = cc_project_get_port (project);
  g_task_set_source_tag (task, cc_file_snapshot_dup_project_files_async);
  g_task_set_task_data (task, job, (GDestroyNotify) files_job_free);
  g_task_run_in_thread (task, project_files_thread);
}

GPtrArray *
cc_file_snapshot_dup_project_files_finish (CcFileSnapshot  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
