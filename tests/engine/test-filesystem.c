/* test-filesystem.c: the engine's filesystem.Filesystem service over real HTTP
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cc-connect-codec.h"
#include "cc-engine-entry-info.h"
#include "cc-test-util.h"
#include "cc-protojson.h"
#include "engine-fs-fixture.h"

/* Pure helpers --------------------------------------------------------------------------- */

static void
test_permissions (void)
{
  static const struct { guint mode; const char *text; } cases[] = {
    { S_IFREG | 0644, "-rw-r--r--" },
    { S_IFDIR | 0755, "drwxr-xr-x" },
    { S_IFLNK | 0777, "Lrwxrwxrwx" },
    { S_IFDIR | S_ISVTX | 0777, "dtrwxrwxrwx" },
    { S_IFREG | S_ISUID | 0755, "urwxr-xr-x" },
    { S_IFREG | 0, "----------" },
    { S_IFIFO | 0600, "prw-------" },
    { S_IFCHR | 0666, "Dcrw-rw-rw-" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = _cc_engine_entry_format_permissions (cases[i].mode);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Helpers -------------------------------------------------------------------------------- */

static JsonObject *
rpc_ok (FsFixture  *f,
        const char *method,
        const char *request)
{
  guint status = 0;
  JsonObject *answer = fs_rpc (f, method, request, &status);

  if (status != 200)
    g_error ("%s %s answered %u: %s", method, request, status,
             cc_protojson_get_string (answer, "message"));
  return answer;
}

static void
rpc_error (FsFixture  *f,
           const char *method,
           const char *request,
           guint       expected_status,
           const char *expected_code)
{
  guint status = 0;
  g_autoptr(JsonObject) answer = fs_rpc (f, method, request, &status);

  g_assert_cmpuint (status, ==, expected_status);
  g_assert_cmpstr (cc_protojson_get_string (answer, "code"), ==, expected_code);
  g_assert_nonnull (cc_protojson_get_string (answer, "message"));
}

static JsonObject *
find_entry (JsonArray  *entries,
            const char *path)
{
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_strcmp0 (cc_protojson_get_string (entry, "path"), path) == 0)
        return entry;
    }
  return NULL;
}

/* Stat, EntryInfo -------------------------------------------------------------------------- */

static void
test_stat_file (FsFixture    *f,
                gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *host = fs_host_path (f, "a.txt");
  JsonObject *entry;
  gint64 usec;

  fs_write_host_file (f, "a.txt", "hello");
  g_assert_cmpint (chmod (host, 0644), ==, 0);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/a.txt\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_nonnull (entry);
  g_assert_cmpstr (cc_protojson_get_string (entry, "name"), ==, "a.txt");
  g_assert_cmpstr (cc_protojson_get_string (entry, "type"), ==, "FILE_TYPE_FILE");
  g_assert_cmpstr (cc_protojson_get_string (entry, "path"), ==, "/home/user/a.txt");
  /* int64 travels as a string, zero values are left out. */
  g_assert_cmpstr (cc_protojson_get_string (entry, "size"), ==, "5");
  g_assert_cmpint (json_object_get_int_member (entry, "mode"), ==, 420);
  g_assert_cmpstr (cc_protojson_get_string (entry, "permissions"), ==, "-rw-r--r--");
  g_assert_cmpstr (cc_protojson_get_string (entry, "owner"), ==, "user");
  g_assert_cmpstr (cc_protojson_get_string (entry, "group"), ==, "user");
  g_assert_true (g_str_has_suffix (cc_protojson_get_string (entry, "modifiedTime"), "Z"));
  g_assert_true (cc_protojson_parse_timestamp (cc_protojson_get_string (entry, "modifiedTime"), &usec));
  g_assert_cmpint (ABS (usec / G_USEC_PER_SEC - g_get_real_time () / G_USEC_PER_SEC), <, 600);
  g_assert_false (json_object_has_member (entry, "symlinkTarget"));
  g_assert_false (json_object_has_member (entry, "metadata"));

  /* Relative paths and "~" are under the user's home. */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"a.txt\"}");
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (answer, "entry"), "path"), ==,
                   "/home/user/a.txt");
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"~/a.txt\"}");
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (answer, "entry"), "path"), ==,
                   "/home/user/a.txt");
}

