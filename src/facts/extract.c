// SPDX-License-Identifier: MIT
/*
 * The extraction walk: parse a file once, walk its tree once with the
 * project's walker (syntax/walk.h), and record definitions, bindings,
 * imports, calls with their syntactic context, awaits and suppression
 * comments as al_facts.
 *
 * The walk keeps its own explicit stack of frames (never the C stack), so
 * 100,000-deep nesting costs heap, not a crash. A call's context is read off
 * the frames above it (context.c); records that are only known later (the
 * call an assignment binds, the call an await awaits) are patched when that
 * call is met. Each kind of node the walk cares about has its own enter
 * step, here or in the files extract_p.h lists. This module does not
 * resolve names: that is the index's job.
 */
#include "facts/extract_p.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "syntax/errors.h"

al_extractor *al_extractor_new(void) {
  al_extractor *self = al_xcalloc(1, sizeof *self);
  self->parser = al_parser_new();
  self->walker = al_walk_new();
  self->aux = al_walk_new();
  self->F = al_node_fields();
  return self;
}

void al_extractor_free(al_extractor *self) {
  if (!self)
    return;
  al_parser_free(self->parser);
  al_walk_free(self->walker);
  al_walk_free(self->aux);
  vec_free(&self->stack);
  vec_free(&self->argbuf);
  vec_free(&self->names);
  vec_free(&self->tracked);
  vec_free(&self->pending);
#define FREE_SCRATCH(v) vec_free(&self->scratch.v);
  AL_FACTS_VECTORS(FREE_SCRATCH)
#undef FREE_SCRATCH
  free(self);
}

// --- small helpers ----------------------------------------------------------

// Hot-path shortcuts for the grammar's fixed shapes (a call is `function
// arguments`, an attribute is `object . attribute`): positional children
// instead of a field search, checked, with the field search as fallback
// (comments can sit among children).
static TSNode call_function(al_extractor *x, TSNode call) {
  TSNode c = ts_node_child(call, 0);
  return ts_node_is_named(c) && al_node_kind(c) != AL_K_COMMENT
             ? c
             : ts_node_child_by_field_id(call, x->F->function);
}

static TSNode attribute_object(al_extractor *x, TSNode attr) {
  TSNode c = ts_node_child(attr, 0);
  return ts_node_is_named(c) && al_node_kind(c) != AL_K_COMMENT
             ? c
             : ts_node_child_by_field_id(attr, x->F->object);
}

static TSNode attribute_name(al_extractor *x, TSNode attr) {
  uint32_t n = ts_node_child_count(attr);
  TSNode c = n ? ts_node_child(attr, n - 1) : (TSNode){0};
  return !ts_node_is_null(c) && al_node_kind(c) == AL_K_IDENTIFIER
             ? c
             : ts_node_child_by_field_id(attr, x->F->attribute);
}

// `left / right` (parentheses off): its left operand, else a null node.
static TSNode truediv_left(al_extractor *x, TSNode n) {
  if (al_node_kind(n) != AL_K_BINARY_OPERATOR)
    return (TSNode){0};
  TSNode op = ts_node_child_by_field_id(n, x->F->operator);
  if (ts_node_is_null(op) || !al_str_eq_c(al_node_text(op, x->text), "/"))
    return (TSNode){0};
  return al_node_unparen(ts_node_child_by_field_id(n, x->F->left));
}

