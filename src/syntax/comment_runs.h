// SPDX-License-Identifier: MIT
/*
 * Long runs of comment lines, kept away from the parser.
 *
 * tree-sitter-python's external scanner, at each line end where
 * indentation matters, skips every comment line that follows to find the
 * next line's indentation; the comments are then lexed one by one, and
 * each one's line end starts the skip again. A run of n comment lines
 * after an indented block costs O(n^2): 2,000 lines take 1.7 s, 5,000 about
 * 27 s. A run of more than AL_COMMENT_RUN_MAX comment lines is handed to
 * the parser blanked (every byte but the line ends a space: the offsets,
 * rows and columns stay), and the extraction reads the suppression
 * comments of those lines by a line scan instead.
 *
 * Which lines are comments is decided by a small line lexer that follows
 * strings (a `#` line inside a triple-quoted string is text, not a
 * comment) and bracket depth; when it cannot be sure, it blanks nothing.
 */
#ifndef AL_SYNTAX_COMMENT_RUNS_H
#define AL_SYNTAX_COMMENT_RUNS_H

#include <stdint.h>

/** Runs of more comment lines than this are blanked. */
#define AL_COMMENT_RUN_MAX 64

/** A byte range [start, end) of the text. */
typedef struct {
  uint32_t start, end;
} al_byte_range;

/**
 * A copy of text (malloc'd) with each long run of comment lines blanked,
 * or NULL when there is none. *runs (malloc'd, NULL when none) and
 * *n_runs: the blanked ranges, in order, each a whole number of lines.
 */
char *al_blank_comment_runs(const char *text, uint32_t len,
                            al_byte_range **runs, uint32_t *n_runs);

#endif
