// SPDX-License-Identifier: MIT
/*
 * Which calls make coroutines, through the tree's own wrappers and
 * decorators: a plain def whose every return is a call of a coroutine
 * function is a pass-through wrapper (AL_CORO_WRAPPER, memoised for the
 * whole tree at build time), and a decorator of the tree is transparent,
 * opaque or a sync wrapper that does more than return the coroutine
 * (al_index_decorator_kind). It resolves through resolve.c and knows no
 * library beyond the catalog's facets.
 */
#include <string.h>

#include "model/index_p.h"

// Whether a plain def of the tree returns a coroutine from every return:
// memoised by the build (MEMO_BUSY breaks cycles), only read afterwards.
static bool returns_coroutine(rctx *r, uint32_t file, uint32_t scope) {
  const al_index *ix = r->ix;
  const file_index *fi = fi_at(ix, file);
  uint8_t m = fi->memo.wrapper[scope];
  if (m == MEMO_YES)
    return true;
  if (m != MEMO_UNSET)
    return false;
  // After the build every memo of the tree is set: a look-up gets here
  // only for a library's def (index_p.h), and computes without keeping.
  al_assert(r->build || ix->project->files.items[file].library);
  uint8_t scratch;
  uint8_t *memo =
      r->build ? &fi_at(r->build, file)->memo.wrapper[scope] : &scratch;
  const al_facts *f = facts_of(ix, file);
  const al_scope *s = &f->scopes.items[scope];
  uint32_t nr = fi->rets.n[scope];
  if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      s->n_decorators || nr == 0 || r->depth > MAX_DEPTH) {
    *memo = MEMO_NO;
    return false;
  }
  *memo = MEMO_BUSY;
  uint32_t previous = al_deps_enter(file); // the memo is file's
  bool yes = true;
  for (uint32_t i = 0; i < nr && yes; i++) {
    const al_return *ret = return_at(f, fi, scope, i);
    if (ret->kind != AL_RET_CALL || ret->target == AL_NONE) {
      yes = false;
      break;
    }
    int saved = r->depth;
    r->depth++;
    al_target callee = al_index__resolve_callee(r, file, ret->target);
    yes = al_index__coro_kind(r, callee) != AL_CORO_NONE;
    r->depth = saved;
  }
  al_deps_leave(previous);
  *memo = yes ? MEMO_YES : MEMO_NO;
  return yes;
}

// The nested function a decorator returns (`return wrapper`), if any.
static uint32_t returned_inner_function(rctx *r, uint32_t file,
                                        uint32_t scope) {
  const al_index *ix = r->ix;
  const file_index *fi = fi_at(ix, file);
  const al_facts *f = facts_of(ix, file);
  uint32_t nr = fi->rets.n[scope];
  uint32_t result = AL_NONE;
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret = return_at(f, fi, scope, i);
    if (ret->kind != AL_RET_NAME)
      return AL_NONE;
    al_target t =
        al_index__resolve_ref(r, file, scope, &f->refs.items[ret->target]);
    if (t.kind != AL_TARGET_FUNCTION || t.file != file ||
        f->scopes.items[t.scope].parent != scope)
      return AL_NONE;
    if (result != AL_NONE && result != t.scope)
      return AL_NONE;
    result = t.scope;
  }
  return result;
}

