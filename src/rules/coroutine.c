// SPDX-License-Identifier: MIT
/*
 * Coroutine lifecycle (AL1xx): coroutines created and dropped (AL100),
 * coroutine functions passed where a coroutine is expected (AL107), and
 * `await` / `async with` / `async for` outside async functions (AL110).
 * What counts as a coroutine function comes from the index (the tree's
 * `async def`s) and the catalog (library coroutine functions); this family
 * only decides where such a call or reference is misused.
 */
#include <string.h>

#include "rules/common_p.h"
#include "rules/fixes_p.h"

// --- AL100 unawaited-coroutine ----------------------------------------------

static void check_unawaited(al_rule_ctx *ctx, const al_rule *self,
                            uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->ctx != AL_CTX_STMT)
    return;
  const al_target *t = &ctx->callee;
  const char *what;
  switch (al_index_coroutine_kind(ctx->index, *t)) {
  case AL_CORO_ASYNC:
    what = "is async: this call creates a coroutine";
    break;
  case AL_CORO_WRAPPER:
    what = "returns a coroutine: this call creates a coroutine";
    break;
  case AL_CORO_LIBRARY:
    what = "is a coroutine function: this call creates a coroutine";
    break;
  default:
    if (al_rules_entry(t, AL_CAT_AWAITABLE) &&
        !(t->entry->facets & AL_CAT_TASK)) {
      what = "returns an awaitable";
      break;
    }
    return;
  }
  const char *name = al_rules_describe(ctx, al_rules_written(ctx, call), t);
  al_fixes_await_call(ctx, al_report(ctx, self, c->span, name, what), call);
}

const al_rule al_rule_unawaited_coroutine = {
    .code = "AL100",
    .name = "unawaited-coroutine",
    .summary = "a coroutine or awaitable is created and dropped",
    .message = "%s %s that is never awaited; add 'await'",
    .doc = "What it does\n"
           "  Flags a call of a coroutine function (an `async def` of the "
           "tree, or a library\n  coroutine such as asyncio.sleep) or of an "
           "awaitable-returning function\n  (asyncio.gather) whose result is "
           "dropped: an expression statement, also in\n  try bodies, "
           "branches and loops.\n\n"
           "Why is this bad?\n"
           "  Calling an `async def` does not run it: it only builds a "
           "coroutine object.\n  Dropped, the coroutine never runs (Python "
           "warns \"coroutine ... was never\n  awaited\" at garbage "
           "collection, if at all), so the work silently does not happen.\n\n"
           "Example\n"
           "  async def save(user): ...\n\n"
           "  async def handler(user):\n"
           "      save(user)\n\n"
           "Use instead\n"
           "  async def handler(user):\n"
           "      await save(user)\n",
    .equivalents = "ASYNC105, reportUnusedCoroutine, unused-coroutine",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_unawaited,
};

// --- AL107 coroutine-function-not-called -----------------------------------

static bool expects_awaitable(const al_catalog_entry *e, const al_arg *a) {
  if (a->kind == AL_ARG_REF || a->kind == AL_ARG_CALL) {
    if (a->index == AL_ARG_KEYWORD)
      return e->awaitable_keyword.len &&
             al_str_eq(a->keyword, e->awaitable_keyword) &&
             !e->awaitable_elements;
    if (e->awaitable_all_positional)
      return true;
    return a->index < 32 && (e->awaitable_positions & (1u << a->index)) &&
           !e->awaitable_elements;
  }
  if (a->kind == AL_ARG_ELEMENT && e->awaitable_elements) {
    if (a->index == AL_ARG_KEYWORD)
      return e->awaitable_keyword.len &&
             al_str_eq(a->keyword, e->awaitable_keyword);
    return a->index < 32 && (e->awaitable_positions & (1u << a->index));
  }
  return false;
}

// Whether the tree function t may need arguments: it has parameters (a
// method's first one aside). Library functions are not known: they may.
static bool may_take_arguments(al_rule_ctx *ctx, const al_target *t) {
  if (t->kind != AL_TARGET_FUNCTION)
    return t->kind == AL_TARGET_EXTERNAL;
  if (strcmp(t->qualname, AL_PARTIAL_QUALNAME) == 0)
    return false; // the partial holds its arguments
  const al_facts *f = al_rule_file(ctx, t->file)->facts;
  const al_scope *s = &f->scopes.items[t->scope];
  uint32_t n = 0;
  for (uint32_t i = 0; i < f->binds.len; i++)
    n += f->binds.items[i].scope == t->scope &&
         f->binds.items[i].kind == AL_BIND_PARAM;
  bool method =
      s->parent != AL_NONE && f->scopes.items[s->parent].kind == AL_SCOPE_CLASS;
  return n > (method ? 1u : 0u);
}

