// SPDX-License-Identifier: MIT
/*
 * The walk of walk.h. With AL_TS_INTERNALS (meson defines it when it
 * compiles the pinned tree-sitter sources itself) it follows the subtrees
 * directly, mirroring tree_cursor.c's child iteration; otherwise it wraps
 * TSTreeCursor.
 */
#include "syntax/walk.h"

#include <stdint.h>
#include <stdlib.h>

#include "base/arena.h"

#ifdef AL_TS_INTERNALS

#include "language.h"
#include "subtree.h"
#include "tree.h"

// One node on the path from the root, and (once entered) the state of the
// iteration over its children, as tree_cursor.c's CursorChildIterator.
typedef struct {
  const Subtree *subtree;
  Length position;           // where the node starts (after its padding)
  uint32_t structural_index; // among the parent's non-extra children
  TSSymbol alias;            // its alias in the parent's production, or 0
  bool visible;
  bool extra;
  // Iteration over the children:
  uint32_t child;                 // index of the next child to look at
  uint32_t structural;            // its structural index
  Length child_position;          // its start
  const TSSymbol *alias_sequence; // of this node's production (or NULL)
} entry;

struct al_walk {
  const TSTree *tree;
  const TSLanguage *language;
  entry *stack;
  uint32_t len, cap;
};

al_walk *al_walk_new(void) { return al_xcalloc(1, sizeof(al_walk)); }

void al_walk_free(al_walk *self) {
  if (!self)
    return;
  free(self->stack);
  free(self);
}

static void grow(al_walk *self) {
  self->cap = self->cap ? self->cap * 2 : 64;
  self->stack = al_xrealloc(self->stack, self->cap * sizeof(entry));
}

static entry *push(al_walk *self) {
  if (self->len == self->cap)
    grow(self);
  return &self->stack[self->len++];
}

void al_walk_reset(al_walk *self, const TSTree *tree) {
  self->tree = tree;
  self->language = tree->language;
  self->len = 0;
  entry *e = push(self);
  *e = (entry){.subtree = &tree->root,
               .position = ts_subtree_padding(tree->root),
               .visible = true};
}

void al_walk_reset_node(al_walk *self, TSNode node) {
  // node.c's layout: context = {start byte, row, column, alias}, id = the
  // subtree.
  self->tree = node.tree;
  self->language = node.tree->language;
  self->len = 0;
  entry *e = push(self);
  *e =
      (entry){.subtree = node.id,
              .position = {node.context[0], {node.context[1], node.context[2]}},
              .alias = (TSSymbol)node.context[3],
              .visible = true};
}

TSNode al_walk_node(const al_walk *self) {
  const entry *e = &self->stack[self->len - 1];
  return ts_node_new(self->tree, e->subtree, e->position, e->alias);
}

static bool entry_named(const al_walk *self, const entry *e) {
  return e->alias ? ts_language_symbol_metadata(self->language, e->alias).named
                  : ts_subtree_named(*e->subtree);
}

bool al_walk_is_named(const al_walk *self) {
  return entry_named(self, &self->stack[self->len - 1]);
}

TSSymbol al_walk_symbol(const al_walk *self) {
  // As ts_node_symbol: the alias if any, as the public symbol.
  const entry *e = &self->stack[self->len - 1];
  return ts_language_public_symbol(
      self->language, e->alias ? e->alias : ts_subtree_symbol(*e->subtree));
}

TSFieldId al_walk_field(const al_walk *self) {
  // As ts_tree_cursor_current_field_id: the node and its hidden ancestors
  // up to the visible parent, each looked up in its parent's field map.
  for (uint32_t i = self->len - 1; i > 0; i--) {
    const entry *e = &self->stack[i];
    if (i != self->len - 1 && e->visible)
      break;
    if (e->extra)
      break;
    const TSFieldMapEntry *map, *end;
    ts_language_field_map(self->language,
                          ts_subtree_production_id(*self->stack[i - 1].subtree),
                          &map, &end);
    for (; map < end; map++)
      if (!map->inherited && map->child_index == e->structural_index)
        return map->field_id;
  }
  return 0;
}

static void begin_children(al_walk *self, entry *e) {
  e->child = 0;
  e->structural = 0;
  e->child_position = e->position;
  e->alias_sequence =
      ts_subtree_child_count(*e->subtree)
          ? ts_language_alias_sequence(self->language,
                                       ts_subtree_production_id(*e->subtree))
          : NULL;
}

