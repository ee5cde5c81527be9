/* test-envd.c: the sandbox daemon client against the real engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cc-connection.h"
#include "cc-envd.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"
#include "cc-test-engine.h"
#include "cc-test-forwarder.h"
#include "cc-test-util.h"

typedef struct
{
  CcTestEngine  *engine;
  CcConnection  *connection;
  CcSandboxInfo *info;
  CcEnvd        *envd;
} Fixture;

static CcSandboxInfo *
create_sandbox (CcConnection *connection)
{
  g_autoptr(CcControlPlane) api = cc_control_plane_new (connection);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CcSandboxInfo *info;

  cc_control_plane_create_async (api, NULL, 300, NULL, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT, NULL,
                                 cc_test_store_result_cb, &result);
  info = cc_control_plane_create_finish (api, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return info;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->engine = cc_test_engine_new ();
  f->connection = cc_connection_new_local (cc_test_engine_get_url (f->engine),
                                           cc_test_engine_get_api_key (f->engine));
  f->info = create_sandbox (f->connection);
  f->envd = cc_envd_new_for_sandbox (f->connection, f->info);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->envd);
  g_clear_pointer (&f->info, cc_sandbox_info_unref);
  g_assert_finalize_object (f->connection);
  cc_test_engine_free (f->engine);
}

/* Output collected from the signals, chunk by chunk. */
typedef struct
{
  GString *out;
  GString *err;
  GString *pty;
  guint    chunks;
  gboolean exited;
} Output;

static void
on_exited (CcRemoteProcess *process,
           Output          *output)
{
  output->exited = TRUE;
}

static void
output_init (Output *output)
{
  output->out = g_string_new (NULL);
  output->err = g_string_new (NULL);
  output->pty = g_string_new (NULL);
}

static void
output_clear (Output *output)
{
  g_string_free (output->out, TRUE);
  g_string_free (output->err, TRUE);
  g_string_free (output->pty, TRUE);
}

static void
output_connect (Output          *output,
                CcRemoteProcess *process)
{
  g_signal_connect (process, "stdout", G_CALLBACK (cc_test_append_chunk_cb), output->out);
  g_signal_connect (process, "stderr", G_CALLBACK (cc_test_append_chunk_cb), output->err);
  g_signal_connect (process, "pty", G_CALLBACK (cc_test_append_chunk_cb), output->pty);
  g_signal_connect (process, "exited", G_CALLBACK (on_exited), output);
}

static CcRemoteProcess *
start (CcEnvd        *envd,
       CcProcessSpec *spec,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_envd_start_process_async (envd, spec, NULL, cc_test_store_result_cb, &result);
  return cc_envd_start_process_finish (envd, cc_test_wait_result (&result), error);
}

static gboolean
wait_process (CcRemoteProcess *process,
              int             *exit_code,
              GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cc_remote_process_wait_async (process, NULL, cc_test_store_result_cb, &result);
  return cc_remote_process_wait_finish (process, cc_test_wait_result (&result), exit_code, error);
}

static void
send_input (CcRemoteProcess *process,
            const char      *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cc_remote_process_send_input_async (process, bytes, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_remote_process_send_input_finish (process, cc_test_wait_result (&result),
                                                      &error));
  g_assert_no_error (error);
}

static void
wait_for_text (GString    *buffer,
               const char *text)
{
  CC_TEST_WAIT_FOR (strstr (buffer->str, text) != NULL, text);
}

static void
test_streamed_output (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("echo first; read line; "
                                                               "echo \"got $line\"");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };
  int code = -5;

  output_init (&output);
  spec->stdin_open = TRUE;
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_remote_process_get_pid (process), >, 0);
  output_connect (&output, process);

  /* The first line arrives while the process still waits for its input. */
  wait_for_text (output.out, "first\n");
  g_assert_false (output.exited);
  g_assert_true (cc_remote_process_get_is_streaming (process));

  send_input (process, "hello\n");
  g_assert_true (wait_process (process, &code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 0);
  g_assert_true (output.exited);
  g_assert_cmpstr (output.out->str, ==, "first\ngot hello\n");
  g_assert_true (cc_remote_process_get_exited (process));
  g_assert_null (cc_remote_process_get_end_error (process));
  output_clear (&output);
}

