// SPDX-License-Identifier: MIT
/*
 * --dump-tree: a developer command that prints the tree-sitter tree of one
 * file (as ruff's print_ast does), to see what extraction walks over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/error.h"
#include "cli/cli_p.h"
#include "source/file.h"
#include "syntax/parser.h"

int al_cli_dump_tree(const char *path, FILE *out) {
  al_arena *arena = al_arena_new();
  al_source src;
  if (strcmp(path, "-") == 0) {
    size_t len = 0;
    char *bytes = al_source_slurp_fd(0, &len);
    if (!bytes) {
      fprintf(stderr, "asynclint: -: cannot read standard input: %s\n",
              strerror(errno));
      al_arena_free(arena);
      return AL_EXIT_ERROR;
    }
    al_source_from_bytes(&src, arena, "-", bytes, len);
    free(bytes);
  } else {
    al_source_read(&src, arena, path, path);
  }
  if (!src.ok) {
    fprintf(stderr, "asynclint: %s: %s\n", path, src.problem);
    al_arena_free(arena);
    return AL_EXIT_ERROR;
  }
  al_parser *parser = al_parser_new();
  bool gave_up = false;
  TSTree *tree = al_parser_parse(parser, src.text, src.len, &gave_up);
  int rc = AL_EXIT_CLEAN;
  if (!tree) {
    fprintf(stderr, "asynclint: %s: the parser gave up on this file\n", path);
    rc = AL_EXIT_ERROR;
  } else {
    char *s = ts_node_string(ts_tree_root_node(tree));
    fprintf(out, "%s\n", s);
    free(s);
    ts_tree_delete(tree);
  }
  al_parser_free(parser);
  al_arena_free(arena);
  return rc;
}
