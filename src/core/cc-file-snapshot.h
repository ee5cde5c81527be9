/* cc-file-snapshot.h: the project's files kept in its workspace folder
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file the client writes into a sandbox that does not mount the workspace (a remote
 * one) is also written into the project's workspace folder, so that a sandbox that is lost
 * (killed, expired, engine data wiped) can be re-created with the project's files. The
 * directory mirrors the sandbox home: "/home/user/src/a.js" is kept as "src/a.js".
 */
#pragma once

#include <gio/gio.h>

#include "cc-project.h"

G_BEGIN_DECLS

#define CC_TYPE_FILE_SNAPSHOT (cc_file_snapshot_get_type ())

G_DECLARE_FINAL_TYPE (CcFileSnapshot, cc_file_snapshot, CC, FILE_SNAPSHOT, GObject)

/* @directory: where the files are kept (it need not exist yet). */
CcFileSnapshot *cc_file_snapshot_new                     (GFile               *directory);
GFile          *cc_file_snapshot_get_directory           (CcFileSnapshot      *self);

/* Writes @files (element-type CcProjectFile) into the directory; nothing else there is ever
 * removed, and a file that already holds the same bytes is left as it is. Runs in a thread; a
 * file that cannot be written is logged, not fatal. */
void            cc_file_snapshot_save_async              (CcFileSnapshot      *self,
                                                          GPtrArray           *files,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean        cc_file_snapshot_save_finish             (CcFileSnapshot      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Removes the directory with everything in it. */
void            cc_file_snapshot_remove_async            (CcFileSnapshot      *self,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean        cc_file_snapshot_remove_finish           (CcFileSnapshot      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* The files @project is set up from: the directory's when it has any (what the sandbox last
 * had), else the project's local folder's, else its template's. (element-type CcProjectFile) */
void            cc_file_snapshot_dup_project_files_async (CcFileSnapshot      *self,
                                                          CcProject           *project,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray      *cc_file_snapshot_dup_project_files_finish (CcFileSnapshot     *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

G_END_DECLS
