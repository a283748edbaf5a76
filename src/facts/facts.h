// SPDX-License-Identifier: MIT
/*
 * Facts: the compact per-file summary that extraction produces and every
 * later stage reads. A file is parsed once; its tree is freed right after
 * al_extract returns, and only these facts live on (rules never see trees).
 *
 * Records refer to each other by 32-bit index into the vectors of the same
 * al_facts (AL_NONE when absent). Strings are copies in the facts' own arena.
 * This module holds data and its lifetime only; the walk is in extract.c,
 * the invariants a valid record keeps in validate.c.
 *
 * Each record's fields are listed once, in an X-macro list (AL_CALL_FIELDS
 * and its siblings, gathered in AL_FACTS_RECORDS). The struct definitions
 * below, the cache's encoder and decoder (cache/format.c), the per-field
 * checks of the decoded facts (facts/validate.c) and the round-trip test's
 * comparison (tests/test_cache.c) are all made from these lists, so a new
 * field is one line here and none of them can forget it. An entry is
 *
 *   X(C type, KIND, name, ARG)   with its comment above or beside it
 *
 * where KIND says how the field is stored in the cache and what a decoded
 * value must satisfy (ARG is `_` unless the kind needs one):
 *
 *   STR    al_str: a slice, NULL or pointing into the facts' arena
 *   CSTR   const char *: a NUL-terminated string or NULL
 *   SPAN   al_span: a byte range inside the file's text
 *   REF    al_ref: a reference, itself checked field by field
 *   ENUM   uint8_t: an enumerator, at most ARG (the enum's last one)
 *   BOOL   0 or 1
 *   FLAGS  uint8_t: a set of flag bits (any value)
 *   U8, U16, U32, U64: a number, any value
 *   H64    uint64_t: a hash (stored at fixed width: it is never small)
 *   IDX    uint32_t: an index into the vector named ARG, always set
 *   OPT    uint32_t: AL_NONE or an index into the vector named ARG
 *   LINK   uint32_t: an index whose vector, or whether it is set, depends
 *          on other fields (a kind, a context): facts/validate.c checks it
 *          by hand, with the record's other cross-field rules
 *
 * Field order is the struct's layout (mind the padding: the sizes are
 * pinned in facts.c) and the order of the cache's encoding (changing it
 * means bumping AL_CACHE_FORMAT_VERSION in cache/cache.h).
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

/** A struct member from a field list entry. */
#define AL_FACTS_DECLARE(type, kind, name, arg) type name;

/** An al_facts vector from an AL_FACTS_RECORDS entry. */
#define AL_FACTS_DECLARE_VECTOR(vector, type, fields) al_vec(type) vector;

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
  // An async def whose return annotation is `Any`, `object` or a string
  // that says nothing kept (no al_annot record): it may return anything.
  AL_SCOPE_VAGUE_RETURN = 1 << 4,
};

// The field lists are laid out by hand (clang-format would reflow them).
// clang-format off

/** A module, class, function or lambda. */
#define AL_SCOPE_FIELDS(X)                                                     \
  /* def/class name; "" for the module and lambdas */                          \
  X(al_str,   STR,   name,            _)                                       \
  /* the name (lambda: the `lambda` keyword) */                                \
  X(al_span,  SPAN,  name_span,       _)                                       \
  /* the whole definition, decorators excluded */                              \
  X(al_span,  SPAN,  def_span,        _)                                       \
  /* enclosing scope, AL_NONE for the module */                                \
  X(uint32_t, LINK,  parent,          _)                                       \
  X(uint8_t,  ENUM,  kind,            AL_SCOPE_LAMBDA) /* al_scope_kind */     \
  X(uint8_t,  FLAGS, flags,           _)               /* AL_SCOPE_* */        \
  /* decorators: refs[first_decorator ..+n) */                                 \
  X(uint32_t, LINK,  first_decorator, _)                                       \
  X(uint32_t, U32,   n_decorators,    _)                                       \
  /* class bases: refs[first_base ..+n_bases) */                               \
  X(uint32_t, LINK,  first_base,      _)                                       \
  X(uint32_t, U32,   n_bases,         _)                                       \
  /* functions: name of the first parameter ("" if none) */                    \
  X(al_str,   STR,   first_param,     _)                                       \
  /* functions: statements in the body, docstring aside (counted up to 2    */ \
  /* once the body is not a stub)                                           */ \
  X(uint32_t, U32,   n_stmts,         _)

