// SPDX-License-Identifier: MIT
/*
 * The rule registry: every descriptor named in rules.def, sorted by code,
 * looked up by code or name, and the --select/--ignore selector logic that
 * turns user lists into the per-run `enabled` array. The table is built once,
 * lazily and thread-safely; a duplicate or malformed code, or a duplicate
 * name, aborts at start-up because it is a build mistake, not a user error.
 * This module does not run rules (engine.c does) and prints nothing except
 * that internal error.
 */
#include "rules/rule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AL_RULE(x) extern const al_rule al_rule_##x;
#include "rules/rules.def"
#undef AL_RULE

// rules.def order: registration order, which carries no meaning.
static const al_rule *const declared[] = {
#define AL_RULE(x) &al_rule_##x,
#include "rules/rules.def"
#undef AL_RULE
};

#define N_RULES ((uint32_t)(sizeof declared / sizeof declared[0]))

static const al_rule *sorted[N_RULES];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static void internal_error(const char *what, const char *value) {
  fprintf(stderr, "asynclint: internal error: %s %s\n", what, value);
  abort();
}

// "AL" and three digits: prefix selection and the case-insensitive lookup
// both rely on this shape, so a descriptor typo must not slip through.
static bool is_code(const char *s) {
  return s && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'L' || s[1] == 'l') &&
         s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9' &&
         s[4] >= '0' && s[4] <= '9' && s[5] == '\0';
}

static int compare_code(const void *a, const void *b) {
  const al_rule *ra = *(const al_rule *const *)a;
  const al_rule *rb = *(const al_rule *const *)b;
  return strcasecmp(ra->code, rb->code);
}

static void build_sorted(void) {
  for (uint32_t i = 0; i < N_RULES; i++) {
    const al_rule *r = declared[i];
    if (!is_code(r->code))
      internal_error("malformed rule code", r->code ? r->code : "(null)");
    if (!r->name || !r->name[0])
      internal_error("rule without a name:", r->code);
    sorted[i] = r;
  }
  qsort(sorted, N_RULES, sizeof sorted[0], compare_code);
  // After sorting, equal codes are neighbours; names need the full pairwise
  // check, which is cheap for a few dozen rules and runs once.
  for (uint32_t i = 1; i < N_RULES; i++)
    if (strcasecmp(sorted[i - 1]->code, sorted[i]->code) == 0)
      internal_error("duplicate rule code", sorted[i]->code);
  for (uint32_t i = 0; i < N_RULES; i++)
    for (uint32_t j = i + 1; j < N_RULES; j++)
      if (strcmp(sorted[i]->name, sorted[j]->name) == 0)
        internal_error("duplicate rule name", sorted[i]->name);
}

static const al_rule *const *table(void) {
  pthread_once(&sorted_once, build_sorted);
  return sorted;
}

const al_rule *const *al_rules_all(uint32_t *n) {
  const al_rule *const *t = table();
  if (n)
    *n = N_RULES;
  return t;
}

