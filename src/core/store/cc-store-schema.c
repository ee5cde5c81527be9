/* cc-store-schema.c: the database schema and its forward migrations
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The version lives in PRAGMA user_version. Each migration moves one version forward inside
 * the same transaction as the version bump, so a crash leaves either the old or the new schema.
 *
 * Version 1, the original design: projects (id, name, port, sandbox id, times in unix
 *   seconds), operations with one JSON `output` column ({"stdout","stderr","exitCode",
 *   "durationMs"}), and command_cache keyed by project + command with a JSON `result`.
 * Version 2: times in unix microseconds; projects gain their connection, template, folder and
 *   commands; operations get separate stdout/stderr (with truncation flags), exit code,
 *   duration and the cached flag, an ordering key (seq) and a full-text index; the cache is
 *   keyed by project + command + connection and keeps its result in columns.
 * Version 3: the full-text index covers the head and tail of long outputs only.
 *   Without a new version, operations.cached later came to hold, for a result served from the
 *   cache, when its original run was recorded (unix microseconds); 1 in older rows means
 *   "cached, time unknown", and 0 still means not cached.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-store-private.h"

static const char schema_v2[] =
  "CREATE TABLE projects ("
  "  id                TEXT PRIMARY KEY NOT NULL,"
  "  name              TEXT NOT NULL DEFAULT '',"
  "  connection_kind   TEXT NOT NULL DEFAULT 'local',"
  "  api_url           TEXT NOT NULL DEFAULT '',"
  "  sandbox_url       TEXT NOT NULL DEFAULT '',"
  "  template          TEXT NOT NULL DEFAULT 'blank',"
  "  port              INTEGER NOT NULL DEFAULT 0,"
  "  sandbox_id        TEXT NOT NULL DEFAULT '',"
  "  local_folder      TEXT NOT NULL DEFAULT '',"
  "  setup_command     TEXT NOT NULL DEFAULT '',"
  "  start_command     TEXT NOT NULL DEFAULT '',"
  "  created_at        INTEGER NOT NULL,"
  "  updated_at        INTEGER NOT NULL,"
  "  last_execution_at INTEGER NOT NULL DEFAULT 0"
  ");"
  /* seq orders records made in the same microsecond, and is the full-text index's rowid. */
  "CREATE TABLE operations ("
  "  seq               INTEGER PRIMARY KEY,"
  "  id                TEXT NOT NULL UNIQUE,"
  "  project_id        TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,"
  "  type              TEXT NOT NULL,"
  "  status            TEXT NOT NULL,"
  "  input             TEXT NOT NULL DEFAULT '',"
  "  stdout            TEXT NOT NULL DEFAULT '',"
  "  stderr            TEXT NOT NULL DEFAULT '',"
  "  stdout_truncated  INTEGER NOT NULL DEFAULT 0,"
  "  stderr_truncated  INTEGER NOT NULL DEFAULT 0,"
  "  error             TEXT NOT NULL DEFAULT '',"
  "  exit_code         INTEGER NOT NULL DEFAULT -1,"
  "  duration_ms       INTEGER NOT NULL DEFAULT 0,"
  "  cached            INTEGER NOT NULL DEFAULT 0,"
  "  created_at        INTEGER NOT NULL,"
  "  updated_at        INTEGER NOT NULL,"
  "  expires_at        INTEGER NOT NULL"
  ");"
  "CREATE INDEX operations_by_project ON operations (project_id, created_at, seq);"
  "CREATE INDEX operations_by_time ON operations (created_at, seq);"
  "CREATE INDEX operations_by_expiry ON operations (expires_at);"
  /* The index that makes searching 100,000 records with megabytes of output instant; it keeps
   * no copy of the text (external content), the triggers keep it in step. */
  "CREATE VIRTUAL TABLE operations_fts USING fts5 ("
  "  input, stdout, stderr, error,"
  "  content = 'operations', content_rowid = 'seq', tokenize = 'unicode61'"
  ");"
  "CREATE TRIGGER operations_fts_insert AFTER INSERT ON operations BEGIN"
  "  INSERT INTO operations_fts (rowid, input, stdout, stderr, error)"
  "    VALUES (new.seq, new.input, new.stdout, new.stderr, new.error);"
  "END;"
  "CREATE TRIGGER operations_fts_delete AFTER DELETE ON operations BEGIN"
  "  INSERT INTO operations_fts (operations_fts, rowid, input, stdout, stderr, error)"
  "    VALUES ('delete', old.seq, old.input, old.stdout, old.stderr, old.error);"
  "END;"
  "CREATE TRIGGER operations_fts_update AFTER UPDATE OF input, stdout, stderr, error"
  "  ON operations BEGIN"
  "  INSERT INTO operations_fts (operations_fts, rowid, input, stdout, stderr, error)"
  "    VALUES ('delete', old.seq, old.input, old.stdout, old.stderr, old.error);"
  "  INSERT INTO operations_fts (rowid, input, stdout, stderr, error)"
  "    VALUES (new.seq, new.input, new.stdout, new.stderr, new.error);"
  "END;"
  "CREATE TABLE cache ("
  "  project_id        TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,"
  "  command           TEXT NOT NULL,"
  "  connection_key    TEXT NOT NULL DEFAULT '',"
  "  operation_id      TEXT NOT NULL DEFAULT '',"
  "  stdout            TEXT NOT NULL DEFAULT '',"
  "  stderr            TEXT NOT NULL DEFAULT '',"
  "  stdout_truncated  INTEGER NOT NULL DEFAULT 0,"
  "  stderr_truncated  INTEGER NOT NULL DEFAULT 0,"
  "  exit_code         INTEGER NOT NULL DEFAULT -1,"
  "  duration_ms       INTEGER NOT NULL DEFAULT 0,"
  "  cached_at         INTEGER NOT NULL,"
  "  PRIMARY KEY (project_id, command, connection_key)"
  ");"
  "CREATE INDEX cache_by_time ON cache (cached_at);";

