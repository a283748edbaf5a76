// SPDX-License-Identifier: MIT
/*
 * The unified diff of --diff: lines compared with Myers' O(ND) greedy
 * algorithm (Myers 1986, "An O(ND) Difference Algorithm and Its
 * Variations"), keeping each round's furthest-reaching diagonals to walk the
 * shortest edit script back; then hunks with three lines of context, two
 * hunks merged when their contexts would touch, as diff -u and git diff do.
 * Fixes change few lines, so D (the edit distance) stays small and the
 * saved rounds take O(D^2) space. Lines keep their bytes ('\r' included):
 * the diff applies to the file as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/hash.h"
#include "fix/fix.h"

#define CONTEXT 3

// Rounds of Myers' search at most: the saved rounds take O(D^2) memory (8
// MB here). Beyond it (fixes that touch thousands of lines) the diff pairs
// the lines between the common head and tail by position instead: still a
// correct diff that patch applies, only not the shortest.
#define MAX_D 1000

typedef struct {
  const char *ptr;
  size_t len; // with its '\n', if any
  uint64_t hash;
} line;

typedef struct {
  line *items;
  size_t n;
} lines;

static lines split_lines(const char *text, size_t len) {
  lines out = {al_xcalloc(len + 1, sizeof(line)), 0};
  for (size_t at = 0; at < len;) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) + 1 : len;
    line l = {text + at, end - at, 0};
    l.hash = al_hash64(l.ptr, l.len, 0);
    out.items[out.n++] = l;
    at = end;
  }
  return out;
}

static bool same(const line *a, const line *b) {
  return a->hash == b->hash && a->len == b->len &&
         memcmp(a->ptr, b->ptr, a->len) == 0;
}

typedef enum { OP_EQ, OP_DEL, OP_INS } op_kind;

typedef struct {
  op_kind kind;
  size_t a, b; // lines of a and of b before this one
} op;

// The edit script pairing a and b line by line after their common head and
// tail (equal pairs kept, others deleted and inserted), for when the
// shortest one costs too much to find.
static op *by_position(const lines *a, const lines *b, size_t *n_ops) {
  size_t n = a->n, m = b->n, head = 0, tail = 0, k = 0;
  while (head < n && head < m && same(&a->items[head], &b->items[head]))
    head++;
  while (tail < n - head && tail < m - head &&
         same(&a->items[n - 1 - tail], &b->items[m - 1 - tail]))
    tail++;
  op *ops = al_xcalloc(n + m + 1, sizeof *ops);
  size_t x = 0, y = 0;
  for (; x < head; x++, y++)
    ops[k++] = (op){OP_EQ, x, y};
  while (x < n - tail || y < m - tail) {
    if (x < n - tail && y < m - tail && same(&a->items[x], &b->items[y])) {
      ops[k++] = (op){OP_EQ, x++, y++};
      continue;
    }
    if (x < n - tail) {
      ops[k++] = (op){OP_DEL, x, y};
      x++;
    }
    if (y < m - tail) {
      ops[k++] = (op){OP_INS, x, y};
      y++;
    }
  }
  for (; x < n; x++, y++)
    ops[k++] = (op){OP_EQ, x, y};
  *n_ops = k;
  return ops;
}

// The shortest edit script from a to b as ops in order (*n_ops of them;
// caller frees), or NULL when it is more than MAX_D edits away.
static op *myers(const lines *a, const lines *b, size_t *n_ops) {
  long n = (long)a->n, m = (long)b->n, max = n + m;
  long *v = al_xcalloc((size_t)(2 * max + 3), sizeof *v);
  long off = max + 1;
  // trace[d] holds v[-d..d] as it was at the start of round d.
  long **trace = al_xcalloc((size_t)max + 2, sizeof *trace);
  long d_end = -1;
  for (long d = 0; d <= max && d <= MAX_D; d++) {
    trace[d] = al_xmalloc((size_t)(2 * d + 1) * sizeof(long));
    memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof(long));
    bool done = false;
    for (long k = -d; k <= d && !done; k += 2) {
      long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                   ? v[off + k + 1]
                   : v[off + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && same(&a->items[x], &b->items[y]))
        x++, y++;
      v[off + k] = x;
      done = x >= n && y >= m;
    }
    if (done) {
      d_end = d;
      break;
    }
  }
  if (d_end < 0) {
    for (long d = 0; d <= max && trace[d]; d++)
      free(trace[d]);
    free(trace);
    free(v);
    return NULL;
  }
  // Walk back from (n, m), one round at a time, collecting ops in reverse.
  op *ops = al_xcalloc((size_t)(n + m) + 1, sizeof *ops);
  size_t k_ops = 0;
  long x = n, y = m;
  for (long d = d_end; d >= 0; d--) {
    long *vd = trace[d] + d; // vd[k] for k in -d..d: round d's start
    long k = x - y;
    long prev_k, prev_x;
    if (d == 0) {
      prev_k = 0;
      prev_x = 0;
    } else {
      // The previous round's values are what round d started from.
      bool down = k == -d || (k != d && vd[k - 1] < vd[k + 1]);
      prev_k = down ? k + 1 : k - 1;
      prev_x = vd[prev_k];
    }
    long prev_y = prev_x - prev_k;
    long start_x = d == 0 ? 0 : (prev_k == k + 1 ? prev_x : prev_x + 1);
    long start_y = start_x - k;
    while (x > start_x && y > start_y) {
      x--, y--;
      ops[k_ops++] = (op){OP_EQ, (size_t)x, (size_t)y};
    }
    if (d > 0) {
      if (prev_k == k + 1) { // a step down: an insertion of b[prev_y]
        y--;
        ops[k_ops++] = (op){OP_INS, (size_t)x, (size_t)y};
      } else { // a step right: a deletion of a[prev_x]
        x--;
        ops[k_ops++] = (op){OP_DEL, (size_t)x, (size_t)y};
      }
      al_assert(x == prev_x && y == prev_y);
      (void)prev_y; // only the assertion reads it (release builds: none)
    }
  }
  for (long d = 0; d <= max && trace[d]; d++)
    free(trace[d]);
  free(trace);
  free(v);
  for (size_t i = 0; i < k_ops / 2; i++) {
    op t = ops[i];
    ops[i] = ops[k_ops - 1 - i];
    ops[k_ops - 1 - i] = t;
  }
  *n_ops = k_ops;
  return ops;
}

static bool print_line(FILE *out, char mark, const line *l) {
  fputc(mark, out);
  fwrite(l->ptr, 1, l->len, out);
  if (l->len == 0 || l->ptr[l->len - 1] != '\n')
    fputs("\n\\ No newline at end of file\n", out);
  return !ferror(out);
}

static void print_range(FILE *out, size_t start, size_t count) {
  // diff -u: a one-line range is written without its count; an empty one
  // names the line before it.
  if (count == 1)
    fprintf(out, "%zu", start + 1);
  else
    fprintf(out, "%zu,%zu", count ? start + 1 : start, count);
}

// One hunk: ops[s..e).
static bool print_hunk(FILE *out, const op *ops, size_t s, size_t e,
                       const lines *a, const lines *b) {
  size_t na = 0, nb = 0;
  for (size_t i = s; i < e; i++) {
    na += ops[i].kind != OP_INS;
    nb += ops[i].kind != OP_DEL;
  }
  fputs("@@ -", out);
  print_range(out, ops[s].a, na);
  fputs(" +", out);
  print_range(out, ops[s].b, nb);
  fputs(" @@\n", out);
  for (size_t i = s; i < e; i++) {
    const op *o = &ops[i];
    bool ok = o->kind == OP_INS   ? print_line(out, '+', &b->items[o->b])
              : o->kind == OP_DEL ? print_line(out, '-', &a->items[o->a])
                                  : print_line(out, ' ', &a->items[o->a]);
    if (!ok)
      return false;
  }
  return true;
}

bool al_fix_diff(FILE *out, const char *path, const char *a_text, size_t a_len,
                 const char *b_text, size_t b_len) {
  lines a = split_lines(a_text, a_len), b = split_lines(b_text, b_len);
  size_t n_ops;
  op *ops = myers(&a, &b, &n_ops);
  if (!ops)
    ops = by_position(&a, &b, &n_ops);
  bool ok = true, header = false;
  for (size_t i = 0; i < n_ops && ok;) {
    if (ops[i].kind == OP_EQ) {
      i++;
      continue;
    }
    // A hunk from this change to the last one whose gap to the next is
    // small enough for the contexts to meet.
    size_t s = i >= CONTEXT ? i - CONTEXT : 0, last = i;
    for (size_t j = i + 1; j < n_ops; j++) {
      if (ops[j].kind == OP_EQ)
        continue;
      if (j - last - 1 > 2 * CONTEXT)
        break;
      last = j;
    }
    // The context before may not reach into the previous hunk: it ended at
    // least 2*CONTEXT+1 equal lines ago.
    size_t e = last + 1 + CONTEXT < n_ops ? last + 1 + CONTEXT : n_ops;
    if (!header) {
      fprintf(out, "--- a/%s\n+++ b/%s\n", path, path);
      header = true;
    }
    ok = print_hunk(out, ops, s, e, &a, &b);
    i = last + 1;
  }
  free(ops);
  free(a.items);
  free(b.items);
  return ok && !ferror(out);
}
