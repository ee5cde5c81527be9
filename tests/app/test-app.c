/* test-app.c: the code-canvas window, driven through its widgets, against a private engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cases are the steps of one user's first session, in order: the first-run page, the
 * preferences, creating a Node project through the dialog, running commands in the terminal
 * view, editing a file, and previewing the dev server. They share one application, window and
 * engine (a fresh profile per run), so a later case assumes the earlier ones passed.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <gtksourceview/gtksource.h>
#include <string.h>

#include "cc-application.h"
#include "cc-history-row.h"
#include "cc-new-project-dialog.h"
#include "cc-preferences-window.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"
#include "cc-window-private.h"


typedef struct
{
  CcTestEngine  *engine;
  CcApplication *app;
  CcWindow      *window;
  char          *shots_dir;
  char          *project_file;
  char          *data_home;
} AppState;

static AppState state;

#define WAIT_FOR(cond, what) CC_TEST_WAIT_FOR (cond, what)

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock,
                guint         *paints)
{
  (*paints)++;
}

static void
queue_draw_all (GtkWidget *widget)
{
  gtk_widget_queue_draw (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    queue_draw_all (child);
}

/* Wait until @widget is mapped and its window painted twice. */
static void
wait_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint paints = 0;
  gulong id;

  WAIT_FOR (gtk_widget_get_mapped (widget), "the widget to be mapped");
  clock = gtk_widget_get_frame_clock (widget);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &paints);
  /* Two frames that each had something to draw: layout settles in the first. */
  queue_draw_all (widget);
  WAIT_FOR (paints >= 1, "a frame");
  queue_draw_all (widget);
  WAIT_FOR (paints >= 2, "a second frame");
  g_signal_handler_disconnect (clock, id);
}

static void
snapshot_to_png (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (state.shots_dir, name, NULL);
  GskRenderer *renderer;
  int w, h;

  wait_drawn (widget);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static void
close_and_finalize (GtkWindow *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (window);
  WAIT_FOR (weak == NULL, "the window to be finalized");
}

/* ---- cases ------------------------------------------------------------------------------ */

static void
test_first_run (void)
{
  state.window = cc_window_new (state.app);
  gtk_window_present (GTK_WINDOW (state.window));
  wait_drawn (GTK_WIDGET (state.window));

  WAIT_FOR (state.window->client != NULL, "the project store");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (state.window->main_stack), "loading") != 0,
            "the projects to load");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->main_stack), ==, "first-run");
  snapshot_to_png (GTK_WIDGET (state.window), "first-run.png");
}

static GtkWidget *
find_descendant (GtkWidget  *widget,
                 GType       type,
                 const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (title == NULL || g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0))
        return child;
      if ((found = find_descendant (child, type, title)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_descendant_any (GtkWidget *widget,
                     GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = find_descendant_any (child, type)) != NULL)
        return found;
    }
  return NULL;
}

static void
test_preferences (void)
{
  GtkWindow *prefs;
  GtkWidget *key_row;
  AdwActionRow *status_row;

  g_action_group_activate_action (G_ACTION_GROUP (state.app), "preferences", NULL);
  prefs = find_toplevel (CC_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  /* Let the engine status arrive before the picture is taken (spinning, not sleeping). */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  snapshot_to_png (GTK_WIDGET (prefs), "preferences.png");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "connections");
  snapshot_to_png (GTK_WIDGET (prefs), "preferences-connections.png");

  /* A key typed into the password row goes to the real keyring and leaves the widget. */
  key_row = find_descendant (GTK_WIDGET (prefs), ADW_TYPE_PASSWORD_ENTRY_ROW, NULL);
  status_row = ADW_ACTION_ROW (find_descendant (GTK_WIDGET (prefs), ADW_TYPE_ACTION_ROW, "Stored Key"));
  g_assert_nonnull (key_row);
  g_assert_nonnull (status_row);
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (status_row), "No key stored") == 0, "the keyring lookup");
  gtk_editable_set_text (GTK_EDITABLE (key_row), "e2b_test_key_0123456789");
  g_signal_emit_by_name (key_row, "apply");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (key_row)), ==, "");
  WAIT_FOR (g_strcmp0 (adw_action_row_get_subtitle (status_row), "A key is stored in your keyring") == 0,
            "the key to be stored");
  close_and_finalize (prefs);
}

static void
on_setup_finished (CcNewProjectDialog *dialog,
                   gboolean            ok,
                   int                *result)
{
  *result = ok ? 1 : 0;
}

