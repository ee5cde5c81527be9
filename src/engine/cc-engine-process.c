/* cc-engine-process.c: one process of a sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Output is read in chunks of at most 32 KiB as it arrives and handed to every attached stream
 * as one shared envelope; nothing keeps a copy. When any attached stream is congested the pipes
 * are no longer watched, so the process blocks on its own writes until the client catches up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "cc-engine-process.h"
#include "cc-engine-sandbox-private.h"
#include "cc-protojson.h"

#define READ_CHUNK      (32 * 1024)

typedef struct
{
  CcEngineProcess *process;
  CcEngineStream *stream;
  guint deadline_id;
  gboolean kill_on_deadline;
} Sub;

struct _CcEngineProcess
{
  GObject parent_instance;

  GHashTable *table;
  GWeakRef sandbox;  /* keeps it for a while once it has ended */
  GPid pid;
  /* Set when pid is in a PID namespace the engine cannot see (flatpak-spawn): signals go
   * through the launcher then. */
  GWeakRef launcher;
  gboolean pid_inside;
  char *tag;
  JsonObject *config;
  gboolean pty;

  int out_fd;
  int err_fd;
  int in_fd;
  guint out_watch;
  guint err_watch;
  guint in_watch;
  guint child_watch;
  guint lifetime_id;
  gboolean reading_paused;

  GQueue input;
  gsize input_offset;
  gboolean close_stdin_pending;

  GPtrArray *subs;
  gboolean exited;
  gboolean disposed;
  gboolean abandoned;      /* the sandbox went away: streams end without an end event */
  char *end_payload;
  CcEngineLog *log;
};

G_DEFINE_FINAL_TYPE (CcEngineProcess, cc_engine_process, G_TYPE_OBJECT)

static void sub_remove (Sub *sub);
static void start_reading (CcEngineProcess *self);

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
stop_io (CcEngineProcess *self)
{
  g_clear_handle_id (&self->out_watch, g_source_remove);
  g_clear_handle_id (&self->err_watch, g_source_remove);
  g_clear_handle_id (&self->in_watch, g_source_remove);
  if (self->in_fd == self->out_fd)
    self->in_fd = -1;
  close_fd (&self->out_fd);
  close_fd (&self->err_fd);
  close_fd (&self->in_fd);
  g_queue_clear_full (&self->input, (GDestroyNotify) g_bytes_unref);
}

static void
cc_engine_process_finalize (GObject *object)
{
  CcEngineProcess *self = CC_ENGINE_PROCESS (object);

  while (self->subs->len > 0)
    sub_remove (self->subs->pdata[self->subs->len - 1]);
  g_ptr_array_unref (self->subs);
  stop_io (self);
  g_clear_handle_id (&self->lifetime_id, g_source_remove);
  g_clear_pointer (&self->table, g_hash_table_unref);
  g_weak_ref_clear (&self->sandbox);
  g_clear_pointer (&self->config, json_object_unref);
  g_free (self->tag);
  g_free (self->end_payload);
  g_clear_pointer (&self->log, cc_engine_log_unref);
  g_weak_ref_clear (&self->launcher);

  G_OBJECT_CLASS (cc_engine_process_parent_class)->finalize (object);
}

static void
cc_engine_process_class_init (CcEngineProcessClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_process_finalize;
}

static void
cc_engine_process_init (CcEngineProcess *self)
{
  self->out_fd = self->err_fd = self->in_fd = -1;
  g_weak_ref_init (&self->launcher, NULL);
  g_weak_ref_init (&self->sandbox, NULL);
  self->subs = g_ptr_array_new ();
  g_queue_init (&self->input);
}

guint
cc_engine_process_get_pid (CcEngineProcess *self)
{
  return (guint) self->pid;
}

GPid
cc_engine_process_get_host_pid (CcEngineProcess *self)
{
  return self->pid_inside ? 0 : self->pid;
}

const char *
cc_engine_process_get_tag (CcEngineProcess *self)
{
  return self->tag;
}

gboolean
cc_engine_process_has_exited (CcEngineProcess *self)
{
  return self->exited;
}

/* Envelopes -------------------------------------------------------------------------------- */

