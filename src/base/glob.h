// SPDX-License-Identifier: MIT
/*
 * Shell-style glob matching for paths, in the two dialects asynclint reads:
 * gitignore patterns (AL_GLOB_PATHNAME: '*', '?' and brackets stop at '/')
 * and the exclude / per-file-ignores globs of the command line and the
 * config file ('*' crosses '/', as in ruff's globset). In both, '**' between
 * slashes (or at either end of the pattern next to a slash) matches zero or
 * more whole directories, and a backslash quotes the next character. POSIX
 * character classes ([:alpha:]) are not supported. This module knows
 * nothing about files: it compares strings.
 */
#ifndef AL_BASE_GLOB_H
#define AL_BASE_GLOB_H

#include <stdbool.h>

/** al_glob_match flags. */
enum {
  AL_GLOB_PATHNAME = 1 << 0, // wildcards other than '**' do not match '/'
};

/**
 * Whether text matches pattern (both NUL-terminated). Backtracking is bounded
 * as in git's wildmatch, so a pattern with many stars cannot take
 * exponential time; recursion depth is the number of stars in the pattern.
 */
bool al_glob_match(const char *pattern, const char *text, unsigned flags);

#endif
