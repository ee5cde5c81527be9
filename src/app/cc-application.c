/* cc-application.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-application.h"
#include "cc-preferences-window.h"
#include "cc-window.h"

struct _CcApplication
{
  AdwApplication  parent_instance;
  GSettings      *settings;
  CcClient       *client;
  GError         *error;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (CcApplication, cc_application, ADW_TYPE_APPLICATION)

enum { PROP_0, PROP_CLIENT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
days_to_seconds (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  g_value_set_uint (value, g_variant_get_uint32 (variant) * 86400u);
  return TRUE;
}

static GVariant *
seconds_to_days (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  return g_variant_new_uint32 (g_value_get_uint (value) / 86400u);
}

static void
client_ready_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CcApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcClient) client = cc_client_new_default_finish (result, &error);

  g_debug ("Project store ready: %s", client != NULL ? "yes" : error->message);

  if (client == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Could not open the project store: %s", error->message);
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
      return;
    }

  /* Settings are the user's; the client follows them for as long as it lives. */
  g_settings_bind (self->settings, "cache-ttl", client, "cache-ttl", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "sandbox-timeout", client, "sandbox-timeout", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "keep-alive", client, "keep-alive", G_SETTINGS_BIND_GET);
  g_settings_bind_with_mapping (self->settings, "history-retention-days", client, "record-retention",
                                G_SETTINGS_BIND_GET, days_to_seconds, seconds_to_days, NULL, NULL);

  self->client = g_steal_pointer (&client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

static void
apply_color_scheme (CcApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
on_color_scheme_changed (GSettings     *settings,
                         const char    *key,
                         CcApplication *self)
{
  apply_color_scheme (self);
}

static void
cc_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (cc_window_new (CC_APPLICATION (app)));
  gtk_window_present (window);
}

static void
server_stopped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  guint *n_pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cc_client_stop_dev_server_finish (CC_CLIENT (source), result, &error))
    g_warning ("Could not stop a dev server: %s", error->message);
  if (--*n_pending == 0)
    g_task_return_boolean (task, TRUE);
}

/**
 * cc_application_stop_dev_servers_async:
 *
 * Stops every dev server this application started. Quitting does this first: a server left
 * behind would hold its port, and the next launch would show "Run" for it and fail on the busy
 * port while showing the orphan's page.
 */
void
cc_application_stop_dev_servers_async (CcApplication       *self,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  guint *n_pending = g_new (guint, 1);
  GListModel *projects;

  g_task_set_source_tag (task, cc_application_stop_dev_servers_async);
  *n_pending = 1;   /* this function's own, dropped at the end */
  g_task_set_task_data (task, n_pending, g_free);
  projects = self->client != NULL ? cc_client_get_projects (self->client) : NULL;
  for (guint i = 0; projects != NULL && i < g_list_model_get_n_items (projects); i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (projects, i);
      CcExecution *server = cc_client_get_dev_server (self->client, cc_project_get_id (project));

      if (server == NULL || cc_execution_is_done (server))
        continue;
      (*n_pending)++;
      cc_client_stop_dev_server_async (self->client, cc_project_get_id (project), NULL,
                                       server_stopped_cb, g_object_ref (task));
    }
  if (--*n_pending == 0)
    g_task_return_boolean (task, TRUE);
}

gboolean
cc_application_stop_dev_servers_finish (CcApplication  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
quit_stopped_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  cc_application_stop_dev_servers_finish (CC_APPLICATION (source), result, NULL);
  g_application_release (G_APPLICATION (source));
  g_application_quit (G_APPLICATION (source));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Close windows first so each can save its size and cancel its work. */
  while (windows != NULL)
    {
      GtkWindow *window = windows->data;

      windows = windows->next;
      gtk_window_destroy (window);
    }
  /* The dev servers go with the app; it stays alive (without windows) until they are down. */
  g_application_hold (G_APPLICATION (app));
  cc_application_stop_dev_servers_async (CC_APPLICATION (app), quit_stopped_cb, NULL);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  CcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *prefs = GTK_WINDOW (cc_preferences_window_new (self->client));

  gtk_window_set_transient_for (prefs, parent);
  gtk_window_present (prefs);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  CcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Code Canvas Authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Code Canvas"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Code Canvas Authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "comments", _("Build software inside code sandboxes: run commands, edit files, "
                                      "see what ran and preview your dev server, on this machine or on E2B."),
                        "website", "https://github.com/codecanvas/code-canvas",
                        "issue-url", "https://github.com/codecanvas/code-canvas/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Code Canvas Authors",
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* The target of a notification's default action: the window, in front, on that project. */
static void
show_project_action (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *window = gtk_application_get_active_window (app);

  if (window == NULL)
    window = GTK_WINDOW (cc_window_new (CC_APPLICATION (app)));
  cc_window_select_project (CC_WINDOW (window), g_variant_get_string (param, NULL));
  gtk_window_present (window);
}

