/* test-files.c: the engine's /files download and upload API over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cc-engine-files-access.h"
#include "cc-protojson.h"
#include "engine-fs-fixture.h"

/* Pure helpers --------------------------------------------------------------------------- */

static void
test_signature (void)
{
  g_autofree char *check = _cc_engine_files_signature ("/x", "read", NULL, "t", 0);
  g_autofree char *upload = NULL;
  g_autofree char *download = NULL;

  /* The protocol's check value and the two URLs the official SDK produced. */
  g_assert_cmpstr (check, ==, "v1_nK5zDZypLYDzI33/Gk5rzCXjzeFzbt6Gy2/q7P2X9/s");
  upload = _cc_engine_files_signature ("/home/user/a.txt", "write", NULL, "envd-access-token-123", 0);
  g_assert_cmpstr (upload, ==, "v1_MENwhzQKg7f8VEQYC95m+UyZLWW5Xb3HqcGLJSF9YEc");
  download = _cc_engine_files_signature ("/home/user/a.txt", "read", "user", "envd-access-token-123",
                                         1795667869);
  g_assert_cmpstr (download, ==, "v1_SSrq9U8pdCSS7/41dLqN9AV199YK2gIovQvdq/u/tPM");

  g_assert_true (_cc_engine_secret_equal ("abc", "abc"));
  g_assert_false (_cc_engine_secret_equal ("abc", "abd"));
  g_assert_false (_cc_engine_secret_equal ("abc", "abcd"));
  g_assert_false (_cc_engine_secret_equal (NULL, "abc"));
}

/* Helpers -------------------------------------------------------------------------------- */

static char *
files_path (const char *path,
            const char *extra)
{
  g_autofree char *escaped = g_uri_escape_string (path, NULL, FALSE);

  return g_strdup_printf ("/files?path=%s%s", escaped, extra ? extra : "");
}

typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
} Reply;

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_free (reply);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
send_message (FsFixture   *f,
              SoupMessage *msg)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->body = fs_send (f, msg);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return reply;
}

static Reply *
download (FsFixture  *f,
          const char *path_and_query,
          const char *header,
          const char *value)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "GET", path_and_query);

  if (header != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), header, value);
  return send_message (f, msg);
}

static Reply *
upload_multipart (FsFixture          *f,
                  const char         *path_and_query,
                  const char * const *names,
                  const char * const *contents,
                  const char         *token)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autofree char *uri = g_strconcat (f->url, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (contents[i], strlen (contents[i]));

      soup_multipart_append_form_file (multipart, "file", names[i], "application/octet-stream", bytes);
    }
  msg = soup_message_new_from_multipart (uri, multipart);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "E2b-Sandbox-Id", f->sandbox_id);
  if (token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Access-Token", token);
  return send_message (f, msg);
}

static Reply *
upload_octets (FsFixture  *f,
               const char *path_and_query,
               GBytes     *data,
               const char *encoding)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", path_and_query);

  if (encoding != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Encoding", encoding);
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", data);
  return send_message (f, msg);
}

static JsonNode *
reply_json (Reply *reply)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (g_bytes_get_data (reply->body, NULL), &error);

  g_assert_no_error (error);
  return node;
}

static void
assert_error (Reply      *reply,
              guint       status,
              const char *message)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpuint (reply->status, ==, status);
  node = reply_json (reply);
  object = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, status);
  if (message != NULL)
    g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, message);
}

static void
assert_host_file (FsFixture  *f,
                  const char *relative,
                  const char *expected,
                  gsize       length)
{
  g_autofree char *path = fs_host_path (f, relative);
  g_autofree char *contents = NULL;
  gsize got = 0;

  g_assert_true (g_file_get_contents (path, &contents, &got, NULL));
  g_assert_cmpmem (contents, got, expected, length);
}

