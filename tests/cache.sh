#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The result cache seen from the command line (issue 6 item 3, issue 7
# item 4). Every run with a cache is compared byte for byte (stdout, stderr,
# exit code) with a --no-cache run of the same tree:
#   - fixtures/demo, text and json, cold then warm; a warm run rewrites no
#     entry (nothing parsed), one per thread count;
#   - a two-module tree where b calls a's coroutine function: a's `async def`
#     becoming `def` removes b's finding, and the reverse brings it back,
#     and each edit writes exactly one entry (only a is parsed again);
#   - --no-cache writes nothing, --cache-dir puts the cache there, the
#     default is .asynclint_cache in the directory of the config file (or
#     the current one) with CACHEDIR.TAG and a .gitignore, and is not linted;
#   - standard input is not cached;
#   - hostile: a symlinked cache directory is refused (nothing written
#     through it), one that cannot be created or written (under a regular
#     file, read-only when not root, a file size limit standing for a full
#     disk) costs one warning line and no result; truncated or garbage
#     entries are rebuilt; four runs at once on one cache agree and leave no
#     temporary file.
# Prints TAP (plan at the end).
#
# Usage: cache.sh ASYNCLINT_BIN FIXTURES_DIR
tests_dir=$(cd "$(dirname "$0")" && pwd)
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 2 ]; then
  echo "usage: cache.sh ASYNCLINT_BIN FIXTURES_DIR" >&2
  exit 2
