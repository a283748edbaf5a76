#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile-environment tests of the asynclint binary: what a golden under
# fixtures/cli cannot hold well because it needs special files, permissions,
# a pipe that closes early or large generated inputs.
#   - a permission-denied file and directory (as user nobody when run as
#     root, so the check is real: root reads mode-000 files);
#   - a FIFO named x.py in a tree, and named explicitly: never opened, so the
#     run cannot block;
#   - symlink loops: the walk ends and lists each file once;
#   - `asynclint ... | head -1`: no noise on stderr, not killed by SIGPIPE;
#     a full disk (/dev/full), though, is an error worth a message;
#   - a 2 MB file, a 2 MB line, 20,000-deep nesting and 20,000 comment
#     lines in a block: no crash, bounded time.
# Every run goes through `timeout`, so a hang is a failure, not a stuck
# suite. Prints TAP (plan at the end).
#
# Usage: hostile.sh ASYNCLINT_BIN
tests_dir=$(cd "$(dirname "$0")" && pwd)
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 1 ]; then
  echo "usage: hostile.sh ASYNCLINT_BIN" >&2
  exit 2
fi
bin=$(readlink -f "$1")
if [ ! -x "$bin" ]; then
  echo "Bail out! $1 is not an executable"
  exit 1
fi
# Sanitizer builds are slower; deep inputs stay well under this anyway.
limit=60

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-hostile.XXXXXX")
cleanup() {
  # Mode-000 entries must be made removable again first.
  chmod -R u+rwx "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

out="$tmp/out"
err="$tmp/err"
# shellcheck source=tests/tap.sh
. "$tests_dir/tap.sh"

# run [PREFIX...] -- ARGS...: runs the binary under timeout with stdin from
# /dev/null, stdout to $out, stderr to $err; sets $rc.
run() {
  local prefix=()
  while [ "$1" != "--" ]; do
    prefix+=("$1")
    shift
  done
  shift
  "${prefix[@]}" timeout "$limit" "$bin_run" "$@" </dev/null >"$out" 2>"$err"
  rc=$?
}
bin_run=$bin

# Exited by itself: not killed by a signal, not stopped by timeout.
finished() { [ "$rc" -lt 124 ]; }

# A module with one AL200 at 5:5 inside `async def NAME()`.
sleeper() {
  printf 'import time\n\n\nasync def %s():\n    time.sleep(1)\n' "$2" >"$1"
}
sleep_diag() {
  printf "%s:5:5: AL200 'time.sleep' blocks the event loop inside async function '%s'; use 'await asyncio.sleep(...)'" "$1" "$2"
}

# --- Permissions --------------------------------------------------------
# root reads anything, so as root the runs switch to nobody with setpriv;
# anyone else is unprivileged already.
as_user=()
perm_skip=""
if [ "$(id -u)" -eq 0 ]; then
  if ! command -v setpriv >/dev/null 2>&1; then
    perm_skip="setpriv (util-linux) not found"
  elif ! id -u nobody >/dev/null 2>&1; then
    perm_skip="no user nobody"
  else
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    if ! "${as_user[@]}" true 2>/dev/null; then
      perm_skip="setpriv cannot switch to nobody here"
    fi
  fi
fi

perm_tests=(
  "permission: unreadable file gets AL002 Permission denied"
  "permission: unreadable directory in a tree gets AL002"
  "permission: the readable files' findings are still printed"
  "permission: exit code 1 for a tree with findings"
  "permission: unreadable file named explicitly gets AL002"
  "permission: unreadable directory named explicitly exits 2"
  "permission: a tree whose only problem is an unreadable directory does not pass"
)
if [ -z "$perm_skip" ]; then
  chmod 755 "$tmp"
  # The binary must be reachable by nobody: copy it when it is not.
  if ! "${as_user[@]}" test -x "$bin" 2>/dev/null; then
    cp "$bin" "$tmp/asynclint"
    chmod 755 "$tmp/asynclint"
    bin_run=$tmp/asynclint
  fi
  mkdir -p "$tmp/perm/lockdir" "$tmp/perm2/lockdir"
  sleeper "$tmp/perm/good.py" good
  sleeper "$tmp/perm/locked.py" locked
  sleeper "$tmp/perm/lockdir/inner.py" inner
  printf 'x = 1\n' >"$tmp/perm2/clean.py"
  sleeper "$tmp/perm2/lockdir/inner.py" inner
  chmod -R a+rX "$tmp/perm" "$tmp/perm2"
  chmod 000 "$tmp/perm/locked.py" "$tmp/perm/lockdir" "$tmp/perm2/lockdir"

  cd "$tmp/perm" || exit 1
  run "${as_user[@]}" -- .
  check "${perm_tests[0]}" has_line "$out" \
    "locked.py:1:1: AL002 cannot read file: Permission denied"
  check "${perm_tests[1]}" has_line "$out" \
    "lockdir:1:1: AL002 cannot lint: Permission denied"
  check "${perm_tests[2]}" has_line "$out" "$(sleep_diag good.py good)"
  check "${perm_tests[3]}" rc_is 1

  run "${as_user[@]}" -- locked.py
  check "${perm_tests[4]}" eval 'rc_is 1 && has_line "$out" "locked.py:1:1: AL002 cannot read file: Permission denied"'

  run "${as_user[@]}" -- lockdir
  check "${perm_tests[5]}" eval 'rc_is 2 && has_line "$err" "asynclint: lockdir: Permission denied"'

  # Files were left unchecked: neither "All checks passed" nor exit 0.
  cd "$tmp/perm2" || exit 1
  run "${as_user[@]}" -- .
  check "${perm_tests[6]}" eval '! rc_is 0 && finished && ! grep -q "All checks passed" "$err"'
  cd "$tmp" || exit 1
  bin_run=$bin
else
  for t in "${perm_tests[@]}"; do
    skip "$t" "$perm_skip"
  done
fi

# --- A FIFO named like a module -----------------------------------------
mkdir -p "$tmp/fifo"
sleeper "$tmp/fifo/good.py" good
cd "$tmp" || exit 1
if mkfifo "$tmp/fifo/x.py" 2>/dev/null; then
  run -- fifo
  check "fifo: a FIFO in a tree does not block" finished
  check "fifo: it is reported as not a regular file" has_line "$out" \
    "fifo/x.py:1:1: AL002 cannot lint: not a regular file"
  check "fifo: the other file's findings are printed" has_line "$out" \
    "$(sleep_diag fifo/good.py good)"
  run -- fifo/x.py
  check "fifo: a FIFO named explicitly does not block and exits 2" \
    eval 'rc_is 2 && has_line "$err" "asynclint: fifo/x.py: not a regular file"'
  # Standard input that is a FIFO with a writer is the normal case.
  printf 'import time\n\n\nasync def piped():\n    time.sleep(1)\n' |
    timeout "$limit" "$bin" --stdin-filename p.py - >"$out" 2>"$err"
  rc=$?
  check "fifo: standard input from a pipe is linted" \
    eval 'rc_is 1 && has_line "$out" "$(sleep_diag p.py piped)"'
else
  for t in "does not block" "reported" "others printed" "explicit" "stdin"; do
    skip "fifo: $t" "mkfifo failed"
  done
fi

# --- Symlink loops -------------------------------------------------------
mkdir -p "$tmp/loop/a/c"
sleeper "$tmp/loop/top.py" top
sleeper "$tmp/loop/a/m.py" inner
ln -s .. "$tmp/loop/a/up"
ln -s . "$tmp/loop/a/self"
ln -s a "$tmp/loop/b"
ln -s ../../../loop "$tmp/loop/a/c/root"
ln -s ringdir2 "$tmp/loop/ringdir1"
ln -s ringdir1 "$tmp/loop/ringdir2"
ln -s ring2.py "$tmp/loop/ring.py"
ln -s ring.py "$tmp/loop/ring2.py"
run -- loop
check "symlink loop: the walk terminates" finished
# Two real files and two .py links that loop (each an AL002 finding: a
# tree never passes because part of it could not be read).
check "symlink loop: each file once, under its real path" eval '
  [ "$(count_line "$out" "$(sleep_diag loop/top.py top)")" -eq 1 ] &&
  [ "$(count_line "$out" "$(sleep_diag loop/a/m.py inner)")" -eq 1 ] &&
  [ "$(wc -l <"$out")" -eq 4 ] && rc_is 1'
check "symlink loop: four files checked" \
  grep -qF "(4 files checked)" "$err"
check "symlink loop: a looping .py link gets AL002" \
  has_line "$out" "loop/ring.py:1:1: AL002 cannot lint: Too many levels of symbolic links"
# Named twice through links: still once each.
run -- loop/b loop/a/up loop
check "symlink loop: paths naming one tree several times list each file once" \
  eval 'finished && [ "$(wc -l <"$out")" -eq 4 ]'

# --- A reader that goes away --------------------------------------------
# Enough findings to overflow the pipe buffer, so the write really fails.
mkdir -p "$tmp/pipe"
awk 'BEGIN {
  print "import time"
  for (i = 0; i < 3000; i++) {
    print ""; print ""
    printf "async def handler_%d():\n    time.sleep(%d)\n", i, i
  }
}' >"$tmp/pipe/many.py"
cd "$tmp" || exit 1
timeout "$limit" "$bin" --threads 2 pipe 2>"$err" | head -n 1 >"$out"
statuses=("${PIPESTATUS[@]}")
rc=${statuses[0]}
check "head -1: nothing on stderr" eval '[ ! -s "$err" ]'
check "head -1: exits by itself, not by SIGPIPE" finished
check "head -1: the first line was written" has_line "$out" \
  "pipe/many.py:5:5: AL200 'time.sleep' blocks the event loop inside async function 'handler_0'; use 'await asyncio.sleep(...)'"
