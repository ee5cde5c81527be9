/* test-upload-stream.c: POST /files streamed to disk, and the engine on [::1]
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploads are generated on the fly by a GInputStream (never a buffer of their size) and sent to
 * the real engine binary. The engine's peak resident size (VmHWM) is read from /proc before and
 * after, so an engine that holds a body in memory fails here.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-test-util.h"
#include "engine-fs-fixture.h"

#define BIG_SIZE      ((goffset) 64 * 1024 * 1024)
/* What the engine may grow by while taking a 64 MiB upload: buffers, not the body. */
#define RSS_GROWTH_KB (24 * 1024)
#define WAIT_LIMIT_S  60

/* A generated body ------------------------------------------------------------------------ */

/* Produces @size deterministic bytes (optionally failing after @fail_after), hashing what it
 * hands out, and counts how much the client actually read. */
#define TEST_TYPE_PATTERN_STREAM (test_pattern_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestPatternStream, test_pattern_stream, TEST, PATTERN_STREAM, GInputStream)

struct _TestPatternStream
{
  GInputStream parent_instance;
  goffset      size;
  goffset      offset;
  goffset      fail_after;    /* -1: never */
  GChecksum   *checksum;
  GMutex       lock;
};

G_DEFINE_FINAL_TYPE (TestPatternStream, test_pattern_stream, G_TYPE_INPUT_STREAM)

static guint8
pattern_byte (goffset offset)
{
  guint64 x = (guint64) offset;

  /* Not periodic over small spans, so a misplaced block changes the checksum. */
  return (guint8) ((x * 2654435761u) >> 11 ^ (x >> 16));
}

static gssize
test_pattern_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestPatternStream *self = TEST_PATTERN_STREAM (stream);
  guint8 *out = buffer;
  gsize n;

  g_mutex_lock (&self->lock);
  if (self->fail_after >= 0 && self->offset >= self->fail_after)
    {
      g_mutex_unlock (&self->lock);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the generator gave up");
      return -1;
    }
  n = MIN (count, (gsize) (self->size - self->offset));
  for (gsize i = 0; i < n; i++)
    out[i] = pattern_byte (self->offset + i);
  g_checksum_update (self->checksum, out, n);
  self->offset += n;
  g_mutex_unlock (&self->lock);
  return n;
}

static void
test_pattern_stream_finalize (GObject *object)
{
  TestPatternStream *self = TEST_PATTERN_STREAM (object);

  g_checksum_free (self->checksum);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (test_pattern_stream_parent_class)->finalize (object);
}

static void
test_pattern_stream_class_init (TestPatternStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_pattern_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_pattern_stream_read;
}

static void
test_pattern_stream_init (TestPatternStream *self)
{
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  self->fail_after = -1;
  g_mutex_init (&self->lock);
}

static TestPatternStream *
pattern_stream_new (goffset size,
                    goffset fail_after)
{
  TestPatternStream *self = g_object_new (TEST_TYPE_PATTERN_STREAM, NULL);

  self->size = size;
  self->fail_after = fail_after;
  return self;
}

static goffset
pattern_stream_get_offset (TestPatternStream *self)
{
  goffset offset;

  g_mutex_lock (&self->lock);
  offset = self->offset;
  g_mutex_unlock (&self->lock);
  return offset;
}

/* Helpers ---------------------------------------------------------------------------------- */

static char *
file_sha256 (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc (1024 * 1024);
  gssize n;

  stream = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, 1024 * 1024, NULL, &error)) > 0)
    g_checksum_update (checksum, buffer, n);
  g_assert_no_error (error);
  return g_strdup (g_checksum_get_string (checksum));
}

/* The engine's peak resident set size in KiB. */
static guint64
engine_peak_rss_kb (FsFixture *f)
{
  return cc_test_proc_status_kib (cc_test_engine_get_pid (f->engine), "VmHWM");
}

static void
assert_rss_bounded (FsFixture  *f,
                    guint64     before_kb,
                    const char *what)
{
  guint64 after_kb = engine_peak_rss_kb (f);

  g_test_message ("engine peak RSS %s: %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT
                  " KiB after (+%" G_GUINT64_FORMAT " KiB)", what, before_kb, after_kb,
                  after_kb - before_kb);
#if defined(__SANITIZE_ADDRESS__)
  /* ASan keeps freed memory in quarantine: the peak says nothing about what is held. */
  g_test_message ("not checked under AddressSanitizer");
#else
  g_assert_cmpuint (after_kb - before_kb, <, RSS_GROWTH_KB);
#endif
}

