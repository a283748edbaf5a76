// SPDX-License-Identifier: MIT
/*
 * The library catalog: what asynclint knows about libraries by fully
 * qualified name (asyncio.sleep is a coroutine function, time.sleep blocks
 * with AL200, ...). The data lives in catalog/ (TSV files), embedded at
 * build time; its format is documented in catalog/README.md. This
 * module parses it once at start-up and answers look-ups; it knows nothing
 * about the tree being linted.
 */
#ifndef AL_MODEL_CATALOG_H
#define AL_MODEL_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/str.h"
#include "facts/facts.h"

/** al_catalog_entry.facets */
enum {
  AL_CAT_COROUTINE = 1 << 0, // calling it returns a coroutine
  AL_CAT_AWAITABLE = 1 << 1, // calling it returns a future/awaitable
  AL_CAT_TASK = 1 << 2,      // calling it schedules a task and returns it
  AL_CAT_EXPECTS_AWAITABLE = 1 << 3, // some arguments must be awaitables
  AL_CAT_BLOCKING = 1 << 4,          // blocks the calling thread
  AL_CAT_RETURNS = 1 << 5, // calling it returns an instance of `returns`
  AL_CAT_ASYNC_CONTEXT_MANAGER = 1 << 6, // calling it returns an async
                                         // context manager (async with)
  AL_CAT_TRANSPARENT_DECORATOR = 1 << 7, // as a decorator, keeps the
                                         // function as it is
  AL_CAT_EXPECTS_CALLABLE = 1 << 8,      // some arguments must be callables (a
                                         // coroutine object there is AL108)
  AL_CAT_CALLS_SYNC = 1 << 9,         // calls some arguments synchronously and
                                      // drops the result (AL106)
  AL_CAT_ASYNC_ITERABLE = 1 << 10,    // its value: iterate with `async for`
  AL_CAT_CONTEXT_MANAGER = 1 << 11,   // its value: a sync-only context manager
  AL_CAT_ITERABLE = 1 << 12,          // its value: a sync-only iterable
  AL_CAT_ATTRIBUTE = 1 << 13,         // an attribute whose value is an
                                      // instance of `returns`
  AL_CAT_RUNS_EVENT_LOOP = 1 << 14,   // starts and runs an event loop until
                                      // done (asyncio.run, run_until_complete)
  AL_CAT_NEW_EVENT_LOOP = 1 << 15,    // builds a new event loop for this one
                                      // call and closes it (asyncio.run)
  AL_CAT_BLOCKING_UNLESS = 1 << 16,   // does not block when an argument of
                                      // `unless_args` is given
  AL_CAT_MAKES_NONBLOCKING = 1 << 17, // switches its receiver to
                                      // non-blocking mode (setblocking)
  AL_CAT_BLOCKING_IF = 1 << 18,       // blocks only when an argument of
                                      // `if_args` is given (smtplib.SMTP(host))
  AL_CAT_READY_WHEN = 1 << 19,  // does not block once `ready_pred()` of the
                                // same receiver gave `ready_value`
  AL_CAT_DIRECT_ONLY = 1 << 20, // BLOCKING only where the call is written:
                                // a plain helper of the tree that makes it
                                // does not carry it to its async callers
                                // (al_index_reaches)
  AL_CAT_UNLESS_MADE_WITH = 1 << 21, // a method that does not block when
                                     // its receiver was made with arguments
                                     // of `made_args` (a datagram socket's
                                     // connect)
  AL_CAT_FILE_MODE = 1 << 22,        // opens a file: the io class of what it
                                     // returns follows the mode argument
                                     // `mode_args` ("rb": io.BufferedReader)
  AL_CAT_BLOCKING_IF_USED = 1 << 23, // BLOCKING only when the same function
                                     // calls a blocking method on what it
                                     // made (os.fdopen)
  AL_CAT_PASS_THROUGH_DECORATOR = 1 << 24, // as a decorator of a plain def,
                                           // calls it in the caller's
                                           // thread (functools.lru_cache)
  AL_CAT_RETURNS_ITEMS = 1 << 25, // its result (awaited, for a coroutine)
                                  // is a tuple of instances of `items`
  AL_CAT_CACHES_RESULT = 1 << 26, // as a decorator, keeps what the function
                                  // returned and returns it again: on an
                                  // async def, its coroutine object
};

