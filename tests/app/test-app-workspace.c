/* test-app-workspace.c: the sidebar, the editor, the shell, the style, the sandbox and the
 * preview, each case in a fresh window (see test-app-fixture.c)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <gtksourceview/gtksource.h>
#include <string.h>
#include <webkit/webkit.h>

#include "test-app-fixture.h"

/* ---- sidebar ------------------------------------------------------------------------------ */

static void
test_switch_projects (AppFixture    *f,
                      gconstpointer  data)
{
  g_autoptr(CcProject) second = NULL;
  g_auto(GStrv) accels = NULL;
  g_autofree char *first_id = g_strdup (cc_project_get_id (f->window->project));
  CcCommandView *view;

  /* Ctrl+1…9 are bound to the parameterised action. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->shared->app), "win.select-project(uint32 2)");
  g_assert_cmpstr (accels[0], ==, "<Control>2");

  app_run_in_terminal_ok (f, "echo hello-from-the-test");
  second = app_create_project (f, "Second", CC_TEMPLATE_BLANK, 0);

  /* Newest first: the new project is number 1, the first one number 2. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-project", "u", 1);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (f->window->project), cc_project_get_id (second)) == 0,
            "the second project");
  view = _cc_window_get_command_view (f->window);
  g_assert_false (app_terminal_shows (view, "hello-from-the-test"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-project", "u", 2);
  WAIT_FOR (g_strcmp0 (cc_project_get_id (f->window->project), first_id) == 0, "the first project");
  /* Its output was kept while the other project was shown (VTE takes in what it is fed in its
   * own time, and sooner when it is on screen). */
  view = _cc_window_get_command_view (f->window);
  WAIT_FOR (app_terminal_shows (view, "hello-from-the-test"), "the first project's output");
}

static void
test_project_settings (AppFixture    *f,
                       gconstpointer  data)
{
  AdwMessageDialog *dialog;
  GtkWidget *name_row;
  const char *id = cc_project_get_id (f->project);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.rename-project", NULL);
  dialog = ADW_MESSAGE_DIALOG (app_find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_nonnull (dialog);
  g_object_ref (dialog);
  name_row = app_find_descendant (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "_Name");
  g_assert_nonnull (name_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "Hello Node");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Hello Node Renamed");
  /* What clicking "Save" does: answer, then close. */
  adw_message_dialog_response (dialog, "save");
  app_close_and_finalize (GTK_WINDOW (dialog));
  WAIT_FOR (g_strcmp0 (cc_project_get_name (cc_client_find_project (f->client, id)),
                       "Hello Node Renamed") == 0, "the new name");
  WAIT_FOR (g_strcmp0 (adw_view_switcher_title_get_title (f->window->switcher_title),
                       "Hello Node Renamed") == 0, "the title to follow");
}

/* ---- editor ------------------------------------------------------------------------------- */

static void
on_saved (CcFileEditor *editor,
          const char   *path,
          gboolean     *saved)
{
  *saved = TRUE;
}

/* Opens the project's server.js the way a click in the tree does, and waits for it. */
static char *
open_server_js (AppFixture *f)
{
  char *path = NULL;

  WAIT_FOR ((path = app_tree_root_path (f, "server.js")) != NULL, "server.js in the tree");
  g_signal_emit_by_name (f->window->file_tree, "file-activated", path, (guint64) 0);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (f->window->view_stack), ==, "editor");
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_state (f->window->file_editor), "loading") != 0, "the file to load");
  g_assert_cmpstr (cc_file_editor_get_state (f->window->file_editor), ==, "editor");
  return path;
}

static void
test_editor_save (AppFixture    *f,
                  gconstpointer  data)
{
  CcFileEditor *editor = f->window->file_editor;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  gboolean saved = FALSE;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *content = NULL;
  g_autofree char *path = open_server_js (f);

  buffer = GTK_TEXT_BUFFER (cc_file_editor_get_buffer (editor));
  g_assert_nonnull (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer)));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (GTK_SOURCE_BUFFER (buffer))), ==, "js");
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "// edited in the editor\n", -1);
  g_assert_true (gtk_text_buffer_get_modified (buffer));

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  WAIT_FOR (saved, "the file to be saved");
  g_signal_handlers_disconnect_by_data (editor, &saved);
  g_assert_false (gtk_text_buffer_get_modified (buffer));

  /* Read back through the client: the sandbox has the new text. */
  bytes = app_read_sandbox_file (f, path, &error);
  g_assert_no_error (error);
  content = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (content, "// edited in the editor\n"));
  g_assert_nonnull (strstr (content, "http.createServer"));
}