// The fix for coroutine function `written` passed to the current call: the
// call that makes its coroutine, wrapped in a task for asyncio.wait (which
// refuses bare coroutines since Python 3.11).
static const char *not_called_fix(al_rule_ctx *ctx, const char *written,
                                  const al_target *at, const char **needs) {
  const char *args = may_take_arguments(ctx, at) ? "(...)" : "()";
  if (ctx->callee.kind == AL_TARGET_EXTERNAL &&
      strcmp(ctx->callee.qualname, "asyncio.wait") == 0) {
    *needs = "tasks or futures";
    return al_arena_printf(ctx->arena, "asyncio.create_task(%s%s)", written,
                           args);
  }
  *needs = "a coroutine object";
  return al_arena_printf(ctx->arena, "%s%s", written, args);
}

// Whether function t, passed as argument a of a call of scope `scope`, can
// be called with no arguments: it has no required parameter, or (a method
// of a class, no decorators) only `self`, bound by passing it as
// `self.name` from a plain method of a class. Partials and library
// functions are not known well enough.
static bool callable_bare(al_rule_ctx *ctx, const al_target *t, const al_arg *a,
                          uint32_t scope) {
  if (t->kind != AL_TARGET_FUNCTION || t->qualname[0] ||
      (a->kind != AL_ARG_REF && a->kind != AL_ARG_ELEMENT))
    return false;
  const al_facts *tf = al_rule_file(ctx, t->file)->facts;
  const al_scope *ts = &tf->scopes.items[t->scope];
  uint32_t required = 0;
  for (uint32_t i = 0; i < tf->binds.len; i++) {
    const al_binding *b = &tf->binds.items[i];
    required += b->scope == t->scope && b->kind == AL_BIND_PARAM &&
                !(b->flags & AL_BIND_OPTIONAL);
  }
  if (required == 0)
    return true;
  // self.name inside a plain method: a bound method when both are plain
  // methods of classes.
  const al_facts *f = ctx->facts;
  if (required != 1 || ts->n_decorators || ts->parent == AL_NONE ||
      tf->scopes.items[ts->parent].kind != AL_SCOPE_CLASS)
    return false;
  const al_scope *here = &f->scopes.items[scope];
  if ((here->kind != AL_SCOPE_FUNCTION &&
       here->kind != AL_SCOPE_ASYNC_FUNCTION) ||
      here->n_decorators || here->parent == AL_NONE ||
      f->scopes.items[here->parent].kind != AL_SCOPE_CLASS ||
      here->first_param.len == 0)
    return false;
  al_str d = a->ref.dotted;
  size_t n = here->first_param.len;
  return d.len > n + 1 && memcmp(d.ptr, here->first_param.ptr, n) == 0 &&
         d.ptr[n] == '.' && !memchr(d.ptr + n + 1, '.', d.len - n - 1);
}

// The fix of AL107: call the function where it is passed, wrapped in a
// task for asyncio.wait (only in an async def, where a loop runs, and with
// asyncio named in the module as the call names it: `M.wait`).
static void fix_not_called(al_rule_ctx *ctx, al_diag *d, const al_call *c,
                           const al_arg *a, const al_target *at,
                           const char *written) {
  if (!d || !callable_bare(ctx, at, a, c->scope))
    return;
  uint32_t end = a->span.end_byte;
  if (ctx->callee.kind != AL_TARGET_EXTERNAL ||
      strcmp(ctx->callee.qualname, "asyncio.wait") != 0) {
    al_fix *fix =
        al_fix_new(ctx, d, AL_FIX_UNSAFE,
                   al_arena_printf(ctx->arena, "Pass `%s()`", written));
    al_fix_edit(ctx, fix, end, end, "()");
    return;
  }
  al_str m = c->callee.dotted;
  if (c->callee.kind != AL_REF_DOTTED || m.len <= 5 ||
      !al_str_eq_c((al_str){m.ptr + m.len - 5, 5}, ".wait") ||
      !al_fixes_can_await(ctx->facts, c->scope, c->span))
    return;
  const char *mod = al_arena_strndup(ctx->arena, m.ptr, m.len - 5);
  if (!al_fixes_names(ctx, c->scope, (al_str){m.ptr, m.len - 5}, "asyncio",
                      "create_task"))
    return;
  al_fix *fix = al_fix_new(
      ctx, d, AL_FIX_UNSAFE,
      al_arena_printf(ctx->arena, "Pass `%s.create_task(%s())`", mod, written));
  al_fix_edit(ctx, fix, a->span.start_byte, a->span.start_byte,
              al_arena_printf(ctx->arena, "%s.create_task(", mod));
  al_fix_edit(ctx, fix, end, end, "())");
}

