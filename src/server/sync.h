// SPDX-License-Identifier: MIT
/*
 * Private to server/: the notifications that change what the server
 * checks: textDocument/didOpen, didChange, didSave, didClose, and
 * workspace/didChangeWatchedFiles, didChangeConfiguration,
 * didChangeWorkspaceFolders. Each marks the server dirty; the loop checks
 * once the input is drained.
 */
#ifndef AL_SERVER_SYNC_H
#define AL_SERVER_SYNC_H

#include <jansson.h>
#include <stdbool.h>

#include "server/server_p.h"

/** Handle notification method; false when it is none of the above. */
bool al_server_sync(al_server *s, const char *method, const json_t *params);

#endif
