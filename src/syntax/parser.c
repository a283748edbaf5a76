// SPDX-License-Identifier: MIT
/*
 * TSParser wrapper with a deterministic work budget. The progress callback
 * of tree-sitter 0.25 is called every fixed number of parser operations, so
 * counting its calls bounds the work on hostile input (binary garbage,
 * pathological nesting) the same way on every machine.
 */
#include "syntax/parser.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/arena.h"

const TSLanguage *tree_sitter_python(void);

// Progress callbacks per input byte before the parser gives up. Real code
// needs well under one callback per 10 bytes; garbage can need far more.
#define BUDGET_PER_BYTE 4
#define BUDGET_MIN 200000

struct al_parser {
  TSParser *ts;
  uint64_t calls;  // progress callbacks seen in the current parse
  uint64_t budget; // allowed for the current parse
};

const TSLanguage *al_python_language(void) { return tree_sitter_python(); }

al_parser *al_parser_new_for(const TSLanguage *language, const char *name) {
  al_parser *self = al_xcalloc(1, sizeof *self);
  self->ts = ts_parser_new();
  if (!ts_parser_set_language(self->ts, language)) {
    // Only happens when a system tree-sitter older than the grammar's ABI is
    // linked; it must not fail silently.
    fprintf(stderr,
            "asynclint: the tree-sitter library rejects the %s grammar "
            "(ABI mismatch: need tree-sitter >= 0.25)\n",
            name);
    abort();
  }
  return self;
}

al_parser *al_parser_new(void) {
  return al_parser_new_for(tree_sitter_python(), "Python");
}

void al_parser_free(al_parser *self) {
  if (!self)
    return;
  ts_parser_delete(self->ts);
  free(self);
}

static bool progress(TSParseState *state) {
  al_parser *self = state->payload;
  return ++self->calls > self->budget;
}

typedef struct {
  const char *text;
  uint32_t len;
} buffer;

static const char *read_buffer(void *payload, uint32_t byte_index,
                               TSPoint position, uint32_t *bytes_read) {
  (void)position;
  const buffer *b = payload;
  if (byte_index >= b->len) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = b->len - byte_index;
  return b->text + byte_index;
}

TSTree *al_parser_parse(al_parser *self, const char *text, uint32_t len,
                        bool *gave_up) {
  return al_parser_reparse(self, NULL, text, len, gave_up);
}

TSTree *al_parser_reparse(al_parser *self, const TSTree *old, const char *text,
                          uint32_t len, bool *gave_up) {
  self->calls = 0;
  self->budget = (uint64_t)len * BUDGET_PER_BYTE + BUDGET_MIN;
  buffer b = {text, len};
  TSInput input = {.payload = &b,
                   .read = read_buffer,
                   .encoding = TSInputEncodingUTF8,
                   .decode = NULL};
  TSParseOptions opts = {.payload = self, .progress_callback = progress};
  TSTree *tree = ts_parser_parse_with_options(self->ts, old, input, opts);
  *gave_up = tree == NULL;
  if (!tree)
    ts_parser_reset(self->ts);
  return tree;
}
