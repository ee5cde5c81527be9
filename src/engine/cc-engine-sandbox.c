/* cc-engine-sandbox.c: one sandbox of the local engine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sandbox is a home directory, a /tmp directory and a small state file. Paths handed in by
 * clients are mapped to host paths here and nowhere else, so the escape rules live in one place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "cc-engine-metrics.h"
#include "cc-engine-path.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-workspace.h"
#include "cc-protojson.h"

/* Symlinks followed while resolving one path, as the kernel's own limit. */
#define MAX_SYMLINK_DEPTH 40

struct _CcEngineSandbox
{
  GObject parent_instance;

  char *id;
  char *template_id;
  char *access_token;
  char *home_dir;
  char *tmp_dir;
  /* A client's folder mounted as the home: never made, never removed by the engine. */
  char *workspace;
  CcEngineWorkspaceId workspace_id;
  char *state_path;
  CcEngineSandboxState state;
  GHashTable *metadata;
  GHashTable *env_vars;
  gint64 started_at;
  gint64 end_at;
  gboolean auto_pause;
  gboolean auto_resume;
  gboolean internet;
  gboolean nested_userns;
  CcEngineNetworkRules *network_rules;  /* resolved; NULL: all outbound traffic allowed */

  GHashTable *processes;
  /* Ended processes, oldest first, each still connectable for a while. One timer serves them
   * all: a timer each made every iteration of the main loop cost as much as the number of
   * commands ended in the last minute. */
  GQueue ended;  /* of Ended */
  guint ended_id;
  CcEngineLog *log;
  CcEngineMetrics *metrics;
  guint timer_id;
  GSourceFunc timer_func;
  gpointer timer_data;

  gboolean saving;
  gboolean save_again;
  gboolean save_failed;
  gboolean destroyed;
};

G_DEFINE_FINAL_TYPE (CcEngineSandbox, cc_engine_sandbox, G_TYPE_OBJECT)

typedef struct
{
  gint64 until;  /* monotonic */
  GPid pid;
  GObject *process;
} Ended;

static void
ended_free (gpointer data)
{
  Ended *ended = data;

  g_object_unref (ended->process);
  g_free (ended);
}

