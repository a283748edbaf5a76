// SPDX-License-Identifier: MIT
/*
 * Parsing the catalog's TSV lines into entries keyed by qualified name.
 * Several lines for one name merge into one entry (one facet each). The
 * format is documented in catalog/README.md. It checks the form of
 * each line (a rule code looks like one), not what the codes mean to the
 * rules (tests/test_catalog.c checks that each names a real rule), and it
 * knows nothing of the tree being linted.
 */
#include "model/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/embedded.h"
#include "base/map.h"
#include "base/vec.h"

struct al_catalog {
  al_arena *arena;
  al_vec(al_catalog_entry) entries;
  al_map by_name; // name -> index into entries
  bool wildcards; // some name is `CLASS.*` (al_catalog_get)
};

static bool is_wildcard(al_str name) {
  return name.len > 2 && name.ptr[name.len - 1] == '*' &&
         name.ptr[name.len - 2] == '.';
}

// Split off the next TAB-separated field of [*p, end).
static al_str next_field(const char **p, const char *end) {
  const char *s = *p;
  const char *t = s;
  while (t < end && *t != '\t')
    t++;
  *p = t < end ? t + 1 : end;
  return (al_str){s, (size_t)(t - s)};
}

// An arena copy of s (s itself when empty).
static al_str copy_str(al_arena *arena, al_str s) {
  return s.len ? (al_str){al_arena_strndup(arena, s.ptr, s.len), s.len} : s;
}

static bool is_code(al_str s) {
  if (s.len != 5 || s.ptr[0] != 'A' || s.ptr[1] != 'L')
    return false;
  for (size_t i = 2; i < 5; i++)
    if (s.ptr[i] < '0' || s.ptr[i] > '9')
      return false;
  return true;
}

static bool is_qualified_name(al_str s) {
  if (s.len == 0 || s.ptr[0] == '.' || s.ptr[s.len - 1] == '.')
    return false;
  for (size_t i = 0; i < s.len; i++) {
    char c = s.ptr[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && s.ptr[i + 1] == '.'))
      return false;
  }
  return true;
}

// ARGS of expects-awaitable/expects-callable/calls-sync: "0", "*", "0[]",
// "kw=name", comma-separated.
static bool parse_argspec(al_argspec *e, al_str args, al_arena *arena) {
  const char *p = args.ptr, *end = args.ptr + args.len;
  if (p == end)
    return false;
  while (p < end) {
    const char *q = p;
    while (q < end && *q != ',')
      q++;
    al_str item = {p, (size_t)(q - p)};
    if (al_str_eq_c(item, "*")) {
      e->all_positional = true;
    } else if (al_str_starts_with(item, "kw=") && item.len > 3) {
      e->keyword = copy_str(arena, (al_str){item.ptr + 3, item.len - 3});
    } else {
      size_t n = item.len;
      if (n > 2 && item.ptr[n - 2] == '[' && item.ptr[n - 1] == ']') {
        e->elements = true;
        n -= 2;
      }
      if (n == 0 || n > 2)
        return false;
      unsigned pos = 0;
      for (size_t i = 0; i < n; i++) {
        if (item.ptr[i] < '0' || item.ptr[i] > '9')
          return false;
        pos = pos * 10 + (unsigned)(item.ptr[i] - '0');
      }
      if (pos >= 32)
        return false;
      e->positions |= 1u << pos;
    }
    p = q < end ? q + 1 : end;
  }
  return true;
}

static al_catalog_entry *entry_for(al_catalog *self, al_str name,
                                   uint32_t line) {
  uint32_t idx;
  if (al_map_get(&self->by_name, name, &idx))
    return vec_get(&self->entries, idx);
  al_catalog_entry *e = vec_grow1(&self->entries);
  e->name = copy_str(self->arena, name);
  e->line = line;
  self->wildcards |= is_wildcard(name);
  // The key must not move: point it at the arena copy.
  al_map_put(&self->by_name, e->name, self->entries.len - 1);
  return e;
}

