/* test-engine-input.c: bad input gets a protocol error, never a crash or a stall
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case is an attack on a real engine over real HTTP: deeply nested JSON, a preview that
 * points back at the engine (directly or through a forwarder), huge environment maps and
 * connections that never send a complete request head.
 */
#include "config.h"

#include <string.h>

#include "cc-connect-codec.h"
#include "cc-protojson.h"
#include "cc-test-forwarder.h"
#include "cc-test-util.h"
#include "engine-core-client.h"

/* The engine of this file shuts connections that send no complete head within this. */
#define HEADER_TIMEOUT_MS "400"

static CcTestEngine *engine;
static SoupSession *session;

static guint
count_fds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);

  return cc_test_count_entries (path);
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits until the engine holds at most @max descriptors. Closing happens in the engine's
 * process, which no event here reports: a short ticker wakes the loop to look again, and the
 * wait is bounded like every other. */
static void
wait_fds_at_most (GPid        pid,
                  guint       max,
                  const char *what)
{
  guint ticker = g_timeout_add (20, tick_cb, NULL);

  CC_TEST_WAIT_FOR (count_fds (pid) <= max, what);
  g_source_remove (ticker);
}

static JsonObject *
reply_object (EcReply *reply)
{
  g_assert_nonnull (reply->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->json));
  return json_node_get_object (reply->json);
}

static void
assert_connect_error (EcReply    *reply,
                      guint       status,
                      const char *code)
{
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (reply_object (reply), "code"), ==, code);
}

/* The end-of-stream error of a streaming call that fails before it starts. */
static char *
stream_error (EcSandbox  *sandbox,
              const char *path,
              const char *payload,
              gsize       length)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(EcStream) stream = NULL;
  g_autoptr(JsonObject) message = NULL;
  guint8 flags = 0;
  char *code;

  cc_connect_envelope_append (body, 0, payload, length);
  stream = ec_stream_open_raw (sandbox, path, "application/connect+json", body->data, body->len, NULL);
  g_assert_cmpuint (ec_stream_get_status (stream), ==, 200);
  g_assert_true (ec_stream_next (stream, &flags, &message));
  g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
  code = g_strdup (json_object_get_string_member (json_object_get_object_member (message, "error"), "code"));
  g_assert_nonnull (json_object_get_string_member (json_object_get_object_member (message, "error"), "message"));
  return code;
}

static void
assert_engine_alive (EcSandbox *sandbox)
{
  g_autoptr(EcRun) run = ec_run (sandbox, "echo alive", NULL);

  g_assert_true (cc_test_engine_is_running (sandbox->engine));
  g_assert_cmpstr (run->stdout_text->str, ==, "alive\n");
}

static void
test_depth_scan (void)
{
  const char *ok[] = { "{}", "{\"a\":[[[1]]]}", "\"[[[[[[\"", "{\"a\":\"\\\"[[[[[\"}", "]]]]{}" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    g_assert_true (cc_protojson_check_depth (ok[i], strlen (ok[i]), 4));
  g_assert_false (cc_protojson_check_depth ("[[[[[", 5, 4));
  g_assert_false (cc_protojson_check_depth ("{\"a\":{\"b\":[{\"c\":[1]}]}}", 23, 4));
  /* A backslash escapes the quote, so the brackets after it are still inside the string. */
  g_assert_true (cc_protojson_check_depth ("\"\\\"[[[[[[\"", 10, 1));
}

static void
test_width_scan (void)
{
  const char *ok[] = { "{}", "{\"a\":1}", "[1,2]", "\",,,,,,,,\"", "{\"a\":\"\\\",,,,,,\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    g_assert_true (cc_protojson_check_width (ok[i], strlen (ok[i]), 3));
  g_assert_false (cc_protojson_check_width ("[1,2,3,4]", 9, 3));
  g_assert_false (cc_protojson_check_width ("{\"a\":{\"b\":{}}}", 15, 3));
}

/* Whether @reply's error message (both shapes have "message") names the value bound. */
static void
assert_says_too_many_values (EcReply *reply)
{
  const char *message = json_object_get_string_member (reply_object (reply), "message");

  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "values"));
}

/* Millions of tiny values in a few MiB would hold the parser, and so the main loop, for seconds:
 * every entry point refuses them before parsing, and says why. */
