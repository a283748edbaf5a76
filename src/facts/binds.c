// SPDX-License-Identifier: MIT
/*
 * Bindings: names that assignments, augmented assignments, walrus
 * expressions, for targets, with targets, except clauses, case patterns and
 * global/nonlocal statements bind, and the names a function tracks (bound
 * to a call's value: their reads become al_use facts). Pattern walks are
 * iterative and bounded.
 */
#include <string.h>

#include "facts/extract_p.h"

uint32_t al_extract__bind(al_extractor *x, const frame *f, uint32_t scope,
                          TSNode name, al_bind_kind kind, uint32_t target) {
  al_binding *b = vec_grow1(&x->facts->binds);
  b->name = node_str(x, name);
  b->span = span_of(name);
  b->scope = scope;
  b->target = target;
  b->value_ref = AL_NONE;
  b->kind = (uint8_t)kind;
  b->flags = f ? bind_flags(f) : 0;
  uint32_t id = x->facts->binds.len - 1;
  if (kind == AL_BIND_ANNOTATION)
    return id; // declares, does not rebind
  // A tracked name bound again in its scope no longer holds the call's
  // value (al_extract__assignment re-tracks it when the new value is a call),
  // once the binding statement is done.
  for (uint32_t i = x->tracked.len; i-- > 0;) {
    tracked_name *t = &x->tracked.items[i];
    if (t->scope == scope && al_str_eq(t->name, b->name)) {
      pending_track p = {x->stack.len - 1, {t->name, scope, AL_NONE}};
      vec_push(&x->pending, p);
      break;
    }
  }
  return id;
}

// Bind every identifier of a target pattern (a, (b, *c), [d]) as OTHER.
// Patterns are shallow in practice, but the walk is iterative all the same.
void al_extract__bind_pattern(al_extractor *x, const frame *f, TSNode target) {
  TSNode todo[64];
  int n = 0;
  todo[n++] = target;
  while (n > 0) {
    TSNode t = todo[--n];
    al_kind k = al_node_kind(t);
    if (k == AL_K_IDENTIFIER) {
      al_extract__bind(x, f, f->scope, t, AL_BIND_OTHER, AL_NONE);
      continue;
    }
    if (k != AL_K_PATTERN_LIST && k != AL_K_TUPLE_PATTERN &&
        k != AL_K_LIST_PATTERN && k != AL_K_LIST_SPLAT_PATTERN &&
        k != AL_K_PARENTHESIZED_EXPRESSION && k != AL_K_TUPLE &&
        k != AL_K_LIST && k != AL_K_EXPRESSION_LIST)
      continue;
    uint32_t c = ts_node_named_child_count(t);
    for (uint32_t i = c; i-- > 0 && n < 64;)
      todo[n++] = ts_node_named_child(t, i);
  }
}

// A binding to a name or an attribute chain records that reference: the
// index resolves the bound name through it (v: the value, unparenthesized;
// may be null).
static void bind_value_ref(al_extractor *x, uint32_t bind, TSNode v) {
  // `param or Default()`: the left operand here; a call on the right
  // patches the binding's target (context.c), and the index wants both
  // to agree.
  while (!ts_node_is_null(v) && al_node_kind(v) == AL_K_BOOLEAN_OPERATOR &&
         al_extract__is_or(x, v))
    v = al_node_unparen(ts_node_child_by_field_id(v, x->F->left));
  al_kind k = ts_node_is_null(v) ? AL_K_OTHER : al_node_kind(v);
  if (k != AL_K_IDENTIFIER && k != AL_K_ATTRIBUTE &&
      k != AL_K_BINARY_OPERATOR) // `base / "x"` (al_extract__ref)
    return;
  al_ref r = al_extract__ref(x, v);
  if (r.kind != AL_REF_NONE)
    x->facts->binds.items[bind].value_ref = push_ref(x, r);
}

static bool awaited_call(TSNode rv) {
  if (al_node_kind(rv) != AL_K_AWAIT || ts_node_named_child_count(rv) != 1)
    return false;
  return al_node_kind(al_node_unparen(ts_node_named_child(rv, 0))) == AL_K_CALL;
}

