// SPDX-License-Identifier: MIT
/*
 * The index and name resolution.
 *
 * Per file, the bindings are sorted by (scope, name) so that a name is found
 * in a scope by binary search; resolution walks the scope chain the way
 * Python does (class bodies do not enclose the functions defined in them),
 * follows imports to qualified names, simple aliases (`f = g`) and simple
 * local typing (`loop = asyncio.get_running_loop()` through the catalog's
 * `returns` facts), and gives up (AL_TARGET_UNKNOWN) wherever a name has
 * conflicting definitions. Resolution allocates nothing, so rules may call
 * it from several threads at once.
 *
 * Not yet here (the whole-tree model): imports of the tree's own modules,
 * methods through self/cls/super, class attributes. Those resolve to
 * UNKNOWN, which keeps every rule silent.
 */
#include "model/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/vec.h"

// How many alias/assignment hops resolution follows before giving up.
#define MAX_DEPTH 8

typedef struct {
  uint32_t *order; // binding indices sorted by (scope, name)
  uint32_t n;
  bool star_import; // `from x import *` at module level: unknown globals
} file_index;

struct al_index {
  const al_project *project;
  const al_catalog *catalog;
  file_index *files;
};

// A sort key that carries what the comparison needs (plain qsort has no
// context argument in C11).
typedef struct {
  uint32_t scope;
  al_str name;
  uint32_t index;
} sort_key;

static int cmp_key(const void *a, const void *b) {
  const sort_key *x = a, *y = b;
  if (x->scope != y->scope)
    return x->scope < y->scope ? -1 : 1;
  int c = al_str_cmp(x->name, y->name);
  if (c)
    return c;
  // Keep source order inside a group.
  return (x->index > y->index) - (x->index < y->index);
}

al_index *al_index_build(const al_project *project, const al_catalog *catalog) {
  al_index *self = al_xcalloc(1, sizeof *self);
  self->project = project;
  self->catalog = catalog;
  uint32_t n = project->files.len;
  self->files = al_xcalloc(n ? n : 1, sizeof *self->files);
  for (uint32_t i = 0; i < n; i++) {
    const al_facts *f = project->files.items[i].facts;
    file_index *fi = &self->files[i];
    if (!f)
      continue;
    fi->n = f->binds.len;
    fi->order = al_xmalloc((fi->n ? fi->n : 1) * sizeof(uint32_t));
    sort_key *keys = al_xmalloc((fi->n ? fi->n : 1) * sizeof(sort_key));
    for (uint32_t b = 0; b < fi->n; b++)
      keys[b] = (sort_key){f->binds.items[b].scope, f->binds.items[b].name, b};
    qsort(keys, fi->n, sizeof(sort_key), cmp_key);
    for (uint32_t b = 0; b < fi->n; b++)
      fi->order[b] = keys[b].index;
    free(keys);
    for (uint32_t k = 0; k < f->imports.len; k++)
      if ((f->imports.items[k].flags & AL_IMPORT_STAR) &&
          f->imports.items[k].scope == 0)
        fi->star_import = true;
  }
  return self;
}

void al_index_free(al_index *self) {
  if (!self)
    return;
  for (uint32_t i = 0; i < self->project->files.len; i++)
    free(self->files[i].order);
  free(self->files);
  free(self);
}

const al_catalog *al_index_catalog(const al_index *self) {
  return self->catalog;
}

// The bindings of `name` in `scope`: [*first, *first + return value).
static uint32_t group(const al_index *self, uint32_t file, uint32_t scope,
                      al_str name, uint32_t *first) {
  const file_index *fi = &self->files[file];
  const al_facts *f = self->project->files.items[file].facts;
  uint32_t lo = 0, hi = fi->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const al_binding *b = &f->binds.items[fi->order[mid]];
    int c = b->scope != scope ? (b->scope < scope ? -1 : 1)
                              : al_str_cmp(b->name, name);
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  uint32_t end = lo;
  while (end < fi->n) {
    const al_binding *b = &f->binds.items[fi->order[end]];
    if (b->scope != scope || !al_str_eq(b->name, name))
      break;
    end++;
  }
  *first = lo;
  return end - lo;
}

static al_target unknown(void) {
  al_target t;
  t.kind = AL_TARGET_UNKNOWN;
  t.file = t.scope = AL_NONE;
  t.entry = NULL;
  t.qualname[0] = 0;
  return t;
}

