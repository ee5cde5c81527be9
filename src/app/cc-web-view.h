/* cc-web-view.h: a web view whose engine is loaded the first time one is made
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CC_TYPE_WEB_VIEW (cc_web_view_get_type ())

G_DECLARE_FINAL_TYPE (CcWebView, cc_web_view, CC, WEB_VIEW, AdwBin)

/* Loads the web module on first use; NULL with a G_IO_ERROR when it cannot be loaded. */
CcWebView  *cc_web_view_new          (GError     **error);
void        cc_web_view_load_uri     (CcWebView   *self,
                                      const char  *uri);
void        cc_web_view_stop_loading (CcWebView   *self);
void        cc_web_view_reload       (CcWebView   *self);
const char *cc_web_view_get_uri      (CcWebView   *self);
/* The module's own widget (a WebKitWebView). */
GtkWidget  *cc_web_view_get_view     (CcWebView   *self);

G_END_DECLS
