/* cc-engine-control.c: the control plane (create, list, pause, resume, kill and time out sandboxes)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "cc-engine-launcher.h"
#include "cc-engine-netns.h"
#include "cc-engine-metrics.h"
#include "cc-engine-network-rules.h"
#include "cc-engine-resolve.h"
#include "cc-engine-server.h"
#include "cc-engine-snapshot.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

#define DEFAULT_LIST_LIMIT 100
#define MAX_LIST_LIMIT     1000
#define MIN_REFRESH_S      15
#define SANDBOX_MEMORY_MB  512

/* Bodies ----------------------------------------------------------------------------------- */

/* The request body as a JSON object ({} when empty); answers 400 and returns NULL otherwise. */
JsonObject *
_cc_engine_control_parse_body (SoupServerMessage  *msg,
                               const char * const *allowed)
{
  g_autoptr(GBytes) bytes = _cc_engine_request_body (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *unknown = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (length == 0)
    return json_object_new ();
  object = _cc_engine_worker_parse_body (msg, data, length, &error);
  if (object == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Invalid request body: %s", error->message);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return NULL;
    }
  if (!cc_protojson_check_fields (object, allowed, &unknown))
    {
      g_autofree char *message = g_strdup_printf ("Invalid request body: unknown field \"%s\"", unknown);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return NULL;
    }
  return g_steal_pointer (&object);
}

/* An optional integer member; FALSE (after answering 400) when present but not an integer in
 * [min, max]. */
gboolean
_cc_engine_control_get_int_member (SoupServerMessage *msg,
                                   JsonObject        *object,
                                   const char        *member,
                                   gint64             min,
                                   gint64             max,
                                   gint64            *value)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *message = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 ||
       json_node_get_value_type (node) == G_TYPE_DOUBLE))
    {
      gboolean integral = TRUE;
      gint64 v;

      if (json_node_get_value_type (node) == G_TYPE_INT64)
        v = json_node_get_int (node);
      else
        {
          /* Only whole numbers in range; casting anything else would be undefined. */
          double d = json_node_get_double (node);

          integral = d >= (double) min && d <= (double) max && d == (double) (gint64) d;
          v = integral ? (gint64) d : min - 1;
        }
      if (integral && v >= min && v <= max)
        {
          *value = v;
          return TRUE;
        }
    }
  message = g_strdup_printf ("Invalid request body: \"%s\" must be an integer between %" G_GINT64_FORMAT
                             " and %" G_GINT64_FORMAT, member, min, max);
  _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
  return FALSE;
}

static gboolean
get_bool_member (SoupServerMessage *msg,
                 JsonObject        *object,
                 const char        *member,
                 gboolean          *value)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *message = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *value = json_node_get_boolean (node);
      return TRUE;
    }
  message = g_strdup_printf ("Invalid request body: \"%s\" must be a boolean", member);
  _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
  return FALSE;
}

static gboolean
get_string_map (SoupServerMessage *msg,
                JsonObject        *object,
                const char        *member,
                GHashTable        *into)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GList) names = NULL;
  g_autofree char *message = NULL;
  JsonObject *map;
  gsize bytes = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    goto invalid;
  map = json_node_get_object (node);
  /* metadata and envVars are kept with the sandbox and copied into every command. */
  if (json_object_get_size (map) > CC_ENGINE_MAX_ENVS)
    {
      message = g_strdup_printf ("Invalid request body: \"%s\" has more than %u entries", member,
                                 CC_ENGINE_MAX_ENVS);
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }
  names = json_object_get_members (map);
  for (GList *l = names; l; l = l->next)
    {
      JsonNode *value = json_object_get_member (map, l->data);

      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        goto invalid;
      bytes += strlen (l->data) + strlen (json_node_get_string (value));
    }
  if (bytes > CC_ENGINE_MAX_MAP_BYTES)
    {
      message = g_strdup_printf ("Invalid request body: \"%s\" holds more than %u bytes", member,
                                 CC_ENGINE_MAX_MAP_BYTES);
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }
  for (GList *l = names; l; l = l->next)
    g_hash_table_insert (into, g_strdup (l->data),
                         g_strdup (json_object_get_string_member (map, l->data)));
  return TRUE;

invalid:
  message = g_strdup_printf ("Invalid request body: \"%s\" must be an object of strings", member);
  _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
  return FALSE;
}

static void
add_timestamp (JsonBuilder *builder,
               const char  *member,
               gint64       unix_usec)
{
  /* Whole seconds + UTC "Z", the form the API answers with. */
  g_autofree char *text = cc_protojson_format_timestamp (unix_usec - unix_usec % G_USEC_PER_SEC);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

/* Sandbox (create, connect, resume answers). */
static JsonNode *
sandbox_to_json (CcEngine        *engine,
                 CcEngineSandbox *sandbox)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "sandboxID", cc_engine_sandbox_get_id (sandbox));
  add_string (builder, "templateID", cc_engine_sandbox_get_template_id (sandbox));
  add_string (builder, "clientID", "6532622b");
  add_string (builder, "envdVersion", CC_ENGINE_ENVD_VERSION);
  add_string (builder, "envdAccessToken", cc_engine_sandbox_get_access_token (sandbox));
  add_string (builder, "domain", cc_engine_get_domain (engine));
  add_string (builder, "trafficAccessToken", NULL);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_listed_members (JsonBuilder     *builder,
                    CcEngineSandbox *sandbox)
{
  add_string (builder, "sandboxID", cc_engine_sandbox_get_id (sandbox));
  add_string (builder, "templateID", cc_engine_sandbox_get_template_id (sandbox));
  add_string (builder, "clientID", "6532622b");
  add_timestamp (builder, "startedAt", cc_engine_sandbox_get_started_at (sandbox));
  add_timestamp (builder, "endAt", cc_engine_sandbox_get_end_at (sandbox));
  add_string (builder, "state", cc_engine_sandbox_state_to_string (cc_engine_sandbox_get_state (sandbox)));
  add_int (builder, "cpuCount", g_get_num_processors ());
  add_int (builder, "memoryMB", SANDBOX_MEMORY_MB);
  add_int (builder, "diskSizeMB", 512);
  add_string (builder, "envdVersion", CC_ENGINE_ENVD_VERSION);
  cc_protojson_add_string_map (builder, "metadata", cc_engine_sandbox_get_metadata (sandbox));
}

