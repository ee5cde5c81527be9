/* cc-engine-launcher.c: one long-lived process launcher per running sandbox and user
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starting every command under a fresh bubblewrap costs more than the command itself for short
 * ones (namespaces and bind mounts: about 5 ms of an `echo`'s 7). The sandbox's first command
 * starts a launcher (cc-engine-launcher-main.c) under that same bubblewrap setup; later ones are
 * forked by it inside the namespaces that already exist. The launcher is stopped when the
 * sandbox pauses, is killed or the engine stops, and dies with the engine (--die-with-parent,
 * and end of file on its socket). When it dies anyway, its processes are reported killed and
 * the next command starts a new one.
 *
 * Talking to it is synchronous: a request is one datagram and the answer comes from a fork
 * (well under a millisecond); a launcher that does not answer within SPAWN_WAIT_MS is killed.
 *
 * Inside the Flatpak the launcher is started by `flatpak-spawn --sandbox` instead (about 140 ms,
 * paid once per sandbox). Both users share it there: there is no user namespace to tell them
 * apart. Its PID namespace is not below the engine's, so the engine knows its processes by the
 * launcher's pids and signals them through it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "cc-engine-launcher.h"
#include "cc-engine-host.h"
#include "cc-engine-netns.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-spawn.h"

#define SPAWN_WAIT_MS 10000
/* Who holds a port is asked of other sandboxes' launchers, which those sandboxes can stop
 * (under flatpak-spawn a launcher is not its namespace's init): the question is only a name in
 * an error message, so it gets a short wait, and no answer is no holder. */
#define OWNS_WAIT_MS  250

typedef struct
{
  GObject *owner;
  CcEngineLauncherExitFunc func;
  int status;
} Entry;

/* A request waiting for a launcher to be ready: handled again from the start then. */
typedef struct
{
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished;
  CcEngineLauncherRetryFunc retry;
  gpointer data;
  GDestroyNotify data_free;
} Waiter;

struct _CcEngineLauncher
{
  GObject parent_instance;

  CcEngineSandbox *sandbox;  /* unowned; NULL once stopped */
  char *key;
  CcEngineIsolation isolation;
  GPid pid;                  /* bubblewrap, or flatpak-spawn */
  GPid outbound_pid;         /* pasta, when the sandbox may use the internet */
  gboolean joined;           /* in the network namespace of the sandbox's other launcher */
  int sock;
  guint sock_watch;
  guint dispatch_id;
  gboolean dead;
  /* It answered its first question (its network namespace): until then bubblewrap is still
   * making the namespaces, and nothing may wait for an answer on the main loop. */
  gboolean ready;
  guint ready_timeout_id;
  guint waiters_id;
  GPtrArray *waiters;        /* Waiter */
  GError *failure;           /* why it died before it was ready */
  gboolean started_any;
  GHashTable *entries;       /* launcher-namespace pid → Entry */
  GPtrArray *pending;        /* Entry: ends read while waiting for a spawn, not yet told */
  /* Network rules load one at a time, so the last asked for is the one in force. */
  GPtrArray *rules_waiting;  /* GTask: for the next load */
  GPtrArray *rules_running;  /* GTask: answered by the load under way */
  /* The launcher's network namespace, kept from its start: a paused sandbox's launcher is
   * stopped and cannot be asked for it when its rules change. */
  int netns;
};

G_DEFINE_FINAL_TYPE (CcEngineLauncher, cc_engine_launcher, G_TYPE_OBJECT)

/* Where a sandbox keeps its launchers ("cc-engine-launcher-" and the user), one per user. */
static const char * const launcher_keys[] = { "cc-engine-launcher-user", "cc-engine-launcher-root" };

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_object_unref (entry->owner);
  g_free (entry);
}

static void
waiter_free (gpointer data)
{
  Waiter *waiter = data;

  g_clear_signal_handler (&waiter->finished_id, waiter->msg);
  g_clear_object (&waiter->msg);
  if (waiter->data_free != NULL)
    waiter->data_free (waiter->data);
  g_free (waiter);
}

static void
waiter_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  Waiter *waiter = user_data;

  waiter->finished = TRUE;
}

static void
cc_engine_launcher_finalize (GObject *object)
{
  CcEngineLauncher *self = CC_ENGINE_LAUNCHER (object);

  g_clear_handle_id (&self->sock_watch, g_source_remove);
  g_clear_handle_id (&self->dispatch_id, g_source_remove);
  g_clear_handle_id (&self->ready_timeout_id, g_source_remove);
  g_clear_handle_id (&self->waiters_id, g_source_remove);
  if (self->sock >= 0)
    close (self->sock);
  if (self->netns >= 0)
    close (self->netns);
  g_hash_table_unref (self->entries);
  g_ptr_array_unref (self->pending);
  g_ptr_array_unref (self->waiters);
  g_clear_error (&self->failure);
  g_ptr_array_unref (self->rules_waiting);
  g_ptr_array_unref (self->rules_running);
  g_free (self->key);

  G_OBJECT_CLASS (cc_engine_launcher_parent_class)->finalize (object);
}

static void
cc_engine_launcher_class_init (CcEngineLauncherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_launcher_finalize;
}

