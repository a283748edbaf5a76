// SPDX-License-Identifier: MIT
/*
 * Facts: the compact per-file summary that extraction produces and every
 * later stage reads. A file is parsed once; its tree is freed right after
 * al_extract returns, and only these facts live on (rules never see trees).
 *
 * Records refer to each other by 32-bit index into the vectors of the same
 * al_facts (AL_NONE when absent). Strings are copies in the facts' own arena.
 * This module holds data and its lifetime only; the walk is in extract.c.
 */
#ifndef AL_FACTS_FACTS_H
#define AL_FACTS_FACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "base/vec.h"
#include "source/position.h"

#define AL_NONE UINT32_MAX

/** Kinds of scope. Scope 0 of every file is its module scope. */
typedef enum {
  AL_SCOPE_MODULE,
  AL_SCOPE_CLASS,
  AL_SCOPE_FUNCTION,       // plain def
  AL_SCOPE_ASYNC_FUNCTION, // async def
  AL_SCOPE_LAMBDA,
} al_scope_kind;

/** al_scope.flags */
enum {
  AL_SCOPE_GENERATOR = 1 << 0,  // a yield in its own body
  AL_SCOPE_AWAITS = 1 << 1,     // await / async for / async with in own body
  AL_SCOPE_STUB = 1 << 2,       // body is only docstring/pass/.../raise
  AL_SCOPE_NESTED_DEF = 1 << 3, // defined inside a function (not module/class)
};

typedef struct {
  al_str name;       // def/class name; "" for the module and lambdas
  al_span name_span; // the name (lambda: the `lambda` keyword)
  al_span def_span;  // the whole definition, decorators excluded
  uint32_t parent;   // enclosing scope, AL_NONE for the module
  uint8_t kind;      // al_scope_kind
  uint8_t flags;
  uint32_t first_decorator; // decorators: refs[first_decorator ..+n)
  uint32_t n_decorators;
  uint32_t first_base; // class bases: refs[first_base ..+n_bases)
  uint32_t n_bases;
  al_str first_param; // functions: name of the first parameter ("" if none)
  uint32_t n_stmts;   // functions: statements in the body, docstring aside
                      // (counted up to 2 once the body is not a stub)
} al_scope;

/** What a reference expression looks like. */
typedef enum {
  AL_REF_NONE,    // not a reference we can follow (subscript, lambda, ...)
  AL_REF_DOTTED,  // identifier or attribute chain of identifiers: "a.b.c"
  AL_REF_ON_CALL, // attribute chain on a call's result: base_call(...).dotted
  AL_REF_SUPER,   // super().dotted
  AL_REF_CALLED,  // dotted(...): a call of a dotted name (decorators such as
                  // @functools.wraps(f)); base_call: that call's index
} al_ref_kind;

/** A reference as written: a name, a dotted chain, or a chain on a call. */
typedef struct {
  al_str dotted;      // "a.b.c"; for ON_CALL/SUPER the attributes after ()
  uint32_t base_call; // ON_CALL: index into calls
  uint8_t kind;       // al_ref_kind
} al_ref;

/** Where a call's value goes: the syntactic context of the call. */
typedef enum {
  AL_CTX_OTHER = 0,     // anywhere else (container element, default, ...)
  AL_CTX_STMT,          // expression statement: the value is dropped
  AL_CTX_AWAIT,         // operand of await
  AL_CTX_ASSIGN,        // right side of an assignment to one name (see binds)
  AL_CTX_ASSIGN_OTHER,  // right side of any other assignment/annotation
  AL_CTX_RETURN,        // return value
  AL_CTX_YIELD,         // yield / yield from operand
  AL_CTX_ARG,           // argument of another call (parent_call, arg_index)
  AL_CTX_CONDITION,     // truth value: if/elif/while test, not, and/or, assert,
                        // conditional expression test, comprehension if
  AL_CTX_OPERAND,       // binary/unary operator or comparison operand
  AL_CTX_SUBSCRIPT,     // value of a subscript: f()[k]
  AL_CTX_ATTRIBUTE,     // object of an attribute: f().x (ctx_name = "x")
  AL_CTX_ITER,          // iterable of a sync for / comprehension
  AL_CTX_ASYNC_ITER,    // iterable of async for
  AL_CTX_FSTRING,       // f-string replacement field
  AL_CTX_UNPACK,        // right side of a tuple/list unpacking assignment
  AL_CTX_WITH,          // context expression of a sync with
  AL_CTX_ASYNC_WITH,    // context expression of async with
  AL_CTX_LAMBDA,        // the body of a lambda (its return value)
  AL_CTX_COMPREHENSION, // the element of a comprehension or generator
} al_ctx;

