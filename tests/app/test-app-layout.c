/* test-app-layout.c: how the window gives its space, at a phone's width and at a laptop's, and
 * what it costs while nothing happens
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "test-app-fixture.h"

/* Asks for @width × @height and waits until the window has it and has drawn it. Under Xvfb
 * there is no window manager to refuse, so only the window's own minimum can stop it. */
static void
resize_window (AppFixture *f,
               int         width,
               int         height)
{
  GtkWidget *window = GTK_WIDGET (f->window);

  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  /* The surface's size: the window's own widget leaves out the border that an uncomposited
   * window draws around it. */
  WAIT_FOR (gdk_surface_get_width (surface) == width && gdk_surface_get_height (surface) == height,
            "the window to take its new size");
  app_wait_drawn (window);
}

static int
widget_x_in_window (AppFixture *f,
                    GtkWidget  *widget)
{
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (f->window), &GRAPHENE_POINT_INIT (0, 0), &point));
  return (int) point.x;
}

/* ---- narrow ------------------------------------------------------------------------------ */

static void
test_narrow (AppFixture    *f,
             gconstpointer  data)
{
  int min_width;

  /* The HIG's smallest size; before, the window would not go under 488 px. */
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  resize_window (f, 360, 600);

  /* Both panes fold over the work, which gets the window's whole width. */
  g_assert_true (adw_flap_get_folded (f->window->sidebar_flap));
  g_assert_true (adw_flap_get_folded (f->window->files_flap));
  g_assert_false (adw_flap_get_reveal_flap (f->window->sidebar_flap));
  g_assert_false (adw_flap_get_reveal_flap (f->window->files_flap));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->view_stack)), >=, 340);
  g_assert_cmpint (widget_x_in_window (f, GTK_WIDGET (f->window->view_stack)), ==, 0);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (_cc_window_get_command_view (f->window))), >=, 340);
  /* Every view is still one switch away, at the bottom. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->switcher_bar)));
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "narrow.png");

  /* The panes are reachable: each has a visible button in the header bar and a shortcut. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->sidebar_button)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->files_button)));
  /* A button's activation (Space, Enter) clicks it at the end of its press animation. */
  gtk_widget_activate (GTK_WIDGET (f->window->sidebar_button));
  WAIT_FOR (adw_flap_get_reveal_flap (f->window->sidebar_flap), "the project list to show");
  app_wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->sidebar)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->sidebar)), >=, 200);
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "narrow-projects.png");
  /* Choosing the project (Enter on its row) goes on to the command entry and folds the list. */
  gtk_widget_activate_action (GTK_WIDGET (f->window->sidebar), "win.focus-command", NULL);
  g_assert_false (adw_flap_get_reveal_flap (f->window->sidebar_flap));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-files", NULL);
  g_assert_true (gtk_toggle_button_get_active (f->window->files_button));
  app_wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->file_tree)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->file_tree)), >=, 200);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-files", NULL);
  g_assert_false (adw_flap_get_reveal_flap (f->window->files_flap));

  /* Wide again: the panes come back beside the work. */
  resize_window (f, 1280, 800);
  g_assert_false (adw_flap_get_folded (f->window->sidebar_flap));
  g_assert_false (adw_flap_get_folded (f->window->files_flap));
  g_assert_true (adw_flap_get_reveal_flap (f->window->sidebar_flap));
  g_assert_true (adw_flap_get_reveal_flap (f->window->files_flap));
}

/* ---- the terminal's share ---------------------------------------------------------------- */

