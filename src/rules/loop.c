// SPDX-License-Identifier: MIT
/*
 * Event loop management (AL4xx): starting a loop where one already runs
 * (AL400), a new loop per iteration of a for/while body (AL401) or per
 * thread (AL402), the deprecated asyncio.get_event_loop() (AL403), and
 * async functions that never await (AL404). Which calls start a loop is
 * catalog data (facets runs-event-loop and new-event-loop); this family
 * decides where such a call is misplaced. AL400 also follows plain helpers
 * of the tree that reach asyncio.run() (al_index_reaches, computed once for
 * the whole tree), with the chain in the message.
 */
#include <string.h>

#include "rules/common_p.h"

// --- AL400 event-loop-run-in-async ------------------------------------------

static void check_run_in_async(al_rule_ctx *ctx, const al_rule *self,
                               uint32_t call) {
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  const char *what;
  if (al_rules_entry(&ctx->callee, AL_CAT_RUNS_EVENT_LOOP)) {
    what = al_rules_describe(ctx, al_rules_written(ctx, call), &ctx->callee);
  } else if (ctx->callee.kind == AL_TARGET_FUNCTION) {
    char chain[512];
    if (!al_index_reaches(ctx->index, ctx->callee, AL_REACH_LOOP_RUN, chain,
                          sizeof chain, NULL))
      return;
    const al_scope *in = &f->scopes.items[c->scope];
    what = al_arena_printf(
        ctx->arena, "%s, by way of %.*s -> %s,",
        al_rules_describe(ctx, al_rules_written(ctx, call), &ctx->callee),
        (int)in->name.len, in->name.ptr, chain);
  } else {
    return;
  }
  if (!al_rules_on_event_loop(f, c->scope))
    return;
  const al_scope *s = &f->scopes.items[c->scope];
  al_report(ctx, self, c->span, what, (int)s->name.len, s->name.ptr);
}

const al_rule al_rule_event_loop_run_in_async = {
    .code = "AL400",
    .name = "event-loop-run-in-async",
    .summary = "asyncio.run() / run_until_complete() inside async def",
    .message = "%s starts an event loop inside async function '%.*s', which "
               "already runs on one: RuntimeError (or a blocked loop); "
               "await the coroutine instead",
    .doc = "What it does\n"
           "  Flags calls that start and run an event loop (asyncio.run(), "
           "loop.run_until_complete(),\n  loop.run_forever(), "
           "asyncio.Runner.run(), trio.run(), anyio.run()) made on the\n  "
           "event loop: directly in an `async def` body.\n\n"
           "Why is this bad?\n"
           "  The coroutine already runs inside an event loop, and a thread "
           "runs one loop at\n  a time: asyncio raises RuntimeError "
           "(\"asyncio.run() cannot be called from a\n  running event "
           "loop\"). Where another library's loop does start, it blocks the "
           "outer\n  loop until it finishes.\n\n"
           "Example\n"
           "  async def handler():\n"
           "      data = asyncio.run(fetch())\n\n"
           "Use instead\n"
           "  async def handler():\n"
           "      data = await fetch()\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_run_in_async,
};

// --- AL401 event-loop-run-in-loop-body ---------------------------------------

static void check_run_in_loop(al_rule_ctx *ctx, const al_rule *self,
                              uint32_t call) {
  if (!al_rules_entry(&ctx->callee, AL_CAT_NEW_EVENT_LOOP))
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  // A loop body, or the element of a comprehension (run once per item).
  if (!(c->flags & AL_CALL_IN_LOOP) && c->ctx != AL_CTX_COMPREHENSION)
    return;
  if (al_rules_on_event_loop(f, c->scope))
    return; // AL400
  al_report(ctx, self, c->span,
            al_rules_describe(ctx, al_rules_written(ctx, call), &ctx->callee));
}

const al_rule al_rule_event_loop_run_in_loop_body = {
    .code = "AL401",
    .name = "event-loop-run-in-loop-body",
    .summary = "asyncio.run() inside a for/while body",
    .message = "%s inside a loop body builds and closes a new event loop on "
               "every iteration: nothing (tasks, connections, locks) "
               "survives between them; run one coroutine that loops",
    .doc = "What it does\n"
           "  Flags asyncio.run() (and trio.run(), anyio.run(): every call "
           "that builds a new\n  event loop for itself) inside the body of "
           "a `for` or `while` loop, or as the\n  element of a "
           "comprehension, outside async functions (there it is AL400).\n\n"
           "Why is this bad?\n"
           "  Each call creates an event loop, runs one coroutine, cancels "
           "what is left and\n  closes the loop. Nothing runs concurrently "
           "across iterations, the set-up cost\n  is paid every time, and "
           "loop-bound objects (client sessions, connection pools,\n  "
           "locks) created in one iteration break in the next.\n\n"
           "Example\n"
           "  for url in urls:\n"
           "      pages.append(asyncio.run(fetch(url)))\n\n"
           "Use instead\n"
           "  async def fetch_all(urls):\n"
           "      return await asyncio.gather(*(fetch(u) for u in urls))\n\n"
           "  pages = asyncio.run(fetch_all(urls))\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_run_in_loop,
};

