/* cc-application.h
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CC_TYPE_APPLICATION (cc_application_get_type ())

G_DECLARE_FINAL_TYPE (CcApplication, cc_application, CC, APPLICATION, AdwApplication)

CcApplication *cc_application_new (void);

G_END_DECLS