static void
test_stat_dir_and_missing (FsFixture    *f,
                           gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *host = fs_host_path (f, "sub");
  JsonObject *entry;

  g_assert_cmpint (g_mkdir_with_parents (host, 0755), ==, 0);
  g_assert_cmpint (chmod (host, 0755), ==, 0);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/sub\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_cmpstr (cc_protojson_get_string (entry, "type"), ==, "FILE_TYPE_DIRECTORY");
  g_assert_cmpint (json_object_get_int_member (entry, "mode"), ==, 493);
  g_assert_cmpstr (cc_protojson_get_string (entry, "permissions"), ==, "drwxr-xr-x");

  rpc_error (f, "Stat", "{\"path\":\"/home/user/missing\"}", 404, "not_found");
  rpc_error (f, "Stat", "{\"path\":\"/home/user/a\",\"bogus\":1}", 400, "invalid_argument");
  rpc_error (f, "Stat", "{\"path\":17}", 400, "invalid_argument");
}

static void
test_stat_symlinks (FsFixture    *f,
                    gconstpointer data)
{
  g_autofree char *link = fs_host_path (f, "link");
  g_autofree char *dirlink = fs_host_path (f, "dirlink");
  g_autofree char *broken = fs_host_path (f, "broken");
  g_autofree char *escape = fs_host_path (f, "escape");
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *entry;

  fs_write_host_file (f, "target.txt", "data");
  fs_write_host_file (f, "d/inner.txt", "x");
  g_assert_cmpint (symlink ("target.txt", link), ==, 0);
  g_assert_cmpint (symlink ("/home/user/d", dirlink), ==, 0);
  g_assert_cmpint (symlink ("nope", broken), ==, 0);
  g_assert_cmpint (symlink ("/", escape), ==, 0);

  /* A link has its target's type and the target as the sandbox sees it. */
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/link\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_cmpstr (cc_protojson_get_string (entry, "type"), ==, "FILE_TYPE_FILE");
  g_assert_cmpstr (cc_protojson_get_string (entry, "symlinkTarget"), ==, "/home/user/target.txt");
  g_assert_cmpstr (cc_protojson_get_string (entry, "permissions"), ==, "Lrwxrwxrwx");
  g_assert_cmpstr (cc_protojson_get_string (entry, "name"), ==, "link");

  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/dirlink\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_cmpstr (cc_protojson_get_string (entry, "type"), ==, "FILE_TYPE_DIRECTORY");
  g_assert_cmpstr (cc_protojson_get_string (entry, "symlinkTarget"), ==, "/home/user/d");

  /* Broken: no type (unspecified), the target it names. */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/broken\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_false (json_object_has_member (entry, "type"));
  g_assert_cmpstr (cc_protojson_get_string (entry, "symlinkTarget"), ==, "/home/user/nope");

  /* A link out of the sandbox is described as a broken link, never followed. */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/home/user/escape\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_false (json_object_has_member (entry, "type"));
  g_assert_cmpstr (cc_protojson_get_string (entry, "symlinkTarget"), ==, "/");
}

static void
test_stat_metadata (FsFixture    *f,
                    gconstpointer data)
{
  g_autofree char *host = fs_host_path (f, "m.txt");
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *metadata;

  fs_write_host_file (f, "m.txt", "m");
  if (setxattr (host, "user.e2b.owner", "me", 2, 0) != 0)
    {
      g_test_skip ("this filesystem has no user xattrs");
      return;
    }
  setxattr (host, "user.other", "x", 1, 0);
  answer = rpc_ok (f, "Stat", "{\"path\":\"m.txt\"}");
  metadata = cc_protojson_get_object (cc_protojson_get_object (answer, "entry"), "metadata");
  g_assert_nonnull (metadata);
  g_assert_cmpuint (json_object_get_size (metadata), ==, 1);
  g_assert_cmpstr (cc_protojson_get_string (metadata, "owner"), ==, "me");
}

