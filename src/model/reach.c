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
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/store.h"
#include "model/index_p.h"

// A starred argument (*args) may or may not fill the position: never one.
static bool argspec_has(const al_argspec *spec, const al_arg *a) {
  return a->kind != AL_ARG_STARRED && al_argspec_has(spec, a);
}

// Whether argument a is one of spec's and meets cond (AL_UNLESS_*).
static bool arg_matches(const al_argspec *spec, uint8_t cond, al_str names,
                        const al_arg *a) {
  if (!argspec_has(spec, a))
    return false;
  switch (cond) {
  case AL_UNLESS_FALSY:
    return (a->flags & AL_ARGF_FALSY) != 0;
  case AL_UNLESS_NAMES: {
    al_str t = a->kind == AL_ARG_REF ? a->ref.dotted : al_arg_text(a);
    for (size_t i = 0; i + names.len <= t.len; i++)
      if (memcmp(t.ptr + i, names.ptr, names.len) == 0)
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
      if (arg_matches(&e->unless_args, e->unless_cond, e->unless_names,
                      &f->args.items[i]))
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

al_str al_index__file_class(const al_index *self, uint32_t file, uint32_t call,
                            const al_catalog_entry *e) {
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[call];
  const al_arg *mode = NULL;
  uint32_t mode_pos = 0;
  for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++) {
    const al_arg *a = &f->args.items[i];
    if (a->kind == AL_ARG_STARRED)
      return (al_str){0};
    if (argspec_has(&e->mode_args, a)) {
      mode = a;
      mode_pos = a->index;
    }
  }
  if (!mode)
    return AL_STR_LIT("io.TextIOWrapper"); // "r", the default
  if (!(mode->flags & AL_ARGF_MODE))
    return (al_str){0};
  if (!(mode->flags & AL_ARGF_MODE_BINARY))
    return AL_STR_LIT("io.TextIOWrapper");
  // Unbuffered binary files (buffering=0, the argument after the mode) are
  // io.FileIO: not one of the classes below.
  for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++) {
    const al_arg *a = &f->args.items[i];
    if ((a->index == AL_ARG_KEYWORD
             ? al_str_eq_c(a->keyword, "buffering")
             : mode->index != AL_ARG_KEYWORD && a->index == mode_pos + 1) &&
        (a->kind != AL_ARG_LITERAL || (a->flags & AL_ARGF_FALSY)))
      return (al_str){0};
  }
  if (mode->flags & AL_ARGF_MODE_UPDATE)
    return AL_STR_LIT("io.BufferedRandom");
  return mode->flags & AL_ARGF_MODE_READ ? AL_STR_LIT("io.BufferedReader")
                                         : AL_STR_LIT("io.BufferedWriter");
}

// Whether receiver recv of call c was switched to non-blocking mode earlier
// in the same function (`sock.setblocking(False)`, `sock.settimeout(0)`),
// so that c returns at once.
static bool made_nonblocking(const al_index *self, uint32_t file,
                             const al_call *c, al_str recv) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
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
    rctx r = {.ix = self, .build = NULL};
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

// Whether binding b is `NAME = call(...)` or `with call(...) as NAME`
// (self.NAME too), and which call.
static uint32_t made_by_call(const al_binding *b) {
  if ((b->kind == AL_BIND_ASSIGN || b->kind == AL_BIND_ATTR) &&
      b->value_ref == AL_NONE)
    return b->target;
  return b->kind == AL_BIND_WITH ? b->target : AL_NONE;
}

uint32_t al_index_receiver_makers(const al_index *self, uint32_t file,
                                  uint32_t call, bool attrs, uint32_t *makers,
                                  uint32_t cap) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
  const al_call *c = &f->calls.items[call];
  al_str recv = receiver_of(c);
  if (recv.len < 2)
    return 0;
  al_str name = {recv.ptr, recv.len - 1};
  const char *dot = memchr(name.ptr, '.', name.len);
  const uint32_t *bind_ids;
  uint32_t first, n;
  if (!dot) {
    n = find_group(f, fi->groups, fi->groups_mask, false, c->scope, name,
                   &first);
    bind_ids = fi->order;
  } else {
    // `self.x.method()` in a method: what every `self.x = ...` of the
    // class (in this file) made.
    const al_scope *s = &f->scopes.items[c->scope];
    al_str root = {name.ptr, (size_t)(dot - name.ptr)};
    al_str attr = {dot + 1, name.len - root.len - 1};
    if (!attrs || memchr(attr.ptr, '.', attr.len) || s->parent == AL_NONE ||
        f->scopes.items[s->parent].kind != AL_SCOPE_CLASS ||
        !al_str_eq(s->first_param, root))
      return 0;
    n = find_group(f, fi->attr_groups, fi->attr_groups_mask, true, s->parent,
                   attr, &first);
    bind_ids = fi->attrs;
  }
  uint32_t found = 0;
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[bind_ids[first + i]];
    if (!dot && b->span.start_byte >= c->span.start_byte)
      continue; // bound after the call: not what it is called on
    if (b->flags & AL_BIND_NONE_VALUE)
      continue; // `f = None` first: not an object a call is made on
    uint32_t maker = made_by_call(b);
    if (maker == AL_NONE || found == cap)
      return 0;
    makers[found++] = maker;
  }
  return found;
}

