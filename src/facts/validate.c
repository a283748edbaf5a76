// SPDX-License-Identifier: MIT
/*
 * Validation of facts (validate.h): a payload that parses may still not be
 * facts extraction could have made (a buggy or forged cache writer with a
 * valid checksum). Each cross-record index must be AL_NONE where extraction
 * leaves it so, or in range of the vector it indexes; every kind a known
 * enumerator; every span inside the text.
 *
 * Two layers. The per-field checks are made from facts.h's field lists:
 * each kind (SPAN, ENUM, IDX, OPT, REF, ...) has its check below, so a new
 * field is checked as soon as it is listed. The rules that involve more
 * than one field (LINK fields, whose meaning depends on a kind or a
 * context; runs of records; ordering) are written by hand after them and
 * follow facts/extract.c. This module neither decodes nor repairs.
 */
#include "facts/validate.h"

#include <string.h>

// ---------------------------------------------------------------------------
// Per-field checks, one per kind of facts.h's lists.

// An index that extraction always sets.
static bool idx_ok(uint32_t i, uint32_t len) { return i < len; }

// An index that extraction may leave AL_NONE.
static bool opt_ok(uint32_t i, uint32_t len) { return i == AL_NONE || i < len; }

// Tree-sitter ranges inside the text: ends not before starts (the decoder
// adds the stored lengths with wrap-around).
static bool span_ok(const al_span *s, uint32_t text_len) {
  return s->start_byte <= s->end_byte && s->end_byte <= text_len;
}

#define CHECK_STR(v, arg) true
#define CHECK_CSTR(v, arg) true
#define CHECK_SPAN(v, arg) span_ok(&(v), f->text_len)
#define CHECK_REF(v, arg) al_ref_fields_ok(f, &(v))
#define CHECK_ENUM(v, arg) ((v) <= (arg))
#define CHECK_BOOL(v, arg) ((unsigned)(v) <= 1) // uint8_t or bool
#define CHECK_FLAGS(v, arg) true
#define CHECK_U8(v, arg) true
#define CHECK_U16(v, arg) true
#define CHECK_U32(v, arg) true
#define CHECK_U64(v, arg) true
#define CHECK_H64(v, arg) true
#define CHECK_IDX(v, vector) idx_ok((v), f->vector.len)
#define CHECK_OPT(v, vector) opt_ok((v), f->vector.len)
#define CHECK_LINK(v, arg) true // by hand, below

#define CHECK_FIELD(type, kind, name, arg) &&CHECK_##kind(x->name, arg)

// static bool al_call_fields_ok(const al_facts *f, const al_call *x), ...
#define FIELDS_OK(vector, type, fields)                                        \
  static bool type##_fields_ok(const al_facts *f, const type *x) {             \
    (void)f;                                                                   \
    (void)x;                                                                   \
    return true fields(CHECK_FIELD);                                           \
  }
#define DECLARE_FIELDS_OK(vector, type, fields)                                \
  static bool type##_fields_ok(const al_facts *f, const type *x);
AL_FACTS_RECORDS(DECLARE_FIELDS_OK)
AL_FACTS_RECORDS(FIELDS_OK)

// ---------------------------------------------------------------------------
// Cross-field rules, each record's after its per-field checks have passed.

// A run [first, first + n) of a vector of len records. An empty run may
// name AL_NONE (decorators, bases) or the end of the vector (a call without
// arguments records where its arguments would start).
static bool run_ok(uint32_t first, uint32_t n, uint32_t len) {
  if (n == 0)
    return first == AL_NONE || first <= len;
  return first < len && n <= len - first;
}

// The call a use or a comprehension is an argument of: set exactly for
// AL_CTX_ARG (classify always finds the call then).
static bool arg_parent_ok(uint8_t ctx, uint32_t parent, uint32_t n_calls) {
  return ctx == AL_CTX_ARG ? idx_ok(parent, n_calls) : parent == AL_NONE;
}

static bool al_scope_rules_ok(const al_facts *f, uint32_t i) {
  const al_scope *s = &f->scopes.items[i];
  // Scope 0 is the module and the only one; extraction creates a scope's
  // parent before it (new_scope takes the enclosing frame's scope), so a
  // parent is always an earlier scope and parent chains cannot loop.
  bool placed = i == 0 ? s->kind == AL_SCOPE_MODULE && s->parent == AL_NONE
                       : s->kind != AL_SCOPE_MODULE && s->parent < i;
  return placed && run_ok(s->first_decorator, s->n_decorators, f->refs.len) &&
         run_ok(s->first_base, s->n_bases, f->refs.len);
}

