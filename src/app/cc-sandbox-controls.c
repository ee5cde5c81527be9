/* cc-sandbox-controls.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-labels.h"
#include "cc-project-row.h"
#include "cc-sandbox-controls.h"

struct _CcSandboxControls
{
  AdwBin         parent_instance;

  CcClient      *client;
  CcProject     *project;
  GCancellable  *cancellable;
  GSettings     *settings;
  guint          tick_id;
  gulong         state_handler;
  gboolean       warned;
  gboolean       busy;

  GtkMenuButton *button;
  GtkLabel      *time_label;
  GtkLabel      *state_label;
};

G_DEFINE_FINAL_TYPE (CcSandboxControls, cc_sandbox_controls, ADW_TYPE_BIN)

enum { ERROR, WARNING, N_SIGNALS };
static guint signals[N_SIGNALS];

static CcSandboxStatus
get_state (CcSandboxControls *self)
{
  if (self->client == NULL || self->project == NULL)
    return CC_SANDBOX_STATUS_NONE;
  return cc_client_get_sandbox_status (self->client, cc_project_get_id (self->project));
}

static gboolean
update (gpointer user_data)
{
  CcSandboxControls *self = user_data;
  CcSandboxStatus state = get_state (self);
  gint64 end_time = 0;
  gint64 left = -1;
  g_autofree char *time = NULL;
  g_autofree char *state_text = NULL;
  g_autofree char *accessible = NULL;

  if (self->project != NULL && self->client != NULL)
    end_time = cc_client_get_sandbox_end_time (self->client, cc_project_get_id (self->project));
  if (state == CC_SANDBOX_STATUS_RUNNING && end_time > 0)
    left = MAX (0, (end_time - g_get_real_time ()) / G_USEC_PER_SEC);

  if (left >= 3600)
    time = g_strdup_printf ("%d:%02d:%02d", (int) (left / 3600), (int) (left / 60 % 60), (int) (left % 60));
  else if (left >= 0)
    time = g_strdup_printf ("%d:%02d", (int) (left / 60), (int) (left % 60));
  else if (state == CC_SANDBOX_STATUS_PAUSED)
    time = g_strdup (_("Paused"));
  else if (state == CC_SANDBOX_STATUS_STARTING)
    time = g_strdup (_("Starting"));
  else
    time = g_strdup (_("Sandbox"));
  gtk_label_set_label (self->time_label, time);

  state_text = cc_sandbox_state_dup_label (state, end_time);
  gtk_label_set_label (self->state_label, state_text);
  accessible = g_strdup_printf (_("Sandbox: %s"), state_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), state_text);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.extend", !self->busy && state == CC_SANDBOX_STATUS_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.pause", !self->busy && state == CC_SANDBOX_STATUS_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.resume",
                                 !self->busy && self->project != NULL && state != CC_SANDBOX_STATUS_RUNNING &&
                                 state != CC_SANDBOX_STATUS_STARTING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.kill",
                                 !self->busy && (state == CC_SANDBOX_STATUS_RUNNING || state == CC_SANDBOX_STATUS_PAUSED));

  /* Keep-alive extends sandboxes in use; without it, say so before the time runs out. */
  if (left >= 0 && left <= CC_SANDBOX_EXPIRY_WARNING_SECONDS)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->button), "warning");
      if (!self->warned && !g_settings_get_boolean (self->settings, "keep-alive"))
        {
          self->warned = TRUE;
          g_signal_emit (self, signals[WARNING], 0,
                         _("The sandbox stops in less than a minute. Extend it to keep it running."));
        }
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->button), "warning");
      if (left > CC_SANDBOX_EXPIRY_WARNING_SECONDS)
        self->warned = FALSE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_state_changed (CcClient          *client,
                  const char        *project_id,
                  CcSandboxControls *self)
{
  if (self->project != NULL && g_strcmp0 (project_id, cc_project_get_id (self->project)) == 0)
    update (self);
}

typedef gboolean (*FinishFunc) (CcClient *, GAsyncResult *, GError **);

static void
lifecycle_done (CcSandboxControls *self,
                gboolean           ok,
                const GError      *error,
                const char        *what)
{
  self->busy = FALSE;
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[ERROR], 0, what, error);
  update (self);
}

#define DEFINE_DONE_CB(name, finish, what)                                      \
  static void                                                                   \
  name (GObject *source, GAsyncResult *result, gpointer user_data)              \
  {                                                                             \
    g_autoptr(CcSandboxControls) self = user_data;                              \
    g_autoptr(GError) error = NULL;                                             \
    gboolean ok = finish (CC_CLIENT (source), result, &error);                  \
    lifecycle_done (self, ok, error, what);                                     \
  }

static void
extend_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CcSandboxControls) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_extend_sandbox_finish (CC_CLIENT (source), result, &error);
  gint64 end_time = 0;

  lifecycle_done (self, ok, error, _("Could not extend the sandbox"));
  if (ok && self->project != NULL)
    end_time = cc_client_get_sandbox_end_time (self->client, cc_project_get_id (self->project));
  if (end_time > 0)
    {
      g_autoptr(GDateTime) end = g_date_time_new_from_unix_local (end_time / G_USEC_PER_SEC);
      g_autofree char *clock = g_date_time_format (end, "%X");
      g_autofree char *text = NULL;

      /* Said once, where the eye is: the popover it came from has closed. */
      text = g_strdup_printf (_("The sandbox now runs until %s"), clock);
      g_signal_emit (self, signals[WARNING], 0, text);
    }
}
DEFINE_DONE_CB (pause_cb, cc_client_pause_sandbox_finish, _("Could not pause the sandbox"))
DEFINE_DONE_CB (resume_cb, cc_client_resume_sandbox_finish, _("Could not resume the sandbox"))
DEFINE_DONE_CB (kill_cb, cc_client_kill_sandbox_finish, _("Could not stop the sandbox"))

