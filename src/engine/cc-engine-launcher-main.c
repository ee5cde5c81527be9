/* cc-engine-launcher-main.c: code-canvas-launcher, which starts a sandbox's processes from inside
 * its namespaces
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `code-canvas-launcher --sandbox-launcher FD` runs once per running sandbox and user, under the
 * same bubblewrap setup a command used to get on its own. Setting that up (user, mount and PID
 * namespaces, some thirty bind mounts) costs several milliseconds; a fork from in here costs a
 * fraction of one. The engine talks to it over the SOCK_SEQPACKET socket FD (see
 * cc-engine-launcher.h for the messages). The helper is single-threaded and uses no main loop, so
 * what runs between vfork and exec is plain system calls.
 *
 * Each child sends CC_LAUNCHER_STARTED itself, before it execs: the kernel attaches its
 * credentials, translated into the engine's PID namespace, so the engine learns the host pid
 * (for signals to the process group) without any privilege. The helper reaps its children and
 * reports their wait status. When the engine goes away (end of file), the helper exits, and
 * the PID namespace goes with it.
 *
 * Sandbox processes share the launcher's uid, so it guards itself (cc_engine_launcher_harden):
 * bubblewrap runs it as the PID namespace's init (the kernel drops every signal sent to it from
 * inside that it has no handler for, SIGKILL and SIGSTOP included), in a session of its own; it
 * is not dumpable (no ptrace, no /proc/PID/mem or /proc/PID/fd for processes without
 * CAP_SYS_PTRACE, which no sandbox process has); and it holds nothing but its socket and
 * /dev/null as 0, 1 and 2, so there is no terminal or engine descriptor to reach through it.
 *
 * Inside the Flatpak the same helper is started by `flatpak-spawn --sandbox` (cc-engine-spawn.c).
 * It is not PID 1 there, so a sandbox process can kill it, which ends only its own sandbox's
 * commands; everything else above holds. The engine cannot see that PID namespace: pids in the
 * replies are the launcher's, and signals go through it (CcLauncherSignal).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <glib.h>

#include "cc-engine-launcher-wire.h"

/* How long the launcher looks for the holder of a port (held_here). */
#define HELD_SCAN_LIMIT_MS 200

static void
send_reply (int    sock,
            guint  type,
            int    pid,
            int    value)
{
  CcLauncherReply reply = { .type = type, .pid = pid, .value = value };

  while (send (sock, &reply, sizeof reply, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
}

/* execve(), and a file that is not a binary (ENOEXEC) run by /bin/sh, as execvp() does. */
static void
exec_file (const char  *file,
           char       **argv,
           char       **envp)
{
  size_t argc = 0;

  execve (file, argv, envp);
  if (errno != ENOEXEC)
    return;
  while (argv[argc] != NULL)
    argc++;
  {
    char *sh_argv[argc + 2];

    sh_argv[0] = (char *) "/bin/sh";
    sh_argv[1] = (char *) file;
    for (size_t i = 1; i <= argc; i++)
      sh_argv[i + 1] = argv[i];
    execve ("/bin/sh", sh_argv, envp);
    errno = ENOEXEC;
  }
}

/* execvp() with the PATH of @envp rather than ours, using only system calls: this runs in a
 * vfork() child, which shares our memory until it execs. EACCES is reported only if no other
 * directory had the program, as execvp() does. */
static void
exec_search (char **argv,
             char **envp)
{
  const char *search = "/usr/local/bin:/usr/bin:/bin";
  const char *name = argv[0];
  size_t name_len = strlen (name);
  gboolean denied = FALSE;

  if (strchr (name, '/') != NULL)
    {
      exec_file (name, argv, envp);
      return;
    }
  for (char **e = envp; *e != NULL; e++)
    if (strncmp (*e, "PATH=", 5) == 0)
      search = *e + 5;
  for (const char *p = search; ; )
    {
      const char *end = strchrnul (p, ':');
      size_t dir_len = end - p;
      char full[4096];

      if (dir_len + 1 + name_len < sizeof full)
        {
          /* An empty entry is the working directory. */
          size_t at = 0;

          if (dir_len > 0)
            {
              memcpy (full, p, dir_len);
              full[dir_len] = '/';
              at = dir_len + 1;
            }
          memcpy (full + at, name, name_len + 1);
          exec_file (full, argv, envp);
          if (errno == EACCES)
            denied = TRUE;
          else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE)
            return;
        }
      if (*end == '\0')
        break;
      p = end + 1;
    }
  errno = denied ? EACCES : ENOENT;
}

static void G_GNUC_NORETURN
child_fail (const char *what,
            const char *arg)
{
  const char *reason = strerror (errno);
  struct iovec parts[] = {
    { (char *) "code-canvas: ", 13 }, { (char *) what, strlen (what) }, { (char *) " ", 1 },
    { (char *) arg, strlen (arg) }, { (char *) ": ", 2 }, { (char *) reason, strlen (reason) },
    { (char *) "\n", 1 },
  };

  if (writev (2, parts, G_N_ELEMENTS (parts)) < 0)
    {
      /* nothing left to tell */
    }
  _exit (127);
}

/* Runs in the vfork()ed child: becomes its own session, takes the passed descriptors as 0, 1
 * and 2 (a terminal as its controlling one), reports its pid and execs. Only system calls:
 * the parent's memory is shared until the exec. */
static void G_GNUC_NORETURN
run_child (int          sock,
           const int   *fds,
           gboolean     pty,
           const char  *cwd,
           char       **argv,
           char       **envp)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* The one signal the launcher ignores (run() reset the others once). */
  signal (SIGPIPE, SIG_DFL);
  setsid ();
  for (int i = 0; i < 3; i++)
    if (dup2 (fds[i], i) < 0)
      _exit (127);
  if (pty)
    ioctl (0, TIOCSCTTY, 0);
  send_reply (sock, CC_LAUNCHER_STARTED, getpid (), 0);
  if (chdir (cwd) != 0)
    child_fail ("chdir", cwd);
  exec_search (argv, envp);
  child_fail ("exec", argv[0]);
}

