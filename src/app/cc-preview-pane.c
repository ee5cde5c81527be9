/* cc-preview-pane.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-preview-pane.h"
#include "cc-sandbox-error.h"
#include "cc-spinner.h"
#include "cc-web-view.h"

#define LOG_TAIL_LINES 15

struct _CcPreviewPane
{
  AdwBin          parent_instance;

  CcClient       *client;
  CcProject      *project;
  GCancellable   *cancellable;
  char           *url;
  gboolean        running;
  gboolean        busy;
  GSignalGroup   *log_signals;
  guint           attach_id;

  GtkStack       *stack;
  GtkBox         *toolbar;
  GtkEntry       *address_entry;
  GtkStack       *reload_stack;
  GtkProgressBar *progress;
  CcWebView      *web_view;          /* made on first use: it loads the web engine */
  AdwBin         *web_bin;
  GtkTextView    *log_view;
  AdwStatusPage  *failed_page;
  GtkTextView    *failed_log_view;
  GtkWidget      *show_output_button;
  GtkLabel       *starting_label;
};

G_DEFINE_FINAL_TYPE (CcPreviewPane, cc_preview_pane, ADW_TYPE_BIN)

static CcWebView *ensure_web_view (CcPreviewPane *self);

enum { PROP_0, PROP_RUNNING, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { ERROR, SETUP_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
set_state (CcPreviewPane *self,
           gboolean       running,
           gboolean       busy)
{
  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->toolbar), running);
}

static void
on_log_output (CcPreviewPane *self,
               GBytes        *chunk)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter end;
  gsize len;
  const char *data = g_bytes_get_data (chunk, &len);
  g_autofree char *valid = g_utf8_make_valid (data, len);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, valid, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->log_view, &end, 0, FALSE, 0, 0);
}

static gboolean
attach_log (gpointer user_data)
{
  CcPreviewPane *self = user_data;
  CcExecution *server;
  g_autoptr(GObject) attached = NULL;

  if (self->client == NULL || self->project == NULL)
    {
      self->attach_id = 0;
      return G_SOURCE_REMOVE;
    }
  server = cc_client_get_dev_server (self->client, cc_project_get_id (self->project));
  if (server == NULL)
    return self->busy ? G_SOURCE_CONTINUE : (self->attach_id = 0, G_SOURCE_REMOVE);
  attached = g_signal_group_dup_target (self->log_signals);
  if (attached != G_OBJECT (server))
    {
      g_autoptr(GBytes) out = cc_execution_dup_stdout (server);
      g_autoptr(GBytes) err = cc_execution_dup_stderr (server);

      /* What it printed before this look (its first lines, often the ones that say why it
       * stopped), then the rest as it comes: in this turn of the loop, so nothing is missed or
       * shown twice. */
      if (out != NULL && g_bytes_get_size (out) > 0)
        on_log_output (self, out);
      if (err != NULL && g_bytes_get_size (err) > 0)
        on_log_output (self, err);
      g_signal_group_set_target (self->log_signals, server);
    }
  self->attach_id = 0;
  return G_SOURCE_REMOVE;
}

/* The last lines the server printed, for a failure the user has to understand. */
static char *
dup_log_tail (CcPreviewPane *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n, first;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strchomp (text);
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  first = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0;
  return g_strjoinv ("\n", lines + first);
}

/* The pane's own error page, never a page from the engine or from WebKit: what went wrong,
 * the server's last lines, and its whole output one click away. Whatever was shown of the
 * server before is gone, so a dead server's page never looks live. */
static void
show_error_page (CcPreviewPane *self,
                 const char    *title,
                 const char    *description)
{
  g_autofree char *tail = dup_log_tail (self);

  if (self->web_view != NULL)
    {
      cc_web_view_stop_loading (self->web_view);
      cc_web_view_load_uri (self->web_view, "about:blank");
    }
  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, description);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->failed_log_view), tail, -1);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->failed_log_view)), tail[0] != '\0');
  gtk_widget_set_visible (self->show_output_button, tail[0] != '\0');
  gtk_stack_set_visible_child_name (self->stack, "failed");
}

/* All of the output, not only its last lines. */
static void
on_show_output_clicked (CcPreviewPane *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->failed_log_view), text, -1);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->failed_log_view)), TRUE);
  gtk_widget_set_visible (self->show_output_button, FALSE);
}

static gboolean
server_is_alive (CcPreviewPane *self)
{
  CcExecution *server;

  if (self->client == NULL || self->project == NULL)
    return FALSE;
  server = cc_client_get_dev_server (self->client, cc_project_get_id (self->project));
  return server != NULL && !cc_execution_is_done (server);
}

