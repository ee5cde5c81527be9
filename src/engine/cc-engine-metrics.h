/* cc-engine-metrics.h: measured sandbox metrics, sampled every few seconds and kept as a bounded
 * history that the metrics endpoints answer ranges from
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cc-engine.h"

G_BEGIN_DECLS

#define CC_ENGINE_METRICS_INTERVAL_S 5
/* One hour of samples at the interval above. */
#define CC_ENGINE_METRICS_CAPACITY   720

/* One sandbox's history. */
typedef struct _CcEngineMetrics CcEngineMetrics;

CcEngineMetrics *cc_engine_metrics_new      (void);
void             cc_engine_metrics_free     (CcEngineMetrics *self);
guint            cc_engine_metrics_get_length (CcEngineMetrics *self);
/* Appends SandboxMetric objects with start_s ≤ timestampUnix ≤ end_s to the open array of
 * @builder; @mem_total and @disk_total are the limits to report with each sample. */
void             cc_engine_metrics_add_range (CcEngineMetrics *self,
                                              JsonBuilder     *builder,
                                              gint64           start_s,
                                              gint64           end_s,
                                              gint64           mem_total,
                                              gint64           disk_total);
/* Appends the newest sample as one SandboxMetric object; FALSE if there is none. */
gboolean         cc_engine_metrics_add_latest (CcEngineMetrics *self,
                                               JsonBuilder     *builder,
                                               gint64           mem_total,
                                               gint64           disk_total);

/* The engine-wide sampler: every CC_ENGINE_METRICS_INTERVAL_S it measures the running sandboxes
 * in a worker thread (one /proc scan for all of them, the size of each sandbox's directories) and
 * appends to their histories. It does nothing while no sandbox runs. */
typedef struct _CcEngineSampler CcEngineSampler;

CcEngineSampler *cc_engine_sampler_new      (CcEngine        *engine);
void             cc_engine_sampler_free     (CcEngineSampler *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEngineSampler, cc_engine_sampler_free)

/* Measures a new or resumed sandbox in a worker thread, and appends that sample. Measuring
 * scans all of /proc and the sandbox's directories (a workspace may be large), which is no
 * work for the engine's main loop or a create's answer. */
void             cc_engine_sampler_sample_soon (CcEngineSampler *self,
                                                CcEngineSandbox *sandbox);
/* For a metrics request asked for before the worker's first sample of some of @sandboxes is in
 * (a running sandbox's history is never empty to a client): TRUE when every running one has a
 * sample. Otherwise measures those in a worker thread, never on the main loop (a workspace may
 * hold a whole project), and handles @msg again once they are stored; returns FALSE. */
gboolean         cc_engine_sampler_ensure_samples (CcEngine                *engine,
                                                   SoupServerMessage       *msg,
                                                   CcEngineSandbox * const *sandboxes,
                                                   guint                    n_sandboxes);

G_END_DECLS
