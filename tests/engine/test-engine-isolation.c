/* test-engine-isolation.c: attacks from inside a sandbox on the host, over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cc-sandbox-attack (built next to this test) is uploaded into a real sandbox through /files
 * and run there, as the code a stranger's package runs would be. Each case asserts the attack
 * fails, and where it matters, how: EPERM from the system-call filter rather than whatever the
 * kernel would have said. The suite runs as root in CI, which is the case that matters most:
 * the sandbox's root must still be nobody on the host.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine-core-client.h"
#include "cc-test-util.h"

static CcTestEngine *engine;
static SoupSession *session;

static gboolean
isolated (void)
{
  if (g_str_equal (cc_test_engine_get_isolation (engine), "bubblewrap"))
    return TRUE;
  g_test_skip ("bubblewrap does not work on this machine");
  return FALSE;
}

/* A sandbox with the attack program at /home/user/attack. */
static EcSandbox *
armed_sandbox (void)
{
  EcSandbox *sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = g_path_get_dirname (self_exe);
  g_autofree char *attack = g_build_filename (self_dir, "cc-sandbox-attack", NULL);
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/attack", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EcReply) reply = NULL;
  gsize length;
  const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };

  g_file_get_contents (attack, &contents, &length, &error);
  g_assert_no_error (error);
  reply = ec_request (session, "POST", url, "application/octet-stream", contents, length, headers);
  g_assert_cmpuint (reply->status, ==, 200);
  return sandbox;
}

/* Runs the attack program with @args as @user; its stdout. */
static char *
attack (EcSandbox  *sandbox,
        const char *user,
        const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("chmod +x /home/user/attack && /home/user/attack %s", args);
  g_autoptr(EcRun) run = ec_run (sandbox, cmd, user);

  g_test_message ("%s: %s%s", args, run->stdout_text->str, run->stderr_text->str);
  return g_strdup (run->stdout_text->str);
}

/* The launcher, which shares its uid with the sandbox's processes, can be neither traced nor
 * stopped, and offers no descriptor (the engine's terminal, once) to type into. */
static void
test_launcher_out_of_reach (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  const char *users[] = { "user", "root" };

  if (!isolated ())
    return;
  sandbox = armed_sandbox ();
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *out = attack (sandbox, users[i], "launcher");

      g_assert_nonnull (strstr (out, "launcher:"));
      g_assert_null (strstr (out, "launcher:0\n"));
      g_assert_nonnull (strstr (out, "ptrace:EPERM\n"));
      g_assert_null (strstr (out, "launcher-fd:ok"));
      {
        /* The signals did nothing: the same launcher still starts commands. */
        g_autoptr(EcRun) run = ec_run (sandbox, "echo alive", users[i]);

        g_assert_cmpstr (run->stdout_text->str, ==, "alive\n");
        g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
      }
    }
}

/* What the filter refuses, refused by the filter (EPERM). */
static void
test_seccomp_filter (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  const char *users[] = { "user", "root" };

  if (!isolated ())
    return;
  sandbox = armed_sandbox ();
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *out = attack (sandbox, users[i], "syscalls");
      const char *expected[] = { "tiocsti:EPERM\n", "tioclinux:EPERM\n", "keyctl:EPERM\n", "add_key:EPERM\n",
                                 "request_key:EPERM\n", "perf_event_open:EPERM\n", "userfaultfd:EPERM\n",
                                 "unshare-user:EPERM\n", "clone-user:EPERM\n" };

      for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
        if (strstr (out, expected[e]) == NULL)
          g_error ("as %s, expected %s in:\n%s", users[i], expected[e], out);
    }
}

/* A root-owned 0600 file on the host, on the file system behind the sandbox's home, stays
 * closed to the sandbox's root through open_by_handle_at (which needs CAP_DAC_READ_SEARCH on
 * the host, and ownership that the sandbox's root does not have). */
