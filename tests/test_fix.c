// SPDX-License-Identifier: MIT
/*
 * Unit tests for the fix engine's pure parts (fix/apply.c, fix/diff.c):
 * which fixes go together in one pass (overlapping ones and insertions at
 * one offset wait), edits applied from the end, '\n' of inserted content
 * turned into the file's newline, a fix that breaks the parse dropped and
 * the others kept, comment deletions tidied, re-encoding to Latin-1 (and
 * refusing what it cannot hold), and the unified diff's hunks. The
 * end-to-end behaviour (files, passes, patch) is tests/fixes.sh's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"

// A fix of up to 3 edits, built without a rule context.
typedef struct {
  al_fix fix;
  al_edit edits[3];
} test_fix;

static const al_fix *make(test_fix *t, uint32_t n, const al_edit *edits) {
  memset(t, 0, sizeof *t);
  for (uint32_t i = 0; i < n; i++)
    t->edits[i] = edits[i];
  t->fix = (al_fix){AL_FIX_SAFE, "test", n, n, t->edits};
  return &t->fix;
}

static char *apply(const char *text, const al_fix **fixes, uint32_t n,
                   const char *newline, al_fix_outcome *outcome) {
  uint32_t len;
  return al_fix_apply(text, (uint32_t)strlen(text), fixes, n, newline, outcome,
                      &len);
}

static void test_disjoint_edits_all_apply(void **state) {
  (void)state;
  const char *text = "x = a(1) + b(2)\n";
  test_fix t1, t2;
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){4, 5, "aa"}),
                           make(&t2, 1, &(al_edit){11, 12, "bbb"})};
  al_fix_outcome out[2];
  char *r = apply(text, fixes, 2, "\n", out);
  assert_string_equal(r, "x = aa(1) + bbb(2)\n");
  assert_int_equal(out[0], AL_FIX_APPLIED);
  assert_int_equal(out[1], AL_FIX_APPLIED);
  free(r);
}

static void test_overlapping_fix_waits(void **state) {
  (void)state;
  const char *text = "x = f(g())\n";
  test_fix t1, t2, t3;
  // f(g()) -> h(g()), then one inside it: overlaps, waits for a pass.
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){4, 10, "h(g())"}),
                           make(&t2, 1, &(al_edit){6, 9, "k()"}),
                           make(&t3, 1, &(al_edit){0, 1, "y"})};
  al_fix_outcome out[3];
  char *r = apply(text, fixes, 3, "\n", out);
  assert_string_equal(r, "y = h(g())\n");
  assert_int_equal(out[0], AL_FIX_APPLIED);
  assert_int_equal(out[1], AL_FIX_WAITS);
  assert_int_equal(out[2], AL_FIX_APPLIED);
  free(r);
}

static void test_same_offset_insertions_wait(void **state) {
  (void)state;
  // Two insertions at one offset: their order would be a guess.
  const char *text = "import os\n";
  test_fix t1, t2, t3;
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){0, 0, "import a\n"}),
                           make(&t2, 1, &(al_edit){0, 0, "import b\n"}),
                           make(&t3, 1, &(al_edit){9, 9, " as o"})};
  al_fix_outcome out[3];
  char *r = apply(text, fixes, 3, "\n", out);
  assert_string_equal(r, "import a\nimport os as o\n");
  assert_int_equal(out[1], AL_FIX_WAITS);
  free(r);
}

static void test_one_fix_inserts_twice_at_one_offset(void **state) {
  (void)state;
  // A fix's own insertions at one offset keep their order, whatever other
  // fixes are sorted around them.
  const char *text = "x = f(a)\ny = g(b)\n";
  test_fix t1, t2, t3;
  al_edit two[] = {{15, 15, "1 + "}, {15, 15, "2 + "}};
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){4, 5, "h"}),
                           make(&t2, 2, two),
                           make(&t3, 1, &(al_edit){0, 1, "z"})};
  al_fix_outcome out[3];
  char *r = apply(text, fixes, 3, "\n", out);
  assert_string_equal(r, "z = h(a)\ny = g(1 + 2 + b)\n");
  free(r);
}

static void test_fix_with_a_clashing_edit_waits_whole(void **state) {
  (void)state;
  // A fix's edits go together: one clashing edit holds back the others.
  const char *text = "a = 1\nb = 2\n";
  test_fix t1, t2;
  al_edit two[] = {{0, 1, "A"}, {6, 7, "B"}};
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){6, 7, "c"}),
                           make(&t2, 2, two)};
  al_fix_outcome out[2];
  char *r = apply(text, fixes, 2, "\n", out);
  assert_string_equal(r, "a = 1\nc = 2\n");
  assert_int_equal(out[1], AL_FIX_WAITS);
  free(r);
}

static void test_newline_of_the_file(void **state) {
  (void)state;
  const char *text = "import os\r\nx = 1\r\n";
  test_fix t1;
  const al_fix *fixes[] = {
      make(&t1, 1, &(al_edit){11, 11, "import asyncio\n"})};
  al_fix_outcome out[1];
  char *r = apply(text, fixes, 1, "\r\n", out);
  assert_string_equal(r, "import os\r\nimport asyncio\r\nx = 1\r\n");
  free(r);
}

static void test_broken_fix_dropped_others_kept(void **state) {
  (void)state;
  const char *text = "x = f()\ny = g()\n";
  test_fix t1, t2;
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){4, 5, "(("}),
                           make(&t2, 1, &(al_edit){12, 13, "h"})};
  al_fix_outcome out[2];
  char *r = apply(text, fixes, 2, "\n", out);
  assert_non_null(r);
  assert_string_equal(r, "x = f()\ny = h()\n");
  assert_int_equal(out[0], AL_FIX_BROKEN);
  assert_int_equal(out[1], AL_FIX_APPLIED);
  free(r);
}

static void test_only_broken_fix_gives_null(void **state) {
  (void)state;
  const char *text = "x = f()\n";
  test_fix t1;
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){0, 1, "def"})};
  al_fix_outcome out[1];
  assert_null(apply(text, fixes, 1, "\n", out));
  assert_int_equal(out[0], AL_FIX_BROKEN);
}

static void test_comment_deletion_tidied(void **state) {
  (void)state;
  // Trailing blanks go with a deleted comment; a line holding only the
  // comment goes whole; a comment followed by more text keeps the blanks.
  const char *text = "x = 1  # noqa\n    # noqa\ny = 2  # noqa # keep\n";
  test_fix t1, t2, t3;
  const al_fix *fixes[] = {make(&t1, 1, &(al_edit){7, 13, ""}),
                           make(&t2, 1, &(al_edit){18, 24, ""}),
                           make(&t3, 1, &(al_edit){32, 39, ""})};
  al_fix_outcome out[3];
  char *r = apply(text, fixes, 3, "\n", out);
  assert_string_equal(r, "x = 1\ny = 2  # keep\n");
  free(r);
}

static void test_encode_latin1(void **state) {
  (void)state;
  size_t len;
  char *b = al_fix_encode("s = 'caf\xC3\xA9'\n", 12, "latin-1", false, &len);
  assert_non_null(b);
  assert_int_equal(len, 11);
  assert_memory_equal(b, "s = 'caf\xE9'\n", 11);
  free(b);
  // A character Latin-1 cannot hold: no bytes.
  assert_null(
      al_fix_encode("s = '\xE2\x82\xAC'\n", 10, "latin-1", false, &len));
  b = al_fix_encode("x\n", 2, NULL, true, &len);
  assert_int_equal(len, 5);
  assert_memory_equal(b, "\xEF\xBB\xBFx\n", 5);
  free(b);
}

// The diff of a and b as a string (caller frees).
static char *diff_of(const char *a, const char *b) {
  char *buf = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&buf, &size);
  assert_true(al_fix_diff(f, "p.py", a, strlen(a), b, strlen(b)));
  fclose(f);
  return buf;
}

static void test_diff_hunks(void **state) {
  (void)state;
  // Changes 8 equal lines apart: two hunks with 3 lines of context each.
  const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  const char *b = "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11\n";
  char *d = diff_of(a, b);
  assert_string_equal(d, "--- a/p.py\n+++ b/p.py\n"
                         "@@ -1,5 +1,5 @@\n 1\n-2\n+TWO\n 3\n 4\n 5\n"
                         "@@ -9,4 +9,3 @@\n 9\n 10\n 11\n-12\n");
  free(d);
}

static void test_diff_merges_close_changes(void **state) {
  (void)state;
  const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n";
  const char *b = "ONE\n2\n3\n4\n5\n6\n7\nEIGHT\n";
  char *d = diff_of(a, b);
  assert_string_equal(d, "--- a/p.py\n+++ b/p.py\n"
                         "@@ -1,8 +1,8 @@\n-1\n+ONE\n 2\n 3\n 4\n 5\n 6\n 7\n"
                         "-8\n+EIGHT\n");
  free(d);
}

static void test_diff_no_final_newline_and_empty(void **state) {
  (void)state;
  char *d = diff_of("x = 1", "x = 2");
  assert_string_equal(d, "--- a/p.py\n+++ b/p.py\n@@ -1 +1 @@\n"
                         "-x = 1\n\\ No newline at end of file\n"
                         "+x = 2\n\\ No newline at end of file\n");
  free(d);
  d = diff_of("", "import asyncio\n");
  assert_string_equal(d, "--- a/p.py\n+++ b/p.py\n@@ -0,0 +1 @@\n"
                         "+import asyncio\n");
  free(d);
  d = diff_of("same\n", "same\n");
  assert_string_equal(d, "");
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_disjoint_edits_all_apply),
      cmocka_unit_test(test_overlapping_fix_waits),
      cmocka_unit_test(test_same_offset_insertions_wait),
      cmocka_unit_test(test_one_fix_inserts_twice_at_one_offset),
      cmocka_unit_test(test_fix_with_a_clashing_edit_waits_whole),
      cmocka_unit_test(test_newline_of_the_file),
      cmocka_unit_test(test_broken_fix_dropped_others_kept),
      cmocka_unit_test(test_only_broken_fix_gives_null),
      cmocka_unit_test(test_comment_deletion_tidied),
      cmocka_unit_test(test_encode_latin1),
      cmocka_unit_test(test_diff_hunks),
      cmocka_unit_test(test_diff_merges_close_changes),
      cmocka_unit_test(test_diff_no_final_newline_and_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
