/* cc-template.h: built-in project templates and projects from a local folder
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A template is files + a setup command + a start command + a port. The start command contains
 * the literal "$PORT", replaced by the project's port when the dev server starts, so that a
 * project whose port was changed still listens where the preview looks.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CcProjectFile:
 * @path: where the file goes, relative to the sandbox home (or absolute inside it)
 * @content: its bytes
 *
 * One entry of the {path, content} list a project is set up from.
 */
typedef struct
{
  char   *path;
  GBytes *content;
} CcProjectFile;

CcProjectFile *cc_project_file_new       (const char    *path,
                                          GBytes        *content);
CcProjectFile *cc_project_file_new_take  (const char    *path,
                                          char          *data,
                                          gsize          length);
void           cc_project_file_free      (CcProjectFile *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CcProjectFile, cc_project_file_free)

/* Template ids. */
#define CC_TEMPLATE_BLANK  "blank"
#define CC_TEMPLATE_NODE   "node"
#define CC_TEMPLATE_VITE   "vite"
#define CC_TEMPLATE_PYTHON "python"

typedef struct _CcTemplate CcTemplate;

/* All built-in templates, in display order; the array owns them (never free the elements). */
const CcTemplate * const *cc_template_get_all       (guint             *n_templates);
/* NULL for an unknown id. */
const CcTemplate *cc_template_lookup              (const char        *id);

const char       *cc_template_get_id              (const CcTemplate  *self);
/* Translated, for display. */
const char       *cc_template_get_name            (const CcTemplate  *self);
const char       *cc_template_get_description     (const CcTemplate  *self);
/* NULL when nothing needs installing. */
const char       *cc_template_get_setup_command   (const CcTemplate  *self);
/* NULL for Blank; contains "$PORT". */
const char       *cc_template_get_start_command   (const CcTemplate  *self);
guint             cc_template_get_port            (const CcTemplate  *self);

/* (transfer full) (element-type CcProjectFile): the template's files for a project on @port. */
GPtrArray        *cc_template_dup_files           (const CcTemplate  *self,
                                                   guint              port);

/* "$PORT" in @command replaced by @port; a new string. */
char             *cc_template_expand_command      (const char        *command,
                                                   guint              port);

/* The install step a file list implies: package.json → "npm install", requirements.txt →
 * "pip install -r requirements.txt", else NULL (then the template's/user's setup command). */
const char       *cc_template_guess_setup_command (GPtrArray         *files);

/* Limits for reading a local folder: beyond them the read fails with G_IO_ERROR_NO_SPACE and a
 * message that names the limit, instead of uploading half a project. */
#define CC_FOLDER_MAX_FILES       10000
#define CC_FOLDER_MAX_FILE_SIZE   (16 * 1024 * 1024)
#define CC_FOLDER_MAX_TOTAL_SIZE  (256 * 1024 * 1024)

/* TRUE for names a project upload skips: .git, node_modules, __pycache__, .venv, venv, dist,
 * build output caches, editor swap files. */
gboolean          cc_template_is_excluded_name    (const char        *name);

/**
 * cc_template_read_folder_async:
 * @folder: a local directory
 *
 * Reads @folder recursively (in a thread) into a list of #CcProjectFile with paths relative to
 * it, skipping excluded names and symlinks that leave it, bounded by the limits above.
 */
void              cc_template_read_folder_async   (GFile             *folder,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
/* (transfer full) (element-type CcProjectFile) */
GPtrArray        *cc_template_read_folder_finish  (GAsyncResult      *result,
                                                   GError           **error);
/* The same, blocking; for worker threads. */
GPtrArray        *cc_template_read_folder         (GFile             *folder,
                                                   GCancellable      *cancellable,
                                                   GError           **error);

G_END_DECLS
