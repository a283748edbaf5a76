#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden tests of the command line, in the style of ctags' Tmain: every
# directory CASES_DIR/<case>/ holds
#   args    the arguments, one shell line (quotes and escapes allowed)
#   stdin   optional: fed to standard input (default: /dev/null)
#   stdout  expected standard output (missing: expect nothing)
#   stderr  expected standard error (missing: expect nothing)
#   exit    expected exit code (missing: 0)
# The binary runs in the case directory with LC_ALL=C; its version number is
# replaced by VERSION in the actual output before comparing. Prints TAP.
# Every case runs twice with one result cache (--cache-dir, outside the
# source tree): cold, then warm; both runs must match the expectations.
#
# Usage: cli_runner.sh CLI_BIN CASES_DIR
set -uo pipefail
export LC_ALL=C
unset VIRTUAL_ENV # the tree alone: no Python environment (env.sh reads one)

if [ $# -ne 2 ]; then
  echo "usage: cli_runner.sh CLI_BIN CASES_DIR" >&2
  exit 2
fi
bin=$(readlink -f "$1")
cases_dir=$2
# Each case is a project of its own: the git work tree the cases live in
# (this repository) is not their project (see --no-project).
GIT_CEILING_DIRECTORIES=$(readlink -f "$cases_dir")
export GIT_CEILING_DIRECTORIES
if [ ! -x "$bin" ]; then
  echo "Bail out! $1 is not an executable"
  exit 1
fi

cases=()
if [ -d "$cases_dir" ]; then
  for dir in "$cases_dir"/*/; do
    [ -d "$dir" ] && cases+=("${dir%/}")
  done
fi
if [ "${#cases[@]}" -eq 0 ]; then
  echo "1..0 # SKIP no cases"
  exit 0
fi

# The version number as --version prints it (first dotted number).
version=$("$bin" --version </dev/null 2>/dev/null |
  grep -oE '[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?' | head -n 1)
version_re=$(printf '%s' "$version" | sed 's/[][\.*^$/]/\\&/g')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/asynclint-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

normalise() {
  if [ -n "$version_re" ]; then
    sed "s/$version_re/VERSION/g" "$1"
  else
    cat "$1"
  fi
}

# Compare expected file $1 (may be missing) with actual $2; diff goes to $3.
same() {
  local expected=$1
  [ -f "$expected" ] || expected=/dev/null
  diff -u --label "expected/${1##*/}" --label "actual/${1##*/}" \
    "$expected" "$2" >>"$3"
}

n=0
failed=0
echo "1..${#cases[@]}"
for dir in "${cases[@]}"; do
  n=$((n + 1))
  name=${dir##*/}
  report="$tmp/report"
  : >"$report"
  ok=1

  args_line=""
  [ -f "$dir/args" ] && args_line=$(cat "$dir/args")
  input=/dev/null
  [ -f "$dir/stdin" ] && input="$dir/stdin"
  expected_exit=0
  if [ -f "$dir/exit" ]; then
    expected_exit=$(tr -d ' \t\r\n' <"$dir/exit")
  fi

  for pass in cold warm; do
    # A subshell so that cd and set -- stay local to the case.
    (
      cd "$dir" || exit 125
      eval "set -- $args_line" || exit 125
      exec "$bin" --cache-dir "$tmp/cache" "$@"
    ) <"$input" >"$tmp/out.raw" 2>"$tmp/err.raw"
    rc=$?

    normalise "$tmp/out.raw" >"$tmp/stdout"
    normalise "$tmp/err.raw" >"$tmp/stderr"
    if [ "$rc" != "$expected_exit" ]; then
      echo "$pass run: exit code: expected $expected_exit, got $rc" >>"$report"
      ok=0
    fi
    same "$dir/stdout" "$tmp/stdout" "$report" || ok=0
    same "$dir/stderr" "$tmp/stderr" "$report" || ok=0
    [ "$ok" -eq 1 ] || break
  done

  if [ "$ok" -eq 1 ]; then
    echo "ok $n - $name"
  else
    failed=$((failed + 1))
    echo "not ok $n - $name"
    echo "# args: $args_line"
    sed 's/^/# /' "$report"
  fi
done

[ "$failed" -eq 0 ]
