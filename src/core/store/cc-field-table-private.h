/* cc-field-table-private.h: table-driven string and int64 properties for record objects
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * CcProject and CcOperation keep most of their properties in plain struct fields: strings
 * (NULL stored as "") and 64-bit integers. Offset tables indexed by property id find them, so
 * get/set_property, copy, init and finalize treat all fields of a kind alike; this is the one
 * implementation of that, shared by both objects.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  const gsize  *string_offsets;   /* by property id; 0 when the property is not such a string */
  const gsize  *int64_offsets;    /* likewise for gint64 properties */
  guint         n_props;
  GParamSpec  **pspecs;           /* the class's properties, for notification */
} CcFieldTable;

void      _cc_field_table_init        (const CcFieldTable *table,
                                       gpointer            instance);
void      _cc_field_table_finalize    (const CcFieldTable *table,
                                       gpointer            instance);
void      _cc_field_table_copy        (const CcFieldTable *table,
                                       gpointer            dest,
                                       gconstpointer       src);
gboolean  _cc_field_table_get         (const CcFieldTable *table,
                                       gpointer            instance,
                                       guint               prop_id,
                                       GValue             *value);
gboolean  _cc_field_table_set         (const CcFieldTable *table,
                                       gpointer            instance,
                                       guint               prop_id,
                                       const GValue       *value);
void      _cc_field_table_set_string  (const CcFieldTable *table,
                                       gpointer            instance,
                                       guint               prop_id,
                                       const char         *value);
void      _cc_field_table_set_int64   (const CcFieldTable *table,
                                       gpointer            instance,
                                       guint               prop_id,
                                       gint64              value);

G_END_DECLS