/* {"event":{"data":{"<kind>":"<base64>"}}} framed in one allocation, shared by all streams. */
static GBytes *
data_envelope (const char   *kind,
               const guint8 *data,
               gsize         length)
{
  g_autofree char *prefix = g_strdup_printf ("{\"event\":{\"data\":{\"%s\":\"", kind);
  static const char suffix[] = "\"}}}";
  gsize prefix_len = strlen (prefix);
  gsize b64_len = (length + 2) / 3 * 4;
  gsize payload_len = prefix_len + b64_len + strlen (suffix);
  guint8 *buf = g_malloc (5 + payload_len);
  gint state = 0, save = 0;
  gsize written;

  buf[0] = 0;
  buf[1] = (payload_len >> 24) & 0xff;
  buf[2] = (payload_len >> 16) & 0xff;
  buf[3] = (payload_len >> 8) & 0xff;
  buf[4] = payload_len & 0xff;
  memcpy (buf + 5, prefix, prefix_len);
  written = g_base64_encode_step (data, length, FALSE, (char *) buf + 5 + prefix_len, &state, &save);
  written += g_base64_encode_close (FALSE, (char *) buf + 5 + prefix_len + written, &state, &save);
  g_assert (written == b64_len);
  memcpy (buf + 5 + prefix_len + b64_len, suffix, strlen (suffix));
  return g_bytes_new_take (buf, 5 + payload_len);
}

static void
send_start (CcEngineStream *stream,
            guint           pid)
{
  g_autofree char *payload = g_strdup_printf ("{\"event\":{\"start\":{\"pid\":%u}}}", pid);

  _cc_engine_stream_send_payload (stream, payload, strlen (payload));
}

static const char *
signal_text (int signum)
{
  /* Go's os.ProcessState wording, which the SDK shows. */
  switch (signum)
    {
    case SIGKILL: return "killed";
    case SIGTERM: return "terminated";
    case SIGINT: return "interrupt";
    case SIGHUP: return "hangup";
    case SIGQUIT: return "quit";
    case SIGSEGV: return "segmentation fault";
    case SIGABRT: return "aborted";
    case SIGPIPE: return "broken pipe";
    case SIGBUS: return "bus error";
    case SIGFPE: return "floating point exception";
    case SIGILL: return "illegal instruction";
    case SIGUSR1: return "user defined signal 1";
    case SIGUSR2: return "user defined signal 2";
    case SIGALRM: return "alarm clock";
    default: return NULL;
    }
}

static char *
end_payload (int wait_status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *status = NULL;
  int code = -1;
  gboolean exited = FALSE;

  if (WIFEXITED (wait_status))
    {
      code = WEXITSTATUS (wait_status);
      exited = TRUE;
      status = g_strdup_printf ("exit status %d", code);
    }
  else if (WIFSIGNALED (wait_status))
    {
      const char *text = signal_text (WTERMSIG (wait_status));

      status = text ? g_strdup_printf ("signal: %s", text) : g_strdup_printf ("signal %d", WTERMSIG (wait_status));
    }
  else
    status = g_strdup ("unknown");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "end");
  json_builder_begin_object (builder);
  if (code != 0)
    {
      json_builder_set_member_name (builder, "exitCode");
      json_builder_add_int_value (builder, code);
    }
  if (exited)
    {
      json_builder_set_member_name (builder, "exited");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  if (code != 0)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, status);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* Subscribers ------------------------------------------------------------------------------ */

static gboolean
any_congested (CcEngineProcess *self)
{
  for (guint i = 0; i < self->subs->len; i++)
    if (_cc_engine_stream_is_congested (((Sub *) self->subs->pdata[i])->stream))
      return TRUE;
  return FALSE;
}

static void
maybe_resume (CcEngineProcess *self)
{
  if (self->reading_paused && !self->exited && !any_congested (self))
    {
      self->reading_paused = FALSE;
      start_reading (self);
    }
}

static void
sub_remove (Sub *sub)
{
  CcEngineProcess *self = sub->process;

  g_ptr_array_remove (self->subs, sub);
  g_clear_handle_id (&sub->deadline_id, g_source_remove);
  _cc_engine_stream_clear_callbacks (sub->stream);
  _cc_engine_stream_unref (sub->stream);
  g_free (sub);
}

