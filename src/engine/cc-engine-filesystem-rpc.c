/* cc-engine-filesystem-rpc.c: the filesystem.Filesystem service
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Unary calls take and answer one JSON object; WatchDir is a server stream of enveloped events.
 * Every path goes through cc_engine_sandbox_resolve_path(), so nothing here can reach outside the
 * sandbox; a path that tries is answered with permission_denied. The resolved path is then only
 * ever opened from a descriptor of the sandbox's directory with symlinks refused
 * (cc-engine-path.c), and acted on with the *at calls on descriptors: a sandbox process that
 * swaps a directory for a symlink meanwhile cannot send a call out. Calls that can take long on
 * a big tree (ListDir, Remove) run in a worker thread so other clients are not kept waiting.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "cc-connect-codec.h"
#include "cc-engine-path.h"
#include "cc-engine-entry-info.h"
#include "cc-engine-worker.h"
#include "cc-engine-private.h"
#include "cc-engine-server.h"
#include "cc-engine-watch.h"
#include "cc-protojson.h"

#define WATCHERS_KEY "cc-engine-filesystem-watchers"
/* Events a polling watcher keeps between two GetWatcherEvents calls; older ones are dropped. */
#define MAX_WATCHER_EVENTS 10000
/* Polling watchers a sandbox may hold at once: a client that never removes its watchers must not
 * use up the inotify watches of everyone. */
#define MAX_WATCHERS 64
/* ListDir answers are held in memory whole: a walk stops with resource_exhausted beyond this. */
#define MAX_LIST_ENTRIES 200000

/* Request parsing -------------------------------------------------------------------------- */

/* proto3 JSON parsers accept the proto field name as well as the lowerCamelCase one. */
static void
reply_error (SoupServerMessage *msg,
             const GError      *error)
{
  const char *code;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS))
    code = "failed_precondition";
  else
    code = _cc_engine_connect_code_for_error (error);
  _cc_engine_reply_connect_error (msg, code, error->message);
}

static void
reply_result (SoupServerMessage *msg,
              JsonNode          *result,
              const GError      *error)
{
  if (result != NULL)
    _cc_engine_reply_json (msg, SOUP_STATUS_OK, result);
  else
    reply_error (msg, error);
}

static JsonNode *
wrap_entry (JsonNode *entry)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_member (object, "entry", entry);
  json_node_set_object (node, object);
  return node;
}

static JsonNode *
empty_object (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return node;
}

static gboolean
is_view_root (const char *sandbox_path)
{
  return g_strcmp0 (sandbox_path, "/home/user") == 0 || g_strcmp0 (sandbox_path, "/root") == 0 ||
         g_strcmp0 (sandbox_path, "/tmp") == 0;
}

/* Whether @host_path is a symlink, looked at from the sandbox's directory with symlinks on the
 * way refused. */
static gboolean
is_link (CcEngineSandbox *sandbox,
         const char      *host_path)
{
  struct stat st;
  int fd = cc_engine_path_open_errno (sandbox, host_path, O_PATH | O_NOFOLLOW);
  gboolean link;

  if (fd < 0)
    return FALSE;
  link = fstat (fd, &st) == 0 && S_ISLNK (st.st_mode);
  close (fd);
  return link;
}

/* Opens @host_path (O_PATH) and, when it is a symlink, what it points at in the sandbox's
 * view, both from the sandbox's directory with symlinks on the way refused; sets @st. -1 with
 * errno (ELOOP: a link that is broken, loops or leads out). */
static int
open_followed (CcEngineSandbox *sandbox,
               const char      *user,
               const char      *host_path,
               const char      *sandbox_path,
               struct stat     *st)
{
  g_autofree char *target = NULL;
  int fd = cc_engine_path_open_errno (sandbox, host_path, O_PATH | O_NOFOLLOW);

  if (fd < 0 || fstat (fd, st) != 0)
    goto failed;
  if (!S_ISLNK (st->st_mode))
    return fd;
  close (fd);
  if (!_cc_engine_entry_follow (sandbox, user, host_path, sandbox_path, &target, NULL) ||
      (fd = cc_engine_path_open_errno (sandbox, target, O_PATH | O_NOFOLLOW)) < 0 ||
      fstat (fd, st) != 0 || S_ISLNK (st->st_mode))
    {
      if (fd >= 0)
        close (fd);
      errno = ELOOP;
      return -1;
    }
  return fd;

failed:
  {
    int saved = errno;

    if (fd >= 0)
      close (fd);
    errno = saved;
    return -1;
  }
}

