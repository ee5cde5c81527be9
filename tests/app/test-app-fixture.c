/* test-app-fixture.c: a fresh window per case, the projects it needs, and shared helpers
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "test-app-fixture.h"

/* ---- fixture ---------------------------------------------------------------------------- */

CcProject *
app_create_project (AppFixture *f,
                    const char *name,
                    const char *template_id,
                    guint       port)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcProject *project;

  cc_client_create_project_async (f->client, name, CC_CONNECTION_LOCAL, NULL, template_id, NULL, port,
                                  NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  project = cc_client_create_project_finish (f->client, result, &error);
  g_assert_no_error (error);
  return project;
}

void
app_set_project_fields (AppFixture     *f,
                        const char     *project_id,
                        CcProject      *changes,
                        CcProjectField  fields)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) updated = NULL;

  cc_client_update_project_info_async (f->client, project_id, changes, fields, NULL,
                                       cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  updated = cc_client_update_project_info_finish (f->client, result, &error);
  g_assert_no_error (error);
}

static void
setup_project (AppFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_setup_project_async (f->client, cc_project_get_id (f->project), NULL, NULL, NULL, NULL, NULL,
                                 cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  cc_client_setup_project_finish (f->client, result, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (AppFixture    *f,
               gconstpointer  shared,
               const char    *name,
               const char    *template_id)
{
  f->shared = shared;
  f->client = f->shared->client;
  /* The previous case's teardown emptied the store: nothing here comes from another case. */
  g_assert_cmpuint (g_list_model_get_n_items (cc_client_get_projects (f->client)), ==, 0);

  if (name != NULL)
    {
      /* Made and set up through the core API, as the dialog would; the dialog itself has its
       * own case. */
      f->project = app_create_project (f, name, template_id, 0);
      setup_project (f);
    }

  /* Our own reference: GTK's goes when the window is destroyed, and the teardown checks that
   * ours is then the last. */
  f->window = g_object_ref (cc_window_new (f->shared->app));
  gtk_window_present (GTK_WINDOW (f->window));
  app_wait_drawn (GTK_WIDGET (f->window));
  WAIT_FOR (f->window->client != NULL, "the window to get the project store");
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->main_stack), "loading") != 0,
            "the projects to load");

  if (f->project != NULL)
    {
      cc_window_select_project (f->window, cc_project_get_id (f->project));
      WAIT_FOR (f->window->project != NULL &&
                g_strcmp0 (cc_project_get_id (f->window->project), cc_project_get_id (f->project)) == 0,
                "the case's project to be selected");
    }
}

void
app_fixture_setup_empty (AppFixture    *f,
                         gconstpointer  shared)
{
  fixture_setup (f, shared, NULL, NULL);
}

void
app_fixture_setup_blank (AppFixture    *f,
                         gconstpointer  shared)
{
  fixture_setup (f, shared, "Blank Project", CC_TEMPLATE_BLANK);
}

void
app_fixture_setup_node (AppFixture    *f,
                        gconstpointer  shared)
{
  fixture_setup (f, shared, "Hello Node", CC_TEMPLATE_NODE);
}

/* Operations of @project_id whose record has not ended yet. */
static guint
count_pending_records (AppFixture *f,
                       const char *project_id)
{
  CcHistoryQuery query = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) records = NULL;
  g_autoptr(GError) error = NULL;

  query.project_id = project_id;
  query.status_mask = CC_HISTORY_MASK (CC_OPERATION_STATUS_PENDING);
  cc_client_history_async (f->client, &query, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  records = cc_client_history_finish (f->client, result, &error);
  g_assert_no_error (error);
  return g_list_model_get_n_items (records);
}

void
app_fixture_teardown (AppFixture    *f,
                      gconstpointer  shared)
{
  GListModel *projects = cc_client_get_projects (f->client);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  app_close_and_finalize (GTK_WINDOW (g_steal_pointer (&f->window)));
  g_clear_object (&f->project);

  /* An operation's result reaches its caller before its record is written: let the writes
   * land first, or deleting the project would pull the record from under them. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    cc_client_flush_async (f->client, NULL, cc_test_store_result_cb, &result);
    cc_test_wait_result (&result);
    cc_client_flush_finish (f->client, result, &error);
    g_assert_no_error (error);
  }

  /* Every project the case made, by the setup or by itself, goes with its sandbox. */
  for (guint i = 0; i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (projects, i);

      g_ptr_array_add (ids, g_strdup (cc_project_get_id (project)));
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      /* The window's own requests (listings of the file tree) were cancelled with it and end
       * a little later; their records go with the project, so let them end first. */
      WAIT_FOR (count_pending_records (f, g_ptr_array_index (ids, i)) == 0, "the project's operations to end");
      /* A sandbox the window asked for (a project it showed) may still be on its way; the
       * client does not take a delete while a sandbox is being made for the project (it
       * asserts that nobody waits on it), so the delete comes once it is there. */
      WAIT_FOR (cc_client_get_sandbox_status (f->client, g_ptr_array_index (ids, i)) != CC_SANDBOX_STATUS_STARTING,
                "the project's sandbox to settle");
      cc_client_delete_project_async (f->client, g_ptr_array_index (ids, i), NULL,
                                      cc_test_store_result_cb, &result);
      cc_test_wait_result (&result);
      cc_client_delete_project_finish (f->client, result, &error);
      g_assert_no_error (error);
    }
  WAIT_FOR (g_list_model_get_n_items (projects) == 0, "the store to be empty");
}

