/* cc-engine-locator.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finding the engine is a small state machine: read engine.json, ask the engine a cheap
 * control-plane question (list one sandbox) to prove it answers with that key, and otherwise
 * start one and watch the runtime directory until a fresh engine.json appears. Starting is
 * race-free by construction: the engine takes a lock before it writes engine.json, a second
 * copy exits with status 3, and every waiting locator simply reads the winner's file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "cc-engine-locator.h"
#include "cc-protojson.h"
#include "cc-control-plane.h"
#include "cc-sandbox-error.h"

#define ENGINE_BINARY          "code-canvas-engine"
#define DEFAULT_START_TIMEOUT  15000
#define PROBE_TIMEOUT          5000
#define ENGINE_EXIT_LOCKED     3      /* another engine holds the lock */
/* An engine we start must not outlive its clients for long: inside a Flatpak it keeps the
 * app's instance alive. Ten minutes spans a pause in work without restarting it each time. */
#define DEFAULT_IDLE_TIMEOUT   600

struct _CcEngineLocator
{
  GObject   parent_instance;
  char     *runtime_dir;
  char     *engine_path;
  guint     start_timeout;
  guint     idle_timeout;      /* seconds, 0 = never */
  gboolean  autostart;
};

G_DEFINE_FINAL_TYPE (CcEngineLocator, cc_engine_locator, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------------------------ */

CcEngineInfo *
cc_engine_info_copy (const CcEngineInfo *info)
{
  CcEngineInfo *copy = g_new0 (CcEngineInfo, 1);

  *copy = *info;
  copy->url = g_strdup (info->url);
  copy->api_key = g_strdup (info->api_key);
  copy->domain = g_strdup (info->domain);
  copy->version = g_strdup (info->version);
  copy->isolation = g_strdup (info->isolation);
  return copy;
}

void
cc_engine_info_free (CcEngineInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->url);
  if (info->api_key != NULL)
    explicit_bzero (info->api_key, strlen (info->api_key));
  g_free (info->api_key);
  g_free (info->domain);
  g_free (info->version);
  g_free (info->isolation);
  g_free (info);
}

/**
 * cc_engine_info_create_connection:
 *
 * Returns: (transfer full): a LOCAL connection to the engine, with its key set
 */
CcConnection *
cc_engine_info_create_connection (const CcEngineInfo *info)
{
  g_return_val_if_fail (info != NULL && info->url != NULL, NULL);
  return cc_connection_new_local (info->url, info->api_key);
}

static CcEngineInfo *
read_engine_json (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) object = NULL;
  CcEngineInfo *info;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  object = cc_protojson_parse_object (contents, length, NULL);
  explicit_bzero (contents, length);
  if (object == NULL ||
      cc_protojson_get_string (object, "url") == NULL ||
      cc_protojson_get_string (object, "api_key") == NULL)
    return NULL;

  info = g_new0 (CcEngineInfo, 1);
  info->url = g_strdup (cc_protojson_get_string (object, "url"));
  info->api_key = g_strdup (cc_protojson_get_string (object, "api_key"));
  info->pid = (GPid) cc_protojson_get_int64 (object, "pid", 0);
  info->domain = g_strdup (cc_protojson_get_string (object, "domain"));
  info->version = g_strdup (cc_protojson_get_string (object, "version"));
  info->isolation = g_strdup (cc_protojson_get_string (object, "isolation"));
  return info;
}

/* ------------------------------------------------------------------------------------------ */

static void
cc_engine_locator_finalize (GObject *object)
{
  CcEngineLocator *self = CC_ENGINE_LOCATOR (object);

  g_free (self->runtime_dir);
  g_free (self->engine_path);
  G_OBJECT_CLASS (cc_engine_locator_parent_class)->finalize (object);
}

static void
cc_engine_locator_class_init (CcEngineLocatorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_locator_finalize;
}

static void
cc_engine_locator_init (CcEngineLocator *self)
{
  const char *idle = g_getenv ("CODE_CANVAS_ENGINE_IDLE_TIMEOUT");
  guint64 seconds = DEFAULT_IDLE_TIMEOUT;

  self->runtime_dir = g_build_filename (g_get_user_runtime_dir (), "code-canvas", NULL);
  self->start_timeout = DEFAULT_START_TIMEOUT;
  self->autostart = TRUE;
  if (idle != NULL && *idle != '\0' &&
      !g_ascii_string_to_unsigned (idle, 10, 0, G_MAXINT, &seconds, NULL))
    {
      g_warning ("Ignoring CODE_CANVAS_ENGINE_IDLE_TIMEOUT=%s: not a number of seconds", idle);
      seconds = DEFAULT_IDLE_TIMEOUT;
    }
  self->idle_timeout = (guint) seconds;
}

