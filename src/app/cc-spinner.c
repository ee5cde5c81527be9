/* cc-spinner.c
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkSpinner's animation is a CSS animation, and GTK 4.8 runs it for as long as the spinner is
 * visible, mapped or not. The app keeps spinners on the "loading" pages of its stacks, which are
 * hidden nearly all the time: each of them kept the window's frame clock running, re-laying out
 * the window on every frame of an otherwise idle app. This one spins only while mapped.
 */
#include "config.h"

#include "cc-spinner.h"

struct _CcSpinner
{
  AdwBin      parent_instance;

  GtkSpinner *spinner;   /* owned by the bin */
};

G_DEFINE_FINAL_TYPE (CcSpinner, cc_spinner, ADW_TYPE_BIN)

static void
cc_spinner_map (GtkWidget *widget)
{
  CcSpinner *self = CC_SPINNER (widget);

  GTK_WIDGET_CLASS (cc_spinner_parent_class)->map (widget);
  gtk_spinner_start (self->spinner);
}

static void
cc_spinner_unmap (GtkWidget *widget)
{
  CcSpinner *self = CC_SPINNER (widget);

  gtk_spinner_stop (self->spinner);
  GTK_WIDGET_CLASS (cc_spinner_parent_class)->unmap (widget);
}

static void
cc_spinner_class_init (CcSpinnerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->map = cc_spinner_map;
  widget_class->unmap = cc_spinner_unmap;
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
}

static void
cc_spinner_init (CcSpinner *self)
{
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->spinner), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->spinner), TRUE);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->spinner));
}
