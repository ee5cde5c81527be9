/* cc-web-view-private.h: shared by cc-web-view.c and the app tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-web-view.h"

G_BEGIN_DECLS

/* The module directory in use: $CODE_CANVAS_MODULE_DIR (a build tree) or the installed one. */
const char *_cc_web_view_get_module_dir (void);
CcWebView  *_cc_web_view_new_from_dir   (const char  *module_dir,
                                         GError     **error);

G_END_DECLS
