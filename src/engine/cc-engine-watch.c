/* cc-engine-watch.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GFileMonitor (inotify underneath) watches one directory, so a recursive watch keeps one monitor
 * per directory of the tree and adds or drops monitors as directories come and go. Events are
 * translated to envd's (fsnotify's) vocabulary: a rename inside the tree is RENAME of the old
 * name followed by CREATE of the new one, a move out is RENAME, a move in is CREATE.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "cc-engine-watch.h"

/* inotify watches are a per-user kernel resource: a tree bigger than this (a node_modules, say)
 * is watched down to this many directories rather than exhausting them for everyone. */
#define MAX_DIRECTORIES 4096
/* GFileMonitor merges repeated writes to one file into one event per this many ms. */
#define RATE_LIMIT_MS 100

struct _CcEngineWatch
{
  GFile             *root;
  gboolean           recursive;
  gboolean           gone;       /* the root was removed: nothing more to report */
  GHashTable        *monitors;   /* relative dir ("" = root) → GFileMonitor */
  CcEngineWatchFunc  func;
  gpointer           user_data;
};

static void monitor_changed_cb (GFileMonitor      *monitor,
                                GFile             *file,
                                GFile             *other_file,
                                GFileMonitorEvent  event,
                                gpointer           user_data);

static char *
relative_name (CcEngineWatch *self,
               GFile         *file)
{
  if (g_file_equal (self->root, file))
    return g_strdup ("");
  return g_file_get_relative_path (self->root, file);
}

static gboolean
add_monitor (CcEngineWatch  *self,
             const char     *rel,
             GFile          *dir,
             GError        **error)
{
  g_autoptr(GFileMonitor) monitor = NULL;

  if (g_hash_table_contains (self->monitors, rel))
    return TRUE;
  if (g_hash_table_size (self->monitors) >= MAX_DIRECTORIES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "more than %d directories to watch", MAX_DIRECTORIES);
      return FALSE;
    }

  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (monitor == NULL)
    return FALSE;
  g_file_monitor_set_rate_limit (monitor, RATE_LIMIT_MS);
  g_signal_connect (monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
  g_hash_table_insert (self->monitors, g_strdup (rel), g_steal_pointer (&monitor));
  return TRUE;
}

/* Adds monitors for @dir and every real directory below it (symlinks are not followed). */
static void
add_tree (CcEngineWatch *self,
          GFile         *dir)
{
  g_autofree char *rel = relative_name (self, dir);
  g_autofree char *path = g_file_get_path (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (rel == NULL || !add_monitor (self, rel, dir, &error))
    {
      if (error != NULL)
        g_debug ("Not watching %s: %s", path, error->message);
      return;
    }

  handle = g_dir_open (path, 0, NULL);
  if (handle == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child_path = g_build_filename (path, name, NULL);
      struct stat st;

      if (lstat (child_path, &st) == 0 && S_ISDIR (st.st_mode))
        {
          g_autoptr(GFile) child = g_file_new_for_path (child_path);

          add_tree (self, child);
        }
    }
}

static void
remove_tree (CcEngineWatch *self,
             const char    *rel)
{
  g_autofree char *prefix = g_strconcat (rel, "/", NULL);
  GHashTableIter iter;
  gpointer key, value;

  if (*rel == '\0')
    return;               /* the root stays watched even when it disappears */

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_equal (key, rel) || g_str_has_prefix (key, prefix))
        {
          g_signal_handlers_disconnect_by_data (value, self);
          g_file_monitor_cancel (value);
          g_hash_table_iter_remove (&iter);
        }
    }
}

static void
emit (CcEngineWatch *self,
      GFile         *file,
      const char    *rel,
      const char    *event_type)
{
  g_autofree char *path = g_file_get_path (file);

  self->func (self, rel, event_type, path, self->user_data);
}

static void
appeared (CcEngineWatch *self,
          GFile         *file,
          const char    *rel)
{
  struct stat st;
  g_autofree char *path = g_file_get_path (file);

  emit (self, file, rel, CC_ENGINE_EVENT_CREATE);
  if (self->recursive && lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
    add_tree (self, file);
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  CcEngineWatch *self = user_data;
  g_autofree char *rel = relative_name (self, file);
  g_autofree char *other_rel = other_file ? relative_name (self, other_file) : NULL;

  if (rel != NULL && *rel == '\0')
    {
      /* The root itself went away (a removed tree, a killed sandbox): say so, once. */
      if (!self->gone && (event == G_FILE_MONITOR_EVENT_DELETED ||
                          event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
                          event == G_FILE_MONITOR_EVENT_RENAMED))
        {
          g_autofree char *path = g_file_get_path (self->root);

          self->gone = TRUE;
          self->func (self, "", NULL, path, self->user_data);
        }
      return;
    }
  /* Events about a watched subdirectory itself also arrive, as the entry's event, from the
   * monitor of its parent. */
  if (rel == NULL || self->gone)
    return;
  if (g_hash_table_lookup (self->monitors, rel) == monitor)
    return;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
      appeared (self, file, rel);
      break;

    case G_FILE_MONITOR_EVENT_CHANGED:
      emit (self, file, rel, CC_ENGINE_EVENT_WRITE);
      break;

    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
      emit (self, file, rel, CC_ENGINE_EVENT_CHMOD);
      break;

    case G_FILE_MONITOR_EVENT_DELETED:
      emit (self, file, rel, CC_ENGINE_EVENT_REMOVE);
      remove_tree (self, rel);
      break;

    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      emit (self, file, rel, CC_ENGINE_EVENT_RENAME);
      remove_tree (self, rel);
      break;

    case G_FILE_MONITOR_EVENT_RENAMED:
      emit (self, file, rel, CC_ENGINE_EVENT_RENAME);
      remove_tree (self, rel);
      if (other_file != NULL && other_rel != NULL && *other_rel != '\0')
        appeared (self, other_file, other_rel);
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
_cc_engine_watch_new (const char         *host_dir,
                      gboolean            recursive,
                      CcEngineWatchFunc   func,
                      gpointer            user_data,
                      GError            **error)
{
  g_autoptr(CcEngineWatch) self = g_new0 (CcEngineWatch, 1);
  struct stat st;

  g_return_val_if_fail (host_dir != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self->root = g_file_new_for_path (host_dir);
  self->recursive = recursive;
  self->func = func;
  self->user_data = user_data;
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  if (stat (host_dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "not a directory");
      return NULL;
    }

  if (recursive)
    add_tree (self, self->root);
  else if (!add_monitor (self, "", self->root, error))
    return NULL;
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
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;
  if (self->monitors != NULL)
    {
      g_hash_table_iter_init (&iter, self->monitors);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          g_signal_handlers_disconnect_by_data (value, self);
          g_file_monitor_cancel (value);
        }
      g_hash_table_unref (self->monitors);
    }
  g_clear_object (&self->root);
  g_free (self);
}
