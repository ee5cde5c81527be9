/* test-app.c: the code-canvas window, driven through its widgets, against a private engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case gets a window of its own and, when it needs one, a project of its own made through
 * the client (see test-app-fixture.c); the teardown closes the window, checks it is finalized
 * and empties the store. So any case can run alone (-p) and in any order. This file holds the
 * first-run page, the preferences, the new-project dialog, the terminal view, the history, the
 * file tree and notifications; test-app-workspace.c holds the rest.
 */
#include "config.h"

#include <gtksourceview/gtksource.h>
#include <string.h>

#include "cc-history-row.h"
#include "cc-new-project-dialog.h"
#include "cc-preferences-window.h"
#include "test-app-fixture.h"

/* ---- first run and preferences ------------------------------------------------------------ */

static void
test_first_run (AppFixture    *f,
                gconstpointer  data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "first-run");
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "first-run.png");
}

static void
clear_api_key (AppFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_clear_api_key_async (f->client, CC_CONNECTION_E2B, NULL, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  cc_client_clear_api_key_finish (f->client, result, &error);
  g_assert_no_error (error);
}

static gboolean
row_answered (GtkWidget  *window,
              const char *title)
{
  AdwActionRow *row = ADW_ACTION_ROW (app_find_descendant (window, ADW_TYPE_ACTION_ROW, title));

  g_assert_nonnull (row);
  return g_strcmp0 (adw_action_row_get_subtitle (row), "Checking…") != 0;
}

static void
test_preferences (AppFixture    *f,
                  gconstpointer  data)
{
  GtkWindow *prefs;
  GtkWidget *key_row;
  AdwActionRow *status_row;

  g_action_group_activate_action (G_ACTION_GROUP (f->shared->app), "preferences", NULL);
  prefs = g_object_ref (app_find_toplevel (CC_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  /* The engine status arrives before the picture is taken. */
  WAIT_FOR (row_answered (GTK_WIDGET (prefs), "Local Engine") && row_answered (GTK_WIDGET (prefs), "Isolation"),
            "the engine status");
  app_snapshot_to_png (f, GTK_WIDGET (prefs), "preferences.png");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "connections");
  app_snapshot_to_png (f, GTK_WIDGET (prefs), "preferences-connections.png");

  /* A key typed into the password row goes to the real keyring and leaves the widget. */
  key_row = app_find_descendant (GTK_WIDGET (prefs), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  status_row = ADW_ACTION_ROW (app_find_descendant (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "Stored Key"));
  g_assert_nonnull (key_row);
  g_assert_nonnull (status_row);
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (status_row), "No key stored") == 0, "the keyring lookup");
  gtk_editable_set_text (GTK_EDITABLE (key_row), "e2b_test_key_0123456789");
  g_signal_emit_by_name (key_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, "");
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (status_row), "A key is stored in your keyring") == 0,
            "the key to be stored");
  app_close_and_finalize (prefs);
  /* The keyring outlives the case: leave it as it was found. */
  clear_api_key (f);
}

/* ---- the new-project dialog --------------------------------------------------------------- */

static void
on_setup_finished (CcNewProjectDialog *dialog,
                   gboolean            ok,
                   int                *result)
{
  *result = ok ? 1 : 0;
}

static void
test_new_project (AppFixture    *f,
                  gconstpointer  data)
{
  CcNewProjectDialog *dialog;
  GListModel *projects;
  g_autofree char *server_js = NULL;
  int setup_result = -1;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-project", NULL);
  dialog = CC_NEW_PROJECT_DIALOG (app_find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG));
  g_assert_nonnull (dialog);
  g_object_ref (dialog);

  g_assert_false (cc_new_project_dialog_can_create (dialog));
  gtk_editable_set_text (cc_new_project_dialog_get_name_row (dialog), "Hello Node");
  cc_new_project_dialog_set_template (dialog, CC_TEMPLATE_NODE);
  g_assert_true (cc_new_project_dialog_can_create (dialog));
  app_snapshot_to_png (f, GTK_WIDGET (dialog), "new-project.png");

  g_signal_connect (dialog, "setup-finished", G_CALLBACK (on_setup_finished), &setup_result);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "new-project.create", NULL);
  WAIT_FOR (setup_result != -1, "the project setup");
  if (setup_result != 1)
    g_error ("The setup failed: %s", cc_new_project_dialog_get_message (dialog));
  g_signal_handlers_disconnect_by_data (dialog, &setup_result);
  /* The dialog closes itself once the project is made. */
  app_close_and_finalize (GTK_WINDOW (dialog));

  projects = cc_client_get_projects (f->client);
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 1);
  WAIT_FOR (f->window->project != NULL, "the new project to be selected");
  g_assert_cmpstr (cc_project_get_name (f->window->project), ==, "Hello Node");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "workspace");

  /* Its files show up in the tree. */
  g_assert_nonnull (cc_file_tree_get_root (f->window->file_tree));
  WAIT_FOR ((server_js = app_tree_root_path (f, "server.js")) != NULL, "server.js in the file tree");
  g_assert_cmpstr (server_js, ==, "/home/user/server.js");
}

