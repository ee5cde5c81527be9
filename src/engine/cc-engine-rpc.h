/* cc-engine-rpc.h: reading requests and writing answers in the protocol's shapes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One module for every service of the engine, so that the process and filesystem services parse
 * alike and every error has the shape its surface expects: the control plane's, envd's plain
 * HTTP, unary Connect or an end-of-stream Connect error.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* envd's answer (401) to a daemon request without a valid access token or URL signature. */
#define CC_ENGINE_UNAUTHORIZED_MESSAGE \
  "unauthorized access, please provide a valid access token or method signing if supported"

/* The Linux user of a daemon request, from "Authorization: Basic base64(user:)"; "user" when
 * absent. NULL for a user the sandbox does not have. */
char    *_cc_engine_request_user         (SoupServerMessage *msg);

/* What E2B's proxy answers (502) for a sandbox that is gone or paused. */
void     _cc_engine_reply_sandbox_not_found (SoupServerMessage *msg,
                                             const char        *sandbox_id);
/* envd's GET /envs (the sandbox's environment variables) and GET /metrics. */
void     _cc_engine_reply_envs           (CcEngineSandbox   *sandbox,
                                          SoupServerMessage *msg);
void     _cc_engine_reply_envd_metrics   (SoupServerMessage *msg);

/* Control-plane error: {"code":<int status>,"message":…}. */
void     _cc_engine_reply_api_error      (SoupServerMessage *msg,
                                          guint              status,
                                          const char        *message);
/* Unary Connect error: non-200 status derived from the code, {"code":"<code>","message":…}. */
void     _cc_engine_reply_connect_error  (SoupServerMessage *msg,
                                          const char        *code,
                                          const char        *message);
/* envd plain-HTTP error (/files, /health …): {"code":<int>,"message":…}. */
void     _cc_engine_reply_http_error     (SoupServerMessage *msg,
                                          guint              status,
                                          const char        *message);
/* 200 (or @status) with a JSON body; takes ownership of nothing. */
void     _cc_engine_reply_json           (SoupServerMessage *msg,
                                          guint              status,
                                          JsonNode          *body);
/* Maps a GError (G_IO_ERROR_NOT_FOUND, _PERMISSION_DENIED, _EXISTS, _INVALID_ARGUMENT,
 * _NOT_DIRECTORY, _IS_DIRECTORY, _NO_SPACE …) to its Connect code string. */
const char *_cc_engine_connect_code_for_error (const GError *error);

/* An answer to a streaming call that fails before it starts: HTTP 200, end-stream error. */
void     _cc_engine_reply_stream_error   (SoupServerMessage *msg,
                                          const char        *code,
                                          const char        *message);

/* Compares a secret the client gave (an API key, access token or URL signature) with the
 * expected one in time that depends only on the expected one's length, so a local attacker
 * cannot learn it byte by byte. FALSE when either is NULL. */
gboolean _cc_engine_secret_equal         (const char        *given,
                                          const char        *expected);

/* The request body as one JSON object; on failure answers invalid_argument and returns NULL. */
JsonObject *_cc_engine_parse_unary_request (SoupServerMessage *msg);

/* Reading requests, in one style for both Connect services: each returns FALSE/NULL with
 * G_IO_ERROR_INVALID_ARGUMENT set and answers nothing, so the caller picks unary or stream. */

/* The single message of a server-streaming request (application/connect+json, exactly one
 * uncompressed envelope holding a JSON object). */
JsonObject *_cc_engine_parse_stream_request (SoupServerMessage  *msg,
                                             GError            **error);
/* Fails on a member of @object not in the NULL-terminated @allowed; a NULL @object passes. */
gboolean _cc_engine_request_check_fields (JsonObject         *object,
                                          const char * const *allowed,
                                          GError            **error);
/* An optional member (@camel, else @snake when not NULL) that must have the given type when
 * present: NULL / FALSE when absent or null. */
gboolean _cc_engine_request_get_string   (JsonObject         *object,
                                          const char         *camel,
                                          const char         *snake,
                                          const char        **out,
                                          GError            **error);
gboolean _cc_engine_request_get_bool     (JsonObject         *object,
                                          const char         *camel,
                                          const char         *snake,
                                          gboolean           *out,
                                          GError            **error);
gboolean _cc_engine_request_get_object   (JsonObject         *object,
                                          const char         *member,
                                          JsonObject        **out,
                                          GError            **error);

/* Sets @error for a failed file operation on @sandbox_path: ENOENT is not_found, ENOSPC and
 * EDQUOT are a full disk, the rest maps through g_io_error_from_errno(). Returns FALSE. */
gboolean _cc_engine_set_errno_error      (GError            **error,
                                          int                 saved_errno,
                                          const char         *what,
                                          const char         *sandbox_path);

/* TRUE when the request's Content-Type (parameters ignored) is @expected. */
gboolean _cc_engine_content_type_is      (SoupServerMessage *msg,
                                          const char        *expected);
/* (transfer full) The whole request body. */
GBytes  *_cc_engine_request_body         (SoupServerMessage *msg);
gsize    _cc_engine_request_body_length  (SoupServerMessage *msg);
/* Keeps the body of @msg in one buffer (@length bytes reserved) instead of libsoup's chunks;
 * _cc_engine_request_body_got() adds each chunk read, and takes over a large body of unknown
 * length. _cc_engine_request_body_drop() keeps nothing more. FALSE (libsoup keeps it) when the
 * buffer cannot be had. */
gboolean _cc_engine_request_body_keep    (SoupServerMessage *msg,
                                          gsize              length);
void     _cc_engine_request_body_got     (SoupServerMessage *msg,
                                          GBytes            *chunk);
void     _cc_engine_request_body_drop    (SoupServerMessage *msg);

G_END_DECLS
