/* cc-engine-log.h: a sandbox's bounded in-memory log (lifecycle and process events)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  CC_ENGINE_LOG_DEBUG,
  CC_ENGINE_LOG_INFO,
  CC_ENGINE_LOG_WARN,
  CC_ENGINE_LOG_ERROR,
} CcEngineLogLevel;

/* Reference counted: a process keeps its sandbox's log to report its exit. */
typedef struct _CcEngineLog CcEngineLog;

CcEngineLog *cc_engine_log_new         (guint             capacity);
CcEngineLog *cc_engine_log_ref         (CcEngineLog      *self);
void         cc_engine_log_unref       (CcEngineLog      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineLog, cc_engine_log_unref)

/* Adds an entry stamped now; the varargs are NULL-terminated field name/value string pairs.
 * The oldest entry goes when the log is full. */
void         cc_engine_log_add         (CcEngineLog      *self,
                                        CcEngineLogLevel  level,
                                        const char       *message,
                                        ...) G_GNUC_NULL_TERMINATED;
guint        cc_engine_log_get_length  (CcEngineLog      *self);

/* "debug", "info", "warn", "error" → level; FALSE for anything else. */
gboolean     cc_engine_log_parse_level (const char       *text,
                                        CcEngineLogLevel *level);

/* The v1 answer: {"logs":[{timestamp, line}], "logEntries":[{timestamp, message, level, fields}]}
 * with entries at or after @start_ms (unix milliseconds), oldest first, at most @limit. */
JsonNode    *cc_engine_log_to_json_v1  (CcEngineLog      *self,
                                        gint64            start_ms,
                                        guint             limit);
/* The v2 answer: {"logs":[{timestamp, message, level, fields}]}. @cursor_ms: entries at or after it
 * (forward, oldest first) or at or before it (backward, newest first); -1 = from the start or the
 * end. Only entries at @min_level or above whose message contains @search (if not NULL). */
JsonNode    *cc_engine_log_to_json_v2  (CcEngineLog      *self,
                                        gint64            cursor_ms,
                                        guint             limit,
                                        gboolean          forward,
                                        CcEngineLogLevel  min_level,
                                        const char       *search);

G_END_DECLS
