// SPDX-License-Identifier: MIT
/*
 * Comments as facts: only those that may suppress findings (they mention
 * noqa or asynclint) are kept, from the tree's comment nodes, and by a
 * line scan from the long comment runs the parser was given blanked
 * (syntax/comment_runs.h), merged in source order.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "facts/extract_p.h"

bool al_extract__mentions_suppression(al_str t) {
  // Case-insensitive search for "noqa" or "asynclint".
  for (size_t i = 0; i + 4 <= t.len; i++) {
    char c = (char)tolower((unsigned char)t.ptr[i]);
    if (c == 'n' && strncasecmp(t.ptr + i, "noqa", 4) == 0)
      return true;
    if (c == 'a' && i + 9 <= t.len &&
        strncasecmp(t.ptr + i, "asynclint", 9) == 0)
      return true;
  }
  return false;
}

void al_extract__comment(al_extractor *x, uint32_t row, uint32_t col,
                         uint32_t byte, al_str t) {
  if (!al_extract__mentions_suppression(t))
    return;
  al_comment *cm = vec_grow1(&x->facts->comments);
  cm->row = row;
  cm->col = col;
  cm->byte = byte;
  cm->text = copy_str(x, t.ptr, t.len);
}

static int cmp_comment(const void *a, const void *b) {
  uint32_t x = ((const al_comment *)a)->byte, y = ((const al_comment *)b)->byte;
  return x < y ? -1 : x > y;
}

void al_extract__run_comments(al_extractor *x, const al_byte_range *runs,
                              uint32_t n_runs) {
  const char *text = x->text;
  uint32_t before = x->facts->comments.len;
  for (uint32_t r = 0; r < n_runs; r++) {
    for (uint32_t p = runs[r].start; p < runs[r].end;) {
      const char *nl = memchr(text + p, '\n', runs[r].end - p);
      uint32_t end = nl ? (uint32_t)(nl - text) : runs[r].end;
      uint32_t at = p;
      while (at < end && text[at] != '#')
        at++;
      uint32_t stop = end;
      if (stop > at && text[stop - 1] == '\r')
        stop--;
      if (at < end)
        al_extract__comment(x, al_linemap_row(&x->facts->lines, at), at - p, at,
                            (al_str){text + at, stop - at});
      p = end + 1;
    }
  }
  // The tree's comments came first: merge (both parts are in order).
  if (x->facts->comments.len > before && before > 0)
    qsort(x->facts->comments.items, x->facts->comments.len, sizeof(al_comment),
          cmp_comment);
}