/* Like cc_engine_sandbox_resolve_path(), but a last component that is a symlink pointing out of
 * the sandbox is still found, as itself: Stat reports it as a broken link, Remove and Move act
 * on the link, never on what it points at. */
static char *
resolve_link_itself (CcEngineSandbox  *sandbox,
                     const char       *user,
                     const char       *path,
                     char            **sandbox_path,
                     GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *parent_host = NULL;
  g_autofree char *parent_sandbox = NULL;
  g_autofree char *base = NULL;
  g_autofree char *host = NULL;
  const char *home = cc_engine_sandbox_user_home (user);
  char *result;

  result = cc_engine_sandbox_resolve_path (sandbox, user, path, sandbox_path, &local_error);
  if (result != NULL || home == NULL ||
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return result;
    }

  if (path == NULL || *path == '\0' || g_str_equal (path, "~"))
    clean = g_strdup (home);
  else if (g_str_has_prefix (path, "~/"))
    clean = g_canonicalize_filename (path + 2, home);
  else
    clean = g_canonicalize_filename (path, home);
  parent = g_path_get_dirname (clean);
  base = g_path_get_basename (clean);
  parent_host = cc_engine_sandbox_resolve_path (sandbox, user, parent, &parent_sandbox, NULL);
  if (parent_host == NULL || g_str_equal (base, "/"))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  host = g_build_filename (parent_host, base, NULL);
  if (!is_link (sandbox, host))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (sandbox_path != NULL)
    *sandbox_path = _cc_engine_entry_join (parent_sandbox, base);
  return g_steal_pointer (&host);
}

/* The members of a request that names only a path. */
static const char * const path_fields[] = { "path", NULL };

/* The host path of a request's "path" member, after checking that its other members are among
 * @fields. With @link_itself a symlink at the end is not followed (Stat, Remove), otherwise it
 * is, in the sandbox's view. Without one, the error is the reply and this returns NULL. */
static char *
request_host_path (CcEngineSandbox     *sandbox,
                   SoupServerMessage   *msg,
                   JsonObject          *request,
                   const char          *user,
                   const char * const  *fields,
                   gboolean             link_itself,
                   char               **sandbox_path)
{
  g_autoptr(GError) error = NULL;
  const char *path;
  char *host;

  if (!_cc_engine_request_check_fields (request, fields, &error) ||
      !_cc_engine_request_get_string (request, "path", NULL, &path, &error))
    host = NULL;
  else if (link_itself)
    host = resolve_link_itself (sandbox, user, path, sandbox_path, &error);
  else
    host = cc_engine_sandbox_resolve_path (sandbox, user, path, sandbox_path, &error);
  if (host == NULL)
    reply_error (msg, error);
  return host;
}

/* Stat ------------------------------------------------------------------------------------- */

static void
handle_stat (CcEngineSandbox   *sandbox,
             SoupServerMessage *msg,
             JsonObject        *request,
             const char        *user)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  JsonNode *entry;

  if ((host = request_host_path (sandbox, msg, request, user, path_fields, TRUE, &sandbox_path)) == NULL)
    return;
  if ((entry = _cc_engine_entry_build (sandbox, user, host, sandbox_path, &error)) == NULL)
    {
      reply_error (msg, error);
      return;
    }

  {
    g_autoptr(JsonNode) answer = wrap_entry (entry);

    _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
  }
}

/* ListDir ---------------------------------------------------------------------------------- */

typedef struct
{
  CcEngineSandbox *sandbox;
  char            *user;
  char            *host;
  char            *sandbox_path;
  guint            depth;
} ListDirData;

