/* cc-engine.c: the server: one loopback port, authentication and routing
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every request arrives at one handler that decides what it is from the Host and the
 * E2b-Sandbox-Id header: preview traffic (<port>-<id>.<domain>), the sandbox daemon
 * (49983-<id>.<domain> or the header), a signed /files URL that names no sandbox (routed by its
 * signature, see lookup_signing_sandbox()), or the control plane. Authentication happens here,
 * before any handler sees the request.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cc-engine-path.h"
#include "cc-engine-files-access.h"
#include "cc-engine-host.h"
#include "cc-engine-seccomp.h"
#include "cc-engine-server.h"
#include "cc-engine-spawn.h"
#include "cc-engine-upload.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

/* Requests in flight and when one last began or ended, for the idle exit. */
typedef struct
{
  guint  in_flight;
  gint64 last;
} CcEngineActivity;

struct _CcEngine
{
  GObject parent_instance;

  char *data_dir;
  char *runtime_dir;
  char *json_path;
  char *lock_path;
  int lock_fd;

  SoupServer *server;
  guint port;
  char *url;
  char *domain;
  char *api_key;

  CcEngineIsolation isolation;
  char *isolation_reason;
  JsonArray *isolation_facts;  /* cc_engine_isolation_fact_add () */
  GBytes *filter;  /* the system-call filter, loaded by each command when not isolated */
  char *unisolated_refusal;  /* why commands are refused, or NULL */

  GHashTable *sandboxes;
  CcEngineSpare *spare;  /* NULL without isolation: nothing to make ahead */

  /* Every loopback port one of our servers listens on: the preview proxy never targets them. */
  GHashTable *own_ports;
  /* Our entry in the Via header of proxied requests: a request that carries it came back. */
  char *hop_token;
  guint header_timeout_ms;

  CcEngineActivity *activity;  /* shared with the requests in flight, see request_started_cb */
};

G_DEFINE_FINAL_TYPE (CcEngine, cc_engine, G_TYPE_OBJECT)

static void
cc_engine_finalize (GObject *object)
{
  CcEngine *self = CC_ENGINE (object);

  cc_engine_stop (self);
  g_clear_pointer (&self->sandboxes, g_hash_table_unref);
  g_clear_pointer (&self->own_ports, g_hash_table_unref);
  g_free (self->hop_token);
  g_rc_box_release (self->activity);
  g_free (self->data_dir);
  g_free (self->runtime_dir);
  g_free (self->json_path);
  g_free (self->lock_path);
  g_free (self->url);
  g_free (self->domain);
  if (self->api_key != NULL)
    explicit_bzero (self->api_key, strlen (self->api_key));
  g_free (self->api_key);
  g_free (self->isolation_reason);
  g_clear_pointer (&self->isolation_facts, json_array_unref);
  g_clear_pointer (&self->filter, g_bytes_unref);
  g_free (self->unisolated_refusal);

  G_OBJECT_CLASS (cc_engine_parent_class)->finalize (object);
}

static void
cc_engine_class_init (CcEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_finalize;
}

static void
cc_engine_init (CcEngine *self)
{
  self->lock_fd = -1;
  self->isolation_facts = json_array_new ();
  self->sandboxes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->own_ports = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->header_timeout_ms = CC_ENGINE_HEADER_TIMEOUT_MS;
  self->activity = g_rc_box_new0 (CcEngineActivity);
  self->activity->last = g_get_monotonic_time ();
}

CcEngine *
cc_engine_new (const char *data_dir,
               const char *runtime_dir)
{
  CcEngine *self = g_object_new (CC_TYPE_ENGINE, NULL);

  self->data_dir = g_strdup (data_dir);
  self->runtime_dir = g_strdup (runtime_dir);
  self->json_path = g_build_filename (runtime_dir, "engine.json", NULL);
  self->lock_path = g_build_filename (runtime_dir, "engine.lock", NULL);
  return self;
}

/* Accessors -------------------------------------------------------------------------------- */

guint
cc_engine_get_port (CcEngine *self)
{
  return self->port;
}

const char *
cc_engine_get_url (CcEngine *self)
{
  return self->url;
}

const char *
cc_engine_get_domain (CcEngine *self)
{
  return self->domain;
}

const char *
cc_engine_get_api_key (CcEngine *self)
{
  return self->api_key;
}

const char *
cc_engine_get_isolation (CcEngine *self)
{
  switch (self->isolation)
    {
    case CC_ENGINE_ISOLATION_BUBBLEWRAP:
      return "bubblewrap";
    case CC_ENGINE_ISOLATION_FLATPAK_SPAWN:
      return "flatpak-spawn";
    case CC_ENGINE_ISOLATION_NONE:
    default:
      return "none";
    }
}

JsonArray *
cc_engine_get_isolation_facts (CcEngine *self)
{
  return self->isolation_facts;
}

const char *
cc_engine_get_isolation_reason (CcEngine *self)
{
  return self->isolation != CC_ENGINE_ISOLATION_NONE ? NULL : self->isolation_reason;
}

const char *
cc_engine_get_data_dir (CcEngine *self)
{
  return self->data_dir;
}

gboolean
_cc_engine_is_isolated (CcEngine *self)
{
  return self->isolation != CC_ENGINE_ISOLATION_NONE;
}

CcEngineIsolation
_cc_engine_get_isolation_mode (CcEngine *self)
{
  return self->isolation;
}

GBytes *
_cc_engine_get_filter (CcEngine *self)
{
  return self->filter;
}

