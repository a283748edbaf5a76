// SPDX-License-Identifier: MIT
/*
 * The extraction walk: parse a file once, walk its tree once with a
 * TSTreeCursor, and record definitions, bindings, imports, calls with their
 * syntactic context, awaits and suppression comments as al_facts.
 *
 * The walk keeps its own explicit stack of frames (never the C stack), so
 * 100,000-deep nesting costs heap, not a crash. A call's context is read off
 * the frames above it; records that are only known later (the call an
 * assignment binds, the call an await awaits) are patched when that call is
 * met. Import statements are matched with queries/imports.scm on the
 * statement node alone. This module does not resolve names: that is the
 * index's job.
 */
#include "facts/extract.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "syntax/node.h"
#include "syntax/parser.h"
#include "syntax/walk.h"

// Frame flags, inherited by children within one scope.
enum {
  F_IN_LOOP = 1 << 0,
  F_IN_TRY = 1 << 1,
  F_CONDITIONAL = 1 << 2,
  F_TYPE_CHECKING = 1 << 3,
  F_IN_GENEXP = 1 << 4,
  F_IN_WITH = 1 << 5,
};

typedef struct {
  TSNode node;
  TSFieldId field;      // field of this node in its parent (0: none)
  uint8_t kind;         // al_kind
  uint8_t flags;        // F_*
  bool descend;         // visit children
  uint16_t named_index; // position among the parent's named children
  uint16_t next_named;  // named children pushed so far
  uint32_t scope;       // scope this node's expressions evaluate in
  uint32_t inner;       // def/class/lambda: the scope its body opens
  uint32_t call;        // CALL: its index; comprehension: its comps index
  uint32_t bind;        // ASSIGNMENT, WITH_ITEM: binding of the target
  uint32_t ret;         // RETURN_STATEMENT: its returns index
  uint32_t block;       // WITH_ITEM, FOR_STATEMENT, FOR_IN_CLAUSE: its site
  uint32_t asyncs_at;   // FOR_STATEMENT: asyncs recorded before its body
  uint32_t async_site;  // AWAIT: its site
  uint32_t deco_first;  // DECORATED_DEFINITION: first decorator ref
  uint32_t deco_n;
  uint32_t arg_base; // CALL: where its arguments start in argbuf
  uint16_t arg_pos;  // CALL: positional arguments recorded so far
} frame;

// An argument of a call whose frame is still on the stack: the walk
// records each when it reaches it; the call's leave moves them to the
// facts, contiguous (a nested call's arguments leave first).
typedef struct {
  al_arg arg;
  TSNode container; // a list/tuple/set value whose names become ELEMENTs
} pending_arg;

typedef struct {
  al_str name;
  uint32_t scope;   // the function scope that binds it
  uint32_t binding; // its latest binding; AL_NONE once rebound otherwise
} tracked_name;

// A change to the tracked names that takes effect when the statement that
// binds leaves (its right side still reads the old value).
typedef struct {
  uint32_t frame;    // stack index of the frame that made the binding
  tracked_name name; // binding AL_NONE: stop tracking name in scope
} pending_track;

// Extraction grows each file's record vectors in the extractor's own
// buffers, reused from file to file, and copies them out at their final
// size when the walk is over. Growing them in place instead left a trail
// of long-lived blocks among the parser's short-lived ones, and the
// fragmented heap slowed every later parse (malloc's bins, and the
// parser's locality) more than extraction itself costs. The copies go to
// the facts' arena, which lives out of malloc's heap (base/store.h).

struct al_extractor {
  al_parser *parser;
  al_walk *walker;
  al_walk *aux; // for shallow child iteration
  al_vec(frame) stack;
  al_vec(al_str) names; // scratch for dotted names
  // Names bound in the current function (or an enclosing one) to the value
  // of a call or a comprehension: their reads become al_use facts.
  al_vec(tracked_name) tracked;
  al_vec(pending_track) pending;
  al_vec(pending_arg) argbuf;
  // The record vectors of the file being extracted, kept from file to file
  // (see adopt_scratch).
  al_facts scratch;
  // Per-file state
  al_facts *facts;
  const char *text;
  const al_fields *F;
};

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

static al_span span_of(TSNode n) {
  return (al_span){ts_node_start_byte(n), ts_node_end_byte(n)};
}

static al_str copy_str(al_extractor *x, const char *p, size_t len) {
  return (al_str){al_arena_strndup(x->facts->arena, p, len), len};
}

static al_str node_str(al_extractor *x, TSNode n) {
  al_str t = al_node_text(n, x->text);
  return copy_str(x, t.ptr, t.len);
}

static TSNode field_child(al_extractor *x, TSNode n, TSFieldId f) {
  (void)x;
  return ts_node_child_by_field_id(n, f);
}

// Hot-path shortcuts for the grammar's fixed shapes (a call is `function
// arguments`, an attribute is `object . attribute`): positional children
// instead of a field search, checked, with the field search as fallback
// (comments can sit among children).
static TSNode call_function(al_extractor *x, TSNode call) {
  TSNode c = ts_node_child(call, 0);
  return ts_node_is_named(c) && al_node_kind(c) != AL_K_COMMENT
             ? c
             : field_child(x, call, x->F->function);
}

static TSNode attribute_object(al_extractor *x, TSNode attr) {
  TSNode c = ts_node_child(attr, 0);
  return ts_node_is_named(c) && al_node_kind(c) != AL_K_COMMENT
             ? c
             : field_child(x, attr, x->F->object);
}

static TSNode attribute_name(al_extractor *x, TSNode attr) {
  uint32_t n = ts_node_child_count(attr);
  TSNode c = n ? ts_node_child(attr, n - 1) : (TSNode){0};
  return !ts_node_is_null(c) && al_node_kind(c) == AL_K_IDENTIFIER
             ? c
             : field_child(x, attr, x->F->attribute);
}

// Iterate the direct children of n with the auxiliary walk: call
// aux_first, then aux_next until it returns false.
static bool aux_first(al_extractor *x, TSNode n) {
  al_walk_reset_node(x->aux, n);
  return al_walk_first_child(x->aux);
}

static bool aux_next(al_extractor *x) {
  return al_walk_next(x->aux) == AL_WALK_SIBLING;
}

static TSNode aux_node(al_extractor *x) { return al_walk_node(x->aux); }

static bool is_literal_kind(al_kind k) {
  switch (k) {
  case AL_K_STRING:
  case AL_K_CONCATENATED_STRING:
  case AL_K_INTEGER:
  case AL_K_FLOAT:
  case AL_K_TRUE:
  case AL_K_FALSE:
  case AL_K_NONE:
  case AL_K_LIST:
  case AL_K_TUPLE:
  case AL_K_SET:
  case AL_K_DICTIONARY:
  case AL_K_LIST_COMPREHENSION:
  case AL_K_SET_COMPREHENSION:
  case AL_K_DICTIONARY_COMPREHENSION:
  case AL_K_ELLIPSIS:
    return true;
  default:
    return false;
  }
}

