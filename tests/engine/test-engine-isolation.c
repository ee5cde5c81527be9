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
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "engine-core-client.h"
#include "cc-connect-codec.h"
#include "cc-protojson.h"
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

/* cc-sandbox-attack, built next to this test. */
static char *
attack_path (void)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = g_path_get_dirname (self_exe);

  return g_build_filename (self_dir, "cc-sandbox-attack", NULL);
}

/* A sandbox with the attack program at /home/user/attack. */
static EcSandbox *
armed_sandbox (void)
{
  EcSandbox *sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autofree char *attack = attack_path ();
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

/* The result of @name ("ok" or an errno's name) in the attack program's output @out. */
static char *
attack_result (const char *out,
               const char *name)
{
  g_autofree char *key = g_strdup_printf ("\n%s:", name);
  g_autofree char *text = g_strconcat ("\n", out, NULL);
  const char *at = strstr (text, key);

  if (at == NULL)
    return g_strdup ("(missing)");
  at += strlen (key);
  return g_strndup (at, strcspn (at, "\n"));
}

/* The syscalls attack as a plain process, without any filter: the kernel's own answers. As root
 * it runs as nobody (from a copy nobody may run), to ask as an unprivileged process would. */
static char *
attack_unfiltered (void)
{
  g_autofree char *attack_exe = attack_path ();
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  if (geteuid () != 0)
    {
      const char *argv[] = { attack_exe, "syscalls", NULL };

      g_assert_cmpint (cc_test_run_command (argv, NULL, NULL, &out, &err), ==, 0);
      return g_steal_pointer (&out);
    }
  dir = cc_test_make_tmpdir ("cc-attack-XXXXXX");
  copy = g_build_filename (dir, "cc-sandbox-attack", NULL);
  g_file_get_contents (attack_exe, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (copy, contents, length, G_FILE_SET_CONTENTS_NONE, 0755, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  {
    const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           copy, "syscalls", NULL };

    g_assert_cmpint (cc_test_run_command (argv, NULL, NULL, &out, &err), ==, 0);
  }
  cc_test_rm_rf (dir);
  return g_steal_pointer (&out);
}

/* What the filter refuses, refused by the filter: EPERM, the filter's answer for each of these
 * (cc-engine-seccomp.c). Every call is made so that the kernel alone would grant it to an
 * unprivileged process or answer something else: TIOCSTI on the process's own controlling
 * terminal (EIO instead when dev.tty.legacy_tiocsti=0), TIOCLINUX on a pty (ENOTTY), keys in the
 * process's own keyring, a user-space-only software perf event (EACCES only when
 * perf_event_paranoid is above 2), a user-mode-only userfaultfd (Linux 5.11 and later, whatever
 * vm.unprivileged_userfaultfd says), and a nested user namespace. The same program run outside
 * the sandbox shows the kernel's own answers on this machine; where the kernel says EPERM too,
 * the check proves nothing here, and the log says so. */
static void
test_seccomp_filter (void)
{
  g_autoptr(EcSandbox) sandbox = NULL;
  const char *users[] = { "user", "root" };
  /* Each attack and the filter's answer to it. */
  const char *names[][2] = {
    { "tiocsti", "EPERM" }, { "tioclinux", "EPERM" }, { "keyctl", "EPERM" }, { "add_key", "EPERM" },
    { "request_key", "EPERM" }, { "perf_event_open", "EPERM" }, { "userfaultfd", "EPERM" },
    { "unshare-user", "EPERM" }, { "clone-user", "EPERM" }, { "setns", "EPERM" },
    { "modify_ldt", "EPERM" }, { "mbind", "EPERM" }, { "io_uring", "ENOSYS" },
    { "vsock", "EAFNOSUPPORT" },
  };
  g_autofree char *unfiltered = NULL;
  g_autofree char *ctty = NULL;

  if (!isolated ())
    return;
  unfiltered = attack_unfiltered ();
  g_test_message ("without the filter (%s): %s", geteuid () == 0 ? "as nobody" : "as this user",
                  unfiltered);
  ctty = attack_result (unfiltered, "ctty");
  g_assert_cmpstr (ctty, ==, "ok");
  for (guint e = 0; e < G_N_ELEMENTS (names); e++)
    {
      g_autofree char *kernel = attack_result (unfiltered, names[e][0]);

      if (g_str_equal (kernel, names[e][1]))
        g_test_message ("%s: the kernel refuses it with %s here too, so %s in the sandbox does "
                        "not prove the filter on this machine", names[e][0], names[e][1], names[e][1]);
    }

  sandbox = armed_sandbox ();
  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *out = attack (sandbox, users[i], "syscalls");
      g_autofree char *own_ctty = attack_result (out, "ctty");

      /* Without its own terminal, TIOCSTI would be refused by the kernel alone. */
      if (!g_str_equal (own_ctty, "ok"))
        g_error ("as %s, the attack could not take a controlling terminal (%s):\n%s",
                 users[i], own_ctty, out);
      for (guint e = 0; e < G_N_ELEMENTS (names); e++)
        {
          g_autofree char *got = attack_result (out, names[e][0]);

          if (!g_str_equal (got, names[e][1]))
            g_error ("as %s, expected %s:%s (the filter's answer), got %s:%s in:\n%s",
                     users[i], names[e][0], names[e][1], names[e][0], got, out);
        }
    }
}

/* A fork bomb stops at the launcher's process limit (lowered here to 64), inside its sandbox:
 * the host's pids are not the sandbox's to use up. */
static void
test_process_limit (void)
{
  const char *env[] = { "CODE_CANVAS_ENGINE_PROCESS_LIMIT=64", NULL };
  g_autoptr(CcTestEngine) limited = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(EcRun) after = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 made = 0;

  if (!isolated ())
    return;
  limited = cc_test_engine_new_with_env (env);
  sandbox = ec_sandbox_new (limited, session, NULL);
  run = ec_run (sandbox, "python3 -c '\n"
                         "import os, signal, time\n"
                         "pids = []\n"
                         "try:\n"
                         "    for i in range(200):\n"
                         "        pid = os.fork()\n"
                         "        if pid == 0:\n"
                         "            time.sleep(60)\n"
                         "            os._exit(0)\n"
                         "        pids.append(pid)\n"
                         "except OSError as e:\n"
                         "    print(\"refused\", e.errno)\n"
                         "print(len(pids))\n"
                         "for pid in pids:\n"
                         "    os.kill(pid, signal.SIGKILL)\n"
                         "'", NULL);
  lines = g_strsplit (g_strstrip (run->stdout_text->str), "\n", -1);
  g_test_message ("%s", run->stdout_text->str);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[0], ==, "refused 11");
  g_assert_true (g_ascii_string_to_unsigned (lines[1], 10, 1, 63, &made, NULL));
  /* The sandbox still works once they are gone. */
  after = ec_run (sandbox, "echo alive", NULL);
  g_assert_cmpstr (after->stdout_text->str, ==, "alive\n");
}

