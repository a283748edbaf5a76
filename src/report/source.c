// SPDX-License-Identifier: MIT
/*
 * Source lines at report time. Facts do not keep the text, so the files
 * that have diagnostics are read again here (through source/file.h, the
 * same decoding as the lint) for --show-source, SARIF fingerprints and the
 * baseline. A file whose decoded text no longer hashes as it did during the
 * lint (edited in between, vanished, now unreadable) gets no lines rather
 * than wrong ones. This module does not print.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "source/file.h"

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

const char *al_report_line_key(al_str line, al_arena *arena) {
  char *out = al_arena_alloc(arena, line.len + 1);
  size_t o = 0;
  bool pending_space = false;
  for (size_t i = 0; i < line.len; i++) {
    char c = line.ptr[i];
    if (is_blank(c)) {
      pending_space = o > 0;
      continue;
    }
    if (pending_space)
      out[o++] = ' ';
    pending_space = false;
    out[o++] = c;
  }
  out[o] = '\0';
  return out;
}

// Row `row` (0-based) of text: no line break, no trailing '\r' (CRLF).
// Rows past the end are empty (a syntax error reported at end of file).
static al_str line_at(const char *text, uint32_t len, uint32_t row) {
  uint32_t i = 0;
  for (uint32_t r = 0; r < row; r++) {
    const char *nl = memchr(text + i, '\n', len - i);
    if (!nl)
      return (al_str){"", 0};
    i = (uint32_t)(nl - text) + 1;
  }
  const char *nl = memchr(text + i, '\n', len - i);
  uint32_t end = nl ? (uint32_t)(nl - text) : len;
  if (end > i && text[end - 1] == '\r')
    end--;
  return (al_str){text + i, end - i};
}

// qsort has no context argument in C11; the report stage is
// single-threaded, so the items being ranked are parked here.
static const al_report_item *rank_items;

// By code, then key, then report order: equal (code, key) runs come out in
// the order the occurrence index counts.
static int compare_rank(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  const al_report_item *x = &rank_items[a], *y = &rank_items[b];
  int c = strcmp(x->rule->code, y->rule->code);
  if (!c)
    c = strcmp(x->key, y->key);
  return c ? c : (a > b) - (a < b);
}

// Fills items[first, last) of one file from its decoded text (NULL: the
// text is not available and the lines stay unknown).
static void fill_file(al_report_item *items, const al_diag *diags,
                      uint32_t first, uint32_t last, const al_source *src,
                      al_arena *arena) {
  for (uint32_t i = first; i < last; i++) {
    al_report_item *it = &items[i];
    if (src) {
      al_str l = line_at(src->text, src->len, diags[i].range.start_row);
      char *copy = al_arena_strndup(arena, l.ptr, l.len);
      it->line = (al_str){copy, l.len};
      it->key = al_report_line_key(it->line, arena);
    } else {
      it->line = (al_str){NULL, 0};
      it->key = "";
    }
  }
  uint32_t n = last - first;
  uint32_t *order = al_xmalloc((size_t)n * sizeof *order);
  for (uint32_t i = 0; i < n; i++)
    order[i] = first + i;
  rank_items = items;
  qsort(order, n, sizeof *order, compare_rank);
  rank_items = NULL;
  for (uint32_t i = 0; i < n; i++) {
    al_report_item *it = &items[order[i]];
    const al_report_item *prev = i ? &items[order[i - 1]] : NULL;
    bool same = prev && strcmp(prev->rule->code, it->rule->code) == 0 &&
                strcmp(prev->key, it->key) == 0;
    it->occurrence = same ? prev->occurrence + 1 : 0;
  }
  free(order);
}

void al_report_attach_source(al_report_item *items, const al_diag *diags,
                             uint32_t n, const al_project *project,
                             const char *stdin_bytes, size_t stdin_len,
                             al_arena *arena) {
  for (uint32_t first = 0; first < n;) {
    uint32_t file = diags[first].file;
    uint32_t last = first + 1;
    while (last < n && diags[last].file == file)
      last++;
    const al_project_file *pf = vec_get(&project->files, file);
    const al_facts *facts = pf->facts;
    al_arena *tmp = al_arena_new();
    al_source src;
    bool ok = false;
    if (facts && !facts->unreadable) {
      if (pf->fs_path)
        ok = al_source_read(&src, tmp, pf->fs_path, pf->path);
      else if (stdin_bytes)
        ok = al_source_from_bytes(&src, tmp, pf->path, stdin_bytes, stdin_len);
      ok = ok && src.len == facts->text_len &&
           al_hash64(src.text, src.len, 0) == facts->text_hash;
    }
    fill_file(items, diags, first, last, ok ? &src : NULL, arena);
    al_arena_free(tmp);
    first = last;
  }
}