/* vfork: copying the launcher's page tables for every command would be most of what a fork
 * costs here. In its own frame, so nothing of the caller's is live across it. */
static G_GNUC_NO_INLINE pid_t
spawn_child (int          sock,
             const int   *fds,
             gboolean     pty,
             const char  *cwd,
             char       **argv,
             char       **envp)
{
  pid_t pid = vfork ();

  if (pid == 0)
    run_child (sock, fds, pty, cwd, argv, envp);
  return pid;
}

/* A socket to the sandbox's own loopback: 127.0.0.1, or ::1 for servers that listen only
 * there. Non-blocking, so a full backlog cannot stall the launcher; the engine waits for it. */
static int
connect_inside (guint port,
                int  *error_code)
{
  struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons (port),
                             .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons (port),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  const struct sockaddr *addrs[] = { (const struct sockaddr *) &in4, (const struct sockaddr *) &in6 };
  const socklen_t lengths[] = { sizeof in4, sizeof in6 };

  *error_code = ECONNREFUSED;
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      int fd = socket (addrs[i]->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

      if (fd < 0)
        {
          *error_code = errno;
          continue;
        }
      if (connect (fd, addrs[i], lengths[i]) == 0 || errno == EINPROGRESS)
        return fd;
      if (i == 0 || errno != EADDRNOTAVAIL)
        *error_code = errno;
      close (fd);
    }
  return -1;
}

/* A reply of @type carrying @fd, which is then closed. */
static void
send_fd (int   sock,
         guint type,
         int   fd)
{
  CcLauncherReply reply = { .type = type };
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = &reply, .iov_len = sizeof reply };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof fd);
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  while (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
    ;
  close (fd);
}

/* The inodes of the sockets listening on TCP @port, from a /proc/net table of this network
 * namespace ("sl local rem st tx:rx tr:when retrnsmt uid timeout inode"; st 0A is LISTEN). */
static void
add_listeners (const char *table,
               guint       port,
               GArray     *inodes)
{
  FILE *file = fopen (table, "re");
  char line[512];

  if (file == NULL)
    return;
  while (fgets (line, sizeof line, file) != NULL)
    {
      char local[80];
      unsigned int state;
      unsigned long inode;
      const char *colon;

      if (sscanf (line, "%*s %79s %*s %x %*s %*s %*s %*s %*s %lu", local, &state, &inode) != 3 ||
          state != 0x0A || inode == 0 || (colon = strrchr (local, ':')) == NULL ||
          strtoul (colon + 1, NULL, 16) != port)
        continue;
      g_array_append_val (inodes, inode);
    }
  fclose (file);
}

/* Whether one of @inodes is a descriptor of a process of this PID namespace, that is, of this
 * sandbox. */
