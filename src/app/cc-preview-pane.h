/* cc-preview-pane.h: the dev server's page in an embedded web view
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_PREVIEW_PANE (cc_preview_pane_get_type ())

G_DECLARE_FINAL_TYPE (CcPreviewPane, cc_preview_pane, CC, PREVIEW_PANE, AdwBin)

void           cc_preview_pane_set_project   (CcPreviewPane *self,
                                              CcClient      *client,
                                              CcProject     *project);
/* Starts the project's dev server (or reuses the running one) and loads its page. */
void           cc_preview_pane_start         (CcPreviewPane *self);
void           cc_preview_pane_stop          (CcPreviewPane *self);
/* TRUE while the server is up and its page is shown. */
gboolean       cc_preview_pane_get_running   (CcPreviewPane *self);
/* TRUE while the server is starting or stopping. */
gboolean       cc_preview_pane_get_busy      (CcPreviewPane *self);
const char    *cc_preview_pane_get_url       (CcPreviewPane *self);
/* The web engine's widget (a WebKitWebView) once a page was shown, else NULL. */
GtkWidget     *cc_preview_pane_get_web_view  (CcPreviewPane *self);
/* "idle", "starting", "web" or "failed". */
const char    *cc_preview_pane_get_state     (CcPreviewPane *self);

G_END_DECLS
