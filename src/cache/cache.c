// SPDX-License-Identifier: MIT
/*
 * The result cache (cache.h): the entry format, its encoder and its
 * defensive decoder, and the directory it lives in. Every number is written
 * little-endian whatever the host, every record field by field (never a
 * struct's bytes: they hold pointers and padding), every string as an
 * offset and a length into the entry's string table. The decoder checks
 * every read against the end of the payload and every string against the
 * table, after the header's checksum has matched, then validates the facts
 * as a whole (a checksum only proves that the writer meant these bytes), so
 * a damaged or forged entry is a miss and never a crash. This module knows
 * nothing of paths being linted.
 */
#include "cache/cache.h"
#include "cache/cache_p.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/vec.h"

// meson defines it for the core library; a hand build still compiles.
#ifndef AL_VERSION
#define AL_VERSION "unknown"
#endif

// The serializer below writes these structs field by field. A new field
// changes the size and stops the build here: write and read it below, bump
// AL_CACHE_FORMAT_VERSION, then update the number. (A field that fits in
// existing padding does not change the size: the encoder, the decoder and
// tests/test_cache.c's comparison must still learn it.) Sizes are those of
// LP64 hosts; other hosts skip the check.
#if UINTPTR_MAX == UINT64_MAX
#define SIZE_IS(T, n)                                                          \
  _Static_assert(sizeof(T) == (n), "update src/cache/cache.c for " #T)
#else
#define SIZE_IS(T, n) _Static_assert(1, "")
#endif
SIZE_IS(al_span, 8);
SIZE_IS(al_wide_char, 8);
SIZE_IS(al_linemap, 32);
SIZE_IS(al_scope, 80);
SIZE_IS(al_ref, 24);
SIZE_IS(al_call, 72);
SIZE_IS(al_arg, 56);
SIZE_IS(al_binding, 40);
SIZE_IS(al_import, 64);
SIZE_IS(al_async_site, 48);
SIZE_IS(al_comment, 32);
SIZE_IS(al_return, 20);
SIZE_IS(al_use, 32);
SIZE_IS(al_comp, 24);
SIZE_IS(al_block_site, 64);
SIZE_IS(al_facts, 296);

#define MAGIC "ALFACTS\n"
#define HEADER_BYTES AL_CACHE__HEADER_BYTES
#define NO_STRING UINT32_MAX
// An entry larger than this is not read (a file is at most 1 GiB and its
// facts are a fraction of it; anything bigger is not ours).
#define MAX_ENTRY_BYTES ((size_t)1 << 31)

// ---------------------------------------------------------------------------
// Hashing and little-endian fields: src/base/hash.h.

// The build: a hash of the running executable's bytes, so that a rebuilt
// binary (a changed extractor during development, when AL_VERSION stays
// the same) never reads facts written by another one. 0 when the
// executable cannot be read (then AL_VERSION alone tells builds apart).
static uint64_t build_id;
static pthread_once_t build_once = PTHREAD_ONCE_INIT;

static void compute_build_id(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat sb;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
      (uint64_t)sb.st_size <= MAX_ENTRY_BYTES) {
    size_t want = (size_t)sb.st_size, got = 0;
    unsigned char *buf = al_xmalloc(want);
    for (;;) {
      ssize_t r = read(fd, buf + got, want - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t)r;
      if (got == want)
        break;
    }
    if (got == want)
      build_id = al_hash64(buf, want, 0);
    free(buf);
  }
  close(fd);
}

al_cache_key al_cache_key_of(const char *bytes, size_t len) {
  // Everything besides the bytes that decides what extraction records:
  // the tool (its version and its build: the extractor, the tree-sitter
  // core and the grammar are all in the executable) and the format. The
  // config and the command line do not change facts; should that change,
  // what they contribute must be mixed in here.
  pthread_once(&build_once, compute_build_id);
  char meta[128];
  int n = snprintf(meta, sizeof meta, "asynclint %s facts %u build %016llx",
                   AL_VERSION, AL_CACHE_FORMAT_VERSION,
                   (unsigned long long)build_id);
  uint64_t m = al_hash64(meta, (size_t)n, 0);
  al_cache_key k = {{al_hash64(bytes, len, m),
                     al_hash64(bytes, len, ~m ^ 0x165667B19E3779F9ull)}};
  return k;
}

// ---------------------------------------------------------------------------
// Encoding.

typedef struct {
  unsigned char *p;
  size_t len, cap;
} wbuf;

static unsigned char *w_room(wbuf *b, size_t n) {
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n)
      cap *= 2;
    b->p = al_xrealloc(b->p, cap);
    b->cap = cap;
  }
  unsigned char *at = b->p + b->len;
  b->len += n;
  return at;
}

static void w_bytes(wbuf *b, const void *data, size_t n) {
  if (n)
    memcpy(w_room(b, n), data, n);
}

static void w_u8(wbuf *b, uint8_t v) { *w_room(b, 1) = v; }

