/* cc-sandbox-attack.c: attacks a sandbox process tries on its way out, for test-engine-isolation
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploaded into a sandbox and run there. Each mode prints one "name:result" line per attempt,
 * where the result is "ok" (the attack worked) or the errno's name, so the test can tell a
 * refusal of the filter (EPERM, or its own answer to a call) from one of the kernel. Plain C
 * library only: the sandbox has the host's /usr but none of the build tree (the kernel's headers
 * are needed to build only).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static void
report (const char *name,
        int         ok)
{
  printf ("%s:%s\n", name, ok ? "ok" : strerrorname_np (errno));
  fflush (stdout);
}

/* The launcher is the process whose command line holds --sandbox-launcher. */
static pid_t
find_launcher (void)
{
  DIR *proc = opendir ("/proc");
  struct dirent *d;
  pid_t found = 0;

  while (proc != NULL && (d = readdir (proc)) != NULL)
    {
      char path[300], cmd[512];
      ssize_t n;
      int fd;

      if (atoi (d->d_name) <= 0)
        continue;
      snprintf (path, sizeof path, "/proc/%s/cmdline", d->d_name);
      fd = open (path, O_RDONLY);
      if (fd < 0)
        continue;
      n = read (fd, cmd, sizeof cmd - 1);
      close (fd);
      for (ssize_t i = 0; i < n; i++)
        if (cmd[i] == '\0')
          cmd[i] = ' ';
      if (n > 0 && (cmd[n] = '\0', strstr (cmd, "--sandbox-launcher") != NULL))
        found = atoi (d->d_name);
    }
  if (proc != NULL)
    closedir (proc);
  return found;
}

static void
attack_launcher (void)
{
  pid_t launcher = find_launcher ();
  char path[64];
  int fd;

  printf ("launcher:%d\n", (int) launcher);
  if (launcher <= 0)
    return;
  report ("ptrace", ptrace (PTRACE_ATTACH, launcher, NULL, NULL) == 0);
  snprintf (path, sizeof path, "/proc/%d/fd/2", (int) launcher);
  fd = open (path, O_WRONLY | O_NOCTTY);
  report ("launcher-fd", fd >= 0);
  /* The signals a sandbox process could end or freeze its launcher with. */
  kill (launcher, SIGSTOP);
  kill (launcher, SIGKILL);
  kill (launcher, SIGTERM);
}

/* The terminal attacks, on a terminal the process controls: the kernel itself refuses TIOCSTI
 * (EPERM) on any other, filter or not. A child makes a session of its own (the caller may lead
 * one already, and setsid() refuses a group leader) and takes the pty as its controlling
 * terminal; "ctty" says whether it did. */
static void
attack_terminal (void)
{
  pid_t child;

  fflush (stdout);
  child = fork ();
  if (child == 0)
    {
      char c = 'x';
      int master = posix_openpt (O_RDWR | O_NOCTTY);
      int slave = -1;

      if (master >= 0 && grantpt (master) == 0 && unlockpt (master) == 0)
        slave = open (ptsname (master), O_RDWR | O_NOCTTY);
      report ("ctty", slave >= 0 && setsid () >= 0 && ioctl (slave, TIOCSCTTY, 0) == 0);
      report ("tiocsti", ioctl (slave, TIOCSTI, &c) == 0);
      report ("tioclinux", ioctl (slave, TIOCLINUX, &c) == 0);
      _exit (0);
    }
  if (child < 0)
    report ("ctty", 0);
  else
    waitpid (child, NULL, 0);
}

/* Each call is one the kernel grants an unprivileged process (see test_seccomp_filter for its
 * answers), so that a refusal can only be the filter's. Keys go to the process keyring, which
 * goes away with the process. */
static void
attack_syscalls (void)
{
  struct perf_event_attr attr = {
    .type = PERF_TYPE_SOFTWARE,
    .size = sizeof attr,
    .config = PERF_COUNT_SW_TASK_CLOCK,
    .disabled = 1,
    /* Allowed up to perf_event_paranoid 2 (the kernel's default) without privileges. */
    .exclude_kernel = 1,
    .exclude_hv = 1,
  };

  attack_terminal ();
  report ("keyctl", syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1) >= 0);
  report ("add_key", syscall (SYS_add_key, "user", "cc-attack", "x", 1, KEY_SPEC_PROCESS_KEYRING) >= 0);
  report ("request_key", syscall (SYS_request_key, "user", "cc-attack", NULL, KEY_SPEC_PROCESS_KEYRING) >= 0);
  report ("perf_event_open", syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0) >= 0);
  /* Without privileges since Linux 5.11, whatever vm.unprivileged_userfaultfd says. */
  report ("userfaultfd", syscall (SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY) >= 0);
  /* An invalid descriptor: the kernel says EBADF, the filter EPERM. */
  report ("setns", syscall (SYS_setns, -1, 0) == 0);
  /* Reading the (empty) table, and an empty range: both fine for the kernel. */
