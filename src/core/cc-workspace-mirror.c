/* cc-workspace-mirror.c: a workspace folder kept in step with a sandbox that does not mount it
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sync is: list the sandbox home (one recursive ListDir), scan the workspace and plan (in a
 * thread), download what comes back into temporaries in the state folder, apply (in a thread:
 * renames into place, conflicts, removals), upload what goes up in batches, list again and
 * write the manifest. Nothing in the workspace changes before every download is complete, and
 * the manifest is written atomically, so a sync cut anywhere loses nothing and the next one
 * completes it: a file found equal on both sides is only recorded, never copied as a conflict.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "cc-sandbox-error.h"
#include "cc-workspace-mirror.h"

#define SANDBOX_HOME       "/home/user"
#define LIST_DEPTH         64
#define BATCH_FILES        256
#define BATCH_BYTES        (64 * 1024 * 1024)
#define MANIFEST_VERSION   1
/* What a sync must leave free on the workspace's disk: the larger of these. A sandbox runs code
 * nobody reviewed, and what it writes must not fill the person's disk through the mirror. */
#define MIN_FREE_BYTES     ((guint64) 512 * 1024 * 1024)
#define MIN_FREE_PER_MILLE 20

struct _CcWorkspaceMirror
{
  GObject      parent_instance;

  char        *workspace;
  char        *state_dir;
  GPtrArray   *rules;          /* Rule, the defaults first, then .codecanvasignore */
  CcSyncState  state;
  guint64      progress_done;  /* bytes moved by the sync running, of progress_total */
  guint64      progress_total;
  guint        progress_permille;
  gboolean     busy;
  GQueue       waiting;        /* GTask: syncs asked for while one runs */

  /* The live pull: a WatchDir stream on the sandbox home, and a sync soon after its events. */
  CcEnvd       *watch_envd;
  GCancellable *watch_cancellable;
  guint         live_id;
  GHashTable   *monitors;      /* workspace-relative folder ("" the top) → GFileMonitor */

  /* The full sync shortly before the sandbox ends. */
  CcEnvd       *final_envd;
  GCancellable *final_cancellable;
  guint         final_id;
};

G_DEFINE_FINAL_TYPE (CcWorkspaceMirror, cc_workspace_mirror, G_TYPE_OBJECT)

enum { SIGNAL_CONFLICT, SIGNAL_STATE_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- summary ----------------------------------------------------------------------------- */

void
cc_sync_summary_free (CcSyncSummary *summary)
{
  if (summary == NULL)
    return;
  g_strfreev (summary->conflicts);
  g_free (summary);
}

char *
cc_sync_summary_to_string (const CcSyncSummary *summary)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint conflicts = summary->conflicts ? g_strv_length (summary->conflicts) : 0;

  if (summary->mounted)
    return g_strdup (_("the sandbox mounts the workspace; nothing to sync"));
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u file from the sandbox",
                                             "%u files from the sandbox", summary->pulled),
                          summary->pulled);
  g_string_append (text, ", ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u to it", "%u to it",
                                             summary->pushed), summary->pushed);
  if (summary->removed > 0)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u removed", "%u removed",
                                                 summary->removed), summary->removed);
    }
  if (conflicts > 0)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u conflict (both versions kept)",
                                                 "%u conflicts (both versions kept)", conflicts),
                              conflicts);
    }
  if (summary->skipped > 0)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u skipped (links, special files, names that "
                                                 "are not UTF-8)",
                                                 "%u skipped (links, special files, names that "
                                                 "are not UTF-8)", summary->skipped),
                              summary->skipped);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- exclusion rules --------------------------------------------------------------------- */

typedef struct
{
  GPatternSpec *pattern;
  gboolean      negate;
  gboolean      dir_only;
  gboolean      anchored;     /* matched against the whole relative path, not the last name */
} Rule;

static void
rule_free (Rule *rule)
{
  g_pattern_spec_free (rule->pattern);
  g_free (rule);
}

/* Dependency and cache folders a sandbox makes again: never worth a transfer. */
static const char * const default_excluded[] = {
  "node_modules/", ".npm/", ".npm-global/", ".cache/", "__pycache__/", ".venv/", "venv/",
  ".local/", ".mypy_cache/", ".pytest_cache/", ".parcel-cache/", ".next/", ".nuxt/",
};

static void
add_rule (GPtrArray  *rules,
          const char *line)
{
  g_autofree char *text = g_strstrip (g_strdup (line));
  char *pattern = text;
  Rule *rule;
  gsize len;

  if (*pattern == '\0' || *pattern == '#')
    return;
  rule = g_new0 (Rule, 1);
  if (*pattern == '!')
    {
      rule->negate = TRUE;
      pattern++;
    }
  len = strlen (pattern);
  if (len > 0 && pattern[len - 1] == '/')
    {
      rule->dir_only = TRUE;
      pattern[--len] = '\0';
    }
  if (*pattern == '/')
    {
      rule->anchored = TRUE;
      pattern++;
    }
  else if (strchr (pattern, '/') != NULL)
    rule->anchored = TRUE;
  if (*pattern == '\0')
    {
      g_free (rule);
      return;
    }
  rule->pattern = g_pattern_spec_new (pattern);
  g_ptr_array_add (rules, rule);
}

static void
load_rules (CcWorkspaceMirror *self)
{
  g_autofree char *path = g_build_filename (self->workspace, ".codecanvasignore", NULL);
  g_autofree char *contents = NULL;

  g_clear_pointer (&self->rules, g_ptr_array_unref);
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  for (guint i = 0; i < G_N_ELEMENTS (default_excluded); i++)
    add_rule (self->rules, default_excluded[i]);
  if (g_file_get_contents (path, &contents, NULL, NULL) && g_utf8_validate (contents, -1, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        add_rule (self->rules, lines[i]);
    }
}

/* The last matching rule decides, as in .gitignore. */
static gboolean
rules_match (GPtrArray  *rules,
             const char *relative,
             gboolean    is_dir)
{
  const char *name = strrchr (relative, '/');
  gboolean excluded = FALSE;

  name = name ? name + 1 : relative;
  /* Editor swap and backup files never travel either. */
  if (!is_dir && (g_str_has_suffix (name, ".swp") || g_str_has_suffix (name, "~") ||
                  g_str_has_prefix (name, ".#")))
    excluded = TRUE;
  for (guint i = 0; i < rules->len; i++)
    {
      Rule *rule = g_ptr_array_index (rules, i);

      if (rule->dir_only && !is_dir)
        continue;
      if (g_pattern_spec_match_string (rule->pattern, rule->anchored ? relative : name))
        excluded = !rule->negate;
    }
  return excluded;
}

gboolean
_cc_workspace_mirror_is_excluded (CcWorkspaceMirror *self,
                                  const char        *relative,
                                  gboolean           is_dir)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) prefix = g_string_new (NULL);

  g_return_val_if_fail (CC_IS_WORKSPACE_MIRROR (self), TRUE);

  if (self->rules == NULL)
    load_rules (self);
  /* Nothing below an excluded folder comes back, whatever a later rule says. */
  parts = g_strsplit (relative, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      gboolean last = parts[i + 1] == NULL;

      if (prefix->len > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);
      if (rules_match (self->rules, prefix->str, last ? is_dir : TRUE))
        return TRUE;
    }
  return FALSE;
}

/* ---- manifest ---------------------------------------------------------------------------- */

/* One side absent is a size of -1. */
typedef struct
{
  gint64  size;
  gint64  mtime;      /* µs */
  char   *hash;
  gint64  rsize;
  gint64  rmtime;     /* µs, as the sandbox reports it */
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->hash);
  g_free (entry);
}

static Entry *
entry_new (void)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->size = -1;
  entry->rsize = -1;
  return entry;
}

static GHashTable *
manifest_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
}

