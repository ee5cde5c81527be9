/* cc-engine-worker.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-engine-worker.h"

#include <string.h>

#include "cc-engine-rpc.h"
#include "cc-protojson.h"

typedef struct
{
  SoupServerMessage   *msg;
  gulong               finished_id;
  gboolean             finished;
  CcEngineFsWorkFunc   work;
  CcEngineFsReplyFunc  reply;
  CcEngineFsReplyDataFunc reply_data;
  gpointer             data;
  GDestroyNotify       data_free;
} FsWork;

static void
fs_work_free (gpointer user_data)
{
  FsWork *self = user_data;

  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
  if (self->data_free != NULL)
    self->data_free (self->data);
  g_free (self);
}

static void
msg_finished_cb (SoupServerMessage *msg,
                 gpointer           user_data)
{
  FsWork *self = user_data;

  self->finished = TRUE;
}

static void
fs_work_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FsWork *self = task_data;
  GError *error = NULL;
  JsonNode *result;

  result = self->work (self->data, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) json_node_unref);
}

static void
fs_work_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FsWork *self = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = g_task_propagate_pointer (G_TASK (result), &error);
  /* A client that went away while we worked has nobody to answer. */
  if (!self->finished)
    {
      if (self->reply_data != NULL)
        self->reply_data (self->msg, node, error, self->data);
      else
        self->reply (self->msg, node, error);
      soup_server_message_unpause (self->msg);
    }
  /* The worker may drop the task's last reference: let go of libsoup objects here, on the
   * main context, rather than there. */
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
}

static void
run (SoupServerMessage       *msg,
     CcEngineFsWorkFunc       work,
     CcEngineFsReplyFunc      reply,
     CcEngineFsReplyDataFunc  reply_data,
     gpointer                 data,
     GDestroyNotify           data_free)
{
  g_autoptr(GTask) task = NULL;
  FsWork *self;

  self = g_new0 (FsWork, 1);
  self->msg = g_object_ref (msg);
  self->work = work;
  self->reply = reply;
  self->reply_data = reply_data;
  self->data = data;
  self->data_free = data_free;
  self->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (msg_finished_cb), self);

  task = g_task_new (NULL, NULL, fs_work_done_cb, NULL);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, self, fs_work_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, fs_work_thread);
}

void
_cc_engine_worker_run (SoupServerMessage   *msg,
                       CcEngineFsWorkFunc   work,
                       CcEngineFsReplyFunc  reply,
                       gpointer             data,
                       GDestroyNotify       data_free)
{
  run (msg, work, reply, NULL, data, data_free);
}

void
_cc_engine_worker_run_full (SoupServerMessage       *msg,
                            CcEngineFsWorkFunc       work,
                            CcEngineFsReplyDataFunc  reply,
                            gpointer                 data,
                            GDestroyNotify           data_free)
{
  run (msg, work, NULL, reply, data, data_free);
}

/* ---- large request bodies ----------------------------------------------------------------- */

typedef struct
{
  gsize       offset;    /* of the JSON in the body: 5 past a streaming call's envelope head */
  gsize       length;
  JsonObject *object;
  GError     *error;
} ParsedBody;

static void
parsed_body_free (gpointer data)
{
  ParsedBody *parsed = data;

  g_clear_pointer (&parsed->object, json_object_unref);
  g_clear_error (&parsed->error);
  g_free (parsed);
}

typedef struct
{
  SoupServerMessage   *msg;
  gulong               finished_id;
  gboolean             finished;
  GBytes              *body;
  ParsedBody          *parsed;
  CcEngineRequestFunc  again;
  gpointer             data;
  GDestroyNotify       data_free;
} ParseWork;

static void
parse_work_free (gpointer user_data)
{
  ParseWork *self = user_data;

  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->parsed, parsed_body_free);
  if (self->data_free != NULL)
    self->data_free (self->data);
  g_free (self);
}

static void
parse_finished_cb (SoupServerMessage *msg,
                   gpointer           user_data)
{
  ParseWork *self = user_data;

  self->finished = TRUE;
}

static void
parse_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ParseWork *self = task_data;
  const char *data = g_bytes_get_data (self->body, NULL);

  self->parsed->object = cc_protojson_parse_request (data + self->parsed->offset,
                                                     self->parsed->length, &self->parsed->error);
  g_task_return_boolean (task, TRUE);
}

static void
parse_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ParseWork *self = g_task_get_task_data (G_TASK (result));

  /* Nobody to answer when the client went away meanwhile. */
  if (!self->finished)
    {
      g_object_set_data_full (G_OBJECT (self->msg), "cc-parsed-body",
                              g_steal_pointer (&self->parsed), parsed_body_free);
      /* Unpaused first: the handler may pause it again for work of its own. */
      soup_server_message_unpause (self->msg);
      self->again (self->msg, self->data);
    }
  g_clear_signal_handler (&self->finished_id, self->msg);
  g_clear_object (&self->msg);
}

gboolean
_cc_engine_worker_defer_parse (SoupServerMessage   *msg,
                               CcEngineRequestFunc  again,
                               gpointer             data,
                               GDestroyNotify       data_free)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GTask) task = NULL;
  const guint8 *head;
  ParseWork *self;
  gsize offset = 0, size;

  if (_cc_engine_request_body_length (msg) <= CC_ENGINE_PARSE_INLINE_BYTES ||
      g_object_get_data (G_OBJECT (msg), "cc-parsed-body") != NULL)
    goto inline_parse;
  bytes = _cc_engine_request_body (msg);
  head = g_bytes_get_data (bytes, &size);
  if (_cc_engine_content_type_is (msg, "application/connect+json"))
    {
      guint32 length;

      /* One uncompressed envelope filling the body; anything else is refused inline, fast. */
      if (size < 5 || head[0] != 0)
        goto inline_parse;
      memcpy (&length, head + 1, sizeof length);
      if (GUINT32_FROM_BE (length) != (guint64) size - 5)
        goto inline_parse;
      offset = 5;
    }
  else if (!_cc_engine_content_type_is (msg, "application/json"))
    goto inline_parse;

  self = g_new0 (ParseWork, 1);
  self->msg = g_object_ref (msg);
  self->body = g_steal_pointer (&bytes);
  self->parsed = g_new0 (ParsedBody, 1);
  self->parsed->offset = offset;
  self->parsed->length = size - offset;
  self->again = again;
  self->data = data;
  self->data_free = data_free;
  self->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (parse_finished_cb), self);

  task = g_task_new (NULL, NULL, parse_done_cb, NULL);
  g_task_set_source_tag (task, _cc_engine_worker_defer_parse);
  g_task_set_task_data (task, self, parse_work_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, parse_thread);
  return TRUE;

inline_parse:
  if (data_free != NULL)
    data_free (data);
  return FALSE;
}

JsonObject *
_cc_engine_worker_parse_body (SoupServerMessage  *msg,
                              const char         *data,
                              gsize               length,
                              GError            **error)
{
  ParsedBody *parsed = g_object_get_data (G_OBJECT (msg), "cc-parsed-body");

  if (parsed != NULL && parsed->length == length)
    {
      if (parsed->object == NULL)
        {
          g_propagate_error (error, g_error_copy (parsed->error));
          return NULL;
        }
      return json_object_ref (parsed->object);
    }
  return cc_protojson_parse_request (data, length, error);
}
