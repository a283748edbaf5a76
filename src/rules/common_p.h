// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the rule families (private to src/rules/): how a callee
 * is named in messages, where code runs, and what the catalog says of a
 * library callee and its arguments.
 */
#ifndef AL_RULES_COMMON_P_H
#define AL_RULES_COMMON_P_H

#include "base/map.h"
#include "rules/rule.h"

/**
 * The callee of call as written ("fetch", "aio.sleep"), or its qualified
 * name when it is not a plain dotted name. Owned by ctx->arena or facts.
 */
const char *al_rules_written(al_rule_ctx *ctx, uint32_t call);

/**
 * How a message names a resolved target that was written as `written`:
 * "'fetch' (app/db.py:12)" for a function of the tree,
 * "'aio.sleep' (asyncio.sleep)" or "'asyncio.sleep'" for a library name.
 * Owned by ctx->arena.
 */
const char *al_rules_describe(al_rule_ctx *ctx, const char *written,
                              const al_target *t);

/**
 * The scope kind code runs in at `scope`: the innermost def, lambda or
 * class body (comprehensions are part of their function), or MODULE.
 */
al_scope_kind al_rules_running_in(const al_facts *facts, uint32_t scope,
                                  uint32_t *which);

/** Whether code at `scope` runs on the event loop: directly in the body of
 * an async def (not a nested plain def, lambda or class body). */
bool al_rules_on_event_loop(const al_facts *facts, uint32_t scope);

/**
 * The catalog entry of t when t is a library name whose entry has any of
 * `facets` (AL_CAT_*), else NULL. Inline: every call site asks.
 */
static inline const al_catalog_entry *al_rules_entry(const al_target *t,
                                                     uint32_t facets) {
  return t->kind == AL_TARGET_EXTERNAL && t->entry &&
                 (t->entry->facets & facets)
             ? t->entry
             : NULL;
}

/** The text of a dotted reference as written. Owned by ctx->arena. */
const char *al_rules_ref_text(al_rule_ctx *ctx, const al_ref *ref);

/**
 * Whether the name of binding `which` has another binding in the same
 * scope (a parameter, a global declaration, another assignment): when it
 * has none, every read of the name there reads this binding's value.
 */
bool al_rules_bound_elsewhere(const al_facts *f, uint32_t which);

/**
 * What argument a of a call in `scope`, passed as a callable, is: a name
 * (or a name inside a list or tuple argument) resolved, or a call whose value
 * is a function (a functools.partial object); UNKNOWN for anything else.
 * *written gets how to name it in a message ("fetch", "partial(fetch, ...)"),
 * owned by ctx->arena, whenever the answer is not UNKNOWN.
 */
al_target al_rules_callable_arg(al_rule_ctx *ctx, uint32_t scope,
                                const al_arg *a, const char **written);

/**
 * The (scope, name) pairs of a file that are read somewhere (facts->uses):
 * built once per check, so that asking costs O(1) however many bindings a
 * file has.
 */
typedef struct {
  al_map set; // "scope:name" -> 1 (read only as len()'s argument), or 2
  al_arena *arena;
} al_read_set;

void al_read_set_build(al_read_set *rs, const al_facts *f, al_arena *arena);

/** Whether any read of `name` in function `scope` (or a function nested in
 * it) was recorded, whichever binding it belongs to. */
bool al_name_is_read(const al_read_set *rs, uint32_t scope, al_str name);

/** The same, leaving out reads that only count the value (`len(name)`):
 * a collection read so is not consumed. */
bool al_name_is_consumed(const al_read_set *rs, uint32_t scope, al_str name);

/** Another file of the project, as a rule reads it (its facts, path):
 * the read is a dependency of the file being checked (model/deps.h). */
const al_project_file *al_rule_file(const al_rule_ctx *ctx, uint32_t file);

/** Whether scope is a def or async def. */
bool al_in_function(const al_facts *f, uint32_t scope);

/** Whether binding `which`'s name is declared global/nonlocal in its scope:
 * the value then lives outside the function. */
bool al_declared_outside(const al_facts *f, uint32_t which);

#endif