/* A manifest that cannot be read is an empty one: every file is then compared by content. */
static GHashTable *
manifest_load (const char  *path,
               char       **sandbox_id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GHashTable *manifest = manifest_new ();
  JsonObject *root;
  JsonObject *files;
  GList *members;

  *sandbox_id = NULL;
  if (!json_parser_load_from_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return manifest;
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != MANIFEST_VERSION ||
      !json_object_has_member (root, "files") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "files")))
    return manifest;
  *sandbox_id = g_strdup (json_object_get_string_member_with_default (root, "sandbox", NULL));
  files = json_object_get_object_member (root, "files");
  members = json_object_get_members (files);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (files, l->data);
      JsonObject *object;
      Entry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      entry = entry_new ();
      entry->size = json_object_get_int_member_with_default (object, "size", -1);
      entry->mtime = json_object_get_int_member_with_default (object, "mtime", 0);
      entry->hash = g_strdup (json_object_get_string_member_with_default (object, "hash", NULL));
      entry->rsize = json_object_get_int_member_with_default (object, "rsize", -1);
      entry->rmtime = json_object_get_int_member_with_default (object, "rmtime", 0);
      g_hash_table_insert (manifest, g_strdup (l->data), entry);
    }
  g_list_free (members);
  return manifest;
}

static gboolean
manifest_save (const char  *path,
               const char  *sandbox_id,
               GHashTable  *manifest,
               GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, MANIFEST_VERSION);
  json_builder_set_member_name (builder, "sandbox");
  json_builder_add_string_value (builder, sandbox_id);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, manifest);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (entry->size < 0 && entry->rsize < 0)
        continue;
      json_builder_set_member_name (builder, key);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, entry->size);
      json_builder_set_member_name (builder, "mtime");
      json_builder_add_int_value (builder, entry->mtime);
      if (entry->hash != NULL)
        {
          json_builder_set_member_name (builder, "hash");
          json_builder_add_string_value (builder, entry->hash);
        }
      json_builder_set_member_name (builder, "rsize");
      json_builder_add_int_value (builder, entry->rsize);
      json_builder_set_member_name (builder, "rmtime");
      json_builder_add_int_value (builder, entry->rmtime);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  /* g_file_set_contents writes a temporary and renames it: a crash keeps the old manifest. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* ---- local files ------------------------------------------------------------------------- */

static char *
hash_file (const char *path)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buffer[64 * 1024];
  ssize_t n;
  int fd;

  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0)
    return NULL;
  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          close (fd);
          return NULL;
        }
      g_checksum_update (checksum, buffer, n);
    }
  close (fd);
  return g_strdup (g_checksum_get_string (checksum));
}

typedef struct
{
  gint64  size;
  gint64  mtime;
  char   *hash;
} Local;

static void
local_free (Local *local)
{
  g_free (local->hash);
  g_free (local);
}

static gint64
stat_mtime (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

/* Regular files only; a symlink is neither followed nor synced, wherever it points. */
static void
scan_dir (CcWorkspaceMirror *self,
          const char        *dir,
          const char        *relative,
          guint              level,
          GHashTable        *found,
          guint             *skipped)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL || level > LIST_DEPTH)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *child = relative ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      struct stat st;

      if (lstat (path, &st) != 0)
        continue;
      if (!g_utf8_validate (name, -1, NULL))
        {
          /* The sandbox daemon speaks JSON: such a name cannot be said to it. */
          (*skipped)++;
          continue;
        }
      if (_cc_workspace_mirror_is_excluded (self, child, S_ISDIR (st.st_mode)))
        continue;
      if (S_ISDIR (st.st_mode))
        scan_dir (self, path, child, level + 1, found, skipped);
      else if (S_ISREG (st.st_mode))
        {
          Local *local = g_new0 (Local, 1);

          local->size = st.st_size;
          local->mtime = stat_mtime (&st);
          g_hash_table_insert (found, g_steal_pointer (&child), local);
        }
      else
        (*skipped)++;
    }
}

/* Every folder between the workspace and @relative's parent is a real folder (made when
 * missing), never a symlink: a name from the sandbox must not lead a write out of the folder. */
static gboolean
prepare_parents (const char *workspace,
                 const char *relative)
{
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);
  g_autofree char *path = g_strdup (workspace);

  for (guint i = 0; parts[i] != NULL && parts[i + 1] != NULL; i++)
    {
      char *next = g_build_filename (path, parts[i], NULL);
      struct stat st;

      g_free (path);
      path = next;
      if (lstat (path, &st) == 0)
        {
          if (!S_ISDIR (st.st_mode))
            return FALSE;
        }
      else if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
        return FALSE;
    }
  return TRUE;
}

/* "a/b.txt" → "a/b (sandbox copy).txt", numbered when taken. */
static char *
conflict_name (const char *workspace,
               const char *relative)
{
  const char *slash = strrchr (relative, '/');
  const char *name = slash ? slash + 1 : relative;
  const char *dot = strrchr (name, '.');
  g_autofree char *dir = slash ? g_strndup (relative, slash - relative + 1) : g_strdup ("");
  g_autofree char *stem = NULL;
  const char *ext;

  if (dot == NULL || dot == name)
    dot = name + strlen (name);
  stem = g_strndup (name, dot - name);
  ext = dot;
  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *candidate = NULL;
      g_autofree char *full = NULL;

      /* TRANSLATORS: the suffix of the sandbox's version of a file both sides changed */
      candidate = n == 1 ? g_strdup_printf ("%s%s (%s)%s", dir, stem, _("sandbox copy"), ext)
                         : g_strdup_printf ("%s%s (%s %u)%s", dir, stem, _("sandbox copy"), n, ext);
      full = g_build_filename (workspace, candidate, NULL);
      if (!g_file_test (full, G_FILE_TEST_EXISTS) && !g_file_test (full, G_FILE_TEST_IS_SYMLINK))
        return g_steal_pointer (&candidate);
    }
  return NULL;
}

/* ---- one sync ---------------------------------------------------------------------------- */

typedef enum
{
  ACTION_RECORD,          /* same on both sides */
  ACTION_PULL,
  ACTION_CHECK,           /* both changed: compare contents, conflict if they differ */
  ACTION_PUSH,
  ACTION_REMOVE_LOCAL,
  ACTION_REMOVE_REMOTE,
} Action;

typedef struct
{
  char    *path;
  Action   action;
  gint64   rsize;
  gint64   rmtime;
  guint    rmode;         /* the sandbox's permission bits, 0 when unknown */
  Local   *local;         /* borrowed from Sync.local, or NULL */
  char    *temp;          /* the download, in the state folder */
  char    *copy;          /* a conflict's copy, workspace-relative */
  gboolean done;
} Item;

static void
item_free (Item *item)
{
  if (item->temp != NULL)
    g_unlink (item->temp);
  g_free (item->temp);
  g_free (item->path);
  g_free (item->copy);
  g_free (item);
}

typedef struct
{
  CcWorkspaceMirror *mirror;   /* the task's source object */
  CcEnvd         *envd;
  char           *sandbox_id;
  GHashTable     *remote;      /* relative → CcEntryInfo (regular files) */
  GHashTable     *remote_dirs; /* relative folders of the sandbox (a set) */
  GHashTable     *local;       /* relative → Local */
  GHashTable     *manifest;
  GPtrArray      *items;
  GPtrArray      *pushes;      /* relative paths, borrowed from items */
  GPtrArray      *executables; /* char*: sandbox paths sent up that are to be executable */
  guint           next;
  GPtrArray      *conflicts;   /* char*: the copies */
  CcSyncSummary  *summary;
  GFileOutputStream *output;
  GCancellable   *download_cancellable;  /* the current download's, stopped when it outgrows */
  gulong          download_forward;      /* the sync's cancellable → the download's */
  GCancellable   *sync_cancellable;      /* where download_forward is connected */
  guint64         room;        /* bytes downloads may still take from the disk */
  guint64         taken;       /* by the current download so far */
  guint64         moved;       /* bytes of the files downloaded and uploaded so far */
  guint64         batch_bytes; /* of the files in the upload in flight */
  gssize          got;         /* the length of a download that differs from the listing's */
  gboolean        over_room;
  int             lock_fd;     /* flock on the state folder, held for the whole sync */
} Sync;