// Fixed-width little-endian numbers: the header and the text hash.
static void w_fixed32(wbuf *b, uint32_t v) {
  unsigned char *p = w_room(b, 4);
  for (int i = 0; i < 4; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

static void w_fixed64(wbuf *b, uint64_t v) {
  unsigned char *p = w_room(b, 8);
  for (int i = 0; i < 8; i++)
    p[i] = (unsigned char)(v >> (8 * i));
}

// Everything else is a LEB128 varint, which makes entries about a third of
// the size of fixed-width ones (most numbers are small), and so faster to
// read back.
static void w_var(wbuf *b, uint64_t v) {
  unsigned char tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  tmp[n++] = (unsigned char)v;
  w_bytes(b, tmp, n);
}

// Indexes are often AL_NONE (UINT32_MAX) or 0xFFFF: stored plus one, with
// wrap-around, they take one byte.
static void w_u16(wbuf *b, uint16_t v) { w_var(b, (uint16_t)(v + 1u)); }

static void w_u32(wbuf *b, uint32_t v) { w_var(b, (uint32_t)(v + 1u)); }

static void w_u64(wbuf *b, uint64_t v) { w_var(b, v); }

// The string table: each distinct string once, followed by a NUL (so that
// C strings and slices can both point into it after loading).
typedef struct {
  uint32_t off, len; // off NO_STRING: empty slot
} str_slot;

typedef struct {
  wbuf recs; // the records
  wbuf strs; // the string table
  str_slot *slots;
  uint32_t n_slots, used; // n_slots a power of two
  bool too_big;           // the table outgrew 32-bit offsets
} encoder;

static uint32_t intern(encoder *e, const char *s, size_t len) {
  if (len >= NO_STRING || e->strs.len + len + 1 >= NO_STRING) {
    e->too_big = true;
    return 0;
  }
  if (e->used * 2 >= e->n_slots) {
    uint32_t n = e->n_slots ? e->n_slots * 2 : 256;
    str_slot *slots = al_xmalloc((size_t)n * sizeof *slots);
    for (uint32_t i = 0; i < n; i++)
      slots[i].off = NO_STRING;
    for (uint32_t i = 0; i < e->n_slots; i++) {
      str_slot sl = e->slots[i];
      if (sl.off == NO_STRING)
        continue;
      uint32_t j = (uint32_t)al_hash64(e->strs.p + sl.off, sl.len, 0) & (n - 1);
      while (slots[j].off != NO_STRING)
        j = (j + 1) & (n - 1);
      slots[j] = sl;
    }
    free(e->slots);
    e->slots = slots;
    e->n_slots = n;
  }
  uint32_t j = (uint32_t)al_hash64(s, len, 0) & (e->n_slots - 1);
  for (;; j = (j + 1) & (e->n_slots - 1)) {
    str_slot *sl = &e->slots[j];
    if (sl->off == NO_STRING)
      break;
    if (sl->len == len && memcmp(e->strs.p + sl->off, s, len) == 0)
      return sl->off;
  }
  uint32_t off = (uint32_t)e->strs.len;
  w_bytes(&e->strs, s, len);
  w_u8(&e->strs, 0);
  e->slots[j] = (str_slot){off, (uint32_t)len};
  e->used++;
  return off;
}

// A slice: offset and length; a NULL pointer stays NULL (NO_STRING).
static void w_str(encoder *e, al_str s) {
  if (!s.ptr) {
    w_u32(&e->recs, NO_STRING);
    w_u32(&e->recs, 0);
    return;
  }
  uint32_t off = intern(e, s.ptr, s.len);
  w_u32(&e->recs, off);
  w_u32(&e->recs, (uint32_t)s.len);
}

static void w_cstr(encoder *e, const char *s) {
  w_str(e, (al_str){s, s ? strlen(s) : 0});
}

// Ends as differences from starts (modulo 2^32, so any value round-trips).
static void w_span(wbuf *b, al_span s) {
  w_u32(b, s.start_byte);
  w_u32(b, s.end_byte - s.start_byte);
}

static void w_ref(encoder *e, const al_ref *r) {
  w_str(e, r->dotted);
  w_u32(&e->recs, r->base_call);
  w_u8(&e->recs, r->kind);
}

static void w_scope(encoder *e, const al_scope *s) {
  wbuf *b = &e->recs;
  w_str(e, s->name);
  w_span(b, s->name_span);
  w_span(b, s->def_span);
  w_u32(b, s->parent);
  w_u8(b, s->kind);
  w_u8(b, s->flags);
  w_u32(b, s->first_decorator);
  w_u32(b, s->n_decorators);
  w_u32(b, s->first_base);
  w_u32(b, s->n_bases);
  w_str(e, s->first_param);
  w_u32(b, s->n_stmts);
}

static void w_call(encoder *e, const al_call *c) {
  wbuf *b = &e->recs;
  w_ref(e, &c->callee);
  w_span(b, c->span);
  w_u32(b, c->scope);
  w_u32(b, c->parent_call);
  w_str(e, c->ctx_name);
  w_u16(b, c->arg_index);
  w_u8(b, c->ctx);
  w_u8(b, c->flags);
  w_u32(b, c->first_arg);
  w_u32(b, c->n_args);
}

static void w_arg(encoder *e, const al_arg *a) {
  wbuf *b = &e->recs;
  w_ref(e, &a->ref);
  w_span(b, a->span);
  w_str(e, a->keyword);
  w_u16(b, a->index);
  w_u8(b, a->kind);
  w_u8(b, a->flags);
  w_u32(b, a->target);
}

static void w_binding(encoder *e, const al_binding *x) {
  wbuf *b = &e->recs;
  w_str(e, x->name);
  w_span(b, x->span);
  w_u32(b, x->scope);
  w_u32(b, x->target);
  w_u32(b, x->value_ref);
  w_u8(b, x->kind);
  w_u8(b, x->flags);
}

static void w_import(encoder *e, const al_import *x) {
  wbuf *b = &e->recs;
  w_str(e, x->module);
  w_str(e, x->name);
  w_str(e, x->local);
  w_span(b, x->span);
  w_u32(b, x->scope);
  w_u8(b, x->level);
  w_u8(b, x->flags);
}

static void w_async(encoder *e, const al_async_site *x) {
  wbuf *b = &e->recs;
  w_span(b, x->span);
  w_u32(b, x->scope);
  w_u8(b, x->kind);
  w_u8(b, x->operand);
  w_u8(b, x->flags);
  w_u32(b, x->call);
  w_ref(e, &x->ref);
}

static void w_comment(encoder *e, const al_comment *x) {
  wbuf *b = &e->recs;
  w_u32(b, x->row);
  w_str(e, x->text);
  w_u32(b, x->col);
  w_u32(b, x->byte);
}

static void w_return(encoder *e, const al_return *x) {
  wbuf *b = &e->recs;
  w_span(b, x->span);
  w_u32(b, x->scope);
  w_u32(b, x->target);
  w_u8(b, x->kind);
}

static void w_use(encoder *e, const al_use *x) {
  wbuf *b = &e->recs;
  w_span(b, x->span);
  w_u32(b, x->binding);
  w_u32(b, x->scope);
  w_u32(b, x->parent_call);
  w_u32(b, x->block_start);
  w_u32(b, x->block_end);
  w_u16(b, x->arg_index);
  w_u8(b, x->ctx);
}

static void w_comp(encoder *e, const al_comp *x) {
  wbuf *b = &e->recs;
  w_span(b, x->span);
  w_u32(b, x->scope);
  w_u32(b, x->binding);
  w_u32(b, x->parent_call);
  w_u8(b, x->kind);
  w_u8(b, x->ctx);
}

static void w_block(encoder *e, const al_block_site *x) {
  wbuf *b = &e->recs;
  w_span(b, x->span);
  w_span(b, x->keyword);
  w_u32(b, x->scope);
  w_u32(b, x->call);
  w_ref(e, &x->ref);
  w_u64(b, x->range_bound);
  w_u8(b, x->obj);
  w_u8(b, x->is_async);
  w_u8(b, x->is_for);
  w_u8(b, x->awaits);
  w_u8(b, x->comprehension);
}

// A vector: its length, then its records.
#define W_VEC(e, v, fn)                                                        \
  do {                                                                         \
    w_u32(&(e)->recs, (v).len);                                                \
    for (uint32_t i_ = 0; i_ < (v).len; i_++)                                  \
      fn((e), &(v).items[i_]);                                                 \
  } while (0)

static void w_facts(encoder *e, const al_facts *f) {
  wbuf *b = &e->recs;
  w_fixed64(b, f->text_hash);
  w_u32(b, f->text_len);
  w_u8(b, f->unreadable);
  w_cstr(e, f->problem);
  w_u32(b, f->problem_line);
  w_u32(b, f->problem_col);
  w_u8(b, f->syntax_error);
  w_span(b, f->error_span);
  w_cstr(e, f->error_message);
  w_u8(b, f->parse_gave_up);
  W_VEC(e, f->scopes, w_scope);
  W_VEC(e, f->refs, w_ref);
  W_VEC(e, f->calls, w_call);
  W_VEC(e, f->args, w_arg);
  W_VEC(e, f->binds, w_binding);
  W_VEC(e, f->imports, w_import);
  W_VEC(e, f->asyncs, w_async);
  W_VEC(e, f->comments, w_comment);
  W_VEC(e, f->returns, w_return);
  W_VEC(e, f->uses, w_use);
  W_VEC(e, f->comps, w_comp);
  W_VEC(e, f->blocks, w_block);
  w_u32(b, f->lines.wide.len);
  for (uint32_t i = 0; i < f->lines.wide.len; i++) {
    w_u32(b, f->lines.wide.items[i].offset);
    w_u32(b, f->lines.wide.items[i].extra_sum);
  }
  // Row starts as differences (modulo 2^32, like spans): short varints.
  w_u32(b, f->lines.rows.len);
  for (uint32_t i = 0, prev = 0; i < f->lines.rows.len; i++) {
    w_u32(b, f->lines.rows.items[i] - prev);
    prev = f->lines.rows.items[i];
  }
}

unsigned char *al_cache_encode(const al_facts *facts, const al_cache_key *key,
                               size_t *len) {
  encoder e = {0};
  w_facts(&e, facts);
  free(e.slots);
  if (e.too_big) {
    free(e.recs.p);
    free(e.strs.p);
    *len = 0;
    return NULL;
  }
  // payload: string table length, string table, records
  wbuf out = {0};
  size_t payload = 4 + e.strs.len + e.recs.len;
  w_room(&out, HEADER_BYTES + payload);
  out.len = 0;
  w_bytes(&out, MAGIC, 8);
  w_fixed32(&out, AL_CACHE_FORMAT_VERSION);
  w_fixed32(&out, 0);
  w_fixed64(&out, key->h[0]);
  w_fixed64(&out, key->h[1]);
  w_fixed64(&out, payload);
  w_fixed64(&out, 0); // the checksum, filled below
  w_fixed32(&out, (uint32_t)e.strs.len);
  w_bytes(&out, e.strs.p, e.strs.len);
  w_bytes(&out, e.recs.p, e.recs.len);
  free(e.recs.p);
  free(e.strs.p);
  al_cache__reseal(out.p, out.len);
  *len = out.len;
  return out.p;
}

void al_cache__reseal(unsigned char *entry, size_t len) {
  al_assert(len >= HEADER_BYTES);
  uint64_t sum = al_hash64(entry + HEADER_BYTES, len - HEADER_BYTES, 0);
  for (int i = 0; i < 8; i++)
    entry[HEADER_BYTES - 8 + i] = (unsigned char)(sum >> (8 * i));
}

// ---------------------------------------------------------------------------
// Decoding: every read is bounds-checked; the first failure marks the
// reader bad and later reads return zeros.

typedef struct {
  const unsigned char *p, *end;
  const char *strs; // the string table, copied into the facts' arena
  uint32_t strs_len;
  bool bad;
} reader;

static const unsigned char *r_take(reader *r, size_t n) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = true;
    return NULL;
  }
  const unsigned char *at = r->p;
  r->p += n;
  return at;
}