static void
test_exit_code_stderr (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("echo oops >&2; exit 3");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };
  int code = 0;

  output_init (&output);
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  output_connect (&output, process);
  g_assert_true (wait_process (process, &code, &error));
  g_assert_cmpint (code, ==, 3);
  g_assert_cmpstr (output.err->str, ==, "oops\n");
  g_assert_cmpstr (output.out->str, ==, "");
  g_assert_cmpstr (cc_remote_process_get_end_error (process), ==, "exit status 3");
  output_clear (&output);
}

/* Commands one after the other share one kept-alive connection: libsoup opens a new one for
 * every POST unless told otherwise, and a connect and a name lookup per command were a
 * measurable part of its cost. */
static void
test_one_connection (void)
{
  g_autoptr(CcTestEngine) engine = cc_test_engine_new ();
  g_autoptr(CcTestForwarder) forwarder = cc_test_forwarder_new (cc_test_engine_get_port (engine));
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcSandboxInfo) info = NULL;
  g_autoptr(CcEnvd) envd = NULL;
  g_autoptr(GError) error = NULL;

  connection = cc_connection_new_local (cc_test_forwarder_get_url (forwarder),
                                        cc_test_engine_get_api_key (engine));
  info = create_sandbox (connection);
  envd = cc_envd_new_for_sandbox (connection, info);

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("true");
      g_autoptr(CcRemoteProcess) process = start (envd, spec, &error);
      int code = -1;

      g_assert_no_error (error);
      g_assert_true (wait_process (process, &code, &error));
      g_assert_no_error (error);
      g_assert_cmpint (code, ==, 0);
    }
  /* One, and some room for a busy machine where the last chunk of a stream came late. */
  g_assert_cmpuint (cc_test_forwarder_get_accepted (forwarder), <=, 3);

  g_clear_object (&envd);
  g_clear_pointer (&info, cc_sandbox_info_unref);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

