/* test-engine-control.c: the engine's control plane and its command line, over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include "cc-protojson.h"
#include "cc-test-util.h"
#include "engine-core-client.h"

static CcTestEngine *engine;
static SoupSession *session;

static JsonObject *
object (EcReply *reply)
{
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

static void
assert_api_error (EcReply *reply,
                  guint    status)
{
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpint (json_object_get_int_member (object (reply), "code"), ==, status);
  g_assert_nonnull (json_object_get_string_member (object (reply), "message"));
}

static void
test_auth (void)
{
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/v2/sandboxes", NULL);
  const char *bad[] = { "X-API-KEY", "e2b_bad", NULL };
  g_autoptr(EcReply) none = ec_request (session, "GET", url, NULL, NULL, 0, NULL);
  g_autoptr(EcReply) wrong = ec_request (session, "POST", url, "application/json", "{}", -1, bad);
  g_autoptr(EcReply) ok = ec_api (engine, session, "GET", "/v2/sandboxes", NULL);

  assert_api_error (none, 401);
  assert_api_error (wrong, 401);
  g_assert_cmpuint (ok->status, ==, 200);
}

static void
test_create_get (void)
{
  g_autoptr(JsonObject) created = ec_create_sandbox (engine, session,
    "{\"templateID\":\"base\",\"metadata\":{\"purpose\":\"probe\"},\"envVars\":{\"FOO\":\"bar\"},\"timeout\":120}");
  const char *id = json_object_get_string_member (created, "sandboxID");
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", id);
  g_autoptr(EcReply) detail = ec_api (engine, session, "GET", path, NULL);
  g_autoptr(EcReply) v1 = ec_api (engine, session, "POST", "/sandboxes", "{\"templateID\":\"base\"}");
  g_autoptr(EcReply) missing = ec_api (engine, session, "GET", "/sandboxes/doesnotexist0000000", NULL);
  g_autofree char *home = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", id, NULL);
  JsonObject *d;
  gint64 started, end;

  g_assert_cmpuint (strlen (id), ==, 20);
  for (const char *p = id; *p; p++)
    g_assert_true (g_ascii_islower (*p) || g_ascii_isdigit (*p));
  g_assert_cmpstr (json_object_get_string_member (created, "templateID"), ==, "base");
  g_assert_cmpstr (json_object_get_string_member (created, "clientID"), ==, "6532622b");
  g_assert_cmpstr (json_object_get_string_member (created, "envdVersion"), ==, "0.6.13");
  g_assert_cmpstr (json_object_get_string_member (created, "domain"), ==, cc_test_engine_get_domain (engine));
  g_assert_cmpuint (strlen (json_object_get_string_member (created, "envdAccessToken")), >=, 20);
  g_assert_true (json_object_get_null_member (created, "trafficAccessToken"));
  g_assert_true (g_file_test (home, G_FILE_TEST_IS_DIR));

  g_assert_cmpuint (detail->status, ==, 200);
  d = object (detail);
  g_assert_cmpstr (json_object_get_string_member (d, "sandboxID"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (d, "state"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (d, "metadata"), "purpose"), ==, "probe");
  g_assert_cmpint (json_object_get_int_member (d, "cpuCount"), >, 0);
  g_assert_cmpint (json_object_get_int_member (d, "memoryMB"), >, 0);
  g_assert_cmpint (json_object_get_int_member (d, "diskSizeMB"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (d, "lifecycle"), "onTimeout"), ==, "kill");
  g_assert_true (cc_protojson_parse_timestamp (json_object_get_string_member (d, "startedAt"), &started));
  g_assert_true (cc_protojson_parse_timestamp (json_object_get_string_member (d, "endAt"), &end));
  g_assert_cmpint ((end - started) / G_USEC_PER_SEC, >=, 119);
  g_assert_cmpint ((end - started) / G_USEC_PER_SEC, <=, 121);

  g_assert_cmpuint (v1->status, ==, 201);
  assert_api_error (missing, 404);
}

static void
test_bad_input (void)
{
  g_autoptr(EcReply) malformed = ec_api (engine, session, "POST", "/v2/sandboxes", "{\"templateID\":");
  g_autoptr(EcReply) unknown = ec_api (engine, session, "POST", "/v2/sandboxes", "{\"templateID\":\"base\",\"bogus\":1}");
  g_autoptr(EcReply) bad_type = ec_api (engine, session, "POST", "/v2/sandboxes", "{\"timeout\":\"long\"}");
  g_autoptr(EcReply) not_object = ec_api (engine, session, "POST", "/v2/sandboxes", "[]");
  g_autoptr(EcReply) huge = ec_api (engine, session, "POST", "/v2/sandboxes", "{\"timeout\":1e99}");
  g_autoptr(EcReply) bad_limit = ec_api (engine, session, "GET", "/v2/sandboxes?limit=0", NULL);
  g_autoptr(EcReply) bad_state = ec_api (engine, session, "GET", "/v2/sandboxes?state=sleeping", NULL);
  g_autoptr(EcReply) nowhere = ec_api (engine, session, "GET", "/nowhere", NULL);
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/v2/sandboxes", NULL);
  const char *headers[] = { "X-API-KEY", cc_test_engine_get_api_key (engine), NULL };
  gsize big_size = 17 * 1024 * 1024;
  g_autofree char *big = g_malloc (big_size);
  g_autoptr(EcReply) too_big = NULL;

  assert_api_error (malformed, 400);
  assert_api_error (unknown, 400);
  assert_api_error (bad_type, 400);
  assert_api_error (not_object, 400);
  assert_api_error (huge, 400);
  assert_api_error (bad_limit, 400);
  assert_api_error (bad_state, 400);
  assert_api_error (nowhere, 404);

  memset (big, ' ', big_size);
  too_big = ec_request (session, "POST", url, "application/json", big, big_size, headers);
  assert_api_error (too_big, 413);

  {
    /* Still serving. */
    g_autoptr(EcReply) ok = ec_api (engine, session, "GET", "/engine/status", NULL);

    g_assert_cmpuint (ok->status, ==, 200);
  }
}

