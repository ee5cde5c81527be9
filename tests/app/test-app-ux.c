/* test-app-ux.c: what a user sees while things happen: setup output as it comes, stderr told
 * apart, the clock, the sidebar's order, History naming what was touched, confirmations
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cc-new-project-dialog.h"
#include "test-app-fixture.h"

static void
write_sandbox_file (AppFixture *f,
                    const char *project_id,
                    const char *path,
                    const char *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  cc_client_write_file_async (f->client, project_id, path, bytes, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  cc_client_write_file_finish (f->client, result, &error);
  g_assert_no_error (error);
}

static void
write_local_file (const char *dir,
                  const char *name,
                  const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
remove_local_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

/* ---- the New Project dialog's setup output ------------------------------------------------ */

static void
on_project_created (CcNewProjectDialog *dialog,
                    const char         *project_id,
                    char              **out)
{
  g_free (*out);
  *out = g_strdup (project_id);
}

static void
on_setup_finished (CcNewProjectDialog *dialog,
                   gboolean            ok,
                   int                *result)
{
  *result = ok ? 1 : 0;
}

static gboolean
log_shows (GtkWidget  *dialog,
           const char *needle)
{
  CcTerminalView *log = CC_TERMINAL_VIEW (app_find_descendant_any (dialog, CC_TYPE_TERMINAL_VIEW));
  g_autofree char *text = cc_terminal_view_dup_text (log);

  return text != NULL && strstr (text, needle) != NULL;
}

/* The install step's first line shows while the step still runs: it waits (bounded, 60 s in
 * the sandbox) for a file that the test only writes once it has seen that line. */
static void
test_setup_streams (AppFixture    *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("cc-setup-XXXXXX", NULL);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *project_id = NULL;
  CcNewProjectDialog *dialog;
  int setup_result = -1;

  g_assert_nonnull (dir);
  write_local_file (dir, "package.json",
                    "{ \"name\": \"live\", \"version\": \"1.0.0\", \"scripts\": { \"preinstall\": "
                    "\"echo first-$((40+2))-line; i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
                    "echo second-$((40+2))-line\" } }\n");
  /* Nothing may reach for the network. (That npm shows the script's output as it comes is
   * the app's doing: it asks for it.) */
  write_local_file (dir, ".npmrc", "offline=true\naudit=false\nfund=false\nupdate-notifier=false\n");
  folder = g_file_new_for_path (dir);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-project", NULL);
  WAIT_FOR ((dialog = CC_NEW_PROJECT_DIALOG (app_find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG))) != NULL, "the dialog");
  g_object_ref (dialog);
  gtk_editable_set_text (cc_new_project_dialog_get_name_row (dialog), "Live Setup");
  cc_new_project_dialog_set_folder (dialog, folder);
  g_assert_true (cc_new_project_dialog_can_create (dialog));
  g_signal_connect (dialog, "project-created", G_CALLBACK (on_project_created), &project_id);
  g_signal_connect (dialog, "setup-finished", G_CALLBACK (on_setup_finished), &setup_result);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "new-project.create", NULL);

  WAIT_FOR (log_shows (GTK_WIDGET (dialog), "first-42-line") || setup_result != -1, "the install's first line");
  if (setup_result != -1)
    g_error ("The setup ended before its first line showed: %s", cc_new_project_dialog_get_message (dialog));
  g_assert_false (log_shows (GTK_WIDGET (dialog), "second-42-line"));
  g_assert_nonnull (project_id);

  write_sandbox_file (f, project_id, "go", "");
  WAIT_FOR (setup_result != -1, "the setup to end");
  if (setup_result != 1)
    g_error ("The setup failed: %s", cc_new_project_dialog_get_message (dialog));
  /* The dialog closes on success, and VTE takes in what it was fed from its own idle handler,
   * which for a closed dialog may never come (a sanitized run waited minutes for it): whether the
   * last line was drawn before the close is a race with no user to see it. The first line, shown
   * before the end, is what proves the log is live. */
  g_signal_handlers_disconnect_by_data (dialog, &setup_result);
  g_signal_handlers_disconnect_by_data (dialog, &project_id);
  app_close_and_finalize (GTK_WINDOW (dialog));
  remove_local_dir (dir);
}