// `self.name = value` (or `self.name: T = value`, `self.name: T`) in a
// method: an instance attribute of its class.
static void enter_attr_assignment(al_extractor *x, frame *f, TSNode left,
                                  TSNode right, TSNode type) {
  if (ts_node_is_null(right) && ts_node_is_null(type))
    return;
  al_scope *s = scope_at(x, f->scope);
  if (s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION)
    return;
  if (s->parent == AL_NONE || scope_at(x, s->parent)->kind != AL_SCOPE_CLASS)
    return;
  TSNode obj = al_node_unparen(ts_node_child_by_field_id(left, x->F->object));
  TSNode attr = ts_node_child_by_field_id(left, x->F->attribute);
  if (ts_node_is_null(obj) || ts_node_is_null(attr) ||
      al_node_kind(obj) != AL_K_IDENTIFIER ||
      !al_str_eq(al_node_text(obj, x->text),
                 scope_at(x, f->scope)->first_param))
    return;
  f->bind = al_extract__bind(x, f, f->scope, attr, AL_BIND_ATTR, AL_NONE);
  if (!ts_node_is_null(right)) {
    TSNode rv = al_node_unparen(right);
    bind_value_ref(x, f->bind, rv);
    // `self.pool = await create_pool()`: the call patches the target
    // (extract.c); `self.conn = None`: unset, no type.
    if (awaited_call(rv))
      x->facts->binds.items[f->bind].flags |= AL_BIND_AWAITED;
    else if (al_node_kind(rv) == AL_K_NONE)
      x->facts->binds.items[f->bind].flags |= AL_BIND_NONE_VALUE;
  }
  al_extract__annot(x, type, AL_ANNOT_BINDING, f->bind);
}

// A module-level `NAME = value` whose value reads as a type (a subscript or
// a `|` union): recorded as an alias, which the index reads only when it
// names a type (`DB = Annotated[asyncpg.Pool, Depends(get_pool)]`).
static void maybe_alias(al_extractor *x, frame *f, TSNode rv) {
  if (f->scope != 0)
    return;
  al_kind k = al_node_kind(rv);
  if (k == AL_K_BINARY_OPERATOR) {
    TSNode op = ts_node_child_by_field_id(rv, x->F->operator);
    if (ts_node_is_null(op) || strcmp(ts_node_type(op), "|") != 0)
      return;
  } else if (k != AL_K_SUBSCRIPT) {
    return;
  }
  al_extract__annot(x, rv, AL_ANNOT_ALIAS, f->bind);
}

// `name = await CALL`: the call patches the binding when it is met.

// `a, b = CALL` / `a, b = await CALL` with a flat tuple of names: each name
// is an UNPACK binding of its position (f->bind is the first; the call
// patches them all when it is met: al_extract__patch_unpack).
#define UNPACK_MAX 16
static bool unpack_call(al_extractor *x, frame *f, TSNode left, TSNode right) {
  al_kind lk = al_node_kind(left);
  if ((lk != AL_K_PATTERN_LIST && lk != AL_K_TUPLE_PATTERN) ||
      ts_node_is_null(right))
    return false;
  TSNode rv = al_node_unparen(right);
  bool awaited = awaited_call(rv);
  if (!awaited && al_node_kind(rv) != AL_K_CALL)
    return false;
  uint32_t n = ts_node_named_child_count(left);
  if (n < 2 || n > UNPACK_MAX)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (al_node_kind(ts_node_named_child(left, i)) != AL_K_IDENTIFIER)
      return false;
  al_bind_kind kind = awaited ? AL_BIND_UNPACK_AWAIT : AL_BIND_UNPACK;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t b = al_extract__bind(x, f, f->scope, ts_node_named_child(left, i),
                                  kind, AL_NONE);
    x->facts->binds.items[b].value_ref = i;
    if (i == 0)
      f->bind = b;
  }
  return true;
}

void al_extract__patch_unpack(al_extractor *x, uint32_t first, uint32_t call) {
  al_binding *b = x->facts->binds.items;
  for (uint32_t i = first; i < x->facts->binds.len; i++) {
    if ((b[i].kind != AL_BIND_UNPACK && b[i].kind != AL_BIND_UNPACK_AWAIT) ||
        b[i].value_ref != i - first || b[i].target != AL_NONE)
      break;
    b[i].target = call;
  }
}

