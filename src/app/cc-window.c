/* cc-window.c: the main window — follows the selected project and hands it to every view
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-labels.h"
#include "cc-project-row.h"
#include "cc-spinner.h"
#include "cc-window-private.h"

G_DEFINE_FINAL_TYPE (CcWindow, cc_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_CLIENT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update_main_page (CcWindow *self)
{
  CcApplication *app = CC_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  const GError *error = app != NULL ? cc_application_get_error (app) : NULL;
  GListModel *projects;

  if (self->client == NULL)
    {
      if (error != NULL)
        {
          adw_status_page_set_description (self->error_page, error->message);
          gtk_stack_set_visible_child_name (self->main_stack, "error");
        }
      else
        gtk_stack_set_visible_child_name (self->main_stack, "loading");
      return;
    }

  projects = cc_client_get_projects (self->client);
  if (g_list_model_get_n_items (projects) == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "first-run");
  else
    gtk_stack_set_visible_child_name (self->main_stack, "workspace");
}

/* The project's name is the title, where narrow windows show one instead of the view
 * switcher: one line instead of the application's name over it keeps the header at 360 px. */
void
_cc_window_show_project_name (CcWindow   *self,
                              const char *name)
{
  adw_view_switcher_title_set_title (self->switcher_title, name != NULL ? name : _("Code Canvas"));
}

static void
on_main_page_changed (CcWindow *self)
{
  gboolean workspace = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "workspace") == 0;

  /* Views and sandbox controls only mean something once there is a project to show. */
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, workspace);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_button), workspace);
  gtk_widget_set_visible (GTK_WIDGET (self->files_button), workspace);
  /* The bottom switcher stands in for the header's when the header is too narrow for it. */
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar),
                          workspace && adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static gboolean
switcher_idle_cb (gpointer user_data)
{
  CcWindow *self = user_data;

  self->switcher_idle_id = 0;
  on_main_page_changed (self);
  return G_SOURCE_REMOVE;
}

/* Notified while the header is being allocated: the bottom switcher shown or hidden right then
 * was laid out with stale sizes (a band stayed under the views after widening), so it waits
 * for the next turn of the main loop. */
static void
on_title_visible_changed (CcWindow *self)
{
  if (self->switcher_idle_id == 0)
    self->switcher_idle_id = g_idle_add (switcher_idle_cb, self);
}

static void
on_projects_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     CcWindow   *self)
{
  update_main_page (self);
}

CcCommandView *
_cc_window_get_command_view (CcWindow *self)
{
  const char *id;
  CcCommandView *view;

  if (self->project == NULL || self->client == NULL)
    return NULL;

  id = cc_project_get_id (self->project);
  view = g_hash_table_lookup (self->command_views, id);
  if (view == NULL)
    {
      /* One view per project, kept when switching, so that each keeps its own output. */
      g_autofree char *intro = NULL;

      view = cc_command_view_new (self->client, id);
      intro = g_strdup_printf (_("“%s” on %s: commands run in /home/user"),
                               cc_project_get_name (self->project),
                               cc_connection_kind_get_label (cc_project_get_connection_kind (self->project)));
      cc_terminal_view_print_line (cc_command_view_get_terminal (view), "2", intro);
      g_hash_table_insert (self->command_views, g_strdup (id), view);
      gtk_stack_add_named (self->command_stack, GTK_WIDGET (view), id);
    }
  return view;
}

static void
on_execution_finished (CcCommandView *view,
                       CcExecution   *execution,
                       CcWindow      *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->project != NULL &&
      g_strcmp0 (cc_execution_get_project_id (execution), cc_project_get_id (self->project)) == 0)
    cc_history_panel_reload (self->history_panel);

  /* Only long commands deserve a notification, and only when nobody is looking. */
  if (CC_IS_APPLICATION (app))
    {
      g_autofree char *body = NULL;

      if (cc_execution_get_state (execution) == CC_EXECUTION_STATE_FINISHED)
        body = g_strdup_printf (_("“%s” exited with code %d"), cc_execution_get_command (execution),
                                cc_execution_get_exit_code (execution));
      else
        body = g_strdup_printf (_("“%s” did not finish"), cc_execution_get_command (execution));
      cc_application_notify_done (CC_APPLICATION (app), "command-finished",
                                  cc_execution_get_project_id (execution),
                                  cc_execution_get_duration_ms (execution),
                                  _("Command Finished"), body);
    }
}

