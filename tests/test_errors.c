// SPDX-License-Identifier: MIT
/*
 * Unit tests for syntax/errors.c: where al_syntax_error_node puts a syntax
 * error, in Python and TOML trees, with both scans. FIRST stops at the
 * first erroneous node without an erroneous child; LAST_PASSED (the
 * config reader's) goes on past an ERROR whose children are valid, so on
 * two broken TOML lines it names the second. A tree without errors gives
 * its root; 100,000 unclosed brackets take one bounded pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "syntax/errors.h"
#include "syntax/parser.h"

const TSLanguage *tree_sitter_toml(void);

typedef struct {
  uint32_t row, column;
  bool missing, error;
} found;

static found find(const TSLanguage *lang, const char *text,
                  al_syntax_error_scan scan) {
  TSParser *p = ts_parser_new();
  assert_true(ts_parser_set_language(p, lang));
  TSTree *tree = ts_parser_parse_string(p, NULL, text, (uint32_t)strlen(text));
  assert_non_null(tree);
  TSNode root = ts_tree_root_node(tree);
  TSNode n = al_syntax_error_node(root, scan);
  found f = {ts_node_start_point(n).row, ts_node_start_point(n).column,
             ts_node_is_missing(n), ts_node_is_error(n)};
  if (!ts_node_has_error(root))
    assert_true(ts_node_eq(n, root));
  ts_tree_delete(tree);
  ts_parser_delete(p);
  return f;
}

static void test_valid_trees(void **state) {
  (void)state;
  found f = find(al_python_language(), "x = [1, 2]\n", AL_SYNTAX_ERROR_FIRST);
  assert_false(f.missing || f.error);
  f = find(tree_sitter_toml(), "a = 1\n", AL_SYNTAX_ERROR_LAST_PASSED);
  assert_false(f.missing || f.error);
}

static void test_toml_two_errors(void **state) {
  (void)state;
  const char *text = "a = 1\nb = = 2\nc = 3\nd = = 4\n";
  found first = find(tree_sitter_toml(), text, AL_SYNTAX_ERROR_FIRST);
  found last = find(tree_sitter_toml(), text, AL_SYNTAX_ERROR_LAST_PASSED);
  assert_int_equal(first.row, 1);
  assert_int_equal(last.row, 3);
  assert_int_equal(last.column, 2);
  assert_true(last.error);
}

static void test_toml_missing(void **state) {
  (void)state;
  // An unclosed array: both scans stop at the same node.
  const char *text = "select = [\"AL100\"\n";
  found first = find(tree_sitter_toml(), text, AL_SYNTAX_ERROR_FIRST);
  found last = find(tree_sitter_toml(), text, AL_SYNTAX_ERROR_LAST_PASSED);
  assert_int_equal(first.row, last.row);
  assert_int_equal(first.column, last.column);
}

static void test_python(void **state) {
  (void)state;
  found f = find(al_python_language(), "def f(:\n    return 1\n",
                 AL_SYNTAX_ERROR_FIRST);
  assert_true(f.missing || f.error);
  assert_int_equal(f.row, 0);
  f = find(al_python_language(), "x = 1\ny = (2\n", AL_SYNTAX_ERROR_FIRST);
  assert_true(f.missing || f.error);
  assert_int_equal(f.row, 1);
}

static void test_unclosed_brackets(void **state) {
  (void)state;
  size_t n = 100000;
  char *text = malloc(n + 2);
  memset(text, '[', n);
  text[n] = '\n';
  text[n + 1] = 0;
  found f = find(al_python_language(), text, AL_SYNTAX_ERROR_FIRST);
  assert_true(f.missing || f.error);
  f = find(tree_sitter_toml(), text, AL_SYNTAX_ERROR_LAST_PASSED);
  assert_true(f.missing || f.error);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_trees),
      cmocka_unit_test(test_toml_two_errors),
      cmocka_unit_test(test_toml_missing),
      cmocka_unit_test(test_python),
      cmocka_unit_test(test_unclosed_brackets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
