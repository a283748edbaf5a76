// SPDX-License-Identifier: MIT
/*
 * Extraction: one parse and one walk per file, producing al_facts.
 * An extractor holds a worker's parser and walkers and is reused for every
 * file that worker handles; it is not shared between threads. The tree is
 * deleted before al_extract returns. It does not resolve names across
 * files (the index does).
 */
#ifndef AL_FACTS_EXTRACT_H
#define AL_FACTS_EXTRACT_H

#include <tree_sitter/api.h>

#include "facts/facts.h"
#include "source/file.h"

typedef struct al_extractor al_extractor;

/** A new extractor (one per worker). Free with al_extractor_free. */
al_extractor *al_extractor_new(void);

/** Free the extractor. NULL is a no-op. */
void al_extractor_free(al_extractor *self);

/**
 * The facts of one source: for an unreadable source (src->ok false) just
 * the AL002 problem; otherwise everything the walk finds, plus the first
 * syntax error if any. Never NULL; caller frees with al_facts_free.
 */
al_facts *al_extract(al_extractor *self, const al_source *src);

/**
 * al_extract over a tree the caller already has for src->text (the
 * server's open documents keep theirs for incremental reparsing): the tree
 * is read, not parsed again, and left to the caller.
 */
al_facts *al_extract_tree(al_extractor *self, const al_source *src,
                          const TSTree *tree);

#endif
