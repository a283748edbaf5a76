// SPDX-License-Identifier: MIT
/*
 * Private to cache/ and its tests: the header's layout, which format.c
 * writes and parses and cache.c checks a file's size against, and what a
 * test needs to forge entries whose checksum matches, so that the
 * decoder's own bounds checks are exercised and not only the checksum.
 */
#ifndef AL_CACHE_CACHE_P_H
#define AL_CACHE_CACHE_P_H

#include <stddef.h>

/** The entry header: magic (8 bytes), format version (4), reserved (4),
 * key (16), payload length (8), payload checksum (8); little-endian. */
#define AL_CACHE__HEADER_BYTES 48u
#define AL_CACHE__LENGTH_AT 32u // offset of the payload length

/** Recompute the payload checksum in the header of an entry of len bytes
 * (at least a header long). */
void al_cache__reseal(unsigned char *entry, size_t len);

#endif
