/* cc-engine-spawn.c: how a sandbox process is launched (bubblewrap, flatpak-spawn or unisolated)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under bubblewrap a process sees a read-only system, its sandbox's home at /home/user (and at
 * /root for root), the sandbox's /tmp, its own /proc and /dev, its own PID namespace and a
 * network namespace of its own (cc-engine-netns.c). Nothing else of the host's file system is
 * mounted, so the user's real home and other sandboxes are out of reach. There is always a user namespace: it maps one unprivileged host uid
 * (cc-engine-isolation.c) to 1000 ("user") or 0 ("root") so that whoami, file ownership and $HOME
 * agree inside, and the sandbox's root has no capability over anything of the host's. Every
 * process runs under the system-call filter of cc-engine-seccomp.c. Commands are started by the
 * sandbox's launcher (cc-engine-launcher*.c), which bubblewrap runs as the PID namespace's init.
 *
 * Inside the Flatpak bubblewrap cannot make namespaces (Flatpak's filter refuses them). The
 * launcher is then started by `flatpak-spawn --sandbox`: a sibling sandbox of the app, with its
 * own PID namespace and /tmp, the runtime read-only, no display, no D-Bus, and of the app's files
 * only the sandbox's own two directories, exposed at their own paths. There is no user namespace
 * there: sandbox users are the app's user, and paths are the app's paths, not /home/user.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cc-engine-isolation.h"
#include "cc-engine-launcher-wire.h"
#include "cc-engine-netns.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-seccomp.h"
#include "cc-engine-spawn.h"
#include "cc-engine-host.h"

static const char passwd_text[] =
  "root:x:0:0:root:/root:/bin/bash\n"
  "user:x:1000:1000:user:/home/user:/bin/bash\n"
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char group_text[] =
  "root:x:0:\n"
  "user:x:1000:\n"
  "nogroup:x:65534:\n";

/* The system paths a sandbox sees; missing ones are skipped. /etc/profile.d is left out on
 * purpose: it holds the desktop's login hooks (flatpak, vte, …) that have no business in a
 * sandbox and cost every `bash -l` command about 100 ms. Directories are bound read-only; small
 * files are copied (see launch_add_system_path). */
static const char * const system_binds[] = {
  "/usr", "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf",
  "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/nsswitch.conf", "/etc/localtime",
  "/etc/timezone", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/profile",
  "/etc/bash.bashrc", "/etc/inputrc", "/etc/terminfo", "/etc/mime.types",
  "/etc/locale.alias", "/etc/default/locale", "/etc/environment", "/etc/npmrc", "/etc/pip.conf",
  "/etc/python3", "/etc/gitconfig", "/etc/os-release", "/etc/debian_version", "/etc/protocols",
  "/etc/services", "/etc/magic", "/etc/skel", "/opt", NULL
};

static void
add (GPtrArray  *argv,
     const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

/* A bubblewrap command line being built, with the descriptors it reads its inputs from: the
 * files of the engine's private directories are passed open, since bubblewrap runs under the
 * sandbox's unprivileged host uid and may not be able to reach them by path. */
typedef struct
{
  GPtrArray *argv;
  GArray *source_fds;
  GArray *target_fds;
  int next_target;
  uid_t uid;
  gid_t gid;
  char *home_dir;  /* the sandbox's directories, for an engine running as root */
  char *tmp_dir;
  gboolean staged;  /* the engine is root: drop_privileges () has work to do */
  gboolean workspace;  /* home_dir is a mounted workspace, checked against workspace_id */
  CcEngineWorkspaceId workspace_id;
  gboolean join;    /* enter join_netns (and join_userns, unless -1) instead of a new network */
  int join_netns;   /* owned, like join_userns; at JOIN_FD_MIN or above */
  int join_userns;
} Launch;

/* Above every number a child's descriptors are mapped to. */
#define JOIN_FD_MIN 64

/* Where an engine running as root shows bubblewrap the sandbox's directories (see
 * drop_privileges). */
#define ROOT_STAGE      "/tmp"
#define ROOT_STAGE_HOME ROOT_STAGE "/code-canvas-home"
#define ROOT_STAGE_TMP  ROOT_STAGE "/code-canvas-tmp"

/* A sandbox whose home is a person's workspace folder: the folder may be gone or replaced since
 * the sandbox was made, so it is checked at every launch. @ws_id (may be NULL) gets its id, or
 * NULL when the home is the engine's own. */
static gboolean
check_workspace (CcEngineSandbox            *sandbox,
                 const CcEngineWorkspaceId **ws_id,
                 GError                    **error)
{
  const CcEngineWorkspaceId *id = NULL;
  const char *home = cc_engine_sandbox_get_home_dir (sandbox);
  int fd;

  if (ws_id != NULL)
    *ws_id = NULL;
  if (cc_engine_sandbox_get_workspace (sandbox, &id) == NULL)
    return TRUE;
  fd = cc_engine_workspace_reopen (home, id);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The workspace folder %s is gone or was replaced; create the sandbox again"),
                   home);
      return FALSE;
    }
  close (fd);
  if (ws_id != NULL)
    *ws_id = id;
  return TRUE;
}

