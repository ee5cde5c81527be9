/* cc-engine-seccomp.c: the system-call filter every sandbox process runs under
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bubblewrap loads the filter (`--seccomp FD`) into the sandbox's first process, so the launcher
 * and everything it starts inherit it and cannot drop it (bubblewrap also sets no_new_privs).
 * Without isolation each command loads it itself (cc-engine-process.c).
 * The list follows what desktop sandboxes refuse to unprivileged applications:
 *
 * - TIOCSTI and TIOCLINUX: typing into, or reading, a terminal the process still holds;
 * - the kernel keyring (keyctl, add_key, request_key): it is not namespaced;
 * - perf_event_open and userfaultfd: large attack surface, and tools to win kernel races;
 * - new namespaces (unshare, or clone with CLONE_NEWUSER) unless a user namespace is asked for,
 *   and setns and chroot; clone3 answers ENOSYS, since its flags sit in memory a filter cannot
 *   read: the C library then falls back to clone, whose flags the filter does see;
 * - mounting and the new mount API, kernel logs, process accounting, quotas, BPF programs,
 *   modify_ldt, the NUMA memory-policy calls, and old personalities that undo address-space
 *   randomisation;
 * - sockets of any family but local, IPv4, IPv6 and netlink: the others (AF_VSOCK, AF_ALG,
 *   AF_TIPC, AF_RDS…) are rarely used and have had many of the kernel's network bugs; AF_VSOCK
 *   is not even confined by the sandbox's network namespace;
 * - io_uring, a second way into much of the kernel that filters cannot see into, which Docker's
 *   and Chrome's filters refuse too; it answers ENOSYS, and programs use ordinary calls instead.
 *
 * That is Flatpak's filter for applications, and more. Like Flatpak's for development tools it
 * leaves ptrace: people debug their programs in a sandbox (gdb, strace), and its processes can
 * trace only each other, never the launcher, which is not dumpable.
 *
 * Denials answer EPERM (ENOSYS for clone3 and io_uring, EAFNOSUPPORT for a socket family),
 * never kill: programs that probe for a feature keep working. System calls of the secondary ABIs
 * (i386 and x32 on x86_64) go through the same rules; an architecture the filter does not know is
 * killed by libseccomp's default.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "cc-engine-seccomp.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

typedef struct
{
  const char *name;
  int errnum;
} Denied;

static const Denied denied[] = {
  { "keyctl", EPERM }, { "add_key", EPERM }, { "request_key", EPERM },
  { "perf_event_open", EPERM }, { "userfaultfd", EPERM },
  { "syslog", EPERM }, { "uselib", EPERM }, { "acct", EPERM }, { "quotactl", EPERM },
  { "bpf", EPERM }, { "kexec_load", EPERM }, { "kexec_file_load", EPERM },
  { "mount", EPERM }, { "umount2", EPERM }, { "pivot_root", EPERM }, { "open_tree", EPERM },
  { "move_mount", EPERM }, { "fsopen", EPERM }, { "fsconfig", EPERM }, { "fsmount", EPERM },
  { "fspick", EPERM }, { "mount_setattr", EPERM }, { "umount", EPERM }, { "setns", EPERM },
  { "chroot", EPERM }, { "modify_ldt", EPERM }, { "move_pages", EPERM }, { "mbind", EPERM },
  { "get_mempolicy", EPERM }, { "set_mempolicy", EPERM }, { "migrate_pages", EPERM },
  { "clone3", ENOSYS },
  { "io_uring_setup", ENOSYS }, { "io_uring_enter", ENOSYS }, { "io_uring_register", ENOSYS },
};

/* The socket families a sandbox may use, in increasing order. */
static const int socket_families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };

static gboolean
add_rule (scmp_filter_ctx               ctx,
          int                           errnum,
          const char                   *name,
          unsigned int                  n_args,
          const struct scmp_arg_cmp    *arg,
          GError                      **error)
{
  int nr = seccomp_syscall_resolve_name (name);
  int r;

  if (nr == __NR_SCMP_ERROR)
    return TRUE;  /* not a system call of this architecture */
  r = n_args > 0 ? seccomp_rule_add_array (ctx, SCMP_ACT_ERRNO (errnum), nr, n_args, arg)
                 : seccomp_rule_add (ctx, SCMP_ACT_ERRNO (errnum), nr, 0);
  if (r < 0 && r != -EOPNOTSUPP)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-r),
                   _("Could not add the rule for %s to the sandbox's system-call filter: %s"),
                   name, g_strerror (-r));
      return FALSE;
    }
  return TRUE;
}

/* Every family but socket_families: the ones in between, then all above the last. Not for an
 * architecture that reaches socket () through socketcall () (i386): its arguments sit in
 * memory, and libseccomp would refuse every socket there instead. */
