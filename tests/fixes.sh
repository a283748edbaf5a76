#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fixes, end to end, on the before/after pairs of FIXES_DIR:
#   NAME.py        the input; an optional `# fix-args: ARGS` comment on one
#                  of its first two lines adds ARGS (e.g. --select AL403)
#   NAME.py.fixed  the file expected after
#                  asynclint --isolated --no-cache --fix --unsafe-fixes ARGS NAME.py
# For every pair, in a copy in a temporary directory:
#   1. --fix gives exactly NAME.py.fixed (bytes: encoding, BOM, line
#      endings, final newline), and exits 0 or 1;
#   2. the result compiles with the real CPython (compile(), bytes read
#      as Python reads them);
#   3. re-linting it: no finding with a fix is left, and no rule reports
#      more findings than it did on the input (a fix adds no finding);
#   4. a second --fix changes nothing (idempotence);
#   5. --diff writes nothing, exits 1, and its output applied with
#      `patch -p1` (and checked by `git apply --check`) gives exactly the
#      --fix result;
# --add-noqa on add_noqa/NAME.py gives add_noqa/NAME.py.noqa, after which
# nothing is reported and a second --add-noqa changes nothing;
# then, over a copy of the whole fixtures tree (FIXTURES_DIR), the measure
# of issue 18: --fix --unsafe-fixes --select ALL leaves every file that
# compiled still compiling and removes at least 90% of the findings that
# had a fix (counted from the JSON output before and after).
# Usage: fixes.sh ASYNCLINT FIXES_DIR FIXTURES_DIR
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV

bin=$(readlink -f "$1")
fixes_dir=$(readlink -f "$2")
fixtures_dir=$(readlink -f "$3")
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=tests/tap.sh
. "$here/tap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
err=$tmp/err

# Whether file compiles with CPython (as bytes: the coding line counts).
compiles() {
  python3 -c 'import sys; f = sys.argv[1]; compile(open(f, "rb").read(), f, "exec")' "$1" 2>/dev/null
}

# The fixable findings and the findings per code, from a JSON report on
# stdin: "fixable N" then "CODE N" lines.
json_counts() {
  python3 -c '
import json, sys, collections
doc = json.load(sys.stdin)
diags = doc["diagnostics"]
print("fixable", sum(1 for d in diags if d.get("fix")))
for code, n in sorted(collections.Counter(d["code"] for d in diags).items()):
    print(code, n)
'
}

# ARGS of the `# fix-args:` comment in the first two lines of file.
fix_args() {
  head -n 2 "$1" | sed -n 's/^\(\xef\xbb\xbf\)\{0,1\}# fix-args: *//p' | head -n 1 | tr -d '\r'
}