static void
test_cwd_env (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("pwd; echo \"$GREETING\"");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(CcProcessSpec) bad = cc_process_spec_new_command ("true");
  g_autoptr(GError) error = NULL;
  Output output = { 0 };

  output_init (&output);
  spec->envs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (spec->envs, g_strdup ("GREETING"), g_strdup ("bonjour"));
  spec->cwd = g_strdup ("/tmp");
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  output_connect (&output, process);
  g_assert_true (wait_process (process, NULL, &error));
  g_assert_cmpstr (output.out->str, ==, "/tmp\nbonjour\n");

  bad->cwd = g_strdup ("/does/not/exist");
  g_assert_null (start (f->envd, bad, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_INVALID_ARGUMENT);
  output_clear (&output);
}

static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("echo started; sleep 30");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;

  spec->timeout_ms = 1500;
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  g_assert_false (wait_process (process, NULL, &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DEADLINE);
}

static void
test_kill_and_list (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("sleep 30");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  int code = 0;

  spec->timeout_ms = 0;
  spec->tag = g_strdup ("sleeper");
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);

  cc_envd_list_processes_async (f->envd, NULL, cc_test_store_result_cb, &result);
  processes = cc_envd_list_processes_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < processes->len; i++)
    {
      CcProcessInfo *info = g_ptr_array_index (processes, i);

      if (info->pid == cc_remote_process_get_pid (process))
        {
          found = TRUE;
          g_assert_cmpstr (info->cmd, ==, "/bin/bash");
          g_assert_cmpstr (info->args[2], ==, "sleep 30");
        }
    }
  g_assert_true (found);
  g_clear_object (&result);

  cc_remote_process_kill_async (process, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_remote_process_kill_finish (process, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (wait_process (process, &code, &error));
  g_assert_no_error (error);
  /* The daemon says -1 and "signal: killed"; we report it as a shell does. */
  g_assert_cmpint (code, ==, 128 + 9);
  g_assert_cmpint (cc_remote_process_get_signal (process), ==, 9);
  g_assert_false (cc_remote_process_get_exited (process));

  /* The process is gone: signalling it again is "not found". */
  cc_envd_send_signal_async (f->envd, cc_remote_process_get_pid (process), CC_SIGNAL_SIGKILL,
                             NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_envd_send_signal_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
}

static void
test_close_stdin (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("cat");
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };

  output_init (&output);
  spec->stdin_open = TRUE;
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  output_connect (&output, process);
  send_input (process, "abc");
  cc_remote_process_close_stdin_async (process, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_remote_process_close_stdin_finish (process, cc_test_wait_result (&result),
                                                       &error));
  g_assert_no_error (error);
  g_assert_true (wait_process (process, NULL, &error));
  g_assert_cmpstr (output.out->str, ==, "abc");
  output_clear (&output);
}

static void
test_reattach (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command ("read x; echo \"after $x\"");
  g_autoptr(CcRemoteProcess) first = NULL;
  g_autoptr(CcRemoteProcess) second = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };
  int code = -5;

  output_init (&output);
  spec->stdin_open = TRUE;
  spec->timeout_ms = 0;
  first = start (f->envd, spec, &error);
  g_assert_no_error (error);

  /* Dropping the stream does not stop the process. */
  cc_remote_process_disconnect (first);
  g_assert_false (wait_process (first, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  cc_envd_connect_process_async (f->envd, cc_remote_process_get_pid (first), 0, NULL,
                                 cc_test_store_result_cb, &result);
  second = cc_envd_connect_process_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cc_remote_process_get_pid (second), ==, cc_remote_process_get_pid (first));
  output_connect (&output, second);
  send_input (second, "yes\n");
  g_assert_true (wait_process (second, &code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (code, ==, 0);
  g_assert_cmpstr (output.out->str, ==, "after yes\n");
  g_clear_object (&result);

  cc_envd_connect_process_async (f->envd, 999999, 0, NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_connect_process_finish (f->envd, cc_test_wait_result (&result),
                                                 &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  output_clear (&output);
}

static void
test_pty (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_pty (80, 24);
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Output output = { 0 };

  output_init (&output);
  spec->timeout_ms = 0;
  process = start (f->envd, spec, &error);
  g_assert_no_error (error);
  g_assert_true (cc_remote_process_get_is_pty (process));
  output_connect (&output, process);

  cc_remote_process_resize_async (process, 100, 30, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_remote_process_resize_finish (process, cc_test_wait_result (&result),
                                                  &error));
  g_assert_no_error (error);

  send_input (process, "stty size; exit\n");
  g_assert_true (wait_process (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (output.pty->str, "30 100"));
  output_clear (&output);
}

static GPtrArray *
list_dir (CcEnvd     *envd,
          const char *path,
          guint       depth)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  cc_envd_list_dir_async (envd, path, depth, NULL, cc_test_store_result_cb, &result);
  entries = cc_envd_list_dir_finish (envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return entries;
}

static void
record_progress (goffset  done,
                 goffset  total,
                 gpointer user_data)
{
  goffset *last = user_data;

  g_assert_cmpint (done, >=, last[0]);
  last[0] = done;
  last[1] = total;
}

static void
test_upload_many (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  goffset progress[2] = { 0, 0 };
  guint nfiles = 0, ndirs = 0;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *path = g_strdup_printf ("/home/user/proj/%s/file-%02u.txt",
                                               i % 2 ? "src" : "lib", i);
      g_autofree char *text = g_strdup_printf ("content of %u\n", i);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      g_ptr_array_add (files, cc_upload_file_new_bytes (path, bytes));
    }
  /* Relative paths go under the user's home; names with quotes survive. */
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static ("q", 1);
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

    g_ptr_array_add (files, cc_upload_file_new_stream ("proj/say \"hi\".txt", stream, 1));
  }

  cc_envd_upload_files_async (f->envd, files, record_progress, progress, NULL, NULL,
                              cc_test_store_result_cb, &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 41);
  g_assert_cmpint (progress[1], >, 0);
  g_assert_cmpint (progress[0], ==, progress[1]);

  entries = list_dir (f->envd, "/home/user/proj", 2);
  for (guint i = 0; i < entries->len; i++)
    {
      CcEntryInfo *entry = g_ptr_array_index (entries, i);

      if (entry->type == CC_FILE_TYPE_FILE)
        nfiles++;
      else if (entry->type == CC_FILE_TYPE_DIRECTORY)
        ndirs++;
    }
  g_assert_cmpuint (nfiles, ==, 41);
  g_assert_cmpuint (ndirs, ==, 2);
}

static GBytes *
all_byte_values (guint repeat)
{
  GByteArray *array = g_byte_array_new ();

  for (guint r = 0; r < repeat; r++)
    for (guint i = 0; i < 256; i++)
      {
        guint8 b = i;

        g_byte_array_append (array, &b, 1);
      }
  return g_byte_array_free_to_bytes (array);
}

static void
test_binary_roundtrip (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) content = all_byte_values (4096);   /* 1 MiB */
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (content);
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(CcEntryInfo) entry = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GBytes) downloaded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  goffset progress[2] = { 0, 0 };
  gssize n;

  cc_envd_upload_stream_async (f->envd, "/home/user/bin/all.bin", stream,
                               g_bytes_get_size (content), NULL, NULL, NULL, NULL,
                               cc_test_store_result_cb, &result);
  entry = cc_envd_upload_stream_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->path, ==, "/home/user/bin/all.bin");
  g_clear_object (&result);

  cc_envd_read_file_async (f->envd, "/home/user/bin/all.bin", NULL, cc_test_store_result_cb,
                           &result);
  read = cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, content));
  g_clear_object (&result);

  cc_envd_download_async (f->envd, "/home/user/bin/all.bin", sink, record_progress, progress,
                          NULL, NULL, cc_test_store_result_cb, &result);
  n = cc_envd_download_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, g_bytes_get_size (content));
  g_assert_cmpint (progress[0], ==, n);
  g_output_stream_close (sink, NULL, NULL);
  downloaded = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
  g_assert_true (g_bytes_equal (downloaded, content));
  g_clear_object (&result);

  cc_envd_read_file_async (f->envd, "/home/user/missing.bin", NULL, cc_test_store_result_cb,
                           &result);
  g_assert_null (cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
}

