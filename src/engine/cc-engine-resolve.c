/* cc-engine-resolve.c: whether sandbox host names resolve on this machine
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "cc-engine-resolve.h"

#define PROBE_NAME "49983-cc-probe.localhost"

/* Whether the hosts line of nsswitch.conf names a module that answers .localhost locally. */
static gboolean
nsswitch_has_local_module (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/nsswitch.conf", &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      g_auto(GStrv) words = NULL;

      if (!g_str_has_prefix (line, "hosts:"))
        continue;
      words = g_strsplit_set (line + strlen ("hosts:"), " \t", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (g_str_equal (words[j], "myhostname") || g_str_equal (words[j], "resolve"))
          return TRUE;
    }
  return FALSE;
}

gboolean
cc_engine_localhost_subdomains_resolve (void)
{
  struct addrinfo hints = { 0 };
  struct addrinfo *result = NULL;
  gboolean loopback = FALSE;

  if (!nsswitch_has_local_module ())
    return FALSE;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo (PROBE_NAME, NULL, &hints, &result) != 0)
    return FALSE;
  for (struct addrinfo *a = result; a != NULL; a = a->ai_next)
    {
      if (a->ai_family == AF_INET)
        loopback |= (ntohl (((struct sockaddr_in *) a->ai_addr)->sin_addr.s_addr) >> 24) == 127;
      else if (a->ai_family == AF_INET6)
        loopback |= IN6_IS_ADDR_LOOPBACK (&((struct sockaddr_in6 *) a->ai_addr)->sin6_addr);
    }
  freeaddrinfo (result);
  return loopback;
}
