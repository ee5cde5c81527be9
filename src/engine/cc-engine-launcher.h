/* cc-engine-launcher.h: one long-lived process launcher per running sandbox and user
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <libsoup/soup.h>

#include "cc-engine-isolation.h"
#include "cc-engine-launcher-wire.h"
#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

#define CC_TYPE_ENGINE_LAUNCHER (cc_engine_launcher_get_type ())
G_DECLARE_FINAL_TYPE (CcEngineLauncher, cc_engine_launcher, CC, ENGINE_LAUNCHER, GObject)

/* Called once per launched process with its wait status (SIGKILL's when the launcher died). */
typedef void (*CcEngineLauncherExitFunc) (GObject *owner,
                                          int      wait_status);

/* The running launcher of @sandbox for @user, started if there is none (or the last one died),
 * under @isolation (bubblewrap or flatpak-spawn; under flatpak-spawn there is no user
 * namespace, and both users share one launcher). NULL with @error when it cannot be started.
 * A launcher just started is not ready yet (cc_engine_launcher_is_ready()): it is started
 * without waiting, and makes the sandbox's network once it is ready. */
CcEngineLauncher *cc_engine_launcher_get      (CcEngineSandbox           *sandbox,
                                               const char                *user,
                                               const char                *runtime_dir,
                                               CcEngineIsolation          isolation,
                                               GError                   **error);
/* Handles @msg again from the start (on the main loop), with @data. */
typedef void (*CcEngineLauncherRetryFunc) (SoupServerMessage *msg,
                                           gpointer           data);

/* For a request handler: as cc_engine_launcher_get(), but only a launcher that is ready to take
 * requests. One still starting (bubblewrap makes its namespaces for tens of milliseconds) is not
 * waited for on the main loop: @msg is paused and NULL returned with @error unset, and once the
 * sandbox's launchers are ready @retry handles @msg again from the start; this call then returns
 * the launcher, or the failure of the one that never became ready. @data is freed with
 * @data_free once it is no longer needed. */
CcEngineLauncher *cc_engine_launcher_get_ready (CcEngineSandbox           *sandbox,
                                                const char                *user,
                                                const char                *runtime_dir,
                                                CcEngineIsolation          isolation,
                                                SoupServerMessage         *msg,
                                                CcEngineLauncherRetryFunc  retry,
                                                gpointer                   data,
                                                GDestroyNotify             data_free,
                                                GError                   **error);
/* Starts @sandbox's launcher for `user` ahead of its first command, unless it has one (for
 * either user) already. */
void              cc_engine_launcher_prepare  (CcEngineSandbox           *sandbox,
                                               const char                *runtime_dir,
                                               CcEngineIsolation          isolation);
/* Whether @self has answered its first question and may be asked (and is not dead). */
gboolean          cc_engine_launcher_is_ready (CcEngineLauncher          *self);
/* Starts @argv in the launcher's namespaces with @fds as stdin, stdout, stderr, or, when
 * @pty_cols > 0, in a terminal the launcher opens inside; its master is returned in
 * @pty_master. @exit_func gets @owner (kept referenced) when it ends. @pid is the leader of its
 * own session and process group: in the engine's PID namespace, or in the launcher's when
 * cc_engine_launcher_pids_inside() (the engine cannot see the sandbox's processes then). */
gboolean          cc_engine_launcher_spawn    (CcEngineLauncher          *self,
                                               const char * const        *argv,
                                               const char * const        *envp,
                                               const char                *cwd,
                                               guint                      pty_cols,
                                               guint                      pty_rows,
                                               const int                 *fds,
                                               GObject                   *owner,
                                               CcEngineLauncherExitFunc   exit_func,
                                               GPid                      *pid,
                                               int                       *pty_master,
                                               GError                   **error);
gboolean          cc_engine_launcher_pids_inside (CcEngineLauncher       *self);
/* Sends @signum to the process group @pid (a pid of the launcher's namespace), or with @pid 0
 * to every process of the sandbox, from inside. */
void              cc_engine_launcher_signal   (CcEngineLauncher          *self,
                                               int                        pid,
                                               int                        signum);
/* A TCP socket (non-blocking, connected or still connecting) to @port on the sandbox's own
 * loopback, made inside its network namespace. -1 with @error (G_IO_ERROR_CONNECTION_REFUSED
 * when nothing listens there). With @own_only, only to a server of this sandbox
 * (G_IO_ERROR_ADDRESS_IN_USE when another program listens there). */
int               cc_engine_launcher_connect  (CcEngineLauncher          *self,
                                               guint                      port,
                                               gboolean                   own_only,
                                               GError                   **error);
/* Whether a process of @sandbox listens on @port (asked of its running flatpak-spawn
 * launcher; FALSE when it has none). */
gboolean          cc_engine_launcher_holds_port (CcEngineSandbox         *sandbox,
                                                 guint                    port);
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
/* Sends @signum to every process of @sandbox through its launchers whose processes the engine
 * cannot see (flatpak-spawn); FALSE when it has none. */
gboolean          cc_engine_launcher_signal_hidden (CcEngineSandbox      *sandbox,
                                                    int                   signum);
/* Kills every launcher of @sandbox and with it every process they started (pause, kill,
 * shutdown). Their owners get a SIGKILL wait status. */
void              cc_engine_launcher_stop_all (CcEngineSandbox           *sandbox);

G_END_DECLS