/* One per download: each would otherwise leave a handler (and a cancellable) on the sync's. */
static void
download_cancellable_clear (Sync *sync)
{
  if (sync->download_forward != 0 && sync->sync_cancellable != NULL)
    g_cancellable_disconnect (sync->sync_cancellable, sync->download_forward);
  sync->download_forward = 0;
  g_clear_object (&sync->sync_cancellable);
  g_clear_object (&sync->download_cancellable);
}

static void
sync_free (Sync *sync)
{
  g_clear_object (&sync->envd);
  g_free (sync->sandbox_id);
  g_clear_pointer (&sync->remote, g_hash_table_unref);
  g_clear_pointer (&sync->remote_dirs, g_hash_table_unref);
  g_clear_pointer (&sync->local, g_hash_table_unref);
  g_clear_pointer (&sync->manifest, g_hash_table_unref);
  g_clear_pointer (&sync->items, g_ptr_array_unref);
  g_clear_pointer (&sync->pushes, g_ptr_array_unref);
  g_clear_pointer (&sync->executables, g_ptr_array_unref);
  g_clear_pointer (&sync->conflicts, g_ptr_array_unref);
  g_clear_pointer (&sync->summary, cc_sync_summary_free);
  g_clear_object (&sync->output);
  download_cancellable_clear (sync);
  if (sync->lock_fd >= 0)
    close (sync->lock_fd);     /* after the items: their downloads are gone first */
  g_free (sync);
}

static void
set_state (CcWorkspaceMirror *self,
           CcSyncState        state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

/* Progress is told as the state is: at most once per thousandth, so 20,000 files or a 1 GiB
 * file cost the person's sidebar a thousand updates at most. */
static void
set_progress (CcWorkspaceMirror *self,
              guint64            done,
              guint64            total)
{
  guint permille = total > 0 ? (guint) (MIN (done, total) * 1000 / total) : 0;

  self->progress_done = MIN (done, total);
  self->progress_total = total;
  if (permille == self->progress_permille)
    return;
  self->progress_permille = permille;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

static void sync_start (GTask *task);

static void
sync_return (GTask  *task,
             GError *error)
{
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);
  GTask *next;

  self->busy = FALSE;
  self->progress_done = self->progress_total = 0;
  self->progress_permille = 0;
  /* Downloads left are removed, then the lock goes: the next sync may start at once. */
  g_clear_pointer (&sync->pushes, g_ptr_array_unref);
  g_clear_pointer (&sync->items, g_ptr_array_unref);
  if (sync->lock_fd >= 0)
    {
      close (sync->lock_fd);
      sync->lock_fd = -1;
    }
  if (error != NULL)
    {
      set_state (self, CC_SYNC_STATE_OFFLINE);
      g_task_return_error (task, error);
    }
  else
    {
      g_ptr_array_add (sync->conflicts, NULL);
      sync->summary->conflicts = (GStrv) g_ptr_array_free (g_steal_pointer (&sync->conflicts),
                                                           FALSE);
      set_state (self, sync->summary->conflicts[0] != NULL ? CC_SYNC_STATE_CONFLICT
                                                           : CC_SYNC_STATE_SYNCED);
      g_task_return_pointer (task, g_steal_pointer (&sync->summary),
                             (GDestroyNotify) cc_sync_summary_free);
    }
  g_object_unref (task);
  next = g_queue_pop_head (&self->waiting);
  if (next != NULL)
    sync_start (next);
}

static char *
manifest_path (CcWorkspaceMirror *self)
{
  return g_build_filename (self->state_dir, "manifest.json", NULL);
}

static char *
temp_dir (CcWorkspaceMirror *self)
{
  return g_build_filename (self->state_dir, "incoming", NULL);
}

static gboolean
local_changed (const Local *local,
               const Entry *base)
{
  if (base == NULL || base->size < 0)
    return local != NULL;
  if (local == NULL)
    return TRUE;
  if (local->size != base->size)
    return TRUE;
  return local->mtime != base->mtime && g_strcmp0 (local->hash, base->hash) != 0;
}

static gboolean
remote_changed (const CcEntryInfo *remote,
                const Entry       *base)
{
  if (base == NULL || base->rsize < 0)
    return remote != NULL;
  if (remote == NULL)
    return TRUE;
  return remote->size != base->rsize || remote->modified_time != base->rmtime;
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CcWorkspaceMirror *self = source_object;
  Sync *sync = task_data;
  g_autofree char *path = manifest_path (self);
  g_autofree char *incoming = temp_dir (self);
  g_autofree char *last_sandbox = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;
  gboolean same_sandbox;

  if (g_mkdir_with_parents (incoming, 0700) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno),
                               _("Could not make the folder %s: %s"), incoming,
                               g_strerror (errno));
      return;
    }
  /* The app and the CLI may sync the same workspace: one at a time, across programs. The
   * kernel drops the lock of a program that dies, so a killed sync never blocks the next. */
  {
    g_autofree char *lock_path = g_build_filename (self->state_dir, "lock", NULL);

    sync->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    while (sync->lock_fd >= 0 && flock (sync->lock_fd, LOCK_EX) != 0 && errno == EINTR)
      ;
    if (sync->lock_fd < 0)
      {
        g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errno),
                                 _("Could not make the folder %s: %s"), self->state_dir,
                                 g_strerror (errno));
        return;
      }
  }
  /* Downloads a cut sync left behind: never applied, so never needed. */
  {
    g_autoptr(GFile) dir = g_file_new_for_path (incoming);
    g_autoptr(GFileEnumerator) children =
      g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
    GFile *child;

    while (children != NULL &&
           g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
      g_file_delete (child, NULL, NULL);
  }
  sync->manifest = manifest_load (path, &last_sandbox);
  same_sandbox = g_strcmp0 (last_sandbox, sync->sandbox_id) == 0;
  sync->local = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) local_free);
  scan_dir (self, self->workspace, NULL, 0, sync->local, &sync->summary->skipped);

  g_hash_table_iter_init (&iter, sync->local);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (names, key);
  g_hash_table_iter_init (&iter, sync->remote);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (names, key);
  if (same_sandbox)
    {
      g_hash_table_iter_init (&iter, sync->manifest);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (names, key);
    }

  sync->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Local *local = g_hash_table_lookup (sync->local, key);
      CcEntryInfo *remote = g_hash_table_lookup (sync->remote, key);
      Entry *known = g_hash_table_lookup (sync->manifest, key);
      /* A sandbox other than the one of the last sync: nothing is known of its side. */
      Entry *base = same_sandbox ? known : NULL;
      gboolean local_moved, remote_moved;
      Item *item;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (local != NULL)
        {
          /* The hash is worked out only for what size and time cannot vouch for. */
          if (known != NULL && known->size == local->size && known->mtime == local->mtime &&
              known->hash != NULL)
            local->hash = g_strdup (known->hash);
          else
            {
              g_autofree char *full = g_build_filename (self->workspace, (char *) key, NULL);

              local->hash = hash_file (full);
            }
        }
      local_moved = local_changed (local, base);
      remote_moved = remote_changed (remote, base);
      item = g_new0 (Item, 1);
      item->path = g_strdup (key);
      item->local = local;
      item->rsize = remote ? remote->size : -1;
      item->rmtime = remote ? remote->modified_time : 0;
      item->rmode = remote ? remote->mode : 0;
      if (local == NULL && remote == NULL)
        {
          item_free (item);
          continue;
        }
      if (!local_moved && !remote_moved)
        item->action = local != NULL && remote != NULL ? ACTION_RECORD
                       : local != NULL ? ACTION_PUSH : ACTION_PULL;
      else if (local_moved && !remote_moved)
        item->action = local != NULL ? ACTION_PUSH : ACTION_REMOVE_REMOTE;
      else if (!local_moved && remote_moved)
        item->action = remote != NULL ? ACTION_PULL : ACTION_REMOVE_LOCAL;
      else
        item->action = local != NULL && remote != NULL ? ACTION_CHECK
                       : local != NULL ? ACTION_PUSH : ACTION_PULL;
      g_ptr_array_add (sync->items, item);
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_boolean (task, TRUE);
}