static void
test_editor_refuses (AppFixture    *f,
                     gconstpointer  data)
{
  CcFileEditor *editor = f->window->file_editor;

  app_run_in_terminal_ok (f, "printf 'PK\\003\\004\\000\\000binary' > blob.bin");
  g_signal_emit_by_name (f->window->file_tree, "file-activated", "/home/user/blob.bin", (guint64) 12);
  WAIT_FOR (g_strcmp0 (cc_file_editor_get_state (editor), "loading") != 0, "the binary file to be looked at");
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "refused");

  /* Too large: refused from its listed size, without reading it. */
  g_signal_emit_by_name (f->window->file_tree, "file-activated", "/home/user/huge.log",
                         (guint64) CC_FILE_EDITOR_MAX_SIZE + 1);
  g_assert_cmpstr (cc_file_editor_get_state (editor), ==, "refused");
}

/* ---- shell -------------------------------------------------------------------------------- */

static gboolean
shell_shows (AppFixture *f,
             const char *needle)
{
  CcTerminalView *terminal = cc_shell_view_get_terminal (f->window->shell_view);
  g_autofree char *text = cc_terminal_view_dup_text (terminal);

  return text != NULL && strstr (text, needle) != NULL;
}

static void
test_shell (AppFixture    *f,
            gconstpointer  data)
{
  CcTerminalView *terminal = cc_shell_view_get_terminal (f->window->shell_view);
  g_autofree char *expected = NULL;

  /* Showing the tab opens the shell. */
  adw_view_stack_set_visible_child_name (f->window->view_stack, "shell");
  WAIT_FOR (cc_shell_view_is_open (f->window->shell_view), "the shell to open");

  /* Keys go in the way VTE delivers typing ("commit"); the PTY echoes and answers. */
  vte_terminal_feed_child (VTE_TERMINAL (terminal), "echo $((6*7))-$TERM\r", -1);
  WAIT_FOR (shell_shows (f, "42-xterm-256color"), "the shell's answer");

  /* The PTY follows the widget's size. */
  vte_terminal_feed_child (VTE_TERMINAL (terminal), "stty size\r", -1);
  expected = g_strdup_printf ("%ld %ld",
                              vte_terminal_get_row_count (VTE_TERMINAL (terminal)),
                              vte_terminal_get_column_count (VTE_TERMINAL (terminal)));
  WAIT_FOR (shell_shows (f, expected), "the PTY size to match the terminal");
}

/* ---- style -------------------------------------------------------------------------------- */

static void
test_dark_style (AppFixture    *f,
                 gconstpointer  data)
{
  GSettings *settings = cc_application_get_settings (f->shared->app);
  g_autofree char *path = NULL;

  /* The editor with the project's server, as after an edit. */
  path = open_server_js (f);
  g_settings_set_string (settings, "color-scheme", "dark");
  WAIT_FOR (adw_style_manager_get_dark (adw_style_manager_get_default ()), "the dark style");
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "main-dark.png");
  g_settings_reset (settings, "color-scheme");
  WAIT_FOR (!adw_style_manager_get_dark (adw_style_manager_get_default ()), "the default style back");
}

/* ---- sandbox ------------------------------------------------------------------------------ */

static CcSandboxStatus
sandbox_status (AppFixture *f)
{
  return cc_client_get_sandbox_status (f->client, cc_project_get_id (f->window->project));
}

static void
test_sandbox_lifecycle (AppFixture    *f,
                        gconstpointer  data)
{
  GtkWidget *controls = GTK_WIDGET (f->window->sandbox_controls);
  g_autoptr(CcExecution) execution = NULL;

  g_assert_cmpint (sandbox_status (f), ==, CC_SANDBOX_STATUS_RUNNING);
  /* Remaining time is shown as m:ss. */
  WAIT_FOR (strchr (cc_sandbox_controls_get_label (f->window->sandbox_controls), ':') != NULL,
            "the remaining time");

  gtk_widget_activate_action (controls, "sandbox.pause", NULL);
  WAIT_FOR (sandbox_status (f) == CC_SANDBOX_STATUS_PAUSED, "the sandbox to pause");
  WAIT_FOR (g_strcmp0 (cc_sandbox_controls_get_label (f->window->sandbox_controls), "Paused") == 0,
            "the controls to show it");

  gtk_widget_activate_action (controls, "sandbox.resume", NULL);
  WAIT_FOR (sandbox_status (f) == CC_SANDBOX_STATUS_RUNNING, "the sandbox to resume");

  /* Its files survived the pause. */
  execution = app_run_in_terminal (f, "test -f server.js && echo still-here");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.extend-sandbox", NULL);
  WAIT_FOR (cc_client_get_sandbox_end_time (f->client, cc_project_get_id (f->window->project)) >
            g_get_real_time () + 60 * G_USEC_PER_SEC, "the extended time");
}

