/* cc-history-row.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-history-row.h"
#include "cc-labels.h"

struct _CcHistoryRow
{
  AdwBin       parent_instance;

  CcOperation *operation;

  GtkImage    *status_icon;
  GtkLabel    *input_label;
  GtkLabel    *details_label;
  GtkLabel    *cached_badge;
  GtkLabel    *time_label;
};

G_DEFINE_FINAL_TYPE (CcHistoryRow, cc_history_row, ADW_TYPE_BIN)

enum { PROP_0, PROP_OPERATION, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update (CcHistoryRow *self)
{
  CcOperation *op = self->operation;
  g_autoptr(GString) details = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autofree char *time = NULL;
  const char *icon;
  const char *status_text;
  gboolean is_command;
  CcOperationStatus status;

  if (op == NULL)
    return;

  is_command = cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_COMMAND;
  status = cc_operation_get_status (op);
  switch (status)
    {
    case CC_OPERATION_STATUS_SUCCESS:
      icon = "emblem-ok-symbolic";
      status_text = _("Succeeded");
      break;
    case CC_OPERATION_STATUS_ERROR:
      icon = "dialog-error-symbolic";
      status_text = _("Failed");
      break;
    case CC_OPERATION_STATUS_PENDING:
    default:
      icon = "content-loading-symbolic";
      status_text = _("Running");
      break;
    }
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  status_text, -1);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
  if (status == CC_OPERATION_STATUS_SUCCESS)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");
  else if (status == CC_OPERATION_STATUS_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "error");

  gtk_label_set_label (self->input_label, cc_operation_get_input (op) != NULL ? cc_operation_get_input (op) : "");

  details = g_string_new (cc_operation_type_get_label (cc_operation_get_operation_type (op)));
  if (is_command && cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
    {
      g_autofree char *outcome = cc_operation_dup_outcome_label (op);

      g_string_append_printf (details, " · %s", outcome);
    }
  if (cc_operation_get_status (op) != CC_OPERATION_STATUS_PENDING)
    g_string_append_printf (details, _(" · %lld ms"), (long long) cc_operation_get_duration_ms (op));
  gtk_label_set_label (self->details_label, details->str);

  gtk_widget_set_visible (GTK_WIDGET (self->cached_badge), cc_operation_get_cached (op));
  if (cc_operation_get_cached (op) && cc_operation_get_cached_at (op) > 0)
    {
      /* How old the answer was when it was given. */
      g_autofree char *age = cc_operation_format_age (cc_operation_get_cached_at (op),
                                                      cc_operation_get_created_at (op));
      g_autofree char *badge = g_strdup_printf (_("cached, %s"), age);

      gtk_label_set_label (self->cached_badge, badge);
    }
  else
    gtk_label_set_label (self->cached_badge, _("cached"));

  /* Store times are unix microseconds. */
  created = g_date_time_new_from_unix_local (cc_operation_get_created_at (op) / G_USEC_PER_SEC);
  time = created != NULL ? g_date_time_format (created, "%X") : g_strdup ("");
  gtk_label_set_label (self->time_label, time);
}

static void
cc_history_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CcHistoryRow *self = CC_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_OPERATION:
      g_value_set_object (value, self->operation);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_history_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CcHistoryRow *self = CC_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_OPERATION:
      cc_history_row_set_operation (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_history_row_dispose (GObject *object)
{
  CcHistoryRow *self = CC_HISTORY_ROW (object);

  g_clear_object (&self->operation);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_HISTORY_ROW);
  G_OBJECT_CLASS (cc_history_row_parent_class)->dispose (object);
}

static void
cc_history_row_class_init (CcHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_history_row_dispose;
  object_class->get_property = cc_history_row_get_property;
  object_class->set_property = cc_history_row_set_property;

  properties[PROP_OPERATION] =
    g_param_spec_object ("operation", NULL, NULL, CC_TYPE_OPERATION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-history-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CcHistoryRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryRow, input_label);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryRow, details_label);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryRow, cached_badge);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryRow, time_label);
}

static void
cc_history_row_init (CcHistoryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CcOperation *
cc_history_row_get_operation (CcHistoryRow *self)
{
  g_return_val_if_fail (CC_IS_HISTORY_ROW (self), NULL);
  return self->operation;
}

void
cc_history_row_set_operation (CcHistoryRow *self,
                              CcOperation  *operation)
{
  g_return_if_fail (CC_IS_HISTORY_ROW (self));

  if (g_set_object (&self->operation, operation))
    {
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPERATION]);
    }
}

gboolean
cc_history_row_get_cached_badge_visible (CcHistoryRow *self)
{
  g_return_val_if_fail (CC_IS_HISTORY_ROW (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->cached_badge));
}