/** al_call.flags */
enum {
  AL_CALL_IN_LOOP = 1 << 0,    // inside a for/while body of the same scope
  AL_CALL_IN_TRY = 1 << 1,     // inside a try body of the same scope
  AL_CALL_IN_WITH = 1 << 2,    // inside a with body of the same scope
  AL_CALL_WHILE_TEST = 1 << 3, // the test of a while loop (or under `not`
                               // there)
  AL_CALL_NEGATED = 1 << 4,    // directly under `not`
};

#define AL_ARG_KEYWORD 0xFFFFu

typedef struct {
  al_ref callee;        // the function expression
  al_span span;         // the whole call
  uint32_t scope;       // innermost scope (comprehensions are transparent)
  uint32_t parent_call; // ARG: the call this is an argument of;
                        // ATTRIBUTE: the call made on this call's attribute
                        // (f().m() -> the outer call);
                        // COMPREHENSION: its comps index; else AL_NONE
  al_str ctx_name;      // ARG: keyword name ("" if positional);
                        // ATTRIBUTE: the attribute name
  uint16_t arg_index;   // ARG: positional index, AL_ARG_KEYWORD for keywords
  uint8_t ctx;          // al_ctx
  uint8_t flags;
  uint32_t first_arg; // args[first_arg ..+n_args)
  uint32_t n_args;
} al_call;

typedef enum {
  AL_ARG_REF,     // a name or dotted chain (ref)
  AL_ARG_ELEMENT, // a name/dotted chain inside a list/tuple/set literal
                  // argument (index: the literal's position)
  AL_ARG_CALL,    // a call (call: its index in calls)
  AL_ARG_LAMBDA,  // a lambda (call: its scope index)
  AL_ARG_LITERAL, // a string/number/bool/None literal
  AL_ARG_STARRED, // *x or **x
  AL_ARG_OTHER,
} al_arg_kind;

/** al_arg.flags */
enum {
  AL_ARGF_FALSY = 1 << 0, // the literal False, 0 or None
};

typedef struct {
  al_ref ref; // REF/ELEMENT: the name. Any other kind: ref.kind is
              // AL_REF_NONE, and OTHER keeps its text in ref.dotted
              // (al_arg_text): the two are never both needed
  al_span span;
  al_str keyword;  // keyword name, "" when positional (ELEMENT: the
                   // container's keyword)
  uint16_t index;  // positional index, AL_ARG_KEYWORD for keywords
  uint8_t kind;    // al_arg_kind
  uint8_t flags;   // AL_ARGF_*
  uint32_t target; // CALL: call index; LAMBDA: scope index; else AL_NONE
} al_arg;

/** OTHER: the expression's text when short (<= 96 bytes,
 * `socket.AI_NUMERICHOST | flags`), else "". Other kinds: "". */
static inline al_str al_arg_text(const al_arg *a) {
  return a->kind == AL_ARG_OTHER ? a->ref.dotted : (al_str){NULL, 0};
}

typedef enum {
  AL_BIND_FUNCTION, // def / async def (target: its scope)
  AL_BIND_CLASS,    // class (target: its scope)
  AL_BIND_IMPORT,   // import (target: imports index)
  AL_BIND_ASSIGN,   // name = value (target: call index if value is a call;
                    // value_ref: refs index if value is a dotted name)
  AL_BIND_PARAM,    // function parameter
  AL_BIND_GLOBAL,   // `global x` / `nonlocal x` in this scope
  AL_BIND_ATTR,     // self.name = value in a method (scope: the method;
                    // target: call index if value is a call; value_ref)
  AL_BIND_WITH,     // `with X as name` / `async with` (target: call index of
                    // X if it is a call; value_ref: refs index if a name)
  AL_BIND_OTHER,    // for/with/except targets, augmented assignment, del,
                    // walrus, unpacking, match captures
} al_bind_kind;

