// SPDX-License-Identifier: MIT
// The saved list of library files (src/cli/rerun.h, al_rerun_saved_libs):
// used, in its order, only for the same tree needs of an unchanged
// environment (site directory, every library file, every package
// directory listed) and when every entry is whole; a state forged with a
// valid checksum around an entry without a key, a module twice, a module
// name no lookup makes, or counts that disagree is refused, as is one
// whose files changed since. A run that loads it has the model (library
// files in their order, facts, figures, findings) of a --no-cache run.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#define TMP_TREE_NAME "rerun-libs"
#include "tmp_tree.h"

#include "cli/rerun.h"
#include "cli/rerun_p.h"

static const char *const SITE[] = {"site"};

// Dated a minute ago: the saved run's stat data of it are trusted.
static void make_old(const char *path) {
  struct timespec t[2] = {{time(NULL) - 60, 0}, {time(NULL) - 60, 0}};
  assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void write_old(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  make_old(path);
}

static al_rerun_stat stat_now(const char *path) {
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  return (al_rerun_stat){(uint64_t)sb.st_size, (int64_t)sb.st_mtim.tv_sec,
                         (int64_t)sb.st_mtim.tv_nsec, (uint64_t)sb.st_ino,
                         (uint64_t)sb.st_dev};
}

// The run's state file name (its run key in hex).
static void state_name(char *name, al_cache_key *key) {
  DIR *d = opendir("cache/state");
  assert_non_null(d);
  struct dirent *e;
  name[0] = 0;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && strlen(e->d_name) == 32)
      snprintf(name, 33, "%s", e->d_name);
  closedir(d);
  assert_int_equal(strlen(name), 32);
  char half[17] = {0};
  memcpy(half, name, 16);
  key->h[0] = strtoull(half, NULL, 16);
  key->h[1] = strtoull(name + 16, NULL, 16);
}

static al_run_opts opts;
static al_project project;

// A state saved by a run (no linted file, the site directory): the
// machine, the run key and the start time are the real ones.
static void saved_state(al_rerun_state *s, char *name, al_cache_key *key) {
  al_cache *cache = al_cache_open("cache");
  al_rerun *r = al_rerun_begin(cache, &opts, &project, 7, SITE, 1);
  al_run_result out = {0};
  out.arena = al_arena_new();
  al_rerun_save(r, cache, &out, NULL);
  al_rerun_free(r);
  al_arena_free(out.arena);
  size_t len;
  state_name(name, key);
  unsigned char *data = al_cache_read_blob(cache, name, &len);
  assert_non_null(data);
  memset(s, 0, sizeof *s);
  assert_true(al_rerun__decode(s, data, len, key));
  free(data);
  al_cache_close(cache);
}

static void add_lib(al_rerun_state *s, const char *path, const char *module,
                    uint64_t k) {
  al_rerun_file f = {.path = path,
                     .st = stat_now(path),
                     .key = {{k, k + 1}},
                     .has_key = true,
                     .module = module};
  vec_push(&s->libs, f);
  s->lib_count = s->libs.len;
}

// Write s as the run's state, then ask a new run for the saved list.
static bool saved_libs(const al_rerun_state *s, const char *name,
                       const al_cache_key *key, uint64_t needs,
                       al_rerun_libs *libs, char *first_module) {
  al_cache *cache = al_cache_open("cache");
  size_t len;
  unsigned char *data = al_rerun__encode(s, key, &len);
  assert_true(al_cache_write_blob(cache, name, data, len));
  free(data);
  al_rerun *r = al_rerun_begin(cache, &opts, &project, 7, SITE, 1);
  bool ok = al_rerun_saved_libs(r, needs, libs);
  if (ok && libs->n)
    snprintf(first_module, 64, "%s", libs->libs[0].module);
  al_rerun_free(r);
  al_cache_close(cache);
  return ok;
}

