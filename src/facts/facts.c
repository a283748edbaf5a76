// SPDX-License-Identifier: MIT
/* Lifetime of an al_facts record. */
#include "facts/facts.h"

#include <stdlib.h>

al_facts *al_facts_new(void) {
  al_arena *arena = al_arena_new_long();
  al_facts *self = al_arena_alloc(arena, sizeof *self);
  self->arena = arena;
  return self;
}

#define VEC_BYTES(v) ((size_t)(v).cap * sizeof(*(v).items))

void al_facts_compact(al_facts *self) {
#define LEN_BYTES(v) ((size_t)(v).len * sizeof(*(v).items))
  size_t total = LEN_BYTES(self->lines.wide) + LEN_BYTES(self->lines.rows);
#define ADD(v) total += LEN_BYTES(self->v);
  AL_FACTS_VECTORS(ADD)
#undef ADD
  // One chunk for the small vectors (big ones get chunks of their own).
  al_arena_size_hint(self->arena, total);
#define COPY(v)                                                                \
  self->v.items =                                                              \
      al_arena_memdup(self->arena, self->v.items, LEN_BYTES(self->v));         \
  self->v.cap = self->v.len;
  AL_FACTS_VECTORS(COPY)
  COPY(lines.wide)
  COPY(lines.rows)
#undef COPY
#undef LEN_BYTES
  self->compact = true;
}

size_t al_facts_bytes(const al_facts *self) {
  // A compact record is all in its arena (itself included).
  size_t n = al_arena_used(self->arena);
  if (!self->compact) {
    n += VEC_BYTES(self->lines.wide) + VEC_BYTES(self->lines.rows);
#define ADD(v) n += VEC_BYTES(self->v);
    AL_FACTS_VECTORS(ADD)
#undef ADD
  }
  return n;
}

uint32_t al_facts_line(const al_facts *self, al_span span) {
  return al_linemap_row(&self->lines, span.start_byte) + 1;
}

void al_facts_free(al_facts *self) {
  if (!self)
    return;
  if (!self->compact) {
#define FREE(v) vec_free(&self->v);
    AL_FACTS_VECTORS(FREE)
#undef FREE
    al_linemap_free(&self->lines);
  }
  al_arena_free(self->arena); // self too
}
