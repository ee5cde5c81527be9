/* cc-file-editor.h: one sandbox file in a GtkSourceView
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_FILE_EDITOR (cc_file_editor_get_type ())

G_DECLARE_FINAL_TYPE (CcFileEditor, cc_file_editor, CC, FILE_EDITOR, AdwBin)

/* Bigger files are offered for download instead of being loaded. */
#define CC_FILE_EDITOR_MAX_SIZE (2 * 1024 * 1024)

void             cc_file_editor_set_project (CcFileEditor *self,
                                             CcClient     *client,
                                             CcProject    *project);
/* @size as listed (0 when unknown). */
void             cc_file_editor_open        (CcFileEditor *self,
                                             const char   *path,
                                             guint64       size);
void             cc_file_editor_save        (CcFileEditor *self);
const char      *cc_file_editor_get_path    (CcFileEditor *self);
GtkSourceBuffer *cc_file_editor_get_buffer  (CcFileEditor *self);
/* "empty", "loading", "editor", "refused" or "error". */
const char      *cc_file_editor_get_state   (CcFileEditor *self);

G_END_DECLS
