#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Re-runs are cold runs (issue 20 item 4).

Builds a small package tree (modules calling each other's coroutine
functions and blocking helpers, relative and absolute imports, a config
file), then applies a random sequence of edits, seeded (the seed is
printed; AL_RERUN_SEED=N replays one): add or remove `async` on a
definition, add or remove imports and calls, rename, delete and add
modules, add or remove a package's __init__.py, change the config, touch a
file without changing it, swap `await f()` for `      f()` (same size, same
second), damage the saved state or a facts entry (truncated, one byte
flipped). After each step the tree is linted with the cache kept from step
to step (text, then json, then one of sarif / github / --statistics /
--show-source / --baseline / --select) and with --no-cache, and stdout,
stderr and the exit code must be byte-identical. It also checks that the saved state is used: a
json run right after the text run of the same tree restores the saved
findings (nothing changed), and over the whole sequence some partial runs
re-check fewer files than the tree has.

Prints TAP. Usage: rerun_equiv.py ASYNCLINT_BIN [STEPS]
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
STEPS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
SEED = int(os.environ.get("AL_RERUN_SEED", "0")) or random.randrange(1, 2**31)

ENV = dict(os.environ, LC_ALL="C")
ENV.pop("VIRTUAL_ENV", None)

n_test = 0
failed = 0


def tap(ok, name, detail=""):
    global n_test, failed
    n_test += 1
    if not ok:
        failed += 1
    print(f"{'ok' if ok else 'not ok'} {n_test} - {name}")
    if not ok and detail:
        for line in detail.splitlines()[:40]:
            print(f"# {line}")
    sys.stdout.flush()


def module_source(rng, k, names):
    """A module of the tree: coroutine functions, blocking helpers, a
    wrapper and a helper blocking only when asked (a guarded event, whose
    call sites anywhere decide what it reaches), a class, and a handler
    calling into other modules."""
    lines = ["import asyncio", "import time"]
    others = []
    for j in rng.sample(names, min(2, len(names))):
        if j == k:
            continue
        form = rng.randrange(3)
        if form != 1:
            others.append(j)  # j_a bound by name
        if form == 0:
            lines.append(f"from app.{j} import {j}_a, {j}_b, {j}_w, {j}_g")
        elif form == 1:
            lines.append(f"from . import {j}")
        else:
            lines.append(f"from .{j} import {j}_a")
    lines += [
        "",
        "",
        f"{'async ' if rng.random() < 0.6 else ''}def {k}_a():",
        "    await asyncio.sleep(0)" if rng.random() < 0.5 else "    return 1",
        "",
        "",
        f"def {k}_b():",
        "    time.sleep(1)" if rng.random() < 0.5 else "    return 2",
        "",
        "",
        f"def {k}_w():",
        f"    return {rng.choice(others) if others else k}_a()",
        "",
        "",
        f"def {k}_g(block=False):",
        "    if block:",
        "        time.sleep(1)",
        "",
        "",
        f"class {k.upper()}Svc:",
        "    async def run(self):",
        f"        return {k}_w()",
        "",
        "",
        f"async def {k}_h():",
        f"    {k}_a()",
        f"    {k}_b()",
        f"    {k}_g({rng.choice(['', 'True', 'False', 'block=True'])})",
        f"    {k}_w()",
        "    pass",
        "",
    ]
    return "\n".join(lines)


CONFIGS = [
    '[tool.asynclint]\nselect = ["AL1", "AL2", "AL3", "AL4"]\n',
    '[tool.asynclint]\nignore = ["AL209"]\n',
    '[tool.asynclint]\nextend-select = ["AL404"]\n',
    '[tool.asynclint]\nper-file-ignores = {"app/m1.py" = ["AL100"]}\n',
    '[tool.asynclint]\nblocking-calls = ["app.m0.m0_b"]\n',
]


class Tree:
    def __init__(self, root, rng):
        self.root = root
        self.rng = rng
        self.names = [f"m{i}" for i in range(6)]
        os.makedirs(os.path.join(root, "app", "sub"))
        self.write("pyproject.toml", CONFIGS[0])
        self.write("app/__init__.py", "from .m0 import m0_a\n")
        self.write("app/sub/__init__.py", "")
        self.write("app/sub/deep.py",
                   "from ..m1 import m1_a\n\n\nasync def deep():\n"
                   "    m1_a()\n")
        for k in self.names:
            self.write(f"app/{k}.py", module_source(rng, k, self.names))
        self.write("main.py",
                   "import asyncio\nfrom app import m0_a\n"
                   "from app.m2 import m2_a\n\n\nasync def main():\n"
                   "    m0_a()\n    await m2_a()\n")

    def path(self, rel):
        return os.path.join(self.root, rel)

    def write(self, rel, text):
        # A new file, as editors and git write them (new inode).
        p = self.path(rel)
        tmp = p + ".tmp~"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, p)

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def modules(self):
        out = []
        for d, _, files in os.walk(self.root):
            if ".asynclint_cache" in d:
                continue
            for n in files:
                if n.endswith(".py"):
                    out.append(os.path.relpath(os.path.join(d, n), self.root))
        return sorted(out)

    def pick(self):
        mods = self.modules()
        return self.rng.choice(mods) if mods else None

    def present_names(self):
        return [m[4:-3] for m in self.modules()
                if m.startswith("app/") and m.count("/") == 1
                and not m.endswith("__init__.py")]


