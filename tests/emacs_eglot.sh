#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real editor: Emacs in batch mode, with eglot set up by the README's
# Emacs snippet (cut out of README.md here, so the test runs what users
# copy), visits a file of a git work tree, starts eglot as M-x eglot does
# (emacs_eglot.el), and must see the server's diagnostic in flymake, see it
# go after an edit and come back after an undo, and apply the preferred
# quickfix from eglot's code-action menu (issue 18's "Add `await`").
# Skips when emacs or eglot is not installed, except in CI (CI=true),
# where ./dev installs Debian's emacs-nox and elpa-eglot and a skip would
# hide a lost editor.
# usage: emacs_eglot.sh ASYNCLINT SOURCE_ROOT
set -u
bin=$1
src=$2
. "$src/tests/tap.sh"

name="emacs eglot attaches asynclint server, sees its diagnostics follow edits and applies a code action"
echo "1..1"
missing=
if ! command -v emacs >/dev/null 2>&1; then
  missing="emacs not installed"
elif ! emacs --batch --eval "(require 'eglot)" \
  >/dev/null 2>&1; then
  missing="eglot not installed (Debian: elpa-eglot)"
fi
if [ -n "$missing" ]; then
  if [ "${CI:-}" = true ]; then
    not_ok "$name" "$missing, in CI (./dev installs emacs-nox and elpa-eglot)"
  else
    echo "ok 1 - $name # SKIP $missing"
  fi
  exit $((failed > 0))
fi

ws=$(mktemp -d "${TMPDIR:-/tmp}/al-emacs.XXXXXX")
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/pkg" "$ws/home" "$ws/bin"
: >"$ws/pkg/__init__.py"
printf 'async def fetch():\n    return 1\n' >"$ws/pkg/lib.py"
printf 'from pkg.lib import fetch\n\n\nasync def main():\n    await fetch()\n    fetch()\n' \
  >"$ws/pkg/app.py"
# A git work tree: Emacs's project (and so eglot's workspace root) is it.
git -C "$ws" init -q
# The snippet runs "asynclint" from PATH: this build's binary.
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$ws/bin/asynclint"
# The README's Emacs snippet: the elisp block after the **Emacs** line.
awk '/^\*\*Emacs\*\*/ {on = 1; next}
     on && /^```elisp$/ {copy = 1; next}
     copy && /^```$/ {exit}
     copy {print}' "$src/README.md" >"$ws/snippet.el"
if ! grep -q eglot-server-programs "$ws/snippet.el"; then
  not_ok "$name" "no Emacs snippet found in README.md:" "$ws/snippet.el"
  exit 1
fi
out=$ws/events
err=$ws/stderr
# A home of its own: no user init file, no package state of the user's.
rc=0
HOME=$ws/home PATH=$ws/bin:$PATH AL_WS=$ws AL_OUT=$out \
  AL_SNIPPET=$ws/snippet.el \
  timeout 300 emacs --batch \
  -l "$src/tests/emacs_eglot.el" </dev/null >/dev/null 2>"$err" || rc=$?

expected="mode python-mode
server asynclint server
diagnostics arrived
diag 6:5 AL100 eglot-error fetch(): asynclint [AL100]: 'fetch' (pkg/lib.py:1) is async: this call creates a coroutine that is never awaited; add 'await'
after edit clean
after undo finding back:     fetch()
action Add \`await\` (preferred)
action Suppress with # noqa: AL100
action Show the explanation of AL100 (unawaited-coroutine)
chosen Add \`await\`
after action clean:     await fetch()
server shut down"
if [ "$rc" -eq 0 ] && [ "$(cat "$out" 2>/dev/null)" = "$expected" ]; then
  ok "$name"
else
  not_ok "$name" "expected:" "$expected" "got:" "$out" "stderr:" "$err" \
    "exit: $rc"
fi
exit $((failed > 0))