static void
test_new_project (void)
{
  CcNewProjectDialog *dialog;
  GListModel *projects;
  GListModel *root;
  int setup_result = -1;
  gboolean has_server_js = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.new-project", NULL);
  dialog = CC_NEW_PROJECT_DIALOG (find_toplevel (CC_TYPE_NEW_PROJECT_DIALOG));
  g_assert_nonnull (dialog);
  g_object_ref (dialog);

  g_assert_false (cc_new_project_dialog_can_create (dialog));
  gtk_editable_set_text (cc_new_project_dialog_get_name_row (dialog), "Hello Node");
  cc_new_project_dialog_set_template (dialog, CC_TEMPLATE_NODE);
  g_assert_true (cc_new_project_dialog_can_create (dialog));
  snapshot_to_png (GTK_WIDGET (dialog), "new-project.png");

  g_signal_connect (dialog, "setup-finished", G_CALLBACK (on_setup_finished), &setup_result);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "new-project.create", NULL);
  WAIT_FOR (setup_result != -1, "the project setup");
  if (setup_result != 1)
    g_error ("The setup failed: %s", cc_new_project_dialog_get_message (dialog));
  g_signal_handlers_disconnect_by_data (dialog, &setup_result);
  g_object_unref (dialog);

  projects = cc_client_get_projects (state.window->client);
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 1);
  WAIT_FOR (state.window->project != NULL, "the new project to be selected");
  g_assert_cmpstr (cc_project_get_name (state.window->project), ==, "Hello Node");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->main_stack), ==, "workspace");

  /* Its files show up in the tree. */
  root = cc_file_tree_get_root (state.window->file_tree);
  g_assert_nonnull (root);
  while (!has_server_js)
    {
      WAIT_FOR (g_list_model_get_n_items (root) > 0, "the file tree");
      for (guint i = 0; i < g_list_model_get_n_items (root); i++)
        {
          g_autoptr(GFileInfo) info = g_list_model_get_item (root, i);

          if (g_strcmp0 (g_file_info_get_name (info), "server.js") == 0)
            {
              has_server_js = TRUE;
              state.project_file = g_strdup (g_file_info_get_attribute_string (info, "cc::path"));
            }
        }
      if (!has_server_js)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_nonnull (state.project_file);
}

static gboolean
history_has (const char *input,
             gboolean   *cached)
{
  GListModel *model = cc_history_panel_get_model (state.window->history_panel);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_operation_get_input (op), input) == 0 &&
          cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
        {
          if (cached != NULL)
            *cached = cc_operation_get_cached (op);
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_execution_finished (CcCommandView *view,
                       CcExecution   *execution,
                       CcExecution  **out)
{
  g_set_object (out, execution);
}

/* Types @command into the entry, presses Enter, waits for the end; (transfer full). */
static CcExecution *
run_in_terminal (const char *command)
{
  CcCommandView *view = _cc_window_get_command_view (state.window);
  CcExecution *finished = NULL;
  GtkEditable *entry;
  gulong id;

  g_assert_nonnull (view);
  entry = cc_command_view_get_entry (view);
  gtk_editable_set_text (entry, command);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (on_execution_finished), &finished);
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (finished != NULL, "the command to finish");
  g_signal_handler_disconnect (view, id);
  return finished;
}

static void
run_in_terminal_and_free (const char *command)
{
  g_autoptr(CcExecution) execution = run_in_terminal (command);

  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
}

static gboolean
terminal_shows (CcCommandView *view,
                const char    *needle)
{
  g_autofree char *text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));

  return text != NULL && strstr (text, needle) != NULL;
}

static void
test_terminal_echo (void)
{
  g_autoptr(CcExecution) execution = NULL;
  g_autofree char *text = NULL;
  CcCommandView *view;

  adw_view_stack_set_visible_child_name (state.window->view_stack, "terminal");
  execution = run_in_terminal ("echo hello-from-the-test");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);

  view = _cc_window_get_command_view (state.window);
  /* VTE parses what it is fed on its own schedule: wait for the text to show. */
  WAIT_FOR (terminal_shows (view, "Exit code 0"), "the end of the output in the terminal");
  text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));
  g_assert_nonnull (strstr (text, "$ echo hello-from-the-test"));
  /* The output line itself, not only the echoed prompt. */
  g_assert_nonnull (strstr (text, "\nhello-from-the-test"));
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Exit code 0"));

  WAIT_FOR (history_has ("echo hello-from-the-test", NULL), "the history row");
  snapshot_to_png (GTK_WIDGET (state.window), "main.png");
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

static void
test_terminal_cached (void)
{
  g_autoptr(CcExecution) execution = NULL;
  CcCommandView *view = _cc_window_get_command_view (state.window);
  gboolean cached = FALSE;

  cc_command_view_set_use_cache (view, TRUE);
  execution = run_in_terminal ("echo hello-from-the-test");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_true (cc_execution_get_cached (execution));
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "cached"));

  WAIT_FOR (history_has ("echo hello-from-the-test", &cached) && cached, "the cached history row");
  WAIT_FOR (cached_badge_shown (GTK_WIDGET (state.window->history_panel)), "the cached badge");
}

static void
test_terminal_failing (void)
{
  g_autoptr(CcExecution) execution = NULL;
  g_autofree char *text = NULL;
  CcCommandView *view = _cc_window_get_command_view (state.window);

  execution = run_in_terminal ("echo about to fail >&2; exit 3");
  g_assert_cmpint (cc_execution_get_state (execution), ==, CC_EXECUTION_STATE_FINISHED);
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 3);
  g_assert_nonnull (strstr (cc_command_view_get_status (view), "Exit code 3"));
  WAIT_FOR (terminal_shows (view, "Exit code 3"), "the exit code in the terminal");
  text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));
  g_assert_nonnull (strstr (text, "about to fail"));
  g_assert_nonnull (strstr (text, "Exit code 3"));
}

static void
on_saved (CcFileEditor *editor,
          const char   *path,
          gboolean     *saved)
{
  *saved = TRUE;
}

