/* cc-engine-watch.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * inotify watches one directory, so a recursive watch keeps one per directory of the tree and
 * adds or drops them as directories come and go. Events are translated to envd's (fsnotify's)
 * vocabulary: a rename inside the tree is RENAME of the old name followed by CREATE of the new
 * one, a move out is RENAME, a move in is CREATE.
 *
 * The watched tree belongs to a sandbox whose processes may swap a directory for a symlink to
 * the host's / at any moment; a watch placed by path there would report the host's names. So
 * each directory is opened from a descriptor with symlinks refused (its parent's, or the
 * sandbox's directory through cc-engine-path.c), and the watch is placed on /proc/self/fd/N of
 * that descriptor: the kernel follows that link to the very directory opened. The descriptor is
 * closed at once; an inotify watch belongs to the directory, not to a path, and is never placed
 * again by one. GFileMonitor cannot be given a directory this way: it keys its watches by path
 * and places them again by path when a directory goes away.
 *
 * The watches of one sandbox share one inotify instance (instances are few per user), so two
 * watches of one directory share the kernel's watch, which goes when the last one leaves.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include "cc-engine-path.h"
#include "cc-engine-watch.h"

/* inotify watches are a per-user kernel resource: a tree bigger than this (a node_modules, say)
 * is watched down to this many directories rather than exhausting them for everyone. */
#define MAX_DIRECTORIES 4096
/* Repeated writes to one file are merged into one event per this many ms. */
#define RATE_LIMIT_MS 100
#define HUB_KEY "cc-engine-watch-hub"
#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_CLOSE_WRITE | \
                    IN_ATTRIB | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* One sandbox's inotify instance. */
typedef struct
{
  grefcount   ref;
  int         fd;
  guint       source_id;
  GHashTable *by_wd;          /* wd → GPtrArray of Monitor (borrowed) */
} Hub;

typedef struct
{
  CcEngineWatch *watch;
  char          *rel;         /* the directory relative to the root ("" = root) */
  int            wd;          /* -1 once the kernel dropped the watch */
} Monitor;

struct _CcEngineWatch
{
  grefcount          ref;      /* one for the owner, one while an event is handled */
  gboolean           cancelled;
  Hub               *hub;
  CcEngineSandbox   *sandbox;  /* borrowed: the watch's owner lives on it */
  char              *host_dir;
  gboolean           recursive;
  gboolean           gone;     /* the root was removed: nothing more to report */
  GHashTable        *monitors; /* rel → Monitor */
  GHashTable        *writes;   /* rel → time (µs) of its last WRITE event */
  GHashTable        *dirty;    /* rels written since their last WRITE event */
  guint              flush_id;
  CcEngineWatchFunc  func;
  gpointer           user_data;
};

static void handle_event (Monitor                    *m,
                          const struct inotify_event *event);

/* The hub ---------------------------------------------------------------------------------- */

static void
hub_unref (gpointer data)
{
  Hub *hub = data;

  if (!g_ref_count_dec (&hub->ref))
    return;
  g_clear_handle_id (&hub->source_id, g_source_remove);
  close (hub->fd);
  g_hash_table_unref (hub->by_wd);
  g_free (hub);
}