static JsonNode *
sandbox_detail_to_json (CcEngine        *engine,
                        CcEngineSandbox *sandbox)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_listed_members (builder, sandbox);
  add_string (builder, "envdAccessToken", cc_engine_sandbox_get_access_token (sandbox));
  add_string (builder, "domain", cc_engine_get_domain (engine));
  json_builder_set_member_name (builder, "allowInternetAccess");
  json_builder_add_boolean_value (builder, cc_engine_sandbox_get_internet (sandbox));
  json_builder_set_member_name (builder, "lifecycle");
  json_builder_begin_object (builder);
  add_string (builder, "onTimeout", cc_engine_sandbox_get_auto_pause (sandbox) ? "pause" : "kill");
  json_builder_set_member_name (builder, "autoResume");
  json_builder_add_boolean_value (builder, cc_engine_sandbox_get_auto_resume (sandbox));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
reply_sandbox_not_found (SoupServerMessage *msg,
                         const char        *sandbox_id)
{
  g_autofree char *message = g_strdup_printf ("Sandbox \"%s\" doesn't exist or you don't have access to it",
                                              sandbox_id);

  _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, message);
}

/* Lifecycle -------------------------------------------------------------------------------- */

typedef struct
{
  CcEngine *engine;
  CcEngineSandbox *sandbox;
} TimerData;

static void
kill_sandbox (CcEngine        *engine,
              CcEngineSandbox *sandbox)
{
  g_autoptr(CcEngineSandbox) ref G_GNUC_UNUSED = g_object_ref (sandbox);

  cc_engine_sandbox_disarm_timer (sandbox);
  _cc_engine_process_kill_all (sandbox);
  cc_engine_sandbox_destroy_files (sandbox);
  _cc_engine_remove_sandbox (engine, sandbox);
}

/* The sandbox's processes are stopped, not ended: resume continues them, as on E2B. */
static void
pause_sandbox (CcEngineSandbox *sandbox)
{
  cc_engine_sandbox_disarm_timer (sandbox);
  _cc_engine_process_freeze_all (sandbox, TRUE);
  cc_engine_sandbox_set_state (sandbox, CC_ENGINE_SANDBOX_PAUSED);
  cc_engine_log_add (cc_engine_sandbox_get_log (sandbox), CC_ENGINE_LOG_INFO, "Sandbox paused", "logger", "lifecycle", NULL);
  cc_engine_sandbox_save (sandbox);
}

static void arm (CcEngine        *engine,
                 CcEngineSandbox *sandbox);

static gboolean
expire_cb (gpointer user_data)
{
  CcEngine *engine = user_data;
  GHashTableIter iter;
  gpointer value;
  gint64 now = g_get_real_time ();
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_object_unref);

  /* The timer that fired belongs to one sandbox, but checking them all keeps this stateless. */
  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (cc_engine_sandbox_get_state (value) == CC_ENGINE_SANDBOX_RUNNING &&
        cc_engine_sandbox_get_end_at (value) <= now)
      g_ptr_array_add (due, g_object_ref (value));

  for (guint i = 0; i < due->len; i++)
    {
      CcEngineSandbox *sandbox = due->pdata[i];

      if (cc_engine_sandbox_get_auto_pause (sandbox))
        {
          g_message ("Sandbox %s timed out: pausing it", cc_engine_sandbox_get_id (sandbox));
          pause_sandbox (sandbox);
        }
      else
        {
          g_message ("Sandbox %s timed out: removing it", cc_engine_sandbox_get_id (sandbox));
          kill_sandbox (engine, sandbox);
        }
    }

  /* A running sandbox always has its timer (one that fired a moment early gets a new one). */
  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (cc_engine_sandbox_get_state (value) == CC_ENGINE_SANDBOX_RUNNING && !cc_engine_sandbox_has_timer (value))
      arm (engine, value);
  return G_SOURCE_REMOVE;
}

static void
arm (CcEngine        *engine,
     CcEngineSandbox *sandbox)
{
  /* The sandbox holds the timer; the engine outlives every sandbox in its table. */
  if (cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING)
    cc_engine_sandbox_arm_timer (sandbox, expire_cb, engine);
  else
    cc_engine_sandbox_disarm_timer (sandbox);
}

#define SAMPLER_KEY "cc-engine-sampler"

/* A first sample of a new or resumed sandbox, off the main loop. */
static void
sample_soon (CcEngine        *engine,
             CcEngineSandbox *sandbox)
{
  CcEngineSampler *sampler = g_object_get_data (G_OBJECT (engine), SAMPLER_KEY);

  if (sampler != NULL && cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING)
    cc_engine_sampler_sample_soon (sampler, sandbox);
}

void
_cc_engine_control_arm_all (CcEngine *engine)
{
  GHashTableIter iter;
  gpointer value;

  /* The metrics sampler lives as long as the engine. */
  g_object_set_data_full (G_OBJECT (engine), SAMPLER_KEY, cc_engine_sampler_new (engine),
                          (GDestroyNotify) cc_engine_sampler_free);
  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      arm (engine, value);
      sample_soon (engine, value);
    }
}

static void
set_timeout (CcEngine        *engine,
             CcEngineSandbox *sandbox,
             gint64           seconds)
{
  cc_engine_sandbox_set_end_at (sandbox, g_get_real_time () + seconds * G_USEC_PER_SEC);
  arm (engine, sandbox);
}

void
_cc_engine_control_auto_resume (CcEngine        *engine,
                                CcEngineSandbox *sandbox)
{
  g_message ("Sandbox %s resumed by a request to it", cc_engine_sandbox_get_id (sandbox));
  _cc_engine_process_freeze_all (sandbox, FALSE);
  cc_engine_sandbox_set_state (sandbox, CC_ENGINE_SANDBOX_RUNNING);
  set_timeout (engine, sandbox, CC_ENGINE_DEFAULT_TIMEOUT_S);
  cc_engine_sandbox_save (sandbox);
}