/* A connection of its own to the engine, for a request written by hand. */
static GSocketConnection *
connect_raw (void)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", cc_test_engine_get_port (engine),
                                                NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), cc_test_scaled_seconds (60));
  return connection;
}

/* Sends @body to the control plane in chunks (no Content-Length), as some clients stream a
 * request; returns the whole answer. */
static char *
post_chunked (const char *path,
              const char *body,
              gsize       length)
{
  g_autoptr(GSocketConnection) connection = connect_raw ();
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  g_string_printf (request, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                   "Connection: close\r\n\r\n", path, cc_test_engine_get_api_key (engine));
  g_output_stream_write_all (out, request->str, request->len, NULL, NULL, &error);
  g_assert_no_error (error);
  for (gsize at = 0; at < length; )
    {
      gsize size = MIN (length - at, 48 * 1024);
      g_autofree char *head = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", size);

      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
      g_output_stream_write_all (out, body + at, size, NULL, NULL, &error);
      g_output_stream_write_all (out, "\r\n", 2, NULL, NULL, &error);
      /* A body refused as too large may be answered, and the connection closed, before all of
       * it is sent. */
      if (error != NULL)
        break;
      at += size;
    }
  if (error == NULL)
    g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, NULL, &error);
  g_clear_error (&error);
  /* Until the engine closes the connection; each read waits at most the socket's timeout. */
  for (guint reads = 0; reads < 10000; reads++)
    {
      char buffer[4096];
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error);

      if (n <= 0)
        break;
      g_string_append_len (answer, buffer, n);
    }
  return g_string_free (g_steal_pointer (&answer), FALSE);
}

/* A large body of unknown length is taken from libsoup once it passes 64 KiB (see
 * cc-engine-rpc.c): its first part is copied, the rest added as it comes. Both must arrive
 * whole, and the size limit holds for it. */