static void
test_open_by_handle (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GString) spec = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  struct file_handle *handle = g_malloc (sizeof *handle + MAX_HANDLE_SZ);
  int mount_id;

  if (!isolated ())
    {
      g_free (handle);
      return;
    }
  sandbox = armed_sandbox ();
  secret = g_build_filename (cc_test_engine_get_data_dir (engine), "cc-isolation-secret", NULL);
  g_file_set_contents_full (secret, "host-secret", -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  handle->handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at (AT_FDCWD, secret, handle, &mount_id, 0) != 0)
    {
      g_free (handle);
      unlink (secret);
      g_test_skip ("this file system has no file handles");
      return;
    }
  g_string_append_printf (spec, "handle %d:", handle->handle_type);
  for (guint i = 0; i < handle->handle_bytes; i++)
    g_string_append_printf (spec, "%02x", handle->f_handle[i]);
  g_free (handle);

  out = attack (sandbox, "root", spec->str);
  unlink (secret);
  g_assert_null (strstr (out, "host-secret"));
  g_assert_null (strstr (out, "open_by_handle_at:ok"));
  g_assert_nonnull (strstr (out, "open_by_handle_at:"));
}

/* /proc's knobs are read-only, for the sandbox's root too. */
static void
test_proc_read_only (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  const char *users[] = { "user", "root" };

  if (!isolated ())
    return;
  sandbox = armed_sandbox ();
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *out = attack (sandbox, users[i], "proc");

      g_assert_nonnull (strstr (out, "core_pattern:"));
      g_assert_null (strstr (out, "core_pattern:ok"));
      g_assert_null (strstr (out, "sysrq-trigger:ok"));
    }
}

/* Sandbox root is an unprivileged host uid: files it makes are not root's on the host, and the
 * engine's status lists what isolation is in place. */
static void
test_unprivileged_on_host (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(EcReply) status = NULL;
  g_autofree char *home = NULL;
  g_autofree char *made = NULL;
  JsonArray *facts;
  struct stat st;

  if (!isolated ())
    return;
  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  run = ec_run (sandbox, "id -u && grep -E 'CapEff' /proc/self/status && touch /root/made-by-root", "root");
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  g_assert_true (g_str_has_prefix (run->stdout_text->str, "0\n"));
  g_assert_nonnull (strstr (run->stdout_text->str, "CapEff:\t0000000000000000"));

  home = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", sandbox->id, NULL);
  made = g_build_filename (home, "made-by-root", NULL);
  g_assert_cmpint (stat (made, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, !=, 0);
  if (geteuid () != 0)
    g_assert_cmpuint (st.st_uid, ==, geteuid ());

  status = ec_api (engine, session, "GET", "/engine/status", NULL);
  g_assert_cmpuint (status->status, ==, 200);
  facts = json_object_get_array_member (json_node_get_object (status->json), "facts");
  g_assert_nonnull (facts);
  for (guint i = 0; i < json_array_get_length (facts); i++)
    {
      JsonObject *fact = json_array_get_object_element (facts, i);

      g_test_message ("%s: %s", json_object_get_string_member (fact, "name"),
                      json_object_get_string_member (fact, "detail"));
      if (g_str_equal (json_object_get_string_member (fact, "name"), "user-namespace") ||
          g_str_equal (json_object_get_string_member (fact, "name"), "seccomp"))
        g_assert_true (json_object_get_boolean_member (fact, "ok"));
    }
  g_assert_cmpuint (json_array_get_length (facts), >=, 3);
}

/* A gzip body of 64 MiB of zeros (about 64 KiB on the wire) is refused as a decompression
 * bomb with 413 and a message, and leaves no file behind; a modest one still goes in. */
static void
test_gzip_bomb (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree guint8 *zeros = g_malloc0 (1024 * 1024);
  guint8 out[64 * 1024];
  const char *headers[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token,
                            "Content-Encoding", "gzip", NULL };
  g_autofree char *url = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/bomb", NULL);
  g_autofree char *host = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", sandbox->id,
                                            "bomb", NULL);
  g_autoptr(EcReply) reply = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < 64; i++)
    {
      gsize in_off = 0;
      gboolean last = i == 63;

      for (;;)
        {
          gsize read = 0, written = 0;
          g_autoptr(GError) error = NULL;
          GConverterResult r = g_converter_convert (G_CONVERTER (compressor), zeros + in_off,
                                                    1024 * 1024 - in_off, out, sizeof out,
                                                    last ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                                                    &read, &written, &error);

          g_assert_no_error (error);
          g_byte_array_append (body, out, written);
          in_off += read;
          if (r == G_CONVERTER_FINISHED || (!last && in_off == 1024 * 1024))
            break;
        }
    }
  g_assert_cmpuint (body->len, <, 1024 * 1024);

  reply = ec_request (session, "POST", url, "application/octet-stream", body->data, body->len, headers);
  text = g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
  g_test_message ("bomb: %u %s", reply->status, text);
  g_assert_cmpuint (reply->status, ==, 413);
  g_assert_nonnull (strstr (text, "uncompressed"));
  g_assert_false (g_file_test (host, G_FILE_TEST_EXISTS));
}

