// SPDX-License-Identifier: MIT
/*
 * The cache's entry format (cache.h: al_cache_encode, al_cache_decode):
 * a header (magic, format version, key, payload length, payload checksum)
 * and a payload, the facts written field by field in the order of
 * facts/facts.h's field lists. Every number is little-endian whatever the
 * host (fixed width in the header, LEB128 varints elsewhere), never a
 * struct's bytes (they hold pointers and padding); every string is an
 * offset and a length into the entry's string table.
 *
 * The decoder is defensive: after the header's checksum has matched, every
 * read is checked against the end of the payload and every string against
 * the table, then the facts are validated as a whole (facts/validate.h: a
 * checksum only proves that the writer meant these bytes), so a damaged or
 * forged entry is NULL, never a crash. The per-record writers and readers
 * are made from the field lists: one static function per record, each
 * field a direct call for its kind (no dispatch in the loop).
 *
 * This file neither touches the disk (cache.c) nor knows what facts mean
 * beyond their kinds (facts/validate.c).
 */
#include "cache/cache.h"
#include "cache/cache_p.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/hash.h"
#include "facts/validate.h"

// The line map's structs are written by hand below (they are not facts.h's
// records): a new field there changes these sizes and stops the build here,
// until the encoder, the decoder and the test's comparison learn it and
// AL_CACHE_FORMAT_VERSION is bumped. (facts.c pins the records' sizes.)
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(al_span) == 8, "update src/cache/format.c for al_span");
_Static_assert(sizeof(al_wide_char) == 8,
               "update src/cache/format.c for al_wide_char");
_Static_assert(sizeof(al_linemap) == 32,
               "update src/cache/format.c for al_linemap");
#endif

#define MAGIC "ALFACTS\n"
#define HEADER_BYTES AL_CACHE__HEADER_BYTES
#define NO_STRING UINT32_MAX

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

// The records, field by field from facts.h's lists: each kind's encoding.
#define W_STR(e, v) w_str((e), (v))
#define W_CSTR(e, v) w_cstr((e), (v))
#define W_SPAN(e, v) w_span(&(e)->recs, (v))
#define W_REF(e, v) w_al_ref((e), &(v))
#define W_ENUM(e, v) w_u8(&(e)->recs, (v))
#define W_BOOL(e, v) w_u8(&(e)->recs, (v))
#define W_FLAGS(e, v) w_u8(&(e)->recs, (v))
#define W_U8(e, v) w_u8(&(e)->recs, (v))
#define W_U16(e, v) w_u16(&(e)->recs, (v))
#define W_U32(e, v) w_u32(&(e)->recs, (v))
#define W_U64(e, v) w_u64(&(e)->recs, (v))
#define W_H64(e, v) w_fixed64(&(e)->recs, (v))
#define W_IDX(e, v) w_u32(&(e)->recs, (v))
#define W_OPT(e, v) w_u32(&(e)->recs, (v))
#define W_LINK(e, v) w_u32(&(e)->recs, (v))

#define W_FIELD(type, kind, name, arg) W_##kind(e, x->name);

// static void w_al_call(encoder *e, const al_call *x), ...
#define DECLARE_WRITER(vector, type, fields)                                   \
  static void w_##type(encoder *e, const type *x);
#define WRITER(vector, type, fields)                                           \
  static void w_##type(encoder *e, const type *x) { fields(W_FIELD) }
AL_FACTS_RECORDS(DECLARE_WRITER)
AL_FACTS_RECORDS(WRITER)

