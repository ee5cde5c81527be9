/* fuzz-host.c: the preview Host parser (<port>-<id>.<domain>)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Host it accepts names a port from 1 to 65535 and a valid sandbox id; anything else is
 * refused without touching the outputs.
 */
#include "config.h"

#include "cc-engine-server.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *host = g_strndup ((const char *) data, size);
  g_autofree char *id = NULL;
  guint port = 0;

  if (_cc_engine_parse_sandbox_host (host, &port, &id))
    {
      g_assert_cmpuint (port, >=, 1);
      g_assert_cmpuint (port, <=, 65535);
      g_assert_true (cc_engine_sandbox_is_valid_id (id));
      g_assert_nonnull (strstr (host, id));
    }
  else
    {
      g_assert_cmpuint (port, ==, 0);
      g_assert_null (id);
    }
  return 0;
}
