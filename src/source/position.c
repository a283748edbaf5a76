// SPDX-License-Identifier: MIT
/*
 * The line map: where the multi-byte UTF-8 characters of a decoded text
 * stand, with a running count of their extra bytes, so that a byte column
 * can later become a code-point column by a binary search. Building it is one
 * pass that skips ASCII eight bytes at a time; pure ASCII text allocates
 * nothing. This module does not convert positions (report/position.c does).
 */
#include "source/position.h"

#include <string.h>

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
  while (i + 8 <= len) {
    uint64_t w;
    memcpy(&w, text + i, 8);
    if (w & 0x8080808080808080ull)
      break;
    i += 8;
  }
  while (i < len && (unsigned char)text[i] < 0x80)
    i++;
  return i;
}

void al_linemap_build(al_linemap *self, const char *text, uint32_t len) {
  // self may be uninitialised: build never reuses earlier storage (free a
  // map before building it again).
  self->wide.items = NULL;
  self->wide.len = self->wide.cap = 0;

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

void al_linemap_free(al_linemap *self) {
  if (!self)
    return;
  vec_free(&self->wide);
}
