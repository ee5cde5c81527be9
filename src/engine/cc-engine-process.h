/* cc-engine-process.h: one process of a sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cc-engine-launcher.h"
#include "cc-engine-private.h"

G_BEGIN_DECLS

#define CC_TYPE_ENGINE_PROCESS (cc_engine_process_get_type ())

G_DECLARE_FINAL_TYPE (CcEngineProcess, cc_engine_process, CC, ENGINE_PROCESS, GObject)

/* Launches @argv; @config is the request's ProcessConfig (kept for List). With @pty_cols > 0
 * the process gets a pseudo-terminal of that size, else pipes (stdin only when @want_stdin). */
CcEngineProcess *cc_engine_process_spawn       (CcEngineSandbox   *sandbox,
                                                JsonObject        *config,
                                                const char        *tag,
                                                GStrv              argv,
                                                GStrv              envp,
                                                const char        *host_cwd,
                                                gboolean           search_envp_path,
                                                gboolean           want_stdin,
                                                guint              pty_cols,
                                                guint              pty_rows,
                                                GBytes            *filter,
                                                GError           **error);
/* Same, started by @sandbox's @launcher inside its namespaces; @cwd is a sandbox path. */
CcEngineProcess *cc_engine_process_spawn_launched (CcEngineSandbox   *sandbox,
                                                   CcEngineLauncher  *launcher,
                                                   JsonObject        *config,
                                                   const char        *tag,
                                                   GStrv              argv,
                                                   GStrv              envp,
                                                   const char        *cwd,
                                                   gboolean           want_stdin,
                                                   guint              pty_cols,
                                                   guint              pty_rows,
                                                   GError           **error);
guint            cc_engine_process_get_pid     (CcEngineProcess   *self);
/* The pid in the engine's PID namespace, or 0 when the process is in one it cannot see. */
GPid             cc_engine_process_get_host_pid (CcEngineProcess  *self);
const char      *cc_engine_process_get_tag     (CcEngineProcess   *self);
gboolean         cc_engine_process_has_exited  (CcEngineProcess   *self);
/* Subscribes @stream: it gets the start event now, then output, then the end event. When
 * @kill_on_deadline, the stream's deadline (ms, 0 = none) kills the process. */
void             cc_engine_process_attach      (CcEngineProcess   *self,
                                                CcEngineStream    *stream,
                                                guint64            deadline_ms,
                                                gboolean           kill_on_deadline);
void             cc_engine_process_add_info    (CcEngineProcess   *self,
                                                JsonBuilder       *builder);
gboolean         cc_engine_process_write_input (CcEngineProcess   *self,
                                                GBytes            *data,
                                                gboolean           pty,
                                                GError           **error);
gboolean         cc_engine_process_close_stdin (CcEngineProcess   *self,
                                                GError           **error);
gboolean         cc_engine_process_resize      (CcEngineProcess   *self,
                                                guint              cols,
                                                guint              rows,
                                                GError           **error);
void             cc_engine_process_signal      (CcEngineProcess   *self,
                                                int                signum);
/* SIGKILL to its whole process group, even when the process itself has ended. */
void             cc_engine_process_kill_group  (CcEngineProcess   *self);
/* Stops watching and forgets the process (engine shutdown). */
void             cc_engine_process_dispose_now (CcEngineProcess   *self);
/* Its sandbox is going away: when it exits, its streams are cut without an end event. */
void             cc_engine_process_abandon     (CcEngineProcess   *self);

G_END_DECLS
