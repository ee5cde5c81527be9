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

#include "cc-workspace-private.h"

static char *
dup_project_dir (CcStore   *store,
                 CcProject *project)
{
  g_autoptr(GFile) parent = g_file_get_parent (cc_store_get_file (store));
  g_autofree char *parent_path = g_file_get_path (parent);

  return g_build_filename (parent_path, "projects", cc_project_get_id (project), NULL);
}

char *
_cc_workspace_dup_path (CcStore   *store,
                        CcProject *project)
{
  const char *folder = cc_project_get_local_folder (project);
  g_autofree char *dir = NULL;

  if (folder != NULL && *folder != '\0')
    return g_strdup (folder);
  dir = dup_project_dir (store, project);
  return g_build_filename (dir, "workspace", NULL);
}

char *
_cc_workspace_dup_mount_path (CcStore   *store,
                              CcProject *project)
{
  g_autofree char *path = NULL;
  const char *folder = cc_project_get_local_folder (project);
  struct stat st;
  char *real;

  if (cc_project_get_connection_kind (project) != CC_CONNECTION_LOCAL)
    return NULL;
  path = _cc_workspace_dup_path (store, project);
  if ((folder == NULL || *folder == '\0') && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *dir = dup_project_dir (store, project);
      g_autofree char *snapshot = g_build_filename (dir, "files", NULL);

      /* A project from before workspaces: its files were kept in the snapshot. Moving them
       * (one rename) keeps every byte and copies nothing. */
      if (g_mkdir_with_parents (dir, 0700) != 0 ||
          (g_rename (snapshot, path) != 0 && g_mkdir (path, 0755) != 0 && errno != EEXIST))
        {
          g_warning ("Could not make the workspace %s: %s", path, g_strerror (errno));
          return NULL;
        }
    }
  /* The engine refuses any symlink on the way, so it gets the real path. */
  real = realpath (path, NULL);
  if (real == NULL || stat (real, &st) != 0 || !S_ISDIR (st.st_mode) ||
      (geteuid () == 0 && st.st_uid == 0))
    {
      free (real);
      return NULL;
    }
  g_free (path);
  path = g_strdup (real);
  free (real);
  return g_steal_pointer (&path);
}
