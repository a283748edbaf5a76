// SPDX-License-Identifier: MIT
/*
 * The syntactic context of a call, a comprehension or a name read: what
 * the expression is used as (a statement of its own, awaited, assigned,
 * an argument, a condition, an operand, the object of an attribute, ...),
 * read off the walk's frames above it. The walk never looks ahead, so the
 * context is decided by the nearest enclosing frame that is not a
 * transparent wrapper (parentheses, splats, the branches of a conditional
 * expression). This file records nothing for calls and names itself: the
 * caller patches the records that wait for the expression. It records the
 * attribute reads (al_attr_read), which are nothing but a context.
 */
#include "facts/extract_p.h"

#include <string.h>

// An argument of a call (p, the frame at j, is an argument list or a
// keyword argument; the expression's frame is at i, c the child of p it
// is in): the call, and the argument's position or keyword.
static void classify_arg(al_extractor *x, uint32_t i, uint32_t j,
                         const frame *p, const frame *c, ctx_info *r) {
  uint32_t list = j;
  if (p->kind == AL_K_KEYWORD_ARGUMENT) {
    if (c->field != x->F->value || j == 0)
      return;
    list = j - 1;
    if (frame_at(x, list)->kind != AL_K_ARGUMENT_LIST)
      return;
  }
  if (list == 0 || frame_at(x, list - 1)->kind != AL_K_CALL)
    return;
  uint32_t call = frame_at(x, list - 1)->call;
  uint32_t a = al_extract__find_arg(x, list - 1,
                                    ts_node_start_byte(frame_at(x, i)->node),
                                    ts_node_end_byte(frame_at(x, i)->node));
  r->ctx = AL_CTX_ARG;
  r->parent_call = call;
  r->parent_frame = list - 1;
  if (a != AL_NONE) {
    const al_arg *arg = &x->argbuf.items[a].arg;
    r->arg_index = arg->index;
    r->ctx_name = arg->keyword;
  }
}

static void chain_user(al_extractor *x, uint32_t j, ctx_info *r);

bool al_extract__is_or(al_extractor *x, TSNode n) {
  TSNode op = ts_node_child_by_field_id(n, x->F->operator);
  return !ts_node_is_null(op) && al_str_eq_c(al_node_text(op, x->text), "or");
}

// Whether binary operator node n is `/`.
static bool is_truediv(al_extractor *x, TSNode n) {
  TSNode op = ts_node_child_by_field_id(n, x->F->operator);
  return !ts_node_is_null(op) && al_str_eq_c(al_node_text(op, x->text), "/");
}

// The object of an attribute (p, the frame at j): the attribute's name, and
// the call that uses the chain, if any.
static void classify_attribute(al_extractor *x, uint32_t j, const frame *p,
                               const frame *c, ctx_info *r) {
  if (c->field != x->F->object)
    return;
  r->ctx = AL_CTX_ATTRIBUTE;
  TSNode attr = ts_node_child_by_field_id(p->node, x->F->attribute);
  if (!ts_node_is_null(attr))
    r->ctx_name = node_str(x, attr);
  chain_user(x, j, r);
}

