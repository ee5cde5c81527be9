/* cc-engine-spawn.c: how a sandbox process is launched (bubblewrap or unisolated)
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Under bubblewrap a process sees a read-only system, its sandbox's home at /home/user (and at
 * /root for root), the sandbox's /tmp, its own /proc and /dev and PID namespace, and a network
 * namespace of its own (cc-engine-netns.c). Nothing else of the host's file system is mounted,
 * so the user's real home and other sandboxes are out of reach. The user namespace maps the
 * engine's uid to 1000 ("user") or 0 ("root") so that whoami, file ownership and $HOME agree
 * inside.
 */
#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cc-engine-netns.h"
#include "cc-engine-sandbox-private.h"
#include "cc-engine-spawn.h"

static const char passwd_text[] =
  "root:x:0:0:root:/root:/bin/bash\n"
  "user:x:1000:1000:user:/home/user:/bin/bash\n"
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";

static const char group_text[] =
  "root:x:0:\n"
  "user:x:1000:\n"
  "nogroup:x:65534:\n";

/* Read-only system paths; missing ones are skipped (--ro-bind-try). /etc/profile.d is left out
 * on purpose: it holds the desktop's login hooks (flatpak, vte, …) that have no business in a
 * sandbox and cost every `bash -l` command about 100 ms. */
static const char * const system_binds[] = {
  "/usr", "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf",
  "/etc/hosts", "/etc/host.conf", "/etc/gai.conf", "/etc/nsswitch.conf", "/etc/localtime",
  "/etc/timezone", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/profile",
  "/etc/bash.bashrc", "/etc/inputrc", "/etc/terminfo", "/etc/mime.types",
  "/etc/locale.alias", "/etc/default/locale", "/etc/environment", "/etc/npmrc", "/etc/pip.conf",
  "/etc/python3", "/etc/gitconfig", "/etc/os-release", "/etc/debian_version", "/etc/protocols",
  "/etc/services", "/etc/magic", "/etc/skel", "/opt", NULL
};

