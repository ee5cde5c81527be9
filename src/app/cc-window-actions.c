/* cc-window-actions.c: the win.* actions
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <string.h>

#include "cc-new-project-dialog.h"
#include "cc-window-private.h"

void
_cc_window_update_actions (CcWindow *self)
{
  gboolean has_client = self->client != NULL;
  gboolean has_project = self->project != NULL;
  gboolean dev_running = has_project && cc_preview_pane_get_running (self->preview_pane);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-project", has_client);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-file", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-project", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-workspace", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.setup-project", has_project && !self->setup_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run-command", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.focus-command", has_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-dev-server",
                                 has_project && !dev_running && !self->dev_server_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-dev-server",
                                 has_project && (dev_running || self->dev_server_busy));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.extend-sandbox", has_project);
  gtk_stack_set_visible_child_name (self->dev_server_stack,
                                    dev_running || self->dev_server_busy ? "stop" : "start");
  gtk_widget_set_visible (GTK_WIDGET (self->dev_server_stack), has_project);
  gtk_widget_set_visible (GTK_WIDGET (self->sandbox_controls), has_project);
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  CcNewProjectDialog *dialog;

  if (self->client == NULL)
    return;
  dialog = cc_new_project_dialog_new (self->client, self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "project-created", G_CALLBACK (cc_window_select_project), self,
                           G_CONNECT_SWAPPED);
  /* The install step writes files (lock files, dependencies) while the tree is first listed. */
  g_signal_connect_object (dialog, "setup-finished", G_CALLBACK (cc_file_tree_reload), self->file_tree,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  CcWindow    *self;
  CcProject   *project;
  GtkEditable *name;
  GtkEditable *start_command;
  GtkEditable *setup_command;
  GtkEditable *port;
} SettingsData;

static void
settings_data_free (gpointer data)
{
  SettingsData *settings = data;

  g_clear_object (&settings->self);
  g_clear_object (&settings->project);
  g_free (settings);
}

static void
settings_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CcWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;

  project = cc_client_update_project_info_finish (CC_CLIENT (source), result, &error);
  if (project == NULL)
    cc_window_show_error (self, _("Could not change the project"), error);
  else if (self->project != NULL &&
           g_strcmp0 (cc_project_get_id (self->project), cc_project_get_id (project)) == 0)
    _cc_window_show_project_name (self, cc_project_get_name (project));
}

static char *
dup_stripped (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static guint
parse_port (GtkEditable *editable)
{
  g_autofree char *text = dup_stripped (editable);
  guint64 port = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &port, NULL))
    return 0;
  return (guint) port;
}

static void
on_settings_response (AdwMessageDialog *dialog,
                      const char       *response,
                      SettingsData     *settings)
{
  g_autoptr(CcProject) changes = NULL;
  g_autofree char *name = dup_stripped (settings->name);
  g_autofree char *start = dup_stripped (settings->start_command);
  g_autofree char *setup = dup_stripped (settings->setup_command);
  guint port = parse_port (settings->port);

  if (g_strcmp0 (response, "save") != 0 || settings->self->client == NULL || name[0] == '\0' || port == 0)
    return;
  changes = cc_project_new (name);
  cc_project_set_start_command (changes, start[0] != '\0' ? start : NULL);
  cc_project_set_setup_command (changes, setup[0] != '\0' ? setup : NULL);
  cc_project_set_port (changes, port);
  cc_client_update_project_info_async (settings->self->client, cc_project_get_id (settings->project), changes,
                                       CC_PROJECT_FIELD_NAME | CC_PROJECT_FIELD_START_COMMAND |
                                       CC_PROJECT_FIELD_SETUP_COMMAND | CC_PROJECT_FIELD_PORT,
                                       settings->self->cancellable, settings_done_cb,
                                       g_object_ref (settings->self));
}

static void
on_settings_changed (GtkEditable      *editable,
                     AdwMessageDialog *dialog)
{
  SettingsData *settings = g_object_get_data (G_OBJECT (dialog), "settings");
  g_autofree char *name = dup_stripped (settings->name);

  adw_message_dialog_set_response_enabled (dialog, "save", name[0] != '\0' && parse_port (settings->port) != 0);
}

static GtkEditable *
add_entry_row (GtkListBox *list,
               const char *title,
               const char *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  /* Enter in any field saves, as the dialog's default answer. */
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  gtk_list_box_append (list, row);
  return GTK_EDITABLE (row);
}

