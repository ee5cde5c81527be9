/* cc-client-cache-private.h: when a cached result may still be served (cc-client-cache.c)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by cc-records.c, cc-client-exec.c and cc-client-files.c.
 */
#pragma once

#include "cc-client.h"

G_BEGIN_DECLS

/* The project's files may have changed: its cached results are forgotten. */
void      _cc_client_cache_files_changed      (CcClient        *self,
                                               const char      *project_id);
/* Grows with every change the client knows of. */
guint64   _cc_client_cache_generation         (CcClient        *self,
                                               const char      *project_id);
/* A process of the client (command, shell) starts or ends in the project: both are changes,
 * and in between nothing is served from the cache. */
void      _cc_client_cache_run_started        (CcClient        *self,
                                               const char      *project_id);
void      _cc_client_cache_run_ended          (CcClient        *self,
                                               const char      *project_id);
gboolean  _cc_client_cache_may_serve          (CcClient        *self,
                                               const char      *project_id);
/* Whether an operation of @type may change the sandbox's files. */
gboolean  _cc_client_cache_type_changes_files (CcOperationType  type);

G_END_DECLS
