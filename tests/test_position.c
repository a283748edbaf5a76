// SPDX-License-Identifier: MIT
/*
 * Unit tests for al_position_from_byte: byte columns become code-point
 * columns, only characters of the point's own line count, and long lines
 * full of wide characters convert correctly. The line map is built here by
 * hand (al_linemap_build lives in source/, not under test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

// The line map of text, as al_linemap_build would record it.
static void build_map(al_linemap *map, const char *text) {
  const unsigned char *u = (const unsigned char *)text;
  uint32_t sum = 0;
  for (uint32_t i = 0; u[i];) {
    uint32_t len = u[i] < 0x80 ? 1 : u[i] < 0xE0 ? 2 : u[i] < 0xF0 ? 3 : 4;
    if (len > 1) {
      sum += len - 1;
      vec_push(&map->wide, ((al_wide_char){i, sum}));
    }
    i += len;
  }
}

// The position of the byte at offset in text, via the map: rows and byte
// columns are found the way tree-sitter would report them.
static al_position at(const al_linemap *map, const char *text,
                      uint32_t offset) {
  uint32_t row = 0, line_start = 0;
  for (uint32_t i = 0; i < offset; i++)
    if (text[i] == '\n') {
      row++;
      line_start = i + 1;
    }
  return al_position_from_byte(map, row, offset - line_start, offset);
}

static uint32_t offset_of(const char *text, const char *needle) {
  const char *p = strstr(text, needle);
  assert_non_null(p);
  return (uint32_t)(p - text);
}

static void check(const char *text, const char *needle, uint32_t line,
                  uint32_t column) {
  al_linemap map = {0};
  build_map(&map, text);
  al_position pos = at(&map, text, offset_of(text, needle));
  assert_int_equal(pos.line, line);
  assert_int_equal(pos.column, column);
  vec_free(&map.wide);
}

static void test_ascii(void **state) {
  (void)state;
  check("x = 1\n", "x", 1, 1);
  check("x = time.sleep(1)\n", "time", 1, 5);
  check("a\nbb\n  ccc\n", "ccc", 3, 3);
  // No map at all (a file never extracted) is the ASCII case.
  al_position p = al_position_from_byte(NULL, 4, 7, 100);
  assert_int_equal(p.line, 5);
  assert_int_equal(p.column, 8);
}

static void test_two_byte(void **state) {
  (void)state;
  check("é = f()\n", "f", 1, 5);
  check("s = 'äöü'; f()\n", "f", 1, 12);
}

static void test_three_byte(void **state) {
  (void)state;
  check("s = '€'; f()\n", "f", 1, 10);
  check("x = '日本語'  # 日\ny", "#", 1, 12);
}

static void test_four_byte(void **state) {
  (void)state;
  check("s = '😀'; f()\n", "f", 1, 10);
  check("'😀é€😀'.x", ".", 1, 7);
}

static void test_earlier_lines_not_counted(void **state) {
  (void)state;
  const char *text = "# ünïcödé 😀€\n"
                     "s = '€€'\n"
                     "    time.sleep(1)\n";
  check(text, "time", 3, 5);
  check(text, "s =", 2, 1);
  check(text, "€€", 2, 6);
  check(text, "'\n", 2, 8);
  // A wide character right at the start of the point's line counts.
  check("x\n€y", "y", 2, 2);
}

static void test_end_of_line_and_inside_char(void **state) {
  (void)state;
  const char *text = "é😀\n";
  al_linemap map = {0};
  build_map(&map, text);
  // The point after the last character (an end position).
  al_position p = al_position_from_byte(&map, 0, 6, 6);
  assert_int_equal(p.column, 3);
  // A point inside the 4-byte character stays on that character.
  for (uint32_t b = 3; b < 6; b++) {
    p = al_position_from_byte(&map, 0, b, b);
    assert_int_equal(p.column, 2);
  }
  vec_free(&map.wide);
}

static void test_long_line(void **state) {
  (void)state;
  // 200 000 characters cycling through 1-, 2-, 3- and 4-byte ones on one
  // line, after a first line of wide characters that must not count.
  static const char *const chars[] = {"a", "é", "€", "😀"};
  enum { N = 200000 };
  size_t cap = 64 + (size_t)N * 4;
  char *text = malloc(cap);
  assert_non_null(text);
  strcpy(text, "€€€😀\n");
  size_t len = strlen(text);
  uint32_t line_start = (uint32_t)len;
  uint32_t *byte_at = malloc((N + 1) * sizeof *byte_at);
  assert_non_null(byte_at);
  for (uint32_t i = 0; i < N; i++) {
    byte_at[i] = (uint32_t)len;
    const char *c = chars[i % 4];
    memcpy(text + len, c, strlen(c));
    len += strlen(c);
  }
  byte_at[N] = (uint32_t)len;
  text[len] = 0;
  al_linemap map = {0};
  build_map(&map, text);
  for (uint32_t i = 0; i <= N; i += 997) {
    al_position p =
        al_position_from_byte(&map, 1, byte_at[i] - line_start, byte_at[i]);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.column, i + 1);
  }
  al_position p =
      al_position_from_byte(&map, 1, byte_at[N] - line_start, byte_at[N]);
  assert_int_equal(p.column, N + 1);
  vec_free(&map.wide);
  free(byte_at);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ascii),
      cmocka_unit_test(test_two_byte),
      cmocka_unit_test(test_three_byte),
      cmocka_unit_test(test_four_byte),
      cmocka_unit_test(test_earlier_lines_not_counted),
      cmocka_unit_test(test_end_of_line_and_inside_char),
      cmocka_unit_test(test_long_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
