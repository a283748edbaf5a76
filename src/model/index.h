// SPDX-License-Identifier: MIT
/*
 * The whole-tree index: built once from every file's facts, then read by
 * the rules (concurrently: it is immutable after al_index_build). It owns the
 * module table and answers "what does this reference resolve to": a function
 * or class of the tree, a module, or a qualified name outside the tree that
 * the catalog may know. Where a name has conflicting definitions the answer
 * is AL_TARGET_UNKNOWN, so rules stay silent.
 */
#ifndef AL_MODEL_INDEX_H
#define AL_MODEL_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "facts/facts.h"
#include "model/catalog.h"
#include "model/project.h"

typedef enum {
  AL_TARGET_UNKNOWN,  // nothing known, or conflicting definitions
  AL_TARGET_FUNCTION, // a def / async def of the tree (file, scope)
  AL_TARGET_CLASS,    // a class of the tree (file, scope)
  AL_TARGET_MODULE,   // a module (qualname)
  AL_TARGET_EXTERNAL, // a name outside the tree (qualname; entry if known)
  AL_TARGET_INSTANCE, // an instance of a catalog class (qualname = class)
} al_target_kind;

#define AL_QUALNAME_MAX 160

typedef struct {
  al_target_kind kind;
  uint32_t file;                  // FUNCTION/CLASS
  uint32_t scope;                 // FUNCTION/CLASS: scope index in that file
  const al_catalog_entry *entry;  // EXTERNAL: catalog entry or NULL
  char qualname[AL_QUALNAME_MAX]; // MODULE/EXTERNAL/INSTANCE: NUL-terminated
                                  // (a longer name resolves to UNKNOWN)
} al_target;

typedef struct al_index al_index;

/**
 * Build the index over every file of project (whose facts must all be
 * extracted). The index keeps pointers into project: free the index first.
 */
al_index *al_index_build(const al_project *project, const al_catalog *catalog);

/** Free the index. NULL is a no-op. */
void al_index_free(al_index *self);

/** Resolve a reference written in scope `scope` of file `file`. */
al_target al_index_resolve(const al_index *self, uint32_t file, uint32_t scope,
                           const al_ref *ref);

/** Resolve the callee of call `call` of file `file`. */
al_target al_index_resolve_callee(const al_index *self, uint32_t file,
                                  uint32_t call);

/** The catalog the index was built with. */
const al_catalog *al_index_catalog(const al_index *self);

/** Whether a target is a function of the tree declared `async def` (and not
 * an async generator): calling it returns a coroutine. */
bool al_index_is_coroutine_function(const al_index *self, al_target t);

/** The innermost function scope enclosing `scope` (itself if it is one),
 * skipping nothing; AL_NONE at module level. Class bodies count as their
 * own scope (returned as is). */
uint32_t al_index_enclosing_function(const al_facts *facts, uint32_t scope);

#endif