static void
add (GPtrArray  *argv,
     const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

static void
add_bwrap_prefix (GPtrArray       *argv,
                  const char      *runtime_dir,
                  CcEngineSandbox *sandbox,
                  const char      *user,
                  const char      *cwd)
{
  g_autofree char *passwd = g_build_filename (runtime_dir, "sandbox-passwd", NULL);
  g_autofree char *group = g_build_filename (runtime_dir, "sandbox-group", NULL);
  gboolean root = g_strcmp0 (user, "root") == 0;

  g_autofree char *profile = g_build_filename (runtime_dir, "sandbox-profile", NULL);
  gboolean own_profile = g_file_test (profile, G_FILE_TEST_EXISTS);

  add (argv, "bwrap");
  for (guint i = 0; system_binds[i]; i++)
    {
      add (argv, "--ro-bind-try");
      add (argv, own_profile && g_str_equal (system_binds[i], "/etc/profile") ? profile : system_binds[i]);
      add (argv, system_binds[i]);
    }
  add (argv, "--symlink"); add (argv, "usr/bin"); add (argv, "/bin");
  add (argv, "--symlink"); add (argv, "usr/sbin"); add (argv, "/sbin");
  add (argv, "--symlink"); add (argv, "usr/lib"); add (argv, "/lib");
  add (argv, "--symlink"); add (argv, "usr/lib64"); add (argv, "/lib64");
  add (argv, "--symlink"); add (argv, "usr/lib32"); add (argv, "/lib32");
  add (argv, "--ro-bind"); add (argv, passwd); add (argv, "/etc/passwd");
  add (argv, "--ro-bind"); add (argv, group); add (argv, "/etc/group");
  add (argv, "--proc"); add (argv, "/proc");
  add (argv, "--dev"); add (argv, "/dev");
  add (argv, "--tmpfs"); add (argv, "/var");
  add (argv, "--symlink"); add (argv, "../tmp"); add (argv, "/var/tmp");
  add (argv, "--bind"); add (argv, cc_engine_sandbox_get_tmp_dir (sandbox)); add (argv, "/tmp");
  add (argv, "--bind"); add (argv, cc_engine_sandbox_get_home_dir (sandbox)); add (argv, "/home/user");
  if (root)
    {
      add (argv, "--bind"); add (argv, cc_engine_sandbox_get_home_dir (sandbox)); add (argv, "/root");
    }
  /* A user namespace maps the engine's uid to the sandbox user's. It is the costliest part of
   * the launch, so root under a root engine goes without (bwrap drops its capabilities). */
  if (!(root && geteuid () == 0))
    {
      add (argv, "--unshare-user");
      add (argv, "--uid"); add (argv, root ? "0" : "1000");
      add (argv, "--gid"); add (argv, root ? "0" : "1000");
    }
  add (argv, "--unshare-pid");
  cc_engine_netns_add_bwrap_args (argv);
  add (argv, "--unshare-uts");
  add (argv, "--hostname"); add (argv, "sandbox");
  add (argv, "--die-with-parent");
  add (argv, "--chdir"); add (argv, cwd);
  add (argv, "--");
}

GStrv
cc_engine_spawn_build_argv (gboolean         isolated,
                            const char      *runtime_dir,
                            CcEngineSandbox *sandbox,
                            const char      *user,
                            const char      *cwd,
                            const char      *host_cwd,
                            const char      *cmd,
                            JsonArray       *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  if (isolated)
    add_bwrap_prefix (argv, runtime_dir, sandbox, user, cwd);
  add (argv, cmd);
  if (args != NULL)
    for (guint i = 0; i < json_array_get_length (args); i++)
      add (argv, json_array_get_string_element (args, i));
  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (argv, FALSE);
}

GStrv
cc_engine_spawn_build_launcher_argv (const char      *runtime_dir,
                                     CcEngineSandbox *sandbox,
                                     const char      *user)
{
  GPtrArray *argv = g_ptr_array_new ();

  add_bwrap_prefix (argv, runtime_dir, sandbox, user, cc_engine_sandbox_user_home (user));
  /* The engine's own executable, passed as descriptor 4: nothing of the host's file system
   * needs to be mounted for it. Descriptor 3 is the launcher's socket. */
  add (argv, "/proc/self/fd/4");
  add (argv, "--sandbox-launcher");
  add (argv, "3");
  g_ptr_array_add (argv, NULL);
  return (GStrv) g_ptr_array_free (argv, FALSE);
}

GStrv
cc_engine_spawn_build_envp (gboolean         isolated,
                            CcEngineSandbox *sandbox,
                            const char      *user,
                            JsonObject      *envs)
{
  GStrv envp = NULL;
  const char *home = isolated ? cc_engine_sandbox_user_home (user) : cc_engine_sandbox_get_home_dir (sandbox);
  GHashTableIter iter;
  gpointer key, value;

  envp = g_environ_setenv (envp, "PATH", CC_ENGINE_SANDBOX_PATH, TRUE);
  envp = g_environ_setenv (envp, "HOME", home, TRUE);
  envp = g_environ_setenv (envp, "USER", user, TRUE);
  envp = g_environ_setenv (envp, "LOGNAME", user, TRUE);
  if (!isolated)
    envp = g_environ_setenv (envp, "TMPDIR", cc_engine_sandbox_get_tmp_dir (sandbox), TRUE);

  g_hash_table_iter_init (&iter, cc_engine_sandbox_get_env_vars (sandbox));
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(const char *) key != '\0' && strchr (key, '=') == NULL)
      envp = g_environ_setenv (envp, key, value, TRUE);

  if (envs != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (envs);

      for (GList *l = names; l; l = l->next)
        {
          JsonNode *node = json_object_get_member (envs, l->data);

          if (*(const char *) l->data == '\0' || strchr (l->data, '=') != NULL)
            continue;
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            envp = g_environ_setenv (envp, l->data, json_node_get_string (node), TRUE);
        }
    }
  return envp;
}