/* ---- stderr ------------------------------------------------------------------------------- */

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static const VteCharAttributes *
attributes_of (const char *text,
               GArray     *attributes,
               const char *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);
  const char *at = strstr (text, needle);

  g_assert_nonnull (at);
  return &g_array_index (attributes, VteCharAttributes, (at - text) + 1);
}

static gboolean
same_color (const PangoColor *pango,
            const char       *hex)
{
  GdkRGBA rgba;

  g_assert_true (gdk_rgba_parse (&rgba, hex));
  return (pango->red >> 8) == (guint) (rgba.red * 255 + 0.5) &&
         (pango->green >> 8) == (guint) (rgba.green * 255 + 0.5) &&
         (pango->blue >> 8) == (guint) (rgba.blue * 255 + 0.5);
}

/* A command writing to both streams: its stderr line is in the palette's red, its stdout line
 * in the default colour. */
static void
test_stderr_looks_different (AppFixture    *f,
                             gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  VteTerminal *terminal = VTE_TERMINAL (cc_command_view_get_terminal (view));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  const char *foreground;
  const char * const *palette = cc_terminal_view_get_palette (dark, &foreground, NULL);
  g_autoptr(GArray) attributes = g_array_new (FALSE, TRUE, sizeof (VteCharAttributes));
  g_autofree char *text = NULL;
  const VteCharAttributes *out, *err;

  app_run_in_terminal_ok (f, "echo to-out; echo to-err >&2; echo to-out-again");
  WAIT_FOR (app_terminal_shows (view, "Exit code 0"), "the output in the terminal");
  /* VTE 0.70 still fills the array, with a warning that a later version will not. */
  g_test_expect_message ("VTE", G_LOG_LEVEL_WARNING, "*attributes is deprecated*");
  text = vte_terminal_get_text (terminal, NULL, NULL, attributes);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (attributes->len, >=, strlen (text));

  out = attributes_of (text, attributes, "to-out");
  err = attributes_of (text, attributes, "to-err");
  g_assert_true (same_color (&err->fore, palette[1]));
  g_assert_true (same_color (&out->fore, foreground));
  /* The colour ends with stderr's chunk. */
  g_assert_true (same_color (&attributes_of (text, attributes, "to-out-again")->fore, foreground));
}
G_GNUC_END_IGNORE_DEPRECATIONS

/* ---- input with the cache on ------------------------------------------------------------- */

static void
end_input (CcCommandView *view)
{
  gtk_widget_activate_action (GTK_WIDGET (view), "command.end-input", NULL);
}

/* With the cache on, a command that runs still reads the entry's lines; and a run that was
 * given input is not served again from the cache. */
static void
test_stdin_with_cache (AppFixture    *f,
                       gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkEditable *entry = cc_command_view_get_entry (view);
  CcExecution *finished = NULL;
  CcExecution *execution;
  g_autoptr(GBytes) out = NULL;
  const char *numbered = "     1\tline with the cache on\n";
  gulong id;

  cc_command_view_set_use_cache (view, TRUE);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  for (guint round = 0; round < 2; round++)
    {
      gtk_editable_set_text (entry, "cat -n");
      g_signal_emit_by_name (entry, "activate");
      execution = cc_command_view_get_execution (view);
      WAIT_FOR (cc_execution_get_state (execution) != CC_EXECUTION_STATE_PENDING, "cat to start");
      g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_RUNNING);
      gtk_editable_set_text (entry, "line with the cache on");
      g_signal_emit_by_name (entry, "activate");
      WAIT_FOR (app_terminal_shows (view, "1\tline with the cache on"), "cat to number the line");
      g_assert_null (finished);
      end_input (view);
      WAIT_FOR (finished != NULL, "cat to end at the end of its input");
      g_assert_cmpint (cc_execution_get_exit_code (finished), ==, 0);
      g_assert_false (cc_execution_get_cached (finished));
      out = cc_execution_dup_stdout (finished);
      g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), numbered, strlen (numbered));
      g_clear_pointer (&out, g_bytes_unref);
      g_clear_object (&finished);
    }
  g_signal_handler_disconnect (view, id);
  g_assert_false (app_terminal_shows (view, "takes no input"));
}

/* ---- the header clock --------------------------------------------------------------------- */

static int
clock_seconds (AppFixture *f)
{
  const char *label = cc_sandbox_controls_get_label (f->window->sandbox_controls);
  int minutes, seconds;

  if (sscanf (label, "%d:%d", &minutes, &seconds) != 2)
    return -1;
  return minutes * 60 + seconds;
}

