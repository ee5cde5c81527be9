/* cc-engine-spawner.h: the thread sandboxes' helpers are started from
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CC_TYPE_ENGINE_SPAWNER (cc_engine_spawner_get_type ())
G_DECLARE_FINAL_TYPE (CcEngineSpawner, cc_engine_spawner, CC, ENGINE_SPAWNER, GObject)

/* Runs in the spawner's thread: starts one process, returns its pid in @pid, or FALSE with
 * @error set. Only what @data holds may be used there. */
typedef gboolean (*CcEngineSpawnFunc) (gpointer   data,
                                       GPid      *pid,
                                       GError   **error);

CcEngineSpawner *cc_engine_spawner_new          (void);
/* Calls @func with @data in the spawner's thread, then @callback on the caller's main context.
 * @data is freed with @data_free in the spawner's thread once @func has returned. */
void             cc_engine_spawner_spawn_async  (CcEngineSpawner      *self,
                                                 CcEngineSpawnFunc     func,
                                                 gpointer              data,
                                                 GDestroyNotify        data_free,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* The started process's pid, or 0 with @error set. */
GPid             cc_engine_spawner_spawn_finish (CcEngineSpawner      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