// One line being parsed: where it is (for messages), the fields still to
// read, and the entry its facet goes to.
typedef struct {
  al_catalog *self;
  const char *file;
  uint32_t line;
  uint32_t col;        // column of the facet field (1-based)
  const char *p, *end; // the fields after the facet
  al_catalog_entry *e;
  al_error *err;
} line_ctx;

// The column of the first detail field, after the facet.
static uint32_t detail_col(const line_ctx *l, al_str facet) {
  return l->col + (uint32_t)facet.len + 1;
}

// Facets without details, and the flag each sets.
static const struct {
  const char *name;
  uint32_t flag;
} plain_facets[] = {
    {"coroutine", AL_CAT_COROUTINE},
    {"awaitable", AL_CAT_AWAITABLE},
    {"task", AL_CAT_TASK},
    {"makes-nonblocking", AL_CAT_MAKES_NONBLOCKING},
    {"runs-event-loop", AL_CAT_RUNS_EVENT_LOOP},
    {"new-event-loop", AL_CAT_NEW_EVENT_LOOP},
    {"async-iterable", AL_CAT_ASYNC_ITERABLE},
    {"context-manager", AL_CAT_CONTEXT_MANAGER},
    {"iterable", AL_CAT_ITERABLE},
    {"transparent-decorator", AL_CAT_TRANSPARENT_DECORATOR},
    {"async-context-manager", AL_CAT_ASYNC_CONTEXT_MANAGER},
    {"direct-only", AL_CAT_DIRECT_ONLY},
    {"blocking-if-used", AL_CAT_BLOCKING_IF_USED},
    {"pass-through-decorator", AL_CAT_PASS_THROUGH_DECORATOR},
    {"caches-result", AL_CAT_CACHES_RESULT},
};

static bool parse_ready_when(line_ctx *l) {
  al_str pred = next_field(&l->p, l->end);
  al_str val = next_field(&l->p, l->end);
  if (pred.len == 0 || !(al_str_eq_c(val, "true") || al_str_eq_c(val, "false")))
    return al_error_set(l->err, l->file, l->line, l->col,
                        "ready-when needs a predicate method and true or "
                        "false");
  l->e->facets |= AL_CAT_READY_WHEN;
  l->e->ready_pred = copy_str(l->self->arena, pred);
  l->e->ready_value = al_str_eq_c(val, "true");
  return true;
}

// The optional COND of blocking-unless and unless-made-with: nothing,
// `false` or `names:TEXT`.
static bool parse_unless_cond(line_ctx *l, uint8_t *cond_out,
                              al_str *names_out) {
  al_str cond = l->p < l->end ? next_field(&l->p, l->end) : (al_str){0};
  if (cond.len == 0) {
    *cond_out = AL_UNLESS_PRESENT;
  } else if (al_str_eq_c(cond, "false")) {
    *cond_out = AL_UNLESS_FALSY;
  } else if (al_str_starts_with(cond, "names:") && cond.len > 6) {
    *cond_out = AL_UNLESS_NAMES;
    *names_out = copy_str(l->self->arena, (al_str){cond.ptr + 6, cond.len - 6});
  } else {
    return al_error_set(l->err, l->file, l->line, l->col,
                        "bad condition '%.*s' (expected 'false' or "
                        "'names:TEXT')",
                        (int)cond.len, cond.ptr);
  }
  return true;
}

// The facets whose detail is an argument list (ARGS).
static bool is_args_facet(al_str facet) {
  return al_str_eq_c(facet, "expects-awaitable") ||
         al_str_eq_c(facet, "expects-callable") ||
         al_str_eq_c(facet, "calls-sync") ||
         al_str_eq_c(facet, "blocking-unless") ||
         al_str_eq_c(facet, "blocking-if") ||
         al_str_eq_c(facet, "unless-made-with") ||
         al_str_eq_c(facet, "file-mode");
}

