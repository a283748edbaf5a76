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
 * This module reads, writes and matches; the CLI decides when.
 */
#ifndef AL_CLI_BASELINE_H
#define AL_CLI_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "report/report.h"

/** The baseline format version written and accepted. */
#define AL_BASELINE_VERSION 1

typedef struct al_baseline al_baseline;

/**
 * Write items (with al_report_attach_source done) to path, atomically.
 * Returns false with errno set on failure.
 */
bool al_baseline_write(const char *path, const al_report_item *items,
                       uint32_t n);

/**
 * Read the baseline at path. Returns NULL and fills err (a message such as
 * "line 3: ...") for a missing, unreadable or malformed file. Free with
 * al_baseline_free.
 */
al_baseline *al_baseline_read(const char *path, char *err, size_t err_size);

/**
 * Drop from items[0..*n) the findings the baseline lists, keeping the
 * order; *n is updated.
 */
void al_baseline_filter(const al_baseline *self, al_report_item *items,
                        uint32_t *n);

/** Free a baseline; NULL is a no-op. */
void al_baseline_free(al_baseline *self);

#endif