static gboolean
hub_read_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  Hub *hub = user_data;
  /* Aligned for struct inotify_event, as inotify(7) shows. */
  char buffer[16384] __attribute__ ((aligned (__alignof__ (struct inotify_event))));

  gboolean last;

  /* A handler may drop the last other reference (a stream's end releasing its sandbox). */
  g_ref_count_inc (&hub->ref);
  /* Bounded: a sandbox writing without pause must not hold the main loop here. */
  for (guint round = 0; round < 16; round++)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n <= 0)
        break;
      for (char *p = buffer; p < buffer + n;)
        {
          const struct inotify_event *event = (const struct inotify_event *) p;
          GPtrArray *subs = g_hash_table_lookup (hub->by_wd, GINT_TO_POINTER (event->wd));

          p += sizeof (struct inotify_event) + event->len;
          if (subs == NULL)
            continue;
          if (event->mask & IN_IGNORED)
            {
              for (guint i = 0; i < subs->len; i++)
                ((Monitor *) subs->pdata[i])->wd = -1;
              g_hash_table_remove (hub->by_wd, GINT_TO_POINTER (event->wd));
              continue;
            }
          {
            /* A handler may end watches (its own): go through a copy, and skip monitors that
             * left meanwhile. */
            g_autoptr(GPtrArray) copy = g_ptr_array_copy (subs, NULL, NULL);

            for (guint i = 0; i < copy->len; i++)
              {
                subs = g_hash_table_lookup (hub->by_wd, GINT_TO_POINTER (event->wd));
                if (subs != NULL && g_ptr_array_find (subs, copy->pdata[i], NULL))
                  handle_event (copy->pdata[i], event);
              }
          }
        }
    }
  last = g_ref_count_compare (&hub->ref, 1);
  hub_unref (hub);
  return last ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static Hub *
hub_for_sandbox (CcEngineSandbox  *sandbox,
                 GError          **error)
{
  Hub *hub = g_object_get_data (G_OBJECT (sandbox), HUB_KEY);
  int fd;

  if (hub != NULL)
    {
      g_ref_count_inc (&hub->ref);
      return hub;
    }
  fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot watch files: %s", g_strerror (saved));
      return NULL;
    }
  hub = g_new0 (Hub, 1);
  g_ref_count_init (&hub->ref);
  hub->fd = fd;
  hub->by_wd = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  hub->source_id = g_unix_fd_add (fd, G_IO_IN, hub_read_cb, hub);
  /* The sandbox holds one reference, each watch one. */
  g_object_set_data_full (G_OBJECT (sandbox), HUB_KEY, hub, hub_unref);
  g_ref_count_inc (&hub->ref);
  return hub;
}

/* Monitors --------------------------------------------------------------------------------- */

static void
monitor_free (gpointer data)
{
  Monitor *m = data;
  Hub *hub = m->watch->hub;
  GPtrArray *subs = m->wd >= 0 ? g_hash_table_lookup (hub->by_wd, GINT_TO_POINTER (m->wd)) : NULL;

  if (subs != NULL)
    {
      g_ptr_array_remove (subs, m);
      if (subs->len == 0)
        {
          inotify_rm_watch (hub->fd, m->wd);
          g_hash_table_remove (hub->by_wd, GINT_TO_POINTER (m->wd));
        }
    }
  g_free (m->rel);
  g_free (m);
}

static char *
join_rel (const char *rel,
          const char *name)
{
  return *rel == '\0' ? g_strdup (name) : g_strconcat (rel, "/", name, NULL);
}

/* Watches the directory @fd (borrowed) as @rel. NULL (and no error) when it is watched already. */
static Monitor *
add_monitor (CcEngineWatch  *self,
             const char     *rel,
             int             fd,
             GError        **error)
{
  char proc_path[64];
  GPtrArray *subs;
  Monitor *m;
  int wd;

  if (g_hash_table_contains (self->monitors, rel))
    return NULL;
  if (g_hash_table_size (self->monitors) >= MAX_DIRECTORIES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "more than %d directories to watch", MAX_DIRECTORIES);
      return NULL;
    }

  g_snprintf (proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  wd = inotify_add_watch (self->hub->fd, proc_path, WATCH_MASK);
  if (wd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot watch the directory: %s", g_strerror (saved));
      return NULL;
    }
  subs = g_hash_table_lookup (self->hub->by_wd, GINT_TO_POINTER (wd));
  if (subs == NULL)
    {
      subs = g_ptr_array_new ();
      g_hash_table_insert (self->hub->by_wd, GINT_TO_POINTER (wd), subs);
    }
  for (guint i = 0; i < subs->len; i++)
    if (((Monitor *) subs->pdata[i])->watch == self)
      return NULL;          /* the same directory under another name (a bind mount) */

  m = g_new0 (Monitor, 1);
  m->watch = self;
  m->rel = g_strdup (rel);
  m->wd = wd;
  g_ptr_array_add (subs, m);
  g_hash_table_insert (self->monitors, g_strdup (rel), m);
  return m;
}