static void
cc_engine_sandbox_finalize (GObject *object)
{
  CcEngineSandbox *self = CC_ENGINE_SANDBOX (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  cc_engine_sandbox_forget_ended (self);
  g_clear_pointer (&self->processes, g_hash_table_unref);
  g_clear_pointer (&self->log, cc_engine_log_unref);
  g_clear_pointer (&self->metrics, cc_engine_metrics_free);
  g_clear_pointer (&self->metadata, g_hash_table_unref);
  g_clear_pointer (&self->env_vars, g_hash_table_unref);
  g_clear_object (&self->network_rules);
  g_free (self->id);
  g_free (self->template_id);
  if (self->access_token != NULL)
    explicit_bzero (self->access_token, strlen (self->access_token));
  g_free (self->access_token);
  g_free (self->home_dir);
  g_free (self->tmp_dir);
  g_free (self->workspace);
  g_free (self->state_path);

  G_OBJECT_CLASS (cc_engine_sandbox_parent_class)->finalize (object);
}

static void
cc_engine_sandbox_class_init (CcEngineSandboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_sandbox_finalize;
}

static void
cc_engine_sandbox_init (CcEngineSandbox *self)
{
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->env_vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->processes = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->log = cc_engine_log_new (CC_ENGINE_SANDBOX_LOG_CAPACITY);
  self->metrics = cc_engine_metrics_new ();
  self->internet = TRUE;
}

/* Random characters from @alphabet, from the kernel's CSPRNG (ids and tokens must not be
 * guessable by other local users). */
static char *
random_string (const char *alphabet,
               gsize       length)
{
  guint8 raw[64];
  gsize n_alpha = strlen (alphabet);
  char *out = g_malloc (length + 1);
  gsize i;

  g_assert (length <= sizeof raw);
  if (getrandom (raw, length, 0) != (gssize) length)
    {
      for (i = 0; i < length; i++)
        raw[i] = g_random_int_range (0, 256);
    }
  for (i = 0; i < length; i++)
    out[i] = alphabet[raw[i] % n_alpha];
  out[length] = '\0';
  explicit_bzero (raw, sizeof raw);
  return out;
}

static void
set_paths (CcEngineSandbox *self,
           const char      *data_dir)
{
  g_autofree char *state_name = g_strconcat (self->id, ".json", NULL);

  self->home_dir = g_build_filename (data_dir, "sandboxes", self->id, NULL);
  self->tmp_dir = g_build_filename (data_dir, "tmp", self->id, NULL);
  self->state_path = g_build_filename (data_dir, "state", state_name, NULL);
}

gboolean
cc_engine_sandbox_is_valid_id (const char *sandbox_id)
{
  const char *p;

  if (sandbox_id == NULL || *sandbox_id == '\0' || strlen (sandbox_id) > 64)
    return FALSE;
  for (p = sandbox_id; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

CcEngineSandbox *
cc_engine_sandbox_new (const char *data_dir,
                       const char *template_id)
{
  CcEngineSandbox *self = g_object_new (CC_TYPE_ENGINE_SANDBOX, NULL);

  self->id = random_string ("abcdefghijklmnopqrstuvwxyz0123456789", CC_ENGINE_SANDBOX_ID_LENGTH);
  self->access_token = random_string ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 40);
  self->template_id = g_strdup (template_id ? template_id : "base");
  self->state = CC_ENGINE_SANDBOX_RUNNING;
  self->started_at = g_get_real_time ();
  self->end_at = self->started_at;
  set_paths (self, data_dir);
  return self;
}

CcEngineSandbox *
cc_engine_sandbox_new_from_state (const char  *data_dir,
                                  JsonObject  *state,
                                  GError     **error)
{
  g_autoptr(CcEngineSandbox) self = NULL;
  const char *id = cc_protojson_get_string (state, "sandboxID");
  const char *token = cc_protojson_get_string (state, "envdAccessToken");
  const char *state_name = cc_protojson_get_string (state, "state");

  if (!cc_engine_sandbox_is_valid_id (id) || token == NULL || *token == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The saved sandbox state has no valid id or token"));
      return NULL;
    }

  self = g_object_new (CC_TYPE_ENGINE_SANDBOX, NULL);
  self->id = g_strdup (id);
  self->access_token = g_strdup (token);
  self->template_id = g_strdup (cc_protojson_get_string (state, "templateID") ?: "base");
  self->state = g_strcmp0 (state_name, "paused") == 0 ? CC_ENGINE_SANDBOX_PAUSED : CC_ENGINE_SANDBOX_RUNNING;
  self->started_at = cc_protojson_get_int64 (state, "startedAt", g_get_real_time ());
  self->end_at = cc_protojson_get_int64 (state, "endAt", self->started_at);
  self->auto_pause = cc_protojson_get_bool (state, "autoPause", FALSE);
  self->auto_resume = cc_protojson_get_bool (state, "autoResume", FALSE);
  self->internet = cc_protojson_get_bool (state, "allowInternetAccess", TRUE);
  self->nested_userns = cc_protojson_get_bool (state, CC_ENGINE_SANDBOX_NESTED_FIELD, FALSE);
  /* Rules that no longer read (a changed engine) close the sandbox's network, never open it. */
  if (cc_protojson_get_object (state, "networkRules") != NULL)
    {
      g_autoptr(GError) rules_error = NULL;
      gboolean internet = TRUE;

      if (!cc_engine_network_rules_read (cc_protojson_get_object (state, "networkRules"), &internet,
                                         &self->network_rules, &rules_error))
        {
          g_warning ("Sandbox %s: its saved network rules do not read, so it has no outbound "
                     "traffic: %s", id, rules_error->message);
          self->network_rules = cc_engine_network_rules_new_deny_all ();
        }
    }
  cc_protojson_copy_string_map (state, "metadata", self->metadata);
  cc_protojson_copy_string_map (state, "envVars", self->env_vars);
  set_paths (self, data_dir);
  /* Checked again: the folder may have gone or changed while the engine was stopped. */
  if (cc_protojson_get_string (state, "workspace") != NULL &&
      !cc_engine_sandbox_set_workspace (self, cc_protojson_get_string (state, "workspace"),
                                        (const char * const []) { data_dir, NULL }, error))
    return NULL;
  return g_steal_pointer (&self);
}

JsonNode *
cc_engine_sandbox_to_state (CcEngineSandbox *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxID");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "templateID");
  json_builder_add_string_value (builder, self->template_id);
  json_builder_set_member_name (builder, "envdAccessToken");
  json_builder_add_string_value (builder, self->access_token);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, cc_engine_sandbox_state_to_string (self->state));
  json_builder_set_member_name (builder, "startedAt");
  json_builder_add_int_value (builder, self->started_at);
  json_builder_set_member_name (builder, "endAt");
  json_builder_add_int_value (builder, self->end_at);
  json_builder_set_member_name (builder, "autoPause");
  json_builder_add_boolean_value (builder, self->auto_pause);
  json_builder_set_member_name (builder, "autoResume");
  json_builder_add_boolean_value (builder, self->auto_resume);
  json_builder_set_member_name (builder, "allowInternetAccess");
  json_builder_add_boolean_value (builder, self->internet);
  json_builder_set_member_name (builder, CC_ENGINE_SANDBOX_NESTED_FIELD);
  json_builder_add_boolean_value (builder, self->nested_userns);
  if (self->network_rules != NULL)
    {
      json_builder_set_member_name (builder, "networkRules");
      json_builder_add_value (builder, cc_engine_network_rules_to_json (self->network_rules));
    }
  cc_protojson_add_string_map (builder, "metadata", self->metadata);
  cc_protojson_add_string_map (builder, "envVars", self->env_vars);
  if (self->workspace != NULL)
    {
      json_builder_set_member_name (builder, "workspace");
      json_builder_add_string_value (builder, self->workspace);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
copy_string_map (GHashTable *to,
                 GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_remove_all (to);
  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_strdup (value));
}

void
cc_engine_sandbox_adopt (CcEngineSandbox *self,
                         CcEngineSandbox *request)
{
  g_return_if_fail (self->workspace == NULL && request->workspace == NULL);
  g_return_if_fail (self->internet == request->internet && request->network_rules == NULL);
  g_return_if_fail (!self->nested_userns && !request->nested_userns);

  g_free (self->template_id);
  self->template_id = g_strdup (request->template_id);
  copy_string_map (self->metadata, request->metadata);
  copy_string_map (self->env_vars, request->env_vars);
  self->auto_pause = request->auto_pause;
  self->auto_resume = request->auto_resume;
  self->started_at = g_get_real_time ();
  self->end_at = self->started_at;
}

gboolean
cc_engine_sandbox_create_dirs (CcEngineSandbox  *self,
                               GError          **error)
{
  const char *dirs[] = { self->tmp_dir, self->home_dir };

  /* A workspace exists already, and is the person's to make. */
  for (guint i = 0; i < (self->workspace != NULL ? 1 : G_N_ELEMENTS (dirs)); i++)
    {
      if (g_mkdir_with_parents (dirs[i], 0755) != 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not create the sandbox directory %s: %s"), dirs[i], g_strerror (saved));
          return FALSE;
        }
    }
  /* /tmp semantics: everyone may write, nobody may delete others' files. */
  chmod (self->tmp_dir, 01777);
  return TRUE;
}

const char *
cc_engine_sandbox_get_id (CcEngineSandbox *self)
{
  return self->id;
}

const char *
cc_engine_sandbox_get_access_token (CcEngineSandbox *self)
{
  return self->access_token;
}

CcEngineSandboxState
cc_engine_sandbox_get_state (CcEngineSandbox *self)
{
  return self->state;
}

void
cc_engine_sandbox_set_state (CcEngineSandbox      *self,
                             CcEngineSandboxState  state)
{
  self->state = state;
}

const char *
cc_engine_sandbox_state_to_string (CcEngineSandboxState state)
{
  return state == CC_ENGINE_SANDBOX_PAUSED ? "paused" : "running";
}

const char *
cc_engine_sandbox_get_home_dir (CcEngineSandbox *self)
{
  return self->home_dir;
}

gboolean
cc_engine_sandbox_set_workspace (CcEngineSandbox     *self,
                                 const char          *path,
                                 const char * const  *protected_dirs,
                                 GError             **error)
{
  CcEngineWorkspaceId id;

  if (!cc_engine_workspace_check (path, protected_dirs, &id, error))
    return FALSE;
  g_free (self->workspace);
  self->workspace = g_strdup (path);
  self->workspace_id = id;
  g_free (self->home_dir);
  self->home_dir = g_strdup (path);
  return TRUE;
}

const char *
cc_engine_sandbox_get_workspace (CcEngineSandbox            *self,
                                 const CcEngineWorkspaceId **id)
{
  if (id != NULL)
    *id = self->workspace != NULL ? &self->workspace_id : NULL;
  return self->workspace;
}

const char *
cc_engine_sandbox_get_tmp_dir (CcEngineSandbox *self)
{
  return self->tmp_dir;
}

GHashTable *
cc_engine_sandbox_get_env_vars (CcEngineSandbox *self)
{
  return self->env_vars;
}

GHashTable *
cc_engine_sandbox_get_metadata (CcEngineSandbox *self)
{
  return self->metadata;
}

const char *
cc_engine_sandbox_get_template_id (CcEngineSandbox *self)
{
  return self->template_id;
}

gint64
cc_engine_sandbox_get_started_at (CcEngineSandbox *self)
{
  return self->started_at;
}

void
cc_engine_sandbox_set_started_at (CcEngineSandbox *self,
                                  gint64           unix_usec)
{
  self->started_at = unix_usec;
}

gint64
cc_engine_sandbox_get_end_at (CcEngineSandbox *self)
{
  return self->end_at;
}

void
cc_engine_sandbox_set_end_at (CcEngineSandbox *self,
                              gint64           unix_usec)
{
  self->end_at = unix_usec;
}

gboolean
cc_engine_sandbox_get_auto_pause (CcEngineSandbox *self)
{
  return self->auto_pause;
}

void
cc_engine_sandbox_set_auto_pause (CcEngineSandbox *self,
                                  gboolean         auto_pause)
{
  self->auto_pause = auto_pause;
}

gboolean
cc_engine_sandbox_get_auto_resume (CcEngineSandbox *self)
{
  return self->auto_resume;
}

void
cc_engine_sandbox_set_auto_resume (CcEngineSandbox *self,
                                   gboolean         auto_resume)
{
  self->auto_resume = auto_resume;
}

gboolean
cc_engine_sandbox_get_internet (CcEngineSandbox *self)
{
  return self->internet;
}

void
cc_engine_sandbox_set_internet (CcEngineSandbox *self,
                                gboolean         allow)
{
  self->internet = allow;
}

gboolean
cc_engine_sandbox_get_nested_userns (CcEngineSandbox *self)
{
  return self->nested_userns;
}

void
cc_engine_sandbox_set_nested_userns (CcEngineSandbox *self,
                                     gboolean         allow)
{
  self->nested_userns = allow;
}

CcEngineNetworkRules *
cc_engine_sandbox_get_network_rules (CcEngineSandbox *self)
{
  return self->network_rules;
}

void
cc_engine_sandbox_set_network_rules (CcEngineSandbox      *self,
                                     CcEngineNetworkRules *rules)
{
  g_set_object (&self->network_rules, rules);
}

CcEngineLog *
cc_engine_sandbox_get_log (CcEngineSandbox *self)
{
  return self->log;
}

CcEngineMetrics *
cc_engine_sandbox_get_metrics (CcEngineSandbox *self)
{
  return self->metrics;
}

GHashTable *
cc_engine_sandbox_get_processes (CcEngineSandbox *self)
{
  return self->processes;
}

static void arm_ended (CcEngineSandbox *self);

static gboolean
ended_cb (gpointer user_data)
{
  CcEngineSandbox *self = user_data;
  /* The timer has a resolution of seconds: what ends within the next one goes now. */
  gint64 now = g_get_monotonic_time () + G_USEC_PER_SEC;
  Ended *ended;

  self->ended_id = 0;
  while ((ended = g_queue_peek_head (&self->ended)) != NULL && ended->until <= now)
    {
      g_queue_pop_head (&self->ended);
      /* The pid may have been reused by a later process, which stays. */
      if (g_hash_table_lookup (self->processes, GUINT_TO_POINTER (ended->pid)) == ended->process)
        g_hash_table_remove (self->processes, GUINT_TO_POINTER (ended->pid));
      ended_free (ended);
    }
  arm_ended (self);
  return G_SOURCE_REMOVE;
}

static void
arm_ended (CcEngineSandbox *self)
{
  Ended *first = g_queue_peek_head (&self->ended);
  gint64 wait_us;

  if (first == NULL || self->ended_id != 0)
    return;
  wait_us = MAX (first->until - g_get_monotonic_time (), 0);
  self->ended_id = g_timeout_add_seconds ((guint) ((wait_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC),
                                          ended_cb, self);
}

void
cc_engine_sandbox_keep_ended (CcEngineSandbox *self,
                              GPid             pid,
                              gpointer         process)
{
  Ended *ended;

  g_return_if_fail (CC_IS_ENGINE_SANDBOX (self));
  g_return_if_fail (G_IS_OBJECT (process));

  ended = g_new (Ended, 1);
  ended->until = g_get_monotonic_time () + CC_ENGINE_SANDBOX_KEEP_ENDED_S * G_USEC_PER_SEC;
  ended->pid = pid;
  ended->process = g_object_ref (process);
  g_queue_push_tail (&self->ended, ended);
  arm_ended (self);
}

void
cc_engine_sandbox_forget_ended (CcEngineSandbox *self)
{
  g_return_if_fail (CC_IS_ENGINE_SANDBOX (self));

  g_clear_handle_id (&self->ended_id, g_source_remove);
  g_queue_clear_full (&self->ended, ended_free);
}

const char *
cc_engine_sandbox_user_home (const char *user)
{
  if (g_strcmp0 (user, "user") == 0)
    return "/home/user";
  if (g_strcmp0 (user, "root") == 0)
    return "/root";
  return NULL;
}

/* Timer ------------------------------------------------------------------------------------ */

static gboolean
timer_cb (gpointer user_data)
{
  CcEngineSandbox *self = user_data;

  self->timer_id = 0;
  self->timer_func (self->timer_data);
  return G_SOURCE_REMOVE;
}

void
cc_engine_sandbox_arm_timer (CcEngineSandbox *self,
                             GSourceFunc      func,
                             gpointer         user_data)
{
  /* Rounded up, so that the timer never fires before end_at. */
  gint64 delay_ms = (self->end_at - g_get_real_time () + 999) / 1000;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_func = func;
  self->timer_data = user_data;
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) CLAMP (delay_ms, 0, G_MAXINT32),
                                       timer_cb, self, NULL);
}

gboolean
cc_engine_sandbox_has_timer (CcEngineSandbox *self)
{
  return self->timer_id != 0;
}

void
cc_engine_sandbox_disarm_timer (CcEngineSandbox *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
}

/* Paths ------------------------------------------------------------------------------------ */

typedef struct
{
  const char *sandbox_root;
  const char *host_root;
} ViewRoot;

static guint
view_roots (CcEngineSandbox *self,
            const char      *user,
            ViewRoot         roots[3])
{
  guint n = 0;

  roots[n++] = (ViewRoot) { "/home/user", self->home_dir };
  roots[n++] = (ViewRoot) { "/tmp", self->tmp_dir };
  if (g_strcmp0 (user, "root") == 0)
    roots[n++] = (ViewRoot) { "/root", self->home_dir };
  return n;
}

static const char *
strip_root (const char *path,
            const char *root)
{
  gsize len = strlen (root);

  if (strncmp (path, root, len) != 0)
    return NULL;
  if (path[len] == '\0' || path[len] == '/')
    return path + len;
  return NULL;
}

/* A clean absolute sandbox path → host path, lexically; NULL when outside the view. */
static char *
map_lexically (CcEngineSandbox *self,
               const char      *user,
               const char      *clean)
{
  ViewRoot roots[3];
  guint n = view_roots (self, user, roots);

  for (guint i = 0; i < n; i++)
    {
      const char *rest = strip_root (clean, roots[i].sandbox_root);

      if (rest != NULL)
        return g_strconcat (roots[i].host_root, rest, NULL);
    }
  return NULL;
}

static char *
to_absolute (const char *user,
             const char *path)
{
  const char *home = cc_engine_sandbox_user_home (user);

  if (path == NULL || *path == '\0' || g_str_equal (path, "~"))
    return g_strdup (home);
  if (g_str_has_prefix (path, "~/"))
    return g_canonicalize_filename (path + 2, home);
  return g_canonicalize_filename (path, home);
}

/* A symlink's target as a clean sandbox path. Unisolated processes write host paths into their
 * links, so a target inside the sandbox's host directories is mapped back. */
static char *
link_target_to_sandbox (CcEngineSandbox *self,
                        const char      *user,
                        const char      *link_sandbox_dir,
                        const char      *target)
{
  g_autofree char *clean = g_canonicalize_filename (target, link_sandbox_dir);
  g_autofree char *as_sandbox = cc_engine_sandbox_to_sandbox_path (self, user, clean);

  if (as_sandbox != NULL)
    return g_steal_pointer (&as_sandbox);
  return g_steal_pointer (&clean);
}

static char *
resolve_internal (CcEngineSandbox  *self,
                  const char       *user,
                  const char       *clean,
                  guint             depth,
                  GError          **error)
{
  g_autofree char *host = map_lexically (self, user, clean);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) current = NULL;
  g_autoptr(GString) current_sandbox = NULL;
  ViewRoot roots[3];
  guint n_roots, i;
  const char *rest = NULL;
  int dir;

  if (host == NULL || depth > MAX_SYMLINK_DEPTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("The path %s is outside the sandbox"), clean);
      return NULL;
    }

  n_roots = view_roots (self, user, roots);
  for (i = 0; i < n_roots; i++)
    if ((rest = strip_root (clean, roots[i].sandbox_root)) != NULL)
      break;
  g_assert (rest != NULL);

  current = g_string_new (roots[i].host_root);
  current_sandbox = g_string_new (roots[i].sandbox_root);
  parts = g_strsplit (rest, "/", -1);

  /* Each component is looked at through a descriptor of the one before, never through the
   * path string: a directory a sandbox process swaps for a symlink is seen as that symlink, and
   * read as the sandbox would read it, rather than followed to the host. */
  dir = open (roots[i].host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  for (guint p = 0; parts[p] != NULL; p++)
    {
      struct stat st;
      gboolean last = TRUE;
      int next;

      if (parts[p][0] == '\0')
        continue;
      for (guint q = p + 1; parts[q] != NULL; q++)
        if (parts[q][0] != '\0')
          last = FALSE;

      g_string_append_c (current, '/');
      g_string_append (current, parts[p]);

      next = dir >= 0 ? openat (dir, parts[p], O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
      if (next < 0 || fstat (next, &st) != 0)
        {
          /* Nothing below a missing entry can be a link: the rest maps lexically. */
          if (next >= 0)
            close (next);
          for (guint q = p + 1; parts[q] != NULL; q++)
            if (parts[q][0] != '\0')
              {
                g_string_append_c (current, '/');
                g_string_append (current, parts[q]);
              }
          break;
        }
      if (dir >= 0)
        close (dir);
      dir = next;

      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = NULL;
          g_autofree char *target_sandbox = NULL;
          g_autofree char *resolved = NULL;
          char text[PATH_MAX];
          ssize_t len = readlinkat (dir, "", text, sizeof text - 1);

          close (dir);
          if (len < 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           _("The link %s cannot be read"), clean);
              return NULL;
            }
          text[len] = '\0';
          target = g_strdup (text);
          target_sandbox = link_target_to_sandbox (self, user, current_sandbox->str, target);
          if (last)
            {
              /* The link itself is the answer, but only if what it points at is in view. */
              resolved = resolve_internal (self, user, target_sandbox, depth + 1, error);
              if (resolved == NULL)
                return NULL;
              return g_string_free (g_steal_pointer (&current), FALSE);
            }
          else
            {
              g_autoptr(GString) next_path = g_string_new (target_sandbox);

              for (guint q = p + 1; parts[q] != NULL; q++)
                if (parts[q][0] != '\0')
                  {
                    g_string_append_c (next_path, '/');
                    g_string_append (next_path, parts[q]);
                  }
              {
                g_autofree char *next_clean = g_canonicalize_filename (next_path->str, "/");
                return resolve_internal (self, user, next_clean, depth + 1, error);
              }
            }
        }

      g_string_append_c (current_sandbox, '/');
      g_string_append (current_sandbox, parts[p]);
    }
  if (dir >= 0)
    close (dir);

  return g_string_free (g_steal_pointer (&current), FALSE);
}

