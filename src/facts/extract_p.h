// SPDX-License-Identifier: MIT
/*
 * Extraction's internals, shared by the files of src/facts/ that make up
 * the walk: extract.c (the walk itself, calls, awaits, returns, name
 * reads), defs.c (functions, classes, lambdas, decorators), binds.c
 * (bindings from statements and patterns), imports.c (import statements),
 * args.c (call arguments and their lookup) and context.c (the syntactic
 * context of a call or a name). Nothing outside src/facts/ includes it.
 *
 * The small accessors below are static inline because the walk calls them
 * for nearly every node; the al_extract__* functions are called once per
 * node of their kind. All of them work on the file being extracted
 * (x->facts, x->text) and allocate only from the facts' arena or the
 * extractor's reused buffers.
 */
#ifndef AL_FACTS_EXTRACT_P_H
#define AL_FACTS_EXTRACT_P_H

#include "base/vec.h"
#include "facts/extract.h"
#include "syntax/comment_runs.h"
#include "syntax/node.h"
#include "syntax/parser.h"
#include "syntax/walk.h"

// Frame flags, inherited by children within one scope.
enum {
  F_IN_LOOP = 1 << 0,
  F_IN_TRY = 1 << 1,
  F_CONDITIONAL = 1 << 2,
  F_TYPE_CHECKING = 1 << 3,
  F_IN_GENEXP = 1 << 4,
  F_IN_WITH = 1 << 5,
  F_GUARD_ELSE = 1 << 6,      // in the alternative (elif/else) of guard_if
  F_TRY_WOULD_BLOCK = 1 << 7, // a try body catching BlockingIOError
};

// The guards an if statement's branch gives at most, and an unset count.
#define GUARD_MAX 4
#define GUARD_UNSET 0xFF

// One node on the walk's stack: what its enter step found out, read by the
// frames below it (its children) and by its leave.
typedef struct {
  TSNode node;
  TSFieldId field;      // field of this node in its parent (0: none)
  uint8_t kind;         // al_kind
  uint8_t flags;        // F_*
  bool descend;         // visit children
  uint16_t named_index; // position among the parent's named children
  uint16_t next_named;  // named children pushed so far
  uint32_t scope;       // scope this node's expressions evaluate in
  uint32_t inner;       // def/class/lambda: the scope its body opens
  uint32_t call;        // CALL: its index; comprehension: its comps index
  uint32_t bind;        // ASSIGNMENT, WITH_ITEM: binding of the target
  uint32_t ret;         // RETURN_STATEMENT: its returns index
  uint32_t block;       // WITH_ITEM, FOR_STATEMENT, FOR_IN_CLAUSE: its site
  uint32_t asyncs_at;   // FOR_STATEMENT: asyncs recorded before its body
  uint32_t async_site;  // AWAIT: its site
  uint32_t deco_first;  // DECORATED_DEFINITION: first decorator ref
  uint32_t deco_n;
  uint32_t arg_base; // CALL: where its arguments start in argbuf
  uint16_t arg_pos;  // CALL: positional arguments recorded so far
  // The innermost if statement of this scope whose branch holds the node
  // (its frame index), or AL_NONE; IF_STATEMENT: the guard it gives its
  // consequence and its elif/else (parameter bindings << 1 | falsy; count
  // GUARD_UNSET until computed)
  uint32_t guard_if;
  uint32_t guards[2][GUARD_MAX];
  uint8_t guard_n[2];
} frame;

// An argument of a call whose frame is still on the stack: the walk
// records each when it reaches it; the call's leave moves them to the
// facts, contiguous (a nested call's arguments leave first).
typedef struct {
  al_arg arg;
  TSNode container; // a list/tuple/set value whose names become ELEMENTs
} pending_arg;

// A name bound to the value of a call or a comprehension in a function.
typedef struct {
  al_str name;
  uint32_t scope;   // the function scope that binds it
  uint32_t binding; // its latest binding; AL_NONE once rebound otherwise
} tracked_name;

// A change to the tracked names that takes effect when the statement that
// binds leaves (its right side still reads the old value).
typedef struct {
  uint32_t frame;    // stack index of the frame that made the binding
  tracked_name name; // binding AL_NONE: stop tracking name in scope
} pending_track;

// Extraction grows each file's record vectors in the extractor's own
// buffers, reused from file to file, and copies them out at their final
// size when the walk is over. Growing them in place instead left a trail
// of long-lived blocks among the parser's short-lived ones, and the
// fragmented heap slowed every later parse (malloc's bins, and the
// parser's locality) more than extraction itself costs. The copies go to
// the facts' arena, which lives out of malloc's heap (base/store.h).