// --- AL402 event-loop-per-thread --------------------------------------------

// The first call made directly in the body of scope `scope` of file `file`
// (not in nested functions) that runs an event loop; AL_NONE if none.
static uint32_t loop_run_in_body(const al_rule_ctx *ctx, uint32_t file,
                                 uint32_t scope, al_target *callee) {
  const al_facts *f = al_rule_file(ctx, file)->facts;
  for (uint32_t i = 0; i < f->calls.len; i++) {
    if (f->calls.items[i].scope != scope)
      continue;
    al_target t = al_index_resolve_callee(ctx->index, file, i);
    if (al_rules_entry(&t, AL_CAT_RUNS_EVENT_LOOP)) {
      *callee = t;
      return i;
    }
  }
  return AL_NONE;
}

static void check_loop_per_thread(al_rule_ctx *ctx, const al_rule *self,
                                  uint32_t call) {
  const al_target *api = &ctx->callee;
  if (!al_rules_entry(api, AL_CAT_CALLS_SYNC))
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  const char *api_name = NULL;
  for (uint32_t i = c->first_arg; i < c->first_arg + c->n_args; i++) {
    const al_arg *a = &f->args.items[i];
    if (!al_argspec_has(&api->entry->sync_args, a))
      continue;
    const char *what = NULL;
    al_target run;
    if (a->kind == AL_ARG_LAMBDA && a->target != AL_NONE) {
      uint32_t rc = loop_run_in_body(ctx, ctx->file, a->target, &run);
      if (rc != AL_NONE)
        what = al_arena_printf(
            ctx->arena, "through a lambda that calls %s",
            al_rules_describe(ctx, al_rules_written(ctx, rc), &run));
    } else if (a->kind == AL_ARG_REF) {
      al_target t = al_index_resolve(ctx->index, ctx->file, c->scope, &a->ref);
      const char *written = al_rules_ref_text(ctx, &a->ref);
      if (al_rules_entry(&t, AL_CAT_RUNS_EVENT_LOOP)) {
        what = al_arena_printf(ctx->arena, "through %s",
                               al_rules_describe(ctx, written, &t));
      } else if (t.kind == AL_TARGET_FUNCTION) {
        uint32_t rc = loop_run_in_body(ctx, t.file, t.scope, &run);
        if (rc != AL_NONE) {
          // The written name of a call in another file: its qualified name.
          const al_facts *tf = al_rule_file(ctx, t.file)->facts;
          const al_ref *r = &tf->calls.items[rc].callee;
          const char *inner = r->kind == AL_REF_DOTTED
                                  ? al_rules_ref_text(ctx, r)
                                  : run.qualname;
          what = al_arena_printf(ctx->arena, "through %s, which calls %s",
                                 al_rules_describe(ctx, written, &t),
                                 al_rules_describe(ctx, inner, &run));
        }
      }
    }
    if (!what)
      continue;
    if (!api_name)
      api_name = al_rules_written(ctx, call);
    al_report(ctx, self, a->span, api_name, what);
  }
}

