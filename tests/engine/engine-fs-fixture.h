/* engine-fs-fixture.h: a running engine with one sandbox, for the filesystem, /files and
 * preview tests
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cc-test-engine.h"

G_BEGIN_DECLS

typedef struct
{
  CcTestEngine *engine;      /* the real engine binary, private to the test */
  SoupSession *session;
  char        *url;          /* http://127.0.0.1:<port> */
  char        *sandbox_id;
  char        *token;        /* the sandbox's envdAccessToken */
  char        *home;         /* the host directory the sandbox sees as /home/user */
} FsFixture;

/* @data: NULL, or extra environment for the engine (a NULL-terminated array of "NAME=value"). */
void         fs_fixture_setup      (FsFixture    *f,
                                    gconstpointer data);
void         fs_fixture_teardown   (FsFixture    *f,
                                    gconstpointer data);

/* A request to the sandbox daemon, routed by E2b-Sandbox-Id, with the access token. */
SoupMessage *fs_daemon_message     (FsFixture    *f,
                                    const char   *method,
                                    const char   *path_and_query);
/* Sends @msg and reads the whole answer, spinning the main loop (the engine runs in it too). */
GBytes      *fs_send               (FsFixture    *f,
                                    SoupMessage  *msg);
/* A unary filesystem.Filesystem call; returns the parsed answer, @status gets the HTTP status. */
JsonObject  *fs_rpc                (FsFixture    *f,
                                    const char   *method,
                                    const char   *request_json,
                                    guint        *status);
/* home/@relative on this machine. */
char        *fs_host_path          (FsFixture    *f,
                                    const char   *relative);
void         fs_write_host_file    (FsFixture    *f,
                                    const char   *relative,
                                    const char   *contents);
/* Spins the main loop until *flag is set (with a generous bound against hangs). */
void         fs_wait_flag          (gboolean     *flag);

G_END_DECLS
