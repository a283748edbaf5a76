// SPDX-License-Identifier: MIT
/*
 * The documents the client has open: their text as the editor has it (the
 * buffer wins over the file on disk), their version, and their tree-sitter
 * tree, kept between edits. Each change is applied to the text and told to
 * the tree with ts_tree_edit; after a batch of changes the document is
 * reparsed with the old tree, so a keystroke costs a fraction of a parse.
 * A document larger than AL_DOC_TREE_MAX keeps no tree (a tree costs about
 * 22 times the text): it is parsed from scratch when checked.
 */
#ifndef AL_SERVER_DOCUMENTS_H
#define AL_SERVER_DOCUMENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "base/vec.h"
#include "facts/extract.h"
#include "server/text.h"
#include "syntax/parser.h"

#define AL_DOC_TREE_MAX ((uint32_t)8 << 20)

typedef struct {
  char *uri;       // as the client spelled it (publishDiagnostics uses it)
  char *path;      // absolute file system path, symlinks resolved when the
                   // file (else its directory) exists
  int64_t version; // the client's
  char *text;      // UTF-8, NUL-terminated, lone CRs made LFs (as files are)
  uint32_t len;
  uint32_t cap;
  TSTree *tree; // of text, or NULL (too large, or the parser gave up)
  bool stale;   // edited since the last reparse
} al_doc;

typedef struct {
  al_vec(al_doc *) docs;
  al_parser *parser; // the server thread's, for reparsing
} al_docs;

void al_docs_init(al_docs *self);
void al_docs_free(al_docs *self);

/** The open document of uri, or NULL. */
al_doc *al_docs_find(const al_docs *self, const char *uri);

/** The open document whose path is path, or NULL. */
al_doc *al_docs_find_path(const al_docs *self, const char *path);

/**
 * Open (or, if already open, replace) the document uri at path with text
 * (len bytes, copied) and parse it. Returns NULL (and *problem) when the
 * text is too large.
 */
al_doc *al_docs_open(al_docs *self, const char *uri, const char *path,
                     int64_t version, const char *text, size_t len,
                     const char **problem);

/** Close uri's document; false when it was not open. */
bool al_docs_close(al_docs *self, const char *uri);

/**
 * Apply one change: replace the text between the positions (start_line,
 * start_char) and (end_line, end_char) with text[0, len), or, when full,
 * replace the whole text. The tree learns of the edit; the reparse waits
 * for al_docs_reparse. false (and *problem) when the result would be too
 * large; the document is unchanged then.
 */
bool al_doc_change(al_doc *self, bool full, uint32_t start_line,
                   uint32_t start_char, uint32_t end_line, uint32_t end_char,
                   const char *text, size_t len, al_lsp_encoding enc,
                   const char **problem);

/** Reparse doc if it was edited (with its old tree when it has one). */
void al_docs_reparse(al_docs *self, al_doc *doc);

/**
 * The facts of doc (its text and tree; a document without a tree is
 * parsed now), extracted with x. Safe from any thread as long as nobody
 * edits the document meanwhile. Caller frees (al_facts_free).
 */
al_facts *al_doc_extract(const al_doc *doc, al_extractor *x);

#endif
