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

// The guards test t gives the branch taken when t is `value`, encoded
// (binding << 1 | falsy), appended to out[*n .. GUARD_MAX): the parameters
// P of the function such that the branch runs only when P is truthy (falsy
// 0) or only when P is falsy. `P`, `not T`, `A and B` taken when true and
// `A or B` taken when false (then every operand had that value: each
// operand's guards hold). Depth-limited.
static void test_guards(al_extractor *x, TSNode t, uint32_t scope, bool value,
                        int depth, uint32_t *out, uint8_t *n) {
  t = al_node_unparen(t);
  if (ts_node_is_null(t) || depth > 16 || *n == GUARD_MAX)
    return;
  switch (al_node_kind(t)) {
  case AL_K_IDENTIFIER: {
    uint32_t b = param_binding(x, scope, al_node_text(t, x->text));
    if (b != AL_NONE)
      out[(*n)++] = (b << 1) | (value ? 0u : 1u);
    return;
  }
  case AL_K_NOT_OPERATOR:
    test_guards(x, ts_node_child_by_field_id(t, x->F->argument), scope, !value,
                depth + 1, out, n);
    return;
  case AL_K_BOOLEAN_OPERATOR: {
    TSNode op = ts_node_child_by_field_id(t, x->F->operator);
    bool is_and =
        !ts_node_is_null(op) && al_str_eq_c(al_node_text(op, x->text), "and");
    if (is_and != value)
      return; // `A and B` false, `A or B` true: either may be
    test_guards(x, ts_node_child_by_field_id(t, x->F->left), scope, value,
                depth + 1, out, n);
    test_guards(x, ts_node_child_by_field_id(t, x->F->right), scope, value,
                depth + 1, out, n);
    return;
  }
  default:
    return;
  }
}

// The guards of the branch of the if statement whose frame is g (its
// consequence, or with `alternative` its elif/else), computed once.
static const uint32_t *if_guards(al_extractor *x, frame *g, uint32_t scope,
                                 bool alternative, uint8_t *n) {
  int side = alternative ? 1 : 0;
  if (g->guard_n[side] == GUARD_UNSET) {
    const al_scope *s = scope_at(x, scope);
    g->guard_n[side] = 0;
    if (s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION)
      test_guards(x, ts_node_child_by_field_id(g->node, x->F->condition), scope,
                  !alternative, 0, g->guards[side], &g->guard_n[side]);
  }
  *n = g->guard_n[side];
  return g->guards[side];
}

void al_extract__set_guard(al_extractor *x, const frame *f, uint32_t call) {
  uint32_t all[GUARD_MAX];
  uint8_t n_all = 0;
  uint8_t flags = f->flags;
  // Every enclosing branch of the scope runs before the call: each of
  // their guards holds (the innermost first).
  for (uint32_t gi = f->guard_if; gi != AL_NONE && n_all < GUARD_MAX;) {
    frame *g = frame_at(x, gi);
    uint8_t n;
    const uint32_t *gs = if_guards(x, g, f->scope, flags & F_GUARD_ELSE, &n);
    for (uint8_t i = 0; i < n && n_all < GUARD_MAX; i++) {
      bool seen = false;
      for (uint8_t j = 0; j < n_all && !seen; j++)
        seen = all[j] >> 1 == gs[i] >> 1;
      if (!seen)
        all[n_all++] = gs[i];
    }
    flags = g->flags;
    gi = g->guard_if;
  }
  al_call *c = &x->facts->calls.items[call];
  c->guard = AL_NONE;
  if (n_all == 0)
    return;
  c->guard = all[0] >> 1;
  if (all[0] & 1)
    c->flags |= AL_CALL_GUARD_FALSY;
  for (uint8_t i = 1; i < n_all; i++) {
    al_guard *g = vec_grow1(&x->facts->guards);
    g->call = call;
    g->bind = all[i] >> 1;
    g->falsy = (all[i] & 1) != 0;
  }
}
