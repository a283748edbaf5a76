// SPDX-License-Identifier: MIT
/*
 * --baseline FILE: the findings a project has accepted, so that only new
 * ones are reported. A finding is keyed by its path (normalised relative to
 * the current directory), rule code, the normalised text of its line and
 * the occurrence of that (code, text) pair in the file; line numbers are
 * not part of the key, so moving code around does not bring findings back.
 * The file is JSON (jansson):
 *   {"tool": "asynclint", "version": 1,
 *    "findings": [{"path": P, "code": C, "line": TEXT, "occurrence": N}]}
 * This module reads, writes and matches findings; it knows nothing of
 * how they are reported, and the CLI decides when (cli/output.c).
 */
#ifndef AL_SUPPRESS_BASELINE_H
#define AL_SUPPRESS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The baseline format version written and accepted. */
#define AL_BASELINE_VERSION 1

typedef struct al_baseline al_baseline;

/** A finding as the baseline keys it. The strings are the caller's. */
typedef struct {
  const char *path;    // as reported; this module normalises it
  const char *code;    // the rule code
  const char *line;    // the normalised line text ("" when unknown)
  uint32_t occurrence; // of (code, line) in the file, from 0
} al_baseline_finding;

/**
 * Write findings to path, atomically. Returns false with errno set on
 * failure.
 */
bool al_baseline_write(const char *path, const al_baseline_finding *findings,
                       uint32_t n);

/**
 * Read the baseline at path. Returns NULL and fills err (a message such as
 * "line 3: ...") for a missing, unreadable or malformed file. Free with
 * al_baseline_free.
 */
al_baseline *al_baseline_read(const char *path, char *err, size_t err_size);

/**
 * Set listed[i] to whether the baseline lists findings[i], for i < n.
 */
void al_baseline_match(const al_baseline *self,
                       const al_baseline_finding *findings, uint32_t n,
                       bool *listed);

/** Free a baseline; NULL is a no-op. */
void al_baseline_free(al_baseline *self);

#endif
