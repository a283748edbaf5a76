// SPDX-License-Identifier: MIT
/*
 * The Python environment a run reads libraries from: which site
 * directories (--python-path, the config's python-path, else the
 * virtualenv of $VIRTUAL_ENV or a .venv / venv beside the project), and
 * where a dotted module's file is in them (PEP 561 *-stubs packages first,
 * .pyi before .py). It only looks at the file system: it never runs
 * Python, never lists a directory it does not need (the lib/ of a venv),
 * and reads no module; what to load is the caller's (cli/libraries.c).
 */
#ifndef AL_SOURCE_ENVIRONMENT_H
#define AL_SOURCE_ENVIRONMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/vec.h"

typedef struct al_env_memo al_env_memo;

typedef struct {
  al_vec(char *) dirs; // site directories that exist, in search order; owned
  char note[600];      // a notice for stderr ("" when none)
  al_env_memo *memo;   // what module lookups learnt of the directories
} al_env;

typedef struct {
  const char *const *paths; // --python-path / python-path, already absolute
  uint32_t n_paths;         // or relative to the current directory
  bool given;               // paths were given (even none: turned off)
  const char *config_dir;   // directory of the project's config, or NULL
  const char *first_path;   // the first path linted, or NULL
} al_env_opts;

/**
 * Find the environment. With o->given, o->paths are the site directories
 * (a virtualenv directory, one with a pyvenv.cfg, stands for its site
 * directories); else $VIRTUAL_ENV, else a .venv or venv directory in the
 * config's directory, the first path (a directory) or the first path's
 * parent. A directory that is missing or unreadable is left out, with a
 * notice when it was named explicitly. Free with al_env_free.
 */
void al_env_find(al_env *env, const al_env_opts *o);

/** Free the directory list and the lookups' memo. */
void al_env_free(al_env *env);

/**
 * The file of the dotted module `name` in the environment's directories
 * (malloc'd), or NULL: for each directory in order, NAME-stubs/ before
 * NAME/ for the top-level package, and X/__init__.pyi, X.pyi,
 * X/__init__.py, X.py for the module itself. Only regular files count
 * (a FIFO or a dangling or looping symlink is no module). *size gets its
 * size in bytes. Lookups are memoised in env for the run: whether a
 * top-level `-stubs` directory exists, and the names in each package
 * directory looked into (read once), so only a file that is there is
 * stat'ed; a run does not see directories change under it.
 */
char *al_env_module_file(al_env *env, const char *name, bool *is_init,
                         uint64_t *size);

/**
 * The package directories module lookups listed so far (their names
 * decided what exists below the site directories): up to cap of them into
 * dirs (owned by env), in the order listed. Returns how many there are.
 */
uint32_t al_env_listed(const al_env *env, const char **dirs, uint32_t cap);

#endif
