/* cc-client-exec-private.h: recorded executions, for the dev server
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-client.h"

G_BEGIN_DECLS

/* Execute with a record type (command or dev_server). */
CcExecution   *_cc_client_execute_full           (CcClient             *self,
                                                  const char           *project_id,
                                                  const char           *command,
                                                  CcExecuteFlags        flags,
                                                  CcOperationType       type);

G_END_DECLS
