/* cc-file-tree.h: the sandbox's files, loaded lazily and refreshed by the watch stream
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_FILE_TREE (cc_file_tree_get_type ())

G_DECLARE_FINAL_TYPE (CcFileTree, cc_file_tree, CC, FILE_TREE, AdwBin)

#define CC_FILE_TREE_ROOT "/home/user"

void        cc_file_tree_set_project  (CcFileTree *self,
                                       CcClient   *client,
                                       CcProject  *project);
void        cc_file_tree_reload       (CcFileTree *self);
/* The root's entries (GFileInfo), for tests and for "is it loaded yet". */
GListModel *cc_file_tree_get_root     (CcFileTree *self);
/* Asks the user where to save @path and downloads it (also used by the editor). */
void        cc_file_tree_download     (CcFileTree *self,
                                       const char *path);
/* Downloads @path to @destination: what the chooser of cc_file_tree_download() ends in. */
void        cc_file_tree_download_to  (CcFileTree *self,
                                       const char *path,
                                       GFile      *destination);
/* Uploads local files (element-type GFile) into the selected folder (or the selected file's
 * folder, or the root): what a drop and the upload chooser both end in. */
void        cc_file_tree_upload_files (CcFileTree *self,
                                       GSList     *files);
/* Selects the shown entry at @path (NULL: none); FALSE if it is not shown. */
gboolean    cc_file_tree_select_path  (CcFileTree *self,
                                       const char *path);

G_END_DECLS