timeout "$limit" "$bin" --format json pipe 2>"$err" | head -c 100 >/dev/null
rc=${PIPESTATUS[0]}
check "head -c: JSON output, nothing on stderr either" \
  eval '[ ! -s "$err" ] && finished'

# A full disk is not a closed pipe: that one must be said, with exit 2.
if [ -w /dev/full ]; then
  timeout "$limit" "$bin" pipe >/dev/full 2>"$err"
  rc=$?
  check "write error: /dev/full gives a message and exit 2" eval \
    'rc_is 2 && has_line "$err" "asynclint: cannot write the report: No space left on device"'
else
  skip "write error: /dev/full gives a message and exit 2" "no /dev/full"
fi

# --- Large and deep inputs -----------------------------------------------
mkdir -p "$tmp/big"
# About 2 MB: 11,600 small async functions, every 100th one blocking.
awk 'BEGIN {
  print "import asyncio"; print "import time"
  for (i = 0; i < 11600; i++) {
    print ""; print ""
    printf "async def handler_%d(request, key=\"xxxxxxxxxxxxxxxxxxxx\"):\n", i
    printf "    data = await asyncio.sleep(0, result={\"key\": key, \"n\": %d})\n", i
    print "    value = [d for d in data if d]"
    if (i % 100 == 0) print "    time.sleep(0.01)"
    print "    return value"
  }
}' >"$tmp/big/big.py"
run -- big/big.py
check "2 MB file: finishes with exit 1" rc_is 1
check "2 MB file: every blocking call found" eval '
  [ "$(wc -l <"$out")" -eq 116 ] &&
  has_line "$out" "big/big.py:69123:5: AL200 '"'"'time.sleep'"'"' blocks the event loop inside async function '"'"'handler_11500'"'"'; use '"'"'await asyncio.sleep(...)'"'"'"'