static void
test_wide_json (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autoptr(GString) wide = g_string_new ("{\"path\":\"/home/user\",\"tag\":[");
  GPid pid = cc_test_engine_get_pid (engine);

  for (guint i = 0; i < 2 * 1024 * 1024; i++)
    g_string_append (wide, "1,");
  g_string_append (wide, "1]}");
  {
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/sandboxes", wide->str);

    g_assert_cmpuint (reply->status, ==, 400);
    assert_says_too_many_values (reply);
  }
  {
    g_autoptr(EcReply) fs = ec_unary (sandbox, "/filesystem.Filesystem/Stat", wide->str, NULL);

    assert_connect_error (fs, 400, "invalid_argument");
    assert_says_too_many_values (fs);
  }
  {
    g_autofree char *code = stream_error (sandbox, "/process.Process/Start", wide->str, wide->len);

    g_assert_cmpstr (code, ==, "invalid_argument");
  }
  {
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/engine/previews", wide->str);

    g_assert_cmpuint (reply->status, ==, 400);
    assert_says_too_many_values (reply);
  }
  g_assert_cmpint (cc_test_engine_get_pid (engine), ==, pid);
  assert_engine_alive (sandbox);
}

static void
test_deep_json (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autoptr(GString) deep = g_string_new ("{\"path\":");
  g_autofree char *quoted = NULL;
  GPid pid = cc_test_engine_get_pid (engine);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');

  {
    /* Control plane: 400 in its error shape. */
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/sandboxes", deep->str + 8);

    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_cmpint (json_object_get_int_member (reply_object (reply), "code"), ==, 400);
  }
  {
    /* Unary RPCs of both services: invalid_argument. */
    g_autoptr(EcReply) fs = ec_unary (sandbox, "/filesystem.Filesystem/Stat", deep->str, NULL);
    g_autoptr(EcReply) process = ec_unary (sandbox, "/process.Process/List", deep->str + 8, NULL);

    assert_connect_error (fs, 400, "invalid_argument");
    assert_connect_error (process, 400, "invalid_argument");
  }
  {
    /* A streaming call's envelope. */
    g_autofree char *code = stream_error (sandbox, "/process.Process/Start", deep->str, deep->len);

    g_assert_cmpstr (code, ==, "invalid_argument");
  }
  {
    /* The preview listener's own control call. */
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/engine/previews", deep->str);

    g_assert_cmpuint (reply->status, ==, 400);
  }
  {
    /* Brackets inside a string are text, not nesting: that request is fine. */
    g_autoptr(GString) text = g_string_new ("{\"path\":\"/home/user/");

    for (guint i = 0; i < 200; i++)
      g_string_append_c (text, '[');
    g_string_append (text, "\"}");
    quoted = g_string_free (g_steal_pointer (&text), FALSE);
  }
  {
    g_autoptr(EcReply) missing = ec_unary (sandbox, "/filesystem.Filesystem/Stat", quoted, NULL);

    assert_connect_error (missing, 404, "not_found");
  }
  g_assert_cmpint (cc_test_engine_get_pid (engine), ==, pid);
  assert_engine_alive (sandbox);
}

static EcReply *
preview_get (EcSandbox *sandbox,
             guint      port)
{
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (sandbox->engine), "/", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "E2b-Sandbox-Port", port_text, NULL };

  return ec_request (session, "GET", url, NULL, NULL, 0, headers);
}

#define OWN_PORT_MESSAGE "This port is the engine's own; the preview proxy does not route back into it"
#define VIA_MESSAGE "This request came back through the engine's own preview proxy"

/* The refusal of a loop: 502 with @message. */
static void
assert_loop_refused (EcReply    *reply,
                     const char *message)
{
  g_assert_cmpuint (reply->status, ==, 502);
  g_assert_cmpstr (json_object_get_string_member (reply_object (reply), "message"), ==, message);
}

/* The preview proxy pointed back at the engine, directly, through a preview listener, or through
 * a forwarder it cannot know, is refused by the check meant for it: the engine's own ports by
 * number, anything else by the engine's Via entry coming back. An unisolated engine, where a
 * sandbox's port N is this machine's port N: isolated, the sandbox's loopback has nothing on
 * those ports, and every case got its 502 without reaching either check. */