// Whether the receiver of call c was made, by every binding that can give
// it, with the arguments e's `unless-made-with` names (a datagram socket:
// `socket.socket(AF_INET, SOCK_DGRAM)`), so that the method returns at
// once.
static bool made_unblocked(const al_index *self, uint32_t file, uint32_t call,
                           const al_catalog_entry *e) {
  uint32_t makers[8];
  uint32_t n = al_index_receiver_makers(self, file, call, true, makers, 8);
  const al_facts *f = facts_of(self, file);
  // The class the method belongs to: what the maker must give.
  size_t cls = e->name.len;
  while (cls > 0 && e->name.ptr[cls - 1] != '.')
    cls--;
  al_str want = {e->name.ptr, cls ? cls - 1 : 0};
  for (uint32_t i = 0; i < n; i++) {
    rctx r = {.ix = self, .build = NULL};
    al_target t = al_index__resolve_callee(&r, file, makers[i]);
    if (t.kind != AL_TARGET_EXTERNAL || !t.entry ||
        !(t.entry->facets & AL_CAT_RETURNS) ||
        !al_str_eq(t.entry->returns, want))
      return false;
    const al_call *m = &f->calls.items[makers[i]];
    bool matched = false;
    for (uint32_t a = m->first_arg; a < m->first_arg + m->n_args && !matched;
         a++)
      matched = arg_matches(&e->made_args, e->made_cond, e->made_names,
                            &f->args.items[a]);
    if (!matched)
      return false;
  }
  return n > 0;
}

