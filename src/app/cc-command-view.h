/* cc-command-view.h: one project's command terminal (output, entry, stop, cache toggle)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"
#include "cc-terminal-view.h"

G_BEGIN_DECLS

#define CC_TYPE_COMMAND_VIEW (cc_command_view_get_type ())

G_DECLARE_FINAL_TYPE (CcCommandView, cc_command_view, CC, COMMAND_VIEW, GtkBox)

CcCommandView  *cc_command_view_new            (CcClient      *client,
                                                const char    *project_id);
const char     *cc_command_view_get_project_id (CcCommandView *self);
/* Runs @command as if typed (ignored while another command runs). */
void            cc_command_view_run            (CcCommandView *self,
                                                const char    *command);
void            cc_command_view_stop           (CcCommandView *self);
void            cc_command_view_focus_entry    (CcCommandView *self);
/* (transfer none) (nullable): the running or last execution. */
CcExecution    *cc_command_view_get_execution  (CcCommandView *self);
CcTerminalView *cc_command_view_get_terminal   (CcCommandView *self);
GtkEditable    *cc_command_view_get_entry      (CcCommandView *self);
/* The "use cached result" toggle. */
void            cc_command_view_set_use_cache  (CcCommandView *self,
                                                gboolean       use_cache);
/* The status line under the output ("Exit code 0 · 12 ms · cached"). */
const char     *cc_command_view_get_status     (CcCommandView *self);

G_END_DECLS
