/* cc-application.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-application.h"
#include "cc-window.h"

struct _CcApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (CcApplication, cc_application, ADW_TYPE_APPLICATION)

static void
cc_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (cc_window_new (ADW_APPLICATION (app)));
  gtk_window_present (window);
}

static void
cc_application_class_init (CcApplicationClass *klass)
{
  G_APPLICATION_CLASS (klass)->activate = cc_application_activate;
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
