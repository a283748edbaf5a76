// SPDX-License-Identifier: MIT
/*
 * The facts of the files a check read from disk, kept for the next check
 * (al_run_opts.known): a file whose stat data have not changed since it
 * was read is not read, hashed and decoded from the cache again; its facts
 * move from the previous check's result to the new one. The stat is taken
 * before the file is read, so a change during the read shows next time;
 * and, as the saved state of cli/rerun.h, a file modified in or after the
 * second it was read in is read again (the racy case: a change in the
 * same second may leave the stat data as they were). Facts depend on a
 * file's bytes alone, so neither the config nor the open buffers change
 * them; the open buffers' facts come from the overlay and are not kept.
 */
#ifndef AL_SERVER_KNOWN_H
#define AL_SERVER_KNOWN_H

#include "cli/run.h"

typedef struct al_known al_known;

/** An empty table. Free with al_known_free. */
al_known *al_known_new(void);

/** Free the table (not the facts: those are the results'). NULL: no-op. */
void al_known_free(al_known *self);

/** Before a check's al_run: forget what the last one recorded. */
void al_known_begin(al_known *self);

/** The al_run_opts.known hook; data is the al_known. Thread-safe. */
al_facts *al_known_take(void *data, const al_project_file *pf);

/**
 * After al_run gave res (not a failed config: the hook is only called
 * once the config is read): the facts handed to res are taken out of prev,
 * the result the table was made from (NULL for the first), so that freeing
 * prev leaves them to res; then the table describes res's files read from
 * disk. res must stay alive until the next al_known_end or al_known_free.
 */
void al_known_end(al_known *self, al_run_result *prev,
                  const al_run_result *res);

/** Files whose facts the last check took from the table (for the log). */
uint32_t al_known_reused(const al_known *self);

#endif
