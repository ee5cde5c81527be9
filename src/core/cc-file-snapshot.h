/* cc-file-snapshot.h: the local copy of a project's files
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file the client writes into a sandbox is also kept on disk, so that a sandbox that is
 * lost (killed, expired, engine data wiped) can be re-created with the project's files. The
 * snapshot mirrors the sandbox home: "/home/user/src/a.js" is kept as "src/a.js".
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

/* Writes @files (element-type CcProjectFile) into the snapshot, after emptying it when @replace.
 * Runs in a thread; a file that cannot be written is logged, not fatal. */
void            cc_file_snapshot_save_async              (CcFileSnapshot      *self,
                                                          GPtrArray           *files,
                                                          gboolean             replace,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean        cc_file_snapshot_save_finish             (CcFileSnapshot      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Removes the snapshot's parent directory (the project's local directory) with everything in it. */
void            cc_file_snapshot_remove_async            (CcFileSnapshot      *self,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean        cc_file_snapshot_remove_finish           (CcFileSnapshot      *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* The files @project is set up from: the snapshot when there is one (what the sandbox last
 * had), else the project's local folder, else its template. (element-type CcProjectFile) */
void            cc_file_snapshot_dup_project_files_async (CcFileSnapshot      *self,
                                                          CcProject           *project,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray      *cc_file_snapshot_dup_project_files_finish (CcFileSnapshot     *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

G_END_DECLS
