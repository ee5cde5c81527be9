/* test-translation.c: the application shows its German translation under LANGUAGE=de
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds the real window with the catalog that the build compiled from po/de.po, waits until
 * the application has settled (its client is ready or has failed), then walks every mapped
 * widget. It needs at least one string that the catalog translated, and no English string
 * left on screen for which the catalog has a German translation (a string that skipped
 * gettext, or a catalog that is not loaded).
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cc-application.h"
#include "cc-test-util.h"

/* What the compiled catalog knows: German strings, and English originals that have one. */
typedef struct
{
  GHashTable *german;   /* translation -> TRUE */
  GHashTable *english;  /* original -> translation, only where they differ */
  char       *sample_msgid;   /* one plain message, to ask gettext itself */
  char       *sample_msgstr;
} Catalog;

/* "_Save" as GTK shows it: mnemonic underscores dropped, "__" kept as one. */
static char *
strip_mnemonic (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] == '_')
            {
              g_string_append_c (out, '_');
              p++;
            }
          continue;
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static guint32
mo_u32 (const guint8 *data,
        gsize         len,
        gsize         offset,
        gboolean      swap)
{
  guint32 v;

  g_assert_cmpuint (offset + 4, <=, len);
  memcpy (&v, data + offset, 4);
  return swap ? GUINT32_SWAP_LE_BE (v) : v;
}

/* The n-th string of a .mo table; g_strndup stops at the NUL that separates plural forms. */
static char *
mo_string (const guint8 *data,
           gsize         len,
           guint32       table,
           guint32       n,
           gboolean      swap)
{
  guint32 slen = mo_u32 (data, len, table + n * 8, swap);
  guint32 soff = mo_u32 (data, len, table + n * 8 + 4, swap);

  g_assert_cmpuint ((gsize) soff + slen, <=, len);
  return g_strndup ((const char *) data + soff, slen);
}

static void
catalog_add (Catalog    *catalog,
             const char *original,
             const char *translation,
             gboolean    plural)
{
  const char *msgid = strchr (original, '\004');  /* msgctxt EOT msgid */
  g_autofree char *shown_original = NULL;
  g_autofree char *shown_translation = NULL;

  msgid = msgid != NULL ? msgid + 1 : original;
  shown_original = strip_mnemonic (msgid);
  shown_translation = strip_mnemonic (translation);
  if (*translation == '\0' || g_strcmp0 (msgid, translation) == 0)
    return;
  g_hash_table_add (catalog->german, g_strdup (translation));
  g_hash_table_add (catalog->german, g_strdup (shown_translation));
  g_hash_table_insert (catalog->english, g_strdup (msgid), g_strdup (translation));
  g_hash_table_insert (catalog->english, g_strdup (shown_original), g_strdup (shown_translation));
  if (catalog->sample_msgid == NULL && !plural && msgid == original && strchr (translation, '%') == NULL)
    {
      catalog->sample_msgid = g_strdup (msgid);
      catalog->sample_msgstr = g_strdup (translation);
    }
}

static Catalog *
catalog_load (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const guint8 *data;
  gsize len = 0;
  gboolean swap;
  guint32 n, originals, translations;
  Catalog *catalog = g_new0 (Catalog, 1);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  data = (const guint8 *) contents;

  g_assert_cmpuint (len, >=, 20);
  swap = mo_u32 (data, len, 0, FALSE) != 0x950412de;
  g_assert_cmphex (mo_u32 (data, len, 0, swap), ==, 0x950412de);
  n = mo_u32 (data, len, 8, swap);
  originals = mo_u32 (data, len, 12, swap);
  translations = mo_u32 (data, len, 16, swap);

  catalog->german = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  catalog->english = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint32 i = 0; i < n; i++)
    {
      g_autofree char *original = mo_string (data, len, originals, i, swap);
      g_autofree char *translation = mo_string (data, len, translations, i, swap);

      /* Entry 0 is the header; a plural original is "singular NUL plural". */
      if (*original != '\0')
        catalog_add (catalog, original, translation,
                     strlen (original) < mo_u32 (data, len, originals + i * 8, swap));
    }
  return catalog;
}

static void
catalog_free (Catalog *catalog)
{
  g_hash_table_unref (catalog->german);
  g_hash_table_unref (catalog->english);
  g_free (catalog->sample_msgid);
  g_free (catalog->sample_msgstr);
  g_free (catalog);
}

