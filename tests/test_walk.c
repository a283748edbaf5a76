// SPDX-License-Identifier: MIT
/*
 * Unit tests for syntax/walk.c: the walker must visit the same nodes as
 * tree-sitter's TSTreeCursor, in the same order, with the same named flag,
 * symbol and field id, and answer each step (first child, next sibling or
 * parent) the same way. The two walk in lock-step over inline cases
 * (hidden and aliased nodes, extras, syntax errors, empty text) and over
 * every file of the fixture tree given as argv[1], in both Python and TOML,
 * once descending everywhere and once skipping the children of every
 * third node (extraction does not descend everywhere). On the way, the
 * line map (source/position.h) must give every node's byte range the
 * points tree-sitter gives it: facts keep bytes only and rely on that.
 * A walk reset onto any node (al_walk_reset_node) must iterate that node's
 * children as a cursor reset onto it does. The named-only steps
 * (al_walk_first_named_child, al_walk_next_named) must stop where a cursor
 * stepping past anonymous nodes stops.
 */
#define _XOPEN_SOURCE 700 // nftw
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/position.h"
#include "syntax/parser.h"
#include "syntax/walk.h"

const TSLanguage *tree_sitter_toml(void);

static const char *fixtures_dir;

static bool same_node(TSNode a, TSNode b) {
  return ts_node_eq(a, b) && ts_node_symbol(a) == ts_node_symbol(b) &&
         ts_node_start_byte(a) == ts_node_start_byte(b) &&
         ts_node_end_byte(a) == ts_node_end_byte(b) &&
         ts_node_start_point(a).row == ts_node_start_point(b).row &&
         ts_node_start_point(a).column == ts_node_start_point(b).column;
}

// The line map's points for a's bytes are tree-sitter's.
static void same_points(const al_linemap *map, TSNode a, const char *what,
                        size_t visited) {
  al_span span = {ts_node_start_byte(a), ts_node_end_byte(a)};
  al_range r = al_linemap_range(map, span);
  TSPoint s = ts_node_start_point(a), e = ts_node_end_point(a);
  if (r.start_byte != span.start_byte || r.end_byte != span.end_byte ||
      r.start_row != s.row || r.start_col != s.column || r.end_row != e.row ||
      r.end_col != e.column)
    fail_msg("%s: node %zu (%s): points (%u,%u)-(%u,%u), line map "
             "(%u,%u)-(%u,%u)",
             what, visited, ts_node_type(a), s.row, s.column, e.row, e.column,
             r.start_row, r.start_col, r.end_row, r.end_col);
}

// The cursor's steps: every node, or named nodes only, as
// al_walk_first_named_child and al_walk_next_named promise them (anonymous
// nodes are stepped past).
static al_walk_step cursor_next(TSTreeCursor *c, bool named) {
  for (;;) {
    if (!ts_tree_cursor_goto_next_sibling(c))
      return ts_tree_cursor_goto_parent(c) ? AL_WALK_PARENT : AL_WALK_DONE;
    if (!named || ts_node_is_named(ts_tree_cursor_current_node(c)))
      return AL_WALK_SIBLING;
  }
}

static bool cursor_first_child(TSTreeCursor *c, bool named) {
  if (!ts_tree_cursor_goto_first_child(c))
    return false;
  if (!named || ts_node_is_named(ts_tree_cursor_current_node(c)))
    return true;
  return cursor_next(c, true) == AL_WALK_SIBLING; // else back on the node
}

