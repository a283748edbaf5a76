// SPDX-License-Identifier: MIT
/*
 * `asynclint server`: a Language Server Protocol 3.17 server over standard
 * input and output (JSON-RPC, Content-Length framing). It indexes the
 * workspace folders with the whole-tree pipeline, keeps the open documents
 * and their trees, re-checks after each batch of edits with the open
 * buffers winning over the disk, and publishes the diagnostics of every
 * file whose diagnostics changed. This module and cli/ are the only ones
 * that write to standard output; the server writes nothing else there.
 */
#ifndef AL_SERVER_SERVER_H
#define AL_SERVER_SERVER_H

/**
 * Run the server on fds 0 and 1 until the client's `exit` (or the end of
 * its stream). argv[0] is "server". Returns the process exit code: 0 after
 * shutdown then exit, 1 when the client left without shutdown, 2 for a
 * usage error.
 */
int al_server_main(int argc, char **argv);

#endif