def op_toggle_async(t):
    rel = t.pick()
    src = t.read(rel)
    defs = [m.start() for m in re.finditer(r"^(async )?def ", src, re.M)]
    if not defs:
        return f"{rel}: no def"
    at = t.rng.choice(defs)
    if src.startswith("async ", at):
        src = src[:at] + src[at + 6:]
        what = "async removed"
    else:
        src = src[:at] + "async " + src[at:]
        what = "async added"
    t.write(rel, src)
    return f"{rel}: {what}"


def op_add_import(t):
    rel = t.pick()
    names = t.present_names() + ["gone"]
    j = t.rng.choice(names)
    line = t.rng.choice([f"from app.{j} import {j}_a, {j}_b",
                         f"import app.{j}", f"from .{j} import {j}_a",
                         f"from app import {j}", "from app import *"])
    t.write(rel, line + "\n" + t.read(rel))
    return f"{rel}: + {line}"


def op_remove_import(t):
    rel = t.pick()
    lines = t.read(rel).split("\n")
    idx = [i for i, l in enumerate(lines) if l.startswith(("import ", "from "))]
    if not idx:
        return f"{rel}: no import"
    i = t.rng.choice(idx)
    gone = lines.pop(i)
    t.write(rel, "\n".join(lines))
    return f"{rel}: - {gone}"


def op_add_call(t):
    rel = t.pick()
    src = t.read(rel)
    defs = [m.end() for m in re.finditer(r"^(async )?def \w+\(\):\n", src,
                                         re.M)]
    if not defs:
        return f"{rel}: no def"
    names = t.present_names()
    j = t.rng.choice(names) if names else "m0"
    call = t.rng.choice([f"{j}_a()", f"{j}_b()", f"{j}.{j}_a()",
                         f"{j}_w()", f"{j}_g(True)", f"{j}.{j}_g(False)",
                         f"{j}.{j}_g(block=True)", f"{j}.{j.upper()}Svc().run()",
                         f"await {j}.{j.upper()}Svc().run()",
                         f"await {j}_a()", "time.sleep(1)",
                         f"x = {j}_a()", f"if {j}_a():\n        pass",
                         f"{j}_a()  # noqa: AL100"])
    at = t.rng.choice(defs)
    t.write(rel, src[:at] + "    " + call + "\n" + src[at:])
    return f"{rel}: + {call!r}"


def op_remove_line(t):
    rel = t.pick()
    lines = t.read(rel).split("\n")
    idx = [i for i, l in enumerate(lines)
           if l.startswith("    ") and not l.strip().startswith("pass")]
    if not idx:
        return f"{rel}: no body line"
    i = t.rng.choice(idx)
    gone = lines.pop(i)
    t.write(rel, "\n".join(lines))
    return f"{rel}: - {gone.strip()!r}"


def op_same_size(t):
    # In place (same inode), same size, within the second of the last run.
    rel = t.pick()
    src = t.read(rel)
    if "await " in src and t.rng.random() < 0.5:
        at = src.index("await ")
        src = src[:at] + "      " + src[at + 6:]
        what = "await -> spaces"
    else:
        m = re.search(r"^    ( {6})(\w+\()", src, re.M)
        if not m:
            return f"{rel}: nothing to swap"
        src = src[:m.start(1)] + "await " + src[m.end(1):]
        what = "spaces -> await"
    with open(t.path(rel), "r+") as f:
        f.write(src)
    return f"{rel}: {what} (same size, in place)"


def op_rename(t):
    names = t.present_names()
    if len(names) < 2:
        return "nothing to rename"
    j = t.rng.choice(names)
    new = f"r{t.rng.randrange(100)}"
    if os.path.exists(t.path(f"app/{new}.py")):
        return "rename target exists"
    os.rename(t.path(f"app/{j}.py"), t.path(f"app/{new}.py"))
    return f"app/{j}.py -> app/{new}.py"


