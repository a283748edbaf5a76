// SPDX-License-Identifier: MIT
/*
 * Data files compiled into the binary (the queries/ .scm files and the library
 * catalog in catalog/), generated at build time by
 * src/tools/embed.c so the installed binary needs no data files.
 */
#ifndef AL_BASE_EMBEDDED_H
#define AL_BASE_EMBEDDED_H

#include <stdint.h>

typedef struct {
  const char *name; // path relative to the source root: "queries/imports.scm"
  const char *data; // the bytes, NUL-terminated
  uint32_t len;     // bytes without the NUL
} al_embedded_file;

extern const al_embedded_file al_embedded_files[];
extern const uint32_t al_embedded_count;

/** The embedded file with this name, or NULL. */
const al_embedded_file *al_embedded_find(const char *name);

#endif