static GBytes *
gzip_bytes (const void *data,
            gsize       length)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));

  g_assert_true (g_output_stream_write_all (out, data, length, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GBytes *
gunzip_bytes (GBytes *data)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (decompressor));
  g_autoptr(GError) error = NULL;
  gsize length;
  const void *bytes = g_bytes_get_data (data, &length);

  g_output_stream_write_all (out, bytes, length, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Upload ----------------------------------------------------------------------------------- */

static void
test_upload_single (FsFixture    *f,
                    gconstpointer data)
{
  static const char * const names[] = { "/home/user/a.txt", NULL };
  static const char * const contents[] = { "hello", NULL };
  g_autofree char *query = files_path ("/home/user/a.txt", NULL);
  g_autoptr(Reply) reply = upload_multipart (f, query, names, contents, f->token);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *first;

  g_assert_cmpuint (reply->status, ==, 200);
  node = reply_json (reply);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1);
  first = json_array_get_object_element (json_node_get_array (node), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "name"), ==, "a.txt");
  g_assert_cmpstr (json_object_get_string_member (first, "type"), ==, "file");
  g_assert_cmpstr (json_object_get_string_member (first, "path"), ==, "/home/user/a.txt");
  assert_host_file (f, "a.txt", "hello", 5);

  /* An existing file is truncated by a shorter upload. */
  {
    static const char * const shorter[] = { "hi", NULL };
    g_autoptr(Reply) again = upload_multipart (f, query, names, shorter, f->token);

    g_assert_cmpuint (again->status, ==, 200);
    assert_host_file (f, "a.txt", "hi", 2);
  }
}

static void
test_upload_many (FsFixture    *f,
                  gconstpointer data)
{
  static const char * const names[] = { "/home/user/b.txt", "rel/c.txt", "/tmp/t.txt", "deep/er/d.bin", NULL };
  static const char * const contents[] = { "bee", "sea", "tmp", "\x01\x02\xff", NULL };
  g_autoptr(Reply) reply = upload_multipart (f, "/files", names, contents, f->token);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  g_assert_cmpuint (reply->status, ==, 200);
  node = reply_json (reply);
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "path"), ==,
                   "/home/user/rel/c.txt");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "name"), ==,
                   "c.txt");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "path"), ==,
                   "/tmp/t.txt");
  assert_host_file (f, "b.txt", "bee", 3);
  assert_host_file (f, "rel/c.txt", "sea", 3);
  assert_host_file (f, "deep/er/d.bin", "\x01\x02\xff", 3);

  /* Two parts for one path are refused, and nothing is written. */
  {
    static const char * const dup_names[] = { "/home/user/x.txt", "x.txt", NULL };
    static const char * const dup_contents[] = { "1", "2", NULL };
    g_autoptr(Reply) dup = upload_multipart (f, "/files", dup_names, dup_contents, f->token);
    g_autofree char *x = fs_host_path (f, "x.txt");

    g_assert_cmpuint (dup->status, ==, 400);
    g_assert_false (g_file_test (x, G_FILE_TEST_EXISTS));
  }
}

