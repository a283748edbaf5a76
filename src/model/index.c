// SPDX-License-Identifier: MIT
/*
 * The index and name resolution over the whole tree.
 *
 * Built once, single-threaded:
 * - per file, the bindings sorted by (scope, name), instance attributes
 *   (`self.x = ...`) sorted by (class, name), and returns grouped by scope;
 * - the module table: each file's dotted name from its package chain
 *   (__init__.py files on disk), plus names counted from the command-line
 *   roots for namespace packages and `src/` layouts; every prefix of a
 *   module name is a package;
 * - derived properties, memoised per function: "returns a coroutine" for
 *   pass-through wrappers, and what each decorator does to an async def.
 *
 * Resolution walks Python's scope chain (class bodies do not enclose the
 * functions defined in them), follows imports into the tree's modules,
 * attributes of modules, classes and instances (methods found along the
 * bases, left to right, depth first), `self`/`cls`/`super()`, aliases and
 * simple local typing (constructor calls, catalog `returns`, `with X() as v`).
 * Every step counts against a depth budget, so cycles (a imports b imports
 * a, class A(B) / class B(A)) end in UNKNOWN. After the build nothing is
 * written, so rules may resolve from several threads at once.
 */
#include "model/index.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/map.h"
#include "base/store.h"
#include "base/vec.h"

// Recursion budget of one resolution (imports, aliases, bases, wrappers).
#define MAX_DEPTH 32

// Module table values besides a file index.
#define MOD_NAMESPACE (UINT32_MAX - 1) // a package directory without a file
#define MOD_AMBIGUOUS (UINT32_MAX - 2) // two files claim the name

// Memo states.
enum { MEMO_UNSET = 0, MEMO_BUSY, MEMO_NO, MEMO_YES };

typedef struct {
  uint32_t scope;
  al_str name;
  uint32_t index;
} sort_key;

// A group of bindings of one name in one scope: a run of `order` (or of
// `attrs`). Slots of the open-addressing group tables; n == 0: empty. The
// slot keeps the group's hash and its first binding, so that a probe
// touches the binding (and its name) only when the hashes match: most
// look-ups miss (a name is tried in each enclosing scope in turn).
typedef struct {
  uint32_t first, n;
  uint32_t hash; // group_hash of (scope, name)
  uint32_t bind; // order[first]: the first binding's index
} group_ref;

// One file's part of the index (al_index_file in index.h).
typedef struct al_index_file {
  uint32_t *order; // binding indices sorted by (scope, name)
  uint32_t n;
  uint32_t *attrs; // AL_BIND_ATTR indices sorted by (class scope, name)
  uint32_t n_attrs;
  group_ref *groups; // (scope, name) -> its run of order; groups_mask + 1
  uint32_t groups_mask;
  group_ref *attr_groups; // (class scope, name) -> its run of attrs
  uint32_t attr_groups_mask;
  uint32_t *ret_first;  // by scope: first index into ret_order
  uint32_t *ret_n;      // by scope: number of returns
  uint32_t *ret_order;  // returns grouped by scope
  bool star_import;     // `from x import *` at module level
  const char *module;   // dotted name ("" if none)
  const char *package;  // package for relative imports ("" if none)
  uint8_t *wrapper;     // by scope: MEMO_* for "returns a coroutine"
  uint32_t *call_first; // by scope: first index into call_order
  uint32_t *call_n;     // by scope: number of calls made directly in it
  uint32_t *call_order; // calls grouped by scope, source order inside
  uint8_t *group_state; // by order position of a group's first binding:
                        // MEMO_* of its memoised resolution (big groups)
  uint32_t *group_slot; // index into group_val
  al_vec(al_target) group_val;
  al_vec(uint8_t) group_global;
  uint32_t *nb_calls; // calls that may switch a receiver to non-blocking
  uint32_t n_nb_calls;
  uint8_t *reach[AL_REACH_KINDS];      // by scope: MEMO_* per reach kind
  uint32_t *reach_hop[AL_REACH_KINDS]; // by scope: the call that leads there
  // By call: its callee as compute_reaches resolved it, kept when the
  // target is a tree definition or unknown (kind, file, scope say it
  // all) so that al_index_resolve_callee does not resolve it again;
  // CALLEE_UNSET otherwise. NULL when the file has no such calls.
  uint8_t *callee_kind;
  uint32_t (*callee_at)[2]; // file, scope
} file_index;

#define CALLEE_UNSET 0xFF

struct al_index {
  const al_project *project;
  const al_catalog *catalog;
  file_index *files;
  al_map modules; // dotted name -> file index or MOD_*
  al_arena *arena;
};

// --- small helpers ----------------------------------------------------------

static const al_facts *facts_of(const al_index *self, uint32_t file) {
  return self->project->files.items[file].facts;
}

static const al_scope *scope_of(const al_index *self, uint32_t file,
                                uint32_t scope) {
  return &facts_of(self, file)->scopes.items[scope];
}

static al_target unknown(void) {
  al_target t;
  t.kind = AL_TARGET_UNKNOWN;
  t.file = t.scope = AL_NONE;
  t.entry = NULL;
  t.qualname[0] = 0;
  return t;
}

static al_target tree_target(al_target_kind kind, uint32_t file,
                             uint32_t scope) {
  al_target t = unknown();
  t.kind = kind;
  t.file = file;
  t.scope = scope;
  return t;
}

static bool set_qualname(al_target *t, al_str a, al_str b) {
  size_t need = a.len + (b.len ? b.len + 1 : 0);
  if (need >= AL_QUALNAME_MAX)
    return false;
  if (a.len)
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

static al_target instance_of_name(al_str cls) {
  al_target t = unknown();
  if (set_qualname(&t, cls, (al_str){0}))
    t.kind = AL_TARGET_INSTANCE;
  return t;
}

static al_str split_first(al_str d, al_str *rest) {
  size_t dot = 0;
  while (dot < d.len && d.ptr[dot] != '.')
    dot++;
  *rest =
      dot < d.len ? (al_str){d.ptr + dot + 1, d.len - dot - 1} : (al_str){0};
  return (al_str){d.ptr, dot};
}

// --- building ---------------------------------------------------------------

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

// The scope a binding is grouped under: its own, or (instance attributes,
// bound in a method) the method's class.
static uint32_t group_scope(const al_facts *f, const al_binding *b,
                            bool by_class) {
  return by_class ? f->scopes.items[b->scope].parent : b->scope;
}

static uint32_t group_hash(uint32_t scope, al_str name) {
  uint64_t h = al_str_hash(name) ^ (scope * 0x9E3779B97F4A7C15ull);
  h ^= h >> 29;
  return (uint32_t)h;
}

// The per-file arrays of the index live as long as the facts and are made
// as the facts are, between parses (al_index_prepare_file): in the
// long-lived store, out of the parser's heap (base/store.h says why).
// Zeroed.
static void *long_array(size_t n, size_t size) {
  return al_long_alloc((n ? n : 1) * size);
}

// The group table of a sorted run of n bindings: every (scope, name) run,
// found in O(1) by find_group. *mask: table size - 1.
static group_ref *group_table(const al_facts *f, const uint32_t *order,
                              uint32_t n, bool by_class, uint32_t *mask) {
  uint32_t groups = 0;
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[order[i]];
    const al_binding *p = i ? &f->binds.items[order[i - 1]] : NULL;
    if (!p || group_scope(f, p, by_class) != group_scope(f, b, by_class) ||
        !al_str_eq(p->name, b->name))
      groups++;
  }
  uint32_t size = 8;
  while ((uint64_t)2 * size < (uint64_t)3 * groups) // at most 2/3 full
    size *= 2;
  group_ref *tab = long_array(size, sizeof *tab);
  *mask = size - 1;
  for (uint32_t i = 0; i < n;) {
    const al_binding *b = &f->binds.items[order[i]];
    uint32_t scope = group_scope(f, b, by_class);
    uint32_t end = i + 1;
    while (end < n) {
      const al_binding *e = &f->binds.items[order[end]];
      if (group_scope(f, e, by_class) != scope || !al_str_eq(e->name, b->name))
        break;
      end++;
    }
    uint32_t hash = group_hash(scope, b->name);
    uint32_t h = hash & *mask;
    while (tab[h].n)
      h = (h + 1) & *mask;
    tab[h] = (group_ref){i, end - i, hash, order[i]};
    i = end;
  }
  return tab;
}

static void sort_bindings(file_index *fi, const al_facts *f) {
  uint32_t n = f->binds.len;
  sort_key *keys = al_xmalloc((n ? n : 1) * sizeof(sort_key));
  sort_key *akeys = al_xmalloc((n ? n : 1) * sizeof(sort_key));
  uint32_t na = 0;
  for (uint32_t b = 0; b < n; b++) {
    const al_binding *bd = &f->binds.items[b];
    keys[b] = (sort_key){bd->scope, bd->name, b};
    if (bd->kind == AL_BIND_ATTR)
      akeys[na++] = (sort_key){f->scopes.items[bd->scope].parent, bd->name, b};
  }
  qsort(keys, n, sizeof(sort_key), cmp_key);
  qsort(akeys, na, sizeof(sort_key), cmp_key);
  fi->order = long_array(n, sizeof(uint32_t));
  fi->attrs = long_array(na, sizeof(uint32_t));
  for (uint32_t b = 0; b < n; b++)
    fi->order[b] = keys[b].index;
  for (uint32_t b = 0; b < na; b++)
    fi->attrs[b] = akeys[b].index;
  fi->n = n;
  fi->n_attrs = na;
  free(keys);
  free(akeys);
  fi->groups = group_table(f, fi->order, n, false, &fi->groups_mask);
  fi->attr_groups = group_table(f, fi->attrs, na, true, &fi->attr_groups_mask);
}