static uint8_t r_u8(reader *r) {
  const unsigned char *p = r_take(r, 1);
  return p ? p[0] : 0;
}

static uint32_t r_fixed32(reader *r) {
  const unsigned char *p = r_take(r, 4);
  return p ? al_load_le32(p) : 0;
}

static uint64_t r_fixed64(reader *r) {
  const unsigned char *p = r_take(r, 8);
  return p ? al_load_le64(p) : 0;
}

static uint64_t r_var(reader *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const unsigned char *p = r_take(r, 1);
    if (!p)
      return 0;
    v |= (uint64_t)(*p & 0x7F) << shift;
    if (!(*p & 0x80))
      return v;
  }
  r->bad = true; // more than ten bytes
  return 0;
}

// A varint that must fit max, minus the one w_u16/w_u32 added.
static uint64_t r_small(reader *r, uint64_t max) {
  uint64_t v = r_var(r);
  if (v > max)
    r->bad = true;
  return r->bad ? 0 : v - 1;
}

static uint16_t r_u16(reader *r) { return (uint16_t)r_small(r, UINT16_MAX); }

static uint32_t r_u32(reader *r) { return (uint32_t)r_small(r, UINT32_MAX); }

static uint64_t r_u64(reader *r) { return r_var(r); }

static bool r_bool(reader *r) {
  uint8_t v = r_u8(r);
  if (v > 1)
    r->bad = true;
  return v == 1;
}

