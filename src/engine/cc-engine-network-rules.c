/* cc-engine-network-rules.c: a sandbox's outbound rules, as E2B writes them and nf_tables loads them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * E2B's rules: traffic to a destination is allowed when it matches allowOut, else denied when it
 * matches denyOut, else allowed. Entries are addresses, CIDR ranges or host names. Host names are
 * resolved once, when the rule is set, and their addresses are what the sandbox's network filters
 * (E2B matches names in the TLS SNI or HTTP Host of each connection instead; here a name whose
 * addresses change later keeps the old ones until the rules are set again). Header rules, an
 * egress proxy, HTTPS ports and a token for public traffic are refused with a message, never
 * accepted and ignored, so code that relies on a rule never runs without it.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cc-engine-network-rules.h"

#define ALL_TRAFFIC "0.0.0.0/0"
/* Bounds what one request may make the engine resolve and load. */
#define MAX_ENTRIES 512

struct _CcEngineNetworkRules
{
  GObject    parent_instance;
  GPtrArray *allow;  /* char *: normalised addresses or CIDR ranges, or host names */
  GPtrArray *deny;
};

G_DEFINE_FINAL_TYPE (CcEngineNetworkRules, cc_engine_network_rules, G_TYPE_OBJECT)

static void
cc_engine_network_rules_finalize (GObject *object)
{
  CcEngineNetworkRules *self = CC_ENGINE_NETWORK_RULES (object);

  g_clear_pointer (&self->allow, g_ptr_array_unref);
  g_clear_pointer (&self->deny, g_ptr_array_unref);
  G_OBJECT_CLASS (cc_engine_network_rules_parent_class)->finalize (object);
}

static void
cc_engine_network_rules_class_init (CcEngineNetworkRulesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cc_engine_network_rules_finalize;
}

static void
cc_engine_network_rules_init (CcEngineNetworkRules *self)
{
  self->allow = g_ptr_array_new_with_free_func (g_free);
  self->deny = g_ptr_array_new_with_free_func (g_free);
}

/* An address or CIDR range in its canonical form ("0.0.0.0/0", "192.0.2.1", "2001:db8::/32"),
 * or NULL. */
static char *
normalise_address (const char *entry)
{
  g_autoptr(GInetAddressMask) mask = g_inet_address_mask_new_from_string (entry, NULL);

  if (mask == NULL)
    return NULL;
  if (g_inet_address_mask_get_length (mask) ==
      (g_inet_address_mask_get_family (mask) == G_SOCKET_FAMILY_IPV4 ? 32u : 128u))
    return g_inet_address_to_string (g_inet_address_mask_get_address (mask));
  return g_inet_address_mask_to_string (mask);
}

/* A host name in its lower-case ASCII form, or NULL when @entry is none (a wildcard included:
 * its addresses cannot be known in advance). */
static char *
normalise_host_name (const char *entry)
{
  g_autofree char *ascii = g_hostname_to_ascii (entry);
  g_auto(GStrv) labels = NULL;

  if (ascii == NULL || *ascii == '\0' || strlen (ascii) > 253)
    return NULL;
  if (g_str_has_suffix (ascii, "."))
    ascii[strlen (ascii) - 1] = '\0';  /* the root's dot */
  if (*ascii == '\0')
    return NULL;
  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);

      if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
        return NULL;
      for (const char *c = labels[i]; *c; c++)
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
          return NULL;
    }
  return g_ascii_strdown (ascii, -1);
}

static gboolean
is_host_name (const char *entry)
{
  return !g_hostname_is_ip_address (entry) && strchr (entry, '/') == NULL;
}

/* Reads the string array @member of @network into @list, normalised; FALSE (and @error) when it
 * is something else. */
static gboolean
read_list (JsonObject  *network,
           const char  *member,
           GPtrArray   *list,
           GError     **error)
{
  JsonNode *node = json_object_get_member (network, member);
  JsonArray *array;
  guint length;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid network configuration: “%s” must be a list of addresses"), member);
      return FALSE;
    }
  array = json_node_get_array (node);
  length = json_array_get_length (array);
  if (length > MAX_ENTRIES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Invalid network configuration: “%s” has more than %u entries; use CIDR "
                     "ranges"), member, MAX_ENTRIES);
      return FALSE;
    }
  for (guint i = 0; i < length; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *entry;
      char *normal;

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Invalid network configuration: “%s” must be a list of addresses"), member);
          return FALSE;
        }
      entry = json_node_get_string (item);
      normal = normalise_address (entry);
      if (normal == NULL && is_host_name (entry))
        normal = normalise_host_name (entry);
      if (normal == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       strchr (entry, '*') != NULL
                         ? _("The local engine cannot apply the wildcard “%s” in “%s”: it filters "
                             "addresses, so name each host")
                         : _("Invalid network configuration: “%s” in “%s” is not an address, a "
                             "CIDR range or a host name"),
                       entry, member);
          return FALSE;
        }
      g_ptr_array_add (list, normal);
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

