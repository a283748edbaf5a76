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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/baseline.h"

#define PROG "asynclint"

// Atomic files -----------------------------------------------------------

bool al_atomic_open(al_atomic_file *self, const char *path) {
  *self = (al_atomic_file){.path = path};
  // The temporary file sits next to the target, so the rename stays on one
  // file system and is atomic; a missing directory fails here (ENOENT).
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = path + dir_len;
  size_t size = strlen(path) + 16;
  self->tmp_path = al_xmalloc(size);
  snprintf(self->tmp_path, size, "%.*s.%s.XXXXXX", (int)dir_len, path, base);
  int fd = mkstemp(self->tmp_path);
  if (fd < 0) {
    free(self->tmp_path);
    self->tmp_path = NULL;
    return false;
  }
  // mkstemp makes the file 0600; a report is an ordinary file (0666 minus
  // the umask). The report stage is single-threaded, so reading the umask
  // by setting it is safe here.
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(self->fp = fdopen(fd, "w"))) {
    int e = errno;
    close(fd);
    unlink(self->tmp_path);
    free(self->tmp_path);
    self->tmp_path = NULL;
    errno = e;
    return false;
  }
  return true;
}

bool al_atomic_commit(al_atomic_file *self, bool ok) {
  errno = 0;
  bool closed = fclose(self->fp) == 0;
  int e = errno;
  bool done = ok && closed && rename(self->tmp_path, self->path) == 0;
  if (ok && closed && !done)
    e = errno;
  if (!done)
    unlink(self->tmp_path);
  free(self->tmp_path);
  self->tmp_path = NULL;
  self->fp = NULL;
  errno = e;
  return done || !ok;
}

// Reporting -------------------------------------------------------------

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
  if (!al_baseline_write(o->baseline, items, n)) {
    fprintf(stderr, PROG ": cannot write %s: %s\n", o->baseline,
            strerror(errno));
    return AL_EXIT_ERROR;
  }
  if (!o->quiet)
    fprintf(stderr, "Baseline written: %lu %s in %s\n", (unsigned long)n,
            n == 1 ? "finding" : "findings", o->baseline);
  return code;
}

int al_output_report(const al_output_opts *o, al_run_result *res, int code,
                     void (*summary)(uint32_t n, const al_run_result *res)) {
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
    al_baseline_filter(b, items, &n);
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
  };

  FILE *out = stdout;
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
      summary(n, res);
    if (code == AL_EXIT_CLEAN && n > 0 && !o->exit_zero)
      code = AL_EXIT_FINDINGS;
  }
  free(problems);
  free(items);
  return code;
}
