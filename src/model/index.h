// SPDX-License-Identifier: MIT
/*
 * The whole-tree index: built once from every file's facts, then read by
 * the rules (concurrently: al_index_build fills every memo the look-ups
 * read, and nothing is written afterwards). It owns the module table
 * (dotted module names from the package structure) and answers "what does
 * this reference resolve to": a function or class of the tree, a module, an
 * instance of a class, or a qualified name outside the tree that the
 * catalog may know. It follows imports across modules (relative ones,
 * re-exports through __init__.py, star imports), methods through self, cls,
 * super() and class bases, and simple local typing. Where a name has
 * conflicting definitions the answer is AL_TARGET_UNKNOWN, so rules stay
 * silent.
 */
#ifndef AL_MODEL_INDEX_H
#define AL_MODEL_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "facts/facts.h"
#include "model/catalog.h"
#include "model/project.h"

typedef enum {
  AL_TARGET_UNKNOWN,  // nothing known, or conflicting definitions
  AL_TARGET_FUNCTION, // a def / async def of the tree (file, scope)
  AL_TARGET_CLASS,    // a class of the tree (file, scope)
  AL_TARGET_MODULE,   // a module: of the tree (file, or AL_NONE for a
                      // namespace package) or not (file AL_NONE); qualname
  AL_TARGET_EXTERNAL, // a name outside the tree (qualname; entry if known)
  AL_TARGET_INSTANCE, // an instance: of a tree class (file, scope) or of a
                      // library class (file AL_NONE, qualname)
} al_target_kind;

#define AL_QUALNAME_MAX 160

typedef struct {
  al_target_kind kind;
  uint32_t file;                  // FUNCTION/CLASS/INSTANCE/MODULE of the tree
  uint32_t scope;                 // FUNCTION/CLASS/INSTANCE: scope index
  const al_catalog_entry *entry;  // EXTERNAL: catalog entry or NULL
  char qualname[AL_QUALNAME_MAX]; // MODULE/EXTERNAL/INSTANCE: NUL-terminated
                                  // (a longer name resolves to UNKNOWN);
                                  // FUNCTION/CLASS reached through a partial
                                  // object: AL_PARTIAL_QUALNAME, else ""
} al_target;

/** The qualname of a FUNCTION or CLASS target that is really a partial
 * object of it (`p = functools.partial(fetch, 1)`: p calls fetch; also
 * `m = functools.partialmethod(fetch, 1)` in a class body). */
#define AL_PARTIAL_QUALNAME "functools.partial"

/** How calling a target makes a coroutine (al_index_coroutine_kind). */
typedef enum {
  AL_CORO_NONE,    // not known to return a coroutine
  AL_CORO_ASYNC,   // an `async def` of the tree (not an async generator)
  AL_CORO_WRAPPER, // a plain def of the tree whose every return is a call
                   // of a coroutine function (a pass-through wrapper)
  AL_CORO_LIBRARY, // a library coroutine function (catalog)
} al_coro_kind;

/** What a decorator of the tree does to the async def it decorates. */
typedef enum {
  AL_DECO_OPAQUE,       // unknown: the decorated name is unknown too
  AL_DECO_TRANSPARENT,  // keeps the function as it is (registration,
                        // staticmethod, an async or pass-through wrapper)
  AL_DECO_SYNC_WRAPPER, // wraps it in a plain def that calls it and does
                        // more than return the call (AL111)
} al_deco_kind;

/** Events plain helpers can reach (al_index_reaches). */
typedef enum {
  AL_REACH_BLOCKING, // a blocking call that counts through helpers (catalog
                     // facet blocking, not direct-only)
  AL_REACH_LOOP_RUN, // a call that runs an event loop (asyncio.run, ...)
  AL_REACH_KINDS,
} al_reach_kind;

typedef struct al_index al_index;

/**
 * The part of the index that one file's facts alone determine (bindings
 * sorted and hashed by scope and name, returns and calls grouped by
 * scope). The extraction workers make it right after extracting a file,
 * in parallel and while the facts are fresh in the cache, so that
 * al_index_build, which runs alone, does not.
 */
typedef struct al_index_file al_index_file;

al_index_file *al_index_prepare_file(const al_facts *facts);

