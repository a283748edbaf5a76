// SPDX-License-Identifier: MIT
/*
 * Positions in decoded source text. Tree-sitter reports 0-based rows and
 * byte columns; everything before the report stage keeps that form (al_span).
 * The line map records where multi-byte UTF-8 characters stand so that
 * report/position.c can turn byte columns into 1-based code-point columns
 * without keeping the source text alive. This module does not convert: the
 * conversion lives in exactly one function, al_position_from_byte, in
 * report/position.h.
 */
#ifndef AL_SOURCE_POSITION_H
#define AL_SOURCE_POSITION_H

#include <stdint.h>

#include "base/vec.h"

/** A byte range with tree-sitter points (rows and byte columns, 0-based). */
typedef struct {
  uint32_t start_byte; // offset in the decoded text
  uint32_t end_byte;
  uint32_t start_row;
  uint32_t start_col; // bytes from the start of the row
  uint32_t end_row;
  uint32_t end_col;
} al_span;

/** One multi-byte character: where it starts and the extra bytes so far. */
typedef struct {
  uint32_t offset;    // byte offset of the lead byte in the decoded text
  uint32_t extra_sum; // sum of (length - 1) over this and all earlier entries
} al_wide_char;

/**
 * Where the multi-byte characters of a decoded text are. Empty for pure
 * ASCII text, so most files cost nothing. Storage is malloc'd: free with
 * al_linemap_free.
 */
typedef struct {
  al_vec(al_wide_char) wide;
} al_linemap;

/** Record every multi-byte UTF-8 sequence of text (assumed valid UTF-8). */
void al_linemap_build(al_linemap *self, const char *text, uint32_t len);

/** Release the storage; the map is empty afterwards. */
void al_linemap_free(al_linemap *self);

#endif