const al_rule al_rule_event_loop_per_thread = {
    .code = "AL402",
    .name = "event-loop-per-thread",
    .summary = "a thread or executor job that runs its own event loop",
    .message = "'%s' starts an event loop in another thread %s: that loop "
               "cannot share tasks, locks or connections with the main one; "
               "schedule the coroutine on the main loop "
               "(asyncio.run_coroutine_threadsafe)",
    .doc = "What it does\n"
           "  Flags a thread target or executor job that starts an event "
           "loop: a lambda or a\n  function of the tree whose body calls "
           "asyncio.run() (or another call that runs\n  a loop), or "
           "asyncio.run itself, handed to threading.Thread, "
           "threading.Timer,\n  executor.submit or loop.run_in_executor. "
           "Opt-in.\n\n"
           "Why is this bad?\n"
           "  Every such thread builds a separate event loop. Objects bound "
           "to one loop\n  (futures, locks, queues, client sessions, "
           "connection pools) fail or hang when\n  used from another, and "
           "the program pays for several loops where one would\n  do. "
           "It is usually a sign that async code is being called from sync "
           "code the\n  wrong way round.\n\n"
           "Example\n"
           "  threading.Thread(target=lambda: asyncio.run(poll())).start()\n\n"
           "Use instead\n"
           "  # from a thread, hand the coroutine to the running main loop\n"
           "  asyncio.run_coroutine_threadsafe(poll(), main_loop)\n"
           "  # or, inside async code, start it as a task\n"
           "  task = asyncio.create_task(poll())\n",
    .equivalents = "",
    .severity = AL_SEV_INFO,
    .default_on = false,
    .wants = AL_WANTS_CALLS,
    .check_call = check_loop_per_thread,
};

// --- AL403 deprecated-get-event-loop ----------------------------------------

// The fix: `MOD.get_event_loop()` -> `MOD.get_running_loop()` when the call
// is made directly in an async def (there both return the running loop).
// The edit rewrites the whole call from the facts' normalised callee, so
// it is only made when the call is written exactly so (its span as long as
// the callee plus "()": no blank, line break or comment inside); a bare
// `get_event_loop()` (from-import) would need a new import: left.
static void fix_get_event_loop(al_rule_ctx *ctx, al_diag *d, const al_call *c) {
  const al_facts *f = ctx->facts;
  static const char name[] = ".get_event_loop";
  al_str dotted = c->callee.dotted;
  size_t n = sizeof name - 1;
  if (c->callee.kind != AL_REF_DOTTED || c->n_args ||
      c->scope >= f->scopes.len ||
      f->scopes.items[c->scope].kind != AL_SCOPE_ASYNC_FUNCTION ||
      dotted.len <= n || memcmp(dotted.ptr + dotted.len - n, name, n) != 0)
    return;
  if (c->span.end_byte - c->span.start_byte != dotted.len + 2)
    return;
  al_fix *fix =
      al_fix_new(ctx, d, AL_FIX_SAFE, "Use `asyncio.get_running_loop()`");
  al_fix_edit(ctx, fix, c->span.start_byte, c->span.end_byte,
              al_arena_printf(ctx->arena, "%.*s.get_running_loop()",
                              (int)(dotted.len - n), dotted.ptr));
}

static void check_get_event_loop(al_rule_ctx *ctx, const al_rule *self,
                                 uint32_t call) {
  const al_target *t = &ctx->callee;
  if (t->kind != AL_TARGET_EXTERNAL ||
      strcmp(t->qualname, "asyncio.get_event_loop") != 0)
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  const char *fix;
  if (al_rules_on_event_loop(f, c->scope)) {
    const al_scope *s = &f->scopes.items[c->scope];
    fix = al_arena_printf(ctx->arena,
                          "inside async function '%.*s' use "
                          "asyncio.get_running_loop()",
                          (int)s->name.len, s->name.ptr);
  } else {
    fix = "outside a coroutine run the entry point with asyncio.run() (or "
          "create a loop with asyncio.new_event_loop())";
  }
  al_diag *d =
      al_report(ctx, self, c->span,
                al_rules_describe(ctx, al_rules_written(ctx, call), t), fix);
  if (d)
    fix_get_event_loop(ctx, d, c);
}

const al_rule al_rule_deprecated_get_event_loop = {
    .code = "AL403",
    .name = "deprecated-get-event-loop",
    .summary = "asyncio.get_event_loop()",
    .message = "%s is deprecated: %s",
    .doc = "What it does\n"
           "  Flags calls of asyncio.get_event_loop(). Opt-in.\n\n"
           "Why is this bad?\n"
           "  Its behaviour depends on where it is called: inside a "
           "coroutine it returns the\n  running loop, outside one it "
           "creates a loop (deprecated since Python 3.10/3.12,\n  a "
           "DeprecationWarning or a RuntimeError depending on the version "
           "and policy).\n  Code that relies on it breaks as the fallback "
           "is removed.\n\n"
           "Example\n"
           "  async def handler():\n"
           "      loop = asyncio.get_event_loop()\n\n"
           "  loop = asyncio.get_event_loop()\n"
           "  loop.run_until_complete(main())\n\n"
           "Use instead\n"
           "  async def handler():\n"
           "      loop = asyncio.get_running_loop()\n\n"
           "  asyncio.run(main())\n",
    .equivalents = "",
    .severity = AL_SEV_INFO,
    .default_on = false,
    .wants = AL_WANTS_CALLS,
    .check_call = check_get_event_loop,
};

