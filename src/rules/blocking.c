// SPDX-License-Identifier: MIT
/*
 * Blocking calls inside `async def` (AL2xx). Which calls block, under which
 * rule code and with which async replacement is catalog data (facet
 * `blocking`); every rule of this family shares one check that reports the
 * call when the catalog names that rule's code and the call runs on the
 * event loop (directly in an async def body: not in a nested plain def,
 * lambda or class body). A blocking function passed uncalled (to_thread,
 * run_in_executor) is an argument, not a call, and so is never flagged.
 */
#include <string.h>

#include "rules/common_p.h"
#include "rules/fixes_p.h"

extern const al_rule al_rule_blocking_file_io;

// Whether `maker` is a call this rule reports (an open).
static bool reported_maker(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t maker) {
  al_target t = al_index_resolve_callee(ctx->index, ctx->file, maker);
  const al_catalog_entry *e = al_rules_entry(&t, AL_CAT_BLOCKING);
  return e && strcmp(e->blocking_code, self->code) == 0 &&
         al_index_call_blocks(ctx->index, ctx->file, maker, e);
}

// AL203 reports a file object once, at the open that makes it: a read or
// write on an object that the same function opened (`f = open(p)`, `with
// open(p) as f`, `open(p).read()`) is not reported again, so that one noqa
// on the open line silences the object. An object from elsewhere (a
// parameter, an attribute) is reported at each call.
static bool object_reported_at_open(al_rule_ctx *ctx, const al_rule *self,
                                    uint32_t call) {
  if (self != &al_rule_blocking_file_io)
    return false;
  const al_call *c = &ctx->facts->calls.items[call];
  if (c->callee.kind == AL_REF_ON_CALL)
    return c->callee.base_call != AL_NONE &&
           !memchr(c->callee.dotted.ptr, '.', c->callee.dotted.len) &&
           reported_maker(ctx, self, c->callee.base_call);
  uint32_t makers[8];
  uint32_t n =
      al_index_receiver_makers(ctx->index, ctx->file, call, false, makers, 8);
  for (uint32_t i = 0; i < n; i++)
    if (!reported_maker(ctx, self, makers[i]))
      return false;
  return n > 0;
}

// The replacement to advise. A configured call's (AL208) is running it in a
// thread by its qualified name: for a method that is the unbound function
// (sdk.Client.fetch_sync), so the call's own text (c.fetch_sync) names it,
// as AL209 does.
static const char *replacement(al_rule_ctx *ctx, const al_rule *self,
                               const al_catalog_entry *e, const al_call *c,
                               const char *written) {
  if (strcmp(self->code, "AL208") != 0 || c->callee.kind == AL_REF_NONE)
    return e->replacement;
  return al_arena_printf(ctx->arena, "await asyncio.to_thread(%s, ...)",
                         written);
}

extern const al_rule al_rule_blocking_sleep;

// Which event-loop library the file uses: asyncio, unless it imports trio
// or anyio and not asyncio (anyio when it imports both: it runs on either).
static const char *sleep_library(const al_facts *f) {
  bool uses[3] = {false, false, false};
  static const char *const libs[3] = {"asyncio", "anyio", "trio"};
  for (uint32_t i = 0; i < f->imports.len; i++) {
    al_str m = f->imports.items[i].module;
    if (f->imports.items[i].level)
      continue;
    for (int k = 0; k < 3; k++) {
      size_t n = strlen(libs[k]);
      uses[k] |= m.len >= n && memcmp(m.ptr, libs[k], n) == 0 &&
                 (m.len == n || m.ptr[n] == '.');
    }
  }
  return uses[0] ? libs[0] : uses[1] ? libs[1] : uses[2] ? libs[2] : libs[0];
}

