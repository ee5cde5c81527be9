/* cc-window.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-window.h"

struct _CcWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (CcWindow, cc_window, ADW_TYPE_APPLICATION_WINDOW)

static void
cc_window_class_init (CcWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-window.ui");
}

static void
cc_window_init (CcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CcWindow *
cc_window_new (AdwApplication *application)
{
  return g_object_new (CC_TYPE_WINDOW, "application", application, NULL);
}
