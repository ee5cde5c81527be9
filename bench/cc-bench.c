/* cc-bench.c: one benchmark run through libcc-core (the Code Canvas side of bench/)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: cc-bench WORKLOAD [ARG…]   (E2B_API_URL, E2B_API_KEY name a running engine)
 *   echo N            N sequential `echo` commands (CcEnvd, as the SDK's commands.run)
 *   echo-direct N     the same without the login shell: /bin/echo started directly
 *   exec N            N sequential `echo` commands through the product API (CcClient, no cache:
 *                     each one recorded in SQLite)
 *   stream BYTES      one command writing BYTES to stdout, consumed in full
 *   upload-many N SZ  N files of SZ bytes in one batched upload
 *   upload BYTES      one file of BYTES
 *   download BYTES    read back one file of BYTES
 *   stall-upload BYTES, stall-json BYTES, stall-download BYTES
 *                     the longest the engine took to answer /health, asked every 0.5 ms, while
 *                     it read one upload, read one JSON request, or sent one download of BYTES
 *   stall-create N    the same while it made N sandboxes back to back (create + first command)
 *   create N          N sequential sandbox create + kill
 *   create-run N      N sequential create + first command (`true`) + kill: a sandbox's namespaces,
 *                     private network and launcher are made right after the create, and the
 *                     first command waits for what is not ready yet
 *   create-settle-run N MS  the same, timing only the first command, started MS after the create
 *   create-paced-run N MS  create-run with each create MS after the last kill, at a person's pace:
 *                     the engine has had the time to make its next sandbox ahead
 *   cache-hit N       a cached execute on a project with N history records ($CC_BENCH_STATE_DIR
 *                     keeps the prepared database between runs)
 *   mirror-restore N SZ  a new sandbox filled from a mirrored workspace of N files of SZ bytes
 *   mirror-live N     N files written in a mirrored sandbox, each timed until it is in the
 *                     workspace
 *   mirror-idle SEC   a mirrored, watched workspace of 1,000 files left alone for SEC seconds:
 *                     the CPU time of this program and of the engine ($CC_BENCH_ENGINE_PID)
 * Prints one JSON line like sdk-bench.mjs: {"ms": timed part, "samples": […], "peak_rss_kb": …}.
 * Setup (the sandbox the workload runs in, the history) is not timed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "cc-bench.h"

typedef struct
{
  BenchResult     r;
  CcConnection   *connection;
  CcControlPlane *api;
  CcSandboxInfo  *sandbox;
  CcEnvd         *envd;
} Bench;

G_NORETURN void
cc_bench_die (const char *what,
     const GError *error)
{
  g_printerr ("cc-bench: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
  exit (1);
}

/* Spins the default main context until an async call stored its result. */
void
cc_bench_store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
cc_bench_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

double
cc_bench_ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000.0;
}

static gint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static GBytes *
pattern (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 131 + 7) & 0xff);
  return g_bytes_new_take (data, size);
}

static void
bench_connect (Bench *b,
               gboolean with_sandbox)
{
  const char *url = g_getenv ("E2B_API_URL");
  const char *key = g_getenv ("E2B_API_KEY");
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) metadata = NULL;

  if (url == NULL || key == NULL)
    cc_bench_die ("E2B_API_URL and E2B_API_KEY must name a running engine (bench/run.sh sets them)", NULL);
  b->connection = cc_connection_new_local (url, key);
  b->api = cc_control_plane_new (b->connection);
  if (!with_sandbox)
    return;

  metadata = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (metadata, (char *) "bench", (char *) "cc");
  cc_control_plane_create_async (b->api, NULL, 0, metadata, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT,
                                 NULL, cc_bench_store_result_cb, &res);
  b->sandbox = cc_control_plane_create_finish (b->api, cc_bench_wait_for (&res), &error);
  if (b->sandbox == NULL)
    cc_bench_die ("creating the sandbox failed", error);
  b->envd = cc_envd_new_for_sandbox (b->connection, b->sandbox);
}