static void
sub_closed_cb (CcEngineStream *stream,
               gpointer        user_data)
{
  Sub *sub = user_data;
  CcEngineProcess *self = g_object_ref (sub->process);

  /* The client went away (or the stream ended); a Start-ed process keeps running. */
  sub_remove (sub);
  maybe_resume (self);
  g_object_unref (self);
}

static void
sub_drained_cb (CcEngineStream *stream,
                gpointer        user_data)
{
  Sub *sub = user_data;

  maybe_resume (sub->process);
}

static gboolean
sub_deadline_cb (gpointer user_data)
{
  Sub *sub = user_data;
  CcEngineProcess *self = g_object_ref (sub->process);

  sub->deadline_id = 0;
  _cc_engine_stream_finish (sub->stream, "deadline_exceeded", "context deadline exceeded");
  sub_remove (sub);
  maybe_resume (self);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static gboolean
lifetime_cb (gpointer user_data)
{
  CcEngineProcess *self = user_data;

  /* Start's Connect-Timeout-Ms bounds the process's life, attached or not (as envd). */
  self->lifetime_id = 0;
  cc_engine_process_signal (self, SIGKILL);
  return G_SOURCE_REMOVE;
}

void
cc_engine_process_attach (CcEngineProcess *self,
                          CcEngineStream  *stream,
                          guint64          deadline_ms,
                          gboolean         kill_on_deadline)
{
  Sub *sub;

  send_start (stream, (guint) self->pid);
  if (self->exited)
    {
      _cc_engine_stream_finish_with (stream, self->end_payload, strlen (self->end_payload));
      return;
    }

  sub = g_new0 (Sub, 1);
  sub->process = self;
  sub->stream = _cc_engine_stream_ref (stream);
  sub->kill_on_deadline = kill_on_deadline;
  if (deadline_ms > 0)
    sub->deadline_id = g_timeout_add ((guint) MIN (deadline_ms, G_MAXINT32), sub_deadline_cb, sub);
  if (deadline_ms > 0 && kill_on_deadline && self->lifetime_id == 0)
    self->lifetime_id = g_timeout_add ((guint) MIN (deadline_ms, G_MAXINT32), lifetime_cb, self);
  g_ptr_array_add (self->subs, sub);

  /* Replace whatever callbacks the stream was created with. */
  _cc_engine_stream_clear_callbacks (stream);
  _cc_engine_stream_set_drained_func (stream, sub_drained_cb, sub);
  _cc_engine_stream_set_closed_func (stream, sub_closed_cb, sub);
}

/* Reading ---------------------------------------------------------------------------------- */

static void
broadcast (CcEngineProcess *self,
           const char      *kind,
           const guint8    *data,
           gsize            length)
{
  g_autoptr(GBytes) envelope = NULL;

  if (self->subs->len == 0)
    return;  /* nobody attached: output is not kept (as envd) */
  envelope = data_envelope (kind, data, length);
  for (guint i = 0; i < self->subs->len; i++)
    _cc_engine_stream_send_envelope (((Sub *) self->subs->pdata[i])->stream, envelope);
}

/* One read; FALSE at end of file. */
static gboolean
read_once (CcEngineProcess *self,
           int              fd,
           const char      *kind)
{
  guint8 buf[READ_CHUNK];
  gssize n;

  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);

  if (n > 0)
    {
      broadcast (self, kind, buf, n);
      return TRUE;
    }
  if (n < 0 && errno == EAGAIN)
    return TRUE;
  return FALSE;  /* EOF, or EIO when a pty's last writer closed */
}

static void
pause_reading (CcEngineProcess *self)
{
  g_clear_handle_id (&self->out_watch, g_source_remove);
  g_clear_handle_id (&self->err_watch, g_source_remove);
  self->reading_paused = TRUE;
}

/* One read from @fd; its watch (*@watch) ends at end of stream, and both watches pause while a
 * subscriber is congested. */
