/* cc-web-module.h: what the web preview module gives the app, and what it tells it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WebKitGTK and what it pulls in (JavaScriptCore, ICU, GStreamer) cost tens of MiB mapped and
 * relocated at start-up, for a preview many sessions never show. So the app does not link it:
 * the web view lives in a loadable module (webkit/cc-webkit-module.c), opened by CcWebView the
 * first time a preview is shown. The two sides share only this header: plain function tables,
 * so that the module needs no symbol of the program that loads it.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Raised whenever a table changes shape: a module of another version is refused, not called. */
#define CC_WEB_MODULE_VERSION 1
/* The module's one exported symbol, a CcWebModuleGetFunc. */
#define CC_WEB_MODULE_ENTRY   "cc_web_module_get"
/* Its file name in the module directory. */
#define CC_WEB_MODULE_NAME    "libcc-webkit.so"

/* What the web view reports to its owner (the object given to create). */
typedef struct
{
  /* A load began (@loading TRUE) or ended, successfully or not. */
  void (*load_changed)     (GObject      *owner,
                            const char   *uri,
                            gboolean      loading);
  void (*progress_changed) (GObject      *owner,
                            double        progress);
  /* A load failed for a reason a person should see: stops and cancellations are not reported.
   * The web engine's own error page is never shown. */
  void (*load_failed)      (GObject      *owner,
                            const char   *uri,
                            const GError *error);
  /* The main page was answered with 502 and a JSON body: the engine's preview proxy found
   * nothing listening on the port. That answer is not shown. */
  void (*port_closed)      (GObject      *owner);
} CcWebEvents;

typedef struct
{
  guint        version;
  /* A new web view whose events go to @owner while @owner lives. @events must outlive it. */
  GtkWidget  *(*create)       (const CcWebEvents *events,
                               GObject           *owner);
  void        (*load_uri)     (GtkWidget         *view,
                               const char        *uri);
  void        (*stop_loading) (GtkWidget         *view);
  void        (*reload)       (GtkWidget         *view);
  const char *(*get_uri)      (GtkWidget         *view);
} CcWebModule;

typedef const CcWebModule *(*CcWebModuleGetFunc) (void);

G_END_DECLS
