/* cc-engine.h: the local E2B-compatible sandbox server
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

#define CC_TYPE_ENGINE (cc_engine_get_type ())

G_DECLARE_FINAL_TYPE (CcEngine, cc_engine, CC, ENGINE, GObject)

/* @data_dir: where sandboxes and their state live ($XDG_DATA_HOME/code-canvas/engine);
 * @runtime_dir: where engine.json and its lock go ($XDG_RUNTIME_DIR/code-canvas). */
CcEngine        *cc_engine_new                 (const char  *data_dir,
                                                const char  *runtime_dir);
/* Takes the per-user lock, loads saved sandboxes, listens on 127.0.0.1:@port (0 = any free
 * port) and writes engine.json. Fails with G_IO_ERROR_EXISTS when another engine runs. */
gboolean         cc_engine_start               (CcEngine    *self,
                                                guint        port,
                                                GError     **error);
/* Stops every process, removes engine.json and releases the lock. */
void             cc_engine_stop                (CcEngine    *self);

guint            cc_engine_get_port            (CcEngine    *self);
/* "http://127.0.0.1:<port>" */
const char      *cc_engine_get_url             (CcEngine    *self);
/* "localhost:<port>": the domain handed to clients, so <port>-<id>.<domain> comes back here. */
const char      *cc_engine_get_domain          (CcEngine    *self);
const char      *cc_engine_get_api_key         (CcEngine    *self);
/* "bubblewrap" or "none"; the reason is NULL when isolated. */
const char      *cc_engine_get_isolation       (CcEngine    *self);
const char      *cc_engine_get_isolation_reason (CcEngine   *self);
/* What isolation is and is not in place: a list of {"name", "ok", "detail"}. */
JsonArray       *cc_engine_get_isolation_facts  (CcEngine   *self);
const char      *cc_engine_get_data_dir        (CcEngine    *self);

/* Whether a request is in flight or a sandbox runs; @last_activity (optional) is the monotonic
 * time a request last began or ended. The idle exit (main.c) is built on it. */
gboolean         cc_engine_is_busy             (CcEngine    *self,
                                                gint64      *last_activity);

/* (transfer none) A sandbox by id (running or paused), or NULL. */
CcEngineSandbox *cc_engine_lookup_sandbox      (CcEngine    *self,
                                                const char  *sandbox_id);

G_END_DECLS