static bool set_qualname(al_target *t, al_str a, al_str b) {
  size_t need = a.len + (b.len ? b.len + 1 : 0);
  if (need >= AL_QUALNAME_MAX)
    return false;
  memcpy(t->qualname, a.ptr, a.len);
  size_t o = a.len;
  if (b.len) {
    t->qualname[o++] = '.';
    memcpy(t->qualname + o, b.ptr, b.len);
    o += b.len;
  }
  t->qualname[o] = 0;
  return true;
}

static al_target external(const al_index *self, al_str a, al_str b) {
  al_target t = unknown();
  if (!set_qualname(&t, a, b))
    return t;
  t.kind = AL_TARGET_EXTERNAL;
  t.entry = al_catalog_get(self->catalog, al_str_from(t.qualname));
  return t;
}

static al_target resolve_ref(const al_index *self, uint32_t file,
                             uint32_t scope, const al_ref *ref, int depth);
static al_target resolve_call(const al_index *self, uint32_t file,
                              uint32_t call, int depth);

// What one binding denotes.
static al_target binding_target(const al_index *self, uint32_t file,
                                const al_binding *b, int depth) {
  const al_facts *f = self->project->files.items[file].facts;
  al_target t = unknown();
  switch ((al_bind_kind)b->kind) {
  case AL_BIND_FUNCTION:
  case AL_BIND_CLASS:
    t.kind = b->kind == AL_BIND_FUNCTION ? AL_TARGET_FUNCTION : AL_TARGET_CLASS;
    t.file = file;
    t.scope = b->target;
    return t;
  case AL_BIND_IMPORT: {
    const al_import *im = &f->imports.items[b->target];
    if (im->level > 0)
      return t; // relative: a module of the tree (not followed yet)
    if (im->flags & AL_IMPORT_FROM)
      return external(self, im->module, im->name);
    if (!(im->flags & AL_IMPORT_ALIASED) && im->local.len < im->module.len) {
      // `import a.b` binds `a`: the package.
      t = external(self, im->local, (al_str){0});
    } else {
      t = external(self, im->module, (al_str){0});
    }
    if (t.kind == AL_TARGET_EXTERNAL && !t.entry)
      t.kind = AL_TARGET_MODULE;
    return t;
  }
  case AL_BIND_ASSIGN:
    if (depth >= MAX_DEPTH)
      return t;
    if (b->value_ref != AL_NONE)
      return resolve_ref(self, file, b->scope, &f->refs.items[b->value_ref],
                         depth + 1);
    if (b->target != AL_NONE) {
      al_target c = resolve_call(self, file, b->target, depth + 1);
      if (c.kind == AL_TARGET_EXTERNAL && c.entry &&
          (c.entry->facets & AL_CAT_RETURNS)) {
        al_target r = unknown();
        if (set_qualname(&r, c.entry->returns, (al_str){0}))
          r.kind = AL_TARGET_INSTANCE;
        return r;
      }
    }
    return t;
  default:
    return t;
  }
}

static bool same_target(const al_target *a, const al_target *b) {
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case AL_TARGET_FUNCTION:
  case AL_TARGET_CLASS:
    return a->file == b->file && a->scope == b->scope;
  case AL_TARGET_UNKNOWN:
    return false;
  default:
    return strcmp(a->qualname, b->qualname) == 0;
  }
}

