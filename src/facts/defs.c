// SPDX-License-Identifier: MIT
/*
 * Definitions: the scope a def, class or lambda opens, the binding of its
 * name, its parameters, its base classes and decorators, and whether its
 * body is a stub. The body itself is walked by extract.c like any other
 * code.
 */
#include <string.h>

#include "facts/extract_p.h"

// AL_BIND_DEFAULT_* of a default parameter's value.
static uint8_t default_flags(al_extractor *x, TSNode p) {
  TSNode v = al_node_unparen(ts_node_child_by_field_id(p, x->F->value));
  if (ts_node_is_null(v))
    return 0;
  al_kind k = al_node_kind(v);
  if (k == AL_K_FALSE || k == AL_K_NONE)
    return AL_BIND_DEFAULT_FALSY;
  if (k == AL_K_TRUE)
    return AL_BIND_DEFAULT_TRUTHY;
  if (k != AL_K_INTEGER)
    return 0;
  al_str t = al_node_text(v, x->text);
  bool digits = t.len > 0, nonzero = false;
  for (size_t i = 0; i < t.len; i++) {
    digits &= (t.ptr[i] >= '0' && t.ptr[i] <= '9') || t.ptr[i] == '_';
    nonzero |= t.ptr[i] >= '1' && t.ptr[i] <= '9';
  }
  if (!digits)
    return 0;
  return nonzero ? AL_BIND_DEFAULT_TRUTHY : AL_BIND_DEFAULT_FALSY;
}

static void bind_params(al_extractor *x, TSNode params, uint32_t scope) {
  if (ts_node_is_null(params) || !aux_first(x, params))
    return;
  al_scope *s = scope_at(x, scope);
  bool starred = false; // after *args or a bare `*`
  do {
    TSNode p = aux_node(x);
    if (!ts_node_is_named(p))
      continue;
    TSNode name = {0};
    TSNode type = {0}; // a plain name's annotation (not *args: T)
    uint8_t flags = 0;
    al_kind pk = al_node_kind(p);
    if (pk == AL_K_LIST_SPLAT_PATTERN || pk == AL_K_DICTIONARY_SPLAT_PATTERN ||
        (pk == AL_K_TYPED_PARAMETER && ts_node_named_child_count(p) > 0 &&
         al_node_kind(ts_node_named_child(p, 0)) != AL_K_IDENTIFIER) ||
        strcmp(ts_node_type(p), "keyword_separator") == 0)
      starred = true;
    if (pk == AL_K_DEFAULT_PARAMETER || pk == AL_K_TYPED_DEFAULT_PARAMETER)
      flags = default_flags(x, p) | AL_BIND_OPTIONAL;
    if (starred)
      flags |= AL_BIND_NOT_POSITIONAL;
    // *args, **kwargs (typed too): never required.
    if (pk == AL_K_LIST_SPLAT_PATTERN || pk == AL_K_DICTIONARY_SPLAT_PATTERN ||
        (pk == AL_K_TYPED_PARAMETER && ts_node_named_child_count(p) > 0 &&
         al_node_kind(ts_node_named_child(p, 0)) != AL_K_IDENTIFIER))
      flags |= AL_BIND_OPTIONAL;
    switch (pk) {
    case AL_K_IDENTIFIER:
      name = p;
      break;
    case AL_K_DEFAULT_PARAMETER:
    case AL_K_TYPED_DEFAULT_PARAMETER:
      name = ts_node_child_by_field_id(p, x->F->name);
      type = ts_node_child_by_field_id(p, x->F->type);
      break;
    case AL_K_TYPED_PARAMETER:
    case AL_K_LIST_SPLAT_PATTERN:
    case AL_K_DICTIONARY_SPLAT_PATTERN:
      for (uint32_t i = 0; i < ts_node_named_child_count(p); i++) {
        TSNode c = ts_node_named_child(p, i);
        al_kind ck = al_node_kind(c);
        if (ck == AL_K_IDENTIFIER) {
          name = c;
          if (al_node_kind(p) == AL_K_TYPED_PARAMETER)
            type = ts_node_child_by_field_id(p, x->F->type);
          break;
        }
        if (ck == AL_K_LIST_SPLAT_PATTERN ||
            ck == AL_K_DICTIONARY_SPLAT_PATTERN) {
          if (ts_node_named_child_count(c) > 0)
            name = ts_node_named_child(c, 0);
          break;
        }
      }
      break;
    default:
      break;
    }
    if (ts_node_is_null(name) || al_node_kind(name) != AL_K_IDENTIFIER)
      continue;
    if (s->first_param.len == 0 && s->kind != AL_SCOPE_LAMBDA)
      s->first_param = node_str(x, name);
    // s stays valid: binding grows the binds, not the scopes.
    uint32_t b = al_extract__bind(x, NULL, scope, name, AL_BIND_PARAM, AL_NONE);
    x->facts->binds.items[b].flags |= flags;
    if (!ts_node_is_null(type))
      al_extract__annot(x, type, AL_ANNOT_BINDING, b);
  } while (aux_next(x));
}

