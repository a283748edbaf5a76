// SPDX-License-Identifier: MIT
/*
 * The part of the index one file's facts alone determine: its bindings
 * sorted by (scope, name) with a hash table of the groups of one name in
 * one scope, its instance attributes (`self.x = ...`) sorted and hashed by
 * (class, name), and its returns and calls grouped by scope. The extraction
 * workers make it (al_index_prepare_file) right after extracting a file, in
 * parallel, so al_index_build does not. It resolves nothing and reads no
 * other file: the memo tables the build fills are only allocated here.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/store.h"
#include "model/index_p.h"

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

// A run of keys in cmp_key order: insertion sort when short (a scope's
// names are mostly few), else qsort.
static void sort_run(sort_key *k, uint32_t n) {
  if (n > 24) {
    qsort(k, n, sizeof *k, cmp_key);
    return;
  }
  for (uint32_t i = 1; i < n; i++) {
    sort_key t = k[i];
    uint32_t j = i;
    while (j > 0 && cmp_key(&k[j - 1], &t) > 0) {
      k[j] = k[j - 1];
      j--;
    }
    k[j] = t;
  }
}

// keys in cmp_key order: a counting sort by scope (scopes of n_scopes
// and beyond share a last bucket), then each scope's run by name. The
// same order as one qsort (the keys are distinct), in far fewer
// comparisons: most runs are short.
static void sort_keys(sort_key *keys, uint32_t n, uint32_t n_scopes) {
  if (n < 2)
    return;
  uint32_t nb = n_scopes + 1;
  uint32_t *start = al_xcalloc((size_t)nb + 1, sizeof *start);
  for (uint32_t i = 0; i < n; i++)
    start[(keys[i].scope < n_scopes ? keys[i].scope : n_scopes) + 1]++;
  for (uint32_t b = 0; b < nb; b++)
    start[b + 1] += start[b];
  sort_key *tmp = al_xmalloc((size_t)n * sizeof *tmp);
  uint32_t *fill = al_xmalloc((size_t)nb * sizeof *fill);
  memcpy(fill, start, (size_t)nb * sizeof *fill);
  for (uint32_t i = 0; i < n; i++)
    tmp[fill[keys[i].scope < n_scopes ? keys[i].scope : n_scopes]++] = keys[i];
  memcpy(keys, tmp, (size_t)n * sizeof *keys);
  for (uint32_t b = 0; b < nb; b++)
    sort_run(keys + start[b], start[b + 1] - start[b]);
  free(fill);
  free(tmp);
  free(start);
}

static void sort_bindings(file_index *fi, const al_facts *f) {
  uint32_t n = f->binds.len;
  sort_key *keys = al_xmalloc((n ? n : 1) * sizeof(sort_key));
  sort_key *akeys = al_xmalloc((n ? n : 1) * sizeof(sort_key));
  uint32_t na = 0, nl = 0;
  for (uint32_t b = 0; b < n; b++) {
    const al_binding *bd = &f->binds.items[b];
    // `self.x = v` binds an attribute of the class, not the method's x.
    if (bd->kind == AL_BIND_ATTR)
      akeys[na++] = (sort_key){f->scopes.items[bd->scope].parent, bd->name, b};
    else
      keys[nl++] = (sort_key){bd->scope, bd->name, b};
  }
  n = nl;
  sort_keys(keys, n, f->scopes.len);
  sort_keys(akeys, na, f->scopes.len);
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

// Group n sites by scope (a counting sort, so source order stays inside a
// scope). Site i is the record at items + i * stride; its scope the
// uint32_t `offset` bytes into it (the `scope` field of the facts' records).
static scope_runs group_by_scope(uint32_t n_scopes, const void *items,
                                 size_t stride, size_t offset, uint32_t n) {
  uint32_t ns = n_scopes ? n_scopes : 1;
  scope_runs runs = {long_array(ns, sizeof(uint32_t)),
                     long_array(ns, sizeof(uint32_t)),
                     long_array(n, sizeof(uint32_t))};
#define SCOPE_OF(i)                                                            \
  (*(const uint32_t *)((const uint8_t *)items + (size_t)(i)*stride + offset))
  for (uint32_t i = 0; i < n; i++)
    runs.n[SCOPE_OF(i)]++;
  uint32_t sum = 0;
  for (uint32_t s = 0; s < n_scopes; s++) {
    runs.first[s] = sum;
    sum += runs.n[s];
  }
  uint32_t *fill = al_xcalloc(ns, sizeof(uint32_t));
  for (uint32_t i = 0; i < n; i++) {
    uint32_t s = SCOPE_OF(i);
    runs.order[runs.first[s] + fill[s]++] = i;
  }
#undef SCOPE_OF
  free(fill);
  return runs;
}

// group_by_scope over a facts vector whose records have a `scope` field.
#define GROUP_BY_SCOPE(f, vec, type)                                           \
  group_by_scope((f)->scopes.len, (f)->vec.items, sizeof(type),                \
                 offsetof(type, scope), (f)->vec.len)

void al_index__prepare(file_index *fi, const al_facts *f) {
  sort_bindings(fi, f);
  fi->rets = GROUP_BY_SCOPE(f, returns, al_return);
  fi->calls = GROUP_BY_SCOPE(f, calls, al_call);
  uint32_t ns = f->scopes.len ? f->scopes.len : 1;
  fi->memo.wrapper = long_array(ns, 1);
  fi->memo.reach_cond = NULL; // filled by al_index__compute_reaches
  for (int k = 0; k < AL_REACH_KINDS; k++) {
    fi->memo.reach[k] = long_array(ns, 1);
    fi->memo.reach_hop[k] = long_array(ns, sizeof(uint32_t));
  }
  // The annotation of each binding and each function's return, when the
  // file has any (roots only; a later root of one owner wins).
  if (f->annots.len) {
    fi->bind_annot =
        long_array(f->binds.len ? f->binds.len : 1, sizeof(uint32_t));
    fi->ret_annot = long_array(ns, sizeof(uint32_t));
    memset(fi->bind_annot, 0xFF, (f->binds.len ? f->binds.len : 1) * 4u);
    memset(fi->ret_annot, 0xFF, ns * 4u);
    for (uint32_t a = 0; a < f->annots.len; a += f->annots.items[a].n + 1) {
      const al_annot *an = &f->annots.items[a];
      if (an->role == AL_ANNOT_RETURN)
        fi->ret_annot[an->owner] = a;
      else if (an->role != AL_ANNOT_CHILD)
        fi->bind_annot[an->owner] = a;
    }
  }
  for (uint32_t k = 0; k < f->blocks.len; k++)
    if (f->blocks.items[k].target.len)
      fi->comp_targets = true;
  if (fi->comp_targets)
    fi->comp_blocks = GROUP_BY_SCOPE(f, blocks, al_block_site);
  for (uint32_t k = 0; k < f->imports.len; k++) {
    const al_import *im = &f->imports.items[k];
    if ((al_str_eq(im->name, al_str_from("Awaitable")) ||
         al_str_eq(im->name, al_str_from("Coroutine"))) &&
        !al_str_eq(im->name, im->local))
      fi->awaitable_alias = true;
  }
  for (uint32_t k = 0; k < f->imports.len; k++)
    if ((f->imports.items[k].flags & AL_IMPORT_STAR) &&
        f->imports.items[k].scope == 0)
      fi->star_import = true;
}

static void free_runs(scope_runs *runs) {
  al_long_free(runs->first);
  al_long_free(runs->n);
  al_long_free(runs->order);
}

void al_index__free_file(file_index *fi) {
  al_long_free(fi->order);
  al_long_free(fi->attrs);
  al_long_free(fi->groups);
  al_long_free(fi->attr_groups);
  al_long_free(fi->bind_annot);
  al_long_free(fi->ret_annot);
  free_runs(&fi->rets);
  free_runs(&fi->calls);
  free_runs(&fi->comp_blocks);
  free(fi->nb_calls);
  file_memo *m = &fi->memo;
  al_long_free(m->wrapper);
  free(m->group_state);
  free(m->group_slot);
  vec_free(&m->group_val);
  vec_free(&m->group_global);
  free(m->callee_kind);
  free(m->callee_at);
  free(m->reach_cond);
  for (int k = 0; k < AL_REACH_KINDS; k++) {
    al_long_free(m->reach[k]);
    al_long_free(m->reach_hop[k]);
  }
}

al_index_file *al_index_prepare_file(const al_facts *facts) {
  file_index *fi = al_long_alloc(sizeof *fi);
  al_index__prepare(fi, facts);
  return fi;
}
