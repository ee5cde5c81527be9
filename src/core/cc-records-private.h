/* cc-records-private.h: the history rows of the client's operations
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every operation is recorded: begin (pending), then complete (success or error). A failing
 * store never hides the operation's own result: store errors are logged.
 */
#pragma once

#include "cc-client.h"

G_BEGIN_DECLS

void           _cc_record_begin_async            (CcClient             *self,
                                                  const char           *project_id,
                                                  CcOperationType       type,
                                                  const char           *input,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcOperation   *_cc_record_begin_finish           (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
/* Marks @operation done: success when @error is NULL; stores it in the background (the
 * client's flush waits for that). @started_us: monotonic start, or 0 to keep the duration. */
void           _cc_record_complete               (CcClient             *self,
                                                  CcOperation          *operation,
                                                  const GError         *error,
                                                  gint64                started_us);
/* What a record says of a command that ended with @exit_code, @signal_number (0: none)
 * having killed it: "killed by SIGKILL" or "exited with status 3". */
GError        *_cc_record_exit_error             (int                   exit_code,
                                                  int                   signal_number);

G_END_DECLS