/* ---- the terminal view -------------------------------------------------------------------- */

static void
test_terminal_echo (AppFixture    *f,
                    gconstpointer  data)
{
  g_autoptr(CcExecution) execution = NULL;
  g_autofree char *text = NULL;
  CcCommandView *view;

  adw_view_stack_set_visible_child_name (f->window->view_stack, "terminal");
  execution = app_run_in_terminal (f, "echo hello-from-the-test");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);

  view = _cc_window_get_command_view (f->window);
  /* VTE parses what it is fed on its own schedule: wait for the text to show. */
  WAIT_FOR (app_terminal_shows (view, "Exit code 0"), "the end of the output in the terminal");
  text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));
  g_assert_nonnull (strstr (text, "$ echo hello-from-the-test"));
  /* The output line itself, not only the echoed prompt. */
  g_assert_nonnull (strstr (text, "\nhello-from-the-test"));
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Exit code 0"));

  WAIT_FOR (app_history_has (f, "echo hello-from-the-test", NULL), "the history row");
  /* The tree has the project's files before the picture is taken. */
  WAIT_FOR (app_tree_root_has (f, "server.js"), "the project's files in the tree");
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "main.png");
}

static gboolean
cached_badge_shown (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (CC_IS_HISTORY_ROW (child))
        {
          CcOperation *op = cc_history_row_get_operation (CC_HISTORY_ROW (child));

          if (op != NULL && cc_operation_get_cached (op) &&
              g_strcmp0 (cc_operation_get_input (op), "echo hello-from-the-test") == 0 &&
              cc_history_row_get_cached_badge_visible (CC_HISTORY_ROW (child)))
            return TRUE;
        }
      else if (cached_badge_shown (child))
        return TRUE;
    }
  return FALSE;
}

/* Runs the echo twice with the cache on: the first run fills the cache, the second is
 * answered from it. */
static CcExecution *
run_echo_twice_cached (AppFixture *f)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  g_autoptr(CcExecution) first = NULL;

  cc_command_view_set_use_cache (view, TRUE);
  first = app_run_in_terminal (f, "echo hello-from-the-test");
  g_assert_cmpint (cc_execution_get_exit_code (first), ==, 0);
  g_assert_false (cc_execution_get_cached (first));
  return app_run_in_terminal (f, "echo hello-from-the-test");
}

static void
test_terminal_cached (AppFixture    *f,
                      gconstpointer  data)
{
  g_autoptr(CcExecution) execution = NULL;
  CcCommandView *view = _cc_window_get_command_view (f->window);
  gboolean cached = FALSE;

  execution = run_echo_twice_cached (f);
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_true (cc_execution_get_cached (execution));
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "cached"));

  WAIT_FOR (app_history_has (f, "echo hello-from-the-test", &cached) && cached, "the cached history row");
  WAIT_FOR (cached_badge_shown (GTK_WIDGET (f->window->history_panel)), "the cached badge");
}

static void
test_terminal_failing (AppFixture    *f,
                       gconstpointer  data)
{
  g_autoptr(CcExecution) execution = NULL;
  g_autofree char *text = NULL;
  CcCommandView *view = _cc_window_get_command_view (f->window);

  execution = app_run_in_terminal (f, "echo about to fail >&2; exit 3");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 3);
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Exit code 3"));
  WAIT_FOR (app_terminal_shows (view, "Exit code 3"), "the exit code in the terminal");
  text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));
  g_assert_nonnull (strstr (text, "about to fail"));
  g_assert_nonnull (strstr (text, "Exit code 3"));
}

