// SPDX-License-Identifier: MIT
/*
 * Unit tests for the report stage: ordering and de-duplication, the
 * conversion of diags into items, the exact bytes of the text format and
 * the JSON document (parsed back field by field, including non-ASCII text
 * and a path that is not valid UTF-8), and the format table.
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

#include "report/report.h"

static const al_rule rule_unawaited = {
    .code = "AL100", .name = "unawaited-coroutine", .severity = AL_SEV_ERROR};
static const al_rule rule_sleep = {
    .code = "AL200", .name = "blocking-sleep", .severity = AL_SEV_WARNING};
static const al_rule rule_loop = {.code = "AL403",
                                  .name = "deprecated-get-event-loop",
                                  .severity = AL_SEV_INFO};

// A project whose files are given out of display-path order on purpose:
// sorting must go by path, not by file index.
static void project_init(al_project *p, const char *const *paths, uint32_t n) {
  *p = (al_project){0};
  for (uint32_t i = 0; i < n; i++)
    vec_push(&p->files, ((al_project_file){.path = paths[i]}));
}

static al_diag diag(uint32_t file, uint32_t row, uint32_t col,
                    const al_rule *rule, const char *message) {
  return (al_diag){.file = file,
                   .range = {.start_row = row,
                             .start_col = col,
                             .start_byte = row * 100 + col,
                             .end_row = row,
                             .end_col = col + 3,
                             .end_byte = row * 100 + col + 3},
                   .rule = rule,
                   .message = message};
}

static void test_sort(void **state) {
  (void)state;
  const char *paths[] = {"pkg/b.py", "a.py", "pkg/a.py"};
  al_project p;
  project_init(&p, paths, 3);
  al_diag d[] = {
      diag(0, 1, 0, &rule_sleep, "m"),     // pkg/b.py
      diag(2, 9, 0, &rule_sleep, "m"),     // pkg/a.py
      diag(1, 10, 4, &rule_sleep, "m"),    // a.py line 11
      diag(1, 2, 8, &rule_sleep, "m"),     // a.py line 3 col 9
      diag(1, 2, 4, &rule_sleep, "m"),     // a.py line 3 col 5, AL200
      diag(1, 2, 4, &rule_unawaited, "z"), // a.py line 3 col 5, AL100 z
      diag(1, 2, 4, &rule_unawaited, "a"), // a.py line 3 col 5, AL100 a
      diag(1, 2, 4, &rule_loop, "m"),      // a.py line 3 col 5, AL403
  };
  uint32_t n = sizeof d / sizeof d[0];
  al_report_sort(d, &n, &p);
  assert_int_equal(n, 8);
  struct {
    uint32_t file, row, col;
    const char *code, *message;
  } want[] = {
      {1, 2, 4, "AL100", "a"}, {1, 2, 4, "AL100", "z"},
      {1, 2, 4, "AL200", "m"}, {1, 2, 4, "AL403", "m"},
      {1, 2, 8, "AL200", "m"}, {1, 10, 4, "AL200", "m"},
      {2, 9, 0, "AL200", "m"}, {0, 1, 0, "AL200", "m"},
  };
  for (uint32_t i = 0; i < n; i++) {
    assert_int_equal(d[i].file, want[i].file);
    assert_int_equal(d[i].range.start_row, want[i].row);
    assert_int_equal(d[i].range.start_col, want[i].col);
    assert_string_equal(d[i].rule->code, want[i].code);
    assert_string_equal(d[i].message, want[i].message);
  }
  vec_free(&p.files);
}

static void test_dedupe(void **state) {
  (void)state;
  const char *paths[] = {"b.py", "a.py"};
  al_project p;
  project_init(&p, paths, 2);
  // The same finding reported twice (say, by two passes), plus near misses
  // that differ in one key each and must survive.
  al_diag d[] = {
      diag(0, 3, 1, &rule_sleep, "use asyncio.sleep"),
      diag(1, 3, 1, &rule_sleep, "use asyncio.sleep"),
      diag(0, 3, 1, &rule_sleep, "use asyncio.sleep"),
      diag(0, 3, 1, &rule_sleep, "use asyncio.sleep"),
      diag(0, 3, 2, &rule_sleep, "use asyncio.sleep"),
      diag(0, 4, 1, &rule_sleep, "use asyncio.sleep"),
      diag(0, 3, 1, &rule_unawaited, "use asyncio.sleep"),
      diag(0, 3, 1, &rule_sleep, "other message"),
      diag(1, 3, 1, &rule_sleep, "use asyncio.sleep"),
  };
  uint32_t n = sizeof d / sizeof d[0];
  al_report_sort(d, &n, &p);
  assert_int_equal(n, 6);
  for (uint32_t i = 1; i < n; i++) {
    const al_diag *a = &d[i - 1], *b = &d[i];
    bool same = a->file == b->file &&
                a->range.start_row == b->range.start_row &&
                a->range.start_col == b->range.start_col &&
                a->rule == b->rule && strcmp(a->message, b->message) == 0;
    assert_false(same);
  }
  // a.py first, then b.py's five.
  assert_int_equal(d[0].file, 1);
  for (uint32_t i = 1; i < n; i++)
    assert_int_equal(d[i].file, 0);
  // Nothing to do for 0 or 1 diags.
  n = 1;
  al_report_sort(d, &n, &p);
  assert_int_equal(n, 1);
  n = 0;
  al_report_sort(d, &n, &p);
  assert_int_equal(n, 0);
  vec_free(&p.files);
}

static void test_items(void **state) {
  (void)state;
  const char *paths[] = {"wide.py", "plain.py"};
  al_project p;
  project_init(&p, paths, 2);
  // wide.py: "x = 'é€'; time.sleep(1)\n" — the call starts at byte 13
  // (char column 11) and ends at byte 26 (char column 24).
  al_facts facts = {0};
  vec_push(&facts.lines.wide, ((al_wide_char){5, 1}));
  vec_push(&facts.lines.wide, ((al_wide_char){7, 3}));
  p.files.items[0].facts = &facts;
  al_diag d[] = {
      {.file = 0,
       .range = {13, 26, 0, 13, 0, 26},
       .rule = &rule_sleep,
       .message = "time.sleep"},
      // plain.py was never extracted (facts NULL): columns stay in bytes.
      {.file = 1,
       .range = {40, 52, 3, 4, 4, 2},
       .rule = &rule_unawaited,
       .message = NULL},
  };
  al_report_item items[2];
  al_report_items(items, d, 2, &p);
  assert_string_equal(items[0].path, "wide.py");
  assert_int_equal(items[0].start.line, 1);
  assert_int_equal(items[0].start.column, 11);
  assert_int_equal(items[0].end.line, 1);
  assert_int_equal(items[0].end.column, 24);
  assert_ptr_equal(items[0].rule, &rule_sleep);
  assert_string_equal(items[0].message, "time.sleep");
  assert_string_equal(items[1].path, "plain.py");
  assert_int_equal(items[1].start.line, 4);
  assert_int_equal(items[1].start.column, 5);
  assert_int_equal(items[1].end.line, 5);
  assert_int_equal(items[1].end.column, 3);
  assert_string_equal(items[1].message, "");
  vec_free(&facts.lines.wide);
  vec_free(&p.files);
}

static const al_report_item sample_items[] = {
    {.path = "a.py",
     .start = {3, 5},
     .end = {3, 18},
     .rule = &rule_sleep,
     .message =
         "blocking call time.sleep() in async function; use asyncio.sleep()"},
    {.path = "dir/b.py",
     .start = {10, 1},
     .end = {10, 8},
     .rule = &rule_unawaited,
     .message = "coroutine 'fetch' is never awaited"},
    {.path = "dir/ü.py",
     .start = {1, 12},
     .end = {1, 30},
     .rule = &rule_loop,
     .message = "« asyncio.get_event_loop() » — use get_running_loop() 😀"},
};

static const al_report_input sample_input = {
    .items = sample_items,
    .n_items = 3,
    .files_checked = 7,
    .files_with_problems = 3,
    .version = "0.1.0",
};

// Runs writer into memory; the caller frees the returned text.
static char *render(al_report_writer writer, const al_report_input *in) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  assert_true(writer(out, in));
  assert_int_equal(fclose(out), 0);
  assert_int_equal(strlen(buf), len);
  return buf;
}

static void test_text(void **state) {
  (void)state;
  char *out = render(al_report_text, &sample_input);
  assert_string_equal(
      out, "a.py:3:5: AL200 blocking call time.sleep() in async function; use "
           "asyncio.sleep()\n"
           "dir/b.py:10:1: AL100 coroutine 'fetch' is never awaited\n"
           "dir/ü.py:1:12: AL403 « asyncio.get_event_loop() » — use "
           "get_running_loop() 😀\n");
  free(out);
  al_report_input empty = {.version = "0.1.0"};
  out = render(al_report_text, &empty);
  assert_string_equal(out, "");
  free(out);
}

static void test_write_error(void **state) {
  (void)state;
  // /dev/full accepts the open and fails every write.
  FILE *full = fopen("/dev/full", "w");
  if (!full)
    skip();
  assert_false(al_report_text(full, &sample_input));
  clearerr(full);
  assert_false(al_report_json(full, &sample_input));
  fclose(full);
}

static void check_item(json_t *d, const al_report_item *it,
                       const char *severity) {
  assert_true(json_is_object(d));
  assert_int_equal(json_object_size(d), 10);
  // Keys in the documented order.
  const char *keys[] = {"path", "line", "column",   "end_line", "end_column",
                        "code", "name", "severity", "message",  "fix"};
  size_t k = 0;
  const char *key;
  json_t *value;
  json_object_foreach(d, key, value) { assert_string_equal(key, keys[k++]); }
  assert_string_equal(json_string_value(json_object_get(d, "path")), it->path);
  assert_int_equal(json_integer_value(json_object_get(d, "line")),
                   it->start.line);
  assert_int_equal(json_integer_value(json_object_get(d, "column")),
                   it->start.column);
  assert_int_equal(json_integer_value(json_object_get(d, "end_line")),
                   it->end.line);
  assert_int_equal(json_integer_value(json_object_get(d, "end_column")),
                   it->end.column);
  assert_string_equal(json_string_value(json_object_get(d, "code")),
                      it->rule->code);
  assert_string_equal(json_string_value(json_object_get(d, "name")),
                      it->rule->name);
  assert_string_equal(json_string_value(json_object_get(d, "severity")),
                      severity);
  assert_string_equal(json_string_value(json_object_get(d, "message")),
                      it->message);
}

static json_t *parse_json(const char *text) {
  json_error_t err;
  json_t *doc = json_loads(text, 0, &err);
  if (!doc)
    fail_msg("invalid JSON at %d:%d: %s\n%s", err.line, err.column, err.text,
             text);
  return doc;
}

static void test_json(void **state) {
  (void)state;
  char *out = render(al_report_json, &sample_input);
  // One document, two-space indentation, a trailing newline, UTF-8 kept.
  assert_true(strncmp(out,
                      "{\n  \"tool\": {\n    \"name\": \"asynclint\",\n"
                      "    \"version\": \"0.1.0\"\n  },\n",
                      strlen("{\n  \"tool\": {\n    \"name\": \"asynclint\",\n"
                             "    \"version\": \"0.1.0\"\n  },\n")) == 0);
  assert_int_equal(out[strlen(out) - 1], '\n');
  assert_int_not_equal(out[strlen(out) - 2], '\n');
  assert_non_null(strstr(out, "dir/ü.py"));
  assert_null(strstr(out, "\\u"));
  json_t *doc = parse_json(out);
  const char *top[] = {"tool", "diagnostics", "summary"};
  size_t k = 0;
  const char *key;
  json_t *value;
  json_object_foreach(doc, key, value) {
    assert_true(k < 3);
    assert_string_equal(key, top[k++]);
  }
  assert_int_equal(k, 3);
  json_t *tool = json_object_get(doc, "tool");
  assert_string_equal(json_string_value(json_object_get(tool, "name")),
                      "asynclint");
  assert_string_equal(json_string_value(json_object_get(tool, "version")),
                      "0.1.0");
  json_t *diags = json_object_get(doc, "diagnostics");
  assert_int_equal(json_array_size(diags), 3);
  check_item(json_array_get(diags, 0), &sample_items[0], "warning");
  check_item(json_array_get(diags, 1), &sample_items[1], "error");
  check_item(json_array_get(diags, 2), &sample_items[2], "info");
  json_t *summary = json_object_get(doc, "summary");
  const char *skeys[] = {"problems", "files_with_problems", "files_checked"};
  k = 0;
  json_object_foreach(summary, key, value) {
    assert_string_equal(key, skeys[k++]);
  }
  assert_int_equal(json_integer_value(json_object_get(summary, "problems")), 3);
  assert_int_equal(
      json_integer_value(json_object_get(summary, "files_with_problems")), 3);
  assert_int_equal(
      json_integer_value(json_object_get(summary, "files_checked")), 7);
  json_decref(doc);
  free(out);
}

static void test_json_empty(void **state) {
  (void)state;
  al_report_input in = {.files_checked = 2, .version = "9.9"};
  char *out = render(al_report_json, &in);
  json_t *doc = parse_json(out);
  assert_int_equal(json_array_size(json_object_get(doc, "diagnostics")), 0);
  json_t *summary = json_object_get(doc, "summary");
  assert_int_equal(json_integer_value(json_object_get(summary, "problems")), 0);
  assert_int_equal(
      json_integer_value(json_object_get(summary, "files_checked")), 2);
  json_decref(doc);
  free(out);
}

static void test_json_invalid_utf8(void **state) {
  (void)state;
  // Latin-1 bytes in a path, a lone continuation byte, a truncated 3-byte
  // sequence, an overlong '/', a surrogate and a code point above U+10FFFF:
  // each invalid run becomes one U+FFFD, valid text around it is kept.
  static const struct {
    const char *raw, *clean;
  } cases[] = {
      {"caf\xe9.py", "caf\xef\xbf\xbd.py"},
      {"a\x80"
       "b",
       "a\xef\xbf\xbd"
       "b"},
      {"x\xe2\x82y", "x\xef\xbf\xbdy"},
      {"\xc0\xafz", "\xef\xbf\xbd\xef\xbf\xbdz"},
      {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"ok \xe2\x82\xac \xf0\x9f\x98\x80", "ok \xe2\x82\xac \xf0\x9f\x98\x80"},
      {"end\xf0\x9f\x98", "end\xef\xbf\xbd"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    al_report_item item = {.path = cases[i].raw,
                           .start = {1, 1},
                           .end = {1, 2},
                           .rule = &rule_sleep,
                           .message = cases[i].raw};
    al_report_input in = {.items = &item, .n_items = 1, .version = "0.1.0"};
    char *out = render(al_report_json, &in);
    json_t *doc = parse_json(out);
    json_t *d = json_array_get(json_object_get(doc, "diagnostics"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "path")),
                        cases[i].clean);
    assert_string_equal(json_string_value(json_object_get(d, "message")),
                        cases[i].clean);
    json_decref(doc);
    free(out);
  }
}

static void test_formats(void **state) {
  (void)state;
  assert_ptr_equal(al_report_find_format("text"), al_report_text);
  assert_ptr_equal(al_report_find_format("json"), al_report_json);
  assert_ptr_equal(al_report_find_format("sarif"), al_report_sarif);
  assert_ptr_equal(al_report_find_format("github"), al_report_github);
  assert_null(al_report_find_format("xml"));
  assert_null(al_report_find_format("JSON"));
  assert_null(al_report_find_format(""));
  assert_null(al_report_find_format(NULL));
  assert_string_equal(al_report_format_names(), "text, json, sarif, github");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sort),
      cmocka_unit_test(test_dedupe),
      cmocka_unit_test(test_items),
      cmocka_unit_test(test_text),
      cmocka_unit_test(test_write_error),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_json_empty),
      cmocka_unit_test(test_json_invalid_utf8),
      cmocka_unit_test(test_formats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