/* Sends @msg, failing the test on a transport error; returns the answer's body. */
static GBytes *
send_ok (FsFixture   *f,
         SoupMessage *msg)
{
  return fs_send (f, msg);
}

/* Sends @msg, which the engine refuses before its body, and returns the answer's body. The
 * answer is read and its stream closed here, each step awaited while @msg lives: libsoup's own
 * send-and-read closes that stream after the engine has dropped the connection, and its close
 * could then reach the message's freed I/O state (a crash in the client, not the engine). */
static GBytes *
send_refused (FsFixture   *f,
              SoupMessage *msg)
{
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) body = g_byte_array_new ();

  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &sent);
  stream = soup_session_send_finish (f->session, cc_test_wait_result (&sent), &error);
  g_assert_no_error (error);
  /* An error answer is small; the bound only stops a runaway. */
  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GAsyncResult) read = NULL;
      g_autoptr(GBytes) chunk = NULL;

      g_input_stream_read_bytes_async (stream, 64 * 1024, G_PRIORITY_DEFAULT, NULL,
                                       cc_test_store_result_cb, &read);
      chunk = g_input_stream_read_bytes_finish (stream, cc_test_wait_result (&read), &error);
      g_assert_no_error (error);
      if (g_bytes_get_size (chunk) == 0)
        break;
      g_byte_array_append (body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
    }
  g_input_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &closed);
  g_input_stream_close_finish (stream, cc_test_wait_result (&closed), NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

/* Sends @text as the octet-stream body of the upload @msg; it must be stored at @host. */
static void
assert_octets_land (FsFixture   *f,
                    SoupMessage *msg,
                    const char  *text,
                    const char  *host)
{
  g_autoptr(GBytes) content = g_bytes_new (text, strlen (text));
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *contents = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", content);
  answer = send_ok (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (g_file_get_contents (host, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, text);
}

/* Sends @msg, which must fail on the client side (its body stream breaks). */
static void
send_broken (FsFixture   *f,
             SoupMessage *msg)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  bytes = soup_session_send_and_read_finish (f->session, result, &error);
  g_assert_null (bytes);
  g_assert_nonnull (error);
}

static gboolean
wait_tick_cb (gpointer user_data)
{
  gboolean *ticked = user_data;

  *ticked = TRUE;
  return G_SOURCE_REMOVE;
}

static guint
count_temporaries_in (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_prefix (name, ".cc-upload-"))
      count++;
  return count;
}

/* Names left by an unfinished upload, in @dir and in the engine's private directory where
 * uploads are written before they are renamed into place. */
static guint
count_temporaries (FsFixture  *f,
                   const char *dir)
{
  g_autofree char *private_dir = g_build_filename (cc_test_engine_get_data_dir (f->engine), "uploads", NULL);

  return count_temporaries_in (dir) + count_temporaries_in (private_dir);
}

static void
assert_error_status (SoupMessage *msg,
                     GBytes      *body,
                     guint        status)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  g_assert_cmpuint (soup_message_get_status (msg), ==, status);
  g_assert_nonnull (strstr (text, "\"code\""));
  g_assert_nonnull (strstr (text, "\"message\""));
}

/* Tests ------------------------------------------------------------------------------------ */

static void
test_big_octet_stream (FsFixture    *f,
                       gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fbig%2Fdata.bin");
  g_autoptr(TestPatternStream) body = pattern_stream_new (BIG_SIZE, -1);
  g_autofree char *host = fs_host_path (f, "big/data.bin");
  g_autofree char *host_dir = fs_host_path (f, "big");
  g_autofree char *sum = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;
  guint64 before_kb = engine_peak_rss_kb (f);

  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body), BIG_SIZE);
  answer = send_ok (f, msg);
  text = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_nonnull (strstr (text, "\"path\":\"/home/user/big/data.bin\""));
  assert_rss_bounded (f, before_kb, "for a 64 MiB octet-stream upload");

  g_assert_cmpint (g_stat (host, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, BIG_SIZE);
  sum = file_sha256 (host);
  g_assert_cmpstr (sum, ==, g_checksum_get_string (body->checksum));
  g_assert_cmpuint (count_temporaries (f, host_dir), ==, 0);
}