static void
test_upload_octet_stream (FsFixture    *f,
                          gconstpointer data)
{
  static const char text[] = "streamed body";
  g_autoptr(GBytes) plain = g_bytes_new_static (text, strlen (text));
  g_autoptr(GBytes) zipped = gzip_bytes (text, strlen (text));
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x1f\x8b not gzip", 12);
  g_autofree char *d = files_path ("/home/user/d.txt", NULL);
  g_autofree char *g = files_path ("/home/user/g/z.txt", NULL);
  g_autofree char *bad = files_path ("/home/user/bad.txt", NULL);
  g_autoptr(Reply) reply = NULL;

  reply = upload_octets (f, d, plain, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  assert_host_file (f, "d.txt", text, strlen (text));

  g_clear_pointer (&reply, reply_free);
  reply = upload_octets (f, g, zipped, "gzip");
  g_assert_cmpuint (reply->status, ==, 200);
  assert_host_file (f, "g/z.txt", text, strlen (text));

  g_clear_pointer (&reply, reply_free);
  reply = upload_octets (f, bad, garbage, "gzip");
  assert_error (reply, 400, NULL);

  /* The path parameter is required for raw bodies. */
  g_clear_pointer (&reply, reply_free);
  reply = upload_octets (f, "/files", plain, NULL);
  assert_error (reply, 400, NULL);

  /* Writing over a directory is refused. */
  {
    g_autofree char *dir = fs_host_path (f, "adir");
    g_autofree char *query = files_path ("adir", NULL);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
    g_clear_pointer (&reply, reply_free);
    reply = upload_octets (f, query, plain, NULL);
    assert_error (reply, 400, NULL);
  }
}

static void
test_upload_metadata (FsFixture    *f,
                      gconstpointer data)
{
  g_autofree char *query = files_path ("/home/user/e.txt", NULL);
  g_autofree char *host = fs_host_path (f, "e.txt");
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", query);
  g_autoptr(GBytes) body = g_bytes_new_static ("meta", 4);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(JsonObject) stat = NULL;
  char value[64];
  ssize_t len;
  JsonObject *metadata;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Metadata-Owner", "me");
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  reply = send_message (f, msg);
  g_assert_cmpuint (reply->status, ==, 200);
  len = getxattr (host, "user.e2b.owner", value, sizeof value);
  if (len < 0 && errno == ENOTSUP)
    {
      g_test_skip ("this filesystem has no user xattrs");
      return;
    }
  g_assert_cmpint (len, ==, 2);
  g_assert_cmpmem (value, len, "me", 2);

  stat = fs_rpc (f, "Stat", "{\"path\":\"/home/user/e.txt\"}", NULL);
  metadata = cc_protojson_get_object (cc_protojson_get_object (stat, "entry"), "metadata");
  g_assert_cmpstr (cc_protojson_get_string (metadata, "owner"), ==, "me");
}

/* Download --------------------------------------------------------------------------------- */

static void
test_download (FsFixture    *f,
               gconstpointer data)
{
  g_autofree char *query = files_path ("/home/user/a.txt", NULL);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *disposition = NULL;

  fs_write_host_file (f, "a.txt", "hello");
  reply = download (f, query, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), "hello", 5);
  g_assert_cmpint (soup_message_headers_get_content_length (reply->headers), ==, 5);
  g_assert_cmpstr (soup_message_headers_get_content_type (reply->headers, NULL), ==, "text/plain");
  g_assert_nonnull (soup_message_headers_get_one (reply->headers, "Last-Modified"));
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Accept-Ranges"), ==, "bytes");
  g_assert_null (soup_message_headers_get_one (reply->headers, "Content-Encoding"));
  g_assert_true (soup_message_headers_get_content_disposition (reply->headers, &disposition, &params));
  g_assert_cmpstr (disposition, ==, "inline");
  g_assert_cmpstr (g_hash_table_lookup (params, "filename"), ==, "a.txt");

  /* A client with a fresh copy is told so; HEAD has the headers and no body. */
  {
    g_autoptr(Reply) cached = download (f, query, "If-Modified-Since",
                                        soup_message_headers_get_one (reply->headers, "Last-Modified"));
    g_autoptr(SoupMessage) head = fs_daemon_message (f, "HEAD", query);
    g_autoptr(Reply) head_reply = send_message (f, head);

    g_assert_cmpuint (cached->status, ==, 304);
    g_assert_cmpuint (g_bytes_get_size (cached->body), ==, 0);
    g_assert_cmpuint (head_reply->status, ==, 200);
    g_assert_cmpint (soup_message_headers_get_content_length (head_reply->headers), ==, 5);
    g_assert_cmpuint (g_bytes_get_size (head_reply->body), ==, 0);
  }

  /* Relative to home, and as root (whose home is the same directory). */
  {
    g_autoptr(Reply) rel = download (f, "/files?path=a.txt&username=root", NULL, NULL);

    g_assert_cmpuint (rel->status, ==, 200);
    g_assert_cmpuint (g_bytes_get_size (rel->body), ==, 5);
  }
  {
    g_autoptr(Reply) bad_user = download (f, "/files?path=a.txt&username=mallory", NULL, NULL);

    assert_error (bad_user, 401, NULL);
  }
  {
    g_autofree char *empty_query = files_path ("/home/user/empty", NULL);
    g_autoptr(Reply) empty = NULL;

    fs_write_host_file (f, "empty", "");
    empty = download (f, empty_query, "Accept-Encoding", "gzip");
    g_assert_cmpuint (empty->status, ==, 200);
    g_assert_cmpint (soup_message_headers_get_content_length (empty->headers), ==, 0);
  }
}

