// SPDX-License-Identifier: MIT
/*
 * The lazy module table's loader (libraries.h): names in, library files
 * of the project out. A name the tree writes through an import (a call, a
 * base, a decorator, a value, an annotation) that the catalog does not
 * know is needed: its module is read, and in it the binding of the name is
 * followed (a re-export `from .x import y`, an alias `Y = X`, a star
 * import, a submodule); every module read also needs the names its
 * annotations, class bases and decorators use, so that class hierarchies
 * and annotated returns resolve. Round by round, to a fixed point. It
 * never follows a name into another distribution from a library, nor
 * what a function body calls.
 */
#include "cli/libraries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/map.h"
#include "base/vec.h"

typedef struct {
  uint32_t module;   // index into mods
  const char *chain; // the dotted name needed in it (arena)
} pending;

// What the tree's files need, in the order the scan met it: a dotted
// name from the top, or every name of a module (a star import).
typedef struct {
  const char *name; // arena
  size_t len;
  bool star;
} tree_need;

typedef struct {
  const char *name; // dotted module name (arena)
  uint32_t file;    // its project file, or AL_NONE (not in the environment)
  bool scanned;     // its own type names queued
} lib_module;

struct al_libs {
  al_env *env; // its lookups memoise
  al_project *project;
  al_arena *arena;
  al_map tree_tops;    // names the tree's paths use: their modules win
  al_map claimed;      // the catalog's names and their prefixes
  al_map mods_by_name; // module name -> index into mods
  al_vec(lib_module) mods;
  al_map by_file; // project file (as a 4-byte key) -> index into mods
  al_map needed;  // "module\nchain" already queued
  al_vec(pending) work;
  al_vec(tree_need) tree; // what the tree's files need (al_libs_tree_needs)
  al_map tree_seen;       // its names -> 1 (plain), 2 (star), 3 (both)
  bool scanned_tree;      // tree filled
  uint64_t tree_hash;     // of it, the tree's paths and the budget
  uint32_t files, max_files;
  uint64_t bytes, max_bytes;
  char note[200];
};

static al_str top_of(al_str name) {
  size_t n = 0;
  while (n < name.len && name.ptr[n] != '.')
    n++;
  return (al_str){name.ptr, n};
}

// Every component of the tree's display paths (stems without .py/.pyi):
// any of them may name a top-level module of the tree.
static void tree_names(al_libs *self) {
  for (uint32_t i = 0; i < self->project->n_linted; i++) {
    const char *p = self->project->files.items[i].path;
    while (p && *p) {
      const char *slash = strchr(p, '/');
      size_t len = slash ? (size_t)(slash - p) : strlen(p);
      if (!slash && len > 3 && strncmp(p + len - 3, ".py", 3) == 0)
        len -= 3;
      else if (!slash && len > 4 && strncmp(p + len - 4, ".pyi", 4) == 0)
        len -= 4;
      if (len)
        al_map_put(&self->tree_tops,
                   (al_str){al_arena_strndup(self->arena, p, len), len}, 1);
      p = slash ? slash + 1 : NULL;
    }
  }
}

// The catalog's names with every prefix: what it knows, or knows names
// under, resolves as without the environment. Only under the top-level
// modules the tree imports (the catalog is large, a run imports few).
static void claim_catalog(al_libs *self, const al_catalog *catalog) {
  al_map tops = AL_MAP_INIT;
  for (uint32_t i = 0; i < self->project->n_linted; i++) {
    const al_facts *f = self->project->files.items[i].facts;
    for (uint32_t k = 0; f && k < f->imports.len; k++)
      if (f->imports.items[k].level == 0)
        al_map_put(&tops, top_of(f->imports.items[k].module), 1);
  }
  uint32_t n = tops.len ? al_catalog_size(catalog) : 0;
  for (uint32_t i = 0; i < n; i++) {
    al_str name = al_catalog_entry_at(catalog, i)->name;
    if (!al_map_get(&tops, top_of(name), NULL))
      continue;
    for (size_t k = 1; k <= name.len; k++)
      if (k == name.len || name.ptr[k] == '.')
        al_map_put(&self->claimed, (al_str){name.ptr, k}, 1);
  }
  al_map_free(&tops);
}