static void
test_proxy_loop (void)
{
  static const char * const unisolated[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };
  g_autoptr(CcTestEngine) plain = cc_test_engine_new_with_env (unisolated);
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (plain, session, NULL);
  GPid pid = cc_test_engine_get_pid (plain);
  guint engine_port = cc_test_engine_get_port (plain);
  guint before;

  g_assert_cmpstr (cc_test_engine_get_isolation (plain), ==, "none");
  /* One exchange first, so what the first one sets up is there before we count. */
  {
    g_autoptr(EcReply) warm = preview_get (sandbox, engine_port);
  }
  before = count_fds (pid);

  {
    /* Straight at the engine's port. */
    g_autoptr(EcReply) reply = preview_get (sandbox, engine_port);

    assert_loop_refused (reply, OWN_PORT_MESSAGE);
  }
  {
    /* Through a preview listener: at the engine's port, and at the listener's own port. */
    g_autofree char *body = g_strdup_printf ("{\"sandboxID\":\"%s\",\"port\":%u}", sandbox->id, engine_port);
    g_autoptr(EcReply) created = ec_api (plain, session, "POST", "/engine/previews", body);
    g_autoptr(EcReply) reply = NULL;
    g_autoptr(GUri) uri = NULL;
    g_autofree char *self_body = NULL;
    g_autoptr(EcReply) self_created = NULL;
    g_autoptr(EcReply) self_reply = NULL;

    g_assert_cmpuint (created->status, ==, 201);
    reply = ec_request (session, "GET", json_object_get_string_member (reply_object (created), "url"),
                        NULL, NULL, 0, NULL);
    assert_loop_refused (reply, OWN_PORT_MESSAGE);

    uri = g_uri_parse (json_object_get_string_member (reply_object (created), "url"), G_URI_FLAGS_NONE, NULL);
    g_assert_nonnull (uri);
    self_body = g_strdup_printf ("{\"sandboxID\":\"%s\",\"port\":%d}", sandbox->id, g_uri_get_port (uri));
    self_created = ec_api (plain, session, "POST", "/engine/previews", self_body);
    g_assert_cmpuint (self_created->status, ==, 201);
    self_reply = ec_request (session, "GET",
                             json_object_get_string_member (reply_object (self_created), "url"),
                             NULL, NULL, 0, NULL);
    assert_loop_refused (self_reply, OWN_PORT_MESSAGE);
  }
  {
    /* Through a forwarder the engine cannot know: its Via entry comes back and is refused. */
    g_autoptr(CcTestForwarder) forwarder = cc_test_forwarder_new (engine_port);
    g_autoptr(EcReply) reply = preview_get (sandbox, cc_test_forwarder_get_port (forwarder));

    assert_loop_refused (reply, VIA_MESSAGE);
    /* Exactly one trip out through the forwarder, then the engine stops it. */
    g_assert_cmpuint (cc_test_forwarder_get_accepted (forwarder), ==, 1);
  }

  /* The refused exchanges leave nothing open behind them (a bounded settle for closes): what
   * stays is the two preview listeners and at most one kept-alive connection to each. */
  g_test_message ("engine descriptors: %u before, %u after", before, count_fds (pid));
  wait_fds_at_most (pid, before + 4, "the engine's descriptors to settle");
  assert_engine_alive (sandbox);
}

