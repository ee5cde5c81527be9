/* cc-engine-worker.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-engine-worker.h"

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
