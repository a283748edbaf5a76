// SPDX-License-Identifier: MIT
/*
 * --statistics: how many diagnostics each rule produced, instead of the
 * diagnostics themselves (ruff's `--statistics`), most frequent first, ties
 * by code. Text lines `  COUNT  CODE  name`, or with --format json an array
 * of {code, name, count} objects built with jansson. It counts what the
 * report would have shown (after suppressions and the baseline).
 */
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const al_rule *rule;
  uint32_t count;
} rule_count;

static int compare_counts(const void *pa, const void *pb) {
  const rule_count *a = pa, *b = pb;
  if (a->count != b->count)
    return a->count < b->count ? 1 : -1;
  return strcmp(a->rule->code, b->rule->code);
}

// Counts per rule into a malloc'd array; *n gets its length.
static rule_count *count_rules(const al_report_input *in, uint32_t *n) {
  rule_count *counts = al_xmalloc(((size_t)in->n_items + 1) * sizeof *counts);
  uint32_t len = 0;
  for (uint32_t i = 0; i < in->n_items; i++) {
    const al_rule *r = in->items[i].rule;
    uint32_t k = 0;
    // Rules are a few dozen at most: a linear search is enough.
    while (k < len && strcmp(counts[k].rule->code, r->code) != 0)
      k++;
    if (k == len)
      counts[len++] = (rule_count){r, 0};
    counts[k].count++;
  }
  qsort(counts, len, sizeof *counts, compare_counts);
  *n = len;
  return counts;
}

static bool write_json(FILE *out, const rule_count *counts, uint32_t n) {
  json_t *arr = json_array();
  bool ok = arr != NULL;
  for (uint32_t i = 0; ok && i < n; i++) {
    json_t *o = json_object();
    ok = o &&
         json_object_set_new(o, "code", json_string(counts[i].rule->code)) == 0;
    ok = ok &&
         json_object_set_new(o, "name", json_string(counts[i].rule->name)) == 0;
    ok = ok &&
         json_object_set_new(o, "count", json_integer(counts[i].count)) == 0;
    if (json_array_append_new(arr, o) != 0)
      ok = false;
  }
  ok = ok && json_dumpf(arr, out, JSON_PRESERVE_ORDER | JSON_INDENT(2)) == 0 &&
       fputc('\n', out) != EOF;
  json_decref(arr);
  return ok;
}

bool al_report_statistics(FILE *out, const al_report_input *in, bool json) {
  uint32_t n;
  rule_count *counts = count_rules(in, &n);
  bool ok = true;
  if (json) {
    ok = write_json(out, counts, n);
  } else {
    int width = 4;
    for (uint32_t i = 0; i < n; i++) {
      int w = snprintf(NULL, 0, "%lu", (unsigned long)counts[i].count);
      width = w > width ? w : width;
    }
    for (uint32_t i = 0; ok && i < n; i++)
      ok = fprintf(out, "%*lu  %s  %s\n", width, (unsigned long)counts[i].count,
                   counts[i].rule->code, counts[i].rule->name) >= 0;
  }
  free(counts);
  return ok && fflush(out) == 0 && !ferror(out);
}
