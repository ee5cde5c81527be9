/* cc-workspace-private.h: where a project's files live on this machine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by cc-client.c, cc-client-files.c, cc-client-setup.c, cc-client-sandbox.c and
 * cc-sandbox-session.c.
 *
 * Each project has a workspace folder: the folder it was created from, used live, else
 * "projects/<id>/" beside the client's database ($XDG_DATA_HOME/code-canvas/). The files
 * written through the client (setup, editor saves) are kept there, and on the local engine
 * the folder is the sandbox's /home/user itself.
 */
#pragma once

#include <gio/gio.h>

#include "cc-project.h"
#include "cc-store.h"

G_BEGIN_DECLS

/* The project's workspace folder (it may not exist yet). */
char     *_cc_workspace_dup_path       (CcStore   *store,
                                        CcProject *project);
/* The same, made when missing. A default workspace of a project from before workspaces first
 * takes the files of the project's old snapshot ("projects/<id>/files"), by renames: nothing
 * is copied and nothing lost, and a crash half-way is finished on the next call. A sibling
 * marker ".<id>.workspace" says it is done, so a folder named "files" the person makes later
 * is left alone. Returns NULL (and logs) only when the folder cannot be made. */
char     *_cc_workspace_prepare        (CcStore   *store,
                                        CcProject *project);
/* The real path the local engine is asked to mount as the sandbox's home; NULL when the
 * project is not on the local engine or its folder cannot be mounted (an engine run as root
 * mounts only folders of a regular user: see the engine's workspace check). */
char     *_cc_workspace_dup_mount_path (CcStore   *store,
                                        CcProject *project);
/* The private folder of the project's workspace mirror (its manifest and downloads in
 * progress): ".<id>.mirror" beside the default workspaces, never inside the person's folder. */
char     *_cc_workspace_dup_state_dir  (CcStore   *store,
                                        CcProject *project);
/* Whether the install step must run again in a new sandbox on @workspace: a dependency folder
 * it makes is missing (package.json without node_modules, requirements.txt without .local). */
gboolean  _cc_workspace_needs_install  (const char *workspace);
/* Deletes @file and, for a directory, everything below it, never following a symlink. */
void      _cc_workspace_remove_tree    (GFile      *file);
/* The names at the top of @workspace, as files without content (for guessing the install
 * command), or NULL when it is empty or cannot be read. (element-type CcProjectFile) */
GPtrArray *_cc_workspace_dup_top_names (const char *workspace);
/* Removes a default workspace and its marker; a folder the person brought is never touched.
 * Runs in a thread. */
void      _cc_workspace_remove_async   (CcStore             *store,
                                        CcProject           *project,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

G_END_DECLS
