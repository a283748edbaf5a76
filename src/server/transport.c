// SPDX-License-Identifier: MIT
/*
 * LSP base protocol framing (see transport.h). Header lines end with CRLF
 * (a bare LF is accepted); names are compared without case; unknown
 * headers are ignored. Recovery from garbage: a line that is not a header
 * but contains "Content-Length:" is read from there on (the rest of a lost
 * body glued to the next header), so one bad message costs that message
 * only.
 */
#include "server/transport.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/arena.h"

// A header line longer than this is garbage: skipped up to its line end.
#define MAX_HEADER_LINE 4096
#define READ_CHUNK ((size_t)64 * 1024)

static const char LENGTH[] = "Content-Length:";

void al_lsp_reader_init(al_lsp_reader *self, int fd) {
  *self = (al_lsp_reader){.fd = fd};
}

void al_lsp_reader_free(al_lsp_reader *self) {
  free(self->buf);
  *self = (al_lsp_reader){.fd = -1};
}

// Read more bytes after buf[len) (moving the unconsumed ones to the front
// first, growing buf when it is full). false at the end of the stream.
static bool fill(al_lsp_reader *r) {
  if (r->eof)
    return false;
  if (r->pos > 0) {
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
  }
  if (r->cap - r->len < READ_CHUNK / 2) {
    r->cap = r->cap ? r->cap * 2 : READ_CHUNK;
    r->buf = al_xrealloc(r->buf, r->cap);
  }
  for (;;) {
    ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
    if (n > 0) {
      r->len += (size_t)n;
      return true;
    }
    if (n < 0 && errno == EINTR)
      continue;
    r->eof = true; // end of stream, or an error reading it
    return false;
  }
}

bool al_lsp_pending(al_lsp_reader *self) {
  if (self->pos < self->len)
    return true;
  if (self->eof)
    return false;
  struct pollfd p = {.fd = self->fd, .events = POLLIN};
  return poll(&p, 1, 0) > 0;
}

typedef enum { LINE_OK, LINE_TOO_LONG, LINE_END } line_result;

// The next header line, without its line break, in *line (inside buf,
// valid until the next fill). A line longer than MAX_HEADER_LINE is
// consumed up to its end and reported as too long.
static line_result next_line(al_lsp_reader *r, const char **line, size_t *len) {
  bool skipping = false;
  for (;;) {
    char *start = r->buf ? r->buf + r->pos : NULL;
    char *nl = start ? memchr(start, '\n', r->len - r->pos) : NULL;
    if (nl) {
      size_t n = (size_t)(nl - start);
      r->pos += n + 1;
      if (skipping)
        return LINE_TOO_LONG;
      if (n > MAX_HEADER_LINE)
        return LINE_TOO_LONG;
      if (n && start[n - 1] == '\r')
        n--;
      *line = start;
      *len = n;
      return LINE_OK;
    }
    if (r->len - r->pos > MAX_HEADER_LINE) {
      skipping = true; // drop what is buffered, keep looking for its end
      r->pos = r->len;
    }
    if (!fill(r))
      return LINE_END;
  }
}

// "Content-Length: 123" (value only digits, around blanks): *out.
static bool parse_length(const char *v, size_t n, size_t *out) {
  size_t i = 0, value = 0;
  while (i < n && (v[i] == ' ' || v[i] == '\t'))
    i++;
  size_t digits = 0;
  for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
    if (value > (SIZE_MAX - 9) / 10)
      return false;
    value = value * 10 + (size_t)(v[i] - '0');
  }
  while (i < n && (v[i] == ' ' || v[i] == '\t'))
    i++;
  if (!digits || i != n)
    return false;
  *out = value;
  return true;
}

// Where "Content-Length:" starts in line (any case), or NULL.
static const char *find_length(const char *line, size_t n) {
  size_t k = sizeof LENGTH - 1;
  for (size_t i = 0; i + k <= n; i++)
    if (strncasecmp(line + i, LENGTH, k) == 0)
      return line + i;
  return NULL;
}

// One header block. *length gets Content-Length (SIZE_MAX: none valid);
// *problem the first thing wrong with it, or NULL.
static bool read_headers(al_lsp_reader *r, size_t *length,
                         const char **problem) {
  bool any = false;
  *length = SIZE_MAX;
  *problem = NULL;
  for (;;) {
    const char *line;
    size_t n;
    line_result lr = next_line(r, &line, &n);
    if (lr == LINE_END)
      return false;
    if (lr == LINE_TOO_LONG) {
      if (!*problem)
        *problem = "header line too long";
      any = true;
      continue;
    }
    if (n == 0) {
      if (any)
        return true;
      continue; // blank lines between messages
    }
    any = true;
    const char *at = find_length(line, n);
    if (at) {
      if (at != line && !*problem)
        *problem = "garbage before a Content-Length header";
      size_t k = sizeof LENGTH - 1;
      size_t value;
      if (parse_length(at + k, n - (size_t)(at - line) - k, &value))
        *length = value;
      else if (!*problem)
        *problem = "invalid Content-Length header";
      continue;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon && !*problem)
      *problem = "malformed header line (no ':')";
    // Content-Type and unknown headers: ignored.
  }
}

al_lsp_read_result al_lsp_read(al_lsp_reader *self, char **body,
                               size_t *body_len, const char **problem) {
  size_t length;
  if (!read_headers(self, &length, problem))
    return AL_LSP_END;
  if (length == SIZE_MAX) {
    if (!*problem)
      *problem = "header block without a Content-Length";
    return AL_LSP_BAD;
  }
  if (length > AL_LSP_MAX_BODY) {
    // Skip it without keeping it.
    size_t left = length;
    while (left) {
      size_t have = self->len - self->pos;
      if (!have && !fill(self))
        return AL_LSP_END;
      have = self->len - self->pos;
      size_t take = have < left ? have : left;
      self->pos += take;
      left -= take;
    }
    *problem = "message body too large";
    return AL_LSP_BAD;
  }
  while (self->len - self->pos < length)
    if (!fill(self))
      return AL_LSP_END; // the client died in mid-message
  char *out = al_xmalloc(length + 1);
  if (length)
    memcpy(out, self->buf + self->pos, length);
  out[length] = '\0';
  self->pos += length;
  *body = out;
  *body_len = length;
  return AL_LSP_MESSAGE;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

bool al_lsp_write(int fd, const char *body, size_t len) {
  char head[64];
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
  return write_all(fd, head, (size_t)h) && write_all(fd, body, len);
}
