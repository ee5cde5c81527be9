/* cc-protojson.h: the few proto3-JSON rules both protocol ends need
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * int64 travels as a JSON string, bytes as padded base64, timestamps as RFC 3339 in UTC, and
 * readers accept the alternative forms (numbers for int64, URL-safe or unpadded base64).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gint64       cc_protojson_get_int64        (JsonObject   *object,
                                            const char   *member,
                                            gint64        default_value);
gboolean     cc_protojson_get_bool         (JsonObject   *object,
                                            const char   *member,
                                            gboolean      default_value);
const char  *cc_protojson_get_string       (JsonObject   *object,
                                            const char   *member);
JsonObject  *cc_protojson_get_object       (JsonObject   *object,
                                            const char   *member);
GBytes      *cc_protojson_get_bytes        (JsonObject   *object,
                                            const char   *member);
GBytes      *cc_protojson_decode_base64    (const char   *text);
void         cc_protojson_add_int64        (JsonBuilder  *builder,
                                            const char   *member,
                                            gint64        value);
void         cc_protojson_add_bytes        (JsonBuilder  *builder,
                                            const char   *member,
                                            const void   *data,
                                            gsize         length);
void         cc_protojson_add_string_map   (JsonBuilder  *builder,
                                            const char   *member,
                                            GHashTable   *map);
void         cc_protojson_copy_string_map  (JsonObject   *object,
                                            const char   *member,
                                            GHashTable   *into);
/* FALSE (and the first unknown member name in @unknown) when @object has a member not in the
 * NULL-terminated @allowed: envd rejects unknown fields, so both ends check them. */
gboolean     cc_protojson_check_fields     (JsonObject          *object,
                                            const char * const  *allowed,
                                            char               **unknown);
char        *cc_protojson_format_timestamp (gint64        unix_usec);
gboolean     cc_protojson_parse_timestamp  (const char   *text,
                                            gint64       *unix_usec);
/* How deep a text cc_protojson_parse_object() accepts: far beyond any message of the protocol,
 * far below what would exhaust the parser's stack. */
#define CC_PROTOJSON_MAX_DEPTH 64

/* FALSE when arrays and objects in @data nest deeper than @max_depth. One pass, no allocation, so
 * it runs before the parser on every text that comes from the wire. */
gboolean     cc_protojson_check_depth      (const char   *data,
                                            gsize         length,
                                            guint         max_depth);
/* Refuses texts deeper than CC_PROTOJSON_MAX_DEPTH before parsing them. */
JsonObject  *cc_protojson_parse_object     (const char   *data,
                                            gssize        length,
                                            GError      **error);
/* How many values a request may hold: the engine's largest legitimate request (an environment of
 * CC_ENGINE_MAX_ENVS variables) has a few tens of thousands. The parser takes about a microsecond
 * per value on the main loop, so a 16 MiB body of "1," would otherwise hold it for seconds. */
#define CC_PROTOJSON_MAX_REQUEST_VALUES 65536

/* FALSE when @data holds more than @max_values values (counted by their separators and
 * brackets, outside strings). One pass, no allocation. */
gboolean     cc_protojson_check_width      (const char   *data,
                                            gsize         length,
                                            guint         max_values);
/* cc_protojson_parse_object() for texts a peer sends to the engine: also refuses more than
 * CC_PROTOJSON_MAX_REQUEST_VALUES values before parsing. Answers come from trusted ends and may be
 * larger (a listing of 20,000 files), so this bound is for requests only. */
JsonObject  *cc_protojson_parse_request    (const char   *data,
                                            gssize        length,
                                            GError      **error);
char        *cc_protojson_to_string        (JsonNode     *node,
                                            gsize        *length);

G_END_DECLS