static TSNode unparen(TSNode n) {
  while (!ts_node_is_null(n) &&
         al_node_kind(n) == AL_K_PARENTHESIZED_EXPRESSION &&
         ts_node_named_child_count(n) == 1)
    n = ts_node_named_child(n, 0);
  return n;
}

// A reference expression: identifier / attribute chain / chain on a call.
static al_ref make_ref(al_extractor *x, TSNode n) {
  al_ref r = {.kind = AL_REF_NONE, .base_call = AL_NONE};
  n = unparen(n);
  if (ts_node_is_null(n))
    return r;
  vec_clear(&x->names);
  TSNode cur = n;
  al_kind k = al_node_kind(cur);
  while (k == AL_K_ATTRIBUTE) {
    TSNode attr = attribute_name(x, cur);
    if (ts_node_is_null(attr))
      return r;
    vec_push(&x->names, al_node_text(attr, x->text));
    cur = unparen(attribute_object(x, cur));
    if (ts_node_is_null(cur))
      return r;
    k = al_node_kind(cur);
  }
  if (k == AL_K_IDENTIFIER) {
    vec_push(&x->names, al_node_text(cur, x->text));
    r.kind = AL_REF_DOTTED;
  } else if (k == AL_K_CALL) {
    TSNode fn = unparen(call_function(x, cur));
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

static uint32_t push_ref(al_extractor *x, al_ref r) {
  vec_push(&x->facts->refs, r);
  return x->facts->refs.len - 1;
}

// The innermost function-like scope of `scope` (comprehensions are not
// scopes here), or AL_NONE when at module or class level.
static al_scope *scope_at(al_extractor *x, uint32_t scope) {
  return vec_get(&x->facts->scopes, scope);
}

static bool is_function_scope(const al_scope *s) {
  return s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION ||
         s->kind == AL_SCOPE_LAMBDA;
}

static uint8_t bind_flags(const frame *f) {
  uint8_t b = 0;
  if (f->flags & (F_CONDITIONAL | F_IN_LOOP | F_IN_TRY))
    b |= AL_BIND_CONDITIONAL;
  if (f->flags & F_TYPE_CHECKING)
    b |= AL_BIND_TYPE_CHECKING;
  return b;
}

static uint32_t bind(al_extractor *x, const frame *f, uint32_t scope,
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
  // A tracked name bound again in its scope no longer holds the call's
  // value (enter_assignment re-tracks it when the new value is a call),
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
static void bind_pattern(al_extractor *x, const frame *f, TSNode target) {
  TSNode todo[64];
  int n = 0;
  todo[n++] = target;
  while (n > 0) {
    TSNode t = todo[--n];
    al_kind k = al_node_kind(t);
    if (k == AL_K_IDENTIFIER) {
      bind(x, f, f->scope, t, AL_BIND_OTHER, AL_NONE);
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

// --- definitions ------------------------------------------------------------

static void bind_params(al_extractor *x, TSNode params, uint32_t scope) {
  if (ts_node_is_null(params) || !aux_first(x, params))
    return;
  al_scope *s = scope_at(x, scope);
  do {
    TSNode p = aux_node(x);
    if (!ts_node_is_named(p))
      continue;
    TSNode name = {0};
    switch (al_node_kind(p)) {
    case AL_K_IDENTIFIER:
      name = p;
      break;
    case AL_K_DEFAULT_PARAMETER:
    case AL_K_TYPED_DEFAULT_PARAMETER:
      name = ts_node_child_by_field_id(p, x->F->name);
      break;
    case AL_K_TYPED_PARAMETER:
    case AL_K_LIST_SPLAT_PATTERN:
    case AL_K_DICTIONARY_SPLAT_PATTERN:
      for (uint32_t i = 0; i < ts_node_named_child_count(p); i++) {
        TSNode c = ts_node_named_child(p, i);
        al_kind ck = al_node_kind(c);
        if (ck == AL_K_IDENTIFIER) {
          name = c;
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
    // s may move as binds grow? No: scopes and binds are separate vectors.
    bind(x, NULL, scope, name, AL_BIND_PARAM, AL_NONE);
  } while (aux_next(x));
}

// A body that only documents or refuses: docstring, pass, ..., raise.
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

static void attach_decorators(al_extractor *x, frame *f, uint32_t scope) {
  if (x->stack.len < 2)
    return;
  frame *p = &x->stack.items[x->stack.len - 2];
  if (p->kind != AL_K_DECORATED_DEFINITION)
    return;
  al_scope *s = scope_at(x, scope);
  s->first_decorator = p->deco_first;
  s->n_decorators = p->deco_n;
  (void)f;
}

static void enter_function(al_extractor *x, frame *f) {
  TSNode n = f->node;
  TSNode name = field_child(x, n, x->F->name);
  bool async = al_node_is_async(n);
  uint32_t s = new_scope(
      x, f, async ? AL_SCOPE_ASYNC_FUNCTION : AL_SCOPE_FUNCTION, name, n);
  attach_decorators(x, f, s);
  if (!ts_node_is_null(name))
    bind(x, f, f->scope, name, AL_BIND_FUNCTION, s);
  bind_params(x, field_child(x, n, x->F->parameters), s);
  uint32_t n_stmts;
  if (body_stats(x, field_child(x, n, x->F->body), &n_stmts))
    scope_at(x, s)->flags |= AL_SCOPE_STUB;
  scope_at(x, s)->n_stmts = n_stmts;
  f->inner = s;
}

static void enter_class(al_extractor *x, frame *f) {
  TSNode n = f->node;
  TSNode name = field_child(x, n, x->F->name);
  uint32_t s = new_scope(x, f, AL_SCOPE_CLASS, name, n);
  attach_decorators(x, f, s);
  if (!ts_node_is_null(name))
    bind(x, f, f->scope, name, AL_BIND_CLASS, s);
  TSNode bases = field_child(x, n, x->F->superclasses);
  uint32_t first = x->facts->refs.len, count = 0;
  if (!ts_node_is_null(bases) && aux_first(x, bases)) {
    // Collect first, then make refs: make_ref does not use the aux cursor,
    // but keeping the loop free of other calls keeps that true.
    do {
      TSNode b = aux_node(x);
      if (!ts_node_is_named(b) || al_node_kind(b) == AL_K_KEYWORD_ARGUMENT ||
          al_node_kind(b) == AL_K_COMMENT)
        continue;
      push_ref(x, make_ref(x, b));
      count++;
    } while (aux_next(x));
  }
  al_scope *sc = scope_at(x, s);
  sc->first_base = count ? first : AL_NONE;
  sc->n_bases = count;
  f->inner = s;
}

static uint32_t add_return(al_extractor *x, uint32_t scope, TSNode stmt,
                           TSNode value);

static void enter_lambda(al_extractor *x, frame *f) {
  uint32_t s = new_scope(x, f, AL_SCOPE_LAMBDA, (TSNode){0}, f->node);
  bind_params(x, field_child(x, f->node, x->F->parameters), s);
  f->inner = s;
  scope_at(x, s)->n_stmts = 1;
  TSNode body = field_child(x, f->node, x->F->body);
  if (!ts_node_is_null(body))
    f->ret = add_return(x, s, f->node, body);
}

static void enter_decorator(al_extractor *x, frame *f) {
  if (x->stack.len < 2)
    return;
  frame *p = &x->stack.items[x->stack.len - 2];
  if (p->kind != AL_K_DECORATED_DEFINITION ||
      ts_node_named_child_count(f->node) == 0)
    return;
  TSNode e = unparen(ts_node_named_child(f->node, 0));
  al_ref r;
  if (al_node_kind(e) == AL_K_CALL) {
    r = make_ref(x, field_child(x, e, x->F->function));
    if (r.kind == AL_REF_DOTTED)
      r.kind = AL_REF_CALLED; // base_call is patched when the call is met
    else
      r = (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  } else {
    r = make_ref(x, e);
  }
  uint32_t idx = push_ref(x, r);
  if (p->deco_n == 0)
    p->deco_first = idx;
  p->deco_n++;
}

// --- imports ----------------------------------------------------------------

// Dotted text without whitespace (`a . b` is legal Python).
static al_str dotted_text(al_extractor *x, TSNode n) {
  al_str t = al_node_text(n, x->text);
  char *buf = al_arena_alloc(x->facts->arena, t.len + 1);
  size_t o = 0;
  for (size_t i = 0; i < t.len; i++) {
    char c = t.ptr[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\')
      continue;
    buf[o++] = c;
  }
  buf[o] = 0;
  return (al_str){buf, o};
}

static al_str first_component(al_str dotted) {
  for (size_t i = 0; i < dotted.len; i++)
    if (dotted.ptr[i] == '.')
      return (al_str){dotted.ptr, i};
  return dotted;
}

// One import binding: mod is the module node (`import mod`, `from mod
// import ...`), name the imported name of a from-import, alias the `as`
// name; null nodes when absent.
static void add_import(al_extractor *x, const frame *f, uint8_t flags,
                       TSNode mod, TSNode name, TSNode alias, bool from,
                       bool star) {
  al_import *im = vec_grow1(&x->facts->imports);
  im->scope = f->scope;
  im->span = span_of(ts_node_is_null(name) ? mod : name);
  im->flags = flags;
  if (!ts_node_is_null(alias))
    im->flags |= AL_IMPORT_ALIASED;
  if (from) {
    im->flags |= AL_IMPORT_FROM;
    al_str mt = dotted_text(x, mod);
    size_t dots = 0;
    while (dots < mt.len && mt.ptr[dots] == '.')
      dots++;
    im->level = (uint8_t)(dots > 255 ? 255 : dots);
    im->module = (al_str){mt.ptr + dots, mt.len - dots};
    if (star) {
      im->flags |= AL_IMPORT_STAR;
      im->name = AL_STR_LIT("*");
      im->local = AL_STR_LIT("*");
      return;
    }
    im->name = dotted_text(x, name);
    im->local = ts_node_is_null(alias) ? im->name : node_str(x, alias);
  } else {
    im->module = dotted_text(x, mod);
    im->local = ts_node_is_null(alias) ? first_component(im->module)
                                       : node_str(x, alias);
  }
  al_binding *b = vec_grow1(&x->facts->binds);
  b->name = im->local;
  b->span = im->span;
  b->scope = f->scope;
  b->target = x->facts->imports.len - 1;
  b->value_ref = AL_NONE;
  b->kind = AL_BIND_IMPORT;
  b->flags = bind_flags(f);
}

// An `aliased_import` node's name and alias, when both are there and of the
// right kinds (error recovery can leave either out).
static bool aliased_parts(al_extractor *x, TSNode n, TSNode *name,
                          TSNode *alias) {
  *name = ts_node_child_by_field_id(n, x->F->name);
  *alias = ts_node_child_by_field_id(n, x->F->alias);
  return !ts_node_is_null(*name) && !ts_node_is_null(*alias) &&
         al_node_kind(*name) == AL_K_DOTTED_NAME &&
         al_node_kind(*alias) == AL_K_IDENTIFIER;
}

// The bindings of an import statement, read off its children. This is what
// queries/imports.scm describes (tests/test_imports.c checks that the two
// agree on every fixture); running that query on each import statement cost
// ~1.2% of a whole run, this walk almost nothing.
static void enter_import(al_extractor *x, frame *f) {
  uint8_t flags =
      bind_flags(f) & AL_BIND_TYPE_CHECKING ? AL_IMPORT_TYPE_CHECKING : 0;
  if (f->flags & F_IN_TRY)
    flags |= AL_IMPORT_IN_TRY;
  bool from = f->kind == AL_K_IMPORT_FROM_STATEMENT;
  TSNode mod = {0};
  if (!aux_first(x, f->node))
    return;
  do {
    TSNode c = aux_node(x);
    if (!ts_node_is_named(c))
      continue;
    TSFieldId field = al_walk_field(x->aux);
    al_kind k = al_node_kind(c);
    TSNode name, alias = {0};
    if (from && field == x->F->module_name) {
      if (ts_node_is_null(mod))
        mod = c;
      continue;
    }
    if (from && k == AL_K_WILDCARD_IMPORT) {
      if (!ts_node_is_null(mod))
        add_import(x, f, flags, mod, (TSNode){0}, alias, true, true);
      continue;
    }
    if (field != x->F->name)
      continue;
    if (k == AL_K_DOTTED_NAME)
      name = c;
    else if (k != AL_K_ALIASED_IMPORT || !aliased_parts(x, c, &name, &alias))
      continue;
    if (!from)
      add_import(x, f, flags, name, (TSNode){0}, alias, false, false);
    else if (!ts_node_is_null(mod))
      add_import(x, f, flags, mod, name, alias, true, false);
  } while (aux_next(x));
}

// --- calls and their context ------------------------------------------------

static frame *frame_at(al_extractor *x, uint32_t i) {
  return &x->stack.items[i];
}

// Find the argument record of call `call` whose span starts at `start`.
// The pending argument (index into argbuf) of the call whose frame is at
// stack index call_frame that contains bytes [start, end), or AL_NONE. Only
// the call's own arguments are pending above its base: no other call is
// open between an argument and its call. The walk is inside the argument
// recorded last, so the search starts there: O(1), where a search from
// the first argument made a call with n call arguments cost O(n^2).
static uint32_t find_arg(al_extractor *x, uint32_t call_frame, uint32_t start,
                         uint32_t end) {
  if (call_frame == AL_NONE)
    return AL_NONE;
  uint32_t base = frame_at(x, call_frame)->arg_base;
  for (uint32_t i = x->argbuf.len; i-- > base;) {
    const al_arg *a = &x->argbuf.items[i].arg;
    if (a->span.start_byte <= start && end <= a->span.end_byte)
      return i;
  }
  return AL_NONE;
}

typedef struct {
  al_ctx ctx;
  uint32_t parent_call;
  uint32_t parent_frame; // ARG: stack index of the call's frame
  uint16_t arg_index;
  al_str ctx_name;
  uint32_t via;   // index of the frame that decided the context
  uint8_t cflags; // AL_CALL_WHILE_TEST, AL_CALL_NEGATED
} ctx_info;

// The context of the expression at stack index i.
static ctx_info classify(al_extractor *x, uint32_t i) {
  ctx_info r = {AL_CTX_OTHER, AL_NONE, AL_NONE, 0, {0}, AL_NONE, 0};
  uint32_t child = i;
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
      child = j;
      continue;
    case AL_K_AS_PATTERN:
      if (c->named_index == 0 && j > 0 &&
          frame_at(x, j - 1)->kind == AL_K_WITH_ITEM) {
        child = j;
        continue;
      }
      return r;
    case AL_K_EXPRESSION_STATEMENT:
      r.ctx = AL_CTX_STMT;
      return r;
    case AL_K_AWAIT:
      r.ctx = AL_CTX_AWAIT;
      return r;
    case AL_K_ASSIGNMENT:
      if (c->field == x->F->right) {
        TSNode left = field_child(x, p->node, x->F->left);
        al_kind lk = al_node_kind(left);
        r.ctx = lk == AL_K_IDENTIFIER ? AL_CTX_ASSIGN
                : (lk == AL_K_PATTERN_LIST || lk == AL_K_TUPLE_PATTERN ||
                   lk == AL_K_LIST_PATTERN)
                    ? AL_CTX_UNPACK
                    : AL_CTX_ASSIGN_OTHER;
      }
      return r;
    case AL_K_AUGMENTED_ASSIGNMENT:
      if (c->field == x->F->right)
        r.ctx = AL_CTX_OPERAND;
      return r;
    case AL_K_RETURN_STATEMENT:
      r.ctx = AL_CTX_RETURN;
      return r;
    case AL_K_YIELD:
      r.ctx = AL_CTX_YIELD;
      return r;
    case AL_K_ARGUMENT_LIST:
    case AL_K_KEYWORD_ARGUMENT: {
      uint32_t list = j;
      if (p->kind == AL_K_KEYWORD_ARGUMENT) {
        if (c->field != x->F->value || j == 0)
          return r;
        list = j - 1;
        if (frame_at(x, list)->kind != AL_K_ARGUMENT_LIST)
          return r;
      }
      if (list == 0 || frame_at(x, list - 1)->kind != AL_K_CALL)
        return r;
      uint32_t call = frame_at(x, list - 1)->call;
      uint32_t a =
          find_arg(x, list - 1, ts_node_start_byte(frame_at(x, i)->node),
                   ts_node_end_byte(frame_at(x, i)->node));
      r.ctx = AL_CTX_ARG;
      r.parent_call = call;
      r.parent_frame = list - 1;
      if (a != AL_NONE) {
        const al_arg *arg = &x->argbuf.items[a].arg;
        r.arg_index = arg->index;
        r.ctx_name = arg->keyword;
      }
      return r;
    }
    case AL_K_IF_STATEMENT:
    case AL_K_ELIF_CLAUSE:
    case AL_K_WHILE_STATEMENT:
      if (c->field == x->F->condition) {
        r.ctx = AL_CTX_CONDITION;
        if (p->kind == AL_K_WHILE_STATEMENT)
          r.cflags |= AL_CALL_WHILE_TEST;
      }
      return r;
    case AL_K_NOT_OPERATOR:
      r.ctx = AL_CTX_CONDITION;
      r.cflags |= AL_CALL_NEGATED;
      if (j > 0 && frame_at(x, j - 1)->kind == AL_K_WHILE_STATEMENT &&
          p->field == x->F->condition)
        r.cflags |= AL_CALL_WHILE_TEST;
      return r;
    case AL_K_BOOLEAN_OPERATOR:
    case AL_K_IF_CLAUSE:
      r.ctx = AL_CTX_CONDITION;
      return r;
    case AL_K_ASSERT_STATEMENT:
      if (c->named_index == 0)
        r.ctx = AL_CTX_CONDITION;
      return r;
    case AL_K_BINARY_OPERATOR:
    case AL_K_UNARY_OPERATOR:
    case AL_K_COMPARISON_OPERATOR:
      r.ctx = AL_CTX_OPERAND;
      return r;
    case AL_K_SUBSCRIPT:
      if (c->field == x->F->value)
        r.ctx = AL_CTX_SUBSCRIPT;
      return r;
    case AL_K_ATTRIBUTE: {
      if (c->field != x->F->object)
        return r;
      r.ctx = AL_CTX_ATTRIBUTE;
      TSNode attr = field_child(x, p->node, x->F->attribute);
      if (!ts_node_is_null(attr))
        r.ctx_name = node_str(x, attr);
      // f().a.b(): climb the attribute chain to the call that uses it.
      uint32_t k = j;
      while (k > 0 && frame_at(x, k - 1)->kind == AL_K_ATTRIBUTE &&
             frame_at(x, k)->field == x->F->object)
        k--;
      if (k > 0 && frame_at(x, k - 1)->kind == AL_K_CALL &&
          frame_at(x, k)->field == x->F->function)
        r.parent_call = frame_at(x, k - 1)->call;
      return r;
    }
    case AL_K_FOR_STATEMENT:
      if (c->field == x->F->right)
        r.ctx = al_node_is_async(p->node) ? AL_CTX_ASYNC_ITER : AL_CTX_ITER;
      return r;
    case AL_K_FOR_IN_CLAUSE:
      if (c->field == x->F->right)
        r.ctx = al_node_is_async(p->node) ? AL_CTX_ASYNC_ITER : AL_CTX_ITER;
      return r;
    case AL_K_INTERPOLATION:
      r.ctx = AL_CTX_FSTRING;
      return r;
    case AL_K_WITH_ITEM:
      if (c->field == x->F->value && j >= 2) {
        frame *stmt = frame_at(x, j - 2);
        r.ctx =
            stmt->kind == AL_K_WITH_STATEMENT && al_node_is_async(stmt->node)
                ? AL_CTX_ASYNC_WITH
                : AL_CTX_WITH;
      }
      return r;
    case AL_K_LAMBDA:
      if (c->field == x->F->body)
        r.ctx = AL_CTX_LAMBDA;
      return r;
    case AL_K_LIST_COMPREHENSION:
    case AL_K_SET_COMPREHENSION:
    case AL_K_DICTIONARY_COMPREHENSION:
    case AL_K_GENERATOR_EXPRESSION:
      if (c->field == x->F->body)
        r.ctx = AL_CTX_COMPREHENSION;
      return r;
    default:
      return r;
    }
  }
  return r;
}

// Record node n, a named child of the argument list of the call whose
// frame is call (or the call's lone generator-expression argument).
static void record_arg(al_extractor *x, frame *call, TSNode n, al_kind k) {
  if (k == AL_K_COMMENT)
    return;
  pending_arg *p = vec_grow1(&x->argbuf);
  al_arg *a = &p->arg;
  a->kind = AL_ARG_OTHER;
  a->target = AL_NONE;
  a->ref = (al_ref){.kind = AL_REF_NONE, .base_call = AL_NONE};
  if (k == AL_K_GENERATOR_EXPRESSION) {
    a->span = span_of(n);
    return;
  }
  a->index = call->arg_pos;
  TSNode v = n;
  if (k == AL_K_KEYWORD_ARGUMENT) {
    TSNode kw = ts_node_child_by_field_id(n, x->F->name);
    if (!ts_node_is_null(kw))
      a->keyword = node_str(x, kw);
    a->index = AL_ARG_KEYWORD;
    v = ts_node_child_by_field_id(n, x->F->value);
    if (ts_node_is_null(v)) {
      x->argbuf.len--;
      return;
    }
  } else if (k != AL_K_LIST_SPLAT && k != AL_K_DICTIONARY_SPLAT) {
    call->arg_pos++;
  }
  v = unparen(v);
  a->span = span_of(v);
  al_kind vk = al_node_kind(v);
  switch (vk) {
  case AL_K_IDENTIFIER:
  case AL_K_ATTRIBUTE:
    a->ref = make_ref(x, v);
    a->kind = a->ref.kind == AL_REF_NONE ? AL_ARG_OTHER : AL_ARG_REF;
    break;
  case AL_K_CALL:
    a->kind = AL_ARG_CALL;
    break;
  case AL_K_LAMBDA:
    a->kind = AL_ARG_LAMBDA;
    break;
  case AL_K_LIST_SPLAT:
  case AL_K_DICTIONARY_SPLAT:
    a->kind = AL_ARG_STARRED;
    break;
  case AL_K_LIST:
  case AL_K_TUPLE:
  case AL_K_SET:
    p->container = v;
    break;
  default:
    if (is_literal_kind(vk)) {
      a->kind = AL_ARG_LITERAL;
    } else if (a->span.end_byte - a->span.start_byte <= 96) {
      al_str t = al_node_text(v, x->text);
      a->ref.dotted = copy_str(x, t.ptr, t.len); // al_arg_text
    }
    break;
  }
  if (vk == AL_K_FALSE || vk == AL_K_NONE ||
      (vk == AL_K_INTEGER && al_str_eq_c(al_node_text(v, x->text), "0")))
    a->flags |= AL_ARGF_FALSY;
}

// A call's frame leaves: its pending arguments become facts, then the
// names listed in its first container arguments (ELEMENT records).
static void flush_args(al_extractor *x, const frame *f) {
  al_call *c = vec_get(&x->facts->calls, f->call);
  c->first_arg = x->facts->args.len;
  c->n_args = x->argbuf.len - f->arg_base;
  int n_containers = 0;
  for (uint32_t i = f->arg_base; i < x->argbuf.len; i++)
    vec_push(&x->facts->args, x->argbuf.items[i].arg);
  for (uint32_t i = f->arg_base; i < x->argbuf.len && n_containers < 8; i++) {
    const pending_arg *p = &x->argbuf.items[i];
    if (ts_node_is_null(p->container))
      continue;
    n_containers++;
    TSNode container = p->container;
    uint32_t ne = ts_node_named_child_count(container);
    // Bound the work on huge literal lists: elements past 256 are not
    // looked at (only names matter here, and such lists are data).
    for (uint32_t e = 0; e < ne && e < 256; e++) {
      TSNode el = unparen(ts_node_named_child(container, e));
      al_kind ek = al_node_kind(el);
      if (ek != AL_K_IDENTIFIER && ek != AL_K_ATTRIBUTE)
        continue;
      al_arg a = {.kind = AL_ARG_ELEMENT, .target = AL_NONE};
      a.ref = make_ref(x, el);
      if (a.ref.kind == AL_REF_NONE)
        continue;
      a.span = span_of(el);
      a.index = x->argbuf.items[i].arg.index;
      a.keyword = x->argbuf.items[i].arg.keyword;
      vec_push(&x->facts->args, a);
      vec_get(&x->facts->calls, f->call)->n_args++;
    }
  }
  x->argbuf.len = f->arg_base;
}

static void enter_call(al_extractor *x, frame *f) {
  uint32_t id = x->facts->calls.len;
  al_call *c = vec_grow1(&x->facts->calls);
  f->call = id;
  c->callee = make_ref(x, call_function(x, f->node));
  c->span = span_of(f->node);
  c->scope = f->scope;
  c->parent_call = AL_NONE;
  if (f->flags & F_IN_LOOP)
    c->flags |= AL_CALL_IN_LOOP;
  if (f->flags & F_IN_TRY)
    c->flags |= AL_CALL_IN_TRY;
  if (f->flags & F_IN_WITH)
    c->flags |= AL_CALL_IN_WITH;
  ctx_info ci = classify(x, x->stack.len - 1);
  c = vec_get(&x->facts->calls, id);
  c->ctx = (uint8_t)ci.ctx;
  c->flags |= ci.cflags;
  c->parent_call = ci.parent_call;
  c->arg_index = ci.arg_index;
  c->ctx_name = ci.ctx_name;
  c->first_arg = c->n_args = 0; // set when the call leaves (flush_args)
  f->arg_base = x->argbuf.len;
  f->arg_pos = 0;
  // Patch the records that were waiting for this call.
  if (ci.via == AL_NONE)
    return;
  frame *via = frame_at(x, ci.via);
  switch (ci.ctx) {
  case AL_CTX_ASSIGN:
  case AL_CTX_ASSIGN_OTHER:
  case AL_CTX_WITH:
  case AL_CTX_ASYNC_WITH:
    if (via->bind != AL_NONE)
      x->facts->binds.items[via->bind].target = id;
    if (via->block != AL_NONE &&
        x->facts->blocks.items[via->block].obj == AL_OBJ_CALL)
      x->facts->blocks.items[via->block].call = id;
    break;
  case AL_CTX_ITER:
  case AL_CTX_ASYNC_ITER:
    if (via->block != AL_NONE &&
        x->facts->blocks.items[via->block].obj == AL_OBJ_CALL)
      x->facts->blocks.items[via->block].call = id;
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
    break;
  case AL_CTX_ARG: {
    uint32_t a =
        find_arg(x, ci.parent_frame, c->span.start_byte, c->span.end_byte);
    if (a != AL_NONE && x->argbuf.items[a].arg.kind == AL_ARG_CALL)
      x->argbuf.items[a].arg.target = id;
    break;
  }
  case AL_CTX_ATTRIBUTE:
    if (ci.parent_call != AL_NONE) {
      al_ref *r = &x->facts->calls.items[ci.parent_call].callee;
      if (r->kind == AL_REF_ON_CALL && r->base_call == AL_NONE)
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

static void enter_lambda_arg(al_extractor *x, frame *f) {
  // A lambda passed as an argument: point the arg record at its scope.
  ctx_info ci = classify(x, x->stack.len - 1);
  if (ci.ctx != AL_CTX_ARG)
    return;
  uint32_t a = find_arg(x, ci.parent_frame, ts_node_start_byte(f->node),
                        ts_node_end_byte(f->node));
  if (a != AL_NONE && x->argbuf.items[a].arg.kind == AL_ARG_LAMBDA)
    x->argbuf.items[a].arg.target = f->inner;
}

// --- async constructs
// ---------------------------------------------------------

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
  TSNode e = unparen(ts_node_named_child(f->node, 0));
  al_kind k = al_node_kind(e);
  if (k == AL_K_CALL) {
    a->operand = AL_OPERAND_CALL;
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref r = make_ref(x, e);
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

// --- with items and for loops ------------------------------------------------

// The value of a constant integer expression (literals, + - * // **), for
// loop bounds; false when it is not one or overflows. Depth-limited.
static bool const_int(al_extractor *x, TSNode n, int depth, uint64_t *out) {
  if (depth > 8 || ts_node_is_null(n))
    return false;
  n = unparen(n);
  al_kind k = al_node_kind(n);
  if (k == AL_K_INTEGER) {
    al_str t = al_node_text(n, x->text);
    uint64_t v = 0;
    size_t i = 0;
    unsigned base = 10;
    if (t.len > 2 && t.ptr[0] == '0' && (t.ptr[1] == 'x' || t.ptr[1] == 'X')) {
      base = 16;
      i = 2;
    }
    for (; i < t.len; i++) {
      char c = t.ptr[i];
      unsigned d;
      if (c == '_')
        continue;
      if (c >= '0' && c <= '9')
        d = (unsigned)(c - '0');
      else if (base == 16 && c >= 'a' && c <= 'f')
        d = (unsigned)(c - 'a' + 10);
      else if (base == 16 && c >= 'A' && c <= 'F')
        d = (unsigned)(c - 'A' + 10);
      else
        return false; // 1e7 floats, long suffixes: not here
      if (v > (UINT64_MAX - d) / base)
        return false;
      v = v * base + d;
    }
    *out = v;
    return true;
  }
  if (k != AL_K_BINARY_OPERATOR)
    return false;
  uint64_t a, b;
  if (!const_int(x, field_child(x, n, x->F->left), depth + 1, &a) ||
      !const_int(x, field_child(x, n, x->F->right), depth + 1, &b))
    return false;
  TSNode op = ts_node_child_by_field_name(n, "operator", 8);
  al_str o = ts_node_is_null(op) ? (al_str){0} : al_node_text(op, x->text);
  if (al_str_eq_c(o, "+")) {
    if (a > UINT64_MAX - b)
      return false;
    *out = a + b;
  } else if (al_str_eq_c(o, "-")) {
    *out = a >= b ? a - b : 0;
  } else if (al_str_eq_c(o, "*")) {
    if (b && a > UINT64_MAX / b)
      return false;
    *out = a * b;
  } else if (al_str_eq_c(o, "//")) {
    *out = b ? a / b : 0;
  } else if (al_str_eq_c(o, "**")) {
    uint64_t r = 1;
    for (uint64_t i = 0; i < b; i++) {
      if (a && r > UINT64_MAX / a)
        return false;
      r *= a;
    }
    *out = r;
  } else {
    return false;
  }
  return true;
}

// range(...) with constant arguments: the largest of them.
static uint64_t range_bound(al_extractor *x, TSNode call) {
  TSNode fn = unparen(field_child(x, call, x->F->function));
  if (ts_node_is_null(fn) || al_node_kind(fn) != AL_K_IDENTIFIER ||
      !al_str_eq_c(al_node_text(fn, x->text), "range"))
    return 0;
  TSNode args = field_child(x, call, x->F->arguments);
  if (ts_node_is_null(args))
    return 0;
  uint64_t best = 0;
  uint32_t n = ts_node_named_child_count(args);
  for (uint32_t i = 0; i < n && i < 3; i++) {
    uint64_t v;
    if (const_int(x, ts_node_named_child(args, i), 0, &v) && v > best)
      best = v;
  }
  return best;
}

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
  b->is_async = al_node_is_async(owner);
  b->keyword = span_of(ts_node_child(owner, 0));
  if (ts_node_is_null(expr)) {
    b->span = span_of(owner);
    b->obj = AL_OBJ_OTHER;
    return;
  }
  expr = unparen(expr);
  b->span = span_of(expr);
  al_kind k = al_node_kind(expr);
  if (k == AL_K_CALL) {
    b->obj = AL_OBJ_CALL; // call: patched when the call is met
    if (is_for)
      b->range_bound = range_bound(x, expr);
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref r = make_ref(x, expr);
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

static uint32_t add_return(al_extractor *x, uint32_t scope, TSNode stmt,
                           TSNode value) {
  al_return *r = vec_grow1(&x->facts->returns);
  r->span = span_of(stmt);
  r->scope = scope;
  r->target = AL_NONE;
  r->kind = AL_RET_NONE;
  uint32_t id = x->facts->returns.len - 1;
  if (ts_node_is_null(value))
    return id;
  value = unparen(value);
  al_kind k = al_node_kind(value);
  if (k == AL_K_CALL) {
    r->kind = AL_RET_CALL; // target: patched when the call is met
  } else if (k == AL_K_IDENTIFIER || k == AL_K_ATTRIBUTE) {
    al_ref ref = make_ref(x, value);
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
  f->ret = add_return(x, f->scope, f->node, value);
}

static void enter_comprehension(al_extractor *x, frame *f) {
  ctx_info ci = classify(x, x->stack.len - 1);
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
  ctx_info ci = classify(x, x->stack.len - 1);
  al_use *u = vec_grow1(&x->facts->uses);
  u->span = span_of(f->node);
  u->binding = t->binding;
  u->scope = at;
  u->ctx = (uint8_t)ci.ctx;
  u->parent_call = ci.ctx == AL_CTX_ARG ? ci.parent_call : AL_NONE;
  u->arg_index = ci.arg_index;
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
    flush_args(x, f);
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

// --- bindings from statements -----------------------------------------------

// `self.name = value` in a method: an instance attribute of its class.
static void enter_attr_assignment(al_extractor *x, frame *f, TSNode left,
                                  TSNode right) {
  if (ts_node_is_null(right))
    return;
  al_scope *s = scope_at(x, f->scope);
  if (s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION)
    return;
  if (s->parent == AL_NONE || scope_at(x, s->parent)->kind != AL_SCOPE_CLASS)
    return;
  TSNode obj = unparen(field_child(x, left, x->F->object));
  TSNode attr = field_child(x, left, x->F->attribute);
  if (ts_node_is_null(obj) || ts_node_is_null(attr) ||
      al_node_kind(obj) != AL_K_IDENTIFIER ||
      !al_str_eq(al_node_text(obj, x->text),
                 scope_at(x, f->scope)->first_param))
    return;
  f->bind = bind(x, f, f->scope, attr, AL_BIND_ATTR, AL_NONE);
  TSNode rv = unparen(right);
  al_kind rk = al_node_kind(rv);
  if (rk == AL_K_IDENTIFIER || rk == AL_K_ATTRIBUTE) {
    al_ref r = make_ref(x, rv);
    if (r.kind != AL_REF_NONE)
      x->facts->binds.items[f->bind].value_ref = push_ref(x, r);
  }
}

static void enter_assignment(al_extractor *x, frame *f) {
  TSNode left = field_child(x, f->node, x->F->left);
  TSNode right = field_child(x, f->node, x->F->right);
  if (ts_node_is_null(left))
    return;
  al_kind lk = al_node_kind(left);
  if (lk == AL_K_IDENTIFIER) {
    if (ts_node_is_null(right)) {
      return; // `x: int` binds nothing at run time
    }
    TSNode rv = unparen(right);
    al_kind rk = al_node_kind(rv);
    if (rk == AL_K_ASSIGNMENT) {
      bind(x, f, f->scope, left, AL_BIND_OTHER, AL_NONE);
      return;
    }
    f->bind = bind(x, f, f->scope, left, AL_BIND_ASSIGN, AL_NONE);
    if (rk == AL_K_IDENTIFIER || rk == AL_K_ATTRIBUTE) {
      al_ref r = make_ref(x, rv);
      if (r.kind != AL_REF_NONE)
        x->facts->binds.items[f->bind].value_ref = push_ref(x, r);
    }
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
    enter_attr_assignment(x, f, left, right);
  } else {
    bind_pattern(x, f, left);
  }
}

static void enter_names_stmt(al_extractor *x, frame *f, al_bind_kind kind) {
  uint32_t n = ts_node_named_child_count(f->node);
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(f->node, i);
    if (al_node_kind(c) == AL_K_IDENTIFIER)
      bind(x, f, f->scope, c, kind, AL_NONE);
  }
}

// `case` patterns bind their capture names: a lone name (`case x`, `{"k":
// x}`), `*rest`, `as y`. Bound as OTHER, which only ever makes a name
// unknown. The walk is iterative and bounded.
static void enter_case_clause(al_extractor *x, frame *f) {
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
        bind(x, f, f->scope, t, AL_BIND_OTHER, AL_NONE);
      continue;
    }
    if (k == AL_K_DOTTED_NAME) {
      if (pk == AL_K_CASE_PATTERN && ts_node_named_child_count(t) == 1)
        bind(x, f, f->scope, ts_node_named_child(t, 0), AL_BIND_OTHER, AL_NONE);
      continue;
    }
    uint32_t c = ts_node_named_child_count(t);
    for (uint32_t i = c; i-- > 0 && n < 256;) {
      todo[n] = ts_node_named_child(t, i);
      parent[n++] = (uint8_t)k;
    }
  }
}

static bool is_type_checking(al_extractor *x, TSNode cond) {
  cond = unparen(cond);
  al_str t = al_node_text(cond, x->text);
  al_kind k = al_node_kind(cond);
  if (k == AL_K_IDENTIFIER)
    return al_str_eq_c(t, "TYPE_CHECKING");
  if (k == AL_K_ATTRIBUTE)
    return t.len >= 14 && memcmp(t.ptr + t.len - 14, ".TYPE_CHECKING", 14) == 0;
  return false;
}

static bool mentions_suppression(al_str t) {
  // Case-insensitive search for "noqa" or "asynclint".
  for (size_t i = 0; i + 4 <= t.len; i++) {
    char c = (char)tolower((unsigned char)t.ptr[i]);
    if (c == 'n' && strncasecmp(t.ptr + i, "noqa", 4) == 0)
      return true;
    if (c == 'a' && i + 9 <= t.len &&
        strncasecmp(t.ptr + i, "asynclint", 9) == 0)
      return true;
  }
  return false;
}

// --- the walk
// -----------------------------------------------------------------

// Whether extraction ever looks at the field of a child of a node of this
// kind (push_frame, classify, is_load: `c->field`). Asking the walker for
// the field costs a walk of the grammar's field map; most nodes sit under
// these parents, whose children's fields nothing reads.
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
  f.block = AL_NONE;
  if (parent) {
    f.scope = parent->scope;
    f.flags = parent->flags;
    f.named_index = parent->next_named++;
    if (parent->inner != AL_NONE && f.field == x->F->body) {
      f.scope = parent->inner;
      f.flags = 0;
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
      if (f.field == x->F->consequence) {
        f.flags |= F_CONDITIONAL;
        if (is_type_checking(x, field_child(x, parent->node, x->F->condition)))
          f.flags |= F_TYPE_CHECKING;
      } else if (f.field == x->F->alternative) {
        f.flags |= F_CONDITIONAL;
      }
      break;
    case AL_K_TRY_STATEMENT:
      if (f.field == x->F->body)
        f.flags |= F_IN_TRY;
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

static void enter(al_extractor *x) {
  frame *f = vec_last(&x->stack);
  // An argument of a call: recorded before anything inside it is entered
  // (a call or lambda there finds its argument record by find_arg).
  if (x->stack.len >= 2) {
    frame *p = frame_at(x, x->stack.len - 2);
    if (p->kind == AL_K_ARGUMENT_LIST && x->stack.len >= 3 &&
        p->field == x->F->arguments &&
        frame_at(x, x->stack.len - 3)->kind == AL_K_CALL)
      record_arg(x, frame_at(x, x->stack.len - 3), f->node, (al_kind)f->kind);
    else if (p->kind == AL_K_CALL && f->field == x->F->arguments &&
             f->kind == AL_K_GENERATOR_EXPRESSION)
      record_arg(x, p, f->node, (al_kind)f->kind);
  }
  switch ((al_kind)f->kind) {
  case AL_K_FUNCTION_DEFINITION:
    enter_function(x, f);
    break;
  case AL_K_CLASS_DEFINITION:
    enter_class(x, f);
    break;
  case AL_K_LAMBDA:
    enter_lambda(x, f);
    enter_lambda_arg(x, f);
    break;
  case AL_K_DECORATOR:
    enter_decorator(x, f);
    break;
  case AL_K_CALL:
    enter_call(x, f);
    break;
  case AL_K_AWAIT:
    enter_await(x, f);
    break;
  case AL_K_WITH_STATEMENT:
    if (al_node_is_async(f->node))
      enter_async_keyword(x, f, AL_ASYNC_WITH);
    break;
  case AL_K_FOR_STATEMENT:
    if (al_node_is_async(f->node))
      enter_async_keyword(x, f, AL_ASYNC_FOR);
    add_block_site(x, f, f->node, field_child(x, f->node, x->F->right), true,
                   false);
    f->asyncs_at = x->facts->asyncs.len;
    {
      TSNode left = field_child(x, f->node, x->F->left);
      if (!ts_node_is_null(left))
        bind_pattern(x, f, left);
    }
    break;
  case AL_K_FOR_IN_CLAUSE:
    // An async comprehension; generator expressions may be async anywhere.
    if (al_node_is_async(f->node) && x->stack.len >= 2 &&
        frame_at(x, x->stack.len - 2)->kind != AL_K_GENERATOR_EXPRESSION)
      enter_async_keyword(x, f, AL_ASYNC_COMPREHENSION);
    add_block_site(x, f, f->node, field_child(x, f->node, x->F->right), true,
                   true);
    break;
  case AL_K_YIELD: {
    al_scope *s = scope_at(x, f->scope);
    if (s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION)
      s->flags |= AL_SCOPE_GENERATOR;
    break;
  }
  case AL_K_ASSIGNMENT:
    enter_assignment(x, f);
    break;
  case AL_K_AUGMENTED_ASSIGNMENT: {
    TSNode left = field_child(x, f->node, x->F->left);
    if (al_node_kind(left) == AL_K_IDENTIFIER)
      bind(x, f, f->scope, left, AL_BIND_OTHER, AL_NONE);
    break;
  }
  case AL_K_WITH_ITEM: {
    TSNode v = field_child(x, f->node, x->F->value);
    if (x->stack.len >= 3) {
      frame *stmt = frame_at(x, x->stack.len - 3);
      TSNode cm = v;
      if (!ts_node_is_null(v) && al_node_kind(v) == AL_K_AS_PATTERN &&
          ts_node_named_child_count(v))
        cm = ts_node_named_child(v, 0);
      if (stmt->kind == AL_K_WITH_STATEMENT)
        add_block_site(x, f, stmt->node, cm, false, false);
    }
    if (al_node_kind(v) == AL_K_AS_PATTERN) {
      TSNode alias = field_child(x, v, x->F->alias);
      TSNode target = ts_node_is_null(alias) ? alias
                      : ts_node_named_child_count(alias)
                          ? ts_node_named_child(alias, 0)
                          : alias;
      if (ts_node_is_null(target))
        break;
      if (al_node_kind(target) != AL_K_IDENTIFIER) {
        bind_pattern(x, f, target);
        break;
      }
      // `with X() as v`: v is typed by what X() enters (the call is met
      // next and patches the binding's target).
      f->bind = bind(x, f, f->scope, target, AL_BIND_WITH, AL_NONE);
      TSNode cm = ts_node_named_child_count(v)
                      ? unparen(ts_node_named_child(v, 0))
                      : (TSNode){0};
      al_kind ck = ts_node_is_null(cm) ? AL_K_OTHER : al_node_kind(cm);
      if (ck == AL_K_IDENTIFIER || ck == AL_K_ATTRIBUTE) {
        al_ref r = make_ref(x, cm);
        if (r.kind != AL_REF_NONE)
          x->facts->binds.items[f->bind].value_ref = push_ref(x, r);
      }
    }
    break;
  }
  case AL_K_EXCEPT_CLAUSE: {
    // `except E as e`: the grammar gives an as_pattern as the value.
    TSNode alias = field_child(x, f->node, x->F->alias);
    TSNode v = field_child(x, f->node, x->F->value);
    if (ts_node_is_null(alias) && !ts_node_is_null(v) &&
        al_node_kind(v) == AL_K_AS_PATTERN)
      alias = field_child(x, v, x->F->alias);
    if (!ts_node_is_null(alias) &&
        al_node_kind(alias) == AL_K_AS_PATTERN_TARGET &&
        ts_node_named_child_count(alias))
      alias = ts_node_named_child(alias, 0);
    if (!ts_node_is_null(alias))
      bind_pattern(x, f, alias);
    break;
  }
  case AL_K_CASE_CLAUSE:
    enter_case_clause(x, f);
    break;
  case AL_K_NAMED_EXPRESSION: {
    TSNode name = field_child(x, f->node, x->F->name);
    if (!ts_node_is_null(name))
      bind(x, f, f->scope, name, AL_BIND_OTHER, AL_NONE);
    break;
  }
  case AL_K_GLOBAL_STATEMENT:
  case AL_K_NONLOCAL_STATEMENT:
    enter_names_stmt(x, f, AL_BIND_GLOBAL);
    f->descend = false;
    break;
  case AL_K_IMPORT_STATEMENT:
  case AL_K_IMPORT_FROM_STATEMENT:
    enter_import(x, f);
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
  case AL_K_STRING: {
    // Only f-strings hold expressions (calls, awaits, names); any other
    // string is skipped whole. The prefix letters come before the quote.
    al_str t = al_node_text(f->node, x->text);
    bool fstring = false;
    for (size_t i = 0; i < t.len && t.ptr[i] != '"' && t.ptr[i] != '\''; i++)
      if (t.ptr[i] == 'f' || t.ptr[i] == 'F')
        fstring = true;
    f->descend = fstring;
    break;
  }
  case AL_K_TYPE: // annotations: nothing the rules look at runs there
  case AL_K_FUTURE_IMPORT_STATEMENT:
  case AL_K_INTEGER:
  case AL_K_FLOAT:
    f->descend = false;
    break;
  case AL_K_COMMENT: {
    al_str t = al_node_text(f->node, x->text);
    if (mentions_suppression(t)) {
      al_comment *cm = vec_grow1(&x->facts->comments);
      cm->row = ts_node_start_point(f->node).row;
      cm->col = ts_node_start_point(f->node).column;
      cm->byte = ts_node_start_byte(f->node);
      cm->text = copy_str(x, t.ptr, t.len);
    }
    f->descend = false;
    break;
  }
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

// --- syntax errors
// --------------------------------------------------------------

// The first child of n (in document order) that is or contains an error.
static bool first_error_child(al_extractor *x, TSNode n, TSNode *out) {
  if (!aux_first(x, n))
    return false;
  do {
    TSNode c = aux_node(x);
    if (ts_node_has_error(c) || ts_node_is_missing(c) || ts_node_is_error(c)) {
      *out = c;
      return true;
    }
  } while (aux_next(x));
  return false;
}

// The first innermost ERROR or MISSING node in document order, found by
// descending into the first child that contains an error (no full
// traversal). Tree-sitter's recovery often wraps a long valid prefix in an
// outer ERROR node, so the descent goes on inside ERROR nodes: the innermost
// one is where the parser really got stuck.
static void find_syntax_error(al_extractor *x, TSNode root) {
  al_facts *fx = x->facts;
  TSNode n = root;
  for (;;) {
    if (ts_node_is_missing(n)) {
      fx->syntax_error = true;
      fx->error_span = span_of(n);
      fx->error_message =
          al_arena_printf(fx->arena, "missing '%s'", ts_node_type(n));
      return;
    }
    TSNode next;
    bool deeper = first_error_child(x, n, &next);
    if (ts_node_is_error(n) && !deeper) {
      fx->syntax_error = true;
      fx->error_span = span_of(n);
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
      return;
    }
    if (!deeper) {
      // has_error without a visible culprit: report the node itself.
      fx->syntax_error = true;
      fx->error_span = span_of(n);
      fx->error_message = al_arena_printf(fx->arena, "invalid syntax");
      return;
    }
    n = next;
  }
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

al_facts *al_extract(al_extractor *self, const al_source *src) {
  al_facts *facts = al_facts_new();
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
  TSTree *tree = al_parser_parse(self->parser, src->text, src->len, &gave_up);
  if (!tree) {
    facts->parse_gave_up = true;
    facts->syntax_error = true;
    facts->error_message = "the parser gave up on this file (too complex)";
    release_scratch(self, facts);
    self->facts = NULL;
    return facts;
  }
  TSNode root = ts_tree_root_node(tree);
  m = vec_get(&facts->scopes, 0);
  m->def_span = span_of(root);
  walk(self, tree);
  if (ts_node_has_error(root))
    find_syntax_error(self, root);
  // The walks still point into the tree, but read nothing until their
  // next reset.
  ts_tree_delete(tree);
  // The facts live until the end of the run: exact sizes.
  release_scratch(self, facts);
  self->facts = NULL;
  self->text = NULL;
  return facts;
}
