/* test-client-mirror.c: the workspace mirrored to a sandbox that does not mount it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The project's connection is a custom E2B-compatible endpoint: the real engine behind the
 * loopback fault proxy, so the mirrored path runs, not the mount. Files made by commands,
 * uploads and editor saves come back before a kill and go up again to the new sandbox; an
 * edit made in the folder is what the next command sees; a file both sides changed is kept
 * twice; excluded folders and symlinks never travel; a cut download or upload, the engine
 * killed mid-pull, a 1 GiB file and 20,000 files lose nothing.
 */
#include "config.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cc-client.h"
#include "cc-fault-proxy.h"
#include "cc-sandbox-error.h"
#include "test-client-util.h"

typedef struct
{
  ClientFixture  base;
  CcFaultProxy  *proxy;
  CcProject     *project;
  char          *workspace;
} MirrorFixture;

static void
mirror_setup (MirrorFixture *f,
              gconstpointer  data)
{
  cc_test_client_setup (&f->base, data);
  f->proxy = cc_fault_proxy_new (cc_test_engine_get_url (f->base.engine));
  f->project = cc_test_create_proxied_project (&f->base, f->proxy, "mirrored");
  f->workspace = cc_client_dup_workspace_path (f->base.client, f->project);
}

static void
mirror_teardown (MirrorFixture *f,
                 gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_fault_proxy_clear_rules (f->proxy);
  cc_client_clear_api_key_async (f->base.client, CC_CONNECTION_CUSTOM,
                                 cc_fault_proxy_get_url (f->proxy), NULL, cc_test_store_result_cb,
                                 &result);
  cc_client_clear_api_key_finish (f->base.client, cc_test_wait_result (&result), NULL);
  g_clear_object (&f->project);
  g_free (f->workspace);
  cc_test_client_teardown (&f->base, data);
  cc_fault_proxy_free (f->proxy);
}

static const char *
id_of (MirrorFixture *f)
{
  return cc_project_get_id (f->project);
}