/* The server ended on its own while its page was shown (a stop the user asked for detaches
 * first, so it does not come here). */
static void
on_server_finished (CcPreviewPane *self,
                    CcExecution   *server)
{
  g_autofree char *description = NULL;
  const GError *error = cc_execution_get_error (server);

  if (!self->running)
    return;
  g_signal_group_set_target (self->log_signals, NULL);
  g_clear_pointer (&self->url, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), "");
  set_state (self, FALSE, FALSE);
  if (cc_execution_get_state (server) == CC_EXECUTION_STATE_FINISHED)
    description = g_strdup_printf (_("It exited with status %d. Its last output is below."),
                                   cc_execution_get_exit_code (server));
  else if (error != NULL)
    description = g_strdup (error->message);
  else
    description = g_strdup (_("It was stopped."));
  show_error_page (self, _("The Dev Server Stopped"), description);
}

/* The project as the client has it now: its port may have changed since the pane got it. */
static guint
current_port (CcPreviewPane *self)
{
  CcProject *project;

  if (self->project == NULL)
    return 0;
  project = self->client != NULL ? cc_client_find_project (self->client, cc_project_get_id (self->project)) : NULL;
  return cc_project_get_port (project != NULL ? project : self->project);
}

static void
show_not_answering (CcPreviewPane *self)
{
  g_autofree char *title = NULL;
  guint port = current_port (self);

  title = g_strdup_printf (_("Nothing Answered on Port %u"), port);
  show_error_page (self, title,
                   server_is_alive (self)
                   ? _("The dev server is running but is not listening on its port. Check the port in the project’s settings and the server’s output.")
                   : _("The dev server is not running. Start it again to see the page."));
}

static void
show_failure (CcPreviewPane *self,
              const GError  *error)
{
  const char *title = _("The Dev Server Could Not Be Started");
  guint port = current_port (self);
  g_autofree char *port_title = NULL;

  if (error->domain == CC_SANDBOX_ERROR)
    switch ((CcSandboxError) error->code)
      {
      case CC_SANDBOX_ERROR_PROCESS_EXITED:
        title = _("The Dev Server Stopped Before It Was Ready");
        break;
      case CC_SANDBOX_ERROR_PORT_NOT_OPEN:
        port_title = g_strdup_printf (_("Nothing Answered on Port %u"), port);
        title = port_title;
        break;
      case CC_SANDBOX_ERROR_SANDBOX_GONE:
        title = _("The Sandbox Is Gone");
        break;
      case CC_SANDBOX_ERROR_NO_API_KEY:
      case CC_SANDBOX_ERROR_UNAUTHORIZED:
        title = _("An API Key Is Needed");
        break;
      case CC_SANDBOX_ERROR_ENGINE_UNREACHABLE:
        title = _("The Local Engine Is Not Running");
        break;
      case CC_SANDBOX_ERROR_NETWORK:
      case CC_SANDBOX_ERROR_DNS:
      case CC_SANDBOX_ERROR_TLS:
      case CC_SANDBOX_ERROR_TIMEOUT:
        title = _("The Sandbox Could Not Be Reached");
        break;
      case CC_SANDBOX_ERROR_FAILED:
      case CC_SANDBOX_ERROR_FORBIDDEN:
      case CC_SANDBOX_ERROR_RATE_LIMITED:
      case CC_SANDBOX_ERROR_NOT_FOUND:
      case CC_SANDBOX_ERROR_ALREADY_EXISTS:
      case CC_SANDBOX_ERROR_INVALID_ARGUMENT:
      case CC_SANDBOX_ERROR_DEADLINE:
      case CC_SANDBOX_ERROR_PROTOCOL:
      case CC_SANDBOX_ERROR_DISK_FULL:
      case CC_SANDBOX_ERROR_SERVICE_BUSY:
      case CC_SANDBOX_ERROR_SERVER:
      default:
        break;
      }

  show_error_page (self, title, error->message);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CcPreviewPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = cc_client_start_dev_server_finish (CC_CLIENT (source), result, &error);
  if (url == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      attach_log (self);
      set_state (self, FALSE, FALSE);
      show_failure (self, error);
      return;
    }

  attach_log (self);
  g_free (self->url);
  self->url = g_steal_pointer (&url);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), self->url);
  set_state (self, TRUE, FALSE);
  if (ensure_web_view (self) == NULL)
    return;
  gtk_stack_set_visible_child_name (self->stack, "web");
  cc_web_view_load_uri (self->web_view, self->url);
}

