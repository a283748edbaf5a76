// SPDX-License-Identifier: MIT
/*
 * Expanding the command line's paths into the list of Python files to lint.
 *
 * Directories are walked recursively for `*.py` (and `*.pyi`), skipping the
 * default excludes of DESIGN.md unless replaced by --exclude, plus
 * --extend-exclude globs; entries are visited in byte order of their names so
 * the list is deterministic. A file named explicitly is always linted, whatever
 * its name or the excludes. Symlinked directories are followed, but a
 * directory (device, inode) is never entered twice, so loops end. Inside a
 * git work tree, .gitignore files (and .git/info/exclude) can be honoured
 * too; they are the only files this module reads.
 */
#ifndef AL_SOURCE_DISCOVER_H
#define AL_SOURCE_DISCOVER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/vec.h"

/** One file found. */
typedef struct {
  const char *path; // display path: the argument joined with the relative
                    // path, "./" prefixes dropped; owned by the arena
  bool explicit_;   // named on the command line
  uint32_t arg;     // index of the command-line path it was found under
} al_found_file;

/** A path that could not be walked (missing, unreadable directory). */
typedef struct {
  const char *path;    // display path; arena
  const char *message; // "No such file or directory"; arena
  bool explicit_;      // the path was named on the command line
} al_found_problem;

/**
 * Exclude globs are matched against an entry's name and its display path,
 * except globs starting with '/', which are matched against its absolute
 * path (lexically normalised; config files anchor their globs that way).
 */
typedef struct {
  const char *const *exclude; // replaces the defaults when non-NULL
  uint32_t n_exclude;
  const char *const *extend_exclude; // added to the excludes
  uint32_t n_extend_exclude;
  bool respect_gitignore; // skip what git ignores, in git work trees
} al_discover_opts;

typedef struct {
  al_vec(al_found_file) files;       // sorted by path, no duplicates
  al_vec(al_found_problem) problems; // in the order met
} al_discovery;

/** The default exclude globs (NULL-terminated). */
extern const char *const al_default_excludes[];

/**
 * Walk paths (n of them) into out, allocating strings from arena.
 * out must be zeroed; free its vectors with al_discovery_free.
 */
void al_discover(al_discovery *out, al_arena *arena, const char *const *paths,
                 uint32_t n, const al_discover_opts *opts);

/**
 * Like al_discover, but path i is walked with opts[i]. A file reachable
 * from several paths is listed once, under the first of them (its arg).
 */
void al_discover_each(al_discovery *out, al_arena *arena,
                      const char *const *paths,
                      const al_discover_opts *const *opts, uint32_t n);

/**
 * Whether a gitignore pattern (one line of a .gitignore, already known not
 * to be blank or a comment) ignores path, which is relative to the
 * .gitignore's directory; is_dir tells whether path is a directory. Sets
 * *negated for a '!' pattern (a match then means "not ignored"). Exposed
 * for tests.
 */
bool al_gitignore_match(const char *pattern, const char *path, bool is_dir,
                        bool *negated);

/** Free the vectors of a discovery (strings live in the arena). */
void al_discovery_free(al_discovery *self);

/**
 * Whether a path is excluded: a glob (fnmatch, '*' crossing '/') matches its
 * last component or the whole path. Exposed for tests.
 */
bool al_discover_is_excluded(const char *path, const al_discover_opts *opts);

#endif