/* After an apply or at the end: what the manifest says now. Pushes not confirmed yet keep
 * their old entry, so a sync cut during the upload pushes them again, never removes them. */
static void
manifest_update (Sync     *sync,
                 gboolean  uploaded)
{
  for (guint i = 0; i < sync->items->len; i++)
    {
      Item *item = g_ptr_array_index (sync->items, i);
      Entry *entry;

      if (!item->done)
        continue;
      switch (item->action)
        {
        case ACTION_REMOVE_LOCAL:
        case ACTION_REMOVE_REMOTE:
          g_hash_table_remove (sync->manifest, item->path);
          continue;
        case ACTION_PUSH:
        case ACTION_CHECK:
          if (!uploaded)
            {
              /* The sandbox's side is known now: only the workspace's still has to go up. */
              entry = g_hash_table_lookup (sync->manifest, item->path);
              if (entry == NULL)
                {
                  entry = entry_new ();
                  g_hash_table_insert (sync->manifest, g_strdup (item->path), entry);
                }
              entry->rsize = item->rsize;
              entry->rmtime = item->rmtime;
              continue;
            }
          break;
        case ACTION_RECORD:
        case ACTION_PULL:
        default:
          break;
        }
      entry = entry_new ();
      if (item->local != NULL)
        {
          entry->size = item->local->size;
          entry->mtime = item->local->mtime;
          entry->hash = g_strdup (item->local->hash);
        }
      entry->rsize = item->rsize;
      entry->rmtime = item->rmtime;
      g_hash_table_insert (sync->manifest, g_strdup (item->path), entry);
    }
}

static Local *
local_from_path (const char *path)
{
  struct stat st;
  Local *local;

  if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return NULL;
  local = g_new0 (Local, 1);
  local->size = st.st_size;
  local->mtime = stat_mtime (&st);
  local->hash = hash_file (path);
  return local;
}

static gboolean
same_as_scanned (const char  *path,
                 const Local *local)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    return local == NULL;
  return local != NULL && S_ISREG (st.st_mode) && st.st_size == local->size &&
         stat_mtime (&st) == local->mtime;
}

/* A file that is executable in the sandbox (a script, a built tool) is executable in the
 * workspace too: the download is made with the usual mode, and gets x wherever it has r. */
static void
keep_exec_bits (const char *temp,
                guint       remote_mode)
{
  struct stat st;
  mode_t mode;

  if ((remote_mode & S_IXUSR) == 0 || stat (temp, &st) != 0)
    return;
  mode = st.st_mode & 07777;
  mode |= S_IXUSR | ((mode & S_IRGRP) ? S_IXGRP : 0) | ((mode & S_IROTH) ? S_IXOTH : 0);
  if (chmod (temp, mode) != 0)
    g_debug ("Could not make “%s” executable: %s", temp, g_strerror (errno));
}

/* A folder the sandbox removed goes from the workspace too once its files went, when nothing
 * else is in it (rmdir refuses a folder that is not empty). */
static void
remove_empty_parents (CcWorkspaceMirror *self,
                      Sync              *sync,
                      const char        *relative)
{
  g_autofree char *dir = g_path_get_dirname (relative);

  while (!g_str_equal (dir, ".") && !g_hash_table_contains (sync->remote_dirs, dir))
    {
      g_autofree char *path = g_build_filename (self->workspace, dir, NULL);
      char *parent;

      if (g_rmdir (path) != 0)
        break;
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
}

static void
apply_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CcWorkspaceMirror *self = source_object;
  Sync *sync = task_data;
  g_autofree char *path = manifest_path (self);
  GError *error = NULL;

  sync->pushes = g_ptr_array_new ();
  for (guint i = 0; i < sync->items->len; i++)
    {
      Item *item = g_ptr_array_index (sync->items, i);
      g_autofree char *target = g_build_filename (self->workspace, item->path, NULL);

      switch (item->action)
        {
        case ACTION_RECORD:
          item->done = TRUE;
          break;
        case ACTION_PUSH:
          item->done = TRUE;
          g_ptr_array_add (sync->pushes, item->path);
          break;
        case ACTION_REMOVE_REMOTE:
          break;        /* done after the upload, by the main thread */
        case ACTION_REMOVE_LOCAL:
          /* Changed since the scan: it is the person's again, and goes up next time. */
          if (same_as_scanned (target, item->local) && g_unlink (target) == 0)
            {
              item->done = TRUE;
              sync->summary->removed++;
              remove_empty_parents (self, sync, item->path);
            }
          break;
        case ACTION_CHECK:
        case ACTION_PULL:
          {
            g_autofree char *hash = NULL;
            gboolean conflict;

            if (item->temp == NULL)
              break;    /* gone from the sandbox meanwhile: the next sync sees it */
            hash = hash_file (item->temp);
            if (item->action == ACTION_CHECK && item->local != NULL &&
                g_strcmp0 (hash, item->local->hash) == 0)
              {
                item->action = ACTION_RECORD;
                item->done = TRUE;
                break;
              }
            if (!prepare_parents (self->workspace, item->path))
              {
                sync->summary->skipped++;
                break;
              }
            keep_exec_bits (item->temp, item->rmode);
            /* The person may have edited it since the scan: that is a conflict too. */
            conflict = item->action == ACTION_CHECK || !same_as_scanned (target, item->local);
            if (conflict)
              {
                g_autofree char *full = NULL;
                Local *now;

                item->copy = conflict_name (self->workspace, item->path);
                if (item->copy == NULL)
                  break;
                full = g_build_filename (self->workspace, item->copy, NULL);
                if (g_rename (item->temp, full) != 0)
                  {
                    g_debug ("Could not keep the sandbox's copy of “%s”: %s", item->path,
                             g_strerror (errno));
                    sync->summary->skipped++;
                    break;
                  }
                g_clear_pointer (&item->temp, g_free);
                now = local_from_path (full);
                if (now != NULL)
                  g_hash_table_insert (sync->local, g_strdup (item->copy), now);
                g_ptr_array_add (sync->conflicts, g_strdup (item->copy));
                item->action = ACTION_CHECK;
                item->done = TRUE;
                g_ptr_array_add (sync->pushes, item->path);
                g_ptr_array_add (sync->pushes, item->copy);
                break;
              }
            if (g_rename (item->temp, target) != 0)
              {
                int saved = errno;

                if (saved == ENOSPC)
                  {
                    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                 _("The disk holding the workspace %s is full. Make room, then "
                                   "sync again: nothing was lost."), self->workspace);
                    break;
                  }
                g_debug ("Could not bring “%s” into the workspace: %s", item->path,
                         g_strerror (saved));
                sync->summary->skipped++;
                break;
              }
            g_clear_pointer (&item->temp, g_free);
            {
              Local *now = local_from_path (target);

              if (now != NULL)
                {
                  g_hash_table_replace (sync->local, g_strdup (item->path), now);
                  item->local = now;
                }
            }
            item->done = TRUE;
            sync->summary->pulled++;
          }
          break;
        default:
          break;
        }
      if (error != NULL)
        break;
    }
  /* The conflict copies are pushed under their own names: give them items of their own. */
  for (guint i = 0, n = sync->items->len; i < n; i++)
    {
      Item *item = g_ptr_array_index (sync->items, i);
      Item *copy;

      if (item->copy == NULL)
        continue;
      copy = g_new0 (Item, 1);
      copy->path = g_strdup (item->copy);
      copy->action = ACTION_PUSH;
      copy->local = g_hash_table_lookup (sync->local, item->copy);
      copy->rsize = -1;
      copy->done = TRUE;
      g_ptr_array_add (sync->items, copy);
    }
  manifest_update (sync, FALSE);
  if (error == NULL && !manifest_save (path, sync->sandbox_id, sync->manifest, &error))
    g_prefix_error (&error, _("Could not record the sync of the workspace: "));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CcWorkspaceMirror *self = source_object;
  Sync *sync = task_data;
  g_autofree char *path = manifest_path (self);
  GError *error = NULL;

  manifest_update (sync, TRUE);
  if (!manifest_save (path, sync->sandbox_id, sync->manifest, &error))
    {
      g_prefix_error (&error, _("Could not record the sync of the workspace: "));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- the steps on the main context ------------------------------------------------------- */

static char *
relative_of (const char *sandbox_path)
{
  const char *rest;

  if (!g_str_has_prefix (sandbox_path, SANDBOX_HOME "/"))
    return NULL;
  rest = sandbox_path + strlen (SANDBOX_HOME "/");
  /* The daemon's own names are canonical; anything else is not followed. */
  if (*rest == '\0' || strstr (rest, "//") != NULL || g_str_has_prefix (rest, "../") ||
      strstr (rest, "/../") != NULL || g_str_has_suffix (rest, "/..") ||
      g_str_equal (rest, "..") || g_str_has_prefix (rest, "./") || strstr (rest, "/./") != NULL)
    return NULL;
  return g_strdup (rest);
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_return (task, error);
      return;
    }
  sync_return (task, NULL);
}

