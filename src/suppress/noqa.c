// SPDX-License-Identifier: MIT
/*
 * Suppression comments. Parsing recognises, anywhere in a comment:
 *   `# noqa` / `# noqa: CODE[, CODE ...]` (flake8's and ruff's `#\s*noqa`:
 *     the space after '#' optional, keyword case-insensitive, codes
 * `[A-Za-z]+[0-9]+` separated by commas and/or whitespace, the list ending at
 * the first non-code);
 *   `# asynclint: ignore[CODE-or-name, ...]`, `# asynclint: ignore` and
 *     `# asynclint: skip-file` (our own form; the space after '#' optional).
 * Several directives in one comment are merged. Applying drops the
 * diagnostics a comment on their start row covers, by code, by rule name or
 * by a code of another tool listed in the rule's equivalents (so existing
 * `# noqa: ASYNC251` keeps working). This module neither finds comments
 * (extraction does) nor handles per-path ignores from the config.
 */
#include "suppress/noqa.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' ||
         c == '\n';
}

static bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

// Whether s[i..] starts with word (lower case), ignoring case.
static bool has_word(al_str s, size_t i, const char *word) {
  size_t n = strlen(word);
  if (s.len - i < n)
    return false;
  for (size_t k = 0; k < n; k++)
    if (lower(s.ptr[i + k]) != word[k])
      return false;
  return true;
}

static size_t skip_space(al_str s, size_t i) {
  while (i < s.len && is_space(s.ptr[i]))
    i++;
  return i;
}

// Whether position i ends a keyword: end of comment, whitespace or the next
// comment's '#'. `# noqa-ish` and `#noqabc` fail here.
static bool at_boundary(al_str s, size_t i) {
  return i == s.len || is_space(s.ptr[i]) || s.ptr[i] == '#';
}

// Length of a flake8-style code `[A-Za-z]+[0-9]+` at s[i..], or 0.
static size_t code_len(al_str s, size_t i) {
  size_t k = i;
  while (k < s.len && is_alpha(s.ptr[k]))
    k++;
  if (k == i || k == s.len || !is_digit(s.ptr[k]))
    return 0;
  while (k < s.len && is_digit(s.ptr[k]))
    k++;
  return k - i;
}

// Codes beyond AL_NOQA_MAX_CODES are dropped: a missed suppression shows up
// as a visible diagnostic, a wrong blanket one would hide findings.
static void add_code(al_noqa *out, al_str code) {
  if (out->n < AL_NOQA_MAX_CODES)
    out->codes[out->n++] = code;
}

// Records the directive s[hash..end) (the AL003 fix removes it); true.
static bool directive_at(al_noqa *out, al_str s, size_t hash, size_t end,
                         bool noqa_form) {
  out->directives++;
  out->noqa_form = noqa_form;
  out->directive = (al_str){s.ptr + hash, end - hash};
  return true;
}

// `noqa` at s[i..] (after "# ", whose '#' is at hash): fills out and
// returns true when it is one.
static bool parse_noqa(al_str s, size_t hash, size_t i, al_noqa *out) {
  if (!has_word(s, i, "noqa"))
    return false;
  i += 4;
  if (i < s.len && s.ptr[i] == ':') {
    uint8_t before = out->n;
    size_t end_of_codes = ++i;
    for (;;) {
      while (i < s.len && (is_space(s.ptr[i]) || s.ptr[i] == ','))
        i++;
      size_t n = code_len(s, i);
      if (!n)
        break;
      add_code(out, (al_str){s.ptr + i, n});
      i += n;
      // Like flake8's regex, `AL100.` or `AL100because` still names AL100,
      // and ends the list: what follows is prose, not more codes.
      if (i < s.len && !is_space(s.ptr[i]) && s.ptr[i] != ',')
        break;
    }
    // `# noqa:` followed by no code at all is the bare form.
    if (out->n == before) {
      out->all = true;
      i = end_of_codes;
    } else {
      i = (size_t)(out->codes[out->n - 1].ptr - s.ptr) +
          out->codes[out->n - 1].len;
    }
    return directive_at(out, s, hash, i, true);
  }
  if (!at_boundary(s, i))
    return false;
  out->all = true;
  return directive_at(out, s, hash, i, true);
}

