/* test-netns.c: each sandbox's private network, over real HTTP with real namespaces
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Servers run inside sandboxes of a real engine under bubblewrap. The only other addresses used
 * are the host's loopback (a listener the sandbox must not reach) and, as root, a test host on
 * 198.51.100.2 and 198.51.100.3 (TEST-NET-2) in a network namespace this test creates; outbound
 * rules are tested against those two addresses only. That namespace is held by a
 * process that gets SIGKILL when the test process dies, so it and its veth pair are gone even when
 * an assertion aborts the test.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cc-protojson.h"
#include "engine-core-client.h"
#include "cc-test-util.h"

static CcTestEngine *engine;
static SoupSession *session;

static gboolean
isolated (void)
{
  if (g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap"))
    return TRUE;
  g_test_skip ("bubblewrap does not work on this machine, so sandboxes share its network");
  return FALSE;
}

/* A one-page server on 127.0.0.1:@port inside the sandbox (its own loopback), answering @page;
 * it prints "ready" once it listens. */
static char *
server_cmd (guint       port,
            const char *page)
{
  return g_strdup_printf (
    "exec python3 -c '"
    "import http.server, sys\n"
    "page = sys.argv[1].encode()\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "  def do_GET(self):\n"
    "    self.send_response(200)\n"
    "    self.send_header(\"Content-Length\", str(len(page)))\n"
    "    self.end_headers()\n"
    "    self.wfile.write(page)\n"
    "  def log_message(self, *args):\n"
    "    pass\n"
    "s = http.server.HTTPServer((\"127.0.0.1\", %u), H)\n"
    "print(\"ready\", flush=True)\n"
    "s.serve_forever()\n"
    "' %s", port, page);
}

/* Starts the server and waits (on its output, bounded by the stream's own end) until it listens. */
static EcStream *
start_server (EcSandbox  *sandbox,
              guint       port,
              const char *page,
              const char *user)
{
  g_autofree char *cmd = server_cmd (port, page);
  g_autofree char *body = ec_start_body (cmd, FALSE, NULL);
  EcStream *stream = ec_stream_open (sandbox, "/process.Process/Start", body, user, NULL);
  JsonObject *message = NULL;
  guint8 flags;

  ec_stream_read_start (stream);
  while (ec_stream_next (stream, &flags, &message))
    {
      JsonObject *event = json_object_get_object_member (message, "event");
      gboolean ready = event != NULL && json_object_has_member (event, "data") &&
                       json_object_has_member (json_object_get_object_member (event, "data"), "stdout");
      gboolean ended = event != NULL && json_object_has_member (event, "end");

      json_object_unref (message);
      if (ready)
        return stream;
      if (ended)
        break;
    }
  g_error ("The server on port %u in sandbox %s ended before it listened (port taken?)", port,
           sandbox->id);
  return NULL;
}

static EcReply *
get_preview (EcSandbox *sandbox,
             guint      port)
{
  g_autofree char *host = g_strdup_printf ("%u-%s.%s", port, sandbox->id,
                                           cc_test_engine_get_domain (engine));
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/", NULL);
  const char * const headers[] = { "Host", host, NULL };

  return ec_request (session, "GET", url, NULL, NULL, 0, headers);
}

static char *
reply_text (EcReply *reply)
{
  return g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
}

/* The URL of the engine's preview listener for @port of @sandbox (what the app's client uses). */
static char *
preview_listener_url (EcSandbox *sandbox,
                      guint      port)
{
  g_autofree char *body = g_strdup_printf ("{\"sandboxID\":\"%s\",\"port\":%u}", sandbox->id, port);
  g_autoptr(EcReply) reply = ec_api (engine, session, "POST", "/engine/previews", body);

  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (cc_protojson_get_string (json_node_get_object (reply->json), "url"));
}

/* Two sandboxes each run a server on port 3000; each preview shows its own page. The second's
 * runs as root: a sandbox's processes share one network whatever their user, so the preview (and
 * the sandbox's other user) reach it too. */