// Walk tree with both, over every node or (named) over named nodes only
// with the walker's named steps; skip_every: 0 descends everywhere, k > 0
// does not descend into every k-th node. Returns the nodes visited.
static size_t lockstep(al_walk *w, const TSTree *tree, const al_linemap *map,
                       unsigned skip_every, bool named, const char *what) {
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  al_walk_reset(w, tree);
  size_t visited = 0;
  const char *walk = named ? "named walk" : "walk";
  for (;;) {
    TSNode a = ts_tree_cursor_current_node(&c);
    TSNode b = al_walk_node(w);
    if (!same_node(a, b))
      fail_msg("%s: %s: node %zu: cursor %s [%u, %u), walk %s [%u, %u)", what,
               walk, visited, ts_node_type(a), ts_node_start_byte(a),
               ts_node_end_byte(a), ts_node_type(b), ts_node_start_byte(b),
               ts_node_end_byte(b));
    same_points(map, a, what, visited);
    if (ts_node_is_named(a) != al_walk_is_named(w))
      fail_msg("%s: %s: node %zu (%s): named differs", what, walk, visited,
               ts_node_type(a));
    if (named && visited > 0 && !al_walk_is_named(w))
      fail_msg("%s: %s: node %zu (%s): stands on an anonymous node", what, walk,
               visited, ts_node_type(a));
    if (ts_node_symbol(a) != al_walk_symbol(w))
      fail_msg("%s: %s: node %zu (%s): symbol %u, walk %u", what, walk, visited,
               ts_node_type(a), ts_node_symbol(a), al_walk_symbol(w));
    if (ts_tree_cursor_current_field_id(&c) != al_walk_field(w))
      fail_msg("%s: %s: node %zu (%s): field %u, walk %u", what, walk, visited,
               ts_node_type(a), ts_tree_cursor_current_field_id(&c),
               al_walk_field(w));
    visited++;
    bool descend = skip_every == 0 || visited % skip_every != 0;
    if (descend) {
      bool ca = cursor_first_child(&c, named);
      bool cb = named ? al_walk_first_named_child(w) : al_walk_first_child(w);
      if (ca != cb)
        fail_msg("%s: %s: node %zu (%s): first child %d, walk %d", what, walk,
                 visited, ts_node_type(a), ca, cb);
      if (ca)
        continue;
      if (!same_node(a, al_walk_node(w)))
        fail_msg("%s: %s: node %zu (%s): moved without a child", what, walk,
                 visited, ts_node_type(a));
    }
    for (;;) {
      al_walk_step want = cursor_next(&c, named);
      al_walk_step s = named ? al_walk_next_named(w) : al_walk_next(w);
      if (s != want)
        fail_msg("%s: %s: after node %zu: step %d, walk %d", what, walk,
                 visited, (int)want, (int)s);
      if (s == AL_WALK_DONE) {
        ts_tree_cursor_delete(&c);
        return visited;
      }
      if (s == AL_WALK_SIBLING)
        break;
      // At the parent: its node must agree too.
      if (!same_node(ts_tree_cursor_current_node(&c), al_walk_node(w)))
        fail_msg("%s: %s: back at a parent: nodes differ", what, walk);
    }
  }
}

// The children of every node of tree, through a walk and a cursor each
// reset onto the node, with the steps extraction takes (first child, then
// next sibling until there is none).
static void check_children(al_walk *w, const TSTree *tree, const char *what) {
  TSTreeCursor all = ts_tree_cursor_new(ts_tree_root_node(tree));
  TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
  size_t visited = 0;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&all);
    ts_tree_cursor_reset(&c, n);
    al_walk_reset_node(w, n);
    if (!same_node(n, al_walk_node(w)))
      fail_msg("%s: node %zu (%s): reset onto it, walk stands elsewhere", what,
               visited, ts_node_type(n));
    bool more = ts_tree_cursor_goto_first_child(&c);
    if (more != al_walk_first_child(w))
      fail_msg("%s: node %zu (%s): first child differs", what, visited,
               ts_node_type(n));
    while (more) {
      if (!same_node(ts_tree_cursor_current_node(&c), al_walk_node(w)) ||
          ts_tree_cursor_current_field_id(&c) != al_walk_field(w))
        fail_msg("%s: node %zu (%s): children differ", what, visited,
                 ts_node_type(n));
      more = ts_tree_cursor_goto_next_sibling(&c);
      if (more != (al_walk_next(w) == AL_WALK_SIBLING))
        fail_msg("%s: node %zu (%s): next sibling differs", what, visited,
                 ts_node_type(n));
    }
    visited++;
    if (ts_tree_cursor_goto_first_child(&all))
      continue;
    while (!ts_tree_cursor_goto_next_sibling(&all))
      if (!ts_tree_cursor_goto_parent(&all)) {
        ts_tree_cursor_delete(&all);
        ts_tree_cursor_delete(&c);
        return;
      }
  }
}

