/* test-app-layout.c: how the window gives its space, at a phone's width and at a laptop's, and
 * what it costs while nothing happens
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <webkit/webkit.h>

#include "cc-new-project-dialog.h"
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

/* The first label under @widget whose text has @part. */
static GtkLabel *
find_label_with (GtkWidget  *widget,
                 const char *part)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), part) != NULL)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label_with (child, part);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The project row's subtitle ("Local Engine · Running · 4 min left", maybe "· synced" after it)
 * as laid out in the sidebar at its narrowest: whole, and with no line starting inside the time
 * left. */
static void
check_subtitle_keeps_time_whole (AppFixture *f)
{
  GtkLabel *subtitle = NULL;
  PangoLayout *layout;
  const char *text;
  const char *time_end;
  const char *time_start;
  int lines = 0;

  WAIT_FOR ((subtitle = find_label_with (GTK_WIDGET (f->window->sidebar), "left")) != NULL,
            "the running sandbox's time left in the sidebar");
  app_wait_drawn (GTK_WIDGET (f->window));
  text = gtk_label_get_text (subtitle);
  /* The time left is one "·" part ("… · 4 min left", a mirrored project's sync state may follow):
   * from the last "·" before "left" to the end of "left". */
  time_end = strstr (text, "left");
  g_assert_nonnull (time_end);
  time_end += strlen ("left");
  {
    g_autofree char *head = g_strndup (text, time_end - text);
    const char *dot = g_utf8_strrchr (head, -1, 0xB7);   /* the last "·" before it */

    g_assert_nonnull (dot);
    time_start = text + (g_utf8_next_char (dot) - head) + 1;
  }
  g_assert_true (g_ascii_isdigit (*time_start) || g_str_has_prefix (time_start, "less"));
  if (g_str_has_prefix (time_start, "less"))
    time_start = strstr (time_start, "minute") - 2;   /* "a minute left" stays together */

  layout = gtk_label_get_layout (subtitle);
  g_assert_false (pango_layout_is_ellipsized (layout));
  for (GSList *l = pango_layout_get_lines_readonly (layout); l != NULL; l = l->next, lines++)
    {
      PangoLayoutLine *line = l->data;

      if (line->start_index > time_start - text && line->start_index < time_end - text)
        g_error ("The subtitle “%s” breaks its time left before byte %d", text, line->start_index);
    }
  /* The check proves something only where the subtitle had to wrap. */
  g_assert_cmpint (lines, >=, 2);
}

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
  /* Every view is still one switch away, at the bottom (shown a turn after the header's). */
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window->switcher_bar)),
            "the bottom view switcher");
  app_wait_drawn (GTK_WIDGET (f->window));
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "narrow.png");

  /* The panes are reachable: each has a visible button in the header bar and a shortcut. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->sidebar_button)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->files_button)));
  /* So are Run, the sandbox's clock and menu, and the main menu: shown whole in the header. */
  {
    GtkWidget *header_items[] = {
      gtk_stack_get_visible_child (f->window->dev_server_stack),
      GTK_WIDGET (f->window->sandbox_controls),
      app_find_descendant_any (GTK_WIDGET (f->window->sandbox_controls), GTK_TYPE_MENU_BUTTON),
      GTK_WIDGET (f->window->files_button),
    };
    GtkWidget *main_menu = NULL;

    for (GtkWidget *w = gtk_widget_get_next_sibling (GTK_WIDGET (f->window->files_button)); w != NULL && main_menu == NULL;
         w = gtk_widget_get_next_sibling (w))
      if (GTK_IS_MENU_BUTTON (w))
        main_menu = w;
    g_assert_nonnull (main_menu);
    g_assert_true (gtk_widget_get_mapped (main_menu));
    for (guint i = 0; i < G_N_ELEMENTS (header_items); i++)
      {
        graphene_rect_t bounds;

        g_assert_nonnull (header_items[i]);
        g_assert_true (gtk_widget_get_mapped (header_items[i]));
        g_assert_true (gtk_widget_compute_bounds (header_items[i], GTK_WIDGET (f->window), &bounds));
        g_assert_cmpfloat (bounds.origin.x, >=, 0);
        g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (f->window)));
        g_assert_cmpfloat (bounds.size.width, >, 0);
      }
  }
  /* A button's activation (Space, Enter) clicks it at the end of its press animation. */
  gtk_widget_activate (GTK_WIDGET (f->window->sidebar_button));
  WAIT_FOR (adw_flap_get_reveal_flap (f->window->sidebar_flap), "the project list to show");
  app_wait_drawn (GTK_WIDGET (f->window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window->sidebar)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window->sidebar)), >=, 200);
  check_subtitle_keeps_time_whole (f);
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

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  g_assert_true (cc_preview_pane_get_running (pane));
  web_view = WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane));
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_finished), &finished);
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

