// SPDX-License-Identifier: MIT
/*
 * Assertions and the error record that fallible functions fill.
 *
 * al_assert is active unless NDEBUG is defined (meson's b_ndebug=if-release
 * keeps it in debug and sanitizer builds). This module does not print
 * diagnostics of the linted code: those are al_diag data.
 */
#ifndef AL_BASE_ERROR_H
#define AL_BASE_ERROR_H

#include <stdint.h>

void al__assert_fail(const char *expr, const char *file, int line);
#ifdef NDEBUG
#define al_assert(e) ((void)0)
#else
#define al_assert(e) ((e) ? (void)0 : al__assert_fail(#e, __FILE__, __LINE__))
#endif

/** Exit codes of the program. */
typedef enum {
  AL_EXIT_CLEAN = 0,    // no diagnostics
  AL_EXIT_FINDINGS = 1, // diagnostics reported
  AL_EXIT_ERROR = 2,    // usage error, bad config, missing explicit path
} al_exit;

/** A problem with a path, option or config entry. */
typedef struct {
  char path[512];    // file the problem is in, "" when none
  uint32_t line;     // 1-based, 0 when unknown
  uint32_t column;   // 1-based, 0 when unknown
  char message[512]; // human-readable, no trailing newline
} al_error;

/** Fill err (if not NULL) with a printf-style message; returns false. */
_Bool al_error_set(al_error *err, const char *path, uint32_t line,
                   uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
