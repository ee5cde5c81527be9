/* cc-output-capture.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A command may print gigabytes; what we keep of it must not grow with that. The first half of
 * the budget keeps the head of the stream (how it started: the command, the first error), the
 * second half is a ring buffer that keeps the tail (how it ended: the summary, the last error).
 * Buffers grow with the output only up to the budget, so a short output costs a short buffer.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-output-capture.h"

/**
 * CcOutputCapture:
 *
 * Keeps at most max-bytes of a stream: its head and its tail. It counts every byte it was given
 * and says whether the middle was left out. cc_output_capture_dup_text() renders what it kept,
 * with a marker line between head and tail when something was left out.
 */
struct _CcOutputCapture
{
  gsize    max_bytes;
  gsize    head_max;
  gsize    tail_max;
  guint64  total;

  GByteArray *head;

  /* Linear while filling (tail_start == 0), then a ring whose oldest byte is at tail_start. */
  guint8  *tail;
  gsize    tail_alloc;
  gsize    tail_len;
  gsize    tail_start;
};

/**
 * cc_output_capture_new:
 * @max_bytes: how much of the stream to keep at most, or 0 for
 *   %CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES
 *
 * Returns: (transfer full): a new, empty capture
 */
CcOutputCapture *
cc_output_capture_new (gsize max_bytes)
{
  CcOutputCapture *self = g_new0 (CcOutputCapture, 1);

  if (max_bytes == 0)
    max_bytes = CC_OUTPUT_CAPTURE_DEFAULT_MAX_BYTES;
  self->max_bytes = MAX (max_bytes, 2);
  self->head_max = self->max_bytes / 2;
  self->tail_max = self->max_bytes - self->head_max;
  self->head = g_byte_array_new ();

  return self;
}

/**
 * cc_output_capture_free:
 * @self: (nullable): a #CcOutputCapture
 *
 * Frees the capture and what it kept.
 */
void
cc_output_capture_free (CcOutputCapture *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->head);
  g_free (self->tail);
  g_free (self);
}

static void
tail_reserve (CcOutputCapture *self,
              gsize            needed)
{
  gsize alloc;

  g_assert (needed <= self->tail_max);
  if (needed <= self->tail_alloc)
    return;

  /* Double up to the budget, so that many small writes do not realloc each time. */
  alloc = MAX (self->tail_alloc, 4096);
  while (alloc < needed)
    alloc *= 2;
  alloc = MIN (alloc, self->tail_max);
  self->tail = g_realloc (self->tail, alloc);
  self->tail_alloc = alloc;
}

static void
tail_push (CcOutputCapture *self,
           const guint8    *data,
           gsize            length)
{
  gsize cap = self->tail_max;
  gsize first;

  if (length >= cap)
    {
      tail_reserve (self, cap);
      memcpy (self->tail, data + length - cap, cap);
      self->tail_len = cap;
      self->tail_start = 0;
      return;
    }

  if (self->tail_len + length <= cap)
    {
      g_assert (self->tail_start == 0 || self->tail_len == cap);
      if (self->tail_len < cap)
        {
          tail_reserve (self, self->tail_len + length);
          memcpy (self->tail + self->tail_len, data, length);
          self->tail_len += length;
          return;
        }
    }

  tail_reserve (self, cap);
  if (self->tail_len < cap)
    {
      gsize n = cap - self->tail_len;

      memcpy (self->tail + self->tail_len, data, n);
      data += n;
      length -= n;
      self->tail_len = cap;
      self->tail_start = 0;
    }

  /* Full: overwrite the oldest bytes. length < cap here. */
  first = MIN (length, cap - self->tail_start);
  memcpy (self->tail + self->tail_start, data, first);
  memcpy (self->tail, data + first, length - first);
  self->tail_start = (self->tail_start + length) % cap;
}

/**
 * cc_output_capture_append:
 * @self: a #CcOutputCapture
 * @data: (array length=length): bytes of the stream
 * @length: how many
 *
 * Adds the next bytes of the stream. Costs no memory beyond the capture's budget.
 */
void
cc_output_capture_append (CcOutputCapture *self,
                          const void      *data,
                          gsize            length)
{
  const guint8 *p = data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  self->total += length;

  if (self->head->len < self->head_max)
    {
      gsize n = MIN (length, self->head_max - self->head->len);

      g_byte_array_append (self->head, p, n);
      p += n;
      length -= n;
    }

  if (length > 0)
    tail_push (self, p, length);
}