static void group_returns(file_index *fi, const al_facts *f) {
  uint32_t ns = f->scopes.len ? f->scopes.len : 1;
  fi->ret_first = long_array(ns, sizeof(uint32_t));
  fi->ret_n = long_array(ns, sizeof(uint32_t));
  fi->ret_order = long_array(f->returns.len, sizeof(uint32_t));
  for (uint32_t i = 0; i < f->returns.len; i++)
    fi->ret_n[f->returns.items[i].scope]++;
  uint32_t sum = 0;
  for (uint32_t s = 0; s < f->scopes.len; s++) {
    fi->ret_first[s] = sum;
    sum += fi->ret_n[s];
  }
  uint32_t *fill = al_xcalloc(ns, sizeof(uint32_t));
  for (uint32_t i = 0; i < f->returns.len; i++) {
    uint32_t s = f->returns.items[i].scope;
    fi->ret_order[fi->ret_first[s] + fill[s]++] = i;
  }
  free(fill);
  fi->wrapper = long_array(ns, 1);
}

static void group_calls(file_index *fi, const al_facts *f) {
  uint32_t ns = f->scopes.len ? f->scopes.len : 1;
  fi->call_first = long_array(ns, sizeof(uint32_t));
  fi->call_n = long_array(ns, sizeof(uint32_t));
  fi->call_order = long_array(f->calls.len, sizeof(uint32_t));
  for (uint32_t i = 0; i < f->calls.len; i++)
    fi->call_n[f->calls.items[i].scope]++;
  uint32_t sum = 0;
  for (uint32_t sc = 0; sc < f->scopes.len; sc++) {
    fi->call_first[sc] = sum;
    sum += fi->call_n[sc];
  }
  uint32_t *fill = al_xcalloc(ns, sizeof(uint32_t));
  for (uint32_t i = 0; i < f->calls.len; i++) {
    uint32_t sc = f->calls.items[i].scope;
    fi->call_order[fi->call_first[sc] + fill[sc]++] = i;
  }
  free(fill);
  for (int k = 0; k < AL_REACH_KINDS; k++) {
    fi->reach[k] = long_array(ns, 1);
    fi->reach_hop[k] = long_array(ns, sizeof(uint32_t));
  }
}

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

// Name the module of one file and register it (and its root-relative
// aliases for namespace packages).
static void name_module(al_index *self, al_map *cache, uint32_t file) {
  const al_project_file *pf = &self->project->files.items[file];
  file_index *fi = &self->files[file];
  fi->module = "";
  fi->package = "";
  const char *path = pf->fs_path ? pf->fs_path : pf->path;
  if (!path || strcmp(path, "-") == 0)
    return;
  // Absolute directory of the file.
  char *slash = strrchr(path, '/');
  char *dir =
      slash ? al_xstrndup(path, (size_t)(slash - path)) : al_xstrdup(".");
  if (dir[0] == 0) {
    free(dir);
    dir = al_xstrdup("/");
  }
  char *abs = realpath(dir, NULL);
  free(dir);
  if (!abs)
    return;
  const char *base = slash ? slash + 1 : path;
  size_t blen = strlen(base);
  size_t stem_len = blen;
  if (blen > 3 && strcmp(base + blen - 3, ".py") == 0)
    stem_len = blen - 3;
  else if (blen > 4 && strcmp(base + blen - 4, ".pyi") == 0)
    stem_len = blen - 4;
  char *stem = al_arena_strndup(self->arena, base, stem_len);
  bool is_init = strcmp(stem, "__init__") == 0;

  // Split the absolute directory into components.
  char *comps[512];
  int nc = 0;
  char *work = al_arena_strndup(self->arena, abs, strlen(abs));
  for (char *tok = strtok(work, "/"); tok && nc < 511; tok = strtok(NULL, "/"))
    comps[nc++] = tok;
  // The package chain: directories with __init__.py, going up.
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
  if (!is_init)
    comps[nc++] = stem;
  int chain = nc - top; // components named by the __init__.py chain
  char *chain_name = join_components(self, comps, top, nc);
  // Names counted from the command-line roots above the file (namespace
  // packages, `src/` layouts); the best one, if the chain names no package.
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
  free(abs);
}

static void compute_wrappers(al_index *self);
static void compute_reaches(al_index *self);
static void memoise_big_groups(al_index *self);

// The calls whose method name is one of the catalog's makes-nonblocking
// methods (`sock.setblocking(...)`): few, so al_index_call_blocks looks at
// them alone instead of every call of a scope.
static void find_nonblocking_calls(al_index *self) {
  al_str names[16];
  uint32_t n_names = 0;
  for (uint32_t i = 0; i < al_catalog_size(self->catalog) && n_names < 16;
       i++) {
    const al_catalog_entry *e = al_catalog_entry_at(self->catalog, i);
    if (!(e->facets & AL_CAT_MAKES_NONBLOCKING))
      continue;
    size_t dot = e->name.len;
    while (dot > 0 && e->name.ptr[dot - 1] != '.')
      dot--;
    names[n_names++] = (al_str){e->name.ptr + dot, e->name.len - dot};
  }
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    const al_facts *f = self->project->files.items[file].facts;
    file_index *fi = &self->files[file];
    if (!f || n_names == 0)
      continue;
    for (uint32_t c = 0; c < f->calls.len; c++) {
      al_str d = f->calls.items[c].callee.dotted;
      if (f->calls.items[c].callee.kind != AL_REF_DOTTED)
        continue;
      for (uint32_t k = 0; k < n_names; k++) {
        if (d.len > names[k].len && d.ptr[d.len - names[k].len - 1] == '.' &&
            memcmp(d.ptr + d.len - names[k].len, names[k].ptr, names[k].len) ==
                0) {
          fi->nb_calls = al_xrealloc(fi->nb_calls,
                                     (fi->n_nb_calls + 1) * sizeof(uint32_t));
          fi->nb_calls[fi->n_nb_calls++] = c;
          break;
        }
      }
    }
  }
}

// What of fi depends on f alone.
static void prepare_file(file_index *fi, const al_facts *f) {
  sort_bindings(fi, f);
  group_returns(fi, f);
  group_calls(fi, f);
  for (uint32_t k = 0; k < f->imports.len; k++)
    if ((f->imports.items[k].flags & AL_IMPORT_STAR) &&
        f->imports.items[k].scope == 0)
      fi->star_import = true;
}

static void free_file_fields(file_index *fi) {
  al_long_free(fi->order);
  al_long_free(fi->attrs);
  al_long_free(fi->groups);
  al_long_free(fi->attr_groups);
  al_long_free(fi->ret_first);
  al_long_free(fi->ret_n);
  al_long_free(fi->ret_order);
  al_long_free(fi->wrapper);
  al_long_free(fi->call_first);
  al_long_free(fi->call_n);
  al_long_free(fi->call_order);
  free(fi->group_state);
  free(fi->group_slot);
  vec_free(&fi->group_val);
  vec_free(&fi->group_global);
  free(fi->nb_calls);
  free(fi->callee_kind);
  free(fi->callee_at);
  for (int k = 0; k < AL_REACH_KINDS; k++) {
    al_long_free(fi->reach[k]);
    al_long_free(fi->reach_hop[k]);
  }
}

al_index_file *al_index_prepare_file(const al_facts *facts) {
  file_index *fi = al_long_alloc(sizeof *fi);
  prepare_file(fi, facts);
  return fi;
}

al_index *al_index_build(const al_project *project, const al_catalog *catalog,
                         al_index_file **prepared) {
  al_index *self = al_xcalloc(1, sizeof *self);
  self->project = project;
  self->catalog = catalog;
  self->arena = al_arena_new();
  self->modules = AL_MAP_INIT;
  uint32_t n = project->files.len;
  self->files = al_xcalloc(n ? n : 1, sizeof *self->files);
  al_map init_cache = AL_MAP_INIT;
  for (uint32_t i = 0; i < n; i++) {
    const al_facts *f = project->files.items[i].facts;
    file_index *fi = &self->files[i];
    al_index_file *prep = prepared ? prepared[i] : NULL;
    if (f && prep)
      *fi = *prep; // taken over: the fields move, the shell goes
    else if (prep)
      free_file_fields(prep);
    al_long_free(prep);
    fi->module = fi->package = "";
    if (!f)
      continue;
    if (!prep)
      prepare_file(fi, f);
    if (!f->unreadable)
      name_module(self, &init_cache, i);
  }
  al_map_free(&init_cache);
  find_nonblocking_calls(self);
  memoise_big_groups(self);
  compute_wrappers(self);
  compute_reaches(self);
  return self;
}

void al_index_free(al_index *self) {
  if (!self)
    return;
  for (uint32_t i = 0; i < self->project->files.len; i++)
    free_file_fields(&self->files[i]);
  free(self->files);
  al_map_free(&self->modules);
  al_arena_free(self->arena);
  free(self);
}

const al_catalog *al_index_catalog(const al_index *self) {
  return self->catalog;
}

const char *al_index_module_name(const al_index *self, uint32_t file) {
  return self->files[file].module;
}

// --- look-ups ---------------------------------------------------------------

// The run of bindings of name in scope (by_class: instance attributes of
// class scope): its length, 0 if none; *first: where it starts in the
// sorted array the table was built from.
static uint32_t find_group(const al_facts *f, const group_ref *tab,
                           uint32_t mask, bool by_class, uint32_t scope,
                           al_str name, uint32_t *first) {
  *first = 0;
  if (!tab)
    return 0;
  uint32_t hash = group_hash(scope, name);
  for (uint32_t h = hash & mask; tab[h].n; h = (h + 1) & mask) {
    if (tab[h].hash != hash)
      continue;
    const al_binding *b = &f->binds.items[tab[h].bind];
    if (group_scope(f, b, by_class) == scope && al_str_eq(b->name, name)) {
      *first = tab[h].first;
      return tab[h].n;
    }
  }
  return 0;
}

static uint32_t module_file(const al_index *self, al_str name, bool *in_tree) {
  uint32_t v;
  if (!al_map_get(&self->modules, name, &v)) {
    *in_tree = false;
    return AL_NONE;
  }
  *in_tree = true;
  return v;
}

