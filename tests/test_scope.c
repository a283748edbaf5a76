// SPDX-License-Identifier: MIT
/*
 * Unit tests for project scope (cli/scope.c): which directory is a path's
 * project (the config's directory, the git work tree's root, the deeper of
 * the two; none above $GIT_CEILING_DIRECTORIES; a config elsewhere is not
 * the project of a path outside it), and which files a run over a few
 * named files reads as context (the rest of the project, once each, not
 * the file "-" stands for).
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

#include "base/path.h"
#include "cli/scope.h"

#define TMP_TREE_NAME "scope"
#include "tmp_tree.h"

static void write_file(const char *path, const char *text) {
  make_parents(path);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

// Settings whose config file lives in dir (relative to the cwd).
static al_settings with_config(al_arena *a, al_config *c, const char *dir) {
  memset(c, 0, sizeof *c);
  c->dir = al_path_absolute(a, dir);
  return (al_settings){.config = c};
}

static void test_root(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  unsetenv("GIT_CEILING_DIRECTORIES");
  write_file("top/asynclint.toml", "");
  write_file("top/repo/.git/HEAD", "ref: refs/heads/main\n");
  write_file("top/repo/pkg/a.py", "");
  write_file("top/repo/sub/asynclint.toml", "");
  write_file("top/repo/sub/b.py", "");
  write_file("plain/c.py", "");
  al_config c;
  al_settings none = {0};
  // No config: the work tree's root, from a file or a directory.
  assert_string_equal(al_scope_root(a, &none, "top/repo/pkg/a.py"),
                      al_path_absolute(a, "top/repo"));
  assert_string_equal(al_scope_root(a, &none, "top/repo/pkg"),
                      al_path_absolute(a, "top/repo"));
  // A config above the work tree: the work tree is the project.
  al_settings s = with_config(a, &c, "top");
  assert_string_equal(al_scope_root(a, &s, "top/repo/pkg/a.py"),
                      al_path_absolute(a, "top/repo"));
  // A config inside it: its directory.
  s = with_config(a, &c, "top/repo/sub");
  assert_string_equal(al_scope_root(a, &s, "top/repo/sub/b.py"),
                      al_path_absolute(a, "top/repo/sub"));
  // A config outside the git-less path (--config elsewhere): no project.
  s = with_config(a, &c, "top/repo/sub");
  assert_null(al_scope_root(a, &s, "plain/c.py"));
  // A config above a path outside any work tree: its directory.
  s = with_config(a, &c, "top");
  write_file("top/lone/d.py", "");
  assert_string_equal(al_scope_root(a, &s, "top/lone/d.py"),
                      al_path_absolute(a, "top"));
  // $GIT_CEILING_DIRECTORIES: not up into top/repo.
  setenv("GIT_CEILING_DIRECTORIES", al_path_absolute(a, "top/repo"), 1);
  assert_null(al_scope_root(a, &none, "top/repo/pkg/a.py"));
  unsetenv("GIT_CEILING_DIRECTORIES");
  al_arena_free(a);
}

static void test_context(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  write_file("proj/.git/HEAD", "");
  write_file("proj/app.py", "");
  write_file("proj/pkg/__init__.py", "");
  write_file("proj/pkg/db.py", "");
  write_file("proj/other.py", "");
  al_project p = {0};
  al_project_file named = {
      .path = "proj/app.py", .fs_path = "proj/app.py", .explicit_ = true};
  vec_push(&p.files, named);
  al_settings none = {0};
  const char *paths[] = {"proj/app.py"};
  const al_settings *each[] = {&none};
  al_scope_in in = {.paths = paths,
                    .settings = each,
                    .n_paths = 1,
                    .project = true,
                    .want_stdin = true,
                    .stdin_name = "proj/other.py",
                    .stdin_settings = &none};
  al_scope_extend(&p, a, &in);
  // app.py is named, other.py is what "-" stands for: the rest is context.
  assert_int_equal(p.files.len, 3);
  assert_string_equal(p.files.items[1].path, "proj/pkg/__init__.py");
  assert_true(p.files.items[1].context);
  assert_string_equal(p.files.items[2].path, "proj/pkg/db.py");
  assert_true(p.files.items[2].context);
  assert_false(p.files.items[0].context);
  assert_int_equal(p.roots.len, 1);
  // --no-project: nothing added.
  al_project q = {0};
  vec_push(&q.files, named);
  in.project = false;
  al_scope_extend(&q, a, &in);
  assert_int_equal(q.files.len, 1);
  al_project_free(&p);
  al_project_free(&q);
  al_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_root),
      cmocka_unit_test(test_context),
  };
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
