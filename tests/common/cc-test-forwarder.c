/* cc-test-forwarder.c: a TCP forwarder on loopback that counts what it accepts, for tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-test-forwarder.h"

struct _CcTestForwarder
{
  GSocketService *service;
  guint port;
  guint target;
  guint accepted;
  char *url;
};

static void
spliced_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  CcTestForwarder *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) target = NULL;

  self->accepted++;
  /* Loopback: the connect is immediate, so it is made here, on the main loop. */
  target = g_socket_client_connect_to_host (client, "127.0.0.1", self->target, NULL, NULL);
  if (target == NULL)
    return TRUE;
  g_io_stream_splice_async (G_IO_STREAM (connection), G_IO_STREAM (target),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, spliced_cb, NULL);
  return TRUE;
}

CcTestForwarder *
cc_test_forwarder_new (guint target_port)
{
  CcTestForwarder *self = g_new0 (CcTestForwarder, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  self->target = target_port;
  self->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);
  return self;
}

void
cc_test_forwarder_free (CcTestForwarder *self)
{
  if (self == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_free (self->url);
  g_free (self);
}

guint
cc_test_forwarder_get_port (CcTestForwarder *self)
{
  return self->port;
}

const char *
cc_test_forwarder_get_url (CcTestForwarder *self)
{
  return self->url;
}

guint
cc_test_forwarder_get_accepted (CcTestForwarder *self)
{
  return self->accepted;
}
