// SPDX-License-Identifier: MIT
/*
 * Blocking calls inside `async def` (AL2xx). Which calls block, under which
 * rule code and with which async replacement is catalog data (facet
 * `blocking`); every rule of this family shares one check that reports the
 * call when the catalog names that rule's code and the call runs on the
 * event loop (directly in an async def body: not in a nested plain def,
 * lambda or class body). A blocking function passed uncalled (to_thread,
 * run_in_executor) is an argument, not a call, and so is never flagged.
 */
#include <string.h>

#include "rules/common_p.h"

static void check_blocking(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t call) {
  const al_target *t = &ctx->callee;
  if (t->kind != AL_TARGET_EXTERNAL || !t->entry ||
      !(t->entry->facets & AL_CAT_BLOCKING) ||
      strcmp(t->entry->blocking_code, self->code) != 0)
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  if (!al_rules_on_event_loop(f, c->scope))
    return;
  const al_scope *s = &f->scopes.items[c->scope];
  al_report(ctx, self, c->span,
            al_rules_describe(ctx, al_rules_written(ctx, call), t),
            (int)s->name.len, s->name.ptr, t->entry->replacement);
}

#define BLOCKING_MESSAGE                                                       \
  "%s blocks the event loop inside async function '%.*s'; use '%s'"

const al_rule al_rule_blocking_sleep = {
    .code = "AL200",
    .name = "blocking-sleep",
    .summary = "time.sleep() inside async def",
    .message = BLOCKING_MESSAGE,
    .doc = "What it does\n"
           "  Flags time.sleep() called on the event loop: directly in an "
           "`async def` body.\n\n"
           "Why is this bad?\n"
           "  time.sleep blocks the whole thread, and with it the event loop: "
           "every other\n  task freezes for the duration.\n\n"
           "Example\n"
           "  async def retry():\n"
           "      time.sleep(1)\n\n"
           "Use instead\n"
           "  async def retry():\n"
           "      await asyncio.sleep(1)\n",
    .equivalents = "ASYNC251",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_blocking,
};

const al_rule al_rule_blocking_configured_call = {
    .code = "AL208",
    .name = "blocking-configured-call",
    .summary = "a call listed in the config's blocking-calls, in async def",
    .message = BLOCKING_MESSAGE,
    .doc = "What it does\n"
           "  Flags calls of the functions listed under `blocking-calls` in "
           "the config file\n  (asynclint.toml or [tool.asynclint] in "
           "pyproject.toml) made on the event loop:\n  directly in an "
           "`async def` body.\n\n"
           "Why is this bad?\n"
           "  A project knows its own blocking helpers (a sync SDK, a "
           "legacy database layer)\n  better than any built-in list. "
           "Called from a coroutine, they freeze every\n  other task for "
           "as long as they run.\n\n"
           "Example\n"
           "  # pyproject.toml: [tool.asynclint] blocking-calls = "
           "[\"mylib.fetch_sync\"]\n"
           "  async def handler():\n"
           "      data = mylib.fetch_sync()\n\n"
           "Use instead\n"
           "  async def handler():\n"
           "      data = await asyncio.to_thread(mylib.fetch_sync)\n",
    .equivalents = "ASYNC200",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_blocking,
};
