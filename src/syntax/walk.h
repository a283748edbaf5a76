// SPDX-License-Identifier: MIT
/*
 * A pre-order walk over the visible nodes of a tree, with the semantics of
 * tree-sitter's TSTreeCursor (the same nodes, in the same order, with the
 * same field ids) but cheaper steps. Extraction's walk visits every node
 * of every file; through the public cursor each step re-derives the state
 * of the parent's child iteration (a pop, the alias sequence, visibility
 * of the parent) and was the largest cost extraction adds to parsing.
 * This walker keeps each level's iteration state on its own stack.
 *
 * It reads tree-sitter's internal tree layout (subtree.h, language.h of the
 * pinned tree-sitter sources that meson compiles). Built against a system
 * tree-sitter (-Dsystem_tree_sitter=true), whose internal headers are not
 * installed, it is a thin layer over TSTreeCursor instead.
 * tests/test_walk.c checks that both agree with TSTreeCursor node by node.
 */
#ifndef AL_SYNTAX_WALK_H
#define AL_SYNTAX_WALK_H

#include <stdbool.h>

#include <tree_sitter/api.h>

typedef struct al_walk al_walk;

/** A walker; reusable from tree to tree. Free with al_walk_free. */
al_walk *al_walk_new(void);
void al_walk_free(al_walk *self);

/** Stand on the root node of tree (which must outlive the walk). */
void al_walk_reset(al_walk *self, const TSTree *tree);

/**
 * Stand on node (not null), as ts_tree_cursor_reset: the walk covers the
 * node and its descendants, and never leaves it (extraction iterates a
 * node's children this way).
 */
void al_walk_reset_node(al_walk *self, TSNode node);

/** The node the walker stands on. */
TSNode al_walk_node(const al_walk *self);

/** ts_node_is_named of that node, without making the node. */
bool al_walk_is_named(const al_walk *self);

/** ts_node_symbol of that node, without making the node. */
TSSymbol al_walk_symbol(const al_walk *self);

/** ts_tree_cursor_current_field_id: its field in its parent (0: none). */
TSFieldId al_walk_field(const al_walk *self);

/** Go to the first (visible) child; false, not moving, if there is none. */
bool al_walk_first_child(al_walk *self);

typedef enum {
  AL_WALK_SIBLING, // moved to the next sibling
  AL_WALK_PARENT,  // there was none: moved to the parent
  AL_WALK_DONE,    // at the root: nowhere to go
} al_walk_step;

/** Go to the next sibling, else to the parent. */
al_walk_step al_walk_next(al_walk *self);

/**
 * The same two steps over named nodes only: anonymous nodes (punctuation,
 * keywords) and anything under them are passed over, as if a caller of
 * al_walk_first_child / al_walk_next stepped on past them, but without
 * standing on each.
 */
bool al_walk_first_named_child(al_walk *self);
al_walk_step al_walk_next_named(al_walk *self);

#endif