// A rule code or name inside `ignore[...]`: [A-Za-z0-9_-]+.
static bool is_name_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

// `[a, b c]` at s[i..]: adds the entries and returns true, or returns false
// (adding nothing) for anything malformed, so a typo never suppresses more.
static bool parse_bracket(al_str s, size_t i, al_noqa *out) {
  al_noqa tmp = *out;
  i++; // '['
  for (;;) {
    while (i < s.len && (is_space(s.ptr[i]) || s.ptr[i] == ','))
      i++;
    if (i == s.len)
      return false;
    if (s.ptr[i] == ']')
      break;
    size_t k = i;
    while (k < s.len && is_name_char(s.ptr[k]))
      k++;
    if (k == i)
      return false;
    add_code(&tmp, (al_str){s.ptr + i, k - i});
    i = k;
  }
  // `ignore[]` names nothing: like `# noqa:`, it is the bare form.
  if (tmp.n == out->n)
    tmp.all = true;
  *out = tmp;
  return true;
}

// `asynclint: ignore[...]` / `asynclint: skip-file` at s[i..] (after '#').
static bool parse_own(al_str s, size_t i, al_noqa *out) {
  if (!has_word(s, i, "asynclint"))
    return false;
  i = skip_space(s, i + 9);
  if (i == s.len || s.ptr[i] != ':')
    return false;
  i = skip_space(s, i + 1);
  if (has_word(s, i, "skip-file") && at_boundary(s, i + 9)) {
    out->skip_file = true;
    return true;
  }
  if (!has_word(s, i, "ignore"))
    return false;
  i += 6;
  if (i < s.len && s.ptr[i] == '[')
    return parse_bracket(s, i, out);
  if (!at_boundary(s, i))
    return false;
  out->all = true;
  return true;
}

bool al_noqa_parse(al_str comment, al_noqa *out) {
  *out = (al_noqa){0};
  bool found = false;
  for (size_t i = 0; i < comment.len; i++) {
    if (comment.ptr[i] != '#')
      continue;
    size_t j = skip_space(comment, i + 1);
    // flake8 and ruff match `#\s*noqa`: `#noqa` counts as well.
    if (parse_noqa(comment, i, j, out)) {
      found = true;
    } else if (parse_own(comment, j, out)) {
      out->directives++;
      out->noqa_form = false;
      found = true;
    }
  }
  return found;
}

static bool str_ieq(al_str a, const char *b) {
  return b && strlen(b) == a.len &&
         (a.len == 0 || strncasecmp(a.ptr, b, a.len) == 0);
}

// Whether code appears as a whole code-shaped token of rule->equivalents
// ("ruff RUF006, ASYNC300": RUF006 and ASYNC300 match, "ruff" does not).
static bool is_equivalent(al_str code, const char *equivalents) {
  if (!equivalents || code_len(code, 0) != code.len)
    return false;
  const char *p = equivalents;
  while (*p) {
    if (!is_alpha(*p) && !is_digit(*p)) {
      p++;
      continue;
    }
    const char *start = p;
    while (is_alpha(*p) || is_digit(*p))
      p++;
    size_t n = (size_t)(p - start);
    if (n == code.len && strncasecmp(start, code.ptr, n) == 0)
      return true;
  }
  return false;
}

// Whether one listed code names rule: its code, its name or an equivalent.
static bool code_covers(al_str c, const al_rule *rule) {
  return str_ieq(c, rule->code) || str_ieq(c, rule->name) ||
         is_equivalent(c, rule->equivalents);
}

bool al_noqa_covers(const al_noqa *self, const al_rule *rule) {
  if (self->all)
    return true;
  if (!rule)
    return false;
  for (uint8_t i = 0; i < self->n; i++)
    if (code_covers(self->codes[i], rule))
      return true;
  return false;
}

// First comment whose row is >= row.
static uint32_t first_comment_at(const al_facts *facts, uint32_t row) {
  return vec_lower_bound(&facts->comments, al_comment, row, row);
}

// Which parts of a comment covered a diagnostic: bit i for codes[i],
// USED_ALL for the bare form.
#define USED_ALL ((uint64_t)1 << AL_NOQA_MAX_CODES)

