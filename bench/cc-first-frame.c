/* cc-first-frame.c: time from exec to the first frame of an X11 window, and the idle RSS after
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: cc-first-frame [--idle-ms N] -- COMMAND [ARG…]   (under Xvfb, no window manager)
 *
 * Watches the root window for new top-level windows, asks the X server (DAMAGE extension) to
 * report the first drawing into each, then starts COMMAND. The first damage of a window larger
 * than 16×16 is the first frame on screen. After --idle-ms (default 3000) of doing nothing, reads
 * the process's VmRSS and the CPU it used in the second half of that time (idle means about 0:
 * only the header clock, once a second), and whether it has Mesa's GL drivers mapped, stops it
 * with SIGTERM and prints one JSON line:
 *   {"ms": <exec → first frame>, "idle_rss_kb": …, "peak_rss_kb": …, "rss_anon_kb": …, "rss_file_kb": …,
 *    "idle_cpu_percent": …, "mesa_gl": true|false}
 * The app is not modified or instrumented for this.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>

#define FRAME_WAIT_MS 60000

static G_NORETURN void
die (const char *message)
{
  g_printerr ("cc-first-frame: %s\n", message);
  exit (1);
}

static gint64
status_kb (GPid        pid,
           const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line ? g_ascii_strtoll (line + strlen (field), NULL, 10) : -1;
}

/* Whether @pid has mapped one of Mesa's GL drivers (a DRI driver, gallium, or the LLVM that its
 * software rasteriser runs on). */
static gboolean
maps_mesa_gl (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/maps", (int) pid);
  g_autofree char *maps = NULL;

  if (!g_file_get_contents (path, &maps, NULL, NULL))
    return FALSE;
  return strstr (maps, "_dri.so") != NULL || strstr (maps, "libgallium") != NULL ||
         strstr (maps, "libLLVM") != NULL;
}

/* User plus system time of @pid, in clock ticks (fields 14 and 15 of /proc/PID/stat, counted
 * after the command name, which may hold spaces but ends at the last ')'). */
static gint64
cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (rest = strrchr (stat, ')')) == NULL)
    return -1;
  /* After ")": state is field 3, so utime (14) and stime (15) are the 12th and 13th here. */
  fields = g_strsplit (rest + 2, " ", 14);
  if (g_strv_length (fields) < 13)
    return -1;
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

static gboolean
is_frame_window (Display *dpy,
                 Window   window)
{
  XWindowAttributes attrs;

  if (!XGetWindowAttributes (dpy, window, &attrs))
    return FALSE;
  return attrs.map_state == IsViewable && attrs.width > 16 && attrs.height > 16;
}

static int
ignore_x_errors (Display     *dpy,
                 XErrorEvent *event)
{
  /* A window may be gone by the time we ask about it; that is not our failure. */
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  guint idle_ms = 3000;
  int first = 1;
  Display *dpy;
  Window root;
  int damage_event, damage_error;
  g_autoptr(GError) error = NULL;
  GPid pid;
  gint64 t0, t1 = 0;
  gint64 idle_rss, peak_rss, rss_anon, rss_file;
  gboolean mesa_gl;
  gint64 ticks0, ticks1, t2;
  double idle_cpu;

  while (first < argc && g_str_has_prefix (argv[first], "--"))
    {
      if (g_str_equal (argv[first], "--"))
        {
          first++;
          break;
        }
      if (g_str_equal (argv[first], "--idle-ms") && first + 1 < argc)
        {
          idle_ms = (guint) g_ascii_strtoull (argv[first + 1], NULL, 10);
          first += 2;
          continue;
        }
      die ("usage: cc-first-frame [--idle-ms N] -- COMMAND [ARG…]");
    }
  if (first >= argc)
    die ("usage: cc-first-frame [--idle-ms N] -- COMMAND [ARG…]");

  dpy = XOpenDisplay (NULL);
  if (dpy == NULL)
    die ("cannot open the X display (run under xvfb-run)");
  if (!XDamageQueryExtension (dpy, &damage_event, &damage_error))
    die ("the X server has no DAMAGE extension");
  XSetErrorHandler (ignore_x_errors);
  root = DefaultRootWindow (dpy);
  XSelectInput (dpy, root, SubstructureNotifyMask);
  XSync (dpy, False);

  t0 = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, argv + first, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                      NULL, NULL, &pid, &error))
    die (error->message);

  while (t1 == 0)
    {
      struct pollfd pfd = { ConnectionNumber (dpy), POLLIN, 0 };
      int waited = (int) ((g_get_monotonic_time () - t0) / 1000);

      if (waited > FRAME_WAIT_MS)
        {
          kill (pid, SIGKILL);
          die ("no frame within 60 s");
        }
      if (XPending (dpy) == 0 && poll (&pfd, 1, FRAME_WAIT_MS - waited) < 0 && errno != EINTR)
        die ("poll failed");
      while (t1 == 0 && XPending (dpy) > 0)
        {
          XEvent ev;

          XNextEvent (dpy, &ev);
          if (ev.type == CreateNotify && ev.xcreatewindow.parent == root)
            XDamageCreate (dpy, ev.xcreatewindow.window, XDamageReportNonEmpty);
          else if (ev.type == damage_event + XDamageNotify)
            {
              XDamageNotifyEvent *dev = (XDamageNotifyEvent *) &ev;

              XDamageSubtract (dpy, dev->damage, None, None);
              if (is_frame_window (dpy, dev->drawable))
                t1 = g_get_monotonic_time ();
            }
        }
      if (waitpid (pid, NULL, WNOHANG) == pid)
        die ("the program exited before showing a frame");
    }

  /* The first half lets start-up work settle; the second is measured. */
  g_usleep ((gulong) idle_ms * 500);
  ticks0 = cpu_ticks (pid);
  t2 = g_get_monotonic_time ();
  g_usleep ((gulong) idle_ms * 500);
  ticks1 = cpu_ticks (pid);
  idle_cpu = ticks0 >= 0 && ticks1 >= ticks0
             ? 100.0 * (ticks1 - ticks0) / sysconf (_SC_CLK_TCK) / ((g_get_monotonic_time () - t2) / 1e6)
             : -1.0;
  idle_rss = status_kb (pid, "VmRSS:");
  peak_rss = status_kb (pid, "VmHWM:");
  rss_anon = status_kb (pid, "RssAnon:");
  rss_file = status_kb (pid, "RssFile:");
  mesa_gl = maps_mesa_gl (pid);
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  XCloseDisplay (dpy);

  printf ("{\"ms\": %.3f, \"idle_rss_kb\": %" G_GINT64_FORMAT ", \"peak_rss_kb\": %" G_GINT64_FORMAT
          ", \"rss_anon_kb\": %" G_GINT64_FORMAT ", \"rss_file_kb\": %" G_GINT64_FORMAT
          ", \"idle_cpu_percent\": %.2f, \"mesa_gl\": %s}\n",
          (t1 - t0) / 1000.0, idle_rss, peak_rss, rss_anon, rss_file, idle_cpu,
          mesa_gl ? "true" : "false");
  return 0;
}
