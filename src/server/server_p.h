// SPDX-License-Identifier: MIT
/*
 * Private to server/: the server's state and the helpers its files share
 * (sending messages, logging to the client, the check, code actions).
 */
#ifndef AL_SERVER_SERVER_P_H
#define AL_SERVER_SERVER_P_H

#include <jansson.h>
#include <stdbool.h>

#include "base/vec.h"
#include "cli/run.h"
#include "server/documents.h"
#include "server/known.h"
#include "server/text.h"
#include "server/transport.h"

/** JSON-RPC and LSP error codes. */
enum {
  AL_RPC_PARSE_ERROR = -32700,
  AL_RPC_INVALID_REQUEST = -32600,
  AL_RPC_METHOD_NOT_FOUND = -32601,
  AL_RPC_INVALID_PARAMS = -32602,
  AL_RPC_INTERNAL_ERROR = -32603,
  AL_RPC_SERVER_NOT_INITIALIZED = -32002,
  AL_RPC_REQUEST_CANCELLED = -32800,
};

/** window/logMessage types. */
enum { AL_LOG_ERROR = 1, AL_LOG_WARNING, AL_LOG_INFO, AL_LOG_LOG };

typedef struct {
  al_lsp_reader in;
  int out_fd;
  bool initialized; // initialize answered
  bool shutdown;    // shutdown received: only exit is welcome now
  bool exit;        // exit received, or the client is gone
  bool gone;        // the client's stream ended or stopped taking writes
  al_lsp_encoding enc;
  al_vec(char *) folders; // workspace folders: absolute, resolved paths
  al_docs docs;
  bool dirty;        // something changed since the last check
  json_t *published; // uri -> the diagnostics last published (dumped)
  json_t *versions;  // uri -> the version they were published for
  // Facts, index and diagnostics of the latest check (NULL before the
  // first). On the heap: the index points into the result's project.
  al_run_result *last;
  al_known *known;    // the facts of last's files read from disk (known.h)
  char *problems;     // the path problems last logged (logged on change)
  uint32_t checks;    // checks run (for the log)
  bool show_document; // the client handles window/showDocument
  json_int_t next_id; // of the server's own requests to the client
} al_server;

/** Send msg (a JSON-RPC object; the reference is stolen). */
void al_server_send(al_server *s, json_t *msg);

/** window/logMessage of a printf-formatted message. */
void al_server_log(al_server *s, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Run the whole-tree check now and publish what changed (check.c). */
void al_server_check(al_server *s);

/** Free the latest check's results and what was published (check.c). */
void al_server_check_free(al_server *s);

/** The file URI of an absolute path (malloc'd). */
char *al_uri_from_path(const char *path);

/**
 * The absolute path of a file URI (malloc'd), symlinks resolved when the
 * file or its directory exists; NULL for another scheme or a bad URI.
 */
char *al_uri_to_path(const char *uri);

/**
 * The absolute path of a path of the latest check (relative ones are
 * relative to the first folder, where the check runs): path itself, or
 * one written into buf.
 */
const char *al_server_abs_path(const al_server *s, const char *path, char *buf,
                               size_t cap);

/** An LSP Range of r, a range of a file whose facts are f. */
json_t *al_server_range_json(const al_server *s, const al_facts *f, al_range r);

/**
 * The LSP Diagnostic of d, a diagnostic of res. uris: the URI of each of
 * res's files, for relatedInformation (NULL: none).
 */
json_t *al_server_diag_json(const al_server *s, const al_run_result *res,
                            const al_diag *d, char **uris);

/**
 * relatedInformation of d (related.c): each step of an AL209 / AL400
 * chain through the tree's functions, else the definition of the function
 * d's call calls, when it is the tree's; NULL when there is none.
 */
json_t *al_server_related(const al_server *s, const al_run_result *res,
                          const al_diag *d, char **uris);

/** workspace/executeCommand (actions.c); NULL for an unknown command. */
json_t *al_server_execute(al_server *s, const json_t *params);

/** The command of the "show the rule's explanation" code action. */
#define AL_SERVER_EXPLAIN "asynclint.explain"

/** The help URI of a rule, into buf. */
void al_server_rule_uri(const char *code, char *buf, size_t cap);

/**
 * textDocument/codeAction: the actions for params (actions.c); NULL when
 * params are invalid.
 */
json_t *al_server_code_actions(al_server *s, const json_t *params);

#endif
