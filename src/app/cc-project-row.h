/* cc-project-row.h: one project in the sidebar
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_PROJECT_ROW (cc_project_row_get_type ())

G_DECLARE_FINAL_TYPE (CcProjectRow, cc_project_row, CC, PROJECT_ROW, AdwBin)

CcProject  *cc_project_row_get_project        (CcProjectRow   *self);
void        cc_project_row_set_project        (CcProjectRow   *self,
                                               CcProject      *project);

/* @client: (nullable): where the sandbox state comes from. */
GtkWidget  *cc_project_row_new                (CcClient       *client);

G_END_DECLS
