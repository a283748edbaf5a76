// SPDX-License-Identifier: MIT
/*
 * Bump allocator and checked malloc wrappers.
 *
 * An arena hands out memory that lives until the arena is freed as a whole;
 * per-file data (source bytes, facts, messages) and project-wide data
 * (diagnostics kept for sorting) each get one. The al_x* wrappers abort the
 * process with a message when memory runs out, so no caller checks for NULL.
 * This module does not track individual frees.
 */
#ifndef AL_BASE_ARENA_H
#define AL_BASE_ARENA_H

#include <stddef.h>

typedef struct al_arena al_arena;

/** Create an empty arena. Caller frees with al_arena_free. Never NULL. */
al_arena *al_arena_new(void);

/**
 * An arena for data that lives long (a file's facts): it and its chunks
 * come from base/store.h, out of malloc's heap. Free with al_arena_free.
 */
al_arena *al_arena_new_long(void);

/** Free the arena and everything allocated from it. NULL is a no-op. */
void al_arena_free(al_arena *self);

/** Zeroed, 16-byte aligned memory owned by the arena. Never NULL. */
void *al_arena_alloc(al_arena *self, size_t size);

/** The same, not zeroed: for memory the caller writes whole at once. */
void *al_arena_alloc_raw(al_arena *self, size_t size);

/** A copy of len bytes owned by the arena; NULL when len is 0. */
void *al_arena_memdup(al_arena *self, const void *p, size_t len);

/** Copy len bytes and add a NUL; owned by the arena. */
char *al_arena_strndup(al_arena *self, const char *s, size_t len);

/** NUL-terminated printf into the arena. */
char *al_arena_printf(al_arena *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * Make the next chunk about bytes large (clamped to the arena's chunk
 * sizes), when the caller knows roughly how much it will allocate: fewer
 * and larger blocks.
 */
void al_arena_size_hint(al_arena *self, size_t bytes);

/** Bytes handed out so far (for memory reports). */
size_t al_arena_used(const al_arena *self);

/** Print "out of memory (allocating N bytes)" and abort. */
_Noreturn void al_out_of_memory(size_t size);

/** malloc/calloc/realloc/strdup that abort with a message on failure. */
void *al_xmalloc(size_t size);
void *al_xcalloc(size_t count, size_t size);
void *al_xrealloc(void *ptr, size_t size);
char *al_xstrdup(const char *s);
char *al_xstrndup(const char *s, size_t len);

#endif
