/* test-engine-process.c: the process.Process service of the engine, over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <linux/tcp.h>

#include <glib/gstdio.h>

#include "cc-connect-codec.h"
#include "cc-protojson.h"
#include "cc-test-util.h"
#include "engine-core-client.h"

static CcTestEngine *engine;
static SoupSession *session;

static EcSandbox *
new_sandbox (void)
{
  return ec_sandbox_new (engine, session, "{\"templateID\":\"base\",\"envVars\":{\"FOO\":\"bar\",\"A\":\"sandbox\"}}");
}

/* Reads until some stdout/pty data contains @needle. */
static char *
read_until_output_text (EcStream   *stream,
                        const char *needle)
{
  g_autoptr(GString) seen = g_string_new (NULL);

  while (strstr (seen->str, needle) == NULL)
    {
      JsonObject *message = NULL;
      guint8 flags;
      JsonObject *event, *data;

      g_assert_true (ec_stream_next (stream, &flags, &message));
      g_assert_cmpuint (flags, ==, 0);
      event = json_object_get_object_member (message, "event");
      if (json_object_has_member (event, "data"))
        {
          g_autoptr(GBytes) bytes = NULL;

          data = json_object_get_object_member (event, "data");
          bytes = cc_protojson_get_bytes (data, json_object_has_member (data, "pty") ? "pty" : "stdout");
          if (bytes != NULL)
            g_string_append_len (seen, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
        }
      json_object_unref (message);
    }
  return g_string_free (g_steal_pointer (&seen), FALSE);
}

static void
read_until_output (EcStream   *stream,
                   const char *needle)
{
  g_free (read_until_output_text (stream, needle));
}

static char *
pid_selector (guint pid)
{
  return g_strdup_printf ("{\"process\":{\"pid\":%u}}", pid);
}

static void
assert_connect_error (EcReply    *reply,
                      guint       status,
                      const char *code)
{
  g_assert_cmpuint (reply->status, ==, status);
  g_assert_nonnull (reply->json);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply->json), "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (reply->json), "message"));
}

static void
test_echo (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autoptr(EcRun) run = ec_run (sandbox, "echo hi", NULL);

  g_assert_cmpstr (run->stdout_text->str, ==, "hi\n");
  g_assert_cmpstr (run->stderr_text->str, ==, "");
  g_assert_false (json_object_has_member (run->end, "exitCode"));  /* zero is omitted */
  g_assert_true (json_object_get_boolean_member (run->end, "exited"));
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  g_assert_false (json_object_has_member (run->end, "error"));
  g_assert_null (run->eos_error);
}

static void
test_exit_code_stderr (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autoptr(EcRun) run = ec_run (sandbox, "echo out; echo oops >&2; exit 3", NULL);

  g_assert_cmpstr (run->stdout_text->str, ==, "out\n");
  g_assert_cmpstr (run->stderr_text->str, ==, "oops\n");
  g_assert_cmpint (json_object_get_int_member (run->end, "exitCode"), ==, 3);
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 3");
  g_assert_cmpstr (json_object_get_string_member (run->end, "error"), ==, "exit status 3");
}

static void
test_big_output (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  /* 8 MiB through the stream: every byte arrives, in order, in chunks of at most 32 KiB. */
  g_autoptr(EcRun) run = ec_run (sandbox, "head -c 8388608 /dev/zero | tr '\\0' 'x'; echo", NULL);

  g_assert_cmpuint (run->stdout_text->len, ==, 8388609);
  g_assert_cmpint (run->stdout_text->str[8388607], ==, 'x');
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
}

static void
test_signals (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  const char *signals[] = { "SIGNAL_SIGKILL", "signal: killed", "SIGNAL_SIGTERM", "signal: terminated" };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i += 2)
    {
      g_autofree char *body = ec_start_body ("echo ready; exec sleep 30", FALSE, NULL);
      g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
      g_autofree char *request = NULL;
      g_autoptr(EcReply) reply = NULL;
      g_autoptr(EcRun) rest = NULL;
      guint pid = ec_stream_read_start (stream);

      read_until_output (stream, "ready");
      request = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"%s\"}", pid, signals[i]);
      reply = ec_unary (sandbox, "/process.Process/SendSignal", request, NULL);
      g_assert_cmpuint (reply->status, ==, 200);
      g_assert_cmpstr (g_bytes_get_data (reply->body, NULL), ==, "{}");

      {
        JsonObject *message = NULL;
        guint8 flags;

        /* The rest of the stream: the end event, then the end-of-stream. */
        g_assert_true (ec_stream_next (stream, &flags, &message));
        g_assert_true (json_object_has_member (json_object_get_object_member (message, "event"), "end"));
        {
          JsonObject *end = json_object_get_object_member (json_object_get_object_member (message, "event"), "end");

          g_assert_cmpstr (json_object_get_string_member (end, "status"), ==, signals[i + 1]);
          g_assert_cmpint (json_object_get_int_member (end, "exitCode"), ==, -1);
          g_assert_false (json_object_has_member (end, "exited"));
        }
        json_object_unref (message);
        g_assert_true (ec_stream_next (stream, &flags, &message));
        g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
        json_object_unref (message);
      }
    }

  {
    g_autoptr(EcReply) reply = ec_unary (sandbox, "/process.Process/SendSignal",
                                         "{\"process\":{\"pid\":4000000},\"signal\":\"SIGNAL_SIGKILL\"}", NULL);

    assert_connect_error (reply, 404, "not_found");
  }
}

