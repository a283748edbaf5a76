// SPDX-License-Identifier: MIT
/*
 * Files written atomically (--output-file, the baseline): a temporary file
 * in the target's directory, renamed over the target when complete, or
 * removed when not. Not thread-safe: opening reads the umask by setting it.
 */
#ifndef AL_BASE_ATOMIC_FILE_H
#define AL_BASE_ATOMIC_FILE_H

#include <stdbool.h>
#include <stdio.h>

/**
 * An output file written atomically: data goes to a temporary file in the
 * same directory, renamed over path by al_atomic_commit.
 */
typedef struct {
  FILE *fp;       // write here
  char *tmp_path; // malloc'd
  const char *path;
} al_atomic_file;

/** Open; false with errno set (ENOENT for a missing directory). */
bool al_atomic_open(al_atomic_file *self, const char *path);

/**
 * Close and rename into place when ok, else remove the temporary file.
 * Returns false with errno set when ok was true but closing or renaming
 * failed.
 */
bool al_atomic_commit(al_atomic_file *self, bool ok);

#endif
