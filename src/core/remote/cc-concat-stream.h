/* cc-concat-stream.h: one input stream reading several in turn
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CC_TYPE_CONCAT_STREAM (cc_concat_stream_get_type ())
G_DECLARE_FINAL_TYPE (CcConcatStream, cc_concat_stream, CC, CONCAT_STREAM, GInputStream)

GInputStream *cc_concat_stream_new (GPtrArray *streams);

G_END_DECLS