static void
cc_engine_launcher_init (CcEngineLauncher *self)
{
  self->sock = -1;
  self->netns = -1;
  self->entries = g_hash_table_new_full (NULL, NULL, NULL, entry_free);
  self->pending = g_ptr_array_new_with_free_func (entry_free);
  self->waiters = g_ptr_array_new_with_free_func (waiter_free);
  self->rules_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->rules_running = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
deliver_exit (CcEngineLauncher *self,
              int               pid,
              int               status)
{
  Entry *entry;

  if (!g_hash_table_steal_extended (self->entries, GINT_TO_POINTER (pid), NULL, (gpointer *) &entry))
    return;  /* a child whose start failed */
  entry->func (entry->owner, status);
  entry_free (entry);
}

/* Requests waiting for readiness are handled again (or told the failure) from the main loop,
 * never from inside the code that made the launcher ready or dead. */
static gboolean
waiters_dispatch_cb (gpointer user_data)
{
  CcEngineLauncher *self = user_data;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters_id = 0;
  self->waiters = g_ptr_array_new_with_free_func (waiter_free);
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (waiter->finished)
        continue;  /* the client went away */
      if (self->failure != NULL)
        g_object_set_data_full (G_OBJECT (waiter->msg), "cc-launcher-failure",
                                g_error_copy (self->failure), (GDestroyNotify) g_error_free);
      soup_server_message_unpause (waiter->msg);
      waiter->retry (waiter->msg, waiter->data);
    }
  return G_SOURCE_REMOVE;
}

static void
waiters_schedule (CcEngineLauncher *self)
{
  if (self->waiters->len > 0 && self->waiters_id == 0)
    self->waiters_id = g_idle_add_full (G_PRIORITY_DEFAULT, waiters_dispatch_cb, g_object_ref (self),
                                        g_object_unref);
}

/* Kills the launcher (and so its PID namespace) and reports every process it still had as
 * killed. Idempotent. */
static void
mark_dead (CcEngineLauncher *self)
{
  g_autoptr(CcEngineLauncher) ref G_GNUC_UNUSED = g_object_ref (self);
  GHashTableIter iter;
  gpointer key;

  if (self->dead)
    return;
  self->dead = TRUE;
  g_clear_handle_id (&self->ready_timeout_id, g_source_remove);
  if (!self->ready && self->failure == NULL)
    self->failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                         _("The sandbox launcher ended before it was ready; see the "
                                           "engine's status for what isolation this machine allows"));
  if (self->pid > 0)
    {
      /* bubblewrap's process group: a launcher still starting may have a child of bubblewrap
       * that nothing else would end (cc-engine-spawn.c). */
      if (self->isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP)
        kill (-self->pid, SIGKILL);
      kill (self->pid, SIGKILL);
    }
  if (self->outbound_pid > 0)
    kill (self->outbound_pid, SIGTERM);
  g_clear_handle_id (&self->sock_watch, g_source_remove);
  g_clear_handle_id (&self->dispatch_id, g_source_remove);
  if (self->sock >= 0)
    close (self->sock);
  self->sock = -1;
  while (self->pending->len > 0)
    {
      Entry *entry = g_ptr_array_steal_index (self->pending, 0);

      entry->func (entry->owner, entry->status);
      entry_free (entry);
    }
  while (g_hash_table_size (self->entries) > 0)
    {
      g_hash_table_iter_init (&iter, self->entries);
      g_hash_table_iter_next (&iter, &key, NULL);
      deliver_exit (self, GPOINTER_TO_INT (key), SIGKILL);  /* a wait status: killed by SIGKILL */
    }
  /* Rules asked for before it was ready never ran. */
  while (self->rules_waiting->len > 0)
    {
      g_autoptr(GTask) task = g_ptr_array_steal_index (self->rules_waiting, 0);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("The sandbox stopped while its network rules were being set"));
    }
  waiters_schedule (self);
  if (self->sandbox != NULL)
    {
      CcEngineSandbox *sandbox = g_steal_pointer (&self->sandbox);

      /* Drops the sandbox's reference; ours keeps self alive until we return. */
      if (g_object_get_data (G_OBJECT (sandbox), self->key) == self)
        g_object_set_data (G_OBJECT (sandbox), self->key, NULL);
    }
}

/* One record, with the sender's pid (0 when the engine cannot see it) and up to @max_fds
 * descriptors (the rest closed). FALSE when nothing is there yet; *closed at end of file, an
 * error or a malformed record. */
static gboolean
read_reply (CcEngineLauncher *self,
            CcLauncherReply  *reply,
            GPid             *sender,
            int              *fds,
            guint             max_fds,
            guint            *n_fds,
            gboolean         *closed)
{
  char control[CMSG_SPACE (sizeof (struct ucred)) + CMSG_SPACE (4 * sizeof (int))];
  struct iovec iov = { .iov_base = reply, .iov_len = sizeof *reply };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control, .msg_controllen = sizeof control };
  guint kept = 0;
  gssize n;

  *closed = FALSE;
  if (sender != NULL)
    *sender = 0;
  if (n_fds != NULL)
    *n_fds = 0;
  do
    n = recvmsg (self->sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return FALSE;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); n >= 0 && c != NULL; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      {
        guint count = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);

        for (guint i = 0; i < count; i++)
          {
            int fd;

            memcpy (&fd, CMSG_DATA (c) + i * sizeof (int), sizeof fd);
            if (kept < max_fds)
              fds[kept++] = fd;
            else
              close (fd);
          }
      }
    else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && sender != NULL)
      {
        struct ucred cred;

        memcpy (&cred, CMSG_DATA (c), sizeof cred);
        *sender = cred.pid;
      }
  if (n != sizeof *reply)
    {
      for (guint i = 0; i < kept; i++)
        close (fds[i]);
      *closed = TRUE;
      return FALSE;
    }
  if (n_fds != NULL)
    *n_fds = kept;
  return TRUE;
}