// Drops the covered diags and records in used[] (one mask per comment, may
// be NULL) what covered them. Assumes facts->comments is sorted by row
// (extraction records them in source order). diags need not be sorted:
// while they come in row order one pointer walks the comments
// (O(diags + comments)); a diag on an earlier row than the previous one
// restarts the pointer by binary search.
static void drop_covered(const al_facts *facts, const al_noqa *parsed,
                         al_diag *diags, uint32_t *n, uint64_t *used) {
  uint32_t nc = facts->comments.len;
  uint32_t kept = 0, c = 0;
  for (uint32_t i = 0; i < *n; i++) {
    uint32_t row = diags[i].range.start_row;
    if (c > 0 && facts->comments.items[c - 1].row >= row)
      c = first_comment_at(facts, row);
    while (c < nc && facts->comments.items[c].row < row)
      c++;
    bool covered = false;
    // Every comment and code that covers the diag counts as used, not
    // only the first, so `# noqa: AL200, ASYNC251` is not half unused.
    for (uint32_t k = c; k < nc && facts->comments.items[k].row == row; k++) {
      const al_noqa *q = &parsed[k];
      if (q->all) {
        covered = true;
        if (used)
          used[k] |= USED_ALL;
      }
      for (uint8_t j = 0; diags[i].rule && j < q->n; j++) {
        if (!code_covers(q->codes[j], diags[i].rule))
          continue;
        covered = true;
        if (used)
          used[k] |= (uint64_t)1 << j;
      }
      if (covered && !used)
        break;
    }
    if (!covered)
      diags[kept++] = diags[i];
  }
  *n = kept;
}

// Parses every comment once (one that is not a suppression stays zeroed
// and covers nothing); returns whether one of them is skip-file. Caller
// frees *out.
static bool parse_all(const al_facts *facts, al_noqa **out) {
  uint32_t nc = facts->comments.len;
  al_noqa *parsed = al_xmalloc(((size_t)nc + 1) * sizeof *parsed);
  bool skip = false;
  for (uint32_t c = 0; c < nc; c++) {
    if (!al_noqa_parse(facts->comments.items[c].text, &parsed[c]))
      parsed[c] = (al_noqa){0};
    skip |= parsed[c].skip_file;
  }
  *out = parsed;
  return skip;
}

void al_noqa_apply(const al_facts *facts, al_diag *diags, uint32_t *n) {
  if (facts->comments.len == 0 || *n == 0)
    return;
  al_noqa *parsed;
  if (parse_all(facts, &parsed))
    *n = 0;
  else
    drop_covered(facts, parsed, diags, n, NULL);
  free(parsed);
}

// The enabled rule that a listed code names by its code or name, or NULL.
// Other tools' codes are left alone: a `# noqa: ASYNC251` may still be
// needed by flake8-async even where asynclint has nothing to suppress.
static const al_rule *own_rule(const al_rule_ctx *ctx, al_str code) {
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  for (uint32_t i = 0; i < n; i++)
    if (str_ieq(code, all[i]->code) || str_ieq(code, all[i]->name))
      return ctx->enabled[i] ? all[i] : NULL;
  return NULL;
}

// Appends len bytes of s to buf (size cap, NUL-terminated), truncating.
static void append_n(char *buf, size_t cap, const char *s, size_t len) {
  size_t have = strlen(buf);
  if (have + len + 1 > cap)
    len = have + 1 < cap ? cap - have - 1 : 0;
  memcpy(buf + have, s, len);
  buf[have + len] = '\0';
}

static void append(char *buf, size_t cap, const char *s) {
  append_n(buf, cap, s, strlen(s));
}

