/* cc-new-project-dialog.h: name, where it runs, what it starts from; then the visible setup
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_NEW_PROJECT_DIALOG (cc_new_project_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CcNewProjectDialog, cc_new_project_dialog, CC, NEW_PROJECT_DIALOG, AdwWindow)

CcNewProjectDialog *cc_new_project_dialog_new           (CcClient           *client,
                                                         GSettings          *settings);
/* For keyboard-free callers (tests): the form's fields. */
GtkEditable        *cc_new_project_dialog_get_name_row  (CcNewProjectDialog *self);
void                cc_new_project_dialog_set_template  (CcNewProjectDialog *self,
                                                         const char         *template_id);
/* Whether the form is complete and nothing is running (the state of "new-project.create"). */
gboolean            cc_new_project_dialog_can_create    (CcNewProjectDialog *self);
/* The progress line: the phase, or how it ended. */
const char         *cc_new_project_dialog_get_message   (CcNewProjectDialog *self);
void                cc_new_project_dialog_set_folder    (CcNewProjectDialog *self,
                                                         GFile              *folder);

G_END_DECLS
