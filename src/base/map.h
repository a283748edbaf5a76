// SPDX-License-Identifier: MIT
/*
 * Open-addressing hash map from byte-string keys to 32-bit values. Keys are
 * not copied: they must outlive the map (intern them in an arena first).
 * Used by the catalog, the module table and the index; not thread-safe for
 * writers, safe for concurrent readers once built.
 */
#ifndef AL_BASE_MAP_H
#define AL_BASE_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"

typedef struct {
  al_str key;
  uint64_t hash;
  uint32_t value;
  bool used;
} al_map_slot;

typedef struct {
  al_map_slot *slots; // capacity entries, a power of two
  uint32_t cap;
  uint32_t len;
} al_map;

/** An empty map; no allocation until the first put. */
#define AL_MAP_INIT ((al_map){NULL, 0, 0})

/** Insert or overwrite. Returns true when the key was new. */
bool al_map_put(al_map *self, al_str key, uint32_t value);

/** Look a key up; fills *value and returns true when present. */
bool al_map_get(const al_map *self, al_str key, uint32_t *value);

/** Free the slot table (not the keys). */
void al_map_free(al_map *self);

#endif