static void check_not_called(al_rule_ctx *ctx, const al_rule *self,
                             uint32_t call) {
  const al_catalog_entry *e =
      al_rules_entry(&ctx->callee, AL_CAT_EXPECTS_AWAITABLE);
  if (!e)
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  const char *callee = NULL;
  for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++) {
    const al_arg *a = &f->args.items[i];
    if (!expects_awaitable(e, a))
      continue;
    const char *written = NULL;
    al_target at = al_rules_callable_arg(ctx, c->scope, a, &written);
    if (!al_index_is_coroutine_function(ctx->index, at))
      continue;
    if (!callee)
      callee = al_rules_written(ctx, call);
    const char *needs;
    const char *fix = not_called_fix(ctx, written, &at, &needs);
    al_diag *d =
        al_report(ctx, self, a->span, al_rules_describe(ctx, written, &at),
                  callee, needs, fix);
    fix_not_called(ctx, d, c, a, &at, written);
  }
}

const al_rule al_rule_coroutine_function_not_called = {
    .code = "AL107",
    .name = "coroutine-function-not-called",
    .summary = "a coroutine function is passed where a coroutine is expected",
    .message = "%s is a coroutine function passed without calling it: '%s' "
               "needs %s; write '%s'",
    .doc = "What it does\n"
           "  Flags a coroutine function passed without parentheses where a "
           "coroutine or\n  awaitable is expected: asyncio.run(main), "
           "asyncio.gather(f, g),\n  asyncio.create_task(f), "
           "asyncio.wait([f]), loop.run_until_complete(main), ...\n\n"
           "Why is this bad?\n"
           "  These APIs need the coroutine object, not the function that "
           "makes it: they\n  raise TypeError (\"a coroutine was expected\") "
           "at run time, or, for gather,\n  treat the function as a "
           "non-awaitable and fail.\n\n"
           "Example\n"
           "  async def main(): ...\n\n"
           "  asyncio.run(main)\n\n"
           "Use instead\n"
           "  asyncio.run(main())\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_not_called,
};

// --- AL110 await-outside-async ----------------------------------------------

static void check_await_outside(al_rule_ctx *ctx, const al_rule *self,
                                uint32_t site) {
  const al_facts *f = ctx->facts;
  const al_async_site *a = &f->asyncs.items[site];
  if (a->kind == AL_ASYNC_AWAIT && (a->flags & AL_ASYNC_IN_GENEXP))
    return; // an async generator expression: legal in any function
  uint32_t scope;
  al_scope_kind k = al_rules_running_in(f, a->scope, &scope);
  if (k != AL_SCOPE_FUNCTION && k != AL_SCOPE_LAMBDA)
    return;
  static const char *const words[] = {
      [AL_ASYNC_AWAIT] = "await",
      [AL_ASYNC_WITH] = "async with",
      [AL_ASYNC_FOR] = "async for",
      [AL_ASYNC_COMPREHENSION] = "async for",
  };
  const char *word = words[a->kind];
  if (k == AL_SCOPE_LAMBDA) {
    al_report(ctx, self, a->span, word, "a lambda",
              "move it into an async function");
    return;
  }
  const al_scope *s = &f->scopes.items[scope];
  const char *where = al_arena_printf(ctx->arena, "plain function '%.*s'",
                                      (int)s->name.len, s->name.ptr);
  const char *fix = al_arena_printf(ctx->arena, "make '%.*s' async",
                                    (int)s->name.len, s->name.ptr);
  al_report(ctx, self, a->span, word, where, fix);
}

const al_rule al_rule_await_outside_async = {
    .code = "AL110",
    .name = "await-outside-async",
    .summary = "await / async with / async for inside a plain def or lambda",
    .message = "'%s' inside %s: a SyntaxError when the module is imported; %s",
    .doc = "What it does\n"
           "  Flags `await`, `async with`, `async for` and async "
           "comprehensions inside a\n  plain `def` or a `lambda` (also a "
           "plain def nested in an async def).\n\n"
           "Why is this bad?\n"
           "  It is a SyntaxError, but only when the module is compiled: a "
           "rarely imported\n  module can carry it for a long time.\n\n"
           "Example\n"
           "  def load(db):\n"
           "      return await db.fetch()\n\n"
           "Use instead\n"
           "  async def load(db):\n"
           "      return await db.fetch()\n",
    .equivalents = "PLE1142",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_ASYNCS,
    .check_async = check_await_outside,
};

// --- shared: is this call's value a coroutine? -------------------------------

// Why calling a target of this kind makes a coroutine, for messages.
static const char *coro_kind_text(al_coro_kind k) {
  switch (k) {
  case AL_CORO_ASYNC:
    return "is async";
  case AL_CORO_WRAPPER:
    return "returns a coroutine";
  case AL_CORO_LIBRARY:
    return "is a coroutine function";
  default:
    return NULL;
  }
}

