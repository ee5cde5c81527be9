/* cc-engine-upload.h: POST /files, streamed to disk
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-private.h"

G_BEGIN_DECLS

/* The largest upload body accepted (bytes on the wire); above it the answer is 413. */
#define CC_ENGINE_MAX_UPLOAD ((goffset) 8 * 1024 * 1024 * 1024)

/* Called by the server once the headers of a POST /files for @sandbox are in, before the body
 * (an early handler): checks access and the request, answers refusals at once (so a client
 * sending "Expect: 100-continue" never sends the body), and otherwise streams the body to disk
 * as it arrives. Nothing of the body is kept in memory. */
void        _cc_engine_upload_begin          (CcEngineSandbox   *sandbox,
                                              SoupServerMessage *msg,
                                              GHashTable        *query,
                                              gboolean           authorized);
/* The request handler's part, once the whole body has arrived: puts the files in place
 * (atomically, all or none) in a worker thread and answers. */
void        _cc_engine_upload_finish         (SoupServerMessage *msg);

G_END_DECLS