/* The clock counts down the sandbox's own end time (set by its timeout), once a second, and
 * only while it is shown. */
static void
test_clock_shows_time_left (AppFixture    *f,
                            gconstpointer  data)
{
  g_autofree char *project_id = g_strdup (cc_project_get_id (f->window->project));
  GtkWidget *controls = GTK_WIDGET (f->window->sandbox_controls);
  guint timeout = 0;
  gint64 left;
  int shown;

  g_object_get (f->client, "sandbox-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, >, 120);
  app_run_in_terminal_ok (f, "true");
  WAIT_FOR (cc_client_get_sandbox_status (f->client, project_id) == CC_SANDBOX_STATUS_RUNNING, "the sandbox to run");
  left = (cc_client_get_sandbox_end_time (f->client, project_id) - g_get_real_time ()) / G_USEC_PER_SEC;
  g_assert_cmpint (left, <=, timeout);
  g_assert_cmpint (left, >, (gint64) timeout - cc_test_scaled_seconds (60));

  WAIT_FOR ((shown = clock_seconds (f)) > 0, "the clock to show the time left");
  g_assert_cmpint (shown, <=, timeout);
  g_assert_cmpint (shown, >, (int) timeout - (int) cc_test_scaled_seconds (60));

  g_assert_true (gtk_widget_get_mapped (controls));
  g_assert_true (cc_sandbox_controls_get_ticking (f->window->sandbox_controls));
  gtk_widget_set_visible (controls, FALSE);
  g_assert_false (cc_sandbox_controls_get_ticking (f->window->sandbox_controls));
  gtk_widget_set_visible (controls, TRUE);
  WAIT_FOR (gtk_widget_get_mapped (controls), "the clock to be shown again");
  g_assert_true (cc_sandbox_controls_get_ticking (f->window->sandbox_controls));
}

/* ---- the sidebar's order ------------------------------------------------------------------ */

static char *
sidebar_order (AppFixture *f)
{
  GtkListView *list = GTK_LIST_VIEW (app_find_descendant_any (GTK_WIDGET (f->window->sidebar), GTK_TYPE_LIST_VIEW));
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (list));
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (model, i);

      g_string_append_printf (names, "%s%s", i > 0 ? "|" : "", cc_project_get_name (project));
    }
  return g_string_free (names, FALSE);
}

/* Newest first, and the same after the store is read again as at a launch (the store lists
 * by name), and in a second window. */
static void
test_sidebar_order (AppFixture    *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) alpha = NULL;
  g_autoptr(CcProject) beta = NULL;
  g_autoptr(CcProject) gamma = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *other = NULL;
  CcWindow *second;

  gamma = app_create_project (f, "gamma", CC_TEMPLATE_BLANK, 0);
  alpha = app_create_project (f, "Alpha", CC_TEMPLATE_BLANK, 0);
  beta = app_create_project (f, "beta", CC_TEMPLATE_BLANK, 0);
  WAIT_FOR (g_list_model_get_n_items (cc_client_get_projects (f->client)) == 3, "the projects");
  before = sidebar_order (f);
  g_assert_cmpstr (before, ==, "beta|Alpha|gamma");

  cc_client_load_projects_async (f->client, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  g_assert_true (cc_client_load_projects_finish (f->client, result, &error));
  g_assert_no_error (error);
  after = sidebar_order (f);
  g_assert_cmpstr (after, ==, before);

  second = g_object_ref (cc_window_new (f->shared->app));
  gtk_window_present (GTK_WINDOW (second));
  {
    AppFixture other_view = { .shared = f->shared, .client = f->client, .window = second };

    WAIT_FOR (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (
                GTK_LIST_VIEW (app_find_descendant_any (GTK_WIDGET (second->sidebar), GTK_TYPE_LIST_VIEW))))) == 3,
              "the second window's list");
    other = sidebar_order (&other_view);
  }
  g_assert_cmpstr (other, ==, before);
  app_close_and_finalize (GTK_WINDOW (second));
}

static const char *
last_toast (AppFixture *f)
{
  const char *text = _cc_window_get_last_toast (f->window);

  return text != NULL ? text : "";
}

/* ---- History ------------------------------------------------------------------------------ */