// How the current call makes a coroutine, described for messages (NULL when
// it does not). Awaitables from the catalog count for conditions and values
// too: a future is no more a boolean than a coroutine is.
static const char *coroutine_source(al_rule_ctx *ctx, bool awaitables) {
  const al_target *t = &ctx->callee;
  const char *why = coro_kind_text(al_index_coroutine_kind(ctx->index, *t));
  if (!why && awaitables &&
      (al_rules_entry(t, AL_CAT_AWAITABLE | AL_CAT_TASK) ||
       al_index_returns_awaitable(ctx->index, *t)))
    return "returns an awaitable";
  return why;
}

// --- AL101 coroutine-as-condition -------------------------------------------

static void check_condition(al_rule_ctx *ctx, const al_rule *self,
                            uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->ctx != AL_CTX_CONDITION)
    return;
  const char *src = coroutine_source(ctx, false);
  // A future or task runs whatever its truth value: only "always true" holds.
  const char *why = "the coroutine object is always true here and the call "
                    "never runs";
  if (!src) {
    const al_catalog_entry *e =
        al_rules_entry(&ctx->callee, AL_CAT_AWAITABLE | AL_CAT_TASK);
    if (!e && !al_index_returns_awaitable(ctx->index, ctx->callee))
      return;
    bool task = e && (e->facets & AL_CAT_TASK) != 0;
    src = task ? "returns a task" : "returns an awaitable";
    why = task ? "the task object is always true here, whatever its result"
               : "the awaitable is always true here, whatever its result";
  }
  al_diag *d = al_report(
      ctx, self, c->span,
      al_rules_describe(ctx, al_rules_written(ctx, call), &ctx->callee), src,
      why);
  al_fixes_await_call(ctx, d, call);
}

// --- properties read as values (AL101, AL102) ------------------------------

// The property attribute read r reads, when its getter makes a coroutine
// (or, with awaitable non-NULL, a getter annotated `-> Awaitable[...]`,
// *awaitable then set): why, for messages (NULL otherwise), and the read
// described in *subject.
static const char *property_source(al_rule_ctx *ctx, const al_attr_read *r,
                                   const char **subject, bool *awaitable) {
  al_target g =
      al_index_property_getter(ctx->index, ctx->file, r->scope, r->dotted);
  const char *why;
  switch (al_index_getter_kind(ctx->index, g)) {
  case AL_CORO_ASYNC:
    why = "has an async getter";
    break;
  case AL_CORO_WRAPPER:
    why = "has a getter that returns a coroutine";
    break;
  default:
    if (!awaitable || !al_index_getter_awaitable(ctx->index, g))
      return NULL;
    *awaitable = true;
    why = "has a getter that returns an awaitable";
    break;
  }
  const char *written =
      al_arena_strndup(ctx->arena, r->dotted.ptr, r->dotted.len);
  *subject = al_arena_printf(ctx->arena, "property %s",
                             al_rules_describe(ctx, written, &g));
  return why;
}

static const char *binding_coroutine(al_rule_ctx *ctx, const al_binding *b,
                                     al_target *t);

// A name bound to a call, as the messages of AL101 and AL102 name it:
// "'rows', bound on line 7 to a call of 'store.rows' (...), which".
static const char *bound_name(al_rule_ctx *ctx, const al_binding *b,
                              const al_target *t) {
  const char *callee =
      al_rules_describe(ctx, al_rules_written(ctx, b->target), t);
  return al_arena_printf(ctx->arena,
                         "'%.*s', bound on line %u to a call of %s, which",
                         (int)b->name.len, b->name.ptr,
                         al_facts_line(ctx->facts, b->span), callee);
}

// `rec = self.read_one()` then `if rec:`: a name bound once in its
// function to a coroutine call alone, tested in the same function.
static void check_condition_names(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < f->uses.len; i++) {
    const al_use *u = &f->uses.items[i];
    const al_binding *b = &f->binds.items[u->binding];
    if (u->ctx != AL_CTX_CONDITION || u->scope != b->scope ||
        b->kind != AL_BIND_ASSIGN || b->target == AL_NONE ||
        (b->flags & AL_BIND_BRANCH_VALUE) ||
        f->calls.items[b->target].ctx != AL_CTX_ASSIGN ||
        al_rules_bound_elsewhere(f, u->binding))
      continue;
    al_target t;
    const char *src = binding_coroutine(ctx, b, &t);
    if (!src)
      continue;
    al_report(ctx, self, u->span, bound_name(ctx, b, &t), src,
              "the coroutine object is always true here");
  }
}