fi
bin=$(readlink -f "$1")
fixtures=$(readlink -f "$2")
if [ ! -x "$bin" ]; then
  echo "Bail out! $1 is not an executable"
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-cache.XXXXXX")
cleanup() {
  chmod -R u+rwx "$tmp" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# shellcheck source=tests/tap.sh
. "$tests_dir/tap.sh"

# run NAME ARGS...: runs asynclint in the current directory; NAME.out,
# NAME.err and NAME.rc under $tmp/runs.
mkdir -p "$tmp/runs"
run() {
  local name=$1
  shift
  timeout 120 "$bin" "$@" </dev/null >"$tmp/runs/$name.out" \
    2>"$tmp/runs/$name.err"
  echo $? >"$tmp/runs/$name.rc"
}

# same A B: the two runs agree on stdout, stderr and exit code.
same() {
  local a=$tmp/runs/$1 b=$tmp/runs/$2
  cmp -s "$a.out" "$b.out" && cmp -s "$a.err" "$b.err" &&
    cmp -s "$a.rc" "$b.rc"
}

show_diff() {
  local a=$tmp/runs/$1 b=$tmp/runs/$2
  {
    diff -u "$a.out" "$b.out"
    diff -u "$a.err" "$b.err"
    diff -u "$a.rc" "$b.rc"
  } >"$tmp/diff" 2>&1
  echo "$tmp/diff"
}

check_same() { # description, run A, run B
  if same "$2" "$3"; then
    ok "$1"
  else
    not_ok "$1" "$(show_diff "$2" "$3")"
  fi
}

# The facts entries of a cache directory, with inode numbers: a rewritten
# entry (rename of a new file) gets a new inode. The saved runs under
# state/ are not facts entries (rerun.sh checks them).
entries() {
  find "$1" -mindepth 2 -type f -not -path "$1/state/*" -printf '%P %i\n' \
    2>/dev/null | sort
}
count_entries() {
  find "$1" -mindepth 2 -type f -not -path "$1/state/*" 2>/dev/null |
    wc -l | tr -d ' '
}

# 1. fixtures/demo: cold, warm, --no-cache; text and json ------------------
cp -r "$fixtures/demo" "$tmp/demo"
cd "$tmp/demo" || exit 1
c=$tmp/c-demo
for fmt in text json; do
  run "demo-$fmt-none" --no-cache --format "$fmt" .
  run "demo-$fmt-cold" --cache-dir "$c-$fmt" --format "$fmt" .
  before=$(entries "$c-$fmt")
  run "demo-$fmt-warm" --cache-dir "$c-$fmt" --format "$fmt" .
  check_same "demo $fmt: cold run = --no-cache run" "demo-$fmt-none" \
    "demo-$fmt-cold"
  check_same "demo $fmt: warm run = --no-cache run" "demo-$fmt-none" \
    "demo-$fmt-warm"
  files=$(find . -name '*.py' | wc -l | tr -d ' ')
  if [ "$(count_entries "$c-$fmt")" = "$files" ] &&
    [ "$before" = "$(entries "$c-$fmt")" ]; then
    ok "demo $fmt: one entry per file, none rewritten by the warm run"
  else
    not_ok "demo $fmt: one entry per file, none rewritten by the warm run"
  fi
done
grep -q 'AL100' "$tmp/runs/demo-text-warm.out" &&
  ok "demo: the warm run still reports (AL100)" ||
  not_ok "demo: the warm run still reports (AL100)" "$tmp/runs/demo-text-warm.out"
run demo-t1 --cache-dir "$c-text" --threads 1 .
run demo-t2 --cache-dir "$c-text" --threads 2 .
check_same "demo: warm with 1 thread = warm with 2 threads" demo-t1 demo-t2
check_same "demo: warm with 1 thread = --no-cache" demo-t1 demo-text-none

# 2. Another module's view of an edited one ---------------------------------
mkdir -p "$tmp/multi/pkg"
cd "$tmp/multi" || exit 1
: >pkg/__init__.py
write_a() { # async|sync [extra line]
  {
    echo 'import asyncio'
    echo
    echo
    if [ "$1" = async ]; then
      echo 'async def fetch(url):'
      echo '    await asyncio.sleep(0)'
    else
      echo 'def fetch(url):'
      echo '    return url'
    fi
    echo '    return url'
    [ $# -gt 1 ] && echo "$2"
  } >pkg/a.py
}
cat >pkg/b.py <<'EOF'
from pkg.a import fetch


async def main():
    fetch("https://example.org")
    return 1
EOF
cat >pkg/c.py <<'EOF'
from pkg import a


async def other():
    if a.fetch("x"):
        return 2
EOF
mc=$tmp/c-multi
step=0
check_step() { # description, expect_b_finding (yes|no), expected new entries
  step=$((step + 1))
  local before
  before=$(count_entries "$mc")
  run "multi-$step-none" --no-cache .
  run "multi-$step-json-none" --no-cache --format json .
  run "multi-$step-cache" --cache-dir "$mc" .
  local written=$(($(count_entries "$mc") - before))
  run "multi-$step-json-cache" --cache-dir "$mc" --format json .
  check_same "$1: cached text = --no-cache" "multi-$step-none" \
    "multi-$step-cache"
  check_same "$1: cached json = --no-cache" "multi-$step-json-none" \
    "multi-$step-json-cache"
  local found=no
  grep -q '^pkg/b.py:5:5: AL100' "$tmp/runs/multi-$step-cache.out" && found=yes
  if [ "$found" = "$2" ]; then
    ok "$1: b.py's AL100 finding: $2"
  else
    not_ok "$1: b.py's AL100 finding: expected $2" \
      "$tmp/runs/multi-$step-cache.out"
  fi
  if [ "$written" = "$3" ]; then
    ok "$1: $3 entries written (files parsed)"
  else
    not_ok "$1: $3 entries written (files parsed), got $written"
  fi
}
write_a async
check_step "cold tree" yes 4
check_step "unchanged tree" yes 0
write_a sync
check_step "a.fetch made sync" no 1
write_a async '# edited'
check_step "a.fetch made async again (new text)" yes 1
write_a sync
check_step "a.fetch sync again (known text)" no 0

# 3. Locations: --no-cache, --cache-dir, the default, exclusion -------------
mkdir -p "$tmp/loc/proj/sub" "$tmp/loc/plain"
cp "$tmp/multi/pkg/b.py" "$tmp/loc/proj/sub/b.py"
cp "$tmp/multi/pkg/b.py" "$tmp/loc/plain/b.py"
printf 'extend-select = ["AL208"]\n' >"$tmp/loc/proj/asynclint.toml"
cd "$tmp/loc/plain" || exit 1
run loc-none --no-cache .
[ ! -e .asynclint_cache ] && ok "--no-cache creates no cache directory" ||
  not_ok "--no-cache creates no cache directory"
run loc-both --no-cache --cache-dir "$tmp/loc/given" .
[ ! -e "$tmp/loc/given" ] && ok "--no-cache wins over --cache-dir" ||
  not_ok "--no-cache wins over --cache-dir"
run loc-given --cache-dir "$tmp/loc/given/deep" .
if [ "$(count_entries "$tmp/loc/given/deep")" = 1 ] && [ ! -e .asynclint_cache ]; then
  ok "--cache-dir DIR (parents created) holds the entries"
else
  not_ok "--cache-dir DIR (parents created) holds the entries"
fi
run loc-default .
if [ -d .asynclint_cache ] && [ "$(count_entries .asynclint_cache)" = 1 ] &&
  grep -q '^Signature: 8a477f597d28d172789f06886806bc55' .asynclint_cache/CACHEDIR.TAG &&
  grep -qx '\*' .asynclint_cache/.gitignore; then
  ok "default: ./.asynclint_cache with CACHEDIR.TAG and .gitignore (*)"
else
  not_ok "default: ./.asynclint_cache with CACHEDIR.TAG and .gitignore (*)"
fi
check_same "default cache: same output" loc-none loc-default
# A Python file inside the cache directory is not linted (default excludes).
printf 'import time\n\nasync def f():\n    time.sleep(1)\n' >.asynclint_cache/stray.py
run loc-excluded .
check_same "the cache directory is excluded from discovery" loc-none \
  loc-excluded
rm -f .asynclint_cache/stray.py
cd "$tmp/loc/proj/sub" || exit 1
run loc-config .
if [ -d "$tmp/loc/proj/.asynclint_cache" ] && [ ! -e .asynclint_cache ]; then
  ok "with a config file: the cache is in the config file's directory"
else
  not_ok "with a config file: the cache is in the config file's directory"
fi
cd "$tmp/loc/plain" || exit 1
mkdir -p "$tmp/loc/stdin"
printf 'import time\n\nasync def f():\n    time.sleep(1)\n' >"$tmp/loc/stdin/x.py"
timeout 60 "$bin" --cache-dir "$tmp/loc/stdin/c" --stdin-filename x.py - \
  <"$tmp/loc/stdin/x.py" >"$tmp/runs/stdin.out" 2>&1
if [ "$(count_entries "$tmp/loc/stdin/c")" = 0 ] &&
  grep -q '^x.py:4:5: AL200' "$tmp/runs/stdin.out"; then
  ok "standard input is linted, not cached"
else
  not_ok "standard input is linted, not cached" "$tmp/runs/stdin.out"
fi

# 4. Hostile: symlink, cannot create, cannot write, full disk ---------------
cd "$tmp/demo" || exit 1
one_warning() { # description, run, pattern
  local lines
  lines=$(grep -c 'asynclint: warning: ' "$tmp/runs/$2.err")
  if [ "$lines" = 1 ] && grep -q "$3" "$tmp/runs/$2.err" &&
    cmp -s "$tmp/runs/$2.out" "$tmp/runs/demo-text-none.out" &&
    cmp -s "$tmp/runs/$2.rc" "$tmp/runs/demo-text-none.rc"; then
    ok "$1: one warning, same report and exit code"
  else
    not_ok "$1: one warning, same report and exit code" "$tmp/runs/$2.err"
  fi
}
mkdir -p "$tmp/elsewhere"
ln -s "$tmp/elsewhere" "$tmp/link"
run hostile-link --cache-dir "$tmp/link" .
one_warning "a symlinked cache directory" hostile-link 'symbolic link'
[ -z "$(ls -A "$tmp/elsewhere")" ] && ok "nothing written through the link" ||
  not_ok "nothing written through the link"
ln -s "$tmp/elsewhere" .asynclint_cache
run hostile-link-default .
one_warning "a symlinked default .asynclint_cache" hostile-link-default \
  'symbolic link'
rm -f .asynclint_cache

: >"$tmp/regular"
run hostile-enotdir --cache-dir "$tmp/regular/cache" .
one_warning "a cache directory that cannot be created" hostile-enotdir \
  'continuing without the cache'
run hostile-file --cache-dir "$tmp/regular" .
one_warning "a regular file as the cache directory" hostile-file \
  'not a directory'

if [ "$(id -u)" != 0 ]; then
  mkdir -p "$tmp/ro"
  chmod 555 "$tmp/ro"
  run hostile-ro --cache-dir "$tmp/ro" .
  one_warning "a read-only cache directory" hostile-ro 'cannot write'
else
  ok "a read-only cache directory # SKIP root writes anyway"
fi

# A file size limit makes writes fail with EFBIG part-way, as a full disk
# fails with ENOSPC. The report goes through a pipe (not limited).
mkdir -p "$tmp/big"
{
  for i in $(seq 1 400); do
    printf 'async def f%d(x):\n    g%d(x, y=[a for a in x])\n' "$i" "$i"
  done
} >"$tmp/big/big.py"
cp -r "$tmp/demo/shop" "$tmp/big/shop"
cd "$tmp/big" || exit 1
run big-none --no-cache .
(
  ulimit -f 2
  exec timeout 120 "$bin" --cache-dir "$tmp/c-full" . </dev/null
) 2>"$tmp/runs/big-full.err" | cat >"$tmp/runs/big-full.out"
echo "${PIPESTATUS[0]}" >"$tmp/runs/big-full.rc"
lines=$(grep -c 'asynclint: warning: ' "$tmp/runs/big-full.err")
if [ "$lines" = 1 ] && grep -q 'cannot write' "$tmp/runs/big-full.err" &&
  cmp -s "$tmp/runs/big-full.out" "$tmp/runs/big-none.out" &&
  cmp -s "$tmp/runs/big-full.rc" "$tmp/runs/big-none.rc"; then
  ok "writes failing part-way (full disk): one warning, same report"
else
  not_ok "writes failing part-way (full disk): one warning, same report" \
    "$tmp/runs/big-full.err"
fi
if [ -z "$(find "$tmp/c-full" -name '.tmp-*')" ]; then
  ok "no temporary file left after failed writes"
else
  not_ok "no temporary file left after failed writes"
fi
run big-after --cache-dir "$tmp/c-full" .
check_same "the next run fills the cache and agrees" big-none big-after

# 5. Damaged entries ---------------------------------------------------------
cd "$tmp/demo" || exit 1
dc=$tmp/c-damaged
run dmg-cold --cache-dir "$dc" .
total=$(count_entries "$dc")
i=0
while IFS= read -r f; do
  i=$((i + 1))
  case $((i % 3)) in
  0) truncate -s 20 "$f" ;;                        # inside the header
  1) truncate -s $(($(stat -c %s "$f") - 7)) "$f" ;; # payload cut short
  2) head -c 300 /dev/urandom >"$f" ;;             # garbage
  esac