gboolean
_cc_engine_check_unisolated (CcEngine  *self,
                             GError   **error)
{
  if (self->unisolated_refusal == NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, self->unisolated_refusal);
  return FALSE;
}

/* The system-call filter, written for bubblewrap (`--seccomp`) and kept in memory for commands
 * run without it: whatever else is missing, they run under it. */
static void
write_filter (CcEngine *self)
{
  g_autofree char *path = g_build_filename (self->runtime_dir, CC_ENGINE_SECCOMP_FILE, NULL);
  g_autofree char *nested = g_build_filename (self->runtime_dir, CC_ENGINE_SECCOMP_NESTED_FILE, NULL);
  g_autoptr(GError) error = NULL;
  char *program = NULL;
  gsize length = 0;

  if (cc_engine_seccomp_write (path, FALSE, &error) &&
      cc_engine_seccomp_write (nested, TRUE, &error) &&
      g_file_get_contents (path, &program, &length, &error))
    {
      self->filter = g_bytes_new_take (program, length);
      cc_engine_isolation_fact_add (self->isolation_facts, "seccomp", TRUE,
                                    _("A system-call filter refuses terminal injection (TIOCSTI, "
                                      "TIOCLINUX), the kernel keyring, perf_event_open, "
                                      "userfaultfd, mounting, new namespaces and rare socket "
                                      "families"));
    }
  else
    {
      g_autofree char *detail = g_strdup_printf (_("No system-call filter: %s"), error->message);

      g_unlink (path);
      g_unlink (nested);
      cc_engine_isolation_fact_add (self->isolation_facts, "seccomp", FALSE, detail);
    }
}

/* Without isolation a command runs as the engine's user. For an engine running as root that
 * is root on this machine, which a sandbox never is: its commands are refused, unless whoever
 * started the engine turned isolation off on purpose. */
static void
check_unisolated (CcEngine *self)
{
  if (self->isolation != CC_ENGINE_ISOLATION_NONE || geteuid () != 0 ||
      g_getenv ("CODE_CANVAS_ENGINE_NO_BWRAP") != NULL)
    return;
  self->unisolated_refusal =
    g_strdup (_("Commands are refused: the engine runs as root and cannot isolate sandboxes "
                "here, so they would run as root on this machine. Run the engine as an ordinary "
                "user, or set CODE_CANVAS_ENGINE_NO_BWRAP=1 to run them without isolation"));
  cc_engine_isolation_fact_add (self->isolation_facts, "commands", FALSE, self->unisolated_refusal);
}

const char *
_cc_engine_get_runtime_dir (CcEngine *self)
{
  return self->runtime_dir;
}

CcEngineSandbox *
cc_engine_lookup_sandbox (CcEngine   *self,
                          const char *sandbox_id)
{
  if (sandbox_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->sandboxes, sandbox_id);
}

GHashTable *
_cc_engine_get_sandboxes (CcEngine *self)
{
  return self->sandboxes;
}

CcEngineSpare *
_cc_engine_get_spare (CcEngine *self)
{
  return self->spare;
}

void
_cc_engine_add_sandbox (CcEngine        *self,
                        CcEngineSandbox *sandbox)
{
  g_hash_table_replace (self->sandboxes, g_strdup (cc_engine_sandbox_get_id (sandbox)),
                        g_object_ref (sandbox));
}

void
_cc_engine_remove_sandbox (CcEngine        *self,
                           CcEngineSandbox *sandbox)
{
  g_hash_table_remove (self->sandboxes, cc_engine_sandbox_get_id (sandbox));
}

/* Routing ---------------------------------------------------------------------------------- */

static gboolean
is_streaming_method (const char *path)
{
  return g_str_equal (path, "/process.Process/Start") ||
         g_str_equal (path, "/process.Process/Connect") ||
         g_str_equal (path, "/filesystem.Filesystem/WatchDir");
}

/* The sandbox @sandbox_id, woken first when it is paused with autoResume (as E2B's proxy does
 * when traffic reaches it), or NULL when there is none. It may still not be running. */
static CcEngineSandbox *
lookup_awake_sandbox (CcEngine   *self,
                      const char *sandbox_id)
{
  CcEngineSandbox *sandbox = cc_engine_lookup_sandbox (self, sandbox_id);

  if (sandbox != NULL && cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_PAUSED &&
      cc_engine_sandbox_get_auto_resume (sandbox))
    _cc_engine_control_auto_resume (self, sandbox);
  return sandbox;
}

static gboolean
sandbox_is_running (CcEngineSandbox *sandbox)
{
  return sandbox != NULL && cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING;
}

