// SPDX-License-Identifier: MIT
/*
 * Reading a TOML syntax tree into al_toml values. Node kinds are the TOML
 * grammar's: document, table, table_array_element, pair, bare_key,
 * quoted_key, dotted_key, string, integer, float, boolean, the date kinds,
 * array, inline_table, comment. Compound values (arrays and inline tables)
 * are filled through an explicit stack of frames; keys of a dotted_key are
 * collected the same way.
 */
#include "config/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

#include "base/str.h"
#include "base/vec.h"
#include "syntax/errors.h"
#include "syntax/parser.h"

const TSLanguage *tree_sitter_toml(void);

typedef struct {
  al_arena *arena;
  const char *path;
  const char *text;
  uint32_t len;
  al_error *err;
  // The last column computed: the line starting at memo_line has memo_chars
  // characters before byte memo_byte. Values are read in document order,
  // so counting on from there keeps a long line linear, not quadratic.
  uint32_t memo_line, memo_byte, memo_chars;
} reader;

// A compound value being filled: its node and the next child to read.
typedef struct {
  TSNode node;
  al_toml_value *value;
  uint32_t child;
} frame;

typedef al_vec(frame) frame_stack;

// One part of a (possibly dotted) key.
typedef struct {
  const char *text;
  uint32_t line, col;
} key_part;

typedef al_vec(key_part) key_path;

const char *al_toml_kind_name(al_toml_kind kind) {
  switch (kind) {
  case AL_TOML_STRING:
    return "a string";
  case AL_TOML_INTEGER:
    return "an integer";
  case AL_TOML_BOOLEAN:
    return "a boolean";
  case AL_TOML_FLOAT:
    return "a float";
  case AL_TOML_DATETIME:
    return "a date or time";
  case AL_TOML_ARRAY:
    return "an array";
  case AL_TOML_TABLE:
    return "a table";
  }
  return "a value";
}

const al_toml_entry *al_toml_find(const al_toml_value *table, const char *key) {
  if (!table || table->kind != AL_TOML_TABLE)
    return NULL;
  for (const al_toml_entry *e = table->first_entry; e; e = e->next)
    if (strcmp(e->key, key) == 0)
      return e;
  return NULL;
}

// Positions ------------------------------------------------------------------

// 1-based line and character column of byte offset within the text, given
// a point/byte pair known to lie at or before it on the same line or above.
static void position_from(reader *r, TSPoint at, uint32_t at_byte,
                          uint32_t offset, uint32_t *line, uint32_t *col) {
  uint32_t row = at.row;
  uint32_t line_start = at_byte - at.column;
  for (uint32_t i = at_byte; i < offset && i < r->len; i++)
    if (r->text[i] == '\n') {
      row++;
      line_start = i + 1;
    }
  uint32_t chars = 0, from = line_start;
  if (r->memo_line == line_start && r->memo_byte <= offset &&
      r->memo_byte > line_start) {
    chars = r->memo_chars;
    from = r->memo_byte;
  }
  for (uint32_t i = from; i < offset && i < r->len; i++)
    if (((unsigned char)r->text[i] & 0xC0) != 0x80)
      chars++;
  r->memo_line = line_start;
  r->memo_byte = offset < r->len ? offset : r->len;
  r->memo_chars = chars;
  *line = row + 1;
  *col = chars + 1;
}

static void node_position(reader *r, TSNode n, uint32_t *line, uint32_t *col) {
  uint32_t b = ts_node_start_byte(n);
  position_from(r, ts_node_start_point(n), b, b, line, col);
}

