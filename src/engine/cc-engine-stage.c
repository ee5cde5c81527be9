/* cc-engine-stage.c: a root engine's sandbox directories, shown to bubblewrap
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-stage.h"

static int
fail (const char *what)
{
  int saved = errno;

  fprintf (stderr, "code-canvas-launcher: %s: %s\n", what, strerror (saved));
  return 126;
}

/* A descriptor number or an id from the command line, or -1. */
static long
number (const char *text)
{
  char *end = NULL;
  long value;

  errno = 0;
  value = strtol (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0 || value > G_MAXINT32)
    return -1;
  return value;
}

/* Opens @path again in this namespace: binds take mounts of their own namespace only, and the
 * engine's descriptor @checked is of the host's. The reopened directory must be the one the
 * engine checked (a workspace is the person's, and may have been swapped since); whichever way
 * the path leads there, it is then that directory that is bound. Returns the descriptor or -1. */
static int
reopen_same (int         checked,
             const char *path)
{
  struct stat want, got;
  int fd = open (path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return -1;
  if (fstat (checked, &want) != 0 || fstat (fd, &got) != 0 ||
      want.st_dev != got.st_dev || want.st_ino != got.st_ino)
    {
      close (fd);
      errno = ESTALE;
      return -1;
    }
  return fd;
}

static int
bind_fd (int         fd,
         const char *where)
{
  char source[32];

  snprintf (source, sizeof source, "/proc/self/fd/%d", fd);
  return mount (source, where, NULL, MS_BIND, NULL);
}

int
cc_engine_stage_exec (int    argc,
                      char **argv)
{
  long home_checked, tmp_checked, uid, gid;
  int home_fd, tmp_fd;

  if (argc < 10)
    return 2;
  home_checked = number (argv[2]);
  tmp_checked = number (argv[4]);
  uid = number (argv[6]);
  gid = number (argv[7]);
  if (home_checked < 3 || tmp_checked < 3 || uid <= 0 || gid <= 0)
    return 2;

  if (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return fail ("a mount namespace for the sandbox's directories");
  /* Before the stage covers /tmp: the directories may well lie under it. */
  home_fd = reopen_same ((int) home_checked, argv[3]);
  if (home_fd < 0)
    return fail (argv[3]);
  tmp_fd = reopen_same ((int) tmp_checked, argv[5]);
  if (tmp_fd < 0)
    return fail (argv[5]);
  if (mount ("tmpfs", CC_ENGINE_STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") != 0 ||
      mkdir (CC_ENGINE_STAGE_HOME, 0755) != 0 || mkdir (CC_ENGINE_STAGE_TMP, 0755) != 0 ||
      bind_fd (home_fd, CC_ENGINE_STAGE_HOME) != 0 || bind_fd (tmp_fd, CC_ENGINE_STAGE_TMP) != 0)
    return fail ("binding the sandbox's directories");
  close (home_fd);
  close (tmp_fd);
  /* Not bubblewrap's to keep. */
  close ((int) home_checked);
  close ((int) tmp_checked);
  if (setgroups (0, NULL) != 0 || setresgid ((gid_t) gid, (gid_t) gid, (gid_t) gid) != 0 ||
      setresuid ((uid_t) uid, (uid_t) uid, (uid_t) uid) != 0)
    return fail ("the sandbox's host uid");
  execv (argv[8], argv + 9);
  return fail (argv[8]);
}
