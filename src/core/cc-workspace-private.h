/* cc-workspace-private.h: where a project's files live on this machine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by cc-client.c, cc-client-sandbox.c and cc-sandbox-session.c.
 */
#pragma once

#include <gio/gio.h>

#include "cc-project.h"
#include "cc-store.h"

G_BEGIN_DECLS

/* The project's workspace folder: the folder it was created from, used live, else
 * "projects/<id>/workspace" beside the store's database. */
char *_cc_workspace_dup_path       (CcStore   *store,
                                    CcProject *project);
/* The path the local engine is asked to mount as the sandbox's home, made when missing (a
 * default workspace starts with the files of the project's old snapshot, moved, not copied);
 * NULL when the project is not on the local engine or its folder cannot be mounted (an engine
 * run as root mounts only folders of a regular user). */
char *_cc_workspace_dup_mount_path (CcStore   *store,
                                    CcProject *project);

G_END_DECLS
