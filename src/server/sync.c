// SPDX-License-Identifier: MIT
/*
 * Document and workspace synchronisation (sync.h). Invalid params are
 * logged and ignored: a notification has no response to carry an error.
 */
#include "server/sync.h"

#include <stdlib.h>
#include <string.h>

static bool python_doc(const char *language, const char *path) {
  size_t n = strlen(path);
  if (language && strcmp(language, "python") == 0)
    return true;
  return n > 3 && strcmp(path + n - 3, ".py") == 0;
}

static void did_open(al_server *s, const json_t *params) {
  json_t *td = json_object_get(params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  json_t *text = json_object_get(td, "text");
  json_t *version = json_object_get(td, "version");
  if (!uri || !json_is_string(text) || !json_is_integer(version)) {
    al_server_log(s, AL_LOG_ERROR, "asynclint: invalid didOpen params");
    return;
  }
  char *path = al_uri_to_path(uri);
  const char *language = json_string_value(json_object_get(td, "languageId"));
  if (!path || !python_doc(language, path)) {
    free(path);
    return; // not a Python file on disk: not ours
  }
  const char *problem = NULL;
  if (!al_docs_open(&s->docs, uri, path, json_integer_value(version),
                    json_string_value(text), json_string_length(text),
                    &problem))
    al_server_log(s, AL_LOG_ERROR, "asynclint: %s: %s", uri, problem);
  free(path);
  s->dirty = true;
}

// One content change; false (logged) when invalid.
static bool apply_change(al_server *s, al_doc *doc, const json_t *change) {
  json_t *text = json_object_get(change, "text");
  json_t *range = json_object_get(change, "range");
  if (!json_is_string(text))
    return false;
  uint32_t pos[4] = {0};
  if (range) {
    const char *keys[2] = {"start", "end"};
    for (int k = 0; k < 2; k++) {
      json_t *p = json_object_get(range, keys[k]);
      json_t *line = json_object_get(p, "line");
      json_t *ch = json_object_get(p, "character");
      if (!json_is_integer(line) || !json_is_integer(ch) ||
          json_integer_value(line) < 0 || json_integer_value(ch) < 0)
        return false;
      json_int_t l = json_integer_value(line), c = json_integer_value(ch);
      pos[2 * k] = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
      pos[2 * k + 1] = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    }
  }
  const char *problem = NULL;
  if (!al_doc_change(doc, range == NULL, pos[0], pos[1], pos[2], pos[3],
                     json_string_value(text), json_string_length(text), s->enc,
                     &problem)) {
    al_server_log(s, AL_LOG_ERROR, "asynclint: %s: %s", doc->uri, problem);
    return true; // valid, refused
  }
  return true;
}

static void did_change(al_server *s, const json_t *params) {
  json_t *td = json_object_get(params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  json_t *changes = json_object_get(params, "contentChanges");
  al_doc *doc = uri ? al_docs_find(&s->docs, uri) : NULL;
  if (!doc || !json_is_array(changes)) {
    if (!uri || !json_is_array(changes))
      al_server_log(s, AL_LOG_ERROR, "asynclint: invalid didChange params");
    return; // a document that is not ours
  }
  size_t i;
  json_t *c;
  json_array_foreach(changes, i, c) {
    if (!apply_change(s, doc, c)) {
      al_server_log(s, AL_LOG_ERROR,
                    "asynclint: %s: invalid content change %zu", uri, i);
      break;
    }
  }
  json_t *version = json_object_get(td, "version");
  if (json_is_integer(version))
    doc->version = json_integer_value(version);
  s->dirty = true;
}

static void did_close(al_server *s, const json_t *params) {
  const char *uri = json_string_value(
      json_object_get(json_object_get(params, "textDocument"), "uri"));
  if (uri && al_docs_close(&s->docs, uri)) {
    json_object_del(s->versions, uri);
    s->dirty = true; // the file on disk is what counts now
  }
}

static void folders_changed(al_server *s, const json_t *params) {
  json_t *event = json_object_get(params, "event");
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(event, "removed"), i, f) {
    const char *uri = json_string_value(json_object_get(f, "uri"));
    char *path = uri ? al_uri_to_path(uri) : NULL;
    for (uint32_t k = 0; path && k < s->folders.len; k++)
      if (strcmp(s->folders.items[k], path) == 0) {
        free(s->folders.items[k]);
        s->folders.items[k] = s->folders.items[--s->folders.len];
        break;
      }
    free(path);
  }
  json_array_foreach(json_object_get(event, "added"), i, f) {
    const char *uri = json_string_value(json_object_get(f, "uri"));
    char *path = uri ? al_uri_to_path(uri) : NULL;
    if (path)
      vec_push(&s->folders, path);
  }
}

bool al_server_sync(al_server *s, const char *method, const json_t *params) {
  if (strcmp(method, "textDocument/didOpen") == 0)
    did_open(s, params);
  else if (strcmp(method, "textDocument/didChange") == 0)
    did_change(s, params);
  else if (strcmp(method, "textDocument/didClose") == 0)
    did_close(s, params);
  else if (strcmp(method, "textDocument/didSave") == 0 ||
           strcmp(method, "workspace/didChangeWatchedFiles") == 0 ||
           strcmp(method, "workspace/didChangeConfiguration") == 0)
    s->dirty = true; // files or config on disk changed: all again
  else if (strcmp(method, "workspace/didChangeWorkspaceFolders") == 0) {
    folders_changed(s, params);
    s->dirty = true;
  } else
    return false;
  return true;
}
