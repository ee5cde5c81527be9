/* test-app-flow.c: what a user meets in the Terminal and Shell tabs and in History: input that
 * arrives, a cache that tells the truth, output that reads right
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-history-row.h"
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
  vte_terminal_feed_child (terminal, "cat > typed.txt\r", -1);
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
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                   "     1\tabcdefghijklmnop\n     2\tsecond line\n", 40);
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

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
/* The foreground colour of the first cell showing @needle. */
static gboolean
terminal_color_of (CcCommandView *view,
                   const char    *needle,
                   PangoColor    *color)
{
  g_autoptr(GArray) attributes = g_array_new (FALSE, TRUE, sizeof (VteCharAttributes));
  g_autofree char *text = vte_terminal_get_text (VTE_TERMINAL (cc_command_view_get_terminal (view)),
                                                 NULL, NULL, attributes);
  const char *at = text != NULL ? strstr (text, needle) : NULL;

  if (at == NULL || (guint) (at - text) >= attributes->len)
    return FALSE;
  *color = g_array_index (attributes, VteCharAttributes, at - text).fore;
  return TRUE;
}
G_GNUC_END_IGNORE_DEPRECATIONS

static gboolean
same_color (const PangoColor *a,
            const PangoColor *b)
{
  return a->red == b->red && a->green == b->green && a->blue == b->blue;
}

static void
test_terminal_stderr_style (AppFixture    *f,
                            gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  PangoColor out_color, err_color, after_color;

  app_run_in_terminal_ok (f, "echo to-standard-output; echo to-standard-error >&2; echo back-to-output");
  WAIT_FOR (terminal_color_of (view, "back-to-output", &after_color), "the output in the terminal");
  g_assert_true (terminal_color_of (view, "to-standard-output", &out_color));
  g_assert_true (terminal_color_of (view, "to-standard-error", &err_color));
  g_assert_false (same_color (&out_color, &err_color));
  g_assert_true (same_color (&out_color, &after_color));
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
  gtk_editable_set_text (search, "no-record-has-this-text");
  empty = ADW_STATUS_PAGE (app_find_descendant_any (GTK_WIDGET (panel), ADW_TYPE_STATUS_PAGE));
  g_assert_nonnull (empty);
  WAIT_FOR (g_strcmp0 (adw_status_page_get_title (empty), "No Matching Records") == 0 &&
            gtk_widget_get_mapped (GTK_WIDGET (empty)), "the empty filter result");
  g_assert_cmpstr (adw_status_page_get_description (empty), !=, "Commands, file changes and setups show up here");
  g_assert_cmpstr (adw_status_page_get_description (empty), ==, "Try other words, or show every status");
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
  ADD_CASE ("/app/terminal/stderr-style", app_fixture_setup_blank, test_terminal_stderr_style);
  ADD_CASE ("/app/history/stopped-agrees", app_fixture_setup_blank, test_history_stopped_agrees);
  ADD_CASE ("/app/history/filter-empty-text", app_fixture_setup_blank, test_history_filter_empty_text);
}
