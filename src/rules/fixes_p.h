// SPDX-License-Identifier: MIT
/*
 * What the rules' fixes share (private to src/rules/): where `await` may be
 * written, the edits that insert it with the parentheses precedence needs,
 * and how a module is named in a scope or imported. Every edit comes from
 * the facts' byte positions; nothing here reads the text.
 */
#ifndef AL_RULES_FIXES_P_H
#define AL_RULES_FIXES_P_H

#include "rules/rule.h"

/**
 * Whether `await` may be written at span, code of scope `scope`: the
 * innermost scope is an async def (not a lambda, a plain def or a class
 * body) and span is in no generator expression (where `await` would make
 * it an async generator). Comprehensions that build lists, sets and dicts
 * may await.
 */
bool al_fixes_can_await(const al_facts *f, uint32_t scope, al_span span);

/**
 * Whether `await` before call `call` needs parentheses: the call is the
 * object of an attribute or of a subscript, or the function another call
 * calls (`await` binds looser than those, tighter than unary operators and
 * everything else), or the left operand of `**` (where Python needs none,
 * but tree-sitter would read `await f() ** 2` as `await (f() ** 2)`).
 */
bool al_fixes_call_needs_parens(const al_facts *f, uint32_t call);

/**
 * Give diag an unsafe "Add `await`" fix that writes `await ` before the
 * expression at span (in parentheses when paren), if `await` may be written
 * there (al_fixes_can_await). diag NULL: nothing.
 */
void al_fixes_add_await(al_rule_ctx *ctx, al_diag *diag, uint32_t scope,
                        al_span span, bool paren);

/** al_fixes_add_await for call `call` of the file. */
void al_fixes_await_call(al_rule_ctx *ctx, al_diag *diag, uint32_t call);

/** Whether `local.attr`, written in scope `scope`, is module.attr there
 * (`aio.sleep` is asyncio.sleep after `import asyncio as aio`). */
bool al_fixes_names(al_rule_ctx *ctx, uint32_t scope, al_str local,
                    const char *module, const char *attr);

/**
 * How code of scope `scope` names library module `module` ("asyncio") to
 * reach its attribute `attr` ("sleep"): the local name of an `import module
 * [as name]` of the file with which name.attr resolves to module.attr
 * there. NULL when there is none: then *importable says whether a new
 * `import module` line may go at facts->import_at (the name is bound in
 * none of the scopes around, and no star import could rebind it). Owned
 * by ctx->arena.
 */
const char *al_fixes_module_name(al_rule_ctx *ctx, uint32_t scope,
                                 const char *module, const char *attr,
                                 bool *importable);

/** Add to fix the line `import module` at facts->import_at (the engine
 * gives it the file's line ending). */
void al_fixes_import(al_rule_ctx *ctx, al_fix *fix, const char *module);

#endif