static void
launch_clear (Launch *launch)
{
  g_clear_pointer (&launch->argv, g_ptr_array_unref);
  if (launch->source_fds != NULL)
    for (guint i = 0; i < launch->source_fds->len; i++)
      close (g_array_index (launch->source_fds, int, i));
  g_clear_pointer (&launch->source_fds, g_array_unref);
  g_clear_pointer (&launch->target_fds, g_array_unref);
  g_clear_pointer (&launch->home_dir, g_free);
  g_clear_pointer (&launch->tmp_dir, g_free);
  if (launch->join && launch->join_netns >= 0)
    close (launch->join_netns);
  if (launch->join && launch->join_userns >= 0)
    close (launch->join_userns);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Launch, launch_clear)

/* Takes @fd; returns the number the child sees it as. */
static int
launch_pass_fd (Launch *launch,
                int     fd)
{
  int target = launch->next_target++;

  g_array_append_val (launch->source_fds, fd);
  g_array_append_val (launch->target_fds, target);
  return target;
}

/* Adds "@option FD @dest" (no @dest when NULL). Takes @fd. */
static void
launch_add_fd (Launch     *launch,
               const char *option,
               int         fd,
               const char *dest)
{
  char number[16];

  g_snprintf (number, sizeof number, "%d", launch_pass_fd (launch, fd));
  add (launch->argv, option);
  add (launch->argv, number);
  if (dest != NULL)
    add (launch->argv, dest);
}

/* @path opened to be read, or -1 with @error set. */
static int
open_for_sandbox (const char  *path,
                  GError     **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open %s for the sandbox: %s"), path, g_strerror (saved));
    }
  return fd;
}

/* Adds "--perms 0444 --file FD @dest": bubblewrap copies the content of @fd (taken) into a file
 * of the sandbox's own root, made read-only. */
static void
launch_add_copy (Launch     *launch,
                 int         fd,
                 const char *dest)
{
  add (launch->argv, "--perms"); add (launch->argv, "0444");
  launch_add_fd (launch, "--file", fd, dest);
}

/* launch_add_copy() of the file at @path. */
static gboolean
launch_add_copy_of (Launch      *launch,
                    const char  *path,
                    const char  *dest,
                    GError     **error)
{
  int fd = open_for_sandbox (path, error);

  if (fd < 0)
    return FALSE;
  launch_add_copy (launch, fd, dest);
  return TRUE;
}

/* Larger files are bound: a copy costs the sandbox's memory. */
#define SYSTEM_FILE_COPY_MAX (1024 * 1024)

/* One of system_binds at the same path in the sandbox. A small file anyone may read is copied
 * into the sandbox's root instead of bound: bubblewrap reads the whole mount table again after
 * each bind, and the thirty binds of /etc were half of its time (about 6 ms of 11 per sandbox
 * on a fast machine). A copy is what a bind of a file gives whenever the host replaces that
 * file (by rename, as package managers and editors do): the content at start. A file not
 * readable by others is bound, so that the host's permissions still apply to it, even when the
 * engine (root) could read it. */
static void
launch_add_system_path (Launch     *launch,
                        const char *path)
{
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  struct stat st;

  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return;
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & S_IROTH) &&
      st.st_size <= SYSTEM_FILE_COPY_MAX)
    {
      launch_add_copy (launch, fd, path);
      return;
    }
  if (fd >= 0)
    close (fd);
  add (launch->argv, "--ro-bind-try"); add (launch->argv, path); add (launch->argv, path);
}

/* "/proc/self/fd/N" without printf, which is not async-signal-safe. */
static void
fd_path (char *buf,
         int   fd)
{
  static const char prefix[] = "/proc/self/fd/";
  char digits[12];
  int n = 0;

  memcpy (buf, prefix, sizeof prefix - 1);
  do
    digits[n++] = '0' + fd % 10;
  while ((fd /= 10) > 0);
  for (int i = 0; i < n; i++)
    buf[sizeof prefix - 1 + i] = digits[n - 1 - i];
  buf[sizeof prefix - 1 + n] = '\0';
}

/* Runs in the child before bubblewrap: an engine running as root starts it as the sandbox's
 * unprivileged host uid, so the user namespace bubblewrap makes maps the sandbox's users to
 * that uid and never to 0. That uid cannot walk the engine's private directories to the
 * sandbox's own, so first, in a mount namespace of this child alone, they are bound where it
 * can reach them. System calls only: this runs between fork and exec. */