// `if self.ready:` where ready is a property with an async getter.
static void check_condition_properties(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  check_condition_names(ctx, self);
  for (uint32_t i = 0; i < f->reads.len; i++) {
    const al_attr_read *r = &f->reads.items[i];
    const char *subject, *why;
    bool awaitable = false;
    if (r->ctx != AL_CTX_CONDITION ||
        !(why = property_source(ctx, r, &subject, &awaitable)))
      continue;
    al_diag *d = al_report(
        ctx, self, r->span, subject, why,
        awaitable ? "the awaitable is always true here, whatever its result"
                  : "the coroutine object is always true here and the call "
                    "never runs");
    al_fixes_add_await(ctx, d, r->scope, r->span, false);
  }
}

const al_rule al_rule_coroutine_as_condition = {
    .code = "AL101",
    .name = "coroutine-as-condition",
    .summary = "a coroutine used as a truth value (always true)",
    .message = "%s %s: %s; add 'await'",
    .doc = "What it does\n"
           "  Flags a call of a coroutine function used as a truth value: "
           "`if check():`,\n  `while poll():`, `not f()`, `f() and x`, "
           "`assert f()`, conditional expression\n  tests and comprehension "
           "`if` clauses.\n\n"
           "Why is this bad?\n"
           "  A coroutine object is always true, so the branch is always "
           "taken (or never,\n  under `not`), and the check itself never "
           "runs.\n\n"
           "Example\n"
           "  async def is_admin(user): ...\n\n"
           "  async def delete(user):\n"
           "      if is_admin(user):\n"
           "          ...\n\n"
           "Use instead\n"
           "  async def delete(user):\n"
           "      if await is_admin(user):\n"
           "          ...\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS | AL_WANTS_FILE,
    .check_call = check_condition,
    .check_file = check_condition_properties,
};

// --- AL102 coroutine-used-as-value ------------------------------------------

// Attributes that make sense on a coroutine object itself.
static const char *const coroutine_attributes[] = {
    "send",     "throw",        "close",     "__await__", "cr_await",
    "cr_frame", "cr_running",   "cr_code",   "cr_origin", "cr_suspended",
    "__name__", "__qualname__", "__class__", "__del__",   NULL};

static bool is_coroutine_attribute(al_str name) {
  for (int i = 0; coroutine_attributes[i]; i++)
    if (al_str_eq_c(name, coroutine_attributes[i]))
      return true;
  return false;
}

// The same for a read's attribute, known by its hash (a collision can only
// keep a finding back).
static bool is_coroutine_attribute_hash(uint32_t hash) {
  for (int i = 0; coroutine_attributes[i]; i++)
    if (al_use_attr_hash(al_str_from(coroutine_attributes[i])) == hash)
      return true;
  return false;
}

// Functions that use their argument's value (a coroutine there is a bug).
static bool consumes_value(const al_target *t) {
  static const char *const names[] = {"builtins.print",
                                      "builtins.len",
                                      "builtins.str",
                                      "builtins.repr",
                                      "builtins.int",
                                      "builtins.float",
                                      "builtins.bool",
                                      "builtins.list",
                                      "builtins.tuple",
                                      "builtins.dict",
                                      "builtins.set",
                                      "builtins.frozenset",
                                      "builtins.sorted",
                                      "builtins.sum",
                                      "builtins.min",
                                      "builtins.max",
                                      "builtins.any",
                                      "builtins.all",
                                      "builtins.format",
                                      "builtins.enumerate",
                                      "builtins.zip",
                                      "builtins.iter",
                                      "builtins.next",
                                      "builtins.reversed",
                                      "builtins.abs",
                                      "builtins.round",
                                      "json.dumps",
                                      "json.dump",
                                      NULL};
  if (t->kind != AL_TARGET_EXTERNAL)
    return false;
  for (int i = 0; names[i]; i++)
    if (strcmp(t->qualname, names[i]) == 0)
      return true;
  return false;
}

static bool shows_object(const al_target *t);

// A plain def annotated `-> Awaitable[...]` may return a future: its
// attributes (`.add_done_callback`, `.result()`) and showing it are fine,
// but it is no container, number or iterable. The message fragment when
// the call's context rules it out, else NULL.
static const char *annotated_awaitable_value(al_rule_ctx *ctx,
                                             const al_call *c) {
  if (c->ctx == AL_CTX_ATTRIBUTE || c->ctx == AL_CTX_FSTRING ||
      !al_index_returns_awaitable(ctx->index, ctx->callee))
    return NULL;
  if (c->ctx == AL_CTX_ARG) {
    al_target p =
        al_index_resolve_callee(ctx->index, ctx->file, c->parent_call);
    if (shows_object(&p))
      return NULL;
  }
  return "returns an awaitable";
}

