/* cc-engine-stream.c: a server-streaming Connect response
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Envelopes are appended to a chunked response that libsoup writes as the socket allows. The
 * response body does not accumulate, and the producer is told to pause when the bytes appended
 * but not yet written pass a high-water mark, so a slow reader costs bounded memory.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "cc-connect-codec.h"
#include "cc-engine-private.h"
#include "cc-protojson.h"

#define HIGH_WATER (512 * 1024)
#define LOW_WATER  (128 * 1024)
#define DEFAULT_KEEPALIVE_S 90

struct _CcEngineStream
{
  int ref_count;
  SoupServerMessage *msg;
  char *keepalive_payload;
  gint64 keepalive_usec;
  gint64 last_send;
  guint keepalive_id;
  guint deadline_id;

  CcEngineStreamClosedFunc closed_func;
  gpointer closed_data;
  CcEngineStreamDrainedFunc drained_func;
  gpointer drained_data;

  gsize backlog;
  gboolean was_congested;
  gboolean finished;
  gboolean closed;
  gboolean corked;
  gulong wrote_handler;
  gulong finished_handler;
};

static void arm_keepalive (CcEngineStream *self);

guint64
_cc_engine_request_timeout_ms (SoupServerMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "Connect-Timeout-Ms");
  guint64 ms = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT32, &ms, NULL))
    return 0;
  return ms;
}

static guint
keepalive_seconds (SoupServerMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "Keepalive-Ping-Interval");
  guint64 s = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, 86400, &s, NULL))
    return DEFAULT_KEEPALIVE_S;
  return (guint) s;
}

/* libsoup writes each chunk in three writes (its size, the envelope, CRLF), and the connection
 * has TCP_NODELAY: every write became a segment of its own, which the client woke up for. Corked
 * while envelopes wait to be written, the headers and what follows them leave together. The cork
 * holds a reference: a stream is often dropped right after its end envelope, before libsoup has
 * written it, and the connection must not stay corked for the next request on it. Uncorking may
 * drop the last reference. */
static void
set_corked (CcEngineStream *self,
            gboolean        corked)
{
  GSocket *socket;

  if (self->corked == corked)
    return;
  socket = soup_server_message_get_socket (self->msg);
  if (corked)
    {
      /* Not a TCP connection (a Unix socket): nothing to cork. A stream being freed writes its
       * end uncorked: nothing would be left to uncork it. */
      if (self->ref_count == 0 || socket == NULL ||
          !g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, TRUE, NULL))
        return;
      self->corked = TRUE;
      _cc_engine_stream_ref (self);
      return;
    }
  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_CORK, FALSE, NULL);
  self->corked = FALSE;
  _cc_engine_stream_unref (self);
}

static void
append_bytes (CcEngineStream *self,
              GBytes         *envelope)
{
  set_corked (self, TRUE);
  self->backlog += g_bytes_get_size (envelope);
  soup_message_body_append_bytes (soup_server_message_get_response_body (self->msg), envelope);
  self->last_send = g_get_monotonic_time ();
  soup_server_message_unpause (self->msg);
  if (self->backlog > HIGH_WATER)
    self->was_congested = TRUE;
}

void
_cc_engine_stream_send_envelope (CcEngineStream *self,
                                 GBytes         *envelope)
{
  if (self->closed || self->finished)
    return;
  append_bytes (self, envelope);
}

static void
append_envelope (CcEngineStream *self,
                 guint8          flags,
                 const char     *payload,
                 gsize           length)
{
  GBytes *envelope;

  if (self->closed || self->finished)
    return;

  envelope = cc_connect_envelope_new (flags, payload, length);
  append_bytes (self, envelope);
  g_bytes_unref (envelope);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  CcEngineStream *self = user_data;
  gint64 due = self->last_send + self->keepalive_usec;

  self->keepalive_id = 0;
  if (self->closed || self->finished)
    return G_SOURCE_REMOVE;
  if (g_get_monotonic_time () >= due - 1000)
    append_envelope (self, 0, self->keepalive_payload, strlen (self->keepalive_payload));
  arm_keepalive (self);
  return G_SOURCE_REMOVE;
}

static void
arm_keepalive (CcEngineStream *self)
{
  gint64 wait_ms = (self->last_send + self->keepalive_usec - g_get_monotonic_time ()) / 1000;

  if (self->keepalive_payload == NULL || self->closed || self->finished)
    return;
  self->keepalive_id = g_timeout_add ((guint) CLAMP (wait_ms, 1, G_MAXINT32), keepalive_cb, self);
}

static void
stop_timers (CcEngineStream *self)
{
  g_clear_handle_id (&self->keepalive_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);
}

static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              chunk_size,
                    gpointer           user_data)
{
  CcEngineStream *self = user_data;

  self->backlog = chunk_size > self->backlog ? 0 : self->backlog - chunk_size;
  if (self->was_congested && self->backlog <= LOW_WATER)
    {
      self->was_congested = FALSE;
      if (self->drained_func != NULL)
        self->drained_func (self, self->drained_data);
    }
  /* All of it is in the socket now: send it. What is appended later corks again. Last, as it
   * may drop the last reference. */
  if (self->backlog == 0)
    set_corked (self, FALSE);
}

static void
finished_cb (SoupServerMessage *msg,
             gpointer           user_data)
{
  CcEngineStream *self = _cc_engine_stream_ref (user_data);
  CcEngineStreamClosedFunc func = self->closed_func;

  self->closed = TRUE;
  stop_timers (self);
  /* The connection may carry the next request's answer. */
  set_corked (self, FALSE);
  g_clear_signal_handler (&self->wrote_handler, self->msg);
  g_clear_signal_handler (&self->finished_handler, self->msg);
  self->closed_func = NULL;
  self->drained_func = NULL;
  if (func != NULL)
    func (self, self->closed_data);
  _cc_engine_stream_unref (self);
}

