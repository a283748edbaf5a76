// SPDX-License-Identifier: MIT
/*
 * One pass of fixes over one file's text: which fixes go together (no two
 * edits overlapping or inserting at the same offset, whose order would be a
 * guess), the edits applied from the end so that earlier offsets stay put,
 * the parse check that keeps a buggy fix from breaking a file, and the
 * re-encoding into the file's declared encoding. It never looks at what a
 * fix means: edits are byte ranges the rules computed from the facts.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "source/file.h"
#include "syntax/parser.h"

bool al_fix_wanted(const al_diag *d, const al_fix_policy *policy) {
  if (!al_fix_usable(d->fix))
    return false;
  if (d->fix->applicability == AL_FIX_UNSAFE && !policy->unsafe)
    return false;
  return !policy->fixable || policy->fixable[al_rule_index(d->rule)];
}

const al_fix *al_fix_copy(al_arena *arena, const al_fix *fix) {
  if (!fix)
    return NULL;
  al_fix *c = al_arena_alloc(arena, sizeof *c);
  *c = *fix;
  const char *msg = fix->message ? fix->message : "";
  c->message = al_arena_strndup(arena, msg, strlen(msg));
  c->edits = fix->n_edits
                 ? al_arena_alloc(arena, fix->n_edits * sizeof *c->edits)
                 : NULL;
  c->cap_edits = fix->n_edits;
  for (uint32_t i = 0; i < fix->n_edits; i++) {
    c->edits[i] = fix->edits[i];
    const char *t = fix->edits[i].content ? fix->edits[i].content : "";
    c->edits[i].content = al_arena_strndup(arena, t, strlen(t));
  }
  return c;
}

bool al_fix_parses(const char *text, uint32_t len) {
  al_parser *parser = al_parser_new();
  bool gave_up = false;
  TSTree *tree = al_parser_parse(parser, text, len, &gave_up);
  bool ok = tree && !ts_node_has_error(ts_tree_root_node(tree));
  ts_tree_delete(tree);
  al_parser_free(parser);
  return ok;
}

// Whether edits a and b conflict: they overlap, or both start at one
// offset (two insertions there, or an insertion before a replacement:
// which comes first would be a guess).
static bool edits_clash(const al_edit *a, const al_edit *b) {
  if (a->start == b->start)
    return true;
  return a->start < b->end && b->start < a->end;
}

typedef struct {
  const al_edit *edit;
  uint32_t order; // insertions at one offset (of one fix) keep this order
} taken_edit;

static int cmp_taken(const void *a, const void *b) {
  const taken_edit *x = a, *y = b;
  if (x->edit->start != y->edit->start)
    return (x->edit->start > y->edit->start) -
           (x->edit->start < y->edit->start);
  return (x->order > y->order) - (x->order < y->order);
}

// Bytes content adds once each '\n' becomes newline.
static size_t content_len(const char *content, const char *newline) {
  size_t n = 0, extra = strlen(newline) - 1;
  for (const char *p = content; *p; p++)
    n += *p == '\n' ? 1 + extra : 1;
  return n;
}

// text with the edits of taken[0..n) (sorted by start, disjoint) applied.
static char *apply_edits(const char *text, uint32_t len,
                         const taken_edit *taken, uint32_t n,
                         const char *newline, uint32_t *out_len) {
  size_t size = len;
  for (uint32_t i = 0; i < n; i++)
    size = size - (taken[i].edit->end - taken[i].edit->start) +
           content_len(taken[i].edit->content, newline);
  char *out = al_xmalloc(size + 1);
  size_t at = 0, from = 0, nl = strlen(newline);
  for (uint32_t i = 0; i < n; i++) {
    const al_edit *e = taken[i].edit;
    memcpy(out + at, text + from, e->start - from);
    at += e->start - from;
    for (const char *p = e->content; *p; p++) {
      if (*p == '\n') {
        memcpy(out + at, newline, nl);
        at += nl;
      } else {
        out[at++] = *p;
      }
    }
    from = e->end;
  }
  memcpy(out + at, text + from, len - from);
  at += len - from;
  out[at] = '\0';
  *out_len = (uint32_t)at;
  return out;
}

// Collects the edits of the fixes marked APPLIED, sorted by start.
static uint32_t collect(const al_fix *const *fixes, uint32_t n,
                        const al_fix_outcome *outcome, taken_edit *taken) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++)
    if (outcome[i] == AL_FIX_APPLIED)
      for (uint32_t e = 0; e < fixes[i]->n_edits; e++, k++)
        taken[k] = (taken_edit){&fixes[i]->edits[e], k};
  qsort(taken, k, sizeof *taken, cmp_taken);
  return k;
}

// The edits taken so far, sorted by start. They never clash, so they are
// sorted by end as well: an edit can only clash with its two neighbours.
typedef struct {
  const al_edit **items;
  uint32_t len;
} taken_set;

// Index of the first taken edit starting at or after start.
static uint32_t lower_bound(const taken_set *t, uint32_t start) {
  uint32_t lo = 0, hi = t->len;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (t->items[mid]->start < start)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static bool clashes(const taken_set *t, const al_edit *e) {
  uint32_t i = lower_bound(t, e->start);
  return (i < t->len && edits_clash(t->items[i], e)) ||
         (i > 0 && edits_clash(t->items[i - 1], e));
}

static void take(taken_set *t, const al_edit *e) {
  uint32_t i = lower_bound(t, e->start);
  memmove(t->items + i + 1, t->items + i, (t->len - i) * sizeof *t->items);
  t->items[i] = e;
  t->len++;
}

// Greedy choice: each fix in order, unless one of its edits clashes with
// one taken (or with another of its own: a fix made by hand may hold such).
static void choose(const al_fix *const *fixes, uint32_t n,
                   al_fix_outcome *outcome, const bool *skip) {
  uint32_t total = 0;
  for (uint32_t i = 0; i < n; i++)
    total += al_fix_usable(fixes[i]) ? fixes[i]->n_edits : 0;
  taken_set t = {al_xcalloc(total ? total : 1, sizeof *t.items), 0};
  for (uint32_t i = 0; i < n; i++) {
    outcome[i] = AL_FIX_WAITS;
    if ((skip && skip[i]) || !al_fix_usable(fixes[i]))
      continue;
    bool clash = false;
    for (uint32_t a = 0; a < fixes[i]->n_edits && !clash; a++)
      clash = clashes(&t, &fixes[i]->edits[a]);
    if (clash)
      continue;
    outcome[i] = AL_FIX_APPLIED;
    for (uint32_t a = 0; a < fixes[i]->n_edits; a++)
      take(&t, &fixes[i]->edits[a]);
  }
  free(t.items);
}

// A deletion of a comment that runs to the end of its line takes the
// blanks before it along (no trailing whitespace left), and the whole
// line when nothing else was on it.
static al_edit tidy(const char *text, uint32_t len, al_edit e) {
  if (e.content[0] || e.start >= e.end || text[e.start] != '#')
    return e;
  uint32_t end = e.end;
  if (end < len && text[end] == '\r' && end + 1 < len && text[end + 1] == '\n')
    end++;
  if (end < len && text[end] != '\n')
    return e;
  uint32_t start = e.start;
  while (start > 0 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
    start--;
  e.start = start;
  if ((start == 0 || text[start - 1] == '\n') && end < len)
    e.end = end + 1; // the line was only this comment
  return e;
}

// Copies of fixes with their edits tidied (arrays malloc'd in *store).
static const al_fix **tidied(const char *text, uint32_t len,
                             const al_fix *const *fixes, uint32_t n,
                             al_fix **store) {
  const al_fix **out = al_xcalloc(n ? n : 1, sizeof *out);
  *store = al_xcalloc(n ? n : 1, sizeof **store);
  for (uint32_t i = 0; i < n; i++) {
    out[i] = fixes[i];
    if (!al_fix_usable(fixes[i]))
      continue;
    al_fix *c = &(*store)[i];
    *c = *fixes[i];
    c->edits = al_xcalloc(c->n_edits, sizeof *c->edits);
    for (uint32_t e = 0; e < c->n_edits; e++)
      c->edits[e] = tidy(text, len, fixes[i]->edits[e]);
    out[i] = c;
  }
  return out;
}

static char *apply_tidied(const char *text, uint32_t len,
                          const al_fix *const *fixes, uint32_t n,
                          const char *newline, al_fix_outcome *outcome,
                          uint32_t *out_len);

char *al_fix_apply(const char *text, uint32_t len, const al_fix *const *fixes,
                   uint32_t n, const char *newline, al_fix_outcome *outcome,
                   uint32_t *out_len) {
  al_fix *store;
  const al_fix **t = tidied(text, len, fixes, n, &store);
  char *out = apply_tidied(text, len, t, n, newline, outcome, out_len);
  for (uint32_t i = 0; i < n; i++)
    free(store[i].edits);
  free(store);
  free(t);
  return out;
}

static char *apply_tidied(const char *text, uint32_t len,
                          const al_fix *const *fixes, uint32_t n,
                          const char *newline, al_fix_outcome *outcome,
                          uint32_t *out_len) {
  uint32_t n_edits = 0;
  for (uint32_t i = 0; i < n; i++)
    n_edits += fixes[i] ? fixes[i]->n_edits : 0;
  taken_edit *taken = al_xcalloc(n_edits ? n_edits : 1, sizeof *taken);
  choose(fixes, n, outcome, NULL);
  uint32_t k = collect(fixes, n, outcome, taken);
  char *out = k ? apply_edits(text, len, taken, k, newline, out_len) : NULL;
  if (out && !al_fix_parses(out, *out_len) && al_fix_parses(text, len)) {
    // Some fix breaks the file: find which, one at a time. Rare (a rule's
    // bug), so the extra parses cost nothing in the common case.
    free(out);
    out = NULL;
    bool *bad = al_xcalloc(n ? n : 1, sizeof *bad);
    for (uint32_t i = 0; i < n; i++) {
      if (outcome[i] != AL_FIX_APPLIED)
        continue;
      taken_edit *one = taken;
      uint32_t m = 0;
      for (uint32_t e = 0; e < fixes[i]->n_edits; e++, m++)
        one[m] = (taken_edit){&fixes[i]->edits[e], m};
      uint32_t one_len;
      char *t = apply_edits(text, len, one, m, newline, &one_len);
      bad[i] = !al_fix_parses(t, one_len);
      free(t);
    }
    choose(fixes, n, outcome, bad);
    k = collect(fixes, n, outcome, taken);
    out = k ? apply_edits(text, len, taken, k, newline, out_len) : NULL;
    if (out && !al_fix_parses(out, *out_len)) {
      // Each fix parses alone but not together: keep none this pass.
      free(out);
      out = NULL;
      for (uint32_t i = 0; i < n; i++)
        if (outcome[i] == AL_FIX_APPLIED)
          bad[i] = true;
    }
    for (uint32_t i = 0; i < n; i++)
      if (bad[i])
        outcome[i] = AL_FIX_BROKEN;
      else if (!out && outcome[i] == AL_FIX_APPLIED)
        outcome[i] = AL_FIX_WAITS;
    free(bad);
  }
  free(taken);
  return out;
}

// iconv's name for a declared encoding: Python's spellings of Latin-1
// ("latin-1", "iso_8859_1", "l1") and underscores where glibc has dashes.
static iconv_t open_encoder(const char *encoding) {
  iconv_t cd = iconv_open(encoding, "UTF-8");
  if (cd != (iconv_t)-1)
    return cd;
  char name[64];
  size_t n = strlen(encoding);
  if (n >= sizeof name)
    return cd;
  for (size_t i = 0; i <= n; i++) {
    char c = encoding[i];
    name[i] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  cd = iconv_open(name, "UTF-8");
  if (cd != (iconv_t)-1)
    return cd;
  static const char *const latin1[] = {"latin-1",     "latin1", "l1",
                                       "iso-latin-1", "latin",  "iso-8859-1"};
  for (size_t i = 0; i < sizeof latin1 / sizeof latin1[0]; i++)
    if (strcmp(name, latin1[i]) == 0 ||
        (strncmp(name, latin1[i], strlen(latin1[i])) == 0 &&
         name[strlen(latin1[i])] == '-'))
      return iconv_open("ISO-8859-1", "UTF-8");
  return cd;
}

char *al_fix_encode(const char *text, size_t len, const char *encoding,
                    bool bom, size_t *out_len) {
  size_t pre = bom ? 3 : 0;
  if (!encoding) {
    char *out = al_xmalloc(len + pre + 1);
    memcpy(out, "\xEF\xBB\xBF", pre);
    memcpy(out + pre, text, len);
    out[len + pre] = '\0';
    *out_len = len + pre;
    return out;
  }
  iconv_t cd = open_encoder(encoding);
  if (cd == (iconv_t)-1)
    return NULL;
  size_t fail_at; // a character the encoding cannot hold: NULL
  char *buf = al_iconv_all(cd, text, len, out_len, &fail_at);
  iconv_close(cd);
  return buf;
}
