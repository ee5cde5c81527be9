/* cc-concat-stream.c: one input stream reading several in turn
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lets a multipart body of many files be streamed part by part instead of being assembled in
 * one buffer.
 */
#include "config.h"

#include "cc-concat-stream.h"

struct _CcConcatStream
{
  GInputStream  parent_instance;
  GPtrArray    *streams;
  guint         index;
};

G_DEFINE_FINAL_TYPE (CcConcatStream, cc_concat_stream, G_TYPE_INPUT_STREAM)

static gssize
cc_concat_stream_read (GInputStream  *stream,
                       void          *buffer,
                       gsize          count,
                       GCancellable  *cancellable,
                       GError       **error)
{
  CcConcatStream *self = CC_CONCAT_STREAM (stream);

  while (self->index < self->streams->len)
    {
      gssize n = g_input_stream_read (g_ptr_array_index (self->streams, self->index), buffer,
                                      count, cancellable, error);

      if (n != 0)
        return n;
      self->index++;
    }
  return 0;
}

typedef struct
{
  void  *buffer;
  gsize  count;
} ConcatRead;

static void concat_read_next (GTask *task);

static void
concat_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  CcConcatStream *self = g_task_get_source_object (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (n > 0)
    {
      g_task_return_int (task, n);
      g_object_unref (task);
      return;
    }
  self->index++;
  concat_read_next (task);
}

static void
concat_read_next (GTask *task)
{
  CcConcatStream *self = g_task_get_source_object (task);
  ConcatRead *read = g_task_get_task_data (task);

  if (self->index >= self->streams->len)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  g_input_stream_read_async (g_ptr_array_index (self->streams, self->index), read->buffer,
                             read->count, g_task_get_priority (task),
                             g_task_get_cancellable (task), concat_read_cb, task);
}

static void
cc_concat_stream_read_async (GInputStream        *stream,
                             void                *buffer,
                             gsize                count,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  ConcatRead *read = g_new0 (ConcatRead, 1);

  read->buffer = buffer;
  read->count = count;
  g_task_set_task_data (task, read, g_free);
  g_task_set_priority (task, io_priority);
  concat_read_next (task);
}

static gssize
cc_concat_stream_read_finish (GInputStream  *stream,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
cc_concat_stream_close (GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  CcConcatStream *self = CC_CONCAT_STREAM (stream);

  for (guint i = 0; i < self->streams->len; i++)
    g_input_stream_close (g_ptr_array_index (self->streams, i), NULL, NULL);
  return TRUE;
}

static void
cc_concat_stream_finalize (GObject *object)
{
  CcConcatStream *self = CC_CONCAT_STREAM (object);

  g_ptr_array_unref (self->streams);
  G_OBJECT_CLASS (cc_concat_stream_parent_class)->finalize (object);
}

static void
cc_concat_stream_class_init (CcConcatStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cc_concat_stream_finalize;
  stream_class->read_fn = cc_concat_stream_read;
  stream_class->read_async = cc_concat_stream_read_async;
  stream_class->read_finish = cc_concat_stream_read_finish;
  stream_class->close_fn = cc_concat_stream_close;
}

static void
cc_concat_stream_init (CcConcatStream *self)
{
}

/**
 * cc_concat_stream_new:
 * @streams: (element-type GInputStream): the parts, read in order
 *
 * Returns: (transfer full): an input stream reading each of @streams in turn.
 */
GInputStream *
cc_concat_stream_new (GPtrArray *streams)
{
  CcConcatStream *self = g_object_new (CC_TYPE_CONCAT_STREAM, NULL);

  self->streams = g_ptr_array_ref (streams);
  return G_INPUT_STREAM (self);
}

