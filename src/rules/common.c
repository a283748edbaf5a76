// SPDX-License-Identifier: MIT
/*
 * Naming callees in messages, placing code in its scope, matching
 * arguments against the catalog's argument specs, and which names are
 * read.
 */
#include "rules/common_p.h"

#include <string.h>

#include "model/deps.h"

// How to name the value of a call of partial in a message:
// "partial(fetch, ...)".
static const char *partial_written(al_rule_ctx *ctx, uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  const al_arg *fn = c->n_args ? &ctx->facts->args.items[c->first_arg] : NULL;
  if (fn && fn->kind == AL_ARG_REF)
    return al_arena_printf(ctx->arena, "%s(%.*s%s)",
                           al_rules_written(ctx, call), (int)fn->ref.dotted.len,
                           fn->ref.dotted.ptr, c->n_args > 1 ? ", ..." : "");
  return al_arena_printf(ctx->arena, "%s(...)", al_rules_written(ctx, call));
}

// A dotted chain as written: its AL_TRUEDIV_ATTR and AL_GETITEM_ATTR parts
// back to `a / ...` and `a[...]` (facts.h): "base.__truediv__.read_text"
// is "(base / ...).read_text", "jobs.__getitem__.run" "jobs[...].run".
static const char *chain_written(al_rule_ctx *ctx, al_str d) {
  const size_t kd = sizeof AL_TRUEDIV_ATTR, ki = sizeof AL_GETITEM_ATTR;
  size_t n = 0; // the joins: one '(' each
  for (size_t i = 1; i < d.len; i++)
    n += d.ptr[i - 1] == '.' && al_dotted_part_at(d, i, AL_TRUEDIV_ATTR);
  if (!n && al_dotted_find(d, AL_GETITEM_ATTR) == d.len)
    return al_arena_strndup(ctx->arena, d.ptr, d.len);
  char *out = al_arena_alloc(ctx->arena, d.len + n + 1), *o = out;
  memset(o, '(', n);
  o += n;
  for (size_t i = 0; i < d.len;) {
    // `.NAME` (kd, ki: the part with its dot) becomes the syntax.
    bool dot = d.ptr[i] == '.';
    if (dot && al_dotted_part_at(d, i + 1, AL_TRUEDIV_ATTR)) {
      memcpy(o, " / ...)", 7);
      o += 7;
      i += kd;
    } else if (dot && al_dotted_part_at(d, i + 1, AL_GETITEM_ATTR)) {
      memcpy(o, "[...]", 5);
      o += 5;
      i += ki;
    } else {
      *o++ = d.ptr[i++];
    }
  }
  *o = 0;
  return out;
}

const char *al_rules_written(al_rule_ctx *ctx, uint32_t call) {
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->callee.kind == AL_REF_DOTTED)
    return chain_written(ctx, c->callee.dotted);
  if (c->callee.kind == AL_REF_SUPER || c->callee.kind == AL_REF_ON_CALL)
    return chain_written(
        ctx, al_str_from(al_arena_printf(
                 ctx->arena, "%s.%.*s",
                 c->callee.kind == AL_REF_SUPER ? "super()" : "(...)",
                 (int)c->callee.dotted.len, c->callee.dotted.ptr)));
  if (c->callee.kind == AL_REF_CALL_VALUE && c->callee.base_call != AL_NONE)
    return partial_written(ctx, c->callee.base_call);
  return "(call)";
}

const al_project_file *al_rule_file(const al_rule_ctx *ctx, uint32_t file) {
  al_deps_touch(file);
  al_index_need_file(ctx->index, file);
  return &ctx->project->files.items[file];
}

const char *al_rules_describe(al_rule_ctx *ctx, const char *written,
                              const al_target *t) {
  if (t->kind == AL_TARGET_FUNCTION || t->kind == AL_TARGET_CLASS) {
    const al_project_file *pf = al_rule_file(ctx, t->file);
    const al_scope *s = &pf->facts->scopes.items[t->scope];
    char lib[AL_QUALNAME_MAX]; // a library's def: by name, not path
    if (al_index_library_qualname(ctx->index, t->file, t->scope, lib,
                                  sizeof lib))
      return al_arena_printf(ctx->arena, "'%s' (%s)", written, lib);
    if (strcmp(t->qualname, AL_PARTIAL_QUALNAME) == 0)
      return al_arena_printf(ctx->arena, "'%s' (a partial of '%.*s', %s:%u)",
                             written, (int)s->name.len, s->name.ptr, pf->path,
                             al_facts_line(pf->facts, s->name_span));
    return al_arena_printf(ctx->arena, "'%s' (%s:%u)", written, pf->path,
                           al_facts_line(pf->facts, s->name_span));
  }
  // A value annotated as a callable giving an awaitable (model/types.c).
  static const char callable[] = "typing.Callable.returns_";
  if (strncmp(t->qualname, callable, sizeof callable - 1) == 0)
    return al_arena_printf(
        ctx->arena, "'%s' (annotated Callable[..., %s])", written,
        t->qualname[sizeof callable - 1] == 'c' ? "Coroutine" : "Awaitable");
  if (t->qualname[0] && strcmp(t->qualname, written) != 0)
    return al_arena_printf(ctx->arena, "'%s' (%s)", written, t->qualname);
  return al_arena_printf(ctx->arena, "'%s'", written);
}

al_scope_kind al_rules_running_in(const al_facts *facts, uint32_t scope,
                                  uint32_t *which) {
  if (which)
    *which = scope;
  if (scope >= facts->scopes.len)
    return AL_SCOPE_MODULE;
  return (al_scope_kind)facts->scopes.items[scope].kind;
}

