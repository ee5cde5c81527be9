/* cc-project-row.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-labels.h"
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

enum { PROP_0, PROP_PROJECT, PROP_CLIENT, N_PROPS };
static GParamSpec *properties[N_PROPS];

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

/* A mirrored workspace says how it stands with its sandbox; a mounted one says nothing. */
static const char *
sync_state_label (CcSyncState state)
{
  switch (state)
    {
    case CC_SYNC_STATE_SYNCED:
      return _("synced");
    case CC_SYNC_STATE_SYNCING:
      return _("syncing…");
    case CC_SYNC_STATE_CONFLICT:
      return _("synced, a conflict kept both versions");
    case CC_SYNC_STATE_OFFLINE:
      return _("sync paused: the sandbox cannot be reached");
    case CC_SYNC_STATE_NONE:
    default:
      return NULL;
    }
}

static gboolean
update_labels (gpointer user_data)
{
  CcProjectRow *self = user_data;
  CcSandboxStatus state = CC_SANDBOX_STATUS_NONE;
  CcSyncState sync = CC_SYNC_STATE_NONE;
  double progress = -1;
  gint64 end_time = 0;
  g_autofree char *state_label = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *syncing = NULL;
  const char *sync_label;

  if (self->project == NULL)
    return G_SOURCE_CONTINUE;

  if (self->client != NULL)
    {
      state = cc_client_get_sandbox_status (self->client, cc_project_get_id (self->project));
      end_time = cc_client_get_sandbox_end_time (self->client, cc_project_get_id (self->project));
      sync = cc_client_get_sync_state (self->client, cc_project_get_id (self->project));
      progress = cc_client_get_sync_progress (self->client, cc_project_get_id (self->project));
    }
  state_label = cc_sandbox_state_dup_label (state, end_time);
  sync_label = sync_state_label (sync);
  if (sync == CC_SYNC_STATE_SYNCING && progress >= 0)
    {
      /* Translators: the share of a workspace sync done so far, as in "syncing 45 %…" */
      syncing = g_strdup_printf (_("syncing %u %%…"), (guint) (progress * 100));
      sync_label = syncing;
    }
  if (sync_label != NULL)
    subtitle = g_strdup_printf ("%s · %s · %s",
                                cc_connection_kind_get_label (cc_project_get_connection_kind (self->project)),
                                state_label, sync_label);
  else
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

  GTK_WIDGET_CLASS (cc_project_row_parent_class)->root (widget);

  /* The remaining time moves by itself; a coarse tick is enough for minutes. */
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (20, update_labels, self);
  update_labels (self);
}

static void
set_client (CcProjectRow *self,
            CcClient     *client)
{
  g_assert (self->client == NULL);

  if (client == NULL)
    return;
  self->client = g_object_ref (client);
  g_signal_connect_object (self->client, "sandbox-state-changed",
                           G_CALLBACK (on_sandbox_state_changed), self, 0);
  g_signal_connect_object (self->client, "sync-state-changed",
                           G_CALLBACK (on_sandbox_state_changed), self, 0);
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

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
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

    case PROP_CLIENT:
      set_client (self, g_value_get_object (value));
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
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
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

GtkWidget *
cc_project_row_new (CcClient *client)
{
  return g_object_new (CC_TYPE_PROJECT_ROW, "client", client, NULL);
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
