/* cc-command-view.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Enter runs the entry's text; while a command runs, Enter sends the text to its stdin instead
 * (when it was started with stdin: the cache toggle off), Ctrl+C or the stop button kills it,
 * Ctrl+D closes its stdin. Up and Down walk through what was typed before.
 *
 * The cache toggle starts off and is remembered per project (the "project-cache" setting; a
 * project never toggled follows "use-cache"): a cached answer cannot take input, and one the
 * user did not ask for looks like a command that ran.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cc-command-view.h"

#define HISTORY_MAX 200

struct _CcCommandView
{
  GtkBox           parent_instance;

  CcClient        *client;
  char            *project_id;
  CcExecution     *execution;
  GSignalGroup    *execution_signals;
  GCancellable    *cancellable;
  GPtrArray       *recall;            /* earlier commands, oldest first */
  int              recall_pos;        /* -1 = not recalling */
  char            *recall_draft;

  CcTerminalView  *terminal;
  GtkEntry        *entry;
  GtkToggleButton *cache_button;
  GtkButton       *stop_button;
  GtkLabel        *status_label;
  GtkLabel        *prompt_label;
  GSettings       *settings;
};

G_DEFINE_FINAL_TYPE (CcCommandView, cc_command_view, GTK_TYPE_BOX)

enum { EXECUTION_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
is_running (CcCommandView *self)
{
  return self->execution != NULL && !cc_execution_is_done (self->execution);
}

static void
update_controls (CcCommandView *self)
{
  gboolean running = is_running (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cache_button), !running);
  gtk_label_set_label (self->prompt_label, running ? "›" : "$");
  if (running)
    gtk_entry_set_placeholder_text (self->entry, _("Input for the running command (Ctrl+D ends it, Ctrl+C stops it)"));
  else
    gtk_entry_set_placeholder_text (self->entry, _("Type a command and press Enter"));
}

static void
on_stdout (CcExecution   *execution,
           GBytes        *chunk,
           CcCommandView *self)
{
  cc_terminal_view_feed_output (self->terminal, chunk);
}

static void
on_stdout_swapped (CcCommandView *self,
                   GBytes        *chunk,
                   CcExecution   *execution)
{
  on_stdout (execution, chunk, self);
}

/* stderr in the theme's red, so that it stands apart from stdout. */
static void
on_stderr_swapped (CcCommandView *self,
                   GBytes        *chunk,
                   CcExecution   *execution)
{
  /* The colour codes go to VTE directly: they are not output, and must not count as a line
   * left open. */
  vte_terminal_feed (VTE_TERMINAL (self->terminal), "\033[31m", -1);
  cc_terminal_view_feed_output (self->terminal, chunk);
  vte_terminal_feed (VTE_TERMINAL (self->terminal), "\033[39m", -1);
}

static char *
format_duration (gint64 ms)
{
  if (ms < 1000)
    return g_strdup_printf (_("%lld ms"), (long long) ms);
  if (ms < 60000)
    return g_strdup_printf (_("%.1f s"), ms / 1000.0);
  return g_strdup_printf (_("%d min %d s"), (int) (ms / 60000), (int) ((ms / 1000) % 60));
}

static void
on_finished (CcCommandView *self,
             CcExecution   *execution)
{
  g_autofree char *status = NULL;
  g_autofree char *duration = format_duration (cc_execution_get_duration_ms (execution));
  const GError *error = cc_execution_get_error (execution);
  const char *sgr = "2";

  switch (cc_execution_get_state (execution))
    {
    case CC_EXECUTION_STATE_FINISHED:
      if (cc_execution_get_cached (execution))
        {
          g_autofree char *age = cc_execution_get_cached_at (execution) > 0
            ? cc_operation_format_age (cc_execution_get_cached_at (execution), g_get_real_time ())
            : NULL;

          /* Translators: the last part is how old the cached answer is, e.g. "5 min ago". */
          status = age != NULL
            ? g_strdup_printf (_("Exit code %d · %s · cached result from %s"),
                               cc_execution_get_exit_code (execution), duration, age)
            : g_strdup_printf (_("Exit code %d · %s · cached result"),
                               cc_execution_get_exit_code (execution), duration);
        }
      else
        status = g_strdup_printf (_("Exit code %d · %s"), cc_execution_get_exit_code (execution), duration);
      sgr = cc_execution_get_exit_code (execution) == 0 ? "32" : "1;31";
      break;

    case CC_EXECUTION_STATE_CANCELLED:
      status = g_strdup_printf (_("Stopped after %s"), duration);
      sgr = "33";
      break;

    case CC_EXECUTION_STATE_FAILED:
      status = g_strdup_printf (_("Could not run the command: %s"),
                                error != NULL ? error->message : _("unknown error"));
      sgr = "1;31";
      break;

    case CC_EXECUTION_STATE_PENDING:
    case CC_EXECUTION_STATE_RUNNING:
    default:
      return;
    }

  cc_terminal_view_print_line (self->terminal, sgr, status);
  gtk_label_set_label (self->status_label, status);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label),
                            g_str_has_prefix (sgr, "32") ? "success" : g_str_has_prefix (sgr, "2") ? "dim-label" : "error");
  update_controls (self);
  g_signal_emit (self, signals[EXECUTION_FINISHED], 0, execution);
}