// Whether a later call of the same function is a blocking method called on
// what call `maker` made (`f = os.fdopen(fd); f.write(...)`, `with
// os.fdopen(fd) as f: f.read()`, `os.fdopen(fd).read()`).
static bool used_for_blocking(const al_index *self, uint32_t file,
                              uint32_t maker) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
  const al_call *m = &f->calls.items[maker];
  for (uint32_t k = 0; k < fi->calls.n[m->scope]; k++) {
    uint32_t o = run_at(&fi->calls, m->scope, k);
    const al_call *oc = &f->calls.items[o];
    if (o == maker || oc->span.start_byte < m->span.start_byte)
      continue;
    bool on_it = false;
    if (oc->callee.kind == AL_REF_ON_CALL) {
      on_it = oc->callee.base_call == maker &&
              !memchr(oc->callee.dotted.ptr, '.', oc->callee.dotted.len);
    } else {
      uint32_t makers[8];
      uint32_t n = al_index_receiver_makers(self, file, o, false, makers, 8);
      for (uint32_t i = 0; i < n && !on_it; i++)
        on_it = makers[i] == maker;
    }
    if (!on_it)
      continue;
    rctx r = {.ix = self, .build = NULL};
    al_target t = al_index__resolve_callee(&r, file, o);
    if (t.kind == AL_TARGET_EXTERNAL && t.entry &&
        !(t.entry->facets & AL_CAT_BLOCKING_IF_USED) &&
        al_index_call_blocks(self, file, o, t.entry))
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
  if ((e->facets & AL_CAT_BLOCKING_IF_USED) &&
      !used_for_blocking(self, file, call))
    return false;
  // A method call in a try that handles BlockingIOError (or ssl's
  // SSLWant*Error) is made on an object in non-blocking mode: that is what
  // raises them instead of waiting.
  al_str recv = receiver_of(c);
  if ((c->flags & AL_CALL_TRY_WOULD_BLOCK) && recv.len)
    return false;
  if (recv.len == 0)
    return true;
  if (made_nonblocking(self, file, c, recv))
    return false;
  if ((e->facets & AL_CAT_UNLESS_MADE_WITH) &&
      made_unblocked(self, file, call, e))
    return false;
  return !((e->facets & AL_CAT_READY_WHEN) &&
           polled_ready(f, fi_at(self, file), c, recv, e));
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
    if (n_names == 0 || is_library(self, file))
      continue; // index_p.h: the build's steps leave libraries alone
    const al_facts *f = facts_of(self, file);
    file_index *fi = fi_at(self, file);
    if (!f)
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
  file_memo *m = &fi_at(self, file)->memo;
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

// A plain generator function of the tree: a call makes a generator, and
// iterating it (`for x in gen()`, a comprehension over it) runs the body.
static bool is_sync_generator(const al_index *ix, al_target t) {
  if (t.kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *s = scope_of(ix, t.file, t.scope);
  return s->kind == AL_SCOPE_FUNCTION && (s->flags & AL_SCOPE_GENERATOR);
}

// Whether call c of t runs t's body where it is made: a plain function's
// call, or a generator function's iterated at once.
static bool call_runs_body(const al_index *ix, al_target t, const al_call *c) {
  return runs_when_called(ix, t) ||
         (c->ctx == AL_CTX_ITER && is_sync_generator(ix, t));
}

bool al_index_call_runs_body(const al_index *self, uint32_t file, uint32_t call,
                             al_target t) {
  return call_runs_body(self, t, &facts_of(self, file)->calls.items[call]);
}

// Whether each decorator of the plain def t is known to leave it a function
// that runs in its caller's thread when called: a transparent or
// pass-through library decorator (staticmethod, functools.lru_cache), or a
// decorator of the tree whose wrapper calls it and returns (or keeps) its
// result. Any other (textual's `@work(thread=True)`, a wrapper that starts
// a thread or returns something else) makes the def unknown.
static bool decorators_pass_through(const al_index *ix, al_target t) {
  const al_scope *s = scope_of(ix, t.file, t.scope);
  for (uint32_t i = 0; i < s->n_decorators; i++) {
    al_target d = unknown();
    al_deco_kind k = al_index_decorator_kind(ix, t.file, t.scope, i, &d, NULL);
    if (k == AL_DECO_SYNC_WRAPPER)
      continue;
    if (d.kind == AL_TARGET_EXTERNAL) {
      if (!d.entry || !(d.entry->facets & (AL_CAT_TRANSPARENT_DECORATOR |
                                           AL_CAT_PASS_THROUGH_DECORATOR)))
        return false;
    } else if (k != AL_DECO_TRANSPARENT) {
      return false;
    }
  }
  return true;
}

// What plain helpers reach is found for the whole tree at once and without
// recursion: resolve every call of every plain function once, note the
// events each makes directly and the plain functions it calls, then
// propagate the events backwards along the calls with a worklist. Linear in
// the calls; any chain length, any definition order, cycles included.

typedef al_vec(uint32_t) site_vec;

// Conditions on a function's parameters that all hold when it reaches a
// blocking call: each a parameter binding << 1 | falsy (the parameter is
// falsy, else truthy). n == 0: none known.
#define COND_MAX 4
typedef struct {
  uint32_t v[COND_MAX];
  uint8_t n;
} cond_set;

static bool cond_has(const cond_set *s, uint32_t c) {
  for (uint8_t i = 0; i < s->n; i++)
    if (s->v[i] == c)
      return true;
  return false;
}

static void cond_add(cond_set *s, uint32_t c) {
  if (s->n < COND_MAX && !cond_has(s, c))
    s->v[s->n++] = c;
}

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
  // By id, when it reaches a blocking call only if some of its parameters
  // are truthy or falsy (the BLOCKING bit unset): those conditions.
  cond_set *cond;
  al_vec(rev_edge) edges;
  al_vec(uint32_t) callee; // parallel to edges: the called function's id
  al_vec(uint32_t) work;   // ids whose bits grew: their callers may learn
  // Blocking calls under `if PARAM:` (their function's id, the call): they
  // count unless every call of the function makes that branch dead.
  al_vec(rev_edge) guarded;
} call_graph;

static void graph_init(call_graph *g, const al_index *self) {
  *g = (call_graph){0};
  g->nfiles = self->project->files.len;
  g->base = al_xcalloc(g->nfiles + 1, sizeof(uint32_t));
  for (uint32_t file = 0; file < g->nfiles; file++) {
    // A library's defs are not in the graph (chains never pass through
    // the environment): none of its scopes is numbered.
    const al_facts *f = is_library(self, file) ? NULL : facts_of(self, file);
    g->base[file + 1] = g->base[file] + (f ? f->scopes.len : 0);
  }
  g->total = g->base[g->nfiles];
  g->bits = al_xcalloc(g->total ? g->total : 1, 1);
  g->cond = al_xcalloc(g->total ? g->total : 1, sizeof(cond_set));
  g->file_of = al_xmalloc((g->total ? g->total : 1) * sizeof(uint32_t));
  for (uint32_t file = 0; file < g->nfiles; file++)
    for (uint32_t id = g->base[file]; id < g->base[file + 1]; id++)
      g->file_of[id] = file;
}

static void graph_free(call_graph *g) {
  vec_free(&g->guarded);
  vec_free(&g->work);
  vec_free(&g->callee);
  vec_free(&g->edges);
  free(g->file_of);
  free(g->cond);
  free(g->bits);
  free(g->base);
}

// What scanning one file's functions found: its part of the graph's
// edges, work list and guarded events, merged in file order afterwards so
// that the graph is the same whichever thread scanned which file.
typedef struct {
  al_vec(rev_edge) edges;
  al_vec(uint32_t) callee; // parallel to edges
  al_vec(uint32_t) work;
  al_vec(rev_edge) guarded;
} scan_part;

// The events plain function sc of file makes directly, and its calls of
// other plain functions (edges). Writes only what belongs to the file: its
// functions' bits and hops, its callee memo, and *out. Resolution only
// reads the index here (every memo it keeps is set by now), so files are
// scanned in parallel.
static void scan_function(al_index *self, call_graph *g, scan_part *out,
                          uint32_t file, uint32_t sc) {
  const al_facts *f = facts_of(self, file);
  file_index *fi = fi_at(self, file);
  uint32_t id = g->base[file] + sc;
  for (uint32_t i = 0; i < fi->calls.n[sc]; i++) {
    uint32_t call = run_at(&fi->calls, sc, i);
    rctx r = {.ix = self, .build = NULL};
    al_target t = al_index__resolve_callee(&r, file, call);
    keep_callee(self, file, call, &t);
    unsigned here = 0;
    if (t.kind == AL_TARGET_EXTERNAL) {
      if (is_event(t.entry, AL_REACH_BLOCKING) &&
          al_index_call_blocks(self, file, call, t.entry)) {
        if (f->calls.items[call].guard == AL_NONE) {
          here |= 1u << AL_REACH_BLOCKING;
        } else {
          rev_edge e = {id, call};
          vec_push(&out->guarded, e);
        }
      }
      // A loop run inside a helper's own loop may run zero times
      // (asyncpg's `for _ in range(timeout): run_until_complete(...)`
      // with timeout=0): only straight-line runs count through helpers.
      if (is_event(t.entry, AL_REACH_LOOP_RUN) &&
          !(f->calls.items[call].flags & AL_CALL_IN_LOOP))
        here |= 1u << AL_REACH_LOOP_RUN;
    } else if (call_runs_body(self, t, &f->calls.items[call]) &&
               !is_library(self, t.file)) {
      rev_edge e = {id, call};
      vec_push(&out->edges, e);
      vec_push(&out->callee, g->base[t.file] + t.scope);
    }
    for (int k = 0; k < AL_REACH_KINDS; k++)
      if ((here & (1u << k)) && !(g->bits[id] & (1u << k))) {
        g->bits[id] |= (uint8_t)(1u << k);
        fi->memo.reach_hop[k][sc] = call; // the first such call
      }
  }
  if (g->bits[id])
    vec_push(&out->work, id);
}

// A def without parameters under a caching decorator (`@lru_cache def
// get_settings(): ...`): it runs once per process, so what it blocks on
// is a start-up cost, not a per-call one: it reaches nothing. With
// parameters (`@lru_cache def fetch_user(uid)`) every new argument runs it.
static bool runs_once(const al_index *ix, al_target t) {
  const al_scope *s = scope_of(ix, t.file, t.scope);
  bool cached = false;
  for (uint32_t i = 0; i < s->n_decorators && !cached; i++) {
    al_target d = unknown();
    al_index_decorator_kind(ix, t.file, t.scope, i, &d, NULL);
    cached = d.kind == AL_TARGET_EXTERNAL && d.entry &&
             (d.entry->facets & AL_CAT_CACHES_RESULT);
  }
  if (!cached)
    return false;
  const al_facts *f = facts_of(ix, t.file);
  for (uint32_t b = 0; b < f->binds.len; b++)
    if (f->binds.items[b].scope == t.scope &&
        f->binds.items[b].kind == AL_BIND_PARAM)
      return false;
  return true;
}

static void scan_file(al_index *self, call_graph *g, scan_part *out,
                      uint32_t file) {
  const al_facts *f = facts_of(self, file);
  for (uint32_t sc = 0; f && sc < f->scopes.len; sc++) {
    // A def under a decorator that may run it elsewhere reaches nothing
    // (its callers' edges to it carry nothing); nor does a library's
    // (chains never pass through the environment).
    al_target t = tree_target(AL_TARGET_FUNCTION, file, sc);
    if (!self->project->files.items[file].library &&
        (runs_when_called(self, t) || is_sync_generator(self, t)) &&
        decorators_pass_through(self, t) && !runs_once(self, t))
      scan_function(self, g, out, file, sc);
  }
}

typedef struct {
  al_index *self;
  call_graph *g;
  scan_part *parts; // by file
  atomic_uint next; // the next file to scan
  al_deps *deps;    // what the building thread records into, or NULL
} scan_job;

static void *scan_worker(void *p) {
  scan_job *job = p;
  bool own = job->deps && al_deps_recording() != job->deps;
  if (own)
    al_deps_thread_begin(job->deps);
  for (;;) {
    uint32_t file = atomic_fetch_add(&job->next, 1);
    if (file >= job->g->nfiles)
      break;
    if (is_library(job->self, file))
      continue;
    al_deps_enter(file);
    scan_file(job->self, job->g, &job->parts[file], file);
  }
  al_deps_enter(AL_NONE);
  if (own)
    al_deps_thread_end();
  return NULL;
}

// A thread of its own: what it read of a lazy library file (index_p.h)
// stays, its slab goes with it.
static void *scan_thread(void *p) {
  scan_worker(p);
  al_long_thread_end();
  return NULL;
}

#define APPEND(dst, src)                                                       \
  do {                                                                         \
    for (uint32_t k_ = 0; k_ < (src).len; k_++)                                \
      vec_push(&(dst), (src).items[k_]);                                       \
    vec_free(&(src));                                                          \
  } while (0)

// Scan every file with n threads (this one among them), then merge the
// parts in file order.
static void scan_all(al_index *self, call_graph *g, uint32_t n) {
  scan_job job = {self, g,
                  al_xcalloc(g->nfiles ? g->nfiles : 1, sizeof(scan_part)), 0,
                  al_deps_recording()};
  pthread_t tids[AL_INDEX_MAX_THREADS];
  bool started[AL_INDEX_MAX_THREADS] = {0};
  if (n > AL_INDEX_MAX_THREADS)
    n = AL_INDEX_MAX_THREADS;
  for (uint32_t i = 1; i < n; i++)
    started[i] = pthread_create(&tids[i], NULL, scan_thread, &job) == 0;
  scan_worker(&job);
  for (uint32_t i = 1; i < n; i++)
    if (started[i])
      pthread_join(tids[i], NULL);
  for (uint32_t file = 0; file < g->nfiles; file++) {
    scan_part *part = &job.parts[file];
    APPEND(g->edges, part->edges);
    APPEND(g->callee, part->callee);
    APPEND(g->work, part->work);
    APPEND(g->guarded, part->guarded);
  }
  free(job.parts);
}

// What call `site` of plain function fn does to a branch guarded by fn's
// parameter binding `param`: makes it dead (SITE_KILL: it passes the
// literal False/0/None where the branch needs a true value, True or a
// non-zero integer where it needs a false one, or leaves the argument out
// and the default does so), passes the caller's own parameter through
// (SITE_PASS, *pass its binding: `get_node(host, port)` in `def
// get_node(self, host=None, port=None)`, the parameter never reassigned),
// or anything else (SITE_LIVE). Positional arguments are matched for
// functions outside classes and for undecorated methods called on an
// instance (`self.m(...)`, `obj.m(...)`: the instance is the first
// parameter); a starred argument is no proof.
enum { SITE_LIVE, SITE_KILL, SITE_PASS };

// Whether call c (a call of a method) passes its receiver as the first
// parameter: called on an instance, not on a class.
static bool bound_call(const al_index *self, uint32_t file, const al_call *c) {
  if (c->callee.kind == AL_REF_SUPER)
    return true;
  al_str recv = receiver_of(c);
  if (recv.len < 2)
    return false;
  al_ref ref = {.kind = AL_REF_DOTTED,
                .dotted = {recv.ptr, recv.len - 1},
                .base_call = AL_NONE};
  rctx r = {.ix = self, .build = NULL};
  return al_index__resolve_ref(&r, file, c->scope, &ref).kind ==
         AL_TARGET_INSTANCE;
}

// The parameter binding of the caller's function that argument a names
// (a plain name, bound once there), or AL_NONE.
static uint32_t passed_param(const al_index *self, uint32_t file,
                             const al_call *c, const al_arg *a) {
  if (a->kind != AL_ARG_REF || a->ref.kind != AL_REF_DOTTED ||
      memchr(a->ref.dotted.ptr, '.', a->ref.dotted.len))
    return AL_NONE;
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
  uint32_t first;
  if (find_group(f, fi->groups, fi->groups_mask, false, c->scope, a->ref.dotted,
                 &first) != 1)
    return AL_NONE;
  uint32_t b = fi->order[first];
  return f->binds.items[b].kind == AL_BIND_PARAM ? b : AL_NONE;
}

static int site_effect(const al_index *self, al_target fn, uint32_t param,
                       bool needs_falsy, uint32_t file, uint32_t site,
                       uint32_t *pass) {
  const al_facts *hf = facts_of(self, fn.file);
  const al_binding *p = &hf->binds.items[param];
  uint32_t pos = 0;
  for (uint32_t i = param; i-- > 0;) {
    const al_binding *b = &hf->binds.items[i];
    if (b->scope != p->scope || b->kind != AL_BIND_PARAM)
      break;
    pos++;
  }
  const al_scope *s = &hf->scopes.items[fn.scope];
  bool method = s->parent != AL_NONE &&
                hf->scopes.items[s->parent].kind == AL_SCOPE_CLASS;
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[site];
  // A method called on an instance: positional argument i is parameter
  // i + 1. Called on a class (or decorated: a staticmethod), unknown.
  bool bound =
      method && pos > 0 && s->n_decorators == 0 && bound_call(self, file, c);
  uint32_t want = bound ? pos - 1 : pos;
  bool by_position = (!method || bound) && !(p->flags & AL_BIND_NOT_POSITIONAL);
  const uint8_t kill = needs_falsy ? AL_ARGF_TRUTHY : AL_ARGF_FALSY;
  uint32_t npos = 0;
  for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++) {
    const al_arg *a = &f->args.items[i];
    if (a->kind == AL_ARG_STARRED)
      return SITE_LIVE;
    if (a->kind == AL_ARG_ELEMENT)
      continue;
    if (a->index != AL_ARG_KEYWORD && a->index + 1u > npos)
      npos = a->index + 1u;
    if (a->index == AL_ARG_KEYWORD ? al_str_eq(a->keyword, p->name)
                                   : by_position && a->index == want) {
      if (a->kind == AL_ARG_LITERAL && (a->flags & kill))
        return SITE_KILL;
      *pass = passed_param(self, file, c, a);
      return *pass == AL_NONE ? SITE_LIVE : SITE_PASS;
    }
  }
  // Left out (surely: a method's positional arguments may start at its
  // first parameter or its second): the default decides.
  bool left_out = (p->flags & AL_BIND_NOT_POSITIONAL) ||
                  (method && !bound ? npos < pos : npos <= want);
  const uint8_t dead_default =
      needs_falsy ? AL_BIND_DEFAULT_TRUTHY : AL_BIND_DEFAULT_FALSY;
  return left_out && (p->flags & dead_default) ? SITE_KILL : SITE_LIVE;
}

