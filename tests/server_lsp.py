#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The language server (`asynclint server`) driven by a scripted LSP client.

Each case spawns the server on a temporary workspace, talks LSP 3.17 over
its stdin/stdout (Content-Length framing written here, independently of the
server's), and asserts every message it expects: the lifecycle, position
encodings (astral characters included), diagnostics on open and after
incremental and full changes, the cross-file case, malformed input, unknown
methods, requests before initialize, cancellation and a client dying in
mid-message. TAP on stdout.

usage: server_lsp.py ASYNCLINT
"""
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import traceback

BINARY = os.path.abspath(sys.argv[1])
# A guard against a hung server, not a timed assertion: generous on purpose.
HANG = 120


class Client:
    def __init__(self, cwd):
        self.err = tempfile.TemporaryFile()
        self.p = subprocess.Popen([BINARY, "server"], cwd=cwd,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.err)
        self.buf = b""
        self.seen = []  # every message received, in order
        self.next_id = 100

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def frame(self, obj):
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def send(self, obj):
        self.raw(self.frame(obj))

    def request(self, method, params=None, id_=None):
        if id_ is None:
            self.next_id += 1
            id_ = self.next_id
        msg = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return id_

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def _fill(self):
        fd = self.p.stdout.fileno()
        r, _, _ = select.select([fd], [], [], HANG)
        if not r:
            raise AssertionError("no message from the server (hung?)")
        chunk = os.read(fd, 65536)
        if not chunk:
            raise EOFError("the server closed its output")
        self.buf += chunk

    def read(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        n = int(headers[b"Content-Length"])
        while len(rest) < n:
            self._fill()
            head, _, rest = self.buf.partition(b"\r\n\r\n")
        self.buf = rest[n:]
        msg = json.loads(rest[:n])
        self.seen.append(msg)
        return msg

    def expect(self, pred, what):
        """Read until a message satisfies pred; return it."""
        while True:
            try:
                msg = self.read()
            except EOFError:
                raise AssertionError("server ended before: " + what)
            if pred(msg):
                return msg

    def response(self, id_):
        return self.expect(lambda m: m.get("id") == id_ and "method" not in m,
                           "response %r" % id_)

    def diagnostics(self, uri, pred=lambda d: True):
        """The next publishDiagnostics for uri whose list satisfies pred."""
        return self.expect(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri and pred(m["params"]["diagnostics"]),
            "diagnostics of " + uri)["params"]

    def version(self, uri, version):
        """The next publishDiagnostics for uri's version."""
        return self.expect(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version,
            "diagnostics of %s version %d" % (uri, version))["params"]

    def initialize(self, root, encodings=None, folders=None):
        caps = {}
        if encodings is not None:
            caps = {"general": {"positionEncodings": encodings}}
        params = {"processId": None, "rootUri": uri_of(root),
                  "capabilities": caps}
        if folders is not None:
            params["workspaceFolders"] = [{"uri": uri_of(f), "name": "w"}
                                          for f in folders]
        res = self.response(self.request("initialize", params))
        self.notify("initialized", {})
        return res

    def stop(self):
        """shutdown + exit; returns the exit code."""
        rid = self.request("shutdown")
        assert self.response(rid)["result"] is None
        self.notify("exit")
        return self.wait()

    def wait(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.p.wait(HANG)
        self.err.seek(0)
        err = self.err.read().decode(errors="replace")
        assert err == "", "server stderr: " + err
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def uri_of(path):
    return "file://" + path


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


LIB = "async def fetch():\n    return 1\n"
APP = ("from pkg.lib import fetch\n\n\nasync def main():\n"
       "    await fetch()\n    fetch()\n")


def workspace():
    root = os.path.realpath(tempfile.mkdtemp(prefix="al-lsp-"))
    write(os.path.join(root, "pkg", "__init__.py"), "")
    write(os.path.join(root, "pkg", "lib.py"), LIB)
    write(os.path.join(root, "pkg", "app.py"), APP)
    return root


def codes(diags):
    return sorted((d["code"], d["range"]["start"]["line"]) for d in diags)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def lifecycle_and_default_encoding(root, c):
    res = c.initialize(root)["result"]
    assert res["capabilities"]["positionEncoding"] == "utf-16", res
    assert res["capabilities"]["textDocumentSync"]["change"] == 2, res
    assert res["serverInfo"]["name"] == "asynclint", res
    rid = c.request("initialize", {"capabilities": {}})
    assert c.response(rid)["error"]["code"] == -32600  # twice
    assert c.stop() == 0


@case
def encoding_negotiation(root, c):
    for offered, chosen in ((["utf-8", "utf-16"], "utf-8"),
                            (["utf-32"], "utf-32"),
                            (["utf-16", "utf-8"], "utf-16"),
                            (["latin-1"], "utf-16")):
        other = Client(root)
        try:
            res = other.initialize(root, offered)["result"]
            got = res["capabilities"]["positionEncoding"]
            assert got == chosen, (offered, got)
            assert other.stop() == 0
        finally:
            other.kill()
    c.initialize(root)
    assert c.stop() == 0


@case
def not_initialized_and_unknown(root, c):
    rid = c.request("textDocument/hover", {})
    err = c.response(rid)["error"]
    assert err["code"] == -32002, err
    c.notify("textDocument/didOpen", {})  # dropped before initialize
    c.initialize(root)
    rid = c.request("no/such/method", {}, id_="str-id")
    err = c.response("str-id")["error"]
    assert err["code"] == -32601, err
    assert c.stop() == 0


@case
def diagnostics_on_workspace_and_open(root, c):
    c.initialize(root)
    app = uri_of(os.path.join(root, "pkg", "app.py"))
    lib = uri_of(os.path.join(root, "pkg", "lib.py"))
    p = c.diagnostics(app)
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    d = p["diagnostics"][0]
    assert d["source"] == "asynclint" and d["severity"] == 1, d
    assert d["range"] == {"start": {"line": 5, "character": 4},
                          "end": {"line": 5, "character": 11}}, d
    assert d["codeDescription"]["href"].endswith("#al100"), d
    assert "pkg/lib.py:1" in d["message"], d  # relative to the root
    rel = d["relatedInformation"][0]
    assert rel["location"]["uri"] == lib, rel
    assert rel["location"]["range"]["start"] == {"line": 0,
                                                 "character": 10}, rel
    # Opened: published again with the document's version.
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": app, "languageId": "python", "version": 7, "text": APP}})
    p = c.diagnostics(app)
    assert p.get("version") == 7 and codes(p["diagnostics"]) == [
        ("AL100", 5)], p
    # An incremental change: `fetch()` -> `await fetch()` on line 6.
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": app, "version": 8},
        "contentChanges": [{"range": {"start": {"line": 5, "character": 4},
                                      "end": {"line": 5, "character": 4}},
                            "text": "await "}]})
    p = c.diagnostics(app)
    assert p.get("version") == 8 and p["diagnostics"] == [], p
    # A full change brings it back, one line lower.
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": app, "version": 9},
        "contentChanges": [{"text": "\n" + APP}]})
    p = c.diagnostics(app)
    assert p.get("version") == 9 and codes(p["diagnostics"]) == [
        ("AL100", 6)], p
    assert c.stop() == 0


