/* cc-cli-config.c: code-canvas-cli config, and the settings the CLI shares with the app
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's Preferences are GSettings; the CLI reads the same keys, so a cache lifetime or a
 * history retention set in one holds in the other. Global flags override them for one run.
 * Without the schema (a CLI copied elsewhere), the CLI runs on the core's defaults and says
 * nothing about it; only "config" itself needs the schema.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-cli-private.h"

/* The keys "config" shows and changes: the Preferences that are not window state. */
static const char * const config_keys[] = {
  "cache-ttl",
  "history-retention-days",
  "sandbox-timeout",
  "use-cache",
  "keep-alive",
  "notify-after",
  "default-connection",
  "custom-api-url",
  "custom-sandbox-url",
  "color-scheme",
  NULL
};

GSettings *
cc_cli_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static GSettingsSchemaKey *
lookup_key (GSettings  *settings,
            const char *name)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (!g_strv_contains (config_keys, name))
    return NULL;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (!g_settings_schema_has_key (schema, name))
    return NULL;
  return g_settings_schema_get_key (schema, name);
}

/* "from 0 to 604800", "local, e2b or custom", "true or false": what a key takes, in words. */
static char *
describe_range (GSettingsSchemaKey *key)
{
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
  g_autoptr(GVariant) detail = NULL;
  const char *kind;

  g_variant_get (range, "(&sv)", &kind, &detail);
  if (g_str_equal (kind, "range"))
    {
      g_autoptr(GVariant) min = g_variant_get_child_value (detail, 0);
      g_autoptr(GVariant) max = g_variant_get_child_value (detail, 1);
      g_autofree char *min_text = g_variant_print (min, FALSE);
      g_autofree char *max_text = g_variant_print (max, FALSE);

      return g_strdup_printf (_("a whole number from %s to %s"), min_text, max_text);
    }
  if (g_str_equal (kind, "enum"))
    {
      g_autofree const char **values = g_variant_get_strv (detail, NULL);
      g_autofree char *joined = g_strjoinv (", ", (char **) values);

      return g_strdup_printf (_("one of: %s"), joined);
    }
  if (g_variant_type_equal (g_settings_schema_key_get_value_type (key), G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (_("true or false"));
  if (g_variant_type_equal (g_settings_schema_key_get_value_type (key), G_VARIANT_TYPE_UINT32))
    return g_strdup (_("a whole number"));
  return g_strdup (_("any text"));
}

/* The value as a person types it: text as it is, numbers and booleans as GVariant text. */
static GVariant *
parse_value (GSettingsSchemaKey *key,
             const char         *text)
{
  const GVariantType *type = g_settings_schema_key_get_value_type (key);
  g_autoptr(GVariant) value = NULL;

  if (g_variant_type_equal (type, G_VARIANT_TYPE_STRING))
    value = g_variant_ref_sink (g_variant_new_string (text));
  else if (g_variant_type_equal (type, G_VARIANT_TYPE_UINT32))
    {
      guint64 number;

      if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &number, NULL))
        return NULL;
      value = g_variant_ref_sink (g_variant_new_uint32 ((guint32) number));
    }
  else if (g_variant_type_equal (type, G_VARIANT_TYPE_BOOLEAN))
    {
      if (g_str_equal (text, "true"))
        value = g_variant_ref_sink (g_variant_new_boolean (TRUE));
      else if (g_str_equal (text, "false"))
        value = g_variant_ref_sink (g_variant_new_boolean (FALSE));
      else
        return NULL;
    }
  else
    value = g_variant_parse (type, text, NULL, NULL, NULL);
  if (value == NULL || !g_settings_schema_key_range_check (key, value))
    return NULL;
  return g_steal_pointer (&value);
}

static char *
format_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  return g_variant_print (value, FALSE);
}

/* Checks a global flag's value against its key's range; FALSE with a message when it is out. */
gboolean
cc_cli_check_setting (const char  *name,
                      const char  *flag,
                      const char  *text,
                      guint       *out,
                      char       **message)
{
  g_autoptr(GSettings) settings = cc_cli_settings_new ();
  g_autoptr(GSettingsSchemaKey) key = settings ? lookup_key (settings, name) : NULL;
  g_autoptr(GVariant) value = NULL;
  guint64 number;

  if (key == NULL)
    {
      /* No schema: any whole number the core takes. */
      if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &number, NULL))
        {
          *message = g_strdup_printf (_("%s takes a whole number, not “%s”."), flag, text);
          return FALSE;
        }
      *out = (guint) number;
      return TRUE;
    }
  value = parse_value (key, text);
  if (value == NULL)
    {
      g_autofree char *range = describe_range (key);

      *message = g_strdup_printf (_("%s takes %s, not “%s”."), flag, range, text);
      return FALSE;
    }
  *out = g_variant_get_uint32 (value);
  return TRUE;
}