static void
test_same_port (void)
{
  g_autoptr(EcSandbox) a = NULL;
  g_autoptr(EcSandbox) b = NULL;
  g_autoptr(EcStream) server_a = NULL;
  g_autoptr(EcStream) server_b = NULL;
  EcSandbox *sandboxes[2];
  const char *pages[] = { "page-of-a", "page-of-b" };

  if (!isolated ())
    return;
  a = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  b = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  sandboxes[0] = a;
  sandboxes[1] = b;
  server_a = start_server (a, 3000, pages[0], NULL);
  server_b = start_server (b, 3000, pages[1], "root");

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(EcReply) reply = get_preview (sandboxes[i], 3000);
      g_autofree char *text = reply_text (reply);
      g_autofree char *url = preview_listener_url (sandboxes[i], 3000);
      g_autoptr(EcReply) listened = ec_request (session, "GET", url, NULL, NULL, 0, NULL);
      g_autofree char *listened_text = reply_text (listened);

      g_assert_cmpuint (reply->status, ==, 200);
      g_assert_cmpstr (text, ==, pages[i]);
      g_assert_cmpuint (listened->status, ==, 200);
      g_assert_cmpstr (listened_text, ==, pages[i]);
    }
  {
    g_autoptr(EcRun) fetch = ec_run (b, "exec 3<>/dev/tcp/127.0.0.1/3000 && "
                                        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && tail -n1 <&3", NULL);

    g_assert_cmpstr (fetch->stdout_text->str, ==, pages[1]);
  }
}

/* A listener on every IPv4 address of this network namespace (0.0.0.0) on a free port; it never
 * blocks, so the check that it accepted nothing never waits. */
static GSocket *
listen_any (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_bind (listener, address, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (listener, FALSE);
  effective = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return g_steal_pointer (&listener);
}

/* This namespace's own IPv4 addresses other than loopback, as "A B C" (empty without any). */
static char *
own_addresses (void)
{
  g_autoptr(GString) list = g_string_new (NULL);
  struct ifaddrs *all = NULL;

  g_assert_cmpint (getifaddrs (&all), ==, 0);
  for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next)
    {
      char text[INET_ADDRSTRLEN];
      const struct sockaddr_in *in = (const struct sockaddr_in *) i->ifa_addr;

      if (in == NULL || in->sin_family != AF_INET || (ntohl (in->sin_addr.s_addr) >> 24) == 127)
        continue;
      inet_ntop (AF_INET, &in->sin_addr, text, sizeof text);
      g_string_append_printf (list, "%s%s", list->len ? " " : "", text);
    }
  freeifaddrs (all);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* The sandbox's IPv4 default gateway as it sees it, once pasta has configured its network (a
 * bounded wait); empty when it has none. */
static char *
sandbox_gateway (EcSandbox *sandbox)
{
  g_autoptr(EcRun) run = ec_run (sandbox, "for i in $(seq 100); do "
                                          "g=$(ip -4 route show default | awk '{ print $3; exit }'); "
                                          "[ -n \"$g\" ] && break; sleep 0.1; done; printf %s \"$g\"", NULL);

  return g_strdup (run->stdout_text->str);
}

/* Tries to connect to @port at each of @addresses (space-separated) from @sandbox, as its user
 * and as root: none may be reached, by the sandbox's word and by the listener's (which stays
 * empty). Each try is bounded. */
static void
assert_unreached (EcSandbox  *sandbox,
                  GSocket    *listener,
                  guint       port,
                  const char *addresses)
{
  g_autofree char *cmd = g_strdup_printf ("for a in %s; do "
                                          "(timeout 5 bash -c \"echo hi > /dev/tcp/$a/%u\") 2>/dev/null && "
                                          "echo reached $a; done; true", addresses, port);
  const char *users[] = { "user", "root" };

  g_test_message ("trying %s on port %u", addresses, port);
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autoptr(EcRun) run = ec_run (sandbox, cmd, users[i]);
      g_autoptr(GSocket) accepted = g_socket_accept (listener, NULL, NULL);

      if (run->stdout_text->str[0] != '\0' || accepted != NULL)
        g_error ("as %s, the sandbox reached the host's listener: %s", users[i], run->stdout_text->str);
    }
}