al_libs *al_libs_new(al_env *env, const al_catalog *catalog,
                     al_project *project, al_arena *arena, uint32_t max_files,
                     uint64_t max_bytes) {
  al_libs *self = al_xcalloc(1, sizeof *self);
  self->env = env;
  self->project = project;
  self->arena = arena;
  self->max_files = max_files;
  self->max_bytes = max_bytes;
  tree_names(self);
  claim_catalog(self, catalog);
  return self;
}

// Append module `key` (arena), read from fs_path, to the project as a
// library file.
static uint32_t add_file(al_libs *self, const char *key, const char *fs_path,
                         bool is_init, uint64_t size) {
  self->files++;
  self->bytes += size;
  al_project_file pf = {0};
  pf.path = key; // never printed: no finding points into a library
  pf.fs_path = al_arena_strndup(self->arena, fs_path, strlen(fs_path));
  pf.library = true;
  pf.is_init = is_init;
  pf.module = key;
  vec_push(&self->project->files, pf);
  return self->project->files.len - 1;
}

// Append the file of module `key` (arena) to the project; AL_NONE when the
// environment has none or the budget is spent.
static uint32_t load_file(al_libs *self, const char *key) {
  if (self->note[0])
    return AL_NONE;
  bool is_init = false;
  uint64_t size = 0;
  char *path = al_env_module_file(self->env, key, &is_init, &size);
  if (!path)
    return AL_NONE;
  if (self->files + 1 > self->max_files ||
      self->bytes + size > self->max_bytes) {
    snprintf(self->note, sizeof self->note,
             "environment budget reached (%u files, %.1f MB): modules "
             "beyond it are unknown (library-max-files, library-max-mb)",
             self->files, (double)self->bytes / (1024.0 * 1024.0));
    free(path);
    return AL_NONE;
  }
  uint32_t file = add_file(self, key, path, is_init, size);
  free(path);
  return file;
}

// The module named name (looked for once): its index in mods.
static uint32_t module_slot(al_libs *self, al_str name) {
  uint32_t m;
  if (al_map_get(&self->mods_by_name, name, &m))
    return m;
  char *key = al_arena_strndup(self->arena, name.ptr, name.len);
  lib_module lm = {key, load_file(self, key), false};
  m = self->mods.len;
  vec_push(&self->mods, lm);
  al_map_put(&self->mods_by_name, (al_str){key, name.len}, m);
  if (lm.file != AL_NONE) {
    uint32_t *fk = al_arena_alloc(self->arena, sizeof *fk);
    *fk = lm.file;
    al_map_put(&self->by_file, (al_str){(const char *)fk, sizeof *fk}, m);
  }
  return m;
}

static void queue(al_libs *self, uint32_t m, al_str chain) {
  char *key = al_arena_printf(self->arena, "%s\n%.*s", self->mods.items[m].name,
                              (int)chain.len, chain.ptr);
  al_str k = al_str_from(key);
  if (al_map_get(&self->needed, k, NULL))
    return;
  al_map_put(&self->needed, k, 1);
  pending p = {m, key + strlen(self->mods.items[m].name) + 1};
  vec_push(&self->work, p);
}

// A dotted name from the top: every package on the way is imported, and
// the rest of the name is needed in the deepest module that exists.
static void need_full(al_libs *self, al_str full) {
  if (full.len == 0 || full.len >= 400 ||
      al_map_get(&self->tree_tops, top_of(full), NULL))
    return;
  uint32_t deepest = AL_NONE;
  size_t at = 0;
  for (size_t k = 1; k <= full.len; k++) {
    if (k < full.len && full.ptr[k] != '.')
      continue;
    uint32_t m = module_slot(self, (al_str){full.ptr, k});
    if (self->mods.items[m].file != AL_NONE) {
      deepest = m;
      at = k;
    }
  }
  if (deepest != AL_NONE)
    queue(self, deepest,
          at < full.len ? (al_str){full.ptr + at + 1, full.len - at - 1}
                        : (al_str){"", 0});
}

