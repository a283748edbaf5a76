// SPDX-License-Identifier: MIT
/*
 * Unit tests of the configuration: the TOML reader (every value kind, keys
 * bare, quoted and dotted, tables and inline tables, errors with
 * line:column), the config keys and their errors, discovery (walking up,
 * asynclint.toml winning, a pyproject.toml without [tool.asynclint] being
 * skipped, --isolated, --config), how the command line combines with a
 * config, per-file-ignores globs, the glob matcher and gitignore's matching
 * rules. Files are made in a mkdtemp directory under /tmp, the tests run
 * inside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/glob.h"
#include "base/path.h"
#include "cli/run.h"
#include "config/config.h"
#include "config/settings.h"
#include "config/toml.h"
#include "model/catalog.h"
#include "rules/rule.h"
#include "source/discover.h"

#define TMP_TREE_NAME "config"
#include "tmp_tree.h"

static void write_file(const char *path, const char *text) {
  make_parents(path);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

// ---- TOML ------------------------------------------------------------------

static al_toml_value *toml(al_arena *a, const char *text, al_error *err) {
  return al_toml_parse(a, "t.toml", text, (uint32_t)strlen(text), err);
}

static const al_toml_value *get(const al_toml_value *t, const char *key) {
  const al_toml_entry *e = al_toml_find(t, key);
  return e ? e->value : NULL;
}

static void test_toml_scalars(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  al_error err = {0};
  const char *text = "basic = \"a\\tb\\\"c\\u00e9\\U0001F600\"\n"
                     "literal = 'C:\\path\\*'\n"
                     "multi = \"\"\"\nline1\\\n    line2\"\"\"\n"
                     "mlit = '''\nraw \\n'''\n"
                     "dec = 1_000\n"
                     "neg = -42\n"
                     "hex = 0xff\n"
                     "oct = 0o17\n"
                     "bin = 0b101\n"
                     "yes = true\n"
                     "no = false\n"
                     "pi = 3.14\n"
                     "day = 1979-05-27\n";
  const al_toml_value *t = toml(a, text, &err);
  assert_non_null(t);
  assert_string_equal(get(t, "basic")->str, "a\tb\"c\xc3\xa9\xf0\x9f\x98\x80");
  assert_string_equal(get(t, "literal")->str, "C:\\path\\*");
  assert_string_equal(get(t, "multi")->str, "line1line2");
  assert_string_equal(get(t, "mlit")->str, "raw \\n");
  assert_int_equal(get(t, "dec")->integer, 1000);
  assert_int_equal(get(t, "neg")->integer, -42);
  assert_int_equal(get(t, "hex")->integer, 255);
  assert_int_equal(get(t, "oct")->integer, 15);
  assert_int_equal(get(t, "bin")->integer, 5);
  assert_true(get(t, "yes")->boolean);
  assert_int_equal(get(t, "no")->kind, AL_TOML_BOOLEAN);
  assert_false(get(t, "no")->boolean);
  assert_int_equal(get(t, "pi")->kind, AL_TOML_FLOAT);
  assert_int_equal(get(t, "day")->kind, AL_TOML_DATETIME);
  assert_int_equal(get(t, "hex")->line, 10);
  assert_int_equal(get(t, "hex")->col, 7);
  al_arena_free(a);
}

static void test_toml_tables_and_keys(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  al_error err = {0};
  const char *text = "top = 1\n"
                     "[tool.other]\n"
                     "x = [[1, 2], [\"a\"]]\n"
                     "[[tool.list]]\n"
                     "n = 1\n"
                     "[[tool.list]]\n"
                     "n = 2\n"
                     "[tool.\"asynclint\"]\n"
                     "dotted.key = \"v\"\n"
                     "'quoted key' = 1\n"
                     "inline = { a = 1, b.c = [\"x\"] }\n";
  const al_toml_value *t = toml(a, text, &err);
  assert_non_null(t);
  const al_toml_value *tool = get(t, "tool");
  assert_int_equal(tool->kind, AL_TOML_TABLE);
  const al_toml_value *x = get(get(tool, "other"), "x");
  assert_int_equal(x->n_items, 2);
  assert_int_equal(x->first_item->kind, AL_TOML_ARRAY);
  assert_int_equal(x->first_item->n_items, 2);
  assert_string_equal(x->last_item->first_item->str, "a");
  const al_toml_value *list = get(tool, "list");
  assert_int_equal(list->n_items, 2);
  assert_int_equal(get(list->last_item, "n")->integer, 2);
  const al_toml_value *mine = get(tool, "asynclint");
  assert_string_equal(get(get(mine, "dotted"), "key")->str, "v");
  assert_int_equal(get(mine, "quoted key")->integer, 1);
  const al_toml_value *in = get(mine, "inline");
  assert_int_equal(get(in, "a")->integer, 1);
  assert_string_equal(get(get(in, "b"), "c")->first_item->str, "x");
  al_arena_free(a);
}

// Deep nesting must not recurse on the C stack.
// `a = ` and depth `[` then as many `]`.
static char *nested(size_t depth) {
  char *text = malloc(depth * 2 + 16);
  size_t n = (size_t)sprintf(text, "a = ");
  for (size_t i = 0; i < depth; i++)
    text[n++] = '[';
  for (size_t i = 0; i < depth; i++)
    text[n++] = ']';
  text[n++] = '\n';
  text[n] = '\0';
  return text;
}

static void test_toml_deep_nesting(void **state) {
  (void)state;
  // Up to 128 levels parse; deeper input is refused before parsing, at
  // the bracket that goes too deep (tree-sitter's error recovery is
  // quadratic in the nesting of unclosed brackets).
  al_arena *a = al_arena_new();
  al_error err = {0};
  char *text = nested(128);
  const al_toml_value *t = toml(a, text, &err);
  assert_non_null(t);
  assert_int_equal(get(t, "a")->kind, AL_TOML_ARRAY);
  free(text);
  size_t depths[] = {129, 20000};
  for (size_t i = 0; i < 2; i++) {
    text = nested(depths[i]);
    assert_null(toml(a, text, &err));
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 5 + 128);
    assert_non_null(strstr(err.message, "nested more than 128 deep"));
    free(text);
  }
  // Brackets in strings and comments are not nesting.
  text = malloc(4 * 1000 + 64);
  size_t n = (size_t)sprintf(text, "a = [\"");
  for (int i = 0; i < 1000; i++)
    text[n++] = '[';
  n += (size_t)sprintf(text + n, "\", '");
  for (int i = 0; i < 1000; i++)
    text[n++] = '{';
  n += (size_t)sprintf(text + n, "'] # ");
  for (int i = 0; i < 1000; i++)
    text[n++] = '[';
  text[n++] = '\n';
  text[n] = '\0';
  t = toml(a, text, &err);
  assert_non_null(t);
  assert_int_equal(get(t, "a")->kind, AL_TOML_ARRAY);
  free(text);
  al_arena_free(a);
}

typedef struct {
  const char *text;
  uint32_t line, col;
  const char *message; // a substring of the message
} error_case;

static void test_toml_errors(void **state) {
  (void)state;
  static const error_case cases[] = {
      {"a = 1\na = 2\n", 2, 1, "duplicate key 'a'"},
      {"[t]\nx = 1\n[t]\n", 3, 2, "table 't' is defined twice"},
      {"a = 1\na.b = 2\n", 2, 1, "already defined"},
      {"a = {x = 1}\n[a]\n", 2, 2, "already defined"},
      {"n = 99999999999999999999\n", 1, 5, "out of range"},
      // Columns count characters: "é" is two bytes, one column.
      {"x = {\"é\" = 1, \"é\" = 2}\n", 1, 15, "duplicate key 'é'"},
      {"select = [\"AL100\"\n", 1, 1, "TOML syntax error"},
      {"[tool\n", 1, 1, "TOML syntax error"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    al_arena *a = al_arena_new();
    al_error err = {0};
    const al_toml_value *t = toml(a, cases[i].text, &err);
    if (t)
      fail_msg("case %zu parsed", i);
    if (err.line != cases[i].line || err.column != cases[i].col ||
        !strstr(err.message, cases[i].message))
      fail_msg("case %zu: got %u:%u %s", i, err.line, err.column, err.message);
    assert_string_equal(err.path, "t.toml");
    al_arena_free(a);
  }
}

// ---- Config keys ---------------------------------------------------------

static void test_config_all_keys(void **state) {
  (void)state;
  write_file(
      "k/asynclint.toml",
      "select = [\"AL1\", \"blocking-sleep\"]\n"
      "ignore = [\"AL120\"]\n"
      "extend-select = [\"ALL\"]\n"
      "exclude = [\"gen\", \"src/*.py\"]\n"
      "extend-exclude = [\"x/y\"]\n"
      "blocking-calls = [\"mylib.fetch\"]\n"
      "coroutine-functions = [\"mylib.afetch\"]\n"
      "async-context-managers = [\"mylib.Session\"]\n"
      "threads = 3\n"
      "library-max-files = 100\n"
      "library-max-mb = 8\n"
      "respect-gitignore = false\n"
      "python-path = [\".venv/lib/python3.11/site-packages\", \"/opt\"]\n"
      "[per-file-ignores]\n"
      "\"tests/*.py\" = [\"AL100\"]\n");
  al_arena *a = al_arena_new();
  al_config c;
  bool found;
  al_error err = {0};
  assert_true(al_config_load(&c, &found, a, "k/asynclint.toml", &err));
  assert_true(found);
  assert_true(c.has_select);
  assert_int_equal(c.select.len, 2);
  assert_string_equal(c.select.items[1], "blocking-sleep");
  assert_int_equal(c.ignore.len, 1);
  assert_int_equal(c.extend_select.len, 1);
  assert_true(c.has_exclude);
  // "gen" (a name) stays and is also anchored; "src/*.py" is anchored.
  char *dir = al_path_absolute(a, "k");
  assert_int_equal(c.exclude.len, 3);
  assert_string_equal(c.exclude.items[0], "gen");
  assert_string_equal(c.exclude.items[1], al_arena_printf(a, "%s/gen", dir));
  assert_string_equal(c.exclude.items[2],
                      al_arena_printf(a, "%s/src/*.py", dir));
  assert_string_equal(c.extend_exclude.items[0],
                      al_arena_printf(a, "%s/x/y", dir));
  assert_string_equal(c.blocking_calls.items[0], "mylib.fetch");
  assert_string_equal(c.coroutine_functions.items[0], "mylib.afetch");
  assert_string_equal(c.async_context_managers.items[0], "mylib.Session");
  assert_int_equal(c.threads, 3);
  assert_int_equal(c.library_max_files, 100);
  assert_int_equal(c.library_max_mb, 8);
  assert_true(c.has_respect_gitignore);
  assert_false(c.respect_gitignore);
  // python-path: relative to the config's directory.
  assert_true(c.has_python_path);
  assert_int_equal(c.python_path.len, 2);
  assert_string_equal(
      c.python_path.items[0],
      al_arena_printf(a, "%s/.venv/lib/python3.11/site-packages", dir));
  assert_string_equal(c.python_path.items[1], "/opt");
  assert_int_equal(c.n_per_file_ignores, 1);
  assert_string_equal(c.per_file_ignores[0].glob, "tests/*.py");
  assert_string_equal(c.dir, dir);
  al_arena_free(a);
}

typedef struct {
  const char *file;
  const char *text;
  const char *expected; // the whole "path:line:col: message"
} key_error_case;

static void test_config_errors(void **state) {
  (void)state;
  static const key_error_case cases[] = {
      {"pyproject.toml", "[tool.asynclint]\nselct = [\"AL100\"]\n",
       "pyproject.toml:2:1: unknown key 'selct' in [tool.asynclint] (did "
       "you mean 'select'?)"},
      {"asynclint.toml", "per_file_ignores = {}\n",
       "asynclint.toml:1:1: unknown key 'per_file_ignores' (did you mean "
       "'per-file-ignores'?)"},
      {"asynclint.toml", "python-path = \"/usr\"\n",
       "asynclint.toml:1:15: 'python-path' must be an array of strings (got "
       "a string)"},
      {"asynclint.toml", "colour = 1\n",
       "asynclint.toml:1:1: unknown key 'colour'"},
      {"pyproject.toml", "[tool.asynclint]\nselect = \"AL100\"\n",
       "pyproject.toml:2:10: 'select' must be an array of strings (got a "
       "string)"},
      {"asynclint.toml", "ignore = [\"AL100\", 7]\n",
       "asynclint.toml:1:20: 'ignore' must be an array of strings (got an "
       "integer in it)"},
      {"asynclint.toml", "# é\nextend-select = [ \"AL1\", \"nope\" ]\n",
       "asynclint.toml:2:26: unknown rule selector 'nope' in "
       "'extend-select'"},
      {"asynclint.toml", "threads = 0\n",
       "asynclint.toml:1:11: 'threads' must be an integer from 1 to 256 (got "
       "0)"},
      {"asynclint.toml", "threads = \"4\"\n",
       "asynclint.toml:1:11: 'threads' must be an integer from 1 to 256 (got "
       "a string)"},
      {"asynclint.toml", "library-max-mb = 0\n",
       "asynclint.toml:1:18: 'library-max-mb' must be an integer from 1 to "
       "1000000 (got 0)"},
      {"asynclint.toml", "library-max-files = [1]\n",
       "asynclint.toml:1:21: 'library-max-files' must be an integer from 1 "
       "to 1000000 (got an array)"},
      {"asynclint.toml", "respect-gitignore = \"yes\"\n",
       "asynclint.toml:1:21: 'respect-gitignore' must be a boolean (got a "
       "string)"},
      {"asynclint.toml", "per-file-ignores = [\"x\"]\n",
       "asynclint.toml:1:20: 'per-file-ignores' must be a table of glob = "
       "[rules] (got an array)"},
      {"asynclint.toml", "[per-file-ignores]\n\"a.py\" = \"AL100\"\n",
       "asynclint.toml:2:10: 'per-file-ignores' entry 'a.py' must be an "
       "array of rules (got a string)"},
      {"asynclint.toml", "[per-file-ignores]\n\"a.py\" = [\"AL9\"]\n",
       "asynclint.toml:2:11: unknown rule selector 'AL9' in "
       "'per-file-ignores'"},
      {"asynclint.toml", "blocking-calls = [\"a..b\"]\n",
       "asynclint.toml:1:19: 'blocking-calls': 'a..b' is not a qualified "
       "name (expected a dotted Python name such as 'mylib.fetch')"},
      {"pyproject.toml", "[tool]\nasynclint = 1\n",
       "pyproject.toml:2:13: 'tool.asynclint' must be a table (got an "
       "integer)"},
      {"asynclint.toml", "[unknown.table]\nx = 1\n",
       "asynclint.toml:1:2: unknown key 'unknown'"},
      {"asynclint.toml", "select = [\"AL100\"\n",
       "asynclint.toml:1:1: TOML syntax error near 'select = [\"AL100\"'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[64], path[96];
    snprintf(dir, sizeof dir, "err%zu", i);
    snprintf(path, sizeof path, "%s/%s", dir, cases[i].file);
    write_file(path, cases[i].text);
    assert_int_equal(chdir(dir), 0);
    al_arena *a = al_arena_new();
    al_config c;
    bool found;
    al_error err = {0};
    if (al_config_load(&c, &found, a, cases[i].file, &err))
      fail_msg("case %zu loaded", i);
    char got[1200];
    snprintf(got, sizeof got, "%s:%u:%u: %s", err.path, err.line, err.column,
             err.message);
    if (strcmp(got, cases[i].expected) != 0)
      fail_msg("case %zu:\n  got      %s\n  expected %s", i, got,
               cases[i].expected);
    al_arena_free(a);
    assert_int_equal(chdir(".."), 0);
  }
}

static void test_config_unreadable(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  al_config c;
  bool found;
  al_error err = {0};
  assert_false(al_config_load(&c, &found, a, "missing.toml", &err));
  assert_string_equal(err.path, "missing.toml");
  assert_int_equal(err.line, 0);
  assert_string_equal(err.message,
                      "cannot read config file: No such file or directory");
  mkdir("adir.toml", 0755);
  assert_false(al_config_load(&c, &found, a, "adir.toml", &err));
  assert_non_null(strstr(err.message, "Is a directory"));
  al_arena_free(a);
}

static void test_pyproject_without_table(void **state) {
  (void)state;
  write_file("nt/pyproject.toml", "[tool.black]\nline-length = 100\n");
  al_arena *a = al_arena_new();
  al_config c;
  bool found = true;
  al_error err = {0};
  assert_true(al_config_load(&c, &found, a, "nt/pyproject.toml", &err));
  assert_false(found);
  al_arena_free(a);
}

// ---- Discovery -----------------------------------------------------------

static const al_config *discover(al_config_cache *cache, const char *path) {
  const al_config *c = NULL;
  al_error err = {0};
  if (!al_config_discover(cache, path, &c, &err))
    fail_msg("%s: %s", path, err.message);
  return c;
}

static void test_discovery(void **state) {
  (void)state;
  write_file("d/pyproject.toml", "[tool.asynclint]\nthreads = 1\n");
  write_file("d/a/pyproject.toml", "[project]\nname = 'x'\n");
  write_file("d/a/b/c.py", "");
  write_file("d/w/asynclint.toml", "threads = 2\n");
  write_file("d/w/pyproject.toml", "[tool.asynclint]\nthreads = 3\n");
  write_file("d/w/x/y.py", "");
  write_file("d/broken/pyproject.toml", "[tool.asynclint]\nnope = 1\n");
  al_arena *a = al_arena_new();
  al_config_cache *cache = al_config_cache_new(a);
  // Walks up past a pyproject.toml without the table.
  const al_config *c = discover(cache, "d/a/b/c.py");
  assert_non_null(c);
  assert_int_equal(c->threads, 1);
  assert_string_equal(c->path, "d/pyproject.toml");
  assert_ptr_equal(discover(cache, "d/a/b"), c); // cached, same config
  // asynclint.toml wins over pyproject.toml in the same directory.
  c = discover(cache, "d/w/x/y.py");
  assert_int_equal(c->threads, 2);
  assert_string_equal(c->path, "d/w/asynclint.toml");
  assert_int_equal(discover(cache, "d/w")->threads, 2);
  // Nothing above the temporary directory (assumed: /tmp has no config).
  assert_null(discover(cache, "."));
  // A broken closest config is an error.
  const al_config *out;
  al_error err = {0};
  assert_false(al_config_discover(cache, "d/broken", &out, &err));
  assert_int_equal(err.line, 2);
  al_config_cache_free(cache);
  al_arena_free(a);
}

// ---- Settings: config + command line --------------------------------------

static bool on(const bool *enabled, const char *code) {
  return enabled[al_rule_index(al_rule_find(code))];
}

static void test_settings_precedence(void **state) {
  (void)state;
  write_file("s/asynclint.toml", "select = [\"AL100\", \"AL200\"]\n"
                                 "ignore = [\"AL200\"]\n"
                                 "extend-select = [\"AL110\"]\n"
                                 "exclude = [\"gen\"]\n"
                                 "threads = 5\n"
                                 "[per-file-ignores]\n"
                                 "\"tests/*.py\" = [\"AL1\"]\n"
                                 "\"conftest.py\" = [\"AL110\"]\n");
  write_file("s/x.py", "");
  // Config alone.
  al_settings_opts o = {0};
  al_settings_set *set = al_settings_new(&o);
  const al_settings *s;
  al_error err = {0};
  assert_true(al_settings_for(set, "s/x.py", &s, &err));
  assert_true(on(s->enabled, "AL100"));
  assert_false(on(s->enabled, "AL200")); // select, then ignore
  assert_true(on(s->enabled, "AL110"));  // extend-select
  assert_false(on(s->enabled, "AL120")); // not selected
  assert_int_equal(s->discover.n_exclude, 2);
  assert_true(s->discover.respect_gitignore);
  uint32_t threads;
  assert_true(al_settings_threads(set, &threads, &err));
  assert_int_equal(threads, 0); // "." is the temp dir: no config there
  uint32_t n;
  al_rules_all(&n);
  bool *file = calloc(n, 1);
  al_settings_file_rules(s, "s/tests/t.py", file);
  assert_false(on(file, "AL100"));
  assert_false(on(file, "AL110"));
  al_settings_file_rules(s, "s/deep/conftest.py", file); // by name
  assert_true(on(file, "AL100"));
  assert_false(on(file, "AL110"));
  al_settings_file_rules(s, "s/other/tests/t.py", file); // anchored
  assert_true(on(file, "AL100"));
  al_settings_free(set);

  // The command line: --select replaces, --ignore and --extend-select add,
  // --exclude replaces, --extend-exclude adds.
  static const char *const sel[] = {"AL120", "AL200"};
  static const char *const ign[] = {"AL120"};
  static const char *const ext[] = {"AL107"};
  static const char *const exc[] = {"a", "b", "c"};
  static const char *const more[] = {"z"};
  al_discover_opts cli_disc = {exc, 3, more, 1, false};
  o = (al_settings_opts){.select = sel,
                         .n_select = 2,
                         .ignore = ign,
                         .n_ignore = 1,
                         .extend_select = ext,
                         .n_extend_select = 1,
                         .discover = &cli_disc};
  set = al_settings_new(&o);
  assert_true(al_settings_for(set, "s", &s, &err));
  assert_false(on(s->enabled, "AL100")); // config select replaced
  assert_false(on(s->enabled, "AL120")); // CLI ignore
  assert_false(on(s->enabled, "AL200")); // config ignore still applies
  assert_true(on(s->enabled, "AL110"));  // config extend-select
  assert_true(on(s->enabled, "AL107"));  // CLI extend-select
  assert_int_equal(s->discover.n_exclude, 3);
  assert_int_equal(s->discover.n_extend_exclude, 1);
  al_settings_free(set);

  // --isolated: no config; --config: that file wherever the path is.
  o = (al_settings_opts){.mode = AL_CONFIG_ISOLATED};
  set = al_settings_new(&o);
  assert_true(al_settings_for(set, "s/x.py", &s, &err));
  assert_null(s->config);
  assert_true(on(s->enabled, "AL120")); // defaults
  al_settings_free(set);
  o = (al_settings_opts){.mode = AL_CONFIG_FILE,
                         .config_file = "s/asynclint.toml"};
  set = al_settings_new(&o);
  assert_true(al_settings_for(set, ".", &s, &err));
  assert_non_null(s->config);
  assert_true(al_settings_threads(set, &threads, &err));
  assert_int_equal(threads, 5);
  al_settings_free(set);
  write_file("s/pyproject.toml", "[project]\n");
  o.config_file = "s/pyproject.toml";
  set = al_settings_new(&o);
  assert_false(al_settings_for(set, ".", &s, &err));
  assert_string_equal(err.message, "no [tool.asynclint] table in this file");
  al_settings_free(set);
  free(file);
}

// Two paths with different configs each get their own rules, in one run.
static void test_run_two_configs(void **state) {
  (void)state;
  const char *sleeper = "import time\nasync def f():\n    time.sleep(1)\n";
  write_file("r1/asynclint.toml", "ignore = [\"AL200\"]\n");
  write_file("r1/a.py", sleeper);
  write_file("r2/asynclint.toml", "blocking-calls = [\"mylib.fetch\"]\n"
                                  "coroutine-functions = [\"mylib.afetch\"]\n");
  write_file("r2/b.py", "import time, mylib\nasync def f():\n"
                        "    time.sleep(1)\n    mylib.fetch()\n"
                        "    mylib.afetch()\n");
  static const char *const paths[] = {"r1", "r2"};
  al_run_opts opts = {.paths = paths, .n_paths = 2, .threads = 1};
  al_run_result res;
  al_run(&res, &opts);
  assert_false(res.config_failed);
  assert_int_equal(res.diags.len, 3);
  // By position: time.sleep (line 3), mylib.fetch (4), mylib.afetch (5).
  assert_string_equal(res.diags.items[0].rule->code, "AL200");
  assert_string_equal(res.diags.items[1].rule->code, "AL208");
  assert_string_equal(res.diags.items[2].rule->code, "AL100");
  for (uint32_t i = 0; i < res.diags.len; i++)
    assert_string_equal(res.project.files.items[res.diags.items[i].file].path,
                        "r2/b.py");
  al_run_free(&res);

  opts.config_mode = AL_CONFIG_ISOLATED;
  al_run(&res, &opts);
  assert_int_equal(res.diags.len, 2); // AL200 twice, nothing configured
  al_run_free(&res);

  write_file("r3/asynclint.toml", "select = [\"AL7\"]\n");
  static const char *const bad[] = {"r3"};
  opts = (al_run_opts){.paths = bad, .n_paths = 1, .threads = 1};
  al_run(&res, &opts);
  assert_true(res.config_failed);
  assert_string_equal(res.config_error.path, "r3/asynclint.toml");
  assert_int_equal(res.config_error.line, 1);
  assert_int_equal(res.config_error.column, 11);
  al_run_free(&res);
}

static void test_catalog_extend(void **state) {
  (void)state;
  const char *lines = "mylib.fetch\tblocking\tAL208\tawait x\n"
                      "time.sleep\tblocking\tAL208\tnope\n"
                      "mylib.Session\tasync-context-manager\n";
  al_error err = {0};
  al_catalog *c = al_catalog_extend(al_catalog_builtin(), "config", lines,
                                    (uint32_t)strlen(lines), &err);
  assert_non_null(c);
  assert_int_equal(al_catalog_size(c),
                   al_catalog_size(al_catalog_builtin()) + 2);
  const al_catalog_entry *e = al_catalog_get(c, AL_STR_LIT("time.sleep"));
  assert_string_equal(e->blocking_code, "AL200"); // the built-in stays
  e = al_catalog_get(c, AL_STR_LIT("mylib.fetch"));
  assert_string_equal(e->blocking_code, "AL208");
  e = al_catalog_get(c, AL_STR_LIT("mylib.Session"));
  assert_true(e->facets & AL_CAT_ASYNC_CONTEXT_MANAGER);
  e = al_catalog_get(c, AL_STR_LIT("asyncio.sleep"));
  assert_true(e->facets & AL_CAT_COROUTINE);
  al_catalog_free(c);
  const char *bad = "x\tfacet-of-nothing\n";
  assert_null(al_catalog_extend(al_catalog_builtin(), "config", bad,
                                (uint32_t)strlen(bad), &err));
  assert_string_equal(err.path, "config");
}

// ---- Globs and gitignore -------------------------------------------------

typedef struct {
  const char *pattern;
  const char *text;
  unsigned flags;
  bool expected;
} glob_case;

static void test_glob(void **state) {
  (void)state;
  static const glob_case cases[] = {
      {"*.py", "a.py", 0, true},
      {"*.py", "d/a.py", 0, true}, // '*' crosses '/' without PATHNAME
      {"*.py", "d/a.py", AL_GLOB_PATHNAME, false},
      {"tests/**/*.py", "tests/a.py", 0, true}, // "**/" matches no dir
      {"tests/**/*.py", "tests/x/y/a.py", AL_GLOB_PATHNAME, true},
      {"**/gen", "gen", AL_GLOB_PATHNAME, true},
      {"**/gen", "a/b/gen", AL_GLOB_PATHNAME, true},
      {"a/**", "a/b/c", AL_GLOB_PATHNAME, true},
      {"a/**", "a", AL_GLOB_PATHNAME, false},
      {"a/**/b", "a/b", AL_GLOB_PATHNAME, true},
      {"a/**/b", "a/x/y/b", AL_GLOB_PATHNAME, true},
      {"a**b", "a/b", AL_GLOB_PATHNAME, false}, // not next to '/': a '*'
      {"a?c", "abc", 0, true},
      {"a?c", "a/c", AL_GLOB_PATHNAME, false},
      {"[a-c]x", "bx", 0, true},
      {"[!a-c]x", "bx", 0, false},
      {"[]]x", "]x", 0, true},
      {"\\*x", "*x", 0, true},
      {"\\*x", "ax", 0, false},
      {"[abc", "[abc", 0, true},
      {"*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
       false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (al_glob_match(cases[i].pattern, cases[i].text, cases[i].flags) !=
        cases[i].expected)
      fail_msg("case %zu: '%s' vs '%s' flags %u: expected %d", i,
               cases[i].pattern, cases[i].text, cases[i].flags,
               cases[i].expected);
}