static void
test_chunked_body (void)
{
  gsize value_size = 300 * 1024;
  g_autofree char *value = g_malloc (value_size + 1);
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *too_big_answer = NULL;
  g_autofree char *path = NULL;
  g_autoptr(EcReply) detail = NULL;
  g_autoptr(JsonObject) created = NULL;
  gsize big_size = 17 * 1024 * 1024;
  g_autofree char *big = g_malloc (big_size);
  const char *json;
  const char *big_value;

  for (gsize i = 0; i < value_size; i++)
    value[i] = 'a' + i % 26;
  value[value_size] = '\0';
  body = g_strdup_printf ("{\"templateID\":\"base\",\"metadata\":{\"big\":\"%s\"}}", value);
  answer = post_chunked ("/sandboxes", body, strlen (body));
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 201"));
  json = strstr (answer, "\r\n\r\n");
  g_assert_nonnull (json);
  created = cc_protojson_parse_object (json + 4, -1, NULL);
  g_assert_nonnull (created);
  path = g_strdup_printf ("/sandboxes/%s", json_object_get_string_member (created, "sandboxID"));
  detail = ec_api (engine, session, "GET", path, NULL);
  g_assert_cmpuint (detail->status, ==, 200);
  big_value = json_object_get_string_member (json_object_get_object_member (object (detail), "metadata"), "big");
  g_assert_cmpstr (big_value, ==, value);

  memset (big, ' ', big_size);
  too_big_answer = post_chunked ("/sandboxes", big, big_size);
  g_assert_true (g_str_has_prefix (too_big_answer, "HTTP/1.1 413"));

  {
    g_autoptr(EcReply) killed = ec_api (engine, session, "DELETE", path, NULL);

    g_assert_cmpuint (killed->status, ==, 204);
  }
}

/* Reads one answer's head from @in (the answers sent here have no body); NULL at end of file. */
static char *
read_head (GInputStream *in)
{
  g_autoptr(GString) head = g_string_new (NULL);

  for (guint i = 0; i < 4096 && strstr (head->str, "\r\n\r\n") == NULL; i++)
    {
      char byte;
      g_autoptr(GError) error = NULL;

      if (g_input_stream_read (in, &byte, 1, NULL, &error) != 1)
        return NULL;
      g_string_append_c (head, byte);
    }
  return g_string_free (g_steal_pointer (&head), FALSE);
}

/* A 204 keeps the connection open, as any answer of known length does: libsoup 3.2 took one
 * without a length as ended by EOF and closed the connection after it, and a client that sent
 * its next request on it at that moment got a reset. */
static void
test_no_content_keeps_alive (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{}");
  g_autoptr(GSocketConnection) connection = connect_raw ();
  g_autoptr(GError) error = NULL;
  g_autofree char *set_timeout = NULL;
  g_autofree char *get = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  set_timeout = g_strdup_printf ("POST /sandboxes/%s/timeout HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 "X-API-Key: %s\r\nContent-Type: application/json\r\n"
                                 "Content-Length: 15\r\n\r\n{\"timeout\":600}",
                                 sandbox->id, cc_test_engine_get_api_key (engine));
  get = g_strdup_printf ("GET /sandboxes/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\n"
                         "Connection: close\r\n\r\n", sandbox->id, cc_test_engine_get_api_key (engine));

  g_output_stream_write_all (out, set_timeout, strlen (set_timeout), NULL, NULL, &error);
  g_assert_no_error (error);
  first = read_head (in);
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first, "HTTP/1.1 204"));
  g_assert_null (strstr (first, "Connection: close"));

  /* The same connection answers the next request. */
  g_output_stream_write_all (out, get, strlen (get), NULL, NULL, &error);
  g_assert_no_error (error);
  second = read_head (in);
  g_assert_nonnull (second);
  g_assert_true (g_str_has_prefix (second, "HTTP/1.1 200"));
}