// Whether async def `scope` may mean to return an awaitable: its return
// annotation (if any) names one, `Any`/`object` (AL_SCOPE_VAGUE_RETURN),
// a union or something unreadable. No annotation, `-> None` or a plain
// class: it may not.
static bool declares_awaitable_result(const al_facts *f, uint32_t scope) {
  if (f->scopes.items[scope].flags & AL_SCOPE_VAGUE_RETURN)
    return true;
  static const char *const heads[] = {"Awaitable", "Coroutine", "Future",
                                      "Task",      "Any",       "object",
                                      "Generator", NULL};
  for (uint32_t i = 0; i < f->annots.len; i++) {
    const al_annot *a = &f->annots.items[i];
    if (a->role != AL_ANNOT_RETURN || a->owner != scope)
      continue;
    if (a->kind == AL_ANNOT_NONE)
      return false;
    if (a->kind != AL_ANNOT_NAME && a->kind != AL_ANNOT_SUBSCRIPT)
      return true;
    al_str last = a->name;
    for (size_t k = a->name.len; k-- > 0;)
      if (a->name.ptr[k] == '.') {
        last = (al_str){a->name.ptr + k + 1, a->name.len - k - 1};
        break;
      }
    for (int k = 0; heads[k]; k++)
      if (al_str_eq_c(last, heads[k]))
        return true;
    return false;
  }
  return false;
}

// `return fetch()` in an async def (not a generator): the caller awaits
// this function and gets the inner coroutine, never its result.
static const char *returned_how(al_rule_ctx *ctx, uint32_t scope) {
  const al_facts *f = ctx->facts;
  const al_scope *s = &f->scopes.items[scope];
  if (s->kind != AL_SCOPE_ASYNC_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      declares_awaitable_result(f, scope))
    return NULL;
  return al_arena_printf(ctx->arena,
                         "returned un-awaited from async function '%.*s' "
                         "(its caller's await gives the coroutine)",
                         (int)s->name.len, s->name.ptr);
}

// `return self._close()` where _close is an async stub (`raise
// NotImplementedError`, `...`): a subclass may override it with a plain
// def returning a future, as motor's cursors do.
static bool overridable_stub(al_rule_ctx *ctx, const al_call *c) {
  const al_target *t = &ctx->callee;
  if (t->kind != AL_TARGET_FUNCTION || c->callee.kind != AL_REF_DOTTED ||
      c->callee.dotted.len < 5 || memcmp(c->callee.dotted.ptr, "self.", 5))
    return false;
  const al_facts *tf = al_rule_file(ctx, t->file)->facts;
  return (tf->scopes.items[t->scope].flags & AL_SCOPE_STUB) != 0;
}

static void check_value(al_rule_ctx *ctx, const al_rule *self, uint32_t call) {
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  const char *how;
  switch ((al_ctx)c->ctx) {
  case AL_CTX_RETURN:
    if (overridable_stub(ctx, c) || !(how = returned_how(ctx, c->scope)))
      return;
    break;
  case AL_CTX_OPERAND:
    how = "used as an operand";
    break;
  case AL_CTX_SUBSCRIPT:
    how = "subscripted";
    break;
  case AL_CTX_ATTRIBUTE:
    if (is_coroutine_attribute(c->ctx_name))
      return;
    how = "used for an attribute";
    break;
  case AL_CTX_ITER:
    how = "iterated over";
    break;
  case AL_CTX_FSTRING:
    how = "formatted into an f-string";
    break;
  case AL_CTX_UNPACK:
    how = "unpacked";
    break;
  case AL_CTX_ARG: {
    if (c->parent_call == AL_NONE)
      return;
    al_target p =
        al_index_resolve_callee(ctx->index, ctx->file, c->parent_call);
    if (!consumes_value(&p))
      return;
    how = "passed as a value";
    break;
  }
  default:
    return;
  }
  const char *src = coroutine_source(ctx, false);
  if (!src)
    src = annotated_awaitable_value(ctx, c);
  if (!src)
    return;
  // What it makes, as the message names it: a coroutine object, or (a
  // catalog future, a def annotated -> Awaitable) an awaitable.
  const char *obj = strcmp(src, "returns an awaitable") == 0
                        ? "the awaitable"
                        : "its coroutine object";
  al_diag *d = al_report(
      ctx, self, c->span,
      al_rules_describe(ctx, al_rules_written(ctx, call), &ctx->callee), src,
      obj, how);
  al_fixes_await_call(ctx, d, call);
}

// Functions that show an object rather than use its value.
static bool shows_object(const al_target *t) {
  static const char *const names[] = {"builtins.print", "builtins.repr",
                                      "builtins.str", "builtins.format", NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(t->qualname, names[i]) == 0)
      return true;
  return false;
}

