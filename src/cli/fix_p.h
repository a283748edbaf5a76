// SPDX-License-Identifier: MIT
/*
 * Private to cli/: what add_noqa.c needs of the fixer (fix.c) to put its
 * edits through the same reading, checking and writing as the fixes.
 */
#ifndef AL_CLI_FIX_P_H
#define AL_CLI_FIX_P_H

#include "cli/fix.h"

/**
 * The decoded text the edits of file pf apply to (*text, *len; valid until
 * the next edit of that file or arena's end), or false when pf is never
 * written (syntax error, unreadable, changed since it was linted).
 */
bool al_fixer__text(al_fixer *self, const al_project_file *pf, al_arena *arena,
                    const char **text, uint32_t *len);

/**
 * Apply the fixes of diags[0..n) (all of file pf, sorted by position) to
 * the fixer's copy of its text, as a --fix pass does. Returns how many were
 * applied.
 */
uint32_t al_fixer__apply(al_fixer *self, const al_project_file *pf,
                         const al_diag *const *diags, uint32_t n);

#endif