static gboolean
add_socket_rules (scmp_filter_ctx   ctx,
                  GError          **error)
{
  int next = 0;

  for (gsize i = 0; i <= G_N_ELEMENTS (socket_families); i++)
    {
      if (i < G_N_ELEMENTS (socket_families))
        {
          for (int family = next; family < socket_families[i]; family++)
            {
              const struct scmp_arg_cmp is = SCMP_A0 (SCMP_CMP_EQ, (scmp_datum_t) family);

              if (!add_rule (ctx, EAFNOSUPPORT, "socket", 1, &is, error))
                return FALSE;
            }
          next = socket_families[i] + 1;
        }
      else
        {
          const struct scmp_arg_cmp above = SCMP_A0 (SCMP_CMP_GE, (scmp_datum_t) next);

          if (!add_rule (ctx, EAFNOSUPPORT, "socket", 1, &above, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
add_rules (scmp_filter_ctx   ctx,
           gboolean          allow_userns,
           gboolean          families,
           GError          **error)
{
  const struct scmp_arg_cmp tiocsti = SCMP_A1 (SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, (scmp_datum_t) TIOCSTI);
  const struct scmp_arg_cmp tioclinux = SCMP_A1 (SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, (scmp_datum_t) TIOCLINUX);
  /* s390 swaps clone's first two arguments. */
  const struct scmp_arg_cmp newuser_clone =
#if defined(__s390__) || defined(__s390x__)
    SCMP_A1 (SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
#else
    SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
#endif
  /* Only the default personality (and its harmless flags) may be set. */
  const struct scmp_arg_cmp odd_personality = SCMP_A0 (SCMP_CMP_MASKED_EQ, PER_MASK | ADDR_NO_RANDOMIZE,
                                                       ADDR_NO_RANDOMIZE);

  for (gsize i = 0; i < G_N_ELEMENTS (denied); i++)
    if (!add_rule (ctx, denied[i].errnum, denied[i].name, 0, NULL, error))
      return FALSE;
  if (!add_rule (ctx, EPERM, "ioctl", 1, &tiocsti, error) ||
      !add_rule (ctx, EPERM, "ioctl", 1, &tioclinux, error) ||
      !add_rule (ctx, EPERM, "personality", 1, &odd_personality, error))
    return FALSE;
  if (!allow_userns &&
      (!add_rule (ctx, EPERM, "unshare", 0, NULL, error) ||
       !add_rule (ctx, EPERM, "clone", 1, &newuser_clone, error)))
    return FALSE;
  return !families || add_socket_rules (ctx, error);
}

#if defined(__x86_64__)
/* The rules for i386 programs, which reach the same kernel: filtered alike rather than left
 * open, in a filter of their own (merged into the main one) for want of socket families. */
static gboolean
add_i386 (scmp_filter_ctx   ctx,
          gboolean          allow_userns,
          GError          **error)
{
  scmp_filter_ctx i386 = seccomp_init (SCMP_ACT_ALLOW);

  if (i386 == NULL || seccomp_arch_remove (i386, SCMP_ARCH_NATIVE) != 0 ||
      seccomp_arch_add (i386, SCMP_ARCH_X86) != 0 || !add_rules (i386, allow_userns, FALSE, error) ||
      seccomp_merge (ctx, i386) != 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Could not build the sandbox's system-call filter for 32-bit programs"));
      if (i386 != NULL)
        seccomp_release (i386);
      return FALSE;
    }
  return TRUE;  /* merged: ctx owns it now */
}
#endif

gboolean
cc_engine_seccomp_write (const char  *path,
                         gboolean     allow_userns,
                         GError     **error)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  g_autofree char *tmp = g_strconcat (path, ".new", NULL);
  gboolean ok = FALSE;
  int fd;
  int r;

  if (ctx == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not start building the sandbox's system-call filter"));
      return FALSE;
    }
#if defined(__x86_64__)
  /* x32 may be missing from the kernel's build; the filter is correct without it. */
  seccomp_arch_add (ctx, SCMP_ARCH_X32);
#elif defined(__aarch64__)
  /* The 32-bit entry points reach the same kernel: filter them alike rather than leave them
   * open. */
  seccomp_arch_add (ctx, SCMP_ARCH_ARM);
#endif
  if (!add_rules (ctx, allow_userns, TRUE, error))
    goto out;
#if defined(__x86_64__)
  if (!add_i386 (ctx, allow_userns, error))
    goto out;
#endif

  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write the sandbox's system-call filter: %s"), g_strerror (saved));
      goto out;
    }
  r = seccomp_export_bpf (ctx, fd);
  if (close (fd) != 0 && r >= 0)
    r = -errno;
  if (r >= 0 && rename (tmp, path) != 0)
    r = -errno;
  if (r < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-r),
                   _("Could not write the sandbox's system-call filter: %s"), g_strerror (-r));
      unlink (tmp);
      goto out;
    }
  ok = TRUE;

out:
  seccomp_release (ctx);
  return ok;
}