static void
set_project (CcWindow  *self,
             CcProject *project)
{
  CcCommandView *view;

  if (self->project == project)
    return;

  /* The same project as a new object (the model replaced its row after an update): the views
   * keep what they show. */
  if (self->project != NULL && project != NULL &&
      g_strcmp0 (cc_project_get_id (self->project), cc_project_get_id (project)) == 0)
    {
      g_set_object (&self->project, project);
      _cc_window_show_project_name (self, cc_project_get_name (project));
      return;
    }

  g_set_object (&self->project, project);

  if (project != NULL)
    {
      view = _cc_window_get_command_view (self);
      if (g_signal_handler_find (view, G_SIGNAL_MATCH_DATA | G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                 on_execution_finished, self) == 0)
        g_signal_connect_object (view, "execution-finished", G_CALLBACK (on_execution_finished), self, 0);
      gtk_stack_set_visible_child (self->command_stack, GTK_WIDGET (view));
      _cc_window_show_project_name (self, cc_project_get_name (project));
      g_settings_set_string (self->settings, "last-project", cc_project_get_id (project));
    }
  else
    _cc_window_show_project_name (self, NULL);

  cc_shell_view_set_project (self->shell_view, self->client, project);
  cc_file_tree_set_project (self->file_tree, self->client, project);
  cc_file_editor_set_project (self->file_editor, self->client, project);
  cc_history_panel_set_project (self->history_panel, self->client, project);
  cc_preview_pane_set_project (self->preview_pane, self->client, project);
  cc_sandbox_controls_set_project (self->sandbox_controls, self->client, project);
  _cc_window_update_actions (self);
}

static void
on_selected_project_changed (CcProjectSidebar *sidebar,
                             GParamSpec       *pspec,
                             CcWindow         *self)
{
  set_project (self, cc_project_sidebar_get_selected_project (sidebar));
}

static void
on_file_activated (CcFileTree *tree,
                   const char *path,
                   guint64     size,
                   CcWindow   *self)
{
  cc_file_editor_open (self->file_editor, path, size);
  adw_view_stack_set_visible_child_name (self->view_stack, "editor");
  _cc_window_fold_away (self, self->files_flap);
}

static void
on_rerun_requested (CcHistoryPanel *panel,
                    const char     *command,
                    CcWindow       *self)
{
  CcCommandView *view = _cc_window_get_command_view (self);

  if (view == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "terminal");
  cc_command_view_run (view, command);
}

static void
on_view_error (GtkWidget    *widget,
               const char   *what,
               const GError *error,
               CcWindow     *self)
{
  cc_window_show_error (self, what, error);
}

static void
on_sandbox_recreated (CcClient   *client,
                      const char *project_id,
                      const char *sandbox_id,
                      CcWindow   *self)
{
  CcProject *project = cc_client_find_project (client, project_id);
  g_autofree char *note = NULL;
  g_autofree char *text = NULL;

  if (project == NULL)
    return;
  /* The core's own words, also in History: what ended and what was set up again. */
  note = cc_client_dup_recreate_note (client, project_id);
  if (note != NULL)
    text = g_strdup_printf (_("%s: %s"), cc_project_get_name (project), note);
  else
    text = g_strdup_printf (_("The sandbox of “%s” had ended; a new one was set up"),
                            cc_project_get_name (project));
  cc_window_show_toast (self, text);
}

/* Both the workspace and the sandbox changed a file: nothing was lost, but the person must
 * know where the other version went. */
static void
on_sync_conflict (CcClient   *client,
                  const char *project_id,
                  const char *copy,
                  CcWindow   *self)
{
  CcProject *project = cc_client_find_project (client, project_id);
  g_autofree char *text = NULL;

  if (project == NULL)
    return;
  text = g_strdup_printf (_("%s: both sides changed a file; the sandbox's version is kept as “%s”"),
                          cc_project_get_name (project), copy);
  cc_window_show_toast (self, text);
}