// A reference expression: identifier / attribute chain / chain on a call.
// `a / b` in the chain reads as the attribute AL_TRUEDIV_ATTR of a
// (`(base / "x").read_text` is base.__truediv__.read_text): the index
// types it by the left operand's class (a path joined is a path); `a[k]`
// inside a chain as AL_GETITEM_ATTR (`jobs[k].run`: jobs.__getitem__.run).
al_ref al_extract__ref(al_extractor *x, TSNode n) {
  al_ref r = {.kind = AL_REF_NONE, .base_call = AL_NONE};
  n = al_node_unparen(n);
  if (ts_node_is_null(n))
    return r;
  vec_clear(&x->names);
  TSNode cur = n;
  al_kind k = al_node_kind(cur);
  for (;;) {
    TSNode left = truediv_left(x, cur);
    if (!ts_node_is_null(left)) {
      vec_push(&x->names, AL_STR_LIT(AL_TRUEDIV_ATTR));
      cur = left;
    } else if (k == AL_K_ATTRIBUTE) {
      TSNode attr = attribute_name(x, cur);
      if (ts_node_is_null(attr))
        return r;
      vec_push(&x->names, al_node_text(attr, x->text));
      cur = al_node_unparen(attribute_object(x, cur));
    } else if (k == AL_K_SUBSCRIPT && x->names.len) {
      // `a[k].m`: the item (the index reads a's annotation), not `a[k]`
      // alone (a generic alias, `list[int]`).
      vec_push(&x->names, AL_STR_LIT(AL_GETITEM_ATTR));
      cur = al_node_unparen(ts_node_child_by_field_id(cur, x->F->value));
    } else {
      break;
    }
    if (ts_node_is_null(cur))
      return r;
    k = al_node_kind(cur);
  }
  if (k == AL_K_IDENTIFIER) {
    vec_push(&x->names, al_node_text(cur, x->text));
    r.kind = AL_REF_DOTTED;
  } else if (k == AL_K_CALL) {
    TSNode fn = al_node_unparen(call_function(x, cur));
    if (!ts_node_is_null(fn) && al_node_kind(fn) == AL_K_IDENTIFIER &&
        al_str_eq_c(al_node_text(fn, x->text), "super"))
      r.kind = AL_REF_SUPER;
    else
      r.kind = AL_REF_ON_CALL;
    if (x->names.len == 0)
      return (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  } else {
    return r;
  }
  size_t len = 0;
  for (uint32_t i = 0; i < x->names.len; i++)
    len += x->names.items[i].len + 1;
  char *buf = al_arena_alloc(x->facts->arena, len + 1);
  size_t o = 0;
  for (uint32_t i = x->names.len; i-- > 0;) {
    al_str s = x->names.items[i];
    memcpy(buf + o, s.ptr, s.len);
    o += s.len;
    if (i)
      buf[o++] = '.';
  }
  buf[o] = 0;
  r.dotted = (al_str){buf, o};
  return r;
}

// --- calls and their context ------------------------------------------------

static void patch_waiting(al_extractor *x, const ctx_info *ci, uint32_t id);

static void enter_call(al_extractor *x, frame *f) {
  uint32_t id = x->facts->calls.len;
  al_call *c = vec_grow1(&x->facts->calls);
  f->call = id;
  TSNode fn = call_function(x, f->node);
  c->callee = al_extract__ref(x, fn);
  // `handlers[key](...)`: the item of handlers (AL_GETITEM_ATTR).
  TSNode ufn = al_node_unparen(fn);
  if (c->callee.kind == AL_REF_NONE && !ts_node_is_null(ufn) &&
      al_node_kind(ufn) == AL_K_SUBSCRIPT) {
    al_ref base =
        al_extract__ref(x, ts_node_child_by_field_id(ufn, x->F->value));
    if (base.kind == AL_REF_DOTTED || base.kind == AL_REF_ON_CALL) {
      base.dotted.ptr = al_arena_printf(
          x->facts->arena, "%.*s%s" AL_GETITEM_ATTR, (int)base.dotted.len,
          base.dotted.ptr, base.dotted.len ? "." : "");
      base.dotted.len = strlen(base.dotted.ptr);
      c = vec_get(&x->facts->calls, id);
      c->callee = base;
    }
  }
  // f(...)(...): the callee is the inner call's value; the inner call,
  // met next, fills in base_call.
  if (c->callee.kind == AL_REF_NONE &&
      al_node_kind(al_node_unparen(fn)) == AL_K_CALL)
    c->callee = (al_ref){.kind = AL_REF_CALL_VALUE, .base_call = AL_NONE};
  c->span = span_of(f->node);
  uint32_t len = ts_node_end_byte(fn) - c->span.start_byte;
  c->callee.len = ts_node_is_null(fn) || len > UINT16_MAX ? 0 : (uint16_t)len;
  c->scope = f->scope;
  c->parent_call = AL_NONE;
  if (f->flags & F_IN_LOOP)
    c->flags |= AL_CALL_IN_LOOP;
  if (f->flags & F_IN_TRY)
    c->flags |= AL_CALL_IN_TRY;
  if (f->flags & F_TRY_WOULD_BLOCK)
    c->flags |= AL_CALL_TRY_WOULD_BLOCK;
  if (f->flags & F_IN_WITH)
    c->flags |= AL_CALL_IN_WITH;
  ctx_info ci = al_extract__classify(x, x->stack.len - 1);
  c = vec_get(&x->facts->calls, id);
  c->ctx = (uint8_t)ci.ctx;
  c->flags |= ci.cflags;
  // An operand's chain user (`f() / "x"`) only patches: not recorded.
  c->parent_call = ci.ctx == AL_CTX_OPERAND ? AL_NONE : ci.parent_call;
  c->arg_index = ci.arg_index;
  c->ctx_name = ci.ctx_name;
  c->first_arg = c->n_args =
      0; // set when the call leaves (al_extract__flush_args)
  al_extract__set_guard(x, f, id);
  f->arg_base = x->argbuf.len;
  f->arg_pos = 0;
  if (ci.via != AL_NONE)
    patch_waiting(x, &ci, id);
}

// Patch the records that were waiting for call id (in context ci).
static void patch_waiting(al_extractor *x, const ctx_info *pci, uint32_t id) {
  ctx_info ci = *pci;
  const al_call *c = vec_get(&x->facts->calls, id);
  frame *via = frame_at(x, ci.via);
  if (ci.ctx == AL_CTX_OTHER && via->kind == AL_K_CALL &&
      frame_at(x, ci.via + 1)->field == x->F->function) {
    al_ref *r = &x->facts->calls.items[via->call].callee;
    if (r->kind == AL_REF_CALL_VALUE && r->base_call == AL_NONE)
      r->base_call = id;
  }
  // `(name := CALL)`, `v = a or CALL`: the binding waits for this call.
  if (ci.walrus != AL_NONE) {
    uint32_t b = frame_at(x, ci.walrus)->bind;
    al_binding *bd = b == AL_NONE ? NULL : &x->facts->binds.items[b];
    if (bd && (bd->kind == AL_BIND_ASSIGN || bd->kind == AL_BIND_ATTR) &&
        bd->target == AL_NONE)
      bd->target = id;
  }
  switch (ci.ctx) {
  case AL_CTX_ASSIGN:
  case AL_CTX_ASSIGN_OTHER:
  case AL_CTX_WITH:
  case AL_CTX_ASYNC_WITH:
    if (via->bind != AL_NONE) {
      x->facts->binds.items[via->bind].target = id;
      if (ci.in_branch) // `v = f() if c else None`
        x->facts->binds.items[via->bind].flags |= AL_BIND_BRANCH_VALUE;
    }
    // fall through - a with item's block site waits for the call too
  case AL_CTX_ITER:
  case AL_CTX_ASYNC_ITER:
    if (via->block != AL_NONE &&
        x->facts->blocks.items[via->block].obj == AL_OBJ_CALL)
      x->facts->blocks.items[via->block].call = id;
    break;
  case AL_CTX_UNPACK:
    if (via->bind != AL_NONE &&
        x->facts->binds.items[via->bind].kind == AL_BIND_UNPACK)
      al_extract__patch_unpack(x, via->bind, id);
    break;
  case AL_CTX_RETURN:
  case AL_CTX_LAMBDA:
    if (via->ret != AL_NONE &&
        x->facts->returns.items[via->ret].kind == AL_RET_CALL)
      x->facts->returns.items[via->ret].target = id;
    break;
  case AL_CTX_COMPREHENSION:
    x->facts->calls.items[id].parent_call = via->call;
    break;
  case AL_CTX_AWAIT:
    if (via->async_site != AL_NONE)
      x->facts->asyncs.items[via->async_site].call = id;
    // `name = await CALL` (or `name := await CALL`): the binding waits
    // for this call.
    if (ci.via > 0) {
      frame *a = frame_at(x, ci.via - 1);
      al_binding *ab =
          a->bind != AL_NONE ? &x->facts->binds.items[a->bind] : NULL;
      if ((a->kind == AL_K_ASSIGNMENT || a->kind == AL_K_NAMED_EXPRESSION) &&
          ab && ab->target == AL_NONE &&
          (ab->kind == AL_BIND_AWAIT ||
           (ab->kind == AL_BIND_ATTR && (ab->flags & AL_BIND_AWAITED))))
        ab->target = id;
      else if (a->kind == AL_K_ASSIGNMENT && a->bind != AL_NONE &&
               x->facts->binds.items[a->bind].kind == AL_BIND_UNPACK_AWAIT)
        al_extract__patch_unpack(x, a->bind, id);
    }
    break;
  case AL_CTX_ARG: {
    uint32_t a = al_extract__find_arg(x, ci.parent_frame, c->span.start_byte,
                                      c->span.end_byte);
    if (a != AL_NONE && x->argbuf.items[a].arg.kind == AL_ARG_CALL)
      x->argbuf.items[a].arg.target = id;
    break;
  }
  case AL_CTX_OPERAND: // `f() / "x"` in a chain (context.c, chain_user)
  case AL_CTX_ATTRIBUTE:
    if (ci.parent_call != AL_NONE) {
      al_ref *r = &x->facts->calls.items[ci.parent_call].callee;
      if (r->kind == AL_REF_ON_CALL && r->base_call == AL_NONE)
        r->base_call = id;
    } else if (ci.parent_frame != AL_NONE &&
               frame_at(x, ci.parent_frame)->kind != AL_K_CALL) {
      // `v = f().a`: v's value reference (binds.c, bind_value_ref).
      uint32_t b = frame_at(x, ci.parent_frame)->bind;
      uint32_t v = b == AL_NONE ? AL_NONE : x->facts->binds.items[b].value_ref;
      al_ref *r = v == AL_NONE ? NULL : vec_get(&x->facts->refs, v);
      if (r && r->kind == AL_REF_ON_CALL && r->base_call == AL_NONE)
        r->base_call = id;
    } else if (ci.parent_frame != AL_NONE) {
      // an argument `f().a` of the call at ci.parent_frame
      uint32_t a = al_extract__find_arg(x, ci.parent_frame, c->span.start_byte,
                                        c->span.end_byte);
      al_ref *r = a == AL_NONE ? NULL : &x->argbuf.items[a].arg.ref;
      if (r && r->kind == AL_REF_ON_CALL && r->base_call == AL_NONE)
        r->base_call = id;
    }
    break;
  default:
    break;
  }
  // A decorator call: the decorator ref waits for it.
  if (x->stack.len >= 3) {
    frame *d = frame_at(x, x->stack.len - 2);
    frame *dd = frame_at(x, x->stack.len - 3);
    if (d->kind == AL_K_DECORATOR && dd->kind == AL_K_DECORATED_DEFINITION &&
        dd->deco_n > 0) {
      al_ref *r = vec_get(&x->facts->refs, dd->deco_first + dd->deco_n - 1);
      if (r->kind == AL_REF_CALLED)
        r->base_call = id;
    }
  }
}

// --- async constructs -------------------------------------------------------

static void mark_awaits(al_extractor *x, uint32_t scope) {
  al_scope *s = scope_at(x, scope);
  if (is_function_scope(s))
    s->flags |= AL_SCOPE_AWAITS;
}

static uint32_t add_async(al_extractor *x, frame *f, al_async_kind kind,
                          TSNode at) {
  al_async_site *a = vec_grow1(&x->facts->asyncs);
  a->span = span_of(at);
  a->scope = f->scope;
  a->kind = (uint8_t)kind;
  a->call = AL_NONE;
  a->ref = (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  if (f->flags & F_IN_GENEXP)
    a->flags |= AL_ASYNC_IN_GENEXP;
  else
    mark_awaits(x, f->scope);
  return x->facts->asyncs.len - 1;
}

static void enter_await(al_extractor *x, frame *f) {
  uint32_t id = add_async(x, f, AL_ASYNC_AWAIT, f->node);
  f->async_site = id;
  al_async_site *a = &x->facts->asyncs.items[id];
  a->operand = AL_OPERAND_OTHER;
  if (ts_node_named_child_count(f->node) == 0)
    return;
  TSNode e = al_node_unparen(ts_node_named_child(f->node, 0));
  al_kind k = al_node_kind(e);
  if (k == AL_K_CALL) {
    a->operand = AL_OPERAND_CALL;
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref r = al_extract__ref(x, e);
    a = &x->facts->asyncs.items[id];
    a->operand = AL_OPERAND_NAME;
    a->ref = r;
  } else if (is_literal_kind(k)) {
    a->operand = AL_OPERAND_LITERAL;
  }
}

static void enter_async_keyword(al_extractor *x, frame *f, al_async_kind kind) {
  TSNode kw = ts_node_child(f->node, 0);
  add_async(x, f, kind, kw);
}

// --- with items and for loops -----------------------------------------------

static void add_block_site(al_extractor *x, frame *f, TSNode owner, TSNode expr,
                           bool is_for, bool comprehension) {
  al_block_site *b = vec_grow1(&x->facts->blocks);
  uint32_t id = x->facts->blocks.len - 1;
  f->block = id;
  b->scope = f->scope;
  b->call = AL_NONE;
  b->ref = (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  b->is_for = is_for;
  b->comprehension = comprehension;
  b->comp = AL_NONE;
  b->target = (al_str){NULL, 0};
  b->is_async = al_node_is_async(owner);
  b->keyword = span_of(ts_node_child(owner, 0));
  b->word = b->is_async ? ts_node_start_byte(ts_node_child(owner, 1))
                        : b->keyword.start_byte;
  if (ts_node_is_null(expr)) {
    b->span = span_of(owner);
    b->obj = AL_OBJ_OTHER;
    return;
  }
  expr = al_node_unparen(expr);
  b->span = span_of(expr);
  al_kind k = al_node_kind(expr);
  if (k == AL_K_CALL) {
    b->obj = AL_OBJ_CALL; // call: patched when the call is met
    if (is_for)
      b->range_bound = al_extract__range_bound(x, expr);
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref r = al_extract__ref(x, expr);
    b = &x->facts->blocks.items[id];
    b->obj = r.kind == AL_REF_NONE ? AL_OBJ_OTHER : AL_OBJ_NAME;
    b->ref = r;
  } else if (is_literal_kind(k) || k == AL_K_GENERATOR_EXPRESSION) {
    b->obj = k == AL_K_GENERATOR_EXPRESSION ? AL_OBJ_OTHER : AL_OBJ_LITERAL;
  } else {
    b->obj = AL_OBJ_OTHER;
  }
}

// --- returns, comprehensions and name reads ---------------------------------

uint32_t al_extract__add_return(al_extractor *x, uint32_t scope, TSNode stmt,
                                TSNode value) {
  al_return *r = vec_grow1(&x->facts->returns);
  r->span = span_of(stmt);
  r->scope = scope;
  r->target = AL_NONE;
  r->kind = AL_RET_NONE;
  uint32_t id = x->facts->returns.len - 1;
  if (ts_node_is_null(value))
    return id;
  value = al_node_unparen(value);
  al_kind k = al_node_kind(value);
  if (k == AL_K_CALL) {
    r->kind = AL_RET_CALL; // target: patched when the call is met
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref ref = al_extract__ref(x, value);
    r = &x->facts->returns.items[id];
    if (ref.kind != AL_REF_NONE) {
      r->kind = AL_RET_NAME;
      r->target = push_ref(x, ref);
    } else {
      r->kind = AL_RET_OTHER;
    }
  } else if (k == AL_K_AWAIT) {
    r->kind = AL_RET_AWAIT;
  } else if (is_literal_kind(k)) {
    r->kind = AL_RET_LITERAL;
  } else {
    r->kind = AL_RET_OTHER;
  }
  return id;
}

static void enter_return(al_extractor *x, frame *f) {
  al_scope *s = scope_at(x, f->scope);
  if (s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION)
    return;
  TSNode value = ts_node_named_child_count(f->node)
                     ? ts_node_named_child(f->node, 0)
                     : (TSNode){0};
  if (!ts_node_is_null(value) && al_node_kind(value) == AL_K_COMMENT)
    value = (TSNode){0};
  f->ret = al_extract__add_return(x, f->scope, f->node, value);
}

static void enter_comprehension(al_extractor *x, frame *f) {
  ctx_info ci = al_extract__classify(x, x->stack.len - 1);
  al_comp *c = vec_grow1(&x->facts->comps);
  c->span = span_of(f->node);
  c->scope = f->scope;
  c->binding = AL_NONE;
  c->parent_call = ci.ctx == AL_CTX_ARG ? ci.parent_call : AL_NONE;
  c->ctx = (uint8_t)ci.ctx;
  switch ((al_kind)f->kind) {
  case AL_K_LIST_COMPREHENSION:
    c->kind = AL_COMP_LIST;
    break;
  case AL_K_SET_COMPREHENSION:
    c->kind = AL_COMP_SET;
    break;
  case AL_K_DICTIONARY_COMPREHENSION:
    c->kind = AL_COMP_DICT;
    break;
  default:
    c->kind = AL_COMP_GENERATOR;
    break;
  }
  if (ci.ctx == AL_CTX_ASSIGN && ci.via != AL_NONE)
    c->binding = frame_at(x, ci.via)->bind;
  TSNode body = ts_node_child_by_field_id(f->node, x->F->body);
  c->element = (al_str){0};
  if (!ts_node_is_null(body) && al_node_kind(body) == AL_K_IDENTIFIER)
    c->element = node_str(x, body);
  f->call = x->facts->comps.len - 1;
}

// Whether the identifier on top of the stack is read (not bound, not an
// attribute or keyword name).
static bool is_load(al_extractor *x) {
  if (x->stack.len < 2)
    return false;
  frame *f = vec_last(&x->stack);
  frame *p = frame_at(x, x->stack.len - 2);
  switch ((al_kind)p->kind) {
  case AL_K_ASSIGNMENT:
    return f->field != x->F->left;
  case AL_K_ATTRIBUTE:
    return f->field == x->F->object;
  case AL_K_KEYWORD_ARGUMENT:
  case AL_K_NAMED_EXPRESSION:
  case AL_K_FUNCTION_DEFINITION:
  case AL_K_CLASS_DEFINITION:
    return f->field == x->F->value;
  case AL_K_FOR_STATEMENT:
  case AL_K_FOR_IN_CLAUSE:
    return f->field != x->F->left;
  case AL_K_EXCEPT_CLAUSE:
    return f->field != x->F->alias;
  case AL_K_PARAMETERS:
  case AL_K_LAMBDA_PARAMETERS:
  case AL_K_DEFAULT_PARAMETER:
  case AL_K_TYPED_PARAMETER:
  case AL_K_TYPED_DEFAULT_PARAMETER:
  case AL_K_LIST_SPLAT_PATTERN:
  case AL_K_DICTIONARY_SPLAT_PATTERN:
  case AL_K_PATTERN_LIST:
  case AL_K_TUPLE_PATTERN:
  case AL_K_LIST_PATTERN:
  case AL_K_AS_PATTERN_TARGET:
    return p->kind == AL_K_DEFAULT_PARAMETER ||
                   p->kind == AL_K_TYPED_DEFAULT_PARAMETER
               ? f->field == x->F->value
               : false;
  default:
    return true;
  }
}

// Which part of the innermost try statement of the read's scope the read
// at the top of the stack is in (a use's try_part and try_start).
static void use_try_site(al_extractor *x, al_use *u) {
  u->try_part = AL_TRY_NONE;
  u->try_start = AL_NONE;
  uint32_t scope = vec_last(&x->stack)->scope;
  for (uint32_t i = x->stack.len; i-- > 1;) {
    const frame *p = frame_at(x, i - 1);
    if (p->scope != scope)
      return; // the def or lambda the read is in: its try statements only
    if (p->kind != AL_K_TRY_STATEMENT)
      continue;
    const frame *part = frame_at(x, i);
    if (part->field == x->F->body)
      u->try_part = AL_TRY_BODY;
    else if (part->kind == AL_K_EXCEPT_CLAUSE)
      u->try_part = AL_TRY_HANDLER;
    else if (part->kind == AL_K_ELSE_CLAUSE)
      u->try_part = AL_TRY_ELSE;
    else // the finally clause (comments hold no reads)
      u->try_part = AL_TRY_FINALLY;
    u->try_start = ts_node_start_byte(p->node);
    return;
  }
}

static void enter_identifier(al_extractor *x, frame *f) {
  if (x->tracked.len == 0 || !is_load(x))
    return;
  al_str name = al_node_text(f->node, x->text);
  // The innermost function the read is in, and whether a tracked binding
  // of that name belongs to it or to an enclosing function.
  uint32_t at = f->scope;
  tracked_name *t = NULL;
  for (uint32_t i = x->tracked.len; i-- > 0;) {
    if (al_str_eq(x->tracked.items[i].name, name)) {
      t = &x->tracked.items[i];
      break;
    }
  }
  if (!t || t->binding == AL_NONE)
    return;
  bool reachable = false;
  for (uint32_t s = at; s != AL_NONE; s = scope_at(x, s)->parent)
    if (s == t->scope) {
      reachable = true;
      break;
    }
  if (!reachable)
    return;
  ctx_info ci = al_extract__classify(x, x->stack.len - 1);
  al_use *u = vec_grow1(&x->facts->uses);
  u->span = span_of(f->node);
  u->binding = t->binding;
  u->scope = at;
  u->ctx = (uint8_t)ci.ctx;
  u->parent_call = ci.ctx == AL_CTX_ARG ? ci.parent_call : AL_NONE;
  u->arg_index = ci.arg_index;
  u->attr_hash = ci.ctx == AL_CTX_ATTRIBUTE ? al_use_attr_hash(ci.ctx_name) : 0;
  use_try_site(x, u);
  u->flags = ci.ctx == AL_CTX_OPERAND &&
                     frame_at(x, ci.via)->kind == AL_K_COMPARISON_OPERATOR
                 ? AL_USE_COMPARED
                 : 0;
  u->block_start = 0;
  u->block_end = UINT32_MAX;
  for (uint32_t i = x->stack.len; i-- > 0;) {
    frame *b = frame_at(x, i);
    if (b->kind == AL_K_BLOCK) {
      u->block_start = ts_node_start_byte(b->node);
      u->block_end = ts_node_end_byte(b->node);
      break;
    }
  }
}

// Leaving a statement applies the tracking changes its bindings made;
// leaving a def or lambda drops its tracked names.
static void leave(al_extractor *x, const frame *f) {
  uint32_t depth = x->stack.len - 1;
  if (f->kind == AL_K_CALL && f->call != AL_NONE)
    al_extract__flush_args(x, f);
  if (f->kind == AL_K_FOR_STATEMENT && f->block != AL_NONE) {
    al_block_site *b = &x->facts->blocks.items[f->block];
    for (uint32_t i = f->asyncs_at; i < x->facts->asyncs.len; i++) {
      const al_async_site *a = &x->facts->asyncs.items[i];
      if (a->scope == b->scope && !(a->flags & AL_ASYNC_IN_GENEXP)) {
        b->awaits = 1;
        break;
      }
    }
  }
  // Apply in order: an untrack then a track of the same name both land.
  uint32_t first = x->pending.len;
  while (first > 0 && x->pending.items[first - 1].frame >= depth)
    first--;
  for (uint32_t i = first; i < x->pending.len; i++) {
    tracked_name *n = &x->pending.items[i].name;
    if (n->binding == AL_NONE) {
      for (uint32_t k = x->tracked.len; k-- > 0;) {
        tracked_name *t = &x->tracked.items[k];
        if (t->scope == n->scope && al_str_eq(t->name, n->name)) {
          t->binding = AL_NONE;
          break;
        }
      }
    } else {
      vec_push(&x->tracked, *n);
    }
  }
  x->pending.len = first;
  if (f->inner == AL_NONE)
    return;
  while (x->tracked.len &&
         x->tracked.items[x->tracked.len - 1].scope == f->inner)
    x->tracked.len--;
}

static bool is_type_checking(al_extractor *x, TSNode cond) {
  cond = al_node_unparen(cond);
  al_str t = al_node_text(cond, x->text);
  al_kind k = al_node_kind(cond);
  if (k == AL_K_IDENTIFIER)
    return al_str_eq_c(t, "TYPE_CHECKING");
  if (k == AL_K_ATTRIBUTE)
    return t.len >= 14 && memcmp(t.ptr + t.len - 14, ".TYPE_CHECKING", 14) == 0;
  return false;
}

// --- the walk ---------------------------------------------------------------

// Whether extraction ever looks at the field of a child of a node of this
// kind (push_frame, al_extract__classify, is_load: `c->field`). Asking the
// walker for the field costs a walk of the grammar's field map; most nodes sit
// under these parents, whose children's fields nothing reads.
static bool field_unused_under(al_kind parent) {
  switch (parent) {
  case AL_K_MODULE:
  case AL_K_BLOCK:
  case AL_K_EXPRESSION_STATEMENT:
  case AL_K_ARGUMENT_LIST:
  case AL_K_BINARY_OPERATOR:
  case AL_K_COMPARISON_OPERATOR:
  case AL_K_BOOLEAN_OPERATOR:
  case AL_K_NOT_OPERATOR:
  case AL_K_UNARY_OPERATOR:
  case AL_K_PARENTHESIZED_EXPRESSION:
  case AL_K_EXPRESSION_LIST:
  case AL_K_LIST:
  case AL_K_TUPLE:
  case AL_K_SET:
  case AL_K_DICTIONARY:
  case AL_K_RETURN_STATEMENT:
  case AL_K_AWAIT:
  case AL_K_DECORATOR:
  case AL_K_CONCATENATED_STRING:
    return true;
  default:
    return false;
  }
}

// Whether a try statement has a handler of BlockingIOError (or ssl's
// SSLWantReadError / SSLWantWriteError): its body makes non-blocking calls.
static bool catches_would_block(al_extractor *x, TSNode try_stmt) {
  uint32_t n = ts_node_named_child_count(try_stmt);
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(try_stmt, i);
    if (al_node_kind(c) != AL_K_EXCEPT_CLAUSE ||
        ts_node_named_child_count(c) < 2)
      continue;
    al_str t = al_node_text(ts_node_named_child(c, 0), x->text);
    static const char *const names[] = {"BlockingIOError", "SSLWantReadError",
                                        "SSLWantWriteError"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
      size_t len = strlen(names[k]);
      for (size_t o = 0; o + len <= t.len; o++)
        if (memcmp(t.ptr + o, names[k], len) == 0)
          return true;
    }
  }
  return false;
}

// Push the frame of node, a named node where walker w stands.
static void push_frame(al_extractor *x, const al_walk *w, TSNode node) {
  frame *parent = x->stack.len ? vec_last(&x->stack) : NULL;
  frame f = {0};
  f.node = node;
  f.field = parent && field_unused_under((al_kind)parent->kind)
                ? 0
                : al_walk_field(w);
  f.kind = (uint8_t)al_symbol_kind(al_walk_symbol(w));
  f.descend = true;
  f.inner = f.call = f.bind = f.ret = f.async_site = f.deco_first = AL_NONE;
  f.block = f.guard_if = AL_NONE;
  f.guard_n[0] = f.guard_n[1] = GUARD_UNSET;
  if (parent) {
    f.scope = parent->scope;
    f.flags = parent->flags;
    f.guard_if = parent->guard_if;
    f.named_index = parent->next_named++;
    if (parent->inner != AL_NONE && f.field == x->F->body) {
      f.scope = parent->inner;
      f.flags = 0;
      f.guard_if = AL_NONE;
    }
    switch ((al_kind)parent->kind) {
    case AL_K_FOR_STATEMENT:
    case AL_K_WHILE_STATEMENT:
      if (f.field == x->F->body)
        f.flags |= F_IN_LOOP | F_CONDITIONAL;
      else if (f.field == x->F->alternative)
        f.flags |= F_CONDITIONAL;
      break;
    case AL_K_IF_STATEMENT:
      if (f.field == x->F->consequence || f.field == x->F->alternative) {
        f.guard_if = x->stack.len - 1;
        f.flags = (uint8_t)((f.flags & ~F_GUARD_ELSE) |
                            (f.field == x->F->alternative ? F_GUARD_ELSE : 0));
      }
      if (f.field == x->F->consequence) {
        f.flags |= F_CONDITIONAL;
        if (is_type_checking(
                x, ts_node_child_by_field_id(parent->node, x->F->condition)))
          f.flags |= F_TYPE_CHECKING;
      } else if (f.field == x->F->alternative) {
        f.flags |= F_CONDITIONAL;
      }
      break;
    case AL_K_TRY_STATEMENT:
      if (f.field == x->F->body)
        f.flags |=
            F_IN_TRY |
            (catches_would_block(x, parent->node) ? F_TRY_WOULD_BLOCK : 0);
      else
        f.flags |= F_CONDITIONAL;
      break;
    case AL_K_MATCH_STATEMENT:
      f.flags |= F_CONDITIONAL;
      break;
    case AL_K_WITH_STATEMENT:
      if (f.field == x->F->body)
        f.flags |= F_IN_WITH;
      break;
    case AL_K_GENERATOR_EXPRESSION:
      f.flags |= F_IN_GENEXP;
      break;
    default:
      break;
    }
  }
  vec_push(&x->stack, f);
}

// An argument of a call is recorded before anything inside it is entered
// (a call or lambda there finds its argument record by al_extract__find_arg).
static void record_if_argument(al_extractor *x, frame *f) {
  if (x->stack.len < 2)
    return;
  frame *p = frame_at(x, x->stack.len - 2);
  if (p->kind == AL_K_ARGUMENT_LIST && x->stack.len >= 3 &&
      p->field == x->F->arguments &&
      frame_at(x, x->stack.len - 3)->kind == AL_K_CALL)
    al_extract__record_arg(x, frame_at(x, x->stack.len - 3), f->node,
                           (al_kind)f->kind);
  else if (p->kind == AL_K_CALL && f->field == x->F->arguments &&
           f->kind == AL_K_GENERATOR_EXPRESSION)
    al_extract__record_arg(x, p, f->node, (al_kind)f->kind);
}

// `for k, v in X`: each of 2 to 16 plain names is a FOR binding of its
// position in the element (value_ref); anything else is a pattern.
static bool for_tuple(al_extractor *x, frame *f, TSNode left) {
  al_kind lk = al_node_kind(left);
  uint32_t n = ts_node_named_child_count(left);
  if ((lk != AL_K_PATTERN_LIST && lk != AL_K_TUPLE_PATTERN) ||
      f->block == AL_NONE || n < 2 || n > 16)
    return false;
  for (uint32_t i = 0; i < n; i++)
    if (al_node_kind(ts_node_named_child(left, i)) != AL_K_IDENTIFIER)
      return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t b = al_extract__bind(x, f, f->scope, ts_node_named_child(left, i),
                                  AL_BIND_FOR, f->block);
    x->facts->binds.items[b].value_ref = i;
  }
  return true;
}

static void enter_for(al_extractor *x, frame *f) {
  if (al_node_is_async(f->node))
    enter_async_keyword(x, f, AL_ASYNC_FOR);
  add_block_site(x, f, f->node, ts_node_child_by_field_id(f->node, x->F->right),
                 true, false);
  f->asyncs_at = x->facts->asyncs.len;
  TSNode left = ts_node_child_by_field_id(f->node, x->F->left);
  if (!ts_node_is_null(left) && al_node_kind(left) == AL_K_IDENTIFIER &&
      f->block != AL_NONE)
    al_extract__bind(x, f, f->scope, left, AL_BIND_FOR, f->block);
  else if (!ts_node_is_null(left) && !for_tuple(x, f, left))
    al_extract__bind_pattern(x, f, left);
}

static void enter_for_in_clause(al_extractor *x, frame *f) {
  // An async comprehension; generator expressions may be async anywhere.
  if (al_node_is_async(f->node) && x->stack.len >= 2 &&
      frame_at(x, x->stack.len - 2)->kind != AL_K_GENERATOR_EXPRESSION)
    enter_async_keyword(x, f, AL_ASYNC_COMPREHENSION);
  add_block_site(x, f, f->node, ts_node_child_by_field_id(f->node, x->F->right),
                 true, true);
  // Its target is bound in the comprehension's own scope: recorded on the
  // clause, not as a binding of the enclosing function.
  if (x->stack.len < 2 || f->block == AL_NONE)
    return;
  const frame *comp = frame_at(x, x->stack.len - 2);
  if ((comp->kind != AL_K_LIST_COMPREHENSION &&
       comp->kind != AL_K_SET_COMPREHENSION &&
       comp->kind != AL_K_DICTIONARY_COMPREHENSION &&
       comp->kind != AL_K_GENERATOR_EXPRESSION))
    return;
  al_block_site *b = &x->facts->blocks.items[f->block];
  b->comp = comp->call;
  TSNode left = ts_node_child_by_field_id(f->node, x->F->left);
  if (ts_node_is_null(left))
    return;
  al_kind lk = al_node_kind(left);
  if (lk == AL_K_IDENTIFIER) {
    b->target = node_str(x, left);
    return;
  }
  // `for name, rule in d.items()`: the names as written, comma-separated
  // (the index takes each one's position), when every part is a name.
  if (lk != AL_K_PATTERN_LIST && lk != AL_K_TUPLE_PATTERN)
    return;
  uint32_t n = ts_node_named_child_count(left);
  for (uint32_t i = 0; i < n; i++)
    if (al_node_kind(ts_node_named_child(left, i)) != AL_K_IDENTIFIER)
      return;
  if (n >= 2 && n <= 16)
    b->target = node_str(x, left);
}

static void enter_yield(al_extractor *x, frame *f) {
  al_scope *s = scope_at(x, f->scope);
  if (s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION)
    s->flags |= AL_SCOPE_GENERATOR;
}

// A with item is a block site of its with statement (the context manager
// is the value, or the left of `value as target`); its target is bound.
static void enter_with_item(al_extractor *x, frame *f) {
  TSNode v = ts_node_child_by_field_id(f->node, x->F->value);
  if (x->stack.len >= 3) {
    frame *stmt = frame_at(x, x->stack.len - 3);
    TSNode cm = v;
    if (!ts_node_is_null(v) && al_node_kind(v) == AL_K_AS_PATTERN &&
        ts_node_named_child_count(v))
      cm = ts_node_named_child(v, 0);
    if (stmt->kind == AL_K_WITH_STATEMENT)
      add_block_site(x, f, stmt->node, cm, false, false);
  }
  if (al_node_kind(v) == AL_K_AS_PATTERN)
    al_extract__with_target(x, f, v);
}

// Only f-strings hold expressions (calls, awaits, names): whether to walk
// into a string. The prefix letters come before the quote.
static bool is_fstring(al_extractor *x, frame *f) {
  al_str t = al_node_text(f->node, x->text);
  bool fstring = false;
  for (size_t i = 0; i < t.len && t.ptr[i] != '"' && t.ptr[i] != '\''; i++)
    if (t.ptr[i] == 'f' || t.ptr[i] == 'F')
      fstring = true;
  return fstring;
}

// A comment that may suppress findings is kept for the suppression pass;
// any other comment is dropped here.
static void enter_comment(al_extractor *x, frame *f) {
  al_extract__comment(
      x, ts_node_start_point(f->node).row, ts_node_start_point(f->node).column,
      ts_node_start_byte(f->node), al_node_text(f->node, x->text));
}

static void enter(al_extractor *x) {
  frame *f = vec_last(&x->stack);
  record_if_argument(x, f);
  switch ((al_kind)f->kind) {
  case AL_K_FUNCTION_DEFINITION:
    al_extract__function(x, f);
    break;
  case AL_K_CLASS_DEFINITION:
    al_extract__class(x, f);
    break;
  case AL_K_LAMBDA:
    al_extract__lambda(x, f);
    al_extract__lambda_arg(x, f);
    break;
  case AL_K_DECORATOR:
    al_extract__decorator(x, f);
    break;
  case AL_K_CALL:
    enter_call(x, f);
    break;
  case AL_K_AWAIT:
    enter_await(x, f);
    break;
  case AL_K_ATTRIBUTE:
    al_extract__attribute_read(x, f);
    break;
  case AL_K_WITH_STATEMENT:
    if (al_node_is_async(f->node))
      enter_async_keyword(x, f, AL_ASYNC_WITH);
    break;
  case AL_K_FOR_STATEMENT:
    enter_for(x, f);
    break;
  case AL_K_FOR_IN_CLAUSE:
    enter_for_in_clause(x, f);
    break;
  case AL_K_YIELD:
    enter_yield(x, f);
    break;
  case AL_K_ASSIGNMENT:
    al_extract__assignment(x, f);
    break;
  case AL_K_AUGMENTED_ASSIGNMENT:
    al_extract__augmented_assignment(x, f);
    break;
  case AL_K_WITH_ITEM:
    enter_with_item(x, f);
    break;
  case AL_K_EXCEPT_CLAUSE:
    al_extract__except_clause(x, f);
    break;
  case AL_K_CASE_CLAUSE:
    al_extract__case_clause(x, f);
    break;
  case AL_K_NAMED_EXPRESSION:
    al_extract__named_expression(x, f);
    break;
  case AL_K_TYPE_ALIAS_STATEMENT:
    al_extract__type_alias(x, f);
    break;
  case AL_K_GLOBAL_STATEMENT:
  case AL_K_NONLOCAL_STATEMENT:
    al_extract__names_stmt(x, f, AL_BIND_GLOBAL);
    f->descend = false;
    break;
  case AL_K_IMPORT_STATEMENT:
  case AL_K_IMPORT_FROM_STATEMENT:
    al_extract__import(x, f);
    f->descend = false;
    break;
  case AL_K_IDENTIFIER:
    enter_identifier(x, f);
    f->descend = false;
    break;
  case AL_K_RETURN_STATEMENT:
    enter_return(x, f);
    break;
  case AL_K_LIST_COMPREHENSION:
  case AL_K_SET_COMPREHENSION:
  case AL_K_DICTIONARY_COMPREHENSION:
  case AL_K_GENERATOR_EXPRESSION:
    enter_comprehension(x, f);
    break;
  case AL_K_STRING:
    f->descend = is_fstring(x, f);
    break;
  case AL_K_TYPE: // annotations: nothing the rules look at runs there
  case AL_K_FUTURE_IMPORT_STATEMENT:
  case AL_K_INTEGER:
  case AL_K_FLOAT:
    f->descend = false;
    break;
  case AL_K_COMMENT:
    enter_comment(x, f);
    f->descend = false;
    break;
  default:
    break;
  }
}

static void walk(al_extractor *x, const TSTree *tree) {
  al_walk *w = x->walker;
  al_walk_reset(w, tree);
  vec_clear(&x->stack);
  vec_clear(&x->tracked);
  vec_clear(&x->pending);
  vec_clear(&x->argbuf);
  push_frame(x, w, al_walk_node(w));
  vec_last(&x->stack)->scope = 0;
  enter(x);
  for (;;) {
    frame *f = vec_last(&x->stack);
    // Named nodes only: anonymous tokens such as punctuation and keywords
    // carry nothing extraction needs (the `async` keyword is read off its
    // parent).
    if (f->descend && al_walk_first_named_child(w)) {
      push_frame(x, w, al_walk_node(w));
      enter(x);
      continue;
    }
    for (;;) {
      leave(x, vec_last(&x->stack));
      x->stack.len--;
      al_walk_step s = al_walk_next_named(w);
      if (s == AL_WALK_SIBLING) {
        push_frame(x, w, al_walk_node(w));
        enter(x);
        break;
      }
      if (s == AL_WALK_DONE)
        return;
      // At the parent, whose frame leaves next.
    }
  }
}

// --- syntax errors ----------------------------------------------------------

// The message and position of the first syntax error (AL001).
static void find_syntax_error(al_extractor *x, TSNode root) {
  al_facts *fx = x->facts;
  TSNode n = al_syntax_error_node(root, AL_SYNTAX_ERROR_FIRST);
  fx->syntax_error = true;
  fx->error_span = span_of(n);
  if (ts_node_is_missing(n)) {
    fx->error_message =
        al_arena_printf(fx->arena, "missing '%s'", ts_node_type(n));
    return;
  }
  if (!ts_node_is_error(n)) {
    // has_error without a visible culprit: report the node itself.
    fx->error_message = al_arena_printf(fx->arena, "invalid syntax");
    return;
  }
  // Name the first token the parser could not place.
  TSNode leaf = n;
  while (ts_node_child_count(leaf) > 0)
    leaf = ts_node_child(leaf, 0);
  al_str t = al_node_text(leaf, x->text);
  size_t len = t.len;
  for (size_t i = 0; i < len; i++)
    if (t.ptr[i] == '\n' || t.ptr[i] == '\r') {
      len = i;
      break;
    }
  if (len == 0)
    fx->error_message = al_arena_printf(fx->arena, "invalid syntax");
  else
    fx->error_message = al_arena_printf(fx->arena, "unexpected '%.*s'",
                                        (int)(len > 40 ? 40 : len), t.ptr);
}

static void adopt_scratch(al_extractor *x, al_facts *facts) {
#define ADOPT(v)                                                               \
  facts->v = x->scratch.v;                                                     \
  facts->v.len = 0;
  AL_FACTS_VECTORS(ADOPT)
#undef ADOPT
}

// Give the buffers back to the extractor; facts keeps exact-size copies
// in its arena (al_facts_compact).
static void release_scratch(al_extractor *x, al_facts *facts) {
#define RELEASE(v) x->scratch.v = facts->v;
  AL_FACTS_VECTORS(RELEASE)
#undef RELEASE
  al_wide_char *wide = facts->lines.wide.items; // al_linemap_build's
  uint32_t *rows = facts->lines.rows.items;
  al_facts_compact(facts);
  free(wide);
  free(rows);
}

// given: a tree of src->text to walk (kept), or NULL to parse (and delete).
static al_facts *extract(al_extractor *self, const al_source *src,
                         const TSTree *given) {
  al_facts *facts = al_facts_new();
  facts->import_at = AL_NONE;
  if (!src->ok) {
    facts->unreadable = true;
    facts->problem =
        al_arena_strndup(facts->arena, src->problem, strlen(src->problem));
    facts->problem_line = src->problem_line ? src->problem_line : 1;
    facts->problem_col = src->problem_col ? src->problem_col : 1;
    return facts;
  }
  self->facts = facts;
  self->text = src->text;
  adopt_scratch(self, facts);
  // Strings take about half a byte per byte of source (names, dotted
  // references, short argument texts): one or two chunks per file.
  al_arena_size_hint(facts->arena, src->len / 2);
  al_linemap_build(&facts->lines, src->text, src->len);
  facts->text_hash = al_hash64(src->text, src->len, 0);
  facts->text_len = src->len;
  // Scope 0: the module.
  al_scope *m = vec_grow1(&facts->scopes);
  m->kind = AL_SCOPE_MODULE;
  m->parent = AL_NONE;
  m->first_decorator = m->first_base = AL_NONE;
  bool gave_up = false;
  // Long comment runs go to the parser blanked (syntax/comment_runs.h).
  al_byte_range *runs = NULL;
  uint32_t n_runs = 0;
  char *blanked =
      given ? NULL : al_blank_comment_runs(src->text, src->len, &runs, &n_runs);
  TSTree *own =
      given ? NULL
            : al_parser_parse(self->parser, blanked ? blanked : src->text,
                              src->len, &gave_up);
  free(blanked);
  const TSTree *tree = given ? given : own;
  if (!tree) {
    facts->parse_gave_up = true;
    facts->syntax_error = true;
    facts->error_message = "the parser gave up on this file (too complex)";
    free(runs);
    release_scratch(self, facts);
    self->facts = NULL;
    return facts;
  }
  TSNode root = ts_tree_root_node(tree);
  m = vec_get(&facts->scopes, 0);
  m->def_span = span_of(root);
  walk(self, tree);
  al_extract__run_comments(self, runs, n_runs);
  free(runs);
  al_extract__layout(self, root);
  if (ts_node_has_error(root))
    find_syntax_error(self, root);
  // The walks still point into the tree, but read nothing until their
  // next reset.
  ts_tree_delete(own);
  // The facts live until the end of the run: exact sizes.
  release_scratch(self, facts);
  self->facts = NULL;
  self->text = NULL;
  return facts;
}

al_facts *al_extract(al_extractor *self, const al_source *src) {
  return extract(self, src, NULL);
}

al_facts *al_extract_tree(al_extractor *self, const al_source *src,
                          const TSTree *tree) {
  return extract(self, src, tree);
}
