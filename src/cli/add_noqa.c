// SPDX-License-Identifier: MIT
/*
 * --add-noqa: for adopting asynclint on a tree that has findings, a
 * `# noqa: CODE` at the end of every finding's line, merged into the noqa
 * list a line already has. The edits go through the fixer (cli/fix.c):
 * the same reading, parse check, encoding and atomic writing as --fix. A
 * line that ends inside a string (a multi-line string's) or after a
 * backslash continuation cannot take a comment and is left alone.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/fix.h"
#include "cli/fix_p.h"
#include "suppress/noqa.h"
#include "syntax/parser.h"

// Where row's line ends in text: before its "\r\n", "\n" (or lone '\r').
static uint32_t line_end(const al_facts *facts, const char *text, uint32_t len,
                         uint32_t row) {
  uint32_t eol =
      row < facts->lines.rows.len ? facts->lines.rows.items[row] - 1 : len;
  if (eol > len)
    eol = len;
  if (eol > 0 && eol < len && text[eol] == '\n' && text[eol - 1] == '\r')
    eol--;
  return eol;
}

// Whether a comment can start at eol: not in a string, not after `\`.
static bool comment_fits(TSNode root, const char *text, uint32_t eol) {
  uint32_t i = eol;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
    i--;
  if (i > 0 && text[i - 1] == '\\')
    return false;
  TSNode n = ts_node_descendant_for_byte_range(root, eol, eol);
  // A string ending at eol is complete; one running past it is open.
  for (; !ts_node_is_null(n); n = ts_node_parent(n))
    if (ts_node_start_byte(n) < eol && ts_node_end_byte(n) > eol &&
        strcmp(ts_node_type(n), "string") == 0)
      return false;
  return true;
}

// The noqa comment of row with codes to extend, or NULL (*q filled).
static const al_comment *noqa_on(const al_facts *facts, uint32_t row,
                                 al_noqa *q) {
  for (uint32_t i = 0; i < facts->comments.len; i++) {
    const al_comment *cm = &facts->comments.items[i];
    if (cm->row == row && al_noqa_parse(cm->text, q) && q->n && !q->all)
      return cm;
  }
  return NULL;
}

// Appends ", CODE" (or "CODE" first) to list unless already there.
static void add_code(char *list, size_t cap, const char *code) {
  size_t n = strlen(code);
  for (const char *p = list; (p = strstr(p, code)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
      return;
  if (strlen(list) + n + 3 < cap) {
    if (list[0])
      strcat(list, ", ");
    strcat(list, code);
  }
}

// One line's edit for diags[0..n) (all on one row of pf): a fix of its
// own, carried by a copy of the first diagnostic (arena).
static const al_diag *line_edit(al_arena *arena, const al_project_file *pf,
                                const char *text, uint32_t len, TSNode root,
                                const al_diag *diags, uint32_t n) {
  const al_facts *facts = pf->facts;
  uint32_t row = diags[0].range.start_row;
  char codes[512] = "";
  for (uint32_t i = 0; i < n; i++)
    add_code(codes, sizeof codes, diags[i].rule->code);
  al_noqa q;
  const al_comment *cm = noqa_on(facts, row, &q);
  uint32_t at;
  const char *content;
  if (cm) { // after the last listed code: `# noqa: E501, AL100`
    const al_str *last = &q.codes[q.n - 1];
    at = cm->byte + (uint32_t)(last->ptr - cm->text.ptr) + (uint32_t)last->len;
    content = al_arena_printf(arena, ", %s", codes);
  } else {
    at = line_end(facts, text, len, row);
    if (!comment_fits(root, text, at))
      return NULL;
    content = al_arena_printf(arena, "  # noqa: %s", codes);
  }
  al_edit *e = al_arena_alloc(arena, sizeof *e);
  *e = (al_edit){at, at, content};
  al_fix *fix = al_arena_alloc(arena, sizeof *fix);
  *fix = (al_fix){AL_FIX_SAFE, "Add `# noqa`", 1, 1, e};
  al_diag *d = al_arena_alloc(arena, sizeof *d);
  *d = diags[0];
  d->fix = fix;
  return d;
}

// The edits of one file's diags[0..n); returns the lines given a noqa.
static uint32_t add_to_file(al_fixer *self, al_parser *parser,
                            const al_project_file *pf, const al_diag *diags,
                            uint32_t n) {
  al_arena *arena = al_arena_new();
  const char *text;
  uint32_t len, done = 0;
  bool gave_up = false;
  TSTree *tree = NULL;
  if (al_fixer__text(self, pf, arena, &text, &len) &&
      (tree = al_parser_parse(parser, text, len, &gave_up)) != NULL) {
    TSNode root = ts_tree_root_node(tree);
    const al_diag **lines = al_xcalloc(n, sizeof *lines);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n;) {
      uint32_t j = i;
      while (j < n && diags[j].range.start_row == diags[i].range.start_row)
        j++;
      const al_diag *d =
          line_edit(arena, pf, text, len, root, diags + i, j - i);
      if (d)
        lines[k++] = d;
      i = j;
    }
    if (k)
      done = al_fixer__apply(self, pf, lines, k);
    free(lines);
    ts_tree_delete(tree);
  }
  al_arena_free(arena);
  return done;
}

uint32_t al_fixer_add_noqa(al_fixer *self, const al_run_result *res) {
  al_parser *parser = al_parser_new();
  uint32_t added = 0, n = res->diags.len;
  // The diagnostics are sorted by path, then line: a file's are together,
  // and so are a line's.
  for (uint32_t i = 0; i < n;) {
    uint32_t file = res->diags.items[i].file, j = i;
    while (j < n && res->diags.items[j].file == file)
      j++;
    if (file < res->project.n_linted)
      added += add_to_file(self, parser, &res->project.files.items[file],
                           res->diags.items + i, j - i);
    i = j;
  }
  al_parser_free(parser);
  return added;
}
