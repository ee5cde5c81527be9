/* cc-fault-proxy.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each connection is handled on its own thread with blocking I/O (GThreadedSocketService):
 * the proxy is a test tool, and straight-line code makes every fault easy to read. Every
 * blocking call takes the proxy's cancellable, so freeing the proxy unblocks stalled threads.
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "cc-fault-proxy.h"

typedef struct
{
  char        *method;
  char        *path_prefix;
  guint        remaining;        /* 0 = unlimited */
  CcFaultKind  kind;
  guint        status;
  guint        retry_after;
  char        *body;
  gsize        after_bytes;
} Rule;

typedef struct
{
  char *method;
  char *path;
} Seen;

struct _CcFaultProxy
{
  GSocketService *service;
  GCancellable   *cancellable;
  char           *url;
  char           *upstream_host;
  guint           upstream_port;

  GMutex          mutex;
  GCond           cond;
  GList          *rules;         /* Rule */
  GPtrArray      *seen;          /* Seen */
  guint           active;        /* handler threads running */
  guint           held;          /* answers held by CC_FAULT_HOLD */
  guint           releases;      /* cc_fault_proxy_release() calls */
};

static void
rule_free (Rule *rule)
{
  g_free (rule->method);
  g_free (rule->path_prefix);
  g_free (rule->body);
  g_free (rule);
}

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen);
}

static gboolean
matches (const char *method,
         const char *path_prefix,
         const char *req_method,
         const char *req_path)
{
  gsize len = path_prefix ? strlen (path_prefix) : 0;

  if (method != NULL && g_ascii_strcasecmp (method, req_method) != 0)
    return FALSE;
  if (path_prefix == NULL)
    return TRUE;
  /* "/files$" is /files itself, not /filesystem.Filesystem/…: the whole path, query aside. */
  if (len > 0 && path_prefix[len - 1] == '$')
    return strncmp (req_path, path_prefix, len - 1) == 0 &&
           (req_path[len - 1] == '\0' || req_path[len - 1] == '?');
  return g_str_has_prefix (req_path, path_prefix);
}

/* Takes the first matching rule's action (consuming one use of it). */
static Rule *
take_rule (CcFaultProxy *self,
           const char   *method,
           const char   *path)
{
  Rule *copy = NULL;

  g_mutex_lock (&self->mutex);
  {
    Seen *seen = g_new0 (Seen, 1);

    seen->method = g_strdup (method);
    seen->path = g_strdup (path);
    g_ptr_array_add (self->seen, seen);
  }
  for (GList *l = self->rules; l != NULL; l = l->next)
    {
      Rule *rule = l->data;

      if (!matches (rule->method, rule->path_prefix, method, path))
        continue;
      copy = g_new0 (Rule, 1);
      *copy = *rule;
      copy->method = NULL;
      copy->path_prefix = NULL;
      copy->body = g_strdup (rule->body);
      if (rule->remaining > 0 && --rule->remaining == 0)
        {
          self->rules = g_list_delete_link (self->rules, l);
          rule_free (rule);
        }
      break;
    }
  g_mutex_unlock (&self->mutex);
  return copy;
}

static void
add_rule (CcFaultProxy *self,
          Rule         *rule,
          const char   *method,
          const char   *path_prefix,
          guint         count)
{
  rule->method = g_strdup (method);
  rule->path_prefix = g_strdup (path_prefix);
  rule->remaining = count;
  g_mutex_lock (&self->mutex);
  self->rules = g_list_append (self->rules, rule);
  g_mutex_unlock (&self->mutex);
}

/* ------------------------------------------------------------------------------------------ */
/* HTTP/1.1 framing helpers (blocking)                                                         */

typedef struct
{
  char      *start_line;
  GPtrArray *headers;            /* "Name: value" lines */
  gint64     content_length;     /* -1 when absent */
  gboolean   chunked;
} Head;

static void
head_clear (Head *head)
{
  g_free (head->start_line);
  g_clear_pointer (&head->headers, g_ptr_array_unref);
}

