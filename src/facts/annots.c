// SPDX-License-Identifier: MIT
/*
 * Annotations: the `type` of a parameter, of an annotated assignment, of a
 * function's return, and the value of a module-level type alias, recorded
 * as small preorder trees of al_annot records (facts.h). Dotted names,
 * subscripts (`Optional[X]`, `typing.Annotated[X, ...]`), `|` unions and
 * `None` keep their shape; anything else is OTHER. A string annotation
 * ("httpx.AsyncClient", "Optional[Client]") is parsed by a small bounded
 * parser of dotted names, brackets, commas and `|` into the same records
 * (malformed: OTHER). What the names mean is the index's business
 * (model/types.c). Depth and width are bounded, so a pathological
 * annotation costs a few records at most; nothing here uses the auxiliary
 * walk (callers iterate with it).
 */
#include <string.h>

#include "facts/extract_p.h"

// Nesting kept (deeper parts become OTHER) and children kept per subscript.
#define ANNOT_DEPTH 4
#define ANNOT_WIDTH 8
// String annotations longer than this are OTHER.
#define ANNOT_STRING_MAX 160

static uint32_t push_annot(al_extractor *x, al_annot_kind kind, al_str name) {
  al_annot *a = vec_grow1(&x->facts->annots);
  a->name = name;
  a->owner = AL_NONE;
  a->n = 0;
  a->kind = (uint8_t)kind;
  a->role = AL_ANNOT_CHILD;
  return x->facts->annots.len - 1;
}

// Close record i: its subtree is everything pushed after it.
static void close_annot(al_extractor *x, uint32_t i) {
  x->facts->annots.items[i].n = x->facts->annots.len - 1 - i;
}

static bool node_is(TSNode n, const char *type) {
  return strcmp(ts_node_type(n), type) == 0;
}

// The last component of a dotted name.
static al_str last_part(al_str d) {
  size_t i = d.len;
  while (i > 0 && d.ptr[i - 1] != '.')
    i--;
  return (al_str){d.ptr + i, d.len - i};
}

static bool among(al_str s, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (al_str_eq_c(s, names[i]))
      return true;
  return false;
}

// How many children of a subscript the index reads, by its head's last
// component: Union's, Coroutine's and Generator's all (a Generator's
// first is what a @contextmanager enters, its third what an __await__
// gives), a mapping's two (keys, values), Optional's, Annotated's and
// their kin's the first (the iterators', collections' and context
// managers' too: what a loop takes, what a @contextmanager enters), any
// other generic class's none (`Counter[str]` is a Counter).
static uint32_t children_read(al_str head) {
  static const char *const all[] = {"Union", "Coroutine", "tuple", "Tuple",
                                    "Generator"};
  static const char *const first[] = {"Optional",
                                      "Annotated",
                                      "ClassVar",
                                      "Final",
                                      "Required",
                                      "NotRequired",
                                      "ReadOnly",
                                      "Type",
                                      "type",
                                      "Awaitable",
                                      "AsyncIterator",
                                      "Iterator",
                                      "AsyncGenerator",
                                      "AsyncContextManager",
                                      "ContextManager",
                                      "list",
                                      "List",
                                      "Sequence",
                                      "MutableSequence",
                                      "Iterable",
                                      "AsyncIterable",
                                      "Collection",
                                      "set",
                                      "Set",
                                      "frozenset",
                                      "FrozenSet",
                                      "deque",
                                      "Deque",
                                      "Queue",
                                      "LifoQueue",
                                      "PriorityQueue",
                                      "SimpleQueue"};
  // Mappings: the keys' and the values' types (`.items()`, `.values()`).
  static const char *const two[] = {
      "dict",        "Dict",        "Mapping",    "MutableMapping",
      "DefaultDict", "defaultdict", "OrderedDict"};
  al_str last = last_part(head);
  if (among(last, all, sizeof all / sizeof *all))
    return ANNOT_WIDTH;
  // Callable[[args], R]: R says whether a call gives an awaitable.
  if (among(last, two, sizeof two / sizeof *two) ||
      al_str_eq(last, AL_STR_LIT("Callable")))
    return 2;
  return among(last, first, sizeof first / sizeof *first) ? 1 : 0;
}

// Names whose values no rule asks about (scalars, Any, the typing
// containers, the wrappers by themselves): an annotation made only of
// them is not recorded.
static bool says_nothing(al_str name) {
  static const char *const names[] = {
      "str",      "int",      "float",     "bool",    "bytes",    "object",
      "Any",      "complex",  "bytearray", "Dict",    "List",     "Tuple",
      "Set",      "Callable", "Literal",   "Mapping", "Sequence", "dict",
      "tuple",    "set",      "frozenset", "Union",   "Optional", "Annotated",
      "ClassVar", "Final",    "Type",      "type",    "NoReturn", "Never"};
  return among(last_part(name), names, sizeof names / sizeof *names);
}

