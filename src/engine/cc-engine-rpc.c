/* cc-engine-rpc.c: requests read and answers written in the protocol's shapes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both Connect services (process and filesystem) read their requests with the helpers here and
 * report a bad request the same way: a G_IO_ERROR_INVALID_ARGUMENT GError, which
 * _cc_engine_connect_code_for_error() turns into the "invalid_argument" code.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-engine-private.h"
#include "cc-engine-rpc.h"
#include "cc-engine-worker.h"
#include "cc-protojson.h"

/* Answers ---------------------------------------------------------------------------------- */

static void
set_json_body (SoupServerMessage *msg,
               guint              status,
               JsonNode          *body)
{
  gsize length = 0;
  char *text = cc_protojson_to_string (body, &length);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
reply_error (SoupServerMessage *msg,
             guint              status,
             const char        *string_code,
             const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  if (string_code != NULL)
    json_builder_add_string_value (builder, string_code);
  else
    json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message ? message : "");
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  set_json_body (msg, status, node);
}

void
_cc_engine_reply_api_error (SoupServerMessage *msg,
                            guint              status,
                            const char        *message)
{
  reply_error (msg, status, NULL, message);
}

void
_cc_engine_reply_http_error (SoupServerMessage *msg,
                             guint              status,
                             const char        *message)
{
  reply_error (msg, status, NULL, message);
}

void
_cc_engine_reply_connect_error (SoupServerMessage *msg,
                                const char        *code,
                                const char        *message)
{
  if (!cc_connect_code_is_valid (code))
    code = "unknown";
  reply_error (msg, cc_connect_code_to_http_status (code), code, message);
}

void
_cc_engine_reply_json (SoupServerMessage *msg,
                       guint              status,
                       JsonNode          *body)
{
  set_json_body (msg, status ? status : SOUP_STATUS_OK, body);
}

const char *
_cc_engine_connect_code_for_error (const GError *error)
{
  if (error == NULL)
    return "unknown";
  if (error->domain != G_IO_ERROR)
    return "internal";

  switch (error->code)
    {
    case G_IO_ERROR_NOT_FOUND:
      return "not_found";
    case G_IO_ERROR_EXISTS:
      return "already_exists";
    case G_IO_ERROR_PERMISSION_DENIED:
      return "permission_denied";
    case G_IO_ERROR_INVALID_ARGUMENT:
    case G_IO_ERROR_INVALID_FILENAME:
    case G_IO_ERROR_NOT_DIRECTORY:
    case G_IO_ERROR_IS_DIRECTORY:
    case G_IO_ERROR_FILENAME_TOO_LONG:
    case G_IO_ERROR_NOT_EMPTY:
    case G_IO_ERROR_INVALID_DATA:
      return "invalid_argument";
    case G_IO_ERROR_NO_SPACE:
    case G_IO_ERROR_TOO_MANY_OPEN_FILES:
      return "resource_exhausted";
    case G_IO_ERROR_CANCELLED:
      return "canceled";
    case G_IO_ERROR_TIMED_OUT:
      return "deadline_exceeded";
    case G_IO_ERROR_NOT_SUPPORTED:
      return "unimplemented";
    case G_IO_ERROR_BUSY:
    case G_IO_ERROR_WOULD_BLOCK:
      return "unavailable";
    default:
      return "internal";
    }
}

void
_cc_engine_reply_sandbox_not_found (SoupServerMessage *msg,
                                    const char        *sandbox_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  /* What E2B's proxy answers for a sandbox that is gone or paused. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sandboxId");
  json_builder_add_string_value (builder, sandbox_id);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, "The sandbox was not found");
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, 502);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_BAD_GATEWAY, node);
}

void
_cc_engine_reply_envs (CcEngineSandbox   *sandbox,
                       SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  GHashTableIter iter;
  gpointer key, value;

  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_env_vars (sandbox));
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, value);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, node);
}

void
_cc_engine_reply_envd_metrics (SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "cpu_count");
  json_builder_add_int_value (builder, g_get_num_processors ());
  json_builder_set_member_name (builder, "cpu_used_pct");
  json_builder_add_double_value (builder, 0.0);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  _cc_engine_reply_json (msg, SOUP_STATUS_OK, node);
}


void
_cc_engine_reply_stream_error (SoupServerMessage *msg,
                               const char        *code,
                               const char        *message)
{
  CcEngineStream *stream = _cc_engine_stream_new (msg, NULL, NULL, NULL);

  _cc_engine_stream_finish (stream, code, message);
  _cc_engine_stream_unref (stream);
}

/* Requests --------------------------------------------------------------------------------- */

gboolean
_cc_engine_content_type_is (SoupServerMessage *msg,
                            const char        *expected)
{
  const char *content_type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), NULL);

  return content_type != NULL && g_ascii_strcasecmp (content_type, expected) == 0;
}