// The next child of e into *out (tree_cursor.c's
// ts_tree_cursor_child_iterator_next); false when there is none.
static bool next_child(entry *e, entry *out) {
  Subtree parent = *e->subtree;
  uint32_t count = ts_subtree_child_count(parent);
  if (e->child >= count)
    return false;
  const Subtree *children = ts_subtree_children(parent);
  const Subtree *c = &children[e->child];
  out->subtree = c;
  out->position = e->child_position;
  out->structural_index = e->structural;
  out->extra = ts_subtree_extra(*c);
  out->alias = 0;
  if (!out->extra) {
    if (e->alias_sequence)
      out->alias = e->alias_sequence[e->structural];
    e->structural++;
  }
  out->visible = ts_subtree_visible(*c) || out->alias;
  e->child_position = length_add(e->child_position, ts_subtree_size(*c));
  e->child++;
  if (e->child < count)
    e->child_position =
        length_add(e->child_position, ts_subtree_padding(children[e->child]));
  return true;
}

// Go on with the iteration at the top of the stack to the next visible
// node (named_only: the next named one, passing over anonymous nodes and
// what is under them), entering hidden nodes that have visible descendants
// and leaving exhausted ones, but not leaving the entry at index floor.
// False: the stack is back to floor + 1 entries.
static bool find_visible(al_walk *self, uint32_t floor, bool named_only) {
  for (;;) {
    if (self->len == self->cap)
      grow(self);
    // The next child goes straight into the slot above the top, and stays
    // there (len++) if it is wanted.
    entry *top = &self->stack[self->len - 1];
    entry *c = top + 1;
    if (next_child(top, c)) {
      if (c->visible) {
        if (named_only && !entry_named(self, c))
          continue;
        self->len++;
        return true;
      }
      if (ts_subtree_visible_child_count(*c->subtree)) {
        self->len++;
        begin_children(self, c);
      }
      continue;
    }
    if (self->len - 1 == floor)
      return false;
    self->len--; // a hidden node, done
  }
}

static bool first_child(al_walk *self, bool named_only) {
  uint32_t at = self->len - 1;
  begin_children(self, &self->stack[at]);
  return find_visible(self, at, named_only);
}

static al_walk_step next(al_walk *self, bool named_only) {
  if (self->len == 1)
    return AL_WALK_DONE;
  uint32_t parent = self->len - 2;
  while (parent > 0 && !self->stack[parent].visible)
    parent--;
  self->len--;
  if (find_visible(self, parent, named_only))
    return AL_WALK_SIBLING;
  return AL_WALK_PARENT;
}

bool al_walk_first_child(al_walk *self) { return first_child(self, false); }

al_walk_step al_walk_next(al_walk *self) { return next(self, false); }

bool al_walk_first_named_child(al_walk *self) {
  return first_child(self, true);
}

al_walk_step al_walk_next_named(al_walk *self) { return next(self, true); }

#else // a system tree-sitter: the public cursor

struct al_walk {
  TSTreeCursor cursor;
  bool live;
};

al_walk *al_walk_new(void) { return al_xcalloc(1, sizeof(al_walk)); }

void al_walk_free(al_walk *self) {
  if (!self)
    return;
  if (self->live)
    ts_tree_cursor_delete(&self->cursor);
  free(self);
}

void al_walk_reset(al_walk *self, const TSTree *tree) {
  TSNode root = ts_tree_root_node(tree);
  if (self->live) {
    ts_tree_cursor_reset(&self->cursor, root);
  } else {
    self->cursor = ts_tree_cursor_new(root);
    self->live = true;
  }
}

void al_walk_reset_node(al_walk *self, TSNode node) {
  if (self->live) {
    ts_tree_cursor_reset(&self->cursor, node);
  } else {
    self->cursor = ts_tree_cursor_new(node);
    self->live = true;
  }
}

TSNode al_walk_node(const al_walk *self) {
  return ts_tree_cursor_current_node(&self->cursor);
}

bool al_walk_is_named(const al_walk *self) {
  return ts_node_is_named(ts_tree_cursor_current_node(&self->cursor));
}

TSSymbol al_walk_symbol(const al_walk *self) {
  return ts_node_symbol(ts_tree_cursor_current_node(&self->cursor));
}

TSFieldId al_walk_field(const al_walk *self) {
  return ts_tree_cursor_current_field_id(&self->cursor);
}

bool al_walk_first_child(al_walk *self) {
  return ts_tree_cursor_goto_first_child(&self->cursor);
}

al_walk_step al_walk_next(al_walk *self) {
  if (ts_tree_cursor_goto_next_sibling(&self->cursor))
    return AL_WALK_SIBLING;
  return ts_tree_cursor_goto_parent(&self->cursor) ? AL_WALK_PARENT
                                                   : AL_WALK_DONE;
}

al_walk_step al_walk_next_named(al_walk *self) {
  for (;;) {
    al_walk_step s = al_walk_next(self);
    if (s != AL_WALK_SIBLING || al_walk_is_named(self))
      return s;
  }
}

bool al_walk_first_named_child(al_walk *self) {
  if (!al_walk_first_child(self))
    return false;
  // Only anonymous children: al_walk_next_named ends back on the node.
  return al_walk_is_named(self) || al_walk_next_named(self) == AL_WALK_SIBLING;
}

#endif