/* New user namespaces are refused unless the sandbox asked for them at create
 * ("codeCanvasNestedUserNamespaces"): then a tool that makes its own (bubblewrap, rootless
 * containers) runs, and the rest of the filter still holds. */
static void
test_nested_userns (void)
{
  g_autoptr(EcSandbox) plain = NULL;
  g_autoptr(EcSandbox) nested = NULL;
  g_autoptr(EcRun) refused = NULL;
  g_autoptr(EcRun) allowed = NULL;
  g_autoptr(EcRun) vsock = NULL;

  if (!isolated ())
    return;
  plain = ec_sandbox_new (engine, session, NULL);
  nested = ec_sandbox_new (engine, session, "{\"templateID\":\"base\",\"codeCanvasNestedUserNamespaces\":true}");
  refused = ec_run (plain, "unshare --user --map-root-user id -u", NULL);
  allowed = ec_run (nested, "unshare --user --map-root-user id -u", NULL);
  vsock = ec_run (nested, "python3 -c 'import socket; socket.socket(40, socket.SOCK_STREAM)'", NULL);
  g_assert_cmpstr (ec_run_end_status (refused), !=, "exit status 0");
  g_assert_nonnull (strstr (refused->stderr_text->str, "Operation not permitted"));
  g_assert_cmpstr (ec_run_end_status (allowed), ==, "exit status 0");
  g_assert_cmpstr (allowed->stdout_text->str, ==, "0\n");
  /* An AF_VSOCK socket stays refused. */
  g_assert_nonnull (strstr (vsock->stderr_text->str, "Address family not supported"));
}

/* A sandbox's SysV IPC objects and cgroup view are its own, not the host's (nor another
 * sandbox's): its namespaces are not the test's. */