static void
test_terminal_stdin_and_stop (AppFixture    *f,
                              gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkEditable *entry = cc_command_view_get_entry (view);
  CcExecution *finished = NULL;
  CcExecution *execution;
  gulong id;

  /* Without the cache a command gets stdin: Enter while it runs sends a line to it. */
  cc_command_view_set_use_cache (view, FALSE);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  gtk_editable_set_text (entry, "read line; echo got:$line");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "the command to start");
  gtk_editable_set_text (entry, "typed-line");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (finished != NULL, "the command to read its input and end");
  g_assert_cmpint (cc_execution_get_exit_code (finished), ==, 0);
  WAIT_FOR (app_terminal_shows (view, "got:typed-line"), "the answer in the terminal");
  g_clear_object (&finished);

  /* The stop button (or Ctrl+C) kills it. */
  gtk_editable_set_text (entry, "sleep 60");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "sleep to start");
  cc_command_view_stop (view);
  WAIT_FOR (finished != NULL, "the command to be stopped");
  g_assert_cmpint (cc_execution_get_state (finished), ==, CC_EXECUTION_STATE_CANCELLED);
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Stopped"));
  g_clear_object (&finished);
  g_signal_handler_disconnect (view, id);
}

/* ---- history ------------------------------------------------------------------------------ */

static gboolean
history_shows_only (AppFixture *f,
                    const char *input)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_operation_get_input (op), input) != 0)
        return FALSE;
    }
  return n > 0;
}

static void
test_history_filter (AppFixture    *f,
                     gconstpointer  data)
{
  CcHistoryPanel *panel = f->window->history_panel;
  GtkEditable *search = GTK_EDITABLE (app_find_descendant_any (GTK_WIDGET (panel), GTK_TYPE_SEARCH_ENTRY));
  GtkDropDown *status = GTK_DROP_DOWN (app_find_descendant_any (GTK_WIDGET (panel), GTK_TYPE_DROP_DOWN));
  g_autoptr(CcExecution) failing = NULL;
  g_autofree char *output = NULL;

  g_assert_nonnull (search);
  g_assert_nonnull (status);
  app_run_in_terminal_ok (f, "echo hello-from-the-test");
  failing = app_run_in_terminal (f, "echo about to fail >&2; exit 3");
  g_assert_cmpint (cc_execution_get_exit_code (failing), ==, 3);
  /* Each record shows up when it does: no order between the two is assumed. */
  WAIT_FOR (app_history_has (f, "echo hello-from-the-test", NULL), "the first record");
  WAIT_FOR (app_history_has (f, "echo about to fail >&2; exit 3", NULL), "the failing record");

  /* By text, over commands and their output. */
  gtk_editable_set_text (search, "fail");
  WAIT_FOR (history_shows_only (f, "echo about to fail >&2; exit 3"), "the text filter");

  /* Selecting a record shows what it printed. */
  cc_history_panel_select (panel, 0);
  output = cc_history_panel_dup_output (panel);
  g_assert_nonnull (strstr (output, "about to fail"));
  gtk_editable_set_text (search, "");

  /* By status: a command that exited non-zero is not a success. */
  gtk_drop_down_set_selected (status, 2);
  WAIT_FOR (history_shows_only (f, "echo about to fail >&2; exit 3"), "the status filter");
  gtk_drop_down_set_selected (status, 0);
  WAIT_FOR (app_history_has (f, "echo hello-from-the-test", NULL), "the unfiltered history");
}

static void
on_flag (gpointer  instance,
         gboolean *flag)
{
  *flag = TRUE;
}