static gboolean
dispatch_pending_cb (gpointer user_data)
{
  CcEngineLauncher *self = user_data;
  g_autoptr(CcEngineLauncher) ref G_GNUC_UNUSED = g_object_ref (self);

  self->dispatch_id = 0;
  while (self->pending->len > 0)
    {
      Entry *entry = g_ptr_array_steal_index (self->pending, 0);

      entry->func (entry->owner, entry->status);
      entry_free (entry);
    }
  return G_SOURCE_REMOVE;
}

static void become_ready (CcEngineLauncher *self,
                          int               netns);

static gboolean
sock_ready_cb (int          fd,
               GIOCondition condition,
               gpointer     user_data)
{
  CcEngineLauncher *self = user_data;
  g_autoptr(CcEngineLauncher) ref G_GNUC_UNUSED = g_object_ref (self);
  CcLauncherReply reply;
  gboolean closed = FALSE;
  guint n_fds = 0;
  int received = -1;

  while (!self->dead && read_reply (self, &reply, NULL, &received, 1, &n_fds, &closed))
    {
      if (reply.type == CC_LAUNCHER_EXITED)
        deliver_exit (self, reply.pid, reply.value);
      else if (!self->ready)
        {
          /* The answer to the question asked at start: the namespace, or its failure. */
          become_ready (self, reply.type == CC_LAUNCHER_SOCKET && n_fds == 1 ? received : -1);
          continue;
        }
      if (n_fds > 0)
        close (received);
    }
  if (!self->dead && (closed || (condition & (G_IO_HUP | G_IO_ERR))))
    {
      self->sock_watch = 0;
      mark_dead (self);
      return G_SOURCE_REMOVE;
    }
  return self->dead ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
launcher_exited_cb (GPid     pid,
                 int      status,
                 gpointer user_data)
{
  CcEngineLauncher *self = user_data;

  g_spawn_close_pid (pid);
  self->pid = 0;
  mark_dead (self);
}

static gboolean request (CcEngineLauncher *self, guint32 magic, guint port, CcLauncherReply *answer,
                         int *fds, guint max_fds, guint *n_fds, GError **error);
static guint request_fds (CcEngineLauncher *self, guint32 magic, guint port, int *fds, guint max_fds,
                          GError **error);

/* The namespaces a second launcher of the same sandbox (the other user) joins, so that all of a
 * sandbox's processes share one network: its servers are reachable from each other and from the
 * preview whatever user started them. */
typedef struct
{
  int netns;
  int userns;  /* -1 when the engine is root: it may enter the network namespace directly */
} Join;

/* The namespaces of another running launcher of @sandbox, if any. */
static gboolean
join_find (CcEngineSandbox *sandbox,
           const char      *user,
           Join            *join)
{
  const char *other_key = launcher_keys[g_str_equal (user, "root") ? 0 : 1];
  CcEngineLauncher *other = g_object_get_data (G_OBJECT (sandbox), other_key);
  int netns = -1;

  if (other == NULL || other->dead || !other->ready || other->netns < 0 ||
      (netns = fcntl (other->netns, F_DUPFD_CLOEXEC, 3)) < 0)
    return FALSE;
  join->netns = netns;
  join->userns = -1;
  if (geteuid () != 0 && (join->userns = cc_engine_netns_dup_owner (netns)) < 0)
    {
      g_warning ("The sandbox's users get separate networks: %s", g_strerror (errno));
      close (netns);
      join->netns = -1;
      return FALSE;
    }
  return TRUE;
}

static gboolean
ready_timeout_cb (gpointer user_data)
{
  CcEngineLauncher *self = user_data;

  self->ready_timeout_id = 0;
  g_clear_error (&self->failure);
  self->failure = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               _("The sandbox launcher did not start within %u seconds"),
                               SPAWN_WAIT_MS / 1000);
  mark_dead (self);
  return G_SOURCE_REMOVE;
}

