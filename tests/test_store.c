// SPDX-License-Identifier: MIT
/*
 * Unit tests for the long-lived store (base/store.c): blocks are zeroed,
 * aligned and never overlap, across slab boundaries and for big blocks; a
 * block may be freed on another thread; a slab is emptied once its last
 * block is freed and no thread allocates from it, and not before; then it
 * is kept, zeroed, for the next slab (al_long_trim unmaps those). The
 * mapping checks use mincore, which fails with ENOMEM on unmapped pages;
 * they are left out where the store hands out calloc'd blocks (under ASan,
 * which then checks those blocks' frees and leaks itself).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/store.h"

// Whether the page holding p is mapped.
static bool mapped(const void *p) {
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t a = (uintptr_t)p & ~((uintptr_t)page - 1);
  unsigned char vec[1];
  if (mincore((void *)a, 1, vec) == 0)
    return true;
  assert_int_equal(errno, ENOMEM);
  return false;
}

static bool all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return false;
  return true;
}

#define N_BLOCKS 3000

// 3,000 blocks of 1..4,000 bytes: more than one 4 MiB slab.
static void test_blocks_zeroed_aligned_disjoint(void **state) {
  (void)state;
  static unsigned char *blocks[N_BLOCKS];
  static size_t sizes[N_BLOCKS];
  for (size_t i = 0; i < N_BLOCKS; i++) {
    sizes[i] = 1 + (i * 7919) % 4000;
    blocks[i] = al_long_alloc(sizes[i]);
    assert_non_null(blocks[i]);
    assert_int_equal((uintptr_t)blocks[i] % 16, 0);
    assert_true(all_zero(blocks[i], sizes[i]));
    memset(blocks[i], (int)(i % 251) + 1, sizes[i]);
  }
  // No block was written over by a later one.
  for (size_t i = 0; i < N_BLOCKS; i++)
    for (size_t k = 0; k < sizes[i]; k++)
      if (blocks[i][k] != (unsigned char)((i % 251) + 1))
        fail_msg("block %zu byte %zu overwritten", i, k);
  for (size_t i = 0; i < N_BLOCKS; i++)
    al_long_free(blocks[i]);
  al_long_thread_end();
  al_long_free(NULL);
}

static void test_big_block_unmapped_on_free(void **state) {
  (void)state;
  size_t n = (size_t)3 << 20; // over the big-block limit: a slab of its own
  unsigned char *p = al_long_alloc(n);
  assert_true(all_zero(p, n));
  p[0] = p[n - 1] = 1;
  if (!al_long_slabs()) {
    al_long_free(p);
    return;
  }
  assert_true(mapped(p + n - 1));
  al_long_free(p);
  assert_false(mapped(p));
  assert_false(mapped(p + n - 1));
}

// The current slab stays while its thread may allocate, even with no live
// block; it goes when the thread ends and its last block is freed.
static void test_slab_lives_until_thread_end_and_last_free(void **state) {
  (void)state;
  al_long_thread_end(); // start on a fresh slab
  char *a = al_long_alloc(100);
  char *b = al_long_alloc(100);
  if (!al_long_slabs()) {
    al_long_free(a);
    al_long_free(b);
    return;
  }
  al_long_free(a);
  al_long_free(b);
  assert_true(mapped(a)); // still this thread's current slab
  char *c = al_long_alloc(100);
  al_long_thread_end();
  assert_true(mapped(c)); // c is live
  strcpy(c, "still here");
  al_long_free(c);
  al_long_trim();
  assert_false(mapped(c));
}

// An emptied slab is kept, zeroed, and is the next slab a thread needs.
static void test_emptied_slab_reused_zeroed(void **state) {
  (void)state;
  al_long_trim();
  al_long_thread_end();
  unsigned char *a = al_long_alloc(1000);
  memset(a, 0xab, 1000);
  al_long_free(a);
  if (!al_long_slabs())
    return;
  al_long_thread_end(); // a's slab is empty now: kept
  assert_true(mapped(a));
  unsigned char *b = al_long_alloc(1000);
  assert_ptr_equal(a, b); // the same slab, from its start
  assert_true(all_zero(b, 1000));
  al_long_free(b);
  al_long_thread_end();
  al_long_trim();
  assert_false(mapped(b));
}

// A slab retired because it is full stays mapped while blocks live in it.
static void test_full_slab_retired_keeps_live_blocks(void **state) {
  (void)state;
  al_long_thread_end();
  char *first = al_long_alloc(64);
  strcpy(first, "first");
  // Fill past one slab with blocks freed at once.
  for (int i = 0; i < 10000; i++)
    al_long_free(al_long_alloc(1000));
  assert_string_equal(first, "first");
  if (al_long_slabs())
    assert_true(mapped(first));
  al_long_free(first);
  al_long_trim();
  if (al_long_slabs())
    assert_false(mapped(first));
  al_long_thread_end();
}

typedef struct {
  char *blocks[1000];
} batch;

static void *make_batch(void *p) {
  batch *b = p;
  for (int i = 0; i < 1000; i++) {
    b->blocks[i] = al_long_alloc(200);
    memset(b->blocks[i], 'x', 200);
  }
  al_long_thread_end();
  return NULL;
}

// Blocks made on two threads, freed on the main one after both ended.
static void test_free_on_another_thread(void **state) {
  (void)state;
  static batch b1, b2;
  pthread_t t1, t2;
  assert_int_equal(pthread_create(&t1, NULL, make_batch, &b1), 0);
  assert_int_equal(pthread_create(&t2, NULL, make_batch, &b2), 0);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(b1.blocks[i][199], 'x');
    assert_int_equal(b2.blocks[i][0], 'x');
    assert_ptr_not_equal(b1.blocks[i], b2.blocks[i]);
  }
  for (int i = 0; i < 1000; i++) {
    al_long_free(b1.blocks[i]);
    al_long_free(b2.blocks[i]);
  }
  al_long_trim();
  if (al_long_slabs()) {
    assert_false(mapped(b1.blocks[0]));
    assert_false(mapped(b2.blocks[999]));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blocks_zeroed_aligned_disjoint),
      cmocka_unit_test(test_big_block_unmapped_on_free),
      cmocka_unit_test(test_slab_lives_until_thread_end_and_last_free),
      cmocka_unit_test(test_emptied_slab_reused_zeroed),
      cmocka_unit_test(test_full_slab_retired_keeps_live_blocks),
      cmocka_unit_test(test_free_on_another_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
