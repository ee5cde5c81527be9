/* cc-engine-path.h: opening a sandbox's files without following what a sandbox process swapped in
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* Opens @host_path, a path cc_engine_sandbox_resolve_path() returned (its symlinks already
 * followed in the sandbox's view), relative to a descriptor of the sandbox directory it lies in,
 * refusing any symlink on the way (O_NOFOLLOW included): a directory swapped for a link since
 * the path was resolved makes the open fail instead of leaving the sandbox. @flags are open(2)'s
 * (O_CLOEXEC is added). Returns the descriptor, or -1 with @error. */
int cc_engine_path_open (CcEngineSandbox  *sandbox,
                         const char       *host_path,
                         int               flags,
                         GError          **error);

/* The same open, answering -1 with errno set (ELOOP: a symlink on the way; EXDEV: outside the
 * sandbox), for callers that word their own errors. */
int cc_engine_path_open_errno (CcEngineSandbox  *sandbox,
                               const char       *host_path,
                               int               flags);

/* Opens (O_PATH) the directory holding @host_path the same way and sets @name to the last
 * component, for the *at calls on it. A root of the sandbox's view (its home, its /tmp) has no
 * parent in the sandbox: -1 with EXDEV. */
int cc_engine_path_open_parent (CcEngineSandbox  *sandbox,
                                const char       *host_path,
                                char            **name);

/* Opens (O_PATH) the directory @host_dir of @sandbox, making each missing component on the way
 * (given to the sandbox's host uid), with the same refusal of symlinks. */
int   cc_engine_path_open_dirs     (CcEngineSandbox  *sandbox,
                                    const char       *host_dir,
                                    GError          **error);

/* The engine's private directory for upload temporaries, beside the sandboxes' directories (so
 * on their file system) and out of every sandbox's view; made if missing. */
#define CC_ENGINE_PATH_PRIVATE_DIR "uploads"
char *cc_engine_path_private_dir   (CcEngineSandbox  *sandbox);
/* Removes what an engine that stopped mid-upload left there. */
void  cc_engine_path_sweep_private (const char       *data_dir);
/* Removes @name in @dir and, for a directory, everything below it, through descriptors opened
 * with symlinks refused: a directory swapped for a link meanwhile is unlinked as a link, never
 * followed. At any depth: past the descriptors it holds at once, a subtree is moved up into the
 * directory being removed and removed from there. Another file system mounted below is left
 * alone. Keeps going after a failure and returns the first errno, or 0. Blocking. */
int   cc_engine_path_remove_at     (int               dir,
                                    const char       *name);
/* The same for the engine's own trees (a sandbox's directories when it ends, a snapshot), whose
 * parent the engine trusts. Blocking. */
void  cc_engine_path_remove_tree   (const char       *host_path);

G_END_DECLS
