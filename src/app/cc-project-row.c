/* cc-project-row.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-application.h"
#include "cc-project-row.h"

struct _CcProjectRow
{
  AdwBin        parent_instance;

  CcProject    *project;
  CcClient     *client;
  guint         tick_id;

  GtkLabel     *title;
  GtkLabel     *subtitle;
  GtkImage     *state_icon;
};

G_DEFINE_FINAL_TYPE (CcProjectRow, cc_project_row, ADW_TYPE_BIN)

enum { PROP_0, PROP_PROJECT, N_PROPS };
static GParamSpec *properties[N_PROPS];

const char *
cc_connection_kind_get_label (CcConnectionKind kind)
{
  switch (kind)
    {
    case CC_CONNECTION_LOCAL:
      return _("This Computer");
    case CC_CONNECTION_E2B:
      return _("E2B Cloud");
    case CC_CONNECTION_CUSTOM:
      return _("Custom Endpoint");
    default:
      return _("Unknown");
    }
}

char *
cc_sandbox_state_dup_label (CcSandboxStatus state,
                            gint64         end_time_us)
{
  switch (state)
    {
    case CC_SANDBOX_STATUS_NONE:
      return g_strdup (_("No sandbox yet"));
    case CC_SANDBOX_STATUS_STARTING:
      return g_strdup (_("Starting…"));
    case CC_SANDBOX_STATUS_RUNNING:
      if (end_time_us > 0)
        {
          gint64 left = (end_time_us - g_get_real_time ()) / G_USEC_PER_SEC;

          if (left < 60)
            return g_strdup (_("Running · less than a minute left"));
          return g_strdup_printf (g_dngettext (NULL, "Running · %d min left", "Running · %d min left",
                                               (gulong) (left / 60)), (int) (left / 60));
        }
      return g_strdup (_("Running"));
    case CC_SANDBOX_STATUS_PAUSED:
      return g_strdup (_("Paused"));
    case CC_SANDBOX_STATUS_EXPIRED:
      return g_strdup (_("Expired"));
    default:
      return g_strdup ("");
    }
}

static const char *
state_icon_name (CcSandboxStatus state)
{
  switch (state)
    {
    case CC_SANDBOX_STATUS_RUNNING:
      return "media-record-symbolic";
    case CC_SANDBOX_STATUS_STARTING:
      return "content-loading-symbolic";
    case CC_SANDBOX_STATUS_PAUSED:
      return "media-playback-pause-symbolic";
    case CC_SANDBOX_STATUS_NONE:
    case CC_SANDBOX_STATUS_EXPIRED:
    default:
      return NULL;
    }
}

static gboolean
update_labels (gpointer user_data)
{
  CcProjectRow *self = user_data;
  CcSandboxStatus state = CC_SANDBOX_STATUS_NONE;
  gint64 end_time = 0;
  g_autofree char *state_label = NULL;
  g_autofree char *subtitle = NULL;

  if (self->project == NULL)
    return G_SOURCE_CONTINUE;

  if (self->client != NULL)
    {
      state = cc_client_get_sandbox_status (self->client, cc_project_get_id (self->project));
      end_time = cc_client_get_sandbox_end_time (self->client, cc_project_get_id (self->project));
    }
  state_label = cc_sandbox_state_dup_label (state, end_time);
  subtitle = g_strdup_printf ("%s · %s",
                              cc_connection_kind_get_label (cc_project_get_connection_kind (self->project)),
                              state_label);
  gtk_label_set_label (self->title, cc_project_get_name (self->project));
  gtk_label_set_label (self->subtitle, subtitle);
  gtk_image_set_from_icon_name (self->state_icon, state_icon_name (state));
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), state_icon_name (state) != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), subtitle);

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "warning");
  if (state == CC_SANDBOX_STATUS_RUNNING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "success");
  else if (state == CC_SANDBOX_STATUS_PAUSED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "warning");

  return G_SOURCE_CONTINUE;
}

static void
on_sandbox_state_changed (CcClient     *client,
                          const char   *project_id,
                          CcProjectRow *self)
{
  if (self->project != NULL && g_strcmp0 (project_id, cc_project_get_id (self->project)) == 0)
    update_labels (self);
}

static void
on_project_notify (CcProject    *project,
                   GParamSpec   *pspec,
                   CcProjectRow *self)
{
  update_labels (self);
}

static void
cc_project_row_root (GtkWidget *widget)
{
  CcProjectRow *self = CC_PROJECT_ROW (widget);
  GApplication *app = g_application_get_default ();

  GTK_WIDGET_CLASS (cc_project_row_parent_class)->root (widget);

  if (self->client == NULL && CC_IS_APPLICATION (app) && cc_application_get_client (CC_APPLICATION (app)))
    {
      self->client = g_object_ref (cc_application_get_client (CC_APPLICATION (app)));
      g_signal_connect_object (self->client, "sandbox-state-changed",
                               G_CALLBACK (on_sandbox_state_changed), self, 0);
    }
  /* The remaining time moves by itself; a coarse tick is enough for minutes. */
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (20, update_labels, self);
  update_labels (self);
}

static void
cc_project_row_unroot (GtkWidget *widget)
{
  CcProjectRow *self = CC_PROJECT_ROW (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  GTK_WIDGET_CLASS (cc_project_row_parent_class)->unroot (widget);
}

static void
cc_project_row_dispose (GObject *object)
{
  CcProjectRow *self = CC_PROJECT_ROW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  cc_project_row_set_project (self, NULL);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_PROJECT_ROW);
  G_OBJECT_CLASS (cc_project_row_parent_class)->dispose (object);
}

static void
cc_project_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CcProjectRow *self = CC_PROJECT_ROW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_project_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CcProjectRow *self = CC_PROJECT_ROW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      cc_project_row_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_project_row_class_init (CcProjectRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_project_row_dispose;
  object_class->get_property = cc_project_row_get_property;
  object_class->set_property = cc_project_row_set_property;
  widget_class->root = cc_project_row_root;
  widget_class->unroot = cc_project_row_unroot;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, CC_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-project-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CcProjectRow, title);
  gtk_widget_class_bind_template_child (widget_class, CcProjectRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, CcProjectRow, state_icon);
}

static void
cc_project_row_init (CcProjectRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CcProject *
cc_project_row_get_project (CcProjectRow *self)
{
  g_return_val_if_fail (CC_IS_PROJECT_ROW (self), NULL);

  return self->project;
}

void
cc_project_row_set_project (CcProjectRow *self,
                            CcProject    *project)
{
  g_return_if_fail (CC_IS_PROJECT_ROW (self));

  if (self->project == project)
    return;
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);
  if (project != NULL)
    g_signal_connect_object (project, "notify", G_CALLBACK (on_project_notify), self, 0);
  update_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}