static char *
stdout_of (MirrorFixture *f,
           const char    *command)
{
  g_autoptr(CcExecution) run = cc_test_run (&f->base, id_of (f), command, CC_EXECUTE_FLAGS_NONE);
  g_autoptr(GBytes) out = cc_execution_dup_stdout (run);

  g_assert_cmpint (cc_execution_get_exit_code (run), ==, 0);
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static char *
read_in (MirrorFixture *f,
         const char    *name)
{
  g_autofree char *path = g_build_filename (f->workspace, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
write_in (MirrorFixture *f,
          const char    *name,
          const char    *text)
{
  g_autofree char *path = g_build_filename (f->workspace, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static gboolean
exists_in (MirrorFixture *f,
           const char    *name)
{
  g_autofree char *path = g_build_filename (f->workspace, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (path, G_FILE_TEST_IS_SYMLINK);
}

static CcSyncSummary *
sync_project (MirrorFixture  *f,
              GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_client_sync_project_async (f->base.client, id_of (f), NULL, cc_test_store_result_cb,
                                &result);
  return cc_client_sync_project_finish (f->base.client, cc_test_wait_result (&result), error);
}

static CcSyncSummary *
sync_ok (MirrorFixture *f)
{
  g_autoptr(GError) error = NULL;
  CcSyncSummary *summary = sync_project (f, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_false (summary->mounted);
  return summary;
}

static void
kill_through_client (MirrorFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_kill_sandbox_async (f->base.client, id_of (f), NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_client_kill_sandbox_finish (f->base.client, cc_test_wait_result (&result),
                                                &error));
  g_assert_no_error (error);
}

/* Read in pieces: a file may be larger than the test should hold. */
static char *
sha256_of_file (const char *path)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, NULL);
  g_autofree guchar *buffer = g_malloc (1024 * 1024);
  gssize n;

  g_assert_nonnull (input);
  while ((n = g_input_stream_read (G_INPUT_STREAM (input), buffer, 1024 * 1024, NULL, NULL)) > 0)
    g_checksum_update (checksum, buffer, n);
  g_assert_cmpint (n, ==, 0);
  return g_strdup (g_checksum_get_string (checksum));
}

/* The workspace's files (what a sync carries) as "sha256  ./path" lines, sorted as the
 * sandbox's `sort` does under LC_ALL=C. */
static char *
workspace_digest (const char *root,
                  const char *relative,
                  GPtrArray  *lines)
{
  g_autofree char *dir_path = relative ? g_build_filename (root, relative, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = relative ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      g_autofree char *path = g_build_filename (root, child, NULL);

      if (g_str_equal (name, "node_modules") || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        workspace_digest (root, child, lines);
      else
        {
          g_autofree char *sum = sha256_of_file (path);

          g_ptr_array_add (lines, g_strdup_printf ("%s  ./%s\n", sum, child));
        }
    }
  return NULL;
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  const char *la = *(const char * const *) a;
  const char *lb = *(const char * const *) b;

  /* By path, as `sort -k2` does with LC_ALL=C. */
  return strcmp (la + 66, lb + 66);
}

/* The workspace and the sandbox home hold the same files, byte for byte (the sandbox's own
 * dotfiles aside, which came into the workspace too). */
static void
assert_same_files (MirrorFixture *f)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) local = g_string_new (NULL);
  g_autofree char *remote = NULL;

  workspace_digest (f->workspace, NULL, lines);
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    g_string_append (local, g_ptr_array_index (lines, i));
  remote = stdout_of (f, "cd ~ && find . -type f -not -path '*/node_modules/*' -print0 | "
                         "LC_ALL=C sort -z | xargs -0 -r sha256sum");
  g_assert_cmpstr (remote, ==, local->str);
}

static void
test_survives_kill (MirrorFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("saved\n", 6);
  g_autofree char *made = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *out = NULL;
  g_autofree char *note = NULL;

  g_free (stdout_of (f, "mkdir -p src node_modules/dep && echo made > src/made.txt && "
                        "echo dep > node_modules/dep/index.js && ln -s /etc/hostname outside"));
  cc_client_write_file_async (f->base.client, id_of (f), "/home/user/saved.txt", content, NULL,
                              cc_test_store_result_cb, &result);
  g_assert_true (cc_client_write_file_finish (f->base.client, cc_test_wait_result (&result),
                                              &error));
  g_assert_no_error (error);

  /* A kill the person asks for brings everything back first. */
  kill_through_client (f);
  made = read_in (f, "src/made.txt");
  saved = read_in (f, "saved.txt");
  g_assert_cmpstr (made, ==, "made\n");
  g_assert_cmpstr (saved, ==, "saved\n");
  g_assert_false (exists_in (f, "node_modules"));
  g_assert_false (exists_in (f, "outside"));

  /* An edit made in the folder is what the next command sees, in the new sandbox. */
  write_in (f, "src/made.txt", "edited\n");
  write_in (f, "node_modules/local-only/index.js", "never travels\n");
  out = stdout_of (f, "cat src/made.txt saved.txt; ls node_modules 2>&1 || true");
  g_assert_true (g_str_has_prefix (out, "edited\nsaved\n"));
  g_assert_null (strstr (out, "local-only"));
  note = cc_client_dup_recreate_note (f->base.client, id_of (f));
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "synced from the workspace"));

  /* A sandbox deleted behind our back: the next sync gets a new one, and loses nothing. */
  {
    g_autoptr(CcProject) current = cc_test_get_project (&f->base, id_of (f));
    g_autoptr(CcSyncSummary) summary = NULL;

    cc_test_kill_sandbox_directly (&f->base, cc_project_get_sandbox_id (current));
    summary = sync_ok (f);
    seen = stdout_of (f, "cat src/made.txt");
    g_assert_cmpstr (seen, ==, "edited\n");
  }
  assert_same_files (f);
}

/* Counts a client signal's emissions (its arguments do not matter). */
static void
count_emission (guint *seen)
{
  (*seen)++;
}

static void
test_conflict_keeps_both (MirrorFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CcSyncSummary) first = NULL;
  g_autoptr(CcSyncSummary) second = NULL;
  g_autoptr(CcSyncSummary) third = NULL;
  g_autofree char *in_place = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(GListModel) history = NULL;
  g_autoptr(CcOperation) record = NULL;
  guint conflicts_seen = 0;

  /* Only the syncs the test asks for: each step then sees one known state. */
  g_object_set (f->base.client, "live-sync", FALSE, NULL);

  g_signal_connect_swapped (f->base.client, "sync-conflict", G_CALLBACK (count_emission),
                            &conflicts_seen);
  g_free (stdout_of (f, "echo one > notes.txt"));
  first = sync_ok (f);
  g_assert_cmpuint (first->pulled, >=, 1);
  in_place = read_in (f, "notes.txt");
  g_assert_cmpstr (in_place, ==, "one\n");
  g_clear_pointer (&in_place, g_free);

  write_in (f, "notes.txt", "workspace\n");
  g_free (stdout_of (f, "echo sandbox > notes.txt"));
  second = sync_ok (f);
  g_assert_cmpuint (g_strv_length (second->conflicts), ==, 1);
  g_assert_cmpuint (conflicts_seen, ==, 1);
  g_assert_cmpstr (second->conflicts[0], ==, "notes (sandbox copy).txt");
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==,
                   CC_SYNC_STATE_CONFLICT);

  in_place = read_in (f, "notes.txt");
  copy = read_in (f, "notes (sandbox copy).txt");
  g_assert_cmpstr (in_place, ==, "workspace\n");
  g_assert_cmpstr (copy, ==, "sandbox\n");
  remote = stdout_of (f, "cat notes.txt 'notes (sandbox copy).txt'");
  g_assert_cmpstr (remote, ==, "workspace\nsandbox\n");

  /* History says so. */
  cc_test_flush (&f->base);
  history = cc_test_history (&f->base, id_of (f), 5);
  for (guint i = 0; i < g_list_model_get_n_items (history) && record == NULL; i++)
    {
      g_autoptr(CcOperation) op = g_list_model_get_item (history, i);

      if (g_strcmp0 (cc_operation_get_input (op), "sync") == 0 &&
          cc_operation_get_stdout (op) != NULL &&
          strstr (cc_operation_get_stdout (op), "notes (sandbox copy).txt") != NULL)
        record = g_steal_pointer (&op);
    }
  g_assert_nonnull (record);

  /* Settled: nothing travels again. */
  third = sync_ok (f);
  g_assert_cmpuint (third->pulled, ==, 0);
  g_assert_cmpuint (third->pushed, ==, 0);
  g_assert_cmpuint (g_strv_length (third->conflicts), ==, 0);
  g_assert_cmpuint (conflicts_seen, ==, 1);
  g_signal_handlers_disconnect_by_data (f->base.client, &conflicts_seen);
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==,
                   CC_SYNC_STATE_SYNCED);
  assert_same_files (f);
}