static void
drop_privileges (gpointer user_data)
{
  Launch *launch = user_data;
  char home_at[32], tmp_at[32];
  int home_fd, tmp_fd;

  /* A process group of its own: bubblewrap's child in the new PID namespace is not tied to it
   * until the launcher runs, and a launcher killed while still starting is killed as a group
   * (see mark_dead ()), or that child would be left behind. */
  setpgid (0, 0);
  /* First: once the uid is dropped, entering another launcher's namespaces is not allowed.
   * Failing closed, as bubblewrap was told not to make a network namespace of its own. */
  if (launch->join &&
      ((launch->join_userns >= 0 && setns (launch->join_userns, CLONE_NEWUSER) != 0) ||
       setns (launch->join_netns, CLONE_NEWNET) != 0))
    _exit (127);
  /* Not geteuid (): in a joined user namespace the uid may read as 0 there. */
  if (!launch->staged)
    return;

  if (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    _exit (126);
  /* Opened in the new namespace (binds take mounts of their own namespace only), before the
   * stage hides them: they may well lie under /tmp. */
  home_fd = launch->workspace ? cc_engine_workspace_reopen (launch->home_dir, &launch->workspace_id)
                             : open (launch->home_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  tmp_fd = open (launch->tmp_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (home_fd < 0 || tmp_fd < 0)
    _exit (126);
  fd_path (home_at, home_fd);
  fd_path (tmp_at, tmp_fd);
  if (mount ("tmpfs", ROOT_STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") != 0 ||
      mkdir (ROOT_STAGE_HOME, 0755) != 0 || mkdir (ROOT_STAGE_TMP, 0755) != 0 ||
      mount (home_at, ROOT_STAGE_HOME, NULL, MS_BIND, NULL) != 0 ||
      mount (tmp_at, ROOT_STAGE_TMP, NULL, MS_BIND, NULL) != 0)
    _exit (126);
  close (home_fd);
  close (tmp_fd);
  if (setgroups (0, NULL) != 0 || setresgid (launch->gid, launch->gid, launch->gid) != 0 ||
      setresuid (launch->uid, launch->uid, launch->uid) != 0)
    _exit (126);
}

/* Everything up to "--": the sandbox's namespaces, its file system view and the system-call
 * filter. @as_pid_1 makes the program bubblewrap runs the PID namespace's init: the kernel
 * then drops every signal sent to it from inside that it has no handler for, SIGKILL and
 * SIGSTOP included. */
static gboolean
launch_init (Launch           *launch,
             const char       *runtime_dir,
             CcEngineSandbox  *sandbox,
             const char       *user,
             const char       *cwd,
             gboolean          as_pid_1,
             GError          **error)
{
  g_autofree char *passwd = g_build_filename (runtime_dir, "sandbox-passwd", NULL);
  g_autofree char *group = g_build_filename (runtime_dir, "sandbox-group", NULL);
  g_autofree char *profile = g_build_filename (runtime_dir, "sandbox-profile", NULL);
  g_autofree char *seccomp = g_build_filename (runtime_dir,
                                              cc_engine_sandbox_get_nested_userns (sandbox)
                                                ? CC_ENGINE_SECCOMP_NESTED_FILE : CC_ENGINE_SECCOMP_FILE,
                                              NULL);
  gboolean own_profile = g_file_test (profile, G_FILE_TEST_EXISTS);
  gboolean root = g_strcmp0 (user, "root") == 0;
  char id[16];

  launch->argv = g_ptr_array_new_with_free_func (g_free);
  launch->source_fds = g_array_new (FALSE, FALSE, sizeof (int));
  launch->target_fds = g_array_new (FALSE, FALSE, sizeof (int));
  launch->next_target = 10;
  cc_engine_isolation_sandbox_ids (sandbox, &launch->uid, &launch->gid);

  add (launch->argv, "bwrap");
  add (launch->argv, "--new-session");
  add (launch->argv, "--die-with-parent");
  /* Always a user namespace: the sandbox's root has capabilities only over what the
   * namespace owns, never over the host's files. */
  add (launch->argv, "--unshare-user");
  /* Said, not assumed: bubblewrap keeps a root sandbox's capabilities when it starts with some,
   * as it does after entering the other launcher's namespaces. */
  add (launch->argv, "--cap-drop"); add (launch->argv, "ALL");
  g_snprintf (id, sizeof id, "%d", root ? 0 : 1000);
  add (launch->argv, "--uid"); add (launch->argv, id);
  add (launch->argv, "--gid"); add (launch->argv, id);
  add (launch->argv, "--unshare-pid");
  if (!launch->join)
    cc_engine_netns_add_bwrap_args (launch->argv);
  if (as_pid_1)
    add (launch->argv, "--as-pid-1");
  add (launch->argv, "--unshare-uts");
  /* SysV shared memory, semaphores and message queues are per IPC namespace: in the host's, a
   * sandbox could read, change and remove its user's (X11's MIT-SHM among them) and another
   * sandbox's. */
  add (launch->argv, "--unshare-ipc");
  add (launch->argv, "--unshare-cgroup-try");
  add (launch->argv, "--hostname"); add (launch->argv, "sandbox");
  if (g_file_test (seccomp, G_FILE_TEST_EXISTS))
    {
      int fd = open_for_sandbox (seccomp, error);

      if (fd < 0)
        return FALSE;
      launch_add_fd (launch, "--seccomp", fd, NULL);
    }

  for (guint i = 0; system_binds[i]; i++)
    {
      if (own_profile && g_str_equal (system_binds[i], "/etc/profile"))
        {
          if (!launch_add_copy_of (launch, profile, "/etc/profile", error))
            return FALSE;
          continue;
        }
      launch_add_system_path (launch, system_binds[i]);
    }
  add (launch->argv, "--symlink"); add (launch->argv, "usr/bin"); add (launch->argv, "/bin");
  add (launch->argv, "--symlink"); add (launch->argv, "usr/sbin"); add (launch->argv, "/sbin");
  add (launch->argv, "--symlink"); add (launch->argv, "usr/lib"); add (launch->argv, "/lib");
  add (launch->argv, "--symlink"); add (launch->argv, "usr/lib64"); add (launch->argv, "/lib64");
  add (launch->argv, "--symlink"); add (launch->argv, "usr/lib32"); add (launch->argv, "/lib32");
  if (!launch_add_copy_of (launch, passwd, "/etc/passwd", error) ||
      !launch_add_copy_of (launch, group, "/etc/group", error))
    return FALSE;
  /* bubblewrap covers /proc/sys, /proc/sysrq-trigger, /proc/irq and /proc/bus read-only. */
  add (launch->argv, "--proc"); add (launch->argv, "/proc");
  add (launch->argv, "--dev"); add (launch->argv, "/dev");
  add (launch->argv, "--tmpfs"); add (launch->argv, "/var");
  add (launch->argv, "--symlink"); add (launch->argv, "../tmp"); add (launch->argv, "/var/tmp");
  launch->home_dir = g_strdup (cc_engine_sandbox_get_home_dir (sandbox));
  launch->tmp_dir = g_strdup (cc_engine_sandbox_get_tmp_dir (sandbox));
  launch->staged = geteuid () == 0;
  {
    const CcEngineWorkspaceId *ws_id = NULL;

    /* Checked again in the child of a root engine, which binds that very directory; bubblewrap
     * of an engine that is not root binds it by path right after. */
    if (!check_workspace (sandbox, &ws_id, error))
      return FALSE;
    if (ws_id != NULL)
      {
        launch->workspace = TRUE;
        launch->workspace_id = *ws_id;
      }
  }
  {
    const char *home = launch->staged ? ROOT_STAGE_HOME : launch->home_dir;

    add (launch->argv, "--bind"); add (launch->argv, launch->staged ? ROOT_STAGE_TMP : launch->tmp_dir);
    add (launch->argv, "/tmp");
    add (launch->argv, "--bind"); add (launch->argv, home); add (launch->argv, "/home/user");
    if (root)
      {
        add (launch->argv, "--bind"); add (launch->argv, home); add (launch->argv, "/root");
      }
  }
  add (launch->argv, "--chdir"); add (launch->argv, cwd);
  add (launch->argv, "--");
  return TRUE;
}

/* The launcher's process limit (CC_LAUNCHER_PROCESS_LIMIT), as its argument; tests lower it
 * with CODE_CANVAS_ENGINE_PROCESS_LIMIT. */
static char *
process_limit (void)
{
  const char *text = g_getenv ("CODE_CANVAS_ENGINE_PROCESS_LIMIT");
  guint64 value = CC_LAUNCHER_PROCESS_LIMIT;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &value, NULL))
    value = CC_LAUNCHER_PROCESS_LIMIT;
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/* Hands the sandbox's two directories to its host uid (an engine running as root made them). */
static void
own_sandbox_dirs (CcEngineSandbox *sandbox)
{
  const char *dirs[] = { cc_engine_sandbox_get_tmp_dir (sandbox), cc_engine_sandbox_get_home_dir (sandbox) };
  /* A workspace keeps its owner, whom the sandbox runs as. */
  guint n = cc_engine_sandbox_get_workspace (sandbox, NULL) != NULL ? 1 : G_N_ELEMENTS (dirs);

  for (guint i = 0; i < n; i++)
    {
      int fd = open (dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      cc_engine_isolation_own_fd_for (sandbox, fd);
      if (fd >= 0)
        close (fd);
    }
}

static gboolean
launch_spawn (Launch       *launch,
              GSpawnFlags   flags,
              const int    *extra_source,
              const int    *extra_target,
              guint         n_extra,
              int           stderr_fd,
              GPid         *pid,
              GError      **error)
{
  const char * const envp[] = { "PATH=" CC_ENGINE_SANDBOX_PATH, NULL };
  g_autoptr(GArray) source = g_array_copy (launch->source_fds);
  g_autoptr(GArray) target = g_array_copy (launch->target_fds);

  g_ptr_array_add (launch->argv, NULL);
  g_array_append_vals (source, extra_source, n_extra);
  g_array_append_vals (target, extra_target, n_extra);
  /* bwrap is searched in the engine's PATH; what runs inside finds its programs with the
   * sandbox's PATH (the launcher passes each command's own environment). */
  return g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) launch->argv->pdata, envp,
                                           flags | G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                                           drop_privileges, launch, -1, -1, stderr_fd,
                                           (const int *) source->data, (const int *) target->data,
                                           source->len, pid, NULL, NULL, NULL, error);
}

gboolean
cc_engine_spawn_start_launcher (const char       *runtime_dir,
                                CcEngineSandbox  *sandbox,
                                const char       *user,
                                int               sock,
                                int               exe,
                                int               join_netns,
                                int               join_userns,
                                GPid             *pid,
                                GError          **error)
{
  g_auto(Launch) launch = { .join = join_netns >= 0, .join_netns = -1, .join_userns = -1 };
  const int source[] = { sock, exe };
  const int target[] = { 3, 4 };
  int null_fd;
  gboolean ok;

  own_sandbox_dirs (sandbox);
  if (!launch_init (&launch, runtime_dir, sandbox, user, cc_engine_sandbox_user_home (user), TRUE, error))
    return FALSE;
  /* The child gets its descriptors at 3, 4 and from 10 up before drop_privileges () runs: the
   * namespaces it enters then are moved above those numbers, or one could be replaced by a
   * file of the sandbox and the launcher would fail to start. */
  g_assert (launch.next_target < JOIN_FD_MIN);
  if (launch.join &&
      ((launch.join_netns = fcntl (join_netns, F_DUPFD_CLOEXEC, JOIN_FD_MIN)) < 0 ||
       (join_userns >= 0 && (launch.join_userns = fcntl (join_userns, F_DUPFD_CLOEXEC, JOIN_FD_MIN)) < 0)))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not prepare the sandbox launcher: %s"), g_strerror (saved));
      return FALSE;
    }
  /* The launcher program, passed as descriptor 4: nothing of the host's file system needs to
   * be mounted for it. Descriptor 3 is the launcher's socket. */
  add (launch.argv, "/proc/self/fd/4");
  add (launch.argv, "--sandbox-launcher");
  add (launch.argv, "3");
  g_ptr_array_add (launch.argv, process_limit ());
  /* Not the engine's stderr: it may be the terminal the engine was started from. */
  null_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  ok = launch_spawn (&launch, 0, source, target, G_N_ELEMENTS (source), null_fd, pid, error);
  if (null_fd >= 0)
    close (null_fd);
  return ok;
}

/* The flatpak-spawn command line that runs @argv in a sandbox seeing only @sandbox's
 * directories. flatpak-spawn passes --directory to the new sandbox, which fails unless the same
 * path is exposed. */
static GPtrArray *
flatpak_argv (CcEngineSandbox  *sandbox,
              const char       *home,
              const char       *tmp,
              GError          **error)
{
  g_autofree char *flatpak_spawn = cc_engine_host_find_flatpak_spawn ("/", g_getenv ("PATH"));
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  if (flatpak_spawn == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("flatpak-spawn is not in the Flatpak runtime"));
      return NULL;
    }
  g_ptr_array_add (argv, g_steal_pointer (&flatpak_spawn));
  add (argv, "--sandbox");
  /* The sandbox ends with the app's session bus connection, that is, with the engine. */
  add (argv, "--watch-bus");
  /* Not --clear-env: the portal would then start `flatpak run` itself with no environment, and
   * an installation found through $HOME rather than the password database would not be found.
   * The launcher's own environment reaches no command: each gets the one the engine builds. */
  g_ptr_array_add (argv, g_strconcat ("--sandbox-expose-path=", home, NULL));
  g_ptr_array_add (argv, g_strconcat ("--sandbox-expose-path=", tmp, NULL));
  g_ptr_array_add (argv, g_strconcat ("--directory=", home, NULL));
  if (sandbox != NULL && !cc_engine_sandbox_get_internet (sandbox))
    add (argv, "--no-network");
  return g_steal_pointer (&argv);
}