static void
test_history_rerun_and_clear_cache (AppFixture    *f,
                                    gconstpointer  data)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  GtkButton *rerun = app_find_button_by_icon (GTK_WIDGET (f->window->history_panel), "view-refresh-symbolic");
  GtkButton *clear = app_find_button_by_icon (GTK_WIDGET (f->window->history_panel), "edit-clear-all-symbolic");
  CcExecution *finished = NULL;
  g_autoptr(CcExecution) execution = NULL;
  g_autoptr(CcExecution) cached = NULL;
  gboolean cleared = FALSE;
  gboolean was_cached = FALSE;
  gulong id;

  g_assert_nonnull (rerun);
  g_assert_nonnull (clear);
  /* A result in the cache to forget. */
  cached = run_echo_twice_cached (f);
  g_assert_true (cc_execution_get_cached (cached));
  /* The history reloads after each run on its own schedule: wait for the newest record (the
   * cached one), so that the row selected below does not move under the selection. */
  WAIT_FOR (app_history_has (f, "echo hello-from-the-test", &was_cached) && was_cached,
            "the cached run in the history");
  WAIT_FOR (app_history_position (f, "echo hello-from-the-test") >= 0, "the command in the history");

  /* Forget its cached result, then run it again from the history: it really runs. */
  cc_history_panel_select (f->window->history_panel, app_history_position (f, "echo hello-from-the-test"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (clear)));
  g_signal_connect (f->window->history_panel, "cache-cleared", G_CALLBACK (on_flag), &cleared);
  g_signal_emit_by_name (clear, "clicked");
  WAIT_FOR (cleared, "the cached result to be cleared");
  g_signal_handlers_disconnect_by_data (f->window->history_panel, &cleared);
  cc_command_view_set_use_cache (view, TRUE);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  g_signal_emit_by_name (rerun, "clicked");
  WAIT_FOR (finished != NULL, "the re-run to finish");
  g_signal_handler_disconnect (view, id);
  execution = finished;
  g_assert_cmpstr (cc_execution_get_command (execution), ==, "echo hello-from-the-test");
  g_assert_false (cc_execution_get_cached (execution));
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
}

static void
test_setup_again (AppFixture    *f,
                  gconstpointer  data)
{
  guint before;

  WAIT_FOR (app_history_count (f, CC_OPERATION_TYPE_SETUP, CC_OPERATION_STATUS_SUCCESS) >= 1,
            "the first setup in the history");
  before = app_history_count (f, CC_OPERATION_TYPE_SETUP, CC_OPERATION_STATUS_SUCCESS);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.setup-project", NULL);
  g_assert_true (f->window->setup_busy);
  WAIT_FOR (!f->window->setup_busy, "the setup to end");
  WAIT_FOR (app_history_count (f, CC_OPERATION_TYPE_SETUP, CC_OPERATION_STATUS_SUCCESS) == before + 1,
            "the new setup record");
  /* VTE parses what it is fed on its own schedule, not before the setup ends: wait for it. */
  WAIT_FOR (app_terminal_shows (_cc_window_get_command_view (f->window), "running its setup"),
            "the setup's line in the terminal");
}

/* ---- the file tree ------------------------------------------------------------------------ */

static void
test_files_watch (AppFixture    *f,
                  gconstpointer  data)
{
  /* A file made behind the tree's back shows up through the watch stream, and goes away. */
  app_run_in_terminal_ok (f, "echo hi > made-by-a-command.txt");
  WAIT_FOR (app_tree_root_has (f, "made-by-a-command.txt"), "the new file in the tree");
  app_run_in_terminal_ok (f, "rm made-by-a-command.txt");
  WAIT_FOR (!app_tree_root_has (f, "made-by-a-command.txt"), "the file to leave the tree");
}

