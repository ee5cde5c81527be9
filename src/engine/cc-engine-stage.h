/* cc-engine-stage.h: a root engine's sandbox directories, shown to bubblewrap
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An engine running as root starts bubblewrap as the sandbox's unprivileged host uid, which
 * cannot walk the engine's private directories to the sandbox's own. So before bubblewrap runs,
 * a mount namespace of its process alone binds those two directories under ROOT_STAGE, and the
 * uid is dropped there. That is `code-canvas-launcher --stage …` (cc-engine-stage.c), exec'd by
 * the engine's child and exec'ing bubblewrap in turn: the engine's main loop waits for its
 * child's exec, and mounting took milliseconds when other sandboxes were mounting at the same
 * time.
 *
 * Its arguments: --stage HOME_FD HOME TMP_FD TMP UID GID BWRAP ARGV…, where HOME_FD and TMP_FD
 * are the directories the engine checked (opened O_PATH), HOME and TMP their paths, opened again
 * in the new namespace and bound only if they are the same directories, and BWRAP the program
 * run with ARGV (its argv[0] first) and the environment as given.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CC_ENGINE_STAGE_ARG "--stage"

/* Where bubblewrap finds the sandbox's directories. */
#define CC_ENGINE_STAGE      "/tmp"
#define CC_ENGINE_STAGE_HOME CC_ENGINE_STAGE "/code-canvas-home"
#define CC_ENGINE_STAGE_TMP  CC_ENGINE_STAGE "/code-canvas-tmp"

/* Runs `--stage` with @argv as main () got it (argv[1] is CC_ENGINE_STAGE_ARG). Returns only
 * on failure, with the exit status, after saying why on stderr. */
int cc_engine_stage_exec (int    argc,
                          char **argv);

G_END_DECLS
