/* cc-template.c: built-in project templates and projects from a local folder
 *
 * Copyright 2026 The Code Canvas Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cc-template.h"

struct _CcTemplate
{
  const char *id;
  const char *name;          /* N_() */
  const char *description;   /* N_() */
  const char *setup_command;
  const char *start_command;
  guint       port;
  /* path, content pairs; "@PORT@" in content is the port */
  const char * const *files;
};

static const char * const node_files[] = {
  "package.json",
  "{\n"
  "  \"name\": \"node-app\",\n"
  "  \"version\": \"1.0.0\",\n"
  "  \"private\": true,\n"
  "  \"scripts\": {\n"
  "    \"start\": \"node server.js\"\n"
  "  }\n"
  "}\n",
  "server.js",
  "// A web server with no dependencies: Node's own http module.\n"
  "const http = require('http');\n"
  "\n"
  "const port = Number(process.env.PORT) || @PORT@;\n"
  "\n"
  "const server = http.createServer((req, res) => {\n"
  "  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });\n"
  "  res.end('<!doctype html>\\n<html><head><title>Hello from Code Canvas</title></head>'\n"
  "          + '<body><h1>Hello from Code Canvas</h1><p>Edit server.js and restart.</p></body></html>\\n');\n"
  "});\n"
  "\n"
  "// 0.0.0.0, not localhost: the preview reaches the server from outside the sandbox.\n"
  "server.listen(port, '0.0.0.0', () => {\n"
  "  console.log(`Listening on http://0.0.0.0:${port}`);\n"
  "});\n",
  NULL,
};

static const char * const vite_files[] = {
  "package.json",
  "{\n"
  "  \"name\": \"vite-app\",\n"
  "  \"version\": \"1.0.0\",\n"
  "  \"private\": true,\n"
  "  \"type\": \"module\",\n"
  "  \"scripts\": {\n"
  "    \"dev\": \"vite\",\n"
  "    \"build\": \"vite build\"\n"
  "  },\n"
  "  \"devDependencies\": {\n"
  "    \"vite\": \"^5.4.0\"\n"
  "  }\n"
  "}\n",
  "index.html",
  "<!doctype html>\n"
  "<html lang=\"en\">\n"
  "  <head>\n"
  "    <meta charset=\"UTF-8\">\n"
  "    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
  "    <title>Vite App</title>\n"
  "  </head>\n"
  "  <body>\n"
  "    <div id=\"app\"></div>\n"
  "    <script type=\"module\" src=\"/main.js\"></script>\n"
  "  </body>\n"
  "</html>\n",
  "main.js",
  "document.querySelector('#app').innerHTML = `\n"
  "  <h1>Hello from Vite</h1>\n"
  "  <p>Edit main.js and the page reloads by itself.</p>\n"
  "`;\n",
  NULL,
};

static const char * const python_files[] = {
  "index.html",
  "<!doctype html>\n"
  "<html>\n"
  "  <head><meta charset=\"utf-8\"><title>Hello from Code Canvas</title></head>\n"
  "  <body><h1>Hello from Code Canvas</h1><p>Served by python3 -m http.server.</p></body>\n"
  "</html>\n",
  NULL,
};

static const char * const blank_files[] = {
  NULL,
};

static const CcTemplate templates[] = {
  {
    CC_TEMPLATE_BLANK, N_("Blank"), N_("An empty project"),
    NULL, NULL, 3000, blank_files,
  },
  {
    CC_TEMPLATE_NODE, N_("Node"), N_("A web server on Node's http module, no dependencies"),
    NULL, "PORT=$PORT node server.js", 3000, node_files,
  },
  {
    CC_TEMPLATE_VITE, N_("Vite"), N_("A Vite front-end with live reload"),
    "npm install", "npx vite --host 0.0.0.0 --port $PORT --strictPort", 5173, vite_files,
  },
  {
    CC_TEMPLATE_PYTHON, N_("Python"), N_("A static site served by Python's http.server"),
    NULL, "python3 -m http.server $PORT --bind 0.0.0.0", 8000, python_files,
  },
};

static const CcTemplate *template_list[] = {
  &templates[0], &templates[1], &templates[2], &templates[3], NULL,
};

CcProjectFile *
cc_project_file_new (const char *path,
                     GBytes     *content)
{
  CcProjectFile *file;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_new0 (CcProjectFile, 1);
  file->path = g_strdup (path);
  file->content = content ? g_bytes_ref (content) : g_bytes_new (NULL, 0);
  return file;
}

CcProjectFile *
cc_project_file_new_take (const char *path,
                          char       *data,
                          gsize       length)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (data, length);

  return cc_project_file_new (path, bytes);
}

void
cc_project_file_free (CcProjectFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_clear_pointer (&file->content, g_bytes_unref);
  g_free (file);
}

const CcTemplate * const *
cc_template_get_all (guint *n_templates)
{
  if (n_templates)
    *n_templates = G_N_ELEMENTS (templates);
  return (const CcTemplate * const *) template_list;
}

const CcTemplate *
cc_template_lookup (const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (templates); i++)
    if (g_ascii_strcasecmp (templates[i].id, id) == 0)
      return &templates[i];
  return NULL;
}

const char *
cc_template_get_id (const CcTemplate *self)
{
  return self->id;
}

const char *
cc_template_get_name (const CcTemplate *self)
{
  return _(self->name);
}

const char *
cc_template_get_description (const CcTemplate *self)
{
  return _(self->description);
}

const char *
cc_template_get_setup_command (const CcTemplate *self)
{
  return self->setup_command;
}

const char *
cc_template_get_start_command (const CcTemplate *self)
{
  return self->start_command;
}