// The call or binding using the chain whose innermost part is the frame at
// j (an attribute or the left operand of `/`): r->parent_call, or
// r->parent_frame (an argument's call, an assignment, a walrus).
static void chain_user(al_extractor *x, uint32_t j, ctx_info *r) {
  // f().a.b(): climb the attribute chain to the call that uses it (also
  // through `/`: `(f().a / "x").b()`, al_extract__ref).
  uint32_t k = j;
  while (k > 0) {
    const frame *up = frame_at(x, k - 1), *cur = frame_at(x, k);
    if ((up->kind == AL_K_ATTRIBUTE && cur->field == x->F->object) ||
        up->kind == AL_K_PARENTHESIZED_EXPRESSION ||
        (up->kind == AL_K_BINARY_OPERATOR && cur->named_index == 0 &&
         is_truediv(x, up->node)))
      k--;
    else
      break;
  }
  while (k < j && frame_at(x, k)->kind == AL_K_PARENTHESIZED_EXPRESSION)
    k++; // `(f().a)` alone: the chain is what is inside
  if (k > 0 && frame_at(x, k - 1)->kind == AL_K_CALL &&
      frame_at(x, k)->field == x->F->function) {
    r->parent_call = frame_at(x, k - 1)->call;
    return;
  }
  // `v = f().a` (or `v := ...`): the binding's value reference waits.
  if (k > 0 && ((frame_at(x, k - 1)->kind == AL_K_ASSIGNMENT &&
                 frame_at(x, k)->field == x->F->right) ||
                (frame_at(x, k - 1)->kind == AL_K_NAMED_EXPRESSION &&
                 frame_at(x, k)->field == x->F->value))) {
    r->parent_frame = k - 1;
    return;
  }
  // g(f().a): the chain is an argument; parent_frame is g's frame.
  if (k > 1 && frame_at(x, k - 1)->kind == AL_K_KEYWORD_ARGUMENT)
    k--;
  if (k > 1 && frame_at(x, k - 1)->kind == AL_K_ARGUMENT_LIST &&
      frame_at(x, k - 2)->kind == AL_K_CALL)
    r->parent_frame = k - 2;
}

// The right side of an assignment (p): by what the left side is.
static void classify_assignment(al_extractor *x, const frame *p, const frame *c,
                                ctx_info *r) {
  if (c->field != x->F->right)
    return;
  TSNode left = ts_node_child_by_field_id(p->node, x->F->left);
  al_kind lk = al_node_kind(left);
  r->ctx = lk == AL_K_IDENTIFIER ? AL_CTX_ASSIGN
           : (lk == AL_K_PATTERN_LIST || lk == AL_K_TUPLE_PATTERN ||
              lk == AL_K_LIST_PATTERN)
               ? AL_CTX_UNPACK
               : AL_CTX_ASSIGN_OTHER;
}

// A test: the condition of if/elif/while, or the operand of `not`.
static void classify_condition(al_extractor *x, uint32_t j, const frame *p,
                               const frame *c, ctx_info *r) {
  if (p->kind == AL_K_NOT_OPERATOR) {
    r->ctx = AL_CTX_CONDITION;
    r->cflags |= AL_CALL_NEGATED;
    if (j > 0 && frame_at(x, j - 1)->kind == AL_K_WHILE_STATEMENT &&
        p->field == x->F->condition)
      r->cflags |= AL_CALL_WHILE_TEST;
    return;
  }
  if (c->field != x->F->condition)
    return;
  r->ctx = AL_CTX_CONDITION;
  if (p->kind == AL_K_WHILE_STATEMENT)
    r->cflags |= AL_CALL_WHILE_TEST;
}

// Whether binary operator node n is `**`.
static bool is_power(al_extractor *x, TSNode n) {
  TSNode op = ts_node_child_by_field_id(n, x->F->operator);
  return !ts_node_is_null(op) && al_str_eq_c(al_node_text(op, x->text), "**");
}

