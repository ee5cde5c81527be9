/* cc-http-exchange-private.h: what the HTTP files share among themselves only
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The request and exchange records, and the error mapping the sending engine (cc-http.c) and the
 * stream reader (cc-connect-stream.c) call. The rest of the protocol client uses the accessors
 * of cc-http-private.h and never sees these fields.
 */
#pragma once

#include "cc-http-private.h"

G_BEGIN_DECLS

struct _CcHttpRequest
{
  char               *method;
  char               *url;            /* base and path as given, for messages */
  GUri               *uri;            /* the same parsed, or NULL when it is no valid URL */
  GString            *query;          /* encoded, without the leading '?' */
  SoupMessageHeaders *headers;
  char               *content_type;
  GBytes             *body;
  GInputStream       *body_stream;
  goffset             body_length;
  CcHttpSurface       surface;
  CcHttpRetry         retry;
  gboolean            read_body;
  char               *sandbox_id;
  GPtrArray          *secrets;
  GArray             *accepted;
  CcHttpProgressFunc  progress;
  gpointer            progress_data;
  char               *label;
};

struct _CcHttpExchange
{
  gatomicrefcount     ref_count;
  CcConnection       *connection;
  CcHttpSurface       surface;
  char               *sandbox_id;
  SoupMessage        *msg;
  GInputStream       *stream;
  GBytes             *body;
  GCancellable       *cancellable;      /* ours: cancelled by the caller's, the timer, abort */
  GCancellable       *caller_cancellable;
  gulong              caller_handler;
  GSource            *timeout_source;
  gboolean            timed_out;
  gboolean            connected;        /* it opened a connection (not one kept alive) */
  gboolean            aborted;
  gboolean            paused;
  GTask              *paused_stream;    /* the stream reader waiting for a resume */
  goffset             body_sent;
  goffset             body_total;
  CcHttpProgressFunc  progress;
  gpointer            progress_data;
};

/* Error mapping (cc-http-errors.c). */
void     _cc_http_set_protocol_error          (GError         **error,
                                               const char      *detail);
gboolean _cc_http_error_is_dropped_connection (const GError    *error);
/* The error a non-accepted status means for @request; @body is the start of the answer. */
void     _cc_http_set_status_error            (GError         **error,
                                               CcConnection    *connection,
                                               CcHttpRequest   *request,
                                               SoupMessage     *msg,
                                               GBytes          *body);

G_END_DECLS