static gboolean
tree_root_has (const char *name)
{
  GListModel *root = cc_file_tree_get_root (state.window->file_tree);

  for (guint i = 0; root != NULL && i < g_list_model_get_n_items (root); i++)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (root, i);

      if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_files_watch (void)
{
  g_autoptr(CcExecution) execution = NULL;

  /* A file made behind the tree's back shows up through the watch stream, and goes away. */
  execution = run_in_terminal ("echo hi > made-by-a-command.txt");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  WAIT_FOR (tree_root_has ("made-by-a-command.txt"), "the new file in the tree");
  g_clear_object (&execution);
  execution = run_in_terminal ("rm made-by-a-command.txt");
  WAIT_FOR (!tree_root_has ("made-by-a-command.txt"), "the file to leave the tree");
}

/* ---- file tree operations --------------------------------------------------------------- */

/* The one message dialog on screen: types @text into its entry (if any) and answers @response. */
static void
answer_dialog (const char *text,
               const char *response)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  GtkWidget *entry;

  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  if (text != NULL)
    {
      g_assert_true (GTK_IS_EDITABLE (entry));
      gtk_editable_set_text (GTK_EDITABLE (entry), text);
    }
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  /* What clicking the button does: answer, then close. */
  adw_message_dialog_response (dialog, response);
  close_and_finalize (GTK_WINDOW (dialog));
}

static GBytes *
read_sandbox_file (const char *path,
                   GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_read_file_async (state.window->client, cc_project_get_id (state.window->project), path, NULL,
                             cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  return cc_client_read_file_finish (state.window->client, result, error);
}

static gboolean
tree_entry_is_dir (const char *name)
{
  GListModel *root = cc_file_tree_get_root (state.window->file_tree);

  for (guint i = 0; root != NULL && i < g_list_model_get_n_items (root); i++)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (root, i);

      if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
        return g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
    }
  return FALSE;
}

static void
test_files_new_rename_delete (void)
{
  GtkWidget *tree = GTK_WIDGET (state.window->file_tree);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  /* Nothing selected: new things go into the root. */
  g_assert_true (cc_file_tree_select_path (state.window->file_tree, NULL));

  gtk_widget_activate_action (tree, "files.new-file", NULL);
  answer_dialog ("notes.txt", "ok");
  WAIT_FOR (tree_root_has ("notes.txt"), "the new file in the tree");
  bytes = read_sandbox_file ("/home/user/notes.txt", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);

  gtk_widget_activate_action (tree, "files.new-folder", NULL);
  answer_dialog ("docs", "ok");
  WAIT_FOR (tree_root_has ("docs"), "the new folder in the tree");
  g_assert_true (tree_entry_is_dir ("docs"));

  /* Rename offers the old name and moves the file. */
  g_assert_true (cc_file_tree_select_path (state.window->file_tree, "/home/user/notes.txt"));
  gtk_widget_activate_action (tree, "files.rename", NULL);
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog))), ==,
                   "notes.txt");
  answer_dialog ("renamed-notes.txt", "ok");
  WAIT_FOR (tree_root_has ("renamed-notes.txt") && !tree_root_has ("notes.txt"), "the renamed file");

  /* Delete asks first; "Cancel" keeps the file, "Delete" removes it. */
  g_assert_true (cc_file_tree_select_path (state.window->file_tree, "/home/user/renamed-notes.txt"));
  gtk_widget_activate_action (tree, "files.delete", NULL);
  answer_dialog (NULL, "cancel");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = read_sandbox_file ("/home/user/renamed-notes.txt", &error);
  g_assert_no_error (error);
  g_assert_true (tree_root_has ("renamed-notes.txt"));

  gtk_widget_activate_action (tree, "files.delete", NULL);
  answer_dialog (NULL, "delete");
  WAIT_FOR (!tree_root_has ("renamed-notes.txt"), "the deleted file to leave the tree");

  g_assert_true (cc_file_tree_select_path (state.window->file_tree, "/home/user/docs"));
  gtk_widget_activate_action (tree, "files.delete", NULL);
  answer_dialog (NULL, "delete");
  WAIT_FOR (!tree_root_has ("docs"), "the deleted folder to leave the tree");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = read_sandbox_file ("/home/user/renamed-notes.txt", &error);
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
test_files_upload_download (void)
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
  g_assert_true (cc_file_tree_select_path (state.window->file_tree, NULL));
  files = g_slist_append (files, g_file_new_for_path (path_a));
  cc_file_tree_upload_files (state.window->file_tree, files);
  g_slist_free_full (files, g_object_unref);
  files = NULL;
  WAIT_FOR (tree_root_has ("uploaded-a.txt"), "the uploaded file in the tree");

  /* A drop of a file list on the tree, as a file manager sends it. */
  drop = find_drop_target (GTK_WIDGET (state.window->file_tree));
  g_assert_nonnull (drop);
  files = g_slist_append (files, g_file_new_for_path (path_b));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_slist_free_full (files, g_object_unref);
  g_assert_true (accepted);
  WAIT_FOR (tree_root_has ("uploaded-b.bin"), "the dropped file in the tree");
  bytes = read_sandbox_file ("/home/user/uploaded-b.bin", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), binary, sizeof binary);

  /* Download to disk: what the save chooser ends in. */
  cc_file_tree_download_to (state.window->file_tree, "/home/user/uploaded-a.txt", download_file);
  WAIT_FOR (local_file_has (downloaded, "uploaded through the tree\n"), "the downloaded file on disk");

  run_in_terminal_and_free ("rm uploaded-a.txt uploaded-b.bin");
  WAIT_FOR (!tree_root_has ("uploaded-a.txt"), "the uploaded files to go");
  cc_test_rm_rf (local);
}

