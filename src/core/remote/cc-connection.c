/* cc-connection.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-connection.h"
#include "cc-http-private.h"

#define USER_AGENT "code-canvas/" PACKAGE_VERSION

struct _CcConnection
{
  GObject           parent_instance;

  CcConnectionKind  kind;
  char             *api_url;
  char             *sandbox_url;
  char             *domain;
  char             *api_key;            /* secret: wiped on change and finalize */
  guint             request_timeout;
  guint             max_retries;
  guint             retry_base_delay;
  SoupSession      *session;
};

G_DEFINE_FINAL_TYPE (CcConnection, cc_connection, G_TYPE_OBJECT)

/* Domains whose edge proxy serves every sandbox from one shared host. */
static const char * const shared_host_domains[] = {
  "e2b.app", "e2b.dev", "e2b.pro", "e2b-staging.dev",
};

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      explicit_bzero (*str, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

static char *
strip_trailing_slash (const char *url)
{
  char *copy;
  gsize len;

  if (url == NULL || *url == '\0')
    return NULL;
  copy = g_strdup (url);
  len = strlen (copy);
  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  return copy;
}

static void
cc_connection_finalize (GObject *object)
{
  CcConnection *self = CC_CONNECTION (object);

  wipe_string (&self->api_key);
  g_free (self->api_url);
  g_free (self->sandbox_url);
  g_free (self->domain);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cc_connection_parent_class)->finalize (object);
}

static void
cc_connection_class_init (CcConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_connection_finalize;
}

static void
cc_connection_init (CcConnection *self)
{
  self->request_timeout = CC_CONNECTION_DEFAULT_REQUEST_TIMEOUT;
  self->max_retries = CC_CONNECTION_DEFAULT_MAX_RETRIES;
  self->retry_base_delay = 250;
  /* One session per connection: keep-alive and reuse for everything. libsoup's default of two
   * connections per host would queue unary calls behind long-lived output streams, so allow as
   * many as the SDK does. Timeouts are ours (per request), not libsoup's idle I/O timeout. An
   * unused connection is closed by us before a server would close it (the engine: 30 s), so
   * that a request is not sent on a connection the server is closing at that moment. */
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "max-conns", 200,
                                                 "max-conns-per-host", 100,
                                                 "timeout", 0,
                                                 "idle-timeout", 15,
                                                 NULL);
}

static CcConnection *
connection_new (CcConnectionKind  kind,
                const char       *api_url,
                const char       *sandbox_url,
                const char       *domain)
{
  CcConnection *self = g_object_new (CC_TYPE_CONNECTION, NULL);

  self->kind = kind;
  self->api_url = strip_trailing_slash (api_url);
  self->sandbox_url = strip_trailing_slash (sandbox_url);
  self->domain = (domain != NULL && *domain != '\0') ? g_strdup (domain) : NULL;
  return self;
}

/**
 * cc_connection_new_e2b:
 * @domain: (nullable): the E2B domain, %NULL for "e2b.app"
 *
 * Returns: (transfer full): a connection to E2B cloud; set its key with
 *   cc_connection_set_api_key() before use.
 */
CcConnection *
cc_connection_new_e2b (const char *domain)
{
  g_autofree char *api_url = NULL;

  if (domain == NULL || *domain == '\0')
    domain = CC_CONNECTION_DEFAULT_E2B_DOMAIN;
  api_url = g_strdup_printf ("https://api.%s", domain);
  return connection_new (CC_CONNECTION_E2B, api_url, NULL, domain);
}

/**
 * cc_connection_new_local:
 * @engine_url: the engine's URL, e.g. "http://127.0.0.1:41234"
 * @api_key: (nullable): the engine's key, from its runtime file
 *
 * Returns: (transfer full): a connection whose control plane and sandbox daemons are all
 *   served by the engine at @engine_url.
 */
CcConnection *
cc_connection_new_local (const char *engine_url,
                         const char *api_key)
{
  CcConnection *self;

  g_return_val_if_fail (engine_url != NULL, NULL);

  self = connection_new (CC_CONNECTION_LOCAL, engine_url, engine_url, NULL);
  cc_connection_set_api_key (self, api_key);
  return self;
}

/**
 * cc_connection_new_custom:
 * @api_url: the control plane's base URL
 * @sandbox_url: (nullable): one base URL for every sandbox's daemon (routed by header)
 * @domain: (nullable): the sandbox domain (daemons at https://49983-<id>.<domain>)
 *
 * When neither @sandbox_url nor @domain is given, a sandbox's daemon is at
 * 49983-<id>.<domain> for the `domain` the control plane gives with the sandbox, as the SDK
 * does; only when that is empty too are daemons reached through @api_url (routed by header).
 *
 * Returns: (transfer full): a connection to an E2B-compatible endpoint.
 */
CcConnection *
cc_connection_new_custom (const char *api_url,
                          const char *sandbox_url,
                          const char *domain)
{
  g_return_val_if_fail (api_url != NULL, NULL);

  return connection_new (CC_CONNECTION_CUSTOM, api_url, sandbox_url, domain);
}