static void
test_deadline (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("sleep 30", FALSE, NULL);
  const char *headers[] = { "Connect-Timeout-Ms", "300", NULL };
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, headers);
  g_autoptr(EcRun) run = ec_stream_collect (stream);
  g_autofree char *selector = pid_selector (run->pid);
  gboolean gone = FALSE;

  g_assert_nonnull (run->eos_error);
  g_assert_cmpstr (json_object_get_string_member (run->eos_error, "code"), ==, "deadline_exceeded");

  /* The process was killed with the deadline: it leaves the list. */
  for (guint i = 0; i < 200 && !gone; i++)
    {
      g_autoptr(EcReply) list = ec_unary (sandbox, "/process.Process/List", "{}", NULL);
      g_autofree char *text = g_strndup (g_bytes_get_data (list->body, NULL), g_bytes_get_size (list->body));
      g_autofree char *needle = g_strdup_printf ("\"pid\":%u", run->pid);

      gone = strstr (text, needle) == NULL;
      if (!gone)
        {
          /* Let the engine reap it: spin until the next request. */
          g_main_context_iteration (NULL, FALSE);
        }
    }
  g_assert_true (gone);
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_deadline_detached (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("sleep 30", FALSE, NULL);
  const char *headers[] = { "Connect-Timeout-Ms", "300", NULL };
  EcStream *stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, headers);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *needle = g_strdup_printf ("\"pid\":%u", pid);
  gint64 limit = g_get_monotonic_time () + cc_test_scaled_seconds (20) * G_USEC_PER_SEC;
  gboolean gone = FALSE;

  /* The client goes away; the deadline still ends the process. */
  ec_stream_free (stream);
  while (!gone)
    {
      g_autoptr(EcReply) list = ec_unary (sandbox, "/process.Process/List", "{}", NULL);
      gboolean tick = FALSE;

      gone = g_strstr_len (g_bytes_get_data (list->body, NULL), g_bytes_get_size (list->body), needle) == NULL;
      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      g_timeout_add (50, flag_cb, &tick);
      while (!tick)
        g_main_context_iteration (NULL, TRUE);
    }
}

static void
test_stdin (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("cat; echo done", TRUE, NULL);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *input = g_strdup_printf ("{\"process\":{\"pid\":%u},\"input\":{\"stdin\":\"aGVsbG8K\"}}", pid);
  g_autofree char *selector = pid_selector (pid);
  g_autoptr(EcReply) sent = ec_unary (sandbox, "/process.Process/SendInput", input, NULL);
  g_autoptr(EcReply) closed = NULL;
  g_autoptr(EcRun) rest = NULL;

  g_assert_cmpuint (sent->status, ==, 200);
  read_until_output (stream, "hello\n");
  closed = ec_unary (sandbox, "/process.Process/CloseStdin", selector, NULL);
  g_assert_cmpuint (closed->status, ==, 200);
  {
    JsonObject *message = NULL;
    guint8 flags;
    gboolean ended = FALSE;

    while (ec_stream_next (stream, &flags, &message))
      {
        if (flags == 0 && json_object_has_member (json_object_get_object_member (message, "event"), "end"))
          ended = TRUE;
        json_object_unref (message);
      }
    g_assert_true (ended);
  }

  {
    /* stdin was not asked for: input is refused. */
    g_autofree char *body2 = ec_start_body ("sleep 5", FALSE, NULL);
    g_autoptr(EcStream) stream2 = ec_stream_open (sandbox, "/process.Process/Start", body2, NULL, NULL);
    guint pid2 = ec_stream_read_start (stream2);
    g_autofree char *input2 = g_strdup_printf ("{\"process\":{\"pid\":%u},\"input\":{\"stdin\":\"aGVsbG8K\"}}", pid2);
    g_autofree char *kill = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid2);
    g_autoptr(EcReply) refused = ec_unary (sandbox, "/process.Process/SendInput", input2, NULL);
    g_autoptr(EcReply) killed = NULL;

    assert_connect_error (refused, 400, "failed_precondition");
    killed = ec_unary (sandbox, "/process.Process/SendSignal", kill, NULL);
    g_assert_cmpuint (killed->status, ==, 200);
  }
}