/** al_binding.flags */
enum {
  AL_BIND_CONDITIONAL = 1 << 0,   // under if/try/for/while/with/match
  AL_BIND_TYPE_CHECKING = 1 << 1, // under `if TYPE_CHECKING:`
};

typedef struct {
  al_str name;
  al_span span; // the bound name
  uint32_t scope;
  uint32_t target;    // see al_bind_kind
  uint32_t value_ref; // ASSIGN from a dotted name: refs index; else AL_NONE
  uint8_t kind;       // al_bind_kind
  uint8_t flags;
} al_binding;

/** al_import.flags */
enum {
  AL_IMPORT_FROM = 1 << 0,          // from m import name
  AL_IMPORT_STAR = 1 << 1,          // from m import *
  AL_IMPORT_TYPE_CHECKING = 1 << 2, // under `if TYPE_CHECKING:`
  AL_IMPORT_IN_TRY = 1 << 3,        // inside try/except
  AL_IMPORT_ALIASED = 1 << 4,       // `as NAME` given
};

typedef struct {
  al_str
      module;   // dotted module without leading dots ("" for `from . import x`)
  al_str name;  // `from m import name`: name; "" for `import m`; "*" star
  al_str local; // the bound name (`import a.b` binds "a")
  al_span span;
  uint32_t scope;
  uint8_t level; // leading dots of a relative import
  uint8_t flags;
} al_import;

typedef enum {
  AL_ASYNC_AWAIT,
  AL_ASYNC_WITH,
  AL_ASYNC_FOR,
  AL_ASYNC_COMPREHENSION, // `async for` in a comprehension
} al_async_kind;

typedef enum {
  AL_OPERAND_CALL,    // await f(...) (call: its index)
  AL_OPERAND_NAME,    // await x / await x.y
  AL_OPERAND_LITERAL, // await 1 / "s" / [..] / None
  AL_OPERAND_OTHER,
} al_operand_kind;

/** An await, async with, async for or async comprehension. */
/** al_async_site.flags */
enum {
  AL_ASYNC_IN_GENEXP = 1 << 0, // inside a generator expression (which may
                               // be an async generator in any function)
};

typedef struct {
  al_span span;    // the `await` expression or the statement's `async` token
  uint32_t scope;  // innermost scope
  uint8_t kind;    // al_async_kind
  uint8_t operand; // AWAIT: al_operand_kind
  uint8_t flags;
  uint32_t call; // AWAIT of a call: the call's index, else AL_NONE
  al_ref ref;    // AWAIT of a name: the name
} al_async_site;

/** A comment that may carry a suppression ("noqa" or "asynclint:"). */
typedef struct {
  uint32_t row;  // 0-based row
  al_str text;   // the whole comment, starting at '#'
  uint32_t col;  // byte column of the '#'
  uint32_t byte; // byte offset of the '#' in the decoded text
} al_comment;

typedef enum {
  AL_RET_NONE,    // bare `return`
  AL_RET_CALL,    // return f(...) (target: call index)
  AL_RET_NAME,    // return x / x.y (target: refs index)
  AL_RET_LITERAL, // return 1 / "s" / None / [..]
  AL_RET_AWAIT,   // return await ...
  AL_RET_OTHER,
} al_return_kind;

/** A return statement (or a lambda's body). */
typedef struct {
  al_span span;
  uint32_t scope;  // the function it returns from
  uint32_t target; // see al_return_kind
  uint8_t kind;    // al_return_kind
} al_return;

/**
 * A read of a name that was bound, in the same function, to the value of a
 * call or a comprehension (the names whose coroutine objects rules follow).
 * Other name reads are not recorded.
 */
typedef struct {
  al_span span;
  uint32_t binding;     // the al_binding the name refers to (latest before)
  uint32_t scope;       // where the read is (a nested function: its scope)
  uint32_t parent_call; // ARG: the call it is an argument of
  uint32_t block_start; // innermost block around the read (byte range)
  uint32_t block_end;
  uint16_t arg_index; // ARG: positional index or AL_ARG_KEYWORD
  uint8_t ctx;        // al_ctx of the read
} al_use;

typedef enum {
  AL_COMP_LIST,
  AL_COMP_SET,
  AL_COMP_DICT,
  AL_COMP_GENERATOR,
} al_comp_kind;

