// SPDX-License-Identifier: MIT
/*
 * The server's loop and lifecycle: read a message (blocking), then every
 * message already waiting, handle them in order, and re-check once the
 * input is drained, so a burst of keystrokes costs one check. Requests
 * before `initialize` get ServerNotInitialized, after `shutdown`
 * InvalidRequest; unknown requests MethodNotFound; unknown notifications
 * are dropped. A request cancelled by a $/cancelRequest waiting behind it
 * gets RequestCancelled. Nothing the client sends ends the server but
 * `exit` and the end of its stream.
 */
#include "server/server.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "server/server_p.h"
#include "server/sync.h"

#ifndef AL_VERSION
#define AL_VERSION "0"
#endif

void al_server_send(al_server *s, json_t *msg) {
  if (!msg)
    return;
  if (!s->gone) {
    size_t n = json_dumpb(msg, NULL, 0, JSON_COMPACT);
    char *buf = al_xmalloc(n ? n : 1);
    n = json_dumpb(msg, buf, n, JSON_COMPACT);
    if (!al_lsp_write(s->out_fd, buf, n))
      s->gone = s->exit = true; // the client stopped reading: stop too
    free(buf);
  }
  json_decref(msg);
}

static json_t *notification(const char *method, json_t *params) {
  return json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method,
                   "params", params);
}

// A JSON string of text; bytes that are not UTF-8 (jansson's error
// messages quote the input) become '?'.
static json_t *text_json(const char *text) {
  json_t *j = json_string(text);
  if (j)
    return j;
  char *copy = al_xstrdup(text);
  for (char *p = copy; *p; p++)
    if ((unsigned char)*p >= 0x80)
      *p = '?';
  j = json_string(copy);
  free(copy);
  return j;
}

void al_server_log(al_server *s, int type, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  json_t *msg = text_json(buf);
  al_server_send(
      s, notification("window/logMessage",
                      json_pack("{s:i, s:o}", "type", type, "message", msg)));
}

static void respond(al_server *s, json_t *id, json_t *result) {
  al_server_send(s, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
                              "result", result ? result : json_null()));
}

static void respond_error(al_server *s, json_t *id, int code,
                          const char *message) {
  al_server_send(s, json_pack("{s:s, s:O, s:{s:i, s:o}}", "jsonrpc", "2.0",
                              "id", id ? id : json_null(), "error", "code",
                              code, "message", text_json(message)));
}

// --- initialize --------------------------------------------------------------

// The first encoding the client offers that the server knows; UTF-16 when
// it offers none (the protocol's default).
static al_lsp_encoding negotiate(const json_t *params) {
  json_t *offered = json_object_get(
      json_object_get(json_object_get(params, "capabilities"), "general"),
      "positionEncodings");
  size_t i;
  json_t *v;
  json_array_foreach(offered, i, v) {
    const char *name = json_string_value(v);
    if (!name)
      continue;
    if (strcmp(name, "utf-8") == 0)
      return AL_ENC_UTF8;
    if (strcmp(name, "utf-16") == 0)
      return AL_ENC_UTF16;
    if (strcmp(name, "utf-32") == 0)
      return AL_ENC_UTF32;
  }
  return AL_ENC_UTF16;
}

static void add_folder_uri(al_server *s, const char *uri) {
  char *path = uri ? al_uri_to_path(uri) : NULL;
  if (!path) {
    if (uri)
      al_server_log(s, AL_LOG_WARNING,
                    "asynclint: workspace folder '%s' is not a file URI "
                    "(ignored)",
                    uri);
    return;
  }
  vec_push(&s->folders, path);
}

// workspaceFolders, else rootUri, else rootPath.
static void read_folders(al_server *s, const json_t *params) {
  json_t *folders = json_object_get(params, "workspaceFolders");
  if (json_is_array(folders) && json_array_size(folders)) {
    size_t i;
    json_t *f;
    json_array_foreach(folders, i, f)
        add_folder_uri(s, json_string_value(json_object_get(f, "uri")));
    return;
  }
  const char *root = json_string_value(json_object_get(params, "rootUri"));
  if (root) {
    add_folder_uri(s, root);
    return;
  }
  const char *path = json_string_value(json_object_get(params, "rootPath"));
  if (path && path[0] == '/') {
    char *uri = al_uri_from_path(path);
    add_folder_uri(s, uri);
    free(uri);
  }
}