check_pair() {
  local input=$1 name expected args dir
  name=$(basename "$input")
  expected=$input.fixed
  if [ ! -f "$expected" ]; then
    not_ok "$name: $name.fixed is missing"
    return
  fi
  args=$(fix_args "$input")
  dir=$tmp/pair
  rm -rf "$dir" && mkdir -p "$dir/a" "$dir/b"
  cp "$input" "$dir/a/$name"
  cp "$input" "$dir/b/$name"

  # 1. --fix gives the expected bytes.
  # shellcheck disable=SC2086
  (cd "$dir/a" && "$bin" --isolated --no-cache --fix --unsafe-fixes $args "$name") >"$out" 2>"$err"
  rc=$?
  if [ "$rc" -gt 1 ]; then
    not_ok "$name: --fix exits $rc"
    return
  fi
  if ! cmp -s "$dir/a/$name" "$expected"; then
    not_ok "$name: --fix does not give $name.fixed" \
      "$(diff -u "$expected" "$dir/a/$name" | head -n 30 | cat -A)"
    return
  fi
  ok "$name: --fix gives $name.fixed"

  # 2. It compiles.
  if compiles "$dir/a/$name"; then
    ok "$name: the fixed file compiles with $(python3 -V 2>&1)"
  else
    not_ok "$name: the fixed file does not compile" \
      "$(python3 -c 'import sys; f = sys.argv[1]; compile(open(f, "rb").read(), f, "exec")' "$dir/a/$name" 2>&1 | tail -n 3)"
  fi

  # 3. Nothing fixable left, nothing new.
  local before after
  # shellcheck disable=SC2086
  before=$(cd "$dir/b" && "$bin" --isolated --no-cache --unsafe-fixes --format json $args "$name" 2>/dev/null | json_counts)
  # shellcheck disable=SC2086
  after=$(cd "$dir/a" && "$bin" --isolated --no-cache --unsafe-fixes --format json $args "$name" 2>/dev/null | json_counts)
  local left grew
  left=$(echo "$after" | awk '$1 == "fixable" { print $2 }')
  grew=$(join -a 2 -e 0 -o 0,1.2,2.2 <(echo "$before" | grep -v '^fixable' | sort) \
    <(echo "$after" | grep -v '^fixable' | sort) | awk '$3 > $2 { print $1 " " $2 " -> " $3 }')
  if [ "$(echo "$before" | awk '$1 == "fixable" { print $2 }')" = 0 ]; then
    not_ok "$name: the input has no finding with a fix (a pair tests a fix)"
  elif [ "$left" != 0 ] || [ -n "$grew" ]; then
    not_ok "$name: re-linting the fixed file" "fixable left: $left" \
      "more findings than before: ${grew:-none}"
  else
    ok "$name: re-linted: no fixable finding left, no new finding"
  fi

  # 4. Idempotence.
  cp "$dir/a/$name" "$tmp/once"
  # shellcheck disable=SC2086
  (cd "$dir/a" && "$bin" --isolated --no-cache --fix --unsafe-fixes $args "$name") >"$out" 2>"$err"
  if cmp -s "$dir/a/$name" "$tmp/once"; then
    ok "$name: a second --fix changes nothing"
  else
    not_ok "$name: a second --fix changes the file" \
      "$(diff -u "$tmp/once" "$dir/a/$name" | head -n 20)"
  fi

  # 5. --diff, applied with patch -p1, gives the --fix result.
  # shellcheck disable=SC2086
  (cd "$dir/b" && "$bin" --isolated --no-cache --diff --unsafe-fixes $args "$name") >"$tmp/diff" 2>"$err"
  rc=$?
  if [ "$rc" != 1 ] || ! cmp -s "$dir/b/$name" "$input"; then
    not_ok "$name: --diff exits 1 and writes nothing (exit $rc)"
    return
  fi
  mkdir -p "$dir/p" && cp "$input" "$dir/p/$name"
  if ! (cd "$dir/p" && git apply --check "$tmp/diff") >"$out" 2>&1; then
    not_ok "$name: git apply --check refuses the --diff output" "$tmp/diff"
  elif ! (cd "$dir/p" && patch -p1 --quiet --no-backup-if-mismatch <"$tmp/diff") >"$out" 2>&1; then
    not_ok "$name: patch -p1 refuses the --diff output" "$tmp/diff"
  elif ! cmp -s "$dir/p/$name" "$expected"; then
    not_ok "$name: --diff applied with patch differs from --fix" \
      "$(diff -u "$expected" "$dir/p/$name" | head -n 20 | cat -A)"
  else
    ok "$name: --diff applied with patch -p1 gives the --fix result"
  fi
}

