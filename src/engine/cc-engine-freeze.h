/* cc-engine-freeze.h: stopping a sandbox's processes while it is paused, and continuing them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stops (@freeze) or continues every process below @below (bubblewrap's pids: themselves left
 * running) and every process in the trees of @leaders (themselves included). */
void cc_engine_freeze_trees (GArray   *below,
                             GArray   *leaders,
                             gboolean  freeze);

G_END_DECLS
