/* cc-engine-network-rules.h: a sandbox's outbound rules, as E2B writes them and nf_tables loads them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The nf_tables table the engine owns in each sandbox's network namespace. */
#define CC_ENGINE_NETWORK_RULES_TABLE "code_canvas"

#define CC_TYPE_ENGINE_NETWORK_RULES (cc_engine_network_rules_get_type ())
G_DECLARE_FINAL_TYPE (CcEngineNetworkRules, cc_engine_network_rules, CC, ENGINE_NETWORK_RULES,
                      GObject)

/* Reads a create request's `network` object, an update's body, or a saved sandbox's rules.
 * @internet is set FALSE when the rules close all outbound traffic (everything denied, nothing
 * allowed). @rules is set to the per-address rules, or NULL when nothing is denied (or all is
 * allowed). FALSE with @error, in words for the person who wrote them, for what cannot be
 * applied. */
gboolean              cc_engine_network_rules_read           (JsonObject            *network,
                                                              gboolean              *internet,
                                                              CcEngineNetworkRules **rules,
                                                              GError               **error);
/* Rules that deny all outbound traffic. */
CcEngineNetworkRules *cc_engine_network_rules_new_deny_all   (void);
/* {"allowOut": [...], "denyOut": [...]}, as read back by cc_engine_network_rules_read(). */
JsonNode             *cc_engine_network_rules_to_json        (CcEngineNetworkRules  *self);
/* Whether some entry is a host name, to be resolved before the rules are loaded. */
gboolean              cc_engine_network_rules_has_names      (CcEngineNetworkRules  *self);
/* New rules with every host name replaced by its addresses, through the host's resolver. */
void                  cc_engine_network_rules_resolve_async  (CcEngineNetworkRules  *self,
                                                              GCancellable          *cancellable,
                                                              GAsyncReadyCallback    callback,
                                                              gpointer               user_data);
CcEngineNetworkRules *cc_engine_network_rules_resolve_finish (CcEngineNetworkRules  *self,
                                                              GAsyncResult          *result,
                                                              GError               **error);
/* The nf_tables script that replaces the engine's table with @self's rules (resolved), or
 * removes it when @self is NULL. @nameservers stay reachable on port 53. */
char                 *cc_engine_network_rules_to_nft         (CcEngineNetworkRules  *self,
                                                              const char * const    *nameservers);

G_END_DECLS
