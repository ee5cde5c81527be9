/* cc-window.h
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-application.h"
#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_WINDOW (cc_window_get_type ())

G_DECLARE_FINAL_TYPE (CcWindow, cc_window, CC, WINDOW, AdwApplicationWindow)

/* The window's client is its "client" property: given at construction (cc_window_new() passes
 * the application's, when its store is open already) or set once later, when the
 * application's "notify::client" says the store opened. The views get it from the window. */
CcWindow  *cc_window_new                 (CcApplication *application);
CcClient  *cc_window_get_client          (CcWindow      *self);
void       cc_window_set_client          (CcWindow      *self,
                                          CcClient      *client);
CcProject *cc_window_get_project         (CcWindow      *self);
void       cc_window_select_project      (CcWindow      *self,
                                          const char    *project_id);
/* A passing failure, shown as a toast; @error's message is escaped. */
void       cc_window_show_error          (CcWindow      *self,
                                          const char    *what,
                                          const GError  *error);
void       cc_window_show_toast          (CcWindow      *self,
                                          const char    *text);

G_END_DECLS