static void
rename_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  AdwMessageDialog *dialog;
  SettingsData *settings;
  GtkWidget *list;
  g_autofree char *port = NULL;

  if (self->project == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Project Settings"), NULL));
  adw_message_dialog_set_body (dialog, _("The start command runs the dev server; $PORT in it is replaced by the port. "
                                         "The setup command installs what the project needs."));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_set_size_request (list, 360, -1);

  settings = g_new0 (SettingsData, 1);
  settings->self = g_object_ref (self);
  settings->project = g_object_ref (self->project);
  port = g_strdup_printf ("%u", cc_project_get_port (self->project));
  settings->name = add_entry_row (GTK_LIST_BOX (list), _("_Name"), cc_project_get_name (self->project));
  settings->start_command = add_entry_row (GTK_LIST_BOX (list), _("S_tart Command"),
                                           cc_project_get_start_command (self->project));
  settings->setup_command = add_entry_row (GTK_LIST_BOX (list), _("Set_up Command"),
                                           cc_project_get_setup_command (self->project));
  settings->port = add_entry_row (GTK_LIST_BOX (list), _("_Port"), port);
  gtk_editable_set_max_width_chars (settings->port, 5);
  adw_message_dialog_set_extra_child (dialog, list);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "settings", settings, settings_data_free);
  g_signal_connect_object (settings->name, "changed", G_CALLBACK (on_settings_changed), dialog, 0);
  g_signal_connect_object (settings->port, "changed", G_CALLBACK (on_settings_changed), dialog, 0);
  g_signal_connect (dialog, "response", G_CALLBACK (on_settings_response), settings);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (settings->name));
}

typedef struct
{
  CcWindow      *self;
  CcCommandView *view;
} SetupData;

static void
setup_data_free (gpointer data)
{
  SetupData *setup = data;

  g_clear_object (&setup->self);
  g_clear_object (&setup->view);
  g_free (setup);
}

static void
setup_progress (CcSetupPhase  phase,
                guint64       done,
                guint64       total,
                GBytes       *output,
                gpointer      user_data)
{
  SetupData *setup = user_data;

  /* The installer's own output, coloured as it prints it, in the project's terminal. */
  if (output != NULL)
    cc_terminal_view_feed_output (cc_command_view_get_terminal (setup->view), output);
}

static void
setup_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->setup_busy = FALSE;
  _cc_window_update_actions (self);
  if (!cc_client_setup_project_finish (CC_CLIENT (source), result, &error))
    {
      cc_window_show_error (self, _("The setup failed"), error);
      return;
    }
  cc_window_show_toast (self, _("The project’s files were uploaded again and its setup ran"));
  cc_file_tree_reload (self->file_tree);
  cc_history_panel_reload (self->history_panel);
}

static void
setup_project_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  CcCommandView *view = _cc_window_get_command_view (self);
  SetupData *setup;

  if (view == NULL || self->setup_busy)
    return;

  self->setup_busy = TRUE;
  _cc_window_update_actions (self);
  adw_view_stack_set_visible_child_name (self->view_stack, "terminal");
  cc_terminal_view_print_line (cc_command_view_get_terminal (view), "1;34",
                               _("Uploading the project’s files and running its setup…"));
  setup = g_new0 (SetupData, 1);
  setup->self = g_object_ref (self);
  setup->view = g_object_ref (view);
  cc_client_setup_project_async (self->client, cc_project_get_id (self->project), NULL,
                                 setup_progress, setup, setup_data_free, self->cancellable,
                                 setup_done_cb, g_object_ref (self));
}

static void
delete_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_delete_project_finish (CC_CLIENT (source), result, &error))
    cc_window_show_error (self, _("Could not delete the project"), error);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CcWindow         *self)
{
  CcProject *project = g_object_get_data (G_OBJECT (dialog), "project");
  CcCommandView *view;
  const char *folder;
  gboolean keep_workspace;

  if ((g_strcmp0 (response, "delete") != 0 && g_strcmp0 (response, "keep") != 0) ||
      self->client == NULL || project == NULL)
    return;
  /* A folder the person brought is theirs: the app never deletes it. */
  folder = cc_project_get_local_folder (project);
  keep_workspace = g_strcmp0 (response, "keep") == 0 || (folder != NULL && *folder != '\0');

  view = g_hash_table_lookup (self->command_views, cc_project_get_id (project));
  if (view != NULL)
    {
      g_hash_table_remove (self->command_views, cc_project_get_id (project));
      gtk_stack_remove (self->command_stack, GTK_WIDGET (view));
    }
  cc_client_delete_project_full_async (self->client, cc_project_get_id (project), keep_workspace,
                                       self->cancellable, delete_done_cb, g_object_ref (self));
}

