// SPDX-License-Identifier: MIT
/*
 * The command line: the option table and its parser, --help, --version,
 * --list-rules, --explain and the --dump-tree hook, and the top of a lint
 * run: turning options into al_run_opts, printing path problems, the report
 * and the summary, and choosing the exit code. The parser is hand-written
 * rather than getopt_long so that every message has our wording and so that
 * `--opt=VALUE`, `--opt VALUE`, `--` and `-` behave the same everywhere.
 * Linting itself is al_run's (run.c); formatting diagnostics is report/'s.
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/vec.h"
#include "cli/cli_p.h"
#include "cli/fix.h"
#include "cli/output.h"
#include "cli/run.h"
#include "facts/facts.h"
#include "report/report.h"
#include "rules/rule.h"
#include "server/server.h"
#include "source/discover.h"
#include "suppress/noqa.h"

// meson defines it for the core library; a hand build still compiles.
#ifndef AL_VERSION
#define AL_VERSION "unknown"
#endif

#define PROG "asynclint"

typedef enum {
  OPT_SELECT,
  OPT_IGNORE,
  OPT_EXTEND_SELECT,
  OPT_EXCLUDE,
  OPT_EXTEND_EXCLUDE,
  OPT_CONFIG,
  OPT_ISOLATED,
  OPT_NO_PROJECT,
  OPT_FORMAT,
  OPT_STDIN_FILENAME,
  OPT_THREADS,
  OPT_NO_CACHE,
  OPT_CACHE_DIR,
  OPT_PYTHON_PATH,
  OPT_NO_PYTHON_PATH,
  OPT_QUIET,
  OPT_OUTPUT_FILE,
  OPT_SHOW_SOURCE,
  OPT_STATISTICS,
  OPT_EXIT_ZERO,
  OPT_BASELINE,
  OPT_UPDATE_BASELINE,
  OPT_REPORT_UNUSED_NOQA,
  OPT_FIX,
  OPT_UNSAFE_FIXES,
  OPT_DIFF,
  OPT_ADD_NOQA,
  OPT_LIST_RULES,
  OPT_EXPLAIN,
  OPT_DUMP_TREE,
  OPT_MAN_RULES, // hidden: the build's source for the man page's RULES
  OPT_STATS,     // hidden: sizes and phase times on stderr (bench/)
  OPT_VERSION,
  OPT_HELP,
} opt_id;

typedef struct {
  opt_id id;
  char short_name;       // 0 when the option has no short form
  const char *long_name; // without the leading "--"
  const char *value;     // name of its value in --help; NULL for a flag
  const char *help;      // one line for --help
} option;

// The one list of options: the parser and --help both read it, so a new
// option cannot be accepted without being documented, or the reverse.
static const option options[] = {
    {OPT_SELECT, 0, "select", "LIST",
     "run only these rules (see Rule selectors below)"},
    {OPT_IGNORE, 0, "ignore", "LIST", "do not run these rules"},
    {OPT_EXTEND_SELECT, 0, "extend-select", "LIST",
     "run these rules as well as the selected ones"},
    {OPT_EXCLUDE, 0, "exclude", "GLOBS",
     "skip these globs instead of the default excludes"},
    {OPT_EXTEND_EXCLUDE, 0, "extend-exclude", "GLOBS",
     "skip these as well as the default excludes"},
    {OPT_CONFIG, 0, "config", "FILE",
     "use this config file for every path (no discovery)"},
    {OPT_ISOLATED, 0, "isolated", NULL,
     "ignore all config files (implies --no-project)"},
    {OPT_NO_PROJECT, 0, "no-project", NULL,
     "read only the PATHs, not the rest of their project"},
    {OPT_FORMAT, 0, "format", "FORMAT", NULL}, // text built in print_help
    {OPT_STDIN_FILENAME, 0, "stdin-filename", "NAME",
     "display name for '-' (with no PATH: lint stdin)"},
    {OPT_THREADS, 0, "threads", "N",
     "worker threads, 1-256 (default: number of cores)"},
    {OPT_NO_CACHE, 0, "no-cache", NULL,
     "neither read nor write the result cache"},
    {OPT_CACHE_DIR, 0, "cache-dir", "DIR",
     "cache directory (default: .asynclint_cache)"},
    {OPT_PYTHON_PATH, 0, "python-path", "DIRS",
     "read libraries from these site directories"},
    {OPT_NO_PYTHON_PATH, 0, "no-python-path", NULL,
     "read no library (no virtualenv either)"},
    {OPT_QUIET, 'q', "quiet", NULL,
     "no summary line; only errors go to stderr"},
    {OPT_OUTPUT_FILE, 'o', "output-file", "FILE",
     "write the report to FILE instead of stdout"},
    {OPT_SHOW_SOURCE, 0, "show-source", NULL,
     "text format: show the flagged line and carets"},
    {OPT_STATISTICS, 0, "statistics", NULL,
     "print counts per rule instead of diagnostics"},
    {OPT_EXIT_ZERO, 0, "exit-zero", NULL,
     "exit 0 even with diagnostics (not on errors)"},
    {OPT_BASELINE, 0, "baseline", "FILE",
     "report only findings not in FILE (or create it)"},
    {OPT_UPDATE_BASELINE, 0, "update-baseline", NULL,
     "with --baseline: rewrite FILE"},
    {OPT_REPORT_UNUSED_NOQA, 0, "report-unused-noqa", NULL,
     "report suppressions that suppress nothing (AL003)"},
    {OPT_FIX, 0, "fix", NULL, "apply the safe fixes to the files"},
    {OPT_UNSAFE_FIXES, 0, "unsafe-fixes", NULL,
     "with --fix or --diff: the unsafe fixes too"},
    {OPT_DIFF, 0, "diff", NULL,
     "print the fixes as a unified diff; write nothing"},
    {OPT_ADD_NOQA, 0, "add-noqa", NULL,
     "add '# noqa: CODE' to every finding's line"},
    {OPT_LIST_RULES, 0, "list-rules", NULL, "list every rule and exit"},
    {OPT_EXPLAIN, 0, "explain", "RULE",
     "explain a rule (code or name) and exit"},
    {OPT_DUMP_TREE, 0, "dump-tree", "FILE",
     "print the syntax tree of FILE and exit"},
    {OPT_MAN_RULES, 0, "man-rules", NULL, NULL}, // not in --help
    {OPT_STATS, 0, "stats", NULL, NULL},         // not in --help
    {OPT_VERSION, 'V', "version", NULL, "print the version and exit"},
    {OPT_HELP, 'h', "help", NULL, "print this help and exit"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])

typedef al_vec(const char *) str_list;

// What the command line asked for, once parsed.
typedef struct {
  str_list paths;             // argv strings, not owned
  str_list select;            // one selector each; strings in arena
  str_list ignore;            // likewise
  str_list extend_select;     // likewise
  const char *config_file;    // --config FILE, or NULL
  bool isolated;              // --isolated
  bool no_project;            // --no-project
  str_list exclude;           // globs replacing the default excludes
  bool exclude_given;         // --exclude seen, even with an empty list
  str_list extend_exclude;    // globs added to the excludes
  al_report_writer writer;    // --format; text by default
  const char *stdin_filename; // NULL: run.c's default
  uint32_t threads;           // 0 until --threads
  bool no_cache;              // --no-cache
  const char *cache_dir;      // --cache-dir DIR, or NULL
  str_list python_path;       // --python-path DIRS
  bool no_python_path;        // --no-python-path
  bool quiet;                 // no summary line
  const char *output_file;    // --output-file, or NULL
  const char *baseline;       // --baseline, or NULL
  bool update_baseline;       // --update-baseline
  bool show_source;           // --show-source
  bool statistics;            // --statistics
  bool exit_zero;             // --exit-zero
  bool report_unused_noqa;    // --report-unused-noqa: AL003 on
  bool fix;                   // --fix
  bool unsafe_fixes;          // --unsafe-fixes
  bool diff;                  // --diff
  bool add_noqa;              // --add-noqa
  bool stats;                 // --stats (hidden): sizes, times on stderr
  const option *mode;         // --list-rules, --explain or --dump-tree, or NULL
  const char *mode_value;     // the rule or file of the mode option
  al_arena *arena;            // split list items
} cli;

// Parsing steps return this to go on; anything else is the exit code.
#define CONTINUE (-1)

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(PROG ": ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nTry '" PROG " --help' for more information.\n", stderr);
  return AL_EXIT_ERROR;
}

// Flushes stdout and turns a failed write into exit code 2. A reader that
// went away (`asynclint | head`) is not worth a message, but the exit code
// still says the output is incomplete.
static int finish_stdout(int code) {
  errno = 0;
  if (fflush(stdout) == 0 && !ferror(stdout))
    return code;
  int e = errno;
  if (e != EPIPE)
    fprintf(stderr, PROG ": cannot write to standard output: %s\n",
            e ? strerror(e) : "write error");
  return AL_EXIT_ERROR;
}

// Help ------------------------------------------------------------------

static int option_label(char *buf, size_t size, const option *o) {
  char shorts[8] = "    ";
  if (o->short_name)
    snprintf(shorts, sizeof shorts, "-%c, ", o->short_name);
  return snprintf(buf, size, "  %s--%s%s%s", shorts, o->long_name,
                  o->value ? " " : "", o->value ? o->value : "");
}

// Prints words separated by ", " wrapped before column 78, each line
// starting with indent spaces (the first line continues after `lead`).
static void print_wrapped_list(const char *lead, const char *const *words,
                               int indent) {
  int col = printf("%s", lead);
  for (size_t i = 0; words[i]; i++) {
    int len = (int)strlen(words[i]) + (words[i + 1] ? 1 : 0);
    if (i > 0 && col + 1 + len > 78) {
      col = printf("\n%*s", indent, "") - 1;
    } else if (i > 0) {
      col += printf(" ");
    }
    col += printf("%s%s", words[i], words[i + 1] ? "," : "");
  }
  printf("\n");
}

static void print_help(void) {
  printf("Usage: " PROG " [OPTIONS] [PATH ...]\n"
         "       " PROG " server    (the language server editors start)\n"
         "\n"
         "Find misuse of async/await in Python code. Each PATH is a file or a\n"
         "directory searched recursively for *.py and *.pyi files (default:\n"
         "'.'); '-' reads standard input.\n"
         "\n"
         "Options:\n");
  char label[96];
  int width = 0;
  for (size_t i = 0; i < N_OPTIONS; i++) {
    int n = option_label(label, sizeof label, &options[i]);
    if (n > width)
      width = n;
  }
  for (size_t i = 0; i < N_OPTIONS; i++) {
    const option *o = &options[i];
    if (o->id == OPT_MAN_RULES || o->id == OPT_STATS)
      continue;
    option_label(label, sizeof label, o);
    printf("%-*s  ", width, label);
    if (o->id == OPT_FORMAT)
      printf("%s (default: text)\n", al_report_format_names());
    else
      printf("%s\n", o->help);
  }
  printf("%-*s  %s\n", width, "      --",
         "treat every later argument as a path");
  printf("\n"
         "LIST and GLOBS are comma-separated; these options may be repeated.\n"
         "\n"
         "Rule selectors: codes (AL100), prefixes (AL1, AL20), names\n"
         "(unawaited-coroutine), ALL. A prefix selects the default-on rules\n"
         "under it; a code, a name or ALL also selects opt-in rules. --ignore\n"
         "removes every rule a selector matches. See --list-rules.\n"
         "\n"
         "Configuration: each PATH uses the closest asynclint.toml, or\n"
         "pyproject.toml with a [tool.asynclint] table, in its directory or\n"
         "above. Options override it: --select and --exclude replace the\n"
         "file's lists, --ignore, --extend-select and --extend-exclude add to\n"
         "them.\n"
         "\n"
         "Project: a PATH inside a project (its config file's directory, else\n"
         "its git work tree) has the whole project read and only the PATHs\n"
         "reported, so a coroutine of a module not named is known.\n"
         "\n"
         "Cache: the facts of each file are kept in .asynclint_cache, in\n"
         "the directory of the first PATH's config file (else in the current\n"
         "directory), by a hash of its bytes: unchanged files are not parsed\n"
         "again. The last run's findings are kept there too, and reused\n"
         "for the files an edit cannot affect. --cache-dir DIR moves the\n"
         "cache, --no-cache skips it.\n"
         "\n");
  print_wrapped_list("Default excludes: ", al_default_excludes, 2);
  printf("\n"
         "Exit status:\n"
         "  0  no diagnostics\n"
         "  1  diagnostics reported\n"
         "  2  usage error, or a path named on the command line is missing\n");
}

// Rules -----------------------------------------------------------------

static char severity_letter(al_severity sev) {
  switch (sev) {
  case AL_SEV_ERROR:
    return 'E';
  case AL_SEV_WARNING:
    return 'W';
  case AL_SEV_INFO:
    return 'I';
  }
  return '?';
}

static int list_rules(void) {
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  int code_w = 0, name_w = 0;
  for (uint32_t i = 0; i < n; i++) {
    int c = (int)strlen(all[i]->code), m = (int)strlen(all[i]->name);
    code_w = c > code_w ? c : code_w;
    name_w = m > name_w ? m : name_w;
  }
  for (uint32_t i = 0; i < n; i++) {
    const al_rule *r = all[i];
    printf("%-*s  %-*s  %c%c %s\n", code_w, r->code, name_w, r->name,
           severity_letter(r->severity), r->default_on ? ' ' : '*',
           r->summary ? r->summary : "");
  }
  printf(
      "\nE error, W warning, I info; * opt-in: off unless selected by code,\n"
      "name or ALL (for example --select ALL).\n");
  return finish_stdout(AL_EXIT_CLEAN);
}

static int explain(const char *what) {
  const al_rule *r = al_rule_find(what);
  if (!r) {
    fprintf(stderr, PROG ": unknown rule '%s'\n", what);
    fprintf(stderr, "Try '" PROG " --help' for more information.\n");
    return AL_EXIT_ERROR;
  }
  printf("%s (%s)\n", r->code, r->name);
  if (r->default_on)
    printf("Severity: %s\n", al_severity_name(r->severity));
  else
    printf("Severity: %s (opt-in: enable with --select %s)\n",
           al_severity_name(r->severity), r->code);
  if (r->equivalents && r->equivalents[0])
    printf("Equivalents: %s\n", r->equivalents);
  const char *doc = r->doc ? r->doc : "";
  size_t len = strlen(doc);
  printf("\n%s%s", doc, len && doc[len - 1] == '\n' ? "" : "\n");
  return finish_stdout(AL_EXIT_CLEAN);
}

// Parsing ---------------------------------------------------------------

// Appends the non-empty comma-separated items of value to list.
static void split_into(str_list *list, al_arena *arena, const char *value) {
  for (const char *p = value;;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len)
      vec_push(list, al_arena_strndup(arena, p, len));
    if (!end)
      break;
    p = end + 1;
  }
}

// Digits only, so "+4", " 4", "4x" and "0x10" are all rejected rather than
// half-parsed the way strtoul would.
static bool parse_threads(const char *s, uint32_t *out) {
  uint32_t v = 0;
  if (!*s)
    return false;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v * 10 + (uint32_t)(*s - '0');
    if (v > AL_MAX_THREADS)
      return false;
  }
  if (v < 1)
    return false;
  *out = v;
  return true;
}

static const option *find_long(const char *name, size_t len) {
  for (size_t i = 0; i < N_OPTIONS; i++)
    if (strlen(options[i].long_name) == len &&
        memcmp(options[i].long_name, name, len) == 0)
      return &options[i];
  return NULL;
}

static const option *find_short(char c) {
  for (size_t i = 0; i < N_OPTIONS; i++)
    if (options[i].short_name && options[i].short_name == c)
      return &options[i];
  return NULL;
}

// Records one option. --help and --version act at once (like getopt-based
// tools, `asynclint --help --bogus` still helps); the other modes wait
// until the whole line has been checked.
static int apply_option(cli *c, const option *o, const char *value) {
  switch (o->id) {
  case OPT_SELECT:
    split_into(&c->select, c->arena, value);
    break;
  case OPT_IGNORE:
    split_into(&c->ignore, c->arena, value);
    break;
  case OPT_EXTEND_SELECT:
    split_into(&c->extend_select, c->arena, value);
    break;
  case OPT_CONFIG:
    c->config_file = value;
    break;
  case OPT_ISOLATED:
    c->isolated = true;
    break;
  case OPT_NO_PROJECT:
    c->no_project = true;
    break;
  case OPT_EXCLUDE:
    c->exclude_given = true;
    split_into(&c->exclude, c->arena, value);
    break;
  case OPT_EXTEND_EXCLUDE:
    split_into(&c->extend_exclude, c->arena, value);
    break;
  case OPT_FORMAT:
    c->writer = al_report_find_format(value);
    if (!c->writer)
      return usage_error("unknown format '%s' (expected one of: %s)", value,
                         al_report_format_names());
    break;
  case OPT_STDIN_FILENAME:
    c->stdin_filename = value;
    break;
  case OPT_THREADS:
    if (!parse_threads(value, &c->threads))
      return usage_error("--threads expects a number from 1 to %d, got '%s'",
                         AL_MAX_THREADS, value);
    break;
  case OPT_NO_CACHE:
    c->no_cache = true;
    break;
  case OPT_CACHE_DIR:
    if (!*value)
      return usage_error("option '--cache-dir' needs a directory");
    c->cache_dir = value;
    break;
  case OPT_PYTHON_PATH:
    split_into(&c->python_path, c->arena, value);
    break;
  case OPT_NO_PYTHON_PATH:
    c->no_python_path = true;
    break;
  case OPT_QUIET:
    c->quiet = true;
    break;
  case OPT_OUTPUT_FILE:
    c->output_file = value;
    break;
  case OPT_SHOW_SOURCE:
    c->show_source = true;
    break;
  case OPT_STATISTICS:
    c->statistics = true;
    break;
  case OPT_EXIT_ZERO:
    c->exit_zero = true;
    break;
  case OPT_BASELINE:
    c->baseline = value;
    break;
  case OPT_UPDATE_BASELINE:
    c->update_baseline = true;
    break;
  case OPT_REPORT_UNUSED_NOQA:
    c->report_unused_noqa = true;
    break;
  case OPT_STATS:
    c->stats = true;
    break;
  case OPT_FIX:
    c->fix = true;
    break;
  case OPT_UNSAFE_FIXES:
    c->unsafe_fixes = true;
    break;
  case OPT_DIFF:
    c->diff = true;
    break;
  case OPT_ADD_NOQA:
    c->add_noqa = true;
    break;
  case OPT_LIST_RULES:
  case OPT_EXPLAIN:
  case OPT_DUMP_TREE:
  case OPT_MAN_RULES:
    // Two different modes would each silently drop the other's request.
    if (c->mode && c->mode != o)
      return usage_error("options '--%s' and '--%s' cannot be combined",
                         c->mode->long_name, o->long_name);
    c->mode = o;
    c->mode_value = value;
    break;
  case OPT_VERSION:
    printf(PROG " %s\n", AL_VERSION);
    return finish_stdout(AL_EXIT_CLEAN);
  case OPT_HELP:
    print_help();
    return finish_stdout(AL_EXIT_CLEAN);
  }
  return CONTINUE;
}

static int parse_args(cli *c, int argc, char **argv) {
  bool only_paths = false;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    // "-" alone is standard input, a path like any other.
    if (only_paths || arg[0] != '-' || arg[1] == '\0') {
      vec_push(&c->paths, arg);
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_paths = true;
      continue;
    }
    if (arg[1] == '-') {
      const char *name = arg + 2;
      const char *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      // No abbreviations: `--sel` accepted today would break the day an
      // option `--selector` is added.
      const option *o = find_long(name, len);
      if (!o)
        return usage_error("unknown option '--%.*s'", (int)len, name);
      const char *value = NULL;
      if (o->value) {
        if (eq)
          value = eq + 1;
        else if (i + 1 < argc)
          value = argv[++i];
        else
          return usage_error("option '--%s' needs a value", o->long_name);
      } else if (eq) {
        return usage_error("option '--%s' takes no value", o->long_name);
      }
      int rc = apply_option(c, o, value);
      if (rc != CONTINUE)
        return rc;
      continue;
    }
    // Short options, possibly bundled (-qV); one taking a value ends the
    // bundle and takes the rest of the word or the next argument.
    for (const char *p = arg + 1; *p; p++) {
      const option *o = find_short(*p);
      if (!o)
        return usage_error("unknown option '-%c'", *p);
      const char *value = NULL;
      if (o->value) {
        if (p[1])
          value = p + 1;
        else if (i + 1 < argc)
          value = argv[++i];
        else
          return usage_error("option '-%c' needs a value", *p);
      }
      int rc = apply_option(c, o, value);
      if (rc != CONTINUE)
        return rc;
      if (value)
        break;
    }
  }
  return CONTINUE;
}

// Running ---------------------------------------------------------------

static const char *plural(uint32_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

// Fixes that --fix would not apply are not offered: those of rules the
// config does not make fixable, and those in files with a syntax error
// (never written).
static void hide_unfixable(al_run_result *res, const al_fix_policy *policy) {
  for (uint32_t i = 0; i < res->diags.len; i++) {
    al_diag *d = &res->diags.items[i];
    const al_facts *facts = res->project.files.items[d->file].facts;
    if (d->fix &&
        ((policy->fixable && !policy->fixable[al_rule_index(d->rule)]) ||
         !facts || facts->syntax_error || facts->unreadable))
      d->fix = NULL;
  }
}

// `[*] N fixable with --fix` after the summary line (ruff's wording), and
// the unsafe fixes --unsafe-fixes would add.
static void print_fixable(const al_run_result *res,
                          const al_fix_policy *policy) {
  uint32_t safe = 0, unsafe = 0;
  for (uint32_t i = 0; i < res->diags.len; i++) {
    const al_diag *d = &res->diags.items[i];
    if (!al_fix_usable(d->fix))
      continue;
    if (d->fix->applicability == AL_FIX_SAFE || policy->unsafe)
      safe++;
    else
      unsafe++;
  }
  if (safe && unsafe)
    fprintf(stderr,
            "[*] %lu fixable with --fix (%lu more with --unsafe-fixes).\n",
            (unsigned long)safe, (unsigned long)unsafe);
  else if (safe)
    fprintf(stderr, "[*] %lu fixable with --fix.\n", (unsigned long)safe);
  else if (unsafe)
    fprintf(stderr, "%lu fixable with --fix --unsafe-fixes.\n",
            (unsigned long)unsafe);
}

static void print_summary(uint32_t n_diags, const al_run_result *res,
                          void *data) {
  // After a path error "All checks passed" would be false comfort: the
  // error line (and exit code 2) say what happened.
  bool path_error = false;
  for (uint32_t i = 0; i < res->problems.len; i++)
    path_error |= res->problems.items[i].explicit_;
  if (n_diags == 0 && path_error)
    return;
  if (n_diags == 0) {
    fprintf(stderr, "All checks passed (%lu %s checked).\n",
            (unsigned long)res->files_checked,
            plural(res->files_checked, "file", "files"));
    return;
  }
  fprintf(stderr, "Found %lu %s in %lu %s (%lu %s checked).\n",
          (unsigned long)n_diags, plural(n_diags, "problem", "problems"),
          (unsigned long)res->files_with_problems,
          plural(res->files_with_problems, "file", "files"),
          (unsigned long)res->files_checked,
          plural(res->files_checked, "file", "files"));
  print_fixable(res, data);
}

// A non-NULL pointer for a list that may be empty: discover tells "no
// --exclude" (NULL) from "--exclude with no globs" (empty) by it.
static const char *const *list_items(const str_list *list) {
  static const char *const none[1] = {NULL};
  return list->items ? list->items : none;
}

// --stats (hidden; bench/run.sh reads it): one `stats: KEY VALUE` line per
// figure on stderr. Facts bytes are al_facts_bytes summed over the files;
// source bytes are the decoded bytes parsed; times are seconds.
static void print_stats(const al_run_result *res, double report_wall) {
  uint64_t facts = 0, source = 0;
  uint32_t libs_read = 0;
  for (uint32_t i = 0; i < res->project.files.len; i++) {
    const al_facts *f = res->project.files.items[i].facts;
    if (f) {
      facts += al_facts_bytes(f);
      source += f->text_len;
      libs_read += res->project.files.items[i].library;
    }
  }
  static const char *const names[] = {"setup", "extract", "index", "rules"};
  fprintf(stderr, "stats: files %u\n", res->project.files.len);
  fprintf(stderr, "stats: source_bytes %llu\n", (unsigned long long)source);
  fprintf(stderr, "stats: facts_bytes %llu\n", (unsigned long long)facts);
  fprintf(stderr, "stats: facts_bytes_per_source_mb %.0f\n",
          source ? (double)facts / ((double)source / 1e6) : 0.0);
  for (int i = 0; i < 4; i++)
    fprintf(stderr, "stats: %s_wall %.4f\nstats: %s_cpu %.4f\n", names[i],
            res->phase_wall[i], names[i], res->phase_cpu[i]);
  fprintf(stderr, "stats: report_wall %.4f\n", report_wall);
  // Re-runs (cli/rerun.h): the saved findings used whole, the files the
  // rules ran on, files trusted by their stat data and files read to compare.
  fprintf(stderr,
          "stats: restored %d\nstats: rechecked %u\nstats: stat_trusted "
          "%u\nstats: stat_read %u\n",
          (int)res->restored, res->rechecked, res->stat_trusted,
          res->stat_read);
  fprintf(stderr, "stats: libraries_saved %d\n", (int)res->libraries_saved);
  fprintf(stderr, "stats: libraries_read %u\n", libs_read);
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0)
    fprintf(stderr, "stats: max_rss_kb %ld\n", ru.ru_maxrss);
}

// The rule lists of the command line, each checked on its own so that a
// bad selector names its option. Which rules run is run.c's: it combines
// these lists with the config file of each path. Returns AL_EXIT_CLEAN, or
// the usage error's exit code.
static int check_selectors(const cli *c) {
  uint32_t n_rules;
  al_rules_all(&n_rules);
  bool *enabled = al_xcalloc(n_rules ? n_rules : 1, sizeof *enabled);
  al_error err = {0};
  const char *flag = NULL;
  // Selecting twice tells which option the bad selector came from: the
  // first call sees --select alone, so a failure of the second is --ignore.
  if (!al_rules_select(enabled, list_items(&c->select), c->select.len, NULL, 0,
                       &err))
    flag = "--select";
  else if (!al_rules_select(enabled, list_items(&c->select), c->select.len,
                            list_items(&c->ignore), c->ignore.len, &err))
    flag = "--ignore";
  else if (!al_rules_select(enabled, list_items(&c->extend_select),
                            c->extend_select.len, NULL, 0, &err))
    flag = "--extend-select";
  free(enabled);
  return flag ? usage_error("%s in %s", err.message, flag) : AL_EXIT_CLEAN;
}

// What al_run needs from the command line.
static void run_opts_of(const cli *c, al_run_opts *opts) {
  // Like ruff, --stdin-filename with no path means "lint standard input":
  // that is how editors call linters.
  static const char *const dot[] = {"."};
  static const char *const dash[] = {"-"};
  *opts = (al_run_opts){0};
  if (c->paths.len) {
    opts->paths = c->paths.items;
    opts->n_paths = c->paths.len;
  } else {
    opts->paths = c->stdin_filename ? dash : dot;
    opts->n_paths = 1;
  }
  if (c->exclude_given) {
    opts->discover.exclude = list_items(&c->exclude);
    opts->discover.n_exclude = c->exclude.len;
  }
  opts->discover.extend_exclude = list_items(&c->extend_exclude);
  opts->discover.n_extend_exclude = c->extend_exclude.len;
  opts->stdin_filename = c->stdin_filename;
  opts->threads = c->threads; // 0: the config's, else one per core
  opts->cache = !c->no_cache; // --no-cache wins over --cache-dir
  opts->rerun = opts->cache;
  opts->cache_dir = c->cache_dir;
  opts->environment = true;
  opts->python_path_given = c->no_python_path || c->python_path.len;
  if (!c->no_python_path) { // --no-python-path wins
    opts->python_path = list_items(&c->python_path);
    opts->n_python_path = c->python_path.len;
  }
  opts->select = list_items(&c->select);
  opts->n_select = c->select.len;
  opts->ignore = list_items(&c->ignore);
  opts->n_ignore = c->ignore.len;
  opts->extend_select = list_items(&c->extend_select);
  opts->n_extend_select = c->extend_select.len;
  opts->config_mode = c->isolated      ? AL_CONFIG_ISOLATED
                      : c->config_file ? AL_CONFIG_FILE
                                       : AL_CONFIG_DISCOVER;
  opts->config_file = c->config_file;
  // --isolated: the run depends on the command line and its PATHs alone,
  // as before project scope.
  opts->project = !c->no_project && !c->isolated;
}

// Prints the run's path problems and cache warning; returns the exit code
// they make (AL_EXIT_ERROR for a command-line path that is not there).
static int print_problems(const al_run_result *res) {
  int code = AL_EXIT_CLEAN;
  for (uint32_t i = 0; i < res->problems.len; i++) {
    const al_run_problem *p = vec_get(&res->problems, i);
    fprintf(stderr, PROG ": %s: %s\n", p->path, p->message);
    if (p->explicit_)
      code = AL_EXIT_ERROR;
  }
  // One line at most, whatever the number of files: the results are
  // complete without the cache.
  if (res->cache_warning)
    fprintf(stderr, PROG ": warning: %s\n", res->cache_warning);
  if (res->env_note)
    fprintf(stderr, PROG ": note: %s\n", res->env_note);
  if (res->budget_note)
    fprintf(stderr, PROG ": note: %s\n", res->budget_note);
  return code;
}

// Whether standard input is among the files linted.
static bool fixed_stdin(const al_run_result *res) {
  for (uint32_t i = 0; i < res->project.n_linted; i++)
    if (!res->project.files.items[i].fs_path &&
        res->project.files.items[i].explicit_)
      return true;
  return false;
}

// After --fix: how many were fixed (per rule with --statistics).
static void print_fixed(const al_fixer *fixer, bool per_rule) {
  const uint32_t *by_rule;
  uint32_t n = al_fixer_count(fixer, &by_rule);
  if (!n)
    return;
  uint32_t files = al_fixer_changed_files(fixer);
  fprintf(stderr, "Fixed %lu %s in %lu %s.\n", (unsigned long)n,
          plural(n, "problem", "problems"), (unsigned long)files,
          plural(files, "file", "files"));
  if (!per_rule)
    return;
  uint32_t n_rules;
  const al_rule *const *all = al_rules_all(&n_rules);
  for (uint32_t i = 0; i < n_rules; i++)
    if (by_rule[al_rule_index(all[i])])
      fprintf(stderr, "%5lu  %s  %s\n",
              (unsigned long)by_rule[al_rule_index(all[i])], all[i]->code,
              all[i]->name);
}

// --diff prints the diff and stops (exit 1 when it is not empty); --fix
// writes the files and goes on to report what is left. Returns CONTINUE
// or the exit code.
static int finish_fixes(const cli *c, al_fixer *fixer, const al_run_result *res,
                        int code) {
  if (!c->diff) {
    bool stdin_fix = fixed_stdin(res);
    if (!al_fixer_finish(fixer, false, stdout))
      return AL_EXIT_ERROR;
    if (stdin_fix) {
      int rc = finish_stdout(code);
      if (rc != code)
        return rc;
    }
    return CONTINUE;
  }
  if (!al_fixer_finish(fixer, true, stdout))
    return finish_stdout(AL_EXIT_ERROR);
  uint32_t files = al_fixer_changed_files(fixer);
  uint32_t n = al_fixer_count(fixer, NULL);
  if (!c->quiet) {
    if (files)
      fprintf(stderr, "Would fix %lu %s in %lu %s.\n", (unsigned long)n,
              plural(n, "problem", "problems"), (unsigned long)files,
              plural(files, "file", "files"));
    else
      fprintf(stderr, "No fixes to apply.\n");
  }
  code = finish_stdout(code);
  return code == AL_EXIT_CLEAN && files ? AL_EXIT_FINDINGS : code;
}

// --add-noqa: the noqa comments written (the source of "-" to stdout);
// exit 0 unless something could not be written or linted.
static int add_noqa(const cli *c, al_fixer *fixer, const al_run_result *res,
                    int code) {
  uint32_t added = al_fixer_add_noqa(fixer, res);
  if (!al_fixer_finish(fixer, false, stdout))
    code = AL_EXIT_ERROR;
  code = finish_stdout(code);
  if (!c->quiet)
    fprintf(stderr, "Added %lu noqa %s.\n", (unsigned long)added,
            plural(added, "comment", "comments"));
  return code;
}

static int lint(cli *c) {
  if (c->statistics && c->writer != al_report_text &&
      c->writer != al_report_json)
    return usage_error("--statistics needs --format text or json");
  if (c->update_baseline && !c->baseline)
    return usage_error("--update-baseline needs --baseline FILE");
  if (c->fix && c->diff)
    return usage_error("options '--fix' and '--diff' cannot be combined");
  if (c->add_noqa && (c->fix || c->diff))
    return usage_error("options '--add-noqa' and '--%s' cannot be combined",
                       c->fix ? "fix" : "diff");
  int code = check_selectors(c);
  if (code != AL_EXIT_CLEAN)
    return code;
  if (c->config_file && c->isolated)
    return usage_error("options '--config' and '--isolated' cannot be "
                       "combined");
  if (c->report_unused_noqa)
    vec_push(&c->extend_select, al_rule_unused_suppression.code);

  al_run_opts opts;
  run_opts_of(c, &opts);
  al_run_result res;
  al_fixer *fixer = al_fixer_run(&res, &opts,
                                 c->fix || c->diff ? AL_FIXES_ON
                                 : c->add_noqa     ? AL_FIXES_OFF
                                                   : AL_FIXES_FROM_CONFIG,
                                 c->unsafe_fixes);
  if (res.config_failed) {
    al_fixer_free(fixer);
    const al_error *e = &res.config_error;
    if (e->line)
      fprintf(stderr, PROG ": %s:%u:%u: %s\n", e->path, e->line, e->column,
              e->message);
    else
      fprintf(stderr, PROG ": %s: %s\n", e->path, e->message);
    al_run_free(&res);
    return AL_EXIT_ERROR;
  }
  code = print_problems(&res);
  if (c->add_noqa) {
    code = add_noqa(c, fixer, &res, code);
    al_fixer_free(fixer);
    al_run_free(&res);
    return code;
  }
  al_fix_policy policy = al_fixer_policy(fixer, &res);
  hide_unfixable(&res, &policy);
  if (al_fixer_active(fixer)) {
    int rc = finish_fixes(c, fixer, &res, code);
    if (rc != CONTINUE) {
      al_fixer_free(fixer);
      al_run_free(&res);
      return rc;
    }
  }

  // Baseline, statistics, the format, --output-file, summary, exit code.
  al_output_opts out = {
      .writer = c->writer,
      .output_file = c->output_file,
      .baseline = c->baseline,
      .update_baseline = c->update_baseline,
      .statistics = c->statistics,
      .exit_zero = c->exit_zero,
      .show_source = c->show_source,
      .quiet = c->quiet,
      .version = AL_VERSION,
      // `--fix -` prints the fixed source on stdout: the report goes aside.
      .stream = al_fixer_active(fixer) && fixed_stdin(&res) ? stderr : NULL,
      .unsafe_fixes = policy.unsafe,
      .summary_data = &policy,
  };
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  code = al_output_report(&out, &res, code, print_summary);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (c->stats)
    print_stats(&res, (double)(t1.tv_sec - t0.tv_sec) +
                          (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  if (al_fixer_active(fixer) && !c->quiet)
    print_fixed(fixer, c->statistics);
  al_fixer_free(fixer);
  al_run_free(&res);
  return code;
}

static int dispatch(cli *c) {
  if (c->mode) {
    // Paths would be ignored by every mode; say so instead.
    if (c->paths.len)
      return usage_error("unexpected argument '%s' with '--%s'",
                         c->paths.items[0], c->mode->long_name);
    switch (c->mode->id) {
    case OPT_LIST_RULES:
      return list_rules();
    case OPT_EXPLAIN:
      return explain(c->mode_value);
    case OPT_DUMP_TREE: {
      int code = al_cli_dump_tree(c->mode_value, stdout);
      return finish_stdout(code);
    }
    case OPT_MAN_RULES:
      return finish_stdout(al_cli_man_rules(stdout));
    default:
      al_assert(!"not a mode option");
      return AL_EXIT_ERROR;
    }
  }
  return lint(c);
}

int al_cli_main(int argc, char **argv) {
  // A reader that closes the pipe early (`asynclint . | head`) must show up
  // as EPIPE from a write, which finish_stdout and lint() turn into a quiet
  // exit 2, instead of SIGPIPE killing the process in mid-write.
  signal(SIGPIPE, SIG_IGN);
  // Likewise a file size limit (ulimit -f) reached while writing the cache
  // or --output-file must be a failed write (EFBIG), not a killed process.
  signal(SIGXFSZ, SIG_IGN);

  // `asynclint server`: the language server (a path named server is
  // ./server).
  if (argc > 1 && strcmp(argv[1], "server") == 0)
    return al_server_main(argc - 1, argv + 1);

  cli c = {0};
  c.writer = al_report_find_format("text");
  al_assert(c.writer);
  c.arena = al_arena_new();

  int code = parse_args(&c, argc, argv);
  if (code == CONTINUE)
    code = dispatch(&c);

  vec_free(&c.paths);
  vec_free(&c.select);
  vec_free(&c.ignore);
  vec_free(&c.extend_select);
  vec_free(&c.exclude);
  vec_free(&c.extend_exclude);
  vec_free(&c.python_path);
  al_arena_free(c.arena);
  return code;
}
