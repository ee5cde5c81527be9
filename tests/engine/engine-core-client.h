/* engine-core-client.h: a small real HTTP client for the engine's tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup requests over 127.0.0.1 to a private engine (cc-test-engine), answered by spinning the
 * main loop; Connect streams are read envelope by envelope as they arrive.
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cc-test-engine.h"

G_BEGIN_DECLS

typedef struct
{
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  JsonNode *json;        /* the body parsed, when it is JSON */
} EcReply;

void        ec_reply_free        (EcReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcReply, ec_reply_free)

/* A session sized for many concurrent requests to one engine; @timeout_seconds 0 means
 * libsoup's default (no timeout). */
SoupSession *ec_session_new      (guint               timeout_seconds);

/* Runs the registered tests with a private engine in *@engine and ec_session_new (@timeout_seconds)
 * in *@session (the test file's globals), freeing both afterwards; returns g_test_run ()'s result. */
int          ec_test_run         (CcTestEngine      **engine,
                                  SoupSession       **session,
                                  guint               timeout_seconds);

/* Headers are NULL-terminated name/value pairs. */
EcReply    *ec_request           (SoupSession        *session,
                                  const char         *method,
                                  const char         *url,
                                  const char         *content_type,
                                  const void         *body,
                                  gssize              length,
                                  const char * const *headers);
/* Control plane call with the engine's API key. */
EcReply    *ec_api               (CcTestEngine       *engine,
                                  SoupSession        *session,
                                  const char         *method,
                                  const char         *path,
                                  const char         *json_body);
/* A created sandbox's answer (asserts 201). */
JsonObject *ec_create_sandbox    (CcTestEngine       *engine,
                                  SoupSession        *session,
                                  const char         *json_body);

typedef struct
{
  CcTestEngine *engine;
  SoupSession *session;
  char *id;
  char *token;
} EcSandbox;

EcSandbox  *ec_sandbox_new       (CcTestEngine       *engine,
                                  SoupSession        *session,
                                  const char         *json_body);
void        ec_sandbox_free      (EcSandbox          *sandbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcSandbox, ec_sandbox_free)

/* Unary Connect call (application/json) on the sandbox daemon; @user NULL = no Authorization. */
EcReply    *ec_unary             (EcSandbox          *sandbox,
                                  const char         *path,
                                  const char         *json_body,
                                  const char         *user);

typedef struct _EcStream EcStream;

/* Opens a streaming call: one envelope with @json_body; extra headers as name/value pairs. */
EcStream   *ec_stream_open       (EcSandbox          *sandbox,
                                  const char         *path,
                                  const char         *json_body,
                                  const char         *user,
                                  const char * const *headers);
/* Opens with a raw request body (for malformed envelopes). */
EcStream   *ec_stream_open_raw   (EcSandbox          *sandbox,
                                  const char         *path,
                                  const char         *content_type,
                                  const void         *body,
                                  gsize               length,
                                  const char * const *headers);
guint       ec_stream_get_status (EcStream           *stream);
/* The next envelope: its flags and JSON object (transfer full); FALSE at EOF. */
gboolean    ec_stream_next       (EcStream           *stream,
                                  guint8             *flags,
                                  JsonObject        **message);
void        ec_stream_free       (EcStream           *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcStream, ec_stream_free)

/* The result of a whole process stream. */
typedef struct
{
  guint pid;
  GString *stdout_text;
  GString *stderr_text;
  GString *pty_text;
  JsonObject *end;        /* the end event, or NULL */
  JsonObject *eos_error;  /* the end-of-stream error, or NULL */
  guint n_keepalives;
  gboolean got_eos;
} EcRun;

void        ec_run_free          (EcRun              *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EcRun, ec_run_free)

/* Reads @stream to its end (asserting the start event comes first). */
EcRun      *ec_stream_collect    (EcStream           *stream);
/* The same, for a stream whose start event was already read. */
EcRun      *ec_stream_collect_after_start (EcStream *stream);
/* Start {"process":{"cmd":"/bin/bash","args":["-l","-c",cmd]},"stdin":false}, read to the end. */
EcRun      *ec_run               (EcSandbox          *sandbox,
                                  const char         *cmd,
                                  const char         *user);
/* The "status" of @run's end event (asserting there was one). */
const char *ec_run_end_status    (EcRun              *run);
/* Reads the start event of a 200 stream (asserting it is next); returns its pid. */
guint       ec_stream_read_start (EcStream           *stream);
/* One Start request body for bash -l -c @cmd (caller frees). */
char       *ec_start_body        (const char         *cmd,
                                  gboolean            want_stdin,
                                  const char         *extra_process_members);

G_END_DECLS