static void
test_stat_as_root (FsFixture    *f,
                   gconstpointer data)
{
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/filesystem.Filesystem/Stat");
  static const char request[] = "{\"path\":\"~/r.txt\"}";
  g_autoptr(GBytes) body = g_bytes_new_static (request, strlen (request));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;

  /* "Authorization: Basic base64(user:)" selects the user; root's home is /root. */
  fs_write_host_file (f, "r.txt", "root");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Basic cm9vdDo=");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = fs_send (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  object = cc_protojson_parse_object (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL);
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (object, "entry"), "path"), ==,
                   "/root/r.txt");
}

/* ListDir ---------------------------------------------------------------------------------- */

static void
test_list_dir (FsFixture    *f,
               gconstpointer data)
{
  g_autofree char *dirlink = fs_host_path (f, "b/link-to-c");
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *entries;

  fs_write_host_file (f, "a.txt", "a");
  fs_write_host_file (f, "b/c/deep.txt", "deep");
  fs_write_host_file (f, "b/b.txt", "b");
  g_assert_cmpint (symlink ("c", dirlink), ==, 0);

  answer = rpc_ok (f, "ListDir", "{\"path\":\"/home/user\",\"depth\":1}");
  entries = json_object_get_array_member (answer, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_assert_nonnull (find_entry (entries, "/home/user/a.txt"));
  g_assert_cmpstr (cc_protojson_get_string (find_entry (entries, "/home/user/b"), "type"), ==,
                   "FILE_TYPE_DIRECTORY");

  /* Depth 2: the second level too, never the root itself, links listed but not walked. */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "ListDir", "{\"path\":\"/home/user\",\"depth\":2}");
  entries = json_object_get_array_member (answer, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 5);
  g_assert_nonnull (find_entry (entries, "/home/user/b/b.txt"));
  g_assert_nonnull (find_entry (entries, "/home/user/b/c"));
  g_assert_cmpstr (cc_protojson_get_string (find_entry (entries, "/home/user/b/link-to-c"),
                                            "symlinkTarget"), ==, "/home/user/b/c");
  g_assert_null (find_entry (entries, "/home/user/b/c/deep.txt"));
  g_assert_null (find_entry (entries, "/home/user"));

  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "ListDir", "{\"path\":\"/home/user/b\",\"depth\":5}");
  entries = json_object_get_array_member (answer, "entries");
  g_assert_nonnull (find_entry (entries, "/home/user/b/c/deep.txt"));
  g_assert_null (find_entry (entries, "/home/user/b/link-to-c/deep.txt"));
  /* Paths are rebuilt under the requested path, a directory before its content. */
  g_assert_cmpstr (cc_protojson_get_string (json_array_get_object_element (entries, 0), "path"), ==,
                   "/home/user/b/b.txt");
  g_assert_cmpstr (cc_protojson_get_string (json_array_get_object_element (entries, 1), "path"), ==,
                   "/home/user/b/c");
  g_assert_cmpstr (cc_protojson_get_string (json_array_get_object_element (entries, 2), "path"), ==,
                   "/home/user/b/c/deep.txt");

  rpc_error (f, "ListDir", "{\"path\":\"/home/user/missing\",\"depth\":1}", 404, "not_found");
  rpc_error (f, "ListDir", "{\"path\":\"/home/user/a.txt\",\"depth\":1}", 400, "invalid_argument");
}

/* MakeDir, Move, Remove -------------------------------------------------------------------- */

