/* cc-file-tree.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every directory is a GListStore filled by one list_dir call when it is first expanded. A
 * change reported by the watch stream re-lists only the directory it happened in, and merges
 * the answer into the existing store so that expanded folders stay expanded.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cc-file-tree.h"
#include "cc-sandbox-error.h"
#include "cc-spinner.h"

struct _CcFileTree
{
  AdwBin            parent_instance;

  CcClient         *client;
  CcProject        *project;
  GCancellable     *cancellable;        /* this project's listings and watch */
  GHashTable       *dirs;               /* sandbox path → GListStore of GFileInfo */
  GListStore       *root;
  GtkTreeListModel *tree;
  GtkSingleSelection *selection;
  gulong            file_changed_id;

  GtkListView      *list_view;
  GtkStack         *stack;
  AdwStatusPage    *error_page;
};

G_DEFINE_FINAL_TYPE (CcFileTree, cc_file_tree, ADW_TYPE_BIN)

enum { FILE_ACTIVATED, ERROR, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
info_path (GFileInfo *info)
{
  return g_file_info_get_attribute_string (info, "cc::path");
}

static gboolean
info_is_dir (GFileInfo *info)
{
  return g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
}

/* Merge @fresh into @store, keeping the objects of entries that are still there. */
static void
merge_listing (GListStore *store,
               GListModel *fresh)
{
  g_autoptr(GHashTable) fresh_names = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_fresh = g_list_model_get_n_items (fresh);

  for (guint i = 0; i < n_fresh; i++)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (fresh, i);

      g_hash_table_add (fresh_names, (gpointer) g_intern_string (g_file_info_get_name (info)));
    }

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (store)); i > 0; i--)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (store), i - 1);

      if (!g_hash_table_contains (fresh_names, g_intern_string (g_file_info_get_name (info))))
        g_list_store_remove (store, i - 1);
    }

  for (guint i = 0; i < n_fresh; i++)
    {
      g_autoptr(GFileInfo) info = g_list_model_get_item (fresh, i);
      g_autoptr(GFileInfo) old = NULL;

      if (i < g_list_model_get_n_items (G_LIST_MODEL (store)))
        old = g_list_model_get_item (G_LIST_MODEL (store), i);
      if (old == NULL || g_strcmp0 (g_file_info_get_name (old), g_file_info_get_name (info)) != 0)
        g_list_store_insert (store, i, info);
      else if (g_file_info_get_file_type (old) != g_file_info_get_file_type (info))
        g_list_store_splice (store, i, 1, (gpointer *) &info, 1);
    }
}

typedef struct
{
  CcFileTree *self;
  GListStore *store;
  gboolean    is_root;
} ListData;

static void
list_dir_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ListData *data = user_data;
  CcFileTree *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) listing = NULL;

  listing = cc_client_list_dir_finish (CC_CLIENT (source), result, &error);
  if (listing == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (data->is_root)
            {
              adw_status_page_set_description (self->error_page, error->message);
              gtk_stack_set_visible_child_name (self->stack, "error");
            }
          else if (!g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND))
            g_signal_emit (self, signals[ERROR], 0, _("Could not list the folder"), error);
        }
    }
  else
    {
      merge_listing (data->store, listing);
      if (data->is_root)
        gtk_stack_set_visible_child_name (self->stack,
                                          g_list_model_get_n_items (listing) > 0 ? "tree" : "empty");
    }

  g_object_unref (data->self);
  g_object_unref (data->store);
  g_free (data);
}

static void
load_dir (CcFileTree *self,
          const char *path,
          GListStore *store)
{
  ListData *data;

  if (self->client == NULL || self->project == NULL)
    return;
  data = g_new0 (ListData, 1);
  data->self = g_object_ref (self);
  data->store = g_object_ref (store);
  data->is_root = store == self->root;
  cc_client_list_dir_async (self->client, cc_project_get_id (self->project), path, 1,
                            self->cancellable, list_dir_cb, data);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  CcFileTree *self = user_data;
  GFileInfo *info = item;
  GListStore *store;

  if (!info_is_dir (info))
    return NULL;

  store = g_hash_table_lookup (self->dirs, info_path (info));
  if (store == NULL)
    {
      store = g_list_store_new (G_TYPE_FILE_INFO);
      g_hash_table_insert (self->dirs, g_strdup (info_path (info)), store);
      load_dir (self, info_path (info), store);
    }
  return G_LIST_MODEL (g_object_ref (store));
}

