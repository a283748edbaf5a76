// SPDX-License-Identifier: MIT
/*
 * --man-rules: a hidden developer command that prints the RULES section of
 * man/asynclint.1 as roff, from the same descriptors --explain prints. The
 * build splices its output into man/asynclint.1.in (man/build.py), so the
 * installed page and --explain cannot disagree. It does not print the rest
 * of the page, which is written by hand in the template.
 *
 * The doc strings follow the --explain layout: a heading at column 0 (What
 * it does, Why is this bad?, Example, Use instead), then lines indented by
 * two spaces. Prose is refilled by the formatter; Example and Use instead
 * are code and keep their lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli_p.h"
#include "rules/rule.h"

// Roff text for s[0..len): backslashes escaped, hyphens as \- where they are
// typed by the user (code, names: a plain `-` may render as U+2010 and then
// does not paste), non-ASCII as \[uXXXX] (groff without preconv reads
// Latin-1), and `...` spans in bold.
static void put_text(FILE *out, const char *s, size_t len, bool code) {
  bool bold = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\') {
      fputs("\\e", out);
    } else if (c == '-' && (code || bold)) {
      fputs("\\-", out);
    } else if (c == '`' && !code) {
      fputs(bold ? "\\fR" : "\\fB", out);
      bold = !bold;
    } else if (c < 0x80) {
      fputc(c, out);
    } else {
      // Decode one UTF-8 sequence; a broken one is shown as U+FFFD.
      uint32_t cp = 0xFFFD;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
      if (extra > 0 && i + (size_t)extra < len) {
        cp = c & (0x3F >> extra);
        for (int k = 1; k <= extra; k++)
          cp = (cp << 6) | ((unsigned char)s[i + (size_t)k] & 0x3F);
        i += (size_t)extra;
      }
      fprintf(out, "\\[u%04X]", (unsigned)cp);
    }
  }
  if (bold)
    fputs("\\fR", out);
}

// One input line of roff: a leading `.` or `'` would be read as a request.
static void put_line(FILE *out, const char *s, size_t len, bool code) {
  if (len && (s[0] == '.' || s[0] == '\''))
    fputs("\\&", out);
  put_text(out, s, len, code);
  fputc('\n', out);
}

static bool is_code_heading(const char *s, size_t len) {
  return (len == 7 && memcmp(s, "Example", 7) == 0) ||
         (len == 11 && memcmp(s, "Use instead", 11) == 0);
}

// The doc of one rule: each heading in italics, its body indented below it.
static void put_doc(FILE *out, const char *doc) {
  bool open = false, code = false, pending_blank = false;
  for (const char *p = doc; *p;) {
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *next = end ? end + 1 : p + len;
    if (len == 0) {
      pending_blank = open; // only between two lines of a body
    } else if (p[0] != ' ') {
      if (open)
        fputs(code ? ".EE\n.RE\n" : ".RE\n", out);
      code = is_code_heading(p, len);
      fputs(".PP\n\\fI", out);
      put_text(out, p, len, false);
      fputs(code ? "\\fR\n.RS 4\n.EX\n" : "\\fR\n.RS 4\n", out);
      open = true;
      pending_blank = false;
    } else {
      // Body lines carry a two-space indent that the .RS replaces.
      size_t skip = len >= 2 && p[1] == ' ' ? 2 : 1;
      if (pending_blank)
        fputs(code ? "\n" : ".PP\n", out);
      pending_blank = false;
      if (!open) {
        fputs(".PP\n", out);
        open = true;
      }
      put_line(out, p + skip, len - skip, code);
    }
    p = next;
  }
  if (open)
    fputs(code ? ".EE\n.RE\n" : ".RE\n", out);
}

int al_cli_man_rules(FILE *out) {
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  for (uint32_t i = 0; i < n; i++) {
    const al_rule *r = all[i];
    fprintf(out, ".SS %s ", r->code);
    put_text(out, r->name, strlen(r->name), true);
    fputc('\n', out);
    // The same facts, in the same words, as the head of --explain.
    fprintf(out, "Severity: %s", al_severity_name(r->severity));
    if (!r->default_on)
      fprintf(out, " (opt\\-in: enable with \\fB\\-\\-select %s\\fR)", r->code);
    fputs(".\n", out);
    if (r->equivalents && r->equivalents[0]) {
      fputs(".br\nEquivalents: ", out);
      put_text(out, r->equivalents, strlen(r->equivalents), true);
      fputs(".\n", out);
    }
    if (r->summary && r->summary[0]) {
      fputs(".br\nFlags: ", out);
      put_text(out, r->summary, strlen(r->summary), false);
      fputs(".\n", out);
    }
    put_doc(out, r->doc ? r->doc : "");
  }
  return AL_EXIT_CLEAN;
}
