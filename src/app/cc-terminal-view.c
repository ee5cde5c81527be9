/* cc-terminal-view.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * VTE does all the terminal work (escape sequences, colours, scrollback, selection); this class
 * only feeds it, keeps its palette in step with the dark/light style, and reports when the grid
 * changes size so a PTY on the other side can follow.
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "cc-terminal-view.h"

struct _CcTerminalView
{
  VteTerminal  parent_instance;
  glong        last_columns;
  glong        last_rows;
  gboolean     last_was_cr;
  gboolean     mid_line;      /* the last output did not end its line */
};

G_DEFINE_FINAL_TYPE (CcTerminalView, cc_terminal_view, VTE_TYPE_TERMINAL)

enum { GRID_RESIZED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Tango's hues, each lightened (dark style) or darkened (light style) until it reaches WCAG
 * AA contrast, 4.5:1, against that style's background: all sixteen are used for text. */
static const char *palette_dark[16] = {
  "#7b8a8f", "#ff3636", "#4e9a06", "#c4a000", "#588aca", "#a27aa8", "#06989a", "#d3d7cf",
  "#858883", "#f14a4a", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec",
};
static const char *palette_light[16] = {
  "#2e3436", "#cc0000", "#407f05", "#876e00", "#3465a4", "#75507b", "#057d7f", "#6a7461",
  "#555753", "#e31111", "#487f12", "#7f7202", "#3c75b1", "#966090", "#127f7f", "#727266",
};

const char * const *
cc_terminal_view_get_palette (gboolean     dark,
                              const char **foreground,
                              const char **background)
{
  if (foreground != NULL)
    *foreground = dark ? "#deddda" : "#241f31";
  if (background != NULL)
    *background = dark ? "#1e1e1e" : "#fafafa";
  return dark ? palette_dark : palette_light;
}

static void
update_colors (CcTerminalView *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (manager);
  const char *fg_hex, *bg_hex;
  const char * const *palette_hex = cc_terminal_view_get_palette (dark, &fg_hex, &bg_hex);
  GdkRGBA palette[16];
  GdkRGBA fg, bg;

  for (guint i = 0; i < 16; i++)
    gdk_rgba_parse (&palette[i], palette_hex[i]);
  gdk_rgba_parse (&fg, fg_hex);
  gdk_rgba_parse (&bg, bg_hex);
  vte_terminal_set_colors (VTE_TERMINAL (self), &fg, &bg, palette, 16);
}

static void
on_dark_changed (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 CcTerminalView  *self)
{
  update_colors (self);
}

static void
cc_terminal_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CcTerminalView *self = CC_TERMINAL_VIEW (widget);
  glong columns, rows;

  GTK_WIDGET_CLASS (cc_terminal_view_parent_class)->size_allocate (widget, width, height, baseline);

  columns = vte_terminal_get_column_count (VTE_TERMINAL (self));
  rows = vte_terminal_get_row_count (VTE_TERMINAL (self));
  if (columns != self->last_columns || rows != self->last_rows)
    {
      self->last_columns = columns;
      self->last_rows = rows;
      g_signal_emit (self, signals[GRID_RESIZED], 0, (guint) columns, (guint) rows);
    }
}

static void
cc_terminal_view_class_init (CcTerminalViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->size_allocate = cc_terminal_view_size_allocate;

  /**
   * CcTerminalView::grid-resized:
   * @columns: the new column count
   * @rows: the new row count
   *
   * The character grid changed size, after an allocation or a font change.
   */
  signals[GRID_RESIZED] = g_signal_new ("grid-resized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/cc-terminal-view.ui");
}

static void
cc_terminal_view_init (CcTerminalView *self)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Monospace 10");

  gtk_widget_init_template (GTK_WIDGET (self));

  vte_terminal_set_font (VTE_TERMINAL (self), font);
  vte_terminal_set_scrollback_lines (VTE_TERMINAL (self), 10000);
  vte_terminal_set_cursor_blink_mode (VTE_TERMINAL (self), VTE_CURSOR_BLINK_OFF);
  update_colors (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, 0);
}

GtkWidget *
cc_terminal_view_new (void)
{
  return g_object_new (CC_TYPE_TERMINAL_VIEW, NULL);
}

void
cc_terminal_view_feed_output (CcTerminalView *self,
                              GBytes         *bytes)
{
  const char *data;
  gsize len, start = 0;

  g_return_if_fail (CC_IS_TERMINAL_VIEW (self));
  g_return_if_fail (bytes != NULL);

  /* Without a PTY nobody translates "\n" to "\r\n" (the tty's ONLCR), so do that here; a CR
   * LF that arrives split across two chunks must not become CR CR LF. */
  data = g_bytes_get_data (bytes, &len);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && !(i > 0 ? data[i - 1] == '\r' : self->last_was_cr))
        {
          vte_terminal_feed (VTE_TERMINAL (self), data + start, i - start);
          vte_terminal_feed (VTE_TERMINAL (self), "\r\n", 2);
          start = i + 1;
        }
    }
  if (start < len)
    vte_terminal_feed (VTE_TERMINAL (self), data + start, len - start);
  if (len > 0)
    {
      self->last_was_cr = data[len - 1] == '\r';
      self->mid_line = data[len - 1] != '\n';
    }
}

void
cc_terminal_view_feed_pty (CcTerminalView *self,
                           GBytes         *bytes)
{
  gsize len;
  const char *data;

  g_return_if_fail (CC_IS_TERMINAL_VIEW (self));

  data = g_bytes_get_data (bytes, &len);
  vte_terminal_feed (VTE_TERMINAL (self), data, len);
  if (len > 0)
    self->mid_line = data[len - 1] != '\n';
}

void
cc_terminal_view_print_line (CcTerminalView *self,
                             const char     *sgr,
                             const char     *text)
{
  g_autofree char *line = NULL;

  g_return_if_fail (CC_IS_TERMINAL_VIEW (self));

  /* Start our line at column 0 even when the output did not end with a newline. VTE parses
   * what it is fed later, so its cursor position cannot tell: what was fed can. */
  if (sgr != NULL)
    line = g_strdup_printf ("%s\033[%sm%s\033[0m\r\n", self->mid_line ? "\r\n" : "", sgr, text);
  else
    line = g_strdup_printf ("%s%s\r\n", self->mid_line ? "\r\n" : "", text);
  vte_terminal_feed (VTE_TERMINAL (self), line, -1);
  self->last_was_cr = FALSE;
  self->mid_line = FALSE;
}

char *
cc_terminal_view_dup_text (CcTerminalView *self)
{
  g_return_val_if_fail (CC_IS_TERMINAL_VIEW (self), NULL);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  return vte_terminal_get_text (VTE_TERMINAL (self), NULL, NULL, NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/**
 * cc_terminal_view_hide_cursor:
 *
 * For output-only terminals: nobody types into them, so a cursor would only mislead.
 */
void
cc_terminal_view_hide_cursor (CcTerminalView *self)
{
  g_return_if_fail (CC_IS_TERMINAL_VIEW (self));

  /* DECTCEM off, the standard way to hide the cursor, parsed by VTE itself. */
  vte_terminal_feed (VTE_TERMINAL (self), "\033[?25l", -1);
}
