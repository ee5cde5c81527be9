/* test-engine-compat.c: what older E2B SDKs and the E2B CLI need from the control plane, over
 * real HTTP: the v1 connect path, the API key's shape, sandbox logs, the list's time filters and
 * measured metrics with their history
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
test_api_key_shape (void)
{
  const char *key = cc_test_engine_get_api_key (engine);

  /* The check SDK 2.45 makes before every call. */
  g_assert_true (g_regex_match_simple ("^e2b_[0-9a-f]+$", key, 0, 0));
  g_assert_cmpuint (strlen (key), ==, 44);
}

static void
test_v1_connect (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autofree char *connect = g_strdup_printf ("/sandboxes/%s/connect", sandbox->id);
  g_autofree char *pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  g_autoptr(EcReply) running = ec_api (engine, session, "POST", connect, "{\"timeout\":60}");
  g_autoptr(EcReply) paused = NULL;
  g_autoptr(EcReply) resumed = NULL;
  g_autoptr(EcReply) missing = ec_api (engine, session, "POST", "/sandboxes/doesnotexist0000000/connect", "{\"timeout\":60}");
  g_autoptr(EcReply) wrong_method = ec_api (engine, session, "GET", connect, NULL);

  g_assert_cmpuint (running->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object (running), "sandboxID"), ==, sandbox->id);
  g_assert_cmpstr (json_object_get_string_member (object (running), "envdAccessToken"), ==, sandbox->token);

  paused = ec_api (engine, session, "POST", pause, "{}");
  g_assert_cmpuint (paused->status, ==, 204);
  resumed = ec_api (engine, session, "POST", connect, "{\"timeout\":60}");
  g_assert_cmpuint (resumed->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (object (resumed), "sandboxID"), ==, sandbox->id);

  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpint (json_object_get_int_member (object (missing), "code"), ==, 404);
  g_assert_cmpuint (wrong_method->status, ==, 405);
}

static gboolean
has_message (JsonArray  *entries,
             const char *message,
             const char *field,
             const char *value)
{
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      JsonObject *fields = json_object_get_object_member (entry, "fields");

      g_assert_nonnull (json_object_get_string_member (entry, "timestamp"));
      g_assert_nonnull (json_object_get_string_member (entry, "level"));
      if (g_strcmp0 (json_object_get_string_member (entry, "message"), message) == 0 &&
          (field == NULL || g_strcmp0 (json_object_get_string_member_with_default (fields, field, NULL), value) == 0))
        return TRUE;
    }
  return FALSE;
}

static void
test_logs (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autoptr(EcRun) run = ec_run (sandbox, "exit 3", NULL);
  g_autofree char *v1 = g_strdup_printf ("/sandboxes/%s/logs", sandbox->id);
  g_autofree char *v2 = g_strdup_printf ("/v2/sandboxes/%s/logs", sandbox->id);
  g_autofree char *v2_back = g_strdup_printf ("/v2/sandboxes/%s/logs?direction=backward&limit=1", sandbox->id);
  g_autofree char *v2_search = g_strdup_printf ("/v2/sandboxes/%s/logs?search=exited&level=info", sandbox->id);
  g_autofree char *v2_future = g_strdup_printf ("/v2/sandboxes/%s/logs?cursor=%" G_GINT64_FORMAT,
                                                sandbox->id, g_get_real_time () / 1000 + 60000);
  g_autofree char *bad_level = g_strdup_printf ("/v2/sandboxes/%s/logs?level=loud", sandbox->id);
  g_autofree char *pause = g_strdup_printf ("/sandboxes/%s/pause", sandbox->id);
  g_autoptr(EcReply) paused = NULL;
  g_autoptr(EcReply) r1 = NULL, r2 = NULL, back = NULL, search = NULL, future = NULL, bad = NULL;
  g_autoptr(EcReply) missing = ec_api (engine, session, "GET", "/v2/sandboxes/doesnotexist0000000/logs", NULL);
  g_autofree char *pid = NULL;
  JsonArray *entries;

  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 3");
  pid = g_strdup_printf ("%u", run->pid);
  paused = ec_api (engine, session, "POST", pause, "{}");
  g_assert_cmpuint (paused->status, ==, 204);

  r1 = ec_api (engine, session, "GET", v1, NULL);
  g_assert_cmpuint (r1->status, ==, 200);
  entries = json_object_get_array_member (object (r1), "logEntries");
  g_assert_true (has_message (entries, "Sandbox created", "templateID", "base"));
  g_assert_true (has_message (entries, "Process started", "pid", pid));
  g_assert_true (has_message (entries, "Process exited", "status", "exit status 3"));
  g_assert_true (has_message (entries, "Sandbox paused", NULL, NULL));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (r1), "logs")), ==,
                    json_array_get_length (entries));

  r2 = ec_api (engine, session, "GET", v2, NULL);
  g_assert_cmpuint (r2->status, ==, 200);
  entries = json_object_get_array_member (object (r2), "logs");
  g_assert_cmpuint (json_array_get_length (entries), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "message"), ==, "Sandbox created");

  back = ec_api (engine, session, "GET", v2_back, NULL);
  entries = json_object_get_array_member (object (back), "logs");
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "message"), ==, "Sandbox paused");

  search = ec_api (engine, session, "GET", v2_search, NULL);
  entries = json_object_get_array_member (object (search), "logs");
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  g_assert_true (has_message (entries, "Process exited", "pid", pid));

  future = ec_api (engine, session, "GET", v2_future, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (future), "logs")), ==, 0);

  bad = ec_api (engine, session, "GET", bad_level, NULL);
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpuint (missing->status, ==, 404);
}

