/* test-tls-hint.c: a certificate failure in a command's output points to the CA setting
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-tls-hint.h"
#include "test-client-util.h"

#define SETTING "CODE_CANVAS_CA_FILE"

static gboolean
hints (const char *output)
{
  g_autofree char *hint = _cc_tls_hint_for_output (output, strlen (output));

  g_assert_true (hint == NULL || strstr (hint, SETTING) != NULL);
  return hint != NULL;
}

static void
test_recognised (void)
{
  /* What npm, curl, git and Python print when a proxy's CA is not trusted. */
  g_assert_true (hints ("npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY\n"
                        "npm ERR! errno UNABLE_TO_GET_ISSUER_CERT_LOCALLY\n"
                        "npm ERR! request to https://registry.npmjs.org/vite failed, reason: "
                        "unable to get local issuer certificate\n"));
  g_assert_true (hints ("npm ERR! code SELF_SIGNED_CERT_IN_CHAIN\n"));
  g_assert_true (hints ("curl: (60) SSL certificate problem: self-signed certificate in "
                        "certificate chain\n"));
  g_assert_true (hints ("fatal: unable to access 'https://example.invalid/x.git/': "
                        "server certificate verification failed. CAfile: none CRLfile: none\n"));
  g_assert_true (hints ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED]\n"));

  /* Other failures, TLS ones included, get no such hint. */
  g_assert_false (hints ("npm ERR! code ENOTFOUND\nnpm ERR! network request failed\n"));
  g_assert_false (hints ("curl: (7) Failed to connect to 127.0.0.1 port 9: Connection refused\n"));
  g_assert_false (hints ("curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL\n"));
  g_assert_false (hints (""));
}

/* A real command in a real sandbox that fails the way npm does behind a TLS proxy: its record's
 * error names the setting; an ordinary failure's does not. */
static void
test_command_error (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "tls", NULL);
  g_autoptr(CcExecution) failed = NULL;
  g_autoptr(CcExecution) plain = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) plain_record = NULL;
  g_autoptr(CcOperation) failed_record = NULL;

  failed = cc_test_run (f, cc_project_get_id (project),
                        "echo 'npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY' >&2; exit 1",
                        CC_EXECUTE_FLAGS_NONE);
  g_assert_cmpint (cc_execution_get_exit_code (failed), ==, 1);
  plain = cc_test_run (f, cc_project_get_id (project), "echo 'npm ERR! code E404' >&2; exit 1",
                       CC_EXECUTE_FLAGS_NONE);

  cc_test_flush (f);
  history = cc_test_history (f, cc_project_get_id (project), 0);
  plain_record = g_list_model_get_item (history, 0);
  failed_record = g_list_model_get_item (history, 1);
  g_assert_nonnull (strstr (cc_operation_get_error (failed_record), "exited with status 1"));
  g_assert_nonnull (strstr (cc_operation_get_error (failed_record), SETTING));
  g_assert_nonnull (strstr (cc_operation_get_error (plain_record), "exited with status 1"));
  g_assert_null (strstr (cc_operation_get_error (plain_record), SETTING));
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);
  g_test_add_func ("/core/tls-hint/recognised", test_recognised);
  g_test_add ("/core/tls-hint/command-error", ClientFixture, NULL, cc_test_client_setup,
              test_command_error, cc_test_client_teardown);
  return g_test_run ();
}