/* A listener of the host on 0.0.0.0: a sandbox must not reach it by any loopback address, nor
 * by the host address pasta copies in (inside, it is the sandbox's own), nor by its gateway,
 * which pasta would map to the host's loopback without --no-map-gw. Only addresses of this
 * machine are tried: the gateway too only when it is one, since with the mapping off, a
 * connection to it leaves the machine (/engine/netns/gateway tries one of its own making). The
 * host's other addresses, if it has any, are not tried: pasta's connections are the host's own,
 * so those reach it (see "The private network" in DESIGN.md). */
static void
test_host_loopback (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(GString) addresses = g_string_new ("127.0.0.1 localhost");
  g_autofree char *own = own_addresses ();
  g_autofree char *gateway = NULL;
  g_autoptr(EcRun) copied = NULL;
  guint port;

  if (!isolated ())
    return;
  listener = listen_any (&port);
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  gateway = sandbox_gateway (sandbox);
  copied = ec_run (sandbox, "ip -4 -o addr show scope global | awk '{ sub(\"/.*\", \"\", $4); printf \" %s\", $4 }'",
                   NULL);
  g_string_append (addresses, copied->stdout_text->str);
  if (gateway[0] != '\0')
    {
      g_autofree char *padded = g_strdup_printf (" %s ", own);
      g_autofree char *needle = g_strdup_printf (" %s ", gateway);

      if (strstr (padded, needle) != NULL)
        g_string_append_printf (addresses, " %s", gateway);
      else
        g_test_message ("the sandbox's gateway %s is not this machine's: not tried here", gateway);
    }
  assert_unreached (sandbox, listener, port, addresses->str);
}

#define GATEWAY_NS_ADDR "203.0.113.2"
#define GATEWAY_ADDR "203.0.113.1"

static void run_ip (const char * const *argv);

/* A sandbox's gateway, where nothing leaves the machine: in a subprocess whose network
 * namespace is its own (only its main thread's, which starts everything here), an engine whose
 * only route out is a veth pair of that namespace, with the gateway's address on neither end.
 * With --no-map-gw the sandbox's connection to its gateway goes to that address and gets no
 * answer; without, pasta maps it to this namespace's loopback, where the listener is. */
static void
test_gateway (void)
{
  g_autofree char *pasta = g_find_program_in_path ("pasta");
  g_autofree char *ip = g_find_program_in_path ("ip");

  if (!isolated ())
    return;
  if (geteuid () != 0 || pasta == NULL || ip == NULL)
    {
      g_test_skip ("A network namespace of the test's own needs root, pasta and ip");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, (guint64) cc_test_scaled_seconds (100) * G_USEC_PER_SEC,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_message ("subprocess: %s", g_test_trap_has_passed () ? "passed" : "failed");
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_cmpint (unshare (CLONE_NEWNET), ==, 0);
  {
    const char *lo[] = { "ip", "link", "set", "lo", "up", NULL };
    const char *add[] = { "ip", "link", "add", "ccg0", "type", "veth", "peer", "name", "ccg1", NULL };
    const char *addr[] = { "ip", "addr", "add", GATEWAY_NS_ADDR "/24", "dev", "ccg0", NULL };
    const char *up0[] = { "ip", "link", "set", "ccg0", "up", NULL };
    const char *up1[] = { "ip", "link", "set", "ccg1", "up", NULL };
    const char *route[] = { "ip", "route", "add", "default", "via", GATEWAY_ADDR, NULL };

    run_ip (lo);
    run_ip (add);
    run_ip (addr);
    run_ip (up0);
    run_ip (up1);
    run_ip (route);
  }
  {
    g_autoptr(CcTestEngine) own = cc_test_engine_new ();
    g_autoptr(SoupSession) own_session = ec_session_new (cc_test_scaled_seconds (60));
    g_autoptr(EcSandbox) sandbox = ec_sandbox_new (own, own_session, "{\"templateID\":\"base\"}");
    g_autoptr(GSocket) listener = NULL;
    g_autofree char *gateway = NULL;
    guint port;

    listener = listen_any (&port);
    gateway = sandbox_gateway (sandbox);
    g_assert_cmpstr (gateway, ==, GATEWAY_ADDR);
    assert_unreached (sandbox, listener, port, GATEWAY_ADDR " " GATEWAY_NS_ADDR " 127.0.0.1");
  }
}

/* A port where nothing listens in the sandbox answers the proxy's 502, even when the host's
 * loopback has a listener on that very port. */
static void
test_closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcReply) reply = NULL;
  JsonObject *object;
  guint port;

  if (!isolated ())
    return;
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));

  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  reply = get_preview (sandbox, port);
  g_assert_cmpuint (reply->status, ==, 502);
  g_assert_nonnull (reply->json);
  object = json_node_get_object (reply->json);
  g_assert_cmpstr (cc_protojson_get_string (object, "sandboxId"), ==, sandbox->id);
  g_assert_cmpstr (cc_protojson_get_string (object, "message"), ==,
                   "The sandbox is running but port is not open");
  g_assert_cmpint (cc_protojson_get_int64 (object, "port", 0), ==, port);
  g_assert_cmpint (cc_protojson_get_int64 (object, "code", 0), ==, 502);
}

