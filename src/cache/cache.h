// SPDX-License-Identifier: MIT
/*
 * The result cache: per-file facts (facts/facts.h) stored on disk, keyed by
 * a hash of the file's bytes as read (before decoding, so a hit skips
 * decoding as well as parsing), the tool version, a hash of the executable
 * (a rebuilt extractor with an unchanged version must not read old facts)
 * and the facts format version, so that a second run over an unchanged
 * tree parses nothing.
 * Facts depend on nothing else: not on the path, the config or the command
 * line (rules, selections and suppressions are applied after extraction).
 * Should an input ever change what extraction records, it must be added to
 * the key in al_cache_key_of.
 *
 * Layout: DIR/CACHEDIR.TAG, DIR/.gitignore ("*"), and one entry per key at
 * DIR/xx/<32 hex digits> where xx are the key's first two hex digits. An
 * entry is a header (magic, format version, key, payload length, payload
 * checksum) and a payload: the facts serialized field by field, strings in
 * a string table referred to by offset. Entries are written to a temporary
 * file in the same directory and renamed into place, so a reader (another
 * run at the same time) sees a whole entry or none. A damaged entry (bad
 * magic, version, key, length or checksum, a payload that does not parse,
 * or facts that extraction could not have made: an index out of range, a
 * scope whose parent is not an earlier scope, an unknown kind) is a miss:
 * the caller extracts again and the entry is rewritten.
 *
 * The entry format is cache/format.c's (its field order that of
 * facts/facts.h's field lists), the checks of decoded facts
 * facts/validate.c's, the directory and the key cache/cache.c's.
 *
 * This module never prints: a cache that cannot be used is recorded once
 * (al_cache_warning) for the command line to report, and the run goes on
 * without it. The cache directory itself must not be a symbolic link (it is
 * refused, not followed). There is no pruning of stale entries.
 */
#ifndef AL_CACHE_CACHE_H
#define AL_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/facts.h"

/** The version of the serialized facts; bump it with any format change. */
#define AL_CACHE_FORMAT_VERSION 29u

/** The default cache directory name, in the project root. */
#define AL_CACHE_DIR_NAME ".asynclint_cache"

/** What an entry is filed under. */
typedef struct {
  uint64_t h[2];
} al_cache_key;

typedef struct al_cache al_cache;

/**
 * The key of a file whose bytes (as read, undecoded) are bytes[0..len):
 * a 128-bit hash of them, their length, AL_VERSION, the executable's hash
 * (/proc/self/exe, read once per process) and the format version.
 * Thread-safe.
 */
al_cache_key al_cache_key_of(const char *bytes, size_t len);

/**
 * Open (creating it and its parents if needed) the cache directory dir.
 * Never NULL: a cache that cannot be used (dir is a symbolic link or not a
 * directory, or cannot be created) comes back disabled, with the reason in
 * al_cache_warning; al_cache_get then misses and al_cache_put does nothing.
 * Free with al_cache_close.
 */
al_cache *al_cache_open(const char *dir);

/** Close the directory and free the cache. NULL is a no-op. */
void al_cache_close(al_cache *self);

/**
 * The facts stored under key, or NULL on a miss (no entry, a damaged one,
 * a disabled cache). Caller frees with al_facts_free. Thread-safe.
 */
al_facts *al_cache_get(al_cache *self, const al_cache_key *key);

/**
 * Store facts under key (atomically: temporary file, then rename). A write
 * that fails (disk full, read-only or unwritable directory) disables
 * further writes and records the reason once. Thread-safe.
 */
void al_cache_put(al_cache *self, const al_cache_key *key,
                  const al_facts *facts);

/**
 * Why the cache was not (fully) used, as "DIR: reason", or NULL when all
 * went well. Owned by the cache; valid until al_cache_close.
 */
const char *al_cache_warning(const al_cache *self);

/** Entries read and written so far (for tests and --verbose tooling). */
void al_cache_stats(const al_cache *self, uint32_t *hits, uint32_t *writes);

/**
 * A named blob beside the entries (DIR/state/NAME; cli/rerun.c keeps a
 * run's saved findings there): its bytes in malloc'd memory (*len of
 * them), or NULL when it is missing, not a regular file or the cache is
 * disabled. The caller checks what it reads (it may be damaged).
 */
unsigned char *al_cache_read_blob(al_cache *self, const char *name,
                                  size_t *len);

/**
 * Write the blob NAME atomically (temporary file, then rename), as
 * al_cache_put writes an entry. Returns false (and records the warning,
 * disabling further writes) when it cannot.
 */
bool al_cache_write_blob(al_cache *self, const char *name,
                         const unsigned char *data, size_t len);

/**
 * Serialize facts into a whole entry (header and payload) for key, in
 * malloc'd memory (*len bytes). Caller frees. Exposed for tests.
 */
unsigned char *al_cache_encode(const al_facts *facts, const al_cache_key *key,
                               size_t *len);

/**
 * Parse an entry made by al_cache_encode: NULL when it is damaged in any
 * way (truncated, wrong magic, version or key, checksum mismatch, payload
 * out of bounds, or facts that break what extraction guarantees: every
 * cross-record index AL_NONE or in range, every kind a known value, every
 * span inside the text). Caller frees the result with al_facts_free.
 */
al_facts *al_cache_decode(const unsigned char *data, size_t len,
                          const al_cache_key *key);

#endif