static void
delete_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  AdwMessageDialog *dialog;
  g_autofree char *workspace = NULL;
  const char *folder;

  if (self->project == NULL || self->client == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Delete “%s”?"), cc_project_get_name (self->project));
  folder = cc_project_get_local_folder (self->project);
  workspace = cc_client_dup_workspace_path (self->client, self->project);
  if (folder != NULL && *folder != '\0')
    {
      /* The folder the project was made from stays whatever the answer: only a separate,
       * explicit step outside the app could delete it. */
      adw_message_dialog_format_body (dialog, _("Its sandbox and cached results are removed. Its "
                                                "folder “%s” is yours and stays as it is."),
                                      workspace);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
    }
  else
    {
      adw_message_dialog_format_body (dialog, _("Its sandbox and cached results are removed. Its "
                                                "workspace folder “%s” holds the project’s files: keep "
                                                "it, or delete it too. Deleting the files cannot be "
                                                "undone."), workspace);
      adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "keep", _("_Keep Files"),
                                        "delete", _("_Delete Files Too"), NULL);
    }
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "project", g_object_ref (self->project), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
workspace_shown_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cc_window_show_error (self, _("Could not open the workspace folder"), error);
}

/* The file manager shows the project's files. gtk_show_uri_full() goes through the OpenURI
 * portal inside the Flatpak (GtkFileLauncher is newer than the GTK of the baseline). */
static void
open_workspace_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GFile) file = NULL;

  if (self->project == NULL || self->client == NULL)
    return;
  path = cc_client_dup_workspace_path (self->client, self->project);
  /* A project that never ran has no folder yet; an empty one is what it holds. */
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno), "%s",
                                             g_strerror (errno));

      cc_window_show_error (self, _("Could not open the workspace folder"), error);
      return;
    }
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  gtk_show_uri_full (GTK_WINDOW (self), uri, GDK_CURRENT_TIME, self->cancellable,
                     workspace_shown_cb, g_object_ref (self));
}

static void
select_project_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  cc_project_sidebar_select_nth (self->sidebar, g_variant_get_uint32 (param) - 1);
}

/* Lets any widget in the window confirm something briefly, without knowing the window. */
static void
show_toast_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  cc_window_show_toast (CC_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
toggle_pane (CcWindow *self,
             AdwFlap  *flap)
{
  gboolean reveal = !adw_flap_get_reveal_flap (flap);

  adw_flap_set_reveal_flap (flap, reveal);
  /* A pane shown from the keyboard takes the focus, so that it can be used at once. */
  if (reveal)
    gtk_widget_child_focus (adw_flap_get_flap (flap), GTK_DIR_TAB_FORWARD);
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  toggle_pane (self, self->sidebar_flap);
}

static void
toggle_files_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  toggle_pane (self, self->files_flap);
}

/* The current project's command view, brought to the front; NULL without a project. */
static CcCommandView *
present_command_view (CcWindow *self)
{
  CcCommandView *view = _cc_window_get_command_view (self);

  if (view != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, "terminal");
  return view;
}

static void
focus_command_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  CcCommandView *view = present_command_view (self);

  /* Chosen from the folded project list: the list has done its job. */
  _cc_window_fold_away (self, self->sidebar_flap);
  if (view != NULL)
    cc_command_view_focus_entry (view);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);
  const char *page = strchr (action_name, '-') + 1;   /* "win.show-terminal" → "terminal" */

  adw_view_stack_set_visible_child_name (self->view_stack, page);
}

static void
run_command_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CcCommandView *view = present_command_view (CC_WINDOW (widget));

  if (view != NULL)
    cc_command_view_run (view, g_variant_get_string (param, NULL));
}

void
_cc_window_start_dev_server (CcWindow *self)
{
  if (self->project == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "preview");
  cc_preview_pane_start (self->preview_pane);
}

static void
start_dev_server_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  _cc_window_start_dev_server (CC_WINDOW (widget));
}

