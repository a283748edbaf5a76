// SPDX-License-Identifier: MIT
/*
 * Unit tests for the report writers added for CI and adoption: SARIF (the
 * document's shape and key order, rules from the registry, URIs relative
 * to %SRCROOT% or absolute, regions, fingerprints, notifications), GitHub
 * annotations (levels and escaping), --show-source (carets under tabs and
 * non-ASCII text, multi-line spans, unknown lines), --statistics, the line
 * keys behind fingerprints and the baseline, and al_report_attach_source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/hash.h"
#include "report/report.h"

// Writes through a writer into a malloc'd string.
static char *render(al_report_writer w, const al_report_input *in) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  assert_true(w(out, in));
  fclose(out);
  return buf;
}

static char *render_statistics(const al_report_input *in, bool json) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  assert_true(al_report_statistics(out, in, json));
  fclose(out);
  return buf;
}

static const al_rule *rule(const char *code) {
  const al_rule *r = al_rule_find(code);
  assert_non_null(r);
  return r;
}

static al_report_item item(const char *path, uint32_t line, uint32_t col,
                           uint32_t end_line, uint32_t end_col,
                           const char *code, const char *message) {
  return (al_report_item){.path = path,
                          .start = {line, col},
                          .end = {end_line, end_col},
                          .rule = rule(code),
                          .message = message,
                          .key = ""};
}

static json_t *parse(const char *text) {
  json_error_t err;
  json_t *doc = json_loads(text, 0, &err);
  if (!doc)
    fail_msg("invalid JSON: %s\n%s", err.text, text);
  return doc;
}

static const char *str(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  assert_true(json_is_string(v));
  return json_string_value(v);
}

static json_int_t num(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  assert_true(json_is_integer(v));
  return json_integer_value(v);
}

static void check_keys(json_t *obj, const char *const *keys, size_t n) {
  size_t k = 0;
  const char *key;
  json_t *value;
  json_object_foreach(obj, key, value) {
    assert_true(k < n);
    assert_string_equal(key, keys[k++]);
  }
  assert_int_equal(k, n);
}

// SARIF -----------------------------------------------------------------

static void test_sarif_document(void **state) {
  (void)state;
  al_report_item items[] = {
      item("pkg/a.py", 3, 5, 3, 12, "AL100", "fetch is async"),
      item("pkg/a.py", 9, 2, 9, 2, "AL002",
           "cannot read file: Permission "
           "denied"),
  };
  al_report_problem problems[] = {
      {"missing.py", "No such file or directory", true}};
  al_report_input in = {.items = items,
                        .n_items = 2,
                        .files_checked = 1,
                        .files_with_problems = 1,
                        .version = "1.2.3",
                        .problems = problems,
                        .n_problems = 1,
                        .execution_failed = true};
  char *out = render(al_report_sarif, &in);
  json_t *doc = parse(out);
  const char *top[] = {"$schema", "version", "runs"};
  check_keys(doc, top, 3);
  assert_string_equal(str(doc, "version"), "2.1.0");
  json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
  const char *run_keys[] = {"tool", "invocations", "originalUriBaseIds",
                            "columnKind", "results"};
  check_keys(run, run_keys, 5);
  assert_string_equal(str(run, "columnKind"), "unicodeCodePoints");

  json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
  assert_string_equal(str(driver, "name"), "asynclint");
  assert_string_equal(str(driver, "version"), "1.2.3");
  assert_string_equal(str(driver, "semanticVersion"), "1.2.3");
  assert_string_equal(str(driver, "informationUri"),
                      "https://github.com/asynclint/asynclint");
  // Every registered rule once, in code order, with its descriptor's text.
  uint32_t n_rules;
  const al_rule *const *all = al_rules_all(&n_rules);
  json_t *rules = json_object_get(driver, "rules");
  assert_int_equal(json_array_size(rules), n_rules);
  for (uint32_t i = 0; i < n_rules; i++) {
    json_t *r = json_array_get(rules, i);
    assert_string_equal(str(r, "id"), all[i]->code);
    assert_string_equal(str(r, "name"), all[i]->name);
    assert_string_equal(str(json_object_get(r, "shortDescription"), "text"),
                        all[i]->summary);
    assert_string_equal(str(json_object_get(r, "help"), "text"), all[i]->doc);
    assert_non_null(strstr(str(r, "helpUri"), "#al"));
    json_t *conf = json_object_get(r, "defaultConfiguration");
    const char *want = !all[i]->default_on                  ? "note"
                       : all[i]->severity == AL_SEV_ERROR   ? "error"
                       : all[i]->severity == AL_SEV_WARNING ? "warning"
                                                            : "note";
    assert_string_equal(str(conf, "level"), want);
  }

  json_t *results = json_object_get(run, "results");
  assert_int_equal(json_array_size(results), 2);
  json_t *r0 = json_array_get(results, 0);
  const char *result_keys[] = {"ruleId",  "ruleIndex", "level",
                               "message", "locations", "partialFingerprints"};
  check_keys(r0, result_keys, 6);
  assert_string_equal(str(r0, "ruleId"), "AL100");
  assert_ptr_equal(all[num(r0, "ruleIndex")], rule("AL100"));
  assert_string_equal(str(r0, "level"), "error");
  assert_string_equal(str(json_object_get(r0, "message"), "text"),
                      "fetch is async");
  json_t *phys = json_object_get(
      json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
  json_t *art = json_object_get(phys, "artifactLocation");
  assert_string_equal(str(art, "uri"), "pkg/a.py");
  assert_string_equal(str(art, "uriBaseId"), "%SRCROOT%");
  json_t *region = json_object_get(phys, "region");
  assert_int_equal(num(region, "startLine"), 3);
  assert_int_equal(num(region, "startColumn"), 5);
  assert_int_equal(num(region, "endLine"), 3);
  assert_int_equal(num(region, "endColumn"), 12);

  json_t *root = json_object_get(run, "originalUriBaseIds");
  const char *srcroot = str(json_object_get(root, "%SRCROOT%"), "uri");
  assert_true(strncmp(srcroot, "file:///", 8) == 0);
  assert_true(srcroot[strlen(srcroot) - 1] == '/');

  json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
  assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
  json_t *notes = json_object_get(inv, "toolExecutionNotifications");
  assert_int_equal(json_array_size(notes), 2);
  json_t *n0 = json_array_get(notes, 0);
  assert_string_equal(str(json_object_get(n0, "descriptor"), "id"),
                      "path-problem");
  assert_string_equal(str(n0, "level"), "error");
  json_t *n1 = json_array_get(notes, 1);
  assert_string_equal(str(json_object_get(n1, "descriptor"), "id"), "AL002");
  assert_string_equal(str(json_object_get(n1, "message"), "text"),
                      "cannot read file: Permission denied");
  json_decref(doc);
  free(out);
}

// The artifactLocation of one path, as {uri, uriBaseId or NULL}.
static void location_of(const char *path, char *uri, size_t size,
                        bool *relative) {
  al_report_item it = item(path, 1, 1, 1, 2, "AL100", "m");
  al_report_input in = {.items = &it, .n_items = 1, .version = "0.1.0"};
  char *out = render(al_report_sarif, &in);
  json_t *doc = parse(out);
  json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
  json_t *res = json_array_get(json_object_get(run, "results"), 0);
  json_t *art = json_object_get(
      json_object_get(json_array_get(json_object_get(res, "locations"), 0),
                      "physicalLocation"),
      "artifactLocation");
  snprintf(uri, size, "%s", str(art, "uri"));
  *relative = json_object_get(art, "uriBaseId") != NULL;
  json_decref(doc);
  free(out);
}

static void test_sarif_uris(void **state) {
  (void)state;
  char uri[4096];
  bool rel;
  location_of("./pkg//a.py", uri, sizeof uri, &rel);
  assert_true(rel);
  assert_string_equal(uri, "pkg/a.py");
  location_of("pkg/x/../a b%.py", uri, sizeof uri, &rel);
  assert_true(rel);
  assert_string_equal(uri, "pkg/a%20b%25.py");
  location_of("caf\xc3\xa9.py", uri, sizeof uri, &rel);
  assert_true(rel);
  assert_string_equal(uri, "caf%C3%A9.py");
  location_of("a:b.py", uri, sizeof uri, &rel); // not a URI scheme
  assert_string_equal(uri, "a%3Ab.py");
  location_of("/nonexistent-root/x.py", uri, sizeof uri, &rel);
  assert_false(rel);
  assert_string_equal(uri, "file:///nonexistent-root/x.py");

  // Absolute under the current directory: relative again; climbing out of
  // it with "..": absolute.
  char cwd[2048], path[4096];
  assert_non_null(getcwd(cwd, sizeof cwd));
  snprintf(path, sizeof path, "%s/sub/m.py", cwd);
  location_of(path, uri, sizeof uri, &rel);
  assert_true(rel);
  assert_string_equal(uri, "sub/m.py");
  location_of("../m.py", uri, sizeof uri, &rel);
  assert_false(rel);
  assert_true(strncmp(uri, "file:///", 8) == 0);
  assert_non_null(strstr(uri, "/m.py"));
}

static const char *fingerprint(const al_report_item *it) {
  static char buf[64];
  al_report_input in = {.items = it, .n_items = 1, .version = "0.1.0"};
  char *out = render(al_report_sarif, &in);
  json_t *doc = parse(out);
  json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
  json_t *res = json_array_get(json_object_get(run, "results"), 0);
  json_t *fp = json_object_get(res, "partialFingerprints");
  snprintf(buf, sizeof buf, "%s", str(fp, "asynclintLineHash/v1"));
  json_decref(doc);
  free(out);
  return buf;
}

static void test_sarif_fingerprints(void **state) {
  (void)state;
  al_report_item a = item("a.py", 3, 5, 3, 9, "AL100", "m");
  a.key = "fetch()";
  char first[64];
  snprintf(first, sizeof first, "%s", fingerprint(&a));
  assert_non_null(strstr(first, ":1"));
  // Moved to another line and column, another message: same fingerprint.
  al_report_item moved = a;
  moved.start = (al_position){40, 9};
  moved.end = (al_position){40, 13};
  moved.message = "other";
  assert_string_equal(fingerprint(&moved), first);
  // Another occurrence, rule or text: different.
  al_report_item second = a;
  second.occurrence = 1;
  assert_string_not_equal(fingerprint(&second), first);
  al_report_item other_rule = a;
  other_rule.rule = rule("AL200");
  assert_string_not_equal(fingerprint(&other_rule), first);
  al_report_item other_text = a;
  other_text.key = "fetch(1)";
  assert_string_not_equal(fingerprint(&other_text), first);
}

static void test_sarif_empty(void **state) {
  (void)state;
  al_report_input in = {.version = "unknown"};
  char *out = render(al_report_sarif, &in);
  json_t *doc = parse(out);
  json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
  json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
  assert_null(json_object_get(driver, "semanticVersion"));
  assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
  json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
  assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
  json_decref(doc);
  free(out);
}

// GitHub ----------------------------------------------------------------

static void test_github(void **state) {
  (void)state;
  al_report_item items[] = {
      item("pkg/a.py", 3, 5, 3, 12, "AL100", "fetch is async"),
      item("b,c:d%.py", 1, 1, 2, 4, "AL200", "100% bad\r\nreally: yes, 1"),
  };
  al_report_input in = {.items = items, .n_items = 2, .version = "0.1.0"};
  char *out = render(al_report_github, &in);
  assert_string_equal(
      out, "::error file=pkg/a.py,line=3,col=5,endLine=3,endColumn=12,"
           "title=AL100 (unawaited-coroutine)::fetch is async\n"
           "::warning file=b%2Cc%3Ad%25.py,line=1,col=1,endLine=2,"
           "endColumn=4,title=AL200 (blocking-sleep)::100%25 bad%0D%0Areally: "
           "yes, 1\n");
  free(out);
  // I rules are notices.
  al_report_item info = item("x.py", 1, 1, 1, 2, "AL003", "unused");
  in = (al_report_input){.items = &info, .n_items = 1};
  al_rule fake = *info.rule;
  fake.severity = AL_SEV_INFO;
  info.rule = &fake;
  out = render(al_report_github, &in);
  assert_true(strncmp(out, "::notice file=x.py,", 19) == 0);
  free(out);
}

// --show-source -----------------------------------------------------------

static void test_show_source(void **state) {
  (void)state;
  al_report_item items[] = {
      item("a.py", 12, 5, 12, 12, "AL100", "m1"),
      // A tab and non-ASCII characters before the span: carets by
      // characters, the tab kept.
      item("a.py", 7, 9, 7, 19, "AL200", "m2"),
      // Multi-line: underlined to the end of the first line.
      item("a.py", 3, 5, 5, 2, "AL100", "m3"),
      // The line is not known (file changed): no block.
      item("b.py", 1, 1, 1, 2, "AL100", "m4"),
      // Zero-width at the end of the line: one caret.
      item("c.py", 2, 4, 2, 4, "AL001", "m5"),
  };
  items[0].line = AL_STR_LIT("    fetch()");
  items[1].line = AL_STR_LIT("\t\xc3\xa9t\xc3\xa9 = time.sleep(1)");
  items[2].line = AL_STR_LIT("    go(");
  items[4].line = AL_STR_LIT("abc");
  al_report_input in = {.items = items, .n_items = 5, .show_source = true};
  char *out = render(al_report_text, &in);
  assert_string_equal(out, "a.py:12:5: AL100 m1\n"
                           "   |\n"
                           "12 |     fetch()\n"
                           "   |     ^^^^^^^\n"
                           "   |\n"
                           "\n"
                           "a.py:7:9: AL200 m2\n"
                           "  |\n"
                           "7 | \t\xc3\xa9t\xc3\xa9 = time.sleep(1)\n"
                           "  | \t       ^^^^^^^^^^\n"
                           "  |\n"
                           "\n"
                           "a.py:3:5: AL100 m3\n"
                           "  |\n"
                           "3 |     go(\n"
                           "  |     ^^^\n"
                           "  |\n"
                           "\n"
                           "b.py:1:1: AL100 m4\n"
                           "c.py:2:4: AL001 m5\n"
                           "  |\n"
                           "2 | abc\n"
                           "  |    ^\n"
                           "  |\n"
                           "\n");
  free(out);
  // Without the flag: the plain contract.
  in.show_source = false;
  out = render(al_report_text, &in);
  assert_string_equal(out, "a.py:12:5: AL100 m1\na.py:7:9: AL200 m2\n"
                           "a.py:3:5: AL100 m3\nb.py:1:1: AL100 m4\n"
                           "c.py:2:4: AL001 m5\n");
  free(out);
}

// --statistics ----------------------------------------------------------

static void test_statistics(void **state) {
  (void)state;
  al_report_item items[] = {
      item("a.py", 1, 1, 1, 2, "AL200", "m"),
      item("a.py", 2, 1, 2, 2, "AL100", "m"),
      item("a.py", 3, 1, 3, 2, "AL200", "m"),
      item("b.py", 1, 1, 1, 2, "AL120", "m"),
      item("b.py", 2, 1, 2, 2, "AL100", "m"),
      item("b.py", 3, 1, 3, 2, "AL100", "m"),
  };
  al_report_input in = {.items = items, .n_items = 6};
  char *out = render_statistics(&in, false);
  assert_string_equal(out, "   3  AL100  unawaited-coroutine\n"
                           "   2  AL200  blocking-sleep\n"
                           "   1  AL120  dangling-task\n");
  free(out);
  out = render_statistics(&in, true);
  json_t *doc = parse(out);
  assert_int_equal(json_array_size(doc), 3);
  assert_string_equal(str(json_array_get(doc, 0), "code"), "AL100");
  assert_int_equal(num(json_array_get(doc, 0), "count"), 3);
  assert_string_equal(str(json_array_get(doc, 2), "name"), "dangling-task");
  json_decref(doc);
  free(out);
  in.n_items = 0;
  out = render_statistics(&in, false);
  assert_string_equal(out, "");
  free(out);
}

// Line keys and attaching source ----------------------------------------------

static void test_line_key(void **state) {
  (void)state;
  al_arena *a = al_arena_new();
  assert_string_equal(al_report_line_key(AL_STR_LIT("  \tx  =\t f( 1 ) \r"), a),
                      "x = f( 1 )");
  assert_string_equal(al_report_line_key(AL_STR_LIT(""), a), "");
  assert_string_equal(al_report_line_key(AL_STR_LIT(" \t "), a), "");
  al_arena_free(a);
}

static void test_attach_source(void **state) {
  (void)state;
  // Standard input as the file: lines come from the bytes kept by al_run.
  static const char text[] = "import x\n"
                             "  fetch()\r\n"
                             "fetch()\n"
                             "\tfetch()";
  al_facts *facts = al_facts_new();
  facts->text_len = sizeof text - 1;
  facts->text_hash = al_hash64(text, sizeof text - 1, 0);
  al_project p = {0};
  vec_push(&p.files, ((al_project_file){.path = "-", .facts = facts}));
  const al_rule *r = rule("AL100");
  al_diag diags[] = {
      {.file = 0, .range = {.start_row = 1, .start_col = 2}, .rule = r},
      {.file = 0, .range = {.start_row = 2}, .rule = r},
      {.file = 0, .range = {.start_row = 3, .start_col = 1}, .rule = r},
      {.file = 0,
       .range = {.start_row = 3, .start_col = 1},
       .rule = rule("AL200")},
  };
  al_report_item items[4] = {0};
  al_report_items(items, diags, 4, &p);
  al_arena *a = al_arena_new();
  al_report_attach_source(items, diags, 4, &p, text, sizeof text - 1, a);
  assert_true(al_str_eq_c(items[0].line, "  fetch()"));
  assert_string_equal(items[0].key, "fetch()");
  assert_int_equal(items[0].occurrence, 0);
  assert_int_equal(items[1].occurrence, 1);
  assert_int_equal(items[2].occurrence, 2);
  assert_true(al_str_eq_c(items[2].line, "\tfetch()"));
  assert_int_equal(items[3].occurrence, 0); // another rule

  // Changed since the lint: no lines, empty keys.
  facts->text_hash ^= 1;
  al_report_attach_source(items, diags, 4, &p, text, sizeof text - 1, a);
  assert_null(items[0].line.ptr);
  assert_string_equal(items[0].key, "");
  assert_int_equal(items[1].occurrence, 1);
  al_arena_free(a);
  al_project_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sarif_document),
      cmocka_unit_test(test_sarif_uris),
      cmocka_unit_test(test_sarif_fingerprints),
      cmocka_unit_test(test_sarif_empty),
      cmocka_unit_test(test_github),
      cmocka_unit_test(test_show_source),
      cmocka_unit_test(test_statistics),
      cmocka_unit_test(test_line_key),
      cmocka_unit_test(test_attach_source),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