done < <(find "$dc" -mindepth 2 -type f)
run dmg-rebuilt --cache-dir "$dc" .
check_same "damaged entries: same output" demo-text-none dmg-rebuilt
if grep -q 'warning' "$tmp/runs/dmg-rebuilt.err"; then
  not_ok "damaged entries: no warning (a miss is not a problem)" \
    "$tmp/runs/dmg-rebuilt.err"
else
  ok "damaged entries: no warning (a miss is not a problem)"
fi
before=$(entries "$dc")
run dmg-warm --cache-dir "$dc" .
if [ "$(count_entries "$dc")" = "$total" ] && [ "$before" = "$(entries "$dc")" ]; then
  ok "damaged entries were rebuilt (the next run rewrites none)"
else
  not_ok "damaged entries were rebuilt (the next run rewrites none)"
fi
check_same "rebuilt cache: same output" demo-text-none dmg-warm

# 6. Concurrent runs on one cache --------------------------------------------
cc=$tmp/c-concurrent
pids=()
for k in 1 2 3 4; do
  (run "conc-$k" --cache-dir "$cc" --format json .) &
  pids+=($!)
done
wait "${pids[@]}"
run conc-none --no-cache --format json .
all=1
for k in 1 2 3 4; do
  same conc-none "conc-$k" || all=0
done
[ "$all" = 1 ] && ok "four concurrent runs: each = --no-cache" ||
  not_ok "four concurrent runs: each = --no-cache" "$(show_diff conc-none conc-1)"
run conc-warm --cache-dir "$cc" --format json .
check_same "after concurrent runs: warm = --no-cache" conc-none conc-warm
if [ -z "$(find "$cc" -name '.tmp-*')" ]; then
  ok "after concurrent runs: no temporary file left"
else
  not_ok "after concurrent runs: no temporary file left"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
