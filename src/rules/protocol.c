// SPDX-License-Identifier: MIT
/*
 * Sync/async protocol mismatches (AL3xx): `with` on an async context
 * manager, a sync `for` over an async iterable, and the reverse pairs. What
 * an object supports is the index's answer (al_index_block_protocol): the
 * catalog's facets for library objects, `__enter__`/`__aenter__`/`__iter__`/
 * `__aiter__` (inherited ones included) for classes of the tree,
 * @contextmanager/@asynccontextmanager and (async) generator functions.
 * This family only pairs the block's kind with that answer; an UNKNOWN or
 * BOTH answer is never reported.
 */
#include "rules/common_p.h"
#include "rules/fixes_p.h"

// Room for the index's reason ("'Pool' (app/db.py:12) defines __aenter__
// but not __enter__", with a long path).
#define WHY_MAX 512

// Whether every other item of the with statement of item `block` supports
// `bad`, the protocol the fix switches the statement to (only it, or both):
// an unknown item may be one the switch would break.
static bool items_agree(al_rule_ctx *ctx, uint32_t block, al_proto bad) {
  const al_facts *f = ctx->facts;
  uint32_t kw = f->blocks.items[block].keyword.start_byte;
  char why[WHY_MAX];
  for (uint32_t i = 0; i < f->blocks.len; i++) {
    const al_block_site *o = &f->blocks.items[i];
    if (i == block || o->is_for || o->keyword.start_byte != kw)
      continue;
    al_proto p =
        al_index_block_protocol(ctx->index, ctx->file, i, why, sizeof why);
    if (p != bad && p != AL_PROTO_BOTH)
      return false;
  }
  return true;
}

// The fix of a mismatch: `async` written before the keyword (only where an
// async def may hold it, and not in a generator expression, which it would
// turn into an async one), or deleted with the space after it. Safe: the
// original always raises TypeError.
static void fix_mismatch(al_rule_ctx *ctx, al_diag *d, uint32_t block,
                         al_proto bad) {
  const al_block_site *b = &ctx->facts->blocks.items[block];
  if (!d || (!b->is_for && !items_agree(ctx, block, bad)))
    return;
  static const char *const messages[2][2] = {
      {"Use `async with`", "Use `async for`"}, {"Use `with`", "Use `for`"}};
  if (b->is_async) {
    al_fix *fix = al_fix_new(ctx, d, AL_FIX_SAFE, messages[1][b->is_for]);
    al_fix_edit(ctx, fix, b->keyword.start_byte, b->word, "");
    return;
  }
  if (!al_fixes_can_await(ctx->facts, b->scope, b->keyword))
    return;
  al_fix *fix = al_fix_new(ctx, d, AL_FIX_SAFE, messages[0][b->is_for]);
  al_fix_edit(ctx, fix, b->keyword.start_byte, b->keyword.start_byte, "async ");
}

// Report `block` when its kind matches (a for loop when is_for, else a with
// item; `async` present when is_async) and the index says its object
// supports only the other protocol (`bad`). The reason is the index's.
static void check_mismatch(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t block, bool is_for, bool is_async,
                           al_proto bad) {
  const al_block_site *b = &ctx->facts->blocks.items[block];
  if ((bool)b->is_for != is_for || (bool)b->is_async != is_async)
    return;
  char why[WHY_MAX];
  if (al_index_block_protocol(ctx->index, ctx->file, block, why, sizeof why) !=
      bad)
    return;
  // why is formatted into ctx->arena at once.
  fix_mismatch(ctx, al_report(ctx, self, b->span, why), block, bad);
}

// --- AL300 sync-with-async-context-manager ----------------------------------

static void check_sync_with(al_rule_ctx *ctx, const al_rule *self,
                            uint32_t block) {
  check_mismatch(ctx, self, block, false, false, AL_PROTO_ASYNC_ONLY);
}

const al_rule al_rule_sync_with_async_context_manager = {
    .code = "AL300",
    .name = "sync-with-async-context-manager",
    .summary = "'with' on an async context manager",
    .message = "'with' on an async context manager: %s; use 'async with'",
    .doc = "What it does\n"
           "  Flags a `with` statement whose context expression only "
           "supports the async\n  context-manager protocol: "
           "aiohttp.ClientSession(), asyncio.Lock(), a lock\n  object, "
           "asyncio.timeout(1), asyncio.TaskGroup(), httpx.AsyncClient(), a "
           "class of\n  the tree that defines __aenter__ but not __enter__ "
           "(inherited methods count),\n  or a function decorated "
           "@asynccontextmanager.\n\n"
           "Why is this bad?\n"
           "  A plain `with` looks up __enter__ and __exit__, which these "
           "objects do not\n  have: the statement raises TypeError (or "
           "AttributeError on older Pythons)\n  before its body runs, and "
           "the resource is never opened.\n\n"
           "Example\n"
           "  async def fetch(url):\n"
           "      with aiohttp.ClientSession() as session:\n"
           "          ...\n\n"
           "Use instead\n"
           "  async def fetch(url):\n"
           "      async with aiohttp.ClientSession() as session:\n"
           "          ...\n",
    .equivalents = "pylint E1129",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_BLOCKS,
    .check_block = check_sync_with,
};

