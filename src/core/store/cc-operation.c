/* cc-operation.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-field-table-private.h"
#include "cc-operation.h"

/**
 * CcOperation:
 *
 * The record of one operation on a project: a value object. The store creates it PENDING with
 * cc_store_begin_operation_async(); the caller sets status, outputs, error, exit code and
 * duration and hands it to cc_store_finish_operation_async(). A result served from the command
 * cache is also a #CcOperation, with #CcOperation:cached set and the id of the record it came
 * from. String properties are never %NULL (unset is ""). Times are unix microseconds.
 *
 * #CcOperation:stdout and #CcOperation:stderr are the stored, bounded text (see
 * #CcOutputCapture); the truncated flags say that the middle of a stream was left out.
 */
struct _CcOperation
{
  GObject            parent_instance;

  char              *id;
  char              *project_id;
  CcOperationType    type;
  CcOperationStatus  status;
  char              *input;
  char              *stdout_text;
  char              *stderr_text;
  char              *error;
  int                exit_code;
  gint64             duration_ms;
  gint64             created_at;
  gint64             updated_at;
  gint64             expires_at;
  gint64             cached_at;
  guint              stdout_truncated : 1;
  guint              stderr_truncated : 1;
  guint              cached : 1;
};

G_DEFINE_FINAL_TYPE (CcOperation, cc_operation, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CcOperationType, cc_operation_type,
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_COMMAND, "command"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_FILE_WRITE, "file-write"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_FILE_READ, "file-read"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_SETUP, "setup"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_DEV_SERVER, "dev-server"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_FILE_LIST, "file-list"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_FILE_MOVE, "file-move"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_FILE_REMOVE, "file-remove"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_MAKE_DIR, "make-dir"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_TYPE_SANDBOX, "sandbox"))

G_DEFINE_ENUM_TYPE (CcOperationStatus, cc_operation_status,
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_STATUS_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_STATUS_SUCCESS, "success"),
                    G_DEFINE_ENUM_VALUE (CC_OPERATION_STATUS_ERROR, "error"))

/* The names the database keeps; indexes are CcOperationType values. */
static const char * const type_names[] = {
  "command", "file_write", "file_read", "setup", "dev_server",
  "file_list", "file_move", "file_remove", "make_dir", "sandbox",
};
G_STATIC_ASSERT (G_N_ELEMENTS (type_names) == CC_OPERATION_TYPE_LAST + 1);

static const char * const status_names[] = { "pending", "success", "error" };

