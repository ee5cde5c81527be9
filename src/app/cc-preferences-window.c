/* cc-preferences-window.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is a GSettings key, except the API key: that goes to the keyring through the
 * client and is never read back into the window.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cc-preferences-window.h"

struct _CcPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CcClient             *client;        /* nullable: the store did not open */
  GSettings            *settings;
  GCancellable         *cancellable;

  AdwComboRow          *color_scheme_row;
  AdwComboRow          *default_connection_row;
  GtkSwitch            *use_cache_switch;
  GtkSpinButton        *cache_ttl_spin;
  GtkSpinButton        *retention_spin;
  GtkSpinButton        *timeout_spin;
  GtkSwitch            *keep_alive_switch;
  AdwActionRow         *engine_row;
  GtkImage             *engine_icon;
  AdwActionRow         *isolation_row;
  AdwPasswordEntryRow  *api_key_row;
  AdwActionRow         *api_key_status_row;
  GtkButton            *clear_key_button;
  AdwEntryRow          *custom_api_url_row;
  AdwEntryRow          *custom_sandbox_url_row;
};

G_DEFINE_FINAL_TYPE (CcPreferencesWindow, cc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum { PROP_0, PROP_CLIENT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static const char *color_schemes[] = { "default", "light", "dark" };
static const char *connections[] = { "local", "e2b", "custom" };

static gboolean
string_to_index (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  const char **names = user_data;
  const char *str = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < 3; i++)
    if (g_strcmp0 (names[i], str) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
index_to_string (const GValue       *value,
                 const GVariantType *type,
                 gpointer            user_data)
{
  const char **names = user_data;
  guint i = g_value_get_uint (value);

  return g_variant_new_string (names[i < 3 ? i : 0]);
}

static gboolean
seconds_to_minutes (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 60.0);
  return TRUE;
}

static GVariant *
minutes_to_seconds (const GValue       *value,
                    const GVariantType *type,
                    gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) (g_value_get_double (value) * 60.0 + 0.5));
}

static CcClient *
get_client (CcPreferencesWindow *self)
{
  return self->client;
}

static void
engine_status_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineStatus) status = NULL;

  status = cc_client_get_engine_status_finish (CC_CLIENT (source), result, &error);
  if (status == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_action_row_set_subtitle (self->engine_row, error->message);
      gtk_image_set_from_icon_name (self->engine_icon, "dialog-warning-symbolic");
      adw_action_row_set_subtitle (self->isolation_row, _("Unknown while the engine is not running"));
      return;
    }

  if (status->running)
    {
      g_autofree char *subtitle = NULL;

      if (status->version != NULL)
        subtitle = g_strdup_printf (_("Running (version %s)"), status->version);
      else
        subtitle = g_strdup (_("Running"));
      adw_action_row_set_subtitle (self->engine_row, subtitle);
      gtk_image_set_from_icon_name (self->engine_icon, "emblem-ok-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->engine_icon), "success");
    }
  else
    {
      adw_action_row_set_subtitle (self->engine_row, _("Not running. It starts by itself when a project needs it."));
      gtk_image_set_from_icon_name (self->engine_icon, "media-playback-stop-symbolic");
    }

  {
    g_autoptr(GString) text = g_string_new (NULL);

    if (status->isolated && status->detail != NULL)
      g_string_append_printf (text, _("Isolated: %s"), status->detail);
    else if (status->isolated)
      g_string_append (text, _("Isolated: sandboxes run in their own container with a read-only system"));
    else
      /* "would": an engine running as root refuses them (said below, among what is missing). */
      g_string_append_printf (text, _("Not isolated: a sandbox command would run as you, with your "
                                      "files visible. %s"),
                              status->detail != NULL ? status->detail : "");
    /* What the engine says is missing, one line each. */
    for (guint i = 0; status->missing != NULL && status->missing[i] != NULL; i++)
      g_string_append_printf (text, "\n%s", status->missing[i]);
    adw_action_row_set_subtitle (self->isolation_row, g_strchomp (text->str));
  }
}

static void
has_key_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean has_key;

  has_key = cc_client_has_api_key_finish (CC_CLIENT (source), result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_action_row_set_subtitle (self->api_key_status_row, error->message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->clear_key_button), FALSE);
      return;
    }
  adw_action_row_set_subtitle (self->api_key_status_row,
                               has_key ? _("A key is stored in your keyring") : _("No key stored"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_key_button), has_key);
}

