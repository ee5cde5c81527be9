/* cc-envd-files.c: the daemon's plain-HTTP API (/files upload and download, /health)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bodies are streamed both ways: an upload of many files is one multipart request whose parts
 * are read from each file's stream in turn, and a download is copied chunk by chunk into the
 * caller's stream, so memory does not grow with file sizes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cc-concat-stream.h"
#include "cc-envd-private.h"
#include "cc-protojson.h"
#include "cc-sandbox-error.h"

#define TRANSFER_CHUNK (64 * 1024)

typedef struct
{
  CcTransferProgressFunc progress;
  gpointer               progress_data;
  GDestroyNotify         progress_data_destroy;
  gboolean               single;
  /* download */
  CcHttpExchange        *exchange;
  GOutputStream         *output;
  goffset                done;
  goffset                total;
} TransferData;

static void
transfer_data_free (TransferData *data)
{
  if (data->progress_data_destroy != NULL)
    data->progress_data_destroy (data->progress_data);
  g_clear_pointer (&data->exchange, _cc_http_exchange_unref);
  g_clear_object (&data->output);
  g_free (data);
}

static void
progress_trampoline (goffset  done,
                     goffset  total,
                     gpointer user_data)
{
  TransferData *data = user_data;

  if (data->progress != NULL)
    data->progress (done, total, data->progress_data);
}

/* The task of a transfer, holding the caller's progress callback until it completes; *@out,
 * when not NULL, is its TransferData. */
static GTask *
transfer_task_new (CcEnvd                 *self,
                   gpointer                source_tag,
                   CcTransferProgressFunc  progress,
                   gpointer                progress_data,
                   GDestroyNotify          progress_data_destroy,
                   GCancellable           *cancellable,
                   GAsyncReadyCallback     callback,
                   gpointer                user_data,
                   TransferData          **out)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TransferData *data = g_new0 (TransferData, 1);

  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_data_destroy = progress_data_destroy;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) transfer_data_free);
  if (out != NULL)
    *out = data;
  return task;
}

static CcHttpRequest *
files_request (CcEnvd     *self,
               const char *method,
               const char *path)
{
  CcHttpRequest *request = _cc_envd_request (self, method, "/files", CC_HTTP_SURFACE_FILES, 0,
                                             NULL);

  if (path != NULL)
    _cc_http_request_add_query (request, "path", path);
  if (cc_envd_get_user (self) != NULL)
    _cc_http_request_add_query (request, "username", cc_envd_get_user (self));
  return request;
}

/* Sends a GET for @task: reading changes nothing, so every failure may be retried. Without
 * @read_body, @callback reads the body as a stream. */
static void
send_get (CcEnvd              *self,
          CcHttpRequest       *request,
          gboolean             read_body,
          const char          *label,
          GAsyncReadyCallback  callback,
          GTask               *task)
{
  _cc_http_request_set_retry (request, CC_HTTP_RETRY_SAFE);
  _cc_http_request_set_read_body (request, read_body);
  _cc_http_request_set_label (request, label);
  _cc_http_request_async (cc_envd_get_connection (self), request, g_task_get_cancellable (task),
                          callback, task);
}

/* The part's filename carries the destination path; quote it as browsers do (WHATWG). */
static char *
escape_filename (const char *path)
{
  GString *out = g_string_new (NULL);

  for (const char *p = path; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "%22"); break;
        case '\r': g_string_append (out, "%0D"); break;
        case '\n': g_string_append (out, "%0A"); break;
        default: g_string_append_c (out, *p); break;
        }
    }
  return g_string_free (out, FALSE);
}

