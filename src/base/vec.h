// SPDX-License-Identifier: MIT
/*
 * Growable arrays, one macro family for every element type (after
 * tree-sitter's array.h). Storage comes from al_xrealloc, so growth never
 * fails; vec_free releases it. vec_get is bounds-checked by al_assert.
 */
#ifndef AL_BASE_VEC_H
#define AL_BASE_VEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"

#define al_vec(T)                                                              \
  struct {                                                                     \
    T *items;                                                                  \
    uint32_t len;                                                              \
    uint32_t cap;                                                              \
  }

static inline void al_vec__grow(void **items, uint32_t *cap, size_t elem,
                                uint32_t need) {
  if (need <= *cap)
    return;
  uint32_t n = *cap ? *cap : 8;
  while (n < need)
    n *= 2;
  *items = al_xrealloc(*items, (size_t)n * elem);
  *cap = n;
}

static inline uint32_t al_vec__check(uint32_t i, uint32_t len) {
  al_assert(i < len);
  (void)len;
  return i;
}

static inline uint32_t al_vec__lower_bound(const void *items, uint32_t len,
                                           size_t size, size_t offset,
                                           uint32_t key) {
  const unsigned char *base = items;
  uint32_t lo = 0, hi = len;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2, k;
    memcpy(&k, base + (size_t)mid * size + offset, sizeof k);
    if (k < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

#define vec_reserve(v, n)                                                      \
  al_vec__grow((void **)&(v)->items, &(v)->cap, sizeof(*(v)->items), (n))
#define vec_push(v, x)                                                         \
  do {                                                                         \
    vec_reserve((v), (v)->len + 1);                                            \
    (v)->items[(v)->len++] = (x);                                              \
  } while (0)
/** Pointer to a new zeroed element at the end. */
#define vec_grow1(v)                                                           \
  (vec_reserve((v), (v)->len + 1),                                             \
   memset(&(v)->items[(v)->len], 0, sizeof(*(v)->items)),                      \
   &(v)->items[(v)->len++])
#define vec_get(v, i) (&(v)->items[al_vec__check((uint32_t)(i), (v)->len)])
#define vec_last(v) vec_get((v), (v)->len - 1)
#define vec_pop(v)                                                             \
  ((v)->items[al_vec__check((v)->len - 1, (v)->len), --(v)->len])
/** Give back unused capacity (after a vector stops growing). */
#define vec_shrink(v)                                                          \
  do {                                                                         \
    if ((v)->cap > (v)->len) {                                                 \
      if ((v)->len == 0) {                                                     \
        free((v)->items);                                                      \
        (v)->items = NULL;                                                     \
      } else {                                                                 \
        (v)->items =                                                           \
            al_xrealloc((v)->items, (size_t)(v)->len * sizeof(*(v)->items));   \
      }                                                                        \
      (v)->cap = (v)->len;                                                     \
    }                                                                          \
  } while (0)
/**
 * Binary search in v, sorted by the uint32_t member `field` of its element
 * type T: the index of the first element whose field is >= key, v->len
 * when there is none.
 */
#define vec_lower_bound(v, T, field, key)                                      \
  al_vec__lower_bound((v)->items, (v)->len, sizeof(T), offsetof(T, field),     \
                      (key))
#define vec_clear(v) ((v)->len = 0)
#define vec_free(v)                                                            \
  do {                                                                         \
    free((v)->items);                                                          \
    (v)->items = NULL;                                                         \
    (v)->len = (v)->cap = 0;                                                   \
  } while (0)

#endif