static void
handle_daemon (CcEngine          *self,
               const char        *sandbox_id,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query)
{
  CcEngineSandbox *sandbox = lookup_awake_sandbox (self, sandbox_id);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *token = soup_message_headers_get_one (headers, "X-Access-Token");
  gboolean authorized;
  g_autofree char *user = NULL;

  if (!sandbox_is_running (sandbox))
    {
      _cc_engine_reply_sandbox_not_found (msg, sandbox_id);
      return;
    }

  if (g_str_equal (path, "/health"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  authorized = _cc_engine_secret_equal (token, cc_engine_sandbox_get_access_token (sandbox));

  if (g_str_equal (path, "/files"))
    {
      if (token != NULL && !authorized)
        {
          _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED,
                                       CC_ENGINE_UNAUTHORIZED_MESSAGE);
          return;
        }
      _cc_engine_files_handle (self, sandbox, msg, query, authorized);
      return;
    }

  if (!authorized)
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED,
                                   CC_ENGINE_UNAUTHORIZED_MESSAGE);
      return;
    }

  if (g_str_equal (path, "/envs") && g_str_equal (method, "GET"))
    {
      _cc_engine_reply_envs (sandbox, msg);
      return;
    }
  if (g_str_equal (path, "/metrics") && g_str_equal (method, "GET"))
    {
      _cc_engine_reply_envd_metrics (msg);
      return;
    }

  if (g_str_has_prefix (path, "/process.Process/") || g_str_has_prefix (path, "/filesystem.Filesystem/"))
    {
      gboolean streaming = is_streaming_method (path);

      if (!g_str_equal (method, "POST"))
        {
          soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
          return;
        }
      user = _cc_engine_request_user (msg);
      if (user == NULL)
        {
          if (streaming)
            _cc_engine_reply_stream_error (msg, "unauthenticated", "invalid username");
          else
            _cc_engine_reply_connect_error (msg, "unauthenticated", "invalid username");
          return;
        }
      if (g_str_has_prefix (path, "/process.Process/"))
        _cc_engine_process_handle (self, sandbox, msg, path + strlen ("/process.Process/"), user);
      else
        _cc_engine_filesystem_handle (self, sandbox, msg, path + strlen ("/filesystem.Filesystem/"), user);
      return;
    }

  _cc_engine_reply_http_error (msg, SOUP_STATUS_NOT_FOUND, "not found");
}

gboolean
_cc_engine_parse_sandbox_host (const char  *host,
                               guint       *port,
                               char       **sandbox_id)
{
  const char *dash, *dot;
  guint64 value;
  g_autofree char *port_text = NULL;
  g_autofree char *id = NULL;

  if (host == NULL)
    return FALSE;
  dash = strchr (host, '-');
  dot = strchr (host, '.');
  if (dash == NULL || dot == NULL || dash > dot)
    return FALSE;
  port_text = g_strndup (host, dash - host);
  if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &value, NULL))
    return FALSE;
  id = g_strndup (dash + 1, dot - dash - 1);
  if (!cc_engine_sandbox_is_valid_id (id))
    return FALSE;
  *port = (guint) value;
  *sandbox_id = g_steal_pointer (&id);
  return TRUE;
}

/* Signed /files URLs built on E2B_SANDBOX_URL name no sandbox: no
 * E2b-Sandbox-Id header, no 49983-<id> Host. The signature names it instead, since it covers
 * the sandbox's access token: such a request goes to the one sandbox whose token validates it.
 * TRUE for a GET or POST /files with a signature; the caller has already found no sandbox id. */
static gboolean
is_unrouted_signed_files (SoupServerMessage *msg,
                          const char        *path,
                          GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);

  return (method == SOUP_METHOD_GET || method == SOUP_METHOD_POST) && g_str_equal (path, "/files") &&
         query != NULL && g_hash_table_lookup (query, "signature") != NULL;
}

/* The sandbox whose access token validates the request's signature, or NULL after answering
 * 401 the way envd does. One SHA-256 per sandbox with a token (sandboxes without one have no
 * signatures), every one compared in constant time and the loop never cut short, so the time
 * taken says nothing about which sandbox matched. Expiry is not checked here: the signature
 * covers the expiration, so an expired URL still finds its sandbox, whose /files handler then
 * refuses it exactly as it would with the sandbox named. */
static CcEngineSandbox *
lookup_signing_sandbox (CcEngine          *self,
                        SoupServerMessage *msg,
                        GHashTable        *query)
{
  const char *signature = g_hash_table_lookup (query, "signature");
  const char *expiration_text = g_hash_table_lookup (query, "signature_expiration");
  const char *op = soup_server_message_get_method (msg) == SOUP_METHOD_GET ? "read" : "write";
  CcEngineSandbox *found = NULL;
  GHashTableIter iter;
  gpointer value;
  guint64 expiration = 0;

  if (expiration_text != NULL &&
      !g_ascii_string_to_unsigned (expiration_text, 10, 1, G_MAXINT64, &expiration, NULL))
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature expiration");
      return NULL;
    }

  /* Every signature is "v1_" and 43 base64 characters: anything else cannot match any token. */
  if (g_str_has_prefix (signature, "v1_") && strlen (signature) == 46)
    {
      g_hash_table_iter_init (&iter, self->sandboxes);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          CcEngineSandbox *sandbox = value;
          const char *token = cc_engine_sandbox_get_access_token (sandbox);
          g_autofree char *expected = NULL;

          if (token == NULL || *token == '\0')
            continue;
          expected = _cc_engine_files_signature (g_hash_table_lookup (query, "path"), op,
                                                 g_hash_table_lookup (query, "username"), token,
                                                 (gint64) expiration);
          if (_cc_engine_secret_equal (signature, expected) && found == NULL)
            found = sandbox;
        }
    }
  if (found != NULL)
    return found;

  /* As envd checks: an expired URL is reported as such before its signature. */
  if (expiration_text != NULL && (gint64) expiration < g_get_real_time () / G_USEC_PER_SEC)
    _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "signature is already expired");
  else
    _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature");
  return NULL;
}

static void server_handler (SoupServer *server, SoupServerMessage *msg, const char *path,
                            GHashTable *query, gpointer user_data);
/* Set on a request whose body has neither the size limit nor a buffer of ours (got_headers_cb). */
#define BODY_EXEMPT_KEY "cc-body-exempt"

