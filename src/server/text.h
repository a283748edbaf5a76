// SPDX-License-Identifier: MIT
/*
 * Positions as the Language Server Protocol counts them: a 0-based line and
 * a 0-based character offset in the negotiated position encoding (UTF-16
 * code units by default, UTF-8 bytes or UTF-32 code points when the client
 * offers them). Converts the client's positions into byte offsets of a
 * document's text, and the byte ranges of facts (through a file's line
 * map, so files that are not open need no text) into LSP positions.
 * Exact, astral characters included: one counts two UTF-16 units.
 */
#ifndef AL_SERVER_TEXT_H
#define AL_SERVER_TEXT_H

#include <stdint.h>
#include <tree_sitter/api.h>

#include "source/position.h"

typedef enum {
  AL_ENC_UTF16, // the protocol's default
  AL_ENC_UTF8,
  AL_ENC_UTF32,
} al_lsp_encoding;

/** The protocol's name of enc ("utf-16", ...). */
const char *al_lsp_encoding_name(al_lsp_encoding enc);

/**
 * The byte offset in text (len bytes of UTF-8, lines ended by "\n" or
 * "\r\n") of the position (line, character). A character past the end of
 * its line means the line's end (before its line break), a line past the
 * last one the end of the text, as the protocol says; a position inside a
 * character (half of a surrogate pair, a byte inside a UTF-8 sequence)
 * means the start of that character.
 */
uint32_t al_lsp_offset(const char *text, uint32_t len, uint32_t line,
                       uint32_t character, al_lsp_encoding enc);

/** tree-sitter's point (0-based row, byte column) of offset in text. */
TSPoint al_lsp_point(const char *text, uint32_t offset);

/** The point after text[0, len) is appended at point p. */
TSPoint al_lsp_point_after(TSPoint p, const char *text, uint32_t len);

/**
 * The LSP character of the point (row, byte_col), whose absolute byte
 * offset is `offset`, in a text whose line map is map.
 */
uint32_t al_lsp_character(const al_linemap *map, uint32_t byte_col,
                          uint32_t offset, al_lsp_encoding enc);

#endif