static void
extend_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);

  if (self->project == NULL || self->busy)
    return;
  gtk_menu_button_popdown (self->button);
  self->busy = TRUE;
  update (self);
  cc_client_extend_sandbox_async (self->client, cc_project_get_id (self->project),
                                  g_settings_get_uint (self->settings, "sandbox-timeout"),
                                  self->cancellable, extend_cb, g_object_ref (self));
}

static void
pause_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);

  if (self->project == NULL || self->busy)
    return;
  gtk_menu_button_popdown (self->button);
  self->busy = TRUE;
  update (self);
  cc_client_pause_sandbox_async (self->client, cc_project_get_id (self->project), self->cancellable,
                                 pause_cb, g_object_ref (self));
}

static void
resume_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);

  if (self->project == NULL || self->busy)
    return;
  gtk_menu_button_popdown (self->button);
  self->busy = TRUE;
  update (self);
  cc_client_resume_sandbox_async (self->client, cc_project_get_id (self->project), self->cancellable,
                                  resume_cb, g_object_ref (self));
}

static void
on_kill_response (AdwMessageDialog  *dialog,
                  const char        *response,
                  CcSandboxControls *self)
{
  if (g_strcmp0 (response, "kill") != 0 || self->project == NULL || self->busy)
    return;
  self->busy = TRUE;
  update (self);
  cc_client_kill_sandbox_async (self->client, cc_project_get_id (self->project), self->cancellable,
                                kill_cb, g_object_ref (self));
}

static void
kill_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);
  AdwMessageDialog *dialog;

  if (self->project == NULL)
    return;
  gtk_menu_button_popdown (self->button);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Stop the Sandbox?"), NULL));
  adw_message_dialog_set_body (dialog, _("The sandbox ends, with its running commands and dev server. The "
                                         "project’s files stay in its workspace folder: the next command "
                                         "starts a new sandbox from them."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "kill", _("_Stop Sandbox"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "kill", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_kill_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The countdown is shown in seconds: one tick a second, and only while it can be seen. */
static void
update_tick (CcSandboxControls *self)
{
  gboolean want = self->project != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (want && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, update, self);
  else if (!want)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
cc_sandbox_controls_map (GtkWidget *widget)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);

  GTK_WIDGET_CLASS (cc_sandbox_controls_parent_class)->map (widget);
  update (self);
  update_tick (self);
}

static void
cc_sandbox_controls_unmap (GtkWidget *widget)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (widget);

  GTK_WIDGET_CLASS (cc_sandbox_controls_parent_class)->unmap (widget);
  update_tick (self);
}

static void
cc_sandbox_controls_dispose (GObject *object)
{
  CcSandboxControls *self = CC_SANDBOX_CONTROLS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->client != NULL)
    g_clear_signal_handler (&self->state_handler, self->client);
  /* The bin's child is a bound template child: let AdwBin drop it first, so that it is not
   * unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_SANDBOX_CONTROLS);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_sandbox_controls_parent_class)->dispose (object);
}

static void
cc_sandbox_controls_class_init (CcSandboxControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_sandbox_controls_dispose;
  widget_class->map = cc_sandbox_controls_map;
  widget_class->unmap = cc_sandbox_controls_unmap;

  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  signals[WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                   NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-sandbox-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, CcSandboxControls, button);
  gtk_widget_class_bind_template_child (widget_class, CcSandboxControls, time_label);
  gtk_widget_class_bind_template_child (widget_class, CcSandboxControls, state_label);

  gtk_widget_class_install_action (widget_class, "sandbox.extend", NULL, extend_action);
  gtk_widget_class_install_action (widget_class, "sandbox.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "sandbox.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "sandbox.kill", NULL, kill_action);
}

static void
cc_sandbox_controls_init (CcSandboxControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  update (self);
}

void
cc_sandbox_controls_set_project (CcSandboxControls *self,
                                 CcClient          *client,
                                 CcProject         *project)
{
  g_return_if_fail (CC_IS_SANDBOX_CONTROLS (self));

  if (self->client != NULL)
    g_clear_signal_handler (&self->state_handler, self->client);
  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  self->warned = FALSE;
  self->busy = FALSE;
  if (client != NULL)
    self->state_handler = g_signal_connect (client, "sandbox-state-changed", G_CALLBACK (on_state_changed), self);
  update_tick (self);
  update (self);
}

gboolean
cc_sandbox_controls_get_ticking (CcSandboxControls *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_CONTROLS (self), FALSE);
  return self->tick_id != 0;
}

const char *
cc_sandbox_controls_get_label (CcSandboxControls *self)
{
  g_return_val_if_fail (CC_IS_SANDBOX_CONTROLS (self), NULL);
  return gtk_label_get_label (self->time_label);
}