static void
bench_disconnect (Bench *b)
{
  if (b->sandbox != NULL)
    {
      g_autoptr(GAsyncResult) res = NULL;

      cc_control_plane_kill_async (b->api, b->sandbox->sandbox_id, NULL, cc_bench_store_result_cb, &res);
      cc_control_plane_kill_finish (b->api, cc_bench_wait_for (&res), NULL);
    }
  g_clear_object (&b->envd);
  g_clear_pointer (&b->sandbox, cc_sandbox_info_unref);
  g_clear_object (&b->api);
  g_clear_object (&b->connection);
}

/* --- processes ------------------------------------------------------------------------------ */

typedef struct
{
  GString *text;      /* kept when non-NULL */
  gint64   bytes;
} Output;

static void
on_stdout (CcRemoteProcess *process,
           GBytes          *chunk,
           gpointer         user_data)
{
  Output *out = user_data;
  gsize len;
  const char *data = g_bytes_get_data (chunk, &len);

  out->bytes += len;
  if (out->text != NULL)
    g_string_append_len (out->text, data, len);
}

/* Runs @command to its end (`/bin/bash -l -c`, or exec'd directly as one word when @direct);
 * returns its exit code. */
static int
run_spec (Bench      *b,
          const char *command,
          gboolean    direct,
          guint       timeout_ms,
          Output     *out)
{
  g_autoptr(CcProcessSpec) spec = cc_process_spec_new_command (command);
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GAsyncResult) ended = NULL;
  g_autoptr(CcRemoteProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code = -1;

  spec->timeout_ms = timeout_ms;
  if (direct)
    {
      /* No login shell: what the protocol round trip and the spawn cost without bash -l. */
      g_free (spec->cmd);
      spec->cmd = g_strdup ("/bin/echo");
      g_strfreev (spec->args);
      spec->args = g_new0 (char *, 2);
      spec->args[0] = g_strdup (command + strlen ("echo "));
    }
  cc_envd_start_process_async (b->envd, spec, NULL, cc_bench_store_result_cb, &started);
  process = cc_envd_start_process_finish (b->envd, cc_bench_wait_for (&started), &error);
  if (process == NULL)
    cc_bench_die ("starting a command failed", error);
  g_signal_connect (process, "stdout", G_CALLBACK (on_stdout), out);
  cc_remote_process_wait_async (process, NULL, cc_bench_store_result_cb, &ended);
  if (!cc_remote_process_wait_finish (process, cc_bench_wait_for (&ended), &exit_code, &error))
    cc_bench_die ("a command did not run to its end", error);
  g_signal_handlers_disconnect_by_data (process, out);
  return exit_code;
}

static int
run_command (Bench      *b,
             const char *command,
             guint       timeout_ms,
             Output     *out)
{
  return run_spec (b, command, FALSE, timeout_ms, out);
}

static int
run_quietly (gpointer    bench,
             const char *command)
{
  Output out = { NULL, 0 };

  return run_command (bench, command, 60000, &out);
}

static void
workload_echo (Bench    *b,
               guint     n,
               gboolean  direct)
{
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *command = g_strdup_printf ("echo %u", i);
      g_autofree char *expected = g_strdup_printf ("%u\n", i);
      Output out = { g_string_new (NULL), 0 };
      gint64 t = g_get_monotonic_time ();
      int exit_code = run_spec (b, command, direct, CC_ENVD_DEFAULT_COMMAND_TIMEOUT, &out);
      double ms = cc_bench_ms_since (t);

      g_array_append_val (b->r.samples, ms);
      if (exit_code != 0 || strcmp (out.text->str, expected) != 0)
        cc_bench_die ("an echo command printed something else", NULL);
      g_string_free (out.text, TRUE);
    }
  b->r.ms = cc_bench_ms_since (t0);
}

static void
workload_stream (Bench  *b,
                 gint64  bytes)
{
  g_autofree char *command = g_strdup_printf ("head -c %" G_GINT64_FORMAT " /dev/zero", bytes);
  Output out = { NULL, 0 };
  gint64 t0 = g_get_monotonic_time ();

  if (run_command (b, command, 0, &out) != 0)
    cc_bench_die ("the streaming command failed", NULL);
  b->r.ms = cc_bench_ms_since (t0);
  if (out.bytes != bytes)
    cc_bench_die ("the streaming command delivered a different number of bytes", NULL);
  b->r.bytes = bytes;
}