void
_cc_engine_handle_again (SoupServerMessage *msg,
                         gpointer           engine)
{
  CcEngine *self = engine;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  const char *query_text = g_uri_get_query (uri);
  g_autoptr(GHashTable) query = query_text != NULL ? soup_form_decode (query_text) : NULL;

  /* The path and query as libsoup hands them to a handler. */
  if (soup_server_message_is_options_ping (msg))
    path = "*";
  else if (path == NULL || *path == '\0')
    path = "/";
  server_handler (self->server, msg, path, query, self);
}

static void
server_handler (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  CcEngine *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header_id = soup_message_headers_get_one (headers, "E2b-Sandbox-Id");
  g_autofree char *host_id = NULL;
  guint host_port = 0;

  if (soup_server_message_get_status (msg) != 0)
    return;  /* already answered while reading (body too large) */
  if (_cc_engine_refuse_loop (self, msg))
    return;
  /* A large JSON body is parsed off the main loop first; the request then comes back here. */
  if (g_object_get_data (G_OBJECT (msg), BODY_EXEMPT_KEY) == NULL &&
      _cc_engine_request_body_length (msg) > CC_ENGINE_PARSE_INLINE_BYTES &&
      _cc_engine_worker_defer_parse (msg, _cc_engine_handle_again, g_object_ref (self),
                                     g_object_unref))
    return;

  if (_cc_engine_parse_sandbox_host (soup_message_headers_get_one (headers, "Host"), &host_port, &host_id))
    {
      if (host_port == CC_ENGINE_ENVD_PORT)
        handle_daemon (self, host_id, msg, path, query);
      else
        {
          CcEngineSandbox *sandbox = lookup_awake_sandbox (self, host_id);

          if (!sandbox_is_running (sandbox))
            _cc_engine_reply_sandbox_not_found (msg, host_id);
          else
            _cc_engine_preview_handle (self, sandbox, host_port, msg);
        }
      return;
    }

  if (header_id != NULL)
    {
      const char *port_text = soup_message_headers_get_one (headers, "E2b-Sandbox-Port");
      guint64 port = CC_ENGINE_ENVD_PORT;

      /* As E2B's proxy: the port header picks a sandbox port other than the daemon's. */
      if (port_text != NULL && g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL) &&
          port != CC_ENGINE_ENVD_PORT)
        {
          CcEngineSandbox *sandbox = lookup_awake_sandbox (self, header_id);

          if (!sandbox_is_running (sandbox))
            _cc_engine_reply_sandbox_not_found (msg, header_id);
          else
            _cc_engine_preview_handle (self, sandbox, (guint) port, msg);
          return;
        }
      handle_daemon (self, header_id, msg, path, query);
      return;
    }

  if (is_unrouted_signed_files (msg, path, query))
    {
      CcEngineSandbox *sandbox = lookup_signing_sandbox (self, msg, query);

      if (sandbox != NULL)
        handle_daemon (self, cc_engine_sandbox_get_id (sandbox), msg, path, query);
      return;
    }

  if (!_cc_engine_secret_equal (soup_message_headers_get_one (headers, "X-API-KEY"), self->api_key))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_UNAUTHORIZED, "Invalid API key");
      return;
    }
  _cc_engine_control_handle (self, msg, path, query);
}

/* Preview traffic with a body is proxied from here, so the body streams through. */
static void
early_preview (CcEngine          *self,
               const char        *sandbox_id,
               guint              port,
               SoupServerMessage *msg)
{
  _cc_engine_preview_handle_early (self, lookup_awake_sandbox (self, sandbox_id), port, msg);
}

/* Request bodies that may be large are never read into memory: the request is routed as soon as
 * its headers are in, by the same rules as server_handler() and handle_daemon(). POST /files is
 * streamed to disk (cc-engine-upload.c), and refused here when it must be, before its body
 * arrives; preview traffic is proxied from here (cc-engine-preview.c). */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  CcEngine *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *port_text = soup_message_headers_get_one (headers, "E2b-Sandbox-Port");
  const char *sandbox_id = soup_message_headers_get_one (headers, "E2b-Sandbox-Id");
  const char *token = soup_message_headers_get_one (headers, "X-Access-Token");
  g_autofree char *host_id = NULL;
  CcEngineSandbox *sandbox;
  guint host_port = 0;
  guint64 port;

  if (soup_server_message_get_status (msg) != 0 || _cc_engine_refuse_loop (self, msg))
    return;
  if (_cc_engine_parse_sandbox_host (soup_message_headers_get_one (headers, "Host"), &host_port, &host_id))
    {
      if (host_port != CC_ENGINE_ENVD_PORT)
        {
          early_preview (self, host_id, host_port, msg);
          return;
        }
      sandbox_id = host_id;
    }
  else if (sandbox_id != NULL && port_text != NULL &&
           g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL) &&
           port != CC_ENGINE_ENVD_PORT)
    {
      early_preview (self, sandbox_id, (guint) port, msg);
      return;
    }
  if (soup_server_message_get_method (msg) != SOUP_METHOD_POST || !g_str_equal (path, "/files"))
    return;

  /* Whoever answers, the body of a /files upload is never held in memory. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  if (sandbox_id == NULL && is_unrouted_signed_files (msg, path, query))
    {
      sandbox = lookup_signing_sandbox (self, msg, query);
      if (sandbox == NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
          return;  /* answered 401 */
        }
      sandbox_id = cc_engine_sandbox_get_id (sandbox);
    }
  if (sandbox_id == NULL)
    return;  /* the control plane has no /files: answered without the body */
  sandbox = lookup_awake_sandbox (self, sandbox_id);
  if (!sandbox_is_running (sandbox))
    return;  /* handle_daemon() answers 502 */
  if (token != NULL && !_cc_engine_secret_equal (token, cc_engine_sandbox_get_access_token (sandbox)))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED,
                                   CC_ENGINE_UNAUTHORIZED_MESSAGE);
      return;
    }
  _cc_engine_upload_begin (sandbox, msg, query, token != NULL);
}

