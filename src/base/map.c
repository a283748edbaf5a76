// SPDX-License-Identifier: MIT
/* Linear-probing hash map, grown at 50% load. */
#include "base/map.h"

#include <stdlib.h>

#include "base/arena.h"

static void grow(al_map *self) {
  uint32_t ncap = self->cap ? self->cap * 2 : 16;
  al_map_slot *ns = al_xcalloc(ncap, sizeof *ns);
  for (uint32_t i = 0; i < self->cap; i++) {
    al_map_slot *s = &self->slots[i];
    if (!s->used)
      continue;
    uint32_t j = (uint32_t)s->hash & (ncap - 1);
    while (ns[j].used)
      j = (j + 1) & (ncap - 1);
    ns[j] = *s;
  }
  free(self->slots);
  self->slots = ns;
  self->cap = ncap;
}

bool al_map_put(al_map *self, al_str key, uint32_t value) {
  if ((self->len + 1) * 2 > self->cap)
    grow(self);
  uint64_t h = al_str_hash(key);
  uint32_t j = (uint32_t)h & (self->cap - 1);
  while (self->slots[j].used) {
    al_map_slot *s = &self->slots[j];
    if (s->hash == h && al_str_eq(s->key, key)) {
      s->value = value;
      return false;
    }
    j = (j + 1) & (self->cap - 1);
  }
  self->slots[j] = (al_map_slot){key, h, value, true};
  self->len++;
  return true;
}

bool al_map_get(const al_map *self, al_str key, uint32_t *value) {
  if (!self->cap)
    return false;
  uint64_t h = al_str_hash(key);
  uint32_t j = (uint32_t)h & (self->cap - 1);
  while (self->slots[j].used) {
    const al_map_slot *s = &self->slots[j];
    if (s->hash == h && al_str_eq(s->key, key)) {
      if (value)
        *value = s->value;
      return true;
    }
    j = (j + 1) & (self->cap - 1);
  }
  return false;
}

void al_map_free(al_map *self) {
  free(self->slots);
  *self = AL_MAP_INIT;
}