static void
test_list_paging (void)
{
  g_autofree char *tag = g_strdup_printf ("run%u", g_random_int ());
  g_autofree char *body = g_strdup_printf ("{\"metadata\":{\"group\":\"%s\",\"k\":\"a b&c=d\"}}", tag);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *next = NULL;
  g_autofree char *filter = NULL;
  guint pages = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonObject) created = ec_create_sandbox (engine, session, body);
    }
  {
    g_autoptr(JsonObject) other = ec_create_sandbox (engine, session, "{\"metadata\":{\"group\":\"other\"}}");
  }

  /* The SDK's double encoding: k=v pairs URL-encoded, then the whole string again. */
  {
    g_autofree char *k = g_uri_escape_string ("a b&c=d", NULL, FALSE);
    g_autofree char *inner = g_strdup_printf ("group=%s&k=%s", tag, k);

    filter = g_uri_escape_string (inner, NULL, FALSE);
  }

  do
    {
      g_autofree char *path = g_strdup_printf ("/v2/sandboxes?metadata=%s&state=running,paused&limit=2%s%s",
                                               filter, next ? "&nextToken=" : "", next ? next : "");
      g_autoptr(EcReply) page = ec_api (engine, session, "GET", path, NULL);
      JsonArray *items;
      const char *token;

      g_assert_cmpuint (page->status, ==, 200);
      items = json_node_get_array (page->json);
      g_assert_cmpuint (json_array_get_length (items), <=, 2);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);

          g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (item, "metadata"), "group"), ==, tag);
          g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (item, "sandboxID"))));
          g_assert_nonnull (json_object_get_string_member (item, "startedAt"));
          g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "running");
        }
      token = soup_message_headers_get_one (page->headers, "X-Next-Token");
      g_free (next);
      next = token && *token ? g_uri_escape_string (token, NULL, FALSE) : NULL;
      pages++;
    }
  while (next != NULL && pages < 10);

  g_assert_cmpuint (g_hash_table_size (seen), ==, 5);
  g_assert_cmpuint (pages, ==, 3);

  {
    /* State filter: pause one, list only paused ones of the group. */
    GHashTableIter iter;
    gpointer id;
    g_autofree char *pause = NULL;
    g_autofree char *path = g_strdup_printf ("/v2/sandboxes?metadata=%s&state=paused", filter);
    g_autoptr(EcReply) paused = NULL;
    g_autoptr(EcReply) pause_reply = NULL;

    g_hash_table_iter_init (&iter, seen);
    g_hash_table_iter_next (&iter, &id, NULL);
    pause = g_strdup_printf ("/sandboxes/%s/pause", (char *) id);
    pause_reply = ec_api (engine, session, "POST", pause, "{}");
    g_assert_cmpuint (pause_reply->status, ==, 204);
    paused = ec_api (engine, session, "GET", path, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (paused->json)), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (paused->json), 0), "sandboxID"), ==, id);
  }
}

