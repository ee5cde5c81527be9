/* cc-engine-files.h: helpers of the /files API that tests check directly
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The signature of a signed /files URL (protocol §7.4):
 * "v1_" + base64 (no padding) of SHA-256 ("<path>:<op>:<user>:<token>[:<expiration>]").
 * @op is "read" or "write"; @user may be NULL (signed as ""); @expiration ≤ 0 means none. */
char     *_cc_engine_files_signature       (const char *path,
                                            const char *op,
                                            const char *user,
                                            const char *token,
                                            gint64      expiration);

/* Compares two strings in time that depends only on their lengths. */
gboolean  _cc_engine_files_equal_constant  (const char *a,
                                            const char *b);

G_END_DECLS