static void
test_sandbox_recreated_toast (AppFixture    *f,
                              gconstpointer  data)
{
  const char *id = cc_project_get_id (f->project);
  g_autofree char *old_sandbox = g_strdup (cc_project_get_sandbox_id (cc_client_find_project (f->client, id)));
  g_autofree char *url = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcExecution) execution = NULL;

  g_assert_nonnull (old_sandbox);
  /* Only a toast shown from here on counts. */
  g_clear_pointer (&f->window->last_toast, g_free);

  /* Killed through the engine's control plane, as an expiry or another tool would: the app's
   * client is not told. */
  url = g_strdup_printf ("%s/sandboxes/%s", cc_test_engine_get_url (f->shared->engine), old_sandbox);
  message = soup_message_new ("DELETE", url);
  soup_message_headers_replace (soup_message_get_request_headers (message), "X-API-KEY",
                                cc_test_engine_get_api_key (f->shared->engine));
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 204);

  /* The next command needs the sandbox: the client makes a new one and the window says so.
   * The command's end and the toast are separate events; each is waited for on its own. */
  execution = app_run_in_terminal (f, "test -f server.js && echo files-came-back");
  g_assert_cmpint (cc_execution_get_exit_code (execution), ==, 0);
  WAIT_FOR (_cc_window_get_last_toast (f->window) != NULL &&
            strstr (_cc_window_get_last_toast (f->window), "had ended; a new one was set up") != NULL,
            "the toast about the new sandbox");
  g_assert_cmpstr (cc_project_get_sandbox_id (cc_client_find_project (f->client, id)), !=, old_sandbox);
}

/* ---- preview ------------------------------------------------------------------------------ */

static void
on_load_changed (WebKitWebView   *web_view,
                 WebKitLoadEvent  event,
                 gboolean        *finished)
{
  if (event == WEBKIT_LOAD_FINISHED && g_strcmp0 (webkit_web_view_get_uri (web_view), "about:blank") != 0)
    *finished = TRUE;
}

static gboolean
skip_without_webkit (void)
{
  if (g_getenv ("CC_TEST_NO_WEBKIT") == NULL)
    return FALSE;
  g_test_skip ("WebKit's web process does not start under AddressSanitizer (CC_TEST_NO_WEBKIT)");
  return TRUE;
}

static char *
page_text (WebKitWebView *web_view,
           const char    *script)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JSCValue) value = NULL;
  g_autoptr(GError) error = NULL;

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  value = webkit_web_view_evaluate_javascript_finish (web_view, result, &error);
  g_assert_no_error (error);
  return jsc_value_to_string (value);
}

static void
test_preview (AppFixture    *f,
              gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  WebKitWebView *web_view;
  gboolean finished = FALSE;
  g_autoptr(CcProject) changes = NULL;
  g_autofree char *text = NULL;

  if (skip_without_webkit ())
    return;

  /* The sanitizer runs set GDK_DEBUG=gl-disable (Mesa leaks otherwise), and WebKit then warns
   * that it draws without GL: the environment talking, not a fault. Only criticals stay fatal
   * for this case there. */
  if (g_strrstr (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", "gl-disable") != NULL)
    g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  /* Sandboxes share this machine's network: give the dev server a port nobody else uses. */
  changes = cc_project_new (cc_project_get_name (f->window->project));
  cc_project_set_port (changes, cc_test_free_port ());
  app_set_project_fields (f, cc_project_get_id (f->window->project), changes, CC_PROJECT_FIELD_PORT);

  /* The web view is made (and WebKit loaded) only once there is a page to show. */
  g_assert_null (cc_preview_pane_get_web_view (pane));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (f->window->view_stack), ==, "preview");
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to answer");
  if (!cc_preview_pane_get_running (pane))
    g_error ("The dev server did not come up; the pane shows “%s”", cc_preview_pane_get_state (pane));
  /* Its load has begun but cannot end before the main loop runs again. */
  web_view = WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane));
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_changed), &finished);
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "web");
  g_assert_true (g_str_has_prefix (cc_preview_pane_get_url (pane), "http"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->dev_server_stack), ==, "stop");

  WAIT_FOR (finished, "the page to load");
  g_signal_handlers_disconnect_by_data (web_view, &finished);

  text = page_text (web_view, "document.title + '|' + document.body.innerText");
  g_assert_nonnull (strstr (text, "Hello from Code Canvas"));
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "preview.png");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  g_assert_false (cc_preview_pane_get_running (pane));
}

