/* cc-engine-download.h: GET /files, streamed from disk
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-private.h"

G_BEGIN_DECLS

/* Answers a GET or HEAD of /files whose access and user were already checked. The body is read
 * from disk as the client takes it, so memory stays bounded whatever the file's size. */
void _cc_engine_download_handle (CcEngineSandbox   *sandbox,
                                 SoupServerMessage *msg,
                                 GHashTable        *query,
                                 const char        *user);

G_END_DECLS
