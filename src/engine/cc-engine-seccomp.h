/* cc-engine-seccomp.h: the system-call filter every sandbox process runs under
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Compiles the filter to classic BPF and writes it to @path (replaced atomically, mode 0600),
 * for bubblewrap's `--seccomp FD`. @allow_userns keeps clone/unshare with CLONE_NEWUSER open (for
 * a sandbox that asked for nested user namespaces). */
gboolean cc_engine_seccomp_write (const char  *path,
                                  gboolean     allow_userns,
                                  GError     **error);

G_END_DECLS
