/* cc-project.h: a project's metadata, as kept by the store
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CcConnectionKind:
 * @CC_CONNECTION_LOCAL: the local engine (`code-canvas-engine`), no key needed
 * @CC_CONNECTION_E2B: E2B cloud (`https://api.e2b.app`), key from the keyring
 * @CC_CONNECTION_CUSTOM: any E2B-compatible endpoint, given by #CcProject:api-url and
 *   #CcProject:sandbox-url
 *
 * Where a project's sandbox runs.
 */
typedef enum
{
  CC_CONNECTION_LOCAL,
  CC_CONNECTION_E2B,
  CC_CONNECTION_CUSTOM,
} CcConnectionKind;

/**
 * CcProjectField:
 *
 * Which fields cc_store_update_project_async() changes. %CC_PROJECT_FIELD_CONNECTION covers
 * connection-kind, api-url and sandbox-url together. updated-at always moves on an update.
 */
typedef enum /*< flags >*/
{
  CC_PROJECT_FIELD_NONE           = 0,
  CC_PROJECT_FIELD_NAME           = 1 << 0,
  CC_PROJECT_FIELD_CONNECTION     = 1 << 1,
  CC_PROJECT_FIELD_TEMPLATE       = 1 << 2,
  CC_PROJECT_FIELD_PORT           = 1 << 3,
  CC_PROJECT_FIELD_SANDBOX_ID     = 1 << 4,
  CC_PROJECT_FIELD_LOCAL_FOLDER   = 1 << 5,
  CC_PROJECT_FIELD_SETUP_COMMAND  = 1 << 6,
  CC_PROJECT_FIELD_START_COMMAND  = 1 << 7,
  CC_PROJECT_FIELD_LAST_EXECUTION = 1 << 8,
  CC_PROJECT_FIELD_ALL            = (1 << 9) - 1,
} CcProjectField;

#define CC_TYPE_CONNECTION_KIND (cc_connection_kind_get_type ())
#define CC_TYPE_PROJECT_FIELD   (cc_project_field_get_type ())
GType        cc_connection_kind_get_type      (void) G_GNUC_CONST;
GType        cc_project_field_get_type        (void) G_GNUC_CONST;

/* Stable names, as stored in the database and printed by the CLI: "local", "e2b", "custom". */
const char  *cc_connection_kind_to_string     (CcConnectionKind   kind);
gboolean     cc_connection_kind_from_string   (const char        *str,
                                               CcConnectionKind  *kind);

#define CC_TYPE_PROJECT (cc_project_get_type ())
G_DECLARE_FINAL_TYPE (CcProject, cc_project, CC, PROJECT, GObject)

CcProject   *cc_project_new                   (const char        *name);
CcProject   *cc_project_copy                  (CcProject         *self);

const char  *cc_project_get_id                (CcProject         *self);
void         cc_project_set_id                (CcProject         *self,
                                               const char        *id);
const char  *cc_project_get_name              (CcProject         *self);
void         cc_project_set_name              (CcProject         *self,
                                               const char        *name);
CcConnectionKind cc_project_get_connection_kind (CcProject       *self);
void         cc_project_set_connection_kind   (CcProject         *self,
                                               CcConnectionKind   kind);
const char  *cc_project_get_api_url           (CcProject         *self);
void         cc_project_set_api_url           (CcProject         *self,
                                               const char        *api_url);
const char  *cc_project_get_sandbox_url       (CcProject         *self);
void         cc_project_set_sandbox_url       (CcProject         *self,
                                               const char        *sandbox_url);
const char  *cc_project_get_template          (CcProject         *self);
void         cc_project_set_template          (CcProject         *self,
                                               const char        *template_id);
guint        cc_project_get_port              (CcProject         *self);
void         cc_project_set_port              (CcProject         *self,
                                               guint              port);
const char  *cc_project_get_sandbox_id        (CcProject         *self);
void         cc_project_set_sandbox_id        (CcProject         *self,
                                               const char        *sandbox_id);
const char  *cc_project_get_local_folder      (CcProject         *self);
void         cc_project_set_local_folder      (CcProject         *self,
                                               const char        *local_folder);
const char  *cc_project_get_setup_command     (CcProject         *self);
void         cc_project_set_setup_command     (CcProject         *self,
                                               const char        *setup_command);
const char  *cc_project_get_start_command     (CcProject         *self);
void         cc_project_set_start_command     (CcProject         *self,
                                               const char        *start_command);
gint64       cc_project_get_created_at        (CcProject         *self);
void         cc_project_set_created_at        (CcProject         *self,
                                               gint64             created_at);
gint64       cc_project_get_updated_at        (CcProject         *self);
void         cc_project_set_updated_at        (CcProject         *self,
                                               gint64             updated_at);
gint64       cc_project_get_last_execution_at (CcProject         *self);
void         cc_project_set_last_execution_at (CcProject         *self,
                                               gint64             last_execution_at);

G_END_DECLS