def op_delete(t):
    rel = t.pick()
    if rel is None or len(t.modules()) < 3:
        return "nothing to delete"
    os.unlink(t.path(rel))
    return f"{rel} deleted"


def op_add_file(t):
    k = f"n{t.rng.randrange(100)}"
    rel = f"app/{k}.py"
    t.write(rel, module_source(t.rng, k, t.present_names() or ["m0"]))
    return f"{rel} added"


def op_toggle_init(t):
    rel = "app/sub/__init__.py"
    if os.path.exists(t.path(rel)):
        os.unlink(t.path(rel))
        return f"{rel} deleted"
    t.write(rel, "")
    return f"{rel} added"


def op_config(t):
    text = t.rng.choice(CONFIGS)
    t.write("pyproject.toml", text)
    return f"config: {text.splitlines()[1]}"


def op_touch(t):
    rel = t.pick()
    os.utime(t.path(rel))
    return f"{rel} touched"


OPS = [op_toggle_async] * 4 + [op_add_import] * 2 + [op_remove_import] * 2 + \
    [op_add_call] * 3 + [op_remove_line] * 2 + [op_same_size] * 2 + \
    [op_rename, op_delete, op_add_file, op_toggle_init, op_config,
     op_touch, op_touch]

EXTRA = [["--format", "sarif"], ["--format", "github"], ["--statistics"],
         ["--show-source"], ["--format", "json", "--statistics"],
         ["--baseline", "../baseline.json"], ["--select", "AL100,AL209"]]


def lint(tree, args, cache):
    cmd = [BIN, "--stats"] + (["--cache-dir", cache] if cache else
                              ["--no-cache"]) + args + ["."]
    p = subprocess.run(cmd, cwd=tree.root, env=ENV, capture_output=True,
                       text=True, timeout=120)
    stats = {}
    err = []
    for line in p.stderr.splitlines():
        if line.startswith("stats: "):
            _, k, v = line.split(" ", 2)
            stats[k] = v
        else:
            err.append(line)
    return (p.stdout, "\n".join(err), p.returncode), stats


def damage(tree, cache, rng):
    """Truncate or flip a byte of the saved state or of a facts entry."""
    state = [os.path.join(cache, "state", n)
             for n in os.listdir(os.path.join(cache, "state"))] \
        if os.path.isdir(os.path.join(cache, "state")) else []
    facts = [os.path.join(d, n) for d, _, ns in os.walk(cache) for n in ns
             if len(os.path.basename(d)) == 2]
    pool = state if state and (rng.random() < 0.7 or not facts) else facts
    if not pool:
        return "nothing to damage"
    victim = rng.choice(sorted(pool))
    data = bytearray(open(victim, "rb").read())
    if rng.random() < 0.5 and len(data) > 1:
        data = data[:rng.randrange(len(data))]
        how = "truncated"
    elif data:
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
        how = f"byte {i} flipped"
    else:
        return "empty file"
    with open(victim, "wb") as f:
        f.write(data)
    kind = "state" if "/state/" in victim else "facts entry"
    return f"{kind} {how}"


# Edits whose effect reaches an unchanged file only through what the
# index computed from other files (the re-run's recorded dependencies):
# (name, files, edits, what the warm run after the edits must report).
REACH_CASES = [
    # A wrapper's wrapper: c's finding comes from b's memo, computed from a.
    ("through two memos",
     {"a.py": "def f():\n    return 1\n",
      "b.py": "from a import f\n\n\ndef w():\n    return f()\n",
      "c.py": "from b import w\n\n\nasync def h():\n    w()\n"},
     {"a.py": "async def f():\n    return 1\n"},
     "c.py:5:5: AL100"),
    # The same, with the middle memo computed inside another file's (a's
    # comes first and asks for b's): b's still depends on c.
    ("through a memo computed inside another",
     {"a.py": "from b import w\n\n\ndef w2():\n    return w()\n",
      "b.py": "from c import f\n\n\ndef w():\n    return f()\n",
      "c.py": "def f():\n    return 1\n",
      "d.py": "from b import w\n\n\nasync def h():\n    w()\n"},
     {"c.py": "async def f():\n    return 1\n"},
     "d.py:5:5: AL100"),
    # A guarded helper whose only call kills the branch; a new call of it
    # in an unrelated file makes what it reaches depend on the flag, which
    # c passes through an alias the call-site search does not see.
    ("a new call site of a guarded helper",
     {"a.py": "import time\n\n\ndef helper(block=False):\n"
              "    if block:\n        time.sleep(1)\n\n\n"
              "async def handler():\n    helper()\n",
      "b.py": "def unrelated():\n    return 1\n",
      "c.py": "from a import helper as hp\n\n\n"
              "async def go(flag):\n    hp(flag)\n"},
     {"b.py": "from a import helper\n\n\ndef unrelated():\n"
              "    helper(True)\n"},
     "c.py:5:5: AL209"),
]