@case
def cross_file(root, c):
    c.initialize(root)
    app = uri_of(os.path.join(root, "pkg", "app.py"))
    lib = uri_of(os.path.join(root, "pkg", "lib.py"))
    p = c.diagnostics(app)
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": lib, "languageId": "python", "version": 1, "text": LIB}})
    c.diagnostics(lib)  # its (empty) diagnostics for version 1
    # `async def fetch` -> `def fetch` in the buffer, not on disk: the
    # module that awaits it changes (the bare call is no coroutine any
    # more, and awaiting its int is AL109).
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": lib, "version": 2},
        "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                      "end": {"line": 0, "character": 6}},
                            "text": ""}]})
    p = c.diagnostics(app)
    assert codes(p["diagnostics"]) == [("AL109", 4)], p
    assert "version" not in p, p  # app.py is not open
    # Closed unsaved: the disk wins again.
    c.notify("textDocument/didClose", {"textDocument": {"uri": lib}})
    p = c.diagnostics(app)
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    # Changed on disk and watched: checked again.
    write(os.path.join(root, "pkg", "lib.py"), "def fetch():\n    return 1\n")
    c.notify("workspace/didChangeWatchedFiles", {"changes": [
        {"uri": lib, "type": 2}]})
    p = c.diagnostics(app)
    assert codes(p["diagnostics"]) == [("AL109", 4)], p
    assert c.stop() == 0


