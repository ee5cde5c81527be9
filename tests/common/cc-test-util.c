/* cc-test-util.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include <libsoup/soup.h>

#include "cc-test-util.h"

void
cc_test_store_result_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

void
cc_test_append_chunk_cb (GObject *process,
                         GBytes  *chunk,
                         GString *into)
{
  gsize length;
  const char *data = g_bytes_get_data (chunk, &length);

  g_string_append_len (into, data, length);
}

guint
cc_test_scaled_seconds (guint seconds)
{
  const char *text = g_getenv ("CC_TEST_TIMEOUT_SCALE");
  guint64 scale = 1;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, 100, &scale, NULL))
    scale = 1;
  return seconds * (guint) scale;
}

struct _CcTestDeadline
{
  GSource  *source;
  gboolean  passed;
};

static gboolean
deadline_passed_cb (gpointer user_data)
{
  CcTestDeadline *deadline = user_data;

  deadline->passed = TRUE;
  return G_SOURCE_REMOVE;
}

CcTestDeadline *
cc_test_deadline_new (guint seconds)
{
  CcTestDeadline *deadline = g_new0 (CcTestDeadline, 1);

  deadline->source = g_timeout_source_new_seconds (cc_test_scaled_seconds (seconds));
  g_source_set_callback (deadline->source, deadline_passed_cb, deadline, NULL);
  g_source_attach (deadline->source, NULL);   /* the context g_main_context_iteration (NULL) runs */
  return deadline;
}

gboolean
cc_test_deadline_passed (CcTestDeadline *deadline)
{
  return deadline->passed;
}

void
cc_test_deadline_free (CcTestDeadline *deadline)
{
  g_source_destroy (deadline->source);
  g_source_unref (deadline->source);
  g_free (deadline);
}

GAsyncResult *
cc_test_wait_result (GAsyncResult **result)
{
  CC_TEST_WAIT_FOR (*result != NULL, "an asynchronous call to finish");
  return *result;
}

guint
cc_test_free_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

guint
cc_test_count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

char *
cc_test_make_tmpdir (const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", prefix ? prefix : "cc-test");
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

static int
remove_entry (const char        *path,
              const struct stat *st,
              int                flag,
              struct FTW        *ftw)
{
  if (remove (path) != 0 && errno != ENOENT)
    g_warning ("Could not remove %s: %s", path, g_strerror (errno));
  return 0;
}

void
cc_test_rm_rf (const char *path)
{
  if (path != NULL)
    nftw (path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

guint64
cc_test_proc_status_kib (GPid        pid,
                         const char *field)
{
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gsize len = strlen (field);

  if (pid == 0)
    path = g_strdup ("/proc/self/status");
  else
    path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], field) && lines[i][len] == ':')
      return g_ascii_strtoull (lines[i] + len + 1, NULL, 10);
  g_assert_not_reached ();
  return 0;
}

int
cc_test_run_command (const char * const *argv,
                     const char * const *envp,
                     const char         *input,
                     char              **out,
                     char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input ? input : "", NULL, cc_test_store_result_cb, &result);
  g_subprocess_communicate_utf8_finish (process, cc_test_wait_result (&result), out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

GBytes *
cc_test_http_get (const char *url,
                  guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *body;

  g_assert_nonnull (msg);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, cc_test_store_result_cb, &result);
  body = soup_session_send_and_read_finish (session, cc_test_wait_result (&result), &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return body;
}
