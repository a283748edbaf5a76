// SPDX-License-Identifier: MIT
/*
 * Reading and decoding source files. Bytes are read straight into the
 * caller's arena, then decoded in place where possible: the UTF-8 BOM is
 * skipped, PEP 263 coding cookies other than UTF-8 are converted with
 * iconv(3), UTF-8 is validated strictly, and lone CRs become LFs. Whatever
 * Python would refuse (NUL bytes, bad encodings) becomes `problem` with a
 * position, never a failure of the run. This module does not parse, and it
 * never opens a file in a way that can block (FIFOs are refused after fstat).
 */
#include "source/file.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/error.h"
#include "source/utf8.h"

char *al_iconv_all(iconv_t cd, const char *text, size_t len, size_t *out_len,
                   size_t *fail_at) {
  // Latin-1 at most doubles; other encodings can in principle triple (a
  // one-byte code for a BMP character), so start at twice and grow on
  // E2BIG. One byte is kept for the final NUL.
  size_t cap = len * 2 + 16;
  char *buf = al_xmalloc(cap);
  char *in = (char *)text, *o = buf;
  size_t in_left = len, o_left = cap - 1;
  bool flushing = false;
  for (;;) {
    size_t r = flushing ? iconv(cd, NULL, NULL, &o, &o_left)
                        : iconv(cd, &in, &in_left, &o, &o_left);
    if (r != (size_t)-1) {
      if (flushing)
        break;
      flushing = true; // emit a stateful encoding's closing shift sequence
      continue;
    }
    if (errno != E2BIG) { // EILSEQ, or EINVAL: a sequence cut short
      *fail_at = (size_t)(in - text);
      free(buf);
      return NULL;
    }
    size_t used = (size_t)(o - buf);
    cap *= 2;
    buf = al_xrealloc(buf, cap);
    o = buf + used;
    o_left = cap - used - 1;
  }
  *o = '\0';
  *out_len = (size_t)(o - buf);
  return buf;
}

static void set_problem(al_source *out, al_arena *arena, uint32_t line,
                        uint32_t col, const char *message) {
  out->ok = false;
  out->text = NULL;
  out->len = 0;
  out->problem = al_arena_printf(arena, "%s", message);
  out->problem_line = line;
  out->problem_col = col;
}

static void init_source(al_source *out, const char *path) {
  memset(out, 0, sizeof *out);
  out->path = path;
  out->problem_line = 1;
  out->problem_col = 1;
}