static bool parse_args_facet(line_ctx *l, al_str facet) {
  al_catalog_entry *e = l->e;
  al_str args = next_field(&l->p, l->end);
  al_argspec spec = {0};
  if (!parse_argspec(&spec, args, l->self->arena))
    return al_error_set(l->err, l->file, l->line, detail_col(l, facet),
                        "bad argument list '%.*s' (expected positions, "
                        "'*', 'N[]' or 'kw=NAME', comma-separated)",
                        (int)args.len, args.ptr);
  if (al_str_eq_c(facet, "expects-awaitable")) {
    e->facets |= AL_CAT_EXPECTS_AWAITABLE;
    e->awaitable_positions = spec.positions;
    e->awaitable_all_positional = spec.all_positional;
    e->awaitable_elements = spec.elements;
    e->awaitable_keyword = spec.keyword;
  } else if (al_str_eq_c(facet, "expects-callable")) {
    e->facets |= AL_CAT_EXPECTS_CALLABLE;
    e->callable_args = spec;
  } else if (al_str_eq_c(facet, "blocking-if")) {
    e->facets |= AL_CAT_BLOCKING_IF;
    e->if_args = spec;
  } else if (al_str_eq_c(facet, "blocking-unless")) {
    e->facets |= AL_CAT_BLOCKING_UNLESS;
    e->unless_args = spec;
    return parse_unless_cond(l, &e->unless_cond, &e->unless_names);
  } else if (al_str_eq_c(facet, "file-mode")) {
    e->facets |= AL_CAT_FILE_MODE;
    e->mode_args = spec;
  } else if (al_str_eq_c(facet, "unless-made-with")) {
    e->facets |= AL_CAT_UNLESS_MADE_WITH;
    e->made_args = spec;
    return parse_unless_cond(l, &e->made_cond, &e->made_names);
  } else {
    e->facets |= AL_CAT_CALLS_SYNC;
    e->sync_args = spec;
  }
  return true;
}

static bool parse_blocking(line_ctx *l, al_str facet) {
  al_catalog_entry *e = l->e;
  al_str code = next_field(&l->p, l->end);
  al_str repl = next_field(&l->p, l->end);
  if (!is_code(code))
    return al_error_set(l->err, l->file, l->line, detail_col(l, facet),
                        "expected a rule code such as AL200, got '%.*s'",
                        (int)code.len, code.ptr);
  if (repl.len == 0)
    return al_error_set(l->err, l->file, l->line, l->col,
                        "blocking entry without "
                        "a replacement");
  if (!(e->facets & AL_CAT_BLOCKING)) {
    e->facets |= AL_CAT_BLOCKING;
    e->blocking_code = al_arena_strndup(l->self->arena, code.ptr, code.len);
    e->replacement = al_arena_strndup(l->self->arena, repl.ptr, repl.len);
  }
  return true;
}

// `returns CLASS` and `attribute CLASS`.
static bool parse_returns(line_ctx *l, al_str facet) {
  al_str cls = next_field(&l->p, l->end);
  if (!is_qualified_name(cls))
    return al_error_set(l->err, l->file, l->line, detail_col(l, facet),
                        "expected a qualified class name, got '%.*s'",
                        (int)cls.len, cls.ptr);
  l->e->facets |=
      al_str_eq_c(facet, "returns") ? AL_CAT_RETURNS : AL_CAT_ATTRIBUTE;
  l->e->returns = copy_str(l->self->arena, cls);
  return true;
}

// `returns-items CLASS,CLASS,...`: what unpacking the result gives.
static bool parse_items(line_ctx *l, al_str facet) {
  al_str list = next_field(&l->p, l->end);
  const char *p = list.ptr, *end = list.ptr + list.len;
  while (list.len && p <= end) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    al_str cls = {p, (size_t)((comma ? comma : end) - p)};
    if (!is_qualified_name(cls))
      break;
    p = (comma ? comma : end) + 1;
    if (!comma) {
      l->e->facets |= AL_CAT_RETURNS_ITEMS;
      l->e->items = copy_str(l->self->arena, list);
      return true;
    }
  }
  return al_error_set(l->err, l->file, l->line, detail_col(l, facet),
                      "expected qualified class names separated by commas, "
                      "got '%.*s'",
                      (int)list.len, list.ptr);
}