/* ---- a sandbox re-created behind the app's back --------------------------------------------- */

static void
test_sandbox_recreated_toast (void)
{
  g_autofree char *id = g_strdup (cc_project_get_id (state.window->project));
  g_autofree char *old_sandbox = g_strdup (cc_project_get_sandbox_id (cc_client_find_project (state.window->client, id)));
  g_autofree char *url = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) execution = NULL;

  g_assert_nonnull (old_sandbox);
  /* Only a toast shown from here on counts. */
  g_clear_pointer (&state.window->last_toast, g_free);

  /* Killed through the engine's control plane, as an expiry or another tool would: the app's
   * client is not told. */
  url = g_strdup_printf ("%s/sandboxes/%s", cc_test_engine_get_url (state.engine), old_sandbox);
  message = soup_message_new ("DELETE", url);
  soup_message_headers_replace (soup_message_get_request_headers (message), "X-API-KEY",
                                cc_test_engine_get_api_key (state.engine));
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 204);

  /* The next command needs the sandbox: the client makes a new one and the window says so. */
  execution = run_in_terminal ("test -f server.js && echo files-came-back");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  WAIT_FOR (_cc_window_get_last_toast (state.window) != NULL &&
            strstr (_cc_window_get_last_toast (state.window), "a new one was created") != NULL,
            "the toast about the new sandbox");
  g_assert_cmpstr (cc_project_get_sandbox_id (cc_client_find_project (state.window->client, id)), !=, old_sandbox);
}

static void
test_terminal_stdin_and_stop (void)
{
  CcCommandView *view = _cc_window_get_command_view (state.window);
  GtkEditable *entry = cc_command_view_get_entry (view);
  CcExecution *finished = NULL;
  CcExecution *execution;
  gulong id;

  /* Without the cache a command gets stdin: Enter while it runs sends a line to it. */
  cc_command_view_set_use_cache (view, FALSE);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (on_execution_finished), &finished);
  gtk_editable_set_text (entry, "read line; echo got:$line");
  g_signal_emit_by_name (entry, "activate");
  execution = cc_command_view_get_execution (view);
  WAIT_FOR (cc_execution_get_state (execution) == CC_EXECUTION_STATE_RUNNING, "the command to start");
  gtk_editable_set_text (entry, "typed-line");
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (finished != NULL, "the command to read its input and end");
  g_assert_cmpint (cc_execution_get_exit_code (finished), ==, 0);
  WAIT_FOR (terminal_shows (view, "got:typed-line"), "the answer in the terminal");
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
  cc_command_view_set_use_cache (view, TRUE);
}

static guint
count_setups (void)
{
  GListModel *model = cc_history_panel_get_model (state.window->history_panel);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_SETUP &&
          cc_operation_get_status (op) == CC_OPERATION_STATUS_SUCCESS)
        count++;
    }
  return count;
}

static void
test_setup_again (void)
{
  guint before;

  WAIT_FOR (count_setups () >= 1, "the first setup in the history");
  before = count_setups ();
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.setup-project", NULL);
  g_assert_true (state.window->setup_busy);
  WAIT_FOR (!state.window->setup_busy, "the setup to end");
  WAIT_FOR (count_setups () == before + 1, "the new setup record");
  g_assert_true (terminal_shows (_cc_window_get_command_view (state.window), "running its setup"));
}

static void
on_flag (gpointer  instance,
         gboolean *flag)
{
  *flag = TRUE;
}

static GtkButton *
find_button_by_icon (GtkWidget  *widget,
                     const char *icon_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)), icon_name) == 0)
        return GTK_BUTTON (child);
      if ((found = find_button_by_icon (child, icon_name)) != NULL)
        return found;
    }
  return NULL;
}

static int
history_position (const char *input)
{
  GListModel *model = cc_history_panel_get_model (state.window->history_panel);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_operation_get_input (op), input) == 0)
        return (int) i;
    }
  return -1;
}

static void
test_history_rerun_and_clear_cache (void)
{
  CcCommandView *view = _cc_window_get_command_view (state.window);
  GtkButton *rerun = find_button_by_icon (GTK_WIDGET (state.window->history_panel), "view-refresh-symbolic");
  GtkButton *clear = find_button_by_icon (GTK_WIDGET (state.window->history_panel), "edit-clear-all-symbolic");
  CcExecution *finished = NULL;
  g_autoptr(CcExecution) execution = NULL;
  gboolean cleared = FALSE;
  gulong id;

  g_assert_nonnull (rerun);
  g_assert_nonnull (clear);
  WAIT_FOR (history_position ("echo hello-from-the-test") >= 0, "the command in the history");

  /* Forget its cached result, then run it again from the history: it really runs. */
  cc_history_panel_select (state.window->history_panel, history_position ("echo hello-from-the-test"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (clear)));
  g_signal_connect (state.window->history_panel, "cache-cleared", G_CALLBACK (on_flag), &cleared);
  g_signal_emit_by_name (clear, "clicked");
  WAIT_FOR (cleared, "the cached result to be cleared");
  g_signal_handlers_disconnect_by_data (state.window->history_panel, &cleared);
  cc_command_view_set_use_cache (view, TRUE);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (on_execution_finished), &finished);
  g_signal_emit_by_name (rerun, "clicked");
  WAIT_FOR (finished != NULL, "the re-run to finish");
  g_signal_handler_disconnect (view, id);
  execution = finished;
  g_assert_cmpstr (cc_execution_get_command (execution), ==, "echo hello-from-the-test");
  g_assert_false (cc_execution_get_cached (execution));
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
}