static void
test_big_chunked_gzip (FsFixture    *f,
                       gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fz.bin");
  g_autoptr(TestPatternStream) source = pattern_stream_new (16 * 1024 * 1024, -1);
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  g_autoptr(GInputStream) gzipped = g_converter_input_stream_new (G_INPUT_STREAM (source),
                                                                 G_CONVERTER (compressor));
  g_autofree char *host = fs_host_path (f, "z.bin");
  g_autofree char *sum = NULL;
  g_autoptr(GBytes) answer = NULL;

  /* No length: the body goes chunked, compressed on the fly. */
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Encoding", "gzip");
  soup_message_set_request_body (msg, "application/octet-stream", gzipped, -1);
  answer = send_ok (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  sum = file_sha256 (host);
  g_assert_cmpstr (sum, ==, g_checksum_get_string (source->checksum));
}

static void
test_multipart_many (FsFixture    *f,
                     gconstpointer data)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autofree char *uri = g_strconcat (f->url, "/files", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) large = NULL;
  g_autofree guint8 *large_data = g_malloc (3 * 1024 * 1024);
  g_autofree char *large_host = NULL;
  g_autofree char *large_contents = NULL;
  gsize large_length;
  JsonArray *array;
  const guint n_files = 300;

  for (gsize i = 0; i < 3 * 1024 * 1024; i++)
    large_data[i] = pattern_byte (i);
  /* A part that holds the boundary's prefix and CRLFs must come back byte for byte. */
  memcpy (large_data + 1000, "\r\n--\r\n--x\r\n", 11);
  large = g_bytes_new_take (g_steal_pointer (&large_data), 3 * 1024 * 1024);

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_strdup_printf ("proj/dir%u/file%u.txt", i % 7, i);
      g_autofree char *content = g_strdup_printf ("content of file %u\n", i);
      g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));

      soup_multipart_append_form_file (multipart, "file", name, "application/octet-stream", bytes);
    }
  /* Multipart fields not named "file" are ignored. */
  {
    g_autoptr(GBytes) other = g_bytes_new_static ("ignored", 7);

    soup_multipart_append_form_file (multipart, "note", "ignored.txt", "text/plain", other);
  }
  soup_multipart_append_form_file (multipart, "file", "/home/user/proj/large.bin",
                                   "application/octet-stream", large);

  msg = soup_message_new_from_multipart (uri, multipart);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "E2b-Sandbox-Id", f->sandbox_id);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Access-Token", f->token);
  answer = send_ok (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, n_files + 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "path"),
                   ==, "/home/user/proj/dir0/file0.txt");

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *relative = g_strdup_printf ("proj/dir%u/file%u.txt", i % 7, i);
      g_autofree char *host = fs_host_path (f, relative);
      g_autofree char *expected = g_strdup_printf ("content of file %u\n", i);
      g_autofree char *contents = NULL;

      g_file_get_contents (host, &contents, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (contents, ==, expected);
    }
  large_host = fs_host_path (f, "proj/large.bin");
  g_file_get_contents (large_host, &large_contents, &large_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (large_contents, large_length, g_bytes_get_data (large, NULL), g_bytes_get_size (large));
  {
    g_autofree char *ignored = fs_host_path (f, "ignored.txt");

    g_assert_false (g_file_test (ignored, G_FILE_TEST_EXISTS));
  }
}