static CcEngineLauncher *
launcher_start (CcEngineSandbox    *sandbox,
                const char         *user,
                const char         *runtime_dir,
                CcEngineIsolation   isolation,
                const char         *key,
                GError            **error)
{
  g_autoptr(CcEngineLauncher) self = g_object_new (CC_TYPE_ENGINE_LAUNCHER, NULL);
  const CcLauncherConnect hello = { .magic = CC_LAUNCHER_CONNECT_MAGIC, .port = 0 };
  g_autofree char *program = NULL;
  int pair[2];
  int exe;
  int one = 1;
  gboolean ok;
  Join join = { -1, -1 };
  /* flatpak-spawn makes one launcher per sandbox; there is no second one to join. */
  gboolean joining = isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP && join_find (sandbox, user, &join);

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the launcher's socket: %s"), g_strerror (saved));
      return NULL;
    }
  program = cc_engine_host_find_launcher (error);
  if (program == NULL)
    {
      close (pair[0]);
      close (pair[1]);
      return NULL;
    }
  exe = open (program, O_RDONLY | O_CLOEXEC);
  if (exe < 0 || setsockopt (pair[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    {
      int saved = errno;

      if (exe >= 0)
        close (exe);
      close (pair[0]);
      close (pair[1]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not prepare the sandbox launcher: %s"), g_strerror (saved));
      return NULL;
    }

  if (isolation == CC_ENGINE_ISOLATION_FLATPAK_SPAWN)
    ok = cc_engine_spawn_start_flatpak_launcher (sandbox, program, pair[1], &self->pid, error);
  else
    ok = cc_engine_spawn_start_launcher (runtime_dir, sandbox, user, pair[1], exe,
                                         join.netns, join.userns, &self->pid, error);
  if (join.netns >= 0)
    close (join.netns);
  if (join.userns >= 0)
    close (join.userns);
  close (exe);
  close (pair[1]);
  if (!ok)
    {
      close (pair[0]);
      return NULL;
    }
  self->sock = pair[0];
  self->isolation = isolation;
  self->joined = joining;
  self->key = g_strdup (key);
  self->sandbox = sandbox;
  self->sock_watch = g_unix_fd_add (self->sock, G_IO_IN | G_IO_HUP | G_IO_ERR, sock_ready_cb, self);
  /* The watch keeps the object until bwrap (or flatpak-spawn) is reaped. */
  g_child_watch_add_full (G_PRIORITY_DEFAULT, self->pid, launcher_exited_cb, g_object_ref (self),
                          g_object_unref);
  /* Its first question, waiting in the socket until the launcher runs: the answer (its network
   * namespace) says it is ready, on the main loop like any other message. */
  if (send (self->sock, &hello, sizeof hello, MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof hello)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not reach the sandbox launcher: %s"), g_strerror (saved));
      mark_dead (self);
      return NULL;
    }
  self->ready_timeout_id = g_timeout_add (SPAWN_WAIT_MS, ready_timeout_cb, self);
  return g_steal_pointer (&self);
}

static void outbound_start (CcEngineLauncher *self);
static void rules_enqueue (CcEngineLauncher *self, GTask *task);
static void rules_run (CcEngineLauncher *self);

/* The sandbox's network is made with rules: pasta joins only once they are in force, so no
 * connection ever leaves without them. A load that fails leaves the sandbox its loopback only. */
static void
first_rules_loaded_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CcEngineLauncher) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_warning ("No internet access for the sandbox: %s", error->message);
      if (self->sandbox != NULL)
        cc_engine_log_add (cc_engine_sandbox_get_log (self->sandbox), CC_ENGINE_LOG_ERROR,
                           "No outbound traffic: the network rules could not be loaded",
                           "logger", "network", "error", error->message, NULL);
      return;
    }
  if (!self->dead)
    outbound_start (self);
}

static void
launcher_drop (gpointer data)
{
  CcEngineLauncher *self = data;

  self->sandbox = NULL;
  mark_dead (self);
  g_object_unref (self);
}

/* The sandbox's launcher under flatpak-spawn (which serves both users), if it runs. */
static CcEngineLauncher *
flatpak_launcher (CcEngineSandbox *sandbox)
{
  CcEngineLauncher *self = g_object_get_data (G_OBJECT (sandbox), launcher_keys[0]);

  if (self == NULL || self->dead || self->isolation != CC_ENGINE_ISOLATION_FLATPAK_SPAWN)
    return NULL;
  return self;
}

CcEngineLauncher *
cc_engine_launcher_get (CcEngineSandbox    *sandbox,
                        const char         *user,
                        const char         *runtime_dir,
                        CcEngineIsolation   isolation,
                        GError            **error)
{
  const char *key = launcher_keys[isolation == CC_ENGINE_ISOLATION_FLATPAK_SPAWN ||
                                  !g_str_equal (user, "root") ? 0 : 1];
  CcEngineLauncher *self = g_object_get_data (G_OBJECT (sandbox), key);

  g_return_val_if_fail (isolation != CC_ENGINE_ISOLATION_NONE, NULL);

  if (self != NULL && !self->dead)
    return self;
  self = launcher_start (sandbox, user, runtime_dir, isolation, key, error);
  if (self == NULL)
    return NULL;
  g_object_set_data_full (G_OBJECT (sandbox), key, self, launcher_drop);
  return self;
}

static void
become_ready (CcEngineLauncher *self,
              int               netns)
{
  self->ready = TRUE;
  g_clear_handle_id (&self->ready_timeout_id, g_source_remove);
  if (self->isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP && netns >= 0)
    self->netns = netns;
  else if (netns >= 0)
    close (netns);
  /* A launcher that joined another's network has that one's pasta (and rules) already. Under
   * flatpak-spawn the sandbox has the app's network, or none (--no-network). */
  if (self->isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP && self->sandbox != NULL &&
      cc_engine_sandbox_get_internet (self->sandbox) && !self->joined)
    {
      if (cc_engine_sandbox_get_network_rules (self->sandbox) != NULL)
        rules_enqueue (self, g_task_new (NULL, NULL, first_rules_loaded_cb, g_object_ref (self)));
      else
        outbound_start (self);
    }
  /* Rules asked for while it started. */
  if (self->rules_waiting->len > 0 && self->rules_running->len == 0)
    rules_run (self);
  waiters_schedule (self);
}

