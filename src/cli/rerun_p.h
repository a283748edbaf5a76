// SPDX-License-Identifier: MIT
/*
 * Private to cli/rerun*.c and its tests: the saved state in memory and its
 * encoding (rerun_state.c). The layout on disk: a 48-byte header (magic
 * "ALSTATE1", format version, reserved, the run key, payload length,
 * payload checksum; little-endian) and the payload, fields in the order of
 * al_rerun__encode, strings as a 32-bit length and the bytes.
 */
#ifndef AL_CLI_RERUN_P_H
#define AL_CLI_RERUN_P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/vec.h"
#include "cache/cache.h"
#include "rules/rule.h"

/** Bump with any change of the state's layout. */
#define AL_RERUN_STATE_VERSION 4u

/** Stat data of a file or directory. */
typedef struct {
  uint64_t size;
  int64_t mtime_sec;
  int64_t mtime_nsec;
  uint64_t ino;
  uint64_t dev;
} al_rerun_stat;

/** One file of the saved run. */
typedef struct {
  const char *path; // display path (linted) or the path read (library)
  al_rerun_stat st;
  al_cache_key key;    // content key (linted files with has_key)
  bool has_key;        // false: unknown (unreadable): never unchanged
  bool unreadable;     // library with has_key: its facts say unreadable
  const char *module;  // module name, "" for none (linted files)
  uint32_t first_diag; // its findings: diags[first_diag ..+n_diags)
  uint32_t n_diags;
} al_rerun_file;

/** A file watching the calls of a name (model/deps.h, al_deps_watch). */
typedef struct {
  const char *name;
  uint32_t file; // index in files
} al_rerun_watch;

typedef struct {
  al_arena *arena;    // the strings, fixes and edits
  uint64_t machine;   // hostname, boot id, working directory
  int64_t start_sec;  // when the saved run began (CLOCK_REALTIME)
  uint32_t lib_count; // the environment's figures of the run
  uint64_t lib_bytes;
  const char *budget_note;     // "" for none
  uint64_t lib_needs;          // al_libs_tree_needs of the run, 0: none
  al_vec(al_rerun_file) files; // linted, sorted by path
  al_vec(al_rerun_file) libs;  // library files read, in load order (module:
                               // the module name, key: the content's)
  al_vec(al_rerun_file) dirs;  // site directories (st only)
  al_vec(al_diag) diags;       // .file: the index in files
  // Each linted file's dependencies (model/deps.h), as indices in files:
  // file i's are deps[dep_first[i] .. dep_first[i + 1]). has_deps false
  // (a run that recorded none): dep_first and deps are empty.
  bool has_deps;
  al_vec(uint32_t) dep_first; // files.len + 1 entries
  al_vec(uint32_t) deps;
  al_vec(al_rerun_watch) watches;
} al_rerun_state;

/** Encode a whole state file for run_key (malloc'd, *len bytes). */
unsigned char *al_rerun__encode(const al_rerun_state *s,
                                const al_cache_key *run_key, size_t *len);

/**
 * Decode a state file into s (zeroed by the caller; its arena is made
 * here). false, with s freed, when it is damaged in any way: wrong magic,
 * version or key, a length or checksum mismatch, a field out of bounds, a
 * rule code unknown, findings out of the file list.
 */
bool al_rerun__decode(al_rerun_state *s, const unsigned char *data, size_t len,
                      const al_cache_key *run_key);

/** Free what s holds. */
void al_rerun__state_free(al_rerun_state *s);

#endif
