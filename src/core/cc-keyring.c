/* cc-keyring.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only libsecret's secret_password_* calls, and only their asynchronous forms: they work with
 * gnome-keyring, KWallet and other Secret Service providers, and inside a Flatpak they go
 * through the Secret portal by themselves. A key passes through here and nowhere else; it is
 * never logged, and errors never quote it.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "cc-keyring.h"

G_DEFINE_QUARK (cc-keyring-error-quark, cc_keyring_error)

static const SecretSchema *
get_schema (void)
{
  /* One item per connection: "e2b" for E2B cloud, the API URL for a custom endpoint. */
  static const SecretSchema schema = {
    CC_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "connection", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Turns libsecret's and D-Bus's errors into one a person can act on. */
static GError *
map_error (GError     *error,
           const char *what)
{
  GError *mapped;
  int code = CC_KEYRING_ERROR_FAILED;
  const char *hint;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    {
      code = CC_KEYRING_ERROR_LOCKED;
      hint = _("The keyring is locked. Unlock it (in Passwords and Keys, or by logging in "
               "again) and try again.");
    }
  else if (error->domain == G_DBUS_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_DBUS_ERROR) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED) ||
           g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
           g_error_matches (error, SECRET_ERROR, SECRET_ERROR_PROTOCOL))
    {
      code = CC_KEYRING_ERROR_UNAVAILABLE;
      hint = _("The keyring is locked or not running. Make sure a keyring service (such as "
               "GNOME Keyring) is running and unlocked in your session, then try again.");
    }
  else
    {
      hint = _("The keyring refused the request. Check that it is running and unlocked, "
               "then try again.");
    }

  mapped = g_error_new (CC_KEYRING_ERROR, code, "%s: %s (%s)", what, hint, error->message);
  g_error_free (error);
  return mapped;
}

static gboolean
check_connection (GTask      *task,
                  const char *connection)
{
  if (connection == NULL || connection[0] == '\0')
    {
      g_task_return_new_error (task, CC_KEYRING_ERROR, CC_KEYRING_ERROR_INVALID,
                               _("No connection was named for the API key."));
      return FALSE;
    }
  return TRUE;
}

/* Store ----------------------------------------------------------------------------------- */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task,
                         map_error (error, _("Could not save the API key in the keyring")));
}

/**
 * cc_keyring_store_async:
 * @connection: the connection the key is for (%CC_KEYRING_CONNECTION_E2B, or a custom
 *   endpoint's API URL)
 * @key: the API key
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Saves @key in the user's default keyring collection, replacing the connection's old key.
 */
void
cc_keyring_store_async (const char          *connection,
                        const char          *key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *label = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_keyring_store_async);

  if (!check_connection (task, connection))
    return;
  if (key == NULL || key[0] == '\0' || !g_utf8_validate (key, -1, NULL))
    {
      g_task_return_new_error (task, CC_KEYRING_ERROR, CC_KEYRING_ERROR_INVALID,
                               _("The API key is empty or is not text. Paste the key again."));
      return;
    }

  /* Translators: the name of the keyring item, as shown by Passwords and Keys; %s is "e2b" or
   * the URL of an endpoint. */
  label = g_strdup_printf (_("Code Canvas API key for %s"), connection);
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, key, cancellable,
                         store_cb, g_steal_pointer (&task),
                         "connection", connection,
                         NULL);
}

/**
 * cc_keyring_store_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError (%CC_KEYRING_ERROR or %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE when the key was saved
 */
gboolean
cc_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup ---------------------------------------------------------------------------------- */

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *key;

  key = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task,
                         map_error (error, _("Could not read the API key from the keyring")));
  else
    g_task_return_pointer (task, key, (GDestroyNotify) secret_password_free);
}

/**
 * cc_keyring_lookup_async:
 * @connection: the connection whose key to read
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Reads a connection's key. Finding none is not an error: cc_keyring_lookup_finish()
 * returns %NULL without setting its error.
 */
void
cc_keyring_lookup_async (const char          *connection,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_keyring_lookup_async);

  if (!check_connection (task, connection))
    return;

  secret_password_lookup (get_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          "connection", connection,
                          NULL);
}

/**
 * cc_keyring_lookup_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the key, held in memory that is not swapped out;
 *   free it with cc_keyring_key_free(). %NULL when none is stored or on error.
 */
char *
cc_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * cc_keyring_key_free:
 * @key: (nullable): a key from cc_keyring_lookup_finish()
 *
 * Wipes and frees a key.
 */
void
cc_keyring_key_free (char *key)
{
  secret_password_free (key);
}

/* Clear ----------------------------------------------------------------------------------- */

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to clear: fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task,
                         map_error (error, _("Could not remove the API key from the keyring")));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * cc_keyring_clear_async:
 * @connection: the connection whose key to remove
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes a connection's key from the keyring.
 */
void
cc_keyring_clear_async (const char          *connection,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_keyring_clear_async);

  if (!check_connection (task, connection))
    return;

  secret_password_clear (get_schema (), cancellable, clear_cb, g_steal_pointer (&task),
                         "connection", connection,
                         NULL);
}

/**
 * cc_keyring_clear_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError (%CC_KEYRING_ERROR or %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE when no key is stored for the connection any more
 */
gboolean
cc_keyring_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
