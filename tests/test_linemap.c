// SPDX-License-Identifier: MIT
/*
 * Unit tests for the line map (source/position.c): ASCII text records
 * nothing, and every multi-byte character records its lead byte and the
 * running sum of extra bytes.
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
      cmocka_unit_test(test_free_null_is_noop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
