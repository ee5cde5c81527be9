/* cc-workspace.c: where a project's files live on this machine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-template.h"
#include "cc-workspace-private.h"

static const char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

static char *
dup_projects_dir (CcStore *store)
{
  g_autoptr(GFile) parent = g_file_get_parent (cc_store_get_file (store));
  g_autofree char *parent_path = g_file_get_path (parent);

  return g_build_filename (parent_path, "projects", NULL);
}

char *
_cc_workspace_dup_path (CcStore   *store,
                        CcProject *project)
{
  g_autofree char *projects = NULL;

  if (nonempty (cc_project_get_local_folder (project)) != NULL)
    return g_strdup (cc_project_get_local_folder (project));
  projects = dup_projects_dir (store);
  return g_build_filename (projects, cc_project_get_id (project), NULL);
}

char *
_cc_workspace_prepare (CcStore   *store,
                       CcProject *project)
{
  const char *id = cc_project_get_id (project);
  g_autofree char *projects = NULL;
  g_autofree char *path = NULL;
  g_autofree char *marker_name = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *moving = NULL;
  g_autofree char *moving_files = NULL;
  g_autofree char *old_files = NULL;

  if (nonempty (cc_project_get_local_folder (project)) != NULL)
    return g_strdup (cc_project_get_local_folder (project));

  projects = dup_projects_dir (store);
  path = g_build_filename (projects, id, NULL);
  marker_name = g_strconcat (".", id, ".workspace", NULL);
  marker = g_build_filename (projects, marker_name, NULL);
  if (g_file_test (marker, G_FILE_TEST_EXISTS) && g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&path);

  {
    g_autofree char *moving_name = g_strconcat (".", id, ".migrating", NULL);

    moving = g_build_filename (projects, moving_name, NULL);
  }
  moving_files = g_build_filename (moving, "files", NULL);
  old_files = g_build_filename (path, "files", NULL);
  if (g_mkdir_with_parents (projects, 0700) != 0)
    {
      g_warning ("Could not make the folder %s: %s", projects, g_strerror (errno));
      return NULL;
    }
  /* The old layout kept the files in "projects/<id>/files": the project's folder moves aside,
   * its "files" takes its place. Each step is one rename, so any crash leaves a state the next
   * call finishes. */
  if (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      if (g_file_test (old_files, G_FILE_TEST_IS_DIR) && g_rename (path, moving) != 0)
        g_warning ("Could not move the files of project %s: %s", id, g_strerror (errno));
      if (!g_file_test (path, G_FILE_TEST_EXISTS) && g_file_test (moving_files, G_FILE_TEST_IS_DIR))
        {
          if (g_rename (moving_files, path) != 0)
            g_warning ("Could not move the files of project %s: %s", id, g_strerror (errno));
          else if (g_rmdir (moving) != 0)
            g_debug ("Left %s: %s", moving, g_strerror (errno));
        }
    }
  if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
    {
      g_warning ("Could not make the workspace %s: %s", path, g_strerror (errno));
      return NULL;
    }
  if (!g_file_set_contents (marker, "", 0, NULL))
    g_debug ("Could not write %s", marker);
  return g_steal_pointer (&path);
}

char *
_cc_workspace_dup_mount_path (CcStore   *store,
                              CcProject *project)
{
  g_autofree char *path = NULL;
  struct stat st;
  char *real;
  char *result;

  if (cc_project_get_connection_kind (project) != CC_CONNECTION_LOCAL)
    return NULL;
  path = _cc_workspace_prepare (store, project);
  if (path == NULL)
    return NULL;
  /* The engine refuses any symlink on the way, so it gets the real path. */
  real = realpath (path, NULL);
  if (real == NULL || stat (real, &st) != 0 || !S_ISDIR (st.st_mode) ||
      (geteuid () == 0 && st.st_uid == 0))
    {
      free (real);
      return NULL;
    }
  result = g_strdup (real);
  free (real);
  return result;
}

char *
_cc_workspace_dup_state_dir (CcStore   *store,
                             CcProject *project)
{
  g_autofree char *projects = dup_projects_dir (store);
  g_autofree char *name = g_strconcat (".", cc_project_get_id (project), ".mirror", NULL);

  return g_build_filename (projects, name, NULL);
}

gboolean
_cc_workspace_needs_install (const char *workspace)
{
  static const struct { const char *marker, *made; } pairs[] = {
    { "package.json", "node_modules" },
    { "requirements.txt", ".local" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *marker = g_build_filename (workspace, pairs[i].marker, NULL);
      g_autofree char *made = g_build_filename (workspace, pairs[i].made, NULL);

      if (g_file_test (marker, G_FILE_TEST_EXISTS) && !g_file_test (made, G_FILE_TEST_IS_DIR))
        return TRUE;
    }
  return FALSE;
}

GPtrArray *
_cc_workspace_dup_top_names (const char *workspace)
{
  g_autoptr(GDir) dir = g_dir_open (workspace, 0, NULL);
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (dir == NULL)
    return NULL;
  names = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, cc_project_file_new_take (name, NULL, 0));
  if (names->len == 0)
    return NULL;
  return g_steal_pointer (&names);
}

void
_cc_workspace_remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        _cc_workspace_remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

static void
remove_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  char **paths = task_data;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);

      _cc_workspace_remove_tree (file);
    }
  g_task_return_boolean (task, TRUE);
}

void
_cc_workspace_remove_async (CcStore             *store,
                            CcProject           *project,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autofree char *projects = dup_projects_dir (store);
  g_autofree char *marker_name = g_strconcat (".", cc_project_get_id (project), ".workspace", NULL);
  GStrv paths;

  g_task_set_source_tag (task, _cc_workspace_remove_async);
  paths = g_new0 (char *, 4);
  paths[0] = _cc_workspace_dup_state_dir (store, project);
  /* Never the person's own folder. */
  if (nonempty (cc_project_get_local_folder (project)) == NULL)
    {
      paths[1] = g_build_filename (projects, cc_project_get_id (project), NULL);
      paths[2] = g_build_filename (projects, marker_name, NULL);
    }
  g_task_set_task_data (task, paths, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, remove_thread);
}
