// SPDX-License-Identifier: MIT
/*
 * The facts fixes are built from (facts/layout.c and the fields extraction
 * sets for them): where a new import line goes (import_at), the `with`/`for`
 * keyword after `async` (al_block_site.word),
 * a callee's length (al_ref.len), which parameters a call may leave out
 * (AL_BIND_OPTIONAL) and the left operands of `**` (AL_CALL_POWER_BASE,
 * AL_USE_POWER_BASE). Each case is inline source with the expected offset
 * written as the text before it, so that a wrong offset shows as text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "facts/extract.h"
#include "source/file.h"
#include "syntax/node.h"

static al_facts *extract(const char *text) {
  al_arena *arena = al_arena_new();
  al_source src;
  assert_true(
      al_source_from_bytes(&src, arena, "t.py", text, (uint32_t)strlen(text)));
  al_extractor *x = al_extractor_new();
  al_facts *f = al_extract(x, &src);
  al_extractor_free(x);
  al_arena_free(arena); // facts keep copies of what they need
  return f;
}

// import_at is where `before` ends in text (before a prefix of text), or
// AL_NONE when before is NULL.
static void expect_import_at(const char *text, const char *before) {
  al_facts *f = extract(text);
  if (!before) {
    assert_int_equal(f->import_at, AL_NONE);
  } else {
    size_t n = strlen(before);
    assert_memory_equal(text, before, n);
    if (f->import_at != n)
      fail_msg("import_at %u, expected %zu in:\n%s", f->import_at, n, text);
  }
  al_facts_free(f);
}

static void test_import_at(void **state) {
  (void)state;
  // No header: before the first statement, below the comments.
  expect_import_at("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n"
                   "async def f(): pass\n",
                   "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n");
  expect_import_at("x = 1\n", "");
  // After the docstring, the __future__ imports and the leading imports.
  expect_import_at("\"\"\"Doc.\n\nMore.\n\"\"\"\nx = 1\n",
                   "\"\"\"Doc.\n\nMore.\n\"\"\"\n");
  expect_import_at("'''Doc.'''\nfrom __future__ import annotations\n\n"
                   "x = 1\n",
                   "'''Doc.'''\nfrom __future__ import annotations\n");
  expect_import_at("import os\nfrom sys import (\n    argv,\n)  # c\n# c\n\n"
                   "def f(): pass\nimport re\n",
                   "import os\nfrom sys import (\n    argv,\n)  # c\n");
  // A second string is no docstring: the header ends before it.
  expect_import_at("import os\n'''s'''\n", "import os\n");
  // Only a header, ending the text with or without a newline.
  expect_import_at("import os\n", "import os\n");
  expect_import_at("import os", NULL);
  expect_import_at("", NULL);
  // A statement on the header's last line may run on past it.
  expect_import_at("import os; x = '''a\nb'''\n", NULL);
  // CRLF lines.
  expect_import_at("import os\r\n\r\nx = 1\r\n", "import os\r\n");
}

static void test_block_word(void **state) {
  (void)state;
  const char *text = "async def f():\n"
                     "    async  with a() as x, b():\n"
                     "        for y in x: pass\n"
                     "    return [z async\tfor z in y]\n";
  al_facts *f = extract(text);
  assert_int_equal(f->blocks.len, 4);
  const char *words[] = {"with a()", "with a()", "for y", "for z"};
  const char *kws[] = {"async  with", "async  with", "for y", "async\tfor"};
  for (uint32_t i = 0; i < 4; i++) {
    const al_block_site *b = &f->blocks.items[i];
    assert_memory_equal(text + b->word, words[i], strlen(words[i]));
    assert_memory_equal(text + b->keyword.start_byte, kws[i], strlen(kws[i]));
    assert_int_equal(b->is_async, i != 2);
  }
  al_facts_free(f);
}

static void test_callee_len(void **state) {
  (void)state;
  const char *text = "time . sleep (1)\nf()()\n(g)(2)\nh().m(3)\n";
  al_facts *f = extract(text);
  assert_int_equal(f->calls.len, 6);
  const char *callees[] = {"time . sleep", "f()", "f", "(g)", "h().m", "h"};
  for (uint32_t i = 0; i < 6; i++) {
    const al_call *c = &f->calls.items[i];
    if (c->callee.len != strlen(callees[i]) ||
        memcmp(text + c->span.start_byte, callees[i], c->callee.len) != 0)
      fail_msg("call %u: callee %.*s, expected %s", i, (int)c->callee.len,
               text + c->span.start_byte, callees[i]);
  }
  al_facts_free(f);
}

static void test_optional_params(void **state) {
  (void)state;
  al_facts *f = extract("def f(a, b=1, *args, c, d: int = 2, **kw): pass\n"
                        "def g(*args: int, **kw: str): pass\n");
  const char *optional[] = {"b", "args", "d", "kw", "args", "kw"};
  const char *required[] = {"a", "c"};
  uint32_t n_opt = 0, n_req = 0;
  for (uint32_t i = 0; i < f->binds.len; i++) {
    const al_binding *b = &f->binds.items[i];
    if (b->kind != AL_BIND_PARAM)
      continue;
    if (b->flags & AL_BIND_OPTIONAL) {
      assert_true(n_opt < 6);
      assert_true(al_str_eq_c(b->name, optional[n_opt++]));
    } else {
      assert_true(n_req < 2);
      assert_true(al_str_eq_c(b->name, required[n_req++]));
    }
  }
  assert_int_equal(n_opt, 6);
  assert_int_equal(n_req, 2);
  al_facts_free(f);
}

static void test_power_base(void **state) {
  (void)state;
  al_facts *f = extract("def g(s):\n"
                        "    return f() ** 2, 2 ** f(), -f() ** 2, f() * 2,"
                        " (f()) ** 2, s.x ** 2, 2 ** s.x, s.y > 1\n");
  assert_int_equal(f->calls.len, 5);
  const bool power[] = {true, false, true, false, true};
  for (uint32_t i = 0; i < 5; i++)
    assert_int_equal((f->calls.items[i].flags & AL_CALL_POWER_BASE) != 0,
                     power[i]);
  assert_int_equal(f->reads.len, 3);
  assert_int_equal(f->reads.items[0].flags, AL_USE_POWER_BASE);
  assert_int_equal(f->reads.items[1].flags, 0);
  assert_int_equal(f->reads.items[2].flags, AL_USE_COMPARED);
  al_facts_free(f);
}

int main(void) {
  al_node_init();
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_import_at),  cmocka_unit_test(test_block_word),
      cmocka_unit_test(test_callee_len), cmocka_unit_test(test_optional_params),
      cmocka_unit_test(test_power_base),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
