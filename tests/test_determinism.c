// SPDX-License-Identifier: MIT
/*
 * Determinism: the same tree gives byte-identical reports (text, JSON,
 * SARIF) whatever the thread count (1, 2, 4), the order the workers take
 * the files in (al_run_opts.shuffle_seed), the order the files were
 * created on disk in, and the state of the result cache (cold, then warm).
 * Trees: the rule fixtures and the demo (every rule, config files
 * included), and a generated project of cross-importing modules (blocking
 * helper chains, inheritance, star imports, an import cycle) written, then
 * removed and written again at the same path in the opposite creation
 * order. Prints TAP.
 *
 * Usage: test_determinism FIXTURES_DIR (run from the source root)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/output.h"
#include "cli/run.h"

static unsigned n_tests, n_failed;
static char tmp_root[256];

static void tap(bool ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%sok %u - ", ok ? "" : "not ", ++n_tests);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  if (!ok)
    n_failed++;
  fflush(stdout);
}

static void die(const char *what) {
  printf("Bail out! %s: %s\n", what, strerror(errno));
  exit(1);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    die(path);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap)
      buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf)
    die("out of memory");
  *len = n;
  return buf;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0)
    die(path);
}

// One run's three reports, concatenated with separators.
typedef struct {
  char *bytes;
  size_t len;
  uint32_t n_diags;
  uint32_t cache_hits;
} reports;

typedef struct {
  const char *const *paths;
  uint32_t n_paths;
  uint32_t threads;
  uint32_t seed;
  const char *cache_dir; // NULL: no cache
} run_spec;

static reports lint(const run_spec *spec) {
  static const char *const select[] = {"ALL"};
  static const char *const formats[] = {"text", "json", "sarif"};
  reports r = {0};
  size_t cap = 0;
  for (int k = 0; k < 3; k++) {
    // A fresh run per format: al_output_report may change the result.
    al_run_opts opts = {
        .paths = spec->paths,
        .n_paths = spec->n_paths,
        .threads = spec->threads,
        .select = select,
        .n_select = 1,
        .shuffle_seed = spec->seed,
        .cache = spec->cache_dir != NULL,
        .cache_dir = spec->cache_dir,
    };
    al_run_result res;
    al_run(&res, &opts);
    if (k == 0) {
      r.n_diags = res.diags.len;
      r.cache_hits = res.cache_hits;
    }
    char out_path[300];
    snprintf(out_path, sizeof out_path, "%s/report", tmp_root);
    al_output_opts oo = {
        .writer = al_report_find_format(formats[k]),
        .output_file = out_path,
        .quiet = true,
        .version = "test",
    };
    al_output_report(&oo, &res, AL_EXIT_CLEAN, NULL);
    al_run_free(&res);
    size_t len;
    char *bytes = slurp(out_path, &len);
    if (r.len + len + 16 > cap) {
      cap = (r.len + len + 16) * 2;
      r.bytes = realloc(r.bytes, cap);
      if (!r.bytes)
        die("out of memory");
    }
    memcpy(r.bytes + r.len, bytes, len);
    r.len += len;
    memcpy(r.bytes + r.len, "\n=====\n", 7);
    r.len += 7;
    free(bytes);
  }
  return r;
}

// The first line where a and b differ, for the TAP diagnostics.
static void show_difference(const reports *a, const reports *b) {
  size_t i = 0, line = 1, start = 0;
  while (i < a->len && i < b->len && a->bytes[i] == b->bytes[i]) {
    if (a->bytes[i] == '\n') {
      line++;
      start = i + 1;
    }
    i++;
  }
  printf("# first difference at line %zu of the reports (%zu vs %zu bytes)\n",
         line, a->len, b->len);
  printf("#  expected: %.*s\n",
         (int)(a->len - start < 200 ? a->len - start : 200), a->bytes + start);
  printf("#  got:      %.*s\n",
         (int)(b->len - start < 200 ? b->len - start : 200), b->bytes + start);
}

static bool same(const reports *a, const reports *b) {
  return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void compare(const char *tree, const reports *base, const run_spec *spec,
                    const char *what) {
  reports r = lint(spec);
  bool ok = same(base, &r);
  tap(ok, "%s: threads %u, %s: same reports (%u diagnostics)", tree,
      spec->threads, what, r.n_diags);
  if (!ok)
    show_difference(base, &r);
  free(r.bytes);
}

// Threads x shuffles, then a cold and a warm cache, against threads 1 in
// path order.
static void check_tree(const char *tree, const char *const *paths,
                       uint32_t n_paths, const reports *base) {
  static const uint32_t threads[] = {1, 2, 4};
  static const uint32_t seeds[] = {0, 7, 20240611, 0xdeadbeef};
  for (size_t t = 0; t < sizeof threads / sizeof *threads; t++)
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
      if (t == 0 && s == 0)
        continue; // the baseline itself
      char what[64];
      if (seeds[s])
        snprintf(what, sizeof what, "shuffled (seed %u)", seeds[s]);
      else
        snprintf(what, sizeof what, "path order");
      run_spec spec = {paths, n_paths, threads[t], seeds[s], NULL};
      compare(tree, base, &spec, what);
    }
  char cache_dir[300];
  snprintf(cache_dir, sizeof cache_dir, "%s/cache-%s", tmp_root, tree);
  run_spec cold = {paths, n_paths, 2, 7, cache_dir};
  compare(tree, base, &cold, "cold cache");
  reports warm = lint(&(run_spec){paths, n_paths, 4, 20240611, cache_dir});
  bool ok = same(base, &warm);
  tap(ok, "%s: threads 4, warm cache (%u hits): same reports", tree,
      warm.cache_hits);
  if (!ok)
    show_difference(base, &warm);
  free(warm.bytes);
}

// --- the generated project ------------------------------------------------

enum { N_MODS = 40 };

// Module i of package pkg<i%4>: imports its neighbours, defines a blocking
// helper chain across modules, classes inheriting across modules, star
// imports and a two-module cycle; every kind of finding appears.
static void module_text(char *buf, size_t cap, int i) {
  int prev = (i + N_MODS - 1) % N_MODS, next = (i + 1) % N_MODS;
  snprintf(buf, cap,
           "import asyncio\n"
           "import time\n"
           "from pkg%d.m%d import helper%d, Base%d\n"
           "from pkg%d.m%d import *\n"
           "import pkg%d.m%d as other\n"
           "\n"
           "\n"
           "def helper%d():\n"
           "    if %d == 0:\n"
           "        time.sleep(1)\n"
           "    return helper%d()\n"
           "\n"
           "\n"
           "class Base%d(Base%d):\n"
           "    async def go%d(self):\n"
           "        await asyncio.sleep(0)\n"
           "\n"
           "\n"
           "async def fetch%d():\n"
           "    return %d\n"
           "\n"
           "\n"
           "async def main%d(obj: Base%d):\n"
           "    fetch%d()\n"
           "    other.fetch%d()\n"
           "    helper%d()\n"
           "    obj.go%d()\n"
           "    Base%d().go%d()\n"
           "    if fetch%d():\n"
           "        pass\n"
           "    asyncio.create_task(fetch%d())\n"
           "    with open('x') as f:\n"
           "        f.read()\n"
           "    x = fetch%d()  # noqa: AL103\n",
           next % 4, next, next, next, prev % 4, prev, next % 4, next, i, i % 7,
           next, i, next, i, i, i, i, i, i, next, i, i, i, i, i, i, i);
}

static void make_tree(const char *root, bool reverse) {
  char path[400], text[4096];
  if (mkdir(root, 0755) != 0)
    die(root);
  for (int p = 0; p < 4; p++) {
    int q = reverse ? 3 - p : p;
    snprintf(path, sizeof path, "%s/pkg%d", root, q);
    if (mkdir(path, 0755) != 0)
      die(path);
    snprintf(path, sizeof path, "%s/pkg%d/__init__.py", root, q);
    write_file(path, "from . import *\n");
  }
  for (int k = 0; k < N_MODS; k++) {
    int i = reverse ? N_MODS - 1 - k : k;
    snprintf(path, sizeof path, "%s/pkg%d/m%d.py", root, i % 4, i);
    module_text(text, sizeof text, i);
    write_file(path, text);
  }
  // A config file in one package: per-file settings take part too.
  snprintf(path, sizeof path, "%s/pkg2/asynclint.toml", root);
  write_file(path, "extend-select = [\"ALL\"]\nignore = [\"AL404\"]\n");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_determinism FIXTURES_DIR\n");
    return 2;
  }
  snprintf(tmp_root, sizeof tmp_root, "%s/asynclint-determinism.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(tmp_root))
    die("mkdtemp");
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd))
    die("getcwd");

  // The fixtures, named relative to the current directory as a user would.
  char rules[4200], demo[4200];
  snprintf(rules, sizeof rules, "%s/rules", argv[1]);
  snprintf(demo, sizeof demo, "%s/demo", argv[1]);
  const char *const fixture_paths[] = {rules, demo};
  reports base = lint(&(run_spec){fixture_paths, 2, 1, 0, NULL});
  tap(base.n_diags > 100, "fixtures: baseline has diagnostics (%u)",
      base.n_diags);
  check_tree("fixtures", fixture_paths, 2, &base);
  free(base.bytes);

  // The generated project, created in one order, linted as "." from inside
  // it, then removed and created again at the same path in the opposite
  // order (another order on disk on file systems that list directories in
  // creation order): the same reports, byte for byte (SARIF names the
  // directory).
  char proj[400], cmd[600];
  snprintf(proj, sizeof proj, "%s/project", tmp_root);
  make_tree(proj, false);
  const char *const dot[] = {"."};
  if (chdir(proj) != 0)
    die(proj);
  reports gen = lint(&(run_spec){dot, 1, 1, 0, NULL});
  tap(gen.n_diags >= 4 * N_MODS, "generated: baseline has diagnostics (%u)",
      gen.n_diags);
  check_tree("generated", dot, 1, &gen);
  if (chdir(tmp_root) != 0)
    die(tmp_root);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", proj);
  if (system(cmd) != 0)
    die(cmd);
  make_tree(proj, true);
  if (chdir(proj) != 0)
    die(proj);
  reports rev = lint(&(run_spec){dot, 1, 1, 0, NULL});
  bool ok = same(&gen, &rev);
  tap(ok, "generated: created in reverse order: same reports");
  if (!ok)
    show_difference(&gen, &rev);
  check_tree("generated-reverse", dot, 1, &gen);
  free(rev.bytes);
  free(gen.bytes);

  if (chdir(cwd) != 0)
    die(cwd);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
  if (system(cmd) != 0)
    printf("# could not remove %s\n", tmp_root);
  printf("1..%u\n", n_tests);
  return n_failed ? 1 : 0;
}
