// SPDX-License-Identifier: MIT
/*
 * Reading a source file into decoded, parser-ready UTF-8.
 *
 * Handles a UTF-8 BOM (dropped), PEP 263 coding declarations (decoded to
 * UTF-8 with iconv), lone CR line endings (turned into LF, the same length, so
 * offsets stay put and rows match Python's), and refuses what Python refuses:
 * NUL bytes, invalid UTF-8, unknown encodings, unreadable files. A refused
 * file is not an error of the run: the caller turns `problem` into an AL002
 * diagnostic and goes on. This module does not parse.
 */
#ifndef AL_SOURCE_FILE_H
#define AL_SOURCE_FILE_H

#include <iconv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/** Largest file accepted (tree-sitter offsets are 32-bit). */
#define AL_SOURCE_MAX_BYTES ((size_t)1 << 30)

typedef struct {
  const char *path;      // display path, as given by the caller (not copied)
  char *text;            // decoded UTF-8, NUL-terminated; owned by the arena
  uint32_t len;          // bytes of text, without the NUL
  bool ok;               // false: text is NULL and problem says why
  const char *problem;   // e.g. "cannot read file: Permission denied"; arena
  uint32_t problem_line; // 1-based line of the problem (1 when unknown)
  uint32_t problem_col;  // 1-based column (code points) (1 when unknown)
  const char *encoding;  // declared non-UTF-8 encoding that was decoded, or
                         // NULL; arena
} al_source;

/**
 * Read and decode the file at path (fs_path is what open(2) gets; path is
 * only for display and may be the same). Always fills *out; returns out->ok.
 * Allocates from arena only.
 */
bool al_source_read(al_source *out, al_arena *arena, const char *fs_path,
                    const char *path);

/**
 * al_source_read in two steps, so that a caller can look at the raw bytes
 * before decoding them (the result cache keys on them): read the file's
 * bytes as they are on disk into the arena (*bytes, *len; the buffer has
 * room for a NUL after them). Returns false, with problem filled as
 * al_source_read would, when the file cannot be read.
 */
bool al_source_read_bytes(al_source *out, al_arena *arena, const char *fs_path,
                          const char *path, char **bytes, size_t *len);

/**
 * The second step: decode bytes from al_source_read_bytes in place (they
 * change: a BOM is skipped, lone CRs become LFs). Fills *out as
 * al_source_read would; returns out->ok.
 */
bool al_source_decode(al_source *out, al_arena *arena, char *bytes, size_t len);

/**
 * Decode bytes already in memory (standard input, fuzzers, tests) the same
 * way. bytes need not be NUL-terminated and are copied.
 */
bool al_source_from_bytes(al_source *out, al_arena *arena, const char *path,
                          const char *bytes, size_t len);

/**
 * Read all of a stream (standard input) into malloc'd memory; *len gets the
 * size. Returns NULL and sets errno on a read error. Caller frees.
 */
char *al_source_slurp_fd(int fd, size_t *len);

/**
 * Convert all of text[0..len) with iconv descriptor cd (the caller opens
 * and closes it), flushing a stateful encoding's final shift: a malloc'd,
 * NUL-terminated buffer and *out_len its length; NULL when a byte
 * sequence cannot be converted, *fail_at its offset in text.
 */
char *al_iconv_all(iconv_t cd, const char *text, size_t len, size_t *out_len,
                   size_t *fail_at);

#endif