static void
test_preview_failure (AppFixture    *f,
                      gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  g_autoptr(CcProject) second = app_create_project (f, "Second", CC_TEMPLATE_BLANK, cc_test_free_port ());

  /* The blank project has nothing that listens: the pane must say so instead of waiting. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.select-project", "u", 1);
  WAIT_FOR (g_strcmp0 (cc_project_get_name (f->window->project), "Second") == 0, "the blank project");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server attempt to end");
  g_assert_false (cc_preview_pane_get_running (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "failed");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->dev_server_stack), ==, "start");
  app_snapshot_to_png (f, GTK_WIDGET (f->window), "preview-failed.png");

  /* With a start command that fails, History shows each attempt as it ends, with nothing else
   * to make it reload: the first Run's and a second one's. */
  {
    g_autoptr(CcProject) changes = cc_project_new ("Second");

    cc_project_set_start_command (changes, "echo no-server-here; exit 3");
    app_set_project_fields (f, cc_project_get_id (second), changes, CC_PROJECT_FIELD_START_COMMAND);
  }
  for (guint run = 1; run <= 2; run++)
    {
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
      WAIT_FOR (!cc_preview_pane_get_busy (pane), "the attempt to end");
      g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "failed");
      WAIT_FOR (app_history_count (f, CC_OPERATION_TYPE_DEV_SERVER, CC_OPERATION_STATUS_ERROR) == run,
                "the failed attempt in History");
    }
}

static guint
count_setups_with_status (AppFixture        *f,
                          const char        *project_id,
                          CcOperationStatus  status)
{
  CcHistoryQuery query = { 0 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) records = NULL;
  g_autoptr(GError) error = NULL;

  query.project_id = project_id;
  query.type_mask = CC_HISTORY_MASK (CC_OPERATION_TYPE_SETUP);
  query.status_mask = CC_HISTORY_MASK (status);
  cc_client_history_async (f->client, &query, NULL, cc_test_store_result_cb, &result);
  cc_test_wait_result (&result);
  records = cc_client_history_finish (f->client, result, &error);
  g_assert_no_error (error);
  return g_list_model_get_n_items (records);
}

static guint
count_successful_setups (AppFixture *f,
                         const char *project_id)
{
  return count_setups_with_status (f, project_id, CC_OPERATION_STATUS_SUCCESS);
}

