/* cc-engine-upload.c: POST /files, streamed to disk
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup's server reads a whole request body into memory before the handler runs, unless told
 * otherwise while the headers are in. So the server calls _cc_engine_upload_begin() from an
 * early handler: it checks access and the request there (refusing before the body is sent when
 * the client waits for "100 Continue"), turns off accumulation and writes each received chunk
 * to disk:
 *
 * - application/octet-stream (optionally gzip) goes through a decompressor straight into a
 *   temporary file in the engine's private directory (cc_engine_path_private_dir ()); what a gzip body expands to is bounded by a ratio
 *   to what has arrived (GZIP_MAX_RATIO), so a decompression bomb is refused within a chunk;
 * - multipart/form-data is spooled as it came to a temporary file there too, then split from
 *   there (split_multipart()), each part streamed into a temporary file of its own.
 *
 * Once the body is complete, a worker renames the temporary files into place, all or none; an
 * interrupted or refused upload leaves no destination file touched. Memory stays bounded by a
 * few buffers whatever the upload's size.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "cc-engine-files-access.h"
#include "cc-engine-isolation.h"
#include "cc-engine-path.h"
#include "cc-engine-upload.h"
#include "cc-engine-worker.h"

#define METADATA_PREFIX   "user.e2b."
#define UPLOAD_DATA_KEY   "cc-engine-upload"
#define TEMP_TEMPLATE     ".cc-upload-XXXXXX"
#define WRITE_BUFFER_SIZE (256 * 1024)
/* A gzip body may expand to GZIP_MAX_RATIO times what has arrived of it, or GZIP_FLOOR: more is
 * a decompression bomb, refused before it fills the disk or holds the main loop. */
#define GZIP_MAX_RATIO    200
#define GZIP_FLOOR        ((goffset) 16 * 1024 * 1024)

/* An output stream that refuses to let more than its limit through: it sits between the gzip
 * decompressor and the file, so the limit counts decompressed bytes. */
#define CC_TYPE_BOUNDED_STREAM (cc_bounded_stream_get_type ())
G_DECLARE_FINAL_TYPE (CcBoundedStream, cc_bounded_stream, CC, BOUNDED_STREAM, GFilterOutputStream)

struct _CcBoundedStream
{
  GFilterOutputStream parent_instance;

  goffset written;
  goffset limit;
};

G_DEFINE_FINAL_TYPE (CcBoundedStream, cc_bounded_stream, G_TYPE_FILTER_OUTPUT_STREAM)

static gssize
cc_bounded_stream_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  CcBoundedStream *self = CC_BOUNDED_STREAM (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (stream));
  gssize n;

  if (self->written + (goffset) count > self->limit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "the gzip body expands more than %d times its size (or beyond %" G_GOFFSET_FORMAT
                   " bytes): upload it uncompressed", GZIP_MAX_RATIO, CC_ENGINE_MAX_UPLOAD);
      return -1;
    }
  n = g_output_stream_write (base, buffer, count, cancellable, error);
  if (n > 0)
    self->written += n;
  return n;
}

static void
cc_bounded_stream_class_init (CcBoundedStreamClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = cc_bounded_stream_write;
}

static void
cc_bounded_stream_init (CcBoundedStream *self)
{
}

/* A file written under a temporary name, renamed to its destination at the end. */
typedef struct
{
  char *host_path;
  char *sandbox_path;
  char *temp_path;      /* NULL once renamed */
} UploadFile;

typedef struct
{
  CcEngineSandbox *sandbox;
  char            *user;
  char            *path;          /* ?path=, or NULL */
  char            *content_type;  /* multipart: the request's, with its boundary */
  GHashTable      *metadata;      /* lowercased key → value, or NULL */
  gboolean         multipart;
  gboolean         gzip;

  /* While the body arrives. */
  GOutputStream   *out;           /* into files[0]'s temporary file, or the multipart spool */
  CcBoundedStream *bounded;       /* gzip: after the decompressor, unowned (part of out) */
  char            *spool_path;
  goffset          received;
  GError          *error;         /* the first failure: the rest of the body is discarded */

  GPtrArray       *files;         /* UploadFile */
} Upload;