/* ---- the sandbox's clock ------------------------------------------------------------------ */

static int
natural_width (GtkWidget *widget)
{
  int natural;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

static void
test_extend_feedback (AppFixture    *f,
                      gconstpointer  data)
{
  GtkWidget *controls = GTK_WIDGET (f->window->sandbox_controls);
  GtkMenuButton *button = GTK_MENU_BUTTON (app_find_descendant_any (controls, GTK_TYPE_MENU_BUTTON));
  GtkLabel *time_label = GTK_LABEL (app_find_descendant_any (controls, GTK_TYPE_LABEL));
  const char *times[] = { "1:11", "9:59", "10:00", "48:08" };
  const char *others[] = { "1:00:00", "23:59:59", "Paused", "Starting", "Sandbox" };
  GtkWidget *switcher = GTK_WIDGET (f->window->switcher_title);
  int width, x;

  /* The countdown keeps its width from one second to the next. */
  g_assert_nonnull (time_label);
  gtk_label_set_label (time_label, times[0]);
  width = natural_width (controls);
  for (guint i = 1; i < G_N_ELEMENTS (times); i++)
    {
      gtk_label_set_label (time_label, times[i]);
      g_assert_cmpint (natural_width (controls), ==, width);
    }
  /* Whatever the clock says, the view switcher beside it stays put, where the header is tight
   * and at a laptop's width. */
  for (int w = 800; w <= 1100; w += 300)
    {
      resize_window (f, w, 720);
      x = widget_x_in_window (f, switcher);
      for (guint i = 0; i < G_N_ELEMENTS (others); i++)
        {
          gtk_label_set_label (time_label, others[i]);
          app_wait_drawn (GTK_WIDGET (f->window));
          g_assert_cmpint (widget_x_in_window (f, switcher), ==, x);
        }
    }

  app_run_in_terminal_ok (f, "true");
  WAIT_FOR (cc_client_get_sandbox_status (f->client, cc_project_get_id (f->window->project)) ==
            CC_SANDBOX_STATUS_RUNNING, "the sandbox to run");

  /* Extend from its popover: the popover closes and a toast says until when. */
  gtk_menu_button_popup (button);
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (button))), "the popover");
  gtk_widget_activate_action (controls, "sandbox.extend", NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_menu_button_get_popover (button))));
  WAIT_FOR (g_str_has_prefix (_cc_window_get_last_toast (f->window) ? _cc_window_get_last_toast (f->window) : "",
                              "The sandbox now runs until "), "the toast");
  /* The clock counts down from the new end. */
  g_assert_cmpint (cc_client_get_sandbox_end_time (f->client, cc_project_get_id (f->window->project)), >,
                   g_get_real_time () + 60 * G_USEC_PER_SEC);
  WAIT_FOR (strchr (cc_sandbox_controls_get_label (f->window->sandbox_controls), ':') != NULL &&
            strcmp (cc_sandbox_controls_get_label (f->window->sandbox_controls), "0:00") != 0,
            "the clock to show the time left");
}

/* ---- the New Project dialog ---------------------------------------------------------------- */

static void
test_new_project_focus (AppFixture    *f,
                        gconstpointer  data)
{
  GtkWindow *dialog;
  GtkWidget *focus;
  AdwComboRow *connection;
  g_autofree char *local = NULL;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-project", NULL);
  WAIT_FOR ((dialog = app_find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG)) != NULL, "the dialog");
  g_object_ref (dialog);
  app_wait_drawn (GTK_WIDGET (dialog));

  /* The keyboard starts on the name, not on Cancel. */
  focus = gtk_window_get_focus (dialog);
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (cc_new_project_dialog_get_name_row (CC_NEW_PROJECT_DIALOG (dialog)))));

  /* The connection's subtitle follows the choice. */
  connection = ADW_COMBO_ROW (app_find_descendant_any (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW));
  while (connection != NULL && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (connection)), "_Runs On") != 0)
    connection = ADW_COMBO_ROW (app_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "_Runs On"));
  g_assert_nonnull (connection);
  adw_combo_row_set_selected (connection, CC_CONNECTION_LOCAL);
  local = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (connection)));
  g_assert_nonnull (strstr (local, "offline"));
  adw_combo_row_set_selected (connection, CC_CONNECTION_E2B);
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (connection)), "offline"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (connection)), "API key"));
  adw_combo_row_set_selected (connection, CC_CONNECTION_LOCAL);

  app_close_and_finalize (dialog);
}