CcEngineStream *
_cc_engine_stream_new (SoupServerMessage        *msg,
                       const char               *keepalive_payload,
                       CcEngineStreamClosedFunc  closed,
                       gpointer                  user_data)
{
  CcEngineStream *self = g_new0 (CcEngineStream, 1);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  self->ref_count = 1;
  self->msg = g_object_ref (msg);
  self->keepalive_payload = g_strdup (keepalive_payload);
  self->keepalive_usec = (gint64) keepalive_seconds (msg) * G_USEC_PER_SEC;
  self->last_send = g_get_monotonic_time ();
  self->closed_func = closed;
  self->closed_data = user_data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "application/connect+json", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);

  self->wrote_handler = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), self);
  self->finished_handler = g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), self);
  arm_keepalive (self);
  return self;
}

void
_cc_engine_stream_send_payload (CcEngineStream *self,
                                const char     *json,
                                gsize           length)
{
  append_envelope (self, 0, json, length);
}

void
_cc_engine_stream_send_json (CcEngineStream *self,
                             JsonNode       *message)
{
  gsize length = 0;
  g_autofree char *text = NULL;

  if (self->closed || self->finished)
    return;
  text = cc_protojson_to_string (message, &length);
  append_envelope (self, 0, text, length);
}

static void
complete (CcEngineStream *self)
{
  self->finished = TRUE;
  stop_timers (self);
  soup_message_body_complete (soup_server_message_get_response_body (self->msg));
  soup_server_message_unpause (self->msg);
}

void
_cc_engine_stream_finish (CcEngineStream *self,
                          const char     *code,
                          const char     *message)
{
  g_autofree char *text = NULL;
  gsize length = 2;

  if (self->closed || self->finished)
    return;

  if (code == NULL)
    text = g_strdup ("{}");
  else
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message ? message : code);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      text = cc_protojson_to_string (node, &length);
    }
  append_envelope (self, CC_CONNECT_FLAG_END_STREAM, text, length);
  complete (self);
}

/* The message @payload, then a clean end of stream, as one chunk: libsoup writes each chunk in
 * three writes, and a stream's last message is usually ready together with its end. */
void
_cc_engine_stream_finish_with (CcEngineStream *self,
                               const char     *payload,
                               gsize           length)
{
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (self->closed || self->finished)
    return;

  out = g_byte_array_sized_new (length + 2 * CC_CONNECT_ENVELOPE_HEADER_SIZE + 2);
  cc_connect_envelope_append (out, 0, payload, length);
  cc_connect_envelope_append (out, CC_CONNECT_FLAG_END_STREAM, "{}", 2);
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  append_bytes (self, bytes);
  complete (self);
}

void
_cc_engine_stream_abort (CcEngineStream *self)
{
  GSocket *socket;

  if (self->closed || self->finished)
    return;
  self->finished = TRUE;
  stop_timers (self);
  /* Cutting the connection is what a client sees when a sandbox goes away under it: no end
   * envelope, no last chunk. libsoup then fails the message and emits "finished". */
  socket = soup_server_message_get_socket (self->msg);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  soup_server_message_unpause (self->msg);
}

gboolean
_cc_engine_stream_is_congested (CcEngineStream *self)
{
  return !self->closed && !self->finished && self->backlog > HIGH_WATER;
}

gboolean
_cc_engine_stream_is_closed (CcEngineStream *self)
{
  return self->closed;
}

gboolean
_cc_engine_stream_is_finished (CcEngineStream *self)
{
  return self->finished || self->closed;
}

void
_cc_engine_stream_set_drained_func (CcEngineStream            *self,
                                    CcEngineStreamDrainedFunc  drained,
                                    gpointer                   user_data)
{
  self->drained_func = drained;
  self->drained_data = user_data;
}

void
_cc_engine_stream_set_closed_func (CcEngineStream           *self,
                                   CcEngineStreamClosedFunc  closed,
                                   gpointer                  user_data)
{
  self->closed_func = closed;
  self->closed_data = user_data;
}

void
_cc_engine_stream_clear_callbacks (CcEngineStream *self)
{
  self->closed_func = NULL;
  self->drained_func = NULL;
}

static gboolean
deadline_cb (gpointer user_data)
{
  CcEngineStream *self = user_data;

  self->deadline_id = 0;
  _cc_engine_stream_finish (self, "deadline_exceeded", "context deadline exceeded");
  return G_SOURCE_REMOVE;
}

void
_cc_engine_stream_set_deadline (CcEngineStream *self,
                                guint64         deadline_ms)
{
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (deadline_ms > 0 && !self->finished && !self->closed)
    self->deadline_id = g_timeout_add ((guint) MIN (deadline_ms, G_MAXINT32), deadline_cb, self);
}

CcEngineStream *
_cc_engine_stream_ref (CcEngineStream *self)
{
  self->ref_count++;
  return self;
}

void
_cc_engine_stream_unref (CcEngineStream *self)
{
  if (--self->ref_count > 0)
    return;

  stop_timers (self);
  g_clear_signal_handler (&self->wrote_handler, self->msg);
  g_clear_signal_handler (&self->finished_handler, self->msg);
  if (!self->finished && !self->closed)
    {
      /* Dropped without an end: still close the response properly. */
      self->closed_func = NULL;
      _cc_engine_stream_finish (self, "internal", "stream abandoned");
    }
  g_object_unref (self->msg);
  g_free (self->keepalive_payload);
  g_free (self);
}
