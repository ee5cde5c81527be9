/* cc-engine-snapshot.h: filesystem snapshots of a sandbox, and forks
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-server.h"

G_BEGIN_DECLS

/* POST /sandboxes/{id}/snapshots: copies the sandbox's home into a new snapshot. */
void     _cc_engine_snapshot_create  (CcEngine          *engine,
                                      SoupServerMessage *msg,
                                      CcEngineSandbox   *sandbox);
/* GET /snapshots?sandboxID=&name=&limit= */
void     _cc_engine_snapshot_list    (CcEngine          *engine,
                                      SoupServerMessage *msg,
                                      GHashTable        *query);
/* DELETE /templates/{id}: a snapshot is deleted by its id, as E2B's templates are. */
void     _cc_engine_snapshot_delete  (CcEngine          *engine,
                                      SoupServerMessage *msg,
                                      const char        *snapshot_id);
/* POST /sandboxes/{id}/fork: new sandboxes with copies of the sandbox's home. */
void     _cc_engine_snapshot_fork    (CcEngine          *engine,
                                      SoupServerMessage *msg,
                                      CcEngineSandbox   *sandbox);
/* When @sandbox's template names a snapshot, copies the snapshot into its home, then starts it
 * and answers the create request; returns FALSE (doing nothing) for any other template. */
gboolean _cc_engine_snapshot_restore (CcEngine          *engine,
                                      SoupServerMessage *msg,
                                      CcEngineSandbox   *sandbox,
                                      gint64             timeout_s);

G_END_DECLS
