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
#include <dirent.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cc-engine-isolation.h"
#include "cc-engine-path.h"

/* Removal holds one descriptor per level down to this depth; deeper subtrees are moved up and
 * removed in a next pass, of at most this many. */
#define MAX_REMOVE_DEPTH  256
#define MAX_REMOVE_PASSES 256

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

/* The root of @sandbox's directories that @host_path lies under, and the rest of the path. */
static const char *
find_root (CcEngineSandbox  *sandbox,
           const char       *host_path,
           const char      **rest)
{
  const char *roots[] = { cc_engine_sandbox_get_home_dir (sandbox), cc_engine_sandbox_get_tmp_dir (sandbox) };

  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    if ((*rest = under (host_path, roots[i])) != NULL)
      return roots[i];
  return NULL;
}

int
cc_engine_path_open_errno (CcEngineSandbox *sandbox,
                           const char      *host_path,
                           int              flags)
{
  const char *rest = NULL;
  const char *root_path = find_root (sandbox, host_path, &rest);
  int root, fd, saved;

  if (root_path == NULL)
    {
      errno = EXDEV;
      return -1;
    }
  root = open (root_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0)
    return -1;
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
  saved = errno;
  close (root);
  errno = saved;
  return fd;
}

int
cc_engine_path_open (CcEngineSandbox  *sandbox,
                     const char       *host_path,
                     int               flags,
                     GError          **error)
{
  int fd = cc_engine_path_open_errno (sandbox, host_path, flags);

  if (fd < 0)
    {
      int saved = errno;

      /* A symlink met on the way was not there when the path was resolved: someone swapped it in. */
      if (saved == ELOOP)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                     "the path changed while it was opened");
      else if (saved == EXDEV)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "path is outside the sandbox");
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
    }
  return fd;
}

int
cc_engine_path_open_parent (CcEngineSandbox  *sandbox,
                            const char       *host_path,
                            char            **name)
{
  g_autofree char *parent = NULL;
  const char *rest = NULL;
  int fd;

  if (find_root (sandbox, host_path, &rest) == NULL || *rest == '\0')
    {
      /* A root of the sandbox's view has no parent the sandbox may reach. */
      errno = EXDEV;
      return -1;
    }
  parent = g_path_get_dirname (host_path);
  fd = cc_engine_path_open_errno (sandbox, parent, O_PATH | O_DIRECTORY);
  if (fd >= 0)
    *name = g_path_get_basename (host_path);
  return fd;
}

int
cc_engine_path_open_dirs (CcEngineSandbox  *sandbox,
                          const char       *host_dir,
                          GError          **error)
{
  g_auto(GStrv) parts = NULL;
  const char *rest = NULL;
  const char *root_path = find_root (sandbox, host_dir, &rest);
  int dir;

  if (root_path == NULL)
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

/* The names of directory @fd, or NULL with errno. */
static GPtrArray *
read_names (int fd)
{
  GPtrArray *names;
  struct dirent *entry;
  int list_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *listing = list_fd >= 0 ? fdopendir (list_fd) : NULL;

  if (listing == NULL)
    {
      int saved = errno;

      if (list_fd >= 0)
        close (list_fd);
      errno = saved;
      return NULL;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((entry = readdir (listing)) != NULL)
    if (!g_str_equal (entry->d_name, ".") && !g_str_equal (entry->d_name, ".."))
      g_ptr_array_add (names, g_strdup (entry->d_name));
  closedir (listing);
  return names;
}

typedef struct
{
  int      top;         /* the directory being removed, where too deep a subtree is moved */
  dev_t    dev;
  gboolean moved;       /* a subtree was moved up: the top needs another pass */
} Removal;

static int
remove_below (Removal    *removal,
              int         dir,
              const char *name,
              guint       depth)
{
  g_autoptr(GPtrArray) names = NULL;
  struct stat st;
  int fd, rc = 0;

  if (fstatat (dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? 0 : errno;
  if (!S_ISDIR (st.st_mode))
    return unlinkat (dir, name, 0) == 0 || errno == ENOENT ? 0 : errno;
  /* Another file system mounted here is not ours to empty. */
  if (st.st_dev != removal->dev)
    return EBUSY;
  if (depth >= MAX_REMOVE_DEPTH)
    {
      /* One descriptor is held per level: a deeper subtree is moved up into the top directory
       * (descriptor to descriptor) and removed from there in the next pass. */
      g_autofree char *moved = g_strdup_printf (".cc-remove-%08x%08x", g_random_int (), g_random_int ());

      if (renameat (dir, name, removal->top, moved) != 0)
        return errno;
      removal->moved = TRUE;
      return 0;
    }
  fd = openat (dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : errno;

  /* The names are read first, so each level holds one descriptor while the levels below it
   * are removed. */
  if ((names = read_names (fd)) == NULL)
    rc = errno;
  for (guint i = 0; names != NULL && i < names->len; i++)
    {
      int child_rc = remove_below (removal, fd, names->pdata[i], depth + 1);

      if (rc == 0)
        rc = child_rc;
    }
  close (fd);
  if (unlinkat (dir, name, AT_REMOVEDIR) != 0 && errno != ENOENT && rc == 0)
    rc = errno;
  return rc;
}

int
cc_engine_path_remove_at (int         dir,
                          const char *name)
{
  Removal removal = { -1, 0, FALSE };
  struct stat st;
  int rc = 0;

  if (fstatat (dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? 0 : errno;
  if (!S_ISDIR (st.st_mode))
    return unlinkat (dir, name, 0) == 0 || errno == ENOENT ? 0 : errno;
  removal.dev = st.st_dev;
  removal.top = openat (dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (removal.top < 0)
    return errno == ENOENT ? 0 : errno;

  /* Each pass removes what lies within MAX_REMOVE_DEPTH and moves deeper subtrees up; passes
   * are bounded, for a sandbox that keeps making directories meanwhile. */
  for (guint pass = 0; pass < MAX_REMOVE_PASSES; pass++)
    {
      g_autoptr(GPtrArray) names = read_names (removal.top);

      rc = names == NULL ? errno : 0;
      removal.moved = FALSE;
      for (guint i = 0; names != NULL && i < names->len; i++)
        {
          int child_rc = remove_below (&removal, removal.top, names->pdata[i], 1);

          if (rc == 0)
            rc = child_rc;
        }
      if (!removal.moved)
        break;
    }
  close (removal.top);
  if (unlinkat (dir, name, AT_REMOVEDIR) != 0 && errno != ENOENT && rc == 0)
    rc = errno;
  return rc;
}

void
cc_engine_path_remove_tree (const char *host_path)
{
  g_autofree char *parent = g_path_get_dirname (host_path);
  g_autofree char *name = g_path_get_basename (host_path);
  int dir = open (parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc;

  if (dir < 0)
    return;
  if ((rc = cc_engine_path_remove_at (dir, name)) != 0)
    g_debug ("Could not remove all of %s: %s", host_path, g_strerror (rc));
  close (dir);
}
