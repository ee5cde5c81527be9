/* test-app-flow.c: what a user meets in the Terminal and Shell tabs and in History: input that
 * arrives, a cache that tells the truth, output that reads right
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <webkit/webkit.h>

#include "cc-history-row.h"
#include "cc-web-view-private.h"
#include "test-app-fixture.h"

/* ---- shell -------------------------------------------------------------------------------- */

static gboolean
shell_shows (AppFixture *f,
             const char *needle)
{
  g_autofree char *text = cc_terminal_view_dup_text (cc_shell_view_get_terminal (f->window->shell_view));

  return text != NULL && strstr (text, needle) != NULL;
}

/* 500 keys typed as fast as VTE can hand them over, each its own "commit": the shell's process
 * gets every one, in order. */
static void
test_shell_input_order (AppFixture    *f,
                        gconstpointer  data)
{
  VteTerminal *terminal = VTE_TERMINAL (cc_shell_view_get_terminal (f->window->shell_view));
  static const char keys[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ;-.,";
  g_autoptr(GString) typed = g_string_new (NULL);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;

  adw_view_stack_set_visible_child_name (f->window->view_stack, "shell");
  WAIT_FOR (cc_shell_view_is_open (f->window->shell_view), "the shell to open");
  /* The marker comes once bash has handed the terminal back in its normal mode: keys typed
   * earlier reach readline's raw mode, where Ctrl+D below would be a plain byte, not cat's EOF. */
  vte_terminal_feed_child (terminal, "echo cat-$((1+1)); cat > typed.txt\r", -1);
  WAIT_FOR (shell_shows (f, "cat-2\n"), "cat to start");
  for (guint i = 0; i < 500; i++)
    g_string_append_c (typed, keys[(i * 11) % (sizeof keys - 1)]);
  for (guint i = 0; i < typed->len; i++)
    vte_terminal_feed_child (terminal, typed->str + i, 1);
  /* Enter, then Ctrl+D ends cat's input; the echo says the shell is back. */
  vte_terminal_feed_child (terminal, "\r", 1);
  vte_terminal_feed_child (terminal, "\004", 1);
  vte_terminal_feed_child (terminal, "echo typed-$((40+2))\r", -1);
  WAIT_FOR (shell_shows (f, "typed-42"), "the shell to come back after cat");

  got = app_read_sandbox_file (f, "typed.txt", &error);
  g_assert_no_error (error);
  g_string_append_c (typed, '\n');
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), typed->str, typed->len);
}

/* ---- terminal: input ---------------------------------------------------------------------- */

/* A fresh project's Terminal tab runs commands with their input open: cat -n waits for lines,
 * numbers what the entry sends, and ends at Ctrl+D, and nothing typed runs as a command. */
static void
test_terminal_input_to_command (AppFixture    *f,
                                gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkEditable *entry = cc_command_view_get_entry (view);
  CcExecution *finished = NULL;
  CcExecution *execution;
  g_autoptr(GBytes) out = NULL;
  const char *numbered = "     1\tabcdefghijklmnop\n     2\tsecond line\n";
  gulong id;

  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  gtk_editable_set_text (entry, "cat -n");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "cat to start");
  gtk_editable_set_text (entry, "abcdefghijklmnop");
  g_signal_emit_by_name (entry, "activate");
  gtk_editable_set_text (entry, "second line");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (app_terminal_shows (view, "2\tsecond line"), "cat to number both lines");
  g_assert_null (finished);
  g_assert_true (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING);

  /* Ctrl+D */
  gtk_widget_activate_action (GTK_WIDGET (view), "command.end-input", NULL);
  WAIT_FOR (finished != NULL, "cat to end at the end of its input");
  g_assert_cmpint (cc_execution_get_exit_code (finished), ==, 0);
  out = cc_execution_dup_stdout (finished);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), numbered, strlen (numbered));
  g_assert_false (app_terminal_shows (view, "command not found"));
  g_clear_object (&finished);

  /* read gets its line too. */
  gtk_editable_set_text (entry, "read -r answer; echo \"read:$answer\"");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "read to start");
  gtk_editable_set_text (entry, "forty two");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (finished != NULL, "read to end");
  g_assert_cmpint (cc_execution_get_exit_code (finished), ==, 0);
  WAIT_FOR (app_terminal_shows (view, "read:forty two"), "the line read");
  g_clear_object (&finished);
  g_signal_handler_disconnect (view, id);
}