static void
test_multipart_duplicate_writes_nothing (FsFixture    *f,
                                         gconstpointer data)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autofree char *uri = g_strconcat (f->url, "/files", NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GBytes) one = g_bytes_new_static ("new", 3);
  g_autofree char *first = fs_host_path (f, "first.txt");
  g_autofree char *contents = NULL;

  fs_write_host_file (f, "first.txt", "old");
  soup_multipart_append_form_file (multipart, "file", "first.txt", "application/octet-stream", one);
  soup_multipart_append_form_file (multipart, "file", "second.txt", "application/octet-stream", one);
  soup_multipart_append_form_file (multipart, "file", "second.txt", "application/octet-stream", one);
  msg = soup_message_new_from_multipart (uri, multipart);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "E2b-Sandbox-Id", f->sandbox_id);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Access-Token", f->token);
  answer = send_ok (f, msg);
  assert_error_status (msg, answer, 400);

  /* All or nothing: the first part was not put in place either. */
  g_assert_true (g_file_get_contents (first, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  {
    g_autofree char *second = fs_host_path (f, "second.txt");

    g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (count_temporaries (f, f->home), ==, 0);
}

static void
test_interrupted (FsFixture    *f,
                  gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fcut%2Fdata.bin");
  g_autoptr(TestPatternStream) body = pattern_stream_new (BIG_SIZE, 8 * 1024 * 1024);
  g_autofree char *host = fs_host_path (f, "cut/data.bin");
  g_autofree char *host_dir = fs_host_path (f, "cut");
  g_autofree char *contents = NULL;
  gint64 deadline;

  fs_write_host_file (f, "cut/data.bin", "previous");
  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body), BIG_SIZE);
  /* The client stops after 8 MiB of the announced 64 and drops the connection. */
  send_broken (f, msg);
  g_assert_cmpint (pattern_stream_get_offset (body), >=, 8 * 1024 * 1024);

  /* The engine notices the closed connection and drops its temporary file; the destination
   * never changed. Wait for that (bounded against hangs). */
  deadline = g_get_monotonic_time () + cc_test_scaled_seconds (WAIT_LIMIT_S) * G_USEC_PER_SEC;
  while (count_temporaries (f, host_dir) > 0)
    {
      gboolean ticked = FALSE;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_timeout_add (20, wait_tick_cb, &ticked);
      while (!ticked)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_true (g_file_get_contents (host, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "previous");

  /* The engine still takes uploads. */
  {
    g_autoptr(SoupMessage) again = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fcut%2Fdata.bin");

    assert_octets_land (f, again, "after", host);
  }
}

/* An engine killed during an upload leaves its temporary in its private directory (never in the
 * sandbox's tree), and the next start sweeps it: here it is left there by hand while the engine
 * is stopped. */
static void
test_swept_at_start (FsFixture    *f,
                     gconstpointer data)
{
  g_autofree char *uploads = g_build_filename (cc_test_engine_get_data_dir (f->engine), "uploads", NULL);
  g_autofree char *left = g_build_filename (uploads, ".cc-upload-left-behind", NULL);
  g_autoptr(GError) error = NULL;

  cc_test_engine_stop (f->engine);
  g_assert_cmpint (g_mkdir_with_parents (uploads, 0700), ==, 0);
  g_file_set_contents (left, "half an upload", -1, &error);
  g_assert_no_error (error);
  cc_test_engine_restart (f->engine);
  g_assert_false (g_file_test (left, G_FILE_TEST_EXISTS));
}

/* A refusal comes before the body: a client that waits for "100 Continue" sends none of it. */
static void
test_refused_early (FsFixture    *f,
                    gconstpointer data)
{
  static const struct
  {
    const char *token;        /* NULL: none, "" : the sandbox's */
    goffset     size;
    guint       status;
  } cases[] = {
    { NULL, (goffset) 1024 * 1024 * 1024, 401 },
    { "wrong-token", (goffset) 1024 * 1024 * 1024, 401 },
    { "", (goffset) 16 * 1024 * 1024 * 1024, 413 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fno.bin");
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
      g_autoptr(TestPatternStream) body = pattern_stream_new (cases[i].size, -1);
      g_autoptr(GBytes) answer = NULL;
      g_autofree char *refused = fs_host_path (f, "no.bin");
      guint64 before_kb = engine_peak_rss_kb (f);

      if (cases[i].token == NULL)
        soup_message_headers_remove (headers, "X-Access-Token");
      else if (*cases[i].token != '\0')
        soup_message_headers_replace (headers, "X-Access-Token", cases[i].token);
      soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
      soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body),
                                     cases[i].size);
      answer = send_refused (f, msg);
      assert_error_status (msg, answer, cases[i].status);
      g_assert_cmpint (pattern_stream_get_offset (body), ==, 0);
      g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_temporaries (f, f->home), ==, 0);
      assert_rss_bounded (f, before_kb, "for a refused upload");
    }
}

/* Without "Expect", an unauthenticated body is read and dropped, never kept. */
static void
test_refused_without_expect (FsFixture    *f,
                             gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files?path=%2Fhome%2Fuser%2Fno.bin");
  g_autoptr(TestPatternStream) body = pattern_stream_new (BIG_SIZE, -1);
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *refused = fs_host_path (f, "no.bin");
  guint64 before_kb = engine_peak_rss_kb (f);

  soup_message_headers_remove (soup_message_get_request_headers (msg), "X-Access-Token");
  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body), BIG_SIZE);
  answer = send_ok (f, msg);
  assert_error_status (msg, answer, 401);
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
  assert_rss_bounded (f, before_kb, "for a refused 64 MiB upload");
}