CcEngineLocator *
cc_engine_locator_new (void)
{
  return g_object_new (CC_TYPE_ENGINE_LOCATOR, NULL);
}

void
cc_engine_locator_set_runtime_dir (CcEngineLocator *self,
                                   const char      *path)
{
  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));
  g_return_if_fail (path != NULL);

  g_free (self->runtime_dir);
  self->runtime_dir = g_strdup (path);
}

const char *
cc_engine_locator_get_runtime_dir (CcEngineLocator *self)
{
  g_return_val_if_fail (CC_IS_ENGINE_LOCATOR (self), NULL);
  return self->runtime_dir;
}

void
cc_engine_locator_set_engine_path (CcEngineLocator *self,
                                   const char      *path)
{
  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));

  g_free (self->engine_path);
  self->engine_path = g_strdup (path);
}

void
cc_engine_locator_set_autostart (CcEngineLocator *self,
                                 gboolean         autostart)
{
  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));
  self->autostart = !!autostart;
}

void
cc_engine_locator_set_idle_timeout (CcEngineLocator *self,
                                    guint            seconds)
{
  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));
  self->idle_timeout = MIN (seconds, (guint) G_MAXINT);
}

void
cc_engine_locator_set_start_timeout (CcEngineLocator *self,
                                     guint            timeout_ms)
{
  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));
  self->start_timeout = timeout_ms;
}

char *
cc_engine_locator_dup_runtime_file (CcEngineLocator *self)
{
  g_return_val_if_fail (CC_IS_ENGINE_LOCATOR (self), NULL);
  return g_build_filename (self->runtime_dir, "engine.json", NULL);
}

static char *
find_engine_binary (CcEngineLocator *self)
{
  const char *env = g_getenv ("CODE_CANVAS_ENGINE");
  g_autofree char *installed = NULL;

  if (self->engine_path != NULL)
    return g_strdup (self->engine_path);
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  installed = g_build_filename (BINDIR, ENGINE_BINARY, NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  return g_find_program_in_path (ENGINE_BINARY);
}

/* ------------------------------------------------------------------------------------------ */
/* The search                                                                                  */

typedef struct
{
  char            *json_path;
  CcEngineInfo    *candidate;      /* being probed */
  GFileMonitor    *monitor;
  gulong           monitor_handler;
  GSubprocess     *engine;
  GSource         *deadline;
  GSource         *cancel_source;
  gboolean         probing;
  gboolean         recheck;        /* engine.json changed while probing */
  gboolean         spawned;
  gboolean         done;
  int              exit_status;    /* of the engine we started, -1 while running */
  char            *last_failed;    /* url and key of the engine.json that did not answer */
} LocateState;

static void
locate_state_free (LocateState *state)
{
  if (state->monitor != NULL)
    {
      g_clear_signal_handler (&state->monitor_handler, state->monitor);
      g_file_monitor_cancel (state->monitor);
    }
  g_clear_object (&state->monitor);
  if (state->deadline != NULL)
    {
      g_source_destroy (state->deadline);
      g_source_unref (state->deadline);
    }
  if (state->cancel_source != NULL)
    {
      g_source_destroy (state->cancel_source);
      g_source_unref (state->cancel_source);
    }
  g_clear_object (&state->engine);
  g_clear_pointer (&state->candidate, cc_engine_info_free);
  g_free (state->json_path);
  g_free (state->last_failed);
  g_free (state);
}

static void check_runtime_file (GTask *task);
static void start_engine (GTask *task);

static void
locate_fail (GTask      *task,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
locate_fail (GTask      *task,
             const char *format,
             ...)
{
  LocateState *state = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  va_list args;

  if (state->done)
    return;
  state->done = TRUE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_task_return_new_error (task, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_ENGINE_UNREACHABLE, "%s",
                           message);
  g_object_unref (task);   /* the search's own reference, see locate_async */
}

static void
locate_succeed (GTask *task)
{
  LocateState *state = g_task_get_task_data (task);
  CcEngineInfo *info = g_steal_pointer (&state->candidate);

  if (state->done)
    {
      cc_engine_info_free (info);
      return;
    }
  state->done = TRUE;
  /* Started by us only if the engine that answers is the one we spawned (when two clients
   * race, the loser's engine exits and both use the winner's). */
  info->started = FALSE;
  if (state->engine != NULL && g_subprocess_get_identifier (state->engine) != NULL)
    info->started = g_strcmp0 (g_subprocess_get_identifier (state->engine), "") != 0 &&
                    (GPid) g_ascii_strtoll (g_subprocess_get_identifier (state->engine), NULL,
                                            10) == info->pid;
  g_task_return_pointer (task, info, (GDestroyNotify) cc_engine_info_free);
  g_object_unref (task);   /* the search's own reference, see locate_async */
}

/* What tells one engine.json from the next: a new engine has a new port or at least a new key.
 * Never the pid, which means nothing across PID namespaces (each `flatpak run` has its own). */
static char *
candidate_identity (const CcEngineInfo *info)
{
  return info != NULL ? g_strconcat (info->url, " ", info->api_key, NULL) : NULL;
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LocateState *state = g_task_get_task_data (task);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;

  state->probing = FALSE;
  page = cc_control_plane_list_finish (CC_CONTROL_PLANE (source), result, NULL, &error);
  if (state->done)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      state->done = TRUE;
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);   /* the search's own reference */
      return;
    }
  if (page != NULL)
    {
      locate_succeed (task);
      return;
    }

  g_debug ("The engine in %s does not answer: %s", state->json_path, error->message);
  g_free (state->last_failed);
  state->last_failed = candidate_identity (state->candidate);
  g_clear_pointer (&state->candidate, cc_engine_info_free);

  if (state->recheck)
    {
      state->recheck = FALSE;
      check_runtime_file (task);
    }
  else if (!state->spawned)
    start_engine (task);
  /* else: wait for the engine we started to (re)write engine.json */
}