/* Every command is `bash -l -c …`, which reads /etc/profile; Debian's forks `id -u` there to
 * pick PATH, a good part of a short command's time. The sandboxes get a copy that asks bash's
 * own $EUID first (other shells still run id). Without a host /etc/profile there is nothing
 * to copy, and a stale copy is removed. */
static void
write_profile (const char *runtime_dir)
{
  g_autofree char *path = g_build_filename (runtime_dir, "sandbox-profile", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *patched = NULL;

  if (!g_file_get_contents ("/etc/profile", &text, NULL, NULL) || strstr (text, "\"$(id -u)\"") == NULL)
    {
      g_unlink (path);
      return;
    }
  parts = g_strsplit (text, "\"$(id -u)\"", -1);
  patched = g_strjoinv ("\"${EUID:-$(id -u)}\"", parts);
  if (!g_file_set_contents_full (path, patched, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, NULL))
    g_unlink (path);
}

gboolean
cc_engine_spawn_probe (const char  *runtime_dir,
                       char       **reason)
{
  g_autofree char *passwd = g_build_filename (runtime_dir, "sandbox-passwd", NULL);
  g_autofree char *group = g_build_filename (runtime_dir, "sandbox-group", NULL);
  g_autofree char *probe_dir = g_build_filename (runtime_dir, "probe", NULL);
  g_autofree char *bwrap = g_find_program_in_path ("bwrap");
  g_autofree char *err_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CcEngineSandbox) fake = NULL;
  g_auto(GStrv) argv = NULL;
  int status = 0;

  *reason = NULL;
  if (g_getenv ("CODE_CANVAS_ENGINE_NO_BWRAP") != NULL)
    {
      *reason = g_strdup (_("bubblewrap was turned off with CODE_CANVAS_ENGINE_NO_BWRAP"));
      return FALSE;
    }
  if (bwrap == NULL)
    {
      *reason = g_strdup (_("bubblewrap (bwrap) is not installed; install the bubblewrap package"));
      return FALSE;
    }
  if (!g_file_set_contents_full (passwd, passwd_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error) ||
      !g_file_set_contents_full (group, group_text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    {
      *reason = g_strdup_printf (_("Could not write the sandbox user database: %s"), error->message);
      return FALSE;
    }

  write_profile (runtime_dir);

  /* The probe runs exactly the launch a command gets, in a throwaway sandbox. */
  {
    GPtrArray *args = g_ptr_array_new ();

    fake = cc_engine_sandbox_new (probe_dir, "probe");
    g_mkdir_with_parents (cc_engine_sandbox_get_home_dir (fake), 0755);
    g_mkdir_with_parents (cc_engine_sandbox_get_tmp_dir (fake), 0755);
    add_bwrap_prefix (args, runtime_dir, fake, "user", "/home/user");
    add (args, "/bin/sh");
    add (args, "-c");
    add (args, "test \"$(id -u)\" = 1000 && test -w /home/user && test ! -e /etc/shadow");
    g_ptr_array_add (args, NULL);
    argv = (GStrv) g_ptr_array_free (args, FALSE);
  }

  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err_text, &status, &error))
    *reason = g_strdup_printf (_("bubblewrap could not be started: %s"), error->message);
  else if (!g_spawn_check_wait_status (status, &error))
    {
      g_strstrip (err_text);
      *reason = g_strdup_printf (_("bubblewrap does not work here (%s)"),
                                 err_text && *err_text ? err_text : error->message);
    }

  {
    g_autofree char *cmd_home = g_strdup (cc_engine_sandbox_get_home_dir (fake));
    g_autofree char *cmd_tmp = g_strdup (cc_engine_sandbox_get_tmp_dir (fake));

    g_rmdir (cmd_home);
    g_rmdir (cmd_tmp);
    {
      g_autofree char *d1 = g_build_filename (probe_dir, "sandboxes", NULL);
      g_autofree char *d2 = g_build_filename (probe_dir, "tmp", NULL);

      g_rmdir (d1);
      g_rmdir (d2);
      g_rmdir (probe_dir);
    }
  }
  return *reason == NULL;
}