static void
test_excluded_never_travel (MirrorFixture *f,
                            gconstpointer  data)
{
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *outside_target = g_build_filename (f->base.tmpdir, "secret.txt", NULL);
  g_autofree char *link = g_build_filename (f->workspace, "secret-link", NULL);
  g_autofree char *dir_link = g_build_filename (f->workspace, "dir-link", NULL);

  /* Only the syncs the test asks for: each step then sees one known state. */
  g_object_set (f->base.client, "live-sync", FALSE, NULL);

  g_assert_cmpint (g_mkdir_with_parents (f->workspace, 0755), ==, 0);
  write_in (f, ".codecanvasignore", "# build output\nbuild/\n*.log\n!keep.log\n");
  write_in (f, "node_modules/x/index.js", "x\n");
  write_in (f, "__pycache__/m.pyc", "pyc\n");
  write_in (f, "build/out.js", "out\n");
  write_in (f, "a.log", "a\n");
  write_in (f, "keep.log", "keep\n");
  write_in (f, "src/app.js", "app\n");
  g_assert_true (g_file_set_contents (outside_target, "secret\n", -1, NULL));
  g_assert_cmpint (symlink (outside_target, link), ==, 0);
  g_assert_cmpint (symlink (f->base.tmpdir, dir_link), ==, 0);

  summary = sync_ok (f);
  g_assert_cmpuint (summary->skipped, >=, 2);
  listing = stdout_of (f, "find . -not -path './.*' -o -name .codecanvasignore | LC_ALL=C sort");
  g_assert_cmpstr (listing, ==, ".\n./.codecanvasignore\n./keep.log\n./src\n./src/app.js\n");

  /* Nor back: what the sandbox makes in excluded places stays there. */
  g_free (stdout_of (f, "mkdir -p build node_modules/y && echo b > build/b.js && "
                        "echo y > node_modules/y/i.js && echo l > new.log && echo k > kept.txt"));
  g_clear_pointer (&summary, cc_sync_summary_free);
  summary = sync_ok (f);
  g_assert_true (exists_in (f, "kept.txt"));
  g_assert_false (exists_in (f, "build/b.js"));
  g_assert_false (exists_in (f, "node_modules/y"));
  g_assert_false (exists_in (f, "new.log"));
  /* The link stayed a link to the same place. */
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  /* Names that are not UTF-8, on either side, stay where they are; the rest still syncs. */
  {
    g_autofree char *odd = g_build_filename (f->workspace, "caf\xe9.txt", NULL);
    g_autoptr(CcSyncSummary) third = NULL;
    g_autofree char *back = NULL;

    g_assert_true (g_file_set_contents (odd, "latin-1 name\n", -1, NULL));
    g_free (stdout_of (f, "printf odd > \"$(printf 'x\\377.txt')\" && echo fine > fine.txt"));
    third = sync_ok (f);
    g_assert_cmpuint (third->skipped, >=, 1);
    g_assert_true (g_file_test (odd, G_FILE_TEST_IS_REGULAR));
    back = read_in (f, "fine.txt");
    g_assert_cmpstr (back, ==, "fine\n");
  }
}

