/* cc-envd.h: the client of one sandbox's daemon (processes, filesystem, /files, health)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bound to a sandbox id, its envd access token and the daemon base URL chosen by the
 * connection. Speaks Connect-over-JSON for `process.Process` and
 * `filesystem.Filesystem` and plain HTTP for `/files` and `/health`, with exactly the headers
 * the official SDK sends. Errors are in the CC_SANDBOX_ERROR domain.
 */
#pragma once

#include <gio/gio.h>

#include "cc-connection.h"
#include "cc-remote-process.h"
#include "cc-control-plane.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------------------------ */
/* Process specification                                                                       */

#define CC_ENVD_DEFAULT_COMMAND_TIMEOUT 60000   /* ms: the SDK's default Connect-Timeout-Ms */

/**
 * CcProcessSpec:
 *
 * What to start. Build with cc_process_spec_new_command() (`/bin/bash -l -c <command>`, as the
 * SDK's commands.run) or cc_process_spec_new_pty() (`/bin/bash -i -l` on a PTY), then adjust the
 * public fields. Free with cc_process_spec_free().
 */
typedef struct
{
  char       *cmd;
  GStrv       args;
  GHashTable *envs;          /* string → string, or NULL */
  char       *cwd;           /* NULL: the user's home */
  char       *tag;           /* NULL: none */
  char       *user;          /* NULL: the sandbox's default user; else Basic auth <user>: */
  gboolean    stdin_open;    /* sent as "stdin" for non-PTY processes (SDK default FALSE) */
  gboolean    pty;
  guint       cols;
  guint       rows;
  guint       timeout_ms;    /* Connect-Timeout-Ms: process lifetime; 0 = no deadline */
} CcProcessSpec;

CcProcessSpec *cc_process_spec_new_command (const char    *command);
CcProcessSpec *cc_process_spec_new_pty     (guint          cols,
                                            guint          rows);
CcProcessSpec *cc_process_spec_copy        (const CcProcessSpec *spec);
void           cc_process_spec_free        (CcProcessSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcProcessSpec, cc_process_spec_free)

/**
 * CcProcessInfo:
 *
 * One row of Process/List. Free with cc_process_info_free().
 */
typedef struct
{
  guint       pid;
  char       *tag;
  char       *cmd;
  GStrv       args;
  GHashTable *envs;          /* never NULL */
  char       *cwd;
} CcProcessInfo;

void           cc_process_info_free        (CcProcessInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcProcessInfo, cc_process_info_free)

/* ------------------------------------------------------------------------------------------ */
/* Filesystem entries and events                                                               */

typedef enum
{
  CC_FILE_TYPE_UNKNOWN,
  CC_FILE_TYPE_FILE,
  CC_FILE_TYPE_DIRECTORY,
  CC_FILE_TYPE_SYMLINK,
} CcFileType;

/**
 * CcEntryInfo:
 *
 * A filesystem entry (the daemon's EntryInfo; or one element of an upload's answer, which only
 * has name, type and path). Free with cc_entry_info_free().
 */
typedef struct
{
  char       *name;
  CcFileType  type;
  char       *path;
  gint64      size;
  guint       mode;            /* permission bits */
  char       *permissions;     /* "-rw-r--r--" */
  char       *owner;
  char       *group;
  gint64      modified_time;   /* unix µs, 0 when unknown */
  char       *symlink_target;  /* NULL unless a symlink */
  GHashTable *metadata;        /* never NULL */
} CcEntryInfo;

CcEntryInfo   *cc_entry_info_copy          (const CcEntryInfo *info);
void           cc_entry_info_free          (CcEntryInfo   *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcEntryInfo, cc_entry_info_free)

typedef enum
{
  CC_FS_EVENT_STARTED,        /* ours: the watch is established (the stream's start message) */
  CC_FS_EVENT_CREATE,
  CC_FS_EVENT_WRITE,
  CC_FS_EVENT_REMOVE,
  CC_FS_EVENT_RENAME,
  CC_FS_EVENT_CHMOD,
} CcFsEventType;

/* @name is relative to the watched directory (NULL for STARTED); @entry only when requested
 * and sent (may be NULL). Called on the caller's main context. */