// Keep only the children of subscript `me` (the last subtree built) that
// the index reads.
static void trim_children(al_extractor *x, uint32_t me) {
  uint32_t keep = children_read(x->facts->annots.items[me].name);
  uint32_t c = me + 1;
  for (uint32_t k = 0; c < x->facts->annots.len && k < keep; k++)
    c += x->facts->annots.items[c].n + 1;
  x->facts->annots.len = c;
  x->facts->annots.items[me].n = c - 1 - me;
}

// Whether the tree at root names anything a rule may ask about.
static bool worth_keeping(const al_facts *f, uint32_t root) {
  uint32_t end = root + f->annots.items[root].n;
  for (uint32_t i = root; i <= end; i++) {
    const al_annot *a = &f->annots.items[i];
    if (a->kind != AL_ANNOT_NAME && a->kind != AL_ANNOT_SUBSCRIPT)
      continue;
    al_str last = last_part(a->name);
    if (!says_nothing(a->name) || al_str_eq_c(last, "Coroutine") ||
        al_str_eq_c(last, "Awaitable"))
      return true;
  }
  return false;
}

// --- string annotations ---

typedef struct {
  al_extractor *x;
  const char *p, *end;
  bool bad;
} sparser;

static void skip_space(sparser *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
    s->p++;
}

