/* cc-sandbox-error.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-sandbox-error.h"

G_DEFINE_QUARK (cc-sandbox-error-quark, cc_sandbox_error)

gboolean
cc_sandbox_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != CC_SANDBOX_ERROR)
    return FALSE;

  switch ((CcSandboxError) error->code)
    {
    case CC_SANDBOX_ERROR_RATE_LIMITED:
    case CC_SANDBOX_ERROR_SERVICE_BUSY:
    case CC_SANDBOX_ERROR_NETWORK:
    case CC_SANDBOX_ERROR_TIMEOUT:
      return TRUE;

    case CC_SANDBOX_ERROR_FAILED:
    case CC_SANDBOX_ERROR_NO_API_KEY:
    case CC_SANDBOX_ERROR_UNAUTHORIZED:
    case CC_SANDBOX_ERROR_FORBIDDEN:
    case CC_SANDBOX_ERROR_SANDBOX_GONE:
    case CC_SANDBOX_ERROR_NOT_FOUND:
    case CC_SANDBOX_ERROR_ALREADY_EXISTS:
    case CC_SANDBOX_ERROR_INVALID_ARGUMENT:
    case CC_SANDBOX_ERROR_ENGINE_UNREACHABLE:
    case CC_SANDBOX_ERROR_DNS:
    case CC_SANDBOX_ERROR_TLS:
    case CC_SANDBOX_ERROR_DEADLINE:
    case CC_SANDBOX_ERROR_PROTOCOL:
    case CC_SANDBOX_ERROR_DISK_FULL:
    case CC_SANDBOX_ERROR_SERVER:
    case CC_SANDBOX_ERROR_PORT_NOT_OPEN:
    case CC_SANDBOX_ERROR_PROCESS_EXITED:
    default:
      return FALSE;
    }
}
