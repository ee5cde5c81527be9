/* cc-engine-host.c: what the machine the engine runs on provides to sandboxes
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Inside a Flatpak the app's files are under /app and the runtime decides where helpers live, so
 * nothing here may assume one layout. The CA bundle is built per sandbox, from the trust store the
 * engine sees plus the user's file: the host's store is never changed.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cc-engine-host.h"
#include "cc-engine-spawn.h"

gboolean
cc_engine_host_in_flatpak (const char *root)
{
  g_autofree char *info = g_build_filename (root, ".flatpak-info", NULL);

  return g_file_test (info, G_FILE_TEST_EXISTS);
}

char *
cc_engine_host_sandbox_path (const char *root)
{
  if (cc_engine_host_in_flatpak (root))
    return g_strdup ("/app/node/bin:/app/bin:" CC_ENGINE_SANDBOX_PATH);
  return g_strdup (CC_ENGINE_SANDBOX_PATH);
}

static char *
executable_in (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "flatpak-spawn", NULL);

  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR))
    return g_steal_pointer (&path);
  return NULL;
}

char *
cc_engine_host_find_flatpak_spawn (const char *root,
                                   const char *search_path)
{
  static const char * const fixed[] = { "usr/libexec/flatpak-xdg-utils", "usr/bin" };
  g_auto(GStrv) dirs = g_strsplit (search_path != NULL ? search_path : "", ":", -1);

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      char *found;

      /* An empty entry means the working directory: never run a helper from there. */
      if (!g_path_is_absolute (dirs[i]))
        continue;
      if ((found = executable_in (dirs[i])) != NULL)
        return found;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autofree char *dir = g_build_filename (root, fixed[i], NULL);
      char *found = executable_in (dir);

      if (found != NULL)
        return found;
    }
  return NULL;
}

#define LAUNCHER_PROGRAM "code-canvas-launcher"

char *
cc_engine_host_find_launcher (GError **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", error);
  g_autofree char *dir = NULL;
  g_autofree char *relative = NULL;
  const char *candidates[3];

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  relative = g_build_filename (dir, "..", "libexec", NULL);
  candidates[0] = dir;
  candidates[1] = relative;
  candidates[2] = LIBEXECDIR;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *path = g_build_filename (candidates[i], LAUNCHER_PROGRAM, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_canonicalize_filename (path, NULL);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("The sandbox launcher “%s” is missing; reinstall Code Canvas"),
               LIBEXECDIR "/" LAUNCHER_PROGRAM);
  return NULL;
}

char *
cc_engine_host_find_system_cas (const char *root)
{
  /* Debian and derivatives (and the freedesktop runtimes), Fedora, then the generic name. */
  static const char * const bundles[] = {
    "etc/ssl/certs/ca-certificates.crt",
    "etc/pki/tls/certs/ca-bundle.crt",
    "etc/ssl/cert.pem",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bundles); i++)
    {
      g_autofree char *path = g_build_filename (root, bundles[i], NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return NULL;
}

static gint64
mtime_of (const char *path)
{
  GStatBuf buf;

  if (path == NULL || g_stat (path, &buf) != 0)
    return -1;
  return (gint64) buf.st_mtime;
}

gboolean
cc_engine_host_write_ca_bundle (const char  *root,
                                const char  *extra_file,
                                const char  *dest,
                                GError     **error)
{
  g_autofree char *system = cc_engine_host_find_system_cas (root);
  g_autofree char *system_pem = NULL;
  g_autofree char *extra_pem = NULL;
  g_autoptr(GString) bundle = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  gint64 dest_time = mtime_of (dest);

  /* Rebuilt when either source changes; not per command, the system store is large. */
  if (dest_time >= 0 && dest_time > mtime_of (system) && dest_time > mtime_of (extra_file))
    return TRUE;

  if (!g_file_get_contents (extra_file, &extra_pem, NULL, &local_error))
    {
      g_set_error (error, G_FILE_ERROR, local_error->code,
                   _("Could not read the CA certificates named by %s (%s). Point it at a PEM "
                     "file you can read."), CC_ENGINE_CA_FILE_ENV, local_error->message);
      return FALSE;
    }
  if (strstr (extra_pem, "-----BEGIN CERTIFICATE-----") == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("%s names %s, which holds no PEM certificate (“-----BEGIN CERTIFICATE-----”). "
                     "Export the CA as PEM and point %s at that file."),
                   CC_ENGINE_CA_FILE_ENV, extra_file, CC_ENGINE_CA_FILE_ENV);
      return FALSE;
    }
  if (system != NULL && g_file_get_contents (system, &system_pem, NULL, NULL))
    {
      g_string_append (bundle, system_pem);
      if (bundle->len > 0 && bundle->str[bundle->len - 1] != '\n')
        g_string_append_c (bundle, '\n');
    }
  g_string_append (bundle, extra_pem);
  return g_file_set_contents_full (dest, bundle->str, (gssize) bundle->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
