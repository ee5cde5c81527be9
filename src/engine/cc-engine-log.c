/* cc-engine-log.c: a sandbox's bounded in-memory log
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "cc-engine-log.h"
#include "cc-protojson.h"

typedef struct
{
  gint64 time;            /* unix microseconds */
  CcEngineLogLevel level;
  char *message;
  GStrv fields;           /* name, value, name, value, …, NULL */
} Entry;

struct _CcEngineLog
{
  guint capacity;
  GQueue entries;         /* of Entry, oldest first */
};

static const char * const level_names[] = { "debug", "info", "warn", "error" };

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->message);
  g_strfreev (entry->fields);
  g_free (entry);
}

static void
log_clear (CcEngineLog *self)
{
  g_queue_clear_full (&self->entries, entry_free);
}

CcEngineLog *
cc_engine_log_new (guint capacity)
{
  CcEngineLog *self = g_rc_box_new0 (CcEngineLog);

  self->capacity = MAX (capacity, 1);
  g_queue_init (&self->entries);
  return self;
}

CcEngineLog *
cc_engine_log_ref (CcEngineLog *self)
{
  return g_rc_box_acquire (self);
}

void
cc_engine_log_unref (CcEngineLog *self)
{
  g_rc_box_release_full (self, (GDestroyNotify) log_clear);
}

void
cc_engine_log_add (CcEngineLog      *self,
                   CcEngineLogLevel  level,
                   const char       *message,
                   ...)
{
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  Entry *entry = g_new0 (Entry, 1);
  const char *name;
  va_list args;

  va_start (args, message);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_strv_builder_add (fields, name);
      g_strv_builder_add (fields, value != NULL ? value : "");
    }
  va_end (args);

  entry->time = g_get_real_time ();
  entry->level = level;
  entry->message = g_strdup (message);
  entry->fields = g_strv_builder_end (fields);
  g_queue_push_tail (&self->entries, entry);
  while (self->entries.length > self->capacity)
    entry_free (g_queue_pop_head (&self->entries));
}

guint
cc_engine_log_get_length (CcEngineLog *self)
{
  return self->entries.length;
}

gboolean
cc_engine_log_parse_level (const char       *text,
                           CcEngineLogLevel *level)
{
  for (guint i = 0; i < G_N_ELEMENTS (level_names); i++)
    if (g_strcmp0 (text, level_names[i]) == 0)
      {
        *level = i;
        return TRUE;
      }
  return FALSE;
}

static void
add_entry (JsonBuilder *builder,
           Entry       *entry)
{
  g_autofree char *stamp = cc_protojson_format_timestamp (entry->time);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, stamp);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, entry->message);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, level_names[entry->level]);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  for (guint i = 0; entry->fields[i] != NULL && entry->fields[i + 1] != NULL; i += 2)
    {
      json_builder_set_member_name (builder, entry->fields[i]);
      json_builder_add_string_value (builder, entry->fields[i + 1]);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

/* The one-line form: a JSON object of the level, the message and the fields, the shape of the
 * sandbox daemon's own log lines that clients parse. */
static char *
entry_line (Entry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, level_names[entry->level]);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, entry->message);
  for (guint i = 0; entry->fields[i] != NULL && entry->fields[i + 1] != NULL; i += 2)
    {
      json_builder_set_member_name (builder, entry->fields[i]);
      json_builder_add_string_value (builder, entry->fields[i + 1]);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return cc_protojson_to_string (node, NULL);
}

JsonNode *
cc_engine_log_to_json_v1 (CcEngineLog *self,
                          gint64       start_ms,
                          guint        limit)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) picked = g_ptr_array_new ();

  for (GList *l = self->entries.head; l != NULL && picked->len < limit; l = l->next)
    {
      Entry *entry = l->data;

      if (entry->time / 1000 >= start_ms)
        g_ptr_array_add (picked, entry);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < picked->len; i++)
    {
      Entry *entry = picked->pdata[i];
      g_autofree char *stamp = cc_protojson_format_timestamp (entry->time);
      g_autofree char *line = entry_line (entry);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "timestamp");
      json_builder_add_string_value (builder, stamp);
      json_builder_set_member_name (builder, "line");
      json_builder_add_string_value (builder, line);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "logEntries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < picked->len; i++)
    add_entry (builder, picked->pdata[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
cc_engine_log_to_json_v2 (CcEngineLog      *self,
                          gint64            cursor_ms,
                          guint             limit,
                          gboolean          forward,
                          CcEngineLogLevel  min_level,
                          const char       *search)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint count = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "logs");
  json_builder_begin_array (builder);
  for (GList *l = forward ? self->entries.head : self->entries.tail; l != NULL && count < limit;
       l = forward ? l->next : l->prev)
    {
      Entry *entry = l->data;

      if (cursor_ms >= 0 && (forward ? entry->time / 1000 < cursor_ms : entry->time / 1000 > cursor_ms))
        continue;
      if (entry->level < min_level || (search != NULL && strstr (entry->message, search) == NULL))
        continue;
      add_entry (builder, entry);
      count++;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
