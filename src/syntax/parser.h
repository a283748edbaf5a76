// SPDX-License-Identifier: MIT
/*
 * The tree-sitter parser wrapper.
 *
 * Ownership of tree-sitter objects (not arena memory):
 * - one al_parser (one TSParser) per worker thread, reused for every file;
 * - the TSTree of a file is deleted right after extraction of that file
 *   (al_parser_parse's caller calls ts_tree_delete);
 * - TSQuery objects are owned by syntax/query.c and deleted at exit.
 * Parsing is bounded by a work budget proportional to the file size, counted
 * in the parser's progress callbacks (deterministic, unlike a timer): for
 * Python files and for config files (TOML) alike.
 */
#ifndef AL_SYNTAX_PARSER_H
#define AL_SYNTAX_PARSER_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

typedef struct al_parser al_parser;

/** The Python grammar. */
const TSLanguage *al_python_language(void);

/** A parser for Python. Caller frees with al_parser_free. */
al_parser *al_parser_new(void);

/**
 * A parser for another grammar (the TOML of config files), with the same
 * work budget. Aborts with a message if the tree-sitter library rejects the
 * grammar's ABI. Caller frees with al_parser_free.
 */
al_parser *al_parser_new_for(const TSLanguage *language, const char *name);

/** Free the parser. NULL is a no-op. */
void al_parser_free(al_parser *self);

/**
 * Parse len bytes of UTF-8 text. Returns the tree (caller deletes it with
 * ts_tree_delete), or NULL when the work budget ran out (*gave_up is set).
 */
TSTree *al_parser_parse(al_parser *self, const char *text, uint32_t len,
                        bool *gave_up);

/**
 * al_parser_parse reusing old, a tree of the previous text already told of
 * the edits with ts_tree_edit (the server's incremental reparse); old is
 * only read, and stays the caller's. NULL old parses from scratch.
 */
TSTree *al_parser_reparse(al_parser *self, const TSTree *old, const char *text,
                          uint32_t len, bool *gave_up);

#endif