/**
 * Build the index over every file of project (whose facts must all be
 * extracted). Looks at the file system for __init__.py files to name
 * modules. The index keeps pointers into project: free the index first.
 * prepared: NULL, or one entry per file of project, each NULL or
 * al_index_prepare_file of that file's facts; the index takes every entry
 * over (and frees them), and prepares the files that have none itself.
 * threads: how many threads the build may use for the parts it can do in
 * parallel (0 or 1: this one only; at most AL_INDEX_MAX_THREADS); the
 * index is the same whatever their number.
 */
al_index *al_index_build(const al_project *project, const al_catalog *catalog,
                         al_index_file **prepared, uint32_t threads);

/** The most threads al_index_build uses. */
#define AL_INDEX_MAX_THREADS 256

/** Free the index. NULL is a no-op. */
void al_index_free(al_index *self);

/** Resolve a reference written in scope `scope` of file `file`. */
al_target al_index_resolve(const al_index *self, uint32_t file, uint32_t scope,
                           const al_ref *ref);

/** Resolve the callee of call `call` of file `file`. */
al_target al_index_resolve_callee(const al_index *self, uint32_t file,
                                  uint32_t call);

/** What the value of call `call` is, when known: an instance of a class
 * (tree or library), else UNKNOWN. */
al_target al_index_call_result(const al_index *self, uint32_t file,
                               uint32_t call);

/** The catalog the index was built with. */
const al_catalog *al_index_catalog(const al_index *self);

/** Whether calling t returns a coroutine, and why. */
al_coro_kind al_index_coroutine_kind(const al_index *self, al_target t);

/** Whether calling t returns a coroutine (any al_coro_kind but NONE). */
bool al_index_is_coroutine_function(const al_index *self, al_target t);

/**
 * The getter of the property that `dotted` ("name.attr", read in scope
 * `scope` of file) reads, when name is an instance of a tree class whose
 * attribute attr is a @property or @functools.cached_property: a FUNCTION
 * target; else UNKNOWN.
 */
al_target al_index_property_getter(const al_index *self, uint32_t file,
                                   uint32_t scope, al_str dotted);

/**
 * How reading a property whose getter is `getter` (al_index_property_getter)
 * makes a coroutine: AL_CORO_ASYNC for an async def getter (not a generator,
 * decorated only @property / @cached_property / @abstractmethod),
 * AL_CORO_WRAPPER for a plain getter that returns a coroutine; else
 * AL_CORO_NONE.
 */
al_coro_kind al_index_getter_kind(const al_index *self, al_target getter);

/**
 * Whether getter (al_index_property_getter) is a plain def annotated
 * `-> Awaitable[...]` (any spelling), decorated only @property /
 * @cached_property / @abstractmethod: reading the property gives an
 * awaitable (AL101 as a condition).
 */
bool al_index_getter_awaitable(const al_index *self, al_target getter);

/**
 * Whether t is a plain def of the tree annotated `-> Awaitable[...]` (any
 * spelling): its call gives an awaitable that may be a future already
 * scheduled, so dropping it is harmless, but it is no boolean and no
 * container (AL101, AL102; never AL100).
 */
bool al_index_returns_awaitable(const al_index *self, al_target t);

/**
 * Whether t is a plain def of the tree that provably returns something that
 * cannot be awaited: not a generator, not decorated, and every return gives
 * a literal or nothing.
 */
bool al_index_returns_non_awaitable(const al_index *self, al_target t);

/**
 * What decorator `deco` (0-based, in source order) of the async def at
 * (file, scope) does to it. For AL_DECO_SYNC_WRAPPER, *decorator and
 * *wrapper (may be NULL) get the decorator function and its plain wrapper.
 */
al_deco_kind al_index_decorator_kind(const al_index *self, uint32_t file,
                                     uint32_t scope, uint32_t deco,
                                     al_target *decorator, al_target *wrapper);

/** What a `with` item or `for` iterable supports (al_index_block_protocol). */
typedef enum {
  AL_PROTO_UNKNOWN,
  AL_PROTO_ASYNC_ONLY, // async with / async for only
  AL_PROTO_SYNC_ONLY,  // with / for only
  AL_PROTO_BOTH,
} al_proto;

/**
 * Which protocol the object of block site `block` (facts->blocks) supports:
 * the context-manager protocol for a with item, iteration for a for loop.
 * why (may be NULL) gets a short reason for messages, e.g. "'Pool'
 * (app/db.py:12) defines __aenter__ but not __enter__".
 */
