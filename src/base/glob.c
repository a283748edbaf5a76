// SPDX-License-Identifier: MIT
/*
 * The glob matcher. The algorithm follows git's wildmatch: a left-to-right
 * walk that recurses at each star, with two abort results that cut the
 * search short (a star that failed to match the rest of the text at every
 * position cannot succeed at a later star either).
 */
#include "base/glob.h"

#include <string.h>

typedef enum { MATCH, NO_MATCH, ABORT_ALL, ABORT_TO_STARSTAR } result;

// Matches one bracket expression at *pp against ch; advances *pp past the
// closing ']'. Returns -1 for a malformed bracket (no closing ']'), else
// whether ch is in the set.
static int match_bracket(const char **pp, unsigned char ch, unsigned flags) {
  const char *p = *pp + 1; // past '['
  bool negate = false;
  if (*p == '!' || *p == '^') {
    negate = true;
    p++;
  }
  bool found = false;
  bool first = true;
  for (;; first = false) {
    unsigned char c = (unsigned char)*p;
    if (c == '\0')
      return -1;
    if (c == ']' && !first)
      break;
    if (c == '\\') {
      c = (unsigned char)*++p;
      if (c == '\0')
        return -1;
    }
    unsigned char lo = c, hi = c;
    if (p[1] == '-' && p[2] != ']' && p[2] != '\0') {
      p += 2;
      hi = (unsigned char)*p;
      if (hi == '\\') {
        hi = (unsigned char)*++p;
        if (hi == '\0')
          return -1;
      }
    }
    if (ch >= lo && ch <= hi)
      found = true;
    p++;
  }
  *pp = p; // at the closing ']'
  if ((flags & AL_GLOB_PATHNAME) && ch == '/')
    return 0;
  return found != negate;
}

static result dowild(const char *pattern, const char *p, const char *text,
                     unsigned flags) {
  for (; *p; text++, p++) {
    unsigned char pc = (unsigned char)*p, tc = (unsigned char)*text;
    if (tc == '\0' && pc != '*')
      return ABORT_ALL;
    switch (pc) {
    case '\\':
      pc = (unsigned char)*++p;
      if (pc == '\0')
        return NO_MATCH; // a trailing backslash matches nothing
      if (tc != pc)
        return NO_MATCH;
      continue;
    default:
      if (tc != pc)
        return NO_MATCH;
      continue;
    case '?':
      if ((flags & AL_GLOB_PATHNAME) && tc == '/')
        return NO_MATCH;
      continue;
    case '[': {
      int m = match_bracket(&p, tc, flags);
      if (m < 0) {
        // No closing ']': the '[' is an ordinary character.
        if (tc != '[')
          return NO_MATCH;
        continue;
      }
      if (!m)
        return NO_MATCH;
      continue;
    }
    case '*': {
      bool match_slash;
      if (p[1] == '*') {
        const char *before = p - 1;
        p++;
        while (p[1] == '*')
          p++;
        // p is at the last star of the run.
        if ((before < pattern || *before == '/') &&
            (p[1] == '\0' || p[1] == '/')) {
          // "**/" may match no directory at all.
          if (p[1] == '/' && dowild(pattern, p + 2, text, flags) == MATCH)
            return MATCH;
          match_slash = true;
        } else {
          match_slash = !(flags & AL_GLOB_PATHNAME);
        }
      } else {
        match_slash = !(flags & AL_GLOB_PATHNAME);
      }
      p++; // past the stars
      if (*p == '\0') {
        // A trailing star matches the rest, within the component unless
        // it may match slashes.
        if (!match_slash && strchr(text, '/'))
          return NO_MATCH;
        return MATCH;
      }
      if (!match_slash && *p == '/') {
        // "*/" in pathname mode: the star takes the rest of the component.
        const char *slash = strchr(text, '/');
        if (!slash)
          return NO_MATCH;
        text = slash;
        // The loop's increments step over the '/' in both strings.
        continue;
      }
      for (;; text++) {
        tc = (unsigned char)*text;
        if (tc == '\0')
          break;
        result r = dowild(pattern, p, text, flags);
        if (r != NO_MATCH) {
          if (!match_slash || r != ABORT_TO_STARSTAR)
            return r;
        } else if (!match_slash && tc == '/') {
          return ABORT_TO_STARSTAR;
        }
      }
      return ABORT_ALL;
    }
    }
  }
  return *text ? NO_MATCH : MATCH;
}

bool al_glob_match(const char *pattern, const char *text, unsigned flags) {
  // Fast paths for the common shapes (discovery tests every entry against
  // every exclude): a literal, and `*SUFFIX` without PATHNAME semantics.
  const char *special = strpbrk(pattern, "*?[\\");
  if (!special)
    return strcmp(pattern, text) == 0;
  if (special == pattern && pattern[0] == '*' && !(flags & AL_GLOB_PATHNAME) &&
      !strpbrk(pattern + 1, "*?[\\")) {
    size_t pl = strlen(pattern + 1), tl = strlen(text);
    return tl >= pl && memcmp(text + tl - pl, pattern + 1, pl) == 0;
  }
  return dowild(pattern, pattern, text, flags) == MATCH;
}
