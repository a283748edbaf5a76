// SPDX-License-Identifier: MIT
/*
 * TOML documents as a small tree of values, read with the tree-sitter TOML
 * grammar: tables (from [headers], [[array headers]], dotted keys and inline
 * tables), arrays, strings (basic, literal and multi-line, escapes decoded),
 * integers (decimal, 0x, 0o, 0b, with underscores) and booleans. Floats and
 * dates are recognised but keep no value: no asynclint key needs them.
 * Every value and key carries its 1-based line and column (in characters)
 * for messages. The walk over the syntax tree uses an explicit stack, so
 * nesting depth costs heap, not C stack. This module knows no asynclint key:
 * config.c gives the values their meaning.
 */
#ifndef AL_CONFIG_TOML_H
#define AL_CONFIG_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"

typedef enum {
  AL_TOML_STRING,
  AL_TOML_INTEGER,
  AL_TOML_BOOLEAN,
  AL_TOML_FLOAT,
  AL_TOML_DATETIME,
  AL_TOML_ARRAY,
  AL_TOML_TABLE,
} al_toml_kind;

typedef struct al_toml_value al_toml_value;
typedef struct al_toml_entry al_toml_entry;

/** One key = value of a table, in the order the document defines them. */
struct al_toml_entry {
  const char *key;      // decoded, NUL-terminated; arena
  uint32_t line, col;   // where the key (its last dotted part) is written
  al_toml_value *value; // never NULL
  al_toml_entry *next;  // next entry of the same table, or NULL
};

struct al_toml_value {
  al_toml_kind kind;
  uint32_t line, col; // 1-based; characters
  const char *str;    // STRING: decoded, NUL-terminated; arena
  size_t str_len;     // STRING: length (the text may hold "\u0000")
  int64_t integer;    // INTEGER
  bool boolean;       // BOOLEAN
  al_toml_value *first_item, *last_item; // ARRAY
  uint32_t n_items;                      // ARRAY
  al_toml_value *next_item; // the next element of the enclosing array
  al_toml_entry *first_entry, *last_entry; // TABLE
  // Bookkeeping that enforces TOML's rules on redefinition.
  bool header_defined; // TABLE: named by a [header] already
  bool frozen;         // inline table or array literal: cannot be extended
  bool table_array;    // ARRAY: made by [[header]]s
};

/**
 * Parse len bytes of TOML into a table, allocating from arena. path is only
 * used in messages. Returns NULL and fills err (path, line, column,
 * message) on a syntax error (the first ERROR or MISSING node of the tree),
 * a bad escape or integer, or a key defined twice.
 */
al_toml_value *al_toml_parse(al_arena *arena, const char *path,
                             const char *text, uint32_t len, al_error *err);

/** The entry for key in a table, or NULL. */
const al_toml_entry *al_toml_find(const al_toml_value *table, const char *key);

/** "a string", "an integer", "an array", ... for messages. */
const char *al_toml_kind_name(al_toml_kind kind);

#endif