@case
def kept_facts_follow_the_disk(root, c):
    # Each check keeps the facts of the files it read for the next one,
    # trusted while their stat data hold (server/known.c). A change of
    # the same size with an old modification time must still be seen.
    c.kill()
    lib_path = os.path.join(root, "pkg", "lib.py")
    past = os.stat(lib_path).st_mtime - 100
    os.utime(lib_path, (past, past))
    c = Client(root)
    try:
        c.initialize(root)
        app = uri_of(os.path.join(root, "pkg", "app.py"))
        p = c.diagnostics(app)
        assert codes(p["diagnostics"]) == [("AL100", 5)], p
        # Another check, app.py edited in its buffer: lib.py's kept facts
        # (unchanged on disk) still make the bare call AL100.
        c.notify("textDocument/didOpen", {"textDocument": {
            "uri": app, "languageId": "python", "version": 1,
            "text": "\n" + APP}})
        p = c.version(app, 1)
        assert codes(p["diagnostics"]) == [("AL100", 6)], p
        # lib.py rewritten: as long, no longer async, dated in the past.
        plain = "def fetch():\n    return 1\n"
        plain += "#" * (len(LIB) - len(plain) - 1) + "\n"
        assert len(plain) == len(LIB)
        write(lib_path, plain)
        os.utime(lib_path, (past + 50, past + 50))
        c.notify("workspace/didChangeWatchedFiles", {"changes": [
            {"uri": uri_of(lib_path), "type": 2}]})
        p = c.diagnostics(app, lambda d: codes(d) != [("AL100", 6)])
        assert codes(p["diagnostics"]) == [("AL109", 5)], p
        assert c.stop() == 0
    finally:
        c.kill()


def col(prefix, enc):
    if enc == "utf-8":
        return len(prefix.encode("utf-8"))
    if enc == "utf-16":
        return len(prefix.encode("utf-16-le")) // 2
    return len(prefix)


@case
def astral_positions(root, c):
    c.kill()
    prefix = '    s = "\U0001F600é\U00010348"; '
    text = "from pkg.lib import fetch\n\n\nasync def main():\n" + \
        prefix + "fetch()\n"
    path = os.path.join(root, "pkg", "emoji.py")
    write(path, text)
    uri = uri_of(path)
    for enc in ("utf-16", "utf-8", "utf-32"):
        cl = Client(root)
        try:
            cl.initialize(root, [enc])
            cl.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1,
                "text": text}})
            p = cl.version(uri, 1)
            (d,) = p["diagnostics"]
            start = d["range"]["start"]
            assert start == {"line": 4, "character": col(prefix, enc)}, \
                (enc, start)
            assert d["range"]["end"]["character"] == \
                col(prefix + "fetch()", enc), (enc, d)
            # Insert `await ` at the position the client computes: lands
            # right only if the server converts it exactly.
            at = {"line": 4, "character": col(prefix, enc)}
            cl.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"range": {"start": at, "end": at},
                                    "text": "await "}]})
            p = cl.version(uri, 2)
            assert p["diagnostics"] == [], (enc, p)
            # Past the end of the line: the line's end.
            end = {"line": 4, "character": 999}
            cl.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": 3},
                "contentChanges": [{"range": {"start": end, "end": end},
                                    "text": "; fetch()"}]})
            p = cl.version(uri, 3)
            want = col(prefix + "await fetch(); ", enc)
            assert [x["range"]["start"]["character"]
                    for x in p["diagnostics"]] == [want], (enc, p)
            assert cl.stop() == 0
        finally:
            cl.kill()


def log_messages(c):
    return [m["params"]["message"] for m in c.seen
            if m.get("method") == "window/logMessage"]


