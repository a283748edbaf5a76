// SPDX-License-Identifier: MIT
/*
 * Lexical path normalisation (see path.h). Works on '/'-separated POSIX
 * paths only.
 */
#include "base/path.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Normalises src (absolute when it starts with '/') into a new arena string.
static char *normalise(al_arena *arena, const char *src) {
  size_t n = strlen(src);
  char *out = al_arena_alloc(arena, n + 2);
  bool abs = src[0] == '/';
  size_t len = 0;
  if (abs)
    out[len++] = '/';
  size_t base = len; // ".." never removes anything before this
  const char *p = src;
  while (*p) {
    while (*p == '/')
      p++;
    const char *start = p;
    while (*p && *p != '/')
      p++;
    size_t clen = (size_t)(p - start);
    if (clen == 0 || (clen == 1 && start[0] == '.'))
      continue;
    if (clen == 2 && start[0] == '.' && start[1] == '.') {
      // Remove the previous component unless there is none (or it is
      // itself a leading ".." of a relative path).
      size_t prev = len;
      while (prev > base && out[prev - 1] != '/')
        prev--;
      bool is_dotdot =
          len - prev == 2 && out[prev] == '.' && out[prev + 1] == '.';
      if (len > base && !is_dotdot) {
        len = prev > base ? prev - 1 : base;
        continue;
      }
      if (abs)
        continue; // "/.." is "/"
    }
    if (len > base)
      out[len++] = '/';
    memcpy(out + len, start, clen);
    len += clen;
  }
  out[len] = '\0';
  return out;
}

char *al_path_join(al_arena *arena, const char *dir, const char *rel) {
  if (rel[0] == '/' || !dir[0])
    return normalise(arena, rel);
  char *joined = al_arena_printf(arena, "%s/%s", dir, rel);
  return normalise(arena, joined);
}

char *al_path_absolute(al_arena *arena, const char *path) {
  if (path[0] == '/')
    return normalise(arena, path);
  char *cwd = getcwd(NULL, 0);
  if (!cwd)
    return normalise(arena, path);
  char *result = al_path_join(arena, cwd, path);
  free(cwd);
  return result;
}

char *al_path_parent(al_arena *arena, const char *abs) {
  const char *slash = strrchr(abs, '/');
  if (!slash || slash == abs)
    return al_arena_strndup(arena, "/", 1);
  return al_arena_strndup(arena, abs, (size_t)(slash - abs));
}

const char *al_path_display(al_arena *arena, const char *abs) {
  char *cwd = getcwd(NULL, 0);
  if (!cwd)
    return abs;
  const char *result = abs;
  size_t n = strlen(cwd);
  if (strcmp(cwd, "/") == 0 && abs[0] == '/' && abs[1])
    result = abs + 1;
  else if (strncmp(abs, cwd, n) == 0 && abs[n] == '/' && abs[n + 1])
    result = abs + n + 1;
  else if (strcmp(abs, cwd) == 0)
    result = ".";
  if (result != abs)
    result = al_arena_strndup(arena, result, strlen(result));
  free(cwd);
  return result;
}
