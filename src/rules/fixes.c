// SPDX-License-Identifier: MIT
/*
 * The helpers the rules' fixes share (fixes_p.h): where `await` may be
 * written and with what parentheses, and how a library module is named or
 * imported. Each rule decides what its own fix replaces.
 */
#include "rules/fixes_p.h"

#include <stdio.h>
#include <string.h>

bool al_fixes_can_await(const al_facts *f, uint32_t scope, al_span span) {
  if (scope >= f->scopes.len ||
      f->scopes.items[scope].kind != AL_SCOPE_ASYNC_FUNCTION)
    return false;
  // Comprehensions are transparent in scopes: a generator expression of
  // this scope around span makes it an async generator expression.
  for (uint32_t i = 0; i < f->comps.len; i++) {
    const al_comp *c = &f->comps.items[i];
    if (c->kind == AL_COMP_GENERATOR && c->scope == scope &&
        c->span.start_byte <= span.start_byte &&
        span.end_byte <= c->span.end_byte)
      return false;
  }
  return true;
}

bool al_fixes_call_needs_parens(const al_facts *f, uint32_t call) {
  const al_call *c = &f->calls.items[call];
  if (c->ctx == AL_CTX_ATTRIBUTE || c->ctx == AL_CTX_SUBSCRIPT ||
      (c->flags & AL_CALL_POWER_BASE))
    return true;
  // f()(...): the outer call starts where this one does and comes before
  // it (calls are in source order, outer first).
  for (uint32_t j = call; j-- > 0;) {
    const al_call *o = &f->calls.items[j];
    if (o->span.start_byte != c->span.start_byte)
      break;
    if (o->callee.kind == AL_REF_CALL_VALUE && o->callee.base_call == call)
      return true;
  }
  return false;
}

void al_fixes_add_await(al_rule_ctx *ctx, al_diag *diag, uint32_t scope,
                        al_span span, bool paren) {
  if (!diag || !al_fixes_can_await(ctx->facts, scope, span))
    return;
  al_fix *fix = al_fix_new(ctx, diag, AL_FIX_UNSAFE, "Add `await`");
  al_fix_edit(ctx, fix, span.start_byte, span.start_byte,
              paren ? "(await " : "await ");
  if (paren)
    al_fix_edit(ctx, fix, span.end_byte, span.end_byte, ")");
}

void al_fixes_await_call(al_rule_ctx *ctx, al_diag *diag, uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  al_fixes_add_await(ctx, diag, c->scope, c->span,
                     al_fixes_call_needs_parens(ctx->facts, call));
}

// Whether `name` is bound in scope or any scope around it.
static bool bound_around(const al_facts *f, uint32_t scope, const char *name) {
  for (uint32_t s = scope; s != AL_NONE && s < f->scopes.len;
       s = f->scopes.items[s].parent)
    for (uint32_t i = 0; i < f->binds.len; i++)
      if (f->binds.items[i].scope == s &&
          al_str_eq_c(f->binds.items[i].name, name))
        return true;
  return false;
}

bool al_fixes_names(al_rule_ctx *ctx, uint32_t scope, al_str local,
                    const char *module, const char *attr) {
  char dotted[AL_QUALNAME_MAX], want[AL_QUALNAME_MAX];
  int n = snprintf(dotted, sizeof dotted, "%.*s.%s", (int)local.len, local.ptr,
                   attr);
  int m = snprintf(want, sizeof want, "%s.%s", module, attr);
  if (n < 0 || (size_t)n >= sizeof dotted || m < 0 || (size_t)m >= sizeof want)
    return false;
  al_ref r = {.dotted = {dotted, (size_t)n},
              .base_call = AL_NONE,
              .kind = AL_REF_DOTTED};
  al_target t = al_index_resolve(ctx->index, ctx->file, scope, &r);
  return t.kind == AL_TARGET_EXTERNAL && strcmp(t.qualname, want) == 0;
}

const char *al_fixes_module_name(al_rule_ctx *ctx, uint32_t scope,
                                 const char *module, const char *attr,
                                 bool *importable) {
  const al_facts *f = ctx->facts;
  bool star = false;
  for (uint32_t i = 0; i < f->imports.len; i++) {
    const al_import *im = &f->imports.items[i];
    star |= (im->flags & AL_IMPORT_STAR) != 0;
    if (im->name.len || im->level || (im->flags & AL_IMPORT_TYPE_CHECKING))
      continue;
    // `import asyncio as aio`: aio, if aio.attr still names module.attr in
    // scope (no parameter or local of that name hides it); `import
    // asyncio.subprocess` binds asyncio too.
    size_t n = strlen(module);
    al_str m = im->module;
    if (!al_str_eq_c(m, module) &&
        ((im->flags & AL_IMPORT_ALIASED) || m.len <= n ||
         memcmp(m.ptr, module, n) != 0 || m.ptr[n] != '.'))
      continue;
    if (al_fixes_names(ctx, scope, im->local, module, attr))
      return al_arena_strndup(ctx->arena, im->local.ptr, im->local.len);
  }
  *importable =
      !star && f->import_at != AL_NONE && !bound_around(f, scope, module);
  return NULL;
}

void al_fixes_import(al_rule_ctx *ctx, al_fix *fix, const char *module) {
  const al_facts *f = ctx->facts;
  // "\n": the engine writes the file's line ending.
  al_fix_edit(ctx, fix, f->import_at, f->import_at,
              al_arena_printf(ctx->arena, "import %s\n", module));
}
