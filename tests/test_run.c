// SPDX-License-Identifier: MIT
/*
 * Unit tests for one lint run driven in-process (cli/run.c): a file that
 * vanishes (or turns into a FIFO) between discovery and reading, thread
 * counts that must not change the result, standard input given as bytes,
 * and explicit paths that do not exist. Each group works in a mkdtemp
 * directory under /tmp that it changes into, so display paths are short
 * and relative; the teardown goes back and removes it. Diagnostics are
 * compared as the text reporter would print them, `path:line:col: CODE
 * message`, so positions go through the real conversion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/run.h"
#include "report/report.h"

#define TMP_TREE_NAME "run"
#include "tmp_tree.h"

static void write_file(const char *path, const char *text) {
  make_parents(path);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fputs(text, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
}

// A module with one AL200 at 5:5 inside `async def name()`.
static void write_sleeper(const char *path, const char *name) {
  char text[256];
  snprintf(text, sizeof text,
           "import time\n\n\nasync def %s():\n    time.sleep(1)\n", name);
  write_file(path, text);
}

// The run's diagnostics as printed lines, joined by '\n' (malloc'd).
static char *format_diags(const al_run_result *res) {
  uint32_t n = res->diags.len;
  al_report_item *items = calloc(n ? n : 1, sizeof *items);
  assert_non_null(items);
  al_report_items(items, res->diags.items, n, &res->project);
  size_t cap = 256, len = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  out[0] = 0;
  for (uint32_t i = 0; i < n; i++) {
    const al_report_item *it = &items[i];
    int need = snprintf(NULL, 0, "%s:%u:%u: %s %s\n", it->path,
                        (unsigned)it->start.line, (unsigned)it->start.column,
                        it->rule->code, it->message);
    assert_true(need > 0);
    while (len + (size_t)need + 1 > cap) {
      cap *= 2;
      out = realloc(out, cap);
      assert_non_null(out);
    }
    snprintf(out + len, cap - len, "%s:%u:%u: %s %s\n", it->path,
             (unsigned)it->start.line, (unsigned)it->start.column,
             it->rule->code, it->message);
    len += (size_t)need;
  }
  free(items);
  return out;
}

static void run_paths(al_run_result *res, const char *const *paths, uint32_t n,
                      uint32_t threads) {
  al_run_opts opts = {.paths = paths, .n_paths = n, .threads = threads};
  al_run(res, &opts);
}

#define SLEEP_MSG(fn)                                                          \
  "AL200 'time.sleep' blocks the event loop inside async function '" fn        \
  "'; use 'await asyncio.sleep(...)'\n"

// --- A file that goes away between discovery and reading ----------------

static void unlink_b(void *data, const al_project *project) {
  int *calls = data;
  (*calls)++;
  // Discovery saw it, so the project lists it already.
  bool listed = false;
  for (uint32_t i = 0; i < project->files.len; i++)
    listed |= strcmp(project->files.items[i].path, "vanish/b.py") == 0;
  assert_true(listed);
  assert_int_equal(unlink("vanish/b.py"), 0);
}

static void test_vanishing_file(void **state) {
  (void)state;
  write_sleeper("vanish/a.py", "first");
  write_sleeper("vanish/b.py", "gone");
  write_sleeper("vanish/c.py", "last");
  for (uint32_t threads = 1; threads <= 3; threads++) {
    if (threads > 1)
      write_sleeper("vanish/b.py", "gone");
    const char *paths[] = {"vanish"};
    int calls = 0;
    al_run_opts opts = {.paths = paths,
                        .n_paths = 1,
                        .threads = threads,
                        .after_discover = unlink_b,
                        .after_discover_data = &calls};
    al_run_result res;
    al_run(&res, &opts);
    assert_int_equal(calls, 1);
    char *got = format_diags(&res);
    assert_string_equal(
        got, "vanish/a.py:5:5: " SLEEP_MSG(
                 "first") "vanish/b.py:1:1: AL002 cannot read file: No such "
                          "file or directory\n"
                          "vanish/c.py:5:5: " SLEEP_MSG("last"));
    // The vanished file was checked (and failed): it counts.
    assert_int_equal(res.files_checked, 3);
    assert_int_equal(res.files_with_problems, 3);
    // Not a path problem: the path existed when it was walked.
    assert_int_equal(res.problems.len, 0);
    free(got);
    al_run_free(&res);
  }
}

// --- A file replaced by a FIFO after discovery: must not block ----------

static void b_to_fifo(void *data, const al_project *project) {
  (void)data;
  (void)project;
  assert_int_equal(unlink("fifo/b.py"), 0);
  assert_int_equal(mkfifo("fifo/b.py", 0644), 0);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "test_run: the run blocked on a FIFO\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(1);
}

static void test_file_becomes_fifo(void **state) {
  (void)state;
  write_sleeper("fifo/a.py", "first");
  write_sleeper("fifo/b.py", "piped");
  const char *paths[] = {"fifo"};
  al_run_opts opts = {
      .paths = paths, .n_paths = 1, .threads = 2, .after_discover = b_to_fifo};
  // Opening a FIFO for reading waits for a writer: a run that does that
  // would hang the test suite, so fail it loudly instead.
  signal(SIGALRM, on_alarm);
  alarm(20);
  al_run_result res;
  al_run(&res, &opts);
  alarm(0);
  char *got = format_diags(&res);
  assert_string_equal(got,
                      "fifo/a.py:5:5: " SLEEP_MSG(
                          "first") "fifo/b.py:1:1: AL002 not a regular file\n");
  free(got);
  al_run_free(&res);
}

// --- Thread counts do not change the result -----------------------------

#define N_GENERATED 50

// A tree of N_GENERATED modules over nested packages, written in an order
// unlike their sorted order, with a mix of findings: every rule of the
// foundation, a syntax error, an undecodable file, suppressions and clean
// modules.
static void write_generated_tree(void) {
  char path[128], text[1024];
  for (int k = N_GENERATED - 1; k >= 0; k--) {
    int i = (k * 7) % N_GENERATED; // a permutation: gcd(7, 50) = 1
    snprintf(path, sizeof path, "gen/%s/%s/m%02d.py",
             i % 3 == 0   ? "api"
             : i % 3 == 1 ? "jobs"
                          : "util",
             i % 2 ? "a" : "b", i);
    switch (i % 7) {
    case 0: // clean
      snprintf(text, sizeof text,
               "import asyncio\n\n\nasync def f%d():\n"
               "    await asyncio.sleep(%d)\n",
               i, i);
      break;
    case 1: // AL100 + AL200 on one line
      snprintf(text, sizeof text,
               "import asyncio\nimport time\n\n\nasync def f%d():\n"
               "    await asyncio.sleep(0)\n\n\nasync def g%d():\n"
               "    f%d(); time.sleep(%d)\n",
               i, i, i, i);
      break;
    case 2: // AL120 and AL107
      snprintf(text, sizeof text,
               "import asyncio\n\n\nasync def job():\n"
               "    await asyncio.sleep(0)\n\n\nasync def main():\n"
               "    asyncio.create_task(job())\n"
               "    await asyncio.wait_for(job, %d)\n",
               i);
      break;
    case 3: // AL110, and a suppressed AL200
      snprintf(text, sizeof text,
               "import asyncio\nimport time\n\n\nasync def job():\n"
               "    time.sleep(%d)  # noqa: AL200\n\n\ndef legacy():\n"
               "    await job()\n",
               i);
      break;
    case 4: // AL001 with an AL200 after it
      snprintf(text, sizeof text,
               "import time\n\n\ndef broken(:\n    pass\n\n\n"
               "async def f%d():\n    time.sleep(1)\n",
               i);
      break;
    case 5: // AL002: invalid UTF-8 on line 2
      snprintf(text, sizeof text, "x = 1\ny = '\xff%d'\n", i);
      break;
    default: // non-ASCII before the finding
      snprintf(text, sizeof text,
               "import time\n\n\nasync def f%d():\n"
               "    s = \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x8d\"; "
               "time.sleep(%d)\n",
               i, i);
      break;
    }
    write_file(path, text);
  }
}

static void test_threads_identical(void **state) {
  (void)state;
  write_generated_tree();
  const char *paths[] = {"gen"};
  al_run_result one;
  run_paths(&one, paths, 1, 1);
  char *expected = format_diags(&one);
  assert_int_equal(one.files_checked, N_GENERATED);
  // Every module but the clean ones (i % 7 == 0: 8 of 50) has a finding.
  assert_int_equal(one.files_with_problems, N_GENERATED - 8);
  // Kinds 1 to 6 have 2, 2, 1, 2, 1 and 1 findings, 7 modules each (kind 0
  // has the other 8).
  assert_int_equal(one.diags.len, 7 * (2 + 2 + 1 + 2 + 1 + 1));
  // Spot checks of the content, so identity below is not of two wrong lists.
  assert_null(strstr(expected, "gen/api/b/m00.py"));
  assert_non_null(strstr(expected, "gen/jobs/a/m01.py:10:5: AL100 "));
  assert_non_null(strstr(expected, "gen/jobs/a/m01.py:10:11: AL200 "));
  assert_non_null(strstr(expected, "gen/util/b/m02.py:9:5: AL120 "));
  assert_non_null(strstr(expected, "gen/util/b/m02.py:10:28: AL107 "));
  assert_non_null(strstr(expected, "gen/api/a/m03.py:10:5: AL110 "));
  assert_null(strstr(expected, "gen/api/a/m03.py:6:"));
  assert_non_null(strstr(expected, "gen/jobs/b/m04.py:4:12: AL001 "));
  assert_non_null(strstr(expected, "gen/jobs/b/m04.py:9:5: AL200 "));
  assert_non_null(
      strstr(expected, "gen/util/a/m05.py:2:6: AL002 invalid UTF-8 "));
  assert_non_null(strstr(expected, "gen/api/b/m06.py:5:16: AL200 "));
  // Sorted by path: the first line is the smallest path.
  assert_true(strncmp(expected, "gen/api/a/", 10) == 0);

  for (uint32_t threads = 2; threads <= 8; threads *= 2) {
    for (int round = 0; round < 3; round++) {
      al_run_result many;
      run_paths(&many, paths, 1, threads);
      char *got = format_diags(&many);
      assert_string_equal(got, expected);
      assert_int_equal(many.files_checked, one.files_checked);
      assert_int_equal(many.files_with_problems, one.files_with_problems);
      assert_int_equal(many.project.files.len, one.project.files.len);
      for (uint32_t i = 0; i < one.project.files.len; i++)
        assert_string_equal(many.project.files.items[i].path,
                            one.project.files.items[i].path);
      free(got);
      al_run_free(&many);
    }
  }
  free(expected);
  al_run_free(&one);
}

// --- Standard input as bytes ---------------------------------------------

static const char stdin_code[] = "import asyncio\n\n\nasync def load():\n"
                                 "    await asyncio.sleep(0)\n\n\n"
                                 "async def handler():\n    load()\n";

static void test_stdin_bytes_named(void **state) {
  (void)state;
  const char *paths[] = {"-"};
  al_run_opts opts = {.paths = paths,
                      .n_paths = 1,
                      .threads = 2,
                      .stdin_filename = "app/x.py",
                      .stdin_bytes = stdin_code,
                      .stdin_len = sizeof stdin_code - 1};
  al_run_result res;
  al_run(&res, &opts);
  char *got = format_diags(&res);
  assert_string_equal(got,
                      "app/x.py:9:5: AL100 'load' (app/x.py:4) is async: this "
                      "call creates a coroutine that is never awaited; add "
                      "'await'\n");
  assert_int_equal(res.files_checked, 1);
  assert_int_equal(res.project.files.len, 1);
  assert_null(res.project.files.items[0].fs_path);
  free(got);
  al_run_free(&res);
}

static void test_stdin_bytes_unnamed(void **state) {
  (void)state;
  const char *paths[] = {"-"};
  al_run_opts opts = {.paths = paths,
                      .n_paths = 1,
                      .threads = 1,
                      .stdin_bytes = stdin_code,
                      .stdin_len = sizeof stdin_code - 1};
  al_run_result res;
  al_run(&res, &opts);
  char *got = format_diags(&res);
  assert_string_equal(got, "-:9:5: AL100 'load' (-:4) is async: this call "
                           "creates a coroutine that is never awaited; add "
                           "'await'\n");
  free(got);
  al_run_free(&res);
}

static void test_stdin_bytes_binary(void **state) {
  (void)state;
  // Bytes with a NUL in them: stdin_len, not strlen, decides what is read.
  static const char bytes[] = "x = 1\n\0\0\0";
  const char *paths[] = {"-"};
  al_run_opts opts = {.paths = paths,
                      .n_paths = 1,
                      .threads = 1,
                      .stdin_filename = "bin.py",
                      .stdin_bytes = bytes,
                      .stdin_len = sizeof bytes - 1};
  al_run_result res;
  al_run(&res, &opts);
  char *got = format_diags(&res);
  assert_string_equal(got, "bin.py:2:1: AL002 file contains NUL bytes "
                           "(binary file?)\n");
  free(got);
  al_run_free(&res);
}

static void test_stdin_bytes_with_files(void **state) {
  (void)state;
  write_sleeper("mix/a.py", "disk_a");
  write_sleeper("mix/z.py", "disk_z");
  // Standard input is named between the two files: it sorts there.
  const char *paths[] = {"mix/z.py", "-", "mix/a.py"};
  static const char code[] = "import time\n\n\nasync def piped():\n"
                             "    time.sleep(1)\n";
  al_run_opts opts = {.paths = paths,
                      .n_paths = 3,
                      .threads = 2,
                      .stdin_filename = "mix/m.py",
                      .stdin_bytes = code,
                      .stdin_len = sizeof code - 1};
  al_run_result res;
  al_run(&res, &opts);
  char *got = format_diags(&res);
  assert_string_equal(
      got, "mix/a.py:5:5: " SLEEP_MSG("disk_a") "mix/m.py:5:5: " SLEEP_MSG(
               "piped") "mix/z.py:5:5: " SLEEP_MSG("disk_z"));
  assert_int_equal(res.files_checked, 3);
  free(got);
  al_run_free(&res);
}

// --- Explicit paths that do not exist ------------------------------------

static void test_missing_explicit_path(void **state) {
  (void)state;
  write_sleeper("here/a.py", "present");
  const char *paths[] = {"nosuch.py", "here", "nodir/"};
  al_run_result res;
  run_paths(&res, paths, 3, 2);
  assert_int_equal(res.problems.len, 2);
  assert_string_equal(res.problems.items[0].path, "nosuch.py");
  assert_string_equal(res.problems.items[0].message,
                      "No such file or directory");
  assert_true(res.problems.items[0].explicit_);
  // The display path drops the trailing slash like every other path.
  assert_string_equal(res.problems.items[1].path, "nodir");
  assert_string_equal(res.problems.items[1].message,
                      "No such file or directory");
  assert_true(res.problems.items[1].explicit_);
  // The good path is still linted.
  char *got = format_diags(&res);
  assert_string_equal(got, "here/a.py:5:5: " SLEEP_MSG("present"));
  assert_int_equal(res.files_checked, 1);
  free(got);
  al_run_free(&res);
}

static void test_missing_alone(void **state) {
  (void)state;
  const char *paths[] = {"nosuch.py"};
  al_run_result res;
  run_paths(&res, paths, 1, 1);
  assert_int_equal(res.problems.len, 1);
  assert_true(res.problems.items[0].explicit_);
  assert_int_equal(res.diags.len, 0);
  assert_int_equal(res.files_checked, 0);
  al_run_free(&res);
}

// --- Only where it can mean something: not root -------------------------

static void test_unreadable_file(void **state) {
  (void)state;
  write_sleeper("locked/a.py", "open_one");
  write_sleeper("locked/b.py", "closed_one");
  assert_int_equal(chmod("locked/b.py", 0), 0);
  const char *paths[] = {"locked"};
  al_run_result res;
  run_paths(&res, paths, 1, 2);
  char *got = format_diags(&res);
  assert_string_equal(
      got, "locked/a.py:5:5: " SLEEP_MSG(
               "open_one") "locked/b.py:1:1: AL002 cannot read file: "
                           "Permission denied\n");
  free(got);
  al_run_free(&res);
  chmod("locked/b.py", 0644);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vanishing_file),
      cmocka_unit_test(test_file_becomes_fifo),
      cmocka_unit_test(test_threads_identical),
      cmocka_unit_test(test_stdin_bytes_named),
      cmocka_unit_test(test_stdin_bytes_unnamed),
      cmocka_unit_test(test_stdin_bytes_binary),
      cmocka_unit_test(test_stdin_bytes_with_files),
      cmocka_unit_test(test_missing_explicit_path),
      cmocka_unit_test(test_missing_alone),
  };
  // root reads mode-000 files, so the test means something only for other
  // users; a cmocka skip() would print "not ok ... # SKIP", which meson
  // counts as a failure, hence a second group run only when it applies.
  const struct CMUnitTest unprivileged[] = {
      cmocka_unit_test(test_unreadable_file),
  };
  int failed = cmocka_run_group_tests(tests, setup_dir, remove_dir);
  if (geteuid() != 0)
    failed += cmocka_run_group_tests(unprivileged, setup_dir, remove_dir);
  return failed;
}
