// SPDX-License-Identifier: MIT
/*
 * Positions in decoded source text. Facts keep byte ranges only (al_span,
 * 8 bytes in every record); a diagnostic carries the range with tree-sitter's
 * points, 0-based rows and byte columns (al_range). The line map records
 * where each row starts, so that al_linemap_range can give a byte range its
 * points, and where multi-byte UTF-8 characters stand, so that
 * report/position.c can turn byte columns into 1-based code-point columns;
 * neither needs the source text alive. Rows are split on '\n' only, as
 * tree-sitter splits them. The conversion to what users see lives in exactly
 * one function, al_position_from_byte, in report/report.h.
 */
#ifndef AL_SOURCE_POSITION_H
#define AL_SOURCE_POSITION_H

#include <stdint.h>

#include "base/vec.h"

/** A byte range in the decoded text, as tree-sitter gives a node's. */
typedef struct {
  uint32_t start_byte; // offset in the decoded text
  uint32_t end_byte;
} al_span;

/** A byte range with tree-sitter points (rows and byte columns, 0-based). */
typedef struct {
  uint32_t start_byte; // offset in the decoded text
  uint32_t end_byte;
  uint32_t start_row;
  uint32_t start_col; // bytes from the start of the row
  uint32_t end_row;
  uint32_t end_col;
} al_range;

/** One multi-byte character: where it starts and the extra bytes so far. */
typedef struct {
  uint32_t offset;    // byte offset of the lead byte in the decoded text
  uint32_t extra_sum; // sum of (length - 1) over this and all earlier entries
} al_wide_char;

/**
 * Where the rows and the multi-byte characters of a decoded text are. wide
 * is empty for pure ASCII text, rows for a one-line text. Storage is
 * malloc'd: free with al_linemap_free.
 */
typedef struct {
  al_vec(al_wide_char) wide;
  al_vec(uint32_t) rows; // rows.items[i]: offset where row i + 1 starts, just
                         // past a '\n'; strictly increasing
} al_linemap;

/**
 * Record where every row starts and every multi-byte UTF-8 sequence of text
 * (assumed valid UTF-8).
 */
void al_linemap_build(al_linemap *self, const char *text, uint32_t len);

/** The 0-based row of a byte offset (a map of no rows: 0). */
uint32_t al_linemap_row(const al_linemap *self, uint32_t byte);

/** span with its points: rows and byte columns as tree-sitter gives them. */
al_range al_linemap_range(const al_linemap *self, al_span span);

/** Release the storage; the map is empty afterwards. */
void al_linemap_free(al_linemap *self);

#endif