struct al_extractor {
  al_parser *parser;
  al_walk *walker;
  al_walk *aux; // for shallow child iteration
  al_vec(frame) stack;
  al_vec(al_str) names; // scratch for dotted names
  // Names bound in the current function (or an enclosing one) to the value
  // of a call or a comprehension: their reads become al_use facts.
  al_vec(tracked_name) tracked;
  al_vec(pending_track) pending;
  al_vec(pending_arg) argbuf;
  // The record vectors of the file being extracted, kept from file to file
  // (see adopt_scratch in extract.c).
  al_facts scratch;
  // Per-file state
  al_facts *facts;
  const char *text;
  const al_fields *F;
};

// The syntactic context of an expression (al_extract__classify).
typedef struct {
  al_ctx ctx;
  uint32_t parent_call;
  uint32_t parent_frame; // ARG: stack index of the call's frame
  uint16_t arg_index;
  al_str ctx_name;
  uint32_t via;   // index of the frame that decided the context
  uint8_t cflags; // AL_CALL_WHILE_TEST, AL_CALL_NEGATED, AL_CALL_POWER_BASE
  // Stack index of a frame whose binding takes the expression's value
  // besides via: the `name := value` it is the value of, or the
  // assignment `v = a or CALL` it is the right operand of; else AL_NONE.
  uint32_t walrus;
  bool in_branch; // passed a branch of a conditional expression on the way
} ctx_info;

// --- small accessors --------------------------------------------------------

static inline al_span span_of(TSNode n) {
  return (al_span){ts_node_start_byte(n), ts_node_end_byte(n)};
}

static inline al_str copy_str(al_extractor *x, const char *p, size_t len) {
  return (al_str){al_arena_strndup(x->facts->arena, p, len), len};
}

static inline al_str node_str(al_extractor *x, TSNode n) {
  al_str t = al_node_text(n, x->text);
  return copy_str(x, t.ptr, t.len);
}

// Iterate the direct children of n with the auxiliary walk: call
// aux_first, then aux_next until it returns false.
static inline bool aux_first(al_extractor *x, TSNode n) {
  al_walk_reset_node(x->aux, n);
  return al_walk_first_child(x->aux);
}

static inline bool aux_next(al_extractor *x) {
  return al_walk_next(x->aux) == AL_WALK_SIBLING;
}

static inline TSNode aux_node(al_extractor *x) { return al_walk_node(x->aux); }

// A literal, a display or a comprehension: a value that is no call, name
// or coroutine.
static inline bool is_literal_kind(al_kind k) {
  switch (k) {
  case AL_K_STRING:
  case AL_K_CONCATENATED_STRING:
  case AL_K_INTEGER:
  case AL_K_FLOAT:
  case AL_K_TRUE:
  case AL_K_FALSE:
  case AL_K_NONE:
  case AL_K_LIST:
  case AL_K_TUPLE:
  case AL_K_SET:
  case AL_K_DICTIONARY:
  case AL_K_LIST_COMPREHENSION:
  case AL_K_SET_COMPREHENSION:
  case AL_K_DICTIONARY_COMPREHENSION:
  case AL_K_ELLIPSIS:
    return true;
  default:
    return false;
  }
}

static inline uint32_t push_ref(al_extractor *x, al_ref r) {
  vec_push(&x->facts->refs, r);
  return x->facts->refs.len - 1;
}

static inline al_scope *scope_at(al_extractor *x, uint32_t scope) {
  return vec_get(&x->facts->scopes, scope);
}

// Functions and lambdas (comprehensions are not scopes here).
static inline bool is_function_scope(const al_scope *s) {
  return s->kind == AL_SCOPE_FUNCTION || s->kind == AL_SCOPE_ASYNC_FUNCTION ||
         s->kind == AL_SCOPE_LAMBDA;
}

// The AL_BIND_* flags a binding made under frame f carries.
static inline uint8_t bind_flags(const frame *f) {
  uint8_t b = 0;
  if (f->flags & (F_CONDITIONAL | F_IN_LOOP | F_IN_TRY))
    b |= AL_BIND_CONDITIONAL;
  if (f->flags & F_TYPE_CHECKING)
    b |= AL_BIND_TYPE_CHECKING;
  return b;
}

static inline frame *frame_at(al_extractor *x, uint32_t i) {
  return &x->stack.items[i];
}

// --- extract.c --------------------------------------------------------------

/** The reference an expression names: a name, an attribute chain, or a
 * chain on a call (AL_REF_NONE for anything else). Dotted text in the
 * facts' arena. */
al_ref al_extract__ref(al_extractor *x, TSNode n);

/** A return record of scope for statement stmt returning value (null:
 * a bare return); its index. A returned call is patched when it is met. */
