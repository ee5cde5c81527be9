/* test-engine-host.c: what the machine gives sandboxes: PATH inside a Flatpak, where
 * flatpak-spawn is, the corporate CA bundle, and where the launcher program is
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cc-engine-host.h"
#include "cc-engine-spawn.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"
#include "engine-core-client.h"

static void
write_file (const char *root,
            const char *relative,
            const char *contents,
            int         mode)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

static void
test_sandbox_path (void)
{
  g_autofree char *root = cc_test_make_tmpdir ("cc-host-root");
  g_autofree char *outside = cc_engine_host_sandbox_path (root);
  g_autofree char *inside = NULL;

  g_assert_false (cc_engine_host_in_flatpak (root));
  g_assert_cmpstr (outside, ==, CC_ENGINE_SANDBOX_PATH);

  write_file (root, ".flatpak-info", "[Application]\nname=app.codecanvas.CodeCanvas\n", 0644);
  g_assert_true (cc_engine_host_in_flatpak (root));
  inside = cc_engine_host_sandbox_path (root);
  g_assert_true (g_str_has_prefix (inside, "/app/node/bin:/app/bin:"));
  g_assert_true (g_str_has_suffix (inside, CC_ENGINE_SANDBOX_PATH));
  cc_test_rm_rf (root);
}

static void
test_find_flatpak_spawn (void)
{
  g_autofree char *root = cc_test_make_tmpdir ("cc-host-root");
  g_autofree char *libexec = g_build_filename (root, "usr/libexec/flatpak-xdg-utils/flatpak-spawn",
                                               NULL);
  g_autofree char *usr_bin = g_build_filename (root, "usr/bin/flatpak-spawn", NULL);
  g_autofree char *on_path = g_build_filename (root, "opt/bin/flatpak-spawn", NULL);
  g_autofree char *path_dir = g_build_filename (root, "opt/bin", NULL);
  g_autofree char *search = g_strconcat ("relative/bin::", path_dir, NULL);
  g_autofree char *found = NULL;

  /* None anywhere. */
  g_assert_null (cc_engine_host_find_flatpak_spawn (root, NULL));

  /* GNOME's runtime: /usr/bin. */
  write_file (root, "usr/bin/flatpak-spawn", "#!/bin/sh\n", 0755);
  found = cc_engine_host_find_flatpak_spawn (root, "");
  g_assert_cmpstr (found, ==, usr_bin);
  g_clear_pointer (&found, g_free);

  /* A Debian-derived runtime's place comes first when both exist. */
  write_file (root, "usr/libexec/flatpak-xdg-utils/flatpak-spawn", "#!/bin/sh\n", 0755);
  found = cc_engine_host_find_flatpak_spawn (root, NULL);
  g_assert_cmpstr (found, ==, libexec);
  g_clear_pointer (&found, g_free);

  /* PATH first; a file that is not executable does not count, nor relative entries. */
  write_file (root, "opt/bin/flatpak-spawn", "#!/bin/sh\n", 0644);
  found = cc_engine_host_find_flatpak_spawn (root, search);
  g_assert_cmpstr (found, ==, libexec);
  g_clear_pointer (&found, g_free);
  g_assert_cmpint (g_chmod (on_path, 0755), ==, 0);
  found = cc_engine_host_find_flatpak_spawn (root, search);
  g_assert_cmpstr (found, ==, on_path);
  cc_test_rm_rf (root);
}