static gboolean
read_ready (CcEngineProcess *self,
            int              fd,
            const char      *stream,
            guint           *watch)
{
  if (!read_once (self, fd, stream))
    {
      *watch = 0;
      return G_SOURCE_REMOVE;
    }
  if (any_congested (self))
    {
      pause_reading (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
out_ready_cb (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  CcEngineProcess *self = user_data;

  return read_ready (self, fd, self->pty ? "pty" : "stdout", &self->out_watch);
}

static gboolean
err_ready_cb (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  CcEngineProcess *self = user_data;

  return read_ready (self, fd, "stderr", &self->err_watch);
}

static void
start_reading (CcEngineProcess *self)
{
  if (self->out_fd >= 0 && self->out_watch == 0)
    self->out_watch = g_unix_fd_add (self->out_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, out_ready_cb, self);
  if (self->err_fd >= 0 && self->err_watch == 0)
    self->err_watch = g_unix_fd_add (self->err_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, err_ready_cb, self);
}

/* Everything still buffered in @fd, after the process ended (bounded by the pipe's size). */
static void
drain (CcEngineProcess *self,
       int              fd,
       const char      *kind)
{
  guint8 buf[READ_CHUNK];

  if (fd < 0)
    return;
  for (guint i = 0; i < 64; i++)
    {
      gssize n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      broadcast (self, kind, buf, n);
    }
}

static void
child_exited_cb (GPid     pid,
                 int      wait_status,
                 gpointer user_data)
{
  CcEngineProcess *self = user_data;

  self->child_watch = 0;
  self->exited = TRUE;
  g_clear_handle_id (&self->lifetime_id, g_source_remove);
  g_spawn_close_pid (pid);

  drain (self, self->out_fd, self->pty ? "pty" : "stdout");
  drain (self, self->err_fd, "stderr");
  stop_io (self);

  self->end_payload = end_payload (wait_status);
  if (self->log != NULL)
    {
      g_autofree char *pid_text = g_strdup_printf ("%d", (int) self->pid);
      g_autofree char *status = WIFEXITED (wait_status)
        ? g_strdup_printf ("exit status %d", WEXITSTATUS (wait_status))
        : WIFSIGNALED (wait_status) ? g_strdup_printf ("signal %d", WTERMSIG (wait_status))
        : g_strdup ("unknown");

      cc_engine_log_add (self->log, CC_ENGINE_LOG_INFO, "Process exited",
                         "logger", "process", "pid", pid_text, "status", status, NULL);
    }
  while (self->subs->len > 0)
    {
      Sub *sub = self->subs->pdata[0];

      if (self->abandoned)
        _cc_engine_stream_abort (sub->stream);
      else
        _cc_engine_stream_finish_with (sub->stream, self->end_payload, strlen (self->end_payload));
      sub_remove (sub);
    }
  if (self->table != NULL)
    {
      g_autoptr(CcEngineSandbox) sandbox = g_weak_ref_get (&self->sandbox);
      g_autoptr(GHashTable) table = g_steal_pointer (&self->table);

      if (sandbox != NULL && cc_engine_sandbox_get_processes (sandbox) == table)
        cc_engine_sandbox_keep_ended (sandbox, self->pid, self);
      else if (g_hash_table_lookup (table, GUINT_TO_POINTER (self->pid)) == self)
        g_hash_table_remove (table, GUINT_TO_POINTER (self->pid));  /* may drop the last ref */
    }
}

/* Input ------------------------------------------------------------------------------------ */

static gboolean flush_input (CcEngineProcess *self);

static gboolean
in_ready_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  CcEngineProcess *self = user_data;

  self->in_watch = 0;
  flush_input (self);
  return G_SOURCE_REMOVE;
}

/* Writes what the fd takes now; the rest waits for it to become writable. */
static gboolean
flush_input (CcEngineProcess *self)
{
  while (!g_queue_is_empty (&self->input) && self->in_fd >= 0)
    {
      GBytes *bytes = g_queue_peek_head (&self->input);
      gsize length;
      const guint8 *data = g_bytes_get_data (bytes, &length);
      gssize n = write (self->in_fd, data + self->input_offset, length - self->input_offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        {
          if (self->in_watch == 0)
            self->in_watch = g_unix_fd_add (self->in_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP, in_ready_cb, self);
          return TRUE;
        }
      if (n < 0)
        {
          /* The reader is gone (EPIPE): input has nowhere to go. */
          g_queue_clear_full (&self->input, (GDestroyNotify) g_bytes_unref);
          self->input_offset = 0;
          break;
        }
      self->input_offset += n;
      if (self->input_offset == length)
        {
          g_bytes_unref (g_queue_pop_head (&self->input));
          self->input_offset = 0;
        }
    }
  if (g_queue_is_empty (&self->input) && self->close_stdin_pending && !self->pty)
    {
      g_clear_handle_id (&self->in_watch, g_source_remove);
      close_fd (&self->in_fd);
      self->close_stdin_pending = FALSE;
    }
  return TRUE;
}

gboolean
cc_engine_process_write_input (CcEngineProcess  *self,
                               GBytes           *data,
                               gboolean          pty,
                               GError          **error)
{
  if (self->exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The process has already ended"));
      return FALSE;
    }
  if (pty != self->pty)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED_HANDLED,
                   pty ? _("The process has no terminal; send stdin instead")
                       : _("The process runs in a terminal; send pty input instead"));
      return FALSE;
    }
  if (self->in_fd < 0 || self->close_stdin_pending)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED_HANDLED,
                   _("The process's stdin is not open (start it with stdin enabled)"));
      return FALSE;
    }
  if (g_bytes_get_size (data) == 0)
    return TRUE;
  g_queue_push_tail (&self->input, g_bytes_ref (data));
  return flush_input (self);
}

