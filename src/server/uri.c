// SPDX-License-Identifier: MIT
/*
 * file: URIs <-> paths (RFC 8089, the forms editors send: file:///abs and
 * file://localhost/abs, percent-encoded). Published diagnostics use the
 * client's own spelling of an open document's URI; other files get the URI
 * built here, which encodes everything but unreserved characters and '/'.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/str.h"
#include "server/server_p.h"

char *al_uri_from_path(const char *path) {
  static const char digits[] = "0123456789ABCDEF";
  size_t n = strlen(path);
  char *out = al_xmalloc(7 + 3 * n + 1), *o = out;
  memcpy(o, "file://", 7);
  o += 7;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    unsigned char c = *p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || strchr("-._~/", c)) {
      *o++ = (char)c;
    } else {
      *o++ = '%';
      *o++ = digits[c >> 4];
      *o++ = digits[c & 15];
    }
  }
  *o = '\0';
  return out;
}

// The path as it is on disk when it (or its directory) exists.
static char *resolve(char *path) {
  char *real = realpath(path, NULL);
  if (real) {
    free(path);
    return real;
  }
  char *slash = strrchr(path, '/');
  if (!slash || slash == path)
    return path;
  *slash = '\0';
  char *dir = realpath(path, NULL);
  *slash = '/';
  if (!dir)
    return path;
  size_t d = strlen(dir), b = strlen(slash);
  char *out = al_xmalloc(d + b + 1);
  memcpy(out, dir, d);
  memcpy(out + d, slash, b + 1);
  free(dir);
  free(path);
  return out;
}

char *al_uri_to_path(const char *uri) {
  if (strncmp(uri, "file://", 7) != 0)
    return NULL;
  const char *p = uri + 7;
  if (strncmp(p, "localhost/", 10) == 0)
    p += 9;
  if (*p != '/')
    return NULL; // another host, or not absolute
  size_t n = strcspn(p, "?#");
  char *out = al_xmalloc(n + 1), *o = out;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '%') {
      int hi = i + 2 < n ? al_hex_digit(p[i + 1]) : -1;
      int lo = hi >= 0 ? al_hex_digit(p[i + 2]) : -1;
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
        free(out);
        return NULL;
      }
      *o++ = (char)(hi * 16 + lo);
      i += 2;
    } else {
      *o++ = p[i];
    }
  }
  *o = '\0';
  if (strlen(out) >= PATH_MAX) {
    free(out);
    return NULL;
  }
  return resolve(out);
}
