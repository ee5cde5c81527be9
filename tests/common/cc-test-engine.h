/* cc-test-engine.h: a private code-canvas-engine for one test
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real engine binary ($CODE_CANVAS_ENGINE) as a child process with its own temporary
 * HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR, on 127.0.0.1 with a free port, and waits (by
 * watching for its engine.json, no sleeps) until it answers. Freeing it ends the engine with
 * SIGTERM (and fails the test when it does not exit cleanly: a sanitizer report, a crash) and
 * removes the directories.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CcTestEngine CcTestEngine;

/* Starts an engine; aborts the test if it does not come up. */
CcTestEngine *cc_test_engine_new             (void);
/* Same, with extra environment entries ("NAME=value", NULL-terminated) for the engine, e.g.
 * "CODE_CANVAS_ENGINE_NO_BWRAP=1" to force unisolated processes. */
CcTestEngine *cc_test_engine_new_with_env    (const char * const *extra_env);
void          cc_test_engine_free            (CcTestEngine       *self);

/* Stops the engine (SIGTERM, waits for it to exit); its directories stay. */
void          cc_test_engine_stop            (CcTestEngine       *self);
/* Starts it again on the same directories (a new port and API key), waits until it answers. */
void          cc_test_engine_restart         (CcTestEngine       *self);
gboolean      cc_test_engine_is_running      (CcTestEngine       *self);

/* "http://127.0.0.1:<port>" — the control plane and the daemon (with E2b-Sandbox-Id). */
const char   *cc_test_engine_get_url         (CcTestEngine       *self);
guint         cc_test_engine_get_port        (CcTestEngine       *self);
/* "localhost:<port>" */
const char   *cc_test_engine_get_domain      (CcTestEngine       *self);
const char   *cc_test_engine_get_api_key     (CcTestEngine       *self);
/* "bubblewrap" or "none" */
const char   *cc_test_engine_get_isolation   (CcTestEngine       *self);
GPid          cc_test_engine_get_pid         (CcTestEngine       *self);
/* The engine's HOME, XDG_DATA_HOME and XDG_RUNTIME_DIR. */
const char   *cc_test_engine_get_home_dir    (CcTestEngine       *self);
const char   *cc_test_engine_get_data_home   (CcTestEngine       *self);
const char   *cc_test_engine_get_runtime_dir (CcTestEngine       *self);
/* $XDG_DATA_HOME/code-canvas/engine, where sandboxes/<id>/ and state/<id>.json live. */
const char   *cc_test_engine_get_data_dir    (CcTestEngine       *self);
/* $XDG_RUNTIME_DIR/code-canvas/engine.json */
const char   *cc_test_engine_get_json_path   (CcTestEngine       *self);
/* (transfer full) The current environment with HOME and the XDG dirs pointing at this engine's,
 * for starting clients (the CLI) that must discover it. */
GStrv         cc_test_engine_dup_environ     (CcTestEngine       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcTestEngine, cc_test_engine_free)

G_END_DECLS
