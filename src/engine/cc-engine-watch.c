/* cc-engine-watch.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GFileMonitor (inotify underneath) watches one directory, so a recursive watch keeps one monitor
 * per directory of the tree and adds or drops monitors as directories come and go. Events are
 * translated to envd's (fsnotify's) vocabulary: a rename inside the tree is RENAME of the old
 * name followed by CREATE of the new one, a move out is RENAME, a move in is CREATE.
 *
 * The watched tree belongs to a sandbox whose processes may swap a directory for a symlink to
 * the host's / at any moment; a monitor placed by path there would report the host's names.
 * So each directory is opened from a descriptor with symlinks refused (its parent's, or the
 * sandbox's directory through cc-engine-path.c), and its monitor watches /proc/self/fd/N of that
 * descriptor: the kernel follows that link to the very directory opened, never to a path.
 *
 * A directory below the root keeps its descriptor as long as its monitor: the kernel then never
 * drops the watch (a directory held open reports no deletion of itself), so GIO never places it
 * again by the /proc path, and the removal is seen from the parent's monitor. The root cannot be
 * held open, or its own removal would go unseen: its descriptor is closed once the monitor is
 * placed. After the root's removal GIO may place the watch again by the path, which by then may
 * name another descriptor; but GIO reports that removal on the same monitor, in order, before
 * anything from a new watch, and the removal ends the watch's reporting (gone).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-path.h"
#include "cc-engine-watch.h"

/* inotify watches are a per-user kernel resource: a tree bigger than this (a node_modules, say)
 * is watched down to this many directories rather than exhausting them for everyone. */
#define MAX_DIRECTORIES 4096
/* GFileMonitor merges repeated writes to one file into one event per this many ms. */
#define RATE_LIMIT_MS 100

typedef struct
{
  CcEngineWatch *watch;
  GFileMonitor  *monitor;
  GFile         *dir;        /* /proc/self/fd/N of fd */
  char          *rel;        /* the directory relative to the root ("" = root) */
  int            fd;         /* O_PATH, the directory itself; -1 for the root once watched */
} Monitor;

struct _CcEngineWatch
{
  CcEngineSandbox   *sandbox;    /* borrowed: the watch's owner lives on it */
  char              *host_dir;
  gboolean           recursive;
  gboolean           gone;       /* the root was removed: nothing more to report */
  GHashTable        *monitors;   /* rel → Monitor */
  CcEngineWatchFunc  func;
  gpointer           user_data;
};

static void monitor_changed_cb (GFileMonitor      *monitor,
                                GFile             *file,
                                GFile             *other_file,
                                GFileMonitorEvent  event,
                                gpointer           user_data);

static void
monitor_free (gpointer data)
{
  Monitor *m = data;

  if (m->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (m->monitor, m);
      g_file_monitor_cancel (m->monitor);
      g_clear_object (&m->monitor);
    }
  /* Closed only once the monitor is cancelled: GIO no longer uses the /proc path. */
  g_clear_object (&m->dir);
  g_free (m->rel);
  if (m->fd >= 0)
    close (m->fd);
  g_free (m);
}

static char *
join_rel (const char *rel,
          const char *name)
{
  return *rel == '\0' ? g_strdup (name) : g_strconcat (rel, "/", name, NULL);
}

/* @file's name relative to the root, for an event of @m's monitor. */
static char *
relative_name (Monitor *m,
               GFile   *file)
{
  g_autofree char *child = NULL;

  if (g_file_equal (m->dir, file))
    return g_strdup (m->rel);
  child = g_file_get_relative_path (m->dir, file);
  if (child == NULL)
    return NULL;
  return join_rel (m->rel, child);
}

/* Watches the directory @fd (owned) as @rel. */
static Monitor *
add_monitor (CcEngineWatch  *self,
             const char     *rel,
             int             fd,
             GError        **error)
{
  g_autofree char *proc_path = NULL;
  Monitor *m;

  if (g_hash_table_contains (self->monitors, rel))
    {
      close (fd);
      return NULL;
    }
  if (g_hash_table_size (self->monitors) >= MAX_DIRECTORIES)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "more than %d directories to watch", MAX_DIRECTORIES);
      return NULL;
    }

  m = g_new0 (Monitor, 1);
  m->watch = self;
  m->fd = fd;
  m->rel = g_strdup (rel);
  proc_path = g_strdup_printf ("/proc/self/fd/%d", fd);
  m->dir = g_file_new_for_path (proc_path);
  m->monitor = g_file_monitor_directory (m->dir, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (m->monitor == NULL)
    {
      monitor_free (m);
      return NULL;
    }
  g_file_monitor_set_rate_limit (m->monitor, RATE_LIMIT_MS);
  g_signal_connect (m->monitor, "changed", G_CALLBACK (monitor_changed_cb), m);
  g_hash_table_insert (self->monitors, g_strdup (rel), m);
  return m;
}

/* Adds monitors for the directory @fd (owned) and every real directory below it, each opened
 * from its parent's descriptor with symlinks refused. */
