// SPDX-License-Identifier: MIT
/*
 * Open documents (documents.h). Text edits are byte splices; the tree is
 * told with ts_tree_edit (byte offsets and points before and after) and
 * reparsed once per batch of changes. Lone CRs become LFs, as
 * source/file.c does for files on disk: Python ends a line there,
 * tree-sitter does not, and the length stays the same.
 */
#include "server/documents.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "source/file.h"

static const char *const TOO_LARGE = "document too large";

void al_docs_init(al_docs *self) {
  *self = (al_docs){0};
  self->parser = al_parser_new();
}

static void doc_free(al_doc *d) {
  if (!d)
    return;
  free(d->uri);
  free(d->path);
  free(d->text);
  ts_tree_delete(d->tree);
  free(d);
}

void al_docs_free(al_docs *self) {
  for (uint32_t i = 0; i < self->docs.len; i++)
    doc_free(self->docs.items[i]);
  vec_free(&self->docs);
  al_parser_free(self->parser);
  *self = (al_docs){0};
}

static int32_t index_of(const al_docs *self, const char *uri) {
  for (uint32_t i = 0; i < self->docs.len; i++)
    if (strcmp(self->docs.items[i]->uri, uri) == 0)
      return (int32_t)i;
  return -1;
}

al_doc *al_docs_find(const al_docs *self, const char *uri) {
  int32_t i = index_of(self, uri);
  return i < 0 ? NULL : self->docs.items[i];
}

al_doc *al_docs_find_path(const al_docs *self, const char *path) {
  for (uint32_t i = 0; i < self->docs.len; i++)
    if (strcmp(self->docs.items[i]->path, path) == 0)
      return self->docs.items[i];
  return NULL;
}

// Lone CRs in text[from, to) become LFs (a CR is lone unless an LF
// follows it, looking past `to` too).
static void fix_crs(al_doc *d, uint32_t from, uint32_t to) {
  for (uint32_t i = from; i < to; i++)
    if (d->text[i] == '\r' && (i + 1 >= d->len || d->text[i + 1] != '\n'))
      d->text[i] = '\n';
}

// Room for n bytes of text and the NUL.
static bool reserve(al_doc *d, size_t n) {
  if (n > AL_SOURCE_MAX_BYTES)
    return false;
  if (n + 1 > d->cap) {
    size_t cap = d->cap ? d->cap : 256;
    while (cap < n + 1)
      cap *= 2;
    if (cap > AL_SOURCE_MAX_BYTES + 1)
      cap = AL_SOURCE_MAX_BYTES + 1;
    d->text = al_xrealloc(d->text, cap);
    d->cap = (uint32_t)cap;
  }
  return true;
}

static void set_text(al_doc *d, const char *text, size_t len) {
  if (len)
    memcpy(d->text, text, len);
  d->len = (uint32_t)len;
  d->text[len] = '\0';
  fix_crs(d, 0, d->len);
  ts_tree_delete(d->tree);
  d->tree = NULL;
  d->stale = true;
}

al_doc *al_docs_open(al_docs *self, const char *uri, const char *path,
                     int64_t version, const char *text, size_t len,
                     const char **problem) {
  if (len > AL_SOURCE_MAX_BYTES) {
    *problem = TOO_LARGE;
    return NULL;
  }
  int32_t at = index_of(self, uri);
  if (at >= 0) {
    doc_free(self->docs.items[at]);
    self->docs.items[at] = self->docs.items[self->docs.len - 1];
    self->docs.len--;
  }
  al_doc *d = al_xcalloc(1, sizeof *d);
  d->uri = al_xstrdup(uri);
  d->path = al_xstrdup(path);
  d->version = version;
  reserve(d, len);
  set_text(d, text, len);
  vec_push(&self->docs, d);
  al_docs_reparse(self, d);
  return d;
}

bool al_docs_close(al_docs *self, const char *uri) {
  int32_t at = index_of(self, uri);
  if (at < 0)
    return false;
  doc_free(self->docs.items[at]);
  self->docs.items[at] = self->docs.items[self->docs.len - 1];
  self->docs.len--;
  return true;
}

bool al_doc_change(al_doc *self, bool full, uint32_t start_line,
                   uint32_t start_char, uint32_t end_line, uint32_t end_char,
                   const char *text, size_t len, al_lsp_encoding enc,
                   const char **problem) {
  if (full) {
    if (!reserve(self, len)) {
      *problem = TOO_LARGE;
      return false;
    }
    set_text(self, text, len);
    return true;
  }
  uint32_t start =
      al_lsp_offset(self->text, self->len, start_line, start_char, enc);
  uint32_t end = al_lsp_offset(self->text, self->len, end_line, end_char, enc);
  if (end < start) { // a reversed range: the protocol's end is after start
    uint32_t t = start;
    start = end;
    end = t;
  }
  size_t new_len = (size_t)self->len - (end - start) + len;
  if (!reserve(self, new_len)) {
    *problem = TOO_LARGE;
    return false;
  }
  // The CR before the edit was half of a CRLF whose LF may go: the edit
  // starts there, so that the tree learns if it becomes an LF.
  uint32_t from =
      start > 0 && self->text[start - 1] == '\r' ? start - 1 : start;
  TSPoint from_point = al_lsp_point(self->text, from);
  TSPoint old_end_point =
      al_lsp_point_after(from_point, self->text + from, end - from);
  memmove(self->text + start + len, self->text + end, self->len - end);
  if (len)
    memcpy(self->text + start, text, len);
  self->len = (uint32_t)new_len;
  self->text[self->len] = '\0';
  uint32_t new_end = start + (uint32_t)len;
  fix_crs(self, from, new_end);
  TSPoint new_end_point =
      al_lsp_point_after(from_point, self->text + from, new_end - from);
  if (self->tree) {
    TSInputEdit e = {.start_byte = from,
                     .old_end_byte = end,
                     .new_end_byte = new_end,
                     .start_point = from_point,
                     .old_end_point = old_end_point,
                     .new_end_point = new_end_point};
    ts_tree_edit(self->tree, &e);
  }
  self->stale = true;
  return true;
}

void al_docs_reparse(al_docs *self, al_doc *doc) {
  if (!doc->stale)
    return;
  doc->stale = false;
  if (doc->len > AL_DOC_TREE_MAX) {
    ts_tree_delete(doc->tree);
    doc->tree = NULL;
    return;
  }
  bool gave_up;
  TSTree *tree =
      al_parser_reparse(self->parser, doc->tree, doc->text, doc->len, &gave_up);
  ts_tree_delete(doc->tree);
  doc->tree = tree;
}

al_facts *al_doc_extract(const al_doc *doc, al_extractor *x) {
  al_source src = {.path = doc->path, .text = doc->text, .len = doc->len};
  const char *nul = memchr(doc->text, 0, doc->len);
  if (nul) {
    // As source/file.c refuses a file with NUL bytes (AL002).
    uint32_t at = (uint32_t)(nul - doc->text);
    TSPoint p = al_lsp_point(doc->text, at);
    src.text = NULL;
    src.len = 0;
    src.problem = "file contains NUL bytes (binary file?)";
    src.problem_line = p.row + 1;
    src.problem_col = 1;
    return al_extract(x, &src);
  }
  src.ok = true;
  if (doc->tree)
    return al_extract_tree(x, &src, doc->tree);
  return al_extract(x, &src); // parses (and frees) a tree of its own
}
