/* cc-file-editor.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cc-file-editor.h"
#include "cc-spinner.h"

struct _CcFileEditor
{
  AdwBin           parent_instance;

  CcClient        *client;
  CcProject       *project;
  char            *path;
  GCancellable    *cancellable;        /* the current load */
  GCancellable    *save_cancellable;   /* saves outlive loads: only dispose stops them */
  gboolean         saving;
  char            *saving_path;

  GtkStack        *stack;
  GtkSourceView   *view;
  GtkSourceBuffer *buffer;
  GtkLabel        *path_label;
  AdwStatusPage   *refused_page;
  AdwStatusPage   *error_page;
  GtkButton       *save_button;
};

G_DEFINE_FINAL_TYPE (CcFileEditor, cc_file_editor, ADW_TYPE_BIN)

enum { PROP_0, PROP_SAVING, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { ERROR, DOWNLOAD_REQUESTED, SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
update_style_scheme (CcFileEditor *self)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");

  if (scheme == NULL)
    scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "classic-dark" : "classic");
  gtk_source_buffer_set_style_scheme (self->buffer, scheme);
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 CcFileEditor    *self)
{
  update_style_scheme (self);
}

static void
update_title (CcFileEditor *self)
{
  g_autofree char *label = NULL;
  gboolean modified = gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer));

  if (self->path == NULL)
    {
      gtk_label_set_label (self->path_label, "");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
      return;
    }
  label = g_strdup_printf ("%s%s", modified ? "• " : "", self->path);
  gtk_label_set_label (self->path_label, label);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 !self->saving && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "editor") == 0);
}

static void
on_modified_changed (GtkTextBuffer *buffer,
                     CcFileEditor  *self)
{
  update_title (self);
}

static void
show_refused (CcFileEditor *self,
              const char   *title,
              const char   *description)
{
  adw_status_page_set_title (self->refused_page, title);
  adw_status_page_set_description (self->refused_page, description);
  gtk_stack_set_visible_child_name (self->stack, "refused");
  update_title (self);
}

static gboolean
looks_binary (const char *data,
              gsize       len)
{
  /* NUL bytes in the head, or text that is not UTF-8, would be mangled by a text editor. */
  if (memchr (data, '\0', MIN (len, 8192)) != NULL)
    return TRUE;
  return !g_utf8_validate (data, len, NULL);
}

static void
read_file_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CcFileEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GtkSourceLanguageManager *languages;
  GtkSourceLanguage *language;
  g_autofree char *content_type = NULL;
  const char *data;
  gsize len;
  GtkTextIter start;

  bytes = cc_client_read_file_finish (CC_CLIENT (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      update_title (self);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (len > CC_FILE_EDITOR_MAX_SIZE)
    {
      show_refused (self, _("File Too Large"), _("Files over 2 MB are not opened in the editor. Download it to work on it locally."));
      return;
    }
  if (looks_binary (data, len))
    {
      show_refused (self, _("Binary File"), _("This file is not text. Download it to open it with another app."));
      return;
    }

  content_type = g_content_type_guess (self->path, (const guchar *) data, MIN (len, 4096), NULL);
  languages = gtk_source_language_manager_get_default ();
  language = gtk_source_language_manager_guess_language (languages, self->path, content_type);
  gtk_source_buffer_set_language (self->buffer, language);

  /* The buffer shows a file's final newline as no extra empty line, and the save puts it back;
   * a file that had none gets none. */
  gtk_source_buffer_set_implicit_trailing_newline (self->buffer, len == 0 || data[len - 1] == '\n');
  gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (self->buffer));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), len > 0 ? data : "",
                            len > 0 && data[len - 1] == '\n' ? len - 1 : len);
  gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (self->buffer));
  gtk_text_buffer_get_start_iter (GTK_TEXT_BUFFER (self->buffer), &start);
  gtk_text_buffer_place_cursor (GTK_TEXT_BUFFER (self->buffer), &start);
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "editor");
  update_title (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
really_open (CcFileEditor *self,
             const char   *path,
             guint64       size)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), "", 0);
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), FALSE);

  if (size > CC_FILE_EDITOR_MAX_SIZE)
    {
      show_refused (self, _("File Too Large"), _("Files over 2 MB are not opened in the editor. Download it to work on it locally."));
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "loading");
  update_title (self);
  cc_client_read_file_async (self->client, cc_project_get_id (self->project), path, self->cancellable,
                             read_file_cb, g_object_ref (self));
}

static void
on_unsaved_response (AdwMessageDialog *dialog,
                     const char       *response,
                     CcFileEditor     *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");
  guint64 size = *(guint64 *) g_object_get_data (G_OBJECT (dialog), "size");

  if (g_strcmp0 (response, "save") == 0)
    cc_file_editor_save (self);
  if (g_strcmp0 (response, "save") == 0 || g_strcmp0 (response, "discard") == 0)
    really_open (self, path, size);
}

