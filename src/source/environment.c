// SPDX-License-Identifier: MIT
/*
 * Site directories of a Python environment, found without running Python:
 * a virtualenv's lib/python3.X/site-packages, and with pyvenv.cfg's
 * include-system-site-packages the base interpreter's site directories
 * that exist (from its `home`, Debian's dist-packages included). Module
 * files are found by probing paths with stat(2) (no directory listing), so
 * an environment of ten thousand packages costs nothing until a module of
 * it is imported. Nothing here reads a module or prints.
 */
#include "source/environment.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/map.h"
#include "base/vec.h"

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path, uint64_t *size) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  if (size)
    *size = (uint64_t)st.st_size;
  return true;
}

// Add dir unless it is missing or already listed.
static void add_dir(al_env *env, const char *dir) {
  if (!is_dir(dir))
    return;
  char *real = realpath(dir, NULL);
  if (!real)
    return;
  for (uint32_t i = 0; i < env->dirs.len; i++)
    if (strcmp(env->dirs.items[i], real) == 0) {
      free(real);
      return;
    }
  vec_push(&env->dirs, real);
}

static void note(al_env *env, const char *fmt, const char *a, const char *b) {
  if (env->note[0])
    return; // one notice is enough
  if (snprintf(env->note, sizeof env->note, fmt, a, b) < 0)
    env->note[0] = 0;
}

// The value of `key = value` in pyvenv.cfg (buf), or "".
static void cfg_value(const char *cfg, const char *key, char *out, size_t cap) {
  out[0] = 0;
  size_t kl = strlen(key);
  for (const char *line = cfg; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
      len--;
    if (len > kl && strncmp(line, key, kl) == 0) {
      const char *p = line + kl;
      while (p < line + len && *p == ' ')
        p++;
      if (p < line + len && *p == '=') {
        p++;
        while (p < line + len && *p == ' ')
          p++;
        size_t n = (size_t)(line + len - p);
        if (n >= cap)
          n = cap - 1;
        memcpy(out, p, n);
        out[n] = 0;
        return;
      }
    }
    line = end ? end + 1 : NULL;
  }
}

// pyvenv.cfg of venv (at most 16 KiB), NUL-terminated, or false.
static bool read_cfg(const char *venv, char *buf, size_t cap) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/pyvenv.cfg", venv) >= (int)sizeof path ||
      !is_file(path, NULL))
    return false;
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  size_t n = fread(buf, 1, cap - 1, f);
  fclose(f);
  buf[n] = 0;
  return true;
}

// The venv's lib/python3.*/site-packages, in name order; the last minor
// version seen goes to minor ("" if none).
static void venv_sites(al_env *env, const char *venv, char *minor, size_t cap) {
  char lib[4096];
  if (snprintf(lib, sizeof lib, "%s/lib", venv) >= (int)sizeof lib)
    return;
  DIR *d = opendir(lib);
  if (!d)
    return;
  al_vec(char *) names = {0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL && names.len < 64)
    if (strncmp(e->d_name, "python3.", 8) == 0)
      vec_push(&names, al_xstrdup(e->d_name));
  closedir(d);
  for (uint32_t i = 1; i < names.len; i++) // insertion sort, a few names
    for (uint32_t j = i;
         j > 0 && strcmp(names.items[j - 1], names.items[j]) > 0; j--) {
      char *t = names.items[j];
      names.items[j] = names.items[j - 1];
      names.items[j - 1] = t;
    }
  for (uint32_t i = 0; i < names.len; i++) {
    char site[4096];
    if (snprintf(site, sizeof site, "%s/%s/site-packages", lib,
                 names.items[i]) < (int)sizeof site)
      add_dir(env, site);
    snprintf(minor, cap, "%s", names.items[i] + 6); // "3.11"
    free(names.items[i]);
  }
  vec_free(&names);
}

// The base interpreter's site directories: from pyvenv.cfg's home (the
// directory of its python executable), those that exist.
static void base_sites(al_env *env, const char *venv, const char *cfg,
                       const char *minor) {
  char home[2048], version[64], ver[16] = "";
  cfg_value(cfg, "home", home, sizeof home);
  cfg_value(cfg, "version", version, sizeof version);
  if (!version[0])
    cfg_value(cfg, "version_info", version, sizeof version);
  // "3.11.2" -> "3.11"
  const char *dot = strchr(version, '.');
  const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;
  if (dot)
    snprintf(ver, sizeof ver, "%.*s",
             (int)(dot2 ? dot2 - version : (long)strlen(version)), version);
  if (!ver[0])
    snprintf(ver, sizeof ver, "%s", minor);
  if (!home[0] || !is_dir(home)) {
    note(env,
         "python environment %s: its base interpreter (%s) is gone; its "
         "site directories are not read",
         venv, home[0] ? home : "no home in pyvenv.cfg");
    return;
  }
  char prefix[2048], path[4096];
  snprintf(prefix, sizeof prefix, "%s", home);
  char *slash = strrchr(prefix, '/');
  if (slash && slash != prefix)
    *slash = 0; // /usr/bin -> /usr
  // Python's order: the prefix's site-packages; on Debian (a /usr
  // interpreter) /usr/local's dist-packages, then the distribution's.
  if (ver[0]) {
    snprintf(path, sizeof path, "%s/lib/python%s/site-packages", prefix, ver);
    add_dir(env, path);
  }
  if (ver[0] && strcmp(prefix, "/usr") == 0) {
    snprintf(path, sizeof path, "/usr/local/lib/python%s/dist-packages", ver);
    add_dir(env, path);
  }
  snprintf(path, sizeof path, "%s/lib/python3/dist-packages", prefix);
  add_dir(env, path);
}

