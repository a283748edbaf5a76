// SPDX-License-Identifier: MIT
/*
 * The saved state of a run (rerun_p.h) to bytes and back. Decoding trusts
 * nothing: every length is checked against what is left, every count
 * against the bytes it would need, the checksum against the payload, and
 * the findings against the file list; any failure makes the whole state a
 * miss. It knows nothing of files on disk (rerun.c reads and writes it).
 */
#include "cli/rerun_p.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

#define MAGIC "ALSTATE1"
#define HEADER 48u

// ---------------------------------------------------------------------------
// Writing.

typedef struct {
  unsigned char *p;
  size_t len, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
  if (n == 0)
    return; // data may be NULL (an absent string)
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + n)
      cap *= 2;
    b->p = al_xrealloc(b->p, cap);
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void put_u64(buf *b, uint64_t v) {
  unsigned char t[8];
  for (int i = 0; i < 8; i++)
    t[i] = (unsigned char)(v >> (8 * i));
  put(b, t, 8);
}

static void put_u32(buf *b, uint32_t v) {
  unsigned char t[4];
  for (int i = 0; i < 4; i++)
    t[i] = (unsigned char)(v >> (8 * i));
  put(b, t, 4);
}

static void put_u8(buf *b, uint8_t v) { put(b, &v, 1); }

static void put_str(buf *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  put_u32(b, (uint32_t)n);
  put(b, s, n);
}

static void put_stat(buf *b, const al_rerun_stat *st) {
  put_u64(b, st->size);
  put_u64(b, (uint64_t)st->mtime_sec);
  put_u64(b, (uint64_t)st->mtime_nsec);
  put_u64(b, st->ino);
  put_u64(b, st->dev);
}

static void put_file(buf *b, const al_rerun_file *f) {
  put_str(b, f->path);
  put_stat(b, &f->st);
  put_u64(b, f->key.h[0]);
  put_u64(b, f->key.h[1]);
  put_u8(b, f->has_key ? 1 + f->unreadable : 0);
  put_str(b, f->module);
  put_u32(b, f->first_diag);
  put_u32(b, f->n_diags);
}

static void put_files(buf *b, const al_rerun_file *f, uint32_t n) {
  put_u32(b, n);
  for (uint32_t i = 0; i < n; i++)
    put_file(b, &f[i]);
}

static void put_diag(buf *b, const al_diag *d) {
  put_u32(b, d->file);
  put_u32(b, d->range.start_byte);
  put_u32(b, d->range.end_byte);
  put_u32(b, d->range.start_row);
  put_u32(b, d->range.start_col);
  put_u32(b, d->range.end_row);
  put_u32(b, d->range.end_col);
  put_str(b, d->rule->code);
  put_str(b, d->message);
  put_u8(b, d->fix != NULL);
  if (!d->fix)
    return;
  put_u8(b, (uint8_t)d->fix->applicability);
  put_str(b, d->fix->message);
  put_u32(b, d->fix->n_edits);
  for (uint32_t i = 0; i < d->fix->n_edits; i++) {
    put_u32(b, d->fix->edits[i].start);
    put_u32(b, d->fix->edits[i].end);
    put_str(b, d->fix->edits[i].content);
  }
}

unsigned char *al_rerun__encode(const al_rerun_state *s,
                                const al_cache_key *run_key, size_t *len) {
  buf b = {0};
  put(&b, MAGIC, 8);
  put_u32(&b, AL_RERUN_STATE_VERSION);
  put_u32(&b, 0);
  put_u64(&b, run_key->h[0]);
  put_u64(&b, run_key->h[1]);
  put_u64(&b, 0); // payload length, patched below
  put_u64(&b, 0); // checksum
  put_u64(&b, s->machine);
  put_u64(&b, (uint64_t)s->start_sec);
  put_u32(&b, s->lib_count);
  put_u64(&b, s->lib_bytes);
  put_str(&b, s->budget_note);
  put_u64(&b, s->lib_needs);
  put_files(&b, s->files.items, s->files.len);
  put_files(&b, s->libs.items, s->libs.len);
  put_files(&b, s->dirs.items, s->dirs.len);
  put_u32(&b, s->diags.len);
  for (uint32_t i = 0; i < s->diags.len; i++)
    put_diag(&b, &s->diags.items[i]);
  put_u8(&b, s->has_deps);
  if (s->has_deps) {
    for (uint32_t i = 0; i < s->files.len; i++) {
      uint32_t from = s->dep_first.items[i], to = s->dep_first.items[i + 1];
      put_u32(&b, to - from);
      for (uint32_t d = from; d < to; d++)
        put_u32(&b, s->deps.items[d]);
    }
    put_u32(&b, s->watches.len);
    for (uint32_t i = 0; i < s->watches.len; i++) {
      put_str(&b, s->watches.items[i].name);
      put_u32(&b, s->watches.items[i].file);
    }
  }
  uint64_t n = b.len - HEADER;
  uint64_t sum = al_hash64(b.p + HEADER, (size_t)n, 0x5A17E);
  for (int i = 0; i < 8; i++) {
    b.p[32 + i] = (unsigned char)(n >> (8 * i));
    b.p[40 + i] = (unsigned char)(sum >> (8 * i));
  }
  *len = b.len;
  return b.p;
}