static guint
count_listed (const char *query,
              const char *id)
{
  g_autofree char *path = g_strconcat ("/v2/sandboxes?", query, NULL);
  g_autoptr(EcReply) reply = ec_api (engine, session, "GET", path, NULL);
  JsonArray *array;
  guint found = 0;

  g_assert_cmpuint (reply->status, ==, 200);
  array = json_node_get_array (reply->json);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i), "sandboxID"), id) == 0)
      found++;
  return found;
}

static void
test_list_started_filters (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autoptr(EcReply) detail = ec_api (engine, session, "GET", path, NULL);
  g_autoptr(EcReply) bad = ec_api (engine, session, "GET", "/v2/sandboxes?startedAfter=yesterday", NULL);
  gint64 started;
  g_autofree char *before = NULL, *after = NULL, *before_text = NULL, *after_text = NULL;
  g_autofree char *q_after_before = NULL, *q_after_after = NULL, *q_before_before = NULL;
  g_autofree char *q_before_after = NULL, *q_window = NULL;

  g_assert_true (cc_protojson_parse_timestamp (json_object_get_string_member (object (detail), "startedAt"), &started));
  before_text = cc_protojson_format_timestamp (started - 10 * G_USEC_PER_SEC);
  after_text = cc_protojson_format_timestamp (started + 10 * G_USEC_PER_SEC);
  before = g_uri_escape_string (before_text, NULL, FALSE);
  after = g_uri_escape_string (after_text, NULL, FALSE);
  q_after_before = g_strconcat ("startedAfter=", before, NULL);
  q_after_after = g_strconcat ("startedAfter=", after, NULL);
  q_before_before = g_strconcat ("startedBefore=", before, NULL);
  q_before_after = g_strconcat ("startedBefore=", after, NULL);
  q_window = g_strconcat ("startedAfter=", before, "&startedBefore=", after, NULL);

  g_assert_cmpuint (count_listed (q_after_before, sandbox->id), ==, 1);
  g_assert_cmpuint (count_listed (q_after_after, sandbox->id), ==, 0);
  g_assert_cmpuint (count_listed (q_before_before, sandbox->id), ==, 0);
  g_assert_cmpuint (count_listed (q_before_after, sandbox->id), ==, 1);
  g_assert_cmpuint (count_listed (q_window, sandbox->id), ==, 1);
  g_assert_cmpuint (bad->status, ==, 400);
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The sandbox's metrics answer for @query (after "?"). */
static JsonArray *
get_metrics (const char *id,
             const char *query,
             guint       expect_status)
{
  g_autofree char *path = g_strdup_printf ("/sandboxes/%s/metrics%s%s", id, query ? "?" : "", query ? query : "");
  g_autoptr(EcReply) reply = ec_api (engine, session, "GET", path, NULL);

  g_assert_cmpuint (reply->status, ==, expect_status);
  if (expect_status != 200)
    return NULL;
  return json_array_ref (json_node_get_array (reply->json));
}

static void
test_metrics_history (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autoptr(EcRun) blob = ec_run (sandbox, "head -c 2097152 /dev/urandom > blob && sync blob", NULL);
  g_autofree char *body = ec_start_body ("while :; do :; done", FALSE, NULL);
  EcStream *busy = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  g_autofree char *kill_path = g_strdup_printf ("/sandboxes/%s", sandbox->id);
  g_autoptr(JsonArray) samples = NULL;
  g_autoptr(JsonArray) none = NULL;
  g_autoptr(JsonArray) first_only = NULL;
  g_autoptr(EcReply) killed = NULL;
  g_autofree char *range = NULL;
  g_autofree char *future = g_strdup_printf ("start=%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC + 3600);
  JsonObject *first, *last = NULL;
  gint64 first_s;

  g_assert_cmpstr (ec_run_end_status (blob), ==, "exit status 0");
  ec_stream_read_start (busy);

  /* The sampler works on its own clock: look once a second until a sample shows the busy loop
   * (at most two intervals after it started, bounded by the scaled wait limit). */
  {
    g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (60));

    for (guint turn = 0; turn < 600; turn++)
      {
        gboolean fired = FALSE;
        guint id = g_timeout_add_seconds (1, flag_cb, &fired);

        while (!fired && !cc_test_deadline_passed (deadline))
          g_main_context_iteration (NULL, TRUE);
        if (!fired)
          g_source_remove (id);
        g_clear_pointer (&samples, json_array_unref);
        samples = get_metrics (sandbox->id, NULL, 200);
        last = json_array_get_object_element (samples, json_array_get_length (samples) - 1);
        if (json_array_get_length (samples) >= 2 && json_object_get_double_member (last, "cpuUsedPct") > 0.0)
          break;
        g_assert_false (cc_test_deadline_passed (deadline));
      }
  }

  g_assert_cmpuint (json_array_get_length (samples), >=, 2);
  first = json_array_get_object_element (samples, 0);
  first_s = json_object_get_int_member (first, "timestampUnix");
  g_assert_cmpint (json_object_get_int_member (last, "timestampUnix"), >, first_s);
  g_assert_cmpfloat (json_object_get_double_member (last, "cpuUsedPct"), >, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (last, "cpuUsedPct"), <=, 100.0);
  g_assert_cmpint (json_object_get_int_member (last, "memUsed"), >, 0);
  g_assert_cmpint (json_object_get_int_member (last, "memTotal"), ==, 512 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (last, "diskUsed"), >=, 2097152);
  g_assert_cmpint (json_object_get_int_member (last, "diskTotal"), >=, json_object_get_int_member (last, "diskUsed"));

  /* Ranges come from the history. */
  range = g_strdup_printf ("start=%" G_GINT64_FORMAT "&end=%" G_GINT64_FORMAT, first_s, first_s);
  first_only = get_metrics (sandbox->id, range, 200);
  g_assert_cmpuint (json_array_get_length (first_only), >=, 1);
  for (guint i = 0; i < json_array_get_length (first_only); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (first_only, i), "timestampUnix"), ==, first_s);
  none = get_metrics (sandbox->id, future, 200);
  g_assert_cmpuint (json_array_get_length (none), ==, 0);
  g_assert_null (get_metrics (sandbox->id, "start=20&end=10", 400));
  g_assert_null (get_metrics (sandbox->id, "start=yesterday", 400));

  killed = ec_api (engine, session, "DELETE", kill_path, NULL);
  g_assert_cmpuint (killed->status, ==, 204);
  ec_stream_free (busy);
}

