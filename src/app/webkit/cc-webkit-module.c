/* cc-webkit-module.c: the preview's web view, WebKitGTK behind the table of cc-web-module.h
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Built as a loadable module so that only a session that shows a preview maps WebKitGTK.
 * Every WebKit type stays in this file.
 */
#include <string.h>
#include <webkit/webkit.h>

#include "cc-web-module.h"

#define EVENTS_KEY "cc-web-events"

const CcWebModule *cc_web_module_get (void);

static const CcWebEvents *
get_events (WebKitWebView *web_view)
{
  return g_object_get_data (G_OBJECT (web_view), EVENTS_KEY);
}

static void
on_load_changed (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 GObject         *owner)
{
  get_events (web_view)->load_changed (owner, webkit_web_view_get_uri (web_view),
                                       event != WEBKIT_LOAD_FINISHED);
}

static void
on_progress_changed (WebKitWebView *web_view,
                     GParamSpec    *pspec,
                     GObject       *owner)
{
  get_events (web_view)->progress_changed (owner, webkit_web_view_get_estimated_load_progress (web_view));
}

static gboolean
on_decide_policy (WebKitWebView            *web_view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  GObject                  *owner)
{
  WebKitURIResponse *response;
  const char *mime;

  if (type != WEBKIT_POLICY_DECISION_TYPE_RESPONSE ||
      !webkit_response_policy_decision_is_main_frame_main_resource (WEBKIT_RESPONSE_POLICY_DECISION (decision)))
    return FALSE;
  response = webkit_response_policy_decision_get_response (WEBKIT_RESPONSE_POLICY_DECISION (decision));
  mime = webkit_uri_response_get_mime_type (response);
  if (webkit_uri_response_get_status_code (response) != 502 || mime == NULL || strstr (mime, "json") == NULL)
    return FALSE;
  webkit_policy_decision_ignore (decision);
  get_events (web_view)->port_closed (owner);
  return TRUE;
}

/* TRUE always: WebKit's own error pages are never shown, the owner shows its own. */
static gboolean
on_load_failed (WebKitWebView   *web_view,
                WebKitLoadEvent  event,
                const char      *uri,
                GError          *error,
                GObject         *owner)
{
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED) ||
      g_error_matches (error, WEBKIT_POLICY_ERROR, WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    return TRUE;
  get_events (web_view)->load_failed (owner, uri, error);
  return TRUE;
}

static GtkWidget *
create_view (const CcWebEvents *events,
             GObject           *owner)
{
  WebKitWebView *web_view = WEBKIT_WEB_VIEW (webkit_web_view_new ());

  g_object_set_data (G_OBJECT (web_view), EVENTS_KEY, (gpointer) events);
  g_signal_connect_object (web_view, "load-changed", G_CALLBACK (on_load_changed), owner, 0);
  g_signal_connect_object (web_view, "decide-policy", G_CALLBACK (on_decide_policy), owner, 0);
  g_signal_connect_object (web_view, "load-failed", G_CALLBACK (on_load_failed), owner, 0);
  g_signal_connect_object (web_view, "notify::estimated-load-progress",
                           G_CALLBACK (on_progress_changed), owner, 0);
  return GTK_WIDGET (web_view);
}

static void
load_uri (GtkWidget  *view,
          const char *uri)
{
  webkit_web_view_load_uri (WEBKIT_WEB_VIEW (view), uri);
}

static void
stop_loading (GtkWidget *view)
{
  webkit_web_view_stop_loading (WEBKIT_WEB_VIEW (view));
}

static void
reload (GtkWidget *view)
{
  webkit_web_view_reload (WEBKIT_WEB_VIEW (view));
}

static const char *
get_uri (GtkWidget *view)
{
  return webkit_web_view_get_uri (WEBKIT_WEB_VIEW (view));
}

static const CcWebModule module = {
  .version = CC_WEB_MODULE_VERSION,
  .create = create_view,
  .load_uri = load_uri,
  .stop_loading = stop_loading,
  .reload = reload,
  .get_uri = get_uri,
};

G_MODULE_EXPORT const CcWebModule *
cc_web_module_get (void)
{
  return &module;
}
