// SPDX-License-Identifier: MIT
/*
 * Module names: each file's dotted name from its package chain (the
 * __init__.py files on disk, going up from the file's directory), plus
 * names counted from the command-line roots for namespace packages and
 * `src/` layouts; every prefix of a module name is a package. The only part
 * of the index that touches the file system. It resolves no import: the
 * table it fills (dotted name -> file) is what resolve.c looks names up in.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "model/index_p.h"

static bool is_identifier(const char *s, size_t len) {
  if (len == 0 || isdigit((unsigned char)s[0]))
    return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(isalnum(c) || c == '_' || c >= 0x80))
      return false;
  }
  return true;
}

// Whether dir/__init__.py (or .pyi) exists; cached per directory.
static bool has_init(al_index *self, al_map *cache, const char *dir) {
  uint32_t v;
  al_str key = al_str_from(dir);
  if (al_map_get(cache, key, &v))
    return v != 0;
  char path[4096];
  struct stat st;
  bool yes = false;
  if (snprintf(path, sizeof path, "%s/__init__.py", dir) < (int)sizeof path &&
      stat(path, &st) == 0 && S_ISREG(st.st_mode))
    yes = true;
  else if (snprintf(path, sizeof path, "%s/__init__.pyi", dir) <
               (int)sizeof path &&
           stat(path, &st) == 0 && S_ISREG(st.st_mode))
    yes = true;
  char *k = al_arena_strndup(self->arena, dir, strlen(dir));
  al_map_put(cache, al_str_from(k), yes);
  return yes;
}

static void register_module(al_index *self, const char *name, uint32_t file) {
  vec_push(&self->names, ((al_index_name){file, name}));
  al_str key = al_str_from(name);
  uint32_t old;
  if (al_map_get(&self->modules, key, &old)) {
    if (old == MOD_NAMESPACE)
      al_map_put(&self->modules, key, file);
    else if (old != file)
      al_map_put(&self->modules, key, MOD_AMBIGUOUS);
  } else {
    al_map_put(&self->modules, key, file);
  }
  // Every prefix is a package (a namespace one unless a file claims it).
  size_t len = strlen(name);
  for (size_t i = len; i-- > 0;) {
    if (name[i] != '.')
      continue;
    char *prefix = al_arena_strndup(self->arena, name, i);
    if (!al_map_get(&self->modules, al_str_from(prefix), NULL))
      al_map_put(&self->modules, al_str_from(prefix), MOD_NAMESPACE);
  }
}

// Join path components [from, to) of comps with '.', or NULL if one is not
// an identifier.
static char *join_components(al_index *self, char **comps, int from, int to) {
  size_t len = 0;
  for (int i = from; i < to; i++) {
    if (!is_identifier(comps[i], strlen(comps[i])))
      return NULL;
    len += strlen(comps[i]) + 1;
  }
  if (len == 0)
    return NULL;
  char *out = al_arena_alloc(self->arena, len);
  size_t o = 0;
  for (int i = from; i < to; i++) {
    size_t n = strlen(comps[i]);
    memcpy(out + o, comps[i], n);
    o += n;
    out[o++] = i + 1 < to ? '.' : 0;
  }
  return out;
}

// What naming the modules learns of the file system, once per directory:
// whether it holds an __init__.py(i), and its real path.
typedef struct {
  al_map init;          // absolute directory -> 0/1
  al_map real;          // directory as written -> index into reals
  al_vec(char *) reals; // real paths (index arena), NULL: not found
} fs_memo;

// The real path of dir, resolved once per directory (files share
// directories: realpath walks every component with a system call each).
static const char *real_dir(al_index *self, fs_memo *fm, const char *dir) {
  uint32_t i;
  if (al_map_get(&fm->real, al_str_from(dir), &i))
    return fm->reals.items[i];
  char *abs = realpath(dir, NULL), *kept = NULL;
  if (abs) {
    kept = al_arena_strndup(self->arena, abs, strlen(abs));
    free(abs);
  }
  char *key = al_arena_strndup(self->arena, dir, strlen(dir));
  al_map_put(&fm->real, al_str_from(key), fm->reals.len);
  vec_push(&fm->reals, kept);
  return kept;
}

// The file's absolute directory (index arena, NULL if it cannot be found)
// and its stem, the base name without .py or .pyi (in the index arena).
static const char *locate(al_index *self, fs_memo *fm, const char *path,
                          char **stem) {
  char *slash = strrchr(path, '/');
  char dirbuf[4096];
  const char *dir = ".";
  if (slash) {
    size_t n = (size_t)(slash - path);
    if (n >= sizeof dirbuf)
      return NULL;
    memcpy(dirbuf, path, n);
    dirbuf[n] = 0;
    dir = n ? dirbuf : "/";
  }
  const char *abs = real_dir(self, fm, dir);
  if (!abs)
    return NULL;
  const char *base = slash ? slash + 1 : path;
  size_t blen = strlen(base);
  size_t stem_len = blen;
  if (blen > 3 && strcmp(base + blen - 3, ".py") == 0)
    stem_len = blen - 3;
  else if (blen > 4 && strcmp(base + blen - 4, ".pyi") == 0)
    stem_len = blen - 4;
  *stem = al_arena_strndup(self->arena, base, stem_len);
  return abs;
}

// How many leading components of comps[0, nc) are not packages: the
// package chain (directories with __init__.py, going up) is comps[top, nc).
static int package_top(al_index *self, al_map *cache, char **comps, int nc) {
  int top = nc;
  char probe[4096];
  while (top > 0) {
    size_t o = 0;
    probe[0] = 0;
    for (int i = 0; i < top && o < sizeof probe - 2; i++)
      o += (size_t)snprintf(probe + o, sizeof probe - o, "/%s", comps[i]);
    if (!has_init(self, cache, probe))
      break;
    top--;
  }
  return top;
}

// Register the names counted from the command-line roots above the file
// (abs: its directory; comps[0, nc): abs's components and the stem) and
// return the best (longest) one, or NULL.
static char *register_root_names(al_index *self, al_map *cache, uint32_t file,
                                 const char *abs, char **comps, int nc) {
  char *root_name = NULL;
  for (uint32_t r = 0; r < self->project->roots.len; r++) {
    const char *root = self->project->roots.items[r];
    size_t rl = strlen(root);
    if (strncmp(abs, root, rl) != 0 || (abs[rl] != '/' && abs[rl] != 0))
      continue;
    // A root that is itself a package is named by its __init__.py chain:
    // inside it `import socket` means the standard library, not
    // <root>/socket.py.
    if (has_init(self, cache, root))
      continue;
    int depth = 0; // components of the root
    for (size_t i = 0; i < rl; i++)
      if (root[i] == '/' && i + 1 < rl)
        depth++;
    if (rl == 1)
      depth = 0;
    if (depth >= nc)
      continue;
    int from = depth;
    if (strcmp(comps[depth], "src") == 0 && depth + 1 < nc)
      from = depth + 1;
    char *name = join_components(self, comps, from, nc);
    if (!name)
      continue;
    if (!root_name || strlen(name) > strlen(root_name))
      root_name = name;
    register_module(self, name, file);
    // A namespace package may be imported from any directory above it:
    // register the dotted suffixes too (a clash makes a name ambiguous,
    // which resolves to nothing).
    for (int k = from + 1; k < nc - 1; k++) {
      char *suffix = join_components(self, comps, k, nc);
      if (suffix)
        register_module(self, suffix, file);
    }
  }
  return root_name;
}

// Name the module of one file and register it (and its root-relative
// aliases for namespace packages).
static void name_module(al_index *self, fs_memo *fm, uint32_t file) {
  al_map *cache = &fm->init;
  const al_project_file *pf = &self->project->files.items[file];
  file_index *fi = &self->files[file];
  fi->module = "";
  fi->package = "";
  const char *path = pf->fs_path ? pf->fs_path : pf->path;
  if (!path || strcmp(path, "-") == 0)
    return;
  char *stem;
  const char *abs = locate(self, fm, path, &stem);
  if (!abs)
    return;
  bool is_init = strcmp(stem, "__init__") == 0;
  // Split the absolute directory into components.
  char *comps[512];
  int nc = 0;
  char *work = al_arena_strndup(self->arena, abs, strlen(abs));
  for (char *tok = strtok(work, "/"); tok && nc < 511; tok = strtok(NULL, "/"))
    comps[nc++] = tok;
  int top = package_top(self, cache, comps, nc);
  if (!is_init)
    comps[nc++] = stem;
  int chain = nc - top; // components named by the __init__.py chain
  char *chain_name = join_components(self, comps, top, nc);
  // The names from the roots win if the chain names no package.
  char *root_name = register_root_names(self, cache, file, abs, comps, nc);
  const char *name = chain_name;
  if ((chain <= (is_init ? 0 : 1) || !chain_name) && root_name)
    name = root_name;
  if (chain_name)
    register_module(self, chain_name, file);
  if (name) {
    fi->module = name;
    if (is_init) {
      fi->package = name;
    } else {
      const char *dot = strrchr(name, '.');
      fi->package =
          dot ? al_arena_strndup(self->arena, name, (size_t)(dot - name)) : "";
    }
  }
}

// The top-level name of a dotted module name.
static al_str top_of(const char *name) {
  const char *dot = strchr(name, '.');
  return (al_str){name, dot ? (size_t)(dot - name) : strlen(name)};
}

// A library module of the environment: named by its path under its site
// directory (pf->module), unless the tree claims its top-level package
// (the tree's own modules win; the library is then not visible).
static void name_library(al_index *self, al_map *tree_tops, uint32_t file) {
  const al_project_file *pf = &self->project->files.items[file];
  file_index *fi = &self->files[file];
  fi->module = fi->package = "";
  if (!pf->module || al_map_get(tree_tops, top_of(pf->module), NULL))
    return;
  fi->module = pf->module;
  const char *dot = strrchr(pf->module, '.');
  fi->package = pf->is_init ? pf->module
                : dot       ? al_arena_strndup(self->arena, pf->module,
                                               (size_t)(dot - pf->module))
                            : "";
  register_module(self, pf->module, file);
  al_map_put(&self->library_tops, top_of(pf->module), 1);
}

void al_index__name_modules(al_index *self) {
  fs_memo fm = {AL_MAP_INIT, AL_MAP_INIT, {0}};
  al_map tree_tops = AL_MAP_INIT;
  for (uint32_t i = 0; i < self->project->files.len; i++) {
    const al_project_file *pf = &self->project->files.items[i];
    if (pf->facts && !pf->facts->unreadable && !pf->library)
      name_module(self, &fm, i);
  }
  // What the tree names, before the libraries join (keys: the module
  // names, which live in the index's arena).
  for (uint32_t i = 0; i < self->modules.cap; i++)
    if (self->modules.slots[i].used)
      al_map_put(&tree_tops, top_of(self->modules.slots[i].key.ptr), 1);
  for (uint32_t i = 0; i < self->project->files.len; i++) {
    const al_project_file *pf = &self->project->files.items[i];
    // A lazy one (not read yet) was read readable by the saved run.
    if (pf->library &&
        ((pf->facts && !pf->facts->unreadable) || (!pf->facts && pf->lazy)))
      name_library(self, &tree_tops, i);
  }
  al_map_free(&tree_tops);
  al_map_free(&fm.init);
  al_map_free(&fm.real);
  vec_free(&fm.reals);
}

bool al_index__is_library_name(const al_index *self, al_str name) {
  if (!self->library_tops.len)
    return false;
  size_t n = 0;
  while (n < name.len && name.ptr[n] != '.')
    n++;
  return al_map_get(&self->library_tops, (al_str){name.ptr, n}, NULL);
}
