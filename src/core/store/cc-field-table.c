/* cc-field-table.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-field-table-private.h"

static char **
string_field (const CcFieldTable *table,
              gconstpointer       instance,
              guint               prop_id)
{
  return G_STRUCT_MEMBER_P (instance, table->string_offsets[prop_id]);
}

static gint64 *
int64_field (const CcFieldTable *table,
             gconstpointer       instance,
             guint               prop_id)
{
  return G_STRUCT_MEMBER_P (instance, table->int64_offsets[prop_id]);
}

void
_cc_field_table_init (const CcFieldTable *table,
                      gpointer            instance)
{
  for (guint i = 0; i < table->n_props; i++)
    if (table->string_offsets[i] != 0)
      *string_field (table, instance, i) = g_strdup ("");
}

void
_cc_field_table_finalize (const CcFieldTable *table,
                          gpointer            instance)
{
  for (guint i = 0; i < table->n_props; i++)
    if (table->string_offsets[i] != 0)
      g_clear_pointer (string_field (table, instance, i), g_free);
}

/* Copies the table's fields only (@dest was initialised); no notification: @dest is new. */
void
_cc_field_table_copy (const CcFieldTable *table,
                      gpointer            dest,
                      gconstpointer       src)
{
  for (guint i = 0; i < table->n_props; i++)
    {
      if (table->string_offsets[i] != 0)
        {
          g_free (*string_field (table, dest, i));
          *string_field (table, dest, i) = g_strdup (*string_field (table, src, i));
        }
      if (table->int64_offsets[i] != 0)
        *int64_field (table, dest, i) = *int64_field (table, src, i);
    }
}

/* Returns: %FALSE when @prop_id is not one of the table's, for the caller to handle. */
gboolean
_cc_field_table_get (const CcFieldTable *table,
                     gpointer            instance,
                     guint               prop_id,
                     GValue             *value)
{
  if (prop_id >= table->n_props)
    return FALSE;
  if (table->string_offsets[prop_id] != 0)
    g_value_set_string (value, *string_field (table, instance, prop_id));
  else if (table->int64_offsets[prop_id] != 0)
    g_value_set_int64 (value, *int64_field (table, instance, prop_id));
  else
    return FALSE;
  return TRUE;
}

gboolean
_cc_field_table_set (const CcFieldTable *table,
                     gpointer            instance,
                     guint               prop_id,
                     const GValue       *value)
{
  if (prop_id >= table->n_props)
    return FALSE;
  if (table->string_offsets[prop_id] != 0)
    _cc_field_table_set_string (table, instance, prop_id, g_value_get_string (value));
  else if (table->int64_offsets[prop_id] != 0)
    _cc_field_table_set_int64 (table, instance, prop_id, g_value_get_int64 (value));
  else
    return FALSE;
  return TRUE;
}

/* NULL is stored as "", and only a change notifies. */
void
_cc_field_table_set_string (const CcFieldTable *table,
                            gpointer            instance,
                            guint               prop_id,
                            const char         *value)
{
  char **field = string_field (table, instance, prop_id);

  g_assert (table->string_offsets[prop_id] != 0);
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (instance), table->pspecs[prop_id]);
}

void
_cc_field_table_set_int64 (const CcFieldTable *table,
                           gpointer            instance,
                           guint               prop_id,
                           gint64              value)
{
  gint64 *field = int64_field (table, instance, prop_id);

  g_assert (table->int64_offsets[prop_id] != 0);
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (instance), table->pspecs[prop_id]);
}
