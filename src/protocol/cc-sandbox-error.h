/* cc-sandbox-error.h: why talking to a sandbox failed, as codes callers can branch on
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CcSandboxError:
 *
 * Errors of the protocol client and the client API. The message of each error says what failed
 * and what to do; the code is what the app and the CLI branch on. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED, never as one of these.
 */
typedef enum
{
  CC_SANDBOX_ERROR_FAILED,              /* anything not listed below */
  CC_SANDBOX_ERROR_NO_API_KEY,          /* the connection needs a key and the keyring has none */
  CC_SANDBOX_ERROR_UNAUTHORIZED,        /* 401: key or access token rejected */
  CC_SANDBOX_ERROR_FORBIDDEN,           /* 403 */
  CC_SANDBOX_ERROR_RATE_LIMITED,        /* 429, after the retries ran out */
  CC_SANDBOX_ERROR_SANDBOX_GONE,        /* 404 on the sandbox, or 502 from the sandbox host */
  CC_SANDBOX_ERROR_NOT_FOUND,           /* a file, directory or process does not exist */
  CC_SANDBOX_ERROR_ALREADY_EXISTS,
  CC_SANDBOX_ERROR_INVALID_ARGUMENT,    /* the sandbox refused the request as malformed */
  CC_SANDBOX_ERROR_ENGINE_UNREACHABLE,  /* the local engine could not be reached or started */
  CC_SANDBOX_ERROR_NETWORK,             /* connection refused, reset, host unreachable */
  CC_SANDBOX_ERROR_DNS,                 /* the host name did not resolve */
  CC_SANDBOX_ERROR_TLS,                 /* the certificate or handshake failed */
  CC_SANDBOX_ERROR_TIMEOUT,             /* the request took too long */
  CC_SANDBOX_ERROR_DEADLINE,            /* the command ran past its deadline and was stopped */
  CC_SANDBOX_ERROR_PROTOCOL,            /* the peer answered something we cannot understand */
  CC_SANDBOX_ERROR_DISK_FULL,           /* 507 */
  CC_SANDBOX_ERROR_SERVICE_BUSY,        /* 503 */
  CC_SANDBOX_ERROR_SERVER,              /* 500 and other server faults */
  CC_SANDBOX_ERROR_PORT_NOT_OPEN,       /* a dev server never answered on its port */
  CC_SANDBOX_ERROR_PROCESS_EXITED,      /* a background process ended before it was ready */
} CcSandboxError;

#define CC_SANDBOX_ERROR (cc_sandbox_error_quark ())

GQuark       cc_sandbox_error_quark        (void);

/* Retrying these cannot do harm for an idempotent request (protocol client rules). */
gboolean     cc_sandbox_error_is_transient (const GError *error);

G_END_DECLS