/* A name that is not UTF-8, made by a sandbox process, shows with U+FFFD in ListDir and in
 * watcher events, and the answers stay valid JSON. */
static void
test_non_utf8_names (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autoptr(EcReply) created = NULL;
  g_autoptr(EcReply) listing = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (20));
  g_autofree char *request = NULL;
  g_autofree char *listing_text = NULL;
  const char *expected = "bad\xef\xbf\xbd\xef\xbf\xbdname";
  gboolean seen = FALSE;

  created = ec_unary (sandbox, "/filesystem.Filesystem/CreateWatcher",
                      "{\"path\":\"/home/user\",\"recursive\":false}", "user");
  g_assert_cmpuint (created->status, ==, 200);
  request = g_strdup_printf ("{\"watcherId\":\"%s\"}",
                             json_object_get_string_member (json_node_get_object (created->json), "watcherId"));

  run = ec_run (sandbox, "touch \"$(printf 'bad\\377\\376name')\"", "user");
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");

  listing = ec_unary (sandbox, "/filesystem.Filesystem/ListDir", "{\"path\":\"/home/user\"}", "user");
  listing_text = g_strndup (g_bytes_get_data (listing->body, NULL), g_bytes_get_size (listing->body));
  g_assert_cmpuint (listing->status, ==, 200);
  g_assert_true (g_utf8_validate (listing_text, -1, NULL));
  g_assert_nonnull (listing->json);
  g_assert_nonnull (strstr (listing_text, expected));

  while (!seen)
    {
      g_autoptr(EcReply) events = ec_unary (sandbox, "/filesystem.Filesystem/GetWatcherEvents", request, "user");
      g_autofree char *text = g_strndup (g_bytes_get_data (events->body, NULL), g_bytes_get_size (events->body));

      g_assert_cmpuint (events->status, ==, 200);
      g_assert_true (g_utf8_validate (text, -1, NULL));
      g_assert_nonnull (events->json);
      seen = strstr (text, expected) != NULL;
      if (!seen && cc_test_deadline_passed (deadline))
        g_error ("no watcher event for the odd name: %s", text);
      g_main_context_iteration (NULL, FALSE);
    }
}

/* A sandbox process swaps a directory with a symlink to / while GET /files reads a file
 * under it: every answer is the sandbox's file or a refusal, never the host's. */