bool al_rules_on_event_loop(const al_facts *facts, uint32_t scope) {
  return al_rules_running_in(facts, scope, NULL) == AL_SCOPE_ASYNC_FUNCTION;
}

const char *al_rules_ref_text(al_rule_ctx *ctx, const al_ref *ref) {
  if (ref->kind == AL_REF_ON_CALL && ref->base_call != AL_NONE) {
    // `Worker().run`: the call as written, its arguments elided.
    const al_call *c = &ctx->facts->calls.items[ref->base_call];
    return chain_written(
        ctx,
        al_str_from(al_arena_printf(
            ctx->arena, "%s(%s).%.*s", al_rules_written(ctx, ref->base_call),
            c->n_args ? "..." : "", (int)ref->dotted.len, ref->dotted.ptr)));
  }
  return chain_written(ctx, ref->dotted);
}

al_target al_rules_callable_arg(al_rule_ctx *ctx, uint32_t scope,
                                const al_arg *a, const char **written) {
  if (a->kind == AL_ARG_REF || a->kind == AL_ARG_ELEMENT) {
    *written = al_rules_ref_text(ctx, &a->ref);
    return al_index_resolve(ctx->index, ctx->file, scope, &a->ref);
  }
  al_target t = {.kind = AL_TARGET_UNKNOWN};
  if (a->kind != AL_ARG_CALL || a->target == AL_NONE)
    return t;
  // A call whose value is a function: a partial object.
  t = al_index_call_result(ctx->index, ctx->file, a->target);
  if (t.kind != AL_TARGET_FUNCTION && t.kind != AL_TARGET_EXTERNAL)
    return (al_target){.kind = AL_TARGET_UNKNOWN};
  *written = partial_written(ctx, a->target);
  return t;
}

bool al_rules_bound_elsewhere(const al_facts *f, uint32_t which) {
  const al_binding *b = &f->binds.items[which];
  for (uint32_t i = 0; i < f->binds.len; i++)
    if (i != which && f->binds.items[i].scope == b->scope &&
        al_str_eq(f->binds.items[i].name, b->name))
      return true;
  return false;
}

// --- names read -------------------------------------------------------------

// "scope:name" into buf (cap >= 11 + name.len + 1); returns the length.
static size_t format_key(char *buf, uint32_t scope, al_str name) {
  char digits[10];
  size_t n = 0, o = 0;
  do {
    digits[n++] = (char)('0' + scope % 10);
    scope /= 10;
  } while (scope);
  while (n)
    buf[o++] = digits[--n];
  buf[o++] = ':';
  memcpy(buf + o, name.ptr, name.len);
  o += name.len;
  buf[o] = 0;
  return o;
}

static al_str read_key(al_arena *arena, uint32_t scope, al_str name) {
  char *k = al_arena_alloc(arena, 11 + name.len + 1);
  return (al_str){k, format_key(k, scope, name)};
}

void al_read_set_build(al_read_set *rs, const al_facts *f, al_arena *arena) {
  rs->set = AL_MAP_INIT;
  rs->arena = arena;
  for (uint32_t i = 0; i < f->uses.len; i++) {
    const al_use *u = &f->uses.items[i];
    const al_binding *b = &f->binds.items[u->binding];
    const al_call *p = u->ctx == AL_CTX_ARG && u->parent_call != AL_NONE
                           ? &f->calls.items[u->parent_call]
                           : NULL;
    uint32_t how = p && p->callee.kind == AL_REF_DOTTED &&
                           al_str_eq_c(p->callee.dotted, "len")
                       ? 1
                       : 2;
    al_str key = read_key(arena, b->scope, b->name);
    uint32_t had = 0;
    if (!al_map_get(&rs->set, key, &had) || had < how)
      al_map_put(&rs->set, key, how);
  }
}

// How `name` in function `scope` is read: 0 not at all, 1 only counted
// (len), 2 otherwise.
static uint32_t read_how(const al_read_set *rs, uint32_t scope, al_str name) {
  uint32_t how = 0;
  if (rs->set.len == 0)
    return 0;
  char buf[256];
  al_str key = 11 + name.len + 1 <= sizeof buf
                   ? (al_str){buf, format_key(buf, scope, name)}
                   : read_key(rs->arena, scope, name);
  return al_map_get(&rs->set, key, &how) ? how : 0;
}

bool al_name_is_consumed(const al_read_set *rs, uint32_t scope, al_str name) {
  return read_how(rs, scope, name) == 2;
}

bool al_name_is_read(const al_read_set *rs, uint32_t scope, al_str name) {
  return read_how(rs, scope, name) != 0;
}

// Whether any read of `name` in function `scope` (or a function nested in
// it) was recorded, whichever binding it belongs to.

bool al_in_function(const al_facts *f, uint32_t scope) {
  al_scope_kind k = (al_scope_kind)f->scopes.items[scope].kind;
  return k == AL_SCOPE_FUNCTION || k == AL_SCOPE_ASYNC_FUNCTION;
}

// Whether binding `which`'s name is declared global/nonlocal in its scope:
// the value then lives outside the function.
bool al_declared_outside(const al_facts *f, uint32_t which) {
  const al_binding *b = &f->binds.items[which];
  for (uint32_t i = 0; i < f->binds.len; i++)
    if (f->binds.items[i].kind == AL_BIND_GLOBAL &&
        f->binds.items[i].scope == b->scope &&
        al_str_eq(f->binds.items[i].name, b->name))
      return true;
  return false;
}