static void
test_terminal_space (AppFixture    *f,
                     gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkWidget *terminal = GTK_WIDGET (cc_command_view_get_terminal (view));
  GtkWidget *output;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  resize_window (f, 1100, 720);
  g_assert_false (adw_flap_get_folded (f->window->files_flap));
  /* History no longer sits under the terminal: the terminal has the height (it had ~150 px). */
  g_assert_cmpint (gtk_widget_get_height (terminal), >=, 450);
  g_assert_cmpint (gtk_widget_get_width (terminal), >=, 500);

  /* History is a view of its own, with room for a record's output. */
  app_run_in_terminal_ok (f, "echo some-output");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (f->window->view_stack), ==, "history");
  app_wait_drawn (GTK_WIDGET (f->window));
  output = app_find_descendant_any (GTK_WIDGET (f->window->history_panel), GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (output);
  g_assert_cmpint (gtk_widget_get_width (output), >=, 300);
  g_assert_cmpint (gtk_widget_get_height (output), >=, 450);

  /* The Files pane can be put away for more room, and that choice is remembered. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-files", NULL);
  g_assert_false (adw_flap_get_reveal_flap (f->window->files_flap));
  g_assert_false (g_settings_get_boolean (settings, "show-files"));
  app_wait_drawn (GTK_WIDGET (f->window));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-terminal", NULL);
  app_wait_drawn (GTK_WIDGET (f->window));
  g_assert_cmpint (gtk_widget_get_width (terminal), >=, 750);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.toggle-files", NULL);
  g_assert_true (g_settings_get_boolean (settings, "show-files"));
}

/* ---- the preview does not push the work area under the sidebar ----------------------------- */

static void
on_load_finished (WebKitWebView   *web_view,
                  WebKitLoadEvent  event,
                  gboolean        *finished)
{
  if (event == WEBKIT_LOAD_FINISHED && g_strcmp0 (webkit_web_view_get_uri (web_view), "about:blank") != 0)
    *finished = TRUE;
}

static void
test_preview_allocation (AppFixture    *f,
                         gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  g_autoptr(CcProject) changes = NULL;
  WebKitWebView *web_view;
  gboolean finished = FALSE;

  if (g_getenv ("CC_TEST_NO_WEBKIT") != NULL)
    {
      g_test_skip ("WebKit's web process does not start under AddressSanitizer (CC_TEST_NO_WEBKIT)");
      return;
    }
  if (g_strrstr (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", "gl-disable") != NULL)
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  changes = cc_project_new (cc_project_get_name (f->window->project));
  cc_project_set_port (changes, cc_test_free_port ());
  app_set_project_fields (f, cc_project_get_id (f->window->project), changes, CC_PROJECT_FIELD_PORT);
  resize_window (f, 1100, 720);

  web_view = cc_preview_pane_get_web_view (pane);
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_finished), &finished);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  g_assert_true (cc_preview_pane_get_running (pane));
  WAIT_FOR (finished, "the page to load");
  g_signal_handlers_disconnect_by_data (web_view, &finished);
  app_wait_drawn (GTK_WIDGET (f->window));

  /* On every view, the work area starts where the sidebar ends and keeps its width. */
  for (guint i = 0; i < 2; i++)
    {
      const char *views[] = { "preview", "terminal" };
      int sidebar_end = widget_x_in_window (f, GTK_WIDGET (f->window->sidebar)) +
                        gtk_widget_get_width (GTK_WIDGET (f->window->sidebar));
      int min_width;

      adw_view_stack_set_visible_child_name (f->window->view_stack, views[i]);
      app_wait_drawn (GTK_WIDGET (f->window));
      gtk_widget_measure (GTK_WIDGET (f->window->view_stack), GTK_ORIENTATION_HORIZONTAL, -1,
                          &min_width, NULL, NULL, NULL);
      g_assert_cmpint (min_width, <=, 360);
      g_assert_cmpint (widget_x_in_window (f, GTK_WIDGET (f->window->view_stack)), >=, sidebar_end);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->view_stack)), >=, 500);
    }

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
}

/* ---- registration ------------------------------------------------------------------------- */

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, shared, setup, func, app_fixture_teardown)

void
app_add_layout_cases (const AppShared *shared)
{
  ADD_CASE ("/app/layout/narrow", app_fixture_setup_blank, test_narrow);
  ADD_CASE ("/app/layout/terminal-space", app_fixture_setup_blank, test_terminal_space);
  ADD_CASE ("/app/layout/preview-allocation", app_fixture_setup_node, test_preview_allocation);
}
