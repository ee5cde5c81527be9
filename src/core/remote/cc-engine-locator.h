/* cc-engine-locator.h: find the local engine, starting it when none runs
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine announces itself in `$XDG_RUNTIME_DIR/code-canvas/engine.json` (mode 0600: url,
 * pid, api_key, …). The locator reads it and checks that the engine answers; when none does it
 * starts `code-canvas-engine` detached (it outlives the client) and waits for its runtime file.
 * The engine holds a lock, so when two clients race only one engine survives and both end up
 * with the same engine.json.
 */
#pragma once

#include <gio/gio.h>

#include "cc-connection.h"

G_BEGIN_DECLS

/**
 * CcEngineInfo:
 *
 * The running engine. @api_key is a secret: never log it. Free with cc_engine_info_free().
 */
typedef struct
{
  char    *url;        /* "http://127.0.0.1:<port>" */
  GPid     pid;        /* in the engine's PID namespace: shown, never used to find it */
  char    *api_key;
  char    *domain;     /* the engine's sandbox domain, or NULL */
  char    *version;    /* or NULL */
  gboolean started;    /* TRUE when this locator started it */
  char    *isolation;  /* how sandbox processes are isolated ("bubblewrap", "none"), or NULL */
} CcEngineInfo;

CcEngineInfo *cc_engine_info_copy (const CcEngineInfo *info);
void          cc_engine_info_free (CcEngineInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineInfo, cc_engine_info_free)

/* A #CcConnection of kind LOCAL for this engine (key set). */
CcConnection *cc_engine_info_create_connection (const CcEngineInfo *info);

#define CC_TYPE_ENGINE_LOCATOR (cc_engine_locator_get_type ())
G_DECLARE_FINAL_TYPE (CcEngineLocator, cc_engine_locator, CC, ENGINE_LOCATOR, GObject)

CcEngineLocator *cc_engine_locator_new               (void);

/* Where engine.json lives; default `$XDG_RUNTIME_DIR/code-canvas`. */
void             cc_engine_locator_set_runtime_dir   (CcEngineLocator     *self,
                                                      const char          *path);
const char      *cc_engine_locator_get_runtime_dir   (CcEngineLocator     *self);
/* The engine binary; default: $CODE_CANVAS_ENGINE, else BINDIR/code-canvas-engine, else PATH. */
void             cc_engine_locator_set_engine_path   (CcEngineLocator     *self,
                                                      const char          *path);
/* FALSE: never start an engine, fail with ENGINE_UNREACHABLE instead. Default TRUE. */
void             cc_engine_locator_set_autostart     (CcEngineLocator     *self,
                                                      gboolean             autostart);
/* An engine this locator starts exits after @seconds with no running sandbox and no request
 * (0 = never). Default: $CODE_CANVAS_ENGINE_IDLE_TIMEOUT if set, else 600. */
void             cc_engine_locator_set_idle_timeout  (CcEngineLocator     *self,
                                                      guint                seconds);
/* How long to wait for a started engine to announce itself, ms. Default 15000. */
void             cc_engine_locator_set_start_timeout (CcEngineLocator     *self,
                                                      guint                timeout_ms);

/* The path of engine.json (a new string). */
char            *cc_engine_locator_dup_runtime_file  (CcEngineLocator     *self);

/* Finds (or starts) the engine. Failures are CC_SANDBOX_ERROR_ENGINE_UNREACHABLE with a message
 * saying what to do. */
void             cc_engine_locator_locate_async      (CcEngineLocator     *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
CcEngineInfo    *cc_engine_locator_locate_finish     (CcEngineLocator     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