static size_t check_text(const TSLanguage *lang, const char *text, size_t len,
                         const char *what) {
  TSParser *p = ts_parser_new();
  assert_true(ts_parser_set_language(p, lang));
  TSTree *tree = ts_parser_parse_string(p, NULL, text, (uint32_t)len);
  assert_non_null(tree);
  al_linemap map;
  al_linemap_build(&map, text, (uint32_t)len);
  al_walk *w = al_walk_new();
  size_t n = lockstep(w, tree, &map, 0, false, what);
  assert_int_equal(lockstep(w, tree, &map, 3, false, what) <= n, true);
  lockstep(w, tree, &map, 2, false, what);
  assert_true(lockstep(w, tree, &map, 0, true, what) <= n);
  lockstep(w, tree, &map, 3, true, what);
  check_children(w, tree, what);
  al_walk_free(w);
  al_linemap_free(&map);
  ts_tree_delete(tree);
  ts_parser_delete(p);
  return n;
}

static void test_inline_cases(void **state) {
  (void)state;
  static const char *cases[] = {
      "",
      "\n\n",
      "x = 1\n",
      "# only a comment\n",
      "async def f(a, *b, c=1, **d) -> int:\n    return await g(a)[0].h\n",
      "class C(B, metaclass=M):\n    @dec\n    def m(self): ...\n",
      "with a as b, c() as (d, e):\n    pass\n",
      "x = [y for y in z if y]  # trailing\n",
      "print(f'{a!r:>{w}} {b}')\n",
      "match p:\n    case [1, *rest] if rest:\n        pass\n"
      "    case {'k': v, **kw}:\n        pass\n",
      "def f(:\n    return (\n", // syntax errors
      "if x:\npass\n  else\n",   // more errors
      "lambda: (yield)\n",
      "a = b if c else d\nnot x\n-y\n",
      "try:\n    pass\nexcept* (A, B) as e:\n    raise\nfinally:\n    del x\n",
      "global g\nnonlocal n\nimport a.b as c\nfrom . import (d, e)\n",
      "x: int = 1\ntype T = list[int]\n",
      "s = 'a' \"b\" '''c'''\n",
      "@a.b(c)\nasync def f():\n    async for x in y:\n        async with z:\n"
      "            pass\n",
      "print 'py2'\nexec code\n",
      // Rows break at '\n' only: "\r\n" ends a row after the '\r'; a lone
      // '\r' or a form feed does not end one.
      "x = 1\r\ny = 'h\xc3\xa9\xe2\x82\xac'\r\nz = (\r\n  1)\r\n",
      "a = 1\rb = 2\n\fc = 3\n",
      "no_newline_at_end = 'x'",
      "\n\n\n  x = [\n\n]\n\n\n",
      "s = '''\nline\n\n'''\n# \xe2\x82\xac\n",
  };
  size_t total = 0;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    total +=
        check_text(al_python_language(), cases[i], strlen(cases[i]), cases[i]);
  assert_true(total > 400);
  const char *toml = "[tool.asynclint]\nselect = [\"AL1\", \"AL2\"]\n"
                     "x = { a = 1, b = [1, 2] }\n# c\n[[t]]\n";
  assert_true(check_text(tree_sitter_toml(), toml, strlen(toml), "toml") > 20);
}

static size_t files_checked, nodes_checked;

static int check_file(const char *path, const struct stat *sb, int type,
                      struct FTW *ftw) {
  (void)sb;
  (void)ftw;
  size_t n = strlen(path);
  bool py = n > 3 && strcmp(path + n - 3, ".py") == 0;
  bool toml = n > 5 && strcmp(path + n - 5, ".toml") == 0;
  if (type != FTW_F || (!py && !toml))
    return 0;
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    if (!got)
      break;
    len += got;
  }
  fclose(f);
  nodes_checked += check_text(py ? al_python_language() : tree_sitter_toml(),
                              buf, len, path);
  files_checked++;
  free(buf);
  return 0;
}

static void test_fixture_tree(void **state) {
  (void)state;
  assert_int_equal(nftw(fixtures_dir, check_file, 16, FTW_PHYS), 0);
  assert_true(files_checked > 100);
  assert_true(nodes_checked > 10000);
  printf("# %zu files, %zu nodes\n", files_checked, nodes_checked);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_walk FIXTURES_DIR\n");
    return 2;
  }
  fixtures_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_inline_cases),
      cmocka_unit_test(test_fixture_tree),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
