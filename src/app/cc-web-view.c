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

/* The application's action for the key (@keyval with @state), tried as pressed and, with
 * Shift, as the key's own symbol: "<Control><Shift>period" arrives as Ctrl+greater. */
static gboolean
activate_app_accel (GtkWidget       *widget,
                    guint            keyval,
                    guint            keycode,
                    GdkModifierType  state)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();
  guint unshifted = keyval;

  if (app == NULL)
    return FALSE;
  if (mods & GDK_SHIFT_MASK)
    gdk_display_translate_key (gtk_widget_get_display (widget), keycode, 0, 0, &unshifted,
                               NULL, NULL, NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *accel = gtk_accelerator_name (i == 0 ? keyval : unshifted, mods);
      g_auto(GStrv) actions = gtk_application_get_actions_for_accel (app, accel);
      g_autofree char *name = NULL;
      g_autoptr(GVariant) target = NULL;

      if (actions == NULL || actions[0] == NULL ||
          !g_action_parse_detailed_name (actions[0], &name, &target, NULL))
        continue;
      if (gtk_widget_activate_action_variant (widget, name, target))
        return TRUE;
    }
  return FALSE;
}

/* A web page takes every key it is given, and WebKit tells GTK only later whether it used it:
 * the app's shortcuts (those with Ctrl or Alt) would never reach the window while the preview
 * has the focus. They are tried first; typing into the page is left alone. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CcWebView             *self)
{
  if (!(state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  return activate_app_accel (GTK_WIDGET (self), keyval, keycode, state);
}

static void
cc_web_view_init (CcWebView *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
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
