-- store-v1.sql: a Code Canvas database as the original design wrote it (schema version 1)
--
-- Copyright 2026 The Code Canvas Authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Times are unix seconds; an operation's output is one JSON object; the cache is keyed by
-- project + command and keeps its result as JSON. test-store.c migrates it to the current
-- schema. Timestamps are rewritten by the test relative to now (see @NOW@), so that the
-- records have not expired yet when it runs.

PRAGMA foreign_keys = ON;

CREATE TABLE projects (
  id                TEXT PRIMARY KEY NOT NULL,
  name              TEXT NOT NULL,
  port              INTEGER,
  sandbox_id        TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  last_execution_at INTEGER
);

CREATE TABLE operations (
  id         TEXT PRIMARY KEY NOT NULL,
  project_id TEXT NOT NULL REFERENCES projects (id),
  type       TEXT NOT NULL,
  status     TEXT NOT NULL,
  input      TEXT,
  output     TEXT,
  error      TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX idx_operations_project ON operations (project_id, created_at);

CREATE TABLE command_cache (
  project_id TEXT NOT NULL REFERENCES projects (id),
  command    TEXT NOT NULL,
  result     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (project_id, command)
);

INSERT INTO projects VALUES
  ('p-node', 'Node demo', 3000, 'sbx-abc123', @NOW@ - 86400, @NOW@ - 3600, @NOW@ - 600),
  ('p-empty', 'Empty', NULL, NULL, @NOW@ - 7200, @NOW@ - 7200, NULL);

INSERT INTO operations VALUES
  ('op-1', 'p-node', 'command', 'success', 'npm install',
   '{"stdout":"added 12 packages\n","stderr":"","exitCode":0,"durationMs":4200}', NULL,
   @NOW@ - 900, @NOW@ - 895, @NOW@ + 600000),
  ('op-2', 'p-node', 'command', 'error', 'npm test',
   '{"stdout":"","stderr":"1 failing\n","exitCode":1,"durationMs":830}', 'Command exited with 1',
   @NOW@ - 800, @NOW@ - 799, @NOW@ + 600000),
  ('op-3', 'p-node', 'file_write', 'success', 'src/index.js', 'plain text, not JSON', NULL,
   @NOW@ - 700, @NOW@ - 700, @NOW@ + 600000),
  ('op-old', 'p-node', 'command', 'success', 'ls',
   '{"stdout":"a\n","stderr":"","exitCode":0,"durationMs":5}', NULL,
   @NOW@ - 700000, @NOW@ - 700000, @NOW@ - 95200);

INSERT INTO command_cache VALUES
  ('p-node', 'npm install',
   '{"stdout":"added 12 packages\n","stderr":"","exitCode":0,"durationMs":4200}',
   @NOW@ - 60, @NOW@ + 3540);

PRAGMA user_version = 1;
