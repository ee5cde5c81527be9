/* cc-preferences-window.h
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_PREFERENCES_WINDOW (cc_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CcPreferencesWindow, cc_preferences_window, CC, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @client: (nullable): NULL when the project store could not be opened. */
CcPreferencesWindow *cc_preferences_window_new (CcClient *client);

G_END_DECLS
