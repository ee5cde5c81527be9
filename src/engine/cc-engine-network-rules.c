/* cc-engine-network-rules.c: what the engine can honour of a sandbox's network configuration
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sandbox's outbound traffic is either all allowed (pasta joins its network namespace) or none
 * (its loopback only). E2B's rules say more: traffic to an address is allowed when the address is
 * in allowOut or not in denyOut, and there are header rules, an egress proxy, HTTPS ports and a
 * token for public traffic. What maps onto all-or-nothing is applied; anything else is refused
 * with a message, never accepted and ignored, so code that relies on a rule never runs without it.
 */
#include "config.h"

#include <gio/gio.h>

#include "cc-engine-network-rules.h"

#define ALL_TRAFFIC "0.0.0.0/0"

/* Reads the string array @member of @network into its length; FALSE (and @error) when it is
 * something else. Sets @has_all when one entry is ALL_TRAFFIC. */
static gboolean
read_list (JsonObject  *network,
           const char  *member,
           guint       *length,
           gboolean    *has_all,
           GError     **error)
{
  JsonNode *node = json_object_get_member (network, member);
  JsonArray *array;

  *length = 0;
  *has_all = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid network configuration: \"%s\" must be a list of addresses", member);
      return FALSE;
    }
  array = json_node_get_array (node);
  *length = json_array_get_length (array);
  for (guint i = 0; i < *length; i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid network configuration: \"%s\" must be a list of addresses", member);
          return FALSE;
        }
      if (g_str_equal (json_node_get_string (item), ALL_TRAFFIC))
        *has_all = TRUE;
    }
  return TRUE;
}

/* Whether @member is present with something in it (a non-empty object, array or string). */
static gboolean
has_content (JsonObject *network,
             const char *member)
{
  JsonNode *node = json_object_get_member (network, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) > 0;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) > 0;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return *json_node_get_string (node) != '\0';
  return TRUE;
}

/**
 * cc_engine_network_rules_read:
 * @network: a create request's `network` object, or an update's body
 * @internet: (inout): whether outbound traffic is allowed; set from the rules when they say
 * @error: why the rules cannot be applied, in words for the person who wrote them
 *
 * Returns: %TRUE when the engine can honour @network exactly.
 */
gboolean
cc_engine_network_rules_read (JsonObject  *network,
                              gboolean    *internet,
                              GError     **error)
{
  static const char * const unsupported[] = { "rules", "egressProxy", "httpsPorts", "maskRequestHost" };
  guint n_allow, n_deny;
  gboolean allow_all, deny_all;
  JsonNode *node;

  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    if (has_content (network, unsupported[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "The local engine cannot apply the network setting \"%s\": leave it out, or "
                     "use an E2B sandbox for it", unsupported[i]);
        return FALSE;
      }
  node = json_object_get_member (network, "allowPublicTraffic");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && !json_node_get_boolean (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The local engine cannot require a token for a sandbox's ports "
                           "(allowPublicTraffic false): its previews answer on 127.0.0.1 only");
      return FALSE;
    }
  node = json_object_get_member (network, "allow_internet_access");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && !json_node_get_boolean (node))
    *internet = FALSE;

  if (!read_list (network, "allowOut", &n_allow, &allow_all, error) ||
      !read_list (network, "denyOut", &n_deny, &deny_all, error))
    return FALSE;
  /* Allowed entries win over denied ones; with nothing denied, everything is allowed. */
  if (n_deny == 0 || allow_all)
    return TRUE;
  if (deny_all && n_allow == 0)
    {
      *internet = FALSE;
      return TRUE;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "The local engine allows a sandbox all outbound traffic or none: deny "
                       "\"" ALL_TRAFFIC "\" with nothing allowed, or set allowInternetAccess "
                       "false, or leave the rules out");
  return FALSE;
}
