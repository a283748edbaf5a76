// SPDX-License-Identifier: MIT
/*
 * Types from annotations: what a value annotated `httpx.AsyncClient`,
 * `Optional[Client]`, `Annotated[asyncpg.Pool, Depends(...)]`, `"Repo" |
 * None` or a module-level alias of them is, as an al_target of the small
 * lattice resolve.c uses (an INSTANCE of a tree class or of a library class
 * by qualified name; UNKNOWN otherwise), and what awaiting a call gives.
 * Names are resolved where the annotation is written, with the typing,
 * typing_extensions and collections.abc spellings taken as one. Optional,
 * Union and `|` drop None and keep the members' common type; members that
 * disagree, Any, object and names that resolve to no class are UNKNOWN:
 * this is no type checker, and an unsure answer stays silent. Every step
 * counts against the resolution's depth budget (alias cycles end in
 * UNKNOWN). It reads facts and the catalog; it writes nothing.
 */
#include <stdio.h>
#include <string.h>

#include "model/index_p.h"

// A qualified name with its other spellings folded into typing's.
static void canon(const char *q, char *out, size_t cap) {
  static const struct {
    const char *from, *to;
    size_t len;
  } map[] = {
#define MAP(from, to) {from, to, sizeof from - 1}
      MAP("typing_extensions.", "typing."),
      MAP("collections.abc.", "typing."),
      MAP("contextlib.AbstractAsyncContextManager",
          "typing.AsyncContextManager"),
      MAP("contextlib.AbstractContextManager", "typing.ContextManager"),
      MAP("builtins.type", "typing.Type"),
#undef MAP
  };
  // Only names starting like one of them (t, c, b) are looked at.
  if (q[0] == 't' || q[0] == 'c' || q[0] == 'b') {
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
      size_t n = map[i].len;
      if (strncmp(q, map[i].from, n) == 0 &&
          (map[i].from[n - 1] == '.' || q[n] == 0)) {
        snprintf(out, cap, "%s%s", map[i].to, q + n);
        return;
      }
    }
  }
  snprintf(out, cap, "%s", q);
}

static al_target instance_named(al_str q) {
  al_target t = unknown();
  if (q.len == 0 || q.len >= AL_QUALNAME_MAX)
    return t;
  memcpy(t.qualname, q.ptr, q.len);
  t.qualname[q.len] = 0;
  t.kind = AL_TARGET_INSTANCE;
  return t;
}

// The head of an annotation: the dotted name resolved in scope, and its
// canonical qualified name when it is a library name ("" otherwise).
static al_target head_of(rctx *r, uint32_t file, uint32_t scope, al_str name,
                         char *q, size_t cap) {
  al_ref ref = {.dotted = name, .base_call = AL_NONE, .kind = AL_REF_DOTTED};
  al_target h = al_index__resolve_ref(r, file, scope, &ref);
  q[0] = 0;
  if (h.kind == AL_TARGET_EXTERNAL)
    canon(h.qualname, q, cap);
  return h;
}

static bool is(const char *q, const char *name) { return strcmp(q, name) == 0; }

// What a value of class h (its canonical name q) is.
static al_target instance_of_head(rctx *r, al_target h, const char *q) {
  if (h.kind == AL_TARGET_CLASS)
    return tree_target(AL_TARGET_INSTANCE, h.file, h.scope);
  if (h.kind != AL_TARGET_EXTERNAL)
    return unknown();
  // An alias of `Callable[..., Awaitable[X]]` (`Handler = Callable[...]`):
  // the callable itself, not an instance of it.
  if (is(q, AL_CALLABLE_AWAITABLE) || is(q, AL_CALLABLE_COROUTINE))
    return h;
  const al_catalog_entry *e = al_catalog_get(r->ix->catalog, al_str_from(q));
  // typing's and the builtins' names are types only where the catalog says
  // what their values do (typing.AsyncIterator, builtins.list); Any, object,
  // TypeAlias and an unbound name (builtins.Foo) say nothing.
  if ((strncmp(q, "typing.", 7) == 0 || strncmp(q, "builtins.", 9) == 0) && !e)
    return unknown();
  // A folded spelling (`redis.StrictRedis returns redis.Redis`,
  // `io.BufferedReader returns io.TextIOWrapper`).
  if (e && (e->facets & AL_CAT_RETURNS) &&
      !(e->facets & (AL_CAT_COROUTINE | AL_CAT_AWAITABLE)))
    return instance_named(e->returns);
  return instance_named(al_str_from(q));
}

static al_target type_of(rctx *r, uint32_t file, uint32_t scope, uint32_t a,
                         annot_wrap *wrap);

// The i-th child (0-based) of record a, or AL_NONE.
static uint32_t child_at(const al_facts *f, uint32_t a, uint32_t i) {
  uint32_t end = a + f->annots.items[a].n, c = a + 1;
  for (; c <= end; c += f->annots.items[c].n + 1)
    if (i-- == 0)
      return c;
  return AL_NONE;
}

// The common type of the children of a (a union or Union[...]), None
// dropped; UNKNOWN when one is unknown or two disagree.
static al_target union_of(rctx *r, uint32_t file, uint32_t scope, uint32_t a) {
  const al_facts *f = facts_of(r->ix, file);
  uint32_t end = a + f->annots.items[a].n;
  al_target result = unknown();
  bool have = false;
  for (uint32_t c = a + 1; c <= end; c += f->annots.items[c].n + 1) {
    if (f->annots.items[c].kind == AL_ANNOT_NONE)
      continue;
    int saved = r->depth;
    al_target t = type_of(r, file, scope, c, NULL);
    r->depth = saved;
    if (t.kind == AL_TARGET_UNKNOWN ||
        (have && !al_index__same_target(&result, &t)))
      return unknown();
    result = t;
    have = true;
  }
  return result;
}

// The class a `type[X]` names: X's class itself.
static al_target class_of(rctx *r, al_target t) {
  if (t.kind != AL_TARGET_INSTANCE)
    return unknown();
  if (t.file != AL_NONE)
    return tree_target(AL_TARGET_CLASS, t.file, t.scope);
  al_target e = unknown();
  e.kind = AL_TARGET_EXTERNAL;
  memcpy(e.qualname, t.qualname, sizeof e.qualname);
  e.entry = al_catalog_get(r->ix->catalog, al_str_from(e.qualname));
  return e;
}