static void
upload_file_free (gpointer data)
{
  UploadFile *file = data;

  if (file->temp_path != NULL)
    g_unlink (file->temp_path);
  g_free (file->temp_path);
  g_free (file->host_path);
  g_free (file->sandbox_path);
  g_free (file);
}

/* Drops what was written so far: disk is freed as soon as we know it is not wanted. */
static void
upload_discard (Upload *self)
{
  if (self->out != NULL)
    {
      g_output_stream_close (self->out, NULL, NULL);
      g_clear_object (&self->out);
    }
  if (self->spool_path != NULL)
    {
      g_unlink (self->spool_path);
      g_clear_pointer (&self->spool_path, g_free);
    }
  g_ptr_array_set_size (self->files, 0);
}

static void
upload_free (gpointer data)
{
  Upload *self = data;

  upload_discard (self);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_object (&self->sandbox);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->user);
  g_free (self->path);
  g_free (self->content_type);
  g_free (self);
}

/* Rewords a write failure: disk full → 507, bad gzip → 400, anything else as it is. */
static void
set_write_error (GError       **error,
                 const GError  *local_error,
                 gboolean       gzip,
                 const char    *sandbox_path)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 "not enough disk space to write %s", sandbox_path);
  else if (gzip && local_error->domain == G_IO_ERROR &&
           (local_error->code == G_IO_ERROR_INVALID_DATA ||
            local_error->code == G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "the gzip body for %s is not valid: %s", sandbox_path, local_error->message);
  else
    g_set_error (error, local_error->domain, local_error->code,
                 "error writing %s: %s", sandbox_path, local_error->message);
}

/* Each upload replaces all metadata of the file (envd semantics). */
static void
store_metadata (int         fd,
                GHashTable *metadata)
{
  char names[8192];
  ssize_t len;
  GHashTableIter iter;
  gpointer key, value;

  len = flistxattr (fd, names, sizeof names);
  for (ssize_t off = 0; len > 0 && off < len; off += strlen (names + off) + 1)
    if (g_str_has_prefix (names + off, METADATA_PREFIX))
      fremovexattr (fd, names + off);

  if (metadata == NULL)
    return;
  g_hash_table_iter_init (&iter, metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *name = g_strconcat (METADATA_PREFIX, key, NULL);

      /* A filesystem without user xattrs simply keeps no metadata, as on envd. */
      if (fsetxattr (fd, name, value, strlen (value), 0) != 0 && errno != ENOTSUP)
        g_debug ("Could not store metadata %s: %s", name, g_strerror (errno));
    }
}

static gboolean
is_printable_ascii (const char *text)
{
  for (const char *p = text; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;
  return TRUE;
}

/* X-Metadata-<key>: <value> headers → key (lowercased) → value; an empty table without any. */
static GHashTable *
parse_metadata (SoupMessageHeaders  *headers,
                GError             **error)
{
  g_autoptr(GHashTable) metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      const char *key;

      if (g_ascii_strncasecmp (name, "X-Metadata-", strlen ("X-Metadata-")) != 0)
        continue;
      key = name + strlen ("X-Metadata-");
      if (*key == '\0' || !is_printable_ascii (key) || !is_printable_ascii (value) ||
          strlen (key) > 200 || strlen (value) > 4000)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "invalid metadata header %s", name);
          return NULL;
        }
      g_hash_table_replace (metadata, g_ascii_strdown (key, -1), g_strdup (value));
    }
  return g_steal_pointer (&metadata);
}

/* Resolves @path, refuses a second file for the same destination, creates the parent
 * directories and opens a temporary file beside the destination (carrying the metadata and,
 * when it replaces a file, that file's mode). Returns the file's descriptor, -1 on error. */