static bool ident_char(char c, bool first) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (!first && c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

static void s_union(sparser *s, int depth);

// NAME ('[' union (',' union)* ']')? | None
static void s_primary(sparser *s, int depth) {
  skip_space(s);
  const char *start = s->p;
  while (s->p < s->end) {
    if (!ident_char(*s->p, true)) {
      s->bad = true;
      return;
    }
    while (s->p < s->end && ident_char(*s->p, false))
      s->p++;
    if (s->p < s->end && *s->p == '.')
      s->p++;
    else
      break;
  }
  al_str name = {start, (size_t)(s->p - start)};
  if (name.len == 0 || name.ptr[name.len - 1] == '.') {
    s->bad = true;
    return;
  }
  skip_space(s);
  if (s->p < s->end && *s->p == '[') {
    s->p++;
    uint32_t me = push_annot(s->x, AL_ANNOT_SUBSCRIPT,
                             copy_str(s->x, name.ptr, name.len));
    if (depth >= ANNOT_DEPTH) {
      s->bad = true;
      return;
    }
    for (int i = 0; !s->bad; i++) {
      if (i >= ANNOT_WIDTH) {
        s->bad = true;
        return;
      }
      s_union(s, depth + 1);
      skip_space(s);
      if (s->p < s->end && *s->p == ',') {
        s->p++;
        continue;
      }
      if (s->p < s->end && *s->p == ']') {
        s->p++;
        break;
      }
      s->bad = true;
    }
    close_annot(s->x, me);
    trim_children(s->x, me);
    return;
  }
  if (al_str_eq_c(name, "None"))
    push_annot(s->x, AL_ANNOT_NONE, (al_str){0});
  else
    push_annot(s->x, AL_ANNOT_NAME, copy_str(s->x, name.ptr, name.len));
}

// primary ('|' primary)*: a union record only when there is a `|`.
static void s_union(sparser *s, int depth) {
  uint32_t first = s->x->facts->annots.len;
  s_primary(s, depth);
  skip_space(s);
  if (s->bad || s->p >= s->end || *s->p != '|')
    return;
  // Insert the union record before the first member: push it and rotate.
  uint32_t me = push_annot(s->x, AL_ANNOT_UNION, (al_str){0});
  al_annot u = s->x->facts->annots.items[me];
  memmove(&s->x->facts->annots.items[first + 1],
          &s->x->facts->annots.items[first], (me - first) * sizeof(al_annot));
  s->x->facts->annots.items[first] = u;
  for (int i = 0; s->p < s->end && *s->p == '|' && !s->bad; i++) {
    if (i >= ANNOT_WIDTH) {
      s->bad = true;
      return;
    }
    s->p++;
    s_primary(s, depth + 1);
    skip_space(s);
  }
  close_annot(s->x, first);
}

// A plain string literal's content, or false (prefixes, escapes, parts).
static bool string_content(al_extractor *x, TSNode n, al_str *out) {
  al_str t = al_node_text(n, x->text);
  size_t q = 1;
  if (t.len < 2 || (t.ptr[0] != '"' && t.ptr[0] != '\''))
    return false; // prefixed (b"", f"", r""): not an annotation we read
  if (t.len >= 6 && t.ptr[1] == t.ptr[0] && t.ptr[2] == t.ptr[0])
    q = 3;
  if (t.len < 2 * q || t.ptr[t.len - 1] != t.ptr[0])
    return false;
  *out = (al_str){t.ptr + q, t.len - 2 * q};
  return out->len <= ANNOT_STRING_MAX && !memchr(out->ptr, '\\', out->len) &&
         !memchr(out->ptr, '\n', out->len);
}

static void string_annot(al_extractor *x, TSNode n) {
  al_str body;
  uint32_t start = x->facts->annots.len;
  if (string_content(x, n, &body)) {
    sparser s = {x, body.ptr, body.ptr + body.len, false};
    s_union(&s, 0);
    skip_space(&s);
    if (!s.bad && s.p == s.end)
      return;
  }
  x->facts->annots.len = start; // malformed: one OTHER
  push_annot(x, AL_ANNOT_OTHER, (al_str){0});
}

// --- annotation expressions ---

static void expr_annot(al_extractor *x, TSNode n, int depth);

// A subscript's children: the named children of n from `from` on (a
// generic_type's are type_parameter nodes holding the types).
static void subscript_children(al_extractor *x, TSNode n, uint32_t from,
                               int depth, uint32_t head) {
  uint32_t limit = children_read(x->facts->annots.items[head].name);
  uint32_t c = limit ? ts_node_named_child_count(n) : 0, kept = 0;
  for (uint32_t i = from; i < c && kept < limit; i++) {
    TSNode ch = ts_node_named_child(n, i);
    if (al_node_kind(ch) == AL_K_COMMENT)
      continue;
    if (node_is(ch, "type_parameter")) {
      uint32_t m = ts_node_named_child_count(ch);
      for (uint32_t j = 0; j < m && kept < limit; j++, kept++)
        expr_annot(x, ts_node_named_child(ch, j), depth + 1);
      continue;
    }
    expr_annot(x, ch, depth + 1);
    kept++;
  }
}

static void name_annot(al_extractor *x, TSNode head, al_annot_kind kind) {
  al_ref r = al_extract__ref(x, head);
  if (r.kind == AL_REF_DOTTED)
    push_annot(x, kind, r.dotted);
  else
    push_annot(x, AL_ANNOT_OTHER, (al_str){0});
}

static void expr_annot(al_extractor *x, TSNode n, int depth) {
  n = al_node_unparen(n);
  if (!ts_node_is_null(n) && al_node_kind(n) == AL_K_TYPE &&
      ts_node_named_child_count(n) == 1)
    n = al_node_unparen(ts_node_named_child(n, 0));
  if (ts_node_is_null(n) || depth > ANNOT_DEPTH) {
    push_annot(x, AL_ANNOT_OTHER, (al_str){0});
    return;
  }
  al_kind k = al_node_kind(n);
  switch (k) {
  case AL_K_IDENTIFIER:
  case AL_K_ATTRIBUTE:
    name_annot(x, n, AL_ANNOT_NAME);
    return;
  case AL_K_NONE:
    push_annot(x, AL_ANNOT_NONE, (al_str){0});
    return;
  case AL_K_STRING:
    if (depth == 0 || ts_node_named_child_count(n) <= 3) {
      string_annot(x, n);
      return;
    }
    break;
  case AL_K_SUBSCRIPT: {
    TSNode head = ts_node_child_by_field_id(n, x->F->value);
    uint32_t me = x->facts->annots.len;
    name_annot(x, head, AL_ANNOT_SUBSCRIPT);
    if (x->facts->annots.items[me].kind != AL_ANNOT_SUBSCRIPT)
      return;
    subscript_children(x, n, 1, depth, me);
    close_annot(x, me);
    return;
  }
  case AL_K_BINARY_OPERATOR: {
    TSNode op = ts_node_child_by_field_id(n, x->F->operator);
    if (ts_node_is_null(op) || !node_is(op, "|"))
      break;
    uint32_t me = push_annot(x, AL_ANNOT_UNION, (al_str){0});
    expr_annot(x, ts_node_child_by_field_id(n, x->F->left), depth + 1);
    expr_annot(x, ts_node_child_by_field_id(n, x->F->right), depth + 1);
    close_annot(x, me);
    return;
  }
  default:
    if (node_is(n, "generic_type") && ts_node_named_child_count(n) >= 1) {
      uint32_t me = x->facts->annots.len;
      name_annot(x, ts_node_named_child(n, 0), AL_ANNOT_SUBSCRIPT);
      if (x->facts->annots.items[me].kind != AL_ANNOT_SUBSCRIPT)
        return;
      subscript_children(x, n, 1, depth, me);
      close_annot(x, me);
      return;
    }
    if (node_is(n, "union_type") && ts_node_named_child_count(n) == 2) {
      uint32_t me = push_annot(x, AL_ANNOT_UNION, (al_str){0});
      expr_annot(x, ts_node_named_child(n, 0), depth + 1);
      expr_annot(x, ts_node_named_child(n, 1), depth + 1);
      close_annot(x, me);
      return;
    }
    break;
  }
  push_annot(x, AL_ANNOT_OTHER, (al_str){0});
}

uint32_t al_extract__annot(al_extractor *x, TSNode type, al_annot_role role,
                           uint32_t owner) {
  if (ts_node_is_null(type))
    return AL_NONE;
  uint32_t root = x->facts->annots.len;
  expr_annot(x, type, 0);
  al_annot *a = &x->facts->annots.items[root];
  if (a->kind == AL_ANNOT_OTHER || !worth_keeping(x->facts, root)) {
    x->facts->annots.len = root; // says nothing: not worth a record
    return AL_NONE;
  }
  a->role = (uint8_t)role;
  a->owner = owner;
  return root;
}