static al_target subscript_type(rctx *r, uint32_t file, uint32_t scope,
                                uint32_t a, annot_wrap *wrap) {
  const al_facts *f = facts_of(r->ix, file);
  char q[AL_QUALNAME_MAX];
  al_target h = head_of(r, file, scope, f->annots.items[a].name, q, sizeof q);
  if (is(q, "typing.Union"))
    return union_of(r, file, scope, a);
  if (is(q, "typing.Optional") || is(q, "typing.Annotated") ||
      is(q, "typing.ClassVar") || is(q, "typing.Final") ||
      is(q, "typing.Required") || is(q, "typing.NotRequired") ||
      is(q, "typing.ReadOnly")) {
    uint32_t c = child_at(f, a, 0);
    return c == AL_NONE ? unknown() : type_of(r, file, scope, c, wrap);
  }
  if (is(q, "typing.Awaitable") || is(q, "typing.Coroutine")) {
    if (!wrap)
      return unknown();
    bool coro = is(q, "typing.Coroutine");
    *wrap = coro ? ANNOT_COROUTINE : ANNOT_AWAITABLE;
    uint32_t c = child_at(f, a, coro ? 2 : 0);
    return c == AL_NONE ? unknown() : type_of(r, file, scope, c, NULL);
  }
  if (is(q, "typing.Type")) {
    uint32_t c = child_at(f, a, 0);
    return c == AL_NONE ? unknown()
                        : class_of(r, type_of(r, file, scope, c, NULL));
  }
  // `Callable[[A], Awaitable[X]]`: a callable whose calls give awaitables
  // (the catalog's two names for it: catalog/typing.tsv).
  if (is(q, "typing.Callable")) {
    uint32_t ret = child_at(f, a, 1);
    annot_wrap w = ANNOT_PLAIN;
    if (ret == AL_NONE)
      return unknown();
    int saved = r->depth;
    type_of(r, file, scope, ret, &w);
    r->depth = saved;
    if (w == ANNOT_PLAIN)
      return unknown();
    const char *name =
        w == ANNOT_COROUTINE ? AL_CALLABLE_COROUTINE : AL_CALLABLE_AWAITABLE;
    al_target t = unknown();
    t.kind = AL_TARGET_EXTERNAL;
    snprintf(t.qualname, sizeof t.qualname, "%s", name);
    t.entry = al_catalog_get(r->ix->catalog, al_str_from(name));
    return t.entry ? t : unknown();
  }
  // A generic class: list[X], AsyncIterator[X], Repo[T] are their class.
  return instance_of_head(r, h, q);
}

// `Self` (PEP 673) read in scope: an instance of the class it is read in
// (a return or parameter annotation is read in the class's scope, a
// `self.x: Self` in the method's). The defining class: a subclass calling
// an inherited factory gets its base, which has the methods it inherits.
static al_target self_type(rctx *r, uint32_t file, uint32_t scope) {
  const al_facts *f = facts_of(r->ix, file);
  for (int hops = 0; hops < 2 && scope < f->scopes.len; hops++) {
    const al_scope *s = &f->scopes.items[scope];
    if (s->kind == AL_SCOPE_CLASS)
      return tree_target(AL_TARGET_INSTANCE, file, scope);
    if (s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION)
      break;
    scope = s->parent;
  }
  return unknown();
}

static al_target type_of(rctx *r, uint32_t file, uint32_t scope, uint32_t a,
                         annot_wrap *wrap) {
  if (++r->depth > MAX_DEPTH)
    return unknown();
  const al_facts *f = facts_of(r->ix, file);
  const al_annot *an = &f->annots.items[a];
  switch ((al_annot_kind)an->kind) {
  case AL_ANNOT_NAME: {
    char q[AL_QUALNAME_MAX];
    al_target h = head_of(r, file, scope, an->name, q, sizeof q);
    if (is(q, "typing.Self"))
      return self_type(r, file, scope);
    if (wrap && (is(q, "typing.Awaitable") || is(q, "typing.Coroutine"))) {
      *wrap = is(q, "typing.Coroutine") ? ANNOT_COROUTINE : ANNOT_AWAITABLE;
      return unknown(); // awaiting it gives something nothing says
    }
    return instance_of_head(r, h, q);
  }
  case AL_ANNOT_SUBSCRIPT:
    return subscript_type(r, file, scope, a, wrap);
  case AL_ANNOT_UNION:
    return union_of(r, file, scope, a);
  default: // NONE alone, OTHER
    return unknown();
  }
}

al_target al_index__annot_type(rctx *r, uint32_t file, uint32_t scope,
                               uint32_t a, annot_wrap *wrap) {
  if (wrap)
    *wrap = ANNOT_PLAIN;
  if (a == AL_NONE)
    return unknown();
  return type_of(r, file, scope, a, wrap);
}

al_target al_index__alias_type(rctx *r, uint32_t file, uint32_t scope,
                               uint32_t a) {
  const al_facts *f = facts_of(r->ix, file);
  const al_annot *an = &f->annots.items[a];
  if (an->kind == AL_ANNOT_SUBSCRIPT) {
    // Only the forms that name one type: Optional, Union, Annotated.
    char q[AL_QUALNAME_MAX];
    int saved = r->depth;
    head_of(r, file, scope, an->name, q, sizeof q);
    r->depth = saved;
    // `Handler = Callable[[E], Awaitable[None]]`: the callable it types.
    if (is(q, "typing.Callable"))
      return type_of(r, file, scope, a, NULL);
    if (!is(q, "typing.Optional") && !is(q, "typing.Union") &&
        !is(q, "typing.Annotated"))
      return unknown();
  } else if (an->kind != AL_ANNOT_UNION) {
    return unknown();
  }
  return class_of(r, type_of(r, file, scope, a, NULL));
}

bool al_index__decorators_keep_type(rctx *r, uint32_t file, uint32_t scope) {
  return al_index__getter_keeps_type(r, file, scope, false);
}