static al_target module_target(const al_index *self, al_str name) {
  bool in_tree;
  uint32_t f = module_file(self, name, &in_tree);
  al_target t = unknown();
  if (in_tree && f == MOD_AMBIGUOUS)
    return t;
  if (!set_qualname(&t, name, (al_str){0}))
    return t;
  t.kind = AL_TARGET_MODULE;
  t.file = in_tree && f != MOD_NAMESPACE ? f : AL_NONE;
  if (!in_tree) {
    // A library module: keep it EXTERNAL-like for catalog look-ups.
    t.entry = al_catalog_get(self->catalog, name);
  }
  return t;
}

typedef struct {
  const al_index *ix;
  int depth;
} rctx;

static al_target resolve_ref(rctx *r, uint32_t file, uint32_t scope,
                             const al_ref *ref);
static al_target call_value(rctx *r, uint32_t file, uint32_t call);
static al_target class_attr(rctx *r, uint32_t file, uint32_t cls, al_str name,
                            bool instance, bool *found);
static al_target module_attr(rctx *r, al_target mod, al_str name, bool *found);
static al_target follow_attrs(rctx *r, al_target t, al_str rest);

// The absolute module a relative import names.
static bool absolute_module(const al_index *self, uint32_t file,
                            const al_import *im, char *buf, size_t cap) {
  if (im->level == 0) {
    if (im->module.len >= cap)
      return false;
    memcpy(buf, im->module.ptr, im->module.len);
    buf[im->module.len] = 0;
    return true;
  }
  const char *pkg = self->files[file].package;
  size_t len = strlen(pkg);
  if (len == 0 && im->level >= 1 && !self->files[file].module[0])
    return false;
  // Each level beyond the first goes one package up.
  for (uint8_t l = 1; l < im->level; l++) {
    while (len > 0 && pkg[len - 1] != '.')
      len--;
    if (len == 0)
      return false;
    len--; // the dot
  }
  // pkg[0, len) "." module, or pkg[0, len) alone (memcpy: this runs for
  // every relative import each time a name resolves through it).
  size_t dot = len && im->module.len ? 1 : 0;
  size_t n = len + dot + im->module.len;
  if (n == 0 || n >= cap)
    return false;
  memcpy(buf, pkg, len);
  buf[len] = '.';
  if (im->module.len)
    memcpy(buf + len + dot, im->module.ptr, im->module.len);
  buf[n] = 0;
  return true;
}

static bool has_decorator(rctx *r, uint32_t file, uint32_t scope,
                          const char *qualname);

// What a bound name is, binding by binding.
static al_target binding_target(rctx *r, uint32_t file, const al_binding *b) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  if (++r->depth > MAX_DEPTH)
    return unknown();
  switch ((al_bind_kind)b->kind) {
  case AL_BIND_FUNCTION:
    return tree_target(AL_TARGET_FUNCTION, file, b->target);
  case AL_BIND_CLASS:
    return tree_target(AL_TARGET_CLASS, file, b->target);
  case AL_BIND_IMPORT: {
    const al_import *im = &f->imports.items[b->target];
    char mod[AL_QUALNAME_MAX];
    if (!absolute_module(ix, file, im, mod, sizeof mod))
      return unknown();
    al_str m = al_str_from(mod);
    if (im->flags & AL_IMPORT_FROM) {
      bool in_tree;
      module_file(ix, m, &in_tree);
      if (!in_tree)
        return external(ix, m, im->name);
      al_target mt = module_target(ix, m);
      if (mt.kind == AL_TARGET_UNKNOWN)
        return mt;
      bool found;
      al_target t = module_attr(r, mt, im->name, &found);
      return found ? t : unknown();
    }
    if (!(im->flags & AL_IMPORT_ALIASED) && im->local.len < m.len)
      return module_target(ix, im->local); // `import a.b` binds a
    return module_target(ix, m);
  }
  case AL_BIND_ASSIGN:
  case AL_BIND_ATTR:
    if (b->value_ref != AL_NONE)
      return resolve_ref(r, file, b->scope, &f->refs.items[b->value_ref]);
    if (b->target != AL_NONE)
      return call_value(r, file, b->target);
    return unknown();
  case AL_BIND_WITH: {
    if (b->target == AL_NONE)
      return unknown();
    al_target cm = call_value(r, file, b->target);
    if (cm.kind != AL_TARGET_INSTANCE)
      return unknown();
    if (cm.file == AL_NONE)
      return cm; // a library context manager: assume it enters itself
    // A tree class: its __aenter__/__enter__ must return self.
    const al_facts *cf = facts_of(ix, cm.file);
    bool found = false;
    al_target enter = class_attr(r, cm.file, cm.scope, AL_STR_LIT("__aenter__"),
                                 true, &found);
    if (!found)
      enter = class_attr(r, cm.file, cm.scope, AL_STR_LIT("__enter__"), true,
                         &found);
    if (!found || enter.kind != AL_TARGET_FUNCTION)
      return unknown();
    const file_index *efi = &ix->files[enter.file];
    const al_facts *ef = facts_of(ix, enter.file);
    al_str self_name = ef->scopes.items[enter.scope].first_param;
    uint32_t nr = efi->ret_n[enter.scope];
    if (nr == 0 || self_name.len == 0)
      return unknown();
    for (uint32_t i = 0; i < nr; i++) {
      const al_return *ret =
          &ef->returns.items[efi->ret_order[efi->ret_first[enter.scope] + i]];
      if (ret->kind != AL_RET_NAME ||
          !al_str_eq(ef->refs.items[ret->target].dotted, self_name))
        return unknown();
    }
    (void)cf;
    return cm;
  }
  case AL_BIND_PARAM: {
    // The first parameter of a method is its instance (or class).
    const al_scope *s = &f->scopes.items[b->scope];
    if (s->parent == AL_NONE || !al_str_eq(s->first_param, b->name) ||
        (s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION) ||
        f->scopes.items[s->parent].kind != AL_SCOPE_CLASS)
      return unknown();
    if (has_decorator(r, file, b->scope, "builtins.staticmethod"))
      return unknown();
    if (has_decorator(r, file, b->scope, "builtins.classmethod") ||
        al_str_eq_c(s->name, "__new__") ||
        al_str_eq_c(s->name, "__init_subclass__") ||
        al_str_eq_c(s->name, "__class_getitem__"))
      return tree_target(AL_TARGET_CLASS, file, s->parent);
    return tree_target(AL_TARGET_INSTANCE, file, s->parent);
  }
  default:
    return unknown();
  }
}

static bool same_target(const al_target *a, const al_target *b) {
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case AL_TARGET_FUNCTION:
  case AL_TARGET_CLASS:
    return a->file == b->file && a->scope == b->scope;
  case AL_TARGET_INSTANCE:
  case AL_TARGET_MODULE:
    return a->file == b->file && a->scope == b->scope &&
           strcmp(a->qualname, b->qualname) == 0;
  case AL_TARGET_UNKNOWN:
    return false;
  default:
    return strcmp(a->qualname, b->qualname) == 0;
  }
}

static al_coro_kind coro_kind(rctx *r, al_target t);

// Two defs of one name agree when they are alike for every rule.
static bool same_function_shape(rctx *r, const al_target *a,
                                const al_target *b) {
  if (a->kind != AL_TARGET_FUNCTION || b->kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *x = scope_of(r->ix, a->file, a->scope);
  const al_scope *y = scope_of(r->ix, b->file, b->scope);
  return x->kind == y->kind &&
         (x->flags & AL_SCOPE_GENERATOR) == (y->flags & AL_SCOPE_GENERATOR) &&
         coro_kind(r, *a) == coro_kind(r, *b);
}

// Resolve name in exactly one scope. *found: the scope binds it.
// Groups of at least this many bindings of one name in one scope (a module
// that redefines a name again and again) have their resolution memoised at
// build time, so that resolving the name costs O(1), not O(group).
#define BIG_GROUP 4

static al_target resolve_group(rctx *r, uint32_t file, uint32_t g, uint32_t n,
                               bool *global);

static al_target resolve_in_scope(rctx *r, uint32_t file, uint32_t scope,
                                  al_str name, bool *found, bool *global) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = &ix->files[file];
  uint32_t g;
  uint32_t n =
      find_group(f, fi->groups, fi->groups_mask, false, scope, name, &g);
  *found = false;
  *global = false;
  if (n == 0)
    return unknown();
  *found = true;
  if (n >= BIG_GROUP && fi->group_state) {
    file_index *mfi = &((al_index *)ix)->files[file];
    uint8_t st = mfi->group_state[g];
    if (st == MEMO_YES) {
      *global = mfi->group_global.items[mfi->group_slot[g]];
      return mfi->group_val.items[mfi->group_slot[g]];
    }
    if (st == MEMO_BUSY)
      return unknown(); // a cycle through this group
    // Only during the (single-threaded) build: compute and keep.
    mfi->group_state[g] = MEMO_BUSY;
    al_target t = resolve_group(r, file, g, n, global);
    mfi->group_slot[g] = mfi->group_val.len;
    vec_push(&mfi->group_val, t);
    vec_push(&mfi->group_global, (uint8_t)*global);
    mfi->group_state[g] = MEMO_YES;
    return t;
  }
  return resolve_group(r, file, g, n, global);
}

static al_target resolve_group(rctx *r, uint32_t file, uint32_t g, uint32_t n,
                               bool *global) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = &ix->files[file];
  *global = false;
  al_target result = unknown();
  bool have = false;
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[fi->order[g + i]];
    if (b->kind == AL_BIND_GLOBAL) {
      *global = true;
      continue;
    }
    int saved = r->depth;
    al_target t = binding_target(r, file, b);
    r->depth = saved;
    if (t.kind == AL_TARGET_UNKNOWN)
      return unknown();
    if (!have) {
      result = t;
      have = true;
    } else if (!same_target(&result, &t)) {
      // A redefinition keeps the name only when nothing a rule asks about
      // differs between the definitions.
      if (!same_function_shape(r, &result, &t))
        return unknown();
      result = t;
    }
  }
  if (*global && have)
    return unknown(); // bound here and declared global: unclear
  return result;
}

