// SPDX-License-Identifier: MIT
/*
 * UTF-8 byte classes shared by decoding (file.c), the line map (position.c)
 * and JSON output (report/json.c): how long a sequence its lead byte says
 * and which second bytes it allows (Unicode Table 3-7, RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), and skipping
 * ASCII eight bytes at a time. Inline: file.c runs them over every byte
 * it reads. Nothing here decodes or allocates.
 */
#ifndef AL_SOURCE_UTF8_H
#define AL_SOURCE_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * The length (2 to 4) of the UTF-8 sequence that byte c leads, with the
 * allowed range [*lo, *hi] of its second byte (the others are 0x80-0xBF);
 * 0 when c cannot lead one (ASCII, a continuation byte, C0, C1, F5-FF).
 */
static inline size_t al_utf8_lead(unsigned char c, unsigned char *lo,
                                  unsigned char *hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    return 2;
  if (c >= 0xE0 && c <= 0xEF) {
    if (c == 0xE0)
      *lo = 0xA0; // overlong
    else if (c == 0xED)
      *hi = 0x9F; // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (c == 0xF0)
      *lo = 0x90; // overlong
    else if (c == 0xF4)
      *hi = 0x8F; // above U+10FFFF
    return 4;
  }
  return 0;
}

/** The first index from i on (len when none) whose byte is not ASCII. */
static inline size_t al_utf8_skip_ascii(const unsigned char *s, size_t i,
                                        size_t len) {
  // Most source is ASCII: eight bytes at a time.
  while (i + 8 <= len) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ull)
      break;
    i += 8;
  }
  while (i < len && s[i] < 0x80)
    i++;
  return i;
}

#endif