static void
test_list_and_reattach (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("echo first; read x; echo got $x", TRUE, "\"cwd\":\"/tmp\"");
  EcStream *stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *selector = pid_selector (pid);
  g_autofree char *input = g_strdup_printf ("{\"process\":{\"pid\":%u},\"input\":{\"stdin\":\"YWdhaW4K\"}}", pid);
  g_autoptr(EcReply) list = NULL;
  g_autoptr(EcStream) again = NULL;
  g_autoptr(EcReply) sent = NULL;
  g_autoptr(EcRun) rest = NULL;
  JsonArray *processes;
  gboolean found = FALSE;

  read_until_output (stream, "first\n");
  /* Dropping the stream does not kill a Start-ed process. */
  ec_stream_free (stream);

  list = ec_unary (sandbox, "/process.Process/List", "{}", NULL);
  g_assert_cmpuint (list->status, ==, 200);
  processes = json_object_get_array_member (json_node_get_object (list->json), "processes");
  for (guint i = 0; i < json_array_get_length (processes); i++)
    {
      JsonObject *info = json_array_get_object_element (processes, i);
      JsonObject *config = json_object_get_object_member (info, "config");

      if (json_object_get_int_member (info, "pid") != pid)
        continue;
      found = TRUE;
      g_assert_cmpstr (json_object_get_string_member (config, "cmd"), ==, "/bin/bash");
      g_assert_cmpstr (json_object_get_string_member (config, "cwd"), ==, "/tmp");
    }
  g_assert_true (found);

  again = ec_stream_open (sandbox, "/process.Process/Connect", selector, NULL, NULL);
  g_assert_cmpuint (ec_stream_read_start (again), ==, pid);
  sent = ec_unary (sandbox, "/process.Process/SendInput", input, NULL);
  g_assert_cmpuint (sent->status, ==, 200);
  rest = ec_stream_collect_after_start (again);
  /* Output from before the reconnect is not replayed. */
  g_assert_cmpstr (rest->stdout_text->str, ==, "got again\n");
  g_assert_cmpstr (ec_run_end_status (rest), ==, "exit status 0");

  {
    /* A process that ended a moment ago: start event + its end event. */
    g_autoptr(EcStream) late = ec_stream_open (sandbox, "/process.Process/Connect", selector, NULL, NULL);
    g_autoptr(EcRun) ended = ec_stream_collect (late);

    g_assert_cmpuint (ended->pid, ==, pid);
    g_assert_cmpstr (ec_run_end_status (ended), ==, "exit status 0");
    g_assert_null (ended->eos_error);
  }
  {
    g_autoptr(EcStream) unknown = ec_stream_open (sandbox, "/process.Process/Connect",
                                                  "{\"process\":{\"pid\":4000000}}", NULL, NULL);
    JsonObject *message = NULL;
    guint8 flags;

    g_assert_cmpuint (ec_stream_get_status (unknown), ==, 200);
    g_assert_true (ec_stream_next (unknown, &flags, &message));
    g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "error"), "code"), ==, "not_found");
    json_object_unref (message);
  }
}

