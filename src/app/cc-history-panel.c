/* cc-history-panel.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-history-panel.h"
#include "cc-history-row.h"

struct _CcHistoryPanel
{
  AdwBin              parent_instance;

  CcClient           *client;
  CcProject          *project;
  GCancellable       *cancellable;
  GListStore         *store;
  GtkSingleSelection *selection;
  guint               reload_serial;

  GtkListView        *list_view;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *status_dropdown;
  GtkTextView        *output_view;
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  GtkButton          *rerun_button;
  GtkButton          *clear_cache_button;
};

G_DEFINE_FINAL_TYPE (CcHistoryPanel, cc_history_panel, ADW_TYPE_BIN)

enum { RERUN_REQUESTED, ERROR, LOADED, CACHE_CLEARED, N_SIGNALS };
static guint signals[N_SIGNALS];

static CcOperation *
get_selected (CcHistoryPanel *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
update_output (CcHistoryPanel *self)
{
  CcOperation *op = get_selected (self);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean is_command = op != NULL && cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_COMMAND;

  gtk_widget_set_sensitive (GTK_WIDGET (self->rerun_button), is_command);
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_cache_button), is_command);

  if (op != NULL)
    {
      const char *out = cc_operation_get_stdout (op);
      const char *err = cc_operation_get_stderr (op);
      const char *error = cc_operation_get_error (op);

      if (out != NULL && out[0] != '\0')
        g_string_append (text, out);
      if (cc_operation_get_stdout_truncated (op))
        g_string_append (text, _("\n[… the middle of the output was not kept …]\n"));
      if (err != NULL && err[0] != '\0')
        {
          if (text->len > 0 && text->str[text->len - 1] != '\n')
            g_string_append_c (text, '\n');
          g_string_append (text, err);
        }
      if (error != NULL && error[0] != '\0')
        {
          if (text->len > 0 && text->str[text->len - 1] != '\n')
            g_string_append_c (text, '\n');
          g_string_append (text, error);
        }
      if (text->len == 0)
        g_string_append (text, _("(no output)"));
    }
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    g_string_append (text, _("Select a record to see its output."));
  gtk_text_buffer_set_text (buffer, text->str, text->len);
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      CcHistoryPanel     *self)
{
  update_output (self);
}

typedef struct
{
  CcHistoryPanel *self;
  guint           serial;
} ReloadData;

static void
history_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ReloadData *data = user_data;
  g_autoptr(CcHistoryPanel) self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) records = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint serial = data->serial;

  g_free (data);
  records = cc_client_history_finish (CC_CLIENT (source), result, &error);
  if (serial != self->reload_serial)
    return;   /* an answer to a filter the user already changed */
  if (records == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_title (self->empty_page, _("History Unavailable"));
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  for (guint i = 0; i < g_list_model_get_n_items (records); i++)
    g_ptr_array_add (items, g_list_model_get_item (records, i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  if (items->len == 0)
    {
      const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
      gboolean filtered = search[0] != '\0' || gtk_drop_down_get_selected (self->status_dropdown) != 0;

      adw_status_page_set_title (self->empty_page,
                                 filtered ? _("No Matching Records") : _("Nothing Ran Yet"));
      adw_status_page_set_description (self->empty_page,
                                       filtered ? _("Try other words, or show every status")
                                                : _("Commands, file changes and setups show up here"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
  update_output (self);
  g_signal_emit (self, signals[LOADED], 0);
}

static void
query_history (CcHistoryPanel *self,
               guint           serial)
{
  CcHistoryQuery filter = { 0 };
  ReloadData *data;
  guint status;

  filter.project_id = cc_project_get_id (self->project);
  filter.search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  if (filter.search[0] == '\0')
    filter.search = NULL;
  status = gtk_drop_down_get_selected (self->status_dropdown);
  filter.status_mask = status == 1 ? CC_HISTORY_MASK (CC_OPERATION_STATUS_SUCCESS)
                     : status == 2 ? CC_HISTORY_MASK (CC_OPERATION_STATUS_ERROR)
                     : status == 3 ? CC_HISTORY_MASK (CC_OPERATION_STATUS_PENDING) : 0;
  /* Listings and reads are the file tree's own traffic, not something the user did. */
  filter.type_mask = ~(CC_HISTORY_MASK (CC_OPERATION_TYPE_FILE_LIST) | CC_HISTORY_MASK (CC_OPERATION_TYPE_FILE_READ)) &
                     (CC_HISTORY_MASK (CC_OPERATION_TYPE_LAST + 1) - 1);
  filter.limit = 200;

  data = g_new0 (ReloadData, 1);
  data->self = g_object_ref (self);
  data->serial = serial;
  cc_client_history_async (self->client, &filter, self->cancellable, history_cb, data);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ReloadData *data = user_data;
  g_autoptr(CcHistoryPanel) self = data->self;
  guint serial = data->serial;
  g_autoptr(GError) error = NULL;

  g_free (data);
  if (!cc_client_flush_finish (CC_CLIENT (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (serial == self->reload_serial && self->client != NULL && self->project != NULL)
    query_history (self, serial);
}

void
cc_history_panel_reload (CcHistoryPanel *self)
{
  ReloadData *data;

  g_return_if_fail (CC_IS_HISTORY_PANEL (self));

  if (self->client == NULL || self->project == NULL)
    return;

  /* Records are written in the background: wait for what already happened to be stored, so
   * that the command that just ended is in the list. */
  data = g_new0 (ReloadData, 1);
  data->self = g_object_ref (self);
  data->serial = ++self->reload_serial;
  cc_client_flush_async (self->client, self->cancellable, flush_cb, data);
}

static void
on_filter_changed (CcHistoryPanel *self)
{
  cc_history_panel_reload (self);
}

static void
on_rerun_clicked (CcHistoryPanel *self)
{
  CcOperation *op = get_selected (self);

  if (op != NULL && cc_operation_get_operation_type (op) == CC_OPERATION_TYPE_COMMAND)
    g_signal_emit (self, signals[RERUN_REQUESTED], 0, cc_operation_get_input (op));
}

static void
clear_cache_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CcHistoryPanel) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_clear_cache_finish (CC_CLIENT (source), result, &error))
    g_signal_emit (self, signals[ERROR], 0, _("Could not clear the cached result"), error);
  else
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                  _("Cached result cleared: the command runs again next time"));
      g_signal_emit (self, signals[CACHE_CLEARED], 0);
    }
}

static void
on_clear_cache_clicked (CcHistoryPanel *self)
{
  CcOperation *op = get_selected (self);

  if (op == NULL || self->project == NULL)
    return;
  cc_client_clear_cache_async (self->client, cc_project_get_id (self->project), cc_operation_get_input (op),
                               self->cancellable, clear_cache_cb, g_object_ref (self));
}

static void
on_activate (GtkListView    *list_view,
             guint           position,
             CcHistoryPanel *self)
{
  on_rerun_clicked (self);
}

static void
cc_history_panel_dispose (GObject *object)
{
  CcHistoryPanel *self = CC_HISTORY_PANEL (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_HISTORY_PANEL);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_history_panel_parent_class)->dispose (object);
}

static void
cc_history_panel_class_init (CcHistoryPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_history_panel_dispose;

  signals[RERUN_REQUESTED] = g_signal_new ("rerun-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  /* Emitted after each reload has replaced the list (tests wait on it). */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                  NULL, G_TYPE_NONE, 0);

  /* The selected command's cached result is gone: its next run really runs. */
  signals[CACHE_CLEARED] = g_signal_new ("cache-cleared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CC_TYPE_HISTORY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-history-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, output_view);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, rerun_button);
  gtk_widget_class_bind_template_child (widget_class, CcHistoryPanel, clear_cache_button);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_rerun_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_cache_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
}

static void
cc_history_panel_init (CcHistoryPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (CC_TYPE_OPERATION);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self, 0);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  update_output (self);
}

void
cc_history_panel_set_project (CcHistoryPanel *self,
                              CcClient       *client,
                              CcProject      *project)
{
  g_return_if_fail (CC_IS_HISTORY_PANEL (self));

  if (self->project == project)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  g_list_store_remove_all (self->store);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  cc_history_panel_reload (self);
}

GListModel *
cc_history_panel_get_model (CcHistoryPanel *self)
{
  g_return_val_if_fail (CC_IS_HISTORY_PANEL (self), NULL);
  return G_LIST_MODEL (self->store);
}

void
cc_history_panel_select (CcHistoryPanel *self,
                         guint           position)
{
  g_return_if_fail (CC_IS_HISTORY_PANEL (self));
  gtk_single_selection_set_selected (self->selection, position);
}

char *
cc_history_panel_dup_output (CcHistoryPanel *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CC_IS_HISTORY_PANEL (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