/* Handlers --------------------------------------------------------------------------------- */

/* A create or network update waiting for host names to resolve or rules to load. */
typedef struct
{
  CcEngine             *engine;
  SoupServerMessage    *msg;
  gulong                finished_id;
  gboolean              finished;   /* the client went away: nobody to answer */
  JsonObject           *body;       /* create */
  gint64                timeout;
  gboolean              auto_pause;
  gboolean              internet;
  CcEngineSandbox      *sandbox;    /* update */
  CcEngineNetworkRules *rules;      /* update: the rules being loaded */
  CcEngineNetworkRules *previous;   /* update: put back when the load fails */
} RulesRequest;

static void
rules_request_msg_finished_cb (SoupServerMessage *msg,
                               gpointer           user_data)
{
  RulesRequest *request = user_data;

  request->finished = TRUE;
}

static RulesRequest *
rules_request_new (CcEngine          *engine,
                   SoupServerMessage *msg)
{
  RulesRequest *request = g_new0 (RulesRequest, 1);

  request->engine = g_object_ref (engine);
  request->msg = g_object_ref (msg);
  request->finished_id = g_signal_connect (msg, "finished",
                                           G_CALLBACK (rules_request_msg_finished_cb), request);
  soup_server_message_pause (msg);
  return request;
}

/* Whether the request is still to be answered; unpauses it when it is. */
static gboolean
rules_request_resume (RulesRequest *request)
{
  if (request->finished)
    return FALSE;
  soup_server_message_unpause (request->msg);
  return TRUE;
}

static void
rules_request_free (RulesRequest *request)
{
  g_clear_signal_handler (&request->finished_id, request->msg);
  g_clear_object (&request->msg);
  g_clear_object (&request->engine);
  g_clear_pointer (&request->body, json_object_unref);
  g_clear_object (&request->sandbox);
  g_clear_object (&request->rules);
  g_clear_object (&request->previous);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RulesRequest, rules_request_free)

/* Refuses per-address rules where they cannot be applied; FALSE once answered. */
static gboolean
check_rules_available (CcEngine             *engine,
                       SoupServerMessage    *msg,
                       CcEngineNetworkRules *rules)
{
  g_autofree char *reason = NULL;

  if (rules == NULL ||
      cc_engine_netns_probe_rules (_cc_engine_get_isolation_mode (engine) == CC_ENGINE_ISOLATION_BUBBLEWRAP,
                                   &reason))
    return TRUE;
  _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, reason);
  return FALSE;
}

static void create_continue (CcEngine             *engine,
                             SoupServerMessage    *msg,
                             JsonObject           *body,
                             gint64                timeout,
                             gboolean              auto_pause,
                             gboolean              internet,
                             CcEngineNetworkRules *rules);

static void
create_resolved_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RulesRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineNetworkRules) rules = NULL;

  rules = cc_engine_network_rules_resolve_finish (CC_ENGINE_NETWORK_RULES (source), result, &error);
  if (!rules_request_resume (request))
    return;
  if (rules == NULL)
    _cc_engine_reply_api_error (request->msg, SOUP_STATUS_BAD_REQUEST, error->message);
  else
    create_continue (request->engine, request->msg, request->body, request->timeout,
                     request->auto_pause, request->internet, rules);
}

static void
handle_create (CcEngine          *engine,
               SoupServerMessage *msg)
{
  static const char * const allowed[] = {
    "templateID", "timeout", "metadata", "envVars", "autoPause", "autoPauseMemory", "autoResume",
    "allow_internet_access", "network", "iam", "mcp", "volumeMounts", "secure", CC_ENGINE_WORKSPACE_FIELD,
    CC_ENGINE_SANDBOX_NESTED_FIELD, NULL
  };
  g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineNetworkRules) rules = NULL;
  gint64 timeout = CC_ENGINE_DEFAULT_TIMEOUT_S;
  gboolean auto_pause = FALSE, internet = TRUE, dummy = FALSE;

  if (body == NULL)
    return;
  if (json_object_has_member (body, "templateID") &&
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (body, "templateID")))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid request body: \"templateID\" must be a string");
      return;
    }
  if (!_cc_engine_control_get_int_member (msg, body, "timeout", 0, CC_ENGINE_MAX_TIMEOUT_S, &timeout) ||
      !get_bool_member (msg, body, "autoPause", &auto_pause) ||
      !get_bool_member (msg, body, "autoPauseMemory", &dummy) ||
      !get_bool_member (msg, body, "secure", &dummy) ||
      !get_bool_member (msg, body, "allow_internet_access", &internet))
    return;
  if (json_object_has_member (body, "network"))
    {
      JsonNode *network = json_object_get_member (body, "network");

      if (!JSON_NODE_HOLDS_OBJECT (network))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid request body: \"network\" must be an object");
          return;
        }
      if (!cc_engine_network_rules_read (json_node_get_object (network), &internet, &rules, &error))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
    }
  /* Without isolation a sandbox's network is the machine's: there is nothing to cut off, and
   * a sandbox asked to be offline must not run online. */
  if (!internet && _cc_engine_get_isolation_mode (engine) == CC_ENGINE_ISOLATION_NONE)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "A sandbox without internet access needs isolation, which this "
                                  "engine runs without: its sandboxes use this computer's network");
      return;
    }
  /* Without outbound traffic (no pasta) there is nothing to filter. */
  if (!internet)
    g_clear_object (&rules);
  if (!check_rules_available (engine, msg, rules))
    return;
  if (rules != NULL && cc_engine_network_rules_has_names (rules))
    {
      RulesRequest *request = rules_request_new (engine, msg);

      request->body = g_steal_pointer (&body);
      request->timeout = timeout;
      request->auto_pause = auto_pause;
      request->internet = internet;
      cc_engine_network_rules_resolve_async (rules, NULL, create_resolved_cb, request);
      return;
    }
  create_continue (engine, msg, body, timeout, auto_pause, internet, rules);
}

