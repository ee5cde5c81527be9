/* cc-project.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-field-table-private.h"
#include "cc-project.h"

/**
 * CcProject:
 *
 * A project's metadata: a plain value object. The store hands out fresh copies; changing one
 * changes nothing on disk until it is given to cc_store_update_project_async(). String
 * properties are never %NULL (unset is ""); times are unix microseconds, 0 for never.
 */
struct _CcProject
{
  GObject           parent_instance;

  char             *id;
  char             *name;
  CcConnectionKind  connection_kind;
  char             *api_url;
  char             *sandbox_url;
  char             *template_id;
  guint             port;
  char             *sandbox_id;
  char             *local_folder;
  char             *setup_command;
  char             *start_command;
  gint64            created_at;
  gint64            updated_at;
  gint64            last_execution_at;
};

G_DEFINE_FINAL_TYPE (CcProject, cc_project, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CcConnectionKind, cc_connection_kind,
                    G_DEFINE_ENUM_VALUE (CC_CONNECTION_LOCAL, "local"),
                    G_DEFINE_ENUM_VALUE (CC_CONNECTION_E2B, "e2b"),
                    G_DEFINE_ENUM_VALUE (CC_CONNECTION_CUSTOM, "custom"))

G_DEFINE_FLAGS_TYPE (CcProjectField, cc_project_field,
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_NONE, "none"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_NAME, "name"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_CONNECTION, "connection"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_TEMPLATE, "template"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_PORT, "port"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_SANDBOX_ID, "sandbox-id"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_LOCAL_FOLDER, "local-folder"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_SETUP_COMMAND, "setup-command"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_START_COMMAND, "start-command"),
                     G_DEFINE_ENUM_VALUE (CC_PROJECT_FIELD_LAST_EXECUTION, "last-execution"))

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_CONNECTION_KIND,
  PROP_API_URL,
  PROP_SANDBOX_URL,
  PROP_TEMPLATE,
  PROP_PORT,
  PROP_SANDBOX_ID,
  PROP_LOCAL_FOLDER,
  PROP_SETUP_COMMAND,
  PROP_START_COMMAND,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_LAST_EXECUTION_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Where the string and the time properties live (0 for the other properties), so that
 * get/set_property, copy, init and finalize treat all of a kind alike. */
static const gsize string_offsets[N_PROPS] = {
  [PROP_ID] = G_STRUCT_OFFSET (CcProject, id),
  [PROP_NAME] = G_STRUCT_OFFSET (CcProject, name),
  [PROP_API_URL] = G_STRUCT_OFFSET (CcProject, api_url),
  [PROP_SANDBOX_URL] = G_STRUCT_OFFSET (CcProject, sandbox_url),
  [PROP_TEMPLATE] = G_STRUCT_OFFSET (CcProject, template_id),
  [PROP_SANDBOX_ID] = G_STRUCT_OFFSET (CcProject, sandbox_id),
  [PROP_LOCAL_FOLDER] = G_STRUCT_OFFSET (CcProject, local_folder),
  [PROP_SETUP_COMMAND] = G_STRUCT_OFFSET (CcProject, setup_command),
  [PROP_START_COMMAND] = G_STRUCT_OFFSET (CcProject, start_command),
};
static const gsize time_offsets[N_PROPS] = {
  [PROP_CREATED_AT] = G_STRUCT_OFFSET (CcProject, created_at),
  [PROP_UPDATED_AT] = G_STRUCT_OFFSET (CcProject, updated_at),
  [PROP_LAST_EXECUTION_AT] = G_STRUCT_OFFSET (CcProject, last_execution_at),
};
static const CcFieldTable fields = { string_offsets, time_offsets, N_PROPS, properties };

/**
 * cc_connection_kind_to_string:
 * @kind: a #CcConnectionKind
 *
 * Returns: the kind's stable name: "local", "e2b" or "custom"
 */
const char *
cc_connection_kind_to_string (CcConnectionKind kind)
{
  switch (kind)
    {
    case CC_CONNECTION_LOCAL:
      return "local";
    case CC_CONNECTION_E2B:
      return "e2b";
    case CC_CONNECTION_CUSTOM:
      return "custom";
    default:
      g_return_val_if_reached ("local");
    }
}