bool al_index__getter_keeps_type(rctx *r, uint32_t file, uint32_t scope,
                                 bool getter) {
  static const char *const keep[] = {
      "builtins.staticmethod",      "builtins.classmethod",
      "abc.abstractmethod",         "typing.override",
      "typing_extensions.override", "functools.cache",
      "functools.lru_cache",        "builtins.property",
      "functools.cached_property",
  };
  // The last two only for a getter: what reading the property gives.
  size_t n_keep = sizeof keep / sizeof *keep - (getter ? 0 : 2);
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[scope];
  for (uint32_t i = 0; i < s->n_decorators; i++) {
    const al_ref *d = &f->refs.items[s->first_decorator + i];
    if (d->kind != AL_REF_DOTTED && d->kind != AL_REF_CALLED)
      return false;
    al_ref plain = *d;
    plain.kind = AL_REF_DOTTED;
    int saved = r->depth;
    al_target t = al_index__resolve_ref(r, file, s->parent, &plain);
    r->depth = saved;
    bool ok = false;
    for (size_t k = 0; t.kind == AL_TARGET_EXTERNAL && k < n_keep; k++)
      ok |= strcmp(t.qualname, keep[k]) == 0;
    if (!ok)
      return false;
  }
  return true;
}

// What awaiting an instance of a tree class gives: its __await__'s
// `-> Generator[Y, S, X]` says X (aio_pika's channels, asyncpg's pool).
static al_target await_result(rctx *r, al_target inst) {
  if (inst.kind != AL_TARGET_INSTANCE || inst.file == AL_NONE ||
      ++r->depth > MAX_DEPTH)
    return unknown();
  bool found;
  al_target m = al_index__class_attr(r, inst.file, inst.scope,
                                     al_str_from("__await__"), false, &found);
  if (m.kind != AL_TARGET_FUNCTION)
    return unknown();
  uint32_t a = return_annot(r->ix, m.file, m.scope);
  const al_facts *f = facts_of(r->ix, m.file);
  if (a == AL_NONE || f->annots.items[a].kind != AL_ANNOT_SUBSCRIPT)
    return unknown();
  uint32_t scope = f->scopes.items[m.scope].parent;
  char q[AL_QUALNAME_MAX];
  head_of(r, m.file, scope, f->annots.items[a].name, q, sizeof q);
  uint32_t x = child_at(f, a, 2);
  if (!is(q, "typing.Generator") || x == AL_NONE)
    return unknown();
  return type_of(r, m.file, scope, x, NULL);
}

al_target al_index__awaited_value(rctx *r, uint32_t file, uint32_t call) {
  if (call == AL_NONE || ++r->depth > MAX_DEPTH)
    return unknown();
  al_target item = al_index__container_item(r, file, call, true);
  if (item.kind != AL_TARGET_UNKNOWN)
    return item;
  al_target c = al_index__resolve_callee(r, file, call);
  if (c.kind == AL_TARGET_EXTERNAL) {
    const al_catalog_entry *e = c.entry;
    // A task or future (`returns asyncio.Task`) is what the call gives;
    // awaiting it gives the coroutine's result, which nothing says.
    if (e && (e->facets & AL_CAT_RETURNS) &&
        (e->facets & (AL_CAT_COROUTINE | AL_CAT_AWAITABLE)) &&
        !(e->facets & AL_CAT_TASK) &&
        !al_str_eq_c(e->returns, "asyncio.Future") &&
        !al_str_eq_c(e->returns, "asyncio.Task"))
      return instance_named(e->returns);
    return unknown();
  }
  if (c.kind == AL_TARGET_CLASS) // `await Channel(...)`
    return await_result(r, tree_target(AL_TARGET_INSTANCE, c.file, c.scope));
  if (c.kind != AL_TARGET_FUNCTION)
    return unknown();
  const al_scope *s = scope_of(r->ix, c.file, c.scope);
  uint32_t a = return_annot(r->ix, c.file, c.scope);
  if (a == AL_NONE || (s->flags & AL_SCOPE_GENERATOR) ||
      !al_index__decorators_keep_type(r, c.file, c.scope))
    return unknown();
  annot_wrap wrap;
  if (s->kind == AL_SCOPE_ASYNC_FUNCTION)
    return al_index__annot_type(r, c.file, s->parent, a, NULL);
  al_target t = al_index__annot_type(r, c.file, s->parent, a, &wrap);
  // A plain def giving an awaitable object: what its __await__ gives.
  return wrap == ANNOT_PLAIN ? await_result(r, t) : t;
}

// The pos-th class of a catalog entry's `returns-items` list.
static al_target item_at(al_str items, uint32_t pos) {
  const char *p = items.ptr, *end = items.ptr + items.len;
  for (; pos > 0 && p < end; pos--) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    if (!comma)
      return unknown();
    p = comma + 1;
  }
  const char *comma = memchr(p, ',', (size_t)(end - p));
  return instance_named((al_str){p, (size_t)((comma ? comma : end) - p)});
}

al_target al_index__unpacked_value(rctx *r, uint32_t file, uint32_t call,
                                   uint32_t pos, bool awaited) {
  if (call == AL_NONE || ++r->depth > MAX_DEPTH)
    return unknown();
  al_target c = al_index__resolve_callee(r, file, call);
  if (c.kind == AL_TARGET_EXTERNAL) {
    const al_catalog_entry *e = c.entry;
    if (!e || !(e->facets & AL_CAT_RETURNS_ITEMS) ||
        awaited != ((e->facets & (AL_CAT_COROUTINE | AL_CAT_AWAITABLE)) != 0))
      return unknown();
    return item_at(e->items, pos);
  }
  if (c.kind != AL_TARGET_FUNCTION)
    return unknown();
  const al_scope *s = scope_of(r->ix, c.file, c.scope);
  uint32_t a = return_annot(r->ix, c.file, c.scope);
  if (a == AL_NONE || (s->flags & AL_SCOPE_GENERATOR) ||
      awaited != (s->kind == AL_SCOPE_ASYNC_FUNCTION) ||
      !al_index__decorators_keep_type(r, c.file, c.scope))
    return unknown();
  // `-> tuple[Reader, Writer]` (or typing.Tuple); `tuple[X, ...]`: all X.
  const al_facts *f = facts_of(r->ix, c.file);
  if (f->annots.items[a].kind != AL_ANNOT_SUBSCRIPT)
    return unknown();
  char q[AL_QUALNAME_MAX];
  head_of(r, c.file, s->parent, f->annots.items[a].name, q, sizeof q);
  if (!is(q, "builtins.tuple") && !is(q, "typing.Tuple"))
    return unknown();
  uint32_t second = child_at(f, a, 1);
  if (second != AL_NONE && f->annots.items[second].kind == AL_ANNOT_OTHER)
    pos = 0;
  uint32_t ch = child_at(f, a, pos);
  return ch == AL_NONE ? unknown()
                       : al_index__annot_type(r, c.file, s->parent, ch, NULL);
}

