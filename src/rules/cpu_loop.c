// SPDX-License-Identifier: MIT
/*
 * CPU-bound loops on the event loop (AL210, opt-in): a `for` over range()
 * with a large constant bound and no await in its body, inside an async def.
 * The bound comes from the facts (constant arguments of range()); loops
 * whose bound is not a constant are left alone.
 */
#include "rules/common_p.h"

// From this many iterations on, a loop without an await is worth a look.
#define LARGE_BOUND 1000000u

static void check_cpu_loops(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < f->blocks.len; i++) {
    const al_block_site *b = &f->blocks.items[i];
    if (!b->is_for || b->is_async || b->comprehension || b->awaits ||
        b->range_bound < LARGE_BOUND || !al_rules_on_event_loop(f, b->scope))
      continue;
    const al_scope *s = &f->scopes.items[b->scope];
    al_report(ctx, self, b->span, (unsigned long long)b->range_bound,
              (int)s->name.len, s->name.ptr);
  }
}

const al_rule al_rule_cpu_bound_loop = {
    .code = "AL210",
    .name = "cpu-bound-loop",
    .summary = "a large constant-bound loop without await inside async def",
    .message = "a loop of up to %llu iterations with no await runs on the "
               "event loop in async function '%.*s'; move the work to a "
               "thread or process (asyncio.to_thread, run_in_executor)",
    .doc = "What it does\n"
           "  Flags, inside an `async def`, a `for` loop over range() with a "
           "large constant\n  bound (a million iterations or more) whose body "
           "never awaits.\n\n"
           "Why is this bad?\n"
           "  The loop holds the event loop for its whole run: no other task "
           "makes progress,\n  timeouts fire late and connections stall.\n\n"
           "Example\n"
           "  async def checksum(data):\n"
           "      total = 0\n"
           "      for i in range(10**7):\n"
           "          total += data[i % len(data)]\n\n"
           "Use instead\n"
           "  async def checksum(data):\n"
           "      return await asyncio.to_thread(compute_checksum, data)\n",
    .equivalents = "",
    .severity = AL_SEV_INFO,
    .default_on = false,
    .wants = AL_WANTS_FILE,
    .check_file = check_cpu_loops,
};