static al_str r_str(reader *r) {
  uint32_t off = r_u32(r), len = r_u32(r);
  if (r->bad)
    return (al_str){NULL, 0};
  if (off == NO_STRING) {
    if (len)
      r->bad = true;
    return (al_str){NULL, 0};
  }
  // The string and its NUL lie inside the table.
  if (off >= r->strs_len || len >= r->strs_len - off ||
      r->strs[off + len] != '\0') {
    r->bad = true;
    return (al_str){NULL, 0};
  }
  return (al_str){r->strs + off, len};
}

// A C string: no NUL inside it either.
static const char *r_cstr(reader *r) {
  al_str s = r_str(r);
  if (s.ptr && memchr(s.ptr, 0, s.len))
    r->bad = true;
  return r->bad ? NULL : s.ptr;
}

static al_span r_span(reader *r) {
  al_span s;
  s.start_byte = r_u32(r);
  s.end_byte = s.start_byte + r_u32(r);
  return s;
}

static void r_ref(reader *r, al_ref *x) {
  x->dotted = r_str(r);
  x->base_call = r_u32(r);
  x->kind = r_u8(r);
}

static void r_scope(reader *r, al_scope *s) {
  s->name = r_str(r);
  s->name_span = r_span(r);
  s->def_span = r_span(r);
  s->parent = r_u32(r);
  s->kind = r_u8(r);
  s->flags = r_u8(r);
  s->first_decorator = r_u32(r);
  s->n_decorators = r_u32(r);
  s->first_base = r_u32(r);
  s->n_bases = r_u32(r);
  s->first_param = r_str(r);
  s->n_stmts = r_u32(r);
}

static void r_call(reader *r, al_call *c) {
  r_ref(r, &c->callee);
  c->span = r_span(r);
  c->scope = r_u32(r);
  c->parent_call = r_u32(r);
  c->ctx_name = r_str(r);
  c->arg_index = r_u16(r);
  c->ctx = r_u8(r);
  c->flags = r_u8(r);
  c->first_arg = r_u32(r);
  c->n_args = r_u32(r);
}

static void r_arg(reader *r, al_arg *a) {
  r_ref(r, &a->ref);
  a->span = r_span(r);
  a->keyword = r_str(r);
  a->index = r_u16(r);
  a->kind = r_u8(r);
  a->flags = r_u8(r);
  a->target = r_u32(r);
}

static void r_binding(reader *r, al_binding *x) {
  x->name = r_str(r);
  x->span = r_span(r);
  x->scope = r_u32(r);
  x->target = r_u32(r);
  x->value_ref = r_u32(r);
  x->kind = r_u8(r);
  x->flags = r_u8(r);
}

static void r_import(reader *r, al_import *x) {
  x->module = r_str(r);
  x->name = r_str(r);
  x->local = r_str(r);
  x->span = r_span(r);
  x->scope = r_u32(r);
  x->level = r_u8(r);
  x->flags = r_u8(r);
}

static void r_async(reader *r, al_async_site *x) {
  x->span = r_span(r);
  x->scope = r_u32(r);
  x->kind = r_u8(r);
  x->operand = r_u8(r);
  x->flags = r_u8(r);
  x->call = r_u32(r);
  r_ref(r, &x->ref);
}

static void r_comment(reader *r, al_comment *x) {
  x->row = r_u32(r);
  x->text = r_str(r);
  x->col = r_u32(r);
  x->byte = r_u32(r);
}

static void r_return(reader *r, al_return *x) {
  x->span = r_span(r);
  x->scope = r_u32(r);
  x->target = r_u32(r);
  x->kind = r_u8(r);
}

static void r_use(reader *r, al_use *x) {
  x->span = r_span(r);
  x->binding = r_u32(r);
  x->scope = r_u32(r);
  x->parent_call = r_u32(r);
  x->block_start = r_u32(r);
  x->block_end = r_u32(r);
  x->arg_index = r_u16(r);
  x->ctx = r_u8(r);
}

static void r_comp(reader *r, al_comp *x) {
  x->span = r_span(r);
  x->scope = r_u32(r);
  x->binding = r_u32(r);
  x->parent_call = r_u32(r);
  x->kind = r_u8(r);
  x->ctx = r_u8(r);
}

static void r_block(reader *r, al_block_site *x) {
  x->span = r_span(r);
  x->keyword = r_span(r);
  x->scope = r_u32(r);
  x->call = r_u32(r);
  r_ref(r, &x->ref);
  x->range_bound = r_u64(r);
  x->obj = r_u8(r);
  x->is_async = r_u8(r);
  x->is_for = r_u8(r);
  x->awaits = r_u8(r);
  x->comprehension = r_u8(r);
}

// A vector's length, checked against what is left (each record takes at
// least min_bytes), so that garbage cannot ask for a huge allocation.
static uint32_t r_count(reader *r, size_t min_bytes) {
  uint32_t n = r_u32(r);
  if (!r->bad && (size_t)(r->end - r->p) / min_bytes < n)
    r->bad = true;
  return r->bad ? 0 : n;
}

#define R_VEC(r, v, fn, min_bytes)                                             \
  do {                                                                         \
    uint32_t n_ = r_count((r), (min_bytes));                                   \
    if (n_) {                                                                  \
      (v).items = al_arena_alloc(f->arena, (size_t)n_ * sizeof(*(v).items));   \
      (v).len = (v).cap = n_;                                                  \
      for (uint32_t i_ = 0; i_ < n_ && !(r)->bad; i_++)                        \
        fn((r), &(v).items[i_]);                                               \
    }                                                                          \
  } while (0)

