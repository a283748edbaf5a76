// SPDX-License-Identifier: MIT
/*
 * Tasks (AL12x): task handles that are dropped (AL120). Which calls create
 * tasks is catalog data (facet `task`); TaskGroup.create_task is not among
 * them, since the group keeps its tasks.
 */
#include "rules/common_p.h"

// ensure_future(x) makes a task only of a coroutine: a future it is given
// (`loop.run_in_executor(...)`, `asyncio.gather(...)`, what the catalog
// says is awaitable but neither a coroutine nor a task) comes back
// unchanged, and what runs it (an executor, the gathered tasks) holds it.
static bool wraps_a_future(al_rule_ctx *ctx, const al_call *c,
                           const al_target *t) {
  if (!(t->entry->facets & AL_CAT_EXPECTS_AWAITABLE) || c->n_args == 0)
    return false;
  const al_arg *a = &ctx->facts->args.items[c->first_arg];
  if (a->kind != AL_ARG_CALL || a->index != 0)
    return false;
  al_target inner = al_index_resolve_callee(ctx->index, ctx->file, a->target);
  const al_catalog_entry *e =
      al_rules_entry(&inner, AL_CAT_AWAITABLE | AL_CAT_RETURNS);
  if (!e || (e->facets & (AL_CAT_COROUTINE | AL_CAT_TASK)))
    return false;
  return (e->facets & AL_CAT_AWAITABLE) ||
         al_str_eq_c(e->returns, "asyncio.Future");
}

static void check_dangling(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->ctx != AL_CTX_STMT)
    return;
  const al_target *t = &ctx->callee;
  if (!al_rules_entry(t, AL_CAT_TASK) || wraps_a_future(ctx, c, t))
    return;
  al_report(ctx, self, c->span,
            al_rules_describe(ctx, al_rules_written(ctx, call), t));
}

const al_rule al_rule_dangling_task = {
    .code = "AL120",
    .name = "dangling-task",
    .summary = "the task returned by create_task/ensure_future is dropped",
    .message = "the task created by %s is dropped: it may be garbage-collected "
               "before it finishes and its exception is never retrieved; keep "
               "a reference (or use a TaskGroup)",
    .doc = "What it does\n"
           "  Flags asyncio.create_task(...), asyncio.ensure_future(...) and "
           "loop.create_task(...)\n  whose result is dropped.\n\n"
           "Why is this bad?\n"
           "  The event loop keeps only a weak reference to tasks: a task "
           "nobody holds can be\n  garbage-collected mid-flight, and if it "
           "fails its exception is never retrieved\n  (\"Task exception was "
           "never retrieved\").\n\n"
           "Example\n"
           "  asyncio.create_task(send_email(user))\n\n"
           "Use instead\n"
           "  task = asyncio.create_task(send_email(user))\n"
           "  background_tasks.add(task)\n"
           "  task.add_done_callback(background_tasks.discard)\n\n"
           "  # or, with Python 3.11+:\n"
           "  async with asyncio.TaskGroup() as tg:\n"
           "      tg.create_task(send_email(user))\n",
    .equivalents = "RUF006, ASYNC300",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_CALLS,
    .check_call = check_dangling,
};