// AL200's fix: time.sleep(x) -> await asyncio.sleep(x) (trio.sleep,
// anyio.sleep in a file of that library), replacing the function
// expression and adding `import asyncio` when no name for the module is in
// scope. Only a call with one positional argument, where `await` may go.
static void fix_sleep(al_rule_ctx *ctx, al_diag *d, uint32_t call) {
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  // time.sleep itself: a catalog extended from the config may give AL200
  // other functions, whose arguments need not be seconds.
  if (!d || ctx->callee.kind != AL_TARGET_EXTERNAL ||
      strcmp(ctx->callee.qualname, "time.sleep") != 0 || c->n_args != 1 ||
      c->callee.len == 0 || !al_fixes_can_await(f, c->scope, c->span))
    return;
  const al_arg *a = &f->args.items[c->first_arg];
  if (a->index != 0 || a->kind == AL_ARG_STARRED)
    return;
  const char *lib = sleep_library(f);
  bool importable = false;
  const char *name =
      al_fixes_module_name(ctx, c->scope, lib, "sleep", &importable);
  if (!name && !importable)
    return;
  bool paren = al_fixes_call_needs_parens(f, call);
  al_fix *fix = al_fix_new(ctx, d, AL_FIX_UNSAFE,
                           al_arena_printf(ctx->arena,
                                           "Replace with `await %s.sleep(...)`",
                                           name ? name : lib));
  if (!name)
    al_fixes_import(ctx, fix, lib);
  // `await time.sleep(x)` (AL109's too) only needs the function replaced.
  uint32_t start = c->span.start_byte;
  al_fix_edit(ctx, fix, start, start + c->callee.len,
              al_arena_printf(ctx->arena, "%s%s%s.sleep", paren ? "(" : "",
                              c->ctx == AL_CTX_AWAIT ? "" : "await ",
                              name ? name : lib));
  if (paren)
    al_fix_edit(ctx, fix, c->span.end_byte, c->span.end_byte, ")");
}

static void check_blocking(al_rule_ctx *ctx, const al_rule *self,
                           uint32_t call) {
  const al_target *t = &ctx->callee;
  const al_catalog_entry *e = al_rules_entry(t, AL_CAT_BLOCKING);
  if (!e || strcmp(e->blocking_code, self->code) != 0)
    return;
  const al_facts *f = ctx->facts;
  const al_call *c = &f->calls.items[call];
  if (!al_rules_on_event_loop(f, c->scope) ||
      !al_index_call_blocks(ctx->index, ctx->file, call, e) ||
      object_reported_at_open(ctx, self, call))
    return;
  const al_scope *s = &f->scopes.items[c->scope];
  const char *written = al_rules_written(ctx, call);
  al_diag *d = al_report(ctx, self, c->span, al_rules_describe(ctx, written, t),
                         (int)s->name.len, s->name.ptr,
                         replacement(ctx, self, e, c, written));
  if (self == &al_rule_blocking_sleep)
    fix_sleep(ctx, d, call);
}

#define BLOCKING_MESSAGE                                                       \
  "%s blocks the event loop inside async function '%.*s'; use '%s'"

// What every rule of the family shares: the message and the check.
#define BLOCKING_RULE                                                          \
  .message = BLOCKING_MESSAGE, .wants = AL_WANTS_CALLS,                        \
  .check_call = check_blocking

