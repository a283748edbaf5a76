#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What reading the Python environment costs a run (issue 16 item 5), by
hand, never in a test.

Lays out a small async service in a temporary directory (16 files: 15
modules using the standard library and catalogued library names, and
svc/gateway.py using names of aiohttp, trio, httpx, asyncpg and redis
that the hand catalog does not list, so that a run with the environment
reads those libraries' files), then times pairs of runs, interleaved
(the pair's order alternating), of the same tree:

  none   --no-python-path
  env    --python-path DIR (default: Debian's /usr/lib/python3/dist-packages)

in four cases, each with its own cache directory:

  nothing  warm cache, nothing changed since the last run
  one      warm cache, one tree file (svc/util.py) changed before each run
           (a function appended: new content, so the rules run again)
  one-lib  the same, the file changed being svc/gateway.py, the one that
           uses the libraries (its re-check reads some of their files)
  cold     --no-cache

and prints, per case, the library files listed and those whose facts the
last env run read (a re-run reads a library file only when a resolution
reaches it), the medians of CPU time (user + sys of the child,
from os.wait4) and wall time, and the median of the per-pair ratios
env / none (the target of issue 16 item 5: a warm run with the
environment costs at most 1.10x one without). Every run is
`--isolated --exit-zero -q --stats`; the first run of each variant and
case is untimed (it fills the cache and saves the state). With nothing
changed, each variant's output must stay what its first run printed.
The app's findings without the environment are those of catalogued
names; gateway.py's un-awaited calls of uncatalogued names are found
only with it (the last line says how many lines each variant prints).

Standard library only. Usage:
  bench/env.py [-B BUILDDIR] [-r PAIRS] [--cold-pairs N]
               [--python-path DIR] [--cases nothing,one,one-lib,cold] [--keep]
(defaults: build-rel, 60 pairs warm, 10 cold; BUILDDIR relative to the
source root or absolute)
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = ["--isolated", "--exit-zero", "-q", "--stats"]

# The app. Each module is ordinary asyncio service code; gateway.py uses
# library names beyond the hand catalog.
APP = {
    "svc/__init__.py": '''\
"""A small async service: HTTP API, websocket fan-out, workers."""
from .config import Settings

__all__ = ["Settings"]
''',
    "svc/config.py": '''\
import os
from dataclasses import dataclass, field


@dataclass
class Settings:
    db_dsn: str = os.environ.get("DB_DSN", "postgresql://localhost/svc")
    redis_url: str = os.environ.get("REDIS_URL", "redis://localhost")
    upstream: str = os.environ.get("UPSTREAM", "https://api.example.com")
    workers: int = int(os.environ.get("WORKERS", "4"))
    tags: list = field(default_factory=list)


def load() -> Settings:
    return Settings()
''',
    "svc/errors.py": '''\
class ServiceError(Exception):
    status = 500


class NotFound(ServiceError):
    status = 404


class Unauthorized(ServiceError):
    status = 401
''',
    "svc/util.py": '''\
import json
import time


def now_ms() -> int:
    return int(time.time() * 1000)


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
''',
    "svc/models.py": '''\
from dataclasses import dataclass
from typing import Optional


@dataclass
class User:
    id: int
    name: str
    email: Optional[str] = None


@dataclass
class Job:
    id: int
    kind: str
    payload: dict
''',
    "svc/db.py": '''\
import asyncpg

from .models import User


class Database:
    def __init__(self, dsn: str):
        self.dsn = dsn
        self.pool = None

    async def connect(self):
        self.pool = await asyncpg.create_pool(self.dsn, min_size=1)

    async def close(self):
        if self.pool is not None:
            await self.pool.close()

    async def user(self, user_id: int) -> User:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM users WHERE id=$1",
                                      user_id)
        return User(**dict(row))
''',
    "svc/cache.py": '''\
import redis.asyncio as aioredis

from .util import dumps


class Cache:
    def __init__(self, url: str):
        self.client = aioredis.from_url(url)

    async def get(self, key: str):
        return await self.client.get(key)

    async def put(self, key: str, value, ttl: int = 60):
        await self.client.set(key, dumps(value), ex=ttl)
''',
    "svc/http_client.py": '''\
import httpx


class Upstream:
    def __init__(self, base: str):
        self.client = httpx.AsyncClient(base_url=base, timeout=10.0)

    async def fetch(self, path: str) -> dict:
        response = await self.client.get(path)
        response.raise_for_status()
        return response.json()

    async def aclose(self):
        await self.client.aclose()
''',
    "svc/auth.py": '''\
import hashlib
import hmac

from .errors import Unauthorized


def check_token(secret: bytes, user: str, token: str) -> str:
    want = hmac.new(secret, user.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, token):
        raise Unauthorized(user)
    return user
''',
    "svc/metrics.py": '''\
import asyncio
import collections


class Metrics:
    def __init__(self):
        self.counts = collections.Counter()
        self.lock = asyncio.Lock()

    async def incr(self, name: str, n: int = 1):
        async with self.lock:
            self.counts[name] += n

    def snapshot(self) -> dict:
        return dict(self.counts)
''',
    "svc/handlers.py": '''\
from aiohttp import web

from .db import Database
from .errors import NotFound
from .util import dumps


async def get_user(request: web.Request) -> web.Response:
    db: Database = request.app["db"]
    try:
        user = await db.user(int(request.match_info["id"]))
    except KeyError:
        raise NotFound()
    return web.Response(text=dumps(user.__dict__),
                        content_type="application/json")


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
''',
    "svc/worker.py": '''\
import asyncio
import logging

from .models import Job

log = logging.getLogger(__name__)


async def handle(job: Job):
    await asyncio.sleep(0)
    log.info("job %s done", job.id)


async def run_worker(queue: asyncio.Queue):
    while True:
        job = await queue.get()
        try:
            await handle(job)
        finally:
            queue.task_done()
''',
    "svc/scheduler.py": '''\
import asyncio

from .models import Job
from .worker import run_worker


class Scheduler:
    def __init__(self, workers: int):
        self.queue = asyncio.Queue()
        self.tasks = []
        self.workers = workers

    async def start(self):
        for _ in range(self.workers):
            self.tasks.append(asyncio.create_task(run_worker(self.queue)))

    async def submit(self, job: Job):
        await self.queue.put(job)

    async def stop(self):
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
''',
    "svc/ws.py": '''\
import asyncio

import aiohttp


async def relay(url: str, out: asyncio.Queue):
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            async for msg in ws:
                await out.put(msg.data)
''',
    "svc/gateway.py": '''\
"""Names the hand catalog does not list: the environment resolves them."""
import asyncpg.pool
import httpx
import redis.asyncio.lock
import trio
from aiohttp import web
from aiohttp.web_ws import WebSocketResponse
from httpx import AsyncHTTPTransport
from redis.asyncio.lock import Lock
from trio.lowlevel import checkpoint


async def stream(request: web.Request) -> WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    async for msg in ws:
        await ws.send_str(msg.data)
    return ws


async def transport_probe() -> int:
    transport = AsyncHTTPTransport(retries=2)
    client = httpx.AsyncClient(transport=transport)
    try:
        response = await client.get("https://example.com/health")
        return response.status_code
    finally:
        await transport.aclose()


async def locked(pool: asyncpg.pool.Pool, lock: redis.asyncio.lock.Lock):
    if await lock.acquire(blocking=False):
        try:
            async with pool.acquire() as conn:
                await conn.execute("SELECT 1")
        finally:
            await lock.release()


async def serve(listeners):
    await trio.serve_listeners(lambda s: checkpoint(), listeners)


async def mistakes(ws: WebSocketResponse, lock: Lock):
    ws.send_str("dropped")
    lock.release()
    checkpoint()
''',
    "main.py": '''\
import asyncio

from aiohttp import web

from svc.config import load
from svc.db import Database
from svc.gateway import stream
from svc.handlers import get_user, health
from svc.scheduler import Scheduler


async def build_app() -> web.Application:
    settings = load()
    app = web.Application()
    app["db"] = Database(settings.db_dsn)
    app["scheduler"] = Scheduler(settings.workers)
    app.router.add_get("/health", health)
    app.router.add_get("/users/{id}", get_user)
    app.router.add_get("/ws", stream)
    return app


def main():
    web.run_app(asyncio.run(build_app()))


if __name__ == "__main__":
    main()
''',
}

CHANGED = {"one": "svc/util.py", "one-lib": "svc/gateway.py"}


def run(binary, tree, extra, out_path):
    """CPU seconds (user + sys, wait4), wall seconds, --stats, stdout."""
    cmd = [binary] + FLAGS + extra + ["."]
    with open(out_path, "w+b") as out, open(out_path + ".err", "w+b") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=tree, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errs = out.read(), err.read().decode()
    if code != 0:
        sys.exit(f"env: {cmd} exited {code}: {errs[:400]}")
    stats = dict(re.findall(r"^stats: (\S+) (\S+)$", errs, re.M))
    return ru.ru_utime + ru.ru_stime, wall, stats, text


def edit(tree, case, n):
    path = os.path.join(tree, CHANGED[case])
    with open(path, "a") as f:
        f.write(f"\n\ndef _bench_edit_{n}():\n    return {n}\n")


def measure(binary, tree, work, case, pairs, pypath):
    variants = {
        "none": ["--no-python-path"],
        "env": ["--python-path", pypath],
    }
    for name, flags in variants.items():
        flags += ["--cache-dir", os.path.join(work, f"cache-{case}-{name}")]
        if case == "cold":
            flags.append("--no-cache")
    out = os.path.join(work, "stdout")
    seen = {}
    for name, flags in variants.items():  # untimed: fills cache and state
        _, _, stats, text = run(binary, tree, flags, out)
        seen[name] = (int(stats.get("files", 0)), text)
    cpu = {k: [] for k in variants}
    wall = {k: [] for k in variants}
    ratios = []
    n_edit = 0
    libs_read = 0
    for i in range(pairs):
        order = ["none", "env"] if i % 2 == 0 else ["env", "none"]
        got = {}
        for name in order:
            if case in CHANGED:
                n_edit += 1
                edit(tree, case, n_edit)
            c, w, stats, text = run(binary, tree, variants[name], out)
            if name == "env":
                libs_read = int(stats.get("libraries_read", 0))
            if case not in CHANGED and text != seen[name][1]:
                sys.exit(f"env: {case}/{name}: output differs between runs")
            cpu[name].append(c)
            wall[name].append(w)
            got[name] = c
        ratios.append(got["env"] / got["none"] if got["none"] else 0.0)
    return {
        "case": case,
        "files_none": seen["none"][0],
        "files_env": seen["env"][0],
        "lines_none": seen["none"][1].count(b"\n"),
        "lines_env": seen["env"][1].count(b"\n"),
        "cpu_none": statistics.median(cpu["none"]),
        "cpu_env": statistics.median(cpu["env"]),
        "wall_none": statistics.median(wall["none"]),
        "wall_env": statistics.median(wall["env"]),
        "ratio": statistics.median(ratios),
        "libs_read": libs_read,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-B", default="build-rel", help="build directory")
    ap.add_argument("-r", type=int, default=60, help="pairs per warm case")
    ap.add_argument("--cold-pairs", type=int, default=10)
    ap.add_argument("--python-path", default="/usr/lib/python3/dist-packages")
    ap.add_argument("--cases", default="nothing,one,one-lib,cold")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory (printed)")
    a = ap.parse_args()
    binary = os.path.abspath(os.path.join(REPO, a.B, "asynclint"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"env: no {binary} (meson setup {a.B} "
                 f"--buildtype=release && ninja -C {a.B})")
    work = tempfile.mkdtemp(prefix="asynclint-env-")
    try:
        rows = []
        for case in a.cases.split(","):
            tree = os.path.join(work, f"app-{case}")
            for rel, text in APP.items():
                path = os.path.join(tree, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
            pairs = a.cold_pairs if case == "cold" else a.r
            rows.append(measure(binary, tree, work, case, pairs,
                                a.python_path))
        print(f"{binary}, {len(APP)} tree files, --python-path "
              f"{a.python_path}; CPU = user + sys (wait4), medians")
        print()
        print("| case | pairs | library files | read | none CPU ms "
              "| env CPU ms | ratio (median of pairs) | none wall ms "
              "| env wall ms |")
        print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
        for r in rows:
            pairs = a.cold_pairs if r["case"] == "cold" else a.r
            print(f"| {r['case']} | {pairs} | "
                  f"{r['files_env'] - r['files_none']} | {r['libs_read']} | "
                  f"{r['cpu_none'] * 1e3:.1f} | {r['cpu_env'] * 1e3:.1f} | "
                  f"**{r['ratio']:.2f}x** | {r['wall_none'] * 1e3:.1f} | "
                  f"{r['wall_env'] * 1e3:.1f} |")
        print()
        for r in rows[:1]:
            print(f"findings: {r['lines_none']} lines without the "
                  f"environment, {r['lines_env']} with it")
    finally:
        if a.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
