/* cc-engine-host.h: what the machine the engine runs on provides to sandboxes (Flatpak or not)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The file that names the trusted corporate CA bundle (PEM) sandboxes add to the system's. */
#define CC_ENGINE_CA_FILE_ENV "CODE_CANVAS_CA_FILE"
/* The combined bundle's name in each sandbox's /tmp. */
#define CC_ENGINE_CA_BUNDLE_NAME "code-canvas-ca-bundle.pem"

/* Every function takes @root, "/" in the engine: tests pass a directory made to look like
 * another machine. */

/* Whether the engine runs inside a Flatpak (@root/.flatpak-info exists). */
gboolean  cc_engine_host_in_flatpak          (const char  *root);

/* The PATH sandbox commands get: the usual system directories, and inside a Flatpak the app's
 * own /app/bin and the Node.js SDK extension's /app/node/bin before them. */
char     *cc_engine_host_sandbox_path        (const char  *root);

/* flatpak-spawn, searched in @search_path (a PATH value, may be NULL) and then where runtimes
 * install it: /usr/libexec/flatpak-xdg-utils (Debian-derived) and /usr/bin (GNOME's), under
 * @root. NULL when there is none. */
char     *cc_engine_host_find_flatpak_spawn  (const char  *root,
                                              const char  *search_path);

/* The system's trust store (a PEM bundle) under @root, or NULL. */
char     *cc_engine_host_find_system_cas     (const char  *root);

/* The launcher program every sandbox runs (code-canvas-launcher): next to the engine's
 * executable (a build tree), else in ../libexec from there or in LIBEXECDIR (installed, the
 * Flatpak's /app included). NULL with @error when it is in none of them. */
char     *cc_engine_host_find_launcher       (GError     **error);

/* Writes @dest: the system trust store under @root followed by @extra_file (PEM), unless @dest
 * is already newer than both. */
gboolean  cc_engine_host_write_ca_bundle     (const char  *root,
                                              const char  *extra_file,
                                              const char  *dest,
                                              GError     **error);

G_END_DECLS
