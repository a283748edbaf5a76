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
  uint32_t threads;    // 0: number of online cores
  const bool *enabled; // by registry index; NULL: default rules
  // Test seam: called after discovery, before any file is read (tests make
  // files vanish or change there). NULL in production.
  void (*after_discover)(void *data, const al_project *project);
  void *after_discover_data;
} al_run_opts;

/** A path problem for the caller to print as `asynclint: path: message`. */
typedef struct {
  const char *path;
  const char *message;
  bool explicit_; // a command-line path: makes the exit code 2
} al_run_problem;

typedef struct {
  al_project project; // files with their facts
  al_index *index;
  al_diag_list diags; // sorted, suppressed ones removed
  al_vec(al_run_problem) problems;
  uint32_t files_checked;
  uint32_t files_with_problems;
  al_arena *arena; // paths and messages
} al_run_result;

/** Run the pipeline. *out is zeroed first; free it with al_run_free. */
void al_run(al_run_result *out, const al_run_opts *opts);

/** Free everything the result owns. */
void al_run_free(al_run_result *self);

/** Number of online cores (at least 1). */
uint32_t al_run_default_threads(void);

#endif
