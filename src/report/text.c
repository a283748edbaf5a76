// SPDX-License-Identifier: MIT
/*
 * The default output format: one `path:line:col: CODE message` line per
 * diagnostic, the exact form of the diagnostic contract. With --show-source
 * each line is followed, ruff-style, by the flagged source line and a caret
 * line under the span (carets count characters; tabs before the span are
 * kept so the carets line up wherever the terminal's tab stops are). It
 * prints no summary (the CLI writes that to stderr) and no colours.
 */
#include "report/report.h"

#include <inttypes.h>

// Whether byte c starts a character (is not a UTF-8 continuation byte).
static bool starts_char(unsigned char c) { return (c & 0xC0) != 0x80; }

// Characters of line (code points; the text is valid UTF-8).
static uint32_t char_count(al_str line) {
  uint32_t n = 0;
  for (size_t i = 0; i < line.len; i++)
    n += starts_char((unsigned char)line.ptr[i]);
  return n;
}

static int digits(uint32_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

// The source block after a diagnostic:
//      |
//   74 |     audit(user)
//      |     ^^^^^^^^^^^
//      |
// followed by an empty line. Nothing when the line is unknown.
static bool show_source(FILE *out, const al_report_item *it) {
  if (!it->line.ptr)
    return true;
  al_str line = it->line;
  int w = digits(it->start.line);
  uint32_t chars = char_count(line);
  uint32_t start = it->start.column; // 1-based
  // Multi-line spans are underlined to the end of their first line.
  uint32_t end = it->end.line == it->start.line ? it->end.column : chars + 1;
  uint32_t carets = end > start ? end - start : 1;
  if (fprintf(out, "%*s |\n%" PRIu32 " | %.*s\n%*s | ", w, "", it->start.line,
              (int)line.len, line.ptr, w, "") < 0)
    return false;
  // Before the span: a tab stays a tab, any other character is one space.
  uint32_t col = 1;
  for (size_t i = 0; i < line.len && col < start; i++) {
    unsigned char c = (unsigned char)line.ptr[i];
    if (!starts_char(c))
      continue;
    if (putc(c == '\t' ? '\t' : ' ', out) == EOF)
      return false;
    col++;
  }
  for (; col < start; col++) // a span past the end of the line
    if (putc(' ', out) == EOF)
      return false;
  for (uint32_t i = 0; i < carets; i++)
    if (putc('^', out) == EOF)
      return false;
  return fprintf(out, "\n%*s |\n\n", w, "") >= 0;
}

bool al_report_text(FILE *out, const al_report_input *in) {
  for (uint32_t i = 0; i < in->n_items; i++) {
    const al_report_item *it = &in->items[i];
    // [*]: --fix (with the options of this run) would fix it, as in ruff.
    bool fixable =
        it->fix && (it->fix->applicability == AL_FIX_SAFE || in->unsafe_fixes);
    if (fprintf(out, "%s:%" PRIu32 ":%" PRIu32 ": %s %s%s\n", it->path,
                it->start.line, it->start.column, it->rule->code,
                fixable ? "[*] " : "", it->message) < 0)
      return false;
    if (in->show_source && !show_source(out, it))
      return false;
  }
  // The lines may still sit in the buffer: flush so that a full disk or a
  // closed pipe shows up here rather than being lost at exit.
  return fflush(out) == 0 && !ferror(out);
}
