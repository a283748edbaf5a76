// SPDX-License-Identifier: MIT
/*
 * The index's internals, shared by the files that make it up: index.c
 * (build, free, the plain accessors), file_index.c (the per-file tables the
 * extraction workers prepare), modules.c (module names), resolve.c (name
 * resolution), wrappers.c (coroutine wrappers and decorator kinds),
 * protocols.c (with/for protocols) and reach.c (what plain helpers reach).
 * Nothing outside src/model/ includes it; rules see index.h only.
 *
 * Ownership of the memo tables: every memo (file_memo) is filled by
 * al_index_build and only read afterwards, when the rules look things up
 * from several threads. Writes go through rctx.build, the index being
 * built, which only al_index_build's steps set; a look-up made through the
 * public API has build == NULL and never writes (al_assert flags a memo
 * that the build left unset).
 *
 * Library files (al_project_file.library) are never walked by the build's
 * steps: their memos hold only what resolving the tree's files wrote, and
 * a look-up computes the rest without keeping it. So a library file is
 * needed only when a resolution reaches it, and one whose facts are not
 * read yet (al_project_file.lazy) is read then: facts_of and fi_at load
 * it (al_index__load), from whichever thread asks first.
 */
#ifndef AL_MODEL_INDEX_P_H
#define AL_MODEL_INDEX_P_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/map.h"
#include "base/vec.h"
#include "model/deps.h"
#include "model/index.h"

// Recursion budget of one resolution (imports, aliases, bases, wrappers).
#define MAX_DEPTH 32

// Groups of at least this many bindings of one name in one scope (a module
// that redefines a name again and again) have their resolution memoised at
// build time, so that resolving the name costs O(1), not O(group).
#define BIG_GROUP 4

// Module table values besides a file index.
#define MOD_NAMESPACE (UINT32_MAX - 1) // a package directory without a file
#define MOD_AMBIGUOUS (UINT32_MAX - 2) // two files claim the name

// The catalog's names for a value annotated as a callable giving an
// awaitable (types.c; catalog/typing.tsv).
#define AL_CALLABLE_AWAITABLE "typing.Callable.returns_awaitable"
#define AL_CALLABLE_COROUTINE "typing.Callable.returns_coroutine"

// Memo states.
enum { MEMO_UNSET = 0, MEMO_BUSY, MEMO_NO, MEMO_YES };

// file_memo.callee_kind of a call whose callee is not kept.
#define CALLEE_UNSET 0xFF

// A group of bindings of one name in one scope: a run of `order` (or of
// `attrs`). Slots of the open-addressing group tables; n == 0: empty. The
// slot keeps the group's hash and its first binding, so that a probe
// touches the binding (and its name) only when the hashes match: most
// look-ups miss (a name is tried in each enclosing scope in turn).
typedef struct {
  uint32_t first, n;
  uint32_t hash; // group_hash of (scope, name)
  uint32_t bind; // order[first]: the first binding's index
} group_ref;

// Sites of one kind (returns, calls) grouped by the scope they are in,
// source order inside a scope.
typedef struct {
  uint32_t *first; // by scope: where its run starts in order
  uint32_t *n;     // by scope: the length of its run
  uint32_t *order; // site indices, grouped by scope
} scope_runs;

// What al_index_build memoises for one file (see the header paragraph:
// written during the build only).
typedef struct {
  uint8_t *wrapper;     // by scope: MEMO_* for "returns a coroutine"
  uint8_t *group_state; // by order position of a group's first binding:
                        // MEMO_* of its memoised resolution (big groups)
  uint32_t *group_slot; // index into group_val
  al_vec(al_target) group_val;
  al_vec(uint8_t) group_global;
  uint8_t *reach[AL_REACH_KINDS];      // by scope: MEMO_* per reach kind
  uint32_t *reach_hop[AL_REACH_KINDS]; // by scope: the call that leads there
  // By scope, 4 each: when it reaches a blocking call only if some of its
  // parameters are truthy or falsy, those bindings << 1 | falsy, the rest
  // AL_NONE (reach.c)
  uint32_t *reach_cond;
  // By call: its callee as the reach step resolved it, kept when the
  // target is a tree definition or unknown (kind, file, scope say it
  // all) so that al_index_resolve_callee does not resolve it again;
  // CALLEE_UNSET otherwise. NULL when the file has no such calls.
  uint8_t *callee_kind;
  uint32_t (*callee_at)[2]; // file, scope
} file_memo;