// The scalars, then each vector (its length, then its records), then the
// line map.
static void w_facts(encoder *e, const al_facts *f) {
  wbuf *b = &e->recs;
  const al_facts *x = f;
  AL_FACTS_SCALARS(W_FIELD)
#define W_VECTOR(vector, type, fields)                                         \
  w_u32(b, f->vector.len);                                                     \
  for (uint32_t i = 0; i < f->vector.len; i++)                                 \
    w_##type(e, &f->vector.items[i]);
  AL_FACTS_RECORDS(W_VECTOR)
#undef W_VECTOR
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

// The records, field by field from facts.h's lists: each kind's decoding.
// Values are only read here; al_facts_valid checks them once all are in.
#define R_STR(r, v) (v) = r_str(r)
#define R_CSTR(r, v) (v) = r_cstr(r)
#define R_SPAN(r, v) (v) = r_span(r)
#define R_REF(r, v) r_al_ref((r), &(v))
#define R_ENUM(r, v) (v) = r_u8(r)
#define R_BOOL(r, v) (v) = r_bool(r)
#define R_FLAGS(r, v) (v) = r_u8(r)
#define R_U8(r, v) (v) = r_u8(r)
#define R_U16(r, v) (v) = r_u16(r)
#define R_U32(r, v) (v) = r_u32(r)
#define R_U64(r, v) (v) = r_u64(r)
#define R_H64(r, v) (v) = r_fixed64(r)
#define R_IDX(r, v) (v) = r_u32(r)
#define R_OPT(r, v) (v) = r_u32(r)
#define R_LINK(r, v) (v) = r_u32(r)

#define R_FIELD(type, kind, name, arg) R_##kind(r, x->name);

// The fewest bytes each kind takes, so that a vector's length can be
// checked against what is left before anything is allocated for it.
#define MIN_STR 2  // offset and length
#define MIN_CSTR 2 // the same
#define MIN_SPAN 2 // start and length
#define MIN_REF 5  // a string, an index, a kind, a length
#define MIN_ENUM 1
#define MIN_BOOL 1
#define MIN_FLAGS 1
#define MIN_U8 1
#define MIN_U16 1
#define MIN_U32 1
#define MIN_U64 1
#define MIN_H64 8
#define MIN_IDX 1
#define MIN_OPT 1
#define MIN_LINK 1
#define MIN_FIELD(type, kind, name, arg) +MIN_##kind

// static void r_al_call(reader *r, al_call *x), ...
#define DECLARE_READER(vector, type, fields)                                   \
  static void r_##type(reader *r, type *x);
#define READER(vector, type, fields)                                           \
  static void r_##type(reader *r, type *x) { fields(R_FIELD) }
AL_FACTS_RECORDS(DECLARE_READER)
AL_FACTS_RECORDS(READER)

// A vector's length, checked against what is left (each record takes at
// least min_bytes), so that garbage cannot ask for a huge allocation.
static uint32_t r_count(reader *r, size_t min_bytes) {
  uint32_t n = r_u32(r);
  if (!r->bad && (size_t)(r->end - r->p) / min_bytes < n)
    r->bad = true;
  return r->bad ? 0 : n;
}

// The vectors are allocated in the arena at their final size: the decoded
// record is compact, as extraction leaves it.
static void r_vectors(reader *r, al_facts *f) {
#define R_VECTOR(vector, type, fields)                                         \
  {                                                                            \
    uint32_t n = r_count(r, 0 fields(MIN_FIELD));                              \
    if (n) {                                                                   \
      f->vector.items =                                                        \
          al_arena_alloc_raw(f->arena, (size_t)n * sizeof(type));              \
      f->vector.len = f->vector.cap = n;                                       \
      for (uint32_t i = 0; i < n && !r->bad; i++)                              \
        r_##type(r, &f->vector.items[i]);                                      \
    }                                                                          \
  }
  AL_FACTS_RECORDS(R_VECTOR)
#undef R_VECTOR
}

static void r_facts(reader *r, al_facts *f) {
  f->compact = true;
  al_facts *x = f;
  AL_FACTS_SCALARS(R_FIELD)
  r_vectors(r, f);
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
  // Decoded records take about three times their encoded bytes (3.0 to
  // 3.3 on library files): one chunk holds them, no half-used second one
  // (whose pages the store maps ahead: base/store.c).
  al_arena_size_hint(f->arena, 3 * (size_t)len + (size_t)len / 4);
  if (strs_len) {
    r.strs = al_arena_memdup(f->arena, strs, strs_len);
    r.strs_len = strs_len;
  }
  r_facts(&r, f);
  // Facts that break what extraction guarantees are damage like any other.
  if (r.bad || !al_facts_valid(f)) {
    al_facts_free(f);
    return NULL;
  }
  return f;
}
