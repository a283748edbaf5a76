// SPDX-License-Identifier: MIT
/*
 * Dependencies between files as the index reads them (deps.h). Each
 * recording thread keeps a set of (current, read) pairs and hands it to
 * the shared record when it ends; the record is sorted into adjacency
 * lists on the first question.
 */
#include "model/deps.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/vec.h"
#include "facts/facts.h"

struct al_deps_thread {
  al_deps *owner;
  uint32_t current;
  uint32_t last_from, last_to; // the pair recorded last (most reads repeat)
  uint64_t *slots;             // open addressing; 0: empty
  uint32_t mask, used;
};

struct al_deps {
  uint32_t n;
  pthread_mutex_t mu;
  al_vec(uint64_t) pairs; // from + 1 << 32 | to, the threads' sets merged
  al_vec(al_deps_watch_entry) watches;
  al_arena *arena; // watched names
  bool sorted;
  uint32_t *first; // by file: where its edges start in `to` (n + 1)
  uint32_t *to;
  uint32_t *stamp; // by file: the query that last saw it
  uint32_t query;
  al_vec(uint32_t) out, queue;
};

_Thread_local al_deps_thread *al__deps_tls;

al_deps *al_deps_new(uint32_t n) {
  al_deps *self = al_xcalloc(1, sizeof *self);
  self->n = n;
  pthread_mutex_init(&self->mu, NULL);
  self->arena = al_arena_new();
  return self;
}

void al_deps_free(al_deps *self) {
  if (!self)
    return;
  pthread_mutex_destroy(&self->mu);
  vec_free(&self->pairs);
  vec_free(&self->watches);
  vec_free(&self->out);
  vec_free(&self->queue);
  al_arena_free(self->arena);
  free(self->first);
  free(self->to);
  free(self->stamp);
  free(self);
}

void al_deps_thread_begin(al_deps *self) {
  al_deps_thread_end();
  if (!self)
    return;
  al_deps_thread *t = al_xcalloc(1, sizeof *t);
  t->owner = self;
  t->current = t->last_from = AL_NONE;
  t->mask = 255;
  t->slots = al_xcalloc(t->mask + 1, sizeof *t->slots);
  al__deps_tls = t;
}

void al_deps_thread_end(void) {
  al_deps_thread *t = al__deps_tls;
  if (!t)
    return;
  al__deps_tls = NULL;
  al_deps *d = t->owner;
  pthread_mutex_lock(&d->mu);
  vec_reserve(&d->pairs, d->pairs.len + t->used);
  for (uint32_t i = 0; i <= t->mask; i++)
    if (t->slots[i])
      vec_push(&d->pairs, t->slots[i]);
  d->sorted = false;
  pthread_mutex_unlock(&d->mu);
  free(t->slots);
  free(t);
}

al_deps *al_deps_recording(void) {
  return al__deps_tls ? al__deps_tls->owner : NULL;
}

uint32_t al_deps_enter(uint32_t file) {
  al_deps_thread *t = al__deps_tls;
  if (!t)
    return AL_NONE;
  uint32_t previous = t->current;
  t->current = file;
  return previous;
}

void al_deps_leave(uint32_t previous) {
  if (al__deps_tls)
    al__deps_tls->current = previous;
}

static uint32_t slot_of(uint64_t key, uint32_t mask) {
  key ^= key >> 29;
  key *= 0xBF58476D1CE4E5B9u;
  key ^= key >> 32;
  return (uint32_t)key & mask;
}

static void grow(al_deps_thread *t) {
  uint64_t *old = t->slots;
  uint32_t old_mask = t->mask;
  t->mask = t->mask * 2 + 1;
  t->slots = al_xcalloc((size_t)t->mask + 1, sizeof *t->slots);
  for (uint32_t i = 0; i <= old_mask; i++) {
    if (!old[i])
      continue;
    uint32_t s = slot_of(old[i], t->mask);
    while (t->slots[s])
      s = (s + 1) & t->mask;
    t->slots[s] = old[i];
  }
  free(old);
}

void al__deps_touch(al_deps_thread *t, uint32_t file) {
  uint32_t from = t->current;
  if (from == AL_NONE || file == from || file >= t->owner->n ||
      (from == t->last_from && file == t->last_to))
    return;
  t->last_from = from;
  t->last_to = file;
  uint64_t key = (uint64_t)(from + 1u) << 32 | file;
  uint32_t s = slot_of(key, t->mask);
  for (; t->slots[s]; s = (s + 1) & t->mask)
    if (t->slots[s] == key)
      return;
  t->slots[s] = key;
  if (++t->used * 2 > t->mask)
    grow(t);
}