static void
test_pause_resume_connect (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autofree char *pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  g_autofree char *get = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autofree char *connect = g_strdup_printf ("/v2/sandboxes/%s/connect", sandbox->id);
  g_autofree char *resume = g_strdup_printf ("/sandboxes/%s/resume", sandbox->id);
  g_autofree char *health = g_strconcat (cc_test_engine_get_url (engine), "/health", NULL);
  const char *daemon[] = { "E2b-Sandbox-Id", sandbox->id, NULL };
  g_autoptr(EcRun) written = ec_run (sandbox, "echo kept > ~/kept.txt; sleep 60 >/dev/null 2>&1 & echo $! > ~/bg.pid", NULL);

  {
    g_autoptr(EcReply) r1 = ec_api (engine, session, "POST", pause, "{}");
    g_autoptr(EcReply) r2 = ec_api (engine, session, "POST", pause, "{}");
    g_autoptr(EcReply) info = ec_api (engine, session, "GET", get, NULL);
    g_autoptr(EcReply) h = ec_request (session, "GET", health, NULL, NULL, 0, daemon);

    g_assert_cmpuint (r1->status, ==, 204);
    assert_api_error (r2, 409);
    g_assert_cmpstr (json_object_get_string_member (object (info), "state"), ==, "paused");
    g_assert_cmpuint (h->status, ==, 502);  /* a paused sandbox's daemon is not reachable */
  }
  {
    g_autoptr(EcReply) r1 = ec_api (engine, session, "POST", connect, "{\"timeout\":60}");
    g_autoptr(EcReply) r2 = ec_api (engine, session, "POST", connect, "{\"timeout\":60}");
    g_autoptr(EcReply) r3 = ec_api (engine, session, "POST", resume, "{}");
    g_autoptr(EcReply) h = ec_request (session, "GET", health, NULL, NULL, 0, daemon);
    g_autoptr(EcRun) read = ec_run (sandbox, "cat ~/kept.txt; s=$(cut -d' ' -f3 /proc/$(cat ~/bg.pid)/stat 2>/dev/null); "
                                           "if [ -z \"$s\" ] || [ \"$s\" = Z ]; then echo gone; else echo alive; fi", NULL);

    g_assert_cmpuint (r1->status, ==, 201);  /* resumed */
    g_assert_cmpstr (json_object_get_string_member (object (r1), "sandboxID"), ==, sandbox->id);
    g_assert_cmpstr (json_object_get_string_member (object (r1), "envdAccessToken"), ==, sandbox->token);
    g_assert_cmpuint (r2->status, ==, 200);  /* was running */
    assert_api_error (r3, 409);
    g_assert_cmpuint (h->status, ==, 204);
    /* Files stay, and so do processes: stopped while paused, continued on resume. */
    g_assert_cmpstr (read->stdout_text->str, ==, "kept\nalive\n");
  }
  {
    g_autoptr(EcReply) gone = ec_api (engine, session, "POST", "/v2/sandboxes/aaaaaaaaaaaaaaaaaaaa/connect", "{}");
    g_autoptr(EcReply) gone_pause = ec_api (engine, session, "POST", "/sandboxes/aaaaaaaaaaaaaaaaaaaa/pause", "{}");

    assert_api_error (gone, 404);
    assert_api_error (gone_pause, 404);
  }
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gint64
end_at (const char *id)
{
  g_autofree char *get = g_strdup_printf ("/sandboxes/%s", id);
  g_autoptr(EcReply) info = ec_api (engine, session, "GET", get, NULL);
  gint64 value = 0;

  g_assert_cmpuint (info->status, ==, 200);
  g_assert_true (cc_protojson_parse_timestamp (json_object_get_string_member (object (info), "endAt"), &value));
  return value / G_USEC_PER_SEC;
}

static void
test_timeout_refresh_kill (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"timeout\":100}");
  g_autofree char *timeout = g_strdup_printf ("/sandboxes/%s/timeout", sandbox->id);
  g_autofree char *refresh = g_strdup_printf ("/sandboxes/%s/refreshes", sandbox->id);
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autofree char *home = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", sandbox->id, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  {
    g_autoptr(EcReply) r = ec_api (engine, session, "POST", timeout, "{\"timeout\":1000}");

    g_assert_cmpuint (r->status, ==, 204);
    g_assert_cmpint (end_at (sandbox->id) - now, >=, 999);
    g_assert_cmpint (end_at (sandbox->id) - now, <=, 1002);
  }
  {
    /* setTimeout may also shorten. */
    g_autoptr(EcReply) r = ec_api (engine, session, "POST", timeout, "{\"timeout\":30}");

    g_assert_cmpuint (r->status, ==, 204);
    g_assert_cmpint (end_at (sandbox->id) - now, <=, 32);
  }
  {
    g_autoptr(EcReply) r = ec_api (engine, session, "POST", refresh, "{\"duration\":600}");
    g_autoptr(EcReply) bad = ec_api (engine, session, "POST", timeout, "{\"timeout\":-5}");
    g_autoptr(EcReply) missing = ec_api (engine, session, "POST", "/sandboxes/aaaaaaaaaaaaaaaaaaaa/timeout", "{\"timeout\":5}");

    g_assert_cmpuint (r->status, ==, 204);
    g_assert_cmpint (end_at (sandbox->id) - now, >=, 599);
    assert_api_error (bad, 400);
    assert_api_error (missing, 404);
  }
  {
    g_autoptr(EcReply) k1 = ec_api (engine, session, "DELETE", path, NULL);
    g_autoptr(EcReply) k2 = ec_api (engine, session, "DELETE", path, NULL);
    g_autoptr(EcReply) info = ec_api (engine, session, "GET", path, NULL);
    guint i;

    g_assert_cmpuint (k1->status, ==, 204);
    assert_api_error (k2, 404);
    assert_api_error (info, 404);
    /* The files go away (in the background): wait for it with a bound. */
    for (i = 0; i < 1000 && g_file_test (home, G_FILE_TEST_EXISTS); i++)
      {
        gboolean tick = FALSE;

        g_timeout_add (10, flag_cb, &tick);
        while (!tick)
          g_main_context_iteration (NULL, TRUE);
      }
    g_assert_false (g_file_test (home, G_FILE_TEST_EXISTS));
  }
}