/* --- files ---------------------------------------------------------------------------------- */

static GPtrArray *
upload (Bench     *b,
        GPtrArray *files)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  cc_envd_upload_files_async (b->envd, files, NULL, NULL, NULL, NULL, cc_bench_store_result_cb, &res);
  entries = cc_envd_upload_files_finish (b->envd, cc_bench_wait_for (&res), &error);
  if (entries == NULL)
    cc_bench_die ("the upload failed", error);
  return entries;
}

static void
workload_upload_many (Bench *b,
                      guint  n,
                      gsize  size)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GBytes) body = NULL;
  char *data = g_malloc (size);
  gint64 t0;

  memset (data, 'x', size);
  data[size - 1] = '\n';
  body = g_bytes_new_take (data, size);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/home/user/many/d%u/f%u.txt", i % 10, i);

      g_ptr_array_add (files, cc_upload_file_new_bytes (path, body));
    }
  t0 = g_get_monotonic_time ();
  entries = upload (b, files);
  b->r.ms = cc_bench_ms_since (t0);
  if (entries->len != n)
    cc_bench_die ("the upload answered for a different number of files", NULL);
  b->r.bytes = (gint64) n * size;
}

static void
upload_one (Bench  *b,
            GBytes *body)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  g_autoptr(GPtrArray) entries = NULL;

  g_ptr_array_add (files, cc_upload_file_new_bytes ("/home/user/big.bin", body));
  entries = upload (b, files);
}

static void
workload_upload (Bench *b,
                 gsize  size)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEntryInfo) info = NULL;
  g_autoptr(GBytes) body = pattern (size);   /* made before the clock starts, as the SDK side */
  gint64 t0 = g_get_monotonic_time ();

  upload_one (b, body);
  b->r.ms = cc_bench_ms_since (t0);
  cc_envd_stat_async (b->envd, "/home/user/big.bin", NULL, cc_bench_store_result_cb, &res);
  info = cc_envd_stat_finish (b->envd, cc_bench_wait_for (&res), &error);
  if (info == NULL || info->size != (gint64) size)
    cc_bench_die ("the uploaded file has another size", error);
  b->r.bytes = size;
}

typedef enum
{
  STALL_UPLOAD,
  STALL_JSON,
  STALL_DOWNLOAD,
  STALL_CREATE,
} StallKind;

static void workload_create (Bench      *b,
                             const char *workload,
                             guint       n,
                             gboolean    first_command,
                             guint       settle_ms,
                             guint       gap_ms);

/* The engine's longest stall (cc-bench-stall.c) while it reads one upload of @size bytes, one
 * JSON request of @size bytes, or sends one download of @size bytes; or, for STALL_CREATE, while
 * it makes @size sandboxes back to back, each with its namespaces, network and launcher. */
static void
workload_stall (Bench     *b,
                gsize      size,
                StallKind  kind)
{
  g_autoptr(GBytes) body = kind == STALL_UPLOAD || kind == STALL_DOWNLOAD ? pattern (size) : NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  CcBenchStall *stall;

  /* The sandbox's launcher and network start after its create has been answered: a first
   * command waits for them, so that what is measured is the body alone. */
  if ((kind == STALL_UPLOAD || kind == STALL_DOWNLOAD) && run_quietly (b, "true") != 0)
    cc_bench_die ("the first command failed", NULL);
  if (kind == STALL_DOWNLOAD)
    upload_one (b, body);
  stall = cc_bench_stall_start ();

  switch (kind)
    {
    case STALL_UPLOAD:
      upload_one (b, body);
      break;
    case STALL_JSON:
      cc_bench_stall_json (size);
      break;
    case STALL_DOWNLOAD:
      cc_envd_read_file_async (b->envd, "/home/user/big.bin", NULL, cc_bench_store_result_cb, &res);
      data = cc_envd_read_file_finish (b->envd, cc_bench_wait_for (&res), &error);
      if (data == NULL || g_bytes_get_size (data) != size)
        cc_bench_die ("the download has another size", error);
      break;
    case STALL_CREATE:
      workload_create (b, "stall-create", size, TRUE, 0, 0);
      /* Its own times are not what this workload reports. */
      g_array_set_size (b->r.samples, 0);
      break;
    default:
      g_assert_not_reached ();
    }
  cc_bench_stall_finish (stall, &b->r);
  b->r.bytes = kind == STALL_CREATE ? 0 : size;
}