// The absolute module of a library file's import (its package for a
// relative one), in buf; false when it goes above the top.
static bool absolute(const al_project_file *pf, const al_import *im, char *buf,
                     size_t cap) {
  size_t len;
  if (im->level == 0) {
    len = 0;
  } else {
    const char *m = pf->module;
    len = strlen(m);
    if (!pf->is_init) { // a module's package is its parent
      while (len && m[len - 1] != '.')
        len--;
      if (!len)
        return false;
      len--;
    }
    for (uint8_t l = 1; l < im->level; l++) {
      while (len && m[len - 1] != '.')
        len--;
      if (!len)
        return false;
      len--;
    }
    if (len >= cap)
      return false;
    memcpy(buf, m, len);
  }
  size_t need = len + (len && im->module.len ? 1 : 0) + im->module.len;
  if (need == 0 || need >= cap)
    return false;
  if (len && im->module.len)
    buf[len++] = '.';
  memcpy(buf + len, im->module.ptr, im->module.len);
  buf[need] = 0;
  return true;
}

// The full name an import's local name stands for, with rest appended
// (`from a import b as c`: c.x is a.b.x; `import a.b`: a.x is a.x).
static int compose(const al_project_file *pf, const al_import *im, al_str rest,
                   char *buf, size_t cap) {
  char mod[256];
  if (!absolute(pf, im, mod, sizeof mod))
    return -1;
  const char *dot = rest.len ? "." : "";
  if ((im->flags & AL_IMPORT_FROM))
    return snprintf(buf, cap, "%s.%.*s%s%.*s", mod, (int)im->name.len,
                    im->name.ptr, dot, (int)rest.len, rest.ptr);
  if (im->flags & AL_IMPORT_ALIASED)
    return snprintf(buf, cap, "%s%s%.*s", mod, dot, (int)rest.len, rest.ptr);
  return snprintf(buf, cap, "%.*s%s%.*s", (int)im->local.len, im->local.ptr,
                  dot, (int)rest.len, rest.ptr);
}

static void need_composed(al_libs *self, const al_project_file *pf,
                          const al_import *im, al_str rest, al_str own) {
  char full[512];
  int n = compose(pf, im, rest, full, sizeof full);
  if (n <= 0 || n >= (int)sizeof full)
    return;
  al_str f = {full, (size_t)n};
  if (!own.len || al_str_eq(top_of(f), own)) // never into another library
    need_full(self, f);
}

// In library module m, what `chain` (a dotted name) needs: the import or
// alias binding its first name at module level, a star import, or a
// submodule; "*" needs every module-level import.
static void process(al_libs *self, uint32_t m, al_str chain) {
  // Copies: loading a module grows both vectors.
  const lib_module copy = self->mods.items[m], *lm = &copy;
  const al_project_file file = self->project->files.items[lm->file];
  const al_project_file *pf = &file;
  const al_facts *f = pf->facts;
  if (!f || f->unreadable)
    return;
  al_str own = top_of(al_str_from(lm->name));
  bool all = al_str_eq_c(chain, "*");
  al_str rest;
  size_t n = 0;
  while (n < chain.len && chain.ptr[n] != '.')
    n++;
  al_str first = {chain.ptr, n};
  rest = n < chain.len ? (al_str){chain.ptr + n + 1, chain.len - n - 1}
                       : (al_str){"", 0};
  bool bound = false;
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    if (im->scope != 0)
      continue; // a lazy import: not needed to resolve names
    if (im->flags & AL_IMPORT_STAR) {
      char mod[256];
      if (!all && first.len && absolute(pf, im, mod, sizeof mod)) {
        char full[512];
        int k = snprintf(full, sizeof full, "%s.%.*s", mod, (int)chain.len,
                         chain.ptr);
        if (k > 0 && k < (int)sizeof full &&
            al_str_eq(top_of((al_str){full, (size_t)k}), own))
          need_full(self, (al_str){full, (size_t)k});
      }
      continue;
    }
    if (all || (first.len && al_str_eq(im->local, first))) {
      bound = true;
      need_composed(self, pf, im, all ? (al_str){"", 0} : rest, own);
    }
  }
  if (all || !first.len)
    return;
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->scope == 0 && b->kind == AL_BIND_ASSIGN && b->value_ref != AL_NONE &&
        al_str_eq(b->name, first) &&
        f->refs.items[b->value_ref].kind == AL_REF_DOTTED) {
      // An alias `Y = X` or `Y = mod.X`: what X needs.
      al_str v = f->refs.items[b->value_ref].dotted;
      if (!al_str_eq(v, first))
        queue(self, m, v);
    }
  }
  if (!bound) { // a submodule, if there is one
    char full[512];
    int k = snprintf(full, sizeof full, "%s.%.*s", lm->name, (int)chain.len,
                     chain.ptr);
    if (k > 0 && k < (int)sizeof full)
      need_full(self, (al_str){full, (size_t)k});
  }
}