// One file's part of the index (al_index_file in index.h).
typedef struct al_index_file {
  uint32_t *order; // binding indices sorted by (scope, name)
  uint32_t n;
  uint32_t *attrs; // AL_BIND_ATTR indices sorted by (class scope, name)
  uint32_t n_attrs;
  group_ref *groups; // (scope, name) -> its run of order; groups_mask + 1
  uint32_t groups_mask;
  group_ref *attr_groups; // (class scope, name) -> its run of attrs
  uint32_t attr_groups_mask;
  scope_runs rets;        // returns by scope
  scope_runs calls;       // calls made directly in each scope
  scope_runs comp_blocks; // block sites by scope (comp_targets only)
  bool star_import;       // `from x import *` at module level
  bool comp_targets;      // a comprehension clause binds a plain name
  bool awaitable_alias;   // imports Awaitable or Coroutine under another name
  const char *module;     // dotted name ("" if none)
  const char *package;    // package for relative imports ("" if none)
  uint32_t *bind_annot;   // by binding: its annotation's root (annots), or
                          // AL_NONE; NULL when the file has no annotations
  uint32_t *ret_annot;    // by scope: its return annotation's root, the same
  uint32_t *nb_calls;     // calls that may switch a receiver to non-blocking
  uint32_t n_nb_calls;
  file_memo memo;
} file_index;

struct al_index {
  const al_project *project;
  const al_catalog *catalog;
  file_index *files;
  al_map modules;              // dotted name -> file index or MOD_*
  al_vec(al_index_name) names; // every name given to modules, in order
  al_arena *arena;
  // The environment's libraries (project files marked library): their
  // top-level package names, and every name the catalog knows under them
  // with each of its prefixes ("aiohttp.ClientSession.get" puts
  // "aiohttp.ClientSession" too): what the catalog knows wins over what
  // the library's code says (resolve.c, module_attr).
  al_map library_tops;
  al_map catalog_names;
  // By file, when some file is lazy: 1 while its facts are not read
  // (facts_of loads them); NULL when none is.
  _Atomic uint8_t *pending;
  pthread_mutex_t load_lock; // held while a lazy file is read
};

// A resolution in progress: the index, the index being built (NULL after
// the build: then nothing is written) and the depth spent so far.
typedef struct {
  const al_index *ix;
  al_index *build;
  int depth;
  // The use being resolved, for the first look-up of its root name in its
  // own scope (resolve.c, nearest_loop_binding): 1 + its byte offset (0:
  // none), its file and scope. Consumed by that look-up.
  uint32_t at, at_file, at_scope;
} rctx;

// --- small helpers shared by the files (hot: inline) -------------------------

// Another file's facts or index part: read through these two, so that the
// read is a dependency of the file whose results are being computed
// (deps.h).
// Read a lazy library file's facts and prepare its index part (index.c).
void al_index__load(const al_index *self, uint32_t file);

static inline void ensure_loaded(const al_index *self, uint32_t file) {
  if (self->pending &&
      atomic_load_explicit(&self->pending[file], memory_order_acquire))
    al_index__load(self, file);
}

static inline const al_facts *facts_of(const al_index *self, uint32_t file) {
  al_deps_touch(file);
  ensure_loaded(self, file);
  return self->project->files.items[file].facts;
}

static inline file_index *fi_at(const al_index *self, uint32_t file) {
  al_deps_touch(file);
  ensure_loaded(self, file);
  return &self->files[file];
}

// Whether file is a library file (never walked by the build's steps).
static inline bool is_library(const al_index *self, uint32_t file) {
  return self->project->files.items[file].library;
}

static inline const al_scope *scope_of(const al_index *self, uint32_t file,
                                       uint32_t scope) {
  return &facts_of(self, file)->scopes.items[scope];
}

static inline al_target unknown(void) {
  al_target t;
  t.kind = AL_TARGET_UNKNOWN;
  t.file = t.scope = AL_NONE;
  t.entry = NULL;
  t.qualname[0] = 0;
  return t;
}

static inline al_target tree_target(al_target_kind kind, uint32_t file,
                                    uint32_t scope) {
  al_target t = unknown();
  t.kind = kind;
  t.file = file;
  t.scope = scope;
  return t;
}

// Site i (0-based, source order) of scope's run.
static inline uint32_t run_at(const scope_runs *runs, uint32_t scope,
                              uint32_t i) {
  return runs->order[runs->first[scope] + i];
}

// Return i of scope.
static inline const al_return *
return_at(const al_facts *f, const file_index *fi, uint32_t scope, uint32_t i) {
  return &f->returns.items[run_at(&fi->rets, scope, i)];
}

// The scope a binding is grouped under: its own, or (instance attributes,
// bound in a method) the method's class.
static inline uint32_t group_scope(const al_facts *f, const al_binding *b,
                                   bool by_class) {
  return by_class ? f->scopes.items[b->scope].parent : b->scope;
}

static inline uint32_t group_hash(uint32_t scope, al_str name) {
  uint64_t h = al_str_hash(name) ^ (scope * 0x9E3779B97F4A7C15ull);
  h ^= h >> 29;
  return (uint32_t)h;
}

