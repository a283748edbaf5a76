// SPDX-License-Identifier: MIT
/*
 * queries/imports.scm is the declarative description of the import
 * bindings; extraction reads them off each import statement's children
 * instead (running the query per statement cost ~1.2% of a run). This test
 * holds the two together: on inline cases (broken statements among them)
 * and on every Python file of the fixture tree given as argv[1], the
 * imports al_extract records must be exactly those the query matches, in
 * the same order.
 */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "facts/extract.h"
#include "source/file.h"
#include "syntax/node.h"
#include "syntax/parser.h"
#include "syntax/query.h"

static const char *fixtures_dir;

// One import as the query sees it.
typedef struct {
  char module[256]; // without the leading dots
  char name[256];
  char local[256];
  unsigned level, flags; // flags: FROM, STAR, ALIASED only
  uint32_t start;        // span start byte
} expected;

// Dotted text without blanks and line continuations, as extraction keeps it.
static void squeeze(const char *text, TSNode n, char *out, size_t cap) {
  size_t o = 0;
  for (uint32_t i = ts_node_start_byte(n); i < ts_node_end_byte(n); i++) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\')
      continue;
    if (o + 1 < cap)
      out[o++] = c;
  }
  out[o] = 0;
}

static void node_text(const char *text, TSNode n, char *out, size_t cap) {
  uint32_t len = ts_node_end_byte(n) - ts_node_start_byte(n);
  if (len >= cap)
    len = (uint32_t)cap - 1;
  memcpy(out, text + ts_node_start_byte(n), len);
  out[len] = 0;
}

// The matches of the import query on one statement, turned into imports
// the way the extractor documents them (facts.h, al_import).
static size_t query_imports(const char *text, TSNode stmt, expected *out,
                            size_t cap) {
  const TSQuery *q = al_query_get(AL_QUERY_IMPORTS);
  uint32_t c_imod = al_query_capture(q, "import.module");
  uint32_t c_ialias = al_query_capture(q, "import.alias");
  uint32_t c_fmod = al_query_capture(q, "from.module");
  uint32_t c_fname = al_query_capture(q, "from.name");
  uint32_t c_falias = al_query_capture(q, "from.alias");
  uint32_t c_fstar = al_query_capture(q, "from.star");
  TSQueryCursor *qc = ts_query_cursor_new();
  ts_query_cursor_exec(qc, q, stmt);
  TSQueryMatch m;
  size_t n = 0;
  while (ts_query_cursor_next_match(qc, &m)) {
    TSNode mod = {0}, name = {0}, alias = {0};
    bool from = false, star = false;
    for (uint16_t i = 0; i < m.capture_count; i++) {
      uint32_t c = m.captures[i].index;
      TSNode node = m.captures[i].node;
      if (c == c_imod) {
        mod = node;
      } else if (c == c_ialias || c == c_falias) {
        alias = node;
      } else if (c == c_fmod) {
        mod = node;
        from = true;
      } else if (c == c_fname) {
        name = node;
      } else if (c == c_fstar) {
        star = true;
      }
    }
    if (ts_node_is_null(mod) || (from && !star && ts_node_is_null(name)))
      continue;
    assert_true(n < cap);
    expected *e = &out[n++];
    memset(e, 0, sizeof *e);
    e->start = ts_node_start_byte(ts_node_is_null(name) ? mod : name);
    char full[256];
    squeeze(text, mod, full, sizeof full);
    if (!ts_node_is_null(alias))
      e->flags |= AL_IMPORT_ALIASED;
    if (from) {
      e->flags |= AL_IMPORT_FROM;
      size_t dots = strspn(full, ".");
      e->level = (unsigned)dots;
      memmove(full, full + dots, strlen(full + dots) + 1);
      strcpy(e->module, full);
      if (star) {
        e->flags |= AL_IMPORT_STAR;
        strcpy(e->name, "*");
        strcpy(e->local, "*");
        continue;
      }
      squeeze(text, name, e->name, sizeof e->name);
      if (ts_node_is_null(alias))
        strcpy(e->local, e->name);
      else
        node_text(text, alias, e->local, sizeof e->local);
    } else {
      strcpy(e->module, full);
      if (ts_node_is_null(alias)) {
        strcpy(e->local, full);
        char *dot = strchr(e->local, '.');
        if (dot)
          *dot = 0;
      } else {
        node_text(text, alias, e->local, sizeof e->local);
      }
    }
  }
  ts_query_cursor_delete(qc);
  return n;
}