/* ---- terminal: the cache ------------------------------------------------------------------ */

static gboolean
toggle_is_on (CcCommandView *view)
{
  GtkToggleButton *toggle = GTK_TOGGLE_BUTTON (app_find_descendant_any (GTK_WIDGET (view), GTK_TYPE_TOGGLE_BUTTON));

  g_assert_nonnull (toggle);
  /* The state is said in words, not only by the pressed look. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (toggle)), ==,
                   gtk_toggle_button_get_active (toggle) ? "Cache On" : "Cache Off");
  return gtk_toggle_button_get_active (toggle);
}

static gboolean
find_label (GtkWidget  *widget,
            const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_label (child, needle))
      return TRUE;
  return FALSE;
}

static void
test_terminal_cache_toggle (AppFixture    *f,
                            gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  g_autoptr(CcExecution) date1 = NULL;
  g_autoptr(CcExecution) date2 = NULL;
  g_autoptr(CcExecution) ls1 = NULL;
  g_autoptr(CcExecution) ls2 = NULL;
  g_autoptr(CcExecution) ls3 = NULL;
  g_autoptr(CcExecution) touch = NULL;
  g_autoptr(CcCommandView) again = NULL;
  g_autoptr(CcCommandView) other = NULL;
  g_autoptr(CcProject) second = NULL;

  /* Off for a new project: date twice gives two times. */
  g_assert_false (toggle_is_on (view));
  date1 = app_run_in_terminal (f, "date +%s%N");
  date2 = app_run_in_terminal (f, "date +%s%N");
  g_assert_false (cc_execution_get_cached (date2));

  /* Turned on, it is remembered for this project only. */
  cc_command_view_set_use_cache (view, TRUE);
  g_assert_true (toggle_is_on (view));
  again = g_object_ref_sink (cc_command_view_new (f->client, cc_project_get_id (f->project)));
  g_assert_true (toggle_is_on (again));
  second = app_create_project (f, "Other", CC_TEMPLATE_BLANK, 0);
  other = g_object_ref_sink (cc_command_view_new (f->client, cc_project_get_id (second)));
  g_assert_false (toggle_is_on (other));

  /* On: an answer is served only while it is still true, and says how old it is. */
  ls1 = app_run_in_terminal (f, "ls");
  ls2 = app_run_in_terminal (f, "ls");
  g_assert_true (cc_execution_get_cached (ls2));
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "cached result from just now"));
  WAIT_FOR (app_terminal_shows (view, "cached result from just now"), "the age in the terminal");
  WAIT_FOR (find_label (GTK_WIDGET (f->window->history_panel), "cached, just now"), "the age in History");
  touch = app_run_in_terminal (f, "touch made-after");
  ls3 = app_run_in_terminal (f, "ls");
  g_assert_false (cc_execution_get_cached (ls3));
  WAIT_FOR (app_terminal_shows (view, "made-after"), "the new file in the listing");
}

/* ---- terminal: how output reads ----------------------------------------------------------- */

static void
test_terminal_environment (AppFixture    *f,
                           gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);

  app_run_in_terminal_ok (f, "echo \"term=$TERM colorterm=$COLORTERM\"");
  WAIT_FOR (app_terminal_shows (view, "term=xterm-256color colorterm=truecolor"), "the environment");
}

static void
test_terminal_no_final_newline (AppFixture    *f,
                                gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);

  app_run_in_terminal_ok (f, "printf 'line one\\nline two'");
  WAIT_FOR (app_terminal_shows (view, "Exit code 0"), "the status line");
  g_assert_true (app_terminal_shows (view, "line two\nExit code 0"));
  g_assert_false (app_terminal_shows (view, "line twoExit code"));
}