static void
start_dev_server (CcPreviewPane *self)
{
  g_autofree char *label = NULL;

  label = g_strdup_printf (_("Starting the dev server and waiting for port %u to answer…"),
                           cc_project_get_port (self->project));
  gtk_label_set_label (self->starting_label, label);
  cc_client_start_dev_server_async (self->client, cc_project_get_id (self->project), 0, self->cancellable,
                                    start_cb, g_object_ref (self));
  if (self->attach_id == 0)
    self->attach_id = g_timeout_add (200, attach_log, self);
}

static void
setup_progress (CcSetupPhase  phase,
                guint64       done,
                guint64       total,
                GBytes       *output,
                gpointer      user_data)
{
  CcPreviewPane *self = user_data;
  g_autofree char *label = NULL;

  /* The installer's output goes to the same log the server's output goes to afterwards. */
  if (output != NULL)
    {
      on_log_output (self, output);
      return;
    }
  switch (phase)
    {
    case CC_SETUP_PHASE_SANDBOX:
      label = g_strdup (_("The project has not been set up in its sandbox yet: preparing the sandbox…"));
      break;
    case CC_SETUP_PHASE_UPLOAD:
      label = total > 0 ? g_strdup_printf (_("Uploading the project’s files (%u %%)…"), (guint) (done * 100 / total))
                        : g_strdup (_("Uploading the project’s files…"));
      break;
    case CC_SETUP_PHASE_INSTALL:
    default:
      label = g_strdup (_("Installing what the project needs before its dev server can start…"));
      break;
    }
  gtk_label_set_label (self->starting_label, label);
}

static void
setup_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CcPreviewPane) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_setup_project_finish (CC_CLIENT (source), result, &error);

  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_signal_emit (self, signals[SETUP_FINISHED], 0, ok);
  if (!ok)
    {
      set_state (self, FALSE, FALSE);
      show_failure (self, error);
      adw_status_page_set_title (self->failed_page, _("The Project’s Setup Failed"));
      return;
    }
  start_dev_server (self);
}

static void
setup_history_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CcPreviewPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) setups = cc_client_history_finish (CC_CLIENT (source), result, &error);
  CcProject *project;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Never set up (a project made from a template without its setup, or whose setup failed),
   * or without any sandbox yet: its files and dependencies are not in a sandbox, so the server
   * could not start. (A sandbox that the client re-creates gets its setup from the client.)
   * A history that cannot be read does not stop the server: it is tried as it is. */
  project = cc_client_find_project (self->client, cc_project_get_id (self->project));
  if (project == NULL)
    project = self->project;
  if (cc_project_get_sandbox_id (project) != NULL &&
      (setups == NULL || g_list_model_get_n_items (setups) > 0))
    {
      start_dev_server (self);
      return;
    }

  gtk_label_set_label (self->starting_label,
                       _("The project has not been set up in its sandbox yet: uploading its files and installing what it needs…"));
  cc_client_setup_project_async (self->client, cc_project_get_id (self->project), NULL,
                                 setup_progress, g_object_ref (self), g_object_unref, self->cancellable,
                                 setup_cb, g_object_ref (self));
}

void
cc_preview_pane_start (CcPreviewPane *self)
{
  CcHistoryQuery query = { 0 };
  CcExecution *server;

  g_return_if_fail (CC_IS_PREVIEW_PANE (self));

  if (self->client == NULL || self->project == NULL || self->busy)
    return;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", 0);
  gtk_stack_set_visible_child_name (self->stack, "starting");
  set_state (self, FALSE, TRUE);

  /* A running server was set up before it started. */
  server = cc_client_get_dev_server (self->client, cc_project_get_id (self->project));
  if (server != NULL && !cc_execution_is_done (server))
    {
      start_dev_server (self);
      return;
    }

  /* Setup first when the project never had one that succeeded. */
  gtk_label_set_label (self->starting_label, _("Checking whether the project has been set up…"));
  query.project_id = cc_project_get_id (self->project);
  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_SETUP);
  query.status_mask = CC_HISTORY_MASK (CC_OPERATION_STATUS_SUCCESS);
  query.limit = 1;
  query.output_preview = 1;
  cc_client_history_async (self->client, &query, self->cancellable, setup_history_cb, g_object_ref (self));
}

static void
stop_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CcPreviewPane) self = user_data;
  g_autoptr(GError) error = NULL;

  set_state (self, FALSE, FALSE);
  if (!cc_client_stop_dev_server_finish (CC_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[ERROR], 0, _("Could not stop the dev server"), error);
}