/* A transfer is cut (the download's connection, then the upload's, is reset): the workspace is
 * as it was, the person is told, and the next sync completes. */
static void
test_cut_transfers (MirrorFixture *f,
                    gconstpointer  data)
{
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncSummary *failed;
  g_autofree char *big = NULL;

  /* Only the syncs the test asks for: each step then sees one known state. */
  g_object_set (f->base.client, "live-sync", FALSE, NULL);

  g_free (stdout_of (f, "head -c 300000 /dev/urandom > big.bin && echo small > small.txt"));
  /* Every try (the client retries a read) is cut, as when the engine dies mid-pull. */
  cc_fault_proxy_add_reset (f->proxy, "GET", "/files$", 0);
  failed = sync_project (f, &error);
  g_assert_null (failed);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nothing was changed in the workspace"));
  g_assert_false (exists_in (f, "big.bin"));
  g_clear_error (&error);
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==,
                   CC_SYNC_STATE_OFFLINE);
  cc_fault_proxy_clear_rules (f->proxy);
  summary = sync_ok (f);
  assert_same_files (f);

  /* Up: the upload's connection is reset. */
  write_in (f, "up/one.txt", "one\n");
  write_in (f, "up/two.txt", "two\n");
  cc_fault_proxy_add_reset (f->proxy, "POST", "/files$", 0);
  failed = sync_project (f, &error);
  g_assert_null (failed);
  g_assert_nonnull (error);
  g_clear_error (&error);
  cc_fault_proxy_clear_rules (f->proxy);
  g_clear_pointer (&summary, cc_sync_summary_free);
  summary = sync_ok (f);
  g_assert_cmpuint (summary->pushed, ==, 2);
  g_assert_cmpuint (g_strv_length (summary->conflicts), ==, 0);
  big = read_in (f, "up/one.txt");
  g_assert_cmpstr (big, ==, "one\n");
  assert_same_files (f);
}

/* While the sandbox is connected, what commands write comes back as it happens, and what they
 * remove goes; what they write in excluded folders stays in the sandbox. */
static void
test_live_pull (MirrorFixture *f,
                gconstpointer  data)
{
  g_autofree char *text = NULL;

  g_free (stdout_of (f, "echo first > first.txt"));
  CC_TEST_WAIT_FOR (exists_in (f, "first.txt"), "the first file to come back");

  g_free (stdout_of (f, "mkdir -p deep/er node_modules/z && echo z > node_modules/z/i.js && "
                        "echo deep > deep/er/f.txt"));
  CC_TEST_WAIT_FOR (exists_in (f, "deep/er/f.txt"), "a file in new folders to come back");
  text = read_in (f, "deep/er/f.txt");
  g_assert_cmpstr (text, ==, "deep\n");
  g_assert_false (exists_in (f, "node_modules"));

  g_free (stdout_of (f, "rm first.txt"));
  CC_TEST_WAIT_FOR (!exists_in (f, "first.txt"), "a removal to come back");

  /* An edit made in the folder, as an editor would, goes up by itself: each round waits for a
   * sync to end and looks in the sandbox (a sync already running may have scanned too early). */
  {
    guint changes = 0;
    gboolean seen = FALSE;

    g_signal_connect_swapped (f->base.client, "sync-state-changed", G_CALLBACK (count_emission),
                              &changes);
    write_in (f, "from-editor.txt", "typed\n");
    for (guint round = 0; round < 5 && !seen; round++)
      {
        guint target = changes + 2;
        g_autofree char *out = NULL;

        CC_TEST_WAIT_FOR (changes >= target, "a sync to run and end");
        out = stdout_of (f, "cat from-editor.txt 2>/dev/null || true");
        seen = g_str_equal (out, "typed\n");
      }
    g_assert_true (seen);
    g_signal_handlers_disconnect_by_data (f->base.client, &changes);
  }
  assert_same_files (f);
}

/* Starts a second program syncing the project, waits until it sent a request of @method to
 * /files (which the proxy holds), and SIGKILLs it there. */