static void
test_huge_envs (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autoptr(GString) envs = g_string_new (NULL);
  g_autofree char *body = NULL;
  g_autofree char *code = NULL;

  /* 100,000 variables: refused at once, with an error that says why. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_printf (envs, "%s\"V%u\":\"%u\"", i ? "," : "", i, i);
  body = g_strdup_printf ("{\"process\":{\"cmd\":\"/bin/true\",\"envs\":{%s}},\"stdin\":false}", envs->str);
  code = stream_error (sandbox, "/process.Process/Start", body, strlen (body));
  g_assert_cmpstr (code, ==, "invalid_argument");

  {
    /* The same map in a sandbox's envVars: 400. */
    g_autofree char *create = g_strdup_printf ("{\"templateID\":\"base\",\"envVars\":{%s}}", envs->str);
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/sandboxes", create);

    g_assert_cmpuint (reply->status, ==, 400);
  }
  {
    /* Metadata of 2 MiB: 400, over the bound of what a sandbox keeps. */
    g_autofree char *value = g_strnfill (2 * 1024 * 1024, 'm');
    g_autofree char *create = g_strdup_printf ("{\"templateID\":\"base\",\"metadata\":{\"big\":\"%s\"}}", value);
    g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/sandboxes", create);

    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_nonnull (strstr (json_object_get_string_member (reply_object (reply), "message"),
                              "more than 1048576 bytes"));
  }
  {
    /* A command over the size bound. */
    g_autofree char *big = g_strnfill (2 * 1024 * 1024, 'x');
    g_autofree char *request = g_strdup_printf ("{\"process\":{\"cmd\":\"/bin/echo\",\"args\":[\"%s\"]},\"stdin\":false}", big);
    g_autofree char *big_code = stream_error (sandbox, "/process.Process/Start", request, strlen (request));

    g_assert_cmpstr (big_code, ==, "invalid_argument");
  }
  {
    /* 10,000 variables (the bound) run, and the last one given wins over an earlier one. */
    g_autoptr(GString) many = g_string_new (NULL);
    g_autofree char *extra = NULL;
    g_autofree char *start = NULL;
    g_autoptr(EcStream) stream = NULL;
    g_autoptr(EcRun) run = NULL;

    for (guint i = 0; i < 9999; i++)
      g_string_append_printf (many, "\"V%u\":\"%u\",", i, i);
    g_string_append (many, "\"HOME\":\"/tmp\"");
    extra = g_strdup_printf ("\"envs\":{%s}", many->str);
    start = ec_start_body ("echo $V9998 $HOME", FALSE, extra);
    stream = ec_stream_open (sandbox, "/process.Process/Start", start, NULL, NULL);
    run = ec_stream_collect (stream);
    g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
    g_assert_cmpstr (run->stdout_text->str, ==, "9998 /tmp\n");
  }
  assert_engine_alive (sandbox);
}

/* Whether the engine still holds a descriptor for its end of the connection from @client_port:
 * its row in the kernel's TCP table then names a socket inode. Once the engine closes it, the
 * row is gone or orphaned (inode 0) while TCP finishes. Only this connection is looked at, so
 * descriptors the engine opens meanwhile for its own reasons do not matter. */
static gboolean
engine_holds_connection (guint engine_port,
                         guint client_port)
{
  const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (tables[t], &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) words = g_ptr_array_new ();
          const char *local_port, *remote_port;

          for (guint f = 0; fields[f] != NULL; f++)
            if (fields[f][0] != '\0')
              g_ptr_array_add (words, fields[f]);
          if (words->len < 10)
            continue;
          local_port = strrchr (g_ptr_array_index (words, 1), ':');
          remote_port = strrchr (g_ptr_array_index (words, 2), ':');
          if (local_port == NULL || remote_port == NULL
              || g_ascii_strtoull (local_port + 1, NULL, 16) != engine_port
              || g_ascii_strtoull (remote_port + 1, NULL, 16) != client_port)
            continue;
          if (g_strcmp0 (g_ptr_array_index (words, 9), "0") != 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* A connection that sends nothing, or half a head, is closed by the engine within its bound,
 * and the engine's descriptor for it is gone too. */
static void
assert_closed_by_engine (CcTestEngine *e,
                         const char   *partial)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;
  guint client_port;
  guint ticker;
  char buffer[256];
  gssize n;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", cc_test_engine_get_port (e), NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  client_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  if (partial != NULL)
    g_assert_cmpint (g_socket_send (socket, partial, strlen (partial), NULL, &error), ==, (gssize) strlen (partial));
  g_assert_no_error (error);
  /* Far beyond the engine's bound: against a hang only. */
  g_socket_set_timeout (socket, cc_test_scaled_seconds (20));
  n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);

  /* Closing happens in the engine's process, which no event here reports: a short ticker
   * wakes the loop to look again, and the wait is bounded like every other. */
  ticker = g_timeout_add (20, tick_cb, NULL);
  CC_TEST_WAIT_FOR (!engine_holds_connection (cc_test_engine_get_port (e), client_port),
                    "the engine to close its end of the idle connection");
  g_source_remove (ticker);
}

/* Sends @head, then @mib MiB of body, and checks the engine's memory grew by less than
 * @max_kib: a body refused at its head, or not the engine's to keep (preview traffic with no
 * sandbox to go to, a request without the key), is read and dropped. */