/* A single write of a name holding a quote and a line break lands under that very name. */
static void
test_odd_name_roundtrip (Fixture       *f,
                         gconstpointer  data)
{
  static const char name[] = "/home/user/say \"hi\"\nthere.txt";
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) content = g_bytes_new_static ("odd", 3);
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (files, cc_upload_file_new_bytes (name, content));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written->len, ==, 1);
  g_assert_cmpstr (((CcEntryInfo *) g_ptr_array_index (written, 0))->path, ==, name);
  g_clear_object (&result);

  cc_envd_read_file_async (f->envd, name, NULL, cc_test_store_result_cb, &result);
  read = cc_envd_read_file_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, content));
}

static void
test_filesystem (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CcEntryInfo) dir = NULL;
  g_autoptr(CcEntryInfo) moved = NULL;
  g_autoptr(CcEntryInfo) stat = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello", 5);
  g_autoptr(GPtrArray) written = NULL;

  cc_envd_make_dir_async (f->envd, "/home/user/a/b", NULL, cc_test_store_result_cb, &result);
  dir = cc_envd_make_dir_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (dir->type, ==, CC_FILE_TYPE_DIRECTORY);
  g_assert_cmpstr (dir->name, ==, "b");
  g_clear_object (&result);

  cc_envd_make_dir_async (f->envd, "/home/user/a/b", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_make_dir_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ALREADY_EXISTS);
  g_clear_error (&error);
  g_clear_object (&result);

  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/a/b/x.txt", bytes));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_envd_move_async (f->envd, "/home/user/a/b/x.txt", "/home/user/y.txt", NULL,
                      cc_test_store_result_cb, &result);
  moved = cc_envd_move_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (moved->path, ==, "/home/user/y.txt");
  g_clear_object (&result);

  cc_envd_stat_async (f->envd, "/home/user/y.txt", NULL, cc_test_store_result_cb, &result);
  stat = cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (stat->size, ==, 5);
  g_assert_cmpint (stat->type, ==, CC_FILE_TYPE_FILE);
  g_assert_cmpint (stat->modified_time, >, 0);
  g_clear_object (&result);

  cc_envd_remove_async (f->envd, "/home/user/a", NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_envd_remove_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  cc_envd_stat_async (f->envd, "/home/user/a/b", NULL, cc_test_store_result_cb, &result);
  g_assert_null (cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  cc_envd_health_async (f->envd, NULL, cc_test_store_result_cb, &result);
  g_assert_true (cc_envd_health_finish (f->envd, cc_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

/* Large transfers stream: neither direction holds the file in memory. */
static void
test_large_transfer_bounded (Fixture       *f,
                             gconstpointer  data)
{
  const gsize size = 48 * 1024 * 1024;
  g_autofree char *dir = cc_test_make_tmpdir ("cc-envd-large");
  g_autofree char *src_path = g_build_filename (dir, "src.bin", NULL);
  g_autofree char *dst_path = g_build_filename (dir, "dst.bin", NULL);
  g_autoptr(GFile) src = g_file_new_for_path (src_path);
  g_autoptr(GFile) dst = g_file_new_for_path (dst_path);
  g_autoptr(GFileOutputStream) writer = NULL;
  g_autoptr(GFileInputStream) reader = NULL;
  g_autoptr(GFileOutputStream) sink = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(CcEntryInfo) entry = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *block = g_malloc (1024 * 1024);
  gsize hwm_before, hwm_after;
  goffset progress[2] = { 0, 0 };
  GStatBuf st;

  for (gsize i = 0; i < 1024 * 1024; i++)
    block[i] = (guint8) (i * 7);
  writer = g_file_replace (src, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < size / (1024 * 1024); i++)
    g_output_stream_write_all (G_OUTPUT_STREAM (writer), block, 1024 * 1024, NULL, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (writer), NULL, &error);
  g_assert_no_error (error);

  hwm_before = cc_test_proc_status_kib (0, "VmHWM");

  reader = g_file_read (src, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (files, cc_upload_file_new_stream ("/home/user/large.bin",
                                                     G_INPUT_STREAM (reader), size));
  cc_envd_upload_files_async (f->envd, files, record_progress, progress, NULL, NULL,
                              cc_test_store_result_cb, &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (progress[0], >, (goffset) size);
  g_clear_object (&result);

  cc_envd_stat_async (f->envd, "/home/user/large.bin", NULL, cc_test_store_result_cb, &result);
  entry = cc_envd_stat_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->size, ==, (gint64) size);
  g_clear_object (&result);

  sink = g_file_replace (dst, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  cc_envd_download_async (f->envd, "/home/user/large.bin", G_OUTPUT_STREAM (sink), NULL, NULL,
                          NULL, NULL, cc_test_store_result_cb, &result);
  g_assert_cmpint (cc_envd_download_finish (f->envd, cc_test_wait_result (&result), &error), ==,
                   (gssize) size);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (sink), NULL, NULL);
  g_assert_cmpint (g_stat (dst_path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, (goffset) size);

  hwm_after = cc_test_proc_status_kib (0, "VmHWM");
  g_test_message ("VmHWM %zu KiB → %zu KiB for %zu MiB up and down", hwm_before, hwm_after,
                  size >> 20);
#if !defined(__SANITIZE_ADDRESS__)
  /* ASan's quarantine keeps freed buffers around, so only measure without it. */
  g_assert_cmpuint (hwm_after - hwm_before, <, 16 * 1024);
#endif
  cc_test_rm_rf (dir);
}

typedef struct
{
  gboolean started;
  gboolean created;
} WatchSeen;

static void
watch_event (CcFsEventType      type,
             const char        *name,
             const CcEntryInfo *entry,
             gpointer           user_data)
{
  WatchSeen *seen = user_data;

  if (type == CC_FS_EVENT_STARTED)
    seen->started = TRUE;
  else if (type == CC_FS_EVENT_CREATE && g_strcmp0 (name, "new.txt") == 0)
    seen->created = TRUE;
}

static void
test_watch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("n", 1);
  g_autoptr(GAsyncResult) watch_result = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;
  WatchSeen seen = { 0 };

  cc_envd_watch_dir_async (f->envd, "/home/user", FALSE, FALSE, 0, watch_event, &seen, NULL,
                           cancellable, cc_test_store_result_cb, &watch_result);
  CC_TEST_WAIT_FOR (seen.started, "the watch to start");

  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/new.txt", bytes));
  cc_envd_upload_files_async (f->envd, files, NULL, NULL, NULL, NULL, cc_test_store_result_cb,
                              &result);
  written = cc_envd_upload_files_finish (f->envd, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);

  CC_TEST_WAIT_FOR (seen.created, "the create event");

  g_cancellable_cancel (cancellable);
  g_assert_false (cc_envd_watch_dir_finish (f->envd, cc_test_wait_result (&watch_result),
                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/envd/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("process/streamed-output", test_streamed_output);
  ADD ("process/exit-code-stderr", test_exit_code_stderr);
  g_test_add_func ("/core/envd/process/one-connection", test_one_connection);
  ADD ("process/cwd-env", test_cwd_env);
  ADD ("process/deadline", test_deadline);
  ADD ("process/kill-and-list", test_kill_and_list);
  ADD ("process/close-stdin", test_close_stdin);
  ADD ("process/reattach", test_reattach);
  ADD ("process/pty", test_pty);
  ADD ("files/upload-many", test_upload_many);
  ADD ("files/binary-roundtrip", test_binary_roundtrip);
  ADD ("files/odd-name-roundtrip", test_odd_name_roundtrip);
  ADD ("files/large-transfer-bounded", test_large_transfer_bounded);
  ADD ("filesystem/calls", test_filesystem);
  ADD ("filesystem/watch", test_watch);
#undef ADD
  return g_test_run ();
}