typedef struct
{
  GSource *source;
  GSocket *socket;
  gint64 last;   /* monotonic time of the last chunk */
  gint64 span;   /* microseconds */
} BodyTimeout;

#define BODY_TIMEOUT_KEY "cc-body-timeout"

/* Bodies are refused early when they announce a size over the limit; /files uploads are exempt
 * (their handler streams them). */
static gboolean
body_limit_exempt (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *port_text = soup_message_headers_get_one (headers, "E2b-Sandbox-Port");
  g_autofree char *host_id = NULL;
  guint host_port = 0;

  if (g_str_equal (g_uri_get_path (soup_server_message_get_uri (msg)), "/files"))
    return TRUE;
  if (_cc_engine_parse_sandbox_host (soup_message_headers_get_one (headers, "Host"), &host_port, &host_id) &&
      host_port != CC_ENGINE_ENVD_PORT)
    return TRUE;  /* preview traffic: the dev server decides */
  /* Routed as preview traffic by its headers only with a sandbox named (early_handler ()). */
  return port_text != NULL && !g_str_equal (port_text, G_STRINGIFY (CC_ENGINE_ENVD_PORT)) &&
         soup_message_headers_get_one (headers, "E2b-Sandbox-Id") != NULL;
}

/* Whether server_handler () takes @msg to the control plane, which wants the API key: no
 * sandbox named by header or host, and not a signed /files URL (body_limit_exempt ()). */
static gboolean
is_control_plane (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *host_id = NULL;
  guint host_port = 0;

  return soup_message_headers_get_one (headers, "E2b-Sandbox-Id") == NULL &&
         !_cc_engine_parse_sandbox_host (soup_message_headers_get_one (headers, "Host"), &host_port, &host_id);
}

static void body_timeout_arm (CcEngine          *self,
                              SoupServerMessage *msg);

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  CcEngine *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);
  gboolean has_body = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED || length > 0;

  /* libsoup reads a body whole before it writes the answer, and keeps it unless told not to: a
   * body the engine has no use for is read and dropped, or one connection could fill its
   * memory. An upload or preview traffic goes elsewhere, never through memory, and no other
   * route for it wants the body. */
  if (body_limit_exempt (msg))
    {
      g_object_set_data (G_OBJECT (msg), BODY_EXEMPT_KEY, GINT_TO_POINTER (TRUE));
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      return;
    }
  if (has_body)
    body_timeout_arm (self, msg);
  /* A control-plane request without the key is answered 401 (server_handler ()) whatever its
   * body says: the body is not kept meanwhile. */
  if (has_body && is_control_plane (msg) &&
      !_cc_engine_secret_equal (soup_message_headers_get_one (headers, "X-API-KEY"), self->api_key))
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      return;
    }
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return;
  if (length > CC_ENGINE_MAX_BODY)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      _cc_engine_reply_api_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request body too large");
    }
  else if (length > CC_ENGINE_PARSE_INLINE_BYTES)
    _cc_engine_request_body_keep (msg, (gsize) length);
}

/* libsoup reads a request body for as long as its socket has data, 8 KiB at a time: a fast
 * client's 64 MiB upload or 15 MiB request kept the main loop, and every other sandbox, waiting
 * for tens of milliseconds. Each BODY_SLICE read, the message is paused and at once unpaused:
 * libsoup then goes back to the main loop, which runs what else is ready before it reads on. */
#define BODY_SLICE (512 * 1024)

static void
yield_each_slice (SoupServerMessage *msg,
                  gsize              chunk_size)
{
  gsize read = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "cc-body-slice")) + chunk_size;

  if (read >= BODY_SLICE)
    {
      read = 0;
      soup_server_message_pause (msg);
      soup_server_message_unpause (msg);
    }
  g_object_set_data (G_OBJECT (msg), "cc-body-slice", GSIZE_TO_POINTER (read));
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  BodyTimeout *timeout = g_object_get_data (G_OBJECT (msg), BODY_TIMEOUT_KEY);

  /* Whatever becomes of the body, it is still arriving. */
  if (timeout != NULL)
    timeout->last = g_get_monotonic_time ();
  yield_each_slice (msg, g_bytes_get_size (chunk));
  if (soup_server_message_get_status (msg) != 0 ||
      g_object_get_data (G_OBJECT (msg), BODY_EXEMPT_KEY) != NULL)
    return;
  _cc_engine_request_body_got (msg, chunk);
  if (_cc_engine_request_body_length (msg) > CC_ENGINE_MAX_BODY)
    {
      /* Chunked and too long: stop keeping it, answer 413 once it ends. */
      _cc_engine_request_body_drop (msg);
      _cc_engine_reply_api_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request body too large");
    }
}

/* libsoup 3.2 does not notice when a client closes an idle keep-alive connection (it stays in
 * CLOSE_WAIT and keeps its fd). Between requests we watch the socket ourselves: at end of file
 * we close it; when the next request arrives we step aside and let libsoup read it. */
