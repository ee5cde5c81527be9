/* cc-project-sidebar.h: the list of projects
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_PROJECT_SIDEBAR (cc_project_sidebar_get_type ())

G_DECLARE_FINAL_TYPE (CcProjectSidebar, cc_project_sidebar, CC, PROJECT_SIDEBAR, AdwBin)

void       cc_project_sidebar_set_client           (CcProjectSidebar *self,
                                                    CcClient         *client);
/* (nullable) (transfer none) */
CcProject *cc_project_sidebar_get_selected_project (CcProjectSidebar *self);
/* Selects the project once it is in the model (now, or when it arrives). */
void       cc_project_sidebar_select               (CcProjectSidebar *self,
                                                    const char       *project_id);
void       cc_project_sidebar_select_nth           (CcProjectSidebar *self,
                                                    guint             position);

G_END_DECLS