static GInputStream *
bytes_stream (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return g_memory_input_stream_new_from_bytes (bytes);
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TransferData *data = g_task_get_task_data (task);
  g_autoptr(CcHttpExchange) exchange = NULL;
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL || (array = _cc_http_exchange_parse_array (exchange, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  entries = _cc_entry_infos_new_from_json (array);

  if (data->single)
    {
      if (entries->len == 0)
        {
          g_set_error (&error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                       _("The sandbox did not confirm the written file. Check that the server "
                         "is E2B-compatible."));
          g_task_return_error (task, error);
          return;
        }
      g_task_return_pointer (task, cc_entry_info_copy (g_ptr_array_index (entries, 0)),
                             (GDestroyNotify) cc_entry_info_free);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

/* Streams @body to /files; upload_cb() completes @task (from transfer_task_new()). */
static void
send_upload (CcEnvd       *self,
             GTask        *task,
             const char   *path,
             const char   *content_type,
             GInputStream *body,
             goffset       size,
             const char   *label)
{
  CcHttpRequest *request = files_request (self, "POST", path);

  _cc_http_request_set_body_stream (request, content_type, body, size);
  _cc_http_request_set_read_body (request, TRUE);
  _cc_http_request_set_progress (request, progress_trampoline, g_task_get_task_data (task));
  _cc_http_request_set_label (request, label);
  _cc_http_request_async (cc_envd_get_connection (self), request, g_task_get_cancellable (task),
                          upload_cb, task);
}

/**
 * cc_envd_upload_files_async:
 * @files: (element-type CcUploadFile): what to write
 * @progress: (nullable): body bytes sent so far
 *
 * Writes every file in one multipart request, as the SDK's files.write() does: with one file,
 * its path is also in the query.
 */
void
cc_envd_upload_files_async (CcEnvd                 *self,
                            GPtrArray              *files,
                            CcTransferProgressFunc  progress,
                            gpointer                progress_data,
                            GDestroyNotify          progress_data_destroy,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInputStream) body = NULL;
  g_autofree char *boundary = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *closing = NULL;
  goffset total = 0;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (files != NULL);

  boundary = g_strdup_printf ("----code-canvas-%08x%08x", g_random_int (), g_random_int ());
  for (guint i = 0; i < files->len; i++)
    {
      CcUploadFile *file = g_ptr_array_index (files, i);
      g_autofree char *filename = escape_filename (file->path);
      g_autofree char *head = NULL;

      head = g_strdup_printf ("--%s\r\n"
                              "Content-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                              "Content-Type: application/octet-stream\r\n\r\n",
                              boundary, filename);
      if (total >= 0)
        total += strlen (head) + 2;
      g_ptr_array_add (parts, bytes_stream (head));
      if (file->stream != NULL)
        {
          g_ptr_array_add (parts, g_object_ref (file->stream));
          if (file->size < 0)
            total = -1;
          else if (total >= 0)
            total += file->size;
        }
      else
        {
          g_ptr_array_add (parts, g_memory_input_stream_new_from_bytes (file->bytes));
          if (total >= 0)
            total += g_bytes_get_size (file->bytes);
        }
      g_ptr_array_add (parts, bytes_stream ("\r\n"));
    }
  closing = g_strdup_printf ("--%s--\r\n", boundary);
  if (total >= 0)
    total += strlen (closing);
  g_ptr_array_add (parts, bytes_stream (closing));
  body = cc_concat_stream_new (parts);

  task = transfer_task_new (self, cc_envd_upload_files_async, progress, progress_data,
                            progress_data_destroy, cancellable, callback, user_data, NULL);

  /* One file also goes in ?path=, as the SDK sends it: the part's filename is percent-quoted
   * for '"' and line breaks, so only the query carries such a name exactly. Many files go
   * without ?path=, and the daemon writes each part to the path its filename names. */
  content_type = g_strdup_printf ("multipart/form-data; boundary=%s", boundary);
  send_upload (self, task,
               files->len == 1 ? ((CcUploadFile *) g_ptr_array_index (files, 0))->path : NULL,
               content_type, body, total,
               files->len == 1 ? _("Could not upload the file") : _("Could not upload the files"));
}

/**
 * cc_envd_upload_files_finish:
 *
 * Returns: (transfer container) (element-type CcEntryInfo): the written files
 */
GPtrArray *
cc_envd_upload_files_finish (CcEnvd        *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cc_envd_upload_stream_async (CcEnvd                 *self,
                             const char             *path,
                             GInputStream           *stream,
                             goffset                 size,
                             CcTransferProgressFunc  progress,
                             gpointer                progress_data,
                             GDestroyNotify          progress_data_destroy,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  TransferData *data;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL && G_IS_INPUT_STREAM (stream));

  task = transfer_task_new (self, cc_envd_upload_stream_async, progress, progress_data,
                            progress_data_destroy, cancellable, callback, user_data, &data);
  data->single = TRUE;

  send_upload (self, task, path, "application/octet-stream", stream, size,
               _("Could not upload the file"));
}

/**
 * cc_envd_upload_stream_finish:
 *
 * Returns: (transfer full): the written file
 */
CcEntryInfo *
cc_envd_upload_stream_finish (CcEnvd        *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
read_file_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcHttpExchange) exchange = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_bytes_ref (_cc_http_exchange_get_body (exchange)),
                         (GDestroyNotify) g_bytes_unref);
}

void
cc_envd_read_file_async (CcEnvd              *self,
                         const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_envd_read_file_async);
  send_get (self, files_request (self, "GET", path), TRUE, _("Could not read the file"),
            read_file_cb, task);
}

