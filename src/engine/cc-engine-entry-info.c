/* cc-engine-entry-info.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cc-engine-entry-info.h"
#include "cc-engine-path.h"
#include "cc-protojson.h"

#define METADATA_PREFIX "user.e2b."
/* Symlink chains longer than this are loops, as for the kernel's ELOOP. */
#define MAX_SYMLINK_HOPS 40

char *
_cc_engine_entry_format_permissions (guint st_mode)
{
  static const char rwx[] = "rwxrwxrwx";
  GString *out = g_string_sized_new (12);
  guint type = st_mode & S_IFMT;

  /* The letters and their order are Go's FileMode.String() ("dalTLDpSugct?"), which is what
   * envd reports and what SDK users compare against. */
  if (type == S_IFDIR)
    g_string_append_c (out, 'd');
  if (type == S_IFLNK)
    g_string_append_c (out, 'L');
  if (type == S_IFBLK || type == S_IFCHR)
    g_string_append_c (out, 'D');
  if (type == S_IFIFO)
    g_string_append_c (out, 'p');
  if (type == S_IFSOCK)
    g_string_append_c (out, 'S');
  if (st_mode & S_ISUID)
    g_string_append_c (out, 'u');
  if (st_mode & S_ISGID)
    g_string_append_c (out, 'g');
  if (type == S_IFCHR)
    g_string_append_c (out, 'c');
  if (st_mode & S_ISVTX)
    g_string_append_c (out, 't');
  if (out->len == 0)
    g_string_append_c (out, '-');

  for (guint i = 0; i < 9; i++)
    g_string_append_c (out, (st_mode & (1u << (8 - i))) ? rwx[i] : '-');

  return g_string_free (out, FALSE);
}

char *
_cc_engine_entry_owner_name (guint uid)
{
  struct passwd pw, *result = NULL;
  char buf[1024];

  /* Every file of a sandbox belongs to the engine's user on this machine; inside, the sandbox's
   * processes know that account as "user", so report it under that name. */
  if (uid == geteuid ())
    return g_strdup ("user");
  if (getpwuid_r (uid, &pw, buf, sizeof buf, &result) == 0 && result != NULL)
    return g_strdup (result->pw_name);
  return g_strdup_printf ("%u", uid);
}

char *
_cc_engine_entry_group_name (guint gid)
{
  struct group gr, *result = NULL;
  char buf[1024];

  if (gid == getegid ())
    return g_strdup ("user");
  if (getgrgid_r (gid, &gr, buf, sizeof buf, &result) == 0 && result != NULL)
    return g_strdup (result->gr_name);
  return g_strdup_printf ("%u", gid);
}

GHashTable *
_cc_engine_entry_read_metadata (int                fd,
                                const struct stat *st)
{
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *names = NULL;
  char host_path[64];
  ssize_t len;

  /* User xattrs exist on files and directories only. The entry is reached through its
   * descriptor's /proc link, which names that very inode whatever was renamed since. */
  if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    return NULL;
  g_snprintf (host_path, sizeof host_path, "/proc/self/fd/%d", fd);
  len = listxattr (host_path, NULL, 0);
  if (len <= 0)
    return NULL;            /* none, or ENOTSUP: a filesystem without xattrs has no metadata */
  names = g_malloc (len + 1);
  len = listxattr (host_path, names, len);
  if (len <= 0)
    return NULL;
  names[len] = '\0';

  for (const char *name = names; name < names + len; name += strlen (name) + 1)
    {
      char value[4096];
      ssize_t vlen;

      if (!g_str_has_prefix (name, METADATA_PREFIX) || name[strlen (METADATA_PREFIX)] == '\0')
        continue;
      vlen = getxattr (host_path, name, value, sizeof value - 1);
      if (vlen < 0)
        continue;
      value[vlen] = '\0';
      if (metadata == NULL)
        metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_replace (metadata,
                            g_ascii_strdown (name + strlen (METADATA_PREFIX), -1),
                            g_strdup (value));
    }

  return g_steal_pointer (&metadata);
}

char *
_cc_engine_entry_join (const char *sandbox_dir,
                       const char *name)
{
  if (g_str_has_suffix (sandbox_dir, "/"))
    return g_strconcat (sandbox_dir, name, NULL);
  return g_strconcat (sandbox_dir, "/", name, NULL);
}

