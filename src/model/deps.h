// SPDX-License-Identifier: MIT
/*
 * Which files each file's results were computed from: the exact
 * dependencies a re-run needs (cli/rerun.h) to re-check only the files
 * whose findings can change.
 *
 * The index records them as it works. Each thread doing index work or
 * running rules has a current file, the one whose results it is computing
 * (the file being checked, or the file whose memo the build is filling);
 * every other file whose facts or index part it reads becomes a
 * dependency of the current one (al_deps_touch, called by the index's
 * accessors). A file's results then depend on the transitive closure of
 * its edges: a memo of B that C reads was computed from what B read.
 *
 * One case is not a read: the reach step lets the call sites of a guarded
 * function, wherever they are, decide what the function reaches (reach.c,
 * find_sites). Such a function's file watches the callee name: a changed
 * file with a call of that name may have added a site (al_deps_watch).
 *
 * What a look-up misses is not recorded (a module name nothing claims);
 * the re-run treats any change of the module names as touching all.
 *
 * Recording costs one thread-local test per access when no thread
 * records, as in a run without a cache.
 */
#ifndef AL_MODEL_DEPS_H
#define AL_MODEL_DEPS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"
#include "facts/facts.h"

typedef struct al_deps al_deps;
typedef struct al_deps_thread al_deps_thread;

/** Recording for a project of n files (linted and library ones). */
al_deps *al_deps_new(uint32_t n);
void al_deps_free(al_deps *self);

/** The calling thread records into self (NULL: stops recording) until
 * al_deps_thread_end; its current file is none. */
void al_deps_thread_begin(al_deps *self);
void al_deps_thread_end(void);

/** What the calling thread records into, or NULL. */
al_deps *al_deps_recording(void);

/** Make file the current one; returns the previous (for al_deps_leave). */
uint32_t al_deps_enter(uint32_t file);
void al_deps_leave(uint32_t previous);

/** The current file's results read file (no-op when nothing records). */
extern _Thread_local al_deps_thread *al__deps_tls;
void al__deps_touch(al_deps_thread *t, uint32_t file);
static inline void al_deps_touch(uint32_t file) {
  if (al__deps_tls)
    al__deps_touch(al__deps_tls, file);
}

/** from's results depend on to's (an edge no read shows). */
void al_deps_add(al_deps *self, uint32_t from, uint32_t to);

/** The name a watch matches in a call: its callee's last dotted part
 * (empty for a callee that is not a name). */
al_str al_deps_call_name(const al_call *c);

/** File file watches calls named `name` (the last dotted part). */
void al_deps_watch(al_deps *self, al_str name, uint32_t file);

/** After every thread ended: each file's dependencies among the first
 * n_keep files, through any file beyond them (libraries), sorted and
 * without itself. *n: their count; NULL when none. */
const uint32_t *al_deps_of(al_deps *self, uint32_t file, uint32_t n_keep,
                           uint32_t *n);

/**
 * Mark every file depending on a marked one, transitively, given each
 * file's dependencies as adjacency lists: file i's are to[first[i] ..
 * first[i + 1]) (n files, first has n + 1 entries, every to < n).
 */
void al_deps_mark_dependants(uint32_t n, const uint32_t *first,
                             const uint32_t *to, bool *mark);

/** The watches, after every thread ended: *n of them. */
typedef struct {
  al_str name;
  uint32_t file;
} al_deps_watch_entry;
const al_deps_watch_entry *al_deps_watches(const al_deps *self, uint32_t *n);

#endif