static int
open_destination (Upload      *self,
                  const char  *path,
                  GHashTable  *seen,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sandbox_path = NULL;
  g_autofree char *host = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *private_dir = NULL;
  g_autofree char *temp = NULL;
  UploadFile *file;
  int parent_fd;
  struct stat st;
  mode_t keep_mode = 0;
  int fd;

  host = _cc_engine_files_resolve_target (self->sandbox, self->user, path, &sandbox_path,
                                          &local_error);
  if (host == NULL)
    {
      /* A dangling in-view link is written through like any missing file: its target. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "%s: write to the link's target path instead", local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  if (seen != NULL)
    {
      if (g_hash_table_contains (seen, host))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "cannot upload multiple files to the same path '%s'", sandbox_path);
          return -1;
        }
      g_hash_table_add (seen, g_strdup (host));
    }

  /* The parent is made and opened from a descriptor of the sandbox's directory, symlinks
   * refused, so a directory swapped for a link cannot send the upload out of the sandbox. */
  parent = g_path_get_dirname (host);
  base = g_path_get_basename (host);
  parent_fd = cc_engine_path_open_dirs (self->sandbox, parent, &local_error);
  if (parent_fd < 0)
    {
      g_set_error (error, local_error->domain, local_error->code, "creating the directory of %s: %s",
                   sandbox_path, local_error->message);
      return -1;
    }
  if (fstatat (parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (st.st_mode))
        {
          close (parent_fd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "path '%s' is a directory",
                       sandbox_path);
          return -1;
        }
      if (S_ISREG (st.st_mode))
        keep_mode = st.st_mode & 07777;
    }
  close (parent_fd);

  /* Temporaries live in the engine's private directory: never in the user's tree, never in a
   * watch event, and swept when the engine starts. */
  private_dir = cc_engine_path_private_dir (self->sandbox);
  temp = g_build_filename (private_dir, TEMP_TEMPLATE, NULL);
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      _cc_engine_set_errno_error (error, errno, "opening", sandbox_path);
      return -1;
    }
  cc_engine_isolation_own_fd_for (self->sandbox, fd);
  /* Overwriting keeps the file's permissions, as truncating it in place did. */
  if (keep_mode != 0)
    fchmod (fd, keep_mode);
  store_metadata (fd, self->metadata);

  file = g_new0 (UploadFile, 1);
  file->host_path = g_steal_pointer (&host);
  file->sandbox_path = g_steal_pointer (&sandbox_path);
  file->temp_path = g_steal_pointer (&temp);
  g_ptr_array_add (self->files, file);
  return fd;
}

/* While the body arrives (main thread) ------------------------------------------------------- */

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  Upload *self = user_data;
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  if (self->error != NULL)
    return;
  self->received += size;
  if (self->received > CC_ENGINE_MAX_UPLOAD)
    {
      g_set_error (&self->error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "the upload is larger than %" G_GOFFSET_FORMAT " bytes: split it",
                   CC_ENGINE_MAX_UPLOAD);
      upload_discard (self);
      return;
    }
  if (self->bounded != NULL)
    self->bounded->limit = MIN (MAX (GZIP_FLOOR, self->received * GZIP_MAX_RATIO), CC_ENGINE_MAX_UPLOAD);
  if (size > 0 && !g_output_stream_write_all (self->out, data, size, NULL, NULL, &local_error))
    {
      if (self->multipart)
        set_write_error (&self->error, local_error, FALSE, "the upload");
      else
        set_write_error (&self->error, local_error, self->gzip,
                         ((UploadFile *) self->files->pdata[0])->sandbox_path);
      upload_discard (self);
    }
}

static gboolean
begin_octet_stream (Upload              *self,
                    SoupMessageHeaders  *headers,
                    GError             **error)
{
  const char *encoding = soup_message_headers_get_one (headers, "Content-Encoding");
  g_autoptr(GOutputStream) fd_stream = NULL;
  int fd;

  if (encoding != NULL && g_ascii_strcasecmp (encoding, "gzip") == 0)
    self->gzip = TRUE;
  else if (encoding != NULL && g_ascii_strcasecmp (encoding, "identity") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "unsupported Content-Encoding %s: use gzip or none", encoding);
      return FALSE;
    }
  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the path parameter is required for application/octet-stream uploads");
      return FALSE;
    }
  if ((fd = open_destination (self, self->path, NULL, error)) < 0)
    return FALSE;

  fd_stream = g_unix_output_stream_new (fd, TRUE);
  if (self->gzip)
    {
      g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      g_autoptr(GOutputStream) buffered = g_buffered_output_stream_new_sized (fd_stream, WRITE_BUFFER_SIZE);
      g_autoptr(GOutputStream) bounded = g_object_new (CC_TYPE_BOUNDED_STREAM, "base-stream", buffered, NULL);

      /* No buffer before the decompressor: each received chunk is expanded at once, so one
       * write never holds more than a chunk's worth of expansion. */
      self->bounded = CC_BOUNDED_STREAM (bounded);
      self->bounded->limit = GZIP_FLOOR;
      self->out = g_converter_output_stream_new (bounded, G_CONVERTER (decompressor));
    }
  else
    /* libsoup hands over 8 KiB chunks: write in larger blocks. */
    self->out = g_buffered_output_stream_new_sized (fd_stream, WRITE_BUFFER_SIZE);
  return TRUE;
}

