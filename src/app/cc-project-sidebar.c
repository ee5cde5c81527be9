/* cc-project-sidebar.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-project-row.h"
#include "cc-project-sidebar.h"

struct _CcProjectSidebar
{
  AdwBin              parent_instance;

  CcClient           *client;
  GtkSingleSelection *selection;
  char               *pending_select;
  GCancellable       *cancellable;

  GtkListView        *list_view;
  GtkPopoverMenu     *context_menu;
  GMenuModel         *context_menu_model;
};

G_DEFINE_FINAL_TYPE (CcProjectSidebar, cc_project_sidebar, ADW_TYPE_BIN)

enum { PROP_0, PROP_SELECTED_PROJECT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gboolean
try_select (CcProjectSidebar *self,
            const char       *project_id)
{
  GListModel *model;
  guint n;

  if (self->selection == NULL)
    return FALSE;
  model = G_LIST_MODEL (self->selection);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CcProject) project = g_list_model_get_item (model, i);

      if (g_strcmp0 (cc_project_get_id (project), project_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_items_changed (GListModel       *model,
                  guint             position,
                  guint             removed,
                  guint             added,
                  CcProjectSidebar *self)
{
  if (self->pending_select != NULL && try_select (self, self->pending_select))
    g_clear_pointer (&self->pending_select, g_free);
}

static void
on_selected_changed (GtkSingleSelection *selection,
                     GParamSpec         *pspec,
                     CcProjectSidebar   *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_PROJECT]);
}

static void
load_projects_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CcProjectSidebar) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_client_load_projects_finish (CC_CLIENT (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not load projects: %s", error->message);
}

/* Newest first (by creation, which never changes), ties by name as people read it, then by
 * id: the same order at every launch as while the app runs, and a project does not jump when
 * it is used or renamed. */
static int
compare_projects (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  CcProject *pa = (CcProject *) a;
  CcProject *pb = (CcProject *) b;
  gint64 ca = cc_project_get_created_at (pa);
  gint64 cb = cc_project_get_created_at (pb);
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;
  int order;

  if (ca != cb)
    return ca > cb ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  fa = g_utf8_casefold (cc_project_get_name (pa), -1);
  fb = g_utf8_casefold (cc_project_get_name (pb), -1);
  order = g_utf8_collate (fa, fb);
  if (order == 0)
    order = g_strcmp0 (cc_project_get_id (pa), cc_project_get_id (pb));
  return order < 0 ? GTK_ORDERING_SMALLER : order > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
cc_project_sidebar_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CcProjectSidebar *self = CC_PROJECT_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SELECTED_PROJECT:
      g_value_set_object (value, cc_project_sidebar_get_selected_project (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_activate (GtkListView      *list_view,
             guint             position,
             CcProjectSidebar *self)
{
  /* Enter on a row: move on to the command entry, the usual next step. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.focus-command", NULL);
}

static void
on_secondary_click (GtkGestureClick  *gesture,
                    int               n_press,
                    double            x,
                    double            y,
                    CcProjectSidebar *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->list_view), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked != NULL ? gtk_widget_get_ancestor (picked, CC_TYPE_PROJECT_ROW) : NULL;
  CcProject *project = row != NULL ? cc_project_row_get_project (CC_PROJECT_ROW (row)) : NULL;
  GdkRectangle rect = { 0, 0, 1, 1 };
  double sx, sy;

  if (project == NULL)
    return;
  gtk_widget_translate_coordinates (GTK_WIDGET (self->list_view), GTK_WIDGET (self), x, y, &sx, &sy);
  rect.x = (int) sx;
  rect.y = (int) sy;
  /* The menu acts on the selected project: make it the one under the pointer. */
  cc_project_sidebar_select (self, cc_project_get_id (project));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
cc_project_sidebar_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  CcProjectSidebar *self = CC_PROJECT_SIDEBAR (widget);

  GTK_WIDGET_CLASS (cc_project_sidebar_parent_class)->size_allocate (widget, width, height, baseline);
  if (self->context_menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

/* Rows are made here, not from a .ui item template, so that they get the client. */
static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              CcProjectSidebar         *self)
{
  gtk_list_item_set_child (item, cc_project_row_new (self->client));
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             CcProjectSidebar         *self)
{
  cc_project_row_set_project (CC_PROJECT_ROW (gtk_list_item_get_child (item)),
                              gtk_list_item_get_item (item));
}

static void
on_row_unbind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               CcProjectSidebar         *self)
{
  cc_project_row_set_project (CC_PROJECT_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
cc_project_sidebar_dispose (GObject *object)
{
  CcProjectSidebar *self = CC_PROJECT_SIDEBAR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->context_menu != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->context_menu));
      self->context_menu = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), CC_TYPE_PROJECT_SIDEBAR);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pending_select, g_free);

  G_OBJECT_CLASS (cc_project_sidebar_parent_class)->dispose (object);
}