static bool al_call_rules_ok(const al_facts *f, uint32_t i) {
  const al_call *c = &f->calls.items[i];
  if (!run_ok(c->first_arg, c->n_args, f->args.len) ||
      c->callee.len > c->span.end_byte - c->span.start_byte)
    return false;
  // A guard is a parameter of the call's own function.
  if (c->guard != AL_NONE && (f->binds.items[c->guard].kind != AL_BIND_PARAM ||
                              f->binds.items[c->guard].scope != c->scope))
    return false;
  // f().m(), f()(): the base call is met inside the outer one, so after it.
  if ((c->callee.kind == AL_REF_ON_CALL ||
       c->callee.kind == AL_REF_CALL_VALUE) &&
      c->callee.base_call != AL_NONE && c->callee.base_call <= i)
    return false;
  // The call this one is an argument of, or whose callee this one's
  // attribute is, encloses it and so comes before it.
  switch (c->ctx) {
  case AL_CTX_ARG:
    return c->parent_call < i;
  case AL_CTX_ATTRIBUTE:
    return c->parent_call == AL_NONE || c->parent_call < i;
  case AL_CTX_COMPREHENSION:
    return idx_ok(c->parent_call, f->comps.len); // a comps index
  default:
    return c->parent_call == AL_NONE;
  }
}

static bool al_arg_rules_ok(const al_facts *f, uint32_t i) {
  const al_arg *a = &f->args.items[i];
  switch (a->kind) {
  case AL_ARG_CALL: // patched when the call is met
    return opt_ok(a->target, f->calls.len) && a->ref.kind == AL_REF_NONE;
  case AL_ARG_LAMBDA: // patched when the lambda is met
    return opt_ok(a->target, f->scopes.len) && a->ref.kind == AL_REF_NONE;
  case AL_ARG_REF:
  case AL_ARG_ELEMENT:
    return a->target == AL_NONE;
  default: // LITERAL, STARRED, OTHER (al_arg_text relies on it)
    return a->target == AL_NONE && a->ref.kind == AL_REF_NONE;
  }
}

static bool al_binding_rules_ok(const al_facts *f, uint32_t i) {
  const al_binding *b = &f->binds.items[i];
  switch (b->kind) {
  case AL_BIND_FUNCTION: {
    if (!idx_ok(b->target, f->scopes.len) || b->value_ref != AL_NONE)
      return false;
    uint8_t k = f->scopes.items[b->target].kind;
    return k == AL_SCOPE_FUNCTION || k == AL_SCOPE_ASYNC_FUNCTION;
  }
  case AL_BIND_CLASS:
    return idx_ok(b->target, f->scopes.len) && b->value_ref == AL_NONE &&
           f->scopes.items[b->target].kind == AL_SCOPE_CLASS;
  case AL_BIND_IMPORT:
    return idx_ok(b->target, f->imports.len) && b->value_ref == AL_NONE;
  case AL_BIND_ASSIGN:
  case AL_BIND_ATTR:
  case AL_BIND_WITH: // target: the call of the value, when it is one
    return opt_ok(b->target, f->calls.len) && opt_ok(b->value_ref, f->refs.len);
  case AL_BIND_AWAIT: // target: the awaited call (patched when it is met)
    return opt_ok(b->target, f->calls.len) && b->value_ref == AL_NONE;
  case AL_BIND_UNPACK: // target: the call; value_ref: the position
  case AL_BIND_UNPACK_AWAIT:
    return opt_ok(b->target, f->calls.len) && b->value_ref < 16;
  case AL_BIND_FOR: // target: the loop; value_ref: a tuple target's position
    return idx_ok(b->target, f->blocks.len) &&
           f->blocks.items[b->target].is_for &&
           (b->value_ref == AL_NONE || b->value_ref < 16);
  default: // PARAM, GLOBAL, OTHER, ANNOTATION
    return b->target == AL_NONE && b->value_ref == AL_NONE;
  }
}

static bool al_return_rules_ok(const al_facts *f, uint32_t i) {
  const al_return *r = &f->returns.items[i];
  switch (r->kind) {
  case AL_RET_CALL: // patched when the call is met
    return opt_ok(r->target, f->calls.len);
  case AL_RET_NAME:
    return idx_ok(r->target, f->refs.len);
  default: // NONE, LITERAL, AWAIT, OTHER
    return r->target == AL_NONE;
  }
}

