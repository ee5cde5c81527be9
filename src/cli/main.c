/* main.c: code-canvas-cli
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>

int
main (int   argc,
      char *argv[])
{
  g_printerr ("code-canvas-cli: not built yet\n");
  return 1;
}