static json_t *capabilities(const al_server *s) {
  return json_pack("{s:s, s:{s:b, s:i, s:{s:b}}, s:{s:[s]}, s:{s:[s]}, "
                   "s:{s:{s:b, s:b}}}",
                   "positionEncoding", al_lsp_encoding_name(s->enc),
                   "textDocumentSync", "openClose", 1, "change", 2, "save",
                   "includeText", 0, "codeActionProvider", "codeActionKinds",
                   "quickfix", "executeCommandProvider", "commands",
                   AL_SERVER_EXPLAIN, "workspace", "workspaceFolders",
                   "supported", 1, "changeNotifications", 1);
}

static void initialize(al_server *s, json_t *id, const json_t *params) {
  if (!json_is_object(params)) {
    respond_error(s, id, AL_RPC_INVALID_PARAMS, "initialize needs params");
    return;
  }
  s->enc = negotiate(params);
  s->show_document = json_is_true(json_object_get(
      json_object_get(
          json_object_get(json_object_get(params, "capabilities"), "window"),
          "showDocument"),
      "support"));
  read_folders(s, params);
  s->initialized = true;
  respond(s, id,
          json_pack("{s:o, s:{s:s, s:s}}", "capabilities", capabilities(s),
                    "serverInfo", "name", "asynclint", "version", AL_VERSION));
}

// --- dispatch ----------------------------------------------------------------

static void request(al_server *s, json_t *id, const char *method,
                    const json_t *params) {
  if (strcmp(method, "initialize") == 0) {
    if (s->initialized)
      respond_error(s, id, AL_RPC_INVALID_REQUEST, "already initialized");
    else
      initialize(s, id, params);
    return;
  }
  if (!s->initialized) {
    respond_error(s, id, AL_RPC_SERVER_NOT_INITIALIZED,
                  "the server is not initialized");
    return;
  }
  if (s->shutdown) {
    respond_error(s, id, AL_RPC_INVALID_REQUEST, "the server is shut down");
    return;
  }
  if (strcmp(method, "shutdown") == 0) {
    s->shutdown = true;
    respond(s, id, NULL);
    return;
  }
  if (strcmp(method, "textDocument/codeAction") == 0) {
    if (s->dirty)
      al_server_check(s); // answer from the text the client has now
    json_t *actions = al_server_code_actions(s, params);
    if (actions)
      respond(s, id, actions);
    else
      respond_error(s, id, AL_RPC_INVALID_PARAMS, "invalid codeAction params");
    return;
  }
  if (strcmp(method, "workspace/executeCommand") == 0) {
    json_t *result = al_server_execute(s, params);
    if (result)
      respond(s, id, result);
    else
      respond_error(s, id, AL_RPC_INVALID_PARAMS, "unknown command");
    return;
  }
  respond_error(s, id, AL_RPC_METHOD_NOT_FOUND, method);
}

static void notify(al_server *s, const char *method, const json_t *params) {
  if (strcmp(method, "exit") == 0) {
    s->exit = true;
    return;
  }
  if (!s->initialized || s->shutdown)
    return; // dropped, as the protocol says
  if (strcmp(method, "initialized") == 0) {
    s->dirty = true; // the first check: the whole workspace
    return;
  }
  if (!al_server_sync(s, method, params) && strncmp(method, "$/", 2) != 0)
    al_server_log(s, AL_LOG_LOG, "asynclint: notification '%s' ignored",
                  method);
}

static bool valid_id(const json_t *id) {
  return json_is_string(id) || json_is_integer(id);
}