static void
test_files_new_rename_delete (AppFixture    *f,
                              gconstpointer  data)
{
  GtkWidget *tree = GTK_WIDGET (f->window->file_tree);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  /* Nothing selected: new things go into the root. */
  g_assert_true (cc_file_tree_select_path (f->window->file_tree, NULL));

  gtk_widget_activate_action (tree, "files.new-file", NULL);
  app_answer_dialog ("notes.txt", "ok");
  WAIT_FOR (app_tree_root_has (f, "notes.txt"), "the new file in the tree");
  bytes = app_read_sandbox_file (f, "/home/user/notes.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);

  gtk_widget_activate_action (tree, "files.new-folder", NULL);
  app_answer_dialog ("docs", "ok");
  WAIT_FOR (app_tree_root_has (f, "docs"), "the new folder in the tree");
  g_assert_true (app_tree_entry_is_dir (f, "docs"));

  /* Rename offers the old name and moves the file. */
  g_assert_true (cc_file_tree_select_path (f->window->file_tree, "/home/user/notes.txt"));
  gtk_widget_activate_action (tree, "files.rename", NULL);
  dialog = ADW_MESSAGE_DIALOG (app_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog))), ==,
                   "notes.txt");
  app_answer_dialog ("renamed-notes.txt", "ok");
  WAIT_FOR (app_tree_root_has (f, "renamed-notes.txt") && !app_tree_root_has (f, "notes.txt"), "the renamed file");

  /* Delete asks first; "Cancel" keeps the file, "Delete" removes it. */
  g_assert_true (cc_file_tree_select_path (f->window->file_tree, "/home/user/renamed-notes.txt"));
  gtk_widget_activate_action (tree, "files.delete", NULL);
  app_answer_dialog (NULL, "cancel");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = app_read_sandbox_file (f, "/home/user/renamed-notes.txt", &error);
  g_assert_no_error (error);
  g_assert_true (app_tree_root_has (f, "renamed-notes.txt"));

  gtk_widget_activate_action (tree, "files.delete", NULL);
  app_answer_dialog (NULL, "delete");
  WAIT_FOR (!app_tree_root_has (f, "renamed-notes.txt"), "the deleted file to leave the tree");

  g_assert_true (cc_file_tree_select_path (f->window->file_tree, "/home/user/docs"));
  gtk_widget_activate_action (tree, "files.delete", NULL);
  app_answer_dialog (NULL, "delete");
  WAIT_FOR (!app_tree_root_has (f, "docs"), "the deleted folder to leave the tree");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = app_read_sandbox_file (f, "/home/user/renamed-notes.txt", &error);
  g_assert_null (bytes);
  g_assert_nonnull (error);
}

static GtkDropTarget *
find_drop_target (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  return NULL;
}

static gboolean
local_file_has (const char *path,
                const char *expected)
{
  g_autofree char *content = NULL;

  return g_file_get_contents (path, &content, NULL, NULL) && g_strcmp0 (content, expected) == 0;
}

static void
test_files_upload_download (AppFixture    *f,
                            gconstpointer  data)
{
  g_autofree char *local = cc_test_make_tmpdir ("cc-test-app-files");
  g_autofree char *path_a = g_build_filename (local, "uploaded-a.txt", NULL);
  g_autofree char *path_b = g_build_filename (local, "uploaded-b.bin", NULL);
  g_autofree char *downloaded = g_build_filename (local, "downloaded.txt", NULL);
  const char binary[] = { 'B', 0, 1, 2, (char) 0xff, 'E' };
  g_autoptr(GFile) download_file = g_file_new_for_path (downloaded);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GSList *files = NULL;
  GtkDropTarget *drop;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_assert_true (g_file_set_contents (path_a, "uploaded through the tree\n", -1, NULL));
  g_assert_true (g_file_set_contents (path_b, binary, sizeof binary, NULL));

  /* What the upload chooser ends in, with a real local file. */
  g_assert_true (cc_file_tree_select_path (f->window->file_tree, NULL));
  files = g_slist_append (files, g_file_new_for_path (path_a));
  cc_file_tree_upload_files (f->window->file_tree, files);
  g_slist_free_full (files, g_object_unref);
  files = NULL;
  WAIT_FOR (app_tree_root_has (f, "uploaded-a.txt"), "the uploaded file in the tree");

  /* A drop of a file list on the tree, as a file manager sends it. */
  drop = find_drop_target (GTK_WIDGET (f->window->file_tree));
  g_assert_nonnull (drop);
  files = g_slist_append (files, g_file_new_for_path (path_b));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_slist_free_full (files, g_object_unref);
  g_assert_true (accepted);
  WAIT_FOR (app_tree_root_has (f, "uploaded-b.bin"), "the dropped file in the tree");
  bytes = app_read_sandbox_file (f, "/home/user/uploaded-b.bin", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), binary, sizeof binary);

  /* Download to disk: what the save chooser ends in. */
  cc_file_tree_download_to (f->window->file_tree, "/home/user/uploaded-a.txt", download_file);
  WAIT_FOR (local_file_has (downloaded, "uploaded through the tree\n"), "the downloaded file on disk");

  app_run_in_terminal_ok (f, "rm uploaded-a.txt uploaded-b.bin");
  WAIT_FOR (!app_tree_root_has (f, "uploaded-a.txt"), "the uploaded files to go");
  cc_test_rm_rf (local);
}

/* ---- notifications ------------------------------------------------------------------------ */

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_LOG  "io.github.codecanvas.Test.NotificationLog"