// A library module just read: what its annotations, class bases and
// decorators name is needed too (hierarchies, annotated returns).
static void type_names(al_libs *self, uint32_t m) {
  const al_facts *f =
      self->project->files.items[self->mods.items[m].file].facts;
  if (!f || f->unreadable)
    return;
  for (uint32_t i = 0; i < f->annots.len; i++)
    if ((f->annots.items[i].kind == AL_ANNOT_NAME ||
         f->annots.items[i].kind == AL_ANNOT_SUBSCRIPT) &&
        f->annots.items[i].name.len)
      queue(self, m, f->annots.items[i].name);
  for (uint32_t s = 0; s < f->scopes.len; s++) {
    const al_scope *sc = &f->scopes.items[s];
    for (uint32_t i = 0; i < sc->n_bases; i++)
      if (f->refs.items[sc->first_base + i].kind == AL_REF_DOTTED)
        queue(self, m, f->refs.items[sc->first_base + i].dotted);
    for (uint32_t i = 0; i < sc->n_decorators; i++) {
      const al_ref *d = &f->refs.items[sc->first_decorator + i];
      if (d->kind == AL_REF_DOTTED || d->kind == AL_REF_CALLED)
        queue(self, m, d->dotted);
    }
  }
}

// What the tree needs: recorded (al_libs_tree_needs), then followed by the
// first round in the same order. A name under a top-level module of the
// tree is not the environment's.
// A need met again is left out: the loader would find it queued already,
// and a tree file that uses a library name once more needs nothing new
// (the saved list still applies).
static void tree_needs(al_libs *self, al_str full, bool star) {
  if (full.len == 0 || full.len >= 400 ||
      al_map_get(&self->tree_tops, top_of(full), NULL))
    return;
  uint32_t bit = star ? 2 : 1, seen = 0;
  if (al_map_get(&self->tree_seen, full, &seen) && (seen & bit))
    return;
  tree_need t = {al_arena_strndup(self->arena, full.ptr, full.len), full.len,
                 star};
  al_map_put(&self->tree_seen, (al_str){t.name, t.len}, seen | bit);
  vec_push(&self->tree, t);
}

// A tree file: the names it writes through imports of libraries that the
// catalog does not claim.
static void tree_name(al_libs *self, const al_project_file *pf, al_map *locals,
                      al_str d) {
  size_t n = 0;
  while (n < d.len && d.ptr[n] != '.')
    n++;
  uint32_t i;
  if (!n || !al_map_get(locals, (al_str){d.ptr, n}, &i))
    return;
  const al_import *im = &pf->facts->imports.items[i];
  char full[512];
  al_str rest =
      n < d.len ? (al_str){d.ptr + n + 1, d.len - n - 1} : (al_str){"", 0};
  int len = compose(pf, im, rest, full, sizeof full);
  if (len <= 0 || len >= (int)sizeof full)
    return;
  al_str f = {full, (size_t)len};
  if (!al_map_get(&self->claimed, f, NULL))
    tree_needs(self, f, false);
}

static void scan_tree(al_libs *self, const al_project_file *pf) {
  const al_facts *f = pf->facts;
  al_map locals = AL_MAP_INIT; // local name -> import index
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    if (im->level != 0)
      continue;                       // the tree's own modules
    if (im->flags & AL_IMPORT_STAR) { // any name may come from it
      tree_needs(self, im->module, true);
    } else if (im->local.len) {
      al_map_put(&locals, im->local, i);
    }
  }
  // A name imported from a library is needed (a re-export by the tree's
  // own modules is used elsewhere).
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    if (im->level == 0 && (im->flags & AL_IMPORT_FROM) &&
        !(im->flags & AL_IMPORT_STAR))
      tree_name(self, pf, &locals, im->local);
  }
  for (uint32_t i = 0; locals.len && i < f->calls.len; i++)
    if (f->calls.items[i].callee.kind == AL_REF_DOTTED)
      tree_name(self, pf, &locals, f->calls.items[i].callee.dotted);
  for (uint32_t i = 0; locals.len && i < f->refs.len; i++)
    if (f->refs.items[i].kind == AL_REF_DOTTED)
      tree_name(self, pf, &locals, f->refs.items[i].dotted);
  for (uint32_t i = 0; locals.len && i < f->annots.len; i++)
    if (f->annots.items[i].kind == AL_ANNOT_NAME ||
        f->annots.items[i].kind == AL_ANNOT_SUBSCRIPT)
      tree_name(self, pf, &locals, f->annots.items[i].name);
  al_map_free(&locals);
}