static gboolean
history_shows_only (const char *input)
{
  GListModel *model = cc_history_panel_get_model (state.window->history_panel);
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
test_history_filter (void)
{
  CcHistoryPanel *panel = state.window->history_panel;
  GtkEditable *search = GTK_EDITABLE (find_descendant_any (GTK_WIDGET (panel), GTK_TYPE_SEARCH_ENTRY));
  GtkDropDown *status = GTK_DROP_DOWN (find_descendant_any (GTK_WIDGET (panel), GTK_TYPE_DROP_DOWN));
  g_autofree char *output = NULL;

  g_assert_nonnull (search);
  g_assert_nonnull (status);

  /* By text, over commands and their output. */
  gtk_editable_set_text (search, "fail");
  WAIT_FOR (history_shows_only ("echo about to fail >&2; exit 3"), "the text filter");

  /* Selecting a record shows what it printed. */
  cc_history_panel_select (panel, 0);
  output = cc_history_panel_dup_output (panel);
  g_assert_nonnull (strstr (output, "about to fail"));
  gtk_editable_set_text (search, "");

  /* By status: a command that exited non-zero is not a success. */
  gtk_drop_down_set_selected (status, 2);
  WAIT_FOR (history_shows_only ("echo about to fail >&2; exit 3"), "the status filter");
  gtk_drop_down_set_selected (status, 0);
  WAIT_FOR (history_has ("echo hello-from-the-test", NULL), "the unfiltered history");
}

static void
test_editor_refuses (void)
{
  g_autoptr(CcExecution) execution = NULL;
  CcFileEditor *editor = state.window->file_editor;

  execution = run_in_terminal ("printf 'PK\\003\\004\\000\\000binary' > blob.bin");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  g_signal_emit_by_name (state.window->file_tree, "file-activated", "/home/user/blob.bin", (guint64) 12);
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_state (editor), "loading") != 0, "the binary file to be looked at");
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "refused");

  /* Too large: refused from its listed size, without reading it. */
  g_signal_emit_by_name (state.window->file_tree, "file-activated", "/home/user/huge.log",
                         (guint64) CC_FILE_EDITOR_MAX_SIZE + 1);
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "refused");
  adw_view_stack_set_visible_child_name (state.window->view_stack, "terminal");
}

static void
test_project_settings (void)
{
  AdwMessageDialog *dialog;
  GtkWidget *name_row;
  const char *id = cc_project_get_id (state.window->project);

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.rename-project", NULL);
  dialog = ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  name_row = find_descendant (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "_Name");
  g_assert_nonnull (name_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "Hello Node");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Hello Node Renamed");
  /* What clicking "Save" does: answer, then close. */
  adw_message_dialog_response (dialog, "save");
  close_and_finalize (GTK_WINDOW (dialog));
  WAIT_FOR (g_strcmp0 (cc_project_get_name (cc_client_find_project (state.window->client, id)),
                       "Hello Node Renamed") == 0, "the new name");
  WAIT_FOR (g_strcmp0 (adw_view_switcher_title_get_subtitle (state.window->switcher_title),
                       "Hello Node Renamed") == 0, "the title to follow");
}

static void
test_editor_save (void)
{
  CcFileEditor *editor = state.window->file_editor;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  gboolean saved = FALSE;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *content = NULL;

  g_signal_emit_by_name (state.window->file_tree, "file-activated", state.project_file, (guint64) 0);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (state.window->view_stack), ==, "editor");
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_state (editor), "loading") != 0, "the file to load");
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "editor");

  buffer = GTK_TEXT_BUFFER (cc_file_editor_get_buffer (editor));
  g_assert_nonnull (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer)));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer))), ==, "js");
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "// edited in the editor\n", -1);
  g_assert_true (gtk_text_buffer_get_modified (buffer));

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  WAIT_FOR (saved, "the file to be saved");
  g_signal_handlers_disconnect_by_data (editor, &saved);
  g_assert_false (gtk_text_buffer_get_modified (buffer));

  /* Read back through the client: the sandbox has the new text. */
  cc_client_read_file_async (state.window->client, cc_project_get_id (state.window->project),
                             state.project_file, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  bytes = cc_client_read_file_finish (state.window->client, result, &error);
  g_assert_no_error (error);
  content = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (content, "// edited in the editor\n"));
  g_assert_nonnull (strstr (content, "http.createServer"));
}

static gboolean
shell_shows (const char *needle)
{
  CcTerminalView *terminal = cc_shell_view_get_terminal (state.window->shell_view);
  g_autofree char *text = cc_terminal_view_dup_text (terminal);

  return text != NULL && strstr (text, needle) != NULL;
}