static void
test_ca_bundle (void)
{
  g_autofree char *root = cc_test_make_tmpdir ("cc-host-root");
  g_autofree char *extra = g_build_filename (root, "corp.pem", NULL);
  g_autofree char *dest = g_build_filename (root, "tmp", CC_ENGINE_CA_BUNDLE_NAME, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  write_file (root, "etc/ssl/certs/ca-certificates.crt",
              "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----", 0644);
  write_file (root, "corp.pem", "-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----\n",
              0644);
  write_file (root, "tmp/.keep", "", 0644);
  g_assert_true (cc_engine_host_write_ca_bundle (root, extra, dest, &error));
  g_assert_no_error (error);
  g_file_get_contents (dest, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----\n"
                                 "-----BEGIN CERTIFICATE-----\nCORP\n-----END CERTIFICATE-----\n");

  /* A file that is not PEM is refused with the setting's name, so the person knows what to fix. */
  write_file (root, "corp.pem", "not a certificate", 0644);
  g_unlink (dest);
  g_assert_false (cc_engine_host_write_ca_bundle (root, extra, dest, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message, CC_ENGINE_CA_FILE_ENV));
  cc_test_rm_rf (root);
}

/* The real engine, started with the setting: a sandbox command sees the variables, and the
 * bundle they name holds the system's CAs and the user's certificate. */
static void
test_sandbox_sees_ca (void)
{
  g_autofree char *dir = cc_test_make_tmpdir ("cc-host-ca");
  g_autofree char *cert = g_build_filename (dir, "corp.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "corp.key", NULL);
  g_autofree char *setting = g_strconcat (CC_ENGINE_CA_FILE_ENV "=", cert, NULL);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *pem = NULL;
  g_autofree char *body = NULL;
  g_autoptr(CcTestEngine) engine = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(EcSandbox) sandbox = NULL;
  g_autoptr(EcRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *system_cas = cc_engine_host_find_system_cas ("/");
  const char *env[] = { setting, NULL };
  char *end;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed: no certificate to trust");
      cc_test_rm_rf (dir);
      return;
    }
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=Code Canvas test CA", "-keyout", key, "-out", cert, NULL };

    g_assert_cmpint (cc_test_run_command (argv, NULL, NULL, NULL, NULL), ==, 0);
  }
  g_file_get_contents (cert, &pem, NULL, &error);
  g_assert_no_error (error);
  /* The base64 body, without the armour lines. */
  body = g_strdup (strchr (pem, '\n') + 1);
  end = strstr (body, "-----END");
  g_assert_nonnull (end);
  *end = '\0';

  engine = cc_test_engine_new_with_env (env);
  session = ec_session_new (60);
  sandbox = ec_sandbox_new (engine, session, NULL);
  run = ec_run (sandbox, "echo \"node=$NODE_EXTRA_CA_CERTS\"; echo \"ssl=$SSL_CERT_FILE\"; "
                         "cat \"$SSL_CERT_FILE\"; grep -c 'BEGIN CERTIFICATE' \"$SSL_CERT_FILE\"",
                NULL);
  g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
  g_assert_nonnull (strstr (run->stdout_text->str, "node=/"));
  g_assert_nonnull (strstr (run->stdout_text->str, "/" CC_ENGINE_CA_BUNDLE_NAME "\n"));
  g_assert_nonnull (strstr (run->stdout_text->str, body));
  /* Not only the user's: the system store came first (Debian's has over a hundred). */
  if (system_cas != NULL)
    {
      const char *last = strrchr (g_strchomp (run->stdout_text->str), '\n');

      g_assert_nonnull (last);
      g_assert_cmpint (g_ascii_strtoll (last + 1, NULL, 10), >, 1);
    }
  g_clear_pointer (&sandbox, ec_sandbox_free);
  g_clear_pointer (&engine, cc_test_engine_free);
  cc_test_rm_rf (dir);
}

/* The engine's executable copied to @dir/bin, as an installed engine is laid out; with
 * @launcher, the launcher program copied to @dir/libexec beside it. */
static char *
copy_engine (const char *dir,
             gboolean    launcher)
{
  const char *binary = g_getenv ("CODE_CANVAS_ENGINE");
  g_autofree char *build_dir = g_path_get_dirname (binary);
  g_autofree char *launcher_source = g_build_filename (build_dir, "code-canvas-launcher", NULL);
  const char *copies[][2] = {
    { binary, "bin/code-canvas-engine" },
    { launcher_source, "libexec/code-canvas-launcher" },
  };

  for (guint i = 0; i < (launcher ? 2 : 1); i++)
    {
      g_autofree char *target = g_build_filename (dir, copies[i][1], NULL);
      g_autofree char *target_dir = g_path_get_dirname (target);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (copies[i][0], &contents, &length, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_mkdir_with_parents (target_dir, 0755), ==, 0);
      g_file_set_contents_full (target, contents, length, G_FILE_SET_CONTENTS_NONE, 0755, &error);
      g_assert_no_error (error);
    }
  return g_build_filename (dir, "bin", "code-canvas-engine", NULL);
}

/* The detail of the status fact @name when it is not ok, or NULL; @isolation gets the mode. */
static char *
missing_fact (CcTestEngine  *engine,
              SoupSession   *session,
              const char    *name,
              char         **isolation)
{
  g_autoptr(EcReply) status = ec_api (engine, session, "GET", "/engine/status", NULL);
  JsonObject *object;
  JsonArray *facts;

  g_assert_cmpuint (status->status, ==, 200);
  object = json_node_get_object (status->json);
  if (isolation != NULL)
    *isolation = g_strdup (json_object_get_string_member (object, "isolation"));
  facts = json_object_get_array_member (object, "facts");
  for (guint i = 0; i < json_array_get_length (facts); i++)
    {
      JsonObject *fact = json_array_get_object_element (facts, i);

      if (g_str_equal (json_object_get_string_member (fact, "name"), name) &&
          !json_object_get_boolean_member (fact, "ok"))
        return g_strdup (json_object_get_string_member (fact, "detail"));
    }
  return NULL;
}

/* Sandboxes are started by a program of their own, found in ../libexec from an installed
 * engine. Without it the engine still runs commands, unisolated, and its status names the
 * missing program; unless it runs as root, when they would run as root on the host: then it
 * refuses them, and its status says so. */
static void
test_launcher_program (void)
{
  g_autofree char *installed = g_build_filename (LIBEXECDIR, "code-canvas-launcher", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("CODE_CANVAS_ENGINE"));
  g_autoptr(SoupSession) session = ec_session_new (60);
  const char * const dirs[] = { "with", "without" };

  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("a launcher is installed in LIBEXECDIR, which the engine would find");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = cc_test_make_tmpdir ("cc-host-launcher");
      g_autofree char *prefix = g_build_filename (dir, dirs[i], NULL);
      g_autofree char *engine_path = copy_engine (prefix, i == 0);
      g_autoptr(CcTestEngine) engine = NULL;
      g_autoptr(EcSandbox) sandbox = NULL;
      g_autoptr(EcRun) run = NULL;
      g_autofree char *isolation = NULL;
      g_autofree char *missing = NULL;

      g_setenv ("CODE_CANVAS_ENGINE", engine_path, TRUE);
      engine = cc_test_engine_new ();
      g_setenv ("CODE_CANVAS_ENGINE", saved, TRUE);
      missing = missing_fact (engine, session, "launcher", &isolation);
      g_test_message ("%s: %s, %s", dirs[i], isolation,
                      missing != NULL ? missing : "launcher found");
      if (i == 0)
        {
          g_assert_null (missing);
          /* Only as isolated as this machine lets the build tree's engine be. */
          if (!g_str_equal (isolation, "bubblewrap"))
            {
              g_test_skip ("bubblewrap does not work on this machine");
              cc_test_rm_rf (dir);
              return;
            }
        }
      else
        {
          g_assert_cmpstr (isolation, ==, "none");
          g_assert_nonnull (missing);
          g_assert_nonnull (strstr (missing, "code-canvas-launcher"));
        }
      sandbox = ec_sandbox_new (engine, session, NULL);
      run = ec_run (sandbox, "echo ran", NULL);
      if (i == 1 && geteuid () == 0)
        {
          g_autofree char *refused = missing_fact (engine, session, "commands", NULL);

          g_assert_nonnull (refused);
          g_assert_nonnull (run->eos_error);
          g_assert_cmpstr (json_object_get_string_member (run->eos_error, "code"), ==, "failed_precondition");
          g_assert_cmpstr (json_object_get_string_member (run->eos_error, "message"), ==, refused);
          g_assert_cmpstr (run->stdout_text->str, ==, "");
        }
      else
        {
          g_assert_null (missing_fact (engine, session, "commands", NULL));
          g_assert_cmpstr (ec_run_end_status (run), ==, "exit status 0");
          g_assert_cmpstr (run->stdout_text->str, ==, "ran\n");
        }
      g_clear_pointer (&sandbox, ec_sandbox_free);
      g_clear_pointer (&engine, cc_test_engine_free);
      cc_test_rm_rf (dir);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/host/sandbox-path", test_sandbox_path);
  g_test_add_func ("/engine/host/find-flatpak-spawn", test_find_flatpak_spawn);
  g_test_add_func ("/engine/host/ca-bundle", test_ca_bundle);
  g_test_add_func ("/engine/host/sandbox-sees-ca", test_sandbox_sees_ca);
  g_test_add_func ("/engine/host/launcher-program", test_launcher_program);
  return g_test_run ();
}