/** A comprehension or generator expression. */
typedef struct {
  al_span span;
  uint32_t scope;
  uint32_t binding;     // ASSIGN of the whole comprehension to a name
  uint32_t parent_call; // ARG: the call it is an argument of
  uint8_t kind;         // al_comp_kind
  uint8_t ctx;          // al_ctx of the comprehension itself
} al_comp;

/** What a `with` item or a `for` iterates over / enters. */
typedef enum {
  AL_OBJ_CALL,    // a call (call: its index)
  AL_OBJ_NAME,    // a name or dotted chain (ref)
  AL_OBJ_LITERAL, // a list/tuple/set/dict/string display or comprehension
  AL_OBJ_OTHER,
} al_obj_kind;

/** A `with` item or a `for` loop (statement or comprehension clause). */
typedef struct {
  al_span span;    // the context expression / the iterable
  al_span keyword; // the `with`/`for` keyword, or `async` when present
  uint32_t scope;
  uint32_t call;         // AL_OBJ_CALL: the call's index
  al_ref ref;            // AL_OBJ_NAME
  uint64_t range_bound;  // for over range(...) with constant arguments: the
                         // largest of them; 0 when not known
  uint8_t obj;           // al_obj_kind
  uint8_t is_async;      // `async with` / `async for`
  uint8_t is_for;        // a for loop (else a with item)
  uint8_t awaits;        // for statements: the body awaits (in the same scope)
  uint8_t comprehension; // a comprehension's for clause
} al_block_site;

/** The record vectors of al_facts, for code that treats them all alike. */
// (clang-format reflows this list differently on every run.)
// clang-format off
#define AL_FACTS_VECTORS(X)                                                    \
  X(scopes) X(refs) X(calls) X(args) X(binds) X(imports) X(asyncs)             \
  X(comments) X(returns) X(uses) X(comps) X(blocks)
// clang-format on

/** Everything known about one file after extraction. */
typedef struct al_facts {
  al_arena *arena;         // owns the strings of every record below, and
                           // this record itself (al_facts_new)
  al_vec(al_scope) scopes; // [0] is the module
  al_vec(al_ref) refs;     // decorators, bases, assignment values
  al_vec(al_call) calls;   // in source order
  al_vec(al_arg) args;
  al_vec(al_binding) binds;
  al_vec(al_import) imports;
  al_vec(al_async_site) asyncs;
  al_vec(al_comment) comments;
  al_vec(al_return) returns;
  al_vec(al_use) uses;
  al_vec(al_comp) comps;
  al_vec(al_block_site) blocks; // with items and for loops, source order
  al_linemap lines;             // rows and columns of spans (al_linemap_range)
  uint64_t text_hash;           // al_hash64 of the decoded text: the report
                                // stage re-reads the file and shows its lines
                                // only if they still hash the same
  uint32_t text_len;            // bytes of the decoded text
  bool unreadable;              // AL002: the file could not be read or decoded
  const char *problem;          // AL002's reason (arena)
  uint32_t problem_line;        // 1-based
  uint32_t problem_col;         // 1-based code points
  bool syntax_error;            // AL001: the tree has an ERROR or MISSING node
  al_span error_span;           // the first one
  const char *error_message;    // "unexpected 'x'" / "missing ')'" (arena)
  bool parse_gave_up;           // the parser's work budget ran out
  bool compact; // the vectors (the line map's too) are in the arena at their
                // final size, not malloc'd: they no longer grow
} al_facts;

/** The 1-based line where span starts (for messages that name a line). */
uint32_t al_facts_line(const al_facts *self, al_span span);

/**
 * An empty facts record in its own long-lived arena (base/arena.h's
 * al_arena_new_long: facts stay until the end of the run, out of malloc's
 * heap). Free with al_facts_free.
 */
al_facts *al_facts_new(void);

/**
 * Give the record's vectors (scratch vectors the caller grew, or its own)
 * exact-size copies in its arena; the record is compact from then on. The
 * caller keeps (and frees) what the vectors pointed to before.
 */
void al_facts_compact(al_facts *self);

/** Free the record, its vectors and its arena. NULL is a no-op. */
void al_facts_free(al_facts *self);

/** Bytes the facts use (arena + vectors), for memory reports. */
size_t al_facts_bytes(const al_facts *self);

#endif
