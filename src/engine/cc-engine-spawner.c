/* cc-engine-spawner.c: the thread sandboxes' helpers are started from
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bubblewrap and pasta need a function run in the child before exec, so GLib starts them with
 * fork () and waits until the child has exec'd: 2 to 5 ms of a create on the main loop, which
 * then answers nothing else. They are started from this thread instead. It lives as long as the
 * engine, because both are told to die with their parent (PR_SET_PDEATHSIG), and for the kernel
 * that parent is the thread that forked them: a thread of GIO's pool that ended when idle would
 * take every sandbox with it.
 */
#include "config.h"

#include "cc-engine-spawner.h"

struct _CcEngineSpawner
{
  GObject      parent_instance;

  GAsyncQueue *queue;   /* of GTask; the spawner itself asks the thread to end */
  GThread     *thread;
};

G_DEFINE_FINAL_TYPE (CcEngineSpawner, cc_engine_spawner, G_TYPE_OBJECT)

typedef struct
{
  CcEngineSpawnFunc func;
  gpointer data;
  GDestroyNotify data_free;
} Job;

static gpointer
spawner_thread (gpointer data)
{
  g_autoptr(GAsyncQueue) queue = data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (queue);
      g_autoptr(GTask) task = NULL;
      g_autoptr(GError) error = NULL;
      Job *job;
      GPid pid = 0;
      gboolean ok;

      if (!G_IS_TASK (item))
        break;
      task = item;
      job = g_task_get_task_data (task);
      ok = job->func (job->data, &pid, &error);
      /* The child has exec'd: what it was started with is no longer needed. */
      if (job->data_free != NULL)
        job->data_free (job->data);
      job->data = NULL;
      if (ok)
        g_task_return_int (task, pid);
      else
        g_task_return_error (task, g_steal_pointer (&error));
    }
  return NULL;
}

static void
cc_engine_spawner_finalize (GObject *object)
{
  CcEngineSpawner *self = CC_ENGINE_SPAWNER (object);

  /* A queued task holds the spawner: none is left. Children started here are told to die with
   * the thread, and so end now, as they would with the engine. */
  g_async_queue_push (self->queue, self);
  g_thread_join (self->thread);
  g_async_queue_unref (self->queue);

  G_OBJECT_CLASS (cc_engine_spawner_parent_class)->finalize (object);
}

static void
cc_engine_spawner_class_init (CcEngineSpawnerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_spawner_finalize;
}

static void
cc_engine_spawner_init (CcEngineSpawner *self)
{
  self->queue = g_async_queue_new ();
  self->thread = g_thread_new ("cc-spawner", spawner_thread, g_async_queue_ref (self->queue));
}

CcEngineSpawner *
cc_engine_spawner_new (void)
{
  return g_object_new (CC_TYPE_ENGINE_SPAWNER, NULL);
}

void
cc_engine_spawner_spawn_async (CcEngineSpawner     *self,
                               CcEngineSpawnFunc    func,
                               gpointer             data,
                               GDestroyNotify       data_free,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_task_set_source_tag (task, cc_engine_spawner_spawn_async);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  g_task_set_task_data (task, job, g_free);
  g_async_queue_push (self->queue, task);
}

GPid
cc_engine_spawner_spawn_finish (CcEngineSpawner  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  return (GPid) g_task_propagate_int (G_TASK (result), error);
}
