/* cc-shell-view.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The remote side is a PTY, so VTE gets its bytes untouched, keys go back through VTE's
 * "commit" signal, and the PTY is resized whenever VTE's grid changes size.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-shell-view.h"

struct _CcShellView
{
  AdwBin           parent_instance;

  CcClient        *client;
  CcProject       *project;
  CcExecution     *shell;             /* the running shell (a PTY execution) */
  GCancellable    *cancellable;       /* of the open and of the current shell's calls */
  GSignalGroup    *shell_signals;

  GtkStack        *stack;
  AdwStatusPage   *start_page;
  CcTerminalView  *terminal;
};

G_DEFINE_FINAL_TYPE (CcShellView, cc_shell_view, ADW_TYPE_BIN)

enum { ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
ignore_result_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  /* Keystrokes and resizes of a shell that just went away fail; nothing to tell. */
}

static void
on_output (CcShellView *self,
           GBytes      *chunk,
           CcExecution *shell)
{
  cc_terminal_view_feed_pty (self->terminal, chunk);
}

static void
on_finished (CcShellView *self,
             CcExecution *shell)
{
  cc_terminal_view_print_line (self->terminal, "2", _("[The shell ended. Press Enter for a new one.]"));
  g_signal_group_set_target (self->shell_signals, NULL);
  g_clear_object (&self->shell);
}

static void
on_commit (VteTerminal *terminal,
           const char  *text,
           guint        size,
           CcShellView *self)
{
  g_autoptr(GBytes) bytes = NULL;

  if (self->shell == NULL)
    {
      if (size > 0 && (text[0] == '\r' || text[0] == '\n'))
        cc_shell_view_open (self);
      return;
    }
  bytes = g_bytes_new (text, size);
  cc_execution_send_stdin_async (self->shell, bytes, self->cancellable, ignore_result_cb, NULL);
}

static void
on_grid_resized (CcTerminalView *terminal,
                 guint           columns,
                 guint           rows,
                 CcShellView    *self)
{
  if (self->shell != NULL && columns > 0 && rows > 0)
    cc_execution_resize_async (self->shell, columns, rows, self->cancellable, ignore_result_cb, NULL);
}

static void
open_shell_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcShellView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) shell = NULL;

  shell = cc_client_open_shell_finish (CC_CLIENT (source), result, &error);
  if (shell == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_title (self->start_page, _("The Shell Could Not Be Opened"));
      adw_status_page_set_description (self->start_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "start");
      return;
    }

  self->shell = g_steal_pointer (&shell);
  g_signal_group_set_target (self->shell_signals, self->shell);
  gtk_stack_set_visible_child_name (self->stack, "terminal");
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
  /* The widget may have changed size while we waited. */
  on_grid_resized (self->terminal, vte_terminal_get_column_count (VTE_TERMINAL (self->terminal)),
                   vte_terminal_get_row_count (VTE_TERMINAL (self->terminal)), self);
}

void
cc_shell_view_open (CcShellView *self)
{
  glong columns, rows;

  g_return_if_fail (CC_IS_SHELL_VIEW (self));

  if (self->client == NULL || self->project == NULL || self->shell != NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  columns = MAX (vte_terminal_get_column_count (VTE_TERMINAL (self->terminal)), 20);
  rows = MAX (vte_terminal_get_row_count (VTE_TERMINAL (self->terminal)), 5);
  gtk_stack_set_visible_child_name (self->stack, "terminal");
  cc_client_open_shell_async (self->client, cc_project_get_id (self->project), columns, rows,
                              self->cancellable, open_shell_cb, g_object_ref (self));
}

void
cc_shell_view_close (CcShellView *self)
{
  g_return_if_fail (CC_IS_SHELL_VIEW (self));

  g_cancellable_cancel (self->cancellable);
  if (self->shell != NULL)
    {
      g_signal_group_set_target (self->shell_signals, NULL);
      /* A shell nobody can see any more must not keep running. */
      cc_execution_cancel (self->shell);
      g_clear_object (&self->shell);
    }
}

static void
on_open_clicked (GtkButton   *button,
                 CcShellView *self)
{
  cc_shell_view_open (self);
}

static void
cc_shell_view_map (GtkWidget *widget)
{
  CcShellView *self = CC_SHELL_VIEW (widget);

  GTK_WIDGET_CLASS (cc_shell_view_parent_class)->map (widget);
  /* Opening the tab is asking for a shell. */
  if (self->shell == NULL && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "start") == 0 &&
      self->project != NULL)
    cc_shell_view_open (self);
}

static void
cc_shell_view_dispose (GObject *object)
{
  CcShellView *self = CC_SHELL_VIEW (object);

  if (self->shell_signals != NULL)
    cc_shell_view_close (self);
  /* The bin's child is a bound template child: let AdwBin drop it first, so that it is not
   * unparented twice. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_SHELL_VIEW);
  g_clear_object (&self->shell_signals);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_shell_view_parent_class)->dispose (object);
}

static void
cc_shell_view_class_init (CcShellViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_shell_view_dispose;
  widget_class->map = cc_shell_view_map;

  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);

  g_type_ensure (CC_TYPE_TERMINAL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-shell-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CcShellView, stack);
  gtk_widget_class_bind_template_child (widget_class, CcShellView, start_page);
  gtk_widget_class_bind_template_child (widget_class, CcShellView, terminal);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_commit);
  gtk_widget_class_bind_template_callback (widget_class, on_grid_resized);
}

static void
cc_shell_view_init (CcShellView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->shell_signals = g_signal_group_new (CC_TYPE_EXECUTION);
  g_signal_group_connect_object (self->shell_signals, "stdout", G_CALLBACK (on_output), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->shell_signals, "finished", G_CALLBACK (on_finished), self, G_CONNECT_SWAPPED);
}

void
cc_shell_view_set_project (CcShellView *self,
                           CcClient    *client,
                           CcProject   *project)
{
  g_return_if_fail (CC_IS_SHELL_VIEW (self));

  if (self->project == project)
    return;

  cc_shell_view_close (self);
  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  vte_terminal_reset (VTE_TERMINAL (self->terminal), TRUE, TRUE);
  adw_status_page_set_title (self->start_page, _("Shell"));
  adw_status_page_set_description (self->start_page,
                                   _("An interactive shell in the project’s sandbox"));
  gtk_stack_set_visible_child_name (self->stack, "start");
  if (project != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    cc_shell_view_open (self);
}

CcTerminalView *
cc_shell_view_get_terminal (CcShellView *self)
{
  g_return_val_if_fail (CC_IS_SHELL_VIEW (self), NULL);
  return self->terminal;
}

gboolean
cc_shell_view_is_open (CcShellView *self)
{
  g_return_val_if_fail (CC_IS_SHELL_VIEW (self), FALSE);
  return self->shell != NULL;
}