static void
test_metrics_status (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s/metrics", sandbox->id);
  g_autofree char *all = g_strdup_printf ("/sandboxes/metrics?sandbox_ids=%s,aaaaaaaaaaaaaaaaaaaa", sandbox->id);
  g_autoptr(EcReply) one = ec_api (engine, session, "GET", path, NULL);
  g_autoptr(EcReply) many = ec_api (engine, session, "GET", all, NULL);
  g_autoptr(EcReply) status = ec_api (engine, session, "GET", "/engine/status", NULL);
  g_autoptr(EcReply) missing = ec_api (engine, session, "GET", "/sandboxes/aaaaaaaaaaaaaaaaaaaa/metrics", NULL);
  JsonObject *metric;

  g_assert_cmpuint (one->status, ==, 200);
  metric = json_array_get_object_element (json_node_get_array (one->json), 0);
  g_assert_cmpint (json_object_get_int_member (metric, "cpuCount"), >, 0);
  g_assert_cmpint (json_object_get_int_member (metric, "timestampUnix"), >, 0);
  g_assert_true (json_object_has_member (json_object_get_object_member (object (many), "sandboxes"), sandbox->id));
  g_assert_false (json_object_has_member (json_object_get_object_member (object (many), "sandboxes"), "aaaaaaaaaaaaaaaaaaaa"));
  assert_api_error (missing, 404);

  g_assert_cmpuint (status->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object (status), "isolation"), ==, cc_test_engine_get_isolation (engine));
  g_assert_cmpstr (json_object_get_string_member (object (status), "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (json_object_get_int_member (object (status), "sandboxes"), >=, 1);
}

static void
test_runtime_file (void)
{
  struct stat st;
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) info = NULL;

  g_assert_cmpint (stat (cc_test_engine_get_json_path (engine), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (cc_test_engine_get_json_path (engine), &contents, NULL, NULL));
  info = cc_protojson_parse_object (contents, -1, NULL);
  g_assert_cmpstr (json_object_get_string_member (info, "url"), ==, cc_test_engine_get_url (engine));
  g_assert_cmpint (json_object_get_int_member (info, "pid"), ==, cc_test_engine_get_pid (engine));
  g_assert_nonnull (json_object_get_string_member (info, "api_key"));
  g_assert_nonnull (json_object_get_string_member (info, "version"));
  g_assert_nonnull (json_object_get_string_member (info, "isolation"));
}

static void
test_cli (void)
{
  g_auto(GStrv) env = cc_test_engine_dup_environ (engine);
  const char *binary = g_getenv ("CODE_CANVAS_ENGINE");
  const char *print_argv[] = { binary, "--print-env", NULL };
  const char *second_argv[] = { binary, NULL };
  const char *help_argv[] = { binary, "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *expected_key = NULL;

  g_assert_cmpint (cc_test_run_command (print_argv, (const char * const *) env, NULL, &out, &err), ==, 0);
  expected_url = g_strdup_printf ("export E2B_API_URL='%s'\n", cc_test_engine_get_url (engine));
  expected_key = g_strdup_printf ("export E2B_API_KEY='%s'\n", cc_test_engine_get_api_key (engine));
  g_assert_nonnull (strstr (out, expected_url));
  g_assert_nonnull (strstr (out, expected_key));
  g_assert_nonnull (strstr (out, "export E2B_SANDBOX_URL="));

  /* One engine per user: a second one refuses to start. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cc_test_run_command (second_argv, (const char * const *) env, NULL, &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "already running"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  cc_test_run_command (help_argv, (const char * const *) env, NULL, &out, &err);
  g_assert_nonnull (strstr (out, "--print-env"));
  g_assert_nonnull (strstr (out, "--port"));

  {
    /* No engine for this user: a helpful error. */
    g_autofree char *empty = cc_test_make_tmpdir ("cc-no-engine");
    g_auto(GStrv) env2 = g_environ_setenv (g_get_environ (), "XDG_RUNTIME_DIR", empty, TRUE);

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (cc_test_run_command (print_argv, (const char * const *) env2, NULL, &out, &err), !=, 0);
    g_assert_nonnull (strstr (err, "No code-canvas-engine is running"));
    cc_test_rm_rf (empty);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/control/auth", test_auth);
  g_test_add_func ("/engine/control/create-get", test_create_get);
  g_test_add_func ("/engine/control/bad-input", test_bad_input);
  g_test_add_func ("/engine/control/chunked-body", test_chunked_body);
  g_test_add_func ("/engine/control/no-content-keeps-alive", test_no_content_keeps_alive);
  g_test_add_func ("/engine/control/list-paging", test_list_paging);
  g_test_add_func ("/engine/control/pause-resume-connect", test_pause_resume_connect);
  g_test_add_func ("/engine/control/timeout-refresh-kill", test_timeout_refresh_kill);
  g_test_add_func ("/engine/control/metrics-status", test_metrics_status);
  g_test_add_func ("/engine/control/runtime-file", test_runtime_file);
  g_test_add_func ("/engine/control/cli", test_cli);

  return ec_test_run (&engine, &session, 0);
}