// --- AL404 async-function-without-await --------------------------------------

// How deep class bases are followed before giving up (and staying silent).
#define MAX_BASE_DEPTH 16

// Whether class `cls` of `file` itself binds `name` (a def, a nested class,
// an assignment in its body).
static bool class_binds(const al_facts *f, uint32_t cls, al_str name) {
  for (uint32_t i = 0; i < f->scopes.len; i++) {
    const al_scope *s = &f->scopes.items[i];
    if (s->parent == cls && al_str_eq(s->name, name))
      return true;
  }
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->scope == cls && al_str_eq(b->name, name))
      return true;
  }
  return false;
}

// Whether a base of class `cls` of `file` may define `name`: true when one
// of them (transitively) does, or is not a class of the tree (a library
// class, an unresolved name, a subscript such as Generic[T]); only bases
// that are `object` or classes of the tree known not to define it are
// ruled out.
static bool bases_may_define(const al_rule_ctx *ctx, uint32_t file,
                             uint32_t cls, al_str name, int depth) {
  if (depth > MAX_BASE_DEPTH)
    return true;
  const al_facts *f = al_rule_file(ctx, file)->facts;
  const al_scope *s = &f->scopes.items[cls];
  for (uint32_t i = 0; i < s->n_bases; i++) {
    const al_ref *r = &f->refs.items[s->first_base + i];
    al_target t = al_index_resolve(ctx->index, file, s->parent, r);
    if (t.kind == AL_TARGET_EXTERNAL &&
        strcmp(t.qualname, "builtins.object") == 0)
      continue;
    if (t.kind != AL_TARGET_CLASS)
      return true;
    const al_facts *bf = al_rule_file(ctx, t.file)->facts;
    if (class_binds(bf, t.scope, name) ||
        bases_may_define(ctx, t.file, t.scope, name, depth + 1))
      return true;
  }
  return false;
}

static bool is_dunder(al_str name) {
  return name.len > 4 && name.ptr[0] == '_' && name.ptr[1] == '_' &&
         name.ptr[name.len - 1] == '_' && name.ptr[name.len - 2] == '_';
}

static void check_without_await(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < f->scopes.len; i++) {
    const al_scope *s = &f->scopes.items[i];
    if (s->kind != AL_SCOPE_ASYNC_FUNCTION ||
        (s->flags & (AL_SCOPE_AWAITS | AL_SCOPE_STUB | AL_SCOPE_GENERATOR)) ||
        s->n_decorators)
      continue;
    if (s->parent != AL_NONE &&
        f->scopes.items[s->parent].kind == AL_SCOPE_CLASS) {
      // Protocol methods (__aenter__, __aexit__, __anext__) must be async,
      // and so must an override of an async method.
      if (is_dunder(s->name) ||
          bases_may_define(ctx, ctx->file, s->parent, s->name, 0))
        continue;
    }
    al_report(ctx, self, s->name_span, (int)s->name.len, s->name.ptr);
  }
}

const al_rule al_rule_async_function_without_await = {
    .code = "AL404",
    .name = "async-function-without-await",
    .summary = "an async def with no await, async for or async with",
    .message = "async function '%.*s' never awaits (no await, async for or "
               "async with in its body); make it a plain def",
    .doc = "What it does\n"
           "  Flags an `async def` whose own body has no `await`, "
           "`async for` or `async with`.\n  Skipped: stub bodies (pass, "
           "..., a docstring, raise), async generators,\n  decorated "
           "functions (frameworks often require a coroutine function), "
           "protocol\n  methods such as __aenter__, and methods that may "
           "override a method of a base\n  class (any base that is not a "
           "class of the tree known not to define the name).\n  Opt-in.\n\n"
           "Why is this bad?\n"
           "  The function never suspends, so making it async only costs: "
           "every caller has\n  to await it, each call builds a coroutine "
           "object, and readers expect it to do\n  I/O it does not do. If "
           "it was meant to await something, an await is missing.\n\n"
           "Example\n"
           "  async def total(items):\n"
           "      return sum(i.price for i in items)\n\n"
           "Use instead\n"
           "  def total(items):\n"
           "      return sum(i.price for i in items)\n",
    .equivalents = "RUF029, ASYNC124",
    .severity = AL_SEV_INFO,
    .default_on = false,
    .wants = AL_WANTS_FILE,
    .check_file = check_without_await,
};
