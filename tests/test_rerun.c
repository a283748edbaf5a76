// SPDX-License-Identifier: MIT
// The saved state of a run (src/cli/rerun_p.h): a round trip keeps every
// field, fixes included; a state cut anywhere, with any bit flipped, for
// another run key, or forged with a valid checksum around a finding that
// names an unknown rule or a file out of the list, is refused whole.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/hash.h"
#include "cli/rerun_p.h"

static const al_cache_key KEY = {{0x1234, 0x5678}};

// Two files, the first with two findings (one with a fix of two edits),
// a library and a site directory; a depends on b, and b watches "run".
static void make_state(al_rerun_state *s) {
  memset(s, 0, sizeof *s);
  s->arena = al_arena_new();
  s->machine = 42;
  s->start_sec = 1765000000;
  s->lib_count = 3;
  s->lib_bytes = 12345;
  s->budget_note = "budget reached";
  s->lib_needs = 0xABCDEF0123ull;
  al_rerun_file a = {.path = "app/a.py",
                     .st = {10, 1765000000 - 5, 123456789, 77, 2049},
                     .key = {{1, 2}},
                     .has_key = true,
                     .module = "app.a\na",
                     .first_diag = 0,
                     .n_diags = 2};
  al_rerun_file b = {.path = "app/b.py",
                     .st = {20, 1765000000 - 9, 5, 78, 2049},
                     .key = {{3, 4}},
                     .has_key = true,
                     .module = "app.b",
                     .first_diag = 2,
                     .n_diags = 0};
  vec_push(&s->files, a);
  vec_push(&s->files, b);
  al_rerun_file lib = {.path = "/venv/lib/x.py",
                       .st = {1, 2, 3, 4, 5},
                       .key = {{7, 8}},
                       .has_key = true,
                       .module = "x"};
  vec_push(&s->libs, lib);
  al_rerun_file dir = {.path = "/venv/lib", .st = {0, 9, 8, 7, 6}};
  vec_push(&s->dirs, dir);
  al_fix *fix = al_arena_alloc(s->arena, sizeof *fix);
  al_edit *edits = al_arena_alloc(s->arena, 2 * sizeof *edits);
  edits[0] = (al_edit){4, 4, "await "};
  edits[1] = (al_edit){10, 12, ""};
  *fix = (al_fix){AL_FIX_UNSAFE, "Add `await`", 2, 2, edits};
  al_diag d1 = {.file = 0,
                .range = {4, 11, 3, 4, 3, 11},
                .rule = al_rule_find("AL100"),
                .message = "'f' is async",
                .fix = fix};
  al_diag d2 = {.file = 0,
                .range = {20, 30, 5, 2, 5, 12},
                .rule = al_rule_find("AL200"),
                .message = "time.sleep blocks"};
  vec_push(&s->diags, d1);
  vec_push(&s->diags, d2);
  s->has_deps = true;
  vec_push(&s->dep_first, 0);
  vec_push(&s->deps, 1); // a -> b
  vec_push(&s->dep_first, 1);
  vec_push(&s->dep_first, 1); // b: none
  vec_push(&s->watches, ((al_rerun_watch){"run", 1}));
}

static void free_state(al_rerun_state *s) { al_rerun__state_free(s); }