static void
workload_download (Bench *b,
                   gsize  size)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  gint64 t0;

  {
    g_autoptr(GBytes) body = pattern (size);

    upload_one (b, body);
  }
  t0 = g_get_monotonic_time ();
  cc_envd_read_file_async (b->envd, "/home/user/big.bin", NULL, cc_bench_store_result_cb, &res);
  data = cc_envd_read_file_finish (b->envd, cc_bench_wait_for (&res), &error);
  b->r.ms = cc_bench_ms_since (t0);
  if (data == NULL || g_bytes_get_size (data) != size)
    cc_bench_die ("the download has another size", error);
  b->r.bytes = size;
}

/* --- lifecycle ------------------------------------------------------------------------------ */

/* N sequential create + kill (@workload tags the sandboxes); with @first_command, each sandbox
 * also runs `true` before the clock stops (its namespaces, network and launcher are made then).
 * With @settle_ms, the clock runs only for that first command, started @settle_ms after the
 * create: what a person or a program that does something between the two meets. With @gap_ms,
 * each create comes that long after the last kill, untimed. */
static void
workload_create (Bench      *b,
                 const char *workload,
                 guint       n,
                 gboolean    first_command,
                 guint       settle_ms,
                 guint       gap_ms)
{
  g_autoptr(GHashTable) metadata = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 t0 = g_get_monotonic_time ();

  g_hash_table_insert (metadata, (char *) "bench", (char *) workload);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GAsyncResult) created = NULL;
      g_autoptr(GAsyncResult) killed = NULL;
      g_autoptr(GError) error = NULL;
      Output out = { NULL, 0 };
      gint64 t;
      double ms;

      if (gap_ms > 0)
        g_usleep (gap_ms * G_TIME_SPAN_MILLISECOND);
      t = g_get_monotonic_time ();
      cc_control_plane_create_async (b->api, NULL, 0, metadata, NULL, CC_SANDBOX_ON_TIMEOUT_DEFAULT,
                                     NULL, cc_bench_store_result_cb, &created);
      b->sandbox = cc_control_plane_create_finish (b->api, cc_bench_wait_for (&created), &error);
      if (b->sandbox == NULL)
        cc_bench_die ("create failed", error);
      if (settle_ms > 0)
        {
          g_usleep (settle_ms * G_TIME_SPAN_MILLISECOND);
          t = g_get_monotonic_time ();
        }
      if (first_command)
        {
          b->envd = cc_envd_new_for_sandbox (b->connection, b->sandbox);
          if (run_spec (b, "true", FALSE, 60000, &out) != 0)
            cc_bench_die ("the first command failed", NULL);
        }
      ms = cc_bench_ms_since (t);
      g_array_append_val (b->r.samples, ms);
      cc_control_plane_kill_async (b->api, b->sandbox->sandbox_id, NULL, cc_bench_store_result_cb, &killed);
      if (!cc_control_plane_kill_finish (b->api, cc_bench_wait_for (&killed), &error))
        cc_bench_die ("kill failed", error);
      g_clear_object (&b->envd);
      g_clear_pointer (&b->sandbox, cc_sandbox_info_unref);
    }
  b->r.ms = cc_bench_ms_since (t0);
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  const char *workload = argc > 1 ? argv[1] : "";
  gint64 arg1 = argc > 2 ? g_ascii_strtoll (argv[2], NULL, 10) : 0;
  gint64 arg2 = argc > 3 ? g_ascii_strtoll (argv[3], NULL, 10) : 0;
  gboolean needs_sandbox;
  g_autoptr(GString) json = g_string_new (NULL);

  b.r.samples = g_array_new (FALSE, FALSE, sizeof (double));
  needs_sandbox = g_str_equal (workload, "echo") || g_str_equal (workload, "echo-direct") ||
                  g_str_equal (workload, "stream") ||
                  g_str_equal (workload, "upload-many") || g_str_equal (workload, "upload") ||
                  g_str_equal (workload, "download") || g_str_equal (workload, "mirror-live") ||
                  g_str_equal (workload, "stall-upload") || g_str_equal (workload, "stall-download") ||
                  g_str_equal (workload, "mirror-idle");
  if (arg1 <= 0 || ((g_str_equal (workload, "upload-many") ||
                     g_str_equal (workload, "mirror-restore") ||
                     g_str_equal (workload, "create-settle-run") ||
                     g_str_equal (workload, "create-paced-run")) && arg2 <= 0))
    cc_bench_die ("usage: cc-bench echo|echo-direct|exec|stream|upload-many|upload|download|stall-upload|stall-json|stall-download|stall-create|create|create-run|create-settle-run|create-paced-run|cache-hit|mirror-restore|mirror-live|mirror-idle N [SIZE|MS]", NULL);

  if (!g_str_equal (workload, "exec") && !g_str_equal (workload, "cache-hit"))
    bench_connect (&b, needs_sandbox);

  if (g_str_equal (workload, "echo"))
    workload_echo (&b, arg1, FALSE);
  else if (g_str_equal (workload, "echo-direct"))
    workload_echo (&b, arg1, TRUE);
  else if (g_str_equal (workload, "exec"))
    cc_bench_exec (&b.r, arg1);
  else if (g_str_equal (workload, "stream"))
    workload_stream (&b, arg1);
  else if (g_str_equal (workload, "upload-many"))
    workload_upload_many (&b, arg1, arg2);
  else if (g_str_equal (workload, "upload"))
    workload_upload (&b, arg1);
  else if (g_str_equal (workload, "download"))
    workload_download (&b, arg1);
  else if (g_str_equal (workload, "stall-upload"))
    workload_stall (&b, arg1, STALL_UPLOAD);
  else if (g_str_equal (workload, "stall-json"))
    workload_stall (&b, arg1, STALL_JSON);
  else if (g_str_equal (workload, "stall-download"))
    workload_stall (&b, arg1, STALL_DOWNLOAD);
  else if (g_str_equal (workload, "stall-create"))
    workload_stall (&b, arg1, STALL_CREATE);
  else if (g_str_equal (workload, "create"))
    workload_create (&b, workload, arg1, FALSE, 0, 0);
  else if (g_str_equal (workload, "create-run"))
    workload_create (&b, workload, arg1, TRUE, 0, 0);
  else if (g_str_equal (workload, "create-settle-run"))
    workload_create (&b, workload, arg1, TRUE, arg2, 0);
  else if (g_str_equal (workload, "create-paced-run"))
    workload_create (&b, workload, arg1, TRUE, 0, arg2);
  else if (g_str_equal (workload, "cache-hit"))
    cc_bench_cache_hit (&b.r, arg1);
  else if (g_str_equal (workload, "mirror-restore"))
    cc_bench_mirror_restore (&b.r, b.api, b.connection, arg1, arg2);
  else if (g_str_equal (workload, "mirror-live"))
    cc_bench_mirror_live (&b.r, b.envd, arg1, run_quietly, &b);
  else if (g_str_equal (workload, "mirror-idle"))
    cc_bench_mirror_idle (&b.r, b.envd, 1000, arg1);
  else
    cc_bench_die ("unknown workload", NULL);

  bench_disconnect (&b);

  g_string_append_printf (json, "{\"ms\": %.3f, \"samples\": [", b.r.ms);
  for (guint i = 0; i < b.r.samples->len; i++)
    g_string_append_printf (json, "%s%.3f", i ? ", " : "", g_array_index (b.r.samples, double, i));
  g_string_append_printf (json, "], \"bytes\": %" G_GINT64_FORMAT ", \"peak_rss_kb\": %" G_GINT64_FORMAT
                          ", \"cpu_ms\": %.3f, \"engine_cpu_ms\": %.3f}\n",
                          b.r.bytes, peak_rss_kb (), b.r.cpu_ms, b.r.engine_cpu_ms);
  fputs (json->str, stdout);
  g_array_unref (b.r.samples);
  return 0;
}
