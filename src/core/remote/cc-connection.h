/* cc-connection.h: where sandboxes run, and the HTTP session used to reach them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A connection is the local engine, E2B cloud or a custom E2B-compatible endpoint. It owns one
 * SoupSession (keep-alive and connection reuse for every request made through it; libsoup
 * negotiates HTTP/2 over TLS by itself), the API key (memory only: the caller reads it from the
 * keyring and sets it here; it is never logged), and the request policy (timeout, retries).
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cc-project.h"   /* CcConnectionKind */

G_BEGIN_DECLS


#define CC_CONNECTION_DEFAULT_E2B_DOMAIN        "e2b.app"
#define CC_CONNECTION_DEFAULT_REQUEST_TIMEOUT   60000   /* ms, the SDK's default */
#define CC_CONNECTION_DEFAULT_MAX_RETRIES       3
#define CC_CONNECTION_ENVD_PORT                 49983

#define CC_TYPE_CONNECTION (cc_connection_get_type ())
G_DECLARE_FINAL_TYPE (CcConnection, cc_connection, CC, CONNECTION, GObject)

/* E2B cloud: API https://api.<domain>, sandboxes at https://sandbox.<domain> with routing
 * headers. @domain NULL means "e2b.app". */
CcConnection     *cc_connection_new_e2b               (const char       *domain);
/* The local engine at @engine_url (e.g. "http://127.0.0.1:41234"): the same URL serves the
 * control plane and every sandbox's daemon (routed by header). @api_key is the engine's key. */
CcConnection     *cc_connection_new_local             (const char       *engine_url,
                                                       const char       *api_key);
/* A custom endpoint: @api_url is required; @sandbox_url (used for every sandbox, routed by
 * header) or @domain (sandboxes at https://49983-<id>.<domain>) may be NULL. Without either,
 * a sandbox's own `domain` from the control plane picks its daemon's host, and without that
 * the daemons are reached through @api_url. */
CcConnection     *cc_connection_new_custom            (const char       *api_url,
                                                       const char       *sandbox_url,
                                                       const char       *domain);

CcConnectionKind  cc_connection_get_kind              (CcConnection     *self);
const char       *cc_connection_get_api_url           (CcConnection     *self);
/* The sandbox URL override, or NULL. */
const char       *cc_connection_get_sandbox_url       (CcConnection     *self);
/* The configured domain (used when a sandbox's own domain is empty), or NULL. */
const char       *cc_connection_get_domain            (CcConnection     *self);

/* The key is kept in memory only (and wiped on change/finalize). NULL clears it. */
void              cc_connection_set_api_key           (CcConnection     *self,
                                                       const char       *api_key);
gboolean          cc_connection_has_api_key           (CcConnection     *self);

/* Per-request timeout in ms for unary calls and /files; for streams only the handshake (until
 * the first message) is bounded. 0 disables. Default 60000. */
void              cc_connection_set_request_timeout   (CcConnection     *self,
                                                       guint             timeout_ms);
guint             cc_connection_get_request_timeout   (CcConnection     *self);
/* Retries of safe operations (reads, lists, stat, connect, create, timeout, kill, health) on
 * 429/502/503/504 and connection resets. Default 3. */
void              cc_connection_set_max_retries       (CcConnection     *self,
                                                       guint             max_retries);
guint             cc_connection_get_max_retries       (CcConnection     *self);
/* First backoff delay in ms (doubled per attempt, with jitter; Retry-After wins for 429).
 * Default 250. Tests lower it. */
void              cc_connection_set_retry_base_delay  (CcConnection     *self,
                                                       guint             delay_ms);
guint             cc_connection_get_retry_base_delay  (CcConnection     *self);

/* The one session shared by every request of this connection (borrowed). */
SoupSession      *cc_connection_get_session           (CcConnection     *self);

/* "https", or "http" when the API URL is plain http (a development endpoint): the scheme of
 * the sandbox hosts <port>-<id>.<domain>. */
const char       *cc_connection_get_sandbox_scheme    (CcConnection     *self);
/* The daemon base URL for a sandbox, chosen as the official SDK does:
 * sandbox URL override, else https://sandbox.<domain> for E2B's own domains, else
 * <scheme>://49983-<id>.<domain>, else (no domain known) the API URL. @sandbox_domain is the
 * sandbox's `domain` (may be NULL). */
char             *cc_connection_dup_envd_url          (CcConnection     *self,
                                                       const char       *sandbox_id,
                                                       const char       *sandbox_domain);
/* "<port>-<id>.<domain>" as the SDK's getHost() (no scheme); NULL when no domain is known. */
char             *cc_connection_dup_sandbox_host      (CcConnection     *self,
                                                       const char       *sandbox_id,
                                                       const char       *sandbox_domain,
                                                       guint             port);

G_END_DECLS
