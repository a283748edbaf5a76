// SPDX-License-Identifier: MIT
/*
 * Project scope: the roots of the named paths' projects, walked like a
 * full run would walk them, and their files added to the run as context
 * (cli/scope.h).
 */
#include "cli/scope.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/map.h"
#include "base/path.h"
#include "source/discover.h"

// Whether abs is one of the colon-separated $GIT_CEILING_DIRECTORIES
// (empty entries and relative ones are ignored, as git does).
static bool is_ceiling(al_arena *arena, const char *abs) {
  const char *env = getenv("GIT_CEILING_DIRECTORIES");
  if (!env || !*env)
    return false;
  while (*env) {
    const char *end = strchr(env, ':');
    size_t len = end ? (size_t)(end - env) : strlen(env);
    if (len && env[0] == '/') {
      char *dir = al_path_join(arena, "", al_arena_strndup(arena, env, len));
      if (strcmp(dir, abs) == 0)
        return true;
    }
    if (!end)
      break;
    env = end + 1;
  }
  return false;
}

static bool has_dotgit(al_arena *arena, const char *dir) {
  struct stat sb;
  return stat(al_path_join(arena, dir, ".git"), &sb) == 0 &&
         (S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode));
}

// Whether abs is dir or lies below it (both absolute, normalised).
static bool is_under(const char *abs, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(abs, dir, n) == 0 &&
         (abs[n] == '/' || abs[n] == 0 || (n == 1 && dir[0] == '/'));
}

// The git roots found so far, by the directory the search started from
// (the files a run names share few directories).
typedef struct {
  al_map from;                // directory -> index into roots
  al_vec(const char *) roots; // NULL: none
} git_memo;

// The closest directory at or above dir that holds `.git`, not going up
// into a ceiling directory; NULL when none. Memoised in m (if not NULL).
static const char *git_root(al_arena *arena, git_memo *m, const char *dir) {
  uint32_t i;
  if (m && al_map_get(&m->from, al_str_from(dir), &i))
    return m->roots.items[i];
  const char *at = dir, *found = NULL;
  for (;;) {
    if (has_dotgit(arena, at)) {
      found = at;
      break;
    }
    if (strcmp(at, "/") == 0)
      break;
    const char *up = al_path_parent(arena, at);
    if (is_ceiling(arena, up))
      break;
    at = up;
  }
  if (m) {
    al_map_put(&m->from, al_str_from(dir), m->roots.len);
    vec_push(&m->roots, found);
  }
  return found;
}

// The project root of abs (absolute, normalised), whose directory (itself
// or its parent) is dir.
static const char *root_of(al_arena *arena, git_memo *m, const al_settings *s,
                           const char *abs, const char *dir) {
  const char *git = git_root(arena, m, dir);
  const char *cfg =
      s && s->config && s->config->dir && is_under(abs, s->config->dir)
          ? s->config->dir
          : NULL;
  // A config above the work tree (in a home directory, say) is a shared
  // setting, not the project: the deeper of the two is.
  if (cfg && git)
    return strlen(git) > strlen(cfg) ? git : cfg;
  return cfg ? cfg : git;
}

static bool is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

const char *al_scope_root(al_arena *arena, const al_settings *s,
                          const char *path) {
  const char *abs = al_path_absolute(arena, path);
  return root_of(arena, NULL, s, abs,
                 is_dir(abs) ? abs : al_path_parent(arena, abs));
}

// How to name the root in display paths: relative to the current
// directory when it is the root, above it or below it, else absolute.
static const char *root_display(al_arena *arena, const char *cwd,
                                const char *root) {
  size_t n = strlen(root);
  if (strcmp(cwd, root) == 0)
    return ".";
  if (strncmp(cwd, root, n) == 0 && (cwd[n] == '/' || n == 1)) {
    size_t up = 1;
    for (const char *p = cwd + (n == 1 ? 1 : n + 1); *p; p++)
      up += *p == '/';
    char *rel = al_arena_alloc(arena, up * 3);
    for (size_t i = 0; i < up; i++)
      memcpy(rel + i * 3, i + 1 < up ? "../" : "..\0", 3);
    return rel;
  }
  return al_path_display(arena, root);
}