static void
remember (CcCommandView *self,
          const char    *command)
{
  if (self->recall->len > 0 &&
      g_strcmp0 (g_ptr_array_index (self->recall, self->recall->len - 1), command) == 0)
    return;
  g_ptr_array_add (self->recall, g_strdup (command));
  if (self->recall->len > HISTORY_MAX)
    g_ptr_array_remove_index (self->recall, 0);
}

void
cc_command_view_run (CcCommandView *self,
                     const char    *command)
{
  g_autofree char *prompt = NULL;
  CcExecuteFlags flags;

  g_return_if_fail (CC_IS_COMMAND_VIEW (self));

  if (is_running (self) || command == NULL || command[0] == '\0')
    return;

  remember (self, command);
  prompt = g_strdup_printf ("$ %s", command);
  cc_terminal_view_print_line (self->terminal, "1;34", prompt);

  /* With the cache on, a command that does run still reads what the entry sends; a run that
   * was given input is not cached (its result may depend on it). */
  flags = gtk_toggle_button_get_active (self->cache_button)
          ? CC_EXECUTE_FLAGS_USE_CACHE | CC_EXECUTE_FLAGS_STDIN_WHEN_RUN
          : CC_EXECUTE_FLAGS_STDIN;
  g_clear_object (&self->execution);
  self->execution = cc_client_execute (self->client, self->project_id, command, flags);
  g_signal_group_set_target (self->execution_signals, self->execution);

  gtk_label_set_label (self->status_label, _("Running…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  update_controls (self);
}

void
cc_command_view_stop (CcCommandView *self)
{
  g_return_if_fail (CC_IS_COMMAND_VIEW (self));

  if (is_running (self))
    cc_execution_cancel (self->execution);
}

static void
stdin_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcCommandView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_execution_send_stdin_finish (CC_EXECUTION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Input not delivered: %s"), error->message);

      cc_terminal_view_print_line (self->terminal, "33", text);
    }
}

static void
on_entry_activate (GtkEntry      *entry,
                   CcCommandView *self)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));

  self->recall_pos = -1;
  if (is_running (self))
    {
      g_autofree char *line = g_strconcat (text, "\n", NULL);
      g_autoptr(GBytes) bytes = NULL;

      bytes = g_bytes_new_take (g_steal_pointer (&line), strlen (text) + 1);
      /* Echo it: without a PTY nobody else will. */
      cc_terminal_view_print_line (self->terminal, NULL, text);
      cc_execution_send_stdin_async (self->execution, bytes, self->cancellable, stdin_sent_cb,
                                     g_object_ref (self));
      gtk_editable_set_text (GTK_EDITABLE (entry), "");
      return;
    }

  g_strstrip (text);
  if (text[0] == '\0')
    return;
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  cc_command_view_run (self, text);
}

static void
recall_move (CcCommandView *self,
             int            delta)
{
  int pos;

  if (self->recall->len == 0)
    return;
  if (self->recall_pos < 0)
    {
      if (delta > 0)
        return;
      g_free (self->recall_draft);
      self->recall_draft = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
      pos = (int) self->recall->len - 1;
    }
  else
    pos = self->recall_pos + delta;

  if (pos < 0)
    pos = 0;
  if (pos >= (int) self->recall->len)
    {
      self->recall_pos = -1;
      gtk_editable_set_text (GTK_EDITABLE (self->entry), self->recall_draft ? self->recall_draft : "");
    }
  else
    {
      self->recall_pos = pos;
      gtk_editable_set_text (GTK_EDITABLE (self->entry), g_ptr_array_index (self->recall, pos));
    }
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static void
close_stdin_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  cc_execution_close_stdin_finish (CC_EXECUTION (source), result, &error);
}