@case
def malformed_input(root, c):
    c.initialize(root)
    # A body that is not JSON: ParseError, id null.
    c.raw(b"Content-Length: 5\r\n\r\n{oops")
    r = c.expect(lambda m: "error" in m and m["error"]["code"] == -32700,
                 "parse error")
    assert r["id"] is None, r
    # JSON but not a request: InvalidRequest.
    body = b'[1, 2]'
    c.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    c.expect(lambda m: "error" in m and m["error"]["code"] == -32600,
             "invalid request")
    # Invalid UTF-8 in a string: not JSON either.
    body = b'{"jsonrpc": "2.0", "id": 5, "method": "x\xff"}'
    c.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    r = c.expect(lambda m: "error" in m and m["error"]["code"] == -32700
                 and "0xff" in m["error"]["message"], "UTF-8 parse error")
    # Headers without a valid length: logged, the block skipped.
    c.raw(b"Content-Length: abc\r\n\r\n")
    c.raw(b"Content-Type: x\r\n\r\n")
    # Garbage glued before a good header: logged, the message still read.
    msg = c.frame({"jsonrpc": "2.0", "id": 42, "method": "no/such"})
    c.raw(b"garbage" + msg)
    assert c.response(42)["error"]["code"] == -32601
    logs = log_messages(c)
    assert any("invalid Content-Length" in m for m in logs), logs
    assert any("without a Content-Length" in m for m in logs), logs
    assert any("garbage" in m for m in logs), logs
    # Invalid params of a notification: logged, not fatal.
    c.notify("textDocument/didChange", {"contentChanges": 3})
    c.expect(lambda m: m.get("method") == "window/logMessage"
             and "didChange" in m["params"]["message"], "log of didChange")
    # A huge declared length that never arrives, then the client dies.
    assert c.stop() == 0


@case
def cancel_request(root, c):
    c.initialize(root)
    # Both in one write: the server reads them together, and the request
    # is answered RequestCancelled.
    req = c.frame({"jsonrpc": "2.0", "id": 9, "method": "no/such"})
    cancel = c.frame({"jsonrpc": "2.0", "method": "$/cancelRequest",
                      "params": {"id": 9}})
    c.raw(req + cancel)
    assert c.response(9)["error"]["code"] == -32800
    assert c.stop() == 0


@case
def after_shutdown(root, c):
    c.initialize(root)
    rid = c.request("shutdown")
    c.response(rid)
    rid = c.request("textDocument/codeAction", {})
    assert c.response(rid)["error"]["code"] == -32600
    c.notify("exit")
    assert c.wait() == 0


@case
def exit_without_shutdown(root, c):
    c.initialize(root)
    c.notify("exit")
    assert c.wait() == 1


@case
def client_dies_mid_message(root, c):
    c.initialize(root)
    c.raw(b"Content-Length: 1000\r\n\r\n{\"jsonrpc\": \"2.0\", \"id\"")
    assert c.wait() == 1  # ends, no crash, nothing on stderr


@case
def client_dies_mid_header(root, c):
    c.raw(b"Content-Len")
    assert c.wait() == 1


@case
def deleted_folder(root, c):
    gone = os.path.join(root, "gone")
    os.mkdir(gone)
    c.initialize(root, folders=[gone, root])
    app = uri_of(os.path.join(root, "pkg", "app.py"))
    p = c.diagnostics(app)  # the first check, before the deletion
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    shutil.rmtree(gone)  # the cache made in it too
    c.notify("workspace/didChangeConfiguration", {"settings": {}})
    c.expect(lambda m: m.get("method") == "window/logMessage"
             and gone in m["params"]["message"], "a log naming " + gone)
    # Still checking the other folder.
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": app, "languageId": "python", "version": 1, "text": APP}})
    p = c.version(app, 1)
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    assert c.stop() == 0


@case
def nul_and_large_document(root, c):
    c.initialize(root)
    uri = uri_of(os.path.join(root, "pkg", "big.py"))
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1,
        "text": "x = 1\n\u0000\n"}})
    p = c.version(uri, 1)
    assert codes(p["diagnostics"]) == [("AL002", 1)], p
    # 50 MB (5 MB in the sanitizer run) in a docstring, which the pipeline
    # reads fast: kept without a tree, parsed from scratch at each check.
    lines = 500_000 // int(os.environ.get("AL_STRESS_SCALE", "1"))
    big = "async def f():\n    pass\n\"\"\"\n" + \
        ("x" * 99 + "\n") * lines + "\"\"\"\n"
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": big}]})
    p = c.version(uri, 2)
    assert p["diagnostics"] == [], p
    assert c.stop() == 0


def actions_at(c, uri, line):
    rid = c.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": line, "character": 0},
                  "end": {"line": line, "character": 0}},
        "context": {"diagnostics": []}})
    return c.response(rid)["result"]