static gboolean
read_head (GDataInputStream *in,
           Head             *head,
           GCancellable     *cancellable)
{
  memset (head, 0, sizeof *head);
  head->headers = g_ptr_array_new_with_free_func (g_free);
  head->content_length = -1;

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, cancellable, NULL);

      if (line == NULL)
        return FALSE;
      g_strchomp (line);
      if (head->start_line == NULL)
        {
          if (*line == '\0')
            continue;
          head->start_line = g_steal_pointer (&line);
          continue;
        }
      if (*line == '\0')
        return TRUE;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        head->content_length = g_ascii_strtoll (line + 15, NULL, 10);
      else if (g_ascii_strncasecmp (line, "Transfer-Encoding:", 18) == 0 &&
               strstr (line + 18, "chunked") != NULL)
        head->chunked = TRUE;
      g_ptr_array_add (head->headers, g_steal_pointer (&line));
    }
}

/* Reads a body framed by @head, calling @sink for each piece (or discarding when NULL). */
typedef gboolean (*SinkFunc) (const void *data, gsize len, gpointer user_data);

static gboolean
read_exact (GDataInputStream *in,
            gsize             len,
            SinkFunc          sink,
            gpointer          sink_data,
            GCancellable     *cancellable)
{
  guint8 buffer[16384];

  while (len > 0)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, MIN (len, sizeof buffer),
                                      cancellable, NULL);

      if (n <= 0)
        return FALSE;
      if (sink != NULL && !sink (buffer, n, sink_data))
        return FALSE;
      len -= n;
    }
  return TRUE;
}