shopt -s nullglob
pairs=("$fixes_dir"/*.py)
for input in "${pairs[@]}"; do
  check_pair "$input"
done
for expected in "$fixes_dir"/*.py.fixed; do
  [ -f "${expected%.fixed}" ] || not_ok "$(basename "$expected"): no input"
done

# --add-noqa on the pairs add_noqa/NAME.py -> NAME.py.noqa: the expected
# bytes, nothing left to report, and a second run adds nothing.
for input in "$fixes_dir"/add_noqa/*.py; do
  name=$(basename "$input")
  args=$(fix_args "$input")
  rm -rf "$tmp/noqa" && mkdir -p "$tmp/noqa" && cp "$input" "$tmp/noqa/$name"
  # shellcheck disable=SC2086
  (cd "$tmp/noqa" && "$bin" --isolated --no-cache --add-noqa $args "$name") >"$out" 2>"$err"
  rc=$?
  if [ "$rc" != 0 ] || ! cmp -s "$tmp/noqa/$name" "$input.noqa"; then
    not_ok "add_noqa/$name: --add-noqa does not give $name.noqa (exit $rc)" \
      "$(diff -u "$input.noqa" "$tmp/noqa/$name" | head -n 30 | cat -A)"
    continue
  fi
  ok "add_noqa/$name: --add-noqa gives $name.noqa"
  # shellcheck disable=SC2086
  (cd "$tmp/noqa" && "$bin" --isolated --no-cache $args "$name") >"$out" 2>"$err"
  rc=$?
  # shellcheck disable=SC2086
  (cd "$tmp/noqa" && "$bin" --isolated --no-cache --add-noqa $args "$name") >"$out" 2>>"$err"
  if [ "$rc" = 0 ] && cmp -s "$tmp/noqa/$name" "$input.noqa"; then
    ok "add_noqa/$name: nothing left to report, a second run adds nothing"
  else
    not_ok "add_noqa/$name: findings left (exit $rc) or a second run changed it"
  fi
done

# A line ending inside a string or after a backslash takes no comment.
cat >"$tmp/open.py" <<'PY'
import time


async def f():
    time.sleep(1, """abc
    def""")
    time.sleep(2) if \
        True else 0
PY
cp "$tmp/open.py" "$tmp/open.orig"
"$bin" --isolated --no-cache --add-noqa "$tmp/open.py" >"$out" 2>"$err"
rc=$?
if [ "$rc" = 0 ] && cmp -s "$tmp/open.py" "$tmp/open.orig" && grep -q 'Added 0 noqa' "$err"; then
  ok "--add-noqa leaves lines ending in a string or a continuation alone"
else
  not_ok "--add-noqa changed a line ending in a string or a continuation" \
    "$(diff "$tmp/open.orig" "$tmp/open.py")"
fi

# The config keys: `fix = true` fixes without --fix; `unfixable` (and
# `fixable` without the rule) offer no fix: no [*], --fix leaves it.
cfg=$tmp/cfg
mkdir -p "$cfg"
printf 'import asyncio\n\n\nasync def f():\n    return asyncio.get_event_loop()\n' >"$tmp/src.py"
config_case() { # NAME TOML WANT(fixed|kept) WANT_MARK(yes|no)
  printf '[tool.asynclint]\nselect = ["AL403"]\n%b' "$2" >"$cfg/pyproject.toml"
  cp "$tmp/src.py" "$cfg/a.py"
  (cd "$cfg" && "$bin" --no-cache a.py) >"$out" 2>"$err"
  local marked=no state=kept
  grep -q 'AL403 \[\*\]' "$out" && marked=yes
  (cd "$cfg" && "$bin" --no-cache --fix a.py) >/dev/null 2>&1
  grep -q get_running_loop "$cfg/a.py" && state=fixed
  if [ "$state" = "$3" ] && { [ "$1" = fix ] || [ "$marked" = "$4" ]; }; then
    ok "config $1: the fix is $3, [*] $4"
  else
    not_ok "config $1: the fix is $state (want $3), [*] $marked (want $4)"
  fi
}
config_case plain '' fixed yes
config_case unfixable 'unfixable = ["AL4"]\n' kept no
config_case fixable-other 'fixable = ["AL003"]\n' kept no
config_case fixable-prefix 'fixable = ["AL4"]\n' fixed yes
# fix = true: a plain run writes the fix.
printf '[tool.asynclint]\nselect = ["AL403"]\nfix = true\n' >"$cfg/pyproject.toml"
cp "$tmp/src.py" "$cfg/a.py"
(cd "$cfg" && "$bin" --no-cache a.py) >"$out" 2>"$err"
rc=$?
if [ "$rc" = 0 ] && grep -q get_running_loop "$cfg/a.py"; then
  ok "config fix = true: a plain run applies the fix (exit 0)"
else
  not_ok "config fix = true: a plain run does not apply the fix" "$cfg/a.py"
fi

# --add-noqa with `fix = true`: the comments, not the fixes.
cp "$tmp/src.py" "$cfg/a.py"
(cd "$cfg" && "$bin" --no-cache --add-noqa a.py) >"$out" 2>"$err"
if grep -q 'get_event_loop()  # noqa: AL403' "$cfg/a.py"; then
  ok "config fix = true: --add-noqa adds the comment and applies no fix"
else
  not_ok "config fix = true: --add-noqa does not just add the comment" "$cfg/a.py"
fi

# A symbolic link out of the linted directory: its target is not written
# (named on the command line, it is).
mkdir -p "$tmp/sym/tree" "$tmp/sym/outside"
cp "$tmp/src.py" "$tmp/sym/outside/o.py"
cp "$tmp/src.py" "$tmp/sym/tree/in.py"
ln -s ../outside "$tmp/sym/tree/linked"
(cd "$tmp/sym" && "$bin" --isolated --no-cache --select AL403 --fix tree) >"$out" 2>"$err"
if cmp -s "$tmp/sym/outside/o.py" "$tmp/src.py" && grep -q get_running_loop "$tmp/sym/tree/in.py" &&
  grep -q 'tree/linked/o.py: not fixed: a symbolic link leads out' "$err"; then
  ok "a file a symbolic link leads to out of the linted directory is not written"
else
  not_ok "a file outside the linted directory was written (or the tree was not)" "$err"
fi

# Many fixes in one file (more changed lines than the diff's shortest-path
# search takes on): --diff still applies to the --fix result.
mkdir -p "$tmp/many"
python3 -c '
print("import asyncio\n\n\nasync def f():")
for i in range(3000):
    print("    x = 1" if i % 7 == 0 else "    asyncio.get_event_loop()")
' >"$tmp/many/many.py"
cp "$tmp/many/many.py" "$tmp/many.orig"
(cd "$tmp/many" && "$bin" --isolated --no-cache --select AL403 --diff many.py) >"$tmp/many.diff" 2>"$err"
(cd "$tmp/many" && "$bin" --isolated --no-cache --select AL403 --fix many.py) >"$out" 2>>"$err"
rc=$?
mkdir -p "$tmp/many/p" && cp "$tmp/many.orig" "$tmp/many/p/many.py"
if [ "$rc" = 0 ] && (cd "$tmp/many/p" && patch -p1 -s <"$tmp/many.diff") &&
  cmp -s "$tmp/many/p/many.py" "$tmp/many/many.py" && ! grep -q get_event_loop "$tmp/many/many.py"; then
  ok "2,571 fixes in one file: --fix applies them all, --diff applied with patch agrees"
else
  not_ok "2,571 fixes in one file: --fix and --diff disagree (exit $rc)" "$err"
fi

# Files that are never written, and standard input.
printf 'import asyncio\n\n\nasync def f():\n    return asyncio.get_event_loop()\n\ndef g(:\n    pass\n' >"$tmp/syntax.py"
cp "$tmp/syntax.py" "$tmp/syntax.orig"
"$bin" --isolated --no-cache --select AL403 "$tmp/syntax.py" >"$out" 2>"$err"
"$bin" --isolated --no-cache --select AL403 --fix "$tmp/syntax.py" >>"$out" 2>>"$err"
"$bin" --isolated --no-cache --select AL403 --diff "$tmp/syntax.py" >>"$out" 2>>"$err"
rc=$?
if [ "$rc" = 0 ] && cmp -s "$tmp/syntax.py" "$tmp/syntax.orig" && ! grep -q '\[\*\]' "$out"; then
  ok "a file with a syntax error: no [*], --fix leaves it, --diff is empty (exit 0)"
else
  not_ok "a file with a syntax error is touched or offered fixes (--diff exit $rc)"
fi
"$bin" --isolated --no-cache --select AL403 --fix - <"$tmp/src.py" >"$out" 2>"$err"
rc=$?
if [ "$rc" = 0 ] && [ "$(sed -n 5p "$out")" = "    return asyncio.get_running_loop()" ] &&
  [ "$(wc -l <"$out")" = 5 ] && grep -q 'Fixed 1 problem' "$err"; then
  ok "--fix - prints the fixed source on stdout, the rest on stderr"
else
  not_ok "--fix - does not print the fixed source (exit $rc)"
fi
"$bin" --isolated --no-cache --select AL403 --fix - <"$tmp/syntax.orig" >"$out" 2>"$err"
if cmp -s "$out" "$tmp/syntax.orig"; then
  ok "--fix - with nothing to fix prints the source as it came"
else
  not_ok "--fix - with nothing to fix changes the source"
fi

# The whole fixtures tree.
tree=$tmp/tree
cp -r "$fixtures_dir" "$tree"
# The files of the tree that compile, one per line (one CPython for all).
compiling() {
  (cd "$tree" && find . -name '*.py' -type f -print0 | python3 -c '
import sys
for f in sys.stdin.buffer.read().split(b"\0"):
    if not f:
        continue
    try:
        compile(open(f, "rb").read(), f, "exec")
    except Exception:
        continue
    print(f.decode("utf-8", "replace"))
' | sort)
}
compiled=$(compiling)
# One cache for the passes (outside the tree; a file --fix changed is
# re-read, the others are cache hits).
lint_tree=("$bin" --isolated --cache-dir "$tmp/cache" --select ALL --unsafe-fixes)
before=$(cd "$tree" && "${lint_tree[@]}" --format json . 2>/dev/null | json_counts | awk '$1 == "fixable" { print $2 }')
(cd "$tree" && "${lint_tree[@]}" --fix --quiet .) >"$out" 2>"$err"
rc=$?
after=$(cd "$tree" && "${lint_tree[@]}" --format json . 2>/dev/null | json_counts | awk '$1 == "fixable" { print $2 }')
mapfile -t broken < <(comm -23 <(echo "$compiled") <(compiling))
if [ "$rc" -gt 1 ] || grep -q 'bug:' "$err"; then
  not_ok "fixtures tree: --fix --unsafe-fixes --select ALL exits $rc" "$err"
elif [ "${#broken[@]}" -gt 0 ]; then
  not_ok "fixtures tree: files no longer compile after --fix" "${broken[@]}"
else
  ok "fixtures tree: the $(echo "$compiled" | wc -l) files that compiled still compile after --fix"
fi
if [ -z "$before" ] || [ -z "$after" ]; then
  not_ok "fixtures tree: no JSON report to count fixable findings in"
elif [ $((100 * (before - after))) -ge $((90 * before)) ]; then
  ok "fixtures tree: --fix removes $((before - after)) of $before fixable findings (>= 90%)"
else
  not_ok "fixtures tree: --fix removes only $((before - after)) of $before fixable findings (< 90%)"
fi

echo "1..$n"
[ "$failed" = 0 ]