static void
relisted_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) sent = NULL;
  g_autoptr(GTask) finish = NULL;
  GError *error = NULL;

  entries = cc_envd_list_dir_finish (CC_ENVD (source), result, &error);
  if (entries == NULL)
    {
      sync_return (task, error);
      return;
    }
  /* What the sandbox says of the files we sent is what the next sync compares against. */
  sent = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < sync->items->len; i++)
    {
      Item *item = g_ptr_array_index (sync->items, i);

      if (item->action == ACTION_PUSH || item->action == ACTION_CHECK)
        {
          item->rsize = -1;
          g_hash_table_insert (sent, item->path, item);
        }
    }
  for (guint i = 0; i < entries->len; i++)
    {
      CcEntryInfo *entry = g_ptr_array_index (entries, i);
      g_autofree char *relative = relative_of (entry->path);
      Item *item;

      if (relative == NULL || entry->type != CC_FILE_TYPE_FILE ||
          (item = g_hash_table_lookup (sent, relative)) == NULL)
        continue;
      item->rsize = entry->size;
      item->rmtime = entry->modified_time;
    }
  finish = g_task_new (self, g_task_get_cancellable (task), finished_cb, task);
  g_task_set_task_data (finish, sync, NULL);
  g_task_run_in_thread (finish, finish_thread);
}

static void upload_next (GTask *task);

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  Item *item = g_ptr_array_index (sync->items, sync->next);
  GError *error = NULL;

  if (!cc_envd_remove_finish (CC_ENVD (source), result, &error))
    {
      sync_return (task, error);
      return;
    }
  item->done = TRUE;
  sync->summary->removed++;
  sync->next++;
  upload_next (task);
}

/* Removals in the sandbox, one by one, after every upload. */
static void
remove_next (GTask *task)
{
  Sync *sync = g_task_get_task_data (task);

  for (; sync->next < sync->items->len; sync->next++)
    {
      Item *item = g_ptr_array_index (sync->items, sync->next);
      g_autofree char *remote = NULL;

      if (item->action != ACTION_REMOVE_REMOTE)
        continue;
      remote = g_strconcat (SANDBOX_HOME "/", item->path, NULL);
      cc_envd_remove_async (sync->envd, remote, g_task_get_cancellable (task), removed_cb, task);
      return;
    }
  cc_envd_list_dir_async (sync->envd, SANDBOX_HOME, LIST_DEPTH, g_task_get_cancellable (task),
                          relisted_cb, task);
}

static void
uploaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(GPtrArray) entries = NULL;
  GError *error = NULL;

  entries = cc_envd_upload_files_finish (CC_ENVD (source), result, &error);
  sync->moved += sync->batch_bytes;
  if (entries == NULL)
    {
      if (g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_DISK_FULL))
        g_prefix_error (&error, _("The sandbox's disk is full; nothing was lost, and the "
                                  "workspace still has every file: "));
      sync_return (task, error);
      return;
    }
  sync->summary->pushed += entries->len;
  upload_next (task);
}

static void chmod_next (GTask *task);

static void
chmod_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  int code = 0;

  /* A file that stays without its x bit loses nothing: said, not failed. */
  if (!cc_remote_process_wait_finish (CC_REMOTE_PROCESS (source), result, &code, &error) || code != 0)
    g_debug ("Executable files stay without their x bit in the sandbox: %s",
             error != NULL ? error->message : "chmod failed");
  chmod_next (task);
}

static void
chmod_started_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcRemoteProcess) process = cc_envd_start_process_finish (CC_ENVD (source), result, &error);

  if (process == NULL)
    {
      g_debug ("Executable files stay without their x bit in the sandbox: %s", error->message);
      chmod_next (task);
      return;
    }
  cc_remote_process_wait_async (process, g_task_get_cancellable (task), chmod_done_cb, task);
}

/* The upload carries no mode (as E2B's does not): what is executable in the workspace is made
 * executable in the sandbox with chmod, in batches of BATCH_FILES. Then the removals. */
static void
chmod_next (GTask *task)
{
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(CcProcessSpec) spec = NULL;
  g_autoptr(GPtrArray) args = NULL;

  if (sync->executables == NULL || sync->executables->len == 0)
    {
      sync->next = 0;
      remove_next (task);
      return;
    }
  args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (args, g_strdup ("+x"));
  g_ptr_array_add (args, g_strdup ("--"));
  while (sync->executables->len > 0 && args->len < BATCH_FILES + 2)
    g_ptr_array_add (args, g_ptr_array_steal_index_fast (sync->executables, sync->executables->len - 1));
  g_ptr_array_add (args, NULL);
  spec = g_new0 (CcProcessSpec, 1);
  spec->cmd = g_strdup ("chmod");
  spec->args = (GStrv) g_ptr_array_free (g_steal_pointer (&args), FALSE);
  spec->timeout_ms = 60000;
  cc_envd_start_process_async (sync->envd, spec, g_task_get_cancellable (task), chmod_started_cb, task);
}

/* @done counts the multipart framing too: close enough, and capped at the batch's files. */
static void
upload_progress_cb (goffset  done,
                    goffset  total,
                    gpointer user_data)
{
  Sync *sync = user_data;

  set_progress (sync->mirror, sync->moved + MIN ((guint64) MAX (done, 0), sync->batch_bytes),
                sync->mirror->progress_total);
}

/* Uploads the next batch of pushes (by count and bytes), then the removals. */
static void
upload_next (GTask *task)
{
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(GPtrArray) batch = NULL;
  goffset bytes = 0;

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_upload_file_free);
  while (sync->pushes->len > 0 && batch->len < BATCH_FILES && bytes < BATCH_BYTES)
    {
      const char *relative = g_ptr_array_index (sync->pushes, sync->pushes->len - 1);
      g_autofree char *path = g_build_filename (self->workspace, relative, NULL);
      g_autofree char *remote = g_strconcat (SANDBOX_HOME "/", relative, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) input = NULL;
      struct stat st;

      g_ptr_array_remove_index (sync->pushes, sync->pushes->len - 1);
      /* Checked again at the last moment: a symlink made since the scan is not followed. */
      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      input = g_file_read (file, NULL, NULL);
      if (input == NULL)
        continue;
      if (st.st_mode & S_IXUSR)
        {
          if (sync->executables == NULL)
            sync->executables = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (sync->executables, g_strdup (remote));
        }
      g_ptr_array_add (batch, cc_upload_file_new_stream (remote, G_INPUT_STREAM (input),
                                                         st.st_size));
      bytes += st.st_size;
    }
  if (batch->len > 0)
    {
      sync->batch_bytes = bytes;
      cc_envd_upload_files_async (sync->envd, batch, upload_progress_cb, sync, NULL,
                                  g_task_get_cancellable (task), uploaded_cb, task);
      return;
    }
  chmod_next (task);
}

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_return (task, error);
      return;
    }
  upload_next (task);
}