char *
cc_engine_sandbox_resolve_path (CcEngineSandbox  *self,
                                const char       *user,
                                const char       *path,
                                char            **sandbox_path,
                                GError          **error)
{
  g_autofree char *clean = NULL;
  char *host;

  g_return_val_if_fail (CC_IS_ENGINE_SANDBOX (self), NULL);

  if (cc_engine_sandbox_user_home (user) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("The sandbox has no user “%s”"), user ? user : "");
      return NULL;
    }
  if (path != NULL && strlen (path) > 4096)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("The path is too long"));
      return NULL;
    }

  clean = to_absolute (user, path);
  host = resolve_internal (self, user, clean, 0, error);
  if (host != NULL && sandbox_path != NULL)
    *sandbox_path = g_steal_pointer (&clean);
  return host;
}

char *
cc_engine_sandbox_to_sandbox_path (CcEngineSandbox *self,
                                   const char      *user,
                                   const char      *host_path)
{
  const char *rest;

  if (host_path == NULL)
    return NULL;
  if ((rest = strip_root (host_path, self->home_dir)) != NULL)
    return g_strconcat (cc_engine_sandbox_user_home (user) ?: "/home/user", rest, NULL);
  if ((rest = strip_root (host_path, self->tmp_dir)) != NULL)
    return g_strconcat ("/tmp", rest, NULL);
  return NULL;
}