static void
test_pty (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  const char *body =
    "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-l\",\"-c\",\"tty; stty size; read x; stty size\"],"
    "\"envs\":{\"TERM\":\"xterm-256color\"}},\"pty\":{\"size\":{\"cols\":80,\"rows\":24}}}";
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *resize = g_strdup_printf ("{\"process\":{\"pid\":%u},\"pty\":{\"size\":{\"cols\":100,\"rows\":30}}}", pid);
  g_autofree char *enter = g_strdup_printf ("{\"process\":{\"pid\":%u},\"input\":{\"pty\":\"Cg==\"}}", pid);
  g_autoptr(EcReply) resized = NULL;
  g_autoptr(EcReply) sent = NULL;
  g_autoptr(EcRun) rest = NULL;

  /* The terminal is one of the sandbox's own: tty names it (a terminal opened outside an
   * isolated sandbox is "not a tty" inside). */
  {
    g_autofree char *seen = read_until_output_text (stream, "24 80");

    g_assert_nonnull (strstr (seen, "/dev/pts/"));
  }
  resized = ec_unary (sandbox, "/process.Process/Update", resize, NULL);
  g_assert_cmpuint (resized->status, ==, 200);
  sent = ec_unary (sandbox, "/process.Process/SendInput", enter, NULL);
  g_assert_cmpuint (sent->status, ==, 200);
  rest = ec_stream_collect_after_start (stream);
  g_assert_nonnull (strstr (rest->pty_text->str, "30 100"));
  g_assert_cmpstr (ec_run_end_status (rest), ==, "exit status 0");

  {
    /* A real terminal: isatty is true and tty names it. */
    g_autoptr(EcStream) s2 = ec_stream_open (sandbox, "/process.Process/Start",
      "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-c\",\"test -t 0 && test -t 1 && echo is-a-tty\"]},\"pty\":{\"size\":{\"cols\":80,\"rows\":24}}}",
      NULL, NULL);
    g_autoptr(EcRun) r2 = ec_stream_collect (s2);

    g_assert_nonnull (strstr (r2->pty_text->str, "is-a-tty"));
  }
  {
    /* It is the controlling terminal: Ctrl+C sends SIGINT to the foreground job, and the
     * shell's trap runs. The job says it is ready itself, so the key never meets a child
     * between fork and exec, which could outlive the shell and hold the terminal. The word
     * waited for is only in the output, never in the echo. */
    g_autoptr(EcStream) s4 = ec_stream_open (sandbox, "/process.Process/Start",
      "{\"process\":{\"cmd\":\"/bin/bash\",\"args\":[\"-c\",\"trap 'echo trapped-$((6*7)); exit 0' INT; "
      "sh -c 'echo ready-$((6*7)); exec sleep 60'; echo after\"]},\"pty\":{\"size\":{\"cols\":80,\"rows\":24}}}",
      NULL, NULL);
    guint pid4 = ec_stream_read_start (s4);
    g_autofree char *ctrl_c = g_strdup_printf ("{\"process\":{\"pid\":%u},\"input\":{\"pty\":\"Aw==\"}}", pid4);
    g_autoptr(EcReply) sent4 = NULL;
    g_autoptr(EcRun) r4 = NULL;

    read_until_output (s4, "ready-42");
    sent4 = ec_unary (sandbox, "/process.Process/SendInput", ctrl_c, NULL);
    g_assert_cmpuint (sent4->status, ==, 200);
    r4 = ec_stream_collect_after_start (s4);
    g_assert_nonnull (strstr (r4->pty_text->str, "trapped-42"));
  }
  {
    /* Resizing a process without a terminal is refused. */
    g_autofree char *body3 = ec_start_body ("sleep 5", FALSE, NULL);
    g_autoptr(EcStream) s3 = ec_stream_open (sandbox, "/process.Process/Start", body3, NULL, NULL);
    guint pid3 = ec_stream_read_start (s3);
    g_autofree char *resize3 = g_strdup_printf ("{\"process\":{\"pid\":%u},\"pty\":{\"size\":{\"cols\":100,\"rows\":30}}}", pid3);
    g_autofree char *kill3 = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid3);
    g_autoptr(EcReply) refused = ec_unary (sandbox, "/process.Process/Update", resize3, NULL);
    g_autoptr(EcReply) killed = ec_unary (sandbox, "/process.Process/SendSignal", kill3, NULL);

    assert_connect_error (refused, 400, "failed_precondition");
    g_assert_cmpuint (killed->status, ==, 200);
  }
}

static void
test_cwd_envs_user (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("pwd; echo $HOME $USER $FOO $A; whoami", FALSE,
                                         "\"cwd\":\"/tmp\",\"envs\":{\"A\":\"request\"}");
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  g_autoptr(EcRun) run = ec_stream_collect (stream);
  gboolean isolated = g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap");

  if (isolated)
    g_assert_cmpstr (run->stdout_text->str, ==, "/tmp\n/home/user user bar request\nuser\n");
  else
    g_assert_nonnull (strstr (run->stdout_text->str, "user bar request\n"));

  {
    g_autoptr(EcRun) root = ec_run (sandbox, "echo $HOME $USER; pwd; id -u", "root");

    if (isolated)
      g_assert_cmpstr (root->stdout_text->str, ==, "/root root\n/root\n0\n");
    else
      g_assert_nonnull (strstr (root->stdout_text->str, "root\n"));
  }
  {
    /* The home is one directory for both users. */
    g_autoptr(EcRun) w = ec_run (sandbox, "echo shared > ~/shared.txt", "root");
    g_autoptr(EcRun) r = ec_run (sandbox, "cat ~/shared.txt", "user");

    g_assert_cmpstr (r->stdout_text->str, ==, "shared\n");
  }
  {
    g_autoptr(EcRun) bad_user = ec_run (sandbox, "true", "mallory");

    g_assert_nonnull (bad_user->eos_error);
    g_assert_cmpstr (json_object_get_string_member (bad_user->eos_error, "code"), ==, "unauthenticated");
  }
  {
    g_autofree char *bad_cwd = ec_start_body ("true", FALSE, "\"cwd\":\"/home/user/missing\"");
    g_autoptr(EcStream) s = ec_stream_open (sandbox, "/process.Process/Start", bad_cwd, NULL, NULL);
    JsonObject *message = NULL;
    guint8 flags;

    g_assert_cmpuint (ec_stream_get_status (s), ==, 200);
    g_assert_true (ec_stream_next (s, &flags, &message));
    g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "error"), "code"), ==, "invalid_argument");
    json_object_unref (message);
  }
  {
    g_autofree char *escape = ec_start_body ("true", FALSE, "\"cwd\":\"/etc\"");
    g_autoptr(EcStream) s = ec_stream_open (sandbox, "/process.Process/Start", escape, NULL, NULL);
    g_autoptr(EcRun) r = NULL;
    JsonObject *message = NULL;
    guint8 flags;

    g_assert_true (ec_stream_next (s, &flags, &message));
    g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
    json_object_unref (message);
  }
}