// The facet of l and its details.
static bool parse_facet(line_ctx *l, al_str facet) {
  for (size_t i = 0; i < sizeof plain_facets / sizeof plain_facets[0]; i++)
    if (al_str_eq_c(facet, plain_facets[i].name)) {
      l->e->facets |= plain_facets[i].flag;
      return true;
    }
  if (al_str_eq_c(facet, "ready-when"))
    return parse_ready_when(l);
  if (is_args_facet(facet))
    return parse_args_facet(l, facet);
  if (al_str_eq_c(facet, "blocking"))
    return parse_blocking(l, facet);
  if (al_str_eq_c(facet, "returns") || al_str_eq_c(facet, "attribute"))
    return parse_returns(l, facet);
  if (al_str_eq_c(facet, "returns-items"))
    return parse_items(l, facet);
  return al_error_set(l->err, l->file, l->line, l->col, "unknown facet '%.*s'",
                      (int)facet.len, facet.ptr);
}

static bool parse_line(al_catalog *self, const char *file, uint32_t line_no,
                       const char *p, const char *end, al_error *err) {
  al_str name = next_field(&p, end);
  al_str facet = next_field(&p, end);
  // `CLASS.*`: every method of CLASS not listed itself (al_catalog_get).
  al_str checked = is_wildcard(name) ? (al_str){name.ptr, name.len - 2} : name;
  if (!is_qualified_name(checked))
    return al_error_set(err, file, line_no, 1,
                        "expected a qualified name, got '%.*s'", (int)name.len,
                        name.ptr);
  line_ctx l = {self,
                file,
                line_no,
                (uint32_t)name.len + 2,
                p,
                end,
                entry_for(self, name, line_no),
                err};
  if (!parse_facet(&l, facet))
    return false;
  if (l.p != end)
    return al_error_set(err, file, line_no, 1, "too many fields");
  return true;
}

// Parses the lines of n texts into self; false (self freed) on a bad line.
static bool parse_texts(al_catalog *self, const char *const *names,
                        const char *const *texts, const uint32_t *lens,
                        uint32_t n, al_error *err) {
  for (uint32_t f = 0; f < n; f++) {
    const char *p = texts[f], *end = texts[f] + lens[f];
    uint32_t line_no = 0;
    while (p < end) {
      const char *eol = memchr(p, '\n', (size_t)(end - p));
      if (!eol)
        eol = end;
      line_no++;
      const char *le = eol;
      if (le > p && le[-1] == '\r')
        le--;
      if (le > p && *p != '#' &&
          !parse_line(self, names[f], line_no, p, le, err)) {
        al_catalog_free(self);
        return false;
      }
      p = eol < end ? eol + 1 : end;
    }
  }
  return true;
}

al_catalog *al_catalog_parse(const char *const *names, const char *const *texts,
                             const uint32_t *lens, uint32_t n, al_error *err) {
  al_catalog *self = al_xcalloc(1, sizeof *self);
  self->arena = al_arena_new();
  return parse_texts(self, names, texts, lens, n, err) ? self : NULL;
}

static const char *copy_cstr(al_arena *arena, const char *s) {
  return s ? al_arena_strndup(arena, s, strlen(s)) : NULL;
}