# One line of about 2 MB: 150,000 findings, the last after 100,000
# two-byte characters (columns count characters).
awk 'BEGIN {
  printf "import time\nasync def f(): "
  for (i = 0; i < 150000; i++) printf "time.sleep(1); "
  printf "x = \""
  for (i = 0; i < 100000; i++) printf "\303\251"
  printf "\"; time.sleep(2)\n"
}' >"$tmp/big/line.py"
run -- big/line.py
check "2 MB line: all findings, the last column in characters" eval '
  rc_is 1 && [ "$(wc -l <"$out")" -eq 150001 ] &&
  [ "$(tail -n 1 "$out" | cut -d: -f1-3)" = "big/line.py:2:2350024" ]'

deep=20000
# awk repeats a string: rep(s, n).
gen() {
  awk -v n="$deep" "function rep(s, k,  r) { r = \"\"; while (k-- > 0) r = r s; return r }
    BEGIN { $1 }" >"$tmp/big/$2"
}
gen 'print "x = " rep("(", n) "1" rep(")", n)' parens.py
gen 'print "x = " rep("[", n) rep("]", n)' lists.py
gen 'print "x = " rep("not ", n) "y"' unary.py
gen 'print "x = 1" rep(" + 1", n)' binop.py
gen 'print "x = a" rep(".b", n) rep("[0]", n)' chain.py
gen 'print "f = " rep("lambda: ", n) "1"' lambdas.py
gen 'print "async def f():"; print "    " rep("await ", n) "g()"' awaits.py
gen 'print "x = " rep("(", n)' unclosed.py
gen 'print "import time\n\n\nasync def f():"; print "    g(" rep("g(", n) "time.sleep(1)" rep(")", n) ")"' calls.py
for f in parens lists unary binop chain lambdas awaits; do
  run -- "big/$f.py"
  check "20,000-deep $f: no crash, nothing reported" eval \
    'rc_is 0 && [ ! -s "$out" ]'
done
run -- big/unclosed.py
check "20,000 unclosed parentheses: AL001, no crash" eval \
  'rc_is 1 && grep -q "^big/unclosed.py:1:[0-9]*: AL001 " "$out"'
run -- big/calls.py
check "20,000-deep calls: the blocking call inside is found" eval '
  rc_is 1 && [ "$(cut -d" " -f1-2 "$out")" = "big/calls.py:5:40007: AL200" ]'

# 20,000 comment lines after an indented block: tree-sitter-python's
# scanner takes quadratic time on such a run (minutes), unless it is kept
# from the parser (src/syntax/comment_runs.h).
awk 'BEGIN { print "import time\n\n\nasync def f():\n    x = 1";
  for (i = 0; i < 20000; i++) print "    # a comment line of some length, " i;
  print "    time.sleep(1)" }' >"$tmp/big/comments.py"
run -- big/comments.py
check "20,000 comment lines in a block: the call after them is found" eval '
  rc_is 1 && [ "$(cut -d" " -f1-2 "$out")" = "big/comments.py:20006:5: AL200" ]'

echo "1..$n"
[ "$failed" -eq 0 ]
