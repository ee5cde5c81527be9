/* cc-store-owners.c: which program records an operation, and the sweep of records whose
 * program is gone
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pending record names its recorder as "<boot id>:<pid>:<start time>": the pid alone could be
 * reused after the program died or the machine restarted, the boot id and the process's start
 * time (in clock ticks since boot, from /proc/<pid>/stat) make the name unique. When a store
 * opens, every pending record whose recorder no longer runs becomes an error, so nothing stays
 * pending once nothing is running it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "cc-store-private.h"

/* Field 22 (starttime) of /proc/<pid>/stat, or NULL. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted after its last ')'. */
static char *
process_start_time (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (rest = strrchr (text, ')')) == NULL)
    return NULL;
  fields = g_strsplit (rest + 1, " ", 0);
  /* fields[0] is empty (the space after ')'), fields[1] is field 3 (state): field N is
   * fields[N - 2]. */
  if (g_strv_length (fields) < 21)
    return NULL;
  return g_strdup (fields[20]);
}

static char *
boot_id (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &text, NULL, NULL))
    return g_strdup ("");
  return g_strdup (g_strstrip (text));
}

char *
_cc_store_owner_for_self (void)
{
  g_autofree char *boot = boot_id ();
  g_autofree char *start = process_start_time (getpid ());

  return g_strdup_printf ("%s:%d:%s", boot, (int) getpid (), start ? start : "");
}

gboolean
_cc_store_owner_is_running (const char *owner)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *boot = NULL;
  g_autofree char *start = NULL;
  guint64 pid;

  /* Records from before owners were kept have none: whoever made them is long gone. */
  if (owner == NULL || *owner == '\0')
    return FALSE;
  parts = g_strsplit (owner, ":", 3);
  if (g_strv_length (parts) != 3 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT, &pid, NULL))
    return FALSE;
  boot = boot_id ();
  if (!g_str_equal (boot, parts[0]))
    return FALSE;
  start = process_start_time ((pid_t) pid);
  return start != NULL && g_str_equal (start, parts[2]);
}

/* Marks every pending record whose recorder has stopped as an error. Runs with the store
 * locked, when it opens. */
gboolean
_cc_store_sweep_interrupted_locked (CcStore  *self,
                                    gint64    now,
                                    GError  **error)
{
  const char *what = _("Could not open the Code Canvas database");
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  int rc;

  select = _cc_store_prepare (self, "SELECT id, owner FROM operations WHERE status = 'pending'",
                              what, error);
  if (select == NULL)
    return FALSE;
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      if (!_cc_store_owner_is_running ((const char *) sqlite3_column_text (select, 1)))
        g_ptr_array_add (gone, g_strdup ((const char *) sqlite3_column_text (select, 0)));
    }
  if (rc != SQLITE_DONE)
    {
      _cc_store_set_error (self, rc, what, error);
      return FALSE;
    }

  for (guint i = 0; i < gone->len; i++)
    {
      g_autoptr(sqlite3_stmt) update = NULL;

      update = _cc_store_prepare (self,
                                  "UPDATE operations SET status = 'error', error = ?2,"
                                  " updated_at = ?3 WHERE id = ?1 AND status = 'pending'",
                                  what, error);
      if (update == NULL)
        return FALSE;
      sqlite3_bind_text (update, 1, g_ptr_array_index (gone, i), -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 2, _("interrupted: the program recording it stopped"), -1,
                         SQLITE_TRANSIENT);
      sqlite3_bind_int64 (update, 3, now);
      rc = sqlite3_step (update);
      if (rc != SQLITE_DONE)
        {
          _cc_store_set_error (self, rc, what, error);
          return FALSE;
        }
    }
  if (gone->len > 0)
    g_debug ("Marked %u interrupted records in %s", gone->len, self->path);
  return TRUE;
}
