// SPDX-License-Identifier: MIT
/*
 * Compiling the embedded queries. Errors carry the position in the .scm file
 * computed from tree-sitter's error offset.
 */
#include "syntax/query.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"
#include "syntax/parser.h"

static const char *const files[AL_QUERY_COUNT] = {
    [AL_QUERY_IMPORTS] = "queries/imports.scm",
};

static TSQuery *queries[AL_QUERY_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *error_name(TSQueryError e) {
  switch (e) {
  case TSQueryErrorSyntax:
    return "syntax error";
  case TSQueryErrorNodeType:
    return "unknown node type";
  case TSQueryErrorField:
    return "unknown field";
  case TSQueryErrorCapture:
    return "unknown capture";
  case TSQueryErrorStructure:
    return "impossible pattern structure";
  case TSQueryErrorLanguage:
    return "language mismatch";
  default:
    return "error";
  }
}

TSQuery *al_query_compile(const char *file, const char *text, uint32_t len,
                          al_error *err) {
  uint32_t offset = 0;
  TSQueryError type = TSQueryErrorNone;
  TSQuery *q = ts_query_new(al_python_language(), text, len, &offset, &type);
  if (q)
    return q;
  uint32_t line = 1, col = 1;
  for (uint32_t i = 0; i < offset && i < len; i++) {
    if (text[i] == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  al_error_set(err, file, line, col, "%s", error_name(type));
  return NULL;
}

static void delete_all(void) {
  for (int i = 0; i < AL_QUERY_COUNT; i++) {
    ts_query_delete(queries[i]);
    queries[i] = NULL;
  }
}

static void compile_all(void) {
  for (int i = 0; i < AL_QUERY_COUNT; i++) {
    const al_embedded_file *f = al_embedded_find(files[i]);
    al_error err = {0};
    if (!f) {
      fprintf(stderr, "asynclint: internal error: %s is not embedded\n",
              files[i]);
      exit(2);
    }
    queries[i] = al_query_compile(files[i], f->data, f->len, &err);
    if (!queries[i]) {
      fprintf(stderr, "asynclint: %s:%u:%u: query does not compile: %s\n",
              err.path, err.line, err.column, err.message);
      exit(2);
    }
  }
  atexit(delete_all);
}

const TSQuery *al_query_get(al_query_id id) {
  pthread_once(&once, compile_all);
  return queries[id];
}

const char *al_query_file(al_query_id id) { return files[id]; }

uint32_t al_query_capture(const TSQuery *query, const char *name) {
  uint32_t n = ts_query_capture_count(query);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = 0;
    const char *s = ts_query_capture_name_for_id(query, i, &len);
    if (len == strlen(name) && memcmp(s, name, len) == 0)
      return i;
  }
  return UINT32_MAX;
}
