/* cc-output-capture.h: keep the head and tail of a stream in bounded memory
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Per stream (stdout or stderr) of one operation: what the store keeps at most. */
#define CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES (4 * 1024 * 1024)

typedef struct _CcOutputCapture CcOutputCapture;

CcOutputCapture *cc_output_capture_new             (gsize                  max_bytes);
void             cc_output_capture_free            (CcOutputCapture       *self);
void             cc_output_capture_append          (CcOutputCapture       *self,
                                                    const void            *data,
                                                    gsize                  length);
void             cc_output_capture_append_bytes    (CcOutputCapture       *self,
                                                    GBytes                *bytes);
gsize            cc_output_capture_get_max_bytes   (const CcOutputCapture *self);
guint64          cc_output_capture_get_total_bytes (const CcOutputCapture *self);
gboolean         cc_output_capture_get_truncated   (const CcOutputCapture *self);
gsize            cc_output_capture_get_kept_bytes  (const CcOutputCapture *self);
char            *cc_output_capture_dup_text        (const CcOutputCapture *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcOutputCapture, cc_output_capture_free)

G_END_DECLS