static void test_saved_libs(void **state) {
  (void)state;
  make_parents("site/pkg/__init__.py");
  write_old("site/pkg/__init__.py", "from .a import f\n");
  write_old("site/pkg/a.py", "async def f(): ...\n");
  make_old("site/pkg");
  make_old("site");
  al_rerun_state s;
  char name[33], first[64] = "";
  al_cache_key key;
  saved_state(&s, name, &key);
  assert_int_equal(s.dirs.len, 1);
  al_rerun_file pkg = {.path = "site/pkg", .st = stat_now("site/pkg")};
  vec_push(&s.dirs, pkg); // a package directory the lookups listed
  s.lib_needs = 42;
  add_lib(&s, "site/pkg/__init__.py", "pkg", 10);
  add_lib(&s, "site/pkg/a.py", "pkg.a", 20);
  al_rerun_libs libs;

  // Whole and unchanged: the list, in its order, with its keys.
  assert_true(saved_libs(&s, name, &key, 42, &libs, first));
  assert_int_equal(libs.n, 2);
  assert_string_equal(first, "pkg");
  // Other needs, or none.
  assert_false(saved_libs(&s, name, &key, 43, &libs, first));
  assert_false(saved_libs(&s, name, &key, 0, &libs, first));

  // Forged entries (the checksum is valid).
  s.libs.items[1].has_key = false;
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  s.libs.items[1].has_key = true;
  static const char *const bad[] = {"pkg", "", ".a", "pkg.", "pkg/a", "pkg\na"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    s.libs.items[1].module = bad[i];
    assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  }
  s.libs.items[1].module = "pkg.a";
  s.lib_count = 3;
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  s.lib_count = 2;
  assert_true(saved_libs(&s, name, &key, 42, &libs, first));

  // Changed since: a library file, a package directory (a module added
  // below it), a library file gone.
  write_old("site/pkg/a.py", "def f(): ...\n");
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  s.libs.items[1].st = stat_now("site/pkg/a.py");
  assert_true(saved_libs(&s, name, &key, 42, &libs, first));
  write_old("site/pkg/b.py", "x = 1\n");
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  make_old("site/pkg"); // saved again with it
  s.dirs.items[1].st = stat_now("site/pkg");
  assert_true(saved_libs(&s, name, &key, 42, &libs, first));
  unlink("site/pkg/a.py"); // (its directory changes too)
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  // Modified in the second the saved run began: not trusted.
  write_old("site/pkg/a.py", "async def f(): ...\n");
  make_old("site/pkg");
  s.dirs.items[1].st = stat_now("site/pkg");
  s.libs.items[1].st = stat_now("site/pkg/a.py");
  assert_true(saved_libs(&s, name, &key, 42, &libs, first));
  struct timespec t[2] = {{s.start_sec, 0}, {s.start_sec, 0}};
  assert_int_equal(utimensat(AT_FDCWD, "site/pkg/a.py", t, 0), 0);
  s.libs.items[1].st = stat_now("site/pkg/a.py");
  assert_false(saved_libs(&s, name, &key, 42, &libs, first));
  al_rerun__state_free(&s);
}

// One run of app/ with the environment site2/ (cache or not).
static void run_app(al_run_result *res, bool cache) {
  static const char *const paths[] = {"app"};
  static const char *const site[] = {"site2"};
  al_run_opts o = {.paths = paths,
                   .n_paths = 1,
                   .threads = 2,
                   .config_mode = AL_CONFIG_ISOLATED,
                   .cache = cache,
                   .rerun = cache,
                   .cache_dir = "cache2",
                   .environment = true,
                   .python_path = site,
                   .n_python_path = 1,
                   .python_path_given = true};
  al_run(res, &o);
}