// Star imports of a module, in order: does one of them define name?
static al_target star_lookup(rctx *r, uint32_t file, al_str name, bool *found) {
  const al_facts *f = facts_of(r->ix, file);
  *found = false;
  for (uint32_t k = 0; k < f->imports.len; k++) {
    const al_import *im = &f->imports.items[k];
    if (!(im->flags & AL_IMPORT_STAR) || im->scope != 0)
      continue;
    char mod[AL_QUALNAME_MAX];
    if (!absolute_module(r->ix, file, im, mod, sizeof mod))
      return unknown();
    al_target mt = module_target(r->ix, al_str_from(mod));
    if (mt.kind != AL_TARGET_MODULE || mt.file == AL_NONE) {
      *found = true; // an unknown module may define anything
      return unknown();
    }
    if (name.len && name.ptr[0] == '_')
      continue; // not exported by *
    if (++r->depth > MAX_DEPTH) {
      *found = true;
      return unknown();
    }
    al_target t = module_attr(r, mt, name, found);
    if (*found)
      return t;
  }
  return unknown();
}

// An attribute of a module of the tree: a top-level name (with its star
// imports) or a submodule. *found is false when it has no such name.
static al_target module_attr(rctx *r, al_target mod, al_str name, bool *found) {
  *found = false;
  if (mod.kind != AL_TARGET_MODULE)
    return unknown();
  if (mod.file == AL_NONE) {
    bool in_tree;
    module_file(r->ix, al_str_from(mod.qualname), &in_tree);
    if (!in_tree) {
      *found = true;
      return external(r->ix, al_str_from(mod.qualname), name);
    }
  } else {
    // What the catalog knows about a module's name wins over the module's
    // own code (linting asyncio itself still knows create_task).
    al_target cat = external(r->ix, al_str_from(mod.qualname), name);
    if (cat.entry) {
      *found = true;
      return cat;
    }
    bool global;
    al_target t = resolve_in_scope(r, mod.file, 0, name, found, &global);
    if (*found)
      return t;
    if (r->ix->files[mod.file].star_import) {
      t = star_lookup(r, mod.file, name, found);
      if (*found)
        return t;
    }
  }
  // A submodule.
  al_target sub = unknown();
  if (!set_qualname(&sub, al_str_from(mod.qualname), name))
    return sub;
  bool in_tree;
  module_file(r->ix, al_str_from(sub.qualname), &in_tree);
  if (!in_tree)
    return unknown();
  *found = true;
  return module_target(r->ix, al_str_from(sub.qualname));
}

// Resolve a bare name seen in `scope`.
static al_target resolve_name(rctx *r, uint32_t file, uint32_t scope,
                              al_str name) {
  const al_facts *f = facts_of(r->ix, file);
  uint32_t cur = scope;
  bool first = true;
  while (cur != AL_NONE) {
    const al_scope *s = &f->scopes.items[cur];
    if (first || s->kind != AL_SCOPE_CLASS) {
      bool found, global;
      al_target t = resolve_in_scope(r, file, cur, name, &found, &global);
      if (found && !global)
        return t;
      if (global) {
        // `global x` (or a stray `nonlocal x`) in the module itself: it
        // names nothing else; going round again would never end.
        if (cur == 0)
          return unknown();
        cur = 0; // `global x`: the module's x
        first = true;
        continue;
      }
    }
    first = false;
    cur = s->parent;
  }
  // Not bound in the file: a star import may bind it, else a builtin.
  if (r->ix->files[file].star_import) {
    bool found;
    al_target t = star_lookup(r, file, name, &found);
    if (found)
      return t;
  }
  return external(r->ix, AL_STR_LIT("builtins"), name);
}

// --- classes ----------------------------------------------------------------

static bool has_decorator(rctx *r, uint32_t file, uint32_t scope,
                          const char *qualname) {
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[scope];
  for (uint32_t i = 0; i < s->n_decorators; i++) {
    const al_ref *d = &f->refs.items[s->first_decorator + i];
    if (d->kind != AL_REF_DOTTED)
      continue;
    // Cheap test first: the last component must match.
    const char *last = strrchr(qualname, '.');
    last = last ? last + 1 : qualname;
    size_t ll = strlen(last);
    if (d->dotted.len < ll ||
        memcmp(d->dotted.ptr + d->dotted.len - ll, last, ll) != 0)
      continue;
    if (++r->depth > MAX_DEPTH)
      return false;
    al_target t = resolve_ref(r, file, s->parent, d);
    if (t.kind == AL_TARGET_EXTERNAL && strcmp(t.qualname, qualname) == 0)
      return true;
  }
  return false;
}

// Instance attributes assigned in the class's methods (`self.x = ...`):
// their common type, if they agree.
static al_target instance_attr(rctx *r, uint32_t file, uint32_t cls,
                               al_str name, bool *found) {
  const al_facts *f = facts_of(r->ix, file);
  const file_index *fi = &r->ix->files[file];
  uint32_t g;
  uint32_t n =
      find_group(f, fi->attr_groups, fi->attr_groups_mask, true, cls, name, &g);
  *found = n > 0;
  al_target result = unknown();
  for (uint32_t i = 0; i < n; i++) {
    int saved = r->depth;
    al_target t = binding_target(r, file, &f->binds.items[fi->attrs[g + i]]);
    r->depth = saved;
    if (t.kind == AL_TARGET_UNKNOWN || (i > 0 && !same_target(&result, &t)))
      return unknown();
    result = t;
  }
  return result;
}

// An attribute of a tree class (instance: through an instance), looked up
// in the class body, its instance attributes, then its bases in order.
static al_target class_attr(rctx *r, uint32_t file, uint32_t cls, al_str name,
                            bool instance, bool *found) {
  *found = false;
  if (++r->depth > MAX_DEPTH) {
    *found = true;
    return unknown();
  }
  bool global;
  al_target t = resolve_in_scope(r, file, cls, name, found, &global);
  if (*found) {
    if (t.kind == AL_TARGET_FUNCTION &&
        has_decorator(r, t.file, t.scope, "builtins.property"))
      return unknown(); // reading a property calls it
    return t;
  }
  if (instance) {
    t = instance_attr(r, file, cls, name, found);
    if (*found)
      return t;
  }
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[cls];
  for (uint32_t i = 0; i < s->n_bases; i++) {
    al_target b =
        resolve_ref(r, file, s->parent, &f->refs.items[s->first_base + i]);
    if (b.kind == AL_TARGET_CLASS) {
      t = class_attr(r, b.file, b.scope, name, instance, found);
      if (*found)
        return t;
      continue;
    }
    if (b.kind == AL_TARGET_EXTERNAL &&
        strncmp(b.qualname, "builtins.", 9) == 0)
      continue; // object, Exception, dict, ...: no coroutine methods
    // A library base: the catalog may know the method; else anything goes.
    *found = true;
    if (b.kind == AL_TARGET_EXTERNAL)
      return external(r->ix, al_str_from(b.qualname), name);
    return unknown();
  }
  return unknown();
}

// --- references and calls
// ------------------------------------------------------

static al_target follow_attrs(rctx *r, al_target t, al_str rest) {
  while (rest.len) {
    al_str tail;
    al_str name = split_first(rest, &tail);
    bool found = false;
    switch (t.kind) {
    case AL_TARGET_MODULE:
      if (t.file == AL_NONE) {
        bool in_tree;
        module_file(r->ix, al_str_from(t.qualname), &in_tree);
        if (!in_tree) {
          char base[AL_QUALNAME_MAX];
          memcpy(base, t.qualname, sizeof base);
          return external(r->ix, al_str_from(base), rest);
        }
      }
      t = module_attr(r, t, name, &found);
      if (!found)
        return unknown();
      break;
    case AL_TARGET_EXTERNAL: {
      char base[AL_QUALNAME_MAX];
      memcpy(base, t.qualname, sizeof base);
      return external(r->ix, al_str_from(base), rest);
    }
    case AL_TARGET_INSTANCE:
      if (t.file == AL_NONE) {
        char base[AL_QUALNAME_MAX];
        memcpy(base, t.qualname, sizeof base);
        al_target a = external(r->ix, al_str_from(base), name);
        if (a.entry && (a.entry->facets & AL_CAT_ATTRIBUTE)) {
          // A typed attribute (`response.content`): go on from its value.
          t = instance_of_name(a.entry->returns);
          break;
        }
        return external(r->ix, al_str_from(base), rest);
      }
      t = class_attr(r, t.file, t.scope, name, true, &found);
      if (!found)
        return unknown();
      break;
    case AL_TARGET_CLASS:
      t = class_attr(r, t.file, t.scope, name, false, &found);
      if (!found)
        return unknown();
      break;
    default:
      return unknown();
    }
    rest = tail;
  }
  return t;
}

// The class whose method `scope` is (walking out of nested functions is not
// done: super() in a nested function is rare), or AL_NONE.
static uint32_t method_class(const al_facts *f, uint32_t scope) {
  if (scope == AL_NONE || scope >= f->scopes.len)
    return AL_NONE;
  const al_scope *s = &f->scopes.items[scope];
  if ((s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION) ||
      s->parent == AL_NONE || f->scopes.items[s->parent].kind != AL_SCOPE_CLASS)
    return AL_NONE;
  return s->parent;
}