/* The test host ------------------------------------------------------------------------------ */

#define TEST_HOST_SIDE "198.51.100.1/24"
#define TEST_HOST_ADDR "198.51.100.2"
#define TEST_HOST_ADDR2 "198.51.100.3"
#define TEST_HOST_PORT 8080

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
run_ip (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

/* A namespace whose only process serves "test-host" on every connection; its veth peer on the
 * host is 198.51.100.1. Returns the holder's pid. */
static GPid
test_host_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host_if = g_strdup_printf ("cch%u", (guint) getpid ());
  g_autofree char *ns_if = g_strdup_printf ("ccn%u", (guint) getpid ());
  g_autofree char *pid_text = NULL;
  const char *server =
    "import socket\n"
    "s = socket.socket()\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind((\"0.0.0.0\", 8080))\n"
    "s.listen(16)\n"
    "while True:\n"
    "  c, _ = s.accept()\n"
    "  c.sendall(b\"test-host\\n\")\n"
    "  c.close()\n";
  /* "ready" comes once the new namespace exists: a veth peer moved to the pid before that would
   * land in the host's own namespace (and stay there, taking the test address with it). */
  const char *argv[] = { "unshare", "--net", "--", "sh", "-c", "echo ready && exec python3 -c \"$0\"",
                         server, NULL };
  GPid pid = 0;
  int out = -1;
  char c = 0;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                            die_with_test, NULL, &pid, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* Bounded by the child: it writes the line or exits (end of file). */
  while (c != '\n' && read (out, &c, 1) == 1)
    ;
  close (out);
  g_assert_cmpint (c, ==, '\n');
  pid_text = g_strdup_printf ("%d", pid);
  {
    const char *add[] = { "ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if,
                          "netns", pid_text, NULL };
    const char *addr[] = { "ip", "addr", "add", TEST_HOST_SIDE, "dev", host_if, NULL };
    const char *up[] = { "ip", "link", "set", host_if, "up", NULL };
    const char *ns_addr[] = { "nsenter", "-t", pid_text, "-n", "ip", "addr", "add",
                              TEST_HOST_ADDR "/24", "dev", ns_if, NULL };
    const char *ns_addr2[] = { "nsenter", "-t", pid_text, "-n", "ip", "addr", "add",
                               TEST_HOST_ADDR2 "/24", "dev", ns_if, NULL };
    const char *ns_up[] = { "nsenter", "-t", pid_text, "-n", "ip", "link", "set", ns_if, "up", NULL };

    run_ip (add);
    run_ip (addr);
    run_ip (up);
    run_ip (ns_addr);
    run_ip (ns_addr2);
    run_ip (ns_up);
  }
  return pid;
}

