/* cc-terminal-view.h: a VTE terminal that shows a sandbox's output
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <vte/vte.h>

G_BEGIN_DECLS

#define CC_TYPE_TERMINAL_VIEW (cc_terminal_view_get_type ())

G_DECLARE_FINAL_TYPE (CcTerminalView, cc_terminal_view, CC, TERMINAL_VIEW, VteTerminal)

GtkWidget *cc_terminal_view_new            (void);
/* Output of a process without a PTY: bare newlines become CR LF so lines start at column 0. */
void       cc_terminal_view_feed_output    (CcTerminalView *self,
                                            GBytes         *bytes);
/* Output of a PTY, fed as is. */
void       cc_terminal_view_feed_pty       (CcTerminalView *self,
                                            GBytes         *bytes);
/* A line of our own (prompt echo, status), with an SGR style such as "1;32" or NULL. */
void       cc_terminal_view_print_line     (CcTerminalView *self,
                                            const char     *sgr,
                                            const char     *text);
void       cc_terminal_view_hide_cursor    (CcTerminalView *self);
/* The visible text (for tests and "copy all"). */
char      *cc_terminal_view_dup_text       (CcTerminalView *self);

/* The colours the terminal uses in the dark or light style: the 16 ANSI colours (transfer
 * none), and its foreground and background. */
const char * const *cc_terminal_view_get_palette (gboolean     dark,
                                                  const char **foreground,
                                                  const char **background);

G_END_DECLS
