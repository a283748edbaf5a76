// SPDX-License-Identifier: MIT
/*
 * The file's layout where fixes need it: where a new module-level import
 * line can go (al_facts.import_at), read off the module's top-level
 * statements after the walk. It records nothing else, and decides nothing
 * about what a fix inserts there (rules/fixes.c does; the fix engine gives
 * inserted lines the file's line ending).
 */
#include "facts/extract_p.h"

// Whether n, the module's first statement, is its docstring.
static bool is_docstring(TSNode n) {
  if (al_node_kind(n) != AL_K_EXPRESSION_STATEMENT ||
      ts_node_named_child_count(n) != 1)
    return false;
  al_kind k = al_node_kind(ts_node_named_child(n, 0));
  return k == AL_K_STRING || k == AL_K_CONCATENATED_STRING;
}

// The offset where row `row` + 1 starts, or AL_NONE past the last row.
static uint32_t next_row_start(const al_linemap *lines, uint32_t row) {
  return row < lines->rows.len ? lines->rows.items[row] : AL_NONE;
}

// The header is the docstring, the __future__ imports and the plain
// imports that follow them (comments aside); a new import goes on the line
// after its last statement, or before the first statement when there is no
// header. A statement sharing the header's last line (`import os; x = 1`)
// may run on past it (a string over several lines): no place then.
static uint32_t import_place(al_extractor *x, TSNode root) {
  const al_linemap *lines = &x->facts->lines;
  uint32_t header_end = AL_NONE; // end of the header's last statement
  bool first = true;
  if (!aux_first(x, root))
    return AL_NONE;
  do {
    TSNode n = aux_node(x);
    if (!ts_node_is_named(n))
      continue;
    al_kind k = al_node_kind(n);
    if (k == AL_K_COMMENT)
      continue;
    if ((first && is_docstring(n)) || k == AL_K_FUTURE_IMPORT_STATEMENT ||
        k == AL_K_IMPORT_STATEMENT || k == AL_K_IMPORT_FROM_STATEMENT) {
      header_end = ts_node_end_byte(n);
      first = false;
      continue;
    }
    if (header_end == AL_NONE)
      return ts_node_start_byte(n);
    uint32_t row = al_linemap_row(lines, header_end);
    if (al_linemap_row(lines, ts_node_start_byte(n)) == row)
      return AL_NONE;
    return next_row_start(lines, row);
  } while (aux_next(x));
  return header_end == AL_NONE
             ? AL_NONE
             : next_row_start(lines, al_linemap_row(lines, header_end));
}

void al_extract__layout(al_extractor *x, TSNode root) {
  x->facts->import_at = import_place(x, root);
}
