/* cc-envd-private.h: what the daemon client and its process objects share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-envd.h"
#include "cc-http-private.h"

G_BEGIN_DECLS

/* A request to the daemon with the headers the SDK sends. @rpc adds
 * Connect-Protocol-Version; @stream adds Keepalive-Ping-Interval and, when @timeout_ms > 0,
 * Connect-Timeout-Ms. @user selects the Linux user (Basic auth) or NULL. */
CcHttpRequest   *_cc_envd_request            (CcEnvd          *self,
                                              const char      *method,
                                              const char      *path,
                                              CcHttpSurface    surface,
                                              guint            timeout_ms,
                                              const char      *user);

/* A process whose stream @exchange has been opened: reads it, completes @start_task with the
 * process when the start event arrives (or with the error that came first). */
CcRemoteProcess *_cc_remote_process_new      (CcEnvd          *envd,
                                              gboolean         is_pty);
void             _cc_remote_process_run      (CcRemoteProcess *self,
                                              CcHttpExchange  *exchange,
                                              GTask           *start_task);

/* An EntryInfo message (or an upload answer element). */
CcEntryInfo     *_cc_entry_info_new_from_json (JsonObject     *object);
/* Each object of @array (nullable) as a CcEntryInfo; other elements are skipped. */
GPtrArray       *_cc_entry_infos_new_from_json (JsonArray     *array);

G_END_DECLS