static void
wait_ready (CcEngineLauncher          *self,
            SoupServerMessage         *msg,
            CcEngineLauncherRetryFunc  retry,
            gpointer                   data,
            GDestroyNotify             data_free)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->msg = g_object_ref (msg);
  waiter->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (waiter_finished_cb), waiter);
  waiter->retry = retry;
  waiter->data = data;
  waiter->data_free = data_free;
  g_ptr_array_add (self->waiters, waiter);
  soup_server_message_pause (msg);
}

CcEngineLauncher *
cc_engine_launcher_get_ready (CcEngineSandbox            *sandbox,
                              const char                 *user,
                              const char                 *runtime_dir,
                              CcEngineIsolation           isolation,
                              SoupServerMessage          *msg,
                              CcEngineLauncherRetryFunc   retry,
                              gpointer                    data,
                              GDestroyNotify              data_free,
                              GError                    **error)
{
  const GError *failure = g_object_get_data (G_OBJECT (msg), "cc-launcher-failure");
  CcEngineLauncher *self = NULL;

  g_return_val_if_fail (error != NULL && *error == NULL, NULL);

  if (failure != NULL)
    {
      g_propagate_error (error, g_error_copy (failure));
      goto done;
    }
  /* A second launcher joins the first one's network, which must be up by then. */
  for (guint i = 0; i < G_N_ELEMENTS (launcher_keys); i++)
    {
      CcEngineLauncher *other = g_object_get_data (G_OBJECT (sandbox), launcher_keys[i]);

      if (other != NULL && !other->dead && !other->ready)
        {
          wait_ready (other, msg, retry, data, data_free);
          return NULL;
        }
    }
  self = cc_engine_launcher_get (sandbox, user, runtime_dir, isolation, error);
  if (self != NULL && !self->ready)
    {
      wait_ready (self, msg, retry, data, data_free);
      return NULL;
    }
done:
  if (data_free != NULL)
    data_free (data);
  return self;
}

void
cc_engine_launcher_prepare (CcEngineSandbox   *sandbox,
                            const char        *runtime_dir,
                            CcEngineIsolation  isolation)
{
  g_autoptr(GError) error = NULL;

  /* A command may have come first, as either user: a second launcher started now could not
   * join that one's network yet. */
  for (guint i = 0; i < G_N_ELEMENTS (launcher_keys); i++)
    {
      CcEngineLauncher *other = g_object_get_data (G_OBJECT (sandbox), launcher_keys[i]);

      if (other != NULL && !other->dead)
        return;
    }
  if (cc_engine_launcher_get (sandbox, "user", runtime_dir, isolation, &error) == NULL)
    g_debug ("The sandbox's launcher could not be prepared: %s (its first command tries again)",
             error->message);
}

gboolean
cc_engine_launcher_is_ready (CcEngineLauncher *self)
{
  return self->ready && !self->dead;
}

void
cc_engine_launcher_collect_pids (CcEngineSandbox *sandbox,
                                 GArray          *pids)
{
  for (guint i = 0; i < G_N_ELEMENTS (launcher_keys); i++)
    {
      CcEngineLauncher *self = g_object_get_data (G_OBJECT (sandbox), launcher_keys[i]);

      /* A flatpak-spawn launcher's pid is flatpak-spawn's, not above the sandbox's processes. */
      if (self != NULL && !self->dead && self->pid > 0 &&
          self->isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP)
        {
          int pid = self->pid;

          g_array_append_val (pids, pid);
        }
    }
}

gboolean
cc_engine_launcher_signal_hidden (CcEngineSandbox *sandbox,
                                  int              signum)
{
  CcEngineLauncher *self = flatpak_launcher (sandbox);

  if (self == NULL)
    return FALSE;
  cc_engine_launcher_signal (self, 0, signum);
  return TRUE;
}

gboolean
cc_engine_launcher_pids_inside (CcEngineLauncher *self)
{
  return self->isolation == CC_ENGINE_ISOLATION_FLATPAK_SPAWN;
}

void
cc_engine_launcher_signal (CcEngineLauncher *self,
                           int               pid,
                           int               signum)
{
  CcLauncherSignal request = { .magic = CC_LAUNCHER_SIGNAL_MAGIC, .pid = pid, .signum = signum };
  gssize n;

  if (self->dead)
    return;
  do
    n = send (self->sock, &request, sizeof request, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != sizeof request)
    mark_dead (self);
}

void
cc_engine_launcher_stop_all (CcEngineSandbox *sandbox)
{
  for (guint i = 0; i < G_N_ELEMENTS (launcher_keys); i++)
    g_object_set_data (G_OBJECT (sandbox), launcher_keys[i], NULL);
}

/* A memfd holding @request, or -1 with @error. */
static int
request_to_memfd (GVariant  *request,
                  GError   **error)
{
  const guint8 *data = g_variant_get_data (request);
  gsize size = g_variant_get_size (request), done = 0;
  int fd = memfd_create ("cc-launcher-request", MFD_CLOEXEC);

  while (fd >= 0 && done < size)
    {
      gssize n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          close (fd);
          fd = -1;
          break;
        }
      done += n;
    }
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not hand the command to the sandbox launcher: %s"), g_strerror (saved));
    }
  return fd;
}