void al_extract__assignment(al_extractor *x, frame *f) {
  TSNode left = ts_node_child_by_field_id(f->node, x->F->left);
  TSNode right = ts_node_child_by_field_id(f->node, x->F->right);
  TSNode type = ts_node_child_by_field_id(f->node, x->F->type);
  if (ts_node_is_null(left))
    return;
  al_kind lk = al_node_kind(left);
  if (lk == AL_K_IDENTIFIER) {
    if (ts_node_is_null(right)) {
      // `x: T` binds nothing at run time; it declares (a class's field).
      if (ts_node_is_null(type))
        return;
      uint32_t b =
          al_extract__bind(x, f, f->scope, left, AL_BIND_ANNOTATION, AL_NONE);
      if (al_extract__annot(x, type, AL_ANNOT_BINDING, b) == AL_NONE)
        x->facts->binds.len--; // says nothing: no binding either
      return;
    }
    TSNode rv = al_node_unparen(right);
    al_kind rk = al_node_kind(rv);
    if (rk == AL_K_ASSIGNMENT) {
      al_extract__bind(x, f, f->scope, left, AL_BIND_OTHER, AL_NONE);
      return;
    }
    bool awaited = awaited_call(rv);
    f->bind =
        al_extract__bind(x, f, f->scope, left,
                         awaited ? AL_BIND_AWAIT : AL_BIND_ASSIGN, AL_NONE);
    if (rk == AL_K_NONE) // `conn = None`: unset (the index skips it)
      x->facts->binds.items[f->bind].flags |= AL_BIND_NONE_VALUE;
    // `t = xx = f()`: this is xx; the outer target holds the value too.
    if (x->stack.len >= 2 &&
        frame_at(x, x->stack.len - 2)->kind == AL_K_ASSIGNMENT)
      x->facts->binds.items[f->bind].flags |= AL_BIND_CHAINED;
    if (!awaited)
      bind_value_ref(x, f->bind, rv);
    if (ts_node_is_null(type))
      maybe_alias(x, f, rv);
    else
      al_extract__annot(x, type, AL_ANNOT_BINDING, f->bind);
    bool from_call =
        rk == AL_K_CALL || rk == AL_K_CONDITIONAL_EXPRESSION ||
        rk == AL_K_LIST_COMPREHENSION || rk == AL_K_SET_COMPREHENSION ||
        rk == AL_K_DICTIONARY_COMPREHENSION || rk == AL_K_GENERATOR_EXPRESSION;
    if (from_call && is_function_scope(scope_at(x, f->scope))) {
      pending_track p = {
          x->stack.len - 1,
          {x->facts->binds.items[f->bind].name, f->scope, f->bind}};
      vec_push(&x->pending, p);
    }
  } else if (lk == AL_K_ATTRIBUTE) {
    enter_attr_assignment(x, f, left, right, type);
  } else if (!unpack_call(x, f, left, right)) {
    al_extract__bind_pattern(x, f, left);
  }
}

void al_extract__names_stmt(al_extractor *x, frame *f, al_bind_kind kind) {
  uint32_t n = ts_node_named_child_count(f->node);
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(f->node, i);
    if (al_node_kind(c) == AL_K_IDENTIFIER)
      al_extract__bind(x, f, f->scope, c, kind, AL_NONE);
  }
}

// `case` patterns bind their capture names: a lone name (`case x`, `{"k":
// x}`), `*rest`, `as y`. Bound as OTHER, which only ever makes a name
// unknown. The walk is iterative and bounded.
void al_extract__case_clause(al_extractor *x, frame *f) {
  TSNode todo[256];
  uint8_t parent[256];
  int n = 0;
  uint32_t nc = ts_node_named_child_count(f->node);
  for (uint32_t i = 0; i < nc && n < 256; i++) {
    TSNode c = ts_node_named_child(f->node, i);
    if (al_node_kind(c) == AL_K_CASE_PATTERN) {
      todo[n] = c;
      parent[n++] = AL_K_CASE_CLAUSE;
    }
  }
  while (n > 0) {
    n--;
    TSNode t = todo[n];
    al_kind pk = (al_kind)parent[n];
    al_kind k = al_node_kind(t);
    if (k == AL_K_IDENTIFIER) {
      if (pk == AL_K_SPLAT_PATTERN || pk == AL_K_AS_PATTERN_TARGET)
        al_extract__bind(x, f, f->scope, t, AL_BIND_OTHER, AL_NONE);
      continue;
    }
    if (k == AL_K_DOTTED_NAME) {
      if (pk == AL_K_CASE_PATTERN && ts_node_named_child_count(t) == 1)
        al_extract__bind(x, f, f->scope, ts_node_named_child(t, 0),
                         AL_BIND_OTHER, AL_NONE);
      continue;
    }
    uint32_t c = ts_node_named_child_count(t);
    for (uint32_t i = c; i-- > 0 && n < 256;) {
      todo[n] = ts_node_named_child(t, i);
      parent[n++] = (uint8_t)k;
    }
  }
}