static bool call_kills(const al_index *self, al_target fn, uint32_t param,
                       bool needs_falsy, uint32_t file, uint32_t site) {
  uint32_t pass;
  return site_effect(self, fn, param, needs_falsy, file, site, &pass) ==
         SITE_KILL;
}

// Whether guarded event `call` of function fn is dead: its guard parameter
// is bound once (never reassigned) and every call of fn in the tree (there
// is at least one) passes a constant that makes the branch dead.
static bool guarded_dead(const al_index *self, al_target fn, uint32_t call,
                         const site_vec *sites) {
  const al_facts *f = facts_of(self, fn.file);
  const al_call *c = &f->calls.items[call];
  const al_binding *p = &f->binds.items[c->guard];
  uint32_t first;
  const file_index *fi = fi_at(self, fn.file);
  if (find_group(f, fi->groups, fi->groups_mask, false, p->scope, p->name,
                 &first) != 1 ||
      sites->len == 0)
    return false;
  bool needs_falsy = (c->flags & AL_CALL_GUARD_FALSY) != 0;
  for (uint32_t i = 0; i + 1 < sites->len; i += 2)
    if (!call_kills(self, fn, c->guard, needs_falsy, sites->items[i],
                    sites->items[i + 1]))
      return false;
  return true;
}