def apply_edit(c, uri, action, version):
    edits = action["edit"]["changes"][uri]
    c.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{"range": e["range"], "text": e["newText"]}
                           for e in reversed(edits)]})


@case
def code_actions(root, c):
    c.initialize(root, ["utf-16"])
    app = uri_of(os.path.join(root, "pkg", "app.py"))
    text = APP + "    fetch()  # noqa: AL200\n" + \
        '    fetch(); s = """\n"""\n'
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": app, "languageId": "python", "version": 1, "text": text}})
    p = c.version(app, 1)
    assert codes(p["diagnostics"]) == [("AL100", 5), ("AL100", 6),
                                       ("AL100", 7)], p
    assert actions_at(c, app, 1) == []  # nothing there
    acts = actions_at(c, app, 5)
    titles = [a["title"] for a in acts]
    assert titles == ["Add `await`", "Suppress with # noqa: AL100",
                      "Show the explanation of AL100 (unawaited-coroutine)"], \
        titles
    fix, noqa, explain = acts
    # The rule's fix (issue 18): a quickfix, not preferred (unsafe).
    assert fix["kind"] == "quickfix" and not fix.get("isPreferred"), fix
    assert fix["edit"]["changes"][app] == [{
        "range": {"start": {"line": 5, "character": 4},
                  "end": {"line": 5, "character": 4}},
        "newText": "await "}], fix
    assert noqa["kind"] == "quickfix" and \
        noqa["diagnostics"][0]["code"] == "AL100", noqa
    assert noqa["edit"]["changes"][app] == [{
        "range": {"start": {"line": 5, "character": 11},
                  "end": {"line": 5, "character": 11}},
        "newText": "  # noqa: AL100"}], noqa
    assert explain["command"]["command"] == "asynclint.explain" and \
        explain["command"]["arguments"] == ["AL100"], explain
    # An existing noqa list grows; a line ending in a string gets none.
    acts = actions_at(c, app, 6)
    assert acts[1]["edit"]["changes"][app][0]["newText"] == ", AL100", acts
    assert acts[1]["edit"]["changes"][app][0]["range"]["start"] == {
        "line": 6, "character": 26}, acts
    acts = actions_at(c, app, 7)
    assert [a["title"] for a in acts] == [
        "Add `await`",
        "Show the explanation of AL100 (unawaited-coroutine)"], acts
    # Applied as the client would: that finding goes.
    apply_edit(c, app, noqa, 2)
    p = c.version(app, 2)
    assert codes(p["diagnostics"]) == [("AL100", 6), ("AL100", 7)], p
    apply_edit(c, app, actions_at(c, app, 6)[1], 3)
    p = c.version(app, 3)
    assert codes(p["diagnostics"]) == [("AL100", 7)], p
    # The explanation: shown as a message to a client without showDocument.
    rid = c.request("workspace/executeCommand", {
        "command": "asynclint.explain", "arguments": ["AL100"]})
    assert c.response(rid)["result"] is None
    msg = [m for m in c.seen if m.get("method") == "window/showMessage"]
    assert msg and msg[-1]["params"]["message"].startswith(
        "AL100 (unawaited-coroutine)") and "What it does" in \
        msg[-1]["params"]["message"], msg
    rid = c.request("workspace/executeCommand", {
        "command": "asynclint.explain", "arguments": ["AL999"]})
    assert c.response(rid)["error"]["code"] == -32602
    assert c.stop() == 0


@case
def explain_opens_the_documentation(root, c):
    rid = c.request("initialize", {"rootUri": uri_of(root), "capabilities": {
        "window": {"showDocument": {"support": True}}}})
    c.response(rid)
    c.notify("initialized", {})
    rid = c.request("workspace/executeCommand", {
        "command": "asynclint.explain", "arguments": ["AL200"]})
    show = c.expect(lambda m: m.get("method") == "window/showDocument",
                    "window/showDocument")
    assert show["params"] == {
        "uri": "https://github.com/asynclint/asynclint#al200",
        "external": True}, show
    c.send({"jsonrpc": "2.0", "id": show["id"], "result": {"success": True}})
    assert c.response(rid)["result"] is None
    assert c.stop() == 0