/* ---- history ------------------------------------------------------------------------------ */

static void
test_history_stopped_agrees (AppFixture    *f,
                             gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkEditable *entry = cc_command_view_get_entry (view);
  CcExecution *finished = NULL;
  CcExecution *execution;
  gulong id;

  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  gtk_editable_set_text (entry, "sleep 60");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "sleep to start");
  cc_command_view_stop (view);
  WAIT_FOR (finished != NULL, "the stop");
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Stopped"));
  WAIT_FOR (find_label (GTK_WIDGET (f->window->history_panel), "Command · Stopped"), "History to say Stopped");
  g_assert_false (find_label (GTK_WIDGET (f->window->history_panel), "exit -1"));
  g_clear_object (&finished);
  g_signal_handler_disconnect (view, id);
}

static void
test_history_filter_empty_text (AppFixture    *f,
                                gconstpointer  data)
{
  CcHistoryPanel *panel = f->window->history_panel;
  GtkEditable *search = GTK_EDITABLE (app_find_descendant_any (GTK_WIDGET (panel), GTK_TYPE_SEARCH_ENTRY));
  AdwStatusPage *empty;

  app_run_in_terminal_ok (f, "echo something");
  WAIT_FOR (app_history_has (f, "echo something", NULL), "the record");
  /* History is a view of its own: the status page is mapped only while it is shown. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  gtk_editable_set_text (search, "no-record-has-this-text");
  empty = ADW_STATUS_PAGE (app_find_descendant_any (GTK_WIDGET (panel), ADW_TYPE_STATUS_PAGE));
  g_assert_nonnull (empty);
  WAIT_FOR (g_strcmp0 (adw_status_page_get_title (empty), "No Matching Records") == 0 &&
            gtk_widget_get_mapped (GTK_WIDGET (empty)), "the empty filter result");
  g_assert_cmpstr (adw_status_page_get_description (empty), !=, "Commands, file changes and setups show up here");
  g_assert_cmpstr (adw_status_page_get_description (empty), ==, "Try other words, or show every status");
}

/* ---- editor ------------------------------------------------------------------------------- */

static void
on_saved (CcFileEditor *editor,
          const char   *path,
          gboolean     *saved)
{
  *saved = TRUE;
}

/* Opens @name, puts "x" before its text, saves, and gives back what the sandbox then has. */
static char *
edit_and_save (AppFixture *f,
               const char *name)
{
  CcFileEditor *editor = f->window->file_editor;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start;
  gboolean saved = FALSE;

  WAIT_FOR ((path = app_tree_root_path (f, name)) != NULL, "the file in the tree");
  g_signal_emit_by_name (f->window->file_tree, "file-activated", path, (guint64) 0);
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_state (editor), "loading") != 0, "the file to load");
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "editor");
  buffer = GTK_TEXT_BUFFER (cc_file_editor_get_buffer (editor));
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_insert (buffer, &start, "x", -1);
  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  WAIT_FOR (saved, "the save");
  g_signal_handlers_disconnect_by_data (editor, &saved);
  bytes = app_read_sandbox_file (f, path, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
test_editor_keeps_final_newline (AppFixture    *f,
                                 gconstpointer  data)
{
  g_autofree char *with = NULL;
  g_autofree char *without = NULL;

  app_run_in_terminal_ok (f, "printf 'one\\ntwo\\n' > with-newline.txt; printf 'one\\ntwo' > without-newline.txt");
  with = edit_and_save (f, "with-newline.txt");
  g_assert_cmpstr (with, ==, "xone\ntwo\n");
  without = edit_and_save (f, "without-newline.txt");
  g_assert_cmpstr (without, ==, "xone\ntwo");
}

/* ---- preview: a server that fails ---------------------------------------------------------- */

static gboolean
skip_without_webkit (void)
{
  if (g_getenv ("CC_TEST_NO_WEBKIT") == NULL)
    return FALSE;
  g_test_skip ("WebKit's web process does not start under AddressSanitizer (CC_TEST_NO_WEBKIT)");
  return TRUE;
}

/* Gives the node project a port of its own and, when @start_command is set, that command. */
static guint
prepare_node_project (AppFixture *f,
                      const char *start_command)
{
  g_autoptr(CcProject) changes = cc_project_new (cc_project_get_name (f->window->project));
  CcProjectField fields = CC_PROJECT_FIELD_PORT;
  guint port = cc_test_free_port ();

  if (g_strrstr (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", "gl-disable") != NULL)
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  cc_project_set_port (changes, port);
  if (start_command != NULL)
    {
      cc_project_set_start_command (changes, start_command);
      fields |= CC_PROJECT_FIELD_START_COMMAND;
    }
  app_set_project_fields (f, cc_project_get_id (f->window->project), changes, fields);
  return port;
}

static void
start_server (AppFixture *f)
{
  CcPreviewPane *pane = f->window->preview_pane;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  if (!cc_preview_pane_get_running (pane))
    g_error ("The dev server did not come up; the pane shows “%s”", cc_preview_pane_get_state (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "web");
  /* The page in full: a server killed while it loads makes a failed load, not a closed port. */
  if (cc_preview_pane_get_web_view (pane) != NULL)
    WAIT_FOR (!webkit_web_view_is_loading (WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane))),
              "the page to load");
}

/* Kills, inside the sandbox, the node process serving @port: only that one (its environment
 * names the port), whatever else runs on this machine. */
static void
kill_node_on_port (AppFixture *f,
                   guint       port)
{
  g_autofree char *command = g_strdup_printf (
    "for p in /proc/[0-9]*; do"
    " tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^node server.js' &&"
    " tr '\\0' '\\n' < $p/environ 2>/dev/null | grep -qx 'PORT=%u' && kill ${p#/proc/} &&"
    " echo killed-$((20+22));"
    " done; true", port);
  CcCommandView *view = _cc_window_get_command_view (f->window);

  app_run_in_terminal_ok (f, command);
  WAIT_FOR (app_terminal_shows (view, "killed-42"), "the server process to be killed");
}

/* Whether a visible text view inside @widget holds @needle. */
static gboolean
text_view_shows (GtkWidget  *widget,
                 const char *needle)
{
  if (GTK_IS_TEXT_VIEW (widget) && gtk_widget_is_visible (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (strstr (text, needle) != NULL)
        return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (text_view_shows (child, needle))
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_button_labelled (GtkWidget  *widget,
                      const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button_labelled (child, label)) != NULL)
        return found;
    }
  return NULL;
}

/* The title of the status page on screen. */
static const char *
shown_status_title (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *found;

      if (ADW_IS_STATUS_PAGE (child) && gtk_widget_get_mapped (child))
        return adw_status_page_get_title (ADW_STATUS_PAGE (child));
      if ((found = shown_status_title (child)) != NULL)
        return found;
    }
  return NULL;
}

static void
check_error_page_not_web (AppFixture *f)
{
  CcPreviewPane *pane = f->window->preview_pane;
  WebKitWebView *web_view = WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane));

  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "failed");
  g_assert_false (cc_preview_pane_get_running (pane));
  /* Nothing of the dead server stays loaded behind the error page. */
  WAIT_FOR (g_strcmp0 (webkit_web_view_get_uri (web_view), "about:blank") == 0, "the old page to go");
}