// Whether a body only documents or refuses (docstring, pass, ..., raise),
// and how many statements it has besides a leading docstring.
static bool body_stats(al_extractor *x, TSNode body, uint32_t *n_stmts) {
  *n_stmts = 0;
  if (ts_node_is_null(body) || !aux_first(x, body))
    return true;
  bool stub = true, first = true;
  do {
    TSNode s = aux_node(x);
    if (!ts_node_is_named(s))
      continue;
    al_kind k = al_node_kind(s);
    if (k == AL_K_COMMENT)
      continue;
    bool doc = false;
    if (k == AL_K_EXPRESSION_STATEMENT && ts_node_named_child_count(s) == 1) {
      al_kind e = al_node_kind(ts_node_named_child(s, 0));
      doc = e == AL_K_STRING || e == AL_K_CONCATENATED_STRING;
      if (doc || e == AL_K_ELLIPSIS) {
        if (!(doc && first))
          (*n_stmts)++;
        first = false;
        continue;
      }
    }
    first = false;
    (*n_stmts)++;
    if (k != AL_K_PASS_STATEMENT && k != AL_K_RAISE_STATEMENT)
      stub = false;
    // Nothing needs more than "not a stub, at least two statements": stop
    // instead of walking long bodies twice.
    if (!stub && *n_stmts >= 2)
      break;
  } while (aux_next(x));
  return stub;
}

static uint32_t new_scope(al_extractor *x, frame *f, al_scope_kind kind,
                          TSNode name, TSNode def) {
  uint32_t parent = f->scope;
  al_scope *s = vec_grow1(&x->facts->scopes);
  s->kind = (uint8_t)kind;
  s->parent = parent;
  s->first_decorator = AL_NONE;
  s->first_base = AL_NONE;
  s->def_span = span_of(def);
  if (!ts_node_is_null(name)) {
    s->name = node_str(x, name);
    s->name_span = span_of(name);
  } else {
    s->name_span = span_of(def);
  }
  uint32_t id = x->facts->scopes.len - 1;
  if (is_function_scope(scope_at(x, parent)))
    scope_at(x, id)->flags |= AL_SCOPE_NESTED_DEF;
  return id;
}

// A def or class under a decorated_definition: its decorators, whose refs
// the decorator frames recorded before it.
static void attach_decorators(al_extractor *x, uint32_t scope) {
  if (x->stack.len < 2)
    return;
  frame *p = &x->stack.items[x->stack.len - 2];
  if (p->kind != AL_K_DECORATED_DEFINITION)
    return;
  al_scope *s = scope_at(x, scope);
  s->first_decorator = p->deco_first;
  s->n_decorators = p->deco_n;
}

// A return annotation no record was kept for that may still allow any
// value: `Any`, `typing.Any`, `object`, or a string.
static bool vague_return(al_extractor *x, TSNode type) {
  if (ts_node_is_null(type))
    return false;
  al_str t = al_node_text(type, x->text);
  if (t.len && (t.ptr[0] == '"' || t.ptr[0] == '\''))
    return true;
  size_t k = t.len;
  while (k > 0 && t.ptr[k - 1] != '.')
    k--;
  al_str last = {t.ptr + k, t.len - k};
  return al_str_eq_c(last, "Any") || al_str_eq_c(last, "object");
}