static void
test_namespaces (void)
{
  const char *kinds[] = { "ipc", "cgroup", "uts", "pid", "net", "user" };
  g_autoptr(EcSandbox) sandbox = NULL;

  if (!isolated ())
    return;
  sandbox = ec_sandbox_new (engine, session, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *own_path = g_strdup_printf ("/proc/self/ns/%s", kinds[i]);
      g_autofree char *own = g_file_read_link (own_path, NULL);
      g_autofree char *cmd = g_strdup_printf ("readlink %s", own_path);
      g_autoptr(EcRun) run = ec_run (sandbox, cmd, NULL);
      g_autofree char *inside = g_strstrip (g_strdup (run->stdout_text->str));

      g_test_message ("%s: %s here, %s in the sandbox", kinds[i], own, inside);
      g_assert_nonnull (own);
      g_assert_cmpstr (inside, !=, "");
      g_assert_cmpstr (inside, !=, own);
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

/* The host's small /etc files are the sandbox's own copies, not binds (each bind costs
 * bubblewrap a read of the whole mount table): the same content, no mount of their own, and a
 * change made in the sandbox stays there. /etc/ssl is a directory and stays a read-only bind. */
static void
test_system_files (void)
{
  const char *files[] = { "/etc/hosts", "/etc/nsswitch.conf", "/etc/ld.so.cache" };
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(EcRun) run = NULL;
  g_autoptr(EcRun) change = NULL;
  g_autofree char *hosts_before = NULL;
  g_autofree char *hosts_after = NULL;

  if (!isolated ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *content = NULL;
      gsize length;
      g_autofree char *sum = NULL;

      if (!g_file_get_contents (files[i], &content, &length, NULL))
        continue;
      sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) content, length);
      g_string_append_printf (script, "sha256sum < %s; ", files[i]);
      g_string_append_printf (expected, "%s  -\n", sum);
    }
  g_assert_cmpuint (expected->len, >, 0);
  /* Field 5 of a mountinfo line is the mount point. */
  g_string_append (script, "awk '$5 ~ /^\\/etc\\/(hosts|nsswitch.conf|ld.so.cache|passwd|group)$/ "
                           "{ print \"bound:\" $5 } $5 == \"/etc/ssl\" { print \"ssl:\" $6 }' "
                           "/proc/self/mountinfo; grep -c '^user:x:1000:' /etc/passwd");
  if (g_file_test ("/etc/ssl", G_FILE_TEST_IS_DIR))
    g_string_append (expected, "ssl:ro");

  sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  run = ec_run (sandbox, script->str, "user");
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  g_assert_true (g_str_has_prefix (run->stdout_text->str, expected->str));
  g_assert_null (strstr (run->stdout_text->str, "bound:"));
  g_assert_true (g_str_has_suffix (run->stdout_text->str, "\n1\n"));

  g_assert_true (g_file_get_contents ("/etc/hosts", &hosts_before, NULL, NULL));
  change = ec_run (sandbox, "chmod u+w /etc/hosts && echo '192.0.2.1 cc-sandbox-only' >> /etc/hosts && "
                            "grep -c cc-sandbox-only /etc/hosts", "user");
  g_assert_cmpstr (ec_run_end_status (change), ==, "exit status 0");
  g_assert_cmpstr (change->stdout_text->str, ==, "1\n");
  g_assert_true (g_file_get_contents ("/etc/hosts", &hosts_after, NULL, NULL));
  g_assert_cmpstr (hosts_after, ==, hosts_before);
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

/* Runs code-canvas-cli against this file's engine with @args (NULL-terminated); its exit
 * status, with its stdout in @out. */
static int
run_cli (char **out,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = cc_test_engine_dup_environ (engine);
  g_autofree char *err = NULL;
  const char *cli = g_getenv ("CODE_CANVAS_CLI");
  const char *arg;
  va_list ap;
  int status;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  status = cc_test_run_command ((const char * const *) argv->pdata, (const char * const *) env, NULL,
                                out, &err);
  g_test_message ("cli %s: exit %d; stdout: %s; stderr: %s", (char *) argv->pdata[1], status, *out, err);
  return status;
}

/* The name of a WatchDir event (@message's "filesystem" member), or NULL. */
static const char *
watch_event_name (JsonObject *message)
{
  JsonObject *event = json_object_has_member (message, "filesystem")
                        ? json_object_get_object_member (message, "filesystem") : NULL;

  return event != NULL ? json_object_get_string_member_with_default (event, "name", NULL) : NULL;
}

#define ODD_NAME_CMD "touch \"$(printf 'bad\\377\\376name')\""
#define ODD_NAME_SHOWN "bad\xef\xbf\xbd\xef\xbf\xbdname"

/* A name that is not UTF-8, made by a sandbox process, shows with U+FFFD in ListDir, in
 * watcher events and in a WatchDir stream, and the answers stay valid JSON. */
static void
test_non_utf8_names (void)
{
  g_autoptr(EcSandbox) sandbox = ec_sandbox_new (engine, session, "{\"templateID\":\"base\"}");
  g_autoptr(EcReply) created = NULL;
  g_autoptr(EcReply) listing = NULL;
  g_autoptr(EcStream) watch = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (20));
  g_autofree char *request = NULL;
  g_autofree char *listing_text = NULL;
  g_autofree char *timeout_ms = g_strdup_printf ("%u", cc_test_scaled_seconds (20) * 1000);
  const char *watch_headers[] = { "Connect-Timeout-Ms", timeout_ms, NULL };
  const char *expected = ODD_NAME_SHOWN;
  gboolean seen = FALSE;

  created = ec_unary (sandbox, "/filesystem.Filesystem/CreateWatcher",
                      "{\"path\":\"/home/user\",\"recursive\":false}", "user");
  g_assert_cmpuint (created->status, ==, 200);
  request = g_strdup_printf ("{\"watcherId\":\"%s\"}",
                             json_object_get_string_member (json_node_get_object (created->json), "watcherId"));
  /* The stream's watch is in place once its start message is in. It ends at its deadline. */
  watch = ec_stream_open (sandbox, "/filesystem.Filesystem/WatchDir", "{\"path\":\"/home/user\"}", "user",
                          watch_headers);
  g_assert_cmpuint (ec_stream_get_status (watch), ==, 200);
  {
    g_autoptr(JsonObject) start = NULL;
    guint8 flags;

    g_assert_true (ec_stream_next (watch, &flags, &start));
    g_assert_true (json_object_has_member (start, "start"));
  }

  run = ec_run (sandbox, ODD_NAME_CMD, "user");
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

  /* Each stream message parses as JSON (ec_stream_next asserts it), and the event carries the
   * name as ListDir shows it. Bounded by the stream's own deadline. */
  seen = FALSE;
  while (!seen)
    {
      g_autoptr(JsonObject) message = NULL;
      const char *name;
      guint8 flags;

      if (!ec_stream_next (watch, &flags, &message) || (flags & CC_CONNECT_FLAG_END_STREAM) != 0)
        g_error ("the WatchDir stream ended without an event for the odd name");
      name = watch_event_name (message);
      g_assert_true (name == NULL || g_utf8_validate (name, -1, NULL));
      seen = g_strcmp0 (name, expected) == 0;
    }

  {
    /* The CLI, on a project's sandbox of its own: `ls` succeeds, in both forms. */
    g_autofree char *made = NULL;
    g_autofree char *touched = NULL;
    g_autofree char *plain = NULL;
    g_autofree char *json = NULL;
    g_autoptr(JsonNode) entries = NULL;
    g_autoptr(GError) error = NULL;
    gboolean listed = FALSE;

    g_assert_cmpint (run_cli (&made, "project", "create", "odd-names", "--template", "blank", NULL), ==, 0);
    g_assert_cmpint (run_cli (&touched, "exec", "odd-names", "--", ODD_NAME_CMD, NULL), ==, 0);
    g_assert_cmpint (run_cli (&plain, "ls", "odd-names", NULL), ==, 0);
    g_assert_true (g_utf8_validate (plain, -1, NULL));
    g_assert_nonnull (strstr (plain, expected));
    g_assert_cmpint (run_cli (&json, "ls", "--json", "odd-names", NULL), ==, 0);
    entries = json_from_string (json, &error);
    g_assert_no_error (error);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (entries));
    for (guint i = 0; i < json_array_get_length (json_node_get_array (entries)); i++)
      {
        JsonObject *entry = json_array_get_object_element (json_node_get_array (entries), i);

        listed |= g_strcmp0 (json_object_get_string_member (entry, "name"), expected) == 0;
      }
    g_assert_true (listed);
  }
}

