// SPDX-License-Identifier: MIT
/*
 * The report end of a lint run, after al_run: the baseline, --statistics,
 * --show-source, the chosen format, --output-file, the summary line and the
 * exit code. options.c parses the flags; this file acts on them.
 */
#ifndef AL_CLI_OUTPUT_H
#define AL_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/run.h"
#include "report/report.h"

typedef struct {
  al_report_writer writer; // the --format writer
  const char *output_file; // --output-file, or NULL for standard output
  const char *baseline;    // --baseline FILE, or NULL
  bool update_baseline;    // --update-baseline: rewrite it even if present
  bool statistics;         // --statistics
  bool exit_zero;          // --exit-zero
  bool show_source;        // --show-source
  bool quiet;              // no summary line
  const char *version;     // for the report
  FILE *stream;            // instead of standard output (NULL: stdout)
  bool unsafe_fixes;       // unsafe fixes are applied: marked [*] too
  void *summary_data;      // handed to the summary callback
} al_output_opts;

/**
 * Report res as opts say and return the exit code, given code, the one
 * path problems already decided (AL_EXIT_ERROR stays). summary, when not
 * NULL and not quiet, prints the summary line for the n diagnostics shown
 * (data: opts->summary_data).
 * May update res->files_with_problems (after the baseline).
 */
int al_output_report(const al_output_opts *opts, al_run_result *res, int code,
                     void (*summary)(uint32_t n, const al_run_result *res,
                                     void *data));

#endif