RANDOM_BASE = (
    "import asyncio\nimport time\n\n\nasync def fetch():\n"
    "    return \"\U0001F600\"\n\n\nasync def main():\n"
    "    s = \"\u00e9\U0001F600\"; fetch()\n    time.sleep(1)\n"
    "    if fetch():\n        pass\n")
SNIPPETS = ["x", "fetch()", "await ", "\n", "\n    ", "\U0001F600", "\u00e9",
            "(", ")", "\"", "#", "async ", "\n    fetch()\n",
            "\ndef g():\n    time.sleep(2)\n", "\U00010348x\U0001F600"]


def units(text, enc):
    if enc == "utf-8":
        return len(text.encode("utf-8"))
    if enc == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def lsp_pos(text, index, enc):
    """The LSP position of code point index of text."""
    before = text[:index]
    line = before.count("\n")
    start = before.rfind("\n") + 1
    return {"line": line, "character": units(text[start:index], enc)}


def cli_findings(text):
    """(code, line, col, end_line, end_col) of a cold command-line run."""
    d = tempfile.mkdtemp(prefix="al-lsp-cold-")
    try:
        write(os.path.join(d, "mod.py"), text)
        out = subprocess.run([BINARY, "--no-cache", "--format", "json",
                              "mod.py"], cwd=d, capture_output=True,
                             check=False).stdout
        return sorted((x["code"], x["line"], x["column"], x["end_line"],
                       x["end_column"])
                      for x in json.loads(out)["diagnostics"])
    finally:
        shutil.rmtree(d, ignore_errors=True)


def server_findings(text, diags, enc):
    """The server's diagnostics in the command line's terms (1-based
    lines, columns in code points), converted through the client's text."""
    lines = text.split("\n")

    def col(line, character):
        s, n = lines[line], 0
        for i, ch in enumerate(s):
            if n >= character:
                return i + 1
            n += units(ch, enc)
        return len(s) + 1

    return sorted((d["code"], d["range"]["start"]["line"] + 1,
                   col(d["range"]["start"]["line"],
                       d["range"]["start"]["character"]),
                   d["range"]["end"]["line"] + 1,
                   col(d["range"]["end"]["line"],
                       d["range"]["end"]["character"]))
                  for d in diags)


@case
def random_edits_match_a_cold_run(root, c):
    """Bursts of random edits (astral characters, line breaks, deletions
    across lines) in each encoding: the incrementally reparsed document's
    diagnostics equal a cold command-line run on the same text."""
    c.kill()
    rng = random.Random(19)
    path = os.path.join(root, "mod.py")
    write(path, RANDOM_BASE)
    uri = uri_of(path)
    for enc in ("utf-16", "utf-8", "utf-32"):
        cl = Client(root)
        try:
            cl.initialize(root, [enc])
            text = RANDOM_BASE
            cl.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1,
                "text": text}})
            version = 1
            for _ in range(6):
                for _ in range(25):
                    a = rng.randrange(len(text) + 1)
                    b = a if rng.random() < 0.6 else min(
                        len(text), a + rng.randrange(1, 12))
                    new = rng.choice(SNIPPETS) if a == b or \
                        rng.random() < 0.5 else ""
                    change = {"range": {"start": lsp_pos(text, a, enc),
                                        "end": lsp_pos(text, b, enc)},
                              "text": new}
                    text = text[:a] + new + text[b:]
                    version += 1
                    cl.notify("textDocument/didChange", {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [change]})
                p = cl.version(uri, version)
                got = server_findings(text, p["diagnostics"], enc)
                want = cli_findings(text)
                assert got == want, (enc, text, got, want)
                cl.seen.clear()
            assert cl.stop() == 0
        finally:
            cl.kill()


def cross_module_source(k, n):
    j = (k + 1) % n
    return (f"import time\nfrom m{j} import m{j}_a, m{j}_w, m{j}_g\n\n\n"
            f"async def m{k}_a():\n    return 1\n\n\n"
            f"def m{k}_w():\n    return m{j}_a()\n\n\n"
            f"def m{k}_g(block=False):\n    if block:\n"
            f"        time.sleep(1)\n\n\n"
            f"async def m{k}_h():\n    m{j}_w()\n    m{j}_g()\n"
            f"    m{k}_a()\n    pass\n")


