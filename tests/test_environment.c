// SPDX-License-Identifier: MIT
/*
 * Unit tests for the Python environment (source/environment.c): which site
 * directories a virtualenv stands for (pyvenv.cfg, the base interpreter's
 * with include-system-site-packages, a base that is gone), the default
 * search ($VIRTUAL_ENV, .venv / venv beside the config or the first path),
 * explicit directories (missing ones give a notice), and where a module's
 * file is: *-stubs packages, then .pyi before .py, regular files only.
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

#include "source/environment.h"

#define TMP_TREE_NAME "environment"
#include "tmp_tree.h"

static void write_file(const char *path, const char *text) {
  make_parents(path);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *path) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s/x", path);
  make_parents(buf);
}

// The absolute form of a relative path under the test directory.
static const char *abs_of(const char *rel) {
  static char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s/%s", tmp_dir, rel);
  return buf;
}

static void test_venv_default(void **state) {
  (void)state;
  unsetenv("VIRTUAL_ENV");
  make_dir("p1/.venv/lib/python3.11/site-packages");
  write_file("p1/.venv/pyvenv.cfg", "home = /usr/bin\n"
                                    "include-system-site-packages = false\n");
  make_dir("p1/app");
  al_env env;
  // The first path's parent has it (a tree beside the venv)...
  al_env_find(&env, &(al_env_opts){.first_path = "p1/app"});
  assert_int_equal(env.dirs.len, 1);
  assert_string_equal(env.dirs.items[0],
                      abs_of("p1/.venv/lib/python3.11/site-packages"));
  assert_string_equal(env.note, "");
  al_env_free(&env);
  // ... as does the config's directory, and the first path itself.
  al_env_find(&env, &(al_env_opts){.config_dir = abs_of("p1")});
  assert_int_equal(env.dirs.len, 1);
  al_env_free(&env);
  al_env_find(&env, &(al_env_opts){.first_path = "p1"});
  assert_int_equal(env.dirs.len, 1);
  al_env_free(&env);
  // Nothing near: no environment, no notice.
  make_dir("p0/app");
  al_env_find(&env, &(al_env_opts){.first_path = "p0/app"});
  assert_int_equal(env.dirs.len, 0);
  assert_string_equal(env.note, "");
  al_env_free(&env);
}

static void test_virtual_env_and_off(void **state) {
  (void)state;
  make_dir("p2/venv/lib/python3.12/site-packages");
  make_dir("p2/venv/lib/python3.11/site-packages");
  write_file("p2/venv/pyvenv.cfg", "home = /usr/bin\n");
  setenv("VIRTUAL_ENV", abs_of("p2/venv"), 1);
  al_env env;
  al_env_find(&env, &(al_env_opts){.first_path = "p1/app"});
  assert_int_equal(env.dirs.len, 2); // in name order
  assert_string_equal(env.dirs.items[0],
                      abs_of("p2/venv/lib/python3.11/site-packages"));
  assert_string_equal(env.dirs.items[1],
                      abs_of("p2/venv/lib/python3.12/site-packages"));
  al_env_free(&env);
  // Given (even empty), the paths win over $VIRTUAL_ENV.
  al_env_find(&env, &(al_env_opts){.given = true, .first_path = "p1/app"});
  assert_int_equal(env.dirs.len, 0);
  al_env_free(&env);
  // A $VIRTUAL_ENV that is not one: a notice.
  setenv("VIRTUAL_ENV", abs_of("nowhere"), 1);
  al_env_find(&env, &(al_env_opts){0});
  assert_int_equal(env.dirs.len, 0);
  assert_non_null(strstr(env.note, "is not a python environment"));
  al_env_free(&env);
  unsetenv("VIRTUAL_ENV");
}

static void test_system_site_packages(void **state) {
  (void)state;
  // A base interpreter at base/bin: its lib/python3.11/site-packages and
  // lib/python3/dist-packages (Debian) join, when they exist.
  make_dir("base/bin");
  make_dir("base/lib/python3.11/site-packages");
  make_dir("base/lib/python3/dist-packages");
  make_dir("p3/.venv/lib/python3.11/site-packages");
  char cfg[PATH_MAX + 100];
  snprintf(cfg, sizeof cfg,
           "home = %s\ninclude-system-site-packages = true\nversion = "
           "3.11.2\n",
           abs_of("base/bin"));
  write_file("p3/.venv/pyvenv.cfg", cfg);
  al_env env;
  al_env_find(&env, &(al_env_opts){.given = true,
                                   .paths = (const char *[]){"p3/.venv"},
                                   .n_paths = 1});
  assert_int_equal(env.dirs.len, 3);
  assert_string_equal(env.dirs.items[1],
                      abs_of("base/lib/python3.11/site-packages"));
  assert_string_equal(env.dirs.items[2],
                      abs_of("base/lib/python3/dist-packages"));
  al_env_free(&env);
  // The base is gone: the venv's own directory and a notice.
  write_file("p3/.venv/pyvenv.cfg", "home = /nonexistent/bin\n"
                                    "include-system-site-packages = true\n");
  al_env_find(&env, &(al_env_opts){.given = true,
                                   .paths = (const char *[]){"p3/.venv"},
                                   .n_paths = 1});
  assert_int_equal(env.dirs.len, 1);
  assert_non_null(strstr(env.note, "(/nonexistent/bin) is gone"));
  al_env_free(&env);
}

static void test_explicit_dirs(void **state) {
  (void)state;
  make_dir("site1");
  al_env env;
  al_env_find(
      &env, &(al_env_opts){.given = true,
                           .paths = (const char *[]){"site1", "gone", "site1"},
                           .n_paths = 3});
  assert_int_equal(env.dirs.len, 1); // missing and repeated ones left out
  assert_string_equal(env.dirs.items[0], abs_of("site1"));
  assert_string_equal(env.note, "python-path gone: no such directory");
  al_env_free(&env);
}

static void test_module_files(void **state) {
  (void)state;
  write_file("s/pkg/__init__.py", "");
  write_file("s/pkg/mod.py", "");
  write_file("s/pkg/mod.pyi", "");
  write_file("s/pkg/sub/__init__.py", "");
  write_file("s/typed/__init__.py", "");
  write_file("s/typed/a.py", "");
  write_file("s/typed-stubs/__init__.pyi", "");
  write_file("s/single.py", "x = 1\n");
  make_dir("s/notfile.py"); // a directory named like a module
  assert_int_equal(symlink("loop.py", "s/loop.py"), 0);
  assert_int_equal(mkfifo("s/fifo.py", 0644), 0);
  al_env env;
  al_env_find(&env, &(al_env_opts){.given = true,
                                   .paths = (const char *[]){"s"},
                                   .n_paths = 1});
  bool init;
  uint64_t size;
  char *f = al_env_module_file(&env, "pkg", &init, &size);
  assert_string_equal(f, abs_of("s/pkg/__init__.py"));
  assert_true(init);
  free(f);
  f = al_env_module_file(&env, "pkg.mod", &init, &size);
  assert_string_equal(f, abs_of("s/pkg/mod.pyi")); // .pyi wins
  assert_false(init);
  free(f);
  f = al_env_module_file(&env, "pkg.sub", &init, &size);
  assert_string_equal(f, abs_of("s/pkg/sub/__init__.py"));
  free(f);
  f = al_env_module_file(&env, "typed", &init, &size);
  assert_string_equal(f, abs_of("s/typed-stubs/__init__.pyi")); // PEP 561
  free(f);
  f = al_env_module_file(&env, "typed.a", &init, &size); // partial stubs
  assert_string_equal(f, abs_of("s/typed/a.py"));
  free(f);
  f = al_env_module_file(&env, "single", &init, &size);
  assert_string_equal(f, abs_of("s/single.py"));
  assert_int_equal(size, 6);
  free(f);
  assert_null(al_env_module_file(&env, "notfile", &init, &size));
  assert_null(al_env_module_file(&env, "loop", &init, &size));
  assert_null(al_env_module_file(&env, "fifo", &init, &size));
  assert_null(al_env_module_file(&env, "pkg.missing", &init, &size));
  assert_null(al_env_module_file(&env, "", &init, &size));
  al_env_free(&env);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_venv_default),
      cmocka_unit_test(test_virtual_env_and_off),
      cmocka_unit_test(test_system_site_packages),
      cmocka_unit_test(test_explicit_dirs),
      cmocka_unit_test(test_module_files),
  };
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