static void
test_download_gzip (FsFixture    *f,
                    gconstpointer data)
{
  g_autofree char *query = files_path ("/home/user/z.txt", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GBytes) plain = NULL;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "line %u of a compressible file\n", i);
  fs_write_host_file (f, "z.txt", text->str);

  reply = download (f, query, "Accept-Encoding", "gzip, deflate");
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Content-Encoding"), ==, "gzip");
  g_assert_true (soup_message_headers_header_contains (reply->headers, "Vary", "Accept-Encoding"));
  g_assert_cmpuint (g_bytes_get_size (reply->body), <, text->len / 4);
  plain = gunzip_bytes (reply->body);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), text->str, text->len);

  /* Binary content goes as it is: compressing it would cost more than it saves. */
  {
    g_autofree char *bin_query = files_path ("/home/user/blob.bin", NULL);
    g_autofree char *bin_path = fs_host_path (f, "blob.bin");
    g_autoptr(Reply) bin = NULL;
    guint8 blob[4096];

    for (guint i = 0; i < sizeof blob; i++)
      blob[i] = (guint8) (i * 167 + 13);
    g_assert_true (g_file_set_contents (bin_path, (const char *) blob, sizeof blob, NULL));
    bin = download (f, bin_query, "Accept-Encoding", "gzip, deflate");
    g_assert_cmpuint (bin->status, ==, 200);
    g_assert_null (soup_message_headers_get_one (bin->headers, "Content-Encoding"));
    g_assert_cmpmem (g_bytes_get_data (bin->body, NULL), g_bytes_get_size (bin->body), blob, sizeof blob);
  }
}

static void
test_download_range (FsFixture    *f,
                     gconstpointer data)
{
  g_autofree char *query = files_path ("/home/user/r.txt", NULL);
  g_autoptr(Reply) reply = NULL;
  goffset start, end, total;

  fs_write_host_file (f, "r.txt", "0123456789");
  reply = download (f, query, "Range", "bytes=2-5");
  g_assert_cmpuint (reply->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), "2345", 4);
  g_assert_true (soup_message_headers_get_content_range (reply->headers, &start, &end, &total));
  g_assert_cmpint (start, ==, 2);
  g_assert_cmpint (end, ==, 5);
  g_assert_cmpint (total, ==, 10);

  g_clear_pointer (&reply, reply_free);
  reply = download (f, query, "Range", "bytes=-3");
  g_assert_cmpuint (reply->status, ==, 206);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), "789", 3);

  g_clear_pointer (&reply, reply_free);
  reply = download (f, query, "Range", "bytes=50-60");
  g_assert_cmpuint (reply->status, ==, 416);
  g_assert_cmpstr (soup_message_headers_get_one (reply->headers, "Content-Range"), ==, "bytes */10");
}

static void
test_download_large (FsFixture    *f,
                     gconstpointer data)
{
  const gsize size = 8 * 1024 * 1024 + 123;
  g_autofree char *query = files_path ("/home/user/big.bin", NULL);
  g_autofree char *host = fs_host_path (f, "big.bin");
  g_autofree guint8 *contents = g_malloc (size);
  g_autoptr(Reply) reply = NULL;

  for (gsize i = 0; i < size; i++)
    contents[i] = (guint8) (i * 31 + i / 4096);
  g_assert_true (g_file_set_contents (host, (const char *) contents, size, NULL));

  /* Served in many chunks as the client reads: the bytes arrive whole and in order. */
  reply = download (f, query, NULL, NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpint (soup_message_headers_get_content_length (reply->headers), ==, size);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), contents, size);
}

static void
test_download_errors (FsFixture    *f,
                      gconstpointer data)
{
  g_autofree char *missing = files_path ("/home/user/missing.txt", NULL);
  g_autofree char *dir = files_path ("/home/user", NULL);
  g_autoptr(Reply) reply = NULL;

  reply = download (f, missing, NULL, NULL);
  assert_error (reply, 404, "path '/home/user/missing.txt' does not exist");
  g_clear_pointer (&reply, reply_free);
  reply = download (f, dir, NULL, NULL);
  assert_error (reply, 400, NULL);
}

/* Access ----------------------------------------------------------------------------------- */

static Reply *
unsigned_download (FsFixture  *f,
                   const char *path_and_query)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "GET", path_and_query);

  soup_message_headers_remove (soup_message_get_request_headers (msg), "X-Access-Token");
  return send_message (f, msg);
}

static char *
signed_query (const char *signature,
              const char *extra)
{
  g_autofree char *escaped = g_uri_escape_string (signature, NULL, FALSE);

  return g_strdup_printf ("/files?path=%%2Fhome%%2Fuser%%2Fs.txt&signature=%s%s", escaped, extra);
}

