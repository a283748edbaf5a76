// SPDX-License-Identifier: MIT
/*
 * The baseline file: writing the current findings, reading them back with
 * clear errors for anything malformed, and matching findings against it by
 * (path, code, line text, occurrence) through a sorted array of keys. It
 * does not decide when to write or read (cli/output.c does).
 */
#include "suppress/baseline.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/atomic_file.h"
#include "base/path.h"

typedef struct {
  char *path; // normalised
  char *code;
  char *line;
  uint32_t occurrence;
} entry;

struct al_baseline {
  entry *entries; // sorted by compare_entries
  uint32_t n;
  al_arena *arena;
};

// The form paths are compared in: relative to the current directory when
// under it, else absolute; lexically normalised (./a, a//b and a/x/../b
// are all the same file).
static const char *key_path(al_arena *arena, const char *path) {
  return al_path_display(arena, al_path_absolute(arena, path));
}

static int compare_entries(const void *pa, const void *pb) {
  const entry *a = pa, *b = pb;
  int c = strcmp(a->path, b->path);
  if (!c)
    c = strcmp(a->code, b->code);
  if (!c)
    c = strcmp(a->line, b->line);
  if (!c)
    c = (a->occurrence > b->occurrence) - (a->occurrence < b->occurrence);
  return c;
}

bool al_baseline_write(const char *path, const al_baseline_finding *findings,
                       uint32_t n) {
  al_arena *arena = al_arena_new();
  json_t *root = json_object(), *list = json_array();
  bool ok = root && list;
  ok = ok && json_object_set_new(root, "tool", json_string("asynclint")) == 0;
  ok = ok && json_object_set_new(root, "version",
                                 json_integer(AL_BASELINE_VERSION)) == 0;
  for (uint32_t i = 0; ok && i < n; i++) {
    const al_baseline_finding *it = &findings[i];
    json_t *e = json_object();
    // Paths and lines are UTF-8 in practice; json_string refuses anything
    // else, and a baseline that cannot hold a finding must not be written.
    ok =
        e &&
        json_object_set_new(e, "path",
                            json_string(key_path(arena, it->path))) == 0 &&
        json_object_set_new(e, "code", json_string(it->code)) == 0 &&
        json_object_set_new(e, "line", json_string(it->line)) == 0 &&
        json_object_set_new(e, "occurrence", json_integer(it->occurrence)) == 0;
    if (json_array_append_new(list, e) != 0)
      ok = false;
  }
  ok = ok && json_object_set(root, "findings", list) == 0;
  json_decref(list);
  al_atomic_file f;
  if (ok && !al_atomic_open(&f, path)) {
    json_decref(root);
    al_arena_free(arena);
    return false;
  }
  if (!ok) {
    json_decref(root);
    al_arena_free(arena);
    errno = EILSEQ; // a path or line jansson would not take
    return false;
  }
  bool written =
      json_dumpf(root, f.fp, JSON_PRESERVE_ORDER | JSON_INDENT(2)) == 0 &&
      fputc('\n', f.fp) != EOF;
  json_decref(root);
  al_arena_free(arena);
  int e = errno;
  if (!al_atomic_commit(&f, written))
    return false;
  if (!written) {
    errno = e ? e : EIO;
    return false;
  }
  return true;
}

static char *dup_str(al_arena *arena, const char *s) {
  return al_arena_strndup(arena, s, strlen(s));
}

// Fills *out from one findings element; false with err filled.
static bool read_entry(json_t *e, size_t i, entry *out, al_arena *arena,
                       char *err, size_t err_size) {
  json_t *path = json_object_get(e, "path"), *code = json_object_get(e, "code");
  json_t *line = json_object_get(e, "line");
  json_t *occ = json_object_get(e, "occurrence");
  if (!json_is_object(e) || !json_is_string(path) || !json_is_string(code) ||
      !json_is_string(line) || !json_is_integer(occ) ||
      json_integer_value(occ) < 0 || json_integer_value(occ) > UINT32_MAX) {
    snprintf(err, err_size,
             "finding %zu: expected an object with \"path\", \"code\" and "
             "\"line\" strings and an \"occurrence\" number",
             i + 1);
    return false;
  }
  out->path = dup_str(arena, key_path(arena, json_string_value(path)));
  out->code = dup_str(arena, json_string_value(code));
  out->line = dup_str(arena, json_string_value(line));
  out->occurrence = (uint32_t)json_integer_value(occ);
  return true;
}

al_baseline *al_baseline_read(const char *path, char *err, size_t err_size) {
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    if (jerr.line > 0)
      snprintf(err, err_size, "line %d, column %d: %s", jerr.line, jerr.column,
               jerr.text);
    else
      snprintf(err, err_size, "%s", jerr.text);
    return NULL;
  }
  json_t *version = json_object_get(root, "version");
  json_t *findings = json_object_get(root, "findings");
  if (!json_is_object(root) || !json_is_integer(version) ||
      !json_is_array(findings)) {
    snprintf(err, err_size,
             "not an asynclint baseline (expected an object with \"version\" "
             "and \"findings\")");
    json_decref(root);
    return NULL;
  }
  if (json_integer_value(version) != AL_BASELINE_VERSION) {
    snprintf(err, err_size, "unsupported baseline version %lld (expected %d)",
             (long long)json_integer_value(version), AL_BASELINE_VERSION);
    json_decref(root);
    return NULL;
  }
  al_baseline *self = al_xcalloc(1, sizeof *self);
  self->arena = al_arena_new();
  size_t n = json_array_size(findings);
  self->entries = al_xcalloc(n ? n : 1, sizeof *self->entries);
  for (size_t i = 0; i < n; i++) {
    if (!read_entry(json_array_get(findings, i), i, &self->entries[i],
                    self->arena, err, err_size)) {
      json_decref(root);
      al_baseline_free(self);
      return NULL;
    }
  }
  self->n = (uint32_t)n;
  qsort(self->entries, self->n, sizeof *self->entries, compare_entries);
  json_decref(root);
  return self;
}

void al_baseline_match(const al_baseline *self,
                       const al_baseline_finding *findings, uint32_t n,
                       bool *listed) {
  al_arena *arena = al_arena_new();
  for (uint32_t i = 0; i < n; i++) {
    const al_baseline_finding *it = &findings[i];
    entry key = {(char *)key_path(arena, it->path), (char *)it->code,
                 (char *)it->line, it->occurrence};
    listed[i] = bsearch(&key, self->entries, self->n, sizeof *self->entries,
                        compare_entries) != NULL;
  }
  al_arena_free(arena);
}

void al_baseline_free(al_baseline *self) {
  if (!self)
    return;
  free(self->entries);
  al_arena_free(self->arena);
  free(self);
}