static gboolean
read_body (GDataInputStream *in,
           Head             *head,
           gboolean          until_eof,
           SinkFunc          sink,
           gpointer          sink_data,
           GCancellable     *cancellable)
{
  if (head->chunked)
    {
      for (;;)
        {
          g_autofree char *line = g_data_input_stream_read_line (in, NULL, cancellable, NULL);
          guint64 size;

          if (line == NULL)
            return FALSE;
          size = g_ascii_strtoull (line, NULL, 16);
          if (size == 0)
            {
              /* Trailers until the empty line. */
              for (;;)
                {
                  g_autofree char *trailer = g_data_input_stream_read_line (in, NULL, cancellable,
                                                                            NULL);
                  if (trailer == NULL)
                    return FALSE;
                  g_strchomp (trailer);
                  if (*trailer == '\0')
                    return TRUE;
                }
            }
          if (!read_exact (in, size, sink, sink_data, cancellable))
            return FALSE;
          g_free (g_data_input_stream_read_line (in, NULL, cancellable, NULL));
        }
    }
  if (head->content_length >= 0)
    return read_exact (in, head->content_length, sink, sink_data, cancellable);
  if (until_eof)
    {
      guint8 buffer[16384];

      for (;;)
        {
          gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, sizeof buffer,
                                          cancellable, NULL);
          if (n < 0)
            return FALSE;
          if (n == 0)
            return TRUE;
          if (sink != NULL && !sink (buffer, n, sink_data))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
append_sink (const void *data,
             gsize       len,
             gpointer    user_data)
{
  g_byte_array_append (user_data, data, len);
  return TRUE;
}

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          len,
           GCancellable  *cancellable)
{
  return g_output_stream_write_all (out, data, len, NULL, cancellable, NULL);
}

static void
answer (GOutputStream *out,
        guint          status,
        const char    *content_type,
        const char    *body,
        guint          retry_after,
        GCancellable  *cancellable)
{
  g_autoptr(GString) response = g_string_new (NULL);

  g_string_append_printf (response, "HTTP/1.1 %u %s\r\n", status,
                          status == 200 ? "OK" : "Injected Fault");
  g_string_append_printf (response, "Content-Type: %s\r\n", content_type);
  g_string_append_printf (response, "Content-Length: %zu\r\n", strlen (body));
  if (retry_after > 0)
    g_string_append_printf (response, "Retry-After: %u\r\n", retry_after);
  g_string_append (response, "Connection: close\r\n\r\n");
  g_string_append (response, body);
  write_all (out, response->str, response->len, cancellable);
  g_output_stream_flush (out, cancellable, NULL);
}

static gboolean
hop_by_hop (const char *line)
{
  static const char * const names[] = {
    "Connection:", "Keep-Alive:", "Transfer-Encoding:", "Content-Length:",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strncasecmp (line, names[i], strlen (names[i])) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  gsize          left;          /* bytes still allowed through */
} TruncateSink;

static gboolean
truncate_sink (const void *data,
               gsize       len,
               gpointer    user_data)
{
  TruncateSink *sink = user_data;
  gsize n = MIN (len, sink->left);

  if (n > 0 && !write_all (sink->out, data, n, sink->cancellable))
    return FALSE;
  sink->left -= n;
  return sink->left > 0;
}

/* Waits until the test releases held answers (or the proxy goes away). */
static void
hold (CcFaultProxy *self)
{
  guint releases;

  g_mutex_lock (&self->mutex);
  releases = self->releases;
  self->held++;
  g_cond_broadcast (&self->cond);
  while (self->releases == releases && !g_cancellable_is_cancelled (self->cancellable))
    g_cond_wait (&self->cond, &self->mutex);
  self->held--;
  g_mutex_unlock (&self->mutex);
}

/* Forwards one request upstream, its body from @body or, when that is NULL, streamed from @in
 * (@request's Content-Length long), and relays the answer as @kind says: CC_FAULT_TRUNCATE cuts
 * it after @after_bytes bytes of body, re-framed as a close-delimited body so the client sees a
 * clean early end rather than a framing error; CC_FAULT_CUT_BODY cuts it the same way but keeps
 * its Content-Length; CC_FAULT_HOLD holds it after @after_bytes bytes; any other passes it. */
static void
forward (CcFaultProxy     *self,
         Head             *request,
         GDataInputStream *in,
         GByteArray       *body,
         GOutputStream    *client_out,
         CcFaultKind       kind,
         gsize             after_bytes)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GDataInputStream) up_in = NULL;
  GOutputStream *up_out;
  g_autoptr(GString) head = g_string_new (NULL);
  g_autofree char *upstream_host = NULL;
  guint upstream_port;
  Head response = { 0 };

  g_mutex_lock (&self->mutex);
  upstream_host = g_strdup (self->upstream_host);
  upstream_port = self->upstream_port;
  g_mutex_unlock (&self->mutex);
  upstream = g_socket_client_connect_to_host (client, upstream_host, upstream_port,
                                              self->cancellable, NULL);
  if (upstream == NULL)
    {
      answer (client_out, 502, "application/json",
              "{\"code\":502,\"message\":\"fault proxy: upstream unreachable\"}", 0,
              self->cancellable);
      return;
    }
  up_out = g_io_stream_get_output_stream (G_IO_STREAM (upstream));
  up_in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (upstream)));
  g_data_input_stream_set_newline_type (up_in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (up_in), 65536);

  g_string_append_printf (head, "%s\r\n", request->start_line);
  for (guint i = 0; i < request->headers->len; i++)
    if (!hop_by_hop (g_ptr_array_index (request->headers, i)))
      g_string_append_printf (head, "%s\r\n", (char *) g_ptr_array_index (request->headers, i));
  g_string_append_printf (head, "Content-Length: %" G_GINT64_FORMAT "\r\nConnection: close\r\n\r\n",
                          body != NULL ? (gint64) body->len : request->content_length);
  if (!write_all (up_out, head->str, head->len, self->cancellable))
    return;
  if (body != NULL && !write_all (up_out, body->data, body->len, self->cancellable))
    return;
  if (body == NULL)
    {
      /* A sink without a limit: the body passes whole. */
      TruncateSink sink = { up_out, self->cancellable, G_MAXSIZE };

      if (!read_exact (in, request->content_length, truncate_sink, &sink, self->cancellable))
        return;
    }

  if (kind != CC_FAULT_TRUNCATE && kind != CC_FAULT_CUT_BODY)
    {
      guint8 buffer[16384];
      gsize left = kind == CC_FAULT_HOLD ? after_bytes : G_MAXSIZE;

      /* Relay as it comes (streams stay live through the proxy). */
      for (;;)
        {
          gssize n = g_input_stream_read (G_INPUT_STREAM (up_in), buffer,
                                          MIN (sizeof buffer, left), self->cancellable, NULL);

          if (n <= 0 || !write_all (client_out, buffer, n, self->cancellable))
            return;
          left -= n;
          if (left == 0)
            {
              hold (self);
              left = G_MAXSIZE;
            }
        }
    }

  if (!read_head (up_in, &response, self->cancellable))
    return;
  g_string_truncate (head, 0);
  g_string_append_printf (head, "%s\r\n", response.start_line);
  for (guint i = 0; i < response.headers->len; i++)
    if (!hop_by_hop (g_ptr_array_index (response.headers, i)))
      g_string_append_printf (head, "%s\r\n", (char *) g_ptr_array_index (response.headers, i));
  if (kind == CC_FAULT_CUT_BODY && response.content_length >= 0)
    g_string_append_printf (head, "Content-Length: %" G_GINT64_FORMAT "\r\n",
                            response.content_length);
  g_string_append (head, "Connection: close\r\n\r\n");
  if (write_all (client_out, head->str, head->len, self->cancellable) && after_bytes > 0)
    {
      TruncateSink sink = { client_out, self->cancellable, after_bytes };

      read_body (up_in, &response, TRUE, truncate_sink, &sink, self->cancellable);
    }
  head_clear (&response);
}