static gboolean
list_has (GPtrArray  *list,
          const char *entry)
{
  return g_ptr_array_find_with_equal_func (list, entry, g_str_equal, NULL);
}

gboolean
cc_engine_network_rules_read (JsonObject            *network,
                              gboolean              *internet,
                              CcEngineNetworkRules **rules,
                              GError               **error)
{
  static const char * const unsupported[] = { "rules", "egressProxy", "httpsPorts", "maskRequestHost" };
  g_autoptr(CcEngineNetworkRules) self = g_object_new (CC_TYPE_ENGINE_NETWORK_RULES, NULL);
  JsonNode *node;

  *rules = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    if (has_content (network, unsupported[i]))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     _("The local engine cannot apply the network setting “%s”: leave it out, or "
                       "use an E2B sandbox for it"), unsupported[i]);
        return FALSE;
      }
  node = json_object_get_member (network, "allowPublicTraffic");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && !json_node_get_boolean (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("The local engine cannot require a token for a sandbox's ports "
                             "(allowPublicTraffic false): its previews answer on 127.0.0.1 only"));
      return FALSE;
    }
  node = json_object_get_member (network, "allow_internet_access");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && !json_node_get_boolean (node))
    *internet = FALSE;

  if (!read_list (network, "allowOut", self->allow, error) ||
      !read_list (network, "denyOut", self->deny, error))
    return FALSE;
  /* Allowed entries win over denied ones; with nothing denied, everything is allowed. */
  if (self->deny->len == 0 || list_has (self->allow, ALL_TRAFFIC))
    return TRUE;
  if (list_has (self->deny, ALL_TRAFFIC) && self->allow->len == 0)
    *internet = FALSE;
  *rules = g_steal_pointer (&self);
  return TRUE;
}

CcEngineNetworkRules *
cc_engine_network_rules_new_deny_all (void)
{
  CcEngineNetworkRules *self = g_object_new (CC_TYPE_ENGINE_NETWORK_RULES, NULL);

  g_ptr_array_add (self->deny, g_strdup (ALL_TRAFFIC));
  return self;
}

static void
add_list (JsonBuilder *builder,
          const char  *member,
          GPtrArray   *list)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (list, i));
  json_builder_end_array (builder);
}

JsonNode *
cc_engine_network_rules_to_json (CcEngineNetworkRules *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (CC_IS_ENGINE_NETWORK_RULES (self), NULL);

  json_builder_begin_object (builder);
  add_list (builder, "allowOut", self->allow);
  add_list (builder, "denyOut", self->deny);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
cc_engine_network_rules_has_names (CcEngineNetworkRules *self)
{
  GPtrArray *lists[] = { self->allow, self->deny };

  g_return_val_if_fail (CC_IS_ENGINE_NETWORK_RULES (self), FALSE);

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      if (is_host_name (g_ptr_array_index (lists[l], i)))
        return TRUE;
  return FALSE;
}

/* Resolving host names ------------------------------------------------------------------- */

typedef struct
{
  CcEngineNetworkRules *resolved;
  guint                 pending;
  GError               *error;   /* the first failure */
} Resolve;

static void
resolve_free (gpointer data)
{
  Resolve *resolve = data;

  g_clear_object (&resolve->resolved);
  g_clear_error (&resolve->error);
  g_free (resolve);
}

typedef struct
{
  GTask     *task;
  GPtrArray *list;   /* of resolve->resolved */
  char      *name;
  char      *member;
} Lookup;

static void
lookup_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GTask) task = lookup->task;
  Resolve *resolve = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);

  if (addresses == NULL && resolve->error == NULL)
    g_set_error (&resolve->error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("The host name “%s” in “%s” could not be resolved here, so no rule can be "
                   "made from it: %s"), lookup->name, lookup->member, error->message);
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *text = g_inet_address_to_string (l->data);

      if (!list_has (lookup->list, text))
        g_ptr_array_add (lookup->list, g_steal_pointer (&text));
    }
  g_resolver_free_addresses (addresses);
  g_free (lookup->name);
  g_free (lookup->member);
  g_free (lookup);

  if (--resolve->pending > 0)
    return;
  if (resolve->error != NULL)
    g_task_return_error (task, g_steal_pointer (&resolve->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&resolve->resolved), g_object_unref);
}