static bool fail_at(reader *r, uint32_t line, uint32_t col, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

static bool fail_at(reader *r, uint32_t line, uint32_t col, const char *fmt,
                    ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return al_error_set(r->err, r->path, line, col, "%s", msg);
}

static bool fail_node(reader *r, TSNode n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail_node(reader *r, TSNode n, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  uint32_t line, col;
  node_position(r, n, &line, &col);
  return al_error_set(r->err, r->path, line, col, "%s", msg);
}

static bool is_kind(TSNode n, const char *kind) {
  return strcmp(ts_node_type(n), kind) == 0;
}

// Syntax errors --------------------------------------------------------------

// Reports the syntax error al_syntax_error_node finds (LAST_PASSED: the
// messages name that node).
static bool report_syntax_error(reader *r, TSNode root) {
  TSNode bad = al_syntax_error_node(root, AL_SYNTAX_ERROR_LAST_PASSED);
  if (ts_node_is_missing(bad)) {
    const char *kind = ts_node_type(bad);
    if (ts_node_is_named(bad))
      return fail_node(r, bad, "TOML syntax error: expected %s",
                       strstr(kind, "key") ? "a key" : "a value");
    return fail_node(r, bad, "TOML syntax error: expected '%s'", kind);
  }
  uint32_t b = ts_node_start_byte(bad), e = ts_node_end_byte(bad);
  if (b >= r->len)
    return fail_node(r, bad, "TOML syntax error: unexpected end of file");
  // Show the offending text up to the end of its line (at most 24 bytes).
  uint32_t n = 0;
  while (b + n < e && b + n < r->len && n < 24 && r->text[b + n] != '\n' &&
         r->text[b + n] != '\r')
    n++;
  if (n == 0)
    return fail_node(r, bad, "TOML syntax error");
  return fail_node(r, bad, "TOML syntax error near '%.*s'", (int)n,
                   r->text + b);
}

// Scalars --------------------------------------------------------------------

static void put_utf8(char *out, size_t *len, uint32_t cp) {
  if (cp < 0x80) {
    out[(*len)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*len)++] = (char)(0xC0 | (cp >> 6));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*len)++] = (char)(0xE0 | (cp >> 12));
    out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*len)++] = (char)(0xF0 | (cp >> 18));
    out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  }
}

