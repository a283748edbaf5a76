// SPDX-License-Identifier: MIT
/*
 * The configuration file: `asynclint.toml` (keys at the top level) or the
 * `[tool.asynclint]` table of `pyproject.toml`, read with the tree-sitter
 * TOML grammar (toml.h), checked key by key (unknown keys, wrong types and
 * bad rule selectors are errors with file:line:col), and found the way ruff
 * finds its own: walking up from a linted path to the closest directory
 * that has an asynclint.toml (preferred) or a pyproject.toml with a
 * [tool.asynclint] table. Globs are anchored at the config file's
 * directory. This module does not combine configs with the command line:
 * cli/run.c does, with the command line winning.
 */
#ifndef AL_CONFIG_CONFIG_H
#define AL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"

/** The most threads a run uses: the upper bound of `threads` in the config
 * file and of --threads, and the size of the worker pool's tables. */
#define AL_MAX_THREADS 256

/** A list of strings from the file (arena). */
typedef struct {
  const char *const *items;
  uint32_t len;
} al_config_list;

/** One per-file-ignores entry: files matching glob skip these rules. */
typedef struct {
  const char *glob;     // as written; matched against the file's name
  const char *abs_glob; // joined to the config directory; matched against
                        // the file's absolute path
  al_config_list selectors;
} al_per_file_ignore;

/** A parsed config file. Every pointer is owned by the loading arena. */
typedef struct {
  const char *path; // the file, for messages (relative to the current
                    // directory when under it)
  const char *dir;  // its directory: absolute, lexically normalised
  al_config_list select;
  bool has_select; // `select` given (even empty)
  al_config_list ignore;
  al_config_list extend_select;
  al_config_list exclude; // globs, anchored ones made absolute (see below)
  bool has_exclude;
  al_config_list extend_exclude;
  const al_per_file_ignore *per_file_ignores;
  uint32_t n_per_file_ignores;
  al_config_list blocking_calls;         // qualified names
  al_config_list coroutine_functions;    // qualified names
  al_config_list async_context_managers; // qualified names
  uint32_t threads;                      // 0: not set
  bool has_respect_gitignore;
  bool respect_gitignore; // when has_respect_gitignore
  // python-path: site directories libraries are read from, made absolute
  // (joined to dir); has_python_path even when empty (which turns the
  // environment off).
  al_config_list python_path;
  bool has_python_path;
  // The fixes (cli/fix.h): `fix` and `unsafe-fixes` turn on what --fix
  // and --unsafe-fixes do; `fixable` (every rule unless given; prefixes
  // match opt-in rules too) minus `unfixable` are the rules whose fixes
  // are offered.
  bool fix;
  bool unsafe_fixes;
  al_config_list fixable;
  bool has_fixable;
  al_config_list unfixable;
} al_config;

/**
 * Load one config file. A file named pyproject.toml is read from its
 * [tool.asynclint] table (*found is false when it has none); any other name
 * is read from the top level. Exclude globs come back ready for discover:
 * a glob with a '/' is joined to the config directory (absolute, so that
 * discover matches it against absolute paths); a glob without one is kept
 * (it matches names) and also joined, as ruff does. Returns false and fills
 * err on an unreadable file, a TOML error or a bad key or value.
 */
bool al_config_load(al_config *out, bool *found, al_arena *arena,
                    const char *path, al_error *err);

/**
 * al_config_load on bytes already in memory (len of them, no NUL needed):
 * path only names the file (pyproject.toml or not, messages, the directory
 * globs are anchored at); nothing is read from it. The fuzzer's entry point.
 */
bool al_config_load_text(al_config *out, bool *found, al_arena *arena,
                         const char *path, const char *text, uint32_t len,
                         al_error *err);

/** Config files already read, so that many paths share one parse. */
typedef struct al_config_cache al_config_cache;

/** An empty cache whose configs live in arena. Free with _free. */
al_config_cache *al_config_cache_new(al_arena *arena);

/** Free the cache (not the configs: they are the arena's). NULL: no-op. */
void al_config_cache_free(al_config_cache *self);

/**
 * Find and load the config for a linted path (a file or a directory; the
 * search starts at the directory itself or the file's directory). *out is
 * NULL when no directory up to the root has one. Returns false (err
 * filled) when the closest candidate file is broken.
 */
bool al_config_discover(al_config_cache *cache, const char *path,
                        const al_config **out, al_error *err);

/**
 * Whether a per-file-ignores entry applies to the file at abs_path
 * (absolute, normalised).
 */
bool al_per_file_ignore_matches(const al_per_file_ignore *self,
                                const char *abs_path);

/** The keys a config may set, NULL-terminated (for messages and docs). */
extern const char *const al_config_keys[];

#endif
