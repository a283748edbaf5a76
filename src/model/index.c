// SPDX-License-Identifier: MIT
/*
 * The index over the whole tree: al_index_build puts it together and
 * al_index_free takes it apart; the other files of the index do the work
 * (index_p.h lists them). The per-file part is prepared by the extraction
 * workers, in parallel (file_index.c); the build takes it over, then runs
 * alone: it names the modules (modules.c), then fills every memo the
 * look-ups read (big groups, wrappers, what plain helpers reach), so that
 * afterwards nothing is written and the rules may look things up from
 * several threads at once. This file holds the accessors that need no
 * resolution; it resolves nothing itself.
 */
#include "model/index.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/store.h"
#include "model/index_p.h"

// The catalog's names under the libraries' top-level packages, with their
// prefixes (index_p.h: catalog_names). Only when there are libraries.
static void catalog_names(al_index *self) {
  if (!self->library_tops.len)
    return;
  uint32_t n = al_catalog_size(self->catalog);
  for (uint32_t i = 0; i < n; i++) {
    al_str name = al_catalog_entry_at(self->catalog, i)->name;
    if (!al_index__is_library_name(self, name))
      continue;
    for (size_t k = 1; k <= name.len; k++)
      if (k == name.len || name.ptr[k] == '.')
        al_map_put(&self->catalog_names, (al_str){name.ptr, k}, 1);
  }
}

bool al_index__catalog_claims(const al_index *self, al_str name) {
  return self->catalog_names.len &&
         al_map_get(&self->catalog_names, name, NULL);
}

al_index *al_index_build(const al_project *project, const al_catalog *catalog,
                         al_index_file **prepared, uint32_t threads) {
  al_index *self = al_xcalloc(1, sizeof *self);
  self->project = project;
  self->catalog = catalog;
  self->arena = al_arena_new();
  self->modules = AL_MAP_INIT;
  uint32_t n = project->files.len;
  self->files = al_xcalloc(n ? n : 1, sizeof *self->files);
  pthread_mutex_init(&self->load_lock, NULL);
  for (uint32_t i = 0; i < n; i++) {
    const al_project_file *pf = &project->files.items[i];
    if (!pf->lazy || pf->facts || !project->load)
      continue;
    if (!self->pending)
      self->pending = al_xcalloc(n, sizeof *self->pending);
    atomic_init(&self->pending[i], 1);
  }
  for (uint32_t i = 0; i < n; i++) {
    const al_facts *f = project->files.items[i].facts;
    file_index *fi = &self->files[i];
    al_index_file *prep = prepared ? prepared[i] : NULL;
    if (f && prep)
      *fi = *prep; // taken over: the fields move, the shell goes
    else if (prep)
      al_index__free_file(prep);
    al_long_free(prep);
    fi->module = fi->package = "";
    if (f && !prep)
      al_index__prepare(fi, f);
  }
  al_index__name_modules(self);
  catalog_names(self);
  al_index__find_nonblocking_calls(self);
  // The memos, in this order: resolving a big group may ask whether a def
  // is a wrapper, and the reach step resolves every call.
  al_index__memoise_big_groups(self);
  al_index__compute_wrappers(self);
  al_index__compute_reaches(self, threads);
  return self;
}

void al_index__load(const al_index *self, uint32_t file) {
  al_index *ix = (al_index *)self; // the lock and the file's part
  pthread_mutex_lock(&ix->load_lock);
  if (atomic_load_explicit(&ix->pending[file], memory_order_relaxed)) {
    // The project owns the facts; the index holds it read-only otherwise.
    al_project *project = (al_project *)self->project;
    al_facts *facts = project->load(project->load_data, file);
    project->files.items[file].facts = facts;
    file_index *fi = &ix->files[file];
    const char *module = fi->module, *package = fi->package;
    al_index__prepare(fi, facts);
    fi->module = module;
    fi->package = package;
    atomic_store_explicit(&ix->pending[file], 0, memory_order_release);
  }
  pthread_mutex_unlock(&ix->load_lock);
}

void al_index_free(al_index *self) {
  if (!self)
    return;
  for (uint32_t i = 0; i < self->project->files.len; i++)
    al_index__free_file(&self->files[i]);
  free(self->files);
  al_map_free(&self->modules);
  vec_free(&self->names);
  al_map_free(&self->library_tops);
  al_map_free(&self->catalog_names);
  free(self->pending);
  pthread_mutex_destroy(&self->load_lock);
  al_arena_free(self->arena);
  free(self);
}

const al_catalog *al_index_catalog(const al_index *self) {
  return self->catalog;
}

const char *al_index_library_qualname(const al_index *self, uint32_t file,
                                      uint32_t scope, char *buf, size_t cap) {
  const al_project_file *pf = &self->project->files.items[file];
  if (!pf->library || !cap)
    return NULL;
  ensure_loaded(self, file);
  // The scopes from the module down: at most 32 deep, else cut.
  uint32_t chain[32], n = 0;
  for (uint32_t s = scope; s != AL_NONE && s != 0 && n < 32;
       s = pf->facts->scopes.items[s].parent)
    chain[n++] = s;
  int o = snprintf(buf, cap, "%s", self->files[file].module);
  while (n-- > 0 && o >= 0 && (size_t)o < cap) {
    al_str name = pf->facts->scopes.items[chain[n]].name;
    o += snprintf(buf + o, cap - (size_t)o, ".%.*s", (int)name.len, name.ptr);
  }
  return buf;
}

const al_index_name *al_index_names(const al_index *self, uint32_t *n) {
  *n = self->names.len;
  return self->names.items;
}

void al_index_need_file(const al_index *self, uint32_t file) {
  if (self)
    ensure_loaded(self, file);
}

const char *al_index_module_name(const al_index *self, uint32_t file) {
  return self->files[file].module;
}

uint32_t al_index_enclosing_function(const al_facts *facts, uint32_t scope) {
  uint32_t cur = scope;
  while (cur != AL_NONE) {
    const al_scope *s = &facts->scopes.items[cur];
    if (s->kind != AL_SCOPE_MODULE)
      return cur;
    cur = s->parent;
  }
  return AL_NONE;
}
