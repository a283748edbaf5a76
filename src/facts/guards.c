// SPDX-License-Identifier: MIT
/*
 * The guards of calls: the parameter of its function that a call's
 * enclosing if tests, so that the index can tell a call site that makes the
 * branch dead (`if wait: time.sleep(1)` with wait=False). Only the if
 * statements of the call's own scope count; the test is a parameter, its
 * negation, or a conjunction holding one (`if host and port:`). What the
 * parameter is at a call is the index's business.
 */
#include "facts/extract_p.h"

// The PARAM binding of the function `scope` named name, or AL_NONE. The
// parameters are bound when the def is entered, before its body: a search
// back from the latest binding stops at the first one of an outer scope.
static uint32_t param_binding(al_extractor *x, uint32_t scope, al_str name) {
  const al_facts *fa = x->facts;
  for (uint32_t i = fa->binds.len, steps = 0; i-- > 0 && steps < 4096;
       steps++) {
    const al_binding *b = &fa->binds.items[i];
    if (b->scope < scope)
      break;
    if (b->scope == scope && b->kind == AL_BIND_PARAM &&
        al_str_eq(b->name, name))
      return i;
  }
  return AL_NONE;
}

// The guard test t gives the branch taken when t is `value`, encoded
// (binding << 1 | falsy): a parameter P of the function such that the
// branch runs only when P is truthy (falsy 0) or only when P is falsy.
// `P`, `not T`, `A and B` taken when true and `A or B` taken when false
// (then every operand had that value: the first operand with a guard
// gives it); else AL_NONE. Depth-limited.
static uint32_t test_guard(al_extractor *x, TSNode t, uint32_t scope,
                           bool value, int depth) {
  t = al_node_unparen(t);
  if (ts_node_is_null(t) || depth > 16)
    return AL_NONE;
  switch (al_node_kind(t)) {
  case AL_K_IDENTIFIER: {
    uint32_t b = param_binding(x, scope, al_node_text(t, x->text));
    return b == AL_NONE ? AL_NONE : (b << 1) | (value ? 0u : 1u);
  }
  case AL_K_NOT_OPERATOR:
    return test_guard(x, ts_node_child_by_field_id(t, x->F->argument), scope,
                      !value, depth + 1);
  case AL_K_BOOLEAN_OPERATOR: {
    TSNode op = ts_node_child_by_field_id(t, x->F->operator);
    bool is_and =
        !ts_node_is_null(op) && al_str_eq_c(al_node_text(op, x->text), "and");
    if (is_and != value)
      return AL_NONE; // `A and B` false, `A or B` true: either may be
    uint32_t g = test_guard(x, ts_node_child_by_field_id(t, x->F->left), scope,
                            value, depth + 1);
    return g != AL_NONE
               ? g
               : test_guard(x, ts_node_child_by_field_id(t, x->F->right), scope,
                            value, depth + 1);
  }
  default:
    return AL_NONE;
  }
}

// The guard of the branch of the if statement whose frame is g (its
// consequence, or with `alternative` its elif/else), computed once.
static uint32_t if_guard(al_extractor *x, frame *g, uint32_t scope,
                         bool alternative) {
  uint32_t *slot = alternative ? &g->guard_else : &g->guard_bind;
  if (*slot == GUARD_UNSET) {
    const al_scope *s = scope_at(x, scope);
    *slot = AL_NONE;
    if (s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION)
      *slot = test_guard(x, ts_node_child_by_field_id(g->node, x->F->condition),
                         scope, !alternative, 0);
  }
  return *slot;
}

// Set c's guard from the innermost if of its scope around frame f whose
// branch holding it gives one (every enclosing branch runs before it).
void al_extract__set_guard(al_extractor *x, const frame *f, al_call *c) {
  c->guard = AL_NONE;
  uint8_t flags = f->flags;
  for (uint32_t gi = f->guard_if; gi != AL_NONE;) {
    frame *g = frame_at(x, gi);
    uint32_t enc = if_guard(x, g, f->scope, (flags & F_GUARD_ELSE) != 0);
    if (enc != AL_NONE) {
      c->guard = enc >> 1;
      if (enc & 1)
        c->flags |= AL_CALL_GUARD_FALSY;
      return;
    }
    flags = g->flags;
    gi = g->guard_if;
  }
}