static void
test_make_dir (FsFixture    *f,
               gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *host = fs_host_path (f, "x/y/z");
  JsonObject *entry;

  answer = rpc_ok (f, "MakeDir", "{\"path\":\"/home/user/x/y/z\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_cmpstr (cc_protojson_get_string (entry, "path"), ==, "/home/user/x/y/z");
  g_assert_cmpstr (cc_protojson_get_string (entry, "type"), ==, "FILE_TYPE_DIRECTORY");
  g_assert_true (g_file_test (host, G_FILE_TEST_IS_DIR));

  rpc_error (f, "MakeDir", "{\"path\":\"/home/user/x/y/z\"}", 409, "already_exists");
  fs_write_host_file (f, "file", "f");
  rpc_error (f, "MakeDir", "{\"path\":\"/home/user/file\"}", 400, "invalid_argument");
  rpc_error (f, "MakeDir", "{\"path\":\"/home/user/file/below\"}", 400, "invalid_argument");
}

static void
test_move (FsFixture    *f,
           gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *from = fs_host_path (f, "from.txt");
  g_autofree char *to = fs_host_path (f, "new/dir/to.txt");
  g_autofree char *contents = NULL;
  JsonObject *entry;

  fs_write_host_file (f, "from.txt", "moved");
  answer = rpc_ok (f, "Move", "{\"source\":\"/home/user/from.txt\",\"destination\":\"/home/user/new/dir/to.txt\"}");
  entry = cc_protojson_get_object (answer, "entry");
  g_assert_cmpstr (cc_protojson_get_string (entry, "path"), ==, "/home/user/new/dir/to.txt");
  g_assert_cmpstr (cc_protojson_get_string (entry, "name"), ==, "to.txt");
  g_assert_false (g_file_test (from, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (to, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "moved");

  /* Between home and /tmp (distinct directories on this machine) too. */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Move", "{\"source\":\"new/dir/to.txt\",\"destination\":\"/tmp/t.txt\"}");
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Stat", "{\"path\":\"/tmp/t.txt\"}");
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (answer, "entry"), "size"), ==, "5");

  rpc_error (f, "Move", "{\"source\":\"/home/user/none\",\"destination\":\"/home/user/b\"}", 404, "not_found");
}

static void
test_remove (FsFixture    *f,
             gconstpointer data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *tree = fs_host_path (f, "tree");
  g_autofree char *outside_link = fs_host_path (f, "tree/out");
  g_autofree char *keep = fs_host_path (f, "keep/file");
  g_autofree char *keep_link = fs_host_path (f, "tree/keep-link");

  fs_write_host_file (f, "tree/a/b/c.txt", "c");
  fs_write_host_file (f, "keep/file", "k");
  g_assert_cmpint (symlink ("/", outside_link), ==, 0);
  g_assert_cmpint (symlink ("/home/user/keep", keep_link), ==, 0);

  answer = rpc_ok (f, "Remove", "{\"path\":\"/home/user/tree\"}");
  g_assert_cmpuint (json_object_get_size (answer), ==, 0);
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  /* Links inside are removed, never followed. */
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));

  /* A missing path is not an error (RemoveAll). */
  g_clear_pointer (&answer, json_object_unref);
  answer = rpc_ok (f, "Remove", "{\"path\":\"/home/user/tree\"}");
  rpc_error (f, "Remove", "{\"path\":\"/home/user\"}", 403, "permission_denied");
}

/* Path escapes ------------------------------------------------------------------------------ */

