/* cc-connect-stream.c: reading a Connect server stream, message by message
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader decodes envelopes as bytes arrive, hands each message to its consumer, and ends on
 * the end-of-stream envelope (clean, or carrying a Connect error). A consumer may pause the
 * exchange between two messages; pausing and resuming live here because resuming re-enters the
 * reader's drain loop.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-connect-stream-private.h"
#include "cc-http-exchange-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

/* Reads start small and grow to the largest size when a read fills the buffer: most streams
 * are a few short messages, and a 64 KiB buffer for each read was freed back to the system
 * (brk) after nearly every command. */
#define STREAM_READ_FIRST_SIZE (4 * 1024)
#define STREAM_READ_SIZE       (64 * 1024)

/* We ask for a keepalive every 50 s; a stream silent for three intervals is a dead
 * connection (no FIN, no RST), not a quiet process. */
#define STREAM_SILENCE_LIMIT_S 150

typedef struct
{
  CcHttpExchange       *exchange;
  char                 *sandbox_id;
  CcConnectMessageFunc  func;
  gpointer              func_data;
  CcConnectDecoder     *decoder;
  guint8               *buffer;
  gsize                 buffer_size;
  GSource              *watchdog;
  gint64                last_read;
  gboolean              silent;
} StreamState;

static void
stream_clear_watchdog (StreamState *state)
{
  if (state->watchdog != NULL)
    {
      g_source_destroy (state->watchdog);
      g_clear_pointer (&state->watchdog, g_source_unref);
    }
}

static void stream_start_watchdog (StreamState *state,
                                   gint64       wait_ms);

static gboolean
stream_watchdog_cb (gpointer user_data)
{
  StreamState *state = user_data;
  gint64 silent_ms = (g_get_monotonic_time () - state->last_read) / 1000;

  g_clear_pointer (&state->watchdog, g_source_unref);
  if (silent_ms < STREAM_SILENCE_LIMIT_S * 1000)
    {
      stream_start_watchdog (state, STREAM_SILENCE_LIMIT_S * 1000 - silent_ms);
      return G_SOURCE_REMOVE;
    }
  state->silent = TRUE;
  g_cancellable_cancel (_cc_http_exchange_get_cancellable (state->exchange));
  return G_SOURCE_REMOVE;
}

static void
stream_start_watchdog (StreamState *state,
                       gint64       wait_ms)
{
  state->watchdog = g_timeout_source_new ((guint) wait_ms);
  g_source_set_callback (state->watchdog, stream_watchdog_cb, state, NULL);
  g_source_attach (state->watchdog, g_main_context_get_thread_default ());
}

/* Silence is counted from the last read started. One timer for the whole stream, which looks
 * again when it fires: a timer made and destroyed for every read cost more than the read. */
static void
stream_arm_watchdog (StreamState *state)
{
  state->last_read = g_get_monotonic_time ();
  if (state->watchdog == NULL)
    stream_start_watchdog (state, STREAM_SILENCE_LIMIT_S * 1000);
}

static void
stream_skipped_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_input_stream_skip_finish (G_INPUT_STREAM (source), result, NULL);
  g_input_stream_close_async (G_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (source);
}

static void
stream_state_free (StreamState *state)
{
  stream_clear_watchdog (state);
  g_clear_pointer (&state->exchange, _cc_http_exchange_unref);
  g_clear_pointer (&state->decoder, cc_connect_decoder_free);
  g_free (state->buffer);
  g_free (state->sandbox_id);
  g_free (state);
}

static void stream_read_more (GTask *task);

typedef enum
{
  DRAIN_MORE,      /* read more bytes */
  DRAIN_DONE,      /* the task has completed */
  DRAIN_PAUSED,    /* a consumer asked to wait; resumed by _cc_http_exchange_resume() */
} DrainResult;