const al_rule al_rule_blocking_sleep = {
    BLOCKING_RULE,
    .code = "AL200",
    .name = "blocking-sleep",
    .summary = "time.sleep() inside async def",
    .doc = "What it does\n"
           "  Flags time.sleep() called on the event loop: directly in an "
           "`async def` body.\n\n"
           "Why is this bad?\n"
           "  time.sleep blocks the whole thread, and with it the event loop: "
           "every other\n  task freezes for the duration.\n\n"
           "Example\n"
           "  async def retry():\n"
           "      time.sleep(1)\n\n"
           "Use instead\n"
           "  async def retry():\n"
           "      await asyncio.sleep(1)\n",
    .equivalents = "ASYNC251",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_configured_call = {
    BLOCKING_RULE,
    .code = "AL208",
    .name = "blocking-configured-call",
    .summary = "a call listed in the config's blocking-calls, in async def",
    .doc = "What it does\n"
           "  Flags calls of the functions listed under `blocking-calls` in "
           "the config file\n  (asynclint.toml or [tool.asynclint] in "
           "pyproject.toml) made on the event loop:\n  directly in an "
           "`async def` body.\n\n"
           "Why is this bad?\n"
           "  A project knows its own blocking helpers (a sync SDK, a "
           "legacy database layer)\n  better than any built-in list. "
           "Called from a coroutine, they freeze every\n  other task for "
           "as long as they run.\n\n"
           "Example\n"
           "  # pyproject.toml: [tool.asynclint] blocking-calls = "
           "[\"mylib.fetch_sync\"]\n"
           "  async def handler():\n"
           "      data = mylib.fetch_sync()\n\n"
           "Use instead\n"
           "  async def handler():\n"
           "      data = await asyncio.to_thread(mylib.fetch_sync)\n",
    .equivalents = "ASYNC200",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_http_call = {
    BLOCKING_RULE,
    .code = "AL201",
    .name = "blocking-http-call",
    .summary = "a sync HTTP client call (requests, urllib, httpx.Client) "
               "inside async def",
    .doc = "What it does\n"
           "  Flags HTTP requests made with a sync client on the event loop "
           "(directly in an\n  `async def` body): requests.get/post/... and "
           "requests.Session methods,\n  urllib.request.urlopen, urllib3 "
           "pool managers, httpx.get/post/... and\n  httpx.Client methods, "
           "http.client connections. Receivers are followed:\n  `s = "
           "requests.Session()`, `with httpx.Client() as c`, `self.session "
           "=\n  requests.Session()` in __init__.\n\n"
           "Why is this bad?\n"
           "  A request waits for the network for milliseconds to minutes; "
           "a sync client\n  waits by blocking the thread, so every other "
           "task of the event loop waits\n  with it.\n\n"
           "Example\n"
           "  async def fetch_user(uid):\n"
           "      return requests.get(f\"{API}/users/{uid}\").json()\n\n"
           "Use instead\n"
           "  async def fetch_user(uid):\n"
           "      async with httpx.AsyncClient() as client:\n"
           "          resp = await client.get(f\"{API}/users/{uid}\")\n"
           "      return resp.json()\n",
    .equivalents = "ASYNC210, ASYNC211, ASYNC212",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_subprocess = {
    BLOCKING_RULE,
    .code = "AL202",
    .name = "blocking-subprocess",
    .summary = "subprocess / os.system / os.wait* inside async def",
    .doc = "What it does\n"
           "  Flags starting or waiting for a process with the sync APIs on "
           "the event loop\n  (directly in an `async def` body): "
           "subprocess.run/call/check_call/check_output/\n  getoutput/"
           "getstatusoutput/Popen, Popen.wait/communicate, os.system, "
           "os.popen,\n  os.spawn*, os.posix_spawn*, os.wait*.\n\n"
           "Why is this bad?\n"
           "  These calls wait for the child process (or fork and exec it) "
           "on the calling\n  thread: the event loop and all its tasks stop "
           "until the command is done.\n\n"
           "Example\n"
           "  async def build():\n"
           "      subprocess.run([\"make\", \"all\"], check=True)\n\n"
           "Use instead\n"
           "  async def build():\n"
           "      proc = await asyncio.create_subprocess_exec(\"make\", "
           "\"all\")\n"
           "      await proc.wait()\n",
    .equivalents = "ASYNC220, ASYNC221, ASYNC222",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_file_io = {
    BLOCKING_RULE,
    .code = "AL203",
    .name = "blocking-file-io",
    .summary = "open() / file reads and writes / shutil inside async def",
    .doc = "What it does\n"
           "  Flags file I/O on the event loop (directly in an `async def` "
           "body): open(),\n  io.open, pathlib.Path.read_text/"
           "read_bytes/write_text/write_bytes/open,\n  shutil.copy*/move/"
           "rmtree, os.fdopen when the function reads or writes its\n  "
           "object, and read/readline/readlines/write/writelines/flush on "
           "file objects\n  from elsewhere (`self.log`, opened "
           "in __init__). A file object\n  opened in the same function is "
           "reported once, at its open (`with open(p) as\n  f: f.read()` is "
           "one finding), so one noqa there silences it.\n\n"
           "Why is this bad?\n"
           "  Disk I/O blocks the thread: on a slow or network file system, "
           "or for large\n  files, every task of the event loop stalls "
           "while the kernel reads or writes.\n\n"
           "Example\n"
           "  async def load_config(path):\n"
           "      with open(path) as f:\n"
           "          return json.loads(f.read())\n\n"
           "Use instead\n"
           "  async def load_config(path):\n"
           "      async with aiofiles.open(path) as f:\n"
           "          return json.loads(await f.read())\n"
           "  # or: text = await asyncio.to_thread(Path(path).read_text)\n",
    .equivalents = "ASYNC230, ASYNC231, ASYNC232",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_input = {
    BLOCKING_RULE,
    .code = "AL204",
    .name = "blocking-input",
    .summary = "input() inside async def",
    .doc = "What it does\n"
           "  Flags reading the terminal on the event loop (directly in an "
           "`async def`\n  body): input(), getpass.getpass(), "
           "sys.stdin.read/readline/readlines.\n\n"
           "Why is this bad?\n"
           "  input() waits for the user to type a line; until then the "
           "event loop runs\n  nothing else: no timers, no network, no "
           "other task.\n\n"
           "Example\n"
           "  async def repl(client):\n"
           "      while True:\n"
           "          line = input(\"> \")\n"
           "          await client.send(line)\n\n"
           "Use instead\n"
           "  async def repl(client):\n"
           "      while True:\n"
           "          line = await asyncio.to_thread(input, \"> \")\n"
           "          await client.send(line)\n",
    .equivalents = "ASYNC250",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_socket = {
    BLOCKING_RULE,
    .code = "AL205",
    .name = "blocking-socket",
    .summary = "sync socket calls, DNS look-ups, smtplib, ftplib inside "
               "async def",
    .doc = "What it does\n"
           "  Flags sync network calls on the event loop (directly in an "
           "`async def` body):\n  socket.create_connection, getaddrinfo, "
           "gethostbyname and the other name\n  look-ups, connect/recv/"
           "send/sendall/accept on socket.socket and ssl.SSLSocket\n  "
           "objects, smtplib.SMTP and ftplib.FTP and their methods.\n\n"
           "Why is this bad?\n"
           "  A sync socket call waits for the peer (or the DNS server) on "
           "the calling\n  thread; the event loop cannot serve any other "
           "connection meanwhile.\n\n"
           "Example\n"
           "  async def ping(host):\n"
           "      sock = socket.create_connection((host, 7))\n"
           "      sock.sendall(b\"ping\")\n"
           "      return sock.recv(4)\n\n"
           "Use instead\n"
           "  async def ping(host):\n"
           "      reader, writer = await asyncio.open_connection(host, 7)\n"
           "      writer.write(b\"ping\")\n"
           "      await writer.drain()\n"
           "      return await reader.read(4)\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_database_client = {
    BLOCKING_RULE,
    .code = "AL206",
    .name = "blocking-database-client",
    .summary = "a sync database client call (sqlite3, psycopg2, pymysql, "
               "pymongo, redis) inside async def",
    .doc = "What it does\n"
           "  Flags sync database clients used on the event loop (directly "
           "in an `async def`\n  body): sqlite3.connect, psycopg2.connect, "
           "psycopg.connect, pymysql.connect,\n  MySQLdb.connect, "
           "pymongo.MongoClient, and the statements, commits and\n  "
           "queries made through their connections, cursors, collections, "
           "and sync\n  redis.Redis commands.\n\n"
           "Why is this bad?\n"
           "  Every query waits for the database server (or the disk) on "
           "the calling thread:\n  under load, one slow query freezes every "
           "request the event loop serves.\n\n"
           "Example\n"
           "  async def get_user(uid):\n"
           "      conn = psycopg2.connect(DSN)\n"
           "      cur = conn.cursor()\n"
           "      cur.execute(\"SELECT * FROM users WHERE id = %s\", "
           "(uid,))\n"
           "      return cur.fetchone()\n\n"
           "Use instead\n"
           "  async def get_user(uid):\n"
           "      conn = await asyncpg.connect(DSN)\n"
           "      return await conn.fetchrow(\"SELECT * FROM users WHERE id "
           "= $1\", uid)\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_sync_primitive = {
    BLOCKING_RULE,
    .code = "AL207",
    .name = "blocking-sync-primitive",
    .summary = "waiting on a threading/queue/multiprocessing primitive or a "
               "concurrent future inside async def",
    .doc = "What it does\n"
           "  Flags waits on thread and process primitives on the event "
           "loop (directly in\n  an `async def` body): threading.Lock/"
           "RLock/Semaphore.acquire,\n  threading.Event.wait, "
           "threading.Condition.wait, Thread.join, queue.Queue.get/\n  "
           "put/join, concurrent.futures.Future.result, "
           "concurrent.futures.wait,\n  multiprocessing Process.join, "
           "Queue.get and Pool.map/apply/join.\n\n"
           "Why is this bad?\n"
           "  The wait lasts until another thread or process acts. The "
           "event loop is\n  frozen meanwhile, and if that other party "
           "needs the event loop to make\n  progress, the program "
           "deadlocks.\n\n"
           "Example\n"
           "  async def next_job(jobs: queue.Queue):\n"
           "      fut = executor.submit(render, jobs.get())\n"
           "      return fut.result()\n\n"
           "Use instead\n"
           "  async def next_job(jobs: asyncio.Queue):\n"
           "      job = await jobs.get()\n"
           "      return await asyncio.wrap_future(executor.submit(render, "
           "job))\n",
    .equivalents = "",
    .severity = AL_SEV_WARNING,
    .default_on = true,
};

const al_rule al_rule_blocking_path_call = {
    BLOCKING_RULE,
    .code = "AL211",
    .name = "blocking-path-call",
    .summary = "os.path / pathlib / os file-system queries inside async def",
    .doc = "What it does\n"
           "  Flags file-system queries and directory operations on the "
           "event loop\n  (directly in an `async def` body): "
           "os.path.exists/isfile/isdir/getsize/\n  getmtime/..., "
           "pathlib.Path.exists/is_file/stat/iterdir/glob/mkdir/unlink/...,\n"
           "  os.stat/listdir/scandir/walk/remove/rename/mkdir/makedirs/"
           "... Pure path\n  arithmetic (os.path.join, "
           "os.path.basename, Path(...) / \"x\", Path.with_suffix)\n  is "
           "not flagged. Off by default: enable it with "
           "--select=AL211.\n\n"
           "Why is this bad?\n"
           "  Each of these is a system call that can block: usually for "
           "microseconds on a\n  local disk, but for much longer on a "
           "network file system or a busy disk, and\n  a directory walk "
           "adds up. Strict async code keeps them off the event loop.\n\n"
           "Example\n"
           "  async def cached(path):\n"
           "      if os.path.exists(path):\n"
           "          return await load(path)\n\n"
           "Use instead\n"
           "  async def cached(path):\n"
           "      if await asyncio.to_thread(os.path.exists, path):\n"
           "          return await load(path)\n"
           "  # or: if await anyio.Path(path).exists(): ...\n",
    .equivalents = "ASYNC240",
    .severity = AL_SEV_INFO,
    .default_on = false,
};