static void
check_runtime_file (GTask *task)
{
  LocateState *state = g_task_get_task_data (task);
  CcEngineLocator *self = g_task_get_source_object (task);
  g_autoptr(CcConnection) connection = NULL;
  g_autoptr(CcControlPlane) api = NULL;
  CcSandboxListQuery query = { 0 };
  CcEngineInfo *info;

  if (state->done)
    return;
  if (state->probing)
    {
      state->recheck = TRUE;
      return;
    }

  /* The pid in the file is not looked at: the engine may run in another PID namespace (another
   * Flatpak instance), where a live engine looks dead and an unrelated process of ours may carry
   * a dead engine's number. Only an answer with the key proves it runs. */
  info = read_engine_json (state->json_path);
  if (info != NULL && state->last_failed != NULL)
    {
      g_autofree char *identity = candidate_identity (info);

      if (g_str_equal (identity, state->last_failed))
        g_clear_pointer (&info, cc_engine_info_free);   /* the same file, not answering */
    }
  if (info == NULL)
    {
      cc_engine_info_free (info);
      if (!state->spawned)
        start_engine (task);
      return;
    }

  state->candidate = info;
  state->probing = TRUE;
  connection = cc_engine_info_create_connection (info);
  cc_connection_set_request_timeout (connection, PROBE_TIMEOUT);
  cc_connection_set_max_retries (connection, 0);
  api = cc_control_plane_new (connection);
  query.limit = 1;
  cc_control_plane_list_async (api, &query, g_task_get_cancellable (task), probe_cb,
                               g_object_ref (task));
  (void) self;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           user_data)
{
  GTask *task = user_data;
  g_autofree char *name = g_file_get_basename (file);

  /* The engine writes a temporary file and renames it over engine.json. */
  if (g_strcmp0 (name, "engine.json") != 0 || event == G_FILE_MONITOR_EVENT_DELETED)
    return;
  check_runtime_file (task);
}

static void
engine_exited_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(GTask) task = g_weak_ref_get (weak);
  GSubprocess *engine = G_SUBPROCESS (source);
  LocateState *state;
  gboolean waited;

  /* The engine normally outlives the search: only a search still running cares. */
  waited = g_subprocess_wait_finish (engine, result, NULL);
  g_weak_ref_clear (weak);
  g_free (weak);
  if (task == NULL || !waited)
    return;
  state = g_task_get_task_data (task);
  if (state->done)
    return;

  if (g_subprocess_get_if_exited (engine) &&
      g_subprocess_get_exit_status (engine) == ENGINE_EXIT_LOCKED)
    {
      /* Another client won the race: its engine writes engine.json (or already has). */
      check_runtime_file (task);
      return;
    }
  locate_fail (task,
               _("The local engine stopped right after starting (exit status %d). See "
                 "%s/engine.log for the reason, then restart Code Canvas."),
               g_subprocess_get_if_exited (engine) ? g_subprocess_get_exit_status (engine) : -1,
               cc_engine_locator_get_runtime_dir (g_task_get_source_object (task)));
}

static gboolean
deadline_cb (gpointer user_data)
{
  GTask *task = user_data;
  LocateState *state = g_task_get_task_data (task);

  g_clear_pointer (&state->deadline, g_source_unref);
  locate_fail (task,
               _("The local engine did not start in time. See %s/engine.log for the reason, then "
                 "restart Code Canvas."),
               cc_engine_locator_get_runtime_dir (g_task_get_source_object (task)));
  return G_SOURCE_REMOVE;
}

