// SPDX-License-Identifier: MIT
// Recorded dependencies (src/model/deps.h): reads count for the current
// file only, on recording threads only; nested memos attribute their reads
// to their own file; edges through files beyond n_keep (libraries) count
// as the reader's; lists are sorted, without repeats or the file itself;
// threads' records merge.
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "facts/facts.h"
#include "model/deps.h"

static void assert_deps(al_deps *d, uint32_t file, uint32_t n_keep,
                        const uint32_t *want, uint32_t n_want) {
  uint32_t n;
  const uint32_t *got = al_deps_of(d, file, n_keep, &n);
  assert_int_equal(n, n_want);
  for (uint32_t i = 0; i < n; i++)
    assert_int_equal(got[i], want[i]);
}

static void test_current_file(void **state) {
  (void)state;
  al_deps *d = al_deps_new(6);
  al_deps_touch(1); // no thread records yet
  al_deps_thread_begin(d);
  assert_ptr_equal(al_deps_recording(), d);
  al_deps_touch(2); // no current file
  al_deps_enter(0);
  al_deps_touch(3);
  al_deps_touch(3);
  al_deps_touch(0);  // itself
  al_deps_touch(99); // out of range
  al_deps_touch(1);
  // A memo of file 4 computed inside: its reads are its own.
  uint32_t prev = al_deps_enter(4);
  assert_int_equal(prev, 0);
  al_deps_touch(5);
  al_deps_leave(prev);
  al_deps_touch(4); // 0 read 4's memo
  al_deps_enter(AL_NONE);
  al_deps_touch(2);
  al_deps_thread_end();
  assert_null(al_deps_recording());
  al_deps_touch(2); // ended
  const uint32_t zero[] = {1, 3, 4}, four[] = {5};
  assert_deps(d, 0, 6, zero, 3);
  assert_deps(d, 4, 6, four, 1);
  assert_deps(d, 2, 6, NULL, 0);
  al_deps_free(d);
}

static void test_beyond_keep(void **state) {
  (void)state;
  // 0..2 kept; 3 and 4 are libraries: 0 -> 3 -> 4 -> 2 counts as 0 -> 2.
  al_deps *d = al_deps_new(5);
  al_deps_add(d, 0, 3);
  al_deps_add(d, 3, 4);
  al_deps_add(d, 4, 2);
  al_deps_add(d, 4, 0); // back to itself: not listed
  al_deps_add(d, 1, 1); // itself: dropped
  const uint32_t zero[] = {2};
  assert_deps(d, 0, 3, zero, 1);
  assert_deps(d, 1, 3, NULL, 0);
  al_deps_free(d);
}

static void *record(void *p) {
  al_deps *d = p;
  al_deps_thread_begin(d);
  for (uint32_t f = 0; f < 100; f++) {
    al_deps_enter(f);
    al_deps_touch((f + 1) % 100);
    al_deps_touch((f + 7) % 100);
  }
  al_deps_thread_end();
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  al_deps *d = al_deps_new(100);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    assert_int_equal(pthread_create(&t[i], NULL, record, d), 0);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  al_str name = {"run", 3};
  al_deps_watch(d, name, 7);
  al_deps_watch(d, name, 700); // out of range
  for (uint32_t f = 0; f < 100; f++) {
    uint32_t a = (f + 1) % 100, b = (f + 7) % 100;
    const uint32_t want[] = {a < b ? a : b, a < b ? b : a};
    assert_deps(d, f, 100, want, 2);
  }
  uint32_t n;
  const al_deps_watch_entry *w = al_deps_watches(d, &n);
  assert_int_equal(n, 1);
  assert_int_equal(w[0].file, 7);
  assert_int_equal(w[0].name.len, 3);
  al_deps_free(d);
}

static void test_dependants(void **state) {
  (void)state;
  // 1 depends on 0, 2 on 1 and 3, 4 on nothing; a cycle 5 <-> 6.
  const uint32_t first[] = {0, 0, 1, 3, 3, 3, 4, 5};
  const uint32_t to[] = {0, 1, 3, 6, 5};
  bool mark[7] = {true};
  al_deps_mark_dependants(7, first, to, mark);
  const bool want[7] = {true, true, true, false, false, false, false};
  for (int i = 0; i < 7; i++)
    assert_int_equal(mark[i], want[i]);
  bool cycle[7] = {false, false, false, false, false, false, true};
  al_deps_mark_dependants(7, first, to, cycle);
  assert_true(cycle[5] && cycle[6] && !cycle[0] && !cycle[4]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dependants),
      cmocka_unit_test(test_current_file),
      cmocka_unit_test(test_beyond_keep),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
