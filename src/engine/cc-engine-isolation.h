/* cc-engine-isolation.h: who sandbox users are on the host, and what isolation is in place
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/types.h>

#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* How sandbox processes are kept apart from the machine and from each other. */
typedef enum
{
  CC_ENGINE_ISOLATION_NONE,
  CC_ENGINE_ISOLATION_BUBBLEWRAP,     /* namespaces of its own, from bwrap on the host */
  CC_ENGINE_ISOLATION_FLATPAK_SPAWN,  /* inside the Flatpak: a sibling sandbox of the app */
} CcEngineIsolation;

/* The host uid and gid that every sandbox user (root and "user" alike) maps to: the engine's
 * own when it is an ordinary user; when it runs as root, root's first subordinate id from
 * /etc/subuid and /etc/subgid, else nobody/nogroup (65534). Never 0. */
void     cc_engine_isolation_host_ids (uid_t *uid,
                                       gid_t *gid);

/* Gives a file the engine made in a sandbox's tree to the sandbox's host uid, so its users can
 * change it. Does nothing when the engine is not root (the file is already the engine's). */
void     cc_engine_isolation_own_fd   (int    fd);
void     cc_engine_isolation_own_at   (int         dir_fd,
                                       const char *name);
/* The same for one sandbox: a root engine's sandbox with a mounted workspace runs as the
 * workspace's owner, so what the engine makes there is that person's. */
void     cc_engine_isolation_sandbox_ids (CcEngineSandbox *sandbox,
                                          uid_t           *uid,
                                          gid_t           *gid);
void     cc_engine_isolation_own_fd_for  (CcEngineSandbox *sandbox,
                                          int              fd);
void     cc_engine_isolation_own_at_for  (CcEngineSandbox *sandbox,
                                          int              dir_fd,
                                          const char      *name);
/* The status answer's "facts": a list of {"name", "ok", "detail"} that each part of the
 * isolation adds to, so a person sees exactly what is missing. */
void     cc_engine_isolation_fact_add (JsonArray  *facts,
                                       const char *name,
                                       gboolean    ok,
                                       const char *detail);

G_END_DECLS