typedef void (*CcFsEventFunc) (CcFsEventType      type,
                               const char        *name,
                               const CcEntryInfo *entry,
                               gpointer           user_data);

/* Upload progress: bytes of the request body sent so far, and the total (-1 if unknown). */
typedef void (*CcTransferProgressFunc) (goffset  done,
                                        goffset  total,
                                        gpointer user_data);

/**
 * CcUploadFile:
 *
 * One file of a batched upload: the destination @path (absolute, or relative to the user's
 * home) and its content, either @bytes or @stream with its @size (-1 if unknown).
 */
typedef struct
{
  char         *path;
  GBytes       *bytes;
  GInputStream *stream;
  goffset       size;
} CcUploadFile;

CcUploadFile  *cc_upload_file_new_bytes    (const char   *path,
                                            GBytes       *bytes);
CcUploadFile  *cc_upload_file_new_stream   (const char   *path,
                                            GInputStream *stream,
                                            goffset       size);
void           cc_upload_file_free         (CcUploadFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcUploadFile, cc_upload_file_free)

/* ------------------------------------------------------------------------------------------ */

#define CC_TYPE_ENVD (cc_envd_get_type ())
G_DECLARE_FINAL_TYPE (CcEnvd, cc_envd, CC, ENVD, GObject)

/* @access_token may be NULL (no token); @sandbox_domain is the sandbox's own `domain` (may be
 * NULL: the connection's domain is used). */
CcEnvd        *cc_envd_new                 (CcConnection  *connection,
                                            const char    *sandbox_id,
                                            const char    *access_token,
                                            const char    *sandbox_domain);
/* Same, from a create/connect/get answer. */
CcEnvd        *cc_envd_new_for_sandbox     (CcConnection  *connection,
                                            CcSandboxInfo *info);

CcConnection  *cc_envd_get_connection      (CcEnvd        *self);
const char    *cc_envd_get_sandbox_id      (CcEnvd        *self);
const char    *cc_envd_get_base_url        (CcEnvd        *self);
/* The user for filesystem and /files calls (Basic auth / ?username=); NULL = default user. */
void           cc_envd_set_user            (CcEnvd        *self,
                                            const char    *user);
const char    *cc_envd_get_user            (CcEnvd        *self);

/* --- process.Process ---------------------------------------------------------------------- */

/* Process/Start. Completes with a #CcRemoteProcess when the start event arrives (the request
 * timeout bounds only this handshake); output keeps streaming through its signals. Never
 * re-sent once the request may have reached the daemon. */
