// SPDX-License-Identifier: MIT
/*
 * Memory for data that lives long: the facts of every file, kept until the
 * end of the run. It comes from large mmap'd slabs, bump-allocated, apart
 * from malloc's heap, where the parser's short-lived trees come and go.
 * With glibc, long-lived blocks placed in the holes each freed tree leaves
 * fragment that heap, and every later parse slows down as it grows (the
 * corpus replicated 8 times: extraction 84 s against 61 s with the facts
 * out of the heap).
 *
 * Each thread allocates from its own current slab (no locks); a block may
 * be freed from any thread. A slab is emptied when its last block is
 * freed and no thread allocates from it any more (al_long_thread_end):
 * then it is zeroed and kept for the next slab needed, up to
 * AL_LONG_SPARES of them (the language server frees and makes again a
 * check's facts on every keystroke; fresh pages cost a fault each), else
 * unmapped. Freed memory is not reused before its whole slab is free: the
 * store is for data that is freed all at once, late.
 *
 * Under AddressSanitizer, or with ASYNCLINT_PLAIN_MALLOC set in the
 * environment (./dev valgrind does), every block is a calloc'd block of its
 * own, so the memory checkers see each one.
 */
#ifndef AL_BASE_STORE_H
#define AL_BASE_STORE_H

#include <stdbool.h>
#include <stddef.h>

/** Zeroed, 16-byte aligned memory. Never NULL (aborts when out of memory). */
void *al_long_alloc(size_t size);

/** Give a block back. NULL is a no-op. */
void al_long_free(void *p);

/**
 * This thread allocates no more: its current slab goes when its blocks do.
 * Call at the end of a worker (the memory stays valid).
 */
void al_long_thread_end(void);

/** Emptied slabs kept for reuse at most (4 MiB each). */
#define AL_LONG_SPARES 4

/** Unmap the emptied slabs kept for reuse. */
void al_long_trim(void);

/**
 * Whether blocks come from slabs (false under AddressSanitizer or with
 * ASYNCLINT_PLAIN_MALLOC set: each is then a calloc'd block).
 */
bool al_long_slabs(void);

#endif