static void
assert_body_not_kept (CcTestEngine *e,
                      const char   *head,
                      guint         mib,
                      guint64       max_kib)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *zeros = g_malloc0 (1024 * 1024);
  GPid pid = cc_test_engine_get_pid (e);
  guint64 before = cc_test_proc_status_kib (pid, "VmRSS");
  guint64 after;
  GSocket *socket;
  guint sent = 0;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", cc_test_engine_get_port (e),
                                                NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_timeout (socket, cc_test_scaled_seconds (30));
  g_assert_cmpint (g_socket_send (socket, head, strlen (head), NULL, &error), ==, (gssize) strlen (head));
  g_assert_no_error (error);
  /* Blocking writes: when the last one returns, the engine has read all but what the sockets'
   * buffers hold. The engine may also close early, which ends the sending. */
  for (; sent < mib; sent++)
    if (g_socket_send (socket, zeros, 1024 * 1024, NULL, NULL) <= 0)
      break;
  after = cc_test_proc_status_kib (pid, "VmRSS");
  g_test_message ("%u MiB sent; the engine's RSS went from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " KiB",
                  sent, before, after);
  g_assert_cmpuint (after, <, before + max_kib);
}

static void
test_announced_too_large (void)
{
  /* Under AddressSanitizer what is freed stays in a quarantine (256 MiB) that would look like
   * a body kept: this engine frees at once. */
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *no_quarantine = g_strdup_printf ("ASAN_OPTIONS=%s:quarantine_size_mb=0", asan ? asan : "");
  const char *env[] = { no_quarantine, NULL };
  g_autoptr(CcTestEngine) e = cc_test_engine_new_with_env (asan != NULL ? env : NULL);

  /* Over the limit, on the control plane, with no key. */
  assert_body_not_kept (e, "POST /sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 1073741825\r\n\r\n",
                        192, 64 * 1024);
  /* Under the limit, but without the key. */
  assert_body_not_kept (e, "POST /sandboxes HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: 16000000\r\n\r\n",
                        15, 8 * 1024);
  /* A port header alone is no preview traffic: the limit applies. */
  assert_body_not_kept (e, "POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nE2b-Sandbox-Port: 1\r\n"
                        "Content-Length: 1073741825\r\n\r\n", 192, 64 * 1024);
  /* Exempt from the limit as preview traffic, but with no such sandbox to go to. */
  assert_body_not_kept (e, "POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nE2b-Sandbox-Port: 1\r\n"
                        "E2b-Sandbox-Id: nosuchsandbox\r\nContent-Length: 1073741825\r\n\r\n",
                        192, 64 * 1024);
}

static void
test_header_timeout (void)
{
  const char *env[] = { "CODE_CANVAS_ENGINE_HEADER_TIMEOUT_MS=" HEADER_TIMEOUT_MS, NULL };
  g_autoptr(CcTestEngine) e = cc_test_engine_new_with_env (env);

  assert_closed_by_engine (e, NULL);
  assert_closed_by_engine (e, "GET /health HTTP/1.1\r\nHost: local");
  /* A whole head, then a body that stops arriving. */
  assert_closed_by_engine (e, "POST /sandboxes HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
                              "Content-Length: 100\r\n\r\n{");
  {
    g_autofree char *with_key = g_strdup_printf ("POST /sandboxes HTTP/1.1\r\nHost: local\r\nX-API-Key: %s\r\n"
                                                 "Content-Type: application/json\r\n"
                                                 "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n",
                                                 cc_test_engine_get_api_key (e));

    assert_closed_by_engine (e, with_key);
  }
  {
    /* A whole request is still answered. */
    g_autofree char *url = g_strconcat (cc_test_engine_get_url (e), "/health", NULL);
    g_autoptr(SoupSession) s = ec_session_new (cc_test_scaled_seconds (30));
    g_autoptr(EcReply) reply = ec_request (s, "GET", url, NULL, NULL, 0, NULL);

    g_assert_cmpuint (reply->status, !=, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/input/depth-scan", test_depth_scan);
  g_test_add_func ("/engine/input/deep-json", test_deep_json);
  g_test_add_func ("/engine/input/width-scan", test_width_scan);
  g_test_add_func ("/engine/input/wide-json", test_wide_json);
  g_test_add_func ("/engine/input/proxy-loop", test_proxy_loop);
  g_test_add_func ("/engine/input/huge-envs", test_huge_envs);
  g_test_add_func ("/engine/input/header-timeout", test_header_timeout);
  g_test_add_func ("/engine/input/announced-too-large", test_announced_too_large);
  return ec_test_run (&engine, &session, cc_test_scaled_seconds (30));
}