gboolean
cc_engine_process_close_stdin (CcEngineProcess  *self,
                               GError          **error)
{
  if (self->exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The process has already ended"));
      return FALSE;
    }
  if (self->pty)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED_HANDLED,
                   _("A terminal's input cannot be closed; send Ctrl-D instead"));
      return FALSE;
    }
  self->close_stdin_pending = TRUE;
  flush_input (self);
  return TRUE;
}

gboolean
cc_engine_process_resize (CcEngineProcess  *self,
                          guint             cols,
                          guint             rows,
                          GError          **error)
{
  struct winsize ws = { .ws_row = rows, .ws_col = cols };

  if (!self->pty || self->out_fd < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED_HANDLED, _("The process has no terminal to resize"));
      return FALSE;
    }
  if (ioctl (self->out_fd, TIOCSWINSZ, &ws) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not resize the terminal: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
cc_engine_process_signal (CcEngineProcess *self,
                          int              signum)
{
  if (self->exited)
    return;
  if (self->pid_inside)
    {
      g_autoptr(CcEngineLauncher) launcher = g_weak_ref_get (&self->launcher);

      if (launcher != NULL)
        cc_engine_launcher_signal (launcher, self->pid, signum);
      return;
    }
  /* The whole group: bwrap, the shell and whatever it started. */
  if (kill (-self->pid, signum) != 0)
    kill (self->pid, signum);
}

void
cc_engine_process_kill_group (CcEngineProcess *self)
{
  if (self->pid_inside)
    {
      g_autoptr(CcEngineLauncher) launcher = g_weak_ref_get (&self->launcher);

      if (launcher != NULL && self->pid > 0)
        cc_engine_launcher_signal (launcher, self->pid, SIGKILL);
      return;
    }
  /* Also after the leader ended: without a PID namespace (unisolated), its background children
   * live on in its process group. */
  if (self->pid > 0)
    kill (-self->pid, SIGKILL);
}

void
cc_engine_process_add_info (CcEngineProcess *self,
                            JsonBuilder     *builder)
{
  JsonNode *config = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (config, self->config);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "config");
  json_builder_add_value (builder, config);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, self->pid);
  if (self->tag != NULL)
    {
      json_builder_set_member_name (builder, "tag");
      json_builder_add_string_value (builder, self->tag);
    }
  json_builder_end_object (builder);
}

void
cc_engine_process_abandon (CcEngineProcess *self)
{
  self->abandoned = TRUE;
}

void
cc_engine_process_dispose_now (CcEngineProcess *self)
{
  self->disposed = TRUE;
  cc_engine_process_signal (self, SIGKILL);
  while (self->subs->len > 0)
    {
      Sub *sub = self->subs->pdata[0];

      _cc_engine_stream_finish (sub->stream, "unavailable", "the engine is shutting down");
      sub_remove (sub);
    }
  g_clear_handle_id (&self->child_watch, g_source_remove);
  g_clear_handle_id (&self->lifetime_id, g_source_remove);
  stop_io (self);
  g_clear_pointer (&self->table, g_hash_table_unref);
}

