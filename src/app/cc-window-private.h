/* cc-window-private.h: what cc-window.c and cc-window-actions.c share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-command-view.h"
#include "cc-file-editor.h"
#include "cc-file-tree.h"
#include "cc-history-panel.h"
#include "cc-preview-pane.h"
#include "cc-project-sidebar.h"
#include "cc-sandbox-controls.h"
#include "cc-shell-view.h"
#include "cc-window.h"

G_BEGIN_DECLS

struct _CcWindow
{
  AdwApplicationWindow  parent_instance;

  CcClient             *client;
  CcProject            *project;
  GSettings            *settings;
  GCancellable         *cancellable;
  GHashTable           *command_views;     /* project id → CcCommandView (borrowed: in command_stack) */
  GSignalGroup         *client_signals;
  gulong                app_client_handler;
  guint                 switcher_idle_id;  /* the bottom switcher's update after a layout */
  guint                 dev_server_busy : 1;
  guint                 setup_busy : 1;
  char                 *last_toast;        /* the text of the last toast shown, for tests */

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkToggleButton      *sidebar_button;
  GtkToggleButton      *files_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  CcSandboxControls    *sandbox_controls;
  GtkStack             *dev_server_stack;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwFlap              *sidebar_flap;
  AdwFlap              *files_flap;
  AdwViewStack         *view_stack;
  GtkStack             *command_stack;
  CcProjectSidebar     *sidebar;
  CcShellView          *shell_view;
  CcFileEditor         *file_editor;
  CcPreviewPane        *preview_pane;
  CcHistoryPanel       *history_panel;
  CcFileTree           *file_tree;
};

void            _cc_window_class_init_actions  (GtkWidgetClass *widget_class);
void            _cc_window_init_actions        (CcWindow       *self);
void            _cc_window_update_actions      (CcWindow       *self);
CcCommandView  *_cc_window_get_command_view    (CcWindow       *self);
void            _cc_window_start_dev_server    (CcWindow       *self);
void            _cc_window_init_panes          (CcWindow       *self);
void            _cc_window_show_project_name   (CcWindow       *self,
                                                const char     *name);
/* Hides a pane that folded over the work area, once what it was opened for is done. */
void            _cc_window_fold_away           (CcWindow       *self,
                                                AdwFlap        *flap);
/* The text of the last toast shown (nullable), so that tests can see what was said. */
const char     *_cc_window_get_last_toast      (CcWindow       *self);

G_END_DECLS
