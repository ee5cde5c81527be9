/* cc-test-notifyd.c: a real desktop notification server for the suite's private session bus
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fresh machine has no notification server, and GLib turns a notification that nobody takes
 * into a warning that GTest makes fatal. So the suite runs this one: it owns
 * org.freedesktop.Notifications, answers as the specification says, and records what it is
 * sent. Tests read the record over D-Bus (io.github.codecanvas.Test.NotificationLog: List, and
 * the Recorded signal to wait on) and can click a notification's action (Invoke), which emits
 * ActionInvoked exactly as a desktop would.
 *
 * It runs until the bus goes away; `gdbus wait` on the name tells when it is ready.
 */
#include "config.h"

#include <gio/gio.h>

#define NOTIFY_NAME  "org.freedesktop.Notifications"
#define NOTIFY_PATH  "/org/freedesktop/Notifications"
#define LOG_IFACE    "io.github.codecanvas.Test.NotificationLog"

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "  <interface name='" LOG_IFACE "'>"
  "    <method name='List'><arg type='a(usssas)' direction='out'/></method>"
  "    <method name='Invoke'><arg type='u' direction='in'/><arg type='s' direction='in'/></method>"
  "    <signal name='Recorded'><arg type='(usssas)'/></signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  GMainLoop *loop;
  GPtrArray *records;     /* GVariant (usssas), newest last */
  guint      next_id;
} Server;

static void
handle_notify (Server                *server,
               GDBusConnection       *connection,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation)
{
  const char *app_name, *icon, *summary, *body;
  guint32 replaces_id, id;
  g_autoptr(GVariant) actions = NULL;
  g_autoptr(GVariant) hints = NULL;
  gint32 expire;
  GVariant *record;

  g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", &app_name, &replaces_id, &icon, &summary,
                 &body, &actions, &hints, &expire);
  id = replaces_id != 0 ? replaces_id : server->next_id++;
  record = g_variant_ref_sink (g_variant_new ("(usss@as)", id, app_name, summary, body, actions));
  g_ptr_array_add (server->records, record);
  g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, LOG_IFACE, "Recorded",
                                 g_variant_new_tuple (&record, 1), NULL);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
}

static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  Server *server = user_data;

  if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "Notify"))
    handle_notify (server, connection, parameters, invocation);
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      /* Reason 3: closed by a call to CloseNotification. */
      g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_NAME,
                                     "NotificationClosed", g_variant_new ("(uu)", id, 3), NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "cc-test-notifyd",
                                                          "Code Canvas", "1.0", "1.2"));
  else if (g_str_equal (method_name, "List"))
    {
      GVariantBuilder builder;

      g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(usssas)"));
      for (guint i = 0; i < server->records->len; i++)
        g_variant_builder_add_value (&builder, g_ptr_array_index (server->records, i));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(usssas))", &builder));
    }
  else if (g_str_equal (method_name, "Invoke"))
    {
      guint32 id;
      const char *action;

      /* What a desktop does when the user clicks: the action, then the notification closes
       * (reason 2: dismissed by the user). */
      g_variant_get (parameters, "(u&s)", &id, &action);
      g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_NAME, "ActionInvoked",
                                     g_variant_new ("(us)", id, action), NULL);
      g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_NAME,
                                     "NotificationClosed", g_variant_new ("(uu)", id, 2), NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static const GDBusInterfaceVTable vtable = { handle_method_call, NULL, NULL };

static void
on_bus_acquired (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  Server *server = user_data;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection_xml, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; info->interfaces[i] != NULL; i++)
    if (g_dbus_connection_register_object (connection, NOTIFY_PATH, info->interfaces[i], &vtable,
                                           server, NULL, &error) == 0)
      g_error ("cc-test-notifyd: %s", error->message);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  Server *server = user_data;

  /* Another server owns the name, or the bus went away: either way there is nothing to do. */
  g_main_loop_quit (server->loop);
}

int
main (void)
{
  Server server = { NULL, NULL, 1 };
  guint owner;

  server.loop = g_main_loop_new (NULL, FALSE);
  server.records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  owner = g_bus_own_name (G_BUS_TYPE_SESSION, NOTIFY_NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                          on_bus_acquired, NULL, on_name_lost, &server, NULL);
  g_main_loop_run (server.loop);
  g_bus_unown_name (owner);
  g_ptr_array_unref (server.records);
  g_main_loop_unref (server.loop);
  return 0;
}
