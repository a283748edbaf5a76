// SPDX-License-Identifier: MIT
/*
 * A fast 64-bit hash of bytes (XXH64): the result cache's keys, checksums
 * and string table; the text fingerprint of each file's facts.
 */
#ifndef AL_BASE_HASH_H
#define AL_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// n (at most 8) bytes at p as a little-endian number. With n a constant,
// one load on little-endian hosts.
static inline uint64_t al_hash__load_le(const unsigned char *p, size_t n) {
  uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(&v, p, n);
#else
  for (size_t i = n; i-- > 0;)
    v = v << 8 | p[i];
#endif
  return v;
}

/** Little-endian loads of 8 and 4 bytes. */
static inline uint64_t al_load_le64(const unsigned char *p) {
  return al_hash__load_le(p, 8);
}

static inline uint32_t al_load_le32(const unsigned char *p) {
  return (uint32_t)al_hash__load_le(p, 4);
}

/** XXH64 of len bytes at data with seed; data may be NULL when len is 0. */
uint64_t al_hash64(const void *data, size_t len, uint64_t seed);

#endif
