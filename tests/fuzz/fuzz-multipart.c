/* fuzz-multipart.c: the upload's multipart/form-data framing
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input's first line is the boundary, the rest the body. It is read with the upload's own
 * reader functions (delimiters, part headers), in the order the upload splits a body, with the
 * parts going to memory instead of files. The file is included to reach its static functions.
 */
#include "cc-engine-upload.c"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const guint8 *newline = memchr (data, '\n', size);
  g_autofree char *boundary = NULL;
  g_autofree char *delimiter = NULL;
  g_autoptr(GInputStream) in = NULL;
  Reader reader = { 0 };
  gsize total = 0;

  if (newline == NULL)
    return 0;
  boundary = g_strndup ((const char *) data, newline - data);
  if (*boundary == '\0' || strlen (boundary) > 70)
    return 0;
  delimiter = g_strconcat ("\r\n--", boundary, NULL);
  in = g_memory_input_stream_new_from_data (newline + 1, size - (newline + 1 - data), NULL);

  /* A small window, so that delimiters and headers straddle refills. */
  reader.in = in;
  reader.size = 16 + strlen (delimiter);
  reader.buf = g_malloc (reader.size);
  memcpy (reader.buf, "\r\n", 2);
  reader.end = 2;

  if (reader_copy_to_delimiter (&reader, delimiter, NULL, NULL, NULL, NULL))
    for (guint parts = 0; parts < 1000; parts++)
      {
        g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
        g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
        g_autoptr(GHashTable) params = NULL;
        const char *value;
        gboolean last = FALSE;

        if (!reader_read_part_headers (&reader, headers, &last, NULL, NULL) || last)
          break;
        value = soup_message_headers_get_one (headers, "Content-Disposition");
        if (value != NULL)
          params = soup_header_parse_semi_param_list (value);
        if (!reader_copy_to_delimiter (&reader, delimiter, out, "/fuzz", NULL, NULL))
          break;
        total += g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
        g_assert_cmpuint (total, <=, size);
      }
  g_assert_cmpuint (reader.start, <=, reader.end);
  g_assert_cmpuint (reader.end, <=, reader.size);
  g_free (reader.buf);
  return 0;
}