/**
 * cc_connection_kind_from_string:
 * @str: (nullable): a name from cc_connection_kind_to_string()
 * @kind: (out) (optional): where to store the kind
 *
 * Returns: %TRUE when @str names a kind
 */
gboolean
cc_connection_kind_from_string (const char       *str,
                                CcConnectionKind *kind)
{
  static const CcConnectionKind kinds[] = { CC_CONNECTION_LOCAL, CC_CONNECTION_E2B,
                                            CC_CONNECTION_CUSTOM };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      if (g_strcmp0 (str, cc_connection_kind_to_string (kinds[i])) == 0)
        {
          if (kind != NULL)
            *kind = kinds[i];
          return TRUE;
        }
    }
  return FALSE;
}

static void
cc_project_finalize (GObject *object)
{
  CcProject *self = (CcProject *)object;

  _cc_field_table_finalize (&fields, self);

  G_OBJECT_CLASS (cc_project_parent_class)->finalize (object);
}

static void
cc_project_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CcProject *self = CC_PROJECT (object);

  if (_cc_field_table_get (&fields, self, prop_id, value))
    return;
  if (prop_id == PROP_CONNECTION_KIND)
    g_value_set_enum (value, self->connection_kind);
  else if (prop_id == PROP_PORT)
    g_value_set_uint (value, self->port);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