// --- AL301 sync-for-async-iterable -------------------------------------------

static void check_sync_for(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t block) {
  check_mismatch(ctx, self, block, true, false, AL_PROTO_ASYNC_ONLY);
}

const al_rule al_rule_sync_for_async_iterable = {
    .code = "AL301",
    .name = "sync-for-async-iterable",
    .summary = "sync 'for' over an async iterable",
    .message = "'for' over an async iterable: %s; use 'async for'",
    .doc = "What it does\n"
           "  Flags a sync `for` statement or comprehension clause whose "
           "iterable only\n  supports async iteration: an aiohttp "
           "response's content, an async generator\n  function of the tree "
           "called as `for x in agen()`, a class of the tree that\n  "
           "defines __aiter__ but not __iter__ (inherited methods count).\n\n"
           "Why is this bad?\n"
           "  A sync `for` calls iter(), which such objects do not support: "
           "the loop raises\n  TypeError (\"'async_generator' object is "
           "not iterable\") and never runs.\n\n"
           "Example\n"
           "  async def ticks():\n"
           "      yield 1\n\n"
           "  async def main():\n"
           "      for t in ticks():\n"
           "          print(t)\n\n"
           "Use instead\n"
           "  async def main():\n"
           "      async for t in ticks():\n"
           "          print(t)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_BLOCKS,
    .check_block = check_sync_for,
};

// --- AL302 async-with-sync-context-manager ----------------------------------

static void check_async_with(al_rule_ctx *ctx, const al_rule *self,
                             uint32_t block) {
  check_mismatch(ctx, self, block, false, true, AL_PROTO_SYNC_ONLY);
}

const al_rule al_rule_async_with_sync_context_manager = {
    .code = "AL302",
    .name = "async-with-sync-context-manager",
    .summary = "'async with' on a sync-only context manager",
    .message = "'async with' on a sync-only context manager: %s; use 'with' "
               "or an async equivalent",
    .doc = "What it does\n"
           "  Flags an `async with` whose context expression only supports "
           "the sync\n  context-manager protocol: open(...), "
           "threading.Lock(), a class of the tree\n  that defines __enter__ "
           "but not __aenter__ (inherited methods count), or a\n  function "
           "decorated @contextmanager.\n\n"
           "Why is this bad?\n"
           "  `async with` looks up __aenter__ and __aexit__, which these "
           "objects do not\n  have: the statement raises TypeError before "
           "its body runs. Switching to a\n  plain `with` makes it run, but "
           "a blocking resource (a file, a thread lock)\n  then blocks the "
           "event loop; prefer its async counterpart (aiofiles,\n  "
           "asyncio.Lock).\n\n"
           "Example\n"
           "  async def save(path, data):\n"
           "      async with open(path, \"w\") as f:\n"
           "          f.write(data)\n\n"
           "Use instead\n"
           "  async def save(path, data):\n"
           "      async with aiofiles.open(path, \"w\") as f:\n"
           "          await f.write(data)\n",
    .equivalents = "pylint E1701",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_BLOCKS,
    .check_block = check_async_with,
};

// --- AL303 async-for-sync-iterable -------------------------------------------

static void check_async_for(al_rule_ctx *ctx, const al_rule *self,
                            uint32_t block) {
  check_mismatch(ctx, self, block, true, true, AL_PROTO_SYNC_ONLY);
}

const al_rule al_rule_async_for_sync_iterable = {
    .code = "AL303",
    .name = "async-for-sync-iterable",
    .summary = "'async for' over a sync-only iterable",
    .message = "'async for' over a sync-only iterable: %s; use 'for'",
    .doc = "What it does\n"
           "  Flags an `async for` statement or comprehension clause whose "
           "iterable only\n  supports sync iteration: range(...), a list, "
           "tuple, set, dict or string\n  literal, a plain generator "
           "function of the tree, a class of the tree that\n  defines "
           "__iter__ but not __aiter__ (inherited methods count).\n\n"
           "Why is this bad?\n"
           "  `async for` calls __aiter__, which these objects do not have: "
           "the loop raises\n  TypeError (\"'async for' requires an object "
           "with __aiter__ method\") and never\n  runs.\n\n"
           "Example\n"
           "  async def main():\n"
           "      async for i in range(3):\n"
           "          await work(i)\n\n"
           "Use instead\n"
           "  async def main():\n"
           "      for i in range(3):\n"
           "          await work(i)\n",
    .equivalents = "",
    .severity = AL_SEV_ERROR,
    .default_on = true,
    .wants = AL_WANTS_BLOCKS,
    .check_block = check_async_for,
};
