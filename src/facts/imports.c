// SPDX-License-Identifier: MIT
/*
 * Import statements: one al_import and one binding per imported name,
 * read off the statement node's children. This is what queries/imports.scm
 * describes (tests/test_imports.c checks that the two agree on every
 * fixture); running that query on each import statement cost ~1.2% of a
 * whole run, this walk almost nothing.
 */
#include "facts/extract_p.h"

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

void al_extract__import(al_extractor *x, frame *f) {
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
