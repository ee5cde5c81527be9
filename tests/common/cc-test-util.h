/* cc-test-util.h: helpers shared by the test binaries
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Spin the default main context until *result is set by an async callback (no timed sleeps). */
GAsyncResult *cc_test_wait_result       (GAsyncResult **result);
void          cc_test_store_result_cb   (GObject       *source,
                                         GAsyncResult  *result,
                                         gpointer       user_data);

/* A TCP port free on 127.0.0.1 right now. The engine's sandboxes share this machine's network,
 * so every dev server a test starts needs a port of its own. */
guint         cc_test_free_port         (void);

/* A fresh temporary directory, and its recursive removal. */
char         *cc_test_make_tmpdir       (const char    *prefix);
void          cc_test_rm_rf             (const char    *path);

G_END_DECLS
