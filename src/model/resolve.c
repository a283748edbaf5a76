// SPDX-License-Identifier: MIT
/*
 * Name resolution over the whole tree: what a reference written in a scope
 * of a file is (a function or class of the tree, a module, an instance, a
 * library name). It walks Python's scope chain (class bodies do not enclose
 * the functions defined in them), follows imports into the tree's modules
 * (relative ones, star imports), attributes of modules, classes and
 * instances (methods found along the bases, left to right, depth first),
 * `self`/`cls`/`super()`, aliases and simple local typing (constructor
 * calls, catalog `returns`, `with X() as v`). Every step counts against a
 * depth budget, so cycles (a imports b imports a, class A(B) / class B(A))
 * end in UNKNOWN. It derives no property of functions (wrappers.c,
 * reach.c, protocols.c do, on top of it) and writes only the big-group memo,
 * during the build.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/index_p.h"

static bool set_qualname(al_target *t, al_str a, al_str b) {
  size_t need = a.len + (b.len ? b.len + 1 : 0);
  if (need >= AL_QUALNAME_MAX)
    return false;
  if (a.len)
    memcpy(t->qualname, a.ptr, a.len);
  size_t o = a.len;
  if (b.len) {
    t->qualname[o++] = '.';
    memcpy(t->qualname + o, b.ptr, b.len);
    o += b.len;
  }
  t->qualname[o] = 0;
  return true;
}

static al_target external(const al_index *self, al_str a, al_str b) {
  al_target t = unknown();
  if (!set_qualname(&t, a, b))
    return t;
  t.kind = AL_TARGET_EXTERNAL;
  t.entry = al_catalog_get(self->catalog, al_str_from(t.qualname));
  return t;
}

static al_target instance_of_name(al_str cls) {
  al_target t = unknown();
  if (set_qualname(&t, cls, (al_str){0}))
    t.kind = AL_TARGET_INSTANCE;
  return t;
}

static al_str split_first(al_str d, al_str *rest) {
  size_t dot = 0;
  while (dot < d.len && d.ptr[dot] != '.')
    dot++;
  *rest =
      dot < d.len ? (al_str){d.ptr + dot + 1, d.len - dot - 1} : (al_str){0};
  return (al_str){d.ptr, dot};
}

static uint32_t module_file(const al_index *self, al_str name, bool *in_tree) {
  uint32_t v;
  if (!al_map_get(&self->modules, name, &v)) {
    *in_tree = false;
    return AL_NONE;
  }
  *in_tree = true;
  return v;
}

static al_target module_target(const al_index *self, al_str name) {
  bool in_tree;
  uint32_t f = module_file(self, name, &in_tree);
  al_target t = unknown();
  if (in_tree && f == MOD_AMBIGUOUS)
    return t;
  if (!set_qualname(&t, name, (al_str){0}))
    return t;
  t.kind = AL_TARGET_MODULE;
  t.file = in_tree && f != MOD_NAMESPACE ? f : AL_NONE;
  if (!in_tree) {
    // A library module: keep it EXTERNAL-like for catalog look-ups.
    t.entry = al_catalog_get(self->catalog, name);
  }
  return t;
}
// The absolute module a relative import names.
static bool absolute_module(const al_index *self, uint32_t file,
                            const al_import *im, char *buf, size_t cap) {
  if (im->level == 0) {
    if (im->module.len >= cap)
      return false;
    memcpy(buf, im->module.ptr, im->module.len);
    buf[im->module.len] = 0;
    return true;
  }
  const char *pkg = fi_at(self, file)->package;
  size_t len = strlen(pkg);
  if (len == 0 && im->level >= 1 && !fi_at(self, file)->module[0])
    return false;
  // Each level beyond the first goes one package up.
  for (uint8_t l = 1; l < im->level; l++) {
    while (len > 0 && pkg[len - 1] != '.')
      len--;
    if (len == 0)
      return false;
    len--; // the dot
  }
  // pkg[0, len) "." module, or pkg[0, len) alone (memcpy: this runs for
  // every relative import each time a name resolves through it).
  size_t dot = len && im->module.len ? 1 : 0;
  size_t n = len + dot + im->module.len;
  if (n == 0 || n >= cap)
    return false;
  memcpy(buf, pkg, len);
  buf[len] = '.';
  if (im->module.len)
    memcpy(buf + len + dot, im->module.ptr, im->module.len);
  buf[n] = 0;
  return true;
}
bool al_index__same_target(const al_target *a, const al_target *b) {
  if (a->kind != b->kind)
    return false;
  switch (a->kind) {
  case AL_TARGET_FUNCTION:
  case AL_TARGET_CLASS:
    return a->file == b->file && a->scope == b->scope;
  case AL_TARGET_INSTANCE:
  case AL_TARGET_MODULE:
    return a->file == b->file && a->scope == b->scope &&
           strcmp(a->qualname, b->qualname) == 0;
  case AL_TARGET_UNKNOWN:
    return false;
  default:
    return strcmp(a->qualname, b->qualname) == 0;
  }
}

// Two defs of one name agree when they are alike for every rule.
static bool same_function_shape(rctx *r, const al_target *a,
                                const al_target *b) {
  if (a->kind != AL_TARGET_FUNCTION || b->kind != AL_TARGET_FUNCTION)
    return false;
  const al_scope *x = scope_of(r->ix, a->file, a->scope);
  const al_scope *y = scope_of(r->ix, b->file, b->scope);
  return x->kind == y->kind &&
         (x->flags & AL_SCOPE_GENERATOR) == (y->flags & AL_SCOPE_GENERATOR) &&
         al_index__coro_kind(r, *a) == al_index__coro_kind(r, *b);
}
static al_target binding_target(rctx *r, uint32_t file, const al_binding *b);

static al_target resolve_group(rctx *r, uint32_t file, uint32_t g, uint32_t n,
                               bool *global) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = fi_at(ix, file);
  *global = false;
  al_target result = unknown();
  bool have = false;
  // A declaration (`x: T` without a value) types the values bound to the
  // name in this scope: each must agree with it, and one the index cannot
  // type takes the declared type. Alone, it is the name's type.
  al_target declared = unknown();
  bool declares = false, values = false;
  for (uint32_t i = 0; fi->bind_annot && i < n; i++) {
    const al_binding *b = &f->binds.items[fi->order[g + i]];
    if (b->kind != AL_BIND_ANNOTATION) {
      values |= b->kind != AL_BIND_GLOBAL;
    } else if (!declares) {
      declares = true;
      int saved = r->depth;
      declared = binding_target(r, file, b);
      r->depth = saved;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[fi->order[g + i]];
    if (b->kind == AL_BIND_GLOBAL) {
      *global = true;
      continue;
    }
    // `x = None`: unset, not a value of another type (`x: T | None = None`
    // says its type).
    if ((b->kind == AL_BIND_ANNOTATION && values) ||
        ((b->flags & AL_BIND_NONE_VALUE) &&
         bind_annot(ix, file, fi->order[g + i]) == AL_NONE))
      continue;
    int saved = r->depth;
    al_target t = binding_target(r, file, b);
    r->depth = saved;
    if (declares && values)
      t = al_index__agree(t, declared);
    if (t.kind == AL_TARGET_UNKNOWN)
      return unknown();
    if (!have) {
      result = t;
      have = true;
    } else if (!al_index__same_target(&result, &t)) {
      // A redefinition keeps the name only when nothing a rule asks about
      // differs between the definitions.
      if (!same_function_shape(r, &result, &t))
        return unknown();
      result = t;
    }
  }
  if (*global && have)
    return unknown(); // bound here and declared global: unclear
  return result;
}

// Resolve big group g of file and keep the answer (the build only).
static al_target memoise_group(rctx *r, uint32_t file, uint32_t g, uint32_t n,
                               bool *global) {
  file_memo *m = &fi_at(r->build, file)->memo;
  m->group_state[g] = MEMO_BUSY;
  uint32_t previous = al_deps_enter(file); // the memo is file's
  al_target t = resolve_group(r, file, g, n, global);
  al_deps_leave(previous);
  m->group_slot[g] = m->group_val.len;
  vec_push(&m->group_val, t);
  vec_push(&m->group_global, (uint8_t)*global);
  m->group_state[g] = MEMO_YES;
  return t;
}

// Resolve name in exactly one scope. *found: the scope binds it; *global:
// it is declared global there.
// A name bound several times in a function, read at byte `at` of it: when
// the nearest binding before the read is a `for` target, the read sees
// the loop's element (inside the body; after the loop, its last one), so
// `for job in jobs: job.run()` knows job even when the function binds
// `job` elsewhere too. The binding, or AL_NONE.
static uint32_t nearest_loop_binding(const al_facts *f, const file_index *fi,
                                     uint32_t g, uint32_t n, uint32_t at) {
  uint32_t best = AL_NONE;
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[fi->order[g + i]];
    if (b->kind == AL_BIND_GLOBAL)
      return AL_NONE;
    if (b->span.start_byte < at &&
        (best == AL_NONE ||
         b->span.start_byte > f->binds.items[best].span.start_byte))
      best = fi->order[g + i];
  }
  return best != AL_NONE && f->binds.items[best].kind == AL_BIND_FOR ? best
                                                                     : AL_NONE;
}

static al_target resolve_in_scope(rctx *r, uint32_t file, uint32_t scope,
                                  al_str name, bool *found, bool *global) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  const file_index *fi = fi_at(ix, file);
  uint32_t g;
  uint32_t n =
      find_group(f, fi->groups, fi->groups_mask, false, scope, name, &g);
  *found = false;
  *global = false;
  uint32_t at = 0;
  if (r->at && r->at_file == file && r->at_scope == scope) {
    at = r->at; // the use's own look-up: what follows is not the use's
    r->at = 0;
  }
  if (n == 0)
    return unknown();
  *found = true;
  if (at && n > 1 && f->scopes.items[scope].kind != AL_SCOPE_MODULE &&
      f->scopes.items[scope].kind != AL_SCOPE_CLASS) {
    uint32_t loop = nearest_loop_binding(f, fi, g, n, at - 1);
    if (loop != AL_NONE) {
      int saved = r->depth;
      al_target t = binding_target(r, file, &f->binds.items[loop]);
      r->depth = saved;
      if (t.kind != AL_TARGET_UNKNOWN)
        return t;
    }
  }
  if (n >= BIG_GROUP && fi->memo.group_state) {
    const file_memo *m = &fi->memo;
    uint8_t st = m->group_state[g];
    if (st == MEMO_YES) {
      *global = m->group_global.items[m->group_slot[g]];
      return m->group_val.items[m->group_slot[g]];
    }
    if (st == MEMO_BUSY)
      return unknown(); // a cycle through this group
    // After the build every big group is memoised: a look-up never gets
    // here (in a release build it would compute without keeping).
    al_assert(r->build);
    if (r->build)
      return memoise_group(r, file, g, n, global);
  }
  return resolve_group(r, file, g, n, global);
}

static al_target module_attr(rctx *r, al_target mod, al_str name, bool *found);

// Star imports of a module, in order: does one of them define name?
static al_target star_lookup(rctx *r, uint32_t file, al_str name, bool *found) {
  const al_facts *f = facts_of(r->ix, file);
  *found = false;
  for (uint32_t k = 0; k < f->imports.len; k++) {
    const al_import *im = &f->imports.items[k];
    if (!(im->flags & AL_IMPORT_STAR) || im->scope != 0)
      continue;
    char mod[AL_QUALNAME_MAX];
    if (!absolute_module(r->ix, file, im, mod, sizeof mod))
      return unknown();
    al_target mt = module_target(r->ix, al_str_from(mod));
    if (mt.kind != AL_TARGET_MODULE || mt.file == AL_NONE) {
      *found = true; // an unknown module may define anything
      return unknown();
    }
    if (name.len && name.ptr[0] == '_')
      continue; // not exported by *
    if (++r->depth > MAX_DEPTH) {
      *found = true;
      return unknown();
    }
    al_target t = module_attr(r, mt, name, found);
    if (*found)
      return t;
  }
  return unknown();
}

// A top-level name of a module's file, with its star imports.
static al_target top_level_name(rctx *r, uint32_t file, al_str name,
                                bool *found) {
  bool global;
  al_target t = resolve_in_scope(r, file, 0, name, found, &global);
  if (!*found && fi_at(r->ix, file)->star_import)
    t = star_lookup(r, file, name, found);
  return t;
}

// An attribute of a library module of the environment: what the catalog
// knows about the name (or names under it) wins and resolves as without
// the environment, as does a name the module does not show (not loaded,
// dynamic: a module __getattr__); else the library's own definition.
static al_target library_attr(rctx *r, al_target mod, al_str name,
                              bool *found) {
  *found = true;
  al_target ext = external(r->ix, al_str_from(mod.qualname), name);
  if (ext.kind != AL_TARGET_EXTERNAL ||
      al_index__catalog_claims(r->ix, al_str_from(ext.qualname)))
    return ext;
  bool sub_in;
  if (mod.file != AL_NONE) {
    al_target t = top_level_name(r, mod.file, name, found);
    if (*found)
      return t;
  }
  *found = true;
  module_file(r->ix, al_str_from(ext.qualname), &sub_in);
  return sub_in ? module_target(r->ix, al_str_from(ext.qualname)) : ext;
}

// An attribute of a module of the tree: a top-level name (with its star
// imports) or a submodule. *found is false when it has no such name.
static al_target module_attr(rctx *r, al_target mod, al_str name, bool *found) {
  *found = false;
  if (mod.kind != AL_TARGET_MODULE)
    return unknown();
  if (al_index__is_library_name(r->ix, al_str_from(mod.qualname)))
    return library_attr(r, mod, name, found);
  if (mod.file == AL_NONE) {
    bool in_tree;
    module_file(r->ix, al_str_from(mod.qualname), &in_tree);
    if (!in_tree) {
      *found = true;
      return external(r->ix, al_str_from(mod.qualname), name);
    }
  } else {
    // What the catalog knows about a module's name wins over the module's
    // own code (linting asyncio itself still knows create_task).
    al_target cat = external(r->ix, al_str_from(mod.qualname), name);
    if (cat.entry) {
      *found = true;
      return cat;
    }
    al_target t = top_level_name(r, mod.file, name, found);
    if (*found)
      return t;
  }
  // A submodule.
  al_target sub = unknown();
  if (!set_qualname(&sub, al_str_from(mod.qualname), name))
    return sub;
  bool in_tree;
  module_file(r->ix, al_str_from(sub.qualname), &in_tree);
  if (!in_tree)
    return unknown();
  *found = true;
  return module_target(r->ix, al_str_from(sub.qualname));
}

// Resolve a bare name seen in `scope`.
static al_target resolve_name(rctx *r, uint32_t file, uint32_t scope,
                              al_str name) {
  const al_facts *f = facts_of(r->ix, file);
  uint32_t cur = scope;
  bool first = true;
  while (cur != AL_NONE) {
    const al_scope *s = &f->scopes.items[cur];
    if (first || s->kind != AL_SCOPE_CLASS) {
      bool found, global;
      al_target t = resolve_in_scope(r, file, cur, name, &found, &global);
      if (found && !global)
        return t;
      if (global) {
        // `global x` (or a stray `nonlocal x`) in the module itself: it
        // names nothing else; going round again would never end.
        if (cur == 0)
          return unknown();
        cur = 0; // `global x`: the module's x
        first = true;
        continue;
      }
    }
    first = false;
    cur = s->parent;
  }
  // Not bound in the file: a star import may bind it, else a builtin.
  if (fi_at(r->ix, file)->star_import) {
    bool found;
    al_target t = star_lookup(r, file, name, &found);
    if (found)
      return t;
  }
  return external(r->ix, AL_STR_LIT("builtins"), name);
}

// The value `with CALL as v` binds to v: what a tree def's return
// annotation says entering gives; the context manager itself when it is a
// library instance (assumed to enter itself; typing's protocols are not);
// for an instance of a tree class, what its __aenter__/__enter__ is
// annotated to return, or the instance when it returns self.
static al_target entered_value(rctx *r, uint32_t file, uint32_t call) {
  // A def of the tree annotated with what entering its value gives
  // (`@asynccontextmanager async def session() -> AsyncIterator[Session]`,
  // `def lock() -> ContextManager[Lock]`).
  al_target fn = al_index__resolve_callee(r, file, call);
  if (fn.kind == AL_TARGET_FUNCTION) {
    bool annotated;
    al_target v = al_index__entered_type(r, fn.file, fn.scope, &annotated);
    if (annotated)
      return v;
  }
  al_target cm = al_index__call_value(r, file, call);
  if (cm.kind != AL_TARGET_INSTANCE)
    return unknown();
  if (cm.file == AL_NONE)
    return strncmp(cm.qualname, "typing.", 7) == 0 ? unknown() : cm;
  // `async with` enters through __aenter__, `with` through __enter__ (a
  // class may have both and give different things: a sync and an async
  // store); the other one only when the class lacks it.
  bool is_async =
      facts_of(r->ix, file)->calls.items[call].ctx == AL_CTX_ASYNC_WITH;
  al_str first = is_async ? AL_STR_LIT("__aenter__") : AL_STR_LIT("__enter__");
  al_str second = is_async ? AL_STR_LIT("__enter__") : AL_STR_LIT("__aenter__");
  bool found = false;
  al_target enter =
      al_index__class_attr(r, cm.file, cm.scope, first, true, &found);
  if (!found)
    enter = al_index__class_attr(r, cm.file, cm.scope, second, true, &found);
  if (!found || enter.kind != AL_TARGET_FUNCTION)
    return unknown();
  // Returning self gives the instance itself (a subclass's, where the base
  // is annotated `-> "Base"`); else `async def __aenter__(self) ->
  // Session` says what it gives.
  const al_scope *es = scope_of(r->ix, enter.file, enter.scope);
  if (al_index__returns_param(r->ix, enter.file, enter.scope, es->first_param))
    return cm;
  uint32_t a = return_annot(r->ix, enter.file, enter.scope);
  return a == AL_NONE
             ? unknown()
             : al_index__annot_type(r, enter.file, es->parent, a, NULL);
}

// A parameter: the first of a method is its instance (or class); any other
// (or a static method's) is what its annotation says, read in the scope
// around the function.
static al_target param_target(rctx *r, uint32_t file, const al_binding *b) {
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[b->scope];
  bool method =
      s->parent != AL_NONE && al_str_eq(s->first_param, b->name) &&
      (s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION) &&
      f->scopes.items[s->parent].kind == AL_SCOPE_CLASS;
  if (method &&
      !al_index__has_decorator(r, file, b->scope, "builtins.staticmethod")) {
    if (al_index__has_decorator(r, file, b->scope, "builtins.classmethod") ||
        al_str_eq_c(s->name, "__new__") ||
        al_str_eq_c(s->name, "__init_subclass__") ||
        al_str_eq_c(s->name, "__class_getitem__"))
      return tree_target(AL_TARGET_CLASS, file, s->parent);
    return tree_target(AL_TARGET_INSTANCE, file, s->parent);
  }
  uint32_t a = bind_annot(r->ix, file, (uint32_t)(b - f->binds.items));
  if (a == AL_NONE || s->parent == AL_NONE)
    return unknown();
  return al_index__annot_type(r, file, s->parent, a, NULL);
}

// What a bound name is, binding by binding.
static al_target binding_target(rctx *r, uint32_t file, const al_binding *b) {
  const al_index *ix = r->ix;
  const al_facts *f = facts_of(ix, file);
  if (++r->depth > MAX_DEPTH)
    return unknown();
  switch ((al_bind_kind)b->kind) {
  case AL_BIND_FUNCTION:
    return tree_target(AL_TARGET_FUNCTION, file, b->target);
  case AL_BIND_CLASS:
    return tree_target(AL_TARGET_CLASS, file, b->target);
  case AL_BIND_IMPORT: {
    const al_import *im = &f->imports.items[b->target];
    char mod[AL_QUALNAME_MAX];
    if (!absolute_module(ix, file, im, mod, sizeof mod))
      return unknown();
    al_str m = al_str_from(mod);
    if (im->flags & AL_IMPORT_FROM) {
      bool in_tree;
      module_file(ix, m, &in_tree);
      if (!in_tree)
        return external(ix, m, im->name);
      al_target mt = module_target(ix, m);
      if (mt.kind == AL_TARGET_UNKNOWN)
        return mt;
      bool found;
      al_target t = module_attr(r, mt, im->name, &found);
      return found ? t : unknown();
    }
    if (!(im->flags & AL_IMPORT_ALIASED) && im->local.len < m.len)
      return module_target(ix, im->local); // `import a.b` binds a
    return module_target(ix, m);
  }
  case AL_BIND_ASSIGN:
  case AL_BIND_ATTR: {
    al_target v = unknown();
    if (b->value_ref != AL_NONE)
      v = al_index__resolve_ref(r, file, b->scope,
                                &f->refs.items[b->value_ref]);
    // Both: `v = a or CALL` (binds.c), which must agree.
    if (b->target != AL_NONE) {
      int saved = r->depth;
      al_target c = b->flags & AL_BIND_AWAITED
                        ? al_index__awaited_value(r, file, b->target)
                        : al_index__call_value(r, file, b->target);
      r->depth = saved;
      v = b->value_ref != AL_NONE ? al_index__agree(v, c) : c;
    }
    uint32_t a = bind_annot(ix, file, (uint32_t)(b - f->binds.items));
    if (a == AL_NONE)
      return v;
    if (f->annots.items[a].role == AL_ANNOT_ALIAS)
      return v.kind == AL_TARGET_UNKNOWN
                 ? al_index__alias_type(r, file, b->scope, a)
                 : v;
    // The annotation and the value must agree (item: a finding needs both
    // to say the same when both speak).
    return al_index__agree(v, al_index__annot_type(r, file, b->scope, a, NULL));
  }
  case AL_BIND_AWAIT: {
    al_target v = al_index__awaited_value(r, file, b->target);
    uint32_t a = bind_annot(ix, file, (uint32_t)(b - f->binds.items));
    return a == AL_NONE ? v
                        : al_index__agree(v, al_index__annot_type(
                                                 r, file, b->scope, a, NULL));
  }
  case AL_BIND_ANNOTATION:
    return al_index__annot_type(
        r, file, b->scope, bind_annot(ix, file, (uint32_t)(b - f->binds.items)),
        NULL);
  case AL_BIND_WITH:
    return b->target == AL_NONE ? unknown() : entered_value(r, file, b->target);
  case AL_BIND_FOR:
    return b->value_ref == AL_NONE
               ? al_index__loop_element(r, file, b->target)
               : al_index__loop_item(r, file, b->target, b->value_ref);
  case AL_BIND_UNPACK:
  case AL_BIND_UNPACK_AWAIT:
    return al_index__unpacked_value(r, file, b->target, b->value_ref,
                                    b->kind == AL_BIND_UNPACK_AWAIT);
  case AL_BIND_PARAM:
    return param_target(r, file, b);
  default:
    return unknown();
  }
}

bool al_index__has_decorator(rctx *r, uint32_t file, uint32_t scope,
                             const char *qualname) {
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[scope];
  for (uint32_t i = 0; i < s->n_decorators; i++) {
    const al_ref *d = &f->refs.items[s->first_decorator + i];
    if (d->kind != AL_REF_DOTTED)
      continue;
    // Cheap test first: the last component must match.
    const char *last = strrchr(qualname, '.');
    last = last ? last + 1 : qualname;
    size_t ll = strlen(last);
    if (d->dotted.len < ll ||
        memcmp(d->dotted.ptr + d->dotted.len - ll, last, ll) != 0)
      continue;
    if (++r->depth > MAX_DEPTH)
      return false;
    al_target t = al_index__resolve_ref(r, file, s->parent, d);
    if (t.kind == AL_TARGET_EXTERNAL && strcmp(t.qualname, qualname) == 0)
      return true;
  }
  return false;
}

// Instance attributes assigned in the class's methods (`self.x = ...`):
// their common type, if they agree.
static al_target instance_attr(rctx *r, uint32_t file, uint32_t cls,
                               al_str name, bool *found) {
  const al_facts *f = facts_of(r->ix, file);
  const file_index *fi = fi_at(r->ix, file);
  uint32_t g;
  uint32_t n =
      find_group(f, fi->attr_groups, fi->attr_groups_mask, true, cls, name, &g);
  *found = n > 0;
  al_target result = unknown();
  bool have = false;
  for (uint32_t i = 0; i < n; i++) {
    const al_binding *b = &f->binds.items[fi->attrs[g + i]];
    // `self.conn = None` (in close()): unset, not a value of another type;
    // an annotated one (`self.conn: Conn | None = None`) says its type.
    if ((b->flags & AL_BIND_NONE_VALUE) &&
        bind_annot(r->ix, file, fi->attrs[g + i]) == AL_NONE)
      continue;
    int saved = r->depth;
    al_target t = binding_target(r, file, b);
    r->depth = saved;
    if (t.kind == AL_TARGET_UNKNOWN ||
        (have && !al_index__same_target(&result, &t)))
      return unknown();
    result = t;
    have = true;
  }
  return result;
}

static al_target function_value(rctx *r, al_target c, bool getter);

// Whether function t is a property's getter (a read calls it).
static bool is_property(rctx *r, al_target t) {
  int saved = r->depth;
  bool yes =
      al_index__has_decorator(r, t.file, t.scope, "builtins.property") ||
      al_index__has_decorator(r, t.file, t.scope, "functools.cached_property");
  r->depth = saved;
  return yes;
}

al_base_method al_index__known_base(const char *base, al_str name) {
  static const char *const protocol =
      " __enter__ __exit__ __aenter__ __aexit__ __iter__ __next__ __aiter__"
      " __anext__ __await__ __getitem__ ";
  static const struct {
    const char *base, *has; // has: the protocol methods it defines
  } known[] = {
      {"abc.ABC", ""},
      {"typing.Generic", ""},
      {"typing.Protocol", ""},
      {"typing_extensions.Protocol", ""},
      {"typing.Hashable", ""},
      {"typing.Sized", ""},
      {"collections.abc.Hashable", ""},
      {"collections.abc.Sized", ""},
      {"typing.AsyncIterable", " __aiter__ "},
      {"collections.abc.AsyncIterable", " __aiter__ "},
      {"typing.AsyncIterator", " __aiter__ __anext__ "},
      {"collections.abc.AsyncIterator", " __aiter__ __anext__ "},
      {"typing.Iterable", " __iter__ "},
      {"collections.abc.Iterable", " __iter__ "},
      {"typing.Iterator", " __iter__ __next__ "},
      {"collections.abc.Iterator", " __iter__ __next__ "},
      {"typing.Awaitable", " __await__ "},
      {"collections.abc.Awaitable", " __await__ "},
      {"typing.Coroutine", " __await__ "},
      {"collections.abc.Coroutine", " __await__ "},
      {"typing.Generator", " __iter__ __next__ "},
      {"collections.abc.Generator", " __iter__ __next__ "},
      {"typing.AsyncGenerator", " __aiter__ __anext__ "},
      {"collections.abc.AsyncGenerator", " __aiter__ __anext__ "},
      {"typing.ContextManager", " __enter__ __exit__ "},
      {"contextlib.AbstractContextManager", " __enter__ __exit__ "},
      {"typing.AsyncContextManager", " __aenter__ __aexit__ "},
      {"contextlib.AbstractAsyncContextManager", " __aenter__ __aexit__ "},
  };
  char word[24];
  if (name.len + 3 > sizeof word)
    return AL_BASE_UNKNOWN;
  snprintf(word, sizeof word, " %.*s ", (int)name.len, name.ptr);
  if (!strstr(protocol, word))
    return AL_BASE_UNKNOWN;
  for (size_t i = 0; i < sizeof known / sizeof *known; i++)
    if (strcmp(base, known[i].base) == 0)
      return strstr(known[i].has, word) ? AL_BASE_HAS : AL_BASE_LACKS;
  return AL_BASE_UNKNOWN;
}

// An attribute of a tree class (instance: through an instance), looked up
// in the class body, its instance attributes, then its bases in order.
static al_target class_attr(rctx *r, uint32_t file, uint32_t cls, al_str name,
                            bool instance, bool *found, al_target *getter) {
  *found = false;
  if (++r->depth > MAX_DEPTH) {
    *found = true;
    return unknown();
  }
  bool global;
  al_target t = resolve_in_scope(r, file, cls, name, found, &global);
  if (*found) {
    if (t.kind == AL_TARGET_FUNCTION && is_property(r, t)) {
      if (getter)
        *getter = t;
      // Reading a property through an instance calls its getter: an
      // async getter gives a coroutine (the rules' al_index_getter_kind).
      return instance ? function_value(r, t, true) : unknown();
    }
    if (instance && t.kind == AL_TARGET_INSTANCE) {
      // A declared field (`client: httpx.Client`) and what the methods
      // assign to it must agree.
      bool assigned;
      al_target v = instance_attr(r, file, cls, name, &assigned);
      return assigned ? al_index__agree(t, v) : t;
    }
    return t;
  }
  if (instance) {
    t = instance_attr(r, file, cls, name, found);
    if (*found)
      return t;
  }
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[cls];
  for (uint32_t i = 0; i < s->n_bases; i++) {
    al_target b = al_index__resolve_ref(r, file, s->parent,
                                        &f->refs.items[s->first_base + i]);
    if (b.kind == AL_TARGET_CLASS) {
      t = class_attr(r, b.file, b.scope, name, instance, found, getter);
      if (*found)
        return t;
      continue;
    }
    if (b.kind == AL_TARGET_EXTERNAL &&
        (strncmp(b.qualname, "builtins.", 9) == 0 ||
         al_index__known_base(b.qualname, name) == AL_BASE_LACKS))
      continue; // object, Exception, dict, ...: no coroutine methods
    // A library base: the catalog may know the method; else anything goes.
    *found = true;
    if (b.kind == AL_TARGET_EXTERNAL)
      return external(r->ix, al_str_from(b.qualname), name);
    return unknown();
  }
  return unknown();
}

al_target al_index__class_attr(rctx *r, uint32_t file, uint32_t cls,
                               al_str name, bool instance, bool *found) {
  return class_attr(r, file, cls, name, instance, found, NULL);
}

al_target al_index_property_getter(const al_index *self, uint32_t file,
                                   uint32_t scope, al_str dotted) {
  const char *dot = memchr(dotted.ptr, '.', dotted.len);
  al_target getter = unknown();
  if (!dot)
    return getter;
  rctx r = {.ix = self, .build = NULL};
  al_ref obj = {.dotted = {dotted.ptr, (size_t)(dot - dotted.ptr)},
                .base_call = AL_NONE,
                .kind = AL_REF_DOTTED};
  al_target t = al_index__resolve_ref(&r, file, scope, &obj);
  if (t.kind != AL_TARGET_INSTANCE || t.file == AL_NONE)
    return getter;
  al_str name = {dot + 1, dotted.len - (size_t)(dot + 1 - dotted.ptr)};
  bool found;
  class_attr(&r, t.file, t.scope, name, true, &found, &getter);
  return getter;
}

// Whether a rest of a chain has a part the extraction made up for `a / b`
// or `a[k]` (facts.h): outside the tree only the catalog's typed
// attributes say what those give; a qualified name made of them names
// nothing.
static bool made_up_part(al_str rest) {
  return al_dotted_find(rest, AL_TRUEDIV_ATTR) < rest.len ||
         al_dotted_find(rest, AL_GETITEM_ATTR) < rest.len;
}

static al_target follow_attrs(rctx *r, al_target t, al_str rest) {
  while (rest.len) {
    al_str tail;
    al_str name = split_first(rest, &tail);
    bool found = false;
    switch (t.kind) {
    case AL_TARGET_MODULE:
      if (t.file == AL_NONE) {
        bool in_tree;
        module_file(r->ix, al_str_from(t.qualname), &in_tree);
        if (!in_tree) {
          char base[AL_QUALNAME_MAX];
          memcpy(base, t.qualname, sizeof base);
          return made_up_part(rest) ? unknown()
                                    : external(r->ix, al_str_from(base), rest);
        }
      }
      t = module_attr(r, t, name, &found);
      if (!found)
        return unknown();
      break;
    case AL_TARGET_EXTERNAL: {
      char base[AL_QUALNAME_MAX];
      memcpy(base, t.qualname, sizeof base);
      return made_up_part(rest) ? unknown()
                                : external(r->ix, al_str_from(base), rest);
    }
    case AL_TARGET_INSTANCE:
      if (t.file == AL_NONE) {
        char base[AL_QUALNAME_MAX];
        memcpy(base, t.qualname, sizeof base);
        al_target a = external(r->ix, al_str_from(base), name);
        if (a.entry && (a.entry->facets & AL_CAT_ATTRIBUTE)) {
          // A typed attribute (`response.content`): go on from its value.
          t = instance_of_name(a.entry->returns);
          break;
        }
        return made_up_part(rest) ? unknown()
                                  : external(r->ix, al_str_from(base), rest);
      }
      t = al_index__class_attr(r, t.file, t.scope, name, true, &found);
      if (!found)
        return unknown();
      // `obj / x`, `obj[k]` (facts.h): what __truediv__ or __getitem__
      // gives.
      if (t.kind == AL_TARGET_FUNCTION &&
          (al_str_eq(name, AL_STR_LIT(AL_TRUEDIV_ATTR)) ||
           al_str_eq(name, AL_STR_LIT(AL_GETITEM_ATTR))))
        t = function_value(r, t, false);
      break;
    case AL_TARGET_CLASS:
      t = al_index__class_attr(r, t.file, t.scope, name, false, &found);
      if (!found)
        return unknown();
      break;
    default:
      return unknown();
    }
    rest = tail;
  }
  return t;
}

// The class whose method `scope` is (walking out of nested functions is not
// done: super() in a nested function is rare), or AL_NONE.
static uint32_t method_class(const al_facts *f, uint32_t scope) {
  if (scope == AL_NONE || scope >= f->scopes.len)
    return AL_NONE;
  const al_scope *s = &f->scopes.items[scope];
  if ((s->kind != AL_SCOPE_FUNCTION && s->kind != AL_SCOPE_ASYNC_FUNCTION) ||
      s->parent == AL_NONE || f->scopes.items[s->parent].kind != AL_SCOPE_CLASS)
    return AL_NONE;
  return s->parent;
}

al_target al_index__resolve_ref(rctx *r, uint32_t file, uint32_t scope,
                                const al_ref *ref) {
  if (++r->depth > MAX_DEPTH)
    return unknown();
  switch ((al_ref_kind)ref->kind) {
  case AL_REF_DOTTED: {
    // `jobs[k].run` (facts.h, AL_GETITEM_ATTR): the item of a container
    // the name or attribute before it is annotated as.
    al_str d = ref->dotted;
    size_t i = al_dotted_find(d, AL_GETITEM_ATTR);
    if (i > 0 && i < d.len) {
      const size_t end = i + sizeof AL_GETITEM_ATTR - 1;
      al_target item =
          al_index__subscript_item(r, file, scope, (al_str){d.ptr, i - 1});
      // Unknown: a class of the tree's own __getitem__ (follow_attrs).
      if (item.kind != AL_TARGET_UNKNOWN)
        return follow_attrs(r, item,
                            end == d.len
                                ? (al_str){0}
                                : (al_str){d.ptr + end + 1, d.len - end - 1});
    }
    al_str rest;
    al_str root = split_first(ref->dotted, &rest);
    al_target t = resolve_name(r, file, scope, root);
    return follow_attrs(r, t, rest);
  }
  case AL_REF_ON_CALL: {
    if (ref->base_call == AL_NONE)
      return unknown();
    al_target v = al_index__call_value(r, file, ref->base_call);
    if (v.kind == AL_TARGET_UNKNOWN)
      return v;
    return follow_attrs(r, v, ref->dotted);
  }
  case AL_REF_CALL_VALUE: {
    // partial(fetch, 1)(): only a partial's value is followed here; what
    // other calls give back is an instance, not something to call.
    if (ref->base_call == AL_NONE)
      return unknown();
    al_target c = al_index__resolve_callee(r, file, ref->base_call);
    if (c.kind != AL_TARGET_EXTERNAL ||
        strcmp(c.qualname, AL_PARTIAL_QUALNAME) != 0)
      return unknown(); // partialmethod(f)() raises TypeError
    return al_index__partial_value(r, file, ref->base_call, &c);
  }
  case AL_REF_SUPER: {
    const al_facts *f = facts_of(r->ix, file);
    uint32_t cls = method_class(f, scope);
    if (cls == AL_NONE)
      return unknown();
    al_str rest;
    al_str name = split_first(ref->dotted, &rest);
    const al_scope *c = &f->scopes.items[cls];
    for (uint32_t i = 0; i < c->n_bases; i++) {
      al_target b = al_index__resolve_ref(r, file, c->parent,
                                          &f->refs.items[c->first_base + i]);
      bool found = false;
      al_target t = unknown();
      if (b.kind == AL_TARGET_CLASS) {
        t = al_index__class_attr(r, b.file, b.scope, name, true, &found);
      } else if (b.kind == AL_TARGET_EXTERNAL &&
                 strncmp(b.qualname, "builtins.", 9) == 0) {
        continue;
      } else {
        return b.kind == AL_TARGET_EXTERNAL ? follow_attrs(r, b, ref->dotted)
                                            : unknown();
      }
      if (found)
        return follow_attrs(r, t, rest);
    }
    return unknown();
  }
  default:
    return unknown();
  }
}

// Calling an instance calls its class's __call__ (`handler(request)`,
// `Session()` of an async_sessionmaker): the method when the class (of
// the tree or the environment) defines one, or the catalog's entry for
// it; else the instance itself.
static al_target call_method(rctx *r, al_target t) {
  if (t.kind != AL_TARGET_INSTANCE)
    return t;
  al_str name = al_str_from("__call__");
  if (t.file != AL_NONE) {
    bool found = false;
    al_target m = al_index__class_attr(r, t.file, t.scope, name, true, &found);
    return found && m.kind == AL_TARGET_FUNCTION ? m : t;
  }
  char base[AL_QUALNAME_MAX];
  memcpy(base, t.qualname, sizeof base);
  al_target m = external(r->ix, al_str_from(base), name);
  return m.entry ? m : t;
}

al_target al_index__resolve_callee(rctx *r, uint32_t file, uint32_t call) {
  const al_facts *f = facts_of(r->ix, file);
  if (call >= f->calls.len)
    return unknown();
  const al_call *c = &f->calls.items[call];
  if (c->callee.kind == AL_REF_DOTTED && fi_at(r->ix, file)->comp_targets) {
    // A comprehension's target, seen only inside the comprehension.
    al_str rest;
    al_str root = split_first(c->callee.dotted, &rest);
    bool found;
    al_target t = al_index__comp_target(r, file, c->scope, c->span.start_byte,
                                        root, &found);
    if (found)
      return t.kind == AL_TARGET_UNKNOWN ? t : follow_attrs(r, t, rest);
  }
  // The callee's root name is read here: a loop target rebound elsewhere
  // in the function is the loop's element (nearest_loop_binding).
  rctx use = *r;
  use.at = c->span.start_byte + 1;
  use.at_file = file;
  use.at_scope = c->scope;
  al_target t = call_method(
      &use, al_index__resolve_ref(&use, file, c->scope, &c->callee));
  r->depth = use.depth;
  return t;
}

// What calling a plain def of the tree gives: its return annotation, and
// for a factory (`def make_pool(): return Pool(...)`) the instance every
// return builds; the two must agree.
// What calling plain function c gives (getter: reading the property whose
// getter c is): its annotated type, else the instance every return makes.
// Whether tree class (file, cls) is class base or derives from it, through
// bases of the tree or the environment (a few levels).
static bool derives_from(rctx *r, uint32_t file, uint32_t cls,
                         const al_target *base, int levels) {
  if (file == base->file && cls == base->scope)
    return true;
  if (levels == 0 || ++r->depth > MAX_DEPTH)
    return false;
  const al_facts *f = facts_of(r->ix, file);
  const al_scope *s = &f->scopes.items[cls];
  for (uint32_t i = 0; i < s->n_bases; i++) {
    int saved = r->depth;
    al_target b = al_index__resolve_ref(r, file, s->parent,
                                        &f->refs.items[s->first_base + i]);
    bool yes = b.kind == AL_TARGET_CLASS &&
               derives_from(r, b.file, b.scope, base, levels - 1);
    r->depth = saved;
    if (yes)
      return true;
  }
  return false;
}

// What a def gives when it returns a subclass of the class its annotation
// names (`-> AbstractProcessContext` returning a ProcessContext): the
// returned class, which says more; else the two must agree.
static al_target returned_agree(rctx *r, al_target declared, al_target result) {
  if (declared.kind == AL_TARGET_INSTANCE &&
      result.kind == AL_TARGET_INSTANCE && declared.file != AL_NONE &&
      result.file != AL_NONE && !al_index__same_target(&declared, &result) &&
      derives_from(r, result.file, result.scope, &declared, 4))
    return result;
  return al_index__agree(declared, result);
}

static al_target function_value(rctx *r, al_target c, bool getter) {
  const al_facts *f = facts_of(r->ix, c.file);
  const al_scope *s = &f->scopes.items[c.scope];
  const file_index *fi = fi_at(r->ix, c.file);
  if (s->kind != AL_SCOPE_FUNCTION || (s->flags & AL_SCOPE_GENERATOR) ||
      ++r->depth > MAX_DEPTH)
    return unknown();
  al_target declared = unknown();
  uint32_t a = return_annot(r->ix, c.file, c.scope);
  bool keeps = al_index__getter_keeps_type(r, c.file, c.scope, getter);
  if (a != AL_NONE && keeps) {
    annot_wrap wrap;
    int saved = r->depth;
    declared = al_index__annot_type(r, c.file, s->parent, a, &wrap);
    r->depth = saved;
    if (wrap != ANNOT_PLAIN)
      return unknown(); // an awaitable: awaiting it gives `declared`
  }
  uint32_t nr = fi->rets.n[c.scope];
  if ((s->n_decorators && !(getter && keeps)) || nr == 0)
    return declared;
  al_target result = unknown();
  for (uint32_t i = 0; i < nr; i++) {
    const al_return *ret = return_at(f, fi, c.scope, i);
    if (ret->kind != AL_RET_CALL || ret->target == AL_NONE)
      return declared;
    int saved = r->depth;
    al_target v = al_index__call_value(r, c.file, ret->target);
    r->depth = saved;
    if (v.kind != AL_TARGET_INSTANCE ||
        (i > 0 && !al_index__same_target(&result, &v)))
      return declared;
    result = v;
  }
  return returned_agree(r, declared, result);
}

// What a call gives back, when it is an instance of something known.
al_target al_index__call_value(rctx *r, uint32_t file, uint32_t call) {
  al_target item = al_index__container_item(r, file, call, false);
  if (item.kind != AL_TARGET_UNKNOWN)
    return item;
  al_target c = al_index__resolve_callee(r, file, call);
  switch (c.kind) {
  case AL_TARGET_CLASS:
    return tree_target(AL_TARGET_INSTANCE, c.file, c.scope);
  case AL_TARGET_EXTERNAL: {
    if (c.entry && (c.entry->facets & AL_CAT_FILE_MODE)) {
      al_str cls = al_index__file_class(r->ix, file, call, c.entry);
      return instance_of_name(cls.len ? cls : c.entry->returns);
    }
    // A coroutine's `returns` is what awaiting it gives (awaited_value).
    if (c.entry && (c.entry->facets & AL_CAT_RETURNS) &&
        !(c.entry->facets & AL_CAT_COROUTINE))
      return instance_of_name(c.entry->returns);
    if (strcmp(c.qualname, AL_PARTIAL_QUALNAME) == 0 ||
        strcmp(c.qualname, AL_PARTIALMETHOD_QUALNAME) == 0)
      return al_index__partial_value(r, file, call, &c);
    if (strcmp(c.qualname, "builtins.next") == 0)
      return al_index__next_value(r, file, call);
    // A library name spelled like a class (`httpx.AsyncClient`,
    // `asyncio.TaskGroup`): its instance, so the catalog can know its
    // methods.
    const char *last = strrchr(c.qualname, '.');
    last = last ? last + 1 : c.qualname;
    if (isupper((unsigned char)last[0]) &&
        strncmp(c.qualname, "builtins.", 9) != 0)
      return instance_of_name(al_str_from(c.qualname));
    return unknown();
  }
  case AL_TARGET_FUNCTION:
    return function_value(r, c, false);
  default:
    return unknown();
  }
}

// Resolve every big group once, at build time (see BIG_GROUP): afterwards
// the memo is only read, so the rules may resolve from several threads.
void al_index__memoise_big_groups(al_index *self) {
  uint8_t *big = NULL; // by order position: a big group starts there
  uint32_t cap = 0;
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    if (is_library(self, file))
      continue; // index_p.h: the build's steps leave libraries alone
    file_index *fi = fi_at(self, file);
    const al_facts *f = facts_of(self, file);
    if (!f || fi->n == 0)
      continue;
    fi->memo.group_state = al_xcalloc(fi->n, 1);
    fi->memo.group_slot = al_xcalloc(fi->n, sizeof(uint32_t));
  }
  for (uint32_t file = 0; file < self->project->files.len; file++) {
    if (is_library(self, file))
      continue;
    al_deps_enter(file);
    file_index *fi = fi_at(self, file);
    const al_facts *f = facts_of(self, file);
    if (!f || !fi->memo.group_state || !fi->groups)
      continue;
    // The big groups, from the group table's slots, then resolved in
    // document order (the order of their first binding).
    if (fi->n > cap) {
      free(big);
      cap = fi->n;
      big = al_xmalloc(cap);
    }
    memset(big, 0, fi->n);
    bool any = false;
    for (uint32_t h = 0; h <= fi->groups_mask; h++)
      if (fi->groups[h].n >= BIG_GROUP) {
        big[fi->groups[h].first] = 1;
        any = true;
      }
    for (uint32_t g = 0; any && g < fi->n; g++) {
      if (!big[g] || fi->memo.group_state[g] != MEMO_UNSET)
        continue;
      const al_binding *b = &f->binds.items[fi->order[g]];
      rctx r = {.ix = self, .build = self};
      bool found, global;
      resolve_in_scope(&r, file, b->scope, b->name, &found, &global);
    }
  }
  free(big);
  al_deps_enter(AL_NONE);
}

al_target al_index_resolve(const al_index *self, uint32_t file, uint32_t scope,
                           const al_ref *ref) {
  rctx r = {.ix = self, .build = NULL};
  return al_index__resolve_ref(&r, file, scope, ref);
}

al_target al_index_resolve_callee(const al_index *self, uint32_t file,
                                  uint32_t call) {
  const file_memo *m = &fi_at(self, file)->memo;
  if (m->callee_kind && call < facts_of(self, file)->calls.len &&
      m->callee_kind[call] != CALLEE_UNSET)
    return tree_target((al_target_kind)m->callee_kind[call],
                       m->callee_at[call][0], m->callee_at[call][1]);
  rctx r = {.ix = self, .build = NULL};
  return al_index__resolve_callee(&r, file, call);
}

al_target al_index_call_result(const al_index *self, uint32_t file,
                               uint32_t call) {
  rctx r = {.ix = self, .build = NULL};
  return al_index__call_value(&r, file, call);
}
