// SPDX-License-Identifier: MIT
/*
 * Unit tests for the result cache (cache/format.c, cache/cache.c) and the
 * validation of decoded facts (facts/validate.c). Round trips: the facts of
 * every fixture (fixtures/demo, fixtures/rules), extracted for real, are
 * encoded and decoded and must compare equal field by field, and encode to
 * the same bytes again. Damage: every truncation, every flipped bit and
 * trailing garbage make an entry a miss; forged entries (mutated, checksum
 * recomputed) never crash the decoder, and one forged record (an index out
 * of range, a scope's parent not before it, an unknown kind) makes the
 * entry a miss, in the decoder and in a whole run, while the untouched
 * entry loads. The directory: markers, get/put,
 * a truncated entry rebuilt, special files, a symbolic-link directory
 * refused, a directory that cannot be made, a write that fails (file size
 * limit, as a full disk would) warned about once, writers racing on one
 * entry, and al_run with the cache on giving the same diagnostics warm.
 *
 * Usage: test_cache FIXTURES_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/cache_p.h"
#include "cli/run.h"
#include "facts/extract.h"
#include "report/report.h"
#include "source/file.h"

static const char *fixtures_dir;
static char tmp_dir[] = "/tmp/asynclint-cache-XXXXXX";

// ---------------------------------------------------------------------------
// Field-by-field comparison, made from facts.h's field lists like the
// encoder and the decoder, so it cannot miss a field they write. (It can
// still fail: a field the decoder drops or garbles differs here.)

static void str_eq(al_str a, al_str b) {
  assert_true((a.ptr == NULL) == (b.ptr == NULL));
  assert_true(al_str_eq(a, b));
}

static void cstr_eq(const char *a, const char *b) {
  assert_true((a == NULL) == (b == NULL));
  if (a)
    assert_string_equal(a, b);
}

static void span_eq(al_span a, al_span b) {
  assert_int_equal(a.start_byte, b.start_byte);
  assert_int_equal(a.end_byte, b.end_byte);
}

#define NUM_EQ(a, b) assert_true((a) == (b))
#define EQ_STR(a, b) str_eq((a), (b))
#define EQ_CSTR(a, b) cstr_eq((a), (b))
#define EQ_SPAN(a, b) span_eq((a), (b))
#define EQ_REF(a, b) al_ref_eq(&(a), &(b))
#define EQ_ENUM NUM_EQ
#define EQ_BOOL NUM_EQ
#define EQ_FLAGS NUM_EQ
#define EQ_U8 NUM_EQ
#define EQ_U16 NUM_EQ
#define EQ_U32 NUM_EQ
#define EQ_U64 NUM_EQ
#define EQ_H64 NUM_EQ
#define EQ_IDX NUM_EQ
#define EQ_OPT NUM_EQ
#define EQ_LINK NUM_EQ

#define FIELD_EQ(type, kind, name, arg) EQ_##kind(a->name, b->name);

// static void al_call_eq(const al_call *a, const al_call *b), ...
#define DECLARE_RECORD_EQ(vector, type, fields)                                \
  static void type##_eq(const type *a, const type *b);
#define RECORD_EQ(vector, type, fields)                                        \
  static void type##_eq(const type *a, const type *b) { fields(FIELD_EQ) }
AL_FACTS_RECORDS(DECLARE_RECORD_EQ)
AL_FACTS_RECORDS(RECORD_EQ)

static void facts_eq(const al_facts *a, const al_facts *b) {
#define VECTOR_EQ(vector, type, fields)                                        \
  assert_int_equal(a->vector.len, b->vector.len);                              \
  for (uint32_t i = 0; i < a->vector.len; i++)                                 \
    type##_eq(&a->vector.items[i], &b->vector.items[i]);
  AL_FACTS_RECORDS(VECTOR_EQ)
#undef VECTOR_EQ
  assert_int_equal(a->lines.wide.len, b->lines.wide.len);
  for (uint32_t i = 0; i < a->lines.wide.len; i++) {
    NUM_EQ(a->lines.wide.items[i].offset, b->lines.wide.items[i].offset);
    NUM_EQ(a->lines.wide.items[i].extra_sum, b->lines.wide.items[i].extra_sum);
  }
  assert_int_equal(a->lines.rows.len, b->lines.rows.len);
  for (uint32_t i = 0; i < a->lines.rows.len; i++)
    assert_int_equal(a->lines.rows.items[i], b->lines.rows.items[i]);
  AL_FACTS_SCALARS(FIELD_EQ)
}

// ---------------------------------------------------------------------------
// Helpers.

static al_facts *extract_bytes(const char *text, size_t len) {
  al_arena *arena = al_arena_new();
  al_source src;
  al_source_from_bytes(&src, arena, "t.py", text, len);
  al_extractor *x = al_extractor_new();
  al_facts *f = al_extract(x, &src);
  al_extractor_free(x);
  al_arena_free(arena);
  return f;
}

static al_facts *extract_file(const char *path) {
  al_arena *arena = al_arena_new();
  al_source src;
  al_source_read(&src, arena, path, path);
  al_extractor *x = al_extractor_new();
  al_facts *f = al_extract(x, &src);
  al_extractor_free(x);
  al_arena_free(arena);
  return f;
}

static const al_cache_key key1 = {{0x0123456789abcdefull, 42}};

// Encode, decode, compare; then the decoded facts must encode to the same
// bytes (nothing lost that the comparison might miss).
static void round_trip(const al_facts *f) {
  size_t len, len2;
  unsigned char *data = al_cache_encode(f, &key1, &len);
  assert_non_null(data);
  al_facts *back = al_cache_decode(data, len, &key1);
  assert_non_null(back);
  facts_eq(f, back);
  unsigned char *again = al_cache_encode(back, &key1, &len2);
  assert_int_equal(len, len2);
  assert_memory_equal(data, again, len);
  free(again);
  al_facts_free(back);
  free(data);
}

static uint32_t round_trip_dir(const char *dir) {
  DIR *d = opendir(dir);
  assert_non_null(d);
  uint32_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (e->d_name[0] != '.' && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      n += round_trip_dir(path);
      continue;
    }
    size_t l = strlen(e->d_name);
    if (l < 4 || strcmp(e->d_name + l - 3, ".py") != 0)
      continue;
    al_facts *f = extract_file(path);
    round_trip(f);
    al_facts_free(f);
    n++;
  }
  closedir(d);
  return n;
}

// ---------------------------------------------------------------------------
// Round trips.

static void test_round_trip_fixtures(void **state) {
  (void)state;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/demo", fixtures_dir);
  uint32_t n = round_trip_dir(dir);
  snprintf(dir, sizeof dir, "%s/rules", fixtures_dir);
  n += round_trip_dir(dir);
  assert_true(n > 20);
}

static void test_round_trip_special(void **state) {
  (void)state;
  // Empty, non-ASCII (line map entries), a syntax error, undecodable bytes.
  static const char *const texts[] = {
      "",
      ("s = 'h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80'  # \xC3\xA9\n"
       "async def f():\n    await g(x='\xC3\xA9')\n"),
      "def f(:\n    pass\n",
      "x = '\xFF'\n",
      "\xEF\xBB\xBF# coding: latin-1\nx = 1\n",
  };
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    al_facts *f = extract_bytes(texts[i], strlen(texts[i]));
    round_trip(f);
    al_facts_free(f);
  }
  // Fields extraction rarely sets: every one non-zero, extreme values,
  // NULL vs "" strings; still facts that pass the decoder's validation.
  al_facts *f = al_facts_new();
  f->parse_gave_up = f->syntax_error = true;
  f->error_message = "the parser gave up";
  f->error_span = (al_span){10, 20};
  f->unreadable = true;
  f->problem = "cannot lint";
  f->problem_line = 7;
  f->problem_col = 8;
  f->text_hash = UINT64_MAX;
  f->text_len = UINT32_MAX;
  al_scope *m = vec_grow1(&f->scopes);
  m->parent = m->first_decorator = m->first_base = AL_NONE;
  al_block_site *b = vec_grow1(&f->blocks);
  b->range_bound = UINT64_MAX;
  b->call = b->comp = AL_NONE;
  b->span = (al_span){UINT32_MAX, UINT32_MAX};
  // Rows at both ends of what the decoder accepts: 1 and the text's end.
  vec_push(&f->lines.rows, 1);
  vec_push(&f->lines.rows, 2);
  vec_push(&f->lines.rows, UINT32_MAX);
  b->ref.dotted = (al_str){"", 0};
  b->ref.base_call = AL_NONE;
  al_arg *a = vec_grow1(&f->args);
  a->index = AL_ARG_KEYWORD;
  a->keyword = (al_str){"kw", 2};
  a->ref.base_call = a->target = AL_NONE;
  round_trip(f);
  // A span that ends before it starts is stored as a wrapped-around length
  // and read back as written; the decoder then refuses it.
  b->span = (al_span){UINT32_MAX, 0};
  size_t len;
  unsigned char *data = al_cache_encode(f, &key1, &len);
  assert_null(al_cache_decode(data, len, &key1));
  free(data);
  al_facts_free(f);
}

// ---------------------------------------------------------------------------
// Damage.

static unsigned char *demo_entry(size_t *len) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/demo/shop/web.py", fixtures_dir);
  al_facts *f = extract_file(path);
  assert_true(f->calls.len > 0);
  unsigned char *data = al_cache_encode(f, &key1, len);
  al_facts_free(f);
  return data;
}

static void test_truncated(void **state) {
  (void)state;
  size_t len;
  unsigned char *data = demo_entry(&len);
  for (size_t n = 0; n < len; n++)
    assert_null(al_cache_decode(data, n, &key1));
  // One byte too many is not an entry either.
  unsigned char *longer = malloc(len + 1);
  memcpy(longer, data, len);
  longer[len] = 0;
  assert_null(al_cache_decode(longer, len + 1, &key1));
  free(longer);
  // Nor is one filed under another key.
  al_cache_key other = key1;
  other.h[1]++;
  assert_null(al_cache_decode(data, len, &other));
  al_facts *ok = al_cache_decode(data, len, &key1);
  assert_non_null(ok);
  al_facts_free(ok);
  free(data);
}

static void test_flipped_bits(void **state) {
  (void)state;
  size_t len;
  unsigned char *data = demo_entry(&len);
  for (size_t i = 0; i < len; i++) {
    for (int bit = 0; bit < 8; bit += 3) {
      data[i] ^= (unsigned char)(1u << bit);
      assert_null(al_cache_decode(data, len, &key1));
      data[i] ^= (unsigned char)(1u << bit);
    }
  }
  free(data);
}

// Entries that pass the checksum but were not written by the encoder: the
// decoder's own checks must hold (ASan and UBSan watch this test).
static void test_forged(void **state) {
  (void)state;
  size_t len;
  unsigned char *data = demo_entry(&len);
  unsigned char *copy = malloc(len);
  uint64_t rng = 88172645463325252ull;
  uint32_t accepted = 0;
  for (int round = 0; round < 20000; round++) {
    memcpy(copy, data, len);
    int n_changes = 1 + round % 4;
    for (int k = 0; k < n_changes; k++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      size_t at = AL_CACHE__HEADER_BYTES +
                  (size_t)(rng % (len - AL_CACHE__HEADER_BYTES));
      copy[at] = (unsigned char)(rng >> 32);
    }
    al_cache__reseal(copy, len);
    al_facts *f = al_cache_decode(copy, len, &key1);
    accepted += f != NULL;
    al_facts_free(f);
  }
  // A shorter payload, resealed, with the length fixed: still refused (the
  // records run past the end).
  size_t cut = len - 5;
  memcpy(copy, data, cut);
  uint64_t payload = cut - AL_CACHE__HEADER_BYTES;
  for (int i = 0; i < 8; i++)
    copy[AL_CACHE__LENGTH_AT + i] = (unsigned char)(payload >> (8 * i));
  al_cache__reseal(copy, cut);
  assert_null(al_cache_decode(copy, cut, &key1));
  (void)accepted; // some mutations are harmless (a changed span): fine
  free(copy);
  free(data);
}

// ---------------------------------------------------------------------------
// Forged facts: a real entry whose records point where extraction never
// points (an index out of range, a scope's parent not before it, a run of
// arguments past the end, an unknown kind), encoded again so that its
// checksum is valid. The decoder's validation must refuse each one.

// A source with every kind of record the forgeries below change.
static const char forge_text[] =
    "import asyncio\n"
    "from os import path as p  # noqa: AL100\n"
    "s = 'h\\u00e9' + '\xC3\xA9\xE2\x82\xAC'  # noqa\n"
    "\n"
    "class Base:\n"
    "    pass\n"
    "\n"
    "class C(Base):\n"
    "    @staticmethod\n"
    "    def m(x: Base) -> 'Optional[Base]':\n"
    "        return x\n"
    "\n"
    "    async def run(self):\n"
    "        self.t = asyncio.create_task(work(1, key=lambda: 0))\n"
    "        task = asyncio.ensure_future(work(2))\n"
    "        await task\n"
    "        async with lock() as held:\n"
    "            pass\n"
    "        for i in range(10):\n"
    "            print([g(j) for j in f(i).items])\n"
    "        return await asyncio.sleep(0)\n";

// Points p at the first record of vector v for which cond (over p) holds;
// the forgery needs one, so there must be one.
#define FIND(p, v, cond)                                                       \
  do {                                                                         \
    uint32_t i_ = 0;                                                           \
    (p) = NULL;                                                                \
    for (; i_ < (v).len; i_++) {                                               \
      (p) = &(v).items[i_];                                                    \
      if (cond)                                                                \
        break;                                                                 \
    }                                                                          \
    assert_true(i_ < (v).len);                                                 \
  } while (0)

static void forge_call_scope(al_facts *f) {
  f->calls.items[0].scope = f->scopes.len;
}

static void forge_call_scope_none(al_facts *f) {
  f->calls.items[0].scope = AL_NONE;
}

static void forge_parent_self(al_facts *f) {
  uint32_t last = f->scopes.len - 1;
  f->scopes.items[last].parent = last;
}

static void forge_parent_forward(al_facts *f) {
  assert_true(f->scopes.len >= 3);
  f->scopes.items[1].parent = 2;
}

static void forge_module_parent(al_facts *f) { f->scopes.items[0].parent = 0; }

static void forge_args_overflow(al_facts *f) {
  al_call *c;
  FIND(c, f->calls, c->n_args > 0);
  c->n_args = f->args.len - c->first_arg + 1;
}

static void forge_args_wrap(al_facts *f) {
  al_call *c;
  FIND(c, f->calls, c->n_args > 0);
  c->first_arg = UINT32_MAX - 1; // first_arg + n_args wraps to 1
  c->n_args = 3;
}

static void forge_arg_parent_self(al_facts *f) {
  al_call *c;
  FIND(c, f->calls, c->ctx == AL_CTX_ARG);
  c->parent_call = (uint32_t)(c - f->calls.items);
}

// A literal argument with a name: only REF and ELEMENT arguments have one
// (OTHER keeps its text where the name would be, al_arg_text).
static void forge_literal_arg_ref(al_facts *f) {
  al_arg *a;
  FIND(a, f->args, a->kind == AL_ARG_LITERAL);
  a->ref.kind = AL_REF_DOTTED;
}

static void forge_import_target(al_facts *f) {
  al_binding *b;
  FIND(b, f->binds, b->kind == AL_BIND_IMPORT);
  b->target = f->imports.len;
}

static void forge_assign_target(al_facts *f) {
  al_binding *b;
  FIND(b, f->binds, b->kind == AL_BIND_ASSIGN && b->target != AL_NONE);
  b->target = f->calls.len;
}

static void forge_function_target(al_facts *f) {
  al_binding *b;
  al_scope *s;
  FIND(b, f->binds, b->kind == AL_BIND_FUNCTION);
  FIND(s, f->scopes, s->kind == AL_SCOPE_CLASS);
  b->target = (uint32_t)(s - f->scopes.items); // in range, not a function
}

static void forge_param_target(al_facts *f) {
  al_binding *b;
  FIND(b, f->binds, b->kind == AL_BIND_PARAM);
  b->target = 0;
}

static void forge_call_ctx(al_facts *f) {
  f->calls.items[0].ctx = AL_CTX_COMPREHENSION + 1;
}

static void forge_scope_kind(al_facts *f) {
  f->scopes.items[1].kind = AL_SCOPE_LAMBDA + 1;
}

static void forge_second_module(al_facts *f) {
  f->scopes.items[1].kind = AL_SCOPE_MODULE;
}

static void forge_bind_kind(al_facts *f) {
  f->binds.items[0].kind = AL_BIND_FOR + 1;
}

static void forge_annot_subtree(al_facts *f) {
  al_annot *a;
  FIND(a, f->annots, a->kind == AL_ANNOT_SUBSCRIPT);
  a->n = f->annots.len; // past the vector
}

static void forge_annot_orphan(al_facts *f) {
  f->annots.items[0].role = AL_ANNOT_CHILD; // a part of nothing
}

static void forge_annot_owner(al_facts *f) {
  al_annot *a;
  FIND(a, f->annots, a->role == AL_ANNOT_BINDING);
  a->owner = f->binds.len;
}

static void forge_annot_return(al_facts *f) {
  al_annot *a;
  al_scope *s;
  FIND(a, f->annots, a->role == AL_ANNOT_RETURN);
  FIND(s, f->scopes, s->kind == AL_SCOPE_CLASS);
  a->owner = (uint32_t)(s - f->scopes.items); // in range, not a function
}

static void forge_annot_kind(al_facts *f) {
  f->annots.items[0].kind = AL_ANNOT_OTHER + 1;
}

static void forge_annot_leaf(al_facts *f) {
  al_annot *a;
  FIND(a, f->annots, a->kind == AL_ANNOT_NAME && a->role == AL_ANNOT_BINDING);
  a->n = 1; // a name has no parts
}

static void forge_decorators(al_facts *f) {
  al_scope *s;
  FIND(s, f->scopes, s->n_decorators > 0);
  s->n_decorators = f->refs.len - s->first_decorator + 1;
}

static void forge_ref_base_call(al_facts *f) {
  al_arg *a;
  FIND(a, f->args, a->ref.kind == AL_REF_DOTTED);
  a->ref.base_call = f->calls.len;
}

static void forge_lambda_target(al_facts *f) {
  al_arg *a;
  FIND(a, f->args, a->kind == AL_ARG_LAMBDA && a->target != AL_NONE);
  a->target = f->scopes.len;
}

static void forge_use_binding(al_facts *f) {
  assert_true(f->uses.len > 0);
  f->uses.items[0].binding = f->binds.len;
}

static void forge_return_target(al_facts *f) {
  al_return *r;
  FIND(r, f->returns, r->kind == AL_RET_NAME);
  r->target = f->refs.len;
}

static void forge_await_call(al_facts *f) {
  al_async_site *a;
  FIND(a, f->asyncs, a->call != AL_NONE);
  a->call = f->calls.len;
}

static void forge_comp_parent(al_facts *f) {
  al_call *c;
  FIND(c, f->calls, c->ctx == AL_CTX_COMPREHENSION);
  c->parent_call = f->comps.len;
}

static void forge_block_call(al_facts *f) {
  al_block_site *b;
  FIND(b, f->blocks, b->call != AL_NONE);
  b->call = f->calls.len;
}

static void forge_import_scope(al_facts *f) {
  f->imports.items[0].scope = f->scopes.len;
}

static void forge_span_past_text(al_facts *f) {
  f->calls.items[0].span.end_byte = f->text_len + 1;
}

static void forge_comment_order(al_facts *f) {
  assert_true(f->comments.len >= 2);
  f->comments.items[1].row = f->comments.items[0].row;
  f->comments.items[1].byte = f->comments.items[0].byte;
}

static void forge_linemap_order(al_facts *f) {
  assert_true(f->lines.wide.len >= 2);
  f->lines.wide.items[1].offset = f->lines.wide.items[0].offset;
}

static void forge_linemap_past_text(al_facts *f) {
  assert_true(f->lines.wide.len > 0);
  f->lines.wide.items[f->lines.wide.len - 1].offset = f->text_len;
}

static void forge_rows_order(al_facts *f) {
  assert_true(f->lines.rows.len >= 2);
  f->lines.rows.items[1] = f->lines.rows.items[0];
}

static void forge_rows_past_text(al_facts *f) {
  assert_true(f->lines.rows.len > 0);
  f->lines.rows.items[f->lines.rows.len - 1] = f->text_len + 1;
}

static void forge_no_problem(al_facts *f) {
  f->unreadable = true;
  f->problem = NULL;
}

typedef struct {
  const char *what;
  void (*forge)(al_facts *f);
  bool demo; // applies to fixtures/demo/shop/web.py too (test_run_forged)
} forgery;

static const forgery forgeries[] = {
    {"call scope past the scopes", forge_call_scope, true},
    {"call scope AL_NONE", forge_call_scope_none, false},
    {"scope parent is itself", forge_parent_self, true},
    {"scope parent is a later scope", forge_parent_forward, true},
    {"module scope has a parent", forge_module_parent, false},
    {"call arguments past the args", forge_args_overflow, true},
    {"first_arg + n_args wraps around", forge_args_wrap, false},
    {"argument of itself", forge_arg_parent_self, false},
    {"literal argument with a name", forge_literal_arg_ref, false},
    {"import binding past the imports", forge_import_target, true},
    {"assignment bound to a call past the calls", forge_assign_target, true},
    {"function binding to a class scope", forge_function_target, false},
    {"parameter binding with a target", forge_param_target, false},
    {"call context not an al_ctx", forge_call_ctx, true},
    {"scope kind not an al_scope_kind", forge_scope_kind, false},
    {"a second module scope", forge_second_module, false},
    {"binding kind not an al_bind_kind", forge_bind_kind, false},
    {"decorators past the refs", forge_decorators, false},
    {"annotation subtree past the annots", forge_annot_subtree, false},
    {"annotation part of nothing", forge_annot_orphan, false},
    {"annotation of a binding past the binds", forge_annot_owner, false},
    {"return annotation of a class", forge_annot_return, false},
    {"annotation kind not an al_annot_kind", forge_annot_kind, false},
    {"annotation name with parts", forge_annot_leaf, false},
    {"ref base call past the calls", forge_ref_base_call, false},
    {"lambda argument past the scopes", forge_lambda_target, false},
    {"use of a binding past the binds", forge_use_binding, false},
    {"return of a name past the refs", forge_return_target, false},
    {"await of a call past the calls", forge_await_call, false},
    {"comprehension call past the comps", forge_comp_parent, false},
    {"with item call past the calls", forge_block_call, false},
    {"import scope past the scopes", forge_import_scope, false},
    {"span past the end of the text", forge_span_past_text, false},
    {"comments out of order", forge_comment_order, false},
    {"line map out of order", forge_linemap_order, false},
    {"line map past the text", forge_linemap_past_text, false},
    {"rows out of order", forge_rows_order, false},
    {"a row past the text", forge_rows_past_text, false},
    {"unreadable without a problem", forge_no_problem, false},
};

// Facts encoded as an entry whose checksum is valid: resealing it changes
// nothing, so only the decoder's validation can refuse it.
static unsigned char *forge_entry(const al_facts *f, const al_cache_key *key,
                                  size_t *len) {
  unsigned char *data = al_cache_encode(f, key, len);
  assert_non_null(data);
  unsigned char *copy = malloc(*len);
  memcpy(copy, data, *len);
  al_cache__reseal(copy, *len);
  assert_memory_equal(copy, data, *len);
  free(copy);
  return data;
}

static void test_forged_indexes(void **state) {
  (void)state;
  al_facts *f = extract_bytes(forge_text, sizeof forge_text - 1);
  assert_false(f->syntax_error);
  size_t len;
  unsigned char *data = al_cache_encode(f, &key1, &len);
  // Untouched, the entry loads: each forgery alone makes it fail.
  al_facts *back = al_cache_decode(data, len, &key1);
  assert_non_null(back);
  facts_eq(f, back);
  al_facts_free(back);
  for (size_t i = 0; i < sizeof forgeries / sizeof *forgeries; i++) {
    al_facts *g = al_cache_decode(data, len, &key1);
    assert_non_null(g);
    forgeries[i].forge(g);
    size_t forged_len;
    unsigned char *forged = forge_entry(g, &key1, &forged_len);
    al_facts *h = al_cache_decode(forged, forged_len, &key1);
    if (h)
      fail_msg("a forged entry was accepted: %s", forgeries[i].what);
    free(forged);
    al_facts_free(g);
  }
  free(data);
  al_facts_free(f);
}

// ---------------------------------------------------------------------------
// The directory.

static int setup_tmp(void **state) {
  (void)state;
  memcpy(tmp_dir + sizeof tmp_dir - 7, "XXXXXX", 6);
  return mkdtemp(tmp_dir) ? 0 : -1;
}

static int remove_tmp(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", tmp_dir, tmp_dir);
  return system(cmd) == 0 ? 0 : -1;
}

static char *in_tmp(const char *rel) {
  static char buf[4][PATH_MAX];
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, PATH_MAX, "%s/%s", tmp_dir, rel);
  return b;
}

static bool exists(const char *path) {
  struct stat sb;
  return lstat(path, &sb) == 0;
}

static char *entry_path(const char *dir, const al_cache_key *k) {
  static char buf[PATH_MAX];
  char hex[33];
  snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)k->h[0],
           (unsigned long long)k->h[1]);
  snprintf(buf, sizeof buf, "%s/%.2s/%s", dir, hex, hex);
  return buf;
}

static al_facts *sample_facts(void) {
  static const char text[] = "import asyncio\n\nasync def f():\n"
                             "    await asyncio.sleep(1)\n\nf()\n";
  return extract_bytes(text, sizeof text - 1);
}

static void test_dir_get_put(void **state) {
  (void)state;
  const char *dir = in_tmp("a/b/.asynclint_cache");
  al_cache *c = al_cache_open(dir);
  assert_null(al_cache_warning(c));
  assert_true(exists(in_tmp("a/b/.asynclint_cache/CACHEDIR.TAG")));
  assert_true(exists(in_tmp("a/b/.asynclint_cache/.gitignore")));
  al_facts *f = sample_facts();
  al_cache_key k = al_cache_key_of("abc", 3);
  assert_null(al_cache_get(c, &k));
  al_cache_put(c, &k, f);
  al_facts *g = al_cache_get(c, &k);
  assert_non_null(g);
  facts_eq(f, g);
  al_facts_free(g);
  uint32_t hits, writes;
  al_cache_stats(c, &hits, &writes);
  assert_int_equal(hits, 1);
  assert_int_equal(writes, 1);
  assert_true(exists(entry_path(dir, &k)));

  // Truncated on disk: a miss, then rebuilt.
  assert_int_equal(truncate(entry_path(dir, &k), 30), 0);
  assert_null(al_cache_get(c, &k));
  al_cache_put(c, &k, f);
  g = al_cache_get(c, &k);
  assert_non_null(g);
  al_facts_free(g);

  // A FIFO or a directory where the entry should be: a miss, no blocking.
  assert_int_equal(unlink(entry_path(dir, &k)), 0);
  assert_int_equal(mkfifo(entry_path(dir, &k), 0644), 0);
  assert_null(al_cache_get(c, &k));
  assert_int_equal(unlink(entry_path(dir, &k)), 0);
  assert_int_equal(mkdir(entry_path(dir, &k), 0755), 0);
  assert_null(al_cache_get(c, &k));
  assert_int_equal(rmdir(entry_path(dir, &k)), 0);
  assert_null(al_cache_warning(c));
  al_cache_close(c);

  // Another key of the same bytes differs only when the bytes do.
  al_cache_key k2 = al_cache_key_of("abc", 3), k3 = al_cache_key_of("abd", 3);
  assert_memory_equal(&k, &k2, sizeof k);
  assert_memory_not_equal(&k, &k3, sizeof k);
  al_facts_free(f);
}

static void test_dir_symlink_refused(void **state) {
  (void)state;
  assert_int_equal(mkdir(in_tmp("elsewhere"), 0755), 0);
  assert_int_equal(symlink(in_tmp("elsewhere"), in_tmp("link")), 0);
  al_cache *c = al_cache_open(in_tmp("link"));
  assert_non_null(al_cache_warning(c));
  assert_non_null(strstr(al_cache_warning(c), "symbolic link"));
  al_facts *f = sample_facts();
  al_cache_key k = al_cache_key_of("x", 1);
  al_cache_put(c, &k, f);
  assert_null(al_cache_get(c, &k));
  al_cache_close(c);
  al_facts_free(f);
  // Nothing was written through the link.
  DIR *d = opendir(in_tmp("elsewhere"));
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    n += e->d_name[0] != '.';
  closedir(d);
  assert_int_equal(n, 0);
}

static void test_dir_cannot_create(void **state) {
  (void)state;
  FILE *fp = fopen(in_tmp("plain"), "w");
  assert_non_null(fp);
  fclose(fp);
  al_cache *c = al_cache_open(in_tmp("plain/cache"));
  assert_non_null(al_cache_warning(c));
  al_facts *f = sample_facts();
  al_cache_key k = al_cache_key_of("x", 1);
  al_cache_put(c, &k, f);
  assert_null(al_cache_get(c, &k));
  al_cache_close(c);
  // A regular file as the cache directory.
  c = al_cache_open(in_tmp("plain"));
  assert_non_null(al_cache_warning(c));
  al_cache_close(c);
  al_facts_free(f);
}

// A write that fails half-way (a file size limit gives EFBIG where a full
// disk gives ENOSPC): one warning, later writes skipped, reads still work.
static void test_dir_write_fails(void **state) {
  (void)state;
  const char *dir = in_tmp("limited");
  al_cache *c = al_cache_open(dir);
  assert_null(al_cache_warning(c));
  al_facts *small = sample_facts();
  al_cache_key k1 = al_cache_key_of("1", 1), k2 = al_cache_key_of("2", 1);
  al_cache_put(c, &k1, small);

  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/demo/shop/web.py", fixtures_dir);
  al_facts *big = extract_file(path);
  size_t big_len;
  free(al_cache_encode(big, &key1, &big_len));
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  lim = old;
  lim.rlim_cur = big_len / 2;
  void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  al_cache_put(c, &k2, big);
  al_cache_put(c, &k2, big);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);

  const char *w = al_cache_warning(c);
  assert_non_null(w);
  assert_non_null(strstr(w, "cannot write"));
  assert_null(al_cache_get(c, &k2));
  // Disabled for writes now, even though the limit is gone.
  al_cache_put(c, &k2, big);
  assert_null(al_cache_get(c, &k2));
  al_facts *g = al_cache_get(c, &k1);
  assert_non_null(g);
  al_facts_free(g);
  uint32_t hits, writes;
  al_cache_stats(c, &hits, &writes);
  assert_int_equal(writes, 1);
  al_cache_close(c);
  // No temporary file was left behind.
  char cmd[PATH_MAX + 64];
  snprintf(cmd, sizeof cmd, "test -z \"$(find '%s' -name '.tmp-*')\"", dir);
  assert_int_equal(system(cmd), 0);
  al_facts_free(small);
  al_facts_free(big);
}

typedef struct {
  al_cache *cache;
  const al_facts *facts;
  al_cache_key key;
  int bad;
} race_arg;

static void *race(void *p) {
  race_arg *a = p;
  for (int i = 0; i < 200; i++) {
    al_cache_put(a->cache, &a->key, a->facts);
    al_facts *g = al_cache_get(a->cache, &a->key);
    if (!g || g->calls.len != a->facts->calls.len)
      a->bad++;
    al_facts_free(g);
  }
  return NULL;
}

// Writers racing on one entry (two caches on one directory stand for two
// runs): every read sees a whole entry.
static void test_dir_concurrent(void **state) {
  (void)state;
  const char *dir = in_tmp("shared");
  al_cache *c1 = al_cache_open(dir), *c2 = al_cache_open(dir);
  al_facts *f = sample_facts();
  race_arg args[4];
  pthread_t tids[4];
  for (int i = 0; i < 4; i++) {
    args[i] = (race_arg){i % 2 ? c1 : c2, f, al_cache_key_of("race", 4), 0};
    assert_int_equal(pthread_create(&tids[i], NULL, race, &args[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(tids[i], NULL);
    assert_int_equal(args[i].bad, 0);
  }
  assert_null(al_cache_warning(c1));
  assert_null(al_cache_warning(c2));
  al_cache_close(c1);
  al_cache_close(c2);
  al_facts_free(f);
}

// ---------------------------------------------------------------------------
// A whole run with the cache: warm gives the same diagnostics from hits.

static void run_demo(const char *cache_dir, bool cache, char **text,
                     uint32_t *hits, uint32_t *writes) {
  char demo[PATH_MAX];
  snprintf(demo, sizeof demo, "%s/demo", fixtures_dir);
  const char *paths[] = {demo};
  al_run_opts opts = {.paths = paths,
                      .n_paths = 1,
                      .threads = 2,
                      .cache = cache,
                      .cache_dir = cache_dir,
                      .config_mode = AL_CONFIG_ISOLATED};
  al_run_result res;
  al_run(&res, &opts);
  size_t size = 0;
  FILE *out = open_memstream(text, &size);
  for (uint32_t i = 0; i < res.diags.len; i++) {
    const al_diag *d = &res.diags.items[i];
    fprintf(out, "%s %u %u %s %s\n", res.project.files.items[d->file].path,
            d->range.start_row, d->range.start_col, d->rule->code, d->message);
  }
  fclose(out);
  assert_null(res.cache_warning);
  *hits = res.cache_hits;
  *writes = res.cache_writes;
  al_run_free(&res);
}

static void test_run_warm(void **state) {
  (void)state;
  const char *dir = in_tmp("run-cache");
  char *cold, *warm, *none;
  uint32_t hits, writes;
  run_demo(dir, false, &none, &hits, &writes);
  assert_false(exists(dir));
  run_demo(dir, true, &cold, &hits, &writes);
  assert_int_equal(hits, 0);
  assert_true(writes > 0);
  uint32_t n_files = writes;
  run_demo(dir, true, &warm, &hits, &writes);
  assert_int_equal(hits, n_files);
  assert_int_equal(writes, 0);
  assert_true(strlen(cold) > 0);
  assert_string_equal(none, cold);
  assert_string_equal(cold, warm);
  free(none);
  free(cold);
  free(warm);
}

static unsigned char *read_whole(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  assert_int_equal(fseek(fp, 0, SEEK_END), 0);
  long size = ftell(fp);
  assert_true(size >= 0);
  rewind(fp);
  unsigned char *buf = malloc((size_t)size + 1);
  *len = fread(buf, 1, (size_t)size, fp);
  assert_int_equal(*len, (size_t)size);
  fclose(fp);
  return buf;
}

static void write_whole(const char *path, const unsigned char *data,
                        size_t len) {
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}

// A forged entry on disk (valid checksum, an index out of range or an
// unknown kind) is a miss like a damaged one: the file is parsed again, the
// entry rewritten, and the diagnostics are those of a cold run.
static void test_run_forged(void **state) {
  (void)state;
  const char *dir = in_tmp("forged-cache");
  char *cold, *warm;
  uint32_t hits, writes;
  run_demo(dir, true, &cold, &hits, &writes);
  uint32_t n_files = writes;
  assert_true(n_files > 1);

  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/demo/shop/web.py", fixtures_dir);
  size_t src_len;
  unsigned char *src = read_whole(path, &src_len);
  al_cache_key k = al_cache_key_of((const char *)src, src_len);
  free(src);
  char entry[PATH_MAX];
  snprintf(entry, sizeof entry, "%s", entry_path(dir, &k));
  size_t len;
  unsigned char *data = read_whole(entry, &len);
  al_facts *extracted = al_cache_decode(data, len, &k);
  assert_non_null(extracted); // untouched, it loads

  uint32_t n_cases = 0;
  for (size_t i = 0; i < sizeof forgeries / sizeof *forgeries; i++) {
    if (!forgeries[i].demo)
      continue;
    n_cases++;
    al_facts *g = al_cache_decode(data, len, &k);
    forgeries[i].forge(g);
    size_t forged_len;
    unsigned char *forged = forge_entry(g, &k, &forged_len);
    al_facts_free(g);
    write_whole(entry, forged, forged_len);
    free(forged);
    run_demo(dir, true, &warm, &hits, &writes);
    if (hits != n_files - 1 || writes != 1)
      fail_msg("forged entry (%s): %u hits, %u writes", forgeries[i].what, hits,
               writes);
    assert_string_equal(cold, warm);
    free(warm);
    // Rewritten with what extraction records.
    size_t again_len;
    unsigned char *again = read_whole(entry, &again_len);
    al_facts *back = al_cache_decode(again, again_len, &k);
    assert_non_null(back);
    facts_eq(extracted, back);
    al_facts_free(back);
    free(again);
  }
  assert_true(n_cases >= 5);
  run_demo(dir, true, &warm, &hits, &writes);
  assert_int_equal(hits, n_files);
  assert_int_equal(writes, 0);
  assert_string_equal(cold, warm);
  free(warm);
  free(cold);
  al_facts_free(extracted);
  free(data);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: test_cache FIXTURES_DIR\n");
    return 2;
  }
  fixtures_dir = argv[1];
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_fixtures),
      cmocka_unit_test(test_round_trip_special),
      cmocka_unit_test(test_truncated),
      cmocka_unit_test(test_flipped_bits),
      cmocka_unit_test(test_forged),
      cmocka_unit_test(test_forged_indexes),
      cmocka_unit_test(test_dir_get_put),
      cmocka_unit_test(test_dir_symlink_refused),
      cmocka_unit_test(test_dir_cannot_create),
      cmocka_unit_test(test_dir_write_fails),
      cmocka_unit_test(test_dir_concurrent),
      cmocka_unit_test(test_run_warm),
      cmocka_unit_test(test_run_forged),
  };
  return cmocka_run_group_tests(tests, setup_tmp, remove_tmp);
}