void
cc_file_editor_open (CcFileEditor *self,
                     const char   *path,
                     guint64       size)
{
  AdwMessageDialog *dialog;
  g_autofree char *base = NULL;

  g_return_if_fail (CC_IS_FILE_EDITOR (self));
  g_return_if_fail (path != NULL);

  if (self->client == NULL || self->project == NULL)
    return;

  if (self->path == NULL || g_strcmp0 (self->path, path) == 0 ||
      !gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer)))
    {
      really_open (self, path, size);
      return;
    }

  /* Opening another file would drop the edits of this one: ask. */
  base = g_path_get_basename (self->path);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Save Changes to “%s”?"), base);
  adw_message_dialog_set_body (dialog, _("Otherwise your edits to it are lost."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"),
                                    "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (path), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "size", g_memdup2 (&size, sizeof size), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unsaved_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
write_file_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcFileEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->saving_path);

  self->saving = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  if (!cc_client_write_file_finish (CC_CLIENT (source), result, &error))
    {
      g_autofree char *what = g_strdup_printf (_("Could not save “%s”"), path);

      g_signal_emit (self, signals[ERROR], 0, what, error);
      update_title (self);
      return;
    }
  /* Still the file on screen (and not edited meanwhile, which undoes nothing): saved. */
  if (g_strcmp0 (path, self->path) == 0)
    gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), FALSE);
  update_title (self);
  g_signal_emit (self, signals[SAVED], 0, path);
}

void
cc_file_editor_save (CcFileEditor *self)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  GBytes *bytes;
  gsize len;

  g_return_if_fail (CC_IS_FILE_EDITOR (self));

  if (self->path == NULL || self->saving || self->project == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "editor") != 0)
    return;

  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (self->buffer), &start, &end);
  text = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (self->buffer), &start, &end, TRUE);
  if (gtk_source_buffer_get_implicit_trailing_newline (self->buffer))
    {
      char *with_newline = g_strconcat (text, "\n", NULL);

      g_free (text);
      text = with_newline;
    }
  len = strlen (text);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  self->saving = TRUE;
  g_free (self->saving_path);
  self->saving_path = g_strdup (self->path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  update_title (self);
  cc_client_write_file_async (self->client, cc_project_get_id (self->project), self->path, bytes,
                              self->save_cancellable, write_file_cb, g_object_ref (self));
  g_bytes_unref (bytes);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  cc_file_editor_save (CC_FILE_EDITOR (widget));
}

static void
on_download_clicked (GtkButton    *button,
                     CcFileEditor *self)
{
  if (self->path != NULL)
    g_signal_emit (self, signals[DOWNLOAD_REQUESTED], 0, self->path);
}

static void
cc_file_editor_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CcFileEditor *self = CC_FILE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SAVING:
      g_value_set_boolean (value, self->saving);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_file_editor_dispose (GObject *object)
{
  CcFileEditor *self = CC_FILE_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->save_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_FILE_EDITOR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->save_cancellable);
  g_clear_pointer (&self->saving_path, g_free);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  g_clear_pointer (&self->path, g_free);
  G_OBJECT_CLASS (cc_file_editor_parent_class)->dispose (object);
}

static void
cc_file_editor_class_init (CcFileEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_file_editor_dispose;
  object_class->get_property = cc_file_editor_get_property;

  properties[PROP_SAVING] = g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  signals[DOWNLOAD_REQUESTED] = g_signal_new ("download-requested", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (CC_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-file-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, view);
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, path_label);
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, refused_page);
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, error_page);
  gtk_widget_class_bind_template_child (widget_class, CcFileEditor, save_button);
  gtk_widget_class_bind_template_callback (widget_class, on_download_clicked);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
cc_file_editor_init (CcFileEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->save_cancellable = g_cancellable_new ();
  self->buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->view)));
  gtk_source_buffer_set_highlight_matching_brackets (self->buffer, TRUE);
  g_signal_connect_object (self->buffer, "modified-changed", G_CALLBACK (on_modified_changed), self, 0);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, 0);
  update_style_scheme (self);
  update_title (self);
}

void
cc_file_editor_set_project (CcFileEditor *self,
                            CcClient     *client,
                            CcProject    *project)
{
  g_return_if_fail (CC_IS_FILE_EDITOR (self));

  if (self->project == project)
    return;
  /* Leaving a project with unsaved edits: they go to its sandbox rather than nowhere. */
  if (self->path != NULL && gtk_text_buffer_get_modified (GTK_TEXT_BUFFER (self->buffer)) && !self->saving)
    cc_file_editor_save (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  g_clear_pointer (&self->path, g_free);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->buffer), "", 0);
  gtk_text_buffer_set_modified (GTK_TEXT_BUFFER (self->buffer), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_title (self);
}

const char *
cc_file_editor_get_path (CcFileEditor *self)
{
  g_return_val_if_fail (CC_IS_FILE_EDITOR (self), NULL);
  return self->path;
}

GtkSourceBuffer *
cc_file_editor_get_buffer (CcFileEditor *self)
{
  g_return_val_if_fail (CC_IS_FILE_EDITOR (self), NULL);
  return self->buffer;
}

const char *
cc_file_editor_get_state (CcFileEditor *self)
{
  g_return_val_if_fail (CC_IS_FILE_EDITOR (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
