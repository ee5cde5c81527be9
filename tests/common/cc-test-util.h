/* cc-test-util.h: helpers shared by the test binaries
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long any wait may last before the test gives up: against hangs only, nothing is timed.
 * @seconds is scaled by $CC_TEST_TIMEOUT_SCALE (the runner sets it for slow builds such as
 * the sanitizer one), so a slow machine gets the same bounds, scaled. */
guint         cc_test_scaled_seconds    (guint          seconds);
#define CC_TEST_WAIT_LIMIT_S 120

/* A deadline on the default main context: its timeout source wakes a blocked
 * g_main_context_iteration() when it passes, so a wait on an event that never comes ends. */
typedef struct _CcTestDeadline CcTestDeadline;
CcTestDeadline *cc_test_deadline_new    (guint          seconds);
gboolean      cc_test_deadline_passed   (CcTestDeadline *deadline);
void          cc_test_deadline_free     (CcTestDeadline *deadline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcTestDeadline, cc_test_deadline_free)

/* Spins the default main context until @cond holds; fails the test, naming @what, when the
 * scaled CC_TEST_WAIT_LIMIT_S passes first. Each turn blocks until something happens. */
#define CC_TEST_WAIT_FOR(cond, what)                                                        \
  G_STMT_START {                                                                            \
    g_autoptr(CcTestDeadline) deadline_ = cc_test_deadline_new (CC_TEST_WAIT_LIMIT_S);       \
    while (!(cond))                                                                         \
      {                                                                                     \
        if (cc_test_deadline_passed (deadline_))                                            \
          g_error ("Gave up waiting for %s", (what));                                       \
        g_main_context_iteration (NULL, TRUE);                                              \
      }                                                                                     \
  } G_STMT_END

/* Spin the default main context until *result is set by an async callback (no timed sleeps),
 * within the scaled CC_TEST_WAIT_LIMIT_S. */
GAsyncResult *cc_test_wait_result       (GAsyncResult **result);
void          cc_test_store_result_cb   (GObject       *source,
                                         GAsyncResult  *result,
                                         gpointer       user_data);

/* A handler for a signal that carries a chunk of output (a process's or an execution's
 * "stdout", "stderr" or "pty"): appends the chunk to the GString given as user data. */
void          cc_test_append_chunk_cb   (GObject       *process,
                                         GBytes        *chunk,
                                         GString       *into);

/* A TCP port free on 127.0.0.1 right now. The engine's sandboxes share this machine's network,
 * so every dev server a test starts needs a port of its own. */
guint         cc_test_free_port         (void);

/* Runs @argv (environment @envp, or this process's when NULL) with @input (may be NULL) on its
 * stdin, spinning the main loop until it exits. Stores its stdout and stderr in @out and @err
 * (caller frees). Returns its exit status, or -1 when a signal ended it. */
int           cc_test_run_command       (const char * const *argv,
                                         const char * const *envp,
                                         const char         *input,
                                         char              **out,
                                         char              **err);

/* GETs @url (a loopback address), spinning the main loop. Asserts the exchange itself worked;
 * stores the HTTP status in @status and returns the body. */
GBytes       *cc_test_http_get          (const char         *url,
                                         guint              *status);

/* A size field of /proc/<pid>/status ("VmRSS", "VmHWM", ...) in KiB; @pid 0 is this process.
 * Asserts the field is there. */
guint64       cc_test_proc_status_kib   (GPid           pid,
                                         const char    *field);

/* The number of entries in directory @path (asserted to exist): files, or a process's
 * descriptors under /proc/PID/fd. */
guint         cc_test_count_entries     (const char    *path);

/* A fresh temporary directory, and its recursive removal. */
char         *cc_test_make_tmpdir       (const char    *prefix);
void          cc_test_rm_rf             (const char    *path);

G_END_DECLS