typedef struct {
  const char *pattern;
  const char *path;
  bool is_dir;
  bool matches;
  bool negated;
} ignore_case;

static void test_gitignore_rules(void **state) {
  (void)state;
  static const ignore_case cases[] = {
      // No slash: matches the name at any depth.
      {"build", "build", true, true, false},
      {"build", "a/b/build", false, true, false},
      {"*.py[co]", "pkg/x.pyc", false, true, false},
      // Trailing slash: directories only.
      {"gen/", "gen", true, true, false},
      {"gen/", "gen", false, false, false},
      {"gen/", "a/gen", true, true, false},
      // A slash at the start or in the middle anchors to the .gitignore.
      {"/top.py", "top.py", false, true, false},
      {"/top.py", "a/top.py", false, false, false},
      {"doc/frotz", "doc/frotz", true, true, false},
      {"doc/frotz", "a/doc/frotz", true, false, false},
      {"a/*.py", "a/x.py", false, true, false},
      {"a/*.py", "a/b/x.py", false, false, false}, // '*' stops at '/'
      // '**'
      {"**/foo", "x/y/foo", false, true, false},
      {"**/foo/bar", "foo/bar", false, true, false},
      {"abc/**", "abc/x/y.py", false, true, false},
      {"a/**/b", "a/x/y/b", false, true, false},
      // Negation, escapes, comments, trailing spaces.
      {"!keep.py", "keep.py", false, true, true},
      {"\\!bang", "!bang", false, true, false},
      {"\\#hash", "#hash", false, true, false},
      {"#comment", "#comment", false, false, false},
      {"x.py   ", "x.py", false, true, false},
      {"sp\\ ", "sp ", false, true, false},
      {"", "x", false, false, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bool negated;
    bool m = al_gitignore_match(cases[i].pattern, cases[i].path,
                                cases[i].is_dir, &negated);
    if (m != cases[i].matches || (m && negated != cases[i].negated))
      fail_msg("case %zu: '%s' vs '%s'%s: got %d (negated %d)", i,
               cases[i].pattern, cases[i].path, cases[i].is_dir ? "/" : "", m,
               negated);
  }
}

static bool found_file(const al_discovery *d, const char *path) {
  for (uint32_t i = 0; i < d->files.len; i++)
    if (strcmp(d->files.items[i].path, path) == 0)
      return true;
  return false;
}

static void test_gitignore_walk(void **state) {
  (void)state;
  mkdir("g", 0755);
  mkdir("g/.git", 0755);
  write_file("g/.git/info/exclude", "excluded.py\n");
  write_file("g/.gitignore", "*.gen.py\n/rootonly.py\nlogs/\n!keep.gen.py\n");
  write_file("g/pkg/.gitignore", "local.py\n!rootonly.py\n");
  const char *files[] = {"g/a.py",
                         "g/x.gen.py",
                         "g/keep.gen.py",
                         "g/rootonly.py",
                         "g/pkg/rootonly.py",
                         "g/pkg/local.py",
                         "g/local.py",
                         "g/logs/l.py",
                         "g/excluded.py",
                         "g/pkg/deep/y.gen.py"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    write_file(files[i], "");
  al_arena *a = al_arena_new();
  al_discover_opts opts = {.respect_gitignore = true};
  al_discovery d = {0};
  const char *root[] = {"g"};
  al_discover(&d, a, root, 1, &opts);
  assert_true(found_file(&d, "g/a.py"));
  assert_false(found_file(&d, "g/x.gen.py"));
  assert_true(found_file(&d, "g/keep.gen.py"));
  assert_false(found_file(&d, "g/rootonly.py"));
  assert_true(found_file(&d, "g/pkg/rootonly.py"));
  assert_false(found_file(&d, "g/pkg/local.py"));
  assert_true(found_file(&d, "g/local.py"));
  assert_false(found_file(&d, "g/logs/l.py"));
  assert_false(found_file(&d, "g/excluded.py"));
  assert_false(found_file(&d, "g/pkg/deep/y.gen.py"));
  al_discovery_free(&d);

  // Starting below the work-tree root still reads the parents' files; a
  // file named explicitly is linted anyway.
  const char *sub[] = {"g/pkg", "g/x.gen.py"};
  al_discovery d2 = {0};
  al_discover(&d2, a, sub, 2, &opts);
  assert_false(found_file(&d2, "g/pkg/deep/y.gen.py"));
  assert_false(found_file(&d2, "g/pkg/local.py"));
  assert_true(found_file(&d2, "g/pkg/rootonly.py"));
  assert_true(found_file(&d2, "g/x.gen.py"));
  al_discovery_free(&d2);

  // Off: everything.
  opts.respect_gitignore = false;
  al_discovery d3 = {0};
  al_discover(&d3, a, root, 1, &opts);
  assert_true(found_file(&d3, "g/x.gen.py"));
  assert_true(found_file(&d3, "g/logs/l.py"));
  al_discovery_free(&d3);

  // Outside a work tree, a .gitignore means nothing.
  write_file("nogit/.gitignore", "*.py\n");
  write_file("nogit/a.py", "");
  opts.respect_gitignore = true;
  al_discovery d4 = {0};
  const char *ng[] = {"nogit"};
  al_discover(&d4, a, ng, 1, &opts);
  assert_true(found_file(&d4, "nogit/a.py"));
  al_discovery_free(&d4);
  al_arena_free(a);
}

static void test_path_helpers(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  assert_string_equal(al_path_join(a, "/a/b", "../c/./d//e"), "/a/c/d/e");
  assert_string_equal(al_path_join(a, "/a", "/x/../y"), "/y");
  assert_string_equal(al_path_join(a, "/", ".."), "/");
  assert_string_equal(al_path_join(a, "", "../x"), "../x");
  assert_string_equal(al_path_join(a, "a", "../../x"), "../x");
  assert_string_equal(al_path_parent(a, "/a/b"), "/a");
  assert_string_equal(al_path_parent(a, "/a"), "/");
  char *abs = al_path_absolute(a, "sub/x");
  assert_string_equal(al_path_display(a, abs), "sub/x");
  assert_string_equal(al_path_display(a, "/elsewhere/x"), "/elsewhere/x");
  al_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_toml_scalars),
      cmocka_unit_test(test_toml_tables_and_keys),
      cmocka_unit_test(test_toml_deep_nesting),
      cmocka_unit_test(test_toml_errors),
      cmocka_unit_test(test_config_all_keys),
      cmocka_unit_test(test_config_errors),
      cmocka_unit_test(test_config_unreadable),
      cmocka_unit_test(test_pyproject_without_table),
      cmocka_unit_test(test_discovery),
      cmocka_unit_test(test_settings_precedence),
      cmocka_unit_test(test_run_two_configs),
      cmocka_unit_test(test_catalog_extend),
      cmocka_unit_test(test_glob),
      cmocka_unit_test(test_gitignore_rules),
      cmocka_unit_test(test_gitignore_walk),
      cmocka_unit_test(test_path_helpers),
  };
  // TEST_FILTER=test_glob runs the tests whose names match (cmocka glob).
  if (getenv("TEST_FILTER"))
    cmocka_set_test_filter(getenv("TEST_FILTER"));
  return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