static void
activate_action (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "activate", activate_action },
  { "show-project", show_project_action, "s" },
  { "preferences", preferences_action },
  { "about", about_action },
};

static void
cc_application_startup (GApplication *app)
{
  CcApplication *self = CC_APPLICATION (app);
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.new-project", { "<Control>n", NULL } },
    /* F2 renames the selected file, as in the Files menu; project settings are properties. */
    { "win.rename-project", { "<Alt>Return", NULL } },
    { "win.rename-file", { "F2", NULL } },
    { "win.delete-project", { "<Control>Delete", NULL } },
    { "win.toggle-sidebar", { "F9", NULL } },
    { "win.toggle-files", { "<Control>F9", NULL } },
    { "win.focus-command", { "<Control>l", NULL } },
    { "win.show-terminal", { "<Alt>1", NULL } },
    { "win.show-shell", { "<Alt>2", NULL } },
    { "win.show-editor", { "<Alt>3", NULL } },
    { "win.show-preview", { "<Alt>4", NULL } },
    { "win.show-history", { "<Alt>5", NULL } },
    { "win.start-dev-server", { "<Control><Shift>r", NULL } },
    { "win.stop-dev-server", { "<Control><Shift>period", NULL } },
    { "win.extend-sandbox", { "<Control><Shift>e", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "editor.save", { "<Control>s", NULL } },
  };

  G_APPLICATION_CLASS (cc_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
  for (guint i = 1; i <= 9; i++)
    {
      g_autofree char *name = g_strdup_printf ("win.select-project(uint32 %u)", i);
      g_autofree char *accel = g_strdup_printf ("<Control>%u", i);
      const char *list[] = { accel, NULL };

      gtk_application_set_accels_for_action (GTK_APPLICATION (self), name, list);
    }

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed), self, 0);
  apply_color_scheme (self);

  /* The store opens off the main thread; windows show a spinner until it is ready. */
  self->cancellable = g_cancellable_new ();
  cc_client_new_default_async (self->cancellable, client_ready_cb, g_object_ref (self));
}

static void
cc_application_shutdown (GApplication *app)
{
  CcApplication *self = CC_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  G_APPLICATION_CLASS (cc_application_parent_class)->shutdown (app);
}

static void
cc_application_dispose (GObject *object)
{
  CcApplication *self = CC_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (cc_application_parent_class)->dispose (object);
}

static void
cc_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CcApplication *self = CC_APPLICATION (object);

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
cc_application_class_init (CcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cc_application_dispose;
  object_class->get_property = cc_application_get_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, CC_TYPE_CLIENT,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                 G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  G_APPLICATION_CLASS (klass)->activate = cc_application_activate;
  G_APPLICATION_CLASS (klass)->startup = cc_application_startup;
  G_APPLICATION_CLASS (klass)->shutdown = cc_application_shutdown;
}

static void
cc_application_init (CcApplication *self)
{
}

CcApplication *
cc_application_new (void)
{
  return g_object_new (CC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

/**
 * cc_application_get_settings:
 *
 * Returns: (transfer none): the application's settings, valid after startup
 */
GSettings *
cc_application_get_settings (CcApplication *self)
{
  g_return_val_if_fail (CC_IS_APPLICATION (self), NULL);

  return self->settings;
}

CcClient *
cc_application_get_client (CcApplication *self)
{
  g_return_val_if_fail (CC_IS_APPLICATION (self), NULL);

  return self->client;
}

const GError *
cc_application_get_error (CcApplication *self)
{
  g_return_val_if_fail (CC_IS_APPLICATION (self), NULL);

  return self->error;
}

/**
 * cc_application_notify_done:
 * @self: the application
 * @id: the notification's id: a newer one with the same id replaces it
 * @project_id: (nullable): the project the work belonged to
 * @duration_ms: how long the work ran
 * @title: the notification's title
 * @body: what happened
 *
 * Long work ended while the user looked elsewhere: tell them, but only then, and only when it
 * ran at least as long as the "notify-after" setting. Clicking the notification brings the
 * window back with @project_id selected.
 */
void
cc_application_notify_done (CcApplication *self,
                            const char    *id,
                            const char    *project_id,
                            gint64         duration_ms,
                            const char    *title,
                            const char    *body)
{
  GtkWindow *window;
  g_autoptr(GNotification) notification = NULL;

  g_return_if_fail (CC_IS_APPLICATION (self));

  if (self->settings == NULL ||
      duration_ms < (gint64) g_settings_get_uint (self->settings, "notify-after") * 1000)
    return;
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL && gtk_window_is_active (window))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  if (project_id != NULL)
    g_notification_set_default_action_and_target (notification, "app.show-project", "s", project_id);
  else
    g_notification_set_default_action (notification, "app.activate");
  g_application_send_notification (G_APPLICATION (self), id, notification);
}