static void
kill_child_mid_sync (MirrorFixture *f,
                     const char    *method)
{
  g_autofree char *child_path = g_test_build_filename (G_TEST_BUILT, "core", "mirror-sync-child",
                                                       NULL);
  g_autofree char *database = g_build_filename (f->base.tmpdir, "code-canvas.db", NULL);
  g_autofree char *runtime = g_path_get_dirname (cc_test_engine_get_json_path (f->base.engine));
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GAsyncResult) waited = NULL;
  g_autoptr(GError) error = NULL;

  cc_test_flush (&f->base);
  cc_fault_proxy_reset_counts (f->proxy);
  cc_fault_proxy_add_stall (f->proxy, method, "/files$", 1);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, child_path, database, runtime,
                            id_of (f), NULL);
  g_assert_no_error (error);
  CC_TEST_WAIT_FOR (cc_fault_proxy_count (f->proxy, method, "/files$") >= 1 ||
                    g_subprocess_get_identifier (child) == NULL,
                    "the child to reach the held request");
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait_async (child, NULL, cc_test_store_result_cb, &waited);
  g_assert_true (g_subprocess_wait_finish (child, cc_test_wait_result (&waited), &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  cc_fault_proxy_clear_rules (f->proxy);
}

/* A program SIGKILLed in the middle of a sync, during its downloads and then during its upload:
 * the workspace holds no half file, the next sync completes, and the workspace and the sandbox
 * are then the same, file by file. */
static void
test_sigkill_mid_sync (MirrorFixture *f,
                       gconstpointer  data)
{
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autofree char *incoming = NULL;

  /* The test's own client syncs only when asked: the child is the one cut. */
  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_free (stdout_of (f, "mkdir -p made && for i in $(seq 1 20); do echo made $i > made/$i.txt; "
                        "done && head -c 200000 /dev/urandom > made/big.bin"));
  for (guint i = 1; i <= 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("local/%u.txt", i);

      write_in (f, name, "local\n");
    }

  kill_child_mid_sync (f, "GET");
  /* Downloads land beside the workspace first: nothing of the sandbox's is in it yet. */
  g_assert_false (exists_in (f, "made"));
  summary = sync_ok (f);
  g_assert_cmpuint (summary->pulled, ==, 21);
  g_assert_cmpuint (summary->pushed, ==, 20);
  assert_same_files (f);

  g_free (stdout_of (f, "mkdir -p more && for i in 1 2 3 4 5; do echo more $i > more/$i.txt; "
                        "done && rm made/1.txt"));
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("up/%u.txt", i);

      write_in (f, name, "up\n");
    }
  kill_child_mid_sync (f, "POST");
  g_clear_pointer (&summary, cc_sync_summary_free);
  summary = sync_ok (f);
  g_assert_cmpuint (g_strv_length (summary->conflicts), ==, 0);
  g_assert_false (exists_in (f, "made/1.txt"));
  g_assert_true (exists_in (f, "more/5.txt"));
  g_assert_true (exists_in (f, "up/5.txt"));
  assert_same_files (f);
}

/* A sandbox runs code nobody reviewed: a file claiming more than the workspace's disk can hold
 * (sparse here, so the test fills nothing) never starts to come back, the sync says which and
 * why, and nothing else changes until it is gone. */
static void
test_room_bound (MirrorFixture *f,
                 gconstpointer  data)
{
  g_autoptr(CcSyncSummary) refused = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_free (stdout_of (f, "echo small > small.txt && truncate -s 8T huge.bin"));
  refused = sync_project (f, &error);
  g_assert_null (refused);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "huge.bin"));
  g_assert_false (exists_in (f, "huge.bin"));
  g_assert_false (exists_in (f, "small.txt"));

  g_free (stdout_of (f, "rm huge.bin"));
  summary = sync_ok (f);
  g_assert_true (exists_in (f, "small.txt"));
  g_assert_false (exists_in (f, "huge.bin"));
}

/* A download whose body is cut short (the connection closes after part of it, as when the engine
 * dies mid-pull) is never taken for the whole file. */
static void
test_truncated_download (MirrorFixture *f,
                         gconstpointer  data)
{
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncSummary *failed;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_free (stdout_of (f, "head -c 300000 /dev/urandom > big.bin"));
  cc_fault_proxy_add_truncate (f->proxy, "GET", "/files$", 0, 100000);
  failed = sync_project (f, &error);
  g_assert_null (failed);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "cut short"));
  g_assert_false (exists_in (f, "big.bin"));
  cc_fault_proxy_clear_rules (f->proxy);
  summary = sync_ok (f);
  assert_same_files (f);
}

static gboolean
executable_in (MirrorFixture *f,
               const char    *name)
{
  g_autofree char *path = g_build_filename (f->workspace, name, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (st.st_mode & S_IXUSR) != 0;
}

/* A script stays a script both ways: the upload carries no mode, so the mirror sets it. */
static void
test_exec_bit_travels (MirrorFixture *f,
                       gconstpointer  data)
{
  g_autofree char *up = g_build_filename (f->workspace, "up.sh", NULL);
  g_autoptr(CcSyncSummary) first = NULL;
  g_autoptr(CcSyncSummary) second = NULL;
  g_autofree char *modes = NULL;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->workspace, 0755), ==, 0);
  write_in (f, "up.sh", "#!/bin/sh\necho up\n");
  write_in (f, "plain.txt", "plain\n");
  g_assert_cmpint (chmod (up, 0755), ==, 0);
  first = sync_ok (f);
  modes = stdout_of (f, "for f in up.sh plain.txt; do if [ -x $f ]; then echo $f x; else echo $f -; fi; done");
  g_assert_cmpstr (modes, ==, "up.sh x\nplain.txt -\n");

  g_free (stdout_of (f, "printf '#!/bin/sh\\necho down\\n' > down.sh && chmod +x down.sh && echo d > data.txt"));
  second = sync_ok (f);
  g_assert_true (executable_in (f, "down.sh"));
  g_assert_false (executable_in (f, "data.txt"));
  g_assert_false (executable_in (f, "plain.txt"));
}