static void
test_preview_sets_up_first (AppFixture    *f,
                            gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  WebKitWebView *web_view;
  gboolean finished = FALSE;
  g_autoptr(CcProject) project = NULL;
  g_autofree char *text = NULL;
  const char *id;   /* borrowed from @project, which lives to the end */

  if (skip_without_webkit ())
    return;

  /* A Node project made from its template whose setup never ran: no files, no dependencies. */
  project = app_create_project (f, "Never Set Up", CC_TEMPLATE_NODE, cc_test_free_port ());
  id = cc_project_get_id (project);
  g_assert_cmpuint (count_successful_setups (f, id), ==, 0);
  cc_window_select_project (f->window, id);
  WAIT_FOR (f->window->project != NULL && g_strcmp0 (cc_project_get_id (f->window->project), id) == 0,
            "the new project");

  /* One press of Run: the setup runs first, then the server, and the page loads. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  g_assert_true (cc_preview_pane_get_busy (pane));
  /* While it works, the Stop button is there to cancel it. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->dev_server_stack), ==, "stop");
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the setup and the dev server");
  if (!cc_preview_pane_get_running (pane))
    g_error ("The dev server did not come up; the pane shows “%s”", cc_preview_pane_get_state (pane));
  web_view = WEBKIT_WEB_VIEW (cc_preview_pane_get_web_view (pane));
  g_signal_connect (web_view, "load-changed", G_CALLBACK (on_load_changed), &finished);
  /* The setup's record is written after its result is delivered: wait for it. */
  WAIT_FOR (count_successful_setups (f, id) == 1, "the setup's record");
  WAIT_FOR (finished, "the page to load");
  g_signal_handlers_disconnect_by_data (web_view, &finished);

  text = page_text (web_view, "document.body.innerText");
  g_assert_nonnull (strstr (text, "Hello from Code Canvas"));
  /* Its files are in the tree now. */
  WAIT_FOR (app_tree_root_has (f, "server.js"), "the project's files in the tree");

  /* Run again: it is set up now, so it does not set up a second time. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to start again");
  g_assert_true (cc_preview_pane_get_running (pane));
  g_assert_cmpuint (count_successful_setups (f, id), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the dev server to stop");
  g_assert_false (cc_preview_pane_get_running (pane));
}

static void
test_preview_setup_cancelled (AppFixture    *f,
                              gconstpointer  data)
{
  CcPreviewPane *pane = f->window->preview_pane;
  g_autoptr(CcProject) project = NULL;
  g_autoptr(CcProject) changes = NULL;
  const char *id;   /* borrowed from @project */

  /* A project whose setup would take long: Stop while it runs ends it, and no server starts. */
  project = app_create_project (f, "Slow Setup", CC_TEMPLATE_BLANK, cc_test_free_port ());
  id = cc_project_get_id (project);
  changes = cc_project_new ("Slow Setup");
  cc_project_set_setup_command (changes, "sleep 300");
  app_set_project_fields (f, id, changes, CC_PROJECT_FIELD_SETUP_COMMAND);
  cc_window_select_project (f->window, id);
  WAIT_FOR (f->window->project != NULL && g_strcmp0 (cc_project_get_id (f->window->project), id) == 0,
            "the slow project");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start-dev-server", NULL);
  g_assert_true (cc_preview_pane_get_busy (pane));
  WAIT_FOR (count_setups_with_status (f, id, CC_OPERATION_STATUS_PENDING) == 1, "the setup to start");
  g_assert_true (cc_preview_pane_get_busy (pane));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-dev-server", NULL);
  WAIT_FOR (!cc_preview_pane_get_busy (pane), "the cancelled setup to end");
  g_assert_false (cc_preview_pane_get_running (pane));
  g_assert_cmpstr (cc_preview_pane_get_state (pane), ==, "idle");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->dev_server_stack), ==, "start");
  /* The setup was stopped, not left running: its record ends, and not as a success. */
  WAIT_FOR (count_setups_with_status (f, id, CC_OPERATION_STATUS_PENDING) == 0, "the setup record to end");
  g_assert_cmpuint (count_successful_setups (f, id), ==, 0);
  g_assert_null (cc_client_get_dev_server (f->client, id));
}

#define ADD_CASE(path, setup, func) \
  g_test_add (path, AppFixture, shared, setup, func, app_fixture_teardown)

void
app_add_workspace_cases (const AppShared *shared)
{
  ADD_CASE ("/app/sidebar/switch-projects", app_fixture_setup_blank, test_switch_projects);
  ADD_CASE ("/app/sidebar/project-settings", app_fixture_setup_node, test_project_settings);
  ADD_CASE ("/app/editor/save", app_fixture_setup_node, test_editor_save);
  ADD_CASE ("/app/editor/refuses-binary-and-large", app_fixture_setup_blank, test_editor_refuses);
  ADD_CASE ("/app/shell/pty", app_fixture_setup_blank, test_shell);
  ADD_CASE ("/app/style/dark", app_fixture_setup_node, test_dark_style);
  ADD_CASE ("/app/sandbox/lifecycle", app_fixture_setup_node, test_sandbox_lifecycle);
  ADD_CASE ("/app/sandbox/recreated-toast", app_fixture_setup_node, test_sandbox_recreated_toast);
  ADD_CASE ("/app/preview/dev-server", app_fixture_setup_node, test_preview);
  ADD_CASE ("/app/preview/dev-server-fails", app_fixture_setup_node, test_preview_failure);
  ADD_CASE ("/app/preview/sets-up-first", app_fixture_setup_empty, test_preview_sets_up_first);
  ADD_CASE ("/app/preview/setup-cancelled", app_fixture_setup_empty, test_preview_setup_cancelled);
}