// 1-based line and column of byte offset `at` (< len). Lines end at LF, CRLF
// or a lone CR, as for Python. In UTF-8 text (utf8) columns count bytes that
// are not continuation bytes, which is exact for the valid prefix of the text;
// otherwise they count bytes, exact for single-byte encodings.
static void locate(const char *text, size_t len, size_t at, bool utf8,
                   uint32_t *line, uint32_t *col) {
  uint32_t l = 1, c = 1;
  for (size_t i = 0; i < at && i < len; i++) {
    unsigned char b = (unsigned char)text[i];
    if (b == '\r' && i + 1 < len && text[i + 1] == '\n')
      continue; // the LF ends this line
    if (b == '\n' || b == '\r') {
      l++;
      c = 1;
    } else if (!utf8 || (b & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

// ---------------------------------------------------------------------------
// PEP 263 coding declarations.

typedef struct {
  const char *name; // as written in the cookie (not NUL-terminated)
  size_t len;
  uint32_t line; // 1 or 2
} cookie;

static bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

// Matches `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` against one line
// [p, end), like tokenize.cookie_re: the lazy `.*?` means the first
// "coding[:=]" followed by a non-empty name wins.
static bool match_cookie(const char *p, const char *end, cookie *out) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\f'))
    p++;
  if (p >= end || *p != '#')
    return false;
  for (const char *q = p + 1; q + 7 <= end; q++) {
    if (memcmp(q, "coding", 6) != 0 || (q[6] != ':' && q[6] != '='))
      continue;
    const char *n = q + 7;
    while (n < end && (*n == ' ' || *n == '\t'))
      n++;
    const char *e = n;
    while (e < end && is_name_char((unsigned char)*e))
      e++;
    if (e > n) {
      out->name = n;
      out->len = (size_t)(e - n);
      return true;
    }
  }
  return false;
}

static const char *line_end(const char *p, const char *end) {
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  return p;
}

static const char *next_line(const char *p, const char *end) {
  p = line_end(p, end);
  if (p < end && *p == '\r')
    p++;
  if (p < end && *p == '\n')
    p++;
  return p;
}

// tokenize.blank_re: only a blank or comment-only line 1 lets line 2 declare.
static bool blank_or_comment(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\f'))
    p++;
  return p >= end || *p == '#' || *p == '\n' || *p == '\r';
}

static bool find_cookie(const char *text, size_t len, cookie *out) {
  const char *end = text + len;
  const char *e1 = line_end(text, end);
  if (match_cookie(text, e1, out)) {
    out->line = 1;
    return true;
  }
  if (!blank_or_comment(text, e1))
    return false;
  const char *l2 = next_line(text, end);
  if (l2 >= end)
    return false;
  if (match_cookie(l2, line_end(l2, end), out)) {
    out->line = 2;
    return true;
  }
  return false;
}

typedef enum { ENC_UTF8, ENC_LATIN1, ENC_OTHER } enc_kind;

static bool is_or_prefixes(const char *norm, const char *name) {
  size_t n = strlen(name);
  return strncmp(norm, name, n) == 0 && (norm[n] == 0 || norm[n] == '-');
}

// Whether norm is one of the NULL-terminated names, or, for a family, one
// of them followed by a '-' suffix ("utf-8-sig" is UTF-8).
static bool any_of(const char *norm, const char *const *names, bool family) {
  for (size_t i = 0; names[i]; i++)
    if (family ? is_or_prefixes(norm, names[i]) : strcmp(norm, names[i]) == 0)
      return true;
  return false;
}

// Python's tokenize._get_normal_name plus the codec aliases it leaves to
// codecs.lookup: lowercase, '_' -> '-', then the UTF-8 and Latin-1 families.
static enc_kind classify(const char *name, size_t len) {
  char norm[64];
  if (len >= sizeof norm)
    return ENC_OTHER;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    norm[i] = c == '_' ? '-' : c;
  }
  norm[len] = 0;
  static const char *const utf8[] = {"utf-8", "utf8", NULL};
  static const char *const utf8_exact[] = {"u8", "utf", "cp65001", NULL};
  static const char *const latin1[] = {"latin-1",   "latin1",      "iso-8859-1",
                                       "iso8859-1", "iso-latin-1", NULL};
  static const char *const latin1_exact[] = {"l1",    "latin",      "8859",
                                             "cp819", "iso-ir-100", NULL};
  if (any_of(norm, utf8, true) || any_of(norm, utf8_exact, false))
    return ENC_UTF8;
  if (any_of(norm, latin1, true) || any_of(norm, latin1_exact, false))
    return ENC_LATIN1;
  return ENC_OTHER;
}

// ---------------------------------------------------------------------------
// UTF-8 validation.

// Offset of the first byte that does not start or continue a valid UTF-8
// sequence (Unicode Table 3-7: no overlongs, surrogates or > U+10FFFF), or
// len when the whole text is valid.
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
  size_t i = 0;
  while ((i = al_utf8_skip_ascii(s, i, len)) < len) {
    unsigned char lo, hi; // range of the second byte
    size_t n = al_utf8_lead(s[i], &lo, &hi);
    if (!n)
      return i;
    // Like Python's decoder, blame the start of a broken sequence.
    for (size_t k = 1; k < n; k++) {
      unsigned char lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xBF;
      if (i + k >= len || s[i + k] < lo_k || s[i + k] > hi_k)
        return i;
    }
    i += n;
  }
  return len;
}

// ---------------------------------------------------------------------------
// Decoding.

// Converts text from `name` to UTF-8 with iconv. On success, *result is an
// arena copy (NUL-terminated, with one spare byte) and true is returned.
static bool convert(al_source *out, al_arena *arena, const char *text,
                    size_t len, const cookie *ck, char **result,
                    size_t *result_len) {
  char *name = al_arena_strndup(arena, ck->name, ck->len);
  enc_kind kind = classify(ck->name, ck->len);
  iconv_t cd = iconv_open("UTF-8", kind == ENC_LATIN1 ? "ISO-8859-1" : name);
  if (cd == (iconv_t)-1 && kind == ENC_OTHER && strchr(name, '_')) {
    // Python spells "euc_jp" where glibc knows "EUC-JP".
    char *dashed = al_arena_strndup(arena, name, ck->len);
    for (char *c = dashed; *c; c++)
      if (*c == '_')
        *c = '-';
    cd = iconv_open("UTF-8", dashed);
  }
  if (cd == (iconv_t)-1) {
    set_problem(out, arena, ck->line, 1,
                al_arena_printf(arena, "unknown encoding '%s'", name));
    return false;
  }
  size_t n, fail_at;
  char *buf = al_iconv_all(cd, text, len, &n, &fail_at);
  if (!buf) { // EILSEQ, or EINVAL: a sequence cut short by the end
    uint32_t line, col;
    locate(text, len, fail_at, false, &line, &col);
    set_problem(out, arena, line, col,
                al_arena_printf(arena, "cannot decode as '%s'", name));
    iconv_close(cd);
    return false;
  }
  iconv_close(cd);
  if (n > AL_SOURCE_MAX_BYTES) {
    set_problem(out, arena, 1, 1,
                al_arena_printf(arena, "file too large (%zu bytes)", n));
    free(buf);
    return false;
  }
  *result = al_arena_strndup(arena, buf, n);
  *result_len = n;
  free(buf);
  out->encoding = name;
  return true;
}

// Decodes buf[0..len) in place; buf is arena memory with room for len + 1
// bytes. Shared by al_source_read and al_source_from_bytes.
static bool decode(al_source *out, al_arena *arena, char *buf, size_t len) {
  char *text = buf;
  bool bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0;
  if (bom) {
    // Columns are counted after the BOM, as tree-sitter sees the text.
    text += 3;
    len -= 3;
  }

  const char *nul = memchr(text, 0, len);
  if (nul) {
    uint32_t line, col;
    locate(text, len, (size_t)(nul - text), true, &line, &col);
    set_problem(out, arena, line, col,
                "file contains NUL bytes (binary file?)");
    return false;
  }

  cookie ck;
  if (find_cookie(text, len, &ck) && classify(ck.name, ck.len) != ENC_UTF8) {
    if (bom) {
      set_problem(out, arena, ck.line, 1,
                  al_arena_printf(arena,
                                  "encoding problem: BOM with '%.*s' "
                                  "declaration",
                                  (int)ck.len, ck.name));
      return false;
    }
    if (!convert(out, arena, text, len, &ck, &text, &len))
      return false;
    // Some encodings (UTF-7, say) can spell NUL without a zero byte.
    if (memchr(text, 0, len)) {
      set_problem(out, arena, 1, 1, "file contains NUL bytes (binary file?)");
      return false;
    }
  } else {
    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
      uint32_t line, col;
      locate(text, len, bad, true, &line, &col);
      set_problem(out, arena, line, col,
                  al_arena_printf(arena, "invalid UTF-8 (byte 0x%02X)",
                                  (unsigned char)text[bad]));
      return false;
    }
  }

  // Python ends a line at a lone CR, tree-sitter does not: make it LF. Same
  // length, so byte offsets do not move.
  char *end = text + len;
  for (char *p = text; (p = memchr(p, '\r', (size_t)(end - p))) != NULL; p++)
    if (p + 1 == end || p[1] != '\n')
      *p = '\n';
  text[len] = 0;
  out->text = text;
  out->len = (uint32_t)len;
  out->ok = true;
  return true;
}

