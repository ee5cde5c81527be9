/* cc-application.h
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cc-client.h"

G_BEGIN_DECLS

#define CC_TYPE_APPLICATION (cc_application_get_type ())

G_DECLARE_FINAL_TYPE (CcApplication, cc_application, CC, APPLICATION, AdwApplication)

CcApplication *cc_application_new            (void);
GSettings     *cc_application_get_settings   (CcApplication *self);
/* (nullable): NULL until the store is open; "notify::client" tells when it is. */
CcClient      *cc_application_get_client     (CcApplication *self);
/* (nullable): why the client could not be made. */
const GError  *cc_application_get_error      (CcApplication *self);
void           cc_application_stop_dev_servers_async  (CcApplication       *self,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean       cc_application_stop_dev_servers_finish (CcApplication       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
void           cc_application_notify_done    (CcApplication *self,
                                              const char    *id,
                                              const char    *project_id,
                                              gint64         duration_ms,
                                              const char    *title,
                                              const char    *body);

G_END_DECLS
