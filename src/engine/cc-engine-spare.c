/* cc-engine-spare.c: a sandbox made ahead of the next create
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Most of a create is the sandbox's bubblewrap, namespaces, launcher and pasta: tens of
 * milliseconds, the same for every create that keeps the defaults. So one such sandbox is
 * always made ahead: a create takes it, gives it its metadata and environment, and its first
 * command finds everything ready. A create that asks for more is made as before: a workspace is
 * bound when bubblewrap starts, and no outbound traffic or rules decide how (and whether) pasta
 * runs.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "cc-engine-launcher.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-spare.h"

struct _CcEngineSpare
{
  char *data_dir;
  char *runtime_dir;
  CcEngineIsolation isolation;
  CcEngineSandbox *sandbox;
  guint make_id;
};

static gboolean
make_cb (gpointer user_data)
{
  CcEngineSpare *self = user_data;
  g_autoptr(CcEngineSandbox) sandbox = cc_engine_sandbox_new (self->data_dir, NULL);
  g_autoptr(GError) error = NULL;

  self->make_id = 0;
  if (!cc_engine_sandbox_create_dirs (sandbox, &error))
    {
      /* The create that needs it tries again, and says why. */
      g_debug ("No spare sandbox: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  cc_engine_launcher_prepare (sandbox, self->runtime_dir, self->isolation);
  self->sandbox = g_steal_pointer (&sandbox);
  return G_SOURCE_REMOVE;
}

/* Not at once: the create that took the last one is usually followed by its first command,
 * which should not share the machine with the next bubblewrap. */
#define MAKE_DELAY_MS 100

static void
schedule (CcEngineSpare *self,
          guint          delay_ms)
{
  if (self->make_id == 0 && self->sandbox == NULL)
    self->make_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, delay_ms, make_cb, self, NULL);
}

CcEngineSpare *
cc_engine_spare_new (const char        *data_dir,
                     const char        *runtime_dir,
                     CcEngineIsolation  isolation)
{
  CcEngineSpare *self;

  g_return_val_if_fail (isolation != CC_ENGINE_ISOLATION_NONE, NULL);

  self = g_new0 (CcEngineSpare, 1);
  self->data_dir = g_strdup (data_dir);
  self->runtime_dir = g_strdup (runtime_dir);
  self->isolation = isolation;
  schedule (self, 0);
  return self;
}

void
cc_engine_spare_free (CcEngineSpare *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->make_id, g_source_remove);
  if (self->sandbox != NULL)
    {
      /* Nothing ran in it: its directories are empty, and go now rather than in the background
       * (the engine is stopping). */
      cc_engine_launcher_stop_all (self->sandbox);
      g_rmdir (cc_engine_sandbox_get_home_dir (self->sandbox));
      g_rmdir (cc_engine_sandbox_get_tmp_dir (self->sandbox));
      g_clear_object (&self->sandbox);
    }
  g_free (self->data_dir);
  g_free (self->runtime_dir);
  g_free (self);
}

CcEngineSandbox *
cc_engine_spare_take (CcEngineSpare *self)
{
  CcEngineSandbox *sandbox;

  if (self == NULL || self->sandbox == NULL)
    return NULL;
  sandbox = g_steal_pointer (&self->sandbox);
  schedule (self, MAKE_DELAY_MS);
  return sandbox;
}

static void
sweep_dir (const char *parent,
           GHashTable *known)
{
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (cc_engine_sandbox_is_valid_id (name) && !g_hash_table_contains (known, name))
      {
        g_autofree char *path = g_build_filename (parent, name, NULL);

        /* rmdir: a directory that holds anything is left alone. */
        g_rmdir (path);
      }
}

void
cc_engine_spare_sweep (const char *data_dir,
                       GHashTable *known)
{
  g_autofree char *homes = g_build_filename (data_dir, "sandboxes", NULL);
  g_autofree char *tmps = g_build_filename (data_dir, "tmp", NULL);

  sweep_dir (homes, known);
  sweep_dir (tmps, known);
}
