#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keystroke latency of `asynclint server` (issue 19), by hand, not a test.

Copies a package into a temporary workspace, starts the server on it,
opens FILE and types: one-character edits (insert a character, then delete
it, at lines spread over the file), each sent alone and timed from the
didChange to the publishDiagnostics of that version (the server publishes
the edited document on every version). Prints the median, p95 and max in
milliseconds, and the server's resident size at the end.

usage: bench/server_latency.py ASYNCLINT PACKAGE_DIR FILE [EDITS]
e.g.   bench/server_latency.py build-bench/asynclint \\
         /usr/lib/python3/dist-packages/asyncssh connection.py 400
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
sys.argv, args = sys.argv[:2], sys.argv[1:]
import server_lsp as lsp  # noqa: E402  (the scripted client)


def main():
    pkg, name = args[1], args[2]
    edits = int(args[3]) if len(args) > 3 else 400
    root = os.path.realpath(tempfile.mkdtemp(prefix="al-latency-"))
    dst = os.path.join(root, os.path.basename(pkg.rstrip("/")))
    shutil.copytree(pkg, dst, ignore=shutil.ignore_patterns("__pycache__"))
    path = os.path.join(dst, name)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    uri = lsp.uri_of(path)
    c = lsp.Client(root)
    try:
        t0 = time.monotonic()
        c.initialize(root, ["utf-8"])
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        c.version(uri, 1)
        first = time.monotonic() - t0
        times = []
        version = 1
        for i in range(edits):
            line = (i // 2 * 7919) % len(lines)
            at = {"line": line, "character": 0}
            if i % 2 == 0:
                change = {"range": {"start": at, "end": at}, "text": "#"}
            else:
                change = {"range": {"start": at, "end": {
                    "line": line, "character": 1}}, "text": ""}
            version += 1
            start = time.monotonic()
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [change]})
            c.version(uri, version)
            times.append((time.monotonic() - start) * 1000)
            c.seen.clear()
        rss = lsp.rss_kb(c.p.pid)
        c.stop()
    finally:
        c.kill()
        shutil.rmtree(root, ignore_errors=True)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    n_files = sum(len([f for f in fs if f.endswith(".py")])
                  for _, _, fs in os.walk(pkg))
    print("workspace: %s (%d .py files); file: %s (%d lines)"
          % (pkg, n_files, name, len(lines)))
    print("first check (initialize + open): %.0f ms" % (first * 1000))
    print("%d one-character edits: median %.1f ms, p95 %.1f ms, max %.1f ms"
          % (edits, statistics.median(times), p95, times[-1]))
    print("server resident size at the end: %.1f MB" % (rss / 1024))


if __name__ == "__main__":
    main()