bool al_index__returns_param(const al_index *ix, uint32_t file, uint32_t scope,
                             al_str param) {
  const file_index *fi = fi_at(ix, file);
  const al_facts *f = facts_of(ix, file);
  uint32_t nr = fi->rets.n[scope];
  if (nr == 0 || param.len == 0)
    return false;
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret = return_at(f, fi, scope, i);
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
// Whether call (an argument) may be handed to something that runs it: a
// library callable that runs awaitables (asyncio.run, run_until_complete,
// ensure_future, a thread target), or a callee nothing is known of
// (`self._loop.run_until_complete(...)` with an untyped loop).
static bool handed_to_runner(rctx *r, uint32_t file, const al_call *c) {
  if (c->ctx != AL_CTX_ARG || c->parent_call == AL_NONE)
    return false;
  int saved = r->depth;
  al_target p = al_index__resolve_callee(r, file, c->parent_call);
  r->depth = saved;
  if (p.kind == AL_TARGET_UNKNOWN)
    return true;
  return p.kind == AL_TARGET_EXTERNAL && p.entry &&
         (p.entry->facets & (AL_CAT_EXPECTS_AWAITABLE | AL_CAT_CALLS_SYNC |
                             AL_CAT_EXPECTS_CALLABLE | AL_CAT_RUNS_EVENT_LOOP));
}

static al_deco_kind classify_wrapper(rctx *r, uint32_t file, uint32_t wrapper,
                                     al_str fn) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = fi_at(ix, file);
  uint32_t call = AL_NONE;
  for (uint32_t k = 0; k < fi->calls.n[wrapper]; k++) {
    uint32_t i = run_at(&fi->calls, wrapper, k);
    const al_call *c = &f->calls.items[i];
    if (c->callee.kind != AL_REF_DOTTED || !al_str_eq(c->callee.dotted, fn))
      continue;
    // A wrapper that on some path runs the coroutine itself
    // (`return loop.run_until_complete(fn(...))` in a sync mode, the
    // coroutine returned in an async mode) makes calls that may or may not
    // give a coroutine: unknown.
    if (handed_to_runner(r, file, c))
      return AL_DECO_OPAQUE;
    if (call == AL_NONE)
      call = i;
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
      al_target p = al_index__resolve_callee(r, file, use->parent_call);
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
  if (al_index__returns_param(r->ix, d.file, d.scope, fn))
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
    al_target fac = al_index__resolve_ref(r, file, s->parent, &plain);
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
    d = al_index__resolve_ref(r, file, s->parent, ref);
  }
  if (decorator)
    *decorator = d;
  if (d.kind == AL_TARGET_EXTERNAL)
    return d.entry && (d.entry->facets & AL_CAT_TRANSPARENT_DECORATOR)
               ? AL_DECO_TRANSPARENT
               : AL_DECO_OPAQUE;
  al_deco_kind k = classify_decorator(r, d, wrapper);
  // A library's decorator counts only when it keeps the function (the
  // environment is read, not checked: AL111 is about the tree's wrappers).
  if (k == AL_DECO_SYNC_WRAPPER && r->ix->project->files.items[d.file].library)
    return AL_DECO_OPAQUE;
  return k;
}

al_coro_kind al_index__coro_kind(rctx *r, al_target t) {
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
      // A sync wrapper of the tree (AL111) still returns the coroutine
      // fn(...) made: its callers get a coroutine as from the def itself.
      if (k != AL_DECO_TRANSPARENT && k != AL_DECO_SYNC_WRAPPER)
        return AL_CORO_NONE;
    }
    return AL_CORO_ASYNC;
  }
  if (s->kind == AL_SCOPE_FUNCTION &&
      (returns_coroutine(r, t.file, t.scope) ||
       al_index__annotated_coroutine(r, t.file, t.scope)))
    return AL_CORO_WRAPPER;
  return AL_CORO_NONE;
}

// Fill the "returns a coroutine" memo of every plain function up front, so
// that resolution never writes during the (parallel) rules stage.
void al_index__compute_wrappers(al_index *self) {
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    if (is_library(self, file))
      continue; // index_p.h: the build's steps leave libraries alone
    al_deps_enter(file);
    const al_facts *f = facts_of(self, file);
    if (!f)
      continue;
    for (uint32_t s = 0; s < f->scopes.len; s++) {
      if (f->scopes.items[s].kind != AL_SCOPE_FUNCTION)
        continue;
      rctx r = {.ix = self, .build = self};
      returns_coroutine(&r, file, s);
    }
    // Whatever a cycle left busy is settled as "no".
    for (uint32_t s = 0; s < f->scopes.len; s++)
      if (fi_at(self, file)->memo.wrapper[s] != MEMO_YES)
        fi_at(self, file)->memo.wrapper[s] = MEMO_NO;
  }
  al_deps_enter(AL_NONE);
}