static gboolean
history_has_prefix (AppFixture *f,
                    const char *prefix)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (g_str_has_prefix (cc_operation_get_input (op) ? cc_operation_get_input (op) : "", prefix) &&
          cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
        return TRUE;
    }
  return FALSE;
}

/* With History open and nothing else to make it reload: a resume is recorded and shows, an
 * extension shows, and an upload names the file it wrote. */
static void
test_history_names_what_it_touched (AppFixture    *f,
                                    gconstpointer  data)
{
  GtkWidget *controls = GTK_WIDGET (f->window->sandbox_controls);
  g_autofree char *project_id = g_strdup (cc_project_get_id (f->window->project));
  g_autofree char *dir = g_dir_make_tmp ("cc-upload-XXXXXX", NULL);
  g_autofree char *local = g_build_filename (dir, "notes-to-upload.txt", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  app_run_in_terminal_ok (f, "true");
  WAIT_FOR (cc_client_get_sandbox_status (f->client, project_id) == CC_SANDBOX_STATUS_RUNNING, "the sandbox to run");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  WAIT_FOR (app_history_has (f, "true", NULL), "the command in History");

  gtk_widget_activate_action (controls, "sandbox.extend", NULL);
  WAIT_FOR (history_has_prefix (f, "timeout "), "the extension in History");
  /* The controls take one lifecycle step at a time: the toast says the extension is done. */
  WAIT_FOR (g_str_has_prefix (last_toast (f), "The sandbox now runs until"), "the extension to end");

  gtk_widget_activate_action (controls, "sandbox.pause", NULL);
  WAIT_FOR (cc_client_get_sandbox_status (f->client, project_id) == CC_SANDBOX_STATUS_PAUSED, "the sandbox to pause");
  WAIT_FOR (app_history_has (f, "pause", NULL), "the pause in History");
  gtk_widget_activate_action (controls, "sandbox.resume", NULL);
  WAIT_FOR (cc_client_get_sandbox_status (f->client, project_id) == CC_SANDBOX_STATUS_RUNNING, "the sandbox to resume");
  WAIT_FOR (app_history_has (f, "resume", NULL), "the resume in History");

  write_local_file (dir, "notes-to-upload.txt", "notes\n");
  file = g_file_new_for_path (local);
  cc_client_upload_async (f->client, project_id, &file, 1, "/home/user", NULL, NULL, NULL,
                          cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  g_assert_true (cc_client_upload_finish (f->client, result, &error));
  g_assert_no_error (error);
  WAIT_FOR (app_history_has (f, "/home/user/notes-to-upload.txt", NULL), "the upload, by name, in History");
  remove_local_dir (dir);
}

static gboolean
history_has_failed (AppFixture      *f,
                    CcOperationType  type)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (cc_operation_get_operation_type (op) == type &&
          cc_operation_get_status (op) == CC_OPERATION_STATUS_ERROR)
        return TRUE;
    }
  return FALSE;
}

/* A setup that fails shows in the open History as it ends, nothing else making it reload. */
static void
test_history_failed_setup_live (AppFixture    *f,
                                gconstpointer  data)
{
  g_autoptr(CcProject) changes = cc_project_new (cc_project_get_name (f->window->project));

  cc_project_set_setup_command (changes, "echo setting up; exit 3");
  app_set_project_fields (f, cc_project_get_id (f->window->project), changes, CC_PROJECT_FIELD_SETUP_COMMAND);
  app_run_in_terminal_ok (f, "true");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  WAIT_FOR (app_history_has (f, "true", NULL), "the command in History");
  g_assert_false (history_has_failed (f, CC_OPERATION_TYPE_SETUP));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.setup-project", NULL);
  WAIT_FOR (history_has_failed (f, CC_OPERATION_TYPE_SETUP), "the failed setup in History");
  WAIT_FOR (!f->window->setup_busy, "the setup action to end");
}

/* ---- confirmations ------------------------------------------------------------------------ */

static GtkButton *
find_button_by_label (GtkWidget  *widget,
                      const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found;

      if (GTK_IS_BUTTON (child) &&
          (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0 ||
           g_strcmp0 (gtk_widget_get_tooltip_text (child), label) == 0))
        return GTK_BUTTON (child);
      if (GTK_IS_BUTTON (child) && GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (child))) &&
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (child)))), label) == 0)
        return GTK_BUTTON (child);
      if ((found = find_button_by_label (child, label)) != NULL)
        return found;
    }
  return NULL;
}

