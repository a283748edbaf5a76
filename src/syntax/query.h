// SPDX-License-Identifier: MIT
/*
 * The queries in queries/ (.scm files), embedded at build time and compiled
 * once. A query that fails to compile is a fatal error naming
 * queries/x.scm:line:col and the TSQueryError. Queries are owned here and
 * deleted at exit; cursors are the caller's (one per worker).
 */
#ifndef AL_SYNTAX_QUERY_H
#define AL_SYNTAX_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "base/error.h"

typedef enum {
  AL_QUERY_IMPORTS, // queries/imports.scm
  AL_QUERY_COUNT,
} al_query_id;

/** The compiled query (compiled on first use; exits 2 if it cannot be). */
const TSQuery *al_query_get(al_query_id id);

/** The embedded file name of a query ("queries/imports.scm"). */
const char *al_query_file(al_query_id id);

/**
 * Compile query text for the Python grammar. On failure returns NULL and
 * fills err with file:line:col and the error kind. Caller deletes with
 * ts_query_delete. Exposed for the meta-tests.
 */
TSQuery *al_query_compile(const char *file, const char *text, uint32_t len,
                          al_error *err);

/** The capture index of name in query, or UINT32_MAX. */
uint32_t al_query_capture(const TSQuery *query, const char *name);

#endif