gboolean
cc_engine_spawn_start_flatpak_launcher (CcEngineSandbox  *sandbox,
                                        const char       *program,
                                        int               sock,
                                        GPid             *pid,
                                        GError          **error)
{
  const char *home = cc_engine_sandbox_get_home_dir (sandbox);
  g_autoptr(GPtrArray) argv = NULL;
  const int source[] = { sock };
  const int target[] = { 3 };

  if (!check_workspace (sandbox, NULL, error))
    return FALSE;
  argv = flatpak_argv (sandbox, home, cc_engine_sandbox_get_tmp_dir (sandbox), error);
  if (argv == NULL)
    return FALSE;
  add (argv, "--forward-fd=3");
  /* The app's own launcher: /app is the same in the new sandbox. */
  add (argv, program);
  add (argv, "--sandbox-launcher");
  add (argv, "3");
  g_ptr_array_add (argv, process_limit ());
  g_ptr_array_add (argv, NULL);
  /* flatpak-spawn talks to the portal on the session bus, so it keeps the engine's
   * environment. */
  return g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                                           G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                           NULL, NULL, -1, -1, -1, source, target,
                                           G_N_ELEMENTS (source), pid, NULL, NULL, NULL, error);
}

GStrv
cc_engine_spawn_build_argv (const char      *cmd,
                            JsonArray       *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  add (argv, cmd);
  if (args != NULL)
    for (guint i = 0; i < json_array_get_length (args); i++)
      add (argv, json_array_get_string_element (args, i));
  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (argv, FALSE);
}