/* The symlink-swap race ---------------------------------------------------------------------
 *
 * Inside the sandbox, cc-sandbox-attack swaps /home/user/real (a directory) with /home/user/link
 * (a symlink to /) in a loop. An engine that checks a path and then uses it by its string from
 * the host's root follows the link there and acts on the host's / instead. A canary directory on
 * the host, mirrored in the sandbox under /home/user/real, tells which side each call reached.
 */

/* Tries of each route under the swapping. */
#define SWAP_TRIES 200
/* Watchers made in one round of the watch test (a sandbox may hold 64), and WatchDir streams. */
#define SWAP_WATCHERS 50
#define SWAP_STREAMS 10

#define HOST_CANARY_TEXT "host-canary"
#define SANDBOX_CANARY_TEXT "sandbox"

typedef struct
{
  EcSandbox  *sandbox;
  EcStream   *swapper;
  char       *canary;        /* on the host, outside the sandbox: victim, sub/inner, hostonly */
  char       *in_real;       /* what the canary would be under /home/user/real, swapped */
  GHashTable *host_names;    /* names in the host's / the sandbox's real directory lacks */
  GHashTable *allowed;       /* every name the sandbox's real directory may list */
  GPtrArray  *host_made;     /* names the test itself adds to the canary */
} Swap;

static EcReply *
swap_upload (Swap       *swap,
             const char *path,
             const char *text)
{
  g_autofree char *url = g_strdup_printf ("%s/files?path=%s&username=user",
                                          cc_test_engine_get_url (engine), path);
  const char *h[] = { "E2b-Sandbox-Id", swap->sandbox->id, "X-Access-Token", swap->sandbox->token, NULL };

  return ec_request (session, "POST", url, "application/octet-stream", text, strlen (text), h);
}

static EcReply *
swap_rpc (Swap       *swap,
          const char *method,
          const char *format,
          ...) G_GNUC_PRINTF (3, 4);

static EcReply *
swap_rpc (Swap       *swap,
          const char *method,
          const char *format,
          ...)
{
  g_autofree char *path = g_strconcat ("/filesystem.Filesystem/", method, NULL);
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  return ec_unary (swap->sandbox, path, body, "user");
}

static char *
reply_text (EcReply *reply)
{
  return g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
}