static gboolean
have_ipv6_loopback (void)
{
  struct sockaddr_in6 address = { 0 };
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  ok = bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return ok;
}

static void
test_ipv6_loopback (FsFixture    *f,
                    gconstpointer data)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;

  if (!have_ipv6_loopback ())
    {
      g_test_skip ("this machine has no IPv6 loopback");
      return;
    }
  uri = g_strdup_printf ("http://[::1]:%u/health", cc_test_engine_get_port (f->engine));
  msg = soup_message_new ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "E2b-Sandbox-Id", f->sandbox_id);
  answer = send_ok (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);

  /* And an upload there, as a client resolving "localhost" to ::1 first sends it. */
  {
    g_autofree char *upload_uri = g_strdup_printf ("http://[::1]:%u/files?path=v6.txt",
                                                   cc_test_engine_get_port (f->engine));
    g_autoptr(SoupMessage) upload = soup_message_new ("POST", upload_uri);
    g_autofree char *host = fs_host_path (f, "v6.txt");

    soup_message_headers_replace (soup_message_get_request_headers (upload), "E2b-Sandbox-Id", f->sandbox_id);
    soup_message_headers_replace (soup_message_get_request_headers (upload), "X-Access-Token", f->token);
    assert_octets_land (f, upload, "six", host);
  }
}

/* A body framed by hand as our client and other SDKs send it: no CRLF before the first
 * delimiter, a part larger than the engine's read window, a quoted filename. */
static void
test_multipart_raw (FsFixture    *f,
                    gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/files");
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *a_host = fs_host_path (f, "raw/a.bin");
  g_autofree char *q_host = fs_host_path (f, "raw/say \"hi\".txt");
  g_autofree char *a_contents = NULL;
  g_autofree char *q_contents = NULL;
  gsize a_length;
  const gsize big = 700 * 1024;
  static const char head1[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                              "filename=\"raw/a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  static const char head2[] = "\r\n--XyZ  \r\nContent-Disposition: form-data; name=\"file\"; "
                              "filename=\"raw/say \\\"hi\\\".txt\"\r\n\r\nq\r\n--XyZ--\r\n";

  g_byte_array_append (body, (const guint8 *) head1, strlen (head1));
  for (gsize i = 0; i < big; i++)
    {
      guint8 byte = pattern_byte (i);

      g_byte_array_append (body, &byte, 1);
    }
  g_byte_array_append (body, (const guint8 *) head2, strlen (head2));
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&body));
  soup_message_set_request_body_from_bytes (msg, "multipart/form-data; boundary=XyZ", bytes);
  answer = send_ok (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  g_assert_true (g_file_get_contents (a_host, &a_contents, &a_length, NULL));
  g_assert_cmpuint (a_length, ==, big);
  for (gsize i = 0; i < big; i++)
    if ((guint8) a_contents[i] != pattern_byte (i))
      g_assert_not_reached ();
  g_assert_true (g_file_get_contents (q_host, &q_contents, NULL, NULL));
  g_assert_cmpstr (q_contents, ==, "q");
}

/* A multipart part that does not fit on the disk: 507, and nothing left behind. */
static void
test_multipart_disk_full (FsFixture    *f,
                          gconstpointer data)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new ("multipart/form-data");
  g_autofree char *uri = g_strconcat (f->url, "/files", NULL);
  g_autofree char *small = fs_host_path (f, "small");
  g_autofree char *target = fs_host_path (f, "small/big.bin");
  g_autofree guint8 *big = g_malloc0 (512 * 1024);
  g_autoptr(GBytes) part = NULL;
  g_autoptr(GBytes) fits = g_bytes_new_static ("fits", 4);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint left;

  g_assert_cmpint (g_mkdir_with_parents (small, 0755), ==, 0);
  /* A tiny filesystem needs the privilege to mount one: CI runs as root, elsewhere we skip. */
  if (mount ("tmpfs", small, "tmpfs", 0, "size=64k") != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (needs root)");
      return;
    }
  part = g_bytes_new_take (g_steal_pointer (&big), 512 * 1024);
  soup_multipart_append_form_file (multipart, "file", "small/ok.txt", "application/octet-stream", fits);
  soup_multipart_append_form_file (multipart, "file", "small/big.bin", "application/octet-stream", part);
  msg = soup_message_new_from_multipart (uri, multipart);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "E2b-Sandbox-Id", f->sandbox_id);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Access-Token", f->token);
  answer = send_ok (f, msg);
  left = count_temporaries (f, small);
  {
    g_autofree char *ok = fs_host_path (f, "small/ok.txt");
    gboolean ok_exists = g_file_test (ok, G_FILE_TEST_EXISTS);
    gboolean big_exists = g_file_test (target, G_FILE_TEST_EXISTS);

    umount2 (small, MNT_DETACH);
    assert_error_status (msg, answer, 507);
    g_assert_cmpuint (left, ==, 0);
    g_assert_false (ok_exists);
    g_assert_false (big_exists);
  }
}