bool al_source_from_bytes(al_source *out, al_arena *arena, const char *path,
                          const char *bytes, size_t len) {
  init_source(out, path);
  if (len > AL_SOURCE_MAX_BYTES) {
    set_problem(out, arena, 1, 1,
                al_arena_printf(arena, "file too large (%zu bytes)", len));
    return false;
  }
  char *buf = al_arena_strndup(arena, len ? bytes : "", len);
  return decode(out, arena, buf, len);
}

static void read_problem(al_source *out, al_arena *arena, int err) {
  set_problem(out, arena, 1, 1,
              al_arena_printf(arena, "cannot read file: %s", strerror(err)));
}

bool al_source_read_bytes(al_source *out, al_arena *arena, const char *fs_path,
                          const char *path, char **bytes, size_t *n_bytes) {
  init_source(out, path);
  *bytes = NULL;
  *n_bytes = 0;
  // O_NONBLOCK: should fs_path be a FIFO, open returns at once instead of
  // waiting for a writer; fstat then refuses it.
  int fd = open(fs_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EISDIR)
      set_problem(out, arena, 1, 1, "is a directory");
    else
      read_problem(out, arena, errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    read_problem(out, arena, errno);
    close(fd);
    return false;
  }
  if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
    set_problem(out, arena, 1, 1,
                S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    close(fd);
    return false;
  }
  if ((uint64_t)st.st_size > AL_SOURCE_MAX_BYTES) {
    set_problem(out, arena, 1, 1,
                al_arena_printf(arena, "file too large (%jd bytes)",
                                (intmax_t)st.st_size));
    close(fd);
    return false;
  }

  // Read into an arena buffer sized by fstat, one spare byte for the NUL and
  // one to notice a file that grew meanwhile (then the buffer doubles; the
  // old one stays in the arena, which is acceptable for so rare a case).
  size_t cap = (size_t)st.st_size + 2;
  char *buf = al_arena_alloc(arena, cap);
  size_t len = 0;
  for (;;) {
    if (len + 1 >= cap) {
      if (len > AL_SOURCE_MAX_BYTES) {
        set_problem(out, arena, 1, 1,
                    al_arena_printf(arena, "file too large (%zu bytes)", len));
        close(fd);
        return false;
      }
      char *bigger = al_arena_alloc(arena, cap * 2);
      memcpy(bigger, buf, len);
      buf = bigger;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + len, cap - 1 - len);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      read_problem(out, arena, errno);
      close(fd);
      return false;
    }
    if (r == 0)
      break;
    len += (size_t)r;
  }
  close(fd);
  if (len > AL_SOURCE_MAX_BYTES) {
    set_problem(out, arena, 1, 1,
                al_arena_printf(arena, "file too large (%zu bytes)", len));
    return false;
  }
  *bytes = buf;
  *n_bytes = len;
  return true;
}

bool al_source_decode(al_source *out, al_arena *arena, char *bytes,
                      size_t len) {
  return decode(out, arena, bytes, len);
}

bool al_source_read(al_source *out, al_arena *arena, const char *fs_path,
                    const char *path) {
  char *bytes;
  size_t len;
  return al_source_read_bytes(out, arena, fs_path, path, &bytes, &len) &&
         al_source_decode(out, arena, bytes, len);
}

char *al_source_slurp_fd(int fd, size_t *len) {
  size_t cap = 64 * 1024, n = 0;
  char *buf = al_xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      cap *= 2;
      buf = al_xrealloc(buf, cap);
    }
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      int saved = errno;
      free(buf);
      errno = saved;
      return NULL;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  // A NUL after the data costs nothing and spares callers a copy.
  buf[n] = 0;
  *len = n;
  return buf;
}