// ---------------------------------------------------------------------------
// Reading.

typedef struct {
  const unsigned char *p, *end;
  bool bad;
  al_arena *arena;
} cursor;

static bool need(cursor *c, size_t n) {
  if (c->bad || (size_t)(c->end - c->p) < n) {
    c->bad = true;
    return false;
  }
  return true;
}

static uint64_t get_u64(cursor *c) {
  if (!need(c, 8))
    return 0;
  uint64_t v = al_load_le64(c->p);
  c->p += 8;
  return v;
}

static uint32_t get_u32(cursor *c) {
  if (!need(c, 4))
    return 0;
  uint32_t v = al_load_le32(c->p);
  c->p += 4;
  return v;
}

static uint8_t get_u8(cursor *c) {
  if (!need(c, 1))
    return 0;
  return *c->p++;
}

static const char *get_str(cursor *c) {
  uint32_t n = get_u32(c);
  if (!need(c, n))
    return "";
  if (memchr(c->p, '\0', n)) {
    c->bad = true;
    return "";
  }
  const char *s = al_arena_strndup(c->arena, (const char *)c->p, n);
  c->p += n;
  return s;
}

// A count of records each at least min bytes long: never more than the
// bytes left could hold.
static uint32_t get_count(cursor *c, size_t min) {
  uint32_t n = get_u32(c);
  if (!c->bad && (size_t)(c->end - c->p) / min < n)
    c->bad = true;
  return c->bad ? 0 : n;
}

static void get_stat(cursor *c, al_rerun_stat *st) {
  st->size = get_u64(c);
  st->mtime_sec = (int64_t)get_u64(c);
  st->mtime_nsec = (int64_t)get_u64(c);
  st->ino = get_u64(c);
  st->dev = get_u64(c);
}

static bool get_files(cursor *c, void *vec) {
  al_vec(al_rerun_file) *v = vec;
  uint32_t n = get_count(c, 4 + 40 + 16 + 1 + 4 + 8);
  vec_reserve(v, n);
  for (uint32_t i = 0; i < n && !c->bad; i++) {
    al_rerun_file f = {0};
    f.path = get_str(c);
    get_stat(c, &f.st);
    f.key.h[0] = get_u64(c);
    f.key.h[1] = get_u64(c);
    uint8_t k = get_u8(c);
    c->bad |= k > 2;
    f.has_key = k >= 1;
    f.unreadable = k == 2;
    f.module = get_str(c);
    f.first_diag = get_u32(c);
    f.n_diags = get_u32(c);
    vec_push(v, f);
  }
  return !c->bad;
}

static const al_fix *get_fix(cursor *c) {
  al_fix *fix = al_arena_alloc(c->arena, sizeof *fix);
  uint8_t a = get_u8(c);
  c->bad |= a > AL_FIX_UNSAFE;
  fix->applicability = (al_fix_applicability)a;
  fix->message = get_str(c);
  uint32_t n = get_count(c, 12);
  fix->n_edits = fix->cap_edits = n;
  fix->edits = al_arena_alloc(c->arena, (n ? n : 1) * sizeof *fix->edits);
  for (uint32_t i = 0; i < n && !c->bad; i++) {
    fix->edits[i].start = get_u32(c);
    fix->edits[i].end = get_u32(c);
    fix->edits[i].content = get_str(c);
    c->bad |= fix->edits[i].start > fix->edits[i].end;
    c->bad |= i > 0 && fix->edits[i].start < fix->edits[i - 1].end;
  }
  return fix;
}

