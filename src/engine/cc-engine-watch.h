/* cc-engine-watch.h: watching a sandbox directory for WatchDir and the watcher calls
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cc-engine-sandbox.h"

G_BEGIN_DECLS

/* EventType names of the filesystem service. */
#define CC_ENGINE_EVENT_CREATE "EVENT_TYPE_CREATE"
#define CC_ENGINE_EVENT_WRITE  "EVENT_TYPE_WRITE"
#define CC_ENGINE_EVENT_REMOVE "EVENT_TYPE_REMOVE"
#define CC_ENGINE_EVENT_RENAME "EVENT_TYPE_RENAME"
#define CC_ENGINE_EVENT_CHMOD  "EVENT_TYPE_CHMOD"

typedef struct _CcEngineWatch CcEngineWatch;

/**
 * CcEngineWatchFunc:
 * @name: the changed entry relative to the watched directory ("a.txt", "sub/b.txt")
 * @event_type: one of the CC_ENGINE_EVENT_* names
 * @host_path: the changed entry on this machine
 *
 * Called on the thread-default main context of _cc_engine_watch_new(), in the order the
 * changes were seen. When the watched directory itself is removed or moved away, it is called
 * once more with @name "" and @event_type NULL; nothing is reported after that.
 */
typedef void (*CcEngineWatchFunc) (CcEngineWatch *watch,
                                   const char    *name,
                                   const char    *event_type,
                                   const char    *host_path,
                                   gpointer       user_data);

/* Watches the directory @dir_fd (any descriptor of it, O_PATH included; duplicated) of
 * @sandbox, whose path is @host_dir, and with @recursive every directory below it, including
 * ones created later, until freed. Directories are opened with symlinks refused, never by a
 * path from the host's root. Fails when @dir_fd is not a directory. */
CcEngineWatch *_cc_engine_watch_new  (CcEngineSandbox    *sandbox,
                                      int                 dir_fd,
                                      const char         *host_dir,
                                      gboolean            recursive,
                                      CcEngineWatchFunc   func,
                                      gpointer            user_data,
                                      GError            **error);
void           _cc_engine_watch_free (CcEngineWatch      *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineWatch, _cc_engine_watch_free)

G_END_DECLS