CcConnectionKind
cc_connection_get_kind (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), CC_CONNECTION_LOCAL);
  return self->kind;
}

const char *
cc_connection_get_api_url (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  return self->api_url;
}

const char *
cc_connection_get_sandbox_url (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  return self->sandbox_url;
}

const char *
cc_connection_get_domain (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  return self->domain;
}

/**
 * cc_connection_set_api_key:
 * @api_key: (nullable): the key, or %NULL to forget it
 *
 * Keeps the key in memory only; the previous one is wiped.
 */
void
cc_connection_set_api_key (CcConnection *self,
                           const char   *api_key)
{
  g_return_if_fail (CC_IS_CONNECTION (self));

  wipe_string (&self->api_key);
  if (api_key != NULL && *api_key != '\0')
    self->api_key = g_strdup (api_key);
}

gboolean
cc_connection_has_api_key (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), FALSE);
  return self->api_key != NULL;
}

const char *
_cc_connection_get_api_key (CcConnection *self)
{
  return self->api_key;
}

void
cc_connection_set_request_timeout (CcConnection *self,
                                   guint         timeout_ms)
{
  g_return_if_fail (CC_IS_CONNECTION (self));
  self->request_timeout = timeout_ms;
}

guint
cc_connection_get_request_timeout (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), 0);
  return self->request_timeout;
}

void
cc_connection_set_max_retries (CcConnection *self,
                               guint         max_retries)
{
  g_return_if_fail (CC_IS_CONNECTION (self));
  self->max_retries = max_retries;
}

guint
cc_connection_get_max_retries (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), 0);
  return self->max_retries;
}

void
cc_connection_set_retry_base_delay (CcConnection *self,
                                    guint         delay_ms)
{
  g_return_if_fail (CC_IS_CONNECTION (self));
  self->retry_base_delay = delay_ms;
}

guint
cc_connection_get_retry_base_delay (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), 0);
  return self->retry_base_delay;
}

/**
 * cc_connection_get_session:
 *
 * Returns: (transfer none): the session every request of this connection goes through.
 */
SoupSession *
cc_connection_get_session (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  return self->session;
}

static const char *
effective_domain (CcConnection *self,
                  const char   *sandbox_domain)
{
  if (sandbox_domain != NULL && *sandbox_domain != '\0')
    return sandbox_domain;
  return self->domain;
}

/**
 * cc_connection_get_sandbox_scheme:
 *
 * Sandbox hosts (<port>-<id>.<domain>) are served over https, as the SDK assumes, except when
 * the API URL itself is plain http: such an endpoint is a development server (our engine's
 * "localhost:<port>" domain, a self-hosted stack on a laptop) that serves its sandbox hosts
 * over plain http too, as the SDK's debug mode does.
 *
 * Returns: "https" or "http"
 */
const char *
cc_connection_get_sandbox_scheme (CcConnection *self)
{
  g_return_val_if_fail (CC_IS_CONNECTION (self), "https");

  if (self->api_url != NULL && g_ascii_strncasecmp (self->api_url, "http://", 7) == 0)
    return "http";
  return "https";
}

/**
 * cc_connection_dup_envd_url:
 * @sandbox_id: the sandbox
 * @sandbox_domain: (nullable): the sandbox's `domain` from the control plane
 *
 * Chooses the daemon's base URL exactly as the official SDK does.
 *
 * Returns: (transfer full): the base URL, without a trailing slash.
 */
char *
cc_connection_dup_envd_url (CcConnection *self,
                            const char   *sandbox_id,
                            const char   *sandbox_domain)
{
  const char *domain;

  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sandbox_id != NULL, NULL);

  if (self->sandbox_url != NULL)
    return g_strdup (self->sandbox_url);

  /* A server that names no domain for its sandboxes serves them at its one URL, routed by the
   * E2b-Sandbox-Id header every daemon request carries. */
  domain = effective_domain (self, sandbox_domain);
  if (domain == NULL)
    return g_strdup (self->api_url);

  /* E2B's own hosts are always https. */
  for (guint i = 0; i < G_N_ELEMENTS (shared_host_domains); i++)
    if (g_str_equal (domain, shared_host_domains[i]))
      return g_strdup_printf ("https://sandbox.%s", domain);

  return g_strdup_printf ("%s://%u-%s.%s", cc_connection_get_sandbox_scheme (self),
                          CC_CONNECTION_ENVD_PORT, sandbox_id, domain);
}

/**
 * cc_connection_dup_sandbox_host:
 *
 * Returns: (transfer full) (nullable): "<port>-<id>.<domain>" as the SDK's getHost(), or %NULL
 *   when neither the sandbox nor the connection has a domain.
 */
char *
cc_connection_dup_sandbox_host (CcConnection *self,
                                const char   *sandbox_id,
                                const char   *sandbox_domain,
                                guint         port)
{
  const char *domain;

  g_return_val_if_fail (CC_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (sandbox_id != NULL, NULL);

  domain = effective_domain (self, sandbox_domain);
  if (domain == NULL)
    return NULL;
  return g_strdup_printf ("%u-%s.%s", port, sandbox_id, domain);
}
