/* test-app-fixture.h: what every case of test-app starts from, and the helpers they share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-application.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"
#include "cc-window-private.h"

G_BEGIN_DECLS

#define WAIT_FOR(cond, what) CC_TEST_WAIT_FOR (cond, what)

/* Made once in main() and only read by the cases. The application is shared because a
 * GApplication registers on the bus once per process; its client (and so the project store)
 * comes with it. What a case adds to the store, its teardown removes, so no case sees
 * another's projects. */
typedef struct
{
  CcTestEngine  *engine;
  CcApplication *app;
  CcClient      *client;      /* the application's */
  const char    *shots_dir;
} AppShared;

/* One case's world: a window of its own and, for most cases, a project of its own. */
typedef struct
{
  const AppShared *shared;
  CcClient        *client;    /* borrowed from the application */
  CcWindow        *window;    /* owned: the case's own window */
  CcProject       *project;   /* owned (nullable): the project the setup made and selected */
} AppFixture;

/* Setups: a window on an empty store, or on a store with one project set up in its sandbox.
 * "Blank" has nothing to upload or install, so it is the fast one; "node" has server.js. */
void          app_fixture_setup_empty      (AppFixture    *f,
                                            gconstpointer  shared);
void          app_fixture_setup_blank      (AppFixture    *f,
                                            gconstpointer  shared);
void          app_fixture_setup_node       (AppFixture    *f,
                                            gconstpointer  shared);
/* Closes the window and checks it is finalized, then deletes every project in the store. */
void          app_fixture_teardown         (AppFixture    *f,
                                            gconstpointer  shared);

/* Destroys @window and waits (bounded) until only the caller's reference is left, then
 * drops it with g_assert_finalize_object(). Consumes the caller's reference. */
void          app_close_and_finalize       (GtkWindow     *window);

void          app_wait_drawn               (GtkWidget     *widget);
void          app_snapshot_to_png          (AppFixture    *f,
                                            GtkWidget     *widget,
                                            const char    *name);
/* (transfer none) (nullable): the visible toplevel of @type. */
GtkWindow    *app_find_toplevel            (GType          type);
GtkWidget    *app_find_descendant          (GtkWidget     *widget,
                                            GType          type,
                                            const char    *title);
GtkWidget    *app_find_descendant_any      (GtkWidget     *widget,
                                            GType          type);
GtkButton    *app_find_button_by_icon      (GtkWidget     *widget,
                                            const char    *icon_name);
/* The one message dialog on screen: types @text into its entry (if any), answers @response
 * and closes it. */
void          app_answer_dialog            (const char    *text,
                                            const char    *response);

/* A project made through the client, as the CLI or the dialog would, but not set up; and a
 * change to some of its fields. */
CcProject    *app_create_project           (AppFixture    *f,
                                            const char    *name,
                                            const char    *template_id,
                                            guint          port);
void          app_set_project_fields       (AppFixture    *f,
                                            const char    *project_id,
                                            CcProject     *changes,
                                            CcProjectField fields);

/* Types @command into the terminal view's entry, presses Enter, waits for the end. */
CcExecution  *app_run_in_terminal          (AppFixture    *f,
                                            const char    *command);
void          app_run_in_terminal_ok       (AppFixture    *f,
                                            const char    *command);
void          app_on_execution_finished    (CcCommandView *view,
                                            CcExecution   *execution,
                                            CcExecution  **out);
gboolean      app_terminal_shows           (CcCommandView *view,
                                            const char    *needle);

/* Records of @type in the History panel's own list, with @status (any, when negative). */
guint         app_history_count            (AppFixture    *f,
                                            CcOperationType type,
                                            int            status);
gboolean      app_history_has              (AppFixture    *f,
                                            const char    *input,
                                            gboolean      *cached);
int           app_history_position         (AppFixture    *f,
                                            const char    *input);

/* The sandbox path of @name in the file tree's root, or NULL while it is not there. */
char         *app_tree_root_path           (AppFixture    *f,
                                            const char    *name);
gboolean      app_tree_root_has            (AppFixture    *f,
                                            const char    *name);
gboolean      app_tree_entry_is_dir        (AppFixture    *f,
                                            const char    *name);
GBytes       *app_read_sandbox_file        (AppFixture    *f,
                                            const char    *path,
                                            GError       **error);

/* The cases, by theme, each file adding its own. */
void          app_add_workspace_cases      (const AppShared *shared);
void          app_add_flow_cases           (const AppShared *shared);
void          app_add_quit_case            (const AppShared *shared);
void          app_add_layout_cases         (const AppShared *shared);
void          app_add_ux_cases             (const AppShared *shared);
void          app_add_keyboard_cases       (const AppShared *shared);

G_END_DECLS
