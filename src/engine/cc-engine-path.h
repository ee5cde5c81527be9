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

G_END_DECLS