/* Makes the canary on the host and its mirror in the sandbox, and starts the swapping. */
static Swap *
swap_start (void)
{
  Swap *swap = g_new0 (Swap, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) root = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file = NULL;
  g_autofree char *sub = NULL;
  const char *name;

  swap->sandbox = armed_sandbox ();
  swap->canary = g_dir_make_tmp ("cc-canary-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (swap->canary, "victim", NULL);
  g_file_set_contents (file, HOST_CANARY_TEXT, -1, &error);
  g_assert_no_error (error);
  sub = g_build_filename (swap->canary, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_free (file);
  file = g_build_filename (sub, "inner", NULL);
  g_file_set_contents (file, HOST_CANARY_TEXT, -1, &error);
  g_assert_no_error (error);
  /* Only on the host: the sandbox has no such name. */
  g_free (file);
  file = g_build_filename (swap->canary, "hostonly", NULL);
  g_file_set_contents (file, HOST_CANARY_TEXT, -1, &error);
  g_assert_no_error (error);
  swap->host_made = g_ptr_array_new_with_free_func (g_free);
  swap->in_real = g_strconcat ("/home/user/real", swap->canary, NULL);

  swap->allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parts = g_strsplit (swap->canary, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      g_hash_table_add (swap->allowed, g_strdup (parts[i]));
  {
    const char *mirror[] = { "etc", "os-release", "victim", "sub", "inner" };

    for (guint i = 0; i < G_N_ELEMENTS (mirror); i++)
      g_hash_table_add (swap->allowed, g_strdup (mirror[i]));
  }
  swap->host_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  root = g_dir_open ("/", 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (root)) != NULL)
    if (!g_hash_table_contains (swap->allowed, name))
      g_hash_table_add (swap->host_names, g_strdup (name));
  g_assert_cmpuint (g_hash_table_size (swap->host_names), >, 0);

  /* The mirror, made before the swapping starts. */
  {
    g_autofree char *victim = g_strconcat (swap->in_real, "/victim", NULL);
    g_autofree char *inner = g_strconcat (swap->in_real, "/sub/inner", NULL);
    g_autoptr(EcReply) r1 = swap_upload (swap, victim, SANDBOX_CANARY_TEXT);
    g_autoptr(EcReply) r2 = swap_upload (swap, inner, SANDBOX_CANARY_TEXT);

    g_assert_cmpuint (r1->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }

  body = ec_start_body ("chmod +x /home/user/attack && exec /home/user/attack swap 120", FALSE, NULL);
  swap->swapper = ec_stream_open (swap->sandbox, "/process.Process/Start", body, "user", NULL);
  ec_stream_read_start (swap->swapper);
  {
    /* The swapping has begun once the link is in place. */
    g_autoptr(CcTestDeadline) deadline = cc_test_deadline_new (cc_test_scaled_seconds (20));
    g_autofree char *probe = g_strconcat (cc_test_engine_get_url (engine), "/files?path=/home/user/link&username=user", NULL);

    for (;;)
      {
        g_autoptr(EcReply) reply = NULL;
        const char *h[] = { "E2b-Sandbox-Id", swap->sandbox->id, "X-Access-Token", swap->sandbox->token, NULL };

        reply = ec_request (session, "GET", probe, NULL, NULL, 0, h);
        if (reply->status != 404)
          break;
        if (cc_test_deadline_passed (deadline))
          g_error ("the swapping never started");
      }
  }
  return swap;
}

/* The canary on the host is as it was made, plus what the test added itself. */
static void
assert_canary_intact (Swap *swap)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (swap->canary, 0, &error);
  g_autofree char *victim = g_build_filename (swap->canary, "victim", NULL);
  g_autofree char *inner = g_build_filename (swap->canary, "sub", "inner", NULL);
  g_autofree char *text = NULL;
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "victim") && !g_str_equal (name, "sub") && !g_str_equal (name, "hostonly") &&
        !g_ptr_array_find_with_equal_func (swap->host_made, name, g_str_equal, NULL))
      g_error ("the engine made %s in the host's %s", name, swap->canary);
  g_file_get_contents (victim, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, HOST_CANARY_TEXT);
  g_clear_pointer (&text, g_free);
  g_file_get_contents (inner, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, HOST_CANARY_TEXT);
}

/* No entry of an answer names what only the host's / has. */
static void
assert_no_host_names (Swap       *swap,
                      const char *what,
                      JsonArray  *entries)
{
  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *name = json_object_get_string_member_with_default (entry, "name", "");

      if (g_hash_table_contains (swap->host_names, name) || !g_hash_table_contains (swap->allowed, name))
        g_error ("%s answered the host's %s (%s)", what, name,
                 json_object_get_string_member_with_default (entry, "path", ""));
    }
}

/* Stops the swapping, waits for its end (so the sandbox's removal sees a still tree), checks
 * the canary a last time and removes it. */
static void
swap_stop (Swap *swap)
{
  g_autoptr(EcReply) reply = swap_upload (swap, "/home/user/stop", "x");
  g_autoptr(EcRun) run = NULL;
  g_autofree char *rm = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  run = ec_stream_collect_after_start (swap->swapper);
  g_test_message ("%s", run->stdout_text->str);
  assert_canary_intact (swap);

  rm = g_strdup_printf ("rm -rf '%s'", swap->canary);
  g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  g_clear_pointer (&swap->swapper, ec_stream_free);
  g_clear_pointer (&swap->sandbox, ec_sandbox_free);
  g_free (swap->canary);
  g_free (swap->in_real);
  g_hash_table_unref (swap->host_names);
  g_hash_table_unref (swap->allowed);
  g_ptr_array_unref (swap->host_made);
  g_free (swap);
}