/* Sets NAME=value in @envp, replacing an earlier NAME: @index maps each name to its slot, so a
 * request with many variables costs linear time (g_environ_setenv() scans the whole array). */
static void
envp_set (GPtrArray  *envp,
          GHashTable *index,
          const char *name,
          const char *value)
{
  gpointer slot;
  char *entry = g_strconcat (name, "=", value, NULL);

  if (g_hash_table_lookup_extended (index, name, NULL, &slot))
    {
      guint i = GPOINTER_TO_UINT (slot);

      g_free (envp->pdata[i]);
      envp->pdata[i] = entry;
      return;
    }
  g_hash_table_insert (index, (gpointer) name, GUINT_TO_POINTER (envp->len));
  g_ptr_array_add (envp, entry);
}

/* What the machine adds: inside a Flatpak, the app's directories on PATH and npm's cache and
 * global prefix in the sandbox's home (Node's own prefix, /app/node, is read-only); with a
 * corporate CA configured, a bundle of the system's CAs plus it in the sandbox's /tmp, named by
 * the variables TLS clients read. Before the sandbox's own variables, which may override. */
static void
add_host_env (GPtrArray       *envp,
              GHashTable      *index,
              gboolean         isolated,
              CcEngineSandbox *sandbox,
              const char      *home)
{
  const char *ca_file = g_getenv (CC_ENGINE_CA_FILE_ENV);

  if (cc_engine_host_in_flatpak ("/"))
    {
      g_autofree char *cache = g_build_filename (home, ".npm", NULL);
      g_autofree char *prefix = g_build_filename (home, ".npm-global", NULL);
      g_autofree char *system_path = cc_engine_host_sandbox_path ("/");
      g_autofree char *path = g_strconcat (prefix, "/bin:", system_path, NULL);

      envp_set (envp, index, "PATH", path);
      envp_set (envp, index, "npm_config_cache", cache);
      envp_set (envp, index, "npm_config_prefix", prefix);
    }

  if (ca_file != NULL && *ca_file != '\0')
    {
      g_autofree char *host_bundle = g_build_filename (cc_engine_sandbox_get_tmp_dir (sandbox),
                                                       CC_ENGINE_CA_BUNDLE_NAME, NULL);
      g_autoptr(GError) error = NULL;
      const char *bundle = isolated ? "/tmp/" CC_ENGINE_CA_BUNDLE_NAME : host_bundle;

      if (!cc_engine_host_write_ca_bundle ("/", ca_file, host_bundle, &error))
        {
          g_warning ("Sandbox commands get no extra CA certificates: %s", error->message);
          return;
        }
      /* Node (npm, Vite), OpenSSL, curl, Python requests and git each read their own. */
      envp_set (envp, index, "NODE_EXTRA_CA_CERTS", bundle);
      envp_set (envp, index, "SSL_CERT_FILE", bundle);
      envp_set (envp, index, "CURL_CA_BUNDLE", bundle);
      envp_set (envp, index, "REQUESTS_CA_BUNDLE", bundle);
      envp_set (envp, index, "GIT_SSL_CAINFO", bundle);
    }
}

