/* test-connect.c: the Connect envelope codec and the protojson helpers
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-connect.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

/* The bytes the official SDK sent for commands.run('echo hi') (protocol §12.2). */
static const char echo_request[] =
  "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-l\",\"-c\",\"echo hi\"]},\"stdin\":false}";

static void
test_envelope_encode (void)
{
  g_autoptr(GBytes) bytes = cc_connect_envelope_new (0, echo_request, strlen (echo_request));
  const guint8 *data;
  gsize len;

  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, ==, 79);
  g_assert_cmpuint (data[0], ==, 0x00);
  g_assert_cmpuint (data[1], ==, 0x00);
  g_assert_cmpuint (data[2], ==, 0x00);
  g_assert_cmpuint (data[3], ==, 0x00);
  g_assert_cmpuint (data[4], ==, 0x4a);
  g_assert_cmpmem (data + 5, len - 5, echo_request, strlen (echo_request));
}

static void
test_envelope_split_feed (void)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (0);
  const char *messages[] = { "{\"event\":{\"start\":{\"pid\":100}}}",
                             "{\"event\":{\"data\":{\"stdout\":\"aGkK\"}}}", "{}" };
  guint seen = 0;

  cc_connect_envelope_append (stream, 0, messages[0], strlen (messages[0]));
  cc_connect_envelope_append (stream, 0, messages[1], strlen (messages[1]));
  cc_connect_envelope_append (stream, CC_CONNECT_FLAG_END_STREAM, messages[2], 2);

  /* One byte at a time: frames may span any number of reads. */
  for (guint i = 0; i < stream->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) payload = NULL;
      guint8 flags = 0xff;

      cc_connect_decoder_push (decoder, stream->data + i, 1);
      while (cc_connect_decoder_next (decoder, &flags, &payload, &error))
        {
          gsize len;
          const char *data = g_bytes_get_data (payload, &len);

          g_assert_cmpmem (data, len, messages[seen], strlen (messages[seen]));
          g_assert_cmpuint (flags, ==, seen == 2 ? CC_CONNECT_FLAG_END_STREAM : 0);
          seen++;
          g_clear_pointer (&payload, g_bytes_unref);
        }
      g_assert_no_error (error);
    }
  g_assert_cmpuint (seen, ==, 3);
  g_assert_cmpuint (cc_connect_decoder_get_pending (decoder), ==, 0);
}

static void
test_envelope_truncated (void)
{
  g_autoptr(GBytes) bytes = cc_connect_envelope_new (0, "{\"a\":1}", 7);
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (0);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  cc_connect_decoder_push (decoder, data, len - 2);
  g_assert_false (cc_connect_decoder_next (decoder, NULL, &payload, &error));
  g_assert_no_error (error);
  g_assert_null (payload);
  /* What is left at EOF tells the reader that the stream was cut. */
  g_assert_cmpuint (cc_connect_decoder_get_pending (decoder), ==, len - 2);
}

static void
test_envelope_oversized (void)
{
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (16);
  const guint8 header[] = { 0x00, 0x7f, 0xff, 0xff, 0xff };
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;

  cc_connect_decoder_push (decoder, header, sizeof header);
  g_assert_false (cc_connect_decoder_next (decoder, NULL, &payload, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
}

static void
test_codes (void)
{
  g_assert_cmpuint (cc_connect_code_to_http_status ("not_found"), ==, 404);
  g_assert_cmpuint (cc_connect_code_to_http_status ("deadline_exceeded"), ==, 504);
  g_assert_cmpuint (cc_connect_code_to_http_status ("unauthenticated"), ==, 401);
  g_assert_cmpuint (cc_connect_code_to_http_status ("resource_exhausted"), ==, 429);
  g_assert_true (cc_connect_code_is_valid ("already_exists"));
  g_assert_false (cc_connect_code_is_valid ("nope"));
  g_assert_cmpstr (cc_connect_code_from_http_status (503), ==, "unavailable");
  g_assert_cmpstr (cc_connect_code_from_http_status (404), ==, "unimplemented");
}

static void
test_protojson (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = cc_protojson_parse_object (
    "{\"size\":\"4096\",\"n\":12,\"huge\":1e99,\"neg\":-3.0,\"b\":\"b29wcwo=\",\"u\":\"b29wcwo\",\"t\":\"2026-01-01T00:00:00Z\"}",
    -1, &error);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GBytes) u = NULL;
  g_autofree char *formatted = NULL;
  gint64 usec = 0;

  g_assert_no_error (error);
  g_assert_cmpint (cc_protojson_get_int64 (obj, "size", -1), ==, 4096);
  g_assert_cmpint (cc_protojson_get_int64 (obj, "n", -1), ==, 12);
  g_assert_cmpint (cc_protojson_get_int64 (obj, "missing", -1), ==, -1);
  g_assert_cmpint (cc_protojson_get_int64 (obj, "huge", -1), ==, -1);
  g_assert_cmpint (cc_protojson_get_int64 (obj, "neg", -1), ==, -3);
  b = cc_protojson_get_bytes (obj, "b");
  u = cc_protojson_get_bytes (obj, "u");
  g_assert_cmpmem (g_bytes_get_data (b, NULL), g_bytes_get_size (b), "oops\n", 5);
  g_assert_true (g_bytes_equal (b, u));
  g_assert_true (cc_protojson_parse_timestamp (cc_protojson_get_string (obj, "t"), &usec));
  formatted = cc_protojson_format_timestamp (usec);
  g_assert_cmpstr (formatted, ==, "2026-01-01T00:00:00Z");

  g_assert_null (cc_protojson_parse_object ("{\"a\":", -1, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/connect/envelope/encode", test_envelope_encode);
  g_test_add_func ("/core/connect/envelope/split-feed", test_envelope_split_feed);
  g_test_add_func ("/core/connect/envelope/truncated", test_envelope_truncated);
  g_test_add_func ("/core/connect/envelope/oversized", test_envelope_oversized);
  g_test_add_func ("/core/connect/codes", test_codes);
  g_test_add_func ("/core/connect/protojson", test_protojson);

  return g_test_run ();
}
