/* cc-engine-launcher.h: one long-lived process launcher per running sandbox and user
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* The wire between the engine and `code-canvas-engine --sandbox-launcher FD` (a SOCK_SEQPACKET
 * socketpair). Engine → launcher: a CcLauncherSpawn record with exactly four descriptors as
 * SCM_RIGHTS: stdin, stdout, stderr, and a memfd holding one GVariant of
 * CC_LAUNCHER_REQUEST_TYPE (argv, envp, cwd as byte strings, pty). The request travels in a
 * file because a command may carry as much as execve() takes, far more than one datagram.
 * Launcher → engine: CcLauncherReply records. */
#define CC_LAUNCHER_REQUEST_TYPE   "(aayaayayb)"
#define CC_LAUNCHER_REQUEST_FORMAT "(^a&ay^a&ay^&ayb)"
/* execve()'s own bound (ARG_MAX) on argv and envp together. */
#define CC_LAUNCHER_MAX_REQUEST    (2 * 1024 * 1024)
#define CC_LAUNCHER_SPAWN_MAGIC    0x43435350u

typedef struct
{
  guint32 magic;
  guint32 size;  /* of the request in the memfd */
} CcLauncherSpawn;

enum
{
  CC_LAUNCHER_STARTED = 1,  /* sent by the new child itself: pid (its own namespace) */
  CC_LAUNCHER_FAILED,       /* value = errno */
  CC_LAUNCHER_EXITED,       /* pid (launcher's namespace), value = wait status */
  CC_LAUNCHER_SOCKET,       /* a TCP socket connecting inside, as SCM_RIGHTS; value = 0 */
};

/* Engine → launcher, with no descriptors: connect to the sandbox's own loopback port. The
 * answer is CC_LAUNCHER_SOCKET (connected or in progress) or CC_LAUNCHER_FAILED. Port 0 asks
 * for the launcher's network namespace instead. */
#define CC_LAUNCHER_CONNECT_MAGIC 0x4343434eu

typedef struct
{
  guint32 magic;
  guint32 port;
} CcLauncherConnect;

typedef struct
{
  guint32 type;
  gint32  pid;
  gint32  value;
} CcLauncherReply;

/* The hidden `--sandbox-launcher FD` mode of the engine binary. */
int cc_engine_launcher_main (int sock);

#define CC_TYPE_ENGINE_LAUNCHER (cc_engine_launcher_get_type ())
G_DECLARE_FINAL_TYPE (CcEngineLauncher, cc_engine_launcher, CC, ENGINE_LAUNCHER, GObject)

/* Called once per launched process with its wait status (SIGKILL's when the launcher died). */
typedef void (*CcEngineLauncherExitFunc) (GObject *owner,
                                          int      wait_status);

/* The running launcher of @sandbox for @user, started if there is none (or the last one died).
 * NULL with @error when it cannot be started. */
CcEngineLauncher *cc_engine_launcher_get      (CcEngineSandbox           *sandbox,
                                               const char                *user,
                                               const char                *runtime_dir,
                                               GError                   **error);
/* Starts @argv in the launcher's namespaces with @fds as stdin, stdout, stderr (a terminal's
 * slave for all three when @pty). @exit_func gets @owner (kept referenced) when it ends. Returns
 * the pid in the engine's namespace, the leader of its own session and process group. */
gboolean          cc_engine_launcher_spawn    (CcEngineLauncher          *self,
                                               const char * const        *argv,
                                               const char * const        *envp,
                                               const char                *cwd,
                                               gboolean                   pty,
                                               const int                 *fds,
                                               GObject                   *owner,
                                               CcEngineLauncherExitFunc   exit_func,
                                               GPid                      *host_pid,
                                               GError                   **error);
/* A TCP socket (non-blocking, connected or still connecting) to @port on the sandbox's own
 * loopback, made inside its network namespace. -1 with @error (G_IO_ERROR_CONNECTION_REFUSED
 * when nothing listens there). */
int               cc_engine_launcher_connect  (CcEngineLauncher          *self,
                                               guint                      port,
                                               GError                   **error);
/* Loads @sandbox's network rules, as they are now, into its running network; loads are done one
 * at a time in the order asked. Done at once when the sandbox has no network yet: the rules are
 * loaded when it is made, before pasta gives it outbound traffic. */
void              cc_engine_launcher_load_rules_async  (CcEngineSandbox     *sandbox,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean          cc_engine_launcher_load_rules_finish (GAsyncResult        *result,
                                                        GError             **error);
/* Appends the host pids of @sandbox's running launchers' bubblewrap (as ints) to @pids. */
void              cc_engine_launcher_collect_pids (CcEngineSandbox       *sandbox,
                                                   GArray                *pids);
/* Kills every launcher of @sandbox and with it every process they started (pause, kill,
 * shutdown). Their owners get a SIGKILL wait status. */
void              cc_engine_launcher_stop_all (CcEngineSandbox           *sandbox);

G_END_DECLS