static void
test_escapes (FsFixture    *f,
              gconstpointer data)
{
  g_autofree char *escape = fs_host_path (f, "escape");
  g_autofree char *parent_marker = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpint (symlink ("/", escape), ==, 0);

  rpc_error (f, "Stat", "{\"path\":\"/etc/passwd\"}", 403, "permission_denied");
  rpc_error (f, "Stat", "{\"path\":\"../../etc/passwd\"}", 403, "permission_denied");
  rpc_error (f, "Stat", "{\"path\":\"/home/user/../../etc/passwd\"}", 403, "permission_denied");
  rpc_error (f, "Stat", "{\"path\":\"/home/user/escape/etc/passwd\"}", 403, "permission_denied");
  rpc_error (f, "ListDir", "{\"path\":\"/\",\"depth\":1}", 403, "permission_denied");
  rpc_error (f, "ListDir", "{\"path\":\"/home/user/escape\",\"depth\":1}", 403, "permission_denied");
  rpc_error (f, "ListDir", "{\"path\":\"/root\",\"depth\":1}", 403, "permission_denied");
  rpc_error (f, "MakeDir", "{\"path\":\"/home/user/escape/tmp/evil\"}", 403, "permission_denied");
  rpc_error (f, "MakeDir", "{\"path\":\"../evil\"}", 403, "permission_denied");
  rpc_error (f, "Move", "{\"source\":\"/etc/hostname\",\"destination\":\"/home/user/h\"}", 403,
             "permission_denied");
  fs_write_host_file (f, "mine.txt", "m");
  rpc_error (f, "Move", "{\"source\":\"mine.txt\",\"destination\":\"/home/user/escape/tmp/stolen\"}",
             403, "permission_denied");
  rpc_error (f, "Remove", "{\"path\":\"/home/user/escape/tmp\"}", 403, "permission_denied");
  rpc_error (f, "Remove", "{\"path\":\"/etc/hostname\"}", 403, "permission_denied");

  /* The sandbox directory's parent on this machine is out of reach by "..", too. */
  parent_marker = g_build_filename (f->home, "..", "marker", NULL);
  g_assert_true (g_file_set_contents (parent_marker, "host", -1, NULL));
  rpc_error (f, "Stat", "{\"path\":\"/home/user/../marker\"}", 403, "permission_denied");
  rpc_error (f, "Stat", "{\"path\":\"../marker\"}", 403, "permission_denied");
  g_unlink (parent_marker);

  /* Removing the link removes the link, not what it points at. */
  answer = rpc_ok (f, "Remove", "{\"path\":\"/home/user/escape\"}");
  g_assert_false (g_file_test (escape, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test ("/etc/passwd", G_FILE_TEST_EXISTS));
}

/* WatchDir ---------------------------------------------------------------------------------- */

typedef struct
{
  GInputStream     *stream;
  GCancellable     *cancellable;
  CcConnectDecoder *decoder;
  GPtrArray        *messages;    /* JsonObject */
  JsonObject       *end;
  gboolean          done;
  guint             status;
} WatchReader;

static void watch_read_next (WatchReader *reader);

static void
watch_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WatchReader *reader = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  guint8 flags;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      reader->done = TRUE;
      return;
    }
  cc_connect_decoder_push (reader->decoder, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  while (cc_connect_decoder_next (reader->decoder, &flags, &payload, &error))
    {
      gsize length;
      const char *data = g_bytes_get_data (payload, &length);
      JsonObject *object = cc_protojson_parse_object (data, length, &error);

      g_assert_no_error (error);
      if (flags & CC_CONNECT_FLAG_END_STREAM)
        reader->end = object;
      else
        g_ptr_array_add (reader->messages, object);
      g_clear_pointer (&payload, g_bytes_unref);
    }
  g_assert_no_error (error);
  if (reader->end != NULL)
    {
      reader->done = TRUE;
      return;
    }
  watch_read_next (reader);
}

static void
watch_read_next (WatchReader *reader)
{
  g_input_stream_read_bytes_async (reader->stream, 65536, G_PRIORITY_DEFAULT, reader->cancellable,
                                   watch_read_cb, reader);
}

static void
watch_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WatchReader *reader = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  reader->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (reader->stream == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      reader->done = TRUE;
      return;
    }
  g_assert_no_error (error);
  reader->status = soup_message_get_status (msg);
  watch_read_next (reader);
}