// A virtualenv directory: its site-packages, and the base's with
// include-system-site-packages = true. false when venv is not one.
static bool add_venv(al_env *env, const char *venv) {
  char cfg[16384];
  bool has_cfg = read_cfg(venv, cfg, sizeof cfg);
  char lib[4096];
  if (!has_cfg &&
      (snprintf(lib, sizeof lib, "%s/lib", venv) >= (int)sizeof lib ||
       !is_dir(lib)))
    return false;
  char minor[32] = "";
  venv_sites(env, venv, minor, sizeof minor);
  if (has_cfg) {
    char inc[16];
    cfg_value(cfg, "include-system-site-packages", inc, sizeof inc);
    if (strcmp(inc, "true") == 0 || strcmp(inc, "True") == 0)
      base_sites(env, venv, cfg, minor);
  }
  return true;
}

// The first of DIR/.venv, DIR/venv that is a virtualenv.
static bool try_beside(al_env *env, const char *dir) {
  static const char *const names[] = {".venv", "venv"};
  for (int i = 0; i < 2; i++) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) <
            (int)sizeof path &&
        is_dir(path) && add_venv(env, path))
      return true;
  }
  return false;
}

static void find_default(al_env *env, const al_env_opts *o) {
  const char *ve = getenv("VIRTUAL_ENV");
  if (ve && *ve) {
    if (!add_venv(env, ve))
      note(env, "VIRTUAL_ENV=%s is not a python environment%s", ve, "");
    return;
  }
  if (o->config_dir && try_beside(env, o->config_dir))
    return;
  if (!o->first_path || strcmp(o->first_path, "-") == 0)
    return;
  char *abs = realpath(o->first_path, NULL);
  if (!abs)
    return;
  bool found = is_dir(abs) && try_beside(env, abs);
  char *slash = strrchr(abs, '/');
  if (!found && slash) {
    if (slash == abs)
      slash[1] = 0;
    else
      *slash = 0;
    try_beside(env, abs);
  }
  free(abs);
}

void al_env_find(al_env *env, const al_env_opts *o) {
  memset(env, 0, sizeof *env);
  if (!o->given) {
    find_default(env, o);
    return;
  }
  for (uint32_t i = 0; i < o->n_paths; i++) {
    const char *p = o->paths[i];
    if (!*p)
      continue;
    if (!is_dir(p)) {
      note(env, "python-path %s: %s", p,
           errno == ENOENT ? "no such directory" : "not a readable directory");
      continue;
    }
    char probe[4096];
    if (snprintf(probe, sizeof probe, "%s/pyvenv.cfg", p) < (int)sizeof probe &&
        is_file(probe, NULL) && add_venv(env, p))
      continue;
    add_dir(env, p);
  }
}

static void memo_free(al_env_memo *m);

void al_env_free(al_env *env) {
  for (uint32_t i = 0; i < env->dirs.len; i++)
    free(env->dirs.items[i]);
  vec_free(&env->dirs);
  memo_free(env->memo);
  env->memo = NULL;
}

// The memo of module lookups: whether a path is a directory (the site
// directories' top-level names, `-stubs` packages), and the sorted names
// in each package directory listed.
typedef struct {
  const char **names; // sorted (arena); NULL: not a readable directory
  uint32_t n;
  const char *dir; // its path (arena)
} listing;

struct al_env_memo {
  al_arena *arena;
  al_map is_dir;   // path -> 0/1
  al_map listings; // directory path -> index into lists
  al_vec(listing) lists;
};

static al_env_memo *memo_of(al_env *env) {
  if (!env->memo) {
    env->memo = al_xcalloc(1, sizeof *env->memo);
    env->memo->arena = al_arena_new();
  }
  return env->memo;
}

static void memo_free(al_env_memo *m) {
  if (!m)
    return;
  al_map_free(&m->is_dir);
  al_map_free(&m->listings);
  vec_free(&m->lists);
  al_arena_free(m->arena);
  free(m);
}

