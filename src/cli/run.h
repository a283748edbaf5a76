// SPDX-License-Identifier: MIT
/*
 * Driving one lint run through the pipeline: discover -> read -> parse ->
 * extract (worker pool) -> index -> rules (worker pool) -> suppress -> sort.
 * Returns data; printing is the caller's (cli/main or a test). This is also
 * the in-process entry point of the fixture runner and the fuzzers.
 */
#ifndef AL_CLI_RUN_H
#define AL_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "config/settings.h"
#include "facts/extract.h"
#include "model/catalog.h"
#include "model/deps.h"
#include "model/index.h"
#include "model/project.h"
#include "rules/rule.h"
#include "source/discover.h"

typedef struct {
  const char *const *paths; // "-" means standard input
  uint32_t n_paths;
  al_discover_opts discover;
  const char *stdin_filename; // display name for "-" (default "-")
  const char *stdin_bytes;    // when non-NULL, "-" reads these instead of fd 0
  size_t stdin_len;
  uint32_t threads;    // 0: the config's, else number of online cores
  const bool *enabled; // by registry index, fixed; NULL: from the config
                       // and the lists below (default rules without them)
  // Config files (config/settings.h): which apply, and the command line's
  // rule selection that is combined with theirs. discover above holds the
  // command line's --exclude / --extend-exclude.
  al_config_mode config_mode; // default: discover each path's config
  const char *config_file;    // AL_CONFIG_FILE
  const char *const *select;  // --select: replaces the config's select
  uint32_t n_select;
  const char *const *ignore; // --ignore: added to the config's
  uint32_t n_ignore;
  const char *const *extend_select; // --extend-select: added
  uint32_t n_extend_select;
  // The result cache (cache/cache.h). Off unless asked for, so that
  // in-process callers (tests, fuzzers) never write to the disk.
  bool cache; // read and write cached facts of files (not "-")
  // With the cache: also save this run's findings and stat data, and use
  // the last run's (cli/rerun.h): a file whose stat is unchanged is not
  // read, nothing changed is the saved findings, a change re-checks only
  // the files whose findings it can change. The command line's default.
  bool rerun;
  const char *cache_dir; // NULL: AL_CACHE_DIR_NAME in the project root, the
                         // directory of the config file of the first path
                         // (of --config FILE), else the current directory
  // The Python environment libraries are read from (source/environment.h).
  // Off unless asked for (in-process callers see the tree alone).
  bool environment;               // look for one (--python-path, the
                                  // config's python-path, else a venv)
  const char *const *python_path; // --python-path directories
  uint32_t n_python_path;         //
  bool python_path_given;         // --python-path or --no-python-path
  // The language server's open documents (server/): NULL elsewhere. Called
  // by the extraction workers for every file of the tree read from disk
  // (not "-"); returns the facts of the file's open buffer, extracted with
  // the worker's extractor x (owned by the run from then on), or NULL to
  // read the file as usual. Such facts are never cached.
  al_facts *(*overlay)(void *data, al_extractor *x, const char *fs_path);
  void *overlay_data;
  // The language server's facts of files it saw unchanged on disk since a
  // previous check (server/known.c): NULL elsewhere. Called by the
  // extraction workers for every file read from disk that overlay did not
  // give; returns facts handed over to the run (owned by it from then on),
  // or NULL to read the file as usual.
  al_facts *(*known)(void *data, const al_project_file *pf);
  void *known_data;
  // Files of the server's open buffers that are not on disk (yet): added
  // to the tree as if discovered; overlay gives their facts.
  const char *const *buffer_files;
  uint32_t n_buffer_files;
  // Project scope (cli/scope.h): the whole project of the named paths is
  // read and indexed, only the named paths are checked. Off unless asked
  // for (--no-project and --isolated turn it off on the command line).
  bool project;
  // Test seam: called after discovery, before any file is read (tests make
  // files vanish or change there). NULL in production.
  void (*after_discover)(void *data, const al_project *project);
  void *after_discover_data;
  // Test seam: nonzero: the workers take the files in an order shuffled
  // from this seed instead of path order (the output must not change).
  // 0 in production.
  uint32_t shuffle_seed;
  // --fix and --diff (cli/fix.c): the bytes a file has after the fixes of
  // earlier passes, or NULL when it has none (then it is read). Such a
  // file is extracted from those bytes and not cached.
  const char *(*pending_text)(void *data, const char *fs_path, size_t *len);
  void *pending_data;
  // The language server: keep what each file's results read (the result's
  // deps, model/deps.h), and the check before this one (kept with
  // record_deps; NULL: none), whose findings stand for the files whose
  // results cannot have changed since (cli/recheck.c).
  bool record_deps;
  struct al_run_result *previous;
} al_run_opts;