static WatchReader *
watch_start_full (FsFixture  *f,
                  const char *request,
                  const char *timeout_ms,
                  const char *keepalive_s)
{
  WatchReader *reader = g_new0 (WatchReader, 1);
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", "/filesystem.Filesystem/WatchDir");
  g_autoptr(GBytes) body = cc_connect_envelope_new (0, request, strlen (request));

  reader->decoder = cc_connect_decoder_new (0);
  reader->cancellable = g_cancellable_new ();
  reader->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Connect-Protocol-Version", "1");
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Keepalive-Ping-Interval",
                                keepalive_s ? keepalive_s : "50");
  if (timeout_ms != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Connect-Timeout-Ms", timeout_ms);
  soup_message_set_request_body_from_bytes (msg, "application/connect+json", body);
  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, reader->cancellable,
                           watch_sent_cb, reader);
  return reader;
}

static WatchReader *
watch_start (FsFixture  *f,
             const char *request,
             const char *timeout_ms)
{
  return watch_start_full (f, request, timeout_ms, NULL);
}

static void
watch_free (WatchReader *reader)
{
  /* Let the cancelled read, if any, come back before the reader goes. */
  g_cancellable_cancel (reader->cancellable);
  fs_wait_flag (&reader->done);
  if (reader->stream != NULL)
    g_input_stream_close (reader->stream, NULL, NULL);
  g_clear_object (&reader->stream);
  g_clear_object (&reader->cancellable);
  cc_connect_decoder_free (reader->decoder);
  g_ptr_array_unref (reader->messages);
  g_clear_pointer (&reader->end, json_object_unref);
  g_free (reader);
}

/* Index of the first filesystem event with @name and @type at or after @from, or -1. */
static int
find_event (WatchReader *reader,
            const char  *name,
            const char  *type,
            guint        from)
{
  for (guint i = from; i < reader->messages->len; i++)
    {
      JsonObject *event = cc_protojson_get_object (reader->messages->pdata[i], "filesystem");

      if (event != NULL && g_strcmp0 (cc_protojson_get_string (event, "name"), name) == 0 &&
          g_strcmp0 (cc_protojson_get_string (event, "type"), type) == 0)
        return i;
    }
  return -1;
}

static gboolean
timeout_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static int
wait_event (WatchReader *reader,
            const char  *name,
            const char  *type)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (cc_test_scaled_seconds (20), timeout_flag_cb, &expired);
  int index;

  while ((index = find_event (reader, name, type, 0)) < 0 && !expired && !reader->done)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  if (index < 0)
    g_error ("no %s event for %s", type, name);
  return index;
}

static void
wait_started (WatchReader *reader)
{
  CC_TEST_WAIT_FOR (reader->messages->len > 0 || reader->done, "the watch to start");
  g_assert_cmpuint (reader->status, ==, 200);
  g_assert_cmpuint (reader->messages->len, >, 0);
  g_assert_nonnull (cc_protojson_get_object (reader->messages->pdata[0], "start"));
}

static void
write_file (const char *path,
            const char *text)
{
  FILE *file = fopen (path, "w");

  g_assert_nonnull (file);
  fputs (text, file);
  fclose (file);
}