GStrv
cc_engine_spawn_build_envp (gboolean         isolated,
                            CcEngineSandbox *sandbox,
                            const char      *user,
                            JsonObject      *envs)
{
  g_autoptr(GPtrArray) envp = g_ptr_array_new_with_free_func (g_free);
  /* Keys borrowed from the callers' strings, which outlive this call. */
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) names = NULL;
  const char *home = isolated ? cc_engine_sandbox_user_home (user) : cc_engine_sandbox_get_home_dir (sandbox);
  GHashTableIter iter;
  gpointer key, value;

  envp_set (envp, index, "PATH", CC_ENGINE_SANDBOX_PATH);
  envp_set (envp, index, "HOME", home);
  envp_set (envp, index, "USER", user);
  envp_set (envp, index, "LOGNAME", user);
  if (!isolated)
    envp_set (envp, index, "TMPDIR", cc_engine_sandbox_get_tmp_dir (sandbox));
  add_host_env (envp, index, isolated, sandbox, home);

  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_env_vars (sandbox));
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(const char *) key != '\0' && strchr (key, '=') == NULL)
      envp_set (envp, index, key, value);

  if (envs != NULL)
    names = json_object_get_members (envs);
  for (GList *l = names; l; l = l->next)
    {
      JsonNode *node = json_object_get_member (envs, l->data);

      if (*(const char *) l->data == '\0' || strchr (l->data, '=') != NULL)
        continue;
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        envp_set (envp, index, l->data, json_node_get_string (node));
    }
  g_ptr_array_add (envp, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&envp), FALSE);
}

/* Every command is `bash -l -c …`, which reads /etc/profile; Debian's forks `id -u` there to
 * pick PATH, a good part of a short command's time. The sandboxes get a copy that asks bash's
 * own $EUID first (other shells still run id). Without a host /etc/profile there is nothing
 * to copy, and a stale copy is removed. */
