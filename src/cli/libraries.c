// SPDX-License-Identifier: MIT
/*
 * The lazy module table's loader (libraries.h): module names in, library
 * files of the project out. It follows only what resolving the tree's
 * names can need: the modules the tree imports, and inside a library the
 * module-level imports of the same top-level package; never an import
 * inside a function, never another distribution's modules from a library.
 */
#include "cli/libraries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "model/catalog.h"

struct al_libs {
  const al_env *env;
  al_project *project;
  al_arena *arena;
  al_map tree_tops; // names the tree's paths use: their modules win
  al_map seen;      // module names looked for
  al_map claimed;   // the catalog's names and their prefixes
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

al_libs *al_libs_new(const al_env *env, const al_catalog *catalog,
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

// Look for one module (not its prefixes) and append its file.
static void want_one(al_libs *self, al_str name) {
  if (name.len == 0 || name.len >= 200 || al_map_get(&self->seen, name, NULL))
    return;
  char *key = al_arena_strndup(self->arena, name.ptr, name.len);
  al_map_put(&self->seen, (al_str){key, name.len}, 1);
  if (self->note[0])
    return;
  bool is_init = false;
  uint64_t size = 0;
  char *path = al_env_module_file(self->env, key, &is_init, &size);
  if (!path)
    return;
  if (self->files + 1 > self->max_files ||
      self->bytes + size > self->max_bytes) {
    snprintf(self->note, sizeof self->note,
             "environment budget reached (%u files, %.1f MB): modules "
             "beyond it are unknown",
             self->files, (double)self->bytes / (1024.0 * 1024.0));
    free(path);
    return;
  }
  self->files++;
  self->bytes += size;
  al_project_file pf = {0};
  pf.path = key; // never printed: no finding points into a library
  pf.fs_path = al_arena_strndup(self->arena, path, strlen(path));
  pf.library = true;
  pf.is_init = is_init;
  pf.module = key;
  vec_push(&self->project->files, pf);
  free(path);
}

// A module and the packages above it (importing a.b.c runs a and a.b).
static void want(al_libs *self, al_str name) {
  if (al_map_get(&self->tree_tops, top_of(name), NULL))
    return;
  for (size_t k = 1; k <= name.len; k++)
    if (k == name.len || name.ptr[k] == '.')
      want_one(self, (al_str){name.ptr, k});
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

// The tree's imports whose library code a name needs (need[import]): a
// dotted name written through the import's local name (a call, a base, a
// decorator, a value, an annotation) that the catalog does not claim. A
// library used only through names the catalog knows is not read at all.
typedef struct {
  al_libs *self;
  const al_facts *f;
  al_map locals; // local name -> import index
  bool *need;
} tree_scan;

static void name_needs(tree_scan *ts, al_str d) {
  size_t n = 0;
  while (n < d.len && d.ptr[n] != '.')
    n++;
  uint32_t i;
  if (!n || !al_map_get(&ts->locals, (al_str){d.ptr, n}, &i) || ts->need[i])
    return;
  const al_import *im = &ts->f->imports.items[i];
  char full[512];
  int len;
  if (im->flags & AL_IMPORT_FROM)
    len = snprintf(full, sizeof full, "%.*s.%.*s%.*s", (int)im->module.len,
                   im->module.ptr, (int)im->name.len, im->name.ptr,
                   (int)(d.len - n), d.ptr + n);
  else if (im->flags & AL_IMPORT_ALIASED)
    len = snprintf(full, sizeof full, "%.*s%.*s", (int)im->module.len,
                   im->module.ptr, (int)(d.len - n), d.ptr + n);
  else // `import a.b` binds a
    len = snprintf(full, sizeof full, "%.*s", (int)d.len, d.ptr);
  if (len <= 0 || len >= (int)sizeof full ||
      !al_map_get(&ts->self->claimed, (al_str){full, (size_t)len}, NULL))
    ts->need[i] = true;
}

static void scan_tree(al_libs *self, const al_facts *f) {
  tree_scan ts = {self, f, AL_MAP_INIT,
                  al_xcalloc(f->imports.len + 1, sizeof(bool))};
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    if (im->level != 0)
      continue; // the tree's own modules
    if (im->flags & AL_IMPORT_STAR)
      ts.need[i] = true; // any name may come from it
    else if (im->local.len)
      al_map_put(&ts.locals, im->local, i);
  }
  for (uint32_t i = 0; i < f->calls.len; i++)
    if (f->calls.items[i].callee.kind == AL_REF_DOTTED)
      name_needs(&ts, f->calls.items[i].callee.dotted);
  for (uint32_t i = 0; i < f->refs.len; i++)
    if (f->refs.items[i].kind == AL_REF_DOTTED)
      name_needs(&ts, f->refs.items[i].dotted);
  for (uint32_t i = 0; i < f->annots.len; i++)
    if (f->annots.items[i].kind == AL_ANNOT_NAME ||
        f->annots.items[i].kind == AL_ANNOT_SUBSCRIPT)
      name_needs(&ts, f->annots.items[i].name);
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    if (!ts.need[i])
      continue;
    want(self, im->module);
    char full[512];
    if ((im->flags & AL_IMPORT_FROM) && !(im->flags & AL_IMPORT_STAR) &&
        snprintf(full, sizeof full, "%.*s.%.*s", (int)im->module.len,
                 im->module.ptr, (int)im->name.len,
                 im->name.ptr) < (int)sizeof full)
      want(self, al_str_from(full)); // `from a import b`: b may be a module
  }
  al_map_free(&ts.locals);
  free(ts.need);
}

// What one library file's imports make wanted.
static void scan(al_libs *self, uint32_t file) {
  al_project_file pf = self->project->files.items[file];
  const al_facts *f = pf.facts;
  if (!f || f->unreadable)
    return;
  if (!pf.library) {
    scan_tree(self, f);
    return;
  }
  al_str own = top_of(al_str_from(pf.module));
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    char mod[256], full[512];
    if (im->scope != 0)
      continue; // a lazy import: not needed to resolve names
    if (!absolute(&pf, im, mod, sizeof mod))
      continue;
    al_str m = al_str_from(mod);
    if (!al_str_eq(top_of(m), own))
      continue; // another distribution
    want(self, m);
    if ((im->flags & AL_IMPORT_FROM) && !(im->flags & AL_IMPORT_STAR) &&
        im->name.len &&
        snprintf(full, sizeof full, "%s.%.*s", mod, (int)im->name.len,
                 im->name.ptr) < (int)sizeof full)
      want(self, al_str_from(full)); // `from a import b`: b may be a module
  }
}

uint32_t al_libs_load(al_libs *self, uint32_t from, uint32_t to) {
  uint32_t before = self->project->files.len;
  for (uint32_t i = from; i < to; i++)
    scan(self, i);
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
  al_map_free(&self->seen);
  al_map_free(&self->claimed);
  free(self);
}