typedef struct
{
  Catalog   *catalog;
  GPtrArray *translated;  /* German strings seen */
  GPtrArray *leftovers;   /* English strings seen that have a translation */
} Scan;

static void
scan_string (Scan       *scan,
             const char *text)
{
  if (text == NULL || *text == '\0')
    return;
  if (g_hash_table_contains (scan->catalog->german, text))
    g_ptr_array_add (scan->translated, g_strdup (text));
  else if (g_hash_table_contains (scan->catalog->english, text))
    g_ptr_array_add (scan->leftovers, g_strdup (text));
}

static void
scan_widget (Scan      *scan,
             GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    scan_string (scan, gtk_label_get_text (GTK_LABEL (widget)));
  if (GTK_IS_WINDOW (widget))
    scan_string (scan, gtk_window_get_title (GTK_WINDOW (widget)));
  scan_string (scan, gtk_widget_get_tooltip_text (widget));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    scan_widget (scan, child);
}

static gboolean
app_settled (CcApplication *app)
{
  return cc_application_get_client (app) != NULL || cc_application_get_error (app) != NULL;
}

static gboolean
hang_guard_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_window_german (void)
{
  g_autofree char *mo_path = g_build_filename (CC_TEST_LOCALEDIR, "de", "LC_MESSAGES",
                                               GETTEXT_PACKAGE ".mo", NULL);
  g_autoptr(CcApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  GtkWindow *window;
  Catalog *catalog;
  Scan scan = { 0 };
  gboolean expired = FALSE;
  guint guard;

  catalog = catalog_load (mo_path);
  g_assert_cmpuint (g_hash_table_size (catalog->english), >, 0);

  /* gettext itself answers in German: the catalog is found and the locale honours LANGUAGE. */
  g_assert_nonnull (catalog->sample_msgid);
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, catalog->sample_msgid), ==, catalog->sample_msgstr);

  app = cc_application_new ();
  /* Another test may own the application's bus name: run as an independent instance. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (window);

  /* Wait on events (window mapped, client ready or failed); the guard only prevents a hang. */
  guard = g_timeout_add_seconds (cc_test_scaled_seconds (60), hang_guard_cb, &expired);
  while (!expired && !(gtk_widget_get_mapped (GTK_WIDGET (window)) && app_settled (app)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (guard);
  /* Let the views react to the client before looking at them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  scan.catalog = catalog;
  scan.translated = g_ptr_array_new_with_free_func (g_free);
  scan.leftovers = g_ptr_array_new_with_free_func (g_free);
  scan_widget (&scan, GTK_WIDGET (window));

  for (guint i = 0; i < scan.translated->len; i++)
    g_test_message ("translated: %s", (const char *) scan.translated->pdata[i]);
  for (guint i = 0; i < scan.leftovers->len; i++)
    g_string_append_printf (report, "\n  “%s” (German: “%s”)", (const char *) scan.leftovers->pdata[i],
                            (const char *) g_hash_table_lookup (catalog->english, scan.leftovers->pdata[i]));
  if (scan.leftovers->len > 0)
    g_test_message ("English strings on screen that have a German translation:%s", report->str);

  g_assert_cmpuint (scan.translated->len, >, 0);
  g_assert_cmpuint (scan.leftovers->len, ==, 0);

  gtk_window_destroy (window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (scan.translated);
  g_ptr_array_unref (scan.leftovers);
  catalog_free (catalog);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = cc_test_make_tmpdir ("cc-test-translation");
  g_autofree char *runtime_dir = g_build_filename (home, "run", NULL);
  int status;

  /* A profile of its own: the database this creates must not be seen by other tests. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_mkdir_with_parents (runtime_dir, 0700);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);

  /* The uninstalled schema and catalog, in German, whatever the caller's environment says. */
  g_setenv ("GSETTINGS_SCHEMA_DIR", CC_TEST_SCHEMADIR, TRUE);
  g_setenv ("LANGUAGE", "de", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");

  gtk_test_init (&argc, &argv, NULL);
  /* gtk_test_init picks en_US.UTF-8; gettext ignores LANGUAGE only in the C locale, and
   * C.UTF-8 always exists, so no extra locale has to be generated. */
  g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, CC_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/data/translation/window-german", test_window_german);
  status = g_test_run ();
  cc_test_rm_rf (home);
  return status;
}