static void
on_notification_recorded (GDBusConnection *connection,
                          const char      *sender,
                          const char      *path,
                          const char      *interface,
                          const char      *signal,
                          GVariant        *parameters,
                          gpointer         user_data)
{
  GPtrArray *records = user_data;

  g_ptr_array_add (records, g_variant_get_child_value (parameters, 0));
}

/* The test server's own log, asked after everything this process sent before: messages from
 * one connection reach the server in order, so a notification sent earlier is in the answer. */
static guint
count_logged_notifications (GDBusConnection *bus)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GError) error = NULL;

  g_dbus_connection_call (bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_LOG, "List", NULL,
                          G_VARIANT_TYPE ("(a(usssas))"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  reply = g_dbus_connection_call_finish (bus, result, &error);
  g_assert_no_error (error);
  list = g_variant_get_child_value (reply, 0);
  return (guint) g_variant_n_children (list);
}

static void
test_notify_long_work (AppFixture    *f,
                       gconstpointer  data)
{
  GSettings *settings = cc_application_get_settings (f->shared->app);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(CcProject) other_project = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) actions = NULL;
  g_autofree char *project_id = g_strdup (cc_project_get_id (f->project));
  g_autoptr(CcExecution) execution = NULL;
  const char *summary, *body;
  const char **action_list;
  GtkWindow *other;
  guint32 id;
  guint logged;
  guint subscription;

  g_assert_nonnull (bus);
  subscription = g_dbus_connection_signal_subscribe (bus, NULL, NOTIFY_LOG, "Recorded", NOTIFY_PATH, NULL,
                                                     G_DBUS_SIGNAL_FLAGS_NONE, on_notification_recorded,
                                                     records, NULL);

  /* Someone looks at another window, the way a person would: another toplevel is presented
   * and takes the focus. Under Xvfb there is no window manager, yet presenting a window still
   * moves the X input focus to it: the main window gets a real FocusOut, and its is-active
   * follows. The wait for the main window to be active first makes the change a real one. */
  WAIT_FOR (gtk_window_is_active (GTK_WINDOW (f->window)), "the main window to have the focus");
  other = g_object_ref (GTK_WINDOW (gtk_window_new ()));
  gtk_window_set_title (other, "Somewhere Else");
  gtk_window_set_default_size (other, 320, 200);
  gtk_window_present (other);
  WAIT_FOR (gtk_window_is_active (other), "the other window to take the focus");
  WAIT_FOR (!gtk_window_is_active (GTK_WINDOW (f->window)), "the main window to lose the focus");

  /* A command shorter than "notify-after" sends nothing, even with nobody looking. The bound
   * is far above what a trivial command takes on any machine. */
  g_settings_set_uint (settings, "notify-after", 600);
  logged = count_logged_notifications (bus);
  app_run_in_terminal_ok (f, "true");
  g_assert_cmpuint (count_logged_notifications (bus), ==, logged);

  /* One that runs longer is announced. */
  g_settings_set_uint (settings, "notify-after", 1);
  execution = app_run_in_terminal (f, "sleep 2");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  g_assert_cmpint (cc_execution_get_duration_ms (execution), >=, 1000);
  WAIT_FOR (records->len > 0, "the notification to be recorded");
  g_assert_cmpuint (records->len, ==, 1);
  g_variant_get (g_ptr_array_index (records, 0), "(u&s&s&s@as)", &id, NULL, &summary, &body, &actions);
  g_assert_cmpstr (summary, ==, "Command Finished");
  g_assert_cmpstr (body, ==, "“sleep 2” exited with code 0");
  action_list = g_variant_get_strv (actions, NULL);
  g_assert_true (g_strv_contains (action_list, "default"));
  g_free (action_list);

  /* Meanwhile another project is shown; clicking the notification brings the window back with
   * the command's project. */
  other_project = app_create_project (f, "Another Project", CC_TEMPLATE_BLANK, 0);
  cc_window_select_project (f->window, cc_project_get_id (other_project));
  WAIT_FOR (g_strcmp0 (cc_project_get_id (f->window->project), cc_project_get_id (other_project)) == 0,
            "the other project to be shown");
  g_dbus_connection_call (bus, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_LOG, "Invoke",
                          g_variant_new ("(us)", id, "default"), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  reply = g_dbus_connection_call_finish (bus, result, &error);
  g_assert_no_error (error);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (f->window->project), project_id) == 0,
            "the notification's project to be shown");
  WAIT_FOR (gtk_window_is_active (GTK_WINDOW (f->window)), "the window to come back to the front");

  g_dbus_connection_signal_unsubscribe (bus, subscription);
  g_settings_reset (settings, "notify-after");
  app_close_and_finalize (other);
}

