/* cc-labels.h: words for the core's enums, as the views show them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-client.h"

G_BEGIN_DECLS

/* "This Computer", "E2B Cloud", "Custom Endpoint". */
const char *cc_connection_kind_get_label      (CcConnectionKind  kind);
/* "Running · 4 min left", "Paused"… (a new string). */
char       *cc_sandbox_state_dup_label        (CcSandboxStatus   state,
                                               gint64            end_time_us);
/* "Command", "File written", "Setup"… */
const char *cc_operation_type_get_label       (CcOperationType   type);

/* "exit 0", "Stopped", "no exit status": how a finished command ended (a new string). */
char       *cc_operation_dup_outcome_label    (CcOperation      *operation);

G_END_DECLS
