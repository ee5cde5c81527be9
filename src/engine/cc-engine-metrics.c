/* cc-engine-metrics.c: measured sandbox metrics and their bounded history
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a sample measures, per sandbox: the CPU time and resident memory of its process tree (the
 * engine's children that belong to the sandbox and all their descendants, from one scan of /proc)
 * and the disk space its directories take. CPU % is the CPU time used since the previous sample
 * over the wall time, on all of the machine's CPUs (the sandbox's cpuCount).
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-metrics.h"
#include "cc-engine-process.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-server.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

/* Bounds for measuring a directory tree, so a huge tree costs bounded time per sample. */
#define DISK_MAX_DEPTH   64
#define DISK_MAX_ENTRIES 200000

typedef struct
{
  gint64 time;          /* unix microseconds */
  double cpu_pct;
  gint64 mem_used;
  gint64 disk_used;
} Sample;

struct _CcEngineMetrics
{
  Sample samples[CC_ENGINE_METRICS_CAPACITY];
  guint head;           /* index of the oldest */
  guint length;
  gint64 last_ticks;    /* CPU clock ticks of the tree at the last sample, -1 before the first */
  gint64 last_time;
};

CcEngineMetrics *
cc_engine_metrics_new (void)
{
  CcEngineMetrics *self = g_new0 (CcEngineMetrics, 1);

  self->last_ticks = -1;
  return self;
}

void
cc_engine_metrics_free (CcEngineMetrics *self)
{
  g_free (self);
}

guint
cc_engine_metrics_get_length (CcEngineMetrics *self)
{
  return self->length;
}

static void
metrics_append (CcEngineMetrics *self,
                gint64           time,
                gint64           ticks,
                gint64           mem_used,
                gint64           disk_used)
{
  Sample *sample;
  double cpu = 0.0;

  /* A worker's sample taken before one appended meanwhile (see cc_engine_sampler_sample_soon). */
  if (self->length > 0 && time <= self->last_time)
    return;
  /* A shrinking total means processes ended between samples: their time is unknown, say 0. */
  if (self->last_ticks >= 0 && ticks >= self->last_ticks && time > self->last_time)
    {
      double used_s = (double) (ticks - self->last_ticks) / (double) sysconf (_SC_CLK_TCK);
      double wall_s = (double) (time - self->last_time) / G_USEC_PER_SEC;

      cpu = CLAMP (100.0 * used_s / (wall_s * g_get_num_processors ()), 0.0, 100.0);
    }
  self->last_ticks = ticks;
  self->last_time = time;

  if (self->length == CC_ENGINE_METRICS_CAPACITY)
    {
      self->head = (self->head + 1) % CC_ENGINE_METRICS_CAPACITY;
      self->length--;
    }
  sample = &self->samples[(self->head + self->length) % CC_ENGINE_METRICS_CAPACITY];
  self->length++;
  sample->time = time;
  sample->cpu_pct = cpu;
  sample->mem_used = mem_used;
  sample->disk_used = disk_used;
}

static void
add_sample (JsonBuilder  *builder,
            const Sample *sample,
            gint64        mem_total,
            gint64        disk_total)
{
  g_autofree char *stamp = cc_protojson_format_timestamp (sample->time);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, stamp);
  json_builder_set_member_name (builder, "timestampUnix");
  json_builder_add_int_value (builder, sample->time / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "cpuCount");
  json_builder_add_int_value (builder, g_get_num_processors ());
  json_builder_set_member_name (builder, "cpuUsedPct");
  json_builder_add_double_value (builder, sample->cpu_pct);
  json_builder_set_member_name (builder, "memUsed");
  json_builder_add_int_value (builder, sample->mem_used);
  json_builder_set_member_name (builder, "memTotal");
  json_builder_add_int_value (builder, mem_total);
  json_builder_set_member_name (builder, "memCache");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "diskUsed");
  json_builder_add_int_value (builder, sample->disk_used);
  json_builder_set_member_name (builder, "diskTotal");
  json_builder_add_int_value (builder, disk_total);
  json_builder_end_object (builder);
}

void
cc_engine_metrics_add_range (CcEngineMetrics *self,
                             JsonBuilder     *builder,
                             gint64           start_s,
                             gint64           end_s,
                             gint64           mem_total,
                             gint64           disk_total)
{
  for (guint i = 0; i < self->length; i++)
    {
      const Sample *sample = &self->samples[(self->head + i) % CC_ENGINE_METRICS_CAPACITY];
      gint64 t = sample->time / G_USEC_PER_SEC;

      if (t >= start_s && t <= end_s)
        add_sample (builder, sample, mem_total, disk_total);
    }
}

