/* test-store-cache.c: the command cache of the SQLite store, on real database files
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cc-test-util.h"
#include "store-test-util.h"

/* Cache ----------------------------------------------------------------------------------- */

static CcOperation *
finished_command (StoreFixture *f,
                  const char   *project_id,
                  const char   *command,
                  const char   *out)
{
  CcOperation *op = begin_op (f, project_id, CC_OPERATION_TYPE_COMMAND, command);

  cc_operation_set_stderr (op, "err");
  finish_op (f, op, CC_OPERATION_STATUS_SUCCESS, out, 3);
  return op;
}

static void
test_cache_hit_and_expiry (StoreFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(CcProject) project = create_project (f, "p");
  g_autoptr(CcOperation) op = NULL;
  g_autoptr(CcOperation) hit = NULL;
  g_autoptr(CcOperation) miss = NULL;
  const char *pid = cc_project_get_id (project);
  gint64 cached_at;

  miss = cache_lookup (f, pid, "ls", NULL);
  g_assert_null (miss);

  op = finished_command (f, pid, "ls", "a\nb\n");
  cached_at = f->now;
  cache_put (f, NULL, op);

  f->now += HOUR_USEC - 1;
  hit = cache_lookup (f, pid, "ls", NULL);
  g_assert_nonnull (hit);
  g_assert_true (cc_operation_get_cached (hit));
  g_assert_cmpstr (cc_operation_get_id (hit), ==, cc_operation_get_id (op));
  g_assert_cmpstr (cc_operation_get_input (hit), ==, "ls");
  g_assert_cmpstr (cc_operation_get_stdout (hit), ==, "a\nb\n");
  g_assert_cmpstr (cc_operation_get_stderr (hit), ==, "err");
  g_assert_cmpint (cc_operation_get_exit_code (hit), ==, 3);
  g_assert_cmpint (cc_operation_get_duration_ms (hit), ==, 12);
  g_assert_cmpint (cc_operation_get_status (hit), ==, CC_OPERATION_STATUS_SUCCESS);
  g_assert_cmpint (cc_operation_get_created_at (hit), ==, cached_at);
  g_assert_cmpint (cc_operation_get_expires_at (hit), ==, cached_at + HOUR_USEC);
  g_clear_object (&hit);

  /* Another command, another project: misses. */
  miss = cache_lookup (f, pid, "ls ", NULL);
  g_assert_null (miss);

  /* One hour after it was cached: never served again, though still in the table. */
  f->now += 1;
  miss = cache_lookup (f, pid, "ls", NULL);
  g_assert_null (miss);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM cache"), ==, 1);
  purge (f);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM cache"), ==, 0);

  /* The TTL is configurable, and applies to what is cached already. */
  cache_put (f, NULL, op);
  cc_store_set_cache_ttl (f->store, 60);
  g_assert_cmpuint (cc_store_get_cache_ttl (f->store), ==, 60);
  f->now += 59 * G_USEC_PER_SEC;
  hit = cache_lookup (f, pid, "ls", NULL);
  g_assert_nonnull (hit);
  g_clear_object (&hit);
  f->now += G_USEC_PER_SEC;
  miss = cache_lookup (f, pid, "ls", NULL);
  g_assert_null (miss);

  /* 0 turns the cache off. */
  cc_store_set_cache_ttl (f->store, 0);
  cache_put (f, NULL, op);
  miss = cache_lookup (f, pid, "ls", NULL);
  g_assert_null (miss);
}

static void
test_cache_keys (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(CcProject) a = create_project (f, "a");
  g_autoptr(CcProject) b = create_project (f, "b");
  g_autoptr(CcOperation) on_local = NULL;
  g_autoptr(CcOperation) on_e2b = NULL;
  g_autoptr(CcOperation) hit = NULL;
  g_autoptr(CcOperation) miss = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CcOperation) stray = NULL;

  on_local = finished_command (f, cc_project_get_id (a), "date", "local answer");
  on_e2b = finished_command (f, cc_project_get_id (a), "date", "e2b answer");
  cache_put (f, "local", on_local);
  cache_put (f, "e2b", on_e2b);

  hit = cache_lookup (f, cc_project_get_id (a), "date", "local");
  g_assert_cmpstr (cc_operation_get_stdout (hit), ==, "local answer");
  g_clear_object (&hit);
  hit = cache_lookup (f, cc_project_get_id (a), "date", "e2b");
  g_assert_cmpstr (cc_operation_get_stdout (hit), ==, "e2b answer");
  g_clear_object (&hit);
  miss = cache_lookup (f, cc_project_get_id (b), "date", "local");
  g_assert_null (miss);

  /* A newer result replaces the older one. */
  cc_operation_set_stdout (on_e2b, "newer");
  cache_put (f, "e2b", on_e2b);
  hit = cache_lookup (f, cc_project_get_id (a), "date", "e2b");
  g_assert_cmpstr (cc_operation_get_stdout (hit), ==, "newer");

  /* No cache entry for a project that does not exist. */
  stray = cc_operation_new ("no-such-project", CC_OPERATION_TYPE_COMMAND, "date");
  cc_store_cache_put_async (f->store, NULL, stray, NULL, cc_test_store_result_cb, &result);
  g_assert_false (cc_store_cache_put_finish (f->store, cc_test_wait_result (&result), &error));
  g_assert_error (error, CC_STORE_ERROR, CC_STORE_ERROR_NOT_FOUND);
}

static void
test_cache_clear (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(CcProject) a = create_project (f, "a");
  g_autoptr(CcProject) b = create_project (f, "b");
  const char *commands[] = { "ls", "pwd", "whoami" };
  g_autoptr(CcOperation) hit = NULL;
  g_autoptr(CcOperation) miss = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(CcOperation) op_a = finished_command (f, cc_project_get_id (a), commands[i], "x");
      g_autoptr(CcOperation) op_b = finished_command (f, cc_project_get_id (b), commands[i], "y");

      cache_put (f, "local", op_a);
      cache_put (f, "e2b", op_a);
      cache_put (f, "local", op_b);
    }

  /* One command, on every connection. */
  g_assert_cmpuint (cache_clear (f, cc_project_get_id (a), "ls"), ==, 2);
  miss = cache_lookup (f, cc_project_get_id (a), "ls", "local");
  g_assert_null (miss);
  hit = cache_lookup (f, cc_project_get_id (a), "pwd", "local");
  g_assert_nonnull (hit);
  g_clear_object (&hit);
  hit = cache_lookup (f, cc_project_get_id (b), "ls", "local");
  g_assert_nonnull (hit);
  g_clear_object (&hit);
  g_assert_cmpuint (cache_clear (f, cc_project_get_id (a), "ls"), ==, 0);

  /* The whole project; the other one keeps its entries. */
  g_assert_cmpuint (cache_clear (f, cc_project_get_id (a), NULL), ==, 4);
  miss = cache_lookup (f, cc_project_get_id (a), "whoami", "e2b");
  g_assert_null (miss);
  hit = cache_lookup (f, cc_project_get_id (b), "whoami", "local");
  g_assert_nonnull (hit);
  g_assert_cmpint (raw_query_int (f->path, "SELECT count(*) FROM cache"), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_store_test ("cache/hit-and-expiry", test_cache_hit_and_expiry);
  add_store_test ("cache/keys", test_cache_keys);
  add_store_test ("cache/clear", test_cache_clear);

  return g_test_run ();
}
