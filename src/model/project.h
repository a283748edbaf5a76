// SPDX-License-Identifier: MIT
/*
 * The files of one run and their facts: what the index is built from and
 * what the report stage reads positions from. Owns the facts it holds.
 */
#ifndef AL_MODEL_PROJECT_H
#define AL_MODEL_PROJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/vec.h"
#include "facts/facts.h"

typedef struct {
  const char *path;    // display path (owned by the run's arena)
  const char *fs_path; // path for open(2); NULL for standard input
  bool explicit_;      // named on the command line
  // A file of the project outside the named paths (cli/scope.h): indexed
  // like the named ones, never checked.
  bool context;
  al_facts *facts; // owned; NULL until extracted
  // A library module read from the Python environment (cli/libraries.c):
  // indexed, never linted. module: its dotted name (arena), from its path
  // under its site directory; NULL for the tree's files.
  bool library;
  bool is_init;       // library: a package's __init__
  const char *module; // library: its dotted module name
  // library: facts NULL and not read yet; the index reads them through
  // al_project.load when a resolution first reaches the file.
  bool lazy;
} al_project_file;

typedef struct {
  al_vec(al_project_file) files; // sorted by display path
  // Absolute paths of the directories named on the command line: module
  // names of namespace packages (no __init__.py) are counted from them.
  al_vec(const char *) roots;
  // files[0, n_linted) are the tree's, sorted by display path; the library
  // modules of the environment follow (al_project_file.library).
  uint32_t n_linted;
  // Reads the facts of lazy file `file` (never NULL: an unreadable file
  // gets facts saying so). Called with load_data, from any thread, once
  // per file; NULL when no file is lazy.
  al_facts *(*load)(void *load_data, uint32_t file);
  void *load_data;
} al_project;

/** Free every file's facts and the vector. */
void al_project_free(al_project *self);

#endif