/** A path problem for the caller to print as `asynclint: path: message`. */
typedef struct {
  const char *path;
  const char *message;
  bool explicit_; // a command-line path: makes the exit code 2
} al_run_problem;

typedef struct al_run_result {
  al_project project; // files with their facts
  al_index *index;
  al_deps *deps; // with al_run_opts.record_deps: what each file's results
                 // read (freed by al_run_free), else NULL
  uint64_t config_hash; // of the config files that apply (cli/rerun.h)
  al_diag_list diags;   // sorted, suppressed ones removed
  al_vec(al_run_problem) problems;
  uint32_t files_checked;
  uint32_t files_with_problems;
  al_arena *arena;         // paths and messages
  bool config_failed;      // a config file is broken: nothing was linted
  al_error config_error;   // then: what and where (print, exit 2)
  al_catalog *catalog;     // extended by config files, or NULL (built-in)
  const char *stdin_bytes; // what "-" read (NULL: not linted or unreadable)
  size_t stdin_len;
  char *stdin_owned; // stdin_bytes when al_run read fd 0 itself; freed by
                     // al_run_free
  const char *cache_warning; // why the cache was skipped or not updated, as
                             // "DIR: reason" (arena), or NULL
  uint32_t cache_hits;       // files whose facts came from the cache
  uint32_t cache_writes;     // entries written
  uint32_t stat_trusted;     // files whose saved stat data held (not read)
  uint32_t stat_read;        // files read and hashed to compare
  bool restored;             // the findings are the saved run's, unchanged
  uint32_t rechecked;        // linted files the rules ran on
  // Phase times of al_run in seconds, wall (CLOCK_MONOTONIC) and CPU of the
  // whole process (CLOCK_PROCESS_CPUTIME_ID, all threads), for the hidden
  // --stats option and the benchmark (bench/): [AL_PHASE_*].
  // The environment's site directories read (absolute, arena), and the
  // notice about it for stderr, or NULL.
  const char *const *python_path;
  uint32_t n_python_path;
  const char *env_note;
  const char *budget_note; // the environment's budget was reached, or NULL
  uint32_t library_files;  // library modules read (not checked)
  uint64_t library_bytes;
  bool libraries_saved; // they were the saved run's list (cli/rerun.h)
  // Then: how the library files not read yet are read when a resolution
  // first reaches one (al_project.load_data; freed by al_run_free).
  struct al_run_lazy *lazy;
  double phase_wall[4];
  double phase_cpu[4];
  // The fix keys of the first path's config (cli/fix.c combines them with
  // the command line): `fix`, `unsafe-fixes`, and the rules whose fixes
  // are offered (`fixable` minus `unfixable`, by registry index; arena).
  bool config_fix;
  bool config_unsafe_fixes;
  const bool *fixable;
} al_run_result;

/** The phases timed in al_run_result (setup = config + discovery). */
enum {
  AL_PHASE_SETUP,   // config files, discovery, sorting the file list
  AL_PHASE_EXTRACT, // read + parse + extract, worker pool
  AL_PHASE_INDEX,   // the whole-tree index
  AL_PHASE_RULES,   // rules + suppression per file, worker pool, and the
                    // final merge and sort of the diagnostics
};

/** Run the pipeline. *out is zeroed first; free it with al_run_free. */
void al_run(al_run_result *out, const al_run_opts *opts);

/** Free everything the result owns. */
void al_run_free(al_run_result *self);

/** Number of online cores (at least 1). */
uint32_t al_run_default_threads(void);

#endif
