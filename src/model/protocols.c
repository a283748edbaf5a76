// SPDX-License-Identifier: MIT
/*
 * Which protocol the object of a `with` item or `for` loop supports (sync,
 * async, both, unknown), and a short reason for messages: from the catalog
 * for library objects, from the dunder methods of tree classes (with their
 * bases), from @contextmanager / @asynccontextmanager and generator
 * functions for calls of the tree, from what a value's annotation says
 * (typing.AsyncIterator and its kin are catalog names). It says nothing about
 * whether the block is in an async def: the rules decide what a mismatch means.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/index_p.h"

// Write a reason into why (NULL: none wanted).
__attribute__((format(printf, 3, 4))) static void say(char *why, size_t cap,
                                                      const char *fmt, ...) {
  if (!why || !cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
}

static al_proto from_facets(const al_catalog_entry *e, bool is_for) {
  if (!e)
    return AL_PROTO_UNKNOWN;
  if (is_for) {
    if (e->facets & AL_CAT_ASYNC_ITERABLE)
      return AL_PROTO_ASYNC_ONLY;
    if (e->facets & AL_CAT_ITERABLE)
      return AL_PROTO_SYNC_ONLY;
  } else {
    if (e->facets & AL_CAT_ASYNC_CONTEXT_MANAGER)
      return AL_PROTO_ASYNC_ONLY;
    if (e->facets & AL_CAT_CONTEXT_MANAGER)
      return AL_PROTO_SYNC_ONLY;
  }
  return AL_PROTO_UNKNOWN;
}

// Whether a tree class (with its bases) defines method `name`; *unknown is
// set when a base outside the tree might.
static bool class_defines(rctx *r, uint32_t file, uint32_t cls,
                          const char *name, bool *unknown_base) {
  bool found = false;
  al_target t =
      al_index__class_attr(r, file, cls, al_str_from(name), false, &found);
  if (!found)
    return false;
  if (t.kind == AL_TARGET_FUNCTION)
    return true;
  // A standard ABC's mixin (collections.abc.Iterator's __iter__).
  const char *dot = strrchr(t.qualname, '.');
  if (t.kind == AL_TARGET_EXTERNAL && dot) {
    char base[AL_QUALNAME_MAX];
    snprintf(base, sizeof base, "%.*s", (int)(dot - t.qualname), t.qualname);
    if (al_index__known_base(base, al_str_from(name)) == AL_BASE_HAS)
      return true;
  }
  *unknown_base = true;
  return false;
}

static al_proto class_protocol(rctx *r, uint32_t file, uint32_t cls,
                               bool is_for, char *why, size_t cap) {
  const char *a = is_for ? "__aiter__" : "__aenter__";
  const char *s = is_for ? "__iter__" : "__enter__";
  bool unknown_base = false;
  int saved = r->depth;
  bool has_a = class_defines(r, file, cls, a, &unknown_base);
  r->depth = saved;
  bool has_s = class_defines(r, file, cls, s, &unknown_base);
  r->depth = saved;
  if (is_for && !has_s)
    has_s = class_defines(r, file, cls, "__getitem__", &unknown_base);
  r->depth = saved;
  if (unknown_base)
    return AL_PROTO_UNKNOWN;
  const al_project_file *pf = &r->ix->project->files.items[file];
  const al_scope *c = &pf->facts->scopes.items[cls];
  if (has_a == has_s)
    return has_a ? AL_PROTO_BOTH : AL_PROTO_UNKNOWN;
  const char *has = has_a ? a : s, *lacks = has_a ? s : a;
  if (pf->library) // a library's: its module, no site-packages line
    say(why, cap, "'%.*s' (%s) defines %s but not %s", (int)c->name.len,
        c->name.ptr, pf->module, has, lacks);
  else
    say(why, cap, "'%.*s' (%s:%u) defines %s but not %s", (int)c->name.len,
        c->name.ptr, pf->path, al_facts_line(pf->facts, c->name_span), has,
        lacks);
  return has_a ? AL_PROTO_ASYNC_ONLY : AL_PROTO_SYNC_ONLY;
}

static al_proto value_protocol(rctx *r, al_target v, bool is_for, char *why,
                               size_t cap) {
  if (v.kind != AL_TARGET_INSTANCE)
    return AL_PROTO_UNKNOWN;
  if (v.file != AL_NONE)
    return class_protocol(r, v.file, v.scope, is_for, why, cap);
  al_proto p = from_facets(
      al_catalog_get(r->ix->catalog, al_str_from(v.qualname)), is_for);
  if (p == AL_PROTO_ASYNC_ONLY)
    say(why, cap, "'%s' is an %s", v.qualname,
        is_for ? "async iterable" : "async context manager");
  else if (p == AL_PROTO_SYNC_ONLY)
    say(why, cap, "'%s' is a sync-only %s", v.qualname,
        is_for ? "iterable" : "context manager");
  return p;
}

// The call a name is bound to when its scope binds it exactly once, by an
// assignment from a call; else AL_NONE.
static uint32_t single_call_binding(const al_index *self, uint32_t file,
                                    uint32_t scope, al_str name) {
  const al_facts *f = facts_of(self, file);
  const file_index *fi = fi_at(self, file);
  uint32_t g;
  uint32_t n =
      find_group(f, fi->groups, fi->groups_mask, false, scope, name, &g);
  if (n != 1)
    return AL_NONE;
  const al_binding *bd = &f->binds.items[fi->order[g]];
  return bd->kind == AL_BIND_ASSIGN && bd->value_ref == AL_NONE ? bd->target
                                                                : AL_NONE;
}

static bool decorated_with(const al_index *self, al_target t,
                           const char *qualname) {
  rctx r = {.ix = self, .build = NULL};
  return al_index__has_decorator(&r, t.file, t.scope, qualname);
}

// What calling def t of the tree gives: an @asynccontextmanager or a
// @contextmanager (with), an async generator or a generator (for).
static al_proto def_protocol(const al_index *self, al_target t, bool is_for,
                             char *why, size_t cap) {
  const al_facts *tf = facts_of(self, t.file);
  const al_scope *s = &tf->scopes.items[t.scope];
  al_proto p = AL_PROTO_UNKNOWN;
  const char *what = NULL;
  if (!is_for) {
    if (decorated_with(self, t, "contextlib.asynccontextmanager")) {
      p = AL_PROTO_ASYNC_ONLY;
      what = "an @asynccontextmanager";
    } else if (decorated_with(self, t, "contextlib.contextmanager")) {
      p = AL_PROTO_SYNC_ONLY;
      what = "a @contextmanager";
    }
  } else if (!s->n_decorators && (s->flags & AL_SCOPE_GENERATOR)) {
    if (s->kind == AL_SCOPE_ASYNC_FUNCTION) {
      p = AL_PROTO_ASYNC_ONLY;
      what = "an async generator function";
    } else if (s->kind == AL_SCOPE_FUNCTION) {
      p = AL_PROTO_SYNC_ONLY;
      what = "a generator function";
    }
  }
  const al_project_file *pf = &self->project->files.items[t.file];
  if (what && pf->library)
    say(why, cap, "'%.*s' (%s) is %s", (int)s->name.len, s->name.ptr,
        pf->module, what);
  else if (what)
    say(why, cap, "'%.*s' (%s:%u) is %s", (int)s->name.len, s->name.ptr,
        pf->path, al_facts_line(tf, s->name_span), what);
  return p;
}

// What the value of call `call` supports: by its callee (a def of the
// tree, a catalog entry), else by the instance it gives.
static al_proto call_protocol(const al_index *self, uint32_t file,
                              uint32_t call, bool is_for, char *why,
                              size_t cap) {
  rctx r = {.ix = self, .build = NULL};
  al_target t = al_index__resolve_callee(&r, file, call);
  if (t.kind == AL_TARGET_FUNCTION) {
    al_proto p = def_protocol(self, t, is_for, why, cap);
    if (p != AL_PROTO_UNKNOWN)
      return p;
    // Else by the instance it gives (`def stream() -> AsyncIterator[bytes]`).
  } else if (t.kind == AL_TARGET_EXTERNAL) {
    al_proto p = from_facets(t.entry, is_for);
    if (p != AL_PROTO_UNKNOWN) {
      say(why, cap, "'%s' %s", t.qualname,
          p == AL_PROTO_ASYNC_ONLY
              ? (is_for ? "gives an async iterable"
                        : "gives an async context manager")
              : (is_for ? "gives a sync-only iterable"
                        : "gives a sync-only context manager"));
      return p;
    }
  }
  r.depth = 0;
  al_target v = al_index__call_value(&r, file, call);
  return value_protocol(&r, v, is_for, why, cap);
}

al_proto al_index_block_protocol(const al_index *self, uint32_t file,
                                 uint32_t block, char *why, size_t cap) {
  const al_facts *f = facts_of(self, file);
  const al_block_site *b = &f->blocks.items[block];
  bool is_for = b->is_for;
  rctx r = {.ix = self, .build = NULL};
  if (why && cap)
    why[0] = 0;
  switch ((al_obj_kind)b->obj) {
  case AL_OBJ_LITERAL:
    if (!is_for)
      return AL_PROTO_UNKNOWN;
    say(why, cap, "a literal list, tuple, set, dict or string");
    return AL_PROTO_SYNC_ONLY;
  case AL_OBJ_NAME: {
    al_target v = al_index__resolve_ref(&r, file, b->scope, &b->ref);
    al_proto p = value_protocol(&r, v, is_for, why, cap);
    if (p != AL_PROTO_UNKNOWN || b->ref.kind != AL_REF_DOTTED)
      return p;
    // `gen = agen(); for x in gen:`: a local bound once, to a call, is
    // judged like that call.
    uint32_t call = single_call_binding(self, file, b->scope, b->ref.dotted);
    if (call == AL_NONE)
      return AL_PROTO_UNKNOWN;
    return call_protocol(self, file, call, is_for, why, cap);
  }
  case AL_OBJ_CALL:
    if (b->call == AL_NONE)
      return AL_PROTO_UNKNOWN;
    return call_protocol(self, file, b->call, is_for, why, cap);
  default:
    return AL_PROTO_UNKNOWN;
  }
}