/* F2 is what the Files menu says: rename the selected file; not Project Settings. */
static void
test_f2 (AppFixture    *f,
         gconstpointer  data)
{
  g_auto(GStrv) rename_file = gtk_application_get_accels_for_action (GTK_APPLICATION (f->shared->app), "win.rename-file");
  g_auto(GStrv) settings = gtk_application_get_accels_for_action (GTK_APPLICATION (f->shared->app), "win.rename-project");
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (f->shared->app), "F2");

  g_assert_cmpstr (rename_file[0], ==, "F2");
  g_assert_true (settings[0] == NULL || g_strcmp0 (settings[0], "F2") != 0);
  g_assert_cmpuint (g_strv_length (actions), ==, 1);
  g_assert_cmpstr (actions[0], ==, "win.rename-file");
}

/* ---- the terminal's colours -------------------------------------------------------------- */

static double
relative_luminance (const char *hex)
{
  GdkRGBA rgba;
  double channels[3];

  g_assert_true (gdk_rgba_parse (&rgba, hex));
  channels[0] = rgba.red;
  channels[1] = rgba.green;
  channels[2] = rgba.blue;
  for (guint i = 0; i < 3; i++)
    channels[i] = channels[i] <= 0.03928 ? channels[i] / 12.92 : pow ((channels[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
}

static double
contrast (const char *a,
          const char *b)
{
  double la = relative_luminance (a), lb = relative_luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* Every ANSI colour, and the default text, is readable (WCAG AA, 4.5:1) on the background of
 * both styles; the dark style's blue and red were not. */
static void
test_palette_contrast (AppFixture    *f,
                       gconstpointer  data)
{
  for (guint dark = 0; dark < 2; dark++)
    {
      const char *fg, *bg;
      const char * const *palette = cc_terminal_view_get_palette (dark, &fg, &bg);

      g_assert_cmpfloat (contrast (fg, bg), >=, 4.5);
      for (guint i = 0; i < 16; i++)
        {
          if (contrast (palette[i], bg) < 4.5)
            g_error ("ANSI colour %u (%s) on %s: contrast %.2f, under 4.5", i, palette[i], bg,
                     contrast (palette[i], bg));
        }
    }
}

/* ---- idle -------------------------------------------------------------------------------- */

static void
count_signal (GdkFrameClock *clock,
              guint         *count)
{
  (*count)++;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Frames the window updates (its animations and tick callbacks), paints and lays out over two
 * seconds of nothing happening, on @view. */
static void
count_idle_frames (AppFixture *f,
                   const char *view,
                   guint      *updates,
                   guint      *paints,
                   guint      *layouts)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gboolean done = FALSE;
  gulong update_id, paint_id, layout_id;

  adw_view_stack_set_visible_child_name (f->window->view_stack, view);
  app_wait_drawn (GTK_WIDGET (f->window));
  /* A view shown for the first time may fade its pages in (a transition of a few hundred ms):
   * that ends, and is not what is counted. */
  g_timeout_add (1000, set_flag, &done);
  WAIT_FOR (done, "a settling second");
  done = FALSE;
  *updates = *paints = *layouts = 0;
  /* A running animation ticks in the update phase even where it draws nothing: a spinner on a
   * hidden page once kept the clock running on every frame. */
  update_id = g_signal_connect (clock, "update", G_CALLBACK (count_signal), updates);
  paint_id = g_signal_connect (clock, "paint", G_CALLBACK (count_signal), paints);
  layout_id = g_signal_connect (clock, "layout", G_CALLBACK (count_signal), layouts);
  /* A window of real time, not a bound on how long something takes: what is counted is what
   * happens in it. */
  g_timeout_add (2000, set_flag, &done);
  WAIT_FOR (done, "two idle seconds");
  g_signal_handler_disconnect (clock, update_id);
  g_signal_handler_disconnect (clock, paint_id);
  g_signal_handler_disconnect (clock, layout_id);
  g_test_message ("%s: %u updates, %u paints, %u layouts in 2 s", view, *updates, *paints, *layouts);
}

/* Idle means no frames but the clock's, once a second (two in the window, and a little slack).
 * A focused text field's cursor blinks, and GTK fades it frame by frame for ten seconds after
 * the last key: that is the toolkit's, and the user's setting, so it is turned off here to see
 * what the app itself redraws. */
static void
test_idle_frames (AppFixture    *f,
                  gconstpointer  data)
{
  const char *views[] = { "terminal", "shell", "editor", "history", "preview" };
  GtkSettings *settings = gtk_settings_get_default ();
  gboolean blink, animations;

  g_object_get (settings, "gtk-cursor-blink", &blink, "gtk-enable-animations", &animations, NULL);
  /* Animations are on here, as on a desktop (main() turns them off for the other cases): a
   * running one is what would keep an idle window busy. */
  g_object_set (settings, "gtk-cursor-blink", FALSE, "gtk-enable-animations", TRUE, NULL);
  app_run_in_terminal_ok (f, "true");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      guint updates, paints, layouts;

      count_idle_frames (f, views[i], &updates, &paints, &layouts);
      g_assert_cmpuint (updates, <=, 4);
      g_assert_cmpuint (paints, <=, 4);
      g_assert_cmpuint (layouts, <=, 4);
    }
  g_object_set (settings, "gtk-cursor-blink", blink, "gtk-enable-animations", animations, NULL);
}

/* ---- icons ------------------------------------------------------------------------------- */

static void
collect_icon_names (GHashTable *names,
                    const char *text,
                    const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_nonnull (regex);
  for (g_regex_match (regex, text, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    g_hash_table_add (names, g_match_info_fetch (match, 1));
}

static void
collect_from_resources (GHashTable *names,
                        const char *dir)
{
  g_auto(GStrv) children = g_resources_enumerate_children (dir, 0, NULL);

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      g_autofree char *path = g_strconcat (dir, children[i], NULL);
      g_autoptr(GBytes) bytes = NULL;

      if (!g_str_has_suffix (path, ".ui"))
        continue;
      bytes = g_resources_lookup_data (path, 0, NULL);
      g_assert_nonnull (bytes);
      collect_icon_names (names, g_bytes_get_data (bytes, NULL), "name=\"icon-name\">([^<]+)<");
    }
}

/* Every icon the window, its dialogs and its code name is found in the icon theme the tests
 * run with (Debian 12's Adwaita plus what the app ships), so none shows as a broken image. */
static void
test_icons (AppFixture    *f,
            gconstpointer  data)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (f->window)));
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  const char *file;
  GHashTableIter iter;
  const char *name;

  collect_from_resources (names, RESOURCE_PREFIX "/ui/");
  collect_from_resources (names, RESOURCE_PREFIX "/gtk/");
  dir = g_dir_open (CC_APP_SRCDIR, 0, NULL);
  g_assert_nonnull (dir);
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (CC_APP_SRCDIR, file, NULL);
      g_autofree char *text = NULL;

      if (!g_str_has_suffix (file, ".c"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      collect_icon_names (names, text, "\"([a-z0-9-]+-symbolic)\"");
    }
  /* The About window's and the desktop's icon. */
  g_hash_table_add (names, g_strdup (APP_ID));
  g_hash_table_add (names, g_strdup (APP_ID "-symbolic"));
  g_assert_cmpuint (g_hash_table_size (names), >=, 20);
  g_assert_true (g_hash_table_contains (names, "terminal-symbolic"));

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (!gtk_icon_theme_has_icon (theme, name))
      g_ptr_array_add (missing, (gpointer) name);
  g_ptr_array_add (missing, NULL);
  if (missing->len > 1)
    g_error ("Icons not in the theme: %s", g_strjoinv (", ", (char **) missing->pdata));

  /* Debian 12's Adwaita has no terminal-symbolic: the app's own resources carry it. */
  {
    g_autoptr(GtkIconPaintable) icon = gtk_icon_theme_lookup_icon (theme, "terminal-symbolic", NULL, 16, 1,
                                                                   GTK_TEXT_DIR_NONE, 0);
    g_autoptr(GFile) icon_file = gtk_icon_paintable_get_file (icon);
    g_autofree char *uri = icon_file != NULL ? g_file_get_uri (icon_file) : NULL;

    g_assert_true (g_str_has_prefix (uri, "resource://"));
  }
  /* About names the app's icon, which is found when run from the build too. */
  {
    GtkWindow *about;
    g_autoptr(GtkIconPaintable) icon = NULL;

    g_action_group_activate_action (G_ACTION_GROUP (f->shared->app), "about", NULL);
    WAIT_FOR ((about = app_find_toplevel (ADW_TYPE_ABOUT_WINDOW)) != NULL, "the About window");
    g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
    icon = gtk_icon_theme_lookup_icon (theme, APP_ID, NULL, 128, 1, GTK_TEXT_DIR_NONE, 0);
    g_assert_cmpstr (gtk_icon_paintable_get_icon_name (icon), ==, APP_ID);
    app_close_and_finalize (g_object_ref (about));
  }
}

/* ---- History as it happens ----------------------------------------------------------------- */

/* A pause made from the header shows in History while it stays open, with nothing else to
 * make it reload (it used to appear only after switching projects). */
static void
test_history_live (AppFixture    *f,
                   gconstpointer  data)
{
  GtkWidget *controls = GTK_WIDGET (f->window->sandbox_controls);
  guint before;

  app_run_in_terminal_ok (f, "true");
  WAIT_FOR (cc_client_get_sandbox_status (f->client, cc_project_get_id (f->window->project)) ==
            CC_SANDBOX_STATUS_RUNNING, "the sandbox to run");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  WAIT_FOR (app_history_has (f, "true", NULL), "the command in History");
  before = app_history_count (f, CC_OPERATION_TYPE_SANDBOX, -1);

  gtk_widget_activate_action (controls, "sandbox.pause", NULL);
  WAIT_FOR (cc_client_get_sandbox_status (f->client, cc_project_get_id (f->window->project)) ==
            CC_SANDBOX_STATUS_PAUSED, "the sandbox to pause");
  WAIT_FOR (app_history_count (f, CC_OPERATION_TYPE_SANDBOX, -1) > before, "the pause in History");
}

/* ---- screenshots ------------------------------------------------------------------------- */

/* Sizes the window's own widget, the part a screenshot shows, to @width × @height: without a
 * compositor the surface also holds the border drawn around it. */
static void
resize_content (AppFixture *f,
                int         width,
                int         height)
{
  GtkWidget *window = GTK_WIDGET (f->window);

  resize_window (f, width, height);
  if (gtk_widget_get_width (window) != width || gtk_widget_get_height (window) != height)
    resize_window (f, 2 * width - gtk_widget_get_width (window), 2 * height - gtk_widget_get_height (window));
  g_assert_cmpint (gtk_widget_get_width (window), ==, width);
  g_assert_cmpint (gtk_widget_get_height (window), ==, height);
}

/* The store's screenshots: a project with output, at a laptop's width and a phone's, in the light
 * and the dark style, under the names data/screenshots/ has. They land in the build directory's
 * screenshots/store/, apart from other cases' shots; copying them there updates the store's. */
static void
test_screenshots (AppFixture    *f,
                  gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  static const struct { int width, height; const char *name; } sizes[] = {
    { 1280, 800, "main" },
    { 360, 640, "narrow" },
  };

  app_run_in_terminal_ok (f, "ls -la && node --version");
  for (guint dark = 0; dark < 2; dark++)
    {
      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          g_autofree char *name = g_strdup_printf ("store/%s%s.png", sizes[i].name, dark ? "-dark" : "");

          GtkWidget *bar = GTK_WIDGET (f->window->switcher_bar);
          gboolean narrow = sizes[i].width < 500;

          resize_content (f, sizes[i].width, sizes[i].height);
          adw_view_stack_set_visible_child_name (f->window->view_stack, "terminal");
          /* The bottom switcher follows the header's a layout later: shoot once it has. */
          WAIT_FOR ((gtk_widget_get_mapped (bar) && gtk_widget_get_height (bar) > 0) == narrow,
                    "the bottom view switcher to follow the width");
          app_wait_drawn (GTK_WIDGET (f->window));
          /* The views reach the bottom: no band left by the bottom switcher after widening. */
          {
            GtkWidget *views = GTK_WIDGET (f->window->main_stack);
            GtkWidget *box = gtk_widget_get_parent (views);
            graphene_rect_t bounds;

            g_assert_true (gtk_widget_compute_bounds (views, box, &bounds));
            if (!narrow)
              g_assert_cmpint ((int) (bounds.origin.y + bounds.size.height), ==,
                               gtk_widget_get_height (box));
          }
          app_snapshot_to_png (f, GTK_WIDGET (f->window), name);
        }
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
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
  ADD_CASE ("/app/layout/icons", app_fixture_setup_empty, test_icons);
  ADD_CASE ("/app/layout/extend-feedback", app_fixture_setup_blank, test_extend_feedback);
  ADD_CASE ("/app/layout/new-project-focus", app_fixture_setup_empty, test_new_project_focus);
  ADD_CASE ("/app/layout/f2-renames-files", app_fixture_setup_empty, test_f2);
  ADD_CASE ("/app/layout/palette-contrast", app_fixture_setup_empty, test_palette_contrast);
  ADD_CASE ("/app/layout/idle-frames", app_fixture_setup_blank, test_idle_frames);
  ADD_CASE ("/app/layout/screenshots", app_fixture_setup_node, test_screenshots);
  ADD_CASE ("/app/layout/history-live", app_fixture_setup_blank, test_history_live);
}