static bool memo_is_dir(al_env_memo *m, const char *path) {
  uint32_t v;
  if (al_map_get(&m->is_dir, al_str_from(path), &v))
    return v != 0;
  bool yes = is_dir(path);
  char *key = al_arena_strndup(m->arena, path, strlen(path));
  al_map_put(&m->is_dir, al_str_from(key), yes);
  return yes;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

// The names in directory dir, read once.
static const listing *list_dir(al_env_memo *m, const char *dir) {
  uint32_t i;
  if (al_map_get(&m->listings, al_str_from(dir), &i))
    return &m->lists.items[i];
  listing l = {0};
  DIR *d = opendir(dir);
  if (d) {
    al_vec(const char *) names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
      if (e->d_name[0] != '.')
        vec_push(&names, (const char *)al_arena_strndup(m->arena, e->d_name,
                                                        strlen(e->d_name)));
    closedir(d);
    l.n = names.len;
    l.names = al_arena_alloc(m->arena, (l.n ? l.n : 1) * sizeof *l.names);
    if (l.n)
      memcpy(l.names, names.items, l.n * sizeof *l.names);
    vec_free(&names);
    qsort(l.names, l.n, sizeof *l.names, cmp_name);
  }
  char *key = al_arena_strndup(m->arena, dir, strlen(dir));
  l.dir = key;
  al_map_put(&m->listings, al_str_from(key), m->lists.len);
  vec_push(&m->lists, l);
  return &m->lists.items[m->lists.len - 1];
}

static bool listed(const listing *l, const char *name) {
  return l->names &&
         bsearch(&name, l->names, l->n, sizeof *l->names, cmp_name) != NULL;
}

// Whether path may exist: each directory from the one of length floor
// (the top-level package) down lists the next component. Directories
// are read once each; only a path that passes is stat'ed.
static bool may_exist(al_env_memo *m, const char *path, size_t floor) {
  size_t len = strlen(path);
  if (len <= floor)
    return true;
  const char *slash = strrchr(path, '/');
  char dir[4096];
  size_t n = slash ? (size_t)(slash - path) : 0;
  if (!slash || n >= sizeof dir)
    return true;
  memcpy(dir, path, n);
  dir[n] = 0;
  return may_exist(m, dir, floor) && listed(list_dir(m, dir), slash + 1);
}

// dir/top/rest... as the module file, probing the four spellings. Inside
// the top-level package, a spelling is stat'ed only when its directories
// list it (top-level names are few: those are stat'ed).
static char *probe_module(al_env_memo *m, const char *dir, const char *top,
                          const char *rest, bool *is_init, uint64_t *size) {
  char base[4096];
  int n = snprintf(base, sizeof base, "%s/%s%s%s", dir, top, rest ? "/" : "",
                   rest ? rest : "");
  if (n < 0 || n >= (int)sizeof base - 20)
    return NULL;
  for (char *p = base + strlen(dir) + 1; *p; p++)
    if (*p == '.')
      *p = '/'; // the dotted rest (top has no dot but "-stubs")
  static const char *const tails[] = {"/__init__.pyi", ".pyi", "/__init__.py",
                                      ".py"};
  size_t floor = strlen(dir) + 1 + strlen(top);
  char path[4096];
  for (int i = 0; i < 4; i++) {
    snprintf(path, sizeof path, "%s%s", base, tails[i]);
    if (may_exist(m, path, floor) && is_file(path, size)) {
      *is_init = i == 0 || i == 2;
      return al_xstrdup(path);
    }
  }
  return NULL;
}

char *al_env_module_file(al_env *env, const char *name, bool *is_init,
                         uint64_t *size) {
  const char *dot = strchr(name, '.');
  size_t tl = dot ? (size_t)(dot - name) : strlen(name);
  if (tl == 0 || tl > 200)
    return NULL;
  char top[220], stubs[230];
  memcpy(top, name, tl);
  top[tl] = 0;
  snprintf(stubs, sizeof stubs, "%s-stubs", top);
  const char *rest = dot ? dot + 1 : NULL;
  al_env_memo *m = memo_of(env);
  for (uint32_t i = 0; i < env->dirs.len; i++) {
    const char *dir = env->dirs.items[i];
    char *f = NULL;
    // A stubs package's modules win; a partial one falls back to the
    // package itself for what it lacks.
    char sdir[4096];
    if (snprintf(sdir, sizeof sdir, "%s/%s", dir, stubs) < (int)sizeof sdir &&
        memo_is_dir(m, sdir))
      f = probe_module(m, dir, stubs, rest, is_init, size);
    if (!f)
      f = probe_module(m, dir, top, rest, is_init, size);
    if (f)
      return f;
  }
  return NULL;
}

uint32_t al_env_listed(const al_env *env, const char **dirs, uint32_t cap) {
  uint32_t n = 0;
  for (uint32_t i = 0; env->memo && i < env->memo->lists.len; i++) {
    const listing *l = &env->memo->lists.items[i];
    if (!l->names)
      continue; // not a directory: its parent's listing says so
    if (n < cap)
      dirs[n] = l->dir;
    n++;
  }
  return n;
}