static void
test_host_stop (GPid pid)
{
  g_autofree char *host_if = g_strdup_printf ("cch%u", (guint) getpid ());
  const char *del[] = { "ip", "link", "del", host_if, NULL };

  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  /* Gone with the namespace already, unless something went wrong: never leave it behind. */
  g_spawn_sync (NULL, (char **) del, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* With internet access a sandbox reaches the test host through pasta; without, it does not. */
static void
test_internet_access (void)
{
  g_autoptr(EcSandbox) online = NULL;
  g_autoptr(EcSandbox) offline = NULL;
  g_autoptr(EcRun) reached = NULL;
  g_autoptr(EcRun) blocked = NULL;
  g_autofree char *pasta = g_find_program_in_path ("pasta");
  g_autofree char *ip = g_find_program_in_path ("ip");
  /* pasta comes up a moment after the sandbox's first process: a bounded number of tries. */
  const char *probe = "for i in $(seq 100); do "
                      "if r=$(timeout 2 bash -c 'exec 3<>/dev/tcp/" TEST_HOST_ADDR "/8080 && head -n1 <&3' 2>/dev/null); "
                      "then echo \"$r\"; exit 0; fi; sleep 0.1; done; echo unreached";
  GPid holder;

  if (!isolated ())
    return;
  if (geteuid () != 0 || pasta == NULL || ip == NULL)
    {
      g_test_skip ("The test host needs root (a namespace and a veth pair), pasta and ip");
      return;
    }
  holder = test_host_start ();

  online = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  reached = ec_run (online, probe, NULL);
  offline = ec_sandbox_new (engine, session, "{\"templateID\":\"base\",\"allow_internet_access\":false}");
  blocked = ec_run (offline, "for i in $(seq 5); do "
                    "(timeout 2 bash -c 'echo > /dev/tcp/" TEST_HOST_ADDR "/8080') 2>/dev/null && { echo reached; exit 0; }; "
                    "done; echo unreached; ip -br addr 2>/dev/null; cat /proc/net/dev | tail -n +3 | cut -d: -f1", NULL);
  test_host_stop (holder);

  g_assert_cmpstr (reached->stdout_text->str, ==, "test-host\n");
  g_assert_true (g_str_has_prefix (blocked->stdout_text->str, "unreached\n"));
  /* Loopback only: no other interface in the namespace. */
  g_assert_null (strstr (blocked->stdout_text->str + strlen ("unreached\n"), "eth"));
}

/* Outbound rules -------------------------------------------------------------------------- */

static gboolean
test_host_possible (void)
{
  g_autofree char *pasta = g_find_program_in_path ("pasta");
  g_autofree char *ip = g_find_program_in_path ("ip");

  if (!isolated ())
    return FALSE;
  if (geteuid () != 0 || pasta == NULL || ip == NULL)
    {
      g_test_skip ("The test host needs root (a namespace and a veth pair), pasta and ip");
      return FALSE;
    }
  return TRUE;
}

/* What the sandbox reaches of the test host's two addresses: "A B" with each "reached" or
 * "blocked". It first waits (bounded) until pasta has given the sandbox its address: the rules
 * are loaded before that, so a "blocked" is the rules' doing, never a network not up yet. */
static char *
probe_test_host (EcSandbox *sandbox)
{
  const char *cmd =
    "for i in $(seq 100); do ip -4 -o addr show scope global | grep -q inet && break; sleep 0.1; done; "
    "for a in " TEST_HOST_ADDR " " TEST_HOST_ADDR2 "; do "
    "if r=$(timeout 5 bash -c \"exec 3<>/dev/tcp/$a/8080 && head -n1 <&3\" 2>/dev/null) && "
    "[ \"$r\" = test-host ]; then printf 'reached '; else printf 'blocked '; fi; done";
  g_autoptr(EcRun) run = ec_run (sandbox, cmd, NULL);

  return g_strdup (run->stdout_text->str);
}

static void
assert_rules_give (const char *network,
                   const char *expected)
{
  g_autofree char *body = g_strdup_printf ("{\"templateID\":\"base\",\"network\":%s}", network);
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, body);
  g_autofree char *seen = probe_test_host (sandbox);

  if (g_strcmp0 (seen, expected) != 0)
    g_error ("Rules %s: the sandbox saw “%s”, not “%s”", network, seen, expected);
}

/* Created with rules: by address, by CIDR range, allowed entries win over denied ones, and the
 * allow-list idiom (deny 0.0.0.0/0, allow a few). */
static void
test_rules_at_create (void)
{
  GPid holder;

  if (!test_host_possible ())
    return;
  holder = test_host_start ();
  assert_rules_give ("{\"denyOut\":[\"" TEST_HOST_ADDR "\"]}", "blocked reached ");
  assert_rules_give ("{\"denyOut\":[\"198.51.100.0/24\"]}", "blocked blocked ");
  assert_rules_give ("{\"denyOut\":[\"198.51.100.0/24\"],\"allowOut\":[\"" TEST_HOST_ADDR2 "\"]}",
                     "blocked reached ");
  assert_rules_give ("{\"denyOut\":[\"0.0.0.0/0\"],\"allowOut\":[\"198.51.100.2/32\"]}",
                     "reached blocked ");
  assert_rules_give ("{\"denyOut\":[\"192.0.2.0/24\"]}", "reached reached ");
  test_host_stop (holder);
}

static void
put_network (EcSandbox  *sandbox,
             const char *body,
             guint       status)
{
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s/network", sandbox->id);
  g_autoptr(EcReply) reply = ec_api (engine, session, "PUT", path, body);

  if (reply->status != status)
    g_error ("PUT %s answered %u, not %u", body, reply->status, status);
}

/* An update changes the rules of a running sandbox at once, and again; a host name is resolved
 * by the host's resolver when the rule is set ("localhost" comes from /etc/hosts, so no other
 * resolver is asked). */
static void
test_rules_update (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *open = NULL;
  g_autofree char *one = NULL;
  g_autofree char *named = NULL;
  g_autofree char *reopened = NULL;
  g_autofree char *closed = NULL;
  GPid holder;

  if (!test_host_possible ())
    return;
  holder = test_host_start ();
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  open = probe_test_host (sandbox);
  put_network (sandbox, "{\"denyOut\":[\"" TEST_HOST_ADDR2 "\"]}", 204);
  one = probe_test_host (sandbox);
  put_network (sandbox, "{\"denyOut\":[\"0.0.0.0/0\"],\"allowOut\":[\"localhost\",\"" TEST_HOST_ADDR "\"]}", 204);
  named = probe_test_host (sandbox);
  put_network (sandbox, "{}", 204);
  reopened = probe_test_host (sandbox);
  put_network (sandbox, "{\"allow_internet_access\":false}", 204);
  closed = probe_test_host (sandbox);
  test_host_stop (holder);

  g_assert_cmpstr (open, ==, "reached reached ");
  g_assert_cmpstr (one, ==, "reached blocked ");
  g_assert_cmpstr (named, ==, "reached blocked ");
  g_assert_cmpstr (reopened, ==, "reached reached ");
  g_assert_cmpstr (closed, ==, "blocked blocked ");
}

/* An update while the sandbox is paused (its launcher stopped) is in force when it runs again. */
static void
test_rules_paused (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcReply) paused = NULL;
  g_autofree char *pause = NULL;
  g_autofree char *info = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean is_paused = FALSE;
  GPid holder;

  if (!test_host_possible ())
    return;
  holder = test_host_start ();
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\",\"autoResume\":{\"enabled\":true}}");
  before = probe_test_host (sandbox);
  pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  info = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  paused = ec_api (engine, session, "POST", pause, "{}");
  g_assert_cmpuint (paused->status, ==, 204);
  for (guint i = 0; i < 100 && !is_paused; i++)
    {
      g_autoptr(EcReply) state = ec_api (engine, session, "GET", info, NULL);

      is_paused = g_strcmp0 (cc_protojson_get_string (json_node_get_object (state->json), "state"),
                             "paused") == 0;
      if (!is_paused)
        g_usleep (50 * 1000);
    }
  g_assert_true (is_paused);
  put_network (sandbox, "{\"denyOut\":[\"" TEST_HOST_ADDR "\"]}", 204);
  /* Traffic to the sandbox's daemon resumes it. */
  after = probe_test_host (sandbox);
  test_host_stop (holder);

  g_assert_cmpstr (before, ==, "reached reached ");
  g_assert_cmpstr (after, ==, "blocked reached ");
}

