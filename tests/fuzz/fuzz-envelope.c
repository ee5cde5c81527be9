/* fuzz-envelope.c: the Connect envelope decoder on arbitrary bytes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is pushed in two pieces (split by its first byte), as a stream arrives in chunks;
 * every message decoded must fit the bound, and the decoder must stop at an error.
 */
#include "config.h"

#include "cc-connect-codec.h"

#define MAX_MESSAGE 4096

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (MAX_MESSAGE);
  gsize split = size > 0 ? data[0] % (size + 1) : 0;
  guint n = 0;

  cc_connect_decoder_push (decoder, data, split);
  cc_connect_decoder_push (decoder, data + split, size - split);
  for (;;)
    {
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      guint8 flags = 0;

      if (!cc_connect_decoder_next (decoder, &flags, &payload, &error))
        break;
      g_assert_nonnull (payload);
      g_assert_cmpuint (g_bytes_get_size (payload), <=, MAX_MESSAGE);
      g_assert_cmpuint (++n, <=, size / CC_CONNECT_ENVELOPE_HEADER_SIZE);
    }
  g_assert_cmpuint (cc_connect_decoder_get_pending (decoder), <=, size);
  return 0;
}
