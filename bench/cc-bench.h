/* cc-bench.h: what the parts of the benchmark driver share
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cc-connection.h"
#include "cc-control-plane.h"
#include "cc-envd.h"

G_BEGIN_DECLS

/* One run's result: the timed part, per-item times, bytes moved. */
typedef struct
{
  GArray *samples;       /* double ms */
  double  ms;
  gint64  bytes;
  double  cpu_ms;        /* CPU time in the timed part, when measured (else 0) */
  double  engine_cpu_ms; /* the engine's, when measured (else 0; -1 unknown) */
} BenchResult;

/* Runs @command in the sandbox of @bench to its end; returns its exit code. */
typedef int (*CcBenchRunFunc) (gpointer    bench,
                               const char *command);

G_NORETURN void cc_bench_die             (const char    *what,
                                          const GError  *error);
/* Spins the default main context until an async call stored its result in *slot. */
void            cc_bench_store_result_cb (GObject       *source,
                                          GAsyncResult  *result,
                                          gpointer       user_data);
GAsyncResult   *cc_bench_wait_for        (GAsyncResult **slot);
double          cc_bench_ms_since        (gint64         start_us);

/* cc-bench-client.c */
void            cc_bench_exec            (BenchResult   *result,
                                          guint          n);
void            cc_bench_cache_hit       (BenchResult   *result,
                                          guint          n);

/* cc-bench-mirror.c */
void            cc_bench_mirror_restore  (BenchResult    *result,
                                          CcControlPlane *api,
                                          CcConnection   *connection,
                                          guint           n,
                                          gsize           size);
void            cc_bench_mirror_live     (BenchResult    *result,
                                          CcEnvd         *envd,
                                          guint           n,
                                          CcBenchRunFunc  run,
                                          gpointer        bench);
void            cc_bench_mirror_idle     (BenchResult    *result,
                                          CcEnvd         *envd,
                                          guint           n,
                                          guint           seconds);

/* cc-bench-stall.c */
typedef struct _CcBenchStall CcBenchStall;

CcBenchStall   *cc_bench_stall_start     (void);
void            cc_bench_stall_finish    (CcBenchStall   *stall,
                                          BenchResult    *result);
void            cc_bench_stall_json      (gsize           size);

G_END_DECLS
