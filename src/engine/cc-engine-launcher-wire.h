/* cc-engine-launcher-wire.h: the messages between the engine and a sandbox's launcher
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the engine (cc-engine-launcher.c) and the launcher program
 * (cc-engine-launcher-main.c), which links GLib alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The wire between the engine and `code-canvas-launcher --sandbox-launcher FD` (a SOCK_SEQPACKET
 * socketpair). Engine → launcher: a CcLauncherSpawn record followed by the request, one GVariant
 * of CC_LAUNCHER_REQUEST_TYPE (argv, envp, cwd as byte strings, pty, its columns and rows), with
 * stdin, stdout and stderr as SCM_RIGHTS (none for a terminal). A request over
 * CC_LAUNCHER_INLINE_MAX bytes comes in a memfd instead, passed after the other descriptors: a
 * command may carry as much as execve() takes, far more than one datagram should hold, but a file
 * made, filled, passed and read for every command cost more than most requests. A terminal is
 * opened by the launcher, in the sandbox's own /dev/pts: one from outside would not be a terminal
 * there (`tty` says "not a tty"). Its master comes back as CC_LAUNCHER_PTY before
 * CC_LAUNCHER_STARTED.
 * Launcher → engine: CcLauncherReply records. */
#define CC_LAUNCHER_REQUEST_TYPE   "(aayaayaybqq)"
#define CC_LAUNCHER_REQUEST_FORMAT "(^a&ay^a&ay^&aybqq)"
/* execve()'s own bound (ARG_MAX) on argv and envp together. */
#define CC_LAUNCHER_MAX_REQUEST    (2 * 1024 * 1024)
#define CC_LAUNCHER_INLINE_MAX     (16 * 1024)
#define CC_LAUNCHER_SPAWN_MAGIC    0x43435350u

/* `--sandbox-launcher FD [LIMIT]`: the launcher and its commands may be at most LIMIT processes
 * of their user in the sandbox (RLIMIT_NPROC, counted per user namespace): a fork bomb in a
 * sandbox stops there, rather than at the host's last pid. Podman's default is 2048. */
#define CC_LAUNCHER_PROCESS_LIMIT  4096

typedef struct
{
  guint32 magic;
  guint32 size;  /* of the request, in the memfd or after this record */
} CcLauncherSpawn;

enum
{
  CC_LAUNCHER_STARTED = 1,  /* sent by the new child itself: pid (its own namespace) */
  CC_LAUNCHER_FAILED,       /* value = errno */
  CC_LAUNCHER_EXITED,       /* pid (launcher's namespace), value = wait status */
  CC_LAUNCHER_SOCKET,       /* a TCP socket connecting inside, as SCM_RIGHTS; value = 0 */
  CC_LAUNCHER_PTY,          /* a terminal's master, as SCM_RIGHTS */
  CC_LAUNCHER_OWNS,         /* pid = the port asked about, value = 1 when a process of this
                             * sandbox listens on it */
};

/* Engine → launcher, with no descriptors: connect to the sandbox's own loopback port. The
 * answer is CC_LAUNCHER_SOCKET (connected or in progress) or CC_LAUNCHER_FAILED. Port 0 asks
 * for the launcher's network namespace instead.
 * CONNECT_OWN does the same only when a process of this sandbox listens on the port, and
 * fails with EADDRINUSE when something else does: for sandboxes that share one network
 * (flatpak-spawn with internet access), where port N may well be another sandbox's server.
 * OWNS only asks that question (CC_LAUNCHER_OWNS). */
#define CC_LAUNCHER_CONNECT_MAGIC     0x4343434eu
#define CC_LAUNCHER_CONNECT_OWN_MAGIC 0x4343434fu
#define CC_LAUNCHER_OWNS_MAGIC        0x4343444fu

typedef struct
{
  guint32 magic;
  guint32 port;
} CcLauncherConnect;

/* Engine → launcher, no answer: kill (-pid, signum), or with pid 0 every process of the
 * sandbox. Under flatpak-spawn the engine cannot see the sandbox's PID namespace, and a signal
 * sent through flatpak-spawn would reach the sandbox's outer process only, not run the
 * command's traps. */
#define CC_LAUNCHER_SIGNAL_MAGIC 0x43435347u

typedef struct
{
  guint32 magic;
  gint32  pid;
  gint32  signum;
} CcLauncherSignal;

typedef struct
{
  guint32 type;
  gint32  pid;
  gint32  value;
} CcLauncherReply;

G_END_DECLS