static void
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static gboolean
idle_socket_cb (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  char byte;
  gssize n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);

  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (condition & (G_IO_HUP | G_IO_ERR)))
    g_socket_close (socket, NULL);
  g_object_set_data (G_OBJECT (socket), "cc-idle-watch", NULL);
  return G_SOURCE_REMOVE;
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  g_autoptr(GSource) source = NULL;

  if (socket == NULL || g_socket_is_closed (socket) ||
      g_object_get_data (G_OBJECT (socket), "cc-idle-watch") != NULL)
    return;
  source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, (GSourceFunc) (GCallback) idle_socket_cb, NULL, NULL);
  g_source_attach (source, NULL);
  /* The data owns the source: it goes away with the socket. */
  g_object_set_data_full (G_OBJECT (socket), "cc-idle-watch", g_source_ref (source),
                          destroy_source);
}

/* Connections that send no complete request head within the bound are shut down: otherwise a
 * client that connects and sends nothing (or half a header) holds a descriptor for ever. The
 * shutdown makes libsoup read end-of-file and drop the connection the ordinary way. */
static gboolean
header_timeout_cb (gpointer user_data)
{
  GSocket *socket = user_data;

  if (!g_socket_is_closed (socket))
    shutdown (g_socket_get_fd (socket), SHUT_RDWR);
  return G_SOURCE_REMOVE;
}

/* A body that stops arriving is cut as an unfinished head is (header_timeout_cb ()), once it
 * has not moved for as long: a client that announced 16 MiB and sent all but the last byte held
 * that memory for ever. Not for uploads and preview traffic (body_limit_exempt ()), which go
 * elsewhere and are never kept. The timer looks at the body's progress (got_chunk_cb ()) each
 * time it fires, rather than being set again at each chunk; a stalled body is cut between one
 * and two spans after its last chunk. */
static void
body_timeout_free (gpointer data)
{
  BodyTimeout *timeout = data;

  g_source_destroy (timeout->source);
  g_source_unref (timeout->source);
  g_object_unref (timeout->socket);
  g_free (timeout);
}

static gboolean
body_timeout_cb (gpointer user_data)
{
  BodyTimeout *timeout = user_data;

  if (g_get_monotonic_time () - timeout->last < timeout->span)
    return G_SOURCE_CONTINUE;
  header_timeout_cb (timeout->socket);
  return G_SOURCE_REMOVE;
}

static void
body_timeout_disarm_cb (SoupServerMessage *msg,
                        gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), BODY_TIMEOUT_KEY, NULL);
}

/* For a request whose body the engine reads itself (got_headers_cb ()). */
static void
body_timeout_arm (CcEngine          *self,
                  SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  BodyTimeout *timeout;

  if (socket == NULL || self->header_timeout_ms == 0)
    return;
  timeout = g_new0 (BodyTimeout, 1);
  timeout->socket = g_object_ref (socket);
  timeout->last = g_get_monotonic_time ();
  timeout->span = (gint64) self->header_timeout_ms * 1000;
  timeout->source = g_timeout_source_new (self->header_timeout_ms);
  g_source_set_callback (timeout->source, body_timeout_cb, timeout, NULL);
  g_source_attach (timeout->source, NULL);
  g_object_set_data_full (G_OBJECT (msg), BODY_TIMEOUT_KEY, timeout, body_timeout_free);
  g_signal_connect (msg, "got-body", G_CALLBACK (body_timeout_disarm_cb), NULL);
}

static void
header_timeout_disarm_cb (SoupServerMessage *msg,
                          gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), "cc-header-timeout", NULL);
}

static void
header_timeout_arm_cb (SoupServer        *server,
                       SoupServerMessage *msg,
                       gpointer           user_data)
{
  CcEngine *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);
  GSource *source;

  if (socket == NULL || self->header_timeout_ms == 0)
    return;
  source = g_timeout_source_new (self->header_timeout_ms);
  g_source_set_callback (source, header_timeout_cb, g_object_ref (socket), g_object_unref);
  g_source_attach (source, NULL);
  /* The message owns the source: the timer ends with the headers or with the message. */
  g_object_set_data_full (G_OBJECT (msg), "cc-header-timeout", source, destroy_source);
  g_signal_connect (msg, "got-headers", G_CALLBACK (header_timeout_disarm_cb), NULL);
}

void
_cc_engine_guard_server (CcEngine   *self,
                         SoupServer *server)
{
  g_signal_connect_object (server, "request-started", G_CALLBACK (header_timeout_arm_cb), self, 0);
}

gboolean
_cc_engine_refuse_loop (CcEngine          *self,
                        SoupServerMessage *msg)
{
  const char *via = soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                   "Via");

  if (via == NULL || self->hop_token == NULL || strstr (via, self->hop_token) == NULL)
    return FALSE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_GATEWAY,
                              "This request came back through the engine's own preview proxy");
  return TRUE;
}

const char *
_cc_engine_get_hop_token (CcEngine *self)
{
  return self->hop_token;
}

gboolean
_cc_engine_is_own_port (CcEngine *self,
                        guint     port)
{
  return g_hash_table_contains (self->own_ports, GUINT_TO_POINTER (port));
}

void
_cc_engine_forget_port (CcEngine *self,
                        guint     port)
{
  g_hash_table_remove (self->own_ports, GUINT_TO_POINTER (port));
}

