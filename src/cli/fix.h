// SPDX-License-Identifier: MIT
/*
 * --fix, --unsafe-fixes and --diff over a lint run: passes of al_run, each
 * applying the fixes of the previous one's findings (fix/fix.h) to the
 * files' text held in memory, until a pass changes nothing or
 * AL_FIX_MAX_PASSES is reached; then the changed files are written
 * atomically (mode kept), or printed as a unified diff, or for "-" the
 * fixed source goes to standard output. Files with syntax errors, files
 * that cannot be read and files outside the linted tree (libraries) are
 * never written.
 */
#ifndef AL_CLI_FIX_H
#define AL_CLI_FIX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/run.h"
#include "fix/fix.h"

typedef struct al_fixer al_fixer;

/** Whether a run applies fixes. */
typedef enum {
  AL_FIXES_FROM_CONFIG, // when the first path's config says `fix = true`
  AL_FIXES_ON,          // --fix, --diff
  AL_FIXES_OFF,         // --add-noqa: never, whatever the config says
} al_fixes_wanted;

/**
 * Lint with opts and, as wanted says, apply the fixes (unsafe ones too
 * with unsafe or the config's `unsafe-fixes`; only the config's fixable
 * rules), pass after pass. *res is the last pass's run: the findings left
 * in the fixed text. opts is modified (its overlay and standard input).
 * Returns the fixer to finish with al_fixer_finish and free with
 * al_fixer_free.
 */
al_fixer *al_fixer_run(al_run_result *res, al_run_opts *opts,
                       al_fixes_wanted wanted, bool unsafe);

/** Whether fixes were applied (AL_FIXES_ON, or the config's `fix`). */
bool al_fixer_active(const al_fixer *self);

/** The fixes the run offers (unsafe ones or not, fixable rules of res). */
al_fix_policy al_fixer_policy(const al_fixer *self, const al_run_result *res);

/** Fixes applied over all passes, all rules (*by_rule: per registry index,
 * owned by the fixer), or NULL. */
uint32_t al_fixer_count(const al_fixer *self, const uint32_t **by_rule);

/** Files whose text the fixes changed. */
uint32_t al_fixer_changed_files(const al_fixer *self);

/**
 * diff: print the unified diff of every changed file to out. Otherwise
 * write every changed file in place (atomically, mode kept) and print the
 * fixed source of "-" to out (its original text when nothing changed).
 * Problems go to stderr. Returns false when something could not be
 * written.
 */
bool al_fixer_finish(al_fixer *self, bool diff, FILE *out);

/**
 * --add-noqa (add_noqa.c): give every line of res's findings a
 * `# noqa: CODE...` (merged into the noqa list already there), in the
 * fixer's copies of the files; al_fixer_finish writes them. Returns the
 * lines changed.
 */
uint32_t al_fixer_add_noqa(al_fixer *self, const al_run_result *res);

/** Free the fixer; NULL is a no-op. */
void al_fixer_free(al_fixer *self);

#endif
