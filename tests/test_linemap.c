// SPDX-License-Identifier: MIT
/*
 * Unit tests for the line map (source/position.c): ASCII text records
 * nothing, and every multi-byte character records its lead byte and the
 * running sum of extra bytes; rows start just past each '\n', and byte
 * ranges get their rows and byte columns from them. (tests/test_walk.c
 * holds the points equal to tree-sitter's for every node of the fixtures.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "source/position.h"

static void test_ascii_has_no_entries(void **state) {
  (void)state;
  const char *text = "import asyncio\n\nasync def main():\n    pass\n";
  al_linemap map;
  al_linemap_build(&map, text, (uint32_t)strlen(text));
  assert_int_equal(map.wide.len, 0);
  assert_null(map.wide.items);
  al_linemap_free(&map);
}

static void test_empty_text(void **state) {
  (void)state;
  al_linemap map;
  al_linemap_build(&map, "", 0);
  assert_int_equal(map.wide.len, 0);
  al_linemap_free(&map);
}

static void test_mixed_widths(void **state) {
  (void)state;
  // a(1) é(2) 中(3) 😀(4) b(1)
  const char *text = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80"
                     "b";
  al_linemap map;
  al_linemap_build(&map, text, (uint32_t)strlen(text));
  assert_int_equal(map.wide.len, 3);
  assert_int_equal(vec_get(&map.wide, 0)->offset, 1);
  assert_int_equal(vec_get(&map.wide, 0)->extra_sum, 1);
  assert_int_equal(vec_get(&map.wide, 1)->offset, 3);
  assert_int_equal(vec_get(&map.wide, 1)->extra_sum, 3);
  assert_int_equal(vec_get(&map.wide, 2)->offset, 6);
  assert_int_equal(vec_get(&map.wide, 2)->extra_sum, 6);
  al_linemap_free(&map);
  assert_int_equal(map.wide.len, 0);
  assert_null(map.wide.items);
}

static void test_wide_after_long_ascii_run(void **state) {
  (void)state;
  // Past the eight-byte fast path, and a character at the very end.
  const char *text = "0123456789abcdefghij\xC3\xA9";
  al_linemap map;
  al_linemap_build(&map, text, (uint32_t)strlen(text));
  assert_int_equal(map.wide.len, 1);
  assert_int_equal(vec_get(&map.wide, 0)->offset, 20);
  assert_int_equal(vec_get(&map.wide, 0)->extra_sum, 1);
  al_linemap_free(&map);
}

static void test_rows(void **state) {
  (void)state;
  // Rows: "ab\n" [0, 3), "\n" [3, 4), "c\r\n" [4, 7), "d" [7, 8).
  const char *text = "ab\n\nc\r\nd";
  al_linemap map;
  al_linemap_build(&map, text, (uint32_t)strlen(text));
  assert_int_equal(map.rows.len, 3);
  assert_int_equal(map.rows.items[0], 3);
  assert_int_equal(map.rows.items[1], 4);
  assert_int_equal(map.rows.items[2], 7);
  static const uint32_t row_of[] = {0, 0, 0, 1, 2, 2, 2, 3, 3};
  for (uint32_t b = 0; b <= 8; b++)
    assert_int_equal(al_linemap_row(&map, b), row_of[b]);
  // "ab\n\nc": from row 0 column 1 to row 2 column 1.
  al_range r = al_linemap_range(&map, (al_span){1, 5});
  assert_int_equal(r.start_byte, 1);
  assert_int_equal(r.end_byte, 5);
  assert_int_equal(r.start_row, 0);
  assert_int_equal(r.start_col, 1);
  assert_int_equal(r.end_row, 2);
  assert_int_equal(r.end_col, 1);
  // A range that ends just past a '\n' ends at column 0 of the next row.
  r = al_linemap_range(&map, (al_span){4, 7});
  assert_int_equal(r.end_row, 3);
  assert_int_equal(r.end_col, 0);
  al_linemap_free(&map);
}

static void test_rows_of_one_line(void **state) {
  (void)state;
  al_linemap map;
  al_linemap_build(&map, "", 0);
  assert_int_equal(map.rows.len, 0);
  al_range r = al_linemap_range(&map, (al_span){0, 0});
  assert_int_equal(r.start_row, 0);
  assert_int_equal(r.end_col, 0);
  al_linemap_free(&map);
  // A lone '\r' does not end a row (tree-sitter counts '\n' only).
  al_linemap_build(&map, "x\ry", 3);
  assert_int_equal(map.rows.len, 0);
  r = al_linemap_range(&map, (al_span){2, 3});
  assert_int_equal(r.start_row, 0);
  assert_int_equal(r.start_col, 2);
  assert_int_equal(r.end_col, 3);
  al_linemap_free(&map);
  // Trailing '\n': an empty last row starts at the end of the text.
  al_linemap_build(&map, "x\n", 2);
  assert_int_equal(map.rows.len, 1);
  assert_int_equal(al_linemap_row(&map, 2), 1);
  al_linemap_free(&map);
}

static void test_free_null_is_noop(void **state) {
  (void)state;
  al_linemap_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ascii_has_no_entries),
      cmocka_unit_test(test_empty_text),
      cmocka_unit_test(test_mixed_widths),
      cmocka_unit_test(test_wide_after_long_ascii_run),
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_rows_of_one_line),
      cmocka_unit_test(test_free_null_is_noop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