def cross_module_edit(rng, k, n, text):
    """A random edit of module k's text that can change other modules'
    findings: async on or off a def, a call added to the handler, a
    handler line removed."""
    lines = text.split("\n")
    j = rng.randrange(n)
    op = rng.randrange(3)
    if op == 0:
        defs = [i for i, l in enumerate(lines)
                if l.startswith(("def ", "async def "))]
        i = rng.choice(defs)
        lines[i] = lines[i][6:] if lines[i].startswith("async ") \
            else "async " + lines[i]
    elif op == 1:
        i = [x for x, l in enumerate(lines)
             if l.endswith(f"def m{k}_h():")][0] + 1
        call = rng.choice([f"m{k}_g(True)", f"m{k}_w()", f"await m{k}_w()",
                           f"m{k}_g(block=True)", f"m{k}_a()"])
        lines.insert(i, "    " + call)
    else:
        body = [i for i, l in enumerate(lines)
                if l.startswith("    m") or l.startswith("    await")]
        if body:
            del lines[rng.choice(body)]
    return "\n".join(lines)


def cli_findings_of_tree(texts):
    """{file: (code, line, col, end_line, end_col) sorted} of a cold
    command-line run over the files' texts."""
    d = tempfile.mkdtemp(prefix="al-lsp-tree-")
    try:
        for name, text in texts.items():
            write(os.path.join(d, name), text)
        out = subprocess.run([BINARY, "--no-cache", "--isolated", "--format",
                              "json", "."], cwd=d, capture_output=True,
                             check=False).stdout
        got = {name: [] for name in texts}
        for x in json.loads(out)["diagnostics"]:
            got[os.path.basename(x["path"])].append(
                (x["code"], x["line"], x["column"], x["end_line"],
                 x["end_column"]))
        return {k: sorted(v) for k, v in got.items()}
    finally:
        shutil.rmtree(d, ignore_errors=True)


@case
def cross_module_edits_match_a_cold_run(root, c):
    """Random edits across modules that call each other (wrappers, guarded
    helpers): after each, every module's diagnostics, including those of
    modules not edited (re-checked only when their results can change),
    equal a cold command-line run on the same texts."""
    c.kill()
    rng = random.Random(20)
    n = 4
    ws = os.path.join(root, "ws")
    texts = {f"m{k}.py": cross_module_source(k, n) for k in range(n)}
    for name, text in texts.items():
        write(os.path.join(ws, name), text)
    cl = Client(ws)
    try:
        cl.initialize(ws)
        latest = {}
        version = {}
        for name, text in texts.items():
            version[name] = 1
            cl.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri_of(os.path.join(ws, name)),
                "languageId": "python", "version": 1, "text": text}})
        for step in range(24):
            k = rng.randrange(n)
            name = f"m{k}.py"
            texts[name] = cross_module_edit(rng, k, n, texts[name])
            version[name] += 1
            uri = uri_of(os.path.join(ws, name))
            cl.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version[name]},
                "contentChanges": [{"text": texts[name]}]})
            cl.version(uri, version[name])
            # Every publish of that check comes before this response.
            cl.response(cl.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 0, "character": 0},
                          "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []}}))
            for m in cl.seen:
                if m.get("method") == "textDocument/publishDiagnostics":
                    latest[os.path.basename(m["params"]["uri"])] = \
                        m["params"]["diagnostics"]
            cl.seen.clear()
            want = cli_findings_of_tree(texts)
            for f, text in texts.items():
                got = server_findings(text, latest.get(f, []), "utf-16")
                assert got == want[f], (step, f, texts, got, want[f])
        assert cl.stop() == 0
    finally:
        cl.kill()