// The run of bindings of name in scope (by_class: instance attributes of
// class scope): its length, 0 if none; *first: where it starts in the
// sorted array the table was built from.
static inline uint32_t find_group(const al_facts *f, const group_ref *tab,
                                  uint32_t mask, bool by_class, uint32_t scope,
                                  al_str name, uint32_t *first) {
  *first = 0;
  if (!tab)
    return 0;
  uint32_t hash = group_hash(scope, name);
  for (uint32_t h = hash & mask; tab[h].n; h = (h + 1) & mask) {
    if (tab[h].hash != hash)
      continue;
    const al_binding *b = &f->binds.items[tab[h].bind];
    if (group_scope(f, b, by_class) == scope && al_str_eq(b->name, name)) {
      *first = tab[h].first;
      return tab[h].n;
    }
  }
  return 0;
}

// --- file_index.c ------------------------------------------------------------

// Fill fi with what f alone determines.
void al_index__prepare(file_index *fi, const al_facts *f);

// Free what fi owns (not fi itself).
void al_index__free_file(file_index *fi);

// --- modules.c ---------------------------------------------------------------

// Name the module of every readable file of the project and fill the
// module table (looks at the file system for __init__.py files).
void al_index__name_modules(al_index *self);

/** Whether a dotted name lies in a library module of the environment. */
bool al_index__is_library_name(const al_index *self, al_str name);

/** Whether the catalog knows name, or a name under it (name.x...). */
bool al_index__catalog_claims(const al_index *self, al_str name);

// --- resolve.c ---------------------------------------------------------------

al_target al_index__resolve_ref(rctx *r, uint32_t file, uint32_t scope,
                                const al_ref *ref);
al_target al_index__resolve_callee(rctx *r, uint32_t file, uint32_t call);
// What a call gives back, when it is an instance of something known.
al_target al_index__call_value(rctx *r, uint32_t file, uint32_t call);
// An attribute of a tree class (instance: through an instance), looked up
// in the class body, its instance attributes, then its bases in order.
al_target al_index__class_attr(rctx *r, uint32_t file, uint32_t cls,
                               al_str name, bool instance, bool *found);
// Whether the def at (file, scope) has a decorator resolving to qualname.
bool al_index__has_decorator(rctx *r, uint32_t file, uint32_t scope,
                             const char *qualname);
// Resolve every big group once (BIG_GROUP); a build step.
void al_index__memoise_big_groups(al_index *self);

// Whether two targets are the same thing for every rule.
bool al_index__same_target(const al_target *a, const al_target *b);

// --- types.c -----------------------------------------------------------------

// What an annotation says beyond its type: a plain def annotated
// `-> Awaitable[T]` / `-> Coroutine[..., T]` returns an awaitable (T being
// what awaiting it gives).
typedef enum {
  ANNOT_PLAIN,
  ANNOT_AWAITABLE,
  ANNOT_COROUTINE,
} annot_wrap;

// The annotation of binding `bind` of file (its root in annots), or AL_NONE.
static inline uint32_t bind_annot(const al_index *ix, uint32_t file,
                                  uint32_t bind) {
  const file_index *fi = &ix->files[file];
  return fi->bind_annot ? fi->bind_annot[bind] : AL_NONE;
}

// The return annotation of function scope `scope` of file, or AL_NONE.
static inline uint32_t return_annot(const al_index *ix, uint32_t file,
                                    uint32_t scope) {
  const file_index *fi = &ix->files[file];
  return fi->ret_annot ? fi->ret_annot[scope] : AL_NONE;
}

// What a value annotated by annots[a] of file is, the annotation's names
// read in `scope`: an INSTANCE of a tree or library class, or UNKNOWN
// (Optional/Union/`|` members that disagree, Any, unresolvable names).
// wrap: NULL where an awaitable annotation is not expected (then it is
// UNKNOWN); else it tells whether the annotation is Awaitable/Coroutine,
// the target being what awaiting gives.
al_target al_index__annot_type(rctx *r, uint32_t file, uint32_t scope,
                               uint32_t a, annot_wrap *wrap);
// A module-level alias (`DB = Annotated[Pool, ...]`, `C = X | None`) as a
// name of the type it stands for: a CLASS of the tree or an EXTERNAL
// library class; UNKNOWN when the value does not read as a type.
al_target al_index__alias_type(rctx *r, uint32_t file, uint32_t scope,
                               uint32_t a);
