/* cc-engine-spare.h: a sandbox made ahead of the next create
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-engine-isolation.h"
#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

typedef struct _CcEngineSpare CcEngineSpare;

/* Keeps one spare sandbox (its directories, launcher, namespaces and network) ready for the next
 * create, making the first one from the main loop's idle time. */
CcEngineSpare   *cc_engine_spare_new   (const char        *data_dir,
                                        const char        *runtime_dir,
                                        CcEngineIsolation  isolation);
/* Ends the spare's launcher and removes its (empty) directories. */
void             cc_engine_spare_free  (CcEngineSpare     *self);
/* The spare, made as a create with no workspace and the default network makes a sandbox, to be
 * given the rest of such a create with cc_engine_sandbox_adopt(); NULL when there is none
 * (@self may be NULL). The next one is made shortly after, when the main loop is idle. */
CcEngineSandbox *cc_engine_spare_take  (CcEngineSpare     *self);
/* Removes the empty directories of sandboxes not in @known (ids): spares of an engine that
 * did not stop cleanly. */
void             cc_engine_spare_sweep (const char        *data_dir,
                                        GHashTable        *known);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineSpare, cc_engine_spare_free)

G_END_DECLS
