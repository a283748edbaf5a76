// SPDX-License-Identifier: MIT
/*
 * Unit tests of the library catalog: every embedded line parses and names a
 * real rule; the format's errors carry file:line:col; look-ups merge facets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/embedded.h"
#include "model/catalog.h"
#include "rules/rule.h"

static al_catalog *parse1(const char *text, al_error *err) {
  const char *names[] = {"t.tsv"};
  const char *texts[] = {text};
  uint32_t lens[] = {(uint32_t)strlen(text)};
  return al_catalog_parse(names, texts, lens, 1, err);
}

static void test_builtin_parses_and_codes_are_rules(void **state) {
  (void)state;
  const al_catalog *c = al_catalog_builtin();
  assert_non_null(c);
  assert_true(al_catalog_size(c) > 10);
  // Every blocking code in every embedded catalog file is a registered rule.
  for (uint32_t i = 0; i < al_embedded_count; i++) {
    const al_embedded_file *f = &al_embedded_files[i];
    if (strncmp(f->name, "catalog/", 8) != 0)
      continue;
    const char *p = f->data;
    while ((p = strstr(p, "\tblocking\t")) != NULL) {
      p += strlen("\tblocking\t");
      char code[6] = {0};
      memcpy(code, p, 5);
      const al_rule *r = al_rule_find(code);
      if (!r)
        fail_msg("%s names unknown rule %s", f->name, code);
      assert_string_equal(r->code, code);
    }
  }
}

static void test_known_entries(void **state) {
  (void)state;
  const al_catalog *c = al_catalog_builtin();
  const al_catalog_entry *e = al_catalog_get(c, AL_STR_LIT("asyncio.sleep"));
  assert_non_null(e);
  assert_true(e->facets & AL_CAT_COROUTINE);
  e = al_catalog_get(c, AL_STR_LIT("time.sleep"));
  assert_non_null(e);
  assert_true(e->facets & AL_CAT_BLOCKING);
  assert_string_equal(e->blocking_code, "AL200");
  assert_string_equal(e->replacement, "await asyncio.sleep(...)");
  e = al_catalog_get(c, AL_STR_LIT("asyncio.create_task"));
  assert_non_null(e);
  assert_true(e->facets & AL_CAT_TASK);
  assert_true(e->facets & AL_CAT_EXPECTS_AWAITABLE);
  assert_int_equal(e->awaitable_positions, 1);
  assert_true(al_str_eq_c(e->awaitable_keyword, "coro"));
  assert_null(al_catalog_get(c, AL_STR_LIT("asyncio.nope")));
}

static void test_merge_and_args(void **state) {
  (void)state;
  al_error err = {0};
  al_catalog *c = parse1("# comment\n\n"
                         "m.f\tcoroutine\n"
                         "m.f\texpects-awaitable\t0[],2,kw=fs\n"
                         "m.g\texpects-awaitable\t*\n"
                         "m.h\treturns\tm.K\r\n"
                         "m.u\treturns-items\tm.R,m.W\n",
                         &err);
  assert_non_null(c);
  assert_int_equal(al_catalog_size(c), 4);
  const al_catalog_entry *u = al_catalog_get(c, AL_STR_LIT("m.u"));
  assert_true(u->facets & AL_CAT_RETURNS_ITEMS);
  assert_true(al_str_eq_c(u->items, "m.R,m.W"));
  const al_catalog_entry *f = al_catalog_get(c, AL_STR_LIT("m.f"));
  assert_true(f->facets & AL_CAT_COROUTINE);
  assert_true(f->awaitable_elements);
  assert_int_equal(f->awaitable_positions, (1u << 0) | (1u << 2));
  assert_true(al_str_eq_c(f->awaitable_keyword, "fs"));
  assert_true(al_catalog_get(c, AL_STR_LIT("m.g"))->awaitable_all_positional);
  assert_true(
      al_str_eq_c(al_catalog_get(c, AL_STR_LIT("m.h"))->returns, "m.K"));
  al_catalog_free(c);
}

static void expect_error(const char *text, uint32_t line, const char *needle) {
  al_error err = {0};
  al_catalog *c = parse1(text, &err);
  assert_null(c);
  assert_string_equal(err.path, "t.tsv");
  assert_int_equal(err.line, line);
  if (!strstr(err.message, needle))
    fail_msg("message '%s' lacks '%s'", err.message, needle);
}

static void test_errors(void **state) {
  (void)state;
  expect_error("a.b\tcoroutine\nx..y\tcoroutine\n", 2, "qualified name");
  expect_error("a.b\tfrobnicate\n", 1, "unknown facet");
  expect_error("a.b\tblocking\tAL2\tx\n", 1, "rule code");
  expect_error("a.b\tblocking\tAL200\n", 1, "replacement");
  expect_error("a.b\texpects-awaitable\tx\n", 1, "bad argument list");
  expect_error("a.b\texpects-awaitable\t99\n", 1, "bad argument list");
  expect_error("a.b\tcoroutine\textra\n", 1, "too many fields");
  expect_error("a.b\treturns\t\n", 1, "qualified class name");
  expect_error("a.b\treturns-items\t\n", 1, "separated by commas");
  expect_error("a.b\treturns-items\tm.R,\n", 1, "separated by commas");
  expect_error("a.b\treturns-items\tm.R,,m.W\n", 1, "separated by commas");
}

// Which blocking calls count through plain helpers (al_index_reaches) is a
// facet the catalog sets, so the index needs no rule code: the default-on
// kinds do, the opt-in ones (AL211, file-system metadata) do not, and a
// name keeps the kind of its first blocking line.
// What counts through helpers (al_index_reaches) is data: a blocking name
// with the direct-only facet does not, whatever its rule code.
static void test_direct_only(void **state) {
  (void)state;
  al_error err = {0};
  al_catalog *c = parse1("m.sleep\tblocking\tAL200\tx\n"
                         "m.stat\tdirect-only\n"
                         "m.stat\tblocking\tAL211\tz\n"
                         "m.own\tblocking\tAL208\tw\n"
                         "m.lock\tblocking\tAL207\tv\n"
                         "m.lock\tdirect-only\n",
                         &err);
  assert_non_null(c);
  const uint32_t d = AL_CAT_DIRECT_ONLY, b = AL_CAT_BLOCKING;
  assert_int_equal(al_catalog_get(c, AL_STR_LIT("m.sleep"))->facets & (b | d),
                   b);
  assert_int_equal(al_catalog_get(c, AL_STR_LIT("m.stat"))->facets & (b | d),
                   b | d);
  assert_int_equal(al_catalog_get(c, AL_STR_LIT("m.own"))->facets & (b | d), b);
  assert_int_equal(al_catalog_get(c, AL_STR_LIT("m.lock"))->facets & (b | d),
                   b | d);
  al_catalog_free(c);
  // The built-in catalog: every opt-in metadata query (AL211) is
  // direct-only, time.sleep is not.
  const al_catalog *builtin = al_catalog_builtin();
  const al_catalog_entry *e = al_catalog_get(builtin, AL_STR_LIT("time.sleep"));
  assert_false(e->facets & d);
  e = al_catalog_get(builtin, AL_STR_LIT("os.path.exists"));
  assert_true((e->facets & d) && strcmp(e->blocking_code, "AL211") == 0);
  for (uint32_t i = 0; i < al_embedded_count; i++) {
    const al_embedded_file *f = &al_embedded_files[i];
    if (strncmp(f->name, "catalog/", 8) != 0)
      continue;
    for (const char *p = f->data; (p = strstr(p, "\tblocking\tAL211\t")); p++) {
      const char *start = p;
      while (start > f->data && start[-1] != '\n')
        start--;
      al_str name = {start, (size_t)(p - start)};
      e = al_catalog_get(builtin, name);
      assert_non_null(e);
      if (!(e->facets & d))
        fail_msg("%.*s: AL211 without direct-only", (int)name.len, name.ptr);
    }
  }
}

// unless-made-with: the maker's arguments and their condition, kept apart
// from blocking-unless's; the built-in socket connect has it.
static void test_unless_made_with(void **state) {
  (void)state;
  al_error err = {0};
  al_catalog *c = parse1("m.S.connect\tblocking\tAL205\tx\n"
                         "m.S.connect\tblocking-unless\t0\tfalse\n"
                         "m.S.connect\tunless-made-with\t1,kw=type\t"
                         "names:DGRAM\n",
                         &err);
  assert_non_null(c);
  const al_catalog_entry *e = al_catalog_get(c, AL_STR_LIT("m.S.connect"));
  assert_true(e->facets & AL_CAT_UNLESS_MADE_WITH);
  assert_int_equal(e->made_args.positions, 1u << 1);
  assert_true(al_str_eq_c(e->made_args.keyword, "type"));
  assert_int_equal(e->made_cond, AL_UNLESS_NAMES);
  assert_true(al_str_eq_c(e->made_names, "DGRAM"));
  assert_int_equal(e->unless_cond, AL_UNLESS_FALSY);
  al_catalog_free(c);
  expect_error("a.b\tunless-made-with\t1\tmaybe\n", 1, "bad condition");
  e = al_catalog_get(al_catalog_builtin(), AL_STR_LIT("socket.socket.connect"));
  assert_true(e->facets & AL_CAT_UNLESS_MADE_WITH);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builtin_parses_and_codes_are_rules),
      cmocka_unit_test(test_known_entries),
      cmocka_unit_test(test_merge_and_args),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_direct_only),
      cmocka_unit_test(test_unless_made_with),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
