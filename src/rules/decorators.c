// SPDX-License-Identifier: MIT
/*
 * Decorators of the tree that wrap an async def in a plain def (AL111). The
 * index classifies each decorator (transparent, sync wrapper, opaque); this
 * family reports the sync wrappers that do more than return the call.
 */
#include "rules/common_p.h"

static void check_sync_decorator(al_rule_ctx *ctx, const al_rule *self) {
  const al_facts *f = ctx->facts;
  for (uint32_t s = 0; s < f->scopes.len; s++) {
    const al_scope *sc = &f->scopes.items[s];
    if (sc->kind != AL_SCOPE_ASYNC_FUNCTION || sc->n_decorators == 0)
      continue;
    for (uint32_t i = 0; i < sc->n_decorators; i++) {
      al_target deco, wrapper;
      if (al_index_decorator_kind(ctx->index, ctx->file, s, i, &deco,
                                  &wrapper) != AL_DECO_SYNC_WRAPPER)
        continue;
      const al_project_file *df = al_rule_file(ctx, deco.file);
      const al_scope *d = &df->facts->scopes.items[deco.scope];
      const al_scope *w =
          &al_rule_file(ctx, wrapper.file)->facts->scopes.items[wrapper.scope];
      al_report(ctx, self, sc->name_span, (int)sc->name.len, sc->name.ptr,
                (int)d->name.len, d->name.ptr, df->path,
                al_facts_line(df->facts, d->name_span), (int)w->name.len,
                w->name.ptr, (int)w->name.len, w->name.ptr);
    }
  }
}

const al_rule al_rule_sync_decorator_on_async_function = {
    .code = "AL111",
    .name = "sync-decorator-on-async-function",
    .summary = "an async def wrapped by a tree decorator's plain-def wrapper",
    .message = "async function '%.*s' is decorated with '%.*s' (%s:%u), whose "
               "wrapper '%.*s' is a plain def that does more than return the "
               "call: that code runs before the coroutine does; make '%.*s' "
               "async and await the call",
    .doc = "What it does\n"
           "  Flags an `async def` decorated with a decorator of the tree "
           "whose wrapper is a\n  plain `def` that calls the wrapped "
           "function and does more than return the\n  call (timing, "
           "try/except, logging, retries).\n\n"
           "Why is this bad?\n"
           "  The wrapper only creates the coroutine: its timer stops, its "
           "try/except\n  returns and its log line is written before the "
           "coroutine runs, so none of\n  it sees the real work (and "
           "exceptions escape the try).\n\n"
           "Example\n"
           "  def timed(fn):\n"
           "      @functools.wraps(fn)\n"
           "      def wrapper(*a, **kw):\n"
           "          start = time.monotonic()\n"
           "          try:\n"
           "              return fn(*a, **kw)\n"
           "          finally:\n"
           "              log(time.monotonic() - start)\n"
           "      return wrapper\n\n"
           "  @timed\n"
           "  async def fetch(url): ...\n\n"
           "Use instead\n"
           "  def timed(fn):\n"
           "      @functools.wraps(fn)\n"
           "      async def wrapper(*a, **kw):\n"
           "          start = time.monotonic()\n"
           "          try:\n"
           "              return await fn(*a, **kw)\n"
           "          finally:\n"
           "              log(time.monotonic() - start)\n"
           "      return wrapper\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
    .wants = AL_WANTS_FILE,
    .check_file = check_sync_decorator,
};
