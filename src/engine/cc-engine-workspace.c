/* cc-engine-workspace.c: a client's folder mounted as a sandbox's home
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "cc-engine-workspace.h"

int
cc_engine_workspace_reopen (const char                *path,
                            const CcEngineWorkspaceId *id)
{
  /* No symlink anywhere on the way: a component swapped for a link after the check cannot send
   * the mount elsewhere. */
  struct open_how how = {
    .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  struct stat st;
  int fd = (int) syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof how);

  if (fd < 0)
    return -1;
  if (fstat (fd, &st) != 0 || !S_ISDIR (st.st_mode) ||
      (id != NULL && (st.st_dev != id->dev || st.st_ino != id->ino)))
    {
      close (fd);
      errno = ESTALE;
      return -1;
    }
  return fd;
}

/* Whether @a and @b are the same directory. */
static gboolean
same_dir (const struct stat *a,
          const char        *b)
{
  struct stat st;

  return b != NULL && stat (b, &st) == 0 && st.st_dev == a->st_dev && st.st_ino == a->st_ino;
}

static gboolean
refuse (GError     **error,
        const char  *path,
        const char  *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               _("The workspace “%s” cannot be mounted: %s"), path, why);
  return FALSE;
}

gboolean
cc_engine_workspace_check (const char           *path,
                           const char * const   *protected_dirs,
                           CcEngineWorkspaceId  *id,
                           GError              **error)
{
  g_autofree char *clean = NULL;
  struct passwd *pw;
  struct stat st;
  int fd;

  if (path == NULL || !g_path_is_absolute (path) || strlen (path) > 4096)
    return refuse (error, path ? path : "", _("it must be an absolute path"));
  clean = g_canonicalize_filename (path, "/");
  if (!g_str_equal (clean, path))
    return refuse (error, path, _("it must be written without “..”, “.” or repeated slashes"));
  if (g_str_equal (path, "/"))
    return refuse (error, path, _("it is the root of the file system"));

  fd = cc_engine_workspace_reopen (path, NULL);
  if (fd < 0)
    {
      int saved = errno;
      struct stat link_st;

      /* O_NOFOLLOW with O_DIRECTORY says ENOTDIR for a link at the end. */
      if (saved == ELOOP || (saved == ENOTDIR && lstat (path, &link_st) == 0 && S_ISLNK (link_st.st_mode)))
        return refuse (error, path, _("the path contains a symbolic link"));
      if (saved == ENOTDIR)
        return refuse (error, path, _("it is not a directory"));
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The workspace “%s” cannot be opened: %s"), path, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The workspace “%s” cannot be opened: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  pw = getpwuid (geteuid ());
  if (same_dir (&st, g_get_home_dir ()) || (pw != NULL && same_dir (&st, pw->pw_dir)))
    return refuse (error, path, _("it is the home folder itself; choose a folder inside it"));

  /* The engine's own directories hold other sandboxes' homes, their access tokens and the
   * engine's key. The workspace path has no symlinks, so comparing it with their real paths is
   * exact; the walk up compares directories themselves, whatever their names. */
  for (guint i = 0; protected_dirs != NULL && protected_dirs[i] != NULL; i++)
    {
      g_autofree char *real = realpath (protected_dirs[i], NULL);
      g_autofree char *up = NULL;

      if (real == NULL)
        continue;
      if (g_str_equal (path, real) ||
          (g_str_has_prefix (real, path) && real[strlen (path)] == '/') ||
          (g_str_has_prefix (path, real) && path[strlen (real)] == '/'))
        return refuse (error, path, _("it is one of the engine’s own folders, inside one or a "
                                      "parent of one"));
      up = g_strdup (real);
      while (!g_str_equal (up, "/"))
        {
          char *parent = g_path_get_dirname (up);

          if (same_dir (&st, up))
            {
              g_free (parent);
              return refuse (error, path, _("it is one of the engine’s own folders or a parent "
                                            "of one"));
            }
          g_free (up);
          up = parent;
        }
    }

  if (geteuid () == 0 && st.st_uid == 0)
    return refuse (error, path, _("an engine running as root mounts only folders owned by a "
                                  "regular user, whose id the sandbox then runs as"));

  id->dev = st.st_dev;
  id->ino = st.st_ino;
  id->uid = st.st_uid;
  id->gid = st.st_gid;
  return TRUE;
}