static gboolean
held_here (GArray *inodes)
{
  g_autoptr(GDir) procs = g_dir_open ("/proc", 0, NULL);
  /* The sandbox decides how many processes and descriptors there are to read: the scan is
   * bounded, and one that runs out is no proof. */
  gint64 until = g_get_monotonic_time () + HELD_SCAN_LIMIT_MS * 1000;
  const char *pid;

  while (procs != NULL && (pid = g_dir_read_name (procs)) != NULL &&
         g_get_monotonic_time () < until)
    {
      g_autofree char *fd_dir = NULL;
      g_autoptr(GDir) fds = NULL;
      const char *fd;

      if (!g_ascii_isdigit (*pid))
        continue;
      fd_dir = g_strconcat ("/proc/", pid, "/fd", NULL);
      fds = g_dir_open (fd_dir, 0, NULL);
      while (fds != NULL && (fd = g_dir_read_name (fds)) != NULL &&
             g_get_monotonic_time () < until)
        {
          g_autofree char *path = g_build_filename (fd_dir, fd, NULL);
          char target[64];
          ssize_t n = readlink (path, target, sizeof target - 1);
          unsigned long inode;

          if (n <= 0)
            continue;
          target[n] = '\0';
          if (sscanf (target, "socket:[%lu]", &inode) != 1)
            continue;
          for (guint i = 0; i < inodes->len; i++)
            if (g_array_index (inodes, unsigned long, i) == inode)
              return TRUE;
        }
    }
  return FALSE;
}

/* 0 when a process of this sandbox listens on @port; ECONNREFUSED when nothing does;
 * EADDRINUSE when something outside it does (the network is shared). */
static int
port_owner (guint port)
{
  g_autoptr(GArray) inodes = g_array_new (FALSE, FALSE, sizeof (unsigned long));

  add_listeners ("/proc/net/tcp", port, inodes);
  add_listeners ("/proc/net/tcp6", port, inodes);
  if (inodes->len == 0)
    return ECONNREFUSED;
  return held_here (inodes) ? 0 : EADDRINUSE;
}

static void
handle_connect (int                      sock,
                const CcLauncherConnect *request)
{
  int error_code = EINVAL;
  int fd = -1;

  if (request->port > 65535)
    {
      send_reply (sock, CC_LAUNCHER_FAILED, 0, EINVAL);
      return;
    }
  if (request->magic == CC_LAUNCHER_OWNS_MAGIC)
    {
      send_reply (sock, CC_LAUNCHER_OWNS, request->port,
                  request->port > 0 && port_owner (request->port) == 0);
      return;
    }
  if (request->port == 0)
    {
      /* Port 0 asks for the network namespace itself (pasta, the other user's launcher). */
      fd = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      error_code = errno;
    }
  else if (request->magic == CC_LAUNCHER_CONNECT_OWN_MAGIC &&
           (error_code = port_owner (request->port)) != 0)
    fd = -1;
  else
    fd = connect_inside (request->port, &error_code);
  if (fd < 0)
    {
      send_reply (sock, CC_LAUNCHER_FAILED, 0, error_code);
      return;
    }
  send_fd (sock, CC_LAUNCHER_SOCKET, fd);
}

/* Everything here is the sandbox's: its process groups, and with pid 0 all of it (not the
 * launcher itself, nor the namespace's init). */
static void
handle_signal (const CcLauncherSignal *request)
{
  if (request->signum <= 0 || request->signum >= NSIG || request->pid < 0)
    return;
  if (request->pid == 0)
    kill (-1, request->signum);
  else if (request->pid != getpid () && kill (-request->pid, request->signum) != 0)
    kill (request->pid, request->signum);
}

