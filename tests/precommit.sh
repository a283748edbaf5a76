#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pre-commit hook of .pre-commit-hooks.yaml, run by pre-commit itself
# (Debian's package), offline, as TAP. A throwaway project repo holds a bad
# file (a missing await, time.sleep in async def) and a good one;
#   1-2. `pre-commit try-repo HOOKREPO asynclint --files bad.py` fails and
#        prints both diagnostics;
#   3.   the same on good.py passes;
#   4.   `pre-commit run --all-files` with the README's
#        .pre-commit-config.yaml snippet (repo and rev pointing at HOOKREPO)
#        fails on bad.py only;
#   5-6. the asynclint-fix hook on a file with a safe fix (AL403, selected
#        by the project's asynclint.toml) fixes it and fails (files were
#        modified), then passes on the fixed file.
# HOOKREPO is a fresh git repo with this tree's .pre-commit-hooks.yaml
# committed: pre-commit clones the hook repo at a commit, and try-repo on a
# work tree only adds its tracked changes, not an uncommitted new file. The
# hook is `language: system`, so the asynclint under test is put first on
# PATH.
# Usage: precommit.sh ASYNCLINT SOURCE_ROOT
set -uo pipefail

bin=$(readlink -f "$1")
src=$(readlink -f "$2")

if ! command -v pre-commit >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "1..1"
    echo "not ok 1 - pre-commit is not installed (./dev deps installs it)"
    exit 1
  fi
  echo "1..0 # SKIP pre-commit is not installed (./dev deps installs it)"
  exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-precommit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Nothing from the user's git or pre-commit setup, and no network.
export PRE_COMMIT_HOME=$tmp/cache
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.invalid
export PRE_COMMIT_COLOR=never NO_COLOR=1
export PATH="$(dirname "$bin"):$PATH"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

n=0
failed=0
ok() {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok() {
  n=$((n + 1))
  failed=1
  echo "not ok $n - $1"
  sed 's/^/# /' "$2"
}

quiet_git() { git "$@" >/dev/null 2>&1; }

echo "1..6"

hooks=$tmp/hookrepo
mkdir -p "$hooks"
cp "$src/.pre-commit-hooks.yaml" "$hooks/"
quiet_git -C "$hooks" init -q -b main &&
  quiet_git -C "$hooks" add -A &&
  quiet_git -C "$hooks" commit -q -m hooks || {
  echo "Bail out! cannot make the hook repo"
  exit 1
}
rev=$(git -C "$hooks" rev-parse HEAD)

proj=$tmp/project
mkdir -p "$proj"
cat >"$proj/bad.py" <<'EOF'
import asyncio
import time


async def save(item):
    await asyncio.sleep(0)


async def handler(item):
    save(item)
    time.sleep(1)
EOF
cat >"$proj/good.py" <<'EOF'
import asyncio


async def save(item):
    await asyncio.sleep(0)


async def handler(item):
    await save(item)
    await asyncio.sleep(1)
EOF
quiet_git -C "$proj" init -q -b main && quiet_git -C "$proj" add -A

cd "$proj" || exit 1

# 1-2: the bad file fails, with its diagnostics.
rc=0
pre-commit try-repo "$hooks" asynclint --files bad.py >"$tmp/bad.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^asynclint.*Failed' "$tmp/bad.out"; then
  ok "try-repo asynclint --files bad.py fails"
else
  echo "# exit status $rc"
  not_ok "try-repo asynclint --files bad.py fails" "$tmp/bad.out"
fi
if grep -q '^bad\.py:10:5: AL100 ' "$tmp/bad.out" &&
  grep -q '^bad\.py:11:5: AL200 ' "$tmp/bad.out"; then
  ok "the hook prints bad.py's AL100 and AL200"
else
  not_ok "the hook prints bad.py's AL100 and AL200" "$tmp/bad.out"
fi

# 3: the good file passes.
rc=0
pre-commit try-repo "$hooks" asynclint --files good.py >"$tmp/good.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -q '^asynclint.*Passed' "$tmp/good.out"; then
  ok "try-repo asynclint --files good.py passes"
else
  echo "# exit status $rc"
  not_ok "try-repo asynclint --files good.py passes" "$tmp/good.out"
fi

# 4: the README's configuration snippet, pointed at the hook repo.
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: asynclint
EOF
quiet_git add .pre-commit-config.yaml
rc=0
pre-commit run --all-files >"$tmp/run.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q '^bad\.py:10:5: AL100 ' "$tmp/run.out" &&
  ! grep -q '^good\.py:' "$tmp/run.out"; then
  ok "pre-commit run --all-files with .pre-commit-config.yaml flags bad.py only"
else
  echo "# exit status $rc"
  not_ok "pre-commit run --all-files with .pre-commit-config.yaml flags bad.py only" "$tmp/run.out"
fi

# 5-6: the fix hook rewrites a fixable file, then passes on it.
fixdir=$tmp/fixproject
mkdir -p "$fixdir"
printf 'extend-select = ["AL403"]\n' >"$fixdir/asynclint.toml"
cat >"$fixdir/loop.py" <<'EOF'
import asyncio


async def handler():
    return asyncio.get_event_loop()
EOF
cat >"$fixdir/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: asynclint-fix
EOF
quiet_git -C "$fixdir" init -q -b main && quiet_git -C "$fixdir" add -A
cd "$fixdir" || exit 1
rc=0
pre-commit run asynclint-fix --all-files >"$tmp/fix1.out" 2>&1 || rc=$?
if [ "$rc" -eq 1 ] && grep -q 'files were modified by this hook' "$tmp/fix1.out" &&
  grep -q 'asyncio.get_running_loop()' loop.py; then
  ok "asynclint-fix applies the safe fix (and fails: files were modified)"
else
  echo "# exit status $rc"
  not_ok "asynclint-fix applies the safe fix (and fails: files were modified)" "$tmp/fix1.out"
fi
quiet_git add -A
rc=0
pre-commit run asynclint-fix --all-files >"$tmp/fix2.out" 2>&1 || rc=$?
if [ "$rc" -eq 0 ] && grep -q 'Passed' "$tmp/fix2.out"; then
  ok "asynclint-fix passes on the fixed file"
else
  echo "# exit status $rc"
  not_ok "asynclint-fix passes on the fixed file" "$tmp/fix2.out"
fi

exit $failed