// The context p, the frame at j, gives to its child c: p is the nearest
// enclosing frame that decides (classify passed the transparent ones).
static void decide(al_extractor *x, uint32_t i, uint32_t j, const frame *p,
                   const frame *c, ctx_info *r) {
  switch ((al_kind)p->kind) {
  case AL_K_EXPRESSION_STATEMENT:
    r->ctx = AL_CTX_STMT;
    break;
  case AL_K_AWAIT:
    r->ctx = AL_CTX_AWAIT;
    break;
  case AL_K_ASSIGNMENT:
    classify_assignment(x, p, c, r);
    break;
  case AL_K_AUGMENTED_ASSIGNMENT:
    if (c->field == x->F->right)
      r->ctx = AL_CTX_OPERAND;
    break;
  case AL_K_RETURN_STATEMENT:
    r->ctx = AL_CTX_RETURN;
    break;
  case AL_K_YIELD:
    r->ctx = AL_CTX_YIELD;
    break;
  case AL_K_ARGUMENT_LIST:
  case AL_K_KEYWORD_ARGUMENT:
    classify_arg(x, i, j, p, c, r);
    break;
  case AL_K_IF_STATEMENT:
  case AL_K_ELIF_CLAUSE:
  case AL_K_WHILE_STATEMENT:
  case AL_K_NOT_OPERATOR:
    classify_condition(x, j, p, c, r);
    break;
  case AL_K_BOOLEAN_OPERATOR:
    r->ctx = AL_CTX_CONDITION;
    // `v = a or CALL`: the binding waits for the call too (binds.c).
    if (c->named_index == 1 && al_extract__is_or(x, p->node)) {
      uint32_t k = j;
      while (k > 0 && frame_at(x, k - 1)->kind == AL_K_PARENTHESIZED_EXPRESSION)
        k--;
      if (k > 0 && frame_at(x, k - 1)->kind == AL_K_ASSIGNMENT &&
          frame_at(x, k)->field == x->F->right)
        r->walrus = k - 1;
    }
    break;
  case AL_K_IF_CLAUSE:
    r->ctx = AL_CTX_CONDITION;
    break;
  case AL_K_ASSERT_STATEMENT:
    if (c->named_index == 0)
      r->ctx = AL_CTX_CONDITION;
    break;
  case AL_K_BINARY_OPERATOR:
    r->ctx = AL_CTX_OPERAND;
    // Fields are not read under binary operators: the left operand is the
    // first named child.
    if (c->named_index == 0 && is_power(x, p->node))
      r->cflags |= AL_CALL_POWER_BASE;
    // `f() / "x"`: a chain on f()'s value (al_extract__ref) may wait.
    if (c->named_index == 0 && is_truediv(x, p->node))
      chain_user(x, j, r);
    break;
  case AL_K_UNARY_OPERATOR:
  case AL_K_COMPARISON_OPERATOR:
    r->ctx = AL_CTX_OPERAND;
    break;
  case AL_K_SUBSCRIPT:
    if (c->field == x->F->value)
      r->ctx = AL_CTX_SUBSCRIPT;
    break;
  case AL_K_ATTRIBUTE:
    classify_attribute(x, j, p, c, r);
    break;
  case AL_K_FOR_STATEMENT:
  case AL_K_FOR_IN_CLAUSE:
    if (c->field == x->F->right)
      r->ctx = al_node_is_async(p->node) ? AL_CTX_ASYNC_ITER : AL_CTX_ITER;
    break;
  case AL_K_INTERPOLATION:
    r->ctx = AL_CTX_FSTRING;
    break;
  case AL_K_WITH_ITEM:
    if (c->field == x->F->value && j >= 2) {
      frame *stmt = frame_at(x, j - 2);
      r->ctx = stmt->kind == AL_K_WITH_STATEMENT && al_node_is_async(stmt->node)
                   ? AL_CTX_ASYNC_WITH
                   : AL_CTX_WITH;
    }
    break;
  case AL_K_LAMBDA:
    if (c->field == x->F->body)
      r->ctx = AL_CTX_LAMBDA;
    break;
  case AL_K_LIST_COMPREHENSION:
  case AL_K_SET_COMPREHENSION:
  case AL_K_DICTIONARY_COMPREHENSION:
  case AL_K_GENERATOR_EXPRESSION:
    if (c->field == x->F->body)
      r->ctx = AL_CTX_COMPREHENSION;
    break;
  default:
    break;
  }
}

