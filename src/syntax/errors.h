// SPDX-License-Identifier: MIT
/*
 * Where a syntax error is, in any tree-sitter tree (the Python sources and
 * the TOML config files alike). Only the position: each caller words its
 * own message from the node found. The search follows erroneous nodes
 * (ERROR, MISSING, or containing one) down from the root in document
 * order with a tree cursor, never the C stack, and looks at no subtree
 * without an error, so deep nesting and long runs of broken input cost at
 * most one pass over the erroneous part of the tree.
 */
#ifndef AL_SYNTAX_ERRORS_H
#define AL_SYNTAX_ERRORS_H

#include <tree_sitter/api.h>

typedef enum {
  /**
   * Descend to the first erroneous node without an erroneous child: a
   * MISSING node, an ERROR node (tree-sitter's recovery often wraps a long
   * valid prefix in an outer ERROR, so the innermost is where the parser
   * really got stuck), or a node marked as containing an error with no
   * erroneous child to show for it.
   */
  AL_SYNTAX_ERROR_FIRST,
  /**
   * The same descent, but past an ERROR node whose children are all valid
   * (or a marked node without an erroneous child) it goes on to the next
   * erroneous node in document order; it stops at a MISSING node or an
   * ERROR leaf, or at the end of the tree. The node found is the last
   * ERROR or MISSING node passed (the root if none). The config reader's
   * messages have always named this node.
   */
  AL_SYNTAX_ERROR_LAST_PASSED,
} al_syntax_error_scan;

/**
 * The node a syntax error in the tree under root is reported at, found as
 * scan says. Call it when ts_node_has_error(root); root otherwise.
 */
TSNode al_syntax_error_node(TSNode root, al_syntax_error_scan scan);

#endif
