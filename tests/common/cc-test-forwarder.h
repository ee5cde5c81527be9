/* cc-test-forwarder.h: a TCP forwarder on loopback that counts what it accepts, for tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Listens on a free port of 127.0.0.1 and splices every connection it accepts to @target_port
 * on 127.0.0.1, on the thread-default main context: a route the server cannot tell from a
 * client, and a count of the connections a client opens.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CcTestForwarder CcTestForwarder;

CcTestForwarder *cc_test_forwarder_new          (guint            target_port);
void             cc_test_forwarder_free         (CcTestForwarder *self);
guint            cc_test_forwarder_get_port     (CcTestForwarder *self);
/* "http://127.0.0.1:<port>" */
const char      *cc_test_forwarder_get_url      (CcTestForwarder *self);
/* Connections accepted so far. */
guint            cc_test_forwarder_get_accepted (CcTestForwarder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcTestForwarder, cc_test_forwarder_free)

G_END_DECLS
