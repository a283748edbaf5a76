// SPDX-License-Identifier: MIT
/*
 * Loop bounds: how many times `for i in range(...)` runs at most, from the
 * constant integer expressions of its arguments (literals, + - * // **,
 * a leading minus), for the CPU-loop rule's block sites.
 */
#include "facts/extract_p.h"

// The value of a constant integer expression (literals, + - * // **), for
// loop bounds; false when it is not one or overflows. Depth-limited.
static bool const_int(al_extractor *x, TSNode n, int depth, uint64_t *out) {
  if (depth > 8 || ts_node_is_null(n))
    return false;
  n = al_node_unparen(n);
  al_kind k = al_node_kind(n);
  if (k == AL_K_INTEGER) {
    al_str t = al_node_text(n, x->text);
    uint64_t v = 0;
    size_t i = 0;
    unsigned base = 10;
    if (t.len > 2 && t.ptr[0] == '0' && (t.ptr[1] == 'x' || t.ptr[1] == 'X')) {
      base = 16;
      i = 2;
    }
    for (; i < t.len; i++) {
      char c = t.ptr[i];
      unsigned d;
      if (c == '_')
        continue;
      if (c >= '0' && c <= '9')
        d = (unsigned)(c - '0');
      else if (base == 16 && c >= 'a' && c <= 'f')
        d = (unsigned)(c - 'a' + 10);
      else if (base == 16 && c >= 'A' && c <= 'F')
        d = (unsigned)(c - 'A' + 10);
      else
        return false; // 1e7 floats, long suffixes: not here
      if (v > (UINT64_MAX - d) / base)
        return false;
      v = v * base + d;
    }
    *out = v;
    return true;
  }
  if (k != AL_K_BINARY_OPERATOR)
    return false;
  uint64_t a, b;
  if (!const_int(x, ts_node_child_by_field_id(n, x->F->left), depth + 1, &a) ||
      !const_int(x, ts_node_child_by_field_id(n, x->F->right), depth + 1, &b))
    return false;
  TSNode op = ts_node_child_by_field_id(n, x->F->operator);
  al_str o = ts_node_is_null(op) ? (al_str){0} : al_node_text(op, x->text);
  if (al_str_eq_c(o, "+")) {
    if (a > UINT64_MAX - b)
      return false;
    *out = a + b;
  } else if (al_str_eq_c(o, "-")) {
    *out = a >= b ? a - b : 0;
  } else if (al_str_eq_c(o, "*")) {
    if (b && a > UINT64_MAX / b)
      return false;
    *out = a * b;
  } else if (al_str_eq_c(o, "//")) {
    *out = b ? a / b : 0;
  } else if (al_str_eq_c(o, "**")) {
    uint64_t r = 1;
    for (uint64_t i = 0; i < b; i++) {
      if (a && r > UINT64_MAX / a)
        return false;
      r *= a;
    }
    *out = r;
  } else {
    return false;
  }
  return true;
}

// A constant integer, or the negation of one (`-1`): *neg says which.
static bool signed_const(al_extractor *x, TSNode n, uint64_t *v, bool *neg) {
  n = al_node_unparen(n);
  *neg = false;
  if (!ts_node_is_null(n) && al_node_kind(n) == AL_K_UNARY_OPERATOR) {
    TSNode op = ts_node_child_by_field_id(n, x->F->operator);
    if (ts_node_is_null(op) || !al_str_eq_c(al_node_text(op, x->text), "-"))
      return false;
    *neg = true;
    n = ts_node_child_by_field_id(n, x->F->argument);
  }
  return const_int(x, n, 0, v) && (*v != 0 || !*neg);
}

// How many times range(...) runs at most, from its constant arguments (0
// when the stop is not constant). An unknown start counts as 0 and an
// unknown step as 1 (their usual values); a constant step divides.
uint64_t al_extract__range_bound(al_extractor *x, TSNode call) {
  TSNode fn = al_node_unparen(ts_node_child_by_field_id(call, x->F->function));
  if (ts_node_is_null(fn) || al_node_kind(fn) != AL_K_IDENTIFIER ||
      !al_str_eq_c(al_node_text(fn, x->text), "range"))
    return 0;
  TSNode args = ts_node_child_by_field_id(call, x->F->arguments);
  if (ts_node_is_null(args))
    return 0;
  uint32_t n = ts_node_named_child_count(args);
  uint64_t v[3] = {0, 0, 1};
  bool neg[3] = {false, false, false}, known[3] = {false, false, false};
  for (uint32_t i = 0; i < n && i < 3; i++)
    known[i] = signed_const(x, ts_node_named_child(args, i), &v[i], &neg[i]);
  if (n == 1)
    return known[0] && !neg[0] ? v[0] : 0;
  if (!known[1] || neg[0] || neg[1])
    return 0;
  uint64_t start = known[0] ? v[0] : 0, stop = v[1];
  uint64_t step = n >= 3 && known[2] ? v[2] : 1;
  if (step == 0)
    return 0;
  uint64_t span = n >= 3 && known[2] && neg[2]
                      ? (known[0] && start > stop ? start - stop : 0)
                      : (stop > start ? stop - start : 0);
  return span / step + (span % step != 0);
}