al_target al_index__agree(al_target a, al_target b) {
  if (a.kind == AL_TARGET_UNKNOWN)
    return b;
  if (b.kind == AL_TARGET_UNKNOWN || al_index__same_target(&a, &b))
    return a;
  return unknown();
}

// What plain def (file, scope)'s return annotation says it returns:
// ANNOT_COROUTINE for `-> Coroutine[...]`, ANNOT_AWAITABLE for
// `-> Awaitable[...]` (any spelling), else ANNOT_PLAIN.
// A getter's decorators are checked by its caller (getter: true).
static annot_wrap annotated_wrap(rctx *r, uint32_t file, uint32_t scope,
                                 bool getter) {
  const al_scope *s = scope_of(r->ix, file, scope);
  uint32_t a = return_annot(r->ix, file, scope);
  if (a == AL_NONE || s->kind != AL_SCOPE_FUNCTION ||
      (s->flags & AL_SCOPE_GENERATOR))
    return ANNOT_PLAIN;
  // Cheap test first: the head's last component, or a file importing
  // them under another name (`from typing import Awaitable as Aw`).
  al_str head = facts_of(r->ix, file)->annots.items[a].name;
  if (!fi_at(r->ix, file)->awaitable_alias &&
      !(head.len >= 9 &&
        memcmp(head.ptr + head.len - 9, "Coroutine", 9) == 0) &&
      !(head.len >= 9 && memcmp(head.ptr + head.len - 9, "Awaitable", 9) == 0))
    return ANNOT_PLAIN;
  annot_wrap wrap;
  int saved = r->depth;
  al_index__annot_type(r, file, s->parent, a, &wrap);
  if (wrap != ANNOT_PLAIN && !getter &&
      !al_index__decorators_keep_type(r, file, scope))
    wrap = ANNOT_PLAIN;
  r->depth = saved;
  return wrap;
}

bool al_index__annotated_coroutine(rctx *r, uint32_t file, uint32_t scope) {
  return annotated_wrap(r, file, scope, false) == ANNOT_COROUTINE;
}

bool al_index_returns_awaitable(const al_index *self, al_target t) {
  if (t.kind != AL_TARGET_FUNCTION)
    return false;
  rctx r = {.ix = self, .build = NULL};
  return annotated_wrap(&r, t.file, t.scope, false) == ANNOT_AWAITABLE;
}

al_target al_index__entered_type(rctx *r, uint32_t file, uint32_t scope,
                                 bool *annotated) {
  *annotated = false;
  uint32_t a = return_annot(r->ix, file, scope);
  const al_facts *f = facts_of(r->ix, file);
  if (a == AL_NONE || f->annots.items[a].kind != AL_ANNOT_SUBSCRIPT)
    return unknown();
  char q[AL_QUALNAME_MAX];
  const al_scope *s = &f->scopes.items[scope];
  int saved = r->depth;
  head_of(r, file, s->parent, f->annots.items[a].name, q, sizeof q);
  r->depth = saved;
  if (!is(q, "typing.AsyncContextManager") && !is(q, "typing.ContextManager") &&
      !is(q, "typing.AsyncIterator") && !is(q, "typing.Iterator") &&
      !is(q, "typing.AsyncGenerator") && !is(q, "typing.Generator"))
    return unknown();
  // A generator annotated so enters what it yields only as a context
  // manager; the annotation is what entering gives either way.
  *annotated = true;
  uint32_t c = child_at(f, a, 0);
  return c == AL_NONE ? unknown() : type_of(r, file, s->parent, c, NULL);
}

// What a loop over a value annotated by annots[a] (read in scope) takes:
// the element of a list, sequence, set, iterable or iterator; through
// Optional and Annotated.
static al_target element_of(rctx *r, uint32_t file, uint32_t scope,
                            uint32_t a) {
  static const char *const collections[] = {
      "builtins.list",     "typing.List",
      "typing.Sequence",   "typing.MutableSequence",
      "typing.Iterable",   "typing.AsyncIterable",
      "typing.Iterator",   "typing.AsyncIterator",
      "typing.Generator",  "typing.AsyncGenerator",
      "typing.Collection", "builtins.set",
      "typing.Set",        "builtins.frozenset",
      "typing.FrozenSet",  "collections.deque",
      "typing.Deque"};
  const al_facts *f = facts_of(r->ix, file);
  for (int hops = 0; hops < 4 && a != AL_NONE; hops++) {
    if (f->annots.items[a].kind != AL_ANNOT_SUBSCRIPT || ++r->depth > MAX_DEPTH)
      return unknown();
    char q[AL_QUALNAME_MAX];
    head_of(r, file, scope, f->annots.items[a].name, q, sizeof q);
    uint32_t c = child_at(f, a, 0);
    if (is(q, "typing.Optional") || is(q, "typing.Annotated")) {
      a = c;
      continue;
    }
    for (size_t i = 0; i < sizeof collections / sizeof *collections; i++)
      if (is(q, collections[i]))
        return c == AL_NONE ? unknown() : type_of(r, file, scope, c, NULL);
    return unknown();
  }
  return unknown();
}