/* The setup that the Run button ran first changed the sandbox's files and the history. */
static void
on_preview_setup_finished (CcPreviewPane *pane,
                           gboolean       ok,
                           CcWindow      *self)
{
  cc_file_tree_reload (self->file_tree);
  cc_history_panel_reload (self->history_panel);
}

/* Every operation (a pause, a setup, a dev server's start) shows in History as it is recorded,
 * not at the next reload. */
static void
on_history_changed (CcClient   *client,
                    const char *project_id,
                    CcWindow   *self)
{
  if (self->project != NULL && g_strcmp0 (project_id, cc_project_get_id (self->project)) == 0)
    cc_history_panel_reload (self->history_panel);
}

static void
on_app_client_changed (CcApplication *app,
                       GParamSpec    *pspec,
                       CcWindow      *self)
{
  if (cc_application_get_client (app) != NULL)
    cc_window_set_client (self, cc_application_get_client (app));
  else
    update_main_page (self);
}

/* "application" is not a construct property: it is set after constructed(), so follow it. */
static void
on_application_changed (CcWindow   *self,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  GtkApplication *gtk_app = gtk_window_get_application (GTK_WINDOW (self));
  CcApplication *app;

  if (!CC_IS_APPLICATION (gtk_app) || self->app_client_handler != 0)
    return;
  app = CC_APPLICATION (gtk_app);

  self->app_client_handler = g_signal_connect_object (app, "notify::client",
                                                      G_CALLBACK (on_app_client_changed), self, 0);
  on_app_client_changed (app, NULL, self);
}

static gboolean
cc_window_close_request (GtkWindow *window)
{
  CcWindow *self = CC_WINDOW (window);

  /* Size is saved by hand: binding default-width would also store the maximized size. */
  if (!gtk_window_is_maximized (window))
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  return GTK_WINDOW_CLASS (cc_window_parent_class)->close_request (window);
}

static void
cc_window_dispose (GObject *object)
{
  CcWindow *self = CC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->switcher_idle_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (cc_client_get_projects (self->client), self);
  if (self->client_signals != NULL)
    g_signal_group_set_target (self->client_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_WINDOW);

  g_clear_pointer (&self->command_views, g_hash_table_unref);
  g_clear_object (&self->client_signals);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (cc_window_parent_class)->dispose (object);
}

static void
cc_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CcWindow *self = CC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CcWindow *self = CC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      if (g_value_get_object (value) != NULL)
        cc_window_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_window_class_init (CcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cc_window_dispose;
  object_class->get_property = cc_window_get_property;
  object_class->set_property = cc_window_set_property;
  window_class->close_request = cc_window_close_request;

  /* Set once: at construction, or when the application's store has opened. */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CC_TYPE_PROJECT_SIDEBAR);
  g_type_ensure (CC_TYPE_SHELL_VIEW);
  g_type_ensure (CC_TYPE_FILE_EDITOR);
  g_type_ensure (CC_TYPE_FILE_TREE);
  g_type_ensure (CC_TYPE_HISTORY_PANEL);
  g_type_ensure (CC_TYPE_PREVIEW_PANE);
  g_type_ensure (CC_TYPE_SANDBOX_CONTROLS);
  g_type_ensure (CC_TYPE_SPINNER);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, sandbox_controls);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, dev_server_stack);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, sidebar_flap);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, files_flap);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, files_button);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, command_stack);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, shell_view);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, file_editor);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, preview_pane);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, history_panel);
  gtk_widget_class_bind_template_child (widget_class, CcWindow, file_tree);

  _cc_window_class_init_actions (widget_class);
}