/**
 * cc_output_capture_append_bytes:
 * @self: a #CcOutputCapture
 * @bytes: the next bytes of the stream
 *
 * Like cc_output_capture_append().
 */
void
cc_output_capture_append_bytes (CcOutputCapture *self,
                                GBytes          *bytes)
{
  gsize len;
  const void *data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &len);
  cc_output_capture_append (self, data, len);
}

/**
 * cc_output_capture_get_max_bytes:
 * @self: a #CcOutputCapture
 *
 * Returns: the most the capture keeps, head and tail together
 */
gsize
cc_output_capture_get_max_bytes (const CcOutputCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_bytes;
}

/**
 * cc_output_capture_get_total_bytes:
 * @self: a #CcOutputCapture
 *
 * Returns: how many bytes were appended in all, kept or not
 */
guint64
cc_output_capture_get_total_bytes (const CcOutputCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->total;
}

/**
 * cc_output_capture_get_truncated:
 * @self: a #CcOutputCapture
 *
 * Returns: %TRUE when the middle of the stream was left out
 */
gboolean
cc_output_capture_get_truncated (const CcOutputCapture *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->total > (guint64) self->head->len + self->tail_len;
}

/**
 * cc_output_capture_get_kept_bytes:
 * @self: a #CcOutputCapture
 *
 * Returns: how many bytes of the stream are held (never more than max-bytes)
 */
gsize
cc_output_capture_get_kept_bytes (const CcOutputCapture *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->head->len + self->tail_len;
}

/* Length of @data without a multi-byte character cut off at its end. */
static gsize
utf8_trim_end (const guint8 *data,
               gsize         len)
{
  gsize i = len;
  gsize need;

  /* Walk back over at most 3 continuation bytes to the lead byte of the last character. */
  while (i > 0 && len - i < 4 && (data[i - 1] & 0xc0) == 0x80)
    i--;
  if (i == 0 || len - i >= 4)
    return len;

  if ((data[i - 1] & 0xe0) == 0xc0)
    need = 2;
  else if ((data[i - 1] & 0xf0) == 0xe0)
    need = 3;
  else if ((data[i - 1] & 0xf8) == 0xf0)
    need = 4;
  else
    return len;

  return (len - (i - 1) < need) ? i - 1 : len;
}

/**
 * cc_output_capture_dup_text:
 * @self: a #CcOutputCapture
 *
 * Renders what was kept. When the middle was left out, a line saying how much was left out
 * separates the head from the tail, and characters cut in half at either side are dropped.
 * Bytes that are not UTF-8 become U+FFFD, so the result is always valid UTF-8.
 *
 * Returns: (transfer full): the kept text
 */
char *
cc_output_capture_dup_text (const CcOutputCapture *self)
{
  g_autoptr(GByteArray) out = NULL;
  gboolean truncated;
  gsize head_len;
  gsize skip = 0;

  g_return_val_if_fail (self != NULL, NULL);

  truncated = cc_output_capture_get_truncated (self);
  out = g_byte_array_sized_new (self->head->len + self->tail_len + 128);

  head_len = truncated ? utf8_trim_end (self->head->data, self->head->len) : self->head->len;
  g_byte_array_append (out, self->head->data, head_len);

  if (truncated)
    {
      g_autofree char *size = NULL;
      g_autofree char *marker = NULL;
      guint64 omitted = self->total - self->head->len - self->tail_len;

      size = g_format_size_full (omitted, G_FORMAT_SIZE_LONG_FORMAT);
      /* Translators: between the start and the end of a long command output; %s is a size
       * such as "12.3 MB (12,345,678 bytes)". */
      marker = g_strdup_printf (_("[… %s of output left out …]"), size);
      if (head_len > 0 && out->data[out->len - 1] != '\n')
        g_byte_array_append (out, (const guint8 *) "\n", 1);
      g_byte_array_append (out, (const guint8 *) marker, strlen (marker));
      g_byte_array_append (out, (const guint8 *) "\n", 1);

      /* Skip continuation bytes of a character whose start was left out. */
      while (skip < self->tail_len && skip < 3 &&
             (self->tail[(self->tail_start + skip) % self->tail_alloc] & 0xc0) == 0x80)
        skip++;
    }

  if (self->tail_len > 0)
    {
      gsize start = (self->tail_start + skip) % self->tail_alloc;
      gsize len = self->tail_len - skip;
      gsize first = MIN (len, self->tail_alloc - start);

      g_byte_array_append (out, self->tail + start, first);
      g_byte_array_append (out, self->tail, len - first);
    }

  return g_utf8_make_valid ((const char *) out->data, out->len);
}