/* A terminal of this sandbox's /dev/pts, @cols × @rows. */
static gboolean
open_pty (guint  cols,
          guint  rows,
          int   *master_out,
          int   *slave_out)
{
  struct winsize ws = { .ws_col = cols, .ws_row = rows };
  char name[64];
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return FALSE;
  if (grantpt (master) != 0 || unlockpt (master) != 0 || ptsname_r (master, name, sizeof name) != 0 ||
      (slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    {
      int saved = errno;

      close (master);
      errno = saved;
      return FALSE;
    }
  ioctl (master, TIOCSWINSZ, &ws);
  *master_out = master;
  *slave_out = slave;
  return TRUE;
}

/* The request in the memfd @fd, checked against @size; NULL if it is not one. */
static GVariant *
read_request (int   fd,
              gsize size)
{
  struct stat st;
  guint8 *data;
  gsize done = 0;

  if (size > CC_LAUNCHER_MAX_REQUEST || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) ||
      (gsize) st.st_size != size)
    return NULL;
  data = g_malloc (MAX (size, 1));
  while (done < size)
    {
      ssize_t n = pread (fd, data + done, size - done, done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_free (data);
          return NULL;
        }
      done += n;
    }
  return g_variant_ref_sink (g_variant_new_from_data (G_VARIANT_TYPE (CC_LAUNCHER_REQUEST_TYPE),
                                                      data, size, FALSE, g_free, data));
}

/* A request that came inline (cc-engine-launcher-wire.h), checked against @size. */
static GVariant *
read_inline_request (const guint8 *data,
                     gsize         length,
                     gsize         size)
{
  GBytes *bytes;
  GVariant *request;

  if (length != size || size > CC_LAUNCHER_INLINE_MAX)
    return NULL;
  /* A copy: GVariant wants its data aligned, and this is 8 bytes into a datagram. */
  bytes = g_bytes_new (data, size);
  request = g_variant_new_from_bytes (G_VARIANT_TYPE (CC_LAUNCHER_REQUEST_TYPE), bytes, FALSE);
  g_bytes_unref (bytes);
  return g_variant_ref_sink (request);
}

static void
handle_spawn (int sock)
{
  union {
    CcLauncherSpawn spawn;
    CcLauncherConnect connect;
    CcLauncherSignal signal;
    guint8 bytes[sizeof (CcLauncherSpawn) + CC_LAUNCHER_INLINE_MAX];
  } head;
  char control[CMSG_SPACE (4 * sizeof (int))];
  struct iovec iov = { .iov_base = &head, .iov_len = sizeof head };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control, .msg_controllen = sizeof control };
  int fds[4] = { -1, -1, -1, -1 };
  int n_fds = 0;
  ssize_t n;

  n = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0 && errno == EINTR)
    return;
  if (n <= 0)
    _exit (0);  /* the engine is gone */

  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        n_fds = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
        memcpy (fds, CMSG_DATA (c), MIN (n_fds, 4) * sizeof (int));
      }

  /* The requests that come without descriptors. */
  if (n_fds == 0 && n == sizeof (CcLauncherConnect) &&
      (head.connect.magic == CC_LAUNCHER_CONNECT_MAGIC || head.connect.magic == CC_LAUNCHER_CONNECT_OWN_MAGIC ||
       head.connect.magic == CC_LAUNCHER_OWNS_MAGIC))
    {
      handle_connect (sock, &head.connect);
      return;
    }
  if (n_fds == 0 && n == sizeof (CcLauncherSignal) && head.signal.magic == CC_LAUNCHER_SIGNAL_MAGIC)
    {
      handle_signal (&head.signal);
      return;
    }

  {
    g_autoptr(GVariant) request = NULL;
    g_autofree char **argv = NULL;
    g_autofree char **envp = NULL;
    const char *cwd = NULL;
    gboolean pty = FALSE;
    guint16 cols = 0, rows = 0;
    int master = -1, slave = -1;
    pid_t pid;
    /* Pipes come as 0, 1 and 2, then the request's memfd unless the request is inline; a
     * terminal's spawn has no pipes. */
    gboolean is_inline = n > (gssize) sizeof (CcLauncherSpawn);
    int n_pipes = is_inline ? n_fds : n_fds - 1;

    if ((n_pipes != 3 && n_pipes != 0) || n_fds > 4 || n < (gssize) sizeof (CcLauncherSpawn) ||
        head.spawn.magic != CC_LAUNCHER_SPAWN_MAGIC || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
        (request = is_inline ? read_inline_request (head.bytes + sizeof (CcLauncherSpawn),
                                                    n - sizeof (CcLauncherSpawn), head.spawn.size)
                             : read_request (fds[n_fds - 1], head.spawn.size)) == NULL ||
        !g_variant_is_normal_form (request))
      {
        send_reply (sock, CC_LAUNCHER_FAILED, 0, EINVAL);
        goto out;
      }
    g_variant_get (request, CC_LAUNCHER_REQUEST_FORMAT, &argv, &envp, &cwd, &pty, &cols, &rows);
    if (argv == NULL || argv[0] == NULL || pty != (n_pipes == 0))
      {
        send_reply (sock, CC_LAUNCHER_FAILED, 0, EINVAL);
        goto out;
      }
    if (pty)
      {
        int slaves[3];

        if (!open_pty (MAX (cols, 1), MAX (rows, 1), &master, &slave))
          {
            send_reply (sock, CC_LAUNCHER_FAILED, 0, errno);
            goto out;
          }
        /* The master first: the engine has it by the time the child says it started. */
        send_fd (sock, CC_LAUNCHER_PTY, master);
        slaves[0] = slaves[1] = slaves[2] = slave;
        pid = spawn_child (sock, slaves, TRUE, cwd, argv, envp);
        if (pid < 0)
          send_reply (sock, CC_LAUNCHER_FAILED, 0, errno);
        close (slave);
      }
    else
      {
        pid = spawn_child (sock, fds, FALSE, cwd, argv, envp);
        if (pid < 0)
          send_reply (sock, CC_LAUNCHER_FAILED, 0, errno);
      }
  }

