/* cc-connect-stream-private.h: reading a Connect server stream from an exchange
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-http-private.h"

G_BEGIN_DECLS

/* A Connect server stream (application/connect+json) read envelope by envelope as it arrives.
 * @func gets each message; returning FALSE with @error set stops the stream with that error.
 * Completes TRUE on a clean end-of-stream, FALSE on an end-stream error, a missing end-stream, a
 * truncated envelope, a transport error or an abort. */
typedef gboolean (*CcConnectMessageFunc) (JsonObject *message,
                                          gpointer    user_data,
                                          GError    **error);

void     _cc_connect_stream_read_async  (CcHttpExchange       *exchange,
                                         const char           *sandbox_id,
                                         CcConnectMessageFunc  func,
                                         gpointer              func_data,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean _cc_connect_stream_read_finish (GAsyncResult         *result,
                                         GError              **error);

/* From a stream's message function: hold further messages until resumed. */
void     _cc_http_exchange_pause        (CcHttpExchange       *exchange);
void     _cc_http_exchange_resume       (CcHttpExchange       *exchange);

G_END_DECLS
