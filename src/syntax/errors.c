// SPDX-License-Identifier: MIT
/*
 * The search for a syntax error's node (see errors.h): a tree cursor that
 * only ever stands on erroneous nodes. It does not word messages or read
 * the source text; the Python extraction and the TOML reader do that.
 */
#include "syntax/errors.h"

#include <stdbool.h>

static bool is_erroneous(TSNode n) {
  return ts_node_has_error(n) || ts_node_is_missing(n) || ts_node_is_error(n);
}

// Move to the first erroneous child; false, not moving, if there is none.
static bool goto_error_child(TSTreeCursor *c) {
  if (!ts_tree_cursor_goto_first_child(c))
    return false;
  do {
    if (is_erroneous(ts_tree_cursor_current_node(c)))
      return true;
  } while (ts_tree_cursor_goto_next_sibling(c));
  ts_tree_cursor_goto_parent(c);
  return false;
}

// Move to the next erroneous node after the current node's subtree, in
// document order; false at the end of the tree.
static bool goto_next_error(TSTreeCursor *c) {
  for (;;) {
    while (ts_tree_cursor_goto_next_sibling(c))
      if (is_erroneous(ts_tree_cursor_current_node(c)))
        return true;
    if (!ts_tree_cursor_goto_parent(c))
      return false;
  }
}

TSNode al_syntax_error_node(TSNode root, al_syntax_error_scan scan) {
  TSTreeCursor c = ts_tree_cursor_new(root);
  TSNode bad = root;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&c);
    bool missing = ts_node_is_missing(n), error = ts_node_is_error(n);
    if (missing || error)
      bad = n;
    if (missing)
      break;
    if (goto_error_child(&c))
      continue;
    if (scan == AL_SYNTAX_ERROR_FIRST) {
      bad = n;
      break;
    }
    if ((error && ts_node_child_count(n) == 0) || !goto_next_error(&c))
      break;
  }
  ts_tree_cursor_delete(&c);
  return bad;
}
