/* test-client-workspace.c: every project's files live in its workspace folder
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * On the local engine the workspace is the sandbox's home: files made by commands, uploads and
 * editor saves are on disk there at once and outlive the sandbox; an edit made in the folder is
 * what the next command sees; a project from before workspaces keeps its files; deleting a
 * project never removes a folder the person brought.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-client-util.h"

/* An engine running as root mounts only a regular user's folder (the sandbox runs as them). */
static void
make_mountable (const char *dir)
{
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (geteuid () == 0)
    g_assert_cmpint (chown (dir, 65534, 65534), ==, 0);
}

static char *
stdout_of (ClientFixture *f,
           const char    *project_id,
           const char    *command)
{
  g_autoptr(CcExecution) run = cc_test_run (f, project_id, command, CC_EXECUTE_FLAGS_NONE);
  g_autoptr(GBytes) out = cc_execution_dup_stdout (run);

  g_assert_cmpint (cc_execution_get_exit_code (run), ==, 0);
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static char *
read_in (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
kill_sandbox (ClientFixture *f,
              const char    *project_id)
{
  g_autoptr(CcProject) current = cc_test_get_project (f, project_id);

  g_assert_nonnull (cc_project_get_sandbox_id (current));
  cc_test_kill_sandbox_directly (f, cc_project_get_sandbox_id (current));
}

static void
test_survives_kill (ClientFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "kept", NULL);
  const char *id = cc_project_get_id (project);
  g_autofree char *ws = cc_client_dup_workspace_path (f->client, project);
  g_autofree char *local = g_build_filename (f->tmpdir, "up.txt", NULL);
  g_autofree char *direct = NULL;
  g_autofree char *text = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("saved\n", 6);
  g_autoptr(GFile) up = NULL;

  make_mountable (ws);

  /* Made by a command: on disk at once. */
  text = stdout_of (f, id, "echo made > made.txt && echo ok");
  g_assert_cmpstr (text, ==, "ok\n");
  g_clear_pointer (&text, g_free);
  text = read_in (ws, "made.txt");
  g_assert_cmpstr (text, ==, "made\n");
  g_clear_pointer (&text, g_free);

  /* An editor's save. */
  cc_client_write_file_async (f->client, id, "src/saved.txt", content, NULL,
                              cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  text = read_in (ws, "src/saved.txt");
  g_assert_cmpstr (text, ==, "saved\n");
  g_clear_pointer (&text, g_free);

  /* An upload. */
  g_assert_true (g_file_set_contents (local, "uploaded\n", -1, NULL));
  up = g_file_new_for_path (local);
  cc_client_upload_async (f->client, id, &up, 1, "/home/user", NULL, NULL, NULL,
                          cc_test_store_result_cb, &result);
  g_assert_true (cc_client_upload_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  text = read_in (ws, "up.txt");
  g_assert_cmpstr (text, ==, "uploaded\n");
  g_clear_pointer (&text, g_free);

  /* The sandbox ends; the person edits the folder; the next command sees all of it. */
  kill_sandbox (f, id);
  g_assert_true (g_file_test (ws, G_FILE_TEST_IS_DIR));
  direct = g_build_filename (ws, "direct.txt", NULL);
  g_assert_true (g_file_set_contents (direct, "direct\n", -1, NULL));
  text = stdout_of (f, id, "cat made.txt src/saved.txt up.txt direct.txt");
  g_assert_cmpstr (text, ==, "made\nsaved\nuploaded\ndirect\n");
  note = cc_client_dup_recreate_note (f->client, id);
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "set up from the workspace"));
  g_assert_null (strstr (note, "uploaded again"));
}

/* A project whose files were kept in the old snapshot folder finds them in its workspace, and
 * its folder gets no "files" folder inside. */
static void
test_migrates_snapshot (ClientFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CcProject) project = cc_test_create_project (f, "old", NULL);
  const char *id = cc_project_get_id (project);
  g_autofree char *ws = cc_client_dup_workspace_path (f->client, project);
  g_autofree char *old_root = g_build_filename (ws, "files", NULL);
  g_autofree char *old_dir = g_build_filename (old_root, "src", NULL);
  g_autofree char *old_file = g_build_filename (old_dir, "old.txt", NULL);
  g_autofree char *text = NULL;

  /* The layout a client before workspaces left. */
  g_assert_cmpint (g_mkdir_with_parents (old_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (old_file, "old\n", -1, NULL));
  if (geteuid () == 0)
    g_assert_cmpint (chown (old_root, 65534, 65534), ==, 0);

  text = stdout_of (f, id, "cat src/old.txt && ls");
  g_assert_cmpstr (text, ==, "old\nsrc\n");
  g_clear_pointer (&text, g_free);
  text = read_in (ws, "src/old.txt");
  g_assert_cmpstr (text, ==, "old\n");
  g_assert_false (g_file_test (old_root, G_FILE_TEST_EXISTS));
}

/* Deleting a project removes its own workspace folder, never a folder the person brought. */
static void
test_delete_keeps_brought_folder (ClientFixture *f,
                                  gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->tmpdir, "brought", NULL);
  g_autofree char *file = g_build_filename (dir, "mine.txt", NULL);
  g_autofree char *more = g_build_filename (dir, "more.txt", NULL);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) other = cc_test_create_project (f, "own", NULL);
  g_autofree char *own_ws = cc_client_dup_workspace_path (f->client, other);
  g_autofree char *text = NULL;

  make_mountable (dir);
  g_assert_true (g_file_set_contents (file, "mine\n", -1, NULL));
  folder = g_file_new_for_path (dir);
  cc_client_create_project_async (f->client, "brought", CC_CONNECTION_LOCAL, NULL, NULL, folder, 0,
                                  NULL, cc_test_store_result_cb, &result);
  project = cc_client_create_project_finish (f->client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  text = stdout_of (f, cc_project_get_id (project), "cat mine.txt && echo more > more.txt && pwd");
  g_assert_cmpstr (text, ==, "mine\n/home/user\n");
  g_assert_true (g_file_test (more, G_FILE_TEST_IS_REGULAR));

  make_mountable (own_ws);
  g_clear_pointer (&text, g_free);
  text = stdout_of (f, cc_project_get_id (other), "echo x > x.txt && echo ok");
  g_assert_cmpstr (text, ==, "ok\n");

  cc_client_delete_project_async (f->client, cc_project_get_id (project), NULL,
                                  cc_test_store_result_cb, &result);
  g_assert_true (cc_client_delete_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  cc_client_delete_project_async (f->client, cc_project_get_id (other), NULL,
                                  cc_test_store_result_cb, &result);
  g_assert_true (cc_client_delete_project_finish (f->client, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  cc_test_flush (f);

  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (more, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (own_ws, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);

#define ADD(path, func) g_test_add ("/core/client-workspace/" path, ClientFixture, NULL, \
                                    cc_test_client_setup, func, cc_test_client_teardown)
  ADD ("survives-kill", test_survives_kill);
  ADD ("migrates-snapshot", test_migrates_snapshot);
  ADD ("delete-keeps-brought-folder", test_delete_keeps_brought_folder);
  return g_test_run ();
}
