// SPDX-License-Identifier: MIT
/*
 * The language server's re-checks of the files whose results can change
 * (recheck.h), from the previous check in memory.
 */
#include "cli/recheck.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"

static bool text_changed(const al_facts *was, const al_facts *is) {
  return !was || !is || was->unreadable || is->unreadable ||
         was->text_hash != is->text_hash || was->text_len != is->text_len;
}

// The same config files and environment, the same files (paths, in
// order; library files with the same text too) under the same module
// names.
static bool same_files(const al_run_result *prev, const al_run_result *out) {
  uint32_t n = out->project.n_linted, all = out->project.files.len;
  if (prev->config_hash != out->config_hash ||
      prev->n_python_path != out->n_python_path ||
      prev->project.n_linted != n || prev->project.files.len != all ||
      !prev->index || !out->index)
    return false;
  for (uint32_t i = 0; i < prev->n_python_path; i++)
    if (strcmp(prev->python_path[i], out->python_path[i]) != 0)
      return false;
  for (uint32_t i = 0; i < all; i++) {
    const al_project_file *a = &prev->project.files.items[i],
                          *b = &out->project.files.items[i];
    if (strcmp(a->path, b->path) != 0 ||
        (i >= n && text_changed(a->facts, b->facts)))
      return false;
  }
  uint32_t a, b;
  const al_index_name *x = al_index_names(prev->index, &a);
  const al_index_name *y = al_index_names(out->index, &b);
  if (a != b)
    return false;
  for (uint32_t i = 0; i < a; i++)
    if (x[i].file != y[i].file || strcmp(x[i].name, y[i].name) != 0)
      return false;
  return true;
}

// Calls of `name` (the callee's last dotted part) in f.
static uint32_t calls_of(const al_facts *f, al_str name) {
  uint32_t n = 0;
  for (uint32_t k = 0; f && k < f->calls.len; k++) {
    n += al_str_eq(name, al_deps_call_name(&f->calls.items[k]));
  }
  return n;
}

bool *al_recheck_affected(al_run_result *prev, const al_run_result *out,
                          const al_deps *now) {
  if (!prev || !prev->deps || !same_files(prev, out))
    return NULL;
  uint32_t n = out->project.n_linted;
  bool *check = al_xcalloc(n ? n : 1, sizeof *check);
  bool *changed = al_xcalloc(n ? n : 1, sizeof *changed);
  for (uint32_t i = 0; i < n; i++)
    check[i] = changed[i] = text_changed(prev->project.files.items[i].facts,
                                         out->project.files.items[i].facts);
  // A new call of a watched name in a changed file: its watchers too.
  uint32_t nw;
  const al_deps_watch_entry *w = al_deps_watches(now, &nw);
  for (uint32_t k = 0; k < nw; k++)
    for (uint32_t i = 0; i < n && w[k].file < n && !check[w[k].file]; i++)
      if (changed[i] &&
          calls_of(out->project.files.items[i].facts, w[k].name) >
              calls_of(prev->project.files.items[i].facts, w[k].name))
        check[w[k].file] = true;
  free(changed);
  // Everything depending on a file to check, transitively (the previous
  // check's dependencies).
  uint32_t *first = al_xmalloc(((size_t)n + 1) * sizeof *first);
  al_vec(uint32_t) to = {0};
  for (uint32_t i = 0; i < n; i++) {
    first[i] = to.len;
    uint32_t k;
    const uint32_t *d = al_deps_of(prev->deps, i, n, &k);
    for (uint32_t e = 0; e < k; e++)
      vec_push(&to, d[e]);
  }
  first[n] = to.len;
  al_deps_mark_dependants(n, first, to.items, check);
  free(first);
  vec_free(&to);
  return check;
}

void al_recheck_restore(const al_run_result *prev, uint32_t file,
                        al_diag_list *into, al_arena *arena) {
  const al_diag_list *l = &prev->diags;
  for (uint32_t k = 0; k < l->len; k++) {
    if (l->items[k].file != file)
      continue;
    al_diag d = l->items[k];
    d.message = al_arena_strndup(arena, d.message, strlen(d.message));
    d.fix = al_fix_copy(arena, d.fix);
    vec_push(into, d);
  }
}

void al_recheck_carry(al_run_result *prev, const bool *check, uint32_t n,
                      al_deps *now) {
  for (uint32_t i = 0; check && i < n; i++) {
    if (check[i])
      continue;
    uint32_t k;
    const uint32_t *d = al_deps_of(prev->deps, i, n, &k);
    for (uint32_t e = 0; e < k; e++)
      al_deps_add(now, i, d[e]);
  }
}