#define USEC "* 1000000"

/* Version 1 → 2. The old tables are renamed out of the way, the version 2 tables created, the
 * rows copied across (converting times and splitting the JSON columns; text that is not JSON
 * is kept as stdout), and only then are the old tables dropped. */
/* Version 2 → 3: the full-text index keeps no more than the first and last 32 KiB of each
 * output (a build log's start and its errors), so that it stays small next to records with
 * megabytes of output; it becomes contentless, fed by the same expressions on insert and on
 * delete. */
#define INDEXED(col) \
  "CASE WHEN length (" col ") > 65536" \
  " THEN substr (" col ", 1, 32768) || ' ' || substr (" col ", -32768) ELSE " col " END"

static const char migrate_2_to_3[] =
  "DROP TRIGGER operations_fts_insert;"
  "DROP TRIGGER operations_fts_delete;"
  "DROP TRIGGER operations_fts_update;"
  "DROP TABLE operations_fts;"
  "CREATE VIRTUAL TABLE operations_fts USING fts5 ("
  "  input, stdout, stderr, error, content = '', tokenize = 'unicode61'"
  ");"
  "CREATE TRIGGER operations_fts_insert AFTER INSERT ON operations BEGIN"
  "  INSERT INTO operations_fts (rowid, input, stdout, stderr, error)"
  "    VALUES (new.seq, new.input, " INDEXED ("new.stdout") ", " INDEXED ("new.stderr") ","
  "            new.error);"
  "END;"
  "CREATE TRIGGER operations_fts_delete AFTER DELETE ON operations BEGIN"
  "  INSERT INTO operations_fts (operations_fts, rowid, input, stdout, stderr, error)"
  "    VALUES ('delete', old.seq, old.input, " INDEXED ("old.stdout") ","
  "            " INDEXED ("old.stderr") ", old.error);"
  "END;"
  "CREATE TRIGGER operations_fts_update AFTER UPDATE OF input, stdout, stderr, error"
  "  ON operations BEGIN"
  "  INSERT INTO operations_fts (operations_fts, rowid, input, stdout, stderr, error)"
  "    VALUES ('delete', old.seq, old.input, " INDEXED ("old.stdout") ","
  "            " INDEXED ("old.stderr") ", old.error);"
  "  INSERT INTO operations_fts (rowid, input, stdout, stderr, error)"
  "    VALUES (new.seq, new.input, " INDEXED ("new.stdout") ", " INDEXED ("new.stderr") ","
  "            new.error);"
  "END;"
  "INSERT INTO operations_fts (rowid, input, stdout, stderr, error)"
  "  SELECT seq, input, " INDEXED ("stdout") ", " INDEXED ("stderr") ", error FROM operations;";