/* Persistence ------------------------------------------------------------------------------ */

static void save_now (CcEngineSandbox *self);

static void
remove_files_thread (GTask        *task,
                     gpointer      source,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CcEngineSandbox *self = source;

  unlink (self->state_path);
  /* A mounted workspace is the project's files: ending the sandbox never touches it. */
  if (self->workspace == NULL)
    cc_engine_path_remove_tree (self->home_dir);
  cc_engine_path_remove_tree (self->tmp_dir);
  g_task_return_boolean (task, TRUE);
}

static void
start_removal (CcEngineSandbox *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_run_in_thread (task, remove_files_thread);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CcEngineSandbox) self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_failed = FALSE;
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_warning ("Could not save the state of sandbox %s: %s", self->id, error->message);
      self->save_failed = TRUE;
    }

  self->saving = FALSE;
  if (self->destroyed)
    start_removal (self);
  else if (self->save_again)
    save_now (self);
}

static void
save_now (CcEngineSandbox *self)
{
  g_autoptr(JsonNode) node = cc_engine_sandbox_to_state (self);
  g_autoptr(GFile) file = g_file_new_for_path (self->state_path);
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  char *text = cc_protojson_to_string (node, &length);

  bytes = g_bytes_new_take (text, length);
  self->saving = TRUE;
  self->save_again = FALSE;
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                       NULL, save_done_cb, g_object_ref (self));
}

void
cc_engine_sandbox_save (CcEngineSandbox *self)
{
  if (self->destroyed)
    return;
  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }
  save_now (self);
}

void
cc_engine_sandbox_save_sync (CcEngineSandbox *self)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  /* Only a sandbox whose last change may not be on disk yet needs it. */
  if (self->destroyed || !(self->saving || self->save_again || self->save_failed))
    return;
  node = cc_engine_sandbox_to_state (self);
  text = cc_protojson_to_string (node, &length);
  if (!g_file_set_contents_full (self->state_path, text, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not save the state of sandbox %s: %s", self->id, error->message);
}

void
cc_engine_sandbox_destroy_files (CcEngineSandbox *self)
{
  if (self->destroyed)
    return;
  self->destroyed = TRUE;
  /* At once, so that an engine stopping right now does not bring the sandbox back. */
  unlink (self->state_path);
  if (!self->saving)
    start_removal (self);
}
