/* cc-operation.h: the record of one project operation (a command, a file write, …)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * CcOperationType:
 *
 * What an operation record describes. The database stores the names returned by
 * cc_operation_type_to_string() ("command", "file_write", …), never the numbers.
 */
typedef enum
{
  CC_OPERATION_TYPE_COMMAND,
  CC_OPERATION_TYPE_FILE_WRITE,
  CC_OPERATION_TYPE_FILE_READ,
  CC_OPERATION_TYPE_SETUP,
  CC_OPERATION_TYPE_DEV_SERVER,
  CC_OPERATION_TYPE_FILE_LIST,
  CC_OPERATION_TYPE_FILE_MOVE,
  CC_OPERATION_TYPE_FILE_REMOVE,
  CC_OPERATION_TYPE_MAKE_DIR,
  CC_OPERATION_TYPE_SANDBOX,        /* create, connect, kill, pause, timeout of the sandbox */
} CcOperationType;

#define CC_OPERATION_TYPE_LAST CC_OPERATION_TYPE_SANDBOX

/**
 * CcOperationStatus:
 * @CC_OPERATION_STATUS_PENDING: begun, not finished (or the app stopped while it ran)
 * @CC_OPERATION_STATUS_SUCCESS: finished; for a command, it ran (any exit code)
 * @CC_OPERATION_STATUS_ERROR: failed; #CcOperation:error says why
 */
typedef enum
{
  CC_OPERATION_STATUS_PENDING,
  CC_OPERATION_STATUS_SUCCESS,
  CC_OPERATION_STATUS_ERROR,
} CcOperationStatus;

#define CC_TYPE_OPERATION_TYPE   (cc_operation_type_get_type ())
#define CC_TYPE_OPERATION_STATUS (cc_operation_status_get_type ())
GType        cc_operation_type_get_type        (void) G_GNUC_CONST;
GType        cc_operation_status_get_type      (void) G_GNUC_CONST;

/* Stable names: "command", "file_write", …; "pending", "success", "error". */
const char  *cc_operation_type_to_string       (CcOperationType     type);
gboolean     cc_operation_type_from_string     (const char         *str,
                                                CcOperationType    *type);
const char  *cc_operation_status_to_string     (CcOperationStatus   status);
gboolean     cc_operation_status_from_string   (const char         *str,
                                                CcOperationStatus  *status);

#define CC_TYPE_OPERATION (cc_operation_get_type ())
G_DECLARE_FINAL_TYPE (CcOperation, cc_operation, CC, OPERATION, GObject)

CcOperation *cc_operation_new                  (const char         *project_id,
                                                CcOperationType     type,
                                                const char         *input);
CcOperation *cc_operation_copy                 (CcOperation        *self);

const char  *cc_operation_get_id               (CcOperation        *self);
void         cc_operation_set_id               (CcOperation        *self,
                                                const char         *id);
const char  *cc_operation_get_project_id       (CcOperation        *self);
void         cc_operation_set_project_id       (CcOperation        *self,
                                                const char         *project_id);
CcOperationType cc_operation_get_operation_type (CcOperation       *self);
void         cc_operation_set_operation_type   (CcOperation        *self,
                                                CcOperationType     type);
CcOperationStatus cc_operation_get_status      (CcOperation        *self);
void         cc_operation_set_status           (CcOperation        *self,
                                                CcOperationStatus   status);
const char  *cc_operation_get_input            (CcOperation        *self);
void         cc_operation_set_input            (CcOperation        *self,
                                                const char         *input);
const char  *cc_operation_get_stdout           (CcOperation        *self);
void         cc_operation_set_stdout           (CcOperation        *self,
                                                const char         *text);
const char  *cc_operation_get_stderr           (CcOperation        *self);
void         cc_operation_set_stderr           (CcOperation        *self,
                                                const char         *text);
gboolean     cc_operation_get_stdout_truncated (CcOperation        *self);
void         cc_operation_set_stdout_truncated (CcOperation        *self,
                                                gboolean            truncated);
gboolean     cc_operation_get_stderr_truncated (CcOperation        *self);
void         cc_operation_set_stderr_truncated (CcOperation        *self,
                                                gboolean            truncated);
const char  *cc_operation_get_error            (CcOperation        *self);
void         cc_operation_set_error            (CcOperation        *self,
                                                const char         *message);
int          cc_operation_get_exit_code        (CcOperation        *self);
void         cc_operation_set_exit_code        (CcOperation        *self,
                                                int                 exit_code);
gint64       cc_operation_get_duration_ms      (CcOperation        *self);
void         cc_operation_set_duration_ms      (CcOperation        *self,
                                                gint64              duration_ms);
gboolean     cc_operation_get_cached           (CcOperation        *self);
void         cc_operation_set_cached           (CcOperation        *self,
                                                gboolean            cached);
/* When a cached result's original run was recorded (unix µs), 0 when unknown or not cached. */
gint64       cc_operation_get_cached_at        (CcOperation        *self);
void         cc_operation_set_cached_at        (CcOperation        *self,
                                                gint64              cached_at);
gint64       cc_operation_get_created_at       (CcOperation        *self);
void         cc_operation_set_created_at       (CcOperation        *self,
                                                gint64              created_at);
gint64       cc_operation_get_updated_at       (CcOperation        *self);
void         cc_operation_set_updated_at       (CcOperation        *self,
                                                gint64              updated_at);
gint64       cc_operation_get_expires_at       (CcOperation        *self);
void         cc_operation_set_expires_at       (CcOperation        *self,
                                                gint64              expires_at);

/* "5 min ago": how long before @now_us @then_us was (both unix µs). */
char        *cc_operation_format_age           (gint64              then_us,
                                                gint64              now_us);

G_END_DECLS