uint64_t al_libs_tree_needs(al_libs *self) {
  if (self->scanned_tree)
    return self->tree_hash;
  self->scanned_tree = true;
  const al_project *proj = self->project;
  uint64_t h = al_hash64(&self->max_files, sizeof self->max_files, 0x11B5);
  h = al_hash64(&self->max_bytes, sizeof self->max_bytes, h);
  for (uint32_t i = 0; i < proj->n_linted; i++) {
    const al_project_file *pf = &proj->files.items[i];
    h = al_hash64(pf->path, strlen(pf->path) + 1, h);
    if (pf->facts && !pf->facts->unreadable)
      scan_tree(self, pf);
  }
  for (uint32_t i = 0; i < self->tree.len; i++) {
    const tree_need *t = &self->tree.items[i];
    h = al_hash64(t->name, t->len, h ^ (t->len * 2 + t->star));
  }
  self->tree_hash = h ? h : 1;
  return self->tree_hash;
}

// The first round: what the tree needs, in the order it was met.
static void follow_tree(al_libs *self) {
  al_libs_tree_needs(self);
  for (uint32_t i = 0; i < self->tree.len; i++) {
    const tree_need *t = &self->tree.items[i];
    al_str full = {t->name, t->len};
    need_full(self, full);
    uint32_t m;
    if (t->star && al_map_get(&self->mods_by_name, full, &m) &&
        self->mods.items[m].file != AL_NONE)
      queue(self, m, AL_STR_LIT("*"));
  }
}

void al_libs_add_saved(al_libs *self, const char *module, const char *fs_path,
                       uint64_t size) {
  size_t n = strlen(module);
  const char *base = strrchr(fs_path, '/');
  base = base ? base + 1 : fs_path;
  bool is_init =
      strcmp(base, "__init__.py") == 0 || strcmp(base, "__init__.pyi") == 0;
  add_file(self, al_arena_strndup(self->arena, module, n), fs_path, is_init,
           size);
}

void al_libs_set_note(al_libs *self, const char *note) {
  snprintf(self->note, sizeof self->note, "%s", note);
}

uint32_t al_libs_load(al_libs *self, uint32_t from, uint32_t to) {
  uint32_t before = self->project->files.len;
  if (from == 0) // the tree's files come first
    follow_tree(self);
  for (uint32_t i = from; i < to; i++) {
    // A copy: loading a module grows the project's files.
    const al_project_file file = self->project->files.items[i];
    const al_project_file *pf = &file;
    if (!pf->facts || pf->facts->unreadable)
      continue;
    if (!pf->library)
      continue; // followed above
    uint32_t m;
    if (al_map_get(&self->by_file, (al_str){(const char *)&i, sizeof i}, &m) &&
        !self->mods.items[m].scanned) {
      self->mods.items[m].scanned = true;
      type_names(self, m);
    }
  }
  // What can be followed now: the needs in modules already read; the
  // others wait for their module's round.
  bool progress = true;
  while (progress) {
    progress = false;
    for (uint32_t i = 0; i < self->work.len;) {
      pending p = self->work.items[i];
      uint32_t file = self->mods.items[p.module].file;
      if (file >= to && file != AL_NONE) {
        i++; // not extracted yet
        continue;
      }
      self->work.items[i] = self->work.items[--self->work.len];
      if (file != AL_NONE)
        process(self, p.module, al_str_from(p.chain));
      progress = true;
    }
  }
  return self->project->files.len - before;
}

const char *al_libs_note(const al_libs *self) { return self->note; }

void al_libs_read(const al_libs *self, uint32_t *files, uint64_t *bytes) {
  *files = self->files;
  *bytes = self->bytes;
}

void al_libs_free(al_libs *self) {
  if (!self)
    return;
  al_map_free(&self->tree_tops);
  al_map_free(&self->claimed);
  al_map_free(&self->mods_by_name);
  al_map_free(&self->by_file);
  al_map_free(&self->needed);
  vec_free(&self->mods);
  vec_free(&self->work);
  vec_free(&self->tree);
  al_map_free(&self->tree_seen);
  free(self);
}
