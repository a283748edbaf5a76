// SPDX-License-Identifier: MIT
/*
 * Unit tests for the baseline (suppress/baseline.h): a written baseline
 * reads back and lists exactly its findings, whatever the form of their
 * paths; the occurrence and the line text are part of the key; malformed
 * files fail with a message; and the atomic file under it leaves nothing
 * behind when a write is abandoned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/atomic_file.h"
#include "suppress/baseline.h"

#define TMP_TREE_NAME "baseline"
#include "tmp_tree.h"

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const al_baseline_finding accepted[] = {
    {"app/db.py", "AL200", "time.sleep(1)", 0},
    {"app/db.py", "AL200", "time.sleep(1)", 1},
    {"app/api.py", "AL100", "fetch()", 0},
};

static void test_round_trip(void **state) {
  (void)state;
  assert_true(al_baseline_write("b.json", accepted, 3));
  char err[256] = "";
  al_baseline *b = al_baseline_read("b.json", err, sizeof err);
  assert_non_null(b);
  const al_baseline_finding now[] = {
      {"./app/db.py", "AL200", "time.sleep(1)", 1}, // another path form
      {"app/db.py", "AL200", "time.sleep(1)", 2},   // a third occurrence
      {"app/api.py", "AL100", "fetch(x)", 0},       // the line changed
      {"app/api.py", "AL101", "fetch()", 0},        // another rule
      {"app//x/../api.py", "AL100", "fetch()", 0},  // normalised
  };
  bool listed[5];
  al_baseline_match(b, now, 5, listed);
  assert_true(listed[0]);
  assert_false(listed[1]);
  assert_false(listed[2]);
  assert_false(listed[3]);
  assert_true(listed[4]);
  al_baseline_free(b);
}

static void test_empty(void **state) {
  (void)state;
  assert_true(al_baseline_write("empty.json", NULL, 0));
  char err[256] = "";
  al_baseline *b = al_baseline_read("empty.json", err, sizeof err);
  assert_non_null(b);
  bool listed[1] = {true};
  al_baseline_match(b, accepted, 1, listed);
  assert_false(listed[0]);
  al_baseline_free(b);
  al_baseline_free(NULL);
}

static void test_malformed(void **state) {
  (void)state;
  char err[256];
  assert_null(al_baseline_read("missing.json", err, sizeof err));
  assert_true(err[0] != '\0');
  write_text("bad.json", "{\"version\": 1}\n");
  assert_null(al_baseline_read("bad.json", err, sizeof err));
  assert_non_null(strstr(err, "not an asynclint baseline"));
  write_text("v9.json", "{\"version\": 9, \"findings\": []}\n");
  assert_null(al_baseline_read("v9.json", err, sizeof err));
  assert_non_null(strstr(err, "unsupported baseline version 9"));
  write_text("entry.json", "{\"version\": 1, \"findings\": [{\"path\": 1}]}\n");
  assert_null(al_baseline_read("entry.json", err, sizeof err));
  assert_non_null(strstr(err, "finding 1:"));
}

// An abandoned atomic write leaves neither the target nor a temporary file.
static void test_atomic_abandon(void **state) {
  (void)state;
  make_parents("atomic/out.txt");
  al_atomic_file f;
  assert_true(al_atomic_open(&f, "atomic/out.txt"));
  fputs("half", f.fp);
  assert_true(al_atomic_commit(&f, false));
  DIR *d = opendir("atomic");
  assert_non_null(d);
  int entries = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      entries++;
  closedir(d);
  assert_int_equal(entries, 0);
  assert_true(al_atomic_open(&f, "atomic/out.txt"));
  fputs("whole", f.fp);
  assert_true(al_atomic_commit(&f, true));
  struct stat st;
  assert_int_equal(stat("atomic/out.txt", &st), 0);
  assert_int_equal(st.st_size, 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_atomic_abandon),
  };
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
