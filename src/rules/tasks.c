// SPDX-License-Identifier: MIT
/*
 * Tasks (AL12x): task handles that are dropped (AL120). Which calls create
 * tasks is catalog data (facet `task`); TaskGroup.create_task is not among
 * them, since the group keeps its tasks.
 */
#include "rules/common_p.h"
#include "rules/fixes_p.h"

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

// AL120's fix keeps the task in a module-level set until it is done,
// through a helper the fix adds once per module (after its imports):
// `_keep_task(asyncio.create_task(...))`. An expression, so the statement
// keeps its place, line and indentation whatever surrounds it.
#define KEEP_SET "_background_tasks"
#define KEEP_FN "_keep_task"
#define KEEP_HELPER                                                            \
  "\n" KEEP_SET " = set()\n"                                                   \
  "\n"                                                                         \
  "\n"                                                                         \
  "def " KEEP_FN "(task):\n"                                                   \
  "    \"\"\"Hold a reference to task until it is done.\"\"\"\n"               \
  "    " KEEP_SET ".add(task)\n"                                               \
  "    task.add_done_callback(" KEEP_SET ".discard)\n"                         \
  "    return task\n"

// Whether the helper's names are free in scope and the scopes around it
// (HELPER_FREE), already the helper's at module level (HELPER_THERE: bound
// once each, the function and the set), or taken by something else.
enum { HELPER_FREE, HELPER_THERE, HELPER_TAKEN };

static int helper_state(const al_facts *f, uint32_t scope) {
  uint32_t fn = 0, set = 0;
  for (uint32_t s = scope; s != AL_NONE && s < f->scopes.len;
       s = f->scopes.items[s].parent)
    for (uint32_t i = 0; i < f->binds.len; i++) {
      const al_binding *b = &f->binds.items[i];
      if (b->scope != s)
        continue;
      bool is_fn = al_str_eq_c(b->name, KEEP_FN);
      bool is_set = al_str_eq_c(b->name, KEEP_SET);
      if ((is_fn || is_set) && s != 0)
        return HELPER_TAKEN;
      fn += is_fn ? (b->kind == AL_BIND_FUNCTION ? 1 : 2) : 0;
      set += is_set ? (b->kind == AL_BIND_ASSIGN ? 1 : 2) : 0;
    }
  if (fn == 0 && set == 0)
    return HELPER_FREE;
  return fn == 1 && set == 1 ? HELPER_THERE : HELPER_TAKEN;
}

static void fix_dangling(al_rule_ctx *ctx, al_diag *d, const al_call *c) {
  const al_facts *f = ctx->facts;
  int state = d ? helper_state(f, c->scope) : HELPER_TAKEN;
  // The helper goes before the first statement: never at the call itself
  // (two insertions at one offset would leave their order to the engine).
  if (state == HELPER_TAKEN ||
      (state == HELPER_FREE &&
       (f->import_at == AL_NONE || f->import_at == c->span.start_byte)))
    return;
  al_fix *fix = al_fix_new(ctx, d, AL_FIX_UNSAFE,
                           "Keep a reference in `" KEEP_SET "` until the task "
                           "is done");
  if (state == HELPER_FREE)
    al_fix_edit(ctx, fix, f->import_at, f->import_at, KEEP_HELPER);
  al_fix_edit(ctx, fix, c->span.start_byte, c->span.start_byte, KEEP_FN "(");
  al_fix_edit(ctx, fix, c->span.end_byte, c->span.end_byte, ")");
}

static void check_dangling(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->ctx != AL_CTX_STMT)
    return;
  const al_target *t = &ctx->callee;
  if (!al_rules_entry(t, AL_CAT_TASK) || wraps_a_future(ctx, c, t))
    return;
  fix_dangling(
      ctx,
      al_report(ctx, self, c->span,
                al_rules_describe(ctx, al_rules_written(ctx, call), t)),
      c);
}

// Cheap test before resolving: a plain name (maybe an alias of a task
// factory) or a dotted one ending in a task factory's name.
static bool may_make_task(const al_ref *callee) {
  if (callee->kind != AL_REF_DOTTED)
    return false;
  const char *dot = NULL;
  for (size_t k = 0; k < callee->dotted.len; k++)
    if (callee->dotted.ptr[k] == '.')
      dot = callee->dotted.ptr + k;
  if (!dot)
    return true;
  al_str last = {dot + 1,
                 callee->dotted.len - (size_t)(dot + 1 - callee->dotted.ptr)};
  return al_str_eq_c(last, "create_task") || al_str_eq_c(last, "ensure_future");
}

// `task = asyncio.create_task(...)` (or `_ = ...`) in a function that never
// reads the name: dropped all the same, when the function returns.
static void check_unread_tasks(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  al_read_set rs = {0};
  bool built = false;
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->kind != AL_BIND_ASSIGN || b->target == AL_NONE ||
        f->calls.items[b->target].ctx != AL_CTX_ASSIGN ||
        !al_in_function(f, b->scope))
      continue;
    const al_call *c = &f->calls.items[b->target];
    if (!may_make_task(&c->callee))
      continue;
    al_target t = al_index_resolve_callee(ctx->index, ctx->file, b->target);
    if (!al_rules_entry(&t, AL_CAT_TASK) || wraps_a_future(ctx, c, &t))
      continue;
    if (!built) {
      al_read_set_build(&rs, f, ctx->arena);
      built = true;
    }
    if (al_name_is_read(&rs, b->scope, b->name) || al_declared_outside(f, i) ||
        (b->flags & AL_BIND_CHAINED))
      continue;
    al_report(ctx, self, c->span,
              al_arena_printf(
                  ctx->arena, "%s, bound to '%.*s' and never read,",
                  al_rules_describe(ctx, al_rules_written(ctx, b->target), &t),
                  (int)b->name.len, b->name.ptr));
  }
  if (built)
    al_map_free(&rs.set);
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
           "loop.create_task(...)\n  whose result is dropped, or bound to a "
           "name the function never reads\n  (`_ = asyncio.create_task(...)`)."
           "\n\n"
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
    .wants = AL_WANTS_CALLS | AL_WANTS_FILE,
    .check_call = check_dangling,
    .check_file = check_unread_tasks,
};