static void get_diag(cursor *c, al_diag *d) {
  d->file = get_u32(c);
  d->range.start_byte = get_u32(c);
  d->range.end_byte = get_u32(c);
  d->range.start_row = get_u32(c);
  d->range.start_col = get_u32(c);
  d->range.end_row = get_u32(c);
  d->range.end_col = get_u32(c);
  const char *code = get_str(c);
  d->rule = c->bad ? NULL : al_rule_find(code);
  c->bad |= d->rule == NULL || strcmp(d->rule->code, code) != 0;
  d->message = get_str(c);
  uint8_t has_fix = get_u8(c);
  c->bad |= has_fix > 1;
  d->fix = has_fix == 1 && !c->bad ? get_fix(c) : NULL;
}

// Each linted file's findings are its own contiguous run of diags, in
// file order, and point back at it.
static bool diags_consistent(const al_rerun_state *s) {
  uint32_t next = 0;
  for (uint32_t i = 0; i < s->files.len; i++) {
    const al_rerun_file *f = &s->files.items[i];
    if (f->first_diag != next || f->n_diags > s->diags.len - next)
      return false;
    for (uint32_t d = 0; d < f->n_diags; d++)
      if (s->diags.items[next + d].file != i)
        return false;
    next += f->n_diags;
    if (i > 0 && strcmp(s->files.items[i - 1].path, f->path) >= 0)
      return false;
  }
  return next == s->diags.len;
}

// The dependencies and watches: every index in the file list.
static void get_deps(cursor *c, al_rerun_state *s) {
  uint8_t has = get_u8(c);
  c->bad |= has > 1;
  s->has_deps = has == 1;
  if (!s->has_deps || c->bad)
    return;
  uint32_t n = s->files.len;
  vec_push(&s->dep_first, 0);
  for (uint32_t i = 0; i < n && !c->bad; i++) {
    uint32_t k = get_count(c, 4);
    for (uint32_t d = 0; d < k && !c->bad; d++) {
      uint32_t to = get_u32(c);
      c->bad |= to >= n || to == i;
      vec_push(&s->deps, to);
    }
    vec_push(&s->dep_first, s->deps.len);
  }
  uint32_t w = get_count(c, 4 + 4);
  for (uint32_t i = 0; i < w && !c->bad; i++) {
    al_rerun_watch e;
    e.name = get_str(c);
    e.file = get_u32(c);
    c->bad |= e.file >= n;
    vec_push(&s->watches, e);
  }
}

bool al_rerun__decode(al_rerun_state *s, const unsigned char *data, size_t len,
                      const al_cache_key *run_key) {
  if (len < HEADER || memcmp(data, MAGIC, 8) != 0 ||
      al_load_le32(data + 8) != AL_RERUN_STATE_VERSION ||
      al_load_le32(data + 12) != 0 ||
      al_load_le64(data + 16) != run_key->h[0] ||
      al_load_le64(data + 24) != run_key->h[1] ||
      al_load_le64(data + 32) != len - HEADER ||
      al_load_le64(data + 40) !=
          al_hash64(data + HEADER, len - HEADER, 0x5A17E))
    return false;
  s->arena = al_arena_new();
  cursor c = {data + HEADER, data + len, false, s->arena};
  s->machine = get_u64(&c);
  s->start_sec = (int64_t)get_u64(&c);
  s->lib_count = get_u32(&c);
  s->lib_bytes = get_u64(&c);
  s->budget_note = get_str(&c);
  s->lib_needs = get_u64(&c);
  bool ok = get_files(&c, &s->files) && get_files(&c, &s->libs) &&
            get_files(&c, &s->dirs);
  uint32_t n = ok ? get_count(&c, 4 * 7 + 4 + 4 + 1) : 0;
  vec_reserve(&s->diags, n);
  for (uint32_t i = 0; i < n && !c.bad; i++) {
    al_diag d = {0};
    get_diag(&c, &d);
    vec_push(&s->diags, d);
  }
  if (ok)
    get_deps(&c, s);
  ok = ok && !c.bad && c.p == c.end && diags_consistent(s);
  if (!ok)
    al_rerun__state_free(s);
  return ok;
}

void al_rerun__state_free(al_rerun_state *s) {
  vec_free(&s->files);
  vec_free(&s->libs);
  vec_free(&s->dirs);
  vec_free(&s->diags);
  vec_free(&s->dep_first);
  vec_free(&s->deps);
  vec_free(&s->watches);
  al_arena_free(s->arena);
  memset(s, 0, sizeof *s);
}
