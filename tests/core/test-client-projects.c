/* test-client-projects.c: the client refuses bad project values and taken names with GErrors
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app and the CLI both go through these calls, so both refuse the same values with the same
 * words. Criticals are fatal in tests: a refusal by precondition fails here.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "cc-client.h"
#include "cc-sandbox-error.h"
#include "test-client-util.h"
#include "cc-test-util.h"

static CcProject *
create (ClientFixture  *f,
        const char     *name,
        guint           port,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_create_project_async (f->client, name, CC_CONNECTION_LOCAL, NULL, NULL, NULL, port, NULL,
                                  cc_test_store_result_cb, &result);
  return cc_client_create_project_finish (f->client, cc_test_wait_result (&result), error);
}

static CcProject *
update (ClientFixture   *f,
        CcProject       *project,
        CcProject       *changes,
        CcProjectField   fields,
        GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_update_project_info_async (f->client, cc_project_get_id (project), changes, fields, NULL,
                                       cc_test_store_result_cb, &result);
  return cc_client_update_project_info_finish (f->client, cc_test_wait_result (&result), error);
}

static void
expect_invalid (ClientFixture  *f,
                CcProject      *project,
                CcProject      *changes,
                CcProjectField  fields)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) updated = update (f, project, changes, fields, &error);

  g_assert_null (updated);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
  g_test_message ("refused: %s", error->message);
}

static void
test_update_validation (ClientFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = create (f, "checked", 0, &error);
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) stored = NULL;
  g_autoptr(CcProject) created = NULL;

  g_assert_no_error (error);
  changes = cc_project_copy (project);
  cc_project_set_port (changes, 99999);   /* no critical: the value is only checked on write */
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_PORT);

  g_clear_object (&changes);
  changes = cc_project_copy (project);
  cc_project_set_name (changes, " \t ");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_NAME);
  cc_project_set_name (changes, "bell\a");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_NAME);

  g_clear_object (&changes);
  changes = cc_project_copy (project);
  cc_project_set_sandbox_url (changes, "ftp://files.example.com");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_CONNECTION);
  cc_project_set_sandbox_url (changes, "two words");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_CONNECTION);

  g_clear_object (&changes);
  changes = cc_project_copy (project);
  cc_project_set_connection_kind (changes, CC_CONNECTION_CUSTOM);
  cc_project_set_api_url (changes, "api.example.com");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_CONNECTION);

  g_clear_object (&changes);
  changes = cc_project_copy (project);
  cc_project_set_setup_command (changes, "   ");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_SETUP_COMMAND);
  cc_project_set_template (changes, "cobol");
  expect_invalid (f, project, changes, CC_PROJECT_FIELD_TEMPLATE);

  /* Nothing of it reached the store. */
  stored = cc_test_get_project (f, cc_project_get_id (project));
  g_assert_cmpuint (cc_project_get_port (stored), ==, cc_project_get_port (project));
  g_assert_cmpstr (cc_project_get_name (stored), ==, "checked");

  created = create (f, "too far", 70000, &error);
  g_assert_null (created);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
}

static void
test_unique_names (ClientFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) first = create (f, "web", 0, &error);
  g_autoptr(CcProject) second = NULL;
  g_autoptr(CcProject) again = NULL;
  g_autoptr(CcProject) changes = NULL;
  g_autoptr(CcProject) renamed = NULL;
  g_autoptr(CcProject) kept = NULL;

  g_assert_no_error (error);
  again = create (f, "web", 0, &error);
  g_assert_null (again);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NAME_TAKEN);
  g_assert_nonnull (strstr (error->message, cc_project_get_id (first)));
  g_clear_error (&error);

  /* Blanks around a name do not make it another. */
  again = create (f, "  web ", 0, &error);
  g_assert_null (again);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);

  second = create (f, "api", 0, &error);
  g_assert_no_error (error);
  changes = cc_project_copy (second);
  cc_project_set_name (changes, "web");
  renamed = update (f, second, changes, CC_PROJECT_FIELD_NAME, &error);
  g_assert_null (renamed);
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NAME_TAKEN);
  g_assert_nonnull (strstr (error->message, cc_project_get_id (first)));
  g_clear_error (&error);

  /* A project keeps its own name when other fields change with it. */
  g_clear_object (&changes);
  changes = cc_project_copy (first);
  cc_project_set_port (changes, 4321);
  kept = update (f, first, changes, CC_PROJECT_FIELD_NAME | CC_PROJECT_FIELD_PORT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_project_get_port (kept), ==, 4321);
}

static void
test_extend_zero (ClientFixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = create (f, "short", 0, &error);
  g_autoptr(GAsyncResult) result = NULL;

  g_assert_no_error (error);
  cc_client_extend_sandbox_async (f->client, cc_project_get_id (project), 0, NULL,
                                  cc_test_store_result_cb, &result);
  g_assert_false (cc_client_extend_sandbox_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/core/client-projects/" path, ClientFixture, NULL, cc_test_client_setup, func, cc_test_client_teardown)
  ADD ("update-validation", test_update_validation);
  ADD ("unique-names", test_unique_names);
  ADD ("extend-zero", test_extend_zero);

  return g_test_run ();
}
