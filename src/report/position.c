// SPDX-License-Identifier: MIT
/*
 * The one conversion from tree-sitter points (0-based row, byte column,
 * absolute byte offset) to what users see (1-based line, 1-based column in
 * code points). It reads only the file's line map, so the source text need
 * not be alive; it does not validate that the point is on a character
 * boundary (a point inside a character gets that character's column).
 */
#include "report/report.h"

// Index of the first entry of wide whose offset is >= offset (wide.len when
// none): binary search, so a 10 MB line full of wide characters stays cheap.
static uint32_t lower_bound(const al_linemap *map, uint32_t offset) {
  return vec_lower_bound(&map->wide, al_wide_char, offset, offset);
}

// extra_sum of the entries [0, i): 0 for i == 0.
static uint32_t extra_before(const al_linemap *map, uint32_t i) {
  return i ? map->wide.items[i - 1].extra_sum : 0;
}

al_position al_position_from_byte(const al_linemap *map, uint32_t row,
                                  uint32_t byte_col, uint32_t byte_offset) {
  al_position pos = {row + 1, byte_col + 1};
  if (!map || map->wide.len == 0)
    return pos;
  // A column larger than the offset can only come from a corrupt span; treat
  // the line as starting at 0 rather than wrapping around.
  uint32_t line_start = byte_col <= byte_offset ? byte_offset - byte_col : 0;
  uint32_t first = lower_bound(map, line_start);
  uint32_t end = lower_bound(map, byte_offset);
  if (first >= end)
    return pos;
  uint32_t extra = extra_before(map, end) - extra_before(map, first);
  // The last character may straddle the point (a point inside a character,
  // which a valid span never has): count its continuation bytes only up to
  // and including the point, so the point lands on that character instead
  // of past it, or of wrapping below column 1.
  const al_wide_char *last = &map->wide.items[end - 1];
  uint32_t last_extra = last->extra_sum - extra_before(map, end - 1);
  uint32_t last_seen = byte_offset - last->offset;
  if (last_seen < last_extra)
    extra -= last_extra - last_seen;
  pos.column = byte_col + 1 - extra;
  return pos;
}

al_position al_position_of_byte(const al_linemap *map, uint32_t byte) {
  uint32_t row = al_linemap_row(map, byte);
  uint32_t start = row && row <= map->rows.len ? map->rows.items[row - 1] : 0;
  return al_position_from_byte(map, row, byte >= start ? byte - start : 0,
                               byte);
}