static void
test_isolation (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *secret = g_build_filename (cc_test_engine_get_home_dir (engine), "secret.txt", NULL);
  g_autofree char *cmd = NULL;
  g_autoptr(EcRun) run = NULL;

  if (!g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap"))
    {
      g_test_skip ("bubblewrap does not work on this machine");
      return;
    }
  g_assert_true (g_file_set_contents (secret, "top secret\n", -1, NULL));
  sandbox = new_sandbox ();
  cmd = g_strdup_printf ("cat '%s'; echo rc=$?; ls /home; test -w /usr && echo usr-writable; "
                         "ls -d %s 2>&1 >/dev/null && echo data-visible", secret,
                         cc_test_engine_get_data_dir (engine));
  run = ec_run (sandbox, cmd, "root");
  g_assert_null (strstr (run->stdout_text->str, "top secret"));
  g_assert_nonnull (strstr (run->stdout_text->str, "rc=1\n"));
  g_assert_nonnull (strstr (run->stdout_text->str, "\nuser\n"));
  g_assert_null (strstr (run->stdout_text->str, "usr-writable"));
  g_assert_null (strstr (run->stdout_text->str, "data-visible"));

  {
    /* Its own PID namespace: the shell sees few processes and not the engine. */
    g_autoptr(EcRun) ps = ec_run (sandbox, "ls /proc | grep -c '^[0-9]'", NULL);

    g_assert_cmpint (atoi (ps->stdout_text->str), <, 10);
  }
}

static void
test_keepalive (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("sleep 1.5; echo done", FALSE, NULL);
  const char *headers[] = { "Keepalive-Ping-Interval", "1", NULL };
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, headers);
  g_autoptr(EcRun) run = ec_stream_collect (stream);

  g_assert_cmpuint (run->n_keepalives, >=, 1);
  g_assert_cmpstr (run->stdout_text->str, ==, "done\n");
}

static void
test_daemon_auth (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/process.Process/List", NULL);
  g_autofree char *health = g_strconcat (cc_test_engine_get_url (engine), "/health", NULL);
  const char *no_token[] = { "E2b-Sandbox-Id", sandbox->id, NULL };
  const char *bad_token[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", "wrong", NULL };
  const char *unknown[] = { "E2b-Sandbox-Id", "aaaaaaaaaaaaaaaaaaaa", "X-Access-Token", sandbox->token, NULL };
  g_autoptr(EcReply) r1 = ec_request (session, "POST", url, "application/json", "{}", -1, no_token);
  g_autoptr(EcReply) r2 = ec_request (session, "POST", url, "application/json", "{}", -1, bad_token);
  g_autoptr(EcReply) r3 = ec_request (session, "POST", url, "application/json", "{}", -1, unknown);
  g_autoptr(EcReply) r4 = ec_request (session, "GET", health, NULL, NULL, 0, no_token);

  g_assert_cmpuint (r1->status, ==, 401);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (r1->json), "code"), ==, 401);
  g_assert_cmpuint (r2->status, ==, 401);
  g_assert_cmpuint (r3->status, ==, 502);
  g_assert_cmpuint (r4->status, ==, 204);

  {
    /* The same through the 49983-<id>.<domain> Host form. */
    g_autofree char *host = g_strdup_printf ("49983-%s.%s", sandbox->id, cc_test_engine_get_domain (engine));
    const char *by_host[] = { "Host", host, "X-Access-Token", sandbox->token, NULL };
    g_autoptr(EcReply) r5 = ec_request (session, "POST", url, "application/json", "{}", -1, by_host);

    g_assert_cmpuint (r5->status, ==, 200);
  }
  {
    g_autoptr(EcReply) envs = NULL;
    g_autofree char *envs_url = g_strconcat (cc_test_engine_get_url (engine), "/envs", NULL);
    const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };

    envs = ec_request (session, "GET", envs_url, NULL, NULL, 0, headers);
    g_assert_cmpuint (envs->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (envs->json), "FOO"), ==, "bar");
  }
}