void al_deps_add(al_deps *self, uint32_t from, uint32_t to) {
  if (!self || from >= self->n || to >= self->n || from == to)
    return;
  pthread_mutex_lock(&self->mu);
  vec_push(&self->pairs, (uint64_t)(from + 1u) << 32 | to);
  self->sorted = false;
  pthread_mutex_unlock(&self->mu);
}

al_str al_deps_call_name(const al_call *c) {
  al_str d = c->callee.dotted;
  if (c->callee.kind == AL_REF_NONE || c->callee.kind == AL_REF_CALLED ||
      !d.len)
    return (al_str){0}; // (d.ptr may be NULL)
  size_t dot = al_str_last_part(d);
  return (al_str){d.ptr + dot, d.len - dot};
}

void al_deps_watch(al_deps *self, al_str name, uint32_t file) {
  if (!self || file >= self->n || !name.len)
    return;
  pthread_mutex_lock(&self->mu);
  al_deps_watch_entry w = {
      {al_arena_strndup(self->arena, name.ptr, name.len), name.len}, file};
  vec_push(&self->watches, w);
  pthread_mutex_unlock(&self->mu);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

// The pairs as adjacency lists (first, to).
static void sort_pairs(al_deps *self) {
  if (self->pairs.len > 1)
    qsort(self->pairs.items, self->pairs.len, sizeof(uint64_t), cmp_u64);
  free(self->first);
  free(self->to);
  self->first = al_xcalloc((size_t)self->n + 1, sizeof(uint32_t));
  self->to =
      al_xmalloc((self->pairs.len ? self->pairs.len : 1) * sizeof(uint32_t));
  uint32_t m = 0;
  for (uint32_t i = 0; i < self->pairs.len; i++) {
    uint64_t p = self->pairs.items[i];
    if (i > 0 && p == self->pairs.items[i - 1])
      continue;
    self->first[(uint32_t)(p >> 32)]++; // from + 1: counts shift by one
    self->to[m++] = (uint32_t)p;
  }
  for (uint32_t f = 0; f < self->n; f++)
    self->first[f + 1] += self->first[f];
  if (!self->stamp)
    self->stamp = al_xcalloc(self->n ? self->n : 1, sizeof(uint32_t));
  self->sorted = true;
}

const uint32_t *al_deps_of(al_deps *self, uint32_t file, uint32_t n_keep,
                           uint32_t *n) {
  *n = 0;
  if (!self || file >= self->n)
    return NULL;
  if (!self->sorted)
    sort_pairs(self);
  uint32_t q = ++self->query;
  self->out.len = self->queue.len = 0;
  self->stamp[file] = q;
  vec_push(&self->queue, file);
  // Through files beyond n_keep (libraries): their edges count as file's.
  for (uint32_t h = 0; h < self->queue.len; h++) {
    uint32_t f = self->queue.items[h];
    for (uint32_t e = self->first[f]; e < self->first[f + 1]; e++) {
      uint32_t t = self->to[e];
      if (self->stamp[t] == q)
        continue;
      self->stamp[t] = q;
      if (t < n_keep)
        vec_push(&self->out, t);
      else
        vec_push(&self->queue, t);
    }
  }
  if (self->out.len > 1)
    qsort(self->out.items, self->out.len, sizeof(uint32_t), cmp_u32);
  *n = self->out.len;
  return self->out.len ? self->out.items : NULL;
}

void al_deps_mark_dependants(uint32_t n, const uint32_t *first,
                             const uint32_t *to, bool *mark) {
  uint32_t m = n ? first[n] : 0;
  // The reverse lists (who depends on each file), counting-sorted.
  uint32_t *rfirst = al_xcalloc((size_t)n + 1, sizeof *rfirst);
  for (uint32_t e = 0; e < m; e++)
    rfirst[to[e] + 1]++;
  for (uint32_t i = 0; i < n; i++)
    rfirst[i + 1] += rfirst[i];
  uint32_t *by = al_xmalloc((m ? m : 1) * sizeof *by);
  uint32_t *fill = al_xcalloc(n ? n : 1, sizeof *fill);
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t e = first[i]; e < first[i + 1]; e++)
      by[rfirst[to[e]] + fill[to[e]]++] = i;
  uint32_t *queue = al_xmalloc((n ? n : 1) * sizeof *queue), len = 0;
  for (uint32_t i = 0; i < n; i++)
    if (mark[i])
      queue[len++] = i;
  for (uint32_t h = 0; h < len; h++)
    for (uint32_t e = rfirst[queue[h]]; e < rfirst[queue[h] + 1]; e++)
      if (!mark[by[e]]) {
        mark[by[e]] = true;
        queue[len++] = by[e];
      }
  free(queue);
  free(fill);
  free(by);
  free(rfirst);
}

const al_deps_watch_entry *al_deps_watches(const al_deps *self, uint32_t *n) {
  *n = self ? self->watches.len : 0;
  return *n ? self->watches.items : NULL;
}