al_proto al_index_block_protocol(const al_index *self, uint32_t file,
                                 uint32_t block, char *why, size_t cap);

/** Whether call `call` of file runs t's body where it is made: t a plain
 * function of the tree, or a generator function iterated at once (`for x
 * in gen()`, a comprehension over it). */
bool al_index_call_runs_body(const al_index *self, uint32_t file, uint32_t call,
                             al_target t);

/**
 * Whether calling t (a plain, non-generator def of the tree) reaches an
 * event of kind k through the calls its body makes, any number of plain
 * functions deep (computed once for the whole tree at build time, cycles
 * handled). chain (may be NULL) gets "load_user (app/users.py:8) -> fetch
 * (app/net.py:3) -> requests.get"; *event (may be NULL) the catalog entry
 * at the end.
 */
bool al_index_reaches(const al_index *self, al_target t, al_reach_kind k,
                      char *chain, size_t cap, const al_catalog_entry **event);

/**
 * Whether call `call`, whose callee is the blocking catalog entry e, really
 * blocks: not when an argument of e's `blocking-unless` spec is given, nor
 * when its receiver was switched to non-blocking mode in the same function
 * (a `makes-nonblocking` method such as socket.setblocking), nor when every
 * call that made the receiver had e's `unless-made-with` arguments (a
 * datagram socket's connect).
 */
bool al_index_call_blocks(const al_index *self, uint32_t file, uint32_t call,
                          const al_catalog_entry *e);

/**
 * Whether call `call` of file, of helper t (a method of the same class as
 * the calling method), does not block although t reaches a blocking call:
 * t's only blocking call is a `ready-when` method of one `self.X` that the
 * caller polled until ready before the call (`while self.queue.empty():
 * await ...` then `self._get()`, whose body does `self.queue.get()`).
 */
bool al_index_ready_at(const al_index *self, uint32_t file, uint32_t call,
                       al_target t);

/**
 * Whether call `call` of file, of plain function t, cannot reach t's
 * blocking call: t reaches one only when a parameter is truthy (or falsy),
 * and this call passes a constant (or leaves out an argument whose default
 * is one) that makes it falsy (or truthy): `get_node(node_name=n)` of
 * `def get_node(self, host=None, ...)` whose `if host and port:` blocks.
 */
bool al_index_reach_dead_at(const al_index *self, uint32_t file, uint32_t call,
                            al_target t);

/**
 * The calls that made the receiver of method call `call` (`f` of
 * `f.write(...)`), when every binding that can give it is `NAME = maker(...)`
 * or `with maker(...) as NAME` in the calling function (bindings before the
 * call), or, with attrs, `self.NAME = maker(...)` in the methods of the
 * calling method's class in this file. Returns how many (at most cap, in
 * makers); 0 when the receiver is anything else or a binding is not a call.
 */
uint32_t al_index_receiver_makers(const al_index *self, uint32_t file,
                                  uint32_t call, bool attrs, uint32_t *makers,
                                  uint32_t cap);

/**
 * For a def or class of a library module of the environment: its
 * qualified name ("aiosmtplib.smtp.SMTP.send_message") in buf, for
 * messages, which never name a path in site-packages. NULL for the tree's.
 */
const char *al_index_library_qualname(const al_index *self, uint32_t file,
                                      uint32_t scope, char *buf, size_t cap);

/** A name the module table was given for a file (al_index_names). */
typedef struct {
  uint32_t file;
  const char *name;
} al_index_name;

/**
 * Every name the module table was given, in the order given: each file's
 * module name and its aliases (names counted from the command-line roots,
 * dotted suffixes for namespace packages), those two files claimed
 * (ambiguous: they resolve to nothing) included. *n gets the count; owned
 * by the index. Re-runs (cli/rerun.c) tell by them which files an import
 * may resolve to.
 */
const al_index_name *al_index_names(const al_index *self, uint32_t *n);

/** Make sure file's facts are read (al_project_file.lazy): a project
 * file's facts are then valid to read directly. */
void al_index_need_file(const al_index *self, uint32_t file);

/** The dotted module name of a file ("" when it has none). */
const char *al_index_module_name(const al_index *self, uint32_t file);

/** The innermost function scope enclosing `scope` (itself if it is one),
 * skipping nothing; AL_NONE at module level. Class bodies count as their
 * own scope (returned as is). */
uint32_t al_index_enclosing_function(const al_facts *facts, uint32_t scope);

#endif
