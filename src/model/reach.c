// SPDX-License-Identifier: MIT
/*
 * What plain helpers reach over the call graph. Whether one call of a
 * blocking catalog entry really blocks (al_index_call_blocks: arguments of
 * `blocking-unless`/`blocking-if`, a receiver switched to non-blocking
 * mode, a `ready-when` poll before it), and, computed once for the whole
 * tree at build time, which events (blocking calls that count through
 * helpers, event-loop runs) each plain function of the tree reaches through
 * the calls its body makes, with the first hop of a chain to report. It
 * knows no rule code: the catalog's facets say what an event is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/index_p.h"

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

// Whether the arguments of call c say that e does not block there:
// `blocking-unless` (getaddrinfo(..., flags=AI_NUMERICHOST),
// lock.acquire(False)), `blocking-if` (smtplib.SMTP() connects only when
// given a host).
static bool args_unblock(const al_facts *f, const al_call *c,
                         const al_catalog_entry *e) {
  if (e->facets & AL_CAT_BLOCKING_UNLESS)
    for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++)
      if (arg_matches(e, &f->args.items[i]))
        return true;
  if (e->facets & AL_CAT_BLOCKING_IF) {
    bool given = false;
    for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args && !given; i++)
      given = argspec_has(&e->if_args, &f->args.items[i]);
    if (!given)
      return true;
  }
  return false;
}

// Whether receiver recv of call c was switched to non-blocking mode earlier
// in the same function (`sock.setblocking(False)`, `sock.settimeout(0)`),
// so that c returns at once.
static bool made_nonblocking(const al_index *self, uint32_t file,
                             const al_call *c, al_str recv) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = &self->files[file];
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
    rctx r = {self, NULL, 0};
    al_target t = al_index__resolve_callee(&r, file, other);
    if (t.kind == AL_TARGET_EXTERNAL && t.entry &&
        (t.entry->facets & AL_CAT_MAKES_NONBLOCKING))
      return true;
  }
  return false;
}

// Whether receiver recv of call c was polled until ready earlier in the
// function (`while thread.is_alive(): await ...` before `thread.join()`;
// `while q.empty(): await ...` before `q.get()`).
static bool polled_ready(const al_facts *f, const file_index *fi,
                         const al_call *c, al_str recv,
                         const al_catalog_entry *e) {
  for (uint32_t k = 0; k < fi->calls.n[c->scope]; k++) {
    const al_call *o = &f->calls.items[run_at(&fi->calls, c->scope, k)];
    if (o->span.start_byte >= c->span.start_byte)
      break;
    if (!(o->flags & AL_CALL_WHILE_TEST) ||
        !is_method_call(o, recv, e->ready_pred))
      continue;
    // `while R.pred():` exits when pred is false; `while not R.pred():`
    // when it is true.
    bool exits_on = (o->flags & AL_CALL_NEGATED) != 0;
    if (exits_on == e->ready_value)
      return true;
  }
  return false;
}

bool al_index_call_blocks(const al_index *self, uint32_t file, uint32_t call,
                          const al_catalog_entry *e) {
  if (!e || !(e->facets & AL_CAT_BLOCKING))
    return false;
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[call];
  if (args_unblock(f, c, e))
    return false;
  // Socket I/O in a try that handles BlockingIOError: a non-blocking socket.
  if ((c->flags & AL_CALL_TRY_WOULD_BLOCK) && e->blocking_code &&
      strcmp(e->blocking_code, "AL205") == 0)
    return false;
  al_str recv = receiver_of(c);
  if (recv.len == 0)
    return true;
  if (made_nonblocking(self, file, c, recv))
    return false;
  return !((e->facets & AL_CAT_READY_WHEN) &&
           polled_ready(f, &self->files[file], c, recv, e));
}

// The calls whose method name is one of the catalog's makes-nonblocking
// methods (`sock.setblocking(...)`): few, so al_index_call_blocks looks at
// them alone instead of every call of a scope.
void al_index__find_nonblocking_calls(al_index *self) {
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

// Keep what the reach step resolved call's callee to, when kind, file and
// scope are all there is to it (al_index_resolve_callee reads it).
static void keep_callee(al_index *self, uint32_t file, uint32_t call,
                        const al_target *t) {
  if (t->entry || t->qualname[0])
    return;
  file_memo *m = &self->files[file].memo;
  if (!m->callee_kind) {
    uint32_t n = facts_of(self, file)->calls.len;
    m->callee_kind = al_xmalloc(n);
    memset(m->callee_kind, CALLEE_UNSET, n);
    m->callee_at = al_xmalloc(n * sizeof *m->callee_at);
  }
  m->callee_kind[call] = (uint8_t)t->kind;
  m->callee_at[call][0] = t->file;
  m->callee_at[call][1] = t->scope;
}

// Whether a catalog entry is an event of kind k.
static bool is_event(const al_catalog_entry *e, al_reach_kind k) {
  if (!e)
    return false;
  if (k == AL_REACH_LOOP_RUN)
    return (e->facets & AL_CAT_RUNS_EVENT_LOOP) != 0;
  return (e->facets & AL_CAT_BLOCKING) && !(e->facets & AL_CAT_DIRECT_ONLY);
}

// A plain def of the tree whose body runs when called (not a generator).
static bool runs_when_called(const al_index *ix, al_target t) {
  if (t.kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *s = scope_of(ix, t.file, t.scope);
  return s->kind == AL_SCOPE_FUNCTION && !(s->flags & AL_SCOPE_GENERATOR);
}

// What plain helpers reach is found for the whole tree at once and without
// recursion: resolve every call of every plain function once, note the
// events each makes directly and the plain functions it calls, then
// propagate the events backwards along the calls with a worklist. Linear in
// the calls; any chain length, any definition order, cycles included.

typedef struct {
  uint32_t caller; // global function id
  uint32_t call;   // the call, in the caller's file
} rev_edge;

// The tree's scopes numbered globally (scope s of file f is base[f] + s)
// and what the propagation knows of each.
typedef struct {
  uint32_t nfiles, total;
  uint32_t *base;    // by file, and one past the last: the first id
  uint32_t *file_of; // by id: the file
  uint8_t *bits;     // by id: the event kinds it reaches (bit k)
  al_vec(rev_edge) edges;
  al_vec(uint32_t) callee; // parallel to edges: the called function's id
  al_vec(uint32_t) work;   // ids whose bits grew: their callers may learn
} call_graph;

static void graph_init(call_graph *g, const al_index *self) {
  *g = (call_graph){0};
  g->nfiles = self->project->files.len;
  g->base = al_xcalloc(g->nfiles + 1, sizeof(uint32_t));
  for (uint32_t file = 0; file < g->nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    g->base[file + 1] = g->base[file] + (f ? f->scopes.len : 0);
  }
  g->total = g->base[g->nfiles];
  g->bits = al_xcalloc(g->total ? g->total : 1, 1);
  g->file_of = al_xmalloc((g->total ? g->total : 1) * sizeof(uint32_t));
  for (uint32_t file = 0; file < g->nfiles; file++)
    for (uint32_t id = g->base[file]; id < g->base[file + 1]; id++)
      g->file_of[id] = file;
}

static void graph_free(call_graph *g) {
  vec_free(&g->work);
  vec_free(&g->callee);
  vec_free(&g->edges);
  free(g->file_of);
  free(g->bits);
  free(g->base);
}

// The events plain function sc of file makes directly, and its calls of
// other plain functions (edges).
static void scan_function(al_index *self, call_graph *g, uint32_t file,
                          uint32_t sc) {
  const al_facts *f = facts_of(self, file);
  file_index *fi = &self->files[file];
  uint32_t id = g->base[file] + sc;
  for (uint32_t i = 0; i < fi->calls.n[sc]; i++) {
    uint32_t call = run_at(&fi->calls, sc, i);
    rctx r = {self, self, 0};
    al_target t = al_index__resolve_callee(&r, file, call);
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
      vec_push(&g->edges, e);
      vec_push(&g->callee, g->base[t.file] + t.scope);
    }
    for (int k = 0; k < AL_REACH_KINDS; k++)
      if ((here & (1u << k)) && !(g->bits[id] & (1u << k))) {
        g->bits[id] |= (uint8_t)(1u << k);
        fi->memo.reach_hop[k][sc] = call; // the first such call
      }
  }
  if (g->bits[id])
    vec_push(&g->work, id);
}

// Propagate the events backwards along the edges: a caller learns each kind
// once, from the first callee that gives it (so the hops never form a
// cycle).
static void propagate(al_index *self, call_graph *g) {
  // The reverse adjacency: a counting sort of the edges by callee.
  uint32_t *rev_first = al_xcalloc(g->total + 1, sizeof(uint32_t));
  for (uint32_t e = 0; e < g->edges.len; e++)
    rev_first[g->callee.items[e] + 1]++;
  for (uint32_t id = 0; id < g->total; id++)
    rev_first[id + 1] += rev_first[id];
  rev_edge *rev =
      al_xmalloc((g->edges.len ? g->edges.len : 1) * sizeof(rev_edge));
  uint32_t *fill = al_xcalloc(g->total ? g->total : 1, sizeof(uint32_t));
  for (uint32_t e = 0; e < g->edges.len; e++) {
    uint32_t id = g->callee.items[e];
    rev[rev_first[id] + fill[id]++] = g->edges.items[e];
  }
  for (uint32_t head = 0; head < g->work.len; head++) {
    uint32_t id = g->work.items[head];
    for (uint32_t e = rev_first[id]; e < rev_first[id + 1]; e++) {
      uint32_t p = rev[e].caller;
      unsigned learn = g->bits[id] & ~g->bits[p];
      if (!learn)
        continue;
      uint32_t pf = g->file_of[p];
      for (int k = 0; k < AL_REACH_KINDS; k++)
        if (learn & (1u << k))
          self->files[pf].memo.reach_hop[k][p - g->base[pf]] = rev[e].call;
      g->bits[p] |= (uint8_t)learn;
      vec_push(&g->work, p);
    }
  }
  free(fill);
  free(rev);
  free(rev_first);
}

void al_index__compute_reaches(al_index *self) {
  call_graph g;
  graph_init(&g, self);
  for (uint32_t file = 0; file < g.nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    for (uint32_t sc = 0; f && sc < f->scopes.len; sc++)
      if (runs_when_called(self, tree_target(AL_TARGET_FUNCTION, file, sc)))
        scan_function(self, &g, file, sc);
  }
  propagate(self, &g);
  // The memo the rules read.
  for (uint32_t file = 0; file < g.nfiles; file++) {
    const al_facts *f = facts_of(self, file);
    for (int k = 0; f && k < AL_REACH_KINDS; k++)
      for (uint32_t sc = 0; sc < f->scopes.len; sc++)
        self->files[file].memo.reach[k][sc] =
            (g.bits[g.base[file] + sc] & (1u << k)) ? MEMO_YES : MEMO_NO;
  }
  graph_free(&g);
}

bool al_index_reaches(const al_index *self, al_target t, al_reach_kind k,
                      char *chain, size_t cap, const al_catalog_entry **event) {
  if (!runs_when_called(self, t) ||
      self->files[t.file].memo.reach[k][t.scope] != MEMO_YES)
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
    uint32_t call = self->files[t.file].memo.reach_hop[k][t.scope];
    rctx r = {self, NULL, 0};
    al_target next = al_index__resolve_callee(&r, t.file, call);
    if (next.kind == AL_TARGET_EXTERNAL) {
      if (event)
        *event = next.entry;
      if (chain && o < cap)
        snprintf(chain + o, cap - o, " -> %s", next.qualname);
      return true;
    }
    if (!runs_when_called(self, next) ||
        self->files[next.file].memo.reach[k][next.scope] != MEMO_YES)
      return true; // the chain is cut here; still reached
    t = next;
  }
  if (chain && o < cap)
    snprintf(chain + o, cap - o, " -> ...");
  return true;
}