void
app_close_and_finalize (GtkWindow *window)
{
  gtk_window_destroy (window);
  /* Destroying drops GTK's reference, but callbacks already queued (a frame, a cancelled
   * request) may hold theirs until they run: wait, bounded, until ours is the last. */
  WAIT_FOR (G_OBJECT (window)->ref_count == 1, "the window's other references to go");
  g_assert_finalize_object (window);
}

/* ---- drawing ------------------------------------------------------------------------------ */

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
void
app_wait_drawn (GtkWidget *widget)
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

void
app_snapshot_to_png (AppFixture *f,
                     GtkWidget  *widget,
                     const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (f->shared->shots_dir, name, NULL);
  GskRenderer *renderer;
  int w, h;

  {
    g_autofree char *dir = g_path_get_dirname (path);

    g_mkdir_with_parents (dir, 0755);
  }
  app_wait_drawn (widget);
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

/* ---- finding widgets ---------------------------------------------------------------------- */

GtkWindow *
app_find_toplevel (GType type)
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

GtkWidget *
app_find_descendant (GtkWidget  *widget,
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
      if ((found = app_find_descendant (child, type, title)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
app_find_descendant_any (GtkWidget *widget,
                         GType      type)
{
  return app_find_descendant (widget, type, NULL);
}

GtkButton *
app_find_button_by_icon (GtkWidget  *widget,
                         const char *icon_name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)), icon_name) == 0)
        return GTK_BUTTON (child);
      if ((found = app_find_button_by_icon (child, icon_name)) != NULL)
        return found;
    }
  return NULL;
}

void
app_answer_dialog (const char *text,
                   const char *response)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (app_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  GtkWidget *entry;

  g_assert_nonnull (dialog);
  g_object_ref (dialog);
  entry = adw_message_dialog_get_extra_child (dialog);
  if (text != NULL)
    {
      g_assert_true (GTK_IS_EDITABLE (entry));
      gtk_editable_set_text (GTK_EDITABLE (entry), text);
    }
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  /* What clicking the button does: answer, then close. */
  adw_message_dialog_response (dialog, response);
  app_close_and_finalize (GTK_WINDOW (dialog));
}

/* ---- the terminal view -------------------------------------------------------------------- */

void
app_on_execution_finished (CcCommandView *view,
                           CcExecution   *execution,
                           CcExecution  **out)
{
  g_set_object (out, execution);
}

CcExecution *
app_run_in_terminal (AppFixture *f,
                     const char *command)
{
  CcCommandView *view = _cc_window_get_command_view (f->window);
  CcExecution *finished = NULL;
  GtkEditable *entry;
  gulong id;

  g_assert_nonnull (view);
  entry = cc_command_view_get_entry (view);
  gtk_editable_set_text (entry, command);
  id = g_signal_connect (view, "execution-finished", G_CALLBACK (app_on_execution_finished), &finished);
  g_signal_emit_by_name (entry, "activate");
  WAIT_FOR (finished != NULL, "the command to finish");
  g_signal_handler_disconnect (view, id);
  return finished;
}

void
app_run_in_terminal_ok (AppFixture *f,
                        const char *command)
{
  g_autoptr(CcExecution) execution = app_run_in_terminal (f, command);

  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
}

gboolean
app_terminal_shows (CcCommandView *view,
                    const char    *needle)
{
  g_autofree char *text = cc_terminal_view_dup_text (cc_command_view_get_terminal (view));

  return text != NULL && strstr (text, needle) != NULL;
}

/* ---- history and files ---------------------------------------------------------------------- */

guint
app_history_count (AppFixture      *f,
                   CcOperationType  type,
                   int              status)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      count += cc_operation_get_operation_type (op) == type &&
               (status < 0 || (int) cc_operation_get_status (op) == status);
    }
  return count;
}

gboolean
app_history_has (AppFixture *f,
                 const char *input,
                 gboolean   *cached)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);

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

int
app_history_position (AppFixture *f,
                      const char *input)
{
  GListModel *model = cc_history_panel_get_model (f->window->history_panel);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_operation_get_input (op), input) == 0)
        return (int) i;
    }
  return -1;
}

static GFileInfo *
find_root_info (AppFixture *f,
                const char *name)
{
  GListModel *root = cc_file_tree_get_root (f->window->file_tree);

  for (guint i = 0; root != NULL && i < g_list_model_get_n_items (root); i++)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (root, i);

      if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
        return g_steal_pointer (&info);
    }
  return NULL;
}

char *
app_tree_root_path (AppFixture *f,
                    const char *name)
{
  g_autoptr(GFileInfo) info = find_root_info (f, name);

  return info != NULL ? g_strdup (g_file_info_get_attribute_string (info, "cc::path")) : NULL;
}

gboolean
app_tree_root_has (AppFixture *f,
                   const char *name)
{
  g_autoptr(GFileInfo) info = find_root_info (f, name);

  return info != NULL;
}

gboolean
app_tree_entry_is_dir (AppFixture *f,
                       const char *name)
{
  g_autoptr(GFileInfo) info = find_root_info (f, name);

  return info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
}

GBytes *
app_read_sandbox_file (AppFixture  *f,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_read_file_async (f->client, cc_project_get_id (f->window->project), path, NULL,
                             cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  return cc_client_read_file_finish (f->client, result, error);
}
