// SPDX-License-Identifier: MIT
/*
 * Project scope (private to cli/): when the command-line paths lie inside a
 * project (the directory of the config file that applies, else the git
 * work tree's root; the work tree when the config is above it), the whole
 * project is read, so that the model is the
 * one a full run of it builds; only the named paths are linted. The files
 * added this way are context files of the project
 * (al_project_file.context): extracted (through the cache) and indexed,
 * never checked, so no finding points into them.
 */
#ifndef AL_CLI_SCOPE_H
#define AL_CLI_SCOPE_H

#include <stdint.h>

#include "base/arena.h"
#include "config/settings.h"
#include "model/project.h"

/** What the scope of one run is made from. */
typedef struct {
  const char *const *paths;           // the command-line paths other than "-"
  const al_settings *const *settings; // the settings of each
  uint32_t n_paths;
  bool project;                      // false: --no-project or --isolated
  bool want_stdin;                   // "-" is linted too
  const char *stdin_name;            // its --stdin-filename, or NULL
  const al_settings *stdin_settings; // the settings of "-"
} al_scope_in;

/**
 * The project root of path: the directory of the config file of s when
 * path lies under it, and the closest directory at or above path holding
 * `.git` (a directory or a file; not going up into a directory of
 * $GIT_CEILING_DIRECTORIES, as git does) when there is one below that
 * config's directory or no such config; NULL when there is neither.
 * Absolute, lexically normalised (arena).
 */
const char *al_scope_root(al_arena *arena, const al_settings *s,
                          const char *path);

/**
 * Set the project's roots (module names count from them; model/project.h)
 * and, when in->project, append every Python file of the named paths'
 * projects that is not among the project's files yet (nor the file "-"
 * stands for) as a context file, found with the walk options of the path
 * whose project it is. Call after the named files were added; the caller
 * sorts. Problems met in that walk are not the run's: they are skipped.
 */
void al_scope_extend(al_project *project, al_arena *arena,
                     const al_scope_in *in);

#endif