/* Waits until the launcher's socket has something, or @until (monotonic time) passes. */
static gboolean
wait_readable (CcEngineLauncher *self,
               gint64            until,
               short            *revents)
{
  for (;;)
    {
      struct pollfd p = { .fd = self->sock, .events = POLLIN };
      gint64 left = (until - g_get_monotonic_time ()) / 1000;
      int r;

      if (left <= 0)
        return FALSE;
      r = poll (&p, 1, (int) left);
      if (r < 0 && errno == EINTR)
        continue;
      *revents = p.revents;
      return r > 0;
    }
}

/* Another process's end, read while waiting for an answer: told from the main loop, not from
 * inside a spawn. Taken out now, as a new child may get the same pid. */
static void
queue_exit (CcEngineLauncher      *self,
            const CcLauncherReply *reply)
{
  Entry *entry;

  if (!g_hash_table_steal_extended (self->entries, GINT_TO_POINTER (reply->pid), NULL,
                                    (gpointer *) &entry))
    return;
  entry->status = reply->value;
  g_ptr_array_add (self->pending, entry);
  if (self->dispatch_id == 0)
    self->dispatch_id = g_idle_add (dispatch_pending_cb, self);
}

static gboolean
send_request (CcEngineLauncher  *self,
              GVariant          *request,
              const int         *fds,
              GError           **error)
{
  CcLauncherSpawn spawn = { .magic = CC_LAUNCHER_SPAWN_MAGIC,
                            .size = g_variant_get_size (request) };
  char control[CMSG_SPACE (4 * sizeof (int))] = { 0 };
  /* The request follows the record when it is small enough (cc-engine-launcher-wire.h). */
  gboolean is_inline = spawn.size <= CC_LAUNCHER_INLINE_MAX;
  struct iovec iov[] = {
    { .iov_base = &spawn, .iov_len = sizeof spawn },
    { .iov_base = (gpointer) g_variant_get_data (request), .iov_len = spawn.size },
  };
  struct msghdr msg = { .msg_iov = iov, .msg_iovlen = is_inline ? 2 : 1,
                        .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  /* stdin, stdout, stderr, then the memfd of a request too large to come inline; a terminal's
   * spawn (no @fds) has no pipes. */
  int all_fds[4];
  guint n_fds = 0;
  int memfd = -1;
  gssize n;

  if (!is_inline && (memfd = request_to_memfd (request, error)) < 0)
    return FALSE;
  if (fds != NULL)
    for (guint i = 0; i < 3; i++)
      all_fds[n_fds++] = fds[i];
  if (memfd >= 0)
    all_fds[n_fds++] = memfd;
  if (n_fds > 0)
    {
      msg.msg_controllen = CMSG_SPACE (n_fds * sizeof (int));
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (n_fds * sizeof (int));
      memcpy (CMSG_DATA (c), all_fds, n_fds * sizeof (int));
    }
  else
    {
      msg.msg_control = NULL;
      msg.msg_controllen = 0;
    }
  do
    n = sendmsg (self->sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (memfd >= 0)
    close (memfd);
  if (n != (gssize) (sizeof spawn + (is_inline ? spawn.size : 0)))
    {
      int saved = n < 0 ? errno : EIO;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not reach the sandbox launcher: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
cc_engine_launcher_spawn (CcEngineLauncher          *self,
                          const char * const        *argv,
                          const char * const        *envp,
                          const char                *cwd,
                          guint                      pty_cols,
                          guint                      pty_rows,
                          const int                 *fds,
                          GObject                   *owner,
                          CcEngineLauncherExitFunc   exit_func,
                          GPid                      *pid,
                          int                       *pty_master,
                          GError                   **error)
{
  g_autoptr(GVariant) request = NULL;
  gint64 until = g_get_monotonic_time () + SPAWN_WAIT_MS * 1000;
  gboolean pty = pty_cols > 0;
  int master = -1;

  g_return_val_if_fail (!self->dead && self->ready, FALSE);
  g_return_val_if_fail (pty == (fds == NULL), FALSE);
  g_return_val_if_fail (!pty || pty_master != NULL, FALSE);

  request = g_variant_ref_sink (g_variant_new (CC_LAUNCHER_REQUEST_FORMAT, argv, envp, cwd, pty,
                                               (guint16) MIN (pty_cols, G_MAXUINT16),
                                               (guint16) MIN (pty_rows, G_MAXUINT16)));
  if (g_variant_get_size (request) > CC_LAUNCHER_MAX_REQUEST)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The command and its environment are too large for the sandbox launcher"));
      return FALSE;
    }
  if (!send_request (self, request, fds, error))
    {
      mark_dead (self);
      return FALSE;
    }

  for (;;)
    {
      CcLauncherReply reply;
      gboolean closed = FALSE;
      GPid sender = 0;
      int fd = -1;
      guint n_fds = 0;
      short revents;

      if (!wait_readable (self, until, &revents))
        break;
      if (!read_reply (self, &reply, &sender, &fd, 1, &n_fds, &closed))
        {
          if (closed || (revents & (POLLHUP | POLLERR)))
            break;
          continue;
        }
      if (reply.type == CC_LAUNCHER_PTY && n_fds == 1 && pty && master < 0)
        {
          master = fd;
          continue;
        }
      if (n_fds > 0)
        close (fd);
      if (reply.type == CC_LAUNCHER_EXITED)
        {
          queue_exit (self, &reply);
          continue;
        }
      if (reply.type == CC_LAUNCHER_FAILED)
        {
          if (master >= 0)
            close (master);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (reply.value),
                       _("The sandbox launcher could not start the process: %s"),
                       g_strerror (reply.value));
          return FALSE;
        }
      /* Said by the child itself: the kernel names it in our PID namespace, when it is below
       * ours (bubblewrap). Under flatpak-spawn it is not, and the launcher's pid is all there is. */
      if (reply.type == CC_LAUNCHER_STARTED && (pty ? master >= 0 : TRUE) &&
          (sender > 0 || cc_engine_launcher_pids_inside (self)))
        {
          Entry *entry = g_new0 (Entry, 1);

          entry->owner = g_object_ref (owner);
          entry->func = exit_func;
          g_hash_table_replace (self->entries, GINT_TO_POINTER (reply.pid), entry);
          self->started_any = TRUE;
          *pid = cc_engine_launcher_pids_inside (self) ? reply.pid : sender;
          if (pty)
            *pty_master = master;
          return TRUE;
        }
    }

  if (master >= 0)
    close (master);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The sandbox launcher stopped answering"));
  mark_dead (self);
  return FALSE;
}

/* Connecting inside the sandbox's network namespace ----------------------------------------- */

/* Sends a CcLauncherConnect of @magic and waits (bounded) for its answer, with up to @max_fds
 * descriptors; other processes' ends that come in meanwhile are told from the main loop, as
 * during a spawn. */
static gboolean
request (CcEngineLauncher  *self,
         guint32            magic,
         guint              port,
         CcLauncherReply   *answer,
         int               *fds,
         guint              max_fds,
         guint             *n_fds,
         GError           **error)
{
  CcLauncherConnect connect_request = { .magic = magic, .port = port };
  gboolean asking_owns = magic == CC_LAUNCHER_OWNS_MAGIC;
  gint64 until = g_get_monotonic_time () + (asking_owns ? OWNS_WAIT_MS : SPAWN_WAIT_MS) * 1000;
  gssize n;

  if (self->dead)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The sandbox launcher has stopped"));
      return FALSE;
    }
  /* Its answer would be taken for the one to the question asked at its start. */
  g_return_val_if_fail (self->ready, FALSE);
  do
    n = send (self->sock, &connect_request, sizeof connect_request, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != sizeof connect_request)
    {
      int saved = n < 0 ? errno : EIO;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not reach the sandbox launcher: %s"), g_strerror (saved));
      mark_dead (self);
      return FALSE;
    }
  for (;;)
    {
      gboolean closed = FALSE;
      short revents;

      if (!wait_readable (self, until, &revents))
        break;
      if (!read_reply (self, answer, NULL, fds, max_fds, n_fds, &closed))
        {
          if (closed || (revents & (POLLHUP | POLLERR)))
            break;
          continue;
        }
      if (answer->type == CC_LAUNCHER_EXITED)
        {
          for (guint i = 0; i < *n_fds; i++)
            close (fds[i]);
          queue_exit (self, answer);
          continue;
        }
      /* A late answer to an earlier question about a port is no answer to this one. */
      if ((answer->type == CC_LAUNCHER_OWNS) != asking_owns ||
          (asking_owns && answer->pid != (int) port))
        {
          for (guint i = 0; i < *n_fds; i++)
            close (fds[i]);
          continue;
        }
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("The sandbox launcher stopped answering"));
  if (!asking_owns)
    mark_dead (self);
  return FALSE;
}

static guint
request_fds (CcEngineLauncher  *self,
             guint32            magic,
             guint              port,
             int               *fds,
             guint              max_fds,
             GError           **error)
{
  CcLauncherReply reply;
  guint n_fds = 0;
  int code;

  if (!request (self, magic, port, &reply, fds, max_fds, &n_fds, error))
    return 0;
  if (reply.type == CC_LAUNCHER_SOCKET && n_fds > 0)
    return n_fds;
  for (guint i = 0; i < n_fds; i++)
    close (fds[i]);
  code = reply.type == CC_LAUNCHER_FAILED ? reply.value : EPROTO;
  if (code == EADDRINUSE)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                 _("Port %u is held by a program outside this sandbox"), port);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (code),
                 _("Could not connect inside the sandbox: %s"), g_strerror (code));
  return 0;
}

