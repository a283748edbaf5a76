// SPDX-License-Identifier: MIT
/*
 * Callables and coroutines swapped at call boundaries (AL106, AL108): an
 * async function handed to an API that calls it synchronously (a thread
 * target, a loop callback), and a coroutine object handed to an API that
 * wants a function (start_soon, to_thread, Thread(target=...)). Which
 * arguments of which APIs matter is catalog data (facets calls-sync and
 * expects-callable).
 */
#include <string.h>

#include "rules/common_p.h"

// Both rules look at the arguments of a library call whose catalog entry
// has a facet. next_arg gives them one by one: the one at *i, with the
// entry in *e; NULL after the last, or at once for any other call.
static const al_arg *next_arg(const al_rule_ctx *ctx, uint32_t call,
                              uint32_t facet, const al_catalog_entry **e,
                              uint32_t *i) {
  const al_call *c = &ctx->facts->calls.items[call];
  *e = al_rules_entry(&ctx->callee, facet);
  if (!*e || *i >= c->n_args)
    return NULL;
  return &ctx->facts->args.items[c->first_arg + (*i)++];
}

// --- AL106 async-callable-as-sync-callback ----------------------------------

static void check_sync_callback(al_rule_ctx *ctx, const al_rule *self,
                                uint32_t call) {
  const al_catalog_entry *e;
  const al_arg *a;
  for (uint32_t i = 0; (a = next_arg(ctx, call, AL_CAT_CALLS_SYNC, &e, &i));) {
    if ((a->kind != AL_ARG_REF && a->kind != AL_ARG_CALL) ||
        !al_argspec_has(&e->sync_args, a))
      continue;
    uint32_t scope = ctx->facts->calls.items[call].scope;
    const char *written = NULL;
    al_target fn = al_rules_callable_arg(ctx, scope, a, &written);
    if (!al_index_is_coroutine_function(ctx->index, fn))
      continue;
    al_report(ctx, self, a->span, al_rules_describe(ctx, written, &fn),
              al_rules_written(ctx, call));
  }
}

const al_rule al_rule_async_callable_as_sync_callback = {
    .code = "AL106",
    .name = "async-callable-as-sync-callback",
    .summary = "an async function passed where it is called synchronously",
    .message = "%s is async, but %s calls it synchronously and drops the "
               "coroutine: its body never runs",
    .doc = "What it does\n"
           "  Flags an async function passed to an API that calls it like a "
           "plain function\n  and drops the result: threading.Thread(target="
           "afn), threading.Timer,\n  loop.call_soon/call_later/call_at(afn), "
           "loop.run_in_executor(None, afn),\n  executor.submit(afn), "
           "add_done_callback(afn), atexit.register(afn),\n  "
           "signal.signal(s, afn), asyncio.to_thread(afn),\n  "
           "trio/anyio to_thread.run_sync(afn). A functools.partial of an "
           "async function\n  counts as one.\n\n"
           "Why is this bad?\n"
           "  Calling an async function only creates a coroutine; the API "
           "drops it, so the\n  callback's body never runs (at best Python "
           "warns that it was never awaited).\n\n"
           "Example\n"
           "  async def refresh(): ...\n\n"
           "  loop.call_later(5, refresh)\n\n"
           "Use instead\n"
           "  loop.call_later(5, lambda: asyncio.create_task(refresh()))\n"
           "  # keep a reference to the task; or run it in a TaskGroup\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_sync_callback,
};

// --- AL108 coroutine-passed-as-function -------------------------------------

// The fix for the coroutine of `written` passed as argument a of the call
// whose entry is e. An API that runs its function in a thread or as a plain
// callback (calls-sync) would call an async function synchronously and drop
// its coroutine (AL106): the coroutine belongs on the event loop instead.
static const char *as_function_fix(al_rule_ctx *ctx, const al_catalog_entry *e,
                                   const al_arg *a, const char *written) {
  if ((e->facets & AL_CAT_CALLS_SYNC) && al_argspec_has(&e->sync_args, a)) {
    const char *q = ctx->callee.qualname;
    size_t n = strlen(q), k = strlen("from_thread.run_sync");
    if (n >= k && strcmp(q + n - k, "from_thread.run_sync") == 0)
      return al_arena_printf(ctx->arena,
                             "'%s' is async: pass it, without calling it, "
                             "to from_thread.run instead",
                             written);
    return al_arena_printf(
        ctx->arena,
        "'%s' is async: await its coroutine (or start it as a "
        "task) instead, as this API calls its function "
        "synchronously",
        written);
  }
  return al_arena_printf(ctx->arena,
                         "pass '%s' without calling it (and its arguments "
                         "separately)",
                         written);
}

static void check_coroutine_as_function(al_rule_ctx *ctx, const al_rule *self,
                                        uint32_t call) {
  const al_catalog_entry *e;
  const al_arg *a;
  for (uint32_t i = 0;
       (a = next_arg(ctx, call, AL_CAT_EXPECTS_CALLABLE, &e, &i));) {
    if (a->kind != AL_ARG_CALL || a->target == AL_NONE ||
        !al_argspec_has(&e->callable_args, a))
      continue;
    al_target inner = al_index_resolve_callee(ctx->index, ctx->file, a->target);
    if (!al_index_is_coroutine_function(ctx->index, inner))
      continue;
    const char *written = al_rules_written(ctx, a->target);
    al_report(ctx, self, a->span, al_rules_written(ctx, call),
              al_rules_describe(ctx, written, &inner),
              as_function_fix(ctx, e, a, written));
  }
}

const al_rule al_rule_coroutine_passed_as_function = {
    .code = "AL108",
    .name = "coroutine-passed-as-function",
    .summary = "a coroutine object passed where a function is expected",
    .message = "%s expects a function, but gets the coroutine object of %s; "
               "%s",
    .doc = "What it does\n"
           "  Flags a coroutine object passed where a function is expected: "
           "nursery.start_soon(f()),\n  tg.start_soon(f()) (trio/anyio), "
           "asyncio.to_thread(f()), Thread(target=f()),\n  "
           "loop.run_in_executor(None, f()).\n\n"
           "Why is this bad?\n"
           "  These APIs call what they are given. A coroutine object is not "
           "callable: it\n  fails with TypeError, and the coroutine itself "
           "is never awaited.\n\n"
           "Example\n"
           "  async with trio.open_nursery() as nursery:\n"
           "      nursery.start_soon(fetch(url))\n\n"
           "Use instead\n"
           "  async with trio.open_nursery() as nursery:\n"
           "      nursery.start_soon(fetch, url)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_coroutine_as_function,
};
