/* cc-engine-files-access.c: the /files route's front door, shared by download and upload
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A request to /files is allowed by the sandbox's access token (checked by the router) or, when
 * the sandbox has a token, by a signed URL: "v1_" + SHA-256 of path, operation, user, token and
 * optional expiration. It then picks the Linux user to act as and resolves the path in the
 * sandbox's view. GET and HEAD go on to cc-engine-download.c, POST to cc-engine-upload.c.
 *
 * Errors are envd's: {"code":<status>,"message":…}. One choice of ours: a path that leaves the
 * sandbox (by "..", an absolute path elsewhere or a symlink pointing out) is answered 403, the
 * status the Connect calls use for the same refusal (permission_denied), since envd itself has no
 * confinement to report.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cc-engine-download.h"
#include "cc-engine-entry-info.h"
#include "cc-engine-files-access.h"
#include "cc-engine-path.h"
#include "cc-engine-upload.h"

/* Signatures ------------------------------------------------------------------------------- */

char *
_cc_engine_files_signature (const char *path,
                            const char *op,
                            const char *user,
                            const char *token,
                            gint64      expiration)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *text = NULL;
  g_autofree char *encoded = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *pad;

  if (expiration > 0)
    text = g_strdup_printf ("%s:%s:%s:%s:%" G_GINT64_FORMAT, path ? path : "", op,
                            user ? user : "", token ? token : "", expiration);
  else
    text = g_strdup_printf ("%s:%s:%s:%s", path ? path : "", op, user ? user : "",
                            token ? token : "");
  g_checksum_update (checksum, (const guchar *) text, strlen (text));
  g_checksum_get_digest (checksum, digest, &digest_len);

  encoded = g_base64_encode (digest, digest_len);
  if ((pad = strchr (encoded, '=')) != NULL)
    *pad = '\0';
  return g_strconcat ("v1_", encoded, NULL);
}

const char *
_cc_engine_files_query_get (GHashTable *query,
                            const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

/* Access: the token (checked by the router), else a valid signature that has not expired. */
gboolean
_cc_engine_files_check_access (CcEngineSandbox   *sandbox,
                               SoupServerMessage *msg,
                               GHashTable        *query,
                               gboolean           authorized,
                               const char        *op)
{
  const char *token = cc_engine_sandbox_get_access_token (sandbox);
  const char *signature = _cc_engine_files_query_get (query, "signature");
  const char *expiration_text = _cc_engine_files_query_get (query, "signature_expiration");
  g_autofree char *expected = NULL;
  gint64 expiration = 0;

  if (authorized || token == NULL || *token == '\0')
    return TRUE;

  if (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                    "X-Access-Token") != NULL || signature == NULL)
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, CC_ENGINE_UNAUTHORIZED_MESSAGE);
      return FALSE;
    }

  if (expiration_text != NULL)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (expiration_text, 10, 1, G_MAXINT64, &value, NULL))
        {
          _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature expiration");
          return FALSE;
        }
      expiration = (gint64) value;
      if (expiration < g_get_real_time () / G_USEC_PER_SEC)
        {
          _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "signature is already expired");
          return FALSE;
        }
    }

  expected = _cc_engine_files_signature (_cc_engine_files_query_get (query, "path"), op,
                                         _cc_engine_files_query_get (query, "username"), token, expiration);
  if (!_cc_engine_secret_equal (signature, expected))
    {
      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid signature");
      return FALSE;
    }
  return TRUE;
}

const char *
_cc_engine_files_select_user (SoupServerMessage *msg,
                              GHashTable        *query)
{
  const char *user = _cc_engine_files_query_get (query, "username");

  if (user == NULL || *user == '\0')
    user = "user";
  if (cc_engine_sandbox_user_home (user) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("invalid user: '%s'", user);

      _cc_engine_reply_http_error (msg, SOUP_STATUS_UNAUTHORIZED, message);
      return NULL;
    }
  return user;
}

guint
_cc_engine_files_status_for_error (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    switch (error->code)
      {
      case G_IO_ERROR_NOT_FOUND:
        return SOUP_STATUS_NOT_FOUND;
      case G_IO_ERROR_PERMISSION_DENIED:
        return SOUP_STATUS_FORBIDDEN;
      case G_IO_ERROR_NO_SPACE:
        return SOUP_STATUS_INSUFFICIENT_STORAGE;
      case G_IO_ERROR_MESSAGE_TOO_LARGE:
        return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      case G_IO_ERROR_INVALID_ARGUMENT:
      case G_IO_ERROR_INVALID_DATA:
      case G_IO_ERROR_IS_DIRECTORY:
      case G_IO_ERROR_NOT_DIRECTORY:
      case G_IO_ERROR_EXISTS:
      case G_IO_ERROR_PARTIAL_INPUT:
      case G_IO_ERROR_INVALID_FILENAME:
      case G_IO_ERROR_FILENAME_TOO_LONG:
        return SOUP_STATUS_BAD_REQUEST;
      default:
        break;
      }
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

/* Resolves @path for writing or reading: a symlink at the end is followed in the sandbox's view,
 * so the host never follows a link text meant for the sandbox. */
char *
_cc_engine_files_resolve_target (CcEngineSandbox  *sandbox,
                                 const char       *user,
                                 const char       *path,
                                 char            **sandbox_path,
                                 GError          **error)
{
  g_autofree char *host = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *target_host = NULL;
  struct stat st;
  gboolean is_link;
  int fd;

  host = cc_engine_sandbox_resolve_path (sandbox, user, path, &clean, error);
  if (host == NULL)
    return NULL;
  /* Looked at from the sandbox's directory with symlinks on the way refused, as the open
   * that follows will be. */
  fd = cc_engine_path_open_errno (sandbox, host, O_PATH | O_NOFOLLOW);
  is_link = fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode);
  if (fd >= 0)
    close (fd);
  if (is_link)
    {
      if (!_cc_engine_entry_follow (sandbox, user, host, clean, &target_host, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "path '%s' is a broken symlink", clean);
          return NULL;
        }
      g_free (host);
      host = g_steal_pointer (&target_host);
    }
  if (sandbox_path != NULL)
    *sandbox_path = g_steal_pointer (&clean);
  return g_steal_pointer (&host);
}
/* Entry point ------------------------------------------------------------------------------ */

void
_cc_engine_files_handle (CcEngine          *engine,
                         CcEngineSandbox   *sandbox,
                         SoupServerMessage *msg,
                         GHashTable        *query,
                         gboolean           authorized)
{
  const char *method = soup_server_message_get_method (msg);
  gboolean read = method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
  const char *user;

  if (!read && method != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD, POST");
      _cc_engine_reply_http_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
  if (!_cc_engine_files_check_access (sandbox, msg, query, authorized, read ? "read" : "write"))
    return;
  if ((user = _cc_engine_files_select_user (msg, query)) == NULL)
    return;

  if (read)
    _cc_engine_download_handle (sandbox, msg, query, user);
  else
    _cc_engine_upload_finish (msg);
}
