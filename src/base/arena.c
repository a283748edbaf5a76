// SPDX-License-Identifier: MIT
/*
 * Arena: a list of chunks, bump-allocated. Chunks start small and double up
 * to 64 KiB, so the many arenas of small files (one per file's facts) stay
 * small. Large requests get a chunk of their own so that small ones never
 * waste a big chunk's tail.
 */
#include "base/arena.h"

#include "base/store.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE ((size_t)64 * 1024)
#define FIRST_CHUNK ((size_t)512)
#define ALIGN 16

typedef struct chunk {
  struct chunk *next;
  size_t size; // usable bytes after the header
  size_t used;
  max_align_t data[];
} chunk;

struct al_arena {
  chunk *head;
  size_t total;
  size_t next_chunk; // size of the next ordinary chunk
  bool long_lived;   // the arena and its chunks are in base/store.h's slabs
};

void al_out_of_memory(size_t size) {
  fprintf(stderr, "asynclint: out of memory (allocating %zu bytes)\n", size);
  abort();
}

void *al_xmalloc(size_t size) {
  void *p = malloc(size ? size : 1);
  if (!p)
    al_out_of_memory(size);
  return p;
}

void *al_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p)
    al_out_of_memory(count * size);
  return p;
}

void *al_xrealloc(void *ptr, size_t size) {
  void *p = realloc(ptr, size ? size : 1);
  if (!p)
    al_out_of_memory(size);
  return p;
}

char *al_xstrndup(const char *s, size_t len) {
  char *p = al_xmalloc(len + 1);
  memcpy(p, s, len);
  p[len] = 0;
  return p;
}

char *al_xstrdup(const char *s) { return al_xstrndup(s, strlen(s)); }

al_arena *al_arena_new(void) { return al_xcalloc(1, sizeof(al_arena)); }

al_arena *al_arena_new_long(void) {
  al_arena *self = al_long_alloc(sizeof(al_arena));
  self->long_lived = true;
  return self;
}

void al_arena_free(al_arena *self) {
  if (!self)
    return;
  bool long_lived = self->long_lived;
  chunk *c = self->head;
  while (c) {
    chunk *next = c->next;
    if (long_lived)
      al_long_free(c);
    else
      free(c);
    c = next;
  }
  if (long_lived)
    al_long_free(self);
  else
    free(self);
}

static chunk *chunk_new(const al_arena *a, size_t size) {
  chunk *c = a->long_lived ? al_long_alloc(sizeof(chunk) + size)
                           : al_xmalloc(sizeof(chunk) + size);
  c->next = NULL;
  c->size = size;
  c->used = 0;
  return c;
}

void *al_arena_alloc_raw(al_arena *self, size_t size) {
  size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if (size == 0)
    size = ALIGN;
  chunk *c = self->head;
  if (!c || c->size - c->used < size) {
    if (size > CHUNK_SIZE / 4) {
      // A big block gets its own chunk, linked behind the current one so
      // the current chunk's free tail stays in use.
      chunk *big = chunk_new(self, size);
      big->used = size;
      if (c) {
        big->next = c->next;
        c->next = big;
      } else {
        self->head = big;
      }
      self->total += size;
      return big->data;
    }
    size_t want = self->next_chunk ? self->next_chunk : FIRST_CHUNK;
    while (want < size)
      want *= 2;
    self->next_chunk = want * 2 > CHUNK_SIZE ? CHUNK_SIZE : want * 2;
    c = chunk_new(self, want);
    c->next = self->head;
    self->head = c;
  }
  void *p = (char *)c->data + c->used;
  c->used += size;
  self->total += size;
  return p;
}

void *al_arena_alloc(al_arena *self, size_t size) {
  void *p = al_arena_alloc_raw(self, size);
  // A long-lived arena's chunks are al_long_alloc's, zeroed, and a chunk
  // hands out each byte once: clearing them again would only touch
  // (fault in) the pages before their writer does.
  if (!self->long_lived)
    memset(p, 0, size ? size : 1);
  return p;
}

void *al_arena_memdup(al_arena *self, const void *p, size_t len) {
  if (!len)
    return NULL;
  void *q = al_arena_alloc_raw(self, len);
  memcpy(q, p, len);
  return q;
}

char *al_arena_strndup(al_arena *self, const char *s, size_t len) {
  char *p = al_arena_alloc_raw(self, len + 1);
  if (len)
    memcpy(p, s, len);
  p[len] = 0;
  return p;
}

char *al_arena_printf(al_arena *self, const char *fmt, ...) {
  // gcc 12 with -fsanitize=undefined warns "null format string" on the
  // vsnprintf calls below unless a NULL fmt is ruled out first.
  if (!fmt)
    return al_arena_strndup(self, "", 0);
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  char probe[1];
  int n = vsnprintf(probe, sizeof probe, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  char *p = al_arena_alloc(self, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void al_arena_size_hint(al_arena *self, size_t bytes) {
  self->next_chunk = bytes < FIRST_CHUNK  ? FIRST_CHUNK
                     : bytes > CHUNK_SIZE ? CHUNK_SIZE
                                          : bytes;
}

size_t al_arena_used(const al_arena *self) { return self->total; }
