// SPDX-License-Identifier: MIT
/*
 * Unit tests for reading and decoding sources (source/file.c): BOM, line
 * endings, PEP 263 cookies, refused inputs (NUL bytes, invalid UTF-8,
 * unknown encodings) and filesystem failures. Files live in a mkdtemp
 * directory under /tmp that the group teardown removes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "source/file.h"

static char tmp_dir[] = "/tmp/asynclint-file-XXXXXX";

static int setup_dir(void **state) {
  (void)state;
  // mkdtemp fills in the template: restore it for the next group.
  memcpy(tmp_dir + sizeof tmp_dir - 7, "XXXXXX", 6);
  return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_dir(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
  return system(cmd) == 0 ? 0 : -1;
}

// Writes bytes to tmp_dir/name and returns the full path (static buffer).
static const char *write_file(const char *name, const char *bytes, size_t len) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(bytes, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
  return path;
}

static bool decode(al_source *src, al_arena *arena, const char *bytes,
                   size_t len) {
  return al_source_from_bytes(src, arena, "t.py", bytes, len);
}

#define DECODE(src, arena, lit) decode((src), (arena), (lit), sizeof(lit) - 1)

static void test_plain_file(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  const char *p = write_file("plain.py", "x = 1\n", 6);
  al_source src;
  assert_true(al_source_read(&src, arena, p, "plain.py"));
  assert_string_equal(src.path, "plain.py");
  assert_int_equal(src.len, 6);
  assert_string_equal(src.text, "x = 1\n");
  assert_null(src.problem);
  assert_null(src.encoding);
  al_arena_free(arena);
}

static void test_bom_dropped(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  const char *p = write_file("bom.py", "\xEF\xBB\xBFx = 1\n", 9);
  assert_true(al_source_read(&src, arena, p, p));
  assert_int_equal(src.len, 6);
  assert_string_equal(src.text, "x = 1\n");
  // A BOM with a UTF-8 cookie is fine, with another one it is not.
  assert_true(DECODE(&src, arena, "\xEF\xBB\xBF# coding: utf-8\nx\n"));
  assert_false(DECODE(&src, arena, "\xEF\xBB\xBF# coding: latin-1\nx\n"));
  assert_string_equal(src.problem,
                      "encoding problem: BOM with 'latin-1' declaration");
  assert_null(src.text);
  al_arena_free(arena);
}

static void test_line_endings(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  assert_true(DECODE(&src, arena, "a\r\nb\r\n"));
  assert_string_equal(src.text, "a\r\nb\r\n");
  assert_true(DECODE(&src, arena, "a\rb\r\rc\r"));
  assert_int_equal(src.len, 7);
  assert_string_equal(src.text, "a\nb\n\nc\n");
  assert_true(DECODE(&src, arena, "a\r\r\nb"));
  assert_string_equal(src.text, "a\n\r\nb");
  al_arena_free(arena);
}

static void test_latin1_cookie(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  static const char latin[] = "# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n";
  const char *p = write_file("latin.py", latin, sizeof latin - 1);
  assert_true(al_source_read(&src, arena, p, p));
  assert_string_equal(src.text,
                      "# -*- coding: latin-1 -*-\ns = 'caf\xC3\xA9'\n");
  assert_int_equal(src.len, strlen(src.text));
  assert_string_equal(src.encoding, "latin-1");
  // Other spellings of Latin-1, and a cookie iconv knows under its own name.
  assert_true(
      DECODE(&src, arena, "# vim: set fileencoding=ISO_8859_1 :\n\xe9"));
  assert_string_equal(src.text,
                      "# vim: set fileencoding=ISO_8859_1 :\n\xC3\xA9");
  assert_true(DECODE(&src, arena, "# coding=cp1252\n\x80"));
  assert_string_equal(src.text, "# coding=cp1252\n\xE2\x82\xAC");
  assert_string_equal(src.encoding, "cp1252");
  // A UTF-8 cookie converts nothing.
  assert_true(DECODE(&src, arena, "# coding: utf_8\n\xC3\xA9"));
  assert_null(src.encoding);
  al_arena_free(arena);
}

static void test_cookie_on_line_two(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  assert_true(DECODE(&src, arena,
                     "#!/usr/bin/env python\n# coding: latin-1\nx = '\xe9'\n"));
  assert_string_equal(
      src.text, "#!/usr/bin/env python\n# coding: latin-1\nx = '\xC3\xA9'\n");
  // Only a blank or comment line 1 lets line 2 declare, and line 3 never.
  assert_false(DECODE(&src, arena, "import x\n# coding: latin-1\n'\xe9'\n"));
  assert_string_equal(src.problem, "invalid UTF-8 (byte 0xE9)");
  assert_false(DECODE(&src, arena, "\n\n# coding: latin-1\n'\xe9'\n"));
  assert_string_equal(src.problem, "invalid UTF-8 (byte 0xE9)");
  // Not a comment: not a cookie.
  assert_false(DECODE(&src, arena, "s = '# coding: latin-1'\n'\xe9'\n"));
  al_arena_free(arena);
}

static void test_invalid_utf8_position(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  assert_false(DECODE(&src, arena, "x = 1\ns = '\xC3\xA9\xFF'\n"));
  assert_string_equal(src.problem, "invalid UTF-8 (byte 0xFF)");
  assert_int_equal(src.problem_line, 2);
  assert_int_equal(src.problem_col, 7);
  assert_null(src.text);
  // Overlong, surrogate, beyond U+10FFFF, truncated at the end.
  assert_false(DECODE(&src, arena, "\xC0\xAF"));
  assert_string_equal(src.problem, "invalid UTF-8 (byte 0xC0)");
  assert_false(DECODE(&src, arena, "a\xE0\x80\xAF"));
  assert_int_equal(src.problem_col, 2);
  assert_false(DECODE(&src, arena, "\xED\xA0\x80"));
  assert_string_equal(src.problem, "invalid UTF-8 (byte 0xED)");
  assert_false(DECODE(&src, arena, "\xF4\x90\x80\x80"));
  assert_false(DECODE(&src, arena, "ok\r\nab\xE4\xB8"));
  assert_int_equal(src.problem_line, 2);
  assert_int_equal(src.problem_col, 3);
  // Lone CR counts as a line end for the position too.
  assert_false(DECODE(&src, arena, "a\rb\r\xFF"));
  assert_int_equal(src.problem_line, 3);
  assert_int_equal(src.problem_col, 1);
  // The largest valid sequences pass.
  assert_true(DECODE(&src, arena, "\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEF\xBF\xBF"));
  al_arena_free(arena);
}

static void test_nul_bytes(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  const char *p = write_file("nul.py", "x = 1\nab\0c\n", 11);
  assert_false(al_source_read(&src, arena, p, p));
  assert_string_equal(src.problem, "file contains NUL bytes (binary file?)");
  assert_int_equal(src.problem_line, 2);
  assert_int_equal(src.problem_col, 3);
  assert_null(src.text);
  al_arena_free(arena);
}

static void test_empty_file(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  const char *p = write_file("empty.py", "", 0);
  assert_true(al_source_read(&src, arena, p, p));
  assert_int_equal(src.len, 0);
  assert_non_null(src.text);
  assert_string_equal(src.text, "");
  assert_true(al_source_from_bytes(&src, arena, "-", NULL, 0));
  assert_string_equal(src.text, "");
  al_arena_free(arena);
}

static void test_directory_refused(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  assert_false(al_source_read(&src, arena, tmp_dir, "dir"));
  assert_string_equal(src.problem, "is a directory");
  assert_int_equal(src.problem_line, 1);
  assert_int_equal(src.problem_col, 1);
  al_arena_free(arena);
}

static void test_missing_file(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  char path[512];
  snprintf(path, sizeof path, "%s/gone.py", tmp_dir);
  assert_false(al_source_read(&src, arena, path, "gone.py"));
  assert_string_equal(src.problem,
                      "cannot read file: No such file or directory");
  assert_null(src.text);
  al_arena_free(arena);
}

static void test_fifo_refused(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  char path[512];
  snprintf(path, sizeof path, "%s/fifo.py", tmp_dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  // Would block forever if opened without O_NONBLOCK.
  assert_false(al_source_read(&src, arena, path, path));
  assert_string_equal(src.problem, "not a regular file");
  al_arena_free(arena);
}

static void test_unreadable_file(void **state) {
  (void)state;
  if (geteuid() == 0)
    skip(); // root reads a mode-000 file anyway
  al_arena *arena = al_arena_new();
  al_source src;
  const char *p = write_file("secret.py", "x\n", 2);
  assert_int_equal(chmod(p, 0), 0);
  assert_false(al_source_read(&src, arena, p, p));
  assert_string_equal(src.problem, "cannot read file: Permission denied");
  al_arena_free(arena);
}

static void test_unknown_encoding(void **state) {
  (void)state;
  al_arena *arena = al_arena_new();
  al_source src;
  assert_false(DECODE(&src, arena, "\n# coding: no-such-codec\nx = 1\n"));
  assert_string_equal(src.problem, "unknown encoding 'no-such-codec'");
  assert_int_equal(src.problem_line, 2);
  assert_null(src.text);
  // Known encoding, undecodable bytes.
  assert_false(DECODE(&src, arena, "# coding: ascii\nx = 1\ns = '\xe9'\n"));
  assert_string_equal(src.problem, "cannot decode as 'ascii'");
  assert_int_equal(src.problem_line, 3);
  assert_int_equal(src.problem_col, 6);
  // Columns of a single-byte encoding count its bytes.
  assert_false(DECODE(&src, arena, "# coding: ascii\n#\n\r\x80"));
  assert_int_equal(src.problem_line, 4);
  assert_int_equal(src.problem_col, 1);
  assert_false(DECODE(&src, arena, "# coding: cp1252\n\xe9\xe9\x81"));
  assert_string_equal(src.problem, "cannot decode as 'cp1252'");
  assert_int_equal(src.problem_line, 2);
  assert_int_equal(src.problem_col, 3);
  // NUL spelled without a zero byte.
  assert_false(DECODE(&src, arena, "# coding: utf-7\n+AAA-"));
  assert_string_equal(src.problem, "file contains NUL bytes (binary file?)");
  al_arena_free(arena);
}

static void test_slurp_fd(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], "abc\n", 4), 4);
  close(fds[1]);
  size_t len = 99;
  char *buf = al_source_slurp_fd(fds[0], &len);
  close(fds[0]);
  assert_non_null(buf);
  assert_int_equal(len, 4);
  assert_memory_equal(buf, "abc\n", 4);
  free(buf);
  errno = 0;
  assert_null(al_source_slurp_fd(-1, &len));
  assert_int_equal(errno, EBADF);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_file),
      cmocka_unit_test(test_bom_dropped),
      cmocka_unit_test(test_line_endings),
      cmocka_unit_test(test_latin1_cookie),
      cmocka_unit_test(test_cookie_on_line_two),
      cmocka_unit_test(test_invalid_utf8_position),
      cmocka_unit_test(test_nul_bytes),
      cmocka_unit_test(test_empty_file),
      cmocka_unit_test(test_directory_refused),
      cmocka_unit_test(test_missing_file),
      cmocka_unit_test(test_fifo_refused),
      cmocka_unit_test(test_unknown_encoding),
      cmocka_unit_test(test_slurp_fd),
  };
  // Run only where the test can mean something (an opt-in rule exists /
  // not root, who reads mode-000 files); a cmocka skip() prints
  // "not ok ... # SKIP", which meson counts as a failure.
  const struct CMUnitTest conditional[] = {
      cmocka_unit_test(test_unreadable_file)};
  int failed = cmocka_run_group_tests(tests, setup_dir, remove_dir);
  if (geteuid() != 0)
    failed += cmocka_run_group_tests(conditional, setup_dir, remove_dir);
  return failed;
}
