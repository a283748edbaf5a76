// SPDX-License-Identifier: MIT
/*
 * LSP positions <-> byte offsets (text.h). From the client: a walk over the
 * line's UTF-8. Towards the client: the line map's multi-byte characters
 * between the line start and the offset, whose extra bytes say their
 * length (3 extra: a 4-byte sequence, an astral character, two UTF-16
 * units).
 */
#include "server/text.h"

#include <string.h>

const char *al_lsp_encoding_name(al_lsp_encoding enc) {
  switch (enc) {
  case AL_ENC_UTF8:
    return "utf-8";
  case AL_ENC_UTF32:
    return "utf-32";
  case AL_ENC_UTF16:
  default:
    return "utf-16";
  }
}

// Bytes of the UTF-8 sequence led by c (a stray continuation byte: 1).
static uint32_t seq_len(unsigned char c) {
  if (c < 0xC0)
    return 1;
  if (c < 0xE0)
    return 2;
  if (c < 0xF0)
    return 3;
  return 4;
}

uint32_t al_lsp_offset(const char *text, uint32_t len, uint32_t line,
                       uint32_t character, al_lsp_encoding enc) {
  uint32_t at = 0;
  for (uint32_t l = 0; l < line; l++) {
    const char *nl = memchr(text + at, '\n', len - at);
    if (!nl)
      return len;
    at = (uint32_t)(nl - text) + 1;
  }
  const char *nl = memchr(text + at, '\n', len - at);
  uint32_t end = nl ? (uint32_t)(nl - text) : len;
  if (end > at && text[end - 1] == '\r')
    end--;
  uint32_t units = 0;
  while (at < end && units < character) {
    uint32_t n = seq_len((unsigned char)text[at]);
    uint32_t u = enc == AL_ENC_UTF8    ? n
                 : enc == AL_ENC_UTF32 ? 1
                 : n == 4              ? 2
                                       : 1;
    if (units + u > character)
      break; // inside this character: its start
    units += u;
    at += n;
  }
  return at < end ? at : end;
}

TSPoint al_lsp_point(const char *text, uint32_t offset) {
  return al_lsp_point_after((TSPoint){0, 0}, text, offset);
}

TSPoint al_lsp_point_after(TSPoint p, const char *text, uint32_t len) {
  const char *end = text + len, *line = text, *nl;
  while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
    p.row++;
    p.column = 0;
    line = nl + 1;
  }
  p.column += (uint32_t)(end - line);
  return p;
}

// The first multi-byte character at or after offset (binary search).
static uint32_t first_wide(const al_linemap *map, uint32_t offset) {
  uint32_t lo = 0, hi = map->wide.len;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (map->wide.items[mid].offset < offset)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

uint32_t al_lsp_character(const al_linemap *map, uint32_t byte_col,
                          uint32_t offset, al_lsp_encoding enc) {
  if (enc == AL_ENC_UTF8)
    return byte_col;
  uint32_t start = offset - byte_col, units = byte_col;
  for (uint32_t i = first_wide(map, start);
       i < map->wide.len && map->wide.items[i].offset < offset; i++) {
    uint32_t extra = map->wide.items[i].extra_sum -
                     (i ? map->wide.items[i - 1].extra_sum : 0);
    units -= extra; // one code point
    if (enc == AL_ENC_UTF16 && extra == 3)
      units++; // a surrogate pair
  }
  return units;
}
