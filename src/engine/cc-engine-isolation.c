/* cc-engine-isolation.c: who sandbox users are on the host, and what isolation is in place
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sandbox processes always run in a user namespace with a single id mapped: the one returned
 * here. An engine that runs as root (CI, containers) must not hand the sandbox a mapping to 0,
 * or the sandbox's root would own the host's root files (open_by_handle_at and /proc/sys turn
 * that into a full escape), so bubblewrap is started under an unprivileged id instead.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-isolation.h"
#include "cc-engine-sandbox-private.h"

#define NOBODY_ID 65534

/* The first id of root's range in /etc/subuid or /etc/subgid, if it has one. */
static gboolean
subordinate_start (const char *file,
                   guint32    *start)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (file, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ":", 3);
      guint64 first, count;

      if (g_strv_length (f) == 3 && (g_str_equal (f[0], "root") || g_str_equal (f[0], "0")) &&
          g_ascii_string_to_unsigned (f[1], 10, 1, G_MAXUINT32 - 1, &first, NULL) &&
          g_ascii_string_to_unsigned (f[2], 10, 1, G_MAXUINT32, &count, NULL))
        {
          *start = (guint32) first;
          return TRUE;
        }
    }
  return FALSE;
}

void
cc_engine_isolation_host_ids (uid_t *uid,
                              gid_t *gid)
{
  guint32 u = NOBODY_ID, g = NOBODY_ID;

  if (geteuid () != 0)
    {
      *uid = geteuid ();
      *gid = getegid ();
      return;
    }
  /* Both ranges or neither: a subordinate uid with nogroup would still work, but one id pair
   * from the same administrator decision is easier to reason about. */
  if (!subordinate_start ("/etc/subuid", &u) || !subordinate_start ("/etc/subgid", &g))
    u = g = NOBODY_ID;
  *uid = u;
  *gid = g;
}

void
cc_engine_isolation_own_fd (int fd)
{
  uid_t uid;
  gid_t gid;

  if (geteuid () != 0 || fd < 0)
    return;
  cc_engine_isolation_host_ids (&uid, &gid);
  if (fchown (fd, uid, gid) != 0)
    g_debug ("Could not give a sandbox file to its users: %s", g_strerror (errno));
}

void
cc_engine_isolation_own_at (int         dir_fd,
                            const char *name)
{
  uid_t uid;
  gid_t gid;

  if (geteuid () != 0)
    return;
  cc_engine_isolation_host_ids (&uid, &gid);
  if (fchownat (dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    g_debug ("Could not give a sandbox file to its users: %s", g_strerror (errno));
}

void
cc_engine_isolation_sandbox_ids (CcEngineSandbox *sandbox,
                                 uid_t           *uid,
                                 gid_t           *gid)
{
  const CcEngineWorkspaceId *id = NULL;

  if (geteuid () == 0 && cc_engine_sandbox_get_workspace (sandbox, &id) != NULL)
    {
      /* Never root: cc_engine_workspace_check() refuses a root-owned folder to a root engine. */
      *uid = id->uid;
      *gid = id->gid;
      return;
    }
  cc_engine_isolation_host_ids (uid, gid);
}

void
cc_engine_isolation_own_fd_for (CcEngineSandbox *sandbox,
                                int              fd)
{
  uid_t uid;
  gid_t gid;

  if (geteuid () != 0 || fd < 0)
    return;
  cc_engine_isolation_sandbox_ids (sandbox, &uid, &gid);
  if (fchown (fd, uid, gid) != 0)
    g_debug ("Could not give a sandbox file to its users: %s", g_strerror (errno));
}

void
cc_engine_isolation_own_at_for (CcEngineSandbox *sandbox,
                                int              dir_fd,
                                const char      *name)
{
  uid_t uid;
  gid_t gid;

  if (geteuid () != 0)
    return;
  cc_engine_isolation_sandbox_ids (sandbox, &uid, &gid);
  if (fchownat (dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    g_debug ("Could not give a sandbox file to its users: %s", g_strerror (errno));
}

void
cc_engine_isolation_fact_add (JsonArray  *facts,
                              const char *name,
                              gboolean    ok,
                              const char *detail)
{
  JsonObject *fact = json_object_new ();

  json_object_set_string_member (fact, "name", name);
  json_object_set_boolean_member (fact, "ok", ok);
  json_object_set_string_member (fact, "detail", detail);
  json_array_add_object_element (facts, fact);
}