// The vectors are allocated in the arena at their final size: the decoded
// record is compact, as extraction leaves it.
static void r_facts(reader *r, al_facts *f) {
  f->compact = true;
  f->text_hash = r_fixed64(r);
  f->text_len = r_u32(r);
  f->unreadable = r_bool(r);
  f->problem = r_cstr(r);
  f->problem_line = r_u32(r);
  f->problem_col = r_u32(r);
  f->syntax_error = r_bool(r);
  f->error_span = r_span(r);
  f->error_message = r_cstr(r);
  f->parse_gave_up = r_bool(r);
  // Every record has at least four fields of at least one byte.
  R_VEC(r, f->scopes, r_scope, 4);
  R_VEC(r, f->refs, r_ref, 4);
  R_VEC(r, f->calls, r_call, 4);
  R_VEC(r, f->args, r_arg, 4);
  R_VEC(r, f->binds, r_binding, 4);
  R_VEC(r, f->imports, r_import, 4);
  R_VEC(r, f->asyncs, r_async, 4);
  R_VEC(r, f->comments, r_comment, 4);
  R_VEC(r, f->returns, r_return, 4);
  R_VEC(r, f->uses, r_use, 4);
  R_VEC(r, f->comps, r_comp, 4);
  R_VEC(r, f->blocks, r_block, 4);
  uint32_t n = r_count(r, 2);
  if (n) {
    f->lines.wide.items =
        al_arena_alloc(f->arena, (size_t)n * sizeof *f->lines.wide.items);
    f->lines.wide.len = f->lines.wide.cap = n;
    for (uint32_t i = 0; i < n; i++) {
      f->lines.wide.items[i].offset = r_u32(r);
      f->lines.wide.items[i].extra_sum = r_u32(r);
    }
  }
  n = r_count(r, 1);
  if (n) {
    f->lines.rows.items =
        al_arena_alloc(f->arena, (size_t)n * sizeof *f->lines.rows.items);
    f->lines.rows.len = f->lines.rows.cap = n;
    for (uint32_t i = 0, prev = 0; i < n; i++)
      prev = f->lines.rows.items[i] = prev + r_u32(r);
  }
  if (r->p != r->end)
    r->bad = true; // trailing bytes: not an entry we wrote
}

// ---------------------------------------------------------------------------
// Validation: a payload that parses may still not be facts extraction could
// have made (a buggy or forged writer with a valid checksum). Every later
// stage indexes one record with another's fields without checking, so each
// cross-record index must be AL_NONE where extraction leaves it so, or in
// range of the vector it indexes; every kind a known enum value; every span
// inside the text. The rules follow facts/extract.c; the limits are the
// last enumerators of facts.h, so a new enumerator must be added here too.

// An index that extraction always sets.
static bool idx_ok(uint32_t i, uint32_t len) { return i < len; }

// An index that extraction may leave AL_NONE.
static bool opt_ok(uint32_t i, uint32_t len) { return i == AL_NONE || i < len; }

// A run [first, first + n) of a vector of len records. An empty run may
// name AL_NONE (decorators, bases) or the end of the vector (a call without
// arguments records where its arguments would start).
static bool run_ok(uint32_t first, uint32_t n, uint32_t len) {
  if (n == 0)
    return first == AL_NONE || first <= len;
  return first < len && n <= len - first;
}

// Tree-sitter ranges inside the text: ends not before starts (the decoder
// adds the stored lengths with wrap-around).
static bool span_ok(const al_span *s, uint32_t text_len) {
  return s->start_byte <= s->end_byte && s->end_byte <= text_len;
}

// base_call is only read for ON_CALL, but extraction leaves it AL_NONE or
// a call everywhere (0 in the zeroed ref of a generator-expression
// argument, whose call exists).
static bool ref_ok(const al_ref *r, uint32_t n_calls) {
  return r->kind <= AL_REF_CALLED && opt_ok(r->base_call, n_calls);
}

// The call a use or a comprehension is an argument of: set exactly for
// AL_CTX_ARG (classify always finds the call then).
static bool arg_parent_ok(uint8_t ctx, uint32_t parent, uint32_t n_calls) {
  return ctx == AL_CTX_ARG ? idx_ok(parent, n_calls) : parent == AL_NONE;
}

static bool scope_valid(const al_facts *f, uint32_t i) {
  const al_scope *s = &f->scopes.items[i];
  // Scope 0 is the module and the only one; extraction creates a scope's
  // parent before it (new_scope takes the enclosing frame's scope), so a
  // parent is always an earlier scope and parent chains cannot loop.
  bool placed = i == 0 ? s->kind == AL_SCOPE_MODULE && s->parent == AL_NONE
                       : s->kind != AL_SCOPE_MODULE &&
                             s->kind <= AL_SCOPE_LAMBDA && s->parent < i;
  if (!placed)
    return false;
  return span_ok(&s->name_span, f->text_len) &&
         span_ok(&s->def_span, f->text_len) &&
         run_ok(s->first_decorator, s->n_decorators, f->refs.len) &&
         run_ok(s->first_base, s->n_bases, f->refs.len);
}

static bool call_valid(const al_facts *f, uint32_t i) {
  const al_call *c = &f->calls.items[i];
  uint32_t n = f->calls.len;
  if (!ref_ok(&c->callee, n) || !span_ok(&c->span, f->text_len) ||
      !idx_ok(c->scope, f->scopes.len) || c->ctx > AL_CTX_COMPREHENSION ||
      !run_ok(c->first_arg, c->n_args, f->args.len))
    return false;
  // f().m(): the base call is met inside the outer one, so after it.
  if (c->callee.kind == AL_REF_ON_CALL && c->callee.base_call != AL_NONE &&
      c->callee.base_call <= i)
    return false;
  // The call this one is an argument of, or whose callee this one's
  // attribute is, encloses it and so comes before it.
  switch (c->ctx) {
  case AL_CTX_ARG:
    return c->parent_call < i;
  case AL_CTX_ATTRIBUTE:
    return c->parent_call == AL_NONE || c->parent_call < i;
  case AL_CTX_COMPREHENSION:
    return idx_ok(c->parent_call, f->comps.len); // a comps index
  default:
    return c->parent_call == AL_NONE;
  }
}