static al_target resolve_ref(rctx *r, uint32_t file, uint32_t scope,
                             const al_ref *ref) {
  if (++r->depth > MAX_DEPTH)
    return unknown();
  switch ((al_ref_kind)ref->kind) {
  case AL_REF_DOTTED: {
    al_str rest;
    al_str root = split_first(ref->dotted, &rest);
    al_target t = resolve_name(r, file, scope, root);
    return follow_attrs(r, t, rest);
  }
  case AL_REF_ON_CALL: {
    if (ref->base_call == AL_NONE)
      return unknown();
    al_target v = call_value(r, file, ref->base_call);
    if (v.kind == AL_TARGET_UNKNOWN)
      return v;
    return follow_attrs(r, v, ref->dotted);
  }
  case AL_REF_SUPER: {
    const al_facts *f = facts_of(r->ix, file);
    uint32_t cls = method_class(f, scope);
    if (cls == AL_NONE)
      return unknown();
    al_str rest;
    al_str name = split_first(ref->dotted, &rest);
    const al_scope *c = &f->scopes.items[cls];
    for (uint32_t i = 0; i < c->n_bases; i++) {
      al_target b =
          resolve_ref(r, file, c->parent, &f->refs.items[c->first_base + i]);
      bool found = false;
      al_target t = unknown();
      if (b.kind == AL_TARGET_CLASS) {
        t = class_attr(r, b.file, b.scope, name, true, &found);
      } else if (b.kind == AL_TARGET_EXTERNAL &&
                 strncmp(b.qualname, "builtins.", 9) == 0) {
        continue;
      } else {
        return b.kind == AL_TARGET_EXTERNAL ? follow_attrs(r, b, ref->dotted)
                                            : unknown();
      }
      if (found)
        return follow_attrs(r, t, rest);
    }
    return unknown();
  }
  default:
    return unknown();
  }
}

static al_target resolve_callee(rctx *r, uint32_t file, uint32_t call) {
  const al_facts *f = facts_of(r->ix, file);
  if (call >= f->calls.len)
    return unknown();
  const al_call *c = &f->calls.items[call];
  return resolve_ref(r, file, c->scope, &c->callee);
}

// What a call gives back, when it is an instance of something known.
static al_target call_value(rctx *r, uint32_t file, uint32_t call) {
  al_target c = resolve_callee(r, file, call);
  switch (c.kind) {
  case AL_TARGET_CLASS:
    return tree_target(AL_TARGET_INSTANCE, c.file, c.scope);
  case AL_TARGET_EXTERNAL: {
    if (c.entry && (c.entry->facets & AL_CAT_RETURNS))
      return instance_of_name(c.entry->returns);
    // A library name spelled like a class (`httpx.AsyncClient`,
    // `asyncio.TaskGroup`): its instance, so the catalog can know its
    // methods.
    const char *last = strrchr(c.qualname, '.');
    last = last ? last + 1 : c.qualname;
    if (isupper((unsigned char)last[0]) &&
        strncmp(c.qualname, "builtins.", 9) != 0)
      return instance_of_name(al_str_from(c.qualname));
    return unknown();
  }
  case AL_TARGET_FUNCTION: {
    // A factory of the tree (`def make_pool(): return Pool(...)`): the
    // instance every return builds, when they agree.
    const al_facts *f = facts_of(r->ix, c.file);
    const al_scope *s = &f->scopes.items[c.scope];
    const file_index *fi = &r->ix->files[c.file];
    uint32_t nr = fi->ret_n[c.scope];
    if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
        s->n_decorators || nr == 0 || ++r->depth > MAX_DEPTH)
      return unknown();
    al_target result = unknown();
    for (uint32_t i = 0; i < nr; i++) {
      const al_return *ret =
          &f->returns.items[fi->ret_order[fi->ret_first[c.scope] + i]];
      if (ret->kind != AL_RET_CALL || ret->target == AL_NONE)
        return unknown();
      int saved = r->depth;
      al_target v = call_value(r, c.file, ret->target);
      r->depth = saved;
      if (v.kind != AL_TARGET_INSTANCE || (i > 0 && !same_target(&result, &v)))
        return unknown();
      result = v;
    }
    return result;
  }
  default:
    return unknown();
  }
}

// --- derived properties -----------------------------------------------------

static al_coro_kind coro_kind(rctx *r, al_target t);

// Whether a plain def of the tree returns a coroutine from every return:
// memoised at build time (MEMO_BUSY breaks cycles).
static bool returns_coroutine(rctx *r, uint32_t file, uint32_t scope) {
  const al_index *ix = r->ix;
  file_index *fi = &((al_index *)ix)->files[file];
  uint8_t m = fi->wrapper[scope];
  if (m == MEMO_YES)
    return true;
  if (m != MEMO_UNSET)
    return false;
  const al_facts *f = facts_of(ix, file);
  const al_scope *s = &f->scopes.items[scope];
  uint32_t nr = fi->ret_n[scope];
  if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      s->n_decorators || nr == 0 || r->depth > MAX_DEPTH) {
    fi->wrapper[scope] = MEMO_NO;
    return false;
  }
  fi->wrapper[scope] = MEMO_BUSY;
  bool yes = true;
  for (uint32_t i = 0; i < nr && yes; i++) {
    const al_return *ret =
        &f->returns.items[fi->ret_order[fi->ret_first[scope] + i]];
    if (ret->kind != AL_RET_CALL || ret->target == AL_NONE) {
      yes = false;
      break;
    }
    int saved = r->depth;
    r->depth++;
    al_target callee = resolve_callee(r, file, ret->target);
    yes = coro_kind(r, callee) != AL_CORO_NONE;
    r->depth = saved;
  }
  fi->wrapper[scope] = yes ? MEMO_YES : MEMO_NO;
  return yes;
}

// The nested function a decorator returns (`return wrapper`), if any.
static uint32_t returned_inner_function(rctx *r, uint32_t file,
                                        uint32_t scope) {
  const al_index *ix = r->ix;
  const file_index *fi = &ix->files[file];
  const al_facts *f = facts_of(ix, file);
  uint32_t nr = fi->ret_n[scope];
  uint32_t result = AL_NONE;
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret =
        &f->returns.items[fi->ret_order[fi->ret_first[scope] + i]];
    if (ret->kind != AL_RET_NAME)
      return AL_NONE;
    al_target t = resolve_ref(r, file, scope, &f->refs.items[ret->target]);
    if (t.kind != AL_TARGET_FUNCTION || t.file != file ||
        f->scopes.items[t.scope].parent != scope)
      return AL_NONE;
    if (result != AL_NONE && result != t.scope)
      return AL_NONE;
    result = t.scope;
  }
  return result;
}

// Whether every return of `scope` returns its own parameter `param`.
static bool returns_param(const al_index *ix, uint32_t file, uint32_t scope,
                          al_str param) {
  const file_index *fi = &ix->files[file];
  const al_facts *f = facts_of(ix, file);
  uint32_t nr = fi->ret_n[scope];
  if (nr == 0 || param.len == 0)
    return false;
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret =
        &f->returns.items[fi->ret_order[fi->ret_first[scope] + i]];
    if (ret->kind != AL_RET_NAME ||
        !al_str_eq(f->refs.items[ret->target].dotted, param))
      return false;
  }
  return true;
}

// How a plain-def wrapper (nested in a decorator whose parameter is `fn`)
// treats the coroutine fn(...) makes:
// - returned straight away (extra code before the call only): transparent;
// - returned from inside a try or with block, or bound to a name that is
//   returned after more code: a sync wrapper that does more (AL111);
// - anything else (handed to asyncio.run, dropped): opaque.
static al_deco_kind classify_wrapper(rctx *r, uint32_t file, uint32_t wrapper,
                                     al_str fn) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = &ix->files[file];
  uint32_t call = AL_NONE;
  for (uint32_t k = 0; k < fi->call_n[wrapper]; k++) {
    uint32_t i = fi->call_order[fi->call_first[wrapper] + k];
    const al_call *c = &f->calls.items[i];
    if (c->callee.kind == AL_REF_DOTTED && al_str_eq(c->callee.dotted, fn)) {
      call = i;
      break;
    }
  }
  if (call == AL_NONE)
    return AL_DECO_OPAQUE;
  const al_call *c = &f->calls.items[call];
  if (c->ctx == AL_CTX_RETURN)
    return c->flags & (AL_CALL_IN_TRY | AL_CALL_IN_WITH) ? AL_DECO_SYNC_WRAPPER
                                                         : AL_DECO_TRANSPARENT;
  if (c->ctx != AL_CTX_ASSIGN)
    return AL_DECO_OPAQUE;
  bool returned = false;
  for (uint32_t u = 0; u < f->uses.len; u++) {
    const al_use *use = &f->uses.items[u];
    const al_binding *b = &f->binds.items[use->binding];
    if (b->target != call || b->kind != AL_BIND_ASSIGN)
      continue;
    if (use->ctx == AL_CTX_RETURN) {
      returned = true;
    } else if (use->ctx == AL_CTX_AWAIT) {
      return AL_DECO_OPAQUE;
    } else if (use->ctx == AL_CTX_ARG && use->parent_call != AL_NONE) {
      // Handed to something that runs awaitables (asyncio.run,
      // run_until_complete, ensure_future): the wrapper runs it itself.
      // Anything else (a log call) only looks at the coroutine object: when
      // the wrapper also returns the coroutine, it did not run it.
      int saved = r->depth;
      al_target p = resolve_callee(r, file, use->parent_call);
      r->depth = saved;
      if (p.kind == AL_TARGET_EXTERNAL && p.entry &&
          (p.entry->facets & (AL_CAT_EXPECTS_AWAITABLE | AL_CAT_CALLS_SYNC |
                              AL_CAT_EXPECTS_CALLABLE)))
        return AL_DECO_OPAQUE;
    }
  }
  return returned ? AL_DECO_SYNC_WRAPPER : AL_DECO_OPAQUE;
}

// What a decorator function of the tree does to what it decorates.
static al_deco_kind classify_decorator(rctx *r, al_target d,
                                       al_target *wrapper) {
  if (d.kind != AL_TARGET_FUNCTION)
    return AL_DECO_OPAQUE;
  const al_facts *f = facts_of(r->ix, d.file);
  const al_scope *s = &f->scopes.items[d.scope];
  if (s->kind != AL_SCOPE_FUNCTION || s->first_param.len == 0)
    return AL_DECO_OPAQUE;
  al_str fn = s->first_param;
  if (returns_param(r->ix, d.file, d.scope, fn))
    return AL_DECO_TRANSPARENT; // a registration decorator
  uint32_t w = returned_inner_function(r, d.file, d.scope);
  if (w == AL_NONE)
    return AL_DECO_OPAQUE;
  const al_scope *ws = &f->scopes.items[w];
  if (ws->kind == AL_SCOPE_ASYNC_FUNCTION && !(ws->flags & AL_SCOPE_GENERATOR))
    return AL_DECO_TRANSPARENT;
  if (ws->kind != AL_SCOPE_FUNCTION)
    return AL_DECO_OPAQUE;
  al_deco_kind k = classify_wrapper(r, d.file, w, fn);
  if (k == AL_DECO_SYNC_WRAPPER && wrapper)
    *wrapper = tree_target(AL_TARGET_FUNCTION, d.file, w);
  return k;
}

