/* cc-labels.c: words for the core's enums, as the views show them
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cc-labels.h"

const char *
cc_connection_kind_get_label (CcConnectionKind kind)
{
  switch (kind)
    {
    case CC_CONNECTION_LOCAL:
      return _("This Computer");
    case CC_CONNECTION_E2B:
      return _("E2B Cloud");
    case CC_CONNECTION_CUSTOM:
      return _("Custom Endpoint");
    default:
      return _("Unknown");
    }
}

char *
cc_sandbox_state_dup_label (CcSandboxStatus state,
                            gint64         end_time_us)
{
  switch (state)
    {
    case CC_SANDBOX_STATUS_NONE:
      return g_strdup (_("No sandbox yet"));
    case CC_SANDBOX_STATUS_STARTING:
      return g_strdup (_("Starting…"));
    case CC_SANDBOX_STATUS_RUNNING:
      if (end_time_us > 0)
        {
          gint64 left = (end_time_us - g_get_real_time ()) / G_USEC_PER_SEC;

          /* Translators: the spaces inside the time left are no-break spaces (U+00A0), so that
           * a narrow sidebar never shows "4" on one line and "min left" on the next. */
          if (left < 60)
            return g_strdup (_("Running · less than a minute left"));
          return g_strdup_printf (g_dngettext (NULL, "Running · %d min left", "Running · %d min left",
                                               (gulong) (left / 60)), (int) (left / 60));
        }
      return g_strdup (_("Running"));
    case CC_SANDBOX_STATUS_PAUSED:
      return g_strdup (_("Paused"));
    case CC_SANDBOX_STATUS_EXPIRED:
      return g_strdup (_("Expired"));
    default:
      return g_strdup ("");
    }
}

const char *
cc_operation_type_get_label (CcOperationType type)
{
  switch (type)
    {
    case CC_OPERATION_TYPE_COMMAND:
      return _("Command");
    case CC_OPERATION_TYPE_FILE_WRITE:
      return _("File written");
    case CC_OPERATION_TYPE_FILE_READ:
      return _("File read");
    case CC_OPERATION_TYPE_SETUP:
      return _("Setup");
    case CC_OPERATION_TYPE_DEV_SERVER:
      return _("Dev server");
    case CC_OPERATION_TYPE_FILE_LIST:
      return _("Folder listed");
    case CC_OPERATION_TYPE_FILE_MOVE:
      return _("File moved");
    case CC_OPERATION_TYPE_FILE_REMOVE:
      return _("File removed");
    case CC_OPERATION_TYPE_MAKE_DIR:
      return _("Folder created");
    case CC_OPERATION_TYPE_SANDBOX:
      return _("Sandbox");
    default:
      return "";
    }
}

/* How a finished command ended, in the words the Terminal tab uses too: a stopped command is
 * "Stopped" in both places, never "exit -1". */
char *
cc_operation_dup_outcome_label (CcOperation *operation)
{
  int exit_code = cc_operation_get_exit_code (operation);

  if (exit_code >= 0)
    return g_strdup_printf (_("exit %d"), exit_code);
  /* The core records a stop as this error (same text domain). */
  if (g_strcmp0 (cc_operation_get_error (operation), _("The command was cancelled.")) == 0)
    return g_strdup (_("Stopped"));
  return g_strdup (_("no exit status"));
}
