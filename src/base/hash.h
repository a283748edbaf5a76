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

/** Little-endian loads (one instruction on little-endian hosts). */
static inline uint64_t al_load_le64(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#else
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
#endif
}

static inline uint32_t al_load_le32(const unsigned char *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
#else
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
#endif
}

/** XXH64 of len bytes at data with seed; data may be NULL when len is 0. */
uint64_t al_hash64(const void *data, size_t len, uint64_t seed);

#endif
