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

struct al_libs {
  const al_env *env;
  al_project *project;
  al_arena *arena;
  al_map tree_tops; // names the tree's paths use: their modules win
  al_map seen;      // module names looked for
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

al_libs *al_libs_new(const al_env *env, al_project *project, al_arena *arena,
                     uint32_t max_files, uint64_t max_bytes) {
  al_libs *self = al_xcalloc(1, sizeof *self);
  self->env = env;
  self->project = project;
  self->arena = arena;
  self->max_files = max_files;
  self->max_bytes = max_bytes;
  tree_names(self);
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

// What one file's imports make wanted.
static void scan(al_libs *self, uint32_t file) {
  al_project_file pf = self->project->files.items[file];
  const al_facts *f = pf.facts;
  if (!f || f->unreadable)
    return;
  al_str own = pf.library ? top_of(al_str_from(pf.module)) : (al_str){0};
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    char mod[256], full[512];
    if (pf.library && im->scope != 0)
      continue; // a lazy import: not needed to resolve names
    if (!pf.library && im->level != 0)
      continue; // the tree's own modules
    if (!absolute(&pf, im, mod, sizeof mod))
      continue;
    al_str m = al_str_from(mod);
    if (pf.library && !al_str_eq(top_of(m), own))
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
  free(self);
}
