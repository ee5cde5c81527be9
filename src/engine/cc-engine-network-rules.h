/* cc-engine-network-rules.h: what the engine can honour of a sandbox's network configuration
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean cc_engine_network_rules_read (JsonObject  *network,
                                       gboolean    *internet,
                                       GError     **error);

G_END_DECLS
