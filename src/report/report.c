// SPDX-License-Identifier: MIT
/*
 * The report stage's driver: ordering and de-duplicating diagnostics,
 * turning them into printable items, and the table of output formats. It
 * does not print (each format's file does) and does not decide which
 * diagnostics exist (rules and suppress/ do).
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

// Every output format, one line each: the name users type and the writer
// al_report_<name> (declared in report.h, defined in report/<name>.c).
#define FORMATS                                                                \
  FORMAT(text)                                                                 \
  FORMAT(json)                                                                 \
  FORMAT(sarif)                                                                \
  FORMAT(github)

static const struct {
  const char *name;
  al_report_writer write;
} formats[] = {
#define FORMAT(n) {#n, al_report_##n},
    FORMATS
#undef FORMAT
};

// ", text, json": the names joined at compile time; callers skip the first
// separator.
#define FORMAT(n) ", " #n
static const char format_names[] = FORMATS;
#undef FORMAT

al_report_writer al_report_find_format(const char *name) {
  if (!name)
    return NULL;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(formats[i].name, name) == 0)
      return formats[i].write;
  return NULL;
}

const char *al_report_format_names(void) { return format_names + 2; }

// qsort's comparator has no context argument in C11, so the project it
// needs for paths is parked here for the duration of one al_report_sort.
// The report stage runs single-threaded, which makes this safe.
static const al_project *sort_project;

static const char *diag_path(const al_diag *d) {
  return vec_get(&sort_project->files, d->file)->path;
}

static const char *diag_code(const al_diag *d) {
  return d->rule && d->rule->code ? d->rule->code : "";
}

static const char *diag_message(const al_diag *d) {
  return d->message ? d->message : "";
}

static int cmp_u32(uint32_t a, uint32_t b) { return (a > b) - (a < b); }

// The key that decides duplicates: path, file, start, code, message. The
// file index after the path keeps each file's diagnostics contiguous even if
// two files share a display path, so duplicates are always neighbours.
static int compare_key(const al_diag *a, const al_diag *b) {
  int c;
  if (a->file != b->file) {
    if ((c = strcmp(diag_path(a), diag_path(b))))
      return c;
    return cmp_u32(a->file, b->file);
  }
  if ((c = cmp_u32(a->range.start_row, b->range.start_row)))
    return c;
  // Byte columns order like code-point columns within one line.
  if ((c = cmp_u32(a->range.start_col, b->range.start_col)))
    return c;
  if ((c = strcmp(diag_code(a), diag_code(b))))
    return c;
  return strcmp(diag_message(a), diag_message(b));
}

static int compare_diags(const void *pa, const void *pb) {
  const al_diag *a = pa, *b = pb;
  int c = compare_key(a, b);
  if (c)
    return c;
  // Not part of the duplicate key, only there so that qsort's instability
  // cannot change which duplicate survives from one run to the next.
  if ((c = cmp_u32(a->range.end_row, b->range.end_row)))
    return c;
  return cmp_u32(a->range.end_col, b->range.end_col);
}

void al_report_sort(al_diag *diags, uint32_t *n, const al_project *project) {
  if (*n < 2)
    return;
  sort_project = project;
  qsort(diags, *n, sizeof *diags, compare_diags);
  uint32_t kept = 1;
  for (uint32_t i = 1; i < *n; i++) {
    // Codes are unique in the registry, so an equal code is the same rule.
    if (compare_key(&diags[kept - 1], &diags[i]) == 0)
      continue;
    diags[kept++] = diags[i];
  }
  sort_project = NULL;
  *n = kept;
}

void al_report_items(al_report_item *items, const al_diag *diags, uint32_t n,
                     const al_project *project) {
  // A file that was never extracted has no line map: positions stay in
  // bytes, which is exact for ASCII.
  static const al_linemap empty;
  for (uint32_t i = 0; i < n; i++) {
    const al_diag *d = &diags[i];
    const al_project_file *f = vec_get(&project->files, d->file);
    const al_linemap *map = f->facts ? &f->facts->lines : &empty;
    items[i] = (al_report_item){
        .path = f->path,
        .start = al_position_from_byte(map, d->range.start_row,
                                       d->range.start_col, d->range.start_byte),
        .end = al_position_from_byte(map, d->range.end_row, d->range.end_col,
                                     d->range.end_byte),
        .rule = d->rule,
        .message = diag_message(d),
        .fix = al_fix_usable(d->fix) ? d->fix : NULL,
        .lines = map,
    };
  }
}