// The one binding a plain name has where it is read (its scope, or an
// enclosing function's or the module's); AL_NONE when it has none or
// several there.
static uint32_t single_binding(rctx *r, uint32_t file, uint32_t scope,
                               al_str name) {
  const al_facts *f = facts_of(r->ix, file);
  const file_index *fi = fi_at(r->ix, file);
  bool first = true;
  for (uint32_t cur = scope; cur != AL_NONE;
       cur = f->scopes.items[cur].parent, first = false) {
    if (!first && f->scopes.items[cur].kind == AL_SCOPE_CLASS)
      continue;
    uint32_t g;
    uint32_t n =
        find_group(f, fi->groups, fi->groups_mask, false, cur, name, &g);
    if (n == 0)
      continue;
    return n == 1 ? fi->order[g] : AL_NONE;
  }
  return AL_NONE;
}

// The annotation of the one binding a plain name has where it is read,
// and the scope to read it in; AL_NONE when the name has no such single
// binding or it is not annotated.
static uint32_t name_annotation(rctx *r, uint32_t file, uint32_t scope,
                                al_str name, uint32_t *in_scope) {
  uint32_t bind = single_binding(r, file, scope, name);
  if (bind == AL_NONE)
    return AL_NONE;
  const al_facts *f = facts_of(r->ix, file);
  const al_binding *b = &f->binds.items[bind];
  uint32_t a = bind_annot(r->ix, file, bind);
  if (a == AL_NONE || f->annots.items[a].role != AL_ANNOT_BINDING)
    return AL_NONE;
  *in_scope =
      b->kind == AL_BIND_PARAM ? f->scopes.items[b->scope].parent : b->scope;
  return a;
}

// What iterating a name bound (once) to a list or set comprehension or a
// generator expression gives: the value of its element when that is a
// call (`jobs = [Job(u) for u in urls]` holds Job instances).
static al_target comp_element(rctx *r, uint32_t file, uint32_t bind) {
  const al_facts *f = facts_of(r->ix, file);
  if (bind == AL_NONE || f->binds.items[bind].kind != AL_BIND_ASSIGN)
    return unknown();
  for (uint32_t c = 0; c < f->comps.len; c++) {
    const al_comp *cp = &f->comps.items[c];
    if (cp->binding != bind || cp->kind == AL_COMP_DICT)
      continue;
    // `[j for j in jobs if j.ready]`: the element is a clause's target,
    // so the elements are the clause's.
    if (cp->element.len) {
      bool found = false;
      al_target t = al_index__comp_target(
          r, file, cp->scope, cp->span.start_byte + 1, cp->element, &found);
      return found ? t : unknown();
    }
    // The element call: in source order, the first call inside the
    // comprehension whose context is its element.
    uint32_t lo = 0, hi = f->calls.len;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (f->calls.items[mid].span.start_byte < cp->span.start_byte)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < f->calls.len &&
           f->calls.items[lo].span.start_byte < cp->span.end_byte;
         lo++) {
      const al_call *call = &f->calls.items[lo];
      if (call->ctx == AL_CTX_COMPREHENSION && call->parent_call == c)
        return al_index__call_value(r, file, lo);
    }
    return unknown();
  }
  return unknown();
}

// The annotation that declares attribute `name` of tree class (file, cls):
// a class-level `name: T` or `name: T = v`, else the one annotated
// `self.name: T = v` of its methods; AL_NONE when there is none, or more
// than one (bases are not looked at: unknown).
static uint32_t field_annotation(rctx *r, uint32_t file, uint32_t cls,
                                 al_str name) {
  const al_facts *f = facts_of(r->ix, file);
  const file_index *fi = fi_at(r->ix, file);
  uint32_t g;
  uint32_t n = find_group(f, fi->groups, fi->groups_mask, false, cls, name, &g);
  if (n)
    return n == 1 ? bind_annot(r->ix, file, fi->order[g]) : AL_NONE;
  n = find_group(f, fi->attr_groups, fi->attr_groups_mask, true, cls, name, &g);
  uint32_t found = AL_NONE;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t a = bind_annot(r->ix, file, fi->attrs[g + i]);
    if (a == AL_NONE)
      continue;
    if (found != AL_NONE)
      return AL_NONE;
    found = a;
  }
  if (found != AL_NONE || n != 1)
    return found;
  // `self.jobs = jobs` alone, jobs an annotated parameter of the method:
  // the parameter's annotation.
  const al_binding *b = &f->binds.items[fi->attrs[g]];
  if (b->value_ref == AL_NONE)
    return AL_NONE;
  const al_ref *v = &f->refs.items[b->value_ref];
  if (v->kind != AL_REF_DOTTED || memchr(v->dotted.ptr, '.', v->dotted.len))
    return AL_NONE;
  uint32_t p = single_binding(r, file, b->scope, v->dotted);
  if (p == AL_NONE || f->binds.items[p].kind != AL_BIND_PARAM ||
      f->binds.items[p].scope != b->scope)
    return AL_NONE;
  return bind_annot(r->ix, file, p);
}

// The annotation of a receiver written NAME or OBJ.attr where it is read
// (file, scope): the annotation, in *ann_file, to read in *in_scope;
// AL_NONE when it has none.
static uint32_t ref_annotation(rctx *r, uint32_t file, uint32_t scope,
                               al_str dotted, uint32_t *ann_file,
                               uint32_t *in_scope) {
  const char *dot = memchr(dotted.ptr, '.', dotted.len);
  *ann_file = file;
  if (!dot)
    return name_annotation(r, file, scope, dotted, in_scope);
  if (memchr(dot + 1, '.', dotted.len - (size_t)(dot + 1 - dotted.ptr)))
    return AL_NONE;
  al_ref obj = {.dotted = {dotted.ptr, (size_t)(dot - dotted.ptr)},
                .base_call = AL_NONE,
                .kind = AL_REF_DOTTED};
  al_target t = al_index__resolve_ref(r, file, scope, &obj);
  if (t.kind != AL_TARGET_INSTANCE || t.file == AL_NONE)
    return AL_NONE;
  al_str name = {dot + 1, dotted.len - (size_t)(dot + 1 - dotted.ptr)};
  uint32_t a = field_annotation(r, t.file, t.scope, name);
  const al_facts *f = facts_of(r->ix, t.file);
  if (a == AL_NONE || f->annots.items[a].role != AL_ANNOT_BINDING)
    return AL_NONE;
  // A class-level annotation's names are read in the class's scope, a
  // method's `self.x: T` in the method's.
  *ann_file = t.file;
  *in_scope = f->binds.items[f->annots.items[a].owner].scope;
  return a;
}