static void
list_dir_data_free (gpointer data)
{
  ListDirData *self = data;

  g_clear_object (&self->sandbox);
  g_free (self->user);
  g_free (self->host);
  g_free (self->sandbox_path);
  g_free (self);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Walks like Go's filepath.WalkDir: lexical order, a directory before its content, links listed
 * but never descended into. Every level is read and examined through the descriptor of the one
 * above (@dir_fd, owned), never through a path string. */
static gboolean
list_level (ListDirData  *self,
            int           dir_fd,
            const char   *sandbox_dir,
            guint         level,
            JsonArray    *entries,
            GError      **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int list_fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  struct dirent *d;
  gboolean ok = TRUE;

  if (dir == NULL)
    {
      if (list_fd >= 0)
        close (list_fd);
      close (dir_fd);
      return TRUE;            /* removed meanwhile, or unreadable: nothing to list */
    }
  while ((d = readdir (dir)) != NULL)
    if (!g_str_equal (d->d_name, ".") && !g_str_equal (d->d_name, ".."))
      g_ptr_array_add (names, g_strdup (d->d_name));
  closedir (dir);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; ok && i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *child_sandbox = _cc_engine_entry_join (sandbox_dir, name);
      JsonNode *entry;
      int child;

      entry = _cc_engine_entry_build_at (self->sandbox, self->user, dir_fd, name, child_sandbox, NULL);
      if (entry == NULL)
        continue;
      if (json_array_get_length (entries) >= MAX_LIST_ENTRIES)
        {
          json_node_unref (entry);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       "more than %d entries under %s; list with a smaller depth",
                       MAX_LIST_ENTRIES, self->sandbox_path);
          ok = FALSE;
          break;
        }
      json_array_add_element (entries, entry);

      /* O_NOFOLLOW | O_DIRECTORY: only a real directory is descended into. */
      if (level < self->depth &&
          (child = openat (dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
        ok = list_level (self, child, child_sandbox, level + 1, entries, error);
    }
  close (dir_fd);
  return ok;
}

static JsonNode *
list_dir_work (gpointer      data,
               GCancellable *cancellable,
               GError      **error)
{
  ListDirData *self = data;
  g_autoptr(JsonArray) entries = json_array_new ();
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;
  struct stat st;
  int dir_fd = open_followed (self->sandbox, self->user, self->host, self->sandbox_path, &st);

  if (dir_fd < 0)
    {
      if (errno == ELOOP)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                     "cannot follow the symlink %s: it is broken, loops or leads out of the sandbox",
                     self->sandbox_path);
      else
        _cc_engine_set_errno_error (error, errno, "reading directory", self->sandbox_path);
      return NULL;
    }
  if (!S_ISDIR (st.st_mode))
    {
      close (dir_fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "path is not a directory: %s", self->sandbox_path);
      return NULL;
    }

  if (!list_level (self, dir_fd, self->sandbox_path, 1, entries, error))
    return NULL;

  json_object_set_array_member (object, "entries", g_steal_pointer (&entries));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

static void
handle_list_dir (CcEngineSandbox   *sandbox,
                 SoupServerMessage *msg,
                 JsonObject        *request,
                 const char        *user)
{
  static const char * const fields[] = { "path", "depth", NULL };
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  ListDirData *data;
  gint64 depth;

  if ((host = request_host_path (sandbox, msg, request, user, fields, FALSE, &sandbox_path)) == NULL)
    return;
  depth = cc_protojson_get_int64 (request, "depth", 1);
  if (depth < 0 || depth > G_MAXUINT32)
    {
      _cc_engine_reply_connect_error (msg, "invalid_argument", "invalid depth");
      return;
    }

  data = g_new0 (ListDirData, 1);
  data->sandbox = g_object_ref (sandbox);
  data->user = g_strdup (user);
  data->host = g_steal_pointer (&host);
  data->sandbox_path = g_steal_pointer (&sandbox_path);
  data->depth = MAX (depth, 1);          /* depth 0 means the default, one level */
  _cc_engine_worker_run (msg, list_dir_work, reply_result, data, list_dir_data_free);
}

/* MakeDir ---------------------------------------------------------------------------------- */

static void
handle_make_dir (CcEngineSandbox   *sandbox,
                 SoupServerMessage *msg,
                 JsonObject        *request,
                 const char        *user)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonNode *entry;
  struct stat st;
  int existing;

  if ((host = request_host_path (sandbox, msg, request, user, path_fields, FALSE, &sandbox_path)) == NULL)
    return;

  /* A symlink there counts as what it points at in the sandbox's view. */
  existing = open_followed (sandbox, user, host, sandbox_path, &st);
  if (existing >= 0)
    {
      g_autofree char *message = NULL;

      close (existing);
      if (S_ISDIR (st.st_mode))
        {
          message = g_strdup_printf ("directory already exists: %s", sandbox_path);
          _cc_engine_reply_connect_error (msg, "already_exists", message);
        }
      else
        {
          message = g_strdup_printf ("path already exists but is not a directory: %s", sandbox_path);
          _cc_engine_reply_connect_error (msg, "invalid_argument", message);
        }
      return;
    }

  /* Made one component at a time from a descriptor of the sandbox's directory, symlinks
   * refused: a directory swapped for a link cannot send it out of the sandbox. */
  {
    g_autoptr(GError) dir_error = NULL;
    int dir = cc_engine_path_open_dirs (sandbox, host, &dir_error);

    if (dir < 0)
      {
        g_set_error (&error, dir_error->domain, dir_error->code, "error creating directory %s: %s",
                     sandbox_path, dir_error->message);
        reply_error (msg, error);
        return;
      }
    close (dir);
  }

  entry = _cc_engine_entry_build (sandbox, user, host, sandbox_path, &error);
  if (entry == NULL)
    {
      reply_error (msg, error);
      return;
    }
  answer = wrap_entry (entry);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

/* Move ------------------------------------------------------------------------------------- */

/* Copies the regular file or symlink @from_name of @from_dir over @to_name of @to_dir, then
 * removes the original: a rename between file systems (a mounted workspace's home and /tmp).
 * A directory is refused, as GIO's move refuses one. */
static gboolean
copy_across (int          from_dir,
             const char  *from_name,
             int          to_dir,
             const char  *to_name,
             const char  *sandbox_to,
             GError     **error)
{
  struct stat st;
  int src = -1, dst = -1, rc = 0;

  if (fstatat (from_dir, from_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return _cc_engine_set_errno_error (error, errno, "moving to", sandbox_to);
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_RECURSE,
                   "error moving to %s: a directory cannot be moved to another file system",
                   sandbox_to);
      return FALSE;
    }
  if (S_ISLNK (st.st_mode))
    {
      char buffer[PATH_MAX];
      ssize_t len = readlinkat (from_dir, from_name, buffer, sizeof buffer - 1);

      if (len < 0)
        return _cc_engine_set_errno_error (error, errno, "moving to", sandbox_to);
      buffer[len] = '\0';
      if ((unlinkat (to_dir, to_name, 0) != 0 && errno != ENOENT) ||
          symlinkat (buffer, to_dir, to_name) != 0)
        return _cc_engine_set_errno_error (error, errno, "moving to", sandbox_to);
    }
  else
    {
      /* O_NONBLOCK: a FIFO swapped in after the stat must not block the open. */
      src = openat (from_dir, from_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (src < 0 || fstat (src, &st) != 0 || !S_ISREG (st.st_mode))
        rc = src < 0 ? errno : EINVAL;
      else if ((dst = openat (to_dir, to_name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                              st.st_mode & 07777)) < 0)
        rc = errno;
      else
        {
          g_autoptr(GInputStream) in = g_unix_input_stream_new (src, FALSE);
          g_autoptr(GOutputStream) out = g_unix_output_stream_new (dst, FALSE);

          if (g_output_stream_splice (out, in, 0, NULL, error) < 0)
            rc = -1;
          else if (fchmod (dst, st.st_mode & 07777) != 0)
            rc = errno;
        }
      if (src >= 0)
        close (src);
      if (dst >= 0)
        close (dst);
      if (rc == -1)
        {
          g_prefix_error (error, "error moving to %s: ", sandbox_to);
          return FALSE;
        }
      if (rc != 0)
        return _cc_engine_set_errno_error (error, rc, "moving to", sandbox_to);
    }
  if (unlinkat (from_dir, from_name, 0) != 0 && errno != ENOENT)
    return _cc_engine_set_errno_error (error, errno, "moving to", sandbox_to);
  return TRUE;
}

static void
handle_move (CcEngineSandbox   *sandbox,
             SoupServerMessage *msg,
             JsonObject        *request,
             const char        *user)
{
  static const char * const fields[] = { "source", "destination", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *sandbox_from = NULL;
  g_autofree char *sandbox_to = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *to_name = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *source, *destination;
  JsonNode *entry = NULL;
  struct stat st;
  int from_dir, to_dir;
  gboolean moved;

  if (!_cc_engine_request_check_fields (request, fields, &error) ||
      !_cc_engine_request_get_string (request, "source", NULL, &source, &error) ||
      !_cc_engine_request_get_string (request, "destination", NULL, &destination, &error) ||
      (from = resolve_link_itself (sandbox, user, source, &sandbox_from, &error)) == NULL ||
      (to = cc_engine_sandbox_resolve_path (sandbox, user, destination, &sandbox_to, &error)) == NULL)
    {
      reply_error (msg, error);
      return;
    }

  /* Both ends are held as descriptors of their directories from here on: the rename happens
   * where the checks happened, whatever a sandbox process swaps meanwhile. */
  from_dir = cc_engine_path_open_parent (sandbox, from, &from_name);
  if (from_dir >= 0 && fstatat (from_dir, from_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
      int saved = errno;

      close (from_dir);
      from_dir = -1;
      errno = saved;
    }
  if (from_dir < 0 && errno != EXDEV)
    {
      _cc_engine_set_errno_error (&error, errno, "moving", sandbox_from);
      reply_error (msg, error);
      return;
    }
  if (from_dir < 0 || is_view_root (sandbox_from) || is_view_root (sandbox_to))
    {
      if (from_dir >= 0)
        close (from_dir);
      _cc_engine_reply_connect_error (msg, "permission_denied",
                                      "the home and /tmp directories cannot be moved or replaced");
      return;
    }

  parent = g_path_get_dirname (to);
  to_name = g_path_get_basename (to);
  {
    g_autoptr(GError) dir_error = NULL;

    to_dir = cc_engine_path_open_dirs (sandbox, parent, &dir_error);
    if (to_dir < 0)
      {
        close (from_dir);
        g_set_error (&error, dir_error->domain, dir_error->code, "error creating the parent of %s: %s",
                     sandbox_to, dir_error->message);
        reply_error (msg, error);
        return;
      }
  }
  if (renameat (from_dir, from_name, to_dir, to_name) == 0)
    moved = TRUE;
  else if (errno != EXDEV)
    moved = _cc_engine_set_errno_error (&error, errno, "moving to", sandbox_to);
  else  /* Home and /tmp may be different file systems on this machine: copy and delete. */
    moved = copy_across (from_dir, from_name, to_dir, to_name, sandbox_to, &error);
  if (moved)
    entry = _cc_engine_entry_build_at (sandbox, user, to_dir, to_name, sandbox_to, &error);
  close (from_dir);
  close (to_dir);
  if (entry == NULL)
    {
      reply_error (msg, error);
      return;
    }
  answer = wrap_entry (entry);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

/* Remove ----------------------------------------------------------------------------------- */

typedef struct
{
  CcEngineSandbox *sandbox;
  char            *host;
  char            *sandbox_path;
} RemoveData;

static void
remove_data_free (gpointer data)
{
  RemoveData *self = data;

  g_clear_object (&self->sandbox);
  g_free (self->host);
  g_free (self->sandbox_path);
  g_free (self);
}

static JsonNode *
remove_work (gpointer      data,
             GCancellable *cancellable,
             GError      **error)
{
  RemoveData *self = data;
  g_autofree char *name = NULL;
  int dir, rc;

  /* The entry is removed through a descriptor of its directory, and a tree below it through
   * descriptors only: a directory swapped for a symlink is unlinked as the link it now is. */
  dir = cc_engine_path_open_parent (self->sandbox, self->host, &name);
  if (dir < 0)
    {
      if (errno == ENOENT)
        return empty_object ();           /* RemoveAll: nothing there is success */
      _cc_engine_set_errno_error (error, errno, "removing", self->sandbox_path);
      return NULL;
    }
  rc = cc_engine_path_remove_at (dir, name);
  close (dir);
  if (rc != 0)
    {
      _cc_engine_set_errno_error (error, rc, "removing", self->sandbox_path);
      return NULL;
    }
  return empty_object ();
}

static void
handle_remove (CcEngineSandbox   *sandbox,
               SoupServerMessage *msg,
               JsonObject        *request,
               const char        *user)
{
  g_autofree char *host = NULL;
  g_autofree char *sandbox_path = NULL;
  RemoveData *data;

  if ((host = request_host_path (sandbox, msg, request, user, path_fields, TRUE, &sandbox_path)) == NULL)
    return;
  if (is_view_root (sandbox_path))
    {
      _cc_engine_reply_connect_error (msg, "permission_denied",
                                      "the home and /tmp directories cannot be removed");
      return;
    }

  data = g_new0 (RemoveData, 1);
  data->sandbox = g_object_ref (sandbox);
  data->host = g_steal_pointer (&host);
  data->sandbox_path = g_steal_pointer (&sandbox_path);
  _cc_engine_worker_run (msg, remove_work, reply_result, data, remove_data_free);
}

/* Watching: shared by WatchDir and the watcher calls ---------------------------------------- */

typedef struct
{
  CcEngineSandbox *sandbox;         /* borrowed: the watch lives no longer than its owner */
  char            *user;
  char            *sandbox_path;
  char            *host_dir;
  int              dir_fd;          /* O_PATH, of host_dir; -1 when not open */
  gboolean         recursive;
  gboolean         include_entry;
} WatchSpec;

static void
watch_spec_clear (WatchSpec *spec)
{
  g_clear_pointer (&spec->user, g_free);
  g_clear_pointer (&spec->sandbox_path, g_free);
  g_clear_pointer (&spec->host_dir, g_free);
  if (spec->dir_fd >= 0)
    close (spec->dir_fd);
  spec->dir_fd = -1;
}

/* Parses a WatchDirRequest / CreateWatcherRequest and checks its directory. */
static gboolean
watch_spec_init (WatchSpec        *spec,
                 CcEngineSandbox  *sandbox,
                 const char       *user,
                 JsonObject       *request,
                 GError          **error)
{
  static const char * const fields[] = { "path", "recursive", "includeEntry", "include_entry",
                                         "allowNetworkMounts", "allow_network_mounts", NULL };
  g_autofree char *host = NULL;
  gboolean allow_network_mounts;
  const char *path;
  struct stat st;

  spec->sandbox = sandbox;
  spec->user = g_strdup (user);
  spec->dir_fd = -1;
  if (!_cc_engine_request_check_fields (request, fields, error) ||
      !_cc_engine_request_get_string (request, "path", NULL, &path, error) ||
      !_cc_engine_request_get_bool (request, "recursive", NULL, &spec->recursive, error) ||
      !_cc_engine_request_get_bool (request, "includeEntry", "include_entry", &spec->include_entry, error) ||
      !_cc_engine_request_get_bool (request, "allowNetworkMounts", "allow_network_mounts",
                                    &allow_network_mounts, error))
    return FALSE;

  host = cc_engine_sandbox_resolve_path (sandbox, user, path, &spec->sandbox_path, error);
  if (host == NULL)
    return FALSE;
  if (is_link (sandbox, host))
    {
      g_autofree char *target = NULL;

      if (!_cc_engine_entry_follow (sandbox, user, host, spec->sandbox_path, &target, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "file not found: %s is a broken symlink", spec->sandbox_path);
          return FALSE;
        }
      g_free (host);
      host = g_steal_pointer (&target);
    }
  /* The watch is placed through this descriptor, so it is on the directory checked here even
   * if a sandbox process swaps a symlink in meanwhile. */
  spec->dir_fd = cc_engine_path_open_errno (sandbox, host, O_PATH | O_NOFOLLOW);
  if (spec->dir_fd < 0 || fstat (spec->dir_fd, &st) != 0)
    {
      _cc_engine_set_errno_error (error, errno, "watching", spec->sandbox_path);
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   "path %s is not a directory", spec->sandbox_path);
      return FALSE;
    }
  spec->host_dir = g_steal_pointer (&host);
  return TRUE;
}

/* A FilesystemEvent: {"name":…,"type":…,"entry":{…}}; the entry only for create, write and chmod
 * when it was asked for (includeEntry). */
static JsonNode *
build_event (WatchSpec  *spec,
             const char *name,
             const char *event_type,
             const char *host_path)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *valid_name = g_utf8_make_valid (name, -1);

  /* Invalid bytes of a file name become U+FFFD, as in listings. */
  json_object_set_string_member (object, "name", valid_name);
  json_object_set_string_member (object, "type", event_type);
  if (spec->include_entry &&
      (g_str_equal (event_type, CC_ENGINE_EVENT_CREATE) ||
       g_str_equal (event_type, CC_ENGINE_EVENT_WRITE) ||
       g_str_equal (event_type, CC_ENGINE_EVENT_CHMOD)))
    {
      g_autofree char *sandbox_path = _cc_engine_entry_join (spec->sandbox_path, name);
      JsonNode *entry = _cc_engine_entry_build (spec->sandbox, spec->user, host_path,
                                                sandbox_path, NULL);

      if (entry != NULL)
        json_object_set_member (object, "entry", entry);
    }
  json_node_set_object (node, object);
  return node;
}

/* WatchDir --------------------------------------------------------------------------------- */

typedef struct
{
  WatchSpec       spec;
  CcEngineSandbox *sandbox_ref;
  CcEngineStream  *stream;
  CcEngineWatch   *watch;
} WatchDir;

static void
watch_dir_free (WatchDir *self)
{
  g_clear_pointer (&self->watch, _cc_engine_watch_free);
  g_clear_pointer (&self->stream, _cc_engine_stream_unref);
  watch_spec_clear (&self->spec);
  g_clear_object (&self->sandbox_ref);
  g_free (self);
}

static void
watch_dir_closed_cb (CcEngineStream *stream,
                     gpointer        user_data)
{
  watch_dir_free (user_data);
}

static void
watch_dir_event_cb (CcEngineWatch *watch,
                    const char    *name,
                    const char    *event_type,
                    const char    *host_path,
                    gpointer       user_data)
{
  WatchDir *self = user_data;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) message = json_node_new (JSON_NODE_OBJECT);

  if (self->stream == NULL || _cc_engine_stream_is_finished (self->stream))
    return;
  if (event_type == NULL)
    {
      g_autofree char *text = g_strdup_printf ("the watched directory %s was removed",
                                               self->spec.sandbox_path);

      _cc_engine_stream_finish (self->stream, "not_found", text);
      return;
    }
  /* Dropping events silently would leave the client with a wrong picture of the tree: a client
   * that cannot keep up is told so and can start over. The watch goes with the stream, not
   * here: this runs inside one of its monitors' signals. */
  if (_cc_engine_stream_is_congested (self->stream))
    {
      _cc_engine_stream_finish (self->stream, "resource_exhausted",
                                "the client reads watch events too slowly");
      return;
    }

  json_object_set_member (object, "filesystem",
                          build_event (&self->spec, name, event_type, host_path));
  json_node_set_object (message, object);
  _cc_engine_stream_send_json (self->stream, message);
}

static void
handle_watch_dir (CcEngineSandbox   *sandbox,
                  SoupServerMessage *msg,
                  const char        *user)
{
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(GError) error = NULL;
  WatchDir *self;

  if (!_cc_engine_content_type_is (msg, "application/connect+json"))
    {
      _cc_engine_reply_connect_error (msg, "invalid_argument",
                                      "WatchDir is a streaming call: use application/connect+json");
      return;
    }

  self = g_new0 (WatchDir, 1);
  self->spec.dir_fd = -1;
  self->sandbox_ref = g_object_ref (sandbox);
  request = _cc_engine_parse_stream_request (msg, &error);
  if (request == NULL || !watch_spec_init (&self->spec, sandbox, user, request, &error))
    {
      watch_dir_free (self);
      _cc_engine_reply_stream_error (msg, _cc_engine_connect_code_for_error (error), error->message);
      return;
    }

  self->watch = _cc_engine_watch_new (sandbox, self->spec.dir_fd, self->spec.host_dir,
                                      self->spec.recursive,
                                      watch_dir_event_cb, self, &error);
  /* The watch holds its own descriptor; one left open here would hide the root's removal. */
  close (g_steal_fd (&self->spec.dir_fd));
  if (self->watch == NULL)
    {
      watch_dir_free (self);
      _cc_engine_reply_stream_error (msg, "internal", error->message);
      return;
    }

  self->stream = _cc_engine_stream_new (msg, "{\"keepalive\":{}}", watch_dir_closed_cb, self);
  _cc_engine_stream_set_deadline (self->stream, _cc_engine_request_timeout_ms (msg));
  _cc_engine_stream_send_payload (self->stream, "{\"start\":{}}", strlen ("{\"start\":{}}"));
}

/* CreateWatcher / GetWatcherEvents / RemoveWatcher ------------------------------------------ */

typedef struct
{
  WatchSpec      spec;
  CcEngineWatch *watch;
  GPtrArray     *events;          /* FilesystemEvent JsonNodes since the last poll */
} Watcher;

static void
watcher_free (gpointer data)
{
  Watcher *self = data;

  g_clear_pointer (&self->watch, _cc_engine_watch_free);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  watch_spec_clear (&self->spec);
  g_free (self);
}

static void
watcher_event_cb (CcEngineWatch *watch,
                  const char    *name,
                  const char    *event_type,
                  const char    *host_path,
                  gpointer       user_data)
{
  Watcher *self = user_data;

  if (event_type == NULL)
    return;               /* the directory is gone: its removal was reported by its parent */
  if (self->events->len >= MAX_WATCHER_EVENTS)
    g_ptr_array_remove_index (self->events, 0);
  g_ptr_array_add (self->events, build_event (&self->spec, name, event_type, host_path));
}

/* The watchers live on their sandbox, so they go away with it. */
static GHashTable *
sandbox_watchers (CcEngineSandbox *sandbox)
{
  GHashTable *watchers = g_object_get_data (G_OBJECT (sandbox), WATCHERS_KEY);

  if (watchers == NULL)
    {
      watchers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, watcher_free);
      g_object_set_data_full (G_OBJECT (sandbox), WATCHERS_KEY, watchers,
                              (GDestroyNotify) g_hash_table_unref);
    }
  return watchers;
}

static void
handle_create_watcher (CcEngineSandbox   *sandbox,
                       SoupServerMessage *msg,
                       JsonObject        *request,
                       const char        *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) answer = NULL;
  Watcher *self;
  char *id;

  if (g_hash_table_size (sandbox_watchers (sandbox)) >= MAX_WATCHERS)
    {
      _cc_engine_reply_connect_error (msg, "resource_exhausted",
                                      "too many watchers: remove some with RemoveWatcher first");
      return;
    }

  self = g_new0 (Watcher, 1);
  self->spec.dir_fd = -1;
  if (!watch_spec_init (&self->spec, sandbox, user, request, &error))
    {
      watcher_free (self);
      reply_error (msg, error);
      return;
    }
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->watch = _cc_engine_watch_new (sandbox, self->spec.dir_fd, self->spec.host_dir,
                                      self->spec.recursive,
                                      watcher_event_cb, self, &error);
  /* The watch holds its own descriptor; one left open here would hide the root's removal. */
  close (g_steal_fd (&self->spec.dir_fd));
  if (self->watch == NULL)
    {
      watcher_free (self);
      reply_error (msg, error);
      return;
    }

  id = g_uuid_string_random ();
  g_hash_table_insert (sandbox_watchers (sandbox), id, self);

  object = json_object_new ();
  json_object_set_string_member (object, "watcherId", id);
  answer = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (answer, object);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static Watcher *
lookup_watcher (CcEngineSandbox   *sandbox,
                SoupServerMessage *msg,
                JsonObject        *request,
                const char       **id_out)
{
  static const char * const fields[] = { "watcherId", "watcher_id", NULL };
  g_autoptr(GError) error = NULL;
  const char *id;
  Watcher *watcher;

  if (!_cc_engine_request_check_fields (request, fields, &error) ||
      !_cc_engine_request_get_string (request, "watcherId", "watcher_id", &id, &error))
    {
      reply_error (msg, error);
      return NULL;
    }
  watcher = id ? g_hash_table_lookup (sandbox_watchers (sandbox), id) : NULL;
  if (watcher == NULL)
    {
      g_autofree char *message = g_strdup_printf ("watcher with id %s not found", id ? id : "");

      _cc_engine_reply_connect_error (msg, "not_found", message);
      return NULL;
    }
  *id_out = id;
  return watcher;
}

static void
handle_get_watcher_events (CcEngineSandbox   *sandbox,
                           SoupServerMessage *msg,
                           JsonObject        *request)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) answer = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GPtrArray) events = NULL;
  const char *id;
  Watcher *watcher;

  if ((watcher = lookup_watcher (sandbox, msg, request, &id)) == NULL)
    return;

  events = g_steal_pointer (&watcher->events);
  watcher->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  if (events->len > 0)
    {
      JsonArray *array = json_array_sized_new (events->len);

      for (guint i = 0; i < events->len; i++)
        json_array_add_element (array, json_node_ref (events->pdata[i]));
      json_object_set_array_member (object, "events", array);
    }
  json_node_set_object (answer, object);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static void