/* The server dies while its page is shown: the pane says so at once, with its exit status and
 * its output one click away, and offers to run it again. */
static void
test_preview_server_exits (AppFixture    *f,
                           gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  GtkWidget *show_output;
  guint port;

  if (skip_without_webkit ())
    return;
  port = prepare_node_project (f, NULL);
  start_server (f);
  kill_node_on_port (f, port);

  WAIT_FOR (g_strcmp0 (cc_preview_pane_get_state (pane), "failed") == 0, "the pane to notice the exit");
  check_error_page_not_web (f);
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->dev_server_stack), "start") == 0,
            "the header to offer Run again");
  show_output = find_button_labelled (GTK_WIDGET (pane), "Show _Output");
  g_assert_nonnull (show_output);
  g_assert_true (find_label (GTK_WIDGET (pane), "The Dev Server Stopped"));
  g_assert_true (find_label (GTK_WIDGET (pane), "status"));
  /* Its real last lines: what server.js printed. Nothing of this machine's own ports (the
   * engine's once showed there). */
  g_assert_true (text_view_shows (GTK_WIDGET (pane), "Listening on http://0.0.0.0:"));
  {
    g_autofree char *engine_port = g_strdup_printf ("%u", cc_test_engine_get_port (f->shared->engine));

    g_assert_false (find_label (GTK_WIDGET (pane), engine_port));
    g_assert_false (text_view_shows (GTK_WIDGET (pane), engine_port));
  }
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "preview-server-exited.png");
  /* Show Output puts all of it there, and is not offered again. */
  g_assert_true (gtk_widget_get_visible (show_output));
  g_signal_emit_by_name (show_output, "clicked");
  g_assert_false (gtk_widget_get_visible (show_output));
  g_assert_true (text_view_shows (GTK_WIDGET (pane), "Listening on http://0.0.0.0:"));
}