int
cc_engine_launcher_connect (CcEngineLauncher  *self,
                            guint              port,
                            gboolean           own_only,
                            GError           **error)
{
  int fd = -1;

  g_return_val_if_fail (port > 0 && port <= 65535, -1);
  if (request_fds (self, own_only ? CC_LAUNCHER_CONNECT_OWN_MAGIC : CC_LAUNCHER_CONNECT_MAGIC,
                   port, &fd, 1, error) != 1)
    return -1;
  return fd;
}

gboolean
cc_engine_launcher_holds_port (CcEngineSandbox *sandbox,
                               guint            port)
{
  CcEngineLauncher *self = flatpak_launcher (sandbox);
  CcLauncherReply reply;
  guint n_fds = 0;

  g_return_val_if_fail (port > 0 && port <= 65535, FALSE);
  return self != NULL && self->ready && request (self, CC_LAUNCHER_OWNS_MAGIC, port, &reply, NULL, 0, &n_fds, NULL) &&
         reply.type == CC_LAUNCHER_OWNS && reply.value == 1;
}

static void
outbound_exited_cb (GPid     pid,
                    int      status,
                    gpointer user_data)
{
  CcEngineLauncher *self = user_data;

  g_spawn_close_pid (pid);
  if (self->outbound_pid == pid)
    {
      self->outbound_pid = 0;
      /* Its own messages go nowhere (it runs quiet): say at least that it ended. */
      if (!self->dead)
        g_warning ("pasta ended (status %d): the sandbox has no internet access until it is "
                   "started again", status);
    }
}