static void
cc_project_sidebar_class_init (CcProjectSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cc_project_sidebar_dispose;
  object_class->get_property = cc_project_sidebar_get_property;
  widget_class->size_allocate = cc_project_sidebar_size_allocate;

  properties[PROP_SELECTED_PROJECT] =
    g_param_spec_object ("selected-project", NULL, NULL, CC_TYPE_PROJECT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-project-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, CcProjectSidebar, list_view);
  gtk_widget_class_bind_template_child (widget_class, CcProjectSidebar, context_menu_model);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
}

static void
cc_project_sidebar_init (CcProjectSidebar *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  g_signal_connect_object (factory, "setup", G_CALLBACK (on_row_setup), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_row_bind), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_row_unbind), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);

  self->context_menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (self->context_menu_model));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->context_menu), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->context_menu), GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_secondary_click), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));
}

void
cc_project_sidebar_set_client (CcProjectSidebar *self,
                               CcClient         *client)
{
  GtkSortListModel *projects;

  g_return_if_fail (CC_IS_PROJECT_SIDEBAR (self));
  g_return_if_fail (CC_IS_CLIENT (client));

  if (self->client != client)
    {
      g_set_object (&self->client, client);
      projects = gtk_sort_list_model_new (g_object_ref (cc_client_get_projects (client)),
                                          GTK_SORTER (gtk_custom_sorter_new (compare_projects, NULL, NULL)));

      if (self->selection != NULL)
        g_signal_handlers_disconnect_by_data (self->selection, self);
      g_clear_object (&self->selection);
      self->selection = gtk_single_selection_new (G_LIST_MODEL (projects));
      gtk_single_selection_set_autoselect (self->selection, TRUE);
      g_signal_connect_object (self->selection, "notify::selected-item",
                               G_CALLBACK (on_selected_changed), self, 0);
      g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_AFTER);
      gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_PROJECT]);
    }

  cc_client_load_projects_async (client, self->cancellable, load_projects_cb, g_object_ref (self));
}

CcProject *
cc_project_sidebar_get_selected_project (CcProjectSidebar *self)
{
  g_return_val_if_fail (CC_IS_PROJECT_SIDEBAR (self), NULL);

  if (self->selection == NULL)
    return NULL;
  return gtk_single_selection_get_selected_item (self->selection);
}

void
cc_project_sidebar_select (CcProjectSidebar *self,
                           const char       *project_id)
{
  g_return_if_fail (CC_IS_PROJECT_SIDEBAR (self));

  g_clear_pointer (&self->pending_select, g_free);
  if (!try_select (self, project_id))
    self->pending_select = g_strdup (project_id);
}

void
cc_project_sidebar_select_nth (CcProjectSidebar *self,
                               guint             position)
{
  g_return_if_fail (CC_IS_PROJECT_SIDEBAR (self));

  if (self->selection != NULL && position < g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    gtk_single_selection_set_selected (self->selection, position);
}