// Two defs of one name agree when they are alike for every rule: both
// coroutine functions, or both plain, generators alike.
static bool same_function_shape(const al_index *self, const al_target *a,
                                const al_target *b) {
  if (a->kind != AL_TARGET_FUNCTION || b->kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *x =
      &self->project->files.items[a->file].facts->scopes.items[a->scope];
  const al_scope *y =
      &self->project->files.items[b->file].facts->scopes.items[b->scope];
  return x->kind == y->kind &&
         (x->flags & AL_SCOPE_GENERATOR) == (y->flags & AL_SCOPE_GENERATOR);
}

// Resolve a bare name seen in `scope`.
static al_target resolve_name(const al_index *self, uint32_t file,
                              uint32_t scope, al_str name, int depth) {
  const al_facts *f = self->project->files.items[file].facts;
  uint32_t cur = scope;
  bool first = true;
  while (cur != AL_NONE) {
    const al_scope *s = &f->scopes.items[cur];
    if (first || s->kind != AL_SCOPE_CLASS) {
      uint32_t g;
      uint32_t n = group(self, file, cur, name, &g);
      if (n > 0) {
        const file_index *fi = &self->files[file];
        al_target result = unknown();
        bool global = false;
        for (uint32_t i = 0; i < n; i++) {
          const al_binding *b = &f->binds.items[fi->order[g + i]];
          if (b->kind == AL_BIND_GLOBAL) {
            global = true;
            continue;
          }
          al_target t = binding_target(self, file, b, depth);
          if (t.kind == AL_TARGET_UNKNOWN)
            return unknown();
          if (i == 0 || result.kind == AL_TARGET_UNKNOWN) {
            result = t;
          } else if (!same_target(&result, &t)) {
            // A redefinition keeps the name only when nothing a rule asks
            // about differs between the definitions.
            if (!same_function_shape(self, &result, &t))
              return unknown();
            result = t;
          }
        }
        if (global) {
          // `global x` in a function: the module's x. A module-level
          // binding made only from inside functions is unknown territory.
          if (result.kind != AL_TARGET_UNKNOWN)
            return unknown();
          cur = 0;
          first = true;
          if (scope == 0)
            return unknown();
          scope = 0;
          continue;
        }
        return result;
      }
    }
    first = false;
    cur = s->parent;
  }
  // Not bound in the file: a builtin, unless a star import may bind it.
  if (self->files[file].star_import)
    return unknown();
  return external(self, AL_STR_LIT("builtins"), name);
}

// Follow attributes `rest` (dotted, may be empty) from target t.
static al_target follow_attrs(const al_index *self, al_target t, al_str rest) {
  if (rest.len == 0)
    return t;
  switch (t.kind) {
  case AL_TARGET_MODULE:
  case AL_TARGET_EXTERNAL:
  case AL_TARGET_INSTANCE: {
    char base[AL_QUALNAME_MAX];
    memcpy(base, t.qualname, sizeof base);
    al_target r = external(self, al_str_from(base), rest);
    return r;
  }
  default:
    return unknown();
  }
}

static al_target resolve_ref(const al_index *self, uint32_t file,
                             uint32_t scope, const al_ref *ref, int depth) {
  if (depth > MAX_DEPTH)
    return unknown();
  switch ((al_ref_kind)ref->kind) {
  case AL_REF_DOTTED: {
    al_str d = ref->dotted;
    size_t dot = 0;
    while (dot < d.len && d.ptr[dot] != '.')
      dot++;
    al_str root = {d.ptr, dot};
    al_str rest =
        dot < d.len ? (al_str){d.ptr + dot + 1, d.len - dot - 1} : (al_str){0};
    al_target t = resolve_name(self, file, scope, root, depth);
    return follow_attrs(self, t, rest);
  }
  case AL_REF_ON_CALL: {
    if (ref->base_call == AL_NONE)
      return unknown();
    al_target c = resolve_call(self, file, ref->base_call, depth + 1);
    if (c.kind != AL_TARGET_EXTERNAL || !c.entry ||
        !(c.entry->facets & AL_CAT_RETURNS))
      return unknown();
    al_target inst = unknown();
    if (!set_qualname(&inst, c.entry->returns, (al_str){0}))
      return inst;
    inst.kind = AL_TARGET_INSTANCE;
    return follow_attrs(self, inst, ref->dotted);
  }
  default:
    return unknown();
  }
}

// What calling call's callee gives: the callee itself as a target.
static al_target resolve_call(const al_index *self, uint32_t file,
                              uint32_t call, int depth) {
  const al_facts *f = self->project->files.items[file].facts;
  if (call >= f->calls.len)
    return unknown();
  const al_call *c = &f->calls.items[call];
  return resolve_ref(self, file, c->scope, &c->callee, depth);
}

al_target al_index_resolve(const al_index *self, uint32_t file, uint32_t scope,
                           const al_ref *ref) {
  return resolve_ref(self, file, scope, ref, 0);
}

al_target al_index_resolve_callee(const al_index *self, uint32_t file,
                                  uint32_t call) {
  return resolve_call(self, file, call, 0);
}

bool al_index_is_coroutine_function(const al_index *self, al_target t) {
  if (t.kind == AL_TARGET_FUNCTION) {
    const al_scope *s =
        &self->project->files.items[t.file].facts->scopes.items[t.scope];
    return s->kind == AL_SCOPE_ASYNC_FUNCTION &&
           !(s->flags & AL_SCOPE_GENERATOR);
  }
  if (t.kind == AL_TARGET_EXTERNAL && t.entry)
    return (t.entry->facets & AL_CAT_COROUTINE) != 0;
  return false;
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