gboolean
cc_engine_metrics_add_latest (CcEngineMetrics *self,
                              JsonBuilder     *builder,
                              gint64           mem_total,
                              gint64           disk_total)
{
  if (self->length == 0)
    return FALSE;
  add_sample (builder, &self->samples[(self->head + self->length - 1) % CC_ENGINE_METRICS_CAPACITY],
              mem_total, disk_total);
  return TRUE;
}

/* Measuring (thread-safe: only the Target and /proc) --------------------------------------- */

typedef struct
{
  char *sandbox_id;
  char *home_dir;
  char *tmp_dir;
  GArray *pids;         /* host pids of its processes the engine started itself */
  gint64 time;
  gint64 ticks;
  gint64 mem_used;
  gint64 disk_used;
} Target;

static void
target_free (gpointer data)
{
  Target *target = data;

  g_free (target->sandbox_id);
  g_free (target->home_dir);
  g_free (target->tmp_dir);
  g_array_unref (target->pids);
  g_free (target);
}

static Target *
target_new (CcEngineSandbox *sandbox)
{
  Target *target = g_new0 (Target, 1);
  GHashTableIter iter;
  gpointer value;

  target->sandbox_id = g_strdup (cc_engine_sandbox_get_id (sandbox));
  target->home_dir = g_strdup (cc_engine_sandbox_get_home_dir (sandbox));
  target->tmp_dir = g_strdup (cc_engine_sandbox_get_tmp_dir (sandbox));
  target->pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_processes (sandbox));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!cc_engine_process_has_exited (value))
      {
        int pid = (int) cc_engine_process_get_host_pid (value);

        /* Processes of a PID namespace the engine cannot see (flatpak-spawn) are not counted. */
        if (pid > 0)
          g_array_append_val (target->pids, pid);
      }
  return target;
}

typedef struct
{
  int ppid;
  gint64 ticks;
  gint64 rss_pages;
} ProcInfo;

/* Field @n (counted from 1, as proc(5) does) of a /proc/PID/stat line, from @after_comm, the
 * text after the command name's closing parenthesis (which starts field 3). */
static gint64
stat_field (const char *after_comm,
            guint       n)
{
  const char *p = after_comm;

  for (guint field = 3; field < n && p != NULL; field++)
    p = strchr (p + 1, ' ');
  return p != NULL ? g_ascii_strtoll (p + 1, NULL, 10) : 0;
}

/* pid → ProcInfo of every process we can read, from /proc/PID/stat. Read with one buffer on the
 * stack: on a desktop this runs for hundreds of processes per sample. */
static GHashTable *
scan_proc (void)
{
  GHashTable *table = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  DIR *dir = opendir ("/proc");
  struct dirent *entry;

  if (dir == NULL)
    return table;
  while ((entry = readdir (dir)) != NULL)
    {
      char path[64];
      char text[1024];
      guint64 pid;
      ssize_t length;
      char *close_paren;
      ProcInfo *info;
      int fd;

      if (!g_ascii_string_to_unsigned (entry->d_name, 10, 1, G_MAXINT, &pid, NULL))
        continue;
      g_snprintf (path, sizeof path, "%s/stat", entry->d_name);
      fd = openat (dirfd (dir), path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;  /* gone since the listing */
      length = read (fd, text, sizeof text - 1);
      close (fd);
      if (length <= 0)
        continue;
      text[length] = '\0';
      /* The command name may hold spaces and parentheses: the fields start after the last ')'.
       * A line cut at the buffer's end still holds the fields read here (up to 24). */
      close_paren = strrchr (text, ')');
      if (close_paren == NULL || close_paren[1] != ' ')
        continue;
      info = g_new0 (ProcInfo, 1);
      info->ppid = (int) stat_field (close_paren + 1, 4);
      info->ticks = stat_field (close_paren + 1, 14) + stat_field (close_paren + 1, 15);
      info->rss_pages = stat_field (close_paren + 1, 24);
      g_hash_table_insert (table, GINT_TO_POINTER ((int) pid), info);
    }
  closedir (dir);
  return table;
}

/* Whether @pid's command line names one of the sandbox's directories (a launcher or a sandboxed
 * process started through bubblewrap binds them). */
static gboolean
cmdline_names (int           pid,
               const Target *target)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return FALSE;
  for (gsize at = 0; at < length; at += strlen (text + at) + 1)
    if (g_str_equal (text + at, target->home_dir) || g_str_equal (text + at, target->tmp_dir))
      return TRUE;
  return FALSE;
}

