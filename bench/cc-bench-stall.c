/* cc-bench-stall.c: how long one large request keeps the engine from answering anything else
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thread asks the engine's /health every half millisecond on a connection of its own while the
 * main thread sends one large body. The engine answers /health on its main loop, so the slowest
 * answer is the longest the main loop was held meanwhile (plus one round trip).
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "cc-bench.h"

struct _CcBenchStall
{
  GSocket *socket;
  GThread *thread;
  char    *request;
  gint     stop;
  GArray  *ms;     /* double: each /health answer's time */
};

static GSocket *
dial (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  if (uri == NULL)
    cc_bench_die ("E2B_API_URL is not a URL", NULL);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri),
                                                NULL, &error);
  if (connection == NULL)
    cc_bench_die ("could not connect to the engine", error);
  socket = g_object_ref (g_socket_connection_get_socket (connection));
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* The socket outlives the connection object, which would close it. */
  g_object_set_data_full (G_OBJECT (socket), "cc-bench-connection", g_steal_pointer (&connection),
                          g_object_unref);
  return socket;
}

/* Reads until the end of an answer's head (/health has no body); FALSE when the engine hung up. */
static gboolean
read_head (GSocket *socket)
{
  char buffer[1024];
  gsize have = 0;

  for (guint i = 0; i < 64; i++)
    {
      gssize n = g_socket_receive (socket, buffer + have, sizeof buffer - have - 1, NULL, NULL);

      if (n <= 0)
        return FALSE;
      have += n;
      buffer[have] = '\0';
      if (strstr (buffer, "\r\n\r\n") != NULL)
        return TRUE;
      if (have == sizeof buffer - 1)
        return FALSE;
    }
  return FALSE;
}

static gpointer
poll_thread (gpointer data)
{
  CcBenchStall *self = data;

  while (!g_atomic_int_get (&self->stop))
    {
      gint64 t = g_get_monotonic_time ();
      double ms;

      if (g_socket_send (self->socket, self->request, strlen (self->request), NULL, NULL) < 0 ||
          !read_head (self->socket))
        break;
      ms = cc_bench_ms_since (t);
      g_array_append_val (self->ms, ms);
      g_usleep (500);
    }
  return NULL;
}

CcBenchStall *
cc_bench_stall_start (void)
{
  CcBenchStall *self = g_new0 (CcBenchStall, 1);
  const char *url = g_getenv ("E2B_API_URL");

  self->socket = dial (url);
  self->request = g_strdup ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  self->ms = g_array_new (FALSE, FALSE, sizeof (double));
  self->thread = g_thread_new ("health", poll_thread, self);
  /* A few answers before the body starts, so that the first one is not the slowest. */
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  return self;
}

/* Stops asking, and gives @result the answers as samples and the slowest as its time. */
void
cc_bench_stall_finish (CcBenchStall *self,
                       BenchResult  *result)
{
  double slowest = 0;

  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  g_atomic_int_set (&self->stop, TRUE);
  g_thread_join (self->thread);
  for (guint i = 0; i < self->ms->len; i++)
    {
      double ms = g_array_index (self->ms, double, i);

      g_array_append_val (result->samples, ms);
      slowest = MAX (slowest, ms);
    }
  if (self->ms->len == 0)
    cc_bench_die ("the engine never answered /health", NULL);
  result->ms = slowest;
  g_array_unref (self->ms);
  g_object_unref (self->socket);
  g_free (self->request);
  g_free (self);
}

/* A control-plane create whose metadata is @size bytes of JSON: the engine reads it, parses it
 * and refuses it (a map of at most 1 MiB). */
void
cc_bench_stall_json (gsize size)
{
  const char *url = g_getenv ("E2B_API_URL");
  const char *key = g_getenv ("E2B_API_KEY");
  static const char head[] = "{\"templateID\":\"base\",\"metadata\":{\"k\":\"";
  static const char tail[] = "\"}}";
  g_autoptr(GSocket) socket = dial (url);
  g_autofree char *request = NULL;
  g_autofree char *body = g_malloc (size);
  g_autoptr(GError) error = NULL;
  char answer[64] = "";
  gsize sent = 0;

  memset (body, 'x', size);
  memcpy (body, head, strlen (head));
  memcpy (body + size - strlen (tail), tail, strlen (tail));
  request = g_strdup_printf ("POST /sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\n"
                             "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                             key, size);
  if (g_socket_send (socket, request, strlen (request), NULL, &error) < 0)
    cc_bench_die ("sending the request failed", error);
  while (sent < size)
    {
      gssize n = g_socket_send (socket, body + sent, size - sent, NULL, &error);

      if (n < 0)
        cc_bench_die ("sending the body failed", error);
      sent += n;
    }
  if (g_socket_receive (socket, answer, sizeof answer - 1, NULL, &error) <= 0)
    cc_bench_die ("no answer to the large request", error);
  if (!g_str_has_prefix (answer, "HTTP/1.1 400"))
    cc_bench_die ("the large request was not refused as it should be", NULL);
}
