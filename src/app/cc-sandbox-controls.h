/* cc-sandbox-controls.h: remaining time, extend, pause, resume and kill of the project's sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_SANDBOX_CONTROLS (cc_sandbox_controls_get_type ())

G_DECLARE_FINAL_TYPE (CcSandboxControls, cc_sandbox_controls, CC, SANDBOX_CONTROLS, AdwBin)

/* Warn this long before the sandbox expires. */
#define CC_SANDBOX_EXPIRY_WARNING_SECONDS 60

void        cc_sandbox_controls_set_project (CcSandboxControls *self,
                                             CcClient          *client,
                                             CcProject         *project);
const char *cc_sandbox_controls_get_label   (CcSandboxControls *self);
/* Whether the countdown ticks (once a second, only while shown). */
gboolean    cc_sandbox_controls_get_ticking (CcSandboxControls *self);

G_END_DECLS