/* Spawning --------------------------------------------------------------------------------- */

typedef struct
{
  gboolean pty;
  const struct sock_fprog *filter;
} ChildSetup;

static void
child_setup (gpointer user_data)
{
  ChildSetup *setup = user_data;
  sigset_t none;

  /* Async-signal-safe calls only: this runs between fork and exec. */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  /* Ignored signals survive exec (an engine started with `&` ignores SIGINT). */
  for (int i = 1; i < NSIG; i++)
    if (i != SIGKILL && i != SIGSTOP)
      signal (i, SIG_DFL);
  setsid ();
  if (setup->pty)
    ioctl (0, TIOCSCTTY, 0);
  /* Last, as the filter refuses what came before it may need. The kernel takes a filter from a
   * process without CAP_SYS_ADMIN only under no_new_privs, which also keeps setuid programs
   * from undoing it. */
  if (setup->filter != NULL &&
      (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
       prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, setup->filter) != 0))
    _exit (126);
}

static gboolean
open_pty (guint     cols,
          guint     rows,
          int      *master_out,
          int      *slave_out,
          GError  **error)
{
  struct winsize ws = { .ws_row = rows ? rows : 24, .ws_col = cols ? cols : 80 };
  char name[128];
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0 ||
      ptsname_r (master, name, sizeof name) != 0 ||
      (slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    {
      int saved = errno;

      if (master >= 0)
        close (master);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open a pseudo-terminal: %s"), g_strerror (saved));
      return FALSE;
    }
  ioctl (master, TIOCSWINSZ, &ws);
  *master_out = master;
  *slave_out = slave;
  return TRUE;
}

static void
finish_spawn (CcEngineProcess *self,
              CcEngineSandbox *sandbox,
              JsonObject      *config,
              const char      *tag)
{
  g_unix_set_fd_nonblocking (self->out_fd, TRUE, NULL);
  if (self->err_fd >= 0)
    g_unix_set_fd_nonblocking (self->err_fd, TRUE, NULL);
  if (self->in_fd >= 0 && self->in_fd != self->out_fd)
    g_unix_set_fd_nonblocking (self->in_fd, TRUE, NULL);

  self->config = json_object_ref (config);
  self->tag = g_strdup (tag);
  self->table = g_hash_table_ref (cc_engine_sandbox_get_processes (sandbox));
  g_weak_ref_set (&self->sandbox, sandbox);
  g_hash_table_insert (self->table, GUINT_TO_POINTER (self->pid), g_object_ref (self));
  self->log = cc_engine_log_ref (cc_engine_sandbox_get_log (sandbox));
  {
    g_autofree char *pid = g_strdup_printf ("%d", (int) self->pid);
    const char *cmd = cc_protojson_get_string (config, "cmd");

    cc_engine_log_add (self->log, CC_ENGINE_LOG_INFO, "Process started", "logger", "process", "pid", pid,
                       "cmd", cmd != NULL ? cmd : "", "tag", tag != NULL ? tag : "", NULL);
  }
  start_reading (self);
}

CcEngineProcess *
cc_engine_process_spawn (CcEngineSandbox  *sandbox,
                         JsonObject       *config,
                         const char       *tag,
                         GStrv             argv,
                         GStrv             envp,
                         const char       *host_cwd,
                         gboolean          search_envp_path,
                         gboolean          want_stdin,
                         guint             pty_cols,
                         guint             pty_rows,
                         GBytes           *filter,
                         GError          **error)
{
  g_autoptr(CcEngineProcess) self = g_object_new (CC_TYPE_ENGINE_PROCESS, NULL);
  struct sock_fprog program = { 0 };
  ChildSetup setup = { .pty = pty_cols > 0 };
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD |
                      (search_envp_path ? G_SPAWN_SEARCH_PATH_FROM_ENVP : G_SPAWN_SEARCH_PATH);
  int master = -1, slave = -1;
  gboolean ok;

  if (filter != NULL)
    {
      gsize size;

      program.filter = (struct sock_filter *) g_bytes_get_data (filter, &size);
      program.len = (unsigned short) (size / sizeof (struct sock_filter));
      setup.filter = &program;
    }
  self->pty = setup.pty;
  if (self->pty)
    {
      if (!open_pty (pty_cols, pty_rows, &master, &slave, error))
        return NULL;
      ok = g_spawn_async_with_pipes_and_fds (host_cwd, (const char * const *) argv,
                                             (const char * const *) envp, flags, child_setup, &setup,
                                             slave, slave, slave, NULL, NULL, 0, &self->pid,
                                             NULL, NULL, NULL, error);
      close (slave);
      if (!ok)
        {
          close (master);
          return NULL;
        }
      self->out_fd = master;
      self->in_fd = master;
    }
  else
    {
      if (!want_stdin)
        flags |= G_SPAWN_STDIN_FROM_DEV_NULL;
      if (!g_spawn_async_with_pipes_and_fds (host_cwd, (const char * const *) argv,
                                             (const char * const *) envp, flags, child_setup, &setup,
                                             -1, -1, -1, NULL, NULL, 0, &self->pid,
                                             want_stdin ? &self->in_fd : NULL,
                                             &self->out_fd, &self->err_fd, error))
        return NULL;
    }

  self->child_watch = g_child_watch_add_full (G_PRIORITY_DEFAULT, self->pid, child_exited_cb,
                                              g_object_ref (self), g_object_unref);
  finish_spawn (self, sandbox, config, tag);
  return g_steal_pointer (&self);
}

static void
launched_exited (GObject *owner,
                 int      wait_status)
{
  CcEngineProcess *self = CC_ENGINE_PROCESS (owner);

  if (!self->exited && !self->disposed)
    child_exited_cb (self->pid, wait_status, self);
}

static void
close_pair (int *fds)
{
  close_fd (&fds[0]);
  close_fd (&fds[1]);
}

CcEngineProcess *
cc_engine_process_spawn_launched (CcEngineSandbox   *sandbox,
                                  CcEngineLauncher  *launcher,
                                  JsonObject        *config,
                                  const char        *tag,
                                  GStrv              argv,
                                  GStrv              envp,
                                  const char        *cwd,
                                  gboolean           want_stdin,
                                  guint              pty_cols,
                                  guint              pty_rows,
                                  GError           **error)
{
  g_autoptr(CcEngineProcess) self = g_object_new (CC_TYPE_ENGINE_PROCESS, NULL);
  int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
  int child[3];
  gboolean ok;

  /* A terminal is opened by the launcher, inside the sandbox: only there is it one. */
  self->pty = pty_cols > 0;
  if (!self->pty)
    {
      if ((want_stdin ? !g_unix_open_pipe (in, FD_CLOEXEC, error)
                      : (in[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) ||
          !g_unix_open_pipe (out, FD_CLOEXEC, error) ||
          !g_unix_open_pipe (err, FD_CLOEXEC, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, g_strerror (errno));
          close_pair (in);
          close_pair (out);
          close_pair (err);
          return NULL;
        }
      child[0] = in[0];
      child[1] = out[1];
      child[2] = err[1];
    }

  ok = cc_engine_launcher_spawn (launcher, (const char * const *) argv, (const char * const *) envp,
                                 cwd, self->pty ? MAX (pty_cols, 1) : 0, self->pty ? MAX (pty_rows, 1) : 0,
                                 self->pty ? NULL : child, G_OBJECT (self), launched_exited,
                                 &self->pid, self->pty ? &out[0] : NULL, error);
  /* The launcher has its own copies now. */
  close_fd (&in[0]);
  close_fd (&out[1]);
  close_fd (&err[1]);
  if (!ok)
    {
      close_fd (&in[1]);
      close_fd (&out[0]);
      close_fd (&err[0]);
      return NULL;
    }
  self->out_fd = out[0];
  self->in_fd = self->pty ? out[0] : in[1];
  self->err_fd = err[0];
  if (cc_engine_launcher_pids_inside (launcher))
    {
      self->pid_inside = TRUE;
      g_weak_ref_set (&self->launcher, launcher);
    }
  finish_spawn (self, sandbox, config, tag);
  return g_steal_pointer (&self);
}
