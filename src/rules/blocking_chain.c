// SPDX-License-Identifier: MIT
/*
 * Blocking through the tree's own plain helpers (AL209): an async def calls
 * a plain function of the tree that, through any number of plain functions
 * and across modules, makes one of the blocking calls of AL200-AL208. The
 * index computes "reaches a blocking call" once for every plain function of
 * the tree (cycles handled); this rule only reports the call sites on the
 * event loop, with the chain. A helper handed uncalled to to_thread or
 * run_in_executor is an argument, not a call, and is never reported there;
 * nor is a call whose result is awaited, directly or through the name it
 * is bound to, or handed to something that takes an awaitable
 * (ensure_future, gather): the helper returned an awaitable on that path.
 */
#include "rules/common_p.h"

// `f = self.close()` then `if inspect.isawaitable(f): await f`: the result,
// bound to a name, is awaited later in the function (distributed's dual
// sync/async API), so on this path the helper hands back an awaitable.
static bool result_awaited_later(const al_facts *f, uint32_t call) {
  if (f->calls.items[call].ctx != AL_CTX_ASSIGN)
    return false;
  for (uint32_t u = 0; u < f->uses.len; u++) {
    const al_use *use = &f->uses.items[u];
    const al_binding *b = &f->binds.items[use->binding];
    if (use->ctx == AL_CTX_AWAIT && b->kind == AL_BIND_ASSIGN &&
        b->target == call)
      return true;
  }
  return false;
}

// `asyncio.ensure_future(lock.acquire())`: handed to something that takes
// an awaitable (ensure_future, create_task, gather, wait_for, ...), so on
// this path the helper hands back an awaitable too.
static bool handed_as_awaitable(al_rule_ctx *ctx, const al_call *c) {
  if (c->ctx != AL_CTX_ARG || c->parent_call == AL_NONE)
    return false;
  al_target p = al_index_resolve_callee(ctx->index, ctx->file, c->parent_call);
  return p.kind == AL_TARGET_EXTERNAL && p.entry &&
         (p.entry->facets & AL_CAT_EXPECTS_AWAITABLE);
}

static void check_blocking_helper(al_rule_ctx *ctx, const al_rule *self,
                                  uint32_t call) {
  const al_target *t = &ctx->callee;
  if (t->kind != AL_TARGET_FUNCTION)
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  // `await serve(run_async=True)`: a plain function whose result is awaited
  // returns an awaitable on this path, which is not the path that blocks
  // (unless it returns none: `await read_rows(p)`, AL109's too).
  if ((c->ctx == AL_CTX_AWAIT &&
       !al_index_returns_non_awaitable(ctx->index, *t)) ||
      !al_rules_on_event_loop(f, c->scope) ||
      !al_index_call_runs_body(ctx->index, ctx->file, call, *t))
    return;
  char chain[512];
  const al_catalog_entry *event = NULL;
  if (!al_index_reaches(ctx->index, *t, AL_REACH_BLOCKING, chain, sizeof chain,
                        &event) ||
      result_awaited_later(f, call) || handed_as_awaitable(ctx, c) ||
      al_index_ready_at(ctx->index, ctx->file, call, *t) ||
      al_index_reach_dead_at(ctx->index, ctx->file, call, *t))
    return;
  const al_scope *s = &f->scopes.items[c->scope];
  const char *written = al_rules_written(ctx, call);
  // A generator function runs when iterated: in a thread, the whole of it.
  const al_scope *callee =
      &al_rule_file(ctx, t->file)->facts->scopes.items[t->scope];
  const char *away =
      callee->flags & AL_SCOPE_GENERATOR
          ? al_arena_printf(ctx->arena,
                            "await asyncio.to_thread(list, %s(...))", written)
          : al_arena_printf(ctx->arena, "await asyncio.to_thread(%s, ...)",
                            written);
  al_report(ctx, self, c->span, al_rules_describe(ctx, written, t),
            (int)s->name.len, s->name.ptr, chain,
            event && event->replacement ? event->replacement
                                        : "an async equivalent",
            away);
}

const al_rule al_rule_blocking_via_sync_helper = {
    .code = "AL209",
    .name = "blocking-via-sync-helper",
    .summary = "an async def calls a plain helper that blocks",
    .message = "%s blocks the event loop: %.*s -> %s; use '%s' there, or "
               "'%s'",
    .doc = "What it does\n"
           "  Flags a call, in an `async def`, of a plain function of the "
           "tree that makes a\n  blocking call (time.sleep, requests, "
           "subprocess, file I/O, sockets, sync DB\n  clients, thread "
           "waits), directly or through any number of other plain\n  "
           "functions, across modules. The message shows the chain. A "
           "plain generator\n  function counts where it is iterated at "
           "once (`for x in gen()`).\n  Not reported: a helper whose "
           "result is awaited or handed to ensure_future,\n  gather or "
           "wait_for (it gave an awaitable on that path), unless it only "
           "returns\n  plain values; and a cached def without parameters "
           "(`@functools.cache`,\n  `@lru_cache`), which runs once per "
           "process.\n\n"
           "Why is this bad?\n"
           "  The helper runs on the event loop like any other code of the "
           "async def, so its\n  blocking call freezes every task just the "
           "same; it is only harder to see.\n\n"
           "Example\n"
           "  def load_user(uid):\n"
           "      return requests.get(f\"{API}/users/{uid}\").json()\n\n"
           "  async def handler(uid):\n"
           "      user = load_user(uid)\n\n"
           "Use instead\n"
           "  async def handler(uid):\n"
           "      user = await asyncio.to_thread(load_user, uid)\n"
           "  # or make load_user async with an async HTTP client\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_blocking_helper,
};