/** al_catalog_entry.unless_cond */
enum {
  AL_UNLESS_PRESENT, // any value
  AL_UNLESS_FALSY,   // the literal False / 0 / None
  AL_UNLESS_NAMES,   // an expression whose text contains unless_names
};

/** Which arguments of a call a facet is about. */
typedef struct {
  uint32_t positions;  // bit i: positional argument i
  bool all_positional; // every positional argument
  bool elements;       // the elements of a list/set/tuple there
  al_str keyword;      // the keyword naming the argument, or ""
} al_argspec;

/** Whether argument a of a call is one spec names: its position or its
 * keyword (an element of a literal argument never is). */
bool al_argspec_has(const al_argspec *spec, const al_arg *a);

typedef struct {
  al_str name; // fully qualified: "asyncio.sleep"
  uint32_t facets;
  // EXPECTS_AWAITABLE: which arguments
  uint32_t awaitable_positions;  // bit i: positional argument i
  bool awaitable_all_positional; // every positional argument (gather)
  bool awaitable_elements;       // elements of a list/set/tuple argument
  al_str awaitable_keyword;      // keyword naming the argument, or ""
  al_argspec callable_args;      // EXPECTS_CALLABLE
  al_argspec sync_args;          // CALLS_SYNC
  al_argspec unless_args;        // BLOCKING_UNLESS
  uint8_t unless_cond;           // AL_UNLESS_*: what the argument must be
  al_str unless_names;           // AL_UNLESS_NAMES: a substring of it
  al_argspec if_args;            // BLOCKING_IF
  al_str ready_pred;             // READY_WHEN: the predicate method
  bool ready_value;              // READY_WHEN: its value when ready
  al_argspec made_args;          // UNLESS_MADE_WITH: the maker's arguments
  uint8_t made_cond;             // AL_UNLESS_*: what they must be
  al_str made_names;             // AL_UNLESS_NAMES: a substring of them
  al_argspec mode_args;          // FILE_MODE: the mode argument
  // BLOCKING
  const char *blocking_code; // "AL200"
  const char *replacement;   // "await asyncio.sleep(...)"
  // RETURNS
  al_str returns; // qualified class name of the result
  // RETURNS_ITEMS: the tuple's classes, comma-separated qualified names
  al_str items;
  uint32_t line; // line in its catalog file (for messages)
} al_catalog_entry;

typedef struct al_catalog al_catalog;

/**
 * Parse catalog text (the embedded files, or a test's) into a catalog.
 * Returns NULL and fills err (file, line, column, message) on a bad line.
 * Caller frees with al_catalog_free.
 */
al_catalog *al_catalog_parse(const char *const *names, const char *const *texts,
                             const uint32_t *lens, uint32_t n, al_error *err);

/**
 * A new catalog: every entry of base plus the lines of text (same format,
 * named `name` in messages), for instance those a config file adds. A line
 * for a name base already has adds its facet, except that a blocking line
 * does not change a name base already knows as blocking. Returns NULL and
 * fills err on a bad line. Caller frees with al_catalog_free; base is not
 * referenced afterwards.
 */
al_catalog *al_catalog_extend(const al_catalog *base, const char *name,
                              const char *text, uint32_t len, al_error *err);

/** The catalog built from the embedded files; parsed once, never freed. */
const al_catalog *al_catalog_builtin(void);

/** Free a parsed catalog. NULL is a no-op. */
void al_catalog_free(al_catalog *self);

/** The entry for a qualified name, or NULL. A method `CLASS.name` not
 * listed itself gets the entry `CLASS.*` when there is one: the methods of
 * classes that make them at run time (boto3's clients). */
const al_catalog_entry *al_catalog_get(const al_catalog *self, al_str name);

/** Number of entries (for tests). */
uint32_t al_catalog_size(const al_catalog *self);

/** Entry i (0 <= i < al_catalog_size), in the order first met. */
const al_catalog_entry *al_catalog_entry_at(const al_catalog *self, uint32_t i);

#endif