/* Version 3 → 4: a pending record names the program recording it (cc-store-owners.c), so one
 * left behind by a program that stopped can be told apart from one still running. */
static const char migrate_3_to_4[] =
  "ALTER TABLE operations ADD COLUMN owner TEXT NOT NULL DEFAULT '';";

static const char migrate_1_to_2[] =
  "ALTER TABLE command_cache RENAME TO v1_command_cache;"
  "ALTER TABLE operations RENAME TO v1_operations;"
  "ALTER TABLE projects RENAME TO v1_projects;"
  "%s"
  "INSERT INTO projects (id, name, port, sandbox_id, created_at, updated_at,"
  "                      last_execution_at)"
  "  SELECT id, COALESCE (name, ''), COALESCE (port, 0), COALESCE (sandbox_id, ''),"
  "         COALESCE (created_at, 0) " USEC ", COALESCE (updated_at, created_at, 0) " USEC ","
  "         COALESCE (last_execution_at, 0) " USEC
  "  FROM v1_projects;"
  "INSERT INTO operations (id, project_id, type, status, input, stdout, stderr, error,"
  "                        exit_code, duration_ms, created_at, updated_at, expires_at)"
  "  SELECT id, project_id, type, status, COALESCE (input, ''),"
  "         CASE WHEN json_valid (output) THEN COALESCE (json_extract (output, '$.stdout'), '')"
  "              ELSE COALESCE (output, '') END,"
  "         CASE WHEN json_valid (output) THEN COALESCE (json_extract (output, '$.stderr'), '')"
  "              ELSE '' END,"
  "         COALESCE (error, ''),"
  "         CASE WHEN json_valid (output) THEN COALESCE (json_extract (output, '$.exitCode'), -1)"
  "              ELSE -1 END,"
  "         CASE WHEN json_valid (output)"
  "              THEN COALESCE (json_extract (output, '$.durationMs'), 0) ELSE 0 END,"
  "         created_at " USEC ", COALESCE (updated_at, created_at) " USEC ","
  "         expires_at " USEC
  "  FROM v1_operations ORDER BY created_at, rowid;"
  "INSERT INTO cache (project_id, command, stdout, stderr, exit_code, duration_ms, cached_at)"
  "  SELECT project_id, command,"
  "         COALESCE (json_extract (result, '$.stdout'), ''),"
  "         COALESCE (json_extract (result, '$.stderr'), ''),"
  "         COALESCE (json_extract (result, '$.exitCode'), -1),"
  "         COALESCE (json_extract (result, '$.durationMs'), 0),"
  "         created_at " USEC
  "  FROM v1_command_cache WHERE json_valid (result);"
  "DROP TABLE v1_command_cache;"
  "DROP TABLE v1_operations;"
  "DROP TABLE v1_projects;";

