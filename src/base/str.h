// SPDX-License-Identifier: MIT
/*
 * Byte slices. An al_str points into memory it does not own (the source
 * buffer, an arena, a string literal); converting to NUL-terminated strings
 * happens only at the edges (printing, libc calls).
 */
#ifndef AL_BASE_STR_H
#define AL_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
  const char *ptr; // not NUL-terminated in general; may be NULL when len == 0
  size_t len;
} al_str;

#define AL_STR_LIT(s) ((al_str){(s), sizeof(s) - 1})

static inline al_str al_str_from(const char *s) {
  return (al_str){s, s ? strlen(s) : 0};
}

static inline bool al_str_eq(al_str a, al_str b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool al_str_eq_c(al_str a, const char *b) {
  return al_str_eq(a, al_str_from(b));
}

static inline bool al_str_starts_with(al_str a, const char *prefix) {
  size_t n = strlen(prefix);
  return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

/** The value of hexadecimal digit c, or -1. */
static inline int al_hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/** Byte-wise three-way comparison (shorter prefix first). */
/** Where the last dotted part of a dotted name starts (0 without a dot). */
static inline size_t al_str_last_part(al_str s) {
  size_t dot = s.len;
  while (dot > 0 && s.ptr[dot - 1] != '.')
    dot--;
  return dot;
}

static inline int al_str_cmp(al_str a, al_str b) {
  size_t n = a.len < b.len ? a.len : b.len;
  int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
  if (c)
    return c;
  return (a.len > b.len) - (a.len < b.len);
}

/** FNV-1a hash of the bytes. */
static inline uint64_t al_str_hash(al_str s) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < s.len; i++) {
    h ^= (unsigned char)s.ptr[i];
    h *= 1099511628211ull;
  }
  return h;
}

#endif
