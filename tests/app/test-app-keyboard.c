/* test-app-keyboard.c: the main flow with the keyboard alone
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real key presses: the X server's XTEST extension types them into the focused window, and GTK
 * handles them as it handles a person's (accelerators, mnemonics, focus moves, default buttons).
 * The case only reads what the app shows; it never calls an action itself. What stands in for a
 * window manager is giving a new window the input focus.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gdk/x11/gdkx.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XTest.h>

#include "cc-file-editor.h"
#include "cc-new-project-dialog.h"
#include "cc-preview-pane.h"
#include "cc-shell-view.h"
#include "cc-terminal-view.h"
#include "test-app-fixture.h"

static Display *
x_display (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  return GDK_IS_X11_DISPLAY (display) ? gdk_x11_display_get_xdisplay (display) : NULL;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* What a window manager does for a window that is shown: gives it the input focus. */
static void
keyboard_focus (GtkWindow *window)
{
  Display *dpy = x_display ();
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)), "the window to be shown");
  XSetInputFocus (dpy, gdk_x11_surface_get_xid (surface), RevertToParent, CurrentTime);
  XSync (dpy, False);
  WAIT_FOR (gtk_window_is_active (window), "the window to have the keyboard");
}

/* Presses and releases @keysym with Shift held when @shift. */
static void
tap (KeySym   keysym,
     gboolean shift)
{
  Display *dpy = x_display ();
  KeyCode code = XKeysymToKeycode (dpy, keysym);
  KeyCode shift_code = XKeysymToKeycode (dpy, XK_Shift_L);

  g_assert_cmpuint (code, !=, 0);
  if (shift)
    XTestFakeKeyEvent (dpy, shift_code, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, True, CurrentTime);
  XTestFakeKeyEvent (dpy, code, False, CurrentTime);
  if (shift)
    XTestFakeKeyEvent (dpy, shift_code, False, CurrentTime);
  XSync (dpy, False);
}

/* A combination such as "ctrl+shift+r", "alt+5" or "Return" (X key names). */
static void
press (const char *combo)
{
  Display *dpy = x_display ();
  g_auto(GStrv) parts = g_strsplit (combo, "+", -1);
  guint n = g_strv_length (parts);
  KeyCode held[4];
  guint n_held = 0;

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (held) + 1);
  for (guint i = 0; i + 1 < n; i++)
    {
      KeySym modifier = g_str_equal (parts[i], "ctrl") ? XK_Control_L :
                        g_str_equal (parts[i], "alt") ? XK_Alt_L :
                        g_str_equal (parts[i], "shift") ? XK_Shift_L : NoSymbol;

      g_assert_true (modifier != NoSymbol);
      held[n_held] = XKeysymToKeycode (dpy, modifier);
      XTestFakeKeyEvent (dpy, held[n_held++], True, CurrentTime);
    }
  {
    KeySym key = XStringToKeysym (parts[n - 1]);

    g_assert_true (key != NoSymbol);
    tap (key, FALSE);
  }
  while (n_held > 0)
    XTestFakeKeyEvent (dpy, held[--n_held], False, CurrentTime);
  XSync (dpy, False);
}

/* Types ASCII @text, with Shift where the keyboard map puts a character on its second level. */
static void
type_text (const char *text)
{
  Display *dpy = x_display ();

  for (const char *p = text; *p; p++)
    {
      KeySym keysym = *p == '\n' ? XK_Return : (KeySym) (guchar) *p;
      KeyCode code = XKeysymToKeycode (dpy, keysym);

      g_assert_cmpuint (code, !=, 0);
      tap (keysym, XkbKeycodeToKeysym (dpy, code, 0, 0) != keysym);
    }
}

static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

static GtkWidget *
focus_of (AppFixture *f)
{
  return gtk_window_get_focus (GTK_WINDOW (f->window));
}

static gboolean
focus_inside (AppFixture *f,
              GtkWidget  *area)
{
  GtkWidget *focus = focus_of (f);

  return focus != NULL && (focus == area || gtk_widget_is_ancestor (focus, area));
}

