/* cc-engine-workspace.h: a client's folder mounted as a sandbox's home
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A create request may name a directory of the engine's machine (the project's workspace) to be
 * the sandbox's /home/user. It is checked once when the sandbox is made and again before every
 * launch, since the folder belongs to the person and may change or vanish at any time.
 */
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* The one workspace field of a create request (no SDK sends it). */
#define CC_ENGINE_WORKSPACE_FIELD "codeCanvasWorkspace"

typedef struct
{
  dev_t dev;
  ino_t ino;
  uid_t uid;
  gid_t gid;
} CcEngineWorkspaceId;

/* Checks that @path may be mounted: absolute and clean, an existing directory reached without
 * any symlink, not "/", not the engine user's home, none of @protected_dirs (NULL-terminated:
 * the engine's data and runtime folders), no parent of one and nothing inside one; and, for an
 * engine running as root, owned by a user other than root (the sandbox then runs as that
 * user). Fills @id with what the directory was. */
gboolean cc_engine_workspace_check  (const char           *path,
                                     const char * const   *protected_dirs,
                                     CcEngineWorkspaceId  *id,
                                     GError              **error);

/* Opens @path (O_PATH, no symlink anywhere) and checks it is still the directory @id named.
 * Only system calls: it also runs between fork and exec. Returns the descriptor or -1. */
int      cc_engine_workspace_reopen (const char                 *path,
                                     const CcEngineWorkspaceId  *id);

G_END_DECLS