/* A process's working directory never tells whether a host directory exists: a directory
 * only the host's / has is, through the swapped link, missing every time ("does not exist"),
 * never found on the host and then failing to start inside. */
static void
test_symlink_swap_cwd (void)
{
  g_autofree char *host_dir = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *body = NULL;
  GHashTableIter iter;
  const char *name;
  Swap *swap;

  if (!isolated ())
    return;
  swap = swap_start ();
  g_hash_table_iter_init (&iter, swap->host_names);
  while (host_dir == NULL && g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      g_autofree char *path = g_strconcat ("/", name, NULL);
      g_autofree char *cmd = g_strdup_printf ("test -e /%s", name);
      g_autoptr(EcRun) inside = NULL;

      if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      inside = ec_run (swap->sandbox, cmd, "user");
      if (!g_str_equal (ec_run_end_status (inside), "exit status 0"))
        host_dir = g_strdup (name);
    }
  g_assert_nonnull (host_dir);
  expected = g_strdup_printf ("cwd '/home/user/real/%s' does not exist", host_dir);
  body = g_strdup_printf ("{\"process\":{\"cmd\":\"/bin/true\",\"cwd\":\"/home/user/real/%s\"},"
                          "\"stdin\":false}", host_dir);
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcStream) stream = ec_stream_open (swap->sandbox, "/process.Process/Start", body, "user", NULL);
      JsonObject *message = NULL;
      guint8 flags;

      g_assert_true (ec_stream_next (stream, &flags, &message));
      if (!json_object_has_member (message, "error") ||
          g_strcmp0 (json_object_get_string_member (json_object_get_object_member (message, "error"), "message"),
                     expected) != 0)
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), message);
          g_autofree char *text = json_to_string (node, FALSE);

          g_error ("a start in /home/user/real/%s answered %s, not that it does not exist", host_dir, text);
        }
      json_object_unref (message);
    }
  swap_stop (swap);
}

/* Stat never describes the host's file: not the canary, not the host's /etc/os-release, not a
 * name only the host's / has. */
static void
test_symlink_swap_stat (void)
{
  Swap *swap;
  const char *host_name;
  guint n_ok = 0;

  if (!isolated ())
    return;
  swap = swap_start ();
  {
    GHashTableIter iter;

    g_hash_table_iter_init (&iter, swap->host_names);
    g_assert_true (g_hash_table_iter_next (&iter, (gpointer *) &host_name, NULL));
  }
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcReply) victim = swap_rpc (swap, "Stat", "{\"path\":\"%s/victim\"}", swap->in_real);
      g_autoptr(EcReply) release = swap_rpc (swap, "Stat", "{\"path\":\"/home/user/real/etc/os-release\"}");
      g_autoptr(EcReply) host = swap_rpc (swap, "Stat", "{\"path\":\"/home/user/real/%s\"}", host_name);

      if (victim->status == 200)
        {
          JsonObject *entry = json_object_get_object_member (json_node_get_object (victim->json), "entry");

          g_assert_cmpint (cc_protojson_get_int64 (entry, "size", 0), ==,
                           strlen (SANDBOX_CANARY_TEXT));
          n_ok++;
        }
      if (release->status == 200)
        {
          JsonObject *entry = json_object_get_object_member (json_node_get_object (release->json), "entry");

          g_assert_cmpint (cc_protojson_get_int64 (entry, "size", 0), ==, strlen ("decoy"));
        }
      if (host->status == 200)
        {
          g_autofree char *text = reply_text (host);

          g_error ("Stat described the host's /%s: %s", host_name, text);
        }
    }
  g_test_message ("Stat: %u of %u answered the sandbox's file", n_ok, SWAP_TRIES);
  swap_stop (swap);
}

/* ListDir, one level and three, never lists the host's names. */
static void
test_symlink_swap_list_dir (void)
{
  Swap *swap;

  if (!isolated ())
    return;
  swap = swap_start ();
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcReply) reply = swap_rpc (swap, "ListDir", "{\"path\":\"/home/user/real\",\"depth\":%u}",
                                           i % 2 == 0 ? 1 : 3);

      if (reply->status == 200)
        assert_no_host_names (swap, "ListDir",
                              json_object_get_array_member (json_node_get_object (reply->json), "entries"));
    }
  swap_stop (swap);
}

/* Remove, of a file and of a tree, never removes the host's. */
static void
test_symlink_swap_remove (void)
{
  Swap *swap;

  if (!isolated ())
    return;
  swap = swap_start ();
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcReply) file = swap_rpc (swap, "Remove", "{\"path\":\"%s/victim\"}", swap->in_real);
      g_autoptr(EcReply) tree = swap_rpc (swap, "Remove", "{\"path\":\"%s/sub\"}", swap->in_real);

      assert_canary_intact (swap);
    }
  swap_stop (swap);
}