/* A new descriptor of the launcher's network namespace, or -1 with @error. */
static int
dup_netns (CcEngineLauncher  *self,
           GError           **error)
{
  int fd;

  if (self->netns < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The sandbox launcher gave no network namespace"));
      return -1;
    }
  fd = fcntl (self->netns, F_DUPFD_CLOEXEC, 3);
  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 _("Could not reach the sandbox's network: %s"), g_strerror (errno));
  return fd;
}

/* pasta for the launcher's namespace; without it the sandbox keeps its loopback only. */
static void
outbound_start (CcEngineLauncher *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  int netns = -1, owner = -1;

  if (!cc_engine_netns_probe_outbound (&reason))
    return;  /* said in the engine's status */
  if ((netns = dup_netns (self, &error)) >= 0)
    {
      if (geteuid () != 0 && (owner = cc_engine_netns_dup_owner (netns)) < 0)
        g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                     "the network's user namespace: %s", g_strerror (errno));
      else
        self->outbound_pid = cc_engine_netns_start_outbound (netns, owner, &error);
    }
  if (netns >= 0)
    close (netns);
  if (owner >= 0)
    close (owner);
  if (self->outbound_pid <= 0)
    {
      g_warning ("No internet access for the sandbox: %s",
                 error ? error->message : "the launcher gave no namespace");
      return;
    }
  g_child_watch_add_full (G_PRIORITY_DEFAULT, self->outbound_pid, outbound_exited_cb,
                          g_object_ref (self), g_object_unref);
}

/* Loading network rules ---------------------------------------------------------------------- */

static void
rules_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CcEngineLauncher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) running = g_steal_pointer (&self->rules_running);

  cc_engine_netns_load_rules_finish (result, &error);
  self->rules_running = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < running->len; i++)
    {
      if (error != NULL)
        g_task_return_error (g_ptr_array_index (running, i), g_error_copy (error));
      else
        g_task_return_boolean (g_ptr_array_index (running, i), TRUE);
    }
  if (self->rules_waiting->len > 0)
    rules_run (self);
}

/* Loads the sandbox's rules as they are now, for every task waiting. */
static void
rules_run (CcEngineLauncher *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->rules_waiting);
  int netns = -1, owner = -1;

  self->rules_waiting = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->sandbox == NULL || self->dead)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                         _("The sandbox stopped while its network rules were being set"));
  else if ((netns = dup_netns (self, &error)) >= 0 &&
           geteuid () != 0 && (owner = cc_engine_netns_dup_owner (netns)) < 0)
    g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                 _("The sandbox's network rules could not be loaded: %s"), g_strerror (errno));
  if (error != NULL)
    {
      if (netns >= 0)
        close (netns);
      for (guint i = 0; i < waiting->len; i++)
        g_task_return_error (g_ptr_array_index (waiting, i), g_error_copy (error));
      return;
    }
  g_ptr_array_extend_and_steal (self->rules_running, g_steal_pointer (&waiting));
  cc_engine_netns_load_rules_async (netns, owner,
                                    cc_engine_sandbox_get_network_rules (self->sandbox),
                                    NULL, rules_loaded_cb, g_object_ref (self));
  close (netns);
  if (owner >= 0)
    close (owner);
}

static void
rules_enqueue (CcEngineLauncher *self,
               GTask            *task)
{
  g_ptr_array_add (self->rules_waiting, task);
  /* One still starting runs them once it is ready. */
  if (self->ready && self->rules_running->len == 0)
    rules_run (self);
}

void
cc_engine_launcher_load_rules_async (CcEngineSandbox     *sandbox,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, cc_engine_launcher_load_rules_async);
  /* Any running launcher: the second one joined the first one's network. */
  for (guint i = 0; i < G_N_ELEMENTS (launcher_keys); i++)
    {
      CcEngineLauncher *self = g_object_get_data (G_OBJECT (sandbox), launcher_keys[i]);

      /* Rules are refused up front where there is no network of the sandbox's own to load
       * them into (flatpak-spawn); clearing them there has nothing to do. */
      if (self != NULL && !self->dead && self->isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP)
        {
          rules_enqueue (self, task);
          return;
        }
    }
  /* No network yet: the rules are loaded when it is made. */
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
cc_engine_launcher_load_rules_finish (GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