guint
_cc_engine_listen (CcEngine       *self,
                   SoupServer     *server,
                   GSocketFamily   family,
                   guint           port,
                   GError        **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return 0;
  /* GLib's default backlog is 10: a burst of clients (50 sandboxes starting commands at once)
   * overflows it and connections are lost. The kernel caps it at net.core.somaxconn. */
  g_socket_set_listen_backlog (socket, CC_ENGINE_LISTEN_BACKLOG);
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error) ||
      (bound = g_socket_get_local_address (socket, error)) == NULL ||
      !soup_server_listen_socket (server, socket, 0, error))
    return 0;
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_hash_table_add (self->own_ports, GUINT_TO_POINTER (port));
  return port;
}

/* A request's end, however it ends (answered, aborted, or its message freed): the activity
 * record is reference counted because a streaming message may outlive the engine object. */
static void
request_done (gpointer data)
{
  CcEngineActivity *activity = data;

  activity->in_flight--;
  activity->last = g_get_monotonic_time ();
  g_rc_box_release (activity);
}

static void
request_ended_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  gpointer           user_data)
{
  g_object_set_data (G_OBJECT (msg), "cc-engine-activity", NULL);
}

/* libsoup 3.2 takes an answer with neither Content-Length nor Transfer-Encoding as ended by
 * EOF, and closes its connection when it is written. A 204 has neither (libsoup removes a length
 * from it), so every pause, kill or timeout answered closed the client's kept-alive connection,
 * and a client that sent its next request on it at that moment got a reset. Once the head is
 * written, say what libsoup already wrote: no body. */
static void
wrote_headers_cb (SoupServerMessage *msg,
                  gpointer           user_data)
{
  guint status = soup_server_message_get_status (msg);

  if (status == SOUP_STATUS_NO_CONTENT || status == SOUP_STATUS_NOT_MODIFIED)
    soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                       SOUP_ENCODING_NONE);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  CcEngine *self = user_data;

  self->activity->in_flight++;
  self->activity->last = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "cc-engine-activity",
                          g_rc_box_acquire (self->activity), request_done);

  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), user_data);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (wrote_headers_cb), NULL);
}

/* State files ------------------------------------------------------------------------------ */

static void
load_sandboxes (CcEngine *self)
{
  g_autofree char *state_dir = g_build_filename (self->data_dir, "state", NULL);
  g_autoptr(GDir) dir = g_dir_open (state_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(JsonObject) state = NULL;
      g_autoptr(CcEngineSandbox) sandbox = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (state_dir, name, NULL);
      if (!g_file_get_contents (path, &contents, &length, &error) ||
          (state = cc_protojson_parse_object (contents, length, &error)) == NULL ||
          (sandbox = cc_engine_sandbox_new_from_state (self->data_dir, state, &error)) == NULL)
        {
          g_warning ("Ignoring the saved sandbox %s: %s", name, error->message);
          continue;
        }
      if (!cc_engine_sandbox_create_dirs (sandbox, &error))
        {
          g_warning ("Ignoring the saved sandbox %s: %s", name, error->message);
          continue;
        }
      _cc_engine_add_sandbox (self, sandbox);
    }
  if (g_hash_table_size (self->sandboxes) > 0)
    g_message ("Restored %u sandboxes", g_hash_table_size (self->sandboxes));
}

/* engine.json ------------------------------------------------------------------------------ */

