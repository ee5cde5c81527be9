/* cc-engine-download.c: GET /files, streamed from disk
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is sent in chunks as the client reads them (never the whole file in memory), with
 * Range, If-Modified-Since and gzip, like Go's http.ServeContent behind envd's gzip middleware
 * (gzip only for text-like content, see is_compressible()). Access and path resolution happen
 * before, in cc-engine-files-access.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "cc-engine-download.h"
#include "cc-engine-files-access.h"
#include "cc-engine-path.h"

#define CHUNK_SIZE      (256 * 1024)
/* Bytes handed to libsoup but not yet written to the socket: reading pauses above this. */
#define HIGH_WATER      (1024 * 1024)

/* Download --------------------------------------------------------------------------------- */

typedef struct
{
  int                ref_count;
  SoupServerMessage *msg;
  GInputStream      *stream;
  GCancellable      *cancellable;
  goffset            remaining;     /* -1: until end of stream */
  gsize              backlog;
  gboolean           reading;
  gboolean           eof;
  gboolean           finished;
  gulong             wrote_id;
  gulong             finished_id;
} Download;

static void download_read_next (Download *self);

static Download *
download_ref (Download *self)
{
  self->ref_count++;
  return self;
}

static void
download_unref (Download *self)
{
  if (--self->ref_count > 0)
    return;
  g_clear_signal_handler (&self->wrote_id, self->msg);
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
  g_clear_object (&self->stream);
  g_clear_object (&self->cancellable);
  g_free (self);
}

static void
download_abort (Download *self)
{
  g_autoptr(GIOStream) connection = NULL;

  /* The status line is gone already: the only honest way to report a failure mid-body is to
   * drop the connection, so the client sees a short body rather than a wrong one. */
  self->eof = TRUE;
  connection = soup_server_message_steal_connection (self->msg);
  if (connection != NULL)
    g_io_stream_close (connection, NULL, NULL);
  if (!self->finished)
    {
      self->finished = TRUE;
      download_unref (self);
    }
}

static void
download_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Download *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageBody *body;

  self->reading = FALSE;
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (self->finished)
    {
      download_unref (self);
      return;
    }
  if (bytes == NULL)
    {
      g_debug ("Download failed while reading: %s", error->message);
      download_abort (self);
      download_unref (self);
      return;
    }

  body = soup_server_message_get_response_body (self->msg);
  if (g_bytes_get_size (bytes) == 0)
    self->eof = TRUE;
  else
    {
      self->backlog += g_bytes_get_size (bytes);
      if (self->remaining > 0)
        {
          self->remaining -= g_bytes_get_size (bytes);
          if (self->remaining <= 0)
            self->eof = TRUE;
        }
      soup_message_body_append_bytes (body, bytes);
    }
  if (self->eof)
    soup_message_body_complete (body);
  soup_server_message_unpause (self->msg);

  if (!self->eof && self->backlog < HIGH_WATER)
    download_read_next (self);
  download_unref (self);
}

static void
download_read_next (Download *self)
{
  gsize want = CHUNK_SIZE;

  if (self->reading || self->eof || self->finished)
    return;
  if (self->remaining > 0 && (goffset) want > self->remaining)
    want = self->remaining;
  self->reading = TRUE;
  g_input_stream_read_bytes_async (self->stream, want, G_PRIORITY_DEFAULT, self->cancellable,
                                   download_read_cb, download_ref (self));
}

static void
download_wrote_cb (SoupServerMessage *msg,
                   guint              chunk_size,
                   gpointer           user_data)
{
  Download *self = user_data;

  self->backlog = chunk_size > self->backlog ? 0 : self->backlog - chunk_size;
  if (self->backlog < HIGH_WATER / 2)
    download_read_next (self);
}

static void
download_finished_cb (SoupServerMessage *msg,
                      gpointer           user_data)
{
  Download *self = user_data;

  if (self->finished)
    return;
  self->finished = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->wrote_id, self->msg);
  g_clear_signal_handler (&self->finished_id, self->msg);
  download_unref (self);
}

static gboolean
accepts_gzip (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_list (headers, "Accept-Encoding");
  GSList *list;
  gboolean result = FALSE;

  if (value == NULL)
    return FALSE;
  list = soup_header_parse_quality_list (value, NULL);
  for (GSList *l = list; l != NULL; l = l->next)
    if (g_ascii_strcasecmp (l->data, "gzip") == 0 || g_str_equal (l->data, "*"))
      result = TRUE;
  soup_header_free_list (list);
  return result;
}

/* Gzip pays for text (source, JSON, HTML, SVG …). Other files are mostly compressed already
 * (images, archives, fonts) or random, where zlib costs tens of times the transfer itself on
 * loopback and saves nothing; for those the identity encoding, which every client accepts, is
 * the better answer. */
static gboolean
is_compressible (const char *content_type)
{
  static const char * const markers[] = { "json", "javascript", "ecmascript", "xml", "x-sh",
                                          "x-python", "x-yaml", "toml", "wasm", "csv", NULL };

  if (g_str_has_prefix (content_type, "text/"))
    return TRUE;
  for (guint i = 0; markers[i] != NULL; i++)
    if (strstr (content_type, markers[i]) != NULL)
      return TRUE;
  return FALSE;
}

static char *
guess_content_type (int         fd,
                    const char *name)
{
  g_autofree char *content_type = NULL;
  g_autofree char *mime = NULL;
  guchar head[512];
  gssize len;

  /* By name first, then by content (Go's ServeContent does the same). */
  len = pread (fd, head, sizeof head, 0);
  content_type = g_content_type_guess (name, len > 0 ? head : NULL, MAX (len, 0), NULL);
  mime = g_content_type_get_mime_type (content_type);
  if (mime == NULL)
    return g_strdup ("application/octet-stream");
  if (g_str_has_prefix (mime, "text/") && g_utf8_validate ((const char *) head, MAX (len, 0), NULL))
    return g_strconcat (mime, "; charset=utf-8", NULL);
  return g_steal_pointer (&mime);
}