// The calls of the functions with guarded events, anywhere in the tree
// (file, call pairs by function, in `sites` parallel to the distinct ids
// of `fns`). Only calls whose last name is one of theirs are resolved.
static void find_sites(al_index *self, call_graph *g, const uint32_t *fns,
                       uint32_t n, site_vec *sites) {
  al_map names = AL_MAP_INIT;
  al_deps *deps = al_deps_recording();
  for (uint32_t i = 0; i < n; i++) {
    uint32_t file = g->file_of[fns[i]];
    const al_scope *s = scope_of(self, file, fns[i] - g->base[file]);
    al_map_put(&names, s->name, 1);
    // A new call of this name anywhere may change what fn reaches.
    al_deps_watch(deps, s->name, file);
  }
  for (uint32_t file = 0; file < g->nfiles; file++) {
    // A library's calls never reach the tree's defs.
    if (is_library(self, file))
      continue;
    al_deps_enter(file); // resolving its calls: its own dependencies
    const al_facts *f = facts_of(self, file);
    for (uint32_t k = 0; f && k < f->calls.len; k++) {
      const al_call *c = &f->calls.items[k];
      al_str name = al_deps_call_name(c);
      uint32_t v;
      if (!name.len || !al_map_get(&names, name, &v))
        continue;
      rctx r = {.ix = self, .build = NULL};
      al_target t = al_index__resolve_callee(&r, file, k);
      if (t.kind != AL_TARGET_FUNCTION || is_library(self, t.file))
        continue;
      uint32_t id = g->base[t.file] + t.scope;
      for (uint32_t i = 0; i < n; i++)
        if (fns[i] == id) {
          vec_push(&sites[i], file);
          vec_push(&sites[i], k);
          al_deps_add(deps, g->file_of[id], file); // fn's reach: its sites
        }
    }
  }
  al_deps_enter(AL_NONE);
  al_map_free(&names);
}