static bool str_is(al_str s, const char *c) {
  return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

#define MAX_IMPORTS 4096

// Compare extraction with the query on one text; returns the number of
// imports checked. label names the input in failure messages.
static size_t check_source(const char *label, al_arena *arena,
                           const al_source *srcp) {
  al_source src = *srcp;
  al_extractor *x = al_extractor_new();
  al_facts *facts = al_extract(x, &src);
  al_extractor_free(x);

  static expected want[MAX_IMPORTS];
  size_t n = 0;
  al_parser *p = al_parser_new();
  bool gave_up = false;
  TSTree *tree = al_parser_parse(p, src.text, (uint32_t)src.len, &gave_up);
  if (tree) {
    // Every import statement, in document order (an iterative walk).
    TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
    for (;;) {
      TSNode node = ts_tree_cursor_current_node(&c);
      al_kind k = al_node_kind(node);
      bool stmt = k == AL_K_IMPORT_STATEMENT || k == AL_K_IMPORT_FROM_STATEMENT;
      if (stmt)
        n += query_imports(src.text, node, want + n, MAX_IMPORTS - n);
      if (!stmt && ts_tree_cursor_goto_first_child(&c))
        continue;
      while (!ts_tree_cursor_goto_next_sibling(&c))
        if (!ts_tree_cursor_goto_parent(&c))
          goto done;
    }
  done:
    ts_tree_cursor_delete(&c);
    ts_tree_delete(tree);
  }
  al_parser_free(p);

  if (facts->imports.len != n)
    fail_msg("%s: extraction has %u imports, the query %zu", label,
             facts->imports.len, n);
  for (size_t i = 0; i < n; i++) {
    const al_import *im = &facts->imports.items[i];
    const expected *e = &want[i];
    unsigned flags =
        im->flags & (AL_IMPORT_FROM | AL_IMPORT_STAR | AL_IMPORT_ALIASED);
    if (!str_is(im->module, e->module) || im->level != e->level ||
        !str_is(im->local, e->local) || flags != e->flags ||
        im->span.start_byte != e->start ||
        ((im->flags & AL_IMPORT_FROM) && !str_is(im->name, e->name)))
      fail_msg("%s: import %zu: extraction %.*s (level %u) name %.*s local "
               "%.*s flags %u at %u; query %s (level %u) name %s local %s "
               "flags %u at %u",
               label, i, (int)im->module.len, im->module.ptr, im->level,
               (int)im->name.len, im->name.ptr, (int)im->local.len,
               im->local.ptr, flags, im->span.start_byte, e->module, e->level,
               e->name, e->local, e->flags, e->start);
  }
  al_facts_free(facts);
  al_arena_free(arena);
  return n;
}

static size_t check_text(const char *label, const char *text, size_t len) {
  al_arena *arena = al_arena_new();
  al_source src;
  assert_true(al_source_from_bytes(&src, arena, label, text, len));
  return check_source(label, arena, &src);
}

static void test_inline_cases(void **state) {
  (void)state;
  static const struct {
    const char *text;
    size_t n; // imports the query finds (so the test cannot pass on zero)
#define ANY SIZE_MAX
  } cases[] = {
      {"import a\n", 1},
      {"import a.b.c, d as e, f . g as h\n", 3},
      {"from x import y\n", 1},
      {"from x.y import (a, b as c,  # comment\n  d)\n", 3},
      {"from . import a\nfrom .. import b as c\nfrom ...p.q import r\n", 3},
      {"from x import *\nfrom . import *\n", 2},
      {"from __future__ import annotations\nimport a\n", 1},
      {"def f():\n    import a\n    from b import c\n", 2},
      {"try:\n    import ujson as json\nexcept ImportError:\n"
       "    import json\n",
       2},
      {"import a \\\n  .b\n", 1},
      // Broken statements: whatever the parser recovers, the two must
      // agree (ANY: no count is right or wrong).
      {"from x import\n", ANY},
      {"import\n", ANY},
      {"from . import (a,\n", ANY},
      {"from x import a as\n", ANY},
      {"import a as\nimport b\n", ANY},
      {"from import a\n", ANY},
      {"import a, , b\n", ANY},
      {"from x import (a as b c, d)\n", ANY},
      {"import a.\n", ANY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char label[32];
    snprintf(label, sizeof label, "case %zu", i);
    size_t got = check_text(label, cases[i].text, strlen(cases[i].text));
    if (cases[i].n != ANY && got != cases[i].n)
      fail_msg("%s: the query found %zu imports, the case expects %zu", label,
               got, cases[i].n);
  }
}

static size_t total;
static size_t files;

static int check_file(const char *path, const struct stat *st, int type,
                      struct FTW *ftw) {
  (void)st;
  (void)ftw;
  size_t len = strlen(path);
  if (type != FTW_F || len < 3 || strcmp(path + len - 3, ".py") != 0)
    return 0;
  al_arena *arena = al_arena_new();
  al_source src;
  if (!al_source_read(&src, arena, path, path) || !src.ok) {
    al_arena_free(arena); // unreadable on purpose (hostile fixtures)
    return 0;
  }
  total += check_source(path, arena, &src);
  files++;
  return 0;
}

static void test_every_fixture(void **state) {
  (void)state;
  total = files = 0;
  assert_int_equal(nftw(fixtures_dir, check_file, 16, FTW_PHYS), 0);
  // The fixture tree is full of imports: a walk that found none is broken.
  assert_true(files > 100);
  assert_true(total > 300);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
    return 2;
  }
  fixtures_dir = argv[1];
  al_node_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inline_cases),
      cmocka_unit_test(test_every_fixture),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
