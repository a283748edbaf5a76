// SPDX-License-Identifier: MIT
/*
 * Which modules of the Python environment a run reads (private to cli/):
 * the top-level modules the tree imports that it does not define and
 * reaches names through that the catalog does not know, then,
 * within each library, the modules its loaded files import at module level
 * (package __init__ re-exports, `from .x import y`, base classes), round
 * after round to a fixed point, within a budget of files and bytes. Each
 * module becomes a library file of the project (al_project_file.library),
 * appended after the tree's files; run.c extracts each round's files in
 * its worker pool, through the same cache as the tree's.
 */
#ifndef AL_CLI_LIBRARIES_H
#define AL_CLI_LIBRARIES_H

#include <stdint.h>

#include "base/arena.h"
#include "model/catalog.h"
#include "model/project.h"
#include "source/environment.h"

// What one run reads at most from the environment.
#define AL_LIBS_MAX_FILES 4000
#define AL_LIBS_MAX_BYTES (64u << 20)

typedef struct al_libs al_libs;

/** A loader for project (whose files [0, n_linted) are the tree's); paths
 * go to arena; catalog: what the run knows by hand (a library the tree
 * uses only through names it knows is not read). Free with al_libs_free. */
al_libs *al_libs_new(al_env *env, const al_catalog *catalog,
                     al_project *project, al_arena *arena, uint32_t max_files,
                     uint64_t max_bytes);

/**
 * Append to the project the environment's modules that the files [from,
 * to) of the project import (every file's facts extracted) and that are
 * not loaded yet. Returns how many were appended.
 */
uint32_t al_libs_load(al_libs *self, uint32_t from, uint32_t to);

/**
 * A hash of what the tree's files (their facts extracted) need from the
 * environment: the names they use through imports that the catalog does
 * not claim, in order, with the tree's paths and the budget. Equal hashes,
 * an unchanged environment and unchanged library files give the same
 * library files in the same order (cli/rerun.h saves them).
 */
uint64_t al_libs_tree_needs(al_libs *self);

/**
 * Append library module `module`, read from fs_path (size bytes), to the
 * project as al_libs_load would: the saved list of a run with the same
 * al_libs_tree_needs, instead of al_libs_load.
 */
void al_libs_add_saved(al_libs *self, const char *module, const char *fs_path,
                       uint64_t size);

/** Set the budget notice (that of the saved run the files came from). */
void al_libs_set_note(al_libs *self, const char *note);

/** The budget notice ("" until the budget is reached). */
const char *al_libs_note(const al_libs *self);

/** Files and bytes appended so far. */
void al_libs_read(const al_libs *self, uint32_t *files, uint64_t *bytes);

void al_libs_free(al_libs *self);

#endif
