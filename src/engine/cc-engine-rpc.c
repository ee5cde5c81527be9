/* cc-engine-rpc.c: answers in the protocol's shapes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-connect-codec.h"
#include "cc-engine-private.h"
#include "cc-protojson.h"

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

gboolean
_cc_engine_content_type_is (SoupServerMessage *msg,
                            const char        *expected)
{
  const char *content_type = soup_message_headers_get_content_type (
    soup_server_message_get_request_headers (msg), NULL);

  return content_type != NULL && g_ascii_strcasecmp (content_type, expected) == 0;
}

GBytes *
_cc_engine_request_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

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

  object = cc_protojson_parse_object (data, length, &error);
  if (object == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The request is not valid JSON: %s"), error->message);

      _cc_engine_reply_connect_error (msg, "invalid_argument", message);
      return NULL;
    }
  return object;
}

gboolean
_cc_engine_check_fields (JsonObject         *object,
                         const char * const *allowed,
                         char              **unknown)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          if (unknown != NULL)
            *unknown = g_strdup (l->data);
          return FALSE;
        }
    }
  return TRUE;
}
