/* cc-engine-netns.c: a private network namespace for each sandbox
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bubblewrap gives each sandbox's launcher (and so every process of the sandbox) a network
 * namespace of its own: a loopback that is the sandbox's alone, so two sandboxes can both listen
 * on port 3000 and neither reaches the host's loopback services. When the sandbox may use the
 * internet, pasta (from passt) joins that namespace and gives it a tap interface whose traffic
 * leaves through ordinary sockets of the engine's user. Every path from the namespace back to the
 * host's loopback is closed: no gateway-to-host mapping (--no-map-gw) and no port forwarding in
 * either direction (-t/-u/-T/-U none; the preview does not need inbound forwarding, it asks the
 * launcher for a socket made inside). Without internet access there is no pasta at all: loopback
 * only.
 */
#include "config.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include <glib/gi18n-lib.h>

#include "cc-engine-isolation.h"
#include "cc-engine-netns.h"

void
cc_engine_netns_add_bwrap_args (GPtrArray *argv)
{
  g_ptr_array_add (argv, g_strdup ("--unshare-net"));
}

int
cc_engine_netns_dup_owner (int netns_fd)
{
  return ioctl (netns_fd, NS_GET_USERNS);
}

gboolean
cc_engine_netns_probe_outbound (char **reason)
{
  g_autofree char *pasta = g_find_program_in_path ("pasta");

  *reason = NULL;
  if (pasta == NULL)
    *reason = g_strdup (_("pasta is not installed, so sandboxes have no internet access; install "
                          "the passt package"));
  return pasta != NULL;
}

/* pasta outlives nothing: not even an engine killed without a chance to stop it. Between fork
 * and exec. */
static void
die_with_engine (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GPid
cc_engine_netns_start_outbound (int      netns_fd,
                                int      userns_fd,
                                GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const int source_fds[2] = { netns_fd, userns_fd };
  const int target_fds[2] = { 3, 4 };
  GPid pid = 0;

  /* The namespaces are passed as descriptors: pasta drops its privileges before it opens them,
   * and could not open another process's /proc/PID/ns files then. */
  g_ptr_array_add (argv, g_strdup ("pasta"));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  g_ptr_array_add (argv, g_strdup ("--foreground"));
  if (geteuid () == 0)
    {
      /* As nobody it could not enter a namespace owned by root. */
      g_ptr_array_add (argv, g_strdup ("--runas"));
      g_ptr_array_add (argv, g_strdup ("0"));
    }
  g_ptr_array_add (argv, g_strdup ("--config-net"));
  g_ptr_array_add (argv, g_strdup ("--no-map-gw"));
  for (const char *opt = "tuTU"; *opt; opt++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("-%c", *opt));
      g_ptr_array_add (argv, g_strdup ("none"));
    }
  g_ptr_array_add (argv, g_strdup ("--netns"));
  g_ptr_array_add (argv, g_strdup ("/proc/self/fd/3"));
  if (userns_fd >= 0)
    {
      g_ptr_array_add (argv, g_strdup ("--userns"));
      g_ptr_array_add (argv, g_strdup ("/proc/self/fd/4"));
    }
  else
    g_ptr_array_add (argv, g_strdup ("--netns-only"));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv->pdata, NULL,
                                         G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                         G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL |
                                         G_SPAWN_STDERR_TO_DEV_NULL,
                                         die_with_engine, NULL, -1, -1, -1, source_fds, target_fds,
                                         userns_fd >= 0 ? 2 : 1, &pid, NULL, NULL, NULL, error))
    return 0;
  return pid;
}

void
cc_engine_netns_add_facts (JsonArray *facts,
                           gboolean   isolated)
{
  g_autofree char *reason = NULL;

  if (isolated)
    cc_engine_isolation_fact_add (facts, "private-network", TRUE,
              _("Each sandbox has a network of its own; this computer's loopback services are out "
                "of its reach"));
  else
    cc_engine_isolation_fact_add (facts, "private-network", FALSE,
              _("Sandboxes share this computer's network and reach its loopback services, because "
                "bubblewrap does not work here"));
  if (!cc_engine_netns_probe_outbound (&reason))
    cc_engine_isolation_fact_add (facts, "internet-access", !isolated, isolated ? reason
              : _("Sandboxes use this computer's network directly"));
  else
    cc_engine_isolation_fact_add (facts, "internet-access", TRUE,
              isolated ? _("Sandboxes that may use the internet reach it through pasta")
                       : _("Sandboxes use this computer's network directly"));
}
