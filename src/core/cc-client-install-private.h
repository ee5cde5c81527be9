/* cc-client-install-private.h: putting a project's files and setup into one sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-client.h"
#include "cc-envd.h"
#include "cc-output-capture.h"

G_BEGIN_DECLS

/* The setup command for @project given @files. */
const char    *_cc_client_setup_command_for      (CcProject            *project,
                                                  GPtrArray            *files);
/* Uploads @files (unless !@upload: a mounted workspace has them; then they only name the
 * files for guessing the command) and runs the install step in @envd (no record; used by
 * setup and re-create). */
void           _cc_client_install_async          (CcClient             *self,
                                                  CcEnvd               *envd,
                                                  CcProject            *project,
                                                  GPtrArray            *files,
                                                  gboolean              upload,
                                                  CcSetupProgressFunc   progress,
                                                  gpointer              progress_data,
                                                  CcOutputCapture      *output,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       _cc_client_install_finish         (CcClient             *self,
                                                  GAsyncResult         *result,
                                                  int                  *exit_code,
                                                  GError              **error);

G_END_DECLS