cc_project_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CcProject *self = CC_PROJECT (object);

  if (_cc_field_table_set (&fields, self, prop_id, value))
    return;
  if (prop_id == PROP_CONNECTION_KIND)
    cc_project_set_connection_kind (self, g_value_get_enum (value));
  else if (prop_id == PROP_PORT)
    cc_project_set_port (self, g_value_get_uint (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, "",
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
time_pspec (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
cc_project_class_init (CcProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cc_project_finalize;
  object_class->get_property = cc_project_get_property;
  object_class->set_property = cc_project_set_property;

  /**
   * CcProject:id:
   *
   * Generated by the store when the project is created (a random UUID).
   */
  properties[PROP_ID] = string_pspec ("id");
  properties[PROP_NAME] = string_pspec ("name");
  properties[PROP_CONNECTION_KIND] =
    g_param_spec_enum ("connection-kind", NULL, NULL,
                       CC_TYPE_CONNECTION_KIND, CC_CONNECTION_LOCAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * CcProject:api-url:
   *
   * The control-plane URL of a %CC_CONNECTION_CUSTOM endpoint; "" otherwise.
   */
  properties[PROP_API_URL] = string_pspec ("api-url");
  /**
   * CcProject:sandbox-url:
   *
   * The sandbox URL or domain of a %CC_CONNECTION_CUSTOM endpoint; "" otherwise.
   */
  properties[PROP_SANDBOX_URL] = string_pspec ("sandbox-url");
  /**
   * CcProject:template:
   *
   * The template the project was made from: "blank", "node", "vite", "python" or "folder".
   */
  properties[PROP_TEMPLATE] = string_pspec ("template");
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SANDBOX_ID] = string_pspec ("sandbox-id");
  properties[PROP_LOCAL_FOLDER] = string_pspec ("local-folder");
  properties[PROP_SETUP_COMMAND] = string_pspec ("setup-command");
  properties[PROP_START_COMMAND] = string_pspec ("start-command");
  properties[PROP_CREATED_AT] = time_pspec ("created-at");
  properties[PROP_UPDATED_AT] = time_pspec ("updated-at");
  properties[PROP_LAST_EXECUTION_AT] = time_pspec ("last-execution-at");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cc_project_init (CcProject *self)
{
  _cc_field_table_init (&fields, self);
  g_free (self->template_id);
  self->template_id = g_strdup ("blank");
  self->connection_kind = CC_CONNECTION_LOCAL;
}

/**
 * cc_project_new:
 * @name: (nullable): the project's name
 *
 * Returns: (transfer full): a project that is not stored yet; give it to
 *   cc_store_create_project_async().
 */
CcProject *
cc_project_new (const char *name)
{
  return g_object_new (CC_TYPE_PROJECT, "name", name, NULL);
}

/**
 * cc_project_copy:
 * @self: a #CcProject
 *
 * Returns: (transfer full): a new project with every property of @self.
 */
CcProject *
cc_project_copy (CcProject *self)
{
  CcProject *copy;

  g_return_val_if_fail (CC_IS_PROJECT (self), NULL);

  copy = g_object_new (CC_TYPE_PROJECT, NULL);
  _cc_field_table_copy (&fields, copy, self);
  copy->connection_kind = self->connection_kind;
  copy->port = self->port;

  return copy;
}

#define STRING_ACCESSORS(field, prop, getter, setter)                      \
  const char *                                                             \
  getter (CcProject *self)                                                 \
  {                                                                        \
    g_return_val_if_fail (CC_IS_PROJECT (self), NULL);                     \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  setter (CcProject  *self,                                                \
          const char *value)                                               \
  {                                                                        \
    g_return_if_fail (CC_IS_PROJECT (self));                               \
    _cc_field_table_set_string (&fields, self, prop, value);               \
  }

#define TIME_ACCESSORS(field, prop, getter, setter)                        \
  gint64                                                                   \
  getter (CcProject *self)                                                 \
  {                                                                        \
    g_return_val_if_fail (CC_IS_PROJECT (self), 0);                        \
    return self->field;                                                    \
  }                                                                        \
  void                                                                     \
  setter (CcProject *self,                                                 \
          gint64     value)                                                \
  {                                                                        \
    g_return_if_fail (CC_IS_PROJECT (self));                               \
    _cc_field_table_set_int64 (&fields, self, prop, value);                \
  }

STRING_ACCESSORS (id, PROP_ID, cc_project_get_id, cc_project_set_id)
STRING_ACCESSORS (name, PROP_NAME, cc_project_get_name, cc_project_set_name)
STRING_ACCESSORS (api_url, PROP_API_URL, cc_project_get_api_url, cc_project_set_api_url)
STRING_ACCESSORS (sandbox_url, PROP_SANDBOX_URL, cc_project_get_sandbox_url,
                  cc_project_set_sandbox_url)
STRING_ACCESSORS (template_id, PROP_TEMPLATE, cc_project_get_template, cc_project_set_template)
STRING_ACCESSORS (sandbox_id, PROP_SANDBOX_ID, cc_project_get_sandbox_id,
                  cc_project_set_sandbox_id)
STRING_ACCESSORS (local_folder, PROP_LOCAL_FOLDER, cc_project_get_local_folder,
                  cc_project_set_local_folder)
STRING_ACCESSORS (setup_command, PROP_SETUP_COMMAND, cc_project_get_setup_command,
                  cc_project_set_setup_command)
STRING_ACCESSORS (start_command, PROP_START_COMMAND, cc_project_get_start_command,
                  cc_project_set_start_command)
TIME_ACCESSORS (created_at, PROP_CREATED_AT, cc_project_get_created_at,
                cc_project_set_created_at)
TIME_ACCESSORS (updated_at, PROP_UPDATED_AT, cc_project_get_updated_at,
                cc_project_set_updated_at)
TIME_ACCESSORS (last_execution_at, PROP_LAST_EXECUTION_AT, cc_project_get_last_execution_at,
                cc_project_set_last_execution_at)

CcConnectionKind
cc_project_get_connection_kind (CcProject *self)
{
  g_return_val_if_fail (CC_IS_PROJECT (self), CC_CONNECTION_LOCAL);
  return self->connection_kind;
}

void
cc_project_set_connection_kind (CcProject        *self,
                                CcConnectionKind  kind)
{
  g_return_if_fail (CC_IS_PROJECT (self));

  if (self->connection_kind == kind)
    return;
  self->connection_kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION_KIND]);
}

guint
cc_project_get_port (CcProject *self)
{
  g_return_val_if_fail (CC_IS_PROJECT (self), 0);
  return self->port;
}

void
cc_project_set_port (CcProject *self,
                     guint      port)
{
  /* Any value is held; cc_client_update_project_info_async() refuses one out of range with a
   * GError a person can act on, which a precondition here could not give. */
  g_return_if_fail (CC_IS_PROJECT (self));

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}