// Function id learns that it reaches a blocking call through its call
// `call` when every condition of `when` holds (none: always). What it knew
// before and this both hold only where their common conditions do.
static void learn_blocking(al_index *self, call_graph *g, uint32_t id,
                           const cond_set *when, uint32_t call) {
  const uint8_t bit = 1u << AL_REACH_BLOCKING;
  if (g->bits[id] & bit)
    return;
  cond_set *have = &g->cond[id], both = {0};
  if (have->n == 0) {
    both = *when;
  } else {
    for (uint8_t i = 0; i < when->n; i++)
      if (cond_has(have, when->v[i]))
        both.v[both.n++] = when->v[i];
    if (both.n == have->n)
      return; // nothing new
  }
  if (both.n == 0) {
    g->bits[id] |= bit;
    have->n = 0;
  } else {
    *have = both;
  }
  uint32_t file = g->file_of[id];
  fi_at(self, file)->memo.reach_hop[AL_REACH_BLOCKING][id - g->base[file]] =
      call;
  vec_push(&g->work, id);
}

// What the call (an edge) of function callee, which blocks only under the
// conditions `when`, gives its caller (false: nothing, the call kills one
// of them): in *out, the conditions on the caller's own parameters that
// the call passes through (`get_node(host, port)`); the others no longer
// hold.
static bool edge_conditions(al_index *self, call_graph *g, uint32_t callee,
                            rev_edge e, const cond_set *when, cond_set *out) {
  uint32_t file = g->file_of[callee];
  al_target fn = tree_target(AL_TARGET_FUNCTION, file, callee - g->base[file]);
  *out = (cond_set){0};
  for (uint8_t i = 0; i < when->n; i++) {
    uint32_t pass = AL_NONE, c = when->v[i];
    switch (site_effect(self, fn, c >> 1, c & 1, g->file_of[e.caller], e.call,
                        &pass)) {
    case SITE_KILL:
      return false;
    case SITE_PASS:
      cond_add(out, pass << 1 | (c & 1));
      break;
    default:
      break;
    }
  }
  return true;
}