// How a read of a name uses its value (NULL: in no way a coroutine
// object rules out).
static const char *value_use(al_rule_ctx *ctx, const al_use *u) {
  switch ((al_ctx)u->ctx) {
  case AL_CTX_OPERAND:
    // c is None, c in pending, c == other: the object itself may be meant.
    return u->flags & AL_USE_COMPARED ? NULL : "used as an operand";
  case AL_CTX_SUBSCRIPT:
    return "subscripted";
  case AL_CTX_ATTRIBUTE:
    return is_coroutine_attribute_hash(u->attr_hash) ? NULL
                                                     : "used for an attribute";
  case AL_CTX_ITER:
    return "iterated over";
  case AL_CTX_UNPACK:
    return "unpacked";
  case AL_CTX_RETURN:
    return returned_how(ctx, u->scope);
  case AL_CTX_ARG: {
    // Showing the object itself (print(c), repr(c), f"{c}") may be meant:
    // the name still holds the coroutine for later.
    if (u->parent_call == AL_NONE)
      return NULL;
    al_target p =
        al_index_resolve_callee(ctx->index, ctx->file, u->parent_call);
    return consumes_value(&p) && !shows_object(&p) ? "passed as a value" : NULL;
  }
  default:
    return NULL;
  }
}

// What a binding's call makes, for check_value_names: a message fragment
// when it is a coroutine, else NULL.
static const char *binding_coroutine(al_rule_ctx *ctx, const al_binding *b,
                                     al_target *t) {
  *t = al_index_resolve_callee(ctx->index, ctx->file, b->target);
  return coro_kind_text(al_index_coroutine_kind(ctx->index, *t));
}

// Whether every read of binding `which` (all recorded: it holds a call's
// value) uses the value, in the binding's own scope: then `await` at the
// call gives each read the result it wants, and takes no coroutine from a
// read that awaits it or passes it on.
static bool every_read_a_value(al_rule_ctx *ctx, uint32_t which) {
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < f->uses.len; i++) {
    const al_use *u = &f->uses.items[i];
    if (u->binding == which &&
        (u->scope != f->binds.items[which].scope || !value_use(ctx, u)))
      return false;
  }
  return true;
}

// Per binding, what check_value_names found out.
enum { NAME_UNSEEN, NAME_SKIP, NAME_CORO };

// The same misuse through a name: `user = User.get(pk)` then `user.name`.
// Only a name bound once in its function, to the coroutine call alone, and
// read in the same function; a name never read at all is AL103's. The
// first such read of a binding is reported (one 'await' fixes them all).
static void check_value_names(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  uint8_t *state = NULL; // by binding: NAME_*
  for (uint32_t i = 0; i < f->uses.len; i++) {
    const al_use *u = &f->uses.items[i];
    const al_binding *b = &f->binds.items[u->binding];
    // The cheap tests first: most reads are awaits and arguments.
    if (u->ctx == AL_CTX_AWAIT || u->scope != b->scope ||
        b->kind != AL_BIND_ASSIGN || b->target == AL_NONE ||
        f->calls.items[b->target].ctx != AL_CTX_ASSIGN)
      continue;
    // Arguments and returns are the most common reads: their use is
    // judged only once the binding is known to hold a coroutine.
    const char *how = NULL;
    if (u->ctx != AL_CTX_ARG && u->ctx != AL_CTX_RETURN &&
        !(how = value_use(ctx, u)))
      continue;
    if (!state)
      state = al_arena_alloc(ctx->arena, f->binds.len);
    al_target t;
    const char *src = NULL;
    if (state[u->binding] == NAME_UNSEEN) {
      src = binding_coroutine(ctx, b, &t);
      state[u->binding] = src && !al_rules_bound_elsewhere(f, u->binding)
                              ? NAME_CORO
                              : NAME_SKIP;
    }
    if (state[u->binding] != NAME_CORO)
      continue;
    if (!how && !(how = value_use(ctx, u)))
      continue;
    if (!src)
      src = binding_coroutine(ctx, b, &t);
    al_diag *d = al_report(ctx, self, u->span, bound_name(ctx, b, &t), src,
                           "its coroutine object", how);
    if (d && every_read_a_value(ctx, u->binding))
      al_fixes_await_call(ctx, d, b->target);
    state[u->binding] = NAME_SKIP; // one 'await' fixes every read
  }
}

