// SPDX-License-Identifier: MIT
/*
 * A fast 64-bit hash of bytes (XXH64): the result cache's keys, checksums
 * and string table; the text fingerprint of each file's facts.
 */
#ifndef AL_BASE_HASH_H
#define AL_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

/** XXH64 of len bytes at data with seed; data may be NULL when len is 0. */
uint64_t al_hash64(const void *data, size_t len, uint64_t seed);

#endif