@case
def new_call_site_of_a_guarded_helper(root, c):
    """A guarded helper's only call kills its branch; a new call of it in
    another module makes what it reaches depend on the flag, which c.py
    passes through an alias: c.py, edited by no one, is checked again."""
    c.kill()
    ws = os.path.join(root, "guarded")
    write(os.path.join(ws, "a.py"),
          "import time\n\n\ndef helper(block=False):\n    if block:\n"
          "        time.sleep(1)\n\n\nasync def handler():\n    helper()\n")
    b_text = "def unrelated():\n    return 1\n"
    write(os.path.join(ws, "b.py"), b_text)
    write(os.path.join(ws, "c.py"), "from a import helper as hp\n\n\n"
          "async def go(flag):\n    hp(flag)\n")
    cl = Client(ws)
    try:
        cl.initialize(ws)
        b_uri = uri_of(os.path.join(ws, "b.py"))
        c_uri = uri_of(os.path.join(ws, "c.py"))
        cl.notify("textDocument/didOpen", {"textDocument": {
            "uri": b_uri, "languageId": "python", "version": 1,
            "text": b_text}})
        cl.version(b_uri, 1)
        cl.notify("textDocument/didChange", {
            "textDocument": {"uri": b_uri, "version": 2},
            "contentChanges": [{"text": "from a import helper\n\n\n"
                                "def unrelated():\n    helper(True)\n"}]})
        p = cl.diagnostics(c_uri, lambda d: len(d) > 0)
        assert codes(p["diagnostics"]) == [("AL209", 4)], p
        assert cl.stop() == 0
    finally:
        cl.kill()


@case
def chain_steps_as_related_information(root, c):
    write(os.path.join(root, "pkg", "util.py"),
          "import time\n\n\ndef pause(n):\n    time.sleep(n)\n\n\n"
          "def retry():\n    pause(1)\n")
    write(os.path.join(root, "pkg", "h.py"),
          "from pkg.util import retry\n\n\nasync def handler():\n"
          "    retry()\n")
    c.initialize(root)
    h = uri_of(os.path.join(root, "pkg", "h.py"))
    util = uri_of(os.path.join(root, "pkg", "util.py"))
    (d,) = c.diagnostics(h)["diagnostics"]
    assert d["code"] == "AL209" and d["severity"] == 2, d
    got = [(r["location"]["uri"], r["location"]["range"]["start"],
            r["message"]) for r in d["relatedInformation"]]
    assert got == [
        (util, {"line": 7, "character": 4}, "'retry' is a step of the chain"),
        (util, {"line": 3, "character": 4}, "'pause' is a step of the chain"),
    ], got
    assert c.stop() == 0


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@case
def memory_flat_over_edits(root, c):
    """10,000 edits, each checked: the resident size after the last is
    within a small margin of the size after the first thousand (a leak of
    even a few hundred bytes per check would exceed it). The sanitizer
    run divides the count by AL_STRESS_SCALE and skips the comparison:
    ASan's quarantine keeps freed memory (its leak check runs at exit)."""
    edits = 10000 // int(os.environ.get("AL_STRESS_SCALE", "1"))
    sanitized = "ASAN_OPTIONS" in os.environ
    c.initialize(root)
    app = uri_of(os.path.join(root, "pkg", "app.py"))
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": app, "languageId": "python", "version": 1, "text": APP}})
    c.version(app, 1)
    at = {"line": 5, "character": 4}
    after = {"line": 5, "character": 5}
    warm = None
    for v in range(2, edits + 2):
        change = ({"range": {"start": at, "end": at}, "text": "x"}
                  if v % 2 == 0
                  else {"range": {"start": at, "end": after}, "text": ""})
        c.notify("textDocument/didChange", {
            "textDocument": {"uri": app, "version": v},
            "contentChanges": [change]})
        p = c.version(app, v)
        c.seen.clear()
        if v == edits // 10:
            warm = rss_kb(c.p.pid)
    # Odd versions are the original text again.
    assert codes(p["diagnostics"]) == [("AL100", 5)], p
    end = rss_kb(c.p.pid)
    print("# resident: %d kB after %d edits, %d kB after %d"
          % (warm, edits // 10, end, edits))
    assert sanitized or end <= warm * 1.1 + 2048, (warm, end)
    assert c.stop() == 0
    if sanitized:
        return "SKIP resident size not compared under ASan"


def main():
    print("1..%d" % len(CASES))
    failed = 0
    for n, fn in enumerate(CASES, 1):
        root = workspace()
        c = Client(root)
        try:
            skip = fn(root, c)
            print("ok %d - %s%s" % (n, fn.__name__,
                                    " # " + skip if skip else ""))
        except Exception:  # noqa: BLE001 - any failure fails the case
            failed += 1
            print("not ok %d - %s" % (n, fn.__name__))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            for m in c.seen[-8:]:
                print("# got: " + json.dumps(m)[:300])
        finally:
            c.kill()
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
