/* cc-control-plane.h: the E2B control plane (sandbox lifecycle)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks the control plane's REST API over a #CcConnection: create, get, list, kill, set timeout,
 * refresh, pause, connect/resume and metrics. Every call is asynchronous; errors are in the
 * CC_SANDBOX_ERROR domain (or G_IO_ERROR_CANCELLED).
 */
#pragma once

#include <gio/gio.h>

#include "cc-connection.h"

G_BEGIN_DECLS

typedef enum
{
  CC_SANDBOX_STATE_UNKNOWN,
  CC_SANDBOX_STATE_RUNNING,
  CC_SANDBOX_STATE_PAUSED,
} CcSandboxState;

/**
 * CcSandboxOnTimeout:
 * @CC_SANDBOX_ON_TIMEOUT_DEFAULT: send nothing (the server's default: kill)
 * @CC_SANDBOX_ON_TIMEOUT_KILL: `"autoPause": false`
 * @CC_SANDBOX_ON_TIMEOUT_PAUSE: `"autoPause": true` (files and processes are kept)
 */
typedef enum
{
  CC_SANDBOX_ON_TIMEOUT_DEFAULT,
  CC_SANDBOX_ON_TIMEOUT_KILL,
  CC_SANDBOX_ON_TIMEOUT_PAUSE,
} CcSandboxOnTimeout;

/**
 * CcSandboxInfo:
 *
 * What the control plane says about one sandbox (create/connect answer, get, or a list row).
 * Fields absent from the answer are NULL / 0. Reference counted; treat as read-only.
 * @envd_access_token is a secret: never log it.
 */
typedef struct
{
  /*< private >*/
  gatomicrefcount ref_count;
  /*< public >*/
  char           *sandbox_id;
  char           *template_id;
  char           *alias;
  char           *client_id;
  char           *envd_version;
  char           *envd_access_token;
  char           *domain;               /* NULL: use the connection's domain */
  char           *traffic_access_token;
  CcSandboxState  state;
  gint64          started_at;           /* unix µs, 0 when unknown */
  gint64          end_at;               /* unix µs: when the sandbox times out, 0 when unknown */
  int             cpu_count;
  int             memory_mb;
  int             disk_size_mb;
  GHashTable     *metadata;             /* string → string; never NULL */
  gboolean        resumed;              /* connect answered 201: it was paused and resumed */
} CcSandboxInfo;

#define CC_TYPE_SANDBOX_INFO (cc_sandbox_info_get_type ())
GType            cc_sandbox_info_get_type   (void) G_GNUC_CONST;
CcSandboxInfo   *cc_sandbox_info_ref        (CcSandboxInfo *info);
void             cc_sandbox_info_unref      (CcSandboxInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcSandboxInfo, cc_sandbox_info_unref)

/**
 * CcSandboxMetric:
 *
 * One sample of GET /sandboxes/{id}/metrics. Plain struct; free with g_free().
 */
typedef struct
{
  gint64  timestamp;      /* unix seconds */
  int     cpu_count;
  double  cpu_used_pct;
  gint64  mem_used;
  gint64  mem_total;
  gint64  mem_cache;
  gint64  disk_used;
  gint64  disk_total;
} CcSandboxMetric;

/**
 * CcSandboxListQuery:
 *
 * Filters for cc_control_plane_list_async(); zero-initialise, set what you need.
 */
typedef struct
{
  GHashTable *metadata;        /* string → string, or NULL */
  gboolean    running;         /* state filter; both FALSE = no state parameter (server: both) */
  gboolean    paused;
  guint       limit;           /* 0 = server default (100) */
  const char *next_token;      /* from the previous page, or NULL */
} CcSandboxListQuery;

#define CC_TYPE_CONTROL_PLANE (cc_control_plane_get_type ())
G_DECLARE_FINAL_TYPE (CcControlPlane, cc_control_plane, CC, CONTROL_PLANE, GObject)

CcControlPlane *cc_control_plane_new                (CcConnection              *connection);
CcConnection   *cc_control_plane_get_connection     (CcControlPlane            *self);

/* POST /v2/sandboxes. @template_id NULL = "base"; @timeout_sec 0 = not sent (server default
 * 300 s); @metadata and @env_vars (string → string) may be NULL. Retried when safe. */
/* A folder of this machine that create asks the local engine to mount as the sandbox's home
 * (our engine's own field; NULL for none, and never for other services). */
void            cc_control_plane_set_workspace      (CcControlPlane            *self,
                                                     const char                *path);
void            cc_control_plane_create_async       (CcControlPlane            *self,
                                                     const char                *template_id,
                                                     guint                      timeout_sec,
                                                     GHashTable                *metadata,
                                                     GHashTable                *env_vars,
                                                     CcSandboxOnTimeout         on_timeout,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
CcSandboxInfo  *cc_control_plane_create_finish      (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* GET /sandboxes/{id}. A missing sandbox is CC_SANDBOX_ERROR_SANDBOX_GONE. */
void            cc_control_plane_get_async          (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
CcSandboxInfo  *cc_control_plane_get_finish         (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* GET /v2/sandboxes: one page. Returns CcSandboxInfo elements; @next_token (out, nullable)
 * is the X-Next-Token of the answer or NULL on the last page. */
void            cc_control_plane_list_async         (CcControlPlane            *self,
                                                     const CcSandboxListQuery  *query,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
GPtrArray      *cc_control_plane_list_finish        (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     char                     **next_token,
                                                     GError                   **error);

/* DELETE /sandboxes/{id}. A sandbox that does not exist is CC_SANDBOX_ERROR_SANDBOX_GONE
 * (callers that only want it gone may treat that as success). */
void            cc_control_plane_kill_async         (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean        cc_control_plane_kill_finish        (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* POST /sandboxes/{id}/timeout {"timeout": s}: the sandbox ends @timeout_sec from now. */
void            cc_control_plane_set_timeout_async  (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     guint                      timeout_sec,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean        cc_control_plane_set_timeout_finish (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* POST /sandboxes/{id}/refreshes {"duration": s} (@duration_sec 0 = not sent). */
void            cc_control_plane_refresh_async      (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     guint                      duration_sec,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean        cc_control_plane_refresh_finish     (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* POST /sandboxes/{id}/pause {}. "Already paused" (409) counts as success. */
void            cc_control_plane_pause_async        (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
gboolean        cc_control_plane_pause_finish       (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* POST /v2/sandboxes/{id}/connect {"timeout": s} (@timeout_sec 0 = not sent): returns a
 * running sandbox, resuming a paused one (info->resumed). Gone → SANDBOX_GONE. */
void            cc_control_plane_connect_async      (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     guint                      timeout_sec,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
CcSandboxInfo  *cc_control_plane_connect_finish     (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

/* GET /sandboxes/{id}/metrics[?start=&end=] (unix seconds, 0 = not sent).
 * Returns CcSandboxMetric elements (freed by the array). */
void            cc_control_plane_get_metrics_async  (CcControlPlane            *self,
                                                     const char                *sandbox_id,
                                                     gint64                     start,
                                                     gint64                     end,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
GPtrArray      *cc_control_plane_get_metrics_finish (CcControlPlane            *self,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

G_END_DECLS