static void
apply (GTask *task)
{
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(GTask) step = g_task_new (self, g_task_get_cancellable (task), applied_cb, task);

  g_task_set_task_data (step, sync, NULL);
  g_task_run_in_thread (step, apply_thread);
}

static void download_next (GTask *task);

static void
forward_cancel_cb (GCancellable *sync_cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* The listing said how big each file was; a file that grows meanwhile may take what is left of
 * the room, and no more. */
static void
download_progress_cb (goffset  done,
                      goffset  total,
                      gpointer user_data)
{
  Sync *sync = user_data;

  sync->taken = done;
  set_progress (sync->mirror, sync->moved + MAX (done, 0), sync->mirror->progress_total);
  if (done > 0 && (guint64) done > sync->room && !sync->over_room)
    {
      sync->over_room = TRUE;
      g_cancellable_cancel (sync->download_cancellable);
    }
}

/* Whether what comes back fits on the workspace's disk (and the state folder's, where it waits)
 * with room to spare; FALSE once the sync has failed, naming the largest files. Sets the room
 * each download may take. */
static gboolean
check_room (CcWorkspaceMirror *self,
            Sync              *sync,
            GTask             *task)
{
  const char *dirs[] = { self->workspace, self->state_dir };
  guint64 needed = 0, room = G_MAXUINT64;
  Item *largest = NULL;

  for (guint i = 0; i < sync->items->len; i++)
    {
      Item *item = g_ptr_array_index (sync->items, i);

      if ((item->action != ACTION_PULL && item->action != ACTION_CHECK) || item->rsize <= 0)
        continue;
      needed += (guint64) item->rsize;
      if (largest == NULL || item->rsize > largest->rsize)
        largest = item;
    }
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      struct statvfs fs;
      guint64 free_bytes, keep;

      if (statvfs (dirs[i], &fs) != 0)
        continue;
      free_bytes = (guint64) fs.f_bavail * fs.f_frsize;
      keep = MAX (MIN_FREE_BYTES, (guint64) fs.f_blocks * fs.f_frsize / 1000 * MIN_FREE_PER_MILLE);
      room = MIN (room, free_bytes > keep ? free_bytes - keep : 0);
    }
  if (needed > room)
    {
      g_autofree char *needed_text = g_format_size (needed);
      g_autofree char *room_text = g_format_size (room);
      g_autofree char *largest_text = g_format_size (largest->rsize);

      sync_return (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                      _("The sandbox's files to bring back (%s, the largest "
                                        "“%s” with %s) do not fit in the room left on the "
                                        "workspace's disk (%s). Nothing was changed in the "
                                        "workspace. Remove large files in the sandbox, or make "
                                        "room, then sync again."),
                                      needed_text, largest->path, largest_text, room_text));
      return FALSE;
    }
  /* Each download takes what it writes from the room; a file that grew since the listing may
   * take what is left, and no more. */
  sync->room = room;
  return TRUE;
}

/* A download whose length differs from the listing's: kept when the file now is that long,
 * left for the next sync when it changed otherwise, and a failed sync when it did not change at
 * all (the body was cut short). */
static void
recheck_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  Item *item = g_ptr_array_index (sync->items, sync->next);
  g_autoptr(GError) error = NULL;
  CcEntryInfo *entry = cc_envd_stat_finish (CC_ENVD (source), result, &error);

  if (entry != NULL && entry->size == sync->got)
    {
      item->rsize = entry->size;
      item->rmtime = entry->modified_time;
      item->rmode = entry->mode;
    }
  else if (entry != NULL && entry->size == item->rsize && entry->modified_time == item->rmtime)
    {
      g_autofree char *got = g_format_size (sync->got);
      g_autofree char *size = g_format_size (item->rsize);

      cc_entry_info_free (entry);
      sync_return (task, g_error_new (CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NETWORK,
                                      _("“%s” came back cut short (%s of %s): the connection "
                                        "ended early. Nothing was changed in the workspace, and "
                                        "the next sync tries again."),
                                      item->path, got, size));
      return;
    }
  else if (entry != NULL || g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND))
    {
      g_unlink (item->temp);
      g_clear_pointer (&item->temp, g_free);
    }
  else
    {
      g_prefix_error (&error, _("Could not bring “%s” back from the sandbox; nothing was "
                                "changed in the workspace, and the next sync tries again: "),
                      item->path);
      sync_return (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&entry, cc_entry_info_free);
  sync->next++;
  download_next (task);
}

static void
downloaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  Item *item = g_ptr_array_index (sync->items, sync->next);
  GError *error = NULL;
  gboolean closed;
  gssize got;

  closed = g_output_stream_close (G_OUTPUT_STREAM (sync->output), NULL, NULL);
  g_clear_object (&sync->output);
  download_cancellable_clear (sync);
  got = cc_envd_download_finish (CC_ENVD (source), result, &error);
  if (got < 0 && sync->over_room)
    {
      g_autofree char *room = g_format_size (sync->room);

      g_clear_error (&error);
      sync_return (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                      _("“%s” grew in the sandbox while it was brought back, past "
                                        "the room left on the workspace's disk (%s). Nothing was "
                                        "changed in the workspace. Make the file smaller or "
                                        "remove it in the sandbox, or make room, then sync again."),
                                      item->path, room));
      return;
    }
  if (error != NULL)
    {
      if (g_error_matches (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_NOT_FOUND))
        {
          g_clear_error (&error);
          g_unlink (item->temp);
          g_clear_pointer (&item->temp, g_free);
        }
      else
        {
          g_prefix_error (&error, _("Could not bring “%s” back from the sandbox; nothing was "
                                    "changed in the workspace, and the next sync tries again: "),
                          item->path);
          sync_return (task, error);
          return;
        }
    }
  else if (!closed)
    {
      sync_return (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                                      _("Could not keep “%s” from the sandbox: the disk of the "
                                        "workspace may be full. Make room, then sync again."),
                                      item->path));
      return;
    }
  sync->room = sync->room > sync->taken ? sync->room - sync->taken : 0;
  sync->moved += sync->taken;
  if (error == NULL && item->rsize >= 0 && got != item->rsize)
    {
      g_autofree char *remote = g_strconcat (SANDBOX_HOME "/", item->path, NULL);

      /* A body without a length ends where the connection does; the file may also have
       * changed since the listing. The sandbox says which. */
      sync->got = got;
      cc_envd_stat_async (sync->envd, remote, g_task_get_cancellable (task), recheck_cb, task);
      return;
    }
  sync->next++;
  download_next (task);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  Item *item = g_ptr_array_index (sync->items, sync->next);
  g_autofree char *remote = g_strconcat (SANDBOX_HOME "/", item->path, NULL);
  GError *error = NULL;

  sync->output = g_file_replace_finish (G_FILE (source), result, &error);
  if (sync->output == NULL)
    {
      g_prefix_error (&error, _("Could not keep a file from the sandbox: "));
      sync_return (task, error);
      return;
    }
  /* Its own cancellable, so that a file growing past the room is stopped alone; the sync's
   * cancellable reaches it too. */
  sync->download_cancellable = g_cancellable_new ();
  if (g_task_get_cancellable (task) != NULL)
    {
      sync->sync_cancellable = g_object_ref (g_task_get_cancellable (task));
      sync->download_forward = g_cancellable_connect (sync->sync_cancellable,
                                                      G_CALLBACK (forward_cancel_cb),
                                                      g_object_ref (sync->download_cancellable),
                                                      g_object_unref);
    }
  sync->taken = 0;
  cc_envd_download_async (sync->envd, remote, G_OUTPUT_STREAM (sync->output), download_progress_cb,
                          sync, NULL, sync->download_cancellable, downloaded_cb, task);
}

