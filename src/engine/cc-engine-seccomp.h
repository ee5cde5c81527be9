/* cc-engine-seccomp.h: the system-call filter every sandbox process runs under
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the engine's runtime directory: the filter, and the one for sandboxes that asked for nested
 * user namespaces. */
#define CC_ENGINE_SECCOMP_FILE        "sandbox-seccomp.bpf"
#define CC_ENGINE_SECCOMP_NESTED_FILE "sandbox-seccomp-nested.bpf"

/* Compiles the filter to classic BPF and writes it to @path (replaced atomically, mode 0600),
 * for bubblewrap's `--seccomp FD`. @allow_userns keeps unshare, and clone with CLONE_NEWUSER,
 * open (for a sandbox that asked for nested user namespaces). */
gboolean cc_engine_seccomp_write (const char  *path,
                                  gboolean     allow_userns,
                                  GError     **error);

G_END_DECLS
