// SPDX-License-Identifier: MIT
/*
 * Suppression comments: `# noqa`, `# noqa: AL100, AL200`, `# asynclint:
 * ignore[AL100]` and the file-level `# asynclint: skip-file`. This module
 * parses comment text and applies the result to a file's diagnostics
 * (reporting the suppressions that suppress nothing, AL003, when that rule
 * is on); it does not find comments (extraction records them).
 */
#ifndef AL_SUPPRESS_NOQA_H
#define AL_SUPPRESS_NOQA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"
#include "rules/rule.h"

#define AL_NOQA_MAX_CODES 32

typedef struct {
  bool all;                        // bare `# noqa` (every code on the line)
  bool skip_file;                  // `# asynclint: skip-file`
  uint8_t n;                       // codes listed
  al_str codes[AL_NOQA_MAX_CODES]; // slices of the comment text
  uint8_t directives;              // directives found in the comment
  bool noqa_form;                  // the last one is `# noqa...`
  al_str directive;                // the last one: from its '#' to the end
                                   // of its code list (or of `noqa`)
} al_noqa;

/**
 * Parse one comment (starting at '#'). Returns true when it is a
 * suppression and fills *out. Case-insensitive for `noqa`; codes are
 * separated by commas and/or spaces; `# noqa:` with nothing after it counts
 * as bare `# noqa`. A `noqa` after other comment text (`# type: x  # noqa`)
 * counts too.
 */
bool al_noqa_parse(al_str comment, al_noqa *out);

/** Whether the parsed suppression covers rule (by code or name). */
bool al_noqa_covers(const al_noqa *self, const al_rule *rule);

/**
 * Drop the diagnostics of file suppressed by its comments (and all of them
 * after `skip-file`), keeping the order. diags[0..*n) all belong to facts'
 * file; *n is updated.
 */
void al_noqa_apply(const al_facts *facts, al_diag *diags, uint32_t *n);

/** AL003 unused-suppression (defined with the other AL0xx rules). */
extern const al_rule al_rule_unused_suppression;

/**
 * The suppression stage of one file: drop the diagnostics in ctx->out
 * (all of ctx->facts' file) that its comments cover, as al_noqa_apply does,
 * and when AL003 is enabled report through al_report every suppression
 * comment that covered nothing: a bare `# noqa` / `# asynclint: ignore`
 * with no diagnostic on its line, or the listed codes (asynclint codes or
 * names of enabled rules; other tools' codes are never reported) that
 * matched no diagnostic there. A comment listing AL003 itself is left
 * alone. AL003 diagnostics are appended after the others (unsorted).
 */
void al_noqa_filter(al_rule_ctx *ctx);

#endif
