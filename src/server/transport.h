// SPDX-License-Identifier: MIT
/*
 * The language server's wire: LSP base protocol framing over two file
 * descriptors. A message is a header block (`Content-Length: N`, optionally
 * `Content-Type`, each line ended by CRLF, the block by an empty line) and
 * N bytes of JSON. Reading never trusts the peer: a header block without a
 * valid length is skipped and reported, a declared length is not allocated
 * up front, and a stream that ends in mid-message is the end of the
 * conversation, not an error. This module moves bytes only; the JSON is
 * read and written by the caller (through jansson).
 */
#ifndef AL_SERVER_TRANSPORT_H
#define AL_SERVER_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

/** Largest message body accepted (a 50 MB document fits many times). */
#define AL_LSP_MAX_BODY ((size_t)1 << 30)

typedef struct {
  int fd;
  char *buf; // bytes read and not yet consumed: buf[pos, len)
  size_t pos, len, cap;
  bool eof; // the peer closed its end (or reading failed)
} al_lsp_reader;

typedef enum {
  AL_LSP_MESSAGE, // *body (malloc'd, NUL-terminated), *body_len
  AL_LSP_BAD,     // a malformed header block or an oversized body was
                  // skipped; *problem says what (static or the reader's)
  AL_LSP_END,     // the stream ended (cleanly, or in mid-message)
} al_lsp_read_result;

/** A reader of fd (not closed by the reader). Free with al_lsp_reader_free. */
void al_lsp_reader_init(al_lsp_reader *self, int fd);
void al_lsp_reader_free(al_lsp_reader *self);

/**
 * Read one message, blocking until it is complete. Returns AL_LSP_MESSAGE
 * with *body owned by the caller (free), AL_LSP_BAD with *problem (valid
 * until the next call), or AL_LSP_END.
 */
al_lsp_read_result al_lsp_read(al_lsp_reader *self, char **body,
                               size_t *body_len, const char **problem);

/**
 * Whether bytes are waiting: buffered ones, or the fd is readable now (or
 * at its end) without blocking. The server drains what is waiting before
 * it re-checks, which debounces a burst of edits.
 */
bool al_lsp_pending(al_lsp_reader *self);

/**
 * Write one message with its header to fd, all of it (retrying short
 * writes). Returns false when the peer is gone (EPIPE, ...).
 */
bool al_lsp_write(int fd, const char *body, size_t len);

#endif
