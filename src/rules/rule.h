// SPDX-License-Identifier: MIT
/*
 * The rule interface: descriptors, the check context and al_report.
 *
 * A rule is a `const al_rule` descriptor plus static check callbacks in its
 * family's file; registration is one line in rules.def. Rules declare which
 * facts they want (wants) and the engine hands them every such fact of every
 * file; they ask the model (model/index.h) to resolve names, never re-derive
 * facts, never print, and keep what they report in ctx->arena (al_report
 * formats the message there). Diagnostics keep byte positions; the report
 * stage converts them.
 */
#ifndef AL_RULES_RULE_H
#define AL_RULES_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/vec.h"
#include "facts/facts.h"
#include "model/index.h"
#include "model/project.h"

typedef enum {
  AL_SEV_ERROR,   // E: raises at run time or silently does nothing
  AL_SEV_WARNING, // W: runs, but stalls the loop or loses work
  AL_SEV_INFO,    // I: opt-in rules
} al_severity;

/** What facts a rule wants to be handed (al_rule.wants). */
enum {
  AL_WANTS_FILE = 1 << 0,   // once per file: check_file
  AL_WANTS_CALLS = 1 << 1,  // every call: check_call
  AL_WANTS_ASYNCS = 1 << 2, // every await/async with/async for: check_async
  AL_WANTS_BLOCKS = 1 << 3, // every with item and for loop: check_block
};

typedef struct al_rule_ctx al_rule_ctx;
typedef struct al_rule al_rule;

struct al_rule {
  const char *code;    // "AL200"
  const char *name;    // kebab-case: "blocking-sleep"
  const char *summary; // one line for --list-rules
  const char *message; // printf format used by al_report
  const char *doc; // What it does / Why is this bad? / Example / Use instead
  const char *equivalents; // other tools' codes, comma-separated, or ""
  al_severity severity;
  bool default_on; // false for opt-in (I) rules
  unsigned wants;  // AL_WANTS_*
  void (*check_file)(al_rule_ctx *ctx, const al_rule *self);
  void (*check_call)(al_rule_ctx *ctx, const al_rule *self, uint32_t call);
  void (*check_async)(al_rule_ctx *ctx, const al_rule *self, uint32_t site);
  void (*check_block)(al_rule_ctx *ctx, const al_rule *self,
                      uint32_t block); // block: index into facts->blocks
};

/**
 * Fixes (--fix, --unsafe-fixes, --diff; JSON "fix", SARIF "fixes").
 * Safe: the original always fails at run time, or the edit cannot change
 * behaviour. Unsafe: the edit changes what runs.
 */
typedef enum {
  AL_FIX_SAFE,
  AL_FIX_UNSAFE,
} al_fix_applicability;

/**
 * One edit: replace the bytes [start, end) of the decoded text (the offsets
 * facts keep, al_span's) with content (UTF-8; "" deletes). start == end
 * inserts.
 */
typedef struct {
  uint32_t start;
  uint32_t end;
  const char *content;
} al_edit;

/** A finding's fix: its edits apply together or not at all. */
typedef struct {
  al_fix_applicability applicability;
  const char *message; // "Add `await`", imperative, no final period
  uint32_t n_edits;
  uint32_t cap_edits;
  al_edit *edits; // sorted by start, non-overlapping (al_fix_edit keeps it)
} al_fix;

/** Whether fix has edits to apply (a voided fix has none). */
static inline bool al_fix_usable(const al_fix *fix) {
  return fix && fix->n_edits > 0;
}

/** One finding, positions still tree-sitter's (see source/position.h). */
typedef struct {
  uint32_t file; // index into the project's files
  al_range range;
  const al_rule *rule;
  const char *message; // owned by the arena the rule context reported into
  const al_fix *fix;   // NULL when none; in the same arena
} al_diag;

typedef al_vec(al_diag) al_diag_list;

/** What a check callback sees. */
struct al_rule_ctx {
  const al_index *index; // the whole tree
  const al_project *project;
  uint32_t file;         // the file being checked
  const al_facts *facts; // its facts
  const char *path;      // its display path
  al_arena *arena;       // messages go here (outlives the report stage)
  al_diag_list *out;     // where al_report appends
  const bool *enabled;   // by registry index (al_rule_index)
  al_target callee;      // check_call: the current call's callee,
                         // resolved once for every rule
};

/**
 * Record a diagnostic of rule at span, the message formatted from
 * rule->message and the arguments. Does nothing for a disabled rule.
 * Returns the new diagnostic (valid until the next report into ctx->out),
 * or NULL when nothing was recorded: hand it to al_fix_new.
 */
al_diag *al_report(al_rule_ctx *ctx, const al_rule *rule, al_span span, ...);

/**
 * al_report at a range whose points are already known (a file without a
 * line map: AL002).
 */
al_diag *al_report_range(al_rule_ctx *ctx, const al_rule *rule, al_range range,
                         ...);

/**
 * Give diag (al_report's result; NULL is allowed and gives NULL) a fix
 * with no edits yet; message is copied into ctx->arena.
 */
al_fix *al_fix_new(al_rule_ctx *ctx, al_diag *diag,
                   al_fix_applicability applicability, const char *message);

/**
 * Add an edit to fix (NULL: nothing). content is copied into ctx->arena.
 * An edit overlapping one already there (or out of the file's text) makes
 * the whole fix void: it keeps no edits and al_fix_usable is false. Insertions
 * at the same offset keep the order they were added in.
 */
void al_fix_edit(al_rule_ctx *ctx, al_fix *fix, uint32_t start, uint32_t end,
                 const char *content);

/** Whether rule is enabled in this run (rules that share a check use it). */
bool al_rule_enabled(const al_rule_ctx *ctx, const al_rule *rule);

// Registry (registry.c) ---------------------------------------------------

/** All rules sorted by code; *n gets the count. Static storage. */
const al_rule *const *al_rules_all(uint32_t *n);

/** Registry index of a rule (its position in al_rules_all). */
uint32_t al_rule_index(const al_rule *rule);

/** A rule by exact code or name (case-insensitive for codes), or NULL. */
const al_rule *al_rule_find(const char *code_or_name);

/** "error" / "warning" / "info". */
const char *al_severity_name(al_severity sev);

/**
 * Which rules run: starts from the default-on rules, or from the union of
 * `select` when it is non-empty; then removes `ignore`. A selector is an
 * exact code or name (selects the rule even if opt-in), a code prefix such
 * as "AL1" or "AL20" (selects the default-on rules under it) or "ALL"
 * (every rule, opt-in ones too). enabled must have room for every rule.
 * Returns false and fills err for an unknown selector (err->message names it
 * and `what`, e.g. "--select").
 */
bool al_rules_select(bool *enabled, const char *const *select, uint32_t n_sel,
                     const char *const *ignore, uint32_t n_ign, al_error *err);

/** Run every enabled rule over one file, appending to ctx->out. */
void al_rules_check_file(al_rule_ctx *ctx);

#endif
