/* cc-fault-proxy.h: a loopback HTTP proxy that injects faults, for tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listens on 127.0.0.1 (free port) in front of a real server (the engine, or a recorded-fixture
 * server) and passes requests through, unless a rule matches: then, for the next N matching
 * requests, it answers a status with a body, resets the connection, stalls, truncates the
 * response body after N bytes, holds the response after N bytes until released, answers
 * malformed JSON or a wrong content type, or closes a kept-alive connection as it is used
 * again. Requests are matched on method and path prefix (the query is ignored). Each
 * connection serves one request, so every request is seen and counted: answers the proxy makes
 * carry Connection: close, and forwarded ones go as the server sent them, so the client may
 * send its next request on a connection the proxy is closing (it must then send it again).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CC_FAULT_PASS,                  /* forward unchanged (counts, and consumes the rule) */
  CC_FAULT_STATUS,                /* answer status + body (+ Retry-After) */
  CC_FAULT_RESET,                 /* read the request, then reset the connection (RST) */
  CC_FAULT_STALL,                 /* read the request, never answer */
  CC_FAULT_TRUNCATE,              /* forward, cut the response body after N bytes, close */
  CC_FAULT_HOLD,                  /* forward, hold the response after N bytes until released */
  CC_FAULT_MALFORMED_JSON,        /* 200 application/json with a broken body */
  CC_FAULT_WRONG_CONTENT_TYPE,    /* 200 text/html */
  CC_FAULT_CLOSE_KEPT_ALIVE,      /* forward, then reset the connection when the client sends
                                   * on it again, unread */
  CC_FAULT_CUT_BODY,              /* forward with Content-Length and Connection: close, cut the
                                   * body after N bytes, close */
} CcFaultKind;

typedef struct _CcFaultProxy CcFaultProxy;

/* In front of @upstream_url ("http://127.0.0.1:<port>"); aborts the test on failure. */
CcFaultProxy *cc_fault_proxy_new                    (const char   *upstream_url);
void          cc_fault_proxy_free                   (CcFaultProxy *self);
/* "http://127.0.0.1:<port>" */
const char   *cc_fault_proxy_get_url                (CcFaultProxy *self);

/* Rules apply to the next @count matching requests (0 = every one), in the order added.
 * @method NULL matches any method; @path_prefix NULL matches any path, and one ending in "$"
 * only that path ("/files$": the /files endpoint, not /filesystem.Filesystem/ListDir). */
void          cc_fault_proxy_add_status             (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count,
                                                     guint         status,
                                                     guint         retry_after_seconds,
                                                     const char   *json_body);
void          cc_fault_proxy_add_reset              (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count);
void          cc_fault_proxy_add_stall              (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count);
void          cc_fault_proxy_add_truncate           (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count,
                                                     gsize         after_bytes);
/* Like truncate, but the head keeps its Content-Length (and says Connection: close): the
 * answer a server gives when it dies part way through a body it announced. */
void          cc_fault_proxy_add_cut_body           (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count,
                                                     gsize         after_bytes);
/* Relays @after_bytes bytes of the response (head included), then waits for
 * cc_fault_proxy_release() before relaying the rest: what happens upstream meanwhile (the
 * server killed) is what the client sees next. */
void          cc_fault_proxy_add_hold               (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count,
                                                     gsize         after_bytes);
/* Responses held right now; and lets every held one go on. */
guint         cc_fault_proxy_held                   (CcFaultProxy *self);
void          cc_fault_proxy_release                (CcFaultProxy *self);
/* Requests from now on go to @upstream_url (a restarted server on another port). */
void          cc_fault_proxy_set_upstream           (CcFaultProxy *self,
                                                     const char   *upstream_url);
/* Forwards the answer as the server sent it (which does not say the connection ends), then
 * resets the connection, unread, when the client sends its next request on it: a kept-alive
 * connection that the server closes just as the client uses it again. */
void          cc_fault_proxy_add_close_kept_alive   (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count);
void          cc_fault_proxy_add_malformed_json     (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count);
void          cc_fault_proxy_add_wrong_content_type (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix,
                                                     guint         count);
/* Drops every rule (stalled connections stay stalled until the proxy is freed). */
void          cc_fault_proxy_clear_rules            (CcFaultProxy *self);

/* Requests seen (forwarded or faulted) matching @method/@path_prefix since the last reset. */
guint         cc_fault_proxy_count                  (CcFaultProxy *self,
                                                     const char   *method,
                                                     const char   *path_prefix);
void          cc_fault_proxy_reset_counts           (CcFaultProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcFaultProxy, cc_fault_proxy_free)

G_END_DECLS