// What iterating the value a name or `OBJ.attr` refers to gives.
static al_target element_of_ref(rctx *r, uint32_t file, uint32_t scope,
                                const al_ref *ref) {
  if (ref->kind != AL_REF_DOTTED)
    return unknown();
  uint32_t ann_file, in_scope;
  uint32_t a =
      ref_annotation(r, file, scope, ref->dotted, &ann_file, &in_scope);
  if (a != AL_NONE)
    return element_of(r, ann_file, in_scope, a);
  if (memchr(ref->dotted.ptr, '.', ref->dotted.len))
    return unknown();
  return comp_element(r, file, single_binding(r, file, scope, ref->dotted));
}

// Part `which` (0: keys, 1: values) of a mapping annotation (dict, Dict,
// Mapping, defaultdict, ...; Optional and Annotated seen through).
static al_target mapping_part(rctx *r, uint32_t file, uint32_t scope,
                              uint32_t a, uint32_t which) {
  static const char *const mappings[] = {
      "builtins.dict",           "typing.Dict",
      "typing.Mapping",          "typing.MutableMapping",
      "typing.DefaultDict",      "collections.defaultdict",
      "collections.OrderedDict", "typing.OrderedDict"};
  const al_facts *f = facts_of(r->ix, file);
  for (int hops = 0; hops < 4 && a != AL_NONE; hops++) {
    if (f->annots.items[a].kind != AL_ANNOT_SUBSCRIPT || ++r->depth > MAX_DEPTH)
      return unknown();
    char q[AL_QUALNAME_MAX];
    head_of(r, file, scope, f->annots.items[a].name, q, sizeof q);
    if (is(q, "typing.Optional") || is(q, "typing.Annotated")) {
      a = child_at(f, a, 0);
      continue;
    }
    for (size_t i = 0; i < sizeof mappings / sizeof *mappings; i++)
      if (is(q, mappings[i])) {
        uint32_t c = child_at(f, a, which);
        return c == AL_NONE ? unknown() : type_of(r, file, scope, c, NULL);
      }
    return unknown();
  }
  return unknown();
}

al_target al_index__subscript_item(rctx *r, uint32_t file, uint32_t scope,
                                   al_str prefix) {
  uint32_t ann_file, in_scope;
  if (++r->depth > MAX_DEPTH)
    return unknown();
  uint32_t a = ref_annotation(r, file, scope, prefix, &ann_file, &in_scope);
  if (a == AL_NONE)
    return unknown();
  al_target v = mapping_part(r, ann_file, in_scope, a, 1);
  return v.kind != AL_TARGET_UNKNOWN ? v : element_of(r, ann_file, in_scope, a);
}

// A method call `RECV.method(...)` whose receiver (a name or `OBJ.attr`)
// is annotated: the annotation (AL_NONE otherwise), in *ann_file to read
// in *in_scope, and the method's name.
static uint32_t receiver_annotation(rctx *r, uint32_t file, const al_call *c,
                                    al_str *method, uint32_t *ann_file,
                                    uint32_t *in_scope) {
  al_str d = c->callee.dotted;
  size_t dot = al_str_last_part(d);
  if (c->callee.kind != AL_REF_DOTTED || dot < 2)
    return AL_NONE;
  *method = (al_str){d.ptr + dot, d.len - dot};
  return ref_annotation(r, file, c->scope, (al_str){d.ptr, dot - 1}, ann_file,
                        in_scope);
}

// Iterating `M.keys()`, `M.values()` or `M.items()` (item `pos` of each
// pair; AL_NONE: a single target) on a mapping M typed by its annotation.
static al_target mapping_view(rctx *r, uint32_t file, const al_call *c,
                              uint32_t pos) {
  // The method's name first: no resolution for any other call.
  al_str method = al_deps_call_name(c);
  uint32_t which, ann_file, in_scope;
  if (c->n_args != 0)
    return unknown();
  if (al_str_eq_c(method, "values") && pos == AL_NONE)
    which = 1;
  else if (al_str_eq_c(method, "keys") && pos == AL_NONE)
    which = 0;
  else if (al_str_eq_c(method, "items") && pos != AL_NONE && pos < 2)
    which = pos;
  else
    return unknown();
  uint32_t a = receiver_annotation(r, file, c, &method, &ann_file, &in_scope);
  return a == AL_NONE ? unknown()
                      : mapping_part(r, ann_file, in_scope, a, which);
}

// What a method of a typed container gives: `await q.get()` and
// `q.get_nowait()` an asyncio queue's item (`q: asyncio.Queue[Job]`),
// `q.get()` a queue.Queue's, `d.get(k)` / `d.pop(k)` / `d.setdefault(k,
// v)` a mapping's value, `xs.pop()` a list's element. awaited: the call
// is awaited. UNKNOWN otherwise.
al_target al_index__container_item(rctx *r, uint32_t file, uint32_t call,
                                   bool awaited) {
  static const char *const async_queues[] = {
      "asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue"};
  static const char *const sync_queues[] = {"queue.Queue", "queue.LifoQueue",
                                            "queue.PriorityQueue",
                                            "queue.SimpleQueue"};
  const al_facts *f = facts_of(r->ix, file);
  if (call >= f->calls.len)
    return unknown();
  // The method's name first: no resolution for any other call.
  al_str name = al_deps_call_name(&f->calls.items[call]);
  if (!(al_str_eq_c(name, "get") || al_str_eq_c(name, "get_nowait") ||
        al_str_eq_c(name, "pop") || al_str_eq_c(name, "setdefault")))
    return unknown();
  if (++r->depth > MAX_DEPTH)
    return unknown();
  al_str method;
  uint32_t ann_file, in_scope;
  uint32_t a = receiver_annotation(r, file, &f->calls.items[call], &method,
                                   &ann_file, &in_scope);
  if (a == AL_NONE)
    return unknown();
  const al_facts *af = facts_of(r->ix, ann_file);
  if (!awaited && (al_str_eq_c(method, "get") || al_str_eq_c(method, "pop") ||
                   al_str_eq_c(method, "setdefault"))) {
    al_target v = mapping_part(r, ann_file, in_scope, a, 1);
    if (v.kind != AL_TARGET_UNKNOWN)
      return v;
  }
  // The container's class, through Optional.
  while (af->annots.items[a].kind == AL_ANNOT_SUBSCRIPT) {
    char q[AL_QUALNAME_MAX];
    head_of(r, ann_file, in_scope, af->annots.items[a].name, q, sizeof q);
    uint32_t item = child_at(af, a, 0);
    if (item == AL_NONE)
      return unknown();
    if (is(q, "typing.Optional") || is(q, "typing.Annotated")) {
      a = item;
      continue;
    }
    bool want = false;
    for (size_t i = 0; i < sizeof async_queues / sizeof *async_queues; i++)
      if (is(q, async_queues[i]))
        want = awaited ? al_str_eq_c(method, "get")
                       : al_str_eq_c(method, "get_nowait");
    for (size_t i = 0; i < sizeof sync_queues / sizeof *sync_queues; i++)
      if (is(q, sync_queues[i]))
        want = !awaited && (al_str_eq_c(method, "get") ||
                            al_str_eq_c(method, "get_nowait"));
    if (!awaited && al_str_eq_c(method, "pop") &&
        (is(q, "builtins.list") || is(q, "typing.List") ||
         is(q, "typing.MutableSequence") || is(q, "collections.deque") ||
         is(q, "typing.Deque")))
      want = true;
    return want ? type_of(r, ann_file, in_scope, item, NULL) : unknown();
  }
  return unknown();
}

