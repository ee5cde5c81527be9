/* cc-engine-spawn.h: how a sandbox process is launched (bubblewrap, flatpak-spawn or unisolated)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

#define CC_ENGINE_SANDBOX_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Whether the launcher program every isolated sandbox runs is there; otherwise @reason says
 * which program is missing, also added to @facts as "launcher". Bubblewrap and flatpak-spawn
 * both need it, so it is asked before either is probed. */
gboolean  cc_engine_spawn_probe_launcher (JsonArray    *facts,
                                          char        **reason);

/* Writes the passwd/group files and the system-call filter the sandboxes use, and runs
 * bubblewrap once the way the launchers are run. Returns TRUE when processes can be isolated;
 * otherwise @reason says why not. Adds what is and is not in place to @facts
 * (cc_engine_isolation_fact_add). */
gboolean  cc_engine_spawn_probe      (const char       *runtime_dir,
                                      JsonArray        *facts,
                                      char            **reason);

/* Starts @sandbox's launcher for @user (cc-engine-launcher.c) under bubblewrap: the launcher
 * program (@exe, an open descriptor) with @sock as its descriptor 3. Its stdin, stdout and stderr are
 * /dev/null. With @join_netns ≥ 0 it enters that network namespace (and @join_userns, unless
 * -1, the user namespace owning it) instead of making one: the sandbox's other launcher's. */
gboolean  cc_engine_spawn_start_launcher (const char      *runtime_dir,
                                          CcEngineSandbox *sandbox,
                                          const char      *user,
                                          int              sock,
                                          int              exe,
                                          int              join_netns,
                                          int              join_userns,
                                          GPid            *pid,
                                          GError         **error);

/* Inside the Flatpak: runs `flatpak-spawn --sandbox` once the way the launchers are run, in a
 * directory under @data_dir. TRUE when it works; otherwise @reason says why not. Adds facts to
 * @facts as cc_engine_spawn_probe() does. Bounded in time. */
gboolean  cc_engine_spawn_probe_flatpak (const char     *data_dir,
                                         JsonArray      *facts,
                                         char          **reason);

/* Starts @sandbox's launcher (@program, a path under /app) through `flatpak-spawn --sandbox`,
 * exposing only the sandbox's directories (and with --no-network when it may not use the
 * internet), with @sock as its descriptor 3. @pid is flatpak-spawn's: killing it ends the
 * launcher's sandbox. */
gboolean  cc_engine_spawn_start_flatpak_launcher (CcEngineSandbox *sandbox,
                                                  const char      *program,
                                                  int              sock,
                                                  GPid            *pid,
                                                  GError         **error);

/* The argv of @cmd @args. */
GStrv     cc_engine_spawn_build_argv (const char       *cmd,
                                      JsonArray        *args);
/* PATH, HOME, USER, LOGNAME of @user, then the sandbox's envVars, then @envs (may be NULL). */
GStrv     cc_engine_spawn_build_envp (gboolean          isolated,
                                      CcEngineSandbox  *sandbox,
                                      const char       *user,
                                      JsonObject       *envs);

G_END_DECLS