static void
write_profile (const char *runtime_dir)
{
  g_autofree char *path = g_build_filename (runtime_dir, "sandbox-profile", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *patched = NULL;

  if (!g_file_get_contents ("/etc/profile", &text, NULL, NULL) || strstr (text, "\"$(id -u)\"") == NULL)
    {
      g_unlink (path);
      return;
    }
  parts = g_strsplit (text, "\"$(id -u)\"", -1);
  patched = g_strjoinv ("\"${EUID:-$(id -u)}\"", parts);
  if (!g_file_set_contents_full (path, patched, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, NULL))
    g_unlink (path);
}

/* The probes wait this long at most: a portal or a bubblewrap that never answers must not keep
 * the engine from starting. */
#define PROBE_LIMIT_S 30

/* Reads the child @pid's stderr from @err_fd (taken) until it ends, for at most PROBE_LIMIT_S
 * seconds (then the child is killed), and reaps it. NULL when it exited 0, else why not: what
 * it wrote, or its status. */
static char *
probe_wait (GPid pid,
            int  err_fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) err_text = g_string_new (NULL);
  gint64 until = g_get_monotonic_time () + PROBE_LIMIT_S * G_USEC_PER_SEC;
  gboolean timed_out = FALSE;
  int status = 0;

  for (;;)
    {
      struct pollfd p = { .fd = err_fd, .events = POLLIN };
      gint64 left = (until - g_get_monotonic_time ()) / 1000;
      char buf[512];
      gssize n;

      if (left <= 0)
        {
          timed_out = TRUE;
          kill (pid, SIGKILL);
          break;
        }
      if (poll (&p, 1, (int) left) < 0 && errno != EINTR)
        break;
      if (p.revents == 0)
        continue;
      n = read (err_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      if (err_text->len < 4096)
        g_string_append_len (err_text, buf, n);
    }
  close (err_fd);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pid);
  if (timed_out)
    return g_strdup_printf (_("no answer within %u seconds"), PROBE_LIMIT_S);
  if (!g_spawn_check_wait_status (status, &error))
    {
      g_strstrip (err_text->str);
      return g_strdup (*err_text->str ? err_text->str : error->message);
    }
  return NULL;
}

/* Runs @launch's bubblewrap with @script and says why it failed, or NULL. */
static char *
run_probe (Launch     *launch,
           const char *script)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;
  int pipe_fds[2];
  GPid pid = 0;
  gboolean ok;

  add (launch->argv, "/bin/sh");
  add (launch->argv, "-c");
  add (launch->argv, script);
  if (!g_unix_open_pipe (pipe_fds, FD_CLOEXEC, &error))
    return g_strdup_printf (_("bubblewrap could not be started: %s"), error->message);
  ok = launch_spawn (launch, 0, NULL, NULL, 0, pipe_fds[1], &pid, &error);
  close (pipe_fds[1]);
  if (!ok)
    {
      close (pipe_fds[0]);
      return g_strdup_printf (_("bubblewrap could not be started: %s"), error->message);
    }
  failure = probe_wait (pid, pipe_fds[0]);
  if (failure != NULL)
    return g_strdup_printf (_("bubblewrap does not work here (%s)"), failure);
  return NULL;
}

gboolean
cc_engine_spawn_probe_launcher (JsonArray  *facts,
                                char      **reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *launcher = cc_engine_host_find_launcher (&error);

  *reason = NULL;
  if (launcher != NULL)
    return TRUE;
  *reason = g_strdup (error->message);
  cc_engine_isolation_fact_add (facts, "launcher", FALSE, *reason);
  return FALSE;
}

