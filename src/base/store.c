// SPDX-License-Identifier: MIT
/*
 * Long-lived memory: per-thread bump slabs from mmap, each counting its
 * live blocks (see store.h for why).
 */
#include "base/store.h"

#include "base/arena.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define AL_STORE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AL_STORE_ASAN 1
#endif
#endif

#define SLAB_SIZE ((size_t)4 << 20)
#define BIG_BLOCK (SLAB_SIZE / 8) // larger blocks get a slab of their own
#define ALIGN ((size_t)16)

typedef struct slab {
  // Live blocks, plus one while a thread allocates from it.
  atomic_size_t refs;
  size_t size; // mapped bytes, header included
  size_t used; // bytes handed out, header included
} slab;

// Before every block: its slab (NULL: a calloc'd block of its own).
typedef struct {
  alignas(16) slab *home;
} block_header;

#define SLAB_HEADER ((sizeof(slab) + ALIGN - 1) & ~(ALIGN - 1))

static _Thread_local slab *current;

// 0: not decided yet; 1: slabs; 2: calloc per block.
static atomic_int mode;

static bool plain_malloc(void) {
  int m = atomic_load_explicit(&mode, memory_order_relaxed);
  if (m == 0) {
#ifdef AL_STORE_ASAN
    m = 2;
#else
    const char *env = getenv("ASYNCLINT_PLAIN_MALLOC");
    m = env && *env ? 2 : 1;
#endif
    atomic_store_explicit(&mode, m, memory_order_relaxed);
  }
  return m == 2;
}

// Emptied slabs of the usual size kept for reuse, zeroed, rather than
// unmapped (store.h): fresh pages cost a fault each, and a TLB shootdown
// too when the first touch reads the zero page while a thread runs on
// another core. The zeroing happens where the last block is freed (in the
// server, after the check has published), and only over the bytes used.
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static slab *spare[AL_LONG_SPARES];
static uint32_t n_spare;

static slab *spare_take(void) {
  slab *s = NULL;
  pthread_mutex_lock(&spare_lock);
  if (n_spare)
    s = spare[--n_spare];
  pthread_mutex_unlock(&spare_lock);
  return s;
}

// Keeps s (empty) as a spare; false when there are enough.
static bool spare_keep(slab *s) {
  pthread_mutex_lock(&spare_lock);
  bool room = n_spare < AL_LONG_SPARES;
  pthread_mutex_unlock(&spare_lock);
  if (!room)
    return false;
  memset((char *)s + SLAB_HEADER, 0, s->used - SLAB_HEADER);
  s->used = SLAB_HEADER;
  pthread_mutex_lock(&spare_lock);
  room = n_spare < AL_LONG_SPARES;
  if (room)
    spare[n_spare++] = s;
  pthread_mutex_unlock(&spare_lock);
  return room;
}

static slab *slab_new(size_t size) {
  slab *s = size == SLAB_SIZE ? spare_take() : NULL;
  if (!s) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      al_out_of_memory(size);
    s = p;
    s->size = size;
  }
  atomic_init(&s->refs, 1);
  s->used = SLAB_HEADER;
  return s;
}

static void slab_unref(slab *s) {
  if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1 &&
      (s->size != SLAB_SIZE || !spare_keep(s)))
    munmap(s, s->size);
}

void *al_long_alloc(size_t size) {
  size_t need = sizeof(block_header) + ((size + ALIGN - 1) & ~(ALIGN - 1));
  if (need < size)
    al_out_of_memory(size);
  if (plain_malloc()) {
    block_header *h = al_xcalloc(1, need);
    h->home = NULL;
    return h + 1;
  }
  slab *s;
  if (need > BIG_BLOCK) {
    // mmap rounds the length up to whole pages itself.
    s = slab_new(SLAB_HEADER + need); // its one ref is the block's
  } else {
    s = current;
    if (!s || s->size - s->used < need) {
      if (s)
        slab_unref(s); // retire: it goes with its last block
      s = current = slab_new(SLAB_SIZE);
    }
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  }
  // Fresh mapped pages are zero, spare slabs are zeroed, and a slab never
  // hands out bytes twice.
  block_header *h = (block_header *)((char *)s + s->used);
  s->used += need;
  h->home = s;
  return h + 1;
}

void al_long_free(void *p) {
  if (!p)
    return;
  block_header *h = (block_header *)p - 1;
  if (!h->home) {
    free(h);
    return;
  }
  slab_unref(h->home);
}

bool al_long_slabs(void) { return !plain_malloc(); }

void al_long_trim(void) {
  for (slab *s; (s = spare_take()) != NULL;)
    munmap(s, s->size);
}

void al_long_thread_end(void) {
  if (current)
    slab_unref(current);
  current = NULL;
}
