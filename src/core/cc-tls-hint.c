/* cc-tls-hint.c: recognising a certificate failure in a command's output
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Behind a TLS-inspecting proxy every download in a sandbox fails with a certificate error that
 * names neither the proxy nor a fix. The engine reads one setting, the environment variable
 * CODE_CANVAS_CA_FILE, for a PEM file of extra CAs: the hint names it, so the person can act.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-tls-hint.h"

/* Only phrases that mean "the certificate was not trusted", not other TLS trouble. */
static const char * const markers[] = {
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",       /* Node.js / npm */
  "UNABLE_TO_GET_ISSUER_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "unable to get local issuer certificate",  /* OpenSSL, Python, curl */
  "self-signed certificate in certificate chain",
  "self signed certificate in certificate chain",
  "SSL certificate problem",                 /* curl, git */
  "CERTIFICATE_VERIFY_FAILED",               /* Python */
  "server certificate verification failed",  /* git with GnuTLS */
};

char *
_cc_tls_hint_for_output (const char *output,
                         gsize       length)
{
  if (output == NULL || length == 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
    if (g_strstr_len (output, (gssize) length, markers[i]) != NULL)
      /* TRANSLATORS: CODE_CANVAS_CA_FILE is the name of an environment variable and the
       * command is typed as is: keep both. %s is the application ID. */
      return g_strdup_printf (_("A TLS certificate was not trusted. If your network inspects "
                                "TLS (a company proxy), save its CA certificate as a PEM file "
                                "and set CODE_CANVAS_CA_FILE to that file’s path for Code Canvas "
                                "(for the Flatpak: flatpak override --user "
                                "--env=CODE_CANVAS_CA_FILE=/path/to/ca.pem %s), then restart "
                                "Code Canvas."), APP_ID);
  return NULL;
}

static char *
hint_for_bytes (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return _cc_tls_hint_for_output (data, size);
}

char *
_cc_tls_hint_for_execution (CcExecution *execution)
{
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GBytes) out = NULL;
  char *hint;

  g_return_val_if_fail (CC_IS_EXECUTION (execution), NULL);

  err = cc_execution_dup_stderr (execution);
  if ((hint = hint_for_bytes (err)) != NULL)
    return hint;
  out = cc_execution_dup_stdout (execution);
  return hint_for_bytes (out);
}

void
_cc_tls_hint_add_to_error (GError     **error,
                           CcExecution *execution)
{
  g_autofree char *hint = NULL;
  GError *hinted;

  if (error == NULL || *error == NULL || execution == NULL ||
      (hint = _cc_tls_hint_for_execution (execution)) == NULL)
    return;
  hinted = g_error_new ((*error)->domain, (*error)->code, "%s %s", (*error)->message, hint);
  g_error_free (*error);
  *error = hinted;
}