void
cc_cli_apply_settings (CcCli *cli)
{
  g_autoptr(GSettings) settings = cc_cli_settings_new ();
  guint ttl, days;

  if (settings != NULL)
    {
      g_object_set (cli->client,
                    "cache-ttl", g_settings_get_uint (settings, "cache-ttl"),
                    "sandbox-timeout", g_settings_get_uint (settings, "sandbox-timeout"),
                    NULL);
      days = g_settings_get_uint (settings, "history-retention-days");
      g_object_set (cli->client, "record-retention", days * 24 * 60 * 60, NULL);
    }
  ttl = cli->cache_ttl_override;
  days = cli->history_days_override;
  if (cli->has_cache_ttl_override)
    g_object_set (cli->client, "cache-ttl", ttl, NULL);
  if (cli->has_history_days_override)
    g_object_set (cli->client, "record-retention", days * 24 * 60 * 60, NULL);
}

static void
print_key (GSettings  *settings,
           const char *name)
{
  g_autoptr(GVariant) value = g_settings_get_value (settings, name);
  g_autofree char *text = format_value (value);

  g_print ("%s %s\n", name, text);
}

void
cc_cli_cmd_config (CcCli *cli)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *verb;
  gboolean help = FALSE;

  /* "config" has no options of its own, and a value may look like one ("-1"): only --help is
   * taken as an option, so a wrong value gets the range, not "unknown option". */
  for (int i = 0; i < cli->n_args; i++)
    help |= g_str_equal (cli->args[i], "--help") || g_str_equal (cli->args[i], "-h");
  if (help && !cc_cli_parse_options (cli, _("config get|set [KEY [VALUE]]"),
                             _("Show or change the settings Code Canvas and code-canvas-cli share (the\n"
                               "app's Preferences). “get” alone lists them; “set KEY VALUE” changes one.\n"
                               "Keys: cache-ttl (seconds, 0 turns the cache off), history-retention-days,\n"
                               "sandbox-timeout (seconds), use-cache, keep-alive, notify-after,\n"
                               "default-connection, custom-api-url, custom-sandbox-url, color-scheme."),
                             NULL))
    return;
  verb = cli->n_args > 0 ? cli->args[0] : NULL;
  if (verb == NULL || !(g_str_equal (verb, "get") || g_str_equal (verb, "set")) ||
      (g_str_equal (verb, "get") && cli->n_args > 2) || (g_str_equal (verb, "set") && cli->n_args != 3))
    {
      cc_cli_usage_error (cli, _("Usage: code-canvas-cli config get [KEY] | config set KEY VALUE"));
      return;
    }
  settings = cc_cli_settings_new ();
  if (settings == NULL)
    {
      g_printerr (_("code-canvas-cli: The settings of Code Canvas are not installed on this system "
                    "(no schema %s), so there is nothing to show or change. Commands use the "
                    "defaults.\n"), APP_ID);
      cc_cli_quit (cli, CC_CLI_EXIT_FAILED);
      return;
    }
  if (g_str_equal (verb, "get") && cli->n_args == 1)
    {
      for (guint i = 0; config_keys[i] != NULL; i++)
        print_key (settings, config_keys[i]);
      cc_cli_quit (cli, CC_CLI_EXIT_OK);
      return;
    }
  key = lookup_key (settings, cli->args[1]);
  if (key == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) config_keys);

      cc_cli_usage_error (cli, _("There is no setting “%s”. The settings are: %s."), cli->args[1], known);
      return;
    }
  if (g_str_equal (verb, "get"))
    {
      g_autoptr(GVariant) current = g_settings_get_value (settings, cli->args[1]);
      g_autofree char *text = format_value (current);

      g_print ("%s\n", text);
      cc_cli_quit (cli, CC_CLI_EXIT_OK);
      return;
    }
  value = parse_value (key, cli->args[2]);
  if (value == NULL)
    {
      g_autofree char *range = describe_range (key);

      cc_cli_usage_error (cli, _("%s takes %s, not “%s”."), cli->args[1], range, cli->args[2]);
      return;
    }
  if (!g_settings_set_value (settings, cli->args[1], value))
    {
      g_printerr (_("code-canvas-cli: The setting %s cannot be changed here (it is locked by the "
                    "system administrator).\n"), cli->args[1]);
      cc_cli_quit (cli, CC_CLI_EXIT_FAILED);
      return;
    }
  /* The backend writes later; this process ends soon. */
  g_settings_sync ();
  cc_cli_quit (cli, CC_CLI_EXIT_OK);
}