// clang-format on
typedef struct {
  AL_SCOPE_FIELDS(AL_FACTS_DECLARE)
} al_scope;

/** What a reference expression looks like. */
typedef enum {
  AL_REF_NONE,    // not a reference we can follow (subscript, lambda, ...)
  AL_REF_DOTTED,  // identifier or attribute chain of identifiers: "a.b.c"
  AL_REF_ON_CALL, // attribute chain on a call's result: base_call(...).dotted
  AL_REF_SUPER,   // super().dotted
  AL_REF_CALLED,  // dotted(...): a call of a dotted name (decorators such as
                  // @functools.wraps(f)); base_call: that call's index
  AL_REF_CALL_VALUE, // a call's callee that is itself a call, f(...)(...):
                     // the value of base_call; dotted is ""
} al_ref_kind;

// clang-format off

/** The attribute a reference's chain reads for `a / b` (al_ref.dotted:
 * `(base / "x").read_text` is "base.__truediv__.read_text"). */
#define AL_TRUEDIV_ATTR "__truediv__"
/** The attribute it reads for `a[k]` inside a chain ("jobs.__getitem__.run"
 * for `jobs[k].run`). */
#define AL_GETITEM_ATTR "__getitem__"

/** Whether name is a whole part of dotted chain d starting at byte i
 * (after a '.' or at the start, before a '.' or at the end): how the index
 * and the messages find the made-up parts above. */
static inline bool al_dotted_part_at(al_str d, size_t i, const char *name) {
  size_t k = strlen(name);
  return i + k <= d.len && (i == 0 || d.ptr[i - 1] == '.') &&
         memcmp(d.ptr + i, name, k) == 0 &&
         (i + k == d.len || d.ptr[i + k] == '.');
}

/** Where name first stands as a whole part of d: its offset, or d.len. */
static inline size_t al_dotted_find(al_str d, const char *name) {
  for (size_t i = 0; i < d.len; i++)
    if (al_dotted_part_at(d, i, name))
      return i;
  return d.len;
}

/** A reference as written: a name, a dotted chain, or a chain on a call. */
#define AL_REF_FIELDS(X)                                                       \
  /* "a.b.c"; for ON_CALL/SUPER the attributes after () */                     \
  X(al_str,   STR,  dotted,    _)                                              \
  /* ON_CALL, CALL_VALUE: index into calls (extraction leaves it AL_NONE  */ \
  /* or a call everywhere: 0 in the zeroed ref of a generator-expression    */ \
  /* argument)                                                              */ \
  X(uint32_t, OPT,  base_call, calls)                                          \
  X(uint8_t,  ENUM, kind,      AL_REF_CALL_VALUE) /* al_ref_kind */          \
  /* a call's callee: its bytes, from the call's start to the end of the    */ \
  /* function expression (where fixes replace it); 0 in every other ref,    */ \
  /* and when longer than 65535                                             */ \
  X(uint16_t, U16,  len,       _)

// clang-format on
typedef struct {
  AL_REF_FIELDS(AL_FACTS_DECLARE)
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
  AL_CALL_IN_LOOP = 1 << 0,     // inside a for/while body of the same scope
  AL_CALL_IN_TRY = 1 << 1,      // inside a try body of the same scope
  AL_CALL_IN_WITH = 1 << 2,     // inside a with body of the same scope
  AL_CALL_WHILE_TEST = 1 << 3,  // the test of a while loop (or under `not`
                                // there)
  AL_CALL_NEGATED = 1 << 4,     // directly under `not`
  AL_CALL_GUARD_FALSY = 1 << 5, // guard set: runs only when the parameter is
                                // falsy (else only when it is truthy)
  AL_CALL_TRY_WOULD_BLOCK = 1 << 6, // inside a try body (same scope) with a
                                    // handler of BlockingIOError or
                                    // ssl.SSLWant*Error: a non-blocking call
  // OPERAND: the left operand of `**`, which `await` before it needs
  // parentheses around (Python binds it tighter, tree-sitter does not)
  AL_CALL_POWER_BASE = 1 << 7,
};

#define AL_ARG_KEYWORD 0xFFFFu

// clang-format off

