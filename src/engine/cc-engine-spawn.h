/* cc-engine-spawn.h: how a sandbox process is launched (bubblewrap or unisolated)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

#define CC_ENGINE_SANDBOX_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Writes the passwd/group files the sandboxes see and runs bubblewrap once. Returns TRUE when
 * processes can be isolated; otherwise @reason says why not. */
gboolean  cc_engine_spawn_probe      (const char       *runtime_dir,
                                      char            **reason);

/* The argv that runs @cmd @args as @user in @sandbox with working directory @cwd (a sandbox
 * path; @host_cwd is the host path behind it). */
GStrv     cc_engine_spawn_build_argv (gboolean          isolated,
                                      const char       *runtime_dir,
                                      CcEngineSandbox  *sandbox,
                                      const char       *user,
                                      const char       *cwd,
                                      const char       *host_cwd,
                                      const char       *cmd,
                                      JsonArray        *args);
/* The argv of @sandbox's launcher for @user (cc-engine-launcher.c): the same bubblewrap setup,
 * running this executable (descriptor 4) with its socket as descriptor 3. */
GStrv     cc_engine_spawn_build_launcher_argv (const char      *runtime_dir,
                                               CcEngineSandbox *sandbox,
                                               const char      *user);
/* PATH, HOME, USER, LOGNAME of @user, then the sandbox's envVars, then @envs (may be NULL). */
GStrv     cc_engine_spawn_build_envp (gboolean          isolated,
                                      CcEngineSandbox  *sandbox,
                                      const char       *user,
                                      JsonObject       *envs);

G_END_DECLS
