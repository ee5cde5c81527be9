/* cc-engine-files-access.h: access, user and path checks of the /files route
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-private.h"

G_BEGIN_DECLS

/* The signature of a signed /files URL:
 * "v1_" + base64 (no padding) of SHA-256 ("<path>:<op>:<user>:<token>[:<expiration>]").
 * @op is "read" or "write"; @user may be NULL (signed as ""); @expiration ≤ 0 means none. */
char     *_cc_engine_files_signature       (const char *path,
                                            const char *op,
                                            const char *user,
                                            const char *token,
                                            gint64      expiration);

/* @name's value in the decoded query string, or NULL (also when @query is NULL). */
const char *_cc_engine_files_query_get      (GHashTable        *query,
                                             const char        *name);

/* Each answers the request and returns FALSE/NULL on refusal. */
gboolean    _cc_engine_files_check_access   (CcEngineSandbox   *sandbox,
                                             SoupServerMessage *msg,
                                             GHashTable        *query,
                                             gboolean           authorized,
                                             const char        *op);
const char *_cc_engine_files_select_user    (SoupServerMessage *msg,
                                             GHashTable        *query);

/* The envd HTTP status for a failed file operation (404, 403, 507, 413, 400, else 500). */
guint       _cc_engine_files_status_for_error (const GError    *error);

/* Resolves @path for writing or reading: a symlink at the end is followed in the sandbox's
 * view, so the host never follows a link text meant for the sandbox. */
char       *_cc_engine_files_resolve_target (CcEngineSandbox   *sandbox,
                                             const char        *user,
                                             const char        *path,
                                             char             **sandbox_path,
                                             GError           **error);

G_END_DECLS