static void
create_continue (CcEngine             *engine,
                 SoupServerMessage    *msg,
                 JsonObject           *body,
                 gint64                timeout,
                 gboolean              auto_pause,
                 gboolean              internet,
                 CcEngineNetworkRules *rules)
{
  g_autoptr(CcEngineSandbox) sandbox = NULL;
  g_autoptr(CcEngineSandbox) spare = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  const char *template_id = cc_protojson_get_string (body, "templateID");
  JsonObject *auto_resume;

  if (g_hash_table_size (_cc_engine_get_sandboxes (engine)) >= CC_ENGINE_MAX_SANDBOXES)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "5");
      _cc_engine_reply_api_error (msg, 429, "You have reached the maximum number of sandboxes on this engine; kill some first");
      return;
    }

  sandbox = cc_engine_sandbox_new (cc_engine_get_data_dir (engine), template_id);
  if (!get_string_map (msg, body, "metadata", cc_engine_sandbox_get_metadata (sandbox)) ||
      !get_string_map (msg, body, "envVars", cc_engine_sandbox_get_env_vars (sandbox)))
    return;
  auto_resume = cc_protojson_get_object (body, "autoResume");
  if (auto_resume != NULL)
    cc_engine_sandbox_set_auto_resume (sandbox, cc_protojson_get_bool (auto_resume, "enabled", FALSE));
  cc_engine_sandbox_set_auto_pause (sandbox, auto_pause);
  cc_engine_sandbox_set_internet (sandbox, internet);
  cc_engine_sandbox_set_network_rules (sandbox, rules);
  /* Our own field, for tools that make namespaces (bubblewrap, rootless containers): only
   * bubblewrap's sandboxes have a filter of ours to open. */
  if (cc_protojson_get_bool (body, CC_ENGINE_SANDBOX_NESTED_FIELD, FALSE))
    {
      if (_cc_engine_get_isolation_mode (engine) != CC_ENGINE_ISOLATION_BUBBLEWRAP)
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      "Nested user namespaces need sandboxes under bubblewrap, "
                                      "which this engine does not have");
          return;
        }
      cc_engine_sandbox_set_nested_userns (sandbox, TRUE);
    }
  /* Our client's own field: the project's workspace folder becomes the sandbox's home. */
  if (json_object_has_member (body, CC_ENGINE_WORKSPACE_FIELD))
    {
      const char *workspace = cc_protojson_get_string (body, CC_ENGINE_WORKSPACE_FIELD);
      /* Never the engine's own folders: they hold every sandbox's home and token, and the key. */
      const char *protected_dirs[] = { cc_engine_get_data_dir (engine),
                                       _cc_engine_get_runtime_dir (engine), NULL };

      if (workspace == NULL)
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                      CC_ENGINE_WORKSPACE_FIELD " must be a string");
          return;
        }
      if (!cc_engine_sandbox_set_workspace (sandbox, workspace, protected_dirs, &error))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
    }

  /* Everything the create asked for is checked: the sandbox made ahead takes it on, if it was
   * made as asked (its folders, its network). */
  if (cc_engine_sandbox_get_workspace (sandbox, NULL) == NULL && internet && rules == NULL &&
      !cc_engine_sandbox_get_nested_userns (sandbox) &&
      (spare = cc_engine_spare_take (_cc_engine_get_spare (engine))) != NULL)
    {
      cc_engine_sandbox_adopt (spare, sandbox);
      g_set_object (&sandbox, spare);
    }
  if (!cc_engine_sandbox_create_dirs (sandbox, &error))
    {
      g_warning ("%s", error->message);
      _cc_engine_reply_api_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }
  /* A snapshot's name or id as the template: its files are copied in before the answer. */
  if (_cc_engine_snapshot_restore (engine, msg, sandbox, timeout))
    return;
  _cc_engine_control_start (engine, sandbox, timeout);

  answer = sandbox_to_json (engine, sandbox);
  _cc_engine_reply_json (msg, SOUP_STATUS_CREATED, answer);
}

typedef struct
{
  CcEngine *engine;
  CcEngineSandbox *sandbox;
} Prepare;

static void
prepare_free (gpointer data)
{
  Prepare *prepare = data;

  g_object_unref (prepare->engine);
  g_object_unref (prepare->sandbox);
  g_free (prepare);
}

/* A new sandbox's launcher, namespaces and network are made right after the answer, not at its
 * first command: the command then finds them ready, or waits only for the rest. */
static gboolean
prepare_launcher_cb (gpointer data)
{
  Prepare *prepare = data;
  CcEngineSandbox *sandbox = prepare->sandbox;

  if (g_hash_table_lookup (_cc_engine_get_sandboxes (prepare->engine),
                           cc_engine_sandbox_get_id (sandbox)) == sandbox &&
      cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING)
    cc_engine_launcher_prepare (sandbox, _cc_engine_get_runtime_dir (prepare->engine),
                                _cc_engine_get_isolation_mode (prepare->engine));
  return G_SOURCE_REMOVE;
}

void
_cc_engine_control_start (CcEngine        *engine,
                          CcEngineSandbox *sandbox,
                          gint64           timeout_s)
{
  _cc_engine_add_sandbox (engine, sandbox);
  cc_engine_log_add (cc_engine_sandbox_get_log (sandbox), CC_ENGINE_LOG_INFO, "Sandbox created",
                     "logger", "lifecycle", "templateID", cc_engine_sandbox_get_template_id (sandbox), NULL);
  sample_soon (engine, sandbox);
  set_timeout (engine, sandbox, timeout_s);
  cc_engine_sandbox_save (sandbox);
  if (_cc_engine_get_isolation_mode (engine) != CC_ENGINE_ISOLATION_NONE)
    {
      Prepare *prepare = g_new0 (Prepare, 1);

      prepare->engine = g_object_ref (engine);
      prepare->sandbox = g_object_ref (sandbox);
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, prepare_launcher_cb, prepare, prepare_free);
    }
}

JsonNode *
_cc_engine_control_sandbox_json (CcEngine        *engine,
                                 CcEngineSandbox *sandbox)
{
  return sandbox_to_json (engine, sandbox);
}