/**
 * cc_envd_read_file_finish:
 *
 * Returns: (transfer full): the file's bytes
 */
GBytes *
cc_envd_read_file_finish (CcEnvd        *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void download_read_next (GTask *task);

static void
download_written_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  data->done += written;
  progress_trampoline (data->done, data->total, data);
  download_read_next (task);
}

static void
download_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      _cc_http_exchange_map_error (data->exchange, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_input_stream_close_async (G_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      if (!_cc_http_exchange_check_body_length (data->exchange, data->done, &error))
        {
          _cc_http_exchange_map_error (data->exchange, &error);
          g_task_return_error (task, error);
        }
      else
        g_task_return_int (task, data->done);
      g_object_unref (task);
      return;
    }
  /* The chunk stays alive in the task until written. */
  g_object_set_data_full (G_OBJECT (task), "chunk", g_bytes_ref (chunk),
                          (GDestroyNotify) g_bytes_unref);
  g_output_stream_write_all_async (data->output, g_bytes_get_data (chunk, NULL),
                                   g_bytes_get_size (chunk), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), download_written_cb, task);
}

static void
download_read_next (GTask *task)
{
  TransferData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (_cc_http_exchange_get_stream (data->exchange), TRANSFER_CHUNK,
                                   G_PRIORITY_DEFAULT,
                                   _cc_http_exchange_get_cancellable (data->exchange),
                                   download_read_cb, task);
}

static void
download_opened_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  TransferData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->exchange = _cc_http_request_finish (result, &error);
  if (data->exchange == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The body may be large: from here on only a stall, not the total time, is a failure of
   * the request, so the whole-request timeout stops. */
  _cc_http_exchange_disarm_timeout (data->exchange);
  data->total = soup_message_headers_get_content_length (
    soup_message_get_response_headers (_cc_http_exchange_get_message (data->exchange)));
  if (data->total == 0 &&
      soup_message_headers_get_encoding (soup_message_get_response_headers (
        _cc_http_exchange_get_message (data->exchange))) != SOUP_ENCODING_CONTENT_LENGTH)
    data->total = -1;
  download_read_next (task);
}

void
cc_envd_download_async (CcEnvd                 *self,
                        const char             *path,
                        GOutputStream          *output,
                        CcTransferProgressFunc  progress,
                        gpointer                progress_data,
                        GDestroyNotify          progress_data_destroy,
                        GCancellable           *cancellable,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  TransferData *data;
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));
  g_return_if_fail (path != NULL && G_IS_OUTPUT_STREAM (output));

  task = transfer_task_new (self, cc_envd_download_async, progress, progress_data,
                            progress_data_destroy, cancellable, callback, user_data, &data);
  data->output = g_object_ref (output);
  data->total = -1;
  send_get (self, files_request (self, "GET", path), FALSE, _("Could not download the file"),
            download_opened_cb, task);
}

gssize
cc_envd_download_finish (CcEnvd        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static void
health_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CcHttpExchange) exchange = NULL;
  GError *error = NULL;

  exchange = _cc_http_request_finish (result, &error);
  if (exchange == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cc_envd_health_async (CcEnvd              *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CC_IS_ENVD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_envd_health_async);
  send_get (self, _cc_envd_request (self, "GET", "/health", CC_HTTP_SURFACE_FILES, 0, NULL),
            TRUE, _("The sandbox did not answer"), health_cb, task);
}

gboolean
cc_envd_health_finish (CcEnvd        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
