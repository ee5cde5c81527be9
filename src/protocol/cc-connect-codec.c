/* cc-connect-codec.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-connect-codec.h"
#include "cc-sandbox-error.h"

struct _CcConnectDecoder
{
  GByteArray *buffer;
  gsize       offset;        /* bytes of buffer already consumed */
  gsize       max_message;
};

void
cc_connect_envelope_append (GByteArray *out,
                            guint8      flags,
                            const void *payload,
                            gsize       length)
{
  guint8 header[CC_CONNECT_ENVELOPE_HEADER_SIZE];

  g_return_if_fail (out != NULL);
  g_return_if_fail (length <= G_MAXUINT32);

  header[0] = flags;
  header[1] = (length >> 24) & 0xff;
  header[2] = (length >> 16) & 0xff;
  header[3] = (length >> 8) & 0xff;
  header[4] = length & 0xff;
  g_byte_array_append (out, header, sizeof header);
  if (length > 0)
    g_byte_array_append (out, payload, length);
}

GBytes *
cc_connect_envelope_new (guint8      flags,
                         const void *payload,
                         gsize       length)
{
  GByteArray *out = g_byte_array_sized_new (CC_CONNECT_ENVELOPE_HEADER_SIZE + length);

  cc_connect_envelope_append (out, flags, payload, length);
  return g_byte_array_free_to_bytes (out);
}

CcConnectDecoder *
cc_connect_decoder_new (gsize max_message)
{
  CcConnectDecoder *self = g_new0 (CcConnectDecoder, 1);

  self->buffer = g_byte_array_new ();
  self->max_message = max_message ? max_message : CC_CONNECT_DEFAULT_MAX_MESSAGE;
  return self;
}

void
cc_connect_decoder_free (CcConnectDecoder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_free (self);
}

void
cc_connect_decoder_push (CcConnectDecoder *self,
                         const void       *data,
                         gsize             length)
{
  g_return_if_fail (self != NULL);

  /* Drop consumed bytes first so the buffer holds at most one partial frame plus new data. */
  if (self->offset > 0)
    {
      g_byte_array_remove_range (self->buffer, 0, self->offset);
      self->offset = 0;
    }
  if (length > 0)
    g_byte_array_append (self->buffer, data, length);
}

/**
 * cc_connect_decoder_next:
 *
 * Returns: %TRUE and sets @flags and @payload when a whole envelope is buffered; %FALSE with
 *   @error unset when more bytes are needed; %FALSE with @error set when the stream is malformed
 *   (an envelope larger than the decoder accepts).
 */
gboolean
cc_connect_decoder_next (CcConnectDecoder  *self,
                         guint8            *flags,
                         GBytes           **payload,
                         GError           **error)
{
  const guint8 *p;
  gsize available;
  guint32 length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);

  available = self->buffer->len - self->offset;
  if (available < CC_CONNECT_ENVELOPE_HEADER_SIZE)
    return FALSE;

  p = self->buffer->data + self->offset;
  length = ((guint32) p[1] << 24) | ((guint32) p[2] << 16) | ((guint32) p[3] << 8) | p[4];
  if (length > self->max_message)
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                   "A stream message of %u bytes exceeds the limit of %" G_GSIZE_FORMAT " bytes",
                   length, self->max_message);
      return FALSE;
    }
  if (available < CC_CONNECT_ENVELOPE_HEADER_SIZE + (gsize) length)
    return FALSE;

  if (flags != NULL)
    *flags = p[0];
  *payload = g_bytes_new (p + CC_CONNECT_ENVELOPE_HEADER_SIZE, length);
  self->offset += CC_CONNECT_ENVELOPE_HEADER_SIZE + length;
  return TRUE;
}

/* Bytes received but not yet returned as an envelope: non-zero at EOF means a truncated stream. */
gsize
cc_connect_decoder_get_pending (CcConnectDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->buffer->len - self->offset;
}

static const struct {
  const char *code;
  guint       status;
} code_table[] = {
  { "canceled", 499 },
  { "unknown", 500 },
  { "invalid_argument", 400 },
  { "deadline_exceeded", 504 },
  { "not_found", 404 },
  { "already_exists", 409 },
  { "permission_denied", 403 },
  { "resource_exhausted", 429 },
  { "failed_precondition", 400 },
  { "aborted", 409 },
  { "out_of_range", 400 },
  { "unimplemented", 501 },
  { "internal", 500 },
  { "unavailable", 503 },
  { "data_loss", 500 },
  { "unauthenticated", 401 },
};

guint
cc_connect_code_to_http_status (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (code_table); i++)
    if (g_strcmp0 (code_table[i].code, code) == 0)
      return code_table[i].status;
  return 500;
}

gboolean
cc_connect_code_is_valid (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (code_table); i++)
    if (g_strcmp0 (code_table[i].code, code) == 0)
      return TRUE;
  return FALSE;
}

/* What connect-web derives from a bare HTTP status when the body carries no Connect error. */
const char *
cc_connect_code_from_http_status (guint status)
{
  switch (status)
    {
    case 400: return "internal";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "unimplemented";
    case 429:
    case 502:
    case 503:
    case 504: return "unavailable";
    default:  return "unknown";
    }
}
