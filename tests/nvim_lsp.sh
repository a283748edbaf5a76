#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real editor: neovim headless opens a file, attaches `asynclint server`
# with its built-in LSP client (nvim_lsp.lua), and must see the server's
# diagnostic, see it go after an edit and come back after an undo, and
# apply the server's quickfix for it (issue 18's "Add `await`"). Skips
# when neovim is not installed (./dev installs Debian's), except in CI.
# usage: nvim_lsp.sh ASYNCLINT SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/tap.sh"

echo "1..1"
if ! command -v nvim >/dev/null 2>&1; then
  # In CI (CI=true) ./dev installs it: a skip there would hide a lost
  # editor.
  if [ "${CI:-}" = true ]; then
    not_ok "neovim attaches asynclint server" \
      "nvim not installed, in CI (./dev installs neovim)"
    exit 1
  fi
  echo "ok 1 - neovim attaches asynclint server # SKIP nvim not installed"
  exit 0
fi

ws=$(mktemp -d "${TMPDIR:-/tmp}/al-nvim.XXXXXX")
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/pkg" "$ws/home"
: >"$ws/pkg/__init__.py"
printf 'async def fetch():\n    return 1\n' >"$ws/pkg/lib.py"
printf 'from pkg.lib import fetch\n\n\nasync def main():\n    await fetch()\n    fetch()\n' \
  >"$ws/pkg/app.py"
out=$ws/events
err=$ws/stderr
# A home of its own: no user config, no shada, no swap files.
rc=0
HOME=$ws/home XDG_CONFIG_HOME=$ws/home XDG_DATA_HOME=$ws/home \
  XDG_STATE_HOME=$ws/home AL_BIN=$bin AL_WS=$ws AL_OUT=$out \
  timeout 300 nvim --headless --clean -n \
  -c "luafile $src/tests/nvim_lsp.lua" </dev/null >/dev/null 2>"$err" || rc=$?

expected="client started
diagnostics arrived
diag 6:5 AL100 asynclint severity=1 'fetch' (pkg/lib.py:1) is async: this call creates a coroutine that is never awaited; add 'await'
after edit clean
after undo finding back
action Add \`await\`
action Suppress with # noqa: AL100
action Show the explanation of AL100 (unawaited-coroutine)
after action clean:     await fetch()
client stopped"
if [ "$rc" -eq 0 ] && [ "$(cat "$out" 2>/dev/null)" = "$expected" ]; then
  ok "neovim attaches asynclint server, sees its diagnostics follow edits and applies a code action"
else
  not_ok "neovim attaches asynclint server, sees its diagnostics follow edits and applies a code action" \
    "expected:" "$expected" "got:" "$out" "stderr:" "$err" "exit: $rc"
fi
exit $((failed > 0))