void al_extract__function(al_extractor *x, frame *f) {
  TSNode n = f->node;
  TSNode name = ts_node_child_by_field_id(n, x->F->name);
  bool async = al_node_is_async(n);
  uint32_t s = new_scope(
      x, f, async ? AL_SCOPE_ASYNC_FUNCTION : AL_SCOPE_FUNCTION, name, n);
  attach_decorators(x, s);
  if (!ts_node_is_null(name))
    al_extract__bind(x, f, f->scope, name, AL_BIND_FUNCTION, s);
  bind_params(x, ts_node_child_by_field_id(n, x->F->parameters), s);
  TSNode ret = ts_node_child_by_field_id(n, x->F->return_type);
  if (al_extract__annot(x, ret, AL_ANNOT_RETURN, s) == AL_NONE && async &&
      vague_return(x, ret))
    scope_at(x, s)->flags |= AL_SCOPE_VAGUE_RETURN;
  uint32_t n_stmts;
  if (body_stats(x, ts_node_child_by_field_id(n, x->F->body), &n_stmts))
    scope_at(x, s)->flags |= AL_SCOPE_STUB;
  scope_at(x, s)->n_stmts = n_stmts;
  f->inner = s;
}

void al_extract__class(al_extractor *x, frame *f) {
  TSNode n = f->node;
  TSNode name = ts_node_child_by_field_id(n, x->F->name);
  uint32_t s = new_scope(x, f, AL_SCOPE_CLASS, name, n);
  attach_decorators(x, s);
  if (!ts_node_is_null(name))
    al_extract__bind(x, f, f->scope, name, AL_BIND_CLASS, s);
  TSNode bases = ts_node_child_by_field_id(n, x->F->superclasses);
  uint32_t first = x->facts->refs.len, count = 0;
  if (!ts_node_is_null(bases) && aux_first(x, bases)) {
    // al_extract__ref does not use the aux walk, so it may run in this loop
    // (a helper that did would end the iteration).
    do {
      TSNode b = aux_node(x);
      if (!ts_node_is_named(b) || al_node_kind(b) == AL_K_KEYWORD_ARGUMENT ||
          al_node_kind(b) == AL_K_COMMENT)
        continue;
      // A generic base (`Repo[User]`, `Generic[T]`) is its class.
      TSNode generic = al_node_kind(b) == AL_K_SUBSCRIPT
                           ? ts_node_child_by_field_id(b, x->F->value)
                           : b;
      if (!ts_node_is_null(generic))
        b = generic;
      push_ref(x, al_extract__ref(x, b));
      count++;
    } while (aux_next(x));
  }
  al_scope *sc = scope_at(x, s);
  sc->first_base = count ? first : AL_NONE;
  sc->n_bases = count;
  f->inner = s;
}

void al_extract__lambda(al_extractor *x, frame *f) {
  uint32_t s = new_scope(x, f, AL_SCOPE_LAMBDA, (TSNode){0}, f->node);
  bind_params(x, ts_node_child_by_field_id(f->node, x->F->parameters), s);
  f->inner = s;
  scope_at(x, s)->n_stmts = 1;
  TSNode body = ts_node_child_by_field_id(f->node, x->F->body);
  if (!ts_node_is_null(body))
    f->ret = al_extract__add_return(x, s, f->node, body);
}

void al_extract__decorator(al_extractor *x, frame *f) {
  if (x->stack.len < 2)
    return;
  frame *p = &x->stack.items[x->stack.len - 2];
  if (p->kind != AL_K_DECORATED_DEFINITION ||
      ts_node_named_child_count(f->node) == 0)
    return;
  TSNode e = al_node_unparen(ts_node_named_child(f->node, 0));
  al_ref r;
  if (al_node_kind(e) == AL_K_CALL) {
    r = al_extract__ref(x, ts_node_child_by_field_id(e, x->F->function));
    if (r.kind == AL_REF_DOTTED)
      r.kind = AL_REF_CALLED; // base_call is patched when the call is met
    else
      r = (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  } else {
    r = al_extract__ref(x, e);
  }
  uint32_t idx = push_ref(x, r);
  if (p->deco_n == 0)
    p->deco_first = idx;
  p->deco_n++;
}
