/* cc-client-sandbox-private.h: the client's sandbox sessions, for exec, files, setup and dev server
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-client.h"
#include "cc-envd.h"
#include "cc-sandbox-session.h"

G_BEGIN_DECLS

/* The project's session, made on first use. (transfer none) */
CcSandboxSession *_cc_client_get_session         (CcClient             *self,
                                                  const char           *project_id);
/* (transfer none) (nullable): the session when the project has used its sandbox already. */
CcSandboxSession *_cc_client_lookup_session      (CcClient             *self,
                                                  const char           *project_id);

/* Ensures the project's sandbox runs (see cc_sandbox_session_ensure_async()). _finish returns
 * the daemon client (transfer full). */
void           _cc_client_ensure_sandbox_async   (CcClient             *self,
                                                  const char           *project_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CcEnvd        *_cc_client_ensure_sandbox_finish  (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* For a local project whose request failed with a network error: completes with TRUE when the
 * engine now runs at another URL than @envd used (so the request never reached it), after
 * resetting the session; FALSE otherwise. */
void           _cc_client_check_engine_moved_async  (CcClient          *self,
                                                     const char        *project_id,
                                                     CcEnvd            *envd,
                                                     GAsyncReadyCallback callback,
                                                     gpointer           user_data);
gboolean       _cc_client_check_engine_moved_finish (CcClient          *self,
                                                     GAsyncResult      *result);

/* TRUE for errors that mean the sandbox itself is gone (retry once after re-creating it). */
gboolean       _cc_client_error_is_gone          (const GError         *error);
/* The one retry every recorded operation gets: TRUE when @error says the sandbox is gone, the
 * operation is not cancelled and has not retried yet (*@retried); the session then forgets the
 * sandbox so the caller's next ensure runs it on a re-created one. */
gboolean       _cc_client_retry_on_new_sandbox   (CcClient             *self,
                                                  const char           *project_id,
                                                  const GError         *error,
                                                  GCancellable         *cancellable,
                                                  gboolean             *retried);

G_END_DECLS