#ifdef SYS_modify_ldt
  {
    char table[16];

    report ("modify_ldt", syscall (SYS_modify_ldt, 0, table, sizeof table) >= 0);
  }
#else
  printf ("modify_ldt:EPERM\n");  /* x86 only */
#endif
  report ("mbind", syscall (SYS_mbind, NULL, 0, 0, NULL, 0, 0) == 0);
  {
    struct io_uring_params params;

    memset (&params, 0, sizeof params);
    report ("io_uring", syscall (SYS_io_uring_setup, 1, &params) >= 0);
  }
  /* Not confined by the network namespace (the kernel says ENODEV without a transport). */
  report ("vsock", socket (AF_VSOCK, SOCK_STREAM, 0) >= 0);
  {
    pid_t child = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);

    if (child == 0)
      _exit (0);
    if (child > 0)
      waitpid (child, NULL, 0);
    report ("clone-user", child > 0);
  }
  /* Last: on success this process is in the new namespace. */
  report ("unshare-user", unshare (CLONE_NEWUSER) == 0);
}

/* Opens the host file whose handle is @hex (type:bytes) through the file system of /home/user,
 * and prints what it reads. */
static void
attack_handle (const char *spec)
{
  unsigned char bytes[MAX_HANDLE_SZ];
  struct file_handle *handle = malloc (sizeof *handle + MAX_HANDLE_SZ);
  int type = atoi (spec);
  const char *hex = strchr (spec, ':');
  size_t n = 0;
  int mount_fd, fd;

  for (hex = hex ? hex + 1 : ""; hex[0] && hex[1] && n < sizeof bytes; hex += 2)
    sscanf (hex, "%2hhx", &bytes[n++]);
  handle->handle_bytes = n;
  handle->handle_type = type;
  memcpy (handle->f_handle, bytes, n);
  mount_fd = open ("/home/user", O_RDONLY | O_DIRECTORY);
  fd = open_by_handle_at (mount_fd, handle, O_RDONLY);
  report ("open_by_handle_at", fd >= 0);
  if (fd >= 0)
    {
      char buf[256];
      ssize_t r = read (fd, buf, sizeof buf - 1);

      if (r >= 0)
        {
          buf[r] = '\0';
          printf ("read:%s\n", buf);
        }
    }
  free (handle);
}

/* Writes core_pattern's own value back: harmless if it works, and proof that it did. */
static void
attack_proc (void)
{
  char value[512] = "";
  int fd = open ("/proc/sys/kernel/core_pattern", O_RDONLY);
  ssize_t n = fd >= 0 ? read (fd, value, sizeof value - 1) : -1;

  if (fd >= 0)
    close (fd);
  value[n > 0 ? n : 0] = '\0';
  fd = open ("/proc/sys/kernel/core_pattern", O_WRONLY);
  report ("core_pattern", fd >= 0 && write (fd, value, strlen (value)) >= 0);
  fd = open ("/proc/sysrq-trigger", O_WRONLY);
  report ("sysrq-trigger", fd >= 0);
}

/* Swaps /home/user/real (a directory holding etc/os-release = "decoy") with /home/user/link
 * (a symlink to /) over and over, until /home/user/stop exists or for @seconds at most: an engine that opens by path after
 * checking it hands out the host's /etc/os-release now and then. */
static void
attack_swap (const char *seconds)
{
  time_t until = time (NULL) + atoi (seconds);
  unsigned long n = 0;
  int fd;

  mkdir ("/home/user/real", 0755);
  mkdir ("/home/user/real/etc", 0755);
  fd = open ("/home/user/real/etc/os-release", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write (fd, "decoy", 5) != 5)
    return;
  close (fd);
  unlink ("/home/user/link");
  if (symlink ("/", "/home/user/link") != 0)
    return;
  printf ("swapping\n");
  fflush (stdout);
  while (time (NULL) < until && access ("/home/user/stop", F_OK) != 0)
    for (int i = 0; i < 1000; i++, n++)
      syscall (SYS_renameat2, AT_FDCWD, "/home/user/real", AT_FDCWD, "/home/user/link", 2 /* RENAME_EXCHANGE */);
  printf ("swaps:%lu\n", n);
}

int
main (int    argc,
      char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "launcher") == 0)
    attack_launcher ();
  else if (argc >= 2 && strcmp (argv[1], "syscalls") == 0)
    attack_syscalls ();
  else if (argc >= 3 && strcmp (argv[1], "handle") == 0)
    attack_handle (argv[2]);
  else if (argc >= 3 && strcmp (argv[1], "swap") == 0)
    attack_swap (argv[2]);
  else if (argc >= 2 && strcmp (argv[1], "proc") == 0)
    attack_proc ();
  else
    return 2;
  return 0;
}
