// SPDX-License-Identifier: MIT
/*
 * Long comment runs blanked before parsing (comment_runs.h). The line
 * lexer knows strings (single, triple, any prefix; a backslash escapes the
 * next byte everywhere, as Python's tokenizer reads even raw strings),
 * comments, brackets and backslash line joins. A comment line is one
 * whose first byte after spaces, tabs and form feeds is `#`, outside any
 * string and bracket, not continuing a joined line. When the lexer ends
 * inside a string or a bracket it has misread something: nothing is
 * blanked.
 */
#include "syntax/comment_runs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/vec.h"

typedef struct {
  const char *text;
  uint32_t len, pos;
  char quote;    // the open string's quote, 0 when none
  bool triple;   // it is triple-quoted
  int32_t depth; // brackets open
  bool joined;   // the last line ended with a backslash join
} lexer;

// Lex the rest of the line from pos (at its first byte after indentation,
// or inside a string); pos ends after the line's '\n' (or at the end).
static void lex_line(lexer *l) {
  l->joined = false;
  while (l->pos < l->len) {
    char c = l->text[l->pos];
    if (l->quote) {
      if (c == '\\') {
        l->pos += l->pos + 1 < l->len ? 2 : 1; // escapes a '\n' too
        continue;
      }
      if (c == '\n') {
        l->pos++;
        if (!l->triple)
          l->quote = 0; // an unterminated string ends with its line
        return;
      }
      if (c == l->quote &&
          (!l->triple || (l->pos + 2 < l->len && l->text[l->pos + 1] == c &&
                          l->text[l->pos + 2] == c))) {
        l->pos += l->triple ? 3 : 1;
        l->quote = 0;
        continue;
      }
      l->pos++;
      continue;
    }
    switch (c) {
    case '\n':
      l->pos++;
      return;
    case '#': // a comment: to the end of the line
      while (l->pos < l->len && l->text[l->pos] != '\n')
        l->pos++;
      continue;
    case '\\':
      if (l->pos + 1 < l->len && l->text[l->pos + 1] == '\n') {
        l->pos += 2;
        l->joined = true;
        return;
      }
      l->pos++;
      continue;
    case '(':
    case '[':
    case '{':
      l->depth++;
      l->pos++;
      continue;
    case ')':
    case ']':
    case '}':
      l->depth--;
      l->pos++;
      continue;
    case '\'':
    case '"':
      l->quote = c;
      l->triple = l->pos + 2 < l->len && l->text[l->pos + 1] == c &&
                  l->text[l->pos + 2] == c;
      l->pos += l->triple ? 3 : 1;
      continue;
    default:
      l->pos++;
      continue;
    }
  }
}

char *al_blank_comment_runs(const char *text, uint32_t len,
                            al_byte_range **runs, uint32_t *n_runs) {
  *runs = NULL;
  *n_runs = 0;
  lexer l = {text, len, 0, 0, false, 0, false};
  al_vec(al_byte_range) found = {0};
  uint32_t run_start = 0, run_lines = 0;
  while (l.pos < len) {
    uint32_t line = l.pos;
    bool at_code = !l.quote && l.depth == 0 && !l.joined;
    if (at_code) {
      while (l.pos < len &&
             (text[l.pos] == ' ' || text[l.pos] == '\t' || text[l.pos] == '\f'))
        l.pos++;
    }
    bool comment = at_code && l.pos < len && text[l.pos] == '#';
    lex_line(&l);
    if (comment) {
      if (run_lines++ == 0)
        run_start = line;
      continue;
    }
    if (run_lines > AL_COMMENT_RUN_MAX)
      vec_push(&found, ((al_byte_range){run_start, line}));
    run_lines = 0;
  }
  if (run_lines > AL_COMMENT_RUN_MAX)
    vec_push(&found, ((al_byte_range){run_start, len}));
  if (!found.len || l.quote || l.depth != 0) {
    vec_free(&found);
    return NULL;
  }
  char *copy = al_xmalloc(len ? len : 1);
  memcpy(copy, text, len);
  for (uint32_t i = 0; i < found.len; i++)
    for (uint32_t b = found.items[i].start; b < found.items[i].end; b++)
      if (copy[b] != '\n' && copy[b] != '\r')
        copy[b] = ' ';
  *runs = found.items;
  *n_runs = found.len;
  return copy;
}