/* The engine's new key after a restart, stored for the proxy's URL as a person would. */
static void
store_engine_key (MirrorFixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_client_store_api_key_async (f->base.client, CC_CONNECTION_CUSTOM,
                                 cc_fault_proxy_get_url (f->proxy),
                                 cc_test_engine_get_api_key (f->base.engine), NULL,
                                 cc_test_store_result_cb, &result);
  g_assert_true (cc_client_store_api_key_finish (f->base.client, cc_test_wait_result (&result),
                                                 &error));
  g_assert_no_error (error);
}

/* The engine process SIGKILLed while a download's body is on its way: nothing of the pull lands
 * in the workspace, the sync says so, and once the engine is back the next sync completes. */
static void
test_engine_killed_mid_pull (MirrorFixture *f,
                             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  CcSyncSummary *failed;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  /* Larger than what the kernel buffers between the engine and the proxy. */
  g_free (stdout_of (f, "echo small > small.txt && head -c 33554432 /dev/urandom > big.bin"));
  cc_fault_proxy_add_hold (f->proxy, "GET", "/files$", 0, 256 * 1024);
  cc_client_sync_project_async (f->base.client, id_of (f), NULL, cc_test_store_result_cb,
                                &result);
  CC_TEST_WAIT_FOR (cc_fault_proxy_held (f->proxy) == 1, "the big file's download to be on its way");
  g_assert_cmpint (kill (cc_test_engine_get_pid (f->base.engine), SIGKILL), ==, 0);
  CC_TEST_WAIT_FOR (!cc_test_engine_is_running (f->base.engine), "the engine to die");
  cc_fault_proxy_release (f->proxy);

  failed = cc_client_sync_project_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_null (failed);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nothing was changed in the workspace"));
  g_assert_false (exists_in (f, "big.bin"));
  g_assert_false (exists_in (f, "small.txt"));
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==,
                   CC_SYNC_STATE_OFFLINE);

  /* Back on another port, with another key: the sandbox and its files survived. */
  cc_fault_proxy_clear_rules (f->proxy);
  cc_test_engine_restart (f->base.engine);
  cc_fault_proxy_set_upstream (f->proxy, cc_test_engine_get_url (f->base.engine));
  store_engine_key (f);
  summary = sync_ok (f);
  g_assert_cmpuint (summary->pulled, ==, 2);
  assert_same_files (f);
}

static guint64
peak_rss_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

#define GIB ((goffset) 1024 * 1024 * 1024)

/* A 1 GiB file goes up and comes back whole, and neither this program nor the engine holds it
 * in memory on the way. */
static void
test_gib_file (MirrorFixture *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->workspace, "big.bin", NULL);
  g_autofree guchar *block = g_malloc (1024 * 1024);
  g_autoptr(CcSyncSummary) up = NULL;
  g_autoptr(CcSyncSummary) down = NULL;
  g_autofree char *local_sum = NULL;
  g_autofree char *remote_sum = NULL;
  g_autofree char *expected = NULL;
#if defined(__SANITIZE_ADDRESS__)
  const gboolean sanitized = TRUE;
#else
  const gboolean sanitized = FALSE;
