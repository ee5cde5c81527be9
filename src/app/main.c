/* main.c: code-canvas
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "cc-application.h"

/* Whether this machine has a GPU render node we may use. */
static gboolean
have_render_node (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      int fd;

      if (!g_str_has_prefix (name, "renderD"))
        continue;
      path = g_build_filename ("/dev/dri", name, NULL);
      fd = open (path, O_RDWR | O_CLOEXEC);
      if (fd >= 0)
        {
          close (fd);
          return TRUE;
        }
    }
  return FALSE;
}

/* GTK 4.8 sets up GL when it opens the display, even to draw with cairo. With no GPU to render
 * on (a virtual machine, a remote session), that GL is Mesa's software rasteriser: about 50 MiB
 * and CPU time that drawing with cairo does not need. Whoever set GDK's debug flags or asked for
 * the GL renderer keeps their choice. The preview's WebKit is told too: it would try GTK's GL,
 * find it off and warn. Before anything starts a thread: it sets the environment. */
static void
avoid_software_gl (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");

  if (g_getenv ("GDK_DEBUG") != NULL ||
      g_strcmp0 (renderer, "gl") == 0 || g_strcmp0 (renderer, "opengl") == 0 ||
      have_render_node ())
    return;
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
  /* Straight to cairo: GTK would try its GL renderer first and print that it failed. */
  if (renderer == NULL)
    g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CcApplication) app = NULL;

  avoid_software_gl ();
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