/* Every file that comes back is downloaded whole before anything in the workspace changes. */
static void
download_next (GTask *task)
{
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);

  if (sync->next == 0 && !check_room (self, sync, task))
    return;
  for (; sync->next < sync->items->len; sync->next++)
    {
      Item *item = g_ptr_array_index (sync->items, sync->next);
      g_autofree char *name = NULL;
      g_autofree char *incoming = NULL;
      g_autoptr(GFile) file = NULL;

      if (item->action != ACTION_PULL && item->action != ACTION_CHECK)
        continue;
      name = g_strdup_printf ("%u", sync->next);
      incoming = temp_dir (self);
      item->temp = g_build_filename (incoming, name, NULL);
      file = g_file_new_for_path (item->temp);
      /* The state folder is private already; the file keeps the usual mode once in place. */
      g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                            G_PRIORITY_DEFAULT, g_task_get_cancellable (task), opened_cb, task);
      return;
    }
  apply (task);
}

static void
planned_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Sync *sync = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_return (task, error);
      return;
    }
  {
    guint64 total = 0;

    for (guint i = 0; i < sync->items->len; i++)
      {
        Item *item = g_ptr_array_index (sync->items, i);

        if ((item->action == ACTION_PULL || item->action == ACTION_CHECK) && item->rsize > 0)
          total += item->rsize;
        if (item->action == ACTION_PUSH && item->local != NULL && item->local->size > 0)
          total += item->local->size;
      }
    sync->moved = 0;
    set_progress (sync->mirror, 0, total);
  }
  sync->next = 0;
  download_next (task);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GTask) plan = NULL;
  GError *error = NULL;

  entries = cc_envd_list_dir_finish (CC_ENVD (source), result, &error);
  if (entries == NULL)
    {
      sync_return (task, error);
      return;
    }
  /* Read once per sync, here, before the scan thread uses them. */
  load_rules (self);
  sync->remote = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) cc_entry_info_free);
  sync->remote_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++)
    {
      CcEntryInfo *entry = g_ptr_array_index (entries, i);
      g_autofree char *relative = relative_of (entry->path);

      if (relative != NULL && entry->type == CC_FILE_TYPE_DIRECTORY)
        g_hash_table_add (sync->remote_dirs, g_steal_pointer (&relative));
      if (relative == NULL || entry->type != CC_FILE_TYPE_FILE)
        {
          /* Links never come back, wherever they point; folders come with their files. */
          if (entry->type != CC_FILE_TYPE_DIRECTORY)
            sync->summary->skipped++;
          continue;
        }
      if (_cc_workspace_mirror_is_excluded (self, relative, FALSE))
        continue;
      g_hash_table_insert (sync->remote, g_steal_pointer (&relative), cc_entry_info_copy (entry));
    }
  plan = g_task_new (self, g_task_get_cancellable (task), planned_cb, task);
  g_task_set_task_data (plan, sync, NULL);
  g_task_run_in_thread (plan, plan_thread);
}

static void
sync_start (GTask *task)
{
  CcWorkspaceMirror *self = g_task_get_source_object (task);
  Sync *sync = g_task_get_task_data (task);

  self->busy = TRUE;
  set_state (self, CC_SYNC_STATE_SYNCING);
  cc_envd_list_dir_async (sync->envd, SANDBOX_HOME, LIST_DEPTH, g_task_get_cancellable (task),
                          listed_cb, task);
}

void
cc_workspace_mirror_sync_async (CcWorkspaceMirror   *self,
                                CcEnvd              *envd,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  Sync *sync;

  g_return_if_fail (CC_IS_WORKSPACE_MIRROR (self));
  g_return_if_fail (CC_IS_ENVD (envd));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_workspace_mirror_sync_async);
  sync = g_new0 (Sync, 1);
  sync->mirror = self;
  sync->envd = g_object_ref (envd);
  sync->sandbox_id = g_strdup (cc_envd_get_sandbox_id (envd));
  sync->summary = g_new0 (CcSyncSummary, 1);
  sync->conflicts = g_ptr_array_new_with_free_func (g_free);
  sync->lock_fd = -1;
  g_task_set_task_data (task, sync, (GDestroyNotify) sync_free);
  if (self->busy)
    {
      g_queue_push_tail (&self->waiting, task);
      return;
    }
  sync_start (task);
}

CcSyncSummary *
cc_workspace_mirror_sync_finish (CcWorkspaceMirror  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  CcSyncSummary *summary;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  summary = g_task_propagate_pointer (G_TASK (result), error);
  if (summary != NULL && summary->conflicts != NULL)
    for (guint i = 0; summary->conflicts[i] != NULL; i++)
      g_signal_emit (self, signals[SIGNAL_CONFLICT], 0, summary->conflicts[i]);
  return summary;
}

/* ---- the live pull ----------------------------------------------------------------------- */

#define LIVE_DELAY_MS 50   /* events of one write come in a burst: one sync for them all */

/* A sync nobody waits for (@user_data says which, for the log): a failure shows as the
 * project's sync state (offline), the workspace is unchanged, and the next sync completes it. */
static void
unattended_synced_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CcSyncSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = cc_workspace_mirror_sync_finish (CC_WORKSPACE_MIRROR (source), result, &error);
  if (summary == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("%s of %s failed: %s", (const char *) user_data,
             cc_workspace_mirror_get_workspace (CC_WORKSPACE_MIRROR (source)), error->message);
}

static gboolean
live_fire_cb (gpointer user_data)
{
  CcWorkspaceMirror *self = user_data;

  self->live_id = 0;
  if (self->watch_envd == NULL)
    return G_SOURCE_REMOVE;
  /* One sync at a time: a burst during a sync waits for its end rather than queue many. */
  if (self->busy)
    {
      self->live_id = g_timeout_add (LIVE_DELAY_MS, live_fire_cb, self);
      return G_SOURCE_REMOVE;
    }
  cc_workspace_mirror_sync_async (self, self->watch_envd, self->watch_cancellable,
                                  unattended_synced_cb, (gpointer) "A live sync");
  return G_SOURCE_REMOVE;
}

static void
live_schedule (CcWorkspaceMirror *self)
{
  if (self->live_id == 0)
    self->live_id = g_timeout_add (LIVE_DELAY_MS, live_fire_cb, self);
}

static void
watch_event_cb (CcFsEventType      type,
                const char        *name,
                const CcEntryInfo *entry,
                gpointer           user_data)
{
  g_autoptr(CcWorkspaceMirror) self = g_weak_ref_get (user_data);

  if (self == NULL)
    return;
  /* STARTED: whatever changed before the watch began is caught by one sync now. Events in
   * excluded folders (an install writing node_modules) cost nothing. */
  if (type != CC_FS_EVENT_STARTED &&
      (name == NULL || _cc_workspace_mirror_is_excluded (self, name, FALSE)))
    return;
  live_schedule (self);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
watch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CcWorkspaceMirror) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;

  if (!cc_envd_watch_dir_finish (CC_ENVD (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("The watch of a mirrored sandbox ended: %s", error->message);
  /* Ended with its sandbox (paused, killed, gone): the next connection watches again. */
  if (self != NULL && self->watch_envd == CC_ENVD (source))
    cc_workspace_mirror_stop_watch (self);
  weak_ref_free (user_data);
}

/* Local edits (the person's editor, a file manager) start the same sync, through a monitor
 * on each folder of the workspace that is not excluded, within a bound: inotify watches are a
 * shared budget, and past it local edits still go up with the next sync. */
#define MAX_MONITORS 2000

static void monitor_tree (CcWorkspaceMirror *self, const char *relative, guint level);

static void
on_local_changed (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  CcWorkspaceMirror *self)
{
  g_autoptr(GFile) top = g_file_new_for_path (self->workspace);
  g_autofree char *relative = g_file_get_relative_path (top, file);
  GFileType type;

  if (relative == NULL || !g_utf8_validate (relative, -1, NULL))
    return;
  type = g_file_query_file_type (file, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL);
  if (_cc_workspace_mirror_is_excluded (self, relative, type == G_FILE_TYPE_DIRECTORY))
    return;
  if (event == G_FILE_MONITOR_EVENT_CREATED && type == G_FILE_TYPE_DIRECTORY)
    monitor_tree (self, relative, 0);
  live_schedule (self);
}

static void
monitor_tree (CcWorkspaceMirror *self,
              const char        *relative,
              guint              level)
{
  g_autofree char *path = *relative ? g_build_filename (self->workspace, relative, NULL)
                                    : g_strdup (self->workspace);
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GDir) handle = NULL;
  GFileMonitor *monitor;
  const char *name;

  if (self->monitors == NULL || level > LIST_DEPTH ||
      g_hash_table_size (self->monitors) >= MAX_MONITORS ||
      g_hash_table_contains (self->monitors, relative))
    return;
  dir = g_file_new_for_path (path);
  monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
  if (monitor == NULL)
    return;
  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_local_changed), self, 0);
  g_hash_table_insert (self->monitors, g_strdup (relative), monitor);
  handle = g_dir_open (path, 0, NULL);
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = *relative ? g_strconcat (relative, "/", name, NULL)
                                         : g_strdup (name);
      g_autofree char *child_path = g_build_filename (self->workspace, child, NULL);
      struct stat st;

      if (lstat (child_path, &st) == 0 && S_ISDIR (st.st_mode) &&
          g_utf8_validate (child, -1, NULL) &&
          !_cc_workspace_mirror_is_excluded (self, child, TRUE))
        monitor_tree (self, child, level + 1);
    }
}