static void
test_bad_input (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autoptr(EcReply) malformed = ec_unary (sandbox, "/process.Process/List", "{nope", NULL);
  g_autoptr(EcReply) unknown = ec_unary (sandbox, "/process.Process/SendSignal", "{\"process\":{\"pid\":1},\"bogus\":1}", NULL);
  g_autoptr(EcReply) bad_signal = NULL;
  g_autoptr(EcReply) no_method = ec_unary (sandbox, "/process.Process/Frobnicate", "{}", NULL);
  g_autoptr(EcReply) not_object = ec_unary (sandbox, "/process.Process/List", "[1,2]", NULL);
  const guint8 truncated[] = { 0, 0, 0, 0, 40, '{', '"' };
  const char *streams[][2] = {
    { "application/connect+json", NULL },   /* truncated envelope */
    { "application/json", "{}" },           /* wrong content type */
    { "application/connect+json", "x" },    /* not JSON */
    { "application/connect+json", "{\"process\":{\"cmd\":\"/bin/true\",\"bogus\":1}}" },
    { "application/connect+json", "{\"process\":{}}" },
  };

  assert_connect_error (malformed, 400, "invalid_argument");
  assert_connect_error (unknown, 400, "invalid_argument");
  assert_connect_error (no_method, 501, "unimplemented");
  assert_connect_error (not_object, 400, "invalid_argument");
  {
    g_autoptr(EcReply) huge = ec_unary (sandbox, "/process.Process/CloseStdin", "{\"process\":{\"pid\":1e99}}", NULL);

    assert_connect_error (huge, 400, "invalid_argument");
  }

  {
    g_autofree char *body = ec_start_body ("sleep 5", FALSE, NULL);
    g_autoptr(EcStream) s = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
    guint pid = ec_stream_read_start (s);
    g_autofree char *request = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGHUP\"}", pid);
    g_autofree char *kill = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid);
    g_autoptr(EcReply) killed = NULL;

    bad_signal = ec_unary (sandbox, "/process.Process/SendSignal", request, NULL);
    assert_connect_error (bad_signal, 501, "unimplemented");
    killed = ec_unary (sandbox, "/process.Process/SendSignal", kill, NULL);
    g_assert_cmpuint (killed->status, ==, 200);
  }

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autoptr(GByteArray) body = g_byte_array_new ();
      g_autoptr(EcStream) s = NULL;
      JsonObject *message = NULL;
      guint8 flags;

      if (streams[i][1] == NULL)
        g_byte_array_append (body, truncated, sizeof truncated);
      else if (g_str_equal (streams[i][0], "application/json"))
        g_byte_array_append (body, (const guint8 *) streams[i][1], strlen (streams[i][1]));
      else
        cc_connect_envelope_append (body, 0, streams[i][1], strlen (streams[i][1]));
      s = ec_stream_open_raw (sandbox, "/process.Process/Start", streams[i][0], body->data, body->len, NULL);
      g_assert_cmpuint (ec_stream_get_status (s), ==, 200);
      g_assert_true (ec_stream_next (s, &flags, &message));
      g_assert_cmpuint (flags, ==, CC_CONNECT_FLAG_END_STREAM);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "error"), "code"), ==, "invalid_argument");
      json_object_unref (message);
      g_assert_false (ec_stream_next (s, &flags, &message));
    }

  {
    /* The engine still answers after all of that. */
    g_autoptr(EcRun) run = ec_run (sandbox, "echo alive", NULL);

    g_assert_cmpstr (run->stdout_text->str, ==, "alive\n");
  }
}

static gint64
engine_rss_kib (void)
{
  return (gint64) cc_test_proc_status_kib (cc_test_engine_get_pid (engine), "VmRSS");
}

static void
test_slow_reader (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("head -c 268435456 /dev/zero", FALSE, NULL);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *kill = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid);
  gint64 before = engine_rss_kib ();
  g_autoptr(EcReply) killed = NULL;

  /* Nobody reads the 256 MiB stream. Other sandboxes are still served meanwhile… */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(EcSandbox) other = new_sandbox ();
      g_autoptr(EcRun) run = ec_run (other, "echo still-served", NULL);

      g_assert_cmpstr (run->stdout_text->str, ==, "still-served\n");
    }
  /* …and the engine did not buffer the unread output (it paused reading the pipe). */
  g_assert_cmpint (engine_rss_kib () - before, <, 48 * 1024);

  killed = ec_unary (sandbox, "/process.Process/SendSignal", kill, NULL);
  g_assert_cmpuint (killed->status, ==, 200);
}

static void
test_connect_deadline (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  g_autofree char *body = ec_start_body ("sleep 30", FALSE, NULL);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *selector = pid_selector (pid);
  g_autofree char *kill = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid);
  const char *headers[] = { "Connect-Timeout-Ms", "200", NULL };
  g_autoptr(EcStream) attached = ec_stream_open (sandbox, "/process.Process/Connect", selector, NULL, headers);
  g_autoptr(EcRun) run = ec_stream_collect (attached);
  g_autoptr(EcReply) list = NULL;
  g_autoptr(EcReply) killed = NULL;
  g_autofree char *needle = g_strdup_printf ("\"pid\":%u", pid);

  /* Connect's deadline ends only that stream; the process lives on. */
  g_assert_cmpstr (json_object_get_string_member (run->eos_error, "code"), ==, "deadline_exceeded");
  list = ec_unary (sandbox, "/process.Process/List", "{}", NULL);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (list->body, NULL), g_bytes_get_size (list->body), needle));
  killed = ec_unary (sandbox, "/process.Process/SendSignal", kill, NULL);
  g_assert_cmpuint (killed->status, ==, 200);
}