/** A call. */
#define AL_CALL_FIELDS(X)                                                      \
  X(al_ref,   REF,   callee,      _)      /* the function expression */        \
  X(al_span,  SPAN,  span,        _)      /* the whole call */                 \
  /* innermost scope (comprehensions are transparent) */                       \
  X(uint32_t, IDX,   scope,       scopes)                                      \
  /* ARG: the call this is an argument of; ATTRIBUTE: the call made on this */ \
  /* call's attribute (f().m() -> the outer call); COMPREHENSION: its comps */ \
  /* index; else AL_NONE                                                    */ \
  X(uint32_t, LINK,  parent_call, _)                                           \
  /* ARG: keyword name ("" if positional); ATTRIBUTE: the attribute name    */ \
  X(al_str,   STR,   ctx_name,    _)                                           \
  /* ARG: positional index, AL_ARG_KEYWORD for keywords */                     \
  X(uint16_t, U16,   arg_index,   _)                                           \
  X(uint8_t,  ENUM,  ctx,         AL_CTX_COMPREHENSION) /* al_ctx */           \
  X(uint8_t,  FLAGS, flags,       _)      /* AL_CALL_* */                      \
  X(uint32_t, LINK,  first_arg,   _)      /* args[first_arg ..+n_args) */      \
  X(uint32_t, U32,   n_args,      _)                                           \
  /* in a branch of `if NAME:` / `if not NAME:` (the innermost if of its    */ \
  /* scope holding it; elif/else: the test was false), NAME a parameter of  */ \
  /* the function: its AL_BIND_PARAM binding (AL_CALL_GUARD_FALSY says      */ \
  /* which way); else AL_NONE                                               */ \
  X(uint32_t, OPT,   guard,       binds)

// clang-format on
typedef struct {
  AL_CALL_FIELDS(AL_FACTS_DECLARE)
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
  // A short string literal that reads as a file mode ("rb", "w+", "a"):
  // AL_ARGF_MODE, and what it says (the io class open() gives).
  AL_ARGF_MODE = 1 << 1,
  AL_ARGF_MODE_BINARY = 1 << 2, // 'b'
  AL_ARGF_MODE_UPDATE = 1 << 3, // '+'
  AL_ARGF_MODE_READ = 1 << 4,   // 'r' (and no 'w', 'a', 'x')
  AL_ARGF_TRUTHY = 1 << 5,      // the literal True or a non-zero integer
};

// clang-format off

/** An argument of a call. */
#define AL_ARG_FIELDS(X)                                                       \
  /* REF/ELEMENT: the name. Any other kind: ref.kind is AL_REF_NONE, and    */ \
  /* OTHER keeps its text in ref.dotted (al_arg_text): the two are never    */ \
  /* both needed                                                            */ \
  X(al_ref,   REF,   ref,     _)                                               \
  X(al_span,  SPAN,  span,    _)                                               \
  /* keyword name, "" when positional (ELEMENT: the container's keyword)    */ \
  X(al_str,   STR,   keyword, _)                                               \
  /* positional index, AL_ARG_KEYWORD for keywords */                          \
  X(uint16_t, U16,   index,   _)                                               \
  X(uint8_t,  ENUM,  kind,    AL_ARG_OTHER) /* al_arg_kind */                  \
  X(uint8_t,  FLAGS, flags,   _)            /* AL_ARGF_* */                    \
  /* CALL: call index; LAMBDA: scope index; else AL_NONE */                    \
  X(uint32_t, LINK,  target,  _)

// clang-format on
typedef struct {
  AL_ARG_FIELDS(AL_FACTS_DECLARE)
} al_arg;

/** OTHER: the expression's text when short (<= 96 bytes,
 * `socket.AI_NUMERICHOST | flags`), else "". Other kinds: "". */
static inline al_str al_arg_text(const al_arg *a) {
  return a->kind == AL_ARG_OTHER ? a->ref.dotted : (al_str){NULL, 0};
}