static gboolean
begin_multipart (Upload              *self,
                 SoupMessageHeaders  *headers,
                 GError             **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GOutputStream) fd_stream = NULL;
  int fd;

  if (soup_message_headers_get_content_type (headers, &params) == NULL ||
      params == NULL || g_hash_table_lookup (params, "boundary") == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "error parsing multipart form: no boundary in the Content-Type");
      return FALSE;
    }
  self->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));

  /* The spool lives on the sandboxes' disk, so a full disk is reported as such (507), in the
   * engine's private directory. */
  {
    g_autofree char *private_dir = cc_engine_path_private_dir (self->sandbox);

    self->spool_path = g_build_filename (private_dir, TEMP_TEMPLATE, NULL);
  }
  fd = g_mkstemp_full (self->spool_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_clear_pointer (&self->spool_path, g_free);
      return _cc_engine_set_errno_error (error, saved, "spooling", "the upload");
    }
  fd_stream = g_unix_output_stream_new (fd, TRUE);
  self->out = g_buffered_output_stream_new_sized (fd_stream, WRITE_BUFFER_SIZE);
  return TRUE;
}

void
_cc_engine_upload_begin (CcEngineSandbox   *sandbox,
                         SoupServerMessage *msg,
                         GHashTable        *query,
                         gboolean           authorized)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  const char *user;
  const char *path = query != NULL ? g_hash_table_lookup (query, "path") : NULL;
  gboolean ok = FALSE;
  Upload *self;

  /* Whatever happens next, the body is never held in memory. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (!_cc_engine_files_check_access (sandbox, msg, query, authorized, "write") ||
      (user = _cc_engine_files_select_user (msg, query)) == NULL)
    {
      /* Refused: the body (if the client sends it anyway) is read and dropped, and the
       * connection is not kept for another request. */
      soup_message_headers_replace (response_headers, "Connection", "close");
      return;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > CC_ENGINE_MAX_UPLOAD)
    {
      g_autofree char *message = g_strdup_printf ("the upload is larger than %" G_GOFFSET_FORMAT
                                                  " bytes: split it", CC_ENGINE_MAX_UPLOAD);

      soup_message_headers_replace (response_headers, "Connection", "close");
      _cc_engine_reply_http_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
      return;
    }

  self = g_new0 (Upload, 1);
  self->sandbox = g_object_ref (sandbox);
  self->user = g_strdup (user);
  self->path = g_strdup (path);
  self->files = g_ptr_array_new_with_free_func (upload_file_free);
  self->metadata = parse_metadata (headers, &error);
  if (self->metadata != NULL && g_hash_table_size (self->metadata) == 0)
    g_clear_pointer (&self->metadata, g_hash_table_unref);

  if (error != NULL)
    ;
  else if (_cc_engine_content_type_is (msg, "multipart/form-data"))
    {
      self->multipart = TRUE;
      ok = begin_multipart (self, headers, &error);
    }
  else if (_cc_engine_content_type_is (msg, "application/octet-stream"))
    ok = begin_octet_stream (self, headers, &error);
  else
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "unsupported Content-Type: use multipart/form-data or application/octet-stream");

  if (!ok)
    {
      upload_free (self);
      soup_message_headers_replace (response_headers, "Connection", "close");
      _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (error), error->message);
      return;
    }

  /* The message owns the upload: when the client goes away mid-body, the message is dropped and
   * the temporary files with it. */
  g_object_set_data_full (G_OBJECT (msg), UPLOAD_DATA_KEY, self, upload_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self);
}

/* Once the body is in (worker thread) -------------------------------------------------------- */

