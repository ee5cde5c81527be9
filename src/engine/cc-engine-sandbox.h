/* cc-engine-sandbox.h: one sandbox of the local engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CC_TYPE_ENGINE_SANDBOX (cc_engine_sandbox_get_type ())

G_DECLARE_FINAL_TYPE (CcEngineSandbox, cc_engine_sandbox, CC, ENGINE_SANDBOX, GObject)

typedef enum
{
  CC_ENGINE_SANDBOX_RUNNING,
  CC_ENGINE_SANDBOX_PAUSED,
} CcEngineSandboxState;

const char          *cc_engine_sandbox_get_id           (CcEngineSandbox  *self);
const char          *cc_engine_sandbox_get_access_token (CcEngineSandbox  *self);
CcEngineSandboxState cc_engine_sandbox_get_state        (CcEngineSandbox  *self);
/* The host directory the sandbox's processes see as their home (/home/user, /root for root). */
const char          *cc_engine_sandbox_get_home_dir     (CcEngineSandbox  *self);
/* The host directory they see as /tmp. */
const char          *cc_engine_sandbox_get_tmp_dir      (CcEngineSandbox  *self);
/* Sandbox-wide environment (create's envVars), name → value. */
GHashTable          *cc_engine_sandbox_get_env_vars     (CcEngineSandbox  *self);

/* "user" → "/home/user", "root" → "/root"; NULL for a user the sandbox does not have. */
const char          *cc_engine_sandbox_user_home        (const char       *user);

/**
 * cc_engine_sandbox_resolve_path:
 * @user: the selected user ("user" or "root")
 * @path: a path as the sandbox sees it: empty → home, "~" and "~/…" → home, relative → under
 *   home, absolute → must be inside /home/user, /root (user root) or /tmp
 * @sandbox_path: (out) (optional): the cleaned absolute path as the sandbox sees it
 *
 * Maps a sandbox path to the host path behind it. Refuses (G_IO_ERROR_PERMISSION_DENIED) any path
 * that leaves the sandbox's view, by "..", by an absolute path elsewhere, or through a symlink
 * whose target lies outside; the last component itself may be a dangling or in-view symlink.
 *
 * Returns: (transfer full): the host path, or %NULL with @error set
 */
char                *cc_engine_sandbox_resolve_path     (CcEngineSandbox  *self,
                                                         const char       *user,
                                                         const char       *path,
                                                         char            **sandbox_path,
                                                         GError          **error);
/* The inverse, for answers: a host path inside the sandbox → the path its processes see. */
char                *cc_engine_sandbox_to_sandbox_path  (CcEngineSandbox  *self,
                                                         const char       *user,
                                                         const char       *host_path);

G_END_DECLS
