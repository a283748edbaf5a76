// SPDX-License-Identifier: MIT
/*
 * The report end of a lint run: items from the diagnostics, their source
 * lines when something needs them (--show-source, SARIF fingerprints, the
 * baseline), the baseline (write it, or drop what it lists), then
 * --statistics or the format's writer into standard output or an
 * --output-file written atomically, the summary line and the exit code.
 */
#include "cli/output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/atomic_file.h"
#include "suppress/baseline.h"

#define PROG "asynclint"

static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// Distinct files among sorted items (a file's items are contiguous).
static uint32_t count_files(const al_report_item *items, uint32_t n) {
  uint32_t files = 0;
  for (uint32_t i = 0; i < n; i++)
    if (i == 0 || strcmp(items[i].path, items[i - 1].path) != 0)
      files++;
  return files;
}

// The baseline's view of items (with al_report_attach_source done).
// Caller frees.
static al_baseline_finding *findings_of(const al_report_item *items,
                                        uint32_t n) {
  al_baseline_finding *f = al_xcalloc(n ? n : 1, sizeof *f);
  for (uint32_t i = 0; i < n; i++)
    f[i] = (al_baseline_finding){items[i].path, items[i].rule->code,
                                 items[i].key ? items[i].key : "",
                                 items[i].occurrence};
  return f;
}

// Drops from items[0..*n) the findings the baseline lists, keeping the
// order; *n is updated.
static void drop_listed(const al_baseline *b, al_report_item *items,
                        uint32_t *n) {
  al_baseline_finding *findings = findings_of(items, *n);
  bool *listed = al_xcalloc(*n ? *n : 1, sizeof *listed);
  al_baseline_match(b, findings, *n, listed);
  uint32_t kept = 0;
  for (uint32_t i = 0; i < *n; i++)
    if (!listed[i])
      items[kept++] = items[i];
  *n = kept;
  free(listed);
  free(findings);
}

static int write_baseline(const al_output_opts *o, const al_report_item *items,
                          uint32_t n, int code) {
  // Paths that could not be linted would leave their findings out, and
  // the first run against the baseline would report them as new.
  if (code == AL_EXIT_ERROR) {
    fprintf(stderr,
            PROG ": baseline %s not written: not every path could be "
                 "linted\n",
            o->baseline);
    return AL_EXIT_ERROR;
  }
  al_baseline_finding *findings = findings_of(items, n);
  bool written = al_baseline_write(o->baseline, findings, n);
  int e = errno;
  free(findings);
  if (!written) {
    fprintf(stderr, PROG ": cannot write %s: %s\n", o->baseline, strerror(e));
    return AL_EXIT_ERROR;
  }
  if (!o->quiet)
    fprintf(stderr, "Baseline written: %lu %s in %s\n", (unsigned long)n,
            n == 1 ? "finding" : "findings", o->baseline);
  return code;
}

int al_output_report(const al_output_opts *o, al_run_result *res, int code,
                     void (*summary)(uint32_t n, const al_run_result *res,
                                     void *data)) {
  uint32_t n = res->diags.len;
  al_report_item *items = al_xcalloc(n ? n : 1, sizeof *items);
  al_report_items(items, res->diags.items, n, &res->project);
  if (o->show_source || o->baseline || o->writer == al_report_sarif)
    al_report_attach_source(items, res->diags.items, n, &res->project,
                            res->stdin_bytes, res->stdin_len, res->arena);

  if (o->baseline) {
    if (o->update_baseline || !file_exists(o->baseline)) {
      code = write_baseline(o, items, n, code);
      free(items);
      return code;
    }
    char err[512];
    al_baseline *b = al_baseline_read(o->baseline, err, sizeof err);
    if (!b) {
      fprintf(stderr, PROG ": cannot read baseline %s: %s\n", o->baseline, err);
      free(items);
      return AL_EXIT_ERROR;
    }
    drop_listed(b, items, &n);
    al_baseline_free(b);
    res->files_with_problems = count_files(items, n);
  }

  al_report_problem *problems =
      al_xcalloc(res->problems.len ? res->problems.len : 1, sizeof *problems);
  for (uint32_t i = 0; i < res->problems.len; i++) {
    const al_run_problem *p = vec_get(&res->problems, i);
    problems[i] = (al_report_problem){p->path, p->message, p->explicit_};
  }
  al_report_input in = {
      .items = items,
      .n_items = n,
      .files_checked = res->files_checked,
      .files_with_problems = res->files_with_problems,
      .version = o->version,
      .show_source = o->show_source,
      .problems = problems,
      .n_problems = res->problems.len,
      .execution_failed = code == AL_EXIT_ERROR,
      .python_path = res->python_path,
      .n_python_path = res->n_python_path,
      .unsafe_fixes = o->unsafe_fixes,
  };

  FILE *out = o->stream ? o->stream : stdout;
  al_atomic_file file;
  if (o->output_file) {
    if (!al_atomic_open(&file, o->output_file)) {
      fprintf(stderr, PROG ": cannot write %s: %s\n", o->output_file,
              strerror(errno));
      free(problems);
      free(items);
      return AL_EXIT_ERROR;
    }
    out = file.fp;
  }
  errno = 0;
  bool written =
      o->statistics
          ? al_report_statistics(out, &in, o->writer == al_report_json)
          : o->writer(out, &in);
  int write_errno = errno;
  if (written && (fflush(out) != 0 || ferror(out))) {
    written = false;
    write_errno = errno;
  }
  if (o->output_file) {
    if (!al_atomic_commit(&file, written)) {
      written = false;
      write_errno = errno;
    }
  }
  if (!written) {
    // Do not print a summary for output the reader never got.
    if (o->output_file)
      fprintf(stderr, PROG ": cannot write %s: %s\n", o->output_file,
              write_errno ? strerror(write_errno) : "write error");
    else if (write_errno != EPIPE)
      fprintf(stderr, PROG ": cannot write the report: %s\n",
              write_errno ? strerror(write_errno) : "write error");
    code = AL_EXIT_ERROR;
  } else {
    // Also for JSON: the summary is on stderr, so stdout stays one document.
    if (!o->quiet && summary)
      summary(n, res, o->summary_data);
    if (code == AL_EXIT_CLEAN && n > 0 && !o->exit_zero)
      code = AL_EXIT_FINDINGS;
  }
  free(problems);
  free(items);
  return code;
}
