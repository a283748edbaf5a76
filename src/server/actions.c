// SPDX-License-Identifier: MIT
/*
 * textDocument/codeAction and workspace/executeCommand. For each finding
 * of the latest check on the lines of the requested range:
 * - its fix, when the rule attached one (rules/rule.h's al_fix: byte-range
 *   edits), as a quickfix, preferred when safe;
 * - "Suppress with # noqa: CODE": appended to the finding's first line, or
 *   to the noqa code list already ending that line; only for open
 *   documents with a tree, and not where the line ends inside a string;
 * - "Show the explanation of CODE": the command asynclint.explain, which
 *   asks the client to open the rule's documentation (window/showDocument)
 *   or, when it cannot, shows the rule's text (window/showMessage).
 * The check is fresh: the loop re-checks before answering when the
 * documents changed since.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "server/server_p.h"

typedef struct {
  uint32_t line, character;
} lsp_pos;

static bool read_pos(const json_t *p, lsp_pos *out) {
  json_t *l = json_object_get(p, "line"), *c = json_object_get(p, "character");
  if (!json_is_integer(l) || !json_is_integer(c) || json_integer_value(l) < 0 ||
      json_integer_value(c) < 0)
    return false;
  json_int_t lv = json_integer_value(l), cv = json_integer_value(c);
  out->line = lv > UINT32_MAX ? UINT32_MAX : (uint32_t)lv;
  out->character = cv > UINT32_MAX ? UINT32_MAX : (uint32_t)cv;
  return true;
}

// The file of the latest check that uri names, or AL_NONE.
static uint32_t file_of(const al_server *s, const char *uri) {
  const al_doc *doc = al_docs_find(&s->docs, uri);
  char *owned = doc ? NULL : al_uri_to_path(uri);
  const char *path = doc ? doc->path : owned;
  uint32_t found = AL_NONE;
  const al_project *proj = &s->last->project;
  for (uint32_t i = 0; path && i < proj->n_linted && found == AL_NONE; i++) {
    const al_project_file *pf = &proj->files.items[i];
    char buf[4096];
    const char *p = al_server_abs_path(s, pf->fs_path ? pf->fs_path : pf->path,
                                       buf, sizeof buf);
    if (strcmp(p, path) == 0)
      found = i;
  }
  free(owned);
  return found;
}

static json_t *text_edit(const al_server *s, const al_facts *f, uint32_t start,
                         uint32_t end, const char *text) {
  al_range r = al_linemap_range(&f->lines, (al_span){start, end});
  return json_pack("{s:o, s:s}", "range", al_server_range_json(s, f, r),
                   "newText", text);
}

static json_t *action(const char *title, json_t *diag, const char *uri,
                      json_t *edits) {
  json_t *a = json_pack("{s:s, s:s, s:[O]}", "title", title, "kind", "quickfix",
                        "diagnostics", diag);
  if (edits)
    json_object_set_new(a, "edit",
                        json_pack("{s:{s:o}}", "changes", uri, edits));
  return a;
}

static json_t *fix_action(const al_server *s, const al_diag *d, json_t *diag,
                          const char *uri) {
  const al_facts *f = s->last->project.files.items[d->file].facts;
  json_t *edits = json_array();
  for (uint32_t i = 0; i < d->fix->n_edits; i++) {
    const al_edit *e = &d->fix->edits[i];
    json_array_append_new(edits, text_edit(s, f, e->start, e->end, e->content));
  }
  json_t *a = action(d->fix->message, diag, uri, edits);
  json_object_set_new(a, "isPreferred",
                      json_boolean(d->fix->applicability == AL_FIX_SAFE));
  return a;
}

// Whether the byte at offset is inside a string literal of tree.
static bool in_string(const TSTree *tree, uint32_t offset) {
  TSNode n = ts_node_descendant_for_byte_range(ts_tree_root_node(tree), offset,
                                               offset);
  for (; !ts_node_is_null(n); n = ts_node_parent(n)) {
    const char *type = ts_node_type(n);
    if ((strcmp(type, "string") == 0 || strcmp(type, "string_content") == 0) &&
        ts_node_start_byte(n) < offset && offset < ts_node_end_byte(n))
      return true;
  }
  return false;
}

// Whether the comment text ends with a `noqa: CODE...` list.
static bool ends_with_noqa_list(al_str t) {
  size_t i = t.len;
  while (i > 0 &&
         (isalnum((unsigned char)t.ptr[i - 1]) || strchr(", \t", t.ptr[i - 1])))
    i--;
  return i >= 5 && t.ptr[i - 1] == ':' &&
         strncasecmp(t.ptr + i - 5, "noqa", 4) == 0;
}

static json_t *noqa_action(const al_server *s, const al_doc *doc,
                           const al_diag *d, json_t *diag) {
  const al_facts *f = s->last->project.files.items[d->file].facts;
  if (!doc || !doc->tree || f->text_len != doc->len)
    return NULL;
  uint32_t row = d->range.start_row;
  const char *line = doc->text + (d->range.start_byte - d->range.start_col);
  const char *nl = memchr(line, '\n', (size_t)(doc->text + doc->len - line));
  uint32_t eol = (uint32_t)((nl ? nl : doc->text + doc->len) - doc->text);
  if (eol > 0 && doc->text[eol - 1] == '\r')
    eol--;
  if (in_string(doc->tree, eol))
    return NULL; // the line ends inside a string: no comment can go there
  char text[64], title[96];
  snprintf(text, sizeof text, "  # noqa: %s", d->rule->code);
  for (uint32_t c = 0; c < f->comments.len; c++) {
    const al_comment *cm = &f->comments.items[c];
    if (cm->row == row && ends_with_noqa_list(cm->text)) {
      // Trailing blanks stay after the new code.
      size_t n = cm->text.len;
      while (n && (cm->text.ptr[n - 1] == ' ' || cm->text.ptr[n - 1] == '\t'))
        n--;
      eol = cm->byte + (uint32_t)n;
      snprintf(text, sizeof text, ", %s", d->rule->code);
    }
  }
  snprintf(title, sizeof title, "Suppress with # noqa: %s", d->rule->code);
  json_t *edits = json_array();
  json_array_append_new(edits, text_edit(s, f, eol, eol, text));
  return action(title, diag, doc->uri, edits);
}

static json_t *explain_action(const al_diag *d, json_t *diag) {
  char title[128];
  snprintf(title, sizeof title, "Show the explanation of %s (%s)",
           d->rule->code, d->rule->name);
  json_t *a = action(title, diag, NULL, NULL);
  json_object_set_new(a, "command",
                      json_pack("{s:s, s:s, s:[s]}", "title", title, "command",
                                AL_SERVER_EXPLAIN, "arguments", d->rule->code));
  return a;
}

json_t *al_server_code_actions(al_server *s, const json_t *params) {
  const char *uri = json_string_value(
      json_object_get(json_object_get(params, "textDocument"), "uri"));
  json_t *range = json_object_get(params, "range");
  lsp_pos from, to;
  if (!uri || !read_pos(json_object_get(range, "start"), &from) ||
      !read_pos(json_object_get(range, "end"), &to))
    return NULL;
  json_t *out = json_array();
  uint32_t file = s->last ? file_of(s, uri) : AL_NONE;
  if (file == AL_NONE)
    return out;
  const al_doc *doc = al_docs_find(&s->docs, uri);
  const al_facts *f = s->last->project.files.items[file].facts;
  char seen[512] = ""; // codes explained already, "AL100 AL200 "
  for (uint32_t i = 0; i < s->last->diags.len; i++) {
    const al_diag *d = &s->last->diags.items[i];
    if (d->file != file)
      continue;
    json_t *r = al_server_range_json(s, f, d->range);
    lsp_pos ds, de;
    read_pos(json_object_get(r, "start"), &ds);
    read_pos(json_object_get(r, "end"), &de);
    json_decref(r);
    // Lines, not characters: a cursor anywhere on a finding's line asks
    // for its actions.
    if (ds.line > to.line || from.line > de.line)
      continue;
    json_t *diag = al_server_diag_json(s, s->last, d, NULL);
    if (al_fix_usable(d->fix))
      json_array_append_new(out, fix_action(s, d, diag, uri));
    json_t *noqa = noqa_action(s, doc, d, diag);
    if (noqa)
      json_array_append_new(out, noqa);
    char key[16];
    snprintf(key, sizeof key, "%s ", d->rule->code);
    if (!strstr(seen, key) && strlen(seen) + strlen(key) < sizeof seen) {
      strcat(seen, key);
      json_array_append_new(out, explain_action(d, diag));
    }
    json_decref(diag);
  }
  return out;
}

json_t *al_server_execute(al_server *s, const json_t *params) {
  const char *cmd = json_string_value(json_object_get(params, "command"));
  const char *code = json_string_value(
      json_array_get(json_object_get(params, "arguments"), 0));
  const al_rule *rule = code ? al_rule_find(code) : NULL;
  if (!cmd || strcmp(cmd, AL_SERVER_EXPLAIN) != 0 || !rule)
    return NULL;
  char href[128];
  al_server_rule_uri(rule->code, href, sizeof href);
  if (s->show_document) {
    al_server_send(s, json_pack("{s:s, s:I, s:s, s:{s:s, s:b}}", "jsonrpc",
                                "2.0", "id", ++s->next_id, "method",
                                "window/showDocument", "params", "uri", href,
                                "external", 1));
  } else {
    char *text = NULL;
    size_t n = (size_t)snprintf(NULL, 0, "%s (%s)\n\n%s\n\n%s", rule->code,
                                rule->name, rule->doc ? rule->doc : "", href);
    text = al_xmalloc(n + 1);
    snprintf(text, n + 1, "%s (%s)\n\n%s\n\n%s", rule->code, rule->name,
             rule->doc ? rule->doc : "", href);
    al_server_send(s, json_pack("{s:s, s:s, s:{s:i, s:s}}", "jsonrpc", "2.0",
                                "method", "window/showMessage", "params",
                                "type", AL_LOG_INFO, "message", text));
    free(text);
  }
  return json_null();
}