static void
test_signed_urls (FsFixture    *f,
                  gconstpointer data)
{
  const char *path = "/home/user/s.txt";
  g_autofree char *read_sig = _cc_engine_files_signature (path, "read", NULL, f->token, 0);
  g_autofree char *write_sig = _cc_engine_files_signature (path, "write", NULL, f->token, 0);
  gint64 future = g_get_real_time () / G_USEC_PER_SEC + 3600;
  gint64 past = g_get_real_time () / G_USEC_PER_SEC - 10;
  g_autofree char *future_sig = _cc_engine_files_signature (path, "read", "user", f->token, future);
  g_autofree char *past_sig = _cc_engine_files_signature (path, "read", "user", f->token, past);
  g_autofree char *q = NULL;
  g_autoptr(Reply) reply = NULL;

  fs_write_host_file (f, "s.txt", "signed");

#define SIGNED(sig, extra) (g_free (q), q = signed_query (sig, extra), q)

  reply = unsigned_download (f, SIGNED (read_sig, ""));
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (reply->body), ==, 6);

  g_clear_pointer (&reply, reply_free);
  {
    g_autofree char *extra = g_strdup_printf ("&username=user&signature_expiration=%" G_GINT64_FORMAT, future);

    reply = unsigned_download (f, SIGNED (future_sig, extra));
    g_assert_cmpuint (reply->status, ==, 200);
  }

  g_clear_pointer (&reply, reply_free);
  {
    g_autofree char *extra = g_strdup_printf ("&username=user&signature_expiration=%" G_GINT64_FORMAT, past);

    reply = unsigned_download (f, SIGNED (past_sig, extra));
    assert_error (reply, 401, NULL);
  }

  /* A write signature does not open reads; nothing at all does not either. */
  g_clear_pointer (&reply, reply_free);
  reply = unsigned_download (f, SIGNED (write_sig, ""));
  assert_error (reply, 401, NULL);
  g_clear_pointer (&reply, reply_free);
  reply = unsigned_download (f, "/files?path=%2Fhome%2Fuser%2Fs.txt");
  assert_error (reply, 401, NULL);
  /* The signature covers the path. */
  g_clear_pointer (&reply, reply_free);
  {
    g_autofree char *escaped = g_uri_escape_string (read_sig, NULL, FALSE);
    g_autofree char *other = g_strdup_printf ("/files?path=%%2Fhome%%2Fuser%%2Fother.txt&signature=%s",
                                              escaped);
    reply = unsigned_download (f, other);
    assert_error (reply, 401, NULL);
  }

  /* Upload with a write signature. */
  {
    static const char * const names[] = { "/home/user/s.txt", NULL };
    static const char * const contents[] = { "rewritten", NULL };
    g_autoptr(Reply) up = upload_multipart (f, SIGNED (write_sig, ""), names, contents, NULL);
    g_autoptr(Reply) up_bad = NULL;

    g_assert_cmpuint (up->status, ==, 200);
    assert_host_file (f, "s.txt", "rewritten", 9);
    up_bad = upload_multipart (f, SIGNED (read_sig, ""), names, contents, NULL);
    assert_error (up_bad, 401, NULL);
  }

  /* A wrong token is refused even with a good signature. */
  {
    static const char * const names[] = { "/home/user/s.txt", NULL };
    static const char * const contents[] = { "x", NULL };
    g_autoptr(Reply) wrong = upload_multipart (f, SIGNED (write_sig, ""), names, contents, "not-the-token");

    assert_error (wrong, 401, NULL);
  }
#undef SIGNED
}

/* Signed URLs built on E2B_SANDBOX_URL carry no sandbox id: the signature picks the sandbox. */
static Reply *
send_unrouted (FsFixture   *f,
               SoupMessage *msg)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  soup_message_headers_remove (headers, "E2b-Sandbox-Id");
  soup_message_headers_remove (headers, "E2b-Sandbox-Port");
  soup_message_headers_remove (headers, "X-Access-Token");
  return send_message (f, msg);
}

static Reply *
unrouted_download (FsFixture  *f,
                   const char *path_and_query)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "GET", path_and_query);

  return send_unrouted (f, msg);
}

static Reply *
unrouted_upload (FsFixture  *f,
                 const char *path_and_query,
                 const char *contents)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autofree char *uri = g_strconcat (f->url, path_and_query, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (contents, strlen (contents));
  g_autoptr(SoupMessage) msg = NULL;

  soup_multipart_append_form_file (multipart, "file", "/home/user/s.txt", "application/octet-stream",
                                   bytes);
  msg = soup_message_new_from_multipart (uri, multipart);
  return send_unrouted (f, msg);
}