/* Move never takes the host's file away, nor puts one into the host's directory. */
static void
test_symlink_swap_move (void)
{
  Swap *swap;

  if (!isolated ())
    return;
  swap = swap_start ();
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcReply) source = swap_upload (swap, "/home/user/source", "x");
      g_autoptr(EcReply) in = NULL;
      g_autoptr(EcReply) out = NULL;

      g_assert_cmpuint (source->status, ==, 200);
      in = swap_rpc (swap, "Move", "{\"source\":\"/home/user/source\",\"destination\":\"%s/moved\"}",
                     swap->in_real);
      out = swap_rpc (swap, "Move", "{\"source\":\"%s/victim\",\"destination\":\"/home/user/taken\"}",
                      swap->in_real);
      if (out->status == 200)
        {
          g_autofree char *home = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes",
                                                    swap->sandbox->id, "taken", NULL);
          g_autofree char *text = NULL;

          /* What arrived is the sandbox's own file. */
          if (g_file_get_contents (home, &text, NULL, NULL))
            g_assert_cmpstr (text, !=, HOST_CANARY_TEXT);
        }
      assert_canary_intact (swap);
    }
  swap_stop (swap);
}

/* MakeDir never makes a directory in the host's, nor finds a file that only the host has. */
static void
test_symlink_swap_make_dir (void)
{
  Swap *swap;

  if (!isolated ())
    return;
  swap = swap_start ();
  for (guint i = 0; i < SWAP_TRIES; i++)
    {
      g_autoptr(EcReply) reply = swap_rpc (swap, "MakeDir", "{\"path\":\"%s/made-%u\"}", swap->in_real, i);
      g_autoptr(EcReply) host_only = swap_rpc (swap, "MakeDir", "{\"path\":\"%s/hostonly\"}", swap->in_real);
      g_autofree char *text = reply_text (host_only);

      if (strstr (text, "exists but is not a directory") != NULL)
        g_error ("MakeDir found the host's file: %s", text);

      if (reply->status == 200)
        {
          JsonObject *entry = json_object_get_object_member (json_node_get_object (reply->json), "entry");

          g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "FILE_TYPE_DIRECTORY");
        }
    }
  assert_canary_intact (swap);
  swap_stop (swap);
}

/* Reads the events of watcher @id. */
static char *
watcher_events (Swap       *swap,
                const char *id)
{
  g_autoptr(EcReply) reply = swap_rpc (swap, "GetWatcherEvents", "{\"watcherId\":\"%s\"}", id);

  g_assert_cmpuint (reply->status, ==, 200);
  return reply_text (reply);
}

/* Watchers and WatchDir streams, plain and recursive, never watch the host's directory. Each
 * round makes a change in the host's canary, then one in a directory a sentinel watcher watches;
 * the engine reads a sandbox's watches' changes from one inotify queue in order, so once the
 * sentinel reports its change, a watch on the host's directory has been told of the host's
 * change. The streams end at their deadline, and are read to their end. */
