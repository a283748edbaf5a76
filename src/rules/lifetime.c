// SPDX-License-Identifier: MIT
/*
 * Coroutine objects kept in names (AL103, AL104) and collections of
 * coroutines (AL105). These rules follow a coroutine from the call that
 * makes it to the reads of the name it is bound to (al_use facts, recorded
 * only for names bound to calls or comprehensions inside functions). They
 * are deliberately conservative: any read of the name counts as handing the
 * coroutine on, and a name bound more than once is judged by all its reads.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/common_p.h"

// --- AL103 coroutine-never-awaited ------------------------------------------

static void check_never_awaited(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  al_read_set rs;
  al_read_set_build(&rs, f, ctx->arena);
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->kind != AL_BIND_ASSIGN || b->target == AL_NONE ||
        !al_in_function(f, b->scope))
      continue;
    const al_call *c = &f->calls.items[b->target];
    if (c->ctx != AL_CTX_ASSIGN)
      continue;
    al_target t = al_index_resolve_callee(ctx->index, ctx->file, b->target);
    if (!al_index_is_coroutine_function(ctx->index, t))
      continue;
    if (al_name_is_read(&rs, b->scope, b->name) || al_declared_outside(f, i))
      continue;
    // In a loop, a read earlier in the body may see this value on the next
    // pass; such a name must have been bound before the loop too.
    if ((c->flags & AL_CALL_IN_LOOP) && al_rules_bound_elsewhere(f, i))
      continue;
    const char *callee =
        al_rules_describe(ctx, al_rules_written(ctx, b->target), &t);
    al_report(ctx, self, c->span, (int)b->name.len, b->name.ptr, callee);
  }
  al_map_free(&rs.set);
}

const al_rule al_rule_coroutine_never_awaited = {
    .code = "AL103",
    .name = "coroutine-never-awaited",
    .summary = "a coroutine bound to a local name is never used",
    .message = "the coroutine bound to '%.*s' is never awaited, passed on, "
               "returned or stored (%s creates it); await it",
    .doc = "What it does\n"
           "  Flags a coroutine bound to a local name (`c = fetch()`, also "
           "`_ = fetch()`)\n  that the function never awaits, passes on, "
           "returns, stores or yields.\n\n"
           "Why is this bad?\n"
           "  The coroutine never runs: the work silently does not happen, "
           "and Python only\n  warns about it when the object is "
           "garbage-collected.\n\n"
           "Example\n"
           "  async def handler(user):\n"
           "      result = save(user)\n"
           "      return \"ok\"\n\n"
           "Use instead\n"
           "  async def handler(user):\n"
           "      await save(user)\n"
           "      return \"ok\"\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_never_awaited,
};

// --- AL104 coroutine-awaited-twice ------------------------------------------

// Whether `name` is bound again in `scope` between two byte offsets.
static bool rebound_between(const al_facts *f, uint32_t scope, al_str name,
                            uint32_t from, uint32_t to) {
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->scope == scope && al_str_eq(b->name, name) &&
        b->span.start_byte > from && b->span.start_byte < to)
      return true;
  }
  return false;
}

// Whether the part of a try statement that read `later` is in can run
// after the part that read `first` is in, in one pass through the
// statement: the body, then a handler or the else clause, then the
// finally clause. (Two handlers, or a handler and the else clause, never
// both run; two reads in one part are the block rule's.)
static bool try_parts_both_run(const al_use *first, const al_use *later) {
  if (first->try_part == AL_TRY_NONE || first->try_start != later->try_start)
    return false;
  switch ((al_try_part)first->try_part) {
  case AL_TRY_BODY:
    return later->try_part == AL_TRY_HANDLER ||
           later->try_part == AL_TRY_ELSE || later->try_part == AL_TRY_FINALLY;
  case AL_TRY_HANDLER:
  case AL_TRY_ELSE:
    return later->try_part == AL_TRY_FINALLY;
  default:
    return false;
  }
}

// Whether an await `later` of the same binding as the await `first` runs
// after it on some path: in first's block (or one nested in it), or in a
// later part of the innermost try statement around both.
static bool on_one_path(const al_use *first, const al_use *later) {
  if (first->span.end_byte > later->span.start_byte)
    return false;
  return (later->span.start_byte >= first->block_start &&
          later->span.end_byte <= first->block_end) ||
         try_parts_both_run(first, later);
}

static void check_awaited_twice(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  // Each await of a name bound to a coroutine call is reported when an
  // earlier await of the same binding is on its path (on_one_path), with
  // no rebinding between.
  for (uint32_t j = 0; j < f->uses.len; j++) {
    const al_use *u2 = &f->uses.items[j];
    if (u2->ctx != AL_CTX_AWAIT)
      continue;
    const al_binding *b = &f->binds.items[u2->binding];
    if (u2->scope != b->scope || b->kind != AL_BIND_ASSIGN ||
        b->target == AL_NONE)
      continue;
    const al_use *first = NULL;
    for (uint32_t i = 0; i < j && !first; i++) {
      const al_use *u1 = &f->uses.items[i];
      if (u1->binding == u2->binding && u1->ctx == AL_CTX_AWAIT &&
          u1->scope == u2->scope && on_one_path(u1, u2) &&
          !rebound_between(f, b->scope, b->name, u1->span.start_byte,
                           u2->span.start_byte))
        first = u1;
    }
    if (!first)
      continue;
    al_target t = al_index_resolve_callee(ctx->index, ctx->file, b->target);
    // Tasks and futures may be awaited any number of times.
    if (!al_index_is_coroutine_function(ctx->index, t))
      continue;
    al_report(ctx, self, u2->span,
              al_arena_printf(ctx->arena,
                              "the coroutine in '%.*s' was first awaited on "
                              "line %u",
                              (int)b->name.len, b->name.ptr,
                              al_facts_line(f, first->span)),
              "");
  }
}

// `@functools.lru_cache` / `@cached_property` on an async def: the cache
// keeps the coroutine object, and the second caller awaits it again.
static void check_cached_coroutines(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t s = 0; s < f->scopes.len; s++) {
    const al_scope *sc = &f->scopes.items[s];
    if (sc->kind != AL_SCOPE_ASYNC_FUNCTION || sc->n_decorators == 0 ||
        (sc->flags & AL_SCOPE_GENERATOR))
      continue;
    for (uint32_t i = 0; i < sc->n_decorators; i++) {
      al_target d;
      al_index_decorator_kind(ctx->index, ctx->file, s, i, &d, NULL);
      if (!al_rules_entry(&d, AL_CAT_CACHES_RESULT))
        continue;
      bool prop = strcmp(d.qualname, "functools.cached_property") == 0;
      al_report(ctx, self, sc->name_span,
                al_arena_printf(ctx->arena,
                                "async function '%.*s' is cached by '%s': "
                                "every %s after the first gives the same "
                                "coroutine object",
                                (int)sc->name.len, sc->name.ptr, d.qualname,
                                prop ? "read" : "call"),
                "; cache the awaited result instead (async_lru.alru_cache, "
                "or a dict of results)");
      break;
    }
  }
}

static void check_coroutine_reuse(al_rule_ctx *ctx, const al_rule *self) {
  check_awaited_twice(ctx, self);
  check_cached_coroutines(ctx, self);
}

const al_rule al_rule_coroutine_awaited_twice = {
    .code = "AL104",
    .name = "coroutine-awaited-twice",
    .summary = "the same coroutine object awaited twice on one path",
    .message = "%s: awaiting it again raises RuntimeError%s",
    .doc = "What it does\n"
           "  Flags a second `await` of the same coroutine object on one "
           "path: `c = f();\n  await c; await c`, also an await in a "
           "try body and another in its handler,\n  else or finally "
           "clause (`try: return await c` / `except TimeoutError:\n  "
           "return await c`); and an `async def` under a caching\n  "
           "decorator (`functools.cache`, `lru_cache`, `cached_property`, "
           "cachetools'),\n  which keeps the coroutine object and hands it "
           "to every later caller.\n\n"
           "Why is this bad?\n"
           "  A coroutine runs once: the second await raises `RuntimeError: "
           "cannot reuse\n  already awaited coroutine`. (Tasks and futures "
           "may be awaited many times:\n  they are not flagged.)\n\n"
           "Example\n"
           "  c = fetch()\n"
           "  first = await c\n"
           "  again = await c\n\n"
           "Use instead\n"
           "  result = await fetch()\n"
           "  # or: task = asyncio.create_task(fetch()), awaited twice\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_coroutine_reuse,
};

// --- AL105 unconsumed-coroutine-collection ----------------------------------

// Whether a collection whose context is ctx (and binding b) is dropped or
// bound to a name that is never read.
static bool collection_unused(const al_facts *f, const al_read_set *rs,
                              uint8_t ctx, uint32_t binding) {
  if (ctx == AL_CTX_STMT)
    return true;
  if (ctx != AL_CTX_ASSIGN || binding == AL_NONE)
    return false;
  const al_binding *b = &f->binds.items[binding];
  // Counted (`len(coros)`) is not consumed: nothing awaits them.
  return al_in_function(f, b->scope) &&
         !al_name_is_consumed(rs, b->scope, b->name);
}

static void check_collections(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  if (f->comps.len == 0 && f->calls.len == 0)
    return;
  al_read_set rs;
  al_read_set_build(&rs, f, ctx->arena);
  // Comprehensions whose element is a coroutine call.
  bool *reported =
      f->comps.len ? al_arena_alloc(ctx->arena, f->comps.len) : NULL;
  for (uint32_t i = 0; i < f->calls.len; i++) {
    const al_call *c = &f->calls.items[i];
    if (c->ctx == AL_CTX_COMPREHENSION && c->parent_call != AL_NONE &&
        c->parent_call < f->comps.len && !reported[c->parent_call]) {
      const al_comp *comp = &f->comps.items[c->parent_call];
      if (comp->kind == AL_COMP_DICT ||
          !collection_unused(f, &rs, comp->ctx, comp->binding))
        continue;
      al_target t = al_index_resolve_callee(ctx->index, ctx->file, i);
      if (!al_index_is_coroutine_function(ctx->index, t))
        continue;
      reported[c->parent_call] = true;
      al_report(ctx, self, comp->span,
                al_rules_describe(ctx, al_rules_written(ctx, i), &t));
      continue;
    }
    // map(coroutine_function, items), or list(map(...)) (tuple, set):
    // the collection's context is the outer call's.
    if (c->callee.kind != AL_REF_DOTTED ||
        !al_str_eq_c(c->callee.dotted, "map") || c->n_args < 2)
      continue;
    uint32_t holder = i; // the call whose value is the collection
    if (c->ctx == AL_CTX_ARG && c->parent_call != AL_NONE) {
      const al_call *p = &f->calls.items[c->parent_call];
      if (p->callee.kind == AL_REF_DOTTED && p->n_args == 1 &&
          (al_str_eq_c(p->callee.dotted, "list") ||
           al_str_eq_c(p->callee.dotted, "tuple") ||
           al_str_eq_c(p->callee.dotted, "set")))
        holder = c->parent_call;
    }
    uint8_t hctx = f->calls.items[holder].ctx;
    if (hctx != AL_CTX_STMT && hctx != AL_CTX_ASSIGN)
      continue;
    const al_arg *fn = &f->args.items[c->first_arg];
    if (fn->kind != AL_ARG_REF || fn->index != 0)
      continue;
    al_target m = al_index_resolve_callee(ctx->index, ctx->file, i);
    if (m.kind != AL_TARGET_EXTERNAL || strcmp(m.qualname, "builtins.map"))
      continue;
    uint32_t binding = AL_NONE;
    if (hctx == AL_CTX_ASSIGN) {
      for (uint32_t b = 0; b < f->binds.len; b++)
        if (f->binds.items[b].kind == AL_BIND_ASSIGN &&
            f->binds.items[b].target == holder)
          binding = b;
    }
    if (!collection_unused(f, &rs, hctx, binding))
      continue;
    al_target t = al_index_resolve(ctx->index, ctx->file, c->scope, &fn->ref);
    if (!al_index_is_coroutine_function(ctx->index, t))
      continue;
    const char *written = al_rules_ref_text(ctx, &fn->ref);
    al_report(ctx, self, c->span, al_rules_describe(ctx, written, &t));
  }
  al_map_free(&rs.set);
}

const al_rule al_rule_unconsumed_coroutine_collection = {
    .code = "AL105",
    .name = "unconsumed-coroutine-collection",
    .summary = "a collection of coroutines that is never awaited or gathered",
    .message = "these coroutines of %s are collected but never awaited, "
               "gathered or turned into tasks; pass them to asyncio.gather",
    .doc = "What it does\n"
           "  Flags a comprehension or `map()` that builds coroutines which "
           "are then dropped\n  or bound to a name that is never used: "
           "`results = [call_api(x) for x in items]`.\n\n"
           "Why is this bad?\n"
           "  Building the list does not run anything: every coroutine in it "
           "is lost.\n\n"
           "Example\n"
           "  async def refresh(items):\n"
           "      updates = [update(i) for i in items]\n\n"
           "Use instead\n"
           "  async def refresh(items):\n"
           "      await asyncio.gather(*[update(i) for i in items])\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_collections,
};