/**
 * cc_workspace_mirror_watch:
 * @self: a #CcWorkspaceMirror
 * @envd: the sandbox now connected
 *
 * Brings what the sandbox changes back into the workspace as it happens: a recursive WatchDir
 * on its home, and a sync shortly after each burst of events outside excluded folders. Nothing
 * polls; the watch ends with the sandbox. Watching the sandbox already watched does nothing.
 */
void
cc_workspace_mirror_watch (CcWorkspaceMirror *self,
                           CcEnvd            *envd)
{
  GWeakRef *events_ref;
  GWeakRef *done_ref;

  g_return_if_fail (CC_IS_WORKSPACE_MIRROR (self));
  g_return_if_fail (CC_IS_ENVD (envd));

  if (self->watch_envd != NULL &&
      g_strcmp0 (cc_envd_get_sandbox_id (self->watch_envd), cc_envd_get_sandbox_id (envd)) == 0)
    return;
  cc_workspace_mirror_stop_watch (self);
  self->watch_envd = g_object_ref (envd);
  self->watch_cancellable = g_cancellable_new ();
  events_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (events_ref, self);
  done_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (done_ref, self);
  cc_envd_watch_dir_async (envd, SANDBOX_HOME, TRUE, FALSE, 0, watch_event_cb, events_ref,
                           weak_ref_free, self->watch_cancellable, watch_done_cb, done_ref);
  if (self->rules == NULL)
    load_rules (self);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  monitor_tree (self, "", 0);
}

void
cc_workspace_mirror_stop_watch (CcWorkspaceMirror *self)
{
  g_return_if_fail (CC_IS_WORKSPACE_MIRROR (self));

  g_clear_handle_id (&self->live_id, g_source_remove);
  if (self->monitors != NULL)
    {
      GHashTableIter iter;
      gpointer monitor;

      g_hash_table_iter_init (&iter, self->monitors);
      while (g_hash_table_iter_next (&iter, NULL, &monitor))
        g_file_monitor_cancel (monitor);
      g_clear_pointer (&self->monitors, g_hash_table_unref);
    }
  if (self->watch_cancellable != NULL)
    g_cancellable_cancel (self->watch_cancellable);
  g_clear_object (&self->watch_cancellable);
  g_clear_object (&self->watch_envd);
}

/* ---- the full sync before the end ------------------------------------------------------- */

/* How long before its end a sandbox is synced in full: time for a large pull; what changes
 * after it comes back through the live pull. */
#define FINAL_LEAD_S 30

static gboolean
final_fire_cb (gpointer user_data)
{
  CcWorkspaceMirror *self = user_data;

  self->final_id = 0;
  cc_workspace_mirror_sync_async (self, self->final_envd, self->final_cancellable,
                                  unattended_synced_cb, (gpointer) "The sync before the end");
  return G_SOURCE_REMOVE;
}

/**
 * cc_workspace_mirror_sync_before:
 * @self: a #CcWorkspaceMirror
 * @envd: (nullable): the sandbox, or %NULL when it no longer runs
 * @end_time: when it ends (unix µs), as the keep-alive knows it; 0 when unknown
 *
 * Plans one full sync shortly before the sandbox ends, so nothing made in it is lost with it,
 * with or without the live pull. Each call replaces the plan (an extended sandbox moves it);
 * %NULL cancels it, and a sync it started. A timer, not polling.
 */
void
cc_workspace_mirror_sync_before (CcWorkspaceMirror *self,
                                 CcEnvd            *envd,
                                 gint64             end_time)
{
  gint64 left, delay;

  g_return_if_fail (CC_IS_WORKSPACE_MIRROR (self));
  g_return_if_fail (envd == NULL || CC_IS_ENVD (envd));

  g_clear_handle_id (&self->final_id, g_source_remove);
  if (envd != self->final_envd)
    {
      if (self->final_cancellable != NULL)
        g_cancellable_cancel (self->final_cancellable);
      g_clear_object (&self->final_cancellable);
      g_set_object (&self->final_envd, envd);
      if (envd != NULL)
        self->final_cancellable = g_cancellable_new ();
    }
  left = end_time - g_get_real_time ();
  if (envd == NULL || end_time <= 0 || left <= 0)
    return;
  /* A short-lived sandbox is synced halfway through what is left. */
  delay = MAX (left - FINAL_LEAD_S * G_USEC_PER_SEC, left / 2);
  self->final_id = g_timeout_add_seconds ((guint) (delay / G_USEC_PER_SEC), final_fire_cb, self);
}

/* ---- the object -------------------------------------------------------------------------- */

static void
cc_workspace_mirror_dispose (GObject *object)
{
  cc_workspace_mirror_stop_watch (CC_WORKSPACE_MIRROR (object));
  cc_workspace_mirror_sync_before (CC_WORKSPACE_MIRROR (object), NULL, 0);
  G_OBJECT_CLASS (cc_workspace_mirror_parent_class)->dispose (object);
}

static void
cc_workspace_mirror_finalize (GObject *object)
{
  CcWorkspaceMirror *self = CC_WORKSPACE_MIRROR (object);

  g_free (self->workspace);
  g_free (self->state_dir);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  G_OBJECT_CLASS (cc_workspace_mirror_parent_class)->finalize (object);
}

static void
cc_workspace_mirror_class_init (CcWorkspaceMirrorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cc_workspace_mirror_dispose;
  G_OBJECT_CLASS (klass)->finalize = cc_workspace_mirror_finalize;

  /* The workspace-relative name of the sandbox's copy kept beside a file both sides changed. */
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cc_workspace_mirror_init (CcWorkspaceMirror *self)
{
  g_queue_init (&self->waiting);
}

CcWorkspaceMirror *
cc_workspace_mirror_new (const char *workspace,
                         const char *state_dir)
{
  CcWorkspaceMirror *self;

  g_return_val_if_fail (workspace != NULL, NULL);
  g_return_val_if_fail (state_dir != NULL, NULL);

  self = g_object_new (CC_TYPE_WORKSPACE_MIRROR, NULL);
  self->workspace = g_strdup (workspace);
  self->state_dir = g_strdup (state_dir);
  return self;
}

const char *
cc_workspace_mirror_get_workspace (CcWorkspaceMirror *self)
{
  g_return_val_if_fail (CC_IS_WORKSPACE_MIRROR (self), NULL);
  return self->workspace;
}

CcSyncState
cc_workspace_mirror_get_state (CcWorkspaceMirror *self)
{
  g_return_val_if_fail (CC_IS_WORKSPACE_MIRROR (self), CC_SYNC_STATE_NONE);
  return self->state;
}

double
cc_workspace_mirror_get_progress (CcWorkspaceMirror *self)
{
  g_return_val_if_fail (CC_IS_WORKSPACE_MIRROR (self), -1);
  if (!self->busy || self->progress_total == 0)
    return -1;
  return (double) self->progress_done / (double) self->progress_total;
}