static al_deco_kind decorator_kind(rctx *r, uint32_t file, uint32_t scope,
                                   uint32_t i, al_target *decorator,
                                   al_target *wrapper) {
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[scope];
  const al_ref *ref = &f->refs.items[s->first_decorator + i];
  al_target d;
  if (ref->kind == AL_REF_CALLED) {
    // A decorator factory: `@retry(3)`; transparent library ones are known
    // by name (functools.wraps), tree ones return the real decorator.
    al_ref plain = *ref;
    plain.kind = AL_REF_DOTTED;
    al_target fac = resolve_ref(r, file, s->parent, &plain);
    if (fac.kind == AL_TARGET_EXTERNAL) {
      if (decorator)
        *decorator = fac;
      return fac.entry && (fac.entry->facets & AL_CAT_TRANSPARENT_DECORATOR)
                 ? AL_DECO_TRANSPARENT
                 : AL_DECO_OPAQUE;
    }
    if (fac.kind != AL_TARGET_FUNCTION)
      return AL_DECO_OPAQUE;
    uint32_t inner = returned_inner_function(r, fac.file, fac.scope);
    if (inner == AL_NONE)
      return AL_DECO_OPAQUE;
    d = tree_target(AL_TARGET_FUNCTION, fac.file, inner);
  } else {
    d = resolve_ref(r, file, s->parent, ref);
  }
  if (decorator)
    *decorator = d;
  if (d.kind == AL_TARGET_EXTERNAL)
    return d.entry && (d.entry->facets & AL_CAT_TRANSPARENT_DECORATOR)
               ? AL_DECO_TRANSPARENT
               : AL_DECO_OPAQUE;
  return classify_decorator(r, d, wrapper);
}

static al_coro_kind coro_kind(rctx *r, al_target t) {
  if (t.kind == AL_TARGET_EXTERNAL)
    return t.entry && (t.entry->facets & AL_CAT_COROUTINE) ? AL_CORO_LIBRARY
                                                           : AL_CORO_NONE;
  if (t.kind != AL_TARGET_FUNCTION)
    return AL_CORO_NONE;
  const al_scope *s = scope_of(r->ix, t.file, t.scope);
  if (s->kind == AL_SCOPE_ASYNC_FUNCTION) {
    if (s->flags & AL_SCOPE_GENERATOR)
      return AL_CORO_NONE;
    for (uint32_t i = 0; i < s->n_decorators; i++) {
      int saved = r->depth;
      al_deco_kind k = decorator_kind(r, t.file, t.scope, i, NULL, NULL);
      r->depth = saved;
      if (k != AL_DECO_TRANSPARENT)
        return AL_CORO_NONE;
    }
    return AL_CORO_ASYNC;
  }
  if (s->kind == AL_SCOPE_FUNCTION && returns_coroutine(r, t.file, t.scope))
    return AL_CORO_WRAPPER;
  return AL_CORO_NONE;
}

// Fill the "returns a coroutine" memo of every plain function up front, so
// that resolution never writes during the (parallel) rules stage.
static void compute_wrappers(al_index *self) {
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    const al_facts *f = facts_of(self, file);
    if (!f)
      continue;
    for (uint32_t s = 0; s < f->scopes.len; s++) {
      if (f->scopes.items[s].kind != AL_SCOPE_FUNCTION)
        continue;
      rctx r = {self, 0};
      returns_coroutine(&r, file, s);
    }
    // Whatever a cycle left busy is settled as "no".
    for (uint32_t s = 0; s < f->scopes.len; s++)
      if (self->files[file].wrapper[s] != MEMO_YES)
        self->files[file].wrapper[s] = MEMO_NO;
  }
}

// --- public API -------------------------------------------------------------

al_target al_index_resolve(const al_index *self, uint32_t file, uint32_t scope,
                           const al_ref *ref) {
  rctx r = {self, 0};
  return resolve_ref(&r, file, scope, ref);
}

// Keep what compute_reaches resolved call's callee to, when kind, file and
// scope are all there is to it.
static void keep_callee(al_index *self, uint32_t file, uint32_t call,
                        const al_target *t) {
  if (t->entry || t->qualname[0])
    return;
  file_index *fi = &self->files[file];
  if (!fi->callee_kind) {
    uint32_t n = facts_of(self, file)->calls.len;
    fi->callee_kind = al_xmalloc(n);
    memset(fi->callee_kind, CALLEE_UNSET, n);
    fi->callee_at = al_xmalloc(n * sizeof *fi->callee_at);
  }
  fi->callee_kind[call] = (uint8_t)t->kind;
  fi->callee_at[call][0] = t->file;
  fi->callee_at[call][1] = t->scope;
}

al_target al_index_resolve_callee(const al_index *self, uint32_t file,
                                  uint32_t call) {
  const file_index *fi = &self->files[file];
  if (fi->callee_kind && call < facts_of(self, file)->calls.len &&
      fi->callee_kind[call] != CALLEE_UNSET)
    return tree_target((al_target_kind)fi->callee_kind[call],
                       fi->callee_at[call][0], fi->callee_at[call][1]);
  rctx r = {self, 0};
  return resolve_callee(&r, file, call);
}

al_target al_index_call_result(const al_index *self, uint32_t file,
                               uint32_t call) {
  rctx r = {self, 0};
  return call_value(&r, file, call);
}

al_coro_kind al_index_coroutine_kind(const al_index *self, al_target t) {
  rctx r = {self, 0};
  return coro_kind(&r, t);
}

bool al_index_is_coroutine_function(const al_index *self, al_target t) {
  return al_index_coroutine_kind(self, t) != AL_CORO_NONE;
}

bool al_index_returns_non_awaitable(const al_index *self, al_target t) {
  if (t.kind != AL_TARGET_FUNCTION)
    return false;
  const al_facts *f = facts_of(self, t.file);
  const al_scope *s = &f->scopes.items[t.scope];
  if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      s->n_decorators || (s->flags & AL_SCOPE_STUB))
    return false;
  const file_index *fi = &self->files[t.file];
  for (uint32_t i = 0; i < fi->ret_n[t.scope]; i++) {
    const al_return *ret =
        &f->returns.items[fi->ret_order[fi->ret_first[t.scope] + i]];
    if (ret->kind != AL_RET_NONE && ret->kind != AL_RET_LITERAL)
      return false;
  }
  return true;
}

