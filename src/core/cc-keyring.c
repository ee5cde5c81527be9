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

static const char *
no_answer_text (void)
{
  return _("The keyring did not answer. Is it locked, or is no Secret Service running?");
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

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
    {
      code = CC_KEYRING_ERROR_NO_ANSWER;
      hint = no_answer_text ();
    }
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
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

/* The task of a call about @connection, or NULL when it names none (the error is then
 * already given to @callback). */
static GTask *
keyring_task_new (const char          *connection,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (connection == NULL || connection[0] == '\0')
    {
      g_task_return_new_error (task, CC_KEYRING_ERROR, CC_KEYRING_ERROR_INVALID,
                               _("No connection was named for the API key."));
      return NULL;
    }
  return g_steal_pointer (&task);
}

/* One request to the keyring. libsecret waits as long as the service does: a locked
 * collection whose unlock prompt cannot be shown, or a service that takes the request and
 * never replies, would leave the caller waiting forever. So every request gets a deadline:
 * when it passes, the task ends with CC_KEYRING_ERROR_NO_ANSWER at once, and libsecret's own
 * call is cancelled; its late callback then only frees the call. */
typedef struct
{
  GTask        *task;           /* owned until returned; NULL after */
  GCancellable *cancellable;    /* given to libsecret; follows the caller's */
  GCancellable *caller;
  gulong        caller_handler;
  GSource      *deadline;
  const char   *what;           /* static, translated */
} KeyringCall;

static guint
get_timeout_seconds (void)
{
  const char *text = g_getenv ("CODE_CANVAS_KEYRING_TIMEOUT");
  guint64 value;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 600, &value, NULL))
    return (guint) value;
  return CC_KEYRING_DEFAULT_TIMEOUT_SECONDS;
}

static void
keyring_call_clear_deadline (KeyringCall *call)
{
  if (call->deadline != NULL)
    {
      g_source_destroy (call->deadline);
      g_clear_pointer (&call->deadline, g_source_unref);
    }
}

static void
keyring_call_free (KeyringCall *call)
{
  keyring_call_clear_deadline (call);
  g_clear_object (&call->task);
  g_cancellable_disconnect (call->caller, call->caller_handler);
  g_clear_object (&call->caller);
  g_clear_object (&call->cancellable);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyringCall, keyring_call_free)

static gboolean
on_deadline (gpointer user_data)
{
  KeyringCall *call = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&call->task);

  g_clear_pointer (&call->deadline, g_source_unref);
  g_task_return_new_error (task, CC_KEYRING_ERROR, CC_KEYRING_ERROR_NO_ANSWER, "%s: %s",
                           call->what, no_answer_text ());
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static KeyringCall *
keyring_call_new (GTask      *task,
                  const char *what)
{
  KeyringCall *call = g_new0 (KeyringCall, 1);
  GCancellable *caller = g_task_get_cancellable (task);

  call->task = g_object_ref (task);
  call->what = what;
  call->cancellable = g_cancellable_new ();
  if (caller != NULL)
    {
      call->caller = g_object_ref (caller);
      call->caller_handler = g_cancellable_connect (caller, G_CALLBACK (on_caller_cancelled),
                                                    g_object_ref (call->cancellable),
                                                    g_object_unref);
    }
  call->deadline = g_timeout_source_new_seconds (get_timeout_seconds ());
  g_source_set_callback (call->deadline, on_deadline, call, NULL);
  g_source_attach (call->deadline, g_task_get_context (task));
  return call;
}

/* Ends @call with libsecret's @error (taken, or NULL on success). Returns the task for the
 * caller to return its result on, when there is one to return: NULL when @error was returned,
 * or when the deadline has already ended the task (@error is then dropped). */
static GTask *
keyring_call_end (KeyringCall *call,
                  GError      *error)
{
  g_autoptr(GTask) task = NULL;

  keyring_call_clear_deadline (call);
  task = g_steal_pointer (&call->task);
  if (task == NULL)
    g_clear_error (&error);
  else if (error != NULL)
    g_task_return_error (task, map_error (error, call->what));
  else
    return g_steal_pointer (&task);
  return NULL;
}

/* Store ----------------------------------------------------------------------------------- */

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  secret_password_store_finish (result, &error);
  task = keyring_call_end (call, error);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
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
  KeyringCall *call;

  task = keyring_task_new (connection, cc_keyring_store_async, cancellable, callback, user_data);
  if (task == NULL)
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
  call = keyring_call_new (task, _("Could not save the API key in the keyring"));
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, key, call->cancellable,
                         store_cb, call,
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
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  char *key;

  key = secret_password_lookup_finish (result, &error);
  task = keyring_call_end (call, error);
  if (task != NULL)
    g_task_return_pointer (task, key, (GDestroyNotify) secret_password_free);
  else
    secret_password_free (key);
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
  KeyringCall *call;

  task = keyring_task_new (connection, cc_keyring_lookup_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  call = keyring_call_new (task, _("Could not read the API key from the keyring"));
  secret_password_lookup (get_schema (), call->cancellable, lookup_cb, call,
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
  g_autoptr(KeyringCall) call = user_data;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to clear: fine. */
  secret_password_clear_finish (result, &error);
  task = keyring_call_end (call, error);
  if (task != NULL)
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
  KeyringCall *call;

  task = keyring_task_new (connection, cc_keyring_clear_async, cancellable, callback, user_data);
  if (task == NULL)
    return;

  call = keyring_call_new (task, _("Could not remove the API key from the keyring"));
  secret_password_clear (get_schema (), call->cancellable, clear_cb, call,
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