// `x += 1`: x is bound again (to something unknown).
void al_extract__augmented_assignment(al_extractor *x, frame *f) {
  TSNode left = ts_node_child_by_field_id(f->node, x->F->left);
  if (al_node_kind(left) == AL_K_IDENTIFIER)
    al_extract__bind(x, f, f->scope, left, AL_BIND_OTHER, AL_NONE);
}

// `(name := value)`.
// `type NAME = T` (PEP 695) at module level: NAME is an alias of T, as
// `NAME = T` is (maybe_alias). A generic alias (`type P[T] = ...`) is not
// recorded.
void al_extract__type_alias(al_extractor *x, frame *f) {
  TSNode left = ts_node_child_by_field_id(f->node, x->F->left);
  TSNode right = ts_node_child_by_field_id(f->node, x->F->right);
  if (f->scope != 0 || ts_node_is_null(left) || ts_node_is_null(right))
    return;
  if (al_node_kind(left) == AL_K_TYPE && ts_node_named_child_count(left) == 1)
    left = ts_node_named_child(left, 0);
  if (al_node_kind(left) != AL_K_IDENTIFIER)
    return;
  uint32_t b = al_extract__bind(x, f, f->scope, left, AL_BIND_ASSIGN, AL_NONE);
  al_extract__annot(x, right, AL_ANNOT_ALIAS, b);
}

// `(name := value)`: name holds the value, as `name = value` would (a
// call in value patches the binding when it is met: extract.c,
// patch_waiting).
void al_extract__named_expression(al_extractor *x, frame *f) {
  TSNode name = ts_node_child_by_field_id(f->node, x->F->name);
  TSNode value = ts_node_child_by_field_id(f->node, x->F->value);
  if (ts_node_is_null(name) || al_node_kind(name) != AL_K_IDENTIFIER)
    return;
  if (ts_node_is_null(value)) {
    al_extract__bind(x, f, f->scope, name, AL_BIND_OTHER, AL_NONE);
    return;
  }
  TSNode v = al_node_unparen(value);
  bool awaited = awaited_call(v);
  f->bind = al_extract__bind(x, f, f->scope, name,
                             awaited ? AL_BIND_AWAIT : AL_BIND_ASSIGN, AL_NONE);
  if (!awaited)
    bind_value_ref(x, f->bind, v);
}

// The target of `with cm as target` (v, the item's value, is the
// as_pattern).
void al_extract__with_target(al_extractor *x, frame *f, TSNode v) {
  TSNode alias = ts_node_child_by_field_id(v, x->F->alias);
  TSNode target = ts_node_is_null(alias) ? alias
                  : ts_node_named_child_count(alias)
                      ? ts_node_named_child(alias, 0)
                      : alias;
  if (ts_node_is_null(target))
    return;
  if (al_node_kind(target) != AL_K_IDENTIFIER) {
    al_extract__bind_pattern(x, f, target);
    return;
  }
  // `with X() as v`: v is typed by what X() enters (the call is met
  // next and patches the binding's target).
  f->bind = al_extract__bind(x, f, f->scope, target, AL_BIND_WITH, AL_NONE);
  TSNode cm = ts_node_named_child_count(v)
                  ? al_node_unparen(ts_node_named_child(v, 0))
                  : (TSNode){0};
  bind_value_ref(x, f->bind, cm);
}

// `except E as e`: the grammar gives an as_pattern as the value.
void al_extract__except_clause(al_extractor *x, frame *f) {
  TSNode alias = ts_node_child_by_field_id(f->node, x->F->alias);
  TSNode v = ts_node_child_by_field_id(f->node, x->F->value);
  if (ts_node_is_null(alias) && !ts_node_is_null(v) &&
      al_node_kind(v) == AL_K_AS_PATTERN)
    alias = ts_node_child_by_field_id(v, x->F->alias);
  if (!ts_node_is_null(alias) &&
      al_node_kind(alias) == AL_K_AS_PATTERN_TARGET &&
      ts_node_named_child_count(alias))
    alias = ts_node_named_child(alias, 0);
  if (!ts_node_is_null(alias))
    al_extract__bind_pattern(x, f, alias);
}
