/* cc-engine-snapshot.c: filesystem snapshots of a sandbox, and forks
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A snapshot is a copy of a sandbox's home directory in the engine's own directory
 * (<data>/snapshots/<id>/home, with info.json beside it). Memory and processes are not kept, as
 * on E2B for a snapshot without memory, and neither is /tmp. A snapshot's id or name used as a
 * template creates a sandbox from it; a fork is a new sandbox made from a copy at once.
 *
 * The sandbox may be running while it is copied, and its processes may swap a directory for a
 * symlink at any moment. So the copy walks descriptors, each opened with symlinks refused; a
 * symlink is copied as a symlink, never followed; FIFOs, sockets and devices are left out. Files
 * are cloned (FICLONE) where the file system shares blocks, copied elsewhere after a free-space
 * check. The copying runs in a worker thread.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cc-engine-path.h"
#include "cc-engine-rpc.h"
#include "cc-engine-snapshot.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

#define MAX_DEPTH     256
#define MAX_FORKS     10
#define DEFAULT_LIMIT 100
#define MAX_LIMIT     1000
/* Left free on the engine's file system by a copy that cannot share blocks. */
#define FREE_RESERVE  (64 * 1024 * 1024)

/* Copying ---------------------------------------------------------------------------------- */

typedef struct
{
  guint64       free_bytes;   /* what a plain copy may still use */
  GCancellable *cancellable;
} Copy;

static gboolean
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Copying %s: %s", what,
               g_strerror (saved));
  return FALSE;
}

/* Gives the copy the original's owner when the engine may (it is root); an ordinary engine owns
 * both already. */
static void
keep_owner (int                fd,
            const struct stat *st)
{
  if (geteuid () == 0 && fchown (fd, st->st_uid, st->st_gid) != 0)
    g_debug ("Could not keep a copied file's owner: %s", g_strerror (errno));
}

static gboolean
copy_bytes (Copy              *copy,
            int                src,
            int                dst,
            const struct stat *st,
            const char        *name,
            GError           **error)
{
  char buffer[128 * 1024];
  goffset done = 0;

  if (ioctl (dst, FICLONE, src) == 0)
    return TRUE;
  if ((guint64) st->st_size + FREE_RESERVE > copy->free_bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "Not enough free space for the copy of %s: free some space on the engine's disk", name);
      return FALSE;
    }
  copy->free_bytes -= st->st_size;
  for (;;)
    {
      ssize_t n = copy_file_range (src, NULL, dst, NULL, 1 << 30, 0);

      if (n == 0)
        return TRUE;
      if (n < 0)
        break;
      done += n;
    }
  /* copy_file_range is refused across some file systems: read and write from where it stopped. */
  if (lseek (src, done, SEEK_SET) < 0 || lseek (dst, done, SEEK_SET) < 0)
    return set_errno_error (error, errno, name);
  for (;;)
    {
      ssize_t n = read (src, buffer, sizeof buffer);

      if (n == 0)
        return TRUE;
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, name);
        }
      for (ssize_t off = 0; off < n;)
        {
          ssize_t w = write (dst, buffer + off, n - off);

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return set_errno_error (error, errno, name);
          off += w;
        }
    }
}

static gboolean copy_dir (Copy    *copy,
                          int      src_fd,
                          int      dst_fd,
                          guint    depth,
                          GError **error);

/* Copies the entry @name of @src_fd into @dst_fd. An entry that vanished or was swapped for
 * another kind of file since the directory was read is left out, as a copy a moment later
 * would have it. */
