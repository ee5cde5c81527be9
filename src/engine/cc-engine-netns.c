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
 *
 * Per-address rules are an nf_tables table in the namespace, loaded by a short-lived child of the
 * engine (`--load-network-rules`) that enters the namespace's owner and the namespace itself, the
 * way pasta does. The sandbox's processes cannot change the table: they run in a user namespace
 * nested inside the owner, without capabilities.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <linux/nsfs.h>

#if HAVE_LIBNFTABLES
#include <nftables/libnftables.h>
#endif

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
  /* pasta opens the tun device from inside the sandbox's user namespace, where the host's root
   * is nobody: a device only root may open (some machines set 0600) fails there. */
  else if (geteuid () != 0 && access ("/dev/net/tun", R_OK | W_OK) != 0)
    *reason = g_strdup_printf (_("pasta cannot open /dev/net/tun (%s), so sandboxes have no "
                                 "internet access; make it readable and writable by every user "
                                 "(mode 0666, as distributions ship it)"),
                               g_strerror (errno));
  return *reason == NULL;
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

gboolean
cc_engine_netns_probe_rules (gboolean   isolated,
                             char     **reason)
{
  *reason = NULL;
  if (!HAVE_LIBNFTABLES)
    *reason = g_strdup (_("Per-address network rules need libnftables, which this build of the "
                          "engine does not have (the Flatpak has none): only all outbound "
                          "traffic or none can be set"));
  else if (!isolated)
    *reason = g_strdup (_("Per-address network rules need each sandbox's own network, which "
                          "bubblewrap gives and which does not work here: only all outbound "
                          "traffic or none can be set"));
  else if (!cc_engine_netns_probe_outbound (reason))
    return FALSE;
  return *reason == NULL;
}

/* The child ---------------------------------------------------------------------------------- */

/* Bounds the script read from standard input: the engine writes a few KiB at most. */
#define MAX_RULESET (1024 * 1024)

int
cc_engine_netns_load_rules_main (void)
{
#if HAVE_LIBNFTABLES
  g_autoptr(GString) ruleset = g_string_new (NULL);
  struct nft_ctx *nft;
  char buf[4096];
  ssize_t n;
  int rc;

  while ((n = read (STDIN_FILENO, buf, sizeof buf)) > 0 && ruleset->len <= MAX_RULESET)
    g_string_append_len (ruleset, buf, n);
  if (n < 0 || ruleset->len > MAX_RULESET)
    {
      fprintf (stderr, "the rules could not be read\n");
      return 1;
    }
  /* Once inside, sandbox processes of the same uid must not be able to trace this process or
   * open its descriptors through /proc, as for the launcher. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    {
      fprintf (stderr, "could not protect the loader: %s\n", g_strerror (errno));
      return 1;
    }
  /* The owner first: capabilities over the network are held in the user namespace owning it. */
  if (fcntl (4, F_GETFD) >= 0 && setns (4, CLONE_NEWUSER) != 0)
    {
      fprintf (stderr, "could not enter the network's user namespace: %s\n", g_strerror (errno));
      return 1;
    }
  if (setns (3, CLONE_NEWNET) != 0)
    {
      fprintf (stderr, "could not enter the sandbox's network: %s\n", g_strerror (errno));
      return 1;
    }
  close (3);
  close (4);
  nft = nft_ctx_new (NFT_CTX_DEFAULT);
  if (nft == NULL)
    {
      fprintf (stderr, "libnftables could not start\n");
      return 1;
    }
  nft_ctx_buffer_output (nft);
  nft_ctx_buffer_error (nft);
  rc = nft_run_cmd_from_buffer (nft, ruleset->str);
  if (rc != 0)
    fputs (nft_ctx_get_error_buffer (nft), stderr);
  nft_ctx_free (nft);
  return rc == 0 ? 0 : 1;
#else
  return 1;
#endif
}

/* Loading rules from the engine ------------------------------------------------------------- */

