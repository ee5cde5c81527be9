/* test-client-util.c: fixture and helpers of the client tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-connection.h"
#include "cc-control-plane.h"

#include "cc-test-util.h"
#include "test-client-util.h"

static GMutex log_lock;
static GString *log_text;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") || g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      {
        if (fields[i].length < 0)
          g_string_append (log_text, fields[i].value);
        else
          g_string_append_len (log_text, fields[i].value, fields[i].length);
        g_string_append_c (log_text, ' ');
      }
  g_string_append_c (log_text, '\n');
  g_mutex_unlock (&log_lock);
  /* Debug lines are only kept for inspection: printed, they would garble the TAP stream. */
  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
cc_test_client_init (int    *argc,
                     char ***argv)
{
  log_text = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (argc, argv, NULL);
}

const char *
cc_test_client_get_log (void)
{
  return log_text->str;
}

static void
store_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  cc_test_store_result_cb (source, result, user_data);
}

void
cc_test_client_open (ClientFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_build_filename (f->tmpdir, "code-canvas.db", NULL);
  g_autofree char *runtime = g_path_get_dirname (cc_test_engine_get_json_path (f->engine));

  cc_store_open_async (file, NULL, store_opened_cb, &result);
  f->store = cc_store_open_finish (cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  f->client = cc_client_new (f->store);
  cc_client_set_engine_runtime_dir (f->client, runtime);
  cc_client_set_engine_autostart (f->client, FALSE);
}

void
cc_test_client_setup (ClientFixture *f,
                      gconstpointer  data)
{
  f->engine = cc_test_engine_new ();
  f->tmpdir = cc_test_make_tmpdir ("cc-client");
  cc_test_client_open (f);
}

void
cc_test_client_teardown (ClientFixture *f,
                         gconstpointer  data)
{
  if (f->client != NULL)
    cc_test_flush (f);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  /* Let finished store threads hand their results back before the directory goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cc_test_engine_free (f->engine);
  cc_test_rm_rf (f->tmpdir);
  g_free (f->tmpdir);
}


CcProject *
cc_test_create_project (ClientFixture *f,
                        const char    *name,
                        const char    *template_id)
{
  return cc_test_create_project_on_port (f, name, template_id, 0);
}

CcProject *
cc_test_create_proxied_project (ClientFixture *f,
                                CcFaultProxy  *proxy,
                                const char    *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) changes = NULL;
  CcProject *updated;
  const char *url = cc_fault_proxy_get_url (proxy);

  cc_client_store_api_key_async (f->client, CC_CONNECTION_CUSTOM, url,
                                 cc_test_engine_get_api_key (f->engine), NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_store_api_key_finish (f->client, cc_test_wait_result (&result),
                                                 &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_client_create_project_async (f->client, name, CC_CONNECTION_CUSTOM, url, NULL, NULL, 0,
                                  NULL, cc_test_store_result_cb, &result);
  project = cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  changes = cc_project_copy (project);
  cc_project_set_sandbox_url (changes, url);
  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes,
                                       CC_PROJECT_FIELD_CONNECTION, NULL, cc_test_store_result_cb,
                                       &result);
  updated = cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result),
                                                  &error);
  g_assert_no_error (error);
  return updated;
}

CcProject *
cc_test_create_project_on_port (ClientFixture *f,
                                const char    *name,
                                const char    *template_id,
                                guint          port)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcProject *project;

  cc_client_create_project_async (f->client, name, CC_CONNECTION_LOCAL, NULL, template_id, NULL, port,
                                  NULL, cc_test_store_result_cb, &result);
  project = cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (cc_project_get_id (project));
  return project;
}

CcProject *
cc_test_get_project (ClientFixture *f,
                     const char    *project_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcProject *project;

  cc_client_get_project_info_async (f->client, project_id, NULL, cc_test_store_result_cb, &result);
  project = cc_client_get_project_info_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return project;
}

void
cc_test_wait_execution (CcExecution *execution)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gboolean ok;

  cc_execution_wait_async (execution, NULL, cc_test_store_result_cb, &result);
  ok = cc_execution_wait_finish (execution, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

CcExecution *
cc_test_run (ClientFixture  *f,
             const char     *project_id,
             const char     *command,
             CcExecuteFlags  flags)
{
  CcExecution *execution = cc_client_execute (f->client, project_id, command, flags);

  cc_test_wait_execution (execution);
  return execution;
}

void
cc_test_flush (ClientFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_flush_async (f->client, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_flush_finish (f->client, cc_test_wait_result (&result), NULL));
}

GListModel *
cc_test_history (ClientFixture *f,
                 const char    *project_id,
                 guint          limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcHistoryQuery query = { 0 };
  GListModel *model;

  query.project_id = project_id;
  query.limit = limit;
  cc_client_history_async (f->client, &query, NULL, cc_test_store_result_cb, &result);
  model = cc_client_history_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return model;
}

void
cc_test_kill_sandbox_directly (ClientFixture *f,
                               const char    *sandbox_id)
{
  g_autoptr(CcConnection) connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                                                cc_test_engine_get_api_key (f->engine));
  g_autoptr(CcControlPlane) api = cc_control_plane_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_control_plane_kill_async (api, sandbox_id, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_control_plane_kill_finish (api, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}
