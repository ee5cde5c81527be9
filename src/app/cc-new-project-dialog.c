/* cc-new-project-dialog.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Creating a project stores it (it shows up in the sidebar at once), then uploads its files and
 * runs its install step; that part can take minutes, so it is shown as a task with progress and
 * the installer's own output, and it can be cancelled.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-application.h"
#include "cc-new-project-dialog.h"
#include "cc-terminal-view.h"

struct _CcNewProjectDialog
{
  AdwWindow        parent_instance;

  CcClient        *client;
  GSettings       *settings;
  GCancellable    *cancellable;
  GFile           *folder;
  CcProject       *project;
  gint64           started_at;
  gboolean         running;

  GtkStack        *stack;
  AdwEntryRow     *name_row;
  AdwComboRow     *connection_row;
  AdwComboRow     *template_row;
  AdwActionRow    *folder_row;
  GtkButton       *create_button;
  GtkButton       *cancel_button;
  GtkLabel        *progress_title;
  GtkLabel        *phase_label;
  GtkProgressBar  *progress_bar;
  CcTerminalView  *log;
  GtkButton       *done_button;
};

G_DEFINE_FINAL_TYPE (CcNewProjectDialog, cc_new_project_dialog, ADW_TYPE_WINDOW)

enum { PROJECT_CREATED, SETUP_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* The template row lists the built-in templates, then "Local Folder". */
static const char *
selected_template_id (CcNewProjectDialog *self)
{
  guint n = 0;
  const CcTemplate * const *templates = cc_template_get_all (&n);
  guint selected = adw_combo_row_get_selected (self->template_row);

  return selected < n ? cc_template_get_id (templates[selected]) : NULL;
}

static gboolean
folder_selected (CcNewProjectDialog *self)
{
  guint n = 0;

  cc_template_get_all (&n);
  return adw_combo_row_get_selected (self->template_row) == n;
}

gboolean
cc_new_project_dialog_can_create (CcNewProjectDialog *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (CC_IS_NEW_PROJECT_DIALOG (self), FALSE);

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  return name[0] != '\0' && (!folder_selected (self) || self->folder != NULL) && !self->running;
}

/* What choosing where the project runs means, for the chosen place. */
static const char *
connection_subtitle (CcConnectionKind kind)
{
  switch (kind)
    {
    case CC_CONNECTION_E2B:
      return _("E2B’s cloud: needs an API key (Preferences) and a network connection");
    case CC_CONNECTION_CUSTOM:
      return _("An E2B-compatible endpoint set in Preferences; needs a network connection to it");
    case CC_CONNECTION_LOCAL:
    default:
      return _("This computer needs no account and works offline");
    }
}

static void
update_form (CcNewProjectDialog *self)
{
  gboolean is_folder = folder_selected (self);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->connection_row),
                               connection_subtitle ((CcConnectionKind) adw_combo_row_get_selected (self->connection_row)));

  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), is_folder);
  if (is_folder)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->template_row),
                                 _("Its files are uploaded; package.json or requirements.txt is installed"));
  else
    {
      const CcTemplate *template = cc_template_lookup (selected_template_id (self));

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->template_row),
                                   template != NULL ? cc_template_get_description (template) : NULL);
    }
  if (self->folder != NULL)
    {
      g_autofree char *path = g_file_get_path (self->folder);

      adw_action_row_set_subtitle (self->folder_row, path);
    }
  else
    adw_action_row_set_subtitle (self->folder_row, _("No folder chosen"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-project.create", cc_new_project_dialog_can_create (self));
}

static void
on_form_changed (CcNewProjectDialog *self)
{
  update_form (self);
}

static void
setup_progress (CcSetupPhase  phase,
                guint64       done,
                guint64       total,
                GBytes       *output,
                gpointer      user_data)
{
  CcNewProjectDialog *self = user_data;

  switch (phase)
    {
    case CC_SETUP_PHASE_SANDBOX:
      gtk_label_set_label (self->phase_label, _("Preparing the sandbox…"));
      gtk_progress_bar_pulse (self->progress_bar);
      break;

    case CC_SETUP_PHASE_UPLOAD:
      {
        g_autofree char *text = NULL;
        g_autofree char *done_s = g_format_size (done);
        g_autofree char *total_s = g_format_size (total);

        text = g_strdup_printf (_("Uploading files… %s of %s"), done_s, total_s);
        gtk_label_set_label (self->phase_label, text);
        /* Upload is the first half of the bar, install the second. */
        gtk_progress_bar_set_fraction (self->progress_bar, total > 0 ? 0.5 * done / total : 0.0);
      }
      break;

    case CC_SETUP_PHASE_INSTALL:
      gtk_label_set_label (self->phase_label, _("Installing dependencies…"));
      if (gtk_progress_bar_get_fraction (self->progress_bar) < 0.5)
        gtk_progress_bar_set_fraction (self->progress_bar, 0.5);
      if (output != NULL)
        cc_terminal_view_feed_output (self->log, output);
      break;

    default:
      break;
    }
}

static void
finish (CcNewProjectDialog *self,
        gboolean            ok,
        const char         *message)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;
  gint64 elapsed_ms = (g_get_monotonic_time () - self->started_at) / 1000;

  self->running = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->done_button), TRUE);
  gtk_label_set_label (self->phase_label, message);
  gtk_progress_bar_set_fraction (self->progress_bar, ok ? 1.0 : gtk_progress_bar_get_fraction (self->progress_bar));
  if (!ok)
    gtk_widget_add_css_class (GTK_WIDGET (self->phase_label), "error");
  if (CC_IS_APPLICATION (app))
    cc_application_notify_done (CC_APPLICATION (app), "setup-finished",
                                self->project != NULL ? cc_project_get_id (self->project) : NULL,
                                elapsed_ms, ok ? _("Project Ready") : _("Project Setup Failed"),
                                message);
  g_signal_emit (self, signals[SETUP_FINISHED], 0, ok);
  if (ok)
    gtk_window_close (GTK_WINDOW (self));
}