void
cc_engine_network_rules_resolve_async (CcEngineNetworkRules *self,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GPtrArray *from[] = { self->allow, self->deny };
  const char *members[] = { "allowOut", "denyOut" };
  Resolve *resolve;

  g_return_if_fail (CC_IS_ENGINE_NETWORK_RULES (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_engine_network_rules_resolve_async);
  resolve = g_new0 (Resolve, 1);
  resolve->resolved = g_object_new (CC_TYPE_ENGINE_NETWORK_RULES, NULL);
  resolve->pending = 1;  /* held until every lookup has started */
  g_task_set_task_data (task, resolve, resolve_free);

  for (guint l = 0; l < G_N_ELEMENTS (from); l++)
    {
      GPtrArray *to = l == 0 ? resolve->resolved->allow : resolve->resolved->deny;

      for (guint i = 0; i < from[l]->len; i++)
        {
          const char *entry = g_ptr_array_index (from[l], i);
          Lookup *lookup;

          if (!is_host_name (entry))
            {
              if (!list_has (to, entry))
                g_ptr_array_add (to, g_strdup (entry));
              continue;
            }
          lookup = g_new0 (Lookup, 1);
          lookup->task = g_object_ref (task);
          lookup->list = to;
          lookup->name = g_strdup (entry);
          lookup->member = g_strdup (members[l]);
          resolve->pending++;
          g_resolver_lookup_by_name_async (resolver, entry, cancellable, lookup_done_cb, lookup);
        }
    }
  if (--resolve->pending == 0)
    g_task_return_pointer (task, g_steal_pointer (&resolve->resolved), g_object_unref);
}

CcEngineNetworkRules *
cc_engine_network_rules_resolve_finish (CcEngineNetworkRules  *self,
                                        GAsyncResult          *result,
                                        GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The nf_tables ruleset --------------------------------------------------------------------- */

/* Appends the sets @name4 and @name6 holding the IPv4 and IPv6 entries of @list; says which
 * were not empty. "0.0.0.0/0" stands for all traffic, IPv6 included, as it does on E2B, where
 * sandboxes have no IPv6: an allow-list written for IPv4 must not leave IPv6 open. */
static void
add_sets (GString    *out,
          GPtrArray  *list,
          const char *name4,
          const char *name6,
          gboolean   *has4,
          gboolean   *has6)
{
  g_autoptr(GString) v4 = g_string_new (NULL);
  g_autoptr(GString) v6 = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const char *entry = g_ptr_array_index (list, i);
      gboolean all = g_str_equal (entry, ALL_TRAFFIC);

      if (is_host_name (entry))
        continue;  /* never here: names are resolved before the rules are loaded */
      if (strchr (entry, ':') == NULL || all)
        g_string_append_printf (v4, "%s%s", v4->len > 0 ? ", " : "", entry);
      if (strchr (entry, ':') != NULL || all)
        g_string_append_printf (v6, "%s%s", v6->len > 0 ? ", " : "", all ? "::/0" : entry);
    }
  *has4 = v4->len > 0;
  *has6 = v6->len > 0;
  if (*has4)
    g_string_append_printf (out, "  set %s { type ipv4_addr; flags interval; auto-merge; "
                            "elements = { %s } }\n", name4, v4->str);
  if (*has6)
    g_string_append_printf (out, "  set %s { type ipv6_addr; flags interval; auto-merge; "
                            "elements = { %s } }\n", name6, v6->str);
}

char *
cc_engine_network_rules_to_nft (CcEngineNetworkRules *self,
                                const char * const   *nameservers)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) dns4 = g_string_new (NULL);
  g_autoptr(GString) dns6 = g_string_new (NULL);
  gboolean allow4, allow6, deny4, deny6;

  /* One transaction: the table is made if missing, then replaced, so a sandbox never sees a
   * moment without rules, and a failed load leaves the old ones. */
  g_string_append (out, "table inet " CC_ENGINE_NETWORK_RULES_TABLE " {}\n"
                        "delete table inet " CC_ENGINE_NETWORK_RULES_TABLE "\n");
  if (self == NULL)
    return g_string_free (g_steal_pointer (&out), FALSE);

  g_string_append (out, "table inet " CC_ENGINE_NETWORK_RULES_TABLE " {\n");
  add_sets (out, self->allow, "allow4", "allow6", &allow4, &allow6);
  add_sets (out, self->deny, "deny4", "deny6", &deny4, &deny6);
  for (guint i = 0; nameservers != NULL && nameservers[i] != NULL; i++)
    {
      GString *dns = strchr (nameservers[i], ':') != NULL ? dns6 : dns4;

      g_string_append_printf (dns, "%s%s", dns->len > 0 ? ", " : "", nameservers[i]);
    }
  g_string_append (out, "  chain output {\n"
                        "    type filter hook output priority filter; policy accept;\n"
                        "    oifname \"lo\" accept\n");
  /* Names must keep resolving: the sandbox asks the nameservers of the host's resolv.conf,
   * which it shares, on port 53. */
  if (dns4->len > 0)
    g_string_append_printf (out, "    ip daddr { %s } meta l4proto { tcp, udp } th dport 53 "
                            "accept\n", dns4->str);
  if (dns6->len > 0)
    g_string_append_printf (out, "    ip6 daddr { %s } meta l4proto { tcp, udp } th dport 53 "
                            "accept\n", dns6->str);
  if (allow4)
    g_string_append (out, "    ip daddr @allow4 accept\n");
  if (allow6)
    g_string_append (out, "    ip6 daddr @allow6 accept\n");
  /* Refused at once rather than dropped, so a denied connection fails instead of hanging. */
  if (deny4)
    g_string_append (out, "    ip daddr @deny4 reject with icmpx admin-prohibited\n");
  if (deny6)
    g_string_append (out, "    ip6 daddr @deny6 reject with icmpx admin-prohibited\n");
  g_string_append (out, "  }\n}\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
