/* cc-engine-netns.h: a private network namespace for each sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cc-engine-isolation.h"
#include "cc-engine-network-rules.h"

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

/* Whether per-address outbound rules can be applied here; if not, @reason says what is missing. */
gboolean cc_engine_netns_probe_rules    (gboolean     isolated,
                                         char       **reason);
/* Replaces the rules of the namespace @netns_fd (owned by @userns_fd, or -1 when the engine may
 * enter it directly) with @rules (resolved), or removes them when @rules is NULL: a child of the
 * engine does it, off the main loop. On failure the old rules stay. */
void     cc_engine_netns_load_rules_async  (int                   netns_fd,
                                            int                   userns_fd,
                                            CcEngineNetworkRules *rules,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean cc_engine_netns_load_rules_finish (GAsyncResult         *result,
                                            GError              **error);
/* The hidden `--load-network-rules` mode: fd 3 is the network namespace, fd 4 (if open) its
 * owner, standard input the nf_tables script. */
int      cc_engine_netns_load_rules_main   (void);

/* Appends this part's named facts to the status answer's "facts" (see
 * cc_engine_isolation_fact_add()). */
void     cc_engine_netns_add_facts      (JsonArray          *facts,
                                         CcEngineIsolation   isolation);

G_END_DECLS