// The AL003 fix of comment cm, whose only directive is a `# noqa`: drop
// the listed codes that suppress nothing (unused: bit j for codes[j]), or
// the whole directive when nothing else is left in it. Only when what
// follows the directive is the end of the comment or another comment
// (`# noqa: X because ...` keeps its prose: no fix).
static void fix_unused(al_rule_ctx *ctx, al_diag *d, const al_noqa *q,
                       uint64_t unused, const al_comment *cm) {
  if (!d || q->directives != 1 || !q->noqa_form)
    return;
  size_t from = (size_t)(q->directive.ptr - cm->text.ptr);
  size_t to = from + q->directive.len, rest = to;
  while (rest < cm->text.len && is_space(cm->text.ptr[rest]))
    rest++;
  if (rest < cm->text.len && cm->text.ptr[rest] != '#')
    return;
  bool keep_any = false;
  for (uint8_t j = 0; j < q->n; j++)
    keep_any |= !((unused >> j) & 1);
  if (!keep_any) {
    al_fix *fix =
        al_fix_new(ctx, d, AL_FIX_SAFE, "Remove the unused suppression");
    // Up to the next comment, or the end of this one.
    al_fix_edit(ctx, fix, cm->byte + (uint32_t)from,
                cm->byte + (uint32_t)(rest < cm->text.len ? rest : to), "");
    return;
  }
  // The codes kept, in their order, joined by ", ", over the listed ones.
  char list[512] = "";
  for (uint8_t j = 0; j < q->n; j++) {
    if ((unused >> j) & 1)
      continue;
    append(list, sizeof list, list[0] ? ", " : "");
    append_n(list, sizeof list, q->codes[j].ptr, q->codes[j].len);
  }
  uint32_t first = (uint32_t)(q->codes[0].ptr - cm->text.ptr);
  uint32_t last = (uint32_t)(q->codes[q->n - 1].ptr - cm->text.ptr) +
                  (uint32_t)q->codes[q->n - 1].len;
  al_fix *fix = al_fix_new(ctx, d, AL_FIX_SAFE, "Remove the unused codes");
  al_fix_edit(ctx, fix, cm->byte + first, cm->byte + last, list);
}

// AL003 for comment k if it covered nothing it could have covered.
static void report_unused(al_rule_ctx *ctx, const al_noqa *q, uint64_t used,
                          const al_comment *cm) {
  char msg[512] = "";
  uint64_t unused_bits = 0; // the codes the fix drops (bare form: none)
  for (uint8_t j = 0; j < q->n; j++)
    // Listing AL003 itself says "leave this comment alone".
    if (code_covers(q->codes[j], &al_rule_unused_suppression))
      return;
  if (q->all) {
    if (used & USED_ALL)
      return;
    strcpy(msg, "unused suppression: no diagnostic on this line to suppress");
  } else {
    uint32_t unused = 0;
    for (uint8_t j = 0; j < q->n; j++) {
      if ((used >> j) & 1 || !own_rule(ctx, q->codes[j]))
        continue;
      append(msg, sizeof msg, unused ? ", " : "unused suppression of ");
      append_n(msg, sizeof msg, q->codes[j].ptr, q->codes[j].len);
      unused++;
      unused_bits |= (uint64_t)1 << j;
    }
    if (!unused)
      return;
    append(msg, sizeof msg, ": no such diagnostic on this line");
  }
  uint32_t len = (uint32_t)cm->text.len;
  al_range at = {cm->byte, cm->byte + len, cm->row,
                 cm->col,  cm->row,        cm->col + len};
  fix_unused(ctx, al_report_range(ctx, &al_rule_unused_suppression, at, msg), q,
             unused_bits, cm);
}

void al_noqa_filter(al_rule_ctx *ctx) {
  const al_facts *facts = ctx->facts;
  al_diag_list *list = ctx->out;
  uint32_t nc = facts->comments.len;
  bool report = al_rule_enabled(ctx, &al_rule_unused_suppression);
  if (nc == 0 || (list->len == 0 && !report))
    return;
  al_noqa *parsed;
  uint32_t n = list->len;
  if (parse_all(facts, &parsed)) {
    list->len = 0;
    free(parsed);
    return;
  }
  uint64_t *used = report ? al_xcalloc(nc, sizeof *used) : NULL;
  drop_covered(facts, parsed, list->items, &n, used);
  list->len = n;
  // al_report appends to list: nothing above points into it any more.
  for (uint32_t k = 0; report && k < nc; k++)
    if (parsed[k].all || parsed[k].n)
      report_unused(ctx, &parsed[k], used[k], &facts->comments.items[k]);
  free(used);
  free(parsed);
}