// Item `pos` of what `for a, b, ... in X` iterates: `M.items()` of a typed
// mapping, `enumerate(X)` (1: X's element), `zip(X, Y, ...)` (each one's).
al_target al_index__loop_item(rctx *r, uint32_t file, uint32_t block,
                              uint32_t pos) {
  const al_facts *f = facts_of(r->ix, file);
  const al_block_site *bs = &f->blocks.items[block];
  if (++r->depth > MAX_DEPTH || bs->obj != AL_OBJ_CALL || bs->call == AL_NONE)
    return unknown();
  const al_call *c = &f->calls.items[bs->call];
  al_target m = mapping_view(r, file, c, pos);
  if (m.kind != AL_TARGET_UNKNOWN)
    return m;
  al_target fn = al_index__resolve_callee(r, file, bs->call);
  if (fn.kind != AL_TARGET_EXTERNAL)
    return unknown();
  uint32_t arg;
  if (is(fn.qualname, "builtins.enumerate") && pos == 1)
    arg = 0;
  else if (is(fn.qualname, "builtins.zip"))
    arg = pos;
  else
    return unknown();
  for (uint32_t i = 0; i < c->n_args; i++) {
    const al_arg *ar = &f->args.items[c->first_arg + i];
    if (ar->index == arg && !ar->keyword.len)
      return ar->kind == AL_ARG_REF
                 ? element_of_ref(r, file, bs->scope, &ar->ref)
                 : unknown();
  }
  return unknown();
}

static al_target call_element(rctx *r, uint32_t file, uint32_t call);

// What iterating call c's first positional argument gives (a name, an
// attribute or another call's value).
static al_target arg_element(rctx *r, uint32_t file, const al_call *c) {
  const al_facts *f = facts_of(r->ix, file);
  const al_arg *a = c->n_args ? &f->args.items[c->first_arg] : NULL;
  if (!a || a->index != 0)
    return unknown();
  if (a->kind == AL_ARG_CALL && a->target != AL_NONE)
    return call_element(r, file, a->target);
  if (a->kind == AL_ARG_REF)
    return element_of_ref(r, file, c->scope, &a->ref);
  return unknown();
}

// What iterating the value of call `call` gives (a loop over it).
static al_target call_element(rctx *r, uint32_t file, uint32_t call) {
  const al_facts *f = facts_of(r->ix, file);
  if (++r->depth > MAX_DEPTH)
    return unknown();
  {
    al_target view = mapping_view(r, file, &f->calls.items[call], AL_NONE);
    if (view.kind != AL_TARGET_UNKNOWN)
      return view;
    // `for x in items()`: a def of the tree annotated `-> list[X]`, an
    // (async) generator annotated `-> Iterator[X]` / `AsyncIterator[X]`.
    al_target fn = al_index__resolve_callee(r, file, call);
    // `for s in list(self.subs.values())` (a copy; also tuple, sorted,
    // reversed, set): the elements of its argument.
    static const char *const copies[] = {
        "builtins.list",     "builtins.tuple", "builtins.sorted",
        "builtins.reversed", "builtins.set",   "builtins.frozenset"};
    for (size_t i = 0;
         fn.kind == AL_TARGET_EXTERNAL && i < sizeof copies / sizeof *copies;
         i++)
      if (is(fn.qualname, copies[i]))
        return arg_element(r, file, &f->calls.items[call]);
    if (fn.kind != AL_TARGET_FUNCTION)
      return unknown();
    const al_scope *s = scope_of(r->ix, fn.file, fn.scope);
    bool plain = s->kind == AL_SCOPE_FUNCTION;
    bool agen =
        s->kind == AL_SCOPE_ASYNC_FUNCTION && (s->flags & AL_SCOPE_GENERATOR);
    if ((!plain && !agen) || s->n_decorators)
      return unknown();
    uint32_t a = return_annot(r->ix, fn.file, fn.scope);
    return a == AL_NONE ? unknown() : element_of(r, fn.file, s->parent, a);
  }
}

al_target al_index__next_value(rctx *r, uint32_t file, uint32_t call) {
  // `next(iter(X))`, `next(it)`: an element of X (a typed container, a
  // mapping view, a copy, an annotated generator).
  const al_facts *f = facts_of(r->ix, file);
  const al_call *c = &f->calls.items[call];
  if (c->n_args == 0 || ++r->depth > MAX_DEPTH)
    return unknown();
  const al_arg *a = &f->args.items[c->first_arg];
  if (a->index == 0 && a->kind == AL_ARG_CALL && a->target != AL_NONE) {
    al_target fn = al_index__resolve_callee(r, file, a->target);
    if (fn.kind == AL_TARGET_EXTERNAL && is(fn.qualname, "builtins.iter"))
      return arg_element(r, file, &f->calls.items[a->target]);
  }
  return arg_element(r, file, c);
}