al_deco_kind al_index_decorator_kind(const al_index *self, uint32_t file,
                                     uint32_t scope, uint32_t deco,
                                     al_target *decorator, al_target *wrapper) {
  const al_scope *s = scope_of(self, file, scope);
  if (deco >= s->n_decorators)
    return AL_DECO_OPAQUE;
  rctx r = {self, 0};
  return decorator_kind(&r, file, scope, deco, decorator, wrapper);
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

// --- protocols: with / for -------------------------------------------------

static void say(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t cap, const char *fmt, ...) {
  if (!why || !cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
}

static al_proto from_facets(const al_catalog_entry *e, bool is_for) {
  if (!e)
    return AL_PROTO_UNKNOWN;
  if (is_for) {
    if (e->facets & AL_CAT_ASYNC_ITERABLE)
      return AL_PROTO_ASYNC_ONLY;
    if (e->facets & AL_CAT_ITERABLE)
      return AL_PROTO_SYNC_ONLY;
  } else {
    if (e->facets & AL_CAT_ASYNC_CONTEXT_MANAGER)
      return AL_PROTO_ASYNC_ONLY;
    if (e->facets & AL_CAT_CONTEXT_MANAGER)
      return AL_PROTO_SYNC_ONLY;
  }
  return AL_PROTO_UNKNOWN;
}

// Whether a tree class (with its bases) defines method `name`; *unknown is
// set when a base outside the tree might.
static bool class_defines(rctx *r, uint32_t file, uint32_t cls,
                          const char *name, bool *unknown_base) {
  bool found = false;
  al_target t = class_attr(r, file, cls, al_str_from(name), false, &found);
  if (!found)
    return false;
  if (t.kind == AL_TARGET_FUNCTION)
    return true;
  *unknown_base = true;
  return false;
}

static al_proto class_protocol(rctx *r, uint32_t file, uint32_t cls,
                               bool is_for, char *why, size_t cap) {
  const char *a = is_for ? "__aiter__" : "__aenter__";
  const char *s = is_for ? "__iter__" : "__enter__";
  bool unknown_base = false;
  int saved = r->depth;
  bool has_a = class_defines(r, file, cls, a, &unknown_base);
  r->depth = saved;
  bool has_s = class_defines(r, file, cls, s, &unknown_base);
  r->depth = saved;
  if (is_for && !has_s)
    has_s = class_defines(r, file, cls, "__getitem__", &unknown_base);
  r->depth = saved;
  if (unknown_base)
    return AL_PROTO_UNKNOWN;
  const al_project_file *pf = &r->ix->project->files.items[file];
  const al_scope *c = &pf->facts->scopes.items[cls];
  if (has_a && !has_s) {
    say(why, cap, "'%.*s' (%s:%u) defines %s but not %s", (int)c->name.len,
        c->name.ptr, pf->path, al_facts_line(pf->facts, c->name_span), a, s);
    return AL_PROTO_ASYNC_ONLY;
  }
  if (has_s && !has_a) {
    say(why, cap, "'%.*s' (%s:%u) defines %s but not %s", (int)c->name.len,
        c->name.ptr, pf->path, al_facts_line(pf->facts, c->name_span), s, a);
    return AL_PROTO_SYNC_ONLY;
  }
  return has_a && has_s ? AL_PROTO_BOTH : AL_PROTO_UNKNOWN;
}

static al_proto value_protocol(rctx *r, al_target v, bool is_for, char *why,
                               size_t cap) {
  if (v.kind != AL_TARGET_INSTANCE)
    return AL_PROTO_UNKNOWN;
  if (v.file != AL_NONE)
    return class_protocol(r, v.file, v.scope, is_for, why, cap);
  al_proto p = from_facets(
      al_catalog_get(r->ix->catalog, al_str_from(v.qualname)), is_for);
  if (p == AL_PROTO_ASYNC_ONLY)
    say(why, cap, "'%s' is an %s", v.qualname,
        is_for ? "async iterable" : "async context manager");
  else if (p == AL_PROTO_SYNC_ONLY)
    say(why, cap, "'%s' is a sync-only %s", v.qualname,
        is_for ? "iterable" : "context manager");
  return p;
}

static uint32_t single_call_binding(const al_index *self, uint32_t file,
                                    uint32_t scope, al_str name);
static al_proto call_protocol(rctx *rp, uint32_t file, uint32_t call,
                              bool is_for, char *why, size_t cap);

al_proto al_index_block_protocol(const al_index *self, uint32_t file,
                                 uint32_t block, char *why, size_t cap) {
  const al_facts *f = facts_of(self, file);
  const al_block_site *b = &f->blocks.items[block];
  bool is_for = b->is_for;
  rctx r = {self, 0};
  if (why && cap)
    why[0] = 0;
  switch ((al_obj_kind)b->obj) {
  case AL_OBJ_LITERAL:
    if (!is_for)
      return AL_PROTO_UNKNOWN;
    say(why, cap, "a literal list, tuple, set, dict or string");
    return AL_PROTO_SYNC_ONLY;
  case AL_OBJ_NAME: {
    al_target v = resolve_ref(&r, file, b->scope, &b->ref);
    al_proto p = value_protocol(&r, v, is_for, why, cap);
    if (p != AL_PROTO_UNKNOWN || b->ref.kind != AL_REF_DOTTED)
      return p;
    // `gen = agen(); for x in gen:`: a local bound once, to a call, is
    // judged like that call.
    uint32_t call = single_call_binding(self, file, b->scope, b->ref.dotted);
    if (call == AL_NONE)
      return AL_PROTO_UNKNOWN;
    return call_protocol(&r, file, call, is_for, why, cap);
  }
  case AL_OBJ_CALL:
    if (b->call == AL_NONE)
      return AL_PROTO_UNKNOWN;
    return call_protocol(&r, file, b->call, is_for, why, cap);
  default:
    return AL_PROTO_UNKNOWN;
  }
}

// The call a name is bound to when its scope binds it exactly once, by an
// assignment from a call; else AL_NONE.
static uint32_t single_call_binding(const al_index *self, uint32_t file,
                                    uint32_t scope, al_str name) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = &self->files[file];
  uint32_t g;
  uint32_t n =
      find_group(f, fi->groups, fi->groups_mask, false, scope, name, &g);
  if (n != 1)
    return AL_NONE;
  const al_binding *bd = &f->binds.items[fi->order[g]];
  return bd->kind == AL_BIND_ASSIGN && bd->value_ref == AL_NONE ? bd->target
                                                                : AL_NONE;
}

static al_proto call_protocol(rctx *rp, uint32_t file, uint32_t call,
                              bool is_for, char *why, size_t cap) {
  const al_index *self = rp->ix;
  rctx r = {self, 0};
  {
    al_target t = resolve_callee(&r, file, call);
    if (t.kind == AL_TARGET_FUNCTION) {
      const al_facts *tf = facts_of(self, t.file);
      const al_scope *s = &tf->scopes.items[t.scope];
      const char *path = self->project->files.items[t.file].path;
      unsigned line = al_facts_line(tf, s->name_span);
      r.depth = 0;
      if (!is_for && has_decorator(&r, t.file, t.scope,
                                   "contextlib.asynccontextmanager")) {
        say(why, cap, "'%.*s' (%s:%u) is an @asynccontextmanager",
            (int)s->name.len, s->name.ptr, path, line);
        return AL_PROTO_ASYNC_ONLY;
      }
      r.depth = 0;
      if (!is_for &&
          has_decorator(&r, t.file, t.scope, "contextlib.contextmanager")) {
        say(why, cap, "'%.*s' (%s:%u) is a @contextmanager", (int)s->name.len,
            s->name.ptr, path, line);
        return AL_PROTO_SYNC_ONLY;
      }
      if (!is_for || s->n_decorators || !(s->flags & AL_SCOPE_GENERATOR))
        return AL_PROTO_UNKNOWN;
      if (s->kind == AL_SCOPE_ASYNC_FUNCTION) {
        say(why, cap, "'%.*s' (%s:%u) is an async generator function",
            (int)s->name.len, s->name.ptr, path, line);
        return AL_PROTO_ASYNC_ONLY;
      }
      if (s->kind == AL_SCOPE_FUNCTION) {
        say(why, cap, "'%.*s' (%s:%u) is a generator function",
            (int)s->name.len, s->name.ptr, path, line);
        return AL_PROTO_SYNC_ONLY;
      }
      return AL_PROTO_UNKNOWN;
    }
    if (t.kind == AL_TARGET_EXTERNAL) {
      al_proto p = from_facets(t.entry, is_for);
      if (p != AL_PROTO_UNKNOWN) {
        say(why, cap, "'%s' %s", t.qualname,
            p == AL_PROTO_ASYNC_ONLY
                ? (is_for ? "gives an async iterable"
                          : "gives an async context manager")
                : (is_for ? "gives a sync-only iterable"
                          : "gives a sync-only context manager"));
        return p;
      }
    }
    r.depth = 0;
    al_target v = call_value(&r, file, call);
    return value_protocol(&r, v, is_for, why, cap);
  }
}

// --- what plain helpers reach ---------------------------------------------

static bool argspec_has(const al_argspec *spec, const al_arg *a) {
  if (a->kind == AL_ARG_ELEMENT || a->kind == AL_ARG_STARRED)
    return false;
  if (a->index == AL_ARG_KEYWORD)
    return spec->keyword.len && al_str_eq(a->keyword, spec->keyword);
  return spec->all_positional ||
         (a->index < 32 && (spec->positions & (1u << a->index)));
}

static bool arg_matches(const al_catalog_entry *e, const al_arg *a) {
  if (!argspec_has(&e->unless_args, a))
    return false;
  switch (e->unless_cond) {
  case AL_UNLESS_FALSY:
    return (a->flags & AL_ARGF_FALSY) != 0;
  case AL_UNLESS_NAMES: {
    al_str t = a->kind == AL_ARG_REF ? a->ref.dotted : al_arg_text(a);
    for (size_t i = 0; i + e->unless_names.len <= t.len; i++)
      if (memcmp(t.ptr + i, e->unless_names.ptr, e->unless_names.len) == 0)
        return true;
    return false;
  }
  default:
    return true;
  }
}

// The receiver text of a method call ("sock." for `sock.connect(...)`,
// dot included), or an empty slice.
static al_str receiver_of(const al_call *c) {
  if (c->callee.kind != AL_REF_DOTTED)
    return (al_str){0};
  al_str d = c->callee.dotted;
  size_t dot = d.len;
  while (dot > 0 && d.ptr[dot - 1] != '.')
    dot--;
  return dot > 1 ? (al_str){d.ptr, dot} : (al_str){0};
}

// Whether call `other` is `<recv><method>(...)` exactly.
static bool is_method_call(const al_call *o, al_str recv, al_str method) {
  al_str d = o->callee.dotted;
  return o->callee.kind == AL_REF_DOTTED && d.len == recv.len + method.len &&
         memcmp(d.ptr, recv.ptr, recv.len) == 0 &&
         memcmp(d.ptr + recv.len, method.ptr, method.len) == 0;
}

bool al_index_call_blocks(const al_index *self, uint32_t file, uint32_t call,
                          const al_catalog_entry *e) {
  if (!e || !(e->facets & AL_CAT_BLOCKING))
    return false;
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[call];
  const file_index *fi = &self->files[file];
  if (e->facets & AL_CAT_BLOCKING_UNLESS) {
    // getaddrinfo(..., flags=AI_NUMERICHOST), lock.acquire(False)
    for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++)
      if (arg_matches(e, &f->args.items[i]))
        return false;
  }
  if (e->facets & AL_CAT_BLOCKING_IF) {
    // smtplib.SMTP() connects only when given a host.
    bool given = false;
    for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args && !given; i++)
      given = argspec_has(&e->if_args, &f->args.items[i]);
    if (!given)
      return false;
  }
  al_str recv = receiver_of(c);
  if (recv.len == 0)
    return true;
  // The receiver switched to non-blocking mode earlier in the same function
  // (`sock.setblocking(False)`, `sock.settimeout(0)`): returns at once.
  for (uint32_t i = 0; i < fi->n_nb_calls; i++) {
    uint32_t other = fi->nb_calls[i];
    const al_call *o = &f->calls.items[other];
    if (o->scope != c->scope || o->span.start_byte >= c->span.start_byte ||
        o->n_args == 0 || !(f->args.items[o->first_arg].flags & AL_ARGF_FALSY))
      continue;
    al_str od = o->callee.dotted;
    if (o->callee.kind != AL_REF_DOTTED || od.len <= recv.len ||
        memcmp(od.ptr, recv.ptr, recv.len) != 0 ||
        memchr(od.ptr + recv.len, '.', od.len - recv.len))
      continue;
    rctx r = {self, 0};
    al_target t = resolve_callee(&r, file, other);
    if (t.kind == AL_TARGET_EXTERNAL && t.entry &&
        (t.entry->facets & AL_CAT_MAKES_NONBLOCKING))
      return false;
  }
  // Polled until ready (`while thread.is_alive(): await ...` before
  // `thread.join()`; `while q.empty(): await ...` before `q.get()`).
  if (e->facets & AL_CAT_READY_WHEN) {
    for (uint32_t k = 0; k < fi->call_n[c->scope]; k++) {
      const al_call *o =
          &f->calls.items[fi->call_order[fi->call_first[c->scope] + k]];
      if (o->span.start_byte >= c->span.start_byte)
        break;
      if (!(o->flags & AL_CALL_WHILE_TEST) ||
          !is_method_call(o, recv, e->ready_pred))
        continue;
      // `while R.pred():` exits when pred is false; `while not R.pred():`
      // when it is true.
      bool exits_on = (o->flags & AL_CALL_NEGATED) != 0;
      if (exits_on == e->ready_value)
        return false;
    }
  }
  return true;
}