enum {
  PROP_0,
  PROP_ID,
  PROP_PROJECT_ID,
  PROP_TYPE,
  PROP_STATUS,
  PROP_INPUT,
  PROP_STDOUT,
  PROP_STDERR,
  PROP_STDOUT_TRUNCATED,
  PROP_STDERR_TRUNCATED,
  PROP_ERROR,
  PROP_EXIT_CODE,
  PROP_DURATION_MS,
  PROP_CACHED,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_EXPIRES_AT,
  PROP_CACHED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Where the string and the 64-bit integer properties live (0 for the other properties), so
 * that get/set_property, copy, init and finalize treat all of a kind alike. */
static const gsize string_offsets[N_PROPS] = {
  [PROP_ID] = G_STRUCT_OFFSET (CcOperation, id),
  [PROP_PROJECT_ID] = G_STRUCT_OFFSET (CcOperation, project_id),
  [PROP_INPUT] = G_STRUCT_OFFSET (CcOperation, input),
  [PROP_STDOUT] = G_STRUCT_OFFSET (CcOperation, stdout_text),
  [PROP_STDERR] = G_STRUCT_OFFSET (CcOperation, stderr_text),
  [PROP_ERROR] = G_STRUCT_OFFSET (CcOperation, error),
};
static const gsize int64_offsets[N_PROPS] = {
  [PROP_DURATION_MS] = G_STRUCT_OFFSET (CcOperation, duration_ms),
  [PROP_CREATED_AT] = G_STRUCT_OFFSET (CcOperation, created_at),
  [PROP_UPDATED_AT] = G_STRUCT_OFFSET (CcOperation, updated_at),
  [PROP_EXPIRES_AT] = G_STRUCT_OFFSET (CcOperation, expires_at),
  [PROP_CACHED_AT] = G_STRUCT_OFFSET (CcOperation, cached_at),
};
static const CcFieldTable fields = { string_offsets, int64_offsets, N_PROPS, properties };

/**
 * cc_operation_type_to_string:
 * @type: a #CcOperationType
 *
 * Returns: the type's stable name, as stored: "command", "file_write", "file_read", "setup",
 *   "dev_server", "file_list", "file_move", "file_remove", "make_dir" or "sandbox"
 */
const char *
cc_operation_type_to_string (CcOperationType type)
{
  g_return_val_if_fail ((guint) type <= CC_OPERATION_TYPE_LAST, "command");
  return type_names[type];
}

/**
 * cc_operation_type_from_string:
 * @str: (nullable): a name from cc_operation_type_to_string()
 * @type: (out) (optional): where to store the type
 *
 * Returns: %TRUE when @str names a type
 */
gboolean
cc_operation_type_from_string (const char      *str,
                               CcOperationType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    {
      if (g_strcmp0 (str, type_names[i]) == 0)
        {
          if (type != NULL)
            *type = (CcOperationType) i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * cc_operation_status_to_string:
 * @status: a #CcOperationStatus
 *
 * Returns: "pending", "success" or "error"
 */
const char *
cc_operation_status_to_string (CcOperationStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (status_names), "error");
  return status_names[status];
}

/**
 * cc_operation_status_from_string:
 * @str: (nullable): a name from cc_operation_status_to_string()
 * @status: (out) (optional): where to store the status
 *
 * Returns: %TRUE when @str names a status
 */
gboolean
cc_operation_status_from_string (const char        *str,
                                 CcOperationStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    {
      if (g_strcmp0 (str, status_names[i]) == 0)
        {
          if (status != NULL)
            *status = (CcOperationStatus) i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
cc_operation_finalize (GObject *object)
{
  CcOperation *self = (CcOperation *)object;

  _cc_field_table_finalize (&fields, self);

  G_OBJECT_CLASS (cc_operation_parent_class)->finalize (object);
}

static void
cc_operation_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CcOperation *self = CC_OPERATION (object);

  switch (prop_id)
    {
    case PROP_TYPE:
      g_value_set_enum (value, self->type);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_STDOUT_TRUNCATED:
      g_value_set_boolean (value, self->stdout_truncated);
      break;
    case PROP_STDERR_TRUNCATED:
      g_value_set_boolean (value, self->stderr_truncated);
      break;
    case PROP_EXIT_CODE:
      g_value_set_int (value, self->exit_code);
      break;
    case PROP_CACHED:
      g_value_set_boolean (value, self->cached);
      break;
    default:
      if (!_cc_field_table_get (&fields, self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cc_operation_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CcOperation *self = CC_OPERATION (object);

  switch (prop_id)
    {
    case PROP_TYPE:
      cc_operation_set_operation_type (self, g_value_get_enum (value));
      break;
    case PROP_STATUS:
      cc_operation_set_status (self, g_value_get_enum (value));
      break;
    case PROP_STDOUT_TRUNCATED:
      cc_operation_set_stdout_truncated (self, g_value_get_boolean (value));
      break;
    case PROP_STDERR_TRUNCATED:
      cc_operation_set_stderr_truncated (self, g_value_get_boolean (value));
      break;
    case PROP_EXIT_CODE:
      cc_operation_set_exit_code (self, g_value_get_int (value));
      break;
    case PROP_CACHED:
      cc_operation_set_cached (self, g_value_get_boolean (value));
      break;
    default:
      if (!_cc_field_table_set (&fields, self, prop_id, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
cc_operation_class_init (CcOperationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cc_operation_finalize;
  object_class->get_property = cc_operation_get_property;
  object_class->set_property = cc_operation_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, "", PARAM_FLAGS);
  properties[PROP_PROJECT_ID] = g_param_spec_string ("project-id", NULL, NULL, "", PARAM_FLAGS);
  properties[PROP_TYPE] =
    g_param_spec_enum ("type", NULL, NULL, CC_TYPE_OPERATION_TYPE, CC_OPERATION_TYPE_COMMAND,
                       PARAM_FLAGS);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CC_TYPE_OPERATION_STATUS,
                       CC_OPERATION_STATUS_PENDING, PARAM_FLAGS);
  /**
   * CcOperation:input:
   *
   * What was asked: the command line, a path, or a short JSON description.
   */
  properties[PROP_INPUT] = g_param_spec_string ("input", NULL, NULL, "", PARAM_FLAGS);
  properties[PROP_STDOUT] = g_param_spec_string ("stdout", NULL, NULL, "", PARAM_FLAGS);
  properties[PROP_STDERR] = g_param_spec_string ("stderr", NULL, NULL, "", PARAM_FLAGS);
  properties[PROP_STDOUT_TRUNCATED] =
    g_param_spec_boolean ("stdout-truncated", NULL, NULL, FALSE, PARAM_FLAGS);
  properties[PROP_STDERR_TRUNCATED] =
    g_param_spec_boolean ("stderr-truncated", NULL, NULL, FALSE, PARAM_FLAGS);
  /**
   * CcOperation:error:
   *
   * Why the operation failed, as a message for a person; "" when it did not.
   */
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, "", PARAM_FLAGS);
  /**
   * CcOperation:exit-code:
   *
   * The command's exit status, or -1 when there is none.
   */
  properties[PROP_EXIT_CODE] =
    g_param_spec_int ("exit-code", NULL, NULL, -1, G_MAXINT, -1, PARAM_FLAGS);
  properties[PROP_DURATION_MS] =
    g_param_spec_int64 ("duration-ms", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);
  properties[PROP_CACHED] = g_param_spec_boolean ("cached", NULL, NULL, FALSE, PARAM_FLAGS);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);
  properties[PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);
  /**
   * CcOperation:expires-at:
   *
   * When the store forgets the record (or, for a cached result, when the cache entry expires).
   */
  properties[PROP_EXPIRES_AT] =
    g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);
  /**
   * CcOperation:cached-at:
   *
   * For a result served from the command cache: when the run it repeats was recorded (unix
   * microseconds), so its age can be shown; 0 when not cached or not known.
   */
  properties[PROP_CACHED_AT] =
    g_param_spec_int64 ("cached-at", NULL, NULL, 0, G_MAXINT64, 0, PARAM_FLAGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cc_operation_init (CcOperation *self)
{
  _cc_field_table_init (&fields, self);
  self->exit_code = -1;
}

/**
 * cc_operation_new:
 * @project_id: (nullable): the project
 * @type: what kind of operation
 * @input: (nullable): the command, path or description
 *
 * Returns: (transfer full): a PENDING operation that is not stored; the store makes its own
 *   with cc_store_begin_operation_async().
 */
CcOperation *
cc_operation_new (const char      *project_id,
                  CcOperationType  type,
                  const char      *input)
{
  return g_object_new (CC_TYPE_OPERATION,
                       "project-id", project_id,
                       "type", type,
                       "input", input,
                       NULL);
}

/**
 * cc_operation_copy:
 * @self: a #CcOperation
 *
 * Returns: (transfer full): a new operation with every property of @self.
 */
CcOperation *
cc_operation_copy (CcOperation *self)
{
  CcOperation *copy;

  g_return_val_if_fail (CC_IS_OPERATION (self), NULL);

  copy = g_object_new (CC_TYPE_OPERATION, NULL);
  _cc_field_table_copy (&fields, copy, self);
  copy->type = self->type;
  copy->status = self->status;
  copy->stdout_truncated = self->stdout_truncated;
  copy->stderr_truncated = self->stderr_truncated;
  copy->cached = self->cached;
  copy->exit_code = self->exit_code;

  return copy;
}

#define STRING_ACCESSORS(field, prop, getter, setter)                      \
  const char *                                                             \
  getter (CcOperation *self)                                               \
  {                                                                        \
    g_return_val_if_fail (CC_IS_OPERATION (self), NULL);                   \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  setter (CcOperation *self,                                               \
          const char  *value)                                              \
  {                                                                        \
    g_return_if_fail (CC_IS_OPERATION (self));                             \
    _cc_field_table_set_string (&fields, self, prop, value);               \
  }

#define INT64_ACCESSORS(field, prop, getter, setter)                       \
  gint64                                                                   \
  getter (CcOperation *self)                                               \
  {                                                                        \
    g_return_val_if_fail (CC_IS_OPERATION (self), 0);                      \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  setter (CcOperation *self,                                               \
          gint64       value)                                              \
  {                                                                        \
    g_return_if_fail (CC_IS_OPERATION (self));                             \
    _cc_field_table_set_int64 (&fields, self, prop, value);                \
  }

#define BOOL_ACCESSORS(field, prop, getter, setter)                        \
  gboolean                                                                 \
  getter (CcOperation *self)                                               \
  {                                                                        \
    g_return_val_if_fail (CC_IS_OPERATION (self), FALSE);                  \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  setter (CcOperation *self,                                               \
          gboolean     value)                                              \
  {                                                                        \
    g_return_if_fail (CC_IS_OPERATION (self));                             \
    value = !!value;                                                       \
    if (self->field == (guint) value)                                      \
      return;                                                              \
    self->field = value;                                                   \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);          \
  }

STRING_ACCESSORS (id, PROP_ID, cc_operation_get_id, cc_operation_set_id)
STRING_ACCESSORS (project_id, PROP_PROJECT_ID, cc_operation_get_project_id,
                  cc_operation_set_project_id)
STRING_ACCESSORS (input, PROP_INPUT, cc_operation_get_input, cc_operation_set_input)
STRING_ACCESSORS (stdout_text, PROP_STDOUT, cc_operation_get_stdout, cc_operation_set_stdout)
STRING_ACCESSORS (stderr_text, PROP_STDERR, cc_operation_get_stderr, cc_operation_set_stderr)
STRING_ACCESSORS (error, PROP_ERROR, cc_operation_get_error, cc_operation_set_error)
INT64_ACCESSORS (duration_ms, PROP_DURATION_MS, cc_operation_get_duration_ms,
                 cc_operation_set_duration_ms)
INT64_ACCESSORS (created_at, PROP_CREATED_AT, cc_operation_get_created_at,
                 cc_operation_set_created_at)
INT64_ACCESSORS (updated_at, PROP_UPDATED_AT, cc_operation_get_updated_at,
                 cc_operation_set_updated_at)
INT64_ACCESSORS (expires_at, PROP_EXPIRES_AT, cc_operation_get_expires_at,
                 cc_operation_set_expires_at)
INT64_ACCESSORS (cached_at, PROP_CACHED_AT, cc_operation_get_cached_at,
                 cc_operation_set_cached_at)
BOOL_ACCESSORS (stdout_truncated, PROP_STDOUT_TRUNCATED, cc_operation_get_stdout_truncated,
                cc_operation_set_stdout_truncated)
BOOL_ACCESSORS (stderr_truncated, PROP_STDERR_TRUNCATED, cc_operation_get_stderr_truncated,
                cc_operation_set_stderr_truncated)
BOOL_ACCESSORS (cached, PROP_CACHED, cc_operation_get_cached, cc_operation_set_cached)

CcOperationType
cc_operation_get_operation_type (CcOperation *self)
{
  g_return_val_if_fail (CC_IS_OPERATION (self), CC_OPERATION_TYPE_COMMAND);
  return self->type;
}

void
cc_operation_set_operation_type (CcOperation     *self,
                                 CcOperationType  type)
{
  g_return_if_fail (CC_IS_OPERATION (self));
  g_return_if_fail ((guint) type <= CC_OPERATION_TYPE_LAST);

  if (self->type == type)
    return;
  self->type = type;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPE]);
}

CcOperationStatus
cc_operation_get_status (CcOperation *self)
{
  g_return_val_if_fail (CC_IS_OPERATION (self), CC_OPERATION_STATUS_PENDING);
  return self->status;
}

void
cc_operation_set_status (CcOperation       *self,
                         CcOperationStatus  status)
{
  g_return_if_fail (CC_IS_OPERATION (self));
  g_return_if_fail ((guint) status < G_N_ELEMENTS (status_names));

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

int
cc_operation_get_exit_code (CcOperation *self)
{
  g_return_val_if_fail (CC_IS_OPERATION (self), -1);
  return self->exit_code;
}

void
cc_operation_set_exit_code (CcOperation *self,
                            int          exit_code)
{
  g_return_if_fail (CC_IS_OPERATION (self));

  if (exit_code < -1)
    exit_code = -1;
  if (self->exit_code == exit_code)
    return;
  self->exit_code = exit_code;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_CODE]);
}

/**
 * cc_operation_format_age:
 * @then_us: a time in unix microseconds (for example #CcOperation:cached-at)
 * @now_us: now, on the same clock
 *
 * Returns: (transfer full): how long ago @then_us was, for a person: "just now", "5 min ago",
 *   "2 hours ago", "3 days ago"
 */
char *
cc_operation_format_age (gint64 then_us,
                         gint64 now_us)
{
  gint64 seconds = MAX (now_us - then_us, 0) / G_USEC_PER_SEC;
  int n;

  if (seconds < 60)
    return g_strdup (_("just now"));
  if (seconds < 3600)
    {
      n = (int) (seconds / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d min ago", "%d min ago", n), n);
    }
  if (seconds < 86400)
    {
      n = (int) (seconds / 3600);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", n), n);
    }
  n = (int) MIN (seconds / 86400, G_MAXINT);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", n), n);
}