static bool al_use_rules_ok(const al_facts *f, uint32_t i) {
  const al_use *u = &f->uses.items[i];
  // No enclosing block: [0, UINT32_MAX).
  bool block = u->block_start <= u->block_end &&
               (u->block_end <= f->text_len ||
                (u->block_start == 0 && u->block_end == UINT32_MAX));
  // A try part comes with where its statement starts, inside the text.
  bool try_site = u->try_part == AL_TRY_NONE ? u->try_start == AL_NONE
                                             : u->try_start < f->text_len;
  // The attribute's hash (never 0) with ATTRIBUTE only; COMPARED with
  // OPERAND only.
  bool attr = (u->ctx == AL_CTX_ATTRIBUTE) == (u->attr_hash != 0);
  bool flags = !(u->flags & ~AL_USE_COMPARED) &&
               (!(u->flags & AL_USE_COMPARED) || u->ctx == AL_CTX_OPERAND);
  return block && try_site && attr && flags &&
         arg_parent_ok(u->ctx, u->parent_call, f->calls.len);
}

static bool al_comp_rules_ok(const al_facts *f, uint32_t i) {
  const al_comp *c = &f->comps.items[i];
  return arg_parent_ok(c->ctx, c->parent_call, f->calls.len);
}

static bool al_attr_read_rules_ok(const al_facts *f, uint32_t i) {
  const al_attr_read *r = &f->reads.items[i];
  bool ctx = r->ctx == AL_CTX_CONDITION || r->ctx == AL_CTX_OPERAND ||
             r->ctx == AL_CTX_SUBSCRIPT || r->ctx == AL_CTX_ITER ||
             r->ctx == AL_CTX_UNPACK || r->ctx == AL_CTX_ATTRIBUTE ||
             r->ctx == AL_CTX_ARG;
  // As in al_use: the hash with ATTRIBUTE only, COMPARED with OPERAND only.
  bool attr = (r->ctx == AL_CTX_ATTRIBUTE) == (r->attr_hash != 0);
  bool flags = !(r->flags & ~AL_USE_COMPARED) &&
               (!(r->flags & AL_USE_COMPARED) || r->ctx == AL_CTX_OPERAND);
  // "name.attr": one dot, not at either end.
  const char *dot =
      r->dotted.len ? memchr(r->dotted.ptr, '.', r->dotted.len) : NULL;
  bool dotted = dot && dot > r->dotted.ptr &&
                dot < r->dotted.ptr + r->dotted.len - 1 &&
                !memchr(dot + 1, '.', r->dotted.ptr + r->dotted.len - dot - 1);
  return ctx && attr && flags && dotted &&
         arg_parent_ok(r->ctx, r->parent_call, f->calls.len);
}

// Comments in source order (suppress/noqa.c binary-searches them by row),
// each inside the text.
static bool al_comment_rules_ok(const al_facts *f, uint32_t i) {
  const al_comment *c = &f->comments.items[i];
  if (c->byte > f->text_len || c->text.len > f->text_len - c->byte ||
      c->col > c->byte)
    return false;
  const al_comment *prev = i ? &f->comments.items[i - 1] : NULL;
  return !prev || (c->row >= prev->row && c->byte > prev->byte);
}

// A further guard: a parameter of its call's function, other than the
// call's first guard (which exists), the records in call order.
static bool al_guard_rules_ok(const al_facts *f, uint32_t i) {
  const al_guard *g = &f->guards.items[i];
  const al_call *c = &f->calls.items[g->call];
  const al_binding *b = &f->binds.items[g->bind];
  return c->guard != AL_NONE && c->guard != g->bind &&
         b->kind == AL_BIND_PARAM && b->scope == c->scope &&
         (i == 0 || f->guards.items[i - 1].call <= g->call);
}

// Records whose fields are all checked on their own (refs: base_call is
// only read for ON_CALL, CALLED and CALL_VALUE, but extraction leaves it
// AL_NONE or a call everywhere, which the OPT kind checks).
#define NO_RULES(type)                                                         \
  static bool type##_rules_ok(const al_facts *f, uint32_t i) {                 \
    (void)f;                                                                   \
    (void)i;                                                                   \
    return true;                                                               \
  }
NO_RULES(al_ref)
NO_RULES(al_import)
NO_RULES(al_async_site)

