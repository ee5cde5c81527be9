/* main.c: code-canvas-cli
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cc-cli-private.h"

int
main (int   argc,
      char *argv[])
{
  return cc_cli_run (argc, argv);
}