// What a standard library base (abc.ABC, typing.Generic, the
// collections.abc and typing ABCs) is known to say of a protocol method
// (one a `with`, `for` or `await` looks for): defines it, lacks it (the
// lookup goes on past it), or unknown (another base or method).
typedef enum { AL_BASE_UNKNOWN, AL_BASE_LACKS, AL_BASE_HAS } al_base_method;
al_base_method al_index__known_base(const char *base, al_str name);
// Whether every decorator of function (file, scope) keeps what calling it
// returns (staticmethod, classmethod, abstractmethod, override, caches).
bool al_index__decorators_keep_type(rctx *r, uint32_t file, uint32_t scope);
// The same for a property's getter: property and cached_property too.
bool al_index__getter_keeps_type(rctx *r, uint32_t file, uint32_t scope,
                                 bool getter);
// What `await CALL` gives: an async def's return annotation, a plain def's
// `-> Awaitable[T]`, a catalog coroutine's or awaitable's `returns`.
al_target al_index__awaited_value(rctx *r, uint32_t file, uint32_t call);

// The pos-th name of `a, b = CALL` (awaited: `a, b = await CALL`): the
// catalog's returns-items, or a tree def annotated `-> tuple[A, B]`.
al_target al_index__unpacked_value(rctx *r, uint32_t file, uint32_t call,
                                   uint32_t pos, bool awaited);
// What `with f() as v` binds for def (file, scope) annotated
// `-> AsyncIterator[X]` / `Iterator[X]` / `(Async)Generator[X, ...]` (a
// @contextmanager) or `-> (Async)ContextManager[X]`: X (maybe UNKNOWN);
// *annotated: the def is annotated so.
al_target al_index__entered_type(rctx *r, uint32_t file, uint32_t scope,
                                 bool *annotated);
// What the target of loop `block` takes: the element type of a plain
// name's annotation (`items: list[Client]`) or of a tree def's return
// annotation (`-> AsyncIterator[Message]`); UNKNOWN otherwise.
al_target al_index__loop_element(rctx *r, uint32_t file, uint32_t block);
// What a typed container's get/pop methods give (types.c).
al_target al_index__container_item(rctx *r, uint32_t file, uint32_t call,
                                   bool awaited);
// Item pos of the element of a `for a, b, ... in X` loop (types.c).
al_target al_index__loop_item(rctx *r, uint32_t file, uint32_t block,
                              uint32_t pos);
// Name read at byte `at` of scope, when a comprehension there binds it
// (its clause's target, the innermost such comprehension around `at`,
// outside the clause's own iterable): what the target takes, *found set;
// else UNKNOWN with *found false (the enclosing scopes decide).
al_target al_index__comp_target(rctx *r, uint32_t file, uint32_t scope,
                                uint32_t at, al_str name, bool *found);
// Whether plain def (file, scope) is annotated `-> Coroutine[...]` (any
// spelling): calling it creates a coroutine.
bool al_index__annotated_coroutine(rctx *r, uint32_t file, uint32_t scope);
// Both say what a value is: the one that is known, the common one when
// both are, UNKNOWN when they disagree.
al_target al_index__agree(al_target a, al_target b);

// What `next(iter(X))` / `next(it)` (call) gives: an element of X.
al_target al_index__next_value(rctx *r, uint32_t file, uint32_t call);

// The item `X[k]` gives, X a name or `OBJ.attr` (prefix) annotated as a
// mapping (its values) or a sequence (its elements); UNKNOWN otherwise.
al_target al_index__subscript_item(rctx *r, uint32_t file, uint32_t scope,
                                   al_str prefix);

// --- wrappers.c --------------------------------------------------------------

al_coro_kind al_index__coro_kind(rctx *r, al_target t);
// Whether every return of `scope` returns name `param` (its own parameter:
// a registration decorator, an __enter__ that returns self).
bool al_index__returns_param(const al_index *ix, uint32_t file, uint32_t scope,
                             al_str param);
// Fill the "returns a coroutine" memo of every plain function; a build step.
void al_index__compute_wrappers(al_index *self);
// The function a call of functools.partial, or of functools.partialmethod
// in a class body (callee: the call's resolved callee) wraps, nested
// partials included: a FUNCTION or CLASS of the tree
// marked with the qualname AL_PARTIAL_QUALNAME, or a library function;
// UNKNOWN for any other call.
al_target al_index__partial_value(rctx *r, uint32_t file, uint32_t call,
                                  const al_target *callee);
#define AL_PARTIALMETHOD_QUALNAME "functools.partialmethod"

// --- reach.c -----------------------------------------------------------------

// Note the calls that may switch a receiver to non-blocking mode; a build
// step.
void al_index__find_nonblocking_calls(al_index *self);
// The io class of the file object that call `call` of `file-mode` entry e
// opens, from its mode argument ("rb": io.BufferedReader, "w": io.
// TextIOWrapper); empty when the mode is not a literal the index can read.
al_str al_index__file_class(const al_index *self, uint32_t file, uint32_t call,
                            const al_catalog_entry *e);
// Compute what every plain function reaches (al_index_reaches); a build
// step.
void al_index__compute_reaches(al_index *self, uint32_t threads);

#endif
