// SPDX-License-Identifier: MIT
/*
 * The rule engine: hands every fact of a file to the enabled rules that
 * asked for it (al_rule.wants), resolving each call's callee once for all
 * of them, and records what they report. No rule-specific code lives here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules/rule.h"

// Room for every registered rule (the registry has far fewer).
#define AL_MAX_RULES 256

bool al_rule_enabled(const al_rule_ctx *ctx, const al_rule *rule) {
  return ctx->enabled[al_rule_index(rule)];
}

static al_diag *report(al_rule_ctx *ctx, const al_rule *rule, al_range range,
                       va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  // The format is the descriptor's own string, never data.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  char probe[1];
  int n = vsnprintf(probe, sizeof probe, rule->message, ap);
  char *msg = al_arena_alloc(ctx->arena, (size_t)(n < 0 ? 0 : n) + 1);
  vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, rule->message, ap2);
#pragma GCC diagnostic pop
  va_end(ap2);
  al_diag d = {ctx->file, range, rule, msg, NULL};
  vec_push(ctx->out, d);
  return &ctx->out->items[ctx->out->len - 1];
}

al_diag *al_report(al_rule_ctx *ctx, const al_rule *rule, al_span span, ...) {
  if (!al_rule_enabled(ctx, rule))
    return NULL;
  va_list ap;
  va_start(ap, span);
  al_diag *d =
      report(ctx, rule, al_linemap_range(&ctx->facts->lines, span), ap);
  va_end(ap);
  return d;
}

al_diag *al_report_range(al_rule_ctx *ctx, const al_rule *rule, al_range range,
                         ...) {
  if (!al_rule_enabled(ctx, rule))
    return NULL;
  va_list ap;
  va_start(ap, range);
  al_diag *d = report(ctx, rule, range, ap);
  va_end(ap);
  return d;
}

al_fix *al_fix_new(al_rule_ctx *ctx, al_diag *diag,
                   al_fix_applicability applicability, const char *message) {
  if (!diag)
    return NULL;
  al_fix *fix = al_arena_alloc(ctx->arena, sizeof *fix);
  *fix = (al_fix){applicability,
                  al_arena_strndup(ctx->arena, message, strlen(message)), 0, 0,
                  NULL};
  diag->fix = fix;
  return fix;
}

void al_fix_edit(al_rule_ctx *ctx, al_fix *fix, uint32_t start, uint32_t end,
                 const char *content) {
  if (!fix || fix->cap_edits == UINT32_MAX)
    return;
  bool bad = start > end || end > ctx->facts->text_len;
  uint32_t at = fix->n_edits; // keep sorted by start; equal starts: in order
  while (at > 0 && fix->edits[at - 1].start > start)
    at--;
  if (at > 0 && fix->edits[at - 1].end > start)
    bad = true;
  if (at < fix->n_edits && end > fix->edits[at].start)
    bad = true;
  if (bad) { // void: no edits, never applied (cap UINT32_MAX marks it)
    fix->n_edits = 0;
    fix->cap_edits = UINT32_MAX;
    return;
  }
  if (fix->n_edits == fix->cap_edits) {
    uint32_t cap = fix->cap_edits ? fix->cap_edits * 2 : 2;
    al_edit *e = al_arena_alloc(ctx->arena, cap * sizeof *e);
    for (uint32_t i = 0; i < fix->n_edits; i++)
      e[i] = fix->edits[i];
    fix->edits = e;
    fix->cap_edits = cap;
  }
  for (uint32_t i = fix->n_edits; i > at; i--)
    fix->edits[i] = fix->edits[i - 1];
  fix->edits[at] = (al_edit){
      start, end, al_arena_strndup(ctx->arena, content, strlen(content))};
  fix->n_edits++;
}

void al_rules_check_file(al_rule_ctx *ctx) {
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  const al_rule *on_file[AL_MAX_RULES], *on_call[AL_MAX_RULES],
      *on_async[AL_MAX_RULES], *on_block[AL_MAX_RULES];
  uint32_t n_file = 0, n_call = 0, n_async = 0, n_block = 0;
  al_assert(n <= AL_MAX_RULES);
  for (uint32_t i = 0; i < n && i < AL_MAX_RULES; i++) {
    const al_rule *r = all[i];
    if (!ctx->enabled[i])
      continue;
    if ((r->wants & AL_WANTS_FILE) && r->check_file)
      on_file[n_file++] = r;
    if ((r->wants & AL_WANTS_CALLS) && r->check_call)
      on_call[n_call++] = r;
    if ((r->wants & AL_WANTS_ASYNCS) && r->check_async)
      on_async[n_async++] = r;
    if ((r->wants & AL_WANTS_BLOCKS) && r->check_block)
      on_block[n_block++] = r;
  }
  const al_facts *f = ctx->facts;
  for (uint32_t i = 0; i < n_file; i++)
    on_file[i]->check_file(ctx, on_file[i]);
  if (f->unreadable)
    return;
  if (n_call) {
    for (uint32_t c = 0; c < f->calls.len; c++) {
      ctx->callee = al_index_resolve_callee(ctx->index, ctx->file, c);
      for (uint32_t i = 0; i < n_call; i++)
        on_call[i]->check_call(ctx, on_call[i], c);
    }
  }
  for (uint32_t a = 0; a < f->asyncs.len; a++)
    for (uint32_t i = 0; i < n_async; i++)
      on_async[i]->check_async(ctx, on_async[i], a);
  for (uint32_t b = 0; b < f->blocks.len; b++)
    for (uint32_t i = 0; i < n_block; i++)
      on_block[i]->check_block(ctx, on_block[i], b);
}