def reach_check(top):
    """Each REACH_CASES edit, with a saved state from before it: the warm
    run re-checks the unchanged file, so it reports what a cold run does."""
    for k, (name, files, edits, expect) in enumerate(REACH_CASES):
        tree = Tree.__new__(Tree)
        tree.root = os.path.join(top, f"reach{k}")
        os.makedirs(tree.root)
        cache = os.path.join(top, f"reach{k}-cache")
        for rel, text in files.items():
            tree.write(rel, text)
        lint(tree, [], cache)
        time.sleep(1.05)  # the edit is not racy: stat data decide
        for rel, text in edits.items():
            tree.write(rel, text)
        warm, stats = lint(tree, [], cache)
        cold, _ = lint(tree, [], None)
        tap(warm == cold and expect in warm[0] and
            stats.get("restored") == "0",
            f"{name}: the warm run reports {expect}",
            f"warm\n{warm}\ncold\n{cold}\nstats {stats}")


def racy_check(top):
    """git's racy-file rule: a file changed in the second the saved run
    began, with its size and mtime as they were (a coarse clock), is read
    again, not trusted."""
    root = os.path.join(top, "racy")
    os.makedirs(root)
    cache = os.path.join(top, "racy-cache")
    tree = Tree.__new__(Tree)
    tree.root = root
    for attempt in range(5):
        # Start early in a second, so that the edit and the run share it.
        time.sleep(1.0 - time.time() % 1.0 + 0.01)
        tree.write("a.py", "import asyncio\n\n\nasync def f():\n"
                   "    await asyncio.sleep(0)\n")
        tree.write("b.py", "from a import f\n\n\nasync def g():\n"
                   "    await f()\n")
        before = os.stat(tree.path("b.py"))
        lint(tree, [], cache)
        with open(tree.path("b.py"), "r+") as f:
            f.write(tree.read("b.py").replace("await f()", "      f()"))
        os.utime(tree.path("b.py"), ns=(before.st_atime_ns,
                                        before.st_mtime_ns))
        same_second = int(time.time()) == int(before.st_mtime)
        warm, _ = lint(tree, [], cache)
        cold, _ = lint(tree, [], None)
        if same_second:
            tap(warm == cold and "AL100" in cold[0],
                "racy file: changed in the saved run's second, same stat: "
                "read again", f"warm\n{warm}\ncold\n{cold}")
            return
        shutil.rmtree(cache, ignore_errors=True)
    tap(True, "racy file # SKIP the machine is too slow to share a second")


def main():
    print(f"# seed {SEED} (AL_RERUN_SEED={SEED} replays it), {STEPS} steps")
    rng = random.Random(SEED)
    top = tempfile.mkdtemp(prefix="asynclint-rerun.")
    try:
        tree = Tree(os.path.join(top, "tree"), rng)
        cache = os.path.join(top, "cache")
        lint(tree, ["--baseline", "../baseline.json"], None)  # written once
        restored = partial = 0
        for step in range(STEPS + 1):
            if step == 0:
                what = "the tree as built"
            elif rng.random() < 0.15:
                what = damage(tree, cache, rng)
            else:
                what = rng.choice(OPS)(tree)
            extra = EXTRA[step % len(EXTRA)]
            runs = [("text", []), ("json", ["--format", "json"]),
                    (" ".join(extra), extra)]
            bad = []
            for name, args in runs:
                warm, stats = lint(tree, args, cache)
                cold, _ = lint(tree, args, None)
                if warm != cold:
                    bad.append(f"{name}: warm\n{warm}\ncold\n{cold}")
                if name == "json" and stats.get("restored") == "1":
                    restored += 1
                if name == "text" and stats.get("restored") == "0" and \
                        0 < int(stats.get("rechecked", "0")) < \
                        int(stats.get("files", "0")):
                    partial += 1
            tap(not bad, f"step {step}: {what}: warm = cold", "\n".join(bad))
            # Runs in the same second as an edit: sometimes let it pass, so
            # that stat data are trusted too.
            if rng.random() < 0.2:
                time.sleep(1.05)
        tap(restored >= STEPS // 2,
            f"nothing changed: saved findings used ({restored} runs)")
        tap(partial > 0, f"a change re-checks only some files "
            f"({partial} runs)")
        racy_check(top)
        reach_check(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print(f"1..{n_test}")
    if failed:
        print(f"# {failed} failed; seed {SEED}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