static void
test_symlink_swap_download (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcStream) swapper = NULL;
  g_autofree char *body = NULL;
  g_autofree char *url = NULL;
  guint n_decoy = 0, n_host = 0, n_refused = 0;

  if (!isolated ())
    return;
  sandbox = armed_sandbox ();
  body = ec_start_body ("chmod +x /home/user/attack && exec /home/user/attack swap 60", FALSE, NULL);
  swapper = ec_stream_open (sandbox, "/process.Process/Start", body, "user", NULL);
  ec_stream_read_start (swapper);
  {
    /* The swapping has begun once the decoy is in place. */
    g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (20));
    g_autofree char *probe = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/link&username=user", NULL);

    for (;;)
      {
        g_autoptr(EcReply) reply = NULL;
        const char *h[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };

        reply = ec_request (session, "GET", probe, NULL, NULL, 0, h);
        if (reply->status != 404)
          break;
        if (cc_test_deadline_passed (deadline))
          g_error ("the swapping never started");
      }
  }

  url = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/real/etc/os-release&username=user", NULL);
  for (guint i = 0; i < 400; i++)
    {
      const char *h[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };
      g_autoptr(EcReply) reply = ec_request (session, "GET", url, NULL, NULL, 0, h);

      if (reply->status == 200 && g_bytes_get_size (reply->body) == 5 &&
          memcmp (g_bytes_get_data (reply->body, NULL), "decoy", 5) == 0)
        n_decoy++;
      else if (reply->status == 200)
        n_host++;
      else
        n_refused++;
    }
  g_test_message ("decoy %u, host %u, refused %u", n_decoy, n_host, n_refused);
  g_assert_cmpuint (n_host, ==, 0);
  g_assert_cmpuint (n_decoy + n_refused, ==, 400);

  /* Uploads under the swapped directory: none lands on the host, and no temporary is left in
   * the sandbox's tree. */
  {
    g_autofree char *name = g_strdup_printf ("cc-swap-escape-%u", g_random_int ());
    g_autofree char *on_host = g_build_filename ("/etc", name, NULL);
    g_autofree char *upload = g_strdup_printf ("%s/files?path=/home/user/real/etc/%s&username=user",
                                               cc_test_engine_get_url (engine), name);
    g_autofree char *home = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", sandbox->id, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *entry;
    guint temporaries = 0;

    for (guint i = 0; i < 200; i++)
      {
        const char *h[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };
        g_autoptr(EcReply) reply = ec_request (session, "POST", upload, "application/octet-stream", "x", 1, h);

        g_assert_false (g_file_test (on_host, G_FILE_TEST_EXISTS));
      }
    dir = g_dir_open (home, 0, &error);
    g_assert_no_error (error);
    while ((entry = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (entry, ".cc-upload-"))
        temporaries++;
    {
      g_autofree char *etc = g_build_filename (home, "real", "etc", NULL);
      g_autoptr(GDir) inner = g_dir_open (etc, 0, NULL);

      while (inner != NULL && (entry = g_dir_read_name (inner)) != NULL)
        if (g_str_has_prefix (entry, ".cc-upload-"))
          temporaries++;
    }
    g_assert_cmpuint (temporaries, ==, 0);
  }

  /* Stops the swapping and waits for its end, so the sandbox's removal sees a still tree. */
  {
    g_autofree char *stop = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/stop&username=user", NULL);
    const char *h[] = { "E2b-Sandbox-Id", sandbox->id, "X-Access-Token", sandbox->token, NULL };
    g_autoptr(EcReply) reply = ec_request (session, "POST", stop, "application/octet-stream", "x", 1, h);
    g_autoptr(EcRun) run = NULL;

    g_assert_cmpuint (reply->status, ==, 200);
    run = ec_stream_collect_after_start (swapper);
    g_test_message ("%s", run->stdout_text->str);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/isolation/launcher", test_launcher_out_of_reach);
  g_test_add_func ("/engine/isolation/seccomp", test_seccomp_filter);
  g_test_add_func ("/engine/isolation/open-by-handle", test_open_by_handle);
  g_test_add_func ("/engine/isolation/proc", test_proc_read_only);
  g_test_add_func ("/engine/isolation/unprivileged", test_unprivileged_on_host);
  g_test_add_func ("/engine/isolation/gzip-bomb", test_gzip_bomb);
  g_test_add_func ("/engine/isolation/non-utf8-names", test_non_utf8_names);
  g_test_add_func ("/engine/isolation/symlink-swap-download", test_symlink_swap_download);

  return ec_test_run (&engine, &session, 60);
}