/* A second sandbox of the fixture's engine; its id and token. */
static void
create_sandbox (FsFixture  *f,
                char      **sandbox_id,
                char      **token)
{
  static const char create[] = "{\"templateID\":\"base\",\"timeout\":300}";
  g_autofree char *uri = g_strconcat (f->url, "/sandboxes", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) body = g_bytes_new_static (create, strlen (create));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *text;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-KEY",
                                cc_test_engine_get_api_key (f->engine));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = fs_send (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  text = g_bytes_get_data (answer, &length);
  object = cc_protojson_parse_object (text, length, &error);
  g_assert_no_error (error);
  *sandbox_id = g_strdup (cc_protojson_get_string (object, "sandboxID"));
  *token = g_strdup (cc_protojson_get_string (object, "envdAccessToken"));
  g_assert_nonnull (*sandbox_id);
  g_assert_nonnull (*token);
}

static void
assert_body (Reply      *reply,
             const char *expected)
{
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body),
                   expected, strlen (expected));
}

static void
test_signed_urls_unrouted (FsFixture    *f,
                           gconstpointer data)
{
  const char *path = "/home/user/s.txt";
  g_autofree char *other_id = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *other_home = NULL;
  g_autofree char *other_file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *read_a = NULL;
  g_autofree char *read_b = NULL;
  g_autofree char *write_b = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *expiring = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *q = NULL;
  g_autofree char *extra = NULL;
  gint64 future = g_get_real_time () / G_USEC_PER_SEC + 3600;
  gint64 past = g_get_real_time () / G_USEC_PER_SEC - 10;
  Reply *reply;

  create_sandbox (f, &other_id, &other_token);
  other_home = g_build_filename (cc_test_engine_get_data_dir (f->engine), "sandboxes", other_id, NULL);
  other_file = g_build_filename (other_home, "s.txt", NULL);
  fs_write_host_file (f, "s.txt", "from-a");
  g_assert_true (g_file_set_contents (other_file, "from-b", -1, NULL));

  read_a = _cc_engine_files_signature (path, "read", NULL, f->token, 0);
  read_b = _cc_engine_files_signature (path, "read", NULL, other_token, 0);
  write_b = _cc_engine_files_signature (path, "write", NULL, other_token, 0);
  forged = _cc_engine_files_signature (path, "read", NULL, "not-a-token", 0);
  expiring = _cc_engine_files_signature (path, "read", "user", other_token, future);
  expired = _cc_engine_files_signature (path, "read", "user", other_token, past);

#define SIGNED(sig, more) (g_free (q), q = signed_query (sig, more), q)

  /* Each signature reaches the files of its own sandbox. */
  reply = unrouted_download (f, SIGNED (read_a, ""));
  assert_body (reply, "from-a");
  reply_free (reply);
  reply = unrouted_download (f, SIGNED (read_b, ""));
  assert_body (reply, "from-b");
  reply_free (reply);
  extra = g_strdup_printf ("&username=user&signature_expiration=%" G_GINT64_FORMAT, future);
  reply = unrouted_download (f, SIGNED (expiring, extra));
  assert_body (reply, "from-b");
  reply_free (reply);

  /* An upload through the early handler lands in that sandbox only. */
  reply = unrouted_upload (f, SIGNED (write_b, ""), "new-b");
  g_assert_cmpuint (reply->status, ==, 200);
  reply_free (reply);
  g_assert_true (g_file_get_contents (other_file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "new-b");
  assert_host_file (f, "s.txt", "from-a", 6);

  /* Refusals are envd's, not the control plane's "Invalid API key". */
  g_free (extra);
  extra = g_strdup_printf ("&username=user&signature_expiration=%" G_GINT64_FORMAT, past);
  reply = unrouted_download (f, SIGNED (expired, extra));
  assert_error (reply, 401, "signature is already expired");
  reply_free (reply);
  reply = unrouted_download (f, SIGNED (forged, ""));
  assert_error (reply, 401, "invalid signature");
  reply_free (reply);
  reply = unrouted_download (f, SIGNED ("garbage", ""));
  assert_error (reply, 401, "invalid signature");
  reply_free (reply);
  reply = unrouted_download (f, SIGNED (write_b, ""));  /* the operation is signed too */
  assert_error (reply, 401, "invalid signature");
  reply_free (reply);
  reply = unrouted_upload (f, SIGNED (read_b, ""), "nope");
  assert_error (reply, 401, "invalid signature");
  reply_free (reply);
  reply = unrouted_upload (f, SIGNED (forged, "&signature_expiration=soon"), "nope");
  assert_error (reply, 401, "invalid signature expiration");
  reply_free (reply);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (other_file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "new-b");
  assert_host_file (f, "s.txt", "from-a", 6);

  /* Without a signature nothing changes: it is a control-plane request. */
  reply = unrouted_download (f, "/files?path=%2Fhome%2Fuser%2Fs.txt");
  assert_error (reply, 401, "Invalid API key");
  reply_free (reply);
#undef SIGNED
}

static void
test_escapes (FsFixture    *f,
              gconstpointer data)
{
  g_autofree char *escape = fs_host_path (f, "escape");
  g_autoptr(GBytes) body = g_bytes_new_static ("pwned", 5);
  static const char * const reads[] = {
    "/files?path=%2Fetc%2Fpasswd",
    "/files?path=..%2F..%2Fetc%2Fpasswd",
    "/files?path=%2Fhome%2Fuser%2F..%2F..%2Fetc%2Fpasswd",
    "/files?path=%2Fhome%2Fuser%2Fescape%2Fetc%2Fpasswd",
    "/files?path=%2Fhome%2Fuser%2Fescape",
  };

  g_assert_cmpint (symlink ("/", escape), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      g_autoptr(Reply) reply = download (f, reads[i], NULL, NULL);

      g_test_message ("%s", reads[i]);
      assert_error (reply, 403, NULL);
    }

  {
    g_autoptr(Reply) up = upload_octets (f, "/files?path=%2Fhome%2Fuser%2Fescape%2Ftmp%2Fcc-engine-fs-pwned",
                                         body, NULL);

    assert_error (up, 403, NULL);
    g_assert_false (g_file_test ("/tmp/cc-engine-fs-pwned", G_FILE_TEST_EXISTS));
  }
  {
    static const char * const names[] = { "../outside.txt", NULL };
    static const char * const contents[] = { "x", NULL };
    g_autoptr(Reply) up = upload_multipart (f, "/files", names, contents, f->token);
    g_autofree char *outside = g_build_filename (f->home, "..", "outside.txt", NULL);

    assert_error (up, 403, NULL);
    g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
  }
}

/* Disk full -------------------------------------------------------------------------------- */

static void
test_disk_full (FsFixture    *f,
                gconstpointer data)
{
  g_autofree char *small = fs_host_path (f, "small");
  g_autofree guint8 *big = g_malloc0 (512 * 1024);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(Reply) reply = NULL;

  g_assert_cmpint (g_mkdir_with_parents (small, 0755), ==, 0);
  /* A tiny filesystem needs the privilege to mount one: CI runs as root, elsewhere we skip. */
  if (mount ("tmpfs", small, "tmpfs", 0, "size=64k") != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (needs root)");
      return;
    }
  body = g_bytes_new_take (g_steal_pointer (&big), 512 * 1024);
  reply = upload_octets (f, "/files?path=%2Fhome%2Fuser%2Fsmall%2Fbig.bin", body, NULL);
  umount2 (small, MNT_DETACH);
  assert_error (reply, 507, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/files/signature", test_signature);
#define ADD(path, func) \
  g_test_add ("/engine/files/" path, FsFixture, NULL, fs_fixture_setup, func, fs_fixture_teardown)
  ADD ("upload/single", test_upload_single);
  ADD ("upload/many", test_upload_many);
  ADD ("upload/octet-stream", test_upload_octet_stream);
  ADD ("upload/metadata", test_upload_metadata);
  ADD ("download/plain", test_download);
  ADD ("download/gzip", test_download_gzip);
  ADD ("download/range", test_download_range);
  ADD ("download/large", test_download_large);
  ADD ("download/errors", test_download_errors);
  ADD ("signed-urls", test_signed_urls);
  ADD ("signed-urls/unrouted", test_signed_urls_unrouted);
  ADD ("escapes", test_escapes);
  ADD ("disk-full", test_disk_full);
#undef ADD

  return g_test_run ();
}