/* The text of the symlink @fd (opened O_PATH | O_NOFOLLOW), or NULL. */
static char *
read_link_fd (int fd)
{
  char text[PATH_MAX];
  ssize_t len = readlinkat (fd, "", text, sizeof text - 1);

  if (len < 0)
    return NULL;
  text[len] = '\0';
  return g_strdup (text);
}

/* Follows the symlink @link_fd (opened O_PATH | O_NOFOLLOW) at @sandbox_path the way a sandbox
 * process would: link texts are paths in the sandbox's view, so each hop is mapped through the
 * sandbox and opened from the sandbox's directory with symlinks refused. Sets @target to the
 * final target as the sandbox sees it and returns its stat, or FALSE when the link is broken,
 * loops or leads out of the sandbox. */
static gboolean
follow_symlink (CcEngineSandbox *sandbox,
                const char      *user,
                int              link_fd,
                const char      *sandbox_path,
                char           **target,
                char           **target_host,
                struct stat     *target_st)
{
  g_autofree char *cur_sandbox = g_strdup (sandbox_path);
  int cur_fd = dup (link_fd);

  for (guint hop = 0; cur_fd >= 0 && hop < MAX_SYMLINK_HOPS; hop++)
    {
      g_autofree char *text = read_link_fd (cur_fd);
      g_autofree char *next = NULL;
      g_autofree char *next_sandbox = NULL;
      g_autofree char *next_host = NULL;
      struct stat st;

      close (cur_fd);
      cur_fd = -1;
      if (text == NULL)
        return FALSE;
      {
        g_autofree char *dir = g_path_get_dirname (cur_sandbox);

        next = g_canonicalize_filename (text, dir);
      }
      /* Unisolated processes write host paths into their links: map those back. */
      g_free (*target);
      *target = cc_engine_sandbox_to_sandbox_path (sandbox, user, next);
      if (*target == NULL)
        *target = g_steal_pointer (&next);

      next_host = cc_engine_sandbox_resolve_path (sandbox, user, *target, &next_sandbox, NULL);
      if (next_host == NULL ||
          (cur_fd = cc_engine_path_open_errno (sandbox, next_host, O_PATH | O_NOFOLLOW)) < 0)
        return FALSE;
      if (fstat (cur_fd, &st) != 0)
        break;
      if (!S_ISLNK (st.st_mode))
        {
          close (cur_fd);
          g_free (*target);
          *target = g_steal_pointer (&next_sandbox);
          if (target_host != NULL)
            *target_host = g_steal_pointer (&next_host);
          *target_st = st;
          return TRUE;
        }
      g_free (cur_sandbox);
      cur_sandbox = g_steal_pointer (&next_sandbox);
    }
  if (cur_fd >= 0)
    close (cur_fd);
  return FALSE;
}

gboolean
_cc_engine_entry_follow (CcEngineSandbox  *sandbox,
                         const char       *user,
                         const char       *host_path,
                         const char       *sandbox_path,
                         char            **target_host,
                         char            **target_sandbox)
{
  g_autofree char *target = NULL;
  g_autofree char *host = NULL;
  struct stat st;
  int fd = cc_engine_path_open_errno (sandbox, host_path, O_PATH | O_NOFOLLOW);
  gboolean followed;

  if (fd < 0)
    return FALSE;
  followed = follow_symlink (sandbox, user, fd, sandbox_path, &target, &host, &st);
  close (fd);
  if (!followed)
    return FALSE;
  if (target_host != NULL)
    *target_host = g_steal_pointer (&host);
  if (target_sandbox != NULL)
    *target_sandbox = g_steal_pointer (&target);
  return TRUE;
}

static void
set_stat_error (GError     **error,
                int          saved_errno,
                const char  *sandbox_path)
{
  /* ELOOP: a directory on the way became a symlink since the path was resolved. */
  if (saved_errno == ELOOP || saved_errno == EXDEV)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 "cannot stat %s: the path changed while it was opened", sandbox_path);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot stat %s: %s", sandbox_path, g_strerror (saved_errno));
}

static const char *
file_type_name (guint st_mode)
{
  if (S_ISDIR (st_mode))
    return CC_ENGINE_FILE_TYPE_DIRECTORY;
  if (S_ISREG (st_mode))
    return CC_ENGINE_FILE_TYPE_FILE;
  /* Devices, pipes and sockets: envd has no type for them either. */
  return CC_ENGINE_FILE_TYPE_UNSPECIFIED;
}