static void test_port_header_with_python (void);


static void
test_port_header (void)
{
  g_autofree char *python = g_find_program_in_path ("python3");

  if (python == NULL)
    {
      g_test_skip ("no python3 to serve a port");
      return;
    }
  test_port_header_with_python ();
}

static void
test_port_header_with_python (void)
{
  g_autoptr(EcSandbox) sandbox = new_sandbox ();
  guint port = cc_test_free_port ();
  g_autofree char *cmd = g_strdup_printf ("echo preview-ok > index.html; exec python3 -m http.server %u --bind 127.0.0.1", port);
  g_autofree char *body = ec_start_body (cmd, FALSE, NULL);
  g_autoptr(EcStream) stream = ec_stream_open (sandbox, "/process.Process/Start", body, NULL, NULL);
  guint pid = ec_stream_read_start (stream);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/index.html", NULL);
  g_autofree char *kill = g_strdup_printf ("{\"process\":{\"pid\":%u},\"signal\":\"SIGNAL_SIGKILL\"}", pid);
  const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "E2b-Sandbox-Port", port_text, NULL };
  gint64 limit = g_get_monotonic_time () + cc_test_scaled_seconds (20) * G_USEC_PER_SEC;
  g_autoptr(EcReply) killed = NULL;

  /* E2B's proxy form: the sandbox id and a port other than the daemon's, in headers. */
  for (;;)
    {
      g_autoptr(EcReply) reply = ec_request (session, "GET", url, NULL, NULL, 0, headers);

      if (reply->status == 200)
        {
          g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), "preview-ok\n", 11);
          break;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      {
        gboolean tick = FALSE;

        g_timeout_add (50, flag_cb, &tick);
        while (!tick)
          g_main_context_iteration (NULL, TRUE);
      }
    }
  killed = ec_unary (sandbox, "/process.Process/SendSignal", kill, NULL);
  g_assert_cmpuint (killed->status, ==, 200);
}

/* "pid session tty" of a command's shell, from its /proc entry. */
#define OWN_SESSION_CMD "read -a s < /proc/$$/stat; echo ${s[0]} ${s[5]} ${s[6]}"

/* Every command leads a session of its own and has no controlling terminal (a host's terminal
 * it could type into with TIOCSTI, among others), under bubblewrap and without it. */
static void
assert_own_session (EcSandbox *sandbox)
{
  g_autoptr(EcRun) run = ec_run (sandbox, OWN_SESSION_CMD, NULL);
  g_auto(GStrv) fields = g_strsplit (g_strstrip (run->stdout_text->str), " ", -1);

  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  g_assert_cmpstr (fields[1], ==, fields[0]);
  g_assert_cmpstr (fields[2], ==, "0");
}

static void
test_own_session (void)
{
  const char *env[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };
  g_autoptr(CcTestEngine) plain = cc_test_engine_new_with_env (env);
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autoptr(EcSandbox) unisolated = ec_sandbox_new (plain, session, NULL);

  assert_own_session (sandbox);
  assert_own_session (unisolated);
}

static void
test_unisolated (void)
{
  const char *env[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };
  g_autoptr(CcTestEngine) plain = cc_test_engine_new_with_env (env);
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (plain, session, NULL);
  g_autoptr(EcRun) run = ec_run (sandbox, "echo $HOME; pwd", NULL);
  /* Works for the engine's user, root included, outside any filter. */
  g_autoptr(EcRun) nested = ec_run (sandbox, "unshare --user true", NULL);
  g_autofree char *home = g_build_filename (cc_test_engine_get_data_dir (plain), "sandboxes", sandbox->id, NULL);
  g_autofree char *expected = g_strdup_printf ("%s\n%s\n", home, home);
  g_autoptr(EcReply) status = ec_api (plain, session, "GET", "/engine/status", NULL);
  /* Its network would be the machine's: refused rather than run online. */
  g_autoptr(EcReply) offline = ec_api (plain, session, "POST", "/sandboxes",
                                       "{\"templateID\":\"base\",\"allow_internet_access\":false}");

  g_assert_cmpstr (cc_test_engine_get_isolation (plain), ==, "none");
  g_assert_cmpuint (offline->status, ==, 400);
  g_assert_cmpstr (run->stdout_text->str, ==, expected);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status->json), "isolation"), ==, "none");
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (status->json), "isolationReason"));
  /* Without bubblewrap each command loads the system-call filter itself. */
  g_assert_cmpstr (ec_run_end_status (nested), ==, "exit status 1");
  g_assert_nonnull (strstr (nested->stderr_text->str, "Operation not permitted"));
}

