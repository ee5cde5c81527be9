/* cc-connect-codec.h: the Connect protocol's envelope codec and error codes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the engine (which writes streams) and the protocol client (which reads them), so that
 * both ends agree on framing by construction.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CC_CONNECT_ENVELOPE_HEADER_SIZE 5
#define CC_CONNECT_FLAG_COMPRESSED      0x01
#define CC_CONNECT_FLAG_END_STREAM      0x02

/* Larger messages are refused rather than buffered: a stream is never held whole in memory. */
#define CC_CONNECT_DEFAULT_MAX_MESSAGE  (16 * 1024 * 1024)

void         cc_connect_envelope_append          (GByteArray   *out,
                                                  guint8        flags,
                                                  const void   *payload,
                                                  gsize         length);
GBytes      *cc_connect_envelope_new             (guint8        flags,
                                                  const void   *payload,
                                                  gsize         length);

typedef struct _CcConnectDecoder CcConnectDecoder;

CcConnectDecoder *cc_connect_decoder_new         (gsize              max_message);
void         cc_connect_decoder_free             (CcConnectDecoder  *self);
void         cc_connect_decoder_push             (CcConnectDecoder  *self,
                                                  const void        *data,
                                                  gsize              length);
gboolean     cc_connect_decoder_next             (CcConnectDecoder  *self,
                                                  guint8            *flags,
                                                  GBytes           **payload,
                                                  GError           **error);
gsize        cc_connect_decoder_get_pending      (CcConnectDecoder  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcConnectDecoder, cc_connect_decoder_free)

/* Connect error code strings ("not_found", …) and the HTTP status each is sent with. */
guint        cc_connect_code_to_http_status      (const char   *code);
const char  *cc_connect_code_from_http_status    (guint         status);
gboolean     cc_connect_code_is_valid            (const char   *code);

G_END_DECLS