/* Watches the directory @fd (owned) and every real directory below it, each opened from its
 * parent's descriptor with symlinks refused. */
static void
add_tree (CcEngineWatch *self,
          int            fd,
          const char    *rel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  struct dirent *d;
  DIR *listing;
  int list_fd;

  if (add_monitor (self, rel, fd, &error) == NULL)
    {
      if (error != NULL)
        g_debug ("Not watching %s/%s: %s", self->host_dir, rel, error->message);
      close (fd);
      return;
    }
  if (!self->recursive)
    {
      close (fd);
      return;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  list_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  listing = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  if (listing == NULL && list_fd >= 0)
    close (list_fd);
  while (listing != NULL && (d = readdir (listing)) != NULL)
    if (!g_str_equal (d->d_name, ".") && !g_str_equal (d->d_name, ".."))
      g_ptr_array_add (names, g_strdup (d->d_name));
  if (listing != NULL)
    closedir (listing);

  for (guint i = 0; i < names->len; i++)
    {
      int child = openat (fd, names->pdata[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (child >= 0)
        {
          g_autofree char *child_rel = join_rel (rel, names->pdata[i]);

          add_tree (self, child, child_rel);
        }
    }
  close (fd);
}

static void
remove_tree (CcEngineWatch *self,
             const char    *rel)
{
  g_autofree char *prefix = g_strconcat (rel, "/", NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_equal (key, rel) || g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

/* Events ----------------------------------------------------------------------------------- */

static void
watch_unref (CcEngineWatch *self)
{
  if (!g_ref_count_dec (&self->ref))
    return;
  g_clear_pointer (&self->host_dir, g_free);
  if (self->hub != NULL)
    hub_unref (self->hub);
  g_free (self);
}

/* Reports @rel; FALSE when the watch was ended meanwhile (by the callback). */
static gboolean
emit (CcEngineWatch *self,
      const char    *rel,
      const char    *event_type)
{
  g_autofree char *path = g_build_filename (self->host_dir, rel, NULL);

  self->func (self, rel, event_type, path, self->user_data);
  return !self->cancelled;
}

static gboolean
flush_writes_cb (gpointer user_data)
{
  CcEngineWatch *self = user_data;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->writes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (now - *(gint64 *) value >= RATE_LIMIT_MS * 1000)
      {
        if (g_hash_table_remove (self->dirty, key))
          g_ptr_array_add (due, g_strdup (key));
        g_hash_table_iter_remove (&iter);
      }
  if (g_hash_table_size (self->writes) == 0)
    self->flush_id = 0;

  g_ref_count_inc (&self->ref);
  for (guint i = 0; i < due->len && emit (self, due->pdata[i], CC_ENGINE_EVENT_WRITE); i++)
    ;
  if (self->flush_id == 0 || self->cancelled)
    {
      watch_unref (self);
      return G_SOURCE_REMOVE;
    }
  watch_unref (self);
  return G_SOURCE_CONTINUE;
}

/* A write to @rel: reported at once unless one was within the rate limit; then once more when
 * the file is closed or the limit has passed. */
static gboolean
written (CcEngineWatch *self,
         const char    *rel,
         gboolean       closed)
{
  gint64 *last = g_hash_table_lookup (self->writes, rel);
  gint64 now = g_get_monotonic_time ();

  if (closed && !g_hash_table_remove (self->dirty, rel))
    return TRUE;
  if (!closed && last != NULL && now - *last < RATE_LIMIT_MS * 1000)
    {
      g_hash_table_add (self->dirty, g_strdup (rel));
      return TRUE;
    }
  if (last == NULL)
    {
      last = g_new (gint64, 1);
      g_hash_table_insert (self->writes, g_strdup (rel), last);
    }
  *last = now;
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (RATE_LIMIT_MS, flush_writes_cb, self);
  return emit (self, rel, CC_ENGINE_EVENT_WRITE);
}

static void
appeared (CcEngineWatch *self,
          const char    *rel,
          gboolean       is_dir)
{
  g_autofree char *path = NULL;
  int fd;

  if (!emit (self, rel, CC_ENGINE_EVENT_CREATE) || !self->recursive || !is_dir)
    return;
  path = g_build_filename (self->host_dir, rel, NULL);
  fd = cc_engine_path_open_errno (self->sandbox, path, O_PATH | O_DIRECTORY);
  if (fd >= 0)
    add_tree (self, fd, rel);
}

static void
handle_event (Monitor                    *m,
              const struct inotify_event *event)
{
  CcEngineWatch *self = m->watch;
  g_autofree char *rel = NULL;

  if (self->cancelled)
    return;
  if (event->len == 0 || event->name[0] == '\0')
    {
      /* The root itself went away (a removed tree, a killed sandbox): say so, once. A watched
       * directory below it is reported by its parent's watch instead. */
      if (*m->rel == '\0' && !self->gone && (event->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
        {
          self->gone = TRUE;
          self->func (self, "", NULL, self->host_dir, self->user_data);
        }
      return;
    }
  if (self->gone)
    return;

  rel = join_rel (m->rel, event->name);
  /* @m may go with the events below: only @self is used from here on. */
  g_ref_count_inc (&self->ref);
  if (event->mask & (IN_CREATE | IN_MOVED_TO))
    appeared (self, rel, (event->mask & IN_ISDIR) != 0);
  else if (event->mask & (IN_MODIFY | IN_CLOSE_WRITE))
    written (self, rel, (event->mask & IN_CLOSE_WRITE) != 0);
  else if (event->mask & IN_ATTRIB)
    emit (self, rel, CC_ENGINE_EVENT_CHMOD);
  else if (event->mask & IN_DELETE)
    {
      if (emit (self, rel, CC_ENGINE_EVENT_REMOVE))
        remove_tree (self, rel);
    }
  else if (event->mask & IN_MOVED_FROM)
    {
      if (emit (self, rel, CC_ENGINE_EVENT_RENAME))
        remove_tree (self, rel);
    }
  watch_unref (self);
}

/* The watch -------------------------------------------------------------------------------- */

CcEngineWatch *
_cc_engine_watch_new (CcEngineSandbox    *sandbox,
                      int                 dir_fd,
                      const char         *host_dir,
                      gboolean            recursive,
                      CcEngineWatchFunc   func,
                      gpointer            user_data,
                      GError            **error)
{
  g_autoptr(CcEngineWatch) self = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (CC_IS_ENGINE_SANDBOX (sandbox), NULL);
  g_return_val_if_fail (dir_fd >= 0, NULL);
  g_return_val_if_fail (host_dir != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (fstat (dir_fd, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "not a directory");
      return NULL;
    }

  self = g_new0 (CcEngineWatch, 1);
  g_ref_count_init (&self->ref);
  self->sandbox = sandbox;
  self->host_dir = g_strdup (host_dir);
  self->recursive = recursive;
  self->func = func;
  self->user_data = user_data;
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  self->writes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if ((self->hub = hub_for_sandbox (sandbox, error)) == NULL)
    return NULL;

  if ((fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 0)) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return NULL;
    }
  /* Non-recursive, add_tree watches the root alone. */
  add_tree (self, fd, "");
  if (!g_hash_table_contains (self->monitors, ""))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the directory cannot be watched");
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
_cc_engine_watch_free (CcEngineWatch *self)
{
  if (self == NULL)
    return;
  self->cancelled = TRUE;
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->writes, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  watch_unref (self);
}