static void
test_shell (void)
{
  CcTerminalView *terminal = cc_shell_view_get_terminal (state.window->shell_view);

  /* Showing the tab opens the shell. */
  adw_view_stack_set_visible_child_name (state.window->view_stack, "shell");
  WAIT_FOR (cc_shell_view_is_open (state.window->shell_view), "the shell to open");

  /* Keys go in the way VTE delivers typing ("commit"); the PTY echoes and answers. */
  vte_terminal_feed_child (VTE_TERMINAL (terminal), "echo $((6*7))-$TERM\r", -1);
  WAIT_FOR (shell_shows ("42-xterm-256color"), "the shell's answer");

  /* The PTY follows the widget's size. */
  vte_terminal_feed_child (VTE_TERMINAL (terminal), "stty size\r", -1);
  {
    g_autofree char *expected = g_strdup_printf ("%ld %ld",
                                                 vte_terminal_get_row_count (VTE_TERMINAL (terminal)),
                                                 vte_terminal_get_column_count (VTE_TERMINAL (terminal)));

    WAIT_FOR (shell_shows (expected), "the PTY size to match the terminal");
  }
  adw_view_stack_set_visible_child_name (state.window->view_stack, "terminal");
}

static void
test_switch_projects (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) second = NULL;
  g_auto(GStrv) accels = NULL;
  g_autofree char *first_id = g_strdup (cc_project_get_id (state.window->project));
  CcCommandView *view;

  /* Ctrl+1…9 are bound to the parameterised action. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (state.app), "win.select-project(uint32 2)");
  g_assert_cmpstr (accels[0], ==, "<Control>2");

  cc_client_create_project_async (state.window->client, "Second", CC_CONNECTION_LOCAL, NULL,
                                  CC_TEMPLATE_BLANK, NULL, 0, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  second = cc_client_create_project_finish (state.window->client, result, &error);
  g_assert_no_error (error);

  /* Newest first: the new project is number 1, the first one number 2. */
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.select-project", "u", 1);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (state.window->project), cc_project_get_id (second)) == 0,
            "the second project");
  view = _cc_window_get_command_view (state.window);
  g_assert_false (terminal_shows (view, "hello-from-the-test"));

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.select-project", "u", 2);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (state.window->project), first_id) == 0, "the first project");
  /* Its output was kept while the other project was shown. */
  view = _cc_window_get_command_view (state.window);
  g_assert_true (terminal_shows (view, "hello-from-the-test"));
}

static CcSandboxStatus
sandbox_status (void)
{
  return cc_client_get_sandbox_status (state.window->client, cc_project_get_id (state.window->project));
}

static void
test_sandbox_lifecycle (void)
{
  GtkWidget *controls = GTK_WIDGET (state.window->sandbox_controls);
  g_autoptr(CcExecution) execution = NULL;

  g_assert_cmpint (sandbox_status (), ==, CC_SANDBOX_STATUS_RUNNING);
  /* Remaining time is shown as m:ss. */
  g_assert_nonnull (strchr (cc_sandbox_controls_get_label (state.window->sandbox_controls), ':'));

  gtk_widget_activate_action (controls, "sandbox.pause", NULL);
  WAIT_FOR (sandbox_status () == CC_SANDBOX_STATUS_PAUSED, "the sandbox to pause");
  WAIT_FOR (g_strcmp0 (cc_sandbox_controls_get_label (state.window->sandbox_controls), "Paused") == 0,
            "the controls to show it");

  gtk_widget_activate_action (controls, "sandbox.resume", NULL);
  WAIT_FOR (sandbox_status () == CC_SANDBOX_STATUS_RUNNING, "the sandbox to resume");

  /* Its files survived the pause. */
  execution = run_in_terminal ("test -f server.js && echo still-here");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.extend-sandbox", NULL);
  WAIT_FOR (cc_client_get_sandbox_end_time (state.window->client, cc_project_get_id (state.window->project)) >
            g_get_real_time () + 60 * G_USEC_PER_SEC, "the extended time");
}

static void
test_dark_style (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "color-scheme", "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), "the dark style");
  adw_view_stack_set_visible_child_name (state.window->view_stack, "editor");
  snapshot_to_png (GTK_WIDGET (state.window), "main-dark.png");
  g_settings_set_string (settings, "color-scheme", "default");
  adw_view_stack_set_visible_child_name (state.window->view_stack, "terminal");
}

static void
on_load_changed (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 gboolean        *finished)
{
  if (event == WEBKIT_LOAD_FINISHED && g_strcmp0 (webkit_web_view_get_uri (web_view), "about:blank") != 0)
    *finished = TRUE;
}