/* ---- main --------------------------------------------------------------------------------- */

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, &shared, setup, func, app_fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  AppShared shared = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *shots_dir = NULL;
  g_autofree char *data_home = NULL;
  CcTestEngine *engine;
  CcApplication *app;
  int ret;

  /* A private engine, and this process's profile pointed at it before GLib caches the
   * user directories, so that the client finds the engine through its engine.json. */
  engine = cc_test_engine_new ();
  g_setenv ("XDG_RUNTIME_DIR", cc_test_engine_get_runtime_dir (engine), TRUE);
  /* The app's own data (its database, WebKit's storage) apart from the engine's, so that
   * WebKit's helper processes finishing their writes cannot race the engine's clean-up. */
  data_home = cc_test_make_tmpdir ("cc-test-app");
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  /* GTest names the program by its path; WebKit builds its data directories from that name. */
  g_set_prgname ("code-canvas-test");
  /* Screenshots of finished states, not of transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  /* GNOME's window buttons: Xvfb has no settings daemon, and GTK's fallback adds minimize and
   * maximize, which neither GNOME nor a phone shows (and which would not fit at 360 px). */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  adw_init ();
  gtk_source_init ();

  shots_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                "screenshots", NULL);
  g_mkdir_with_parents (shots_dir, 0755);

  /* One application for the whole run: a GApplication registers on the bus once per process,
   * and notifications and app actions need it registered. The cases only use it (each makes
   * its own window); what they put in its store, their teardown removes. */
  app = cc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* No timeout needed while waiting below, but the loop must not block forever on nothing. */
  g_timeout_add (100, wake_up, NULL);
  WAIT_FOR (cc_application_get_client (app) != NULL || cc_application_get_error (app) != NULL,
            "the project store to open");
  g_assert_nonnull (cc_application_get_client (app));

  shared.engine = engine;
  shared.app = app;
  shared.client = cc_application_get_client (app);
  shared.shots_dir = shots_dir;

  ADD_CASE ("/app/window/first-run", app_fixture_setup_empty, test_first_run);
  ADD_CASE ("/app/preferences/open", app_fixture_setup_empty, test_preferences);
  ADD_CASE ("/app/new-project/node-template", app_fixture_setup_empty, test_new_project);
  ADD_CASE ("/app/terminal/echo", app_fixture_setup_node, test_terminal_echo);
  ADD_CASE ("/app/terminal/cached-rerun", app_fixture_setup_blank, test_terminal_cached);
  ADD_CASE ("/app/terminal/failing-command", app_fixture_setup_blank, test_terminal_failing);
  ADD_CASE ("/app/terminal/stdin-and-stop", app_fixture_setup_blank, test_terminal_stdin_and_stop);
  ADD_CASE ("/app/history/filter", app_fixture_setup_blank, test_history_filter);
  ADD_CASE ("/app/history/rerun-and-clear-cache", app_fixture_setup_blank, test_history_rerun_and_clear_cache);
  ADD_CASE ("/app/project/setup-again", app_fixture_setup_blank, test_setup_again);
  ADD_CASE ("/app/files/watch", app_fixture_setup_blank, test_files_watch);
  ADD_CASE ("/app/files/new-rename-delete", app_fixture_setup_blank, test_files_new_rename_delete);
  ADD_CASE ("/app/files/upload-download", app_fixture_setup_blank, test_files_upload_download);
  ADD_CASE ("/app/notify/long-work", app_fixture_setup_blank, test_notify_long_work);
  app_add_workspace_cases (&shared);
  app_add_layout_cases (&shared);
  app_add_flow_cases (&shared);
  app_add_ux_cases (&shared);
  app_add_keyboard_cases (&shared);
  /* Last: it quits the application. */
  app_add_quit_case (&shared);

  ret = g_test_run ();

  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
  cc_test_engine_free (engine);
  /* WebKit's network process may still be closing its files: best effort, never fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  cc_test_rm_rf (data_home);
  return ret;
}
