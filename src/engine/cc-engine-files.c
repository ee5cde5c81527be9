/* cc-engine-files.c: envd's plain-HTTP /files API (download and upload)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET streams the file in chunks as the client reads them (never the whole file in memory), with
 * Range, If-Modified-Since and gzip, like Go's http.ServeContent behind envd's gzip middleware
 * (gzip only for text-like content, see is_compressible()).
 * POST (uploads) is streamed to disk by cc-engine-upload.c; the access checks and path
 * resolution here are shared with it.
 *
 * Errors are envd's: {"code":<status>,"message":…}. One choice of ours: a path that leaves the
 * sandbox (by "..", an absolute path elsewhere or a symlink pointing out) is answered 403, the
 * status the Connect calls use for the same refusal (permission_denied), since envd itself has no
 * confinement to report.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-entry.h"
#include "cc-engine-files.h"
#include "cc-engine-private.h"
#include "cc-engine-upload.h"

#define CHUNK_SIZE      (256 * 1024)
/* Bytes handed to libsoup but not yet written to the socket: reading pauses above this. */
#define HIGH_WATER      (1024 * 1024)
#define UNAUTHORIZED_MESSAGE \
  "unauthorized access, please provide a valid access token or method signing if supported"

/* Signatures ------------------------------------------------------------------------------- */

char *
_cc_engine_files_signature (const char *path,
                            const char *op,
                            const char *user,
                            const char *token,
                            gint64      expiration)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *text = NULL;
  g_autofree char *encoded = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *pad;

  if (expiration > 0)
    text = g_strdup_printf ("%s:%s:%s:%s:%" G_GINT64_FORMAT, path ? path : "", op,
                            user ? user : "", token ? token : "", expiration);
  else
    text = g_strdup_printf ("%s:%s:%s:%s", path ? path : "", op, user ? user : "",
                            token ? token : "");
  g_checksum_update (checksum, (const guchar *) text, strlen (text));
  g_checksum_get_digest (checksum, digest, &digest_len);

  encoded = g_base64_encode (digest, digest_len);
  if ((pad = strchr (encoded, '=')) != NULL)
    *pad = '\0';
  return g_strconcat ("v1_", encoded, NULL);
}

gboolean
_cc_engine_files_equal_constant (const char *a,
                                 const char *b)
{
  gsize len_a, len_b;
  guint8 diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  len_a = strlen (a);
  len_b = strlen (b);
  if (len_a != len_b)
    return FALSE;
  for (gsize i = 0; i < len_a; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];
  return diff == 0;
}

static const char *
query_get (GHashTable *query,
           const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* Access: the token (checked by the router), else a valid, unexpired signature (§3.2, §7.4). */
gboolean
_cc_engine_files_check_access (CcEngineSandbox   *sandbox,
                               SoupServerMessage *msg,
                               GHashTable        *query,
                               gboolean           authorized,
                               const char        *op)
{
  const char *token = cc_engine_sandbox_get_access_token (sandbox);
  const char *signature = query_get (query, "signature");
  const char *expiration_text = query_get (query, "signature_expiration");
  g_autofree char *expected = NULL;
  gint64 expiration = 0;

  if (authorized || token == NULL || *token == '\0')
    return TRUE;

  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                    "X-Access-Token") != NULL || signature == NULL)
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
      return FALSE;
    }

  if (expiration_text != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (expiration_text, 10, 1, G_MAXINT64, &value, NULL))
        {
          _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature expiration");
          return FALSE;
        }
      expiration = (gint64) value;
      if (expiration < g_get_real_time () / G_USEC_PER_SEC)
        {
          _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "signature is already expired");
          return FALSE;
        }
    }

  expected = _cc_engine_files_signature (query_get (query, "path"), op,
                                         query_get (query, "username"), token, expiration);
  if (!_cc_engine_files_equal_constant (signature, expected))
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature");
      return FALSE;
    }
  return TRUE;
}

const char *
_cc_engine_files_select_user (SoupServerMessage *msg,
                              GHashTable        *query)
{
  const char *user = query_get (query, "username");

  if (user == NULL || *user == '\0')
    user = "user";
  if (cc_engine_sandbox_user_home (user) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("invalid user: '%s'", user);

      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, message);
      return NULL;
    }
  return user;
}

guint
_cc_engine_files_status_for_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    switch (error->code)
      {
      case G_IO_ERROR_NOT_FOUND:
        return SOUP_STATUS_NOT_FOUND;
      case G_IO_ERROR_PERMISSION_DENIED:
        return SOUP_STATUS_FORBIDDEN;
      case G_IO_ERROR_NO_SPACE:
        return SOUP_STATUS_INSUFFICIENT_STORAGE;
      case G_IO_ERROR_MESSAGE_TOO_LARGE:
        return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      case G_IO_ERROR_INVALID_ARGUMENT:
      case G_IO_ERROR_INVALID_DATA:
      case G_IO_ERROR_IS_DIRECTORY:
      case G_IO_ERROR_NOT_DIRECTORY:
      case G_IO_ERROR_EXISTS:
      case G_IO_ERROR_PARTIAL_INPUT:
      case G_IO_ERROR_INVALID_FILENAME:
      case G_IO_ERROR_FILENAME_TOO_LONG:
        return SOUP_STATUS_BAD_REQUEST;
      default:
        break;
      }
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