/* The rules are saved with the sandbox: after an engine restart its new network gets them. */
static void
test_rules_restart (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  GPid holder;

  if (!test_host_possible ())
    return;
  holder = test_host_start ();
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\",\"timeout\":600}");
  put_network (sandbox, "{\"denyOut\":[\"" TEST_HOST_ADDR2 "\"]}", 204);
  before = probe_test_host (sandbox);
  cc_test_engine_stop (engine);
  cc_test_engine_restart (engine);
  after = probe_test_host (sandbox);
  test_host_stop (holder);

  g_assert_cmpstr (before, ==, "reached blocked ");
  g_assert_cmpstr (after, ==, "reached blocked ");
}

/* Rules that cannot be applied are refused with words, at create and in an update. */
static void
test_rules_refused (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *path = NULL;
  const struct { const char *network; const char *words; } cases[] = {
    { "{\"denyOut\":[\"*.example.com\"]}", "wildcard" },
    { "{\"denyOut\":[\"not an address\"]}", "not an address, a CIDR range or a host name" },
    { "{\"denyOut\":[\"198.51.100.1/24\"]}", "not an address" },
    { "{\"denyOut\":[42]}", "must be a list of addresses" },
  };

  if (!isolated ())
    return;
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  path = g_strdup_printf ("/sandboxes/%s/network", sandbox->id);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"templateID\":\"base\",\"network\":%s}", cases[i].network);
      g_autoptr(EcReply) created = ec_api (engine, session, "POST", "/sandboxes", body);
      g_autoptr(EcReply) updated = ec_api (engine, session, "PUT", path, cases[i].network);
      EcReply *replies[] = { created, updated };

      for (guint r = 0; r < G_N_ELEMENTS (replies); r++)
        {
          const char *message;

          g_assert_cmpuint (replies[r]->status, ==, 400);
          g_assert_nonnull (replies[r]->json);
          message = cc_protojson_get_string (json_node_get_object (replies[r]->json), "message");
          if (message == NULL || strstr (message, cases[i].words) == NULL)
            g_error ("%s was refused with “%s”, which does not say “%s”", cases[i].network,
                     message, cases[i].words);
        }
    }
}

