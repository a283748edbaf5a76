// SPDX-License-Identifier: MIT
/*
 * The fixture runner: lints every fixture under FIXTURES_DIR in-process and
 * compares the diagnostics with the `# expect:` comments the fixtures carry,
 * printing TAP (one test per fixture) with a readable diff on mismatch. It
 * is stricter than the tool: a syntax error the fixture does not declare
 * with `# fixture: syntax-error` fails it, and so does any difference
 * between a 1-thread and a 2-thread run. With --meta it checks instead that
 * every registered rule is well named, documented, and has a fixture with
 * positive and negative cases and at least one pinned message. Output
 * formats and the command line are not tested here (fixtures/report and
 * fixtures/cli have their own runners).
 *
 * The grammar of an expectation, a comment on the line of the diagnostic:
 *
 *   # expect: CODE[@COL] ["MESSAGE"] [CODE[@COL] ["MESSAGE"]...]
 *
 * - COL is the 1-based column in code points; without it any column
 *   matches. Codes may be separated by spaces or commas.
 * - A quoted MESSAGE pins the message of the code before it: the produced
 *   message must equal it exactly (paths in it are relative to the source
 *   root, where meson runs this program). Inside the quotes `\"` is a quote
 *   and `\\` a backslash; no other escapes. Without a message any message
 *   matches.
 * - The list ends at the first word that is not CODE[@COL] or a message, so
 *   prose may follow. A malformed message (unterminated, a bad escape, no
 *   code before it) fails the fixture.
 * - Every diagnostic must be expected, and every expectation met; the most
 *   specific expectations (column and message) are matched first.
 * - A wrong message prints the expected and the actual message, quoted as
 *   an expectation would pin them, with a caret under the first difference.
 *
 * Usage: fixture_runner FIXTURES_DIR [--meta | PATH...]
 *   PATH...  run only these fixtures (a file or tree of FIXTURES_DIR/rules,
 *            or FIXTURES_DIR/demo; a file inside a tree runs its tree), as
 *            `./dev fixture PATH` does
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/str.h"
#include "base/vec.h"
#include "cli/run.h"
#include "facts/facts.h"
#include "model/project.h"
#include "report/report.h"
#include "rules/rule.h"
#include "source/discover.h"

// A single-file fixture's `# lint:` line must be within its first lines.
#define LINT_HEADER_LINES 10
// Longest code accepted in an expectation ("AL100" needs 6 with the NUL).
#define MAX_CODE 16

#define MARK_EXPECT "# expect:"
#define MARK_LINT "# lint:"
#define MARK_SYNTAX_ERROR "# fixture: syntax-error"
#define MARK_KNOWN_BUG "# fixture: known-bug"
#define MARK_NEGATIVES "# negatives"

typedef al_vec(char *) str_list; // malloc'd strings

// ---- Small helpers ----

static char *xprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    abort();
  char *s = al_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static void str_list_free(str_list *self) {
  for (uint32_t i = 0; i < self->len; i++)
    free(self->items[i]);
  vec_free(self);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_regular(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

// The last component of a path (no trailing slash expected).
static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

// First occurrence of needle in a byte slice that may hold NULs.
static const char *str_find(al_str hay, const char *needle) {
  size_t n = strlen(needle);
  if (n > hay.len)
    return NULL;
  for (size_t i = 0; i + n <= hay.len; i++)
    if (memcmp(hay.ptr + i, needle, n) == 0)
      return hay.ptr + i;
  return NULL;
}

static al_str str_trim_left(al_str s) {
  while (s.len && (*s.ptr == ' ' || *s.ptr == '\t' || *s.ptr == '\f')) {
    s.ptr++;
    s.len--;
  }
  return s;
}

// ---- Raw file contents ----

typedef struct {
  char *data; // malloc'd; not NUL-terminated in general
  size_t len;
} bytes;

// Read a whole file as raw bytes (fixtures may be invalid UTF-8 or hold NUL).
static bool bytes_read(bytes *out, const char *path) {
  *out = (bytes){0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  size_t cap = 4096, len = 0;
  char *data = al_xmalloc(cap);
  for (;;) {
    if (len == cap) {
      cap *= 2;
      data = al_xrealloc(data, cap);
    }
    size_t n = fread(data + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  bool ok = !ferror(f);
  fclose(f);
  if (!ok) {
    free(data);
    return false;
  }
  out->data = data;
  out->len = len;
  return true;
}

static void bytes_free(bytes *self) {
  free(self->data);
  *self = (bytes){0};
}

// The next line from *pos without its terminator. Lines end at \n, \r\n or a
// lone \r, as Python splits them (tree-sitter does not break on a lone \r,
// but asynclint reports Python's line numbers).
static bool next_line(const bytes *b, size_t *pos, al_str *line) {
  if (*pos >= b->len)
    return false;
  size_t start = *pos, i = start;
  while (i < b->len && b->data[i] != '\n' && b->data[i] != '\r')
    i++;
  *line = (al_str){b->data + start, i - start};
  if (i + 1 < b->len && b->data[i] == '\r' && b->data[i + 1] == '\n')
    i++;
  if (i < b->len)
    i++;
  *pos = i;
  return true;
}

static bool bytes_has_line_with(const bytes *b, const char *mark) {
  size_t pos = 0;
  al_str line;
  while (next_line(b, &pos, &line))
    if (str_find(line, mark))
      return true;
  return false;
}

// ---- Expectations ----

typedef struct {
  uint32_t file; // index into the run's project files
  uint32_t line; // 1-based
  uint32_t col;  // 1-based code points; 0 when any column matches
  char code[MAX_CODE];
  char *message; // malloc'd, unescaped; NULL when any message matches
  bool matched;
} expectation;

typedef al_vec(expectation) expectation_list;

static void expectation_list_free(expectation_list *self) {
  for (uint32_t i = 0; i < self->len; i++)
    free(self->items[i].message);
  vec_free(self);
}

// Parse one expectation token: CODE or CODE@COL, where CODE is capital
// letters followed by digits. Returns false for anything else, which ends
// the expectation list of the line.
static bool parse_token(al_str tok, char code[MAX_CODE], uint32_t *col) {
  if (tok.len && tok.ptr[tok.len - 1] == ',')
    tok.len--;
  size_t i = 0, letters = 0, digits = 0;
  while (i < tok.len && tok.ptr[i] >= 'A' && tok.ptr[i] <= 'Z')
    i++, letters++;
  while (i < tok.len && tok.ptr[i] >= '0' && tok.ptr[i] <= '9')
    i++, digits++;
  if (!letters || !digits || i >= MAX_CODE)
    return false;
  memcpy(code, tok.ptr, i);
  code[i] = '\0';
  *col = 0;
  if (i == tok.len)
    return true;
  if (tok.ptr[i] != '@' || i + 1 == tok.len)
    return false;
  uint32_t c = 0;
  for (i++; i < tok.len; i++) {
    if (tok.ptr[i] < '0' || tok.ptr[i] > '9' || c > 100000000u)
      return false;
    c = c * 10 + (uint32_t)(tok.ptr[i] - '0');
  }
  if (c == 0)
    return false;
  *col = c;
  return true;
}

// Parse a quoted message at the start of *s (which starts with '"'): `\"`
// stands for a quote and `\\` for a backslash, nothing else is escaped.
// Advances *s past the closing quote and an optional comma. On error returns
// NULL and sets *why.
static char *parse_message(al_str *s, const char **why) {
  char *out = al_xmalloc(s->len);
  size_t n = 0, i = 1;
  for (; i < s->len && s->ptr[i] != '"'; i++) {
    if (s->ptr[i] == '\\') {
      if (i + 1 == s->len || (s->ptr[i + 1] != '"' && s->ptr[i + 1] != '\\')) {
        *why = "a backslash in a message must be followed by \" or \\";
        free(out);
        return NULL;
      }
      i++;
    }
    out[n++] = s->ptr[i];
  }
  if (i == s->len) {
    *why = "unterminated message (no closing \")";
    free(out);
    return NULL;
  }
  out[n] = '\0';
  i++;
  if (i < s->len && s->ptr[i] == ',')
    i++;
  s->ptr += i;
  s->len -= i;
  return out;
}

// Append the expectations of one line (every `# expect:` on it). A quoted
// message pins the message of the code just before it. Malformed messages
// add a note naming path:lineno (notes may be NULL).
static void parse_expect_line(al_str line, uint32_t file, const char *path,
                              uint32_t lineno, expectation_list *out,
                              str_list *notes) {
  const char *mark;
  while ((mark = str_find(line, MARK_EXPECT))) {
    size_t skip = (size_t)(mark - line.ptr) + strlen(MARK_EXPECT);
    line.ptr += skip;
    line.len -= skip;
    uint32_t first = out->len; // this mark's first expectation
    for (;;) {
      line = str_trim_left(line);
      if (line.len && line.ptr[0] == '"') {
        const char *why = NULL;
        expectation *last = out->len > first ? &out->items[out->len - 1] : NULL;
        char *message = parse_message(&line, &why);
        if (message && (!last || last->message)) {
          free(message);
          message = NULL;
          why = "a quoted message must follow a code (CODE \"message\")";
        }
        if (!message) {
          if (notes)
            vec_push(notes,
                     xprintf("%s:%u: bad expectation: %s", path, lineno, why));
          break;
        }
        last->message = message;
        continue;
      }
      size_t n = 0;
      while (n < line.len && line.ptr[n] != ' ' && line.ptr[n] != '\t' &&
             line.ptr[n] != '"')
        n++;
      expectation e = {.file = file, .line = lineno};
      if (n == 0 || !parse_token((al_str){line.ptr, n}, e.code, &e.col))
        break;
      vec_push(out, e);
      line.ptr += n;
      line.len -= n;
    }
  }
}

static void collect_expectations(const bytes *b, uint32_t file,
                                 const char *path, expectation_list *out,
                                 str_list *notes) {
  size_t pos = 0;
  uint32_t lineno = 0;
  al_str line;
  while (next_line(b, &pos, &line))
    parse_expect_line(line, file, path, ++lineno, out, notes);
}

// ---- Options from `# lint: ARGS` ----

typedef struct {
  str_list select;
  str_list ignore;
  bool has_select; // a --select was given (even an empty one)
  bool found;      // a `# lint:` line was seen
} lint_opts;

static void lint_opts_free(lint_opts *self) {
  str_list_free(&self->select);
  str_list_free(&self->ignore);
}

static void split_list(const char *s, size_t len, str_list *out) {
  size_t i = 0;
  while (i < len) {
    size_t j = i;
    while (j < len && s[j] != ',')
      j++;
    if (j > i)
      vec_push(out, al_xstrndup(s + i, j - i));
    i = j + 1;
  }
}

// Parse the arguments after `# lint:`; false (with a note) for anything
// other than --select=LIST and --ignore=LIST.
static bool parse_lint_args(al_str args, lint_opts *o, str_list *notes) {
  for (;;) {
    args = str_trim_left(args);
    size_t n = 0;
    while (n < args.len && args.ptr[n] != ' ' && args.ptr[n] != '\t')
      n++;
    if (n == 0)
      return true;
    al_str tok = {args.ptr, n};
    if (al_str_starts_with(tok, "--select=")) {
      o->has_select = true;
      split_list(tok.ptr + 9, tok.len - 9, &o->select);
    } else if (al_str_starts_with(tok, "--ignore=")) {
      split_list(tok.ptr + 9, tok.len - 9, &o->ignore);
    } else {
      vec_push(notes, xprintf("unknown `# lint:` argument '%.*s' (only "
                              "--select=LIST and --ignore=LIST)",
                              (int)tok.len, tok.ptr));
      return false;
    }
    args.ptr += n;
    args.len -= n;
  }
}

// Look for the first `# lint:` line of a file (within max_lines lines when
// max_lines is not 0). Returns false only for a malformed line.
static bool find_lint_line(const bytes *b, uint32_t max_lines, lint_opts *o,
                           str_list *notes) {
  size_t pos = 0;
  uint32_t lineno = 0;
  al_str line;
  while (next_line(b, &pos, &line)) {
    if (max_lines && ++lineno > max_lines)
      break;
    const char *mark = str_find(line, MARK_LINT);
    if (!mark)
      continue;
    o->found = true;
    size_t skip = (size_t)(mark - line.ptr) + strlen(MARK_LINT);
    return parse_lint_args((al_str){line.ptr + skip, line.len - skip}, o,
                           notes);
  }
  return true;
}

// The code a fixture's base name starts with ("AL100_..."), or false.
static bool code_prefix(const char *name, char code[6]) {
  if (strncmp(name, "AL", 2) != 0)
    return false;
  for (int i = 2; i < 5; i++)
    if (name[i] < '0' || name[i] > '9')
      return false;
  if (name[5] != '_')
    return false;
  memcpy(code, name, 5);
  code[5] = '\0';
  return true;
}

// ---- Listing fixtures ----

typedef struct {
  char *path; // as handed to al_run and printed in TAP
  bool tree;  // a directory linted as one tree
} fixture;

typedef al_vec(fixture) fixture_list;

static int compare_fixtures(const void *a, const void *b) {
  return strcmp(((const fixture *)a)->path, ((const fixture *)b)->path);
}

// FIXTURES_DIR shortened to a path relative to the working directory when it
// lies under it, so that TAP names and diagnostics read
// `fixtures/rules/AL100_x.py` rather than an absolute path.
static char *display_root(const char *dir) {
  char *real = realpath(dir, NULL);
  char cwd[4096];
  if (real && getcwd(cwd, sizeof cwd)) {
    size_t n = strlen(cwd);
    if (strncmp(real, cwd, n) == 0 && real[n] == '/' && real[n + 1]) {
      char *rel = al_xstrdup(real + n + 1);
      free(real);
      return rel;
    }
  }
  free(real);
  return al_xstrdup(dir);
}

static void list_fixtures(const char *root, fixture_list *out) {
  char *rules = xprintf("%s/rules", root);
  DIR *d = opendir(rules);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (e->d_name[0] == '.')
        continue;
      char *path = xprintf("%s/%s", rules, e->d_name);
      if (is_dir(path))
        vec_push(out, ((fixture){path, true}));
      else if (ends_with(e->d_name, ".py") && is_regular(path))
        vec_push(out, ((fixture){path, false}));
      else
        free(path);
    }
    closedir(d);
  }
  free(rules);
  char *demo = xprintf("%s/demo", root);
  if (is_dir(demo))
    vec_push(out, ((fixture){demo, true}));
  else
    free(demo);
  if (out->len > 1)
    qsort(out->items, out->len, sizeof *out->items, compare_fixtures);
}

// The .py files of a fixture as the linter discovers them, in path order.
static void fixture_files(const fixture *fx, str_list *out) {
  if (!fx->tree) {
    vec_push(out, al_xstrdup(fx->path));
    return;
  }
  al_arena *arena = al_arena_new();
  al_discovery found = {0};
  al_discover_opts opts = {0};
  const char *paths[] = {fx->path};
  al_discover(&found, arena, paths, 1, &opts);
  for (uint32_t i = 0; i < found.files.len; i++)
    vec_push(out, al_xstrdup(found.files.items[i].path));
  al_discovery_free(&found);
  al_arena_free(arena);
}

// ---- Running one fixture ----

typedef struct {
  const char *path; // display path of the file
  uint32_t line;
  uint32_t col;
  int sign; // -1 missing, +1 unexpected
  char *text;
} diff_line;

typedef al_vec(diff_line) diff_list;

static int compare_diff(const void *pa, const void *pb) {
  const diff_line *a = pa, *b = pb;
  int c = strcmp(a->path, b->path);
  if (c)
    return c;
  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  if (a->col != b->col)
    return a->col < b->col ? -1 : 1;
  return a->sign - b->sign;
}

static const char *rule_code(const al_rule *rule) {
  return rule && rule->code ? rule->code : "";
}

// The run's diagnostics converted for printing; *n gets their count.
static al_report_item *run_items(const al_run_result *r, uint32_t *n) {
  *n = r->diags.len;
  al_report_item *items = al_xcalloc(*n ? *n : 1, sizeof *items);
  al_report_items(items, r->diags.items, *n, &r->project);
  return items;
}

// One sortable line per diagnostic, for the thread-count comparison.
static void diag_strings(const al_run_result *r, str_list *out) {
  uint32_t n;
  al_report_item *items = run_items(r, &n);
  for (uint32_t i = 0; i < n; i++)
    vec_push(out, xprintf("%s:%u:%u %s %s", items[i].path, items[i].start.line,
                          items[i].start.column, rule_code(items[i].rule),
                          items[i].message ? items[i].message : ""));
  free(items);
  if (out->len > 1)
    qsort(out->items, out->len, sizeof *out->items, compare_strings);
}

static void run_fixture(al_run_result *out, const fixture *fx,
                        const bool *enabled, uint32_t threads) {
  const char *paths[] = {fx->path};
  al_run_opts opts = {
      .paths = paths,
      .n_paths = 1,
      .threads = threads,
      .enabled = enabled,
  };
  al_run(out, &opts);
}

// Compare the 1-thread and 2-thread runs; notes the first difference.
static bool same_across_threads(const al_run_result *one,
                                const al_run_result *two, str_list *notes) {
  str_list a = {0}, b = {0};
  diag_strings(one, &a);
  diag_strings(two, &b);
  bool same = a.len == b.len;
  uint32_t n = a.len < b.len ? a.len : b.len;
  for (uint32_t i = 0; same && i < n; i++)
    same = strcmp(a.items[i], b.items[i]) == 0;
  if (!same) {
    vec_push(notes, xprintf("--threads 1 and --threads 2 differ (%u vs %u "
                            "diagnostics)",
                            a.len, b.len));
    for (uint32_t i = 0; i < n; i++)
      if (strcmp(a.items[i], b.items[i]) != 0) {
        vec_push(notes, xprintf("  threads=1: %s", a.items[i]));
        vec_push(notes, xprintf("  threads=2: %s", b.items[i]));
        break;
      }
  }
  str_list_free(&a);
  str_list_free(&b);
  return same;
}

// A message as a fixture pins it: in quotes, with `"` and `\` escaped, so
// that a diff line can be pasted into an expectation.
static char *quoted(const char *message) {
  size_t n = 0;
  for (const char *p = message; *p; p++)
    n += (*p == '"' || *p == '\\') ? 2 : 1;
  char *out = al_xmalloc(n + 3), *o = out;
  *o++ = '"';
  for (const char *p = message; *p; p++) {
    if (*p == '"' || *p == '\\')
      *o++ = '\\';
    *o++ = *p;
  }
  *o++ = '"';
  *o = '\0';
  return out;
}

// Whether diagnostic i of the run satisfies expectation x; with
// check_message false the pinned message is not compared.
static bool satisfies(const al_run_result *r, const al_report_item *it,
                      uint32_t i, const expectation *x, bool check_message) {
  return r->diags.items[i].file == x->file && it->start.line == x->line &&
         (!x->col || it->start.column == x->col) &&
         strcmp(rule_code(it->rule), x->code) == 0 &&
         (!check_message || !x->message ||
          strcmp(it->message ? it->message : "", x->message) == 0);
}

// Match the expectations, the most specific first (column and message,
// message, column, neither), so that a vaguer one cannot take the
// diagnostic a more specific one needs.
static void match_expectations(const al_run_result *r,
                               const al_report_item *items, uint32_t n,
                               expectation_list *expected, bool *used) {
  for (int pass = 0; pass < 4; pass++) {
    for (uint32_t e = 0; e < expected->len; e++) {
      expectation *x = &expected->items[e];
      if (x->matched || pass != (x->col ? 0 : 2) + (x->message ? 0 : 1))
        continue;
      for (uint32_t i = 0; i < n && !x->matched; i++)
        if (!used[i] && satisfies(r, &items[i], i, x, true))
          used[i] = x->matched = true;
    }
  }
}

// A pinned message that differs from the one produced at its place: the
// pair of diff lines, then a line with a caret under the first difference.
static void message_diff(const expectation *x, const al_report_item *it,
                         diff_list *diffs) {
  char *want = quoted(x->message);
  char *got = quoted(it->message ? it->message : "");
  size_t at = 0, width = 0;
  while (want[at] && want[at] == got[at])
    if (((unsigned char)want[at++] & 0xC0) != 0x80)
      width++; // count code points, as a terminal shows them
  char *head = xprintf("%s:%u:%u %s ", it->path, it->start.line,
                       it->start.column, x->code);
  size_t indent = strlen(head) + width;
  vec_push(diffs,
           ((diff_line){it->path, it->start.line, it->start.column, -1,
                        xprintf("%s%s (expected message)", head, want)}));
  vec_push(diffs,
           ((diff_line){it->path, it->start.line, it->start.column, +1,
                        xprintf("%s%s (actual message)\n#     %*s^ first "
                                "difference",
                                head, got, (int)indent, "")}));
  free(head);
  free(want);
  free(got);
}

// Match expectations against the diagnostics; differences go to diffs.
static void compare(const al_run_result *r, expectation_list *expected,
                    diff_list *diffs) {
  uint32_t n;
  al_report_item *items = run_items(r, &n);
  bool *used = al_xcalloc(n ? n : 1, sizeof *used);
  match_expectations(r, items, n, expected, used);
  // A pinned message left over with a diagnostic at its place whose message
  // differs: show the two messages side by side.
  for (uint32_t e = 0; e < expected->len; e++) {
    expectation *x = &expected->items[e];
    for (uint32_t i = 0; i < n && !x->matched && x->message; i++)
      if (!used[i] && satisfies(r, &items[i], i, x, false)) {
        used[i] = x->matched = true;
        message_diff(x, &items[i], diffs);
      }
  }
  for (uint32_t e = 0; e < expected->len; e++) {
    const expectation *x = &expected->items[e];
    if (x->matched)
      continue;
    const char *path = vec_get(&r->project.files, x->file)->path;
    char *at = x->col ? xprintf("%s:%u:%u", path, x->line, x->col)
                      : xprintf("%s:%u", path, x->line);
    char *message = x->message ? quoted(x->message) : NULL;
    char *text = xprintf("%s %s%s%s (expected, missing)", at, x->code,
                         message ? " " : "", message ? message : "");
    vec_push(diffs, ((diff_line){path, x->line, x->col, -1, text}));
    free(message);
    free(at);
  }
  for (uint32_t i = 0; i < n; i++) {
    if (used[i])
      continue;
    const al_report_item *it = &items[i];
    char *message = quoted(it->message ? it->message : "");
    char *text =
        xprintf("%s:%u:%u %s %s (unexpected)", it->path, it->start.line,
                it->start.column, rule_code(it->rule), message);
    free(message);
    vec_push(diffs, ((diff_line){it->path, it->start.line, it->start.column, +1,
                                 text}));
  }
  free(used);
  free(items);
  if (diffs->len > 1)
    qsort(diffs->items, diffs->len, sizeof *diffs->items, compare_diff);
}

// Decide the enabled rules of a fixture. false (with notes) on bad options.
static bool fixture_enabled(const fixture *fx, const str_list *files,
                            bool *enabled, str_list *notes) {
  lint_opts o = {0};
  bool ok = true;
  for (uint32_t i = 0; ok && !o.found && i < files->len; i++) {
    bytes b;
    if (!bytes_read(&b, files->items[i]))
      continue; // reported later, when expectations are read
    ok = find_lint_line(&b, fx->tree ? 0 : LINT_HEADER_LINES, &o, notes);
    bytes_free(&b);
  }
  char code[6];
  if (ok && !o.has_select && code_prefix(base_name(fx->path), code))
    vec_push(&o.select, al_xstrdup(code));
  if (ok) {
    al_error err = {0};
    ok = al_rules_select(enabled, (const char *const *)o.select.items,
                         o.select.len, (const char *const *)o.ignore.items,
                         o.ignore.len, &err);
    if (!ok)
      vec_push(notes, xprintf("bad rule selection: %s", err.message));
  }
  lint_opts_free(&o);
  return ok;
}

// Lint one fixture and print its TAP line; returns whether it counts as a
// pass (a failing known bug does).
static bool check_fixture(const fixture *fx, uint32_t number) {
  str_list notes = {0};
  str_list files = {0};
  expectation_list expected = {0};
  diff_list diffs = {0};
  bool ok = true, known_bug = false;
  uint32_t n_rules;
  al_rules_all(&n_rules);
  bool *enabled = al_xcalloc(n_rules ? n_rules : 1, sizeof *enabled);

  fixture_files(fx, &files);
  if (files.len == 0) {
    vec_push(&notes, xprintf("no Python files in the fixture"));
    ok = false;
  }
  if (ok)
    ok = fixture_enabled(fx, &files, enabled, &notes);

  if (ok) {
    al_run_result one, two;
    run_fixture(&one, fx, enabled, 1);
    run_fixture(&two, fx, enabled, 2);
    if (!same_across_threads(&one, &two, &notes))
      ok = false;
    al_run_free(&two);

    for (uint32_t i = 0; i < one.problems.len; i++) {
      const al_run_problem *p = &one.problems.items[i];
      vec_push(&notes, xprintf("problem: %s: %s", p->path, p->message));
      ok = false;
    }
    for (uint32_t f = 0; f < one.project.files.len; f++) {
      const al_project_file *pf = &one.project.files.items[f];
      bytes b;
      if (!pf->fs_path || !bytes_read(&b, pf->fs_path)) {
        vec_push(&notes, xprintf("%s: cannot read the fixture file", pf->path));
        ok = false;
        continue;
      }
      uint32_t n_notes = notes.len;
      collect_expectations(&b, f, pf->path, &expected, &notes);
      if (notes.len > n_notes)
        ok = false; // a malformed expectation
      if (bytes_has_line_with(&b, MARK_KNOWN_BUG))
        known_bug = true;
      const al_facts *facts = pf->facts;
      if (facts && facts->syntax_error &&
          !bytes_has_line_with(&b, MARK_SYNTAX_ERROR)) {
        al_range error = al_linemap_range(&facts->lines, facts->error_span);
        vec_push(&notes,
                 xprintf("%s:%u:%u: undeclared syntax error (%s); mark "
                         "deliberate ones with `%s`",
                         pf->path, error.start_row + 1, error.start_col + 1,
                         facts->error_message ? facts->error_message : "?",
                         MARK_SYNTAX_ERROR));
        ok = false;
      }
      bytes_free(&b);
    }
    compare(&one, &expected, &diffs);
    if (diffs.len)
      ok = false;
    // The diff's paths point into the run's arena: print before freeing.
    printf("%s %u - %s%s\n", ok ? "ok" : "not ok", number, fx->path,
           known_bug ? " # TODO known bug" : "");
    for (uint32_t i = 0; i < diffs.len; i++)
      printf("#   %c %s\n", diffs.items[i].sign < 0 ? '-' : '+',
             diffs.items[i].text);
    al_run_free(&one);
  } else {
    printf("not ok %u - %s\n", number, fx->path);
  }
  for (uint32_t i = 0; i < notes.len; i++)
    printf("# %s\n", notes.items[i]);
  fflush(stdout);

  for (uint32_t i = 0; i < diffs.len; i++)
    free(diffs.items[i].text);
  vec_free(&diffs);
  expectation_list_free(&expected);
  str_list_free(&files);
  str_list_free(&notes);
  free(enabled);
  return ok || known_bug;
}

// ---- --meta: rule hygiene ----

static bool is_blank_or_comment(al_str line) {
  line = str_trim_left(line);
  return line.len == 0 || line.ptr[0] == '#';
}

// What --meta looks for in the fixtures of one rule.
typedef struct {
  bool positive; // an expectation of the code
  bool pinned;   // one with its message pinned
  bool negative; // code after a `# negatives` line
} rule_cases;

// Scan one fixture file for positives of code and for a negative section.
static void scan_for_meta(const bytes *b, const char *code, rule_cases *out) {
  expectation_list ex = {0};
  collect_expectations(b, 0, "", &ex, NULL);
  for (uint32_t i = 0; i < ex.len; i++)
    if (strcmp(ex.items[i].code, code) == 0) {
      out->positive = true;
      out->pinned |= ex.items[i].message != NULL;
    }
  expectation_list_free(&ex);

  size_t pos = 0;
  bool in_negatives = false;
  al_str line;
  while (next_line(b, &pos, &line)) {
    al_str t = str_trim_left(line);
    if (al_str_starts_with(t, MARK_NEGATIVES)) {
      in_negatives = true;
      continue;
    }
    if (in_negatives && !is_blank_or_comment(line) &&
        !str_find(line, MARK_EXPECT)) {
      out->negative = true;
      return;
    }
  }
}

static bool valid_code(const char *code) {
  if (!code || strlen(code) != 5 || strncmp(code, "AL", 2) != 0)
    return false;
  for (int i = 2; i < 5; i++)
    if (code[i] < '0' || code[i] > '9')
      return false;
  return true;
}

static bool valid_name(const char *name) {
  if (!name || !*name || name[0] == '-' || name[strlen(name) - 1] == '-')
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static bool check_rule(const al_rule *rule, const fixture_list *fixtures,
                       uint32_t number) {
  static const char *const headings[] = {"What it does", "Why is this bad?",
                                         "Example", "Use instead"};
  str_list notes = {0};
  const char *code = rule->code ? rule->code : "(null)";
  if (!valid_code(rule->code))
    vec_push(&notes, xprintf("code '%s' does not match AL[0-9]{3}", code));
  if (!valid_name(rule->name))
    vec_push(&notes, xprintf("name '%s' is not kebab-case [a-z0-9-]+",
                             rule->name ? rule->name : "(null)"));
  for (size_t i = 0; i < sizeof headings / sizeof headings[0]; i++)
    if (!rule->doc || !strstr(rule->doc, headings[i]))
      vec_push(&notes, xprintf("doc lacks the heading \"%s\"", headings[i]));

  char *prefix = xprintf("%s_", code);
  uint32_t n_fixtures = 0;
  rule_cases cases = {0};
  for (uint32_t f = 0; f < fixtures->len; f++) {
    const fixture *fx = &fixtures->items[f];
    if (strncmp(base_name(fx->path), prefix, strlen(prefix)) != 0)
      continue;
    n_fixtures++;
    str_list files = {0};
    fixture_files(fx, &files);
    for (uint32_t i = 0; i < files.len; i++) {
      bytes b;
      if (!bytes_read(&b, files.items[i]))
        continue;
      scan_for_meta(&b, code, &cases);
      bytes_free(&b);
    }
    str_list_free(&files);
  }
  free(prefix);
  if (n_fixtures == 0) {
    vec_push(&notes, xprintf("no fixture fixtures/rules/%s_*.py (or "
                             "directory)",
                             code));
  } else {
    if (!cases.positive)
      vec_push(&notes, xprintf("no `%s %s` in its fixtures (a positive case)",
                               MARK_EXPECT, code));
    else if (!cases.pinned)
      vec_push(&notes, xprintf("no `%s %s \"message\"` in its fixtures (a "
                               "pinned message)",
                               MARK_EXPECT, code));
    if (!cases.negative)
      vec_push(&notes, xprintf("no `%s` line followed by code without "
                               "`%s` (a negative case)",
                               MARK_NEGATIVES, MARK_EXPECT));
  }

  bool ok = notes.len == 0;
  printf("%s %u - %s %s\n", ok ? "ok" : "not ok", number, code,
         rule->name ? rule->name : "(null)");
  for (uint32_t i = 0; i < notes.len; i++)
    printf("# %s\n", notes.items[i]);
  str_list_free(&notes);
  return ok;
}

// ---- Main ----

// Whether path (resolved) is the fixture fx or lies inside it.
static bool fixture_holds(const fixture *fx, const char *path) {
  char *real = realpath(fx->path, NULL);
  size_t n = real ? strlen(real) : 0;
  bool holds = real && strncmp(path, real, n) == 0 &&
               (path[n] == '\0' || (fx->tree && path[n] == '/'));
  free(real);
  return holds;
}

// Keep only the fixtures holding one of paths (a fixture, or a file inside
// a tree fixture). false, with a TAP bail-out, for a path that is none.
static bool keep_fixtures(fixture_list *fixtures, char **paths, int n) {
  bool *keep = al_xcalloc(fixtures->len ? fixtures->len : 1, sizeof *keep);
  bool ok = true;
  for (int p = 0; p < n && ok; p++) {
    char *real = realpath(paths[p], NULL);
    bool found = false;
    for (uint32_t i = 0; real && i < fixtures->len; i++)
      if (fixture_holds(&fixtures->items[i], real))
        found = keep[i] = true;
    if (!found) {
      printf("Bail out! %s is not a fixture (a file or directory of "
             "fixtures/rules, or fixtures/demo)\n",
             paths[p]);
      ok = false;
    }
    free(real);
  }
  uint32_t kept = 0;
  for (uint32_t i = 0; i < fixtures->len; i++) {
    if (keep[i] || !ok)
      fixtures->items[kept++] = fixtures->items[i];
    else
      free(fixtures->items[i].path);
  }
  fixtures->len = kept;
  free(keep);
  return ok;
}

static int usage(void) {
  fprintf(stderr, "usage: fixture_runner FIXTURES_DIR [--meta | PATH...]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *dir = NULL;
  bool meta = false;
  char **only = al_xcalloc((size_t)argc, sizeof *only);
  int n_only = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--meta") == 0)
      meta = true;
    else if (argv[i][0] == '-')
      return usage();
    else if (dir)
      only[n_only++] = argv[i];
    else
      dir = argv[i];
  }
  if (!dir || (meta && n_only))
    return usage();
  if (!is_dir(dir)) {
    printf("Bail out! %s is not a directory\n", dir);
    return 1;
  }

  char *root = display_root(dir);
  fixture_list fixtures = {0};
  list_fixtures(root, &fixtures);
  uint32_t failed = 0;

  if (n_only && !keep_fixtures(&fixtures, only, n_only)) {
    failed++;
  } else if (meta) {
    uint32_t n_rules;
    const al_rule *const *rules = al_rules_all(&n_rules);
    printf("1..%u\n", n_rules);
    for (uint32_t i = 0; i < n_rules; i++)
      if (!check_rule(rules[i], &fixtures, i + 1))
        failed++;
  } else if (fixtures.len == 0) {
    printf("1..0 # SKIP no fixtures under %s\n", root);
  } else {
    printf("1..%u\n", fixtures.len);
    fflush(stdout);
    for (uint32_t i = 0; i < fixtures.len; i++)
      if (!check_fixture(&fixtures.items[i], i + 1))
        failed++;
  }
  fflush(stdout);

  for (uint32_t i = 0; i < fixtures.len; i++)
    free(fixtures.items[i].path);
  vec_free(&fixtures);
  free(root);
  free(only);
  return failed ? 1 : 0;
}
