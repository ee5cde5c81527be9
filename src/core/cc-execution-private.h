/* cc-execution-private.h: CcExecution, driven by the client
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-execution.h"
#include "cc-output-capture.h"
#include "cc-remote-process.h"

G_BEGIN_DECLS

CcExecution     *_cc_execution_new              (const char       *project_id,
                                                 const char       *command,
                                                 gsize             max_output);
GCancellable    *_cc_execution_get_cancellable  (CcExecution      *self);
/* Whether cc_execution_cancel() was called: the cancellable fires only once the kill is sent. */
gboolean         _cc_execution_stop_asked       (CcExecution      *self);
CcRemoteProcess *_cc_execution_get_process      (CcExecution      *self);
CcOutputCapture *_cc_execution_get_capture      (CcExecution      *self,
                                                 gboolean          is_stderr);
void             _cc_execution_set_id           (CcExecution      *self,
                                                 const char       *id);
void             _cc_execution_set_project_id   (CcExecution      *self,
                                                 const char       *project_id);
void             _cc_execution_feed             (CcExecution      *self,
                                                 gboolean          is_stderr,
                                                 GBytes           *chunk);
void             _cc_execution_set_process      (CcExecution      *self,
                                                 CcRemoteProcess  *process,
                                                 gboolean          reattached);
void             _cc_execution_finish           (CcExecution      *self,
                                                 int               exit_code,
                                                 gint64            duration_ms,
                                                 gboolean          cached);
/* TRUE once input was sent (or is on its way): the output then depends on it. */
gboolean         _cc_execution_get_input_sent   (CcExecution      *self);
void             _cc_execution_set_cached_at    (CcExecution      *self,
                                                 gint64            cached_at);
void             _cc_execution_fail             (CcExecution      *self,
                                                 const GError     *error,
                                                 gint64            duration_ms);

G_END_DECLS