static void
detach_child (gpointer user_data)
{
  /* Its own session: the engine outlives the client and its terminal's signals. */
  setsid ();
}

static void
start_engine (GTask *task)
{
  CcEngineLocator *self = g_task_get_source_object (task);
  LocateState *state = g_task_get_task_data (task);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *idle_arg = NULL;
  int log_fd;

  if (state->done || state->spawned)
    return;
  if (!self->autostart)
    {
      locate_fail (task, _("The local engine is not running. Start it with "
                           "“code-canvas-engine” or let Code Canvas start it."));
      return;
    }
  binary = find_engine_binary (self);
  if (binary == NULL)
    {
      locate_fail (task, _("The local engine (code-canvas-engine) is not installed. Reinstall "
                           "Code Canvas, or use an E2B connection."));
      return;
    }

  state->spawned = TRUE;
  if (g_mkdir_with_parents (self->runtime_dir, 0700) != 0)
    {
      int saved = errno;

      locate_fail (task, _("Could not create %s for the local engine (%s). Check its "
                           "permissions."), self->runtime_dir, g_strerror (saved));
      return;
    }

  /* Watch before starting so that the engine's announcement cannot be missed. */
  dir = g_file_new_for_path (self->runtime_dir);
  state->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_NONE, NULL, &error);
  if (state->monitor == NULL)
    {
      locate_fail (task, _("Could not watch %s for the local engine (%s)."), self->runtime_dir,
                   error->message);
      return;
    }
  state->monitor_handler = g_signal_connect (state->monitor, "changed",
                                             G_CALLBACK (monitor_changed_cb), task);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* The engine finds its runtime directory as $XDG_RUNTIME_DIR/code-canvas. */
  base = g_path_get_basename (self->runtime_dir);
  if (g_str_equal (base, "code-canvas"))
    {
      g_autofree char *parent = g_path_get_dirname (self->runtime_dir);

      g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", parent, TRUE);
    }
  log_path = g_build_filename (self->runtime_dir, "engine.log", NULL);
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd >= 0)
    g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  g_subprocess_launcher_set_child_setup (launcher, detach_child, NULL, NULL);

  idle_arg = g_strdup_printf ("--idle-timeout=%u", self->idle_timeout);
  state->engine = g_subprocess_launcher_spawn (launcher, &error, binary, idle_arg, NULL);
  if (state->engine == NULL)
    {
      locate_fail (task, _("Could not start the local engine %s (%s). Reinstall Code Canvas."),
                   binary, error->message);
      return;
    }
  {
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, task);
    g_subprocess_wait_async (state->engine, NULL, engine_exited_cb, weak);
  }

  if (self->start_timeout > 0)
    {
      state->deadline = g_timeout_source_new (self->start_timeout);
      g_source_set_callback (state->deadline, deadline_cb, task, NULL);
      g_source_attach (state->deadline, g_main_context_get_thread_default ());
    }
  /* It may have been written between our read and the monitor's start. */
  check_runtime_file (task);
}

static gboolean
locate_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask *task = user_data;
  LocateState *state = g_task_get_task_data (task);

  if (!state->done)
    {
      state->done = TRUE;
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);   /* the search's own reference */
    }
  return G_SOURCE_REMOVE;
}

/**
 * cc_engine_locator_locate_async:
 *
 * Finds the running engine, or starts one (unless autostart is off) and waits for it.
 */
void
cc_engine_locator_locate_async (CcEngineLocator     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  LocateState *state;

  g_return_if_fail (CC_IS_ENGINE_LOCATOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_engine_locator_locate_async);
  state = g_new0 (LocateState, 1);
  state->json_path = cc_engine_locator_dup_runtime_file (self);
  state->exit_status = -1;
  g_task_set_task_data (task, state, (GDestroyNotify) locate_state_free);

  /* Waiting for a starting engine must stop as soon as the caller cancels. */
  if (cancellable != NULL)
    {
      state->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (state->cancel_source, G_SOURCE_FUNC (locate_cancelled_cb), task,
                             NULL);
      g_source_attach (state->cancel_source, g_main_context_get_thread_default ());
    }

  /* This reference is the search's own: it is dropped when the search returns (success or
   * failure), whatever callbacks are still pending. */
  check_runtime_file (task);
}

/**
 * cc_engine_locator_locate_finish:
 *
 * Returns: (transfer full): the running engine
 */
CcEngineInfo *
cc_engine_locator_locate_finish (CcEngineLocator  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
