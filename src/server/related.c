// SPDX-License-Identifier: MIT
/*
 * relatedInformation of a diagnostic. For AL209 and AL400 the steps of the
 * chain through the tree's plain functions, read back from the message the
 * index wrote (`handler -> load_user (app/users.py:8) -> fetch
 * (app/net.py:3) -> requests.get`: each `NAME (PATH:LINE)` after an arrow
 * is a def of the tree, found by its name and line in the file of that
 * display path). For other findings on a call, the definition of the
 * function or class it calls (AL100's coroutine function, ...), when the
 * index resolves it into the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_p.h"

// The last c in p[0, n), or NULL (memrchr is a GNU extension).
static const char *last_of(const char *p, char c, size_t n) {
  while (n--)
    if (p[n] == c)
      return p + n;
  return NULL;
}

static json_t *location(const al_server *s, const al_run_result *res,
                        char **uris, uint32_t file, uint32_t scope,
                        const char *what) {
  const al_facts *tf = res->project.files.items[file].facts;
  const al_scope *sc = &tf->scopes.items[scope];
  al_range r = al_linemap_range(&tf->lines, sc->name_span);
  char msg[200];
  snprintf(msg, sizeof msg, "'%.*s' %s", (int)sc->name.len,
           sc->name.ptr ? sc->name.ptr : "", what);
  json_t *m = json_string(msg);
  if (!m)
    m = json_string(what);
  return json_pack("{s:{s:s, s:o}, s:o}", "location", "uri", uris[file],
                   "range", al_server_range_json(s, tf, r), "message", m);
}

// The linted file whose display path is path[0, n), or AL_NONE.
static uint32_t file_named(const al_run_result *res, const char *path,
                           size_t n) {
  for (uint32_t i = 0; i < res->project.n_linted; i++) {
    const char *p = res->project.files.items[i].path;
    if (strlen(p) == n && memcmp(p, path, n) == 0)
      return i;
  }
  return AL_NONE;
}

// The def or class of file named name[0, n) (its last dotted part) whose
// definition starts on 1-based line, or AL_NONE.
static uint32_t scope_at(const al_facts *f, const char *name, size_t n,
                         uint32_t line) {
  const char *dot = last_of(name, '.', n);
  if (dot) {
    n -= (size_t)(dot + 1 - name);
    name = dot + 1;
  }
  for (uint32_t i = 1; i < f->scopes.len; i++) {
    const al_scope *sc = &f->scopes.items[i];
    if (sc->name.len == n && n && memcmp(sc->name.ptr, name, n) == 0 &&
        al_facts_line(f, sc->def_span) == line)
      return i;
  }
  return AL_NONE;
}

static json_t *chain_steps(const al_server *s, const al_run_result *res,
                           const al_diag *d, char **uris) {
  json_t *out = json_array();
  const char *m = d->message;
  for (const char *arrow = strstr(m, " -> "); arrow;
       arrow = strstr(arrow + 4, " -> ")) {
    const char *name = arrow + 4;
    const char *open = strstr(name, " (");
    const char *next = strstr(name, " -> ");
    if (!open || (next && next < open))
      continue; // a step outside the tree (a library call): no location
    const char *close = strchr(open, ')');
    if (!close)
      break;
    const char *colon = last_of(open + 2, ':', (size_t)(close - open - 2));
    if (!colon)
      continue;
    uint32_t line = (uint32_t)strtoul(colon + 1, NULL, 10);
    uint32_t file = file_named(res, open + 2, (size_t)(colon - open - 2));
    if (file == AL_NONE)
      continue;
    uint32_t scope = scope_at(res->project.files.items[file].facts, name,
                              (size_t)(open - name), line);
    if (scope != AL_NONE)
      json_array_append_new(
          out, location(s, res, uris, file, scope, "is a step of the chain"));
  }
  if (!json_array_size(out)) {
    json_decref(out);
    return NULL;
  }
  return out;
}

static json_t *callee_definition(const al_server *s, const al_run_result *res,
                                 const al_diag *d, char **uris) {
  const al_facts *f = res->project.files.items[d->file].facts;
  for (uint32_t c = 0; c < f->calls.len; c++) {
    const al_call *call = &f->calls.items[c];
    if (call->span.start_byte != d->range.start_byte ||
        call->span.end_byte != d->range.end_byte)
      continue;
    al_target t = al_index_resolve_callee(res->index, d->file, c);
    if ((t.kind != AL_TARGET_FUNCTION && t.kind != AL_TARGET_CLASS) ||
        t.file == AL_NONE || t.file >= res->project.n_linted ||
        t.scope >= res->project.files.items[t.file].facts->scopes.len)
      return NULL;
    return json_pack(
        "[o]", location(s, res, uris, t.file, t.scope, "is defined here"));
  }
  return NULL;
}

json_t *al_server_related(const al_server *s, const al_run_result *res,
                          const al_diag *d, char **uris) {
  const char *code = d->rule->code;
  if (strcmp(code, "AL209") == 0 || strcmp(code, "AL400") == 0) {
    json_t *steps = chain_steps(s, res, d, uris);
    if (steps)
      return steps;
  }
  return callee_definition(s, res, d, uris);
}