static void append(const char *path, const char *text) {
  FILE *fp = fopen(path, "a");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

// Library files of a run whose facts were read (a warm run reads a saved
// library file only when a resolution reaches it: al_project_file.lazy).
static uint32_t libraries_read(const al_run_result *r) {
  uint32_t n = 0;
  for (uint32_t i = r->project.n_linted; i < r->project.files.len; i++)
    n += r->project.files.items[i].facts != NULL;
  return n;
}

// The library files of two runs, and all they found: the same model.
// (Tree files: their facts too when tree_same.) A lazy file not read is
// read here, after the run (from disk: its cache is closed).
static void same_model(const al_run_result *a, const al_run_result *b,
                       bool tree_same) {
  assert_int_equal(a->project.files.len, b->project.files.len);
  assert_int_equal(a->project.n_linted, b->project.n_linted);
  for (uint32_t i = 0; i < a->project.files.len; i++) {
    al_index_need_file(a->index, i);
    al_index_need_file(b->index, i);
    const al_project_file *x = &a->project.files.items[i];
    const al_project_file *y = &b->project.files.items[i];
    assert_string_equal(x->path, y->path);
    assert_int_equal(x->library, y->library);
    assert_int_equal(x->is_init, y->is_init);
    if (x->library) {
      assert_string_equal(x->module, y->module);
      assert_string_equal(x->fs_path, y->fs_path);
    }
    assert_non_null(x->facts);
    if (!x->library && !tree_same)
      continue;
    assert_int_equal(x->facts->binds.len, y->facts->binds.len);
    assert_int_equal(x->facts->scopes.len, y->facts->scopes.len);
    assert_int_equal(x->facts->text_len, y->facts->text_len);
  }
  assert_int_equal(a->library_files, b->library_files);
  assert_int_equal(a->library_bytes, b->library_bytes);
  assert_int_equal(a->diags.len, b->diags.len);
  for (uint32_t i = 0; i < a->diags.len; i++) {
    assert_int_equal(a->diags.items[i].file, b->diags.items[i].file);
    assert_string_equal(a->diags.items[i].message, b->diags.items[i].message);
  }
}

// A warm run that loads the saved list of library files (three loader
// rounds: the package, its re-exported module, the module of an
// annotation) has the project, library files in their order, figures and
// findings of a --no-cache run.
static void test_same_model(void **state) {
  (void)state;
  make_parents("site2/pkg/x");
  make_parents("app/x");
  write_old("site2/pkg/__init__.py", "from .client import Client\n");
  write_old("site2/pkg/client.py", "from .resp import Response\n\n\n"
                                   "class Client:\n"
                                   "    async def fetch(self) -> Response:"
                                   " ...\n");
  write_old("site2/pkg/resp.py", "class Response:\n"
                                 "    async def json(self): ...\n");
  write_old("app/main.py", "import pkg\n\n\nasync def go(c: pkg.Client):\n"
                           "    r = await c.fetch()\n    r.json()\n");
  write_old("app/util.py", "def helper():\n    return 1\n");
  make_old("site2/pkg");
  make_old("site2");
  al_run_result first, warm, cold;
  run_app(&first, true);
  assert_false(first.libraries_saved);
  assert_int_equal(first.library_files, 3);
  assert_int_equal(first.diags.len, 1); // r.json() through the annotation
  append("app/util.py", "\n\ndef other():\n    return 2\n");
  run_app(&warm, true);
  run_app(&cold, false);
  assert_true(warm.libraries_saved);
  assert_false(cold.libraries_saved);
  assert_int_equal(first.rechecked, 2);
  assert_int_equal(libraries_read(&first), 3);
  // Only util.py is checked again, and it uses no library: none is read.
  assert_int_equal(warm.rechecked, 1);
  assert_int_equal(libraries_read(&warm), 0);
  assert_int_equal(libraries_read(&cold), 3);
  same_model(&warm, &cold, true);
  same_model(&first, &cold, false); // util.py changed in between
  al_run_free(&first);
  al_run_free(&warm);
  al_run_free(&cold);

  // main.py changed: checking it again reads what its resolutions reach
  // (the package's __init__, then client.py for Client.fetch and resp.py
  // for the Response it returns), and finds r.json() again.
  append("app/main.py", "\n\nasync def more(c: pkg.Client):\n"
                        "    await c.fetch()\n");
  run_app(&warm, true);
  run_app(&cold, false);
  assert_true(warm.libraries_saved);
  assert_int_equal(warm.rechecked, 1);
  assert_int_equal(libraries_read(&warm), 3);
  assert_int_equal(warm.diags.len, 1);
  same_model(&warm, &cold, true);
  al_run_free(&warm);
  al_run_free(&cold);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_saved_libs),
      cmocka_unit_test(test_same_model),
  };
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
