/* cc-protojson.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cc-protojson.h"
#include "cc-sandbox-error.h"

gint64
cc_protojson_get_int64 (JsonObject *object,
                        const char *member,
                        gint64      default_value)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return default_value;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      {
        double value = json_node_get_double (node);

        /* Out-of-range doubles (1e99) have no int64 value; converting them is undefined. */
        if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
          return default_value;
        return (gint64) value;
      }
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);
        char *end = NULL;
        gint64 value = g_ascii_strtoll (text, &end, 10);

        return (end != text && *end == '\0') ? value : default_value;
      }
    default:
      return default_value;
    }
}

gboolean
cc_protojson_get_bool (JsonObject *object,
                       const char *member,
                       gboolean    default_value)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

const char *
cc_protojson_get_string (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
cc_protojson_get_object (JsonObject *object,
                         const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* The common case, every output chunk a sandbox sends: the standard padded alphabet, which
 * GLib decodes straight into the result in one pass once the alphabet is checked. */
static GBytes *
decode_base64_standard (const char *text,
                        gsize       len)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  guchar *out;
  gsize out_len;
  gint state = 0;
  guint save = 0;

  if (len % 4 != 0 || strspn (text, alphabet) != len)
    return NULL;
  out = g_malloc (len / 4 * 3 + 3);
  out_len = g_base64_decode_step (text, len, out, &state, &save);
  return g_bytes_new_take (out, out_len);
}

/* Accepts standard and URL-safe alphabets, with or without padding, as protobuf parsers do. */
GBytes *
cc_protojson_decode_base64 (const char *text)
{
  g_autofree char *copy = NULL;
  gsize len, padded;
  gsize out_len = 0;
  guchar *out;
  GBytes *bytes;

  if (text == NULL)
    return NULL;

  len = strlen (text);
  if ((bytes = decode_base64_standard (text, len)) != NULL)
    return bytes;

  /* URL-safe or unpadded: map to the standard alphabet, then let GLib decode it. */
  padded = (len + 3) & ~(gsize) 3;
  copy = g_malloc (padded + 1);
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || c == '='))
        return NULL;
      copy[i] = c;
    }
  for (gsize i = len; i < padded; i++)
    copy[i] = '=';
  copy[padded] = '\0';

  out = g_base64_decode_inplace (copy, &out_len);
  return g_bytes_new (out, out_len);
}

GBytes *
cc_protojson_get_bytes (JsonObject *object,
                        const char *member)
{
  return cc_protojson_decode_base64 (cc_protojson_get_string (object, member));
}

void
cc_protojson_add_int64 (JsonBuilder *builder,
                        const char  *member,
                        gint64       value)
{
  char buf[32];

  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, value);
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, buf);
}

void
cc_protojson_add_bytes (JsonBuilder *builder,
                        const char  *member,
                        const void  *data,
                        gsize        length)
{
  g_autofree char *encoded = g_base64_encode (data, length);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, encoded);
}