/* The multipart framing (RFC 2046 §5.1.1), read incrementally from the spool: libsoup's
 * SoupMultipartInputStream spins forever on some valid bodies (seen with libsoup 3.2 on a body
 * whose first delimiter is not preceded by CRLF), and SoupMultipart wants the whole body in
 * memory. A window of READ_SIZE plus the delimiter's length is all that is held. */
#define READ_SIZE        (256 * 1024)
#define MAX_PART_HEADERS (64 * 1024)

typedef struct
{
  GInputStream *in;
  guint8       *buf;
  gsize         start;
  gsize         end;
  gsize         size;
  gboolean      eof;
} Reader;

static gboolean
reader_fill (Reader        *r,
             GCancellable  *cancellable,
             GError       **error)
{
  gssize n;

  if (r->start > 0)
    {
      memmove (r->buf, r->buf + r->start, r->end - r->start);
      r->end -= r->start;
      r->start = 0;
    }
  if (r->end == r->size)
    {
      r->size *= 2;
      r->buf = g_realloc (r->buf, r->size);
    }
  n = g_input_stream_read (r->in, r->buf + r->end, r->size - r->end, cancellable, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    r->eof = TRUE;
  r->end += n;
  return TRUE;
}

static const guint8 *
reader_find (Reader     *r,
             const char *needle,
             gsize       needle_len)
{
  return memmem (r->buf + r->start, r->end - r->start, needle, needle_len);
}

static gboolean
malformed (GError     **error,
           const char  *why)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "error parsing multipart form: %s", why);
  return FALSE;
}

/* Copies everything up to the next @delimiter to @out (or drops it when @out is NULL) and
 * consumes the delimiter. */
static gboolean
reader_copy_to_delimiter (Reader         *r,
                          const char     *delimiter,
                          GOutputStream  *out,
                          const char     *sandbox_path,
                          GCancellable   *cancellable,
                          GError        **error)
{
  gsize delimiter_len = strlen (delimiter);

  for (;;)
    {
      const guint8 *found = reader_find (r, delimiter, delimiter_len);
      gsize available = r->end - r->start;
      gsize take;

      if (found != NULL)
        take = found - (r->buf + r->start);
      else
        take = available >= delimiter_len ? available - (delimiter_len - 1) : 0;
      if (take > 0 && out != NULL)
        {
          g_autoptr(GError) local_error = NULL;

          if (!g_output_stream_write_all (out, r->buf + r->start, take, NULL, cancellable,
                                          &local_error))
            {
              set_write_error (error, local_error, FALSE, sandbox_path);
              return FALSE;
            }
        }
      r->start += take;
      if (found != NULL)
        {
          r->start += delimiter_len;
          return TRUE;
        }
      if (r->eof)
        return malformed (error, "the body ends inside a part (no closing boundary)");
      if (!reader_fill (r, cancellable, error))
        return FALSE;
    }
}

/* Makes sure @count bytes are buffered, unless the body ends first. */
static gboolean
reader_want (Reader        *r,
             gsize          count,
             GCancellable  *cancellable,
             GError       **error)
{
  while (r->end - r->start < count && !r->eof)
    if (!reader_fill (r, cancellable, error))
      return FALSE;
  return TRUE;
}

/* After a delimiter: FALSE in *@last for a part's headers (parsed into @headers), TRUE for the
 * closing delimiter. */