uint32_t al_rule_index(const al_rule *rule) {
  const al_rule *const *t = table();
  al_assert(rule && rule->code);
  // Binary search by code: al_report calls this for every diagnostic.
  uint32_t lo = 0, hi = N_RULES;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    int c = strcasecmp(t[mid]->code, rule->code);
    if (c == 0) {
      // A descriptor that only copies a registered code is not registered.
      al_assert(t[mid] == rule);
      return mid;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  al_assert(!"rule not in rules.def");
  return UINT32_MAX;
}

const al_rule *al_rule_find(const char *code_or_name) {
  if (!code_or_name)
    return NULL;
  uint32_t n;
  const al_rule *const *t = al_rules_all(&n);
  for (uint32_t i = 0; i < n; i++)
    if (strcasecmp(t[i]->code, code_or_name) == 0 ||
        strcmp(t[i]->name, code_or_name) == 0)
      return t[i];
  return NULL;
}

const char *al_severity_name(al_severity sev) {
  switch (sev) {
  case AL_SEV_ERROR:
    return "error";
  case AL_SEV_WARNING:
    return "warning";
  case AL_SEV_INFO:
    return "info";
  }
  return "unknown";
}

// Selectors -----------------------------------------------------------------

// A bounded copy of one selector; longer input cannot be a code or a name
// of ours, so it is compared truncated and fails as unknown.
typedef struct {
  char text[128];
  size_t len;
} selector;

static bool ascii_case_prefix(const char *code, const char *prefix,
                              size_t len) {
  return strncasecmp(code, prefix, len) == 0;
}

// "AL" followed by zero to two digits (three digits would be a full code).
static bool is_prefix(const selector *s) {
  if (s->len < 2 || s->len > 4 || strncasecmp(s->text, "AL", 2) != 0)
    return false;
  for (size_t i = 2; i < s->len; i++)
    if (s->text[i] < '0' || s->text[i] > '9')
      return false;
  return true;
}

// Sets enabled[] for every rule the selector names to `on`. Prefixes and
// ALL only add default-on rules when selecting (opt-in rules must be asked
// for by code, name or ALL) but remove every match when ignoring, so that
// `--ignore AL2` really silences the whole family.
static bool apply_selector(bool *enabled, const selector *s, bool on,
                           al_error *err) {
  uint32_t n;
  const al_rule *const *t = al_rules_all(&n);
  if (strcasecmp(s->text, "ALL") == 0) {
    for (uint32_t i = 0; i < n; i++)
      enabled[i] = on;
    return true;
  }
  const al_rule *exact = al_rule_find(s->text);
  if (exact) {
    enabled[al_rule_index(exact)] = on;
    return true;
  }
  if (is_prefix(s)) {
    // A prefix that no rule has is a typo (AL3 before that family exists,
    // AL02 for AL002); reject it rather than silently select nothing.
    bool matched = false;
    for (uint32_t i = 0; i < n; i++) {
      if (!ascii_case_prefix(t[i]->code, s->text, s->len))
        continue;
      matched = true;
      if (!on || t[i]->default_on)
        enabled[i] = on;
    }
    if (matched)
      return true;
  }
  return al_error_set(err, NULL, 0, 0, "unknown rule selector '%s'", s->text);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Applies every selector of a list. Items may themselves hold
// comma-separated selectors (a raw --select value or config entry), and
// empty or blank ones are skipped, so "AL100,,AL200" and "AL100, AL200"
// both work whoever split them.
static bool apply_list(bool *enabled, const char *const *list, uint32_t n,
                       bool on, al_error *err) {
  for (uint32_t i = 0; i < n; i++) {
    const char *p = list[i];
    while (p && *p) {
      const char *end = strchr(p, ',');
      if (!end)
        end = p + strlen(p);
      const char *a = p, *b = end;
      while (a < b && is_blank(*a))
        a++;
      while (b > a && is_blank(b[-1]))
        b--;
      if (a < b) {
        selector s;
        s.len = (size_t)(b - a) < sizeof s.text ? (size_t)(b - a)
                                                : sizeof s.text - 1;
        memcpy(s.text, a, s.len);
        s.text[s.len] = '\0';
        if (!apply_selector(enabled, &s, on, err))
          return false;
      }
      p = *end ? end + 1 : end;
    }
  }
  return true;
}

// Whether a list names at least one selector (not just empty items).
static bool has_selector(const char *const *list, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    for (const char *p = list[i]; p && *p; p++)
      if (*p != ',' && !is_blank(*p))
        return true;
  return false;
}

bool al_rules_select(bool *enabled, const char *const *select, uint32_t n_sel,
                     const char *const *ignore, uint32_t n_ign, al_error *err) {
  uint32_t n;
  const al_rule *const *t = al_rules_all(&n);
  // `--select=` (only empty items) means "no selection given", not "select
  // nothing": an empty rule set would make every run pass silently.
  bool from_select = has_selector(select, n_sel);
  for (uint32_t i = 0; i < n; i++)
    enabled[i] = from_select ? false : t[i]->default_on;
  if (from_select && !apply_list(enabled, select, n_sel, true, err))
    return false;
  return apply_list(enabled, ignore, n_ign, false, err);
}