static gboolean
on_entry_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      CcCommandView         *self)
{
  GdkModifierType mods = state & gtk_accelerator_get_default_mod_mask ();

  if (mods == 0 && (keyval == GDK_KEY_Up || keyval == GDK_KEY_KP_Up))
    {
      recall_move (self, -1);
      return TRUE;
    }
  if (mods == 0 && (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down))
    {
      recall_move (self, 1);
      return TRUE;
    }
  if (mods == GDK_CONTROL_MASK && (keyval == GDK_KEY_c || keyval == GDK_KEY_C) && is_running (self) &&
      !gtk_editable_get_selection_bounds (GTK_EDITABLE (self->entry), NULL, NULL))
    {
      cc_command_view_stop (self);
      return TRUE;
    }
  if (mods == GDK_CONTROL_MASK && (keyval == GDK_KEY_d || keyval == GDK_KEY_D) && is_running (self))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "command.end-input", NULL);
      return TRUE;
    }
  return FALSE;
}

/* Keys typed into the output itself: Ctrl+C stops, Ctrl+D ends the input, the rest goes to the
 * command's stdin as typed (it has no terminal, so it sees them as a pipe would). */
static void
on_terminal_commit (VteTerminal   *terminal,
                    const char    *text,
                    guint          size,
                    CcCommandView *self)
{
  g_autoptr(GBytes) bytes = NULL;

  if (!is_running (self) || size == 0)
    return;
  if (size == 1 && text[0] == '\003')
    {
      cc_command_view_stop (self);
      return;
    }
  if (size == 1 && text[0] == '\004')
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "command.end-input", NULL);
      return;
    }
  bytes = g_bytes_new (text, size);
  cc_execution_send_stdin_async (self->execution, bytes, self->cancellable, stdin_sent_cb, g_object_ref (self));
}

/* Ctrl+D: the running command's input ends (what was sent before still arrives first). */
static void
end_input_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CcCommandView *self = CC_COMMAND_VIEW (widget);

  if (!is_running (self))
    return;
  cc_execution_close_stdin_async (self->execution, self->cancellable, close_stdin_cb, NULL);
}

static void
on_stop_clicked (GtkButton     *button,
                 CcCommandView *self)
{
  cc_command_view_stop (self);
}

static void
on_state_notify (CcCommandView *self)
{
  update_controls (self);
}

/* The toggle says in words whether the cache is on: an icon's pressed look is easy to miss. */
static void
update_cache_label (CcCommandView *self)
{
  gboolean on = gtk_toggle_button_get_active (self->cache_button);

  gtk_button_set_label (GTK_BUTTON (self->cache_button), on ? _("Cache On") : _("Cache Off"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cache_button),
                               on ? _("Cached results are used when still true; click to always run commands")
                                  : _("Commands always run; click to use a cached result when one is still true"));
}

static void
on_cache_toggled (CcCommandView *self)
{
  gboolean active = gtk_toggle_button_get_active (self->cache_button);
  g_autoptr(GVariant) old = g_settings_get_value (self->settings, "project-cache");
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("a{sb}"));
  GVariantIter iter;
  const char *id;
  gboolean stored;

  update_cache_label (self);
  update_controls (self);
  if (self->project_id == NULL)
    return;   /* the initial state, not a choice */
  if (g_variant_lookup (old, self->project_id, "b", &stored) && stored == active)
    return;
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&sb}", &id, &stored))
    if (g_strcmp0 (id, self->project_id) != 0)
      g_variant_builder_add (&builder, "{sb}", id, stored);
  g_variant_builder_add (&builder, "{sb}", self->project_id, active);
  g_settings_set_value (self->settings, "project-cache", g_variant_builder_end (&builder));
}

static void
cc_command_view_dispose (GObject *object)
{
  CcCommandView *self = CC_COMMAND_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  /* Leaving a command running without a view would orphan it: stop it. */
  if (is_running (self))
    cc_execution_cancel (self->execution);
  if (self->execution_signals != NULL)
    g_signal_group_set_target (self->execution_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_COMMAND_VIEW);
  g_clear_object (&self->execution_signals);
  g_clear_object (&self->execution);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cc_command_view_parent_class)->dispose (object);
}

