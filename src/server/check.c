// SPDX-License-Identifier: MIT
/*
 * The whole-tree check of the server: one al_run over the workspace
 * folders (and open documents outside them), the open documents' facts
 * extracted from their buffers and kept trees (al_run_opts.overlay), the
 * other files' from the result cache or the disk. Then, per file, the
 * diagnostics as LSP objects, published when they differ from what the
 * client last got (an open document also whenever its version moved on).
 *
 * Cost: every check stats every file of the workspace and rebuilds the
 * index; the facts of files unchanged on disk since the last check are
 * that check's (al_run_opts.known, known.h), the others' come from the
 * result cache or the disk, and only the edited documents are
 * re-extracted, from their incrementally reparsed trees. The rules run
 * only on the files whose results can have changed since the last check
 * (al_run_opts.previous, cli/recheck.h: the edited files and those whose
 * results read them, as recorded); the others keep the last check's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "server/server_p.h"

// The check runs in the first folder (the root), so that paths in
// messages read as on the command line: relative to it. abs_path turns a
// path of the run back into an absolute one, into buf.
const char *al_server_abs_path(const al_server *s, const char *path, char *buf,
                               size_t cap) {
  if (path[0] == '/' || !s->folders.len)
    return path;
  while (path[0] == '.' && path[1] == '/')
    path += 2;
  if (strcmp(path, ".") == 0)
    return s->folders.items[0];
  snprintf(buf, cap, "%s/%s", s->folders.items[0], path);
  return buf;
}

static al_facts *overlay(void *data, al_extractor *x, const char *fs_path) {
  al_server *s = data;
  char buf[PATH_MAX];
  al_doc *d = al_docs_find_path(
      &s->docs, al_server_abs_path(s, fs_path, buf, sizeof buf));
  return d ? al_doc_extract(d, x) : NULL;
}

void al_server_rule_uri(const char *code, char *buf, size_t cap) {
  // As SARIF's helpUri (report/sarif.c): the README's anchor of the code.
  char lower[16];
  size_t i = 0;
  for (; code[i] && i + 1 < sizeof lower; i++)
    lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a'
                                                       : code[i]);
  lower[i] = '\0';
  snprintf(buf, cap, "https://github.com/asynclint/asynclint#%s", lower);
}

static bool under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 &&
         (path[n] == '/' || path[n] == '\0' || (n == 1 && dir[0] == '/'));
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

// The paths to check: the folders, and the open documents on disk that no
// folder holds. Sorted, without duplicates; pointers into s.
static uint32_t check_paths(const al_server *s, const char **paths,
                            const char **extra, uint32_t *n_extra) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->folders.len; i++)
    paths[n++] = s->folders.items[i];
  for (uint32_t i = 0; i < s->docs.docs.len; i++) {
    const al_doc *d = s->docs.docs.items[i];
    bool held = false;
    for (uint32_t k = 0; k < s->folders.len && !held; k++)
      held = under(d->path, s->folders.items[k]);
    struct stat sb;
    if (stat(d->path, &sb) != 0)
      extra[(*n_extra)++] = d->path; // only in the buffer
    else if (!held)
      paths[n++] = d->path;
  }
  if (n > 1)
    qsort(paths, n, sizeof *paths, cmp_str);
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++)
    if (!k || strcmp(paths[k - 1], paths[i]) != 0)
      paths[k++] = paths[i];
  // Relative to the root (the first folder) where they are under it.
  // The first folder is the current directory of the run (abs_path); a
  // folder that is gone is left to discovery to report.
  const char *root = s->folders.len ? s->folders.items[0] : NULL;
  if (root && chdir(root) != 0)
    root = NULL;
  for (uint32_t i = 0; root && i < k; i++)
    if (under(paths[i], root))
      paths[i] = paths[i][strlen(root)] ? paths[i] + strlen(root) + 1 : ".";
  for (uint32_t i = 0; root && i < *n_extra; i++)
    if (under(extra[i], root))
      extra[i] += strlen(root) + 1;
  return k;
}

// The URI of file f of res (the client's spelling for an open document).
static char *file_uri(const al_server *s, const al_project_file *pf) {
  char buf[PATH_MAX];
  const char *path = al_server_abs_path(s, pf->fs_path ? pf->fs_path : pf->path,
                                        buf, sizeof buf);
  const al_doc *d = al_docs_find_path(&s->docs, path);
  return d ? al_xstrdup(d->uri) : al_uri_from_path(path);
}

static json_t *position(const al_server *s, const al_facts *f, uint32_t row,
                        uint32_t col, uint32_t byte) {
  return json_pack("{s:i, s:i}", "line", (json_int_t)row, "character",
                   (json_int_t)al_lsp_character(&f->lines, col, byte, s->enc));
}

json_t *al_server_range_json(const al_server *s, const al_facts *f,
                             al_range r) {
  return json_pack("{s:o, s:o}", "start",
                   position(s, f, r.start_row, r.start_col, r.start_byte),
                   "end", position(s, f, r.end_row, r.end_col, r.end_byte));
}

json_t *al_server_diag_json(const al_server *s, const al_run_result *res,
                            const al_diag *d, char **uris) {
  const al_facts *f = res->project.files.items[d->file].facts;
  const al_rule *rule = d->rule;
  char href[128];
  al_server_rule_uri(rule->code, href, sizeof href);
  int severity = rule->severity == AL_SEV_ERROR     ? 1
                 : rule->severity == AL_SEV_WARNING ? 2
                                                    : 3;
  json_t *msg = json_string(d->message);
  if (!msg)
    msg = json_string(rule->name);
  json_t *o = json_pack("{s:o, s:i, s:s, s:{s:s}, s:s, s:o}", "range",
                        al_server_range_json(s, f, d->range), "severity",
                        severity, "code", rule->code, "codeDescription", "href",
                        href, "source", "asynclint", "message", msg);
  if (strcmp(rule->code, "AL003") == 0) // an unused suppression
    json_object_set_new(o, "tags", json_pack("[i]", 1)); // Unnecessary
  json_t *rel = uris ? al_server_related(s, res, d, uris) : NULL;
  if (rel)
    json_object_set_new(o, "relatedInformation", rel);
  return o;
}

static void publish(al_server *s, const char *uri, json_t *diags,
                    const al_doc *doc) {
  json_t *params = json_pack("{s:s, s:O}", "uri", uri, "diagnostics", diags);
  if (doc)
    json_object_set_new(params, "version", json_integer(doc->version));
  al_server_send(s, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method",
                              "textDocument/publishDiagnostics", "params",
                              params));
}

// Path problems (a deleted folder, ...), logged when they change.
static void log_problems(al_server *s, const al_run_result *res) {
  size_t cap = 1;
  for (uint32_t i = 0; i < res->problems.len; i++)
    cap += strlen(res->problems.items[i].path) +
           strlen(res->problems.items[i].message) + 4;
  char *all = al_xmalloc(cap), *o = all;
  *o = '\0';
  for (uint32_t i = 0; i < res->problems.len; i++)
    o += sprintf(o, "%s: %s\n", res->problems.items[i].path,
                 res->problems.items[i].message);
  if (!s->problems || strcmp(s->problems, all) != 0) {
    for (uint32_t i = 0; i < res->problems.len; i++)
      al_server_log(s, AL_LOG_WARNING, "asynclint: %s: %s",
                    res->problems.items[i].path,
                    res->problems.items[i].message);
    free(s->problems);
    s->problems = all;
  } else {
    free(all);
  }
}

// Publish what changed between s->published and the diagnostics of res.
static void publish_changes(al_server *s, const al_run_result *res) {
  uint32_t n = res->project.n_linted;
  char **uris = al_xcalloc(res->project.files.len + 1, sizeof *uris);
  for (uint32_t i = 0; i < res->project.files.len; i++)
    uris[i] = file_uri(s, &res->project.files.items[i]);
  json_t **per = al_xcalloc(n + 1, sizeof *per);
  for (uint32_t i = 0; i < n; i++)
    per[i] = json_array();
  for (uint32_t i = 0; i < res->diags.len; i++) {
    const al_diag *d = &res->diags.items[i];
    if (d->file < n)
      json_array_append_new(per[d->file], al_server_diag_json(s, res, d, uris));
  }
  json_t *seen = json_object();
  for (uint32_t i = 0; i < n; i++) {
    const char *uri = uris[i];
    const al_doc *doc = al_docs_find(&s->docs, uri);
    char *dumped = json_dumps(per[i], JSON_COMPACT | JSON_SORT_KEYS);
    const char *prev = json_string_value(json_object_get(s->published, uri));
    json_t *ver = json_object_get(s->versions, uri);
    bool changed = prev ? strcmp(prev, dumped) != 0 : json_array_size(per[i]);
    bool new_version = doc && (!ver || json_integer_value(ver) != doc->version);
    if (changed || new_version)
      publish(s, uri, per[i], doc);
    if (doc)
      json_object_set_new(s->versions, uri, json_integer(doc->version));
    if (json_array_size(per[i]) || doc)
      json_object_set_new(s->published, uri, json_string(dumped));
    else
      json_object_del(s->published, uri);
    json_object_set_new(seen, uri, json_true());
    free(dumped);
    json_decref(per[i]);
  }
  // Files gone from the check (deleted, or a folder removed): cleared.
  const char *uri;
  json_t *v, *gone = json_array();
  json_object_foreach(s->published, uri, v) {
    if (!json_object_get(seen, uri))
      json_array_append_new(gone, json_string(uri));
  }
  size_t i;
  json_array_foreach(gone, i, v) {
    json_t *empty = json_array();
    publish(s, json_string_value(v), empty, NULL);
    json_decref(empty);
    json_object_del(s->published, json_string_value(v));
  }
  json_decref(gone);
  json_decref(seen);
  free(per);
  for (uint32_t k = 0; k < res->project.files.len; k++)
    free(uris[k]);
  free(uris);
}

void al_server_check(al_server *s) {
  s->dirty = false;
  for (uint32_t i = 0; i < s->docs.docs.len; i++)
    al_docs_reparse(&s->docs, s->docs.docs.items[i]);
  const char **paths =
      al_xcalloc(s->folders.len + s->docs.docs.len + 1, sizeof *paths);
  const char **extra = al_xcalloc(s->docs.docs.len + 1, sizeof *extra);
  uint32_t n_extra = 0;
  uint32_t n = check_paths(s, paths, extra, &n_extra);
  al_run_opts opts = {
      .paths = paths,
      .n_paths = n,
      .cache = true,
      .environment = true,
      .overlay = overlay,
      .overlay_data = s,
      .known = al_known_take,
      .known_data = s->known,
      .buffer_files = extra,
      .n_buffer_files = n_extra,
      // Only the files whose results can change are checked again
      // (cli/recheck.h); a changed config or environment checks all.
      .record_deps = true,
      .previous = s->last,
  };
  // On the heap: the index keeps a pointer to the result's project.
  al_run_result *res = al_xmalloc(sizeof *res);
  al_known_begin(s->known);
  al_run(res, &opts);
  free(paths);
  free(extra);
  s->checks++;
  if (res->config_failed) {
    const al_error *e = &res->config_error;
    al_server_log(s, AL_LOG_ERROR, "asynclint: %s:%u:%u: %s", e->path, e->line,
                  e->column, e->message);
    al_run_free(res);
    free(res);
    return; // the previous diagnostics stand until the config is fixed
  }
  // The facts res took over from the last check leave it before it goes.
  al_known_end(s->known, s->last, res);
  log_problems(s, res);
  publish_changes(s, res);
  if (s->last) {
    al_run_free(s->last);
    free(s->last);
  }
  s->last = res;
}

void al_server_check_free(al_server *s) {
  if (s->last) {
    al_run_free(s->last);
    free(s->last);
  }
  s->last = NULL;
  al_known_free(s->known);
  s->known = NULL;
  json_decref(s->published);
  json_decref(s->versions);
  s->published = s->versions = NULL;
  free(s->problems);
  s->problems = NULL;
}