static void
network_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RulesRequest) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!cc_engine_launcher_load_rules_finish (result, &error))
    {
      /* The load changed nothing: say so in the saved rules too, unless a later update won. */
      if (cc_engine_sandbox_get_network_rules (request->sandbox) == request->rules)
        {
          cc_engine_sandbox_set_network_rules (request->sandbox, request->previous);
          cc_engine_sandbox_save (request->sandbox);
        }
      if (rules_request_resume (request))
        _cc_engine_reply_api_error (request->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                    error->message);
      return;
    }
  if (rules_request_resume (request))
    soup_server_message_set_status (request->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
network_apply (RulesRequest         *request,
               CcEngineNetworkRules *rules)
{
  CcEngineNetworkRules *previous = cc_engine_sandbox_get_network_rules (request->sandbox);

  request->previous = previous != NULL ? g_object_ref (previous) : NULL;
  request->rules = rules != NULL ? g_object_ref (rules) : NULL;
  cc_engine_sandbox_set_network_rules (request->sandbox, rules);
  cc_engine_sandbox_save (request->sandbox);
  cc_engine_launcher_load_rules_async (request->sandbox, network_loaded_cb, request);
}

static void
network_resolved_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RulesRequest) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineNetworkRules) rules = NULL;

  rules = cc_engine_network_rules_resolve_finish (CC_ENGINE_NETWORK_RULES (source), result, &error);
  if (rules == NULL)
    {
      if (rules_request_resume (request))
        _cc_engine_reply_api_error (request->msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  network_apply (g_steal_pointer (&request), rules);
}

/* An update replaces every rule (a field left out is cleared), in the running network at once;
 * it answers once the rules are in force, for new and existing connections alike. A sandbox made
 * without outbound traffic has no pasta to give it any, so opening it is refused. */
static void
handle_network (CcEngine          *engine,
                SoupServerMessage *msg,
                CcEngineSandbox   *sandbox)
{
  static const char * const allowed[] = {
    "allow_internet_access", "allowOut", "denyOut", "egressProxy", "rules", "allowPublicTraffic",
    "httpsPorts", "maskRequestHost", NULL
  };
  g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineNetworkRules) rules = NULL;
  RulesRequest *request;
  gboolean internet = TRUE;

  if (body == NULL)
    return;
  if (!cc_engine_network_rules_read (body, &internet, &rules, &error))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  if (!cc_engine_sandbox_get_internet (sandbox))
    {
      if (internet)
        _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                    "The local engine cannot open outbound traffic for a sandbox created "
                                    "without it: create a new sandbox");
      else
        soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  if (!internet && rules == NULL)
    rules = cc_engine_network_rules_new_deny_all ();
  if (rules == NULL && cc_engine_sandbox_get_network_rules (sandbox) == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  if (!check_rules_available (engine, msg, rules))
    return;
  request = rules_request_new (engine, msg);
  request->sandbox = g_object_ref (sandbox);
  if (rules != NULL && cc_engine_network_rules_has_names (rules))
    cc_engine_network_rules_resolve_async (rules, NULL, network_resolved_cb, request);
  else
    network_apply (request, rules);
}

static gint
compare_started (gconstpointer a,
                 gconstpointer b)
{
  CcEngineSandbox *sa = *(CcEngineSandbox **) a;
  CcEngineSandbox *sb = *(CcEngineSandbox **) b;
  gint64 ta = cc_engine_sandbox_get_started_at (sa);
  gint64 tb = cc_engine_sandbox_get_started_at (sb);

  if (ta != tb)
    return ta < tb ? -1 : 1;
  return strcmp (cc_engine_sandbox_get_id (sa), cc_engine_sandbox_get_id (sb));
}

static char *
page_token (CcEngineSandbox *sandbox)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%s", cc_engine_sandbox_get_started_at (sandbox),
                          cc_engine_sandbox_get_id (sandbox));
}

static gboolean
metadata_matches (CcEngineSandbox *sandbox,
                  GHashTable      *filter)
{
  GHashTableIter iter;
  gpointer key, value;
  GHashTable *metadata = cc_engine_sandbox_get_metadata (sandbox);

  if (filter == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, filter);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (g_hash_table_lookup (metadata, key), value) != 0)
      return FALSE;
  return TRUE;
}