static gboolean
reader_read_part_headers (Reader              *r,
                          SoupMessageHeaders  *headers,
                          gboolean            *last,
                          GCancellable        *cancellable,
                          GError             **error)
{
  const guint8 *line_end;
  const guint8 *headers_end;
  g_autoptr(GString) block = NULL;

  if (!reader_want (r, 2, cancellable, error))
    return FALSE;
  if (r->end - r->start >= 2 && memcmp (r->buf + r->start, "--", 2) == 0)
    {
      *last = TRUE;
      return TRUE;
    }
  *last = FALSE;

  /* The rest of the delimiter line (transport padding), then the headers up to a blank line. */
  while ((line_end = reader_find (r, "\r\n", 2)) == NULL)
    {
      if (r->eof || r->end - r->start > MAX_PART_HEADERS)
        return malformed (error, "a boundary line does not end");
      if (!reader_fill (r, cancellable, error))
        return FALSE;
    }
  r->start = line_end + 2 - r->buf;

  if (!reader_want (r, 2, cancellable, error))
    return FALSE;
  if (r->end - r->start >= 2 && memcmp (r->buf + r->start, "\r\n", 2) == 0)
    {
      r->start += 2;  /* a part without headers */
      return TRUE;
    }
  while ((headers_end = reader_find (r, "\r\n\r\n", 4)) == NULL)
    {
      if (r->eof || r->end - r->start > MAX_PART_HEADERS)
        return malformed (error, "the headers of a part do not end");
      if (!reader_fill (r, cancellable, error))
        return FALSE;
    }
  /* soup_headers_parse() skips a first (request or status) line: give it an empty one. */
  block = g_string_new ("X\r\n");
  g_string_append_len (block, (const char *) r->buf + r->start, headers_end + 2 - (r->buf + r->start));
  r->start = headers_end + 4 - r->buf;
  if (!soup_headers_parse (block->str, block->len, headers))
    return malformed (error, "the headers of a part are not valid");
  return TRUE;
}

/* Splits the spooled multipart body into temporary files, one per "file" part. */
static gboolean
split_multipart (Upload        *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) content_params = NULL;
  g_autoptr(SoupMessageHeaders) type_headers = NULL;
  g_autoptr(GInputStream) spool = NULL;
  g_autofree char *delimiter = NULL;
  Reader reader = { 0 };
  int spool_fd;
  gboolean ok = FALSE;

  spool_fd = open (self->spool_path, O_RDONLY | O_CLOEXEC);
  if (spool_fd < 0)
    return _cc_engine_set_errno_error (error, errno, "reading", "the upload");
  /* Unlinked now: the open descriptor keeps it readable, and nothing is left behind. */
  g_unlink (self->spool_path);
  g_clear_pointer (&self->spool_path, g_free);
  spool = g_unix_input_stream_new (spool_fd, TRUE);

  type_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
  soup_message_headers_replace (type_headers, "Content-Type", self->content_type);
  soup_message_headers_get_content_type (type_headers, &content_params);
  delimiter = g_strconcat ("\r\n--", (const char *) g_hash_table_lookup (content_params, "boundary"),
                           NULL);

  /* The first delimiter may open the body without a CRLF before it: supply one. */
  reader.in = spool;
  reader.size = READ_SIZE + strlen (delimiter);
  reader.buf = g_malloc (reader.size);
  memcpy (reader.buf, "\r\n", 2);
  reader.end = 2;

  if (!reader_copy_to_delimiter (&reader, delimiter, NULL, NULL, cancellable, error))
    goto out;

  for (;;)
    {
      g_autoptr(SoupMessageHeaders) part_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_MULTIPART);
      g_autoptr(GHashTable) params = NULL;
      g_autoptr(GOutputStream) part_out = NULL;
      const char *value, *field, *filename, *target;
      gboolean last;
      int fd;

      if (!reader_read_part_headers (&reader, part_headers, &last, cancellable, error))
        goto out;
      if (last)
        break;

      /* Not soup_message_headers_get_content_disposition(): it keeps only the last component
       * of a filename, and here the filename is the destination path. The
       * path is confined by resolve_target() instead. */
      value = soup_message_headers_get_one (part_headers, "Content-Disposition");
      if (value != NULL)
        params = soup_header_parse_semi_param_list (value);
      field = params != NULL ? g_hash_table_lookup (params, "name") : NULL;
      filename = params != NULL ? g_hash_table_lookup (params, "filename") : NULL;
      /* Only parts named "file" carry files; the SDK sends no others, and others are skipped. */
      if (g_strcmp0 (field, "file") != 0)
        {
          if (!reader_copy_to_delimiter (&reader, delimiter, NULL, NULL, cancellable, error))
            goto out;
          continue;
        }
      target = self->path != NULL ? self->path : filename;
      if (target == NULL || *target == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "a file part has no filename and the request no path");
          goto out;
        }
      if ((fd = open_destination (self, target, seen, error)) < 0)
        goto out;
      part_out = g_unix_output_stream_new (fd, TRUE);
      if (!reader_copy_to_delimiter (&reader, delimiter, part_out,
                                     ((UploadFile *) self->files->pdata[self->files->len - 1])->sandbox_path,
                                     cancellable, error))
        goto out;
      if (!g_output_stream_close (part_out, cancellable, error))
        goto out;
    }
  ok = TRUE;

