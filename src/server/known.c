// SPDX-License-Identifier: MIT
/*
 * Facts kept between checks (known.h). The table is the previous check's
 * files read from disk, sorted by path: the extraction workers look a file
 * up (read-only) and take its facts with an atomic flag, so a facts record
 * is handed over once at most. What each worker stat'ed goes to a list
 * under a mutex; after the run that list pairs the new result's files with
 * the stat data they were read under.
 */
#include "server/known.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/arena.h"
#include "base/vec.h"

typedef struct {
  uint64_t size, ino, dev;
  int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
} file_stat;

// A file as stat'ed before it was read: its path (the run's string),
// whether it is a library module (the overlay never gives those, so a
// tree file of the same path can be told apart) and the wall-clock second
// of the stat.
typedef struct {
  const char *path;
  bool library;
  file_stat st;
  int64_t read_sec;
} seen;

typedef struct {
  seen at;         // the path is prev's string
  al_facts *facts; // owned by the result the table describes
  uint32_t file;   // its index in that result's project
  atomic_bool taken;
} entry;

struct al_known {
  entry *items; // sorted by path
  uint32_t len;
  const al_run_result *of; // the result the table describes (NULL: none)
  pthread_mutex_t lock;    // guards seen
  al_vec(seen) seen;
  uint32_t reused;
};

al_known *al_known_new(void) {
  al_known *self = al_xcalloc(1, sizeof *self);
  pthread_mutex_init(&self->lock, NULL);
  return self;
}

void al_known_free(al_known *self) {
  if (!self)
    return;
  free(self->items);
  vec_free(&self->seen);
  pthread_mutex_destroy(&self->lock);
  free(self);
}

void al_known_begin(al_known *self) {
  self->seen.len = 0;
  self->reused = 0;
}

static bool stat_of(const char *path, file_stat *out) {
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
    return false;
  *out = (file_stat){.size = (uint64_t)sb.st_size,
                     .ino = (uint64_t)sb.st_ino,
                     .dev = (uint64_t)sb.st_dev,
                     .mtime_sec = (int64_t)sb.st_mtim.tv_sec,
                     .mtime_nsec = (int64_t)sb.st_mtim.tv_nsec,
                     .ctime_sec = (int64_t)sb.st_ctim.tv_sec,
                     .ctime_nsec = (int64_t)sb.st_ctim.tv_nsec};
  return true;
}

static bool stat_eq(const file_stat *a, const file_stat *b) {
  return a->size == b->size && a->ino == b->ino && a->dev == b->dev &&
         a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
         a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

static int cmp_entry_key(const void *key, const void *elem) {
  return strcmp(key, ((const entry *)elem)->at.path);
}

al_facts *al_known_take(void *data, const al_project_file *pf) {
  al_known *self = data;
  seen now = {.path = pf->fs_path, .library = pf->library};
  if (!stat_of(pf->fs_path, &now.st))
    return NULL; // the read reports why
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  now.read_sec = (int64_t)t.tv_sec;
  entry *e = self->len ? bsearch(pf->fs_path, self->items, self->len,
                                 sizeof *self->items, cmp_entry_key)
                       : NULL;
  al_facts *facts = NULL;
  // Unchanged, not modified in the second it was read in, not handed yet.
  if (e && stat_eq(&e->at.st, &now.st) && now.st.mtime_sec < e->at.read_sec &&
      !atomic_exchange(&e->taken, true)) {
    facts = e->facts;
    now.read_sec = e->at.read_sec; // the facts are of that read
  }
  pthread_mutex_lock(&self->lock);
  vec_push(&self->seen, now);
  self->reused += facts != NULL;
  pthread_mutex_unlock(&self->lock);
  return facts;
}

static int cmp_seen(const void *a, const void *b) {
  const seen *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  return c ? c : (x->library > y->library) - (x->library < y->library);
}

static int cmp_entry(const void *a, const void *b) {
  int c = strcmp(((const entry *)a)->at.path, ((const entry *)b)->at.path);
  if (c)
    return c;
  uint32_t x = ((const entry *)a)->file, y = ((const entry *)b)->file;
  return (x > y) - (x < y);
}

void al_known_end(al_known *self, al_run_result *prev,
                  const al_run_result *res) {
  if (self->of && self->of != prev)
    abort(); // handed facts would be owned twice
  for (uint32_t i = 0; i < self->len; i++)
    if (atomic_load(&self->items[i].taken))
      prev->project.files.items[self->items[i].file].facts = NULL;
  self->len = 0;
  self->of = res;
  const al_project *proj = &res->project;
  if (self->seen.len > 1)
    qsort(self->seen.items, self->seen.len, sizeof *self->seen.items, cmp_seen);
  free(self->items);
  self->items = al_xcalloc(proj->files.len + 1, sizeof *self->items);
  for (uint32_t i = 0; i < proj->files.len; i++) {
    const al_project_file *pf = &proj->files.items[i];
    if (!pf->fs_path || !pf->facts || pf->facts->unreadable)
      continue;
    seen key = {.path = pf->fs_path, .library = pf->library};
    const seen *s = self->seen.len
                        ? bsearch(&key, self->seen.items, self->seen.len,
                                  sizeof key, cmp_seen)
                        : NULL;
    if (!s)
      continue; // an open buffer's (the overlay's), or not stat'ed
    entry *e = &self->items[self->len++];
    e->at = *s;
    e->at.path = pf->fs_path;
    e->facts = pf->facts;
    e->file = i;
    atomic_init(&e->taken, false);
  }
  if (self->len > 1)
    qsort(self->items, self->len, sizeof *self->items, cmp_entry);
}

uint32_t al_known_reused(const al_known *self) { return self->reused; }
