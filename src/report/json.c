// SPDX-License-Identifier: MIT
/*
 * The JSON output format, built with jansson: one document with the tool,
 * every diagnostic and the run's counts, keys in a fixed order so output
 * can be diffed. Columns are 1-based code points, as in the text format.
 * Strings are emitted as UTF-8 (not \u-escaped); bytes that are not valid
 * UTF-8 (paths can be anything) become U+FFFD, since JSON cannot carry them.
 */
#include "report/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_p.h"
#include "source/utf8.h"

// Length of the valid UTF-8 sequence at s (NUL-terminated), or 0 when the
// bytes there are not one. Same strictness as jansson's own check (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), so that what
// passes here is never rejected by json_string.
static size_t utf8_valid_len(const unsigned char *s) {
  if (s[0] < 0x80)
    return 1;
  unsigned char lo, hi; // allowed range of the second byte
  size_t len = al_utf8_lead(s[0], &lo, &hi);
  if (!len || s[1] < lo || s[1] > hi)
    return 0;
  // The terminating NUL is not a continuation byte, so this never reads
  // past the end of the string.
  for (size_t i = 2; i < len; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return len;
}

// Bytes of the invalid prefix at s to replace with one U+FFFD: the lead byte
// plus the continuation bytes that still fit it (the "maximal subpart" of
// Unicode's recommended practice, which is also what Python's
// errors="replace" does), at least 1.
static size_t invalid_len(const unsigned char *s) {
  unsigned char lo, hi;
  size_t want = al_utf8_lead(s[0], &lo, &hi);
  if (!want)
    return 1;
  size_t n = 1;
  while (n < want && (s[n] & 0xC0) == 0x80) {
    // Only the second byte has a narrowed range.
    if (n == 1 && (s[1] < lo || s[1] > hi))
      break;
    n++;
  }
  return n;
}

json_t *al_report__json_string(const char *s) {
  if (!s)
    return json_string("");
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, len;
  while (u[i] && (len = utf8_valid_len(u + i)))
    i += len;
  if (!u[i])
    return json_string(s);
  // Each invalid byte becomes at most 3 bytes (U+FFFD), so 3x is enough.
  size_t n = strlen(s);
  char *buf = al_xmalloc(3 * n + 1);
  size_t o = 0;
  for (i = 0; u[i];) {
    if ((len = utf8_valid_len(u + i))) {
      memcpy(buf + o, u + i, len);
      o += len;
      i += len;
    } else {
      memcpy(buf + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i += invalid_len(u + i);
    }
  }
  buf[o] = 0;
  json_t *str = json_string(buf);
  free(buf);
  return str;
}

// json_object_set_new consumes value even on failure (and fails on a NULL
// value), so a chain of these needs only one check at the end.
static bool set(json_t *obj, const char *key, json_t *value) {
  return json_object_set_new(obj, key, value) == 0;
}

static json_t *position(al_position p) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  // Both sets run (each consumes its value) before the check.
  bool line = set(o, "line", json_integer(p.line));
  bool column = set(o, "column", json_integer(p.column));
  if (!line || !column) {
    json_decref(o);
    return NULL;
  }
  return o;
}

// `fix`: applicability, message and the edits, positions as the findings'.
static json_t *fix_of(const al_report_item *it) {
  if (!it->fix)
    return json_null();
  const al_fix *f = it->fix;
  json_t *fix = json_object(), *edits = json_array();
  bool ok = fix && edits;
  for (uint32_t i = 0; ok && i < f->n_edits; i++) {
    const al_edit *e = &f->edits[i];
    json_t *edit = json_object();
    ok &= edit != NULL;
    if (edit) {
      ok &= set(edit, "start",
                position(al_position_of_byte(it->lines, e->start)));
      ok &= set(edit, "end", position(al_position_of_byte(it->lines, e->end)));
      ok &= set(edit, "content", al_report__json_string(e->content));
    }
    ok &= json_array_append_new(edits, edit) == 0;
  }
  if (fix) {
    ok &= set(fix, "applicability",
              json_string(f->applicability == AL_FIX_SAFE ? "safe" : "unsafe"));
    ok &= set(fix, "message", al_report__json_string(f->message));
    ok &= set(fix, "edits", edits);
  } else {
    json_decref(edits);
  }
  if (!ok) {
    json_decref(fix);
    return NULL;
  }
  return fix;
}

static json_t *diagnostic(const al_report_item *it) {
  json_t *d = json_object();
  if (!d)
    return NULL;
  bool ok = set(d, "path", al_report__json_string(it->path));
  ok &= set(d, "line", json_integer(it->start.line));
  ok &= set(d, "column", json_integer(it->start.column));
  ok &= set(d, "end_line", json_integer(it->end.line));
  ok &= set(d, "end_column", json_integer(it->end.column));
  ok &= set(d, "code", al_report__json_string(it->rule->code));
  ok &= set(d, "name", al_report__json_string(it->rule->name));
  ok &= set(d, "severity", json_string(al_severity_name(it->rule->severity)));
  ok &= set(d, "message", al_report__json_string(it->message));
  ok &= set(d, "fix", fix_of(it));
  if (!ok) {
    json_decref(d);
    return NULL;
  }
  return d;
}

static json_t *document(const al_report_input *in) {
  json_t *root = json_object(), *tool = json_object(), *diags = json_array(),
         *summary = json_object();
  bool ok = root && tool && diags && summary;
  if (ok) {
    ok &= set(tool, "name", json_string("asynclint"));
    ok &= set(tool, "version", al_report__json_string(in->version));
    for (uint32_t i = 0; ok && i < in->n_items; i++)
      ok &= json_array_append_new(diags, diagnostic(&in->items[i])) == 0;
    ok &= set(summary, "problems", json_integer(in->n_items));
    ok &= set(summary, "files_with_problems",
              json_integer(in->files_with_problems));
    ok &= set(summary, "files_checked", json_integer(in->files_checked));
  }
  // Attach unconditionally: set() consumes the child either way, so the one
  // decref of root below frees everything.
  ok &= set(root, "tool", tool);
  ok &= set(root, "diagnostics", diags);
  ok &= set(root, "summary", summary);
  if (in->n_python_path) { // only with an environment: older readers
    json_t *dirs = json_array();
    ok &= dirs != NULL;
    for (uint32_t i = 0; dirs && i < in->n_python_path; i++)
      ok &= json_array_append_new(
                dirs, al_report__json_string(in->python_path[i])) == 0;
    ok &= set(root, "python_path", dirs);
  }
  if (!ok) {
    json_decref(root);
    return NULL;
  }
  return root;
}

bool al_report_json(FILE *out, const al_report_input *in) {
  json_t *root = document(in);
  if (!root)
    return false;
  int rc = json_dumpf(root, out, JSON_PRESERVE_ORDER | JSON_INDENT(2));
  json_decref(root);
  if (rc != 0 || fputc('\n', out) == EOF)
    return false;
  return fflush(out) == 0 && !ferror(out);
}