out:
  g_free (reader.buf);
  return ok;
}

/* The destination is on another file system than the engine's private directory (something
 * mounted inside the sandbox's tree): the contents are copied into it instead, through the
 * same parent descriptor. FALSE with errno set. */
static gboolean
copy_across (CcEngineSandbox *sandbox,
             const char *temp_path,
             int         parent_fd,
             const char *base)
{
  struct stat st;
  int in = open (temp_path, O_RDONLY | O_CLOEXEC);
  int dir = openat (parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int out = dir >= 0 ? openat (dir, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644) : -1;
  gboolean ok = in >= 0 && out >= 0 && fstat (in, &st) == 0;
  int saved;

  /* read and write: copy_file_range refuses most pairs of different file systems. */
  if (ok)
    {
      g_autofree char *buf = g_malloc (64 * 1024);
      ssize_t n;

      while (ok && (n = read (in, buf, 64 * 1024)) != 0)
        {
          ssize_t done = 0;

          if (n < 0)
            {
              ok = errno == EINTR;
              continue;
            }
          while (ok && done < n)
            {
              ssize_t w = write (out, buf + done, n - done);

              if (w > 0)
                done += w;
              else if (w < 0 && errno != EINTR)
                ok = FALSE;
            }
        }
    }
  if (ok)
    {
      cc_engine_isolation_own_fd_for (sandbox, out);
      fchmod (out, st.st_mode & 07777);
    }
  saved = errno;
  if (in >= 0)
    close (in);
  if (out >= 0 && close (out) != 0 && ok)
    {
      saved = errno;
      ok = FALSE;
    }
  if (dir >= 0)
    close (dir);
  if (ok)
    unlink (temp_path);
  errno = saved;
  return ok;
}

/* Renames @file's temporary to its destination, through a descriptor of the parent opened
 * with symlinks refused.
 *
 * A rename is seen by watchers (WatchDir, and a dev server's own file watcher) as a file moved
 * in, where the sandbox daemon's in-place write shows a write; SDK code waiting for that write
 * would wait forever. So once the file is in place it is truncated to its own size through a
 * descriptor of the temporary: nothing changes but the kernel reports the write. */
static gboolean
rename_into_place (Upload      *self,
                   UploadFile  *file,
                   GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (file->host_path);
  g_autofree char *base = g_path_get_basename (file->host_path);
  g_autoptr(GError) open_error = NULL;
  int parent_fd = cc_engine_path_open (self->sandbox, parent, O_PATH | O_DIRECTORY, &open_error);
  int temp_fd;
  int saved;

  if (parent_fd < 0)
    {
      g_set_error (error, open_error->domain, open_error->code, "writing %s: %s",
                   file->sandbox_path, open_error->message);
      return FALSE;
    }
  temp_fd = open (file->temp_path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (renameat (AT_FDCWD, file->temp_path, parent_fd, base) == 0)
    {
      struct stat st;

      if (temp_fd >= 0 && fstat (temp_fd, &st) == 0)
        (void) !ftruncate (temp_fd, st.st_size);
      if (temp_fd >= 0)
        close (temp_fd);
      close (parent_fd);
      return TRUE;
    }
  saved = errno;
  if (temp_fd >= 0)
    close (temp_fd);
  close (parent_fd);
  return _cc_engine_set_errno_error (error, saved, "writing", file->sandbox_path);
}

/* The copies of commit: files whose destination is on another file system than their
 * temporary. On failure, the destinations this made are removed again. */
static gboolean
commit_copies (Upload  *self,
               GError **error)
{
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < self->files->len; i++)
    {
      UploadFile *file = self->files->pdata[i];
      g_autofree char *parent = g_path_get_dirname (file->host_path);
      g_autofree char *base = g_path_get_basename (file->host_path);
      struct stat parent_st, temp_st, dest_st;
      gboolean existed;
      int parent_fd = cc_engine_path_open (self->sandbox, parent, O_PATH | O_DIRECTORY, NULL);

      if (parent_fd < 0)
        continue;  /* reported by the renames */
      if (fstat (parent_fd, &parent_st) != 0 || stat (file->temp_path, &temp_st) != 0 ||
          parent_st.st_dev == temp_st.st_dev)
        {
          close (parent_fd);
          continue;
        }
      existed = fstatat (parent_fd, base, &dest_st, AT_SYMLINK_NOFOLLOW) == 0;
      if (copy_across (self->sandbox, file->temp_path, parent_fd, base))
        {
          g_clear_pointer (&file->temp_path, g_free);
          if (!existed)
            g_ptr_array_add (made, g_strdup (file->host_path));
        }
      else
        {
          int saved = errno;

          if (!existed)
            unlinkat (parent_fd, base, 0);
          _cc_engine_set_errno_error (error, saved, "writing", file->sandbox_path);
          ok = FALSE;
        }
      close (parent_fd);
    }
  for (guint i = 0; !ok && i < made->len; i++)
    {
      g_autofree char *parent = g_path_get_dirname (made->pdata[i]);
      g_autofree char *base = g_path_get_basename (made->pdata[i]);
      int parent_fd = cc_engine_path_open (self->sandbox, parent, O_PATH | O_DIRECTORY, NULL);

      if (parent_fd >= 0)
        {
          unlinkat (parent_fd, base, 0);
          close (parent_fd);
        }
    }
  return ok;
}

static JsonNode *
upload_commit (Upload        *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_output_stream_close (self->out, cancellable, &local_error))
    {
      if (self->multipart)
        set_write_error (error, local_error, FALSE, "the upload");
      else
        set_write_error (error, local_error, self->gzip,
                         ((UploadFile *) self->files->pdata[0])->sandbox_path);
      return NULL;
    }
  g_clear_object (&self->out);

  if (self->multipart && !split_multipart (self, cancellable, error))
    return NULL;
  if (self->files->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "the request holds no file: send parts named \"file\"");
      return NULL;
    }

  /* Everything arrived and was written: only now do the destinations change. Copies to
   * another file system (which can still fail, disk full) go first, and are undone if one
   * fails; renames, which cannot, follow. */
  if (!commit_copies (self, error))
    return NULL;
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->files->len; i++)
    {
      UploadFile *file = self->files->pdata[i];
      g_autofree char *name = g_path_get_basename (file->sandbox_path);

      if (file->temp_path != NULL && !rename_into_place (self, file, error))
        return NULL;
      g_clear_pointer (&file->temp_path, g_free);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "file");
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, file->sandbox_path);
      if (self->metadata != NULL)
        {
          GHashTableIter iter;
          gpointer key, value;

          json_builder_set_member_name (builder, "metadata");
          json_builder_begin_object (builder);
          g_hash_table_iter_init (&iter, self->metadata);
          while (g_hash_table_iter_next (&iter, &key, &value))
            {
              json_builder_set_member_name (builder, key);
              json_builder_add_string_value (builder, value);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
upload_work (gpointer      data,
             GCancellable *cancellable,
             GError      **error)
{
  Upload *self = data;
  JsonNode *result = upload_commit (self, cancellable, error);

  /* A failed upload leaves nothing behind by the time it is answered. */
  if (result == NULL)
    upload_discard (self);
  return result;
}

static void
upload_reply (SoupServerMessage *msg,
              JsonNode          *result,
              const GError      *error)
{
  if (result != NULL)
    _cc_engine_reply_json (msg, SOUP_STATUS_OK, result);
  else
    _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (error), error->message);
}

void
_cc_engine_upload_finish (SoupServerMessage *msg)
{
  Upload *self = g_object_steal_data (G_OBJECT (msg), UPLOAD_DATA_KEY);

  if (self == NULL)
    {
      /* The early handler did not see this request (it cannot happen through the router). */
      _cc_engine_reply_http_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                   "the upload was not received: try again");
      return;
    }
  g_signal_handlers_disconnect_by_func (msg, got_chunk_cb, self);
  if (self->error != NULL)
    {
      _cc_engine_reply_http_error (msg, _cc_engine_files_status_for_error (self->error),
                                   self->error->message);
      upload_free (self);
      return;
    }
  _cc_engine_worker_run (msg, upload_work, upload_reply, self, upload_free);
}