/* A stream's connection is corked while its envelopes wait to be written (cc-engine-stream.c):
 * libsoup writes each chunk in three writes, and uncorked each write was a segment of its own.
 * Counted by the kernel on the client's socket, so nothing here depends on timing. */
static void
test_few_segments (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, NULL);
  g_autofree char *body = ec_start_body ("true", FALSE, NULL);
  g_autoptr(GByteArray) envelope = g_byte_array_new ();
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func (g_free);
  struct tcp_info info = { 0 };
  socklen_t length = sizeof info;
  const char *at, *rest;
  GSocket *socket;

  cc_connect_envelope_append (envelope, 0, body, strlen (body));
  g_string_append_printf (request,
                          "POST /process.Process/Start HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/connect+json\r\nConnect-Protocol-Version: 1\r\n"
                          "E2b-Sandbox-Id: %s\r\nContent-Length: %u\r\n",
                          sandbox->id, envelope->len);
  if (sandbox->token != NULL)
    g_string_append_printf (request, "X-Access-Token: %s\r\n", sandbox->token);
  g_string_append (request, "\r\n");
  g_string_append_len (request, (const char *) envelope->data, envelope->len);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", cc_test_engine_get_port (engine),
                                                NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_timeout (socket, cc_test_scaled_seconds (30));
  g_socket_send (socket, request->str, request->len, NULL, &error);
  g_assert_no_error (error);
  /* Until the last chunk (the envelopes hold NUL bytes: compared by length); each read waits at
   * most the socket's timeout. */
  for (guint reads = 0;
       answer->len < 7 || memcmp (answer->str + answer->len - 7, "\r\n0\r\n\r\n", 7) != 0;
       reads++)
    {
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_assert_cmpuint (reads, <, 100);
      g_string_append_len (answer, buffer, n);
    }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 200"));
  g_assert_nonnull (memmem (answer->str, answer->len, "exit status 0", 13));

  /* Chunk by chunk: the start, then the end event with the end of the stream (libsoup writes
   * each chunk in three writes), then the last chunk. */
  at = (const char *) memmem (answer->str, answer->len, "\r\n\r\n", 4) + 4;
  for (guint i = 0; i < 16; i++)
    {
      guint64 size = g_ascii_strtoull (at, (char **) &rest, 16);

      g_assert_true (rest[0] == '\r' && rest[1] == '\n');
      if (size == 0)
        break;
      at = rest + 2 + size + 2;
      g_assert_cmpuint (at - answer->str, <=, answer->len);
      /* Envelope heads hold NUL bytes. */
      g_ptr_array_add (chunks, g_memdup2 (rest + 2, size + 1));
      ((char *) chunks->pdata[chunks->len - 1])[size] = '\0';
    }
  g_assert_cmpuint (chunks->len, ==, 2);
  g_assert_nonnull (strstr ((char *) chunks->pdata[0] + 5, "\"start\""));
  g_assert_nonnull (strstr ((char *) chunks->pdata[1] + 5, "\"end\""));
  g_assert_cmpuint (((char *) chunks->pdata[1])[0], ==, 0);

  g_assert_cmpint (getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &length), ==, 0);
  g_test_message ("segments with data: %u", info.tcpi_data_segs_in);
  /* The headers with the start; the end with the end of the stream; the last chunk (libsoup
   * writes it from another thread): three, or four if the scheduler splits one. Uncorked: more
   * than ten. */
  g_assert_cmpuint (info.tcpi_data_segs_in, <=, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/process/echo", test_echo);
  g_test_add_func ("/engine/process/exit-code-stderr", test_exit_code_stderr);
  g_test_add_func ("/engine/process/big-output", test_big_output);
  g_test_add_func ("/engine/process/signals", test_signals);
  g_test_add_func ("/engine/process/deadline", test_deadline);
  g_test_add_func ("/engine/process/deadline-detached", test_deadline_detached);
  g_test_add_func ("/engine/process/stdin", test_stdin);
  g_test_add_func ("/engine/process/list-reattach", test_list_and_reattach);
  g_test_add_func ("/engine/process/pty", test_pty);
  g_test_add_func ("/engine/process/cwd-envs-user", test_cwd_envs_user);
  g_test_add_func ("/engine/process/isolation", test_isolation);
  g_test_add_func ("/engine/process/keepalive", test_keepalive);
  g_test_add_func ("/engine/process/daemon-auth", test_daemon_auth);
  g_test_add_func ("/engine/process/bad-input", test_bad_input);
  g_test_add_func ("/engine/process/slow-reader", test_slow_reader);
  g_test_add_func ("/engine/process/connect-deadline", test_connect_deadline);
  g_test_add_func ("/engine/process/port-header", test_port_header);
  g_test_add_func ("/engine/process/unisolated", test_unisolated);
  g_test_add_func ("/engine/process/own-session", test_own_session);
  g_test_add_func ("/engine/process/few-segments", test_few_segments);

  return ec_test_run (&engine, &session, 60);
}