void
cc_preview_pane_stop (CcPreviewPane *self)
{
  g_return_if_fail (CC_IS_PREVIEW_PANE (self));

  if (self->client == NULL || self->project == NULL)
    return;

  /* Cancelling the start also stops waiting for the port. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->attach_id, g_source_remove);
  g_signal_group_set_target (self->log_signals, NULL);
  if (self->web_view != NULL)
    cc_web_view_stop_loading (self->web_view);
  g_clear_pointer (&self->url, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "idle");
  set_state (self, FALSE, TRUE);
  cc_client_stop_dev_server_async (self->client, cc_project_get_id (self->project), self->cancellable,
                                   stop_cb, g_object_ref (self));
}

static void
on_reload_clicked (CcPreviewPane *self)
{
  /* Reloading a dead server would only fetch the engine's error answer. */
  if (!server_is_alive (self))
    {
      g_autoptr(CcExecution) server = NULL;
      CcExecution *found = self->client != NULL && self->project != NULL
        ? cc_client_get_dev_server (self->client, cc_project_get_id (self->project)) : NULL;

      if (found != NULL)
        {
          server = g_object_ref (found);
          on_server_finished (self, server);
        }
      else
        {
          set_state (self, FALSE, FALSE);
          show_not_answering (self);
        }
      return;
    }
  if (self->web_view != NULL)
    cc_web_view_reload (self->web_view);
}

/* The engine's proxy answers a port nobody listens on with 502 and a JSON body: that is for
 * programs, not for people, so the web view drops it and the pane shows its own page. */
static void
on_port_closed (CcPreviewPane *self)
{
  show_not_answering (self);
}

/* The web engine's own error pages are not shown either. */
static void
on_load_failed (CcPreviewPane *self,
                const char    *uri,
                const GError  *error)
{
  if (g_strcmp0 (uri, "about:blank") == 0)
    return;
  show_error_page (self, _("The Page Could Not Be Loaded"), error->message);
}

static void
on_stop_loading_clicked (CcPreviewPane *self)
{
  if (self->web_view != NULL)
    cc_web_view_stop_loading (self->web_view);
}

static void
on_address_activate (CcPreviewPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_entry));
  g_autofree char *uri = NULL;

  if (self->url == NULL || text[0] == '\0')
    return;
  /* A path alone ("/about") is relative to the preview URL. */
  if (text[0] == '/')
    {
      g_autoptr(GUri) base = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GUri) resolved = base != NULL ? g_uri_parse_relative (base, text, G_URI_FLAGS_NONE, NULL) : NULL;

      uri = resolved != NULL ? g_uri_to_string (resolved) : NULL;
    }
  else if (g_str_has_prefix (text, "http://") || g_str_has_prefix (text, "https://"))
    uri = g_strdup (text);
  if (uri != NULL && ensure_web_view (self) != NULL)
    cc_web_view_load_uri (self->web_view, uri);
}

static void
launch_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CcPreviewPane) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_signal_emit (self, signals[ERROR], 0, _("Could not open the browser"), error);
}

static void
on_open_browser_clicked (CcPreviewPane *self)
{
  const char *uri = self->web_view != NULL ? cc_web_view_get_uri (self->web_view) : NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (uri == NULL)
    uri = self->url;
  if (uri == NULL)
    return;
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, launch_cb,
                                           g_object_ref (self));
}

static void
on_copy_url_clicked (CcPreviewPane *self)
{
  const char *uri = self->web_view != NULL ? cc_web_view_get_uri (self->web_view) : NULL;

  if (uri == NULL)
    uri = self->url;
  if (uri == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), uri);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Address copied"));
}

static void
on_start_clicked (CcPreviewPane *self)
{
  cc_preview_pane_start (self);
}

static void
on_load_changed (CcPreviewPane *self,
                 const char    *uri,
                 gboolean       loading)
{
  /* about:blank is how a previous project's page is dropped; it is nothing to show. */
  if (g_strcmp0 (uri, "about:blank") == 0)
    {
      gtk_stack_set_visible_child_name (self->reload_stack, "reload");
      gtk_widget_set_visible (GTK_WIDGET (self->progress), FALSE);
      return;
    }
  if (uri != NULL && !gtk_widget_has_focus (GTK_WIDGET (self->address_entry)))
    gtk_editable_set_text (GTK_EDITABLE (self->address_entry), uri);
  gtk_stack_set_visible_child_name (self->reload_stack, loading ? "stop" : "reload");
  gtk_widget_set_visible (GTK_WIDGET (self->progress), loading);
}

static void
on_progress_changed (CcPreviewPane *self,
                     double         progress)
{
  gtk_progress_bar_set_fraction (self->progress, progress);
}

/* NULL, with the pane's error page shown, when the web engine cannot be loaded: the server runs
 * on, and the page can still be opened in a browser. */