/* The status answer says whether per-address rules can be applied here. */
static void
test_rules_fact (void)
{
  g_autoptr(EcReply) reply = ec_api (engine, session, "GET", "/engine/status", NULL);
  g_autofree char *pasta = g_find_program_in_path ("pasta");
  JsonArray *facts;
  gboolean found = FALSE;

  g_assert_cmpuint (reply->status, ==, 200);
  facts = json_object_get_array_member (json_node_get_object (reply->json), "facts");
  for (guint i = 0; i < json_array_get_length (facts); i++)
    {
      JsonObject *fact = json_array_get_object_element (facts, i);

      if (g_strcmp0 (cc_protojson_get_string (fact, "name"), "network-rules") != 0)
        continue;
      found = TRUE;
      g_assert_nonnull (cc_protojson_get_string (fact, "detail"));
      /* This build has libnftables; with bubblewrap and pasta it can apply them. */
      if (g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap") &&
          pasta != NULL)
        g_assert_true (cc_protojson_get_bool (fact, "ok", FALSE));
    }
  g_assert_true (found);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/netns/same-port", test_same_port);
  g_test_add_func ("/engine/netns/host-loopback", test_host_loopback);
  g_test_add_func ("/engine/netns/gateway", test_gateway);
  g_test_add_func ("/engine/netns/closed-port", test_closed_port);
  g_test_add_func ("/engine/netns/internet-access", test_internet_access);
  g_test_add_func ("/engine/netns/rules/at-create", test_rules_at_create);
  g_test_add_func ("/engine/netns/rules/update", test_rules_update);
  g_test_add_func ("/engine/netns/rules/paused", test_rules_paused);
  g_test_add_func ("/engine/netns/rules/restart", test_rules_restart);
  g_test_add_func ("/engine/netns/rules/refused", test_rules_refused);
  g_test_add_func ("/engine/netns/rules/fact", test_rules_fact);
  return ec_test_run (&engine, &session, 60);
}