/* A large body is kept by us rather than by libsoup, in one buffer of its announced size:
 * libsoup keeps a list of 8 KiB chunks and copies them into one block when asked, which for
 * 15 MiB held the main loop for about 10 ms, mostly in page faults. Filled as it arrives, the
 * buffer costs the same, spread over the reads. */
#define OWN_BODY_KEY "cc-request-body"

gboolean
_cc_engine_request_body_keep (SoupServerMessage *msg,
                              gsize              length)
{
  /* Reserved before a byte of it came, and before the request is known to be allowed: where the
   * system will not promise that much memory now (strict overcommit), libsoup keeps the body as
   * it arrives, as it does for small ones, rather than the engine aborting. */
  guint8 *data = g_try_malloc (length);
  GByteArray *own;

  if (data == NULL)
    return FALSE;
  own = g_byte_array_new_take (data, length);
  g_byte_array_set_size (own, 0);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), OWN_BODY_KEY, own, (GDestroyNotify) g_byte_array_unref);
  return TRUE;
}

void
_cc_engine_request_body_got (SoupServerMessage *msg,
                             GBytes            *chunk)
{
  GByteArray *own = g_object_get_data (G_OBJECT (msg), OWN_BODY_KEY);
  SoupMessageBody *body;

  if (own != NULL)
    {
      g_byte_array_append (own, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
      return;
    }
  /* A body of unknown length (chunked) is taken over once it is large: what libsoup has of it
   * then is copied once. */
  body = soup_server_message_get_request_body (msg);
  if (soup_message_body_get_accumulate (body) && body->length > CC_ENGINE_PARSE_INLINE_BYTES)
    {
      g_autoptr(GBytes) so_far = soup_message_body_flatten (body);

      if (!_cc_engine_request_body_keep (msg, g_bytes_get_size (so_far) * 2))
        return;
      soup_message_body_truncate (body);
      own = g_object_get_data (G_OBJECT (msg), OWN_BODY_KEY);
      g_byte_array_append (own, g_bytes_get_data (so_far, NULL), (guint) g_bytes_get_size (so_far));
    }
}

void
_cc_engine_request_body_drop (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  g_object_set_data (G_OBJECT (msg), OWN_BODY_KEY, NULL);
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
}

gsize
_cc_engine_request_body_length (SoupServerMessage *msg)
{
  GByteArray *own = g_object_get_data (G_OBJECT (msg), OWN_BODY_KEY);

  return own != NULL ? own->len : (gsize) soup_server_message_get_request_body (msg)->length;
}

GBytes *
_cc_engine_request_body (SoupServerMessage *msg)
{
  GByteArray *own = g_object_get_data (G_OBJECT (msg), OWN_BODY_KEY);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (own != NULL)
    return g_bytes_new_with_free_func (own->data, own->len, (GDestroyNotify) g_byte_array_unref,
                                       g_byte_array_ref (own));
  /* A body nobody kept (got_headers_cb () in cc-engine.c) reads as empty. */
  if (!soup_message_body_get_accumulate (body))
    return g_bytes_new (NULL, 0);
  return soup_message_body_flatten (body);
}

JsonObject *
_cc_engine_parse_unary_request (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gsize length;
  const char *data;

  if (!_cc_engine_content_type_is (msg, "application/json"))
    {
      _cc_engine_reply_connect_error (msg, "invalid_argument",
                                      _("Unary calls must have Content-Type application/json"));
      return NULL;
    }

  bytes = _cc_engine_request_body (msg);
  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    return json_object_new ();

  object = _cc_engine_worker_parse_body (msg, data, length, &error);
  if (object == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The request is not valid JSON: %s"), error->message);

      _cc_engine_reply_connect_error (msg, "invalid_argument", message);
      return NULL;
    }
  return object;
}

char *
_cc_engine_request_user (SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  char *colon;

  if (auth == NULL)
    return g_strdup ("user");
  if (g_ascii_strncasecmp (auth, "Basic ", 6) != 0)
    return NULL;
  decoded = g_base64_decode (auth + 6, &length);
  text = g_strndup ((const char *) decoded, length);
  colon = strchr (text, ':');
  if (colon != NULL)
    *colon = '\0';
  if (*text == '\0')
    return g_strdup ("user");
  if (cc_engine_sandbox_user_home (text) == NULL)
    return NULL;
  return g_steal_pointer (&text);
}

gboolean
_cc_engine_secret_equal (const char *given,
                         const char *expected)
{
  gsize n_given, n_expected;
  guint8 diff = 0;

  if (given == NULL || expected == NULL)
    return FALSE;
  n_given = strlen (given);
  n_expected = strlen (expected);
  for (gsize i = 0; i < n_expected; i++)
    diff |= (guint8) expected[i] ^ (guint8) (i < n_given ? given[i] : 0);
  return diff == 0 && n_given == n_expected;
}

JsonObject *
_cc_engine_parse_stream_request (SoupServerMessage  *msg,
                                 GError            **error)
{
  g_autoptr(CcConnectDecoder) decoder = cc_connect_decoder_new (CC_CONNECT_DEFAULT_MAX_MESSAGE);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  guint8 flags = 0;
  gsize length;
  const char *data;

  if (!_cc_engine_content_type_is (msg, "application/connect+json"))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "streaming calls need Content-Type application/connect+json");
      return NULL;
    }
  body = _cc_engine_request_body (msg);
  cc_connect_decoder_push (decoder, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!cc_connect_decoder_next (decoder, &flags, &payload, &local_error))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           local_error ? local_error->message : "the request envelope is truncated");
      return NULL;
    }
  if (flags != 0 || cc_connect_decoder_get_pending (decoder) > 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           flags & CC_CONNECT_FLAG_COMPRESSED ? "compressed messages are not supported"
                                                             : "expected exactly one request message");
      return NULL;
    }
  data = g_bytes_get_data (payload, &length);
  object = _cc_engine_worker_parse_body (msg, data, length, &local_error);
  if (object == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "invalid request: %s", local_error->message);
  return object;
}