// One message from the client.
static void handle(al_server *s, json_t *msg) {
  json_t *id = json_object_get(msg, "id");
  json_t *method = json_object_get(msg, "method");
  if (!json_is_object(msg) || (method && !json_is_string(method)) ||
      (id && !valid_id(id) && !json_is_null(id))) {
    respond_error(s, valid_id(id) ? id : NULL, AL_RPC_INVALID_REQUEST,
                  "not a JSON-RPC request or notification");
    return;
  }
  if (!method)
    return; // a response: the server sends no requests
  json_t *params = json_object_get(msg, "params");
  if (id && !json_is_null(id))
    request(s, id, json_string_value(method), params);
  else
    notify(s, json_string_value(method), params);
}

// --- the loop ----------------------------------------------------------------

typedef al_vec(json_t *) msg_queue;

// Read one message into q (blocking); false at the end of the stream.
static bool read_one(al_server *s, msg_queue *q) {
  char *body;
  size_t len;
  const char *problem = NULL;
  al_lsp_read_result r = al_lsp_read(&s->in, &body, &len, &problem);
  if (r == AL_LSP_END)
    return false;
  if (problem)
    al_server_log(s, AL_LOG_ERROR, "asynclint: bad message header: %s",
                  problem);
  if (r == AL_LSP_BAD)
    return true;
  json_error_t err;
  json_t *msg = json_loadb(body, len, JSON_ALLOW_NUL, &err);
  free(body);
  if (!msg) {
    char text[300];
    snprintf(text, sizeof text, "parse error at byte %d: %s", err.position,
             err.text);
    respond_error(s, NULL, AL_RPC_PARSE_ERROR, text);
    return true;
  }
  vec_push(q, msg);
  return true;
}

// Whether a $/cancelRequest in q[from..) names id.
static bool cancelled(const msg_queue *q, uint32_t from, const json_t *id) {
  for (uint32_t i = from; i < q->len; i++) {
    json_t *m = q->items[i];
    const char *method = json_string_value(json_object_get(m, "method"));
    if (method && strcmp(method, "$/cancelRequest") == 0 &&
        json_equal(json_object_get(json_object_get(m, "params"), "id"), id))
      return true;
  }
  return false;
}

static void loop(al_server *s) {
  msg_queue q = {0};
  while (!s->exit) {
    if (!read_one(s, &q))
      break;
    while (!s->exit && al_lsp_pending(&s->in))
      if (!read_one(s, &q)) {
        s->gone = true;
        break;
      }
    for (uint32_t i = 0; i < q.len; i++) {
      json_t *m = q.items[i];
      json_t *id = json_object_get(m, "id");
      if (!s->exit && json_is_object(m) && json_object_get(m, "method") &&
          valid_id(id) && s->initialized && cancelled(&q, i + 1, id))
        respond_error(s, id, AL_RPC_REQUEST_CANCELLED, "cancelled");
      else if (!s->exit)
        handle(s, m);
      json_decref(m);
    }
    q.len = 0;
    if (s->gone)
      break;
    if (s->dirty && !s->shutdown && !s->exit && !al_lsp_pending(&s->in))
      al_server_check(s);
  }
  vec_free(&q);
}

static void usage(FILE *out) {
  fprintf(out, "usage: asynclint server\n"
               "Speaks the Language Server Protocol on standard input and "
               "output;\nstarted by an editor (see README, \"Editor "
               "setup\").\n");
}

int al_server_main(int argc, char **argv) {
  if (argc > 1) {
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
      usage(stdout);
      return 0;
    }
    usage(stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN); // a client gone is a failed write
  al_server s = {.out_fd = STDOUT_FILENO, .enc = AL_ENC_UTF16};
  al_lsp_reader_init(&s.in, STDIN_FILENO);
  al_docs_init(&s.docs);
  s.published = json_object();
  s.versions = json_object();
  s.known = al_known_new();
  loop(&s);
  int code = s.shutdown ? 0 : 1;
  al_server_check_free(&s);
  al_docs_free(&s.docs);
  for (uint32_t i = 0; i < s.folders.len; i++)
    free(s.folders.items[i]);
  vec_free(&s.folders);
  al_lsp_reader_free(&s.in);
  return code;
}