// Whether a catalog entry is an event of kind k.
static bool is_event(const al_catalog_entry *e, al_reach_kind k) {
  if (!e)
    return false;
  if (k == AL_REACH_LOOP_RUN)
    return (e->facets & AL_CAT_RUNS_EVENT_LOOP) != 0;
  // Blocking: the default-on direct blocking rules AL200-AL208.
  return (e->facets & AL_CAT_BLOCKING) && e->blocking_code &&
         strncmp(e->blocking_code, "AL20", 4) == 0 &&
         e->blocking_code[4] >= '0' && e->blocking_code[4] <= '8';
}

// A plain def of the tree whose body runs when called (not a generator).
static bool runs_when_called(const al_index *ix, al_target t) {
  if (t.kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *s = scope_of(ix, t.file, t.scope);
  return s->kind == AL_SCOPE_FUNCTION && !(s->flags & AL_SCOPE_GENERATOR);
}

// Memoised: which event kinds (bit k) plain function (file, scope) reaches
// through calls made in its own body (not nested defs or lambdas), any
// number of plain functions deep. All kinds are found in one pass, each
// callee resolved once. MEMO_BUSY breaks cycles (a function in a cycle sees
// the cycle's other members as reaching nothing yet).
// What plain helpers reach, for the whole tree at once and without
// recursion: resolve every call of every plain function once, note the
// events each makes directly and the plain functions it calls, then
// propagate the events backwards along the calls with a worklist. Linear in
// the calls; any chain length, any definition order, cycles included.
typedef struct {
  uint32_t caller; // global function id
  uint32_t call;   // the call, in the caller's file
} rev_edge;

static void compute_reaches(al_index *self) {
  uint32_t nfiles = self->project->files.len;
  uint32_t *base = al_xcalloc(nfiles + 1, sizeof(uint32_t));
  for (uint32_t file = 0; file < nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    base[file + 1] = base[file] + (f ? f->scopes.len : 0);
  }
  uint32_t total = base[nfiles];
  uint8_t *bits = al_xcalloc(total ? total : 1, 1);
  uint32_t *rev_first = al_xcalloc(total + 1, sizeof(uint32_t));
  al_vec(rev_edge) edges = {0};
  al_vec(uint32_t) callee = {0}; // parallel to edges: the called function
  al_vec(uint32_t) work = {0};
  // 1. Direct events and call edges.
  for (uint32_t file = 0; file < nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    if (!f)
      continue;
    file_index *fi = &self->files[file];
    for (uint32_t sc = 0; sc < f->scopes.len; sc++) {
      if (!runs_when_called(self, tree_target(AL_TARGET_FUNCTION, file, sc)))
        continue;
      uint32_t id = base[file] + sc;
      for (uint32_t i = 0; i < fi->call_n[sc]; i++) {
        uint32_t call = fi->call_order[fi->call_first[sc] + i];
        rctx r = {self, 0};
        al_target t = resolve_callee(&r, file, call);
        keep_callee(self, file, call, &t);
        unsigned here = 0;
        if (t.kind == AL_TARGET_EXTERNAL) {
          if (is_event(t.entry, AL_REACH_BLOCKING) &&
              al_index_call_blocks(self, file, call, t.entry))
            here |= 1u << AL_REACH_BLOCKING;
          // A loop run inside a helper's own loop may run zero times
          // (asyncpg's `for _ in range(timeout): run_until_complete(...)`
          // with timeout=0): only straight-line runs count through helpers.
          if (is_event(t.entry, AL_REACH_LOOP_RUN) &&
              !(f->calls.items[call].flags & AL_CALL_IN_LOOP))
            here |= 1u << AL_REACH_LOOP_RUN;
        } else if (runs_when_called(self, t)) {
          rev_edge e = {id, call};
          vec_push(&edges, e);
          vec_push(&callee, base[t.file] + t.scope);
        }
        for (int k = 0; k < AL_REACH_KINDS; k++)
          if ((here & (1u << k)) && !(bits[id] & (1u << k))) {
            bits[id] |= (uint8_t)(1u << k);
            fi->reach_hop[k][sc] = call; // the first such call
          }
      }
      if (bits[id])
        vec_push(&work, id);
    }
  }
  // 2. Reverse adjacency (counting sort by callee).
  for (uint32_t e = 0; e < edges.len; e++)
    rev_first[callee.items[e] + 1]++;
  for (uint32_t g = 0; g < total; g++)
    rev_first[g + 1] += rev_first[g];
  rev_edge *rev = al_xmalloc((edges.len ? edges.len : 1) * sizeof(rev_edge));
  uint32_t *fill = al_xcalloc(total ? total : 1, sizeof(uint32_t));
  for (uint32_t e = 0; e < edges.len; e++) {
    uint32_t g = callee.items[e];
    rev[rev_first[g] + fill[g]++] = edges.items[e];
  }
  // 3. Propagate: a caller learns each kind once, from the first callee
  // that gives it (so the hops never form a cycle).
  uint32_t *file_of = al_xmalloc((total ? total : 1) * sizeof(uint32_t));
  for (uint32_t file = 0; file < nfiles; file++)
    for (uint32_t g = base[file]; g < base[file + 1]; g++)
      file_of[g] = file;
  for (uint32_t head = 0; head < work.len; head++) {
    uint32_t g = work.items[head];
    for (uint32_t e = rev_first[g]; e < rev_first[g + 1]; e++) {
      uint32_t p = rev[e].caller;
      unsigned learn = bits[g] & ~bits[p];
      if (!learn)
        continue;
      uint32_t pf = file_of[p];
      for (int k = 0; k < AL_REACH_KINDS; k++)
        if (learn & (1u << k))
          self->files[pf].reach_hop[k][p - base[pf]] = rev[e].call;
      bits[p] |= (uint8_t)learn;
      vec_push(&work, p);
    }
  }
  // 4. The memo the rules read.
  for (uint32_t file = 0; file < nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    if (!f)
      continue;
    for (int k = 0; k < AL_REACH_KINDS; k++)
      for (uint32_t sc = 0; sc < f->scopes.len; sc++)
        self->files[file].reach[k][sc] =
            (bits[base[file] + sc] & (1u << k)) ? MEMO_YES : MEMO_NO;
  }
  free(file_of);
  free(fill);
  free(rev);
  vec_free(&work);
  vec_free(&callee);
  vec_free(&edges);
  free(rev_first);
  free(bits);
  free(base);
}

bool al_index_reaches(const al_index *self, al_target t, al_reach_kind k,
                      char *chain, size_t cap, const al_catalog_entry **event) {
  if (!runs_when_called(self, t) ||
      self->files[t.file].reach[k][t.scope] != MEMO_YES)
    return false;
  size_t o = 0;
  if (chain && cap)
    chain[0] = 0;
  // Follow the hops: helper (path:line) -> helper2 (path:line) -> event.
  for (int hops = 0; hops < 16; hops++) {
    const al_facts *f = facts_of(self, t.file);
    const al_scope *s = &f->scopes.items[t.scope];
    const char *path = self->project->files.items[t.file].path;
    if (chain && o < cap)
      o += (size_t)snprintf(chain + o, cap - o, "%s%.*s (%s:%u)",
                            hops ? " -> " : "", (int)s->name.len, s->name.ptr,
                            path, al_facts_line(f, s->name_span));
    uint32_t call = self->files[t.file].reach_hop[k][t.scope];
    rctx r = {self, 0};
    al_target next = resolve_callee(&r, t.file, call);
    if (next.kind == AL_TARGET_EXTERNAL) {
      if (event)
        *event = next.entry;
      if (chain && o < cap)
        snprintf(chain + o, cap - o, " -> %s", next.qualname);
      return true;
    }
    if (!runs_when_called(self, next) ||
        self->files[next.file].reach[k][next.scope] != MEMO_YES)
      return true; // the chain is cut here; still reached
    t = next;
  }
  if (chain && o < cap)
    snprintf(chain + o, cap - o, " -> ...");
  return true;
}

// Resolve every big group once, at build time (see BIG_GROUP): afterwards
// the memo is only read, so the rules may resolve from several threads.
static void memoise_big_groups(al_index *self) {
  uint8_t *big = NULL; // by order position: a big group starts there
  uint32_t cap = 0;
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    file_index *fi = &self->files[file];
    const al_facts *f = self->project->files.items[file].facts;
    if (!f || fi->n == 0)
      continue;
    fi->group_state = al_xcalloc(fi->n, 1);
    fi->group_slot = al_xcalloc(fi->n, sizeof(uint32_t));
  }
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    file_index *fi = &self->files[file];
    const al_facts *f = self->project->files.items[file].facts;
    if (!f || !fi->group_state || !fi->groups)
      continue;
    // The big groups, from the group table's slots, then resolved in
    // document order (the order of their first binding).
    if (fi->n > cap) {
      free(big);
      cap = fi->n;
      big = al_xmalloc(cap);
    }
    memset(big, 0, fi->n);
    bool any = false;
    for (uint32_t h = 0; h <= fi->groups_mask; h++)
      if (fi->groups[h].n >= BIG_GROUP) {
        big[fi->groups[h].first] = 1;
        any = true;
      }
    for (uint32_t g = 0; any && g < fi->n; g++) {
      if (!big[g] || fi->group_state[g] != MEMO_UNSET)
        continue;
      const al_binding *b = &f->binds.items[fi->order[g]];
      rctx r = {self, 0};
      bool found, global;
      resolve_in_scope(&r, file, b->scope, b->name, &found, &global);
    }
  }
  free(big);
}