// Only a comprehension's clause names its comprehension and a target.
static bool al_block_site_rules_ok(const al_facts *f, uint32_t i) {
  const al_block_site *b = &f->blocks.items[i];
  // `async` (when present) comes before the keyword itself.
  if (b->word < b->keyword.start_byte || b->word > f->text_len ||
      (!b->is_async && b->word != b->keyword.start_byte))
    return false;
  return b->comprehension || (b->comp == AL_NONE && b->target.len == 0);
}
NO_RULES(al_annot) // the trees are checked together: annots_valid

// The annotation trees as al_extract__annot makes them: each root's
// subtree inside the vector and made of CHILD records, each child's
// subtree inside its root's; a root names its owner (a binding, or a
// function scope for a return annotation); leaves have no subtree; roots
// in source order, so their owners never go back (by role).
static bool annots_valid(const al_facts *f) {
  uint32_t root_end = 0; // last record of the current root's subtree
  bool in_root = false;
  for (uint32_t i = 0; i < f->annots.len; i++) {
    const al_annot *a = &f->annots.items[i];
    if (a->n > f->annots.len - 1 - i)
      return false;
    bool leaf = a->kind != AL_ANNOT_SUBSCRIPT && a->kind != AL_ANNOT_UNION;
    if (leaf && a->n != 0)
      return false;
    if ((a->kind == AL_ANNOT_NAME || a->kind == AL_ANNOT_SUBSCRIPT) &&
        a->name.len == 0)
      return false;
    if (in_root && i <= root_end) {
      if (a->role != AL_ANNOT_CHILD || a->owner != AL_NONE ||
          a->n > root_end - i)
        return false;
      continue;
    }
    switch (a->role) {
    case AL_ANNOT_BINDING:
    case AL_ANNOT_ALIAS:
      if (!idx_ok(a->owner, f->binds.len))
        return false;
      break;
    case AL_ANNOT_RETURN:
      if (!idx_ok(a->owner, f->scopes.len) ||
          (f->scopes.items[a->owner].kind != AL_SCOPE_FUNCTION &&
           f->scopes.items[a->owner].kind != AL_SCOPE_ASYNC_FUNCTION))
        return false;
      break;
    default:
      return false;
    }
    in_root = true;
    root_end = i + a->n;
  }
  return true;
}

// The line map as al_linemap_build makes it: offsets increasing and inside
// the text, each sequence's extra bytes (the step of extra_sum, at most 3:
// fewer when the text ends inside it) inside the text too and not
// overlapping the next sequence; report/position.c binary-searches it.
static bool linemap_valid(const al_facts *f) {
  uint32_t next = 0, extra = 0; // first offset allowed, extra_sum so far
  for (uint32_t i = 0; i < f->lines.wide.len; i++) {
    const al_wide_char *w = &f->lines.wide.items[i];
    if (w->offset < next || w->offset >= f->text_len || w->extra_sum < extra ||
        w->extra_sum - extra > 3 ||
        w->extra_sum - extra >= f->text_len - w->offset)
      return false;
    next = w->offset + (w->extra_sum - extra) + 1;
    extra = w->extra_sum;
  }
  return true;
}

// Row starts as al_linemap_build makes them: strictly increasing (each is
// past a '\n', so never 0) and at most the text's length (a text ending in
// '\n' starts an empty last row there); al_linemap_row binary-searches them.
static bool rows_valid(const al_facts *f) {
  uint32_t prev = 0;
  for (uint32_t i = 0; i < f->lines.rows.len; i++) {
    uint32_t start = f->lines.rows.items[i];
    if (start <= prev || start > f->text_len)
      return false;
    prev = start;
  }
  return true;
}

bool al_facts_valid(const al_facts *f) {
  const al_facts *x = f;
  if (!(true AL_FACTS_SCALARS(CHECK_FIELD)))
    return false;
  // The rules print these with %s.
  if ((f->unreadable && !f->problem) || (f->syntax_error && !f->error_message))
    return false;
  if (f->import_at != AL_NONE && f->import_at > f->text_len)
    return false;
  // A file that was read always has its module scope (made before parsing).
  if (!f->unreadable && f->scopes.len == 0)
    return false;
    // One pass over each vector: a record's fields, then its rules.
#define ALL_OK(vector, type, fields)                                           \
  for (uint32_t i = 0; i < f->vector.len; i++)                                 \
    if (!type##_fields_ok(f, &f->vector.items[i]) || !type##_rules_ok(f, i))   \
      return false;
  AL_FACTS_RECORDS(ALL_OK)
#undef ALL_OK
  return annots_valid(f) && linemap_valid(f) && rows_valid(f);
}
