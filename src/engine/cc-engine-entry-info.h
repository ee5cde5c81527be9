/* cc-engine-entry-info.h: EntryInfo answers of the filesystem service
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place builds the protocol's EntryInfo (name, type, path, size, mode, permissions,
 * owner, group, modified time, symlink target, metadata) so that Stat, ListDir, MakeDir,
 * Move and watch events describe a file the same way.
 */
#pragma once

#include <sys/stat.h>

#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* FileType and EventType enum names of the filesystem service. */
#define CC_ENGINE_FILE_TYPE_UNSPECIFIED "FILE_TYPE_UNSPECIFIED"
#define CC_ENGINE_FILE_TYPE_FILE        "FILE_TYPE_FILE"
#define CC_ENGINE_FILE_TYPE_DIRECTORY   "FILE_TYPE_DIRECTORY"

/* Go's FileMode.String() for @st_mode: "-rw-r--r--", "drwxr-xr-x", "Lrwxrwxrwx"… */
char        *_cc_engine_entry_format_permissions (guint        st_mode);

/* The owner or group name a sandbox process would see for @id: the engine's own uid/gid is the
 * sandbox's user ("user"); others are looked up, or numeric when unknown. */
char        *_cc_engine_entry_owner_name         (guint        uid);
char        *_cc_engine_entry_group_name         (guint        gid);

/* The "user.e2b.*" xattrs of the entry @fd (any descriptor, O_PATH included) whose stat is
 * @st, prefix stripped and keys lowercased, or NULL when there are none (or the filesystem has
 * no xattrs). */
GHashTable  *_cc_engine_entry_read_metadata      (int                fd,
                                                  const struct stat *st);

/**
 * _cc_engine_entry_build:
 * @sandbox: the sandbox @host_path belongs to
 * @user: the selected user, for mapping symlink targets
 * @host_path: the file on this machine (not followed if it is a symlink), opened from the
 *   sandbox's directory with symlinks on the way refused
 * @sandbox_path: the path to report, as the sandbox sees it
 * @error: set when @host_path cannot be examined (not found …)
 *
 * Returns: (transfer full): an EntryInfo JSON object node, or %NULL with @error set
 */
JsonNode    *_cc_engine_entry_build              (CcEngineSandbox *sandbox,
                                                  const char      *user,
                                                  const char      *host_path,
                                                  const char      *sandbox_path,
                                                  GError         **error);

/* The same for the entry @name of the directory descriptor @dir, and for the entry @fd itself
 * (opened O_PATH | O_NOFOLLOW): walks that never go back to a path string. */
JsonNode    *_cc_engine_entry_build_at           (CcEngineSandbox *sandbox,
                                                  const char      *user,
                                                  int              dir,
                                                  const char      *name,
                                                  const char      *sandbox_path,
                                                  GError         **error);
JsonNode    *_cc_engine_entry_build_fd           (CcEngineSandbox *sandbox,
                                                  const char      *user,
                                                  int              fd,
                                                  const char      *sandbox_path,
                                                  GError         **error);

/* Follows the symlink at @host_path as a sandbox process would (link texts are sandbox paths);
 * FALSE when it is broken, loops or leads out of the sandbox. */
gboolean     _cc_engine_entry_follow             (CcEngineSandbox  *sandbox,
                                                  const char       *user,
                                                  const char       *host_path,
                                                  const char       *sandbox_path,
                                                  char            **target_host,
                                                  char            **target_sandbox);

/* Joins a sandbox directory path and a child name ("/" + "a" → "/a", "/x" + "a" → "/x/a"). */
char        *_cc_engine_entry_join               (const char      *sandbox_dir,
                                                  const char      *name);

G_END_DECLS