// Decodes a string or quoted_key node into *out / *out_len (arena).
static bool decode_string(reader *r, TSNode n, const char **out,
                          size_t *out_len) {
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  const char *s = r->text + b;
  size_t len = e - b;
  bool basic = len > 0 && s[0] == '"';
  size_t q =
      (len >= 6 && (memcmp(s, "\"\"\"", 3) == 0 || memcmp(s, "'''", 3) == 0))
          ? 3
          : 1;
  if (len < 2 * q)
    return fail_node(r, n, "TOML syntax error: unterminated string");
  const char *p = s + q, *end = s + len - q;
  if (q == 3) {
    // A newline right after the opening delimiter is not part of the string.
    if (p < end && *p == '\n')
      p++;
    else if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
      p += 2;
  }
  char *buf = al_arena_alloc(r->arena, (size_t)(end - p) + 1);
  size_t o = 0;
  while (p < end) {
    if (!basic || *p != '\\') {
      buf[o++] = *p++;
      continue;
    }
    const char *esc = p;
    p++;
    char c = p < end ? *p : '\0';
    if (q == 3 && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      // Line-ending backslash: drop the newline and following whitespace.
      const char *t = p;
      while (t < end && (*t == ' ' || *t == '\t'))
        t++;
      if (t < end && (*t == '\n' || *t == '\r')) {
        while (t < end && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
          t++;
        p = t;
        continue;
      }
    }
    char simple = 0;
    switch (c) {
    case 'b':
      simple = '\b';
      break;
    case 't':
      simple = '\t';
      break;
    case 'n':
      simple = '\n';
      break;
    case 'f':
      simple = '\f';
      break;
    case 'r':
      simple = '\r';
      break;
    case 'e':
      simple = '\x1b';
      break;
    case '"':
      simple = '"';
      break;
    case '\\':
      simple = '\\';
      break;
    default:
      break;
    }
    if (simple) {
      buf[o++] = simple;
      p++;
      continue;
    }
    int digits = c == 'u' ? 4 : c == 'U' ? 8 : 0;
    uint32_t cp = 0;
    bool ok = digits && end - (p + 1) >= digits;
    for (int i = 0; ok && i < digits; i++) {
      int d = al_hex_digit(p[1 + i]);
      if (d < 0)
        ok = false;
      else
        cp = cp * 16 + (uint32_t)d;
    }
    if (ok && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (!ok) {
      uint32_t line, col;
      position_from(r, ts_node_start_point(n), b, (uint32_t)(esc - r->text),
                    &line, &col);
      int shown = (int)(p < end ? 1 + (digits ? digits : 0) : 0);
      if (esc + 1 + shown > end)
        shown = (int)(end - esc - 1);
      return fail_at(r, line, col, "invalid escape sequence '\\%.*s'", shown,
                     esc + 1);
    }
    put_utf8(buf, &o, cp);
    p += 1 + digits;
  }
  buf[o] = '\0';
  *out = buf;
  *out_len = o;
  return true;
}

static bool decode_integer(reader *r, TSNode n, int64_t *out) {
  uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  const char *s = r->text + b, *end = r->text + e;
  bool neg = false;
  if (s < end && (*s == '+' || *s == '-'))
    neg = *s++ == '-';
  unsigned base = 10;
  if (end - s > 2 && s[0] == '0' &&
      (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
    base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
    s += 2;
  }
  uint64_t v = 0;
  bool any = false;
  for (; s < end; s++) {
    if (*s == '_')
      continue;
    int d = al_hex_digit(*s);
    if (d < 0 || (unsigned)d >= base)
      return fail_node(r, n, "invalid integer '%.*s'", (int)(e - b),
                       r->text + b);
    if (v > (UINT64_MAX - (unsigned)d) / base)
      return fail_node(r, n, "integer out of range");
    v = v * base + (unsigned)d;
    any = true;
  }
  if (!any)
    return fail_node(r, n, "invalid integer");
  if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
    return fail_node(r, n, "integer out of range");
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return true;
}

// Values ---------------------------------------------------------------------

static al_toml_value *new_value(reader *r, al_toml_kind kind, TSNode n) {
  al_toml_value *v = al_arena_alloc(r->arena, sizeof *v);
  v->kind = kind;
  node_position(r, n, &v->line, &v->col);
  return v;
}

static void append_item(al_toml_value *array, al_toml_value *item) {
  if (array->last_item)
    array->last_item->next_item = item;
  else
    array->first_item = item;
  array->last_item = item;
  array->n_items++;
}

static al_toml_entry *append_entry(reader *r, al_toml_value *table,
                                   const key_part *k, al_toml_value *value) {
  al_toml_entry *e = al_arena_alloc(r->arena, sizeof *e);
  e->key = k->text;
  e->line = k->line;
  e->col = k->col;
  e->value = value;
  if (table->last_entry)
    table->last_entry->next = e;
  else
    table->first_entry = e;
  table->last_entry = e;
  return e;
}

// A value for node n. Arrays and inline tables come back empty and frozen,
// with a frame pushed so that the caller's loop fills them.
static al_toml_value *make_value(reader *r, TSNode n, frame_stack *stack) {
  const char *kind = ts_node_type(n);
  al_toml_value *v;
  if (strcmp(kind, "string") == 0) {
    v = new_value(r, AL_TOML_STRING, n);
    if (!decode_string(r, n, &v->str, &v->str_len))
      return NULL;
  } else if (strcmp(kind, "integer") == 0) {
    v = new_value(r, AL_TOML_INTEGER, n);
    if (!decode_integer(r, n, &v->integer))
      return NULL;
  } else if (strcmp(kind, "boolean") == 0) {
    v = new_value(r, AL_TOML_BOOLEAN, n);
    v->boolean = ts_node_end_byte(n) - ts_node_start_byte(n) == 4;
  } else if (strcmp(kind, "float") == 0) {
    v = new_value(r, AL_TOML_FLOAT, n);
  } else if (strstr(kind, "date") || strstr(kind, "time")) {
    v = new_value(r, AL_TOML_DATETIME, n);
  } else if (strcmp(kind, "array") == 0 || strcmp(kind, "inline_table") == 0) {
    v = new_value(r, kind[0] == 'a' ? AL_TOML_ARRAY : AL_TOML_TABLE, n);
    v->frozen = true;
    vec_push(stack, ((frame){n, v, 0}));
  } else {
    fail_node(r, n, "TOML syntax error: unexpected %s", kind);
    return NULL;
  }
  return v;
}

// Keys -----------------------------------------------------------------------

// The parts of a key node (bare_key, quoted_key or dotted_key), in order.
static bool read_key(reader *r, TSNode key, key_path *out) {
  out->len = 0;
  al_vec(TSNode) todo = {0};
  vec_push(&todo, key);
  bool ok = true;
  while (ok && todo.len) {
    TSNode n = vec_pop(&todo);
    if (is_kind(n, "dotted_key")) {
      // Push children right to left so that they pop left to right.
      for (uint32_t i = ts_node_named_child_count(n); i-- > 0;) {
        TSNode c = ts_node_named_child(n, i);
        if (!is_kind(c, "comment"))
          vec_push(&todo, c);
      }
      continue;
    }
    key_part k;
    node_position(r, n, &k.line, &k.col);
    if (is_kind(n, "bare_key")) {
      uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
      k.text = al_arena_strndup(r->arena, r->text + b, e - b);
    } else if (is_kind(n, "quoted_key")) {
      size_t len;
      ok = decode_string(r, n, &k.text, &len);
    } else {
      ok = fail_node(r, n, "TOML syntax error: expected a key");
    }
    if (ok)
      vec_push(out, k);
  }
  vec_free(&todo);
  return ok && out->len > 0;
}

static al_toml_value *new_table(reader *r, const key_part *k) {
  al_toml_value *t = al_arena_alloc(r->arena, sizeof *t);
  t->kind = AL_TOML_TABLE;
  t->line = k->line;
  t->col = k->col;
  return t;
}

static al_toml_entry *find_entry(al_toml_value *table, const char *key) {
  return (al_toml_entry *)al_toml_find(table, key);
}

// The table that key part k names inside table, created when missing; an
// array of tables leads to its last table. NULL (with the error) when the
// name is taken by another kind of value or by an inline table.
static al_toml_value *descend(reader *r, al_toml_value *table,
                              const key_part *k) {
  al_toml_entry *e = find_entry(table, k->text);
  if (!e)
    return append_entry(r, table, k, new_table(r, k))->value;
  al_toml_value *v = e->value;
  if (v->kind == AL_TOML_ARRAY && v->table_array && v->last_item)
    v = v->last_item;
  if (v->kind != AL_TOML_TABLE || v->frozen) {
    fail_at(r, k->line, k->col,
            "key '%s' is already defined as %s at line %u and cannot be "
            "extended",
            k->text, al_toml_kind_name(v->kind), e->line);
    return NULL;
  }
  return v;
}

// Stores `key = value` in table (dotted keys create the tables between).
static bool assign(reader *r, al_toml_value *table, const key_path *keys,
                   al_toml_value *value) {
  for (uint32_t i = 0; i + 1 < keys->len; i++) {
    table = descend(r, table, &keys->items[i]);
    if (!table)
      return false;
  }
  const key_part *last = vec_last(keys);
  al_toml_entry *e = find_entry(table, last->text);
  if (e)
    return fail_at(r, last->line, last->col,
                   "duplicate key '%s' (first defined at line %u)", last->text,
                   e->line);
  append_entry(r, table, last, value);
  return true;
}

// Reads `key = value`; compound values are left on the stack to be filled.
static bool read_pair(reader *r, TSNode pair, al_toml_value *table,
                      key_path *keys, frame_stack *stack) {
  uint32_t n = ts_node_named_child_count(pair);
  TSNode key = {0}, value = {0};
  bool have_key = false, have_value = false;
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(pair, i);
    if (is_kind(c, "comment"))
      continue;
    if (!have_key) {
      key = c;
      have_key = true;
    } else {
      value = c;
      have_value = true;
    }
  }
  if (!have_key || !have_value)
    return fail_node(r, pair, "TOML syntax error: expected key = value");
  if (!read_key(r, key, keys))
    return false;
  al_toml_value *v = make_value(r, value, stack);
  return v && assign(r, table, keys, v);
}

// Fills the compound values pushed on the stack until it is empty.
static bool drain(reader *r, frame_stack *stack, key_path *keys) {
  while (stack->len) {
    frame *f = vec_last(stack);
    if (f->child >= ts_node_named_child_count(f->node)) {
      stack->len--;
      continue;
    }
    TSNode c = ts_node_named_child(f->node, f->child++);
    if (is_kind(c, "comment"))
      continue;
    al_toml_value *target = f->value;
    if (target->kind == AL_TOML_ARRAY) {
      // make_value may grow the stack (and move f): use target only.
      al_toml_value *v = make_value(r, c, stack);
      if (!v)
        return false;
      append_item(target, v);
    } else {
      // Dotted keys inside an inline table build its sub-tables before it
      // is frozen: unfreeze it while assigning.
      target->frozen = false;
      bool ok =
          is_kind(c, "pair")
              ? read_pair(r, c, target, keys, stack)
              : fail_node(r, c, "TOML syntax error: expected key = value");
      target->frozen = true;
      if (!ok)
        return false;
    }
  }
  return true;
}

// The header key of a table or table_array_element node.
static bool header_key(reader *r, TSNode header, key_path *keys) {
  uint32_t n = ts_node_named_child_count(header);
  for (uint32_t i = 0; i < n; i++) {
    TSNode c = ts_node_named_child(header, i);
    if (is_kind(c, "bare_key") || is_kind(c, "quoted_key") ||
        is_kind(c, "dotted_key"))
      return read_key(r, c, keys);
  }
  return fail_node(r, header, "TOML syntax error: expected a table name");
}

// The table a [header] or [[header]] opens.
static al_toml_value *open_table(reader *r, al_toml_value *root, TSNode header,
                                 key_path *keys) {
  if (!header_key(r, header, keys))
    return NULL;
  bool array = is_kind(header, "table_array_element");
  al_toml_value *t = root;
  for (uint32_t i = 0; i + 1 < keys->len; i++) {
    t = descend(r, t, &keys->items[i]);
    if (!t)
      return NULL;
  }
  const key_part *last = vec_last(keys);
  al_toml_entry *e = find_entry(t, last->text);
  if (array) {
    al_toml_value *list;
    if (!e) {
      list = new_table(r, last);
      list->kind = AL_TOML_ARRAY;
      list->table_array = true;
      append_entry(r, t, last, list);
    } else if (e->value->kind == AL_TOML_ARRAY && e->value->table_array) {
      list = e->value;
    } else {
      fail_at(r, last->line, last->col,
              "key '%s' is already defined as %s at line %u", last->text,
              al_toml_kind_name(e->value->kind), e->line);
      return NULL;
    }
    al_toml_value *elem = new_table(r, last);
    elem->header_defined = true;
    append_item(list, elem);
    return elem;
  }
  if (!e) {
    al_toml_value *nt = new_table(r, last);
    nt->header_defined = true;
    append_entry(r, t, last, nt);
    return nt;
  }
  al_toml_value *v = e->value;
  if (v->kind != AL_TOML_TABLE || v->frozen || v->header_defined) {
    fail_at(r, last->line, last->col,
            v->kind == AL_TOML_TABLE && !v->frozen
                ? "table '%s' is defined twice (first at line %u)"
                : "key '%s' is already defined at line %u",
            last->text, e->line);
    return NULL;
  }
  v->header_defined = true;
  return v;
}

// Config files never nest arrays and inline tables more than a few deep;
// tree-sitter's error recovery is quadratic in the nesting of unclosed
// brackets (6,400 `[` and an unterminated string: over a second; 100,000:
// many minutes), which its work budget does not see. Deeper input is
// refused before parsing. Brackets inside strings and comments do not count.
#define MAX_NESTING 128

static bool nesting_ok(const char *t, uint32_t len, uint32_t *at) {
  uint32_t depth = 0;
  for (uint32_t i = 0; i < len; i++) {
    char c = t[i];
    if (c == '#') {
      while (i + 1 < len && t[i + 1] != '\n')
        i++;
    } else if (c == '"' || c == '\'') {
      bool multi = i + 2 < len && t[i + 1] == c && t[i + 2] == c;
      i += multi ? 3 : 1;
      for (; i < len; i++) {
        if (c == '"' && t[i] == '\\') {
          i++; // an escape in a basic string
        } else if (!multi && t[i] == '\n') {
          break; // unterminated: the parser reports it
        } else if (t[i] == c && (!multi || (i + 2 < len && t[i + 1] == c &&
                                            t[i + 2] == c))) {
          i += multi ? 2 : 0;
          break;
        }
      }
    } else if (c == '[' || c == '{') {
      if (++depth > MAX_NESTING) {
        *at = i;
        return false;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return true;
}

al_toml_value *al_toml_parse(al_arena *arena, const char *path,
                             const char *text, uint32_t len, al_error *err) {
  reader r = {arena, path, text, len, err, 0, 0, 0};
  // The same work budget as for Python files: tree-sitter's error
  // recovery is superlinear on some broken inputs (thousands of `[` with
  // an unterminated string inside took seconds, growing with the square).
  uint32_t at;
  if (!nesting_ok(text, len, &at)) {
    uint32_t line = 1, col = 1;
    for (uint32_t i = 0; i < at; i++) {
      col++;
      if (text[i] == '\n') {
        line++;
        col = 1;
      }
    }
    al_error_set(err, path, line, col,
                 "arrays and inline tables nested more than %d deep",
                 MAX_NESTING);
    return NULL;
  }
  al_parser *parser = al_parser_new_for(tree_sitter_toml(), "TOML");
  bool gave_up = false;
  TSTree *tree = al_parser_parse(parser, text, len, &gave_up);
  al_parser_free(parser);
  if (!tree) {
    al_error_set(err, path, 0, 0,
                 "the TOML parser gave up on this file (too complex)");
    return NULL;
  }
  TSNode doc = ts_tree_root_node(tree);
  al_toml_value *root = al_arena_alloc(arena, sizeof *root);
  root->kind = AL_TOML_TABLE;
  root->line = root->col = 1;
  frame_stack stack = {0};
  key_path keys = {0};
  bool ok = true;
  if (ts_node_has_error(doc)) {
    report_syntax_error(&r, doc);
    ok = false;
  }
  uint32_t n = ok ? ts_node_named_child_count(doc) : 0;
  for (uint32_t i = 0; ok && i < n; i++) {
    TSNode c = ts_node_named_child(doc, i);
    if (is_kind(c, "comment"))
      continue;
    if (is_kind(c, "pair")) {
      ok = read_pair(&r, c, root, &keys, &stack) && drain(&r, &stack, &keys);
      continue;
    }
    if (!is_kind(c, "table") && !is_kind(c, "table_array_element")) {
      ok =
          fail_node(&r, c, "TOML syntax error: unexpected %s", ts_node_type(c));
      break;
    }
    al_toml_value *t = open_table(&r, root, c, &keys);
    if (!t) {
      ok = false;
      break;
    }
    uint32_t m = ts_node_named_child_count(c);
    for (uint32_t j = 0; ok && j < m; j++) {
      TSNode p = ts_node_named_child(c, j);
      if (is_kind(p, "pair"))
        ok = read_pair(&r, p, t, &keys, &stack) && drain(&r, &stack, &keys);
    }
  }
  vec_free(&stack);
  vec_free(&keys);
  ts_tree_delete(tree);
  return ok ? root : NULL;
}