/* The one integer a statement such as "PRAGMA user_version" answers. */
static gboolean
query_int (CcStore     *self,
           const char  *sql,
           int         *value,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _cc_store_query_row (self, sql, _("Could not open the Code Canvas database"), error);
  if (stmt == NULL)
    return FALSE;
  *value = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
migrate_in_transaction (CcStore  *self,
                        int       from,
                        GError  **error)
{
  const char *what = _("Could not update the Code Canvas database to this version");
  g_autofree char *bump = NULL;

  /* One step at a time: a new database is created as version 2 and migrated like any other,
   * so every path ends in the same schema. */
  if (from == 0)
    {
      if (!_cc_store_exec (self, schema_v2, what, error))
        return FALSE;
      from = 2;
    }
  if (from == 1)
    {
      g_autofree char *sql = g_strdup_printf (migrate_1_to_2, schema_v2);

      if (!_cc_store_exec (self, sql, what, error))
        return FALSE;
      from = 2;
    }
  if (from == 2)
    {
      if (!_cc_store_exec (self, migrate_2_to_3, what, error))
        return FALSE;
      from = 3;
    }
  if (from == 3)
    {
      if (!_cc_store_exec (self, migrate_3_to_4, what, error))
        return FALSE;
      from = 4;
    }
  g_assert (from == CC_STORE_SCHEMA_VERSION);

  bump = g_strdup_printf ("PRAGMA user_version = %d", CC_STORE_SCHEMA_VERSION);
  return _cc_store_exec (self, bump, what, error);
}

static gboolean
check_foreign_keys (CcStore  *self,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = _cc_store_prepare (self, "PRAGMA foreign_key_check",
                            _("Could not update the Code Canvas database to this version"),
                            error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      /* Rows whose project is missing: refuse rather than drop them quietly. */
      _cc_store_set_error (self, SQLITE_CORRUPT,
                           _("Could not update the Code Canvas database to this version"),
                           error);
      return FALSE;
    }
  return TRUE;
}

gboolean
_cc_store_migrate (CcStore  *self,
                   GError  **error)
{
  const char *what = _("Could not open the Code Canvas database");
  int version = 0;
  int n_tables = 0;
  gboolean ok;

  if (!query_int (self, "PRAGMA user_version", &version, error))
    return FALSE;

  if (version == CC_STORE_SCHEMA_VERSION)
    return TRUE;

  if (version > CC_STORE_SCHEMA_VERSION || version < 0)
    {
      g_set_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NEWER_SCHEMA,
                   _("%s: “%s” was written by a newer version of Code Canvas (database version "
                     "%d; this version understands up to %d). Update Code Canvas to use it."),
                   what, self->path, version, CC_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  if (version == 0)
    {
      if (!query_int (self, "SELECT count(*) FROM sqlite_master", &n_tables, error))
        return FALSE;
      if (n_tables > 0)
        {
          /* Some other program's database: never write into it. */
          _cc_store_set_error (self, SQLITE_NOTADB, what, error);
          return FALSE;
        }
    }

  /* A new database frees the pages of purged output (see _cc_store_purge_locked()); this can
   * only be chosen before the first table exists. */
  if (version == 0 && !_cc_store_exec (self, "PRAGMA auto_vacuum = INCREMENTAL", what, error))
    return FALSE;

  /* Table rebuilds need the foreign key checks off; they are checked as a whole at the end.
   * The pragma does nothing inside a transaction, hence outside. */
  if (!_cc_store_exec (self, "PRAGMA foreign_keys = OFF", what, error))
    return FALSE;

  ok = _cc_store_begin (self, what, error) &&
       migrate_in_transaction (self, version, error) &&
       check_foreign_keys (self, error) &&
       _cc_store_commit (self, what, error);
  if (!ok)
    _cc_store_rollback (self);

  if (!_cc_store_exec (self, "PRAGMA foreign_keys = ON", what, ok ? error : NULL))
    return FALSE;

  if (ok)
    g_debug ("Database %s moved from schema %d to %d", self->path, version,
             CC_STORE_SCHEMA_VERSION);

  return ok;
}