uint32_t al_extract__add_return(al_extractor *x, uint32_t scope, TSNode stmt,
                                TSNode value);

// --- context.c --------------------------------------------------------------

/** The context of the expression whose frame is at stack index i, read off
 * the frames above it. */
ctx_info al_extract__classify(al_extractor *x, uint32_t i);

/** Whether boolean operator node n is `or`. */
bool al_extract__is_or(al_extractor *x, TSNode n);
/** `name.attr` (frame f) read in a value context: an al_attr_read. */
void al_extract__attribute_read(al_extractor *x, frame *f);

// --- args.c -----------------------------------------------------------------

/** The pending argument (index into argbuf) of the call whose frame is at
 * stack index call_frame that contains bytes [start, end), or AL_NONE. */
uint32_t al_extract__find_arg(al_extractor *x, uint32_t call_frame,
                              uint32_t start, uint32_t end);

/** Record node n (of kind k), an argument of the call whose frame is call. */
void al_extract__record_arg(al_extractor *x, frame *call, TSNode n, al_kind k);

/** The call of frame f leaves: its pending arguments become facts. */
void al_extract__flush_args(al_extractor *x, const frame *f);

/** A lambda (frame f) passed as an argument: its argument record points at
 * the lambda's scope. */
void al_extract__lambda_arg(al_extractor *x, frame *f);

// --- defs.c -----------------------------------------------------------------

/** Entering a def, class, lambda or decorator (frame f): its scope, name
 * binding, parameters and decorators. */
void al_extract__function(al_extractor *x, frame *f);
void al_extract__class(al_extractor *x, frame *f);
void al_extract__lambda(al_extractor *x, frame *f);
void al_extract__decorator(al_extractor *x, frame *f);

// --- binds.c ----------------------------------------------------------------

/** Bind name in scope (f: the frame the binding is made under, for its
 * flags; NULL for parameters); the binding's index. */
uint32_t al_extract__bind(al_extractor *x, const frame *f, uint32_t scope,
                          TSNode name, al_bind_kind kind, uint32_t target);

/** Bind every identifier of a target pattern (a, (b, *c), [d]) as OTHER. */
void al_extract__bind_pattern(al_extractor *x, const frame *f, TSNode target);

/** The bindings the statement or clause of frame f makes. */
void al_extract__assignment(al_extractor *x, frame *f);
// How many times `range(...)` call runs at most, from its constant
// arguments; 0 when not a range call or its stop is not constant.
uint64_t al_extract__range_bound(al_extractor *x, TSNode call);

// Patch the UNPACK bindings from `first` on with the call they unpack.
void al_extract__patch_unpack(al_extractor *x, uint32_t first, uint32_t call);
void al_extract__augmented_assignment(al_extractor *x, frame *f);
void al_extract__named_expression(al_extractor *x, frame *f);
void al_extract__type_alias(al_extractor *x, frame *f);

// comments.c: the comments that may suppress findings.
bool al_extract__mentions_suppression(al_str t);
void al_extract__comment(al_extractor *x, uint32_t row, uint32_t col,
                         uint32_t byte, al_str t);
// Those of the comment runs the parser got blanked, merged in order.
void al_extract__run_comments(al_extractor *x, const al_byte_range *runs,
                              uint32_t n_runs);
void al_extract__names_stmt(al_extractor *x, frame *f, al_bind_kind kind);
void al_extract__case_clause(al_extractor *x, frame *f);
void al_extract__except_clause(al_extractor *x, frame *f);

/** The target of `with value as target` (v: the as_pattern) of the with
 * item of frame f. */
void al_extract__with_target(al_extractor *x, frame *f, TSNode v);

// --- annots.c ---------------------------------------------------------------

/** Record annotation `type` (a `type` node or an expression; may be null)
 * as the annots tree of role for owner; its root, or AL_NONE when it says
 * nothing (null, or neither a name, a subscript, a union nor None). */
uint32_t al_extract__annot(al_extractor *x, TSNode type, al_annot_role role,
                           uint32_t owner);

// --- imports.c --------------------------------------------------------------

/** The bindings of the import statement of frame f. */
void al_extract__import(al_extractor *x, frame *f);

// --- guards.c ---------------------------------------------------------------

/** Set the guards of call `call` (al_call.guard, AL_CALL_GUARD_FALSY, and
 * al_guard records for the others) from the if statements of its scope
 * around frame f; the call is the last one recorded. */
void al_extract__set_guard(al_extractor *x, const frame *f, uint32_t call);

// --- layout.c ---------------------------------------------------------------

/** Set the facts' import_at from the module node root (the walk is over:
 * the auxiliary walk is free). */
void al_extract__layout(al_extractor *x, TSNode root);

#endif