/* Preview traffic: a request body streams through to the dev server ----------------------- */

typedef struct
{
  GChecksum *checksum;
  goffset    length;
} DevBody;

static void
dev_body_free (gpointer data)
{
  DevBody *body = data;

  g_checksum_free (body->checksum);
  g_free (body);
}

static void
dev_got_chunk_cb (SoupServerMessage *msg,
                  GBytes            *chunk,
                  gpointer           user_data)
{
  DevBody *body = user_data;

  g_checksum_update (body->checksum, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  body->length += g_bytes_get_size (chunk);
}

/* The dev server hashes the body as it arrives (it keeps none of it either). */
static void
dev_early_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  DevBody *body = g_new0 (DevBody, 1);

  body->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), "dev-body", body, dev_body_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (dev_got_chunk_cb), body);
}

static void
dev_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  DevBody *body = g_object_get_data (G_OBJECT (msg), "dev-body");
  g_autofree char *text = g_strdup_printf ("%" G_GOFFSET_FORMAT " %s", body->length,
                                           g_checksum_get_string (body->checksum));

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
test_preview_body (FsFixture    *f,
                   gconstpointer data)
{
  g_autoptr(SoupServer) dev = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  GSList *uris;
  guint dev_port;

  soup_server_add_handler (dev, NULL, dev_handler, NULL, NULL);
  soup_server_add_early_handler (dev, NULL, dev_early_handler, NULL, NULL);
  soup_server_listen (dev, address, 0, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (dev);
  dev_port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  host = g_strdup_printf ("%u-%s.localhost:%u", dev_port, f->sandbox_id,
                          cc_test_engine_get_port (f->engine));

  /* With a length, then chunked; each 64 MiB. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *uri = g_strconcat (f->url, "/upload", NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
      g_autoptr(TestPatternStream) body = pattern_stream_new (BIG_SIZE, -1);
      g_autoptr(GBytes) answer = NULL;
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;
      guint64 before_kb = engine_peak_rss_kb (f);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Host", host);
      soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body),
                                     i == 0 ? BIG_SIZE : -1);
      answer = send_ok (f, msg);
      g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
      text = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
      expected = g_strdup_printf ("%" G_GOFFSET_FORMAT " %s", BIG_SIZE,
                                  g_checksum_get_string (body->checksum));
      g_assert_cmpstr (text, ==, expected);
      assert_rss_bounded (f, before_kb, i == 0 ? "for a 64 MiB preview request body"
                                               : "for a 64 MiB chunked preview request body");
    }
  soup_server_disconnect (dev);
}

static const char * const unisolated[] = { "CODE_CANVAS_ENGINE_NO_BWRAP=1", NULL };

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/engine/upload-stream/" path, FsFixture, NULL, fs_fixture_setup, func, fs_fixture_teardown)
  ADD ("octet-stream-64mib", test_big_octet_stream);
  ADD ("gzip-chunked", test_big_chunked_gzip);
  ADD ("multipart-many", test_multipart_many);
  ADD ("multipart-duplicate", test_multipart_duplicate_writes_nothing);
  ADD ("multipart-raw", test_multipart_raw);
  ADD ("multipart-disk-full", test_multipart_disk_full);
  ADD ("interrupted", test_interrupted);
  ADD ("swept-at-start", test_swept_at_start);
  ADD ("refused-early", test_refused_early);
  ADD ("refused-without-expect", test_refused_without_expect);
  ADD ("ipv6-loopback", test_ipv6_loopback);
  /* Its dev server is on this machine's loopback: an unisolated engine's sandboxes share it. */
  g_test_add ("/engine/upload-stream/preview-body", FsFixture, unisolated, fs_fixture_setup, test_preview_body,
              fs_fixture_teardown);
#undef ADD

  return g_test_run ();
}