handle_remove_watcher (CcEngineSandbox   *sandbox,
                       SoupServerMessage *msg,
                       JsonObject        *request)
{
  g_autoptr(JsonNode) answer = NULL;
  const char *id;

  if (lookup_watcher (sandbox, msg, request, &id) == NULL)
    return;
  g_hash_table_remove (sandbox_watchers (sandbox), id);
  answer = empty_object ();
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

/* Dispatch --------------------------------------------------------------------------------- */

void
_cc_engine_filesystem_handle (CcEngine          *engine,
                              CcEngineSandbox   *sandbox,
                              SoupServerMessage *msg,
                              const char        *method,
                              const char        *user)
{
  g_autoptr(JsonObject) request = NULL;

  if (g_strcmp0 (method, "WatchDir") == 0)
    {
      handle_watch_dir (sandbox, msg, user);
      return;
    }

  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      _cc_engine_reply_connect_error (msg, "unimplemented", "Connect calls use POST");
      return;
    }
  request = _cc_engine_parse_unary_request (msg);
  if (request == NULL)
    return;

  if (g_strcmp0 (method, "Stat") == 0)
    handle_stat (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "ListDir") == 0)
    handle_list_dir (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "MakeDir") == 0)
    handle_make_dir (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "Move") == 0)
    handle_move (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "Remove") == 0)
    handle_remove (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "CreateWatcher") == 0)
    handle_create_watcher (sandbox, msg, request, user);
  else if (g_strcmp0 (method, "GetWatcherEvents") == 0)
    handle_get_watcher_events (sandbox, msg, request);
  else if (g_strcmp0 (method, "RemoveWatcher") == 0)
    handle_remove_watcher (sandbox, msg, request);
  else
    {
      g_autofree char *message = g_strdup_printf ("method filesystem.Filesystem/%s is not implemented",
                                                  method ? method : "");

      _cc_engine_reply_connect_error (msg, "unimplemented", message);
    }
}