/* What the machine is set up for: a .localhost name resolves only through nss-myhostname or
 * systemd-resolved. Where neither is configured the answer must be "no" (and nothing is looked
 * up); where one is, the name must really resolve to loopback for a "yes". */
static gboolean
expect_localhost_resolves (void)
{
  g_autofree char *nsswitch = NULL;
  g_autoptr(GRegex) local = g_regex_new ("^hosts:.*\\b(myhostname|resolve)\\b", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GResolver) resolver = NULL;
  g_autolist(GInetAddress) addresses = NULL;

  if (!g_file_get_contents ("/etc/nsswitch.conf", &nsswitch, NULL, NULL) ||
      !g_regex_match (local, nsswitch, 0, NULL))
    return FALSE;
  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, "8080-cc-test.localhost", NULL, NULL);
  for (GList *l = addresses; l != NULL; l = l->next)
    if (g_inet_address_get_is_loopback (l->data))
      return TRUE;
  return FALSE;
}

static void
test_localhost_resolution (void)
{
  g_autoptr(EcReply) status = ec_api (engine, session, "GET", "/engine/status", NULL);
  g_auto(GStrv) env = cc_test_engine_dup_environ (engine);
  const char *argv[] = { g_getenv ("CODE_CANVAS_ENGINE"), "--print-env", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gboolean expected = expect_localhost_resolves ();
  JsonNode *member;

  g_assert_cmpuint (status->status, ==, 200);
  member = json_object_get_member (object (status), "localhostSubdomainsResolve");
  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_BOOLEAN);
  g_assert_cmpint (json_node_get_boolean (member), ==, expected);

  g_assert_cmpint (cc_test_run_command (argv, (const char * const *) env, NULL, &out, &err), ==, 0);
  if (expected)
    g_assert_nonnull (strstr (out, "\n# getHost(port) names (*.localhost) resolve on this machine.\n"));
  else
    g_assert_nonnull (strstr (out, "do not resolve on this machine"));
  /* Still only exports and comments: eval-safe. */
  {
    g_auto(GStrv) lines = g_strsplit (out, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      g_assert_true (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "export ") || lines[i][0] == '#');
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/compat/api-key-shape", test_api_key_shape);
  g_test_add_func ("/engine/compat/v1-connect", test_v1_connect);
  g_test_add_func ("/engine/compat/logs", test_logs);
  g_test_add_func ("/engine/compat/list-started-filters", test_list_started_filters);
  g_test_add_func ("/engine/compat/metrics-history", test_metrics_history);
  g_test_add_func ("/engine/compat/localhost-resolution", test_localhost_resolution);

  return ec_test_run (&engine, &session, 0);
}