// `self.data["k"]`, `len(self.data)` where data is a property with an
// async getter: the read's context as a name read's (value_use).
static void check_value_properties(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < f->reads.len; i++) {
    const al_attr_read *r = &f->reads.items[i];
    if (r->ctx == AL_CTX_CONDITION)
      continue;
    al_use u = {.parent_call = r->parent_call,
                .ctx = r->ctx,
                .attr_hash = r->attr_hash,
                .flags = r->flags};
    const char *how = value_use(ctx, &u), *subject, *why;
    if (!how || !(why = property_source(ctx, r, &subject, NULL)))
      continue;
    al_diag *d = al_report(ctx, self, r->span, subject, why,
                           "its coroutine object", how);
    al_fixes_add_await(ctx, d, r->scope, r->span,
                       r->ctx == AL_CTX_ATTRIBUTE ||
                           r->ctx == AL_CTX_SUBSCRIPT ||
                           (r->flags & AL_USE_POWER_BASE));
  }
}

static void check_value_file(al_rule_ctx *ctx, const al_rule *self) {
  check_value_names(ctx, self);
  check_value_properties(ctx, self);
}

const al_rule al_rule_coroutine_used_as_value = {
    .code = "AL102",
    .name = "coroutine-used-as-value",
    .summary = "a coroutine used as if it were its result",
    .message = "%s %s: %s is %s instead of the result; add 'await'",
    .doc = "What it does\n"
           "  Flags a call of a coroutine function whose coroutine object is "
           "used as if it\n  were the result: `fetch() + \"!\"`, "
           "`fetch()[\"k\"]`, `fetch().json`,\n  `for x in fetch():`, "
           "`len(fetch())`, `str(...)`, `print(...)`, f-string fields,\n  "
           "comparisons, unpacking, and `return fetch()` in an `async def` "
           "(whose\n  return annotation, if any, names no awaitable and "
           "not `Any`); also through\n  a local name bound once to the "
           "call (`user = User.get(pk)` then `user.name`),\n  at its first "
           "such use.\n\n"
           "Why is this bad?\n"
           "  The coroutine never runs, and the expression fails with a "
           "TypeError or\n  AttributeError, or silently works on the wrong "
           "object (comparisons, print).\n  A returned coroutine reaches "
           "the caller's `await` in place of the result,\n  which then "
           "runs nothing or fails later.\n\n"
           "Example\n"
           "  async def fetch_name(uid): ...\n\n"
           "  async def greet(uid):\n"
           "      return \"Hello \" + fetch_name(uid)\n\n"
           "Use instead\n"
           "  async def greet(uid):\n"
           "      return \"Hello \" + await fetch_name(uid)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS | AL_WANTS_FILE,
    .check_call = check_value,
    .check_file = check_value_file,
};

// --- AL109 await-non-awaitable ---------------------------------------------

static void check_await_target(al_rule_ctx *ctx, const al_rule *self,
                               uint32_t site) {
  const al_facts *f = ctx->facts;
  const al_async_site *a = &f->asyncs.items[site];
  if (a->kind != AL_ASYNC_AWAIT)
    return;
  if (a->operand == AL_OPERAND_LITERAL) {
    al_report(ctx, self, a->span, "a literal",
              "a number, string, container or None");
    return;
  }
  if (a->operand != AL_OPERAND_CALL || a->call == AL_NONE)
    return;
  al_target t = al_index_resolve_callee(ctx->index, ctx->file, a->call);
  const char *written = al_rules_written(ctx, a->call);
  if (al_rules_entry(&t, AL_CAT_BLOCKING) &&
      !(t.entry->facets & (AL_CAT_COROUTINE | AL_CAT_AWAITABLE))) {
    const char *why = al_arena_printf(
        ctx->arena, "a blocking sync call: use '%s'", t.entry->replacement);
    al_report(ctx, self, a->span, al_rules_describe(ctx, written, &t), why);
    return;
  }
  if (al_index_returns_non_awaitable(ctx->index, t)) {
    al_report(ctx, self, a->span, al_rules_describe(ctx, written, &t),
              "a plain function that returns no awaitable");
  }
}

const al_rule al_rule_await_non_awaitable = {
    .code = "AL109",
    .name = "await-non-awaitable",
    .summary = "await on something that can never be awaitable",
    .message = "'await' on %s, which is never awaitable (%s): TypeError at "
               "run time",
    .doc = "What it does\n"
           "  Flags `await` on values that can never be awaited: literals, "
           "calls of blocking\n  library functions (`await time.sleep(1)`, "
           "`await requests.get(url)`), and calls\n  of plain functions of "
           "the tree that provably return no awaitable.\n\n"
           "Why is this bad?\n"
           "  It raises TypeError (\"object ... can't be used in 'await' "
           "expression\"), after\n  the blocking call has already blocked "
           "the event loop.\n\n"
           "Example\n"
           "  async def pause():\n"
           "      await time.sleep(1)\n\n"
           "Use instead\n"
           "  async def pause():\n"
           "      await asyncio.sleep(1)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_ASYNCS,
    .check_async = check_await_target,
};