/* The server's process lives on but its port closed: Reload must not show the engine's
 * answer (502 with JSON) but the pane's own page. */
static void
test_preview_reload_port_closed (AppFixture    *f,
                                 gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  g_autofree char *title = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GtkButton *reload;
  guint port;

  if (skip_without_webkit ())
    return;
  port = prepare_node_project (f, "PORT=$PORT node server.js; sleep 600");
  start_server (f);
  kill_node_on_port (f, port);

  reload = app_find_button_by_icon (GTK_WIDGET (pane), "view-refresh-symbolic");
  g_assert_nonnull (reload);
  g_signal_emit_by_name (reload, "clicked");
  WAIT_FOR (g_strcmp0 (cc_preview_pane_get_state (pane), "failed") == 0, "the pane's error page");
  title = g_strdup_printf ("Nothing Answered on Port %u", port);
  g_assert_cmpstr (shown_status_title (GTK_WIDGET (pane)), ==, title);
  g_assert_false (find_label (GTK_WIDGET (pane), "port is not open"));
  g_assert_false (find_label (GTK_WIDGET (pane), "\"code\""));
  g_assert_nonnull (find_button_labelled (GTK_WIDGET (pane), "Show _Output"));
  WAIT_FOR (g_strcmp0 (webkit_web_view_get_uri (WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane))), "about:blank") == 0,
            "the old page to go");

  /* Its process still runs (the shell sleeps on): stop it, as Quit would. */
  cc_client_stop_dev_server_async (f->client, cc_project_get_id (f->project), NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_stop_dev_server_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

/* ---- preview: the web module ------------------------------------------------------------- */

/* Without its module the preview cannot show a page: a GError saying which file is missing and
 * what to do, not a crash. */
static void
test_web_module_missing (void)
{
  g_autofree char *dir = cc_test_make_tmpdir ("cc-no-module");
  g_autofree char *path = g_build_filename (dir, "libcc-webkit.so", NULL);
  g_autoptr(GError) error = NULL;
  CcWebView *view = _cc_web_view_new_from_dir (dir, &error);

  g_assert_null (view);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "Reinstall"));
  g_assert_no_errno (g_rmdir (dir));
}

/* A file that is not a module (a broken install) is refused with the loader's reason. */
static void
test_web_module_broken (void)
{
  g_autofree char *dir = cc_test_make_tmpdir ("cc-bad-module");
  g_autofree char *path = g_build_filename (dir, "libcc-webkit.so", NULL);
  g_autoptr(GError) error = NULL;
  CcWebView *view;

  g_assert_true (g_file_set_contents (path, "not a shared object\n", -1, NULL));
  view = _cc_web_view_new_from_dir (dir, &error);
  g_assert_null (view);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "WebKitGTK"));
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (dir));
}