static bool arg_valid(const al_facts *f, const al_arg *a) {
  if (!ref_ok(&a->ref, f->calls.len) || !span_ok(&a->span, f->text_len))
    return false;
  switch (a->kind) {
  case AL_ARG_CALL: // patched when the call is met
    return opt_ok(a->target, f->calls.len) && a->ref.kind == AL_REF_NONE;
  case AL_ARG_LAMBDA: // patched when the lambda is met
    return opt_ok(a->target, f->scopes.len) && a->ref.kind == AL_REF_NONE;
  case AL_ARG_REF:
  case AL_ARG_ELEMENT:
    return a->target == AL_NONE;
  case AL_ARG_LITERAL:
  case AL_ARG_STARRED:
  case AL_ARG_OTHER: // al_arg_text relies on it
    return a->target == AL_NONE && a->ref.kind == AL_REF_NONE;
  default:
    return false;
  }
}

static bool binding_valid(const al_facts *f, const al_binding *b) {
  if (!span_ok(&b->span, f->text_len) || !idx_ok(b->scope, f->scopes.len))
    return false;
  switch (b->kind) {
  case AL_BIND_FUNCTION: {
    if (!idx_ok(b->target, f->scopes.len) || b->value_ref != AL_NONE)
      return false;
    uint8_t k = f->scopes.items[b->target].kind;
    return k == AL_SCOPE_FUNCTION || k == AL_SCOPE_ASYNC_FUNCTION;
  }
  case AL_BIND_CLASS:
    return idx_ok(b->target, f->scopes.len) && b->value_ref == AL_NONE &&
           f->scopes.items[b->target].kind == AL_SCOPE_CLASS;
  case AL_BIND_IMPORT:
    return idx_ok(b->target, f->imports.len) && b->value_ref == AL_NONE;
  case AL_BIND_ASSIGN:
  case AL_BIND_ATTR:
  case AL_BIND_WITH: // target: the call of the value, when it is one
    return opt_ok(b->target, f->calls.len) && opt_ok(b->value_ref, f->refs.len);
  case AL_BIND_PARAM:
  case AL_BIND_GLOBAL:
  case AL_BIND_OTHER:
    return b->target == AL_NONE && b->value_ref == AL_NONE;
  default:
    return false;
  }
}

static bool return_valid(const al_facts *f, const al_return *r) {
  if (!span_ok(&r->span, f->text_len) || !idx_ok(r->scope, f->scopes.len))
    return false;
  switch (r->kind) {
  case AL_RET_CALL: // patched when the call is met
    return opt_ok(r->target, f->calls.len);
  case AL_RET_NAME:
    return idx_ok(r->target, f->refs.len);
  case AL_RET_NONE:
  case AL_RET_LITERAL:
  case AL_RET_AWAIT:
  case AL_RET_OTHER:
    return r->target == AL_NONE;
  default:
    return false;
  }
}

static bool use_valid(const al_facts *f, const al_use *u) {
  // No enclosing block: [0, UINT32_MAX).
  bool block = u->block_start <= u->block_end &&
               (u->block_end <= f->text_len ||
                (u->block_start == 0 && u->block_end == UINT32_MAX));
  return block && span_ok(&u->span, f->text_len) &&
         idx_ok(u->binding, f->binds.len) && idx_ok(u->scope, f->scopes.len) &&
         u->ctx <= AL_CTX_COMPREHENSION &&
         arg_parent_ok(u->ctx, u->parent_call, f->calls.len);
}

static bool comp_valid(const al_facts *f, const al_comp *c) {
  return span_ok(&c->span, f->text_len) && idx_ok(c->scope, f->scopes.len) &&
         opt_ok(c->binding, f->binds.len) && c->kind <= AL_COMP_GENERATOR &&
         c->ctx <= AL_CTX_COMPREHENSION &&
         arg_parent_ok(c->ctx, c->parent_call, f->calls.len);
}

static bool block_valid(const al_facts *f, const al_block_site *b) {
  return span_ok(&b->span, f->text_len) && span_ok(&b->keyword, f->text_len) &&
         idx_ok(b->scope, f->scopes.len) && opt_ok(b->call, f->calls.len) &&
         ref_ok(&b->ref, f->calls.len) && b->obj <= AL_OBJ_OTHER &&
         b->is_async <= 1 && b->is_for <= 1 && b->awaits <= 1 &&
         b->comprehension <= 1;
}

// The line map as al_linemap_build makes it: offsets increasing and inside
// the text, each sequence's extra bytes (the step of extra_sum, at most 3:
// fewer when the text ends inside it) inside the text too and not
// overlapping the next sequence; report/position.c binary-searches it.
static bool linemap_valid(const al_facts *f) {
  uint32_t next = 0, extra = 0; // first offset allowed, extra_sum so far
  for (uint32_t i = 0; i < f->lines.wide.len; i++) {
    const al_wide_char *w = &f->lines.wide.items[i];
    if (w->offset < next || w->offset >= f->text_len || w->extra_sum < extra ||
        w->extra_sum - extra > 3 ||
        w->extra_sum - extra >= f->text_len - w->offset)
      return false;
    next = w->offset + (w->extra_sum - extra) + 1;
    extra = w->extra_sum;
  }
  return true;
}

// Row starts as al_linemap_build makes them: strictly increasing (each is
// past a '\n', so never 0) and at most the text's length (a text ending in
// '\n' starts an empty last row there); al_linemap_row binary-searches them.
static bool rows_valid(const al_facts *f) {
  uint32_t prev = 0;
  for (uint32_t i = 0; i < f->lines.rows.len; i++) {
    uint32_t start = f->lines.rows.items[i];
    if (start <= prev || start > f->text_len)
      return false;
    prev = start;
  }
  return true;
}

