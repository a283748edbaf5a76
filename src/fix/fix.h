// SPDX-License-Identifier: MIT
/*
 * The fix engine's pure parts: choosing the fixes of one file that can go
 * together, applying their edits to its text, checking the result still
 * parses, putting the text back into the file's own bytes (BOM, declared
 * encoding, line endings) and the unified diff --diff prints. Rules make
 * the fixes (rules/rule.h); cli/fix.c drives the passes over a run and does
 * the writing. Nothing here reads or writes files or prints.
 */
#ifndef AL_FIX_FIX_H
#define AL_FIX_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules/rule.h"

/** Passes of --fix at most (each pass re-lints what changed). */
#define AL_FIX_MAX_PASSES 10

/**
 * A copy of fix (its message, edits and contents) in arena; NULL for
 * NULL. Fixes live in the rule workers' arenas until al_run keeps them.
 */
const al_fix *al_fix_copy(al_arena *arena, const al_fix *fix);

/** Which fixes a run applies (--fix, --unsafe-fixes, fixable/unfixable). */
typedef struct {
  bool unsafe;         // unsafe fixes too
  const bool *fixable; // by registry index; NULL: every rule
} al_fix_policy;

/** Whether d has a fix that policy applies. */
bool al_fix_wanted(const al_diag *d, const al_fix_policy *policy);

/** What al_fix_apply did with each fix it was given. */
typedef enum {
  AL_FIX_WAITS,   // overlaps a fix taken earlier: for the next pass
  AL_FIX_APPLIED, // in the new text
  AL_FIX_BROKEN,  // would add a syntax error: dropped (a bug of its rule)
} al_fix_outcome;

/**
 * Apply to text[0..len) (decoded UTF-8, the text the fixes' offsets are
 * in) the fixes that do not overlap one another: fixes[] in the order
 * given, each taken unless one of its edits overlaps or touches at the
 * same offset an edit already taken. An edit deleting a comment up to the
 * end of its line also deletes the blanks before it, and the line when it
 * held nothing else. Every '\n' of inserted content
 * becomes newline ("\n" or "\r\n", the file's). When text parsed without
 * error and the result does not, the fixes are tried one at a time and
 * those that break the parse are marked AL_FIX_BROKEN. outcome[i] gets
 * each fix's fate. Returns the new text (malloc'd, NUL-terminated, *out_len
 * bytes; caller frees), or NULL when no fix was applied.
 */
char *al_fix_apply(const char *text, uint32_t len, const al_fix *const *fixes,
                   uint32_t n, const char *newline, al_fix_outcome *outcome,
                   uint32_t *out_len);

/** Whether text[0..len) parses without a syntax error. */
bool al_fix_parses(const char *text, uint32_t len);

/**
 * The file's bytes for new decoded text: re-encoded to encoding (the
 * declared one, NULL for UTF-8) and with a UTF-8 BOM when bom. Returns
 * malloc'd bytes (*out_len), or NULL when the text has characters the
 * encoding cannot hold or encoding is unknown to iconv. The caller checks
 * the result decodes back to text.
 */
char *al_fix_encode(const char *text, size_t len, const char *encoding,
                    bool bom, size_t *out_len);

/**
 * Print to out the unified diff (3 lines of context) turning a into b,
 * under `--- a/PATH` and `+++ b/PATH` headers (path relative, as patch -p1
 * and git apply want). Lines end where '\n' does; a last line without one
 * gets `\ No newline at end of file`. Returns false on a write error.
 */
bool al_fix_diff(FILE *out, const char *path, const char *a, size_t a_len,
                 const char *b, size_t b_len);

#endif