static void
add_tree (CcEngineWatch *self,
          int            fd,
          const char    *rel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *d;
  Monitor *m;
  DIR *listing;
  int list_fd;

  if ((m = add_monitor (self, rel, fd, &error)) == NULL)
    {
      if (error != NULL)
        g_debug ("Not watching %s/%s: %s", self->host_dir, rel, error->message);
      return;
    }

  list_fd = openat (m->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  listing = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  if (listing == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      return;
    }
  while ((d = readdir (listing)) != NULL)
    if (!g_str_equal (d->d_name, ".") && !g_str_equal (d->d_name, ".."))
      g_ptr_array_add (names, g_strdup (d->d_name));
  closedir (listing);

  for (guint i = 0; i < names->len; i++)
    {
      int child = openat (m->fd, names->pdata[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

      if (child >= 0)
        {
          g_autofree char *child_rel = join_rel (rel, names->pdata[i]);

          add_tree (self, child, child_rel);
        }
    }
}

static void
remove_tree (CcEngineWatch *self,
             const char    *rel)
{
  g_autofree char *prefix = g_strconcat (rel, "/", NULL);
  GHashTableIter iter;
  gpointer key;

  if (*rel == '\0')
    return;               /* the root stays watched even when it disappears */

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_equal (key, rel) || g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

static void
emit (CcEngineWatch *self,
      const char    *rel,
      const char    *event_type)
{
  g_autofree char *path = g_build_filename (self->host_dir, rel, NULL);

  self->func (self, rel, event_type, path, self->user_data);
}

/* @rel appeared in the directory of @m. */
static void
appeared (Monitor    *m,
          const char *rel)
{
  CcEngineWatch *self = m->watch;

  emit (self, rel, CC_ENGINE_EVENT_CREATE);
  if (self->recursive)
    {
      g_autofree char *path = g_build_filename (self->host_dir, rel, NULL);
      int fd = cc_engine_path_open_errno (self->sandbox, path, O_PATH | O_DIRECTORY);

      if (fd >= 0)
        add_tree (self, fd, rel);
    }
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  Monitor *m = user_data;
  CcEngineWatch *self = m->watch;
  g_autofree char *rel = relative_name (m, file);
  g_autofree char *other_rel = other_file ? relative_name (m, other_file) : NULL;

  if (rel != NULL && *rel == '\0')
    {
      /* The root itself went away (a removed tree, a killed sandbox): say so, once. */
      if (!self->gone && (event == G_FILE_MONITOR_EVENT_DELETED ||
                          event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
                          event == G_FILE_MONITOR_EVENT_RENAMED))
        {
          self->gone = TRUE;
          self->func (self, "", NULL, self->host_dir, self->user_data);
        }
      return;
    }
  /* Events about a watched subdirectory itself also arrive, as the entry's event, from the
   * monitor of its parent. */
  if (rel == NULL || self->gone || g_str_equal (rel, m->rel))
    return;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      appeared (m, rel);
      break;

    case G_FILE_MONITOR_EVENT_CHANGED:
      emit (self, rel, CC_ENGINE_EVENT_WRITE);
      break;

    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      emit (self, rel, CC_ENGINE_EVENT_CHMOD);
      break;

    case G_FILE_MONITOR_EVENT_DELETED:
      emit (self, rel, CC_ENGINE_EVENT_REMOVE);
      remove_tree (self, rel);
      break;

    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      emit (self, rel, CC_ENGINE_EVENT_RENAME);
      remove_tree (self, rel);
      break;

    case G_FILE_MONITOR_EVENT_RENAMED:
      emit (self, rel, CC_ENGINE_EVENT_RENAME);
      remove_tree (self, rel);
      if (other_file != NULL && other_rel != NULL && *other_rel != '\0')
        appeared (m, other_rel);
      break;

    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

CcEngineWatch *
_cc_engine_watch_new (CcEngineSandbox    *sandbox,
                      int                 dir_fd,
                      const char         *host_dir,
                      gboolean            recursive,
                      CcEngineWatchFunc   func,
                      gpointer            user_data,
                      GError            **error)
{
  g_autoptr(CcEngineWatch) self = g_new0 (CcEngineWatch, 1);
  struct stat st;
  Monitor *root;
  int fd;

  g_return_val_if_fail (dir_fd >= 0, NULL);
  g_return_val_if_fail (host_dir != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self->sandbox = sandbox;
  self->host_dir = g_strdup (host_dir);
  self->recursive = recursive;
  self->func = func;
  self->user_data = user_data;
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);

  if (fstat (dir_fd, &st) != 0 || !S_ISDIR (st.st_mode) ||
      (fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 0)) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "not a directory");
      return NULL;
    }

  if (recursive)
    add_tree (self, fd, "");
  else if (add_monitor (self, "", fd, error) == NULL)
    return NULL;
  if ((root = g_hash_table_lookup (self->monitors, "")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the directory cannot be watched");
      return NULL;
    }
  /* Held open, the root would never report its own removal (see the top of the file). */
  close (root->fd);
  root->fd = -1;

  return g_steal_pointer (&self);
}

void
_cc_engine_watch_free (CcEngineWatch *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->monitors, g_hash_table_unref);
  g_clear_pointer (&self->host_dir, g_free);
  g_free (self);
}