/* Clear Cache and Download say that they did it. */
static void
test_confirmations (AppFixture    *f,
                    gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  g_autoptr(CcExecution) first = NULL;
  g_autoptr(CcExecution) second = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cc-download-XXXXXX", NULL);
  g_autofree char *local = g_build_filename (dir, "fetched.txt", NULL);
  g_autoptr(GFile) destination = g_file_new_for_path (local);
  g_autofree char *content = NULL;
  GtkButton *clear;
  int position;

  /* Clear Cache */
  cc_command_view_set_use_cache (view, TRUE);
  first = app_run_in_terminal (f, "echo cached-once");
  second = app_run_in_terminal (f, "echo cached-once");
  g_assert_true (cc_execution_get_cached (second));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  WAIT_FOR ((position = app_history_position (f, "echo cached-once")) >= 0, "the command in History");
  cc_history_panel_select (f->window->history_panel, (guint) position);
  clear = app_find_button_by_icon (GTK_WIDGET (f->window->history_panel), "edit-clear-all-symbolic");
  g_assert_nonnull (clear);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (clear)));
  g_signal_emit_by_name (clear, "clicked");
  WAIT_FOR (g_str_has_prefix (last_toast (f), "Cached result cleared"), "the Clear Cache toast");

  /* Download */
  write_sandbox_file (f, cc_project_get_id (f->window->project), "fetched.txt", "fetched\n");
  cc_file_tree_download_to (f->window->file_tree, "/home/user/fetched.txt", destination);
  WAIT_FOR (g_strcmp0 (last_toast (f), "Downloaded") == 0, "the Download toast");
  g_assert_true (g_file_get_contents (local, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "fetched\n");
  remove_local_dir (dir);
}

/* Copy URL says that it did it, and the address is on the clipboard. */
static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **out = user_data;

  *out = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*out == NULL)
    *out = g_strdup ("");
}

static void
test_copy_url_confirms (AppFixture    *f,
                        gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  g_autoptr(CcProject) changes = NULL;
  g_autofree char *copied = NULL;
  GtkButton *copy;
  guint port = cc_test_free_port ();

  changes = cc_project_new (cc_project_get_name (f->window->project));
  cc_project_set_port (changes, port);
  app_set_project_fields (f, cc_project_get_id (f->window->project), changes, CC_PROJECT_FIELD_PORT);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  g_assert_true (cc_preview_pane_get_running (pane));

  copy = find_button_by_label (GTK_WIDGET (pane), "Copy URL");
  g_assert_nonnull (copy);
  g_signal_emit_by_name (copy, "clicked");
  WAIT_FOR (g_strcmp0 (last_toast (f), "Address copied") == 0, "the Copy URL toast");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (pane)), NULL, on_clipboard_text, &copied);
  WAIT_FOR (copied != NULL, "the clipboard's text");
  g_assert_true (g_str_has_prefix (copied, "http://127.0.0.1:"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane) && !cc_preview_pane_get_running (pane), "the dev server to stop");
}

/* ---- registration ------------------------------------------------------------------------- */

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, shared, setup, func, app_fixture_teardown)

void
app_add_ux_cases (const AppShared *shared)
{
  ADD_CASE ("/app/ux/setup-streams", app_fixture_setup_empty, test_setup_streams);
  ADD_CASE ("/app/ux/stderr-looks-different", app_fixture_setup_blank, test_stderr_looks_different);
  ADD_CASE ("/app/ux/stdin-with-cache", app_fixture_setup_blank, test_stdin_with_cache);
  ADD_CASE ("/app/ux/clock-time-left", app_fixture_setup_blank, test_clock_shows_time_left);
  ADD_CASE ("/app/ux/sidebar-order", app_fixture_setup_empty, test_sidebar_order);
  ADD_CASE ("/app/ux/history-names-what-it-touched", app_fixture_setup_blank, test_history_names_what_it_touched);
  ADD_CASE ("/app/ux/history-failed-setup-live", app_fixture_setup_blank, test_history_failed_setup_live);
  ADD_CASE ("/app/ux/confirmations", app_fixture_setup_blank, test_confirmations);
  ADD_CASE ("/app/ux/copy-url-confirms", app_fixture_setup_node, test_copy_url_confirms);
}