/* Presses @key (bounded) until @done holds, letting GTK handle each press first. */
#define PRESS_UNTIL(key, done, what)                                                       \
  G_STMT_START {                                                                           \
    guint presses_ = 0;                                                                    \
    while (!(done))                                                                        \
      {                                                                                    \
        if (++presses_ > 80)                                                               \
          g_error ("%s pressed 80 times without reaching %s", (key), (what));             \
        press (key);                                                                       \
        app_wait_drawn (GTK_WIDGET (f->window));                                           \
      }                                                                                    \
  } G_STMT_END

static gboolean
terminal_shows (CcTerminalView *terminal,
                const char     *needle)
{
  g_autofree char *text = cc_terminal_view_dup_text (terminal);

  return text != NULL && strstr (text, needle) != NULL;
}

/* A new project, a command, the shell, a file opened from the tree and edited, History, the
 * project's settings and its dev server in the preview: keys only. */
static void
test_keyboard_main_flow (AppFixture    *f,
                         gconstpointer  data)
{
  GtkWindow *dialog;
  CcCommandView *command_view;
  g_autoptr(GBytes) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", cc_test_free_port ());
  guint ticker;

  if (x_display () == NULL)
    {
      g_test_skip ("The keys are typed through X11's XTEST extension");
      return;
    }
  /* Key presses come from the X server: the loop must wake up for them. */
  ticker = g_timeout_add (20, tick_cb, NULL);
  keyboard_focus (GTK_WINDOW (f->window));

  /* A project: Ctrl+N, its name, Enter. */
  press ("ctrl+n");
  WAIT_FOR ((dialog = app_find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG)) != NULL, "the New Project dialog");
  keyboard_focus (dialog);
  type_text ("Keys Only");
  press ("Return");
  WAIT_FOR (app_find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG) == NULL, "the project to be made");
  WAIT_FOR (f->window->project != NULL && g_strcmp0 (cc_project_get_name (f->window->project), "Keys Only") == 0,
            "the new project in the window");
  keyboard_focus (GTK_WINDOW (f->window));

  /* A command: Ctrl+L to the entry, the line, Enter. */
  press ("alt+1");
  command_view = _cc_window_get_command_view (f->window);
  press ("ctrl+l");
  type_text ("printf 'one\\n' > notes.txt; echo typed-$((6*7))\n");
  WAIT_FOR (terminal_shows (cc_command_view_get_terminal (command_view), "typed-42"), "the command's output");
  WAIT_FOR (terminal_shows (cc_command_view_get_terminal (command_view), "Exit code 0"), "the command's end");
  WAIT_FOR (app_history_has (f, "printf 'one\\n' > notes.txt; echo typed-$((6*7))", NULL), "the command's record");
  /* While a command runs, a line goes to its input, and Ctrl+D ends that. */
  type_text ("cat -n\n");
  WAIT_FOR (terminal_shows (cc_command_view_get_terminal (command_view), "$ cat -n"), "cat to start");
  type_text ("from-the-keys\n");
  WAIT_FOR (terminal_shows (cc_command_view_get_terminal (command_view), "1\tfrom-the-keys"), "cat's numbered line");
  press ("ctrl+d");
  WAIT_FOR (app_history_has (f, "cat -n", NULL), "cat to end with its input");

  /* The shell: Alt+2, where the keys go to the terminal. */
  press ("alt+2");
  WAIT_FOR (cc_shell_view_is_open (f->window->shell_view), "the shell to open");
  PRESS_UNTIL ("Tab", focus_inside (f, GTK_WIDGET (cc_shell_view_get_terminal (f->window->shell_view))),
               "the shell's terminal");
  type_text ("echo shell-$((2+3))\n");
  WAIT_FOR (terminal_shows (cc_shell_view_get_terminal (f->window->shell_view), "shell-5"), "the shell's answer");

  /* The file, from the Files pane: Tab into the tree, arrows to the file, Enter opens it. */
  press ("alt+3");
  WAIT_FOR (app_tree_root_has (f, "notes.txt"), "notes.txt in the file tree");
  PRESS_UNTIL ("Tab", focus_inside (f, GTK_WIDGET (f->window->file_tree)), "the Files pane");
  PRESS_UNTIL ("Down", GTK_IS_TREE_EXPANDER (focus_of (f)), "the list of files");
  press ("Home");
  PRESS_UNTIL ("Down", shows_label (focus_of (f), "notes.txt"), "notes.txt in the tree");
  press ("Return");
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_path (f->window->file_editor), "/home/user/notes.txt") == 0,
            "the file in the editor");
  WAIT_FOR (gtk_source_buffer_get_language (cc_file_editor_get_buffer (f->window->file_editor)) != NULL ||
            gtk_text_buffer_get_char_count (GTK_TEXT_BUFFER (cc_file_editor_get_buffer (f->window->file_editor))) > 0,
            "the file's text");
  PRESS_UNTIL ("Tab", GTK_IS_TEXT_VIEW (focus_of (f)) &&
                      gtk_widget_is_ancestor (focus_of (f), GTK_WIDGET (f->window->file_editor)),
               "the editor's text");
  /* The file's final newline is kept by the editor, not shown as a line of its own. */
  press ("ctrl+End");
  type_text ("\ntwo");
  press ("ctrl+s");
  WAIT_FOR ((saved = app_read_sandbox_file (f, "/home/user/notes.txt", NULL)) != NULL &&
            g_bytes_get_size (saved) == strlen ("one\ntwo\n"), "the saved file");
  g_assert_cmpmem (g_bytes_get_data (saved, NULL), g_bytes_get_size (saved), "one\ntwo\n", strlen ("one\ntwo\n"));

  /* History: Alt+5 shows the command. */
  press ("alt+5");
  WAIT_FOR (g_strcmp0 (adw_view_stack_get_visible_child_name (f->window->view_stack), "history") == 0,
            "the History view");
  WAIT_FOR (app_history_has (f, "printf 'one\\n' > notes.txt; echo typed-$((6*7))", NULL), "the command in History");

  /* Project settings: Alt+Return, the start command and the port by their mnemonics, Enter
   * saves; then Ctrl+Shift+R starts the dev server and the preview shows it. */
  press ("alt+Return");
  WAIT_FOR ((dialog = app_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL, "Project Settings");
  keyboard_focus (dialog);
  press ("alt+t");
  type_text ("python3 -m http.server $PORT");
  press ("alt+p");
  press ("ctrl+a");
  type_text (port);
  press ("Return");
  WAIT_FOR (app_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL, "the settings to be saved");
  WAIT_FOR (g_strcmp0 (cc_project_get_start_command (f->window->project), "python3 -m http.server $PORT") == 0 &&
            cc_project_get_port (f->window->project) == (guint) atoi (port), "the saved settings");
  keyboard_focus (GTK_WINDOW (f->window));
  if (g_getenv ("CC_TEST_NO_WEBKIT") == NULL)
    {
      press ("ctrl+shift+r");
      WAIT_FOR (g_strcmp0 (adw_view_stack_get_visible_child_name (f->window->view_stack), "preview") == 0,
                "the Preview view");
      WAIT_FOR (!cc_preview_pane_get_busy (f->window->preview_pane), "the dev server to answer");
      if (!cc_preview_pane_get_running (f->window->preview_pane))
        g_error ("The dev server did not come up; the pane shows “%s”",
                 cc_preview_pane_get_state (f->window->preview_pane));
      g_assert_cmpstr (cc_preview_pane_get_state (f->window->preview_pane), ==, "web");
      press ("ctrl+shift+period");
      WAIT_FOR (!cc_preview_pane_get_busy (f->window->preview_pane) &&
                !cc_preview_pane_get_running (f->window->preview_pane), "the dev server to stop");
    }
  g_source_remove (ticker);
}

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, shared, setup, func, app_fixture_teardown)

void
app_add_keyboard_cases (const AppShared *shared)
{
  ADD_CASE ("/app/keyboard/main-flow", app_fixture_setup_empty, test_keyboard_main_flow);
}
