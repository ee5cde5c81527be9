/* cc-engine-resolve.h: whether sandbox host names (<port>-<id>.localhost) resolve on this machine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when a name under .localhost resolves to a loopback address here. glibc (and Node, which
 * asks glibc) resolves such names only through systemd-resolved ("resolve" in nsswitch.conf) or
 * nss-myhostname ("myhostname"); without either, the lookup would go to the DNS servers, so it is
 * not made at all and the answer is FALSE. */
gboolean cc_engine_localhost_subdomains_resolve (void);

G_END_DECLS
