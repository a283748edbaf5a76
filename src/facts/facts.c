// SPDX-License-Identifier: MIT
/*
 * Lifetime of an al_facts record, and the sizes of its records. It does not
 * fill records (facts/extract.c), check them (facts/validate.c) or store
 * them (cache/).
 */
#include "facts/facts.h"

#include <stdlib.h>

// The records' sizes, pinned: the run's memory is mostly these records, and
// the project's memory targets count on them (al_arg 56 bytes, al_call 72).
// A field added to a list in facts.h grows its record here, or fits in
// padding; either way the cache, the validation and the round-trip test
// pick it up from the list (they can no longer forget a field), so these
// asserts only make a bigger record a deliberate choice: place the field
// where it costs least, then update the number. Sizes are those of LP64
// hosts; other hosts skip the check.
#if UINTPTR_MAX == UINT64_MAX
#define SIZE_IS(T, n) _Static_assert(sizeof(T) == (n), #T " changed size")
#else
#define SIZE_IS(T, n) _Static_assert(1, "")
#endif
SIZE_IS(al_scope, 80);
SIZE_IS(al_ref, 24);
SIZE_IS(al_call, 72);
SIZE_IS(al_arg, 56);
SIZE_IS(al_binding, 40);
SIZE_IS(al_import, 64);
SIZE_IS(al_async_site, 48);
SIZE_IS(al_comment, 32);
SIZE_IS(al_return, 20);
SIZE_IS(al_use, 44);
SIZE_IS(al_comp, 40);
SIZE_IS(al_block_site, 88);
SIZE_IS(al_annot, 32);
SIZE_IS(al_attr_read, 40);
SIZE_IS(al_guard, 12);
SIZE_IS(al_facts, 352);

// AL_FACTS_VECTORS names the vectors of AL_FACTS_RECORDS: as many, and
// each a member of al_facts (a name that is not fails to compile here).
#define ONE(...) +1
_Static_assert(0 AL_FACTS_VECTORS(ONE) == 0 AL_FACTS_RECORDS(ONE),
               "AL_FACTS_VECTORS and AL_FACTS_RECORDS disagree");
#undef ONE
#define IS_MEMBER(v) _Static_assert(sizeof(((al_facts *)0)->v) > 0, #v);
AL_FACTS_VECTORS(IS_MEMBER)
#undef IS_MEMBER

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