#endif
  struct statvfs fs;
  guint64 client_before, engine_before;
  FILE *out;

  /* The file, its sandbox copy and a download beside the workspace, with room to spare. */
  g_assert_cmpint (g_mkdir_with_parents (f->workspace, 0755), ==, 0);
  g_assert_cmpint (statvfs (f->workspace, &fs), ==, 0);
  if ((guint64) fs.f_bavail * fs.f_frsize < 5 * (guint64) GIB)
    {
      g_test_skip ("less than 5 GiB free for a 1 GiB file on both sides");
      return;
    }

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  for (gsize i = 0; i < 1024 * 1024; i++)
    block[i] = g_random_int_range (0, 256);
  out = fopen (path, "wb");
  g_assert_nonnull (out);
  for (guint32 mib = 0; mib < 1024; mib++)
    {
      memcpy (block, &mib, sizeof mib);    /* no two MiB alike */
      g_assert_cmpuint (fwrite (block, 1, 1024 * 1024, out), ==, 1024 * 1024);
    }
  g_assert_cmpint (fclose (out), ==, 0);

  client_before = peak_rss_kb (getpid ());
  engine_before = peak_rss_kb (cc_test_engine_get_pid (f->base.engine));
  up = sync_ok (f);
  g_assert_cmpuint (up->pushed, ==, 1);
  local_sum = sha256_of_file (path);
  remote_sum = stdout_of (f, "sha256sum big.bin && stat -c %s big.bin");
  expected = g_strdup_printf ("%s  big.bin\n%" G_GOFFSET_FORMAT "\n", local_sum, GIB);
  g_assert_cmpstr (remote_sum, ==, expected);

  /* Changed in the sandbox, it comes back whole. */
  g_clear_pointer (&remote_sum, g_free);
  remote_sum = stdout_of (f, "printf more >> big.bin && sha256sum big.bin");
  down = sync_ok (f);
  g_assert_cmpuint (down->pulled, ==, 1);
  g_clear_pointer (&local_sum, g_free);
  g_clear_pointer (&expected, g_free);
  local_sum = sha256_of_file (path);
  expected = g_strdup_printf ("%s  big.bin\n", local_sum);
  g_assert_cmpstr (remote_sum, ==, expected);

  /* Streamed both ways (freed buffers wait in the sanitizer's quarantine, so not there). */
  if (!sanitized)
    {
      g_assert_cmpuint (peak_rss_kb (getpid ()) - client_before, <, 256 * 1024);
      g_assert_cmpuint (peak_rss_kb (cc_test_engine_get_pid (f->base.engine)) - engine_before, <,
                        256 * 1024);
    }
  g_free (stdout_of (f, "rm big.bin"));
}

static guint
count_files (const char *root,
             const char *relative)
{
  g_autofree char *path = relative ? g_build_filename (root, relative, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = relative ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      g_autofree char *child_path = g_build_filename (root, child, NULL);

      n += g_file_test (child_path, G_FILE_TEST_IS_DIR) ? count_files (root, child) : 1;
    }
  return n;
}

/* 20,000 files in 200 folders go up in batches; a sync with nothing to do moves nothing; what
 * the sandbox then removes and adds among them comes back. */
static void
test_many_files (MirrorFixture *f,
                 gconstpointer  data)
{
  g_autoptr(CcSyncSummary) up = NULL;
  g_autoptr(CcSyncSummary) idle = NULL;
  g_autoptr(CcSyncSummary) down = NULL;
  g_autofree char *count = NULL;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  for (guint d = 0; d < 200; d++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/d%03u", f->workspace, d);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      for (guint i = 0; i < 100; i++)
        {
          g_autofree char *path = g_strdup_printf ("%s/f%03u.txt", dir, i);
          g_autofree char *text = g_strdup_printf ("file %u of folder %u\n", i, d);

          g_assert_true (g_file_set_contents (path, text, -1, NULL));
        }
    }

  up = sync_ok (f);
  g_assert_cmpuint (up->pushed, ==, 20000);
  count = stdout_of (f, "find d* -type f | wc -l");
  g_assert_cmpstr (count, ==, "20000\n");
  idle = sync_ok (f);
  g_assert_cmpuint (idle->pushed, ==, 0);
  g_assert_cmpuint (idle->pulled, ==, 0);
  g_assert_cmpuint (idle->removed, ==, 0);

  g_free (stdout_of (f, "rm -r d000 d001 && mkdir new && cd new && "
                        "for i in $(seq 1 500); do echo new $i > $i.txt; done"));
  down = sync_ok (f);
  g_assert_cmpuint (down->pulled, ==, 500);
  g_assert_cmpuint (down->removed, ==, 200);
  g_assert_false (exists_in (f, "d000"));
  g_assert_cmpuint (count_files (f->workspace, NULL), >=, 20000 - 200 + 500);
  assert_same_files (f);
}

/* The sandbox's disk fills during an upload (a small file system on the folder the file goes to,
 * which needs root to mount): the sync says so in words a person can act on, the workspace keeps
 * every file, and once there is room the next sync completes. */