static gboolean
copy_entry (Copy        *copy,
            int          src_fd,
            int          dst_fd,
            const char  *name,
            guint        depth,
            GError     **error)
{
  struct stat st;
  int src, dst;
  gboolean ok;

  if (fstatat (src_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return TRUE;

  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t len = readlinkat (src_fd, name, target, sizeof target - 1);

      if (len < 0)
        return TRUE;
      target[len] = '\0';
      if (symlinkat (target, dst_fd, name) != 0)
        return set_errno_error (error, errno, name);
      if (geteuid () == 0)
        (void) !fchownat (dst_fd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      return TRUE;
    }

  if (S_ISDIR (st.st_mode))
    {
      if (depth >= MAX_DEPTH)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                       "Copying %s: directories are nested more than %u deep", name, MAX_DEPTH);
          return FALSE;
        }
      src = openat (src_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (src < 0)
        return TRUE;
      if (mkdirat (dst_fd, name, 0700) != 0 ||
          (dst = openat (dst_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        {
          int saved = errno;

          close (src);
          return set_errno_error (error, saved, name);
        }
      ok = copy_dir (copy, src, dst, depth + 1, error);
      if (fstat (src, &st) == 0)
        {
          fchmod (dst, st.st_mode & 07777);
          keep_owner (dst, &st);
        }
      close (src);
      close (dst);
      return ok;
    }

  if (!S_ISREG (st.st_mode))
    return TRUE;
  /* O_NONBLOCK: a FIFO swapped in after the stat must not block the open. */
  src = openat (src_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (src < 0)
    return TRUE;
  if (fstat (src, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (src);
      return TRUE;
    }
  dst = openat (dst_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dst < 0)
    {
      int saved = errno;

      close (src);
      return set_errno_error (error, saved, name);
    }
  ok = copy_bytes (copy, src, dst, &st, name, error);
  if (ok)
    {
      fchmod (dst, st.st_mode & 07777);
      keep_owner (dst, &st);
    }
  close (src);
  close (dst);
  return ok;
}

static gboolean
copy_dir (Copy    *copy,
          int      src_fd,
          int      dst_fd,
          guint    depth,
          GError **error)
{
  int list_fd = openat (src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  struct dirent *entry;
  gboolean ok = TRUE;

  if (dir == NULL)
    {
      int saved = errno;

      if (list_fd >= 0)
        close (list_fd);
      return set_errno_error (error, saved, "a directory");
    }
  while (ok && (entry = readdir (dir)) != NULL)
    {
      if (g_str_equal (entry->d_name, ".") || g_str_equal (entry->d_name, ".."))
        continue;
      if (g_cancellable_set_error_if_cancelled (copy->cancellable, error))
        ok = FALSE;
      else
        ok = copy_entry (copy, src_fd, dst_fd, entry->d_name, depth, error);
    }
  closedir (dir);
  return ok;
}

/* Copies the tree at @from (a sandbox's home: opened with symlinks refused) into the existing,
 * empty directory @to. On failure the caller removes what was copied, as only it knows whether
 * @to may be removed. */
static gboolean
copy_tree (const char    *from,
           const char    *to,
           GCancellable  *cancellable,
           GError       **error)
{
  Copy copy = { 0, cancellable };
  struct statvfs vfs;
  int src = open (from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int dst;
  gboolean ok;

  if (src < 0)
    return set_errno_error (error, errno, "the sandbox's home");
  dst = open (to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dst < 0)
    {
      int saved = errno;

      close (src);
      return set_errno_error (error, saved, "into the new directory");
    }
  if (fstatvfs (dst, &vfs) == 0)
    copy.free_bytes = (guint64) vfs.f_bavail * vfs.f_frsize;
  ok = copy_dir (&copy, src, dst, 0, error);
  close (src);
  close (dst);
  return ok;
}

/* The store ------------------------------------------------------------------------------- */

static JsonArray *
get_array (JsonObject *object,
           const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static char *
snapshots_dir (CcEngine *engine)
{
  return g_build_filename (cc_engine_get_data_dir (engine), "snapshots", NULL);
}

/* A snapshot id: lowercase letters and digits only, so it is a safe file name. */
static gboolean
is_snapshot_id (const char *id)
{
  if (id == NULL || strlen (id) != 33 || id[0] != 's')
    return FALSE;
  for (const char *c = id + 1; *c; c++)
    if (!g_ascii_isdigit (*c) && !(*c >= 'a' && *c <= 'f'))
      return FALSE;
  return TRUE;
}

static char *
new_snapshot_id (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *id = g_string_new ("s");

  for (const char *c = uuid; *c; c++)
    if (*c != '-')
      g_string_append_c (id, *c);
  return g_string_free (id, FALSE);
}

/* Every complete snapshot's info.json, newest first. */
static GPtrArray *
load_snapshots (CcEngine *engine)
{
  g_autofree char *dir_path = snapshots_dir (engine);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      gsize length;
      JsonObject *info;

      if (!is_snapshot_id (name))
        continue;
      path = g_build_filename (dir_path, name, "info.json", NULL);
      if (!g_file_get_contents (path, &text, &length, NULL))
        continue;  /* still being made, or a copy that failed */
      info = cc_protojson_parse_object (text, length, NULL);
      if (info != NULL && g_strcmp0 (cc_protojson_get_string (info, "snapshotID"), name) == 0)
        g_ptr_array_add (found, info);
      else if (info != NULL)
        json_object_unref (info);
    }
  return found;
}

static gint
newer_first (gconstpointer a,
             gconstpointer b)
{
  JsonObject *ia = *(JsonObject **) a;
  JsonObject *ib = *(JsonObject **) b;

  return -g_strcmp0 (cc_protojson_get_string (ia, "createdAt"), cc_protojson_get_string (ib, "createdAt"));
}

static gboolean
has_name (JsonObject *info,
          const char *name)
{
  JsonArray *names = get_array (info, "names");

  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    if (g_strcmp0 (json_array_get_string_element (names, i), name) == 0)
      return TRUE;
  return FALSE;
}

/* The snapshot whose id or name is @ref, or NULL. */
static JsonObject *
find_snapshot (CcEngine   *engine,
               const char *ref)
{
  g_autoptr(GPtrArray) all = NULL;

  if (ref == NULL || *ref == '\0')
    return NULL;
  all = load_snapshots (engine);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *info = all->pdata[i];

      if (g_strcmp0 (cc_protojson_get_string (info, "snapshotID"), ref) == 0 || has_name (info, ref))
        return json_object_ref (info);
    }
  return NULL;
}

static void
add_snapshot_json (JsonBuilder *builder,
                   JsonObject  *info)
{
  JsonArray *names = get_array (info, "names");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snapshotID");
  json_builder_add_string_value (builder, cc_protojson_get_string (info, "snapshotID"));
  json_builder_set_member_name (builder, "names");
  json_builder_begin_array (builder);
  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    json_builder_add_string_value (builder, json_array_get_string_element (names, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* Create ----------------------------------------------------------------------------------- */

typedef struct
{
  char       *from;      /* the sandbox's home */
  char       *dir;       /* the snapshot's directory */
  JsonObject *info;
} SnapshotWork;

static void
snapshot_work_free (gpointer data)
{
  SnapshotWork *work = data;

  g_free (work->from);
  g_free (work->dir);
  g_clear_pointer (&work->info, json_object_unref);
  g_free (work);
}

static JsonNode *
snapshot_thread (gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  SnapshotWork *work = data;
  g_autofree char *home = g_build_filename (work->dir, "home", NULL);
  g_autofree char *info_path = g_build_filename (work->dir, "info.json", NULL);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), work->info);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (g_mkdir_with_parents (home, 0700) != 0)
    {
      set_errno_error (error, errno, "the snapshot");
      return NULL;
    }
  /* info.json last: a snapshot without it is incomplete and never listed or used. */
  if (!copy_tree (work->from, home, cancellable, error) ||
      !g_file_set_contents (info_path, text, -1, error))
    {
      cc_engine_path_remove_tree (work->dir);
      return NULL;
    }
  add_snapshot_json (builder, work->info);
  return json_builder_get_root (builder);
}

static void
reply_created (SoupServerMessage *msg,
               JsonNode          *result,
               const GError      *error)
{
  if (result == NULL)
    _cc_engine_reply_api_error (msg, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ? 507 : 500,
                                error->message);
  else
    _cc_engine_reply_json (msg, SOUP_STATUS_CREATED, result);
}

void
_cc_engine_snapshot_create (CcEngine          *engine,
                            SoupServerMessage *msg,
                            CcEngineSandbox   *sandbox)
{
  static const char * const allowed[] = { "name", NULL };
  g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
  g_autoptr(JsonObject) taken = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = new_snapshot_id ();
  g_autofree char *dir = snapshots_dir (engine);
  g_autofree char *created = cc_protojson_format_timestamp (g_get_real_time ());
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  SnapshotWork *work;

  if (body == NULL)
    return;
  name = cc_protojson_get_string (body, "name");
  if (json_object_has_member (body, "name") && (name == NULL || *name == '\0'))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid request body: \"name\" must be a non-empty string");
      return;
    }
  if (name != NULL && (taken = find_snapshot (engine, name)) != NULL)
    {
      g_autofree char *message = g_strdup_printf ("A snapshot named %s exists already: pick another name or delete it", name);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_CONFLICT, message);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snapshotID");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "names");
  json_builder_begin_array (builder);
  if (name != NULL)
    json_builder_add_string_value (builder, name);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "sandboxID");
  json_builder_add_string_value (builder, cc_engine_sandbox_get_id (sandbox));
  json_builder_set_member_name (builder, "templateID");
  json_builder_add_string_value (builder, cc_engine_sandbox_get_template_id (sandbox));
  json_builder_set_member_name (builder, "createdAt");
  json_builder_add_string_value (builder, created);
  json_builder_end_object (builder);

  work = g_new0 (SnapshotWork, 1);
  work->from = g_strdup (cc_engine_sandbox_get_home_dir (sandbox));
  work->dir = g_build_filename (dir, id, NULL);
  root = json_builder_get_root (builder);
  work->info = json_object_ref (json_node_get_object (root));
  cc_engine_log_add (cc_engine_sandbox_get_log (sandbox), CC_ENGINE_LOG_INFO, "Snapshot created",
                     "logger", "lifecycle", "snapshotID", id, NULL);
  _cc_engine_worker_run (msg, snapshot_thread, reply_created, work, snapshot_work_free);
}

/* List and delete --------------------------------------------------------------------------- */

void
_cc_engine_snapshot_list (CcEngine          *engine,
                          SoupServerMessage *msg,
                          GHashTable        *query)
{
  g_autoptr(GPtrArray) all = load_snapshots (engine);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  const char *sandbox_id = query ? g_hash_table_lookup (query, "sandboxID") : NULL;
  const char *name = query ? g_hash_table_lookup (query, "name") : NULL;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  guint64 limit = DEFAULT_LIMIT;
  guint n = 0;

  if (limit_text != NULL &&
      (!g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_LIMIT, &limit, NULL)))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid limit: use a number from 1 to 1000");
      return;
    }
  g_ptr_array_sort (all, newer_first);
  json_builder_begin_array (builder);
  for (guint i = 0; i < all->len && n < limit; i++)
    {
      JsonObject *info = all->pdata[i];

      if (sandbox_id != NULL && g_strcmp0 (cc_protojson_get_string (info, "sandboxID"), sandbox_id) != 0)
        continue;
      if (name != NULL && !has_name (info, name))
        continue;
      add_snapshot_json (builder, info);
      n++;
    }
  json_builder_end_array (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static JsonNode *
delete_thread (gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *info_path = g_build_filename (data, "info.json", NULL);

  /* The info first: from that moment on the snapshot no longer exists for anyone. */
  unlink (info_path);
  cc_engine_path_remove_tree (data);
  return json_node_new (JSON_NODE_NULL);
}

static void
reply_deleted (SoupServerMessage *msg,
               JsonNode          *result,
               const GError      *error)
{
  if (result == NULL)
    _cc_engine_reply_api_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
_cc_engine_snapshot_delete (CcEngine          *engine,
                            SoupServerMessage *msg,
                            const char        *snapshot_id)
{
  g_autoptr(JsonObject) info = is_snapshot_id (snapshot_id) ? find_snapshot (engine, snapshot_id) : NULL;
  g_autofree char *dir = snapshots_dir (engine);

  if (info == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Template %s not found", snapshot_id);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, message);
      return;
    }
  _cc_engine_worker_run (msg, delete_thread, reply_deleted, g_build_filename (dir, snapshot_id, NULL), g_free);
}

/* Sandboxes from copies: create from a snapshot, fork --------------------------------------- */

typedef struct
{
  CcEngine  *engine;
  char      *from;        /* the snapshot's or the forked sandbox's home */
  GPtrArray *sandboxes;   /* CcEngineSandbox, not yet in service */
  GPtrArray *errors;      /* GError or NULL, one per sandbox, set by the worker */
  gint64     timeout_s;
  gboolean   fork;
} CopyWork;

static void
copy_work_free (gpointer data)
{
  CopyWork *work = data;

  g_object_unref (work->engine);
  g_free (work->from);
  g_ptr_array_unref (work->sandboxes);
  g_ptr_array_unref (work->errors);
  g_free (work);
}

static void
clear_error (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

static CopyWork *
copy_work_new (CcEngine   *engine,
               const char *from,
               gint64      timeout_s,
               gboolean    fork)
{
  CopyWork *work = g_new0 (CopyWork, 1);

  work->engine = g_object_ref (engine);
  work->from = g_strdup (from);
  work->sandboxes = g_ptr_array_new_with_free_func (g_object_unref);
  work->errors = g_ptr_array_new_with_free_func (clear_error);
  work->timeout_s = timeout_s;
  work->fork = fork;
  return work;
}

static JsonNode *
copy_thread (gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CopyWork *work = data;

  for (guint i = 0; i < work->sandboxes->len; i++)
    {
      GError *copy_error = NULL;

      copy_tree (work->from, cc_engine_sandbox_get_home_dir (work->sandboxes->pdata[i]),
                 cancellable, &copy_error);
      g_ptr_array_add (work->errors, copy_error);
    }
  return json_node_new (JSON_NODE_NULL);
}

static void
add_error_json (JsonBuilder  *builder,
                const GError *error)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ? 507 : 500);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, error->message);
  json_builder_end_object (builder);
}

static void
reply_copies (SoupServerMessage *msg,
              JsonNode          *result,
              const GError      *error,
              gpointer           data)
{
  CopyWork *work = data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;

  if (result == NULL)
    {
      for (guint i = 0; i < work->sandboxes->len; i++)
        cc_engine_sandbox_destroy_files (work->sandboxes->pdata[i]);
      _cc_engine_reply_api_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < work->sandboxes->len; i++)
    {
      CcEngineSandbox *sandbox = work->sandboxes->pdata[i];
      const GError *copy_error = i < work->errors->len ? work->errors->pdata[i] : NULL;

      if (copy_error != NULL)
        {
          cc_engine_sandbox_destroy_files (sandbox);
          if (!work->fork)
            {
              _cc_engine_reply_api_error (msg, g_error_matches (copy_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ? 507 : 500,
                                          copy_error->message);
              return;
            }
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "error");
          add_error_json (builder, copy_error);
          json_builder_end_object (builder);
          continue;
        }
      _cc_engine_control_start (work->engine, sandbox, work->timeout_s);
      if (!work->fork)
        {
          answer = _cc_engine_control_sandbox_json (work->engine, sandbox);
          _cc_engine_reply_json (msg, SOUP_STATUS_CREATED, answer);
          return;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sandbox");
      json_builder_add_value (builder, _cc_engine_control_sandbox_json (work->engine, sandbox));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_CREATED, answer);
}

gboolean
_cc_engine_snapshot_restore (CcEngine          *engine,
                             SoupServerMessage *msg,
                             CcEngineSandbox   *sandbox,
                             gint64             timeout_s)
{
  g_autoptr(JsonObject) info = find_snapshot (engine, cc_engine_sandbox_get_template_id (sandbox));
  g_autofree char *dir = NULL;
  g_autofree char *home = NULL;
  CopyWork *work;

  if (info == NULL)
    return FALSE;
  /* A workspace holds a person's own files: a snapshot is never copied over them. */
  if (cc_engine_sandbox_get_workspace (sandbox, NULL) != NULL)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "A sandbox on a workspace folder cannot start from a snapshot: leave one of them out");
      return TRUE;
    }
  dir = snapshots_dir (engine);
  home = g_build_filename (dir, cc_protojson_get_string (info, "snapshotID"), "home", NULL);
  work = copy_work_new (engine, home, timeout_s, FALSE);
  g_ptr_array_add (work->sandboxes, g_object_ref (sandbox));
  _cc_engine_worker_run_full (msg, copy_thread, reply_copies, work, copy_work_free);
  return TRUE;
}

/* A copy of @source's settings, not yet in service. */
static CcEngineSandbox *
new_fork (CcEngine        *engine,
          CcEngineSandbox *source,
          GError         **error)
{
  g_autoptr(CcEngineSandbox) sandbox = cc_engine_sandbox_new (cc_engine_get_data_dir (engine),
                                                              cc_engine_sandbox_get_template_id (source));
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_metadata (source));
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (cc_engine_sandbox_get_metadata (sandbox), g_strdup (key), g_strdup (value));
  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_env_vars (source));
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (cc_engine_sandbox_get_env_vars (sandbox), g_strdup (key), g_strdup (value));
  cc_engine_sandbox_set_auto_pause (sandbox, cc_engine_sandbox_get_auto_pause (source));
  cc_engine_sandbox_set_auto_resume (sandbox, cc_engine_sandbox_get_auto_resume (source));
  cc_engine_sandbox_set_internet (sandbox, cc_engine_sandbox_get_internet (source));
  cc_engine_sandbox_set_nested_userns (sandbox, cc_engine_sandbox_get_nested_userns (source));
  if (!cc_engine_sandbox_create_dirs (sandbox, error))
    return NULL;
  return g_steal_pointer (&sandbox);
}

void
_cc_engine_snapshot_fork (CcEngine          *engine,
                          SoupServerMessage *msg,
                          CcEngineSandbox   *sandbox)
{
  static const char * const allowed[] = { "timeout", "count", NULL };
  g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
  gint64 timeout_s = CC_ENGINE_DEFAULT_TIMEOUT_S, count = 1;
  CopyWork *work;

  if (body == NULL)
    return;
  if (!_cc_engine_control_get_int_member (msg, body, "timeout", 0, CC_ENGINE_MAX_TIMEOUT_S, &timeout_s) ||
      !_cc_engine_control_get_int_member (msg, body, "count", 1, MAX_FORKS, &count))
    return;
  if (g_hash_table_size (_cc_engine_get_sandboxes (engine)) + count > CC_ENGINE_MAX_SANDBOXES)
    {
      _cc_engine_reply_api_error (msg, 429, "You have reached the maximum number of sandboxes on this engine; kill some first");
      return;
    }
  work = copy_work_new (engine, cc_engine_sandbox_get_home_dir (sandbox), timeout_s, TRUE);
  for (gint64 i = 0; i < count; i++)
    {
      g_autoptr(GError) error = NULL;
      CcEngineSandbox *fork = new_fork (engine, sandbox, &error);

      if (fork == NULL)
        {
          for (guint j = 0; j < work->sandboxes->len; j++)
            cc_engine_sandbox_destroy_files (work->sandboxes->pdata[j]);
          copy_work_free (work);
          _cc_engine_reply_api_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
          return;
        }
      g_ptr_array_add (work->sandboxes, fork);
    }
  cc_engine_log_add (cc_engine_sandbox_get_log (sandbox), CC_ENGINE_LOG_INFO, "Sandbox forked",
                     "logger", "lifecycle", NULL);
  _cc_engine_worker_run_full (msg, copy_thread, reply_copies, work, copy_work_free);
}
