// SPDX-License-Identifier: MIT
/*
 * Parse problems (AL0xx): files that do not parse (AL001) or cannot be read
 * or decoded (AL002). Both come straight from the facts; the run goes on
 * with the other files, and a file with a syntax error is still analysed in
 * the parts that parse. AL003 (suppressions that suppress nothing) is only
 * described here: the suppression stage reports it (suppress/noqa.c),
 * since only it knows what each comment covered.
 */
#include "rules/rule.h"

static void check_syntax_error(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  if (!f->syntax_error)
    return;
  al_report(ctx, self, f->error_span, f->error_message);
}

const al_rule al_rule_syntax_error = {
    .code = "AL001",
    .name = "syntax-error",
    .summary = "the file does not parse",
    .message = "syntax error: %s",
    .doc = "What it does\n"
           "  Reports a file that does not parse as Python, once per file, at "
           "the first error.\n\n"
           "Why is this bad?\n"
           "  The module cannot be imported. asynclint still analyses the "
           "parts that parse,\n  so a broken file never looks clean, but "
           "findings near the error may be missing.\n\n"
           "Example\n"
           "  def handler(request:\n"
           "      return 1\n\n"
           "Use instead\n"
           "  def handler(request):\n"
           "      return 1\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_syntax_error,
};

static void check_unreadable(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  if (!f->unreadable)
    return;
  // No text and no line map: the problem's position is already in
  // characters, and an empty map converts it unchanged.
  uint32_t row = f->problem_line ? f->problem_line - 1 : 0;
  uint32_t col = f->problem_col ? f->problem_col - 1 : 0;
  al_range at = {0, 0, row, col, row, col};
  al_report_range(ctx, self, at, f->problem);
}

const al_rule al_rule_unreadable_file = {
    .code = "AL002",
    .name = "unreadable-file",
    .summary = "the file cannot be read or decoded",
    .message = "%s",
    .doc = "What it does\n"
           "  Reports a file that cannot be read (permission denied, vanished) "
           "or decoded:\n  NUL bytes, invalid UTF-8, an unknown or wrong "
           "PEP 263 coding declaration.\n\n"
           "Why is this bad?\n"
           "  Python refuses to import such a file, and asynclint cannot check "
           "it. The run\n  goes on with the other files.\n\n"
           "Example\n"
           "  # -*- coding: no-such-codec -*-\n\n"
           "Use instead\n"
           "  # -*- coding: latin-1 -*-   (or save the file as UTF-8)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_unreadable,
};

const al_rule al_rule_unused_suppression = {
    .code = "AL003",
    .name = "unused-suppression",
    .summary = "a noqa or asynclint: ignore comment that suppresses nothing",
    .message = "%s",
    .doc = "What it does\n"
           "  Reports a suppression comment that suppressed nothing in this "
           "run: a bare\n  `# noqa` or `# asynclint: ignore` with no "
           "diagnostic on its line, or the\n  codes of `# noqa: AL100` / "
           "`# asynclint: ignore[AL100]` that matched no\n  diagnostic there. "
           "Only codes and names of rules enabled in the run count;\n  other "
           "tools' codes (ASYNC251, E501) are never reported. Opt-in: "
           "enable it with\n  --report-unused-noqa (or --select AL003).\n\n"
           "Why is this bad?\n"
           "  A stale suppression hides the next real finding on that line, "
           "and tells the\n  reader about a problem that is no longer "
           "there.\n\n"
           "Example\n"
           "  await asyncio.sleep(1)  # noqa: AL200\n\n"
           "Use instead\n"
           "  await asyncio.sleep(1)\n",
    .equivalents = "ruff RUF100",
    .severity = AL_SEV_WARNING,
    .default_on = false,
    .wants = 0,
};