static void
cc_window_init (CcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->command_views = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  _cc_window_init_panes (self);

  self->client_signals = g_signal_group_new (CC_TYPE_CLIENT);
  g_signal_group_connect_object (self->client_signals, "sandbox-recreated",
                                 G_CALLBACK (on_sandbox_recreated), self, 0);
  g_signal_group_connect_object (self->client_signals, "history-changed",
                                 G_CALLBACK (on_history_changed), self, 0);
  g_signal_group_connect_object (self->client_signals, "sync-conflict",
                                 G_CALLBACK (on_sync_conflict), self, 0);

  g_signal_connect_object (self->sidebar, "notify::selected-project",
                           G_CALLBACK (on_selected_project_changed), self, 0);
  g_signal_connect_object (self->file_tree, "file-activated", G_CALLBACK (on_file_activated), self, 0);
  g_signal_connect_object (self->history_panel, "rerun-requested", G_CALLBACK (on_rerun_requested), self, 0);
  g_signal_connect_object (self->file_tree, "error", G_CALLBACK (on_view_error), self, 0);
  g_signal_connect_object (self->file_editor, "error", G_CALLBACK (on_view_error), self, 0);
  g_signal_connect_object (self->history_panel, "error", G_CALLBACK (on_view_error), self, 0);
  g_signal_connect_object (self->sandbox_controls, "error", G_CALLBACK (on_view_error), self, 0);
  g_signal_connect_object (self->preview_pane, "error", G_CALLBACK (on_view_error), self, 0);
  g_signal_connect_object (self->preview_pane, "setup-finished", G_CALLBACK (on_preview_setup_finished),
                           self, 0);
  g_signal_connect_object (self->sandbox_controls, "warning", G_CALLBACK (cc_window_show_toast), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->file_editor, "download-requested", G_CALLBACK (cc_file_tree_download),
                           self->file_tree, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shell_view, "error", G_CALLBACK (on_view_error), self, 0);

  g_signal_connect (self, "notify::application", G_CALLBACK (on_application_changed), NULL);
  g_signal_connect_object (self->main_stack, "notify::visible-child-name", G_CALLBACK (on_main_page_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (on_title_visible_changed), self, G_CONNECT_SWAPPED);
  on_main_page_changed (self);
  _cc_window_init_actions (self);
  update_main_page (self);
  _cc_window_update_actions (self);
}

CcWindow *
cc_window_new (CcApplication *application)
{
  return g_object_new (CC_TYPE_WINDOW,
                       "application", application,
                       "client", cc_application_get_client (application),
                       NULL);
}

CcClient *
cc_window_get_client (CcWindow *self)
{
  g_return_val_if_fail (CC_IS_WINDOW (self), NULL);

  return self->client;
}

void
cc_window_set_client (CcWindow *self,
                      CcClient *client)
{
  GListModel *projects;
  g_autofree char *last = NULL;

  g_return_if_fail (CC_IS_WINDOW (self));
  g_return_if_fail (CC_IS_CLIENT (client));

  if (self->client == client)
    return;
  g_return_if_fail (self->client == NULL);

  self->client = g_object_ref (client);
  g_signal_group_set_target (self->client_signals, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);

  projects = cc_client_get_projects (client);
  g_signal_connect_object (projects, "items-changed", G_CALLBACK (on_projects_changed), self, 0);
  cc_project_sidebar_set_client (self->sidebar, client);

  last = g_settings_get_string (self->settings, "last-project");
  if (last[0] != '\0')
    cc_project_sidebar_select (self->sidebar, last);

  update_main_page (self);
  _cc_window_update_actions (self);
}

CcProject *
cc_window_get_project (CcWindow *self)
{
  g_return_val_if_fail (CC_IS_WINDOW (self), NULL);

  return self->project;
}

void
cc_window_select_project (CcWindow   *self,
                          const char *project_id)
{
  g_return_if_fail (CC_IS_WINDOW (self));

  cc_project_sidebar_select (self->sidebar, project_id);
}

void
cc_window_show_toast (CcWindow   *self,
                      const char *text)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (CC_IS_WINDOW (self));

  escaped = g_markup_escape_text (text, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 6);
  g_free (self->last_toast);
  self->last_toast = g_strdup (text);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
cc_window_show_error (CcWindow     *self,
                      const char   *what,
                      const GError *error)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CC_IS_WINDOW (self));

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* The core's messages already say why and what to do; we only say what we were doing. */
  if (what != NULL && error != NULL)
    text = g_strdup_printf ("%s: %s", what, error->message);
  else
    text = g_strdup (what != NULL ? what : error != NULL ? error->message : _("Something went wrong"));
  cc_window_show_toast (self, text);
}

const char *
_cc_window_get_last_toast (CcWindow *self)
{
  g_return_val_if_fail (CC_IS_WINDOW (self), NULL);
  return self->last_toast;
}