static gboolean
take_lock (CcEngine  *self,
           GError   **error)
{
  self->lock_fd = open (self->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open the engine lock file %s: %s"), self->lock_path, g_strerror (saved));
      return FALSE;
    }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("Another code-canvas-engine is already running for this user (see %s). "
                     "Use that one, or stop it first."), self->json_path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_engine_json (CcEngine  *self,
                   GError   **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, self->port);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, self->domain);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
  json_builder_set_member_name (builder, "api_key");
  json_builder_add_string_value (builder, self->api_key);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "envd_version");
  json_builder_add_string_value (builder, CC_ENGINE_ENVD_VERSION);
  json_builder_set_member_name (builder, "isolation");
  json_builder_add_string_value (builder, cc_engine_get_isolation (self));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  text = cc_protojson_to_string (node, &length);

  return g_file_set_contents_full (self->json_path, text, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* E2B's key shape (e2b_ and 40 hex digits): SDKs check it before every call. */
static char *
new_api_key (void)
{
  guint8 raw[20];
  GString *key = g_string_new ("e2b_");

  if (getrandom (raw, sizeof raw, 0) != sizeof raw)
    for (gsize i = 0; i < sizeof raw; i++)
      raw[i] = g_random_int_range (0, 256);
  for (gsize i = 0; i < sizeof raw; i++)
    g_string_append_printf (key, "%02x", raw[i]);
  explicit_bzero (raw, sizeof raw);
  return g_string_free (key, FALSE);
}

gboolean
cc_engine_start (CcEngine  *self,
                 guint      port,
                 GError   **error)
{
  g_autofree char *reason = NULL;
  const char *timeout_text = g_getenv ("CODE_CANVAS_ENGINE_HEADER_TIMEOUT_MS");
  guint8 hop[8];
  gboolean have_launcher;

  g_return_val_if_fail (self->server == NULL, FALSE);

  if (g_mkdir_with_parents (self->runtime_dir, 0700) != 0 ||
      g_mkdir_with_parents (self->data_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the engine's directories: %s"), g_strerror (saved));
      return FALSE;
    }
  if (!take_lock (self, error))
    return FALSE;

  {
    g_autofree char *state_dir = g_build_filename (self->data_dir, "state", NULL);

    g_mkdir_with_parents (state_dir, 0700);
  }
  cc_engine_path_sweep_private (self->data_dir);

  write_filter (self);
  /* Every isolated sandbox runs the launcher program: without it, none is isolated. */
  have_launcher = cc_engine_spawn_probe_launcher (self->isolation_facts, &reason);
  if (have_launcher && cc_engine_spawn_probe (self->runtime_dir, self->isolation_facts, &reason))
    self->isolation = CC_ENGINE_ISOLATION_BUBBLEWRAP;
  else if (have_launcher && cc_engine_host_in_flatpak ("/"))
    {
      /* Inside the Flatpak bubblewrap cannot make namespaces; the portal can. Its facts
       * replace bubblewrap's, which only say why it failed. */
      g_autofree char *bwrap_reason = g_steal_pointer (&reason);
      g_autoptr(JsonArray) facts = json_array_new ();

      if (cc_engine_spawn_probe_flatpak (self->data_dir, facts, &reason))
        {
          self->isolation = CC_ENGINE_ISOLATION_FLATPAK_SPAWN;
          g_clear_pointer (&self->isolation_facts, json_array_unref);
          self->isolation_facts = g_steal_pointer (&facts);
        }
      else
        {
          g_autofree char *both = g_strdup_printf ("%s; %s", bwrap_reason, reason);

          g_free (reason);
          reason = g_steal_pointer (&both);
          for (guint i = 0; i < json_array_get_length (facts); i++)
            json_array_add_element (self->isolation_facts,
                                    json_node_copy (json_array_get_element (facts, i)));
        }
    }
  self->isolation_reason = g_steal_pointer (&reason);
  if (self->isolation != CC_ENGINE_ISOLATION_NONE)
    g_message ("Sandbox processes run under %s", cc_engine_get_isolation (self));
  else
    g_warning ("Sandbox processes run WITHOUT isolation: %s", self->isolation_reason);
  check_unisolated (self);
  if (self->unisolated_refusal != NULL)
    g_warning ("%s", self->unisolated_refusal);

  load_sandboxes (self);
  cc_engine_spare_sweep (self->data_dir, self->sandboxes);
  if (self->isolation != CC_ENGINE_ISOLATION_NONE)
    self->spare = cc_engine_spare_new (self->data_dir, self->runtime_dir, self->isolation);

  /* Tests shorten the header timeout; 0 turns it off. */
  if (timeout_text != NULL)
    {
      guint64 value;

      if (g_ascii_string_to_unsigned (timeout_text, 10, 0, G_MAXUINT, &value, NULL))
        self->header_timeout_ms = (guint) value;
    }
  if (getrandom (hop, sizeof hop, 0) != sizeof hop)
    memset (hop, 0, sizeof hop);
  self->hop_token = g_strdup_printf ("code-canvas-engine-%02x%02x%02x%02x%02x%02x%02x%02x",
                                     hop[0], hop[1], hop[2], hop[3], hop[4], hop[5], hop[6], hop[7]);

  self->server = soup_server_new ("server-header", "code-canvas-engine/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->server, NULL, server_handler, self, NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_ended_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_ended_cb), self);

  _cc_engine_guard_server (self, self->server);

  self->port = _cc_engine_listen (self, self->server, G_SOCKET_FAMILY_IPV4, port, error);
  if (self->port == 0)
    {
      g_prefix_error (error, _("Could not listen on 127.0.0.1:%u: "), port);
      cc_engine_stop (self);
      return FALSE;
    }

  /* Clients try ::1 first for "localhost" names (preview hosts <port>-<id>.localhost too): answer
   * there as well, on the same port, where the host has IPv6. */
  {
    g_autoptr(GError) local_error = NULL;

    if (_cc_engine_listen (self, self->server, G_SOCKET_FAMILY_IPV6, self->port, &local_error) == 0)
      {
        if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
          g_warning ("Not listening on [::1]:%u: %s", self->port, local_error->message);
        else
          g_message ("Not listening on [::1]:%u (no IPv6 loopback here): %s", self->port,
                     local_error->message);
      }
  }

  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  self->domain = g_strdup_printf ("localhost:%u", self->port);
  self->api_key = new_api_key ();

  if (!write_engine_json (self, error))
    {
      cc_engine_stop (self);
      return FALSE;
    }

  _cc_engine_control_arm_all (self);
  g_message ("Listening on %s", self->url);
  return TRUE;
}

gboolean
cc_engine_is_busy (CcEngine *self,
                   gint64   *last_activity)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (CC_IS_ENGINE (self), TRUE);

  if (last_activity != NULL)
    *last_activity = self->activity->last;
  if (self->activity->in_flight > 0)
    return TRUE;
  g_hash_table_iter_init (&iter, self->sandboxes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (sandbox_is_running (value))
      return TRUE;
  return FALSE;
}

void
cc_engine_stop (CcEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  g_clear_pointer (&self->spare, cc_engine_spare_free);
  if (self->sandboxes != NULL)
    {
      g_hash_table_iter_init (&iter, self->sandboxes);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          cc_engine_sandbox_disarm_timer (value);
          _cc_engine_process_forget_all (value);
          if (self->server != NULL)
            cc_engine_sandbox_save_sync (value);
        }
    }

  /* The preview listeners (cc-engine-preview.c) go with the server; they forget their ports in
   * own_ports, so before that table does. */
  g_object_set_data (G_OBJECT (self), "cc-engine-previews", NULL);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  if (self->lock_fd >= 0)
    {
      if (self->url != NULL)
        g_unlink (self->json_path);
      close (self->lock_fd);
      self->lock_fd = -1;
    }
}