static void
test_preview (void)
{
  CcPreviewPane *pane = state.window->preview_pane;
  WebKitWebView *web_view;
  gboolean finished = FALSE;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) update_result = NULL;
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (g_getenv ("CC_TEST_NO_WEBKIT") != NULL)
    {
      g_test_skip ("WebKit's web process does not start under AddressSanitizer (CC_TEST_NO_WEBKIT)");
      return;
    }

  /* The sanitizer runs set GDK_DEBUG=gl-disable (Mesa leaks otherwise), and WebKit then warns
   * that it draws without GL: the environment talking, not a fault. Only criticals stay fatal
   * for this case there. */
  if (g_strrstr (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", "gl-disable") != NULL)
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  /* Sandboxes share this machine's network: give the dev server a port nobody else uses. */
  changes = cc_project_new (cc_project_get_name (state.window->project));
  cc_project_set_port (changes, cc_test_free_port ());
  cc_client_update_project_info_async (state.window->client,
                                       cc_project_get_id (state.window->project), changes,
                                       CC_PROJECT_FIELD_PORT, NULL, cc_test_store_result_cb,
                                       &update_result);
  cc_test_wait_result (&update_result);
  updated = cc_client_update_project_info_finish (state.window->client, update_result, &error);
  g_assert_no_error (error);

  web_view = cc_preview_pane_get_web_view (pane);
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_changed), &finished);
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.start-dev-server", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (state.window->view_stack), ==, "preview");
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  if (!cc_preview_pane_get_running (pane))
    g_error ("The dev server did not come up; the pane shows “%s”", cc_preview_pane_get_state (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "web");
  g_assert_true (g_str_has_prefix (cc_preview_pane_get_url (pane), "http"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->dev_server_stack), ==, "stop");

  WAIT_FOR (finished, "the page to load");
  g_signal_handlers_disconnect_by_data (web_view, &finished);

  webkit_web_view_evaluate_javascript (web_view, "document.title + '|' + document.body.innerText", -1,
                                       NULL, NULL, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  value = webkit_web_view_evaluate_javascript_finish (web_view, result, &error);
  g_assert_no_error (error);
  text = jsc_value_to_string (value);
  g_assert_nonnull (strstr (text, "Hello from Code Canvas"));
  snapshot_to_png (GTK_WIDGET (state.window), "preview.png");

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  g_assert_false (cc_preview_pane_get_running (pane));
}

static void
test_preview_failure (void)
{
  CcPreviewPane *pane = state.window->preview_pane;

  /* The blank project has nothing that listens: the pane must say so instead of waiting. */
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.select-project", "u", 1);
  WAIT_FOR (g_strcmp0 (cc_project_get_name (state.window->project), "Second") == 0, "the blank project");
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server attempt to end");
  g_assert_false (cc_preview_pane_get_running (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "failed");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->dev_server_stack), ==, "start");
  snapshot_to_png (GTK_WIDGET (state.window), "preview-failed.png");
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.select-project", "u", 2);
}

static guint
count_setups_with_status (const char        *project_id,
                          CcOperationStatus  status)
{
  CcHistoryQuery query = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) records = NULL;
  g_autoptr(GError) error = NULL;

  query.project_id = project_id;
  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_SETUP);
  query.status_mask = CC_HISTORY_MASK (status);
  cc_client_history_async (state.window->client, &query, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  records = cc_client_history_finish (state.window->client, result, &error);
  g_assert_no_error (error);
  return g_list_model_get_n_items (records);
}

static guint
count_successful_setups (const char *project_id)
{
  return count_setups_with_status (project_id, CC_OPERATION_STATUS_SUCCESS);
}

static void
test_preview_sets_up_first (void)
{
  CcPreviewPane *pane = state.window->preview_pane;
  WebKitWebView *web_view;
  gboolean finished = FALSE;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) js_result = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *id;   /* borrowed from @project, which lives to the end */

  if (g_getenv ("CC_TEST_NO_WEBKIT") != NULL)
    {
      g_test_skip ("WebKit's web process does not start under AddressSanitizer (CC_TEST_NO_WEBKIT)");
      return;
    }

  /* A Node project made from its template whose setup never ran: no files, no dependencies. */
  cc_client_create_project_async (state.window->client, "Never Set Up", CC_CONNECTION_LOCAL, NULL,
                                  CC_TEMPLATE_NODE, NULL, cc_test_free_port (), NULL,
                                  cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  project = cc_client_create_project_finish (state.window->client, result, &error);
  g_assert_no_error (error);
  id = cc_project_get_id (project);
  g_assert_cmpuint (count_successful_setups (id), ==, 0);
  cc_window_select_project (state.window, id);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (state.window->project), id) == 0, "the new project");

  /* One press of Run: the setup runs first, then the server, and the page loads. */
  web_view = cc_preview_pane_get_web_view (pane);
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_changed), &finished);
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.start-dev-server", NULL);
  g_assert_true (cc_preview_pane_get_busy (pane));
  /* While it works, the Stop button is there to cancel it. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->dev_server_stack), ==, "stop");
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the setup and the dev server");
  if (!cc_preview_pane_get_running (pane))
    g_error ("The dev server did not come up; the pane shows “%s”", cc_preview_pane_get_state (pane));
  g_assert_cmpuint (count_successful_setups (id), ==, 1);
  WAIT_FOR (finished, "the page to load");
  g_signal_handlers_disconnect_by_data (web_view, &finished);

  webkit_web_view_evaluate_javascript (web_view, "document.body.innerText", -1, NULL, NULL, NULL,
                                       cc_test_store_result_cb, &js_result);
  cc_test_wait_result (&js_result);
  value = webkit_web_view_evaluate_javascript_finish (web_view, js_result, &error);
  g_assert_no_error (error);
  text = jsc_value_to_string (value);
  g_assert_nonnull (strstr (text, "Hello from Code Canvas"));
  /* Its files are in the tree now. */
  WAIT_FOR (tree_root_has ("server.js"), "the project's files in the tree");

  /* Run again: it is set up now, so it does not set up a second time. */
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to start again");
  g_assert_true (cc_preview_pane_get_running (pane));
  g_assert_cmpuint (count_successful_setups (id), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  g_assert_false (cc_preview_pane_get_running (pane));
}