static void
handle_list (CcEngine          *engine,
             SoupServerMessage *msg,
             GHashTable        *query,
             gboolean           paged)
{
  const char *state_param = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *metadata_param = query ? g_hash_table_lookup (query, "metadata") : NULL;
  const char *limit_param = query ? g_hash_table_lookup (query, "limit") : NULL;
  const char *next_param = query ? g_hash_table_lookup (query, "nextToken") : NULL;
  const char *order_param = query ? g_hash_table_lookup (query, "order") : NULL;
  const char *template_param = query ? g_hash_table_lookup (query, "template") : NULL;
  const char *after_param = query ? g_hash_table_lookup (query, "startedAfter") : NULL;
  const char *before_param = query ? g_hash_table_lookup (query, "startedBefore") : NULL;
  gint64 started_after = G_MININT64, started_before = G_MAXINT64;
  gboolean want_running = TRUE, want_paused = TRUE, ascending = FALSE;
  g_autoptr(GHashTable) filter = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  guint64 limit = DEFAULT_LIST_LIMIT;
  guint start = 0, count = 0, i;
  GHashTableIter iter;
  gpointer value;

  if (state_param != NULL && *state_param != '\0')
    {
      g_auto(GStrv) states = g_strsplit (state_param, ",", -1);

      want_running = want_paused = FALSE;
      for (i = 0; states[i]; i++)
        {
          if (g_str_equal (states[i], "running"))
            want_running = TRUE;
          else if (g_str_equal (states[i], "paused"))
            want_paused = TRUE;
          else
            {
              _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid state filter: use running and/or paused");
              return;
            }
        }
    }
  if (!paged && state_param == NULL)
    want_paused = FALSE;  /* the v1 list shows running sandboxes */
  if (metadata_param != NULL && *metadata_param != '\0')
    filter = soup_form_decode (metadata_param);
  if (limit_param != NULL && !g_ascii_string_to_unsigned (limit_param, 10, 1, MAX_LIST_LIMIT, &limit, NULL))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid limit: use a number from 1 to 1000");
      return;
    }
  if (order_param != NULL)
    {
      if (g_str_equal (order_param, "asc"))
        ascending = TRUE;
      else if (!g_str_equal (order_param, "desc"))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid order: use asc or desc");
          return;
        }
    }
  /* Both bounds are inclusive RFC 3339 times, as E2B takes them. */
  if ((after_param != NULL && !cc_protojson_parse_timestamp (after_param, &started_after)) ||
      (before_param != NULL && !cc_protojson_parse_timestamp (before_param, &started_before)))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST,
                                  "Invalid startedAfter or startedBefore: use an RFC 3339 time");
      return;
    }
  if (!paged)
    limit = G_MAXUINT;

  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CcEngineSandboxState state = cc_engine_sandbox_get_state (value);

      if ((state == CC_ENGINE_SANDBOX_RUNNING && !want_running) ||
          (state == CC_ENGINE_SANDBOX_PAUSED && !want_paused))
        continue;
      if (!metadata_matches (value, filter))
        continue;
      if (template_param != NULL && g_strcmp0 (template_param, cc_engine_sandbox_get_template_id (value)) != 0)
        continue;
      if (cc_engine_sandbox_get_started_at (value) < started_after ||
          cc_engine_sandbox_get_started_at (value) > started_before)
        continue;
      g_ptr_array_add (all, value);
    }
  g_ptr_array_sort (all, compare_started);
  if (!ascending)
    for (i = 0; i < all->len / 2; i++)
      {
        gpointer tmp = all->pdata[i];

        all->pdata[i] = all->pdata[all->len - 1 - i];
        all->pdata[all->len - 1 - i] = tmp;
      }

  if (paged && next_param != NULL && *next_param != '\0')
    {
      /* The token names the first sandbox of the next page; if it is gone, start after where it
       * would have been. */
      start = all->len;
      for (i = 0; i < all->len; i++)
        {
          g_autofree char *token = page_token (all->pdata[i]);
          int cmp = strcmp (token, next_param);

          if (cmp == 0 || (ascending ? cmp > 0 : cmp < 0))
            {
              start = i;
              break;
            }
        }
    }

  json_builder_begin_array (builder);
  for (i = start; i < all->len && count < limit; i++, count++)
    {
      json_builder_begin_object (builder);
      add_listed_members (builder, all->pdata[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (paged && i < all->len)
    {
      g_autofree char *token = page_token (all->pdata[i]);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Next-Token", token);
    }
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static gboolean query_int (SoupServerMessage *msg,
                           GHashTable        *query,
                           const char        *name,
                           gint64             max,
                           gint64            *value);

/* The limits reported with each sample: the memory the sandbox announces (memoryMB) and the
 * size of the filesystem holding the sandboxes. */
static void
metric_limits (CcEngine *engine,
               gint64   *mem_total,
               gint64   *disk_total)
{
  struct statvfs st;

  *mem_total = (gint64) SANDBOX_MEMORY_MB * 1024 * 1024;
  *disk_total = 0;
  if (statvfs (cc_engine_get_data_dir (engine), &st) == 0)
    *disk_total = (gint64) st.f_blocks * st.f_frsize;
}

/* ?start=&end= in unix seconds, both optional: the samples taken in that range (by default
 * since the sandbox started), oldest first. A paused sandbox has its history up to the pause. */
static void
handle_metrics (CcEngine          *engine,
                SoupServerMessage *msg,
                CcEngineSandbox   *sandbox,
                GHashTable        *query)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  gint64 start = 0, end = G_MAXINT64, mem_total, disk_total;

  if (!query_int (msg, query, "start", G_MAXINT64, &start) ||
      !query_int (msg, query, "end", G_MAXINT64, &end))
    return;
  if (start > end)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid range: start is after end");
      return;
    }
  if (!cc_engine_sampler_ensure_samples (engine, msg, &sandbox, 1))
    return;  /* answered once measured */
  metric_limits (engine, &mem_total, &disk_total);
  json_builder_begin_array (builder);
  cc_engine_metrics_add_range (cc_engine_sandbox_get_metrics (sandbox), builder, start, end,
                               mem_total, disk_total);
  json_builder_end_array (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static void
handle_all_metrics (CcEngine          *engine,
                    SoupServerMessage *msg,
                    GHashTable        *query)
{
  const char *ids_param = query ? g_hash_table_lookup (query, "sandbox_ids") : NULL;
  g_auto(GStrv) ids = g_strsplit (ids_param ? ids_param : "", ",", -1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(GPtrArray) sandboxes = g_ptr_array_new ();
  gint64 mem_total, disk_total;

  for (guint i = 0; ids[i]; i++)
    {
      CcEngineSandbox *sandbox = cc_engine_lookup_sandbox (engine, ids[i]);

      if (sandbox != NULL)
        g_ptr_array_add (sandboxes, sandbox);
    }
  if (!cc_engine_sampler_ensure_samples (engine, msg, (CcEngineSandbox * const *) sandboxes->pdata,
                                         sandboxes->len))
    return;  /* answered once measured */
  metric_limits (engine, &mem_total, &disk_total);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxes");
  json_builder_begin_object (builder);
  for (guint i = 0; ids[i]; i++)
    {
      CcEngineSandbox *sandbox = cc_engine_lookup_sandbox (engine, ids[i]);
      CcEngineMetrics *metrics;

      if (sandbox == NULL || cc_engine_sandbox_get_state (sandbox) != CC_ENGINE_SANDBOX_RUNNING)
        continue;
      metrics = cc_engine_sandbox_get_metrics (sandbox);
      if (cc_engine_metrics_get_length (metrics) == 0)
        continue;
      json_builder_set_member_name (builder, ids[i]);
      cc_engine_metrics_add_latest (metrics, builder, mem_total, disk_total);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static void
handle_status (CcEngine          *engine,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonArray) facts = NULL;
  JsonArray *isolation_facts;
  GHashTableIter iter;
  gpointer value;
  gint64 running = 0, paused = 0;

  g_hash_table_iter_init (&iter, _cc_engine_get_sandboxes (engine));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (cc_engine_sandbox_get_state (value) == CC_ENGINE_SANDBOX_RUNNING)
        running++;
      else
        paused++;
    }

  json_builder_begin_object (builder);
  add_string (builder, "version", PACKAGE_VERSION);
  add_string (builder, "envdVersion", CC_ENGINE_ENVD_VERSION);
  add_string (builder, "url", cc_engine_get_url (engine));
  add_string (builder, "domain", cc_engine_get_domain (engine));
  add_string (builder, "isolation", cc_engine_get_isolation (engine));
  add_string (builder, "isolationReason", cc_engine_get_isolation_reason (engine));
  /* What works and what is missing, one named fact per part of the isolation. */
  isolation_facts = cc_engine_get_isolation_facts (engine);
  facts = json_array_sized_new (json_array_get_length (isolation_facts) + 2);
  for (guint i = 0; i < json_array_get_length (isolation_facts); i++)
    json_array_add_element (facts, json_node_copy (json_array_get_element (isolation_facts, i)));
  cc_engine_netns_add_facts (facts, _cc_engine_get_isolation_mode (engine));
  json_builder_set_member_name (builder, "facts");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), facts));
  /* Whether getHost(port) names (<port>-<id>.localhost) resolve here; see the README's fix. */
  json_builder_set_member_name (builder, "localhostSubdomainsResolve");
  json_builder_add_boolean_value (builder, cc_engine_localhost_subdomains_resolve ());
  add_int (builder, "pid", getpid ());
  add_int (builder, "sandboxes", running + paused);
  add_int (builder, "running", running);
  add_int (builder, "paused", paused);
  json_builder_end_object (builder);
  answer = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static void
reply_sandbox (CcEngine          *engine,
               SoupServerMessage *msg,
               CcEngineSandbox   *sandbox,
               guint              status)
{
  g_autoptr(JsonNode) answer = sandbox_to_json (engine, sandbox);

  _cc_engine_reply_json (msg, status, answer);
}

static gboolean
query_int (SoupServerMessage *msg,
           GHashTable        *query,
           const char        *name,
           gint64             max,
           gint64            *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 parsed;

  if (text == NULL || *text == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &parsed, NULL))
    {
      g_autofree char *message = g_strdup_printf ("Invalid %s: use a number from 0 to %" G_GINT64_FORMAT, name, max);

      _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }
  *value = (gint64) parsed;
  return TRUE;
}

/* v1: ?start=<unix ms>&limit=; v2: ?cursor=<unix ms>&limit=&direction=&level=&search=. */
static void
handle_logs (SoupServerMessage *msg,
             CcEngineSandbox   *sandbox,
             GHashTable        *query,
             gboolean           v2)
{
  CcEngineLog *log = cc_engine_sandbox_get_log (sandbox);
  g_autoptr(JsonNode) answer = NULL;
  gint64 limit = 1000, start = v2 ? -1 : 0;

  if (!query_int (msg, query, "limit", 10000, &limit) ||
      !query_int (msg, query, v2 ? "cursor" : "start", G_MAXINT64, &start))
    return;
  if (v2)
    {
      const char *direction = query ? g_hash_table_lookup (query, "direction") : NULL;
      const char *level_text = query ? g_hash_table_lookup (query, "level") : NULL;
      const char *search = query ? g_hash_table_lookup (query, "search") : NULL;
      CcEngineLogLevel level = CC_ENGINE_LOG_DEBUG;

      if (direction != NULL && !g_str_equal (direction, "forward") && !g_str_equal (direction, "backward"))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid direction: use forward or backward");
          return;
        }
      if (level_text != NULL && !cc_engine_log_parse_level (level_text, &level))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid level: use debug, info, warn or error");
          return;
        }
      answer = cc_engine_log_to_json_v2 (log, start, (guint) limit,
                                         g_strcmp0 (direction, "backward") != 0, level,
                                         search != NULL && *search != '\0' ? search : NULL);
    }
  else
    answer = cc_engine_log_to_json_v1 (log, start, (guint) limit);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
}

