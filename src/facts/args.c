// SPDX-License-Identifier: MIT
/*
 * The arguments of calls: each argument is recorded when the walk reaches
 * it (before anything inside it, so that a call or lambda there can find
 * its argument record), kept pending while its call's frame is on the
 * stack, and moved to the facts, contiguous, when the call leaves; the
 * names listed in a call's list, tuple or set arguments follow as ELEMENT
 * records.
 */
#include "facts/extract_p.h"

// Only the call's own arguments are pending above its base: no other call is
// open between an argument and its call. The walk is inside the argument
// recorded last, so the search starts there: O(1), where a search from
// the first argument made a call with n call arguments cost O(n^2).
uint32_t al_extract__find_arg(al_extractor *x, uint32_t call_frame,
                              uint32_t start, uint32_t end) {
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

// The AL_ARGF_MODE* flags of a string literal's text ("'rb'"): a file
// mode is one of r, w, a, x with b, t, + (U, long gone, is refused).
static uint8_t mode_flags(al_str t) {
  if (t.len < 3 || t.len > 6 || (t.ptr[0] != '"' && t.ptr[0] != '\'') ||
      t.ptr[t.len - 1] != t.ptr[0])
    return 0;
  unsigned access = 0, binary = 0, text = 0, plus = 0, read = 0;
  for (size_t i = 1; i + 1 < t.len; i++) {
    switch (t.ptr[i]) {
    case 'r':
      read = 1;
      access++;
      break;
    case 'w':
    case 'a':
    case 'x':
      access++;
      break;
    case 'b':
      binary++;
      break;
    case 't':
      text++;
      break;
    case '+':
      plus++;
      break;
    default:
      return 0;
    }
  }
  if (access != 1 || binary + text > 1 || plus > 1)
    return 0;
  return (uint8_t)(AL_ARGF_MODE | (binary ? AL_ARGF_MODE_BINARY : 0) |
                   (plus ? AL_ARGF_MODE_UPDATE : 0) |
                   (read ? AL_ARGF_MODE_READ : 0));
}

// A decimal integer literal other than zero ("1", "10", "1_000").
static bool is_nonzero_decimal(al_str t) {
  bool nonzero = false;
  for (size_t i = 0; i < t.len; i++) {
    if (t.ptr[i] == '_')
      continue;
    if (t.ptr[i] < '0' || t.ptr[i] > '9')
      return false;
    nonzero |= t.ptr[i] != '0';
  }
  return nonzero;
}

// Record node n, a named child of the argument list of the call whose
// frame is call (or the call's lone generator-expression argument).
void al_extract__record_arg(al_extractor *x, frame *call, TSNode n, al_kind k) {
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
  v = al_node_unparen(v);
  a->span = span_of(v);
  al_kind vk = al_node_kind(v);
  switch (vk) {
  case AL_K_IDENTIFIER:
  case AL_K_ATTRIBUTE:
    a->ref = al_extract__ref(x, v);
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
      if (vk == AL_K_STRING && a->span.end_byte - a->span.start_byte <= 6)
        a->flags |= mode_flags(al_node_text(v, x->text));
    } else if (a->span.end_byte - a->span.start_byte <= 96) {
      al_str t = al_node_text(v, x->text);
      a->ref.dotted = copy_str(x, t.ptr, t.len); // al_arg_text
    }
    break;
  }
  if (vk == AL_K_FALSE || vk == AL_K_NONE ||
      (vk == AL_K_INTEGER && al_str_eq_c(al_node_text(v, x->text), "0")))
    a->flags |= AL_ARGF_FALSY;
  else if (vk == AL_K_TRUE ||
           (vk == AL_K_INTEGER && is_nonzero_decimal(al_node_text(v, x->text))))
    a->flags |= AL_ARGF_TRUTHY;
}

// A call's frame leaves: its pending arguments become facts, then the
// names listed in its first container arguments (ELEMENT records).
void al_extract__flush_args(al_extractor *x, const frame *f) {
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
      TSNode el = al_node_unparen(ts_node_named_child(container, e));
      al_kind ek = al_node_kind(el);
      if (ek != AL_K_IDENTIFIER && ek != AL_K_ATTRIBUTE)
        continue;
      al_arg a = {.kind = AL_ARG_ELEMENT, .target = AL_NONE};
      a.ref = al_extract__ref(x, el);
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

void al_extract__lambda_arg(al_extractor *x, frame *f) {
  // A lambda passed as an argument: point the arg record at its scope.
  ctx_info ci = al_extract__classify(x, x->stack.len - 1);
  if (ci.ctx != AL_CTX_ARG)
    return;
  uint32_t a =
      al_extract__find_arg(x, ci.parent_frame, ts_node_start_byte(f->node),
                           ts_node_end_byte(f->node));
  if (a != AL_NONE && x->argbuf.items[a].arg.kind == AL_ARG_LAMBDA)
    x->argbuf.items[a].arg.target = f->inner;
}