// The realpath of dir pushed onto the roots unless there already (seen:
// the directories as given, so that each is resolved once).
static void add_root(al_project *project, al_map *seen, const char *dir) {
  if (!al_map_put(seen, al_str_from(dir), 1))
    return;
  char *abs = realpath(dir, NULL);
  if (!abs)
    return;
  for (uint32_t i = 0; i < project->roots.len; i++)
    if (strcmp(project->roots.items[i], abs) == 0) {
      free(abs);
      return;
    }
  vec_push(&project->roots, (const char *)abs);
}

typedef struct {
  al_vec(const char *) dirs; // project roots, absolute
  al_vec(const al_discover_opts *) opts;
} root_list;

static void add_project(root_list *l, const char *root, const al_settings *s) {
  for (uint32_t i = 0; i < l->dirs.len; i++)
    if (strcmp(l->dirs.items[i], root) == 0)
      return;
  vec_push(&l->dirs, root);
  vec_push(&l->opts, s ? &s->discover : NULL);
}

// Walk the roots and append the files not known yet as context files.
static void add_context(al_project *project, al_arena *arena, const char *cwd,
                        const root_list *l, const char *stdin_abs) {
  al_map known = AL_MAP_INIT;
  for (uint32_t i = 0; i < project->files.len; i++) {
    const al_project_file *pf = &project->files.items[i];
    if (pf->fs_path)
      al_map_put(&known, al_str_from(al_path_join(arena, cwd, pf->fs_path)), 1);
  }
  if (stdin_abs)
    al_map_put(&known, al_str_from(stdin_abs), 1);
  uint32_t n = l->dirs.len;
  const char **shown = al_xcalloc(n, sizeof *shown);
  static const al_discover_opts none = {0};
  const al_discover_opts **opts = al_xcalloc(n, sizeof *opts);
  for (uint32_t i = 0; i < n; i++) {
    shown[i] = root_display(arena, cwd, l->dirs.items[i]);
    opts[i] = l->opts.items[i] ? l->opts.items[i] : &none;
  }
  al_discovery disc = {0};
  al_discover_each(&disc, arena, shown, opts, n);
  for (uint32_t i = 0; i < disc.files.len; i++) {
    const char *path = disc.files.items[i].path;
    al_str key = al_str_from(al_path_join(arena, cwd, path));
    if (!al_map_put(&known, key, 1))
      continue; // named, or "-" stands for it
    al_project_file pf = {.path = path, .fs_path = path, .context = true};
    vec_push(&project->files, pf);
  }
  al_discovery_free(&disc);
  al_map_free(&known);
  free(shown);
  free(opts);
}

void al_scope_extend(al_project *project, al_arena *arena,
                     const al_scope_in *in) {
  root_list l = {0};
  git_memo gm = {AL_MAP_INIT, {0}};
  al_map named = AL_MAP_INIT, seen = AL_MAP_INIT;
  char *cwd = getcwd(NULL, 0);
  const char **abs = al_xcalloc(in->n_paths + 1, sizeof *abs);
  for (uint32_t i = 0; cwd && i < in->n_paths; i++) {
    abs[i] = al_path_join(arena, cwd, in->paths[i]);
    al_map_put(&named, al_str_from(abs[i]), 1);
  }
  for (uint32_t i = 0; i < in->n_paths; i++) {
    const char *root = NULL;
    bool dir = is_dir(in->paths[i]);
    if (in->project && abs[i])
      root = root_of(arena, &gm, in->settings[i], abs[i],
                     dir ? abs[i] : al_path_parent(arena, abs[i]));
    if (root) {
      // A named path that is the root itself: its files are all named.
      if (!al_map_get(&named, al_str_from(root), NULL))
        add_project(&l, root, in->settings[i]);
      add_root(project, &seen, root);
    } else if (dir) {
      add_root(project, &seen, in->paths[i]);
    }
  }
  const char *stdin_abs = NULL;
  if (in->project && in->want_stdin) {
    const char *where = in->stdin_name ? in->stdin_name : ".";
    const char *root = al_scope_root(arena, in->stdin_settings, where);
    if (root) {
      add_project(&l, root, in->stdin_settings);
      add_root(project, &seen, root);
    }
    if (in->stdin_name)
      stdin_abs = al_path_absolute(arena, in->stdin_name);
  }
  if (l.dirs.len && cwd)
    add_context(project, arena, cwd, &l, stdin_abs);
  free(cwd);
  free(abs);
  al_map_free(&gm.from);
  vec_free(&gm.roots);
  al_map_free(&named);
  al_map_free(&seen);
  vec_free(&l.dirs);
  vec_free(&l.opts);
}