static void
stream_fail (GTask  *task,
             GError *error)
{
  StreamState *state = g_task_get_task_data (task);

  /* Stop the transfer: nothing after an error is delivered. */
  stream_clear_watchdog (state);
  _cc_http_exchange_abort (state->exchange);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static DrainResult
stream_drain (GTask *task)
{
  StreamState *state = g_task_get_task_data (task);

  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(JsonObject) object = NULL;
      GError *error = NULL;
      guint8 flags = 0;
      const char *data;
      gsize length;

      /* Aborted (disconnect, cancel) while messages were still buffered: deliver no more. */
      if (g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The output stream was closed."));
          _cc_http_exchange_map_error (state->exchange, &error);
          stream_clear_watchdog (state);
          g_task_return_error (task, error);
          g_object_unref (task);
          return DRAIN_DONE;
        }

      if (!cc_connect_decoder_next (state->decoder, &flags, &payload, &error))
        {
          if (error != NULL)
            {
              stream_fail (task, error);
              return DRAIN_DONE;
            }
          return DRAIN_MORE;
        }

      if (flags & CC_CONNECT_FLAG_COMPRESSED)
        {
          _cc_http_set_protocol_error (&error,
                                       "compressed stream message that was never negotiated");
          stream_fail (task, error);
          return DRAIN_DONE;
        }

      data = g_bytes_get_data (payload, &length);
      object = cc_protojson_parse_object (data, length, &error);
      if (object == NULL)
        {
          g_autofree char *detail = g_strdup_printf ("bad stream message: %s", error->message);

          g_clear_error (&error);
          _cc_http_set_protocol_error (&error, detail);
          stream_fail (task, error);
          return DRAIN_DONE;
        }

      if (flags & CC_CONNECT_FLAG_END_STREAM)
        {
          JsonObject *end_error = cc_protojson_get_object (object, "error");
          g_autoptr(GInputStream) rest = NULL;

          if (end_error != NULL)
            {
              const char *code = cc_protojson_get_string (end_error, "code");

              _cc_http_set_connect_error (&error, code ? code : "unknown",
                                          cc_protojson_get_string (end_error, "message"),
                                          state->sandbox_id);
              stream_fail (task, error);
              return DRAIN_DONE;
            }
          /* The stream is complete. Reading the framing that follows (the last chunk) lets
           * libsoup put the connection back in the pool instead of closing it; that waits
           * until the caller has its answer, which often starts the next request. */
          rest = g_object_ref (_cc_http_exchange_get_stream (state->exchange));
          _cc_http_exchange_disarm_timeout (state->exchange);
          stream_clear_watchdog (state);
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          g_input_stream_skip_async (rest, 65536, G_PRIORITY_DEFAULT, NULL, stream_skipped_cb,
                                     g_object_ref (rest));
          return DRAIN_DONE;
        }

      if (!state->func (object, state->func_data, &error))
        {
          stream_fail (task, error);
          return DRAIN_DONE;
        }
      if (state->exchange->paused &&
          !g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          state->exchange->paused_stream = task;
          return DRAIN_PAUSED;
        }
      if (g_cancellable_is_cancelled (_cc_http_exchange_get_cancellable (state->exchange)))
        {
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The output stream was closed."));
          _cc_http_exchange_map_error (state->exchange, &error);
          g_task_return_error (task, error);
          g_object_unref (task);
          return DRAIN_DONE;
        }
    }
}

static void
stream_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  StreamState *state = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      stream_clear_watchdog (state);
      if (state->silent && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK,
                       _("The sandbox stopped sending anything, not even keepalives, for %d "
                         "seconds: the connection is lost. Check your network connection and "
                         "reattach."),
                       STREAM_SILENCE_LIMIT_S);
        }
      else
        _cc_http_exchange_map_error (state->exchange, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (n == 0)
    {
      stream_clear_watchdog (state);
      if (cc_connect_decoder_get_pending (state->decoder) > 0)
        _cc_http_set_protocol_error (&error, "the stream ended inside a message");
      else
        _cc_http_set_protocol_error (&error, "the stream ended without its end-of-stream message");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  cc_connect_decoder_push (state->decoder, state->buffer, n);
  if ((gsize) n == state->buffer_size && state->buffer_size < STREAM_READ_SIZE)
    {
      state->buffer_size = STREAM_READ_SIZE;
      state->buffer = g_realloc (state->buffer, state->buffer_size);
    }
  if (stream_drain (task) == DRAIN_MORE)
    stream_read_more (task);
}

/**
 * _cc_http_exchange_pause:
 *
 * Called from a stream's message function: stop delivering messages after this one until
 * _cc_http_exchange_resume(). Used so that output arriving with the start event is not
 * emitted before the caller has the process object in hand.
 */
void
_cc_http_exchange_pause (CcHttpExchange *exchange)
{
  exchange->paused = TRUE;
}

void
_cc_http_exchange_resume (CcHttpExchange *exchange)
{
  GTask *task;

  exchange->paused = FALSE;
  task = g_steal_pointer (&exchange->paused_stream);
  if (task != NULL && stream_drain (task) == DRAIN_MORE)
    stream_read_more (task);
}

static void
stream_read_more (GTask *task)
{
  StreamState *state = g_task_get_task_data (task);

  stream_arm_watchdog (state);
  if (state->buffer == NULL)
    {
      state->buffer_size = STREAM_READ_FIRST_SIZE;
      state->buffer = g_malloc (state->buffer_size);
    }
  g_input_stream_read_async (_cc_http_exchange_get_stream (state->exchange),
                             state->buffer, state->buffer_size, G_PRIORITY_DEFAULT,
                             _cc_http_exchange_get_cancellable (state->exchange),
                             stream_read_cb, task);
}

void
_cc_connect_stream_read_async (CcHttpExchange      *exchange,
                               const char          *sandbox_id,
                               CcConnectMessageFunc func,
                               gpointer             func_data,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  StreamState *state;

  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, _cc_connect_stream_read_async);
  state = g_new0 (StreamState, 1);
  state->exchange = _cc_http_exchange_ref (exchange);
  state->sandbox_id = g_strdup (sandbox_id);
  state->func = func;
  state->func_data = func_data;
  state->decoder = cc_connect_decoder_new (0);
  g_task_set_task_data (task, state, (GDestroyNotify) stream_state_free);

  if (!_cc_http_exchange_has_content_type (exchange, "application/connect+json"))
    {
      GError *error = NULL;
      const char *type = soup_message_headers_get_content_type (
        soup_message_get_response_headers (exchange->msg), NULL);
      g_autofree char *detail = g_strdup_printf ("unexpected content type “%s” for a stream",
                                                 type ? type : "none");

      _cc_http_set_protocol_error (&error, detail);
      stream_fail (task, error);
      return;
    }
  stream_read_more (task);
}

gboolean
_cc_connect_stream_read_finish (GAsyncResult *result,
                                GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