static void
on_file_changed (CcClient          *client,
                 const char        *project_id,
                 const char        *path,
                 GFileMonitorEvent  event,
                 CcFileTree        *self)
{
  g_autofree char *parent = NULL;
  GListStore *store;

  if (self->project == NULL || g_strcmp0 (project_id, cc_project_get_id (self->project)) != 0 || path == NULL)
    return;

  parent = g_path_get_dirname (path);
  store = g_hash_table_lookup (self->dirs, parent);
  if (store != NULL)
    load_dir (self, parent, store);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CcFileTree               *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (item, expander);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          CcFileTree               *self)
{
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  GtkWidget *expander = gtk_list_item_get_child (item);
  GtkWidget *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_last_child (box);
  g_autoptr(GFileInfo) info = gtk_tree_list_row_get_item (row);
  const char *name = g_file_info_get_display_name (info);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_label (GTK_LABEL (label), name);
  if (info_is_dir (info))
    gtk_image_set_from_icon_name (GTK_IMAGE (icon), "folder-symbolic");
  else
    {
      g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);
      g_autoptr(GIcon) gicon = g_content_type_get_symbolic_icon (type);

      gtk_image_set_from_gicon (GTK_IMAGE (icon), gicon);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
on_activate (GtkListView *list_view,
             guint        position,
             CcFileTree  *self)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  g_autoptr(GFileInfo) info = NULL;

  if (row == NULL)
    return;
  info = gtk_tree_list_row_get_item (row);
  if (info_is_dir (info))
    gtk_tree_list_row_set_expanded (row, !gtk_tree_list_row_get_expanded (row));
  else
    g_signal_emit (self, signals[FILE_ACTIVATED], 0, info_path (info), (guint64) g_file_info_get_size (info));
}

/* The selected entry, or NULL. */
static GFileInfo *
dup_selected (CcFileTree *self)
{
  GtkTreeListRow *row;

  if (self->selection == NULL)
    return NULL;
  row = gtk_single_selection_get_selected_item (self->selection);
  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

/* The folder new things go into: the selected folder, the selected file's folder, or the root. */
static char *
dup_target_dir (CcFileTree *self)
{
  g_autoptr(GFileInfo) info = dup_selected (self);

  if (info == NULL)
    return g_strdup (CC_FILE_TREE_ROOT);
  if (info_is_dir (info))
    return g_strdup (info_path (info));
  return g_path_get_dirname (info_path (info));
}

static void
refresh_dir (CcFileTree *self,
             const char *dir)
{
  GListStore *store = g_hash_table_lookup (self->dirs, dir);

  if (store != NULL)
    load_dir (self, dir, store);
}

typedef struct
{
  CcFileTree *self;
  char       *dir;
  char       *what;
} OpData;

static OpData *
op_data_new (CcFileTree *self,
             const char *dir,
             const char *what)
{
  OpData *op = g_new0 (OpData, 1);

  op->self = g_object_ref (self);
  op->dir = g_strdup (dir);
  op->what = g_strdup (what);
  return op;
}

static void
op_data_free (OpData *op)
{
  g_object_unref (op->self);
  g_free (op->dir);
  g_free (op->what);
  g_free (op);
}

/* Every file operation ends the same way: refresh the folder, or say what went wrong. */
static void
op_done (OpData       *op,
         gboolean      ok,
         const GError *error)
{
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (op->self, signals[ERROR], 0, op->what, error);
  if (op->dir != NULL)
    refresh_dir (op->self, op->dir);
  op_data_free (op);
}

static void
write_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_write_file_finish (CC_CLIENT (source), result, &error);

  op_done (user_data, ok, error);
}

static void
mkdir_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_make_dir_finish (CC_CLIENT (source), result, &error);

  op_done (user_data, ok, error);
}

static void
move_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_move_finish (CC_CLIENT (source), result, &error);

  op_done (user_data, ok, error);
}

static void
remove_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_remove_finish (CC_CLIENT (source), result, &error);

  op_done (user_data, ok, error);
}

static void
upload_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_upload_finish (CC_CLIENT (source), result, &error);

  op_done (user_data, ok, error);
}


static void
download_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OpData *op = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = cc_client_download_finish (CC_CLIENT (source), result, &error);

  if (ok)
    gtk_widget_activate_action (GTK_WIDGET (op->self), "win.show-toast", "s", _("Downloaded"));
  op_done (op, ok, error);
}

typedef enum { ASK_NEW_FILE, ASK_NEW_FOLDER, ASK_RENAME } AskKind;