char *
cc_protojson_format_timestamp (gint64 unix_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) full = NULL;
  int usec = (int) (unix_usec % G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  if (usec == 0)
    return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  full = g_date_time_add (dt, usec);
  return g_date_time_format (full, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gboolean
cc_protojson_parse_timestamp (const char *text,
                              gint64     *unix_usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || (dt = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
    return FALSE;
  if (unix_usec != NULL)
    *unix_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

#define BYTES_OF(x)   ((guint64) (x) * G_GUINT64_CONSTANT (0x0101010101010101))
#define HAS_ZERO(v)   (((v) - BYTES_OF (0x01)) & ~(v) & BYTES_OF (0x80))
#define HAS_BELOW(v, n) (((v) - BYTES_OF (n)) & ~(v) & BYTES_OF (0x80))

/* Whether @len bytes are only printable ASCII other than '"' and '\\': a JSON string body the
 * parser would return unchanged. Eight bytes per step, no branch per byte: this scan runs over
 * every byte of a command's output. */
static gboolean
is_plain_json_string (const char *text,
                      gsize       len)
{
  guint64 bad = 0;
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, text + i, 8);
      bad |= (w & BYTES_OF (0x80)) | HAS_BELOW (w, 0x20) | HAS_ZERO (w ^ BYTES_OF ('"')) |
             HAS_ZERO (w ^ BYTES_OF ('\\'));
    }
  for (; i < len; i++)
    {
      guchar c = text[i];

      bad |= c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    }
  return bad == 0;
}

/* {"event":{"data":{"stdout":"…"}}} exactly as envd and our engine write it, with a value made of
 * printable ASCII without quotes or backslashes (so it has no escapes): nearly every message of a
 * command's stream. Building the object directly gives what the parser would and skips its
 * tokenizer, which otherwise costs more than the rest of the output path together. Whether the
 * value is base64 is for the reader to judge, as after the parser. NULL for any other text. */
static JsonObject *
parse_output_event (const char *data,
                    gsize       length)
{
  static const char prefix[] = "{\"event\":{\"data\":{\"";
  static const char suffix[] = "\"}}}";
  static const char * const members[] = { "stdout", "stderr", "pty" };
  const gsize prefix_len = sizeof prefix - 1, suffix_len = sizeof suffix - 1;
  const char *member = NULL;
  const char *value;
  gsize value_len;
  JsonObject *root, *event, *inner;
  char *text;

  if (length < prefix_len + suffix_len || memcmp (data, prefix, prefix_len) != 0 ||
      memcmp (data + length - suffix_len, suffix, suffix_len) != 0)
    return NULL;
  value = data + prefix_len;
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      gsize len = strlen (members[i]);

      if ((gsize) (data + length - suffix_len - value) >= len + 3 &&
          memcmp (value, members[i], len) == 0 && memcmp (value + len, "\":\"", 3) == 0)
        {
          member = members[i];
          value += len + 3;
          break;
        }
    }
  if (member == NULL)
    return NULL;
  value_len = data + length - suffix_len - value;
  if (!is_plain_json_string (value, value_len))
    return NULL;

  text = g_strndup (value, value_len);
  inner = json_object_new ();
  json_object_set_string_member (inner, member, text);
  g_free (text);
  event = json_object_new ();
  json_object_set_object_member (event, "data", inner);
  root = json_object_new ();
  json_object_set_object_member (root, "event", event);
  return root;
}

/* One pass over @data, brackets and separators inside strings not counting (an escaped quote
 * does not end a string): FALSE as soon as nesting passes @max_depth or the values @max_values. */
static gboolean
scan_json (const char *data,
           gsize       length,
           guint       max_depth,
           guint       max_values)
{
  gboolean in_string = FALSE;
  guint depth = 0;
  guint values = 1;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && (++depth > max_depth || ++values > max_values))
        return FALSE;
      else if ((c == ',' || c == ':') && ++values > max_values)
        return FALSE;
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

gboolean
cc_protojson_check_depth (const char *data,
                          gsize       length,
                          guint       max_depth)
{
  return scan_json (data, length, max_depth, G_MAXUINT);
}

gboolean
cc_protojson_check_width (const char *data,
                          gsize       length,
                          guint       max_values)
{
  return scan_json (data, length, G_MAXUINT, max_values);
}

JsonObject *
cc_protojson_parse_object (const char  *data,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *fast;
  JsonNode *root;

  if (data != NULL && length < 0)
    length = strlen (data);
  if (data != NULL && (fast = parse_output_event (data, length)) != NULL)
    return fast;
  /* The end of every stream that ended well. */
  if (data != NULL && length == 2 && memcmp (data, "{}", 2) == 0)
    return json_object_new ();

  /* The parser recurses once per level: a deep enough text overflows the stack. */
  if (data != NULL && !cc_protojson_check_depth (data, length, CC_PROTOJSON_MAX_DEPTH))
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                   "Malformed JSON: nested deeper than %u levels", CC_PROTOJSON_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data ? data : "", data ? length : 0, &local_error))
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                   "Malformed JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                           "Expected a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

char *
cc_protojson_to_string (JsonNode *node,
                        gsize    *length)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length);
}

/* Keys are written sorted so that equal maps always produce equal bytes. A NULL map is
 * written as an empty object: callers that must omit an empty map check before calling. */
void
cc_protojson_add_string_map (JsonBuilder *builder,
                             const char  *member,
                             GHashTable  *map)
{
  g_autoptr(GList) keys = NULL;

  if (map != NULL)
    keys = g_list_sort (g_hash_table_get_keys (map), (GCompareFunc) g_strcmp0);
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, g_hash_table_lookup (map, l->data));
    }
  json_builder_end_object (builder);
}

/* Members whose value is not a string are skipped, as a proto3 map<string,string> allows
 * nothing else. */
void
cc_protojson_copy_string_map (JsonObject *object,
                              const char *member,
                              GHashTable *into)
{
  JsonObject *map = cc_protojson_get_object (object, member);
  g_autoptr(GList) members = NULL;

  if (map == NULL)
    return;
  members = json_object_get_members (map);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *value = cc_protojson_get_string (map, l->data);

      if (value != NULL)
        g_hash_table_insert (into, g_strdup (l->data), g_strdup (value));
    }
}

gboolean
cc_protojson_check_fields (JsonObject         *object,
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

JsonObject *
cc_protojson_parse_request (const char  *data,
                            gssize       length,
                            GError     **error)
{
  if (data != NULL && length < 0)
    length = strlen (data);
  if (data != NULL && !cc_protojson_check_width (data, length, CC_PROTOJSON_MAX_REQUEST_VALUES))
    {
      g_set_error (error, CC_SANDBOX_ERROR, CC_SANDBOX_ERROR_PROTOCOL,
                   "Malformed JSON: more than %u values", CC_PROTOJSON_MAX_REQUEST_VALUES);
      return NULL;
    }
  return cc_protojson_parse_object (data, length, error);
}