void             cc_envd_start_process_async   (CcEnvd              *self,
                                                const CcProcessSpec *spec,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcRemoteProcess *cc_envd_start_process_finish  (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Process/Connect: reattach to a running process by pid (output produced while detached is not
 * replayed). @timeout_ms bounds the stream (0 = none).
 * Unknown pid → CC_SANDBOX_ERROR_NOT_FOUND. */
void             cc_envd_connect_process_async (CcEnvd              *self,
                                                guint                pid,
                                                guint                timeout_ms,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcRemoteProcess *cc_envd_connect_process_finish (CcEnvd             *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Process/List → CcProcessInfo elements. */
void             cc_envd_list_processes_async  (CcEnvd              *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray       *cc_envd_list_processes_finish (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Process/SendInput: {"stdin": …} or {"pty": …} when @pty. */
void             cc_envd_send_input_async      (CcEnvd              *self,
                                                guint                pid,
                                                GBytes              *data,
                                                gboolean             pty,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_send_input_finish     (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
void             cc_envd_close_stdin_async     (CcEnvd              *self,
                                                guint                pid,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_close_stdin_finish    (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Unknown pid → CC_SANDBOX_ERROR_NOT_FOUND. */
void             cc_envd_send_signal_async     (CcEnvd              *self,
                                                guint                pid,
                                                CcSignal             signal_number,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_send_signal_finish    (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Process/Update: PTY resize. */
void             cc_envd_resize_pty_async      (CcEnvd              *self,
                                                guint                pid,
                                                guint                cols,
                                                guint                rows,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_resize_pty_finish     (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* --- filesystem.Filesystem ---------------------------------------------------------------- */

/* Missing path → CC_SANDBOX_ERROR_NOT_FOUND. */
void             cc_envd_stat_async            (CcEnvd              *self,
                                                const char          *path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcEntryInfo     *cc_envd_stat_finish           (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* → CcEntryInfo elements; @depth ≥ 1 (0 is taken as 1). */
void             cc_envd_list_dir_async        (CcEnvd              *self,
                                                const char          *path,
                                                guint                depth,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray       *cc_envd_list_dir_finish       (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Creates parents. Existing directory → CC_SANDBOX_ERROR_ALREADY_EXISTS. */
void             cc_envd_make_dir_async        (CcEnvd              *self,
                                                const char          *path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcEntryInfo     *cc_envd_make_dir_finish       (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* → the destination's entry. */
void             cc_envd_move_async            (CcEnvd              *self,
                                                const char          *source,
                                                const char          *destination,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcEntryInfo     *cc_envd_move_finish           (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);
/* Recursive; a missing path is not an error. */
void             cc_envd_remove_async          (CcEnvd              *self,
                                                const char          *path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_remove_finish         (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* WatchDir stream: @func is called for every event (CC_FS_EVENT_STARTED first) until the
 * stream ends; then the async call completes — TRUE on a clean end, FALSE with an error
 * (G_IO_ERROR_CANCELLED when @cancellable stopped it, CC_SANDBOX_ERROR_DEADLINE when
 * @timeout_ms ran out; 0 = no deadline). */
void             cc_envd_watch_dir_async       (CcEnvd              *self,
                                                const char          *path,
                                                gboolean             recursive,
                                                gboolean             include_entry,
                                                guint                timeout_ms,
                                                CcFsEventFunc        func,
                                                gpointer             func_data,
                                                GDestroyNotify       func_data_destroy,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_watch_dir_finish      (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* --- /files and /health --------------------------------------------------------------------- */

/* POST /files: every file of @files (CcUploadFile elements) as one part named "file" with
 * filename = its path, in ONE multipart request, streamed (no whole-body buffer). @progress
 * (nullable) reports body bytes sent. → CcEntryInfo elements (name, type, path). A full disk is
 * CC_SANDBOX_ERROR_DISK_FULL. Not retried (the body is a stream). */
void             cc_envd_upload_files_async    (CcEnvd              *self,
                                                GPtrArray           *files,
                                                CcTransferProgressFunc progress,
                                                gpointer             progress_data,
                                                GDestroyNotify       progress_data_destroy,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GPtrArray       *cc_envd_upload_files_finish   (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* POST /files?path=<path> with an application/octet-stream body read from @stream (@size bytes,
 * -1 if unknown): for one large file. → the written entry. */
void             cc_envd_upload_stream_async   (CcEnvd              *self,
                                                const char          *path,
                                                GInputStream        *stream,
                                                goffset              size,
                                                CcTransferProgressFunc progress,
                                                gpointer             progress_data,
                                                GDestroyNotify       progress_data_destroy,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CcEntryInfo     *cc_envd_upload_stream_finish  (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* GET /files?path=<path> into memory (binary-safe). Missing → CC_SANDBOX_ERROR_NOT_FOUND. */
void             cc_envd_read_file_async       (CcEnvd              *self,
                                                const char          *path,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
GBytes          *cc_envd_read_file_finish      (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* GET /files?path=<path> streamed into @output chunk by chunk (never buffered whole).
 * → the number of bytes written, or -1 with an error. @output is not closed. */
void             cc_envd_download_async        (CcEnvd              *self,
                                                const char          *path,
                                                GOutputStream       *output,
                                                CcTransferProgressFunc progress,
                                                gpointer             progress_data,
                                                GDestroyNotify       progress_data_destroy,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gssize           cc_envd_download_finish       (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* GET /health: TRUE on 204; a dead sandbox (502) is CC_SANDBOX_ERROR_SANDBOX_GONE. */
void             cc_envd_health_async          (CcEnvd              *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         cc_envd_health_finish         (CcEnvd              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