// Comments in source order (suppress/noqa.c binary-searches them by row),
// each inside the text.
static bool comments_valid(const al_facts *f) {
  for (uint32_t i = 0; i < f->comments.len; i++) {
    const al_comment *c = &f->comments.items[i];
    if (c->byte > f->text_len || c->text.len > f->text_len - c->byte ||
        c->col > c->byte)
      return false;
    const al_comment *prev = i ? &f->comments.items[i - 1] : NULL;
    if (prev && (c->row < prev->row || c->byte <= prev->byte))
      return false;
  }
  return true;
}

#define ALL_VALID(f, v, fn)                                                    \
  do {                                                                         \
    for (uint32_t i_ = 0; i_ < (f)->v.len; i_++)                               \
      if (!fn((f), &(f)->v.items[i_]))                                         \
        return false;                                                          \
  } while (0)

static bool facts_valid(const al_facts *f) {
  // The rules print these with %s.
  if ((f->unreadable && !f->problem) || (f->syntax_error && !f->error_message))
    return false;
  if (!span_ok(&f->error_span, f->text_len))
    return false;
  // A file that was read always has its module scope (made before parsing).
  if (!f->unreadable && f->scopes.len == 0)
    return false;
  for (uint32_t i = 0; i < f->scopes.len; i++)
    if (!scope_valid(f, i))
      return false;
  for (uint32_t i = 0; i < f->refs.len; i++)
    if (!ref_ok(&f->refs.items[i], f->calls.len))
      return false;
  for (uint32_t i = 0; i < f->calls.len; i++)
    if (!call_valid(f, i))
      return false;
  ALL_VALID(f, args, arg_valid);
  ALL_VALID(f, binds, binding_valid);
  for (uint32_t i = 0; i < f->imports.len; i++)
    if (!span_ok(&f->imports.items[i].span, f->text_len) ||
        !idx_ok(f->imports.items[i].scope, f->scopes.len))
      return false;
  for (uint32_t i = 0; i < f->asyncs.len; i++) {
    const al_async_site *a = &f->asyncs.items[i];
    if (!span_ok(&a->span, f->text_len) || !idx_ok(a->scope, f->scopes.len) ||
        a->kind > AL_ASYNC_COMPREHENSION || a->operand > AL_OPERAND_OTHER ||
        !opt_ok(a->call, f->calls.len) || !ref_ok(&a->ref, f->calls.len))
      return false;
  }
  ALL_VALID(f, returns, return_valid);
  ALL_VALID(f, uses, use_valid);
  ALL_VALID(f, comps, comp_valid);
  ALL_VALID(f, blocks, block_valid);
  return comments_valid(f) && linemap_valid(f) && rows_valid(f);
}

al_facts *al_cache_decode(const unsigned char *data, size_t len,
                          const al_cache_key *key) {
  if (!data || len < HEADER_BYTES || memcmp(data, MAGIC, 8) != 0)
    return NULL;
  reader h = {data + 8, data + HEADER_BYTES, NULL, 0, false};
  uint32_t version = r_fixed32(&h);
  uint32_t reserved = r_fixed32(&h);
  uint64_t k0 = r_fixed64(&h), k1 = r_fixed64(&h);
  uint64_t payload = r_fixed64(&h), sum = r_fixed64(&h);
  if (version != AL_CACHE_FORMAT_VERSION || reserved != 0 ||
      (key && (k0 != key->h[0] || k1 != key->h[1])) ||
      payload != len - HEADER_BYTES ||
      al_hash64(data + HEADER_BYTES, (size_t)payload, 0) != sum)
    return NULL;
  reader r = {data + HEADER_BYTES, data + len, NULL, 0, false};
  uint32_t strs_len = r_fixed32(&r);
  const unsigned char *strs = r_take(&r, strs_len);
  if (r.bad || (strs_len && strs[strs_len - 1] != '\0'))
    return NULL;
  al_facts *f = al_facts_new();
  // Decoded records take about twice their encoded bytes.
  al_arena_size_hint(f->arena, 2 * (size_t)len);
  if (strs_len) {
    r.strs = al_arena_memdup(f->arena, strs, strs_len);
    r.strs_len = strs_len;
  }
  r_facts(&r, f);
  // Facts that break what extraction guarantees are damage like any other.
  if (r.bad || !facts_valid(f)) {
    al_facts_free(f);
    return NULL;
  }
  return f;
}

// ---------------------------------------------------------------------------
// The directory.

// Temporary names are unique within the process (several caches may share
// a directory) and, by the pid, between processes.
static atomic_uint tmp_counter;

struct al_cache {
  int dirfd;                // the cache directory, -1: disabled
  char *dir;                // as given, for messages
  atomic_bool write_failed; // no more writes this run
  atomic_uint hits, writes; // statistics
  pthread_mutex_t lock;     // guards warning
  char *warning;            // the first problem, or NULL
};

static void warn(al_cache *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(al_cache *self, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&self->lock);
  if (!self->warning) {
    size_t n = strlen(self->dir) + strlen(msg) + 3;
    self->warning = al_xmalloc(n);
    snprintf(self->warning, n, "%s: %s", self->dir, msg);
  }
  pthread_mutex_unlock(&self->lock);
}

// A write failed: say so once, and write no more this run (a full disk or a
// read-only directory would fail for every file).
static void write_failed(al_cache *self, int err) {
  if (!atomic_exchange(&self->write_failed, true))
    warn(self,
         "cannot write to the cache (%s); continuing without updating "
         "it",
         strerror(err));
}

// mkdir -p for the parents of path (the last component is the caller's).
static void make_parents(const char *path) {
  char *copy = al_xstrdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    (void)mkdir(copy, 0777); // an error shows when the cache dir is made
    *p = '/';
  }
  free(copy);
}

static bool write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

// Creates dir/name with the given contents unless it exists.
static bool write_marker(al_cache *self, const char *name, const char *text) {
  int fd = openat(self->dirfd, name,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno == EEXIST;
  bool ok = write_all(fd, (const unsigned char *)text, strlen(text));
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlinkat(self->dirfd, name, 0);
    errno = err;
  }
  return ok;
}

