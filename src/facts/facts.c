// SPDX-License-Identifier: MIT
/* Lifetime of an al_facts record. */
#include "facts/facts.h"

#include <stdlib.h>

al_facts *al_facts_new(void) {
  al_facts *self = al_xcalloc(1, sizeof *self);
  self->arena = al_arena_new();
  return self;
}

#define VEC_BYTES(v) ((size_t)(v).cap * sizeof(*(v).items))

size_t al_facts_bytes(const al_facts *self) {
  return sizeof *self + al_arena_used(self->arena) + VEC_BYTES(self->scopes) +
         VEC_BYTES(self->refs) + VEC_BYTES(self->calls) +
         VEC_BYTES(self->args) + VEC_BYTES(self->binds) +
         VEC_BYTES(self->imports) + VEC_BYTES(self->asyncs) +
         VEC_BYTES(self->comments) + VEC_BYTES(self->returns) +
         VEC_BYTES(self->uses) + VEC_BYTES(self->comps) +
         VEC_BYTES(self->blocks) + VEC_BYTES(self->lines.wide);
}

void al_facts_free(al_facts *self) {
  if (!self)
    return;
  vec_free(&self->scopes);
  vec_free(&self->refs);
  vec_free(&self->calls);
  vec_free(&self->args);
  vec_free(&self->binds);
  vec_free(&self->imports);
  vec_free(&self->asyncs);
  vec_free(&self->comments);
  vec_free(&self->returns);
  vec_free(&self->uses);
  vec_free(&self->comps);
  vec_free(&self->blocks);
  al_linemap_free(&self->lines);
  al_arena_free(self->arena);
  free(self);
}
