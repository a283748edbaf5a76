// SPDX-License-Identifier: MIT
/*
 * The language server's re-checks (al_run_opts.previous): the check
 * before kept its findings and the dependencies its index and rules
 * recorded (model/deps.h), in memory. When the new check has the same
 * files under the same module names, only the files whose results can
 * have changed are checked again: those whose text changed, those
 * depending on one of them (transitively), and the files watching a name
 * a changed file now calls more often. The others' findings are the
 * previous check's. Otherwise every file is checked.
 */
#ifndef AL_CLI_RECHECK_H
#define AL_CLI_RECHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/run.h"

/**
 * After out's index is built, with now the dependencies its build
 * recorded: which linted files the rules must check (malloc'd), or NULL
 * for all.
 */
bool *al_recheck_affected(al_run_result *prev, const al_run_result *out,
                          const al_deps *now);

/** Append prev's findings of linted file `file` (one al_recheck_affected
 * left out) to into, strings in arena. Thread-safe for distinct `into`. */
void al_recheck_restore(const al_run_result *prev, uint32_t file,
                        al_diag_list *into, al_arena *arena);

/** A file left out keeps the dependencies of the check that checked it:
 * prev's edges of the files check leaves out, added to now. */
void al_recheck_carry(al_run_result *prev, const bool *check, uint32_t n,
                      al_deps *now);

#endif