static void
setup_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CcNewProjectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!cc_client_setup_project_finish (CC_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = g_strdup (_("Setup cancelled. The project was kept; run its install command from the terminal when you are ready."));
      else
        message = g_strdup_printf (_("Setup failed: %s"), error->message);
      finish (self, FALSE, message);
      return;
    }
  message = g_strdup_printf (_("“%s” is ready"), cc_project_get_name (self->project));
  finish (self, TRUE, message);
}

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CcNewProjectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  self->project = cc_client_create_project_finish (CC_CLIENT (source), result, &error);
  if (self->project == NULL)
    {
      message = g_strdup_printf (_("The project could not be created: %s"), error->message);
      finish (self, FALSE, message);
      return;
    }

  g_signal_emit (self, signals[PROJECT_CREATED], 0, cc_project_get_id (self->project));
  gtk_label_set_label (self->phase_label, _("Preparing the sandbox…"));
  cc_client_setup_project_async (self->client, cc_project_get_id (self->project), NULL,
                                 setup_progress, g_object_ref (self), g_object_unref,
                                 self->cancellable, setup_cb, g_object_ref (self));
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CcNewProjectDialog *self = CC_NEW_PROJECT_DIALOG (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *title = NULL;
  g_autofree char *endpoint = NULL;
  CcConnectionKind kind = (CcConnectionKind) adw_combo_row_get_selected (self->connection_row);
  gboolean is_folder = folder_selected (self);

  if (name[0] == '\0' || self->running || (is_folder && self->folder == NULL))
    return;

  if (kind == CC_CONNECTION_CUSTOM)
    endpoint = g_settings_get_string (self->settings, "custom-api-url");

  self->running = TRUE;
  self->started_at = g_get_monotonic_time ();
  update_form (self);
  title = g_strdup_printf (_("Setting Up “%s”"), name);
  gtk_label_set_label (self->progress_title, title);
  gtk_label_set_label (self->phase_label, _("Creating the project…"));
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_set_visible (GTK_WIDGET (self->create_button), FALSE);
  g_settings_set_string (self->settings, "default-connection", cc_connection_kind_to_string (kind));

  cc_client_create_project_async (self->client, name, kind, endpoint,
                                  is_folder ? NULL : selected_template_id (self),
                                  is_folder ? self->folder : NULL, 0,
                                  self->cancellable, create_cb, g_object_ref (self));
}

