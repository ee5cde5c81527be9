/* engine-core-client.c: a small real HTTP client for the engine's tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-connect-codec.h"
#include "cc-protojson.h"
#include "cc-test-util.h"
#include "engine-core-client.h"

void
ec_reply_free (EcReply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply);
}

EcReply *
ec_request (SoupSession        *session,
            const char         *method,
            const char         *url,
            const char         *content_type,
            const void         *body,
            gssize              length,
            const char * const *headers)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EcReply *reply = g_new0 (EcReply, 1);
  const char *ct;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  for (guint i = 0; headers && headers[i]; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i], headers[i + 1]);

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  reply->body = soup_session_send_and_read_finish (session, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  ct = soup_message_headers_get_content_type (reply->headers, NULL);
  if (ct != NULL && g_str_equal (ct, "application/json") && g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, g_bytes_get_data (reply->body, NULL),
                                      g_bytes_get_size (reply->body), NULL))
        reply->json = json_node_copy (json_parser_get_root (parser));
    }
  return reply;
}

EcReply *
ec_api (CcTestEngine *engine,
        SoupSession  *session,
        const char   *method,
        const char   *path,
        const char   *json_body)
{
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), path, NULL);
  const char *headers[] = { "X-API-KEY", cc_test_engine_get_api_key (engine), NULL };

  return ec_request (session, method, url, json_body ? "application/json" : NULL, json_body, -1, headers);
}

JsonObject *
ec_create_sandbox (CcTestEngine *engine,
                   SoupSession  *session,
                   const char   *json_body)
{
  g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/v2/sandboxes",
                                     json_body ? json_body : "{\"templateID\":\"base\"}");

  g_assert_cmpuint (reply->status, ==, 201);
  g_assert_nonnull (reply->json);
  return json_object_ref (json_node_get_object (reply->json));
}

EcSandbox *
ec_sandbox_new (CcTestEngine *engine,
                SoupSession  *session,
                const char   *json_body)
{
  g_autoptr(JsonObject) created = ec_create_sandbox (engine, session, json_body);
  EcSandbox *sandbox = g_new0 (EcSandbox, 1);

  sandbox->engine = engine;
  sandbox->session = g_object_ref (session);
  sandbox->id = g_strdup (json_object_get_string_member (created, "sandboxID"));
  sandbox->token = g_strdup (json_object_get_string_member (created, "envdAccessToken"));
  return sandbox;
}

void
ec_sandbox_free (EcSandbox *sandbox)
{
  g_object_unref (sandbox->session);
  g_free (sandbox->id);
  g_free (sandbox->token);
  g_free (sandbox);
}

static char *
basic_auth (const char *user)
{
  g_autofree char *pair = g_strconcat (user, ":", NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

EcReply *
ec_unary (EcSandbox  *sandbox,
          const char *path,
          const char *json_body,
          const char *user)
{
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (sandbox->engine), path, NULL);
  g_autofree char *auth = user ? basic_auth (user) : NULL;
  const char *headers[] = {
    "E2b-Sandbox-Id", sandbox->id,
    "X-Access-Token", sandbox->token,
    "Connect-Protocol-Version", "1",
    auth ? "Authorization" : NULL, auth,
    NULL
  };

  return ec_request (sandbox->session, "POST", url, "application/json", json_body, -1, headers);
}

struct _EcStream
{
  SoupMessage *msg;
  GInputStream *input;
  CcConnectDecoder *decoder;
  gboolean eof;
};

EcStream *
ec_stream_open_raw (EcSandbox          *sandbox,
                    const char         *path,
                    const char         *content_type,
                    const void         *body,
                    gsize               length,
                    const char * const *headers)
{
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (sandbox->engine), path, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (body, length);
  EcStream *stream = g_new0 (EcStream, 1);
  SoupMessageHeaders *request_headers;

  stream->msg = soup_message_new ("POST", url);
  stream->decoder = cc_connect_decoder_new (CC_CONNECT_DEFAULT_MAX_MESSAGE);
  soup_message_set_request_body_from_bytes (stream->msg, content_type, bytes);
  request_headers = soup_message_get_request_headers (stream->msg);
  soup_message_headers_replace (request_headers, "E2b-Sandbox-Id", sandbox->id);
  soup_message_headers_replace (request_headers, "X-Access-Token", sandbox->token);
  soup_message_headers_replace (request_headers, "Connect-Protocol-Version", "1");
  for (guint i = 0; headers && headers[i]; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);

  soup_session_send_async (sandbox->session, stream->msg, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  stream->input = soup_session_send_finish (sandbox->session, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return stream;
}

EcStream *
ec_stream_open (EcSandbox          *sandbox,
                const char         *path,
                const char         *json_body,
                const char         *user,
                const char * const *headers)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree char *auth = user ? basic_auth (user) : NULL;
  g_autoptr(GStrvBuilder) all = g_strv_builder_new ();
  g_auto(GStrv) all_headers = NULL;

  cc_connect_envelope_append (body, 0, json_body, strlen (json_body));
  if (auth != NULL)
    {
      g_strv_builder_add (all, "Authorization");
      g_strv_builder_add (all, auth);
    }
  for (guint i = 0; headers && headers[i]; i++)
    g_strv_builder_add (all, headers[i]);
  all_headers = g_strv_builder_end (all);
  return ec_stream_open_raw (sandbox, path, "application/connect+json", body->data, body->len,
                             (const char * const *) all_headers);
}

guint
ec_stream_get_status (EcStream *stream)
{
  return soup_message_get_status (stream->msg);
}

gboolean
ec_stream_next (EcStream    *stream,
                guint8      *flags,
                JsonObject **message)
{
  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GBytes) chunk = NULL;

      if (cc_connect_decoder_next (stream->decoder, flags, &payload, &error))
        {
          *message = cc_protojson_parse_object (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), &error);
          g_assert_no_error (error);
          return TRUE;
        }
      g_assert_no_error (error);
      if (stream->eof)
        {
          g_assert_cmpuint (cc_connect_decoder_get_pending (stream->decoder), ==, 0);
          return FALSE;
        }
      g_input_stream_read_bytes_async (stream->input, 65536, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
      chunk = g_input_stream_read_bytes_finish (stream->input, cc_test_wait_result (&result), &error);
      g_assert_no_error (error);
      if (g_bytes_get_size (chunk) == 0)
        stream->eof = TRUE;
      else
        cc_connect_decoder_push (stream->decoder, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
    }
}

void
ec_stream_free (EcStream *stream)
{
  if (stream->input != NULL)
    {
      g_input_stream_close (stream->input, NULL, NULL);
      g_object_unref (stream->input);
    }
  g_clear_object (&stream->msg);
  cc_connect_decoder_free (stream->decoder);
  g_free (stream);
}

void
ec_run_free (EcRun *run)
{
  g_string_free (run->stdout_text, TRUE);
  g_string_free (run->stderr_text, TRUE);
  g_string_free (run->pty_text, TRUE);
  g_clear_pointer (&run->end, json_object_unref);
  g_clear_pointer (&run->eos_error, json_object_unref);
  g_free (run);
}

static void
append_b64 (GString    *into,
            JsonObject *data,
            const char *member)
{
  g_autoptr(GBytes) bytes = cc_protojson_get_bytes (data, member);

  g_assert_nonnull (bytes);
  g_string_append_len (into, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static EcRun *
collect (EcStream *stream,
         gboolean  first)
{
  EcRun *run = g_new0 (EcRun, 1);
  JsonObject *message = NULL;
  guint8 flags;

  run->stdout_text = g_string_new (NULL);
  run->stderr_text = g_string_new (NULL);
  run->pty_text = g_string_new (NULL);
  g_assert_cmpuint (ec_stream_get_status (stream), ==, 200);

  while (ec_stream_next (stream, &flags, &message))
    {
      g_autoptr(JsonObject) owned = message;
      JsonObject *event;

      g_assert_false (run->got_eos);
      if (flags & CC_CONNECT_FLAG_END_STREAM)
        {
          run->got_eos = TRUE;
          if (json_object_has_member (owned, "error"))
            run->eos_error = json_object_ref (json_object_get_object_member (owned, "error"));
          continue;
        }
      event = json_object_get_object_member (owned, "event");
      g_assert_nonnull (event);
      if (first)
        {
          g_assert_true (json_object_has_member (event, "start"));
          run->pid = (guint) cc_protojson_get_int64 (json_object_get_object_member (event, "start"), "pid", 0);
          g_assert_cmpuint (run->pid, >, 0);
          first = FALSE;
        }
      else if (json_object_has_member (event, "data"))
        {
          JsonObject *data = json_object_get_object_member (event, "data");

          if (json_object_has_member (data, "stdout"))
            append_b64 (run->stdout_text, data, "stdout");
          else if (json_object_has_member (data, "stderr"))
            append_b64 (run->stderr_text, data, "stderr");
          else
            append_b64 (run->pty_text, data, "pty");
        }
      else if (json_object_has_member (event, "end"))
        run->end = json_object_ref (json_object_get_object_member (event, "end"));
      else if (json_object_has_member (event, "keepalive"))
        run->n_keepalives++;
      else
        g_assert_not_reached ();
    }
  g_assert_true (run->got_eos);
  return run;
}

EcRun *
ec_stream_collect (EcStream *stream)
{
  return collect (stream, TRUE);
}

EcRun *
ec_stream_collect_after_start (EcStream *stream)
{
  return collect (stream, FALSE);
}

SoupSession *
ec_session_new (guint timeout_seconds)
{
  SoupSession *session = soup_session_new_with_options ("max-conns-per-host", 64, "max-conns", 128, NULL);

  if (timeout_seconds > 0)
    soup_session_set_timeout (session, timeout_seconds);
  return session;
}

int
ec_test_run (CcTestEngine **engine,
             SoupSession  **session,
             guint          timeout_seconds)
{
  int ret;

  *engine = cc_test_engine_new ();
  *session = ec_session_new (timeout_seconds);
  ret = g_test_run ();
  g_clear_object (session);
  g_clear_pointer (engine, cc_test_engine_free);
  return ret;
}

const char *
ec_run_end_status (EcRun *run)
{
  g_assert_nonnull (run->end);
  return json_object_get_string_member (run->end, "status");
}

guint
ec_stream_read_start (EcStream *stream)
{
  JsonObject *message = NULL;
  guint8 flags;
  guint pid;

  g_assert_cmpuint (ec_stream_get_status (stream), ==, 200);
  g_assert_true (ec_stream_next (stream, &flags, &message));
  g_assert_cmpuint (flags, ==, 0);
  pid = (guint) cc_protojson_get_int64 (json_object_get_object_member (
    json_object_get_object_member (message, "event"), "start"), "pid", 0);
  json_object_unref (message);
  g_assert_cmpuint (pid, >, 0);
  return pid;
}

char *
ec_start_body (const char *cmd,
               gboolean    want_stdin,
               const char *extra_process_members)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "-l");
  json_builder_add_string_value (builder, "-c");
  json_builder_add_string_value (builder, cmd);
  json_builder_end_array (builder);
  node = json_builder_get_root (builder);
  text = json_to_string (node, FALSE);
  return g_strdup_printf ("{\"process\":{\"cmd\":\"/bin/bash\",\"args\":%s%s%s},\"stdin\":%s}", text,
                          extra_process_members ? "," : "", extra_process_members ? extra_process_members : "",
                          want_stdin ? "true" : "false");
}

EcRun *
ec_run (EcSandbox  *sandbox,
        const char *cmd,
        const char *user)
{
  g_autofree char *body = ec_start_body (cmd, FALSE, NULL);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, user, NULL);

  return ec_stream_collect (stream);
}
