/* test-client-util.h: fixture and helpers of the client tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cc-client.h"
#include "cc-fault-proxy.h"
#include "cc-test-engine.h"
#include "cc-test-util.h"

G_BEGIN_DECLS

typedef struct
{
  char         *tmpdir;
  CcTestEngine *engine;
  CcStore      *store;
  CcClient     *client;
} ClientFixture;

/* Installs a log writer that keeps every line (for the key test), then g_test_init(). */
void          cc_test_client_init            (int            *argc,
                                              char         ***argv);
/* Every log line written so far in this process (debug included). */
const char   *cc_test_client_get_log         (void);

void          cc_test_client_setup           (ClientFixture  *f,
                                              gconstpointer   data);
void          cc_test_client_teardown        (ClientFixture  *f,
                                              gconstpointer   data);
/* A store + client on @f->tmpdir, talking to @f->engine (used by setup; tests reopen with it). */
void          cc_test_client_open            (ClientFixture  *f);

CcProject    *cc_test_create_project         (ClientFixture  *f,
                                              const char     *name,
                                              const char     *template_id);
/* The sandboxes of the local engine share this machine's network: dev servers of tests that
 * run at the same time need ports of their own. A port that was free a moment ago. */
CcProject    *cc_test_create_project_on_port (ClientFixture  *f,
                                              const char     *name,
                                              const char     *template_id,
                                              guint           port);
/* A project on a custom endpoint that is the engine behind @proxy, its key stored and every
 * sandbox request routed through the proxy too, so a fault hits whichever call the test picks. */
CcProject    *cc_test_create_proxied_project (ClientFixture  *f,
                                              CcFaultProxy   *proxy,
                                              const char     *name);
CcProject    *cc_test_get_project            (ClientFixture  *f,
                                              const char     *project_id);
/* Runs and waits; asserts that it ran to its end. */
CcExecution  *cc_test_run                    (ClientFixture  *f,
                                              const char     *project_id,
                                              const char     *command,
                                              CcExecuteFlags  flags);
void          cc_test_wait_execution         (CcExecution    *execution);
void          cc_test_flush                  (ClientFixture  *f);
GListModel   *cc_test_history                (ClientFixture  *f,
                                              const char     *project_id,
                                              guint           limit);
/* DELETE /sandboxes/<id> on the engine, not through the client. */
void          cc_test_kill_sandbox_directly  (ClientFixture  *f,
                                              const char     *sandbox_id);

G_END_DECLS