al_catalog *al_catalog_extend(const al_catalog *base, const char *name,
                              const char *text, uint32_t len, al_error *err) {
  al_catalog *self = al_xcalloc(1, sizeof *self);
  self->arena = al_arena_new();
  for (uint32_t i = 0; i < base->entries.len; i++) {
    al_catalog_entry e = base->entries.items[i];
    e.name = copy_str(self->arena, e.name);
    e.awaitable_keyword = copy_str(self->arena, e.awaitable_keyword);
    e.callable_args.keyword = copy_str(self->arena, e.callable_args.keyword);
    e.sync_args.keyword = copy_str(self->arena, e.sync_args.keyword);
    e.unless_args.keyword = copy_str(self->arena, e.unless_args.keyword);
    e.unless_names = copy_str(self->arena, e.unless_names);
    e.if_args.keyword = copy_str(self->arena, e.if_args.keyword);
    e.made_args.keyword = copy_str(self->arena, e.made_args.keyword);
    e.made_names = copy_str(self->arena, e.made_names);
    e.mode_args.keyword = copy_str(self->arena, e.mode_args.keyword);
    e.ready_pred = copy_str(self->arena, e.ready_pred);
    e.returns = copy_str(self->arena, e.returns);
    e.blocking_code = copy_cstr(self->arena, e.blocking_code);
    e.replacement = copy_cstr(self->arena, e.replacement);
    vec_push(&self->entries, e);
    al_map_put(&self->by_name, vec_last(&self->entries)->name,
               self->entries.len - 1);
    self->wildcards |= is_wildcard(e.name);
  }
  return parse_texts(self, &name, &text, &len, 1, err) ? self : NULL;
}

void al_catalog_free(al_catalog *self) {
  if (!self)
    return;
  vec_free(&self->entries);
  al_map_free(&self->by_name);
  al_arena_free(self->arena);
  free(self);
}

const al_catalog_entry *al_catalog_get(const al_catalog *self, al_str name) {
  uint32_t idx;
  if (al_map_get(&self->by_name, name, &idx))
    return &self->entries.items[idx];
  // A method of a class whose methods are made at run time (`CLASS.*`).
  if (!self->wildcards || is_wildcard(name))
    return NULL;
  size_t dot = name.len;
  while (dot > 0 && name.ptr[dot - 1] != '.')
    dot--;
  char key[256];
  if (dot < 2 || dot + 1 > sizeof key)
    return NULL;
  memcpy(key, name.ptr, dot);
  key[dot] = '*';
  if (!al_map_get(&self->by_name, (al_str){key, dot + 1}, &idx))
    return NULL;
  return &self->entries.items[idx];
}

uint32_t al_catalog_size(const al_catalog *self) { return self->entries.len; }

const al_catalog_entry *al_catalog_entry_at(const al_catalog *self,
                                            uint32_t i) {
  return i < self->entries.len ? &self->entries.items[i] : NULL;
}

static al_catalog *builtin;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void free_builtin(void) { al_catalog_free(builtin); }

static void load_builtin(void) {
  const char *names[64];
  const char *texts[64];
  uint32_t lens[64];
  uint32_t n = 0;
  for (uint32_t i = 0; i < al_embedded_count && n < 64; i++) {
    const al_embedded_file *f = &al_embedded_files[i];
    size_t len = strlen(f->name);
    if (strncmp(f->name, "catalog/", 8) != 0 || len < 4 ||
        strcmp(f->name + len - 4, ".tsv") != 0)
      continue;
    names[n] = f->name;
    texts[n] = f->data;
    lens[n] = f->len;
    n++;
  }
  al_error err = {0};
  builtin = al_catalog_parse(names, texts, lens, n, &err);
  if (!builtin) {
    fprintf(stderr, "asynclint: %s:%u:%u: bad catalog line: %s\n", err.path,
            err.line, err.column, err.message);
    exit(2);
  }
  atexit(free_builtin);
}

const al_catalog *al_catalog_builtin(void) {
  pthread_once(&once, load_builtin);
  return builtin;
}

bool al_argspec_has(const al_argspec *spec, const al_arg *a) {
  if (a->kind == AL_ARG_ELEMENT)
    return false;
  if (a->index == AL_ARG_KEYWORD)
    return spec->keyword.len && al_str_eq(a->keyword, spec->keyword);
  return spec->all_positional ||
         (a->index < 32 && (spec->positions & (1u << a->index)));
}