ctx_info al_extract__classify(al_extractor *x, uint32_t i) {
  ctx_info r = {AL_CTX_OTHER, AL_NONE, AL_NONE, 0,    {0},
                AL_NONE,      0,       AL_NONE, false};
  uint32_t child = i;
  // Climb past the frames that pass their child's context through.
  while (child > 0) {
    uint32_t j = child - 1;
    frame *p = frame_at(x, j);
    frame *c = frame_at(x, child);
    r.via = j;
    switch ((al_kind)p->kind) {
    case AL_K_PARENTHESIZED_EXPRESSION:
    case AL_K_LIST_SPLAT:
    case AL_K_DICTIONARY_SPLAT:
      child = j;
      continue;
    case AL_K_CONDITIONAL_EXPRESSION:
      // children: consequence `if` test `else` alternative
      if (c->named_index == 1) {
        r.ctx = AL_CTX_CONDITION;
        return r;
      }
      r.in_branch = true;
      child = j;
      continue;
    case AL_K_AS_PATTERN:
      if (c->named_index == 0 && j > 0 &&
          frame_at(x, j - 1)->kind == AL_K_WITH_ITEM) {
        child = j;
        continue;
      }
      return r;
    case AL_K_NAMED_EXPRESSION:
      // `(name := value)`: the value is bound (the caller patches the
      // binding) and used where the whole expression is.
      if (c->field != x->F->value)
        return r;
      if (r.walrus == AL_NONE)
        r.walrus = j;
      child = j;
      continue;
    default:
      decide(x, i, j, p, c, &r);
      // `(c := f())` as a statement keeps the value: not dropped.
      if (r.walrus != AL_NONE && r.ctx == AL_CTX_STMT)
        r.ctx = AL_CTX_ASSIGN_OTHER;
      return r;
    }
  }
  return r;
}

// Whether a read in context ci is one an al_attr_read records (see facts.h).
static bool read_recorded(al_extractor *x, const ctx_info *ci) {
  switch (ci->ctx) {
  case AL_CTX_CONDITION:
  case AL_CTX_OPERAND:
  case AL_CTX_SUBSCRIPT:
  case AL_CTX_ITER:
  case AL_CTX_UNPACK:
    return true;
  case AL_CTX_ATTRIBUTE:
    return ci->parent_call == AL_NONE;
  case AL_CTX_ARG: {
    const al_ref *callee = &x->facts->calls.items[ci->parent_call].callee;
    return callee->kind == AL_REF_DOTTED &&
           !memchr(callee->dotted.ptr, '.', callee->dotted.len);
  }
  default:
    return false;
  }
}

// `name.attr` read as a value: an al_attr_read.
void al_extract__attribute_read(al_extractor *x, frame *f) {
  // The shape first: classifying the context costs more, and most
  // attributes are not `name.attr` (`a.b.c`, `f().x`).
  TSNode obj = ts_node_child_by_field_id(f->node, x->F->object);
  TSNode name = ts_node_child_by_field_id(f->node, x->F->attribute);
  if (ts_node_is_null(obj) || al_node_kind(obj) != AL_K_IDENTIFIER ||
      ts_node_is_null(name))
    return;
  ctx_info ci = al_extract__classify(x, x->stack.len - 1);
  if (!read_recorded(x, &ci))
    return;
  al_str o = al_node_text(obj, x->text), a = al_node_text(name, x->text);
  char *d = al_arena_alloc(x->facts->arena, o.len + a.len + 2);
  memcpy(d, o.ptr, o.len);
  d[o.len] = '.';
  memcpy(d + o.len + 1, a.ptr, a.len);
  d[o.len + 1 + a.len] = 0;
  al_attr_read *r = vec_grow1(&x->facts->reads);
  r->dotted = (al_str){d, o.len + 1 + a.len};
  r->span = span_of(f->node);
  r->scope = f->scope;
  r->parent_call = ci.ctx == AL_CTX_ARG ? ci.parent_call : AL_NONE;
  r->attr_hash = ci.ctx == AL_CTX_ATTRIBUTE ? al_use_attr_hash(ci.ctx_name) : 0;
  r->ctx = (uint8_t)ci.ctx;
  r->flags = (ci.ctx == AL_CTX_OPERAND &&
                      frame_at(x, ci.via)->kind == AL_K_COMPARISON_OPERATOR
                  ? AL_USE_COMPARED
                  : 0) |
             (ci.cflags & AL_CALL_POWER_BASE ? AL_USE_POWER_BASE : 0);
}