static void
measure_tree (Target     *target,
              GHashTable *procs,
              GHashTable *children,
              int         engine_pid)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) queue = g_array_new (FALSE, FALSE, sizeof (int));
  GList *engine_children = g_hash_table_lookup (children, GINT_TO_POINTER (engine_pid));
  long page = sysconf (_SC_PAGESIZE);

  for (guint i = 0; i < target->pids->len; i++)
    g_array_append_val (queue, g_array_index (target->pids, int, i));
  for (GList *l = engine_children; l != NULL; l = l->next)
    {
      int pid = GPOINTER_TO_INT (l->data);

      if (cmdline_names (pid, target))
        g_array_append_val (queue, pid);
    }
  for (guint i = 0; i < queue->len; i++)
    {
      int pid = g_array_index (queue, int, i);
      ProcInfo *info = g_hash_table_lookup (procs, GINT_TO_POINTER (pid));

      if (info == NULL || !g_hash_table_add (seen, GINT_TO_POINTER (pid)))
        continue;
      target->ticks += info->ticks;
      target->mem_used += info->rss_pages * page;
      for (GList *l = g_hash_table_lookup (children, GINT_TO_POINTER (pid)); l != NULL; l = l->next)
        {
          int child = GPOINTER_TO_INT (l->data);

          g_array_append_val (queue, child);
        }
    }
}