static void
on_name_response (AdwMessageDialog *dialog,
                  const char       *response,
                  CcFileTree       *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  AskKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "kind"));
  const char *dir = g_object_get_data (G_OBJECT (dialog), "dir");
  const char *old_path = g_object_get_data (G_OBJECT (dialog), "path");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autofree char *path = NULL;
  const char *project_id;

  if (g_strcmp0 (response, "ok") != 0 || name[0] == '\0' || strchr (name, '/') != NULL ||
      self->project == NULL)
    return;

  project_id = cc_project_get_id (self->project);
  path = g_build_filename (dir, name, NULL);
  switch (kind)
    {
    case ASK_NEW_FILE:
      {
        g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);

        cc_client_write_file_async (self->client, project_id, path, empty, self->cancellable,
                                    write_done_cb, op_data_new (self, dir, _("Could not create the file")));
      }
      break;

    case ASK_NEW_FOLDER:
      cc_client_make_dir_async (self->client, project_id, path, self->cancellable, mkdir_done_cb,
                                op_data_new (self, dir, _("Could not create the folder")));
      break;

    case ASK_RENAME:
      cc_client_move_async (self->client, project_id, old_path, path, self->cancellable, move_done_cb,
                            op_data_new (self, dir, _("Could not rename")));
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
ask_name (CcFileTree *self,
          AskKind     kind,
          const char *dir,
          const char *old_path)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();
  const char *heading = kind == ASK_NEW_FILE ? _("New File") : kind == ASK_NEW_FOLDER ? _("New Folder") : _("Rename");

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (root), heading, NULL));
  if (old_path != NULL)
    {
      g_autofree char *base = g_path_get_basename (old_path);

      gtk_editable_set_text (GTK_EDITABLE (entry), base);
    }
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"),
                                    "ok", kind == ASK_RENAME ? _("_Rename") : _("_Create"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "ok");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "kind", GINT_TO_POINTER (kind));
  g_object_set_data_full (G_OBJECT (dialog), "dir", g_strdup (dir), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (old_path), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_name_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_file_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  g_autofree char *dir = dup_target_dir (self);

  ask_name (self, ASK_NEW_FILE, dir, NULL);
}

static void
new_folder_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  g_autofree char *dir = dup_target_dir (self);

  ask_name (self, ASK_NEW_FOLDER, dir, NULL);
}

static void
rename_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  g_autoptr(GFileInfo) info = dup_selected (self);
  g_autofree char *dir = NULL;

  if (info == NULL)
    return;
  dir = g_path_get_dirname (info_path (info));
  ask_name (self, ASK_RENAME, dir, info_path (info));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CcFileTree       *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "path");
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_strcmp0 (response, "delete") != 0 || self->project == NULL)
    return;
  cc_client_remove_async (self->client, cc_project_get_id (self->project), path, self->cancellable,
                          remove_done_cb, op_data_new (self, dir, _("Could not delete")));
}

