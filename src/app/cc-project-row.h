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

/* Shared with the other views: "This Computer", "E2B", "Custom Endpoint". */
const char *cc_connection_kind_get_label      (CcConnectionKind kind);
/* "Running · 4 min left", "Paused"… (a new string). */
char       *cc_sandbox_state_dup_label        (CcSandboxStatus   state,
                                               gint64           end_time_us);

G_END_DECLS