static void test_round_trip(void **state) {
  (void)state;
  al_rerun_state s, t = {0};
  make_state(&s);
  size_t len;
  unsigned char *data = al_rerun__encode(&s, &KEY, &len);
  assert_true(al_rerun__decode(&t, data, len, &KEY));
  assert_int_equal(t.machine, 42);
  assert_int_equal(t.start_sec, 1765000000);
  assert_int_equal(t.lib_count, 3);
  assert_true(t.lib_needs == 0xABCDEF0123ull);
  assert_int_equal(t.libs.len, 1);
  assert_true(t.libs.items[0].has_key);
  assert_true(t.libs.items[0].key.h[0] == 7 && t.libs.items[0].key.h[1] == 8);
  assert_string_equal(t.libs.items[0].module, "x");
  assert_int_equal(t.lib_bytes, 12345);
  assert_string_equal(t.budget_note, "budget reached");
  assert_int_equal(t.files.len, 2);
  for (uint32_t i = 0; i < 2; i++) {
    const al_rerun_file *x = &s.files.items[i], *y = &t.files.items[i];
    assert_string_equal(x->path, y->path);
    assert_memory_equal(&x->st, &y->st, sizeof x->st);
    assert_memory_equal(&x->key, &y->key, sizeof x->key);
    assert_int_equal(x->has_key, y->has_key);
    assert_string_equal(x->module, y->module);
    assert_int_equal(x->first_diag, y->first_diag);
    assert_int_equal(x->n_diags, y->n_diags);
  }
  assert_string_equal(t.libs.items[0].path, "/venv/lib/x.py");
  assert_int_equal(t.dirs.items[0].st.mtime_sec, 9);
  assert_int_equal(t.diags.len, 2);
  const al_diag *d = &t.diags.items[0];
  assert_ptr_equal(d->rule, al_rule_find("AL100"));
  assert_memory_equal(&d->range, &s.diags.items[0].range, sizeof d->range);
  assert_string_equal(d->message, "'f' is async");
  assert_non_null(d->fix);
  assert_int_equal(d->fix->applicability, AL_FIX_UNSAFE);
  assert_string_equal(d->fix->message, "Add `await`");
  assert_int_equal(d->fix->n_edits, 2);
  assert_int_equal(d->fix->edits[1].start, 10);
  assert_int_equal(d->fix->edits[1].end, 12);
  assert_string_equal(d->fix->edits[0].content, "await ");
  assert_string_equal(d->fix->edits[1].content, "");
  assert_null(t.diags.items[1].fix);
  assert_true(t.has_deps);
  assert_int_equal(t.dep_first.len, 3);
  assert_int_equal(t.dep_first.items[1], 1);
  assert_int_equal(t.dep_first.items[2], 1);
  assert_int_equal(t.deps.len, 1);
  assert_int_equal(t.deps.items[0], 1);
  assert_int_equal(t.watches.len, 1);
  assert_string_equal(t.watches.items[0].name, "run");
  assert_int_equal(t.watches.items[0].file, 1);
  free(data);
  free_state(&t);
  free_state(&s);
}

static void test_damaged(void **state) {
  (void)state;
  al_rerun_state s;
  make_state(&s);
  size_t len;
  unsigned char *data = al_rerun__encode(&s, &KEY, &len);
  for (size_t cut = 0; cut < len; cut++) {
    al_rerun_state t = {0};
    assert_false(al_rerun__decode(&t, data, cut, &KEY));
  }
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit++) {
      data[i] ^= (unsigned char)(1u << bit);
      al_rerun_state t = {0};
      bool ok = al_rerun__decode(&t, data, len, &KEY);
      data[i] ^= (unsigned char)(1u << bit);
      assert_false(ok);
    }
  al_cache_key other = {{0x1234, 0x5679}};
  al_rerun_state t = {0};
  assert_false(al_rerun__decode(&t, data, len, &other));
  free(data);
  free_state(&s);
}

// Valid checksum, broken meaning: the decoder's own checks refuse it.
static void refuse_forged(al_rerun_state *s) {
  size_t len;
  unsigned char *data = al_rerun__encode(s, &KEY, &len);
  al_rerun_state t = {0};
  assert_false(al_rerun__decode(&t, data, len, &KEY));
  free(data);
}

static void test_forged(void **state) {
  (void)state;
  al_rerun_state s;
  make_state(&s);
  s.files.items[0].n_diags = 1; // a finding no file owns
  refuse_forged(&s);
  s.files.items[0].n_diags = 2;
  s.diags.items[1].file = 1; // a finding in another file's run
  refuse_forged(&s);
  s.diags.items[1].file = 0;
  const char *path = s.files.items[1].path;
  s.files.items[1].path = "app/0.py"; // files out of order
  refuse_forged(&s);
  s.files.items[1].path = path;
  al_fix *fix = (al_fix *)s.diags.items[0].fix;
  fix->edits[1].start = 3; // overlapping edits
  refuse_forged(&s);
  fix->edits[1].start = 10;
  fix->edits[1].end = 9; // an edit ending before it starts
  refuse_forged(&s);
  fix->edits[1].end = 12;
  s.deps.items[0] = 2; // a dependency out of the file list
  refuse_forged(&s);
  s.deps.items[0] = 0; // a file depending on itself
  refuse_forged(&s);
  s.deps.items[0] = 1;
  s.watches.items[0].file = 5; // a watcher out of the file list
  refuse_forged(&s);
  free_state(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_damaged),
      cmocka_unit_test(test_forged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