static void
reset_connection (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  struct linger linger = { 1, 0 };

  /* SO_LINGER with a zero timeout makes close() send RST instead of FIN. */
  setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  g_socket_close (socket, NULL);
}

static gboolean
run_cb (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  CcFaultProxy *self = user_data;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_auto(GStrv) parts = NULL;
  Rule *rule = NULL;
  CcFaultKind kind;
  gboolean streamed;
  Head head = { 0 };

  g_mutex_lock (&self->mutex);
  self->active++;
  g_mutex_unlock (&self->mutex);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (in), 65536);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);

  if (!read_head (in, &head, self->cancellable))
    goto out;
  parts = g_strsplit (head.start_line, " ", 3);
  if (g_strv_length (parts) < 2)
    goto out;
  method = g_strdup (parts[0]);
  path = g_strdup (parts[1]);
  if (strchr (path, '?') != NULL)
    *strchr (path, '?') = '\0';

  rule = take_rule (self, method, path);
  kind = rule ? rule->kind : CC_FAULT_PASS;
  /* A forwarded body of known length streams through (a 1 GiB upload is not held here). Any
   * other is read whole first: an answer sent before the body is consumed would make the
   * client see a broken pipe instead of the fault. */
  streamed = (kind == CC_FAULT_PASS || kind == CC_FAULT_TRUNCATE || kind == CC_FAULT_CUT_BODY ||
              kind == CC_FAULT_HOLD) &&
             !head.chunked && head.content_length > 0;
  if (!streamed && !read_body (in, &head, FALSE, append_sink, body, self->cancellable))
    goto out;

  switch (kind)
    {
    case CC_FAULT_PASS:
      forward (self, &head, in, streamed ? NULL : body, out, kind, 0);
      break;

    case CC_FAULT_CLOSE_KEPT_ALIVE:
      forward (self, &head, in, streamed ? NULL : body, out, kind, 0);
      /* Bounded: a client that never comes back gets a plain close. */
      g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
      if (g_socket_condition_wait (g_socket_connection_get_socket (connection), G_IO_IN,
                                   self->cancellable, NULL))
        reset_connection (connection);
      break;

    case CC_FAULT_TRUNCATE:
    case CC_FAULT_CUT_BODY:
    case CC_FAULT_HOLD:
      forward (self, &head, in, streamed ? NULL : body, out, kind, rule->after_bytes);
      break;

    case CC_FAULT_STATUS:
      {
        g_autofree char *fallback = g_strdup_printf ("{\"code\":%u,\"message\":\"injected fault\"}",
                                                     rule->status);

        answer (out, rule->status, "application/json", rule->body ? rule->body : fallback,
                rule->retry_after, self->cancellable);
      }
      break;

    case CC_FAULT_RESET:
      reset_connection (connection);
      break;

    case CC_FAULT_STALL:
      {
        guint8 byte;

        /* Until the client gives up or the proxy goes away. */
        while (g_input_stream_read (G_INPUT_STREAM (in), &byte, 1, self->cancellable, NULL) > 0)
          ;
      }
      break;

    case CC_FAULT_MALFORMED_JSON:
      answer (out, 200, "application/json", "{\"entries\": [{\"name\": tru", 0,
              self->cancellable);
      break;

    case CC_FAULT_WRONG_CONTENT_TYPE:
      answer (out, 200, "text/html; charset=utf-8",
              "<html><body>Please log in to the network</body></html>", 0, self->cancellable);
      break;

    default:
      g_assert_not_reached ();
    }