/* The built module loads, twice (it stays resident), and gives a WebKit view. */
static void
test_web_module_loads (void)
{
  g_autoptr(GError) error = NULL;
  CcWebView *first;
  CcWebView *second;

  if (skip_without_webkit ())
    return;
  first = g_object_ref_sink (_cc_web_view_new_from_dir (_cc_web_view_get_module_dir (), &error));
  g_assert_no_error (error);
  second = g_object_ref_sink (cc_web_view_new (&error));
  g_assert_no_error (error);
  g_assert_true (WEBKIT_IS_WEB_VIEW (cc_web_view_get_view (first)));
  g_assert_true (WEBKIT_IS_WEB_VIEW (cc_web_view_get_view (second)));
  g_assert_null (cc_web_view_get_uri (first));
  g_assert_finalize_object (first);
  g_assert_finalize_object (second);
}

/* Quit stops the dev servers: none is left holding its port. (It quits the shared
 * application, so it is the last case of the run.) */
static void
test_quit_stops_dev_servers (AppFixture    *f,
                             gconstpointer  data)
{
  const char *id = cc_project_get_id (f->project);
  g_autoptr(CcExecution) server = NULL;
  g_autoptr(CcExecution) probe = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GBytes) out = NULL;
  guint port;

  if (skip_without_webkit ())
    return;
  port = prepare_node_project (f, NULL);
  start_server (f);
  server = g_object_ref (cc_client_get_dev_server (f->client, id));

  /* Quit takes the server off its project at once; it is down when its execution ends, which
   * is when the engine reports the process gone. */
  g_action_group_activate_action (G_ACTION_GROUP (f->shared->app), "quit", NULL);
  WAIT_FOR (cc_execution_is_done (server), "the dev server to stop");

  /* Asked of the sandbox itself: nothing listens on the port any more. */
  command = g_strdup_printf ("(exec 3<>/dev/tcp/127.0.0.1/%u) 2>/dev/null && echo open || echo closed", port);
  probe = cc_client_execute (f->client, id, command, CC_EXECUTE_FLAGS_NONE);
  WAIT_FOR (cc_execution_is_done (probe), "the probe");
  out = cc_execution_dup_stdout (probe);
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), "closed\n", 7);
}

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, shared, setup, func, app_fixture_teardown)

void
app_add_flow_cases (const AppShared *shared)
{
  ADD_CASE ("/app/shell/input-order", app_fixture_setup_blank, test_shell_input_order);
  ADD_CASE ("/app/terminal/input-to-command", app_fixture_setup_blank, test_terminal_input_to_command);
  ADD_CASE ("/app/terminal/cache-toggle", app_fixture_setup_blank, test_terminal_cache_toggle);
  ADD_CASE ("/app/terminal/environment", app_fixture_setup_blank, test_terminal_environment);
  ADD_CASE ("/app/terminal/no-final-newline", app_fixture_setup_blank, test_terminal_no_final_newline);
  ADD_CASE ("/app/history/stopped-agrees", app_fixture_setup_blank, test_history_stopped_agrees);
  ADD_CASE ("/app/history/filter-empty-text", app_fixture_setup_blank, test_history_filter_empty_text);
  ADD_CASE ("/app/editor/keeps-final-newline", app_fixture_setup_blank, test_editor_keeps_final_newline);
  ADD_CASE ("/app/preview/server-exits", app_fixture_setup_node, test_preview_server_exits);
  ADD_CASE ("/app/preview/reload-port-closed", app_fixture_setup_node, test_preview_reload_port_closed);
  g_test_add_func ("/app/preview/web-module-missing", test_web_module_missing);
  g_test_add_func ("/app/preview/web-module-broken", test_web_module_broken);
  g_test_add_func ("/app/preview/web-module-loads", test_web_module_loads);
}

/* Quitting ends the shared application: main() adds this after every other case. */
void
app_add_quit_case (const AppShared *shared)
{
  ADD_CASE ("/app/quit/stops-dev-servers", app_fixture_setup_node, test_quit_stops_dev_servers);
}