al_cache *al_cache_open(const char *dir) {
  al_cache *self = al_xcalloc(1, sizeof *self);
  self->dirfd = -1;
  self->dir = al_xstrdup(dir);
  pthread_mutex_init(&self->lock, NULL);
  atomic_init(&self->write_failed, false);
  atomic_init(&self->hits, 0);
  atomic_init(&self->writes, 0);

  struct stat sb;
  bool created = false;
  if (lstat(dir, &sb) != 0) {
    if (errno != ENOENT) {
      warn(self,
           "cannot use the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
      return self;
    }
    make_parents(dir);
    if (mkdir(dir, 0777) == 0) {
      created = true;
    } else if (errno != EEXIST) {
      warn(self,
           "cannot create the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
      return self;
    }
  } else if (S_ISLNK(sb.st_mode)) {
    // Following it would let whoever made the link choose where we write.
    warn(self, "the cache directory is a symbolic link; refusing to use it");
    return self;
  } else if (!S_ISDIR(sb.st_mode)) {
    warn(self, "the cache directory is not a directory; continuing without "
               "the cache");
    return self;
  }
  // O_NOFOLLOW: a link swapped in since lstat is refused too.
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      warn(self, "the cache directory is a symbolic link; refusing to use it");
    else
      warn(self,
           "cannot open the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
    return self;
  }
  self->dirfd = fd;
  // As ruff does: backup tools skip the directory, git ignores it. Only in
  // a directory made here: --cache-dir naming an existing directory of the
  // user's must not make backups skip it.
  if (created &&
      (!write_marker(self, "CACHEDIR.TAG",
                     "Signature: 8a477f597d28d172789f06886806bc55\n"
                     "# This file is a cache directory tag created by "
                     "asynclint.\n"
                     "# For information about cache directory tags, see:\n"
                     "#\thttps://bford.info/cachedir/\n") ||
       !write_marker(self, ".gitignore",
                     "# Automatically created by asynclint.\n*\n")))
    write_failed(self, errno);
  return self;
}

void al_cache_close(al_cache *self) {
  if (!self)
    return;
  if (self->dirfd >= 0)
    close(self->dirfd);
  pthread_mutex_destroy(&self->lock);
  free(self->warning);
  free(self->dir);
  free(self);
}

const char *al_cache_warning(const al_cache *self) {
  return self ? self->warning : NULL;
}

void al_cache_stats(const al_cache *self, uint32_t *hits, uint32_t *writes) {
  *hits = self ? atomic_load(&self->hits) : 0;
  *writes = self ? atomic_load(&self->writes) : 0;
}

// "xx" and the full 32-digit name of an entry.
static void entry_names(const al_cache_key *key, char sub[3], char name[33]) {
  snprintf(name, 33, "%016llx%016llx", (unsigned long long)key->h[0],
           (unsigned long long)key->h[1]);
  sub[0] = name[0];
  sub[1] = name[1];
  sub[2] = '\0';
}

// Reads a regular file whole (never a FIFO or device: O_NONBLOCK and fstat).
static unsigned char *read_entry(int dirfd, const char *name, size_t *len) {
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat sb;
  unsigned char *buf = NULL;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
      (uint64_t)sb.st_size >= HEADER_BYTES &&
      (uint64_t)sb.st_size <= MAX_ENTRY_BYTES) {
    size_t want = (size_t)sb.st_size, got = 0;
    buf = al_xmalloc(want);
    while (got < want) {
      ssize_t r = read(fd, buf + got, want - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    if (got != want) {
      free(buf);
      buf = NULL;
    }
    *len = got;
  }
  close(fd);
  return buf;
}

al_facts *al_cache_get(al_cache *self, const al_cache_key *key) {
  if (!self || self->dirfd < 0)
    return NULL;
  char sub[3], name[33];
  entry_names(key, sub, name);
  int subfd =
      openat(self->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (subfd < 0)
    return NULL;
  size_t len = 0;
  unsigned char *data = read_entry(subfd, name, &len);
  close(subfd);
  // A damaged entry is simply a miss: the caller extracts again and
  // al_cache_put replaces it.
  al_facts *f = data ? al_cache_decode(data, len, key) : NULL;
  free(data);
  if (f)
    atomic_fetch_add(&self->hits, 1);
  return f;
}

void al_cache_put(al_cache *self, const al_cache_key *key,
                  const al_facts *facts) {
  if (!self || self->dirfd < 0 || atomic_load(&self->write_failed))
    return;
  size_t len;
  unsigned char *data = al_cache_encode(facts, key, &len);
  if (!data)
    return; // too big for the format: extract it every time
  char sub[3], name[33];
  entry_names(key, sub, name);
  if (mkdirat(self->dirfd, sub, 0777) != 0 && errno != EEXIST) {
    write_failed(self, errno);
    free(data);
    return;
  }
  int subfd =
      openat(self->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (subfd < 0) {
    write_failed(self, errno);
    free(data);
    return;
  }
  // A name of our own in the same directory, then rename(2): readers (this
  // run's other workers, or another asynclint at the same time) see the old
  // entry, the new one or none, never half of one.
  char tmp[64];
  int fd = -1;
  // EEXIST: left by a crashed run whose pid was this one's; take another.
  for (int attempt = 0; attempt < 8; attempt++) {
    snprintf(tmp, sizeof tmp, ".tmp-%ld-%u", (long)getpid(),
             atomic_fetch_add(&tmp_counter, 1));
    fd = openat(subfd, tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST)
      break;
  }
  bool ok = fd >= 0 && write_all(fd, data, len);
  int err = errno;
  if (fd >= 0 && close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && renameat(subfd, tmp, subfd, name) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    if (fd >= 0)
      unlinkat(subfd, tmp, 0);
    write_failed(self, err);
  } else {
    atomic_fetch_add(&self->writes, 1);
  }
  close(subfd);
  free(data);
}