static void
refresh_key_status (CcPreferencesWindow *self)
{
  CcClient *client = get_client (self);

  if (client == NULL)
    return;
  cc_client_has_api_key_async (client, CC_CONNECTION_E2B, NULL, self->cancellable, has_key_cb,
                               g_object_ref (self));
}

static void
show_toast (CcPreferencesWindow *self,
            const char          *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (escaped));
}

static void
store_key_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_store_api_key_finish (CC_CLIENT (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("The key could not be stored: %s"), error->message);
      show_toast (self, text);
      /* The row keeps saying why (a keyring that never answered, a locked one) after the
       * toast is gone. */
      adw_action_row_set_subtitle (self->api_key_status_row, error->message);
      return;
    }
  show_toast (self, _("API key stored in your keyring"));
  refresh_key_status (self);
}

static void
on_api_key_apply_cb (CcPreferencesWindow *self)
{
  CcClient *client = get_client (self);
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->api_key_row))));

  /* The key leaves the widget at once: it is never shown again, not even as dots. */
  gtk_editable_set_text (GTK_EDITABLE (self->api_key_row), "");
  if (client == NULL || key[0] == '\0')
    return;
  cc_client_store_api_key_async (client, CC_CONNECTION_E2B, NULL, key, self->cancellable, store_key_cb,
                                 g_object_ref (self));
  memset (key, 0, strlen (key));
}

static void
clear_key_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CcPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_clear_api_key_finish (CC_CLIENT (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("The key could not be removed: %s"), error->message);
      show_toast (self, text);
      return;
    }
  show_toast (self, _("API key removed"));
  refresh_key_status (self);
}

static void
on_clear_key_clicked_cb (CcPreferencesWindow *self)
{
  CcClient *client = get_client (self);

  if (client != NULL)
    cc_client_clear_api_key_async (client, CC_CONNECTION_E2B, NULL, self->cancellable, clear_key_cb,
                                   g_object_ref (self));
}

static void
cc_preferences_window_dispose (GObject *object)
{
  CcPreferencesWindow *self = CC_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_preferences_window_parent_class)->dispose (object);
}

static void
cc_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CcPreferencesWindow *self = CC_PREFERENCES_WINDOW (object);

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
cc_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CcPreferencesWindow *self = CC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_preferences_window_class_init (CcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_preferences_window_dispose;
  object_class->get_property = cc_preferences_window_get_property;
  object_class->set_property = cc_preferences_window_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, default_connection_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, use_cache_switch);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, cache_ttl_spin);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, retention_spin);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, keep_alive_switch);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, engine_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, engine_icon);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, isolation_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, api_key_status_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, clear_key_button);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, custom_api_url_row);
  gtk_widget_class_bind_template_child (widget_class, CcPreferencesWindow, custom_sandbox_url_row);
  gtk_widget_class_bind_template_callback (widget_class, on_api_key_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_key_clicked_cb);
}

static void
cc_preferences_window_init (CcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  g_settings_bind_with_mapping (self->settings, "color-scheme", self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, string_to_index, index_to_string,
                                (gpointer) color_schemes, NULL);
  g_settings_bind_with_mapping (self->settings, "default-connection", self->default_connection_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, string_to_index, index_to_string,
                                (gpointer) connections, NULL);
  g_settings_bind (self->settings, "use-cache", self->use_cache_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "keep-alive", self->keep_alive_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "cache-ttl", self->cache_ttl_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, seconds_to_minutes, minutes_to_seconds, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "sandbox-timeout", self->timeout_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, seconds_to_minutes, minutes_to_seconds, NULL, NULL);
  g_settings_bind (self->settings, "history-retention-days", self->retention_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "custom-api-url", self->custom_api_url_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "custom-sandbox-url", self->custom_sandbox_url_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
}

CcPreferencesWindow *
cc_preferences_window_new (CcClient *client)
{
  CcPreferencesWindow *self;

  g_return_val_if_fail (client == NULL || CC_IS_CLIENT (client), NULL);

  self = g_object_new (CC_TYPE_PREFERENCES_WINDOW, "client", client, NULL);
  if (client != NULL)
    {
      /* Asking for the status does not start the engine: opening Preferences is no reason to. */
      cc_client_get_engine_status_async (client, FALSE, self->cancellable, engine_status_cb, g_object_ref (self));
      refresh_key_status (self);
    }
  else
    adw_action_row_set_subtitle (self->engine_row, _("Unknown: the project store is not open"));
  return self;
}