static void
stop_dev_server_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  cc_preview_pane_stop (self->preview_pane);
}

static void
extend_sandbox_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  gtk_widget_activate_action (GTK_WIDGET (self->sandbox_controls), "sandbox.extend", NULL);
}

static void
rename_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  /* The file tree's own action knows the selection; it does nothing without one. */
  gtk_widget_activate_action (GTK_WIDGET (self->file_tree), "files.rename", NULL);
}

static void
reload_projects_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  CcWindow *self = CC_WINDOW (widget);

  if (self->client != NULL)
    cc_project_sidebar_set_client (self->sidebar, self->client);
}

static void
on_preview_running_changed (CcPreviewPane *pane,
                            GParamSpec    *pspec,
                            CcWindow      *self)
{
  self->dev_server_busy = cc_preview_pane_get_busy (pane);
  _cc_window_update_actions (self);
}

void
_cc_window_fold_away (CcWindow *self,
                      AdwFlap  *flap)
{
  if (adw_flap_get_folded (flap))
    adw_flap_set_reveal_flap (flap, FALSE);
}

/* What the user chose for a pane is remembered while the window is wide enough to show it
 * beside the work; the hiding that folding does is not a choice. */
static void
on_pane_revealed (AdwFlap    *flap,
                  GParamSpec *pspec,
                  CcWindow   *self)
{
  const char *key = flap == self->sidebar_flap ? "show-sidebar" : "show-files";

  if (!adw_flap_get_folded (flap))
    g_settings_set_boolean (self->settings, key, adw_flap_get_reveal_flap (flap));
}

/* Folding hides a pane and unfolding shows it again: unless the user had hidden it. */
static void
on_pane_folded (AdwFlap    *flap,
                GParamSpec *pspec,
                CcWindow   *self)
{
  const char *key = flap == self->sidebar_flap ? "show-sidebar" : "show-files";

  if (!adw_flap_get_folded (flap) && !g_settings_get_boolean (self->settings, key))
    adw_flap_set_reveal_flap (flap, FALSE);
}

void
_cc_window_init_panes (CcWindow *self)
{
  AdwFlap *flaps[] = { self->sidebar_flap, self->files_flap };

  for (guint i = 0; i < G_N_ELEMENTS (flaps); i++)
    {
      on_pane_folded (flaps[i], NULL, self);
      g_signal_connect_object (flaps[i], "notify::reveal-flap", G_CALLBACK (on_pane_revealed), self, 0);
      g_signal_connect_object (flaps[i], "notify::folded", G_CALLBACK (on_pane_folded), self, 0);
    }
}

void
_cc_window_init_actions (CcWindow *self)
{
  g_signal_connect_object (self->preview_pane, "notify::running",
                           G_CALLBACK (on_preview_running_changed), self, 0);
  g_signal_connect_object (self->preview_pane, "notify::busy",
                           G_CALLBACK (on_preview_running_changed), self, 0);
}

void
_cc_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.rename-project", NULL, rename_project_action);
  gtk_widget_class_install_action (widget_class, "win.delete-project", NULL, delete_project_action);
  gtk_widget_class_install_action (widget_class, "win.open-workspace", NULL, open_workspace_action);
  gtk_widget_class_install_action (widget_class, "win.setup-project", NULL, setup_project_action);
  gtk_widget_class_install_action (widget_class, "win.select-project", "u", select_project_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-files", NULL, toggle_files_action);
  gtk_widget_class_install_action (widget_class, "win.focus-command", NULL, focus_command_action);
  gtk_widget_class_install_action (widget_class, "win.show-terminal", NULL, show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-shell", NULL, show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-editor", NULL, show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-preview", NULL, show_view_action);
  gtk_widget_class_install_action (widget_class, "win.show-history", NULL, show_view_action);
  gtk_widget_class_install_action (widget_class, "win.run-command", "s", run_command_action);
  gtk_widget_class_install_action (widget_class, "win.start-dev-server", NULL, start_dev_server_action);
  gtk_widget_class_install_action (widget_class, "win.stop-dev-server", NULL, stop_dev_server_action);
  gtk_widget_class_install_action (widget_class, "win.extend-sandbox", NULL, extend_sandbox_action);
  gtk_widget_class_install_action (widget_class, "win.reload-projects", NULL, reload_projects_action);
  gtk_widget_class_install_action (widget_class, "win.rename-file", NULL, rename_file_action);
}
