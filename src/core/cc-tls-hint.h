/* cc-tls-hint.h: recognising a certificate failure in a command's output
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-execution.h"

G_BEGIN_DECLS

/* NULL, or a sentence saying how to make sandboxes trust a corporate CA, when @output (not
 * necessarily NUL-terminated) shows a TLS certificate failure of npm, Node.js, curl, git,
 * OpenSSL or Python. */
char  *_cc_tls_hint_for_output     (const char  *output,
                                    gsize        length);
/* The same for an execution's stdout and stderr. */
char  *_cc_tls_hint_for_execution  (CcExecution *execution);
/* @error's message with the hint appended when @execution's output calls for one; @error is
 * replaced. */
void   _cc_tls_hint_add_to_error   (GError     **error,
                                    CcExecution *execution);

G_END_DECLS
