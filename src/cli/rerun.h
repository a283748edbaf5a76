// SPDX-License-Identifier: MIT
/*
 * Re-runs (issue 20): what a run saves for the next one over the same
 * tree, and how the next one uses it. Private to cli/.
 *
 * The saved state of a run lives in the result cache's directory
 * (DIR/state/<run key>), one per run key: a hash of the binary, the
 * command line's options that can change findings, the contents of the
 * config files that apply and the Python environment's directories. It
 * holds, for every linted file, its stat data (size, mtime in
 * nanoseconds, inode, device) and content key (the facts cache's key of
 * its bytes), its module name and its findings (after suppression, fixes
 * included); for every library module read, in load order, its stat data,
 * content key and module name; a hash of what the tree needed from the
 * environment (al_libs_tree_needs); the stat data of every site directory
 * and of every package directory the module lookups listed; and the
 * machine it was written on (hostname, boot id, absolute working
 * directory).
 *
 * The next run stats every file. A stat match on the same machine, for a
 * file not modified in or after the second the saved run started (git's
 * racy-file rule), is trusted: the file is neither read nor hashed.
 * Anything else is read and hashed; equal content is unchanged, and its
 * stat data is refreshed in the state. Then:
 *  - nothing changed (same files, same content, same libraries and
 *    directories): the findings come from the state; only the facts of
 *    the files with findings are read back (from the facts cache, for the
 *    report's positions and source lines). No index, no rules.
 *  - some files changed: unchanged files' facts come from the facts cache
 *    by their saved key (never read from disk), changed ones are
 *    extracted, the index is built whole, and the rules run only on the
 *    files whose findings can change; the others' findings are restored.
 *
 * Which files can change (al_rerun_affected): when the files and their
 * module names are those of the saved run, from the dependencies the
 * index recorded (model/deps.h): a file is re-checked when it changed or
 * when it depends, transitively, on a changed file (what its checking
 * read, and what the memos it read were computed from), or when a changed
 * file calls a name a guarded function's file watches. Each file's
 * dependencies are saved with the state (a file whose findings were
 * restored keeps those of the run that checked it).
 *
 * Otherwise (files added, removed or renamed, a module name that moved),
 * a sound over-approximation by module names, "files importing what changed,
 * transitively": every name the index's module table gave a file (its module
 * name and aliases: names counted from the command-line roots, dotted suffixes)
 * is saved. A file is re-checked when it changed (content, or its names), or
 * when it imports a name of a changed, added, removed or already re-checked
 * file: exactly (`from a.b import c` names a.b and a.b.c; the packages above a
 * module that is not the tree's too), or a package it reaches by
 * attribute (`import a.b` reaches anything under a, `from a import b`
 * anything under a.b) holding one; to a fixed point. A relative import
 * that cannot be resolved re-checks its file on any change; a changed
 * library or site directory re-checks everything. AL209/AL400 chains pass
 * only through imported modules, so their callers are importers too.
 *
 * Library files: one whose stat data are trusted is not read (its saved
 * key finds its facts); when the tree needs the same names, and the
 * directories and every library file are unchanged, the saved list is
 * loaded in its order without the loader's rounds (the loader is a
 * function of those inputs, so the files, and the model, are the same).
 *
 * A state that is missing, truncated, damaged (checksum) or does not parse
 * is a miss: the run behaves as without it and writes a new one.
 */
#ifndef AL_CLI_RERUN_H
#define AL_CLI_RERUN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "cache/cache.h"
#include "cli/run.h"
#include "config/settings.h"
#include "model/deps.h"
#include "rules/rule.h"

typedef struct al_rerun al_rerun;

/**
 * A hash of the config files that apply to the paths (each[0..n), and
 * extra, may be NULL): their paths and bytes.
 */
uint64_t al_rerun_config_hash(const al_settings *const *each, uint32_t n,
                              const al_settings *extra);

/**
 * Load the state saved under this run's key and stat the linted files of
 * project (files[0, n_linted), none of them standard input). env_dirs:
 * the site directories of the environment. Never NULL; free with
 * al_rerun_free.
 */