/* Bytes allocated to the tree under @dir_fd (closed here), not following symlinks or mounts. */
static gint64
disk_usage (int     dir_fd,
            dev_t   dev,
            guint   depth,
            guint  *entries)
{
  DIR *dir = fdopendir (dir_fd);
  struct dirent *entry;
  gint64 total = 0;

  if (dir == NULL)
    {
      close (dir_fd);
      return 0;
    }
  while ((entry = readdir (dir)) != NULL && *entries < DISK_MAX_ENTRIES)
    {
      struct stat st;

      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      if (fstatat (dirfd (dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != dev)
        continue;
      (*entries)++;
      total += (gint64) st.st_blocks * 512;
      if (S_ISDIR (st.st_mode) && depth < DISK_MAX_DEPTH)
        {
          int fd = openat (dirfd (dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          if (fd >= 0)
            total += disk_usage (fd, dev, depth + 1, entries);
        }
    }
  closedir (dir);
  return total;
}

static gint64
dir_usage (const char *path)
{
  struct stat st;
  guint entries = 0;
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return 0;
  if (fstat (fd, &st) != 0)
    {
      close (fd);
      return 0;
    }
  return (gint64) st.st_blocks * 512 + disk_usage (fd, st.st_dev, 0, &entries);
}

static void
measure (GPtrArray *targets)
{
  g_autoptr(GHashTable) procs = scan_proc ();
  g_autoptr(GHashTable) children = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_list_free);
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_real_time ();

  g_hash_table_iter_init (&iter, procs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      ProcInfo *info = value;
      GList *list = g_hash_table_lookup (children, GINT_TO_POINTER (info->ppid));

      g_hash_table_steal (children, GINT_TO_POINTER (info->ppid));
      g_hash_table_insert (children, GINT_TO_POINTER (info->ppid), g_list_prepend (list, key));
    }
  for (guint i = 0; i < targets->len; i++)
    {
      Target *target = targets->pdata[i];

      target->time = now;
      measure_tree (target, procs, children, getpid ());
      target->disk_used = dir_usage (target->home_dir);
      if (g_strcmp0 (target->tmp_dir, target->home_dir) != 0)
        target->disk_used += dir_usage (target->tmp_dir);
    }
}

static void
store (CcEngine  *engine,
       GPtrArray *targets)
{
  for (guint i = 0; i < targets->len; i++)
    {
      Target *target = targets->pdata[i];
      CcEngineSandbox *sandbox = cc_engine_lookup_sandbox (engine, target->sandbox_id);

      if (sandbox != NULL && cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING)
        metrics_append (cc_engine_sandbox_get_metrics (sandbox), target->time, target->ticks,
                        target->mem_used, target->disk_used);
    }
}

/* A first sample of sandboxes a metrics request asked for before the worker's was in. */
typedef struct
{
  CcEngine  *engine;
  GPtrArray *targets;
} FirstSample;

static void
first_sample_free (gpointer data)
{
  FirstSample *self = data;

  g_object_unref (self->engine);
  g_ptr_array_unref (self->targets);
  g_free (self);
}

static JsonNode *
first_sample_work (gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  FirstSample *self = data;

  measure (self->targets);
  return json_node_new (JSON_NODE_NULL);
}

static void
first_sample_reply (SoupServerMessage *msg,
                    JsonNode          *result,
                    const GError      *error,
                    gpointer           data)
{
  FirstSample *self = data;

  store (self->engine, self->targets);
  /* Answered with what there is now, even by a sandbox that stopped meanwhile. */
  g_object_set_data (G_OBJECT (msg), "cc-metrics-sampled", GINT_TO_POINTER (TRUE));
  _cc_engine_handle_again (msg, self->engine);
}

gboolean
cc_engine_sampler_ensure_samples (CcEngine                *engine,
                                  SoupServerMessage       *msg,
                                  CcEngineSandbox * const *sandboxes,
                                  guint                    n_sandboxes)
{
  g_autoptr(GPtrArray) targets = NULL;
  FirstSample *work;

  if (g_object_get_data (G_OBJECT (msg), "cc-metrics-sampled") != NULL)
    return TRUE;
  targets = g_ptr_array_new_with_free_func (target_free);
  for (guint i = 0; i < n_sandboxes; i++)
    if (cc_engine_sandbox_get_state (sandboxes[i]) == CC_ENGINE_SANDBOX_RUNNING &&
        cc_engine_metrics_get_length (cc_engine_sandbox_get_metrics (sandboxes[i])) == 0)
      g_ptr_array_add (targets, target_new (sandboxes[i]));
  if (targets->len == 0)
    return TRUE;
  work = g_new0 (FirstSample, 1);
  work->engine = g_object_ref (engine);
  work->targets = g_steal_pointer (&targets);
  _cc_engine_worker_run_full (msg, first_sample_work, first_sample_reply, work, first_sample_free);
  return FALSE;
}

/* The periodic sampler ---------------------------------------------------------------------- */

struct _CcEngineSampler
{
  CcEngine *engine;     /* unowned: the engine owns the sampler */
  guint timer_id;
  GCancellable *cancellable;
  gboolean busy;
};

static void
measure_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  measure (task_data);
  g_task_return_boolean (task, TRUE);
}

static gboolean tick_cb (gpointer user_data);

static void
measured_cb (GObject      *source_object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = G_TASK (result);
  CcEngineSampler *self;

  /* Cancelled means the sampler is gone: touch nothing of it. */
  if (!g_task_propagate_boolean (task, NULL))
    return;
  self = user_data;
  if (g_task_get_source_tag (task) == tick_cb)
    self->busy = FALSE;
  store (self->engine, g_task_get_task_data (task));
}

/* Measures @targets (taken) in a worker thread; measured_cb stores them. @tag tells the tick's
 * measurement from a first sample's. */
static void
measure_in_worker (CcEngineSampler *self,
                   GPtrArray       *targets,
                   gpointer         tag)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, measured_cb, self);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, targets, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, measure_thread);
}

static gboolean
tick_cb (gpointer user_data)
{
  CcEngineSampler *self = user_data;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (target_free);
  GHashTableIter iter;
  gpointer value;

  if (self->busy)
    return G_SOURCE_CONTINUE;  /* the last measurement is still running: skip this one */
  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (self->engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (cc_engine_sandbox_get_state (value) == CC_ENGINE_SANDBOX_RUNNING)
      g_ptr_array_add (targets, target_new (value));
  if (targets->len == 0)
    return G_SOURCE_CONTINUE;

  self->busy = TRUE;
  measure_in_worker (self, g_steal_pointer (&targets), tick_cb);
  return G_SOURCE_CONTINUE;
}

void
cc_engine_sampler_sample_soon (CcEngineSampler *self,
                               CcEngineSandbox *sandbox)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (target_free);

  g_ptr_array_add (targets, target_new (sandbox));
  measure_in_worker (self, targets, cc_engine_sampler_sample_soon);
}

CcEngineSampler *
cc_engine_sampler_new (CcEngine *engine)
{
  CcEngineSampler *self = g_new0 (CcEngineSampler, 1);

  self->engine = engine;
  self->cancellable = g_cancellable_new ();
  self->timer_id = g_timeout_add_seconds (CC_ENGINE_METRICS_INTERVAL_S, tick_cb, self);
  return self;
}

void
cc_engine_sampler_free (CcEngineSampler *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self);
}