/* The nameservers of the host's resolv.conf, which sandboxes share. */
static GStrv
read_nameservers (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/resolv.conf", &text, NULL, NULL))
    return g_strv_builder_end (builder);
  lines = g_strsplit (text, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
      g_autoptr(GInetAddress) address = NULL;

      if (g_strv_length (words) < 2 || !g_str_equal (words[0], "nameserver"))
        continue;
      /* Parsed, so that only an address ever reaches the script. */
      address = g_inet_address_new_from_string (words[1]);
      if (address != NULL)
        {
          g_autofree char *normal = g_inet_address_to_string (address);

          g_strv_builder_add (builder, normal);
        }
    }
  return g_strv_builder_end (builder);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSubprocess *child = G_SUBPROCESS (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  if (!g_subprocess_communicate_utf8_finish (child, result, NULL, &err, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_subprocess_get_successful (child))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The sandbox's network rules could not be loaded: %s"),
                               err != NULL && *g_strstrip (err) != '\0' ? err
                                 : _("the loading process failed"));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
cc_engine_netns_load_rules_async (int                  netns_fd,
                                  int                  userns_fd,
                                  CcEngineNetworkRules *rules,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) nameservers = read_nameservers ();
  g_autofree char *ruleset = cc_engine_network_rules_to_nft (rules,
                                                              (const char * const *) nameservers);
  int netns = fcntl (netns_fd, F_DUPFD_CLOEXEC, 3);
  int userns = userns_fd >= 0 ? fcntl (userns_fd, F_DUPFD_CLOEXEC, 3) : -1;

  g_task_set_source_tag (task, cc_engine_netns_load_rules_async);
  if (netns < 0 || (userns_fd >= 0 && userns < 0))
    {
      int saved = errno;

      if (netns >= 0)
        close (netns);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("The sandbox's network rules could not be loaded: %s"),
                               g_strerror (saved));
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_engine, NULL, NULL);
  g_subprocess_launcher_take_fd (launcher, netns, 3);
  if (userns >= 0)
    g_subprocess_launcher_take_fd (launcher, userns, 4);
  child = g_subprocess_launcher_spawn (launcher, &error, "/proc/self/exe", "--load-network-rules",
                                       NULL);
  if (child == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_subprocess_communicate_utf8_async (child, ruleset, cancellable, load_done_cb,
                                       g_steal_pointer (&task));
}

gboolean
cc_engine_netns_load_rules_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cc_engine_netns_add_facts (JsonArray         *facts,
                           CcEngineIsolation  isolation)
{
  g_autofree char *reason = NULL;
  g_autofree char *rules_reason = NULL;
  gboolean isolated = isolation == CC_ENGINE_ISOLATION_BUBBLEWRAP;

  if (isolation == CC_ENGINE_ISOLATION_FLATPAK_SPAWN)
    {
      cc_engine_isolation_fact_add (facts, "private-network", FALSE,
                _("Sandboxes with internet access share the app's network: they reach its loopback "
                  "services and each other's servers, and two of them cannot use the same port at "
                  "once. A sandbox without internet access has a loopback of its own"));
      cc_engine_isolation_fact_add (facts, "internet-access", TRUE,
                _("Sandboxes that may use the internet use the app's network directly"));
      cc_engine_netns_probe_rules (FALSE, &rules_reason);
      cc_engine_isolation_fact_add (facts, "network-rules", FALSE, rules_reason);
      return;
    }
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
  if (cc_engine_netns_probe_rules (isolated, &rules_reason))
    cc_engine_isolation_fact_add (facts, "network-rules", TRUE,
              _("Outbound rules for addresses, ranges and host names are applied with nf_tables"));
  else if (g_strcmp0 (rules_reason, reason) == 0)
    cc_engine_isolation_fact_add (facts, "network-rules", FALSE,
              _("Per-address network rules need the internet access that is missing above"));
  else
    cc_engine_isolation_fact_add (facts, "network-rules", FALSE, rules_reason);
}