void
_cc_engine_download_handle (CcEngineSandbox   *sandbox,
                            SoupServerMessage *msg,
                            GHashTable        *query,
                            const char        *user)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *path = _cc_engine_files_query_get (query, "path");
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *last_modified = NULL;
  g_autoptr(GDateTime) mtime = NULL;
  g_autoptr(GHashTable) disposition = NULL;
  g_autoptr(GInputStream) file_stream = NULL;
  int fd;
  g_autoptr(GInputStream) stream = NULL;
  goffset start = 0, length;
  gboolean partial = FALSE;
  gboolean gzip = FALSE;
  const char *since;
  Download *self;
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  struct stat st;

  host = _cc_engine_files_resolve_target (sandbox, user, path, &sandbox_path, &error);
  if (host == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_autofree char *message = g_strdup_printf ("path '%s' does not exist", path ? path : "");

          _cc_engine_reply_http_error (msg, SOUP_STATUS_NOT_FOUND, message);
        }
      else
        _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (error), error->message);
      return;
    }
  /* Opened from a descriptor of the sandbox's directory, refusing symlinks on the way: what
   * was resolved above cannot be swapped for a way out in between. */
  fd = cc_engine_path_open (sandbox, host, O_RDONLY | O_NOCTTY | O_NONBLOCK, &error);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      g_autofree char *message = NULL;

      if (fd >= 0)
        {
          message = g_strdup_printf ("error checking path '%s': %s", sandbox_path, g_strerror (errno));
          close (fd);
          _cc_engine_reply_http_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, message);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY))
        {
          message = g_strdup_printf ("path '%s' does not exist", sandbox_path);
          _cc_engine_reply_http_error (msg, SOUP_STATUS_NOT_FOUND, message);
        }
      else
        _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (error), error->message);
      return;
    }
  file_stream = g_unix_input_stream_new (fd, TRUE);
  if (S_ISDIR (st.st_mode))
    {
      g_autofree char *message = g_strdup_printf ("path '%s' is a directory", sandbox_path);

      _cc_engine_reply_http_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *message = g_strdup_printf ("path '%s' is not a regular file", sandbox_path);

      _cc_engine_reply_http_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return;
    }

  name = g_path_get_basename (sandbox_path);
  content_type = guess_content_type (fd, name);
  mtime = g_date_time_new_from_unix_utc (st.st_mtim.tv_sec);
  last_modified = soup_date_time_to_string (mtime, SOUP_DATE_HTTP);
  disposition = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (disposition, "filename", name);

  soup_message_headers_replace (headers, "Last-Modified", last_modified);
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_set_content_type (headers, content_type, NULL);
  soup_message_headers_set_content_disposition (headers, "inline", disposition);

  since = soup_message_headers_get_one (request_headers, "If-Modified-Since");
  if (since != NULL && soup_message_headers_get_one (request_headers, "Range") == NULL)
    {
      g_autoptr(GDateTime) since_dt = soup_date_time_new_from_http_string (since);

      if (since_dt != NULL && g_date_time_to_unix (since_dt) >= st.st_mtim.tv_sec)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
          return;
        }
    }

  length = st.st_size;
  if (soup_message_headers_get_ranges (request_headers, st.st_size, &ranges, &n_ranges))
    {
      /* One range is served as such; several are answered with the whole file, which RFC 9110
       * allows and every client handles. */
      if (n_ranges == 1)
        {
          goffset first = MAX (ranges[0].start, 0);
          goffset last = MIN (ranges[0].end, st.st_size - 1);

          if (first >= st.st_size || last < first)
            {
              g_autofree char *range = g_strdup_printf ("bytes */%" G_GOFFSET_FORMAT,
                                                        (goffset) st.st_size);

              soup_message_headers_free_ranges (request_headers, ranges);
              soup_message_headers_replace (headers, "Content-Range", range);
              _cc_engine_reply_http_error (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE,
                                           "requested range not satisfiable");
              return;
            }
          start = first;
          length = last - first + 1;
          partial = TRUE;
          soup_message_headers_set_content_range (headers, first, last, st.st_size);
        }
      soup_message_headers_free_ranges (request_headers, ranges);
    }

  if (start > 0 && lseek (fd, start, SEEK_SET) != start)
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, g_strerror (errno));
      return;
    }

  gzip = !partial && length > 0 && is_compressible (content_type) && accepts_gzip (request_headers);
  if (gzip)
    {
      /* Level 1: on loopback the network is faster than zlib, so spend as little CPU as gzip
       * allows while still honouring what the client asked for. */
      g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);

      stream = g_converter_input_stream_new (file_stream, G_CONVERTER (compressor));
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      soup_message_headers_append (headers, "Vary", "Accept-Encoding");
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
    }
  else
    {
      stream = G_INPUT_STREAM (g_object_ref (file_stream));
      soup_message_headers_set_content_length (headers, length);
    }
  soup_server_message_set_status (msg, partial ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK, NULL);

  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD || length == 0)
    {
      soup_message_body_complete (soup_server_message_get_response_body (msg));
      return;
    }

  self = g_new0 (Download, 1);
  self->ref_count = 1;        /* held until the message is finished */
  self->msg = g_object_ref (msg);
  self->stream = g_steal_pointer (&stream);
  self->cancellable = g_cancellable_new ();
  self->remaining = gzip ? -1 : length;
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  self->wrote_id = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (download_wrote_cb), self);
  self->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (download_finished_cb), self);
  soup_server_message_pause (msg);
  download_read_next (self);
}