static void
test_symlink_swap_watch (void)
{
  Swap *swap;
  g_autofree char *sentinel = NULL;
  g_autofree char *sentinel_dir = NULL;
  guint n_watched = 0, n_streamed = 0;

  if (!isolated ())
    return;
  swap = swap_start ();
  {
    g_autoptr(EcReply) made = swap_rpc (swap, "MakeDir", "{\"path\":\"/home/user/sentinel\"}");
    g_autoptr(EcReply) created = swap_rpc (swap, "CreateWatcher", "{\"path\":\"/home/user/sentinel\"}");

    g_assert_cmpuint (made->status, ==, 200);
    g_assert_cmpuint (created->status, ==, 200);
    sentinel = g_strdup (json_object_get_string_member (json_node_get_object (created->json), "watcherId"));
    sentinel_dir = g_build_filename (cc_test_engine_get_data_dir (engine), "sandboxes", swap->sandbox->id,
                                     "sentinel", NULL);
  }

  for (guint round = 0; round < SWAP_TRIES / SWAP_WATCHERS; round++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func ((GDestroyNotify) ec_stream_free);
      g_autofree char *host_name = g_strdup_printf ("host-event-%u", round);
      g_autofree char *mark_name = g_strdup_printf ("mark-%u", round);
      g_autofree char *host_file = g_build_filename (swap->canary, host_name, NULL);
      g_autofree char *host_inner = g_build_filename (swap->canary, "sub", host_name, NULL);
      g_autofree char *mark = g_build_filename (sentinel_dir, mark_name, NULL);
      g_autoptr(CcTestDeadline) deadline = NULL;
      g_autoptr(GError) error = NULL;
      gboolean marked = FALSE;

      for (guint i = 0; i < SWAP_WATCHERS; i++)
        {
          g_autoptr(EcReply) created = swap_rpc (swap, "CreateWatcher",
                                                 "{\"path\":\"%s\",\"recursive\":%s,\"includeEntry\":true}",
                                                 swap->in_real, i % 2 == 0 ? "true" : "false");

          if (created->status == 200)
            g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_node_get_object (created->json),
                                                                           "watcherId")));
        }
      n_watched += ids->len;

      for (guint i = 0; i < SWAP_STREAMS; i++)
        {
          g_autofree char *body = g_strdup_printf ("{\"path\":\"%s\",\"recursive\":%s}", swap->in_real,
                                                   i % 2 == 0 ? "true" : "false");
          g_autofree char *timeout_ms = g_strdup_printf ("%u", cc_test_scaled_seconds (3) * 1000);
          const char *headers[] = { "Connect-Timeout-Ms", timeout_ms, NULL };
          EcStream *stream = ec_stream_open (swap->sandbox, "/filesystem.Filesystem/WatchDir", body,
                                             "user", headers);
          JsonObject *first = NULL;
          guint8 flags;

          /* The watch is in place once the start message arrives (or the call failed). */
          g_assert_cmpuint (ec_stream_get_status (stream), ==, 200);
          if (ec_stream_next (stream, &flags, &first))
            {
              if (json_object_has_member (first, "start"))
                n_streamed++;
              json_object_unref (first);
            }
          g_ptr_array_add (streams, stream);
        }

      g_ptr_array_add (swap->host_made, g_strdup (host_name));
      g_file_set_contents (host_file, "x", -1, &error);
      g_assert_no_error (error);
      g_file_set_contents (host_inner, "x", -1, &error);
      g_assert_no_error (error);
      g_file_set_contents (mark, "x", -1, &error);
      g_assert_no_error (error);

      deadline = cc_test_deadline_new (cc_test_scaled_seconds (20));
      while (!marked)
        {
          g_autofree char *text = watcher_events (swap, sentinel);

          marked = strstr (text, mark_name) != NULL;
          if (!marked && cc_test_deadline_passed (deadline))
            g_error ("the sentinel watcher never reported %s", mark_name);
        }

      for (guint i = 0; i < streams->len; i++)
        {
          JsonObject *message = NULL;
          guint8 flags;

          while (ec_stream_next (streams->pdata[i], &flags, &message))
            {
              g_autoptr(JsonObject) owned = message;
              g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
              g_autofree char *text = NULL;

              json_node_set_object (node, owned);
              text = json_to_string (node, FALSE);
              if (strstr (text, "host-event-") != NULL)
                g_error ("a WatchDir of %s reported the host's directory: %s", swap->in_real, text);
            }
        }
      for (guint i = 0; i < ids->len; i++)
        {
          g_autofree char *text = watcher_events (swap, ids->pdata[i]);
          g_autoptr(EcReply) removed = NULL;

          if (strstr (text, "host-event-") != NULL)
            g_error ("a watcher of %s reported the host's directory: %s", swap->in_real, text);
          removed = swap_rpc (swap, "RemoveWatcher", "{\"watcherId\":\"%s\"}", (char *) ids->pdata[i]);
          g_assert_cmpuint (removed->status, ==, 200);
        }
    }
  g_test_message ("watchers placed: %u of %u, streams %u of %u", n_watched, SWAP_TRIES, n_streamed,
                  SWAP_STREAMS * (SWAP_TRIES / SWAP_WATCHERS));
  swap_stop (swap);
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
  g_test_add_func ("/engine/isolation/namespaces", test_namespaces);
  g_test_add_func ("/engine/isolation/nested-userns", test_nested_userns);
  g_test_add_func ("/engine/isolation/process-limit", test_process_limit);
  g_test_add_func ("/engine/isolation/open-by-handle", test_open_by_handle);
  g_test_add_func ("/engine/isolation/proc", test_proc_read_only);
  g_test_add_func ("/engine/isolation/unprivileged", test_unprivileged_on_host);
  g_test_add_func ("/engine/isolation/system-files", test_system_files);
  g_test_add_func ("/engine/isolation/gzip-bomb", test_gzip_bomb);
  g_test_add_func ("/engine/isolation/non-utf8-names", test_non_utf8_names);
  g_test_add_func ("/engine/isolation/symlink-swap-download", test_symlink_swap_download);
  g_test_add_func ("/engine/isolation/symlink-swap/stat", test_symlink_swap_stat);
  g_test_add_func ("/engine/isolation/symlink-swap/cwd", test_symlink_swap_cwd);
  g_test_add_func ("/engine/isolation/symlink-swap/list-dir", test_symlink_swap_list_dir);
  g_test_add_func ("/engine/isolation/symlink-swap/remove", test_symlink_swap_remove);
  g_test_add_func ("/engine/isolation/symlink-swap/move", test_symlink_swap_move);
  g_test_add_func ("/engine/isolation/symlink-swap/make-dir", test_symlink_swap_make_dir);
  g_test_add_func ("/engine/isolation/symlink-swap/watch", test_symlink_swap_watch);

  return ec_test_run (&engine, &session, 60);
}