static void
handle_sandbox (CcEngine          *engine,
                SoupServerMessage *msg,
                const char        *method,
                const char        *sandbox_id,
                const char        *action,
                GHashTable        *query,
                gboolean           v2)
{
  CcEngineSandbox *sandbox = cc_engine_lookup_sandbox (engine, sandbox_id);
  gboolean running;

  if (sandbox == NULL)
    {
      reply_sandbox_not_found (msg, sandbox_id);
      return;
    }
  running = cc_engine_sandbox_get_state (sandbox) == CC_ENGINE_SANDBOX_RUNNING;

  if (action == NULL && !v2 && g_str_equal (method, "GET"))
    {
      g_autoptr(JsonNode) answer = sandbox_detail_to_json (engine, sandbox);

      _cc_engine_reply_json (msg, SOUP_STATUS_OK, answer);
    }
  else if (action == NULL && !v2 && g_str_equal (method, "DELETE"))
    {
      kill_sandbox (engine, sandbox);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (!v2 && g_strcmp0 (action, "timeout") == 0 && g_str_equal (method, "POST"))
    {
      static const char * const allowed[] = { "timeout", NULL };
      g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
      gint64 timeout = -1;

      if (body == NULL || !_cc_engine_control_get_int_member (msg, body, "timeout", 0, CC_ENGINE_MAX_TIMEOUT_S, &timeout))
        return;
      if (timeout < 0)
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_BAD_REQUEST, "Invalid request body: \"timeout\" is required");
          return;
        }
      if (running)
        {
          set_timeout (engine, sandbox, timeout);
          cc_engine_sandbox_save (sandbox);
        }
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (!v2 && g_strcmp0 (action, "refreshes") == 0 && g_str_equal (method, "POST"))
    {
      static const char * const allowed[] = { "duration", NULL };
      g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);
      gint64 duration = MIN_REFRESH_S;
      gint64 end;

      if (body == NULL || !_cc_engine_control_get_int_member (msg, body, "duration", 0, 3600, &duration))
        return;
      end = g_get_real_time () + MAX (duration, MIN_REFRESH_S) * G_USEC_PER_SEC;
      if (running && end > cc_engine_sandbox_get_end_at (sandbox))
        {
          cc_engine_sandbox_set_end_at (sandbox, end);
          arm (engine, sandbox);
          cc_engine_sandbox_save (sandbox);
        }
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if (!v2 && g_strcmp0 (action, "pause") == 0 && g_str_equal (method, "POST"))
    {
      static const char * const allowed[] = { "memory", NULL };
      g_autoptr(JsonObject) body = _cc_engine_control_parse_body (msg, allowed);

      if (body == NULL)
        return;
      if (!running)
        {
          g_autofree char *message = g_strdup_printf ("Sandbox %s is already paused", sandbox_id);

          _cc_engine_reply_api_error (msg, SOUP_STATUS_CONFLICT, message);
          return;
        }
      pause_sandbox (sandbox);
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else if ((!v2 && g_strcmp0 (action, "resume") == 0) || g_strcmp0 (action, "connect") == 0)
    {
      static const char * const allowed[] = { "timeout", "autoPause", "memory", NULL };
      g_autoptr(JsonObject) body = NULL;
      gint64 timeout = CC_ENGINE_DEFAULT_TIMEOUT_S;
      gboolean auto_pause = cc_engine_sandbox_get_auto_pause (sandbox), memory = FALSE;

      if (!g_str_equal (method, "POST"))
        {
          _cc_engine_reply_api_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
          return;
        }
      body = _cc_engine_control_parse_body (msg, allowed);
      if (body == NULL ||
          !_cc_engine_control_get_int_member (msg, body, "timeout", 0, CC_ENGINE_MAX_TIMEOUT_S, &timeout) ||
          !get_bool_member (msg, body, "autoPause", &auto_pause) ||
          !get_bool_member (msg, body, "memory", &memory))
        return;

      if (running)
        {
          /* Only the deprecated resume refuses a running sandbox; connect (v1 and v2 alike)
           * answers it with 200. */
          if (g_strcmp0 (action, "resume") == 0)
            {
              g_autofree char *message = g_strdup_printf ("Sandbox %s is already running", sandbox_id);

              _cc_engine_reply_api_error (msg, SOUP_STATUS_CONFLICT, message);
              return;
            }
          /* Connecting never shortens the sandbox's life. */
          if (g_get_real_time () + timeout * G_USEC_PER_SEC > cc_engine_sandbox_get_end_at (sandbox))
            {
              set_timeout (engine, sandbox, timeout);
              cc_engine_sandbox_save (sandbox);
            }
          reply_sandbox (engine, msg, sandbox, SOUP_STATUS_OK);
          return;
        }

      _cc_engine_process_freeze_all (sandbox, FALSE);
      cc_engine_sandbox_set_state (sandbox, CC_ENGINE_SANDBOX_RUNNING);
      cc_engine_log_add (cc_engine_sandbox_get_log (sandbox), CC_ENGINE_LOG_INFO, "Sandbox resumed", "logger", "lifecycle", NULL);
      sample_soon (engine, sandbox);
      cc_engine_sandbox_set_auto_pause (sandbox, auto_pause);
      set_timeout (engine, sandbox, timeout);
      cc_engine_sandbox_save (sandbox);
      reply_sandbox (engine, msg, sandbox, SOUP_STATUS_CREATED);
    }
  else if (g_strcmp0 (action, "logs") == 0 && g_str_equal (method, "GET"))
    handle_logs (msg, sandbox, query, v2);
  else if (!v2 && g_strcmp0 (action, "metrics") == 0 && g_str_equal (method, "GET"))
    handle_metrics (engine, msg, sandbox, query);
  else if (!v2 && g_strcmp0 (action, "network") == 0 && g_str_equal (method, "PUT"))
    handle_network (engine, msg, sandbox);
  else if (!v2 && g_strcmp0 (action, "snapshots") == 0 && g_str_equal (method, "POST"))
    _cc_engine_snapshot_create (engine, msg, sandbox);
  else if (!v2 && g_strcmp0 (action, "fork") == 0 && g_str_equal (method, "POST"))
    _cc_engine_snapshot_fork (engine, msg, sandbox);
  else
    _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, "Not found");
}