typedef enum {
  AL_BIND_FUNCTION,   // def / async def (target: its scope)
  AL_BIND_CLASS,      // class (target: its scope)
  AL_BIND_IMPORT,     // import (target: imports index)
  AL_BIND_ASSIGN,     // name = value (target: call index if value is a call;
                      // value_ref: refs index if value is a dotted name)
  AL_BIND_PARAM,      // function parameter
  AL_BIND_GLOBAL,     // `global x` / `nonlocal x` in this scope
  AL_BIND_ATTR,       // self.name = value in a method (scope: the method;
                      // target: call index if value is a call; value_ref)
  AL_BIND_WITH,       // `with X as name` / `async with` (target: call index of
                      // X if it is a call; value_ref: refs index if a name)
  AL_BIND_OTHER,      // for/with/except targets, augmented assignment, del,
                      // walrus, unpacking, match captures
  AL_BIND_ANNOTATION, // `name: T` without a value (a class's declared
                      // field; binds nothing at run time): only its
                      // annotation (annots) says what the name holds
  AL_BIND_AWAIT,      // name = await CALL (target: CALL's index, patched
                      // when it is met)
  AL_BIND_FOR,        // `for name in X` / `async for` (target: the loop's
                      // blocks index; value_ref: AL_NONE, or the name's
                      // position in `for a, b in X`)
  AL_BIND_UNPACK,     // `a, b = CALL` (a flat tuple of names; target: the
                      // call's index, value_ref: the name's position)
  AL_BIND_UNPACK_AWAIT, // `a, b = await CALL` (as UNPACK; the target is
                        // patched when the call is met)
} al_bind_kind;

/** al_binding.flags */
enum {
  AL_BIND_CONDITIONAL = 1 << 0,   // under if/try/for/while/with/match
  AL_BIND_TYPE_CHECKING = 1 << 1, // under `if TYPE_CHECKING:`
  // PARAM: its default is the literal False/0/None, or True/a non-zero
  // integer; it is *args/**kwargs or comes after one (or after a bare `*`):
  // never given by position
  AL_BIND_DEFAULT_FALSY = 1 << 2,
  AL_BIND_DEFAULT_TRUTHY = 1 << 3,
  AL_BIND_NOT_POSITIONAL = 1 << 4,
  // PARAM: a call may leave it out (it has a default, or is *args/**kwargs)
  AL_BIND_OPTIONAL = 1 << 5,
  // ASSIGN: the inner target of a chain (`t = xx = f()`): the value has
  // other names too
  AL_BIND_CHAINED = 1 << 6,
  // ASSIGN, ATTR: the value is the literal None (`self.conn = None`: the
  // attribute unset, not a value of another type)
  AL_BIND_NONE_VALUE = 1 << 7,
  // ATTR: the value is `await CALL`; target: that call
  AL_BIND_AWAITED = 1 << 8,
  // ASSIGN, ATTR: the target call is a branch of a conditional expression
  // (`v = f() if c else None`): the value may be the other branch's
  AL_BIND_BRANCH_VALUE = 1 << 9,
};

// clang-format off

/** A name bound in a scope. */
#define AL_BINDING_FIELDS(X)                                                   \
  X(al_str,   STR,   name,      _)                                             \
  X(al_span,  SPAN,  span,      _)            /* the bound name */             \
  X(uint32_t, IDX,   scope,     scopes)                                        \
  X(uint32_t, LINK,  target,    _)            /* see al_bind_kind */           \
  /* ASSIGN from a dotted name: refs index; else AL_NONE */                    \
  X(uint32_t, LINK,  value_ref, _)                                             \
  X(uint8_t,  ENUM,  kind,      AL_BIND_UNPACK_AWAIT) /* al_bind_kind */       \
  X(uint16_t, U16,   flags,     _)             /* AL_BIND_CONDITIONAL, ... */

// clang-format on
typedef struct {
  AL_BINDING_FIELDS(AL_FACTS_DECLARE)
} al_binding;

/** al_import.flags */
enum {
  AL_IMPORT_FROM = 1 << 0,          // from m import name
  AL_IMPORT_STAR = 1 << 1,          // from m import *
  AL_IMPORT_TYPE_CHECKING = 1 << 2, // under `if TYPE_CHECKING:`
  AL_IMPORT_IN_TRY = 1 << 3,        // inside try/except
  AL_IMPORT_ALIASED = 1 << 4,       // `as NAME` given
};

// clang-format off

/** An import statement's name (one record per imported name). */
#define AL_IMPORT_FIELDS(X)                                                    \
  /* dotted module without leading dots ("" for `from . import x`) */          \
  X(al_str,   STR,   module, _)                                                \
  /* `from m import name`: name; "" for `import m`; "*" star */                \
  X(al_str,   STR,   name,   _)                                                \
  X(al_str,   STR,   local,  _) /* the bound name (`import a.b` binds "a") */  \
  X(al_span,  SPAN,  span,   _)                                                \
  X(uint32_t, IDX,   scope,  scopes)                                           \
  X(uint8_t,  U8,    level,  _) /* leading dots of a relative import */        \
  X(uint8_t,  FLAGS, flags,  _) /* AL_IMPORT_* */

