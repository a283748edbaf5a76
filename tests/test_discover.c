// SPDX-License-Identifier: MIT
/*
 * Unit tests for path discovery (source/discover.c). The group setup makes a
 * mkdtemp directory under /tmp and changes into it, so that every test can
 * build its own small tree under a relative name and compare display paths
 * literally; the teardown goes back and removes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "source/discover.h"

#define TMP_TREE_NAME "discover"
#include "tmp_tree.h"

static void touch(const char *path) {
  make_parents(path);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("pass\n", f);
  assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *path) {
  make_parents(path);
  assert_int_equal(mkdir(path, 0755), 0);
}

static void make_link(const char *target, const char *path) {
  make_parents(path);
  assert_int_equal(symlink(target, path), 0);
}

typedef struct {
  al_arena *arena;
  al_discovery d;
} run;

static void discover(run *r, const char *const *paths, uint32_t n,
                     const al_discover_opts *opts) {
  r->arena = al_arena_new();
  memset(&r->d, 0, sizeof r->d);
  al_discover(&r->d, r->arena, paths, n, opts);
}

static void finish(run *r) {
  al_discovery_free(&r->d);
  al_arena_free(r->arena);
}

// Checks the file list against a NULL-terminated list of display paths.
static void expect_files(const run *r, const char *const *want) {
  uint32_t n = 0;
  while (want[n])
    n++;
  for (uint32_t i = 0; i < r->d.files.len && i < n; i++)
    assert_string_equal(r->d.files.items[i].path, want[i]);
  assert_int_equal(r->d.files.len, n);
}

#define EXPECT_FILES(r, ...)                                                   \
  expect_files((r), (const char *const[]){__VA_ARGS__, NULL})
#define ARGS(...)                                                              \
  (const char *const[]){__VA_ARGS__},                                          \
      sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

static void test_recursion_sorted(void **state) {
  (void)state;
  touch("t1/b.py");
  touch("t1/a.py");
  touch("t1/B.py");
  touch("t1/z.pyi");
  touch("t1/sub/c.py");
  touch("t1/sub/notes.txt");
  touch("t1/a.py.bak");
  make_dir("t1/empty");
  run r;
  discover(&r, ARGS("t1"), NULL);
  EXPECT_FILES(&r, "t1/B.py", "t1/a.py", "t1/b.py", "t1/sub/c.py", "t1/z.pyi");
  assert_false(r.d.files.items[0].explicit_);
  assert_int_equal(r.d.problems.len, 0);
  finish(&r);
  // A trailing slash is not doubled, a leading "./" is dropped.
  discover(&r, ARGS("t1/", "./t1/sub", "t1/."), NULL);
  EXPECT_FILES(&r, "t1/B.py", "t1/a.py", "t1/b.py", "t1/sub/c.py", "t1/z.pyi");
  finish(&r);
}

static void test_default_excludes(void **state) {
  (void)state;
  touch("t2/.venv/lib/x.py");
  touch("t2/venv/x.py");
  touch("t2/__pycache__/y.py");
  touch("t2/node_modules/z.py");
  touch("t2/.git/hooks/h.py");
  touch("t2/pkg/foo.egg-info/e.py");
  touch("t2/pkg/m.py");
  run r;
  discover(&r, ARGS("t2"), NULL);
  EXPECT_FILES(&r, "t2/pkg/m.py");
  finish(&r);
  // No options and options without excludes mean the same.
  al_discover_opts opts = {0};
  discover(&r, ARGS("t2"), &opts);
  EXPECT_FILES(&r, "t2/pkg/m.py");
  finish(&r);
}

static void test_exclude_replaces_defaults(void **state) {
  (void)state;
  touch("t3/.venv/x.py");
  touch("t3/skip/y.py");
  touch("t3/ok.py");
  const char *const exclude[] = {"skip"};
  al_discover_opts opts = {.exclude = exclude, .n_exclude = 1};
  run r;
  discover(&r, ARGS("t3"), &opts);
  EXPECT_FILES(&r, "t3/.venv/x.py", "t3/ok.py");
  finish(&r);
}

static void test_extend_exclude(void **state) {
  (void)state;
  touch("t4/a_pb2.py");
  touch("t4/a.py");
  touch("t4/gen/g.py");
  touch("t4/more/gen/h.py");
  touch("t4/other/gen.py");
  touch("t4/.venv/v.py");
  const char *const extend[] = {"*_pb2.py", "t4/gen/*"};
  al_discover_opts opts = {.extend_exclude = extend, .n_extend_exclude = 2};
  run r;
  discover(&r, ARGS("t4"), &opts);
  // Defaults still apply; the path glob matches t4/gen/g.py only.
  EXPECT_FILES(&r, "t4/a.py", "t4/more/gen/h.py", "t4/other/gen.py");
  finish(&r);
  // A bare name matches a directory anywhere; '*' crosses '/'.
  const char *const extend2[] = {"gen", "t4/o*py"};
  opts = (al_discover_opts){.extend_exclude = extend2, .n_extend_exclude = 2};
  discover(&r, ARGS("t4"), &opts);
  EXPECT_FILES(&r, "t4/a.py", "t4/a_pb2.py");
  finish(&r);
}

static void test_is_excluded(void **state) {
  (void)state;
  assert_true(al_discover_is_excluded(".venv", NULL));
  assert_true(al_discover_is_excluded("a/b/__pycache__", NULL));
  assert_true(al_discover_is_excluded("./build/", NULL));
  assert_true(al_discover_is_excluded("x/foo.egg-info", NULL));
  assert_false(al_discover_is_excluded("src/app.py", NULL));
  assert_false(al_discover_is_excluded("src/builder", NULL));
  const char *const none[] = {NULL};
  al_discover_opts opts = {.exclude = none, .n_exclude = 0};
  assert_false(al_discover_is_excluded(".venv", &opts));
  const char *const extend[] = {"src/gen*"};
  opts = (al_discover_opts){.extend_exclude = extend, .n_extend_exclude = 1};
  assert_true(al_discover_is_excluded("./src/generated/x.py", &opts));
  assert_true(al_discover_is_excluded("venv", &opts));
  assert_false(al_discover_is_excluded("lib/src/generated/x.py", &opts));
}

static void test_explicit_excluded_file(void **state) {
  (void)state;
  touch("t5/.venv/x.py");
  touch("t5/.venv/y.py");
  touch("t5/script");
  run r;
  discover(&r, ARGS("t5/.venv/x.py", "t5/script"), NULL);
  EXPECT_FILES(&r, "t5/.venv/x.py", "t5/script");
  assert_true(r.d.files.items[0].explicit_);
  assert_true(r.d.files.items[1].explicit_);
  finish(&r);
  // An explicitly named excluded directory is walked.
  discover(&r, ARGS("t5/.venv"), NULL);
  EXPECT_FILES(&r, "t5/.venv/x.py", "t5/.venv/y.py");
  finish(&r);
}

static void test_missing_explicit_path(void **state) {
  (void)state;
  run r;
  discover(&r, ARGS("t6/nope.py", ""), NULL);
  assert_int_equal(r.d.files.len, 0);
  assert_int_equal(r.d.problems.len, 2);
  assert_string_equal(r.d.problems.items[0].path, "t6/nope.py");
  assert_string_equal(r.d.problems.items[0].message,
                      "No such file or directory");
  assert_true(r.d.problems.items[0].explicit_);
  assert_string_equal(r.d.problems.items[1].message,
                      "No such file or directory");
  finish(&r);
}

static void test_symlink_loop(void **state) {
  (void)state;
  touch("t7/a.py");
  touch("t7/sub/b.py");
  make_link("..", "t7/sub/loop");
  make_link("sub", "t7/link");
  make_link("a.py", "t7/alias.py");
  run r;
  discover(&r, ARGS("t7"), NULL);
  // The directory reached through two links and its real name is walked
  // once, under its real name; a symlinked file is a file.
  EXPECT_FILES(&r, "t7/a.py", "t7/alias.py", "t7/sub/b.py");
  assert_int_equal(r.d.problems.len, 0);
  finish(&r);
  // A link to a directory outside the tree is followed.
  touch("t7x/out/c.py");
  make_link("../t7x/out", "t7y/ext");
  discover(&r, ARGS("t7y"), NULL);
  EXPECT_FILES(&r, "t7y/ext/c.py");
  finish(&r);
}

static void test_dot_display_paths(void **state) {
  (void)state;
  touch("t8/app/db.py");
  touch("t8/main.py");
  assert_int_equal(chdir("t8"), 0);
  run r;
  discover(&r, ARGS("."), NULL);
  EXPECT_FILES(&r, "app/db.py", "main.py");
  finish(&r);
  discover(&r, ARGS("./", "./app", ".//main.py"), NULL);
  EXPECT_FILES(&r, "app/db.py", "main.py");
  assert_false(r.d.files.items[0].explicit_);
  assert_true(r.d.files.items[1].explicit_);
  finish(&r);
  assert_int_equal(chdir(".."), 0);
}

static void test_directory_named_py(void **state) {
  (void)state;
  touch("t9/x.py/inner.py");
  run r;
  discover(&r, ARGS("t9"), NULL);
  EXPECT_FILES(&r, "t9/x.py/inner.py");
  assert_int_equal(r.d.problems.len, 0);
  finish(&r);
}

static void test_fifo_not_opened(void **state) {
  (void)state;
  touch("t10/a.py");
  assert_int_equal(mkfifo("t10/pipe.py", 0600), 0);
  assert_int_equal(mkfifo("t10/pipe", 0600), 0);
  run r;
  discover(&r, ARGS("t10"), NULL);
  EXPECT_FILES(&r, "t10/a.py");
  assert_int_equal(r.d.problems.len, 1);
  assert_string_equal(r.d.problems.items[0].path, "t10/pipe.py");
  assert_string_equal(r.d.problems.items[0].message, "not a regular file");
  assert_false(r.d.problems.items[0].explicit_);
  finish(&r);
  discover(&r, ARGS("t10/pipe"), NULL);
  assert_int_equal(r.d.files.len, 0);
  assert_int_equal(r.d.problems.len, 1);
  assert_string_equal(r.d.problems.items[0].message, "not a regular file");
  assert_true(r.d.problems.items[0].explicit_);
  finish(&r);
}

static void test_broken_symlinks(void **state) {
  (void)state;
  touch("t11/a.py");
  make_link("nowhere.py", "t11/dangling.py");
  make_link("nowhere", "t11/dangling");
  run r;
  discover(&r, ARGS("t11"), NULL);
  EXPECT_FILES(&r, "t11/a.py");
  assert_int_equal(r.d.problems.len, 1);
  assert_string_equal(r.d.problems.items[0].path, "t11/dangling.py");
  assert_string_equal(r.d.problems.items[0].message,
                      "No such file or directory");
  finish(&r);
}

static void test_duplicates_removed(void **state) {
  (void)state;
  touch("t12/a.py");
  touch("t12/b.py");
  run r;
  discover(&r, ARGS("t12", "t12/a.py", "./t12/a.py", "t12/"), NULL);
  EXPECT_FILES(&r, "t12/a.py", "t12/b.py");
  assert_true(r.d.files.items[0].explicit_);
  assert_false(r.d.files.items[1].explicit_);
  finish(&r);
}

static void test_deep_tree(void **state) {
  (void)state;
  // Deep enough to hurt a recursive walk with big frames; within PATH_MAX.
  char path[PATH_MAX] = "t13";
  size_t len = 3;
  for (int i = 0; i < 1500; i++) {
    memcpy(path + len, "/d", 3);
    len += 2;
  }
  memcpy(path + len, "/deep.py", 9);
  touch(path);
  run r;
  discover(&r, ARGS("t13"), NULL);
  assert_int_equal(r.d.files.len, 1);
  assert_string_equal(r.d.files.items[0].path, path);
  finish(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_recursion_sorted),
      cmocka_unit_test(test_default_excludes),
      cmocka_unit_test(test_exclude_replaces_defaults),
      cmocka_unit_test(test_extend_exclude),
      cmocka_unit_test(test_is_excluded),
      cmocka_unit_test(test_explicit_excluded_file),
      cmocka_unit_test(test_missing_explicit_path),
      cmocka_unit_test(test_symlink_loop),
      cmocka_unit_test(test_dot_display_paths),
      cmocka_unit_test(test_directory_named_py),
      cmocka_unit_test(test_fifo_not_opened),
      cmocka_unit_test(test_broken_symlinks),
      cmocka_unit_test(test_duplicates_removed),
      cmocka_unit_test(test_deep_tree),
  };
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
