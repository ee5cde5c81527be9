/* cc-web-view.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app does not link WebKitGTK (see cc-web-module.h): a CcWebView opens the web module when
 * the first one is made, and wraps the module's widget in signals of its own.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "cc-web-module.h"
#include "cc-web-view-private.h"

struct _CcWebView
{
  AdwBin             parent_instance;

  const CcWebModule *module;   /* resident: never unloaded */
  GtkWidget         *view;     /* owned by the bin */
};

G_DEFINE_FINAL_TYPE (CcWebView, cc_web_view, ADW_TYPE_BIN)

enum { LOAD_CHANGED, PROGRESS_CHANGED, LOAD_FAILED, PORT_CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
emit_load_changed (GObject    *owner,
                   const char *uri,
                   gboolean    loading)
{
  g_signal_emit (owner, signals[LOAD_CHANGED], 0, uri, loading);
}

static void
emit_progress_changed (GObject *owner,
                       double   progress)
{
  g_signal_emit (owner, signals[PROGRESS_CHANGED], 0, progress);
}

static void
emit_load_failed (GObject      *owner,
                  const char   *uri,
                  const GError *error)
{
  g_signal_emit (owner, signals[LOAD_FAILED], 0, uri, error);
}

static void
emit_port_closed (GObject *owner)
{
  g_signal_emit (owner, signals[PORT_CLOSED], 0);
}

static const CcWebEvents events = {
  .load_changed = emit_load_changed,
  .progress_changed = emit_progress_changed,
  .load_failed = emit_load_failed,
  .port_closed = emit_port_closed,
};

static void
cc_web_view_class_init (CcWebViewClass *klass)
{
  /**
   * CcWebView::load-changed:
   * @uri: (nullable): the page's address
   * @loading: TRUE when a load began, FALSE when it ended
   */
  signals[LOAD_CHANGED] = g_signal_new ("load-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[PROGRESS_CHANGED] = g_signal_new ("progress-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                            NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  /**
   * CcWebView::load-failed:
   * @uri: (nullable): the page that failed
   * @error: why, for a person
   */
  signals[LOAD_FAILED] = g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  /**
   * CcWebView::port-closed:
   *
   * The engine's preview proxy answered that nothing listens on the port; its answer is not shown.
   */
  signals[PORT_CLOSED] = g_signal_new ("port-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cc_web_view_init (CcWebView *self)
{
}

const char *
_cc_web_view_get_module_dir (void)
{
  const char *dir = g_getenv ("CODE_CANVAS_MODULE_DIR");

  return dir != NULL && dir[0] != '\0' ? dir : MODULEDIR;
}

/* Opening an open module only takes a reference; the module stays resident, since a web engine
 * that has started threads and registered types cannot be unloaded. */
static const CcWebModule *
load_module (const char  *module_dir,
             GError     **error)
{
  g_autofree char *path = g_build_filename (module_dir, CC_WEB_MODULE_NAME, NULL);
  GModule *gmodule;
  CcWebModuleGetFunc get_module = NULL;
  const CcWebModule *module;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The web preview module is not installed (%s is missing). Reinstall Code Canvas to show previews, or open the page in a browser."),
                   path);
      return NULL;
    }
  gmodule = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (gmodule == NULL)
    {
      /* Most often WebKitGTK itself is missing or of another version. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The web preview module could not be loaded: %s. Check that WebKitGTK 6.0 is installed, or open the page in a browser."),
                   g_module_error ());
      return NULL;
    }
  g_module_make_resident (gmodule);
  if (!g_module_symbol (gmodule, CC_WEB_MODULE_ENTRY, (gpointer *) &get_module) || get_module == NULL ||
      (module = get_module ()) == NULL || module->version != CC_WEB_MODULE_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The web preview module %s belongs to another version of Code Canvas. Reinstall Code Canvas to show previews."),
                   path);
      return NULL;
    }
  return module;
}

CcWebView *
_cc_web_view_new_from_dir (const char  *module_dir,
                           GError     **error)
{
  const CcWebModule *module;
  CcWebView *self;

  g_return_val_if_fail (module_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  module = load_module (module_dir, error);
  if (module == NULL)
    return NULL;
  self = g_object_new (CC_TYPE_WEB_VIEW, NULL);
  self->module = module;
  self->view = module->create (&events, G_OBJECT (self));
  gtk_widget_set_hexpand (self->view, TRUE);
  gtk_widget_set_vexpand (self->view, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Preview of the dev server"), -1);
  adw_bin_set_child (ADW_BIN (self), self->view);
  return self;
}

CcWebView *
cc_web_view_new (GError **error)
{
  return _cc_web_view_new_from_dir (_cc_web_view_get_module_dir (), error);
}

void
cc_web_view_load_uri (CcWebView  *self,
                      const char *uri)
{
  g_return_if_fail (CC_IS_WEB_VIEW (self));
  g_return_if_fail (uri != NULL);
  self->module->load_uri (self->view, uri);
}

void
cc_web_view_stop_loading (CcWebView *self)
{
  g_return_if_fail (CC_IS_WEB_VIEW (self));
  self->module->stop_loading (self->view);
}

void
cc_web_view_reload (CcWebView *self)
{
  g_return_if_fail (CC_IS_WEB_VIEW (self));
  self->module->reload (self->view);
}

const char *
cc_web_view_get_uri (CcWebView *self)
{
  g_return_val_if_fail (CC_IS_WEB_VIEW (self), NULL);
  return self->module->get_uri (self->view);
}

GtkWidget *
cc_web_view_get_view (CcWebView *self)
{
  g_return_val_if_fail (CC_IS_WEB_VIEW (self), NULL);
  return self->view;
}