/* Resolves @path for writing or reading: a symlink at the end is followed in the sandbox's view,
 * so the host never follows a link text meant for the sandbox. */
char *
_cc_engine_files_resolve_target (CcEngineSandbox  *sandbox,
                                 const char       *user,
                                 const char       *path,
                                 char            **sandbox_path,
                                 GError          **error)
{
  g_autofree char *host = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *target_host = NULL;
  struct stat st;

  host = cc_engine_sandbox_resolve_path (sandbox, user, path, &clean, error);
  if (host == NULL)
    return NULL;
  if (lstat (host, &st) == 0 && S_ISLNK (st.st_mode))
    {
      if (!_cc_engine_entry_follow (sandbox, user, host, clean, &target_host, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "path '%s' is a broken symlink", clean);
          return NULL;
        }
      g_free (host);
      host = g_steal_pointer (&target_host);
    }
  if (sandbox_path != NULL)
    *sandbox_path = g_steal_pointer (&clean);
  return g_steal_pointer (&host);
}

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
guess_content_type (const char *host_path,
                    const char *name)
{
  g_autofree char *content_type = NULL;
  g_autofree char *mime = NULL;
  guchar head[512];
  gssize len = 0;
  int fd;

  /* By name first, then by content (Go's ServeContent does the same). */
  fd = open (host_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0)
    {
      len = read (fd, head, sizeof head);
      close (fd);
    }
  content_type = g_content_type_guess (name, len > 0 ? head : NULL, MAX (len, 0), NULL);
  mime = g_content_type_get_mime_type (content_type);
  if (mime == NULL)
    return g_strdup ("application/octet-stream");
  if (g_str_has_prefix (mime, "text/") && g_utf8_validate ((const char *) head, MAX (len, 0), NULL))
    return g_strconcat (mime, "; charset=utf-8", NULL);
  return g_steal_pointer (&mime);
}

static void
handle_download (CcEngineSandbox   *sandbox,
                 SoupServerMessage *msg,
                 GHashTable        *query,
                 const char        *user)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *path = query_get (query, "path");
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *last_modified = NULL;
  g_autoptr(GDateTime) mtime = NULL;
  g_autoptr(GHashTable) disposition = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) file_stream = NULL;
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
  if (stat (host, &st) != 0)
    {
      g_autofree char *message = NULL;

      if (errno == ENOENT || errno == ENOTDIR)
        {
          message = g_strdup_printf ("path '%s' does not exist", sandbox_path);
          _cc_engine_reply_http_error (msg, SOUP_STATUS_NOT_FOUND, message);
        }
      else
        {
          message = g_strdup_printf ("error checking path '%s': %s", sandbox_path, g_strerror (errno));
          _cc_engine_reply_http_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, message);
        }
      return;
    }
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

  file = g_file_new_for_path (host);
  file_stream = g_file_read (file, NULL, &error);
  if (file_stream == NULL)
    {
      _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (error), error->message);
      return;
    }

  name = g_path_get_basename (sandbox_path);
  content_type = guess_content_type (host, name);
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

  if (start > 0 && !g_seekable_seek (G_SEEKABLE (file_stream), start, G_SEEK_SET, NULL, &error))
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }

  gzip = !partial && length > 0 && is_compressible (content_type) && accepts_gzip (request_headers);
  if (gzip)
    {
      /* Level 1: on loopback the network is faster than zlib, so spend as little CPU as gzip
       * allows while still honouring what the client asked for. */
      g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);

      stream = g_converter_input_stream_new (G_INPUT_STREAM (file_stream), G_CONVERTER (compressor));
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

/* Entry point ------------------------------------------------------------------------------ */

void
_cc_engine_files_handle (CcEngine          *engine,
                         CcEngineSandbox   *sandbox,
                         SoupServerMessage *msg,
                         GHashTable        *query,
                         gboolean           authorized)
{
  const char *method = soup_server_message_get_method (msg);
  gboolean read = method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
  const char *user;

  if (!read && method != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD, POST");
      _cc_engine_reply_http_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
  if (!_cc_engine_files_check_access (sandbox, msg, query, authorized, read ? "read" : "write"))
    return;
  if ((user = _cc_engine_files_select_user (msg, query)) == NULL)
    return;

  if (read)
    handle_download (sandbox, msg, query, user);
  else
    _cc_engine_upload_finish (msg);
}