static void
test_watch_dir (FsFixture    *f,
                gconstpointer data)
{
  WatchReader *reader = watch_start (f, "{\"path\":\"/home/user\",\"includeEntry\":true}", NULL);
  g_autofree char *new_path = fs_host_path (f, "new.txt");
  g_autofree char *renamed = fs_host_path (f, "renamed.txt");
  g_autofree char *sub = fs_host_path (f, "sub");
  g_autofree char *in_sub = fs_host_path (f, "sub/inner.txt");
  JsonObject *event;
  int create, write, rename_index, created_again;

  wait_started (reader);
  write_file (new_path, "hello");
  create = wait_event (reader, "new.txt", "EVENT_TYPE_CREATE");
  write = wait_event (reader, "new.txt", "EVENT_TYPE_WRITE");
  g_assert_cmpint (create, <, write);
  event = cc_protojson_get_object (reader->messages->pdata[create], "filesystem");
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (event, "entry"), "path"), ==,
                   "/home/user/new.txt");

  g_assert_cmpint (chmod (new_path, 0600), ==, 0);
  wait_event (reader, "new.txt", "EVENT_TYPE_CHMOD");

  g_assert_cmpint (rename (new_path, renamed), ==, 0);
  rename_index = wait_event (reader, "new.txt", "EVENT_TYPE_RENAME");
  created_again = wait_event (reader, "renamed.txt", "EVENT_TYPE_CREATE");
  g_assert_cmpint (rename_index, <, created_again);
  event = cc_protojson_get_object (reader->messages->pdata[rename_index], "filesystem");
  g_assert_false (json_object_has_member (event, "entry"));

  g_assert_cmpint (unlink (renamed), ==, 0);
  wait_event (reader, "renamed.txt", "EVENT_TYPE_REMOVE");

  /* Not recursive: what happens in a subdirectory is not reported, the subdirectory is. */
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  wait_event (reader, "sub", "EVENT_TYPE_CREATE");
  write_file (in_sub, "x");
  g_assert_cmpint (unlink (in_sub), ==, 0);
  g_assert_cmpint (rmdir (sub), ==, 0);
  wait_event (reader, "sub", "EVENT_TYPE_REMOVE");
  g_assert_cmpint (find_event (reader, "sub/inner.txt", "EVENT_TYPE_CREATE", 0), <, 0);
  g_assert_cmpint (find_event (reader, "inner.txt", "EVENT_TYPE_CREATE", 0), <, 0);
  g_assert_null (reader->end);

  watch_free (reader);
}

static void
test_watch_dir_recursive (FsFixture    *f,
                          gconstpointer data)
{
  g_autofree char *existing = fs_host_path (f, "old/deeper");
  g_autofree char *deep_file = fs_host_path (f, "old/deeper/d.txt");
  g_autofree char *fresh = fs_host_path (f, "fresh");
  g_autofree char *fresh_file = fs_host_path (f, "fresh/f.txt");
  WatchReader *reader;

  g_assert_cmpint (g_mkdir_with_parents (existing, 0755), ==, 0);
  reader = watch_start (f, "{\"path\":\"/home/user\",\"recursive\":true}", "0");
  wait_started (reader);

  write_file (deep_file, "d");
  wait_event (reader, "old/deeper/d.txt", "EVENT_TYPE_CREATE");
  wait_event (reader, "old/deeper/d.txt", "EVENT_TYPE_WRITE");

  /* A directory created after the watch started is watched too. */
  g_assert_cmpint (g_mkdir (fresh, 0755), ==, 0);
  wait_event (reader, "fresh", "EVENT_TYPE_CREATE");
  write_file (fresh_file, "f");
  wait_event (reader, "fresh/f.txt", "EVENT_TYPE_CREATE");
  g_assert_cmpint (unlink (fresh_file), ==, 0);
  wait_event (reader, "fresh/f.txt", "EVENT_TYPE_REMOVE");

  watch_free (reader);
}