static CcWebView *
ensure_web_view (CcPreviewPane *self)
{
  g_autoptr(GError) error = NULL;

  if (self->web_view != NULL)
    return self->web_view;

  self->web_view = cc_web_view_new (&error);
  if (self->web_view == NULL)
    {
      show_error_page (self, _("The Preview Cannot Be Shown"), error->message);
      return NULL;
    }
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "port-closed", G_CALLBACK (on_port_closed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "load-failed", G_CALLBACK (on_load_failed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "progress-changed", G_CALLBACK (on_progress_changed), self,
                           G_CONNECT_SWAPPED);
  adw_bin_set_child (self->web_bin, GTK_WIDGET (self->web_view));
  return self->web_view;
}

static void
cc_preview_pane_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CcPreviewPane *self = CC_PREVIEW_PANE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_preview_pane_dispose (GObject *object)
{
  CcPreviewPane *self = CC_PREVIEW_PANE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->attach_id, g_source_remove);
  if (self->log_signals != NULL)
    g_signal_group_set_target (self->log_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_PREVIEW_PANE);
  self->web_view = NULL;   /* owned by web_bin */
  g_clear_object (&self->log_signals);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  g_clear_pointer (&self->url, g_free);
  G_OBJECT_CLASS (cc_preview_pane_parent_class)->dispose (object);
}

static void
cc_preview_pane_class_init (CcPreviewPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_preview_pane_dispose;
  object_class->get_property = cc_preview_pane_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  /**
   * CcPreviewPane::setup-finished:
   * @ok: whether it succeeded
   *
   * The setup that starting the dev server of a never set up project ran first has ended.
   */
  signals[SETUP_FINISHED] = g_signal_new ("setup-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (CC_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-preview-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, stack);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, toolbar);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, address_entry);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, reload_stack);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, progress);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, web_bin);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, log_view);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, failed_page);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, failed_log_view);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, starting_label);
  gtk_widget_class_bind_template_child (widget_class, CcPreviewPane, show_output_button);
  gtk_widget_class_bind_template_callback (widget_class, on_show_output_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_reload_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_loading_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_address_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_open_browser_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_url_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_start_clicked);
}

static void
cc_preview_pane_init (CcPreviewPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->log_signals = g_signal_group_new (CC_TYPE_EXECUTION);
  g_signal_group_connect_object (self->log_signals, "stdout", G_CALLBACK (on_log_output), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->log_signals, "stderr", G_CALLBACK (on_log_output), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->log_signals, "finished", G_CALLBACK (on_server_finished), self, G_CONNECT_SWAPPED);
  set_state (self, FALSE, FALSE);
}

void
cc_preview_pane_set_project (CcPreviewPane *self,
                             CcClient      *client,
                             CcProject     *project)
{
  CcExecution *server = NULL;

  g_return_if_fail (CC_IS_PREVIEW_PANE (self));

  if (self->project == project)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->attach_id, g_source_remove);
  g_signal_group_set_target (self->log_signals, NULL);
  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  g_clear_pointer (&self->url, g_free);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", 0);
  if (self->web_view != NULL)
    cc_web_view_load_uri (self->web_view, "about:blank");
  gtk_stack_set_visible_child_name (self->stack, "idle");
  set_state (self, FALSE, FALSE);

  /* A server left running for this project: show it again (start reuses it). */
  if (client != NULL && project != NULL)
    server = cc_client_get_dev_server (client, cc_project_get_id (project));
  if (server != NULL && !cc_execution_is_done (server))
    cc_preview_pane_start (self);
}

gboolean
cc_preview_pane_get_running (CcPreviewPane *self)
{
  g_return_val_if_fail (CC_IS_PREVIEW_PANE (self), FALSE);
  return self->running;
}

gboolean
cc_preview_pane_get_busy (CcPreviewPane *self)
{
  g_return_val_if_fail (CC_IS_PREVIEW_PANE (self), FALSE);
  return self->busy;
}

const char *
cc_preview_pane_get_url (CcPreviewPane *self)
{
  g_return_val_if_fail (CC_IS_PREVIEW_PANE (self), NULL);
  return self->url;
}

GtkWidget *
cc_preview_pane_get_web_view (CcPreviewPane *self)
{
  g_return_val_if_fail (CC_IS_PREVIEW_PANE (self), NULL);
  return self->web_view != NULL ? cc_web_view_get_view (self->web_view) : NULL;
}

const char *
cc_preview_pane_get_state (CcPreviewPane *self)
{
  g_return_val_if_fail (CC_IS_PREVIEW_PANE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
