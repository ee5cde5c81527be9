/* cc-shell-view.h: an interactive shell in the project's sandbox, over a real PTY
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"
#include "cc-terminal-view.h"

G_BEGIN_DECLS

#define CC_TYPE_SHELL_VIEW (cc_shell_view_get_type ())

G_DECLARE_FINAL_TYPE (CcShellView, cc_shell_view, CC, SHELL_VIEW, AdwBin)

void            cc_shell_view_set_project  (CcShellView *self,
                                            CcClient    *client,
                                            CcProject   *project);
void            cc_shell_view_open         (CcShellView *self);
void            cc_shell_view_close        (CcShellView *self);
CcTerminalView *cc_shell_view_get_terminal (CcShellView *self);
/* TRUE while a shell is connected. */
gboolean        cc_shell_view_is_open      (CcShellView *self);

G_END_DECLS