al_target al_index__loop_element(rctx *r, uint32_t file, uint32_t block) {
  const al_facts *f = facts_of(r->ix, file);
  const al_block_site *bs = &f->blocks.items[block];
  if (++r->depth > MAX_DEPTH)
    return unknown();
  if (bs->obj == AL_OBJ_NAME)
    return element_of_ref(r, file, bs->scope, &bs->ref);
  if (bs->obj == AL_OBJ_CALL && bs->call != AL_NONE)
    return call_element(r, file, bs->call);
  return unknown();
}

// Whether every return of plain getter g returns a call that makes a
// coroutine (the wrapper memo leaves decorated defs out: the property
// decorator only calls it).
static bool getter_returns_coroutine(rctx *r, al_target g) {
  const file_index *fi = fi_at(r->ix, g.file);
  const al_facts *f = facts_of(r->ix, g.file);
  uint32_t nr = fi->rets.n[g.scope];
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret = return_at(f, fi, g.scope, i);
    if (ret->kind != AL_RET_CALL || ret->target == AL_NONE)
      return false;
    r->depth = 0;
    al_target callee = al_index__resolve_callee(r, g.file, ret->target);
    if (al_index__coro_kind(r, callee) == AL_CORO_NONE)
      return false;
  }
  return nr > 0;
}

// Whether every decorator of (file, scope) is a plain name among allowed
// (a property's own decorators: any other may make the getter something
// else).
static bool decorated_only(rctx *r, uint32_t file, uint32_t scope) {
  static const char *const allowed[] = {
      "builtins.property",
      "functools.cached_property",
      "abc.abstractmethod",
  };
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[scope];
  for (uint32_t i = 0; i < s->n_decorators; i++) {
    const al_ref *d = &f->refs.items[s->first_decorator + i];
    if (d->kind != AL_REF_DOTTED)
      return false;
    al_target t = al_index__resolve_ref(r, file, s->parent, d);
    r->depth = 0;
    bool ok = false;
    for (size_t k = 0;
         t.kind == AL_TARGET_EXTERNAL && k < sizeof allowed / sizeof *allowed;
         k++)
      ok |= strcmp(t.qualname, allowed[k]) == 0;
    if (!ok)
      return false;
  }
  return true;
}

al_coro_kind al_index_getter_kind(const al_index *self, al_target getter) {
  if (getter.kind != AL_TARGET_FUNCTION)
    return AL_CORO_NONE;
  rctx r = {.ix = self, .build = NULL};
  const al_scope *s = scope_of(self, getter.file, getter.scope);
  if (s->flags & AL_SCOPE_GENERATOR)
    return AL_CORO_NONE;
  if (s->kind == AL_SCOPE_FUNCTION)
    return getter_returns_coroutine(&r, getter) ? AL_CORO_WRAPPER
                                                : AL_CORO_NONE;
  if (s->kind != AL_SCOPE_ASYNC_FUNCTION)
    return AL_CORO_NONE;
  return decorated_only(&r, getter.file, getter.scope) ? AL_CORO_ASYNC
                                                       : AL_CORO_NONE;
}

bool al_index_getter_awaitable(const al_index *self, al_target getter) {
  if (getter.kind != AL_TARGET_FUNCTION)
    return false;
  rctx r = {.ix = self, .build = NULL};
  return annotated_wrap(&r, getter.file, getter.scope, true) ==
             ANNOT_AWAITABLE &&
         decorated_only(&r, getter.file, getter.scope);
}

// Whether a comprehension's target as written ("x", or "k, v" / "(k, v)")
// binds name; *pos: its position in a tuple target (AL_NONE for a name).
static bool target_has(al_str target, al_str name, uint32_t *pos) {
  if (al_str_eq(target, name)) {
    *pos = AL_NONE;
    return true;
  }
  uint32_t at = 0;
  size_t i = 0;
  while (i < target.len) {
    while (i < target.len && (target.ptr[i] == ' ' || target.ptr[i] == '(' ||
                              target.ptr[i] == '\n' || target.ptr[i] == '\t'))
      i++;
    size_t start = i;
    while (i < target.len && target.ptr[i] != ',' && target.ptr[i] != ' ' &&
           target.ptr[i] != ')' && target.ptr[i] != '\n' &&
           target.ptr[i] != '\t')
      i++;
    if (i > start && al_str_eq((al_str){target.ptr + start, i - start}, name)) {
      *pos = at;
      return true;
    }
    while (i < target.len && target.ptr[i] != ',')
      i++;
    if (i < target.len) // the comma
      i++, at++;
  }
  return false;
}

al_target al_index__comp_target(rctx *r, uint32_t file, uint32_t scope,
                                uint32_t at, al_str name, bool *found) {
  const al_facts *f = facts_of(r->ix, file);
  *found = false;
  const file_index *fi = fi_at(r->ix, file);
  if (!fi->comp_targets || scope >= f->scopes.len)
    return unknown();
  uint32_t best = AL_NONE, best_len = UINT32_MAX, best_pos = AL_NONE;
  const scope_runs *runs = &fi->comp_blocks;
  for (uint32_t i = 0; i < runs->n[scope]; i++) {
    uint32_t k = runs->order[runs->first[scope] + i];
    const al_block_site *b = &f->blocks.items[k];
    uint32_t pos = AL_NONE;
    if (!b->target.len || b->comp == AL_NONE ||
        !target_has(b->target, name, &pos))
      continue;
    al_span c = f->comps.items[b->comp].span;
    if (at < c.start_byte || at >= c.end_byte ||
        (at >= b->span.start_byte && at < b->span.end_byte))
      continue;
    if (c.end_byte - c.start_byte < best_len) {
      best = k;
      best_len = c.end_byte - c.start_byte;
      best_pos = pos;
    }
  }
  if (best == AL_NONE)
    return unknown();
  *found = true;
  return best_pos == AL_NONE ? al_index__loop_element(r, file, best)
                             : al_index__loop_item(r, file, best, best_pos);
}