guint
cc_template_get_port (const CcTemplate *self)
{
  return self->port;
}

GPtrArray *
cc_template_dup_files (const CcTemplate *self,
                       guint             port)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  g_autofree char *port_str = g_strdup_printf ("%u", port ? port : self->port);

  for (guint i = 0; self->files[i] != NULL; i += 2)
    {
      g_auto(GStrv) parts = g_strsplit (self->files[i + 1], "@PORT@", -1);
      char *content = g_strjoinv (port_str, parts);

      g_ptr_array_add (files, cc_project_file_new_take (self->files[i], content, strlen (content)));
    }
  return files;
}

char *
cc_template_expand_command (const char *command,
                            guint       port)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *port_str = NULL;

  if (command == NULL)
    return NULL;
  port_str = g_strdup_printf ("%u", port);
  parts = g_strsplit (command, "$PORT", -1);
  return g_strjoinv (port_str, parts);
}

const char *
cc_template_guess_setup_command (GPtrArray *files)
{
  gboolean has_requirements = FALSE;

  if (files == NULL)
    return NULL;
  for (guint i = 0; i < files->len; i++)
    {
      const CcProjectFile *file = g_ptr_array_index (files, i);
      const char *path = file->path;

      if (g_str_has_prefix (path, "./"))
        path += 2;
      if (g_str_equal (path, "package.json"))
        return "npm install";
      if (g_str_equal (path, "requirements.txt"))
        has_requirements = TRUE;
    }
  return has_requirements ? "pip install -r requirements.txt" : NULL;
}

gboolean
cc_template_is_excluded_name (const char *name)
{
  static const char * const excluded[] = {
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache",
    ".pytest_cache", ".cache", ".parcel-cache", ".next", ".nuxt", ".DS_Store", NULL,
  };

  if (name == NULL || *name == '\0')
    return TRUE;
  if (g_strv_contains (excluded, name))
    return TRUE;
  /* Editor swap and backup files */
  if (g_str_has_suffix (name, ".swp") || g_str_has_suffix (name, "~") || g_str_has_prefix (name, ".#"))
    return TRUE;
  return FALSE;
}

typedef struct
{
  GPtrArray *files;
  guint64    total;
} FolderRead;

static gboolean
read_folder_recursive (GFile         *root,
                       GFile         *dir,
                       FolderRead    *state,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GFileEnumerator) enumerator = NULL;

  enumerator = g_file_enumerate_children (dir,
                                          G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                          G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                          G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                          G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                          cancellable, error);
  if (enumerator == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      const char *name;

      if (!g_file_enumerator_iterate (enumerator, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        break;

      name = g_file_info_get_name (info);
      if (cc_template_is_excluded_name (name))
        continue;

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          if (!read_folder_recursive (root, child, state, cancellable, error))
            return FALSE;
          break;

        case G_FILE_TYPE_REGULAR:
          {
            g_autofree char *relative = g_file_get_relative_path (root, child);
            goffset size = g_file_info_get_size (info);
            char *data = NULL;
            gsize length = 0;

            if (state->files->len >= CC_FOLDER_MAX_FILES)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                             _("The folder has more than %d files. Remove generated files or "
                               "pick a smaller folder."), CC_FOLDER_MAX_FILES);
                return FALSE;
              }
            if (size > CC_FOLDER_MAX_FILE_SIZE)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                             _("“%s” is larger than %d MiB. Leave large files out of the "
                               "project folder and upload them separately."),
                             relative, CC_FOLDER_MAX_FILE_SIZE / (1024 * 1024));
                return FALSE;
              }
            if (state->total + size > CC_FOLDER_MAX_TOTAL_SIZE)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                             _("The folder holds more than %d MiB. Leave build output and "
                               "large files out of the project folder."),
                             CC_FOLDER_MAX_TOTAL_SIZE / (1024 * 1024));
                return FALSE;
              }
            if (!g_file_load_contents (child, cancellable, &data, &length, NULL, error))
              return FALSE;
            state->total += length;
            g_ptr_array_add (state->files, cc_project_file_new_take (relative, data, length));
          }
          break;

        case G_FILE_TYPE_SYMBOLIC_LINK:
        case G_FILE_TYPE_UNKNOWN:
        case G_FILE_TYPE_SPECIAL:
        case G_FILE_TYPE_SHORTCUT:
        case G_FILE_TYPE_MOUNTABLE:
        default:
          /* Links may point anywhere on this machine; a project upload never follows them. */
          break;
        }
    }
  return TRUE;
}

static int
compare_files (gconstpointer a,
               gconstpointer b)
{
  const CcProjectFile *fa = *(const CcProjectFile * const *) a;
  const CcProjectFile *fb = *(const CcProjectFile * const *) b;

  return strcmp (fa->path, fb->path);
}

GPtrArray *
cc_template_read_folder (GFile         *folder,
                         GCancellable  *cancellable,
                         GError       **error)
{
  FolderRead state = { 0 };

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  state.files = g_ptr_array_new_with_free_func ((GDestroyNotify) cc_project_file_free);
  if (!read_folder_recursive (folder, folder, &state, cancellable, error))
    {
      g_ptr_array_unref (state.files);
      return NULL;
    }
  g_ptr_array_sort (state.files, compare_files);
  return state.files;
}

static void
read_folder_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *files = cc_template_read_folder (task_data, cancellable, &error);

  if (files == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

void
cc_template_read_folder_async (GFile               *folder,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (folder));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cc_template_read_folder_async);
  g_task_set_task_data (task, g_object_ref (folder), g_object_unref);
  g_task_run_in_thread (task, read_folder_thread);
}

GPtrArray *
cc_template_read_folder_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