static void
test_sandbox_disk_full (MirrorFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CcProject) current = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *big = g_malloc0 (512 * 1024);
  g_autofree char *big_path = NULL;
  CcSyncSummary *failed;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_free (stdout_of (f, "mkdir -p small"));
  current = cc_test_get_project (&f->base, id_of (f));
  host = g_build_filename (cc_test_engine_get_data_dir (f->base.engine), "sandboxes",
                           cc_project_get_sandbox_id (current), "small", NULL);
  g_assert_true (g_file_test (host, G_FILE_TEST_IS_DIR));
  if (mount ("tmpfs", host, "tmpfs", 0, "size=64k") != 0)
    {
      g_test_skip ("cannot mount a small tmpfs here (needs root)");
      return;
    }
  write_in (f, "kept.txt", "kept\n");
  big_path = g_build_filename (f->workspace, "small", "big.bin", NULL);
  write_in (f, "small/.keep", "");
  g_assert_true (g_file_set_contents (big_path, big, 512 * 1024, NULL));

  failed = sync_project (f, &error);
  umount2 (host, MNT_DETACH);
  g_assert_null (failed);
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "out of disk space"));
  g_assert_true (exists_in (f, "small/big.bin"));
  g_assert_true (exists_in (f, "kept.txt"));

  summary = sync_ok (f);
  g_assert_cmpuint (g_strv_length (summary->conflicts), ==, 0);
  assert_same_files (f);
}

/* While a sync moves a file, the project says how far it is (the sidebar shows it), and says
 * nothing once the sync is over. */
static void
test_sync_progress (MirrorFixture *f,
                    gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  double seen = -1;

  g_object_set (f->base.client, "live-sync", FALSE, NULL);
  g_assert_cmpfloat (cc_client_get_sync_progress (f->base.client, id_of (f)), ==, -1);
  g_free (stdout_of (f, "head -c 33554432 /dev/urandom > big.bin"));
  /* A quarter of it comes, then the answer is held. */
  cc_fault_proxy_add_hold (f->proxy, "GET", "/files$", 0, 8 * 1024 * 1024);
  cc_client_sync_project_async (f->base.client, id_of (f), NULL, cc_test_store_result_cb,
                                &result);
  CC_TEST_WAIT_FOR (cc_fault_proxy_held (f->proxy) == 1, "a quarter of the file to be on its way");
  CC_TEST_WAIT_FOR ((seen = cc_client_get_sync_progress (f->base.client, id_of (f))) >= 0.2,
                    "the progress to reach what came");
  g_assert_cmpfloat (seen, <=, 0.25);
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==,
                   CC_SYNC_STATE_SYNCING);

  cc_fault_proxy_release (f->proxy);
  summary = cc_client_sync_project_finish (f->base.client, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->pulled, ==, 1);
  g_assert_cmpfloat (cc_client_get_sync_progress (f->base.client, id_of (f)), ==, -1);
  g_assert_cmpint (cc_client_get_sync_state (f->base.client, id_of (f)), ==, CC_SYNC_STATE_SYNCED);
}

/* Nothing made in the sandbox is lost when it times out, even with no live pull: one full
 * sync runs before the end time the client knows. */
static void
test_sync_before_end (MirrorFixture *f,
                      gconstpointer  data)
{
  g_autofree char *text = NULL;
  gint64 end_time;

  g_object_set (f->base.client, "live-sync", FALSE, "sandbox-timeout", 10, "keep-alive", FALSE,
                NULL);
  g_free (stdout_of (f, "echo before the end > last.txt"));
  end_time = cc_client_get_sandbox_end_time (f->base.client, id_of (f));
  g_assert_cmpint (end_time, >, g_get_real_time ());
  g_assert_false (exists_in (f, "last.txt"));
  CC_TEST_WAIT_FOR (exists_in (f, "last.txt"), "the sync before the sandbox's end");
  g_assert_cmpint (g_get_real_time (), <, end_time);
  text = read_in (f, "last.txt");
  g_assert_cmpstr (text, ==, "before the end\n");
}

int
main (int   argc,
      char *argv[])
{
  cc_test_client_init (&argc, &argv);
#define ADD(path, fn) \
  g_test_add ("/core/client-mirror/" path, MirrorFixture, NULL, mirror_setup, fn, mirror_teardown)
  ADD ("survives-kill", test_survives_kill);
  ADD ("conflict-keeps-both", test_conflict_keeps_both);
  ADD ("excluded-never-travel", test_excluded_never_travel);
  ADD ("cut-transfers", test_cut_transfers);
  ADD ("live-pull", test_live_pull);
  ADD ("sigkill-mid-sync", test_sigkill_mid_sync);
  ADD ("room-bound", test_room_bound);
  ADD ("exec-bit-travels", test_exec_bit_travels);
  ADD ("truncated-download", test_truncated_download);
  ADD ("engine-killed-mid-pull", test_engine_killed_mid_pull);
  ADD ("gib-file", test_gib_file);
  ADD ("many-files", test_many_files);
  ADD ("sync-before-end", test_sync_before_end);
  ADD ("sandbox-disk-full", test_sandbox_disk_full);
  ADD ("sync-progress", test_sync_progress);
#undef ADD
  return g_test_run ();
}
