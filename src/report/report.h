// SPDX-License-Identifier: MIT
/*
 * The report stage: converting byte positions to 1-based code-point
 * positions, ordering diagnostics, and writing them in one of the output
 * formats. Each format is one file (text.c, json.c, ...) with one writer
 * function registered in the table of report.c, so SARIF or GitHub
 * annotations are one more file each. Only this stage and cli/ print.
 */
#ifndef AL_REPORT_REPORT_H
#define AL_REPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/project.h"
#include "rules/rule.h"
#include "source/position.h"

/** A 1-based line and a 1-based column counted in code points. */
typedef struct {
  uint32_t line;
  uint32_t column;
} al_position;

/**
 * THE conversion from tree-sitter's form (0-based row, byte column, and the
 * absolute byte offset of the point) to what users see. map is the file's
 * line map (multi-byte characters).
 */
al_position al_position_from_byte(const al_linemap *map, uint32_t row,
                                  uint32_t byte_col, uint32_t byte_offset);

/**
 * The position of a byte offset of the decoded text through map (the
 * start or end of a fix's edit).
 */
al_position al_position_of_byte(const al_linemap *map, uint32_t byte);

/** One diagnostic ready to print. */
typedef struct {
  const char *path;
  al_position start;
  al_position end;
  const al_rule *rule;
  const char *message;
  const al_fix *fix;       // the finding's fix, or NULL
  const al_linemap *lines; // the file's line map (fix positions), or NULL
  // Filled by al_report_attach_source; zero until then.
  al_str line;         // the start line's text without its line break; ptr
                       // NULL when the file could not be read again or has
                       // changed since it was linted
  const char *key;     // the start line's text, trimmed and with blank runs
                       // collapsed ("" when unknown): baseline and SARIF
                       // fingerprints use it instead of the line number
  uint32_t occurrence; // 0-based index among the file's items with the same
                       // code and key, in report order
} al_report_item;

/** A path that could not be linted (missing, unreadable directory). */
typedef struct {
  const char *path;
  const char *message;
  bool fatal; // a path named on the command line: the run exits 2
} al_report_problem;

/** What a writer gets: sorted items and the run's counts. */
typedef struct {
  const al_report_item *items;
  uint32_t n_items;
  uint32_t files_checked;
  uint32_t files_with_problems;
  const char *version;
  bool show_source; // text: the line and a caret line after each item
  const al_report_problem *problems; // SARIF: tool execution notifications
  uint32_t n_problems;
  bool execution_failed; // the run exits 2 (SARIF executionSuccessful)
  // The Python environment's site directories libraries were read from
  // (none: the output has no field for them).
  const char *const *python_path;
  uint32_t n_python_path;
  bool unsafe_fixes; // text: unsafe fixes are applied, so marked [*] too
} al_report_input;

/** A writer prints the whole report to out; returns false on write error. */
typedef bool (*al_report_writer)(FILE *out, const al_report_input *in);

/** The writer for a format name ("text", "json"), or NULL. */
al_report_writer al_report_find_format(const char *name);

/** Comma-separated list of format names, for --help and errors. */
const char *al_report_format_names(void);

/**
 * Sort diags (path, line, column, code, message) and drop exact duplicates
 * in place; *n is updated. files gives the paths.
 */
void al_report_sort(al_diag *diags, uint32_t *n, const al_project *project);

/**
 * Convert sorted diags into items (positions converted through each
 * file's line map). items must have room for n.
 */
void al_report_items(al_report_item *items, const al_diag *diags, uint32_t n,
                     const al_project *project);

/**
 * Read the files of items again (through source/file.h; standard input from
 * stdin_bytes) and fill each item's line, key and occurrence. A file that
 * cannot be read or no longer hashes as it did when linted gets no line and
 * an empty key. items are in al_report_items order, diags the matching
 * diags. Lines and keys are copied into arena.
 */
void al_report_attach_source(al_report_item *items, const al_diag *diags,
                             uint32_t n, const al_project *project,
                             const char *stdin_bytes, size_t stdin_len,
                             al_arena *arena);

/**
 * line trimmed, runs of blanks collapsed to one space; allocated in arena.
 */
const char *al_report_line_key(al_str line, al_arena *arena);

/**
 * --statistics: per rule, `COUNT  CODE  name` lines sorted by count (most
 * first) then code; as a JSON array when json is true.
 */
bool al_report_statistics(FILE *out, const al_report_input *in, bool json);

bool al_report_text(FILE *out, const al_report_input *in);
bool al_report_json(FILE *out, const al_report_input *in);
bool al_report_sarif(FILE *out, const al_report_input *in);
bool al_report_github(FILE *out, const al_report_input *in);

#endif