gboolean
_cc_engine_request_check_fields (JsonObject         *object,
                                 const char * const *allowed,
                                 GError            **error)
{
  g_autofree char *unknown = NULL;

  /* Real envd rejects unknown fields; so do we, so clients stay honest. */
  if (object == NULL || cc_protojson_check_fields (object, allowed, &unknown))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown field \"%s\"", unknown);
  return FALSE;
}

/* proto3 JSON readers accept the field's original snake_case name as well as the camelCase one. */
static JsonNode *
get_member (JsonObject *object,
            const char *camel,
            const char *snake)
{
  JsonNode *node = json_object_get_member (object, camel);

  if (node == NULL && snake != NULL)
    node = json_object_get_member (object, snake);
  return node;
}

/* The member's node when it holds a value of @type, NULL when absent or null; FALSE when it
 * holds something else. */
static gboolean
get_typed_member (JsonObject  *object,
                  const char  *camel,
                  const char  *snake,
                  GType        type,
                  const char  *type_name,
                  JsonNode   **out,
                  GError     **error)
{
  JsonNode *node = get_member (object, camel, snake);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "invalid value for %s field %s", type_name, camel);
      return FALSE;
    }
  *out = node;
  return TRUE;
}

gboolean
_cc_engine_request_get_string (JsonObject  *object,
                               const char  *camel,
                               const char  *snake,
                               const char **out,
                               GError     **error)
{
  JsonNode *node;

  *out = NULL;
  if (!get_typed_member (object, camel, snake, G_TYPE_STRING, "string", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_string (node);
  return TRUE;
}

gboolean
_cc_engine_request_get_bool (JsonObject  *object,
                             const char  *camel,
                             const char  *snake,
                             gboolean    *out,
                             GError     **error)
{
  JsonNode *node;

  *out = FALSE;
  if (!get_typed_member (object, camel, snake, G_TYPE_BOOLEAN, "bool", &node, error))
    return FALSE;
  if (node != NULL)
    *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
_cc_engine_request_get_object (JsonObject  *object,
                               const char  *member,
                               JsonObject **out,
                               GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "\"%s\" must be an object", member);
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
_cc_engine_set_errno_error (GError    **error,
                            int         saved_errno,
                            const char *what,
                            const char *sandbox_path)
{
  if (saved_errno == ENOENT)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "file not found: %s %s: %s", what, sandbox_path, g_strerror (saved_errno));
  else if (saved_errno == EDQUOT || saved_errno == ENOSPC)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 "not enough disk space to write %s: %s", sandbox_path, g_strerror (saved_errno));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "error %s %s: %s", what, sandbox_path, g_strerror (saved_errno));
  return FALSE;
}