// clang-format on
typedef struct {
  AL_IMPORT_FIELDS(AL_FACTS_DECLARE)
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

/** al_async_site.flags */
enum {
  AL_ASYNC_IN_GENEXP = 1 << 0, // inside a generator expression (which may
                               // be an async generator in any function)
};

// clang-format off

/** An await, async with, async for or async comprehension. */
#define AL_ASYNC_SITE_FIELDS(X)                                                \
  /* the `await` expression or the statement's `async` token */                \
  X(al_span,  SPAN,  span,    _)                                               \
  X(uint32_t, IDX,   scope,   scopes)       /* innermost scope */              \
  X(uint8_t,  ENUM,  kind,    AL_ASYNC_COMPREHENSION) /* al_async_kind */      \
  /* AWAIT: al_operand_kind */                                                 \
  X(uint8_t,  ENUM,  operand, AL_OPERAND_OTHER)                                \
  X(uint8_t,  FLAGS, flags,   _)            /* AL_ASYNC_IN_GENEXP */           \
  /* AWAIT of a call: the call's index, else AL_NONE */                        \
  X(uint32_t, OPT,   call,    calls)                                           \
  X(al_ref,   REF,   ref,     _)            /* AWAIT of a name: the name */

// clang-format on
typedef struct {
  AL_ASYNC_SITE_FIELDS(AL_FACTS_DECLARE)
} al_async_site;

// clang-format off

/** A comment that may carry a suppression ("noqa" or "asynclint:"). Its
 * fields are checked together (inside the text, in source order). */
#define AL_COMMENT_FIELDS(X)                                                   \
  X(uint32_t, U32, row,  _) /* 0-based row */                                  \
  X(al_str,   STR, text, _) /* the whole comment, starting at '#' */           \
  X(uint32_t, U32, col,  _) /* byte column of the '#' */                       \
  X(uint32_t, U32, byte, _) /* byte offset of the '#' in the decoded text */

// clang-format on
typedef struct {
  AL_COMMENT_FIELDS(AL_FACTS_DECLARE)
} al_comment;

typedef enum {
  AL_RET_NONE,    // bare `return`
  AL_RET_CALL,    // return f(...) (target: call index)
  AL_RET_NAME,    // return x / x.y (target: refs index)
  AL_RET_LITERAL, // return 1 / "s" / None / [..]
  AL_RET_AWAIT,   // return await ...
  AL_RET_OTHER,
} al_return_kind;

// clang-format off

/** A return statement (or a lambda's body). */
#define AL_RETURN_FIELDS(X)                                                    \
  X(al_span,  SPAN, span,   _)                                                 \
  X(uint32_t, IDX,  scope,  scopes)       /* the function it returns from */   \
  X(uint32_t, LINK, target, _)            /* see al_return_kind */             \
  X(uint8_t,  ENUM, kind,   AL_RET_OTHER) /* al_return_kind */

// clang-format on
typedef struct {
  AL_RETURN_FIELDS(AL_FACTS_DECLARE)
} al_return;

/** al_use.flags */
enum {
  AL_USE_COMPARED = 1 << 0,   // OPERAND of a comparison (==, <, in, is, ...)
  AL_USE_POWER_BASE = 1 << 1, // OPERAND: the left operand of `**`
};

/** Where in a try statement a read is (al_use.try_part). */
typedef enum {
  AL_TRY_NONE,    // in no try statement of its scope
  AL_TRY_BODY,    // the try body
  AL_TRY_HANDLER, // an except (or except*) clause
  AL_TRY_ELSE,    // the else clause
  AL_TRY_FINALLY, // the finally clause
} al_try_part;

// clang-format off

/**
 * A read of a name that was bound, in the same function, to the value of a
 * call or a comprehension (the names whose coroutine objects rules follow).
 * Other name reads are not recorded.
 */
#define AL_USE_FIELDS(X)                                                       \
  X(al_span,  SPAN, span,        _)                                            \
  /* the al_binding the name refers to (latest before) */                      \
  X(uint32_t, IDX,  binding,     binds)                                        \
  /* where the read is (a nested function: its scope) */                       \
  X(uint32_t, IDX,  scope,       scopes)                                       \
  X(uint32_t, LINK, parent_call, _) /* ARG: the call it is an argument of */   \
  /* innermost block around the read (byte range) */                           \
  X(uint32_t, U32,  block_start, _)                                            \
  X(uint32_t, U32,  block_end,   _)                                            \
  X(uint16_t, U16,  arg_index,   _) /* ARG: positional or AL_ARG_KEYWORD */    \
  X(uint8_t,  ENUM, ctx,         AL_CTX_COMPREHENSION) /* al_ctx of it */      \
  /* the innermost try statement of the same scope around the read: which   */ \
  /* part of it the read is in, and where the statement starts (AL_NONE     */ \
  /* when there is none)                                                    */ \
  X(uint8_t,  ENUM, try_part,    AL_TRY_FINALLY) /* al_try_part */             \
  X(uint32_t, U32,  try_start,   _)                                            \
  /* ATTRIBUTE: the attribute's name as al_use_attr_hash; else 0 (rules     */ \
  /* compare it with the names they know: a record stays 40 bytes)          */ \
  X(uint32_t, U32,  attr_hash,   _)                                            \
  X(uint8_t,  FLAGS, flags,      _) /* AL_USE_* */

// clang-format on
typedef struct {
  AL_USE_FIELDS(AL_FACTS_DECLARE)
} al_use;

/** al_use.attr_hash of an attribute name. */
static inline uint32_t al_use_attr_hash(al_str name) {
  return (uint32_t)al_str_hash(name) | 1u; // never 0
}

typedef enum {
  AL_COMP_LIST,
  AL_COMP_SET,
  AL_COMP_DICT,
  AL_COMP_GENERATOR,
} al_comp_kind;

// clang-format off

/** A comprehension or generator expression. */
#define AL_COMP_FIELDS(X)                                                      \
  X(al_span,  SPAN, span,        _)                                            \
  X(uint32_t, IDX,  scope,       scopes)                                       \
  /* ASSIGN of the whole comprehension to a name */                            \
  X(uint32_t, OPT,  binding,     binds)                                        \
  X(uint32_t, LINK, parent_call, _) /* ARG: the call it is an argument of */   \
  X(uint8_t,  ENUM, kind,        AL_COMP_GENERATOR)    /* al_comp_kind */      \
  /* al_ctx of the comprehension itself */                                     \
  X(uint8_t,  ENUM, ctx,         AL_CTX_COMPREHENSION)                        \
  /* its element when a plain name (`[j for j in jobs if j.ready]`), else "" */ \
  X(al_str,   STR,  element,     _)

// clang-format on
typedef struct {
  AL_COMP_FIELDS(AL_FACTS_DECLARE)
} al_comp;

/** What a `with` item or a `for` iterates over / enters. */
typedef enum {
  AL_OBJ_CALL,    // a call (call: its index)
  AL_OBJ_NAME,    // a name or dotted chain (ref)
  AL_OBJ_LITERAL, // a list/tuple/set/dict/string display or comprehension
  AL_OBJ_OTHER,
} al_obj_kind;

// clang-format off

/** A `with` item or a `for` loop (statement or comprehension clause). */
#define AL_BLOCK_SITE_FIELDS(X)                                                \
  X(al_span,  SPAN, span,          _) /* the context expression / iterable */  \
  /* the `with`/`for` keyword, or `async` when present */                      \
  X(al_span,  SPAN, keyword,       _)                                          \
  X(uint32_t, IDX,  scope,         scopes)                                     \
  X(uint32_t, OPT,  call,          calls) /* AL_OBJ_CALL: the call's index */  \
  X(al_ref,   REF,  ref,           _)     /* AL_OBJ_NAME */                    \
  /* for over range(...): at most how many times it runs, from constant    */ \
  /* arguments (start, step), 0 when its stop is not constant               */ \
  X(uint64_t, U64,  range_bound,   _)                                          \
  X(uint8_t,  ENUM, obj,           AL_OBJ_OTHER) /* al_obj_kind */             \
  X(uint8_t,  BOOL, is_async,      _) /* `async with` / `async for` */         \
  X(uint8_t,  BOOL, is_for,        _) /* a for loop (else a with item) */      \
  /* for statements: the body awaits (in the same scope) */                    \
  X(uint8_t,  BOOL, awaits,        _)                                          \
  X(uint8_t,  BOOL, comprehension, _) /* a comprehension's for clause */     \
  /* comprehension clauses: the comprehension (comps index), and the name */  \
  /* its target binds when a plain name (seen only inside it), or a flat  */  \
  /* tuple of names as written ("k, v"), else "" */                           \
  X(uint32_t, OPT,  comp,          comps)                                     \
  /* where the `with`/`for` keyword itself starts (after `async`, if any):  */ \
  /* [keyword.start_byte, word) is `async` and the space after it           */ \
  X(uint32_t, U32,  word,          _)                                          \
  X(al_str,   STR,  target,        _)

// clang-format on
typedef struct {
  AL_BLOCK_SITE_FIELDS(AL_FACTS_DECLARE)
} al_block_site;

/** What an annotation (or a part of one) looks like. */
typedef enum {
  AL_ANNOT_NAME,      // a dotted name: `httpx.AsyncClient`
  AL_ANNOT_SUBSCRIPT, // dotted[children...]: `Optional[X]`, `dict[str, X]`
  AL_ANNOT_UNION,     // children joined by `|`
  AL_ANNOT_NONE,      // `None`
  AL_ANNOT_OTHER,     // anything else (a literal, a call, a malformed string)
} al_annot_kind;

/** What an annotation's root record annotates. */
typedef enum {
  AL_ANNOT_CHILD,   // not a root: a part of the annotation before it
  AL_ANNOT_BINDING, // the annotation of binding `owner` (a parameter,
                    // `x: T = v`, `self.x: T = v`, `x: T`)
  AL_ANNOT_RETURN,  // the return annotation of function scope `owner`
  AL_ANNOT_ALIAS,   // the value of binding `owner`, a type alias at module
                    // level (`DB = Annotated[Pool, ...]`, `C = A | None`)
} al_annot_role;

// clang-format off

/**
 * An annotation, as a tree in preorder: a record, then its children's
 * subtrees one after the other (a string annotation is parsed into the same
 * records). Only the root says what it annotates.
 */
#define AL_ANNOT_FIELDS(X)                                                     \
  /* NAME: the dotted name; SUBSCRIPT: its head's; else "" */                  \
  X(al_str,   STR,  name,  _)                                                  \
  /* a root: the binding or scope it annotates (see role); a child: AL_NONE */ \
  X(uint32_t, LINK, owner, _)                                                  \
  X(uint32_t, U32,  n,     _) /* records in its subtree after it */            \
  X(uint8_t,  ENUM, kind,  AL_ANNOT_OTHER) /* al_annot_kind */                 \
  X(uint8_t,  ENUM, role,  AL_ANNOT_ALIAS) /* al_annot_role */

// clang-format on
typedef struct {
  AL_ANNOT_FIELDS(AL_FACTS_DECLARE)
} al_annot;

// clang-format off

/** A guard of a call beyond al_call.guard: another parameter the enclosing
 * if tests (`if host and port:` holds two); by call, in call order. */
#define AL_GUARD_FIELDS(X)                                                     \
  X(uint32_t, IDX,  call,  calls)                                              \
  X(uint32_t, IDX,  bind,  binds) /* a parameter of the call's function */     \
  X(uint8_t,  BOOL, falsy, _)     /* the branch runs only when it is falsy */

// clang-format on
typedef struct {
  AL_GUARD_FIELDS(AL_FACTS_DECLARE)
} al_guard;

// clang-format off

/**
 * A read of an attribute of a plain name (`self.ready`, `svc.data`) whose
 * value is used as a truth value, an operand, a container or an object:
 * the reads where a property whose getter makes a coroutine is a bug. Only
 * these contexts are recorded: CONDITION; OPERAND; SUBSCRIPT; ITER;
 * UNPACK; ATTRIBUTE when the chain is not called (`self.data.x`, not
 * `self.data.get()`); ARG of a call of a plain name (`len(self.data)`).
 */
#define AL_ATTR_READ_FIELDS(X)                                                 \
  X(al_str,   STR,   dotted,      _) /* "name.attr" */                         \
  X(al_span,  SPAN,  span,        _) /* the attribute expression */            \
  X(uint32_t, IDX,   scope,       scopes)                                      \
  X(uint32_t, LINK,  parent_call, _) /* ARG: the call it is an argument of */  \
  /* ATTRIBUTE: the next attribute's name as al_use_attr_hash; else 0 */       \
  X(uint32_t, U32,   attr_hash,   _)                                           \
  X(uint8_t,  ENUM,  ctx,         AL_CTX_COMPREHENSION) /* al_ctx of it */     \
  X(uint8_t,  FLAGS, flags,       _) /* AL_USE_* */

// clang-format on
typedef struct {
  AL_ATTR_READ_FIELDS(AL_FACTS_DECLARE)
} al_attr_read;

// clang-format off

/**
 * The record vectors of al_facts with their record type and field list, in
 * the order of the struct and of the cache's encoding.
 */
#define AL_FACTS_RECORDS(X)                                                    \
  X(scopes,   al_scope,      AL_SCOPE_FIELDS)      /* [0] is the module */     \
  /* decorators, bases, assignment values */                                   \
  X(refs,     al_ref,        AL_REF_FIELDS)                                    \
  X(calls,    al_call,       AL_CALL_FIELDS)       /* in source order */       \
  X(args,     al_arg,        AL_ARG_FIELDS)                                    \
  X(binds,    al_binding,    AL_BINDING_FIELDS)                                \
  X(imports,  al_import,     AL_IMPORT_FIELDS)                                 \
  X(asyncs,   al_async_site, AL_ASYNC_SITE_FIELDS)                             \
  X(comments, al_comment,    AL_COMMENT_FIELDS)                                \
  X(returns,  al_return,     AL_RETURN_FIELDS)                                 \
  X(uses,     al_use,        AL_USE_FIELDS)                                    \
  X(comps,    al_comp,       AL_COMP_FIELDS)                                   \
  /* with items and for loops, source order */                                 \
  X(blocks,   al_block_site, AL_BLOCK_SITE_FIELDS)                             \
  /* annotations, roots in source order (preorder trees) */                    \
  X(annots,   al_annot,      AL_ANNOT_FIELDS)                                  \
  /* attribute reads of names in value contexts, source order */               \
  X(reads,    al_attr_read,  AL_ATTR_READ_FIELDS)                              \
  /* further guards of calls (al_call.guard is the first), by call */          \
  X(guards,   al_guard,      AL_GUARD_FIELDS)

/**
 * The same vectors by name only, for code that treats them all alike
 * (facts.c asserts that the two lists agree).
 */
#define AL_FACTS_VECTORS(X)                                                    \
  X(scopes) X(refs) X(calls) X(args) X(binds) X(imports) X(asyncs)             \
  X(comments) X(returns) X(uses) X(comps) X(blocks) X(annots) X(reads)         \
  X(guards)

/**
 * al_facts' own fields besides the vectors and the line map, in the order
 * of the struct (after the line map) and of the cache's encoding (before
 * the vectors).
 */
#define AL_FACTS_SCALARS(X)                                                    \
  /* al_hash64 of the decoded text: the report stage re-reads the file and  */ \
  /* shows its lines only if they still hash the same                       */ \
  X(uint64_t,     H64,  text_hash,     _)                                      \
  X(uint32_t,     U32,  text_len,      _) /* bytes of the decoded text */      \
  /* AL002: the file could not be read or decoded */                           \
  X(bool,         BOOL, unreadable,    _)                                      \
  X(const char *, CSTR, problem,       _) /* AL002's reason (arena) */         \
  X(uint32_t,     U32,  problem_line,  _) /* 1-based */                        \
  X(uint32_t,     U32,  problem_col,   _) /* 1-based code points */            \
  /* AL001: the tree has an ERROR or MISSING node */                           \
  X(bool,         BOOL, syntax_error,  _)                                      \
  X(al_span,      SPAN, error_span,    _) /* the first one */                  \
  /* "unexpected 'x'" / "missing ')'" (arena) */                               \
  X(const char *, CSTR, error_message, _)                                      \
  X(bool,         BOOL, parse_gave_up, _) /* the parser's work budget ran out */ \
  /* where a new module-level import line can go (the start of a line, or   */ \
  /* of the first statement): after the docstring, the __future__ imports   */ \
  /* and the leading block of imports, or before the first statement; the   */ \
  /* shebang and coding comments stay above. AL_NONE: no such line (no      */ \
  /* statement, or the text ends on the block's last line)                  */ \
  X(uint32_t,     U32,  import_at,     _)

// clang-format on

/** Everything known about one file after extraction. */
typedef struct al_facts {
  al_arena *arena; // owns the strings of every record below, and
                   // this record itself (al_facts_new)
  AL_FACTS_RECORDS(AL_FACTS_DECLARE_VECTOR)
  al_linemap lines; // rows and columns of spans (al_linemap_range)
  AL_FACTS_SCALARS(AL_FACTS_DECLARE)
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
