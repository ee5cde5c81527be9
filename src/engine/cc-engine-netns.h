/* cc-engine-netns.h: a private network namespace for each sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* bubblewrap's arguments for the sandbox's own network namespace (loopback up, nothing else). */
void     cc_engine_netns_add_bwrap_args (GPtrArray  *argv);
/* The user namespace owning the network namespace @netns_fd, as a new descriptor, or -1 with
 * errno. bubblewrap nests the sandbox's own user namespace inside the one that owns the network,
 * and entering the network takes capabilities in its owner. */
int      cc_engine_netns_dup_owner      (int         netns_fd);
/* Whether pasta is installed; if not, @reason says what is missing. */
gboolean cc_engine_netns_probe_outbound (char      **reason);
/* Starts pasta for outbound traffic of the namespace @netns_fd (owned by @userns_fd, or -1 to
 * join the network namespace only). Returns its pid, which the caller kills and reaps. */
GPid     cc_engine_netns_start_outbound (int         netns_fd,
                                         int         userns_fd,
                                         GError    **error);

/* Appends this part's named facts to the status answer's "facts" (see
 * cc_engine_isolation_fact_add()). */
void     cc_engine_netns_add_facts      (JsonArray   *facts,
                                         gboolean     isolated);

G_END_DECLS
