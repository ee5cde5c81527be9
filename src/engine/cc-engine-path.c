/* cc-engine-path.c: opening a sandbox's files without following what a sandbox process swapped in
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine resolves a sandbox path by itself, following symlinks as the sandbox sees them (its
 * view has several roots: the home at /home/user and /root, the sandbox's /tmp). Between that
 * resolution and the open, a sandbox process can swap a directory on the path for a symlink to
 * the host's /. So the open does not use the path string from the host's root: it starts at a
 * descriptor of the sandbox directory and lets the kernel refuse every symlink and every way out
 * (openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS). Kernels before
 * 5.6 get the same walk done one component at a time with O_NOFOLLOW.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cc-engine-isolation.h"
#include "cc-engine-path.h"

/* "rest" of @path under @root ("" for @root itself), or NULL. */
static const char *
under (const char *path,
       const char *root)
{
  gsize n = strlen (root);

  if (strncmp (path, root, n) != 0 || (path[n] != '\0' && path[n] != '/'))
    return NULL;
  path += n;
  while (*path == '/')
    path++;
  return path;
}

/* The component-by-component walk: every directory opened with O_NOFOLLOW from the last. */
static int
walk_open (int         root,
           const char *rest,
           int         flags)
{
  g_auto(GStrv) parts = g_strsplit (rest, "/", -1);
  int dir = dup (root);
  guint n = g_strv_length (parts);

  for (guint i = 0; dir >= 0 && i < n; i++)
    {
      gboolean last = i + 1 == n;
      int next;

      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          close (dir);
          errno = EXDEV;
          return -1;
        }
      next = openat (dir, parts[i], last ? flags | O_NOFOLLOW | O_CLOEXEC
                                         : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = next;
    }
  return dir;
}

int
cc_engine_path_open (CcEngineSandbox  *sandbox,
                     const char       *host_path,
                     int               flags,
                     GError          **error)
{
  const char *roots[] = { cc_engine_sandbox_get_home_dir (sandbox), cc_engine_sandbox_get_tmp_dir (sandbox) };
  const char *rest = NULL;
  const char *root_path = NULL;
  int root, fd;

  for (guint i = 0; i < G_N_ELEMENTS (roots) && rest == NULL; i++)
    if ((rest = under (host_path, roots[i])) != NULL)
      root_path = roots[i];
  if (rest == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "path is outside the sandbox");
      return -1;
    }
  root = open (root_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return -1;
    }
  if (*rest == '\0')
    fd = openat (root, ".", flags | O_CLOEXEC);
  else
    {
      struct open_how how = {
        .flags = (guint64) (flags | O_NOFOLLOW | O_CLOEXEC),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
      };

      fd = (int) syscall (SYS_openat2, root, rest, &how, sizeof how);
      if (fd < 0 && (errno == ENOSYS || errno == E2BIG))
        fd = walk_open (root, rest, flags);
    }
  if (fd < 0)
    {
      int saved = errno;

      close (root);
      /* A symlink met on the way was not there when the path was resolved: someone swapped it in. */
      if (saved == ELOOP)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                     "the path changed while it was opened");
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return -1;
    }
  close (root);
  return fd;
}

int
cc_engine_path_open_dirs (CcEngineSandbox  *sandbox,
                          const char       *host_dir,
                          GError          **error)
{
  const char *roots[] = { cc_engine_sandbox_get_home_dir (sandbox), cc_engine_sandbox_get_tmp_dir (sandbox) };
  g_auto(GStrv) parts = NULL;
  const char *rest = NULL;
  const char *root_path = NULL;
  int dir;

  for (guint i = 0; i < G_N_ELEMENTS (roots) && rest == NULL; i++)
    if ((rest = under (host_dir, roots[i])) != NULL)
      root_path = roots[i];
  if (rest == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "path is outside the sandbox");
      return -1;
    }
  dir = open (root_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  parts = g_strsplit (rest, "/", -1);
  for (guint i = 0; dir >= 0 && parts[i] != NULL; i++)
    {
      int next;

      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          close (dir);
          dir = -1;
          errno = EXDEV;
          break;
        }
      if (mkdirat (dir, parts[i], 0755) == 0)
        cc_engine_isolation_own_at_for (sandbox, dir, parts[i]);
      next = openat (dir, parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = next;
    }
  if (dir < 0)
    {
      int saved = errno;

      if (saved == ELOOP || saved == ENOTDIR)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                     "a part of the path is not a directory (or changed while it was opened)");
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
    }
  return dir;
}

char *
cc_engine_path_private_dir (CcEngineSandbox *sandbox)
{
  /* From /tmp's directory: a mounted workspace's home is outside the data directory. */
  g_autofree char *sandboxes = g_path_get_dirname (cc_engine_sandbox_get_tmp_dir (sandbox));
  g_autofree char *data_dir = g_path_get_dirname (sandboxes);
  char *dir = g_build_filename (data_dir, CC_ENGINE_PATH_PRIVATE_DIR, NULL);

  if (mkdir (dir, 0700) != 0 && errno != EEXIST)
    g_debug ("Could not make %s: %s", dir, g_strerror (errno));
  return dir;
}

void
cc_engine_path_sweep_private (const char *data_dir)
{
  g_autofree char *dir = g_build_filename (data_dir, CC_ENGINE_PATH_PRIVATE_DIR, NULL);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      unlink (path);
    }
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  if (remove (path) != 0 && errno != ENOENT)
    g_debug ("Could not remove %s: %s", path, g_strerror (errno));
  return 0;
}

void
cc_engine_path_remove_tree (const char *host_path)
{
  nftw (host_path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}