gboolean
cc_engine_spawn_probe (const char  *runtime_dir,
                       JsonArray   *facts,
                       char       **reason)
{
  g_autofree char *passwd = g_build_filename (runtime_dir, "sandbox-passwd", NULL);
  g_autofree char *group = g_build_filename (runtime_dir, "sandbox-group", NULL);
  g_autofree char *probe_dir = g_build_filename (runtime_dir, "probe", NULL);
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineSandbox) fake = NULL;
  g_auto(Launch) launch = { .join_netns = -1, .join_userns = -1 };
  uid_t uid;
  gid_t gid;

  *reason = NULL;
  if (g_getenv ("CODE_CANVAS_ENGINE_NO_BWRAP") != NULL)
    {
      *reason = g_strdup (_("bubblewrap was turned off with CODE_CANVAS_ENGINE_NO_BWRAP"));
      cc_engine_isolation_fact_add (facts, "bubblewrap", FALSE, *reason);
      return FALSE;
    }
  if (bwrap == NULL)
    {
      *reason = g_strdup (_("bubblewrap (bwrap) is not installed; install the bubblewrap package"));
      cc_engine_isolation_fact_add (facts, "bubblewrap", FALSE, *reason);
      return FALSE;
    }
  if (!g_file_set_contents_full (passwd, passwd_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error) ||
      !g_file_set_contents_full (group, group_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      *reason = g_strdup_printf (_("Could not write the sandbox user database: %s"), error->message);
      cc_engine_isolation_fact_add (facts, "bubblewrap", FALSE, *reason);
      return FALSE;
    }

  write_profile (runtime_dir);

  /* The probe runs exactly the launch a command gets, in a throwaway sandbox. */
  fake = cc_engine_sandbox_new (probe_dir, "probe");
  g_mkdir_with_parents (cc_engine_sandbox_get_home_dir (fake), 0755);
  g_mkdir_with_parents (cc_engine_sandbox_get_tmp_dir (fake), 0755);
  own_sandbox_dirs (fake);
  if (!launch_init (&launch, runtime_dir, fake, "user", "/home/user", FALSE, &error))
    *reason = g_strdup_printf (_("bubblewrap could not be prepared: %s"), error->message);
  else
    *reason = run_probe (&launch, "test \"$(id -u)\" = 1000 && test -w /home/user && test ! -e /etc/shadow");

  cc_engine_isolation_host_ids (&uid, &gid);
  if (*reason == NULL)
    {
      g_autofree char *detail = g_strdup_printf (_("Sandbox users (root included) are host uid %u, "
                                                   "without capabilities on the host"), (guint) uid);

      cc_engine_isolation_fact_add (facts, "user-namespace", TRUE, detail);
      cc_engine_isolation_fact_add (facts, "launcher", TRUE,
                                    _("Each sandbox's launcher is the init of its PID namespace, "
                                      "not dumpable, in its own session, and holds only its "
                                      "control socket"));
    }
  else
    cc_engine_isolation_fact_add (facts, "user-namespace", FALSE, *reason);

  g_rmdir (cc_engine_sandbox_get_home_dir (fake));
  g_rmdir (cc_engine_sandbox_get_tmp_dir (fake));
  {
    g_autofree char *d1 = g_build_filename (probe_dir, "sandboxes", NULL);
    g_autofree char *d2 = g_build_filename (probe_dir, "tmp", NULL);

    g_rmdir (d1);
    g_rmdir (d2);
    g_rmdir (probe_dir);
  }
  return *reason == NULL;
}

gboolean
cc_engine_spawn_probe_flatpak (const char  *data_dir,
                               JsonArray   *facts,
                               char       **reason)
{
  g_autofree char *probe_dir = g_build_filename (data_dir, "probe", NULL);
  g_autofree char *home = g_build_filename (probe_dir, "home", NULL);
  g_autofree char *tmp = g_build_filename (probe_dir, "tmp", NULL);
  g_autofree char *hidden = g_build_filename (data_dir, "state", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *failure = NULL;

  *reason = NULL;
  g_mkdir_with_parents (home, 0700);
  g_mkdir_with_parents (tmp, 0700);
  g_mkdir_with_parents (hidden, 0700);
  argv = flatpak_argv (NULL, home, tmp, &error);
  if (argv == NULL)
    failure = g_strdup (error->message);
  else
    {
      GPid pid = 0;
      int err_fd = -1;

      /* Exactly the launch a launcher gets: it starts in its directory, may write there, and
       * sees nothing else of the engine's data. */
      add (argv, "/bin/sh");
      add (argv, "-c");
      add (argv, "[ \"$(pwd -P)\" = \"$1\" ] || { echo \"it starts in $(pwd -P)\" >&2; exit 1; }; "
                 "[ -w . ] || { echo 'its directory is read-only' >&2; exit 1; }; "
                 "[ ! -e \"$2\" ] || { echo 'the engine data is visible in it' >&2; exit 1; }");
      add (argv, "sh");
      add (argv, home);
      add (argv, hidden);
      g_ptr_array_add (argv, NULL);
      if (g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL,
                                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL |
                                            G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, -1, -1, -1,
                                            NULL, NULL, 0, &pid, NULL, NULL, &err_fd, &error))
        failure = probe_wait (pid, err_fd);
      else
        failure = g_strdup (error->message);
    }
  g_rmdir (home);
  g_rmdir (tmp);
  g_rmdir (probe_dir);
  if (failure != NULL)
    {
      *reason = g_strdup_printf (_("flatpak-spawn --sandbox does not work here (%s)"), failure);
      cc_engine_isolation_fact_add (facts, "flatpak-spawn", FALSE, *reason);
      return FALSE;
    }
  cc_engine_isolation_fact_add (facts, "flatpak-spawn", TRUE,
                                _("Each sandbox runs in a Flatpak sandbox of its own "
                                  "(flatpak-spawn --sandbox): its own processes and /tmp, the "
                                  "runtime read-only, of the app's files only its own folders, no "
                                  "display and no D-Bus"));
  cc_engine_isolation_fact_add (facts, "launcher", TRUE,
                                _("Each sandbox's launcher is not dumpable, in its own session, "
                                  "and holds only its control socket; it opens terminals and "
                                  "delivers signals inside the sandbox"));
  cc_engine_isolation_fact_add (facts, "seccomp", TRUE,
                                _("Flatpak's system-call filter applies: no terminal injection "
                                  "(TIOCSTI, TIOCLINUX), kernel keyring, perf_event_open or new "
                                  "user namespaces"));
  cc_engine_isolation_fact_add (facts, "user-namespace", FALSE,
                                _("No user namespace inside the Flatpak: sandbox users, root "
                                  "included, are the app's own user, without capabilities"));
  return TRUE;
}
