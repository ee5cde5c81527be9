/* engine-fs-fixture.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private engine process (cc-test-engine) on 127.0.0.1, spoken to over real HTTP with libsoup.
 * Exchanges are asynchronous and the test spins the main loop until they complete, so servers a
 * test runs itself (the preview's "dev servers") keep answering meanwhile.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cc-protojson.h"
#include "cc-test-util.h"
#include "engine-fs-fixture.h"

/* Nothing a test waits for takes this long unless something hangs. */
#define WAIT_LIMIT_S 30

static gboolean
wait_timeout_cb (gpointer user_data)
{
  g_error ("Timed out waiting for the engine");
  return G_SOURCE_REMOVE;
}

void
fs_wait_flag (gboolean *flag)
{
  guint id = g_timeout_add_seconds (cc_test_scaled_seconds (WAIT_LIMIT_S), wait_timeout_cb, NULL);

  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  guint id = g_timeout_add_seconds (cc_test_scaled_seconds (WAIT_LIMIT_S), wait_timeout_cb, NULL);

  cc_test_wait_result (result);
  g_source_remove (id);
  return *result;
}

GBytes *
fs_send (FsFixture   *f,
         SoupMessage *msg)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    cc_test_store_result_cb, &result);
  bytes = soup_session_send_and_read_finish (f->session, wait_result (&result), &error);
  g_assert_no_error (error);
  return bytes;
}

SoupMessage *
fs_daemon_message (FsFixture  *f,
                   const char *method,
                   const char *path_and_query)
{
  g_autofree char *uri = g_strconcat (f->url, path_and_query, NULL);
  SoupMessage *msg = soup_message_new (method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  g_assert_nonnull (msg);
  soup_message_headers_replace (headers, "E2b-Sandbox-Id", f->sandbox_id);
  soup_message_headers_replace (headers, "E2b-Sandbox-Port", "49983");
  soup_message_headers_replace (headers, "X-Access-Token", f->token);
  return msg;
}

JsonObject *
fs_rpc (FsFixture  *f,
        const char *method,
        const char *request_json,
        guint      *status)
{
  g_autofree char *path = g_strconcat ("/filesystem.Filesystem/", method, NULL);
  g_autoptr(SoupMessage) msg = fs_daemon_message (f, "POST", path);
  g_autoptr(GBytes) body = g_bytes_new (request_json, strlen (request_json));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gsize length;
  const char *data;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Connect-Protocol-Version", "1");
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = fs_send (f, msg);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (
                   soup_message_get_response_headers (msg), NULL), "application/json"));
  data = g_bytes_get_data (answer, &length);
  object = cc_protojson_parse_object (data, length, &error);
  g_assert_no_error (error);
  return object;
}

char *
fs_host_path (FsFixture  *f,
              const char *relative)
{
  return g_build_filename (f->home, relative, NULL);
}

void
fs_write_host_file (FsFixture  *f,
                    const char *relative,
                    const char *contents)
{
  g_autofree char *path = fs_host_path (f, relative);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

void
fs_fixture_setup (FsFixture    *f,
                  gconstpointer data)
{
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonObject) object = NULL;
  static const char create[] = "{\"templateID\":\"base\",\"timeout\":300}";
  gsize length;
  const char *text;

  /* @data: extra environment for the engine (a NULL-terminated array), or NULL. */
  f->engine = data != NULL ? cc_test_engine_new_with_env (data) : cc_test_engine_new ();
  f->url = g_strdup (cc_test_engine_get_url (f->engine));
  f->session = soup_session_new ();
  /* Requests are answered in order; gzip decoding is tested explicitly. */
  soup_session_remove_feature_by_type (f->session, SOUP_TYPE_CONTENT_DECODER);

  uri = g_strconcat (f->url, "/sandboxes", NULL);
  msg = soup_message_new ("POST", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "X-API-KEY",
                                cc_test_engine_get_api_key (f->engine));
  body = g_bytes_new_static (create, strlen (create));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  answer = fs_send (f, msg);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  text = g_bytes_get_data (answer, &length);
  object = cc_protojson_parse_object (text, length, &error);
  g_assert_no_error (error);
  f->sandbox_id = g_strdup (cc_protojson_get_string (object, "sandboxID"));
  f->token = g_strdup (cc_protojson_get_string (object, "envdAccessToken"));
  g_assert_nonnull (f->sandbox_id);
  g_assert_nonnull (f->token);

  f->home = g_build_filename (cc_test_engine_get_data_dir (f->engine), "sandboxes", f->sandbox_id,
                              NULL);
  g_assert_true (g_file_test (f->home, G_FILE_TEST_IS_DIR));
}

void
fs_fixture_teardown (FsFixture    *f,
                     gconstpointer data)
{
  g_clear_object (&f->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->engine, cc_test_engine_free);
  g_clear_pointer (&f->url, g_free);
  g_clear_pointer (&f->sandbox_id, g_free);
  g_clear_pointer (&f->token, g_free);
  g_clear_pointer (&f->home, g_free);
}