static void
test_watch_dir_errors (FsFixture    *f,
                       gconstpointer data)
{
  WatchReader *reader;

  /* Streaming errors: HTTP 200 and the error in the end-of-stream message. */
  reader = watch_start (f, "{\"path\":\"/home/user/missing\"}", NULL);
  fs_wait_flag (&reader->done);
  g_assert_cmpuint (reader->status, ==, 200);
  g_assert_cmpuint (reader->messages->len, ==, 0);
  g_assert_nonnull (reader->end);
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (reader->end, "error"), "code"), ==,
                   "not_found");
  watch_free (reader);

  reader = watch_start (f, "{\"path\":\"/etc\"}", NULL);
  fs_wait_flag (&reader->done);
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (reader->end, "error"), "code"), ==,
                   "permission_denied");
  watch_free (reader);

  /* An idle watch sends keepalives at the interval the client asked for. */
  reader = watch_start_full (f, "{\"path\":\"/home/user\"}", NULL, "1");
  wait_started (reader);
  CC_TEST_WAIT_FOR (reader->messages->len >= 2 || reader->done, "the second watch message");
  g_assert_nonnull (cc_protojson_get_object (reader->messages->pdata[1], "keepalive"));
  watch_free (reader);

  /* Removing the watched directory ends the watch. */
  {
    g_autofree char *dir = fs_host_path (f, "w");
    g_autoptr(JsonObject) removed = NULL;

    g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
    reader = watch_start (f, "{\"path\":\"/home/user/w\",\"recursive\":true}", NULL);
    wait_started (reader);
    removed = rpc_ok (f, "Remove", "{\"path\":\"/home/user/w\"}");
    fs_wait_flag (&reader->done);
    g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (reader->end, "error"), "code"), ==,
                     "not_found");
    watch_free (reader);
  }

  /* Connect-Timeout-Ms ends the watch with deadline_exceeded after the start event. */
  reader = watch_start (f, "{\"path\":\"/home/user\"}", "200");
  fs_wait_flag (&reader->done);
  g_assert_cmpuint (reader->messages->len, >=, 1);
  g_assert_nonnull (cc_protojson_get_object (reader->messages->pdata[0], "start"));
  g_assert_cmpstr (cc_protojson_get_string (cc_protojson_get_object (reader->end, "error"), "code"), ==,
                   "deadline_exceeded");
  watch_free (reader);
}

/* The polling watcher calls ----------------------------------------------------------------- */

static void
test_watcher_calls (FsFixture    *f,
                    gconstpointer data)
{
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *request = NULL;
  g_autofree char *path = fs_host_path (f, "polled.txt");
  gboolean expired = FALSE;
  guint id;
  const char *watcher_id;

  created = rpc_ok (f, "CreateWatcher", "{\"path\":\"/home/user\",\"recursive\":false}");
  watcher_id = cc_protojson_get_string (created, "watcherId");
  g_assert_nonnull (watcher_id);
  request = g_strdup_printf ("{\"watcherId\":\"%s\"}", watcher_id);

  write_file (path, "p");
  id = g_timeout_add_seconds (cc_test_scaled_seconds (20), timeout_flag_cb, &expired);
  while (strstr (seen->str, "polled.txt:EVENT_TYPE_CREATE") == NULL && !expired)
    {
      g_autoptr(JsonObject) answer = rpc_ok (f, "GetWatcherEvents", request);
      JsonArray *events = json_object_has_member (answer, "events")
                            ? json_object_get_array_member (answer, "events") : NULL;

      for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
        {
          JsonObject *event = json_array_get_object_element (events, i);

          g_string_append_printf (seen, "%s:%s\n", cc_protojson_get_string (event, "name"),
                                  cc_protojson_get_string (event, "type"));
        }
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_false (expired);
  g_source_remove (id);

  {
    g_autoptr(JsonObject) removed = rpc_ok (f, "RemoveWatcher", request);
  }
  rpc_error (f, "GetWatcherEvents", request, 404, "not_found");
  rpc_error (f, "CreateWatcher", "{\"path\":\"/home/user/none\"}", 404, "not_found");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/filesystem/permissions", test_permissions);
#define ADD(path, func) \
  g_test_add ("/engine/filesystem/" path, FsFixture, NULL, fs_fixture_setup, func, fs_fixture_teardown)
  ADD ("stat/file", test_stat_file);
  ADD ("stat/dir-and-missing", test_stat_dir_and_missing);
  ADD ("stat/symlinks", test_stat_symlinks);
  ADD ("stat/metadata", test_stat_metadata);
  ADD ("stat/as-root", test_stat_as_root);
  ADD ("list-dir", test_list_dir);
  ADD ("make-dir", test_make_dir);
  ADD ("move", test_move);
  ADD ("remove", test_remove);
  ADD ("escapes", test_escapes);
  ADD ("watch-dir/events", test_watch_dir);
  ADD ("watch-dir/recursive", test_watch_dir_recursive);
  ADD ("watch-dir/errors", test_watch_dir_errors);
  ADD ("watcher-calls", test_watcher_calls);
#undef ADD

  return g_test_run ();
}