// Whether guard parameter `param` of call `call` of file keeps its value
// from the guarding test to the call: no binding but the parameter's own,
// unless the call is in no loop and the binding comes after the call or
// takes its result (redis's `if host and port: if host == "localhost":
// host = socket.gethostbyname(host)`).
static bool guard_holds(const al_index *self, uint32_t file, uint32_t call,
                        uint32_t param) {
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[call];
  const al_binding *p = &f->binds.items[param];
  const file_index *fi = fi_at(self, file);
  uint32_t first;
  uint32_t n = find_group(f, fi->groups, fi->groups_mask, false, p->scope,
                          p->name, &first);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k = fi->order[first + i];
    const al_binding *b = &f->binds.items[k];
    if (k != param && ((c->flags & AL_CALL_IN_LOOP) ||
                       (b->span.start_byte < c->span.start_byte &&
                        !(b->kind == AL_BIND_ASSIGN && b->target == call))))
      return false;
  }
  return n > 0;
}

// The conditions under which guarded call `call` of file runs: its guards
// (al_call.guard, then its al_guard records) whose parameter holds.
static cond_set guard_conditions(const al_index *self, uint32_t file,
                                 uint32_t call) {
  const al_facts *f = facts_of(self, file);
  const al_call *c = &f->calls.items[call];
  cond_set out = {0};
  if (guard_holds(self, file, call, c->guard))
    cond_add(&out, c->guard << 1 | ((c->flags & AL_CALL_GUARD_FALSY) ? 1 : 0));
  // The further guards, by call: find the first of this call's.
  uint32_t lo = 0, hi = f->guards.len;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (f->guards.items[mid].call < call)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < f->guards.len && f->guards.items[lo].call == call; lo++) {
    const al_guard *gd = &f->guards.items[lo];
    if (guard_holds(self, file, call, gd->bind))
      cond_add(&out, gd->bind << 1 | (gd->falsy ? 1u : 0u));
  }
  return out;
}

// Settle the guarded events: each that some call of its function can
// reach counts, as a direct event of the function, under its guard.
static void settle_guarded(al_index *self, call_graph *g) {
  if (g->guarded.len == 0)
    return;
  // The distinct functions, in order of first appearance.
  uint32_t *fns = al_xmalloc(g->guarded.len * sizeof(uint32_t));
  uint32_t n = 0;
  for (uint32_t i = 0; i < g->guarded.len; i++)
    if (n == 0 || fns[n - 1] != g->guarded.items[i].caller)
      fns[n++] = g->guarded.items[i].caller;
  site_vec *sites = al_xcalloc(n, sizeof *sites);
  find_sites(self, g, fns, n, sites);
  uint32_t j = 0;
  for (uint32_t i = 0; i < g->guarded.len; i++) {
    rev_edge ev = g->guarded.items[i];
    while (fns[j] != ev.caller)
      j++;
    uint32_t file = g->file_of[ev.caller], sc = ev.caller - g->base[file];
    al_deps_enter(file);
    al_target fn = tree_target(AL_TARGET_FUNCTION, file, sc);
    if ((g->bits[ev.caller] & (1u << AL_REACH_BLOCKING)) ||
        guarded_dead(self, fn, ev.call, &sites[j]))
      continue;
    cond_set when = guard_conditions(self, file, ev.call);
    learn_blocking(self, g, ev.caller, &when, ev.call);
  }
  al_deps_enter(AL_NONE);
  for (uint32_t i = 0; i < n; i++)
    vec_free(&sites[i]);
  free(sites);
  free(fns);
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
      al_deps_enter(g->file_of[p]); // p learns from id
      al_deps_touch(g->file_of[id]);
      cond_set when;
      if (g->cond[id].n &&
          edge_conditions(self, g, id, rev[e], &g->cond[id], &when))
        learn_blocking(self, g, p, &when, rev[e].call);
      unsigned learn = g->bits[id] & ~g->bits[p];
      if (!learn)
        continue;
      uint32_t pf = g->file_of[p];
      for (int k = 0; k < AL_REACH_KINDS; k++)
        if (learn & (1u << k))
          fi_at(self, pf)->memo.reach_hop[k][p - g->base[pf]] = rev[e].call;
      g->bits[p] |= (uint8_t)learn;
      if (learn & (1u << AL_REACH_BLOCKING))
        g->cond[p].n = 0;
      vec_push(&g->work, p);
    }
  }
  al_deps_enter(AL_NONE);
  free(fill);
  free(rev);
  free(rev_first);
}

void al_index__compute_reaches(al_index *self, uint32_t threads) {
  call_graph g;
  graph_init(&g, self);
  scan_all(self, &g, threads ? threads : 1);
  settle_guarded(self, &g);
  propagate(self, &g);
  // The memo the rules read.
  for (uint32_t file = 0; file < g.nfiles; file++) {
    // A library's defs reach nothing: their memo stays MEMO_UNSET, which
    // every reader takes as "no".
    const al_facts *f = is_library(self, file) ? NULL : facts_of(self, file);
    for (int k = 0; f && k < AL_REACH_KINDS; k++)
      for (uint32_t sc = 0; sc < f->scopes.len; sc++)
        fi_at(self, file)->memo.reach[k][sc] =
            (g.bits[g.base[file] + sc] & (1u << k)) ||
                    (k == AL_REACH_BLOCKING && g.cond[g.base[file] + sc].n)
                ? MEMO_YES
                : MEMO_NO;
    if (f) {
      file_memo *m = &fi_at(self, file)->memo;
      size_t len = (f->scopes.len ? f->scopes.len : 1) * COND_MAX;
      m->reach_cond = al_xmalloc(len * sizeof(uint32_t));
      memset(m->reach_cond, 0xff, len * sizeof(uint32_t));
      for (uint32_t sc = 0; sc < f->scopes.len; sc++) {
        const cond_set *cs = &g.cond[g.base[file] + sc];
        memcpy(m->reach_cond + (size_t)sc * COND_MAX, cs->v,
               cs->n * sizeof(uint32_t));
      }
    }
  }
  graph_free(&g);
}