/* The entry for @fd, a descriptor just opened (or -1, errno saying why), which it closes. */
static JsonNode *
build_from_opened (CcEngineSandbox *sandbox,
                   const char      *user,
                   int              fd,
                   const char      *sandbox_path,
                   GError         **error)
{
  JsonNode *entry;

  if (fd < 0)
    {
      set_stat_error (error, errno, sandbox_path);
      return NULL;
    }
  entry = _cc_engine_entry_build_fd (sandbox, user, fd, sandbox_path, error);
  close (fd);
  return entry;
}

JsonNode *
_cc_engine_entry_build (CcEngineSandbox *sandbox,
                        const char      *user,
                        const char      *host_path,
                        const char      *sandbox_path,
                        GError         **error)
{
  return build_from_opened (sandbox, user,
                            cc_engine_path_open_errno (sandbox, host_path, O_PATH | O_NOFOLLOW),
                            sandbox_path, error);
}

JsonNode *
_cc_engine_entry_build_at (CcEngineSandbox *sandbox,
                           const char      *user,
                           int              dir,
                           const char      *name,
                           const char      *sandbox_path,
                           GError         **error)
{
  return build_from_opened (sandbox, user, openat (dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC),
                            sandbox_path, error);
}

JsonNode *
_cc_engine_entry_build_fd (CcEngineSandbox *sandbox,
                           const char      *user,
                           int              fd,
                           const char      *sandbox_path,
                           GError         **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *name = NULL;
  g_autofree char *valid_name = NULL;
  g_autofree char *valid_path = NULL;
  g_autofree char *permissions = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *group = NULL;
  g_autofree char *mtime = NULL;
  g_autofree char *symlink_target = NULL;
  const char *type;
  struct stat st;

  if (fstat (fd, &st) != 0)
    {
      set_stat_error (error, errno, sandbox_path);
      return NULL;
    }

  if (S_ISLNK (st.st_mode))
    {
      struct stat target_st;

      /* The entry describes the link (mode, size, time) but has its target's type; a broken
       * link keeps the unspecified type, which the SDK's list() skips. */
      if (follow_symlink (sandbox, user, fd, sandbox_path, &symlink_target, NULL, &target_st))
        type = file_type_name (target_st.st_mode);
      else
        type = CC_ENGINE_FILE_TYPE_UNSPECIFIED;
      if (symlink_target == NULL)
        symlink_target = g_strdup ("");
    }
  else
    type = file_type_name (st.st_mode);

  name = g_path_get_basename (sandbox_path);
  valid_name = g_utf8_make_valid (name, -1);
  valid_path = g_utf8_make_valid (sandbox_path, -1);
  permissions = _cc_engine_entry_format_permissions (st.st_mode);
  owner = _cc_engine_entry_owner_name (st.st_uid);
  group = _cc_engine_entry_group_name (st.st_gid);
  mtime = cc_protojson_format_timestamp ((gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC +
                                         st.st_mtim.tv_nsec / 1000);
  metadata = _cc_engine_entry_read_metadata (fd, &st);

  /* proto3 JSON: members at their zero value are left out. */
  json_builder_begin_object (builder);
  /* File names are bytes; JSON text is UTF-8. Invalid bytes become U+FFFD, as the sandbox
   * daemon does, so one odd name cannot break a whole listing. */
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, valid_name);
  if (g_strcmp0 (type, CC_ENGINE_FILE_TYPE_UNSPECIFIED) != 0)
    {
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, type);
    }
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, valid_path);
  if (st.st_size != 0)
    cc_protojson_add_int64 (builder, "size", st.st_size);
  if ((st.st_mode & 0777) != 0)
    {
      json_builder_set_member_name (builder, "mode");
      json_builder_add_int_value (builder, st.st_mode & 0777);
    }
  json_builder_set_member_name (builder, "permissions");
  json_builder_add_string_value (builder, permissions);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, owner);
  json_builder_set_member_name (builder, "group");
  json_builder_add_string_value (builder, group);
  json_builder_set_member_name (builder, "modifiedTime");
  json_builder_add_string_value (builder, mtime);
  if (symlink_target != NULL)
    {
      /* An optional field: present whenever set. */
      json_builder_set_member_name (builder, "symlinkTarget");
      {
        g_autofree char *valid_target = g_utf8_make_valid (symlink_target, -1);

        json_builder_add_string_value (builder, valid_target);
      }
    }
  if (metadata != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      json_builder_set_member_name (builder, "metadata");
      json_builder_begin_object (builder);
      g_hash_table_iter_init (&iter, metadata);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, value);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
