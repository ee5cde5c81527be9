/* cc-history-row.h: one operation record in the history panel
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-operation.h"

G_BEGIN_DECLS

#define CC_TYPE_HISTORY_ROW (cc_history_row_get_type ())

G_DECLARE_FINAL_TYPE (CcHistoryRow, cc_history_row, CC, HISTORY_ROW, AdwBin)

CcOperation *cc_history_row_get_operation (CcHistoryRow *self);
void         cc_history_row_set_operation (CcHistoryRow *self,
                                           CcOperation  *operation);
gboolean     cc_history_row_get_cached_badge_visible (CcHistoryRow *self);

G_END_DECLS