out:
  if (rule != NULL)
    {
      g_free (rule->body);
      g_free (rule);
    }
  head_clear (&head);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  g_mutex_lock (&self->mutex);
  self->active--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

CcFaultProxy *
cc_fault_proxy_new (const char *upstream_url)
{
  CcFaultProxy *self = g_new0 (CcFaultProxy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  uri = g_uri_parse (upstream_url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  self->upstream_host = g_strdup (g_uri_get_host (uri));
  self->upstream_port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  self->cancellable = g_cancellable_new ();
  /* Stalled connections each hold a thread. */
  self->service = g_threaded_socket_service_new (64);
  g_signal_connect (self->service, "run", G_CALLBACK (run_cb), self);

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
                                 &error);
  g_assert_no_error (error);
  self->url = g_strdup_printf ("http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  g_socket_service_start (self->service);
  return self;
}

void
cc_fault_proxy_free (CcFaultProxy *self)
{
  if (self == NULL)
    return;

  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_cancellable_cancel (self->cancellable);

  /* Handler threads use this struct: wait until they are all out (held ones wake up). */
  g_mutex_lock (&self->mutex);
  g_cond_broadcast (&self->cond);
  while (self->active > 0)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_clear_object (&self->cancellable);
  g_list_free_full (self->rules, (GDestroyNotify) rule_free);
  g_ptr_array_unref (self->seen);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_free (self->url);
  g_free (self->upstream_host);
  g_free (self);
}

const char *
cc_fault_proxy_get_url (CcFaultProxy *self)
{
  return self->url;
}

void
cc_fault_proxy_add_status (CcFaultProxy *self,
                           const char   *method,
                           const char   *path_prefix,
                           guint         count,
                           guint         status,
                           guint         retry_after_seconds,
                           const char   *json_body)
{
  Rule *rule = g_new0 (Rule, 1);

  rule->kind = CC_FAULT_STATUS;
  rule->status = status;
  rule->retry_after = retry_after_seconds;
  rule->body = g_strdup (json_body);
  add_rule (self, rule, method, path_prefix, count);
}

static void
add_simple (CcFaultProxy *self,
            CcFaultKind   kind,
            const char   *method,
            const char   *path_prefix,
            guint         count)
{
  Rule *rule = g_new0 (Rule, 1);

  rule->kind = kind;
  add_rule (self, rule, method, path_prefix, count);
}

void
cc_fault_proxy_add_reset (CcFaultProxy *self,
                          const char   *method,
                          const char   *path_prefix,
                          guint         count)
{
  add_simple (self, CC_FAULT_RESET, method, path_prefix, count);
}

void
cc_fault_proxy_add_stall (CcFaultProxy *self,
                          const char   *method,
                          const char   *path_prefix,
                          guint         count)
{
  add_simple (self, CC_FAULT_STALL, method, path_prefix, count);
}

static void
add_after (CcFaultProxy *self,
           CcFaultKind   kind,
           const char   *method,
           const char   *path_prefix,
           guint         count,
           gsize         after_bytes)
{
  Rule *rule = g_new0 (Rule, 1);

  rule->kind = kind;
  rule->after_bytes = after_bytes;
  add_rule (self, rule, method, path_prefix, count);
}

void
cc_fault_proxy_add_truncate (CcFaultProxy *self,
                             const char   *method,
                             const char   *path_prefix,
                             guint         count,
                             gsize         after_bytes)
{
  add_after (self, CC_FAULT_TRUNCATE, method, path_prefix, count, after_bytes);
}

void
cc_fault_proxy_add_cut_body (CcFaultProxy *self,
                             const char   *method,
                             const char   *path_prefix,
                             guint         count,
                             gsize         after_bytes)
{
  add_after (self, CC_FAULT_CUT_BODY, method, path_prefix, count, after_bytes);
}

void
cc_fault_proxy_add_hold (CcFaultProxy *self,
                         const char   *method,
                         const char   *path_prefix,
                         guint         count,
                         gsize         after_bytes)
{
  add_after (self, CC_FAULT_HOLD, method, path_prefix, count, after_bytes);
}

guint
cc_fault_proxy_held (CcFaultProxy *self)
{
  guint held;

  g_mutex_lock (&self->mutex);
  held = self->held;
  g_mutex_unlock (&self->mutex);
  return held;
}

void
cc_fault_proxy_release (CcFaultProxy *self)
{
  g_mutex_lock (&self->mutex);
  self->releases++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
cc_fault_proxy_set_upstream (CcFaultProxy *self,
                             const char   *upstream_url)
{
  g_autoptr(GUri) uri = g_uri_parse (upstream_url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  g_mutex_lock (&self->mutex);
  g_free (self->upstream_host);
  self->upstream_host = g_strdup (g_uri_get_host (uri));
  self->upstream_port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;
  g_mutex_unlock (&self->mutex);
}

void
cc_fault_proxy_add_close_kept_alive (CcFaultProxy *self,
                                     const char   *method,
                                     const char   *path_prefix,
                                     guint         count)
{
  add_simple (self, CC_FAULT_CLOSE_KEPT_ALIVE, method, path_prefix, count);
}

void
cc_fault_proxy_add_malformed_json (CcFaultProxy *self,
                                   const char   *method,
                                   const char   *path_prefix,
                                   guint         count)
{
  add_simple (self, CC_FAULT_MALFORMED_JSON, method, path_prefix, count);
}

void
cc_fault_proxy_add_wrong_content_type (CcFaultProxy *self,
                                       const char   *method,
                                       const char   *path_prefix,
                                       guint         count)
{
  add_simple (self, CC_FAULT_WRONG_CONTENT_TYPE, method, path_prefix, count);
}

void
cc_fault_proxy_clear_rules (CcFaultProxy *self)
{
  g_mutex_lock (&self->mutex);
  g_list_free_full (g_steal_pointer (&self->rules), (GDestroyNotify) rule_free);
  g_mutex_unlock (&self->mutex);
}

guint
cc_fault_proxy_count (CcFaultProxy *self,
                      const char   *method,
                      const char   *path_prefix)
{
  guint count = 0;

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->seen->len; i++)
    {
      Seen *seen = g_ptr_array_index (self->seen, i);

      if (matches (method, path_prefix, seen->method, seen->path))
        count++;
    }
  g_mutex_unlock (&self->mutex);
  return count;
}

void
cc_fault_proxy_reset_counts (CcFaultProxy *self)
{
  g_mutex_lock (&self->mutex);
  g_ptr_array_set_size (self->seen, 0);
  g_mutex_unlock (&self->mutex);
}