al_coro_kind al_index_coroutine_kind(const al_index *self, al_target t) {
  rctx r = {.ix = self, .build = NULL};
  return al_index__coro_kind(&r, t);
}

bool al_index_is_coroutine_function(const al_index *self, al_target t) {
  return al_index_coroutine_kind(self, t) != AL_CORO_NONE;
}

bool al_index_returns_non_awaitable(const al_index *self, al_target t) {
  // A library's def may be a hook its subclasses override: not provable.
  if (t.kind != AL_TARGET_FUNCTION ||
      self->project->files.items[t.file].library)
    return false;
  const al_facts *f = facts_of(self, t.file);
  const al_scope *s = &f->scopes.items[t.scope];
  if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      s->n_decorators || (s->flags & AL_SCOPE_STUB))
    return false;
  const file_index *fi = fi_at(self, t.file);
  // A builtin that builds a plain value (`return list(reader)`) is no
  // awaitable either.
  static const char *const plain[] = {
      "builtins.list", "builtins.dict",  "builtins.set",   "builtins.tuple",
      "builtins.str",  "builtins.int",   "builtins.float", "builtins.bool",
      "builtins.len",  "builtins.sorted"};
  for (uint32_t i = 0; i < fi->rets.n[t.scope]; i++) {
    const al_return *ret = return_at(f, fi, t.scope, i);
    if (ret->kind == AL_RET_NONE || ret->kind == AL_RET_LITERAL)
      continue;
    if (ret->kind != AL_RET_CALL || ret->target == AL_NONE)
      return false;
    rctx r = {.ix = self, .build = NULL};
    al_target c = al_index__resolve_callee(&r, t.file, ret->target);
    bool known = false;
    for (size_t k = 0; c.kind == AL_TARGET_EXTERNAL &&
                       k < sizeof plain / sizeof *plain && !known;
         k++)
      known = strcmp(c.qualname, plain[k]) == 0;
    if (!known)
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
  rctx r = {.ix = self, .build = NULL};
  return decorator_kind(&r, file, scope, deco, decorator, wrapper);
}

al_target al_index__partial_value(rctx *r, uint32_t file, uint32_t call,
                                  const al_target *callee) {
  const al_facts *f = facts_of(r->ix, file);
  const al_call *c = &f->calls.items[call];
  // A partialmethod is a method only as a class attribute; elsewhere its
  // call raises TypeError.
  bool method = callee->kind == AL_TARGET_EXTERNAL &&
                strcmp(callee->qualname, AL_PARTIALMETHOD_QUALNAME) == 0 &&
                f->scopes.items[c->scope].kind == AL_SCOPE_CLASS;
  if (callee->kind != AL_TARGET_EXTERNAL ||
      (strcmp(callee->qualname, AL_PARTIAL_QUALNAME) != 0 && !method) ||
      c->n_args == 0 || ++r->depth > MAX_DEPTH)
    return unknown();
  // partial(func, /, *args, **keywords): the function is the first
  // positional argument, a name or (nested) another call's value.
  const al_arg *a = &f->args.items[c->first_arg];
  al_target t = unknown();
  if (a->index != 0)
    return t;
  if (a->kind == AL_ARG_REF)
    t = al_index__resolve_ref(r, file, c->scope, &a->ref);
  else if (a->kind == AL_ARG_CALL && a->target != AL_NONE)
    t = al_index__call_value(r, file, a->target);
  if (t.kind == AL_TARGET_FUNCTION || t.kind == AL_TARGET_CLASS) {
    memcpy(t.qualname, AL_PARTIAL_QUALNAME, sizeof AL_PARTIAL_QUALNAME);
    return t;
  }
  // A library coroutine function (partial(asyncio.sleep, 1)) keeps its
  // catalog entry. Other library functions do not: their blocking-unless
  // arguments may hide in the partial, where the call does not show them.
  return t.kind == AL_TARGET_EXTERNAL && t.entry &&
                 (t.entry->facets & AL_CAT_COROUTINE)
             ? t
             : unknown();
}