void
_cc_engine_control_handle (CcEngine          *engine,
                           SoupServerMessage *msg,
                           const char        *path,
                           GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = g_strsplit (path + (path[0] == '/'), "/", -1);
  guint n = g_strv_length (parts);
  gboolean v2 = FALSE;
  char **p = parts;

  if (n > 0 && g_str_equal (p[0], "v2"))
    {
      v2 = TRUE;
      p++;
      n--;
    }
  if (n > 0 && p[n - 1][0] == '\0')
    n--;  /* trailing slash */

  if (!v2 && n == 2 && g_str_equal (p[0], "engine") && g_str_equal (p[1], "status") && g_str_equal (method, "GET"))
    {
      handle_status (engine, msg);
      return;
    }
  if (!v2 && n == 2 && g_str_equal (p[0], "engine") && g_str_equal (p[1], "previews") && g_str_equal (method, "POST"))
    {
      _cc_engine_preview_create (engine, msg);  /* cc-engine-preview.c (engine-fs) */
      return;
    }
  if (!v2 && n == 1 && g_str_equal (p[0], "snapshots") && g_str_equal (method, "GET"))
    {
      _cc_engine_snapshot_list (engine, msg, query);
      return;
    }
  if (!v2 && n == 2 && g_str_equal (p[0], "templates") && g_str_equal (method, "DELETE"))
    {
      _cc_engine_snapshot_delete (engine, msg, p[1]);
      return;
    }
  if (n == 0 || !g_str_equal (p[0], "sandboxes"))
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, "Not found");
      return;
    }
  if (n == 1)
    {
      if (g_str_equal (method, "POST"))
        handle_create (engine, msg);
      else if (g_str_equal (method, "GET"))
        handle_list (engine, msg, query, v2);
      else
        _cc_engine_reply_api_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }
  if (!v2 && n == 2 && g_str_equal (p[1], "metrics") && g_str_equal (method, "GET"))
    {
      handle_all_metrics (engine, msg, query);
      return;
    }
  if (n > 3)
    {
      _cc_engine_reply_api_error (msg, SOUP_STATUS_NOT_FOUND, "Not found");
      return;
    }
  handle_sandbox (engine, msg, method, p[1], n == 3 ? p[2] : NULL, query, v2);
}