static void
delete_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  g_autoptr(GFileInfo) info = dup_selected (self);
  AdwMessageDialog *dialog;

  if (info == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Delete “%s”?"), g_file_info_get_display_name (info));
  adw_message_dialog_set_body (dialog, info_is_dir (info) ? _("The folder and everything in it is removed from the sandbox.")
                                                          : _("The file is removed from the sandbox."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "path", g_strdup (info_path (info)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
cc_file_tree_upload_files (CcFileTree *self,
                           GSList     *files)
{
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) array = g_ptr_array_new ();

  g_return_if_fail (CC_IS_FILE_TREE (self));

  if (self->project == NULL || files == NULL)
    return;
  dir = dup_target_dir (self);
  for (GSList *l = files; l != NULL; l = l->next)
    g_ptr_array_add (array, l->data);
  cc_client_upload_async (self->client, cc_project_get_id (self->project), (GFile **) array->pdata, array->len,
                          dir, NULL, NULL, self->cancellable, upload_done_cb,
                          op_data_new (self, dir, _("Could not upload")));
}

static void
on_upload_response (GtkNativeDialog *chooser,
                    int              response,
                    CcFileTree      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      GSList *list = NULL;

      for (guint i = g_list_model_get_n_items (files); i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      cc_file_tree_upload_files (self, list);
      g_slist_free_full (list, g_object_unref);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
upload_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Upload Files"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Upload"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_upload_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
cc_file_tree_download_to (CcFileTree *self,
                          const char *path,
                          GFile      *destination)
{
  g_return_if_fail (CC_IS_FILE_TREE (self));
  g_return_if_fail (G_IS_FILE (destination));

  if (self->project == NULL)
    return;
  cc_client_download_async (self->client, cc_project_get_id (self->project), path, destination,
                            self->cancellable, download_done_cb,
                            op_data_new (self, NULL, _("Could not download")));
}

static void
on_download_response (GtkNativeDialog *chooser,
                      int              response,
                      CcFileTree      *self)
{
  const char *path = g_object_get_data (G_OBJECT (chooser), "path");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) destination = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (destination != NULL)
        cc_file_tree_download_to (self, path, destination);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

void
cc_file_tree_download (CcFileTree *self,
                       const char *path)
{
  GtkFileChooserNative *chooser;
  g_autofree char *base = NULL;

  g_return_if_fail (CC_IS_FILE_TREE (self));

  base = g_path_get_basename (path);
  chooser = gtk_file_chooser_native_new (_("Download File"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), base);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "path", g_strdup (path), g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_download_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
download_action (GtkWidget *widget, const char *name, GVariant *param)
{
  CcFileTree *self = CC_FILE_TREE (widget);
  g_autoptr(GFileInfo) info = dup_selected (self);

  if (info != NULL && !info_is_dir (info))
    cc_file_tree_download (self, info_path (info));
}

static void
refresh_action (GtkWidget *widget, const char *name, GVariant *param)
{
  cc_file_tree_reload (CC_FILE_TREE (widget));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CcFileTree    *self)
{
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  cc_file_tree_upload_files (self, g_value_get_boxed (value));
  return TRUE;
}

static void
cc_file_tree_dispose (GObject *object)
{
  CcFileTree *self = CC_FILE_TREE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    g_clear_signal_handler (&self->file_changed_id, self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_FILE_TREE);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->root);
  g_clear_pointer (&self->dirs, g_hash_table_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->project);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (cc_file_tree_parent_class)->dispose (object);
}

static void
cc_file_tree_class_init (CcFileTreeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_file_tree_dispose;

  /**
   * CcFileTree::file-activated:
   * @path: the sandbox path
   * @size: its size in bytes, as listed
   */
  signals[FILE_ACTIVATED] = g_signal_new ("file-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
  signals[ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                 NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);

  g_type_ensure (CC_TYPE_SPINNER);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-file-tree.ui");
  gtk_widget_class_bind_template_child (widget_class, CcFileTree, list_view);
  gtk_widget_class_bind_template_child (widget_class, CcFileTree, stack);
  gtk_widget_class_bind_template_child (widget_class, CcFileTree, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);

  gtk_widget_class_install_action (widget_class, "files.new-file", NULL, new_file_action);
  gtk_widget_class_install_action (widget_class, "files.new-folder", NULL, new_folder_action);
  gtk_widget_class_install_action (widget_class, "files.rename", NULL, rename_action);
  gtk_widget_class_install_action (widget_class, "files.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "files.upload", NULL, upload_action);
  gtk_widget_class_install_action (widget_class, "files.download", NULL, download_action);
  gtk_widget_class_install_action (widget_class, "files.refresh", NULL, refresh_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "files.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "files.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "files.refresh", NULL);
}

static void
cc_file_tree_init (CcFileTree *self)
{
  GtkListItemFactory *factory;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

void
cc_file_tree_reload (CcFileTree *self)
{
  GHashTableIter iter;
  gpointer key, value;

  g_return_if_fail (CC_IS_FILE_TREE (self));

  g_hash_table_iter_init (&iter, self->dirs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    load_dir (self, key, value);
}

void
cc_file_tree_set_project (CcFileTree *self,
                          CcClient   *client,
                          CcProject  *project)
{
  g_return_if_fail (CC_IS_FILE_TREE (self));

  if (self->project == project)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    g_clear_signal_handler (&self->file_changed_id, self->client);
  gtk_list_view_set_model (self->list_view, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->root);
  g_hash_table_remove_all (self->dirs);

  g_set_object (&self->client, client);
  g_set_object (&self->project, project);
  if (project == NULL || client == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  self->root = g_list_store_new (G_TYPE_FILE_INFO);
  g_hash_table_insert (self->dirs, g_strdup (CC_FILE_TREE_ROOT), g_object_ref (self->root));
  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->root)), FALSE, FALSE,
                                        create_child_model, self, NULL);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_stack_set_visible_child_name (self->stack, "loading");

  self->file_changed_id = g_signal_connect (client, "file-changed", G_CALLBACK (on_file_changed), self);
  load_dir (self, CC_FILE_TREE_ROOT, self->root);
  cc_client_watch_dir (client, cc_project_get_id (project), CC_FILE_TREE_ROOT, TRUE, self->cancellable);
}

GListModel *
cc_file_tree_get_root (CcFileTree *self)
{
  g_return_val_if_fail (CC_IS_FILE_TREE (self), NULL);
  return G_LIST_MODEL (self->root);
}

gboolean
cc_file_tree_select_path (CcFileTree *self,
                          const char *path)
{
  GListModel *rows;

  g_return_val_if_fail (CC_IS_FILE_TREE (self), FALSE);

  if (self->selection == NULL)
    return FALSE;
  if (path == NULL)
    {
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      return TRUE;
    }
  rows = G_LIST_MODEL (self->selection);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(GFileInfo) info = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (info_path (info), path) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}