static void
on_cancel_clicked (CcNewProjectDialog *self)
{
  if (self->running)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
on_done_clicked (CcNewProjectDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_folder_response (GtkNativeDialog    *chooser,
                    int                 response,
                    CcNewProjectDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      cc_new_project_dialog_set_folder (self, folder);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_choose_folder_clicked (CcNewProjectDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Choose the Project Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_folder_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
cc_new_project_dialog_close_request (GtkWindow *window)
{
  CcNewProjectDialog *self = CC_NEW_PROJECT_DIALOG (window);

  /* Closing while it runs is cancelling. */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cc_new_project_dialog_parent_class)->close_request (window);
}

static void
cc_new_project_dialog_dispose (GObject *object)
{
  CcNewProjectDialog *self = CC_NEW_PROJECT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_NEW_PROJECT_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->folder);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_new_project_dialog_parent_class)->dispose (object);
}

static void
cc_new_project_dialog_class_init (CcNewProjectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cc_new_project_dialog_dispose;
  window_class->close_request = cc_new_project_dialog_close_request;

  /**
   * CcNewProjectDialog::project-created:
   * @project_id: the new project, already in the client's model
   */
  signals[PROJECT_CREATED] = g_signal_new ("project-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * CcNewProjectDialog::setup-finished:
   * @ok: whether files and install step went through
   */
  signals[SETUP_FINISHED] = g_signal_new ("setup-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (CC_TYPE_TERMINAL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-new-project-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, connection_row);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, template_row);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, phase_label);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, log);
  gtk_widget_class_bind_template_child (widget_class, CcNewProjectDialog, done_button);
  gtk_widget_class_bind_template_callback (widget_class, on_form_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_done_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder_clicked);

  gtk_widget_class_install_action (widget_class, "new-project.create", NULL, create_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cc_new_project_dialog_init (CcNewProjectDialog *self)
{
  g_autoptr(GtkStringList) templates = gtk_string_list_new (NULL);
  const CcTemplate * const *all;
  guint n = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  cc_terminal_view_hide_cursor (self->log);

  all = cc_template_get_all (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (templates, cc_template_get_name (all[i]));
  gtk_string_list_append (templates, _("Local Folder…"));
  adw_combo_row_set_model (self->template_row, G_LIST_MODEL (templates));
  /* Node is the first thing most people try. */
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (cc_template_get_id (all[i]), CC_TEMPLATE_NODE) == 0)
      adw_combo_row_set_selected (self->template_row, i);

  g_signal_connect_object (self->template_row, "notify::selected", G_CALLBACK (on_form_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->connection_row, "notify::selected", G_CALLBACK (on_form_changed), self,
                           G_CONNECT_SWAPPED);
  /* The name is the one thing to type: start there, not on the header's first button. */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
}

CcNewProjectDialog *
cc_new_project_dialog_new (CcClient  *client,
                           GSettings *settings)
{
  CcNewProjectDialog *self;
  g_autofree char *connection = NULL;
  CcConnectionKind kind = CC_CONNECTION_LOCAL;

  g_return_val_if_fail (CC_IS_CLIENT (client), NULL);

  self = g_object_new (CC_TYPE_NEW_PROJECT_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->settings = g_object_ref (settings);
  connection = g_settings_get_string (settings, "default-connection");
  if (cc_connection_kind_from_string (connection, &kind))
    adw_combo_row_set_selected (self->connection_row, kind);
  update_form (self);
  return self;
}

GtkEditable *
cc_new_project_dialog_get_name_row (CcNewProjectDialog *self)
{
  g_return_val_if_fail (CC_IS_NEW_PROJECT_DIALOG (self), NULL);
  return GTK_EDITABLE (self->name_row);
}

void
cc_new_project_dialog_set_template (CcNewProjectDialog *self,
                                    const char         *template_id)
{
  const CcTemplate * const *all;
  guint n = 0;

  g_return_if_fail (CC_IS_NEW_PROJECT_DIALOG (self));

  all = cc_template_get_all (&n);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (cc_template_get_id (all[i]), template_id) == 0)
      adw_combo_row_set_selected (self->template_row, i);
}

void
cc_new_project_dialog_set_folder (CcNewProjectDialog *self,
                                  GFile              *folder)
{
  guint n = 0;

  g_return_if_fail (CC_IS_NEW_PROJECT_DIALOG (self));

  g_set_object (&self->folder, folder);
  cc_template_get_all (&n);
  if (folder != NULL)
    adw_combo_row_set_selected (self->template_row, n);
  if (folder != NULL && gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] == '\0')
    {
      g_autofree char *base = g_file_get_basename (folder);

      gtk_editable_set_text (GTK_EDITABLE (self->name_row), base);
    }
  update_form (self);
}

const char *
cc_new_project_dialog_get_message (CcNewProjectDialog *self)
{
  g_return_val_if_fail (CC_IS_NEW_PROJECT_DIALOG (self), NULL);
  return gtk_label_get_label (self->phase_label);
}
