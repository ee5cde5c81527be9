/* cc-history-panel.h: what ran in the project, newest first
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_HISTORY_PANEL (cc_history_panel_get_type ())

G_DECLARE_FINAL_TYPE (CcHistoryPanel, cc_history_panel, CC, HISTORY_PANEL, AdwBin)

void        cc_history_panel_set_project  (CcHistoryPanel *self,
                                           CcClient       *client,
                                           CcProject      *project);
void        cc_history_panel_reload       (CcHistoryPanel *self);
/* The shown records (CcOperation), newest first. */
GListModel *cc_history_panel_get_model    (CcHistoryPanel *self);
void        cc_history_panel_select       (CcHistoryPanel *self,
                                           guint           position);
/* The text shown for the selected record's output. (transfer full) */
char       *cc_history_panel_dup_output   (CcHistoryPanel *self);

G_END_DECLS