out:
  for (int i = 0; i < MIN (n_fds, 4); i++)
    close (fds[i]);
}

static void
reap (int sock)
{
  int status;
  pid_t pid;

  while ((pid = waitpid (-1, &status, WNOHANG)) > 0)
    send_reply (sock, CC_LAUNCHER_EXITED, pid, status);
}

/* See the top of the file. Kept apart from the request handling so other guards (network,
 * descriptors handed over) can be added without touching it. */
static gboolean
cc_engine_launcher_harden (int sock)
{
  int null_fd;

  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return FALSE;
  /* 0, 1 and 2 stay taken, by /dev/null, so that no received descriptor lands on them. */
  null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (i != sock && i != null_fd && dup2 (null_fd, i) < 0)
      return FALSE;
  if (null_fd > 2 && null_fd != sock)
    close (null_fd);
  if (sock > 3 && close_range (3, sock - 1, 0) != 0)
    return FALSE;
  if (close_range (MAX (sock + 1, 3), ~0U, 0) != 0)
    return FALSE;
  return TRUE;
}

static int
run (int   sock,
     rlim_t process_limit)
{
  const struct rlimit nproc = { process_limit, process_limit };
  struct pollfd polls[2];
  sigset_t chld;
  int sigfd;

  /* The hard limit too: raising it back takes CAP_SYS_RESOURCE on the host. */
  if (sock < 3 || !cc_engine_launcher_harden (sock) || setrlimit (RLIMIT_NPROC, &nproc) != 0)
    return 1;
  /* Ignored signals survive exec: an engine started with `&` from a script ignores SIGINT and
   * SIGQUIT, and Ctrl+C would then never stop a command. Reset here once, not in every child:
   * there, sixty system calls ran between vfork and exec while the launcher waited. */
  for (int i = 1; i < NSIG; i++)
    if (i != SIGKILL && i != SIGSTOP)
      signal (i, SIG_DFL);
  signal (SIGPIPE, SIG_IGN);
  sigemptyset (&chld);
  sigaddset (&chld, SIGCHLD);
  sigprocmask (SIG_BLOCK, &chld, NULL);
  sigfd = signalfd (-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd < 0 || fcntl (sock, F_SETFD, FD_CLOEXEC) != 0)
    return 1;

  polls[0] = (struct pollfd) { .fd = sock, .events = POLLIN };
  polls[1] = (struct pollfd) { .fd = sigfd, .events = POLLIN };
  for (;;)
    {
      if (poll (polls, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return 1;
        }
      if (polls[1].revents & POLLIN)
        {
          struct signalfd_siginfo info;

          while (read (sigfd, &info, sizeof info) > 0)
            ;
          reap (sock);
        }
      if (polls[0].revents & POLLIN)
        handle_spawn (sock);
      else if (polls[0].revents & (POLLHUP | POLLERR))
        _exit (0);  /* the engine is gone; nothing to clean up (nor to leak-check) */
    }
}

/* A program of its own, linking GLib alone: each sandbox starts one, and the engine's executable
 * (some forty libraries to load and relocate) took about three times as long to start. */
int
main (int    argc,
      char **argv)
{
  rlim_t process_limit = CC_LAUNCHER_PROCESS_LIMIT;

  /* Started by the engine only, under bubblewrap or flatpak-spawn; its output goes nowhere. */
  if ((argc != 3 && argc != 4) || strcmp (argv[1], "--sandbox-launcher") != 0)
    return 2;
  if (argc == 4 && (process_limit = strtoul (argv[3], NULL, 10)) == 0)
    return 2;
  close (4);  /* our executable, which bubblewrap ran */
  return run (atoi (argv[2]), process_limit);
}
