// SPDX-License-Identifier: MIT
/*
 * The line map: where the rows of a decoded text start, so that a byte
 * offset finds its row and byte column by a binary search, and where the
 * multi-byte UTF-8 characters stand, with a running count of their extra
 * bytes, so that a byte column can later become a code-point column
 * (report/position.c). Rows take two memchr passes (count, then fill);
 * characters one pass that skips ASCII eight bytes at a time, and pure
 * ASCII text allocates nothing for them.
 */
#include "source/position.h"

#include <string.h>

#include "source/utf8.h"

// Bytes in the sequence led by b; 1 for ASCII and for stray continuation
// bytes, which valid text does not contain.
static uint32_t sequence_length(unsigned char b) {
  if (b >= 0xF0)
    return 4;
  if (b >= 0xE0)
    return 3;
  if (b >= 0xC0)
    return 2;
  return 1;
}

static uint32_t skip_ascii(const char *text, uint32_t i, uint32_t len) {
  return (uint32_t)al_utf8_skip_ascii((const unsigned char *)text, i, len);
}

// Fills self->rows: the offset just past every '\n'.
static void build_rows(al_linemap *self, const char *text, uint32_t len) {
  uint32_t count = 0;
  const char *p = text, *end = text + len, *nl;
  while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
    count++;
    p = nl + 1;
  }
  if (count == 0)
    return;
  vec_reserve(&self->rows, count);
  p = text;
  while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
    p = nl + 1;
    self->rows.items[self->rows.len++] = (uint32_t)(p - text);
  }
}

void al_linemap_build(al_linemap *self, const char *text, uint32_t len) {
  // self may be uninitialised: build never reuses earlier storage (free a
  // map before building it again).
  self->wide.items = NULL;
  self->wide.len = self->wide.cap = 0;
  self->rows.items = NULL;
  self->rows.len = self->rows.cap = 0;
  build_rows(self, text, len);

  // Count first so the vector is allocated once, at its exact size.
  uint32_t count = 0;
  for (uint32_t i = skip_ascii(text, 0, len); i < len;
       i = skip_ascii(text, i, len)) {
    unsigned char b = (unsigned char)text[i];
    if (b >= 0xC0)
      count++;
    i += sequence_length(b);
  }
  if (count == 0)
    return;
  vec_reserve(&self->wide, count);

  uint32_t extra = 0;
  for (uint32_t i = skip_ascii(text, 0, len); i < len;
       i = skip_ascii(text, i, len)) {
    unsigned char b = (unsigned char)text[i];
    uint32_t n = sequence_length(b);
    if (n > 1) {
      // A sequence cut off by the end of the text counts what is there.
      uint32_t real = len - i < n ? len - i : n;
      extra += real - 1;
      self->wide.items[self->wide.len++] = (al_wide_char){i, extra};
    }
    i += n;
  }
}

uint32_t al_linemap_row(const al_linemap *self, uint32_t byte) {
  // The number of rows that start at or before byte.
  uint32_t lo = 0, hi = self->rows.len;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (self->rows.items[mid] <= byte)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

al_range al_linemap_range(const al_linemap *self, al_span span) {
  uint32_t start_row = al_linemap_row(self, span.start_byte);
  uint32_t end_row = al_linemap_row(self, span.end_byte);
  uint32_t start_line = start_row ? self->rows.items[start_row - 1] : 0;
  uint32_t end_line = end_row ? self->rows.items[end_row - 1] : 0;
  return (al_range){span.start_byte, span.end_byte,
                    start_row,       span.start_byte - start_line,
                    end_row,         span.end_byte - end_line};
}

void al_linemap_free(al_linemap *self) {
  if (!self)
    return;
  vec_free(&self->wide);
  vec_free(&self->rows);
}