static void
cc_command_view_finalize (GObject *object)
{
  CcCommandView *self = CC_COMMAND_VIEW (object);

  g_clear_pointer (&self->recall, g_ptr_array_unref);
  g_free (self->recall_draft);
  g_free (self->project_id);

  G_OBJECT_CLASS (cc_command_view_parent_class)->finalize (object);
}

static void
cc_command_view_class_init (CcCommandViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_command_view_dispose;
  object_class->finalize = cc_command_view_finalize;

  /**
   * CcCommandView::execution-finished:
   * @execution: the execution that ended (finished, failed or cancelled)
   */
  signals[EXECUTION_FINISHED] = g_signal_new ("execution-finished", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, CC_TYPE_EXECUTION);

  g_type_ensure (CC_TYPE_TERMINAL_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-command-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, terminal);
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, entry);
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, cache_button);
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CcCommandView, prompt_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_commit);
  gtk_widget_class_install_action (widget_class, "command.end-input", NULL, end_input_action);
}

static void
cc_command_view_init (CcCommandView *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->recall = g_ptr_array_new_with_free_func (g_free);
  self->recall_pos = -1;

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  self->execution_signals = g_signal_group_new (CC_TYPE_EXECUTION);
  g_signal_group_connect_object (self->execution_signals, "stdout", G_CALLBACK (on_stdout_swapped), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->execution_signals, "stderr", G_CALLBACK (on_stderr_swapped), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->execution_signals, "finished", G_CALLBACK (on_finished), self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->execution_signals, "notify::state", G_CALLBACK (on_state_notify), self,
                                 G_CONNECT_SWAPPED);

  self->settings = g_settings_new (APP_ID);
  update_cache_label (self);
  g_signal_connect_object (self->cache_button, "toggled", G_CALLBACK (on_cache_toggled), self,
                           G_CONNECT_SWAPPED);
  cc_terminal_view_hide_cursor (self->terminal);
  update_controls (self);
}

CcCommandView *
cc_command_view_new (CcClient   *client,
                     const char *project_id)
{
  CcCommandView *self;
  g_autoptr(GVariant) choices = NULL;
  gboolean use_cache = FALSE;

  g_return_val_if_fail (CC_IS_CLIENT (client), NULL);
  g_return_val_if_fail (project_id != NULL, NULL);

  self = g_object_new (CC_TYPE_COMMAND_VIEW, NULL);
  self->client = g_object_ref (client);
  choices = g_settings_get_value (self->settings, "project-cache");
  if (!g_variant_lookup (choices, project_id, "b", &use_cache))
    use_cache = g_settings_get_boolean (self->settings, "use-cache");
  gtk_toggle_button_set_active (self->cache_button, use_cache);
  update_cache_label (self);
  /* Only now: setting the initial state above is not the user's choice. */
  self->project_id = g_strdup (project_id);
  return self;
}

const char *
cc_command_view_get_project_id (CcCommandView *self)
{
  g_return_val_if_fail (CC_IS_COMMAND_VIEW (self), NULL);
  return self->project_id;
}

void
cc_command_view_focus_entry (CcCommandView *self)
{
  g_return_if_fail (CC_IS_COMMAND_VIEW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

CcExecution *
cc_command_view_get_execution (CcCommandView *self)
{
  g_return_val_if_fail (CC_IS_COMMAND_VIEW (self), NULL);
  return self->execution;
}

CcTerminalView *
cc_command_view_get_terminal (CcCommandView *self)
{
  g_return_val_if_fail (CC_IS_COMMAND_VIEW (self), NULL);
  return self->terminal;
}

GtkEditable *
cc_command_view_get_entry (CcCommandView *self)
{
  g_return_val_if_fail (CC_IS_COMMAND_VIEW (self), NULL);
  return GTK_EDITABLE (self->entry);
}

const char *
cc_command_view_get_status (CcCommandView *self)
{
  g_return_val_if_fail (CC_IS_COMMAND_VIEW (self), NULL);
  return gtk_label_get_label (self->status_label);
}

void
cc_command_view_set_use_cache (CcCommandView *self,
                               gboolean       use_cache)
{
  g_return_if_fail (CC_IS_COMMAND_VIEW (self));
  gtk_toggle_button_set_active (self->cache_button, use_cache);
}