bool al_index_reaches(const al_index *self, al_target t, al_reach_kind k,
                      char *chain, size_t cap, const al_catalog_entry **event) {
  if ((!runs_when_called(self, t) && !is_sync_generator(self, t)) ||
      fi_at(self, t.file)->memo.reach[k][t.scope] != MEMO_YES)
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
    uint32_t call = fi_at(self, t.file)->memo.reach_hop[k][t.scope];
    rctx r = {.ix = self, .build = NULL};
    al_target next = al_index__resolve_callee(&r, t.file, call);
    if (next.kind == AL_TARGET_EXTERNAL) {
      if (event)
        *event = next.entry;
      if (chain && o < cap)
        snprintf(chain + o, cap - o, " -> %s", next.qualname);
      return true;
    }
    if ((!runs_when_called(self, next) && !is_sync_generator(self, next)) ||
        fi_at(self, next.file)->memo.reach[k][next.scope] != MEMO_YES)
      return true; // the chain is cut here; still reached
    t = next;
  }
  if (chain && o < cap)
    snprintf(chain + o, cap - o, " -> ...");
  return true;
}

// Whether receiver text recv ("self.queue.") is one attribute of the
// method's first parameter self_name.
static bool is_self_attr(al_str recv, al_str self_name) {
  if (self_name.len == 0 || recv.len < self_name.len + 3 ||
      memcmp(recv.ptr, self_name.ptr, self_name.len) != 0 ||
      recv.ptr[self_name.len] != '.')
    return false;
  al_str attr = {recv.ptr + self_name.len + 1, recv.len - self_name.len - 2};
  return !memchr(attr.ptr, '.', attr.len);
}

bool al_index_ready_at(const al_index *self, uint32_t file, uint32_t call,
                       al_target t) {
  if (t.kind != AL_TARGET_FUNCTION || t.file != file)
    return false;
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
  const al_call *site = &f->calls.items[call];
  const al_scope *h = &f->scopes.items[t.scope];
  const al_scope *caller = &f->scopes.items[site->scope];
  // Two methods of one class, with the same name for the instance.
  if (h->parent == AL_NONE || h->parent != caller->parent ||
      f->scopes.items[h->parent].kind != AL_SCOPE_CLASS ||
      h->first_param.len == 0 || caller->first_param.len == 0)
    return false;
  uint32_t ready = 0;
  for (uint32_t i = 0; i < fi->calls.n[t.scope]; i++) {
    uint32_t k = run_at(&fi->calls, t.scope, i);
    rctx r = {.ix = self, .build = NULL};
    al_target c = al_index__resolve_callee(&r, file, k);
    if (c.kind == AL_TARGET_EXTERNAL) {
      if (!is_event(c.entry, AL_REACH_BLOCKING) ||
          !al_index_call_blocks(self, file, k, c.entry))
        continue;
      // One readied call, run once: a second get may wait for an item.
      const al_call *b = &f->calls.items[k];
      al_str recv = receiver_of(b);
      if (!(c.entry->facets & AL_CAT_READY_WHEN) ||
          (b->flags & AL_CALL_IN_LOOP) || ready++ > 0 ||
          !is_self_attr(recv, h->first_param))
        return false;
      // The same attribute of the caller's own first parameter.
      char buf[256];
      al_str attr = {recv.ptr + h->first_param.len,
                     recv.len - h->first_param.len};
      int n =
          snprintf(buf, sizeof buf, "%.*s%.*s", (int)caller->first_param.len,
                   caller->first_param.ptr, (int)attr.len, attr.ptr);
      if (n <= 0 || (size_t)n >= sizeof buf ||
          !polled_ready(f, fi, site, (al_str){buf, (size_t)n}, c.entry))
        return false;
    } else if (runs_when_called(self, c) &&
               fi_at(self, c.file)->memo.reach[AL_REACH_BLOCKING][c.scope] ==
                   MEMO_YES) {
      return false; // blocks through another helper
    }
  }
  return ready == 1;
}

bool al_index_reach_dead_at(const al_index *self, uint32_t file, uint32_t call,
                            al_target t) {
  if (t.kind != AL_TARGET_FUNCTION || !fi_at(self, t.file)->memo.reach_cond)
    return false;
  const uint32_t *when =
      fi_at(self, t.file)->memo.reach_cond + (size_t)t.scope * COND_MAX;
  for (int i = 0; i < COND_MAX && when[i] != AL_NONE; i++)
    if (call_kills(self, t, when[i] >> 1, when[i] & 1, file, call))
      return true;
  return false;
}
