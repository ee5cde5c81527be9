/* cc-spinner.h: a spinner that spins only while it is on screen
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CC_TYPE_SPINNER (cc_spinner_get_type ())

G_DECLARE_FINAL_TYPE (CcSpinner, cc_spinner, CC, SPINNER, AdwBin)

G_END_DECLS