al_rerun *al_rerun_begin(al_cache *cache, const al_run_opts *opts,
                         const al_project *project, uint64_t config_hash,
                         const char *const *env_dirs, uint32_t n_env_dirs);

/**
 * When nothing changed since the saved run: fill out (diags, counts, the
 * facts of files with findings, the environment's figures) from the state
 * and return true. false: the caller runs the stages (out unchanged but
 * for facts set on files, which are valid).
 */
bool al_rerun_restore(al_rerun *self, al_cache *cache, al_run_result *out);

/**
 * The content key of linted file `file` as extraction read it (self NULL,
 * or a library file: nothing). Thread-safe for distinct files.
 */
void al_rerun_set_key(al_rerun *self, uint32_t file, const al_cache_key *key);

/** The content key of linted file `file` when already known, else NULL. */
const al_cache_key *al_rerun_key(const al_rerun *self, uint32_t file);

/**
 * After the index: which linted files the rules must check (malloc'd,
 * out->project.n_linted entries; the caller frees, after al_rerun_save),
 * or NULL for all. deps: what the index build recorded (NULL: none).
 */
bool *al_rerun_affected(al_rerun *self, const al_run_result *out,
                        const al_deps *deps);

/**
 * Append the saved findings of linted file `file` (one al_rerun_affected
 * left out) to into, as diagnostics of that file, strings in arena.
 * Thread-safe for distinct `into`.
 */
void al_rerun_restore_file(const al_rerun *self, uint32_t file,
                           al_diag_list *into, al_arena *arena);

/** Save the state of the finished run out (its diags sorted), with the
 * dependencies its index build and rules recorded (NULL: a restored run,
 * the saved ones stand). */
void al_rerun_save(al_rerun *self, al_cache *cache, const al_run_result *out,
                   al_deps *deps);

/**
 * Library files (issue 16 item 5). Make room for the content keys of
 * library files up to n_files (al_rerun_set_key / al_rerun_key take
 * them as they take a linted file's); call before extracting them.
 */
void al_rerun_lib_reserve(al_rerun *self, uint32_t n_files);

/**
 * The content key of the library file at fs_path when the saved run read
 * it and its stat data are trusted (as a linted file's are): it need not
 * be read or hashed. Not thread-safe (its first call indexes the state).
 */
bool al_rerun_lib_key(al_rerun *self, const char *fs_path, al_cache_key *key);

/** Record this run's al_libs_tree_needs (saved with the state). */
void al_rerun_set_lib_needs(al_rerun *self, uint64_t needs);

/**
 * The package directories the loader listed this run (al_env_listed;
 * copied): saved with their stat data, a later run's environment is
 * unchanged only if they are. Not called: the saved run's are kept (the
 * list of library files was the saved one, or nothing was loaded).
 */
void al_rerun_set_listed(al_rerun *self, const char **dirs, uint32_t n);

/** A library file of the saved run (strings owned by the rerun). */
typedef struct {
  const char *module;  // its module name
  const char *fs_path; // the path read
  uint64_t size;       // bytes
  al_cache_key key;    // content key
  bool unreadable;     // its facts say it could not be read
} al_rerun_lib;

typedef struct {
  const al_rerun_lib *libs; // in load order
  uint32_t n;
  const char *note; // the budget notice of that run ("" for none)
} al_rerun_libs;

/**
 * The library files of the saved run, when the loader would load exactly
 * them now: the tree needs the same (needs, al_libs_tree_needs, equal and
 * not 0), the site directories and every library file of that run are
 * unchanged (stat data trusted), and every entry is whole (a key, a
 * module name, no module twice). false: load as without a state.
 */
bool al_rerun_saved_libs(al_rerun *self, uint64_t needs, al_rerun_libs *out);

/** Files whose stat was trusted (not read) and files read to compare. */
void al_rerun_stats(const al_rerun *self, uint32_t *trusted, uint32_t *read);

/** Free. NULL is a no-op. */
void al_rerun_free(al_rerun *self);

#endif
