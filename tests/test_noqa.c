// SPDX-License-Identifier: MIT
/*
 * Unit tests for suppression comments: every accepted form, the near
 * misses that must not count, matching by code, name and equivalent code,
 * and applying comments (including skip-file) to a file's diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "suppress/noqa.h"

static const al_rule rule_unawaited = {
    .code = "AL100", .name = "unawaited-coroutine", .equivalents = ""};
static const al_rule rule_condition = {.code = "AL101",
                                       .name = "coroutine-as-condition"};
static const al_rule rule_sleep = {
    .code = "AL200", .name = "blocking-sleep", .equivalents = "ASYNC251"};
static const al_rule rule_task = {.code = "AL120",
                                  .name = "dangling-task",
                                  .equivalents = "ruff RUF006, ASYNC300"};

static bool parse(const char *text, al_noqa *out) {
  return al_noqa_parse(al_str_from(text), out);
}

static void assert_codes(const al_noqa *q, const char *const *codes,
                         uint8_t n) {
  assert_false(q->all);
  assert_int_equal(q->n, n);
  for (uint8_t i = 0; i < n; i++)
    assert_true(al_str_eq_c(q->codes[i], codes[i]));
}

static void test_bare(void **state) {
  (void)state;
  al_noqa q;
  const char *bare[] = {"# noqa",
                        "# NOQA",
                        "# NoQa",
                        "#  noqa",
                        "# noqa  ",
                        "# noqa:",
                        "# noqa: ",
                        "#\tnoqa",
                        "# noqa: because",
                        "# noqa AL100",
                        "# noqa # trailing",
                        "#noqa"};
  for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++) {
    assert_true(parse(bare[i], &q));
    assert_true(q.all);
    assert_false(q.skip_file);
    assert_int_equal(q.n, 0);
  }
}

static void test_no_space_after_hash(void **state) {
  (void)state;
  // ruff and flake8 match `#\s*noqa`.
  al_noqa q;
  assert_true(parse("#noqa:AL100", &q));
  assert_false(q.all);
  assert_int_equal(q.n, 1);
  assert_true(al_str_eq_c(q.codes[0], "AL100"));
}

static void test_codes(void **state) {
  (void)state;
  al_noqa q;
  const char *two[] = {"AL100", "AL200"};
  assert_true(parse("# noqa: AL100, AL200", &q));
  assert_codes(&q, two, 2);
  assert_true(parse("# noqa:AL100 AL200", &q));
  assert_codes(&q, two, 2);
  assert_true(parse("# noqa:AL100,AL200", &q));
  assert_codes(&q, two, 2);
  assert_true(parse("# NOQA:  AL100 ,\tAL200  ", &q));
  assert_codes(&q, two, 2);
  // The list stops at the first token that is not a code.
  const char *one[] = {"AL100"};
  assert_true(parse("# noqa: AL100 because reasons AL200", &q));
  assert_codes(&q, one, 1);
  assert_true(parse("# noqa: AL100.", &q));
  assert_codes(&q, one, 1);
  // Codes of other tools are kept as written; lower case too.
  const char *other[] = {"ASYNC251", "e501"};
  assert_true(parse("# noqa: ASYNC251, e501", &q));
  assert_codes(&q, other, 2);
}

static void test_after_other_text(void **state) {
  (void)state;
  al_noqa q;
  const char *one[] = {"AL100"};
  assert_true(parse("# type: ignore  # noqa: AL100", &q));
  assert_codes(&q, one, 1);
  assert_true(parse("# comment # noqa", &q));
  assert_true(q.all);
  // Several directives in one comment merge.
  const char *both[] = {"AL100", "AL200"};
  assert_true(parse("# asynclint: ignore[AL100]  # noqa: AL200", &q));
  assert_codes(&q, both, 2);
}

static void test_negatives(void **state) {
  (void)state;
  al_noqa q;
  const char *no[] = {"# noqa-ish",
                      "# noqa-something: AL100",
                      "#noqabc",
                      "# noqabc",
                      "# no qa",
                      "# this is not noqa",
                      "# see noqa: AL100",
                      "# asynclint ignore",
                      "# asynclint: ignored",
                      "# asynclint: ignore[AL100",
                      "# asynclint: ignore[AL100; AL200]",
                      "# asynclint: skip-files",
                      "# asynclint: whatever",
                      "# a regular comment",
                      "#",
                      ""};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
    if (parse(no[i], &q))
      fail_msg("'%s' parsed as a suppression", no[i]);
    assert_false(q.all);
    assert_false(q.skip_file);
    assert_int_equal(q.n, 0);
  }
}

static void test_own_form(void **state) {
  (void)state;
  al_noqa q;
  const char *two[] = {"AL100", "AL200"};
  assert_true(parse("# asynclint: ignore[AL100, AL200]", &q));
  assert_codes(&q, two, 2);
  assert_true(parse("# ASYNCLINT:IGNORE[ AL100 AL200 ]", &q));
  assert_codes(&q, two, 2);
  const char *names[] = {"blocking-sleep", "AL101"};
  assert_true(parse("# asynclint: ignore[blocking-sleep,AL101]", &q));
  assert_codes(&q, names, 2);
  assert_true(parse("# asynclint: ignore", &q));
  assert_true(q.all);
  assert_true(parse("# asynclint: ignore[]", &q));
  assert_true(q.all);
  assert_true(parse("#asynclint: ignore  # why", &q));
  assert_true(q.all);
  assert_true(parse("# asynclint: skip-file", &q));
  assert_true(q.skip_file);
  assert_false(q.all);
  assert_true(parse("# Asynclint : Skip-File", &q));
  assert_true(q.skip_file);
}

static void test_max_codes(void **state) {
  (void)state;
  char text[1024] = "# noqa:";
  for (int i = 0; i < AL_NOQA_MAX_CODES + 5; i++) {
    char code[16];
    snprintf(code, sizeof code, " AL%03d,", i);
    strcat(text, code);
  }
  al_noqa q;
  assert_true(parse(text, &q));
  assert_false(q.all);
  assert_int_equal(q.n, AL_NOQA_MAX_CODES);
  assert_true(al_str_eq_c(q.codes[AL_NOQA_MAX_CODES - 1], "AL031"));
  strcpy(text, "# asynclint: ignore[");
  for (int i = 0; i < AL_NOQA_MAX_CODES + 5; i++)
    strcat(text, "AL100 ");
  strcat(text, "]");
  assert_true(parse(text, &q));
  assert_int_equal(q.n, AL_NOQA_MAX_CODES);
}

static void test_covers(void **state) {
  (void)state;
  al_noqa q;
  assert_true(parse("# noqa", &q));
  assert_true(al_noqa_covers(&q, &rule_unawaited));
  assert_true(parse("# noqa: al100", &q));
  assert_true(al_noqa_covers(&q, &rule_unawaited));
  assert_false(al_noqa_covers(&q, &rule_condition));
  assert_false(al_noqa_covers(&q, &rule_sleep));
  assert_true(parse("# asynclint: ignore[blocking-sleep]", &q));
  assert_true(al_noqa_covers(&q, &rule_sleep));
  assert_false(al_noqa_covers(&q, &rule_unawaited));
  // A prefix is not a code.
  assert_true(parse("# noqa: AL10", &q));
  assert_false(al_noqa_covers(&q, &rule_unawaited));
  assert_true(parse("# asynclint: ignore[blocking]", &q));
  assert_false(al_noqa_covers(&q, &rule_sleep));
  // Codes of other tools map through the rule's equivalents.
  assert_true(parse("# noqa: ASYNC251", &q));
  assert_true(al_noqa_covers(&q, &rule_sleep));
  assert_false(al_noqa_covers(&q, &rule_unawaited));
  assert_false(al_noqa_covers(&q, &rule_condition));
  assert_true(parse("# noqa: RUF006", &q));
  assert_true(al_noqa_covers(&q, &rule_task));
  assert_true(parse("# noqa: async300", &q));
  assert_true(al_noqa_covers(&q, &rule_task));
  assert_true(parse("# noqa: ASYNC30", &q));
  assert_false(al_noqa_covers(&q, &rule_task));
  assert_true(parse("# asynclint: ignore[ruff]", &q));
  assert_false(al_noqa_covers(&q, &rule_task));
}

static void add_comment(al_facts *facts, uint32_t row, const char *text) {
  vec_push(&facts->comments,
           ((al_comment){.row = row, .text = al_str_from(text)}));
}

static al_diag diag_at(uint32_t row, const al_rule *rule) {
  return (al_diag){.file = 0,
                   .range = {.start_row = row, .end_row = row},
                   .rule = rule,
                   .message = rule->code};
}

static void test_apply(void **state) {
  (void)state;
  al_facts facts = {0};
  add_comment(&facts, 1, "# noqa");
  add_comment(&facts, 3, "# noqa: AL200");
  add_comment(&facts, 5, "# not a suppression");
  add_comment(&facts, 7, "# asynclint: ignore[unawaited-coroutine]");
  al_diag diags[] = {
      diag_at(0, &rule_unawaited), diag_at(1, &rule_unawaited),
      diag_at(1, &rule_sleep),     diag_at(3, &rule_unawaited),
      diag_at(3, &rule_sleep),     diag_at(3, &rule_sleep),
      diag_at(5, &rule_sleep),     diag_at(7, &rule_unawaited),
      diag_at(7, &rule_condition), diag_at(9, &rule_unawaited),
  };
  uint32_t n = sizeof diags / sizeof diags[0];
  al_noqa_apply(&facts, diags, &n);
  assert_int_equal(n, 5);
  uint32_t rows[] = {0, 3, 5, 7, 9};
  const al_rule *rules[] = {&rule_unawaited, &rule_unawaited, &rule_sleep,
                            &rule_condition, &rule_unawaited};
  for (uint32_t i = 0; i < n; i++) {
    assert_int_equal(diags[i].range.start_row, rows[i]);
    assert_ptr_equal(diags[i].rule, rules[i]);
  }
  vec_free(&facts.comments);
}

static void test_apply_unsorted(void **state) {
  (void)state;
  // Diags out of row order still meet the comment of their own row.
  al_facts facts = {0};
  add_comment(&facts, 2, "# noqa: AL100");
  add_comment(&facts, 4, "# noqa: AL200");
  al_diag diags[] = {
      diag_at(4, &rule_sleep),     diag_at(2, &rule_unawaited),
      diag_at(4, &rule_unawaited), diag_at(0, &rule_sleep),
      diag_at(2, &rule_sleep),     diag_at(4, &rule_sleep),
  };
  uint32_t n = sizeof diags / sizeof diags[0];
  al_noqa_apply(&facts, diags, &n);
  assert_int_equal(n, 3);
  assert_int_equal(diags[0].range.start_row, 4);
  assert_ptr_equal(diags[0].rule, &rule_unawaited);
  assert_int_equal(diags[1].range.start_row, 0);
  assert_int_equal(diags[2].range.start_row, 2);
  assert_ptr_equal(diags[2].rule, &rule_sleep);
  vec_free(&facts.comments);
}

static void test_apply_skip_file(void **state) {
  (void)state;
  al_facts facts = {0};
  add_comment(&facts, 0, "# noqa: AL999");
  add_comment(&facts, 40, "# asynclint: skip-file");
  al_diag diags[] = {diag_at(0, &rule_unawaited), diag_at(12, &rule_sleep),
                     diag_at(99, &rule_condition)};
  uint32_t n = 3;
  al_noqa_apply(&facts, diags, &n);
  assert_int_equal(n, 0);
  vec_free(&facts.comments);
}

static void test_apply_no_comments(void **state) {
  (void)state;
  al_facts facts = {0};
  al_diag diags[] = {diag_at(0, &rule_unawaited), diag_at(1, &rule_sleep)};
  uint32_t n = 2;
  al_noqa_apply(&facts, diags, &n);
  assert_int_equal(n, 2);
  n = 0;
  add_comment(&facts, 0, "# noqa");
  al_noqa_apply(&facts, diags, &n);
  assert_int_equal(n, 0);
  vec_free(&facts.comments);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bare),
      cmocka_unit_test(test_codes),
      cmocka_unit_test(test_after_other_text),
      cmocka_unit_test(test_negatives),
      cmocka_unit_test(test_no_space_after_hash),
      cmocka_unit_test(test_own_form),
      cmocka_unit_test(test_max_codes),
      cmocka_unit_test(test_covers),
      cmocka_unit_test(test_apply),
      cmocka_unit_test(test_apply_unsorted),
      cmocka_unit_test(test_apply_skip_file),
      cmocka_unit_test(test_apply_no_comments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
