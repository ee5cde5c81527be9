/* cc-keyring.h: API keys in the OS keyring (libsecret), one secret per connection
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys live only here: never in SQLite, a log line, argv or an environment variable.
 * Call these from the main thread; results come back on the caller's main context.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CC_KEYRING_SCHEMA_NAME     "io.github.codecanvas.CodeCanvas.ApiKey"
/* The connection name of E2B cloud; a custom endpoint uses its API URL as its name. */
#define CC_KEYRING_CONNECTION_E2B  "e2b"

/**
 * CcKeyringError:
 * @CC_KEYRING_ERROR_FAILED: anything else
 * @CC_KEYRING_ERROR_UNAVAILABLE: no keyring service answered (not running, no session bus)
 * @CC_KEYRING_ERROR_LOCKED: the keyring is locked and was not unlocked
 * @CC_KEYRING_ERROR_INVALID: an empty key or connection name was given
 * @CC_KEYRING_ERROR_NO_ANSWER: the keyring service took the request but never answered (a
 *   locked keyring whose prompt cannot be shown, or a stuck service)
 *
 * Cancellation is reported as %G_IO_ERROR_CANCELLED.
 */
typedef enum
{
  CC_KEYRING_ERROR_FAILED,
  CC_KEYRING_ERROR_UNAVAILABLE,
  CC_KEYRING_ERROR_LOCKED,
  CC_KEYRING_ERROR_INVALID,
  CC_KEYRING_ERROR_NO_ANSWER,
} CcKeyringError;

/* How long a keyring request may take before it ends with %CC_KEYRING_ERROR_NO_ANSWER. Long
 * enough for a person to type a password into an unlock prompt; the environment variable
 * CODE_CANVAS_KEYRING_TIMEOUT (seconds, 1 to 600) changes it for slow or scripted systems. */
#define CC_KEYRING_DEFAULT_TIMEOUT_SECONDS 30

#define CC_KEYRING_ERROR (cc_keyring_error_quark ())
GQuark       cc_keyring_error_quark     (void);

void         cc_keyring_store_async     (const char           *connection,
                                         const char           *key,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     cc_keyring_store_finish    (GAsyncResult         *result,
                                         GError              **error);

/* The key, to be freed with cc_keyring_key_free(); NULL without an error when none is stored. */
void         cc_keyring_lookup_async    (const char           *connection,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
char        *cc_keyring_lookup_finish   (GAsyncResult         *result,
                                         GError              **error);
void         cc_keyring_key_free        (char                 *key);

/* Clearing a connection that has no key is not an error. */
void         cc_keyring_clear_async     (const char           *connection,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     cc_keyring_clear_finish    (GAsyncResult         *result,
                                         GError              **error);

G_END_DECLS