static void
test_preview_setup_cancelled (void)
{
  CcPreviewPane *pane = state.window->preview_pane;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) update_result = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) updated = NULL;
  g_autoptr(GError) error = NULL;
  const char *id;   /* borrowed from @project */

  /* A project whose setup would take long: Stop while it runs ends it, and no server starts. */
  cc_client_create_project_async (state.window->client, "Slow Setup", CC_CONNECTION_LOCAL, NULL,
                                  CC_TEMPLATE_BLANK, NULL, cc_test_free_port (), NULL,
                                  cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  project = cc_client_create_project_finish (state.window->client, result, &error);
  g_assert_no_error (error);
  id = cc_project_get_id (project);
  changes = cc_project_new ("Slow Setup");
  cc_project_set_setup_command (changes, "sleep 300");
  cc_client_update_project_info_async (state.window->client, id, changes, CC_PROJECT_FIELD_SETUP_COMMAND, NULL,
                                       cc_test_store_result_cb, &update_result);
  cc_test_wait_result (&update_result);
  updated = cc_client_update_project_info_finish (state.window->client, update_result, &error);
  g_assert_no_error (error);
  cc_window_select_project (state.window, id);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (state.window->project), id) == 0, "the slow project");

  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.start-dev-server", NULL);
  g_assert_true (cc_preview_pane_get_busy (pane));
  WAIT_FOR (count_setups_with_status (id, CC_OPERATION_STATUS_PENDING) == 1, "the setup to start");
  g_assert_true (cc_preview_pane_get_busy (pane));
  gtk_widget_activate_action (GTK_WIDGET (state.window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the cancelled setup to end");
  g_assert_false (cc_preview_pane_get_running (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "idle");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (state.window->dev_server_stack), ==, "start");
  /* The setup was stopped, not left running: its record ends, and not as a success. */
  WAIT_FOR (count_setups_with_status (id, CC_OPERATION_STATUS_PENDING) == 0, "the setup record to end");
  g_assert_cmpuint (count_successful_setups (id), ==, 0);
  g_assert_null (cc_client_get_dev_server (state.window->client, id));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* A private engine, and this process's profile pointed at it before GLib caches the
   * user directories, so that the client finds the engine through its engine.json. */
  state.engine = cc_test_engine_new ();
  g_setenv ("XDG_RUNTIME_DIR", cc_test_engine_get_runtime_dir (state.engine), TRUE);
  /* The app's own data (its database, WebKit's storage) apart from the engine's, so that
   * WebKit's helper processes finishing their writes cannot race the engine's clean-up. */
  state.data_home = cc_test_make_tmpdir ("cc-test-app");
  g_setenv ("XDG_DATA_HOME", state.data_home, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  /* GTest names the program by its path; WebKit builds its data directories from that name. */
  g_set_prgname ("code-canvas-test");
  /* Screenshots of finished states, not of transitions. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  adw_init ();
  gtk_source_init ();

  state.shots_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                      "screenshots", NULL);
  g_mkdir_with_parents (state.shots_dir, 0755);

  state.app = cc_application_new ();
  g_application_set_flags (G_APPLICATION (state.app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (state.app), NULL, &error);
  g_assert_no_error (error);
  /* No timeout needed while waiting below, but the loop must not block forever on nothing. */
  g_timeout_add (100, wake_up, NULL);

  g_test_add_func ("/app/window/first-run", test_first_run);
  g_test_add_func ("/app/preferences/open", test_preferences);
  g_test_add_func ("/app/new-project/node-template", test_new_project);
  g_test_add_func ("/app/terminal/echo", test_terminal_echo);
  g_test_add_func ("/app/terminal/cached-rerun", test_terminal_cached);
  g_test_add_func ("/app/terminal/failing-command", test_terminal_failing);
  g_test_add_func ("/app/terminal/stdin-and-stop", test_terminal_stdin_and_stop);
  g_test_add_func ("/app/history/filter", test_history_filter);
  g_test_add_func ("/app/history/rerun-and-clear-cache", test_history_rerun_and_clear_cache);
  g_test_add_func ("/app/project/setup-again", test_setup_again);
  g_test_add_func ("/app/files/watch", test_files_watch);
  g_test_add_func ("/app/files/new-rename-delete", test_files_new_rename_delete);
  g_test_add_func ("/app/files/upload-download", test_files_upload_download);
  g_test_add_func ("/app/sidebar/switch-projects", test_switch_projects);
  g_test_add_func ("/app/sidebar/project-settings", test_project_settings);
  g_test_add_func ("/app/editor/save", test_editor_save);
  g_test_add_func ("/app/editor/refuses-binary-and-large", test_editor_refuses);
  g_test_add_func ("/app/shell/pty", test_shell);
  g_test_add_func ("/app/style/dark", test_dark_style);
  g_test_add_func ("/app/sandbox/lifecycle", test_sandbox_lifecycle);
  g_test_add_func ("/app/sandbox/recreated-toast", test_sandbox_recreated_toast);
  g_test_add_func ("/app/preview/dev-server", test_preview);
  g_test_add_func ("/app/preview/dev-server-fails", test_preview_failure);
  g_test_add_func ("/app/preview/sets-up-first", test_preview_sets_up_first);
  g_test_add_func ("/app/preview/setup-cancelled", test_preview_setup_cancelled);

  ret = g_test_run ();

  if (state.window != NULL)
    close_and_finalize (GTK_WINDOW (state.window));
  g_application_quit (G_APPLICATION (state.app));
  g_object_unref (state.app);
  g_free (state.project_file);
  g_free (state.shots_dir);
  cc_test_engine_free (state.engine);
  /* WebKit's network process may still be closing its files: best effort, never fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  cc_test_rm_rf (state.data_home);
  g_free (state.data_home);
  return ret;
}
