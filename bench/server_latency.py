#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Keystroke latency of `asynclint server` (issue 19), by hand, not a test.

Copies a package into a temporary workspace, starts the server on it,
opens FILE and types: one-character edits (insert a character, then delete
it, at lines spread over the file), each sent alone and timed from the
didChange to the publishDiagnostics of that version (the server publishes
the edited document on every version). Prints the median, p95 and max in
milliseconds, and the server's resident size at the end.

MODE says where the character goes: `comment` (the default) puts a `#` at
the start of the line, commenting it out; some of those turn the rest of
the file inside out (the opening quotes of a docstring commented out) and
cost tree-sitter a reparse as slow as a parse from scratch, or slower.
`type` appends an `x` to the line's first name that is not a keyword, as
typing in a name does.

usage: bench/server_latency.py ASYNCLINT PACKAGE_DIR FILE [EDITS [MODE]]
e.g.   bench/server_latency.py build-bench/asynclint \\
         /usr/lib/python3/dist-packages/asyncssh connection.py 400
"""
import keyword
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
sys.argv, args = sys.argv[:2], sys.argv[1:]
import server_lsp as lsp  # noqa: E402  (the scripted client)


NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def edit_at(lines, i, mode):
    """The line and column (UTF-8, as negotiated) of edit pair i//2."""
    line = (i // 2 * 7919) % len(lines)
    if mode == "comment":
        return line, 0
    for k in range(len(lines)):  # the first line from there with a name
        text = lines[(line + k) % len(lines)]
        for m in NAME.finditer(text):
            if not keyword.iskeyword(m.group()):
                return ((line + k) % len(lines),
                        len(text[:m.end()].encode("utf-8")))
    return line, 0


def main():
    pkg, name = args[1], args[2]
    edits = int(args[3]) if len(args) > 3 else 400
    mode = args[4] if len(args) > 4 else "comment"
    if mode not in ("comment", "type"):
        sys.exit("MODE: comment or type")
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
            line, char = edit_at(lines, i, mode)
            at = {"line": line, "character": char}
            if i % 2 == 0:
                change = {"range": {"start": at, "end": at},
                          "text": "#" if mode == "comment" else "x"}
            else:
                change = {"range": {"start": at, "end": {
                    "line": line, "character": char + 1}}, "text": ""}
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
    print("%d one-character edits (%s): median %.1f ms, p95 %.1f ms, "
          "max %.1f ms" % (edits, mode, statistics.median(times), p95,
                           times[-1]))
    print("server resident size at the end: %.1f MB" % (rss / 1024))


if __name__ == "__main__":
    main()
